"""Matching runs, their draft pairs, pair rules, and mentees' requests to mentors."""

from django.db import models
from django.db.models import Q

from tandem.accounts.models import User
from tandem.core.models import TimeStampedModel
from tandem.participants.models import Participant
from tandem.programs.models import Program


class MatchingSettings(TimeStampedModel):
    """A programme's matching configuration: weights, rules, and self-matching options."""

    program = models.OneToOneField(
        Program, on_delete=models.CASCADE, related_name="matching_settings"
    )
    # Criterion name -> weight (see tandem.matching.engine.problem.Weights).
    weights = models.JSONField(default=dict, blank=True)
    # seniority_gap_min/max, department, shared_hours_target, require_shared_language, and
    # per-question modes {"question_id": "same" | "different" | "closer"}.
    rules = models.JSONField(default=dict, blank=True)
    allow_self_matching = models.BooleanField(default=True)
    requests_need_approval = models.BooleanField(default=False)
    # An accepted request starts the relationship at once; a programme that holds a kick-off
    # (a first three-way meeting, say) asks for the extra "start" step instead.
    accepted_requests_need_kickoff = models.BooleanField(default=False)
    request_expiry_days = models.PositiveSmallIntegerField(default=14)
    suggestions_shown = models.PositiveSmallIntegerField(default=10)

    def __str__(self) -> str:
        return f"Matching settings of {self.program}"


class RunObjective(models.TextChoices):
    TOTAL = "total", "Best total fit"
    FAIR = "fair", "Fairest (best lowest score)"
    STABLE = "stable", "Stable (nobody would rather swap)"


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DRAFT = "draft", "Draft ready"
    PUBLISHED = "published", "Published"
    DISCARDED = "discarded", "Discarded"
    FAILED = "failed", "Failed"


class MatchRun(TimeStampedModel):
    """One bulk matching run: its inputs (so it can be reproduced), status and results."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="match_runs")
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    objective = models.CharField(max_length=10, choices=RunObjective.choices)
    status = models.CharField(max_length=12, choices=RunStatus.choices, default=RunStatus.QUEUED)
    seed = models.IntegerField(default=0)
    weights = models.JSONField(default=dict)
    rules = models.JSONField(default=dict)
    # The exact participants, capacities, pins and exclusions the engine saw (for audit).
    inputs = models.JSONField(default=dict)
    progress = models.PositiveSmallIntegerField(default=0)
    statistics = models.JSONField(default=dict, blank=True)
    certified_gap = models.FloatField(null=True, blank=True)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["program", "status"]),
            # a programme's runs, newest first, paged by a cursor (decision 0020)
            models.Index(fields=["program", "-created_at", "-id"], name="match_run_program_newest"),
        ]

    def __str__(self) -> str:
        return f"Run {self.pk} of {self.program} ({self.get_status_display()})"


class MatchProposal(TimeStampedModel):
    """One pair in a run's draft, with its score and the reasons behind it."""

    run = models.ForeignKey(MatchRun, on_delete=models.CASCADE, related_name="proposals")
    mentor = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    mentee = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    contributions = models.JSONField(default=dict)
    reasons = models.JSONField(default=list)
    is_pinned = models.BooleanField(default=False)

    class Meta:
        ordering = ["-score", "id"]
        constraints = [
            models.UniqueConstraint("run", "mentee", name="proposal_one_mentor_per_mentee"),
        ]

    def __str__(self) -> str:
        return f"{self.mentor_id} ↔ {self.mentee_id} ({self.score:.2f})"


class MatchUnmatched(models.Model):
    """A mentee a run could not match, and why."""

    run = models.ForeignKey(MatchRun, on_delete=models.CASCADE, related_name="unmatched")
    mentee = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=40)
    detail = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint("run", "mentee", name="unmatched_once_per_run"),
        ]

    def __str__(self) -> str:
        return f"Unmatched {self.mentee_id} in run {self.run_id}: {self.reason}"


class PairRuleKind(models.TextChoices):
    PIN = "pin", "Always pair"
    EXCLUDE = "exclude", "Never pair"


class PairRule(TimeStampedModel):
    """A manager's standing instruction about one pair, honoured by every run."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="pair_rules")
    mentor = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    mentee = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=PairRuleKind.choices)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint("mentor", "mentee", name="pair_rule_once_per_pair"),
        ]


class SuggestionDecline(TimeStampedModel):
    """A mentor said "not this mentee": never suggested or matched to them again."""

    mentor = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    mentee = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint("mentor", "mentee", name="suggestion_decline_once"),
        ]


class RequestStatus(models.TextChoices):
    AWAITING_APPROVAL = "awaiting_approval", "Awaiting the manager"
    PENDING = "pending", "Waiting for the mentor"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"
    EXPIRED = "expired", "Expired"


class MatchRequest(TimeStampedModel):
    """A mentee asks a suggested mentor to mentor them; the mentor accepts or declines."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="match_requests")
    mentee = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="requests_sent")
    mentor = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="requests_received"
    )
    note = models.TextField(blank=True)
    status = models.CharField(
        max_length=20, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    response_message = models.TextField(blank=True)
    score = models.FloatField(null=True, blank=True)
    # What the mentee was shown when asking: criterion -> contribution, and the sentences.
    contributions = models.JSONField(default=dict, blank=True)
    reasons = models.JSONField(default=list, blank=True)
    expires_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # A mentee has one open request to a given mentor at a time.
            models.UniqueConstraint(
                "mentee",
                "mentor",
                condition=Q(status__in=["awaiting_approval", "pending"]),
                name="request_one_open_per_pair",
            ),
        ]
        indexes = [
            models.Index(fields=["mentor", "status"]),
            models.Index(fields=["expires_at"]),
            # a programme's requests, oldest first, paged by a cursor (decision 0020)
            models.Index(fields=["program", "created_at", "id"], name="request_program_oldest"),
        ]

    def __str__(self) -> str:
        return f"Request {self.pk}: {self.mentee_id} → {self.mentor_id} ({self.status})"
