"""Background entry points for self-matching. Idempotent: running one twice does no harm."""

from django_tasks import task

from tandem.matching.requests.services import match_request_expire_lapsed


@task()
def match_requests_expire_task() -> int:
    """Mark the requests past their expiry as expired (a scheduler runs it, e.g. hourly)."""
    return match_request_expire_lapsed()
