"""TF-IDF of free text (mentee goals, mentor bio + goals), built with scipy.sparse only.

The rule, so a number can be reproduced by hand:
- tokens are runs of letters/digits (Unicode aware, plus "+" and "#" so "C++" and "C#" survive),
  lower-cased; English stop words and one-character tokens are dropped;
- a term's weight in a document is (1 + ln count) x idf, idf = ln((1 + N) / (1 + df)) + 1 over
  the N documents of both sides together;
- only terms that occur on both sides can make two texts similar, so the vocabulary kept for
  scoring is those shared terms (at most `MAX_TERMS`, the most frequent first); each document's
  vector is L2-normalised over *all* its terms first, so a long text with one shared word still
  scores low;
- weights are stored as float32; the similarity of a pair is the dot product of its two vectors
  (accumulated in float64, clamped to [0, 1]).
"""

import re
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse

MAX_TERMS = 1024

_TOKEN = re.compile(r"[^\W_][\w+#]*")

_STOP_WORDS_TEXT = """
    a about above after again against all am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further
    had has have having he her here hers herself him himself his how i if in into is it its itself
    just me more most my myself no nor not now of off on once only or other our ours ourselves out
    over own same she should so some such than that the their theirs them themselves then there
    these they this those through to too under until up very was we were what when where which
    while who whom why will with would you your yours yourself yourselves want wants like get
    also really help better more much im ive id"""
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())


def tokenize(text: str) -> list[str]:
    return [
        token
        for token in _TOKEN.findall((text or "").lower())
        if len(token) > 1 and token not in STOP_WORDS
    ]


@dataclass
class TextVectors:
    """Both sides' TF-IDF vectors over the shared vocabulary.

    mentee_terms / mentee_weights: (n x L) padded lists (term index, weight), weight 0 = padding.
    mentor_dense: (max(n_terms, 1) x m) float32, the mentors' weights per term (a column per
    mentor).
    """

    terms: list[str]
    mentee_terms: npt.NDArray[np.int32]
    mentee_weights: npt.NDArray[np.float32]
    mentor_dense: npt.NDArray[np.float32]

    @property
    def n_terms(self) -> int:
        return len(self.terms)


def _count_matrix(texts: list[str], vocabulary: dict[str, int]) -> sparse.csr_matrix:
    columns: list[int] = []
    lengths: list[int] = []
    for text in texts:
        tokens = [vocabulary.setdefault(token, len(vocabulary)) for token in tokenize(text)]
        columns.extend(tokens)
        lengths.append(len(tokens))
    rows = np.repeat(np.arange(len(texts), dtype=np.int64), np.asarray(lengths, np.int64))
    counts = sparse.coo_matrix(
        (np.ones(len(columns)), (rows, np.asarray(columns, np.int64))),
        shape=(len(texts), max(len(vocabulary), 1)),
    ).tocsr()
    counts.sum_duplicates()
    return counts


def _tfidf(counts: sparse.csr_matrix, idf: npt.NDArray[np.float64]) -> sparse.csr_matrix:
    weights = counts.copy()
    weights.data = (1.0 + np.log(weights.data)) * idf[weights.indices]
    norms = np.sqrt(np.asarray(weights.multiply(weights).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    result: sparse.csr_matrix = sparse.csr_matrix(sparse.diags(1.0 / norms) @ weights)
    return result


def build_text_vectors(mentee_text: list[str], mentor_text: list[str]) -> TextVectors:
    vocabulary: dict[str, int] = {}
    mentee_counts = _count_matrix(mentee_text, vocabulary)
    mentor_counts = _count_matrix(mentor_text, vocabulary)
    size = max(len(vocabulary), 1)
    mentee_counts.resize((len(mentee_text), size))
    mentor_counts.resize((len(mentor_text), size))
    mentee_df = np.bincount(mentee_counts.indices, minlength=size)
    mentor_df = np.bincount(mentor_counts.indices, minlength=size)
    total = len(mentee_text) + len(mentor_text)
    idf = np.log((1.0 + total) / (1.0 + mentee_df + mentor_df)) + 1.0
    mentee_weights_all = _tfidf(mentee_counts, idf)
    mentor_weights_all = _tfidf(mentor_counts, idf)

    names = [""] * size
    for term, position in vocabulary.items():
        names[position] = term
    shared = np.flatnonzero((mentee_df > 0) & (mentor_df > 0))
    order = sorted(
        shared.tolist(), key=lambda term: (-(mentee_df[term] + mentor_df[term]), names[term])
    )
    kept = np.asarray(order[:MAX_TERMS], np.int64)
    terms = [names[term] for term in kept]

    mentee_kept = mentee_weights_all[:, kept].tocsr()
    mentee_kept.sort_indices()
    lengths = np.diff(mentee_kept.indptr)
    width = max(int(lengths.max(initial=0)), 1)
    mentee_terms = np.zeros((len(mentee_text), width), np.int32)
    mentee_weights = np.zeros((len(mentee_text), width), np.float32)
    rows = np.repeat(np.arange(len(mentee_text)), lengths)
    columns = np.arange(mentee_kept.nnz) - np.repeat(mentee_kept.indptr[:-1], lengths)
    mentee_terms[rows, columns] = mentee_kept.indices
    mentee_weights[rows, columns] = mentee_kept.data
    mentor_dense = np.ascontiguousarray(mentor_weights_all[:, kept].toarray().T.astype(np.float32))
    if not len(terms):  # keep one all-zero row so padded term index 0 is always valid
        mentor_dense = np.zeros((1, len(mentor_text)), np.float32)
    return TextVectors(terms, mentee_terms, mentee_weights, mentor_dense)
