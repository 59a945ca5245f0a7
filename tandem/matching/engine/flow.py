"""Maximum matching of best total score on a sparse candidate graph, and its dual prices.

The problem (after pinned pairs are taken out) is a b-matching: free mentees f, mentors r with
residual capacity, candidate arcs (f, r) with an integer cost c (the score in units). Its LP is

    max  sum (M + c_fr) x_fr   s.t.  sum_r x_fr <= 1,  sum_f x_fr <= cap_r,  x >= 0

with M so large that one more matched pair always outweighs any score (lexicographic: most
people matched, then best total). The matrix is totally unimodular, so the LP optimum is
integral: OR-Tools' `solve_max_flow_with_min_cost` finds it exactly (max flow, then min cost).

The dual has a price u_f >= 0 per mentee and v_r >= 0 per mentor with u_f + v_r >= M + c_fr.
OR-Tools does not expose its potentials, so `mentor_prices` derives the smallest prices that
satisfy complementary slackness with the flow (a longest-path problem on the mentors, solved by
a vectorised Bellman-Ford/SPFA): for a mentee matched to mu, every other candidate r gives
v_r >= v_mu + c_fr - c_fmu; an unmatched mentee gives v_r >= M + c_fr. Any pair (f, r), in the
candidate graph or not, with M + c_fr - v_r > u_f is a *violation*; the sum over mentees of the
largest violation is exactly how much the dual bound exceeds the solution, so no violation
anywhere is a proof of optimality on the whole (dense) problem.

M is the integer 2^52; every quantity is int64 (costs are < 2^40, see `features.MAX_WEIGHT_SUM`),
so "M + small" arithmetic is exact and behaves as the lexicographic pair it stands for.
"""

from dataclasses import dataclass, field

import numpy as np
from ortools.graph.python import max_flow, min_cost_flow

from tandem.matching.engine.features import member, unique_first, unique_sorted
from tandem.matching.engine.problem import IntArray

BIG_M = 2**52
BoolArray = np.ndarray


@dataclass
class Market:
    """The part of the problem left to decide once pinned pairs are placed. Free mentees and
    live mentors (residual capacity > 0) get compact indices f and r."""

    free_mentees: IntArray  # mentee ids not pinned
    live_mentors: IntArray  # mentor ids with residual capacity > 0
    residual: IntArray  # residual capacity of each live mentor
    pinned_mentee: IntArray
    pinned_mentor: IntArray
    pinned_cost: IntArray
    supply: int = 1  # units each free mentee supplies (> 1 only in a replicated sub-market)


@dataclass
class Arcs:
    """Candidate pairs in compact indices with their integer costs."""

    f: IntArray
    r: IntArray
    c: IntArray
    keys: IntArray = field(init=False)

    def __post_init__(self) -> None:
        self.keys = self.f * (1 << 31) + self.r

    def union(self, other: "Arcs") -> "Arcs":
        keys = np.concatenate([self.keys, other.keys])
        _, first = unique_first(keys)
        return Arcs(
            np.concatenate([self.f, other.f])[first],
            np.concatenate([self.r, other.r])[first],
            np.concatenate([self.c, other.c])[first],
        )

    def at_least(self, threshold: int) -> "Arcs":
        keep = self.c >= threshold
        return Arcs(self.f[keep], self.r[keep], self.c[keep])

    def without(self, existing: "Arcs") -> "Arcs":
        if not len(self.f):
            return self
        known = member(np.sort(existing.keys), self.keys)
        return Arcs(self.f[~known], self.r[~known], self.c[~known])


@dataclass
class FlowResult:
    matched_arc: BoolArray  # per candidate arc: carries flow
    matched_mentor: IntArray  # per free mentee: compact mentor index or -1 (a flow arc of it)
    matched_cost: IntArray  # per free mentee: cost of that arc (0 when unmatched)
    flow: int  # total flow (= pairs matched when every mentee supplies 1)
    saturated: BoolArray  # per free mentee: all its supply is matched
    total_cost: int  # sum of flow x cost
    mentor_load: IntArray  # per mentor: units received
    arc_flow: IntArray | None = None  # per candidate arc: units it carries


