"""Where candidate arcs come from, and the pass over every pair that certifies a solution.

A *pricer* knows every allowed pair of the market (free mentees x mentors with room) and
answers four questions without the solver ever holding all of them:
- `initial_arcs(k)`: a sparse candidate graph (each mentee's best k mentors and each mentor's
  best k mentees);
- `price(u, v)`: given dual prices, the pairs that violate them and the proved gap;
- `cover_violations(...)`: for the FAIR threshold, pairs that cross a min cut;
- `greedy(...)`: pairs in descending score order, each taken while both sides have room.

`ExactPricer` evaluates all pairs exactly in one matrix (small problems, and the reference the
tests use); `pricing_blocks.BlockPricer` streams the score matrix in blocks for large ones.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from tandem.matching.engine.features import UNIT, Encoding, allowed, pair_costs
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
from tandem.matching.engine.problem import IntArray
from tandem.matching.engine.repair import repair_flow

# Problems up to this many (free mentee x live mentor) pairs are priced as one exact matrix.
EXACT_PAIRS_LIMIT = 60_000
# After the first round, the solver sees the known arcs whose reduced score is within this many
# score units of their mentee's best (plus every matched arc and every new violation): pruning
# never costs exactness, since the pricing pass checks every pair, pruned ones included.
WORKING_SLACK = 0.75
NOT_ALLOWED = np.iinfo(np.int64).min // 4


class Pricer(Protocol):
    seconds_pricing: float

    def initial_arcs(self, per_side: int | None) -> Arcs: ...

    def price(self, u: IntArray, v: IntArray, *, threshold: int | None) -> tuple[Arcs, int]: ...

    def cover_violations(self, arcs: Arcs, best: int, threshold: int) -> Arcs | None: ...

    def greedy(
        self, residual: IntArray, *, seed: int | None
    ) -> tuple[IntArray, IntArray, IntArray, dict[str, float]]: ...

    def statistics(self) -> dict[str, float]: ...

    def phases(self) -> dict[str, float]: ...


def tie_break(mentee: IntArray, mentor: IntArray, seed: int) -> IntArray:
    """A deterministic pseudo-random rank per pair (splitmix64 of the pair and the seed)."""
    with np.errstate(over="ignore"):
        x = (mentee.astype(np.uint64) << np.uint64(32)) ^ mentor.astype(np.uint64)
        x ^= np.uint64((seed * 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF)
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        x = x ^ (x >> np.uint64(31))
    result: IntArray = (x >> np.uint64(1)).astype(np.int64)
    return result


def greedy_scan(
    f: IntArray, r: IntArray, c: IntArray, order: IntArray, n_free: int, residual: IntArray
) -> np.ndarray:
    """Take pairs in `order` while both sides have room; returns the taken positions."""
    room = residual.astype(np.int64).copy()
    taken_mentee = np.zeros(n_free, bool)
    taken: list[int] = []
    f_list, r_list = f.tolist(), r.tolist()
    for position in order.tolist():
        mentee, mentor = f_list[position], r_list[position]
        if taken_mentee[mentee] or room[mentor] == 0:
            continue
        taken_mentee[mentee] = True
        room[mentor] -= 1
        taken.append(position)
    return np.asarray(taken, np.int64)


@dataclass
class ExactPricer:
    """Every allowed pair's exact cost in one (free mentees x live mentors) matrix."""

    encoding: Encoding
    market: Market
    seconds_pricing: float = 0.0

    def __post_init__(self) -> None:
        self.free_mentees = self.market.free_mentees
        self.live_mentors = self.market.live_mentors
        rows, columns = len(self.free_mentees), len(self.live_mentors)
        mentee = np.repeat(self.free_mentees, columns)
        mentor = np.tile(self.live_mentors, rows)
        costs = pair_costs(self.encoding, mentee, mentor)
        costs[~allowed(self.encoding, mentee, mentor)] = NOT_ALLOWED
        self.cost = costs.reshape(rows, columns)

    def statistics(self) -> dict[str, float]:
        return {}

    def phases(self) -> dict[str, float]:
        return {"pricing": self.seconds_pricing}

    def _arcs(self, mask: np.ndarray) -> Arcs:
        f, r = np.divmod(np.flatnonzero(mask), mask.shape[1])
        return Arcs(f.astype(np.int64), r.astype(np.int64), self.cost[f, r])

    def initial_arcs(self, per_side: int | None) -> Arcs:
        ok = self.cost != NOT_ALLOWED
        if per_side is None and self.cost.size > 20_000:
            per_side = 16
        if per_side is None or not self.cost.size:
            return self._arcs(ok)
        keep = np.zeros_like(ok)
        rows, columns = self.cost.shape
        ranked = np.where(ok, self.cost, NOT_ALLOWED)
        if columns:
            k = min(per_side, columns)
            best = np.argsort(-ranked, axis=1, kind="stable")[:, :k]
            keep[np.arange(rows)[:, None], best] = True
        if rows:
            k = min(per_side, rows)
            best = np.argsort(-ranked, axis=0, kind="stable")[:k, :]
            keep[best, np.arange(columns)[None, :]] = True
        return self._arcs(keep & ok)

    def price(self, u: IntArray, v: IntArray, *, threshold: int | None) -> tuple[Arcs, int]:
        ok = self.cost != NOT_ALLOWED
        if threshold is not None:
            ok &= self.cost >= threshold
        violation = np.where(ok, BIG_M + self.cost - v[None, :] - u[:, None], -1)
        worst = violation.max(axis=1, initial=0)
        gap = int(np.maximum(worst, 0).sum())
        return self._arcs(violation > 0), gap

    def cover_violations(self, arcs: Arcs, best: int, threshold: int) -> Arcs | None:
        """Pairs scoring >= threshold that the candidate arcs miss, if together they could still
        match `best` mentees; None when even all of them cannot (the threshold is proved)."""
        ok = (self.cost != NOT_ALLOWED) & (self.cost >= threshold)
        everything = self._arcs(ok)
        residual = self.market.residual
        if maximum_flow_value(len(self.free_mentees), residual, everything.f, everything.r) < best:
            return None
        return everything

    def greedy(
        self, residual: IntArray, *, seed: int | None
    ) -> tuple[IntArray, IntArray, IntArray, dict[str, float]]:
        arcs = self._arcs(self.cost != NOT_ALLOWED)
        if seed is None:
            order = np.lexsort((arcs.r, arcs.f, -arcs.c))
        else:
            ties = tie_break(self.free_mentees[arcs.f], self.live_mentors[arcs.r], seed)
            order = np.lexsort((-ties, -arcs.c))
        taken = greedy_scan(arcs.f, arcs.r, arcs.c, order, len(self.free_mentees), residual)
        return (
            self.free_mentees[arcs.f[taken]],
            self.live_mentors[arcs.r[taken]],
            arcs.c[taken],
            {"pairs_considered": float(len(arcs.f))},
        )


