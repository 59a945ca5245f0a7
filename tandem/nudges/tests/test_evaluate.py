"""nudges_evaluate: writes each due nudge to the outbox once, in a number of queries that does
not depend on the number of relationships; the scheduler command and its lease."""

import datetime
import re
import threading

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tandem.accounts.tests.factories import UserFactory
from tandem.notifications.models import Notification, OutboxMessage
from tandem.nudges.models import SchedulerLease
from tandem.nudges.rules import RULES
from tandem.nudges.services import (
    nudges_evaluate,
    scheduler_lease_release,
    scheduler_lease_take,
)
from tandem.nudges.tests.conftest import configure
from tandem.participants.models import ParticipantRole
from tandem.participants.tests.factories import ParticipantFactory
from tandem.programs.models import Program
from tandem.programs.tests.factories import ProgramFactory
from tandem.relationships.models import Relationship, RelationshipStatus


def _programme_with_pairs(count: int, *, now: datetime.datetime) -> None:
    """`count` active pairs in one programme (with a manager), all in the same state: started
    four weeks ago, quiet for seven weeks, ending in ten days, with a journey."""
    manager = UserFactory(role="program_manager")
    program = ProgramFactory(organization=manager.organization, managers=[manager])
    started = now - datetime.timedelta(weeks=7)
    for _ in range(count):
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


def _count_queries(now: datetime.datetime) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        report = nudges_evaluate(now=now)
    return len(queries), report.total_enqueued


@pytest.mark.django_db
def test_query_count_does_not_depend_on_the_number_of_relationships(monkeypatch):
    # given: the same shapes with 10 and with 200 pairs, each evaluated in a fresh database state.
    # Django assumes SQLite's old limit of 999 parameters a statement and splits bulk inserts
    # by it; this SQLite (3.32+) allows 32,766, as PostgreSQL allows 65,535.
    if connection.vendor == "sqlite":
        monkeypatch.setattr(connection.features, "max_query_params", 32766)
    now = timezone.now()
    _programme_with_pairs(10, now=now)
    small, small_enqueued = _count_queries(now)
    OutboxMessage.objects.all().delete()
    Notification.objects.all().delete()
    Program.objects.all().delete()
    _programme_with_pairs(200, now=now)
    # when
    large, large_enqueued = _count_queries(now)
    # then: the same number of queries; twenty times the pairs' nudges (plus one digest each)
    assert small == large
    assert large_enqueued - 1 == 20 * (small_enqueued - 1) > 0


def test_evaluating_twice_enqueues_nothing_twice(pair):
    # given
    Relationship.objects.filter(pk=pair.relationship.pk).update(
        last_activity_at=timezone.now() - datetime.timedelta(weeks=4)
    )
    now = timezone.now() + datetime.timedelta(days=8)
    ours = OutboxMessage.objects.filter(rule__in=[rule.name for rule in RULES])
    # when
    first = nudges_evaluate(now=now)
    rows = sorted(ours.values_list("key", flat=True))
    second = nudges_evaluate(now=now)
    # then
    assert first.total_enqueued == len(rows) > 0
    assert second.total_due == first.total_due
    assert second.total_enqueued == 0
    assert sorted(ours.values_list("key", flat=True)) == rows
    assert len(rows) == len(set(rows))
    assert first.enqueued["inactivity"] == 2
    assert first.enqueued["agreement_unsigned"] == 4


def test_a_disabled_rule_enqueues_nothing(pair):
    # given
    configure(pair.cast, "agreement_unsigned", enabled=False)
    # when
    report = nudges_evaluate(now=timezone.now() + datetime.timedelta(days=8))
    # then
    assert report.due["agreement_unsigned"] == 0
    assert not OutboxMessage.objects.filter(rule="agreement_unsigned").exists()


