"""Every read about goals. The pair's goals are read through the relationship's guard (the
caller passes the RelationshipAccess it got); the programme manager's signal
(`goal_progress_by_relationship`) gives only percentages, never the goals themselves.

Which goals are which has one definition, owned here: an ACTIVE goal is being worked on; an
ACHIEVED goal is completed; the goals that count (active or achieved, `COUNTED_STATUSES`) are
the pair's goals: shown, averaged in the progress signal, and "goals set" for the journey.
Each is exposed per goal (`goal_is_active`, `goal_is_completed`, `goal_is_counted`) and
set-based (`active_goal`, `completed_goal`, `counted_goal`, `goals_set_exists`) for the other
apps' querysets.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from tandem.accounts.models import User
from tandem.core.errors import NotFound
from tandem.goals.models import (
    COUNTED_STATUSES,
    Goal,
    GoalChange,
    GoalComment,
    GoalStatus,
    Milestone,
    ProgressMode,
    derived_progress,
)
from tandem.people.selectors import profile_zone_get
from tandem.relationships.permissions import RelationshipAccess

# Milestones due within this many days show in the workspace's "what's next".
DUE_SOON_DAYS = 14
# Milestones reached and goals achieved this recently are celebrated on the pages.
CELEBRATE_DAYS = 14
# Goals shown on the workspace panel.
PANEL_GOALS = 3


# --- active, completed, counted: one definition each, per goal and set-based ------------


def goal_is_active(goal: Goal) -> bool:
    """Whether the goal is being worked on (the per-goal form of `active_goal`)."""
    return goal.status == GoalStatus.ACTIVE


def goal_is_completed(goal: Goal) -> bool:
    """Whether the goal was achieved (the per-goal form of `completed_goal`)."""
    return goal.status == GoalStatus.ACHIEVED


def goal_is_counted(goal: Goal) -> bool:
    """Whether the goal counts as one of the pair's goals (active or achieved)."""
    return goal.status in COUNTED_STATUSES


def active_goal(prefix: str = "") -> Q:
    """The condition "active" on goals, or on rows reaching a goal through `prefix` (for
    example "goal__" from a milestone)."""
    return Q(**{f"{prefix}status": GoalStatus.ACTIVE})


def completed_goal(prefix: str = "") -> Q:
    """The condition "completed" (achieved) on goals, or through `prefix`."""
    return Q(**{f"{prefix}status": GoalStatus.ACHIEVED})


def counted_goal(prefix: str = "") -> Q:
    """The condition "counts as one of the pair's goals" on goals, or through `prefix`."""
    return Q(**{f"{prefix}status__in": COUNTED_STATUSES})


def goals_set_exists(relationship_ref: str = "pk") -> Exists:
    """Whether the relationship at `OuterRef(relationship_ref)` has set a goal that counts."""
    return Exists(Goal.objects.filter(counted_goal(), relationship_id=OuterRef(relationship_ref)))


def local_today(user: User) -> datetime.date:
    """Today's date where the person is."""
    return timezone.localtime(timezone.now(), profile_zone_get(user=user)).date()


def _milestones() -> Prefetch:
    return Prefetch(
        "milestones", queryset=Milestone.objects.select_related("done_by").order_by("order", "id")
    )


def goal_list(*, access: RelationshipAccess, statuses: list[str] | None = None) -> QuerySet[Goal]:
    """The pair's goals (suggested first, then active, achieved, dropped; declined suggestions
    only when asked for by status), each with its milestones prefetched: two queries."""
    wanted = statuses or [s for s in GoalStatus.values if s != GoalStatus.DECLINED]
    return (
        Goal.objects.filter(relationship=access.relationship, status__in=wanted)
        .select_related("created_by")
        .prefetch_related(_milestones())
        .order_by("order", "id")
    )


def goal_get(*, access: RelationshipAccess, goal_id: int) -> Goal:
    """One goal of the pair with its milestones (NotFound when not theirs)."""
    goal = (
        Goal.objects.filter(relationship=access.relationship, pk=goal_id)
        .select_related("created_by")
        .prefetch_related(_milestones())
        .first()
    )
    if goal is None:
        raise NotFound(_("No such goal."))
    return goal


def goal_page_list(*, access: RelationshipAccess) -> list[Goal]:
    """The goals page: every goal but declined suggestions, with milestones, comments and the
    history prefetched (four queries whatever the number of goals)."""
    return list(
        goal_list(access=access).prefetch_related(
            Prefetch(
                "comments",
                queryset=GoalComment.objects.select_related("author").order_by("created_at", "id"),
            ),
            Prefetch(
                "changes",
                queryset=GoalChange.objects.select_related("actor").order_by("-at", "-id"),
            ),
        )
    )


def goal_comment_list(*, goal: Goal) -> QuerySet[GoalComment]:
    """A guarded goal's comments, oldest first."""
    return (
        GoalComment.objects.filter(goal=goal).select_related("author").order_by("created_at", "id")
    )


def goal_change_list(*, goal: Goal) -> QuerySet[GoalChange]:
    """A guarded goal's history, newest first."""
    return GoalChange.objects.filter(goal=goal).select_related("actor").order_by("-at", "-id")


