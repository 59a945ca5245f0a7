"""Every write of single sign-on: providers (org admins), the organisation's "require SSO",
and the sign-in itself (linking or creating the account the provider vouches for)."""

import datetime
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from tandem.accounts.models import Organization, Role, User
from tandem.accounts.selectors import organization_id_of
from tandem.accounts.services import user_role_from_sign_in
from tandem.audit import events as audit_events
from tandem.audit.services import audit_record
from tandem.core.errors import FieldError, InvalidInput, NotFound
from tandem.people.services import UNSET, profile_update
from tandem.sso import saml
from tandem.sso.models import (
    ExternalIdentity,
    IdentityProvider,
    ProviderKind,
    SamlAssertionUse,
    SamlSession,
)
from tandem.sso.oidc import issuer_errors
from tandem.sso.permissions import identity_provider_access, require_sso_admin
from tandem.sso.saml_metadata import metadata_fetch
from tandem.sso.selectors import email_domain

_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_CLAIM = re.compile(r"^[A-Za-z0-9_.:/-]{0,100}$")
PROFILE_TEXT_MAX = 150


@dataclass(frozen=True)
class ProviderSettings:
    """What an admin types for a provider. `client_secret` None keeps the saved secret.
    OpenID Connect uses issuer, client id and secret; SAML the identity provider's metadata
    (pasted or uploaded XML, or a URL Tandem fetches), from which its entity id is read."""

    display_name: str
    email_domains: Sequence[str]
    issuer: str = ""
    client_id: str = ""
    client_secret: str | None = None
    kind: str = ProviderKind.OIDC
    idp_metadata: str = ""
    idp_metadata_url: str = ""
    asserts_verified_emails: bool = False
    role_claim: str = ""
    role_values: Mapping[str, str] | None = None
    default_role: str = Role.MEMBER
    department_claim: str = "department"
    job_title_claim: str = "job_title"


def _settings_errors(values: ProviderSettings, *, provider_id: int | None) -> list[FieldError]:
    errors: list[FieldError] = []
    if not values.display_name.strip() or "\n" in values.display_name:
        errors.append(FieldError("display_name", "Give the provider a name on one line."))
    domains = [d.strip().lower() for d in values.email_domains if d.strip()]
    if not domains:
        errors.append(FieldError("email_domains", "List at least one email domain."))
    for domain in domains:
        if not _DOMAIN.match(domain):
            errors.append(FieldError("email_domains", f"{domain!r} is not a domain name."))
    taken = IdentityProvider.objects.exclude(pk=provider_id or 0).values_list(
        "email_domains", flat=True
    )
    used = {d for row in taken for d in row}
    for domain in domains:
        if domain in used:
            errors.append(
                FieldError("email_domains", f"{domain} already signs in through another provider.")
            )
    if values.kind == ProviderKind.SAML:
        pass  # the metadata is checked by _saml_metadata, which reads it
    elif values.kind == ProviderKind.OIDC:
        errors += [
            FieldError("issuer", message) for message in issuer_errors(values.issuer.strip())
        ]
        if not values.client_id.strip():
            errors.append(FieldError("client_id", "Paste the client id the provider gave you."))
        if provider_id is None and not values.client_secret:
            errors.append(
                FieldError("client_secret", "Paste the client secret the provider gave you.")
            )
    else:
        errors.append(FieldError("kind", "Choose OpenID Connect or SAML 2.0."))
    for name in ("role_claim", "department_claim", "job_title_claim"):
        if not _CLAIM.match(getattr(values, name)):
            errors.append(FieldError(name, "A claim name is letters, digits and _ . : / -."))
    roles = {r.value for r in Role}
    if values.default_role not in roles:
        errors.append(FieldError("default_role", "Choose one of Tandem's roles."))
    for claim_value, role in (values.role_values or {}).items():
        if role not in roles:
            errors.append(
                FieldError("role_values", f"{claim_value!r} maps to {role!r}, not a role.")
            )
    return errors


