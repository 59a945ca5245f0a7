"""A warm-started min-cost flow: repair last round's optimal flow after arcs were added.

Between two rounds of the pricing loop the working graph changes little (at 20,000 x 7,000
about 500 new arcs on ~170,000), but OR-Tools solves every round from nothing. Last round's
flow is optimal for last round's graph, and its duals (u, v) prove it. Under those duals only
the new arcs can have a negative reduced cost, so only their mentees are out of place:

1. The network is mentee -> mentor (cost -(M + c), capacity `supply`), mentor -> sink (cost 0,
   the mentor's capacity) and mentee -> sink (cost 0: "unmatched"), with node potentials
   pi(f) = u_f, pi(r) = -v_r, pi(sink) = 0. An optimal flow with its duals has every residual
   arc at a reduced cost >= 0.
2. Every mentee with an arc of negative reduced cost gives up its flow (it becomes an excess,
   the mentors or the sink it fed become deficits) and its potential is raised to the largest
   M + c - v_r of its arcs, so that every residual arc is at a reduced cost >= 0 again.
3. Successive shortest paths: Dijkstra (scipy, from every excess at once) on the reduced costs,
   the potentials move by the distances (capped at the farthest deficit used), and each
   reached deficit takes a unit from its nearest excess along the shortest-path tree while
   the tree's arcs have room. Augmenting along arcs of reduced cost 0 keeps every reduced cost
   >= 0, so each state is optimal for its own supplies; with no excess left the flow is
   optimal.

Nothing here is trusted: the caller derives the duals from the repaired flow as from any other
and checks complementary slackness; on any doubt (a deficit out of reach, a reduced cost that
is not >= 0, too many phases) `repair_flow` returns None and the caller solves cold. It also
declines when more than `MAX_OUT_OF_PLACE` mentees are out of place: the phases grow with them,
and above that a cold solve is cheaper (decision record 0024).
"""

import numpy as np
import scipy.sparse as sparse
from scipy.sparse.csgraph import dijkstra, maximum_flow

from tandem.matching.engine.flow import BIG_M, FlowResult
from tandem.matching.engine.problem import IntArray

# Paths are searched up to this reduced length: room for one arc worth about M (a mentee who
# leaves the market so another can enter) and scores (below 2^40 units), and every distance
# stays an exact integer in float64 (below 2^53). Longer paths are left to the cold solve.
LIMIT = 2**52 + 2**48
MAX_ITERATIONS = 24
# Each search phase costs about a twentieth of a cold solve, and the phases grow with the mentees
# out of place (measured at 20,000 x 7,000: 6 -> 2 phases, 59 -> 14, 843 -> 71): above this
# many, OR-Tools from nothing is cheaper.
MAX_OUT_OF_PLACE = 64
HORIZON = 2**16  # the first search radius, in units (2^-4 of a score point)


