"""The block pricer: candidate arcs and certificates for large problems, streaming the score
matrix in blocks of rows and never holding it whole.

1. *Estimate prices* on a replicated sub-market: a random 5% of the mentees (at least 1,500),
   each standing for ~20 alike (a flow supply of 20), and every mentor at full capacity —
   a miniature with the market's balance of demand and places — solved roughly by this same
   machinery. Its mentor duals approximate what a place with each mentor is worth.
2. *One pass* over the whole score matrix keeps, for each mentee (a "row"), its ~64 best pairs
   by *reduced* score (score minus estimated price) — in the optimum a mentee holds the mentor
   that maximises exactly that — and, per group of mentors, a proved upper bound (`rest`) on
   the reduced score of every pair not kept. The same pass keeps each mentor's 6 best mentees.
   Each row's best 24 plus those are the first candidate graph.
3. `price(u, v)` (each repair round) must decide for every allowed pair whether
   M + c - v_r - u_f > 0. While more mentees could be matched, a round only adds pairs that
   complete augmenting paths (rows and mentors at "level 0"). Otherwise kept pairs are looked
   up, and for the rest, bounds carry over to the new prices: a pair not kept has reduced score
   <= rest[group] + the group's largest price drop. Rows whose bound still clears the threshold
   by the float margin are certified without touching the matrix; the others are recomputed (a
   partial pass) — or, while many kept pairs still violate, wait a round. Every pair a float
   says *might* violate is checked with the exact integer score, so violations are exact, the
   gap is a proved bound, and no row is ever declared clean except by a proved inequality.
"""

import time
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from tandem.matching.engine.dense import (
    DenseFeatures,
    dense_features,
    score_block,
    with_offsets,
)
from tandem.matching.engine.features import (
    UNIT,
    Encoding,
    allowed,
    count_allowed,
    member,
    pair_costs,
    unique_sorted,
)
from tandem.matching.engine.flow import BIG_M, Arcs, Market
from tandem.matching.engine.parallel import in_order
from tandem.matching.engine.problem import IntArray

FloatArray64 = npt.NDArray[np.float64]
Float32Array = npt.NDArray[np.float32]
SUSPECTS_PER_ROW = 16
DEFER_SHARE = 0.3
DEFER_VIOLATIONS = 0.02
SAMPLE_COLUMNS = 1024
COLUMN_BEST = 6
VIOLATIONS_PER_ROW = 8
INITIAL_PER_ROW = 24
GROUPS = 128
SUB_MARKET_SHARE = 0.05
SUB_MARKET_MINIMUM = 1500
SUB_MARKET_ROUNDS = 4
BLOCK_ELEMENTS = 1 << 23
PER_ROW = 64  # pairs each row keeps from a pass (about)
# re-pricing rows against the few mentors whose prices moved most (`_split_by_columns`)
COLUMN_MIN_ROWS = 256
COLUMN_PROBE_ROWS = 2000
COLUMN_SHARES = (0.01, 0.02, 0.05, 0.1, 0.2)
COLUMN_GAIN = 0.7  # only when it costs at most this share of recomputing the rows
REBASE_SLACK = 0.5  # score units: store pairs this close to violating
REBASE_KEEP = 32


class ColumnBest:
    """Each column's `k` best rows over a stream of blocks (values in the blocks' terms): a
    per-column threshold (the k-th best so far) filters each block with one comparison; the
    few entries above it are buffered and compacted now and then."""

    def __init__(self, k: int, columns: int):
        self.k = k
        self.columns = columns
        self.threshold = np.full(columns, -np.inf, np.float32)
        self.rows: list[IntArray] = []
        self.cols: list[IntArray] = []
        self.values: list[Float32Array] = []
        self.buffered = 0

    def add(self, chunk: IntArray, block: Float32Array) -> None:
        if not np.isfinite(self.threshold).any() and len(chunk) >= self.k:
            self.threshold = -np.partition(-block, self.k - 1, axis=0)[self.k - 1]
            self.threshold = np.nextafter(self.threshold, np.float32(-np.inf))
        local, column = np.divmod(np.flatnonzero(block > self.threshold[None, :]), self.columns)
        self.rows.append(chunk[local])
        self.cols.append(column)
        self.values.append(block[local, column])
        self.buffered += len(local)
        if self.buffered > 4 * self.k * self.columns:
            self._compact()

    def _compact(self) -> None:
        rows, cols = np.concatenate(self.rows), np.concatenate(self.cols)
        values = np.concatenate(self.values)
        order = np.lexsort((-values, cols))
        keep = order[_rank_within(cols, order) < self.k]
        rows, cols, values = rows[keep], cols[keep], values[keep]
        counts = np.bincount(cols, minlength=self.columns)
        full = counts >= self.k
        worst = np.full(self.columns, np.inf, np.float32)
        np.minimum.at(worst, cols, values)
        self.threshold = np.where(full, np.maximum(self.threshold, worst), self.threshold)
        self.rows, self.cols, self.values = [rows], [cols], [values]
        self.buffered = len(rows)

    def pairs(self) -> tuple[IntArray, IntArray]:
        self._compact()
        rows, cols, values = self.rows[0], self.cols[0], self.values[0]
        ok = values > -1e11
        return rows[ok].astype(np.int64), cols[ok].astype(np.int64)


@dataclass
class Stored:
    pointer: IntArray  # CSR over rows
    mentor: npt.NDArray[np.int32]
    score: Float32Array  # fast score (not reduced)


def _ranges(starts: IntArray, counts: IntArray) -> IntArray:
    total = int(counts.sum())
    if total == 0:
        return np.empty(0, np.int64)
    offsets = np.repeat(np.cumsum(counts) - counts, counts)
    result: IntArray = np.repeat(starts, counts) + (np.arange(total, dtype=np.int64) - offsets)
    return result


def _rank_within(rows: IntArray, order: IntArray) -> IntArray:
    """Given pairs sorted by row (`rows[order]` non-decreasing), each pair's rank in its row."""
    ordered = rows[order]
    if not len(ordered):
        return np.empty(0, np.int64)
    first = np.concatenate([[0], np.flatnonzero(np.diff(ordered)) + 1])
    lengths = np.diff(np.append(first, len(ordered)))
    result: IntArray = np.arange(len(ordered)) - np.repeat(first, lengths)
    return result


