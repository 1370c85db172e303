"""Turn eval rows into the JSON document, text tables, report.md, a PNG chart and the failures files.

The JSON document (what ``kbqa eval --json`` prints and ``--report DIR`` writes as metrics.json):

    {"mode": "hybrid", "modes": ["hybrid"], "answer_mode": "extractive", "embedder": {...identity...},
     "command": "kbqa eval ...", "date": "...", "corpus": {...}, "calibration": {mode: source},
     "quality_bar": {metric: [op, threshold]}, "conv_bar": 0.95,
     "sets": {"dev.jsonl": {"file": path, <metrics>, "by_lang": {lang: <metrics>}, "by_kind": {kind: <metrics>},
                            "conv": <conv>}, ...},
     "combined": {<metrics>, "by_lang": ..., "by_kind": ..., "conv": <conv>},      # all sets pooled
     "gate": {"passed": bool, "failures": ["dev.jsonl [hybrid]: topic_hit@1 0.9 < 0.95",
                                           "test.jsonl [hybrid]: conv smalltalk 0.5 < 0.95 (7 of 14)", ...]},
     "n_failures": int}

With ``--compare`` the per-mode results move under ``runs`` (same shape), and ``mode`` is absent:

    {"modes": ["lexical", "dense", "hybrid"], ..., "runs": {"lexical": {"sets": {...}, "combined": {...}}, ...}}

<metrics> is ``metrics.summarise`` over the set's topical rows (``dataset.is_topical_row``: conversation rows
stay out unless their kind is a topical one): the rates of ``metrics.RATES`` (each in [0, 1] or null when
nothing to count), the counts of ``metrics.COUNTS`` and ``latency_p50_ms``/``latency_p95_ms``.
<conv> is ``conversation.summarise`` over the set's conversation rows: ``{"conv_pass": rate or null, "n",
"passed", "by_kind": {kind: {"conv_pass", "n", "passed"}}, "by_expect_kind": {...}}``.

The gate: every set meets ``metrics.QUALITY_BAR`` and every conversation kind of every set passes at least
``conversation.CONV_BAR`` of its rows.
"""
from __future__ import annotations

import json
from pathlib import Path

from kbqa.evaluation import conversation
from kbqa.evaluation.dataset import is_topical_row
from kbqa.evaluation.failures import failures, failures_markdown, row_reasons
from kbqa.evaluation.metrics import COUNTS, LATENCIES, QUALITY_BAR, RATES, Row, below_bar, summarise_with_breakdowns

TABLE_ROWS = RATES + ("n", "n_in_scope", "n_ood") + LATENCIES
CHART_METRICS = ("topic_hit@1", "expert_recall@5", "citation_hit", "keyword_coverage", "ood_accuracy")


# ---- the document -------------------------------------------------------------------------------
def set_names(paths: list[str | Path]) -> list[str]:
    """Keys for the sets: the file name, or the path as given when two files share a name."""
    names = [Path(p).name for p in paths]
    out, used = [], set()
    for p, name in zip(paths, names):
        key = name if names.count(name) == 1 else str(p)
        base, k = key, 2
        while key in used:
            key, k = f"{base}#{k}", k + 1
        used.add(key)
        out.append(key)
    return out


def summarise_rows(rows: list[Row]) -> dict:
    """Topical metrics (with breakdowns) over the topical rows, and ``conv`` over the conversation rows."""
    return {**summarise_with_breakdowns([r for r in rows if is_topical_row(r.item)]),
            "conv": conversation.summarise((r.item, r.conv[0]) for r in rows if r.conv is not None)}


def summarise_run(sets: dict[str, list[Row]], files: dict[str, str] | None = None) -> dict:
    files = files or {}
    out = {"sets": {name: {"file": files.get(name, name), **summarise_rows(rows)} for name, rows in sets.items()}}
    out["combined"] = summarise_rows([r for rows in sets.values() for r in rows])
    return out


