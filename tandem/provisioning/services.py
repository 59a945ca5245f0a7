"""Every write of provisioning: SCIM tokens, and the people and groups an identity provider
pushes. The person lifecycle (deactivate, reactivate) is `lifecycle.py`."""

import hashlib
import secrets
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from tandem.accounts.models import Organization, Role, User
from tandem.accounts.services import user_create
from tandem.core.errors import Conflict, FieldError, InvalidInput, NotFound
from tandem.core.transactions import lock_rows
from tandem.people.models import DirectoryGroup, DirectoryGroupMember, Profile
from tandem.provisioning.actors import Provisioner
from tandem.provisioning.lifecycle import person_deactivate, person_reactivate
from tandem.provisioning.models import ScimIdentity, ScimToken

SCIM_TOKEN_PREFIX = "tdm_scim_"  # noqa: S105 - a public prefix, not a secret
_TOKEN_TOUCH_SECONDS = 60
DELETED_REASON = "Removed from Tandem by the identity provider (SCIM DELETE)."
INACTIVE_REASON = "Marked inactive by the identity provider (SCIM active: false)."


# --- tokens ------------------------------------------------------------------------------


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _require_org_admin(actor: User, organization: Organization) -> None:
    if (
        actor.organization_id != organization.pk
        or actor.role != Role.ORG_ADMIN
        or not actor.is_active
    ):
        raise NotFound("No such organisation.")


@transaction.atomic
def scim_token_create(
    *, actor: User | None, organization: Organization, name: str
) -> tuple[ScimToken, str]:
    """A new SCIM token for `organization`. Returns the row and the secret, shown once.

    Org admins of the organisation; `actor=None` is the operator's management command.
    """
    if actor is not None:
        _require_org_admin(actor, organization)
    name = " ".join(name.split())
    if not name:
        raise InvalidInput.for_field("name", "Name the token after what uses it (e.g. Okta).")
    if len(name) > 100:
        raise InvalidInput.for_field("name", "Keep the name under 100 characters.")
    raw = SCIM_TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ScimToken.objects.create(
        organization=organization,
        name=name,
        prefix=raw[:16],
        digest=_digest(raw),
        created_by=actor,
    )
    return token, raw