def make_pricer(encoding: Encoding, market: Market, *, seed: int, pricing: str = "auto") -> Pricer:
    """The exact matrix for small markets, the streamed block pricer for large ones."""
    pairs = len(market.free_mentees) * len(market.live_mentors)
    if pricing == "exact" or pairs == 0 or (pricing == "auto" and pairs <= EXACT_PAIRS_LIMIT):
        return ExactPricer(encoding, market)
    from tandem.matching.engine.blocks import BlockPricer

    return BlockPricer(encoding, market, seed=seed)


@dataclass
class TotalResult:
    flow: FlowResult
    arcs: Arcs  # every arc with an exact cost met so far
    prices: IntArray  # the mentor duals of the last round (M = 2^52 scale)
    gap_units: int
    rounds: int
    price_rounds: int
    violations_added: int
    working_arcs: int
    seconds_flows: float = 0.0
    seconds_duals: float = 0.0
    flows_repaired: int = 0  # rounds whose flow was last round's, repaired (`repair.py`)


def _cold(market: Market, working: Arcs) -> FlowResult:
    """OR-Tools' min-cost flow from nothing."""
    return solve_flow(
        len(market.free_mentees), market.residual, working.f, working.r, working.c, market.supply
    )


def _repaired(
    market: Market,
    previous: Arcs,
    working: Arcs,
    result: FlowResult,
    u: IntArray,
    v: IntArray,
) -> FlowResult | None:
    """Last round's flow repaired for this round's arcs (`repair.repair_flow`), or None when
    it cannot be carried over (an arc with flow left the graph) or the repair gives up."""
    if result.arc_flow is None or market.supply != 1:
        return None
    carrying = np.flatnonzero(result.arc_flow > 0)
    order = np.argsort(working.keys)
    sorted_keys = working.keys[order]
    position = np.searchsorted(sorted_keys, previous.keys[carrying])
    position = np.minimum(position, len(sorted_keys) - 1)
    if not len(sorted_keys) or np.any(sorted_keys[position] != previous.keys[carrying]):
        return None
    arc_flow = np.zeros(len(working.f), np.int64)
    arc_flow[order[position]] = result.arc_flow[carrying]
    return repair_flow(
        len(market.free_mentees),
        market.residual,
        working.f,
        working.r,
        working.c,
        market.supply,
        arc_flow,
        u,
        v,
    )


