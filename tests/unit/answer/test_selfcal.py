"""A new FAQ's not-covered decision before it has a dev set (kbqa.answer.selfcal): which calibration file is used
for which FAQ, the line placed between the FAQ's own questions and the generic negatives at the recorded ratio, the
cache beside the index, and `kbqa calibrate --dev` writing DIR/calibration.json that is then used as is."""
from __future__ import annotations

import json
import math

from kbqa.answer import selfcal
from kbqa.answer.decide import Decider
from kbqa.settings import REPO_ROOT, Settings

FAQS = REPO_ROOT / "tests" / "data" / "faqs"


def _imported(tmp_path):
    from kbqa.corpus.importer import read_faq, write_kb

    return write_kb(read_faq(FAQS / "home_network.csv"), tmp_path / "kb")


def test_which_calibration_file_for_which_faq(tmp_path):
    own = Settings(home=tmp_path)
    assert own.own_faq and own.calibration_path == REPO_ROOT / "eval" / "calibration.json"
    assert not own.calibration_carried
    faq = _imported(tmp_path)
    other = Settings(home=tmp_path, corpus=faq)
    assert not other.own_faq and other.calibration_carried
    assert other.calibration_path == REPO_ROOT / "eval" / "calibration.json"
    (faq.parent / "calibration.json").write_text('{"models": {}}', encoding="utf-8")
    assert other.calibration_path == faq.parent / "calibration.json" and not other.calibration_carried
    given = Settings(home=tmp_path, corpus=faq, calibration=tmp_path / "c.json")
    assert given.calibration_path == tmp_path / "c.json" and not given.calibration_carried


def test_positives_come_from_the_faq_and_negatives_from_the_bank(tmp_path):
    from kbqa.corpus.loader import load_faq

    faq = load_faq(_imported(tmp_path))
    pos = selfcal.positives(faq)
    assert faq.topics[0].title in pos and all(s in pos for t in faq.topics for s in t.similar)
    assert len(pos) > len(faq.topics) * 2 and len(set(pos)) == len(pos)
    neg = selfcal.negatives()
    assert len(neg) >= 80 and not any(n.startswith("#") for n in neg) and not set(neg) & set(pos)


def test_the_line_sits_at_the_recorded_ratio():
    line = selfcal.line_of(5.0, pos=[10.0 + i for i in range(11)], neg=[float(i) / 10 for i in range(11)])
    assert math.isclose(line["ratio"], (5.0 - line["neg"]) / (line["pos"] - line["neg"]))
    d = Decider(("a",), (1.0,), -5.0 + math.log(0.4 / 0.6), 0.4, "x")  # its line: a = 5

    class R:
        def search(self, q, mode, k):
            from types import SimpleNamespace

            return SimpleNamespace(features={"n_words": 1.0, "a": 20.0 if q.startswith("P") else 1.0})

    class F:
        topics, units = (), ()

    neg_n = len(selfcal.negatives())
    real = selfcal.positives
    selfcal.positives = lambda faq: [f"P{i}" for i in range(10)]
    try:
        moved, info = selfcal.adapt(d, {"ratio": 0.5}, R(), "lexical", F(), 8)
    finally:
        selfcal.positives = real
    assert info["n_pos"] == 10 and info["n_neg"] == neg_n and math.isclose(info["z"], 10.5)
    assert moved.threshold == d.threshold and "line placed on this FAQ" in moved.source
    assert moved.covered({"n_words": 1.0, "a": 10.6})[0] and not moved.covered({"n_words": 1.0, "a": 10.4})[0]
    same, _ = selfcal.adapt(d, None, R(), "lexical", F(), 8)
    assert (same.bias, same.threshold) == (d.bias, d.threshold) and "unchanged" in same.source


def test_an_imported_faq_gets_its_line_placed_and_cached(tmp_path):
    from kbqa.engine import Engine

    faq = _imported(tmp_path)
    engine = Engine(Settings(home=tmp_path / "home", embedder="fake", corpus=faq, mode="lexical"), progress=False)
    d = engine.decider("lexical")
    assert "line placed on this FAQ" in d.source, d.source
    cached = list(engine.load().store.path.glob("selfcal-lexical-*.json"))
    assert len(cached) == 1 and json.loads(cached[0].read_text(encoding="utf-8"))["info"]["z"] is not None
    again = Engine(Settings(home=tmp_path / "home", embedder="fake", corpus=faq, mode="lexical"), progress=False)
    assert again.decider("lexical") == d
    # its own questions are answered and small talk refused
    assert engine.ask(engine.faq().topics[1].title).topic == 2
    assert engine.ask("红烧肉怎么做才好吃").status == "not_covered"


def test_calibrate_with_a_dev_set_writes_beside_the_faq_and_is_used_as_is(tmp_path, monkeypatch):
    from kbqa.engine import Engine
    from kbqa.errors import KbqaError
    from kbqa.frontends.cli import main

    faq = _imported(tmp_path)
    monkeypatch.setenv("KBQA_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("KBQA_EMBEDDER", "fake")
    monkeypatch.setenv("KBQA_CORPUS", str(faq))
    from kbqa.devtools import calibrate

    try:
        calibrate.default_dev_sets(Settings.from_env())
        raise AssertionError("no dev set: expected a one-line error")
    except KbqaError as e:
        assert "pass --dev" in str(e)
    data = json.loads(faq.read_text(encoding="utf-8"))
    base = {"experts": [], "must_mention": [], "lang": "zh", "kind": "paraphrase"}
    rows = [{**base, "id": f"in-{t['n']}", "question": t["title"], "topic": t["n"]} for t in data["topics"]]
    rows += [{**base, "id": f"out-{i}", "question": q, "topic": None} for i, q in enumerate(selfcal.negatives()[:20])]
    (faq.parent / "dev.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                                          encoding="utf-8")
    assert main(["calibrate"]) == 0
    out = faq.parent / "calibration.json"
    models = json.loads(out.read_text(encoding="utf-8"))["models"]
    assert "line" in models["lexical:*"]
    engine = Engine(Settings(home=tmp_path / "home", embedder="fake", corpus=faq), progress=False)
    assert engine.decider("lexical").source == f"{out}#lexical:*"
    assert (REPO_ROOT / "eval" / "calibration.json").read_text(encoding="utf-8") != out.read_text(encoding="utf-8")
