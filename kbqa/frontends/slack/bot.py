"""The Slack bot: a thin slack-bolt adapter over ``engine.ask()``.

* ``app_mention`` in a channel -> the answer in the thread of the mention.
* A direct message -> the answer in the DM (top level; in the thread when the DM was a thread reply).
* A reply in a thread the bot has answered in -> a follow-up; the thread's earlier turns are the history.
* ``/kbqa 问题`` -> acknowledged at once, the answer posted through ``response_url``; ``/kbqa`` alone -> help.
* Every answer: Block Kit sections (mrkdwn), a context block with the citations, 👍/👎 buttons whose
  clicks land in the same feedback store as the web page (source="slack").
* LLM mode (KBQA_LLM_BASE_URL): a placeholder is posted at once and ``chat.update``-d as the answer grows,
  then replaced by the final, citation-checked answer with its blocks.

History comes from Slack itself (``conversations.replies`` for threads, ``conversations.history`` for the
last 30 minutes of a DM), not from process memory: it survives restarts and several bot processes.

Listeners run in a small thread pool after the HTTP request is acknowledged (``process_before_response``
stays False), so Slack's 3-second ack holds however long answering takes. Retried deliveries are answered
once: event ids and the (channel, ts) of every answered message are remembered for an hour.

Tokens and the signing secret are never logged: they live in the WebClient and the verifier only.
"""
from __future__ import annotations

import json
import logging
import re
import sys
import threading
import time
import uuid
from collections import OrderedDict

from kbqa.engine import KbqaError
from kbqa.frontends.slack.render import (COMMAND, FALLBACK_TEXT_MAX, escape as _escape, labels, question_text,
                                         render_answer, to_mrkdwn, truncate, usage_blocks, usage_text)

log = logging.getLogger("kbqa.slack")

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
FEEDBACK_ACTION = re.compile(r"^kbqa_feedback_(up|down)$")
DEFAULT_API_BASE_URL = "https://slack.com/api/"

MAX_BODY_BYTES = 1 << 20

DM_HISTORY_WINDOW_S = 30 * 60  # a DM's earlier turns count as history for this long
SEEN_TTL_S = 3600  # Slack retries for about an hour at most
STREAM_UPDATE_S = 0.5  # LLM mode: the growing answer is chat.update-d at most this often


# ---- small thread-safe memories ---------------------------------------------------------------
class Seen:
    """A bounded set with a time-to-live: ``claim(key)`` is True the first time a key is seen."""

    def __init__(self, maxsize: int = 10_000, ttl_s: float = SEEN_TTL_S) -> None:
        self.maxsize, self.ttl_s = maxsize, ttl_s
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def _expire(self, now: float) -> None:
        while self._items:
            key, t = next(iter(self._items.items()))
            if now - t <= self.ttl_s and len(self._items) <= self.maxsize:
                break
            self._items.popitem(last=False)

    def __contains__(self, key) -> bool:
        with self._lock:
            self._expire(time.monotonic())
            return key in self._items

    def claim(self, key) -> bool:
        with self._lock:
            now = time.monotonic()
            self._expire(now)
            if key in self._items:
                return False
            self._items[key] = now
            return True

    def discard(self, key) -> None:
        with self._lock:
            self._items.pop(key, None)


class Recent:
    """A bounded LRU mapping (answers shown with feedback buttons, keyed by answer id)."""

    def __init__(self, maxsize: int = 2000) -> None:
        self.maxsize = maxsize
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def put(self, key, value) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.maxsize:
                self._items.popitem(last=False)

    def get(self, key):
        with self._lock:
            return self._items.get(key)


