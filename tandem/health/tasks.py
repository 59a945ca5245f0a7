"""Background entry points for relationship health. Idempotent: running one twice only
recomputes the same scores."""

from django.utils import timezone
from django_tasks import task

from tandem.health.services import health_refresh


@task()
def health_refresh_task(period_start: str = "") -> int:
    """Score every open relationship and store the snapshot: the hourly periodic job
    (registered in `HealthConfig.ready`, enqueued by the scheduler, run by a worker, so its
    minutes at 100,000 pairs never hold the scheduler's lease). `period_start` is the hour it
    was enqueued for; the scores are as of when it runs. Returns how many were scored."""
    return health_refresh(now=timezone.now())
