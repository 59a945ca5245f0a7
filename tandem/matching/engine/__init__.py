"""Tandem's matching engine: a pure package (numpy, scipy, OR-Tools; no Django).

Build a `MatchingProblem` (arrays describing mentees and mentors), then solve, explain or rank.
"""

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

__all__ = [
    "Assignment",
    "Criterion",
    "DepartmentPreference",
    "Explanation",
    "MatchingProblem",
    "Objective",
    "QuestionFeature",
    "QuestionMode",
    "Settings",
    "Side",
    "UnmatchedReason",
    "Weights",
]
