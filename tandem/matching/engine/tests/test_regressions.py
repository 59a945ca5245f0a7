"""The engine's reported defects, each rebuilt as an instance and checked as a family."""

import numpy as np
import pytest

from tandem.matching.engine import UNIT, Objective, score_pairs, solve
from tandem.matching.engine.pricing import tie_break
from tandem.matching.engine.tests.factories import fair_trap, near_tie_problem, problem_from_scores
from tandem.matching.engine.tests.reference import dense_fair


def test_fair_finds_the_bottleneck_held_by_an_unexamined_pair_334_by_129() -> None:
    # given the shape: 334 x 129, where the best total has bottleneck 2.0 and 3.5 is
    # feasible for everyone through a pair no first candidate list holds
    problem = fair_trap(16, filler_mentees=299, filler_mentors=95)
    assert (len(problem.mentees), len(problem.mentors)) == (334, 129)
    matched, lowest, total = dense_fair(problem)
    assert (matched, lowest) == (334, int(3.5 * UNIT))
    for pricing in ("auto", "blocks"):
        # when
        assignment = solve(problem, Objective.FAIR, pricing=pricing)
        # then
        assert len(assignment.mentee) == 334
        assert assignment.lowest_score == 3.5
        assert int(np.rint(assignment.total_score * UNIT)) == total
        assert assignment.details["threshold_score"] == 3.5
        assert assignment.certified_gap == 0.0


@pytest.mark.parametrize("pricing", ["exact", "blocks"])
@pytest.mark.parametrize("decoys", [1, 2, 3, 5, 8])
def test_fair_bottleneck_is_proved_over_all_pairs_for_every_list_length(decoys, pricing) -> None:
    # given the trap at several sizes, each with first candidate lists exactly too short
    problem = fair_trap(decoys)
    matched, lowest, total = dense_fair(problem)
    # when
    assignment = solve(problem, Objective.FAIR, pricing=pricing, candidates_per_side=decoys)
    # then
    assert (len(assignment.mentee), assignment.lowest_score) == (matched, 3.5)
    assert lowest == int(3.5 * UNIT)
    assert int(np.rint(assignment.total_score * UNIT)) == total
    assert assignment.certified_gap == 0.0


def exact_scores(problem) -> np.ndarray:
    n, m = len(problem.mentees), len(problem.mentors)
    mentee, mentor = np.repeat(np.arange(n), m), np.tile(np.arange(m), n)
    return np.rint(score_pairs(problem, mentee, mentor) * UNIT).astype(np.int64).reshape(n, m)


@pytest.mark.parametrize("seed", range(12))
def test_stable_breaks_200_ties_in_the_documented_order_whichever_scorer(seed) -> None:
    # given one mentee and 200 mentors with exactly the same score, one place each
    problem = problem_from_scores(np.ones((1, 200), np.int64), np.ones(200, np.int64))
    tie = tie_break(np.zeros(200, np.int64), np.arange(200, dtype=np.int64), seed)
    expected = int(np.argmax(tie))  # the documented order: score, then the seeded hash
    # when
    exact = solve(problem, Objective.STABLE, pricing="exact", seed=seed)
    blocks = solve(problem, Objective.STABLE, pricing="blocks", seed=seed)
    # then
    assert exact.mentor.tolist() == [expected]
    assert blocks.mentor.tolist() == [expected]
    assert blocks.score.tolist() == exact.score.tolist() == [1.0]


def test_stable_above_the_exact_size_limit_is_the_same_matching(monkeypatch) -> None:
    # given "auto" pricing with the size where the block scorer takes over set below the
    # problem's size (as a 100k programme would be)
    problem = problem_from_scores(np.ones((3, 200), np.int64), np.ones(200, np.int64))
    before = solve(problem, Objective.STABLE, seed=4)
    monkeypatch.setattr("tandem.matching.engine.pricing.EXACT_PAIRS_LIMIT", 10)
    # when
    after = solve(problem, Objective.STABLE, seed=4)
    # then
    assert "rows_refilled" in after.details  # the block scorer ran
    assert "rows_refilled" not in before.details
    assert (after.mentee.tolist(), after.mentor.tolist()) == (
        before.mentee.tolist(),
        before.mentor.tolist(),
    )


@pytest.mark.parametrize("weight", [999.0, 600.0, 250.0])
@pytest.mark.parametrize("special", [0, 77, 150, 199, 250, 299])
def test_stable_takes_the_mentor_scoring_4_units_more_with_large_weights(weight, special) -> None:
    # given one mentee, 300 mentors with one place each, all tied except `special`, who scores
    # 4 x 2^-20 more at a magnitude where float32 cannot see the difference
    problem = near_tie_problem(300, special=special, weight=weight)
    scores = exact_scores(problem)[0]
    assert int(np.argmax(scores)) == special
    assert sorted(set(scores.tolist()))[-2:] == [scores[special] - 4, scores[special]]
    for pricing in ("exact", "blocks"):
        # when
        assignment = solve(problem, Objective.STABLE, pricing=pricing)
        # then: the special mentor, so no blocking pair in exact arithmetic
        assert assignment.mentor.tolist() == [special]
        assert int(np.rint(assignment.score[0] * UNIT)) == scores[special]
