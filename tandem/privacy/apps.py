from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "tandem.privacy"
    label = "privacy"
    verbose_name = "Personal data rights"

    def ready(self) -> None:
        from tandem.core.periodic import Period, register_periodic_job

        # Exports expire after days: an hourly sweep deletes a file within the hour it expires.
        register_periodic_job(
            name="data_exports_expire",
            period=Period.HOURLY,
            task="tandem.privacy.tasks.data_exports_expire_task",
        )
        # An export whose enqueue failed (the queue down) is enqueued again: exports are
        # asked for rarely, and the requester asking again kicks it sooner.
        register_periodic_job(
            name="data_exports_recover",
            period=Period.HOURLY,
            task="tandem.privacy.tasks.data_exports_recover_task",
        )
        # An erasure is due days after it is asked for; within the hour is soon enough.
        register_periodic_job(
            name="erasures_execute",
            period=Period.HOURLY,
            task="tandem.privacy.tasks.erasures_execute_task",
        )
        # Retention counts in months: once a day is more than precise enough.
        register_periodic_job(
            name="retention_apply",
            period=Period.DAILY,
            task="tandem.privacy.tasks.retention_apply_task",
        )