@transaction.atomic
def scim_token_revoke(*, actor: User, token_id: int) -> ScimToken:
    """Revoke one of the organisation's SCIM tokens; the provider using it is refused at once.
    Another organisation's token is not found. Revoking twice changes nothing."""
    token = (
        ScimToken.objects.select_for_update()
        .filter(pk=token_id, organization_id=actor.organization_id or 0)
        .first()
    )
    if token is None or actor.role != Role.ORG_ADMIN or not actor.is_active:
        raise NotFound("No such SCIM token.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
    return token


def scim_token_authenticate(*, raw_token: str, organization_slug: str) -> Provisioner | None:
    """The provisioner a bearer token stands for at this organisation's SCIM base URL, or None
    (unknown, revoked, or another organisation's token)."""
    if not raw_token.startswith(SCIM_TOKEN_PREFIX):
        return None
    token = (
        ScimToken.objects.select_related("organization")
        .filter(
            digest=_digest(raw_token),
            revoked_at__isnull=True,
            organization__slug=organization_slug,
        )
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > (
        _TOKEN_TOUCH_SECONDS
    ):
        ScimToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return Provisioner(
        organization_id=token.organization_id, token_id=token.pk, token_name=token.name
    )


# --- people ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonFields:
    """A SCIM User in Tandem's terms (the translation is `scim.py`)."""

    user_name: str
    email: str
    email_type: str = ""
    email_primary: bool = True
    given_name: str = ""
    family_name: str = ""
    title: str = ""
    active: bool | None = True  # None: the provider does not say (Tandem's default: active)
    external_id: str = ""
    employee_number: str = ""
    department: str = ""
    manager_id: str = ""


def _clean_person(fields: PersonFields) -> PersonFields:
    errors = []
    user_name = fields.user_name.strip()
    email = fields.email.strip().lower()
    if not user_name:
        errors.append(FieldError("userName", "userName is required."))
    elif len(user_name) > 255:
        errors.append(FieldError("userName", "userName is longer than 255 characters."))
    if not email:
        errors.append(FieldError("emails", "Tandem needs the person's email: send emails[].value."))
    else:
        try:
            validate_email(email)
        except ValidationError:
            errors.append(FieldError("emails", f"'{email}' is not an email address."))
    limits = {
        "name.givenName": (fields.given_name, 150),
        "name.familyName": (fields.family_name, 150),
        "title": (fields.title, 150),
        "department": (fields.department, 150),
        "employeeNumber": (fields.employee_number, 100),
        "externalId": (fields.external_id, 255),
    }
    for attribute, (value, limit) in limits.items():
        if len(value) > limit:
            errors.append(FieldError(attribute, f"{attribute} is longer than {limit} characters."))
    texts = {**{name: value for name, (value, _) in limits.items()}, "userName": user_name}
    for attribute, value in texts.items():
        # PostgreSQL refuses the character in a text column; no attribute needs it.
        if "\x00" in value:
            errors.append(FieldError(attribute, f"{attribute} contains a NUL character."))
    if errors:
        raise InvalidInput(errors[0].message, errors=errors)
    return PersonFields(
        user_name=user_name,
        email=email,
        email_type=fields.email_type[:20],
        email_primary=fields.email_primary,
        given_name=fields.given_name.strip(),
        family_name=fields.family_name.strip(),
        title=fields.title.strip(),
        active=fields.active,
        external_id=fields.external_id,
        employee_number=fields.employee_number.strip(),
        department=fields.department.strip(),
        manager_id=fields.manager_id.strip(),
    )


def _manager(actor: Provisioner, manager_id: str, user: User | None) -> User | None:
    if not manager_id:
        return None
    manager = (
        User.objects.filter(organization_id=actor.organization_id, pk=int(manager_id))
        .exclude(scim_identity__deprovisioned_at__isnull=False)
        .first()
        if manager_id.isdigit() and len(manager_id) < 18
        else None
    )
    if manager is None:
        raise InvalidInput.for_field(
            "manager", f"manager.value '{manager_id}' is not the id of a user of this organisation."
        )
    if user is not None and manager.pk == user.pk:
        raise InvalidInput.for_field("manager", "A person cannot be their own manager.")
    return manager


def _user_name_taken(actor: Provisioner, user_name: str, user: User | None) -> bool:
    identities = ScimIdentity.objects.filter(
        organization_id=actor.organization_id, user_name__iexact=user_name
    )
    bare = User.objects.filter(
        organization_id=actor.organization_id, email__iexact=user_name, scim_identity__isnull=True
    )
    if user is not None:
        identities = identities.exclude(user=user)
        bare = bare.exclude(pk=user.pk)
    return identities.exists() or bare.exists()


def _write_person(actor: Provisioner, user: User, fields: PersonFields) -> None:
    manager = _manager(actor, fields.manager_id, user)
    if User.objects.filter(email__iexact=fields.email).exclude(pk=user.pk).exists():
        raise Conflict(
            f"The email {fields.email} belongs to someone else.",
            [FieldError("emails", "This email is already in use.")],
        )
    try:
        with transaction.atomic():
            User.objects.filter(pk=user.pk).update(
                email=fields.email, first_name=fields.given_name, last_name=fields.family_name
            )
    except IntegrityError as exc:  # another request took the address since the check above
        raise Conflict(
            f"The email {fields.email} belongs to someone else.",
            [FieldError("emails", "This email is already in use.")],
        ) from exc
    Profile.objects.update_or_create(
        user=user,
        defaults={
            "job_title": fields.title,
            "department": fields.department,
            "manager": manager,
        },
    )
    ScimIdentity.objects.update_or_create(
        user=user,
        defaults={
            "organization_id": actor.organization_id,
            "user_name": fields.user_name,
            "external_id": fields.external_id,
            "employee_number": fields.employee_number,
            "email_type": fields.email_type,
            "email_primary": fields.email_primary,
            "active_asserted": fields.active is not None,
            "deprovisioned_at": None,
        },
    )


def _apply_active(actor: Provisioner, user: User, active: bool | None) -> None:
    active = True if active is None else active
    user.refresh_from_db(fields=["is_active"])
    if active and not user.is_active:
        person_reactivate(actor=actor, user=user)
    elif not active and user.is_active:
        person_deactivate(actor=actor, user=user, reason=INACTIVE_REASON)


@transaction.atomic
def scim_user_create(*, actor: Provisioner, fields: PersonFields) -> User:
    """Create a person from a SCIM User (a member, who signs in with an emailed link).

    A userName already used in the organisation is a uniqueness Conflict. An email of a person
    the provider deleted earlier brings that same account back (a returning employee keeps
    their history); any other email already in Tandem is a Conflict.
    """
    fields = _clean_person(fields)
    returning = (
        User.objects.filter(
            organization_id=actor.organization_id,
            email__iexact=fields.email,
            scim_identity__deprovisioned_at__isnull=False,
        )
        .select_for_update(of=("self",))
        .first()
    )
    if _user_name_taken(actor, fields.user_name, returning):
        raise Conflict(
            f"userName {fields.user_name!r} is already in use in this organisation.",
            [FieldError("userName", "This userName is already in use.")],
        )
    if returning is not None:
        user = returning
    else:
        try:
            with transaction.atomic():
                user = user_create(
                    organization=Organization.objects.get(pk=actor.organization_id),
                    email=fields.email,
                    first_name=fields.given_name,
                    last_name=fields.family_name,
                )
        except IntegrityError as exc:
            raise Conflict(
                f"The email {fields.email} is already in use.",
                [FieldError("emails", "This email is already in use.")],
            ) from exc
    _write_person(actor, user, fields)
    _apply_active(actor, user, fields.active)
    return user


@transaction.atomic
def scim_user_replace(*, actor: Provisioner, user: User, fields: PersonFields) -> User:
    """Replace what SCIM manages about a person (PUT, and PATCH once applied). Turning
    `active` off or on deactivates or reactivates them through the lifecycle."""
    if user.organization_id != actor.organization_id:
        raise NotFound("No such user.")
    fields = _clean_person(fields)
    lock_rows(User, [user.pk])
    if _user_name_taken(actor, fields.user_name, user):
        raise Conflict(
            f"userName {fields.user_name!r} is already in use in this organisation.",
            [FieldError("userName", "This userName is already in use.")],
        )
    _write_person(actor, user, fields)
    _apply_active(actor, user, fields.active)
    return user


@transaction.atomic
def scim_user_delete(*, actor: Provisioner, user: User) -> None:
    """DELETE /Users/{id}: deactivate the person (history kept), take them out of every SCIM
    group, and stop serving them over SCIM."""
    if user.organization_id != actor.organization_id:
        raise NotFound("No such user.")
    person_deactivate(actor=actor, user=user, reason=DELETED_REASON)
    DirectoryGroupMember.objects.filter(user=user).delete()
    identity, created = ScimIdentity.objects.get_or_create(
        user=user,
        defaults={
            "organization_id": actor.organization_id,
            "user_name": user.email,
            "deprovisioned_at": timezone.now(),
        },
    )
    if not created:
        identity.deprovisioned_at = timezone.now()
        identity.save(update_fields=["deprovisioned_at", "updated_at"])


# --- groups ------------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupFields:
    display_name: str
    external_id: str = ""
    member_ids: tuple[str, ...] = ()


def _clean_group(actor: Provisioner, fields: GroupFields) -> tuple[GroupFields, list[int]]:
    name = " ".join(fields.display_name.split())
    if "\x00" in name or "\x00" in fields.external_id:
        raise InvalidInput.for_field("displayName", "displayName contains a NUL character.")
    if not name:
        raise InvalidInput.for_field("displayName", "displayName is required.")
    if len(name) > 255:
        raise InvalidInput.for_field("displayName", "displayName is longer than 255 characters.")
    wanted = {int(v) for v in fields.member_ids if v.isdigit() and len(v) < 18}
    known = set(
        User.objects.filter(organization_id=actor.organization_id, pk__in=wanted)
        .exclude(scim_identity__deprovisioned_at__isnull=False)
        .values_list("pk", flat=True)
    )
    unknown = [v for v in fields.member_ids if not (v.isdigit() and int(v) in known)]
    if unknown:
        raise InvalidInput.for_field(
            "members",
            "members[].value must be ids of users of this organisation; not: "
            + ", ".join(repr(v) for v in unknown[:10])
            + ".",
        )
    return GroupFields(name, fields.external_id[:255], fields.member_ids), sorted(known)


def _set_members(group: DirectoryGroup, member_ids: list[int]) -> None:
    DirectoryGroupMember.objects.filter(group=group).exclude(user_id__in=member_ids).delete()
    present = set(
        DirectoryGroupMember.objects.filter(group=group).values_list("user_id", flat=True)
    )
    DirectoryGroupMember.objects.bulk_create(
        [DirectoryGroupMember(group=group, user_id=pk) for pk in member_ids if pk not in present]
    )


def _name_conflict(name: str) -> Conflict:
    return Conflict(
        f"A group named {name!r} already exists in this organisation.",
        [FieldError("displayName", "This displayName is already in use.")],
    )


@transaction.atomic
def scim_group_create(*, actor: Provisioner, fields: GroupFields) -> DirectoryGroup:
    cleaned, member_ids = _clean_group(actor, fields)
    try:
        with transaction.atomic():
            group = DirectoryGroup.objects.create(
                organization_id=actor.organization_id,
                display_name=cleaned.display_name,
                external_id=cleaned.external_id,
            )
    except IntegrityError as exc:
        raise _name_conflict(cleaned.display_name) from exc
    _set_members(group, member_ids)
    return group


@transaction.atomic
def scim_group_replace(
    *, actor: Provisioner, group: DirectoryGroup, fields: GroupFields
) -> DirectoryGroup:
    if group.organization_id != actor.organization_id:
        raise NotFound("No such group.")
    cleaned, member_ids = _clean_group(actor, fields)
    locked = DirectoryGroup.objects.select_for_update().get(pk=group.pk)
    locked.display_name = cleaned.display_name
    locked.external_id = cleaned.external_id
    try:
        with transaction.atomic():
            locked.save(update_fields=["display_name", "external_id", "updated_at"])
    except IntegrityError as exc:
        raise _name_conflict(cleaned.display_name) from exc
    _set_members(locked, member_ids)
    return locked


@transaction.atomic
def scim_group_delete(*, actor: Provisioner, group: DirectoryGroup) -> None:
    if group.organization_id != actor.organization_id:
        raise NotFound("No such group.")
    DirectoryGroup.objects.filter(pk=group.pk).delete()
