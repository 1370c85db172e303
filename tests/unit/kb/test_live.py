"""The live KB on the fake embedder: a correction is built, self-tested and swapped in; a failing self-test keeps
the old version serving and names the question that broke; rollback; another process serving the same corpus
folder picks up every new version."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from kbqa.corpus import overlay as ov
from kbqa.engine import Engine
from kbqa.settings import REPO_ROOT, Settings

CORPUS = REPO_ROOT / "corpus"
WAIT_S = 300  # a job on a busy machine; nothing here is timed
QUESTION = "午饭吃香蕉还是苹果？"  # nothing the FAQ knows


@pytest.fixture
def corpus_dir(tmp_path) -> Path:
    d = tmp_path / "corpus"
    d.mkdir()
    for name in ("faq.json", "glossary.tsv"):
        shutil.copy(CORPUS / name, d / name)
    return d


def _engine(corpus_dir: Path, home: Path, **kw) -> Engine:
    e = Engine(Settings(home=home, embedder="fake", corpus=corpus_dir / "faq.json", **kw), progress=False)
    e.load()
    return e


def _done(job):
    assert job.done.wait(WAIT_S), f"job {job.action} did not finish"
    return job


def test_apply_swaps_a_tested_version_and_rollback_restores_the_old_one(corpus_dir, tmp_path):
    engine = _engine(corpus_dir, tmp_path / "home")
    v0 = engine.kb_version
    assert engine.ask(QUESTION).status == "not_covered"
    job = _done(engine.live.apply(ov.new("paraphrase", QUESTION, topic=3, by="test")))
    assert job.state == "swapped", job.message
    assert (job.version_from, job.version_to) == (v0, engine.kb_version) and engine.kb_version != v0
    assert job.selftest["ok"] and job.selftest["checks"] >= 11 and job.selftest["baseline"] == v0
    a = engine.ask(QUESTION)
    assert (a.status, a.topic) == ("answered", 3)
    lines = (corpus_dir / "overlay.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["question"] == QUESTION
    assert engine.live.status()["previous"] == v0
    back = _done(engine.live.rollback())
    assert back.state == "swapped" and engine.kb_version == v0
    assert engine.ask(QUESTION).status == "not_covered"
    assert (corpus_dir / "overlay.jsonl").read_text(encoding="utf-8") == ""
    again = _done(engine.live.rollback())  # rollback of the rollback: the corrected version again
    assert again.state == "swapped" and engine.ask(QUESTION).topic == 3


def test_a_failing_self_test_keeps_the_old_version_and_names_what_broke(corpus_dir, tmp_path):
    covered = "容器里怎么执行定时任务？"
    (corpus_dir / "dev.jsonl").write_text(json.dumps(
        {"id": "d1", "question": covered, "topic": 1, "experts": [], "must_mention": [], "lang": "zh",
         "kind": "paraphrase"}, ensure_ascii=False) + "\n", encoding="utf-8")
    engine = _engine(corpus_dir, tmp_path / "home")
    assert engine.ask(covered).topic == 1
    v0 = engine.kb_version
    job = _done(engine.live.apply(ov.new("out_of_scope", covered)))
    assert job.state == "failed" and "self-test failed: 1 questions broke" in job.message
    assert f"still serving {v0}" in job.message
    assert job.selftest["broken"] == [{"kind": "dev", "question": covered, "expect": 1, "got": None, "ok": False}]
    assert engine.kb_version == v0 and engine.ask(covered).topic == 1
    assert not (corpus_dir / "overlay.jsonl").exists()
    job = _done(engine.live.rollback())  # nothing earlier to go back to: the job fails, saying so
    assert job.state == "failed" and "no earlier version" in job.message and engine.kb_version == v0


def test_every_process_serving_the_folder_picks_up_a_new_version(corpus_dir, tmp_path):
    a = _engine(corpus_dir, tmp_path / "home-a")
    b = _engine(corpus_dir, tmp_path / "home-b")
    assert _done(b.live.poll(force=True)).state == "unchanged"  # b has looked at the files once
    assert b.live.poll(force=True) is None  # nothing changed since
    assert _done(a.live.apply(ov.new("paraphrase", QUESTION, topic=5))).state == "swapped"
    job = _done(b.live.poll(force=True))
    assert (job.action, job.state) == ("pickup", "swapped") and b.kb_version == a.kb_version
    assert job.selftest["ok"] and b.live.jobs[-1] is job
    assert b.ask(QUESTION).topic == 5
    assert _done(a.live.rollback()).state == "swapped"
    job = _done(b.live.poll(force=True))
    assert job.state == "swapped" and b.kb_version == a.kb_version
    assert b.ask(QUESTION).status == "not_covered"


def test_a_damaged_overlay_on_disk_is_reported_and_the_served_version_stays(corpus_dir, tmp_path):
    engine = _engine(corpus_dir, tmp_path / "home")
    _done(engine.live.poll(force=True))
    v0 = engine.kb_version
    (corpus_dir / "overlay.jsonl").write_text('{"id": "x", "kind": "paraphrase", "question": "q", "topic": 99}\n',
                                              encoding="utf-8")
    job = _done(engine.live.poll(force=True))
    assert job.state == "failed" and "question 99 does not exist" in job.message and engine.kb_version == v0
    assert engine.ask("容器").status in ("answered", "not_covered")


def test_a_stopped_live_kb_polls_no_more(corpus_dir, tmp_path):
    """A stopped server's folder may go (a test's temporary folder): no pickup is started from it after ``stop``."""
    engine = _engine(corpus_dir, tmp_path / "home")
    (corpus_dir / "overlay.jsonl").write_text(ov.dump([ov.new("paraphrase", QUESTION, topic=3, by="test")]), encoding="utf-8")
    engine.live.stop()
    assert engine.live.poll(force=True) is None
