"""The engine against independent oracles, on random small instances from several distributions.

Oracles (`reference.py`): scipy's `linear_sum_assignment` on the capacity-expanded matrix for
TOTAL, scipy's maximum bipartite matching over every distinct score (then the dense optimum
above the best one) for FAIR, textbook deferred acceptance and an exhaustive blocking-pair
check in exact integer scores for STABLE. Instances are score matrices handed to the engine
exactly (`problem_from_scores`) — uniform, heavy ties, tight capacity, sparse allowed pairs,
large weights — plus the realistic feature-based generator.
"""

from dataclasses import dataclass
from unittest import mock

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tandem.matching.engine import UNIT, Assignment, MatchingProblem, Objective, solve
from tandem.matching.engine.tests.factories import (
    fair_trap_scores,
    problem_from_scores,
    random_problem,
)
from tandem.matching.engine.tests.reference import (
    blocking_pairs,
    cost_matrix,
    deferred_acceptance,
    dense_fair,
    dense_total,
)

DISTRIBUTIONS = [
    "uniform",
    "heavy ties",
    "tight capacity",
    "sparse allowed",
    "large weights",
    "fair trap",
]
PROPERTY = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@dataclass
class Instance:
    """A problem built from an explicit score matrix, kept so it can be permuted."""

    distribution: str
    scores: np.ndarray
    capacity: np.ndarray
    scale: float
    forbidden: list[tuple[int, int]]
    pinned: list[tuple[int, int]]

    @property
    def problem(self) -> MatchingProblem:
        return problem_from_scores(
            self.scores,
            self.capacity,
            scale=self.scale,
            forbidden=self.forbidden,
            pinned=self.pinned,
        )

    def permuted(self, mentees: np.ndarray, mentors: np.ndarray) -> "Instance":
        """The same programme with mentee i renamed where(mentees == i), mentor j likewise."""
        new_mentee = np.argsort(mentees)
        new_mentor = np.argsort(mentors)
        return Instance(
            self.distribution,
            self.scores[np.ix_(mentees, mentors)],
            self.capacity[mentors],
            self.scale,
            [(int(new_mentee[i]), int(new_mentor[j])) for i, j in self.forbidden],
            [(int(new_mentee[i]), int(new_mentor[j])) for i, j in self.pinned],
        )


@st.composite
def instances(
    draw: st.DrawFn,
    max_mentees: int = 9,
    max_mentors: int = 5,
    distributions: tuple[str, ...] = tuple(DISTRIBUTIONS),
) -> Instance:
    distribution = draw(st.sampled_from(distributions))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    if distribution == "fair trap":
        return _trap(rng, draw(st.integers(1, 3)))
    n = draw(st.integers(1, max_mentees))
    m = draw(st.integers(1, max_mentors))
    top = {"heavy ties": 2, "large weights": 40}.get(distribution, 30)
    scores = rng.integers(0, top + 1, (n, m))
    capacity = rng.integers(0, 4, m)
    if distribution == "tight capacity":  # places for about as many mentees as there are
        capacity = np.bincount(rng.integers(0, m, n), minlength=m)
    forbidden_rate = 0.8 if distribution == "sparse allowed" else draw(st.sampled_from([0, 0.2]))
    ok = rng.random((n, m)) >= forbidden_rate
    forbidden = [(int(i), int(j)) for i, j in np.argwhere(~ok)]
    pinned: list[tuple[int, int]] = []
    load = np.zeros(m, np.int64)
    for i in rng.permutation(n)[: draw(st.integers(0, 2))].tolist():
        free = [j for j in range(m) if ok[i, j] and load[j] < capacity[j]]
        if free:
            load[free[0]] += 1
            pinned.append((i, free[0]))
    # large weights: scores near the 1,000 weight limit, where float32 steps are 64 units
    scale = 999.0 / max(top, 1) / 1.000003 if distribution == "large weights" else 0.5
    return Instance(distribution, scores, capacity.astype(np.int64), scale, forbidden, pinned)


