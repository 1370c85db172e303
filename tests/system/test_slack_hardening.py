"""Slack HTTP mode hardened (issue 19 point 6, and point 4's Slack line), over real HTTP: stalled connections
hold no threads and are let go, a flood of rejections writes a few log lines, a response_url outside Slack's
hooks hosts is never posted to, and the user's words come back verbatim (no live link or mention)."""
from __future__ import annotations

import json
import logging
import socket
import threading
import time
from urllib.parse import urlsplit

import pytest
from fakes.slack_api import block_actions_payload, post_action, post_command, post_event
from fakes.slack_bot import QUESTION, SECRET, mention, no_proxy, running_bot, slack  # noqa: F401

from kbqa.frontends.slack import serve
from kbqa.store.feedback import FeedbackStore

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("no_proxy")]


def wait_until(predicate, timeout: float = 20.0) -> None:
    """Wait for something a background thread does (a safety limit, not a timing assertion)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "gave up waiting"
        time.sleep(0.02)


def _read_to_close(s: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection."""
    s.settimeout(30)
    out = b""
    while chunk := s.recv(4096):
        out += chunk
    return out


def test_stalled_connections_hold_no_threads_and_are_let_go(fake_engine, slack, tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(serve, "HEADER_TIMEOUT_S", 0.5)
    monkeypatch.setattr(serve, "BODY_TIMEOUT_S", 0.5)
    caplog.set_level(logging.WARNING)
    with running_bot(fake_engine, slack, store=FeedbackStore(tmp_path / "fb.db")) as b:
        u = urlsplit(b.url)
        before = threading.active_count()
        stalled = []
        for i in range(150):  # half stop inside the headers, half inside the body; none is signed
            s = socket.create_connection((u.hostname, u.port), timeout=10)
            head = f"POST {u.path} HTTP/1.1\r\nHost: x\r\n"
            s.sendall((head if i % 2 else head + "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
                      .encode())
            stalled.append(s)
        during = threading.active_count()
        replies = [_read_to_close(s) for s in stalled]  # the server lets every one of them go
        for s in stalled:
            s.close()
        statuses = sorted({r.split(b" ")[1].decode() if r else "closed" for r in replies})
        assert during - before <= 4, (before, during)  # no thread per connection
        assert set(statuses) <= {"408", "503", "closed"} and "closed" in statuses
        # serving goes on: a signed event is answered
        assert post_event(b.url, SECRET, mention(slack)).status == 200
        slack.wait_for("chat.postMessage")
    assert b.engine.calls and len(b.engine.calls) == 1
    lines = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len([x for x in lines if x.startswith("rejected a request: no complete request headers")]) == 1
    assert len([x for x in lines if "body not received" in x]) <= 1
    assert len([x for x in lines if x == "Exceeded concurrency limit."]) <= 1
    assert len(lines) <= 4, lines  # a flood of 150 writes a few lines, not 150


def test_response_url_outside_slack_is_never_posted_to(fake_engine, slack, tmp_path, caplog):
    caplog.set_level(logging.WARNING, logger="kbqa.slack")
    store = FeedbackStore(tmp_path / "fb.db")
    with running_bot(fake_engine, slack, store=store) as b:
        internal = slack.url + "/internal/admin"
        r = post_command(b.url, SECRET, QUESTION, internal)
        assert r.status == 200  # acknowledged, as Slack needs
        wait_until(lambda: "refused to post to a response_url" in caplog.text)
        # a button click carrying such a URL: the vote is stored, the thank-you is not sent there
        post_event(b.url, SECRET, mention(slack))
        [post] = slack.wait_for("chat.postMessage")
        message = [m for m in slack.messages["C0001"] if m.get("blocks")][-1]
        payload = block_actions_payload(message, "kbqa_feedback_up", channel="C0001", response_url=internal)
        assert post_action(b.url, SECRET, payload).status == 200
        wait_until(lambda: store.count() == 1)
        wait_until(lambda: caplog.text.count("refused to post to a response_url") == 2)
    assert slack.calls_to("other") == [] and slack.calls_to("response_url") == []

    # the default setting: Slack's hooks hosts only
    with running_bot(fake_engine, slack, store=store,
                     response_urls="https://hooks.slack.com/,https://hooks.slack-gov.com/") as b:
        post_command(b.url, SECRET, QUESTION, slack.response_url("not-slack"))
        wait_until(lambda: caplog.text.count("refused to post to a response_url") == 3)
    assert slack.calls_to("response_url") == []


def test_the_users_words_come_back_verbatim(fake_engine, slack, tmp_path):
    typed = "@here 看 https://evil.example/reset 和 *粗体* <!channel> 容器网络怎么选型？"
    with running_bot(fake_engine, slack, store=FeedbackStore(tmp_path / "fb.db")) as b:
        ack = post_command(b.url, SECRET, typed, slack.response_url("echo")).json()
        [answer] = slack.wait_for("response_url")
    [echo] = ack["blocks"][0]["elements"]
    assert echo["type"] == "plain_text" and "@here 看 https://evil.example/reset" in echo["text"]
    assert "evil" not in ack["text"] and "@here" not in ack["text"]  # the mrkdwn fallback leaves it out
    assert "<!channel>" not in json.dumps(ack)  # Slack's own mention syntax is dropped from the question
    [shown] = answer.params["blocks"][0]["elements"]
    assert shown["type"] == "mrkdwn" and shown["verbatim"] is True  # no auto-link, no @here, no #channel
    assert "https://evil.example/reset" in shown["text"] and "<http" not in shown["text"]
    assert "<!" not in json.dumps(answer.params, ensure_ascii=False)
