"""JSON and Markdown FAQs.

JSON, any of:

* the faq.json structure itself (``{"title", "topics": [{"title", "description", "answers": [{"handle",
  "org_title", "text"}], "similar"}]}``), renumbered in file order;
* a list of Q&A objects, ``[{"question": …, "answer": …}, …]``, with the keys of the CSV columns (English or
  Chinese: ``问题``, ``答案``, ``作者``, ``作者头衔``, ``相似问题``, ``问题描述``); ``similar`` is a list or one
  question a line; ``answers`` may replace ``answer``: a list of texts or of ``{"author", "author_title", "text"}``;
* ``{"title": …, "intro": …, "questions": [<the list above>]}`` (also ``items`` or ``faq``).

Markdown::

    # FAQ title                     (optional; else the file name)
    intro paragraphs                (optional)
    ## The first question?
    > a longer description of the question      (optional: a quote right under the heading)
    The answer, any number of paragraphs.
    ### @author Organisation title              (optional: starts another answer, by that author)
    Their answer.
    相似问题：                                   (optional; also "Similar:")
    - another way to ask it
    ## The second question? …
"""
from __future__ import annotations

import json
import re

from kbqa.corpus.importer.entries import Entry, ImportFailed, Report
from kbqa.corpus.importer.tabular import COLUMNS, header_name

_KEY = {header_name(a): name for name, aliases in COLUMNS.items() for a in aliases}
_KEY.update({"handle": "author", "org_title": "author_title", "text": "answer", "title": "question"})


