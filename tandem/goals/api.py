"""Goals over HTTP: thin — guard, then a service or selector, then a schema.

The mentee creates goals (POST .../goals); the mentor suggests them (POST
.../goals/suggestions) and the mentee accepts or declines. Only the mentee edits goals and
manages or ticks milestones: the mentor gets 403 there. Either may comment.
"""

from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.pagination import paginate

from tandem.accounts.api_auth import caller
from tandem.core.pagination import LimitOffsetPagination
from tandem.core.params import Id
from tandem.goals import selectors, services
from tandem.goals.models import Goal
from tandem.goals.permissions import goal_access
from tandem.goals.schemas import (
    CommentIn,
    CommentOut,
    GoalChangeOut,
    GoalCreateIn,
    GoalFiltersIn,
    GoalOut,
    GoalSuggestIn,
    GoalUpdateIn,
    MilestoneCreateIn,
    MilestoneOut,
    MilestoneUpdateIn,
)
from tandem.relationships.permissions import relationship_access

router = Router(tags=["goals"])

GOALS = "/relationships/{relationship_id}/goals"
GOAL = GOALS + "/{goal_id}"
MILESTONE = GOAL + "/milestones/{milestone_id}"


def _fresh(request: HttpRequest, relationship_id: Id, goal: Goal) -> Goal:
    """The goal as GoalOut shows it (milestones prefetched), after a service changed it."""
    access = relationship_access(actor=caller(request), relationship_id=relationship_id)
    return selectors.goal_get(access=access, goal_id=goal.pk)


@router.get(GOALS, response=list[GoalOut], summary="The pair's goals, with milestones and progress")
@paginate(LimitOffsetPagination)
def goal_list(request: HttpRequest, relationship_id: Id, filters: Query[GoalFiltersIn]) -> object:
    access = relationship_access(actor=caller(request), relationship_id=relationship_id)
    return selectors.goal_list(access=access, statuses=[filters.status] if filters.status else None)


@router.post(GOALS, response={201: GoalOut}, summary="Set a goal (the mentee)")
def goal_create(request: HttpRequest, relationship_id: Id, payload: GoalCreateIn) -> object:
    goal = services.goal_create(
        actor=caller(request), relationship_id=relationship_id, **payload.dict()
    )
    return Status(201, _fresh(request, relationship_id, goal))


@router.post(
    GOALS + "/suggestions",
    response={201: GoalOut},
    summary="Suggest a goal (the mentor); it waits as 'suggested' for the mentee to accept",
)
def goal_suggest(request: HttpRequest, relationship_id: Id, payload: GoalSuggestIn) -> object:
    goal = services.goal_suggest(
        actor=caller(request), relationship_id=relationship_id, **payload.dict()
    )
    return Status(201, _fresh(request, relationship_id, goal))


@router.get(GOAL, response=GoalOut, summary="One goal")
def goal_get(request: HttpRequest, relationship_id: Id, goal_id: Id) -> object:
    access = relationship_access(actor=caller(request), relationship_id=relationship_id)
    return selectors.goal_get(access=access, goal_id=goal_id)


@router.patch(GOAL, response=GoalOut, summary="Adjust an active goal (the mentee)")
def goal_update(
    request: HttpRequest, relationship_id: Id, goal_id: Id, payload: GoalUpdateIn
) -> object:
    goal = services.goal_update(
        actor=caller(request),
        relationship_id=relationship_id,
        goal_id=goal_id,
        **payload.dict(exclude_unset=True),
    )
    return _fresh(request, relationship_id, goal)


@router.post(
    GOAL + "/accept", response=GoalOut, summary="Accept the mentor's suggested goal (the mentee)"
)
def goal_accept(request: HttpRequest, relationship_id: Id, goal_id: Id) -> object:
    goal = services.goal_suggestion_accept(
        actor=caller(request), relationship_id=relationship_id, goal_id=goal_id
    )
    return _fresh(request, relationship_id, goal)


@router.post(
    GOAL + "/decline", response=GoalOut, summary="Decline the mentor's suggested goal (the mentee)"
)
def goal_decline(request: HttpRequest, relationship_id: Id, goal_id: Id) -> object:
    goal = services.goal_suggestion_decline(
        actor=caller(request), relationship_id=relationship_id, goal_id=goal_id
    )
    return _fresh(request, relationship_id, goal)