# ---- the bot -----------------------------------------------------------------------------------
class SlackBot:
    """The state and the handlers behind one Bolt app."""

    def __init__(self, engine, store=None) -> None:
        self.engine = engine
        self._store = store
        self.events = Seen()  # event ids already handled (retries)
        self.messages = Seen()  # (channel, ts) already answered (app_mention + message for one post)
        self.answers = Recent()  # answer id -> {"question", "answer"} for feedback
        self.votes = Seen(maxsize=50_000, ttl_s=7 * 86400)  # (answer id, user, rating)
        self.threads = Seen(maxsize=50_000, ttl_s=7 * 86400)  # (channel, thread_ts) the bot answered in

    @property
    def store(self):
        if self._store is None:
            from kbqa.store.feedback import default_store

            self._store = default_store(self.engine.settings)
        return self._store

    # -- answering --
    def ask(self, question: str, history=None):
        """(Answer, None), or (None, a one-line warning) on a bad question or a failure."""
        try:
            return self.engine.ask(question, history=history or None), None
        except Exception as e:  # noqa: BLE001 - the user gets one line
            return None, _warning(e)

    def render(self, ans, question: str, show_question: bool = False) -> tuple[str, list[dict]]:
        answer_id = uuid.uuid4().hex[:16]
        self.answers.put(answer_id, {"question": question, "answer": ans.to_dict()})
        log.info("answered: status=%s topic=%s citations=%d %.0f ms", ans.status, ans.topic,
                 len(ans.citations), ans.timings.get("total_ms", 0.0))
        return render_answer(ans, question, answer_id=answer_id, show_question=show_question)

    def reply(self, client, channel: str, thread_ts: str | None, question: str, history=None) -> None:
        if getattr(self.engine, "answer_mode", "extractive") == "llm" and hasattr(self.engine, "ask_stream"):
            return self.reply_streaming(client, channel, thread_ts, question, history)
        ans, warning = self.ask(question, history)
        kwargs = {"channel": channel, "unfurl_links": False, "unfurl_media": False}
        if ans is None:
            kwargs["text"] = warning
        else:
            kwargs["text"], kwargs["blocks"] = self.render(ans, question)
        if thread_ts:
            kwargs["thread_ts"] = thread_ts
        try:
            client.chat_postMessage(**kwargs)
        except Exception as e:  # noqa: BLE001
            log.warning("chat.postMessage to %s failed: %s", channel, _api_error(e))
            return
        if thread_ts:
            self.threads.claim((channel, thread_ts))

    def reply_streaming(self, client, channel: str, thread_ts: str | None, question: str, history=None) -> None:
        """LLM mode: post a placeholder, chat.update it as the LLM writes (at most every STREAM_UPDATE_S),
        then replace it with the final, citation-checked answer and its blocks."""
        kwargs = {"channel": channel, "text": "…", "unfurl_links": False, "unfurl_media": False}
        if thread_ts:
            kwargs["thread_ts"] = thread_ts
        try:
            ts = client.chat_postMessage(**kwargs)["ts"]
        except Exception as e:  # noqa: BLE001
            log.warning("chat.postMessage to %s failed: %s", channel, _api_error(e))
            return
        if thread_ts:
            self.threads.claim((channel, thread_ts))
        ans, warning, text, last = None, None, "", time.monotonic()
        try:
            for item in self.engine.ask_stream(question, history=history or None):
                if not isinstance(item, str):
                    ans = item
                    continue
                text += item
                if time.monotonic() - last >= STREAM_UPDATE_S:
                    self._update(client, channel, ts, text=truncate(to_mrkdwn(text) + " ▍", FALLBACK_TEXT_MAX))
                    last = time.monotonic()
        except Exception as e:  # noqa: BLE001 - the user gets one line
            warning = _warning(e)
        if ans is None:
            self._update(client, channel, ts, text=warning or "⚠️ 内部错误，暂时无法回答，请稍后再试。")
        else:
            final_text, blocks = self.render(ans, question)
            self._update(client, channel, ts, text=final_text, blocks=blocks)

    def _update(self, client, channel: str, ts: str, **kwargs) -> None:
        try:
            client.chat_update(channel=channel, ts=ts, **kwargs)
        except Exception as e:  # noqa: BLE001
            log.warning("chat.update in %s failed: %s", channel, _api_error(e))

    def reply_help(self, client, channel: str, thread_ts: str | None) -> None:
        faq = self.engine.faq()
        kwargs = {"channel": channel, "text": usage_text(faq), "blocks": usage_blocks(faq)}
        if thread_ts:
            kwargs["thread_ts"] = thread_ts
        try:
            client.chat_postMessage(**kwargs)
        except Exception as e:  # noqa: BLE001
            log.warning("chat.postMessage to %s failed: %s", channel, _api_error(e))

    # -- history --
    def _turns(self, messages, current_ts: str, bot_user_id, bot_id) -> list[dict]:
        turns = []
        for m in sorted(messages, key=lambda m: float(m.get("ts", 0))):
            if float(m.get("ts", 0)) >= float(current_ts):
                continue
            if _is_bot_message(m, bot_user_id, bot_id):
                if m.get("user") == bot_user_id or (bot_id and m.get("bot_id") == bot_id):
                    turns.append({"role": "assistant", "content": m.get("text") or ""})
                continue
            q = question_text(m.get("text") or "", bot_user_id)
            if q:
                turns.append({"role": "user", "content": q})
        limit = 2 * int(getattr(self.engine.settings, "max_history_turns", 10))
        return turns[-limit:]

    def thread(self, client, channel: str, thread_ts: str, current_ts: str, context) -> tuple[list[dict], bool]:
        """(history, the bot has posted in this thread) from conversations.replies."""
        try:
            resp = client.conversations_replies(channel=channel, ts=thread_ts, limit=200)
            messages = resp.get("messages") or []
        except Exception as e:  # noqa: BLE001
            log.warning("conversations.replies failed: %s", _api_error(e))
            return [], False
        bot_user_id, bot_id = context.bot_user_id, context.bot_id
        mine = any((bot_user_id and m.get("user") == bot_user_id) or (bot_id and m.get("bot_id") == bot_id)
                   for m in messages)
        return self._turns(messages, current_ts, bot_user_id, bot_id), mine

    def dm_history(self, client, channel: str, current_ts: str, context) -> list[dict]:
        try:
            resp = client.conversations_history(channel=channel, latest=current_ts, inclusive=False,
                                                oldest=f"{float(current_ts) - DM_HISTORY_WINDOW_S:.6f}",
                                                limit=2 * int(self.engine.settings.max_history_turns))
            messages = resp.get("messages") or []
        except Exception as e:  # noqa: BLE001 - history is a nicety: answer without it
            log.warning("conversations.history failed: %s", _api_error(e))
            return []
        return self._turns(messages, current_ts, context.bot_user_id, context.bot_id)

    # -- listeners --
    def on_mention(self, event, context, client) -> None:
        channel, ts = event.get("channel", ""), event.get("ts", "")
        if _is_bot_message(event, context.bot_user_id, context.bot_id) or channel.startswith("D"):
            return  # DMs are handled by on_message
        if not self.messages.claim((channel, ts)):
            return
        question = question_text(event.get("text") or "", context.bot_user_id)
        thread_ts = event.get("thread_ts") or ts
        if not question:
            return self.reply_help(client, channel, thread_ts)
        history = []
        if event.get("thread_ts") and event["thread_ts"] != ts:
            history, _ = self.thread(client, channel, event["thread_ts"], ts, context)
        self.reply(client, channel, thread_ts, question, history)

    def on_message(self, event, context, client) -> None:
        if _is_bot_message(event, context.bot_user_id, context.bot_id):
            return
        if event.get("subtype") not in (None, "file_share", "thread_broadcast"):
            return  # edits, deletions, joins...
        channel, ts = event.get("channel", ""), event.get("ts", "")
        thread_ts = event.get("thread_ts")
        raw = event.get("text") or ""
        in_thread = bool(thread_ts and thread_ts != ts)
        if event.get("channel_type") == "im" or channel.startswith("D"):
            if not self.messages.claim((channel, ts)):
                return
            question = question_text(raw, context.bot_user_id)
            if not question:
                return
            if in_thread:
                history, _ = self.thread(client, channel, thread_ts, ts, context)
            else:
                history = self.dm_history(client, channel, ts, context)
            return self.reply(client, channel, thread_ts if in_thread else None, question, history)
        # A channel or group message: only replies in a thread the bot has answered in are for us.
        if not in_thread:
            return
        mentions = re.findall(r"<@([A-Z0-9]+)(?:\|[^>]*)?>", raw)
        if context.bot_user_id in mentions:
            return  # an app_mention event carries this one
        if mentions:
            return  # addressed to someone else in the thread
        if (channel, ts) in self.messages:
            return
        history, mine = self.thread(client, channel, thread_ts, ts, context)
        mine = mine or (channel, thread_ts) in self.threads  # e.g. conversations.replies failed
        if not mine or not self.messages.claim((channel, ts)):
            return
        question = question_text(raw, context.bot_user_id)
        if question:
            self.reply(client, channel, thread_ts, question, history)

    def on_command(self, ack, command, respond) -> None:
        question = question_text(command.get("text") or "")
        if not question or question.lower() in ("help", "-h", "--help", "帮助", "?", "？"):
            if self.engine.loaded:
                faq = self.engine.faq()
                return ack(text=usage_text(faq), blocks=usage_blocks(faq), response_type="ephemeral")
            ack()
            faq = self.engine.faq()
            return respond(text=usage_text(faq), blocks=usage_blocks(faq), response_type="ephemeral")
        ack(text=f"🔎 正在查找：{_escape(truncate(question, 200))}", response_type="ephemeral")
        ans, warning = self.ask(question)
        try:
            if ans is None:
                respond(text=warning, response_type="ephemeral", replace_original=False)
            else:
                text, blocks = self.render(ans, question, show_question=True)
                respond(text=text, blocks=blocks, response_type="in_channel", replace_original=False)
        except Exception as e:  # noqa: BLE001
            log.warning("response_url post failed: %s", _api_error(e))

    def on_feedback(self, ack, body, action, respond) -> None:
        ack()
        rating = 1 if action.get("action_id", "").endswith("_up") else -1
        try:
            meta = json.loads(action.get("value") or "{}")
            if not isinstance(meta, dict):
                raise ValueError
        except ValueError:
            log.warning("feedback click with an unreadable value; ignored")
            return
        user = (body.get("user") or {}).get("id", "")
        words = labels()
        if not self.votes.claim((meta.get("id"), user, rating)):
            respond(text=words["again"], response_type="ephemeral", replace_original=False)
            return
        cached = self.answers.get(meta.get("id"))
        if cached:
            question, answer = cached["question"], cached["answer"]
        else:  # answered by an earlier process: what the button and the message still carry
            question = meta.get("q", "")
            answer = {"status": meta.get("s"), "topic": meta.get("t"),
                      "answer": (body.get("message") or {}).get("text", ""),
                      "citations": [{"topic": t, "expert": e} for t, e in meta.get("c", [])]}
        channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
        try:
            self.store.add_vote("slack", rating, question, answer, user=user,
                                team=(body.get("team") or {}).get("id"), channel=channel,
                                message_ts=(body.get("container") or {}).get("message_ts"),
                                answer_id=meta.get("id"))
        except Exception as e:  # noqa: BLE001
            log.warning("storing feedback failed: %s", type(e).__name__)
            self.votes.discard((meta.get("id"), user, rating))
            respond(text="⚠️ 反馈没有保存成功，请稍后再试。", response_type="ephemeral", replace_original=False)
            return
        log.info("feedback stored: rating=%+d", rating)
        respond(text=words["thanks_up" if rating > 0 else "thanks_down"], response_type="ephemeral",
                replace_original=False)

    def dedupe(self, req, body, next):
        """Global middleware: one answer per event, whatever Slack's retries (X-Slack-Retry-Num) do."""
        from slack_bolt.response import BoltResponse

        event_id = body.get("event_id") if isinstance(body, dict) else None
        if event_id and not self.events.claim(event_id):
            retry = (req.headers.get("x-slack-retry-num") or ["?"])[0]
            log.info("skipped a repeated delivery of %s (retry %s)", event_id, retry)
            return BoltResponse(status=200, body="")
        return next()


