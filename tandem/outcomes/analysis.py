"""Outcomes' statistics: retention, promotion, a matched comparison group and the ROI.

Pure: pandas in, frozen dataclasses out, no Django and no other part of Tandem (an
import-linter contract forbids them), so the golden tests drive it with public data directly.
Every estimator comes from a well-kept library: Kaplan-Meier, the log-rank test and Cox's
model from lifelines, the difference of two proportions from statsmodels. What this module
adds is the comparison Tandem reports and the rules around it:

- **Privacy**: a group of fewer than `min_group` people is withheld whole (no curve, no rate),
  and a curve stops where fewer than `min_group` people are still at risk.
- **Too small to conclude** (`SampleRule`): with fewer people or events than the rule asks,
  the verdict is "no conclusion" whatever the p-value. "Significant" is said only when the rule
  holds AND p < 0.05 AND the 95 % interval excludes "no difference".
- **A comparison group that is not naive**: `exact_match` pairs each mentored person with one
  other person of the same department, grade, tenure band and location (1:1, exact), and
  reports the balance (standardised mean differences) before and after.

The input frame has one row per person: `duration` (time from the person's index date to
leaving or to the end of follow-up, in any unit: Tandem uses months), `left` (they left at
`duration`), `mentored` (the group), and for promotions `promoted_after` (time from the index
date to their first promotion after it, NaN for none) and `follow_up` (time from the index
date to the end of the data, whether or not they left; `duration` when absent).
"""

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from lifelines import CoxPHFitter, KaplanMeierFitter
from lifelines.exceptions import ConvergenceError
from lifelines.statistics import logrank_test
from scipy import stats
from statsmodels.stats.proportion import confint_proportions_2indep, test_proportions_2indep

DURATION = "duration"
LEFT = "left"
MENTORED = "mentored"
PROMOTED_AFTER = "promoted_after"
FOLLOW_UP = "follow_up"
KEY = "key"

SIGNIFICANCE = 0.05
CONFIDENCE = 0.95
# e^20 is a ratio of half a billion: beyond it an estimate says only "the fit diverged".
LARGEST_LOG_HAZARD_RATIO = 20.0
MENTORED_LABEL = "Mentored"
OTHERS_LABEL = "Not mentored"


@dataclass(frozen=True)
class SampleRule:
    """The least data Tandem draws a conclusion from. Below it the page says "no conclusion"
    and shows the numbers with their sizes, never a claim."""

    min_people_per_group: int = 30
    min_events_per_group: int = 5
    min_events_total: int = 20

    def describe(self) -> str:
        return (
            f"Tandem concludes only when each group has at least {self.min_people_per_group} "
            f"people and {self.min_events_per_group} events, with at least "
            f"{self.min_events_total} events in all, and the 95 % interval excludes "
            "no difference (p < 0.05)."
        )


DEFAULT_RULE = SampleRule()


@dataclass(frozen=True)
class Estimate:
    """A value with its 95 % interval."""

    value: float
    lower: float
    upper: float


@dataclass(frozen=True)
class CurvePoint:
    time: float
    survival: float
    lower: float
    upper: float
    at_risk: int


@dataclass(frozen=True)
class GroupRetention:
    label: str
    people: int
    events: int
    withheld: bool  # fewer than min_group people: nothing below is filled in
    curve: tuple[CurvePoint, ...] = ()
    # horizon -> retention with its 95 % band; None beyond follow-up or below min_group at risk.
    at: dict[float, Estimate | None] = field(default_factory=dict)


@dataclass(frozen=True)
class HazardRatio:
    """Cox's hazard ratio of the mentored against the others (below 1: they leave less)."""

    ratio: float
    lower: float
    upper: float
    coefficient: float
    p_value: float
    adjusted_for: tuple[str, ...] = ()


class VerdictCode:
    WITHHELD = "withheld"  # a group is under the privacy threshold
    TOO_SMALL = "too_small"  # the sample rule does not hold
    NO_DIFFERENCE_SHOWN = "no_difference_shown"  # enough data, interval includes no effect
    BETTER = "better"  # mentored people did better, p < 0.05
    WORSE = "worse"  # mentored people did worse, p < 0.05


@dataclass(frozen=True)
class Verdict:
    code: str
    text: str

    @property
    def significant(self) -> bool:
        return self.code in (VerdictCode.BETTER, VerdictCode.WORSE)