def _saml_metadata(
    values: ProviderSettings, *, organization_id: int, provider_id: int | None
) -> tuple[str, saml.IdentityProviderMetadata | None, list[FieldError]]:
    """The SAML provider's metadata XML (pasted, or fetched from its URL), what it says, and
    why it cannot be used."""
    xml, url = values.idp_metadata.strip(), values.idp_metadata_url.strip()
    if not xml and not url:
        return (
            "",
            None,
            [FieldError("idp_metadata", "Upload the provider's metadata or give its URL.")],
        )
    if not xml:
        try:
            xml = metadata_fetch(url, allow_http=settings.SSO_ALLOW_HTTP_ISSUERS)
        except ValueError as error:
            return "", None, [FieldError("idp_metadata_url", str(error))]
    try:
        metadata = saml.idp_metadata_read(xml)
    except ValueError as error:
        field = "idp_metadata" if values.idp_metadata.strip() else "idp_metadata_url"
        return "", None, [FieldError(field, str(error))]
    if (
        IdentityProvider.objects.filter(organization_id=organization_id, issuer=metadata.entity_id)
        .exclude(pk=provider_id or 0)
        .exists()
    ):
        return "", None, [FieldError("idp_metadata", f"{metadata.entity_id} is already connected.")]
    return xml, metadata, []


def _audit_provider(actor: User, provider: IdentityProvider, change: str) -> None:
    # Never the secret: only that it changed.
    audit_record(
        actor=actor,
        event=audit_events.IDENTITY_PROVIDER_CHANGED,
        organization_id=provider.organization_id,
        target=provider,
        data={
            "change": change,
            "provider": provider.display_name,
            "issuer": provider.issuer,
            "email_domains": list(provider.email_domains),
            "enabled": provider.is_enabled,
        },
    )


def _apply(
    provider: IdentityProvider,
    values: ProviderSettings,
    metadata: tuple[str, saml.IdentityProviderMetadata | None],
) -> None:
    provider.display_name = values.display_name.strip()
    provider.email_domains = sorted({d.strip().lower() for d in values.email_domains if d.strip()})
    provider.kind = values.kind
    xml, saml_metadata = metadata
    if saml_metadata is not None:
        provider.issuer = saml_metadata.entity_id
        provider.client_id = ""
        provider.idp_metadata = xml
        provider.idp_metadata_url = values.idp_metadata_url.strip()
        provider.asserts_verified_emails = values.asserts_verified_emails
        if not provider.sp_private_key:
            provider.sp_private_key, provider.sp_certificate = saml.key_pair(
                f"Tandem {provider.display_name}"
            )
    else:
        provider.issuer = values.issuer.strip()
        provider.client_id = values.client_id.strip()
        provider.asserts_verified_emails = False
    if values.client_secret and values.kind == ProviderKind.OIDC:
        provider.client_secret = values.client_secret
    provider.role_claim = values.role_claim.strip()
    provider.role_values = dict(values.role_values or {})
    provider.default_role = values.default_role
    provider.department_claim = values.department_claim.strip()
    provider.job_title_claim = values.job_title_claim.strip()


@transaction.atomic
def identity_provider_create(*, actor: User, values: ProviderSettings) -> IdentityProvider:
    """Connect an identity provider (OpenID Connect, or SAML 2.0 with a new key pair for
    Tandem's side) to the actor's organisation, enabled at once."""
    require_sso_admin(actor)
    organization_id = organization_id_of(actor)
    assert organization_id is not None  # noqa: S101 (require_sso_admin checked it)
    errors = _settings_errors(values, provider_id=None)
    metadata: tuple[str, saml.IdentityProviderMetadata | None] = ("", None)
    if values.kind == ProviderKind.SAML:
        xml, read, metadata_errors = _saml_metadata(
            values, organization_id=organization_id, provider_id=None
        )
        errors += metadata_errors
        metadata = (xml, read)
    if errors:
        raise InvalidInput("The provider's settings are not valid.", errors)
    provider = IdentityProvider(organization_id=organization_id, created_by=actor)
    _apply(provider, values, metadata)
    provider.save(force_insert=True)
    _audit_provider(actor, provider, "created")
    return provider


@transaction.atomic
def identity_provider_update(
    *, actor: User, provider_id: int, values: ProviderSettings
) -> IdentityProvider:
    """Change a provider's settings; a blank secret keeps the saved one."""
    provider = identity_provider_access(actor=actor, provider_id=provider_id, for_update=True)
    errors = _settings_errors(values, provider_id=provider.pk)
    if values.kind != provider.kind:
        errors.append(FieldError("kind", "A provider's kind cannot change: connect a new one."))
    metadata: tuple[str, saml.IdentityProviderMetadata | None] = ("", None)
    if values.kind == ProviderKind.SAML and not errors:
        # Blank metadata and URL keep the saved metadata.
        if not values.idp_metadata.strip() and not values.idp_metadata_url.strip():
            values = ProviderSettings(**{**values.__dict__, "idp_metadata": provider.idp_metadata})
        xml, read, metadata_errors = _saml_metadata(
            values, organization_id=provider.organization_id, provider_id=provider.pk
        )
        errors += metadata_errors
        metadata = (xml, read)
    if errors:
        raise InvalidInput("The provider's settings are not valid.", errors)
    _apply(provider, values, metadata)
    provider.save()
    _audit_provider(actor, provider, "secret changed" if values.client_secret else "changed")
    return provider


