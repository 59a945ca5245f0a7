"""Scores of arbitrary pairs, explanations in words, and a mentee's best mentors."""

import threading
import weakref
from collections import OrderedDict

import numpy as np

from tandem.matching.engine.features import (
    CRITERIA,
    UNIT,
    Encoding,
    allowed,
    blocked_reason,
    contribution_units,
    criterion_values,
    encode,
    pair_costs,
    shared_hours,
)
from tandem.matching.engine.problem import (
    Criterion,
    DepartmentPreference,
    Explanation,
    FloatArray,
    IntArray,
    MatchingProblem,
    QuestionMode,
)
from tandem.matching.engine.validation import InvalidProblem, check_index, check_pair_indices

_CACHE_SIZE = 2  # an encoding of 100k mentees is a few hundred MB: keep few
_cache_lock = threading.Lock()
_cache: "OrderedDict[tuple[int, ...], tuple[weakref.ref[MatchingProblem], Encoding]]" = (
    OrderedDict()
)


def encoding_of(problem: MatchingProblem) -> Encoding:
    """The problem's encoding, built once per problem object.

    Treat a problem as immutable once the engine has seen it: replacing one of its fields is
    noticed (a new encoding is built), changing an array in place is not."""
    key = tuple(id(value) for value in (problem, *problem.__dict__.values()))
    with _cache_lock:
        cached = _cache.get(key)
        if cached is not None and cached[0]() is problem:
            _cache.move_to_end(key)
            return cached[1]
    encoding = encode(problem)
    with _cache_lock:
        _cache[key] = (weakref.ref(problem), encoding)
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return encoding


def score_pairs(problem: MatchingProblem, mentee_idx: IntArray, mentor_idx: IntArray) -> FloatArray:
    """The score of each pair (constraints are not applied: a forbidden pair still has a score).

    A score is the sum of weight x value over the criteria, each contribution rounded to a
    multiple of 2^-20, so scores are exact binary fractions and sum without rounding error.
    """
    encoding = encoding_of(problem)
    mentee, mentor = check_pair_indices(mentee_idx, mentor_idx, encoding.n, encoding.m)
    result: FloatArray = pair_costs(encoding, mentee, mentor) / UNIT
    return result


def allowed_pairs_mask(
    problem: MatchingProblem, mentee_idx: IntArray, mentor_idx: IntArray
) -> np.ndarray:
    """True where a pair passes the hard constraints (not forbidden; shares a language if asked)."""
    encoding = encoding_of(problem)
    mentee, mentor = check_pair_indices(mentee_idx, mentor_idx, encoding.n, encoding.m)
    return allowed(encoding, mentee, mentor)


def rank_mentors(
    problem: MatchingProblem, mentee: int, *, limit: int = 10
) -> tuple[IntArray, FloatArray]:
    """The allowed mentors with capacity > 0 for one mentee, best first (ties: lower index)."""
    encoding = encoding_of(problem)
    mentee = check_index("mentee", mentee, encoding.n)
    if isinstance(limit, bool) or not isinstance(limit, int | np.integer) or limit < 0:
        raise InvalidProblem("limit must be an integer >= 0")
    mentors = np.flatnonzero(encoding.capacity > 0).astype(np.int64)
    mentees = np.full(len(mentors), mentee, np.int64)
    keep = allowed(encoding, mentees, mentors)
    mentors, mentees = mentors[keep], mentees[keep]
    costs = pair_costs(encoding, mentees, mentors)
    order = np.lexsort((mentors, -costs))[: max(limit, 0)]
    return mentors[order], costs[order] / UNIT


# ---------------------------------------------------------------------------------------------
# explanations


def _first_name(name: str, fallback: str) -> str:
    parts = (name or "").split()
    return parts[0] if parts else fallback