def repair_flow(
    n_free: int,
    residual: IntArray,
    arc_f: IntArray,
    arc_r: IntArray,
    arc_c: IntArray,
    supply: int,
    arc_flow: IntArray,
    u: IntArray,
    v: IntArray,
    *,
    max_out_of_place: int = MAX_OUT_OF_PLACE,
) -> FlowResult | None:
    """The optimal flow on the arcs, starting from `arc_flow` (optimal for the arcs whose
    reduced cost under the duals (u, v) is >= 0); None when the repair cannot vouch for it,
    or when more than `max_out_of_place` mentees are out of place (a cold solve is cheaper)."""
    n_mentors = len(residual)
    n_arcs = len(arc_f)
    sink = n_free + n_mentors
    n_nodes = sink + 1
    # the arcs: mentee -> mentor, mentor -> sink, mentee -> sink
    tail = np.concatenate([arc_f, n_free + np.arange(n_mentors), np.arange(n_free)])
    head = np.concatenate([n_free + arc_r, np.full(n_mentors, sink), np.full(n_free, sink)])
    capacity = np.concatenate(
        [np.full(n_arcs, supply), residual.astype(np.int64), np.full(n_free, supply)]
    ).astype(np.int64)
    cost = np.concatenate([-(BIG_M + arc_c), np.zeros(n_mentors + n_free, np.int64)])
    flow = np.zeros(len(tail), np.int64)
    flow[:n_arcs] = arc_flow
    out = np.bincount(arc_f, weights=arc_flow, minlength=n_free).astype(np.int64)
    load = np.bincount(arc_r, weights=arc_flow, minlength=n_mentors).astype(np.int64)
    flow[n_arcs : n_arcs + n_mentors] = load
    flow[n_arcs + n_mentors :] = supply - out
    potential = np.concatenate([u, -v, [0]]).astype(np.int64)
    balance = np.zeros(n_nodes, np.int64)

    reduced = cost[:n_arcs] + potential[arc_f] - potential[n_free + arc_r]
    out_of_place = np.unique(arc_f[reduced < 0])
    if len(out_of_place) > max_out_of_place:
        return None
    if len(out_of_place):
        # they give up their flow: an excess at the mentee, deficits where it went
        freed = np.zeros(n_free, bool)
        freed[out_of_place] = True
        arcs_of_freed = freed[arc_f]
        given = flow[:n_arcs] * arcs_of_freed
        np.subtract.at(balance, n_free + arc_r, given)
        flow[:n_arcs][arcs_of_freed] = 0
        unmatched = flow[n_arcs + n_mentors :][out_of_place]
        balance[sink] -= int(unmatched.sum())
        flow[n_arcs + n_mentors :][out_of_place] = 0
        balance[out_of_place] += supply
        best = np.zeros(n_free, np.int64)
        np.maximum.at(best, arc_f[arcs_of_freed], (BIG_M + arc_c - v[arc_r])[arcs_of_freed])
        potential[out_of_place] = best[out_of_place]

    # every arc once forward (entries 0..n-1) and once backward (n..2n-1), put in order of
    # (start node, end node) once: each phase recomputes the lengths and which have room
    n_all = len(tail)
    entry_start = np.concatenate([tail, head])
    keys = entry_start * n_nodes + np.concatenate([head, tail])
    order = np.argsort(keys)
    keys = keys[order]
    sorted_start = entry_start[order]
    sorted_end = np.concatenate([head, tail])[order].astype(np.int32)
    horizon = HORIZON
    for _ in range(MAX_ITERATIONS):
        excess = np.flatnonzero(balance > 0)
        if not len(excess):
            break
        open_forward = flow < capacity
        open_backward = flow > 0
        length = cost + potential[tail] - potential[head]  # forward; backward is -length
        if np.any(length[open_forward] < 0) or np.any(length[open_backward] > 0):
            return None
        usable = np.concatenate(
            [open_forward & (length <= LIMIT), open_backward & (length >= -LIMIT)]
        )[order]
        both = np.concatenate([length, -length])[order]
        counts = np.bincount(sorted_start[usable], minlength=n_nodes)
        graph = sparse.csr_matrix(
            (
                both[usable].astype(np.float64),
                sorted_end[usable],
                np.concatenate([[0], np.cumsum(counts)]).astype(np.int32),
            ),
            shape=(n_nodes, n_nodes),
        )
        # search only as far as needed: twice the last reach, further when nothing is found
        while True:
            distance = dijkstra(graph, indices=excess, min_only=True, limit=float(horizon))
            reached = (balance < 0) & np.isfinite(distance)
            if reached.any() or horizon >= LIMIT:
                break
            horizon = min(LIMIT, horizon * 16)
        if not reached.any():
            return None
        farthest = distance[reached].max()
        horizon = max(HORIZON, min(LIMIT, 2 * int(farthest)))
        # the potentials move by the distances, capped at the farthest deficit reached: every
        # shortest path to a reached deficit is then made of arcs of length 0, and so is any
        # path of such arcs, whichever excess it starts from
        potential += np.minimum(distance, farthest).astype(np.int64)
        zero = cost + potential[tail] - potential[head] == 0
        forward = np.flatnonzero(open_forward & zero)
        backward = np.flatnonzero(open_backward & zero)
        moved = _maximum_flow(
            n_nodes,
            np.concatenate([tail[forward], head[backward]]),
            np.concatenate([head[forward], tail[backward]]),
            np.concatenate([capacity[forward] - flow[forward], flow[backward]]),
            balance,
        )
        if moved is None:
            return None
        pushed_start, pushed_end, amount = moved
        entry = order[np.searchsorted(keys, pushed_start * n_nodes + pushed_end)]
        np.add.at(flow, entry % n_all, np.where(entry < n_all, amount, -amount))
    else:
        return None
    if np.any(balance != 0):
        return None
    return _result(n_free, n_mentors, arc_f, arc_r, arc_c, supply, flow[:n_arcs])


def _maximum_flow(
    n_nodes: int,
    start: IntArray,
    end: IntArray,
    room: IntArray,
    balance: IntArray,
) -> tuple[IntArray, IntArray, IntArray] | None:
    """A maximum flow from the excesses to the deficits on the given arcs (scipy's Dinic);
    updates `balance` and returns the (start, end, amount) of every arc that carries flow."""
    excess = np.flatnonzero(balance > 0)
    deficit = np.flatnonzero(balance < 0)
    source, target = n_nodes, n_nodes + 1
    rows = np.concatenate([start, np.full(len(excess), source), deficit])
    columns = np.concatenate([end, excess, np.full(len(deficit), target)])
    values = np.concatenate([room, balance[excess], -balance[deficit]]).astype(np.int32)
    graph = sparse.csr_array((values, (rows, columns)), shape=(n_nodes + 2, n_nodes + 2))
    result = maximum_flow(graph, source, target)
    if result.flow_value <= 0:
        return None
    carried = sparse.coo_array(result.flow)
    positive = carried.data > 0
    row = carried.row[positive].astype(np.int64)
    column = carried.col[positive].astype(np.int64)
    amount = carried.data[positive].astype(np.int64)
    from_source = row == source
    to_target = column == target
    np.subtract.at(balance, column[from_source], amount[from_source])
    np.add.at(balance, row[to_target], amount[to_target])
    inner = ~from_source & ~to_target
    return row[inner], column[inner], amount[inner]


def _result(
    n_free: int,
    n_mentors: int,
    arc_f: IntArray,
    arc_r: IntArray,
    arc_c: IntArray,
    supply: int,
    flows: IntArray,
) -> FlowResult:
    """The same result `flow.solve_flow` builds from OR-Tools' flows."""
    matched_mentor = np.full(n_free, -1, np.int64)
    matched_cost = np.zeros(n_free, np.int64)
    matched = flows > 0
    carrying = np.flatnonzero(matched)
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
        flows,
    )