def _prices(
    market: Market,
    working: Arcs,
    result: FlowResult,
    start: IntArray | None,
    repaired: FlowResult | None,
) -> tuple[IntArray, int, bool]:
    """The mentor prices of this round's flow, the relaxation rounds, and False when the flow
    came from a repair and the prices do not prove it optimal on the working arcs
    (complementary slackness)."""
    try:
        prices, rounds = mentor_prices(
            len(market.live_mentors),
            working.f,
            working.r,
            working.c,
            result,
            residual=market.residual,
            start=start,
        )
    except RuntimeError:
        if repaired is None:
            raise
        return np.zeros(len(market.live_mentors), np.int64), 0, False  # not optimal
    proved = repaired is None or proves_optimal(market, working, result, prices)
    return prices, rounds, proved


def proves_optimal(market: Market, working: Arcs, result: FlowResult, v: IntArray) -> bool:
    """Whether (u, v) with u from `mentee_prices` is a dual solution of the working arcs' LP
    satisfying complementary slackness with the flow: then the flow is optimal on them."""
    u = mentee_prices(result, v)
    if result.arc_flow is None or np.any(u < 0) or np.any(v < 0):
        return False
    margin = u[working.f] + v[working.r] - BIG_M - working.c
    if np.any(margin < 0) or np.any(margin[result.arc_flow > 0] != 0):
        return False
    full = result.mentor_load == market.residual
    return bool(np.all(full[v > 0]) and np.all(result.saturated[u > 0]))


def solve_total_core(
    market: Market,
    pricer: Pricer,
    arcs: Arcs,
    *,
    threshold: int | None = None,
    tolerance: float = 0.0,
    max_rounds: int = 40,
    report: Callable[[float], None] | None = None,
) -> TotalResult:
    """Solve on candidate arcs, price every pair against the duals, add the violations, repeat
    until there are none (gap 0) or the proved gap is within `tolerance` of the total.

    From the second round on the flow runs on a *working* graph: the known arcs whose reduced
    score is within `WORKING_SLACK` of zero under the last duals, plus matched arcs and new
    violations. Arcs left out are still priced, so a certificate is a certificate."""
    n_free, n_live = len(market.free_mentees), len(market.live_mentors)
    if threshold is not None:
        arcs = arcs.at_least(threshold)
    known = arcs
    working = arcs
    added = 0
    price_rounds = 0
    gap = 0
    prices = np.zeros(n_live, np.int64)
    slack = int(WORKING_SLACK * UNIT)
    seconds = {"flows": 0.0, "duals": 0.0}
    clock = time.perf_counter()
    result = _cold(market, working)
    seconds["flows"] += time.perf_counter() - clock
    u = np.zeros(n_free, np.int64)
    previous = working
    repairs = 0
    for round_number in range(1, max_rounds + 1):
        repaired = None
        if round_number > 1:
            clock = time.perf_counter()
            repaired = _repaired(market, previous, working, result, u, prices)
            result = repaired if repaired is not None else _cold(market, working)
            seconds["flows"] += time.perf_counter() - clock
        clock = time.perf_counter()
        start = prices if round_number > 1 else None
        new_prices, relaxation_rounds, proved = _prices(market, working, result, start, repaired)
        if not proved:
            # the repaired flow is not proved optimal: solve this round cold
            flows_clock = time.perf_counter()
            result = _cold(market, working)
            seconds["flows"] += time.perf_counter() - flows_clock
            new_prices, relaxation_rounds, _ = _prices(market, working, result, start, None)
        elif repaired is not None:
            repairs += 1
        prices = new_prices
        price_rounds += relaxation_rounds
        u = mentee_prices(result, prices)
        seconds["duals"] += time.perf_counter() - clock
        previous = working
        if report is not None:
            report(min(0.9, round_number / (round_number + 2)))
        violations, gap = pricer.price(u, prices, threshold=threshold)
        violations = violations.without(working)
        total_units = result.total_cost + int(market.pinned_cost.sum())
        if gap == 0 or not len(violations.f) or gap <= tolerance * max(total_units, 1):
            return TotalResult(
                result,
                known,
                prices,
                gap,
                round_number,
                price_rounds,
                added,
                len(working.f),
                seconds["flows"],
                seconds["duals"],
                repairs,
            )
        added += len(violations.f)
        known = known.union(violations)
        reduced = BIG_M + known.c - prices[known.r] - u[known.f]
        keep = reduced >= -slack
        working = Arcs(known.f[keep], known.r[keep], known.c[keep]).union(violations)
    return TotalResult(
        result,
        known,
        prices,
        gap,
        max_rounds,
        price_rounds,
        added,
        len(working.f),
        seconds["flows"],
        seconds["duals"],
        repairs,
    )
