"""The dev sets' questions, remembered: a user's whole question much nearer one the FAQ does not cover than any it
does ("容器平台要过等保三级，测评要准备啥" beside a dev question on 等保 testing) is not covered either.

The scope model (kbqa.answer.scope) draws one line through the sentence-vector space; the same near-domain subjects
come back in other words (dockershim, IPv6 dual stack, 等保三级, how many etcd nodes), and one line cannot hold them
all. The memory keeps the e5 vectors of the questions the scope model learns from, in scope or not, and vetoes a
question whose nearest out-of-scope question is nearer than its nearest in-scope one by more than ``line``. The line
is set like the scope model's: each eval file left out in turn (its questions judged by the memory of the others), at
most ``MAX_FALSE_VETO`` of the in-scope dev questions the decision and the scope model answer would be refused. It only
vetoes, and only whole questions (``decide.outside_scope``). `kbqa calibrate` fits it; `--only memory` keeps the rest.
"""
from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kbqa.answer.scope import MAX_FALSE_VETO
from kbqa.errors import KbqaError


@dataclass(frozen=True)
class Memory:
    vectors: np.ndarray  # (n, dim) float32, rows of unit length
    inside: np.ndarray  # (n,) bool: the question is in scope
    line: float

    def margin(self, qvec) -> float:
        """How much nearer the question's nearest out-of-scope question is than its nearest in-scope one, minus the
        line: above 0, the question is not covered. -inf for a vector of another size."""
        v = np.asarray(qvec, dtype=np.float32).ravel()
        if v.shape[0] != self.vectors.shape[1]:
            return -math.inf
        s = self.vectors @ (v / (np.linalg.norm(v) or 1.0))
        return float(s[~self.inside].max(initial=-1.0) - s[self.inside].max(initial=-1.0) - self.line)

    @classmethod
    def load(cls, folder: Path, entry: dict, dim: int) -> "Memory":
        """The memory an entry of calibration.json names (its file beside it); a clear error when the file is missing,
        damaged or of another model."""
        path = Path(folder) / str(entry.get("file", ""))
        try:
            data = path.read_bytes()
            if hashlib.sha256(data).hexdigest() != entry.get("sha256"):
                raise ValueError("its checksum differs from calibration.json's")
            with np.load(path) as z:
                vectors, inside = z["vectors"].astype(np.float32), z["inside"].astype(bool)
        except (OSError, ValueError, KeyError) as e:
            raise KbqaError(f"{path}: the scope memory cannot be read ({e}); run `kbqa calibrate --only memory`") from None
        if vectors.ndim != 2 or vectors.shape[1] != dim or len(inside) != len(vectors):
            raise KbqaError(f"{path}: the scope memory holds vectors of another model; run `kbqa calibrate --only memory`")
        return cls(vectors, inside, float(entry["line"]))


def _unit_rows(E: np.ndarray) -> np.ndarray:
    E = np.asarray(E, dtype=np.float32)
    return E / np.maximum(np.linalg.norm(E, axis=1, keepdims=True), 1e-9)


def margins(E: np.ndarray, y: np.ndarray, groups: list[str]) -> np.ndarray:
    """Each question's margin (nearest out-of-scope minus nearest in-scope similarity) against the questions of the
    other groups only."""
    E = _unit_rows(E)
    g = np.asarray(groups)
    inside = np.asarray(y).astype(bool)
    out = np.empty(len(E))
    for start in range(0, len(E), 512):  # in blocks: the full similarity matrix of a few thousand is large
        S = E[start:start + 512] @ E.T
        S[g[start:start + 512, None] == g[None, :]] = -1.0
        out[start:start + 512] = np.where(~inside[None, :], S, -1.0).max(1) - np.where(inside[None, :], S, -1.0).max(1)
    return out


def fit(E: np.ndarray, y: np.ndarray, groups: list[str], answered: np.ndarray, path: Path) -> dict | None:
    """Write the memory of ``E`` (e5 vectors, ``y`` 1 in scope) to ``path`` and return its calibration.json entry: the
    line from held-out margins (``groups``: the eval file of each row) of the rows ``answered`` today. None with fewer
    than two groups or no answered in-scope row."""
    y, answered = np.asarray(y).astype(bool), np.asarray(answered, dtype=bool)
    if len(set(groups)) < 2 or not (y & answered).any():
        return None
    U = _unit_rows(E)
    m = margins(U, y, groups)
    pos = np.sort(m[y & answered])[::-1]
    line = float(pos[int(MAX_FALSE_VETO * len(pos))])
    vetoed = answered & (m > line)
    np.savez_compressed(path, vectors=U.astype(np.float16), inside=y)
    Path(path).chmod(0o644)  # numpy writes it for its owner alone
    return {"file": Path(path).name, "sha256": hashlib.sha256(Path(path).read_bytes()).hexdigest(), "line": line,
            "n": int(len(y)), "n_in_scope": int(y.sum()), "answered_in_scope": int((y & answered).sum()),
            "answered_out_of_scope": int((~y & answered).sum()),
            "held_out_vetoed_in_scope": int((vetoed & y).sum()), "held_out_vetoed_out_of_scope": int((vetoed & ~y).sum())}
