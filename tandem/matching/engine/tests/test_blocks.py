"""The streamed block pricer against the exact matrix on problems large enough to stream."""

import numpy as np
import pytest

from tandem.matching.engine import UNIT, Objective, solve
from tandem.matching.engine.dense import dense_features, score_block
from tandem.matching.engine.features import allowed, pair_costs
from tandem.matching.engine.scoring import encoding_of
from tandem.matching.engine.solve import market_of
from tandem.matching.engine.tests.factories import problem_from_scores, random_problem


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_fast_block_scores_are_within_their_proved_error(seed) -> None:
    problem = random_problem(np.random.default_rng(seed), 40, 30, forbidden_rate=0.1)
    encoding = encoding_of(problem)
    market = market_of(encoding)
    features = dense_features(encoding, market.free_mentees, market.live_mentors)
    rows = np.arange(len(market.free_mentees))
    block = score_block(features, rows).astype(np.float64)
    mentee = np.repeat(market.free_mentees, len(market.live_mentors))
    mentor = np.tile(market.live_mentors, len(rows))
    exact = pair_costs(encoding, mentee, mentor) / UNIT
    ok = allowed(encoding, mentee, mentor)
    fast = block.reshape(-1)
    assert np.all(np.abs(fast[ok] - exact[ok]) <= features.eps)
    assert np.all(fast[~ok] < -1e11)


@pytest.mark.parametrize(
    ("seed", "max_capacity", "forbidden_rate"), [(4, 2, 0.1), (5, 1, 0.3), (6, 3, 0.05)]
)
def test_block_pricing_reaches_the_exact_optimum(seed, max_capacity, forbidden_rate) -> None:
    # given a problem with tight capacity, priced both ways, from a small first graph
    rng = np.random.default_rng(seed)
    problem = random_problem(
        rng, 120, 60, max_capacity=max_capacity, forbidden_rate=forbidden_rate, pinned=3
    )
    # when
    exact = solve(problem, Objective.TOTAL, pricing="exact", candidates_per_side=2)
    blocks = solve(problem, Objective.TOTAL, pricing="blocks", candidates_per_side=2)
    # then
    assert blocks.certified_gap == 0.0
    assert exact.certified_gap == 0.0
    assert len(blocks.mentee) == len(exact.mentee)
    assert blocks.total_score == exact.total_score


@pytest.mark.parametrize(
    ("seed", "list_length", "low_water"), [(7, 2, 2), (8, 32, 2), (8, 32, 4), (11, 8, 3)]
)
def test_streamed_stable_matching_equals_the_exact_one(
    seed, list_length, low_water, monkeypatch
) -> None:
    # given short per-row lists, so rows run out and are refilled from the matrix, and rows
    # whose lists run low rebuilt early with each batch
    monkeypatch.setattr("tandem.matching.engine.blocks.GREEDY_LIST", list_length)
    monkeypatch.setattr("tandem.matching.engine.blocks.LOW_WATER", low_water)
    problem = random_problem(np.random.default_rng(seed), 150, 50, max_capacity=2, pinned=2)
    # when
    exact = solve(problem, Objective.STABLE, pricing="exact", seed=seed)
    blocks = solve(problem, Objective.STABLE, pricing="blocks", seed=seed)
    # then
    assert blocks.mentee.tolist() == exact.mentee.tolist()
    assert blocks.mentor.tolist() == exact.mentor.tolist()


@pytest.mark.parametrize("seed", [9, 10])
def test_streamed_fair_equals_the_exact_one(seed) -> None:
    problem = random_problem(np.random.default_rng(seed), 100, 40, max_capacity=3)
    exact = solve(problem, Objective.FAIR, pricing="exact", candidates_per_side=2)
    blocks = solve(problem, Objective.FAIR, pricing="blocks", candidates_per_side=2)
    assert (len(blocks.mentee), blocks.lowest_score, blocks.total_score) == (
        len(exact.mentee),
        exact.lowest_score,
        exact.total_score,
    )
    assert blocks.certified_gap == 0.0


