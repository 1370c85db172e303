"""The Slack bot over real HTTP both ways: signed requests go to the bot's /slack/events, the bot's Web API
calls (and response_url posts) go to tests/fakes.slack_api.FakeSlack, which records them."""
from __future__ import annotations

import json
import logging
import time

import pytest
from fakes.slack_api import block_actions_payload, post_action, post_command, post_event, post_signed
from fakes.slack_bot import (QUESTION, SECRET, UNCOVERED, block_texts, bot, citation_lines,  # noqa: F401
                             latest_bot_message, mention, message, no_proxy, running_bot, settle, slack)

from kbqa.engine import KbqaError
from kbqa.errors import InvalidQuestion, user_text
from kbqa.store.feedback import FeedbackStore, default_store
from kbqa.types import Answer, Citation, Section

pytestmark = pytest.mark.usefixtures("no_proxy")


# ---- pure rendering (no HTTP) ---------------------------------------------------------------------
def test_markdown_becomes_mrkdwn():
    from kbqa.frontends.slack.render import to_mrkdwn

    md = "**问题 4：网络?**\n\n**gavin_zhang**（某银行）：\n> a < b & c [1]\n# 标题\n- 一\n[文档](https://x.test/a?b=1)"
    out = to_mrkdwn(md)
    assert "**" not in out
    assert out.startswith("*问题 4：网络?*")
    assert "*gavin_zhang*（某银行）：" in out
    assert "\n> a &lt; b &amp; c [1]" in out  # the quote stays a quote; & < > are escaped
    assert "\n*标题*\n• 一\n<https://x.test/a?b=1|文档>" in out


def test_render_respects_block_kit_limits():
    from kbqa.frontends.slack.render import BLOCKS_MAX, BUTTON_VALUE_MAX, SECTION_TEXT_MAX, render_answer

    cites = tuple(Citation(n=i, topic=4, topic_title="网络", expert=f"expert{i}", expert_title="某银行 架构师",
                           quote="q", score=0.5, text="t") for i in range(1, 13))
    lead = "容器网络" * 400  # 1,600 characters per section, 120 sections
    sections = tuple(Section(title="问题 4：网络", topic=4, lead=lead) for _ in range(119))
    sections += (Section(title="问题 4：网络", topic=4, citations=tuple(c.n for c in cites)),)
    answer = Answer(status="answered", answer="**粗体**\n\n来源：[1] 问题4 · expert1", topic=4, confidence=0.9,
                    citations=cites, sections=sections)
    text, blocks = render_answer(answer, "问" * 3000, answer_id="abc", show_question=True)
    assert len(blocks) <= BLOCKS_MAX
    sections = block_texts(blocks, "section")
    assert sections and all(len(s) <= SECTION_TEXT_MAX for s in sections)
    assert "截断" in sections[-1]
    context = [b for b in blocks if b.get("block_id") == "kbqa_citations"][0]
    assert len(context["elements"]) <= 10 and "expert12" in context["elements"][-1]["text"]
    assert not any("来源：" in s or "**" in s for s in sections)  # rendered from the fields, not the markdown
    buttons = [b for b in blocks if b["type"] == "actions"][0]["elements"]
    assert all(len(b["value"]) <= BUTTON_VALUE_MAX and json.loads(b["value"])["id"] == "abc" for b in buttons)
    assert len(text) <= 3000


def test_slack_text_becomes_a_question():
    from kbqa.frontends.slack.render import question_text

    raw = "<@UBOT> 看 <#C123|general> 和 <https://x.test|文档> &lt;k8s&gt; &amp; <!here> 网络?"
    assert question_text(raw, "UBOT") == "看 #general 和 文档 <k8s> & 网络?"


# ---- Events API over HTTP -------------------------------------------------------------------------
@pytest.mark.slow
def test_url_verification_and_request_signing(bot, slack):
    body = json.dumps({"token": "x", "challenge": "chal-123", "type": "url_verification"})
    r = post_signed(bot.url, body, SECRET)
    assert r.status == 200 and r.json() == {"challenge": "chal-123"}

    event_body = json.dumps({"type": "event_callback", "event_id": "EvBAD", "team_id": "T0001",
                             "event": mention(slack)})
    assert post_signed(bot.url, event_body, "not-the-secret").status == 401
    assert post_signed(bot.url, event_body, SECRET, timestamp=int(time.time()) - 6 * 60).status == 401
    assert post_signed(bot.url, event_body, SECRET, timestamp=int(time.time()) + 6 * 60).status == 401
    assert post_signed(bot.url, event_body, SECRET, signature="v0=" + "0" * 64).status == 401
    assert post_signed(bot.url, body, SECRET, headers={"X-Slack-Signature": ""}).status == 401
    # 4 minutes off is within Slack's 5-minute window
    assert post_signed(bot.url, body, SECRET, timestamp=int(time.time()) - 4 * 60).status == 200
    settle()
    assert slack.calls_to("chat.postMessage") == [] and bot.engine.calls == []