def _trap(rng: np.random.Generator, decoys: int) -> Instance:
    """`fair_trap_scores` (the best bottleneck held by a pair outside every short list), with
    some scores nudged by a half point and people listed in a random order."""
    scores, capacity, forbidden = fair_trap_scores(decoys)
    nudged = rng.random(scores.shape) < 0.15
    scores = np.maximum(scores + nudged * rng.integers(-1, 2, scores.shape), 0)
    instance = Instance("fair trap", scores, capacity, 0.5, forbidden, [])
    n, m = scores.shape
    return instance.permuted(rng.permutation(n), rng.permutation(m))


@st.composite
def problems(draw: st.DrawFn) -> MatchingProblem:
    """An instance from a score-matrix distribution, or a realistic feature-based one."""
    if draw(st.booleans()):
        instance: Instance = draw(instances())
        return instance.problem
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    return random_problem(
        rng,
        draw(st.integers(1, 8)),
        draw(st.integers(1, 5)),
        forbidden_rate=draw(st.sampled_from([0.0, 0.3, 0.7])),
        pinned=draw(st.integers(0, 2)),
        integer_weights=draw(st.booleans()),
    )


def units(value: float) -> int:
    return int(np.rint(value * UNIT))


def pinned_set(problem: MatchingProblem) -> set[tuple[int, int]]:
    return set(zip(problem.pinned[0].tolist(), problem.pinned[1].tolist(), strict=True))


def bottleneck(problem: MatchingProblem, assignment: Assignment) -> int | None:
    pinned = pinned_set(problem)
    free = [
        units(score)
        for i, j, score in zip(
            assignment.mentee.tolist(), assignment.mentor.tolist(), assignment.score, strict=True
        )
        if (i, j) not in pinned
    ]
    return min(free) if free else None


def pairs_of(assignment: Assignment) -> list[tuple[int, int]]:
    return sorted(zip(assignment.mentee.tolist(), assignment.mentor.tolist(), strict=True))


def outcome(assignment: Assignment) -> tuple[object, ...]:
    """Everything an assignment says except how long it took."""
    return (
        assignment.mentee.tolist(),
        assignment.mentor.tolist(),
        assignment.score.tolist(),
        assignment.unmatched.tolist(),
        assignment.unmatched_reason,
        assignment.total_score,
        assignment.lowest_score,
        assignment.certified_gap,
    )


@PROPERTY
@given(problems(), st.sampled_from([None, 1, 2]), st.sampled_from(["exact", "blocks"]))
def test_total_equals_the_scipy_optimum_and_proves_it(problem, per_side, pricing) -> None:
    # when
    assignment = solve(problem, Objective.TOTAL, candidates_per_side=per_side, pricing=pricing)
    # then
    matched, total = dense_total(problem)
    assert (len(assignment.mentee), units(assignment.total_score)) == (matched, total)
    assert assignment.certified_gap == 0.0


@PROPERTY
@given(problems(), st.sampled_from([None, 1, 2]), st.sampled_from(["exact", "blocks"]))
def test_fair_equals_the_oracles_bottleneck_then_total_and_proves_it(
    problem, per_side, pricing
) -> None:
    # when
    assignment = solve(problem, Objective.FAIR, candidates_per_side=per_side, pricing=pricing)
    # then
    matched, lowest, total = dense_fair(problem)
    assert len(assignment.mentee) == matched
    assert bottleneck(problem, assignment) == lowest
    assert units(assignment.total_score) == total
    assert assignment.certified_gap == 0.0


