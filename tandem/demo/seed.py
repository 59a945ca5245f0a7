"""Build the demo organisations through the same services the product uses, idempotently.

Running it again finds what exists (by email, skill name, programme name, participation) and
only creates what is missing, so `make demo` can run it every time.

The services tell people what happens, through the notifications outbox, as they would for
real. The demo keeps the in-app copies but sends none of those emails (months of history,
written on a moved clock): the seed evaluates the nudge rules once, so the scheduler `make demo`
starts finds what is due already known, then marks every outbox row it wrote as skipped. The
scheduler and the worker then email only what happens, or falls due, after the seed.
"""

import datetime
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from tandem.accounts import services as accounts
from tandem.accounts.models import Organization, Role, User
from tandem.analytics.services import analytics_refresh
from tandem.demo.history import history_size, seed_history
from tandem.demo.outcomes import seed_outcomes
from tandem.demo.people import DemoPerson, all_skill_names, northwind_people
from tandem.demo.relationships import read_old_notifications, seed_relationships
from tandem.demo.self_matching import SEEKER_EMAIL, seed_self_matching
from tandem.health.services import health_refresh
from tandem.notifications.services import outbox_skip_written
from tandem.nudges.services import nudges_evaluate
from tandem.participants import services as participants
from tandem.participants.models import Participant, ParticipantRole
from tandem.people import services as people
from tandem.people.models import Skill
from tandem.programs import services as programs
from tandem.programs.models import (
    EnrollmentQuestion,
    MeetingCadence,
    Program,
    ProgramAccess,
    ProgramFormat,
    ProgramPurpose,
    QuestionAudience,
    QuestionKind,
)
from tandem.relationships.models import Circle, RelationshipSource
from tandem.relationships.services import (
    circle_create,
    relationship_propose,
    relationship_transition,
)
from tandem.resources.services import starter_content_load

# The last error of the outbox rows the seed writes and never sends.
SEEDED = "seeded demo data: not sent"
DEMO_PASSWORD = "tandem-demo"  # noqa: S105 - printed in the README on purpose

LOGINS = [
    ("admin@northwind.example", "Northwind organisation admin"),
    ("manager@northwind.example", "Northwind programme manager"),
    ("mentor@northwind.example", "Northwind mentor"),
    ("mentee@northwind.example", "Northwind mentee"),
    (SEEKER_EMAIL, "Northwind mentee without a mentor (self-matching)"),
    ("admin@globex.example", "Globex organisation admin (a second organisation)"),
]


@dataclass
class SeedReport:
    password_hash: str = ""
    users_created: int = 0
    programs_created: int = 0
    participants_created: int = 0
    relationships_created: int = 0
    emails_skipped: int = 0


def _seed_circle(program: Program, leaders: list[User], members: list[User]) -> list[str]:
    """One group circle in a group programme, led by the first of `leaders` with `members`,
    started, so its people (every demo password is the same) can open it from their home page.
    Kept if it exists. Returns the emails of its people, mentor first."""
    mentor = Participant.objects.get(program=program, user=leaders[0])
    circle = Circle.objects.filter(program=program, mentor=mentor).first()
    if circle is None:
        circle = circle_create(program_id=program.pk, mentor=mentor, topic="Speaking up in reviews")
        for user in members:
            mentee = Participant.objects.get(program=program, user=user)
            relationship = relationship_propose(
                mentor=mentor, mentee=mentee, source=RelationshipSource.MANUAL, circle=circle
            )
            relationship_transition(
                actor=mentor.user, relationship_id=relationship.pk, action="start"
            )
    return [leaders[0].email, *(user.email for user in members)]


def _organization(name: str, slug: str) -> Organization:
    existing = Organization.objects.filter(slug=slug).first()
    return existing or accounts.organization_create(name=name, slug=slug)


