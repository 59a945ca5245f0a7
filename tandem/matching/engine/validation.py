"""What the engine accepts: every public entry point checks its input here first.

A problem that breaks a rule raises `InvalidProblem` (a `ValueError`) naming the field and the
rule, before anything is scored or solved — never a bare IndexError from deep inside, a crash
in the min-cost flow, or a silently absurd score (an infinite working hour once scored
-8.8e12). The rules, field by field:

- each side: `names`, `text`, `seniority`, `department`, `work_start_utc`, `work_end_utc` and
  the rows of `skills` and `languages` all have one entry per person; seniority is an integer
  0..6 (0 unknown), department an integer >= -1 (-1 unknown), a working hour is NaN (unknown)
  or finite, skills and languages are finite and >= 0 (any non-zero entry counts as "has");
- `capacity`: one integer 0..2^31 - 1 per mentor;
- weights finite, >= 0, summing to at most `MAX_WEIGHT_SUM`; settings: 0 <= seniority_gap_min
  <= seniority_gap_max, shared_hours_target finite and > 0, a known department preference;
- each question: kind "choice" ((people x options) answers, the same options on both sides,
  finite, >= 0) or "number" (one value per person, NaN for unanswered, otherwise finite), a
  known mode, and a finite value_range > 0;
- `forbidden`, `pinned`, `preferred`: two integer index arrays of equal length, in range;
  `forbidden_reasons` empty or one string per forbidden pair.

Empty sides are valid (there is nothing to match, and every mentee is reported unmatched);
only an index into them is out of range.
"""

import math
from typing import Any

import numpy as np
from scipy import sparse

from tandem.matching.engine.problem import (
    DepartmentPreference,
    IntArray,
    MatchingProblem,
    Objective,
    QuestionFeature,
    QuestionMode,
    Settings,
    Side,
    Weights,
)

MAX_WEIGHT_SUM = 1000.0
MAX_CAPACITY = 2**31 - 1
SENIORITY_LEVELS = 6
PRICING_MODES = ("auto", "exact", "blocks")


class InvalidProblem(ValueError):
    """The problem contradicts itself (a pin on a forbidden pair, over capacity, bad index...)."""


def _vector(name: str, values: Any, length: int, *, kind: str = "float") -> np.ndarray:
    """`values` as a 1-D array of `length` numbers (integers when kind is "int")."""
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise InvalidProblem(f"{name}: not an array of numbers ({error})") from None
    if array.ndim != 1:
        raise InvalidProblem(f"{name}: expected one value per person, got shape {array.shape}")
    if len(array) != length:
        raise InvalidProblem(f"{name}: expected {length} values, got {len(array)}")
    whole = np.all(np.isfinite(array)) and np.all(array == np.round(array))
    if kind == "int" and not whole:
        raise InvalidProblem(f"{name}: every value must be a whole number")
    return array


