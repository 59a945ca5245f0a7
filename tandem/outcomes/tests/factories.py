"""An organisation with HR outcome data, built the way admins build it: relationships in a
programme, then an HR file through the import service."""

import datetime
import random

from django.utils import timezone

from tandem.accounts.models import User
from tandem.accounts.tests.factories import UserFactory
from tandem.outcomes import services
from tandem.participants.models import ParticipantRole
from tandem.participants.tests.factories import ParticipantFactory
from tandem.programs.models import Program
from tandem.relationships.models import Relationship, RelationshipSource, RelationshipStatus

DEPARTMENTS = ("Sales", "Engineering", "Finance")
GRADES = ("G2", "G3", "G4")


def _months_ago(today: datetime.date, months: float) -> datetime.date:
    return today - datetime.timedelta(days=round(months * 30.4375))


def mentor_relationships(
    program: Program, mentees: list[User], *, started: list[datetime.date]
) -> None:
    """Each of `mentees` in an active relationship of `program`, begun on their date. Dates in
    the past cannot go through `relationship_transition` (it starts pairs today), so the rows
    are written as that service leaves them."""
    mentor = ParticipantFactory(
        program=program,
        user=UserFactory(organization=program.organization),
        role=ParticipantRole.MENTOR,
        capacity=len(mentees) or 1,
    )
    now = timezone.now()
    relationships = []
    for user, day in zip(mentees, started, strict=True):
        participant = ParticipantFactory(program=program, user=user)
        relationships.append(
            Relationship(
                program=program,
                mentor=mentor,
                mentee=participant,
                status=RelationshipStatus.ACTIVE,
                source=RelationshipSource.MANUAL,
                started_on=day,
                activated_at=now,
            )
        )
    Relationship.objects.bulk_create(relationships)


def hr_file(
    rows: list[tuple[str, datetime.date, datetime.date | None, str, str, str, str]],
) -> bytes:
    lines = ["Email,Hire date,Termination date,Promotion dates,Department,Grade,Location"]
    for email, hired, terminated, promotions, department, grade, location in rows:
        lines.append(
            f"{email},{hired.isoformat()},{terminated.isoformat() if terminated else ''},"
            f"{promotions},{department},{grade},{location}"
        )
    return "\r\n".join(lines).encode()


def outcomes_organisation(
    cast, *, mentored: int = 40, others: int = 60, seed: int = 1, program: Program | None = None
) -> tuple[list[User], list[User]]:
    """`mentored` people matched in `program` (cast.program) 12 to 24 months ago, `others`
    never matched; everyone hired 3 to 6 years ago; about a third of each group left since.
    Returns the two lists of users."""
    rng = random.Random(seed)
    program = program or cast.program
    today = timezone.localdate()
    mentored_users = UserFactory.create_batch(mentored, organization=cast.org)
    other_users = UserFactory.create_batch(others, organization=cast.org)
    starts = [_months_ago(today, rng.uniform(12, 24)) for _ in mentored_users]
    if mentored_users:
        mentor_relationships(program, mentored_users, started=starts)
    rows = []
    for index, user in enumerate(mentored_users + other_users):
        hired = _months_ago(today, rng.uniform(36, 72))
        start = starts[index] if index < len(starts) else _months_ago(today, 18)
        terminated = None
        if rng.random() < 0.35:
            terminated = start + datetime.timedelta(days=rng.randint(10, 300))
            terminated = min(terminated, today - datetime.timedelta(days=40))
        promoted = ""
        if rng.random() < 0.3:
            last = terminated or today - datetime.timedelta(days=1)
            promoted = (start + (last - start) * rng.random()).isoformat()
        rows.append(
            (
                user.email,
                hired,
                terminated,
                promoted,
                rng.choice(DEPARTMENTS),
                rng.choice(GRADES),
                "London",
            )
        )
    services.outcomes_import_commit(actor=cast.admin, content=hr_file(rows))
    return mentored_users, other_users
