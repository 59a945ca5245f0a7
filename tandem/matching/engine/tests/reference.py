"""Independent reference answers for small problems: brute force and a dense assignment."""

import itertools
from collections.abc import Iterator

import numpy as np
from scipy.optimize import linear_sum_assignment

from tandem.matching.engine import UNIT, MatchingProblem, allowed_pairs_mask, score_pairs
from tandem.matching.engine.pricing import tie_break


def cost_matrix(problem: MatchingProblem) -> tuple[np.ndarray, np.ndarray]:
    """Integer scores (units of 2^-20) and the allowed mask for every pair."""
    n, m = len(problem.mentees), len(problem.mentors)
    mentee = np.repeat(np.arange(n), m)
    mentor = np.tile(np.arange(m), n)
    costs = np.rint(score_pairs(problem, mentee, mentor) * UNIT).astype(np.int64).reshape(n, m)
    ok = allowed_pairs_mask(problem, mentee, mentor).reshape(n, m)
    return costs, ok


def assignments(problem: MatchingProblem) -> Iterator[dict[int, int]]:
    """Every feasible assignment (mentee -> mentor) that contains the pinned pairs."""
    n, m = len(problem.mentees), len(problem.mentors)
    _, ok = cost_matrix(problem)
    pinned = dict(zip(problem.pinned[0].tolist(), problem.pinned[1].tolist(), strict=True))
    choices = [
        [pinned[i]] if i in pinned else [None, *[j for j in range(m) if ok[i, j]]] for i in range(n)
    ]
    capacity = np.asarray(problem.capacity)
    for combination in itertools.product(*choices):
        load = np.bincount([j for j in combination if j is not None], minlength=m)
        if np.all(load <= capacity):
            yield {i: j for i, j in enumerate(combination) if j is not None}


def dense_total(problem: MatchingProblem) -> tuple[int, int]:
    """(matched, total units) of the lexicographic optimum, by scipy's dense assignment on the
    capacity-expanded matrix (one column per mentor slot plus one "unmatched" column per
    mentee); pins are forced by a large bonus."""
    n, m = len(problem.mentees), len(problem.mentors)
    costs, ok = cost_matrix(problem)
    slots = np.repeat(np.arange(m), np.asarray(problem.capacity))
    big = float((n + 1) * (int(costs.max(initial=0)) + 1))
    pin_bonus = big * (n + 1)
    pinned = set(zip(problem.pinned[0].tolist(), problem.pinned[1].tolist(), strict=True))
    gain = np.full((n, len(slots) + n), 0.0)
    for i in range(n):
        for s, j in enumerate(slots.tolist()):
            if ok[i, j]:
                gain[i, s] = big + costs[i, j] + (pin_bonus if (i, j) in pinned else 0.0)
            else:
                gain[i, s] = -pin_bonus * 4
    rows, columns = linear_sum_assignment(gain, maximize=True)
    matched = [(i, int(slots[c])) for i, c in zip(rows, columns, strict=True) if c < len(slots)]
    return len(matched), int(sum(costs[i, j] for i, j in matched))


def brute_fair(problem: MatchingProblem) -> tuple[int, int | None, int]:
    """(matched, max over max-cardinality assignments of the lowest non-pinned score, then the
    best total among those) by enumeration."""
    costs, _ = cost_matrix(problem)
    pinned = set(zip(problem.pinned[0].tolist(), problem.pinned[1].tolist(), strict=True))
    best: tuple[int, int, int] | None = None
    for assignment in assignments(problem):
        free = [costs[i, j] for i, j in assignment.items() if (i, j) not in pinned]
        lowest = min(free) if free else 2**62
        key = (len(assignment), lowest, int(sum(costs[i, j] for i, j in assignment.items())))
        if best is None or key > best:
            best = key
    assert best is not None
    matched, lowest, total = best
    return matched, (None if lowest == 2**62 else lowest), total


def maximum_matched(ok: np.ndarray, capacity: np.ndarray, pinned: set[tuple[int, int]]) -> int:
    """The most mentees matched using only pairs in `ok` (pins forced), by scipy's maximum
    bipartite matching on the capacity-expanded graph (one column per remaining place)."""
    from scipy import sparse
    from scipy.sparse.csgraph import maximum_bipartite_matching

    n, m = ok.shape
    pinned_mentees = {i for i, _ in pinned}
    residual = np.asarray(capacity, np.int64) - np.bincount(
        np.asarray([j for _, j in pinned], np.int64), minlength=m
    )
    slots = np.repeat(np.arange(m), np.maximum(residual, 0))
    free = [i for i in range(n) if i not in pinned_mentees]
    if not free or not len(slots):
        return len(pinned)
    graph = ok[np.ix_(free, slots)]
    matching = maximum_bipartite_matching(sparse.csr_matrix(graph.astype(np.int8)), "row")
    return len(pinned) + int((matching >= 0).sum())


