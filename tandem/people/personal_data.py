"""What people holds about a person: their profile, the skills on it, and the directory groups
they are in."""

from tandem.accounts.models import User
from tandem.core.personal_data import ErasureReport, Section, rows_of
from tandem.people.models import DirectoryGroupMember, Profile

COVERS = ("people.Profile", "people.DirectoryGroupMember")


def export(user: User) -> list[Section]:
    profile = rows_of(
        Profile.objects.filter(user=user),
        (
            "job_title",
            "department",
            "location",
            "timezone",
            "manager__email",
            "hire_date",
            "seniority",
            "languages",
            "bio",
            "goals",
            "availability",
            "mentor_capacity",
            "created_at",
            "updated_at",
        ),
    )
    skills = [
        {"skill": name, "kind": kind}
        for kind, relation in (("offered", "skills_offered"), ("wanted", "skills_wanted"))
        for name in Profile.objects.filter(user=user)
        .order_by(f"{relation}__name")
        .values_list(f"{relation}__name", flat=True)
        if name
    ]
    return [
        Section("profile", "Your profile: job, department, location, bio, goals.", profile),
        Section("skills", "The skills your profile offers and wants.", skills),
        Section(
            "directory_groups",
            "The directory groups you are a member of.",
            rows_of(DirectoryGroupMember.objects.filter(user=user), ("group__display_name",)),
        ),
    ]


def erase(user: User) -> ErasureReport:
    # The profile row stays (pages join it) with everything that describes the person blank;
    # their directory groups go (the directory may send them again: a new account).
    report = ErasureReport()
    report.delete(DirectoryGroupMember.objects.filter(user=user))
    return report.kept(
        "people.Profile",
        Profile.objects.filter(user=user).update(
            job_title="",
            department="",
            location="",
            languages=[],
            bio="",
            goals="",
            availability="",
            manager=None,
        ),
    )
