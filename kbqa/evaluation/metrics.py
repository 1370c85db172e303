"""Answer-quality metrics: pure functions of (eval item, Answer) rows. No engine, no I/O.

An *item* is one row of an eval set (a dict: id, question, topic, experts, must_mention, lang, kind).
An *answer* is anything shaped like ``kbqa.types.Answer``: ``status``, ``answer`` (text), ``topic``,
``citations`` (each with ``topic`` and ``expert``) and ``hits`` (ranked, each with ``unit`` and ``score``).

Definitions (every rate is in [0, 1]; a rate with no question to count is ``None``):

- in scope: ``topic`` is a number; out of scope (OOD): ``topic`` is null.
- topic ranking: the distinct topics of ``answer.hits`` in rank order (retrieval, whatever the decision).
  ``topic_hit@1``/``topic_hit@3``: the gold topic is ranked first / in the first three; ``topic_mrr``: mean of
  1/rank (0 when absent). Over in-scope questions.
- ``expert_recall@5``: per question, the share of labelled experts whose (topic, handle) answer unit is in
  ``hits[:5]``; averaged over in-scope questions with a non-empty ``experts``.
- ``citation_hit``: the answer is ``answered`` and cites a labelled expert of the gold topic (or, when
  ``experts`` is empty, any unit of the gold topic). Over in-scope questions; a refusal is a miss.
- ``citation_precision``: per answered in-scope question, the share of its citations on the gold topic
  (0 for an answer without citations); averaged over in-scope answered questions.
- ``keyword_coverage``: per question, the share of ``must_mention`` entries found in the answer text (an entry
  is found when any of its ``|`` alternatives occurs; both sides go through ``kbqa.text.normalise.normalise``: NFKC,
  Traditional -> Simplified, lower case). A refusal covers nothing (its topic menu is not an answer).
  Averaged over in-scope questions with a non-empty ``must_mention``.
- ``ood_accuracy``: OOD questions answered ``not_covered``.
- ``false_refusal_rate``: in-scope questions answered ``not_covered``.

Handles are compared after ``normalise`` too, so a Traditional-script handle matches its Simplified label.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Iterable

# The project's quality bar: metric -> (comparison, threshold). `kbqa eval --gate` exits 1 below it.
QUALITY_BAR: dict[str, tuple[str, float]] = {
    "topic_hit@1": (">=", 0.95),
    "expert_recall@5": (">=", 0.90),
    "citation_hit": (">=", 0.95),
    "ood_accuracy": (">=", 0.90),
    "false_refusal_rate": ("<=", 0.05),
}

# The rates every summary has, in display order (all in [0, 1], None when nothing to count).
RATES = ("topic_hit@1", "topic_hit@3", "topic_mrr", "expert_recall@5", "citation_hit", "citation_precision",
         "keyword_coverage", "ood_accuracy", "false_refusal_rate")
COUNTS = ("n", "n_in_scope", "n_ood", "n_invalid", "n_with_experts", "n_with_must_mention",
          "n_in_scope_answered")
LATENCIES = ("latency_p50_ms", "latency_p95_ms")
EXPERT_K = 5
LOWER_IS_BETTER = frozenset({"false_refusal_rate"})

# per-row field -> summary name
_ROW_RATES = {"topic_hit@1": "topic_hit@1", "topic_hit@3": "topic_hit@3", "topic_rr": "topic_mrr",
              "expert_recall@5": "expert_recall@5", "citation_hit": "citation_hit",
              "citation_precision": "citation_precision", "keyword_coverage": "keyword_coverage",
              "ood_correct": "ood_accuracy", "false_refusal": "false_refusal_rate"}


@dataclass
class Row:
    """One asked question: the eval item, the Answer, the wall time of ask() and the InvalidQuestion
    message when the engine refused the input (the answer is then a synthetic ``not_covered``). ``conv`` is
    the conversation score ``(passed, reasons)`` of a conversation row (``kbqa.evaluation.conversation``),
    None for a topical row."""

    item: dict
    answer: Any
    latency_ms: float | None = None
    error: str | None = None
    set: str = ""
    mode: str = ""
    conv: tuple[bool, list[str]] | None = None


def _norm(text: str) -> str:
    from kbqa.text.normalise import normalise

    return normalise(text or "")


def _unpack(row) -> tuple[dict, Any, float | None]:
    if isinstance(row, Row):
        return row.item, row.answer, row.latency_ms
    item, answer, *rest = row
    return item, answer, (rest[0] if rest else None)


# ---- per-question pieces ------------------------------------------------------------------------
def topic_ranking(answer) -> list[int]:
    """Distinct topics of the ranked hits, in order."""
    seen: list[int] = []
    for h in getattr(answer, "hits", ()) or ():
        if h.unit.topic not in seen:
            seen.append(h.unit.topic)
    return seen


def topic_rank(item: dict, answer) -> int | None:
    """1-based rank of the gold topic among the retrieved topics; 0 when absent; None out of scope."""
    if item.get("topic") is None:
        return None
    ranking = topic_ranking(answer)
    return ranking.index(item["topic"]) + 1 if item["topic"] in ranking else 0


def labelled_units(item: dict) -> set[tuple[int, str]]:
    """The (topic, handle) expert answers that hold the answer (normalised handles)."""
    if item.get("topic") is None:
        return set()
    return {(item["topic"], _norm(e)) for e in item.get("experts") or ()}


def expert_recall(item: dict, answer, k: int = EXPERT_K) -> tuple[float | None, list[str]]:
    """(share of labelled experts among the top k answer units, the missing handles); None when unlabelled."""
    gold = labelled_units(item)
    if not gold:
        return None, []
    top = {(h.unit.topic, _norm(h.unit.expert)) for h in (answer.hits or ())[:k]
           if getattr(h.unit, "kind", "answer") == "answer" and h.unit.expert}
    missing = [e for e in item["experts"] if (item["topic"], _norm(e)) not in top]
    return (len(gold) - len({_norm(e) for e in missing})) / len(gold), missing


def citation_hit(item: dict, answer) -> bool | None:
    if item.get("topic") is None:
        return None
    if answer.status != "answered":
        return False
    gold = labelled_units(item)
    if gold:
        return any((c.topic, _norm(c.expert)) in gold for c in answer.citations)
    return any(c.topic == item["topic"] for c in answer.citations)


def citation_precision(item: dict, answer) -> float | None:
    if item.get("topic") is None or answer.status != "answered":
        return None
    if not answer.citations:
        return 0.0
    return sum(c.topic == item["topic"] for c in answer.citations) / len(answer.citations)


def keyword_coverage(item: dict, answer) -> tuple[float | None, list[str]]:
    """(share of must_mention entries found in the answer text, the entries not found); None when none."""
    entries = item.get("must_mention") or []
    if item.get("topic") is None or not entries:
        return None, []
    if answer.status != "answered":
        return 0.0, list(entries)
    text = _norm(answer.answer)
    missing = [e for e in entries if not any(_norm(alt) and _norm(alt) in text for alt in e.split("|"))]
    return (len(entries) - len(missing)) / len(entries), missing


def score(item: dict, answer) -> dict:
    """Every per-question value (None when the metric does not apply) and the reasons it failed."""
    in_scope = item.get("topic") is not None
    refused = answer.status != "answered"
    rank = topic_rank(item, answer)
    er, experts_missing = expert_recall(item, answer)
    kc, keywords_missing = keyword_coverage(item, answer)
    ch = citation_hit(item, answer)
    s = {
        "in_scope": in_scope,
        "topic_rank": rank,
        "topic_hit@1": None if rank is None else float(rank == 1),
        "topic_hit@3": None if rank is None else float(1 <= rank <= 3),
        "topic_rr": None if rank is None else (1.0 / rank if rank else 0.0),
        "expert_recall@5": er,
        "experts_missing": experts_missing,
        "citation_hit": None if ch is None else float(ch),
        "citation_precision": citation_precision(item, answer),
        "keyword_coverage": kc,
        "keywords_missing": keywords_missing,
        "ood_correct": None if in_scope else float(refused),
        "false_refusal": float(refused) if in_scope else None,
    }
    reasons = []
    if in_scope:
        if refused:
            reasons.append("false refusal (answered not_covered)")
        if rank != 1:
            reasons.append(f"gold topic {item['topic']} " + (f"ranked {rank}" if rank else "not retrieved"))
        if er is not None and er < 1:
            reasons.append(f"expert_recall@{EXPERT_K} {er:.2f} (missing: {', '.join(experts_missing)})")
        if ch is False and not refused:
            reasons.append("no labelled expert cited" if item.get("experts") else "gold topic not cited")
        if s["citation_precision"] is not None and s["citation_precision"] < 1:
            reasons.append(f"citation_precision {s['citation_precision']:.2f}")
        if kc is not None and kc < 1 and not refused:
            reasons.append("must_mention missing: " + ", ".join(keywords_missing))
    elif not refused:
        reasons.append(f"out of scope but answered (topic {answer.topic})")
    s["reasons"] = reasons
    return s


# ---- aggregation --------------------------------------------------------------------------------
def percentile(values: list[float], q: float) -> float | None:
    """The q-th percentile (q in [0, 100]) of ``values``, None for no values.

    Linear interpolation between the two nearest ranks (numpy's default method): with the values sorted as
    x[0..n-1], it is x at the fractional position (n - 1) * q / 100. The project's one definition: eval's
    latency figures and the dev tools' (``kbqa.devtools.measure``) all use it, so a p95 means one thing."""
    xs = sorted(values)
    if not xs:
        return None
    pos = (len(xs) - 1) * q / 100.0
    lo, hi = math.floor(pos), math.ceil(pos)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def _mean(xs: list[float]) -> float | None:
    return round(sum(xs) / len(xs), 4) if xs else None


def summarise(rows: Iterable) -> dict:
    """Rates, counts and latency percentiles of a list of rows ((item, answer[, latency_ms]) or Row)."""
    rows = list(rows)
    values: dict[str, list[float]] = {k: [] for k in _ROW_RATES}
    latencies: list[float] = []
    n_in = n_answered_in = n_invalid = 0
    for row in rows:
        item, answer, latency = _unpack(row)
        s = score(item, answer)
        for k in _ROW_RATES:
            if s[k] is not None:
                values[k].append(s[k])
        if s["in_scope"]:
            n_in += 1
            n_answered_in += answer.status == "answered"
        if isinstance(row, Row) and row.error:
            n_invalid += 1
        if latency is not None:
            latencies.append(float(latency))
    out: dict = {name: _mean(values[k]) for k, name in _ROW_RATES.items()}
    out = {name: out[name] for name in RATES}
    out.update(n=len(rows), n_in_scope=n_in, n_ood=len(rows) - n_in, n_invalid=n_invalid,
               n_with_experts=len(values["expert_recall@5"]), n_with_must_mention=len(values["keyword_coverage"]),
               n_in_scope_answered=n_answered_in)
    for name, q in (("latency_p50_ms", 50), ("latency_p95_ms", 95)):
        p = percentile(latencies, q)
        out[name] = None if p is None else round(p, 2)
    return out


def breakdown(rows: Iterable, field: str) -> dict[str, dict]:
    """``summarise`` per value of an item field (``lang``, ``kind``), groups in order of first appearance."""
    groups: dict[str, list] = {}
    for row in rows:
        item = _unpack(row)[0]
        groups.setdefault(str(item.get(field)), []).append(row)
    return {key: summarise(group) for key, group in groups.items()}


def summarise_with_breakdowns(rows: Iterable) -> dict:
    rows = list(rows)
    return {**summarise(rows), "by_lang": breakdown(rows, "lang"), "by_kind": breakdown(rows, "kind")}


def below_bar(metrics: dict, bar: dict | None = None) -> list[str]:
    """The metrics of one summary that miss the quality bar, as 'name value < threshold' (None is skipped)."""
    out = []
    for name, (op, threshold) in (bar or QUALITY_BAR).items():
        value = metrics.get(name)
        if value is None:
            continue
        if (op == ">=" and value < threshold) or (op == "<=" and value > threshold):
            out.append(f"{name} {value:.4g} {'<' if op == '>=' else '>'} {threshold:g}")
    return out
