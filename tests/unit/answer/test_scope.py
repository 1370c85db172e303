"""The scope model (kbqa.answer.scope): fitting, its line on held-out folds, loading, and where it may veto."""
import json

import numpy as np
import pytest

from kbqa.answer.decide import outside_scope
from kbqa.answer.scope import MAX_FALSE_VETO, ScopeModel, fit
from kbqa.errors import KbqaError


def _data(n=400, seed=0):
    """Two clouds of 'question vectors' (4 + 3 dims) that overlap a little, in 20 groups."""
    rng = np.random.RandomState(seed)
    y = (rng.rand(n) < 0.3).astype(int)
    X = rng.randn(n, 7) + np.outer(np.where(y == 1, 1.5, -1.5), [1, 1, 0, 0, 1, 0, 0])
    return X, y, [f"file{i % 20}" for i in range(n)]


def test_fit_sets_the_line_on_held_out_folds():
    X, y, groups = _data()
    m = fit(X, y, groups, (4, 3))
    assert m["dims"] == [4, 3] and len(m["weights"]) == 7 and m["n"] == 400 and m["n_in_scope"] == int(y.sum())
    assert m["held_out_false_veto"] <= MAX_FALSE_VETO + 1 / y.sum()  # at most the allowed share, within one row
    assert m["held_out_vetoed_out_of_scope"] > 0.3  # and it still refuses much of the rest
    model = ScopeModel(np.asarray(m["weights"]), m["bias"], m["line"])
    margins = np.array([model.margin(x[:4], x[4:]) for x in X])
    assert (margins[y == 1] >= 0).mean() > 0.98 and (margins[y == 0] < 0).mean() > 0.3


def test_the_fit_is_deterministic():
    X, y, groups = _data(seed=1)
    assert fit(X, y, groups, (4, 3)) == fit(X, y, groups, (4, 3))


def test_vectors_of_another_size_never_veto():
    model = ScopeModel(np.ones(7), -100.0, 0.0)
    assert model.margin(np.ones(4), np.ones(3)) < 0
    assert model.margin(np.ones(5), np.ones(3)) == float("inf")


def test_load(tmp_path):
    path = tmp_path / "calibration.json"
    assert ScopeModel.load(path, "hybrid:x", (4, 3)) is None  # no file: no veto
    path.write_text("{not json", encoding="utf-8")
    assert ScopeModel.load(path, "hybrid:x", (4, 3)) is None
    entry = {"dims": [4, 3], "weights": [0.0] * 7, "bias": -1.0, "line": 0.5}
    path.write_text(json.dumps({"models": {}, "scope": {"hybrid:x": entry}}), encoding="utf-8")
    assert ScopeModel.load(path, "hybrid:y", (4, 3)) is None  # fitted for another profile
    m = ScopeModel.load(path, "hybrid:x", (4, 3))
    assert m.margin(np.zeros(4), np.zeros(3)) == pytest.approx(-1.5)
    with pytest.raises(KbqaError, match="kbqa calibrate"):
        ScopeModel.load(path, "hybrid:x", (384, 512))


def test_outside_scope_needs_the_feature():
    assert not outside_scope({"cov_any": 1.0})  # lexical and dense modes, or no model: never
    assert outside_scope({"scope": -0.1}) and not outside_scope({"scope": 0.0})
