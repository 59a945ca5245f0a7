"""The engine's reported defects, each rebuilt as an instance and checked as a family."""

import numpy as np
import pytest

from tandem.matching.engine import UNIT, Objective, solve
from tandem.matching.engine.tests.factories import fair_trap
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
