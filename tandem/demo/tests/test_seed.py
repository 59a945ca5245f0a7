from django.core.management import call_command

from tandem.accounts.models import Organization, Role, User
from tandem.demo.seed import DEMO_PASSWORD, seed
from tandem.participants.models import Participant, ParticipantRole, ParticipantStatus
from tandem.programs.models import Program, ProgramStatus


def _snapshot() -> tuple[int, int, int, int]:
    return (
        User.objects.count(),
        Program.objects.count(),
        Participant.objects.count(),
        Organization.objects.count(),
    )


def test_seed_builds_the_demo_and_is_idempotent(db, capsys):
    # when
    call_command("seed_demo")
    first = _snapshot()
    again = seed()
    # then a second run creates nothing and changes no counts
    assert (again.users_created, again.programs_created, again.participants_created) == (0, 0, 0)
    assert _snapshot() == first
    output = capsys.readouterr().out
    for email in (
        "admin@northwind.example",
        "manager@northwind.example",
        "mentor@northwind.example",
        "mentee@northwind.example",
        "admin@globex.example",
    ):
        assert email in output
        assert User.objects.get(email=email).check_password(DEMO_PASSWORD)


def test_seed_has_the_promised_shape(db):
    # when
    seed()
    # then
    northwind = Organization.objects.get(slug="northwind")
    assert User.objects.get(email="admin@northwind.example").role == Role.ORG_ADMIN
    assert User.objects.get(email="manager@northwind.example").role == Role.PROGRAM_MANAGER
    programs = Program.objects.filter(organization=northwind).order_by("name")
    assert [(p.name, p.format, p.status) for p in programs] == [
        ("Leadership Accelerator", "one_to_one", ProgramStatus.PUBLISHED),
        ("Reverse Mentoring: Digital Fluency", "reverse", ProgramStatus.PUBLISHED),
        ("Women in Technology Circles", "group", ProgramStatus.PUBLISHED),
    ]
    people = User.objects.filter(organization=northwind, role=Role.MEMBER)
    mentors = people.filter(email__startswith="mentor").count()
    mentees = people.filter(email__startswith="mentee").count()
    assert (mentors, mentees) == (60, 150)
    # every person has a filled profile
    assert people.filter(profile__job_title="").count() == 0
    # the named pair are in the leadership programme; the approval queue has work
    leadership = programs.get(name="Leadership Accelerator")
    assert (
        Participant.objects.get(program=leadership, user__email="mentor@northwind.example").role
        == ParticipantRole.MENTOR
    )
    assert Participant.objects.filter(program=leadership, status=ParticipantStatus.PENDING).exists()
    # the named mentee has a programme left to join
    circles = programs.get(name="Women in Technology Circles")
    assert not Participant.objects.filter(
        program=circles, user__email="mentee@northwind.example"
    ).exists()
    # Globex is a separate tenant with its own programme
    globex = Organization.objects.get(slug="globex")
    assert list(Program.objects.filter(organization=globex).values_list("name", flat=True)) == [
        "Graduate Buddies"
    ]


def test_seed_has_relationships_in_every_stage(db):
    # when
    seed()
    # then the leadership programme has pairs from new to completed
    from tandem.meetings.models import Meeting
    from tandem.relationships.models import Relationship
    from tandem.workspace.selectors import relationship_signals

    relationships = list(
        Relationship.objects.filter(program__name="Leadership Accelerator")
        .select_related("mentor__user", "mentee__user")
        .order_by("pk")
    )
    assert sorted(r.status for r in relationships) == sorted(
        [
            "completed",
            "active",
            "active",
            "active",
            "active",
            "paused",
            "ended",
            "proposed",
            "active",
        ]
    )
    signals = {
        row.relationship.mentee.user.email: row
        for row in relationship_signals(relationships=relationships)
    }
    # the named pair is new: nothing done yet, so the walkthrough starts from the beginning
    named = signals["mentee@northwind.example"]
    assert named.relationship.mentor.user.email == "mentor@northwind.example"
    assert (named.relationship.status, named.meetings_held, named.agreement_signed) == (
        "active",
        0,
        False,
    )
    # mid-way pairs have a signed agreement, goals in progress and a next meeting
    midway = [row for row in signals.values() if row.next_meeting_at is not None]
    assert len(midway) == 2
    assert all(row.agreement_signed and row.meetings_held >= 4 for row in midway)
    assert all(0 < (row.goal_progress or 0) < 100 for row in midway)
    # two active pairs have not met for six weeks
    assert sum(row.is_at_risk for row in signals.values()) == 2
    # the named mentor's home shows a completed pair too
    assert Relationship.objects.filter(
        mentor__user__email="mentor@northwind.example", status="completed"
    ).exists()
    assert Meeting.objects.filter(relationship__program__name="Leadership Accelerator").count() > 20
