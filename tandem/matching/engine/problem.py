"""The matching engine's input and output types: arrays in, arrays out, no Django.

Row i of `MatchingProblem.mentees` is mentee i; row j of `mentors` is mentor j. Everything the
engine needs to score, constrain, solve and explain is here, so a problem can be built from the
database (tandem.matching.adapters), from a synthetic generator (bench.matching) or by hand in a
test, and solved the same way.
"""

from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
import numpy.typing as npt
from scipy import sparse

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


class Objective(StrEnum):
    TOTAL = "total"  # maximum number matched, then maximum total score; with a certificate
    FAIR = "fair"  # maximise the lowest score among matched pairs, then the total
    STABLE = "stable"  # mentee-proposing deferred acceptance with mentor capacities


class DepartmentPreference(StrEnum):
    DIFFERENT = "different"
    SAME = "same"
    EITHER = "either"


class QuestionMode(StrEnum):
    SAME = "same"  # the same answer scores 1
    DIFFERENT = "different"  # a different answer scores 1
    CLOSER = "closer"  # numeric/scale answers: 1 - |a - b| / range


class Criterion(StrEnum):
    """Every criterion a pair's score is made of; each contributes weight x value in [0, 1]."""

    SKILLS = "skills"
    GOALS = "goals"
    SENIORITY = "seniority"
    DEPARTMENT = "department"
    TIMEZONE = "timezone"
    LANGUAGE = "language"
    QUESTIONS = "questions"
    PREFERRED = "preferred"


@dataclass(frozen=True)
class Weights:
    """How much each criterion counts. Small integers keep float32 scoring exact."""

    skills: float = 4.0
    goals: float = 2.0
    seniority: float = 2.0
    department: float = 1.0
    timezone: float = 2.0
    language: float = 1.0
    questions: float = 2.0
    preferred: float = 3.0

    def of(self, criterion: Criterion) -> float:
        return float(getattr(self, criterion.value))


@dataclass(frozen=True)
class Settings:
    """The programme's matching rules beyond the weights."""

    # A mentor should be more senior by a gap within [min, max] levels (seniority 1..6).
    seniority_gap_min: int = 1
    seniority_gap_max: int = 3
    department: DepartmentPreference = DepartmentPreference.DIFFERENT
    # Hours of shared working time that count as a full timezone score.
    shared_hours_target: float = 4.0
    # When true, a pair with no language in common is not allowed (a hard constraint).
    require_shared_language: bool = False


@dataclass
class QuestionFeature:
    """One enrolment question flagged "use for matching", answered on both sides.

    `kind` "choice": `mentee_values`/`mentor_values` are (n x options) 0/1 sparse matrices
    (single choice has one 1 per row; an unanswered row is all zeros). `kind` "number":
    float arrays with NaN for unanswered, and `value_range` the span for CLOSER.
    """

    label: str
    kind: str  # "choice" | "number"
    mode: QuestionMode
    mentee_values: sparse.csr_matrix | FloatArray
    mentor_values: sparse.csr_matrix | FloatArray
    value_range: float = 4.0
    option_labels: list[str] = field(default_factory=list)


@dataclass
class Side:
    """One side of the programme as arrays, one row per person.

    skills: (n x n_skills) 0/1 — wanted by mentees, offered by mentors.
    text: free text (goals for mentees, bio + goals for mentors) for TF-IDF similarity.
    seniority: 1..6, 0 unknown. department: code, -1 unknown.
    work_start_utc / work_end_utc: the working day in UTC hours (start may exceed end when
    it wraps midnight); NaN unknown.
    languages: (n x n_languages) 0/1.
    """

    names: list[str]
    skills: sparse.csr_matrix
    text: list[str]
    seniority: IntArray
    department: IntArray
    work_start_utc: FloatArray
    work_end_utc: FloatArray
    languages: sparse.csr_matrix

    def __len__(self) -> int:
        return len(self.names)


@dataclass
class MatchingProblem:
    mentees: Side
    mentors: Side
    capacity: IntArray  # per mentor, >= 0 (0 = paused or full)
    weights: Weights = field(default_factory=Weights)
    settings: Settings = field(default_factory=Settings)
    questions: list[QuestionFeature] = field(default_factory=list)
    # Pairs as two parallel index arrays (mentee index, mentor index).
    forbidden: tuple[IntArray, IntArray] = field(
        default_factory=lambda: (np.empty(0, np.int64), np.empty(0, np.int64))
    )
    pinned: tuple[IntArray, IntArray] = field(
        default_factory=lambda: (np.empty(0, np.int64), np.empty(0, np.int64))
    )
    preferred: tuple[IntArray, IntArray] = field(
        default_factory=lambda: (np.empty(0, np.int64), np.empty(0, np.int64))
    )
    skill_names: list[str] = field(default_factory=list)
    language_names: list[str] = field(default_factory=list)
    department_names: list[str] = field(default_factory=list)
    # Optional, parallel to `forbidden`: why each pair is forbidden, in words ("Reports to this
    # mentor", "Excluded by a manager"); `explain` shows it as `blocked_because`.
    forbidden_reasons: list[str] = field(default_factory=list)


class UnmatchedReason(StrEnum):
    NO_ALLOWED_MENTOR = "no_allowed_mentor"  # every mentor is forbidden for this mentee
    NO_CAPACITY_LEFT = "no_capacity_left"  # allowed mentors exist but all are full
    NOT_CHOSEN = "not_chosen"  # stable/fair objectives can leave someone out by design


@dataclass
class Assignment:
    objective: Objective
    mentee: IntArray  # matched pairs, parallel arrays
    mentor: IntArray
    score: FloatArray
    unmatched: IntArray  # mentee indices left without a mentor
    unmatched_reason: list[UnmatchedReason]
    total_score: float
    lowest_score: float | None
    # 0.0 when proved optimal for the objective; otherwise the proved relative gap; None when
    # the objective has no bound (stable).
    certified_gap: float | None
    seconds_scoring: float = 0.0
    seconds_solving: float = 0.0
    details: dict[str, float] = field(default_factory=dict)
    # wall seconds per phase (encoding, price estimate, passes, flows, duals, ...): how long
    # this run took where, unlike `details`, which depends on the input alone
    seconds_phases: dict[str, float] = field(default_factory=dict)


@dataclass
class Explanation:
    """Why a pair scores what it scores: per-criterion contributions sum to `score` exactly."""

    score: float
    contributions: dict[Criterion, float]
    reasons: list[str]  # human sentences, most important first
    allowed: bool = True
    blocked_because: str | None = None
