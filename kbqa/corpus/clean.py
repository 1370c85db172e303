"""Clean a scraped FAQ article and parse it into the structured knowledge base.

The raw article shape (generic, nothing here is specific to one article):

    <title line>
    <intro paragraphs ...>
    1、<question title>
    【问题描述】<description paragraph>      (optional, may continue over several paragraphs)
    @<handle> <org/title ...>:               (an expert byline; zero or more per question)
    <answer paragraphs ...>
    2、<next question> ...
    <site boilerplate>                       (removed by configurable rules, see below)

Cleaning steps (``clean_text``), in this order:

1. ``strip_pinyin``: the site put a tone-marked pinyin reading in parentheses after many
   characters (``建設(shè)``). Only parenthesised runs of pinyin syllables containing at least
   one tone-marked vowel are removed; real parentheses (``(Service Mesh)``) stay.
2. ``apply_corrections``: reviewed exact-string replacements for mojibake spans, read from a
   ``corrections.tsv`` data file (garbled span as it appears after step 1). A span that is not
   found raises ``ValueError`` naming it.
3. ``to_simplified``: OpenCC ``t2s``.
4. ``drop_boilerplate``: line rules read from a ``boilerplate.tsv`` data file (``drop_line``
   removes matching lines, ``cut_from`` removes the first matching line after the last expert
   byline and everything after it). A rule that matches nothing raises ``ValueError``.
   Trailing whitespace is stripped from every line; nothing else is normalised.

``parse_article`` then finds the numbered questions with the expected-next-number rule: a
top-level line ``N、...`` can only be question N when N is the next expected number (1, 2, ...).
Such a candidate is accepted when

* the next line starts with ``【问题描述】``; or
* the next line is an expert byline (``@handle ...:``) or the end of the text, unless the candidate
  continues a numbered list (the previous line is item N-1, ``N-1、``/``N-1.``) without asking
  anything (no ``?``/``？``) - then it is the last item of a list in a description or answer; or
* (fallback, a question followed directly by other content) it contains a question mark and
  neither neighbouring line is a numbered item.

Numbered sub-items inside descriptions and answers (``1、docker exec...``, ``1. 既然...``)
therefore stay in their block. Everything between a question and its first byline is the
description (the ``【问题描述】`` tag removed); each byline starts an answer that runs to the next
byline or question. Lines are joined with a newline; blank lines are dropped.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

__all__ = [
    "Correction",
    "LineRule",
    "PINYIN_RE",
    "load_corrections",
    "load_rules",
    "strip_pinyin",
    "apply_corrections",
    "to_simplified",
    "drop_boilerplate",
    "clean_text",
    "parse_article",
    "build_faq",
    "dump_faq",
    "main",
]

# --- patterns --------------------------------------------------------------------------

_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"
_PLAIN = "a-zü"
_SYL = f"[{_PLAIN}{_TONED}]+"
# A parenthesised run of pinyin syllables (space separated) with at least one tone mark.
PINYIN_RE = re.compile(
    rf"[(（](?=[^()（）]*[{_TONED}])(?:{_SYL})(?:\s+{_SYL})*[)）]"
)

QUESTION_RE = re.compile(r"^(\d+)、\s*(\S.*?)\s*$")
BYLINE_RE = re.compile(r"^@([^\s:：]+)\s*(.*?)\s*[:：]\s*$")
DESC_TAG_RE = re.compile(r"^\s*【(?:问题描述|問題描述)】\s*")
NUMBERED_ITEM_RE = re.compile(r"^\s*(\d+)\s*[、.．]")
QUESTION_MARK_RE = re.compile(r"[?？]")
_ESCAPE_RE = re.compile(r"\\u([0-9a-fA-F]{4})")


# --- data files ------------------------------------------------------------------------


@dataclass(frozen=True)
class Correction:
    garbled: str
    intended: str
    note: str = ""


@dataclass(frozen=True)
class LineRule:
    kind: str  # "drop_line" | "cut_from"
    pattern: str
    note: str = ""


_RULE_KINDS = ("drop_line", "cut_from")


def _unescape(s: str) -> str:
    return _ESCAPE_RE.sub(lambda m: chr(int(m.group(1), 16)), s)


def _read_tsv(path: Path, header: tuple[str, ...]) -> list[tuple[int, list[str]]]:
    """Rows of a TSV data file: '#' lines and blank lines are comments; the first data row
    must be the header."""
    rows: list[tuple[int, list[str]]] = []
    seen_header = False
    for lineno, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        if not seen_header:
            if tuple(c.strip() for c in cols[: len(header)]) != header:
                raise ValueError(f"{path}:{lineno}: expected header {'<TAB>'.join(header)!r}")
            seen_header = True
            continue
        if len(cols) < 2 or len(cols) > len(header):
            raise ValueError(f"{path}:{lineno}: expected {len(header)} tab-separated columns")
        rows.append((lineno, cols + [""] * (len(header) - len(cols))))
    return rows


def load_corrections(path: str | Path) -> tuple[Correction, ...]:
    """Read ``garbled<TAB>intended<TAB>note`` rows; ``\\uXXXX`` escapes allowed in the first two."""
    out = []
    for lineno, (garbled, intended, note) in _read_tsv(Path(path), ("garbled", "intended", "note")):
        garbled = _unescape(garbled)
        if not garbled:
            raise ValueError(f"{path}:{lineno}: empty garbled span")
        out.append(Correction(garbled, _unescape(intended), note.strip()))
    return tuple(out)


def load_rules(path: str | Path) -> tuple[LineRule, ...]:
    """Read ``kind<TAB>pattern<TAB>note`` boilerplate rules."""
    out = []
    for lineno, (kind, pattern, note) in _read_tsv(Path(path), ("kind", "pattern", "note")):
        kind = kind.strip()
        if kind not in _RULE_KINDS:
            raise ValueError(f"{path}:{lineno}: unknown rule kind {kind!r} (expected one of {_RULE_KINDS})")
        try:
            re.compile(pattern)
        except re.error as e:
            raise ValueError(f"{path}:{lineno}: bad regex {pattern!r}: {e}") from None
        out.append(LineRule(kind, pattern, note.strip()))
    return tuple(out)


# --- cleaning steps --------------------------------------------------------------------


def strip_pinyin(text: str) -> str:
    return PINYIN_RE.sub("", text)


def _as_corrections(corrections: Iterable) -> list[Correction]:
    out = []
    for c in corrections or ():
        if isinstance(c, Correction):
            out.append(c)
        else:
            out.append(Correction(*c))
    return out


def apply_corrections(text: str, corrections: Iterable) -> str:
    """Exact string replacement of every garbled span; ValueError if a span is absent."""
    for c in _as_corrections(corrections):
        if c.garbled not in text:
            raise ValueError(f"correction span not found in text: {c.garbled!r}")
        text = text.replace(c.garbled, c.intended)
    return text


_T2S = None


def to_simplified(text: str) -> str:
    global _T2S
    if _T2S is None:
        import opencc

        _T2S = opencc.OpenCC("t2s")
    return _T2S.convert(text)


def drop_boilerplate(text: str, rules: Iterable[LineRule] = ()) -> str:
    """Apply line rules and strip trailing whitespace of every line."""
    lines = [ln.rstrip() for ln in text.split("\n")]
    rules = list(rules or ())
    for rule in rules:
        rx = re.compile(rule.pattern)
        if rule.kind == "drop_line":
            kept = [ln for ln in lines if not rx.fullmatch(ln.strip())]
            if len(kept) == len(lines):
                raise ValueError(f"boilerplate rule matched no line: drop_line {rule.pattern!r}")
            lines = kept
        elif rule.kind == "cut_from":
            bylines = [i for i, ln in enumerate(lines) if BYLINE_RE.match(ln)]
            start = bylines[-1] + 1 if bylines else 0
            cut = next((i for i in range(start, len(lines)) if rx.fullmatch(lines[i].strip())), None)
            if cut is None:
                raise ValueError(f"boilerplate rule matched no line: cut_from {rule.pattern!r}")
            lines = lines[:cut]
        else:  # pragma: no cover - load_rules validates
            raise ValueError(f"unknown boilerplate rule kind: {rule.kind!r}")
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines) + "\n"


def clean_text(raw: str, corrections: Iterable = (), rules: Iterable[LineRule] = ()) -> str:
    """strip pinyin -> apply corrections -> OpenCC t2s -> drop boilerplate (+ rstrip lines)."""
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    text = strip_pinyin(text)
    text = apply_corrections(text, corrections)
    text = to_simplified(text)
    return drop_boilerplate(text, rules)


# --- parsing ---------------------------------------------------------------------------


def _numbered_item(line: str) -> int | None:
    m = NUMBERED_ITEM_RE.match(line)
    return int(m.group(1)) if m else None


def _is_question(lines: Sequence[str], i: int, expected: int) -> bool:
    """Is ``lines[i]`` question number ``expected``? (see the module docstring)"""
    m = QUESTION_RE.match(lines[i])
    if not m or int(m.group(1)) != expected:
        return False
    nxt = lines[i + 1] if i + 1 < len(lines) else None
    if nxt is not None and DESC_TAG_RE.match(nxt):
        return True
    asks = bool(QUESTION_MARK_RE.search(m.group(2)))
    continues_list = _numbered_item(lines[i - 1]) == expected - 1 if i > 0 else False
    if nxt is None or BYLINE_RE.match(nxt):
        # "2、..." right after "1、..." and right before a byline is usually the last item of a
        # numbered list in a description or answer; a real question there must ask something.
        return asks or not continues_list
    # Fallback for a question followed directly by other content: it must ask something and
    # must not sit inside a numbered list.
    return asks and _numbered_item(nxt) is None and _numbered_item(lines[i - 1] if i > 0 else "") is None


def parse_article(text: str) -> dict:
    """Parse a cleaned article into {title, intro, topics:[{n,title,description,answers}]}."""
    lines = [ln.rstrip() for ln in text.split("\n") if ln.strip()]
    if not lines:
        raise ValueError("empty article")
    title = lines[0].strip()
    body = lines[1:]

    starts: list[int] = []
    expected = 1
    for i in range(len(body)):
        if _is_question(body, i, expected):
            starts.append(i)
            expected += 1
    if not starts:
        raise ValueError("no numbered questions (1、...) found")

    intro = "\n".join(body[: starts[0]])
    topics = []
    for k, s in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else len(body)
        m = QUESTION_RE.match(body[s])
        block = body[s + 1 : end]
        first_byline = next((j for j, ln in enumerate(block) if BYLINE_RE.match(ln)), len(block))
        desc_lines = list(block[:first_byline])
        if desc_lines:
            desc_lines[0] = DESC_TAG_RE.sub("", desc_lines[0], count=1)
            if not desc_lines[0]:
                desc_lines.pop(0)
        answers = []
        cur = None
        for ln in block[first_byline:]:
            bm = BYLINE_RE.match(ln)
            if bm:
                cur = {"handle": bm.group(1), "byline": ln, "org_title": bm.group(2), "lines": []}
                answers.append(cur)
            else:
                cur["lines"].append(ln)
        out_answers = []
        for a in answers:
            if not a["lines"]:
                raise ValueError(f"question {k + 1}: expert answer {a['byline']!r} has no text")
            out_answers.append(
                {
                    "handle": a["handle"],
                    "byline": a["byline"],
                    "org_title": a["org_title"],
                    "text": "\n".join(a["lines"]),
                }
            )
        topics.append(
            {
                "n": int(m.group(1)),
                "title": m.group(2),
                "description": "\n".join(desc_lines),
                "answers": out_answers,
            }
        )
    return {"title": title, "intro": intro, "topics": topics}


# --- build -----------------------------------------------------------------------------


def build_faq(
    raw_path: str | Path,
    corrections_path: str | Path | None = None,
    rules_path: str | Path | None = None,
) -> dict:
    """Clean and parse a raw article into the faq.json structure.

    ``corrections_path`` may be None (no corrections). ``rules_path`` defaults to a
    ``boilerplate.tsv`` beside the corrections file (or beside the raw file when there are no
    corrections) if one exists.
    """
    raw_path = Path(raw_path)
    corrections = load_corrections(corrections_path) if corrections_path else ()
    if rules_path is None:
        base = Path(corrections_path).parent if corrections_path else raw_path.parent
        cand = base / "boilerplate.tsv"
        rules_path = cand if cand.exists() else None
    rules = load_rules(rules_path) if rules_path else ()
    text = clean_text(raw_path.read_text(encoding="utf-8"), corrections, rules)
    parsed = parse_article(text)
    return {
        "title": parsed["title"],
        "source": raw_path.name,
        "intro": parsed["intro"],
        "topics": parsed["topics"],
    }


def dump_faq(faq: dict) -> str:
    """The committed, human-readable serialisation of faq.json."""
    return json.dumps(faq, ensure_ascii=False, indent=2) + "\n"


def main(argv: list[str] | None = None) -> int:
    """``python -m kbqa.corpus [--check]`` (kept here too so ``kbqa.corpus.clean.main`` works)."""
    from kbqa.corpus.build import main as _main

    return _main(argv)
