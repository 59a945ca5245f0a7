"""Every read about action items, through the relationship's guard (or, for the programme
view and the meetings app, for a relationship the caller already holds)."""

import datetime
from typing import Any

from django.db.models import Count, F, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.accounts.models import User
from tandem.accounts.names import short_name
from tandem.actions.models import ActionItem, ActionItemStatus
from tandem.core.errors import InvalidInput, NotFound
from tandem.core.subqueries import count_of
from tandem.people.selectors import profile_zone_get
from tandem.relationships.models import Relationship
from tandem.relationships.permissions import RelationshipAccess
from tandem.relationships.selectors import relationship_facts

PANEL_ITEMS = 5


def viewer_today(user: User) -> datetime.date:
    """Today's date where the person is (due dates are days in their own calendar)."""
    return timezone.now().astimezone(profile_zone_get(user=user)).date()


def _ordered(queryset: QuerySet[ActionItem]) -> QuerySet[ActionItem]:
    return queryset.select_related("owner", "created_by").order_by(
        F("due_on").asc(nulls_last=True), "created_at", "id"
    )


def action_item_list_open(*, relationship: Relationship) -> list[ActionItem]:
    """The relationship's open actions, soonest due first (no due date last), owners loaded.
    The caller has guarded `relationship` (the meetings app lists them on the next agenda)."""
    return list(_ordered(ActionItem.objects.filter(relationship=relationship, status="open")))


def action_item_list_overdue(
    *, relationship: Relationship, today: datetime.date
) -> list[ActionItem]:
    """Open actions due before `today`."""
    return list(
        _ordered(
            ActionItem.objects.filter(
                relationship=relationship, status=ActionItemStatus.OPEN, due_on__lt=today
            )
        )
    )


def action_item_list(*, access: RelationshipAccess, status: str = "") -> QuerySet[ActionItem]:
    """The relationship's actions for one of the pair: open ones by due date, closed ones
    most recently closed first; `status` (open, done, not_done) filters."""
    if not access.is_party:
        raise NotFound(_("No such relationship."))
    queryset = ActionItem.objects.filter(relationship=access.relationship).select_related(
        "owner", "created_by"
    )
    if status:
        if status not in ActionItemStatus.values:
            raise InvalidInput.for_field(
                "status", f"'{status}' is not a status (open, done or not_done)."
            )
        queryset = queryset.filter(status=status)
    if status == ActionItemStatus.OPEN:
        return _ordered(queryset)
    if status:
        return queryset.order_by("-closed_at", "-id")
    return queryset.order_by(
        F("closed_at").desc(nulls_first=True),
        F("due_on").asc(nulls_last=True),
        "created_at",
        "id",
    )


def action_item_list_closed(*, access: RelationshipAccess) -> QuerySet[ActionItem]:
    """Done and not-done actions, most recently closed first."""
    if not access.is_party:
        raise NotFound(_("No such relationship."))
    return (
        ActionItem.objects.filter(relationship=access.relationship)
        .exclude(status=ActionItemStatus.OPEN)
        .select_related("owner", "created_by")
        .order_by("-closed_at", "-id")
    )


def action_item_get(*, access: RelationshipAccess, action_item_id: int) -> ActionItem:
    if not access.is_party:
        raise NotFound(_("No such relationship."))
    item = (
        ActionItem.objects.select_related("owner", "created_by")
        .filter(pk=action_item_id, relationship=access.relationship)
        .first()
    )
    if item is None:
        raise NotFound(_("No such action item."))
    return item


def mark_overdue(items: list[ActionItem], *, today: datetime.date) -> set[int]:
    """Flag each open item (`is_overdue`, for templates); returns the overdue ones' ids."""
    overdue = set()
    for item in items:
        is_overdue = item.status == ActionItemStatus.OPEN and item.due_on is not None
        is_overdue = is_overdue and item.due_on < today  # type: ignore[operator]
        item.is_overdue = is_overdue  # type: ignore[attr-defined]
        if is_overdue:
            overdue.add(item.pk)
    return overdue


def actions_panel_facts(*, access: RelationshipAccess) -> dict[str, Any]:
    """The card's numbers, as subqueries on the relationship row (`relationship_facts`)."""
    return {
        "actions_done": count_of(
            ActionItem.objects.filter(relationship_id=OuterRef("pk"), status=ActionItemStatus.DONE)
        )
    }


def actions_panel(
    *, access: RelationshipAccess, facts: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The workspace card: open actions (overdue flagged), how many are done. Two queries at
    most (the viewer's timezone, the open actions); the done count comes in `facts`, read once
    for every card (`actions_panel_facts`), or here when no facts are handed over."""
    relationship = access.relationship
    today = viewer_today(access.user)
    open_items = action_item_list_open(relationship=relationship)
    if facts is None:
        facts = relationship_facts(
            relationship_id=relationship.pk, facts=actions_panel_facts(access=access)
        )
    done = facts["actions_done"]
    overdue = mark_overdue(open_items, today=today)
    page = reverse("actions:list", args=[relationship.pk])
    return {
        "url": page,
        "today": today,
        "open_items": open_items[:PANEL_ITEMS],
        "open_count": len(open_items),
        "overdue_count": len(overdue),
        "done_count": done,
        "next_items": [
            {
                "text": f"{item.title} ({short_name(item.owner)})",
                "url": f"{page}#action-{item.pk}",
                "due": item.due_on,
                "overdue": item.pk in overdue,
            }
            for item in open_items
        ],
    }


def action_counts_by_relationship(
    *, relationship_ids: list[int], today: datetime.date | None = None
) -> dict[int, dict[str, int]]:
    """For each relationship: {"open", "overdue", "done"} action counts — one query, zeros for
    relationships without actions. Signals only (no titles): fit for the programme view."""
    today = today or timezone.localdate()
    counts: dict[int, dict[str, int]] = {
        relationship_id: {"open": 0, "overdue": 0, "done": 0}
        for relationship_id in relationship_ids
    }
    rows = (
        ActionItem.objects.filter(relationship_id__in=relationship_ids)
        .values("relationship_id")
        .annotate(
            open=Count("id", filter=Q(status=ActionItemStatus.OPEN)),
            overdue=Count("id", filter=Q(status=ActionItemStatus.OPEN, due_on__lt=today)),
            done=Count("id", filter=Q(status=ActionItemStatus.DONE)),
        )
        .order_by()
    )
    for row in rows:
        counts[row["relationship_id"]] = {
            "open": row["open"],
            "overdue": row["overdue"],
            "done": row["done"],
        }
    return counts
