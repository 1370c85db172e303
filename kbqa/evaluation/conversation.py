"""Score a conversation row against an Answer: pure functions, no engine, no I/O.

The semantics are those of the shared scorer ``shared/eval/check_conv.py`` (the reference for the hidden
conversation sets), field by field, on the Answer's ``status``, ``answer`` (the markdown text), ``topic``,
``citations`` (their ``topic`` and ``expert``) and ``kind``:

- ``expect``: ``answer`` fails on ``not_covered``; ``refuse`` fails on anything else; ``any`` never fails.
  Absent means ``answer``.
- ``topics``: when answered, ``topic`` is one of them.
- ``cite_topics_all``: every one is a cited topic. ``cite_topics_min`` ``{"of", "n"}``: at least n of them are.
- ``experts_any`` / ``experts_all``: one of / all of these handles are cited.
- ``must_mention``: each entry (``|`` = alternatives) occurs in the answer text, or in its Simplified form
  (OpenCC t2s, the entry converted too); case-sensitive, as check_conv. Checked whatever the status.
- ``must_not``: the string (no alternatives) occurs in neither the text nor its Simplified form.
- ``min_titles``: at least this many of the FAQ's question titles are shown in the text (rule below);
  ``min_titles_of`` ``{"of", "n"}``: at least n of these questions' titles.
- ``min_experts_named`` / ``min_experts_named_of``: expert handles named in the Simplified text or cited.
- ``reply_script: "Hant"``: the text changes under t2s (it is written in Traditional characters).
- ``expect_kind`` (ours, not in check_conv): ``Answer.kind`` equals it.

Where check_conv hard-codes its FAQ (the title fragments ``FRAG``, the ``EXPERTS`` list), this module reads
them from the FAQ (``FaqFacts.of(faq)``), so any FAQ is scored the same way:

- **experts**: the FAQ's handles (every expert answer's ``expert``).
- **a title is shown** when the answer text contains, after ``squash`` (NFKC, Traditional -> Simplified, lower
  case, only letters and digits kept: no spaces, no punctuation), either the whole squashed title, or one
  of its *distinctive fragments*: its first ``PREFIX`` (12) characters (a title cut short with "…"), or a
  clause of the title (the title split at punctuation) of at least ``MIN_CLAUSE`` (6) characters; a
  fragment counts only if it occurs in no other title. On this FAQ no expert answer contains a fragment
  of a title (only the question units, which hold the titles themselves).

``score(row, answer, facts)`` returns ``(passed, reasons)``; the reasons are check_conv's wording.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Iterable

CONV_BAR = 0.95  # each conversation kind must pass at least this share of its rows (issue 12)
PREFIX = 12
MIN_CLAUSE = 6
_PUNCT = re.compile(r"[^\w\s]+|_+")  # where a title splits into clauses


def _t2s(text: str) -> str:
    from kbqa.text.normalise import to_simplified

    return to_simplified(text)


def squash(text: str) -> str:
    """NFKC, Traditional -> Simplified, lower case, letters and digits only."""
    from kbqa.text.normalise import normalise

    return "".join(c for c in normalise(text or "") if c.isalnum())


def title_fragments(titles: dict[int, str]) -> dict[int, tuple[str, ...]]:
    """Per question: the squashed title, then its distinctive fragments (see the module docstring)."""
    squashed = {n: squash(t) for n, t in titles.items()}
    out: dict[int, tuple[str, ...]] = {}
    for n, title in titles.items():
        others = [s for m, s in squashed.items() if m != n]
        candidates = [squashed[n][:PREFIX]] if len(squashed[n]) > PREFIX else []
        candidates += [c for c in (squash(x) for x in _PUNCT.split(unicodedata.normalize("NFKC", title)))
                       if len(c) >= MIN_CLAUSE]
        distinctive = [c for c in dict.fromkeys(candidates) if c != squashed[n] and not any(c in o for o in others)]
        out[n] = tuple(x for x in (squashed[n], *distinctive) if x)
    return out


@dataclass(frozen=True)
class FaqFacts:
    """What scoring needs from the FAQ: its question titles (as fragments to look for) and expert handles."""

    titles: dict[int, tuple[str, ...]]
    handles: tuple[str, ...]

    @classmethod
    def of(cls, faq) -> "FaqFacts":
        """From a ``kbqa.corpus.loader.Faq``."""
        handles = tuple(dict.fromkeys(u.expert for u in faq.units if getattr(u, "expert", "")))
        return cls(title_fragments({t.n: t.title for t in faq.topics}), handles)


def titles_shown(text: str, facts: FaqFacts) -> set[int]:
    """The questions whose title the text shows."""
    s = squash(text)
    return {n for n, frags in facts.titles.items() if any(f in s for f in frags)}


def _get(obj, name: str, default=None):
    return obj.get(name, default) if isinstance(obj, dict) else getattr(obj, name, default)


def _has(text: str, alternatives: str) -> bool:
    return any(a and a in text for a in alternatives.split("|"))


def experts_named(answer, facts: FaqFacts) -> set[str]:
    """Handles named in the (Simplified) text or cited."""
    text = _get(answer, "answer") or ""
    s = _t2s(text)
    cited = {_get(c, "expert") for c in (_get(answer, "citations") or ())}
    return {e for e in facts.handles if _t2s(e) in s or e in text} | (cited & set(facts.handles))


def _at_least(row: dict, field: str, found, many: str, of: str) -> list[str]:
    """The reasons a row's ``field`` ("at least n") and ``field_of`` ("at least n of these") fail, worded as
    check_conv.py words them (``many``/``of`` are the templates); ``found()`` gives what the answer shows and
    is computed only when the row asks."""
    want, want_of = row.get(field), row.get(field + "_of")
    if not (want or want_of):
        return []
    shown, why = set(found()), []
    if want and len(shown) < want:
        why.append(many.format(n=len(shown), want=want))
    if want_of and len(shown & set(want_of["of"])) < want_of["n"]:
        why.append(of.format(n=len(shown & set(want_of["of"])), of=want_of["of"], want=want_of["n"]))
    return why


def check(row: dict, answer, facts: FaqFacts) -> list[str]:
    """Why the answer fails the row's expectations (empty: it passes)."""
    why: list[str] = []
    ans = _get(answer, "answer") or ""
    s = _t2s(ans)
    status, topic = _get(answer, "status"), _get(answer, "topic")
    cites = _get(answer, "citations") or ()
    ctopics = {_get(c, "topic") for c in cites}
    cexperts = {_get(c, "expert") for c in cites}
    expect = row.get("expect", "answer")
    if expect == "answer" and status == "not_covered":
        why.append("refused")
    if expect == "refuse" and status != "not_covered":
        why.append(f"answered (topic {topic})")
    if row.get("topics") and status != "not_covered" and topic not in row["topics"]:
        why.append(f"topic {topic} not in {row['topics']}")
    for t in row.get("cite_topics_all", []):
        if t not in ctopics:
            why.append(f"topic {t} not cited")
    if row.get("cite_topics_min"):
        m = row["cite_topics_min"]
        n = len(ctopics & set(m["of"]))
        if n < m["n"]:
            why.append(f"cites {n} of topics {m['of']}, want {m['n']}")
    if row.get("experts_any") and not (cexperts & set(row["experts_any"])):
        why.append(f"none of {row['experts_any']} cited")
    for e in row.get("experts_all", []):
        if e not in cexperts:
            why.append(f"{e} not cited")
    for alt in row.get("must_mention", []):
        if not (_has(s, _t2s(alt)) or _has(ans, alt)):
            why.append(f"missing {alt}")
    for bad in row.get("must_not", []):
        if bad in s or bad in ans:
            why.append(f"contains {bad}")
    why += _at_least(row, "min_titles", lambda: titles_shown(ans, facts),
                     "{n} question titles, want {want}", "{n} of titles {of}, want {want}")
    why += _at_least(row, "min_experts_named", lambda: experts_named(answer, facts),
                     "{n} experts named, want {want}", "{n} of experts {of} named, want {want}")
    if row.get("reply_script") == "Hant" and s == ans:
        why.append("reply not in Traditional script")
    if row.get("expect_kind") is not None and _get(answer, "kind") != row["expect_kind"]:
        why.append(f"kind {_get(answer, 'kind')}, want {row['expect_kind']}")
    return why


