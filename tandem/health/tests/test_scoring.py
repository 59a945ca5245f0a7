"""The pure score: properties over generated inputs (hypothesis), then the thresholds."""

import dataclasses
from typing import get_args

from hypothesis import given
from hypothesis import strategies as st

from tandem.health.schemas import HealthFiltersIn
from tandem.health.scoring import (
    AT_RISK_BELOW,
    BUCKET_LABELS,
    ON_TRACK_FROM,
    TOO_EARLY_DAYS,
    Bucket,
    HealthInputs,
    bucket_for,
    score,
)

CADENCES = st.sampled_from(["weekly", "fortnightly", "monthly"])


@st.composite
def inputs(draw: st.DrawFn, status: str | None = None) -> HealthInputs:
    chosen = status or draw(st.sampled_from(["proposed", "active", "paused"]))
    days_active = None if chosen == "proposed" else draw(st.integers(0, 800))
    limit = days_active if days_active is not None else 0
    held = draw(st.integers(0, 60)) if days_active is not None else 0
    return HealthInputs(
        status=chosen,
        cadence=draw(CADENCES),
        days_active=days_active,
        meetings_held=held,
        days_since_meeting=draw(st.none() | st.integers(0, limit)) if held else None,
        days_since_activity=draw(st.none() | st.integers(0, limit)),
        checkin_count=draw(st.integers(0, 20)),
        checkin_mean=draw(st.none() | st.floats(1, 5)),
        goals_set=draw(st.integers(0, 5)),
        goal_progress=draw(st.none() | st.integers(0, 100)),
        steps_overdue=draw(st.integers(0, 10)),
        fit_concern=draw(st.booleans()),
        pulse_low=draw(st.booleans()),
        nudges_unanswered=draw(st.integers(0, 6)),
    )


@st.composite
def more_activity(draw: st.DrawFn, base: HealthInputs) -> HealthInputs:
    """`base` with more activity: any of a more recent meeting (or a first one), more meetings,
    more recent activity, goals set or further along, fewer steps overdue, fewer unanswered
    nudges. What people answered (ratings, surveys) is left as it was."""
    limit = base.days_active or 0
    changes: dict[str, object] = {}
    if base.days_active is not None and draw(st.booleans()):
        ceiling = limit if base.days_since_meeting is None else base.days_since_meeting
        changes["days_since_meeting"] = draw(st.integers(0, ceiling))
        changes["meetings_held"] = base.meetings_held + draw(st.integers(1, 5))
    if base.days_active is not None and draw(st.booleans()):
        ceiling = limit if base.days_since_activity is None else base.days_since_activity
        changes["days_since_activity"] = draw(st.integers(0, ceiling))
    if draw(st.booleans()):
        changes["goals_set"] = base.goals_set + draw(st.integers(1, 3))
        low = base.goal_progress if base.goals_set and base.goal_progress is not None else 0
        changes["goal_progress"] = draw(st.integers(low, 100))
    if base.steps_overdue and draw(st.booleans()):
        changes["steps_overdue"] = draw(st.integers(0, base.steps_overdue - 1))
    if base.nudges_unanswered and draw(st.booleans()):
        changes["nudges_unanswered"] = draw(st.integers(0, base.nudges_unanswered - 1))
    return dataclasses.replace(base, **changes)


@given(st.data())
def test_more_activity_never_lowers_the_score(data):
    # given
    base = data.draw(inputs())
    busier = data.draw(more_activity(base))
    # when
    before, after = score(base), score(busier)
    # then
    assert after.score >= before.score
    # and the bucket never gets worse either (worse = further towards at risk)
    rank = {Bucket.AT_RISK: 0, Bucket.NEEDS_CHECKIN: 1, Bucket.ON_TRACK: 2, Bucket.TOO_EARLY: 3}
    assert rank[after.bucket] >= rank[before.bucket]


@given(inputs())
def test_the_same_inputs_give_the_same_score(health_inputs):
    # when
    first = score(health_inputs)
    second = score(dataclasses.replace(health_inputs))
    # then
    assert first == second


