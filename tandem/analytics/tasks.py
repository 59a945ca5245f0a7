"""Background entry points for analytics. Idempotent: running one twice does no harm."""

from django_tasks import task

from tandem.analytics.services import analytics_refresh


@task()
def analytics_refresh_task() -> int:
    """Refresh every programme's summaries: the funnel and the weekly activity (a scheduler
    runs it, e.g. every 15 minutes)."""
    return analytics_refresh()
