from django.apps import AppConfig


class ProvisioningConfig(AppConfig):
    name = "tandem.provisioning"
    label = "provisioning"

    def ready(self) -> None:
        from tandem.audit.registry import audit_model
        from tandem.core.periodic import Period, register_periodic_job
        from tandem.provisioning.models import ScimToken

        # SCIM configuration is audited like the API tokens: a token made or revoked, by whom
        # (its name and prefix, never its digest).
        audit_model(
            ScimToken,
            fields=["name", "prefix", "revoked_at"],
            organization=lambda row: row.organization_id,
        )

        # HR systems export nightly or hourly at most; an hour's delay is what they expect.
        register_periodic_job(
            name="hr_sync_folder",
            period=Period.HOURLY,
            task="tandem.provisioning.tasks.hr_sync_folder_task",
        )
