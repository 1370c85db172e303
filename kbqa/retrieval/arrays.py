"""Numpy helpers for per-query scoring: without per-query allocation over the whole corpus, and the channels'
scalings (min-max, reciprocal rank, peak)."""
from __future__ import annotations

import threading

import numpy as np


class ScratchArray(threading.local):
    """An array per thread, allocated once, so that a query can write and read the entries of its few ids
    without allocating (and zeroing) one entry per chunk or unit. It starts all zeros; a user that sums into
    it puts the zeros back where it wrote."""

    def __init__(self, size: int, dtype) -> None:
        self.array = np.zeros(size, dtype=dtype)


def sorted_unique(ids: np.ndarray) -> np.ndarray:
    """np.unique of integer ids, by sorting and keeping each first occurrence (np.unique itself takes a much
    slower general path on integer arrays)."""
    ids = np.sort(ids)
    keep = np.empty(len(ids), dtype=bool)
    keep[:1] = True
    np.not_equal(ids[1:], ids[:-1], out=keep[1:])
    return ids[keep]


def best_of_units(units: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each unit's best chunk score: (units ascending, max score), from per-chunk units and scores."""
    if not len(units):
        return units, scores
    if (units[1:] < units[:-1]).any():  # chunk ids ascending (lexical) already give units ascending
        order = np.argsort(units, kind="stable")
        units, scores = units[order], scores[order]
    first = np.flatnonzero(np.concatenate(([True], units[1:] != units[:-1])))
    return units[first], np.maximum.reduceat(scores, first)


def rrf(scores: np.ndarray, k: float) -> np.ndarray:
    """Reciprocal-rank scores; units that the channel did not match at all get nothing."""
    order = np.argsort(-scores, kind="stable")
    ranks = np.empty(len(scores), dtype=np.float64)
    ranks[order] = np.arange(1, len(scores) + 1)
    out = 1.0 / (k + ranks)
    out[scores <= 0] = 0.0
    return out


def peak(scores: np.ndarray) -> float:
    if len(scores) < 3:
        return 0.0
    sd = float(scores.std())
    return float((scores.max() - scores.mean()) / sd) if sd > 1e-9 else 0.0


def minmax(scores: np.ndarray) -> np.ndarray:
    """Scale a channel to [0, 1] over the units it matched; unmatched units get 0."""
    matched = scores > 0
    if not matched.any():
        return np.zeros(len(scores), dtype=np.float64)
    lo, hi = float(scores[matched].min()), float(scores[matched].max())
    out = np.zeros(len(scores), dtype=np.float64)
    out[matched] = (scores[matched] - lo) / (hi - lo) if hi > lo else 1.0
    return out


def find_sorted(sorted_ids: np.ndarray, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each of ids: is it in sorted_ids, and where (positions are only meaningful where found)."""
    if not len(sorted_ids):
        return np.zeros(len(ids), dtype=bool), np.zeros(len(ids), dtype=np.int64)
    pos = np.minimum(np.searchsorted(sorted_ids, ids), len(sorted_ids) - 1)
    return sorted_ids[pos] == ids, pos


def top_pairs(ids: np.ndarray, scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The k best (id, score) pairs, best first, ties by id, sorting only those that reach the k-th score."""
    if len(scores) > k:
        keep = scores >= np.partition(scores, len(scores) - k)[len(scores) - k]
        ids, scores = ids[keep], scores[keep]
    order = np.lexsort((ids, -scores))[:k]
    return ids[order], scores[order]
