"""Every write about accounts: organisations, users, roles, invitations, API tokens, sign-in."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from tandem.accounts.models import (
    ApiToken,
    Invitation,
    InvitationStatus,
    Organization,
    Role,
    User,
)
from tandem.accounts.names import display_name
from tandem.core.errors import Conflict, FieldError, Forbidden, InvalidInput, NotFound

API_TOKEN_PREFIX = "tdm_"  # noqa: S105 - a public marker, not a secret
# Writing last_used_at on every request would turn each API read into a write.
_TOKEN_TOUCH_INTERVAL = timedelta(minutes=1)
_INVITATION_SALT = "tandem.accounts.invitation"


# --- organisations and users -------------------------------------------------------------


@transaction.atomic
def organization_create(*, name: str, slug: str | None = None) -> Organization:
    """Create a tenant. The slug defaults to the name, made URL-safe."""
    name = name.strip()
    if not name:
        raise InvalidInput.for_field("name", "An organisation needs a name.")
    slug = slugify(slug or name)[:80]
    if Organization.objects.filter(slug=slug).exists():
        raise Conflict(f"An organisation with the address '{slug}' already exists.")
    return Organization.objects.create(name=name, slug=slug)


def _require_org_admin(actor: User, organization: Organization) -> None:
    if actor.organization_id != organization.pk:
        raise NotFound()
    if actor.role != Role.ORG_ADMIN:
        raise Forbidden("Only an organisation admin can manage people's access.")


def _require_access_admin(actor: User, organization: Organization) -> None:
    # Who may change a person's role or sign-in: their organisation's admins, and platform
    # staff (superusers, working in the Django admin). The rules on what may change (an
    # organisation keeps an active admin) hold for both alike.
    if actor.is_superuser and actor.is_active:
        return
    _require_org_admin(actor, organization)


def _check_password(password: str, user: User | None = None) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise InvalidInput(
            " ".join(exc.messages), [FieldError("password", m) for m in exc.messages]
        ) from exc


@transaction.atomic
def user_create(
    *,
    organization: Organization | None,
    email: str,
    first_name: str = "",
    last_name: str = "",
    role: str = Role.MEMBER,
    password: str | None = None,
    password_hash: str | None = None,
) -> User:
    """Create a person who can sign in. Without a password they sign in after a reset or invite.

    `password_hash` takes an already hashed password (from `make_password`), so that bulk
    creation (the demo data) does not pay the deliberately slow hash once per person.
    """
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise Conflict(
            f"Someone with the email {email} already exists.",
            [FieldError("email", "This email is already in use.")],
        )
    user = User(
        organization=organization,
        email=email,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        role=role,
    )
    if password:
        _check_password(password, user)
        user.set_password(password)
    elif password_hash:
        user.password = password_hash
    else:
        user.set_unusable_password()
    user.save()
    return user


def _lock_active_admins(organization_id: int) -> list[int]:
    """Lock the organisation's active admins (by id, always before the person changed), so
    two admins stepping down or deactivated at once cannot each see the other still there."""
    return list(
        User.objects.select_for_update()
        .filter(organization_id=organization_id, role=Role.ORG_ADMIN, is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


_LAST_ADMIN = "The organisation must keep at least one active organisation admin."


@transaction.atomic
def user_set_role(*, actor: User, user: User, role: str) -> User:
    """Change what `user` may do in the organisation. Org admins (and platform staff in the
    Django admin) only; never strand the org."""
    if user.organization is None:
        raise NotFound()
    _require_access_admin(actor, user.organization)
    if role not in Role.values:
        raise InvalidInput.for_field("role", f"'{role}' is not a role. Use one of {Role.values}.")
    admins = _lock_active_admins(user.organization.pk)
    locked = User.objects.select_for_update().get(pk=user.pk)
    if role != Role.ORG_ADMIN and admins == [locked.pk]:
        raise Conflict(_LAST_ADMIN)
    locked.role = role
    locked.save(update_fields=["role"])
    return locked


@transaction.atomic
def user_set_active(*, actor: User, user: User, is_active: bool) -> User:
    """Deactivate (or reactivate) a person's sign-in without deleting their history. Org
    admins (and platform staff in the Django admin) only; never strand the org."""
    if user.organization is None:
        raise NotFound()
    _require_access_admin(actor, user.organization)
    if user.pk == actor.pk and not is_active:
        raise Conflict("You cannot deactivate yourself.")
    admins = _lock_active_admins(user.organization.pk)
    if not is_active and admins == [user.pk]:
        raise Conflict(_LAST_ADMIN)
    User.objects.filter(pk=user.pk).update(is_active=is_active)
    user.refresh_from_db(fields=["is_active"])
    return user


# --- sign-in throttle ---------------------------------------------------------------------


def _throttle_keys(email: str, address: str | None) -> list[str]:
    keys = ["login-fail:email:" + hashlib.sha256(email.lower().encode()).hexdigest()]
    if address:
        keys.append("login-fail:addr:" + address)
    return keys


def login_is_locked(*, email: str, address: str | None) -> bool:
    """True when too many recent failures for this email or address mean we refuse to try."""
    limit = settings.LOGIN_FAILURE_LIMIT
    counts = cache.get_many(_throttle_keys(email, address))
    # An address is shared by many people behind one office proxy: give it more room.
    return any(
        count >= (limit * 4 if key.startswith("login-fail:addr:") else limit)
        for key, count in counts.items()
    )


def login_attempt(*, request: HttpRequest | None, email: str, password: str) -> User | None:
    """Check credentials with the throttle applied. Returns the user, or None on failure.

    Raises Forbidden while the email or address is locked, without checking the password,
    so a locked account cannot be probed.
    """
    address = request.META.get("REMOTE_ADDR") if request is not None else None
    if login_is_locked(email=email, address=address):
        minutes = settings.LOGIN_FAILURE_WINDOW_SECONDS // 60
        raise Forbidden(
            f"Too many failed sign-in attempts. Try again in {minutes} minutes, or reset your "
            "password."
        )
    user = authenticate(request, username=email.strip().lower(), password=password)
    keys = _throttle_keys(email, address)
    if user is None:
        window = settings.LOGIN_FAILURE_WINDOW_SECONDS
        for key in keys:
            cache.add(key, 0, timeout=window)
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.set(key, 1, timeout=window)
        return None
    cache.delete(keys[0])
    return user if isinstance(user, User) else None


# --- invitations --------------------------------------------------------------------------


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps(invitation.pk, salt=_INVITATION_SALT)


def invitation_from_token(token: str) -> Invitation:
    """The pending invitation a link points at. Raises InvalidInput when expired or tampered."""
    try:
        pk = signing.loads(
            token, salt=_INVITATION_SALT, max_age=settings.INVITATION_MAX_AGE_SECONDS
        )
    except signing.SignatureExpired as exc:
        raise InvalidInput("This invitation has expired. Ask for a new one.") from exc
    except signing.BadSignature as exc:
        raise InvalidInput("This invitation link is not valid.") from exc
    invitation = (
        Invitation.objects.select_related("organization", "invited_by").filter(pk=pk).first()
    )
    if invitation is None or invitation.status != InvitationStatus.PENDING:
        raise InvalidInput("This invitation has already been used or was withdrawn.")
    return invitation


def _send_invitation_email(invitation: Invitation, base_url: str) -> None:
    link = base_url.rstrip("/") + reverse(
        "accounts:invitation_accept", args=[invitation_token(invitation)]
    )
    inviter = display_name(invitation.invited_by) if invitation.invited_by else "Your organisation"
    days = settings.INVITATION_MAX_AGE_SECONDS // 86400
    # Sent directly, not through the notifications outbox: it goes to an address with no user
    # yet, and the outbox writes to a user (preferences, in-app copy, unsubscribe).
    send_mail(
        subject=f"You are invited to {invitation.organization.name} on Tandem",
        message=(
            f"{inviter} invited you to join {invitation.organization.name}'s mentoring "
            f"programmes on Tandem as {invitation.get_role_display().lower()}.\n\n"
            f"Accept the invitation and choose a password:\n{link}\n\n"
            f"The link works for {days} days."
        ),
        from_email=None,
        recipient_list=[invitation.email],
    )


@transaction.atomic
def invitation_create(*, actor: User, email: str, role: str, base_url: str) -> Invitation:
    """Invite someone by email. Inviting the same address again renews the pending invitation."""
    organization = actor.organization
    if organization is None:
        raise Forbidden("Only members of an organisation can invite people.")
    _require_org_admin(actor, organization)
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise InvalidInput.for_field("email", f"'{email}' is not a valid email address.") from exc
    if role not in Role.values:
        raise InvalidInput.for_field("role", f"'{role}' is not a role. Use one of {Role.values}.")
    if User.objects.filter(email__iexact=email).exists():
        raise Conflict(
            f"{email} already has a Tandem account.",
            [FieldError("email", "This person already has an account.")],
        )
    invitation = (
        Invitation.objects.select_for_update()
        .filter(organization=organization, email__iexact=email, status=InvitationStatus.PENDING)
        .first()
    )
    if invitation is None:
        invitation = Invitation.objects.create(
            organization=organization, email=email, role=role, invited_by=actor
        )
    else:
        # A fresh row gives a fresh signature date, so the new link lasts the full period.
        invitation.status = InvitationStatus.REVOKED
        invitation.save(update_fields=["status", "updated_at"])
        invitation = Invitation.objects.create(
            organization=organization, email=email, role=role, invited_by=actor
        )
    transaction.on_commit(lambda: _send_invitation_email(invitation, base_url))
    return invitation


@transaction.atomic
def invitation_revoke(*, actor: User, invitation: Invitation) -> Invitation:
    """Withdraw a pending invitation so its link stops working."""
    _require_org_admin(actor, invitation.organization)
    if invitation.status != InvitationStatus.PENDING:
        raise Conflict("Only a pending invitation can be withdrawn.")
    invitation.status = InvitationStatus.REVOKED
    invitation.save(update_fields=["status", "updated_at"])
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, first_name: str, last_name: str, password: str) -> User:
    """Turn an invitation into an account with the invited role. The link works once."""
    invitation = invitation_from_token(token)
    Invitation.objects.select_for_update().filter(pk=invitation.pk).first()
    errors = []
    if not first_name.strip():
        errors.append(FieldError("first_name", "Tell us your first name."))
    if not last_name.strip():
        errors.append(FieldError("last_name", "Tell us your last name."))
    if errors:
        raise InvalidInput("Some details are missing.", errors)
    try:
        with transaction.atomic():
            user = user_create(
                organization=invitation.organization,
                email=invitation.email,
                first_name=first_name,
                last_name=last_name,
                role=invitation.role,
                password=password,
            )
    except IntegrityError as exc:
        raise Conflict("An account with this email was created meanwhile. Sign in.") from exc
    invitation.status = InvitationStatus.ACCEPTED
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["status", "accepted_at", "accepted_by", "updated_at"])
    return user


# --- API tokens ---------------------------------------------------------------------------


def _token_digest(raw_token: str) -> str:
    return hashlib.sha256(raw_token.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a personal API token for `user`. Returns the row and the secret, shown only once."""
    raw = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name.strip()[:100] or "API token",
        prefix=raw[:12],
        digest=_token_digest(raw),
    )
    return token, raw


@transaction.atomic
def api_token_revoke(*, actor: User, token_id: int) -> ApiToken:
    """Revoke one of the actor's own tokens. Someone else's token is simply not found."""
    token = ApiToken.objects.select_for_update().filter(pk=token_id, user=actor).first()
    if token is None:
        raise NotFound("No such API token.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
    return token


def api_token_authenticate(*, raw_token: str) -> User | None:
    """The active user a token belongs to, or None. Revoked tokens and inactive users fail."""
    token = (
        ApiToken.objects.select_related("user", "user__organization")
        .filter(digest=_token_digest(raw_token), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > _TOKEN_TOUCH_INTERVAL:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