def score(row: dict, answer, facts: FaqFacts) -> tuple[bool, list[str]]:
    """(passed, reasons) for one conversation row."""
    why = check(row, answer, facts)
    return not why, why


# ---- aggregation --------------------------------------------------------------------------------
def _rate(passed: int, n: int) -> float | None:
    return round(passed / n, 4) if n else None


def summarise(results: Iterable[tuple[dict, Any]]) -> dict:
    """Pass rates over (row, passed) pairs: overall, per ``kind`` and per ``expect_kind`` (groups in order of
    first appearance; rows without ``expect_kind`` are left out of that breakdown)."""
    results = list(results)
    out: dict = {"conv_pass": _rate(sum(bool(p) for _, p in results), len(results)), "n": len(results),
                 "passed": sum(bool(p) for _, p in results)}
    for field, key in (("kind", "by_kind"), ("expect_kind", "by_expect_kind")):
        groups: dict[str, list[bool]] = {}
        for row, passed in results:
            if row.get(field) is not None:
                groups.setdefault(str(row[field]), []).append(bool(passed))
        out[key] = {g: {"conv_pass": _rate(sum(v), len(v)), "n": len(v), "passed": sum(v)} for g, v in groups.items()}
    return out


def below_bar(conv: dict, bar: float = CONV_BAR) -> list[str]:
    """The conversation kinds of one summary whose pass rate is under the bar, as readable lines."""
    return [f"conv {kind} {m['conv_pass']:.4g} < {bar:g} ({m['passed']} of {m['n']})"
            for kind, m in (conv.get("by_kind") or {}).items()
            if m["conv_pass"] is not None and m["conv_pass"] < bar]