def _listing(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _hours(value: float) -> str:
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return f"{text} hour" + ("" if text == "1" else "s")


def _bits(row: np.ndarray) -> list[int]:
    positions: list[int] = []
    for word_index, word in enumerate(row.tolist()):
        for bit in range(64):
            if (int(word) >> bit) & 1:
                positions.append(word_index * 64 + bit)
    return positions


def _named(positions: list[int], names: list[str], what: str) -> list[str]:
    return [names[p] if p < len(names) else f"{what} {p}" for p in positions]


def _sentence(
    encoding: Encoding, criterion: Criterion, mentee: int, mentor: int, value: float
) -> str | None:
    problem = encoding.problem
    who = _first_name(
        problem.mentees.names[mentee] if mentee < len(problem.mentees.names) else "", "the mentee"
    )
    if criterion == Criterion.SKILLS:
        wanted = _bits(encoding.skills_wanted[mentee])
        covered = _bits(encoding.skills_wanted[mentee] & encoding.skills_offered[mentor])
        if not covered:
            return None
        names = ", ".join(_named(covered, problem.skill_names, "skill"))
        if len(wanted) == 1:
            return f"Covers the one skill {who} wants to grow: {names}"
        return f"Covers {len(covered)} of the {len(wanted)} skills {who} wants to grow: {names}"
    if criterion == Criterion.GOALS:
        text = encoding.text
        terms = text.mentee_terms[mentee]
        products = text.mentee_weights[mentee].astype(np.float64) * text.mentor_dense[terms, mentor]
        order = [int(i) for i in np.argsort(-products, kind="stable") if products[i] > 0][:3]
        if not order:
            return None
        words = ", ".join(text.terms[int(terms[i])] for i in order)
        return f"Similar goals (shared words: {words})"
    if criterion == Criterion.SENIORITY:
        gap = int(problem.mentors.seniority[mentor]) - int(problem.mentees.seniority[mentee])
        levels = f"{gap} level" + ("" if gap == 1 else "s")
        return f"Mentor is {levels} more senior"
    if criterion == Criterion.DEPARTMENT:
        mentee_department = int(problem.mentees.department[mentee])
        mentor_department = int(problem.mentors.department[mentor])
        if mentee_department < 0 or mentor_department < 0:
            return "Department not known for both"
        department_names = problem.department_names

        def department(code: int) -> str:
            if code < len(department_names):
                return department_names[code]
            return f"department {code}"

        if mentee_department == mentor_department:
            return f"Same department: {department(mentee_department)}"
        if problem.settings.department == DepartmentPreference.DIFFERENT:
            pair = f"{department(mentee_department)} and {department(mentor_department)}"
            return f"Different departments: {pair}"
        return None
    if criterion == Criterion.TIMEZONE:
        start_a, end_a = (
            problem.mentees.work_start_utc[mentee],
            problem.mentees.work_end_utc[mentee],
        )
        start_b, end_b = (
            problem.mentors.work_start_utc[mentor],
            problem.mentors.work_end_utc[mentor],
        )
        if np.isnan([start_a, end_a, start_b, end_b]).any():
            return "Working hours not known for both"
        hours = float(
            shared_hours(np.array(start_a), np.array(end_a), np.array(start_b), np.array(end_b))
        )
        return f"{_hours(hours)} of shared working time"
    if criterion == Criterion.LANGUAGE:
        common = _bits(
            encoding.mentee_language_sets[mentee] & encoding.mentor_language_sets[mentor]
        )
        return f"Both speak {_listing(_named(common, problem.language_names, 'language'))}"
    if criterion == Criterion.QUESTIONS:
        matched = [
            question.label
            for question, table in zip(problem.questions, encoding.questions, strict=True)
            if table.of(np.array([mentee]), np.array([mentor]))[0] >= 0.75
        ]
        if not matched:
            return None
        kinds = {question.mode for question in problem.questions}
        verb = "Close answers" if kinds == {QuestionMode.CLOSER} else "Answers fit"
        return (
            f"{verb} on {len(matched)} of {len(problem.questions)} questions: {', '.join(matched)}"
        )
    if criterion == Criterion.PREFERRED:
        return f"{who} asked for this mentor"
    return None


def explain(problem: MatchingProblem, mentee: int, mentor: int) -> Explanation:
    """Why a pair scores what it scores.

    `contributions[c]` is weight x value of criterion c rounded to a multiple of 2^-20; they sum
    to `score` exactly (binary fractions far below 2^53 add without rounding; tests allow 1e-9).
    `reasons` are sentences for the criteria that contribute, largest contribution first.
    """
    encoding = encoding_of(problem)
    mentee = check_index("mentee", mentee, encoding.n)
    mentor = check_index("mentor", mentor, encoding.m)
    mentees, mentors = np.array([mentee]), np.array([mentor])
    units = contribution_units(encoding, mentees, mentors)[0]
    values = criterion_values(encoding, mentees, mentors)[0]
    contributions = {criterion: float(units[k]) / UNIT for k, criterion in enumerate(CRITERIA)}
    order = sorted(range(len(CRITERIA)), key=lambda k: (-int(units[k]), k))
    reasons: list[str] = []
    for k in order:
        if units[k] <= 0:
            continue
        sentence = _sentence(encoding, CRITERIA[k], mentee, mentor, float(values[k]))
        if sentence:
            reasons.append(sentence)
    reason = blocked_reason(encoding, mentee, mentor)
    return Explanation(
        score=float(units.sum()) / UNIT,
        contributions=contributions,
        reasons=reasons,
        allowed=reason is None,
        blocked_because=reason,
    )
