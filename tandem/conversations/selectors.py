"""Every read of messages, through a thread the caller already holds by its guard:
`RelationshipAccess` (the pair) or `CircleAccess` (the circle's members)."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse

from tandem.accounts.models import User
from tandem.accounts.names import display_name
from tandem.conversations.models import Message, MessageRead
from tandem.conversations.permissions import CircleAccess, circle_access
from tandem.core.errors import InvalidInput, NotFound
from tandem.core.subqueries import count_of
from tandem.relationships.permissions import RelationshipAccess, relationship_access
from tandem.relationships.selectors import relationship_facts

RECENT = 50


@dataclass(frozen=True)
class Thread:
    """One conversation: a relationship's or a circle's, as `user` (a member) sees it."""

    user: User
    key: dict[str, Any]  # {"relationship": r} or {"circle": c}
    others: tuple[User, ...]
    url: str
    title: str


def thread_for_relationship(*, access: RelationshipAccess) -> Thread:
    if not access.is_party or access.partner is None:
        raise NotFound("No such relationship.")
    relationship = access.relationship
    partner = access.partner
    return Thread(
        user=access.user,
        key={"relationship": relationship},
        others=(partner,),
        url=reverse("conversations:relationship_thread", args=[relationship.pk]),
        title=f"Messages with {display_name(partner)}",
    )


def thread_for_circle(*, access: CircleAccess) -> Thread:
    circle = access.circle
    return Thread(
        user=access.user,
        key={"circle": circle},
        others=tuple(access.others),
        url=reverse("conversations:circle_thread", args=[circle.pk]),
        title=f"Circle: {circle}",
    )


def thread_access(
    *, actor: User, relationship_id: int | None = None, circle_id: int | None = None
) -> Thread:
    """The pair's thread (`relationship_id`) or the circle's (`circle_id`) through its guard:
    NotFound for anyone outside it."""
    if relationship_id is not None and circle_id is None:
        access = relationship_access(actor=actor, relationship_id=relationship_id)
        return thread_for_relationship(access=access)
    if circle_id is None or relationship_id is not None:
        raise InvalidInput("Name either a relationship or a circle.")
    return thread_for_circle(access=circle_access(actor=actor, circle_id=circle_id))


def message_list(*, thread: Thread, after_id: int | None = None) -> QuerySet[Message]:
    """The thread's messages, oldest first (newest last); only those after `after_id`."""
    queryset = Message.objects.select_related("author").filter(**thread.key)
    if after_id is not None:
        queryset = queryset.filter(pk__gt=after_id)
    return queryset.order_by("created_at", "id")


def message_list_recent(*, thread: Thread, limit: int = RECENT) -> list[Message]:
    """The last `limit` messages, newest last (one query)."""
    newest_first = (
        Message.objects.select_related("author")
        .filter(**thread.key)
        .order_by("-created_at", "-id")[:limit]
    )
    return list(reversed(list(newest_first)))


def message_unread_count(*, thread: Thread) -> int:
    """Messages others wrote after the caller last read the thread (one query)."""
    reads = MessageRead.objects.filter(user=thread.user, **thread.key)
    return (
        Message.objects.filter(**thread.key)
        .exclude(author=thread.user)
        .filter(Q(created_at__gt=Subquery(reads.values("last_read_at")[:1])) | ~Exists(reads))
        .count()
    )


def conversation_panel_facts(*, access: RelationshipAccess) -> dict[str, Any]:
    """The card's numbers, as subqueries on the relationship row (`relationship_facts`):
    unread messages from the partner, the latest message's time and author."""
    user = access.user
    messages = Message.objects.filter(relationship_id=OuterRef("pk"))
    reads = MessageRead.objects.filter(user=user, relationship_id=OuterRef(OuterRef("pk")))
    unread = messages.exclude(author=user).filter(
        Q(created_at__gt=Subquery(reads.values("last_read_at")[:1])) | ~Exists(reads)
    )
    latest = messages.order_by("-created_at", "-id")
    return {
        "conversation_unread": count_of(unread),
        "conversation_latest_at": Subquery(latest.values("created_at")[:1]),
        "conversation_latest_author_id": Subquery(latest.values("author_id")[:1]),
    }


def conversation_panel(*, access: RelationshipAccess, facts: dict[str, Any] | None = None) -> dict:
    """The workspace card: unread messages from the partner and the latest message's time,
    from `facts` (`conversation_panel_facts`, read once for every card, or here in one query
    when none are handed over). Never a message's text: the hub shows only counts."""
    thread = thread_for_relationship(access=access)
    if facts is None:
        facts = relationship_facts(
            relationship_id=access.relationship.pk,
            facts=conversation_panel_facts(access=access),
        )
    unread = facts["conversation_unread"]
    latest_at = facts["conversation_latest_at"]
    partner = thread.others[0]
    name = display_name(partner)
    next_items = (
        [
            {
                "text": f"{unread} unread message{'s' if unread != 1 else ''} from {name}",
                "url": thread.url,
                "due": None,
                "overdue": False,
            }
        ]
        if unread
        else []
    )
    circle = access.relationship.circle
    return {
        "unread": unread,
        "latest_at": latest_at,
        "latest_from_me": bool(
            latest_at and facts["conversation_latest_author_id"] == access.user.pk
        ),
        "partner_name": name,
        "url": thread.url,
        "circle_url": (
            reverse("conversations:circle_thread", args=[circle.pk]) if circle is not None else ""
        ),
        "next_items": next_items,
    }
