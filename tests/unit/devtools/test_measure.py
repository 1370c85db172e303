"""kbqa.devtools.measure: the one percentile, peak and current memory, the raw JSONL loader."""
from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from kbqa.devtools import measure
from kbqa.evaluation import metrics
from kbqa.settings import REPO_ROOT


def test_percentile_is_the_eval_one():
    assert measure.percentile is metrics.percentile  # one definition: bench, stress and eval's p95 agree


def test_percentiles():
    p = measure.percentiles(range(1, 101))
    assert p[50] == pytest.approx(50.5)
    assert p[95] == pytest.approx(95.05)
    assert p[99] == pytest.approx(99.01)
    assert measure.percentiles([]) == {50: None, 95: None, 99: None}
    assert measure.percentiles([4.0])[99] == 4.0
    assert measure.rounded(None) is None and measure.rounded(2 / 3) == 0.67


def test_peak_rss_is_the_child_process_own():
    """A child of a big process must report its own peak, not the parent's (ru_maxrss survives exec)."""
    ballast = bytearray(300 * 1024 * 1024)  # make this process's peak clearly larger than a bare child's
    ballast[::4096] = b"x" * len(ballast[::4096])
    code = "from kbqa.devtools.measure import peak_rss_mb; print(peak_rss_mb())"
    child = float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                                 cwd=REPO_ROOT).stdout)
    assert measure.peak_rss_mb() >= 300 and child < measure.peak_rss_mb() - 200
    del ballast


def test_peak_and_current_rss_of_another_process():
    code = "import sys; b = bytearray(200 * 2**20); b[::4096] = b'x' * len(b[::4096]); del b; sys.stdin.read()"
    p = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE)
    try:
        for _ in range(200):  # until its ballast has come and gone
            peak, now = measure.peak_rss_mb(p.pid), measure.current_rss_mb(p.pid)
            if peak and peak >= 200 and now < peak - 150:
                break
            time.sleep(0.05)
        assert peak >= 200 and now < peak - 150, (peak, now)
        # the child (no children of its own) is idle now: its tree's RSS is its own
        assert measure.tree_rss_mb(p.pid) == pytest.approx(measure.current_rss_mb(p.pid), abs=5)
    finally:
        p.communicate(b"")
    assert measure.current_rss_mb() <= measure.peak_rss_mb()


def test_read_jsonl_and_load_questions(tmp_path):
    f = tmp_path / "q.jsonl"
    rows = [{"question": "容器网络怎么选", "topic": 4}, {"question": "  "}, {"q": "no question"},
            {"question": "今天吃什么", "topic": None}]
    f.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows[:2]) + "\n\n"
                 + "\n".join(json.dumps(r, ensure_ascii=False) for r in rows[2:]) + "\n", encoding="utf-8")
    assert measure.read_jsonl(f) == rows  # blank lines skipped, nothing checked
    assert measure.load_questions([f]) == [rows[0], rows[3]]  # rows with a question


def test_load_questions_reads_the_eval_sets_by_default():
    qs = measure.load_questions()
    assert qs and all(r["question"].strip() for r in qs)
    assert any(r.get("topic") is None for r in qs) and any(r.get("topic") for r in qs)


def test_machine_info():
    m = measure.machine_info()
    assert m["cores"] >= 1 and m["cpu"] and m["python"]


def test_child_env_puts_this_checkout_first(monkeypatch):
    monkeypatch.setenv("PYTHONPATH", "/elsewhere")
    env = measure.child_env(KBQA_EMBEDDER="fake")
    assert env["PYTHONPATH"].split(":")[:2] == [str(REPO_ROOT), "/elsewhere"]
    assert env["KBQA_EMBEDDER"] == "fake" and env["HF_HUB_OFFLINE"]