def _user(
    report: SeedReport,
    organization: Organization,
    email: str,
    first_name: str,
    last_name: str,
    role: str = Role.MEMBER,
) -> User:
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None:
        return existing
    report.users_created += 1
    if not report.password_hash:
        # Check the demo password against the validators once, then reuse its hash.
        user = accounts.user_create(
            organization=organization,
            email=email,
            first_name=first_name,
            last_name=last_name,
            role=role,
            password=DEMO_PASSWORD,
        )
        report.password_hash = user.password
        return user
    return accounts.user_create(
        organization=organization,
        email=email,
        first_name=first_name,
        last_name=last_name,
        role=role,
        password_hash=report.password_hash,
    )


def _skills(admin: User) -> dict[str, int]:
    have = {s.name: s.pk for s in Skill.objects.filter(organization=admin.organization)}
    for name, category in all_skill_names():
        if name not in have:
            have[name] = people.skill_create(actor=admin, name=name, category=category).pk
    return have


def _profile(user: User, person: DemoPerson, skill_ids: dict[str, int]) -> None:
    people.profile_update(
        actor=user,
        job_title=person.job_title,
        department=person.department,
        seniority=person.seniority,
        location=person.location,
        timezone_name=person.timezone,
        languages=person.languages,
        bio=person.bio,
        skills_offered=[skill_ids[name] for name in person.skills_offered],
        skills_wanted=[skill_ids[name] for name in person.skills_wanted],
        goals=person.goals,
        availability=person.availability,
        mentor_capacity=person.mentor_capacity,
    )


def _first_monday_after(day: datetime.date, weeks: int) -> datetime.date:
    target = day + datetime.timedelta(weeks=weeks)
    return target + datetime.timedelta(days=(7 - target.weekday()) % 7)


@dataclass
class ProgramSpec:
    name: str
    fields: dict[str, Any]
    questions: list[dict[str, Any]]


