"""A request to sum up a long expert answer gets its outline in the expert's own words (compose.outline)."""
from __future__ import annotations

from kbqa.answer.compose import EXPERT_BUDGET, outline

TEXT = ("关于部署的思路:\n先说结论,分两步走。第二句不进大纲。\n网络:二层简单,但广播限制规模,所以大集群一般走三层路由,"
        "这一句很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长。\n"
        "存储:有状态的业务用共享存储。\n")


def test_an_outline_is_the_first_sentence_of_each_line_in_order_and_verbatim():
    got = outline(TEXT, line_cap=40)
    assert got.split(" … ") == ["关于部署的思路:", "先说结论,分两步走。", "网络:二层简单,但广播限制规模,所以大集群一般走三层路由", "存储:有状态的业务用共享存储。"]
    assert all(part in TEXT for part in got.split(" … "))


def test_an_outline_stops_at_its_budget():
    long_text = "\n".join(f"第{i}点:这是一句话。后面的不要。" for i in range(100))
    got = outline(long_text)
    assert len(got) <= EXPERT_BUDGET and got.startswith("第0点:这是一句话。") and "后面" not in got


def test_a_summary_request_on_a_long_expert_answer_gets_its_outline(fake_engine):
    a = fake_engine.ask("Garyy 关于容器网络那段太长了，浓缩成几个要点", mode="lexical")
    quote = a.citations[0].quote
    assert a.kind == "expert" and " … " in quote and all(w in quote for w in ("Underlay", "Overlay", "VXLAN"))
    plain = fake_engine.ask("Garyy 说的 VXLAN 是什么", mode="lexical").citations[0].quote  # names a detail: its sentences
    assert plain != quote and "VXLAN" in plain


def test_the_passages_a_request_names_join_the_outline_in_the_texts_order():
    got = outline(TEXT, line_cap=40, near="第二句不进大纲。").split(" … ")
    assert got[:3] == ["关于部署的思路:", "先说结论,分两步走。", "第二句不进大纲。"]


def test_a_summary_of_the_part_of_a_long_answer_the_request_names_keeps_that_part(fake_engine):
    quote = fake_engine.ask("Garyy 讲 CNM 和 CNI 的那部分帮我概括一下", mode="lexical").citations[0].quote
    assert "Docker的CNM" in quote and "Underlay" in quote  # the sentence naming them, and the outline
