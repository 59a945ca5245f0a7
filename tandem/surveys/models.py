"""Surveys: per-programme questionnaires sent to the people of each relationship.

- `Survey`: one questionnaire of a programme — what it is for (`kind`), who answers it
  (`audience`), and when it is sent relative to each relationship (`trigger`, `offset_days`,
  `repeat_days`). The shipped defaults carry their `template_key` (one of each per programme).
- `SurveyVersion`: the questions (`definition`, validated by `definition.py`). A version that
  has answers is never changed: editing the survey then makes the next version.
- `SurveyInvitation`: one person asked to answer one survey for one relationship on one
  occasion (the first meeting, day 30, half-way, the end...). Unique: it is the exactly-once key
  of sending, and its id is the key of the outbox message that announces it.
- `SurveyResponse` (one per invitation) and its `SurveyAnswer`s, one per question answered.
  Free text is encrypted at rest. A person sees their own answers; their partner never does;
  managers see aggregates only (`selectors.survey_results`).
"""

from django.db import models
from django.db.models import Q

from tandem.accounts.models import User
from tandem.core.encryption import EncryptedTextField
from tandem.core.models import TimeStampedModel
from tandem.programs.models import Program
from tandem.relationships.models import Relationship


class SurveyKind(models.TextChoices):
    PAIRING_FIT = "pairing_fit", "Pairing fit"
    PULSE = "pulse", "Pulse"
    MIDPOINT = "midpoint", "Mid-point review"
    CLOSING = "closing", "Closing survey"
    NPS = "nps", "Programme NPS"
    CUSTOM = "custom", "Custom"


class SurveyAudience(models.TextChoices):
    MENTOR = "mentor", "Mentors"
    MENTEE = "mentee", "Mentees"
    BOTH = "both", "Mentors and mentees"


class Trigger(models.TextChoices):
    FIRST_MEETING = "first_meeting", "After the first meeting is held"
    AFTER_MATCH = "after_match", "Days after the match"
    HALFWAY = "halfway", "Half-way through"
    END = "end", "When the relationship ends"


class Survey(TimeStampedModel):
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="surveys")
    kind = models.CharField(max_length=20, choices=SurveyKind.choices)
    title = models.CharField(max_length=120)
    audience = models.CharField(
        max_length=10, choices=SurveyAudience.choices, default=SurveyAudience.BOTH
    )
    trigger = models.CharField(max_length=20, choices=Trigger.choices)
    # After the trigger's moment: days after the match (after_match), or after the first
    # meeting, the half-way date or the end.
    offset_days = models.PositiveIntegerField(default=0)
    # after_match only: send again every `repeat_days` after the first time.
    repeat_days = models.PositiveIntegerField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    template_key = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["program", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(repeat_days__isnull=True)
                | Q(trigger="after_match", repeat_days__gte=1),
                name="survey_repeat_after_match_only",
            ),
            models.CheckConstraint(
                condition=Q(audience__in=["mentor", "mentee", "both"]),
                name="survey_audience_known",
            ),
            models.CheckConstraint(
                condition=Q(trigger__in=["first_meeting", "after_match", "halfway", "end"]),
                name="survey_trigger_known",
            ),
            # A programme's defaults are added once, whoever adds them first.
            models.UniqueConstraint(
                "program",
                "template_key",
                condition=~Q(template_key=""),
                name="survey_template_once_per_program",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.program_id})"


class SurveyVersion(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    definition = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["survey", "number"]
        constraints = [
            models.UniqueConstraint("survey", "number", name="survey_version_number_once"),
            models.CheckConstraint(condition=Q(number__gte=1), name="survey_version_from_1"),
        ]

    def __str__(self) -> str:
        return f"{self.survey_id} v{self.number}"


class SurveyInvitation(TimeStampedModel):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    # The version the person is asked to answer; moved to a newer one by an edit while
    # unanswered, never after.
    version = models.ForeignKey(SurveyVersion, on_delete=models.PROTECT, related_name="invitations")
    relationship = models.ForeignKey(
        Relationship, on_delete=models.CASCADE, related_name="survey_invitations"
    )
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="survey_invitations")
    occasion = models.CharField(max_length=40)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # Exactly once: the same survey is never asked twice for one occasion.
            models.UniqueConstraint(
                "survey", "relationship", "user", "occasion", name="survey_invitation_once"
            ),
        ]
        indexes = [
            # "My surveys", newest first with the id breaking ties: a seek page walks it from
            # its cursor (decision 0020)
            models.Index(
                fields=["user", "-created_at", "-id"], name="survey_invitation_user_newest"
            )
        ]

    def __str__(self) -> str:
        return f"{self.survey_id}:{self.relationship_id}:{self.user_id}:{self.occasion}"


class SurveyResponse(models.Model):
    invitation = models.OneToOneField(
        SurveyInvitation, on_delete=models.CASCADE, related_name="response"
    )
    version = models.ForeignKey(SurveyVersion, on_delete=models.PROTECT, related_name="responses")
    submitted_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"response to {self.invitation_id}"


class SurveyAnswer(models.Model):
    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    question_key = models.CharField(max_length=40)
    question_type = models.CharField(max_length=20)
    number = models.SmallIntegerField(null=True, blank=True)  # rating, nps
    choices = models.JSONField(default=list, blank=True)  # single, multiple, pairing fit
    text = EncryptedTextField(blank=True)

    class Meta:
        ordering = ["response", "id"]
        constraints = [
            models.UniqueConstraint("response", "question_key", name="survey_answer_once"),
            models.CheckConstraint(
                condition=Q(number__isnull=True) | Q(number__gte=0, number__lte=10),
                name="survey_answer_number_0_10",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.response_id}:{self.question_key}"
