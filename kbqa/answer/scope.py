"""Is a question about what this FAQ discusses at all? A linear model over the question's two sentence vectors
(e5 and the cross-lingual USE), fitted by `kbqa calibrate` on the dev sets' labelled questions: in-scope ones
against those the FAQ does not cover, most of them near its domain ("docker exec 怎么指定用户", "calico 的 MTU").
The retrieval features of such a question look in scope (its words are the FAQ's); its meaning is not.

The model only vetoes: a question the decision would answer is refused when its score falls below a line set on
held-out folds (``fit``), so that at most ``MAX_FALSE_VETO`` of the in-scope dev questions, scored by a model
that never saw them, would be refused. The retriever adds the score minus that line as the feature ``scope``."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
import json

import numpy as np

from kbqa.errors import KbqaError

C = 0.003  # strong L2: 1,800 questions for 896 weights; chosen on grouped folds of the dev sets
FOLDS = 8
MAX_FALSE_VETO = 0.005  # the share of in-scope dev questions a held-out fold's model may refuse


@dataclass(frozen=True)
class ScopeModel:
    weights: np.ndarray  # over [e5 vector, cross-lingual vector]
    bias: float
    line: float  # scores below it are vetoed

    def margin(self, e5: np.ndarray, cross: np.ndarray) -> float:
        """The score minus the line: below 0, the question is not about what the FAQ discusses."""
        x = np.concatenate([np.asarray(e5, dtype=np.float64).ravel(), np.asarray(cross, dtype=np.float64).ravel()])
        if x.shape != self.weights.shape:
            return float("inf")  # another model's vectors: no veto (load() refuses this case)
        return float(x @ self.weights + self.bias - self.line)

    @classmethod
    def load(cls, path: Path, profile: str, dims: tuple[int, int]) -> "ScopeModel | None":
        """The model fitted for this profile, or None (no veto). One fitted on vectors of other sizes raises."""
        try:
            m = json.loads(Path(path).read_text(encoding="utf-8")).get("scope", {}).get(profile)
        except (OSError, ValueError, AttributeError):
            return None
        if not m:
            return None
        if tuple(m.get("dims", ())) != tuple(dims):
            raise KbqaError(f"{path}: the scope model for {profile!r} was fitted on vectors of sizes {m.get('dims')}, "
                            f"but this kbqa's are {list(dims)}; run `kbqa calibrate`")
        return cls(np.asarray(m["weights"], dtype=np.float64), float(m["bias"]), float(m["line"]))


def fit(X: np.ndarray, y: np.ndarray, groups: list[str], dims: tuple[int, int]) -> dict:
    """Logistic regression (standardised, balanced classes); the line from out-of-fold scores: folds are whole
    groups (eval files), so a fold's questions were written apart from those its model learnt from."""
    from sklearn.linear_model import LogisticRegression

    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    order = sorted(set(groups))
    np.random.RandomState(0).shuffle(order)
    fold = np.array([order.index(g) % FOLDS for g in groups])

    def model(rows):
        mean, scale = X[rows].mean(0), X[rows].std(0) + 1e-6
        lr = LogisticRegression(C=C, class_weight="balanced", max_iter=5000).fit((X[rows] - mean) / scale, y[rows])
        w = lr.coef_[0] / scale
        return w, float(lr.intercept_[0] - np.sum(lr.coef_[0] * mean / scale))

    oof = np.zeros(len(y))
    for k in range(FOLDS):
        w, b = model(fold != k)
        oof[fold == k] = X[fold == k] @ w + b
    pos = np.sort(oof[y == 1])
    k = int(MAX_FALSE_VETO * len(pos))
    line = float(pos[k]) if len(pos) else -np.inf
    w, b = model(np.ones(len(y), dtype=bool))
    return {"dims": list(dims), "weights": [round(float(v), 7) for v in w], "bias": b, "line": line,
            "n": int(len(y)), "n_in_scope": int(y.sum()), "n_groups": len(order),
            "held_out_false_veto": float((oof[y == 1] < line).mean()) if len(pos) else 0.0,
            "held_out_vetoed_out_of_scope": float((oof[y == 0] < line).mean()) if (y == 0).any() else 0.0}
