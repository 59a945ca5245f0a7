"""A realistic synthetic mentoring programme as a `MatchingProblem` (vectorised; 100k in seconds).

- skills from a 60-skill taxonomy with popular and rare skills: mentees' wishes follow a steep
  popularity curve, mentors' offers a flatter one, so the popular skills are scarce;
- 12 departments of uneven size, seniority 1-4 for mentees and 3-6 for mentors (4% unknown);
- eight regions with their UTC offsets and local working hours (3% unknown), so some pairs share
  no working time at all; regional languages plus English for most people;
- reporting lines: every person reports to a more senior mentor of their department, and the
  chain above a mentee is forbidden (plus "worked together before" and manager exclusions);
- mentor capacities 1-5 adjusted so that the total number of places equals the number of
  mentees (tight, the realistic hard case); a few stated preferences and pinned pairs;
- free-text goals and bios from phrase banks, two enrolment questions used for matching.
"""

import dataclasses

import numpy as np
from scipy import sparse

from tandem.matching.engine import (
    MatchingProblem,
    QuestionFeature,
    QuestionMode,
    Settings,
    Side,
    Weights,
)

SKILLS = [
    "negotiation", "public speaking", "sql", "python", "leadership", "people management",
    "product strategy", "data analysis", "machine learning", "user research", "ux design",
    "accounting", "budgeting", "sales", "customer success", "marketing", "copywriting", "seo",
    "cloud architecture", "kubernetes", "security", "testing", "java", "javascript", "react",
    "project management", "agile coaching", "stakeholder management", "presentation",
    "storytelling", "hiring", "coaching", "conflict resolution", "time management",
    "strategic thinking", "finance modelling", "excel", "statistics", "legal basics",
    "procurement", "supply chain", "operations", "change management", "design systems",
    "mobile development", "devops", "data engineering", "analytics engineering", "go", "rust",
    "community building", "public policy", "writing", "facilitation", "mentoring others",
    "career planning", "personal branding", "networking", "remote work", "wellbeing",
]  # fmt: skip
DEPARTMENTS = [
    "Engineering", "Sales", "Marketing", "Finance", "People", "Product", "Data", "Operations",
    "Legal", "Customer Success", "Design", "Security",
]  # fmt: skip
LANGUAGES = ["English", "Portuguese", "Spanish", "German", "French", "Hindi", "Japanese", "Polish"]
# (UTC offset, share of people, regional language index)
REGIONS = [(-8.0, 0.12, 2), (-5.0, 0.2, 2), (-3.0, 0.08, 1), (0.0, 0.14, 0), (1.0, 0.16, 3),
           (2.0, 0.08, 7), (5.5, 0.14, 5), (9.0, 0.08, 6)]  # fmt: skip
GOALS = [
    "get promoted to a senior role", "give better feedback to my team", "lead my first team",
    "move into data work", "grow my network across the company", "build confidence presenting",
    "balance work and life", "plan my next career step", "learn to negotiate my salary",
    "prepare for a management promotion", "understand the business side", "write clearer documents",
    "handle difficult conversations", "become a technical lead", "switch to product management",
    "speak up in meetings", "run better workshops", "learn how budgets work", "mentor juniors",
    "find my focus and prioritise", "build a personal brand", "improve stakeholder relationships",
    "get visibility for my work", "return to work after leave with confidence",
]  # fmt: skip
MENTOR_OPENERS = [
    "I have spent years on", "My background is in", "I lead a team working on",
    "I enjoy helping people with", "Ten years of experience in", "I moved into management from",
]  # fmt: skip


def _choose_sets(
    rng: np.random.Generator, rows: int, weights: np.ndarray, sizes: np.ndarray
) -> sparse.csr_matrix:
    """Each row picks `sizes[row]` distinct columns, more likely the heavier ones (Gumbel top-k)."""
    keys = np.log(weights)[None, :] + rng.gumbel(size=(rows, len(weights)))
    order = np.argsort(-keys, axis=1)
    mask = np.arange(len(weights))[None, :] < sizes[:, None]
    row_index = np.repeat(np.arange(rows), sizes)
    columns = order[mask]
    return sparse.csr_matrix(
        (np.ones(len(columns)), (row_index, columns)), shape=(rows, len(weights))
    )