@pytest.mark.django_db(transaction=True)
def test_two_schedulers_at_once_enqueue_nothing_twice(django_db_setup):
    # given
    now = timezone.now()
    _programme_with_pairs(5, now=now)
    errors: list[BaseException] = []

    def evaluate() -> None:
        try:
            nudges_evaluate(now=now)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    # when: two threads on PostgreSQL; one after the other on SQLite (one writer at a time)
    if connection.vendor == "postgresql":
        threads = [threading.Thread(target=evaluate) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    else:
        evaluate()
        evaluate()
    # then
    keys = list(OutboxMessage.objects.values_list("key", flat=True))
    assert errors == []
    assert len(keys) == len(set(keys)) > 0


@pytest.mark.django_db(transaction=True)
def test_overlapped_writing_enqueues_what_writing_in_line_does(django_db_setup):
    # given two evaluations of the same state: in line, then (outbox emptied) overlapped,
    # where a writer thread on its own connection writes while the next rule is evaluated
    # (on PostgreSQL; SQLite writes in line either way)
    now = timezone.now()
    _programme_with_pairs(6, now=now)
    in_line = nudges_evaluate(now=now)
    keys = sorted(OutboxMessage.objects.values_list("key", flat=True))
    copies = Notification.objects.count()
    OutboxMessage.objects.all().delete()
    Notification.objects.all().delete()
    # when
    overlapped = nudges_evaluate(now=now, overlap=True)
    again = nudges_evaluate(now=now, overlap=True)
    # then
    assert overlapped.enqueued == in_line.enqueued
    assert overlapped.total_enqueued > 0
    assert sorted(OutboxMessage.objects.values_list("key", flat=True)) == keys
    assert Notification.objects.count() == copies
    assert again.total_enqueued == 0
    assert again.due == overlapped.due


def test_the_lease_goes_to_one_holder_at_a_time(db):
    # given
    now = timezone.now()
    # when / then
    assert scheduler_lease_take(holder="a", now=now, seconds=120) is True
    assert scheduler_lease_take(holder="b", now=now, seconds=120) is False
    assert scheduler_lease_take(holder="a", now=now + datetime.timedelta(seconds=60), seconds=120)
    assert scheduler_lease_take(holder="b", now=now + datetime.timedelta(seconds=200), seconds=120)
    scheduler_lease_release(holder="b", now=now + datetime.timedelta(seconds=201))
    assert scheduler_lease_take(holder="a", now=now + datetime.timedelta(seconds=202), seconds=1)
    assert SchedulerLease.objects.get().holder == "a"


def test_run_scheduler_once_enqueues_and_releases_the_lease(pair, capsys):
    # given
    Relationship.objects.filter(pk=pair.relationship.pk).update(
        last_activity_at=timezone.now() - datetime.timedelta(weeks=4)
    )
    # when
    call_command("run_scheduler", "--once")
    # then
    assert OutboxMessage.objects.filter(rule="inactivity").count() == 2
    out = capsys.readouterr().out
    first = re.search(
        r"reminders: (\d+) due, (\d+) new to send \((\d+) sent on an earlier run\) \[(.*?)\]", out
    )
    assert first is not None, out
    due, new, earlier = (int(first[i]) for i in (1, 2, 3))
    assert (due, new, earlier) == (new, new, 0)
    assert "inactivity 2" in first[4].split(", ")
    # and the next run says the same reminders are not sent again
    call_command("run_scheduler", "--once")
    second = capsys.readouterr().out
    assert f"reminders: {due} due, 0 new to send ({due} sent on an earlier run);" in second
    lease = SchedulerLease.objects.get()
    assert lease.expires_at <= timezone.now()


def test_run_scheduler_skips_while_another_host_holds_the_lease(pair, capsys):
    # given
    scheduler_lease_take(holder="elsewhere", now=timezone.now(), seconds=600)
    before = OutboxMessage.objects.count()
    # when
    call_command("run_scheduler", "--once")
    # then
    assert OutboxMessage.objects.count() == before
    assert "another scheduler holds the lease; this one waits its turn" in capsys.readouterr().out
