"""Property tests: random small problems against independent reference answers."""

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tandem.matching.engine import (
    UNIT,
    MatchingProblem,
    Objective,
    UnmatchedReason,
    allowed_pairs_mask,
    explain,
    greedy,
    score_pairs,
    solve,
)
from tandem.matching.engine.tests.factories import random_problem
from tandem.matching.engine.tests.reference import (
    blocking_pairs,
    brute_fair,
    cost_matrix,
    deferred_acceptance,
    dense_total,
)

PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def problems(draw: st.DrawFn, max_mentees: int = 8, max_mentors: int = 5) -> MatchingProblem:
    seed = draw(st.integers(0, 2**32 - 1))
    n = draw(st.integers(0, max_mentees))
    m = draw(st.integers(0, max_mentors))
    pinned = draw(st.integers(0, 2))
    rng = np.random.default_rng(seed)
    return random_problem(
        rng,
        n,
        m,
        max_capacity=3,
        forbidden_rate=draw(st.sampled_from([0.0, 0.2, 0.5])),
        pinned=pinned,
        integer_weights=draw(st.booleans()),
    )


def assert_feasible(problem: MatchingProblem, assignment) -> None:
    n, m = len(problem.mentees), len(problem.mentors)
    # each mentee at most once, everyone accounted for exactly once
    assert len(set(assignment.mentee.tolist())) == len(assignment.mentee)
    assert sorted(assignment.mentee.tolist() + assignment.unmatched.tolist()) == list(range(n))
    assert len(assignment.unmatched_reason) == len(assignment.unmatched)
    # capacity never exceeded
    load = np.bincount(assignment.mentor, minlength=m)
    assert np.all(load <= problem.capacity)
    # hard constraints
    assert np.all(allowed_pairs_mask(problem, assignment.mentee, assignment.mentor))
    # pinned pairs present
    chosen = set(zip(assignment.mentee.tolist(), assignment.mentor.tolist(), strict=True))
    assert set(zip(problem.pinned[0].tolist(), problem.pinned[1].tolist(), strict=True)) <= chosen
    # reported scores are the pairs' scores
    np.testing.assert_array_equal(
        assignment.score, score_pairs(problem, assignment.mentee, assignment.mentor)
    )
    assert assignment.total_score == float(np.sum(assignment.score))
    # reasons agree with the final loads
    _costs, ok = cost_matrix(problem)
    for mentee, reason in zip(
        assignment.unmatched.tolist(), assignment.unmatched_reason, strict=True
    ):
        if not ok[mentee].any():
            assert reason == UnmatchedReason.NO_ALLOWED_MENTOR
        elif not np.any(ok[mentee] & (load < problem.capacity)):
            assert reason == UnmatchedReason.NO_CAPACITY_LEFT
        else:
            assert reason == UnmatchedReason.NOT_CHOSEN


@PROPERTY
@given(problems(), st.sampled_from([None, 1, 2]), st.sampled_from(["exact", "blocks"]))
def test_total_is_the_dense_optimum_and_certified(
    problem: MatchingProblem, per_side, pricing
) -> None:
    # given a random problem (sometimes a deliberately tiny first candidate graph), priced by
    # the exact matrix or by the streamed block pricer
    # when
    assignment = solve(problem, Objective.TOTAL, candidates_per_side=per_side, pricing=pricing)
    # then
    assert_feasible(problem, assignment)
    matched, total_units = dense_total(problem)
    assert len(assignment.mentee) == matched
    assert int(np.rint(assignment.total_score * UNIT)) == total_units
    assert assignment.certified_gap == 0.0
    # with maximum cardinality nobody is left out while an allowed mentor has room
    assert UnmatchedReason.NOT_CHOSEN not in assignment.unmatched_reason


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    problems(max_mentees=6, max_mentors=4),
    st.sampled_from([None, 1]),
    st.sampled_from(["exact", "blocks"]),
)
def test_fair_maximises_the_lowest_score_then_the_total(
    problem: MatchingProblem, per_side, pricing
) -> None:
    # when
    assignment = solve(problem, Objective.FAIR, candidates_per_side=per_side, pricing=pricing)
    # then
    assert_feasible(problem, assignment)
    matched, lowest, total = brute_fair(problem)
    assert len(assignment.mentee) == matched
    pinned = set(zip(problem.pinned[0].tolist(), problem.pinned[1].tolist(), strict=True))
    free = [
        int(np.rint(s * UNIT))
        for i, j, s in zip(assignment.mentee, assignment.mentor, assignment.score, strict=True)
        if (i, j) not in pinned
    ]
    assert (min(free) if free else None) == lowest
    assert int(np.rint(assignment.total_score * UNIT)) == total
    assert assignment.certified_gap == 0.0


@PROPERTY
@given(problems(), st.integers(0, 5))
def test_stable_has_no_blocking_pair_and_is_deferred_acceptance(
    problem: MatchingProblem, seed: int
) -> None:
    # when
    assignment = solve(problem, Objective.STABLE, seed=seed)
    # then
    assert_feasible(problem, assignment)
    assert blocking_pairs(problem, assignment, seed) == []
    pinned = set(zip(problem.pinned[0].tolist(), problem.pinned[1].tolist(), strict=True))
    chosen = set(zip(assignment.mentee.tolist(), assignment.mentor.tolist(), strict=True))
    assert chosen - pinned == deferred_acceptance(problem, seed)
    assert assignment.certified_gap is None


@PROPERTY
@given(problems(), st.sampled_from(["exact", "blocks"]))
def test_greedy_is_feasible_and_never_beats_total(problem: MatchingProblem, pricing) -> None:
    baseline = greedy(problem, pricing=pricing)
    assert baseline.mentee.tolist() == greedy(problem, pricing="exact").mentee.tolist()
    best = solve(problem, Objective.TOTAL)
    assert_feasible(problem, baseline)
    assert (len(baseline.mentee), baseline.total_score) <= (len(best.mentee), best.total_score)


@PROPERTY
@given(problems(max_mentees=4, max_mentors=4))
def test_explanations_sum_to_the_score(problem: MatchingProblem) -> None:
    n, m = len(problem.mentees), len(problem.mentors)
    for i in range(n):
        for j in range(m):
            explanation = explain(problem, i, j)
            assert explanation.score == score_pairs(problem, np.array([i]), np.array([j]))[0]
            assert abs(sum(explanation.contributions.values()) - explanation.score) <= 1e-9
            assert all(value >= 0.0 for value in explanation.contributions.values())
            assert explanation.allowed == bool(
                allowed_pairs_mask(problem, np.array([i]), np.array([j]))[0]
            )
            assert (explanation.blocked_because is None) == explanation.allowed
