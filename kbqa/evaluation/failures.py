"""The failures of an eval run: each failed row as a record to read (failures.jsonl) and as markdown
(failures.md): why it failed, what was expected, what came back and the top units."""
from __future__ import annotations

import json
import re

from kbqa.evaluation.dataset import is_topical_row
from kbqa.evaluation.metrics import Row, score

EXCERPT_CHARS = 300
TOP_UNITS = 5
# the conversation fields a failure shows under expected.conversation
CONV_EXPECTATIONS = ("expect", "expect_kind", "history", "topics", "cite_topics_all", "cite_topics_min", "experts_any",
                     "experts_all", "must_not", "min_titles", "min_titles_of", "min_experts_named",
                     "min_experts_named_of", "reply_script")


def row_reasons(row: Row) -> list[str]:
    """Why a row failed: the topical checks (topical rows) and the conversation checks (conversation rows)."""
    reasons = list(score(row.item, row.answer)["reasons"]) if is_topical_row(row.item) else []
    if row.conv is not None:
        reasons += [f"conv: {r}" for r in row.conv[1]]
    return reasons


def _unit_id(topic, expert) -> str:
    return f"t{topic}/{expert}" if expert else f"t{topic}"


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    text = re.sub(r"\s+", " ", text or "").strip()
    return text if len(text) <= limit else text[:limit].rstrip() + " …"


def failure_record(row: Row) -> dict | None:
    """The row as a failure to read (None when it passed every check)."""
    reasons = row_reasons(row)
    if not reasons:
        return None
    s = score(row.item, row.answer)
    a, it = row.answer, row.item
    expected = {"topic": it.get("topic"), "experts": it.get("experts"), "must_mention": it.get("must_mention")}
    if row.conv is not None:
        expected["conversation"] = {k: it[k] for k in CONV_EXPECTATIONS if k in it}
    return {
        "set": row.set, "mode": row.mode, "id": it["id"], "question": it["question"],
        "lang": it.get("lang"), "kind": it.get("kind"), "reasons": reasons,
        "expected": expected,
        "got": {"status": a.status, "kind": getattr(a, "kind", None), "topic": a.topic,
                "confidence": round(float(a.confidence), 4),
                "cited": [_unit_id(c.topic, c.expert) for c in a.citations], "topic_rank": s["topic_rank"],
                "error": row.error, "answer_excerpt": excerpt(a.answer)},
        "top_units": [{"rank": h.rank, "id": getattr(h.unit, "id", _unit_id(h.unit.topic, h.unit.expert)),
                       "score": round(float(h.score), 4)} for h in (a.hits or ())[:TOP_UNITS]],
    }


def failures(runs: dict[str, dict[str, list[Row]]]) -> list[dict]:
    return [f for sets in runs.values() for rows in sets.values() for r in rows
            if (f := failure_record(r)) is not None]


def _md_text(text: str) -> str:
    """Questions may hold HTML or template injections: show them as text, on one line."""
    return re.sub(r"\s+", " ", text or "").strip().replace("<", "&lt;").replace(">", "&gt;")


def failures_markdown(records: list[dict], doc: dict | None = None) -> str:
    lines = ["# kbqa eval failures", ""]
    if doc:
        lines += [f"`{doc.get('command', 'kbqa eval')}` · {doc.get('date', '')} · answer {doc.get('answer_mode')}", ""]
    lines += [f"{len(records)} questions failed at least one check.", ""]
    for f in records:
        exp, got = f["expected"], f["got"]
        must = ", ".join(f"`{m}`" for m in exp["must_mention"] or []) or "-"
        conv = exp.get("conversation")
        history = (conv or {}).get("history") or []
        lines += [f"## {f['id']} · {f['set']} · {f['mode']} · {f['kind']} · {f['lang'] or '-'}", ""]
        lines += [f"**Earlier:** {' / '.join(_md_text(h) for h in history)}", ""] if history else []
        if conv is None:
            expected = (f"topic {exp['topic'] if exp['topic'] is not None else 'none (out of scope)'}; "
                        f"experts {', '.join(exp['experts'] or []) or '-'}; must mention {must}")
        else:  # a conversation row: its own expectations, and topic/experts/must_mention only when given
            parts = [f"{k} {_md_text(json.dumps(v, ensure_ascii=False))}" for k, v in conv.items() if k != "history"]
            parts += [f"topic {exp['topic']}"] if exp["topic"] is not None else []
            parts += [f"experts {', '.join(exp['experts'])}"] if exp["experts"] else []
            parts += [f"must mention {must}"] if exp["must_mention"] else []
            expected = "; ".join(parts)
        lines += [f"**Q:** {_md_text(f['question']) or '(empty)'}", "",
                  "- Failed: " + "; ".join(f["reasons"]),
                  f"- Expected: {expected}",
                  f"- Got: {got['status']} ({got.get('kind')}), topic {got['topic']}, confidence {got['confidence']}, "
                  f"gold topic rank {got['topic_rank'] if got['topic_rank'] is not None else '-'}; "
                  f"cited {', '.join(got['cited']) or '-'}" + (f"; error: {got['error']}" if got["error"] else ""),
                  "- Top units: " + (" · ".join(f"{u['rank']}. {u['id']} {u['score']:.3f}" for u in f["top_units"])
                                     or "-"),
                  "", "> " + (_md_text(got["answer_excerpt"]) or "(no answer text)"), ""]
    return "\n".join(lines)