def test_the_sub_market_price_estimate_path_still_reaches_the_exact_optimum(monkeypatch) -> None:
    # given a market big enough for the replicated sub-market (forced small here)
    monkeypatch.setattr("tandem.matching.engine.blocks.SUB_MARKET_MINIMUM", 60)
    rng = np.random.default_rng(11)
    problem = random_problem(rng, 400, 120, max_capacity=4, forbidden_rate=0.05, pinned=4)
    # when
    exact = solve(problem, Objective.TOTAL, pricing="exact")
    blocks = solve(problem, Objective.TOTAL, pricing="blocks", seed=3)
    # then
    assert blocks.certified_gap == 0.0
    assert (len(blocks.mentee), blocks.total_score) == (len(exact.mentee), exact.total_score)


@pytest.mark.parametrize(
    ("seed", "objective"), [(9, Objective.TOTAL), (10, Objective.TOTAL), (9, Objective.FAIR)]
)
def test_rows_re_priced_on_a_few_mentors_reach_the_exact_optimum(
    seed, objective, monkeypatch
) -> None:
    # given a market large enough for rows to fail on a few mentors' price drops, with the
    # re-pricing allowed from a handful of rows
    monkeypatch.setattr("tandem.matching.engine.blocks.COLUMN_MIN_ROWS", 8)
    monkeypatch.setattr("tandem.matching.engine.blocks.GROUPS", 8)
    monkeypatch.setattr("tandem.matching.engine.blocks.COLUMN_GAIN", 1e9)
    rng = np.random.default_rng(seed)
    popular = rng.integers(0, 20, 150)  # some mentors are wanted by nearly everyone
    scores = rng.integers(0, 30, (600, 150)) + popular[None, :]
    capacity = np.bincount(rng.integers(0, 150, 600), minlength=150)  # places = mentees
    problem = problem_from_scores(scores, capacity, scale=0.25, forbidden=[(0, 1), (2, 3)])
    # when
    exact = solve(problem, objective, pricing="exact")
    blocks = solve(problem, objective, pricing="blocks", candidates_per_side=2)
    # then the re-pricing ran and both proved the same optimum
    assert blocks.details["rows_rebased"] > 0
    assert blocks.certified_gap == exact.certified_gap == 0.0
    assert len(blocks.mentee) == len(exact.mentee)
    assert blocks.total_score == exact.total_score
    assert blocks.lowest_score == exact.lowest_score


@pytest.mark.parametrize(
    ("seed", "objective", "threads", "sub_market"),
    [
        (12, Objective.TOTAL, 3, False),
        (14, Objective.TOTAL, 2, True),
        (15, Objective.STABLE, 3, False),
    ],
)
def test_passes_on_several_threads_give_the_sequential_result(
    seed, objective, threads, sub_market, monkeypatch
) -> None:
    # given blocks of 32 rows (so every pass, re-pricing and the sub-market stream many
    # blocks) and the re-pricing on a few mentors allowed from a handful of rows
    monkeypatch.setattr("tandem.matching.engine.blocks.BLOCK_ELEMENTS", 1 << 10)
    if sub_market:
        monkeypatch.setattr("tandem.matching.engine.blocks.SUB_MARKET_MINIMUM", 60)
    monkeypatch.setattr("tandem.matching.engine.blocks.COLUMN_MIN_ROWS", 8)
    monkeypatch.setattr("tandem.matching.engine.blocks.GROUPS", 8)
    monkeypatch.setattr("tandem.matching.engine.blocks.COLUMN_GAIN", 1e9)
    rng = np.random.default_rng(seed)
    popular = rng.integers(0, 20, 150)
    scores = rng.integers(0, 30, (600, 150)) + popular[None, :]
    capacity = np.bincount(rng.integers(0, 150, 600), minlength=150)
    problem = problem_from_scores(scores, capacity, scale=0.25, forbidden=[(0, 1), (2, 3)])

    def run(count: int):
        monkeypatch.setattr("tandem.matching.engine.parallel.THREADS", count)
        return solve(problem, objective, pricing="blocks", candidates_per_side=2, seed=seed)

    # when
    sequential, threaded = run(1), run(threads)
    # then the same pairs, the same proof, and the same work (the details are a function
    # of the input, so they show that no block was lost, repeated or reordered)
    assert threaded.mentee.tolist() == sequential.mentee.tolist()
    assert threaded.mentor.tolist() == sequential.mentor.tolist()
    assert threaded.total_score == sequential.total_score
    assert threaded.certified_gap == sequential.certified_gap
    work = {key: value for key, value in sequential.details.items() if "seconds" not in key}
    assert work == {key: value for key, value in threaded.details.items() if key in work}
    if objective is Objective.TOTAL and not sub_market:
        assert sequential.details["rows_rebased"] > 0
