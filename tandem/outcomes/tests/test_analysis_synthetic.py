"""A synthetic organisation with a known planted effect: the analysis recovers it within its
interval, calls a null effect significant no more often than it should, and the matched
comparison removes a planted confounder the raw comparison is fooled by."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tandem.outcomes import analysis


def organisation(
    *, seed: int, people: int, hazard_ratio: float, follow_up: float = 36.0
) -> pd.DataFrame:
    """Exponential leaving times (a yearly attrition of about 15 % for the others), the
    mentored leaving at `hazard_ratio` times the others' rate, censored at `follow_up` months
    or earlier at random (people who joined the data late)."""
    rng = np.random.default_rng(seed)
    mentored = rng.random(people) < 0.4
    base = 0.0135  # per month
    rate = np.where(mentored, base * hazard_ratio, base)
    leaves_at = rng.exponential(1 / rate)
    censored_at = rng.uniform(6, follow_up, size=people)
    return pd.DataFrame(
        {
            "duration": np.minimum(leaves_at, censored_at),
            "left": leaves_at <= censored_at,
            "mentored": mentored,
            "key": rng.random(people),
        }
    )


def test_a_planted_hazard_ratio_is_recovered_within_its_interval():
    # given 40 organisations of 1,500 people where the mentored leave at 0.6 times the rate
    covered = called = 0
    for seed in range(40):
        frame = organisation(seed=seed, people=1500, hazard_ratio=0.6)
        # when
        result = analysis.retention_compare(frame, horizons=(12,))
        # then
        hazard = result.hazard_ratio
        assert hazard is not None
        covered += hazard.lower < 0.6 < hazard.upper
        called += result.verdict.code == analysis.VerdictCode.BETTER
        twelve_m, twelve_o = result.mentored.at[12.0], result.others.at[12.0]
        assert twelve_m is not None
        assert twelve_o is not None
        assert twelve_m.value > twelve_o.value - 0.05
    # 95 % intervals: 38 of 40 expected; P(binomial(40, 0.95) < 34) is about 0.01
    assert covered >= 34
    # the effect is large enough to be found nearly every time
    assert called >= 36


def test_a_null_effect_is_called_significant_at_about_the_nominal_rate():
    # given 200 organisations where mentoring changes nothing
    calls = 0
    covered = 0
    for seed in range(200):
        frame = organisation(seed=1000 + seed, people=400, hazard_ratio=1.0)
        result = analysis.retention_compare(frame, horizons=(12,))
        hazard = result.hazard_ratio
        assert hazard is not None
        calls += result.verdict.significant
        covered += hazard.lower < 1 < hazard.upper
    # then 5 % expected: 10 of 200; P(binomial(200, 0.05) > 20) < 0.002
    assert calls <= 20
    assert covered >= 180


@settings(max_examples=25, deadline=None)
@given(
    people=st.integers(min_value=0, max_value=60),
    seed=st.integers(min_value=0, max_value=10_000),
    min_group=st.integers(min_value=3, max_value=10),
)
def test_no_figure_of_fewer_people_than_the_threshold_and_no_claim_below_the_rule(
    people, seed, min_group
):
    frame = organisation(seed=seed, people=people, hazard_ratio=0.5)
    result = analysis.retention_compare(frame, horizons=(6, 12, 24), min_group=min_group)
    for group in (result.mentored, result.others):
        assert group.withheld == (group.people < min_group)
        assert all(point.at_risk >= min_group for point in group.curve)
    # 60 people cannot satisfy the default rule (30 per group and 20 events)
    assert not result.verdict.significant
    assert "significant" not in result.verdict.text


def test_promotion_difference_recovers_a_planted_difference():
    # given promotion within 24 months: 30 % of the mentored, 20 % of the others
    rng = np.random.default_rng(7)
    people = 6000
    mentored = rng.random(people) < 0.5
    chance = np.where(mentored, 0.30, 0.20)
    promoted = rng.random(people) < chance
    frame = pd.DataFrame(
        {
            "duration": np.full(people, 30.0),
            "left": np.zeros(people, dtype=bool),
            "mentored": mentored,
            "promoted_after": np.where(promoted, rng.uniform(1, 24, people), np.nan),
        }
    )
    # when
    result = analysis.promotion_compare(frame, within=24)
    # then
    assert result.difference is not None
    assert result.difference.lower < 0.10 < result.difference.upper
    assert result.verdict.code == analysis.VerdictCode.BETTER
    assert result.mentored.people + result.others.people == people


def test_promotion_counts_everyone_whose_window_is_over_leavers_included():
    frame = pd.DataFrame(
        {
            "duration": [30.0, 5.0, 5.0, 5.0, 30.0, 30.0, 30.0, 30.0],
            "follow_up": [30.0, 30.0, 5.0, 5.0, 30.0, 30.0, 30.0, 30.0],
            "left": [False, True, False, False, False, False, False, False],
            "mentored": [True, True, True, True, False, False, False, False],
            # row 1 left at 5 months unpromoted: counted, not promoted; rows 2 and 3 joined
            # the data 5 months ago: not counted, promoted (at 3) or not.
            "promoted_after": [np.nan, np.nan, 3.0, np.nan, 2.0, np.nan, np.nan, 30.0],
        }
    )
    result = analysis.promotion_compare(frame, within=24, min_group=2)
    assert (result.mentored.people, result.mentored.promoted) == (2, 0)
    assert (result.others.people, result.others.promoted) == (4, 1)
    assert result.verdict.code == analysis.VerdictCode.TOO_SMALL


def test_matching_removes_a_confounder_the_raw_comparison_is_fooled_by():
    # given: department decides attrition, mentoring decides nothing, and most mentored
    # people are in the department where people stay
    rng = np.random.default_rng(3)
    people = 6000
    department = rng.choice(["Sales", "Engineering"], size=people)
    mentored = rng.random(people) < np.where(department == "Engineering", 0.6, 0.1)
    rate = np.where(department == "Sales", 0.04, 0.01)
    leaves_at = rng.exponential(1 / rate)
    frame = pd.DataFrame(
        {
            "duration": np.minimum(leaves_at, 24.0),
            "left": leaves_at <= 24.0,
            "mentored": mentored,
            "department": department,
            "key": rng.random(people),
        }
    )
    # when
    raw = analysis.retention_compare(frame, horizons=(12,))
    matched_frame, matching = analysis.exact_match(frame, on=["department"])
    matched = analysis.retention_compare(matched_frame, horizons=(12,))
    # then the raw comparison sees a large effect that is not there; the matched one does not
    assert raw.verdict.code == analysis.VerdictCode.BETTER
    assert matched.hazard_ratio is not None
    assert matched.hazard_ratio.lower < 1 < matched.hazard_ratio.upper
    assert matching.mentored_matched == matching.others_matched
    assert matching.mentored_matched <= matching.mentored_total
    (row,) = matching.balance
    assert row.smd_before > 0.5
    assert row.smd_after == pytest.approx(0.0)


def test_exact_matching_is_deterministic_and_one_to_one_per_stratum():
    frame = pd.DataFrame(
        {
            "duration": [1.0] * 7,
            "left": [False] * 7,
            "mentored": [True, True, False, False, False, True, False],
            "grade": ["A", "A", "A", "B", "A", "C", "B"],
            "key": [0.5, 0.1, 0.9, 0.3, 0.2, 0.4, 0.8],
        }
    )
    matched, report = analysis.exact_match(frame, on=["grade"])
    # grade A: mentored 0 and 1 with others 4 (key .2) and 2 (key .9); B: no one mentored;
    # C: no one to match.
    assert sorted(matched.index) == [0, 1, 2, 4]
    assert (report.mentored_total, report.mentored_matched) == (3, 2)
    assert (report.others_total, report.others_matched) == (4, 2)


@settings(max_examples=40, deadline=None)
@given(
    others=st.lists(st.floats(min_value=1, max_value=30), min_size=1, max_size=40),
    mentored_stay=st.lists(st.floats(min_value=0, max_value=10), min_size=0, max_size=10),
    mentored_leave=st.lists(st.floats(min_value=0.5, max_value=10), min_size=1, max_size=5),
)
def test_a_likelihood_without_a_finite_maximum_gives_no_ratio_and_no_claim(
    others, mentored_stay, mentored_leave
):
    # given every mentored leaver leaving after the last of the others (a leaver among them)
    # has gone, so a larger gap always fits better: the fitted ratio would be infinite
    last = max(others)
    frame = pd.DataFrame(
        {
            "duration": [*others, *(last + 1 + t for t in mentored_stay + mentored_leave)],
            "left": [True]
            + [False] * (len(others) - 1)
            + [False] * len(mentored_stay)
            + [True] * len(mentored_leave),
            "mentored": [False] * len(others) + [True] * (len(mentored_stay) + len(mentored_leave)),
        }
    )
    # when
    result = analysis.retention_compare(frame, horizons=(6, 12), min_group=3)
    # then no ratio is reported rather than an overflowing or meaningless interval
    assert result.hazard_ratio is None
    assert not result.verdict.significant


def test_the_ci_case_of_one_mentored_leaver_alone_at_risk_reports_no_ratio():
    # seed 360 of 31 people: the one mentored leaver left when no one else was at risk
    frame = organisation(seed=360, people=31, hazard_ratio=0.5)
    result = analysis.retention_compare(frame, horizons=(6, 12, 24), min_group=3)
    assert result.hazard_ratio is None
    assert not result.verdict.significant