def _matrix(name: str, values: Any, rows: int, columns: int | None = None) -> int:
    """Check a (rows x k) matrix of finite values >= 0; returns k."""
    try:
        matrix = sparse.csr_matrix(values)
    except (TypeError, ValueError) as error:
        raise InvalidProblem(f"{name}: not a matrix ({error})") from None
    if matrix.shape[0] != rows:
        raise InvalidProblem(f"{name}: expected {rows} rows, got {matrix.shape[0]}")
    if columns is not None and matrix.shape[1] != columns:
        raise InvalidProblem(f"{name}: expected {columns} columns, got {matrix.shape[1]}")
    try:
        data = np.asarray(matrix.data, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise InvalidProblem(f"{name}: not numbers ({error})") from None
    if not np.all(np.isfinite(data)) or np.any(data < 0):
        raise InvalidProblem(f"{name}: every entry must be finite and >= 0")
    return int(matrix.shape[1])


def _check_side(label: str, side: Side) -> int:
    if not isinstance(side, Side):
        raise InvalidProblem(f"{label}: expected a Side")
    try:
        count = len(side.names)
        texts = list(side.text)
    except TypeError as error:
        raise InvalidProblem(f"{label}: names and text must be lists ({error})") from None
    if len(texts) != count:
        raise InvalidProblem(f"{label}.text: expected {count} texts, got {len(texts)}")
    if not all(text is None or isinstance(text, str) for text in texts):
        raise InvalidProblem(f"{label}.text: every text must be a string")
    seniority = _vector(f"{label}.seniority", side.seniority, count, kind="int")
    if np.any((seniority < 0) | (seniority > SENIORITY_LEVELS)):
        raise InvalidProblem(f"{label}.seniority: levels are 1..{SENIORITY_LEVELS} (0 unknown)")
    department = _vector(f"{label}.department", side.department, count, kind="int")
    if np.any(department < -1):
        raise InvalidProblem(f"{label}.department: codes are >= 0 (-1 unknown)")
    for field in ("work_start_utc", "work_end_utc"):
        hours = _vector(f"{label}.{field}", getattr(side, field), count)
        if np.any(np.isinf(hours)):
            raise InvalidProblem(f"{label}.{field}: an hour must be finite (NaN for unknown)")
    _matrix(f"{label}.skills", side.skills, count)
    _matrix(f"{label}.languages", side.languages, count)
    return count


def _check_pairs(name: str, pairs: Any, n: int, m: int) -> None:
    try:
        mentee_values, mentor_values = pairs
    except (TypeError, ValueError):
        raise InvalidProblem(f"{name}: expected (mentee indices, mentor indices)") from None
    mentee = np.asarray(mentee_values)
    mentor = np.asarray(mentor_values)
    if mentee.ndim != 1 or mentor.ndim != 1:
        raise InvalidProblem(f"{name}: each index array must be one-dimensional")
    if len(mentee) != len(mentor):
        raise InvalidProblem(f"{name}: the two index arrays differ in length")
    _indices(name, mentee, n, "mentee")
    _indices(name, mentor, m, "mentor")


def _indices(name: str, values: np.ndarray, size: int, who: str) -> IntArray:
    if not len(values):
        return np.empty(0, np.int64)
    if values.dtype == bool or not np.issubdtype(values.dtype, np.number):
        raise InvalidProblem(f"{name}: {who} indices must be integers")
    as_float = values.astype(np.float64)
    if not np.all(np.isfinite(as_float)) or np.any(as_float != np.round(as_float)):
        raise InvalidProblem(f"{name}: {who} indices must be integers")
    if as_float.min() < 0 or as_float.max() >= size:
        raise InvalidProblem(f"{name}: a {who} index is out of range (0..{size - 1})")
    result: IntArray = values.astype(np.int64)
    return result


def check_problem(problem: MatchingProblem) -> None:
    """Raise `InvalidProblem` naming the first rule the problem breaks (see the module doc)."""
    if not isinstance(problem, MatchingProblem):
        raise InvalidProblem("expected a MatchingProblem")
    for name, expected in (("weights", Weights), ("settings", Settings)):
        if not isinstance(getattr(problem, name), expected):
            raise InvalidProblem(f"{name}: expected a {expected.__name__}")
    n = _check_side("mentees", problem.mentees)
    m = _check_side("mentors", problem.mentors)
    capacity = _vector("capacity", problem.capacity, m, kind="int")
    if np.any((capacity < 0) | (capacity > MAX_CAPACITY)):
        raise InvalidProblem(f"capacity: each mentor's places must be 0..{MAX_CAPACITY}")
    try:
        weights = np.array(
            [float(getattr(problem.weights, name)) for name in problem.weights.__dataclass_fields__]
        )
    except (TypeError, ValueError, AttributeError):
        raise InvalidProblem("weights: every weight must be a number") from None
    if not np.all(np.isfinite(weights)) or np.any(weights < 0) or weights.sum() > MAX_WEIGHT_SUM:
        raise InvalidProblem(f"weights must be finite, >= 0 and sum to at most {MAX_WEIGHT_SUM:g}")
    _check_settings(problem)
    for index, question in enumerate(problem.questions):
        _check_question(f"questions[{index}]", question, n, m)
    _check_pairs("forbidden", problem.forbidden, n, m)
    _check_pairs("pinned", problem.pinned, n, m)
    _check_pairs("preferred", problem.preferred, n, m)
    reasons = list(problem.forbidden_reasons)
    if reasons and len(reasons) != len(np.asarray(problem.forbidden[0])):
        raise InvalidProblem("forbidden_reasons must be empty or parallel to forbidden")
    if not all(isinstance(reason, str) for reason in reasons):
        raise InvalidProblem("forbidden_reasons: every reason must be a string")


def _check_settings(problem: MatchingProblem) -> None:
    settings = problem.settings
    low, high = settings.seniority_gap_min, settings.seniority_gap_max
    if not all(isinstance(value, int | np.integer) for value in (low, high)):
        raise InvalidProblem("seniority_gap_min and seniority_gap_max must be whole numbers")
    if low < 0:
        raise InvalidProblem("seniority_gap_min must be >= 0")
    if low > high:
        raise InvalidProblem("seniority_gap_min is above seniority_gap_max")
    target = settings.shared_hours_target
    if not isinstance(target, int | float) or not math.isfinite(target) or target <= 0:
        raise InvalidProblem("shared_hours_target must be finite and positive")
    if settings.department not in set(DepartmentPreference):
        raise InvalidProblem(f"department: unknown preference {settings.department!r}")


def _check_question(name: str, question: Any, n: int, m: int) -> None:
    if not isinstance(question, QuestionFeature):
        raise InvalidProblem(f"{name}: expected a QuestionFeature")
    if question.mode not in set(QuestionMode):
        raise InvalidProblem(f"{name}.mode: unknown mode {question.mode!r}")
    value_range = question.value_range
    if not isinstance(value_range, int | float) or not math.isfinite(value_range):
        raise InvalidProblem(f"{name}.value_range must be finite and positive")
    if value_range <= 0:
        raise InvalidProblem(f"{name}.value_range must be finite and positive")
    if question.kind == "choice":
        options = _matrix(f"{name}.mentee_values", question.mentee_values, n)
        _matrix(f"{name}.mentor_values", question.mentor_values, m, options)
    elif question.kind == "number":
        for field, count in (("mentee_values", n), ("mentor_values", m)):
            values = _vector(f"{name}.{field}", getattr(question, field), count)
            if np.any(np.isinf(values)):
                raise InvalidProblem(f"{name}.{field}: a value must be finite (NaN unanswered)")
    else:
        raise InvalidProblem(f"{name}.kind must be 'choice' or 'number', not {question.kind!r}")


def check_pair_indices(
    mentee_idx: Any, mentor_idx: Any, n: int, m: int
) -> tuple[IntArray, IntArray]:
    """The two index arrays of a pair query as int64, or `InvalidProblem`."""
    mentee = np.asarray(mentee_idx)
    mentor = np.asarray(mentor_idx)
    if mentee.ndim > 1 or mentor.ndim > 1:
        raise InvalidProblem("mentee_idx and mentor_idx must be one-dimensional")
    mentee, mentor = mentee.reshape(-1), mentor.reshape(-1)
    if len(mentee) != len(mentor):
        raise InvalidProblem("mentee_idx and mentor_idx must have the same length")
    return (
        _indices("mentee_idx", mentee, n, "mentee"),
        _indices("mentor_idx", mentor, m, "mentor"),
    )


def check_index(name: str, value: Any, size: int) -> int:
    """One person's index as an int, or `InvalidProblem`."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise InvalidProblem(f"{name} must be an integer index")
    if not 0 <= int(value) < size:
        raise InvalidProblem(f"{name} {int(value)} is out of range (0..{size - 1})")
    return int(value)


def check_solve_arguments(
    objective: Any, *, seed: Any, tolerance: Any, candidates_per_side: Any, pricing: Any
) -> Objective:
    """`solve`'s options, or `InvalidProblem`; returns the objective."""
    try:
        chosen = Objective(objective)
    except ValueError:
        raise InvalidProblem(f"objective must be one of {[o.value for o in Objective]}") from None
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise InvalidProblem("seed must be an integer")
    if (
        isinstance(tolerance, bool)
        or not isinstance(tolerance, int | float)
        or not math.isfinite(tolerance)
        or tolerance < 0
    ):
        raise InvalidProblem("tolerance must be a finite number >= 0")
    if candidates_per_side is not None and (
        isinstance(candidates_per_side, bool)
        or not isinstance(candidates_per_side, int | np.integer)
        or candidates_per_side < 1
    ):
        raise InvalidProblem("candidates_per_side must be None or an integer >= 1")
    check_pricing(pricing)
    return chosen


def check_pricing(pricing: Any) -> None:
    if pricing not in PRICING_MODES:
        raise InvalidProblem(f"pricing must be one of {list(PRICING_MODES)}, not {pricing!r}")
