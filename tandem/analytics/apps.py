import datetime

from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "tandem.analytics"

    def ready(self) -> None:
        from tandem.core.periodic import Period, register_periodic_job

        # Hourly (decision record 0009): the dashboards say when the summaries were refreshed,
        # and a figure an hour old is what a manager expects of "today"; the refresh is a fixed
        # number of set-based statements, cheap next to health's.
        register_periodic_job(
            name="analytics_refresh",
            period=Period.HOURLY,
            task="tandem.analytics.tasks.analytics_refresh_task",
        )
        # The month that just closed, in the first days of the next one; a scheduler that was
        # down longer skips that month rather than send it late.
        register_periodic_job(
            name="monthly_report",
            period=Period.MONTHLY,
            task="tandem.analytics.tasks.monthly_report_send_task",
            within=datetime.timedelta(days=3),
        )
