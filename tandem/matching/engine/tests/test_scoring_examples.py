"""Example tests: each criterion's value, the explanation sentences, reasons and determinism."""

import numpy as np
import pytest
from scipy import sparse

from tandem.matching.engine import (
    Criterion,
    DepartmentPreference,
    InvalidProblem,
    MatchingProblem,
    Objective,
    QuestionFeature,
    QuestionMode,
    Settings,
    UnmatchedReason,
    Weights,
    explain,
    rank_mentors,
    score_pairs,
    solve,
)
from tandem.matching.engine.tests.factories import (
    DEPARTMENTS,
    LANGUAGES,
    SKILLS,
    pairs,
    random_problem,
    side,
)

ONE_EACH = Weights(1, 1, 1, 1, 1, 1, 1, 1)
NEGOTIATION, PUBLIC_SPEAKING, SQL, LEADERSHIP = 0, 1, 2, 3
ENGLISH, PORTUGUESE, GERMAN = 0, 1, 2
SALES, ENGINEERING = 0, 1


def priya_and_mentor(**overrides) -> MatchingProblem:
    mentee = side(
        ["Priya Raman"],
        skills=[[NEGOTIATION, PUBLIC_SPEAKING, SQL, LEADERSHIP]],
        text=["I want feedback on my work and a path to promotion"],
        seniority=[2],
        department=[SALES],
        hours=[(9.0, 17.0)],
        languages=[[PORTUGUESE]],
    )
    mentor = side(
        ["Ana Costa"],
        skills=[[NEGOTIATION, PUBLIC_SPEAKING, SQL, 5]],
        text=["Happy to give feedback and coach people towards promotion; I love databases"],
        seniority=[4],
        department=[ENGINEERING],
        hours=[(13.0, 21.0)],
        languages=[[PORTUGUESE, GERMAN]],
    )
    problem = MatchingProblem(
        mentees=mentee,
        mentors=mentor,
        capacity=np.array([2]),
        weights=ONE_EACH,
        skill_names=SKILLS,
        language_names=LANGUAGES,
        department_names=DEPARTMENTS,
    )
    for name, value in overrides.items():
        setattr(problem, name, value)
    return problem


def contributions(
    problem: MatchingProblem, mentee: int = 0, mentor: int = 0
) -> dict[Criterion, float]:
    return explain(problem, mentee, mentor).contributions


def test_every_criterion_of_a_good_pair_and_its_sentences() -> None:
    # given
    problem = priya_and_mentor(preferred=pairs([(0, 0)]))
    # when
    explanation = explain(problem, 0, 0)
    # then
    values = explanation.contributions
    assert values[Criterion.SKILLS] == 0.75
    assert values[Criterion.SENIORITY] == 1.0
    assert values[Criterion.DEPARTMENT] == 1.0
    assert values[Criterion.TIMEZONE] == 1.0
    assert values[Criterion.LANGUAGE] == 1.0
    assert values[Criterion.PREFERRED] == 1.0
    assert values[Criterion.QUESTIONS] == 0.0  # no question is flagged for matching
    assert 0.2 < values[Criterion.GOALS] < 1.0
    assert explanation.allowed
    assert explanation.blocked_because is None
    assert explanation.score == sum(values.values())
    assert set(explanation.reasons) == {
        "Covers 3 of the 4 skills Priya wants to grow: negotiation, public speaking, SQL",
        "Mentor is 2 levels more senior",
        "Different departments: Sales and Engineering",
        "4 hours of shared working time",
        "Both speak Portuguese",
        "Priya asked for this mentor",
        "Similar goals (shared words: feedback, promotion)",
    }
    assert (
        explanation.reasons[-1] == "Similar goals (shared words: feedback, promotion)"
    )  # smallest


@pytest.mark.parametrize(
    ("mentee_level", "mentor_level", "gap_min", "gap_max", "expected"),
    [
        (2, 4, 1, 3, 1.0),  # inside the range
        (2, 3, 1, 3, 1.0),
        (2, 5, 1, 3, 1.0),
        (1, 5, 1, 3, 0.5),  # one level above the range
        (1, 6, 1, 3, 0.0),  # two levels above
        (3, 3, 1, 3, 0.0),  # not more senior
        (4, 2, 1, 3, 0.0),
        (2, 3, 2, 3, 0.5),  # below the range: gap / min
        (0, 4, 1, 3, 0.0),  # unknown
        (2, 0, 1, 3, 0.0),
    ],
)
def test_seniority_rule(mentee_level, mentor_level, gap_min, gap_max, expected) -> None:
    problem = priya_and_mentor(
        settings=Settings(seniority_gap_min=gap_min, seniority_gap_max=gap_max)
    )
    problem.mentees.seniority[0] = mentee_level
    problem.mentors.seniority[0] = mentor_level
    assert contributions(problem)[Criterion.SENIORITY] == expected


