"""The Slack bot's ways in: Socket Mode over the fake's WebSocket, and ``kbqa slack`` as a process (HTTP and
Socket Mode, its one-line errors), against tests/fakes.slack_api.FakeSlack."""
from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import threading
import time

import pytest
from fakes.slack_api import post_event, post_signed
from fakes.slack_bot import SECRET, block_texts, mention, no_proxy, settle, slack  # noqa: F401 - fixtures

from kbqa.engine import KbqaError
from kbqa.settings import REPO_ROOT
from kbqa.store.feedback import FeedbackStore

pytestmark = pytest.mark.usefixtures("no_proxy")


# ---- Socket Mode ---------------------------------------------------------------------------------
@pytest.mark.slow
def test_socket_mode_answers_over_the_websocket(fake_engine, slack, caplog, tmp_path):
    from kbqa.frontends.slack.app import create_app, start_socket_mode

    caplog.set_level(logging.DEBUG)
    app = create_app(fake_engine, bot_token=slack.bot_token, signing_secret=None, api_base_url=slack.base_url,
                     socket_mode=True, store=FeedbackStore(tmp_path / "f.db"))
    handler = start_socket_mode(app, slack.app_token)
    try:
        assert slack.ws_connected.wait(5)
        [opened] = slack.calls_to("apps.connections.open")
        assert opened.token == slack.app_token
        event = mention(slack)
        envelope = slack.socket_event(event, event_id="EvSOCK1")
        slack.wait_for_ack(envelope)
        [post] = slack.wait_for("chat.postMessage")
        assert post.params["thread_ts"] == event["ts"] and block_texts(post.params["blocks"], "context")
        retry = slack.socket_event(event, event_id="EvSOCK1", retry_attempt=1)  # a redelivery
        slack.wait_for_ack(retry)
        settle()
        assert len(slack.calls_to("chat.postMessage")) == 1
    finally:
        handler.close()
    assert slack.app_token not in caplog.text and slack.bot_token not in caplog.text

    with pytest.raises(KbqaError, match="invalid_auth"):
        start_socket_mode(app, "xapp-wrong")


# ---- the CLI -------------------------------------------------------------------------------------
def _run_cli(argv, monkeypatch, capsys, **env):
    from kbqa.frontends.cli import main

    for var in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_API_BASE_URL"):
        monkeypatch.delenv(var, raising=False)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    rc = main(argv)
    return rc, capsys.readouterr().err


def test_cli_names_the_missing_variable(monkeypatch, capsys):
    rc, err = _run_cli(["slack", "--port", "0"], monkeypatch, capsys)
    assert rc == 2 and err.startswith("kbqa: error: ")
    assert "SLACK_BOT_TOKEN is not set" in err and err.count("\n") == 1
    rc, err = _run_cli(["slack"], monkeypatch, capsys, SLACK_BOT_TOKEN="xoxb-1")
    assert rc == 2 and "SLACK_SIGNING_SECRET is not set" in err and err.count("\n") == 1
    rc, err = _run_cli(["slack", "--socket"], monkeypatch, capsys, SLACK_BOT_TOKEN="xoxb-1")
    assert rc == 2 and "SLACK_APP_TOKEN is not set" in err and err.count("\n") == 1
    with pytest.raises(KbqaError, match="SLACK_SIGNING_SECRET"):
        from kbqa.frontends.slack.app import create_app

        create_app(object(), bot_token="xoxb-1", signing_secret="")


