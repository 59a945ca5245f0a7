from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from tandem.accounts.models import Organization, Role, User
from tandem.demo.seed import DEMO_PASSWORD, SEEDED, seed
from tandem.notifications.models import Notification, OutboxMessage, OutboxStatus
from tandem.notifications.services import notification_send
from tandem.nudges.services import nudges_evaluate
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
    assert [(p.name, p.format, p.status, p.colour) for p in programs] == [
        ("Leadership Accelerator", "one_to_one", ProgramStatus.PUBLISHED, "#6f42c1"),
        ("Reverse Mentoring: Digital Fluency", "reverse", ProgramStatus.PUBLISHED, "#198754"),
        ("Women in Technology Circles", "group", ProgramStatus.PUBLISHED, "#d63384"),
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


def test_seeding_sends_no_email_about_the_seeded_past(db):
    # given delivery left to a worker, as `make demo` does (its tasks wait in the database)
    deferred = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    with override_settings(TASKS=deferred):
        # when
        report = seed()
        # then no email waits to be sent: what the seed enqueued is skipped, in-app copies stay
        assert not OutboxMessage.objects.exclude(status=OutboxStatus.SKIPPED).exists()
        skipped = OutboxMessage.objects.filter(last_error=SEEDED)
        assert report.emails_skipped == skipped.count() > 200
        assert skipped.filter(rule="welcome").exists()  # the nudges due at the seed's end
        assert Notification.objects.filter(user__email="mentee@northwind.example").exists()
        # and the scheduler `make demo` starts finds nothing new that is due
        assert nudges_evaluate(now=timezone.now()).total_enqueued == 0
        # and what happens after the seed is emailed as usual
        mentee = User.objects.get(email="mentee@northwind.example")
        notification_send(recipients=[mentee], category="messages", subject="Hello", body="Hi")
        assert list(
            OutboxMessage.objects.filter(status=OutboxStatus.PENDING).values_list(
                "recipient__email", "subject"
            )
        ) == [("mentee@northwind.example", "Hello")]
