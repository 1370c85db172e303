"""Counts of the eval sets by kind, language and topic, as markdown tables (for eval/README.md).

    python eval/tools/counts.py [FILE...]     (default: the project's sets and the shared ones)

Reads only the fields ``kind``, ``lang``, ``topic``, ``expect``, ``expect_kind``, ``experts`` (never a question),
so it may be run on the test split.
"""
from __future__ import annotations

import collections
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from kbqa.evaluation.dataset import is_conversation_row, load  # noqa: E402

DEFAULT = [ROOT / "eval" / n for n in ("dev.jsonl", "dev_oldtest.jsonl", "dev_conv.jsonl", "test.jsonl")] + [
    ROOT.parent / "shared" / "eval" / n for n in ("faq_dev.jsonl", "conv_dev.jsonl")]


def table(title: str, sets: dict[str, list[dict]], key, order=None) -> str:
    counts = {name: collections.Counter(key(r) for r in rows) for name, rows in sets.items()}
    groups = list(dict.fromkeys(g for c in counts.values() for g in c))
    if order:
        groups = sorted(groups, key=order)
    groups = [g for g in groups if g is not None]
    lines = [f"| {title} | " + " | ".join(sets) + " |", "|---|" + "---:|" * len(sets)]
    for g in groups:
        lines.append(f"| {g} | " + " | ".join(str(c.get(g, 0) or "") for c in counts.values()) + " |")
    lines.append("| **all** | " + " | ".join(str(len(r)) for r in sets.values()) + " |")
    return "\n".join(lines)


def topic_key(r):
    if "topic" not in r:
        return "(none)"
    return "null" if r["topic"] is None else r["topic"]


def main(argv=None) -> int:
    files = [Path(f) for f in (argv if argv is not None else sys.argv[1:])] or DEFAULT
    sets = {f.name: load(f) for f in files if f.exists()}
    shape = lambda r: "conversation" if is_conversation_row(r) else "topical"  # noqa: E731
    print(table("row shape", sets, shape), end="\n\n")
    print(table("lang", sets, lambda r: r.get("lang", "(none)")), end="\n\n")
    topical = {n: [r for r in rows if not is_conversation_row(r)] for n, rows in sets.items()}
    conv = {n: [r for r in rows if is_conversation_row(r)] for n, rows in sets.items()}
    print(table("topical kind", {n: r for n, r in topical.items() if r}, lambda r: r["kind"]), end="\n\n")
    print(table("conversation kind", {n: r for n, r in conv.items() if r}, lambda r: r["kind"]), end="\n\n")
    print(table("expect_kind", {n: r for n, r in conv.items() if r}, lambda r: r.get("expect_kind", "(none)")),
          end="\n\n")
    print(table("topic (topical rows)", {n: r for n, r in topical.items() if r}, topic_key,
                order=lambda g: (isinstance(g, str), g if isinstance(g, int) else 0)), end="\n\n")
    print(table("topic (conversation rows)", {n: r for n, r in conv.items() if r}, topic_key,
                order=lambda g: (isinstance(g, str), g if isinstance(g, int) else 0, str(g))), end="\n\n")
    pairs = {n: [(r["topic"], e) for r in rows if r.get("topic") for e in r.get("experts") or []]
             for n, rows in topical.items() if rows}
    keys = sorted({p for ps in pairs.values() for p in ps}, key=lambda p: (p[0], p[1]))
    lines = ["| (topic, expert), topical rows | " + " | ".join(pairs) + " |", "|---|" + "---:|" * len(pairs)]
    for k in keys:
        lines.append(f"| ({k[0]}, {k[1]}) | " + " | ".join(str(ps.count(k)) for ps in pairs.values()) + " |")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
