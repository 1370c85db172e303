"""`kbqa calibrate`: the fit meets the project's quality bar, read from one place."""
from __future__ import annotations

from kbqa.answer import decide
from kbqa.devtools import calibrate
from kbqa.evaluation.dataset import load
from kbqa.evaluation.metrics import QUALITY_BAR
from kbqa.settings import REPO_ROOT


def test_the_bar_is_the_eval_one():
    assert calibrate.OOD_FLOOR == QUALITY_BAR["ood_accuracy"][1]
    assert calibrate.FR_CEILING == QUALITY_BAR["false_refusal_rate"][1]


def test_features_and_fit_on_the_fake_engine(fake_engine):
    items = load(REPO_ROOT / "eval" / "dev.jsonl")[::4]
    X, y = calibrate.features_for(fake_engine, items, "lexical")
    assert len(X) == len(y) > 0 and 0 < sum(y) < len(y)
    assert all(len(row) == len(decide.FEATURES["lexical"]) for row in X)
    model = calibrate.fit(X, y, calibrate.features_of(fake_engine, "lexical"))
    assert model["features"] == list(decide.FEATURES["lexical"]) and 0 < model["threshold"] < 1
    assert model["n"] == len(y) and model["n_in_scope"] == sum(y)


def test_conversation_rows_count_only_when_retrieval_alone_decides():
    assert calibrate.usable({"question": "q", "topic": 3})
    assert calibrate.usable({"question": "q", "expect": "refuse", "expect_kind": "not_covered"})
    assert not calibrate.usable({"question": "q", "expect": "refuse", "expect_kind": "not_covered", "history": ["x"]})
    assert not calibrate.usable({"question": "问题7", "expect": "answer", "expect_kind": "question"})


def test_kbqa_calibrate_writes_a_model_the_engine_then_uses(tmp_path, monkeypatch, capsys):
    import json

    from kbqa.engine import Engine
    from kbqa.frontends.cli import main
    from kbqa.settings import Settings

    dev = tmp_path / "dev.jsonl"
    rows = load(REPO_ROOT / "eval" / "dev.jsonl")[::5]
    dev.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "calibration.json"
    monkeypatch.setenv("KBQA_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("KBQA_EMBEDDER", "fake")
    assert main(["calibrate", "--dev", str(dev), "--out", str(out)]) == 0
    models = json.loads(out.read_text(encoding="utf-8"))["models"]
    engine = Engine(Settings(home=tmp_path / "home", embedder="fake", calibration=out), progress=False)
    assert set(models) == {"lexical:*", engine.profile("dense"), engine.profile("hybrid")}
    assert engine.decider("hybrid").source.endswith("#" + engine.profile("hybrid"))  # used, not the fallback
    for mode in ("lexical", "dense", "hybrid"):  # each entry names the features this code computes, in order
        want = list(decide.feature_names(mode, engine.crosslingual is not None))
        entry = models[engine.profile(mode)]
        assert entry["features"] == want and len(entry["weights"]) == len(want)
    assert models[engine.profile("hybrid")]["n"] == len(rows) - sum(1 for r in rows if not r["question"].strip())


def test_a_calibration_entry_fitted_on_other_features_is_refused(tmp_path):
    import json

    import pytest

    from kbqa.errors import KbqaError

    stale = tmp_path / "calibration.json"
    stale.write_text(json.dumps({"models": {"hybrid:m+use": {"features": ["cov_any", "cov_topic"],
                                                            "weights": [1.0, 1.0], "bias": 0.0}}}))
    with pytest.raises(KbqaError, match="run `kbqa calibrate`"):
        decide.Decider.load(stale, "hybrid:m+use", decide.feature_names("hybrid", True))
    # the lexical fallback is checked the same way
    stale.write_text(json.dumps({"models": {"lexical:*": {"features": ["cov_any"], "weights": [1.0], "bias": 0.0}}}))
    with pytest.raises(KbqaError, match="lexical"):
        decide.Decider.load(stale, "hybrid:other", decide.feature_names("hybrid", False))


def test_the_scope_model_learns_from_every_dev_sample_never_the_test_split():
    files = calibrate.scope_sets([REPO_ROOT / "eval" / "dev.jsonl"])
    names = {f.name for f in files}
    assert {"dev.jsonl", "dev_oldtest.jsonl", "dev_conv2.jsonl", "dev_near18.jsonl"} <= names
    assert "test.jsonl" not in names and all(n.startswith("dev") for n in names)


def test_fit_scope_reads_the_usable_rows_with_both_vectors_and_the_decision(fake_engine, tmp_path):
    from types import SimpleNamespace

    from kbqa.models.embedders import FakeEmbedder

    engine = SimpleNamespace(embedder=FakeEmbedder(), crosslingual=FakeEmbedder(dim=32), validate=fake_engine.validate,
                             load=fake_engine.load, settings=fake_engine.settings)
    files = [REPO_ROOT / "eval" / f for f in ("dev.jsonl", "dev_conv2.jsonl", "dev_oldtest.jsonl", "dev_conv18.jsonl")]
    rows = calibrate.scope_rows(engine, files, decide.Decider(("cov_any",), (12.0,), -7.0))
    m = calibrate.fit_scope(rows)
    usable = [r for f in files for r in load(f) if calibrate.usable(r) and r["question"].strip()]
    assert m["n"] == len(usable) and m["n_in_scope"] == sum(1 for r in usable if r.get("topic") is not None)
    assert m["dims"] == [FakeEmbedder().dim, 32] and len(m["weights"]) == FakeEmbedder().dim + 32
    assert m["n_groups"] >= 8  # each file's rows in groups of 64
    assert 0 < m["answered_in_scope"] <= m["n_in_scope"] and m["answered_out_of_scope"] > 0
    assert m["held_out_vetoed_in_scope"] <= 0.005 * m["answered_in_scope"] + 1
    # the memory beside it: every usable row, its line held out a file at a time, a file its entry can check
    mem = calibrate.fit_memory(rows, m, tmp_path / "calibration.memory.npz")
    assert mem["n"] == m["n"] and mem["n_in_scope"] == m["n_in_scope"]
    assert mem["held_out_vetoed_in_scope"] <= 0.005 * mem["answered_in_scope"] + 1
    from kbqa.answer.memory import Memory
    loaded = Memory.load(tmp_path, mem, FakeEmbedder().dim)
    assert loaded.vectors.shape == (m["n"], FakeEmbedder().dim) and loaded.line == mem["line"]


def test_a_dev_set_too_small_for_a_scope_model_still_gets_its_decision_written(tmp_path, monkeypatch):
    import json

    from kbqa.frontends.cli import main

    rows = load(REPO_ROOT / "eval" / "dev.jsonl")
    rows = [r for r in rows if r["topic"] is not None][:20] + [r for r in rows if r["topic"] is None][:15]
    dev, out = tmp_path / "dev.jsonl", tmp_path / "calibration.json"
    dev.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    monkeypatch.setenv("KBQA_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("KBQA_EMBEDDER", "fake")
    monkeypatch.setenv("KBQA_CROSSLINGUAL", "use")  # a scope model is tried, and there are too few rows for one
    assert main(["calibrate", "--dev", str(dev), "--out", str(out)]) == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["models"] and not doc.get("scope") and not (tmp_path / "calibration.memory.npz").exists()
    assert main(["calibrate", "--dev", str(dev), "--out", str(out), "--only", "memory"]) != 0  # nothing to sit beside