@dataclass(frozen=True)
class RetentionComparison:
    mentored: GroupRetention
    others: GroupRetention
    horizons: tuple[float, ...]
    logrank_statistic: float | None
    logrank_p: float | None
    hazard_ratio: HazardRatio | None
    verdict: Verdict


@dataclass(frozen=True)
class GroupProportion:
    label: str
    people: int  # observed long enough to tell (or promoted within the window)
    promoted: int
    withheld: bool

    @property
    def rate(self) -> float | None:
        if self.withheld or not self.people:
            return None
        return self.promoted / self.people


@dataclass(frozen=True)
class PromotionComparison:
    within: float
    mentored: GroupProportion
    others: GroupProportion
    difference: Estimate | None  # mentored rate minus others' rate
    p_value: float | None
    verdict: Verdict


@dataclass(frozen=True)
class BalanceRow:
    """How alike the two groups are on one covariate: the largest standardised mean
    difference over its levels (below 0.1 is the usual "balanced")."""

    covariate: str
    levels: int
    smd_before: float
    smd_after: float | None


@dataclass(frozen=True)
class Matching:
    on: tuple[str, ...]
    mentored_total: int
    mentored_matched: int
    others_total: int
    others_matched: int
    balance: tuple[BalanceRow, ...]


@dataclass(frozen=True)
class Roi:
    """Leavers avoided x replacement cost against the programme's cost, with the interval
    carried from the hazard ratio's (the baseline retention is taken as estimated)."""

    participants: int
    horizon: float
    baseline_retention: float
    hazard_ratio: float
    replacement_cost: float
    programme_cost: float
    leavers_avoided: Estimate
    savings: Estimate
    net: Estimate
    return_on_cost: Estimate | None  # net / programme cost; None when the cost is 0


# --- retention ----------------------------------------------------------------------------


def _at_risk(durations: np.ndarray, times: np.ndarray) -> np.ndarray:
    """How many people are still followed at each time (duration >= t)."""
    ordered = np.sort(durations)
    return len(ordered) - np.searchsorted(ordered, times, side="left")


def _kaplan_meier(frame: pd.DataFrame, label: str) -> KaplanMeierFitter:
    fitter = KaplanMeierFitter(alpha=1 - CONFIDENCE)
    return fitter.fit(frame[DURATION], event_observed=frame[LEFT], label=label)


def _survival_at(fitter: KaplanMeierFitter, times: Sequence[float]) -> pd.DataFrame:
    """Survival and its band at `times` (the step function's value at each, right-continuous)."""
    table = pd.concat([fitter.survival_function_, fitter.confidence_interval_], axis=1)
    table.columns = ["survival", "lower", "upper"]
    grid = pd.Index(sorted(set(times)), dtype=float)
    return table.reindex(table.index.union(grid)).ffill().loc[grid]


def _group_retention(
    frame: pd.DataFrame,
    label: str,
    *,
    horizons: Sequence[float],
    min_group: int,
    step: float,
) -> tuple[GroupRetention, KaplanMeierFitter | None]:
    people, events = len(frame), int(frame[LEFT].sum())
    if people < min_group:
        return GroupRetention(label=label, people=people, events=events, withheld=True), None
    fitter = _kaplan_meier(frame, label)
    durations = frame[DURATION].to_numpy(dtype=float)
    last = float(durations.max())
    grid = np.arange(0.0, last + step / 2, step)
    wanted = [float(time) for time in grid] + [float(h) for h in horizons]
    values = _survival_at(fitter, wanted)
    at_risk = dict(zip(values.index, _at_risk(durations, values.index.to_numpy()), strict=True))
    curve = []
    for time in grid:
        row = values.loc[float(time)]
        if at_risk[float(time)] < min_group:
            break
        curve.append(
            CurvePoint(
                time=float(time),
                survival=float(row["survival"]),
                lower=float(row["lower"]),
                upper=float(row["upper"]),
                at_risk=int(at_risk[float(time)]),
            )
        )
    at: dict[float, Estimate | None] = {}
    for horizon in horizons:
        row = values.loc[float(horizon)]
        if at_risk[float(horizon)] < min_group:
            at[float(horizon)] = None
        else:
            at[float(horizon)] = Estimate(
                float(row["survival"]), float(row["lower"]), float(row["upper"])
            )
    retention = GroupRetention(
        label=label, people=people, events=events, withheld=False, curve=tuple(curve), at=at
    )
    return retention, fitter


