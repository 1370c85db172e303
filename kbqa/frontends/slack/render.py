"""Slack's text formats, as pure functions: an Answer's structure as Block Kit and mrkdwn, the help text,
and a Slack message's text back to a plain question.

An answer is rendered from its fields (notice, sections, citations), never from its ``answer`` markdown:
a section's title in *bold*, its lead and items as text, each cited quote as ``>`` lines ending in its
``[n]`` under the expert's name. Only a section's ``body`` is markdown (written by an LLM), so only it goes
through ``to_mrkdwn``. Every piece of corpus or user text is escaped (``& < >``) as Slack requires, and the
user's own words, when shown back, go in a ``verbatim`` text object: Slack then turns no bare link, channel
name or ``@here`` in them into a live one.

Under an answer: a "did you mean" line with its button when the engine put a close runner-up first in the
suggestions, the other suggestions as buttons (a click asks that question in the same thread), 👍/👎.
"""
from __future__ import annotations

import json
import re

from kbqa.types import Answer, Citation, Section, Suggestion

COMMAND = "/kbqa"

# Block Kit limits (https://docs.slack.dev/reference/block-kit/blocks)
SECTION_TEXT_MAX = 3000
CONTEXT_ELEMENTS_MAX = 10
BLOCKS_MAX = 50
BUTTON_VALUE_MAX = 2000
BUTTON_TEXT_MAX = 75
FALLBACK_TEXT_MAX = 3000

CITATIONS_BLOCK = "kbqa_citations"
FEEDBACK_BLOCK = "kbqa_feedback"
FEEDBACK_UP, FEEDBACK_DOWN = "kbqa_feedback_up", "kbqa_feedback_down"
FEEDBACK_ACTION = re.compile(r"^kbqa_feedback_(up|down)$")
SUGGEST_BLOCK, DID_YOU_MEAN_BLOCK = "kbqa_suggest", "kbqa_did_you_mean"
DID_YOU_MEAN = "kbqa_did_you_mean"
SUGGEST_ACTION = re.compile(r"^kbqa_(suggest_\d+|did_you_mean)$")  # every button that asks its value


# ---- Slack text in -----------------------------------------------------------------------------
_SLACK_LINK = re.compile(r"<([^<>|]+)(?:\|([^<>]*))?>")


def question_text(text: str, bot_user_id: str | None = None) -> str:
    """The question in a Slack message: bot mentions dropped, links/channels/users made plain."""

    def plain(m: re.Match) -> str:
        target, label = m.group(1), m.group(2)
        if target.startswith("@"):
            return "" if (bot_user_id is None or target[1:] == bot_user_id or not label) else "@" + label
        if target.startswith("#"):
            return "#" + (label or target[1:])
        if target.startswith("!"):
            return ""  # <!here>, <!channel>, <!subteam^…>
        return label or target

    text = _SLACK_LINK.sub(plain, text or "")
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return re.sub(r"\s+", " ", text).strip()