def _program_specs(today: datetime.date, manager: User) -> list[ProgramSpec]:
    # Dates follow today, so the demo's enrolment windows are open whenever it is run.
    cohort_start = _first_monday_after(today, 6)
    return [
        ProgramSpec(
            name="Leadership Accelerator",
            fields={
                "description": (
                    "A year of monthly one-to-one mentoring for people stepping into "
                    "leadership. Mentors are experienced leaders from another department."
                ),
                "purpose": ProgramPurpose.LEADERSHIP,
                "format": ProgramFormat.ONE_TO_ONE,
                "is_ongoing": False,
                "starts_on": cohort_start,
                "ends_on": cohort_start + datetime.timedelta(days=364),
                "enrollment_opens_on": today - datetime.timedelta(days=21),
                "enrollment_closes_on": cohort_start - datetime.timedelta(days=7),
                "duration_months": 12,
                "cadence": MeetingCadence.MONTHLY,
                "default_mentor_capacity": 2,
                "access": ProgramAccess.APPLICATION,
                "colour": "#6f42c1",
                "manager_ids": [manager.pk],
            },
            questions=[
                {
                    "prompt": "Which leadership challenge matters most to you right now?",
                    "kind": QuestionKind.SINGLE_CHOICE,
                    "audience": QuestionAudience.MENTEE,
                    "is_required": True,
                    "use_for_matching": True,
                    "choices": [
                        "Leading my first team",
                        "Influencing without authority",
                        "Giving and receiving feedback",
                        "Strategic thinking",
                    ],
                },
                {
                    "prompt": "Which skills do you want this mentoring to focus on?",
                    "kind": QuestionKind.SKILLS,
                    "audience": QuestionAudience.MENTEE,
                    "is_required": True,
                    "use_for_matching": True,
                },
                {
                    "prompt": "How confident are you giving feedback today?",
                    "help_text": "1 = not at all, 5 = very confident",
                    "kind": QuestionKind.SCALE,
                    "audience": QuestionAudience.BOTH,
                    "is_required": True,
                },
                {
                    "prompt": "For how many years have you managed people?",
                    "kind": QuestionKind.NUMBER,
                    "audience": QuestionAudience.MENTOR,
                    "is_required": True,
                    "min_value": 0,
                    "max_value": 50,
                },
                {
                    "prompt": "How would you like to meet?",
                    "kind": QuestionKind.MULTIPLE_CHOICE,
                    "audience": QuestionAudience.BOTH,
                    "use_for_matching": True,
                    "choices": ["Video call", "In person", "Phone", "Walking meeting"],
                },
                {
                    "prompt": "Anything your mentoring partner should know about you?",
                    "kind": QuestionKind.TEXT,
                    "audience": QuestionAudience.BOTH,
                },
            ],
        ),
        ProgramSpec(
            name="Women in Technology Circles",
            fields={
                "description": (
                    "Small circles of up to five women in technical roles with one senior "
                    "mentor, meeting fortnightly to share experience and grow careers."
                ),
                "purpose": ProgramPurpose.DIVERSITY,
                "format": ProgramFormat.GROUP,
                "is_ongoing": True,
                "starts_on": None,
                "ends_on": None,
                "duration_months": 6,
                "cadence": MeetingCadence.FORTNIGHTLY,
                "default_mentor_capacity": 5,
                "max_circle_size": 5,
                "access": ProgramAccess.OPEN,
                "colour": "#d63384",
                "manager_ids": [manager.pk],
            },
            questions=[
                {
                    "prompt": "Which topics would you like your circle to cover?",
                    "kind": QuestionKind.MULTIPLE_CHOICE,
                    "audience": QuestionAudience.BOTH,
                    "is_required": True,
                    "use_for_matching": True,
                    "choices": [
                        "Getting promoted",
                        "Technical leadership",
                        "Confidence and visibility",
                        "Returning from leave",
                        "Work-life balance",
                    ],
                },
                {
                    "prompt": "What would make this circle worth your time?",
                    "kind": QuestionKind.TEXT,
                    "audience": QuestionAudience.MENTEE,
                },
            ],
        ),
        ProgramSpec(
            name="Reverse Mentoring: Digital Fluency",
            fields={
                "description": (
                    "Early-career colleagues mentor senior leaders on the tools, habits and "
                    "expectations of a digital workplace. By invitation."
                ),
                "purpose": ProgramPurpose.SKILLS,
                "format": ProgramFormat.REVERSE,
                "is_ongoing": False,
                "starts_on": cohort_start,
                "ends_on": cohort_start + datetime.timedelta(days=181),
                "duration_months": 6,
                "cadence": MeetingCadence.FORTNIGHTLY,
                "default_mentor_capacity": 1,
                "access": ProgramAccess.INVITATION,
                "colour": "#198754",
                "manager_ids": [manager.pk],
            },
            questions=[
                {
                    "prompt": "Which skills could you teach?",
                    "kind": QuestionKind.SKILLS,
                    "audience": QuestionAudience.MENTOR,
                    "is_required": True,
                    "use_for_matching": True,
                },
                {
                    "prompt": "How comfortable are you with new collaboration tools?",
                    "kind": QuestionKind.SCALE,
                    "audience": QuestionAudience.MENTEE,
                    "is_required": True,
                    "use_for_matching": True,
                },
            ],
        ),
    ]


def _program(report: SeedReport, manager: User, spec: ProgramSpec) -> Program:
    existing = Program.objects.filter(organization=manager.organization, name=spec.name).first()
    if existing is not None:
        return existing
    program = programs.program_create(actor=manager, name=spec.name, **spec.fields)
    for question in spec.questions:
        programs.question_create(actor=manager, program=program, **question)
    report.programs_created += 1
    return programs.program_publish(actor=manager, program=program)