@given(inputs())
def test_the_score_is_explained_by_its_components(health_inputs):
    # when
    result = score(health_inputs)
    # then: 100 minus what the components took off, never below 0; biggest first; the sentence
    # starts with the biggest reason; a bucket with a label
    taken = sum(component.points for component in result.components)
    assert result.score == max(0, 100 - taken)
    assert [c.points for c in result.components] == sorted(
        (c.points for c in result.components), reverse=True
    )
    assert all(component.points > 0 for component in result.components)
    if result.components and result.bucket not in (Bucket.TOO_EARLY,):
        assert result.components[0].text in result.sentence
    assert result.bucket in BUCKET_LABELS
    assert result.sentence


@given(inputs())
def test_components_never_quote_a_rating_or_an_answer(health_inputs):
    # when
    result = score(health_inputs)
    # then: the words about check-ins and surveys are coarse and carry no number
    for component in result.components:
        if component.key in ("checkins", "fit", "pulse"):
            assert not any(character.isdigit() for character in component.text)


@given(inputs(status="active"))
def test_bucket_thresholds(health_inputs):
    # when
    result = score(health_inputs)
    # then
    assert health_inputs.days_active is not None
    if health_inputs.days_active < TOO_EARLY_DAYS and not health_inputs.fit_concern:
        assert result.bucket == Bucket.TOO_EARLY
    elif result.score >= ON_TRACK_FROM:
        assert result.bucket == Bucket.ON_TRACK
    elif result.score < AT_RISK_BELOW:
        assert result.bucket == Bucket.AT_RISK
    else:
        assert result.bucket == Bucket.NEEDS_CHECKIN


@given(st.integers(0, TOO_EARLY_DAYS - 1), CADENCES)
def test_a_new_pair_is_too_early_to_tell(days, cadence):
    # given: a pair a few days old that has done nothing yet
    new = HealthInputs(status="active", cadence=cadence, days_active=days)
    # then
    assert score(new).bucket == Bucket.TOO_EARLY
    assert score(HealthInputs(status="proposed", cadence=cadence, days_active=None)).bucket == (
        Bucket.TOO_EARLY
    )


@given(st.integers(0, TOO_EARLY_DAYS - 1), st.integers(0, 100))
def test_a_fit_concern_is_never_too_early(days, value):
    # a new pair with a "not a good fit" answer is scored at once
    bucket = bucket_for(status="active", days_active=days, fit_concern=True, score=value)
    assert bucket != Bucket.TOO_EARLY


def test_the_issue_sentence():
    # given: agreed every two weeks, last met 41 days ago, otherwise busy
    health = HealthInputs(
        status="active",
        cadence="fortnightly",
        days_active=120,
        meetings_held=5,
        days_since_meeting=41,
        days_since_activity=3,
        goals_set=1,
        goal_progress=40,
    )
    # when
    result = score(health)
    # then
    assert result.sentence == "no meeting in 41 days; agreed every 2 weeks"
    assert [c.as_dict() for c in result.components] == [
        {"key": "cadence", "points": 42, "text": "no meeting in 41 days; agreed every 2 weeks"}
    ]
    assert (result.score, result.bucket) == (58, Bucket.NEEDS_CHECKIN)


def test_a_pair_meeting_as_agreed_is_on_track():
    health = HealthInputs(
        status="active",
        cadence="weekly",
        days_active=90,
        meetings_held=12,
        days_since_meeting=5,
        days_since_activity=1,
        checkin_count=6,
        checkin_mean=4.5,
        goals_set=2,
        goal_progress=50,
    )
    assert score(health).score == 100
    assert score(health).bucket == Bucket.ON_TRACK
    assert score(health).sentence == "meeting as agreed; nothing to worry about"


def test_a_quiet_pair_with_a_fit_concern_is_at_risk():
    health = HealthInputs(
        status="active",
        cadence="fortnightly",
        days_active=70,
        days_since_activity=45,
        fit_concern=True,
        nudges_unanswered=2,
    )
    result = score(health)
    assert result.bucket == Bucket.AT_RISK
    assert result.score == 0


def test_the_api_filter_names_exactly_the_buckets():
    allowed = get_args(HealthFiltersIn.model_fields["bucket"].annotation)
    assert set(allowed) == {"", *(bucket.value for bucket in Bucket)}