def _binary_cox(frame: pd.DataFrame) -> HazardRatio | None:
    """Cox's model with the one binary covariate "mentored", fitted exactly as lifelines fits
    it (Efron's method for tied times, Newton-Raphson, Wald interval and p) but on the risk
    sets' counts per distinct time: the partial likelihood of a 0/1 covariate depends on the
    data only through how many of each group were at risk and left at each time, so the fit
    costs the distinct times, not the people (lifelines' general fit took seconds at 100,000
    people)."""
    durations = frame[DURATION].to_numpy(float)
    left = frame[LEFT].to_numpy(bool)
    mentored = frame[MENTORED].to_numpy(bool)
    times = np.unique(durations[left])
    if len(times) == 0 or mentored.all() or not mentored.any():
        return None
    # At risk at t: everyone whose duration is >= t; leavers at t of each group.
    order = np.sort(durations[mentored]), np.sort(durations[~mentored])
    at_risk = [len(group) - np.searchsorted(group, times, side="left") for group in order]
    events = [
        np.bincount(np.searchsorted(times, durations[left & chosen]), minlength=len(times))
        for chosen in (mentored, ~mentored)
    ]
    n1, n0 = (count.astype(float) for count in at_risk)
    d1, d0 = (count.astype(float) for count in events)
    if d1.sum() == 0 or d0.sum() == 0:
        return None  # a group without leavers: the likelihood has no finite maximum
    d = d1 + d0
    # Efron: the l-th of the d tied leavers at t (l = 0..d-1) sees the risk set less l/d of
    # the leavers' weight; one entry per leaver.
    slot = np.repeat(np.arange(len(times)), d.astype(int))
    fraction = (np.arange(len(slot)) - np.repeat(np.cumsum(d) - d, d.astype(int))) / d[slot]

    def derivatives(beta: float) -> tuple[float, float, float]:
        weight = math.exp(beta)
        exposed = (n1[slot] - fraction * d1[slot]) * weight
        risk = n0[slot] - fraction * d0[slot] + exposed
        share = exposed / risk
        loglik = beta * d1.sum() - np.log(risk).sum()
        return float(loglik), float(d1.sum() - share.sum()), float(-(share - share**2).sum())

    beta = 0.0
    loglik, gradient, hessian = derivatives(beta)
    for _ in range(100):
        if hessian >= 0:
            return None
        step = -gradient / hessian
        while True:  # halve a step that lowers the likelihood
            trial = beta + step
            trial_loglik, trial_gradient, trial_hessian = derivatives(trial)
            if trial_loglik >= loglik - 1e-12 or abs(step) < 1e-12:
                break
            step /= 2
        beta, loglik, gradient, hessian = trial, trial_loglik, trial_gradient, trial_hessian
        if abs(step) < 1e-10:
            break
    else:
        return None
    if hessian >= 0 or not math.isfinite(beta):
        return None
    error = 1 / math.sqrt(-hessian)
    z = float(stats.norm.ppf(0.5 + CONFIDENCE / 2))
    if abs(beta) + z * error > LARGEST_LOG_HAZARD_RATIO:
        # The likelihood has no finite maximum (say, the one mentored leaver left when no
        # one else was at risk): Newton drifts towards an infinite ratio with a vanishing
        # curvature, and any interval it gave would be noise, or overflow.
        return None
    return HazardRatio(
        ratio=math.exp(beta),
        lower=math.exp(beta - z * error),
        upper=math.exp(beta + z * error),
        coefficient=beta,
        p_value=float(2 * stats.norm.sf(abs(beta) / error)),
        adjusted_for=(),
    )


