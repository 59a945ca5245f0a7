"""Periodic jobs: one registry, one owner for "is it due".

Apps register their jobs in their `AppConfig.ready()` with a name, a period and the dotted path
of a django-tasks task (`register_periodic_job`). Core knows no domain: it holds strings and
imports a task only when it enqueues it. The scheduler (`manage.py run_scheduler`) calls
`periodic_jobs_enqueue_due` every minute; for each job whose current period has no
`PeriodicRun` row yet it writes that row and enqueues the task once the row commits. The row's
unique (job, period_start) is the guarantee: two schedulers at once, or a scheduler restarted
within the period, enqueue a job once per period, never twice. A job runs on a worker (the
database backend's `db_worker`, or RQ when `REDIS_URL` is set), so however long it takes it
never holds the scheduler's lease.

Every periodic task takes one keyword argument, `period_start` (ISO 8601), the start of the
period it was enqueued for, so a job that reports on a period knows which one whenever the
worker runs it.
"""

import datetime
import enum
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from tandem.core.models import PeriodicRun

logger = logging.getLogger(__name__)


class Period(enum.StrEnum):
    """How often a job runs: once in each hour, day or calendar month (in `TIME_ZONE`)."""

    HOURLY = "hourly"
    DAILY = "daily"
    MONTHLY = "monthly"


def period_start(period: Period, now: datetime.datetime) -> datetime.datetime:
    """The start of the period `now` falls in, aware, in the project's time zone."""
    local = timezone.localtime(now)
    if period is Period.HOURLY:
        return local.replace(minute=0, second=0, microsecond=0)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    if period is Period.DAILY:
        return midnight
    return midnight.replace(day=1)


@dataclass(frozen=True)
class PeriodicJob:
    """A job: its unique `name`, its `period`, the dotted path of its django-tasks `task`, and
    `within`: how long after the period starts it may still be enqueued (None: any time in
    the period). A scheduler that was down past `within` skips that period rather than, say,
    send a monthly report in the last week of the month."""

    name: str
    period: Period
    task: str
    within: datetime.timedelta | None = None


_REGISTRY: dict[str, PeriodicJob] = {}


def register_periodic_job(
    *, name: str, period: Period, task: str, within: datetime.timedelta | None = None
) -> PeriodicJob:
    """Register a job (from an `AppConfig.ready()`). Registering the same job again is a
    no-op (ready() may run twice in tests); another job under a taken name is a bug."""
    job = PeriodicJob(name=name, period=Period(period), task=task, within=within)
    if len(name) > PeriodicRun._meta.get_field("job").max_length:  # type: ignore[operator]
        raise ValueError(f"The periodic job name '{name}' is too long.")
    known = _REGISTRY.get(name)
    if known is not None and known != job:
        raise ValueError(f"Another periodic job is already registered as '{name}'.")
    _REGISTRY[name] = job
    return job


def periodic_jobs() -> tuple[PeriodicJob, ...]:
    """Every registered job, by name."""
    return tuple(_REGISTRY[name] for name in sorted(_REGISTRY))


def periodic_jobs_enqueue_due(
    *, now: datetime.datetime, jobs: tuple[PeriodicJob, ...] | None = None
) -> list[str]:
    """Enqueue every job (of `jobs`, default: the registry) not yet enqueued for its current
    period; returns the names enqueued by this call. One SELECT for the runs already written,
    then per due job one INSERT whose unique constraint decides between racing schedulers
    (the loser's INSERT fails and it enqueues nothing). The task is enqueued on commit."""
    jobs = periodic_jobs() if jobs is None else jobs
    due: dict[str, datetime.datetime] = {}
    for job in jobs:
        start = period_start(job.period, now)
        if job.within is None or now - start <= job.within:
            due[job.name] = start
    if not due:
        return []
    written = set(
        PeriodicRun.objects.filter(job__in=list(due), period_start__in=set(due.values()))
        .order_by()
        .values_list("job", "period_start")
    )
    enqueued = []
    by_name = {job.name: job for job in jobs}
    for name, start in due.items():
        if (name, start) in written:
            continue
        try:
            with transaction.atomic():
                PeriodicRun.objects.create(job=name, period_start=start)
                transaction.on_commit(_enqueuer(by_name[name], start))
        except IntegrityError:
            # Another scheduler wrote this period's row first: it enqueues, not us.
            continue
        enqueued.append(name)
    return enqueued


def _enqueuer(job: PeriodicJob, start: datetime.datetime) -> Callable[[], None]:
    def enqueue() -> None:
        task = import_string(job.task)
        result = task.enqueue(period_start=start.isoformat())
        PeriodicRun.objects.filter(job=job.name, period_start=start).update(task_id=str(result.id))
        logger.info("periodic job %s enqueued for %s (%s)", job.name, start.isoformat(), result.id)

    return enqueue