# ---- mrkdwn out --------------------------------------------------------------------------------
def escape(text: str) -> str:
    """Plain text as mrkdwn: Slack reads & < > as markup (links, mentions), so they must be entities."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# inline markup, rewritten in this order (on text already escaped): [t](u) links, **bold** / __bold__, ~~strike~~
_INLINE = (
    (re.compile(r"\[([^\]\n]+)\]\(((?:https?|mailto):[^)\s]+)\)"), lambda k: f"<{k.group(2)}|{k.group(1)}>"),
    (re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*|__(?=\S)(.+?)(?<=\S)__"), lambda b: f"*{b.group(1) or b.group(2)}*"),
    (re.compile(r"~~(?=\S)(.+?)(?<=\S)~~"), lambda s: f"~{s.group(1)}~"),
)
_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$")
_BULLET = re.compile(r"^(\s*)[-*+]\s+")
_QUOTE = re.compile(r"^\s*>\s?")


def to_mrkdwn(markdown: str) -> str:
    """Markdown written by an LLM as Slack mrkdwn: **bold** -> *bold*, [t](u) -> <u|t>, # heading -> *heading*,
    - item -> • item, ~~s~~ -> ~s~; quotes and code stay; & < > are escaped. Used for the LLM's text only:
    everything else is rendered from the Answer's fields."""
    out, in_code = [], False
    for line in (markdown or "").replace("\r\n", "\n").split("\n"):
        if line.lstrip().startswith("```"):
            in_code = not in_code
            out.append("```")
            continue
        if in_code:
            out.append(escape(line))
            continue
        prefix = ""
        m = _QUOTE.match(line)
        if m:
            prefix, line = ">", line[m.end():]
            prefix += " " if line else ""
        h = _HEADING.match(line)
        if h:
            line = f"**{h.group(1)}**"
        line = _BULLET.sub(lambda b: b.group(1) + "• ", line)
        line = escape(line)
        for pattern, replace in _INLINE:
            line = pattern.sub(replace, line)
        out.append(prefix + line)
    return "\n".join(out).strip()


def streaming_text(partial: str) -> str:
    """The LLM's answer so far, for the placeholder message that grows while it writes."""
    return truncate(to_mrkdwn(partial) + " ▍", FALLBACK_TEXT_MAX)


def truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def split_text(text: str, limit: int = SECTION_TEXT_MAX) -> list[str]:
    """Split text into chunks of at most ``limit`` characters, at paragraph, then line boundaries."""
    chunks: list[str] = []
    current = ""
    for para in text.split("\n\n"):
        pieces = [para]
        if len(para) > limit:  # a long paragraph: by line, then hard cut; full pieces stand alone
            lines = []
            for line in para.split("\n"):
                while len(line) > limit:
                    lines.append(line[:limit])
                    line = line[limit:]
                lines.append(line)
            full, last = _pack(lines, "\n", limit)
            if full:
                if current:
                    chunks.append(current)
                    current = ""
                chunks.extend(full)
            pieces = [last]
        full, current = _pack(pieces, "\n\n", limit, current)
        chunks.extend(full)
    if current:
        chunks.append(current)
    return [c for c in chunks if c.strip()] or [""]


def _pack(pieces: list[str], sep: str, limit: int, buf: str = "") -> tuple[list[str], str]:
    """Greedily join pieces with sep into strings of at most limit characters, continuing from buf.
    Returns the full strings and the one still open."""
    full = []
    for p in pieces:
        if buf and len(buf) + len(sep) + len(p) > limit:
            full.append(buf)
            buf = p
        else:
            buf = f"{buf}{sep}{p}" if buf else p
    return full, buf


# ---- labels ------------------------------------------------------------------------------------
_LABELS = {
    "question": "问", "not_covered": "ℹ️ 本知识库没有收录这个问题的答案。", "up": "👍 有帮助", "down": "👎 没帮助",
    "thanks_up": "谢谢反馈！已记录 👍", "thanks_down": "谢谢反馈！已记录 👎，我们会改进。",
    "again": "已记录过你对这条回答的这个评价。", "truncated": "…（回答过长，已截断）",
    "topic": "问题", "description": "问题描述",
    "searching": "🔎 正在查找：", "feedback_failed": "⚠️ 反馈没有保存成功，请稍后再试。",
    "no_answer": "⚠️ 内部错误，暂时无法回答，请稍后再试。",
    "did_you_mean": "🤔 你是不是想问：", "ask_this": "问这个", "next": "接下来可以问：",
}


def labels(traditional: bool = False) -> dict[str, str]:
    """The bot's own words, in the script of the question (the Answer's fields already are)."""
    if not traditional:
        return dict(_LABELS)
    from kbqa.text.normalise import to_traditional

    return {k: to_traditional(v) for k, v in _LABELS.items()}


