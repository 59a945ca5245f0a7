"""A `MatchingProblem` turned into arrays the scorer and the solvers share, and the exact score.

Every criterion is a value in [0, 1] (the rules are in `tandem/matching/engine/README.md`):
- SKILLS, from bitsets of wanted/offered skills (popcount of the intersection / wanted count);
- GOALS, the TF-IDF cosine of the two texts (`text.py`);
- SENIORITY, DEPARTMENT, TIMEZONE, LANGUAGE and each matching question depend only on a small
  "class" of each side (a seniority level, a department, a working window, a language set, an
  answer), so each is a table indexed by (mentee class, mentor class);
- PREFERRED, a sorted set of (mentee, mentor) keys.

The score of a pair is exact by construction: each contribution is weight x value rounded to a
multiple of 2^-20 (`UNIT`), and the score is their sum, an integer number of units. Integer costs
make the min-cost flow exact, and contributions sum to the score with no rounding at all.
"""

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from scipy import sparse

from tandem.matching.engine.problem import (
    Criterion,
    DepartmentPreference,
    FloatArray,
    IntArray,
    MatchingProblem,
    QuestionFeature,
    QuestionMode,
    Settings,
)
from tandem.matching.engine.text import TextVectors, build_text_vectors
from tandem.matching.engine.validation import MAX_WEIGHT_SUM as MAX_WEIGHT_SUM
from tandem.matching.engine.validation import InvalidProblem as InvalidProblem
from tandem.matching.engine.validation import check_problem

UNIT = 2**20  # a score is an integer number of 2^-20
CRITERIA: tuple[Criterion, ...] = tuple(Criterion)
# An unknown working window, department or answer scores this much ("no information").
UNKNOWN = 0.5
# Seniority above the preferred range loses this much per extra level.
SENIORITY_FALLOFF_PER_LEVEL = 0.5

BoolArray = npt.NDArray[np.bool_]


@dataclass
class Table:
    """A criterion that depends on one class per side: values[mentee_class, mentor_class]."""

    mentee_class: IntArray
    mentor_class: IntArray
    values: FloatArray

    def of(self, mentee: IntArray, mentor: IntArray) -> FloatArray:
        result: FloatArray = self.values[self.mentee_class[mentee], self.mentor_class[mentor]]
        return result


@dataclass
class Encoding:
    problem: MatchingProblem
    n: int
    m: int
    weights: FloatArray  # in CRITERIA order
    skills_wanted: npt.NDArray[np.uint64]  # (n x words) bitsets
    skills_offered: npt.NDArray[np.uint64]  # (m x words)
    wanted_count: IntArray
    text: TextVectors
    seniority: Table
    department: Table
    timezone: Table
    language: Table  # 1 when a language is shared
    questions: list[Table]
    preferred_keys: IntArray  # sorted mentee * m + mentor
    forbidden_keys: IntArray  # sorted, unique
    forbidden_reason_of_key: list[str]  # parallel to forbidden_keys
    pinned_mentee: IntArray
    pinned_mentor: IntArray
    capacity: IntArray
    mentee_language_sets: npt.NDArray[np.uint64] = field(repr=False)
    mentor_language_sets: npt.NDArray[np.uint64] = field(repr=False)

    @property
    def require_shared_language(self) -> bool:
        return self.problem.settings.require_shared_language

    @property
    def max_cost(self) -> int:
        """An upper bound on any pair's cost in units."""
        return int(np.sum(np.ceil(self.weights * UNIT))) + len(CRITERIA)


# ---------------------------------------------------------------------------------------------
# building