def _answer(
    question: EnrollmentQuestion, person: DemoPerson, skill_ids: dict[str, int], rng: random.Random
) -> Any:
    if question.kind == QuestionKind.SINGLE_CHOICE:
        return rng.choice(question.choices)
    if question.kind == QuestionKind.MULTIPLE_CHOICE:
        return rng.sample(question.choices, rng.randint(1, min(3, len(question.choices))))
    if question.kind == QuestionKind.SCALE:
        return rng.randint(1, 5)
    if question.kind == QuestionKind.NUMBER:
        return rng.randint(question.min_value or 0, min(question.max_value or 30, 25))
    if question.kind == QuestionKind.SKILLS:
        names = person.skills_wanted or person.skills_offered
        return [skill_ids[name] for name in names[:3]]
    return person.goals or person.bio


def _enrol(
    report: SeedReport,
    program: Program,
    user: User,
    person: DemoPerson,
    role: str,
    skill_ids: dict[str, int],
    rng: random.Random,
) -> Participant | None:
    if Participant.objects.filter(program=program, user=user).exists():
        return None
    answers = {
        str(q.pk): _answer(q, person, skill_ids, rng)
        for q in program.questions.all()
        if q.applies_to(role)
    }
    participant = participants.participant_enroll(
        actor=user,
        program_id=program.pk,
        role=role,
        capacity=min(person.mentor_capacity + 1, 5) if role == ParticipantRole.MENTOR else None,
        motivation=person.goals if role == ParticipantRole.MENTEE else person.bio,
        answers=answers,
    )
    report.participants_created += 1
    return participant


def seed(*, log: Callable[[str], None] = lambda _: None) -> SeedReport:
    """Create (or complete) the Northwind and Globex demo organisations; the emails this
    writes to the outbox are marked skipped, never sent (see the module's docstring)."""
    report = SeedReport()
    with outbox_skip_written(reason=SEEDED) as skip:
        _seed(report, log)
        # Score every open pair, so Pair health, the signals and the digest have them at once.
        scored = health_refresh()
        log(f"Relationship health: {scored} open pairs scored")
        # What the nudge rules find due now is about the seeded past too.
        nudges = nudges_evaluate(now=timezone.now())
        log(f"Nudge rules: {nudges.total_due} messages due now (in-app; no email)")
    report.emails_skipped = skip.skipped
    log(f"Outbox: {skip.skipped} emails about the seeded data skipped, not sent")
    # The dashboards' funnel is a summary a job refreshes; work it out for the seeded history.
    log(f"Analytics: the funnel of {analytics_refresh()} participants worked out")
    return report


