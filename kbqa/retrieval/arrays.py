"""Numpy helpers for per-query scoring without per-query allocation over the whole corpus."""
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
