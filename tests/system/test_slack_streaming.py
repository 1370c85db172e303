"""LLM answers growing in Slack, and Slack's 429s, over real HTTP: the bot streams with chat.startStream /
appendStream / stopStream in threads, falls back to chat.update edits at the top of a DM or when Slack refuses
to stream, never shows a link from the raw LLM text, and waits each 429's Retry-After (issue 17 point 4)."""
from __future__ import annotations

import pytest
from fakes.llm_server import FakeLLM, Reply
from fakes.slack_api import post_event
from fakes.slack_bot import (QUESTION, SECRET, bot, citation_lines, mention, message, no_proxy,  # noqa: F401
                             running_bot, settle, slack)

from kbqa.answer.generate import LLM_NOTICE_FAILED
from kbqa.engine import Engine
from kbqa.frontends.slack.stream import STREAM_UPDATE_S, preview
from kbqa.store.feedback import FeedbackStore

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("no_proxy")]

# three supported sentences and one with a link: the preview must never show the link
SAID = ("容器网络可以先用 Underlay 加 Calico[1]。需要隔离时看 [网络策略](https://evil.example/reset)[1]。"
        "Flannel 简单但功能少[2]。金融场景要考虑硬隔离[1]。")


@pytest.fixture(scope="module")
def llm():
    with FakeLLM() as server:
        yield server


@pytest.fixture(scope="module")
def llm_engine(fake_engine, llm):
    e = Engine(fake_engine.settings.with_(llm_base_url=llm.base_url, llm_model="test"), progress=False)
    e.load()
    return e


@pytest.fixture
def llm_bot(llm_engine, llm, slack, tmp_path):
    llm.reset()
    with running_bot(llm_engine, slack, store=FeedbackStore(tmp_path / "fb.db")) as b:
        yield b


def _streamed(slack) -> str:
    return "".join(c.params.get("markdown_text", "") for c in slack.calls
                   if c.method in ("chat.startStream", "chat.appendStream") and c.status == 200)


def test_native_streaming_in_a_thread(llm_bot, llm, slack):
    llm.script(Reply(SAID, chunk_chars=4, chunk_delay=0.05))
    event = mention(slack)
    post_event(llm_bot.url, SECRET, event)
    [final] = slack.wait_for("chat.update")
    [start] = slack.calls_to("chat.startStream")
    assert start.params["thread_ts"] == event["ts"] and start.params["channel"] == "C0001"
    assert (start.params["recipient_user_id"], start.params["recipient_team_id"]) == ("UALICE", "T0001")
    [stop] = slack.calls_to("chat.stopStream")
    assert slack.calls.index(stop) < slack.calls.index(final) and final.params["ts"] == stop.params["ts"]
    shown = _streamed(slack)
    assert shown and preview(SAID).startswith(shown)  # whole sentences, in order
    assert "evil.example" not in shown and "](" not in shown and "网络策略" in shown
    calls = [c for c in slack.calls if c.method in ("chat.startStream", "chat.appendStream")]
    assert all(b.at - a.at >= STREAM_UPDATE_S * 0.9 for a, b in zip(calls, calls[1:]))  # paced
    # the end: the citation-checked answer with its blocks replaces the raw text (what the check keeps of a
    # link is the engine's business, issue 19 point 4)
    assert citation_lines(final.params["blocks"]) and "Flannel 简单但功能少[2]。" in final.params["text"]
    [msg] = [m for m in slack.messages["C0001"] if m["ts"] == stop.params["ts"]]
    assert msg["text"] == final.params["text"] and not msg["streaming"]
    assert slack.calls_to("chat.postMessage") == []


def test_top_of_a_dm_and_a_refused_stream_edit_a_message(llm_bot, llm, slack):
    llm.script(Reply(SAID, chunk_chars=4, chunk_delay=0.05))
    post_event(llm_bot.url, SECRET, message(slack, QUESTION, channel="D0001", channel_type="im"))
    updates = _wait_final_update(slack, 1)
    [placeholder] = slack.calls_to("chat.postMessage")
    assert placeholder.params["text"] == "…" and "thread_ts" not in placeholder.params
    assert slack.calls_to("chat.startStream") == []  # Slack streams thread replies only
    growing = [u.params["text"] for u in updates[:-1]]
    assert all(t.endswith(" ▍") and "evil.example" not in t for t in growing)
    assert citation_lines(updates[-1].params["blocks"])

    # Slack refusing to start a stream: the same edits, in the thread
    llm.script(Reply(SAID, chunk_chars=4, chunk_delay=0.05))
    slack.fail("chat.startStream", "not_allowed_token_type")
    event = mention(slack)
    post_event(llm_bot.url, SECRET, event)
    updates = _wait_final_update(slack, 2)
    [_, placeholder] = slack.calls_to("chat.postMessage")
    assert placeholder.params["thread_ts"] == event["ts"] and citation_lines(updates[-1].params["blocks"])
    assert slack.calls_to("chat.appendStream") == []


