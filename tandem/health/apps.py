from django.apps import AppConfig


class HealthConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "tandem.health"
    verbose_name = "Relationship health"

    def ready(self) -> None:
        from tandem.core.periodic import Period, register_periodic_job

        # Hourly: the lists say how fresh the scores are, the digest and the escalation read
        # them. A worker runs it (40 s to 2.5 min at 100,000 pairs), never the scheduler.
        register_periodic_job(
            name="health_refresh",
            period=Period.HOURLY,
            task="tandem.health.tasks.health_refresh_task",
        )
