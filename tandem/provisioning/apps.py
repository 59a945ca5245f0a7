from django.apps import AppConfig


class ProvisioningConfig(AppConfig):
    name = "tandem.provisioning"
    label = "provisioning"

    def ready(self) -> None:
        from tandem.core.periodic import Period, register_periodic_job

        # HR systems export nightly or hourly at most; an hour's delay is what they expect.
        register_periodic_job(
            name="hr_sync_folder",
            period=Period.HOURLY,
            task="tandem.provisioning.tasks.hr_sync_folder_task",
        )