def _warning(e: Exception) -> str:
    """The one line a user sees when answering failed."""
    from kbqa.errors import user_text

    return user_text(e)


def _is_bot_message(m: dict, bot_user_id=None, bot_id=None) -> bool:
    return bool(m.get("bot_id") or m.get("subtype") == "bot_message" or m.get("bot_profile")
                or (bot_user_id and m.get("user") == bot_user_id))


def _api_error(e: Exception) -> str:
    resp = getattr(e, "response", None)
    try:
        if resp is not None and resp.get("error"):
            return str(resp.get("error"))
    except Exception:  # noqa: BLE001
        pass
    return type(e).__name__


def normalise_base_url(url: str | None) -> str:
    url = (url or "").strip() or DEFAULT_API_BASE_URL
    return url if url.endswith("/") else url + "/"


def create_bolt_app(engine, *, bot_token: str, signing_secret: str | None, api_base_url: str | None = None,
                    store=None, socket_mode: bool = False, verify_token: bool = False):
    """A slack_bolt.App answering with ``engine``. Cheap: no network call unless ``verify_token``
    (then auth.test runs now; otherwise on the first request). ``signing_secret`` may be empty only
    for Socket Mode, where Slack does not sign requests."""
    from concurrent.futures import ThreadPoolExecutor

    from slack_bolt import App
    from slack_sdk import WebClient

    if not bot_token:
        raise KbqaError("SLACK_BOT_TOKEN is not set (the xoxb- bot token; see docs/slack.md)")
    if not signing_secret and not socket_mode:
        raise KbqaError("SLACK_SIGNING_SECRET is not set (Basic Information > App Credentials; see docs/slack.md)")
    client = WebClient(token=bot_token, base_url=normalise_base_url(api_base_url), timeout=15)
    bolt_log = logging.getLogger("slack_bolt.App")
    if not any(isinstance(f, _DropClientTokenWarning) for f in bolt_log.filters):
        bolt_log.addFilter(_DropClientTokenWarning())
    bot = SlackBot(engine, store)
    # name: not "kbqa" - Bolt resets the logger of that name to the root's level
    app = App(client=client, signing_secret=signing_secret or "", name="kbqa-slack",
              request_verification_enabled=bool(signing_secret), token_verification_enabled=verify_token,
              process_before_response=False,
              listener_executor=ThreadPoolExecutor(max_workers=4, thread_name_prefix="kbqa-slack"))
    app.middleware(bot.dedupe)
    app.event("app_mention")(bot.on_mention)
    app.event("message")(bot.on_message)
    app.command(COMMAND)(bot.on_command)
    app.action(FEEDBACK_ACTION)(bot.on_feedback)
    app.kbqa_bot = bot  # for serve_http's checks and for tests
    app.kbqa_signed = bool(signing_secret)
    return app