@dataclass(frozen=True)
class Celebration:
    kind: str  # "milestone" or "goal"
    text: str
    goal_id: int
    at: datetime.datetime


def celebrations(*, goals: list[Goal], days: int = CELEBRATE_DAYS) -> list[Celebration]:
    """Milestones reached and goals achieved in the last `days` days, newest first, from goals
    whose milestones are already loaded (no query)."""
    since = timezone.now() - datetime.timedelta(days=days)
    found: list[Celebration] = []
    for goal in goals:
        if goal.achieved_at is not None and goal.achieved_at >= since:
            found.append(
                Celebration(
                    "goal",
                    _("Goal achieved: %(title)s") % {"title": goal.title},
                    goal.pk,
                    goal.achieved_at,
                )
            )
        if not goal_is_counted(goal):
            continue
        for milestone in goal.milestones.all():
            if milestone.done_at is not None and milestone.done_at >= since:
                found.append(
                    Celebration(
                        "milestone",
                        _("Milestone reached: %(milestone)s (%(goal)s)")
                        % {"milestone": milestone.title, "goal": goal.title},
                        goal.pk,
                        milestone.done_at,
                    )
                )
    return sorted(found, key=lambda c: c.at, reverse=True)


def _day(day: datetime.date) -> str:
    return formats.date_format(day, "j M")


def goals_panel(*, access: RelationshipAccess) -> dict[str, object]:
    """The workspace hub's goals card: counts, the first active goals with their progress,
    recent celebrations, and "what's next" (milestones due soon or overdue, goals past their
    target date, suggestions to answer, a first goal to set). At most three queries (goals,
    milestones, the viewer's profile)."""
    goals = list(goal_list(access=access))
    url = reverse("goals:list", args=[access.relationship.pk])
    today = local_today(access.user)
    soon = today + datetime.timedelta(days=DUE_SOON_DAYS)
    active = [goal for goal in goals if goal_is_active(goal)]
    suggested = [goal for goal in goals if goal.status == GoalStatus.SUGGESTED]
    next_items: list[dict[str, object]] = []
    if access.side == "mentee" and not goals:
        next_items.append(
            {"text": _("Set your first goal"), "url": url, "due": None, "overdue": False}
        )
    if access.side == "mentee":
        for goal in suggested:
            next_items.append(
                {
                    "text": _("Accept or decline the suggested goal: %(title)s")
                    % {"title": goal.title},
                    "url": f"{url}#goal-{goal.pk}",
                    "due": None,
                    "overdue": False,
                }
            )
    for goal in active:
        for milestone in goal.milestones.all():
            if milestone.done_at is None and milestone.due_on and milestone.due_on <= soon:
                next_items.append(
                    {
                        "text": _("Milestone %(title)s due %(date)s")
                        % {"title": milestone.title, "date": _day(milestone.due_on)},
                        "url": f"{url}#goal-{goal.pk}",
                        "due": milestone.due_on,
                        "overdue": milestone.due_on < today,
                    }
                )
        if goal.target_on < today:
            next_items.append(
                {
                    "text": _("Goal %(title)s passed its target date %(date)s")
                    % {"title": goal.title, "date": _day(goal.target_on)},
                    "url": f"{url}#goal-{goal.pk}",
                    "due": goal.target_on,
                    "overdue": True,
                }
            )
    next_items.sort(key=lambda item: (item["due"] is None, item["due"] or today))
    return {
        "url": url,
        "goals": active[:PANEL_GOALS],
        "active_count": len(active),
        "achieved_count": sum(1 for goal in goals if goal_is_completed(goal)),
        "suggested_count": len(suggested),
        "celebrations": celebrations(goals=goals)[:3],
        "next_items": next_items,
    }


def goal_progress_by_relationship(
    *, relationship_ids: list[int] | QuerySet[Any, Any]
) -> dict[int, int]:
    """Average progress (whole %) of the active and achieved goals of each relationship, for
    the programme manager's activity signals and relationship health; relationships without
    such goals are left out. `relationship_ids` is a list, or a queryset of relationship ids
    (a subquery: many thousands of relationships without a parameter each). One query
    whatever the number of relationships. The caller has checked that the actor manages
    these relationships."""
    rows = (
        Goal.objects.filter(counted_goal(), relationship_id__in=relationship_ids)
        .annotate(
            total=Count("milestones"),
            done=Count("milestones", filter=Q(milestones__done_at__isnull=False)),
        )
        .values_list(
            "relationship_id", "status", "progress_mode", "manual_progress", "total", "done"
        )
    )
    by_relationship: dict[int, list[int]] = defaultdict(list)
    for relationship_id, status, mode, manual, total, done in rows:
        if status == GoalStatus.ACHIEVED:  # completed: see goal_is_completed
            progress = 100
        elif mode == ProgressMode.MANUAL:
            progress = manual
        else:
            progress = derived_progress(done=done, total=total)
        by_relationship[relationship_id].append(progress)
    return {
        relationship_id: round(sum(values) / len(values))
        for relationship_id, values in by_relationship.items()
    }
