"""The dashboards' figures against a hand-computed history (and query counts that do not grow
with the history)."""

import datetime
from typing import Any

import pytest

from tandem.analytics import selectors
from tandem.analytics.filters import Filters, Scope
from tandem.analytics.services import analytics_refresh, funnel_refresh
from tandem.analytics.tests import history as h
from tandem.participants.models import ParticipantRole
from tandem.programs.tests.factories import ProgramFactory
from tandem.relationships.models import RelationshipStatus

pytestmark = pytest.mark.django_db


def build_story() -> dict[str, Any]:
    """Six mentees, hand-computed below (days are days before NOW, a Wednesday)."""
    program = ProgramFactory()
    m1 = h.person(program, role=ParticipantRole.MENTOR)
    m2 = h.person(program, role=ParticipantRole.MENTOR)
    # A: matched 180, active since 175, signed 170, first meeting 165, still active.
    a = h.person(program, joined=200, approved=190)
    pair_a = h.pair(m1, a, matched=180, activated=175, score=0.5)
    h.sign(pair_a, days=170)
    h.meeting(pair_a, days=165)
    # B: completed 10 days ago after 138 days.
    b = h.person(program, joined=200, approved=195, department="Finance")
    pair_b = h.pair(m1, b, matched=150, activated=148, closed=10, score=0.75)
    h.sign(pair_b, days=140)
    h.meeting(pair_b, days=130)
    # C: matched, but the agreement was edited after signing (not signed), met once.
    c = h.person(program, joined=100, approved=90)
    pair_c = h.pair(m2, c, matched=80, activated=79, score=1.0)
    h.sign(pair_c, days=75, edited_after=True)
    h.meeting(pair_c, days=70)
    # D: applied, awaiting approval.
    h.person(program, joined=50, approved=None)
    # E: approved 55 days ago, waiting.
    h.person(program, joined=60, approved=55)
    # F: ended early 250 days ago (25 days after activation), waiting again since.
    f = h.person(program, joined=300, approved=290)
    pair_f = h.pair(m2, f, matched=280, activated=275, closed=250, status=RelationshipStatus.ENDED)
    h.sign(pair_f, days=270)
    h.meeting(pair_f, days=260)
    # Recent activity of A (NOW's week starts 2 days ago, so day 2 is not a whole week yet).
    h.meeting(pair_a, days=2)
    m9 = h.meeting(pair_a, days=9, minutes=60)
    h.meeting(pair_a, days=10, minutes=30)
    h.meeting(pair_a, days=16, minutes=90)
    h.meeting(pair_a, days=5, held=False)
    h.checkin(m9, days=9)
    h.message(pair_a, days=3)
    h.message(pair_a, days=1)  # this week: not shown yet
    h.message(pair_a, days=12)
    h.action_done(pair_a, days=9)
    h.goal(pair_a, days=14, achieved=9)
    analytics_refresh(now=h.NOW)
    return {"program": program, "pairs": [pair_a, pair_b, pair_c, pair_f]}


def scope_of(program: Any, **filters: Any) -> Scope:
    return Scope(program_ids=(program.pk,), filters=Filters(**filters), now=h.NOW)


def test_the_funnel_counts_converts_and_times_each_step():
    # given
    story = build_story()
    # when
    section = selectors.funnel(scope_of(story["program"]))
    # then
    assert section == {
        "role": "mentee",
        "refreshed_at": h.NOW,
        "steps": [
            {"key": "joined", "label": "Invited or applied", "count": 6, "conversion": None,
             "median_days": None},
            {"key": "approved", "label": "Approved", "count": 5, "conversion": 83.3,
             "median_days": 10},
            {"key": "matched", "label": "Matched", "count": 4, "conversion": 80.0,
             "median_days": 10},
            {"key": "signed", "label": "Agreement signed", "count": 3, "conversion": 75.0,
             "median_days": 10},
            {"key": "first_meeting", "label": "First meeting held", "count": 3,
             "conversion": 100.0, "median_days": 10},
            {"key": "active_90", "label": "Active at 90 days", "count": 2, "conversion": 66.7,
             "median_days": 76},
            {"key": "completed", "label": "Completed", "count": 1, "conversion": 50.0,
             "median_days": 48},
        ],
    }  # fmt: skip


def test_matching_rate_scores_requests_and_waiting():
    # given
    story = build_story()
    # when
    scope = scope_of(story["program"])
    section = selectors.matching(scope, selectors.funnel(scope))
    # then
    assert section["approved"] == 5
    assert section["matched"] == 4
    assert section["match_rate"] == 80.0
    assert section["median_days_to_match"] == 10
    assert sum(row["pairs"] for row in section["score_distribution"]) == 3
    assert section["score_distribution"][0]["low"] == 0.5
    assert section["score_distribution"][0]["pairs"] == 1
    assert section["score_distribution"][-1]["pairs"] == 1
    assert section["requests"] == {
        "accepted": 0, "declined": 0, "expired": 0, "withdrawn": 0, "open": 0
    }  # fmt: skip
    assert section["waiting"] == {
        "people": 2,
        "median_days": 152.5,
        "buckets": [
            {"label": "Under 2 weeks", "people": 0},
            {"label": "2-4 weeks", "people": 0},
            {"label": "1-3 months", "people": 1},
            {"label": "Over 3 months", "people": 1},
        ],
    }