@router.post(
    GOAL + "/achieve", response=GoalOut, summary="Mark a goal achieved (the mentee); both are told"
)
def goal_achieve(request: HttpRequest, relationship_id: Id, goal_id: Id) -> object:
    goal = services.goal_achieve(
        actor=caller(request), relationship_id=relationship_id, goal_id=goal_id
    )
    return _fresh(request, relationship_id, goal)


@router.post(GOAL + "/drop", response=GoalOut, summary="Drop a goal (the mentee)")
def goal_drop(request: HttpRequest, relationship_id: Id, goal_id: Id) -> object:
    goal = services.goal_drop(
        actor=caller(request), relationship_id=relationship_id, goal_id=goal_id
    )
    return _fresh(request, relationship_id, goal)


@router.post(
    GOAL + "/reopen", response=GoalOut, summary="Reopen an achieved or dropped goal (the mentee)"
)
def goal_reopen(request: HttpRequest, relationship_id: Id, goal_id: Id) -> object:
    goal = services.goal_reopen(
        actor=caller(request), relationship_id=relationship_id, goal_id=goal_id
    )
    return _fresh(request, relationship_id, goal)


@router.get(
    GOAL + "/comments", response=list[CommentOut], summary="Comments on a goal, oldest first"
)
@paginate(LimitOffsetPagination)
def comment_list(request: HttpRequest, relationship_id: Id, goal_id: Id) -> object:
    found = goal_access(actor=caller(request), relationship_id=relationship_id, goal_id=goal_id)
    return selectors.goal_comment_list(goal=found.goal)


@router.post(
    GOAL + "/comments", response={201: CommentOut}, summary="Comment on a goal (either person)"
)
def comment_create(
    request: HttpRequest, relationship_id: Id, goal_id: Id, payload: CommentIn
) -> object:
    comment = services.goal_comment_create(
        actor=caller(request), relationship_id=relationship_id, goal_id=goal_id, body=payload.body
    )
    return Status(201, comment)


@router.get(
    GOAL + "/history",
    response=list[GoalChangeOut],
    summary="A goal's history of changes, newest first",
)
@paginate(LimitOffsetPagination)
def change_list(request: HttpRequest, relationship_id: Id, goal_id: Id) -> object:
    found = goal_access(actor=caller(request), relationship_id=relationship_id, goal_id=goal_id)
    return selectors.goal_change_list(goal=found.goal)


@router.post(
    GOAL + "/milestones", response={201: MilestoneOut}, summary="Add a milestone (the mentee)"
)
def milestone_create(
    request: HttpRequest, relationship_id: Id, goal_id: Id, payload: MilestoneCreateIn
) -> object:
    milestone = services.milestone_create(
        actor=caller(request), relationship_id=relationship_id, goal_id=goal_id, **payload.dict()
    )
    return Status(201, milestone)


@router.patch(
    MILESTONE, response=MilestoneOut, summary="Rename a milestone or move its due date (the mentee)"
)
def milestone_update(
    request: HttpRequest,
    relationship_id: Id,
    goal_id: Id,
    milestone_id: Id,
    payload: MilestoneUpdateIn,
) -> object:
    sent = payload.model_fields_set
    return services.milestone_update(
        actor=caller(request),
        relationship_id=relationship_id,
        goal_id=goal_id,
        milestone_id=milestone_id,
        title=payload.title,
        due_on=payload.due_on if "due_on" in sent else services.KEEP,
    )


@router.delete(MILESTONE, response={204: None}, summary="Remove a milestone (the mentee)")
def milestone_delete(
    request: HttpRequest, relationship_id: Id, goal_id: Id, milestone_id: Id
) -> object:
    services.milestone_delete(
        actor=caller(request),
        relationship_id=relationship_id,
        goal_id=goal_id,
        milestone_id=milestone_id,
    )
    return Status(204, None)


@router.post(
    MILESTONE + "/complete",
    response=MilestoneOut,
    summary="Tick a milestone off (the mentee); both are told",
)
def milestone_complete(
    request: HttpRequest, relationship_id: Id, goal_id: Id, milestone_id: Id
) -> object:
    return services.milestone_complete(
        actor=caller(request),
        relationship_id=relationship_id,
        goal_id=goal_id,
        milestone_id=milestone_id,
    )


@router.post(
    MILESTONE + "/reopen", response=MilestoneOut, summary="Untick a milestone (the mentee)"
)
def milestone_reopen(
    request: HttpRequest, relationship_id: Id, goal_id: Id, milestone_id: Id
) -> object:
    return services.milestone_reopen(
        actor=caller(request),
        relationship_id=relationship_id,
        goal_id=goal_id,
        milestone_id=milestone_id,
    )
