"""Every public entry point rejects a bad problem or argument with `InvalidProblem` and a
message — never a crash deep inside, never an absurd score."""

import copy
import dataclasses
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import sparse

from tandem.matching.engine import (
    InvalidProblem,
    MatchingProblem,
    Objective,
    QuestionFeature,
    QuestionMode,
    Settings,
    UnmatchedReason,
    Weights,
    allowed_pairs_mask,
    explain,
    greedy,
    rank_mentors,
    score_pairs,
    solve,
)
from tandem.matching.engine.tests.factories import random_problem

BAD = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])

ENTRY_POINTS: dict[str, Callable[[MatchingProblem], object]] = {
    "score_pairs": lambda p: score_pairs(p, np.array([0]), np.array([0])),
    "allowed_pairs_mask": lambda p: allowed_pairs_mask(p, np.array([0]), np.array([0])),
    "explain": lambda p: explain(p, 0, 0),
    "rank_mentors": lambda p: rank_mentors(p, 0),
    "solve total": lambda p: solve(p, Objective.TOTAL),
    "solve fair": lambda p: solve(p, Objective.FAIR),
    "solve stable": lambda p: solve(p, Objective.STABLE),
    "greedy": lambda p: greedy(p),
}

NOT_FINITE = [float("nan"), float("inf"), float("-inf")]


def base_problem(seed: int) -> MatchingProblem:
    rng = np.random.default_rng(seed)
    problem = random_problem(rng, 4, 3, forbidden_rate=0.1)
    number = QuestionFeature(
        label="Pace",
        kind="number",
        mode=QuestionMode.CLOSER,
        mentee_values=np.array([1.0, 2.0, np.nan, 4.0]),
        mentor_values=np.array([2.0, 5.0, 3.0]),
    )
    choice = QuestionFeature(
        label="Format",
        kind="choice",
        mode=QuestionMode.SAME,
        mentee_values=sparse.csr_matrix(np.eye(3)[[0, 1, 2, 0]]),
        mentor_values=sparse.csr_matrix(np.eye(3)[[2, 1, 0]]),
    )
    return dataclasses.replace(problem, questions=[number, choice])


def replace_side(problem: MatchingProblem, which: str, **changes: Any) -> MatchingProblem:
    side = dataclasses.replace(getattr(problem, which), **changes)
    return dataclasses.replace(problem, **{which: side})


