"""Starting the Slack bot: the credentials checked once, the slack-bolt App built around a SlackBot, and
served either over HTTP (``/slack/events`` on uvicorn, with the request/response conversions of bolt's
Starlette adapter) or over Socket Mode (bolt's ``SocketModeHandler``). ``kbqa slack`` is ``run_cli``.

HTTP: every request to ``/slack/events`` must be signed by Slack (bolt checks the HMAC and the 5-minute
timestamp window, else 401). The body is read without a thread, within ``BODY_TIMEOUT_S`` and at most
``MAX_BODY_BYTES`` (else 408 / 413), must be UTF-8 (else 400), and is then dispatched to bolt in a worker
thread. Bolt acknowledges at once and runs the listeners in a small pool afterwards
(``process_before_response=False``), so Slack's 3-second ack holds however long answering takes.

Tokens and the signing secret are never logged: they live in the WebClient and bolt's verifier only.
"""
from __future__ import annotations

import asyncio
import logging
import re
import socket
import sys
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kbqa.errors import KbqaError
from kbqa.frontends.slack.handlers import SlackBot, api_error

if TYPE_CHECKING:
    from slack_bolt import App

log = logging.getLogger("kbqa.slack")

EVENTS_PATH = "/slack/events"  # events, the slash command and interactivity share it
HEALTH_PATH = "/healthz"
METRICS_PATH = "/metrics"
DEFAULT_API_BASE_URL = "https://slack.com/api/"

MAX_BODY_BYTES = 1 << 20  # Slack's payloads are a few KiB; a larger body is refused unread (413)
BODY_TIMEOUT_S = 15.0  # a client that stalls mid-body is dropped (408); it holds no thread meanwhile
# Requests and connections uvicorn serves at once; past it new ones get 503 (and Slack retries). Each
# request holds a worker thread only while bolt verifies and acknowledges it: milliseconds.
HTTP_CONCURRENCY = 32
LISTENER_THREADS = 4  # questions answered at once; the engine is CPU-bound, so more would only queue


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


def create_app(engine, *, bot_token: str, signing_secret: str | None, api_base_url: str | None = None,
               store=None, socket_mode: bool = False, verify_token: bool = False, claims=None) -> SlackApp:
    """The bot answering with ``engine``. Cheap: no network call unless ``verify_token`` (then auth.test
    runs now; otherwise on the first request). ``claims`` (kbqa.store.dedupe.Claims): the bot's memories of what
    it has handled are shared with every other bot process on the same database."""
    from slack_bolt import App
    from slack_sdk import WebClient

    from kbqa.frontends.slack import recording

    check_credentials(bot_token, signing_secret, socket_mode=socket_mode)
    client = WebClient(token=bot_token, base_url=normalise_base_url(api_base_url), timeout=15)
    bolt_log = logging.getLogger("slack_bolt.App")
    if not any(isinstance(f, _DropClientTokenWarning) for f in bolt_log.filters):
        bolt_log.addFilter(_DropClientTokenWarning())
    bot = SlackBot(engine, store)
    if claims is not None:
        recording.shared_memories(bot, claims)
    # name: not "kbqa" - Bolt resets the logger of that name to the root's level
    bolt = App(client=client, signing_secret=signing_secret or "", name="kbqa-slack",
               request_verification_enabled=bool(signing_secret), token_verification_enabled=verify_token,
               process_before_response=False,
               listener_executor=recording.ContextExecutor(max_workers=LISTENER_THREADS,
                                                           thread_name_prefix="kbqa-slack"))
    bolt.middleware(recording.bolt_identify)
    bot.register(bolt)
    return SlackApp(bolt=bolt, bot=bot, verifies_requests=bool(signing_secret))


# ---- HTTP --------------------------------------------------------------------------------------
_ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]  # all but POST get a helpful 405


class _TooLarge(Exception):
    pass


