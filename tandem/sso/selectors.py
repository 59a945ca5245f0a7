"""Every read about single sign-on."""

from django.db.models import QuerySet

from tandem.accounts.models import Role, User
from tandem.accounts.selectors import organization_id_of
from tandem.sso.models import IdentityProvider, ProviderKind, SamlSession
from tandem.sso.permissions import require_sso_admin


def email_domain(email: str) -> str:
    """The lower-cased domain of an email address ("" when there is none)."""
    _, at, domain = email.strip().rpartition("@")
    return domain.lower() if at else ""


def identity_provider_for_email(email: str) -> IdentityProvider | None:
    """The enabled provider that signs in people of `email`'s domain, if any (the sign-in
    page's "Continue with SSO"). Domains are unique among providers (the service checks)."""
    domain = email_domain(email)
    if not domain:
        return None
    # Few providers exist per installation; the JSON list is matched in Python so the same
    # code runs on SQLite and PostgreSQL.
    for provider in IdentityProvider.objects.filter(is_enabled=True).select_related("organization"):
        if domain in provider.email_domains:
            return provider
    return None


def identity_provider_enabled_get(provider_id: int) -> IdentityProvider | None:
    """An enabled provider by id (the callback's), with its organisation."""
    return (
        IdentityProvider.objects.filter(pk=provider_id, is_enabled=True)
        .select_related("organization")
        .first()
    )


def saml_provider_get(*, provider_id: int) -> IdentityProvider | None:
    """A SAML provider by id, enabled or not (its logout messages may still end sessions)."""
    return IdentityProvider.objects.filter(pk=provider_id, kind=ProviderKind.SAML).first()


def saml_session_awaiting_sign_out(*, provider_id: int, saml_session_id: int) -> SamlSession | None:
    """A SAML-signed-in session that was ended in Tandem and whose LogoutRequest to the
    provider is not sent yet, with its provider."""
    return (
        SamlSession.objects.select_related("provider")
        .filter(
            pk=saml_session_id,
            provider_id=provider_id,
            provider__kind=ProviderKind.SAML,
            logout_request_id="",
        )
        .first()
    )


def identity_provider_list_for_admin(*, actor: User) -> QuerySet[IdentityProvider]:
    """The actor's organisation's providers, for its admin's page."""
    require_sso_admin(actor)
    return IdentityProvider.objects.filter(organization_id=organization_id_of(actor)).order_by(
        "display_name", "id"
    )


def break_glass_candidates(*, actor: User) -> QuerySet[User]:
    """The organisation's active admins, who may be its break-glass admin."""
    require_sso_admin(actor)
    return User.objects.filter(
        organization_id=organization_id_of(actor), role=Role.ORG_ADMIN, is_active=True
    ).order_by("last_name", "first_name", "email")
