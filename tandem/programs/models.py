"""Mentoring programmes and the enrolment form each one asks people to fill."""

import datetime

from django.db import models
from django.db.models import F, Q

from tandem.accounts.models import Organization, User
from tandem.core.models import TimeStampedModel
from tandem.people.models import DirectoryGroup


class ProgramPurpose(models.TextChoices):
    CAREER = "career", "Career growth"
    SKILLS = "skills", "Skills development"
    LEADERSHIP = "leadership", "Leadership"
    DIVERSITY = "diversity", "Diversity & inclusion"
    ONBOARDING = "onboarding", "Onboarding"
    OTHER = "other", "Other"


class ProgramFormat(models.TextChoices):
    ONE_TO_ONE = "one_to_one", "One-to-one"
    GROUP = "group", "Group circle (one mentor, several mentees)"
    PEER = "peer", "Peer mentoring"
    REVERSE = "reverse", "Reverse mentoring"
    FLASH = "flash", "Flash (one-off conversation)"


class MeetingCadence(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    FORTNIGHTLY = "fortnightly", "Fortnightly"
    MONTHLY = "monthly", "Monthly"


class ProgramAccess(models.TextChoices):
    OPEN = "open", "Open to the whole organisation"
    INVITATION = "invitation", "Invitation only"
    APPLICATION = "application", "Application with approval"


class ProgramStatus(models.TextChoices):
    """Draft while the manager sets it up, published once people may see and join it."""

    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    ARCHIVED = "archived", "Archived"


# Tandem blue: the accent of a programme that has not chosen its own colour.
DEFAULT_PROGRAM_COLOUR = "#0d6efd"
# The only colours a programme may have: they go into HTML and emails as they are.
PROGRAM_COLOUR_PATTERN = r"^#[0-9a-fA-F]{6}$"


class Program(TimeStampedModel):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="programs"
    )
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    purpose = models.CharField(
        max_length=20, choices=ProgramPurpose.choices, default=ProgramPurpose.CAREER
    )
    format = models.CharField(
        max_length=20, choices=ProgramFormat.choices, default=ProgramFormat.ONE_TO_ONE
    )
    status = models.CharField(
        max_length=20, choices=ProgramStatus.choices, default=ProgramStatus.DRAFT
    )
    # A cohort has dates; an ongoing programme has none and runs until archived.
    is_ongoing = models.BooleanField(default=False)
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    # Empty bounds mean "no limit on that side".
    enrollment_opens_on = models.DateField(null=True, blank=True)
    enrollment_closes_on = models.DateField(null=True, blank=True)
    duration_months = models.PositiveSmallIntegerField(
        default=12, help_text="How long a relationship is expected to last"
    )
    cadence = models.CharField(
        max_length=20, choices=MeetingCadence.choices, default=MeetingCadence.MONTHLY
    )
    default_mentor_capacity = models.PositiveSmallIntegerField(default=1)
    max_circle_size = models.PositiveSmallIntegerField(
        default=5, help_text="Group circles: at most this many mentees with one mentor"
    )
    access = models.CharField(
        max_length=20, choices=ProgramAccess.choices, default=ProgramAccess.OPEN
    )
    colour = models.CharField(
        max_length=7,
        default=DEFAULT_PROGRAM_COLOUR,
        help_text="The programme's accent (#rrggbb) on its page and in its emails",
    )
    managers = models.ManyToManyField(User, blank=True, related_name="managed_programs")
    # Who may enrol: members of any of these directory groups (none: everyone of the
    # organisation). An invitation from a manager lets anyone in.
    eligible_groups = models.ManyToManyField(
        DirectoryGroup, blank=True, related_name="eligible_programs"
    )
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(default_mentor_capacity__gte=1), name="program_capacity_min_1"
            ),
            models.CheckConstraint(
                condition=Q(duration_months__gte=1), name="program_duration_min_1"
            ),
            models.CheckConstraint(
                condition=Q(max_circle_size__gte=2), name="program_circle_min_2"
            ),
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True)
                | Q(ends_on__isnull=True)
                | Q(ends_on__gte=F("starts_on")),
                name="program_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(enrollment_opens_on__isnull=True)
                | Q(enrollment_closes_on__isnull=True)
                | Q(enrollment_closes_on__gte=F("enrollment_opens_on")),
                name="program_enrollment_window_ordered",
            ),
            models.CheckConstraint(
                condition=Q(is_ongoing=True) | Q(starts_on__isnull=False),
                name="program_cohort_has_start",
            ),
            models.CheckConstraint(
                condition=Q(colour__regex=PROGRAM_COLOUR_PATTERN), name="program_colour_hex"
            ),
        ]
        indexes = [models.Index(fields=["organization", "status"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_read_only(self) -> bool:
        """Archived programmes keep their history but no longer change."""
        return self.status == ProgramStatus.ARCHIVED

    def accepts_enrollment_on(self, day: datetime.date) -> bool:
        """Whether people may enrol on `day`: published, and inside the window when one is set."""
        if self.status != ProgramStatus.PUBLISHED:
            return False
        if self.enrollment_opens_on is not None and day < self.enrollment_opens_on:
            return False
        return self.enrollment_closes_on is None or day <= self.enrollment_closes_on


class QuestionKind(models.TextChoices):
    SINGLE_CHOICE = "single_choice", "Single choice"
    MULTIPLE_CHOICE = "multiple_choice", "Multiple choice"
    TEXT = "text", "Free text"
    SCALE = "scale", "Scale of 1 to 5"
    NUMBER = "number", "Number"
    SKILLS = "skills", "Skills from the organisation's list"


class QuestionAudience(models.TextChoices):
    MENTOR = "mentor", "Mentors"
    MENTEE = "mentee", "Mentees"
    BOTH = "both", "Mentors and mentees"


class EnrollmentQuestion(TimeStampedModel):
    """One question on a programme's enrolment form."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="questions")
    prompt = models.CharField(max_length=300)
    help_text = models.CharField(max_length=500, blank=True)
    kind = models.CharField(max_length=20, choices=QuestionKind.choices)
    audience = models.CharField(
        max_length=10, choices=QuestionAudience.choices, default=QuestionAudience.BOTH
    )
    is_required = models.BooleanField(default=False)
    use_for_matching = models.BooleanField(default=False)
    position = models.PositiveIntegerField(default=0)
    # Choice questions list their options; number questions may bound the answer.
    choices = models.JSONField(default=list, blank=True)
    min_value = models.IntegerField(null=True, blank=True)
    max_value = models.IntegerField(null=True, blank=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_value__isnull=True)
                | Q(max_value__isnull=True)
                | Q(max_value__gte=F("min_value")),
                name="question_bounds_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.prompt

    def applies_to(self, role: str) -> bool:
        return self.audience in (QuestionAudience.BOTH, role)

    @property
    def has_choices(self) -> bool:
        return self.kind in CHOICE_KINDS


CHOICE_KINDS = frozenset({QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE})
