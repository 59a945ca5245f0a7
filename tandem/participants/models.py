"""A person's place in one programme (as mentor or mentee) and their answers to its form."""

from django.db import models
from django.db.models import F, Q

from tandem.accounts.models import User
from tandem.core.lifecycle import Lifecycle, Refused
from tandem.core.models import TimeStampedModel
from tandem.programs.models import EnrollmentQuestion, Program


class ParticipantRole(models.TextChoices):
    MENTOR = "mentor", "Mentor"
    MENTEE = "mentee", "Mentee"


class ParticipantStatus(models.TextChoices):
    INVITED = "invited", "Invited"
    PENDING = "pending", "Awaiting approval"
    ACTIVE = "active", "Enrolled"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"


_ACTION_PAST = {
    "enrol": "enrolled",
    "add": "added",
    "approve": "approved",
    "decline": "declined",
    "withdraw": "withdrawn",
}


def _refusal(refused: Refused) -> str:
    past = _ACTION_PAST[refused.verb]
    from_labels = " or ".join(
        f"'{refused.lifecycle.label(source)}'"
        for source in refused.lifecycle.sources_of(refused.verb, refused.target)
    )
    return (
        f"{refused.subject} cannot be {past} in {refused.context['program']}: "
        f"their status is '{refused.current}'. Only participants who are {from_labels} can be "
        f"{past}."
    )


S = ParticipantStatus
# The lifecycle, in one table of (status before, action, status after). Creating a row is not a
# transition. `services._transition` is the one place that applies it.
PARTICIPANT_LIFECYCLE = Lifecycle(
    "participant",
    [
        # The person completes their own enrolment: an invitation, or coming back after leaving.
        (S.INVITED, "enrol", S.ACTIVE),
        (S.WITHDRAWN, "enrol", S.ACTIVE),
        (S.WITHDRAWN, "enrol", S.PENDING),
        # A manager places someone who left or was declined (active, or invited when by
        # invitation).
        (S.WITHDRAWN, "add", S.ACTIVE),
        (S.WITHDRAWN, "add", S.INVITED),
        (S.DECLINED, "add", S.ACTIVE),
        (S.DECLINED, "add", S.INVITED),
        (S.PENDING, "approve", S.ACTIVE),
        (S.PENDING, "decline", S.DECLINED),
        (S.INVITED, "withdraw", S.WITHDRAWN),
        (S.PENDING, "withdraw", S.WITHDRAWN),
        (S.ACTIVE, "withdraw", S.WITHDRAWN),
    ],
    labels=ParticipantStatus.choices,
    refusal=_refusal,
)


class Participant(TimeStampedModel):
    """One person enrolled in one programme with one role.

    A person joins a programme once; they may be a mentor in one programme and a mentee in
    another. Withdrawing keeps the row (history, metrics); enrolling again reopens it.
    """

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="participations")
    role = models.CharField(max_length=10, choices=ParticipantRole.choices)
    status = models.CharField(
        max_length=20, choices=ParticipantStatus.choices, default=ParticipantStatus.ACTIVE
    )
    # Mentors only: how many mentees they take in this programme.
    capacity = models.PositiveSmallIntegerField(null=True, blank=True)
    motivation = models.TextField(blank=True, help_text="Why they want to join (applications)")
    enrolled_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decision_note = models.TextField(blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawal_reason = models.TextField(blank=True)
    # Places taken by open relationships. Kept by the services that open and close
    # relationships (F() updates) so the database itself refuses to overfill a mentor.
    matched_count = models.PositiveSmallIntegerField(default=0)
    # Mentors can stop taking new mentees for a while without leaving the programme.
    is_accepting_mentees = models.BooleanField(default=True)

    class Meta:
        ordering = ["program", "user__last_name", "user__first_name"]
        constraints = [
            models.UniqueConstraint("program", "user", name="participant_once_per_program"),
            models.CheckConstraint(
                condition=Q(role="mentee") | Q(capacity__gte=1),
                name="participant_mentor_capacity_min_1",
            ),
            models.CheckConstraint(
                condition=Q(role__in=["mentor", "mentee"]), name="participant_role_valid"
            ),
            # A mentor never has more mentees than places; a mentee has at most one mentor.
            models.CheckConstraint(
                condition=(Q(role="mentor") & Q(matched_count__lte=F("capacity")))
                | (Q(role="mentee") & Q(matched_count__lte=1)),
                name="participant_matched_within_capacity",
            ),
        ]
        indexes = [models.Index(fields=["program", "status", "role"])]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} in {self.program}"

    def allows(self, action: str) -> bool:
        """Whether the lifecycle lets `action` happen from this participant's status."""
        return PARTICIPANT_LIFECYCLE.allowed(self.status, action)

    @property
    def may_withdraw(self) -> bool:
        return self.allows("withdraw")

    @property
    def awaits_decision(self) -> bool:
        return self.allows("approve")


class Answer(TimeStampedModel):
    """A participant's answer to one enrolment question. `value` holds the typed answer:
    a string, a list of strings, an integer, or a list of skill ids, by the question's kind."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(
        EnrollmentQuestion, on_delete=models.CASCADE, related_name="answers"
    )
    value = models.JSONField()

    class Meta:
        constraints = [
            models.UniqueConstraint("participant", "question", name="answer_once_per_question"),
        ]

    def __str__(self) -> str:
        return f"Answer to {self.question_id} by participant {self.participant_id}"
