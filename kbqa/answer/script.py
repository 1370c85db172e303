"""Replies in the user's script: a question written in Traditional characters gets every text field of its
Answer converted (OpenCC s2t); the FAQ itself stays Simplified."""
from __future__ import annotations

import re
from dataclasses import replace

from kbqa.text.normalise import is_traditional, to_traditional
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


# A reply asked for in one script in so many words ("改成繁体字版", "用簡體回答", "in traditional chinese"), whatever the
# question's own script; the verbs and the word after keep a remark ("繁体字看着累") from being one.
_ASKED = {script: re.compile(
    rf"(?:用|改用|换成|換成|换用|翻成|翻译成|翻譯成|译成|轉成|转成|转换成|轉換成|改成|弄成|出个?|出一?[份版]|来个?|要)\s*(?:{words})(?:中文|字)?"
    rf"|(?:{words})(?:中文|字)?(?:版|回答|回复|回覆|输出|輸出)|(?<![a-z])(?:in|into|to)\s+{english}(?:\s+(?:chinese|characters|script))?(?![a-z])",
    re.I) for script, words, english in ((True, "繁体|繁體|正体|正體|繁中", "traditional"), (False, "简体|簡體|简中|簡中", "simplified"))}


def reply_traditional(question: str) -> bool:
    """Is the reply to be in Traditional characters: asked for in so many words, else the question's own script."""
    asked = [script for script, cue in _ASKED.items() if cue.search(question)]
    return asked[0] if len(asked) == 1 else is_traditional(question)
