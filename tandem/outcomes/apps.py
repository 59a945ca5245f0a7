from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "tandem.outcomes"
    verbose_name = "Outcomes and ROI"

    def ready(self) -> None:
        from tandem.audit.registry import audit_model
        from tandem.core.periodic import Period, register_periodic_job
        from tandem.outcomes.models import OutcomesSettings

        # Who besides the organisation's admins sees outcomes: an audited setting.
        audit_model(
            OutcomesSettings,
            fields=["managers_see_outcomes"],
            organization=lambda row: row.organization_id,
        )
        # Hourly, like analytics' summaries: the outcomes report reads these summaries and
        # says when they were refreshed; an import refreshes its organisation's at once.
        register_periodic_job(
            name="outcomes_summary_refresh",
            period=Period.HOURLY,
            task="tandem.outcomes.tasks.outcomes_summary_refresh_task",
        )
