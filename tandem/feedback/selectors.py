"""Every read about feedback, through the relationship's guard: the pair only."""

import datetime
from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from tandem.accounts.names import short_name
from tandem.core.errors import NotFound
from tandem.feedback.models import Feedback
from tandem.relationships.permissions import RelationshipAccess

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


def feedback_panel(*, access: RelationshipAccess) -> dict[str, Any]:
    """The workspace card (one query): how much feedback each side has given, and — once the
    relationship has run three months with none from the viewer in three months — a nudge to
    give some."""
    _party(access)
    relationship = access.relationship
    user_id = access.user.pk
    stats = Feedback.objects.filter(relationship=relationship).aggregate(
        given=Count("id", filter=Q(author_id=user_id)),
        received=Count("id", filter=~Q(author_id=user_id)),
        last_given_at=Max("created_at", filter=Q(author_id=user_id)),
        last_received_at=Max("created_at", filter=~Q(author_id=user_id)),
    )
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
