"""What people holds about a person: their profile and the skills on it."""

from tandem.accounts.models import User
from tandem.core.personal_data import ErasureReport, Section, rows_of
from tandem.people.models import Profile

COVERS = ("people.Profile",)


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
    ]


def erase(user: User) -> ErasureReport:
    # The profile row stays (pages join it) with everything that describes the person blank.
    return ErasureReport().kept(
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
