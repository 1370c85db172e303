"""Compose the extractive answer: the experts' own words, cited, as structured sections.

Nothing here invents text: every sentence of an answer is either a fixed frame (question title,
'not covered' notice) or a quote from an expert answer or question description of the FAQ. Nothing here
writes markup either: answer/render.py turns the sections into markdown, each front end into its own form.
"""
from __future__ import annotations

import re

from kbqa.retrieval.retriever import Retrieval, Retriever
from kbqa.types import Citation, Section, Topic, Unit

QUOTE_BUDGET = 240  # characters of quote per expert before we stop adding sentences
WHOLE_IF_SHORTER = 180  # quote an answer whole when it is this short
EXPERT_BUDGET = 480  # a question about one expert quotes more of their answer (whole when this short)
SECOND_SENTENCE = 0.8  # another sentence joins the quote when it scores this close to the best
GAP = " … "  # between two passages of a quote that are not next to each other in the expert's text


def select_units(r: Retrieval, max_experts: int) -> list[Unit]:
    """The chosen topic's best-ranked units: those within reach of the top score."""
    if not r.hits:
        return []
    top = r.hits[0]
    same = [h for h in r.hits if h.unit.topic == top.unit.topic]
    keep = [h for h in same if h.score >= 0.5 * top.score] or [top]
    return [h.unit for h in keep[:max_experts]]


def quote_for(retriever: Retriever, r: Retrieval, unit: Unit, budget: int = QUOTE_BUDGET,
              whole_if_shorter: int = WHOLE_IF_SHORTER) -> str:
    """The expert's most relevant sentences, in their order: the best one with the sentence after it
    (experts often state the problem, then the fix), plus any other sentence scoring close to the best."""
    QUOTE_BUDGET = budget  # noqa: N806 - the module default, or a larger one for a question about one expert
    text = unit.text if unit.kind == "answer" else unit.text.partition("\n")[2]
    if len(text) <= whole_if_shorter:
        return text.strip()
    chunks = retriever.store.chunks
    own = (unit.text.strip(), unit.topic_title, *unit.similar)  # not sentences of the text to quote
    ranked = [(ci, sc) for ci, sc in retriever.best_sentences(r, retriever.position(unit))
              if "\n" not in chunks[ci].text and chunks[ci].text.strip() not in own]
    if not ranked:
        return text[:QUOTE_BUDGET]
    sentence_ids = sorted(ci for ci, _ in ranked)
    best_id, best = ranked[0]
    picked = {best_id}
    following = [ci for ci in sentence_ids if ci > best_id][:1]
    if following and len(chunks[best_id].text) + len(chunks[following[0]].text) <= QUOTE_BUDGET:
        picked.add(following[0])
    for ci, sc in ranked[1:]:
        used = sum(len(chunks[c].text) for c in picked)
        if sc < SECOND_SENTENCE * best or used + len(chunks[ci].text) > QUOTE_BUDGET:
            break
        picked.add(ci)
    out, prev = "", None
    for ci in sorted(picked):
        sep = "" if prev is None else (_separator(unit.text, chunks[prev].text, chunks[ci].text)
                                       if ci == prev + 1 else GAP)
        out += sep + chunks[ci].text
        prev = ci
    return out


_FIRST_SENTENCE = re.compile(r"^.*?(?:[。！？!?]|$)")
_CLAUSE_CUT = re.compile(r"[,，;；:：、]")


def outline(text: str, budget: int = EXPERT_BUDGET, line_cap: int = 90, near: str = "") -> str:
    """A long answer's outline in the expert's own words, for a request to sum it up ("浓缩成三个重点", "tl;dr", "his
    line of thought"): the first sentence of each of its lines (one longer than ``line_cap`` cut at its last comma
    before it), and the passages of ``near`` (a quote_for quote: the sentences nearest what the request names, "CNM 和
    CNI 那部分"), in the text's order, joined by GAP, up to ``budget`` characters."""
    pieces = [k for k in near.split(GAP) if k and k in text]
    for line in (x.strip() for x in text.splitlines()):
        first = _FIRST_SENTENCE.match(line).group() if line else ""
        if len(first) > line_cap:
            cuts = [m.start() for m in _CLAUSE_CUT.finditer(first, 0, line_cap)]
            first = first[:cuts[-1]] if cuts else first[:line_cap]
        if not first or any(first in p or p in first for p in pieces):
            continue
        if pieces and sum(len(x) + 3 for x in pieces) + len(first) > budget:
            break
        pieces.append(first)
    return GAP.join(sorted(pieces, key=text.find))


def _separator(text: str, a: str, b: str) -> str:
    """How two adjacent sentences were joined in the expert's text, so the quote stays verbatim."""
    for sep in ("", "\n", " "):
        if a + sep + b in text:
            return sep
    return " "


NO_EXPERT_ANSWERS = "这个问题的专家解答没有收录在本文中（原文说明已另行整理成文）。问题描述如下："


def compose(retriever: Retriever, r: Retrieval, units: list[Unit], topics: dict[int, Topic], first: int = 1
            ) -> tuple[Section, list[Citation]]:
    """One section for the chosen topic: its title, and a quote of each unit, cited [first], [first+1]…"""
    topic = topics[units[0].topic]
    citations: list[Citation] = []
    scores = {h.unit.id: h.score for h in r.hits}
    lead = ""
    for n, unit in enumerate(units, start=first):
        quote = quote_for(retriever, r, unit)
        if unit.kind == "question":
            lead = NO_EXPERT_ANSWERS
        citations.append(Citation(n=n, topic=unit.topic, topic_title=unit.topic_title, expert=unit.expert,
                                  expert_title=unit.expert_title if unit.expert else "问题描述", quote=quote,
                                  score=round(scores.get(unit.id, 0.0), 4), text=unit.text))
    section = Section(title=f"问题 {topic.n}：{topic.title}", topic=topic.n, lead=lead,
                      citations=tuple(c.n for c in citations))
    return section, citations


def not_covered_sections(topics: list[Topic], title: str, reason: str = "") -> tuple[Section, ...]:
    head = reason or f"抱歉，这个问题不在本知识库（《{title}》）的范围内，我无法回答。"
    return (Section(lead=head), Section(title="我可以回答这些问题：", items=tuple(f"{t.n}. {t.title}" for t in topics)))