def build_document(runs: dict[str, dict[str, list[Row]]], files: dict[str, str] | None = None,
                   meta: dict | None = None) -> dict:
    """The JSON document for ``runs`` ({mode: {set name: rows}}); ``meta`` adds answer_mode, embedder, ..."""
    meta = dict(meta or {})
    modes = list(runs)
    doc: dict = {}
    if len(modes) == 1:
        doc["mode"] = modes[0]
    doc["modes"] = modes
    doc["answer_mode"] = meta.pop("answer_mode", "extractive")
    doc["embedder"] = meta.pop("embedder", {})
    doc.update(meta)
    doc["quality_bar"] = {k: list(v) for k, v in QUALITY_BAR.items()}
    doc["conv_bar"] = conversation.CONV_BAR
    results = {mode: summarise_run(sets, files) for mode, sets in runs.items()}
    if len(modes) == 1:
        doc.update(results[modes[0]])
    else:
        doc["runs"] = results
    misses = []
    for mode, res in results.items():
        for name, metrics in res["sets"].items():  # combined is a weighted mean of these: never adds a miss
            misses += [f"{name} [{mode}]: {m}" for m in below_bar(metrics) + conversation.below_bar(metrics["conv"])]
    doc["gate"] = {"passed": not misses, "failures": misses}
    doc["n_failures"] = sum(1 for sets in runs.values() for rows in sets.values() for r in rows if row_reasons(r))
    return doc


def results_by_mode(doc: dict) -> dict[str, dict]:
    """{mode: {"sets": ..., "combined": ...}} for single-mode and --compare documents alike."""
    if "runs" in doc:
        return doc["runs"]
    return {doc["mode"]: {"sets": doc["sets"], "combined": doc["combined"]}}


# ---- text and markdown tables -------------------------------------------------------------------
def fmt(name: str, value) -> str:
    if value is None:
        return "-"
    if name in COUNTS:
        return str(int(value))
    if name in LATENCIES:
        return f"{value:.1f}"
    return f"{value:.3f}"


def _bar_text(name: str) -> str:
    if name not in QUALITY_BAR:
        return ""
    op, t = QUALITY_BAR[name]
    return f"{op} {t:g}"


def _cell(name: str, metrics: dict) -> str:
    value = metrics.get(name)
    missed = bool(below_bar({name: value})) if name in QUALITY_BAR else False
    text = fmt(name, value)
    if missed and float(text) == QUALITY_BAR[name][1]:
        text = f"{value:.4f}"  # 0.8997 shows as 0.900: keep the digit that misses the bar
    return text + ("*" if missed else "")


def metric_columns(doc: dict) -> list[tuple[str, dict[str, dict]]]:
    """[(title, {column: metrics})]: one table of sets for a single mode; per set, a table of modes."""
    by_mode = results_by_mode(doc)
    modes = list(by_mode)
    first = by_mode[modes[0]]
    set_keys = list(first["sets"]) + (["combined"] if len(first["sets"]) > 1 else [])

    def get(res, key):
        return res["combined"] if key == "combined" else res["sets"][key]

    if len(modes) == 1:
        return [(f"mode {modes[0]}", {k: get(first, k) for k in set_keys})]
    return [(k, {m: get(by_mode[m], k) for m in modes}) for k in set_keys]


def conv_rows(columns: dict[str, dict]) -> list[list[str]]:
    """The conversation table: overall pass rate, then per kind, then per expect_kind; a cell is
    'rate (passed/n)', * when a kind is below the bar, - when the column has none."""
    convs = {col: m.get("conv") or {} for col, m in columns.items()}

    def cell(g: dict | None, is_kind: bool = False) -> str:
        if not g or not g.get("n"):
            return "-"
        low = is_kind and g["conv_pass"] < conversation.CONV_BAR
        return f"{g['conv_pass']:.3f} ({g['passed']}/{g['n']})" + ("*" if low else "")

    out = [["conv_pass", *(cell(c) for c in convs.values()), ""]]
    for field, label, is_kind in (("by_kind", "kind", True), ("by_expect_kind", "expect_kind", False)):
        groups = list(dict.fromkeys(g for c in convs.values() for g in (c.get(field) or {})))
        out += [[f"{label} {g}", *(cell((c.get(field) or {}).get(g), is_kind) for c in convs.values()),
                 f">= {conversation.CONV_BAR:g}" if is_kind else ""] for g in groups]
    return out


