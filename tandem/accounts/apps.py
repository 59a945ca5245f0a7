from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "tandem.accounts"
    label = "accounts"

    def ready(self) -> None:
        from tandem.accounts.audit_context import connect_sign_in_receivers
        from tandem.accounts.models import ApiToken, Invitation, Organization, User
        from tandem.audit.registry import audit_model

        connect_sign_in_receivers()
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
