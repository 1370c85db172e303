"""Starting the Slack bot: the credentials checked once, the slack-bolt App built around a SlackBot, and
served either over HTTP (``serve.py``: ``/slack/events`` on uvicorn) or over Socket Mode (bolt's
``SocketModeHandler``). ``kbqa slack`` is ``run_cli``.

Bolt acknowledges every request at once and runs the listeners in a small pool afterwards
(``process_before_response=False``), so Slack's 3-second ack holds however long answering takes. The Web API
client honours 429 Retry-After on every call (slack_sdk's ``RateLimitErrorRetryHandler``); a streaming
answer's intermediate edits use a sibling client that does not wait (see stream.py).

Tokens and the signing secret are never logged: they live in the WebClient and bolt's verifier only.
"""
from __future__ import annotations

import logging
import re
import sys
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kbqa.errors import KbqaError
from kbqa.frontends.slack.handlers import SlackBot, api_error
from kbqa.frontends.slack.serve import (EVENTS_PATH, HEALTH_PATH, HttpServer, asgi_app, make_http_server,
                                        serve_http)

if TYPE_CHECKING:
    from slack_bolt import App

    from kbqa.frontends.slack import recording

__all__ = ["EVENTS_PATH", "HEALTH_PATH", "HttpServer", "SlackApp", "asgi_app", "check_credentials", "create_app",
           "make_http_server", "run_cli", "serve_http", "start_socket_mode"]

log = logging.getLogger("kbqa.slack")

DEFAULT_API_BASE_URL = "https://slack.com/api/"
LISTENER_THREADS = 4  # questions answered at once; the engine is CPU-bound, so more would only queue
RATE_LIMIT_RETRIES = 2  # a 429 is retried this often, each after its Retry-After


# ---- credentials -------------------------------------------------------------------------------
def check_credentials(bot_token: str, signing_secret: str | None = "", app_token: str | None = None, *,
                      socket_mode: bool = False) -> None:
    """Every start-up check of the Slack credentials, as one actionable line (KbqaError). ``app_token``
    None: not known here (it is checked when Socket Mode connects)."""
    if not bot_token:
        raise KbqaError("SLACK_BOT_TOKEN is not set (the xoxb- bot token; see docs/slack.md)")
    if bot_token.startswith("xapp-"):
        raise KbqaError("SLACK_BOT_TOKEN holds an app-level token (xapp-); it needs the bot token (xoxb-)")
    if socket_mode and app_token is not None:
        check_app_token(app_token)
    if not socket_mode and not signing_secret:
        raise KbqaError("SLACK_SIGNING_SECRET is not set (Basic Information > App Credentials; see docs/slack.md)")


def check_app_token(app_token: str) -> None:
    if not app_token:
        raise KbqaError("SLACK_APP_TOKEN is not set (an xapp- app-level token with connections:write; "
                        "needed for --socket; see docs/slack.md)")
    if not app_token.startswith("xapp-"):
        raise KbqaError("SLACK_APP_TOKEN must be an app-level token (xapp-…)")


def normalise_base_url(url: str | None) -> str:
    url = (url or "").strip() or DEFAULT_API_BASE_URL
    return url if url.endswith("/") else url + "/"


