"""A person's profile (HR facts plus what they say about themselves) and the organisation's skills.

The profile is filled once and reused by every programme the person joins.
"""

from django.db import models
from django.db.models.functions import Lower

from tandem.accounts.models import Organization, User
from tandem.core.models import TimeStampedModel


class Skill(TimeStampedModel):
    """One entry of the organisation's skill list, which programme managers maintain."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="skills")
    name = models.CharField(max_length=80)
    category = models.CharField(max_length=80, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint("organization", Lower("name"), name="skill_name_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Seniority(models.IntegerChoices):
    ENTRY = 1, "Entry level"
    JUNIOR = 2, "Junior"
    MID = 3, "Mid-level"
    SENIOR = 4, "Senior"
    LEAD = 5, "Lead / manager"
    EXECUTIVE = 6, "Executive"


class Profile(TimeStampedModel):
    """Everything Tandem knows about a person outside any one programme."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="profile")
    # From the HR system (CSV import) or typed by the person.
    job_title = models.CharField(max_length=150, blank=True)
    department = models.CharField(max_length=150, blank=True)
    location = models.CharField(max_length=150, blank=True)
    timezone = models.CharField(max_length=64, default="UTC")
    manager = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="direct_reports"
    )
    hire_date = models.DateField(null=True, blank=True)
    # Said by the person.
    seniority = models.PositiveSmallIntegerField(choices=Seniority.choices, null=True, blank=True)
    languages = models.JSONField(default=list, blank=True, help_text="Language names, e.g. English")
    bio = models.TextField(blank=True)
    skills_offered = models.ManyToManyField(Skill, blank=True, related_name="offered_by")
    skills_wanted = models.ManyToManyField(Skill, blank=True, related_name="wanted_by")
    goals = models.TextField(blank=True, help_text="What they want from mentoring, in their words")
    availability = models.TextField(blank=True, help_text="When they can usually meet")
    mentor_capacity = models.PositiveSmallIntegerField(
        default=1, help_text="How many mentees they can take at once, across programmes"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(mentor_capacity__gte=1), name="profile_mentor_capacity_min_1"
            ),
        ]
        indexes = [models.Index(fields=["department"])]

    def __str__(self) -> str:
        return f"Profile of {self.user}"