def has_conv(columns: dict[str, dict]) -> bool:
    return any((m.get("conv") or {}).get("n") for m in columns.values())


def text_table(columns: dict[str, dict], conv: bool = False) -> str:
    heads = ["conversation" if conv else "metric", *columns, "bar"]
    body = (conv_rows(columns) if conv else
            [[name, *(_cell(name, m) for m in columns.values()), _bar_text(name)] for name in TABLE_ROWS])
    widths = [max(len(str(r[i])) for r in [heads, *body]) for i in range(len(heads))]
    lines = []
    for r in [heads, *body]:
        cells = [str(c).ljust(widths[0]) if i == 0 else str(c).rjust(widths[i]) for i, c in enumerate(r)]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def text_summary(doc: dict) -> str:
    emb = doc.get("embedder") or {}
    head = (f"kbqa eval · modes {','.join(doc['modes'])} · answer {doc.get('answer_mode')} · "
            f"embedder {emb.get('backend', '?')}/{emb.get('model', '?')}")
    parts = [head]
    for title, columns in metric_columns(doc):
        parts += ["", f"[{title}]", text_table(columns)]
        if has_conv(columns):
            parts += ["", text_table(columns, conv=True)]
    parts.append("")
    parts.append("* below the quality bar (topical metrics; conversation kinds >= "
                 f"{conversation.CONV_BAR:g})" if not doc["gate"]["passed"] else "quality bar: met on every set")
    parts.append(f"{doc.get('n_failures', 0)} questions failed a check (see --report DIR for failures.md, "
                 "breakdowns by lang/kind and a chart)")
    return "\n".join(parts)