# ---- serving ------------------------------------------------------------------------------------
def make_http_server(app, host: str = "127.0.0.1", port: int = 3000):
    """A threaded HTTP server passing POST /slack/events to the Bolt app (events, the slash command and
    interactivity share the path); GET /healthz answers 200. Not started: call serve_forever()."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from slack_bolt.request import BoltRequest

    if not getattr(app, "kbqa_signed", True):
        raise KbqaError("refusing to serve HTTP without SLACK_SIGNING_SECRET: requests could not be verified")

    class Handler(BaseHTTPRequestHandler):
        server_version = "kbqa-slack"
        sys_version = ""
        timeout = 15

        def log_message(self, fmt, *args):  # the request line only, at debug level; never headers
            log.debug("%s %s", self.address_string(), fmt % args)

        def _send(self, status: int, body, headers=None) -> None:
            data = (body if isinstance(body, str) else json.dumps(body)).encode("utf-8")
            self.send_response(status)
            has_type = False
            for k, vs in (headers or {}).items():
                if k.lower() == "content-length":
                    continue
                has_type |= k.lower() == "content-type"
                for v in vs if isinstance(vs, (list, tuple)) else [vs]:
                    self.send_header(k, v)
            if not has_type:
                self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            path = self.path.partition("?")[0]
            if path == HEALTH_PATH:
                return self._send(200, {"ok": True}, {"Content-Type": "application/json"})
            if path == EVENTS_PATH:
                return self._send(405, "POST Slack events here\n", {"Allow": "POST"})
            return self._send(404, "not found\n")

        def do_POST(self):
            path, _, query = self.path.partition("?")
            if path != EVENTS_PATH:
                return self._send(404, "not found\n")
            try:
                length = int(self.headers.get("Content-Length") or 0)
            except ValueError:
                return self._send(400, "bad Content-Length\n")
            if length < 0 or length > MAX_BODY_BYTES:
                return self._send(413, "request too large\n")
            raw = self.rfile.read(length)
            try:
                body = raw.decode("utf-8")
            except UnicodeDecodeError:
                return self._send(400, "body is not UTF-8\n")
            headers: dict[str, list[str]] = {}
            for k, v in self.headers.items():
                headers.setdefault(k.lower(), []).append(v)
            try:
                resp = app.dispatch(BoltRequest(body=body, query=query, headers=headers))
            except Exception as e:  # noqa: BLE001
                log.exception("dispatch failed: %s", type(e).__name__)
                return self._send(500, "internal error\n")
            if resp.status == 401:
                log.warning("rejected a request: bad signature or a timestamp over 5 minutes off "
                            "(is SLACK_SIGNING_SECRET right?)")
            self._send(resp.status, resp.body or "", resp.headers)

    class Server(ThreadingHTTPServer):
        daemon_threads = True
        allow_reuse_address = True

    return Server((host, port), Handler)


def serve_http(app, host: str = "127.0.0.1", port: int = 3000) -> None:
    """Serve the Events API, the slash command and interactivity at http://host:port/slack/events."""
    server = make_http_server(app, host, port)
    h, p = server.server_address[:2]
    print(f"kbqa slack: listening on http://{h}:{p}{EVENTS_PATH} (Ctrl-C to stop)", file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()


def start_socket_mode(app, app_token: str):
    """Connect to Slack over Socket Mode (apps.connections.open, then a WebSocket); returns the handler,
    already connected: call handler.close() to stop."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    if not app_token:
        raise KbqaError("SLACK_APP_TOKEN is not set (an xapp- app-level token with connections:write; "
                        "see docs/slack.md)")
    handler = SocketModeHandler(app, app_token)
    try:
        handler.connect()
    except Exception as e:  # noqa: BLE001
        try:
            handler.close()
        except Exception:  # noqa: BLE001
            pass
        raise KbqaError(f"Socket Mode connection failed: {_api_error(e)} (check SLACK_APP_TOKEN)") from None
    return handler


def run_cli(args) -> int:
    """`kbqa slack --port P [--host H] [--socket]`; configuration from SLACK_* environment variables."""
    from kbqa.engine import Engine
    from kbqa.settings import Settings

    socket_mode = bool(getattr(args, "socket", False))
    settings = Settings.from_env()
    bot_token, secret, app_token = settings.slack_bot_token, settings.slack_signing_secret, settings.slack_app_token
    if not bot_token:
        raise KbqaError("SLACK_BOT_TOKEN is not set (the xoxb- bot token; see docs/slack.md)")
    if bot_token.startswith("xapp-"):
        raise KbqaError("SLACK_BOT_TOKEN holds an app-level token (xapp-); it needs the bot token (xoxb-)")
    if socket_mode and not app_token:
        raise KbqaError("SLACK_APP_TOKEN is not set (an xapp- app-level token with connections:write; "
                        "needed for --socket)")
    if socket_mode and not app_token.startswith("xapp-"):
        raise KbqaError("SLACK_APP_TOKEN must be an app-level token (xapp-…)")
    if not socket_mode and not secret:
        raise KbqaError("SLACK_SIGNING_SECRET is not set (Basic Information > App Credentials; see docs/slack.md)")
    _configure_logging(settings.debug)
    engine = Engine(settings, progress=True)
    print("kbqa slack: loading the knowledge base…", file=sys.stderr, flush=True)
    engine.load()
    base = settings.slack_api_base_url or None
    sdk_log = logging.getLogger("slack_sdk")
    level = sdk_log.level
    sdk_log.setLevel(logging.CRITICAL)  # the failure is reported below, in one line
    try:
        app = create_bolt_app(engine, bot_token=bot_token, signing_secret=secret or None, api_base_url=base,
                              socket_mode=socket_mode, verify_token=True)
    except KbqaError:
        raise
    except Exception as e:  # noqa: BLE001 - auth.test failed: say why in one line, never the token
        raise KbqaError(_auth_error(e, normalise_base_url(base))) from None
    finally:
        sdk_log.setLevel(level)
    if socket_mode:
        handler = start_socket_mode(app, app_token)
        print("kbqa slack: connected over Socket Mode (Ctrl-C to stop)", file=sys.stderr, flush=True)
        try:
            threading.Event().wait()
        finally:
            handler.close()
        return 0
    serve_http(app, args.host or "127.0.0.1", int(args.port))
    return 0


def _auth_error(e: Exception, base: str) -> str:
    msg = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
    m = re.search(r"'error': '([^']+)'", msg)
    if m:
        return f"Slack rejected SLACK_BOT_TOKEN (auth.test: {m.group(1)})"
    reason = getattr(e, "reason", None) or msg[:200]
    return f"cannot reach the Slack Web API at {base} ({reason}); check SLACK_API_BASE_URL and the network"


class _DropClientTokenWarning(logging.Filter):
    """slack-bolt warns that the token is unused when SLACK_BOT_TOKEN is set and a client is given:
    that is exactly the intended set-up (the client carries the token and the base URL)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


def _configure_logging(debug: bool) -> None:
    """kbqa's own lines at INFO on stderr; libraries keep their defaults (warnings and up) unless KBQA_DEBUG."""
    if debug:
        logging.basicConfig(level=logging.DEBUG, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        return
    ours = logging.getLogger("kbqa")
    if not ours.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        ours.addHandler(handler)
        ours.setLevel(logging.INFO)
        ours.propagate = False