def _cox(frame: pd.DataFrame, adjust_for: Sequence[str]) -> HazardRatio | None:
    if not adjust_for:
        return _binary_cox(frame)
    columns = [DURATION, LEFT, MENTORED, *adjust_for]
    data = frame[columns].astype(float)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fitter = CoxPHFitter(alpha=1 - CONFIDENCE).fit(data, DURATION, event_col=LEFT)
    except (ConvergenceError, np.linalg.LinAlgError, ValueError, ZeroDivisionError):
        return None
    row = fitter.summary.loc[MENTORED]
    values = [row["coef"], row["exp(coef) lower 95%"], row["exp(coef) upper 95%"], row["p"]]
    if not all(math.isfinite(float(value)) for value in values):
        return None
    return HazardRatio(
        ratio=float(row["exp(coef)"]),
        lower=float(row["exp(coef) lower 95%"]),
        upper=float(row["exp(coef) upper 95%"]),
        coefficient=float(row["coef"]),
        p_value=float(row["p"]),
        adjusted_for=tuple(adjust_for),
    )


def _sample_rule_holds(rule: SampleRule, people: tuple[int, int], events: tuple[int, int]) -> bool:
    return (
        min(people) >= rule.min_people_per_group
        and min(events) >= rule.min_events_per_group
        and sum(events) >= rule.min_events_total
    )


def _retention_verdict(
    *,
    mentored: GroupRetention,
    others: GroupRetention,
    hazard: HazardRatio | None,
    rule: SampleRule,
    min_group: int,
) -> Verdict:
    if mentored.withheld or others.withheld:
        return Verdict(
            VerdictCode.WITHHELD,
            f"Not shown: each group needs at least {min_group} people before Tandem shows "
            "anything about it.",
        )
    if hazard is None or not _sample_rule_holds(
        rule, (mentored.people, others.people), (mentored.events, others.events)
    ):
        return Verdict(
            VerdictCode.TOO_SMALL,
            f"Too few people or leavers to conclude anything ({mentored.people} mentored with "
            f"{mentored.events} leavers, {others.people} others with {others.events}). "
            + rule.describe(),
        )
    interval = f"hazard ratio {hazard.ratio:.2f}, 95 % CI {hazard.lower:.2f} to {hazard.upper:.2f}"
    if hazard.p_value < SIGNIFICANCE and hazard.upper < 1:
        return Verdict(
            VerdictCode.BETTER,
            f"Mentored people left significantly less often ({interval}, p = "
            f"{hazard.p_value:.3f}). This is an association, not proof that mentoring caused it.",
        )
    if hazard.p_value < SIGNIFICANCE and hazard.lower > 1:
        return Verdict(
            VerdictCode.WORSE,
            f"Mentored people left significantly more often ({interval}, p = "
            f"{hazard.p_value:.3f}). This is an association, not proof that mentoring caused it.",
        )
    return Verdict(
        VerdictCode.NO_DIFFERENCE_SHOWN,
        f"No conclusion: the data are consistent with no difference ({interval}, p = "
        f"{hazard.p_value:.3f}).",
    )


def retention_compare(
    frame: pd.DataFrame,
    *,
    horizons: Sequence[float] = (6, 12, 24),
    min_group: int = 5,
    adjust_for: Sequence[str] = (),
    rule: SampleRule = DEFAULT_RULE,
    step: float = 1.0,
) -> RetentionComparison:
    """Kaplan-Meier retention of the mentored and the others (curves every `step`, and at each
    horizon, with 95 % bands), the log-rank test, and Cox's hazard ratio of being mentored
    (adjusted for the numeric columns `adjust_for`), with the verdict its sample allows."""
    mentored_rows = frame[frame[MENTORED].astype(bool)]
    other_rows = frame[~frame[MENTORED].astype(bool)]
    horizons = tuple(float(h) for h in horizons)
    mentored, _ = _group_retention(
        mentored_rows, MENTORED_LABEL, horizons=horizons, min_group=min_group, step=step
    )
    others, _ = _group_retention(
        other_rows, OTHERS_LABEL, horizons=horizons, min_group=min_group, step=step
    )
    statistic = p_value = None
    hazard = None
    if not (mentored.withheld or others.withheld):
        test = logrank_test(
            mentored_rows[DURATION],
            other_rows[DURATION],
            event_observed_A=mentored_rows[LEFT],
            event_observed_B=other_rows[LEFT],
        )
        statistic, p_value = float(test.test_statistic), float(test.p_value)
        if mentored.events and others.events:
            hazard = _cox(frame, adjust_for)
    verdict = _retention_verdict(
        mentored=mentored, others=others, hazard=hazard, rule=rule, min_group=min_group
    )
    return RetentionComparison(
        mentored=mentored,
        others=others,
        horizons=horizons,
        logrank_statistic=statistic,
        logrank_p=p_value,
        hazard_ratio=hazard,
        verdict=verdict,
    )