# ---- JSON -----------------------------------------------------------------------------------------------
def read_json(text: str, report: Report) -> tuple[list[Entry], str, str]:
    """(entries, title, intro)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise ImportFailed(f"line {e.lineno} column {e.colno}: invalid JSON: {e.msg}") from None
    except RecursionError:
        raise ImportFailed("invalid JSON: nested too deeply") from None
    title = intro = ""
    if isinstance(data, dict):
        title = data.get("title") if isinstance(data.get("title"), str) else ""
        intro = data.get("intro") if isinstance(data.get("intro"), str) else ""
        items = next((data[k] for k in ("topics", "questions", "items", "faq") if k in data), None)
        if not isinstance(items, list):
            raise ImportFailed('expected a list of questions, or an object with "topics" or "questions" (a list)')
    elif isinstance(data, list):
        items = data
    else:
        raise ImportFailed("expected a JSON list of questions or an object holding one")
    entries = []
    for i, item in enumerate(items, start=1):
        where = f"item {i}"
        if not isinstance(item, dict):
            raise ImportFailed(f"{where}: expected an object with a question and an answer")
        fields = {}
        for k, v in item.items():
            name = _KEY.get(header_name(k))
            if name is not None and name not in fields:
                fields[name] = v
        answers = item.get("answers") if "answers" in item else item.get("答案列表")
        for name in ("question", "author", "author_title", "description"):
            v = fields.get(name)
            if v is not None and (isinstance(v, bool) or not isinstance(v, (str, int, float))):
                raise ImportFailed(f"{where}: {name} must be text")
        similar = fields.get("similar", [])
        if not isinstance(similar, (list, str)):
            raise ImportFailed(f"{where}: similar must be a list of questions or text, one a line")
        base = dict(where=where, question=str(fields.get("question", "")), similar=similar,
                    description=str(fields.get("description", "") or ""))
        report.read += 1
        if answers is None:
            answer = fields.get("answer", "")
            if not isinstance(answer, (str, int, float)) or isinstance(answer, bool):
                raise ImportFailed(f"{where}: answer must be text")
            entries.append(Entry(**base, answer=str(answer), author=str(fields.get("author", "") or ""),
                                 author_title=str(fields.get("author_title", "") or "")))
            continue
        if not isinstance(answers, list):
            raise ImportFailed(f"{where}: answers must be a list")
        if not answers:
            entries.append(Entry(**base))  # assemble names the empty answer
        for j, a in enumerate(answers, start=1):
            if isinstance(a, str):
                a = {"text": a}
            if not isinstance(a, dict):
                raise ImportFailed(f"{where}: answer {j} must be text or an object")
            got = {_KEY.get(header_name(k)): v for k, v in a.items()}
            text = got.get("answer", "")
            if not isinstance(text, str):
                raise ImportFailed(f"{where}: answer {j}: the text must be a string")
            entries.append(Entry(**{**base, "where": f"{where}, answer {j}"}, answer=text,
                                 author=str(got.get("author", "") or ""),
                                 author_title=str(got.get("author_title", "") or "")))
    return entries, title, intro


# ---- Markdown -------------------------------------------------------------------------------------------
_H = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_NUMBERING = re.compile(r"^(?:\d{1,3}\s*[.、:：)）]|q\s*\d{1,3}\s*[.、:：)）]?|问题\s*\d{1,3}\s*[.、:：)）]?)\s*", re.I)
_SIMILAR = re.compile(r"^\s*(?:相似问题|相关问题|similar(?:\s+questions)?)\s*[:：]\s*(.*)$", re.I)
_ITEM = re.compile(r"^\s*[-*+]\s+(.*)$")
_AUTHOR = re.compile(r"^@?(\S+)\s*(.*?)\s*[:：]?$")


def read_markdown(text: str, report: Report) -> tuple[list[Entry], str, str]:
    title, intro_lines = "", []
    entries: list[Entry] = []
    cur: dict | None = None
    fence = False

    def close():
        if cur is None:
            return
        for a in cur["answers"] or [{"author": "", "title": "", "lines": []}]:
            body = "\n".join(a["lines"]).strip()
            entries.append(Entry(where=cur["where"], question=cur["question"], answer=body, author=a["author"],
                                 author_title=a["title"], similar=cur["similar"],
                                 description="\n".join(cur["description"])))
        report.read += 1

    for lineno, line in enumerate(text.split("\n"), start=1):
        line = line.rstrip("\r")
        if line.lstrip().startswith(("```", "~~~")):
            fence = not fence
        m = None if fence else _H.match(line)
        if m and len(m.group(1)) == 1 and not title and cur is None:
            title = m.group(2)
            continue
        if m and len(m.group(1)) == 2:
            close()
            cur = {"where": f"line {lineno}", "question": _NUMBERING.sub("", m.group(2)), "answers": [],
                   "similar": [], "description": [], "in_similar": False, "started": False}
            continue
        if cur is None:
            intro_lines.append(line)
            continue
        if m and len(m.group(1)) >= 3:
            a = _AUTHOR.match(m.group(2))
            cur["answers"].append({"author": a.group(1) if a else m.group(2), "title": a.group(2) if a else "",
                                   "lines": []})
            cur["started"], cur["in_similar"] = True, False
            continue
        sm = None if fence else _SIMILAR.match(line)
        if sm:
            cur["in_similar"] = True
            cur["similar"] += [s for s in re.split(r"[；;|]", sm.group(1)) if s.strip()]
            continue
        if cur["in_similar"]:
            im = _ITEM.match(line)
            if im:
                cur["similar"].append(im.group(1))
                continue
            if not line.strip():
                continue
            cur["in_similar"] = False
        if not cur["started"] and line.startswith(">"):
            cur["description"].append(line.lstrip(">").strip())
            continue
        if not cur["started"] and not line.strip():
            continue
        if not cur["answers"]:
            cur["answers"].append({"author": "", "title": "", "lines": []})
        cur["started"] = True
        cur["answers"][-1]["lines"].append(line)
    close()
    if not entries:
        raise ImportFailed("no questions found: a Markdown FAQ has a '## question' heading per question")
    return entries, title, "\n".join(l for l in intro_lines if l.strip()).strip()
