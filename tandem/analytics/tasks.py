"""Background entry points for analytics. Idempotent: running one twice does no harm."""

import datetime

from django_tasks import task

from tandem.analytics.services import analytics_refresh


@task()
def analytics_refresh_task(period_start: str = "") -> int:
    """Refresh every programme's summaries (the funnel and the weekly activity): the hourly
    periodic job (registered in `AnalyticsConfig.ready`), and `analytics_refresh --enqueue`.
    `period_start` is the hour it was enqueued for; the summaries are as of when it runs."""
    return analytics_refresh()


@task()
def monthly_report_send_task(period_start: str) -> int:
    """Send the monthly programme report for the month before `period_start` (the start of a
    month, ISO 8601) to every opted-in manager and admin: the monthly periodic job. Exactly
    once per person and month whatever the number of runs. Returns how many were written."""
    from tandem.analytics.reports import monthly_reports_send

    return monthly_reports_send(month_end=datetime.datetime.fromisoformat(period_start))
