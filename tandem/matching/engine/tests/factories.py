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
