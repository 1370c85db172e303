"""Slack rendering as pure functions: Block Kit and mrkdwn built from an Answer's fields (no engine, no HTTP)."""
from __future__ import annotations

import json

from kbqa.frontends.slack.render import (BLOCKS_MAX, CONTEXT_ELEMENTS_MAX, SECTION_TEXT_MAX, render_answer,
                                         to_mrkdwn)
from kbqa.frontends.slack.views import usage_text
from kbqa.types import Answer, Citation, Section, Topic

TITLE = "问题 4：容器网络如何选择?"


def cite(n: int, expert: str = "gavin_zhang", quote: str = "建议用 Calico。\n网络策略更细。", topic: int = 4) -> Citation:
    return Citation(n=n, topic=topic, topic_title="容器网络如何选择?", expert=expert, expert_title="某银行 架构师",
                    quote=quote, score=0.9, text=quote)


def answered(*citations: Citation, **fields) -> Answer:
    section = Section(title=TITLE, topic=4, citations=tuple(c.n for c in citations))
    return Answer(**{"status": "answered", "answer": "(the markdown: never read by the Slack renderer)", "topic": 4,
                     "confidence": 0.9, "citations": citations, "sections": (section,), **fields})


def sections_of(blocks) -> list[str]:
    return [b["text"]["text"] for b in blocks if b["type"] == "section"]


def block(blocks, block_id):
    return next(b for b in blocks if b.get("block_id") == block_id)


def test_an_answer_with_two_citations():
    text, blocks = render_answer(answered(cite(1), cite(2, expert="xiaoping378", quote="Flannel 简单。")),
                                 "容器网络怎么选型？", answer_id="a1")
    [body] = sections_of(blocks)
    assert body.startswith(f"*{TITLE}*\n\n")  # the title in mrkdwn bold
    assert "*gavin_zhang*（某银行 架构师）：\n> 建议用 Calico。\n> 网络策略更细。 [1]" in body
    assert "*xiaoping378*（某银行 架构师）：\n> Flannel 简单。 [2]" in body
    assert "(the markdown" not in body and "**" not in body
    cites = [e["text"] for e in block(blocks, "kbqa_citations")["elements"]]
    assert cites == ["[1] 问题 4 · *gavin_zhang* · 某银行 架构师", "[2] 问题 4 · *xiaoping378* · 某银行 架构师"]
    buttons = block(blocks, "kbqa_feedback")["elements"]
    assert [b["action_id"] for b in buttons] == ["kbqa_feedback_up", "kbqa_feedback_down"]
    assert json.loads(buttons[0]["value"]) == {"id": "a1", "s": "answered", "t": 4,
                                               "c": [[4, "gavin_zhang"], [4, "xiaoping378"]], "q": "容器网络怎么选型？"}
    assert text.startswith(f"*{TITLE}*") and text.endswith("[1] 问题4 gavin_zhang；[2] 问题4 xiaoping378")


def test_notice_lead_items_and_an_llm_body():
    section = Section(title=TITLE, topic=4, lead="先看结论：", body="建议用 **Calico**[1]。\n- 隔离 & 策略[1]",
                      citations=(1,))
    answer = answered(cite(1), sections=(section,), notice="⚠️ 说明 <一下>")
    [body] = sections_of(render_answer(answer, "网络")[1])
    assert body == (f"⚠️ 说明 &lt;一下&gt;\n\n*{TITLE}*\n\n先看结论：\n\n"
                    "建议用 *Calico*[1]。\n• 隔离 &amp; 策略[1]")  # the body: markdown -> mrkdwn; no quotes
    listing = Section(title="我可以回答这些问题：", items=("1. 甲", "2. 乙"))
    [body] = sections_of(render_answer(answered(sections=(listing,)), "x")[1])
    assert body == "我可以回答这些问题：\n1. 甲\n2. 乙"  # a caption over a list is not bold