def test_engagement_counts_whole_weeks_only():
    # given
    story = build_story()
    # when
    section = selectors.engagement(scope_of(story["program"]))
    # then
    weeks = {row["week"]: row for row in section["weeks"]}
    assert len(weeks) == 12
    assert section["first_week"] == datetime.date(2026, 3, 23)
    assert section["last_week"] == datetime.date(2026, 6, 8)
    assert weeks[datetime.date(2026, 6, 8)] == {
        "week": datetime.date(2026, 6, 8),
        "meetings_held": 1,
        "mentoring_hours": 1.0,
        "checkins": 1,
        "messages": 1,  # 3 days ago was last week's Sunday
        "actions_done": 1,
        "goals_set": 0,
        "goals_completed": 1,
    }
    assert weeks[datetime.date(2026, 6, 1)] == {
        "week": datetime.date(2026, 6, 1),
        "meetings_held": 2,
        "mentoring_hours": 2.0,
        "checkins": 0,
        "messages": 1,
        "actions_done": 0,
        "goals_set": 1,
        "goals_completed": 0,
    }
    # C's meeting 70 days ago, on Wednesday 8 April; nothing else in the earlier weeks.
    assert weeks[datetime.date(2026, 4, 6)]["meetings_held"] == 1
    others = [row for week, row in weeks.items() if week < datetime.date(2026, 6, 1)]
    assert sum(row["meetings_held"] + row["messages"] + row["goals_set"] for row in others) == 1
    assert section["active_pairs"] == 2
    assert section["met_last_30_days"] == 1
    assert section["met_last_30_days_share"] == 50.0
    assert section["mentoring_hours"] == 4.0
    # read from the summaries the refresh wrote, equal to counting live
    assert section["refreshed_at"] == h.NOW
    live = selectors.engagement(scope_of(story["program"]), live=True)
    assert {**section, "refreshed_at": None} == live


def test_filters_narrow_every_figure_to_their_people():
    # given
    story = build_story()
    # when: only Finance (B)
    scope = scope_of(story["program"], department="finance")
    section = selectors.funnel(scope)
    # then
    assert [step["count"] for step in section["steps"]] == [1, 1, 1, 1, 1, 1, 1]
    engagement = selectors.engagement(scope)  # filtered: counted live, over B's pair only
    assert engagement["refreshed_at"] is None
    assert engagement["active_pairs"] == 0
    assert sum(week["meetings_held"] for week in engagement["weeks"]) == 0
    # when: the cohort that joined 100 days ago or later (C, D, E)
    joined_from = (h.NOW - datetime.timedelta(days=100)).date()
    section = selectors.funnel(scope_of(story["program"], joined_from=joined_from))
    assert [step["count"] for step in section["steps"]] == [3, 2, 1, 0, 0, 0, 0]
    # when: the mentors' funnel (both matched, both have a signed pair)
    section = selectors.funnel(scope_of(story["program"], role="mentor"))
    assert [step["count"] for step in section["steps"]][:4] == [2, 2, 2, 2]


def test_median_of_histogram_matches_the_plain_median():
    assert selectors.median_of_histogram([]) is None
    assert selectors.median_of_histogram([(4, 1)]) == 4
    assert selectors.median_of_histogram([(1, 1), (3, 1)]) == 2
    assert selectors.median_of_histogram([(10, 3), (5, 2)]) == 10
    assert selectors.median_of_histogram([(10, 2), (5, 2)]) == 7.5


def test_the_funnel_is_as_of_its_last_refresh_and_a_refresh_is_idempotent():
    # given: a history never refreshed
    program = ProgramFactory()
    mentor = h.person(program, role=ParticipantRole.MENTOR)
    h.pair(mentor, h.person(program))
    scope = scope_of(program)
    # then: nothing worked out yet, and the funnel says so
    before = selectors.funnel(scope)
    assert before["refreshed_at"] is None
    assert [step["count"] for step in before["steps"]] == [0] * 7
    # when: refreshed twice
    assert funnel_refresh(now=h.NOW, program_ids=[program.pk]) == 2
    assert funnel_refresh(now=h.NOW, program_ids=[program.pk]) == 2
    # then
    after = selectors.funnel(scope)
    assert after["refreshed_at"] == h.NOW
    assert [step["count"] for step in after["steps"]][:3] == [1, 1, 1]
    # and another mentee joining shows after the next refresh only
    h.person(program)
    assert selectors.funnel(scope)["steps"][0]["count"] == 1
    funnel_refresh(now=h.NOW)
    assert selectors.funnel(scope)["steps"][0]["count"] == 2
