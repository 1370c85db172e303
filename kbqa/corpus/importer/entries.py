"""What every import format is read into, and how it becomes the faq.json structure.

A reader turns its file into ``Entry`` values (one per row, item or section, each knowing where it came
from: "row 5", "item 3", "line 42"); ``assemble`` groups them by question, in file order, and numbers the
questions from 1. Anything wrong raises ``ImportFailed``: one line naming the file and the row, and nothing
is written (``kbqa.corpus.importer.write_kb`` writes only a fully checked FAQ).
"""
from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass, field

MAX_FILE_BYTES = 50 * 1024 * 1024  # a larger file is refused before it is read
MAX_QUESTION_CHARS = 1000  # longer: almost always an unclosed quote that swallowed rows
MAX_ANSWER_CHARS = 50_000
MAX_HANDLE_CHARS = 64
MAX_TITLE_CHARS = 200
DEFAULT_AUTHOR = "官方解答"  # who an answer is cited as when the file names no author


class ImportFailed(ValueError):
    """The file cannot be imported; the message is one line naming the file and the row."""


@dataclass
class Entry:
    """One question with (usually) one answer, as a reader found it."""

    where: str  # "row 5", "item 3", "line 42"
    question: str
    answer: str = ""
    author: str = ""
    author_title: str = ""
    similar: list[str] = field(default_factory=list)
    description: str = ""


@dataclass
class Report:
    """What an import read, for the person who ran it."""

    file: str
    format: str
    read: int = 0  # rows / items / sections read (blank ones not counted)
    blank: int = 0
    notes: list[str] = field(default_factory=list)
    questions: int = 0
    answers: int = 0
    similar: int = 0
    authors: list[str] = field(default_factory=list)
    title: str = ""

    def lines(self) -> list[str]:
        shown = ", ".join(self.authors[:8]) + (f" … ({len(self.authors)} in all)" if len(self.authors) > 8 else "")
        unit = "rows" if self.format in ("csv", "xlsx") else "entries"
        out = [f"read {self.file} as {self.format}: {self.read} {unit}"
               + (f" ({self.blank} blank skipped)" if self.blank else ""),
               f"FAQ title: {self.title}",
               f"{self.questions} questions, {self.answers} answers, {self.similar} similar questions",
               f"authors: {shown or '-'}"]
        return out + [f"note: {n}" for n in self.notes]


# ---- text checks ----------------------------------------------------------------------------------------
_TAG = re.compile(r"<\s*(/?)\s*([a-zA-Z][a-zA-Z0-9]*)\b[^<>]*>")
_FORMATTING = {"br", "p", "div", "span", "b", "strong", "i", "em", "u", "ul", "ol", "li", "font", "a", "h1", "h2",
               "h3", "h4", "h5", "h6", "pre", "code", "blockquote", "table", "tr", "td", "th", "tbody", "thead", "sub",
               "sup", "small", "s", "del", "ins", "mark", "hr"}
