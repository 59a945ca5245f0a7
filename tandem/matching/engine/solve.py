"""The three objectives (TOTAL, FAIR, STABLE), the greedy baseline and the unmatched reasons."""

import time
from collections.abc import Callable

import numpy as np

from tandem.matching.engine.features import (
    UNIT,
    Encoding,
    allowed,
    count_allowed,
    pair_costs,
    unique_sorted,
)
from tandem.matching.engine.flow import (
    Arcs,
    FlowResult,
    Market,
    maximum_flow_value,
)
from tandem.matching.engine.pricing import Pricer, make_pricer, solve_total_core
from tandem.matching.engine.problem import (
    Assignment,
    IntArray,
    MatchingProblem,
    Objective,
    UnmatchedReason,
)
from tandem.matching.engine.scoring import encoding_of
from tandem.matching.engine.validation import (
    InvalidProblem,
    check_pricing,
    check_solve_arguments,
)

Progress = Callable[[float], None] | None


def market_of(encoding: Encoding) -> Market:
    pinned_load = np.bincount(encoding.pinned_mentor, minlength=encoding.m)
    residual_all = encoding.capacity - pinned_load
    is_pinned = np.zeros(encoding.n, bool)
    is_pinned[encoding.pinned_mentee] = True
    live = np.flatnonzero(residual_all > 0).astype(np.int64)
    return Market(
        free_mentees=np.flatnonzero(~is_pinned).astype(np.int64),
        live_mentors=live,
        residual=residual_all[live].astype(np.int64),
        pinned_mentee=encoding.pinned_mentee,
        pinned_mentor=encoding.pinned_mentor,
        pinned_cost=pair_costs(encoding, encoding.pinned_mentee, encoding.pinned_mentor),
    )


def _report(progress: Progress, fraction: float) -> None:
    if progress is not None:
        progress(min(1.0, max(0.0, fraction)))


def _span(progress: Progress, low: float, high: float) -> Callable[[float], None] | None:
    """A progress callback for one stage, mapping its own 0..1 onto [low, high]."""
    if progress is None:
        return None
    callback = progress
    seen = [low]

    def report(fraction: float) -> None:
        value = max(seen[-1], low + (high - low) * fraction)  # never goes backwards
        seen.append(value)
        callback(min(1.0, value))

    return report


# ---------------------------------------------------------------------------------------------
# results


def build_assignment(
    encoding: Encoding,
    objective: Objective,
    mentee: IntArray,
    mentor: IntArray,
    cost: IntArray,
    *,
    certified_gap: float | None,
    seconds_scoring: float,
    seconds_solving: float,
    details: dict[str, float],
) -> Assignment:
    order = np.argsort(mentee, kind="stable")
    mentee, mentor, cost = mentee[order], mentor[order], cost[order]
    if len(unique_sorted(mentee)) != len(mentee):
        raise RuntimeError("a mentee was matched twice")
    load = np.bincount(mentor, minlength=encoding.m)
    if np.any(load > encoding.capacity):
        raise RuntimeError("a mentor's capacity was exceeded")
    if not np.all(allowed(encoding, mentee, mentor)):
        raise RuntimeError("a forbidden pair was matched")
    matched = np.zeros(encoding.n, bool)
    matched[mentee] = True
    unmatched = np.flatnonzero(~matched).astype(np.int64)
    any_allowed = count_allowed(encoding, unmatched, np.ones(encoding.m, bool)) > 0
    with_room = count_allowed(encoding, unmatched, load < encoding.capacity) > 0
    reasons = [
        UnmatchedReason.NO_ALLOWED_MENTOR
        if not has_allowed
        else UnmatchedReason.NOT_CHOSEN
        if has_room
        else UnmatchedReason.NO_CAPACITY_LEFT
        for has_allowed, has_room in zip(any_allowed.tolist(), with_room.tolist(), strict=True)
    ]
    scores = cost / UNIT
    return Assignment(
        objective=objective,
        mentee=mentee.astype(np.int64),
        mentor=mentor.astype(np.int64),
        score=scores,
        unmatched=unmatched,
        unmatched_reason=reasons,
        total_score=float(cost.sum()) / UNIT,
        lowest_score=float(cost.min()) / UNIT if len(cost) else None,
        certified_gap=certified_gap,
        seconds_scoring=seconds_scoring,
        seconds_solving=seconds_solving,
        details=details,
    )


