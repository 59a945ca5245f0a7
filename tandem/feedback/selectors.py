"""Every read about feedback, through the relationship's guard: the pair only."""

import datetime
from typing import Any

from django.db.models import OuterRef, QuerySet
from django.urls import reverse
from django.utils import timezone

from tandem.accounts.names import short_name
from tandem.core.errors import NotFound
from tandem.core.subqueries import count_of, latest_of
from tandem.feedback.models import Feedback
from tandem.relationships.permissions import RelationshipAccess
from tandem.relationships.selectors import relationship_facts

# After this long without giving feedback, the hub suggests giving some.
FEEDBACK_EVERY = datetime.timedelta(days=90)


def _party(access: RelationshipAccess) -> None:
    if not access.is_party:
        raise NotFound("No such relationship.")


def feedback_list(*, access: RelationshipAccess) -> QuerySet[Feedback]:
    """All the pair's feedback, newest first, authors loaded."""
    _party(access)
    return (
        Feedback.objects.filter(relationship=access.relationship)
        .select_related("author")
        .order_by("-created_at", "-id")
    )


def feedback_get(*, access: RelationshipAccess, feedback_id: int) -> Feedback:
    _party(access)
    feedback = (
        Feedback.objects.select_related("author")
        .filter(pk=feedback_id, relationship=access.relationship)
        .first()
    )
    if feedback is None:
        raise NotFound("No such feedback.")
    return feedback


def feedback_panel_facts(*, access: RelationshipAccess) -> dict[str, Any]:
    """The card's numbers, as subqueries on the relationship row (`relationship_facts`)."""
    _party(access)
    user_id = access.user.pk
    feedback = Feedback.objects.filter(relationship_id=OuterRef("pk"))
    given = feedback.filter(author_id=user_id)
    received = feedback.exclude(author_id=user_id)
    return {
        "feedback_given": count_of(given),
        "feedback_received": count_of(received),
        "feedback_last_given_at": latest_of(given, "created_at"),
        "feedback_last_received_at": latest_of(received, "created_at"),
    }


def feedback_panel(
    *, access: RelationshipAccess, facts: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The workspace card: how much feedback each side has given, and — once the relationship
    has run three months with none from the viewer in three months — a nudge to give some.
    The numbers come in `facts` (`feedback_panel_facts`, read once for every card, or here in
    one query when none are handed over)."""
    _party(access)
    relationship = access.relationship
    if facts is None:
        facts = relationship_facts(
            relationship_id=relationship.pk, facts=feedback_panel_facts(access=access)
        )
    stats = {
        name: facts[f"feedback_{name}"]
        for name in ("given", "received", "last_given_at", "last_received_at")
    }
    url = reverse("feedback:list", args=[relationship.pk])
    now = timezone.now()
    started = relationship.activated_at or relationship.created_at
    last = stats["last_given_at"] or started
    next_items: list[dict[str, Any]] = []
    if access.is_open and now - last >= FEEDBACK_EVERY:
        partner = access.partner
        whom = short_name(partner) if partner is not None else "your partner"
        next_items.append(
            {
                "text": f"Give {whom} feedback"
                if access.side == "mentor"
                else f"Tell {whom} how the mentoring is going",
                "url": url,
                "due": None,
                "overdue": False,
            }
        )
    return {"url": url, **stats, "next_items": next_items}