@pytest.mark.parametrize(
    ("mentee_hours", "mentor_hours", "target", "expected"),
    [
        ((9, 17), (13, 21), 4.0, 1.0),
        ((9, 17), (15, 23), 4.0, 0.5),  # 2 shared hours of 4
        ((22, 6), (4, 12), 4.0, 0.5),  # wraps midnight: 4..6
        ((22, 6), (20, 2), 8.0, 0.5),  # both wrap: 22..2
        ((9, 17), (18, 2), 4.0, 0.0),
        ((9, 17), (9, 17), 16.0, 0.5),
        ((float("nan"), float("nan")), (9, 17), 4.0, 0.5),  # unknown
    ],
)
def test_timezone_overlap(mentee_hours, mentor_hours, target, expected) -> None:
    problem = priya_and_mentor(settings=Settings(shared_hours_target=target))
    problem.mentees.work_start_utc[0], problem.mentees.work_end_utc[0] = mentee_hours
    problem.mentors.work_start_utc[0], problem.mentors.work_end_utc[0] = mentor_hours
    assert contributions(problem)[Criterion.TIMEZONE] == expected


@pytest.mark.parametrize(
    ("preference", "mentee_department", "mentor_department", "expected"),
    [
        (DepartmentPreference.DIFFERENT, SALES, ENGINEERING, 1.0),
        (DepartmentPreference.DIFFERENT, SALES, SALES, 0.0),
        (DepartmentPreference.SAME, SALES, SALES, 1.0),
        (DepartmentPreference.SAME, SALES, ENGINEERING, 0.0),
        (DepartmentPreference.DIFFERENT, -1, SALES, 0.5),
        (DepartmentPreference.SAME, SALES, -1, 0.5),
        (DepartmentPreference.EITHER, SALES, ENGINEERING, 0.0),
    ],
)
def test_department_rule(preference, mentee_department, mentor_department, expected) -> None:
    problem = priya_and_mentor(settings=Settings(department=preference))
    problem.mentees.department[0] = mentee_department
    problem.mentors.department[0] = mentor_department
    assert contributions(problem)[Criterion.DEPARTMENT] == expected


def test_skills_and_language_edge_cases() -> None:
    problem = priya_and_mentor()
    problem.mentees.skills = sparse.csr_matrix((1, len(SKILLS)))
    problem.mentors.languages = sparse.csr_matrix(np.array([[1.0, 0.0, 1.0]]))
    values = contributions(problem)
    assert values[Criterion.SKILLS] == 0.0  # wants nothing
    assert values[Criterion.LANGUAGE] == 0.0  # Portuguese vs English + German


def test_goal_similarity_is_a_tfidf_cosine() -> None:
    problem = priya_and_mentor()
    problem.mentees.text = ["Public speaking and SQL"]
    problem.mentors.text = ["sql, PUBLIC speaking!"]
    assert contributions(problem)[Criterion.GOALS] == pytest.approx(1.0, abs=1e-6)
    problem = priya_and_mentor()
    problem.mentors.text = ["Gardening and pottery"]
    assert contributions(problem)[Criterion.GOALS] == 0.0


def test_questions_are_averaged_with_their_modes() -> None:
    same_format = QuestionFeature(
        label="Meeting format",
        kind="choice",
        mode=QuestionMode.SAME,
        mentee_values=sparse.csr_matrix(np.array([[0.0, 1.0, 0.0]])),
        mentor_values=sparse.csr_matrix(np.array([[0.0, 1.0, 0.0]])),
    )
    closer_pace = QuestionFeature(
        label="Pace",
        kind="number",
        mode=QuestionMode.CLOSER,
        mentee_values=np.array([2.0]),
        mentor_values=np.array([5.0]),
        value_range=4.0,
    )
    different_style = QuestionFeature(
        label="Style",
        kind="number",
        mode=QuestionMode.DIFFERENT,
        mentee_values=np.array([1.0]),
        mentor_values=np.array([np.nan]),
    )
    problem = priya_and_mentor(questions=[same_format, closer_pace, different_style])
    # (1 + (1 - 3/4) + 0.5 unanswered) / 3
    assert contributions(problem)[Criterion.QUESTIONS] == pytest.approx(1.75 / 3, abs=2**-20)
    assert "Answers fit on 1 of 3 questions: Meeting format" in explain(problem, 0, 0).reasons


def test_weights_scale_contributions() -> None:
    problem = priya_and_mentor(
        weights=Weights(
            skills=4,
            goals=0,
            seniority=2,
            department=0,
            timezone=0,
            language=0,
            questions=0,
            preferred=0,
        )
    )
    explanation = explain(problem, 0, 0)
    assert explanation.contributions[Criterion.SKILLS] == 3.0
    assert explanation.score == 5.0
    assert score_pairs(problem, np.array([0]), np.array([0]))[0] == 5.0