def _pairs_of(market: Market, result: FlowResult) -> tuple[IntArray, IntArray, IntArray]:
    matched = result.matched_mentor >= 0
    mentee = np.concatenate([market.pinned_mentee, market.free_mentees[matched]])
    mentor = np.concatenate(
        [market.pinned_mentor, market.live_mentors[result.matched_mentor[matched]]]
    )
    cost = np.concatenate([market.pinned_cost, result.matched_cost[matched]])
    return mentee, mentor, cost


def _relative_gap(gap_units: int, total_units: int) -> float:
    if gap_units <= 0:
        return 0.0
    return float(gap_units) / float(max(total_units, 1))


# ---------------------------------------------------------------------------------------------
# objectives


def solve(
    problem: MatchingProblem,
    objective: Objective,
    *,
    seed: int = 0,
    progress: Callable[[float], None] | None = None,
    tolerance: float = 0.0,
    candidates_per_side: int | None = None,
    pricing: str = "auto",
) -> Assignment:
    """Match mentees to mentors under `objective`.

    Pinned pairs are always in the result and use their mentor's capacity; forbidden pairs never
    are; no capacity is exceeded. TOTAL and FAIR match as many mentees as possible first.
    `tolerance` (TOTAL/FAIR): stop once the proved relative gap is at most this (0 = exact).
    `candidates_per_side`: size of each side's shortlist in the first candidate graph (None =
    automatic). `pricing`: "exact" (one exact matrix), "blocks" (streamed, for large problems) or
    "auto" (blocks above `pricing.EXACT_PAIRS_LIMIT` pairs). `seed` breaks score ties in STABLE.
    """
    objective = check_solve_arguments(
        objective,
        seed=seed,
        tolerance=tolerance,
        candidates_per_side=candidates_per_side,
        pricing=pricing,
    )
    if progress is not None and not callable(progress):
        raise InvalidProblem("progress must be None or a callable")
    _report(progress, 0.0)
    started = time.perf_counter()
    encoding = encoding_of(problem)
    market = market_of(encoding)
    pricer = make_pricer(encoding, market, seed=seed, pricing=pricing)
    prepared = time.perf_counter()
    _report(progress, 0.1)
    if objective == Objective.STABLE:
        assignment = _stable(encoding, market, pricer, seed=seed)
    else:
        arcs = pricer.initial_arcs(candidates_per_side)
        _report(progress, 0.2)
        if objective == Objective.FAIR:
            assignment = _fair(encoding, market, pricer, arcs, tolerance, progress)
        else:
            assignment = _total(encoding, market, pricer, arcs, tolerance, progress)
    finished = time.perf_counter()
    assignment.details.update(pricer.statistics())
    assignment.seconds_phases = {
        "encoding": prepared - started,
        **pricer.phases(),
        **assignment.seconds_phases,
    }
    # scoring: encoding the problem and every pass over the score matrix; solving: the rest
    assignment.seconds_scoring = prepared - started + pricer.seconds_pricing
    assignment.seconds_solving = finished - prepared - pricer.seconds_pricing
    _report(progress, 1.0)
    return assignment


def _total(
    encoding: Encoding,
    market: Market,
    pricer: Pricer,
    arcs: Arcs,
    tolerance: float,
    progress: Progress,
) -> Assignment:
    core = solve_total_core(
        market, pricer, arcs, tolerance=tolerance, report=_span(progress, 0.2, 0.95)
    )
    mentee, mentor, cost = _pairs_of(market, core.flow)
    assignment = build_assignment(
        encoding,
        Objective.TOTAL,
        mentee,
        mentor,
        cost,
        certified_gap=_relative_gap(core.gap_units, int(cost.sum())),
        seconds_scoring=0.0,
        seconds_solving=0.0,
        details={
            "rounds": float(core.rounds),
            "candidate_arcs": float(len(core.arcs.f)),
            "arcs_added_by_pricing": float(core.violations_added),
            "price_relaxation_rounds": float(core.price_rounds),
            "flows_repaired": float(core.flows_repaired),
        },
    )
    assignment.seconds_phases = {"flows": core.seconds_flows, "duals": core.seconds_duals}
    return assignment


