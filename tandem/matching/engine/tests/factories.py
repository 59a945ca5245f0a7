"""Small hand-made and random problems for the engine's tests."""

import numpy as np
from scipy import sparse

from tandem.matching.engine import (
    DepartmentPreference,
    MatchingProblem,
    QuestionFeature,
    QuestionMode,
    Settings,
    Side,
    Weights,
)

SKILLS = ["negotiation", "public speaking", "SQL", "leadership", "python", "design"]
LANGUAGES = ["English", "Portuguese", "German"]
DEPARTMENTS = ["Sales", "Engineering", "Finance"]
WORDS = ["feedback", "promotion", "career", "growth", "speaking", "data", "product", "team"]


def side(
    names: list[str],
    *,
    skills: list[list[int]],
    text: list[str] | None = None,
    seniority: list[int] | None = None,
    department: list[int] | None = None,
    hours: list[tuple[float, float]] | None = None,
    languages: list[list[int]] | None = None,
) -> Side:
    count = len(names)

    def multi_hot(rows: list[list[int]], width: int) -> sparse.csr_matrix:
        matrix = np.zeros((count, width))
        for row, columns in enumerate(rows):
            matrix[row, columns] = 1
        return sparse.csr_matrix(matrix)

    hours = hours or [(9.0, 17.0)] * count
    return Side(
        names=names,
        skills=multi_hot(skills, len(SKILLS)),
        text=text or [""] * count,
        seniority=np.asarray(seniority or [0] * count, np.int64),
        department=np.asarray(department or [-1] * count, np.int64),
        work_start_utc=np.asarray([h[0] for h in hours], np.float64),
        work_end_utc=np.asarray([h[1] for h in hours], np.float64),
        languages=multi_hot(languages or [[0]] * count, len(LANGUAGES)),
    )


