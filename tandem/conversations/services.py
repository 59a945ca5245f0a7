"""Every write to a conversation: posting a message and remembering how far someone read.

A relationship's message notes "X sent a message" on the pair's timeline (never the text);
circle messages leave no timeline event (one circle message is not a pair's activity).
The other members are told in the `messages` category, which respects their preference."""

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from tandem.accounts.models import User
from tandem.accounts.names import display_name
from tandem.conversations import selectors
from tandem.conversations.models import Message, MessageRead
from tandem.conversations.permissions import circle_access
from tandem.core.errors import InvalidInput
from tandem.notifications.models import NotificationCategory
from tandem.notifications.services import notification_send
from tandem.relationships.models import RelationshipEventKind
from tandem.relationships.permissions import relationship_access
from tandem.relationships.services import relationship_record_activity

MAX_BODY = 5000
PREVIEW = 280


def _clean_body(body: str) -> str:
    body = body.strip()
    if not body:
        raise InvalidInput.for_field("body", "Write a message first.")
    if len(body) > MAX_BODY:
        raise InvalidInput.for_field(
            "body", f"A message holds at most {MAX_BODY} characters ({len(body)} given)."
        )
    return body


def _post(*, thread: selectors.Thread, body: str) -> Message:
    actor = thread.user
    message = Message.objects.create(author=actor, body=_clean_body(body), **thread.key)
    _mark_read(thread=thread, moment=message.created_at)
    preview = message.body if len(message.body) <= PREVIEW else message.body[:PREVIEW] + "…"
    # The message goes only to the people of the thread, so its start may travel with it.
    notification_send(
        recipients=thread.others,
        category=NotificationCategory.MESSAGES,
        subject=f"New message from {display_name(actor)}",
        body=f"{display_name(actor)} wrote:\n\n{preview}",
        url=thread.url,
    )
    return message


@transaction.atomic
def message_post(*, actor: User, relationship_id: int, body: str) -> Message:
    """Send a message in the pair's thread (the pair only; an open relationship)."""
    access = relationship_access(actor=actor, relationship_id=relationship_id)
    access.require_open()
    message = _post(thread=selectors.thread_for_relationship(access=access), body=body)
    relationship_record_activity(
        relationship=access.relationship,
        actor=actor,
        kind=RelationshipEventKind.MESSAGE,
        summary=f"{display_name(actor)} sent a message",
    )
    return message


@transaction.atomic
def circle_message_post(*, actor: User, circle_id: int, body: str) -> Message:
    """Send a message to everyone in the circle (its members only)."""
    access = circle_access(actor=actor, circle_id=circle_id)
    return _post(thread=selectors.thread_for_circle(access=access), body=body)


def _mark_read(*, thread: selectors.Thread, moment: datetime.datetime) -> None:
    # Only ever forward; an upsert on the unique constraint, safe when two tabs race.
    moved = MessageRead.objects.filter(user=thread.user, **thread.key).filter(
        last_read_at__lt=moment
    )
    if moved.update(last_read_at=moment):
        return
    if MessageRead.objects.filter(user=thread.user, **thread.key).exists():
        return
    try:
        with transaction.atomic():
            MessageRead.objects.create(user=thread.user, last_read_at=moment, **thread.key)
    except IntegrityError:
        MessageRead.objects.filter(user=thread.user, last_read_at__lt=moment, **thread.key).update(
            last_read_at=moment
        )


@transaction.atomic
def message_mark_read(
    *, actor: User, relationship_id: int | None = None, circle_id: int | None = None
) -> selectors.Thread:
    """Everything in the thread up to now is read by `actor` (a member of the thread)."""
    thread = selectors.thread_access(
        actor=actor, relationship_id=relationship_id, circle_id=circle_id
    )
    _mark_read(thread=thread, moment=timezone.now())
    return thread