@PROPERTY
@given(
    st.integers(0, 2**32 - 1),
    st.integers(1, 4),
    st.sampled_from([1, 2, 3, 4, None]),
    st.sampled_from(["exact", "blocks"]),
)
def test_fair_proves_its_bottleneck_on_the_trap_family(seed, decoys, per_side, pricing) -> None:
    # given the trap (the best bottleneck held by a pair outside the short lists), nudged and
    # shuffled
    problem = _trap(np.random.default_rng(seed), decoys).problem
    # when
    assignment = solve(problem, Objective.FAIR, candidates_per_side=per_side, pricing=pricing)
    # then
    matched, lowest, total = dense_fair(problem)
    assert (len(assignment.mentee), bottleneck(problem, assignment)) == (matched, lowest)
    assert units(assignment.total_score) == total
    assert assignment.certified_gap == 0.0


TIES = instances(max_mentees=6, max_mentors=10, distributions=("heavy ties", "large weights"))


@PROPERTY
@given(
    st.one_of(problems(), TIES.map(lambda instance: instance.problem)),
    st.integers(0, 5),
    st.sampled_from([1, 2, 64]),
)
def test_stable_is_deferred_acceptance_with_no_blocking_pair_on_both_scorers(
    problem, seed, list_length
) -> None:
    # given the block scorer forced on a small problem (the size where it takes over set to 0),
    # with short lists (1 or 2: more ties than a list holds, rows run out and are rebuilt),
    # or the normal length
    exact = solve(problem, Objective.STABLE, seed=seed, pricing="exact")
    with (
        mock.patch("tandem.matching.engine.pricing.EXACT_PAIRS_LIMIT", 0),
        mock.patch("tandem.matching.engine.blocks.GREEDY_LIST", list_length),
    ):
        # when
        streamed = solve(problem, Objective.STABLE, seed=seed)
    # then the same matching, pair for pair
    residual = np.asarray(problem.capacity) - np.bincount(
        problem.pinned[1], minlength=len(problem.mentors)
    )
    market = (len(problem.mentees) - len(problem.pinned[0])) * int((residual > 0).sum())
    assert ("rows_refilled" in streamed.details) == (market > 0)  # the block scorer ran
    assert outcome(streamed) == outcome(exact)
    # and it is the stable matching, checked in exact integer scores
    assert blocking_pairs(problem, exact, seed) == []
    assert set(pairs_of(exact)) - pinned_set(problem) == deferred_acceptance(problem, seed)


@PROPERTY
@given(
    problems(),
    st.sampled_from([Objective.TOTAL, Objective.FAIR]),
    st.sampled_from([0.0, 1e-3, 0.05, 0.5]),
    st.sampled_from(["exact", "blocks"]),
)
def test_the_certified_gap_is_never_below_the_true_gap(
    problem, objective, tolerance, pricing
) -> None:
    # given a tiny first candidate graph and a tolerance that may stop the repair early
    # when
    assignment = solve(
        problem, objective, tolerance=tolerance, candidates_per_side=1, pricing=pricing
    )
    # then
    if objective == Objective.TOTAL:
        matched, best_total = dense_total(problem)
    else:
        matched, lowest, best_total = dense_fair(problem)
        assert bottleneck(problem, assignment) == lowest  # the threshold is always proved
    got = units(assignment.total_score)
    assert assignment.certified_gap is not None
    if len(assignment.mentee) < matched:
        assert assignment.certified_gap >= 1.0  # a missing pair is worth 2^52 units
    else:
        assert len(assignment.mentee) == matched
        true_gap = (best_total - got) / max(got, 1)
        assert assignment.certified_gap >= true_gap
        if assignment.certified_gap == 0.0:
            assert got == best_total


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(), st.sampled_from(list(Objective)), st.sampled_from(["exact", "blocks"]))
def test_the_same_input_twice_gives_the_same_output(problem, objective, pricing) -> None:
    first = solve(problem, objective, seed=7, pricing=pricing, candidates_per_side=2)
    second = solve(problem, objective, seed=7, pricing=pricing, candidates_per_side=2)
    assert outcome(first) == outcome(second)
    assert first.details == second.details