def is_traditional(text: str) -> bool:
    try:
        from kbqa.text.normalise import is_traditional as detect

        return bool(text) and detect(text)
    except Exception:  # noqa: BLE001 - labels are cosmetic; never fail an answer over them
        return False


# ---- an Answer as mrkdwn -----------------------------------------------------------------------
def quote_mrkdwn(c: Citation) -> str:
    """The expert's name line, then the quote as ``>`` lines, the last one ending in the citation's [n]."""
    title = f"（{escape(c.expert_title)}）" if c.expert_title else ""
    head = [f"*{escape(c.expert)}*{title}："] if c.expert else []
    lines = [f"> {escape(line)}" for line in c.quote.split("\n") if line.strip()] or [">"]
    lines[-1] += f" [{c.n}]"
    return "\n".join(head + lines)


def section_mrkdwn(section: Section, by_n: dict[int, Citation]) -> str:
    """One Section: the title (bold over quotes or a generated body; a plain caption over a list), the lead,
    the items, then the LLM's body or the quotes of its citations."""
    quoted = bool(section.citations or section.body)
    title = escape(section.title)
    caption = f"*{title}*" if (title and quoted) else title
    lead, items = escape(section.lead), "\n".join(escape(i) for i in section.items)
    if caption and items and not (quoted or lead):  # a list right under its caption
        caption, items = f"{caption}\n{items}", ""
    parts = [caption, lead, items]
    if section.body:
        parts.append(to_mrkdwn(section.body))
    else:
        parts += [quote_mrkdwn(by_n[n]) for n in section.citations if n in by_n]
    return "\n\n".join(p for p in parts if p)


def answer_mrkdwn(answer: Answer) -> str:
    """The notice, then every section. The citations are not repeated here: they get their own block."""
    by_n = {c.n: c for c in answer.citations}
    parts = [escape(answer.notice)] + [section_mrkdwn(s, by_n) for s in answer.sections]
    return "\n\n".join(p for p in parts if p).strip()


def citation_line(c: Citation, words: dict) -> str:
    who = (f"*{escape(c.expert)}* · {escape(c.expert_title or '')}" if c.expert
           else escape(c.expert_title or words["description"]))
    return f"[{c.n}] {words['topic']} {c.topic} · {who}".rstrip(" ·")


