"""Every write about accounts: organisations, users, roles, invitations, API tokens, sign-in."""

import hashlib
import math
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.text import slugify
from django.utils.translation import gettext as _

from tandem.accounts import throttle
from tandem.accounts.client_address import client_address
from tandem.accounts.languages import SOURCE_LANGUAGE, language_codes, language_for, supported
from tandem.accounts.models import (
    ApiToken,
    Invitation,
    InvitationStatus,
    Organization,
    Role,
    User,
)
from tandem.accounts.names import display_name
from tandem.accounts.selectors import password_sign_in_allowed, sso_required_for_email
from tandem.audit import events as audit_events
from tandem.audit.services import AuditEvent, audit_record, audit_record_many
from tandem.core.aggregates import MIN_GROUP_FLOOR
from tandem.core.errors import Conflict, FieldError, Forbidden, InvalidInput, NotFound
from tandem.core.links import absolute_url

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
        language=organization.default_language if organization else SOURCE_LANGUAGE,
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


MAX_AGGREGATE_MIN_GROUP = 100


@transaction.atomic
def organization_settings_update(
    *,
    actor: User,
    organization: Organization,
    aggregate_min_group_size: int,
    default_language: str | None = None,
) -> Organization:
    """Change the organisation's settings. Its admins only. The minimum group of managers'
    aggregates may not go below the aggregate rule's floor (with two people, each knows the
    other's answer) nor above MAX_AGGREGATE_MIN_GROUP. `default_language` (None: unchanged) is
    the language new people start in; people already here keep their own."""
    if actor.organization_id != organization.pk:
        raise NotFound()
    if actor.role != Role.ORG_ADMIN:
        raise Forbidden(_("Only an organisation admin can change the organisation's settings."))
    size = aggregate_min_group_size
    errors: list[FieldError] = []
    if isinstance(size, bool) or not MIN_GROUP_FLOOR <= size <= MAX_AGGREGATE_MIN_GROUP:
        errors.append(
            FieldError(
                "aggregate_min_group_size",
                _(
                    "The minimum group must be a whole number from %(floor)s to %(ceiling)s "
                    "(got %(size)s): with fewer people, a manager could work out one person's "
                    "answers."
                )
                % {"floor": MIN_GROUP_FLOOR, "ceiling": MAX_AGGREGATE_MIN_GROUP, "size": size},
            )
        )
    if default_language is not None and default_language not in language_codes():
        errors.append(_unknown_language_error("default_language", default_language))
    if len(errors) == 1:
        raise InvalidInput(errors[0].message, errors)
    if errors:
        raise InvalidInput(_("The settings are not valid; nothing was saved."), errors)
    before_size, before_language = (
        Organization.objects.select_for_update()
        .values_list("aggregate_min_group_size", "default_language")
        .get(pk=organization.pk)
    )
    language = before_language if default_language is None else default_language
    Organization.objects.filter(pk=organization.pk).update(
        aggregate_min_group_size=size, default_language=language, updated_at=timezone.now()
    )
    organization.refresh_from_db(
        fields=["aggregate_min_group_size", "default_language", "updated_at"]
    )
    changes: dict[str, list[object]] = {}
    if before_size != size:
        changes["aggregate_min_group_size"] = [before_size, size]
    if before_language != language:
        changes["default_language"] = [before_language, language]
    if changes:
        audit_record(
            actor=actor,
            event=audit_events.SETTINGS_CHANGED,
            organization_id=organization.pk,
            target=organization,
            data={"settings": "organisation", "changes": changes},
        )
    return organization


def _unknown_language_error(field: str, code: str) -> FieldError:
    return FieldError(
        field,
        _("'%(code)s' is not a language Tandem offers. Choose one of %(codes)s.")
        % {"code": code[:20], "codes": ", ".join(language_codes())},
    )


def person_language_check(*, language: str) -> list[FieldError]:
    """The errors choosing `language` as one's own would raise (none when Tandem offers it), so
    a form that changes more than the language can report every error at once."""
    return [] if language in language_codes() else [_unknown_language_error("language", language)]