@PROPERTY
@given(instances(), st.data())
def test_permuting_the_input_keeps_every_objective(instance: Instance, data) -> None:
    # given the same programme with mentees and mentors listed in another order
    n, m = instance.scores.shape
    mentees = np.asarray(data.draw(st.permutations(range(n))), np.int64)
    mentors = np.asarray(data.draw(st.permutations(range(m))), np.int64)
    original, shuffled = instance.problem, instance.permuted(mentees, mentors).problem
    for objective in (Objective.TOTAL, Objective.FAIR):
        # when
        before = solve(original, objective)
        after = solve(shuffled, objective)
        # then
        assert (len(after.mentee), after.total_score) == (len(before.mentee), before.total_score)
        if objective == Objective.FAIR:  # (TOTAL's optima may differ in their lowest pair)
            assert bottleneck(shuffled, after) == bottleneck(original, before)
        assert after.certified_gap == before.certified_gap == 0.0
    # STABLE: without ties the stable matching is unique, so it is the same pairs renamed
    costs, ok = cost_matrix(original)
    allowed_scores = costs[ok]
    if len(np.unique(allowed_scores)) == len(allowed_scores):
        before = solve(original, Objective.STABLE)
        after = solve(shuffled, Objective.STABLE)
        renamed = sorted((int(mentees[i]), int(mentors[j])) for i, j in pairs_of(after))
        assert renamed == pairs_of(before)


def _rebase_everything(groups: int, share: float) -> list[mock._patch]:  # type: ignore[type-arg]
    """Force `BlockPricer._split_by_columns` on tiny markets: any number of failing rows, the
    re-pricing always preferred, on `share` of the mentors (1.0: all, so every failing row
    is re-priced that way), one or two mentor groups, rows keeping about one pair per pass
    (so rows fail), one stored pair per row from the re-priced mentors."""
    module = "tandem.matching.engine.blocks"
    return [
        mock.patch(f"{module}.COLUMN_MIN_ROWS", 1),
        mock.patch(f"{module}.COLUMN_SHARES", (share,)),
        mock.patch(f"{module}.COLUMN_GAIN", 1e9),
        mock.patch(f"{module}.GROUPS", groups),
        mock.patch(f"{module}.PER_ROW", 1),
        mock.patch(f"{module}.REBASE_KEEP", 1),
    ]


@PROPERTY
@given(
    instances(max_mentees=14, max_mentors=12),
    st.sampled_from([Objective.TOTAL, Objective.FAIR]),
    st.sampled_from([1, 2]),
    st.sampled_from([0.0, 0.05]),
    st.sampled_from([1, 2]),
    st.sampled_from([0.3, 0.6, 1.0]),
)
def test_rows_re_priced_on_a_few_mentors_keep_every_certificate(
    instance, objective, per_side, tolerance, groups, share
) -> None:
    # given the block pricer, made to bring failing rows to new prices through a few mentors
    problem = instance.problem
    patches = _rebase_everything(groups, share)
    for patch in patches:
        patch.start()
    try:
        # when
        assignment = solve(
            problem, objective, tolerance=tolerance, candidates_per_side=per_side, pricing="blocks"
        )
    finally:
        for patch in patches:
            patch.stop()
    # then the certificate is still a proof against the oracle
    if objective == Objective.TOTAL:
        matched, best_total = dense_total(problem)
    else:
        matched, lowest, best_total = dense_fair(problem)
        assert bottleneck(problem, assignment) == lowest
    got = units(assignment.total_score)
    assert assignment.certified_gap is not None
    if len(assignment.mentee) < matched:
        assert assignment.certified_gap >= 1.0
    else:
        assert len(assignment.mentee) == matched
        assert assignment.certified_gap >= (best_total - got) / max(got, 1)
        if tolerance == 0.0:
            assert assignment.certified_gap == 0.0
        if assignment.certified_gap == 0.0:
            assert got == best_total