def solve_flow(
    n_free: int,
    residual: IntArray,
    arc_f: IntArray,
    arc_r: IntArray,
    arc_c: IntArray,
    supply: int = 1,
) -> FlowResult:
    """Maximum flow, then minimum cost, on source -> mentee -> mentor -> sink. Each mentee
    supplies `supply` units (1 in the real market; more in a replicated sub-market, where a
    sampled mentee stands for `supply` alike)."""
    n_mentors = len(residual)
    arcs = len(arc_f)
    matched_mentor = np.full(n_free, -1, np.int64)
    matched_cost = np.zeros(n_free, np.int64)
    if arcs == 0 or n_free == 0:
        return FlowResult(
            np.zeros(arcs, bool),
            matched_mentor,
            matched_cost,
            0,
            np.zeros(n_free, bool),
            0,
            np.zeros(n_mentors, np.int64),
            np.zeros(arcs, np.int64),
        )
    top = int(arc_c.max())
    sink = 1 + n_free + n_mentors
    solver = min_cost_flow.SimpleMinCostFlow()
    tails = np.concatenate(
        [np.zeros(n_free, np.int64), 1 + arc_f, 1 + n_free + np.arange(n_mentors, dtype=np.int64)]
    )
    heads = np.concatenate(
        [
            1 + np.arange(n_free, dtype=np.int64),
            1 + n_free + arc_r,
            np.full(n_mentors, sink, np.int64),
        ]
    )
    capacities = np.concatenate(
        [
            np.full(n_free, supply, np.int64),
            np.full(arcs, supply, np.int64),
            residual.astype(np.int64),
        ]
    )
    costs = np.concatenate([np.zeros(n_free, np.int64), top - arc_c, np.zeros(n_mentors, np.int64)])
    solver.add_arcs_with_capacity_and_unit_cost(tails, heads, capacities, costs)
    solver.set_node_supply(0, n_free * supply)
    solver.set_node_supply(sink, -n_free * supply)
    status = solver.solve_max_flow_with_min_cost()
    if status != solver.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed: {status}")
    flows = solver.flows(np.arange(n_free, n_free + arcs, dtype=np.int64))
    matched = flows > 0
    carrying = np.flatnonzero(matched)
    # one representative flow arc per mentee (its first)
    _, first = np.unique(arc_f[carrying], return_index=True)
    chosen = carrying[first]
    matched_mentor[arc_f[chosen]] = arc_r[chosen]
    matched_cost[arc_f[chosen]] = arc_c[chosen]
    per_mentee = np.bincount(arc_f[matched], weights=flows[matched], minlength=n_free)
    return FlowResult(
        matched,
        matched_mentor,
        matched_cost,
        int(flows.sum()),
        per_mentee.astype(np.int64) == supply,
        int((flows * arc_c).sum()),
        np.bincount(arc_r, weights=flows, minlength=n_mentors).astype(np.int64),
        flows.astype(np.int64),
    )


def _ranges(starts: IntArray, counts: IntArray) -> IntArray:
    """Concatenation of arange(start, start + count) for each pair, vectorised."""
    total = int(counts.sum())
    if total == 0:
        return np.empty(0, np.int64)
    offsets = np.repeat(np.cumsum(counts) - counts, counts)
    result: IntArray = np.repeat(starts, counts) + (np.arange(total, dtype=np.int64) - offsets)
    return result


def mentor_prices(
    n_mentors: int,
    arc_f: IntArray,
    arc_r: IntArray,
    arc_c: IntArray,
    result: FlowResult,
    *,
    residual: IntArray | None = None,
    start: IntArray | None = None,
) -> tuple[IntArray, int]:
    """Mentor prices v (int64, M = 2^52 scale) that, with u from `mentee_prices`, are an
    optimal dual of the candidate arcs for this flow; and the relaxation rounds it took.

    Without `start`: the smallest such prices. With `start` (last round's prices) and
    `residual`: the smallest ones above `start` when they still satisfy complementary
    slackness (a mentor with room is free, no mentee's price is negative) — far fewer rounds
    once prices settle — else the smallest ones."""
    if start is not None and residual is not None:
        warm, rounds = _propagate(n_mentors, arc_f, arc_r, arc_c, result, start)
        has_room = result.mentor_load < residual
        matched = result.saturated & (result.matched_mentor >= 0)
        negative = BIG_M + result.matched_cost[matched] < warm[result.matched_mentor[matched]]
        if not np.any(warm[has_room] != 0) and not negative.any():
            return warm, rounds
    return _propagate(n_mentors, arc_f, arc_r, arc_c, result, None)


