from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "tandem.audit"
    label = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        from tandem.core.periodic import Period, register_periodic_job

        # Retention is counted in days: once a day is enough.
        register_periodic_job(
            name="audit_purge", period=Period.DAILY, task="tandem.audit.tasks.audit_purge_task"
        )