@transaction.atomic
def identity_provider_set_enabled(
    *, actor: User, provider_id: int, is_enabled: bool
) -> IdentityProvider:
    """Enable or disable a provider. A disabled one signs nobody in and finds no domain."""
    provider = identity_provider_access(actor=actor, provider_id=provider_id, for_update=True)
    if provider.is_enabled != is_enabled:
        provider.is_enabled = is_enabled
        provider.save(update_fields=["is_enabled", "updated_at"])
        _audit_provider(actor, provider, "enabled" if is_enabled else "disabled")
    return provider


@transaction.atomic
def organization_sso_update(
    *, actor: User, sso_required: bool, break_glass_admin_id: int | None
) -> Organization:
    """Require SSO for the organisation (or not) and name its break-glass admin.

    Requiring SSO needs an enabled provider and a break-glass admin (an active admin of the
    organisation), so that nobody is locked out when the provider fails.
    """
    require_sso_admin(actor)
    organization = Organization.objects.select_for_update().get(pk=organization_id_of(actor))
    errors: list[FieldError] = []
    admin = None
    if break_glass_admin_id is not None:
        admin = User.objects.filter(
            id=break_glass_admin_id,
            organization_id=organization.pk,
            role=Role.ORG_ADMIN,
            is_active=True,
        ).first()
        if admin is None:
            errors.append(
                FieldError("break_glass_admin", "Choose an active admin of this organisation.")
            )
    if sso_required:
        if break_glass_admin_id is None:
            errors.append(
                FieldError(
                    "break_glass_admin",
                    "Name a break-glass admin, who can still sign in with a password.",
                )
            )
        if not IdentityProvider.objects.filter(
            organization_id=organization.pk, is_enabled=True
        ).exists():
            errors.append(
                FieldError("sso_required", "Connect and enable an identity provider first.")
            )
    if errors:
        raise InvalidInput("Single sign-on cannot be set up like this.", errors)
    before = [organization.sso_required, organization.sso_break_glass_admin_id]
    organization.sso_required = sso_required
    organization.sso_break_glass_admin = admin
    organization.save(update_fields=["sso_required", "sso_break_glass_admin", "updated_at"])
    after = [sso_required, admin.pk if admin else None]
    if before != after:
        audit_record(
            actor=actor,
            event=audit_events.SSO_SETTINGS_CHANGED,
            organization_id=organization.pk,
            target=organization,
            data={
                "changes": {
                    "sso_required": [before[0], after[0]],
                    "break_glass_admin_id": [before[1], after[1]],
                }
            },
        )
    return organization


# --- signing in -----------------------------------------------------------------------------


class SsoRefused(Exception):
    """The provider vouched for someone Tandem will not sign in. `message` is for them,
    `reason` for the audit trail (recorded by the caller, after the rollback)."""

    def __init__(self, message: str, *, reason: str, email: str = "") -> None:
        super().__init__(message)
        self.message, self.reason, self.email = message, reason, email


def _text(claims: Mapping[str, Any], name: str) -> str:
    value = claims.get(name) if name else None
    if not isinstance(value, str):
        return ""
    return " ".join(value.split())[:PROFILE_TEXT_MAX]


def _role_from(provider: IdentityProvider, claims: Mapping[str, Any]) -> str | None:
    """The role the claims map to, or None when the provider maps no role claim."""
    if not provider.role_claim:
        return None
    value = claims.get(provider.role_claim)
    values = value if isinstance(value, list) else [value]
    # The most powerful mapped value wins (Role is ordered from most to least power).
    mapped = {provider.role_values.get(str(v)) for v in values if v is not None}
    for role in Role:
        if role.value in mapped:
            return role.value
    return provider.default_role


