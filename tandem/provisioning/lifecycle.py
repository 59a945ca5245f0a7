"""A person's lifecycle in their organisation: deactivation (they left, or went on long
leave) and reactivation. Both the admin's member page and SCIM (`active: false`, DELETE) come
here; accounts' `user_set_active` stays the bare switch for sign-in only.

Deactivating:
- sets `is_active = False` (every session is refused from the next request: Django's backend
  answers no user for an inactive account), deletes the person's stored sessions, and revokes
  their personal API tokens;
- pauses each of their *active* relationships and ends each *proposed* one (it never started,
  and ending it frees the places); relationships already paused are left alone. Pausing keeps
  the pair's workspace and history and makes reactivation meaningful;
- tells each partner (through `relationship_transition`) and each programme's managers, with
  the relationships affected and what they can do; the reason the admin or the identity
  provider gave stays in the deactivation record, never in a message (it may be an HR matter);
- keeps a `PersonDeactivation` row (and the relationships it paused) for reporting.

Reactivating restores sign-in (API tokens stay revoked: the person makes new ones), resumes
the relationships this deactivation paused that are still paused and whose partner is active,
and tells the managers which ones it resumed and which it left for them to decide.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.sessions.models import Session
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from tandem.accounts.models import ApiToken, Role, User
from tandem.core.errors import Conflict, InvalidInput
from tandem.core.personal_data import FORMER_MEMBER
from tandem.core.transactions import lock_rows
from tandem.notifications.models import NotificationCategory
from tandem.notifications.services import notification_send
from tandem.provisioning.actors import Actor, actor_label, require_provisioning
from tandem.provisioning.models import PersonDeactivation
from tandem.relationships.models import Relationship, RelationshipStatus
from tandem.relationships.selectors import relationship_ids_of_user
from tandem.relationships.services import relationship_transition
from tandem.webhooks.services import person_deactivated_emit

REASON_MAX = 300


def _open_relationships(user: User) -> list[Relationship]:
    return list(
        Relationship.objects.select_related("program", "mentor__user", "mentee__user")
        .filter(pk__in=relationship_ids_of_user(user=user))
        .filter(status__in=[RelationshipStatus.PROPOSED, RelationshipStatus.ACTIVE])
        .order_by("pk")
    )


def _partner(relationship: Relationship, user: User) -> User:
    if relationship.mentor.user_id == user.pk:
        return relationship.mentee.user
    return relationship.mentor.user


def _sessions_end(user: User) -> int:
    """Delete the stored sessions of `user`. The session table is keyed by session, not by
    person, so this reads the unexpired ones; deactivation is rare and the inactive flag has
    already refused every one of them."""
    now = timezone.now()
    doomed = []
    for session in Session.objects.filter(expire_date__gt=now).iterator(chunk_size=500):
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            doomed.append(session.session_key)
    Session.objects.filter(session_key__in=doomed).delete()
    return len(doomed)


def _transition_actor(actor: Actor, user: User) -> User:
    # An admin appears on the pair's timeline as themselves; the identity provider is no
    # person, so the change is recorded as the person's own (with the reason saying why).
    return actor if isinstance(actor, User) else user


def _tell_managers(
    *, relationships: Iterable[Relationship], subject: str, lines_for: dict[int, list[str]]
) -> None:
    by_program: dict[int, list[Relationship]] = defaultdict(list)
    for relationship in relationships:
        by_program[relationship.program_id].append(relationship)
    if not by_program:
        return
    managers = User.objects.filter(
        managed_programs__in=list(by_program), is_active=True
    ).values_list("managed_programs", "pk")
    recipients: dict[int, list[int]] = defaultdict(list)
    for program_id, user_id in managers:
        recipients[program_id].append(user_id)
    people = {
        u.pk: u for u in User.objects.filter(pk__in={p for v in recipients.values() for p in v})
    }
    for program_id, group in by_program.items():
        program = group[0].program
        body = "\n".join(
            [f"In {program.name}:"] + [line for r in group for line in lines_for[r.pk]]
        )
        notification_send(
            recipients=[people[pk] for pk in recipients.get(program_id, [])],
            category=NotificationCategory.RELATIONSHIP,
            subject=subject,
            body=body,
            url=reverse("programs:detail", args=[program_id]),
        )


def require_not_last_admin(user: User, organization_id: int) -> None:
    if user.role != Role.ORG_ADMIN:
        return
    others = User.objects.filter(
        organization_id=organization_id, role=Role.ORG_ADMIN, is_active=True
    ).exclude(pk=user.pk)
    if not others.exists():
        raise Conflict(
            f"{user.email} is the organisation's last active admin; make someone else an "
            "admin before deactivating them."
        )


@transaction.atomic
def person_deactivate(
    *, actor: Actor, user: User, reason: str, for_erasure: bool = False
) -> PersonDeactivation:
    """Take `user` out of Tandem for now, keeping their history (see the module's text).

    Org admins of the person's organisation and its SCIM tokens only (anyone else: NotFound).
    Deactivating someone already deactivated returns the open record and changes nothing.
    `for_erasure`: the first step of erasing the person (privacy's `erasure_execute`). Nobody
    can reactivate an erased person, so partners and managers are told what happened instead
    (they left, their private data is deleted, what was shared stays under "Former member"),
    never that the pair resumes on reactivation.
    """
    organization_id = require_provisioning(actor=actor, organization_id=user.organization_id)
    reason = " ".join(reason.split())
    if not reason:
        raise InvalidInput.for_field("reason", "Say why the person is being deactivated.")
    if len(reason) > REASON_MAX:
        raise InvalidInput.for_field("reason", f"Keep the reason under {REASON_MAX} characters.")
    if isinstance(actor, User) and actor.pk == user.pk:
        raise Conflict("You cannot deactivate yourself.")
    lock_rows(User, [user.pk])
    user.refresh_from_db(fields=["is_active", "role"])
    current = PersonDeactivation.objects.filter(user=user, reactivated_at__isnull=True).first()
    if current is not None:
        return current
    require_not_last_admin(user, organization_id)
    now = timezone.now()
    User.objects.filter(pk=user.pk).update(is_active=False)
    user.is_active = False
    ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=now, updated_at=now
    )
    _sessions_end(user)
    deactivation = PersonDeactivation.objects.create(
        organization_id=organization_id,
        user=user,
        reason=reason,
        deactivated_by=actor if isinstance(actor, User) else None,
        deactivated_via=actor_label(actor)[:120],
    )
    mover = _transition_actor(actor, user)
    told = (
        f"{user.display_name} left Tandem and their personal data was erased: their private "
        "data is deleted; what you shared (messages, meeting notes, goals) stays, shown as "
        f'written by "{FORMER_MEMBER}".'
        if for_erasure
        else f"{user.display_name}'s access to Tandem was deactivated."
    )
    relationships = _open_relationships(user)
    lines: dict[int, list[str]] = {}
    paused = []
    for relationship in relationships:
        partner = _partner(relationship, user)
        if relationship.status == RelationshipStatus.ACTIVE:
            relationship_transition(
                actor=mover, relationship_id=relationship.pk, action="pause", reason=told
            )
            paused.append(relationship)
            lines[relationship.pk] = [
                f"- {user.display_name} with {partner.display_name}: paused for good, since "
                f"{user.display_name} left and their private data was deleted (shared items "
                f'stay, shown as written by "{FORMER_MEMBER}"). End it from the '
                f"relationship's page; {partner.display_name} may want a new match."
                if for_erasure
                else f"- {user.display_name} with {partner.display_name}: paused. It resumes "
                "if they are reactivated; you can end it from the relationship's page."
            ]
        else:
            relationship_transition(
                actor=mover, relationship_id=relationship.pk, action="end", reason=told
            )
            lines[relationship.pk] = [
                f"- {user.display_name} with {partner.display_name}: proposed, now ended. "
                f"{partner.display_name} may need a new match."
            ]
    deactivation.paused.set(paused)
    _tell_managers(
        relationships=relationships,
        subject=f"{user.display_name} left Tandem: their personal data was erased"
        if for_erasure
        else f"{user.display_name} was deactivated",
        lines_for=lines,
    )
    # The organisation's webhook endpoints are owed the event in this transaction (never the
    # reason: it may say why someone left).
    person_deactivated_emit(
        organization_id=organization_id,
        person_id=user.pk,
        email=user.email,
        deactivated_at=deactivation.created_at,
    )
    return deactivation


@transaction.atomic
def person_reactivate(*, actor: Actor, user: User) -> PersonDeactivation | None:
    """Let `user` back in and resume what their deactivation paused (see the module's text).

    Returns the deactivation it closed, or None when the person was not deactivated through
    here (then only the sign-in switch is turned back on). Reactivating an active person
    changes nothing.
    """
    require_provisioning(actor=actor, organization_id=user.organization_id)
    lock_rows(User, [user.pk])
    user.refresh_from_db(fields=["is_active"])
    current = (
        PersonDeactivation.objects.select_for_update(of=("self",))
        .filter(user=user, reactivated_at__isnull=True)
        .first()
    )
    if user.is_active and current is None:
        return None
    User.objects.filter(pk=user.pk).update(is_active=True)
    user.is_active = True
    if current is None:
        return None
    current.reactivated_at = timezone.now()
    current.save(update_fields=["reactivated_at", "updated_at"])
    mover = _transition_actor(actor, user)
    candidates = list(
        current.paused.select_related("program", "mentor__user", "mentee__user").order_by("pk")
    )
    lines: dict[int, list[str]] = {}
    told = []
    for relationship in candidates:
        partner = _partner(relationship, user)
        if relationship.status != RelationshipStatus.PAUSED:
            continue
        told.append(relationship)
        if partner.is_active:
            relationship_transition(
                actor=mover,
                relationship_id=relationship.pk,
                action="resume",
                reason=f"{user.display_name}'s access to Tandem was restored.",
            )
            lines[relationship.pk] = [
                f"- {user.display_name} with {partner.display_name}: resumed."
            ]
        else:
            lines[relationship.pk] = [
                f"- {user.display_name} with {partner.display_name}: still paused, because "
                f"{partner.display_name} is deactivated. Resume or end it from its page."
            ]
    _tell_managers(
        relationships=told,
        subject=f"{user.display_name} was reactivated",
        lines_for=lines,
    )
    return current


@dataclass(frozen=True)
class PairEffect:
    """What deactivating a person does to one of their open relationships."""

    relationship_id: int
    program: str
    partner: str
    becomes: str  # "paused" or "ended"


@dataclass(frozen=True)
class DeactivationPreview:
    """What `person_deactivate` would do to `user`, read without changing anything, so the
    confirm page says it before the admin commits to it."""

    user: User
    pairs: list[PairEffect]
    managers_told: list[str]
    tokens_revoked: int


def person_deactivation_preview(*, actor: Actor, user: User) -> DeactivationPreview:
    """Read what deactivating `user` would pause, end and tell; the same guard as the write."""
    require_provisioning(actor=actor, organization_id=user.organization_id)
    relationships = _open_relationships(user)
    pairs = [
        PairEffect(
            relationship_id=relationship.pk,
            program=relationship.program.name,
            partner=_partner(relationship, user).display_name,
            becomes="paused" if relationship.status == RelationshipStatus.ACTIVE else "ended",
        )
        for relationship in relationships
    ]
    managers = (
        User.objects.filter(
            managed_programs__in={r.program_id for r in relationships}, is_active=True
        )
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )
    return DeactivationPreview(
        user=user,
        pairs=pairs,
        managers_told=[manager.display_name for manager in managers],
        tokens_revoked=ApiToken.objects.filter(user=user, revoked_at__isnull=True).count(),
    )
