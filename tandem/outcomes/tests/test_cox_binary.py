"""The hazard ratio of mentored against not is fitted on the risk sets' counts (one binary
covariate): across families of data (group sizes, heavy ties, censoring, effects either way)
it equals statsmodels' Cox fit (Efron ties, Wald interval and p) to numerical precision, and
lifelines' general fit within that fit's own convergence tolerance (it stops about 1e-4 from
the maximum)."""

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from lifelines import CoxPHFitter
from statsmodels.duration.hazard_regression import PHReg

from tandem.outcomes import analysis


def lifelines_fit(frame: pd.DataFrame) -> analysis.HazardRatio:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitter = CoxPHFitter(alpha=0.05).fit(
            frame[["duration", "left", "mentored"]].astype(float), "duration", event_col="left"
        )
    row = fitter.summary.loc["mentored"]
    return analysis.HazardRatio(
        ratio=float(row["exp(coef)"]),
        lower=float(row["exp(coef) lower 95%"]),
        upper=float(row["exp(coef) upper 95%"]),
        coefficient=float(row["coef"]),
        p_value=float(row["p"]),
    )


def statsmodels_fit(frame: pd.DataFrame) -> analysis.HazardRatio:
    fit = PHReg(
        frame["duration"], frame[["mentored"]].astype(float), status=frame["left"], ties="efron"
    ).fit()
    low, high = fit.conf_int()[0]
    return analysis.HazardRatio(
        ratio=math.exp(fit.params[0]),
        lower=math.exp(low),
        upper=math.exp(high),
        coefficient=float(fit.params[0]),
        p_value=float(fit.pvalues[0]),
    )


@st.composite
def cohorts(draw):
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    # the sizes at which the report may conclude (analysis.SampleRule): 30 people a group
    mentored = draw(st.integers(30, 400))
    others = draw(st.integers(30, 400))
    hazard_ratio = draw(st.sampled_from([0.3, 0.7, 1.0, 1.4, 3.0]))
    resolution = draw(st.sampled_from([1, 7, 30, 90]))  # days per tick: 90 ties heavily
    follow = draw(st.sampled_from([180, 365, 1095]))
    group = np.r_[np.ones(mentored), np.zeros(others)].astype(int)
    rate = np.where(group == 1, hazard_ratio, 1.0) / 700
    leave = rng.exponential(1 / rate)
    censor = rng.uniform(30, follow, len(group))
    duration = np.maximum(np.ceil(np.minimum(leave, censor) / resolution) * resolution, 1)
    return pd.DataFrame(
        {"duration": duration, "left": (leave <= censor).astype(int), "mentored": group}
    )


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frame=cohorts())
def test_the_counts_fit_equals_the_general_fits(frame):
    # given the report's rule for a conclusion: 5 leavers a group, 20 in all
    leavers = frame[frame.left == 1].mentored
    assume(leavers.sum() >= 5 and (leavers == 0).sum() >= 5 and len(leavers) >= 20)
    ours = analysis._binary_cox(frame)
    # when
    exact = statsmodels_fit(frame)
    general = lifelines_fit(frame)
    # then
    assert ours is not None
    assert ours.coefficient == pytest.approx(exact.coefficient, abs=1e-9)
    assert ours.lower == pytest.approx(exact.lower, rel=1e-7)
    assert ours.upper == pytest.approx(exact.upper, rel=1e-7)
    assert ours.p_value == pytest.approx(exact.p_value, rel=1e-6, abs=1e-12)
    assert ours.coefficient == pytest.approx(general.coefficient, abs=1e-3)
    assert ours.p_value == pytest.approx(general.p_value, abs=1e-3)


def test_no_leavers_in_a_group_or_one_group_gives_no_ratio():
    nobody_left = pd.DataFrame({"duration": [10, 20, 30, 40], "left": 0, "mentored": [0, 1, 0, 1]})
    one_group = pd.DataFrame({"duration": [10, 20, 30], "left": 1, "mentored": 1})
    no_mentored_leaver = pd.DataFrame(
        {"duration": [10, 20, 30, 40], "left": [1, 0, 1, 0], "mentored": [0, 1, 0, 1]}
    )
    assert analysis._binary_cox(nobody_left) is None
    assert analysis._binary_cox(one_group) is None
    assert analysis._binary_cox(no_mentored_leaver) is None


def test_the_report_uses_the_counts_fit_without_adjustment_and_lifelines_with_it():
    frame = pd.DataFrame(
        {
            "duration": [5, 8, 8, 12, 15, 20, 22, 30, 31, 40] * 4,
            "left": [1, 1, 0, 1, 0, 1, 1, 0, 1, 0] * 4,
            "mentored": [1, 0] * 20,
            "grade": list(range(40)),
        }
    )
    plain = analysis._cox(frame, ())
    adjusted = analysis._cox(frame, ("grade",))
    assert plain is not None
    assert adjusted is not None
    assert plain.adjusted_for == ()
    assert adjusted.adjusted_for == ("grade",)
    assert math.isclose(plain.coefficient, statsmodels_fit(frame).coefficient, abs_tol=1e-9)
