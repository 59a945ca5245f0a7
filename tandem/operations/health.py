"""What a load balancer asks: is this instance able to serve?

Four checks, each a yes or no: the database answers; the cache keeps a value; the task queue is
reachable (Redis when REDIS_URL is set, else the database backend's table); the scheduler holds
a fresh lease (`nudges.run_scheduler`). The answer names each check and nothing else: why a
check failed goes to the log (with the request id), never into the body.
"""

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tandem.nudges.selectors import scheduler_lease_expires_at

logger = logging.getLogger(__name__)

OK = "ok"
FAIL = "fail"


@dataclass(frozen=True)
class Report:
    checks: dict[str, str]

    @property
    def healthy(self) -> bool:
        return all(result == OK for result in self.checks.values())

    def as_json(self) -> dict[str, object]:
        return {"status": OK if self.healthy else FAIL, "checks": self.checks}


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        if cursor.fetchone() != (1,):
            raise RuntimeError("the database did not answer SELECT 1")


def check_cache() -> None:
    key = f"tandem:health:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=10)
    try:
        if cache.get(key) != "1":
            raise RuntimeError("the cache did not keep a value")
    finally:
        cache.delete(key)


def check_queue() -> None:
    """Redis answers PING (REDIS_URL set), or the database backend's table can be read."""
    if settings.REDIS_URL:
        timeout = settings.HEALTH_CHECK_TIMEOUT_SECONDS
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=timeout, socket_timeout=timeout
        )
        try:
            if not client.ping():
                raise RuntimeError("Redis did not answer PING")
        finally:
            client.close()
        return
    backend = settings.TASKS["default"]["BACKEND"]
    if backend == "django_tasks_db.DatabaseBackend":
        DBTaskResult.objects.order_by().values_list("pk").first()


def check_scheduler(*, now: datetime | None = None) -> None:
    """The lease is held, or ran out less than HEALTH_SCHEDULER_GRACE_SECONDS ago (a run that
    takes longer than its interval renews late)."""
    now = now or timezone.now()
    expires_at = scheduler_lease_expires_at()
    if expires_at is None:
        raise RuntimeError("no scheduler has ever taken the lease")
    overdue = now - expires_at
    if overdue > timedelta(seconds=settings.HEALTH_SCHEDULER_GRACE_SECONDS):
        raise RuntimeError(f"the scheduler's lease ran out {overdue} ago")


CHECKS: dict[str, Callable[[], None]] = {
    "database": check_database,
    "cache": check_cache,
    "queue": check_queue,
    "scheduler": check_scheduler,
}


def readiness() -> Report:
    """Every check, each on its own: one failing does not hide another. The scheduler's is
    skipped when HEALTH_CHECK_SCHEDULER is off (an instance that runs no scheduler anywhere)."""
    checks: dict[str, str] = {}
    for name, check in CHECKS.items():
        if name == "scheduler" and not settings.HEALTH_CHECK_SCHEDULER:
            continue
        try:
            check()
        except Exception:
            logger.warning("health check %s failed", name, exc_info=True)
            checks[name] = FAIL
        else:
            checks[name] = OK
    return Report(checks=checks)
