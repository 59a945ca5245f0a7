"""A family of generated histories: the funnel and the weekly meetings computed by the grouped
queries equal a naive recomputation in Python from the same story."""

import datetime
import statistics
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tandem.analytics import selectors
from tandem.analytics.filters import Filters, Scope
from tandem.analytics.services import analytics_refresh
from tandem.analytics.tests import history as h
from tandem.core.aggregates import week_of
from tandem.participants.models import ParticipantRole
from tandem.programs.tests.factories import ProgramFactory
from tandem.relationships.models import RelationshipStatus


@dataclass(frozen=True)
class PairStory:
    matched_after: int  # days after approval (or joining)
    activated_after: int | None
    lasted: int | None  # days from activation to closing (None: still open)
    completed: bool
    signed_after: int | None  # days after matching
    meetings_after: tuple[int, ...]  # days after matching, each held


@dataclass(frozen=True)
class MenteeStory:
    joined: int  # days ago
    approved_after: int | None
    pair: PairStory | None


pair_stories = st.builds(
    PairStory,
    matched_after=st.integers(0, 20),
    activated_after=st.one_of(st.none(), st.integers(0, 10)),
    lasted=st.one_of(st.none(), st.integers(1, 200)),
    completed=st.booleans(),
    signed_after=st.one_of(st.none(), st.integers(0, 30)),
    meetings_after=st.lists(st.integers(0, 150), max_size=3).map(tuple),
)
mentee_stories = st.builds(
    MenteeStory,
    joined=st.integers(1, 400),
    approved_after=st.one_of(st.none(), st.integers(0, 20)),
    pair=st.one_of(st.none(), pair_stories),
)


def _ago(after_ago: int, days_after: int) -> int:
    """Days ago of something `days_after` days after what happened `after_ago` days ago (never
    later than yesterday... or today)."""
    return max(after_ago - days_after, 0)


def naive(stories: list[MenteeStory]) -> tuple[list[int], list[float | None], dict]:
    """The funnel and the weekly meetings by hand."""
    dates: list[list[int | None]] = []
    meetings: list[int] = []
    for story in stories:
        approved = (
            None if story.approved_after is None else _ago(story.joined, story.approved_after)
        )
        row: list[int | None] = [story.joined, approved, None, None, None, None, None]
        pair = story.pair
        if pair is not None:
            matched = _ago(approved if approved is not None else story.joined, pair.matched_after)
            row[2] = matched
            if pair.signed_after is not None:
                row[3] = _ago(matched, pair.signed_after)
            held = [_ago(matched, m) for m in pair.meetings_after]
            meetings += held
            if held:
                row[4] = max(held)  # the first meeting is the most days ago
            if pair.activated_after is not None:
                activated = _ago(matched, pair.activated_after)
                closed = None if pair.lasted is None else _ago(activated, pair.lasted)
                lasted_90 = activated >= 90 and (closed is None or activated - closed >= 90)
                if lasted_90:
                    row[5] = activated - 90
                if closed is not None and pair.completed:
                    row[6] = closed
        dates.append(row)
    counts, medians = [], []
    for step in range(7):
        reached = [row for row in dates if all(row[i] is not None for i in range(step + 1))]
        counts.append(len(reached))
        if step == 0:
            medians.append(None)
            continue
        # a step is reached once every step before it is: a gap is never negative
        gaps = [max(0, row[step - 1] - row[step]) for row in reached]  # type: ignore[operator]
        medians.append(statistics.median(gaps) if gaps else None)
    this_monday = week_of(h.NOW)
    weekly: dict[datetime.date, int] = {}
    for days in meetings:
        week = week_of(h.ago(days))
        if this_monday - datetime.timedelta(weeks=12) <= week < this_monday:
            weekly[week] = weekly.get(week, 0) + 1
    return counts, medians, weekly


def build(stories: list[MenteeStory]):
    program = ProgramFactory()
    mentor = h.person(program, role=ParticipantRole.MENTOR)
    mentor.capacity = max(len(stories), 1)
    mentor.save(update_fields=["capacity"])
    for story in stories:
        approved = (
            None if story.approved_after is None else _ago(story.joined, story.approved_after)
        )
        mentee = h.person(program, joined=story.joined, approved=approved)
        pair = story.pair
        if pair is None:
            continue
        matched = _ago(approved if approved is not None else story.joined, pair.matched_after)
        activated = None if pair.activated_after is None else _ago(matched, pair.activated_after)
        closed = None
        status = None
        if activated is not None and pair.lasted is not None:
            closed = _ago(activated, pair.lasted)
            status = RelationshipStatus.COMPLETED if pair.completed else RelationshipStatus.ENDED
        relationship = h.pair(
            mentor, mentee, matched=matched, activated=activated, closed=closed, status=status
        )
        if pair.signed_after is not None:
            h.sign(relationship, days=_ago(matched, pair.signed_after))
        for after in pair.meetings_after:
            h.meeting(relationship, days=_ago(matched, after))
    analytics_refresh(now=h.NOW)
    return program


@pytest.mark.django_db
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(mentee_stories, max_size=6))
def test_grouped_figures_equal_a_naive_recomputation(stories):
    # given
    program = build(stories)
    scope = Scope(program_ids=(program.pk,), filters=Filters(), now=h.NOW)
    counts, medians, weekly = naive(stories)
    # when
    funnel = selectors.funnel(scope)
    engagement = selectors.engagement(scope)
    # then
    assert [step["count"] for step in funnel["steps"]] == counts
    assert [step["median_days"] for step in funnel["steps"]] == medians
    assert all(step["median_days"] is None or step["median_days"] >= 0 for step in funnel["steps"])
    assert {
        row["week"]: row["meetings_held"] for row in engagement["weeks"] if row["meetings_held"]
    } == weekly
    assert {**engagement, "refreshed_at": None} == selectors.engagement(scope, live=True)
