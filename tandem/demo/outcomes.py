"""The demo's HR outcome data: the file an HR team would upload, imported through the product.

Northwind gets 240 more employees who never join a programme (through the people import, as an
HR export would bring them), so the outcomes page has a comparison group, and then an HR
outcomes file for everyone in the organisation: employee id, hire date, department, grade,
location, promotions and, for those who left, the termination date.

Who leaves is drawn with a planted effect, so the page has something true to find: a yearly
leaving hazard of 24 % for everyone, halved (hazard ratio 0.5) from the match date for people
in a relationship; promotions at 12 % a year, 1.5 times that once mentored. The people who sign
in to the demo never leave. The draws are seeded and the dates relative to today, so a second
seed on the same day changes nothing, and on a later day updates the same people.
"""

import datetime
import math
import random

from django.utils import timezone

from tandem.accounts.models import Organization, User
from tandem.core.exports import csv_lines
from tandem.outcomes.services import outcomes_import_commit
from tandem.people.services import people_import_commit
from tandem.relationships.selectors import match_dates

COMPARISON_PEOPLE = 240
YEARLY_LEAVING = 0.24
MENTORED_HAZARD_RATIO = 0.5
YEARLY_PROMOTION = 0.12
MENTORED_PROMOTION_RATIO = 1.5
DEPARTMENTS = ("Engineering", "Sales", "Finance", "Operations", "Marketing", "People")
LOCATIONS = ("London", "Manchester", "Dublin", "Berlin", "Toronto")
GRADES = ("G1", "G2", "G3", "G4", "G5")
FIRST = ("Ada", "Ben", "Chloe", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivo", "Jae", "Kit", "Lena")
LAST = ("Ahmed", "Brook", "Chen", "Diaz", "Evans", "Fox", "Gill", "Hart", "Ito", "Jones", "Khan")


def _hazard_draw(rng: random.Random, yearly: float) -> float:
    """Days until the event, for a constant yearly probability `yearly`."""
    rate = -math.log(1 - yearly) / 365.0
    return rng.expovariate(rate)


def _comparison_file(rng: random.Random, today: datetime.date) -> bytes:
    rows = []
    for index in range(COMPARISON_PEOPLE):
        hired = today - datetime.timedelta(days=rng.randint(120, 3600))
        rows.append(
            [
                f"employee{index:03d}@northwind.example",
                FIRST[index % len(FIRST)],
                f"{LAST[(index * 7) % len(LAST)]}-{index:03d}",
                "Analyst",
                DEPARTMENTS[index % len(DEPARTMENTS)],
                LOCATIONS[(index // 3) % len(LOCATIONS)],
                "Europe/London",
                "",
                hired.isoformat(),
            ]
        )
    header = [
        "Email",
        "First name",
        "Last name",
        "Job title",
        "Department",
        "Location",
        "Timezone",
        "Manager email",
        "Hire date",
    ]
    return "".join(csv_lines(header, rows)).encode()


def seed_outcomes(*, admin: User, keep: set[str]) -> int:
    """Import the comparison employees and the HR outcomes file for the admin's organisation;
    `keep` names the emails that never leave (the demo's logins). Returns the rows imported."""
    organization = Organization.objects.get(users=admin)
    rng = random.Random(11)
    today = timezone.localdate()
    people_import_commit(actor=admin, content=_comparison_file(rng, today))

    # Each person's first match date, whichever side of the pair they were on.
    matched: dict[int, datetime.date] = {}
    for mentee_id, mentor_id, _program_id, started in match_dates(organization_id=organization.pk):
        if started is None:
            continue
        for user_id in (mentee_id, mentor_id):
            if user_id not in matched or started < matched[user_id]:
                matched[user_id] = started
    origin = today - datetime.timedelta(days=365)
    rows = []
    people = (
        User.objects.filter(organization=organization, is_active=True)
        .select_related("profile")
        .order_by("email")
    )
    for index, user in enumerate(people):
        # The employee id follows the account, so a later seed finds the same person.
        person_rng = random.Random(f"{user.email}:outcomes")
        profile = getattr(user, "profile", None)
        hired = (profile.hire_date if profile and profile.hire_date else None) or (
            today - datetime.timedelta(days=person_rng.randint(200, 3600))
        )
        start = matched.get(user.pk)
        # Everyone is at risk from a year ago (or their hire); the mentored at the lower
        # hazard from their match date on.
        at_risk_from = max(origin, hired)
        left: datetime.date | None = None
        before = _hazard_draw(person_rng, YEARLY_LEAVING)
        if start is None or at_risk_from + datetime.timedelta(days=before) < start:
            candidate = at_risk_from + datetime.timedelta(days=before)
        else:
            after = _hazard_draw(person_rng, 1 - (1 - YEARLY_LEAVING) ** MENTORED_HAZARD_RATIO)
            candidate = max(start, at_risk_from) + datetime.timedelta(days=after)
        if candidate < today and user.email not in keep:
            left = candidate
        promotions = []
        yearly = YEARLY_PROMOTION * (MENTORED_PROMOTION_RATIO if start else 1.0)
        promoted = hired + datetime.timedelta(days=_hazard_draw(person_rng, yearly))
        while promoted < (left or today):
            promotions.append(promoted.isoformat())
            promoted += datetime.timedelta(days=_hazard_draw(person_rng, yearly))
        rows.append(
            [
                f"NW{user.pk:05d}",
                user.email,
                hired.isoformat(),
                left.isoformat() if left else "",
                "; ".join(promotions[-3:]),
                (profile.department if profile else "") or DEPARTMENTS[index % len(DEPARTMENTS)],
                GRADES[person_rng.randrange(len(GRADES))],
                (profile.location if profile else "") or LOCATIONS[index % len(LOCATIONS)],
            ]
        )
    header = [
        "Employee ID",
        "Email",
        "Hire date",
        "Termination date",
        "Promotion dates",
        "Department",
        "Grade",
        "Location",
    ]
    plan = outcomes_import_commit(actor=admin, content="".join(csv_lines(header, rows)).encode())
    return len(plan.rows)