def md_table(heads: list[str], rows: list[list]) -> str:
    def esc(x):
        return str(x).replace("|", "\\|").replace("\n", " ")

    out = ["| " + " | ".join(esc(h) for h in heads) + " |",
           "|" + "|".join("---" if i == 0 else "---:" for i in range(len(heads))) + "|"]
    out += ["| " + " | ".join(esc(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def markdown(doc: dict) -> str:
    emb = doc.get("embedder") or {}
    corpus = doc.get("corpus") or {}
    lines = ["# kbqa eval report", "",
             f"- Command: `{doc.get('command', 'kbqa eval')}`",
             f"- Date: {doc.get('date', '')}",
             f"- Retrieval mode{'s' if len(doc['modes']) > 1 else ''}: {', '.join(doc['modes'])}",
             f"- Answer mode: {doc.get('answer_mode')}",
             f"- Embedder: {', '.join(f'{k} `{v}`' for k, v in emb.items())}"]
    if corpus:
        lines.append(f"- Corpus: `{corpus.get('path')}` (sha256 {str(corpus.get('sha256', ''))[:12]})")
    if doc.get("calibration"):
        lines.append("- Answer/not-covered decision: " +
                     ", ".join(f"{m}: `{s}`" for m, s in doc["calibration"].items()))
    lines.append("- Latency: wall time of `engine.ask()` per question, after one untimed warm-up question.")
    bar = ", ".join(f"{k} {op} {t:g}" for k, (op, t) in QUALITY_BAR.items())
    bar += f"; each conversation kind passes >= {conversation.CONV_BAR:g}"
    misses = doc["gate"]["failures"]
    lines.append(f"- Quality bar ({bar}): " + ("met on every set" if not misses else f"**missed** ({len(misses)}):"))
    lines += [f"  - {m}" for m in misses]
    lines += ["", "## Metrics", "",
              "Values marked * are below the quality bar; - means nothing to count. "
              "See kbqa/evaluation/metrics.py for the definitions.", ""]
    for title, columns in metric_columns(doc):
        lines += [f"### {title}", "",
                  "Topical rows (conversation rows of a conversation kind are left out):", "",
                  md_table(["metric", *columns, "bar"],
                           [[n, *(_cell(n, m) for m in columns.values()), _bar_text(n)] for n in TABLE_ROWS]), ""]
        if has_conv(columns):
            lines += ["Conversation rows (scored as shared/eval/check_conv.py, plus expect_kind; "
                      "rate (passed/n), * below the bar):", "",
                      md_table(["conversation", *columns, "bar"], conv_rows(columns)), ""]
    heads = ["group", "n", *RATES]
    for field, title in (("by_lang", "By language"), ("by_kind", "By kind")):
        lines += [f"## {title}", ""]
        for mode, res in results_by_mode(doc).items():
            blocks = list(res["sets"].items())
            if len(blocks) > 1:
                blocks.append(("combined", res["combined"]))
            for name, metrics in blocks:
                lines += [f"### {name} · {mode}", "",
                          md_table(heads, [[g, m["n"], *(_cell(r, m) for r in RATES)]
                                           for g, m in metrics[field].items()]), ""]
    lines += ["## Chart", "", "![metrics by kind and language](metrics.png)", "",
              "## Failures", "",
              f"{doc.get('n_failures', 0)} questions failed at least one check: read them one by one in "
              "[failures.md](failures.md) (the same as JSON lines in failures.jsonl).", ""]
    return "\n".join(lines)


# ---- chart --------------------------------------------------------------------------------------
def write_chart(doc: dict, path: Path) -> Path:
    """Key metrics by kind and by language (all sets pooled), one row of two panels per mode."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    by_mode = results_by_mode(doc)
    height = 4.6 * len(by_mode) + 0.8  # inches; the top 0.8 holds the title and the legend
    fig, axes = plt.subplots(len(by_mode), 2, figsize=(16, height), squeeze=False,
                             gridspec_kw={"width_ratios": [3, 1]})
    width = 0.8 / len(CHART_METRICS)
    for row, (mode, res) in enumerate(by_mode.items()):
        for col, (field, title) in enumerate((("by_kind", "by kind"), ("by_lang", "by language"))):
            ax = axes[row][col]
            groups = res["combined"][field]
            for i, name in enumerate(CHART_METRICS):
                xs = [j + (i - (len(CHART_METRICS) - 1) / 2) * width for j in range(len(groups))]
                vals = [m.get(name) for m in groups.values()]
                pts = [(x, v) for x, v in zip(xs, vals) if v is not None]
                ax.bar([p[0] for p in pts], [p[1] for p in pts], width, label=name, color=f"C{i}")
                for x, v in pts:  # a zero is a result, not a missing bar: mark it
                    if v == 0:
                        ax.text(x, 0.01, "0", ha="center", va="bottom", fontsize=7, color=f"C{i}")
            ax.set_xticks(range(len(groups)))
            ax.set_xticklabels([f"{g}\n(n={m['n']})" for g, m in groups.items()], fontsize=8)
            ax.set_ylim(0, 1.05)
            ax.set_title(f"{mode} · {title}", fontsize=10)
            ax.grid(axis="y", alpha=0.3)
    emb = doc.get("embedder") or {}
    fig.suptitle(f"kbqa eval · answer {doc.get('answer_mode')} · {emb.get('backend', '?')}/{emb.get('model', '?')}"
                 " · all sets pooled; no bar: nothing to count", fontsize=11, y=1 - 0.08 / height, va="top")
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.8 / height))
    fig.legend(handles, labels, loc="upper center", ncol=len(CHART_METRICS), fontsize=9,
               bbox_to_anchor=(0.5, 1 - 0.38 / height), frameon=False)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


# ---- the report folder --------------------------------------------------------------------------
def write_report(out_dir: str | Path, doc: dict, runs: dict[str, dict[str, list[Row]]]) -> list[Path]:
    """metrics.json, report.md, metrics.png, failures.jsonl, failures.md in ``out_dir``; returns the paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / n for n in ("metrics.json", "report.md", "metrics.png", "failures.jsonl", "failures.md")]
    paths[0].write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    paths[1].write_text(markdown(doc), encoding="utf-8")
    write_chart(doc, paths[2])
    records = failures(runs)
    paths[3].write_text("".join(json.dumps(f, ensure_ascii=False) + "\n" for f in records), encoding="utf-8")
    paths[4].write_text(failures_markdown(records, doc), encoding="utf-8")
    return paths
