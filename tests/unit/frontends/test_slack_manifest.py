"""deploy/slack/manifest.yaml declares exactly what the bot uses: every event a listener is registered for,
every scope those events and the bot's Web API calls need, the slash command, interactivity, the Home tab and
the assistant panel; and nothing that no listener or call uses.

What the bot uses is read from the code, not restated: the listeners from ``SlackBot.subscriptions`` (recorded
as ``register`` attaches them to a real bolt App), the Web API methods from the source of
kbqa/frontends/slack (every ``client.<method>(`` call that is a slack_sdk WebClient method, and bolt's
``say`` / ``set_status`` / ``set_title`` / ``set_suggested_prompts`` utilities). The scope each needs is
Slack's documented requirement, tabled here."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from kbqa.settings import REPO_ROOT, Settings

yaml = pytest.importorskip("yaml")

MANIFEST = REPO_ROOT / "deploy" / "slack" / "manifest.yaml"
SOURCES = sorted((REPO_ROOT / "kbqa" / "frontends" / "slack").glob("*.py"))
HISTORY = {"channels:history", "groups:history", "im:history", "mpim:history"}

# Slack's documented scope requirements (docs.slack.dev/reference/events/…, …/methods/…)
EVENT_SCOPES = {
    "app_mention": {"app_mentions:read"},
    "app_home_opened": set(),
    "assistant_thread_started": {"assistant:write"},
    "message.channels": {"channels:history"},
    "message.groups": {"groups:history"},
    "message.im": {"im:history"},
    "message.mpim": {"mpim:history"},
}
METHOD_SCOPES = {
    "auth.test": set(),
    "chat.postMessage": {"chat:write"},
    "chat.update": {"chat:write"},
    "chat.startStream": {"chat:write"},
    "chat.appendStream": {"chat:write"},
    "chat.stopStream": {"chat:write"},
    "conversations.replies": HISTORY,  # whichever kind of conversation the thread is in
    "conversations.history": HISTORY,
    "views.publish": set(),
    "assistant.threads.setStatus": {"assistant:write"},
    "assistant.threads.setTitle": {"assistant:write"},
    "assistant.threads.setSuggestedPrompts": {"assistant:write"},
}
BOLT_UTILITIES = {"say": "chat.postMessage", "set_status": "assistant.threads.setStatus",
                  "set_title": "assistant.threads.setTitle",
                  "set_suggested_prompts": "assistant.threads.setSuggestedPrompts"}
# a "message" listener hears these four events (Slack delivers message events by conversation type)
MESSAGE_EVENTS = ("message.channels", "message.groups", "message.im", "message.mpim")


class _Engine:
    settings = Settings()
    loaded = False


@pytest.fixture(scope="module")
def manifest() -> dict:
    return yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def subscriptions() -> list[tuple[str, str]]:
    from kbqa.frontends.slack.app import create_app

    app = create_app(_Engine(), bot_token="xoxb-manifest-test", signing_secret="s")  # no network call
    return app.bot.subscriptions


def web_api_methods() -> set[str]:
    """The Web API methods the Slack front end calls, read from its source."""
    from slack_sdk import WebClient

    found = set()
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Name) and node.id in BOLT_UTILITIES:  # called, or handed on to be called
                found.add(BOLT_UTILITIES[node.id])
            if not isinstance(node, ast.Call):
                continue
            f = node.func
            if isinstance(f, ast.Attribute) and hasattr(WebClient, f.attr) and "_" in f.attr \
                    and not f.attr.startswith("_") and f.attr not in ("api_call",):
                found.add(_method_name(f.attr))
    return found | {"auth.test"}  # bolt calls it (the token check, the bot's user id)


def _method_name(attr: str) -> str:
    """chat_postMessage -> chat.postMessage; assistant_threads_setStatus -> assistant.threads.setStatus."""
    return attr.replace("_", ".")


def declared_events(subscriptions) -> set[str]:
    events = set()
    for kind, name in subscriptions:
        if kind == "event":
            events |= set(MESSAGE_EVENTS) if name == "message" else {name}
    return events


def test_events_are_exactly_those_listened_to(manifest, subscriptions):
    assert set(manifest["settings"]["event_subscriptions"]["bot_events"]) == declared_events(subscriptions)


def test_scopes_are_exactly_those_needed(manifest, subscriptions):
    methods = web_api_methods()
    assert {"chat.postMessage", "conversations.replies", "views.publish", "chat.startStream",
            "assistant.threads.setStatus"} <= methods  # the scan sees the calls
    unknown = methods - set(METHOD_SCOPES)
    assert not unknown, f"add the scopes of {unknown} to METHOD_SCOPES (from Slack's docs)"
    needed = set().union(*(METHOD_SCOPES[m] for m in methods))
    needed |= set().union(*(EVENT_SCOPES[e] for e in declared_events(subscriptions)))
    if any(kind == "command" for kind, _ in subscriptions):
        needed.add("commands")
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == needed
    assert "user" not in manifest["oauth_config"]["scopes"]  # the bot acts as itself only


def test_command_interactivity_home_and_assistant_match_the_listeners(manifest, subscriptions):
    features, settings = manifest["features"], manifest["settings"]
    commands = {name for kind, name in subscriptions if kind == "command"}
    assert {c["command"] for c in features.get("slash_commands", [])} == commands == {"/kbqa"}
    assert all(c["should_escape"] is False for c in features["slash_commands"])  # the bot un-escapes itself
    assert settings["interactivity"]["is_enabled"] is any(kind == "action" for kind, _ in subscriptions)
    events = declared_events(subscriptions)
    assert features["app_home"]["home_tab_enabled"] is ("app_home_opened" in events)
    assert features["app_home"]["messages_tab_enabled"] is ("message.im" in events)
    assert ("assistant_view" in features) is ("assistant_thread_started" in events)


def test_recommended_socket_mode_and_the_docs_point_here(manifest):
    settings = manifest["settings"]
    assert settings["socket_mode_enabled"] is True and "request_url" not in settings["event_subscriptions"]
    docs = (REPO_ROOT / "docs" / "slack.md").read_text(encoding="utf-8")
    assert "deploy/slack/manifest.yaml" in docs and "bot_events:" not in docs  # one manifest, not two copies


def test_the_scan_finds_each_call_site():
    """A guard on the scan itself: a method named only in a string or a comment is not a call."""
    tree = ast.parse("client.chat_postMessage(channel='x')\n'client.views_open()'\nset_title('t')\n")
    names = {n.func.attr if isinstance(n.func, ast.Attribute) else n.func.id
             for n in ast.walk(tree) if isinstance(n, ast.Call)}
    assert names == {"chat_postMessage", "set_title"}
    assert {"assistant.threads.setTitle", "assistant.threads.setStatus"} <= web_api_methods()
    assert Path(MANIFEST).is_file()
