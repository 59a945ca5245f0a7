"""The one way to get hold of a goal or a milestone: through the relationship's guard, then
inside that relationship. A goal of another relationship is NotFound, like the relationship.

Who may do what among the pair (services apply these):
- the mentee owns their goals: creates, edits, achieves, drops and reopens them, manages and
  ticks milestones, accepts or declines the mentor's suggestions;
- the mentor suggests goals and comments on any goal. Both are parties, so when the mentor tries
  something only the mentee may do the answer is Forbidden (403), not NotFound.
Ticking milestones is the mentee's too: reporting their own progress is part of owning the goal
(and the mentor is told and celebrates it); the mentor comments instead of ticking for them.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tandem.accounts.models import User
from tandem.core.errors import Forbidden, NotFound
from tandem.goals.models import Goal, Milestone
from tandem.relationships.permissions import RelationshipAccess, relationship_access

MENTEE_ONLY = gettext_lazy(
    "Goals belong to the mentee: as the mentor you can suggest a goal or comment on one, "
    "but not change it."
)


@dataclass(frozen=True)
class GoalAccess:
    access: RelationshipAccess
    goal: Goal


def require_mentee(access: RelationshipAccess, message: str | Promise = MENTEE_ONLY) -> None:
    """Only the mentee of the pair may go on (the guard already refused non-parties)."""
    if access.side != "mentee":
        raise Forbidden(str(message))


def goal_access(
    *, actor: User, relationship_id: int, goal_id: int, for_update: bool = False
) -> GoalAccess:
    """The goal `goal_id` of relationship `relationship_id` as a party of the pair, or NotFound.
    `for_update` locks the goal row (call it inside a transaction)."""
    access = relationship_access(actor=actor, relationship_id=relationship_id)
    queryset = Goal.objects.select_related("created_by").filter(
        pk=goal_id, relationship=access.relationship
    )
    if for_update:
        queryset = queryset.select_for_update(of=("self",))
    goal = queryset.first()
    if goal is None:
        raise NotFound(_("No such goal."))
    goal.relationship = access.relationship
    return GoalAccess(access, goal)


def milestone_of(*, goal: Goal, milestone_id: int, for_update: bool = False) -> Milestone:
    """The milestone `milestone_id` of `goal` (already guarded), or NotFound."""
    queryset = Milestone.objects.filter(pk=milestone_id, goal=goal)
    if for_update:
        queryset = queryset.select_for_update()
    milestone = queryset.first()
    if milestone is None:
        raise NotFound(_("No such milestone."))
    milestone.goal = goal
    return milestone
