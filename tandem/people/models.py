"""A person's profile (HR facts plus what they say about themselves) and the organisation's skills.

The profile is filled once and reused by every programme the person joins.
"""

from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy

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
    ENTRY = 1, gettext_lazy("Entry level")
    JUNIOR = 2, gettext_lazy("Junior")
    MID = 3, gettext_lazy("Mid-level")
    SENIOR = 4, gettext_lazy("Senior")
    LEAD = 5, gettext_lazy("Lead / manager")
    EXECUTIVE = 6, gettext_lazy("Executive")


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


class PeopleImportStatus(models.TextChoices):
    PREVIEWED = "previewed", "Checked, waiting to be committed"
    COMMITTED = "committed", "Committed"


class PeopleImport(TimeStampedModel):
    """An HR file an admin uploaded in the browser, kept between the dry run and the commit.

    The browser cannot be trusted to send the very same bytes twice, so the file is stored here
    with its SHA-256 checksum. "Commit import" names this row; the service re-reads the stored
    bytes, checks the checksum, plans the rows again against the current database (people may
    have changed since the preview) and writes only if every row is still acceptable. The content
    is emptied once committed; an admin's older uncommitted uploads are dropped when they upload
    a new one, so at most one file per admin waits here.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="people_imports"
    )
    created_by = models.ForeignKey(User, on_delete=models.CASCADE, related_name="people_imports")
    filename = models.CharField(max_length=255, blank=True)
    content = models.BinaryField(editable=False)
    checksum = models.CharField(max_length=64, help_text="SHA-256 of the content, hex")
    size = models.PositiveIntegerField(default=0)
    status = models.CharField(
        max_length=20, choices=PeopleImportStatus.choices, default=PeopleImportStatus.PREVIEWED
    )
    summary = models.JSONField(default=dict, blank=True, help_text="Counts per planned action")
    committed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organization", "created_by", "status"])]

    def __str__(self) -> str:
        return f"Import of {self.filename or 'a file'} ({self.get_status_display()})"


class DirectoryGroup(TimeStampedModel):
    """A group of the organisation's directory (a team, a department, "Mentoring pilot"),
    pushed by the identity provider over SCIM (provisioning writes them). A programme may
    take its people from some of them (`Program.eligible_groups`), which is why groups live
    here, below programmes, and not with the SCIM code (docs/decisions/0012)."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="directory_groups"
    )
    display_name = models.CharField(max_length=255)
    external_id = models.CharField(max_length=255, blank=True)
    members: "models.ManyToManyField[User, DirectoryGroupMember]" = models.ManyToManyField(
        User, through="DirectoryGroupMember", related_name="directory_groups"
    )

    class Meta:
        ordering = ["display_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                "organization", Lower("display_name"), name="scim_group_name_unique_in_org"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name


class DirectoryGroupMember(models.Model):
    group = models.ForeignKey(DirectoryGroup, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="group_memberships")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "user"], name="scim_group_member_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.group_id}"
