from dataclasses import dataclass

import pytest

from tandem.goals import services
from tandem.goals.models import Goal, GoalChange, GoalComment, Milestone
from tandem.goals.tests.factories import in_days
from tandem.notifications.models import Notification
from tandem.relationships.models import RelationshipEvent


@dataclass
class Goals:
    """The pair's goals as an authorization matrix needs them."""

    active: Goal  # with an open milestone `open_milestone` and a done one `done_milestone`
    open_milestone: Milestone
    done_milestone: Milestone
    suggested: Goal
    achieved: Goal


@pytest.fixture
def goals(pair) -> Goals:
    rid = pair.relationship.pk
    active = services.goal_create(
        actor=pair.mentee,
        relationship_id=rid,
        title="Lead a team meeting",
        measure="Chair two meetings",
        target_on=in_days(60),
    )
    open_milestone = services.milestone_create(
        actor=pair.mentee, relationship_id=rid, goal_id=active.pk, title="Agenda", due_on=in_days(7)
    )
    done_milestone = services.milestone_create(
        actor=pair.mentee, relationship_id=rid, goal_id=active.pk, title="Ask", due_on=in_days(3)
    )
    services.milestone_complete(
        actor=pair.mentee, relationship_id=rid, goal_id=active.pk, milestone_id=done_milestone.pk
    )
    suggested = services.goal_suggest(
        actor=pair.mentor,
        relationship_id=rid,
        title="Present at the town hall",
        measure="A 5-minute update",
        target_on=in_days(30),
    )
    achieved = services.goal_create(
        actor=pair.mentee,
        relationship_id=rid,
        title="Read a book",
        measure="Notes",
        target_on=in_days(20),
    )
    services.goal_achieve(actor=pair.mentee, relationship_id=rid, goal_id=achieved.pk)
    return Goals(
        active=active,
        open_milestone=open_milestone,
        done_milestone=done_milestone,
        suggested=suggested,
        achieved=achieved,
    )


def goals_state() -> tuple[list[dict], ...]:
    """Everything a goals endpoint could change, to compare before and after."""
    return (
        list(Goal.objects.order_by("pk").values()),
        list(Milestone.objects.order_by("pk").values()),
        list(GoalComment.objects.order_by("pk").values()),
        list(GoalChange.objects.order_by("pk").values()),
        list(RelationshipEvent.objects.order_by("pk").values()),
        list(Notification.objects.order_by("pk").values()),
    )