@transaction.atomic
def person_language_set(*, actor: User, language: str) -> User:
    """Choose the language the actor reads Tandem in (pages from the next one on, emails,
    pushes). A person chooses their own only."""
    errors = person_language_check(language=language)
    if errors:
        raise InvalidInput(errors[0].message, errors)
    if actor.language != language:
        User.objects.filter(pk=actor.pk).update(language=language)
        actor.language = language
    return actor


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
    # No select_related here: PostgreSQL refuses FOR UPDATE across the nullable join, and
    # the lock order is the admins' rows, then this one (issue 12's rule).
    locked = User.objects.select_for_update().get(pk=user.pk)
    refusal = _role_change_refusal(locked, role, admins)
    if refusal:
        raise Conflict(refusal)
    locked.role = role
    locked.save(update_fields=["role"])
    return locked


def _role_change_refusal(locked: User, role: str, admins: list[int]) -> str | None:
    """Why `locked` may not become `role`, if a change would strand the organisation: its
    last active admin, or the break-glass admin while single sign-on is required (the one
    person who can still sign in when the identity provider cannot)."""
    if role == Role.ORG_ADMIN or locked.role != Role.ORG_ADMIN:
        return None
    if admins == [locked.pk]:
        return _LAST_ADMIN
    organization = locked.organization
    if (
        organization is not None
        and organization.sso_required
        and organization.sso_break_glass_admin_id == locked.pk
    ):
        return (
            f"{locked.email} is the break-glass admin while single sign-on is required: "
            "choose another break-glass admin first."
        )
    return None


@transaction.atomic
def user_role_from_sign_in(*, user: User, role: str) -> str | None:
    """Apply the role an identity provider's claims give `user` at sign-in, under the same
    rules as an admin's change. Returns None when applied (or already so), or why the role
    was kept: a claim may not strand the organisation, and the caller records the reason."""
    if role not in Role.values:
        raise InvalidInput.for_field("role", f"'{role}' is not a role. Use one of {Role.values}.")
    if user.organization_id is None:
        raise NotFound()
    admins = _lock_active_admins(user.organization_id)
    locked = User.objects.select_for_update().get(pk=user.pk)
    if locked.role == role:
        return None
    refusal = _role_change_refusal(locked, role, admins)
    if refusal:
        return refusal
    locked.role = role
    locked.save(update_fields=["role"])
    user.role = role
    return None


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
    was_active = User.objects.values_list("is_active", flat=True).get(pk=user.pk)
    User.objects.filter(pk=user.pk).update(is_active=is_active)
    user.refresh_from_db(fields=["is_active"])
    if was_active != is_active:
        audit_record(
            actor=actor,
            event=audit_events.USER_ACTIVATED if is_active else audit_events.USER_DEACTIVATED,
            organization_id=user.organization_id,
            target=user,
        )
    return user


# --- sign-in -----------------------------------------------------------------------------