# ---- the Bolt app ------------------------------------------------------------------------------
@dataclass(frozen=True)
class SlackApp:
    """A slack_bolt App with its SlackBot. ``verifies_requests`` is False only for Socket Mode, where Slack
    does not sign requests: such an app must never be served over HTTP."""

    bolt: App
    bot: SlackBot
    verifies_requests: bool
    listeners: "recording.ContextExecutor | None" = None

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Every listener started so far has finished (False on timeout): what a request set off is done."""
        return self.listeners is None or self.listeners.wait_idle(timeout)


def create_app(engine, *, bot_token: str, signing_secret: str | None, api_base_url: str | None = None,
               store=None, socket_mode: bool = False, verify_token: bool = False, claims=None) -> SlackApp:
    """The bot answering with ``engine``. Cheap: no network call unless ``verify_token`` (then auth.test
    runs now; otherwise on the first request). ``claims`` (kbqa.store.dedupe.Claims): the bot's memories of what
    it has handled are shared with every other bot process on the same database."""
    from slack_bolt import App
    from slack_sdk import WebClient
    from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler

    from kbqa.frontends.slack import recording

    check_credentials(bot_token, signing_secret, socket_mode=socket_mode)
    client = WebClient(token=bot_token, base_url=normalise_base_url(api_base_url), timeout=15,
                       retry_handlers=[ConnectionErrorRetryHandler(),
                                       RateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES)])
    bolt_log = logging.getLogger("slack_bolt.App")
    if not any(isinstance(f, _DropClientTokenWarning) for f in bolt_log.filters):
        bolt_log.addFilter(_DropClientTokenWarning())
    bot = SlackBot(engine, store)
    if claims is not None:
        recording.shared_memories(bot, claims)
    # name: not "kbqa" - Bolt resets the logger of that name to the root's level
    listeners = recording.ContextExecutor(max_workers=LISTENER_THREADS, thread_name_prefix="kbqa-slack")
    bolt = App(client=client, signing_secret=signing_secret or "", name="kbqa-slack",
               request_verification_enabled=bool(signing_secret), token_verification_enabled=verify_token,
               process_before_response=False, listener_executor=listeners)
    bolt.middleware(recording.bolt_identify)
    bot.register(bolt)
    return SlackApp(bolt=bolt, bot=bot, verifies_requests=bool(signing_secret), listeners=listeners)


# ---- Socket Mode -------------------------------------------------------------------------------
def start_socket_mode(app: SlackApp, app_token: str):
    """Connect to Slack over Socket Mode (apps.connections.open, then a WebSocket); returns the handler,
    already connected: call handler.close() to stop."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    check_app_token(app_token)
    handler = SocketModeHandler(app.bolt, app_token)
    try:
        handler.connect()
    except Exception as e:  # noqa: BLE001
        try:
            handler.close()
        except Exception:  # noqa: BLE001
            pass
        raise KbqaError(f"Socket Mode connection failed: {api_error(e)} (check SLACK_APP_TOKEN)") from None
    return handler


# ---- the command -------------------------------------------------------------------------------
def run_cli(args) -> int:
    """`kbqa slack --port P [--host H] [--socket]`; the credentials come from Settings (SLACK_* variables)."""
    from kbqa.engine import Engine
    from kbqa.ops import logs
    from kbqa.settings import Settings
    from kbqa.store import open_store

    socket_mode = bool(args.socket)
    settings = Settings.from_env()
    check_credentials(settings.slack_bot_token, settings.slack_signing_secret, settings.slack_app_token,
                      socket_mode=socket_mode)  # before the slow part: a missing token fails at once
    logs.configure(settings)
    state = open_store(settings)
    state.prepare()  # a database behind its schema stops here, in one line
    engine = Engine(settings, progress=True)
    print("kbqa slack: loading the knowledge base…", file=sys.stderr, flush=True)
    engine.load()
    engine.ask("容器")  # the model loads on the first question: before /healthz says ready, not on a user's time
    engine = state.recorded(engine, "slack")  # every answer goes to the question log (the warm-up is not)
    base = settings.slack_api_base_url or None
    sdk_log = logging.getLogger("slack_sdk")
    level = sdk_log.level
    sdk_log.setLevel(logging.CRITICAL)  # the failure is reported below, in one line
    try:
        app = create_app(engine, bot_token=settings.slack_bot_token, signing_secret=settings.slack_signing_secret,
                         api_base_url=base, socket_mode=socket_mode, verify_token=True, store=state.feedback,
                         claims=state.claims)
    except KbqaError:
        raise
    except Exception as e:  # noqa: BLE001 - auth.test failed: say why in one line, never the token
        raise KbqaError(_auth_error(e, normalise_base_url(base))) from None
    finally:
        sdk_log.setLevel(level)
    if socket_mode:
        handler = start_socket_mode(app, settings.slack_app_token)
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