def _people(rng: np.random.Generator, count: int, *, mentor: bool) -> tuple[Side, np.ndarray]:
    names = [f"{'Mentor' if mentor else 'Mentee'} {index}" for index in range(count)]
    rank = np.arange(len(SKILLS))
    popularity = 1.0 / (rank + 1.0) ** (0.5 if mentor else 1.1)
    sizes = (
        rng.choice([2, 3, 4, 5, 6, 7], count, p=[0.1, 0.25, 0.25, 0.2, 0.12, 0.08])
        if mentor
        else rng.choice([1, 2, 3, 4, 5], count, p=[0.15, 0.35, 0.3, 0.15, 0.05])
    )
    skills = _choose_sets(rng, count, popularity, sizes)
    department_share = np.array(
        [0.3, 0.14, 0.1, 0.07, 0.05, 0.08, 0.07, 0.06, 0.02, 0.05, 0.03, 0.03]
    )
    department = rng.choice(len(DEPARTMENTS), count, p=department_share / department_share.sum())
    if mentor:
        seniority = rng.choice([3, 4, 5, 6], count, p=[0.35, 0.35, 0.2, 0.1])
    else:
        seniority = rng.choice([1, 2, 3, 4], count, p=[0.3, 0.35, 0.25, 0.1])
    seniority = np.where(rng.random(count) < 0.04, 0, seniority)
    region = rng.choice(len(REGIONS), count, p=[r[1] for r in REGIONS])
    offset = np.array([r[0] for r in REGIONS])[region]
    local_start = rng.choice([8.0, 9.0, 10.0], count, p=[0.3, 0.5, 0.2])
    start = np.mod(local_start - offset, 24.0)
    end = np.mod(start + 8.0, 24.0)
    unknown = rng.random(count) < 0.03
    start[unknown] = np.nan
    end[unknown] = np.nan
    regional = np.array([r[2] for r in REGIONS])[region]
    english = rng.random(count) < 0.9
    speaks_regional = (rng.random(count) < 0.75) | ~english
    extra = rng.random(count) < 0.1
    rows = np.concatenate(
        [np.flatnonzero(english), np.flatnonzero(speaks_regional), np.flatnonzero(extra)]
    )
    columns = np.concatenate(
        [
            np.zeros(int(english.sum()), np.int64),
            regional[speaks_regional],
            rng.integers(1, len(LANGUAGES), int(extra.sum())),
        ]
    )
    languages = sparse.csr_matrix(
        (np.ones(len(rows)), (rows, columns)), shape=(count, len(LANGUAGES))
    )
    languages.data[:] = 1.0
    texts = _texts(rng, skills, mentor=mentor)
    side = Side(
        names=names,
        skills=skills,
        text=texts,
        seniority=seniority.astype(np.int64),
        department=department.astype(np.int64),
        work_start_utc=start,
        work_end_utc=end,
        languages=languages,
    )
    return side, region


def _texts(rng: np.random.Generator, skills: sparse.csr_matrix, *, mentor: bool) -> list[str]:
    count = skills.shape[0]
    goals = rng.integers(0, len(GOALS), (count, 3))
    openers = rng.integers(0, len(MENTOR_OPENERS), count)
    texts: list[str] = []
    indptr, indices = skills.indptr, skills.indices
    for row in range(count):
        named = [SKILLS[k] for k in indices[indptr[row] : indptr[row + 1]][:2]]
        if mentor:
            texts.append(
                f"{MENTOR_OPENERS[openers[row]]} {' and '.join(named)}. "
                f"Happy to help people {GOALS[goals[row, 0]]} or {GOALS[goals[row, 1]]}."
            )
        else:
            wanted = ", ".join(named)
            texts.append(
                f"I want to {GOALS[goals[row, 0]]} and {GOALS[goals[row, 2]]}; "
                f"getting better at {wanted} would help."
            )
    return texts


def _managers(rng: np.random.Generator, mentors: Side, people: Side) -> np.ndarray:
    """A more senior mentor of the same department for each person (-1 when there is none)."""
    mentor_department = mentors.department
    mentor_level = np.where(mentors.seniority == 0, 4, mentors.seniority)
    order = np.lexsort((mentor_level, mentor_department))
    sorted_department, sorted_level = mentor_department[order], mentor_level[order]
    level = np.where(people.seniority == 0, 3, people.seniority)
    key_people = people.department * 10 + level
    key_mentors = sorted_department * 10 + sorted_level
    start = np.searchsorted(key_mentors, key_people, side="right")
    stop = np.searchsorted(key_mentors, people.department * 10 + 9, side="right")
    has = stop > start
    pick = start + np.floor(rng.random(len(start)) * np.maximum(stop - start, 1)).astype(np.int64)
    return np.where(has, order[np.minimum(pick, len(order) - 1)], -1)


