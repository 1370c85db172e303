"""Buttons and the slash command's shortcuts, over real HTTP against FakeSlack (issue 17 point 5, issue 12
point 3): a suggestion or "did you mean" button answers in the same thread, follow-ups after a click know the
clicked question, ``/kbqa 7``, ``/kbqa experts``, ``/kbqa help``."""
from __future__ import annotations

import json

import pytest
from fakes.slack_api import post_command, post_event
from fakes.slack_bot import (QUESTION, SECRET, bot, buttons, citation_lines, click, mention, message,  # noqa: F401
                             no_proxy, posted, slack)

from kbqa.frontends.slack.render import did_you_mean

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("no_proxy")]

TWO_TOPICS = "容器网络怎么选型和存储？"  # the fake engine answers question 4 with question 7 a close runner-up


def _answered(slack, n: int):
    """The n-th chat.postMessage call and the message it stored."""
    call = slack.wait_for("chat.postMessage", n)[n - 1]
    return call, posted(slack, call)


def test_a_suggestion_button_answers_in_the_same_thread(bot, slack, fake_engine):
    expected = fake_engine.ask(QUESTION)
    event = mention(slack)
    post_event(bot.url, SECRET, event)
    _, answer = _answered(slack, 1)
    shown = buttons(answer["blocks"])
    assert [shown[f"kbqa_suggest_{i}"]["value"] for i in range(len(expected.suggestions))] == \
        [s.text for s in expected.suggestions]
    first = expected.suggestions[0]

    r = click(bot, slack, answer, "kbqa_suggest_0", channel="C0001", user="UBOB")
    assert r.status == 200
    call, reply = _answered(slack, 2)
    assert call.params["thread_ts"] == event["ts"]  # the same thread
    assert bot.engine.calls[-1]["question"] == first.text
    history = bot.engine.calls[-1]["history"]
    assert history[0] == {"role": "user", "content": QUESTION} and history[1]["role"] == "assistant"
    suggested = fake_engine.ask(first.text)
    assert f"问题 {suggested.topic}" in reply["text"] and suggested.topic == first.topic
    head = reply["blocks"][0]["elements"][0]
    assert head["verbatim"] is True and first.text.replace("&", "&amp;") in head["text"]  # what was clicked
    assert reply["metadata"] == {"event_type": "kbqa_asked", "event_payload": {"question": first.text}}

    # a follow-up typed after the click has the clicked question as a user turn (read from the metadata)
    post_event(bot.url, SECRET, message(slack, "那还有谁回答了？", thread_ts=event["ts"]))
    _answered(slack, 3)
    history = bot.engine.calls[-1]["history"]
    assert [t["content"] for t in history if t["role"] == "user"] == [QUESTION, first.text]

    # a double click asks once
    click(bot, slack, answer, "kbqa_suggest_1", channel="C0001", user="UBOB")
    click(bot, slack, answer, "kbqa_suggest_1", channel="C0001", user="UBOB")
    _answered(slack, 4)
    post_event(bot.url, SECRET, message(slack, "谢谢", thread_ts=event["ts"]))  # ordered after the clicks' work
    _answered(slack, 5)
    asked = [c["question"] for c in bot.engine.calls]
    assert asked.count(expected.suggestions[1].text) == 1


def test_did_you_mean_button(bot, slack, fake_engine):
    expected = fake_engine.ask(TWO_TOPICS)
    dym = did_you_mean(expected)
    assert dym is not None and dym.topic != expected.topic  # the engine's close runner-up
    event = mention(slack, f"<@UBOT> {TWO_TOPICS}")
    post_event(bot.url, SECRET, event)
    _, answer = _answered(slack, 1)
    [line] = [b for b in answer["blocks"] if b.get("block_id") == "kbqa_did_you_mean"]
    assert line["text"]["text"].startswith("🤔 你是不是想问：") and line["accessory"]["value"] == dym.text
    assert dym.text not in [b["value"] for k, b in buttons(answer["blocks"]).items() if k.startswith("kbqa_suggest")]
    click(bot, slack, answer, "kbqa_did_you_mean", channel="C0001")
    call, reply = _answered(slack, 2)
    assert call.params["thread_ts"] == event["ts"] and f"问题 {dym.topic}" in reply["text"]


