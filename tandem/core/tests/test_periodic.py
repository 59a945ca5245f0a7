"""core.periodic: a registered job is enqueued once per period, however many schedulers tick
and whenever they tick in the period; never twice, even when two race for the same period.

The jobs here are the tests' own (`record_task` below): the kernel knows no domain."""

import datetime
import inspect
import threading
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.module_loading import import_string
from django_tasks import task
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tandem.core.models import PeriodicRun
from tandem.core.periodic import (
    Period,
    PeriodicJob,
    period_start,
    periodic_jobs,
    periodic_jobs_enqueue_due,
    register_periodic_job,
)

RUNS: list[tuple[str, str]] = []
_RUNS_LOCK = threading.Lock()


def _record(name: str, period_start: str) -> None:
    with _RUNS_LOCK:
        RUNS.append((name, period_start))


@task()
def record_task(period_start: str) -> None:
    _record("record", period_start)


@task()
def hourly_task(period_start: str) -> None:
    _record("hourly", period_start)


@task()
def daily_task(period_start: str) -> None:
    _record("daily", period_start)


@task()
def monthly_task(period_start: str) -> None:
    _record("monthly", period_start)


HERE = "tandem.core.tests.test_periodic"
JOBS = (
    PeriodicJob(name="test_hourly", period=Period.HOURLY, task=f"{HERE}.hourly_task"),
    PeriodicJob(name="test_daily", period=Period.DAILY, task=f"{HERE}.daily_task"),
    PeriodicJob(
        name="test_monthly",
        period=Period.MONTHLY,
        task=f"{HERE}.monthly_task",
        within=datetime.timedelta(days=3),
    ),
)
START = datetime.datetime(2026, 12, 1, 0, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _no_runs_yet():
    RUNS.clear()
    yield
    RUNS.clear()


moments = st.datetimes(
    min_value=datetime.datetime(2000, 1, 1), max_value=datetime.datetime(2100, 1, 1)
).map(lambda moment: moment.replace(tzinfo=datetime.UTC))


# A shared machine: the property is tested, not the speed.
@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(now=moments, period=st.sampled_from(list(Period)))
def test_a_period_starts_at_or_before_now_on_its_boundary(now, period):
    # when
    start = period_start(period, now)
    # then: on the boundary, and the period holds `now`
    assert start <= now
    assert (start.minute, start.second, start.microsecond) == (0, 0, 0)
    if period is Period.HOURLY:
        assert now - start < datetime.timedelta(hours=1)
    else:
        assert start.hour == 0
    if period is Period.DAILY:
        assert start.date() == now.date()
    if period is Period.MONTHLY:
        assert (start.year, start.month, start.day) == (now.year, now.month, 1)


def test_every_registered_job_names_a_task_that_takes_the_period():
    # given: the apps' own jobs (registered in their AppConfig.ready)
    names = {job.name for job in periodic_jobs()}
    # then
    assert {"health_refresh", "analytics_refresh", "monthly_report"} <= names
    for job in periodic_jobs():
        assert "period_start" in inspect.signature(import_string(job.task).func).parameters


def test_registering_another_job_under_a_taken_name_is_refused():
    # given
    job = periodic_jobs()[0]
    # when / then: the same job again is fine, another one is a bug
    assert register_periodic_job(name=job.name, period=job.period, task=job.task) == job
    with pytest.raises(ValueError, match="already registered"):
        register_periodic_job(name=job.name, period=job.period, task=f"{HERE}.record_task")


@pytest.mark.parametrize(
    ("minutes_later", "expected"),
    [
        (0, set()),
        (59, set()),
        (60, {"test_hourly"}),
        (24 * 60 + 5, {"test_hourly", "test_daily"}),
        # the monthly job may be enqueued in its month's first three days only
        (3 * 24 * 60 + 1, {"test_hourly", "test_daily"}),
    ],
)
def test_each_job_is_enqueued_once_in_each_of_its_periods(
    db, django_capture_on_commit_callbacks, minutes_later, expected
):
    # given: a tick at the start of the month
    with django_capture_on_commit_callbacks(execute=True):
        first = periodic_jobs_enqueue_due(now=START, jobs=JOBS)
    assert set(first) == {"test_hourly", "test_daily", "test_monthly"}
    RUNS.clear()
    # when: a tick later on
    with django_capture_on_commit_callbacks(execute=True):
        later = periodic_jobs_enqueue_due(
            now=START + datetime.timedelta(minutes=minutes_later), jobs=JOBS
        )
    # then: only the jobs whose period turned, each once, told their period
    assert set(later) == expected
    assert sorted(name for name, _ in RUNS) == sorted(name[len("test_") :] for name in expected)
    for name, start in RUNS:
        job = next(job for job in JOBS if job.name == f"test_{name}")
        now = START + datetime.timedelta(minutes=minutes_later)
        assert start == period_start(job.period, now).isoformat()
    assert PeriodicRun.objects.filter(task_id="").count() == 0


def test_a_monthly_job_whose_window_passed_is_not_enqueued_that_month(
    db, django_capture_on_commit_callbacks
):
    # given: the scheduler first ticks on the 20th
    now = START + datetime.timedelta(days=19)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        enqueued = periodic_jobs_enqueue_due(now=now, jobs=JOBS)
    # then
    assert "test_monthly" not in enqueued
    assert not PeriodicRun.objects.filter(job="test_monthly").exists()


def test_nothing_due_costs_one_query(db, django_capture_on_commit_callbacks):
    # given
    with django_capture_on_commit_callbacks(execute=True):
        periodic_jobs_enqueue_due(now=START, jobs=JOBS)
    # when
    with CaptureQueriesContext(connection) as queries:
        enqueued = periodic_jobs_enqueue_due(now=START + datetime.timedelta(minutes=30), jobs=JOBS)
    # then
    assert enqueued == []
    assert len(queries) == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("schedulers", [2, 4])
def test_concurrent_schedulers_enqueue_each_job_once_per_period(django_db_setup, schedulers):
    # given: several schedulers ticking at the same moment (threads with their own connections
    # on PostgreSQL, all released at once; one after the other on SQLite, one writer at a time)
    errors: list[BaseException] = []
    won: list[str] = []
    barrier = threading.Barrier(schedulers)

    def tick(now: datetime.datetime) -> None:
        try:
            barrier.wait(timeout=10)
            won.extend(periodic_jobs_enqueue_due(now=now, jobs=JOBS))
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    for minute in (0, 1, 61):
        now = START + datetime.timedelta(minutes=minute)
        # when
        if connection.vendor == "postgresql":
            threads = [threading.Thread(target=tick, args=(now,)) for _ in range(schedulers)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        else:
            barrier = threading.Barrier(1)
            for _ in range(schedulers):
                tick(now)
    # then: each job ran once per period it was due in (the hourly one twice: 00:00, 01:00)
    assert errors == []
    expected = Counter({"test_hourly": 2, "test_daily": 1, "test_monthly": 1})
    assert Counter(won) == expected
    assert Counter(name for name, _ in RUNS) == Counter({"hourly": 2, "daily": 1, "monthly": 1})
    assert Counter(PeriodicRun.objects.values_list("job", flat=True)) == expected