class BlockPricer:
    def __init__(
        self,
        encoding: Encoding,
        market: Market,
        *,
        seed: int,
        per_row: int | None = None,
        estimate: bool = True,
        initial_per_row: int = INITIAL_PER_ROW,
        violations_per_row: int = VIOLATIONS_PER_ROW,
    ):
        self.encoding = encoding
        self.market = market
        self.per_row = PER_ROW if per_row is None else per_row
        self.seed = seed
        self.estimate = estimate
        self.initial_per_row = initial_per_row
        self.violations_per_row = violations_per_row
        self.features: DenseFeatures = dense_features(
            encoding, market.free_mentees, market.live_mentors
        )
        self.n_rows = len(market.free_mentees)
        self.n_columns = len(market.live_mentors)
        self.rng = np.random.default_rng(seed)
        self.block_rows = int(max(32, min(4096, BLOCK_ELEMENTS // max(self.n_columns, 1))))
        self.seconds_pricing = 0.0
        self.rows_recomputed = 0
        self.rows_rebased = 0
        self.rebase_pairs = 0  # rows x mentors priced by `_rebase`
        self.exact_checks = 0
        self.estimate_seconds = 0.0
        self.phase_seconds = {"first_pass": 0.0, "rebase": 0.0, "recompute": 0.0}
        self.greedy_seconds = 0.0  # STABLE: products, lists and the heap (counted as solving)
        self.column_best: ColumnBest | None = None
        # per-row state, set by `initial_arcs`
        self.stored = Stored(
            np.zeros(self.n_rows + 1, np.int64), np.empty(0, np.int32), np.empty(0, np.float32)
        )
        self.rest: FloatArray64 = np.full((self.n_rows, 1), np.inf)
        self.versions: list[tuple[FloatArray64, FloatArray64]] = []
        self.margins: list[float] = []
        self.version = np.zeros(self.n_rows, np.int64)
        self.row_level = np.zeros(self.n_rows, np.int64)
        self._set_columns()

    def statistics(self) -> dict[str, float]:
        return {
            "rows_recomputed": float(self.rows_recomputed),
            "rows_rebased": float(self.rows_rebased),
            "rebase_pairs": float(self.rebase_pairs),
            "exact_pair_checks": float(self.exact_checks),
            "seconds_price_estimate": round(self.estimate_seconds, 3),
        }

    def phases(self) -> dict[str, float]:
        """Wall seconds: the price estimate, the first pass, re-pricing rows on a few mentors,
        recomputing rows, the rest of pricing (stored checks, bounds, augmenting arcs), and
        STABLE's greedy (its products, lists and heap)."""
        accounted = self.estimate_seconds + sum(self.phase_seconds.values())
        return {
            "price_estimate": self.estimate_seconds,
            **self.phase_seconds,
            "pricing_other": max(0.0, self.seconds_pricing - accounted),
            "greedy": self.greedy_seconds,
        }

    def _set_columns(self) -> None:
        count = min(self.n_columns, SAMPLE_COLUMNS)
        self.sample = np.sort(self.rng.choice(self.n_columns, count, replace=False))
        groups = max(1, min(GROUPS, self.n_columns))
        self.group_starts = np.linspace(0, self.n_columns, groups + 1).astype(np.int64)[:-1]

    def _margin(self, largest_offset: float) -> float:
        """Bound on |float32 reduced score - exact reduced score| for an allowed pair: the block
        error `eps`, plus rounding the offset to float32 and the subtraction."""
        weights = float(self.encoding.weights.sum())
        return self.features.eps + 2.0**-22 * (largest_offset + weights)

    def _group_max(self, values: FloatArray64) -> FloatArray64:
        result: FloatArray64 = np.maximum.reduceat(values, self.group_starts, axis=-1)
        return result

    # -----------------------------------------------------------------------------------------
    # passes

    def _pass(
        self,
        rows: IntArray,
        offsets: tuple[FloatArray64, FloatArray64],
        level: IntArray,
        ceiling: FloatArray64 | None,
        threshold: int | None,
        limit: int | None = None,
    ) -> tuple[Stored, FloatArray64]:
        """Compute `rows` against every live mentor. Keep each row's pairs whose reduced score
        is at least its cut — about the `per_row`-th best (estimated on a sample of mentors),
        never above `ceiling` (so every possible violation is kept), at most 8 x per_row pairs.
        Returns the kept pairs and per row and mentor group a bound on every pair not kept."""
        kept_rows: list[IntArray] = []
        kept_mentors: list[npt.NDArray[np.int32]] = []
        kept_scores: list[Float32Array] = []
        rests = np.empty((len(rows), len(self.group_starts)))
        rank = max(1, round(self.per_row * len(self.sample) / max(self.n_columns, 1)))
        offset32 = (offsets[0].astype(np.float32), offsets[1].astype(np.float32))
        folded = with_offsets(self.features, offsets) if threshold is None else None
        floor32 = np.float32(-np.inf)
        if threshold is not None:
            floor32 = np.float32(threshold / UNIT - self.features.eps)
        keep_reduced = self.column_best is not None

        def block(
            start: int,
        ) -> tuple[IntArray, IntArray, IntArray, Float32Array, FloatArray64, Float32Array | None]:
            chunk = rows[start : start + self.block_rows]
            chunk_level = level[chunk]
            if folded is not None:
                reduced = score_block(self.features, chunk, folded, chunk_level)
            else:
                scores = score_block(self.features, chunk)
                scores[scores < floor32] = -np.inf
                reduced = scores - offset32[0]
                ones = np.flatnonzero(chunk_level == 1)
                if len(ones):
                    reduced[ones] = scores[ones] - offset32[1]
            sample_values = reduced[:, self.sample]
            width = sample_values.shape[1]
            if rank <= width:
                deep = min(width, 4 * rank)
                negated = np.partition(-sample_values, deep - 1, axis=1)
                floor = -negated[:, deep - 1]
                estimate = -np.partition(negated[:, :deep], rank - 1, axis=1)[:, rank - 1]
            else:
                estimate = floor = np.full(len(chunk), -np.inf, np.float32)
            cut = estimate.astype(np.float64)
            if ceiling is not None:
                # keep every possible violation, but (unless settling) not past ~4 x per_row
                # pairs: a row with more is left open (bounded, recomputed next round)
                cut = np.minimum(cut, ceiling[chunk])
                if limit is None:
                    cut = np.maximum(cut, floor.astype(np.float64))
            cut32 = cut.astype(np.float32)
            lower = cut32.astype(np.float64) > cut  # round down: "below the cut" stays proved
            cut32[lower] = np.nextafter(cut32[lower], np.float32(-np.inf))
            flat = np.flatnonzero(reduced >= cut32[:, None])
            local, mentor = np.divmod(flat, reduced.shape[1])
            local, mentor, cut32 = self._cap(reduced, local, mentor, cut32, limit)
            offset_of_kept = np.where(
                chunk_level[local] == 0, offsets[0][mentor], offsets[1][mentor]
            )
            raw = (reduced[local, mentor] + offset_of_kept).astype(np.float32)
            group_max = np.maximum.reduceat(reduced, self.group_starts, axis=1)
            rest = np.minimum(group_max.astype(np.float64), cut32.astype(np.float64)[:, None])
            return chunk, local, mentor, raw, rest, reduced if keep_reduced else None

        starts = range(0, len(rows), self.block_rows)
        for start, (chunk, local, mentor, raw, rest, reduced) in zip(
            starts, in_order(block, starts), strict=True
        ):
            kept_rows.append(chunk[local])
            kept_mentors.append(mentor.astype(np.int32))
            kept_scores.append(raw)
            rests[start : start + len(chunk)] = rest
            if self.column_best is not None and reduced is not None:
                self.column_best.add(chunk, reduced)
        row_index = np.concatenate(kept_rows) if kept_rows else np.empty(0, np.int64)
        mentors = np.concatenate(kept_mentors) if kept_mentors else np.empty(0, np.int32)
        values = np.concatenate(kept_scores) if kept_scores else np.empty(0, np.float32)
        position = np.full(self.n_rows, -1, np.int64)
        position[rows] = np.arange(len(rows))
        order = np.argsort(position[row_index], kind="stable")
        counts = np.bincount(position[row_index], minlength=len(rows))
        pointer = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        return Stored(pointer, mentors[order], values[order]), rests

    def _cap(
        self,
        block: Float32Array,
        local: IntArray,
        mentor: IntArray,
        cut32: Float32Array,
        limit: int | None,
    ) -> tuple[IntArray, IntArray, Float32Array]:
        """Keep at most `limit` (default 8 x per_row) pairs in a row; a capped row's cut
        becomes the best value it dropped (so the cut still bounds every pair not kept)."""
        limit = 8 * self.per_row if limit is None else limit
        counts = np.bincount(local, minlength=len(cut32))
        over = np.flatnonzero(counts > limit)
        if not len(over):
            return local, mentor, cut32
        is_over = np.zeros(len(cut32), bool)
        is_over[over] = True
        crowded = is_over[local]
        values = block[local[crowded], mentor[crowded]]
        rows_of = local[crowded]
        order = np.lexsort((-values, rows_of))
        rank = _rank_within(rows_of, order)
        cut32 = cut32.copy()
        # each crowded row keeps its `limit` best; its cut becomes the best value it dropped
        cut32[rows_of[order[rank == limit]]] = values[order[rank == limit]]
        dropped = np.zeros(len(local), bool)
        dropped[np.flatnonzero(crowded)[order[rank >= limit]]] = True
        return local[~dropped], mentor[~dropped], cut32

    def _replace_rows(self, rows: IntArray, fresh: Stored) -> None:
        """Put `fresh` (CSR over `rows`) in place of those rows' stored pairs."""
        old = self.stored
        counts = np.diff(old.pointer)
        new_counts = counts.copy()
        new_counts[rows] = np.diff(fresh.pointer)
        pointer = np.concatenate([[0], np.cumsum(new_counts)]).astype(np.int64)
        mentor = np.empty(int(pointer[-1]), np.int32)
        score = np.empty(int(pointer[-1]), np.float32)
        keep = np.ones(self.n_rows, bool)
        keep[rows] = False
        kept_rows = np.flatnonzero(keep)
        source = _ranges(old.pointer[kept_rows], counts[kept_rows])
        target = _ranges(pointer[kept_rows], counts[kept_rows])
        mentor[target] = old.mentor[source]
        score[target] = old.score[source]
        target = _ranges(pointer[rows], np.diff(fresh.pointer))
        mentor[target] = fresh.mentor
        score[target] = fresh.score
        self.stored = Stored(pointer, mentor, score)

    # -----------------------------------------------------------------------------------------
    # the first candidate graph

    def _estimate_prices(self) -> FloatArray64 | None:
        """Mentor prices (score units) from a sub-market solved near-optimally, or None when
        the market is too small for a sample to pay off."""
        size = max(SUB_MARKET_MINIMUM, int(self.n_rows * SUB_MARKET_SHARE))
        if 2 * size > self.n_rows:
            return None
        from tandem.matching.engine.pricing import solve_total_core

        sample = np.sort(self.rng.choice(self.n_rows, size, replace=False))
        # each sampled mentee stands for `supply` alike, and mentors keep their real capacity:
        # a miniature of the market with the same balance of demand and places
        supply = max(1, round(self.n_rows / size))
        empty = np.empty(0, np.int64)
        sub_market = Market(
            free_mentees=self.market.free_mentees[sample],
            live_mentors=self.market.live_mentors,
            residual=self.market.residual.copy(),
            pinned_mentee=empty,
            pinned_mentor=empty,
            pinned_cost=empty,
            supply=supply,
        )
        wide = max(self.per_row, 2 * supply + 32)
        nested = BlockPricer(
            self.encoding,
            sub_market,
            seed=self.seed + 1,
            per_row=wide,
            estimate=False,
            initial_per_row=wide,
            violations_per_row=supply,
        )
        arcs = nested.initial_arcs(None)
        core = solve_total_core(
            sub_market, nested, arcs, tolerance=1e-3, max_rounds=SUB_MARKET_ROUNDS
        )
        level = (core.prices + BIG_M // 2) // BIG_M
        result: FloatArray64 = (core.prices - level * BIG_M) / UNIT
        return result

    def _reorder_columns(self, order: IntArray) -> None:
        """Renumber live mentors (most expensive first) so each mentor group is contiguous."""
        market, features = self.market, self.features
        market.live_mentors = market.live_mentors[order]
        market.residual = market.residual[order]
        features.mentor_t = np.ascontiguousarray(features.mentor_t[:, order])
        inverse = np.empty(len(order), np.int64)
        inverse[order] = np.arange(len(order))
        features.preferred_r = inverse[features.preferred_r]
        features.forbidden_r = inverse[features.forbidden_r]

    def initial_arcs(self, per_side: int | None) -> Arcs:
        started = time.perf_counter()
        estimate = self._estimate_prices() if self.estimate else None
        self.estimate_seconds = time.perf_counter() - started
        if estimate is None:
            estimate = np.zeros(self.n_columns)
        else:
            order = np.argsort(-estimate, kind="stable")
            self._reorder_columns(order)
            estimate = estimate[order]
        self._set_columns()
        offsets = (estimate, estimate)
        self.versions = [offsets]
        self.margins = [self._margin(float(np.abs(estimate).max(initial=0.0)))]
        self.version = np.zeros(self.n_rows, np.int64)
        self.row_level = np.zeros(self.n_rows, np.int64)
        rows = np.arange(self.n_rows, dtype=np.int64)
        # the same pass collects each mentor's best mentees, so every mentor has arcs
        self.column_best = ColumnBest(COLUMN_BEST, self.n_columns)
        clock = time.perf_counter()
        self.stored, self.rest = self._pass(rows, offsets, self.row_level, None, None)
        self.phase_seconds["first_pass"] += time.perf_counter() - clock
        extra_f, extra_r = self.column_best.pairs()
        self.column_best = None
        f, r = self._best_stored(
            per_side if per_side is not None else self.initial_per_row, estimate
        )
        arcs = self._exact_arcs(np.concatenate([f, extra_f]), np.concatenate([r, extra_r]))
        self.seconds_pricing += time.perf_counter() - started
        return arcs

    def _best_stored(self, per_row: int, offsets: FloatArray64) -> tuple[IntArray, IntArray]:
        """Each row's `per_row` best stored pairs by reduced score."""
        stored = self.stored
        counts = np.diff(stored.pointer)
        width = int(counts.max(initial=0))
        if width == 0:
            return np.empty(0, np.int64), np.empty(0, np.int64)
        rows = np.repeat(np.arange(self.n_rows), counts)
        columns = np.arange(len(rows)) - np.repeat(stored.pointer[:-1], counts)
        padded = np.full((self.n_rows, width), -np.inf)
        padded[rows, columns] = stored.score.astype(np.float64) - offsets[stored.mentor]
        k = min(per_row, width)
        best = np.argpartition(-padded, k - 1, axis=1)[:, :k]
        row_index = np.repeat(np.arange(self.n_rows), k)
        chosen = best.reshape(-1)
        real = chosen < counts[row_index]
        positions = stored.pointer[row_index[real]] + chosen[real]
        return row_index[real].astype(np.int64), stored.mentor[positions].astype(np.int64)

    def _exact_arcs(self, f: IntArray, r: IntArray) -> Arcs:
        keys = unique_sorted(f * (1 << 31) + r)
        f, r = keys >> 31, keys & ((1 << 31) - 1)
        mentee = self.market.free_mentees[f]
        mentor = self.market.live_mentors[r]
        ok = allowed(self.encoding, mentee, mentor)
        f, r, mentee, mentor = f[ok], r[ok], mentee[ok], mentor[ok]
        self.exact_checks += len(f)
        return Arcs(f, r, pair_costs(self.encoding, mentee, mentor))

    # -----------------------------------------------------------------------------------------
    # pricing

    def _levels(
        self, u: IntArray, v: IntArray
    ) -> tuple[IntArray, FloatArray64, tuple[FloatArray64, FloatArray64], IntArray, float]:
        """Split M + c - v_r - u_f > 0 by levels: u = a_f M + beta_f, v = b_r M + p_r. A pair
        violates when (1 - a - b) M + c - p - beta > 0: level-0 rows compare s - p_r with
        beta_f for level-1 mentors and always violate with level-0 ones; level-1 rows compare
        with level-0 mentors and never violate with level-1 ones. "Always" and "never" become
        offsets -K and +K, K large enough to put such pairs above / below every threshold and
        small enough to keep float32 digits."""
        row_level = ((u + BIG_M // 2) // BIG_M).astype(np.int64)
        beta = (u - row_level * BIG_M) / UNIT
        column_level = ((v + BIG_M // 2) // BIG_M).astype(np.int64)
        price = (v - column_level * BIG_M) / UNIT
        largest = float(self.encoding.weights.sum())
        sentinel = (
            2.0
            * (
                largest
                + float(np.abs(price).max(initial=0.0))
                + float(np.abs(beta).max(initial=0.0))
            )
            + 16.0
        )
        offset0 = np.where(column_level == 1, price, -sentinel)
        offset1 = np.where(column_level == 0, price, sentinel)
        return row_level, beta, (offset0, offset1), column_level, sentinel

    def _stored_violations(
        self,
        duals: "Duals",
        only: npt.NDArray[np.bool_] | None,
        per_row: int | None,
    ) -> tuple[IntArray, IntArray, IntArray, IntArray, IntArray]:
        """Stored pairs that violate the duals, by their exact scores. The float only picks the
        suspects; each row's `per_row` best suspects are checked exactly (all when None), and
        for a row with more, the best unchecked one's float bound comes back (units, per row)."""
        stored = self.stored
        pair_rows = np.repeat(np.arange(self.n_rows), np.diff(stored.pointer))
        pair_mentors = stored.mentor.astype(np.int64)
        if only is not None:
            chosen = only[pair_rows]
            pair_rows, pair_mentors = pair_rows[chosen], pair_mentors[chosen]
            scores = stored.score[chosen].astype(np.float64)
        else:
            scores = stored.score.astype(np.float64)
        offsets = duals.offsets
        reduced = scores - np.where(
            duals.row_level[pair_rows] == 0, offsets[0][pair_mentors], offsets[1][pair_mentors]
        )
        suspect = reduced >= duals.beta[pair_rows] - duals.check_margin
        if duals.threshold is not None:
            suspect &= scores >= duals.threshold / UNIT - duals.check_margin
        return self._check_suspects(
            pair_rows[suspect], pair_mentors[suspect], reduced[suspect], duals, per_row
        )

    def _check_suspects(
        self, f: IntArray, r: IntArray, reduced: FloatArray64, duals: "Duals", per_row: int | None
    ) -> tuple[IntArray, IntArray, IntArray, IntArray, IntArray]:
        """Of pairs whose float reduced score says they might violate, the exact violations:
        each row's `per_row` best are checked with the exact score (all when None); for a row
        with more, the best unchecked one's float bound comes back (units, per row)."""
        unchecked = np.zeros(self.n_rows, np.int64)
        if per_row is not None:
            order = np.lexsort((-reduced, f))
            rank = _rank_within(f, order)
            later = order[rank == per_row]
            if len(later):
                excess = (reduced[later] + duals.check_margin - duals.beta[f[later]]) * UNIT
                unchecked[f[later]] = np.ceil(np.minimum(excess, 2.0**62)).astype(np.int64)
            first = order[rank < per_row]
            f, r = f[first], r[first]
        mentee, mentor = self.market.free_mentees[f], self.market.live_mentors[r]
        ok = allowed(self.encoding, mentee, mentor)
        f, r, mentee, mentor = f[ok], r[ok], mentee[ok], mentor[ok]
        costs = pair_costs(self.encoding, mentee, mentor)
        self.exact_checks += len(f)
        if duals.threshold is not None:
            keep = costs >= duals.threshold
            f, r, costs = f[keep], r[keep], costs[keep]
        violation = BIG_M + costs - duals.v[r] - duals.u[f]
        positive = violation > 0
        return f[positive], r[positive], costs[positive], violation[positive], unchecked

    def _recompute(
        self, rows: IntArray, duals: "Duals", limit: int | None = None
    ) -> npt.NDArray[np.bool_]:
        """A partial pass over `rows` at the current prices; returns the rows' mask."""
        self.rows_recomputed += len(rows)
        clock = time.perf_counter()
        fresh, rests = self._pass(
            rows,
            duals.offsets,
            duals.row_level,
            duals.beta - duals.margin,
            duals.threshold,
            limit,
        )
        self._replace_rows(rows, fresh)
        self.rest[rows] = rests
        self.versions.append(duals.offsets)
        self.margins.append(duals.margin)
        self.version[rows] = len(self.versions) - 1
        self.row_level[rows] = duals.row_level[rows]
        self.phase_seconds["recompute"] += time.perf_counter() - clock
        mask = np.zeros(self.n_rows, bool)
        mask[rows] = True
        return mask

    def _append_pairs(self, rows: IntArray, mentors: IntArray, scores: Float32Array) -> None:
        """Add pairs (none of them stored yet) to the stored lists, after each row's own."""
        old = self.stored
        counts = np.diff(old.pointer)
        added = np.bincount(rows, minlength=self.n_rows)
        pointer = np.concatenate([[0], np.cumsum(counts + added)]).astype(np.int64)
        mentor = np.empty(int(pointer[-1]), np.int32)
        score = np.empty(int(pointer[-1]), np.float32)
        old_rows = np.repeat(np.arange(self.n_rows), counts)
        target = pointer[old_rows] + (np.arange(len(old_rows)) - old.pointer[old_rows])
        mentor[target] = old.mentor
        score[target] = old.score
        order = np.argsort(rows, kind="stable")
        rows = rows[order]
        target = pointer[rows] + counts[rows] + _rank_within(rows, np.arange(len(rows)))
        mentor[target] = mentors[order]
        score[target] = scores[order]
        self.stored = Stored(pointer, mentor, score)

    def _split_by_columns(
        self, rows: IntArray, duals: "Duals", recompute: npt.NDArray[np.bool_]
    ) -> tuple[IntArray, IntArray, IntArray]:
        """Rows to recompute in full split into (still to recompute, to re-price on a few
        mentors only, those mentors). When the first prices were off, most rows fail only
        because a few mentors' prices fell far more than the rest of their group's: leaving
        those mentors out of the carried bound clears most rows, and pricing every row
        against those few mentors (then storing the new bound) costs a fraction of a pass."""
        nothing = np.empty(0, np.int64)
        eligible = rows[(duals.row_level[rows] == 1) & ~recompute[rows]]
        if len(eligible) < COLUMN_MIN_ROWS or self.n_columns < 4 * len(self.group_starts):
            return rows, nothing, nothing
        # the mentors whose price fell most since the prices most of these rows were priced at
        common = int(np.bincount(2 * self.version[eligible] + self.row_level[eligible]).argmax())
        difference = self.versions[common // 2][common % 2] - duals.offsets[1]
        ranked = np.argsort(-difference, kind="stable")
        probe = eligible
        if len(probe) > COLUMN_PROBE_ROWS:
            probe = np.sort(self.rng.choice(eligible, COLUMN_PROBE_ROWS, replace=False))
        best_cost, best_count = np.inf, 0
        for share in COLUMN_SHARES:
            count = int(share * self.n_columns)
            exclude = np.zeros(self.n_columns, bool)
            exclude[ranked[:count]] = True
            bound = self._carried_bounds(duals, probe, exclude=exclude)
            failing = int(np.count_nonzero(~(bound < duals.beta[probe])))
            cost = share * len(probe) + failing
            if cost < best_cost:
                best_cost, best_count = cost, count
        if best_cost > COLUMN_GAIN * len(probe):
            return rows, nothing, nothing
        columns = np.sort(ranked[:best_count])
        exclude = np.zeros(self.n_columns, bool)
        exclude[columns] = True
        bound = self._carried_bounds(duals, eligible, exclude=exclude)
        cleared = bound < duals.beta[eligible]
        rebase = eligible[cleared]
        return np.setdiff1d(rows, rebase), rebase, columns.astype(np.int64)

    def _rebase(
        self, rows: IntArray, columns: IntArray, duals: "Duals"
    ) -> tuple[IntArray, IntArray, IntArray, IntArray, IntArray]:
        """Bring `rows` (level 1, cleared by the bound that leaves `columns` out) to the current
        prices: price them against `columns` only, store those pairs that come within
        `REBASE_SLACK` of violating, check the suspects exactly, and replace each row's bound
        per mentor group by the carried bound (without `columns`) or the best unstored pair
        with `columns`, whichever is higher — a proved bound at these prices, so later rounds
        carry it from here. Returns the exact violations as `_check_suspects` does."""
        self.rows_rebased += len(rows)
        clock = time.perf_counter()
        self.rebase_pairs += len(rows) * len(columns)
        exclude = np.zeros(self.n_columns, bool)
        exclude[columns] = True
        carried = self._carried_bounds(duals, rows, exclude=exclude, per_group=True)
        group_of = np.searchsorted(self.group_starts, columns, side="right") - 1
        segment = np.flatnonzero(np.diff(group_of, prepend=-1))  # columns are sorted
        position = np.full(self.n_columns, -1, np.int64)
        position[columns] = np.arange(len(columns))
        folded = with_offsets(self.features, duals.offsets) if duals.threshold is None else None
        floor32 = np.float32(-np.inf)
        if duals.threshold is not None:
            floor32 = np.float32(duals.threshold / UNIT - self.features.eps)
        offset32 = duals.offsets[1][columns].astype(np.float32)
        ones = np.ones(self.n_rows, np.int64)
        step = int(max(32, BLOCK_ELEMENTS // max(len(columns), 1)))
        kept_f: list[IntArray] = []
        kept_r: list[IntArray] = []
        kept_reduced: list[Float32Array] = []
        kept_raw: list[Float32Array] = []

        def block(
            start: int,
        ) -> tuple[IntArray, IntArray, IntArray, Float32Array, FloatArray64]:
            chunk = rows[start : start + step]
            if folded is not None:
                reduced = score_block(self.features, chunk, folded, ones[chunk], columns=columns)
            else:
                scores = score_block(self.features, chunk, columns=columns)
                scores[scores < floor32] = -np.inf
                reduced = scores - offset32[None, :]
            # pairs already stored are priced with the stored lists
            counts = np.diff(self.stored.pointer)[chunk]
            stored_mentor = self.stored.mentor[_ranges(self.stored.pointer[chunk], counts)]
            stored_local = np.repeat(np.arange(len(chunk)), counts)
            at = position[stored_mentor]
            reduced[stored_local[at >= 0], at[at >= 0]] = -np.inf
            cut = duals.beta[chunk] - duals.margin - REBASE_SLACK
            cut32 = cut.astype(np.float32)
            lower = cut32.astype(np.float64) > cut
            cut32[lower] = np.nextafter(cut32[lower], np.float32(-np.inf))
            flat = np.flatnonzero(reduced >= cut32[:, None])
            local, at = np.divmod(flat, len(columns))
            local, at, _ = self._cap(reduced, local, at, cut32, REBASE_KEEP)
            values = reduced[local, at]
            reduced[local, at] = -np.inf  # the bound is on the pairs not stored
            rest = np.maximum.reduceat(reduced, segment, axis=1).astype(np.float64)
            return chunk, local, at, values, rest

        starts = range(0, len(rows), step)
        for start, (chunk, local, at, values, rest) in zip(
            starts, in_order(block, starts), strict=True
        ):
            kept_f.append(chunk[local])
            kept_r.append(columns[at])
            kept_reduced.append(values)
            kept_raw.append((values + offset32[at]).astype(np.float32))
            target = carried[start : start + len(chunk)]
            groups = group_of[segment]
            target[:, groups] = np.maximum(target[:, groups], rest)
        f = np.concatenate(kept_f)
        r = np.concatenate(kept_r)
        self._append_pairs(f, r.astype(np.int32), np.concatenate(kept_raw))
        self.rest[rows] = carried
        self.versions.append(duals.offsets)
        self.margins.append(duals.margin)
        self.version[rows] = len(self.versions) - 1
        self.row_level[rows] = 1
        self.phase_seconds["rebase"] += time.perf_counter() - clock
        reduced_all = np.concatenate(kept_reduced).astype(np.float64)
        suspect = reduced_all >= duals.beta[f] - duals.check_margin
        return self._check_suspects(
            f[suspect], r[suspect], reduced_all[suspect], duals, SUSPECTS_PER_ROW
        )

    def _carried_bounds(
        self,
        duals: "Duals",
        rows: IntArray | None = None,
        *,
        exclude: npt.NDArray[np.bool_] | None = None,
        per_group: bool = False,
    ) -> FloatArray64:
        """Per row (all, or `rows`), a proved bound on the reduced score of every pair not
        stored, at the new prices: the stored bound per mentor group plus the group's largest
        price drop. With `exclude`, the bound leaves out those mentors (the caller prices them
        itself); with `per_group`, one bound per row and mentor group instead of their max."""
        if rows is None:
            rows = np.arange(self.n_rows)
        groups = len(self.group_starts)
        bound = np.full((len(rows), groups) if per_group else len(rows), -np.inf)
        version, old_levels, new_levels = (
            self.version[rows],
            self.row_level[rows],
            duals.row_level[rows],
        )
        for version_index in unique_sorted(version).tolist():
            old = self.versions[version_index]
            for old_level in (0, 1):
                for new_level in (0, 1):
                    selected = np.flatnonzero(
                        (version == version_index)
                        & (old_levels == old_level)
                        & (new_levels == new_level)
                    )
                    if not len(selected):
                        continue
                    difference = old[old_level] - duals.offsets[new_level]
                    if new_level == 0:
                        difference = np.where(duals.always, -np.inf, difference)
                    if exclude is not None:
                        difference = np.where(exclude, -np.inf, difference)
                    drop = self._group_max(difference)
                    carried = self.rest[rows[selected]] + drop[None, :]
                    carried += self.margins[version_index]
                    bound[selected] = carried if per_group else carried.max(axis=1)
        return bound

    def price(self, u: IntArray, v: IntArray, *, threshold: int | None) -> tuple[Arcs, int]:
        """Exact violations of the duals over every allowed pair, and the proved gap."""
        started = time.perf_counter()
        duals = self._duals(u, v, threshold)

        # a level-0 row with an allowed pair to a level-0 ("always") mentor: more mentees can
        # be matched. Such a round only hands the solver those pairs (each "always" mentor's
        # best rows): cheap, and prices are not worth pricing against before the count is right
        recompute = np.zeros(self.n_rows, bool)
        level0 = np.flatnonzero(duals.row_level == 0)
        if duals.always.any() and len(level0):
            mask = np.zeros(self.encoding.m, bool)
            mask[self.market.live_mentors[duals.always]] = True
            reach = count_allowed(self.encoding, self.market.free_mentees[level0], mask)
            recompute[level0[reach > 0]] = True
            if recompute.any():
                arcs = self._augmenting_arcs(np.flatnonzero(recompute), duals)
                if len(arcs.f):
                    self.seconds_pricing += time.perf_counter() - started
                    return arcs, 2**62
        bound = self._carried_bounds(duals)
        failing = recompute | ~(bound < duals.beta)

        found = [self._stored_violations(duals, None, SUSPECTS_PER_ROW)]
        unchecked = found[0][4]
        # a failing row with a stored violation waits (its violations go to the solver first,
        # its prices will move anyway); a failing row without one is recomputed now
        has_violation = np.zeros(self.n_rows, bool)
        has_violation[found[0][0]] = True
        rows = np.flatnonzero(failing & ~has_violation)
        if (
            len(rows) > DEFER_SHARE * self.n_rows
            and has_violation.sum() > DEFER_VIOLATIONS * self.n_rows
        ):
            # prices are still far from settled: let the solver digest the stored violations
            # before paying for a pass over most of the matrix
            rows = np.empty(0, np.int64)
        is_row = np.zeros(self.n_rows, bool)
        is_row[rows] = True
        waiting = np.flatnonzero(failing & ~is_row)
        rebased = np.empty(0, np.int64)
        if len(rows) >= COLUMN_MIN_ROWS:
            rows, rebased, columns = self._split_by_columns(rows, duals, recompute)
            if len(rebased):
                found.append(self._rebase(rebased, columns, duals))
                unchecked = np.maximum(unchecked, found[-1][4])
        if len(rows):
            fresh = self._recompute(rows, duals)
            found.append(self._stored_violations(duals, fresh, SUSPECTS_PER_ROW))
            unchecked = np.maximum(unchecked, found[-1][4])

        open_bound = np.zeros(self.n_rows, np.int64)
        if len(rows):  # capped lists leave the rest bounded but not cleared
            excess = (self.rest[rows].max(axis=1) + duals.margin - duals.beta[rows]) * UNIT
            open_bound[rows] = np.ceil(np.clip(excess, 0, 2.0**62)).astype(np.int64)
        if len(rebased):  # stored pairs within the slack were checked; the rest is bounded
            excess = (self.rest[rebased].max(axis=1) + duals.margin - duals.beta[rebased]) * UNIT
            open_bound[rebased] = np.ceil(np.clip(excess, 0, 2.0**62)).astype(np.int64)
        if len(waiting):
            excess = np.where(
                recompute[waiting], np.inf, (bound[waiting] - duals.beta[waiting]) * UNIT
            )
            open_bound[waiting] = np.ceil(np.clip(excess, 0, 2.0**62)).astype(np.int64)
        open_bound = np.maximum(open_bound, unchecked)

        if not sum(len(part[0]) for part in found):
            # nothing to hand the solver, yet some rows are not cleared: settle them fully
            unsettled = np.flatnonzero(open_bound > 0)
            if len(unsettled):
                fresh = self._recompute(unsettled, duals, limit=self.n_columns)
                found.append(self._stored_violations(duals, fresh, None))
                # every possible violation of these rows was kept and checked: what stays
                # open is only what their new bound does not clear (nothing, barring ties)
                excess = (
                    self.rest[unsettled].max(axis=1) + duals.margin - duals.beta[unsettled]
                ) * UNIT
                open_bound[unsettled] = np.ceil(np.clip(excess, 0, 2.0**62)).astype(np.int64)

        f, r, costs, violation = (np.concatenate([part[k] for part in found]) for k in range(4))
        worst = open_bound.copy()
        np.maximum.at(worst, f, violation)
        # the solver gets each row's worst few violations (the gap counts them all)
        order = np.lexsort((-violation, f))
        keep = order[_rank_within(f, order) < self.violations_per_row]
        self.seconds_pricing += time.perf_counter() - started
        return Arcs(f[keep], r[keep], costs[keep]), sum(worst.tolist())

    def _augmenting_arcs(self, rows: IntArray, duals: "Duals") -> Arcs:
        """Allowed pairs between `rows` (level 0) and level-0 mentors — each completes an
        augmenting path — the best few per mentor and per row, with exact scores."""
        columns = np.flatnonzero(duals.always)
        per_column = 16
        found_f: list[IntArray] = []
        found_r: list[IntArray] = []
        best_rows = np.full((per_column, len(columns)), -1, np.int64)
        best_values = np.full((per_column, len(columns)), -np.inf, np.float32)
        step = max(1, BLOCK_ELEMENTS // max(len(columns), 1))
        for start in range(0, len(rows), step):
            chunk = rows[start : start + step]
            block = score_block(self.features, chunk, columns=columns)
            # each row's best such mentor
            top = np.argmax(block, axis=1)
            good = block[np.arange(len(chunk)), top] > -1e11
            found_f.append(chunk[good])
            found_r.append(columns[top[good]])
            # each mentor's best rows so far
            k = min(per_column, len(chunk))
            local = np.argpartition(-block, k - 1, axis=0)[:k]
            values = block[local, np.arange(len(columns))[None, :]]
            merged_values = np.concatenate([best_values, values])
            merged_rows = np.concatenate([best_rows, chunk[local]])
            keep = np.argsort(-merged_values, axis=0, kind="stable")[:per_column]
            best_values = np.take_along_axis(merged_values, keep, axis=0)
            best_rows = np.take_along_axis(merged_rows, keep, axis=0)
        ok = best_values > -1e11
        found_f.append(best_rows[ok])
        found_r.append(np.broadcast_to(columns[None, :], best_rows.shape)[ok])
        f = np.concatenate(found_f)
        r = np.concatenate(found_r)
        keys = unique_sorted(f * (1 << 31) + r)
        f, r = keys >> 31, keys & ((1 << 31) - 1)
        mentee, mentor = self.market.free_mentees[f], self.market.live_mentors[r]
        ok_pairs = allowed(self.encoding, mentee, mentor)
        f, r, mentee, mentor = f[ok_pairs], r[ok_pairs], mentee[ok_pairs], mentor[ok_pairs]
        costs = pair_costs(self.encoding, mentee, mentor)
        self.exact_checks += len(f)
        violation = BIG_M + costs - duals.v[r] - duals.u[f]
        positive = violation > 0
        if duals.threshold is not None:
            positive &= costs >= duals.threshold
        return Arcs(f[positive], r[positive], costs[positive])

    def greedy(
        self, residual: IntArray, *, seed: int | None
    ) -> tuple[IntArray, IntArray, IntArray, dict[str, float]]:
        clock = time.perf_counter()
        result = _greedy(self, residual, seed)
        self.greedy_seconds += time.perf_counter() - clock
        return result

    def cover_violations(self, arcs: Arcs, best: int, threshold: int) -> Arcs | None:
        return _cover_violations(self, arcs, best, threshold)

    def _duals(self, u: IntArray, v: IntArray, threshold: int | None) -> "Duals":
        row_level, beta, offsets, column_level, sentinel = self._levels(u, v)
        margin = self._margin(sentinel)
        return Duals(
            u=u,
            v=v,
            row_level=row_level,
            beta=beta,
            offsets=offsets,
            always=column_level == 0,
            margin=margin,
            check_margin=max(*self.margins, margin),
            threshold=threshold,
        )


@dataclass
class Duals:
    """The duals of one round as the pricer uses them (see `BlockPricer._levels`)."""

    u: IntArray
    v: IntArray
    row_level: IntArray
    beta: FloatArray64
    offsets: tuple[FloatArray64, FloatArray64]
    always: npt.NDArray[np.bool_]  # level-0 mentors: any allowed pair with a level-0 row violates
    margin: float  # float error bound of a block computed at these prices
    check_margin: float  # the same for a stored score from any earlier pass
    threshold: int | None


# ---------------------------------------------------------------------------------------------
# pairs in descending score order (STABLE and the greedy baseline), and min-cut crossings (FAIR)

GREEDY_LIST = 64
REFILL_BATCH = 4096
REFILL_WINDOW = 0.5  # score units
LOW_WATER = 2  # a list down to 1/LOW_WATER of its length is rebuilt with the next batch


def _greedy(
    pricer: BlockPricer, residual: IntArray, seed: int | None
) -> tuple[IntArray, IntArray, IntArray, dict[str, float]]:
    """Take pairs in descending (score, tie-break) order while both sides have room — the same
    order, pair for pair, as `ExactPricer.greedy`.

    Each row holds a short list of its best pairs (exact scores) and a *bound*: an exact upper
    bound, in units, on the score of every allowed pair it has not listed (the best unlisted
    float score + eps). The float only chooses what to list; every comparison that decides the
    order is between exact integer scores. A row offers its best listed pair to the heap only
    when that pair scores strictly above the row's bound — then no unlisted pair can outrank
    it, whatever the tie-break; otherwise (a near-tie or a tie with an unlisted pair, or an
    empty list) a sentinel keyed at the bound waits in a second heap. When a sentinel is at
    least the best offered pair, its row is rebuilt (with the rows whose sentinels are close
    behind, in one batch) from its mentors that still have room, down to a cut at least 2 eps
    below its old bound, so every rebuild lowers the bound and the order stays exact.
    """
    import heapq

    from tandem.matching.engine.pricing import tie_break

    market, encoding = pricer.market, pricer.encoding
    room = residual.astype(np.int64).copy()
    n_rows, n_columns = pricer.n_rows, pricer.n_columns
    matched_to = np.full(n_rows, -1, np.int64)
    matched_cost = np.zeros(n_rows, np.int64)
    # every list ever filled, one after another (a row's pairs worst first); a row's live
    # list is flat[low[row] .. top[row]], its best pair at top[row] (empty when top < low)
    flat_cost: list[int] = []
    flat_tie: list[int] = []
    flat_mentor: list[int] = []
    low = [0] * n_rows
    top = [-1] * n_rows
    no_pair = -(2**62)
    bounds = np.full(n_rows, no_pair, np.int64)  # units; no_pair: nothing left unlisted
    # offered pairs: (-cost, -tie, row, mentor, generation)
    heap: list[tuple[int, int, int, int, int]] = []
    sentinels: list[tuple[int, int, int]] = []  # rows to rebuild: (-bound, row, generation)
    generation = [0] * n_rows  # bumped on each rebuild; stale entries skip
    remaining = np.zeros(n_rows, np.int64)  # pairs left in each row's list
    low_water = np.zeros(n_rows, np.int64)  # a share of what the row's last fill listed
    window_units = int(REFILL_WINDOW * UNIT)
    eps = pricer.features.eps
    eps_units = int(np.ceil(eps * UNIT)) + 1
    refills = 0
    batches = 0

    def ties(rows: IntArray, mentors: IntArray) -> IntArray:
        mentee_ids = market.free_mentees[rows]
        mentor_ids = market.live_mentors[mentors]
        if seed is None:  # lower mentee, then lower mentor index first
            result: IntArray = -(mentee_ids * encoding.m + mentor_ids)
            return result
        return tie_break(mentee_ids, mentor_ids, seed)

    def fill(rows: IntArray, first: bool) -> None:
        """(Re)build each row's list: its pairs with mentors that have room, scoring at least
        a cut (about its `GREEDY_LIST`-th best; on a rebuild, 2 eps or more below its old
        bound, and no cap), and its new bound on everything else."""
        nonlocal refills, batches
        refills += len(rows)
        batches += 1
        full = np.flatnonzero(room == 0)
        rank = max(1, round(GREEDY_LIST * len(pricer.sample) / max(n_columns, 1)))
        found_rows: list[IntArray] = []
        found_mentors: list[IntArray] = []
        for start in range(0, len(rows), pricer.block_rows):
            chunk = rows[start : start + pricer.block_rows]
            block = score_block(pricer.features, chunk)
            block[:, full] = -np.inf
            sample_values = block[:, pricer.sample]
            if rank <= sample_values.shape[1]:
                estimate = -np.partition(-sample_values, rank - 1, axis=1)[:, rank - 1]
            else:
                estimate = np.full(len(chunk), -np.inf, np.float32)
            cut = np.nextafter(estimate.astype(np.float64), -np.inf)
            limit = 2 * GREEDY_LIST
            if not first:  # far enough below the old bound that the new one is lower
                cut = np.minimum(cut, bounds[chunk] / UNIT - 2 * eps - 2.0 / UNIT)
                limit = n_columns
            cut32 = cut.astype(np.float32)
            lower = cut32.astype(np.float64) > cut  # round down: "below the cut" stays proved
            cut32[lower] = np.nextafter(cut32[lower], np.float32(-np.inf))
            flat = np.flatnonzero(block >= cut32[:, None])
            local, mentor = np.divmod(flat, n_columns)
            crowded = np.bincount(local, minlength=len(chunk)) > limit
            local, mentor, cut32 = pricer._cap(block, local, mentor, cut32, limit)
            found_rows.append(chunk[local])
            found_mentors.append(mentor.astype(np.int64))
            # the best float among the pairs not listed (below the cut, or dropped by the cap)
            block.reshape(-1)[flat] = -np.inf
            unlisted = block.max(axis=1, initial=-np.inf).astype(np.float64)
            unlisted = np.where(crowded, np.maximum(unlisted, cut32), unlisted)
            some = unlisted > -1e11  # forbidden and language-blocked pairs sit far below
            bound = np.full(len(chunk), no_pair, np.int64)
            bound[some] = np.ceil(unlisted[some] * UNIT).astype(np.int64) + eps_units
            bounds[chunk] = bound
        row_of = np.concatenate(found_rows)
        mentors = np.concatenate(found_mentors)
        mentee_ids = market.free_mentees[row_of]
        mentor_ids = market.live_mentors[mentors]
        ok = allowed(encoding, mentee_ids, mentor_ids)
        row_of, mentors = row_of[ok], mentors[ok]
        costs = pair_costs(encoding, market.free_mentees[row_of], market.live_mentors[mentors])
        tie = ties(row_of, mentors)
        order = np.lexsort((tie, costs, row_of))  # within a row: worst first, best on top
        sorted_rows = row_of[order]
        base = len(flat_cost)
        flat_cost.extend(costs[order].tolist())
        flat_tie.extend(tie[order].tolist())
        flat_mentor.extend(mentors[order].tolist())
        starts = base + np.searchsorted(sorted_rows, rows, "left")
        ends = base + np.searchsorted(sorted_rows, rows, "right")
        remaining[rows] = ends - starts
        low_water[rows] = (ends - starts) // LOW_WATER
        for row, start, end in zip(rows.tolist(), starts.tolist(), ends.tolist(), strict=True):
            low[row] = start
            top[row] = end - 1
            generation[row] += 1
            push(row)

    def push(row: int) -> None:
        best = top[row]
        if best >= low[row] and flat_cost[best] > bounds[row]:
            heapq.heappush(
                heap, (-flat_cost[best], -flat_tie[best], row, flat_mentor[best], generation[row])
            )
        elif bounds[row] > no_pair:  # an unlisted pair may come first: rebuild the row
            heapq.heappush(sentinels, (-int(bounds[row]), row, generation[row]))

    fill(np.arange(n_rows, dtype=np.int64), first=True)
    while heap or sentinels:
        if sentinels and (not heap or sentinels[0][0] <= heap[0][0]):
            # a row's unlisted pairs may outrank or tie every offered one: rebuild it first —
            # and with it every row whose sentinel is within `REFILL_WINDOW` of the top
            # (rebuilding early only lists more; one product for many rows is far cheaper)
            reach = (heap[0][0] if heap else sentinels[0][0]) + window_units
            batch: list[int] = []
            while sentinels and sentinels[0][0] <= reach and len(batch) < REFILL_BATCH:
                _, row, stamp = heapq.heappop(sentinels)
                if stamp == generation[row] and matched_to[row] < 0:
                    batch.append(row)
            if batch:
                # rows whose lists are running low join the batch: rebuilt now, in the same
                # product, rather than one by one later
                running_low = np.flatnonzero(
                    (remaining <= low_water)
                    & (low_water > 0)
                    & (matched_to < 0)
                    & (bounds > no_pair)
                )[:REFILL_BATCH]
                together = np.union1d(np.asarray(batch, np.int64), running_low)
                fill(together.astype(np.int64), first=False)
            continue
        negative_cost, _, row, mentor, stamp = heapq.heappop(heap)
        if stamp != generation[row]:
            continue  # offered before its row was rebuilt (the rebuilt list offers again)
        top[row] -= 1
        remaining[row] -= 1
        if room[mentor] > 0:
            room[mentor] -= 1
            matched_to[row] = mentor
            matched_cost[row] = -negative_cost
        else:
            push(row)
    rows = np.flatnonzero(matched_to >= 0)
    return (
        market.free_mentees[rows],
        market.live_mentors[matched_to[rows]],
        matched_cost[rows],
        {"rows_refilled": float(refills), "refill_products": float(batches)},
    )


def _cover_violations(pricer: BlockPricer, arcs: Arcs, best: int, threshold: int) -> Arcs | None:
    """Allowed pairs scoring >= threshold that cross the min cut of `arcs` (whose max flow is
    below `best`); None when there are none, which proves no matching of `best` pairs scoring
    >= threshold exists: that cut bounds the whole problem's max flow too.

    The float block only picks suspects (a pair scoring >= threshold has a float score >=
    threshold - eps); each row's best `SUSPECTS_PER_ROW` are checked with the exact score. Only
    when none of those is a crossing pair are the remaining suspects of the rows that had more
    checked too (all of them: near-ties below the threshold can outnumber any list), so None
    is only ever answered after every suspect was checked exactly."""
    from tandem.matching.engine.flow import minimum_cut

    _, source_rows, source_columns = minimum_cut(
        pricer.n_rows, pricer.market.residual, arcs.f, arcs.r
    )
    rows = np.flatnonzero(source_rows)
    if not len(rows):
        return None
    known = np.sort(arcs.keys)
    floor = np.float32(threshold / UNIT - pricer.features.eps)

    def suspects(chunk: IntArray) -> tuple[IntArray, IntArray, Float32Array]:
        block = score_block(pricer.features, chunk)
        block[:, source_columns] = -np.inf
        local, mentor = np.divmod(np.flatnonzero(block >= floor), pricer.n_columns)
        return local, mentor.astype(np.int64), block[local, mentor]

    def crossing(f: IntArray, r: IntArray) -> Arcs:
        new = ~member(known, f * (1 << 31) + r)  # sorted keys: no hashing of int64
        f, r = f[new], r[new]
        mentee, mentor = pricer.market.free_mentees[f], pricer.market.live_mentors[r]
        ok = allowed(pricer.encoding, mentee, mentor)
        f, r, mentee, mentor = f[ok], r[ok], mentee[ok], mentor[ok]
        costs = pair_costs(pricer.encoding, mentee, mentor)
        pricer.exact_checks += len(f)
        high = costs >= threshold
        return Arcs(f[high], r[high], costs[high])

    found_f: list[IntArray] = []
    found_r: list[IntArray] = []
    crowded: list[IntArray] = []  # rows with more suspects than were checked
    for start in range(0, len(rows), pricer.block_rows):
        chunk = rows[start : start + pricer.block_rows]
        local, mentor, values = suspects(chunk)
        order = np.lexsort((-values, local))
        rank = _rank_within(local, order)
        keep = order[rank < SUSPECTS_PER_ROW]
        crowded.append(chunk[unique_sorted(local[order[rank == SUSPECTS_PER_ROW]])])
        found_f.append(chunk[local[keep]])
        found_r.append(mentor[keep])
    result = crossing(np.concatenate(found_f), np.concatenate(found_r))
    if len(result.f):
        return result
    rest = np.concatenate(crowded)
    for start in range(0, len(rest), pricer.block_rows):
        chunk = rest[start : start + pricer.block_rows]
        local, mentor, _ = suspects(chunk)
        result = crossing(chunk[local], mentor)
        if len(result.f):
            return result
    return None
