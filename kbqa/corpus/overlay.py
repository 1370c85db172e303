"""The FAQ owners' corrections: an overlay file beside the corpus (``overlay.jsonl``), applied on load. The
corpus itself (faq.json, or the raw article) is never changed.

One correction a line, as JSON, so that every change is one line in a git diff::

    {"id": "c7f3a1d2", "kind": "paraphrase", "question": "容器时区怎么改", "topic": 3, "created": "…", "by": "admin"}
    {"id": "0b9e4c11", "kind": "out_of_scope", "question": "今天股票怎么样", "created": "…"}
    {"id": "5d20aa7e", "kind": "curated", "question": "平台支持 GPU 吗", "answer": "…", "author": "ops_team",
     "author_title": "平台组", "topic": null, "created": "…"}

* ``paraphrase``: the question is another way to ask FAQ question ``topic``: it is indexed with that question
  and, asked as it is written (up to case, width, script and punctuation), answered from it directly;
* ``out_of_scope``: the question is refused as not covered;
* ``curated``: a new answer by ``author`` (cited like an expert, with ``author_title``): under FAQ question
  ``topic``, or, with ``topic`` null, as a new question after the last one.

A question appears at most once: a new correction of the same question replaces the old one.
"""
from __future__ import annotations

import copy
import json
import re
import time
import uuid
from dataclasses import dataclass, fields
from pathlib import Path

from kbqa.jsonl import parse_lines
from kbqa.text.normalise import normalise

OVERLAY_FILE = "overlay.jsonl"
KINDS = ("paraphrase", "out_of_scope", "curated")
MAX_QUESTION = 1000
MAX_ANSWER = 20_000
MAX_HANDLE = 64
_HANDLE = re.compile(r"^[^\s@:：<>\"'`]{1,64}$")


def question_key(text: str) -> str:
    """How a known question is matched: normalised (width, case, Traditional -> Simplified), without spaces
    and punctuation."""
    return re.sub(r"[\W_]+", "", normalise(text or ""))


@dataclass(frozen=True)
class Correction:
    id: str
    kind: str
    question: str
    topic: int | None = None
    answer: str = ""
    author: str = ""
    author_title: str = ""
    created: str = ""
    by: str = ""  # who applied it
    note: str = ""  # where it came from (e.g. "unanswered", "thumbs-down", an answer id)
    line: int = 0  # where it was read (not written)

    def to_dict(self) -> dict:
        out = {}
        for f in fields(self):
            v = getattr(self, f.name)
            if f.name == "line" or (v in ("", None) and f.name not in ("topic",)):
                continue
            if f.name == "topic" and v is None and self.kind != "curated":
                continue
            out[f.name] = v
        return out

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, separators=(", ", ": "))


def check(c: Correction, where: str) -> Correction:
    """The correction if it is well formed; ValueError naming ``where`` otherwise."""
    if c.kind not in KINDS:
        raise ValueError(f"{where}: kind must be one of {', '.join(KINDS)} (got {c.kind!r})")
    if not isinstance(c.question, str) or not question_key(c.question):
        raise ValueError(f"{where}: the question is empty")
    if len(c.question) > MAX_QUESTION or "\n" in c.question.strip():
        raise ValueError(f"{where}: the question must be one line of at most {MAX_QUESTION} characters")
    if c.topic is not None and (not isinstance(c.topic, int) or isinstance(c.topic, bool)):
        raise ValueError(f"{where}: topic must be a question number")
    if c.kind == "paraphrase" and c.topic is None:
        raise ValueError(f"{where}: a paraphrase names the FAQ question it belongs to (topic)")
    if c.kind == "curated":
        if not isinstance(c.answer, str) or not c.answer.strip():
            raise ValueError(f"{where}: a curated answer needs its text (answer)")
        if len(c.answer) > MAX_ANSWER:
            raise ValueError(f"{where}: the answer is longer than {MAX_ANSWER} characters")
        if not isinstance(c.author, str) or not _HANDLE.match(c.author):
            raise ValueError(f"{where}: a curated answer needs an author handle (one word, at most {MAX_HANDLE} "
                             "characters, no spaces, @ or quotes)")
        if not isinstance(c.author_title, str) or len(c.author_title) > 200 or "\n" in c.author_title:
            raise ValueError(f"{where}: author_title must be one line of at most 200 characters")
    elif c.answer or c.author:
        raise ValueError(f"{where}: only a curated correction has an answer and an author")
    return c


