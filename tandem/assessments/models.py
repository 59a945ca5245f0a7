"""The soft-skills self-assessment: each person of a pair rates themselves on a few
competencies (1-5) at the start and at the end of the relationship, so growth can be shown.

- `Competency`: Tandem's six built-ins (no organisation, no programme; created by a data
  migration) plus a programme's own (organisation and programme set).
- `SelfAssessment`: one person's answers at one moment (start or end) of one relationship.
  Private to that person unless they share it with their partner (`is_shared`). Programme
  managers only ever see averages over several people (`selectors.assessment_program_summary`).
- `Rating`: one competency's score (1-5) and an optional short note (encrypted at rest).

When each moment is open is decided in `windows.py`.
"""

from django.db import models
from django.db.models import Q

from tandem.accounts.models import Organization, User
from tandem.core.encryption import EncryptedTextField
from tandem.core.models import TimeStampedModel
from tandem.programs.models import Program
from tandem.relationships.models import Relationship

SCORE_MIN = 1
SCORE_MAX = 5
NOTE_MAX = 280

# What each score means, shown beside every radio button (and in the API's docs).
SCORE_ANCHORS: dict[int, str] = {
    1: "I rarely do this",
    2: "I do this sometimes, when I remember to",
    3: "I do this often, but not yet consistently",
    4: "I do this consistently, even when it is hard",
    5: "I do this well and could teach it",
}


class Moment(models.TextChoices):
    START = "start", "Starting"
    END = "end", "Closing"


class Competency(TimeStampedModel):
    """A soft skill people rate themselves on. `description` says what good looks like."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, null=True, blank=True, related_name="competencies"
    )
    key = models.SlugField(max_length=60)
    name = models.CharField(max_length=80)
    description = models.CharField(max_length=300)
    order = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["order", "id"]
        verbose_name_plural = "competencies"
        constraints = [
            # A built-in has neither organisation nor programme; a programme's own has both.
            models.CheckConstraint(
                condition=Q(organization__isnull=True, program__isnull=True)
                | Q(organization__isnull=False, program__isnull=False),
                name="competency_builtin_or_program",
            ),
            models.UniqueConstraint(
                "key", condition=Q(program__isnull=True), name="competency_builtin_key_unique"
            ),
            models.UniqueConstraint("program", "key", name="competency_program_key_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_builtin(self) -> bool:
        return self.program_id is None


class SelfAssessment(TimeStampedModel):
    relationship = models.ForeignKey(
        Relationship, on_delete=models.CASCADE, related_name="self_assessments"
    )
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    moment = models.CharField(max_length=10, choices=Moment.choices)
    submitted_at = models.DateTimeField()
    # The person chose to let their partner see these answers.
    is_shared = models.BooleanField(default=False)

    class Meta:
        ordering = ["relationship", "user", "-moment"]
        constraints = [
            models.UniqueConstraint(
                "relationship", "user", "moment", name="self_assessment_one_per_moment"
            ),
            models.CheckConstraint(
                condition=Q(moment__in=Moment.values), name="self_assessment_moment_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_moment_display()} self-assessment of user {self.user_id}"


class Rating(models.Model):
    assessment = models.ForeignKey(SelfAssessment, on_delete=models.CASCADE, related_name="ratings")
    competency = models.ForeignKey(Competency, on_delete=models.PROTECT, related_name="ratings")
    score = models.PositiveSmallIntegerField()
    # What a person notes about themselves is private: encrypted at rest (at most NOTE_MAX
    # characters, checked by the service; the column holds the longer ciphertext).
    note = EncryptedTextField(blank=True, default="")

    class Meta:
        ordering = ["assessment", "competency__order", "competency_id"]
        constraints = [
            models.UniqueConstraint("assessment", "competency", name="rating_one_per_competency"),
            models.CheckConstraint(
                condition=Q(score__gte=SCORE_MIN, score__lte=SCORE_MAX), name="rating_score_1_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.competency_id}: {self.score}"
