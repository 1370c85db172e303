"""`kbqa bench`: the pure pieces, and a quick end-to-end run on the fake embedder. No timing assertions:
speed is what the command measures, not what the tests check."""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from kbqa.devtools import bench
from kbqa.settings import REPO_ROOT


@pytest.fixture(scope="module")
def real_units():
    from kbqa.corpus.loader import load_faq
    from kbqa.settings import Settings

    return load_faq(Settings().corpus).units


@pytest.mark.parametrize("n", [1, 7, 1000])
def test_synthetic_units_have_n_unique_ids(real_units, n):
    units = bench.synthetic_units(real_units, n, seed=3)
    assert len(units) == n
    assert len({u.id for u in units}) == n
    assert units[0].kind == "question"
    topics = {u.topic for u in units}
    real_sentences = "".join(u.text for u in real_units)
    for u in units:
        assert u.text.strip()
        if u.kind == "answer":
            assert u.expert and u.topic in topics
            assert u.text[:6] in real_sentences  # recombined from real sentences, not invented text
    assert bench.synthetic_units(real_units, n, seed=3) == units  # deterministic


def test_percentiles():
    p = bench.percentiles(range(1, 101))
    assert p[50] == pytest.approx(50.5)
    assert p[95] == pytest.approx(95.05)
    assert p[99] == pytest.approx(99.01)
    assert bench.percentiles([]) == {50: None, 95: None, 99: None}
    assert bench.percentiles([4.0])[99] == 4.0


def test_random_unit_vectors_are_normalised():
    v = bench.random_unit_vectors(50, 384, seed=1)
    assert v.shape == (50, 384) and v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)


def test_machine_info_and_questions():
    m = bench.machine_info()
    assert m["cores"] >= 1 and m["cpu"]
    qs = bench.load_questions()
    assert qs and all(r["question"].strip() for r in qs)
    assert any(r.get("topic") is None for r in qs) and any(r.get("topic") for r in qs)


def test_targets_and_table(tmp_path):
    res = {"machine": bench.machine_info(), "profile": "quick", "units": 32,
           "embedder": {"model": "hash-ngrams", "backend": "fake"},
           "ask_p50_ms": 5.0, "ask_p95_ms": 50.0, "http_qps": None, "cold_start_s": 3.0,
           "scale": [{"units": 1000, "chunks": 3000, "topics": 250, "faiss_index": "Flat", "build_s": 1.0,
                      "init_s": 0.1, "mem_mb": 10.0, "peak_rss_mb": 100.0, "query_p50_ms": 1.0,
                      "query_p95_ms": 2.0},
                     {"units": 10000, "note": "timed out after 1 s"}],
           "notes": ["a note"]}
    rows = {t["metric"]: t["pass"] for t in bench.targets(res)}
    assert rows["ask_p50_ms"] is True and rows["ask_p95_ms"] is False and rows["http_qps"] is None
    res["targets"] = bench.targets(res)
    table = bench.format_table(res)
    assert "[FAIL] ask_p95_ms" in table and "[PASS] ask_p50_ms" in table and "timed out" in table
    written = bench.write_report(res, tmp_path / "r")
    assert {p.name for p in written} == {"bench.json", "bench.md", "scale.png"}
    assert json.loads((tmp_path / "r" / "bench.json").read_text())["ask_p50_ms"] == 5.0


def test_http_warmup_questions_are_not_timed_again():
    qs = [f"q{i}" for i in range(20)]
    warm, timed = bench.split_warmup(qs)
    assert len(warm) == bench.WARMUP_QUESTIONS and not set(warm) & set(timed) and set(warm) | set(timed) == set(qs)
    assert bench.split_warmup(qs[:3]) == (qs[:3], qs[:3])  # too few to split: better repeated than none


def test_scale_point_small():
    s = bench.scale_point(300, n_queries=5)
    assert s["units"] == 300 and s["chunks"] > 300 and s["faiss_index"] == "Flat"
    assert s["queries"] == 5 and s["query_p50_ms"] > 0


@pytest.mark.slow  # a real server subprocess and a 10k-unit build: minutes on a shared 2-core machine
def test_bench_quick_json_end_to_end(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("KBQA_")}
    env.update(KBQA_EMBEDDER="fake", KBQA_HOME=str(tmp_path / "home"), HF_HUB_OFFLINE="1")
    p = subprocess.run([sys.executable, "-m", "kbqa.frontends.cli", "bench", "--quick", "--json",
                        "--report", str(tmp_path / "report")],
                       cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr[-2000:]
    res = json.loads(p.stdout)
    for key in ("cold_start_s", "build_s", "ask_p50_ms", "ask_p95_ms", "ask_p99_ms", "peak_rss_mb"):
        assert isinstance(res[key], (int, float)), key
    assert res["baseline_ask_p50_ms"] is None  # the baseline needs the real model
    assert "http_qps" in res and "server_rss_mb" in res
    assert isinstance(res["lean_cold_start_s"], float) and res["lean_imports_torch"] is False, res.get("notes")
    assert [s["units"] for s in res["scale"]] == [1000, 10000]
    assert all("query_p50_ms" in s for s in res["scale"]), res["scale"]
    assert {t["metric"] for t in res["targets"]} == set(bench.TARGETS)
    assert (tmp_path / "report" / "scale.png").stat().st_size > 0


def test_peak_rss_is_the_child_process_own():
    """A child of a big process must report its own peak, not the parent's (ru_maxrss survives exec)."""
    ballast = bytearray(300 * 1024 * 1024)  # make this process's peak clearly larger than a bare child's
    ballast[::4096] = b"x" * len(ballast[::4096])
    code = "from kbqa.devtools.bench import _rss_mb; print(_rss_mb())"
    child = float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                                 cwd=REPO_ROOT).stdout)
    assert bench._rss_mb() >= 300 and child < bench._rss_mb() - 200
    del ballast
