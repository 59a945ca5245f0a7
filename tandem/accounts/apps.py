from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "tandem.accounts"
    label = "accounts"

    def ready(self) -> None:
        from tandem.accounts.audit_context import connect_sign_in_receivers
        from tandem.accounts.models import ApiToken, Invitation, Organization, User
        from tandem.audit.registry import audit_model
        from tandem.core.periodic import Period, register_periodic_job

        connect_sign_in_receivers()
        # API tokens' use reaches the trail hourly, as one entry per token used (decision
        # record 0013), so a request never pays for an audit insert.
        register_periodic_job(
            name="api_token_use_audit",
            period=Period.HOURLY,
            task="tandem.accounts.tasks.api_token_use_audit_task",
        )
        # The administrative rows whose changes the audit trail keeps (django-auditlog): the
        # listed columns only. A password, a token's digest, a person's profile never.
        audit_model(
            Organization,
            fields=["name", "slug", "aggregate_min_group_size"],
            organization=lambda row: row.pk,
        )
        audit_model(
            User,
            fields=["email", "role", "is_active", "is_staff", "is_superuser", "organization"],
            organization=lambda row: row.organization_id,
        )
        audit_model(
            Invitation,
            fields=["email", "role", "status", "accepted_by"],
            organization=lambda row: row.organization_id,
        )
        audit_model(
            ApiToken,
            fields=["name", "revoked_at"],
            organization=lambda row: row.user.organization_id,
        )
