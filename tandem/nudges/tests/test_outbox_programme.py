"""Every nudge's email is dressed in the programme it is about: nudges hands the outbox each
programme's id, name and colour (one query for all of them), as they are when it evaluates."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tandem.accounts.tests.factories import UserFactory
from tandem.notifications.models import OutboxMessage
from tandem.nudges.services import nudges_evaluate
from tandem.participants.models import ParticipantRole
from tandem.participants.tests.factories import ParticipantFactory
from tandem.programs.models import Program
from tandem.programs.tests.factories import ProgramFactory
from tandem.relationships.models import Relationship, RelationshipStatus


def _programme_with_quiet_pairs(*, name, colour, pairs, now):
    manager = UserFactory(role="program_manager")
    program = ProgramFactory(
        organization=manager.organization, managers=[manager], name=name, colour=colour
    )
    started = now - datetime.timedelta(weeks=7)
    for _ in range(pairs):
        mentor = ParticipantFactory(program=program, role=ParticipantRole.MENTOR, capacity=1)
        mentee = ParticipantFactory(program=program, user__organization=manager.organization)
        Relationship.objects.create(
            program=program,
            mentor=mentor,
            mentee=mentee,
            status=RelationshipStatus.ACTIVE,
            source="manual",
            started_on=started.date(),
            planned_end_on=(now + datetime.timedelta(days=10)).date(),
            activated_at=started,
            last_activity_at=started,
        )
    return program


def test_each_nudge_row_carries_the_programme_it_is_about(db):
    # given three programmes, each with its own name and colour and quiet pairs
    now = timezone.now()
    programs = [
        _programme_with_quiet_pairs(name=name, colour=colour, pairs=pairs, now=now)
        for name, colour, pairs in [
            ("Leadership cohort", "#1a7f37", 2),
            ("Reverse mentoring", "#aa3300", 1),
            ("New joiners", "#0d6efd", 3),
        ]
    ]
    # when
    report = nudges_evaluate(now=now)
    # then every row is dressed as its programme is, and every programme was nudged
    looks = {program.pk: (program.name, program.colour) for program in programs}
    rows = list(OutboxMessage.objects.values_list("program_id", "program_name", "program_colour"))
    assert report.total_enqueued > 0
    assert {row[0] for row in rows} == set(looks)
    assert all((name, colour) == looks[program_id] for program_id, name, colour in rows)


def test_the_programmes_are_read_in_one_query_per_rule_whatever_their_number(db):
    # given one programme, then five more, each with a quiet pair
    now = timezone.now()
    _programme_with_quiet_pairs(name="First", colour="#111111", pairs=1, now=now)

    def programme_reads():
        with CaptureQueriesContext(connection) as queries:
            nudges_evaluate(now=now)
        table = Program._meta.db_table
        return sum(
            1
            for query in queries
            if query["sql"].lstrip().upper().startswith("SELECT")
            and f'FROM "{table}"' in query["sql"]
        )

    few = programme_reads()
    OutboxMessage.objects.all().delete()
    for index in range(5):
        _programme_with_quiet_pairs(name=f"More {index}", colour="#222222", pairs=1, now=now)
    # when
    many = programme_reads()
    # then
    assert many == few