# --- promotion ----------------------------------------------------------------------------


def _proportion(frame: pd.DataFrame, label: str, within: float, min_group: int) -> GroupProportion:
    # Everyone whose data reach `within` after their index date counts, leavers included (a
    # person who left unpromoted was not promoted in the window); people whose window is not
    # over yet do not, promoted or not (counting only their promotions would inflate rates).
    follow_up = frame[FOLLOW_UP] if FOLLOW_UP in frame else frame[DURATION]
    observed = follow_up.astype(float).ge(within)
    promoted = frame[PROMOTED_AFTER].astype(float).le(within) & observed  # NaN compares False
    people = int(observed.sum())
    return GroupProportion(
        label=label,
        people=people,
        promoted=int(promoted.sum()),
        withheld=people < min_group,
    )


def promotion_compare(
    frame: pd.DataFrame,
    *,
    within: float = 24,
    min_group: int = 5,
    rule: SampleRule = DEFAULT_RULE,
) -> PromotionComparison:
    """The share promoted within `within` of their index date, among the people whose data
    reach that far (leavers included), per group; the difference (mentored minus others) with its
    95 % interval (Newcomb) and a score test's p-value."""
    is_mentored = frame[MENTORED].astype(bool)
    mentored = _proportion(frame[is_mentored], MENTORED_LABEL, within, min_group)
    others = _proportion(frame[~is_mentored], OTHERS_LABEL, within, min_group)
    if mentored.withheld or others.withheld:
        verdict = Verdict(
            VerdictCode.WITHHELD,
            f"Not shown: each group needs at least {min_group} people followed for "
            f"{within:g} months before Tandem shows anything about it.",
        )
        return PromotionComparison(within, mentored, others, None, None, verdict)
    low, high = confint_proportions_2indep(
        mentored.promoted, mentored.people, others.promoted, others.people, method="newcomb"
    )
    test = test_proportions_2indep(
        mentored.promoted, mentored.people, others.promoted, others.people, method="score"
    )
    difference = Estimate(
        float(mentored.promoted / mentored.people - others.promoted / others.people),
        float(low),
        float(high),
    )
    p_value = float(test.pvalue)
    if not math.isfinite(p_value):  # no variation at all (everyone or no one promoted)
        p_value = 1.0
    events = (
        min(mentored.promoted, mentored.people - mentored.promoted),
        min(others.promoted, others.people - others.promoted),
    )
    interval = (
        f"difference {difference.value * 100:+.1f} points, 95 % CI "
        f"{difference.lower * 100:+.1f} to {difference.upper * 100:+.1f}"
    )
    if not _sample_rule_holds(rule, (mentored.people, others.people), events):
        verdict = Verdict(
            VerdictCode.TOO_SMALL,
            f"Too few people or promotions to conclude anything ({mentored.people} mentored "
            f"with {mentored.promoted} promoted, {others.people} others with "
            f"{others.promoted}). " + rule.describe(),
        )
    elif p_value < SIGNIFICANCE and difference.lower > 0:
        verdict = Verdict(
            VerdictCode.BETTER,
            f"Mentored people were promoted significantly more often ({interval}, p = "
            f"{p_value:.3f}). This is an association, not proof that mentoring caused it.",
        )
    elif p_value < SIGNIFICANCE and difference.upper < 0:
        verdict = Verdict(
            VerdictCode.WORSE,
            f"Mentored people were promoted significantly less often ({interval}, p = "
            f"{p_value:.3f}). This is an association, not proof that mentoring caused it.",
        )
    else:
        verdict = Verdict(
            VerdictCode.NO_DIFFERENCE_SHOWN,
            f"No conclusion: the data are consistent with no difference ({interval}, p = "
            f"{p_value:.3f}).",
        )
    return PromotionComparison(within, mentored, others, difference, p_value, verdict)


# --- matched comparison group -------------------------------------------------------------