def new(kind: str, question: str, topic: int | None = None, answer: str = "", author: str = "",
        author_title: str = "", by: str = "", note: str = "") -> Correction:
    """A correction made now (ValueError, one line, when it is not well formed)."""
    c = Correction(id=uuid.uuid4().hex[:8], kind=kind, question=(question or "").strip(), topic=topic,
                   answer=(answer or "").strip(), author=(author or "").strip().lstrip("@"),
                   author_title=(author_title or "").strip(), created=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                   by=by[:64], note=note[:200])
    return check(c, "correction")


def parse(text: str, name: str = OVERLAY_FILE) -> list[Correction]:
    out, seen = [], {}
    for lineno, where, raw in parse_lines(text, name, comments=True, not_json="{where}: invalid JSON ({msg})"):
        if not isinstance(raw, dict):
            raise ValueError(f"{where}: expected one JSON object a line")
        known = {f.name for f in fields(Correction)} - {"line"}
        unknown = sorted(set(raw) - known)
        if unknown:
            raise ValueError(f"{where}: unknown field {unknown[0]!r}")
        for k in ("id", "kind", "question"):
            if not isinstance(raw.get(k), str):
                raise ValueError(f"{where}: missing field {k!r}")
        for k in ("answer", "author", "author_title", "created", "by", "note"):
            if not isinstance(raw.get(k, ""), str):
                raise ValueError(f"{where}: field {k!r} must be text")
        c = check(Correction(**raw, line=lineno), where)
        key = question_key(c.question)
        if key in seen:
            raise ValueError(f"{where}: the question is already corrected on line {seen[key]}")
        seen[key] = lineno
        out.append(c)
    return out


def dump(corrections: list[Correction]) -> str:
    return "".join(c.to_json() + "\n" for c in corrections)


def upsert(corrections: list[Correction], c: Correction) -> list[Correction]:
    """The corrections with ``c`` replacing any earlier one of the same question."""
    key = question_key(c.question)
    return [x for x in corrections if question_key(x.question) != key] + [c]


def read(path: Path | None) -> str:
    """The overlay file's text ("" when there is none)."""
    if path is None:
        return ""
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""
    except UnicodeDecodeError as e:
        raise ValueError(f"{path}: not UTF-8 text (byte {e.start})") from None


def apply(data: dict, corrections: list[Correction], name: str = OVERLAY_FILE) -> dict:
    """The faq.json structure with the corrections applied (a copy; ``data`` is not changed)."""
    if not corrections:
        return data
    out = copy.deepcopy(data)
    topics = {t.get("n"): t for t in out.get("topics", []) if isinstance(t, dict)}
    numbers = sorted(n for n in topics if isinstance(n, int))
    for c in corrections:
        where = f"{name}:{c.line}" if c.line else name
        if c.topic is not None and c.topic not in topics:
            span = f"{numbers[0]}-{numbers[-1]}" if numbers else "none"
            raise ValueError(f"{where}: question {c.topic} does not exist (the FAQ has {span})")
        if c.kind == "out_of_scope":
            out.setdefault("out_of_scope", []).append(c.question)
            continue
        if c.kind == "curated":
            answer = {"handle": c.author, "byline": f"@{c.author} {c.author_title}".strip() + ":",
                      "org_title": c.author_title, "text": c.answer, "curated": True}
            if c.topic is None:
                n = (max(numbers) if numbers else 0) + 1
                numbers.append(n)
                topics[n] = {"n": n, "title": c.question, "description": "", "answers": [answer]}
                out["topics"].append(topics[n])
                continue
            topics[c.topic]["answers"].append(answer)
        similar = topics[c.topic].setdefault("similar", [])
        if question_key(c.question) not in {question_key(s) for s in similar}:
            similar.append(c.question)
    return out
