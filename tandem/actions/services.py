"""Every write about action items. The guard (`relationship_access`) comes first in each one:
only the mentor and the mentee of the relationship work on its actions, and only while it is
open (proposed, active or paused)."""

import datetime
import enum
import uuid

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.accounts.models import User
from tandem.accounts.names import display_name
from tandem.actions.models import ActionItem, ActionItemStatus
from tandem.core.errors import Conflict, FieldError, Forbidden, InvalidInput, NotFound
from tandem.relationships.models import RelationshipEventKind
from tandem.relationships.permissions import RelationshipAccess, relationship_access
from tandem.relationships.services import relationship_record_activity

TITLE_MAX = 200
REFLECTION_MAX = 4000


class Unchanged(enum.Enum):
    """Marks an argument of `action_item_update` the caller leaves as it is."""

    TOKEN = 0


UNCHANGED = Unchanged.TOKEN


def _clean_title(title: str, field: str = "title") -> str:
    title = " ".join(title.split())
    if not title:
        raise InvalidInput.for_field(field, _("Say what will be practised."))
    if len(title) > TITLE_MAX:
        raise InvalidInput.for_field(
            field, _("Keep it to %(max)d characters.") % {"max": TITLE_MAX}
        )
    return title


def _pair_member(access: RelationshipAccess, user_id: int, field: str) -> User:
    relationship = access.relationship
    for person in (relationship.mentor.user, relationship.mentee.user):
        if person.pk == user_id:
            return person
    raise InvalidInput.for_field(
        field, _("The owner must be the mentor or the mentee of this pair.")
    )


def _item(access: RelationshipAccess, action_item_id: int, *, lock: bool = False) -> ActionItem:
    queryset = ActionItem.objects.select_related("owner").filter(
        pk=action_item_id, relationship=access.relationship
    )
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    item = queryset.first()
    if item is None:
        raise NotFound(_("No such action item."))
    return item


def _replayed(
    access: RelationshipAccess, client_key: uuid.UUID, title: str, owner: User
) -> ActionItem | None:
    """The item an earlier request with this idempotency key created, if any. The key names one
    request: reusing it for a different action is a mistake the caller hears about (409)."""
    item = ActionItem.objects.filter(
        relationship=access.relationship, client_key=client_key
    ).first()
    if item is None:
        return None
    if item.title != title or item.owner_id != owner.pk:
        message = _("This key was already used for a different action item.")
        raise Conflict(message, [FieldError("client_key", message)])
    return item


@transaction.atomic
def action_item_create(
    *,
    access: RelationshipAccess,
    title: str,
    owner: User,
    due_on: datetime.date | None,
    created_by: User | None = None,
    client_key: uuid.UUID | None = None,
) -> ActionItem:
    """Agree an action for one of the pair (`owner`) to practise, optionally by `due_on`.

    `access` is the caller's guarded view of the relationship (a party's: managers have none).
    Raises Conflict when the relationship is completed or ended, InvalidInput (`title`,
    `owner`) when the title is empty or too long or the owner is not one of the pair.
    `created_by` defaults to the caller. Notes the action on the pair's timeline.

    `client_key` makes the request idempotent: a request repeated with the same key (a phone
    sending again what it queued offline, a retry after a lost answer) returns the item the
    first one created and records nothing more; the same key with a different title or owner
    is a Conflict. Concurrent requests with one key meet at the unique constraint.
    """
    if not access.is_party:
        raise NotFound(_("No such relationship."))
    title = _clean_title(title)
    owner = _pair_member(access, owner.pk, "owner")
    if client_key is not None:
        earlier = _replayed(access, client_key, title, owner)
        if earlier is not None:
            return earlier
    access.require_open()
    try:
        with transaction.atomic():
            item = ActionItem.objects.create(
                relationship=access.relationship,
                title=title,
                owner=owner,
                due_on=due_on,
                created_by=created_by or access.user,
                client_key=client_key,
            )
    except IntegrityError:
        # Another request with the same key committed between the look-up and the insert.
        earlier = _replayed(access, client_key, title, owner) if client_key else None
        if earlier is None:
            raise
        return earlier
    relationship_record_activity(
        relationship=access.relationship,
        actor=access.user,
        kind=RelationshipEventKind.ACTION_CREATED,
        summary=f"Action agreed for {display_name(owner)}: {title}",
    )
    return item