def pairs(items: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
    return (
        np.asarray([a for a, _ in items], np.int64),
        np.asarray([b for _, b in items], np.int64),
    )


def random_problem(
    rng: np.random.Generator,
    n: int,
    m: int,
    *,
    max_capacity: int = 3,
    forbidden_rate: float = 0.15,
    pinned: int = 0,
    preferred_rate: float = 0.1,
    integer_weights: bool = False,
    require_shared_language: bool | None = None,
) -> MatchingProblem:
    """A random small problem; pins are chosen among allowed pairs within capacity."""

    def random_side(count: int, prefix: str) -> Side:
        return side(
            [f"{prefix}{index}" for index in range(count)],
            skills=[
                list(rng.choice(len(SKILLS), size=rng.integers(0, 4), replace=False))
                for _ in range(count)
            ],
            text=[
                " ".join(rng.choice(WORDS, size=rng.integers(0, 5)).tolist()) for _ in range(count)
            ],
            seniority=rng.integers(0, 7, count).tolist(),
            department=rng.integers(-1, len(DEPARTMENTS), count).tolist(),
            hours=[
                (float("nan"), float("nan"))
                if rng.random() < 0.1
                else (float(start), float((start + rng.integers(4, 10)) % 24))
                for start in rng.integers(0, 24, count)
            ],
            languages=[
                list(rng.choice(len(LANGUAGES), size=rng.integers(0, 3), replace=False))
                for _ in range(count)
            ],
        )

    if integer_weights:
        weights = Weights(*[float(w) for w in rng.integers(0, 5, 8)])
    else:
        weights = Weights(*[float(w) for w in np.round(rng.uniform(0, 4, 8), 3)])
    settings = Settings(
        seniority_gap_min=int(rng.integers(0, 3)),
        seniority_gap_max=int(rng.integers(2, 5)),
        department=DepartmentPreference(rng.choice(list(DepartmentPreference))),
        shared_hours_target=float(rng.choice([2.0, 4.0, 6.0])),
        require_shared_language=bool(rng.random() < 0.3)
        if require_shared_language is None
        else require_shared_language,
    )
    options = 3
    choice = QuestionFeature(
        label="Meeting format",
        kind="choice",
        mode=QuestionMode(rng.choice(list(QuestionMode))),
        mentee_values=sparse.csr_matrix(
            np.eye(options)[rng.integers(0, options, n)] * (rng.random((n, 1)) > 0.1)
        ),
        mentor_values=sparse.csr_matrix(
            np.eye(options)[rng.integers(0, options, m)] * (rng.random((m, 1)) > 0.1)
        ),
    )
    number = QuestionFeature(
        label="Pace",
        kind="number",
        mode=QuestionMode(rng.choice(list(QuestionMode))),
        mentee_values=np.where(rng.random(n) < 0.1, np.nan, rng.integers(1, 6, n)).astype(float),
        mentor_values=np.where(rng.random(m) < 0.1, np.nan, rng.integers(1, 6, m)).astype(float),
    )
    forbidden = [(i, j) for i in range(n) for j in range(m) if rng.random() < forbidden_rate]
    preferred = [(i, j) for i in range(n) for j in range(m) if rng.random() < preferred_rate]
    problem = MatchingProblem(
        mentees=random_side(n, "mentee"),
        mentors=random_side(m, "mentor"),
        capacity=rng.integers(0, max_capacity + 1, m).astype(np.int64),
        weights=weights,
        settings=settings,
        questions=[choice, number][: int(rng.integers(0, 3))],
        forbidden=pairs(forbidden),
        preferred=pairs(preferred),
        skill_names=SKILLS,
        language_names=LANGUAGES,
        department_names=DEPARTMENTS,
    )
    if pinned:
        from tandem.matching.engine import allowed_pairs_mask

        load = np.zeros(m, np.int64)
        chosen: list[tuple[int, int]] = []
        for mentee in rng.permutation(n)[:pinned].tolist():
            mentors = [
                j
                for j in rng.permutation(m).tolist()
                if load[j] < problem.capacity[j]
                and allowed_pairs_mask(problem, np.array([mentee]), np.array([j]))[0]
            ]
            if mentors:
                load[mentors[0]] += 1
                chosen.append((mentee, mentors[0]))
        problem = MatchingProblem(**{**problem.__dict__, "pinned": pairs(chosen)})
    return problem


def problem_from_scores(
    scores: np.ndarray,
    capacity: np.ndarray | list[int],
    *,
    scale: float = 1.0,
    forbidden: list[tuple[int, int]] | None = None,
    pinned: list[tuple[int, int]] | None = None,
) -> MatchingProblem:
    """A problem whose score matrix is exactly `scale` x `scores` (non-negative integers).

    Only the QUESTIONS criterion counts. Question q ("is the score above q?") is a choice
    question in SAME mode: mentor j answers option j, mentee i answers every option j with
    scores[i, j] > q, plus a last option no mentor picks (so nobody is "unanswered"). A pair
    then agrees on exactly scores[i, j] of the K = max(scores) questions, and with the weight
    K x scale its score is scale x scores[i, j]. Any matrix can so be handed to the engine.
    """
    scores = np.asarray(scores, np.int64)
    n, m = scores.shape
    levels = max(int(scores.max(initial=0)), 1)
    questions = []
    for q in range(levels):
        mentee_values = np.zeros((n, m + 1))
        mentee_values[:, :m] = scores > q
        mentee_values[:, m] = 1.0
        mentor_values = np.zeros((m, m + 1))
        mentor_values[np.arange(m), np.arange(m)] = 1.0
        questions.append(
            QuestionFeature(
                label=f"above {q}",
                kind="choice",
                mode=QuestionMode.SAME,
                mentee_values=sparse.csr_matrix(mentee_values),
                mentor_values=sparse.csr_matrix(mentor_values),
            )
        )
    zero = dict.fromkeys(
        ["skills", "goals", "seniority", "department", "timezone", "language", "preferred"], 0.0
    )
    return MatchingProblem(
        mentees=side([f"mentee{i}" for i in range(n)], skills=[[] for _ in range(n)]),
        mentors=side([f"mentor{j}" for j in range(m)], skills=[[] for _ in range(m)]),
        capacity=np.asarray(capacity, np.int64),
        weights=Weights(**zero, questions=float(levels) * scale),
        settings=Settings(department=DepartmentPreference.EITHER),
        questions=questions,
        forbidden=pairs(forbidden or []),
        pinned=pairs(pinned or []),
    )


def fair_trap(
    decoys: int, *, filler_mentees: int = 0, filler_mentors: int = 0, seed: int = 0
) -> MatchingProblem:
    """`fair_trap_scores` as a problem."""
    scores, capacity, forbidden = fair_trap_scores(
        decoys, filler_mentees=filler_mentees, filler_mentors=filler_mentors, seed=seed
    )
    return problem_from_scores(scores, capacity, scale=0.5, forbidden=forbidden)


def fair_trap_scores(
    decoys: int, *, filler_mentees: int = 0, filler_mentors: int = 0, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, list[tuple[int, int]]]:
    """Scores (in half points), capacities and forbidden pairs of a problem whose best
    bottleneck is held by a pair no short candidate list contains.

    Mentee a scores 10 with mentor x, 3.5 with y and 4 with each of `decoys` mentors h (each
    held by its own mentee e, who has nowhere else to go); b scores 5 with x and 2 with y; c
    scores 9 with y (2 places); `decoys` mentees f score 20 with their own mentor g and 4 with
    y. The best total (a-x, b-y, c-y) has bottleneck 2; moving a to y and b to x gives 3.5, but
    (a, y) is neither in a's best `decoys` mentors nor in y's best `decoys` mentees, and the
    next known score above 2 (4) is infeasible. Filler mentees and mentors (only allowed with
    each other, scores 6..20, places exactly enough) grow the problem without changing that.
    """
    n = 3 + 2 * decoys + filler_mentees
    m = 2 + 2 * decoys + filler_mentors
    scores = np.zeros((n, m), np.int64)  # in half points
    ok = np.zeros((n, m), bool)

    def put(mentee: int, mentor: int, half_points: int) -> None:
        scores[mentee, mentor] = half_points
        ok[mentee, mentor] = True

    a, b, c, x, y = 0, 1, 2, 0, 1
    put(a, x, 20)
    put(a, y, 7)
    put(b, x, 10)
    put(b, y, 4)
    put(c, y, 18)
    for index in range(decoys):
        put(3 + index, 2 + index, 40)  # e holds h
        put(a, 2 + index, 8)
        put(3 + decoys + index, 2 + decoys + index, 40)  # f holds g
        put(3 + decoys + index, y, 8)
    capacity = np.ones(m, np.int64)
    capacity[y] = 2
    if filler_mentees:
        rng = np.random.default_rng(seed)
        rows = np.arange(3 + 2 * decoys, n)
        columns = np.arange(2 + 2 * decoys, m)
        scores[np.ix_(rows, columns)] = rng.integers(12, 41, (len(rows), len(columns)))
        ok[np.ix_(rows, columns)] = True
        share = np.full(len(columns), filler_mentees // len(columns))
        share[: filler_mentees - int(share.sum())] += 1
        capacity[columns] = share
    forbidden = [(int(i), int(j)) for i, j in np.argwhere(~ok)]
    return scores, capacity, forbidden


def near_tie_problem(
    mentors: int, *, special: int, weight: float = 999.0, step_units: int = 4, seed: int = 0
) -> MatchingProblem:
    """One mentee whose scores with `mentors` mentors (one place each) all tie, except mentor
    `special`, who scores `step_units` x 2^-20 more — at a magnitude (~`weight` / 1.3) where a
    float32 cannot tell them apart.

    Two CLOSER number questions: the mentee answers 0 to both; mentor j answers x_j and
    C - x_j (x_j random), so the mean closeness is the same for everyone while each mentor's two
    float32 terms round differently; the special mentor's second answer is a little smaller.
    """
    rng = np.random.default_rng(seed)
    value_range = float(2**20)
    total = value_range / 2
    first = rng.uniform(0, total, mentors).round()
    second = total - first
    second[special] -= 2 * step_units * value_range / (weight * 2**20)
    questions = [
        QuestionFeature(
            label=f"question {index}",
            kind="number",
            mode=QuestionMode.CLOSER,
            mentee_values=np.array([0.0]),
            mentor_values=answers,
            value_range=value_range,
        )
        for index, answers in enumerate([first, second])
    ]
    zero = dict.fromkeys(
        ["skills", "goals", "seniority", "department", "timezone", "language", "preferred"], 0.0
    )
    return MatchingProblem(
        mentees=side(["mentee"], skills=[[]]),
        mentors=side([f"mentor{j}" for j in range(mentors)], skills=[[] for _ in range(mentors)]),
        capacity=np.ones(mentors, np.int64),
        weights=Weights(**zero, questions=weight),
        settings=Settings(department=DepartmentPreference.EITHER),
        questions=questions,
    )
