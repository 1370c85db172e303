"""A local stand-in for Slack, both directions, for tests and demos (stdlib only).

* ``FakeSlack`` plays Slack's Web API (``/api/<method>``: auth.test, chat.postMessage, chat.update,
  chat.startStream/appendStream/stopStream, conversations.replies, conversations.history, views.publish,
  assistant.threads.setStatus/setTitle/setSuggestedPrompts, apps.connections.open, ...), the ``response_url``
  endpoints (``/response/<name>``) and a Socket Mode WebSocket (``/link/``), on 127.0.0.1 with a free port. It
  records every call (any other path too, as method "other") and keeps the channels' messages, with their
  metadata and the parent's reply_count, so conversations.replies returns what the bot and the "users"
  posted. ``fail`` makes a method answer an error; ``rate_limit`` makes it answer HTTP 429 with Retry-After.
* ``sign`` / ``post_signed`` / ``post_event`` / ``post_command`` / ``post_action`` play Slack calling the
  bot (fakes/slack_requests.py, re-exported here): requests signed with the signing secret exactly as Slack
  does (v0 HMAC-SHA256 over ``v0:{timestamp}:{body}``).

    with FakeSlack() as slack:
        app = create_app(engine, bot_token=slack.bot_token, signing_secret=SECRET,
                         api_base_url=slack.base_url)
        ...
        post_event(bot_url, SECRET, {"type": "app_mention", ...}, event_id="Ev1")
        [call] = slack.wait_for("chat.postMessage")
"""
from __future__ import annotations

import base64
import hashlib
import json
import queue
import select
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from fakes.slack_requests import (block_actions_payload, event_body, post_action, post_command,  # noqa: F401 - API
                                  post_event, post_signed, sign, view_actions_payload)
from fakes.websocket import WS_GUID, ws_parse, ws_send


@dataclass
class Call:
    method: str  # "chat.postMessage", ..., or "response_url" for posts to a response_url
    params: dict  # query + form + JSON body, merged
    token: str | None  # the bearer token the caller used (None for response_url)
    path: str
    at: float = field(default_factory=time.monotonic)
    status: int = 200  # the HTTP status the fake answered (429 when rate-limited)