def _bitsets(matrix: sparse.csr_matrix | sparse.spmatrix, rows: int) -> npt.NDArray[np.uint64]:
    csr = sparse.csr_matrix(matrix)
    columns = max(csr.shape[1], 1)
    words = (columns + 63) // 64
    result = np.zeros((rows, words), np.uint64)
    coo = csr.tocoo()
    keep = coo.data != 0
    row, column = coo.row[keep].astype(np.int64), coo.col[keep].astype(np.int64)
    bits = np.left_shift(np.uint64(1), (column % 64).astype(np.uint64))
    np.bitwise_or.at(result, (row, column // 64), bits)
    return result


def _classes(*keys: npt.NDArray[np.generic]) -> tuple[IntArray, IntArray, npt.NDArray[np.generic]]:
    """Class ids for two key arrays (mentee side, mentor side) over their union of values."""
    mentee_keys, mentor_keys = keys
    both = (
        np.concatenate([mentee_keys, mentor_keys])
        if len(mentee_keys) + len(mentor_keys)
        else mentee_keys
    )
    if both.ndim == 1:
        both = both.reshape(-1, 1)
    unique, inverse = np.unique(both, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1).astype(np.int64)
    return inverse[: len(mentee_keys)], inverse[len(mentee_keys) :], unique


def seniority_value(gap: int, settings: Settings) -> float:
    """1 inside [min, max]; below min it rises linearly from 0 at gap 0; above max it loses
    `SENIORITY_FALLOFF_PER_LEVEL` per extra level; 0 when the mentor is not more senior."""
    if gap <= 0:
        return 0.0
    low, high = settings.seniority_gap_min, settings.seniority_gap_max
    if gap < low:
        return gap / low
    if gap <= high:
        return 1.0
    return max(0.0, 1.0 - SENIORITY_FALLOFF_PER_LEVEL * (gap - high))


def _seniority_table(problem: MatchingProblem) -> Table:
    levels = 7  # 0 unknown, 1..6
    values = np.zeros((levels, levels))
    for mentee_level in range(1, levels):
        for mentor_level in range(1, levels):
            values[mentee_level, mentor_level] = seniority_value(
                mentor_level - mentee_level, problem.settings
            )
    mentee = np.clip(np.asarray(problem.mentees.seniority, np.int64), 0, levels - 1)
    mentor = np.clip(np.asarray(problem.mentors.seniority, np.int64), 0, levels - 1)
    return Table(mentee, mentor, values)


def _department_table(problem: MatchingProblem) -> Table:
    mentee = np.asarray(problem.mentees.department, np.int64)
    mentor = np.asarray(problem.mentors.department, np.int64)
    codes = np.concatenate([mentee, mentor])
    size = int(codes.max(initial=-1)) + 2
    mentee_class = np.where(mentee < 0, 0, mentee + 1)
    mentor_class = np.where(mentor < 0, 0, mentor + 1)
    preference = problem.settings.department
    if preference == DepartmentPreference.EITHER:
        return Table(mentee_class, mentor_class, np.zeros((size, size)))
    same = np.eye(size)
    values = same if preference == DepartmentPreference.SAME else 1.0 - same
    values[0, :] = UNKNOWN
    values[:, 0] = UNKNOWN
    return Table(mentee_class, mentor_class, values)


def _segments(start: FloatArray, end: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Each working window as up to two segments of [0, 24) (a window wrapping midnight splits)."""
    wraps = start > end
    seg_start = np.stack([start, np.where(wraps, 0.0, start)], axis=-1)
    seg_end = np.stack([np.where(wraps, 24.0, end), np.where(wraps, end, start)], axis=-1)
    return seg_start, seg_end


def shared_hours(
    start_a: FloatArray, end_a: FloatArray, start_b: FloatArray, end_b: FloatArray
) -> FloatArray:
    """Hours two daily UTC windows overlap (windows may wrap midnight; start == end is empty)."""
    a_start, a_end = _segments(np.mod(start_a, 24.0), np.mod(end_a, 24.0))
    b_start, b_end = _segments(np.mod(start_b, 24.0), np.mod(end_b, 24.0))
    total = np.zeros(np.broadcast(start_a, start_b).shape)
    for x in range(2):
        for y in range(2):
            total += np.maximum(
                0.0,
                np.minimum(a_end[..., x], b_end[..., y])
                - np.maximum(a_start[..., x], b_start[..., y]),
            )
    result: FloatArray = total
    return result


def _timezone_table(problem: MatchingProblem) -> Table:
    def windows(start: FloatArray, end: FloatArray) -> FloatArray:
        start = np.asarray(start, np.float64)
        end = np.asarray(end, np.float64)
        unknown = np.isnan(start) | np.isnan(end)
        keys = np.stack([np.mod(start, 24.0), np.mod(end, 24.0)], axis=1)
        keys[unknown] = -1.0
        result: FloatArray = keys
        return result

    mentee_class, mentor_class, unique = _classes(
        windows(problem.mentees.work_start_utc, problem.mentees.work_end_utc),
        windows(problem.mentors.work_start_utc, problem.mentors.work_end_utc),
    )
    start, end = unique[:, 0].astype(np.float64), unique[:, 1].astype(np.float64)
    hours = shared_hours(start[:, None], end[:, None], start[None, :], end[None, :])
    values = np.minimum(1.0, hours / problem.settings.shared_hours_target)
    unknown = start < 0
    values[unknown, :] = UNKNOWN
    values[:, unknown] = UNKNOWN
    return Table(mentee_class, mentor_class, values)


def _language_table(
    mentee_sets: npt.NDArray[np.uint64], mentor_sets: npt.NDArray[np.uint64]
) -> Table:
    mentee_class, mentor_class, unique = _classes(mentee_sets, mentor_sets)
    common = np.bitwise_and(unique[:, None, :], unique[None, :, :])
    values = (np.bitwise_count(common).sum(axis=2) > 0).astype(np.float64)
    return Table(mentee_class, mentor_class, values)


def _question_table(question: QuestionFeature, n: int, m: int) -> Table:
    mode = question.mode
    if question.kind == "choice":
        mentee_sets = _bitsets(question.mentee_values, n)
        mentor_sets = _bitsets(question.mentor_values, m)
        mentee_class, mentor_class, unique = _classes(mentee_sets, mentor_sets)
        answered = np.bitwise_count(unique).sum(axis=1) > 0
        if mode == QuestionMode.CLOSER:
            options = max(sparse.csr_matrix(question.mentee_values).shape[1], 1)
            positions = np.arange(options)
            mean_position = np.zeros(len(unique))
            for row, bits in enumerate(unique):
                chosen = [p for p in positions if int(bits[p // 64]) >> (p % 64) & 1]
                mean_position[row] = np.mean(chosen) if chosen else 0.0
            span = max(options - 1, 1)
            values = np.maximum(
                0.0, 1.0 - np.abs(mean_position[:, None] - mean_position[None, :]) / span
            )
        else:
            common = np.bitwise_count(np.bitwise_and(unique[:, None, :], unique[None, :, :]))
            shares = (common.sum(axis=2) > 0).astype(np.float64)
            values = shares if mode == QuestionMode.SAME else 1.0 - shares
    else:
        mentee_values = np.asarray(question.mentee_values, np.float64).reshape(-1)
        mentor_values = np.asarray(question.mentor_values, np.float64).reshape(-1)
        mentee_keys = np.where(np.isnan(mentee_values), np.inf, mentee_values)
        mentor_keys = np.where(np.isnan(mentor_values), np.inf, mentor_values)
        mentee_class, mentor_class, unique = _classes(mentee_keys, mentor_keys)
        numbers = unique.reshape(-1).astype(np.float64)
        answered = np.isfinite(numbers)
        safe = np.where(answered, numbers, 0.0)
        distance = np.abs(safe[:, None] - safe[None, :])
        if mode == QuestionMode.CLOSER:
            span = question.value_range if question.value_range > 0 else 1.0
            values = np.maximum(0.0, 1.0 - distance / span)
        else:
            same = (distance < 1e-9).astype(np.float64)
            values = same if mode == QuestionMode.SAME else 1.0 - same
    values = np.array(values, np.float64)
    values[~answered, :] = UNKNOWN
    values[:, ~answered] = UNKNOWN
    return Table(mentee_class, mentor_class, values)


def unique_sorted(values: IntArray) -> IntArray:
    """Sorted distinct values (sort-based: numpy's hash-based `unique` is slow on int64 keys)."""
    ordered = np.sort(np.asarray(values).reshape(-1))
    first = np.ones(len(ordered), bool)
    first[1:] = ordered[1:] != ordered[:-1]
    result: IntArray = ordered[first]
    return result


def unique_first(values: IntArray) -> tuple[IntArray, IntArray]:
    """Sorted distinct values and the index of each one's first occurrence."""
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    first = np.ones(len(ordered), bool)
    first[1:] = ordered[1:] != ordered[:-1]
    return ordered[first], order[first]


def member(sorted_keys: IntArray, keys: IntArray) -> BoolArray:
    """keys found in sorted_keys."""
    if not len(sorted_keys):
        return np.zeros(len(keys), bool)
    position = np.minimum(np.searchsorted(sorted_keys, keys), len(sorted_keys) - 1)
    result: BoolArray = sorted_keys[position] == keys
    return result


def pair_keys(mentee: IntArray, mentor: IntArray, m: int) -> IntArray:
    result: IntArray = np.asarray(mentee, np.int64) * m + np.asarray(mentor, np.int64)
    return result


def _pair_arrays(pairs: tuple[IntArray, IntArray]) -> tuple[IntArray, IntArray]:
    """The two index arrays of a pair list (`check_problem` has validated them)."""
    return np.asarray(pairs[0], np.int64).reshape(-1), np.asarray(pairs[1], np.int64).reshape(-1)


def encode(problem: MatchingProblem) -> Encoding:
    """Validate the problem and build every array the scorer and the solvers use."""
    check_problem(problem)
    n, m = len(problem.mentees), len(problem.mentors)
    weights = np.array([problem.weights.of(criterion) for criterion in CRITERIA], np.float64)
    capacity = np.asarray(problem.capacity, np.float64).reshape(-1).astype(np.int64)

    skills_wanted = _bitsets(problem.mentees.skills, n)
    skills_offered = _bitsets(problem.mentors.skills, m)
    words = max(skills_wanted.shape[1], skills_offered.shape[1])
    skills_wanted = np.pad(skills_wanted, ((0, 0), (0, words - skills_wanted.shape[1])))
    skills_offered = np.pad(skills_offered, ((0, 0), (0, words - skills_offered.shape[1])))
    mentee_languages = _bitsets(problem.mentees.languages, n)
    mentor_languages = _bitsets(problem.mentors.languages, m)
    words = max(mentee_languages.shape[1], mentor_languages.shape[1])
    mentee_languages = np.pad(mentee_languages, ((0, 0), (0, words - mentee_languages.shape[1])))
    mentor_languages = np.pad(mentor_languages, ((0, 0), (0, words - mentor_languages.shape[1])))

    preferred_mentee, preferred_mentor = _pair_arrays(problem.preferred)
    forbidden_mentee, forbidden_mentor = _pair_arrays(problem.forbidden)
    pinned_mentee, pinned_mentor = _pair_arrays(problem.pinned)
    reasons = list(problem.forbidden_reasons)
    if reasons and len(reasons) != len(forbidden_mentee):
        raise InvalidProblem("forbidden_reasons must be empty or parallel to forbidden")
    keys = pair_keys(forbidden_mentee, forbidden_mentor, m)
    forbidden_keys, first = unique_first(keys)
    reason_of_key = [reasons[index] if reasons else "" for index in first.tolist()]

    encoding = Encoding(
        problem=problem,
        n=n,
        m=m,
        weights=weights,
        skills_wanted=skills_wanted,
        skills_offered=skills_offered,
        wanted_count=np.bitwise_count(skills_wanted).sum(axis=1).astype(np.int64),
        text=build_text_vectors(list(problem.mentees.text), list(problem.mentors.text)),
        seniority=_seniority_table(problem),
        department=_department_table(problem),
        timezone=_timezone_table(problem),
        language=_language_table(mentee_languages, mentor_languages),
        questions=[_question_table(question, n, m) for question in problem.questions],
        preferred_keys=unique_sorted(pair_keys(preferred_mentee, preferred_mentor, m)),
        forbidden_keys=forbidden_keys,
        forbidden_reason_of_key=reason_of_key,
        pinned_mentee=pinned_mentee,
        pinned_mentor=pinned_mentor,
        capacity=capacity,
        mentee_language_sets=mentee_languages,
        mentor_language_sets=mentor_languages,
    )
    _check_pins(encoding)
    return encoding


def _check_pins(encoding: Encoding) -> None:
    mentee, mentor = encoding.pinned_mentee, encoding.pinned_mentor
    if len(unique_sorted(mentee)) != len(mentee):
        raise InvalidProblem("a mentee is pinned to more than one mentor")
    blocked = ~allowed(encoding, mentee, mentor)
    if blocked.any():
        index = int(np.flatnonzero(blocked)[0])
        raise InvalidProblem(
            f"pinned pair (mentee {mentee[index]}, mentor {mentor[index]}) is not allowed: "
            f"{blocked_reason(encoding, int(mentee[index]), int(mentor[index]))}"
        )
    load = np.bincount(mentor, minlength=encoding.m)
    over = np.flatnonzero(load > encoding.capacity)
    if len(over):
        raise InvalidProblem(
            f"mentor {over[0]} has {load[over[0]]} pinned mentees "
            f"but capacity {encoding.capacity[over[0]]}"
        )


# ---------------------------------------------------------------------------------------------
# exact per-pair evaluation (the definition of the score)


def shares_language(encoding: Encoding, mentee: IntArray, mentor: IntArray) -> BoolArray:
    result: BoolArray = encoding.language.of(mentee, mentor) > 0
    return result


def is_forbidden(encoding: Encoding, mentee: IntArray, mentor: IntArray) -> BoolArray:
    return member(encoding.forbidden_keys, pair_keys(mentee, mentor, encoding.m))


def allowed(encoding: Encoding, mentee: IntArray, mentor: IntArray) -> BoolArray:
    """Hard constraints only (capacity is the solver's business)."""
    mentee = np.asarray(mentee, np.int64)
    mentor = np.asarray(mentor, np.int64)
    result = ~is_forbidden(encoding, mentee, mentor)
    if encoding.require_shared_language:
        result &= shares_language(encoding, mentee, mentor)
    return result


def blocked_reason(encoding: Encoding, mentee: int, mentor: int) -> str | None:
    key = mentee * encoding.m + mentor
    position = int(np.searchsorted(encoding.forbidden_keys, key))
    if position < len(encoding.forbidden_keys) and encoding.forbidden_keys[position] == key:
        return encoding.forbidden_reason_of_key[position] or "Excluded for this pair"
    if (
        encoding.require_shared_language
        and not shares_language(encoding, np.array([mentee]), np.array([mentor]))[0]
    ):
        return "No language in common"
    return None


def goal_similarity(encoding: Encoding, mentee: IntArray, mentor: IntArray) -> FloatArray:
    text = encoding.text
    terms = text.mentee_terms[mentee]
    weights = text.mentee_weights[mentee].astype(np.float64)
    mentor_weights = text.mentor_dense[terms, np.asarray(mentor)[:, None]].astype(np.float64)
    result: FloatArray = np.clip((weights * mentor_weights).sum(axis=1), 0.0, 1.0)
    return result


def criterion_values(encoding: Encoding, mentee: IntArray, mentor: IntArray) -> FloatArray:
    """(pairs x criteria) values in [0, 1], columns in `CRITERIA` order."""
    mentee = np.asarray(mentee, np.int64).reshape(-1)
    mentor = np.asarray(mentor, np.int64).reshape(-1)
    values = np.zeros((len(mentee), len(CRITERIA)))
    if not len(mentee):
        return values
    covered = np.bitwise_count(
        np.bitwise_and(encoding.skills_wanted[mentee], encoding.skills_offered[mentor])
    ).sum(axis=1)
    wanted = encoding.wanted_count[mentee]
    values[:, 0] = np.where(wanted > 0, covered / np.maximum(wanted, 1), 0.0)
    values[:, 1] = goal_similarity(encoding, mentee, mentor)
    values[:, 2] = encoding.seniority.of(mentee, mentor)
    values[:, 3] = encoding.department.of(mentee, mentor)
    values[:, 4] = encoding.timezone.of(mentee, mentor)
    values[:, 5] = encoding.language.of(mentee, mentor)
    if encoding.questions:
        total = np.zeros(len(mentee))
        for table in encoding.questions:
            total += table.of(mentee, mentor)
        values[:, 6] = total / len(encoding.questions)
    values[:, 7] = member(encoding.preferred_keys, pair_keys(mentee, mentor, encoding.m))
    return values


def contribution_units(encoding: Encoding, mentee: IntArray, mentor: IntArray) -> IntArray:
    """(pairs x criteria) integer contributions: round(weight x value x UNIT)."""
    values = criterion_values(encoding, mentee, mentor)
    result: IntArray = np.rint(values * (encoding.weights * UNIT)).astype(np.int64)
    return result


def pair_costs(
    encoding: Encoding, mentee: IntArray, mentor: IntArray, chunk: int = 1 << 18
) -> IntArray:
    """Scores in integer units (score = cost / UNIT), computed in chunks to bound memory."""
    mentee = np.asarray(mentee, np.int64).reshape(-1)
    mentor = np.asarray(mentor, np.int64).reshape(-1)
    result = np.empty(len(mentee), np.int64)
    for start in range(0, len(mentee), chunk):
        stop = start + chunk
        result[start:stop] = contribution_units(
            encoding, mentee[start:stop], mentor[start:stop]
        ).sum(axis=1)
    return result


def count_allowed(encoding: Encoding, mentees: IntArray, mentor_mask: BoolArray) -> IntArray:
    """For each mentee, how many mentors in `mentor_mask` it is allowed to be paired with."""
    if encoding.require_shared_language:
        table = encoding.language.values > 0
        per_class = np.bincount(
            encoding.language.mentor_class[mentor_mask], minlength=table.shape[1]
        )
        counts = (table[encoding.language.mentee_class[mentees]] * per_class).sum(axis=1)
    else:
        counts = np.full(len(mentees), int(mentor_mask.sum()), np.int64)
    keys = encoding.forbidden_keys
    forbidden_mentee, forbidden_mentor = keys // encoding.m, keys % encoding.m
    position = np.full(encoding.n, -1, np.int64)
    position[mentees] = np.arange(len(mentees))
    relevant = (position[forbidden_mentee] >= 0) & mentor_mask[forbidden_mentor]
    if encoding.require_shared_language:
        relevant &= encoding.language.of(forbidden_mentee, forbidden_mentor) > 0
    counts = counts - np.bincount(position[forbidden_mentee[relevant]], minlength=len(mentees))
    result: IntArray = counts.astype(np.int64)
    return result