def _names(claims: Mapping[str, Any]) -> tuple[str, str]:
    first, last = _text(claims, "given_name"), _text(claims, "family_name")
    if not first and not last:
        first, _, last = _text(claims, "name").partition(" ")
    return first, last


def _refuse(provider: IdentityProvider, reason: str, message: str, email: str = "") -> SsoRefused:
    return SsoRefused(message, reason=reason, email=email)


@transaction.atomic
def sso_sign_in_failed_record(*, provider: IdentityProvider, reason: str, email: str = "") -> None:
    """Record a refused SSO sign-in in the provider's organisation's audit trail (called
    after the refused sign-in rolled back, so the entry stays)."""
    audit_record(
        actor=None,
        event=audit_events.SSO_SIGN_IN_FAILED,
        organization_id=provider.organization_id,
        target=provider,
        data={"provider": provider.display_name, "reason": reason, "email": email},
    )


def _account_for(provider: IdentityProvider, claims: Mapping[str, Any]) -> tuple[User, str]:
    """The account the claims are about, and how it was found ("linked", "created", "known")."""
    subject = str(claims.get("sub", ""))
    identity = (
        ExternalIdentity.objects.select_related("user")
        .filter(provider=provider, subject=subject)
        .first()
    )
    email = str(claims.get("email") or "").strip().lower()
    if identity is not None:
        return identity.user, "known"
    if not email:
        raise _refuse(provider, "no email", "Your identity provider did not send your email.")
    if email_domain(email) not in provider.email_domains:
        raise _refuse(
            provider,
            "domain not of this provider",
            f"{provider.display_name} does not sign in people of {email_domain(email)}. "
            "Sign in through your own organisation.",
            email,
        )
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None:
        if existing.organization_id != provider.organization_id:
            raise _refuse(
                provider,
                "account of another organisation",
                "Your account belongs to another organisation: sign in through its own "
                "provider or with your password.",
                email,
            )
        # SAML has no email_verified: the admin vouches for the provider's own domains
        # (checked above) with "asserts verified emails".
        verified = (
            provider.asserts_verified_emails
            if provider.kind == ProviderKind.SAML
            else claims.get("email_verified") is True
        )
        if not verified:
            raise _refuse(
                provider,
                "email not verified",
                "Your identity provider has not verified your email address, so it cannot be "
                "linked to your existing account. Ask your IT team, or sign in with your "
                "password.",
                email,
            )
        ExternalIdentity.objects.create(provider=provider, subject=subject, user=existing)
        return existing, "linked"
    first, last = _names(claims)
    user = User.objects.create_user(
        email=email,
        password=None,
        first_name=first,
        last_name=last,
        organization_id=provider.organization_id,
        role=_role_from(provider, claims) or provider.default_role,
        language=provider.organization.default_language,
    )
    ExternalIdentity.objects.create(provider=provider, subject=subject, user=user)
    return user, "created"


def saml_assertion_use(
    *, provider: IdentityProvider, assertion_id: str, expires_at: datetime.datetime
) -> None:
    """Record that a SAML assertion is being used to sign in, until it expires. SsoRefused
    when it was used before (a replayed response). Committed on its own, before the sign-in:
    an assertion is spent even when the sign-in it carried is then refused."""
    with transaction.atomic():
        SamlAssertionUse.objects.filter(expires_at__lt=timezone.now()).delete()
    try:
        with transaction.atomic():
            SamlAssertionUse.objects.create(
                provider=provider, assertion_id=assertion_id[:255], expires_at=expires_at
            )
    except IntegrityError as error:
        raise _refuse(
            provider, "assertion replayed", "This sign-in response was already used."
        ) from error


