"""Background entry points for analytics. Idempotent: running one twice does no harm."""

from django_tasks import task

from tandem.analytics.services import analytics_refresh


@task()
def analytics_refresh_task(period_start: str = "") -> int:
    """Refresh every programme's summaries (the funnel and the weekly activity): the hourly
    periodic job (registered in `AnalyticsConfig.ready`), and `analytics_refresh --enqueue`.
    `period_start` is the hour it was enqueued for; the summaries are as of when it runs."""
    return analytics_refresh()