class FakeSlack:
    """Slack's Web API, response_url endpoints and a Socket Mode WebSocket, on 127.0.0.1."""

    def __init__(self, *, bot_token: str = "xoxb-fake-bot-token", app_token: str = "xapp-fake-app-token",
                 bot_user_id: str = "UBOT", bot_id: str = "BBOT", team_id: str = "T0001",
                 host: str = "127.0.0.1") -> None:
        self.bot_token, self.app_token = bot_token, app_token
        self.bot_user_id, self.bot_id, self.team_id = bot_user_id, bot_id, team_id
        self.calls: list[Call] = []
        self.messages: dict[str, list[dict]] = {}  # channel -> messages
        self.errors: dict[str, list[str]] = {}  # method -> errors to return on its next calls
        self.limits: dict[str, list[int]] = {}  # method -> Retry-After seconds of its next 429s
        self.views: dict[str, dict] = {}  # user id -> the Home tab view published for them
        self.socket_acks: list[dict] = []  # what the bot sent back over the WebSocket
        self._ws_out: queue.Queue = queue.Queue()
        self.ws_connected = threading.Event()
        self._last_ts = 0  # microseconds of the last ts handed out
        self._ts_lock = threading.Lock()
        self._cond = threading.Condition()
        self._server = _make_server(self, host)
        self._thread: threading.Thread | None = None

    # ---- lifecycle ----
    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        """The Web API base URL for WebClient(base_url=...) / SLACK_API_BASE_URL (ends with '/')."""
        return f"{self.url}/api/"

    def response_url(self, name: str | None = None) -> str:
        return f"{self.url}/response/{name or uuid.uuid4().hex[:8]}"

    def start(self) -> "FakeSlack":
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), name="fake-slack", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._ws_out.put(None)
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> "FakeSlack":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # ---- the channels ----
    def next_ts(self) -> str:
        """A fresh, increasing Slack timestamp: now, as Slack's are (a DM's history is read by time)."""
        with self._ts_lock:
            self._last_ts = max(self._last_ts + 1, int(time.time() * 1e6))
            return f"{self._last_ts // 1_000_000}.{self._last_ts % 1_000_000:06d}"

    def add_message(self, channel: str, text: str, *, user: str = "UALICE", ts: str | None = None,
                    thread_ts: str | None = None, **extra) -> dict:
        """Put a message into a channel as if someone had posted it; returns it (with its ts)."""
        msg = {"type": "message", "user": user, "text": text, "ts": ts or self.next_ts(), **extra}
        if thread_ts:
            msg["thread_ts"] = thread_ts
        with self._cond:
            self.messages.setdefault(channel, []).append(msg)
        return msg

    def fail(self, method: str, error: str = "internal_error", times: int = 1) -> None:
        """Make the next ``times`` calls of ``method`` answer {"ok": false, "error": error}."""
        with self._cond:
            self.errors.setdefault(method, []).extend([error] * times)

    def rate_limit(self, method: str, retry_after: int = 1, times: int = 1) -> None:
        """Make the next ``times`` calls of ``method`` answer HTTP 429 with ``Retry-After: retry_after``, as
        Slack does past a method's rate limit."""
        with self._cond:
            self.limits.setdefault(method, []).extend([retry_after] * times)

    def _limited(self, method: str) -> int | None:
        with self._cond:
            limits = self.limits.get(method)
            return limits.pop(0) if limits else None

    def delete_message(self, channel: str, ts: str) -> None:
        """Delete a message, as a user would (conversations.replies then no longer returns it)."""
        with self._cond:
            self.messages[channel] = [m for m in self.messages.get(channel, []) if m["ts"] != ts]

    def thread(self, channel: str, thread_ts: str) -> list[dict]:
        """The messages of a thread, parent first."""
        with self._cond:
            msgs = [dict(m) for m in self.messages.get(channel, []) if m["ts"] == thread_ts
                    or m.get("thread_ts") == thread_ts]
        return sorted(msgs, key=lambda m: float(m["ts"]))

    # ---- what was called ----
    def calls_to(self, method: str) -> list[Call]:
        with self._cond:
            return [c for c in self.calls if c.method == method]

    def wait_for(self, method: str, n: int = 1, timeout: float = 10.0) -> list[Call]:
        """Block until ``method`` has been called at least n times; returns those calls."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                got = [c for c in self.calls if c.method == method]
                if len(got) >= n:
                    return got
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = [c.method for c in self.calls]
                    raise AssertionError(f"{method} called {len(got)} times, expected {n}; calls so far: {seen}")
                self._cond.wait(left)

    def _record(self, call: Call) -> None:
        with self._cond:
            self.calls.append(call)
            self._cond.notify_all()

    # ---- the Web API ----
    def api(self, method: str, params: dict, token: str | None) -> dict:
        expected = self.app_token if method == "apps.connections.open" else self.bot_token
        if token != expected:
            return {"ok": False, "error": "invalid_auth" if token else "not_authed"}
        with self._cond:
            errors = self.errors.get(method)
            if errors:
                return {"ok": False, "error": errors.pop(0)}
        if method == "auth.test":
            return {"ok": True, "url": "https://fake.slack.test/", "team": "Fake", "user": "kbqa",
                    "team_id": self.team_id, "user_id": self.bot_user_id, "bot_id": self.bot_id}
        if method == "chat.postMessage":
            channel = params.get("channel", "")
            if not channel:
                return {"ok": False, "error": "channel_not_found"}
            if channel.startswith("U"):  # a user id: the app's DM with that user, as Slack does
                channel = "D" + channel[1:]
            msg = {"type": "message", "user": self.bot_user_id, "bot_id": self.bot_id, "text": params.get("text", ""),
                   "ts": self.next_ts()}
            self._set_blocks_and_metadata(msg, params)
            if params.get("thread_ts"):
                msg["thread_ts"] = str(params["thread_ts"])
            with self._cond:
                self.messages.setdefault(channel, []).append(msg)
            return {"ok": True, "channel": channel, "ts": msg["ts"], "message": msg}
        if method == "chat.update":  # edits the stored message, as Slack does (history then shows the new text)
            channel, ts = params.get("channel", ""), str(params.get("ts", ""))
            with self._cond:
                msg = self._find(channel, ts)
                if msg is None:
                    return {"ok": False, "error": "message_not_found"}
                if "text" in params:
                    msg["text"] = params.get("text") or ""
                self._set_blocks_and_metadata(msg, params)
                msg["edited"] = {"user": self.bot_user_id, "ts": self.next_ts()}
            return {"ok": True, "channel": channel, "ts": ts, "text": msg["text"], "message": dict(msg)}
        if method in ("chat.startStream", "chat.appendStream", "chat.stopStream"):
            return self._stream(method, params)
        if method in ("chat.postEphemeral", "reactions.add"):
            return {"ok": True, "channel": params.get("channel"), "ts": params.get("ts") or self.next_ts()}
        if method == "views.publish":
            view = params.get("view")
            view = json.loads(view) if isinstance(view, str) else view
            if not params.get("user_id") or not isinstance(view, dict) or view.get("type") != "home":
                return {"ok": False, "error": "invalid_arguments"}
            with self._cond:
                self.views[params["user_id"]] = view
            return {"ok": True, "view": {"id": "V" + uuid.uuid4().hex[:8].upper(), **view}}
        if method.startswith("assistant.threads."):
            if not params.get("channel_id") or not params.get("thread_ts"):
                return {"ok": False, "error": "invalid_arguments"}
            return {"ok": True}
        if method == "conversations.replies":
            channel, ts = params.get("channel", ""), str(params.get("ts", ""))
            oldest = float(params.get("oldest") or 0)
            msgs = self.thread(channel, ts)
            if not msgs:
                return {"ok": False, "error": "thread_not_found"}
            parent, replies = msgs[0], msgs[1:]
            if parent["ts"] == ts and replies:  # as Slack: the parent, always first, counts its replies
                parent.update(reply_count=len(replies), latest_reply=replies[-1]["ts"])
            if not _truthy(params.get("include_all_metadata")):
                for m in msgs:
                    m.pop("metadata", None)
            return {"ok": True, "messages": [parent] + [m for m in replies if float(m["ts"]) > oldest],
                    "has_more": False}
        if method == "conversations.history":
            channel = params.get("channel", "")
            oldest = float(params.get("oldest") or 0)
            latest = float(params.get("latest") or 1e12)
            inclusive = _truthy(params.get("inclusive"))
            limit = int(params.get("limit") or 100)
            with self._cond:
                msgs = [dict(m) for m in self.messages.get(channel, [])
                        if m.get("thread_ts", m["ts"]) == m["ts"]
                        and oldest <= float(m["ts"]) and (float(m["ts"]) < latest or
                                                          (inclusive and float(m["ts"]) == latest))]
            msgs = sorted(msgs, key=lambda m: float(m["ts"]), reverse=True)[:limit]  # newest first, as Slack
            return {"ok": True, "messages": msgs, "has_more": False}
        if method == "apps.connections.open":
            return {"ok": True, "url": f"ws://127.0.0.1:{self.port}/link/?ticket={uuid.uuid4().hex}"}
        return {"ok": False, "error": "unknown_method"}

    def _find(self, channel: str, ts: str) -> dict | None:
        return next((m for m in self.messages.get(channel, []) if m["ts"] == ts), None)

    @staticmethod
    def _set_blocks_and_metadata(msg: dict, params: dict) -> None:
        for key in ("blocks", "metadata"):
            value = params.get(key)
            if isinstance(value, str):
                value = json.loads(value)
            if value:
                msg[key] = value

    def _stream(self, method: str, params: dict) -> dict:
        """chat.startStream/appendStream/stopStream: a bot message that grows, then is final. As Slack, a
        stream in a channel needs its recipient, appending needs a stream that is still open."""
        channel = params.get("channel", "")
        chunks = params.get("chunks")
        chunks = json.loads(chunks) if isinstance(chunks, str) else (chunks or [])
        text = (params.get("markdown_text") or "") + "".join(
            c.get("text", "") for c in chunks if isinstance(c, dict) and c.get("type") == "markdown_text")
        with self._cond:
            if method == "chat.startStream":
                if not params.get("thread_ts"):
                    return {"ok": False, "error": "invalid_arguments"}
                if channel[:1] in ("C", "G") and not (params.get("recipient_user_id") and params.get("recipient_team_id")):
                    return {"ok": False, "error": "missing_recipient_user_id"}
                msg = {"type": "message", "user": self.bot_user_id, "bot_id": self.bot_id, "text": text,
                       "ts": self.next_ts(), "thread_ts": str(params["thread_ts"]), "streaming": True}
                self.messages.setdefault(channel, []).append(msg)
                return {"ok": True, "channel": channel, "ts": msg["ts"]}
            msg = self._find(channel, str(params.get("ts", "")))
            if msg is None:
                return {"ok": False, "error": "message_not_found"}
            if not msg.get("streaming"):
                return {"ok": False, "error": "message_not_in_streaming_state"}
            msg["text"] += text
            if method == "chat.stopStream":
                msg["streaming"] = False
                self._set_blocks_and_metadata(msg, params)
            return {"ok": True, "channel": channel, "ts": msg["ts"]}

    # ---- Socket Mode ----
    def socket_send(self, envelope: dict) -> None:
        """Push one envelope (events_api, slash_commands, interactive) to the connected bot."""
        self._ws_out.put(envelope)

    def socket_event(self, event: dict, *, event_id: str | None = None, retry_attempt: int = 0) -> str:
        envelope_id = uuid.uuid4().hex
        self.socket_send({"envelope_id": envelope_id, "type": "events_api", "accepts_response_payload": False,
                          "retry_attempt": retry_attempt, "retry_reason": "",
                          "payload": event_body(event, event_id=event_id, team_id=self.team_id)})
        return envelope_id

    def wait_for_ack(self, envelope_id: str, timeout: float = 10.0) -> dict:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for a in self.socket_acks:
                    if a.get("envelope_id") == envelope_id:
                        return a
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no Socket Mode ack for {envelope_id}")
                self._cond.wait(left)


def _make_server(slack: FakeSlack, host: str) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):  # quiet
            pass

        def _params(self) -> dict:
            path, _, query = self.path.partition("?")
            params = {k: v[-1] for k, v in urllib.parse.parse_qs(query, keep_blank_values=True).items()}
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            if raw and ctype == "application/json":
                params.update(json.loads(raw.decode("utf-8")))
            elif raw:
                params.update({k: v[-1] for k, v in urllib.parse.parse_qs(raw.decode("utf-8"),
                                                                          keep_blank_values=True).items()})
            return params

        def _reply(self, status: int, body, ctype: str = "application/json; charset=utf-8",
                   headers: dict | None = None) -> None:
            data = (body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)).encode("utf-8")
            self.send_response(status)
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _handle(self) -> None:
            path = self.path.partition("?")[0]
            if path.startswith("/link"):
                return self._websocket()
            params = self._params()
            if path.startswith("/api/"):
                method = path[len("/api/"):]
                auth = self.headers.get("Authorization") or ""
                token = auth[7:] if auth.startswith("Bearer ") else params.get("token")
                wait = slack._limited(method)
                if wait is not None:
                    slack._record(Call(method, params, token, path, status=429))
                    return self._reply(429, {"ok": False, "error": "ratelimited"}, headers={"Retry-After": str(wait)})
                result = slack.api(method, params, token)  # before recording: a waiter sees the result stored
                slack._record(Call(method, params, token, path))
                return self._reply(200, result)
            if path.startswith("/response/"):
                slack._record(Call("response_url", params, None, path))
                return self._reply(200, "ok", "text/plain; charset=utf-8")
            slack._record(Call("other", params, None, path, status=404))
            self._reply(404, {"ok": False, "error": "not_found"})

        do_GET = do_POST = _handle

        # -- a minimal RFC 6455 server: text frames out, masked frames in, ping/pong, close --
        def _websocket(self) -> None:
            key = self.headers.get("Sec-WebSocket-Key", "")
            accept = base64.b64encode(hashlib.sha1((key + WS_GUID).encode()).digest()).decode()
            self.wfile.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                              f"Sec-WebSocket-Accept: {accept}\r\n\r\n").encode())
            self.wfile.flush()
            self.close_connection = True
            sock = self.connection
            slack._record(Call("websocket.connect", {"path": self.path}, None, self.path))
            ws_send(sock, json.dumps({"type": "hello", "num_connections": 1,
                                       "connection_info": {"app_id": "A0001"},
                                       "debug_info": {"host": "fake", "approximate_connection_time": 3600}}))
            slack.ws_connected.set()
            buf = b""
            try:
                while True:
                    try:
                        out = slack._ws_out.get_nowait()
                    except queue.Empty:
                        out = False
                    if out is None:
                        break
                    if out:
                        ws_send(sock, json.dumps(out, ensure_ascii=False))
                    ready, _, _ = select.select([sock], [], [], 0.02)
                    if not ready:
                        continue
                    chunk = sock.recv(65536)
                    if not chunk:
                        break
                    buf += chunk
                    while True:
                        frame, buf = ws_parse(buf)
                        if frame is None:
                            break
                        opcode, payload = frame
                        if opcode == 0x8:
                            ws_send(sock, payload[:2], opcode=0x8)
                            return
                        if opcode == 0x9:
                            ws_send(sock, payload, opcode=0xA)
                        elif opcode == 0x1:
                            with slack._cond:
                                slack.socket_acks.append(json.loads(payload.decode("utf-8")))
                                slack._cond.notify_all()
            except OSError:
                pass
            finally:
                slack.ws_connected.clear()

    class Server(ThreadingHTTPServer):
        daemon_threads = True

    return Server((host, 0), Handler)


def _truthy(value) -> bool:
    return str(value).lower() in ("1", "true")
