"""Tandem's matching engine: a pure package (numpy, scipy, OR-Tools; no Django).

Build a `MatchingProblem` (arrays describing mentees and mentors), then solve, explain or rank:

    score_pairs(problem, mentee_idx, mentor_idx) -> scores of arbitrary pairs
    allowed_pairs_mask(problem, mentee_idx, mentor_idx) -> which pairs pass the hard constraints
    explain(problem, mentee, mentor) -> Explanation (contributions, sentences, blocked_because)
    solve(problem, objective, *, seed=0, progress=None) -> Assignment
    rank_mentors(problem, mentee, *, limit=10) -> (mentor indices, scores), best first
    greedy(problem) -> Assignment (the benchmark's baseline)

The rules behind every number are in `tandem/matching/engine/README.md`.
"""

from tandem.matching.engine.features import UNIT, InvalidProblem
from tandem.matching.engine.problem import (
    Assignment,
    Criterion,
    DepartmentPreference,
    Explanation,
    MatchingProblem,
    Objective,
    QuestionFeature,
    QuestionMode,
    Settings,
    Side,
    UnmatchedReason,
    Weights,
)
from tandem.matching.engine.scoring import allowed_pairs_mask, explain, rank_mentors, score_pairs
from tandem.matching.engine.solve import greedy, solve

__all__ = [
    "UNIT",
    "Assignment",
    "Criterion",
    "DepartmentPreference",
    "Explanation",
    "InvalidProblem",
    "MatchingProblem",
    "Objective",
    "QuestionFeature",
    "QuestionMode",
    "Settings",
    "Side",
    "UnmatchedReason",
    "Weights",
    "allowed_pairs_mask",
    "explain",
    "greedy",
    "rank_mentors",
    "score_pairs",
    "solve",
]
