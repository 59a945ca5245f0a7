"""Benchmark: solve a synthetic mentoring programme and print one JSON object.

    python -m bench.matching --mentees 20000 --mentors 7000 --seed 1 [--objective total]
                             [--tolerance 0.0001] [--verify] [--greedy] [--json]

The programme comes from `bench.synthetic` (realistic skills, departments, seniority,
timezones, languages, reporting lines, capacities 1-5 summing to the number of mentees).
`seconds_scoring` is encoding the problem plus every pass over the score matrix;
`seconds_solving` is the rest (flows, duals, greedy). `peak_memory_mb` is the process's peak
resident memory, including the generated problem. `--verify` also solves the capacity-expanded
dense matrix with scipy's `linear_sum_assignment` (small sizes only) and reports the difference.
"""

import argparse
import json
import os
import resource
import sys
import time

import numpy as np

from bench.synthetic import synthetic_problem
from tandem.matching.engine import UNIT, MatchingProblem, Objective, greedy, solve
from tandem.matching.engine.features import allowed, pair_costs
from tandem.matching.engine.scoring import encoding_of

DENSE_LIMIT = 40_000_000  # matrix cells the dense check may allocate


def dense_optimum(problem: MatchingProblem) -> dict[str, float]:
    """The lexicographic optimum (most matched, then best total) by scipy's dense assignment on
    the capacity-expanded matrix: one column per mentor place and one "unmatched" column per
    mentee; pinned pairs are forced with a bonus larger than any other difference."""
    from scipy.optimize import linear_sum_assignment

    encoding = encoding_of(problem)
    n, m = encoding.n, encoding.m
    slots = np.repeat(np.arange(m), encoding.capacity)
    if n * (len(slots) + n) > DENSE_LIMIT:
        raise SystemExit(f"--verify: {n} x {len(slots) + n} is too large for a dense matrix")
    mentee = np.repeat(np.arange(n), m)
    mentor = np.tile(np.arange(m), n)
    costs = pair_costs(encoding, mentee, mentor).reshape(n, m).astype(np.float64)
    ok = allowed(encoding, mentee, mentor).reshape(n, m)
    big = float((n + 1) * (costs.max(initial=0.0) + 1))
    gain = np.where(ok, big + costs, -big * (n + 2))
    gain[encoding.pinned_mentee, encoding.pinned_mentor] += big * (n + 2)
    expanded = np.concatenate([gain[:, slots], np.zeros((n, n))], axis=1)
    rows, columns = linear_sum_assignment(expanded, maximize=True)
    chosen = columns < len(slots)
    pairs_mentee, pairs_mentor = rows[chosen], slots[columns[chosen]]
    if not np.all(ok[pairs_mentee, pairs_mentor]):
        raise RuntimeError("the dense optimum used a forbidden pair")
    return {
        "matched": float(len(pairs_mentee)),
        "total_score": float(costs[pairs_mentee, pairs_mentor].sum()) / UNIT,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mentees", type=int, default=20_000)
    parser.add_argument("--mentors", type=int, default=7_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--objective", choices=[o.value for o in Objective], default="total")
    parser.add_argument(
        "--tolerance",
        type=float,
        default=0.0,
        help="stop once the certified relative gap is at most this (0 = prove optimality)",
    )
    parser.add_argument("--verify", action="store_true", help="compare with a dense solver")
    parser.add_argument("--greedy", action="store_true", help="also run the greedy baseline")
    parser.add_argument("--json", action="store_true", help="one JSON line (the default)")
    args = parser.parse_args()

    generated = time.perf_counter()
    problem = synthetic_problem(args.mentees, args.mentors, seed=args.seed)
    seconds_generating = time.perf_counter() - generated
    started = time.perf_counter()
    cpu_started = time.process_time()
    assignment = solve(problem, Objective(args.objective), seed=args.seed, tolerance=args.tolerance)
    wall = time.perf_counter() - started
    result: dict[str, object] = {
        "mentees": args.mentees,
        "mentors": args.mentors,
        "slots": int(problem.capacity.sum()),
        "objective": args.objective,
        "tolerance": args.tolerance,
        "seconds_scoring": round(assignment.seconds_scoring, 2),
        "seconds_solving": round(assignment.seconds_solving, 2),
        "seconds_end_to_end": round(wall, 2),
        "seconds_phases": {
            name: round(seconds, 2) for name, seconds in assignment.seconds_phases.items()
        },
        "cpu_seconds": round(time.process_time() - cpu_started, 2),
        "load_average": [round(load, 2) for load in os.getloadavg()],
        "peak_memory_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "matched": len(assignment.mentee),
        "total_score": round(assignment.total_score, 6),
        "lowest_score": None
        if assignment.lowest_score is None
        else round(assignment.lowest_score, 6),
        "certified_gap": assignment.certified_gap,
        "unmatched_reasons": {
            reason.value: assignment.unmatched_reason.count(reason)
            for reason in sorted(set(assignment.unmatched_reason))
        },
        "details": assignment.details,
        "seconds_generating_problem": round(seconds_generating, 2),
    }
    if args.greedy:
        began = time.perf_counter()
        baseline = greedy(problem)
        result["greedy"] = {
            "seconds": round(time.perf_counter() - began, 2),
            "matched": len(baseline.mentee),
            "total_score": round(baseline.total_score, 6),
        }
    if args.verify:
        dense = dense_optimum(problem)
        result["verify"] = {
            "dense_matched": int(dense["matched"]),
            "dense_total_score": round(dense["total_score"], 6),
            "matched_difference": len(assignment.mentee) - int(dense["matched"]),
            "total_score_difference": round(assignment.total_score - dense["total_score"], 9),
        }
    print(json.dumps(result))


if __name__ == "__main__":
    sys.exit(main())