def _wait_text(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def login_attempt(*, request: HttpRequest | None, email: str, password: str) -> User | None:
    """Check credentials with the throttle applied. Returns the user, or None on failure.

    Raises Forbidden while this email is throttled from this address, without checking the
    password, so a throttled pair cannot probe it. The backend enforces the same throttle
    (for every sign-in path); asking first here only lets the page say how long to wait.
    """
    email = throttle.normalise_email(email)
    if sso_required_for_email(email):
        # Said plainly: the sign-in page's SSO button already tells which domains use SSO.
        raise Forbidden(
            'Your organisation signs in with single sign-on: use "Continue with SSO" below.'
        )
    wait = throttle.sign_in_wait(email=email, address=client_address(request))
    if wait == 0:
        user = authenticate(request, username=email, password=password)
        if user is None or isinstance(user, User):
            return user
        return None
    raise Forbidden(
        f"Too many failed sign-in attempts from here. Try again in {_wait_text(wait)}, "
        "or email yourself a sign-in link."
    )


def _rate_limit_take(
    *, scope: str, email: str, address: str | None, per_email: int, per_address: int, window: int
) -> bool:
    # The address is charged first: one address asking for many emails uses up its own
    # allowance, not the allowance of the people it names.
    if not throttle.rate_limit_take(
        scope=f"{scope}:address",
        subject=throttle.address_subject(address),
        limit=per_address,
        window_seconds=window,
    ):
        return False
    return throttle.rate_limit_take(
        scope=f"{scope}:email",
        subject=throttle.normalise_email(email),
        limit=per_email,
        window_seconds=window,
    )


def password_reset_rate_limit_take(*, email: str, address: str | None) -> bool:
    """Whether a password reset email may be sent now; counts this request either way.

    The caller answers the same whatever this says, so the limit reveals nothing either.
    """
    return _rate_limit_take(
        scope="password-reset",
        email=email,
        address=address,
        per_email=settings.PASSWORD_RESET_EMAIL_LIMIT,
        per_address=settings.PASSWORD_RESET_ADDRESS_LIMIT,
        window=settings.PASSWORD_RESET_WINDOW_SECONDS,
    )


def password_reset_requested(*, email: str, address: str | None) -> None:
    """Record a reset asked for an existing account (an unknown address leaves no entry: the
    trail is read by organisations, and it belongs to none)."""
    user = User.objects.filter(email__iexact=throttle.normalise_email(email)).first()
    if user is not None:
        audit_record(
            actor=None,
            event=audit_events.PASSWORD_RESET_REQUESTED,
            organization_id=user.organization_id,
            target=user,
            address=address,
        )


def password_reset_sso_notice(*, email: str, base_url: str) -> None:
    """A reset asked for an account that must sign in with single sign-on gets no reset link
    (the reset form leaves it out) but this email saying where to sign in instead."""
    accounts = User.objects.select_related("organization").filter(
        email__iexact=throttle.normalise_email(email), is_active=True
    )
    for user in accounts:
        if not password_sign_in_allowed(user):
            sso_notice_send(user=user, base_url=base_url)


@transaction.atomic
def password_reset_complete(*, user: User, password: str) -> User:
    """Set the new password chosen through a reset link, and shut every other door.

    The reset may be because someone else got in: their sessions end (the password hash is
    part of every session's check) and every API token of the account is revoked, since a
    token does not depend on the password.
    """
    _check_password(password, user)
    locked = User.objects.select_for_update().get(pk=user.pk)
    locked.set_password(password)
    locked.save(update_fields=["password"])
    now = timezone.now()
    revoked = ApiToken.objects.filter(user=locked, revoked_at__isnull=True).update(
        revoked_at=now, updated_at=now
    )
    audit_record(
        actor=locked,
        event=audit_events.PASSWORD_RESET_COMPLETED,
        organization_id=locked.organization_id,
        target=locked,
        data={"api_tokens_revoked": revoked},
    )
    return locked


_SIGN_IN_LINK_SALT = "tandem.accounts.sign-in-link"


def _sign_in_link_state(user: User) -> str:
    """What a link is bound to: signing in or changing the password spends every link."""
    last_login = user.last_login.isoformat() if user.last_login else ""
    return salted_hmac(
        _SIGN_IN_LINK_SALT, f"{user.pk}:{user.password}:{last_login}:{user.is_active}"
    ).hexdigest()


def sign_in_link_token(user: User) -> str:
    return signing.dumps(
        {"user": user.pk, "state": _sign_in_link_state(user)}, salt=_SIGN_IN_LINK_SALT
    )


def sign_in_link_request(*, email: str, address: str | None, base_url: str) -> None:
    """Email a one-time sign-in link to the active account with this email, if any.

    Returns nothing on purpose: the caller answers the same whether the email has an
    account, is unknown, or is over its limit, so the form reveals nothing. The link works
    even while password attempts for the account are throttled: it proves the inbox, not
    the password, which is how the owner gets in while someone else is guessing.
    """
    allowed = _rate_limit_take(
        scope="sign-in-link",
        email=email,
        address=address,
        per_email=settings.SIGN_IN_LINK_EMAIL_LIMIT,
        per_address=settings.SIGN_IN_LINK_ADDRESS_LIMIT,
        window=settings.SIGN_IN_LINK_WINDOW_SECONDS,
    )
    if not allowed:
        return
    user = User.objects.filter(
        email__iexact=throttle.normalise_email(email), is_active=True
    ).first()
    if user is None:
        return
    if not password_sign_in_allowed(user):
        sso_notice_send(user=user, base_url=base_url)
        return
    link = absolute_url(
        reverse("accounts:sign_in_link_use", args=[sign_in_link_token(user)]), base_url=base_url
    )
    minutes = settings.SIGN_IN_LINK_MAX_AGE_SECONDS // 60
    # Sent directly, like a password reset: the link is a secret the outbox would store and
    # copy in-app, and no notification preference may turn it off.
    with translation.override(language_for(user)):
        send_mail(
            subject=_("Your sign-in link for Tandem"),
            message=_(
                "Someone (we hope you) asked for a link to sign in to Tandem without a "
                "password.\n\nSign in:\n%(link)s\n\nThe link works once, for %(minutes)s "
                "minutes. If you did not ask for it, ignore this email: nobody can use the link "
                "without reading your inbox."
            )
            % {"link": link, "minutes": minutes},
            from_email=None,
            recipient_list=[user.email],
        )


def sso_notice_send(*, user: User, base_url: str) -> None:
    """Answer a sign-in link or password reset asked for an account whose organisation signs
    in with single sign-on: a link would only be refused at the door, so the email says where
    to sign in instead. Sent directly, like the link it stands for (the caller's answer on the
    page is the same either way, so it reveals nothing)."""
    sign_in = absolute_url(reverse("accounts:login"), base_url=base_url)
    with translation.override(language_for(user)):
        send_mail(
            subject=_("Sign in to Tandem with single sign-on"),
            message=_(
                "Someone (we hope you) asked for a way to sign in to Tandem without a "
                "password.\n\nYour organisation signs in to Tandem with its single sign-on, so "
                "Tandem sends no sign-in links or password resets for your account. Sign in with "
                'your work account instead: open\n%(sign_in)s\nand choose "Continue with '
                'SSO".\n\nIf you did not ask, ignore this email.'
            )
            % {"sign_in": sign_in},
            from_email=None,
            recipient_list=[user.email],
        )


def _sign_in_link_user(token: str, *, lock: bool) -> User:
    try:
        data = signing.loads(
            token, salt=_SIGN_IN_LINK_SALT, max_age=settings.SIGN_IN_LINK_MAX_AGE_SECONDS
        )
    except signing.SignatureExpired as exc:
        raise InvalidInput("This sign-in link has expired. Ask for a new one.") from exc
    except signing.BadSignature as exc:
        raise InvalidInput("This sign-in link is not valid. Ask for a new one.") from exc
    user_id = data.get("user") if isinstance(data, dict) else None
    state = str(data.get("state")) if isinstance(data, dict) else ""
    users = User.objects.select_for_update() if lock else User.objects.all()
    user = users.filter(pk=user_id, is_active=True).first() if isinstance(user_id, int) else None
    if user is None or not constant_time_compare(state, _sign_in_link_state(user)):
        raise InvalidInput("This sign-in link has already been used. Ask for a new one.")
    if not password_sign_in_allowed(user):
        raise InvalidInput("Your organisation signs in with single sign-on: use it instead.")
    return user


def sign_in_link_check(*, token: str) -> User:
    """The account a sign-in link is for, without spending it (a mail scanner may open it)."""
    return _sign_in_link_user(token, lock=False)


@transaction.atomic
def sign_in_link_redeem(*, token: str) -> User:
    """Spend a sign-in link and return its account, for the caller to sign in.

    The row is locked and last_login moved inside the transaction, so two requests with the
    same link cannot both pass: the second sees the new state and is refused.
    """
    user = _sign_in_link_user(token, lock=True)
    user.last_login = timezone.now()
    user.save(update_fields=["last_login"])
    return user


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
    # Only the address's owner holds the link, so this may say what the inviting admin was
    # not told: an email is one account, and this one has it already.
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise InvalidInput(
            "This email address already has a Tandem account, so the invitation cannot make "
            "another. Sign in with that account (or reset its password if you have forgotten "
            "it), or ask the person who invited you to use another address of yours."
        )
    return invitation


def _send_invitation_email(invitation: Invitation, base_url: str) -> None:
    link = absolute_url(
        reverse("accounts:invitation_accept", args=[invitation_token(invitation)]),
        base_url=base_url,
    )
    days = settings.INVITATION_MAX_AGE_SECONDS // 86400
    organization = invitation.organization.name
    # Sent directly, not through the notifications outbox: it goes to an address with no user
    # yet (so in the organisation's language), and the outbox writes to a user.
    with translation.override(supported(invitation.organization.default_language)):
        inviter = (
            display_name(invitation.invited_by) if invitation.invited_by else _("Your organisation")
        )
        send_mail(
            subject=_("You are invited to %(organization)s on Tandem")
            % {"organization": organization},
            message=_(
                "%(inviter)s invited you to join %(organization)s's mentoring programmes on "
                "Tandem as %(role)s.\n\nAccept the invitation and choose a password:\n"
                "%(link)s\n\nThe link works for %(days)s days."
            )
            % {
                "inviter": inviter,
                "organization": organization,
                "role": str(invitation.get_role_display()).lower(),
                "link": link,
                "days": days,
            },
            from_email=None,
            recipient_list=[invitation.email],
        )


@transaction.atomic
def invitation_create(*, actor: User, email: str, role: str, base_url: str) -> Invitation:
    """Invite someone by email. Inviting the same address again renews the pending invitation.

    Only the organisation's own members are refused; an address with an account elsewhere is
    invited like a new one (see the comment below).
    """
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
    # Only the admin's own organisation is looked at: whether the address has an account
    # anywhere else is not theirs to learn, so such an invitation is sent like any other and
    # its link explains the situation to the address's owner alone (invitation_from_token).
    if User.objects.filter(email__iexact=email, organization=organization).exists():
        raise Conflict(
            f"{email} is already a member of your organisation.",
            [FieldError("email", "This person is already a member of your organisation.")],
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


def api_token_authenticate(*, raw_token: str, address: str | None = None) -> User | None:
    """The active user a token belongs to, or None. Revoked tokens and inactive users fail.

    Its last use (time and client address) is kept at most once a minute, in the one UPDATE
    that was there before the audit trail; `api_token_use_audit` turns it into audit entries.
    """
    token = (
        ApiToken.objects.select_related("user", "user__organization")
        .filter(digest=_token_digest(raw_token), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > _TOKEN_TOUCH_INTERVAL:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now, last_used_address=address)
    return token.user


def api_token_use_audit() -> int:
    """Record in the audit trail each token used since its last entry: one entry per token per
    run, at the time of its latest use and from that use's address (decision record 0009: the
    scheduler runs it hourly, so a token in use leaves at most one entry an hour, and the API's
    requests pay no query for it). Returns how many entries were written."""
    with transaction.atomic():
        tokens = list(
            ApiToken.objects.select_for_update(of=("self",))
            .select_related("user")
            .filter(last_used_at__isnull=False)
            .filter(Q(audited_use_at__isnull=True) | Q(audited_use_at__lt=F("last_used_at")))
            .order_by("pk")
        )
        audit_record_many(
            [
                AuditEvent(
                    actor=token.user,
                    event=audit_events.API_TOKEN_USED,
                    organization_id=token.user.organization_id,
                    target=token,
                    address=token.last_used_address,
                    data={
                        "previous_entry_at": token.audited_use_at.isoformat()
                        if token.audited_use_at
                        else None
                    },
                    at=token.last_used_at,
                )
                for token in tokens
            ]
        )
        ApiToken.objects.filter(pk__in=[token.pk for token in tokens]).update(
            audited_use_at=F("last_used_at")
        )
    return len(tokens)