async def _body(request) -> bytes:
    """The raw body, refused (_TooLarge) as soon as it is known to pass MAX_BODY_BYTES."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise _TooLarge
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise _TooLarge
    return bytes(body)


def asgi_app(app: SlackApp):
    """A Starlette app: POST /slack/events -> bolt (through bolt's Starlette adapter), GET /healthz -> 200."""
    from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
    from starlette.applications import Starlette
    from starlette.concurrency import run_in_threadpool
    from starlette.requests import ClientDisconnect
    from starlette.responses import JSONResponse, PlainTextResponse
    from starlette.routing import Route

    if not app.verifies_requests:
        raise KbqaError("refusing to serve HTTP without SLACK_SIGNING_SECRET: requests could not be verified")

    def refuse(status: int, text: str, why: str = "", **headers) -> PlainTextResponse:
        if why:
            log.warning("rejected a request: %s", why)
        return PlainTextResponse(text + "\n", status_code=status, headers=headers or None)

    async def events(request):
        if request.method != "POST":
            return refuse(405, "POST Slack events here", Allow="POST")
        try:
            body = await asyncio.wait_for(_body(request), BODY_TIMEOUT_S)
        except _TooLarge:
            return refuse(413, "request too large", f"body over {MAX_BODY_BYTES} bytes")
        except asyncio.TimeoutError:
            return refuse(408, "request body too slow", f"body not received within {BODY_TIMEOUT_S:g} s")
        except ClientDisconnect:
            return refuse(400, "client disconnected")
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:
            return refuse(400, "body is not UTF-8", "body is not UTF-8")
        try:
            # The adapter's conversions, not its SlackRequestHandler.handle: that calls the blocking dispatch
            # (signature check, auth.test on the first request, waiting for a listener's ack) on the event
            # loop, where it would stall every other connection.
            resp = await run_in_threadpool(app.bolt.dispatch, to_bolt_request(request, body))
        except Exception as e:  # noqa: BLE001
            log.exception("dispatch failed: %s", type(e).__name__)
            return refuse(500, "internal error")
        if resp.status == 401:
            log.warning("rejected a request: bad signature or a timestamp over 5 minutes off "
                        "(is SLACK_SIGNING_SECRET right?)")
        return to_starlette_response(resp)

    async def healthz(request):
        return JSONResponse({"ok": True})

    from kbqa.ops.metrics import Describe

    describe = Describe(app.bot.engine)

    async def metrics(request):
        from starlette.responses import Response

        from kbqa.ops import metrics as m

        describe()
        body, ctype = await run_in_threadpool(m.render)
        return Response(body, media_type=ctype)

    return Starlette(routes=[Route(EVENTS_PATH, events, methods=_ALL_METHODS),
                             Route(HEALTH_PATH, healthz, methods=["GET"]),
                             Route(METRICS_PATH, metrics, methods=["GET"])])


class HttpServer:
    """uvicorn serving ``asgi_app(app)`` on a socket bound at construction, so that port 0 gets a free port
    whose URL can be told before serving starts."""

    def __init__(self, app: SlackApp, host: str, port: int) -> None:
        import uvicorn

        config = uvicorn.Config(asgi_app(app), limit_concurrency=HTTP_CONCURRENCY, timeout_keep_alive=5,
                                timeout_graceful_shutdown=5, access_log=False, server_header=False,
                                log_config=None, log_level="warning")
        self.server = uvicorn.Server(config)
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.socket = socket.create_server((host, port), family=family)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.socket.getsockname()[:2]
        return f"http://{f'[{host}]' if ':' in host else host}:{port}{EVENTS_PATH}"

    def serve(self) -> None:
        """Serve until SIGINT/SIGTERM (in the main thread) or stop()."""
        try:
            self.server.run(sockets=[self.socket])
        finally:
            self.socket.close()

    def start(self, timeout_s: float = 30.0) -> HttpServer:
        """Serve in a daemon thread; returns once requests are accepted."""
        self._thread = threading.Thread(target=self.serve, name="kbqa-slack-http", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout_s
        while not self.server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise KbqaError("the Slack HTTP server did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        if self._thread:
            self._thread.join(10)


def make_http_server(app: SlackApp, host: str = "127.0.0.1", port: int = 3000) -> HttpServer:
    """The HTTP server for /slack/events, bound but not serving: call serve() or start()."""
    return HttpServer(app, host, port)


def serve_http(app: SlackApp, host: str = "127.0.0.1", port: int = 3000) -> None:
    """Serve the Events API, the slash command and interactivity at http://host:port/slack/events."""
    server = make_http_server(app, host, port)
    print(f"kbqa slack: listening on {server.url} (Ctrl-C to stop)", file=sys.stderr, flush=True)
    server.serve()


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
