"""The bot's own screens, as pure functions of the FAQ: the help text, the list of experts, the App Home tab,
the slash command's "searching" echo, and the assistant panel's greeting and suggested prompts.

Everything comes from the loaded FAQ (its title, numbered questions, experts with organisation and title, and
the starter questions), so another FAQ gets the same screens. Corpus text is escaped; the user's own words
are only ever shown as ``plain_text`` (Slack makes nothing in it a link or a mention).
"""
from __future__ import annotations

import re

from kbqa.frontends.slack.render import (BUTTON_TEXT_MAX, COMMAND, SECTION_TEXT_MAX, button, escape, split_text,
                                         truncate)

HOME_ASK = "kbqa_home_ask"
HOME_ASK_ACTION = re.compile(r"^kbqa_home_ask_\d+$")
HOME_QUESTIONS_MAX = 60  # a Home tab holds 100 blocks; past this many, questions are listed as text
PROMPTS_MAX = 4  # Slack shows at most four suggested prompts in the assistant panel
STATUS = "正在查找专家的回答…"


def ask_number(n: int) -> str:
    """The question that asks FAQ question n: the form the engine's router takes (问题7)."""
    return f"问题{n}"


def _section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _header(text: str) -> dict:
    return {"type": "header", "text": {"type": "plain_text", "text": truncate(text, 150), "emoji": True}}


# ---- help --------------------------------------------------------------------------------------
def how_to_ask() -> list[str]:
    return [f"• `{COMMAND} 你的问题`，例如 `{COMMAND} 容器网络怎么选型？`",
            f"• `{COMMAND} 7`：第 7 个问题和全部专家的回答；`{COMMAND} experts`：专家名单；`{COMMAND} help`：本说明",
            "• 在频道里 @ 我提问，或者直接私信我；在我回答的线程里回复就是追问",
            "• 回答下面的按钮：点一下就在同一个线程里问那个问题；👍/👎 记录反馈"]


def usage_text(faq) -> str:
    lines = ["*用法：*", *how_to_ask(), "", f"*我能回答《{escape(faq.title)}》里的这些问题：*"]
    lines += [f"{t.n}. {escape(t.title)}" for t in faq.topics]
    return "\n".join(lines)


def usage_blocks(faq) -> list[dict]:
    return [_section(s) for s in split_text(usage_text(faq))]


# ---- experts -----------------------------------------------------------------------------------
def expert_lines(catalog) -> list[str]:
    """One line per expert: handle, organisation and title, the questions they answered."""
    lines = []
    for e in sorted(catalog.experts.values(), key=lambda e: (-len(e.topics), e.handle.lower())):
        numbers = "、".join(str(n) for n in e.topics)
        who = f"*{escape(e.handle)}*" + (f" · {escape(e.org_title)}" if e.org_title else "")
        lines.append(f"• {who} — 回答了问题 {numbers}")
    return lines


def experts_text(catalog) -> str:
    lines = [f"*回答过问题的专家（{len(catalog.experts)} 位）：*", *expert_lines(catalog)]
    if catalog.experts:  # how to ask about one, with a real handle and one of its questions
        e = max(catalog.experts.values(), key=lambda e: len(e.topics))
        lines += ["", f"问某位专家：`{escape(e.handle)} 说了什么`，或 `{escape(e.handle)} 对问题{e.topics[0]}怎么说？`"]
    return "\n".join(lines)


def experts_blocks(catalog) -> list[dict]:
    return [_section(s) for s in split_text(experts_text(catalog))]


# ---- the slash command's echo ------------------------------------------------------------------
def searching(question: str) -> tuple[str, list[dict]]:
    """The ephemeral ack of ``/kbqa 问题``: the question shown back as plain_text, never as mrkdwn (issue 19:
    a typed ``@here`` or bare link must not become live). The fallback text leaves the question out."""
    return "🔎 正在查找…", [{"type": "context", "elements": [
        {"type": "plain_text", "emoji": True, "text": truncate("🔎 正在查找：" + question, SECTION_TEXT_MAX)}]}]


# ---- App Home ----------------------------------------------------------------------------------
def home_view(faq, catalog) -> dict:
    """The Home tab: the FAQ's title, what the bot does, how to ask, the questions as buttons (a click answers
    in the bot's DM), and the experts."""
    blocks = [_header(faq.title),
              _section(f"我回答《{escape(faq.title)}》里的 {len(faq.topics)} 个问题，引用专家原话并注明出处"
                       f"（问题编号、专家、单位/职务）；知识库没有的内容会直说。"),
              {"type": "divider"}, _header("怎么问"), _section("\n".join(how_to_ask())),
              {"type": "divider"}, _header("问题（点一下，答案发到和我的私信里）")]
    shown = faq.topics[:HOME_QUESTIONS_MAX]
    for t in shown:
        blocks.append({"type": "section", "block_id": f"kbqa_home_q{t.n}",
                       "text": {"type": "mrkdwn", "text": truncate(f"*{t.n}.* {escape(t.title)}", SECTION_TEXT_MAX)},
                       "accessory": button(f"{HOME_ASK}_{t.n}", "问这个", ask_number(t.n))})
    rest = faq.topics[HOME_QUESTIONS_MAX:]
    if rest:
        blocks += [_section(s) for s in split_text("\n".join(f"{t.n}. {escape(t.title)}" for t in rest))]
    blocks += [{"type": "divider"}, _header("专家")]
    blocks += [_section(s) for s in split_text("\n".join(expert_lines(catalog)))]
    return {"type": "home", "blocks": blocks[:100]}


# ---- the assistant panel -----------------------------------------------------------------------
def greeting(faq) -> str:
    return (f"你好！我回答《{escape(faq.title)}》里的问题，答案引用专家原话并注明出处。"
            "可以点下面的推荐问题，或者直接输入；在这个对话里接着问就是追问。")


def assistant_prompts(examples) -> list[dict]:
    """Suggested prompts for a new assistant thread: the FAQ's starter questions (at most four)."""
    return [{"title": truncate(q, BUTTON_TEXT_MAX), "message": q} for q in list(examples)[:PROMPTS_MAX]]