def action_item_add(
    *,
    actor: User,
    relationship_id: int,
    title: str,
    owner_id: int,
    due_on: datetime.date | None,
    client_key: uuid.UUID | None = None,
) -> ActionItem:
    """`action_item_create` for a request: guards the relationship and finds the owner by id
    (InvalidInput on `owner_id` when they are not one of the pair). `client_key`: the
    request's idempotency key (see `action_item_create`)."""
    access = relationship_access(actor=actor, relationship_id=relationship_id)
    owner = _pair_member(access, owner_id, "owner_id")
    return action_item_create(
        access=access, title=title, owner=owner, due_on=due_on, client_key=client_key
    )


@transaction.atomic
def action_item_update(
    *,
    actor: User,
    relationship_id: int,
    action_item_id: int,
    title: str | Unchanged = UNCHANGED,
    owner_id: int | Unchanged = UNCHANGED,
    due_on: datetime.date | Unchanged | None = UNCHANGED,
) -> ActionItem:
    """Change an action's title, owner or due date (None clears it); either of the pair.
    Arguments left UNCHANGED stay as they are. Nothing is written when one is invalid."""
    access = relationship_access(actor=actor, relationship_id=relationship_id)
    access.require_open()
    item = _item(access, action_item_id, lock=True)
    fields: list[str] = []
    errors: list[FieldError] = []
    if not isinstance(title, Unchanged):
        try:
            item.title = _clean_title(title)
            fields.append("title")
        except InvalidInput as error:
            errors += error.errors
    if not isinstance(owner_id, Unchanged):
        try:
            item.owner = _pair_member(access, owner_id, "owner_id")
            fields.append("owner")
        except InvalidInput as error:
            errors += error.errors
    if not isinstance(due_on, Unchanged):
        item.due_on = due_on
        fields.append("due_on")
    if errors:
        raise InvalidInput(_("Some of the changes are not valid."), errors=errors)
    if fields:
        item.save(update_fields=fields)
    return item


@transaction.atomic
def action_item_close(
    *,
    actor: User,
    relationship_id: int,
    action_item_id: int,
    outcome: str,
    reflection: str = "",
) -> ActionItem:
    """Close an open action as done or not done, with what was noticed; either of the pair.

    Conflict when it is already closed (two people closing at once: one wins, the other is
    told). Done actions are celebrated on the pair's timeline.
    """
    if outcome not in (ActionItemStatus.DONE, ActionItemStatus.NOT_DONE):
        raise InvalidInput.for_field("outcome", _("Say whether it was done or not done."))
    reflection = reflection.strip()
    if len(reflection) > REFLECTION_MAX:
        raise InvalidInput.for_field(
            "reflection", _("Keep it to %(max)d characters.") % {"max": REFLECTION_MAX}
        )
    access = relationship_access(actor=actor, relationship_id=relationship_id)
    access.require_open()
    item = _item(access, action_item_id, lock=True)
    if item.status != ActionItemStatus.OPEN:
        raise Conflict(
            _("This action is already closed as %(status)s.")
            % {"status": item.get_status_display().lower()}
        )
    item.status = outcome
    item.reflection = reflection
    item.closed_at = timezone.now()
    item.save(update_fields=["status", "reflection", "closed_at"])
    if outcome == ActionItemStatus.DONE:
        relationship_record_activity(
            relationship=access.relationship,
            actor=actor,
            kind=RelationshipEventKind.ACTION_DONE,
            summary=f"{display_name(item.owner)} did: {item.title}",
        )
    return item


@transaction.atomic
def action_item_reopen(*, actor: User, relationship_id: int, action_item_id: int) -> ActionItem:
    """Open a closed action again (the reflection is kept); either of the pair. Conflict when it
    is open already."""
    access = relationship_access(actor=actor, relationship_id=relationship_id)
    access.require_open()
    item = _item(access, action_item_id, lock=True)
    if item.status == ActionItemStatus.OPEN:
        raise Conflict(_("This action is open already."))
    item.status = ActionItemStatus.OPEN
    item.closed_at = None
    item.save(update_fields=["status", "closed_at"])
    return item


@transaction.atomic
def action_item_delete(*, actor: User, relationship_id: int, action_item_id: int) -> None:
    """Delete an action; only the person who agreed it or its owner (Forbidden otherwise)."""
    access = relationship_access(actor=actor, relationship_id=relationship_id)
    access.require_open()
    item = _item(access, action_item_id, lock=True)
    if actor.pk not in (item.owner_id, item.created_by_id):
        raise Forbidden(_("Only the person who agreed this action or its owner can delete it."))
    item.delete()
