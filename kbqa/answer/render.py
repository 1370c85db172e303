"""The one markdown rendering of an Answer's structure (the ``answer`` field of the JSON, the web page, the
CLI). Slack renders the same structure as Block Kit in frontends/slack/render.py.

The structure's fields are plain text, and much of it comes from the corpus (titles, handles, org/titles,
quotes), which is data, not markup: ``text()`` writes it so that a markdown renderer shows it literally -
no raw HTML, no images, no links. Only our own frame (bold headings, ``>`` quotes, list items, [n] marks)
is markup. The LLM's body keeps its markdown (lists, emphasis) but no raw HTML and no images; its links
were already limited to the sources' own URLs by answer.citations.check_citations."""
from __future__ import annotations

import re

from kbqa.types import Citation, Section

SOURCES_LABEL = "来源："

_HTML = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_LINK = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "[": "\\[", "]": "\\]", "@": "\\@"})
_AUTOLINK = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*):(?=//)|\b(www)\.")
_IMAGE = re.compile(r"!(?=\[)")


def text(value: str) -> str:
    """Corpus or user text as markdown that renders as exactly these characters: ``& < >`` as entities
    (no raw HTML, no ``<http://…>`` autolinks), ``[ ]`` escaped (no links, images or reference
    definitions), and the ``:`` of ``scheme://``, the ``.`` of ``www.`` and ``@`` escaped, so that GFM does
    not turn a bare address into a link either. Text without these characters (the whole real FAQ) is
    returned unchanged."""
    out = (value or "").translate(_LINK)
    return _AUTOLINK.sub(lambda m: m.group(1) + "\\:" if m.group(1) else m.group(2) + "\\.", out) \
        if ("//" in out or "ww." in out.lower()) else out


def body(value: str) -> str:
    """Generated (LLM) markdown: kept as markdown, but with no raw HTML and no images."""
    return _IMAGE.sub("!\\\\", (value or "").translate(_HTML))


def citation_block(c: Citation) -> str:
    """An expert's name line, then the quote as a blockquote ending in its [n] mark."""
    title = f"（{text(c.expert_title)}）" if c.expert_title else ""
    lines = [f"**{text(c.expert)}**{title}："] if c.expert else []
    quote = [f"> {text(line)}" for line in c.quote.split("\n") if line.strip()] or ["> "]
    quote[-1] += f" [{c.n}]"
    return "\n".join(lines + quote)


def section_markdown(section: Section, citations: dict[int, Citation]) -> str:
    parts = []
    title = text(section.title)
    if section.title:
        parts.append(f"**{title}**" if (section.citations or section.body) else title)
    if section.lead:
        parts.append(text(section.lead))
    if section.items:
        parts.append("\n".join(text(item) for item in section.items))
    if section.body:
        parts.append(body(section.body))
    else:
        parts += [citation_block(citations[n]) for n in section.citations if n in citations]
    if section.title and not (section.citations or section.body) and section.items:
        return parts[0] + "\n" + "\n\n".join(parts[1:])  # a list right under its caption
    return "\n\n".join(parts)


def sources_line(citations) -> str:
    return SOURCES_LABEL + "；".join(
        f"[{c.n}] 问题{c.topic} · {text((c.expert + ' ' + c.expert_title).strip()) if c.expert else '问题描述'}"
        for c in citations)


def to_markdown(answer) -> str:
    """Notice, sections, then the sources line: the whole reply as markdown."""
    by_n = {c.n: c for c in answer.citations}
    parts = [text(answer.notice)] if answer.notice else []
    parts += [section_markdown(s, by_n) for s in answer.sections]
    if answer.citations:
        parts.append(sources_line(answer.citations))
    return "\n\n".join(p for p in parts if p).strip()