@st.composite
def corruptions(draw: st.DrawFn) -> tuple[str, Callable[[MatchingProblem], MatchingProblem]]:
    """One way of breaking a valid problem, and the word its message must contain."""
    which = draw(st.sampled_from(["mentees", "mentors"]))
    size = 4 if which == "mentees" else 3
    index = draw(st.integers(0, size - 1))
    kind = draw(
        st.sampled_from(
            [
                "length",
                "hours",
                "seniority",
                "department",
                "capacity",
                "weights",
                "settings",
                "question",
                "pairs",
                "matrix",
                "reasons",
                "types",
            ]
        )
    )
    if kind == "length":
        field = draw(
            st.sampled_from(
                [
                    "text",
                    "seniority",
                    "department",
                    "work_start_utc",
                    "work_end_utc",
                    "skills",
                    "languages",
                ]
            )
        )
        extra = draw(st.sampled_from([-1, 1, 2]))

        def resize(problem: MatchingProblem) -> MatchingProblem:
            value = getattr(getattr(problem, which), field)
            if sparse.issparse(value):
                dense = value.toarray()
                dense = dense[: size + extra] if extra < 0 else np.vstack([dense] * 2)
                return replace_side(problem, which, **{field: sparse.csr_matrix(dense)})
            items = list(value)
            items = items[: size + extra] if extra < 0 else items + items[:extra]
            return replace_side(
                problem, which, **{field: np.asarray(items) if field != "text" else items}
            )

        return field, resize
    if kind == "hours":
        field = draw(st.sampled_from(["work_start_utc", "work_end_utc"]))
        value = draw(st.sampled_from([float("inf"), float("-inf")]))

        def infinite(problem: MatchingProblem) -> MatchingProblem:
            hours = np.array(getattr(getattr(problem, which), field), np.float64)
            hours[index] = value
            return replace_side(problem, which, **{field: hours})

        return field, infinite
    if kind == "seniority":
        value = draw(st.sampled_from([-1, 7, 99, 2.5, float("nan")]))

        def level(problem: MatchingProblem) -> MatchingProblem:
            levels = np.array(getattr(problem, which).seniority, np.float64)
            levels[index] = value
            return replace_side(problem, which, seniority=levels)

        return "seniority", level
    if kind == "department":
        value = draw(st.sampled_from([-2, -100, 1.5, float("inf")]))

        def code(problem: MatchingProblem) -> MatchingProblem:
            codes = np.array(getattr(problem, which).department, np.float64)
            codes[index] = value
            return replace_side(problem, which, department=codes)

        return "department", code
    if kind == "capacity":
        value = draw(st.sampled_from([-1, -5, 1.5, 2**40, *NOT_FINITE, "length"]))

        def places(problem: MatchingProblem) -> MatchingProblem:
            if value == "length":
                return dataclasses.replace(problem, capacity=np.ones(4, np.int64))
            capacity = np.array(problem.capacity, np.float64)
            capacity[index % 3] = value
            return dataclasses.replace(problem, capacity=capacity)

        return "capacity", places
    if kind == "weights":
        name = draw(st.sampled_from([f.name for f in dataclasses.fields(Weights)]))
        value = draw(st.sampled_from([-0.5, 1001.0, *NOT_FINITE]))
        return "weights", lambda p: dataclasses.replace(
            p, weights=dataclasses.replace(p.weights, **{name: value})
        )
    if kind == "settings":
        change = draw(
            st.sampled_from(
                [
                    {"shared_hours_target": 0.0},
                    {"shared_hours_target": -2.0},
                    {"shared_hours_target": float("inf")},
                    {"shared_hours_target": float("nan")},
                    {"seniority_gap_min": 3, "seniority_gap_max": 1},
                    {"seniority_gap_min": -1},
                    {"department": "sideways"},
                ]
            )
        )
        word = next(iter(change)) if "department" not in change else "department"
        return word, lambda p: dataclasses.replace(p, settings=Settings(**change))
    if kind == "question":
        position = draw(st.sampled_from([0, 1]))
        change = draw(
            st.sampled_from(
                [
                    "kind",
                    "mode",
                    "value_range",
                    "number_inf",
                    "number_length",
                    "choice_options",
                    "choice_rows",
                ]
            )
        )

        def question(problem: MatchingProblem) -> MatchingProblem:
            questions = list(problem.questions)
            number, choice = questions
            if change == "kind":
                questions[position] = dataclasses.replace(questions[position], kind="scale")
            elif change == "mode":
                questions[position] = dataclasses.replace(questions[position], mode="nearest")
            elif change == "value_range":
                questions[0] = dataclasses.replace(number, value_range=float("inf"))
            elif change == "number_inf":
                values = np.array(number.mentor_values, np.float64)
                values[index % 3] = float("inf")
                questions[0] = dataclasses.replace(number, mentor_values=values)
            elif change == "number_length":
                questions[0] = dataclasses.replace(number, mentee_values=np.ones(5))
            elif change == "choice_options":
                questions[1] = dataclasses.replace(
                    choice, mentor_values=sparse.csr_matrix(np.eye(4)[[0, 1, 2]])
                )
            else:
                questions[1] = dataclasses.replace(
                    choice, mentee_values=sparse.csr_matrix(np.eye(3)[[0, 1]])
                )
            return dataclasses.replace(problem, questions=questions)

        return "questions", question
    if kind == "pairs":
        field = draw(st.sampled_from(["forbidden", "pinned", "preferred"]))
        bad = draw(
            st.sampled_from(
                [
                    (np.array([0, 1]), np.array([0])),
                    (np.array([4]), np.array([0])),
                    (np.array([0]), np.array([3])),
                    (np.array([-1]), np.array([0])),
                    (np.array([0.5]), np.array([0])),
                    (np.array([np.nan]), np.array([0])),
                    (np.array([[0]]), np.array([[0]])),
                    (np.array([0]),),
                ]
            )
        )
        return field, lambda p: dataclasses.replace(p, **{field: bad})
    if kind == "types":
        field = draw(st.sampled_from(["weights", "settings", "questions"]))
        wrong: object = [None] if field == "questions" else {"skills": 1.0}
        return field, lambda p: dataclasses.replace(p, **{field: wrong})
    if kind == "matrix":
        field = draw(st.sampled_from(["skills", "languages"]))
        value = draw(st.sampled_from([-1.0, *NOT_FINITE]))

        def entry(problem: MatchingProblem) -> MatchingProblem:
            dense = getattr(problem, which).__dict__[field].toarray().astype(np.float64)
            dense[index, 0] = value
            return replace_side(problem, which, **{field: sparse.csr_matrix(dense)})

        return field, entry
    return "forbidden_reasons", lambda p: dataclasses.replace(
        p, forbidden=(np.array([0, 1]), np.array([0, 1])), forbidden_reasons=["only one"]
    )


@BAD
@given(st.integers(0, 50), corruptions(), st.sampled_from(sorted(ENTRY_POINTS)))
def test_every_entry_point_rejects_a_broken_problem_with_a_message(
    seed: int, corruption: tuple[str, Callable[[MatchingProblem], MatchingProblem]], entry: str
) -> None:
    # given a valid problem, broken in one place
    word, breaking = corruption
    problem = breaking(base_problem(seed))
    before = copy.deepcopy(problem)
    # when / then
    with pytest.raises(InvalidProblem) as raised:
        ENTRY_POINTS[entry](problem)
    assert word.split("_")[0] in str(raised.value)
    # and the caller's problem is left as it was
    assert repr(problem) == repr(before)