def test_traditional_question_gets_traditional_labels():
    answer = answered(cite(1, expert="", quote="問題描述的原文"))
    text, blocks = render_answer(answer, "容器網路怎麼選型？", show_question=True)
    question = blocks[0]["elements"][0]["text"]
    assert question.startswith("*問：*")
    assert block(blocks, "kbqa_citations")["elements"][0]["text"].startswith("[1] 問題 4")
    assert [b["text"]["text"] for b in block(blocks, "kbqa_feedback")["elements"]] == ["👍 有幫助", "👎 沒幫助"]
    assert text.endswith("[1] 問題4 問題描述")
    _, simplified = render_answer(answer, "容器网络怎么选型？", show_question=True)
    assert simplified[0]["elements"][0]["text"].startswith("*问：*")


def test_not_covered_has_a_note_instead_of_citations():
    answer = Answer(status="not_covered", answer="", topic=None, confidence=0.1, kind="not_covered",
                    sections=(Section(lead="抱歉，这个问题不在本知识库的范围内。"),
                              Section(title="我可以回答这些问题：", items=("1. 甲",))))
    text, blocks = render_answer(answer, "食堂吃什么", answer_id="n1")
    assert [e["text"] for e in block(blocks, "kbqa_citations")["elements"]] == ["ℹ️ 本知识库没有收录这个问题的答案。"]
    meta = json.loads(block(blocks, "kbqa_feedback")["elements"][0]["value"])
    assert meta["s"] == "not_covered" and meta["c"] == [] and meta["t"] is None
    assert "[1]" not in text and text.startswith("抱歉")


def test_corpus_and_user_text_are_escaped():
    c = cite(1, expert="a<b>", quote="if a < b && c > d: <@U123> <!here>")
    answer = answered(c, sections=(Section(title="问题 4：<script>", topic=4, citations=(1,)),))
    text, blocks = render_answer(answer, "what about <!channel> & <b>?", show_question=True)
    shown = [b for b in blocks if b["type"] != "actions"]  # (a button's value is data, never displayed)
    rendered = json.dumps(shown, ensure_ascii=False)
    for raw in ("<script>", "<@U123>", "<!here>", "<!channel>", "a<b>", "&&", " < ", " > "):
        assert raw not in rendered and raw not in text, raw
    assert "> if a &lt; b &amp;&amp; c &gt; d: &lt;@U123&gt; &lt;!here&gt; [1]" in sections_of(blocks)[0]
    assert "*问：* what about &lt;!channel&gt; &amp; &lt;b&gt;?" in rendered
    faq_title = usage_text(type("Faq", (), {"title": "A&B", "topics": [Topic(1, "<x>")]})())
    assert "《A&amp;B》" in faq_title and "1. &lt;x&gt;" in faq_title
    assert to_mrkdwn("a <b> & c") == "a &lt;b&gt; &amp; c"


def test_block_kit_limits():
    cites = tuple(cite(n, expert=f"expert{n}", quote="长" * 2500) for n in range(1, 41))
    sections = tuple(Section(title=TITLE, topic=4, lead="容器网络" * 400) for _ in range(60))
    answer = answered(*cites, sections=sections + (Section(title=TITLE, topic=4, citations=tuple(range(1, 41))),))
    text, blocks = render_answer(answer, "问" * 5000, answer_id="big", show_question=True)
    assert len(blocks) <= BLOCKS_MAX
    texts = sections_of(blocks) + [e["text"] for b in blocks if b["type"] == "context" for e in b["elements"]]
    assert all(len(t) <= SECTION_TEXT_MAX for t in texts)
    assert sections_of(blocks)[-1].endswith("…（回答过长，已截断）")
    context = block(blocks, "kbqa_citations")["elements"]
    assert len(context) == CONTEXT_ELEMENTS_MAX and "expert40" in context[-1]["text"]
    assert all(len(b["value"]) <= 2000 for b in block(blocks, "kbqa_feedback")["elements"])
    assert len(text) <= 3000