_BLOCK = {"br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote", "hr"}
_ACTIVE = re.compile(r"\bon[a-z]+\s*=|javascript:|vbscript:|data:text/html", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def plain_text(value: str, where: str, column: str, notes: list[str]) -> str:
    """A cell as plain text: harmless formatting tags (``<br>``, ``<p>``, ``<b>``…) become text; active markup
    (``<script>``, ``<iframe>``, ``<img>``, event handlers, ``javascript:``) is refused; entities are decoded."""
    text = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n"))
    if _CONTROL.search(text):
        raise ImportFailed(f"{where}: the {column} holds control characters (a binary or damaged file?)")
    tags = _TAG.findall(text)
    if tags:
        bad = sorted({name.lower() for _, name in tags if name.lower() not in _FORMATTING})
        if bad or _ACTIVE.search(text):
            what = f"<{bad[0]}>" if bad else "an event handler or javascript: link"
            raise ImportFailed(f"{where}: the {column} contains HTML ({what}); kbqa imports plain text, so remove "
                               "the markup from this cell")
        text = _TAG.sub(lambda m: "\n" if m.group(2).lower() in _BLOCK else "", text)
        notes.append(f"{where}: HTML formatting in the {column} turned into plain text")
    if "&" in text:
        text = html.unescape(text)
    lines = [ln.strip() for ln in text.split("\n")]
    return "\n".join(ln for ln in lines if ln).strip()


def one_line_text(value: str, where: str, column: str, notes: list[str], limit: int) -> str:
    text = re.sub(r"\s*\n\s*", " ", plain_text(value, where, column, notes))
    if len(text) > limit:
        raise ImportFailed(f"{where}: the {column} is {len(text):,} characters long (at most {limit:,}); "
                           "an unclosed quote or a misplaced column?")
    return text


def split_similar(value, where: str, notes: list[str]) -> list[str]:
    """Alternative questions: one a line (a list in JSON)."""
    items = value if isinstance(value, list) else str(value or "").split("\n")
    out = []
    for i, x in enumerate(items):
        if not isinstance(x, str):
            raise ImportFailed(f"{where}: similar question {i + 1} is not text")
        for line in plain_text(x, where, "similar questions", notes).split("\n"):
            line = line.strip().lstrip("-*•·").strip()
            if line:
                if len(line) > MAX_QUESTION_CHARS:
                    raise ImportFailed(f"{where}: a similar question is {len(line):,} characters long (at most "
                                       f"{MAX_QUESTION_CHARS:,})")
                out.append(line)
    return out


def question_key(text: str) -> str:
    """Two questions are the same when they differ only in width, case and spacing."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip().casefold()


# ---- entries -> faq.json ----------------------------------------------------------------------------------
def assemble(entries: list[Entry], title: str, report: Report, intro: str = "", source: str = "") -> dict:
    """The faq.json structure: questions in file order numbered from 1; entries with the same question are
    several answers to it. Raises ImportFailed for an entry without a question or an answer."""
    topics: dict[str, dict] = {}
    first_where: dict[str, str] = {}
    authors: dict[str, None] = {}
    for e in entries:
        q = one_line_text(e.question, e.where, "question", report.notes, MAX_QUESTION_CHARS)
        answer = plain_text(e.answer, e.where, "answer", report.notes)
        if not q:
            raise ImportFailed(f"{e.where}: the question is empty" + (" (the answer is not)" if answer else ""))
        if not answer:
            raise ImportFailed(f"{e.where}: the answer to {_short(q)!r} is empty")
        if len(answer) > MAX_ANSWER_CHARS:
            raise ImportFailed(f"{e.where}: the answer is {len(answer):,} characters long (at most "
                               f"{MAX_ANSWER_CHARS:,})")
        author = one_line_text(e.author, e.where, "author", report.notes, MAX_HANDLE_CHARS) or DEFAULT_AUTHOR
        author_title = one_line_text(e.author_title, e.where, "author title", report.notes, MAX_TITLE_CHARS)
        key = question_key(q)
        topic = topics.get(key)
        if topic is None:
            topic = topics[key] = {"n": len(topics) + 1, "title": q, "description": "", "answers": [], "similar": []}
            first_where[key] = e.where
        elif e.where != first_where[key]:
            report.notes.append(f"{e.where}: same question as {first_where[key]}: answer {len(topic['answers']) + 1} "
                                f"to question {topic['n']}")
        if e.description and not topic["description"]:
            topic["description"] = plain_text(e.description, e.where, "description", report.notes)
        byline = f"@{author} {author_title}:" if author_title else f"@{author}:"
        topic["answers"].append({"handle": author, "byline": byline, "org_title": author_title, "text": answer})
        authors[author] = None
        for s in split_similar(e.similar, e.where, report.notes):
            if question_key(s) != key and question_key(s) not in map(question_key, topic["similar"]):
                topic["similar"].append(s)
    if not topics:
        raise ImportFailed("no questions found (is the header row right? see `kbqa kb import --help`)")
    _check_similar_clash(list(topics.values()), first_where)
    out_topics = []
    for t in topics.values():
        if not t["similar"]:
            del t["similar"]
        out_topics.append(t)
    report.questions = len(out_topics)
    report.answers = sum(len(t["answers"]) for t in out_topics)
    report.similar = sum(len(t.get("similar", ())) for t in out_topics)
    report.authors = list(authors)
    report.title = title
    data = {"title": title, "source": source, "intro": intro, "topics": out_topics}
    if not source:
        del data["source"]
    return data


def _check_similar_clash(topics: list[dict], first_where: dict[str, str]) -> None:
    """A similar question that is another question (or another question's similar one) would route two ways."""
    owner: dict[str, int] = {question_key(t["title"]): t["n"] for t in topics}
    where = {t["n"]: first_where[question_key(t["title"])] for t in topics}
    for t in topics:
        for s in t.get("similar", ()):
            k = question_key(s)
            if owner.get(k, t["n"]) != t["n"]:
                raise ImportFailed(f"{where[t['n']]}: the similar question {_short(s)!r} of question {t['n']} is also "
                                   f"question {owner[k]} ({where[owner[k]]})")
            owner[k] = t["n"]


def _short(text: str, n: int = 40) -> str:
    return text if len(text) <= n else text[:n] + "…"