def feedback_value(answer_id: str, question: str, answer: Answer) -> str:
    """What a feedback button carries: enough to store the vote even after the bot restarted."""
    meta = {"id": answer_id, "s": answer.status, "t": answer.topic,
            "c": [[c.topic, c.expert] for c in answer.citations], "q": question[:800]}
    value = json.dumps(meta, ensure_ascii=False, separators=(",", ":"))
    while len(value) > BUTTON_VALUE_MAX:
        meta["q"] = meta["q"][: len(meta["q"]) // 2]
        value = json.dumps(meta, ensure_ascii=False, separators=(",", ":"))
    return value


def _citations_block(answer: Answer, words: dict) -> dict | None:
    if answer.citations:
        lines = [citation_line(c, words) for c in answer.citations]
        if len(lines) > CONTEXT_ELEMENTS_MAX:
            lines = lines[: CONTEXT_ELEMENTS_MAX - 1] + ["；".join(lines[CONTEXT_ELEMENTS_MAX - 1:])]
    elif answer.status == "not_covered":
        lines = [words["not_covered"]]
    else:
        return None
    return {"type": "context", "block_id": CITATIONS_BLOCK,
            "elements": [{"type": "mrkdwn", "text": truncate(x, SECTION_TEXT_MAX)} for x in lines]}


def did_you_mean(answer: Answer) -> Suggestion | None:
    """The engine's "did you mean": its first suggestion when that is the runner-up question of a retrieval
    answer that scored within ``suggest.TIE`` of the question answered (the rule ``suggest.after_answer``
    applies; ``hits`` are the in-process Answer's, not part of its JSON)."""
    if answer.kind != "answer" or not answer.suggestions or not answer.hits:
        return None
    from kbqa.answer.suggest import TIE, ranked_topics

    ranked = [(t, s) for t, s in ranked_topics(answer.hits) if s > 0]
    first = answer.suggestions[0]
    if (len(ranked) >= 2 and first.topic == ranked[1][0] != answer.topic
            and ranked[1][1] >= TIE * ranked[0][1]):
        return first
    return None


def button(action_id: str, text: str, value: str) -> dict:
    return {"type": "button", "action_id": action_id,
            "text": {"type": "plain_text", "text": truncate(text, BUTTON_TEXT_MAX), "emoji": True},
            "value": value[:BUTTON_VALUE_MAX]}


def suggestion_blocks(answer: Answer, words: dict) -> list[dict]:
    """The "did you mean" line with its button, then the other suggestions as buttons under a caption."""
    blocks: list[dict] = []
    dym = did_you_mean(answer)
    if dym is not None:
        blocks.append({"type": "section", "block_id": DID_YOU_MEAN_BLOCK,
                       "text": {"type": "mrkdwn", "text": f"{words['did_you_mean']}*{escape(dym.text)}*"},
                       "accessory": button(DID_YOU_MEAN, words["ask_this"], dym.text)})
    rest = [s for s in answer.suggestions if s is not dym]
    if rest:
        blocks.append({"type": "context", "elements": [{"type": "plain_text", "text": words["next"]}]})
        blocks.append({"type": "actions", "block_id": SUGGEST_BLOCK,
                       "elements": [button(f"kbqa_suggest_{i}", s.text, s.text) for i, s in enumerate(rest)]})
    return blocks


def question_block(question: str, words: dict) -> dict:
    """The question a reply answers, shown back verbatim: escaped, and no link or mention made live."""
    return {"type": "context", "elements": [{"type": "mrkdwn", "verbatim": True, "text": truncate(
        f"*{words['question']}：* {escape(question)}", SECTION_TEXT_MAX)}]}


def _feedback_block(value: str, words: dict) -> dict:
    return {"type": "actions", "block_id": FEEDBACK_BLOCK, "elements": [
        {"type": "button", "action_id": action, "text": {"type": "plain_text", "text": words[key]}, "value": value}
        for action, key in ((FEEDBACK_UP, "up"), (FEEDBACK_DOWN, "down"))]}


def render_answer(answer: Answer, question: str = "", *, answer_id: str = "", show_question: bool = False
                  ) -> tuple[str, list[dict]]:
    """(fallback text, Block Kit blocks) for an Answer: its sections, the citations, the suggestions, the
    feedback buttons. ``show_question`` heads the message with the question (a slash command's answer is
    posted to everyone; a clicked suggestion's answer shows what was clicked)."""
    words = labels(is_traditional(question))
    text = answer_mrkdwn(answer)
    blocks: list[dict] = []
    if show_question and question:
        blocks.append(question_block(question, words))
    tail = [b for b in (_citations_block(answer, words),) if b] + suggestion_blocks(answer, words)
    tail.append(_feedback_block(feedback_value(answer_id, question, answer), words))
    sections = split_text(text, SECTION_TEXT_MAX)
    room = BLOCKS_MAX - len(blocks) - len(tail)
    if len(sections) > room:
        sections = sections[:room]
        keep = SECTION_TEXT_MAX - len(words["truncated"]) - 1
        sections[-1] = truncate(sections[-1], keep) + "\n" + words["truncated"]
    blocks += [{"type": "section", "text": {"type": "mrkdwn", "text": s}} for s in sections]
    blocks += tail
    fallback = text
    if answer.citations:
        fallback += "\n" + "；".join(f"[{c.n}] {words['topic']}{c.topic} {escape(c.expert or words['description'])}"
                                    for c in answer.citations)
    return truncate(fallback, FALLBACK_TEXT_MAX), blocks