def _seed(report: SeedReport, log: Callable[[str], None]) -> None:
    rng = random.Random(7)
    today = timezone.localdate()

    northwind = _organization("Northwind", "northwind")
    admin = _user(report, northwind, "admin@northwind.example", "Alex", "Morgan", Role.ORG_ADMIN)
    manager = _user(
        report, northwind, "manager@northwind.example", "Jordan", "Lee", Role.PROGRAM_MANAGER
    )
    skill_ids = _skills(admin)
    # Before any programme exists, so default journeys link the starter guidance.
    log(f"Starter guidance: {starter_content_load(organization=northwind)}")
    for user, title in ((admin, "Head of People"), (manager, "Talent Programmes Lead")):
        people.profile_update(
            actor=user,
            job_title=title,
            department="People",
            location="London",
            timezone_name="Europe/London",
            languages=["English"],
        )
    mentors, mentees = northwind_people()
    users: dict[str, User] = {}
    for person in mentors + mentees:
        users[person.email] = user = _user(
            report, northwind, person.email, person.first_name, person.last_name
        )
        _profile(user, person, skill_ids)
    log(f"Northwind: {len(users)} people with profiles")

    specs = _program_specs(today, manager)
    leadership, circles, reverse = (_program(report, manager, spec) for spec in specs)

    # Leadership: an application programme. The named mentor and mentee are in; most
    # applications are approved, a few wait for the manager so the approval queue has work.
    for index, person in enumerate(mentors[:25]):
        joined = _enrol(
            report, leadership, users[person.email], person, ParticipantRole.MENTOR, skill_ids, rng
        )
        if joined is not None and (index < 22):
            participants.participant_approve(actor=manager, participant_id=joined.pk)
    for index, person in enumerate(mentees[:70]):
        joined = _enrol(
            report, leadership, users[person.email], person, ParticipantRole.MENTEE, skill_ids, rng
        )
        if joined is not None and index < 60:
            participants.participant_approve(actor=manager, participant_id=joined.pk)

    # Pairs in every stage of the year, so every workspace has something in it.
    report.relationships_created = seed_relationships(program=leadership, manager=manager)
    # A year of cohorts after them, with the approved mentees the stories left (a few stay
    # approved and waiting for a match), so managers' aggregates have enough people to show.
    history_mentees = [person.email for person in mentees[9:60]][: history_size()]
    report.relationships_created += seed_history(
        program=leadership, manager=manager, mentee_emails=history_mentees
    )
    # The seeker, approved and without a mentor, and a request waiting for the named mentor.
    seeker = next(person for person in mentees if person.email == SEEKER_EMAIL)
    joined = _enrol(
        report, leadership, users[seeker.email], seeker, ParticipantRole.MENTEE, skill_ids, rng
    )
    if joined is not None:
        participants.participant_approve(actor=manager, participant_id=joined.pk)
    requested = seed_self_matching(program=leadership, manager=manager)
    read_old_notifications()
    log(f"Leadership Accelerator: {report.relationships_created} relationships seeded")
    log(f"Self-matching: {requested} request waiting for the named mentor")

    # Women in Technology: open, so people are enrolled at once. The named mentee is left
    # out on purpose: it is the programme she can join in the demo.
    for person in mentors[25:40]:
        _enrol(report, circles, users[person.email], person, ParticipantRole.MENTOR, skill_ids, rng)
    for person in mentees[70:125]:
        _enrol(report, circles, users[person.email], person, ParticipantRole.MENTEE, skill_ids, rng)
    circle_emails = _seed_circle(
        circles, [users[p.email] for p in mentors[25:26]], [users[p.email] for p in mentees[70:74]]
    )
    log(f"Women in Technology: a circle of {', '.join(circle_emails)}")

    # Reverse mentoring: by invitation. Early-career people mentor senior leaders; the
    # manager invites them and most have accepted.
    reverse_mentors = mentees[125:150]
    reverse_mentees = mentors[40:60]
    for group, role in (
        (reverse_mentors, ParticipantRole.MENTOR),
        (reverse_mentees, ParticipantRole.MENTEE),
    ):
        for index, person in enumerate(group):
            user = users[person.email]
            if Participant.objects.filter(program=reverse, user=user).exists():
                continue
            participants.participant_add(
                actor=manager, program_id=reverse.pk, role=role, user_id=user.pk
            )
            if index % 5 != 4:  # every fifth invitation is still open
                _enrol(report, reverse, user, person, role, skill_ids, rng)
    enrolled = Participant.objects.filter(program__organization=northwind).count()
    log(f"Northwind: {enrolled} participations")
    # HR outcome data last, once every match date is known.
    imported = seed_outcomes(admin=admin, keep={email for email, _ in LOGINS})
    log(f"Northwind: HR outcome data for {imported} people")

    globex = _organization("Globex", "globex")
    globex_admin = _user(report, globex, "admin@globex.example", "Sam", "Carter", Role.ORG_ADMIN)
    if not Program.objects.filter(organization=globex).exists():
        program = programs.program_create(
            actor=globex_admin,
            name="Graduate Buddies",
            description="Every graduate gets a buddy from the year before.",
            purpose=ProgramPurpose.ONBOARDING,
            format=ProgramFormat.ONE_TO_ONE,
            is_ongoing=True,
            access=ProgramAccess.OPEN,
        )
        programs.program_publish(actor=globex_admin, program=program)
        report.programs_created += 1
    log(f"Starter guidance: {starter_content_load(organization=globex)}")
    log("Globex: ready")
