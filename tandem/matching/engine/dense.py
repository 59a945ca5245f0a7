"""The fast scorer: score ~= A[f] . B[r] in float32, for whole blocks of the score matrix at once.

Every criterion except PREFERRED is a bilinear form of non-negative numbers:
- skills: A = weight x (wanted / number wanted), B = offered (0/1);
- goals: A = weight x the mentee's TF-IDF weights, B = the mentor's (same float32 numbers the
  exact score uses);
- each table criterion (seniority, department, timezone, language, every question):
  A = weight x values[mentee class, :], B = one-hot of the mentor's class.
PREFERRED is added per block from its sparse list, forbidden pairs are set to -inf, and when a
shared language is required the language table carries -1e12 for "no language in common", so
such pairs fall below anything a solver compares with.

Float32 is not exact, so every use of a block is guarded by `eps`, a proved bound on
|block score - exact score| for allowed pairs: the float32 rounding of A's entries and the
accumulation of d non-negative products (the classical bound (d + 1) u sum|a_k b_k|, u = 2^-24),
the 2^-21-per-criterion rounding of the exact score, and the clamp of a cosine to 1. Whatever is
decided from a block is either safe by more than `eps` or re-checked with the exact score.
"""

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from tandem.matching.engine.features import CRITERIA, UNIT, Encoding, Table
from tandem.matching.engine.problem import Criterion, IntArray

Float32Array = npt.NDArray[np.float32]
LANGUAGE_PENALTY = 1e12
FORBIDDEN = np.float32(-1e30)


@dataclass
class DenseFeatures:
    mentee: Float32Array  # (free mentees x d)
    mentor_t: Float32Array  # (d x live mentors), C-contiguous for `mentee @ mentor_t`
    eps: float  # bound on |fast - exact| score for allowed pairs, in score units
    preferred_f: IntArray  # preferred pairs in compact indices, sorted by f
    preferred_r: IntArray
    preferred_weight: float
    forbidden_f: IntArray  # explicitly forbidden pairs in compact indices, sorted by f
    forbidden_r: IntArray

    @property
    def dimensions(self) -> int:
        return int(self.mentee.shape[1])


def _bits_dense(bitsets: npt.NDArray[np.uint64], width: int) -> npt.NDArray[np.uint8]:
    as_bytes = np.ascontiguousarray(bitsets).view(np.uint8)
    result: npt.NDArray[np.uint8] = np.unpackbits(as_bytes, axis=1, bitorder="little")[:, :width]
    return result


def _table_block(
    table: Table, weight: float, free: IntArray, live: IntArray, penalty: bool = False
) -> tuple[Float32Array, Float32Array]:
    values = weight * table.values
    if penalty:
        values = np.where(table.values > 0, values, -LANGUAGE_PENALTY)
    used = np.unique(table.mentor_class[live])
    mentee_part = values[table.mentee_class[free]][:, used].astype(np.float32)
    position = np.full(table.values.shape[1], -1, np.int64)
    position[used] = np.arange(len(used))
    mentor_part = np.zeros((len(live), len(used)), np.float32)
    mentor_part[np.arange(len(live)), position[table.mentor_class[live]]] = 1.0
    return mentee_part, mentor_part