def _max_smd(codes: np.ndarray, levels: int, is_mentored: np.ndarray) -> float:
    """The largest standardised mean difference over a categorical covariate's levels (each
    level a 0/1 variable), from the level codes of the people compared."""
    mentored, others = codes[is_mentored], codes[~is_mentored]
    if not len(mentored) or not len(others) or not levels:
        return math.nan
    share_m = np.bincount(mentored, minlength=levels) / len(mentored)
    share_o = np.bincount(others, minlength=levels) / len(others)
    pooled = np.sqrt((share_m * (1 - share_m) + share_o * (1 - share_o)) / 2)
    difference = np.abs(share_m - share_o)
    smd = np.divide(difference, pooled, out=np.zeros_like(difference), where=pooled > 0)
    return float(smd.max())


def exact_match(
    frame: pd.DataFrame, *, on: Sequence[str], key: str = KEY
) -> tuple[pd.DataFrame, Matching]:
    """Pair each mentored person with one other person who has the same value of every
    column of `on` (1:1, without replacement). Within a stratum the people taken are those
    with the smallest `key` (give each person a stable pseudo-random key: the same data give
    the same pairs). Mentored people with no match are left out and counted. Vectorised:
    a stratum is a group code, a person's rank in it one cumulative count."""
    is_mentored = frame[MENTORED].astype(bool).to_numpy()
    if on and len(frame):
        strata = (
            frame.groupby(list(on), dropna=False, sort=False, observed=True).ngroup().to_numpy()
        )
    else:
        strata = np.zeros(len(frame), dtype=np.int64)
    group = is_mentored.astype(np.int64)
    work = pd.DataFrame({"stratum": strata, "group": group, "key": frame[key].to_numpy()})
    work = work.sort_values("key", kind="stable")
    rank = np.empty(len(work), dtype=np.int64)
    rank[work.index.to_numpy()] = work.groupby(["stratum", "group"], sort=False).cumcount()
    count = int(strata.max()) + 1 if len(strata) else 0
    pairs = np.minimum(
        np.bincount(strata[is_mentored], minlength=count),
        np.bincount(strata[~is_mentored], minlength=count),
    )
    kept = rank < pairs[strata] if count else np.zeros(0, dtype=bool)
    matched = frame[kept]
    matched_mentored = is_mentored[kept]
    balance = []
    for column in on:
        codes, uniques = pd.factorize(frame[column], use_na_sentinel=False)
        before = _max_smd(codes, len(uniques), is_mentored)
        after = _max_smd(codes[kept], len(uniques), matched_mentored)
        balance.append(
            BalanceRow(
                covariate=column,
                levels=len(uniques),
                smd_before=before,
                smd_after=None if matched.empty else after,
            )
        )
    report = Matching(
        on=tuple(on),
        mentored_total=int(is_mentored.sum()),
        mentored_matched=int(matched_mentored.sum()),
        others_total=int((~is_mentored).sum()),
        others_matched=int((~matched_mentored).sum()),
        balance=tuple(balance),
    )
    return matched, report


# --- ROI ----------------------------------------------------------------------------------


def roi_estimate(
    comparison: RetentionComparison,
    *,
    participants: int,
    horizon: float,
    replacement_cost: float,
    programme_cost: float,
) -> Roi | None:
    """What the programme saved over `horizon` if the mentored kept the others' baseline
    retention S multiplied in hazard by the estimated ratio: leavers avoided =
    participants x (S^HR - S). The interval is the hazard ratio's interval put through the
    same formula (monotone in HR). None without a hazard ratio or a baseline at `horizon`."""
    hazard = comparison.hazard_ratio
    baseline = comparison.others.at.get(float(horizon))
    if hazard is None or baseline is None:
        return None
    survival = baseline.value

    def avoided(ratio: float) -> float:
        return participants * (survival**ratio - survival)

    leavers = Estimate(avoided(hazard.ratio), avoided(hazard.upper), avoided(hazard.lower))
    savings = Estimate(*(value * replacement_cost for value in _triple(leavers)))
    net = Estimate(*(value - programme_cost for value in _triple(savings)))
    on_cost = (
        Estimate(*(value / programme_cost for value in _triple(net))) if programme_cost else None
    )
    return Roi(
        participants=participants,
        horizon=float(horizon),
        baseline_retention=survival,
        hazard_ratio=hazard.ratio,
        replacement_cost=replacement_cost,
        programme_cost=programme_cost,
        leavers_avoided=leavers,
        savings=savings,
        net=net,
        return_on_cost=on_cost,
    )


def _triple(estimate: Estimate) -> tuple[float, float, float]:
    return estimate.value, estimate.lower, estimate.upper