def _fair(
    encoding: Encoding,
    market: Market,
    pricer: Pricer,
    arcs: Arcs,
    tolerance: float,
    progress: Progress,
) -> Assignment:
    """Most matched; then the highest lowest score among the pairs the engine chooses (pinned
    pairs are given, so they do not count in the bottleneck); then the best total."""
    core = solve_total_core(market, pricer, arcs, report=_span(progress, 0.2, 0.5))
    best = core.flow.flow
    threshold = 0
    arcs = core.arcs
    if best > 0:
        matched = core.flow.matched_mentor >= 0
        feasible = int(core.flow.matched_cost[matched].min())  # the TOTAL optimum's lowest
        threshold, arcs = fair_threshold(market, pricer, core.arcs, best, feasible)
    restricted = solve_total_core(
        market,
        pricer,
        arcs,
        threshold=threshold,
        tolerance=tolerance,
        report=_span(progress, 0.7, 0.95),
    )
    if restricted.flow.flow != best:
        raise RuntimeError("the fair threshold lost matched pairs")
    mentee, mentor, cost = _pairs_of(market, restricted.flow)
    # the threshold is proved over all pairs; `best` is proved when the first solve closed its
    # gap (it always does within its rounds in practice): otherwise that gap stays on the bill
    gap_units = restricted.gap_units + core.gap_units
    assignment = build_assignment(
        encoding,
        Objective.FAIR,
        mentee,
        mentor,
        cost,
        certified_gap=_relative_gap(gap_units, int(cost.sum())),
        seconds_scoring=0.0,
        seconds_solving=0.0,
        details={
            "rounds": float(core.rounds + restricted.rounds),
            "candidate_arcs": float(len(restricted.arcs.f)),
            "threshold_score": threshold / UNIT,
        },
    )
    assignment.seconds_phases = {
        "flows": core.seconds_flows + restricted.seconds_flows,  # not the threshold search's
        "duals": core.seconds_duals + restricted.seconds_duals,
    }
    return assignment


def fair_threshold(
    market: Market, pricer: Pricer, arcs: Arcs, best: int, feasible: int
) -> tuple[int, Arcs]:
    """The largest t such that the pairs scoring >= t still match `best` mentees, proved over
    *every* allowed pair, and the arcs known at the end.

    A binary search over the distinct scores of the known arcs (from `feasible`, a t known to
    work; each step a max flow) finds the best t on those arcs. That is only a lower bound: an
    unexamined pair may score between t and the next known value, or above every known one.
    So the pricer is asked about the very next value, t + 1 unit, over all pairs: either no
    matching of `best` pairs scoring >= t + 1 exists (a min cut that no pair crosses proves it,
    so t is the optimum) or it hands back pairs that cross the cut, and the search runs again
    with them."""
    n_free = len(market.free_mentees)
    while True:
        values = unique_sorted(arcs.c[arcs.c >= feasible])
        low, high = 0, len(values) - 1  # values[low] is feasible
        while low < high:
            middle = (low + high + 1) // 2
            keep = arcs.c >= values[middle]
            if maximum_flow_value(n_free, market.residual, arcs.f[keep], arcs.r[keep]) == best:
                low = middle
            else:
                high = middle - 1
        threshold = int(values[low])
        above = threshold + 1  # the smallest score better than `threshold`
        extra = pricer.cover_violations(arcs.at_least(above), best, above)
        if extra is None:
            return threshold, arcs
        extra = extra.without(arcs)
        if not len(extra.f):
            raise RuntimeError("the fair threshold check found no new pair to add")
        arcs = arcs.union(extra)
        feasible = threshold


def _stable(encoding: Encoding, market: Market, pricer: Pricer, *, seed: int) -> Assignment:
    mentee, mentor, cost, details = pricer.greedy(market.residual, seed=seed)
    return build_assignment(
        encoding,
        Objective.STABLE,
        np.concatenate([market.pinned_mentee, mentee]),
        np.concatenate([market.pinned_mentor, mentor]),
        np.concatenate([market.pinned_cost, cost]),
        certified_gap=None,
        seconds_scoring=0.0,
        seconds_solving=0.0,
        details=details,
    )


def greedy(problem: MatchingProblem, *, pricing: str = "auto") -> Assignment:
    """Baseline for the benchmark: pairs in descending score, each taken if both sides are free
    (ties by mentee then mentor index). No optimality claim."""
    check_pricing(pricing)
    started = time.perf_counter()
    encoding = encoding_of(problem)
    market = market_of(encoding)
    pricer = make_pricer(encoding, market, seed=0, pricing=pricing)
    mentee, mentor, cost, details = pricer.greedy(market.residual, seed=None)
    assignment = build_assignment(
        encoding,
        Objective.TOTAL,
        np.concatenate([market.pinned_mentee, mentee]),
        np.concatenate([market.pinned_mentor, mentor]),
        np.concatenate([market.pinned_cost, cost]),
        certified_gap=None,
        seconds_scoring=0.0,
        seconds_solving=time.perf_counter() - started,
        details={**details, "greedy_baseline": 1.0},
    )
    return assignment
