"""Tandem's own analysis code against public data with published answers.

The Rossi recidivism data shipped with lifelines (432 people followed 52 weeks): read "arrest"
as "left the company" and "fin" (financial aid) as "was mentored" and it is exactly the
retention comparison Tandem computes. Published and recomputed figures: Kaplan-Meier at week
52 is 0.778 for the treated and 0.694 for the controls, the log-rank p is 0.050, Cox's
coefficient of `fin` is -0.369 alone and -0.379 adjusted for the six other covariates.
"""

import itertools

import pandas as pd
import pytest
from lifelines.datasets import load_rossi

from tandem.outcomes import analysis

COVARIATES = ["age", "race", "wexp", "mar", "paro", "prio"]


@pytest.fixture(scope="module")
def rossi() -> pd.DataFrame:
    data = load_rossi()
    return data.rename(columns={"week": "duration", "arrest": "left", "fin": "mentored"})


def test_kaplan_meier_at_week_52_matches_the_published_values(rossi):
    # when
    result = analysis.retention_compare(rossi, horizons=(52,))
    # then
    treated, control = result.mentored.at[52.0], result.others.at[52.0]
    assert treated is not None
    assert control is not None
    assert treated.value == pytest.approx(0.778, abs=5e-4)
    assert control.value == pytest.approx(0.694, abs=5e-4)
    assert treated.lower < treated.value < treated.upper
    assert (result.mentored.people, result.mentored.events) == (216, 48)
    assert (result.others.people, result.others.events) == (216, 66)


def test_log_rank_p_matches_the_published_value(rossi):
    result = analysis.retention_compare(rossi, horizons=(52,))
    assert result.logrank_p == pytest.approx(0.0501, abs=5e-4)


def test_cox_coefficient_of_fin_alone(rossi):
    result = analysis.retention_compare(rossi, horizons=(52,))
    hazard = result.hazard_ratio
    assert hazard is not None
    assert hazard.coefficient == pytest.approx(-0.369, abs=5e-4)
    assert hazard.ratio == pytest.approx(0.691, abs=5e-4)
    assert hazard.p_value == pytest.approx(0.052, abs=1e-3)
    # p = 0.052: the interval reaches 1, so Tandem makes no claim.
    assert hazard.lower < 1 < hazard.upper
    assert result.verdict.code == analysis.VerdictCode.NO_DIFFERENCE_SHOWN
    assert not result.verdict.significant
    assert "significant" not in result.verdict.text


def test_cox_coefficient_of_fin_adjusted_for_the_six_other_covariates(rossi):
    result = analysis.retention_compare(rossi, horizons=(52,), adjust_for=COVARIATES)
    hazard = result.hazard_ratio
    assert hazard is not None
    assert hazard.coefficient == pytest.approx(-0.379, abs=5e-4)
    assert hazard.ratio == pytest.approx(0.684, abs=5e-4)
    assert hazard.p_value == pytest.approx(0.047, abs=1e-3)
    assert hazard.adjusted_for == tuple(COVARIATES)
    assert result.verdict.code == analysis.VerdictCode.BETTER
    assert result.verdict.significant


def test_the_curve_is_the_kaplan_meier_step_function_and_stops_below_the_group_size(rossi):
    result = analysis.retention_compare(rossi, horizons=(52,), min_group=5)
    curve = result.mentored.curve
    assert curve[0].time == 0
    assert curve[0].survival == 1.0
    assert [point.time for point in curve] == [float(week) for week in range(53)]
    assert all(a.survival >= b.survival for a, b in itertools.pairwise(curve))
    assert all(point.lower <= point.survival <= point.upper for point in curve)
    assert curve[-1].survival == pytest.approx(0.778, abs=5e-4)
    assert all(point.at_risk >= 5 for point in curve)


def test_a_group_under_the_privacy_threshold_is_withheld_whole(rossi):
    # given four treated people only
    small = pd.concat([rossi[rossi.mentored == 0], rossi[rossi.mentored == 1].head(4)])
    # when
    result = analysis.retention_compare(small, horizons=(52,), min_group=5)
    # then
    assert result.mentored.withheld
    assert result.mentored.curve == ()
    assert result.mentored.at == {}
    assert result.logrank_p is None
    assert result.hazard_ratio is None
    assert result.verdict.code == analysis.VerdictCode.WITHHELD


def test_roi_carries_the_hazard_ratio_interval(rossi):
    result = analysis.retention_compare(rossi, horizons=(52,))
    roi = analysis.roi_estimate(
        result, participants=100, horizon=52, replacement_cost=30_000, programme_cost=50_000
    )
    assert roi is not None
    hazard = result.hazard_ratio
    assert hazard is not None
    baseline = result.others.at[52.0]
    assert baseline is not None
    expected = 100 * (baseline.value**hazard.ratio - baseline.value)
    assert roi.leavers_avoided.value == pytest.approx(expected)
    # the interval of the hazard ratio includes 1, so it includes no leaver avoided
    assert roi.leavers_avoided.lower < 0 < roi.leavers_avoided.upper
    assert roi.savings.value == pytest.approx(expected * 30_000)
    assert roi.net.value == pytest.approx(expected * 30_000 - 50_000)
    assert roi.return_on_cost is not None
    assert roi.return_on_cost.value == pytest.approx((expected * 30_000 - 50_000) / 50_000)
