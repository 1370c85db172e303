"""The App Home tab, the assistant panel and thread context across bot processes, over real HTTP against
FakeSlack (issue 17 points 2, 3 and 6)."""
from __future__ import annotations

import pytest
from fakes.slack_api import post_action, post_event, view_actions_payload
from fakes.slack_bot import (QUESTION, SECRET, bot, buttons, message, mention, no_proxy, posted,  # noqa: F401
                             running_bot, settle, slack)

from kbqa.frontends.slack.views import STATUS
from kbqa.store.feedback import FeedbackStore

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("no_proxy")]


def test_app_home_lists_questions_experts_and_answers_a_click_in_a_dm(bot, slack, fake_engine):
    post_event(bot.url, SECRET, {"type": "app_home_opened", "user": "UALICE", "channel": "DALICE", "tab": "messages"})
    post_event(bot.url, SECRET, {"type": "app_home_opened", "user": "UALICE", "channel": "DALICE", "tab": "home"})
    [publish] = slack.wait_for("views.publish")
    assert publish.params["user_id"] == "UALICE"
    view = slack.views["UALICE"]
    faq, catalog = fake_engine.faq(), fake_engine.load().catalog
    texts = str(view["blocks"])
    assert view["type"] == "home" and view["blocks"][0] == {
        "type": "header", "text": {"type": "plain_text", "text": faq.title, "emoji": True}}
    asks = {k: b["value"] for k, b in buttons(view["blocks"]).items()}
    assert asks == {f"kbqa_home_ask_{t.n}": f"问题{t.n}" for t in faq.topics}
    for t in faq.topics:
        assert t.title in texts
    for handle in catalog.experts:
        assert f"*{handle}*" in texts
    assert "/kbqa 7" in texts and "@ 我" in texts  # how to ask
    settle(0.2)
    assert len(slack.calls_to("views.publish")) == 1  # the Messages tab publishes nothing

    # a click on question 7: the answer in the user's DM with the bot
    r = post_action(bot.url, SECRET, view_actions_payload(view, "kbqa_home_ask_7", user_id="UALICE"))
    assert r.status == 200
    [call] = slack.wait_for("chat.postMessage")
    assert call.params["channel"] == "UALICE" and "thread_ts" not in call.params
    dm = posted(slack, call)
    assert dm in slack.messages["DALICE"] and "问题 7" in dm["text"]
    assert "问题7" in dm["blocks"][0]["elements"][0]["text"]  # what was asked, shown back


def _assistant_message(slack, text, thread_ts, user="UALICE", channel="DASSIST"):
    return message(slack, text, channel=channel, channel_type="im", thread_ts=thread_ts, user=user)


def test_assistant_panel_prompts_status_title_and_history(bot, slack, fake_engine):
    root = slack.add_message("DASSIST", "", user="UBOT", bot_id="BBOT", subtype="assistant_app_thread")
    thread_ts = root["ts"]
    started = {"type": "assistant_thread_started", "event_ts": slack.next_ts(),
               "assistant_thread": {"user_id": "UALICE", "channel_id": "DASSIST", "thread_ts": thread_ts,
                                    "context": {"channel_id": "C0001", "team_id": "T0001"}}}
    post_event(bot.url, SECRET, started)
    [prompts] = slack.wait_for("assistant.threads.setSuggestedPrompts")
    examples = fake_engine.load().examples
    assert prompts.params["channel_id"] == "DASSIST" and prompts.params["thread_ts"] == thread_ts
    assert [p["message"] for p in prompts.params["prompts"]] == list(examples[:4])
    [greeting] = slack.wait_for("chat.postMessage")
    assert greeting.params["thread_ts"] == thread_ts and fake_engine.faq().title in greeting.params["text"]

    post_event(bot.url, SECRET, _assistant_message(slack, QUESTION, thread_ts))
    answer = slack.wait_for("chat.postMessage", 2)[1]
    assert answer.params["channel"] == "DASSIST" and answer.params["thread_ts"] == thread_ts
    [title] = slack.calls_to("assistant.threads.setTitle")
    assert title.params["title"] == QUESTION and title.params["thread_ts"] == thread_ts
    [status] = slack.calls_to("assistant.threads.setStatus")
    assert status.params["status"] == STATUS and slack.calls.index(status) < slack.calls.index(answer)
    assert "问题 4" in answer.params["text"]

    post_event(bot.url, SECRET, _assistant_message(slack, "那安全方面呢？", thread_ts))
    slack.wait_for("chat.postMessage", 3)
    history = bot.engine.calls[-1]["history"]
    assert {"role": "user", "content": QUESTION} in history and history[-1]["role"] == "assistant"
    assert len(slack.calls_to("assistant.threads.setTitle")) == 1  # titled after its first question only
    assert len(slack.calls_to("assistant.threads.setStatus")) == 2
    reads = slack.calls_to("conversations.replies")
    assert "oldest" not in reads[0].params and reads[1].params["oldest"]  # the second read asked only what's new


def test_thread_context_is_never_stale_across_bot_processes(fake_engine, slack, tmp_path):
    """Two bot processes (each with its own thread cache) take turns answering one thread: each follow-up
    gets every earlier turn, whichever process answered it."""
    with running_bot(fake_engine, slack, store=FeedbackStore(tmp_path / "a.db")) as a, \
            running_bot(fake_engine, slack, store=FeedbackStore(tmp_path / "b.db")) as b:
        first = mention(slack)
        post_event(a.url, SECRET, first)
        slack.wait_for("chat.postMessage", 1)
        turns = [("那安全方面呢？", a), ("那存储呢？", b), ("高可用呢？", a)]
        for i, (text, replica) in enumerate(turns, start=2):
            post_event(replica.url, SECRET, message(slack, text, thread_ts=first["ts"]))
            slack.wait_for("chat.postMessage", i)
        asked = [t["content"] for t in a.engine.calls[-1]["history"] if t["role"] == "user"]
        assert asked == [QUESTION, "那安全方面呢？", "那存储呢？"]  # "那存储呢？" was answered by b
        assert len([t for t in a.engine.calls[-1]["history"] if t["role"] == "assistant"]) == 3
        reads = slack.calls_to("conversations.replies")
        assert [bool(r.params.get("oldest")) for r in reads] == [False, False, True]  # a, b, a (cached)

        # a deleted message: the reply count no longer adds up, so a reads the whole thread again
        said = [m for m in slack.thread("C0001", first["ts"]) if m.get("text") == "那存储呢？"][0]
        slack.delete_message("C0001", said["ts"])
        post_event(a.url, SECRET, message(slack, "谢谢", thread_ts=first["ts"]))
        slack.wait_for("chat.postMessage", 5)
        reads = slack.calls_to("conversations.replies")[3:]
        assert [bool(r.params.get("oldest")) for r in reads] == [True, False]
        asked = [t["content"] for t in a.engine.calls[-1]["history"] if t["role"] == "user"]
        assert "那存储呢？" not in asked and asked[-1] == "高可用呢？"
