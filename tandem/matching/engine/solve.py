"""The three objectives (TOTAL, FAIR, STABLE), the greedy baseline and the unmatched reasons."""

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from tandem.matching.engine.features import UNIT, Encoding, allowed, pair_costs, pair_keys
from tandem.matching.engine.flow import (
    BIG_M,
    Arcs,
    FlowResult,
    Market,
    maximum_flow_value,
    mentee_prices,
    mentor_prices,
    solve_flow,
)
from tandem.matching.engine.pricing import ExactPricer, Pricer, make_pricer
from tandem.matching.engine.problem import (
    Assignment,
    IntArray,
    MatchingProblem,
    Objective,
    UnmatchedReason,
)
from tandem.matching.engine.scoring import encoding_of

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


@dataclass
class TotalResult:
    flow: FlowResult
    arcs: Arcs
    gap_units: int
    rounds: int
    price_rounds: int
    violations_added: int


def solve_total_core(
    market: Market,
    pricer: Pricer,
    arcs: Arcs,
    *,
    threshold: int | None = None,
    tolerance: float = 0.0,
    max_rounds: int = 30,
    progress: Progress = None,
    progress_span: tuple[float, float] = (0.0, 1.0),
) -> TotalResult:
    """Solve on the candidate arcs, price every pair, add the violations, repeat until none
    (or until the proved gap is within `tolerance` of the total)."""
    n_free, n_live = len(market.free_mentees), len(market.live_mentors)
    if threshold is not None:
        arcs = arcs.at_least(threshold)
    added = 0
    price_rounds = 0
    low, high = progress_span
    for round_number in range(1, max_rounds + 1):
        result = solve_flow(n_free, market.residual, arcs.f, arcs.r, arcs.c)
        prices, relaxation_rounds = mentor_prices(n_live, arcs.f, arcs.r, arcs.c, result)
        price_rounds += relaxation_rounds
        u = mentee_prices(result, prices)
        _report(progress, low + (high - low) * min(0.9, round_number / (round_number + 1)))
        violations, gap = pricer.price(u, prices, threshold=threshold)
        violations = violations.without(arcs)
        total_units = int(result.matched_cost.sum()) + int(market.pinned_cost.sum())
        if gap == 0 or not len(violations.f) or gap <= tolerance * max(total_units, 1):
            return TotalResult(result, arcs, gap, round_number, price_rounds, added)
        added += len(violations.f)
        arcs = arcs.union(violations)
    return TotalResult(result, arcs, gap, max_rounds, price_rounds, added)


# ---------------------------------------------------------------------------------------------
# results