def dense_fair(problem: MatchingProblem) -> tuple[int, int | None, int]:
    """(matched, best bottleneck of the non-pinned pairs, best total at that bottleneck) without
    enumeration: the most matched by maximum matching, the bottleneck by trying every distinct
    score (largest first) with a maximum matching on the pairs scoring at least it, and the
    total by `dense_total` on the problem with every lower pair forbidden."""
    costs, ok = cost_matrix(problem)
    pinned = set(zip(problem.pinned[0].tolist(), problem.pinned[1].tolist(), strict=True))
    capacity = np.asarray(problem.capacity)
    best = maximum_matched(ok, capacity, pinned)
    if best == len(pinned):
        return best, None, dense_total(problem)[1]
    pinned_mask = np.zeros_like(ok)
    for i, j in pinned:
        pinned_mask[i, j] = True
    for value in sorted(set(costs[ok].tolist()), reverse=True):
        if maximum_matched(ok & ((costs >= value) | pinned_mask), capacity, pinned) == best:
            low = ok & (costs < value) & ~pinned_mask
            lowest_mentee, lowest_mentor = np.nonzero(low)
            restricted = MatchingProblem(
                **{
                    **problem.__dict__,
                    "forbidden": (
                        np.concatenate([problem.forbidden[0], lowest_mentee]).astype(np.int64),
                        np.concatenate([problem.forbidden[1], lowest_mentor]).astype(np.int64),
                    ),
                    "forbidden_reasons": [],
                }
            )
            matched, total = dense_total(restricted)
            assert matched == best
            return best, int(value), total
    raise AssertionError("no bottleneck found")


def blocking_pairs(problem: MatchingProblem, assignment, seed: int) -> list[tuple[int, int]]:
    """Pairs (free mentee, mentor with room left after pins) who both strictly prefer each
    other, preferences being (score, seeded tie-break) on both sides."""
    n, m = len(problem.mentees), len(problem.mentors)
    costs, ok = cost_matrix(problem)
    pinned = set(zip(problem.pinned[0].tolist(), problem.pinned[1].tolist(), strict=True))
    pinned_mentees = {i for i, _ in pinned}
    residual = np.asarray(problem.capacity) - np.bincount(problem.pinned[1], minlength=m)

    def key(i: int, j: int) -> tuple[int, int]:
        return (int(costs[i, j]), int(tie_break(np.array([i]), np.array([j]), seed)[0]))

    partner = dict(zip(assignment.mentee.tolist(), assignment.mentor.tolist(), strict=True))
    holders: dict[int, list[int]] = {j: [] for j in range(m)}
    for i, j in partner.items():
        if i not in pinned_mentees:
            holders[j].append(i)
    found = []
    for i in range(n):
        if i in pinned_mentees:
            continue
        for j in range(m):
            if not ok[i, j] or residual[j] <= 0 or partner.get(i) == j:
                continue
            mentee_wants = i not in partner or key(i, j) > key(i, partner[i])
            mentor_wants = len(holders[j]) < residual[j] or any(
                key(i, j) > key(k, j) for k in holders[j]
            )
            if mentee_wants and mentor_wants:
                found.append((i, j))
    return found


def deferred_acceptance(problem: MatchingProblem, seed: int) -> set[tuple[int, int]]:
    """Textbook mentee-proposing deferred acceptance with mentor capacities."""
    n, m = len(problem.mentees), len(problem.mentors)
    costs, ok = cost_matrix(problem)
    pinned_mentees = set(problem.pinned[0].tolist())
    residual = np.asarray(problem.capacity) - np.bincount(problem.pinned[1], minlength=m)

    def key(i: int, j: int) -> tuple[int, int]:
        return (int(costs[i, j]), int(tie_break(np.array([i]), np.array([j]), seed)[0]))

    lists = {
        i: sorted(
            (j for j in range(m) if ok[i, j] and residual[j] > 0),
            key=lambda j: key(i, j),
            reverse=True,
        )
        for i in range(n)
        if i not in pinned_mentees
    }
    held: dict[int, list[int]] = {j: [] for j in range(m)}
    free = list(lists)
    position = dict.fromkeys(lists, 0)
    while free:
        i = free.pop()
        if position[i] >= len(lists[i]):
            continue
        j = lists[i][position[i]]
        position[i] += 1
        held[j].append(i)
        if len(held[j]) > residual[j]:
            worst = min(held[j], key=lambda k: key(k, j))
            held[j].remove(worst)
            free.append(worst)
    return {(i, j) for j, mentees in held.items() for i in mentees}