def _raw_status(url: str, request: bytes, timeout: float = 10.0) -> int:
    """Send raw bytes to the server of url; the status code of its reply."""
    import socket
    from urllib.parse import urlsplit

    u = urlsplit(url)
    with socket.create_connection((u.hostname, u.port), timeout=timeout) as s:
        s.sendall(request)
        return int(s.recv(200).split(b" ")[1])


@pytest.mark.slow
def test_http_paths_methods_and_limits(fake_engine, slack, tmp_path, monkeypatch, caplog):
    import socket
    import urllib.request
    from urllib.parse import urlsplit

    from kbqa.frontends.slack import app as slack_app
    from kbqa.frontends.slack import serve

    def get(url):
        try:
            with urllib.request.urlopen(url, timeout=10) as r:
                return r.status, r.read(), r.headers
        except urllib.error.HTTPError as e:
            return e.code, e.read(), e.headers

    monkeypatch.setattr(serve, "BODY_TIMEOUT_S", 0.5)
    monkeypatch.setattr(serve, "HTTP_CONCURRENCY", 4)
    with running_bot(fake_engine, slack, store=FeedbackStore(tmp_path / "fb.sqlite3")) as b:
        base = b.url.rsplit("/slack/events", 1)[0]
        status, body, _ = get(base + "/healthz")
        assert status == 200 and json.loads(body) == {"ok": True}
        status, _, headers = get(b.url)
        assert status == 405 and headers["Allow"] == "POST"
        assert post_signed(base + "/other", "{}", SECRET).status == 404
        # a client that stalls mid-body is answered 408 and let go
        caplog.set_level(logging.WARNING, logger="kbqa.slack")
        t0 = time.monotonic()
        status = _raw_status(b.url, "POST /slack/events HTTP/1.1\r\nHost: x\r\n"
                                    "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{".encode())
        assert status == 408 and time.monotonic() - t0 < 5
        assert "rejected a request: body not received within 0.5 s" in caplog.text
        # connections are bounded: past HTTP_CONCURRENCY a request gets 503 at once, and serving resumes
        u = urlsplit(b.url)
        idle = [socket.create_connection((u.hostname, u.port), timeout=5) for _ in range(4)]
        try:
            assert _raw_status(b.url, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n") == 503
        finally:
            for s in idle:
                s.close()
        time.sleep(0.2)
        assert get(base + "/healthz")[0] == 200
    assert b.engine.calls == []
    # an app built for Socket Mode has no signing secret: it is never served over HTTP
    unsigned = slack_app.create_app(fake_engine, bot_token=slack.bot_token, signing_secret=None, socket_mode=True)
    with pytest.raises(KbqaError, match="refusing to serve HTTP without SLACK_SIGNING_SECRET"):
        slack_app.make_http_server(unsigned, "127.0.0.1", 0)


@pytest.mark.slow
def test_mention_is_answered_in_its_thread_with_citations(bot, slack, fake_engine):
    expected = fake_engine.ask(QUESTION)
    assert expected.status == "answered" and expected.citations
    event = mention(slack)
    r = post_event(bot.url, SECRET, event)
    assert r.status == 200 and r.seconds < 2.0
    [call] = slack.wait_for("chat.postMessage")
    p = call.params
    assert call.token == slack.bot_token
    assert p["channel"] == "C0001" and p["thread_ts"] == event["ts"]
    assert "**" not in p["text"] and f"问题 {expected.topic}" in p["text"]
    sections = block_texts(p["blocks"], "section")
    assert f"*问题 {expected.topic}：" in sections[0]
    cites = citation_lines(p["blocks"])
    assert len(cites) == len(expected.citations)
    for line, c in zip(cites, expected.citations):
        assert line.startswith(f"[{c.n}] 问题 {c.topic}")
        assert c.expert in line and c.expert_title in line
    buttons = [e["action_id"] for b in p["blocks"] if b["type"] == "actions" for e in b["elements"]]
    suggested = [f"kbqa_suggest_{i}" for i in range(len(expected.suggestions))]
    assert buttons == suggested + ["kbqa_feedback_up", "kbqa_feedback_down"]
    assert bot.engine.calls[0]["question"] == QUESTION  # the mention is stripped


@pytest.mark.slow
def test_not_covered_answer_says_so(bot, slack, fake_engine):
    assert fake_engine.ask(UNCOVERED).status == "not_covered"
    post_event(bot.url, SECRET, mention(slack, f"<@UBOT> {UNCOVERED}"))
    [call] = slack.wait_for("chat.postMessage")
    assert "不在本知识库" in call.params["text"]
    [note] = citation_lines(call.params["blocks"])
    assert "没有收录" in note


@pytest.mark.slow
def test_retried_deliveries_get_one_answer(bot, slack, caplog):
    caplog.set_level(logging.INFO, logger="kbqa.slack")
    event = mention(slack)
    replies = [post_event(bot.url, SECRET, event, event_id="EvRETRY1", retry_num=n) for n in (None, 1, 2)]
    assert [r.status for r in replies] == [200, 200, 200]
    slack.wait_for("chat.postMessage")
    # a mention inside a bot thread arrives twice, as app_mention and as message: still one answer
    parent = slack.calls_to("chat.postMessage")[0].params["thread_ts"]
    again = mention(slack, "<@UBOT> 那安全呢？", thread_ts=parent)
    post_event(bot.url, SECRET, again, event_id="EvMENTION2")
    as_message = dict(again, type="message", channel_type="channel")
    post_event(bot.url, SECRET, as_message, event_id="EvMESSAGE2")
    post_event(bot.url, SECRET, as_message, event_id="EvMESSAGE2", retry_num=1)
    slack.wait_for("chat.postMessage", 2)
    settle()
    assert len(slack.calls_to("chat.postMessage")) == 2
    assert len(bot.engine.calls) == 2
    # the retries were dropped by event id, before any listener ran
    assert caplog.text.count("skipped a repeated delivery of EvRETRY1") == 2
    assert caplog.text.count("skipped a repeated delivery of EvMESSAGE2 (retry 1)") == 1


@pytest.mark.slow
def test_ignores_bots_including_itself(bot, slack):
    events = [
        message(slack, QUESTION, channel="D0001", channel_type="im", user="UOTHERBOT", bot_id="BOTHER"),
        message(slack, QUESTION, channel="D0001", channel_type="im", user="UBOT", bot_id="BBOT"),
        message(slack, QUESTION, channel="D0001", channel_type="im", subtype="bot_message", bot_id="BOTHER"),
        message(slack, QUESTION, channel="D0001", channel_type="im", subtype="message_changed"),
        dict(mention(slack), user="UOTHERBOT", bot_id="BOTHER"),
    ]
    for e in events:
        assert post_event(bot.url, SECRET, e).status == 200
    control = message(slack, QUESTION, channel="D0001", channel_type="im")  # a person: answered
    post_event(bot.url, SECRET, control)
    slack.wait_for("chat.postMessage")
    settle()
    assert len(slack.calls_to("chat.postMessage")) == 1
    assert [c["question"] for c in bot.engine.calls] == [QUESTION]


@pytest.mark.slow
def test_direct_message_is_answered_in_the_dm_with_its_history(bot, slack):
    post_event(bot.url, SECRET, message(slack, QUESTION, channel="D0001", channel_type="im"))
    [first] = slack.wait_for("chat.postMessage")
    assert first.params["channel"] == "D0001" and "thread_ts" not in first.params
    post_event(bot.url, SECRET, message(slack, "那安全方面呢？", channel="D0001", channel_type="im"))
    slack.wait_for("chat.postMessage", 2)
    history = bot.engine.calls[1]["history"]
    assert {"role": "user", "content": QUESTION} in history
    assert any(t["role"] == "assistant" for t in history)
    assert slack.calls_to("conversations.history")[-1].params["channel"] == "D0001"


@pytest.mark.slow
def test_thread_reply_is_a_follow_up_with_the_thread_as_history(bot, slack):
    first = mention(slack)
    post_event(bot.url, SECRET, first)
    slack.wait_for("chat.postMessage")
    follow = message(slack, "那安全方面呢？", thread_ts=first["ts"])
    post_event(bot.url, SECRET, follow)
    posts = slack.wait_for("chat.postMessage", 2)
    assert posts[1].params["thread_ts"] == first["ts"]
    replies = slack.calls_to("conversations.replies")
    assert replies and replies[-1].params["ts"] == first["ts"]
    history = bot.engine.calls[1]["history"]
    assert history[0] == {"role": "user", "content": QUESTION}
    assert history[1]["role"] == "assistant" and history[1]["content"]
    assert all(t["content"] != "那安全方面呢？" for t in history)  # the question itself is not history

    # not for the bot: a thread it never answered in, and a reply addressed to someone else
    lone = slack.add_message("C0001", "随便聊聊")
    post_event(bot.url, SECRET, message(slack, "容器网络呢？", thread_ts=lone["ts"]))
    post_event(bot.url, SECRET, message(slack, "<@UBOB> 你怎么看？", thread_ts=first["ts"]))
    post_event(bot.url, SECRET, message(slack, "频道里的闲聊"))  # top level, no mention
    settle()
    assert len(slack.calls_to("chat.postMessage")) == 2

    # conversations.replies failing: still a follow-up (the bot remembers its threads), without history
    slack.fail("conversations.replies", "ratelimited")
    post_event(bot.url, SECRET, message(slack, "那高可用呢？", thread_ts=first["ts"]))
    posts = slack.wait_for("chat.postMessage", 3)
    assert posts[2].params["thread_ts"] == first["ts"] and bot.engine.calls[-1]["history"] is None


@pytest.mark.slow
def test_empty_mention_and_bad_question_get_one_line_or_help(bot, slack, fake_engine):
    post_event(bot.url, SECRET, mention(slack, "<@UBOT>"))
    [help_post] = slack.wait_for("chat.postMessage")
    for t in fake_engine.faq().topics:
        assert f"{t.n}. {t.title}" in help_post.params["text"]
    post_event(bot.url, SECRET, mention(slack, "<@UBOT> " + "网" * 2500))
    posts = slack.wait_for("chat.postMessage", 2)
    too_long = posts[1].params
    assert too_long["text"] == user_text(InvalidQuestion("too_long", "", length=2500, limit=2000))
    assert "\n" not in too_long["text"] and "2500" in too_long["text"] and "blocks" not in too_long


@pytest.mark.slow
def test_slow_answers_are_acknowledged_first(fake_engine, slack, tmp_path):
    with running_bot(fake_engine, slack, store=FeedbackStore(tmp_path / "fb.sqlite3"), delay=2.0) as b:
        r = post_event(b.url, SECRET, mention(slack))
        assert r.status == 200 and r.seconds < 1.5  # answering takes 2 s: the ack did not wait for it
        r = post_command(b.url, SECRET, QUESTION, slack.response_url("slow"))
        assert r.status == 200 and r.seconds < 1.5 and QUESTION in json.dumps(r.json(), ensure_ascii=False)
        t0 = time.monotonic()
        slack.wait_for("chat.postMessage")
        slack.wait_for("response_url")
        assert time.monotonic() - t0 > 0.5  # delivered after the acks, not with them


# ---- the slash command ---------------------------------------------------------------------------
@pytest.mark.slow
def test_slash_command_acks_then_answers_via_response_url(bot, slack, fake_engine):
    expected = fake_engine.ask(QUESTION)
    url = slack.response_url("cmd")
    r = post_command(bot.url, SECRET, QUESTION, url)
    assert r.status == 200 and r.seconds < 3.0
    ack = r.json()
    assert ack["response_type"] == "ephemeral" and ack["blocks"][0]["elements"][0] == {
        "type": "plain_text", "emoji": True, "text": f"🔎 正在查找：{QUESTION}"}  # the user's words: plain text
    [call] = slack.wait_for("response_url")
    assert call.path == "/response/cmd"
    p = call.params
    assert p["response_type"] == "in_channel"
    assert QUESTION in block_texts(p["blocks"], "context")[0]  # the question, for the channel
    cites = citation_lines(p["blocks"])
    assert [c.expert in line for line, c in zip(cites, expected.citations)] == [True] * len(expected.citations)
    assert slack.calls_to("chat.postMessage") == []


@pytest.mark.slow
def test_empty_slash_command_lists_the_ten_topics(bot, slack, fake_engine):
    r = post_command(bot.url, SECRET, "  ", slack.response_url())
    assert r.status == 200
    body = r.json()
    topics = fake_engine.faq().topics
    assert len(topics) == 10
    for t in topics:
        assert f"{t.n}. {t.title}" in body["text"]
    assert "/kbqa" in body["text"] and body["response_type"] == "ephemeral"
    settle(0.2)
    assert bot.engine.calls == [] and slack.calls_to("response_url") == []


# ---- feedback ----------------------------------------------------------------------------------
@pytest.mark.slow
def test_feedback_buttons_store_ratings_in_the_shared_store(fake_engine, slack):
    store = default_store(fake_engine.settings)  # the web page's store
    with running_bot(fake_engine, slack) as b:  # store=None: the bot uses default_store(settings)
        event = mention(slack)
        post_event(b.url, SECRET, event)
        [post] = slack.wait_for("chat.postMessage")
        posted = latest_bot_message(slack, "C0001")
        answer_id = json.loads(post.params["blocks"][-1]["elements"][0]["value"])["id"]

        def clicks(action, user="UALICE"):
            payload = block_actions_payload(posted, action, channel="C0001", user_id=user,
                                            response_url=slack.response_url("fb"))
            r = post_action(b.url, SECRET, payload)
            assert r.status == 200 and r.seconds < 2.0

        clicks("kbqa_feedback_up")
        slack.wait_for("response_url", 1)
        clicks("kbqa_feedback_down")
        slack.wait_for("response_url", 2)
        clicks("kbqa_feedback_down")  # the same vote again: acknowledged, not stored twice
        thanks = slack.wait_for("response_url", 3)
    mine = [r for r in store.records() if r["extra"].get("answer_id") == answer_id]
    assert [r["rating"] for r in mine] == [1, -1]
    expected = fake_engine.ask(QUESTION)
    rec = mine[0]
    assert rec["source"] == "slack" and rec["question"] == QUESTION and rec["answer"] == expected.answer
    assert [c["expert"] for c in rec["citations"]] == [c.expert for c in expected.citations]
    assert rec["user"] == store.ids("user", "UALICE") and rec["channel"] == store.ids("channel", "C0001")
    assert "UALICE" not in json.dumps(rec) and "C0001" not in json.dumps(rec)  # Slack ids only as keyed hashes
    assert rec["extra"]["message_ts"] == posted["ts"] and rec["extra"]["status"] == "answered"
    assert [t.params["response_type"] for t in thanks] == ["ephemeral"] * 3
    assert "已记录过" in thanks[2].params["text"]

    # a click on an answer from before a restart: stored from what the button and the message carry
    with running_bot(fake_engine, slack) as fresh:
        payload = block_actions_payload(posted, "kbqa_feedback_up", channel="C0001", user_id="UBOB",
                                        response_url=slack.response_url("fb2"))
        assert post_action(fresh.url, SECRET, payload).status == 200
        slack.wait_for("response_url", 4)
    later = [r for r in store.records() if r["extra"].get("answer_id") == answer_id]
    assert len(later) == 3 and later[2]["question"] == QUESTION and later[2]["answer"] == posted["text"]
    assert [c["expert"] for c in later[2]["citations"]] == [c.expert for c in expected.citations]


# ---- secrets -----------------------------------------------------------------------------------
@pytest.mark.slow
def test_tokens_and_secret_never_reach_the_logs(fake_engine, slack, caplog, capfd, tmp_path):
    caplog.set_level(logging.DEBUG)  # everything, including slack_sdk's request logs
    with running_bot(fake_engine, slack, store=FeedbackStore(tmp_path / "fb.sqlite3")) as b:
        post_event(b.url, SECRET, mention(slack))
        post_signed(b.url, json.dumps({"type": "event_callback", "event": mention(slack)}), "wrong")
        post_command(b.url, SECRET, QUESTION, slack.response_url())
        [post] = slack.wait_for("chat.postMessage")
        slack.wait_for("response_url")
        payload = block_actions_payload(latest_bot_message(slack, "C0001"), "kbqa_feedback_up", channel="C0001",
                                        response_url=slack.response_url())
        post_action(b.url, SECRET, payload)
        slack.wait_for("response_url", 2)
    out, err = capfd.readouterr()
    logged = caplog.text + out + err
    assert "chat.postMessage" in caplog.text  # the capture did see the Web API traffic
    for secret in (slack.bot_token, SECRET):
        assert secret not in logged
