"""Replies in the user's script: a question written in Traditional characters gets every text field of its
Answer converted (OpenCC s2t); the FAQ itself stays Simplified."""
from __future__ import annotations

from dataclasses import replace

from kbqa.text.normalise import to_traditional
from kbqa.types import Answer, Citation, Section, Suggestion


def _citation(c: Citation) -> Citation:
    return replace(c, topic_title=to_traditional(c.topic_title), expert_title=to_traditional(c.expert_title),
                   quote=to_traditional(c.quote), text=to_traditional(c.text))


def _section(s: Section) -> Section:
    return replace(s, title=to_traditional(s.title), lead=to_traditional(s.lead),
                   items=tuple(to_traditional(i) for i in s.items), body=to_traditional(s.body))


def traditional(answer: Answer) -> Answer:
    """The same Answer with its text in Traditional characters (the markdown is rendered afterwards)."""
    return replace(answer, citations=tuple(_citation(c) for c in answer.citations),
                   sections=tuple(_section(s) for s in answer.sections),
                   suggestions=tuple(Suggestion(to_traditional(s.text), s.topic) for s in answer.suggestions),
                   notice=to_traditional(answer.notice))
