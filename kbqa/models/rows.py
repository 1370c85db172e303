"""A table of fixed-size rows read from a file a few rows at a time (``os.pread``), instead of mapped.

The models' embedding tables (e5's word rows, USE's token rows) are tens of MB, and a question needs a few
dozen rows. Mapped, every row a question touches stays in the process's RSS (with readahead, its neighbours
too): measured, +57 MB for e5's table and +24 MB for USE's over the eval questions. Read, the rows are copied
and dropped; the kernel's page cache still keeps the file warm, outside the process."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np


class RowFile:
    """``rows[ids]``: the rows of an integer id array, in its shape (+ the row's); thread-safe."""

    def __init__(self, path: Path, dtype: np.dtype, offset: int = 0, shape: tuple[int, ...] = ()) -> None:
        self.dtype = np.dtype((dtype, shape)) if shape else np.dtype(dtype)
        self.offset = offset
        self._fd = os.open(path, os.O_RDONLY)
        self.rows = (os.fstat(self._fd).st_size - offset) // self.dtype.itemsize

    @classmethod
    def npy(cls, path: Path) -> "RowFile":
        """The rows of a 2-D ``.npy`` file (as ``np.load(path, mmap_mode="r")`` would give them)."""
        mapped = np.load(path, mmap_mode="r")
        try:
            return cls(path, mapped.dtype, int(mapped.offset), tuple(mapped.shape[1:]))
        finally:
            mapped._mmap.close()

    @property
    def shape(self) -> tuple[int, ...]:
        return (self.rows, *self.dtype.shape)

    def __len__(self) -> int:
        return self.rows

    def __getitem__(self, ids) -> np.ndarray:
        ids = np.asarray(ids)
        if ids.dtype.kind not in "iu":
            raise TypeError("RowFile takes an integer id array")
        unique, where = np.unique(ids.ravel(), return_inverse=True)
        if len(unique) and (unique[0] < 0 or unique[-1] >= self.rows):
            raise IndexError(f"row id out of range 0..{self.rows - 1}")
        size = self.dtype.itemsize
        data = b"".join(os.pread(self._fd, size, self.offset + int(i) * size) for i in unique)
        base = np.frombuffer(data, dtype=self.dtype.base if self.dtype.shape else self.dtype)
        rows = base.reshape(len(unique), *self.dtype.shape)
        return rows[where].reshape(*ids.shape, *self.dtype.shape)

    def __del__(self) -> None:
        fd = getattr(self, "_fd", None)
        if fd is not None:
            try:
                os.close(fd)
            except OSError:
                pass