def _count_allowed(encoding: Encoding, mentees: IntArray, mentor_mask: np.ndarray) -> IntArray:
    """For each mentee, how many mentors in `mentor_mask` it is allowed to be paired with."""
    if encoding.require_shared_language:
        table = encoding.language.values > 0
        per_class = np.bincount(
            encoding.language.mentor_class[mentor_mask], minlength=table.shape[1]
        )
        counts = (table[encoding.language.mentee_class[mentees]] * per_class).sum(axis=1)
    else:
        counts = np.full(len(mentees), int(mentor_mask.sum()), np.int64)
    keys = encoding.forbidden_keys
    forbidden_mentee, forbidden_mentor = keys // encoding.m, keys % encoding.m
    position = np.full(encoding.n, -1, np.int64)
    position[mentees] = np.arange(len(mentees))
    relevant = (position[forbidden_mentee] >= 0) & mentor_mask[forbidden_mentor]
    if encoding.require_shared_language:
        relevant &= encoding.language.of(forbidden_mentee, forbidden_mentor) > 0
    counts = counts - np.bincount(position[forbidden_mentee[relevant]], minlength=len(mentees))
    result: IntArray = counts.astype(np.int64)
    return result


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
    if len(np.unique(mentee)) != len(mentee):
        raise RuntimeError("a mentee was matched twice")
    load = np.bincount(mentor, minlength=encoding.m)
    if np.any(load > encoding.capacity):
        raise RuntimeError("a mentor's capacity was exceeded")
    if not np.all(allowed(encoding, mentee, mentor)):
        raise RuntimeError("a forbidden pair was matched")
    matched = np.zeros(encoding.n, bool)
    matched[mentee] = True
    unmatched = np.flatnonzero(~matched).astype(np.int64)
    any_allowed = _count_allowed(encoding, unmatched, np.ones(encoding.m, bool)) > 0
    with_room = _count_allowed(encoding, unmatched, load < encoding.capacity) > 0
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
) -> Assignment:
    """Match mentees to mentors under `objective`.

    Pinned pairs are always in the result and use their mentor's capacity; forbidden pairs never
    are; no capacity is exceeded. TOTAL and FAIR match as many mentees as possible first.
    `tolerance` (TOTAL/FAIR): stop once the proved relative gap is at most this (0 = exact).
    `candidates_per_side`: size of each side's shortlist in the first candidate graph (None =
    automatic). `seed` breaks score ties in STABLE.
    """
    objective = Objective(objective)
    _report(progress, 0.0)
    started = time.perf_counter()
    encoding = encoding_of(problem)
    market = market_of(encoding)
    pricer = make_pricer(encoding, market, seed=seed)
    arcs = pricer.initial_arcs(candidates_per_side)
    scored = time.perf_counter()
    seconds_scoring = scored - started + pricer.seconds_scoring_extra()
    _report(progress, 0.2)
    if objective == Objective.STABLE:
        assignment = _stable(encoding, market, pricer, seed=seed)
    elif objective == Objective.FAIR:
        assignment = _fair(encoding, market, pricer, arcs, tolerance, progress)
    else:
        assignment = _total(encoding, market, pricer, arcs, tolerance, progress)
    finished = time.perf_counter()
    assignment.seconds_scoring = seconds_scoring + pricer.seconds_pricing
    assignment.seconds_solving = finished - scored - pricer.seconds_pricing
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
        market, pricer, arcs, tolerance=tolerance, progress=progress, progress_span=(0.2, 0.95)
    )
    mentee, mentor, cost = _pairs_of(market, core.flow)
    return build_assignment(
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
        },
    )


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
    core = solve_total_core(market, pricer, arcs, progress=progress, progress_span=(0.2, 0.5))
    best = core.flow.flow
    threshold = 0
    if best > 0:
        threshold = fair_threshold(market, pricer, core.arcs, best)
    restricted = solve_total_core(
        market,
        pricer,
        core.arcs,
        threshold=threshold,
        tolerance=tolerance,
        progress=progress,
        progress_span=(0.7, 0.95),
    )
    if restricted.flow.flow != best:
        raise RuntimeError("the fair threshold lost matched pairs")
    mentee, mentor, cost = _pairs_of(market, restricted.flow)
    return build_assignment(
        encoding,
        Objective.FAIR,
        mentee,
        mentor,
        cost,
        certified_gap=_relative_gap(restricted.gap_units, int(cost.sum())),
        seconds_scoring=0.0,
        seconds_solving=0.0,
        details={
            "rounds": float(core.rounds + restricted.rounds),
            "candidate_arcs": float(len(restricted.arcs.f)),
            "threshold_score": threshold / UNIT,
        },
    )


def fair_threshold(market: Market, pricer: Pricer, arcs: Arcs, best: int) -> int:
    """The largest t such that arcs scoring >= t still match `best` mentees (binary search over
    the distinct scores, each step a max flow). The candidate arcs give a feasible t; the pricer
    then proves that no pair outside them would allow a higher one."""
    n_free = len(market.free_mentees)
    while True:
        values = np.unique(arcs.c)
        low, high = 0, len(values) - 1  # values[low] is feasible (all arcs match `best`)
        while low < high:
            middle = (low + high + 1) // 2
            keep = arcs.c >= values[middle]
            if maximum_flow_value(n_free, market.residual, arcs.f[keep], arcs.r[keep]) == best:
                low = middle
            else:
                high = middle - 1
        threshold = int(values[low])
        if low == len(values) - 1:
            return threshold
        higher = int(values[low + 1])
        extra = pricer.cover_violations(arcs.at_least(higher), best, higher)
        if extra is None:
            return threshold
        arcs = arcs.union(extra)


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


def greedy(problem: MatchingProblem) -> Assignment:
    """Baseline for the benchmark: pairs in descending score, each taken if both sides are free
    (ties by mentee then mentor index). No optimality claim."""
    started = time.perf_counter()
    encoding = encoding_of(problem)
    market = market_of(encoding)
    pricer = make_pricer(encoding, market, seed=0)
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


__all__ = [
    "BIG_M",
    "ExactPricer",
    "Market",
    "fair_threshold",
    "greedy",
    "market_of",
    "pair_keys",
    "solve",
]
