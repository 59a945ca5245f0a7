"""Single sign-on: an organisation's identity providers and the identities they vouch for.

Each organisation may connect several providers (decision record 0014). The client secret is
encrypted at rest (`tandem.core.encryption`) and never shown again once saved.
"""

from django.db import models
from django.db.models import Q

from tandem.accounts.models import Organization, Role, User
from tandem.core.encryption import EncryptedTextField
from tandem.core.models import TimeStampedModel


class ProviderKind(models.TextChoices):
    OIDC = "oidc", "OpenID Connect"


class IdentityProvider(TimeStampedModel):
    """An organisation's OpenID Connect provider (Okta, Entra ID, Google Workspace, ...)."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="identity_providers"
    )
    kind = models.CharField(max_length=10, choices=ProviderKind.choices, default=ProviderKind.OIDC)
    # Shown on the sign-in button: "Continue with {display_name}".
    display_name = models.CharField(max_length=100)
    # Lower-case domains ("northwind.example"); a domain belongs to one provider installation-wide
    # (checked by the service: JSON lists cannot carry a unique constraint on both databases).
    email_domains = models.JSONField(default=list)
    issuer = models.CharField(max_length=500)
    client_id = models.CharField(max_length=255)
    client_secret = EncryptedTextField()
    # Claim mapping: which claim carries the role, and which claim values give which role.
    role_claim = models.CharField(max_length=100, blank=True)
    role_values = models.JSONField(default=dict, blank=True)
    default_role = models.CharField(max_length=20, choices=Role.choices, default=Role.MEMBER)
    department_claim = models.CharField(max_length=100, default="department", blank=True)
    job_title_claim = models.CharField(max_length=100, default="job_title", blank=True)
    is_enabled = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["organization", "display_name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "issuer", "client_id"], name="sso_provider_unique_client"
            ),
            models.CheckConstraint(
                condition=Q(default_role__in=[r.value for r in Role]),
                name="sso_provider_default_role_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name


class ExternalIdentity(TimeStampedModel):
    """A person as a provider knows them (its `sub`), linked to their Tandem account: once
    linked, later sign-ins match on the subject, not on an email that may change."""

    provider = models.ForeignKey(
        IdentityProvider, on_delete=models.CASCADE, related_name="identities"
    )
    subject = models.CharField(max_length=255)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="external_identities")
    last_sign_in_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "subject"], name="sso_identity_unique_subject"
            ),
            models.UniqueConstraint(fields=["provider", "user"], name="sso_identity_unique_user"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} at {self.provider}"