def _wait_final_update(slack, n: int):
    """chat.update calls up to the n-th one that carries blocks (a final answer)."""
    k = 1
    while True:
        updates = slack.wait_for("chat.update", k)
        finals = [i for i, u in enumerate(updates) if u.params.get("blocks")]
        if len(finals) >= n:
            start = finals[n - 2] + 1 if n > 1 else 0
            return updates[start:finals[n - 1] + 1]
        k = len(updates) + 1


def test_a_429_while_streaming_waits_its_retry_after(llm_bot, llm, slack):
    llm.script(Reply(SAID * 2, chunk_chars=2, chunk_delay=0.03))  # about 3 s of writing
    slack.rate_limit("chat.appendStream", retry_after=1)
    post_event(llm_bot.url, SECRET, mention(slack))
    [final] = slack.wait_for("chat.update")
    appends = slack.calls_to("chat.appendStream")
    limited = [c for c in appends if c.status == 429]
    assert len(limited) == 1
    later = [c for c in appends if c.at > limited[0].at]
    assert later and later[0].at - limited[0].at >= 1.0  # nothing was sent before Retry-After had passed
    assert preview(SAID * 2).startswith(_streamed(slack))  # the words held back were sent afterwards, in order
    assert citation_lines(final.params["blocks"])


def test_a_429_on_posting_the_answer_is_retried_after_retry_after(bot, slack):
    slack.rate_limit("chat.postMessage", retry_after=1)
    post_event(bot.url, SECRET, mention(slack))
    first, second = slack.wait_for("chat.postMessage", 2)
    assert (first.status, second.status) == (429, 200)
    assert second.at - first.at >= 1.0
    assert len([m for m in slack.messages["C0001"] if m.get("bot_id")]) == 1  # posted once


def test_a_broken_or_silent_llm_and_a_follow_up_in_slack(fake_engine, llm, slack, tmp_path):
    """LLM mode over real Slack HTTP: garbage from the LLM, then an LLM that never answers (held on an event
    past the 1 s LLM timeout), each give the cited extractive answer with the notice; a thread follow-up is
    condensed by the LLM (two calls) and answered in the thread."""
    import json
    import threading

    e = Engine(fake_engine.settings.with_(llm_base_url=llm.base_url, llm_model="test", llm_timeout_s=1.0),
               embedder=fake_engine.embedder, progress=False)
    e.load()
    llm.reset()
    stall = threading.Event()
    try:
        with running_bot(e, slack, store=FeedbackStore(tmp_path / "fb.db")) as b:
            def final_reply(event) -> dict:
                post_event(b.url, SECRET, event)
                settle(b)  # the listener has finished: its last word is in the thread
                thread = event.get("thread_ts") or event["ts"]
                return [m for m in slack.messages["C0001"] if m.get("bot_id") and m.get("thread_ts") == thread][-1]

            llm.script(Reply(raw="this is not json", content_type="application/json"))
            first = mention(slack)
            got = final_reply(first)
            assert LLM_NOTICE_FAILED in got["text"] and citation_lines(got["blocks"])

            llm.script(Reply(SAID, stall=stall))
            got = final_reply(mention(slack))
            assert not stall.is_set() and LLM_NOTICE_FAILED in got["text"] and citation_lines(got["blocks"])
            stall.set()

            llm.reset()
            llm.script(Reply("容器网络怎么做安全隔离？"), Reply(SAID))  # the condensed question, then the answer
            got = final_reply(message(slack, "那安全方面呢？", thread_ts=first["ts"]))
            assert len(llm.requests) == 2 and "那安全方面呢？" in llm.requests[0].text
            assert LLM_NOTICE_FAILED not in got["text"] and citation_lines(got["blocks"])
            assert "Flannel 简单但功能少[2]。" in got["text"], json.dumps(got, ensure_ascii=False)[:2000]
    finally:
        stall.set()
