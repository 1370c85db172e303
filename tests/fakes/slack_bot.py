"""The real Slack bot served over HTTP against ``FakeSlack``, and the helpers the Slack tests share: an engine
that records what the bot asks, events as Slack sends them, and readers of Block Kit."""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

from kbqa.proxy import EngineProxy

SECRET = "8f1c2e-signing-secret-for-tests"
QUESTION = "容器网络怎么选型？"
UNCOVERED = "今天中午食堂吃什么"


class SpyEngine(EngineProxy):
    """An engine (the session's fake-embedder one, or another), recording what the bot asks (and optionally
    held until ``gate`` is set, to test the 3 s ack); the rest is the engine's own, passed on as RecordedEngine
    does (EngineProxy). Its settings allow the fake's response_url endpoints."""

    def __init__(self, engine, gate=None, settings=None) -> None:
        self.engine, self.gate, self.calls = engine, gate, []
        self.settings = settings or engine.settings

    def ask_stream(self, question, history=None, mode=None):
        self.calls.append({"question": question, "history": history})
        if self.engine.answer_mode == "llm":
            yield from self.engine.ask_stream(question, history=history, mode=mode)
            return
        yield self._ask(question, history, mode)

    def ask(self, question, history=None, mode=None):
        self.calls.append({"question": question, "history": history})
        return self._ask(question, history, mode)

    def _ask(self, question, history, mode):
        if self.gate is not None:
            self.gate.wait(300)  # (a guard: the test sets it)
        return self.engine.ask(question, history=history, mode=mode)


@dataclass
class Bot:
    url: str
    app: object
    engine: SpyEngine


def fake_settings(engine, slack, **changes):
    """The engine's settings with the fake's response_url endpoints allowed (KBQA_SLACK_RESPONSE_URLS)."""
    return engine.settings.with_(slack_response_urls=slack.url + "/response/", **changes)


@contextmanager
def running_bot(engine, slack, *, store=None, gate=None, response_urls=None):
    from kbqa.frontends.slack.app import create_app, make_http_server

    settings = fake_settings(engine, slack)
    if response_urls is not None:
        settings = settings.with_(slack_response_urls=response_urls)
    spy = SpyEngine(engine, gate, settings)
    app = create_app(spy, bot_token=slack.bot_token, signing_secret=SECRET, api_base_url=slack.base_url, store=store)
    server = make_http_server(app, "127.0.0.1", 0).start()
    try:
        yield Bot(server.url, app, spy)
    finally:
        server.stop()


def mention(slack, text=f"<@UBOT> {QUESTION}", channel="C0001", user="UALICE", thread_ts=None):
    msg = slack.add_message(channel, text, user=user, thread_ts=thread_ts)
    event = {"type": "app_mention", "user": user, "text": text, "ts": msg["ts"], "channel": channel,
             "event_ts": msg["ts"]}
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def message(slack, text, channel="C0001", user="UALICE", thread_ts=None, channel_type="channel", **extra):
    msg = slack.add_message(channel, text, user=user, thread_ts=thread_ts, **extra)
    event = {"type": "message", "user": user, "text": text, "ts": msg["ts"], "channel": channel,
             "event_ts": msg["ts"], "channel_type": channel_type, **extra}
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def settle(bot, timeout: float = 120) -> None:
    """Wait until every listener the requests so far started has finished (an event, not a pause), before
    asserting that nothing (else) happened. ``bot``: a ``Bot`` or a ``SlackApp``; ``timeout`` only guards
    against a hang."""
    assert getattr(bot, "app", bot).wait_idle(timeout), "the bot's listeners did not finish"


def block_texts(blocks, kind):
    out = []
    for b in blocks:
        if b["type"] == kind == "section":
            out.append(b["text"]["text"])
        elif b["type"] == kind == "context":
            out += [e["text"] for e in b["elements"]]
    return out


def citation_lines(blocks) -> list[str]:
    """The lines of the citations block (or the not-covered note)."""
    return [e["text"] for b in blocks if b.get("block_id") == "kbqa_citations" for e in b["elements"]]


def buttons(blocks) -> dict[str, dict]:
    """Every button of a message or view, by action_id (section accessories included)."""
    out = {}
    for b in blocks:
        for e in b.get("elements", []) + ([b["accessory"]] if b.get("accessory") else []):
            if e.get("type") == "button":
                out[e["action_id"]] = e
    return out


def posted(slack, call) -> dict:
    """The message a chat.postMessage call stored (the fake stores it before recording the call)."""
    channel = call.params["channel"]
    channel = "D" + channel[1:] if channel.startswith("U") else channel
    return next(m for m in reversed(slack.messages[channel]) if m.get("bot_id") and m.get("blocks")
                and m["text"] == call.params["text"])


def latest_bot_message(slack, channel: str) -> dict:
    """The bot's last message with blocks in a channel."""
    return [m for m in slack.messages.get(channel, []) if m.get("blocks")][-1]


# ---- fixtures (import them into a test module to use them) ----------------------------------------
import pytest  # noqa: E402


@pytest.fixture
def slack():
    from fakes.slack_api import FakeSlack

    with FakeSlack() as s:
        yield s


@pytest.fixture
def bot(fake_engine, slack, tmp_path):
    from kbqa.store.feedback import FeedbackStore

    with running_bot(fake_engine, slack, store=FeedbackStore(tmp_path / "fb.sqlite3")) as b:
        yield b


@pytest.fixture(autouse=False)
def no_proxy(monkeypatch):
    for var in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET"):
        monkeypatch.delenv(var, raising=False)


def click(bot, slack, message: dict, action_id: str, *, channel: str, user: str = "UALICE", **extra):
    """Click a button of ``message`` as ``user`` (a signed block_actions request); returns the HTTP reply."""
    from fakes.slack_api import block_actions_payload, post_action

    payload = block_actions_payload(message, action_id, channel=channel, user_id=user,
                                    response_url=slack.response_url("click"))
    payload["container"].update(extra)
    return post_action(bot.url, SECRET, payload)
