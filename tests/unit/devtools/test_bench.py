"""`kbqa bench`: its parts, through their public functions, and a quick end-to-end run on the fake
embedder. No timing assertions: speed is what the command measures, not what the tests check."""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np
import pytest

from kbqa.devtools import bench
from kbqa.devtools.bench import http, runner, scale, warm
from kbqa.devtools.measure import machine_info


@pytest.fixture(scope="module")
def real_units():
    from kbqa.corpus.loader import load_faq
    from kbqa.settings import Settings

    return load_faq(Settings().corpus).units


@pytest.mark.parametrize("n", [1, 7, 1000])
def test_synthetic_units_have_n_unique_ids(real_units, n):
    units = scale.synthetic_units(real_units, n, seed=3)
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
    assert scale.synthetic_units(real_units, n, seed=3) == units  # deterministic


def test_random_unit_vectors_are_normalised():
    v = scale.random_unit_vectors(50, 384, seed=1)
    assert v.shape == (50, 384) and v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)


def test_targets_and_table(tmp_path):
    res = {"machine": machine_info(), "profile": "quick", "units": 32,
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


def test_ratio_fields_and_kind_lines():
    from kbqa.devtools.bench.runner import _ratios

    res = {"machine": {"usable_cores": 2, "cpu": "x", "cores": 2, "python": "3.11"}, "profile": "quick",
           "ask_p50_ms": 10.0, "ask_p95_ms": 20.0, "http_qps": 150.0, "http_p95_ms": 80.0,
           "baseline_ratio_p50": 3.2, "ask_by_kind": {"overview": {"n": 3, "p50_ms": 1.5, "p95_ms": 2.0}}, "scale": [],
           "notes": []}
    _ratios(res)
    assert res["http_core_efficiency"] == 0.75 and res["http_p95_over_ask_p95"] == 4.0
    assert res["http_workers_core_efficiency"] is None  # no run with workers: None, not an error
    workers = dict(res, http_workers_qps=60.0, http_workers_p95_ms=120.0)
    _ratios(workers)
    assert workers["http_workers_core_efficiency"] == 0.3 and workers["http_workers_p95_over_ask_p95"] == 6.0
    rows = {t["metric"]: t["pass"] for t in bench.targets(res)}
    assert rows["http_core_efficiency"] and rows["http_p95_over_ask_p95"] and rows["baseline_ratio_p50"]
    assert rows["baseline_ratio_p95"] is None
    res["targets"] = bench.targets(res)
    table = bench.format_table(res)
    assert "overview" in table and "by conversation kind" in table
    _ratios(dict(res, http_qps=None))  # a missing figure gives None, not an error


def test_tree_pss_is_at_most_rss_and_none_for_no_process():
    from kbqa.devtools.measure import tree_pss_mb, tree_rss_mb

    pss = tree_pss_mb(os.getpid())
    assert pss and 0 < pss <= tree_rss_mb(os.getpid()) + 1  # shared library pages count a share of themselves
    assert tree_pss_mb(2**22 + 12345) is None  # no such process


def test_http_warmup_questions_are_not_timed_again():
    qs = [f"q{i}" for i in range(20)]
    warmup, timed = http.split_warmup(qs)
    assert len(warmup) == http.WARMUP_QUESTIONS and not set(warmup) & set(timed) and set(warmup) | set(timed) == set(qs)
    assert http.split_warmup(qs[:3]) == (qs[:3], qs[:3])  # too few to split: better repeated than none


def test_scale_point_small():
    s = scale.scale_point(300, n_queries=5)
    assert s["units"] == 300 and s["chunks"] > 300 and s["faiss_index"] == "Flat"
    assert s["queries"] == 5 and s["query_p50_ms"] > 0
    assert s["peak_rss_mb"] >= s["rss_loaded_mb"] > 0


def test_warm_asks_time_the_full_work(fake_engine):
    records = [{"question": "容器里怎么执行定时任务？", "topic": 1}, {"question": "今天吃什么", "topic": None},
               {"question": "", "topic": None}]  # an invalid question is skipped, not timed
    w = warm.measure_warm(fake_engine, records)
    assert len(w["lat_ms"]) == len(w["cached_lat_ms"]) == 2
    assert w["n_in_scope"] == 1 and w["topic_hit@1"] == 1.0


def test_baseline_pipeline_leaves_llama_index_settings_alone(fake_engine, capsys):
    """The llama-index baseline gets its embed model passed in: the global Settings keep no model and no
    LLM, and nothing is printed (`kbqa bench --json` prints JSON alone)."""
    from llama_index.core import Settings as LISettings
    from llama_index.core.embeddings import MockEmbedding

    before = (LISettings._llm, LISettings._embed_model)
    retriever = warm.baseline_retriever(fake_engine.faq().units, MockEmbedding(embed_dim=8), dim=8, top_k=3)
    assert len(retriever.retrieve("容器网络怎么选")) == 3
    assert (LISettings._llm, LISettings._embed_model) == before == (None, None)
    assert capsys.readouterr().out == ""


def test_baseline_needs_the_sentence_transformers_model(fake_engine):
    assert "sentence-transformers" in warm.measure_baseline(fake_engine, [])["note"]


def test_json_output_is_json_alone(monkeypatch, capsys):
    """Whatever a library prints during the run goes to stderr: stdout is the JSON object."""
    def noisy_run(quick, progress):
        print("LLM is explicitly disabled. Using MockLLM.")
        progress("a step")
        return {"profile": "quick", "ask_p50_ms": 1.0}

    monkeypatch.setattr(runner, "run", noisy_run)
    assert bench.run_cli(argparse.Namespace(json=True, quick=True, report=None, stress=False)) == 0
    out, err = capsys.readouterr()
    assert json.loads(out) == {"profile": "quick", "ask_p50_ms": 1.0}
    assert "MockLLM" in err and "a step" in err


@pytest.mark.slow  # a real server subprocess, a lean-profile process and a 3k-unit build
def test_bench_quick_json_end_to_end(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("KBQA_")}
    env.update(KBQA_EMBEDDER="fake", HF_HUB_OFFLINE="1")
    # The time limit (a guard against a hang) is relative to this machine's pace now: a `kbqa build` (a process
    # starting, its imports, an index built) measured first, in a home of its own. The quick bench costs some
    # 50 of those on an idle machine; load slows the long bench more than the short baseline, hence 300.
    t0 = time.monotonic()
    b = subprocess.run([sys.executable, "-m", "kbqa.frontends.cli", "build"], cwd=tmp_path, capture_output=True,
                       env={**env, "KBQA_HOME": str(tmp_path / "baseline")}, text=True, timeout=3600)
    assert b.returncode == 0, b.stderr[-2000:]
    limit = 300 * (time.monotonic() - t0)
    p = subprocess.run([sys.executable, "-m", "kbqa.frontends.cli", "bench", "--quick", "--json",
                        "--report", str(tmp_path / "report")],
                       cwd=tmp_path, env={**env, "KBQA_HOME": str(tmp_path / "home")}, capture_output=True,
                       text=True, timeout=limit)
    assert p.returncode == 0, p.stderr[-2000:]
    res = json.loads(p.stdout)
    for key in ("cold_start_s", "build_s", "ask_p50_ms", "ask_p95_ms", "ask_p99_ms", "peak_rss_mb"):
        assert isinstance(res[key], (int, float)), key
    assert res["baseline_ask_p50_ms"] is None  # the baseline needs the real model
    assert "http_qps" in res and "server_rss_mb" in res
    assert isinstance(res["lean_cold_start_s"], float) and res["lean_imports_torch"] is False, res.get("notes")
    assert [s["units"] for s in res["scale"]] == [1000, 3000]
    assert all("query_p50_ms" in s for s in res["scale"]), res["scale"]
    assert {t["metric"] for t in res["targets"]} == set(bench.TARGETS)
    for key in ("baseline_ratio_p50", "http_core_efficiency", "http_p95_over_ask_p95"):
        assert key in res, key
    by_kind = res["ask_by_kind"]
    assert by_kind and all(f["n"] > 0 and f["route_p50_ms"] >= 0 for f in by_kind.values()), by_kind
    assert (tmp_path / "report" / "scale.png").stat().st_size > 0


@pytest.mark.slow
def test_the_load_generator_counts_answers_and_errors_over_real_http():
    """_load against a local HTTP server: each 200 is a latency, anything else an error, and a dropped
    connection is reopened for the next request."""
    import json as _json
    import threading as _threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):  # noqa: N802 - the standard library's name
            q = _json.loads(self.rfile.read(int(self.headers["Content-Length"])))["question"]
            seen.append(q)
            if q == "drop":
                self.close_connection = True
                self.wfile.write(b"garbage\r\n\r\n")
                return
            body = b'{"status": "answered"}'
            self.send_response(500 if q == "bad" else 200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    _threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        lat, errors, wall = http._load(base, ["a", "bad", "drop", "b"], 8, 2, 5.0)
    finally:
        server.shutdown()
    assert len(seen) == 8 and sorted(set(seen)) == ["a", "b", "bad", "drop"]
    assert len(lat) == 4 and all(x > 0 for x in lat) and wall > 0
    assert sorted(set(errors)) == ["BadStatusLine", "HTTP 500"] and len(errors) == 4