def _capacities(rng: np.random.Generator, m: int, slots: int) -> np.ndarray:
    capacity = rng.choice([1, 2, 3, 4, 5], m, p=[0.15, 0.25, 0.25, 0.2, 0.15])
    while capacity.sum() != slots:
        difference = slots - int(capacity.sum())
        step = 1 if difference > 0 else -1
        eligible = np.flatnonzero((capacity < 5) if step > 0 else (capacity > 1))
        chosen = rng.choice(eligible, min(abs(difference), len(eligible)), replace=False)
        capacity[chosen] += step
    return capacity.astype(np.int64)


def synthetic_problem(mentees: int, mentors: int, *, seed: int = 0) -> MatchingProblem:
    rng = np.random.default_rng(seed)
    mentee_side, _ = _people(rng, mentees, mentor=False)
    mentor_side, _ = _people(rng, mentors, mentor=True)
    # reporting lines: the whole chain of managers above a mentee is forbidden
    mentor_manager = _managers(rng, mentor_side, mentor_side)
    mentor_manager[mentor_manager == np.arange(mentors)] = -1
    chain = _managers(rng, mentor_side, mentee_side)
    pairs_mentee, pairs_mentor, reasons = [], [], []
    first = True
    for _depth in range(8):
        alive = np.flatnonzero(chain >= 0)
        if not len(alive):
            break
        pairs_mentee.append(alive)
        pairs_mentor.append(chain[alive])
        reasons += [
            "Reports to this mentor" if first else "Mentor is above them in the reporting line"
        ] * len(alive)
        first = False
        chain = np.where(chain >= 0, mentor_manager[np.maximum(chain, 0)], -1)
    for share, reason in ((0.05, "Worked together before"), (0.01, "Excluded by a manager")):
        chosen = np.flatnonzero(rng.random(mentees) < share)
        pairs_mentee.append(chosen)
        pairs_mentor.append(rng.integers(0, mentors, len(chosen)))
        reasons += [reason] * len(chosen)
    forbidden = (
        np.concatenate(pairs_mentee).astype(np.int64),
        np.concatenate(pairs_mentor).astype(np.int64),
    )
    capacity = _capacities(rng, mentors, mentees)
    asking = np.flatnonzero(rng.random(mentees) < 0.08)
    preferred = (
        np.repeat(asking, 2).astype(np.int64),
        rng.choice(mentors, 2 * len(asking), p=capacity / capacity.sum()).astype(np.int64),
    )
    formats = 3
    mentee_format = rng.integers(0, formats, mentees)
    mentor_format = rng.integers(0, formats, mentors)
    mentee_answered = rng.random(mentees) > 0.08
    mentor_answered = rng.random(mentors) > 0.08
    questions = [
        QuestionFeature(
            label="Meeting format",
            kind="choice",
            mode=QuestionMode.SAME,
            mentee_values=sparse.csr_matrix(
                (
                    np.ones(int(mentee_answered.sum())),
                    (np.flatnonzero(mentee_answered), mentee_format[mentee_answered]),
                ),
                shape=(mentees, formats),
            ),
            mentor_values=sparse.csr_matrix(
                (
                    np.ones(int(mentor_answered.sum())),
                    (np.flatnonzero(mentor_answered), mentor_format[mentor_answered]),
                ),
                shape=(mentors, formats),
            ),
            option_labels=["Video call", "In person", "Chat"],
        ),
        QuestionFeature(
            label="Pace",
            kind="number",
            mode=QuestionMode.CLOSER,
            mentee_values=rng.integers(1, 6, mentees).astype(np.float64),
            mentor_values=rng.integers(1, 6, mentors).astype(np.float64),
            value_range=4.0,
        ),
    ]
    problem = MatchingProblem(
        mentees=mentee_side,
        mentors=mentor_side,
        capacity=capacity,
        weights=Weights(),
        settings=Settings(require_shared_language=True),
        questions=questions,
        forbidden=forbidden,
        preferred=preferred,
        skill_names=SKILLS,
        language_names=LANGUAGES,
        department_names=DEPARTMENTS,
        forbidden_reasons=reasons,
    )
    return dataclasses.replace(problem, pinned=_pins(rng, problem, max(1, mentees // 500)))


def _pins(
    rng: np.random.Generator, problem: MatchingProblem, count: int
) -> tuple[np.ndarray, np.ndarray]:
    """A few pairs a manager fixed by hand: allowed, within capacity, one per mentee."""
    from tandem.matching.engine import allowed_pairs_mask

    n, m = len(problem.mentees), len(problem.mentors)
    mentees = rng.choice(n, count, replace=False)
    mentors = rng.integers(0, m, count)
    ok = allowed_pairs_mask(problem, mentees, mentors)
    mentees, mentors = mentees[ok], mentors[ok]
    _, first = np.unique(mentors, return_index=True)  # at most one pin per mentor: within capacity
    return mentees[first].astype(np.int64), mentors[first].astype(np.int64)
