"""Slack calling the bot, for tests: requests signed with the signing secret exactly as Slack does (v0
HMAC-SHA256 over ``v0:{timestamp}:{body}``), events, slash commands and button clicks as Slack sends them."""
from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass


def sign(secret: str, body: str, timestamp: int | None = None) -> dict:
    """The headers Slack sends with a request: X-Slack-Request-Timestamp and X-Slack-Signature."""
    ts = str(int(time.time()) if timestamp is None else int(timestamp))
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: never via a proxy


@dataclass
class Reply:
    status: int
    body: str
    seconds: float

    def json(self):
        return json.loads(self.body)


def post_signed(url: str, body: str, secret: str, *, content_type: str = "application/json",
                timestamp: int | None = None, headers: dict | None = None, signature: str | None = None,
                timeout: float = 10.0) -> Reply:
    """POST body to url signed as Slack would (override the signature or timestamp to test rejection)."""
    h = {"Content-Type": content_type, **sign(secret, body, timestamp), **(headers or {})}
    if signature is not None:
        h["X-Slack-Signature"] = signature
    req = urllib.request.Request(url, data=body.encode("utf-8"), headers=h, method="POST")
    t0 = time.monotonic()
    try:
        with _OPENER.open(req, timeout=timeout) as resp:
            return Reply(resp.status, resp.read().decode("utf-8"), time.monotonic() - t0)
    except urllib.error.HTTPError as e:
        return Reply(e.code, e.read().decode("utf-8", "replace"), time.monotonic() - t0)


def event_body(event: dict, *, event_id: str | None = None, team_id: str = "T0001",
               api_app_id: str = "A0001") -> dict:
    return {"token": "legacy-verification-token", "team_id": team_id, "api_app_id": api_app_id,
            "event": event, "type": "event_callback", "event_id": event_id or "Ev" + uuid.uuid4().hex[:10].upper(),
            "event_time": int(time.time()), "authorizations": [
                {"team_id": team_id, "user_id": "UBOT", "is_bot": True, "is_enterprise_install": False}]}


def post_event(url: str, secret: str, event: dict, *, event_id: str | None = None, retry_num: int | None = None,
               team_id: str = "T0001", **kw) -> Reply:
    headers = {}
    if retry_num is not None:
        headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"}
    body = json.dumps(event_body(event, event_id=event_id, team_id=team_id), ensure_ascii=False)
    return post_signed(url, body, secret, headers=headers, **kw)


def post_command(url: str, secret: str, text: str, response_url: str, *, command: str = "/kbqa",
                 user_id: str = "UALICE", channel_id: str = "C0001", team_id: str = "T0001", **kw) -> Reply:
    form = {"token": "legacy-verification-token", "team_id": team_id, "team_domain": "fake",
            "channel_id": channel_id, "channel_name": "general", "user_id": user_id, "user_name": "alice",
            "command": command, "text": text, "api_app_id": "A0001", "response_url": response_url,
            "trigger_id": "1.2.3"}
    return post_signed(url, urllib.parse.urlencode(form), secret,
                       content_type="application/x-www-form-urlencoded", **kw)


def post_action(url: str, secret: str, payload: dict, **kw) -> Reply:
    body = urllib.parse.urlencode({"payload": json.dumps(payload, ensure_ascii=False)})
    return post_signed(url, body, secret, content_type="application/x-www-form-urlencoded", **kw)


def _button(blocks: list[dict], action_id: str) -> tuple[dict, str | None]:
    """The button ``action_id`` among blocks (in an actions block or a section's accessory), and its block_id."""
    for b in blocks:
        for e in b.get("elements", []) + ([b["accessory"]] if b.get("accessory") else []):
            if e.get("type") == "button" and e.get("action_id") == action_id:
                return e, b.get("block_id")
    raise AssertionError(f"no button {action_id!r}")


def _action(button: dict, action_id: str, block_id: str | None) -> dict:
    return {"type": "button", "action_id": action_id, "block_id": block_id, "text": button["text"],
            "value": button["value"], "action_ts": str(time.time())}


def block_actions_payload(message: dict, action_id: str, *, channel: str, response_url: str,
                          user_id: str = "UALICE", team_id: str = "T0001") -> dict:
    """The block_actions payload Slack sends when a user clicks the button ``action_id`` in ``message``."""
    button, block_id = _button(message.get("blocks", []), action_id)
    return {"type": "block_actions", "user": {"id": user_id, "username": "alice", "team_id": team_id},
            "api_app_id": "A0001", "token": "legacy-verification-token", "trigger_id": "1.2.3",
            "team": {"id": team_id, "domain": "fake"}, "channel": {"id": channel, "name": "general"},
            "container": {"type": "message", "message_ts": message["ts"], "channel_id": channel,
                          "is_ephemeral": False},
            "message": message, "response_url": response_url,
            "actions": [_action(button, action_id, block_id)]}


def view_actions_payload(view: dict, action_id: str, *, user_id: str = "UALICE", team_id: str = "T0001") -> dict:
    """The block_actions payload of a click on a button of a published view (the Home tab): no channel, no
    message, no response_url."""
    button, block_id = _button(view.get("blocks", []), action_id)
    return {"type": "block_actions", "user": {"id": user_id, "username": "alice", "team_id": team_id},
            "api_app_id": "A0001", "token": "legacy-verification-token", "trigger_id": "1.2.3",
            "team": {"id": team_id, "domain": "fake"},
            "container": {"type": "view", "view_id": "V0001"}, "view": {"id": "V0001", **view},
            "actions": [_action(button, action_id, block_id)]}