def test_blocked_pairs_say_why() -> None:
    problem = priya_and_mentor(
        forbidden=pairs([(0, 0)]), forbidden_reasons=["Reports to this mentor"]
    )
    explanation = explain(problem, 0, 0)
    assert not explanation.allowed
    assert explanation.blocked_because == "Reports to this mentor"
    assert explanation.score > 0  # forbidden pairs still have a score
    problem = priya_and_mentor(settings=Settings(require_shared_language=True))
    problem.mentors.languages = sparse.csr_matrix(np.array([[1.0, 0.0, 0.0]]))
    assert explain(problem, 0, 0).blocked_because == "No language in common"
    problem = priya_and_mentor(forbidden=pairs([(0, 0)]))
    assert explain(problem, 0, 0).blocked_because == "Excluded for this pair"


def three_mentees_one_mentor() -> MatchingProblem:
    mentees = side(["A", "B", "C"], skills=[[0], [0, 1], [1]])
    mentors = side(["X", "Y"], skills=[[0, 1], [0]])
    return MatchingProblem(
        mentees=mentees,
        mentors=mentors,
        capacity=np.array([1, 0]),
        forbidden=pairs([(0, 0), (0, 1)]),
    )


@pytest.mark.parametrize("objective", list(Objective))
def test_unmatched_reasons(objective) -> None:
    # given: A may meet nobody; B and C compete for X's one place; Y is full (capacity 0)
    problem = three_mentees_one_mentor()
    # when
    assignment = solve(problem, objective)
    # then
    assert assignment.mentee.tolist() == [1]  # B covers 2 of 2 skills with X
    assert assignment.mentor.tolist() == [0]
    assert assignment.unmatched.tolist() == [0, 2]
    assert assignment.unmatched_reason == [
        UnmatchedReason.NO_ALLOWED_MENTOR,
        UnmatchedReason.NO_CAPACITY_LEFT,
    ]


def test_pins_are_kept_and_use_capacity() -> None:
    problem = three_mentees_one_mentor()
    problem.pinned = pairs([(2, 0)])
    assignment = solve(problem, Objective.TOTAL)
    assert assignment.mentee.tolist() == [2]
    assert assignment.unmatched_reason == [
        UnmatchedReason.NO_ALLOWED_MENTOR,
        UnmatchedReason.NO_CAPACITY_LEFT,
    ]


@pytest.mark.parametrize(
    ("pinned", "message"),
    [
        ([(0, 0)], "not allowed: Excluded for this pair"),
        ([(1, 1)], "capacity 0"),
        ([(1, 0), (2, 0)], "capacity 1"),
    ],
)
def test_contradictory_pins_are_rejected(pinned, message) -> None:
    problem = three_mentees_one_mentor()
    problem.pinned = pairs(pinned)
    with pytest.raises(InvalidProblem, match=message):
        solve(problem, Objective.TOTAL)


def test_rank_mentors_skips_forbidden_and_full_mentors() -> None:
    rng = np.random.default_rng(7)
    problem = random_problem(rng, 6, 8, forbidden_rate=0.3)
    mentors, scores = rank_mentors(problem, 2, limit=20)
    forbidden = set(zip(problem.forbidden[0].tolist(), problem.forbidden[1].tolist(), strict=True))
    for mentor in mentors.tolist():
        assert (2, mentor) not in forbidden
        assert problem.capacity[mentor] > 0
    assert np.all(np.diff(scores) <= 0)
    np.testing.assert_array_equal(scores, score_pairs(problem, np.full(len(mentors), 2), mentors))
    top, _ = rank_mentors(problem, 2, limit=2)
    assert top.tolist() == mentors[:2].tolist()


@pytest.mark.parametrize("objective", list(Objective))
def test_same_seed_same_answer_and_progress_reported(objective) -> None:
    rng = np.random.default_rng(11)
    problem = random_problem(rng, 8, 5, pinned=1)
    again = random_problem(np.random.default_rng(11), 8, 5, pinned=1)
    seen: list[float] = []
    first = solve(problem, objective, seed=3, progress=seen.append)
    second = solve(again, objective, seed=3)
    assert first.mentee.tolist() == second.mentee.tolist()
    assert first.mentor.tolist() == second.mentor.tolist()
    assert seen[0] == 0.0
    assert seen[-1] == 1.0
    assert seen == sorted(seen)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"weights": Weights(skills=-1.0)}, "weights must be finite"),
        ({"capacity": np.array([-1])}, "capacity"),
        ({"settings": Settings(seniority_gap_min=3, seniority_gap_max=1)}, "seniority_gap_min"),
        ({"forbidden": pairs([(0, 5)])}, "out of range"),
    ],
)
def test_invalid_problems_are_rejected_with_a_reason(change, message) -> None:
    problem = priya_and_mentor(**change)
    with pytest.raises(InvalidProblem, match=message):
        score_pairs(problem, np.array([0]), np.array([0]))