@pytest.mark.parametrize("entry", sorted(ENTRY_POINTS))
def test_the_issues_infinite_working_hour_is_rejected_not_scored(entry) -> None:
    # given a mentor working until +inf (once: a crash in the flow, or a score of -8.8e12)
    problem = base_problem(3)
    hours = np.array(problem.mentors.work_end_utc, np.float64)
    hours[1] = np.inf
    problem = replace_side(problem, "mentors", work_end_utc=hours)
    # when / then
    with pytest.raises(InvalidProblem, match=r"mentors\.work_end_utc: an hour must be finite"):
        ENTRY_POINTS[entry](problem)


@pytest.mark.parametrize("entry", sorted(ENTRY_POINTS))
def test_inconsistent_lengths_are_named_not_an_index_error(entry) -> None:
    problem = replace_side(base_problem(4), "mentees", seniority=np.array([1, 2, 3]))
    with pytest.raises(InvalidProblem, match=r"mentees\.seniority: expected 4 values, got 3"):
        ENTRY_POINTS[entry](problem)


BAD_CALLS: list[tuple[str, Callable[[MatchingProblem], object], str]] = [
    ("lengths", lambda p: score_pairs(p, np.array([0, 1]), np.array([0])), "same length"),
    ("range", lambda p: score_pairs(p, np.array([4]), np.array([0])), "out of range"),
    ("negative", lambda p: score_pairs(p, np.array([-1]), np.array([0])), "out of range"),
    ("fraction", lambda p: score_pairs(p, np.array([0.5]), np.array([0])), "integers"),
    ("2-d", lambda p: score_pairs(p, np.zeros((1, 1), int), np.zeros((1, 1), int)), "one-dim"),
    ("mask range", lambda p: allowed_pairs_mask(p, np.array([0]), np.array([3])), "out of range"),
    ("mask negative", lambda p: allowed_pairs_mask(p, np.array([-4]), np.array([0])), "range"),
    ("explain mentee", lambda p: explain(p, 4, 0), "mentee 4 is out of range"),
    ("explain mentor", lambda p: explain(p, 0, -1), "mentor -1 is out of range"),
    ("explain float", lambda p: explain(p, 0.0, 0), "integer index"),  # type: ignore[arg-type]
    ("rank mentee", lambda p: rank_mentors(p, -1), "out of range"),
    ("rank limit", lambda p: rank_mentors(p, 0, limit=-1), "limit"),
    ("objective", lambda p: solve(p, "happiest"), "objective"),  # type: ignore[arg-type]
    ("tolerance nan", lambda p: solve(p, Objective.TOTAL, tolerance=float("nan")), "tolerance"),
    ("tolerance inf", lambda p: solve(p, Objective.TOTAL, tolerance=float("inf")), "tolerance"),
    ("tolerance neg", lambda p: solve(p, Objective.FAIR, tolerance=-0.1), "tolerance"),
    ("per side 0", lambda p: solve(p, Objective.TOTAL, candidates_per_side=0), "candidates"),
    ("pricing", lambda p: solve(p, Objective.TOTAL, pricing="fast"), "pricing"),
    ("seed", lambda p: solve(p, Objective.STABLE, seed=1.5), "seed"),  # type: ignore[arg-type]
    ("progress", lambda p: solve(p, Objective.TOTAL, progress=3), "progress"),  # type: ignore[arg-type]
    ("greedy pricing", lambda p: greedy(p, pricing="dense"), "pricing"),
]


@pytest.mark.parametrize(("name", "call", "message"), BAD_CALLS, ids=[c[0] for c in BAD_CALLS])
def test_bad_arguments_are_rejected_with_a_message(name, call, message) -> None:
    with pytest.raises(InvalidProblem, match=message):
        call(base_problem(5))


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 3), st.integers(0, 3), st.sampled_from(list(Objective)))
def test_empty_sides_are_a_valid_problem_with_nothing_to_match(n, m, objective) -> None:
    # given a programme with no mentees or no mentors (or both)
    problem = random_problem(np.random.default_rng(n * 7 + m), n if m == 0 else 0, m)
    # when
    assignment = solve(problem, objective)
    # then everyone is reported, nobody matched
    assert assignment.mentee.tolist() == []
    assert assignment.unmatched.tolist() == list(range(len(problem.mentees)))
    assert assignment.unmatched_reason == [UnmatchedReason.NO_ALLOWED_MENTOR] * len(problem.mentees)
    assert assignment.total_score == 0.0
    # and any index into an empty side is rejected
    with pytest.raises(InvalidProblem, match="out of range"):
        explain(problem, 0, 0)
