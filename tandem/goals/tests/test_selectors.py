"""The goals list and the workspace's goals panel cost two queries (the goals, their
milestones) whatever the number of goals and milestones (issue 15)."""

import pytest

from tandem.goals import selectors
from tandem.goals.models import GoalStatus
from tandem.goals.tests.factories import GoalFactory, MilestoneFactory, in_days
from tandem.relationships.permissions import relationship_access


def _goals(pair, count: int) -> None:
    for index in range(count):
        goal = GoalFactory(
            relationship=pair.relationship,
            created_by=pair.mentee,
            status=GoalStatus.SUGGESTED if index % 3 == 0 else GoalStatus.ACTIVE,
            target_on=in_days(-1 if index % 2 else 30),
        )
        MilestoneFactory(goal=goal, due_on=in_days(2))
        MilestoneFactory(goal=goal, due_on=in_days(60))


@pytest.mark.django_db
@pytest.mark.parametrize("side", ["mentor", "mentee"])
@pytest.mark.parametrize("count", [2, 6])
def test_goals_list_and_panel_cost_two_queries_at_any_size(
    pair, django_assert_num_queries, side, count
):
    # given count goals (and 3x count) with two milestones each, and the viewer's profile
    # already loaded by the page (its zone is read once a request, by whoever reads first)
    viewer = getattr(pair, side)
    access = relationship_access(actor=viewer, relationship_id=pair.relationship.pk)
    access.user.profile  # noqa: B018 - the page's first read of the viewer's zone
    for total in (count, 3 * count):
        _goals(pair, total - selectors.goal_list(access=access).count())
        # when the list and the panel are read
        with django_assert_num_queries(2):
            goals = list(selectors.goal_list(access=access))
            assert all(len(goal.milestones.all()) == 2 for goal in goals)
        with django_assert_num_queries(2):
            panel = selectors.goals_panel(access=access)
        # then every goal came, and the panel counts them all
        assert len(goals) == total
        assert panel["active_count"] + panel["suggested_count"] == total