def _compact_pairs(
    keys: IntArray, m: int, free: IntArray, live: IntArray, n: int
) -> tuple[IntArray, IntArray]:
    mentee_position = np.full(n, -1, np.int64)
    mentee_position[free] = np.arange(len(free))
    mentor_position = np.full(m, -1, np.int64)
    mentor_position[live] = np.arange(len(live))
    f = mentee_position[keys // m] if len(keys) else np.empty(0, np.int64)
    r = mentor_position[keys % m] if len(keys) else np.empty(0, np.int64)
    keep = (f >= 0) & (r >= 0)
    f, r = f[keep], r[keep]
    order = np.lexsort((r, f))
    return f[order], r[order]


def dense_features(encoding: Encoding, free: IntArray, live: IntArray) -> DenseFeatures:
    weight = dict(zip(CRITERIA, encoding.weights.tolist(), strict=True))
    mentee_parts: list[Float32Array] = []
    mentor_parts: list[Float32Array] = []

    if weight[Criterion.SKILLS] > 0:
        width = encoding.skills_wanted.shape[1] * 64
        wanted = _bits_dense(encoding.skills_wanted[free], width).astype(np.float64)
        count = np.maximum(wanted.sum(axis=1, keepdims=True), 1.0)
        offered = _bits_dense(encoding.skills_offered[live], width)
        used = np.flatnonzero(wanted.any(axis=0) & offered.any(axis=0))
        mentee_parts.append((weight[Criterion.SKILLS] * wanted[:, used] / count).astype(np.float32))
        mentor_parts.append(offered[:, used].astype(np.float32))

    if weight[Criterion.GOALS] > 0 and encoding.text.n_terms:
        text = encoding.text
        mentee_text = np.zeros((len(free), text.mentor_dense.shape[0]), np.float64)
        rows = np.repeat(np.arange(len(free)), text.mentee_terms.shape[1])
        np.add.at(
            mentee_text,
            (rows, text.mentee_terms[free].reshape(-1)),
            text.mentee_weights[free].reshape(-1).astype(np.float64),
        )
        mentee_parts.append((weight[Criterion.GOALS] * mentee_text).astype(np.float32))
        mentor_parts.append(np.ascontiguousarray(text.mentor_dense[:, live].T))

    tables = [
        (encoding.seniority, weight[Criterion.SENIORITY], False),
        (encoding.department, weight[Criterion.DEPARTMENT], False),
        (encoding.timezone, weight[Criterion.TIMEZONE], False),
        (encoding.language, weight[Criterion.LANGUAGE], encoding.require_shared_language),
    ]
    if encoding.questions:
        share = weight[Criterion.QUESTIONS] / len(encoding.questions)
        tables += [(table, share, False) for table in encoding.questions]
    for table, table_weight, penalty in tables:
        if table_weight > 0 or penalty:
            mentee_part, mentor_part = _table_block(table, table_weight, free, live, penalty)
            mentee_parts.append(mentee_part)
            mentor_parts.append(mentor_part)

    if not mentee_parts:
        mentee_parts.append(np.zeros((len(free), 1), np.float32))
        mentor_parts.append(np.zeros((len(live), 1), np.float32))
    # two columns reserved for the price offsets `score_block` can fold into the product; BLAS
    # is markedly faster when the inner dimension is a multiple of 16
    padding = 2 + (-(sum(part.shape[1] for part in mentee_parts) + 2) % 16)
    mentee_parts.append(np.zeros((len(free), padding), np.float32))
    mentor_parts.append(np.zeros((len(live), padding), np.float32))
    mentee = np.ascontiguousarray(np.concatenate(mentee_parts, axis=1))
    mentor_t = np.ascontiguousarray(np.concatenate(mentor_parts, axis=1).T)
    dimensions = mentee.shape[1]
    largest = float(encoding.weights.sum())
    unit_roundoff = 2.0**-24
    eps = (
        (dimensions + 2) * unit_roundoff * largest * 1.01
        + len(CRITERIA) * 0.5 / UNIT
        + weight[Criterion.GOALS] * 1e-6
        + 1e-9
    )
    preferred_f, preferred_r = _compact_pairs(
        encoding.preferred_keys, encoding.m, free, live, encoding.n
    )
    forbidden_f, forbidden_r = _compact_pairs(
        encoding.forbidden_keys, encoding.m, free, live, encoding.n
    )
    return DenseFeatures(
        mentee=mentee,
        mentor_t=mentor_t,
        eps=eps,
        preferred_f=preferred_f,
        preferred_r=preferred_r,
        preferred_weight=weight[Criterion.PREFERRED],
        forbidden_f=forbidden_f,
        forbidden_r=forbidden_r,
    )


def with_offsets(
    features: DenseFeatures, offsets: tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]
) -> Float32Array:
    """The mentor matrix with the two reserved rows holding a price offset per row level, so a
    block comes out as reduced scores (score - offset of the row's level) in one product."""
    mentor_t = features.mentor_t.copy()
    mentor_t[-2] = offsets[0].astype(np.float32)
    mentor_t[-1] = offsets[1].astype(np.float32)
    return mentor_t


def score_block(
    features: DenseFeatures,
    rows: IntArray,
    mentor_t: Float32Array | None = None,
    level: IntArray | None = None,
    columns: IntArray | None = None,
) -> Float32Array:
    """Fast scores of the given free-mentee rows against every live mentor (forbidden: -1e30),
    or only against `columns`. With `mentor_t` from `with_offsets` and each row's `level`,
    reduced scores instead."""
    mentee = features.mentee[rows]
    if mentor_t is None:
        mentor_t = features.mentor_t
    elif level is not None:
        mentee[:, -2] = -(level == 0).astype(np.float32)
        mentee[:, -1] = -(level == 1).astype(np.float32)
    column_position = None
    if columns is not None:
        mentor_t = mentor_t[:, columns]
        column_position = np.full(features.mentor_t.shape[1], -1, np.int64)
        column_position[columns] = np.arange(len(columns))
    block: Float32Array = mentee @ mentor_t
    position = np.full(int(rows.max(initial=-1)) + 1, -1, np.int64)
    position[rows] = np.arange(len(rows))
    for pairs_f, pairs_r, action in (
        (features.preferred_f, features.preferred_r, "add"),
        (features.forbidden_f, features.forbidden_r, "forbid"),
    ):
        if not len(pairs_f):
            continue
        low = np.searchsorted(pairs_f, rows.min(initial=0))
        high = np.searchsorted(pairs_f, rows.max(initial=-1), side="right")
        f, r = pairs_f[low:high], pairs_r[low:high]
        if column_position is not None:
            r = column_position[r]
            f = f[r >= 0]
            r = r[r >= 0]
        local = position[f]
        keep = local >= 0
        if action == "add":
            np.add.at(block, (local[keep], r[keep]), np.float32(features.preferred_weight))
        else:
            block[local[keep], r[keep]] = FORBIDDEN
    return block