def _propagate(
    n_mentors: int,
    arc_f: IntArray,
    arc_r: IntArray,
    arc_c: IntArray,
    result: FlowResult,
    start: IntArray | None,
) -> tuple[IntArray, int]:
    prices = np.zeros(n_mentors, np.int64) if start is None else start.copy()
    matched_mentor = result.matched_mentor  # one flow arc per mentee: its representative
    arc_matched_mentor = matched_mentor[arc_f]
    short = ~result.saturated[arc_f]  # a mentee with supply left: u = 0
    if short.any():
        np.maximum.at(prices, arc_r[short], BIG_M + arc_c[short])
    has_flow = arc_matched_mentor >= 0
    representative = has_flow & (arc_r == arc_matched_mentor)
    # from a mentee's representative mentor to each of its other arcs ...
    edges = has_flow & ~representative
    source = arc_matched_mentor[edges]
    target = arc_r[edges]
    weight = arc_c[edges] - result.matched_cost[arc_f[edges]]
    # ... and from each of its other flow arcs back to the representative (they are equal)
    back = edges & result.matched_arc
    source = np.concatenate([source, arc_r[back]])
    target = np.concatenate([target, arc_matched_mentor[back]])
    weight = np.concatenate([weight, result.matched_cost[arc_f[back]] - arc_c[back]])
    order = np.argsort(source, kind="stable")
    source, target, weight = source[order], target[order], weight[order]
    pointer = np.searchsorted(source, np.arange(n_mentors + 1))
    frontier = np.arange(n_mentors, dtype=np.int64)
    rounds = 0
    while len(frontier):
        rounds += 1
        if rounds > n_mentors + 2:
            raise RuntimeError("dual prices do not converge: the flow is not optimal")
        index = _ranges(pointer[frontier], pointer[frontier + 1] - pointer[frontier])
        if not len(index):
            break
        candidate = prices[source[index]] + weight[index]
        better = candidate > prices[target[index]]
        if not better.any():
            break
        raised = target[index][better]
        np.maximum.at(prices, raised, candidate[better])
        frontier = unique_sorted(raised)
    return prices, rounds


def mentee_prices(result: FlowResult, prices: IntArray) -> IntArray:
    """u_f = M + c - v_mu for a matched mentee, 0 for one with supply left."""
    u = np.zeros(len(result.matched_mentor), np.int64)
    matched = result.saturated & (result.matched_mentor >= 0)
    u[matched] = BIG_M + result.matched_cost[matched] - prices[result.matched_mentor[matched]]
    return u


def maximum_flow_value(n_free: int, residual: IntArray, arc_f: IntArray, arc_r: IntArray) -> int:
    """The size of a maximum matching on the given arcs (OR-Tools max flow)."""
    if not len(arc_f) or not n_free:
        return 0
    n_mentors = len(residual)
    sink = 1 + n_free + n_mentors
    solver = max_flow.SimpleMaxFlow()
    tails = np.concatenate(
        [np.zeros(n_free, np.int64), 1 + arc_f, 1 + n_free + np.arange(n_mentors, dtype=np.int64)]
    )
    heads = np.concatenate(
        [
            1 + np.arange(n_free, dtype=np.int64),
            1 + n_free + arc_r,
            np.full(n_mentors, sink, np.int64),
        ]
    )
    capacities = np.concatenate(
        [np.ones(n_free, np.int64), np.ones(len(arc_f), np.int64), residual.astype(np.int64)]
    )
    solver.add_arcs_with_capacity(tails, heads, capacities)
    status = solver.solve(0, sink)
    if status != solver.OPTIMAL:
        raise RuntimeError(f"max flow failed: {status}")
    return int(solver.optimal_flow())


def minimum_cut(
    n_free: int, residual: IntArray, arc_f: IntArray, arc_r: IntArray
) -> tuple[int, BoolArray, BoolArray]:
    """Max flow value and the source side of a minimum cut: (value, mentees on the source
    side, mentors on the source side)."""
    n_mentors = len(residual)
    sink = 1 + n_free + n_mentors
    solver = max_flow.SimpleMaxFlow()
    tails = np.concatenate(
        [np.zeros(n_free, np.int64), 1 + arc_f, 1 + n_free + np.arange(n_mentors, dtype=np.int64)]
    )
    heads = np.concatenate(
        [
            1 + np.arange(n_free, dtype=np.int64),
            1 + n_free + arc_r,
            np.full(n_mentors, sink, np.int64),
        ]
    )
    capacities = np.concatenate(
        [np.ones(n_free, np.int64), np.ones(len(arc_f), np.int64), residual.astype(np.int64)]
    )
    solver.add_arcs_with_capacity(tails, heads, capacities)
    status = solver.solve(0, sink)
    if status != solver.OPTIMAL:
        raise RuntimeError(f"max flow failed: {status}")
    side = np.asarray(solver.get_source_side_min_cut(), np.int64)
    rows = np.zeros(n_free, bool)
    columns = np.zeros(n_mentors, bool)
    mentee_nodes = side[(side >= 1) & (side <= n_free)]
    mentor_nodes = side[(side > n_free) & (side < sink)]
    rows[mentee_nodes - 1] = True
    columns[mentor_nodes - 1 - n_free] = True
    return int(solver.optimal_flow()), rows, columns