@transaction.atomic
def sso_sign_in_complete(*, provider: IdentityProvider, claims: Mapping[str, Any]) -> User:
    """Sign-in vouched for by `provider`: the linked account, an existing account of the
    provider's organisation linked when the provider says its email is verified, or a new
    member (role from the mapped claim) created just in time. Profile attributes (name,
    department, job title) follow the claims. Raises SsoRefused, recorded, for anyone else.
    """
    if not provider.is_enabled:
        raise NotFound("No such identity provider.")
    user, how = _account_for(provider, claims)
    if not user.is_active or user.organization_id != provider.organization_id:
        raise _refuse(
            provider, "account inactive", "Your Tandem account is not active.", user.email
        )
    changed: list[str] = []
    first, last = _names(claims)
    if how != "created" and (first or last) and (first, last) != (user.first_name, user.last_name):
        user.first_name, user.last_name = first, last
        changed += ["first_name", "last_name"]
    role = _role_from(provider, claims)
    role_kept = None
    if how != "created" and role is not None and role != user.role:
        role_kept = user_role_from_sign_in(user=user, role=role)
        if role_kept is None:
            changed.append("role")
    user.last_login = timezone.now()
    user.save(update_fields=[*changed, "last_login"])
    department = _text(claims, provider.department_claim)
    job_title = _text(claims, provider.job_title_claim)
    profile_update(
        actor=user,
        department=department or UNSET,
        job_title=job_title or UNSET,
    )
    ExternalIdentity.objects.filter(provider=provider, user=user).update(
        last_sign_in_at=timezone.now()
    )
    audit_record(
        actor=user,
        event=audit_events.SSO_SIGN_IN_SUCCEEDED,
        organization_id=provider.organization_id,
        target=user,
        data={
            "provider": provider.display_name,
            "account": how,
            "changed": changed,
            **({"role_kept": role_kept} if role_kept else {}),
        },
    )
    return user


# --- SAML single logout -----------------------------------------------------------------------


@transaction.atomic
def saml_session_record(
    *,
    provider: IdentityProvider,
    user: User,
    session_key: str,
    name_id: str,
    name_id_format: str,
    session_index: str,
) -> SamlSession:
    """Remember which provider sign-in (NameID, SessionIndex) a new Tandem session came from,
    so that the provider's LogoutRequest can end it. Rows older than a session can live go."""
    oldest = timezone.now() - datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    SamlSession.objects.filter(created_at__lt=oldest).delete()
    session, _ = SamlSession.objects.update_or_create(
        session_key=session_key,
        defaults={
            "provider": provider,
            "user": user,
            "name_id": name_id[:255],
            "name_id_format": name_id_format[:255],
            "session_index": session_index[:255],
            "logout_request_id": "",
        },
    )
    return session


@transaction.atomic
def saml_session_logout_sent(*, saml_session_id: int, request_id: str) -> None:
    """Tandem sent the provider a LogoutRequest for this (already ended) session: its answer
    must name `request_id`."""
    SamlSession.objects.filter(pk=saml_session_id).update(logout_request_id=request_id[:255])


@transaction.atomic
def saml_session_logout_confirmed(*, provider: IdentityProvider, request_id: str) -> bool:
    """The provider confirmed the sign-out Tandem asked for; False when Tandem asked no such
    thing (or the answer came twice)."""
    if not request_id:
        return False
    deleted, _ = SamlSession.objects.filter(
        provider=provider, logout_request_id=request_id[:255]
    ).delete()
    return deleted > 0


@transaction.atomic
def saml_sessions_end(
    *, provider: IdentityProvider, name_id: str, session_indexes: Sequence[str]
) -> int:
    """The provider's verified LogoutRequest: end every Tandem session signed in through it
    with this NameID (only those of the given SessionIndexes, when it names some). Returns how
    many ended; audited either way."""
    sessions = SamlSession.objects.filter(provider=provider, name_id=name_id[:255])
    if session_indexes:
        sessions = sessions.filter(session_index__in=[i[:255] for i in session_indexes])
    ended = list(sessions.order_by("pk").values_list("pk", "session_key", "user_id"))
    store = import_module(settings.SESSION_ENGINE).SessionStore
    for _pk, session_key, _user_id in ended:
        store(session_key=session_key).delete()
    SamlSession.objects.filter(pk__in=[pk for pk, _key, _user in ended]).delete()
    audit_record(
        actor=None,
        event=audit_events.SSO_SIGN_OUT_SUCCEEDED,
        organization_id=provider.organization_id,
        target=provider,
        data={
            "provider": provider.display_name,
            "initiated_by": "identity provider",
            "sessions_ended": len(ended),
            "user_ids": sorted({user_id for _pk, _key, user_id in ended}),
        },
    )
    return len(ended)


@transaction.atomic
def saml_sign_out_failed_record(*, provider: IdentityProvider, reason: str) -> None:
    """Record a refused logout message (a LogoutRequest or LogoutResponse that failed a check)
    in the provider's organisation's audit trail; it changed nothing."""
    audit_record(
        actor=None,
        event=audit_events.SSO_SIGN_OUT_FAILED,
        organization_id=provider.organization_id,
        target=provider,
        data={"provider": provider.display_name, "reason": reason},
    )
