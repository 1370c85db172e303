"""The one markdown rendering of an Answer's structure (the ``answer`` field of the JSON, the web page, the
CLI). Slack renders the same structure as Block Kit in frontends/slack/render.py."""
from __future__ import annotations

from kbqa.types import Citation, Section

SOURCES_LABEL = "来源："


def citation_block(c: Citation) -> str:
    """An expert's name line, then the quote as a blockquote ending in its [n] mark."""
    title = f"（{c.expert_title}）" if c.expert_title else ""
    lines = [f"**{c.expert}**{title}："] if c.expert else []
    quote = [f"> {line}" for line in c.quote.split("\n") if line.strip()] or ["> "]
    quote[-1] += f" [{c.n}]"
    return "\n".join(lines + quote)


def section_markdown(section: Section, citations: dict[int, Citation]) -> str:
    parts = []
    if section.title:
        parts.append(f"**{section.title}**" if (section.citations or section.body) else section.title)
    if section.lead:
        parts.append(section.lead)
    if section.items:
        parts.append("\n".join(section.items))
    if section.body:
        parts.append(section.body)
    else:
        parts += [citation_block(citations[n]) for n in section.citations if n in citations]
    if section.title and not (section.citations or section.body) and section.items:
        return parts[0] + "\n" + "\n\n".join(parts[1:])  # a list right under its caption
    return "\n\n".join(parts)


def sources_line(citations) -> str:
    return SOURCES_LABEL + "；".join(
        f"[{c.n}] 问题{c.topic} · {(c.expert + ' ' + c.expert_title).strip() if c.expert else '问题描述'}"
        for c in citations)


def to_markdown(answer) -> str:
    """Notice, sections, then the sources line: the whole reply as markdown."""
    by_n = {c.n: c for c in answer.citations}
    parts = [answer.notice] if answer.notice else []
    parts += [section_markdown(s, by_n) for s in answer.sections]
    if answer.citations:
        parts.append(sources_line(answer.citations))
    return "\n\n".join(p for p in parts if p).strip()