def test_a_suggestion_in_a_dm_answers_in_the_dm(bot, slack):
    post_event(bot.url, SECRET, message(slack, QUESTION, channel="D0001", channel_type="im"))
    _, answer = _answered(slack, 1)
    click(bot, slack, answer, "kbqa_suggest_0", channel="D0001")
    call, _ = _answered(slack, 2)
    assert call.params["channel"] == "D0001" and "thread_ts" not in call.params  # the DM is the conversation
    assert {"role": "user", "content": QUESTION} in bot.engine.calls[-1]["history"]


def test_a_suggestion_under_a_slash_command_answer(bot, slack, fake_engine):
    post_command(bot.url, SECRET, QUESTION, slack.response_url("cmd"))
    [sent] = slack.wait_for("response_url")
    # Slack turns the response_url post into a channel message from the bot
    answer = slack.add_message("C0001", sent.params["text"], user="UBOT", bot_id="BBOT",
                               blocks=sent.params["blocks"], metadata=sent.params["metadata"])
    assert sent.params["metadata"]["event_payload"]["question"] == QUESTION
    click(bot, slack, answer, "kbqa_suggest_0", channel="C0001")
    call, _ = _answered(slack, 1)
    assert call.params["thread_ts"] == answer["ts"]  # starts a thread under it
    assert bot.engine.calls[-1]["history"][0] == {"role": "user", "content": QUESTION}  # from the metadata

    # where the bot may not post (not a member of the channel): the answer comes back through response_url
    slack.fail("chat.postMessage", "not_in_channel")
    click(bot, slack, answer, "kbqa_suggest_1", channel="C0001")
    [_, fallback] = slack.wait_for("response_url", 2)
    assert fallback.params["response_type"] == "ephemeral" and citation_lines(fallback.params["blocks"])


def test_slash_command_number_experts_and_help(bot, slack, fake_engine):
    # /kbqa 7: question 7 with all its experts
    r = post_command(bot.url, SECRET, "7", slack.response_url("seven"))
    assert r.status == 200
    [answer] = slack.wait_for("response_url")
    expected = fake_engine.ask("问题7")
    assert expected.kind == "question" and expected.topic == 7
    assert bot.engine.calls[-1]["question"] == "问题7"
    assert answer.params["response_type"] == "in_channel" and "问题 7" in answer.params["text"]
    assert [c.split(" · ")[1] for c in citation_lines(answer.params["blocks"])] == \
        [f"*{c.expert}*" for c in expected.citations]

    # /kbqa experts: every expert of the FAQ, with organisation and questions, only for the asker
    r = post_command(bot.url, SECRET, "experts", slack.response_url("experts"))
    body = r.json()
    text = json.dumps(body, ensure_ascii=False)
    catalog = fake_engine.load().catalog
    assert body["response_type"] == "ephemeral" and len(catalog.experts) == 10
    for e in catalog.experts.values():
        assert f"*{e.handle}*" in text and "回答了问题 " + "、".join(map(str, e.topics)) in text
    assert post_command(bot.url, SECRET, "专家", slack.response_url()).json()["text"] == body["text"]

    # /kbqa help: the usage, with the shortcuts and the questions
    for word in ("help", ""):
        usage = post_command(bot.url, SECRET, word, slack.response_url()).json()
        assert usage["response_type"] == "ephemeral"
        for needle in ("/kbqa 7", "/kbqa experts", "/kbqa help", "10. "):
            assert needle in usage["text"]

    # a number past the last question: the engine says how many there are
    post_command(bot.url, SECRET, "11", slack.response_url("eleven"))
    [_, eleven] = slack.wait_for("response_url", 2)
    assert fake_engine.ask("问题11").kind == "overview" and "10" in eleven.params["text"]
    assert len(slack.calls_to("response_url")) == 2  # experts and help were the acks themselves
