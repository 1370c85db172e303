"""Is a question about what this FAQ discusses at all? A linear model over the question's two sentence vectors
(e5 and the cross-lingual USE), fitted by `kbqa calibrate` on the dev sets' labelled questions: in-scope ones
against those the FAQ does not cover, most of them near its domain ("docker exec 怎么指定用户", "calico 的 MTU").
The retrieval features of such a question look in scope (its words are the FAQ's); its meaning is not.

The model only vetoes: a question the decision would answer is refused when its score, plus ``P_WEIGHT`` times the
decision's own log-odds (a question the decision is sure of needs a lower score to be refused), falls below a line
set on held-out folds (``fit``): at most ``MAX_FALSE_VETO`` of the in-scope dev questions the decision answers,
scored by a model that never saw them, would be refused. The retriever adds the score minus that line as the
feature ``scope``; ``decide.outside_scope`` adds the log-odds."""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from kbqa.errors import KbqaError

C = 0.003  # strong L2: 1,800 questions for 896 weights; chosen on grouped folds of the dev sets
FOLDS = 8
SHUFFLES = 15  # ways of dealing the groups into folds (the line is their median: 5 moved it with each added sample)
MAX_FALSE_VETO = 0.005  # the share of in-scope dev questions a held-out fold's model may refuse
# how much the decision's log-odds count beside the score: on the same folds, 0.25 to 1 vetoed about twice as many
# near-domain questions as 0 (the score alone) at the same false vetoes; 0.5 is the middle of that plateau
P_WEIGHT = 0.5
MIN_ROWS = 30  # of each class: with fewer, no model (a dev set of a few dozen questions cannot hold out folds)


def log_odds(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


@dataclass(frozen=True)
class ScopeModel:
    weights: np.ndarray  # over [e5 vector, cross-lingual vector]
    bias: float
    line: float  # scores below it are vetoed
    memory: object = None  # kbqa.answer.memory.Memory: the dev questions themselves, or None

    def margin(self, e5: np.ndarray, cross: np.ndarray) -> float:
        """The score minus the line: below 0, the question is not about what the FAQ discusses."""
        x = np.concatenate([np.asarray(e5, dtype=np.float64).ravel(), np.asarray(cross, dtype=np.float64).ravel()])
        if x.shape != self.weights.shape:
            return float("inf")  # another model's vectors: no veto (load() refuses this case)
        return float(x @ self.weights + self.bias - self.line)

    @classmethod
    def of(cls, m: dict) -> "ScopeModel":
        """The model of a calibration.json entry (without its memory)."""
        return cls(np.asarray(m["weights"], dtype=np.float64), float(m["bias"]), float(m["line"]))

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
        if m.get("p_weight") != P_WEIGHT:
            raise KbqaError(f"{path}: the scope model for {profile!r} was fitted with the decision's log-odds weighted "
                            f"{m.get('p_weight')}, this kbqa weighs them {P_WEIGHT}; run `kbqa calibrate --only scope`")
        try:
            model = cls.of(m)
        except (KeyError, TypeError, ValueError) as e:
            raise KbqaError(f"{path}: the scope model for {profile!r} is damaged ({type(e).__name__}); "
                            "run `kbqa calibrate --only scope`") from None
        if isinstance(m.get("memory"), dict):
            from kbqa.answer.memory import Memory

            model = replace(model, memory=Memory.load(Path(path).parent, m["memory"], dims[0]))
        return model


def fit(X: np.ndarray, y: np.ndarray, groups: list[str], dims: tuple[int, int], odds: np.ndarray,
        answered: np.ndarray) -> dict | None:
    """Logistic regression (standardised, balanced classes); the line from out-of-fold scores: folds are whole
    groups (64 rows of an eval file), so a fold's questions were written apart from those its model learnt from.
    ``odds``: the decision's log-odds for each row; ``answered``: the rows the decision answers (only those can be
    vetoed). None when the rows are too few to fit on some folds and test on the others."""
    from sklearn.linear_model import LogisticRegression

    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    answered = np.asarray(answered, dtype=bool)
    names = sorted(set(groups))
    if min(int(y.sum()), int((1 - y).sum())) < MIN_ROWS or len(names) < FOLDS:
        return None

    def model(rows):
        mean, scale = X[rows].mean(0), X[rows].std(0) + 1e-6
        lr = LogisticRegression(C=C, class_weight="balanced", max_iter=5000).fit((X[rows] - mean) / scale, y[rows])
        w = lr.coef_[0] / scale
        return w, float(lr.intercept_[0] - np.sum(lr.coef_[0] * mean / scale))

    # The line from each of SHUFFLES ways of dealing the groups into folds (where it falls moves with the few
    # lowest in-scope scores), then their median.
    lines, held_out = [], []
    for seed in range(SHUFFLES):
        order = list(names)
        np.random.RandomState(seed).shuffle(order)
        fold = np.array([order.index(g) % FOLDS for g in groups])
        if any(len(set(y[fold != k])) < 2 for k in range(FOLDS)):
            return None
        oof = np.zeros(len(y))
        for k in range(FOLDS):
            w, b = model(fold != k)
            oof[fold == k] = X[fold == k] @ w + b
        combined = oof + P_WEIGHT * np.asarray(odds, dtype=np.float64)
        pos = np.sort(combined[(y == 1) & answered])
        lines.append(float(pos[int(MAX_FALSE_VETO * len(pos))]) if len(pos) else -np.inf)
        held_out.append(combined)
    line = float(np.median(lines))
    combined = held_out[int(np.argsort(lines)[len(lines) // 2])]  # the shuffle whose line is the median
    w, b = model(np.ones(len(y), dtype=bool))
    vetoed = answered & (combined < line)
    return {"dims": list(dims), "p_weight": P_WEIGHT, "weights": [round(float(v), 7) for v in w], "bias": b,
            "line": line, "n": int(len(y)), "n_in_scope": int(y.sum()), "n_groups": len(names),
            "answered_in_scope": int(((y == 1) & answered).sum()), "answered_out_of_scope": int(((y == 0) & answered).sum()),
            "held_out_vetoed_in_scope": int((vetoed & (y == 1)).sum()),
            "held_out_vetoed_out_of_scope": int((vetoed & (y == 0)).sum())}
