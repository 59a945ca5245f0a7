"""The warm-started flow (`repair.py`) against OR-Tools solving the same graph from nothing."""

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tandem.matching.engine.flow import Market, mentee_prices, mentor_prices, solve_flow
from tandem.matching.engine.pricing import Arcs, proves_optimal
from tandem.matching.engine.repair import repair_flow

PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def rounds(draw):
    """A graph solved cold, then more arcs: (market, the first arcs, all arcs)."""
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    n_free = draw(st.integers(1, 30))
    n_mentors = draw(st.integers(1, 12))
    supply = draw(st.sampled_from([1, 1, 1, 2, 3]))
    residual = rng.integers(1, draw(st.integers(1, 4)) + 1, n_mentors).astype(np.int64)
    density = draw(st.sampled_from([0.1, 0.3, 0.7, 1.0]))
    present = rng.random((n_free, n_mentors)) < density
    f, r = np.nonzero(present)
    # scores from a few values (ties) or a wide range
    if draw(st.booleans()):
        c = rng.integers(0, 4, len(f)) * 2**18
    else:
        c = rng.integers(0, 2**24, len(f))
    first = rng.random(len(f)) < draw(st.sampled_from([0.3, 0.6, 0.9]))
    empty = np.empty(0, np.int64)
    market = Market(
        free_mentees=np.arange(n_free, dtype=np.int64),
        live_mentors=np.arange(n_mentors, dtype=np.int64),
        residual=residual,
        pinned_mentee=empty,
        pinned_mentor=empty,
        pinned_cost=empty,
        supply=supply,
    )
    everything = Arcs(f.astype(np.int64), r.astype(np.int64), c.astype(np.int64))
    start = Arcs(everything.f[first], everything.r[first], everything.c[first])
    return market, start, everything


def _cold(market: Market, arcs: Arcs):
    return solve_flow(
        len(market.free_mentees), market.residual, arcs.f, arcs.r, arcs.c, market.supply
    )


@PROPERTY
@given(rounds())
def test_a_repaired_flow_is_the_cold_optimum_and_proves_it(case) -> None:
    # given last round's optimal flow and duals on part of the arcs
    market, start, everything = case
    before = _cold(market, start)
    v, _ = mentor_prices(len(market.live_mentors), start.f, start.r, start.c, before)
    u = mentee_prices(before, v)
    carried = np.zeros(len(everything.f), np.int64)
    position = np.searchsorted(everything.keys, start.keys)
    assert before.arc_flow is not None
    carried[position] = before.arc_flow
    # when the flow is repaired for every arc
    repaired = repair_flow(
        len(market.free_mentees),
        market.residual,
        everything.f,
        everything.r,
        everything.c,
        market.supply,
        carried,
        u,
        v,
        max_out_of_place=10**6,
    )
    # then, unless it gave up, it is as good as OR-Tools from nothing on every level (how
    # many matched, the total), and duals derived from it prove it on the arcs
    cold = _cold(market, everything)
    if repaired is None:
        return
    assert (repaired.flow, repaired.total_cost) == (cold.flow, cold.total_cost)
    assert repaired.arc_flow is not None
    assert np.all(repaired.arc_flow <= market.supply)
    assert np.all(repaired.mentor_load <= market.residual)
    per_mentee = np.bincount(everything.f, weights=repaired.arc_flow, minlength=len(u))
    assert np.all(per_mentee <= market.supply)
    prices, _ = mentor_prices(
        len(market.live_mentors), everything.f, everything.r, everything.c, repaired
    )
    assert proves_optimal(market, everything, repaired, prices)


def test_the_repair_succeeds_when_everyone_fits() -> None:
    # given a market with a place for every mentee, solved on a third of its arcs
    rng = np.random.default_rng(12)
    n_free, n_mentors = 300, 100
    residual = np.full(n_mentors, 3, np.int64)
    f = np.repeat(np.arange(n_free), 12)
    r = rng.integers(0, n_mentors, len(f))
    keys = np.unique(f * (1 << 31) + r)
    f, r = keys >> 31, keys & ((1 << 31) - 1)
    everything = Arcs(f, r, rng.integers(0, 2**24, len(f)))
    first = rng.random(len(f)) < 0.8
    start = Arcs(everything.f[first], everything.r[first], everything.c[first])
    empty = np.empty(0, np.int64)
    market = Market(np.arange(n_free), np.arange(n_mentors), residual, empty, empty, empty)
    before = _cold(market, start)
    v, _ = mentor_prices(n_mentors, start.f, start.r, start.c, before)
    u = mentee_prices(before, v)
    carried = np.zeros(len(everything.f), np.int64)
    assert before.arc_flow is not None
    carried[np.searchsorted(everything.keys, start.keys)] = before.arc_flow
    # when
    repaired = repair_flow(
        n_free, residual, f, r, everything.c, 1, carried, u, v, max_out_of_place=10**6
    )
    # then
    cold = _cold(market, everything)
    assert repaired is not None
    assert (repaired.flow, repaired.total_cost) == (cold.flow, cold.total_cost)
