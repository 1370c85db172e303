"""kbqa.answer.memory: the dev questions remembered, and the veto of a question much nearer an out-of-scope one."""
import json
import math

import numpy as np
import pytest

from kbqa.answer import decide, memory
from kbqa.answer.scope import ScopeModel
from kbqa.errors import KbqaError


def _unit(*v):
    v = np.asarray(v, dtype=np.float32)
    return v / np.linalg.norm(v)


def test_margin_is_nearest_out_of_scope_minus_nearest_in_scope_minus_the_line():
    m = memory.Memory(np.stack([_unit(1, 0, 0), _unit(0, 1, 0)]), np.array([True, False]), 0.1)
    assert m.margin([0, 2, 0]) == pytest.approx(1.0 - 0.0 - 0.1)  # on the out-of-scope one (not unit length)
    assert m.margin([1, 0, 0]) == pytest.approx(0.0 - 1.0 - 0.1)
    assert m.margin([1, 1, 0]) == pytest.approx(-0.1)  # as near both: the line decides
    assert m.margin([1, 0]) == -math.inf  # a vector of another model: no veto


def test_held_out_margins_never_see_their_own_group():
    E = np.stack([_unit(1, 0), _unit(1, 0), _unit(0, 1)])
    out = memory.margins(E, np.array([0, 0, 1]), ["a", "a", "b"])
    assert out[0] == pytest.approx(-1.0 - 0.0)  # its twin is in its own file: only the in-scope one of file b counts
    assert out[2] == pytest.approx(0.0 - -1.0)  # no other in-scope question: -1


def test_fit_sets_the_line_on_the_in_scope_questions_answered_and_writes_a_checked_file(tmp_path):
    rng = np.random.RandomState(0)
    E = rng.normal(size=(400, 8))
    y = (E[:, 0] > 0).astype(int)  # in scope on one side of a plane
    groups = [f"f{i % 10}" for i in range(400)]
    entry = memory.fit(E, y, groups, np.ones(400, dtype=bool), tmp_path / "c.memory.npz")
    assert entry["answered_in_scope"] == y.sum() and entry["held_out_vetoed_in_scope"] <= 0.005 * y.sum() + 1
    assert entry["held_out_vetoed_out_of_scope"] > 0  # it does catch some: out-of-scope questions cluster
    m = memory.Memory.load(tmp_path, entry, 8)
    assert m.line == entry["line"] and m.inside.sum() == y.sum()
    with pytest.raises(KbqaError, match="another model"):
        memory.Memory.load(tmp_path, entry, 16)
    (tmp_path / "c.memory.npz").write_bytes(b"garbage")
    with pytest.raises(KbqaError, match="calibrate --only memory"):
        memory.Memory.load(tmp_path, entry, 8)
    (tmp_path / "c.memory.npz").unlink()
    with pytest.raises(KbqaError, match="cannot be read"):
        memory.Memory.load(tmp_path, entry, 8)


def test_fit_needs_two_files_and_an_answered_in_scope_question(tmp_path):
    E = np.eye(4)
    assert memory.fit(E, [1, 0, 1, 0], ["a"] * 4, [True] * 4, tmp_path / "m.npz") is None
    assert memory.fit(E, [1, 0, 1, 0], ["a", "b"] * 2, [False] * 4, tmp_path / "m.npz") is None


def test_the_scope_model_loads_its_memory_and_outside_scope_reads_it(tmp_path):
    E = np.stack([_unit(1, 0, 0, 0), _unit(0, 1, 0, 0), _unit(0, 0, 1, 0), _unit(0, 0, 0, 1)])
    entry = memory.fit(E, [1, 0, 1, 0], ["a", "a", "b", "b"], [True] * 4, tmp_path / "calibration.memory.npz")
    doc = {"scope": {"hybrid:x": {"dims": [4, 2], "p_weight": 0.5, "weights": [0.0] * 6, "bias": 1.0, "line": 0.0,
                                  "memory": entry}}}
    (tmp_path / "calibration.json").write_text(json.dumps(doc), encoding="utf-8")
    model = ScopeModel.load(tmp_path / "calibration.json", "hybrid:x", (4, 2))
    assert model.memory is not None and model.memory.vectors.shape == (4, 4)
    # the scope model would answer (score 1 above its line, decision sure): the memory alone refuses
    near_out = {"scope": 1.0, "memory": model.memory.margin([0, 1, 0, 0])}
    assert near_out["memory"] > 0 and decide.outside_scope(near_out, 0.9)
    assert not decide.outside_scope(near_out, 0.9, memory=False)  # after earlier turns: its line is of first messages
    near_in = {"scope": 1.0, "memory": model.memory.margin([1, 0, 0, 0])}
    assert not decide.outside_scope(near_in, 0.9)
    assert not decide.outside_scope({"memory": 5.0}, 0.9)  # no scope model, no veto: as before
