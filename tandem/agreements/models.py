"""The mentoring agreement a pair fills in together and both sign, and each programme's template.

A programme's managers edit its AgreementTemplate (guidance per section, the confidentiality
statement). A relationship's Agreement starts from that template and the programme's cadence and
duration. Every change to the agreement's content moves `version` on, so a signature (which names
the version it was given for) only counts for the text its signer saw. When both people have
signed the current version, an AgreementVersion keeps that signed text for good.
"""

from django.db import models
from django.db.models import Q

from tandem.accounts.models import User
from tandem.core.models import TimeStampedModel
from tandem.programs.models import MeetingCadence, Program

MAX_AGREEMENT_TEXT = 4000
MAX_DURATION_MONTHS = 60


class AgreementChannel(models.TextChoices):
    VIDEO = "video", "Video call"
    PHONE = "phone", "Phone"
    IN_PERSON = "in_person", "In person"
    CHAT = "chat", "Chat"


class AgreementStatus(models.TextChoices):
    """Derived from the signatures on the current version; never stored."""

    DRAFT = "draft", "Draft"
    AWAITING_PARTNER = "awaiting_partner", "Signed by one person"
    SIGNED = "signed", "Signed by both"


# Section -> the guidance Tandem offers before a manager writes their own.
DEFAULT_PROMPTS = {
    "goals_prompt": (
        "What does the mentee want from this relationship? Name one to three outcomes you "
        "would be glad to see at the end."
    ),
    "cadence_prompt": "How often will you meet? Agree who books the next meeting.",
    "channels_prompt": "How will you meet and keep in touch between meetings?",
    "duration_prompt": "How long will the relationship run before you review it together?",
    "mentor_expectations_prompt": (
        "What can the mentee expect from the mentor? For example: preparation, honest "
        "feedback, introductions, replying within a few days."
    ),
    "mentee_expectations_prompt": (
        "What can the mentor expect from the mentee? For example: setting the agenda, "
        "coming prepared, trying things between meetings."
    ),
    "boundaries_prompt": (
        "What is out of bounds? Topics you will not discuss, times you are not available, "
        "how either of you can end the relationship without blame."
    ),
}
DEFAULT_CONFIDENTIALITY = (
    "What we discuss stays between the two of us. Neither of us will share the other's "
    "personal matters without permission. The programme's managers see only that we meet and "
    "how our goals progress, never what we say. If either of us has a concern about safety or "
    "wellbeing, we will raise it with the programme team."
)


class AgreementTemplate(TimeStampedModel):
    """A programme's starting point for its pairs' agreements (its managers edit it)."""

    program = models.OneToOneField(
        Program, on_delete=models.CASCADE, related_name="agreement_template"
    )
    goals_prompt = models.TextField(blank=True)
    cadence_prompt = models.TextField(blank=True)
    channels_prompt = models.TextField(blank=True)
    duration_prompt = models.TextField(blank=True)
    mentor_expectations_prompt = models.TextField(blank=True)
    mentee_expectations_prompt = models.TextField(blank=True)
    boundaries_prompt = models.TextField(blank=True)
    confidentiality_statement = models.TextField()
    updated_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"Agreement template of {self.program}"


class Agreement(TimeStampedModel):
    """What one mentor and mentee agreed. Either edits; both sign each version."""

    relationship = models.OneToOneField(
        "relationships.Relationship", on_delete=models.CASCADE, related_name="agreement"
    )
    goals_summary = models.TextField(blank=True)
    cadence = models.CharField(max_length=20, choices=MeetingCadence.choices)
    channels = models.JSONField(default=list, blank=True)  # AgreementChannel values, in order
    duration_months = models.PositiveSmallIntegerField()
    mentor_expectations = models.TextField(blank=True)
    mentee_expectations = models.TextField(blank=True)
    boundaries = models.TextField(blank=True)
    confidentiality = models.TextField()
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(version__gte=1), name="agreement_version_min_1"),
            models.CheckConstraint(
                condition=Q(duration_months__gte=1, duration_months__lte=MAX_DURATION_MONTHS),
                name="agreement_duration_range",
            ),
            models.CheckConstraint(
                condition=Q(cadence__in=MeetingCadence.values), name="agreement_cadence_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Agreement of {self.relationship_id} (version {self.version})"


class AgreementSignature(models.Model):
    """One person signed one version. A later edit leaves it in place but no longer current."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="signatures")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    version = models.PositiveIntegerField()
    signed_at = models.DateTimeField()

    class Meta:
        ordering = ["agreement", "version", "signed_at"]
        constraints = [
            models.UniqueConstraint(
                "agreement", "user", "version", name="agreement_signature_once_per_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} signed version {self.version}"


class AgreementVersion(models.Model):
    """The text of a version both people signed, kept as it was."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    content = models.JSONField()
    mentor_signed_at = models.DateTimeField()
    mentee_signed_at = models.DateTimeField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["agreement", "-version"]
        constraints = [
            models.UniqueConstraint("agreement", "version", name="agreement_version_kept_once"),
        ]

    def __str__(self) -> str:
        return f"Signed version {self.version} of agreement {self.agreement_id}"