def _start_cli(slack, tmp_path, token, *args, **env_vars):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KBQA_", "SLACK_")) and "proxy" not in k.lower()}
    env.update(SLACK_BOT_TOKEN=token, SLACK_API_BASE_URL=slack.base_url, KBQA_EMBEDDER="fake",
               KBQA_HOME=str(tmp_path / "home"), PYTHONUNBUFFERED="1", **env_vars)
    return subprocess.Popen([sys.executable, "-m", "kbqa.frontends.cli", "slack", *args], cwd=REPO_ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for_line(proc, needle: str, lines: list[str], timeout: float = 60) -> threading.Thread:
    seen = threading.Event()

    def drain():
        for line in proc.stderr:
            lines.append(line)
            if needle in line:
                seen.set()

    thread = threading.Thread(target=drain, daemon=True)
    thread.start()
    assert seen.wait(timeout), "".join(lines)
    return thread


@pytest.mark.slow
def test_cli_serves_the_bot_over_http(slack, tmp_path):
    proc = _start_cli(slack, tmp_path, slack.bot_token, "--port", "0", SLACK_SIGNING_SECRET=SECRET)
    lines: list[str] = []
    try:
        drain = _wait_for_line(proc, "listening on", lines)
        url = re.search(r"(http://127\.0\.0\.1:\d+/slack/events)", "".join(lines)).group(1)
        assert slack.calls_to("auth.test"), "the token is checked at start-up"
        event = mention(slack)
        assert post_event(url, SECRET, event).status == 200
        [post] = slack.wait_for("chat.postMessage", timeout=20)
        assert post.params["thread_ts"] == event["ts"]
        assert post_signed(url, "{}", "wrong").status == 401
        time.sleep(0.3)
    finally:
        proc.terminate()
        proc.wait(10)
    drain.join(5)
    text = "".join(lines) + (proc.stdout.read() or "")
    assert "kbqa.slack: answered: kind=answer status=answered" in text  # the operator sees what happens...
    assert "rejected a request: bad signature" in text
    assert slack.bot_token not in text and SECRET not in text  # ...and never a secret


@pytest.mark.slow
def test_cli_socket_mode(slack, tmp_path):
    proc = _start_cli(slack, tmp_path, slack.bot_token, "--socket", SLACK_APP_TOKEN=slack.app_token)
    lines: list[str] = []
    try:
        _wait_for_line(proc, "connected over Socket Mode", lines)
        assert slack.ws_connected.wait(5)
        event = mention(slack)
        slack.wait_for_ack(slack.socket_event(event))
        [post] = slack.wait_for("chat.postMessage", timeout=20)
        assert post.params["thread_ts"] == event["ts"]
    finally:
        proc.terminate()
        proc.wait(10)
    text = "".join(lines) + (proc.stdout.read() or "")
    assert slack.bot_token not in text and slack.app_token not in text


@pytest.mark.slow
def test_cli_reports_a_rejected_token_in_one_line(slack, tmp_path):
    proc = _start_cli(slack, tmp_path, "xoxb-not-the-right-token", "--port", "0", SLACK_SIGNING_SECRET=SECRET)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 2
    last = err.strip().splitlines()[-1]
    assert last.startswith("kbqa: error: Slack rejected SLACK_BOT_TOKEN") and "invalid_auth" in last
    assert "xoxb-not-the-right-token" not in err + out and "Traceback" not in err


@pytest.mark.slow
def test_one_event_replayed_to_two_bot_processes_is_answered_once(slack, tmp_path):
    """Slack retries an event it thinks failed; behind a load balancer the retry can reach another replica.
    Two `kbqa slack` processes on one KBQA_HOME get the same event (same event_id): one answer."""
    procs, outs, drains = [], [], []
    try:
        for _ in range(2):  # one after the other: the second finds the index built
            proc = _start_cli(slack, tmp_path, slack.bot_token, "--port", "0", SLACK_SIGNING_SECRET=SECRET)
            lines: list[str] = []
            drains.append(_wait_for_line(proc, "listening on", lines))
            procs.append(proc)
            outs.append(lines)
        urls = [re.search(r"(http://127\.0\.0\.1:\d+/slack/events)", "".join(x)).group(1) for x in outs]
        event = mention(slack)
        assert post_event(urls[0], SECRET, event, event_id="EvREPLAYED").status == 200
        assert post_event(urls[1], SECRET, event, event_id="EvREPLAYED", retry_num=1).status == 200

        def skipped() -> bool:  # the process that did not answer says so
            return any("skipped a repeated delivery of EvREPLAYED" in line for x in outs for line in list(x))

        deadline = time.monotonic() + 60  # a safety limit: both processes decide within moments
        while time.monotonic() < deadline:
            posts = len(slack.calls_to("chat.postMessage"))
            if posts >= 2 or (posts == 1 and skipped()):
                break
            time.sleep(0.05)
        assert len(slack.calls_to("chat.postMessage")) == 1 and skipped()
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(10)
