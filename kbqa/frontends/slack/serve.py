"""Serving the Slack bot over HTTP: ``/slack/events`` on uvicorn, with the request/response conversions of
slack-bolt's Starlette adapter, and ``/healthz``.

Everything a stranger can send is bounded before bolt checks the signature (issue 19, point 6):

* a request's headers must arrive within ``HEADER_TIMEOUT_S`` of the connection (or of the previous response
  on a kept-alive one), else the connection is closed: uvicorn alone keeps a silent connection open forever,
  and ``HTTP_CONCURRENCY`` such connections would make every real request a 503;
* the body within ``BODY_TIMEOUT_S`` (408) and at most ``MAX_BODY_BYTES`` (413, refused unread when the
  declared length says so), and UTF-8 (400);
* at most ``HTTP_CONCURRENCY`` connections and requests at once; past that uvicorn answers 503 at once (Slack
  retries). A waiting connection holds no thread, only a socket: the threads are the small pool that runs
  bolt's ``dispatch`` (signature check, ack) for milliseconds per request;
* a flood of bad requests writes one WARNING line per reason a minute, with the count of the others.
"""
from __future__ import annotations

import asyncio
import logging
import socket
import sys
import threading
import time

from kbqa.errors import KbqaError

log = logging.getLogger("kbqa.slack")

EVENTS_PATH = "/slack/events"  # events, the slash command and interactivity share it
HEALTH_PATH = "/healthz"
METRICS_PATH = "/metrics"

MAX_BODY_BYTES = 256 * 1024  # Slack's payloads are a few KiB (a message is at most 40k characters)
BODY_TIMEOUT_S = 10.0  # Slack sends a body at once; a client that stalls mid-body is dropped (408)
HEADER_TIMEOUT_S = 10.0  # likewise for the request line and headers (the connection is closed)
HTTP_CONCURRENCY = 32  # connections and requests served at once; past it, 503
WARN_EVERY_S = 60.0  # one WARNING line per kind of rejection this often; the others are counted

_ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]  # all but POST get a helpful 405


class Warnings:
    """Rate-limited WARNING lines: the first of a kind is logged, the next ones within ``WARN_EVERY_S`` are only
    counted, and the count rides on the next line of that kind. Thread-safe."""

    def __init__(self, every_s: float | None = None) -> None:
        self.every_s = WARN_EVERY_S if every_s is None else every_s
        self._last: dict[str, tuple[float, int]] = {}
        self._lock = threading.Lock()

    def allow(self, kind: str) -> int | None:
        """None: stay quiet; else log now, and this many were suppressed since the last line."""
        now = time.monotonic()
        with self._lock:
            last, quiet = self._last.get(kind, (None, 0))
            if last is not None and now - last < self.every_s:
                self._last[kind] = (last, quiet + 1)
                return None
            self._last[kind] = (now, 0)
            return quiet

    def warn(self, kind: str, message: str) -> None:
        quiet = self.allow(kind)
        if quiet is not None:
            more = f" (and {quiet} more like it in the last {self.every_s:g} s)" if quiet else ""
            log.warning("rejected a request: %s%s", message, more)


class _QuietConcurrencyWarnings(logging.Filter):
    """uvicorn logs every 503 past ``limit_concurrency``; under a flood that is one line per request."""

    def __init__(self) -> None:
        super().__init__()
        self.limiter = Warnings()

    def filter(self, record: logging.LogRecord) -> bool:
        if record.getMessage() != "Exceeded concurrency limit.":
            return True
        return self.limiter.allow("uvicorn-503") is not None


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


def asgi_app(app):
    """A Starlette app: POST /slack/events -> bolt (through bolt's Starlette adapter), GET /healthz -> 200."""
    from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
    from starlette.applications import Starlette
    from starlette.concurrency import run_in_threadpool
    from starlette.requests import ClientDisconnect
    from starlette.responses import JSONResponse, PlainTextResponse
    from starlette.routing import Route

    if not app.verifies_requests:
        raise KbqaError("refusing to serve HTTP without SLACK_SIGNING_SECRET: requests could not be verified")
    warnings = Warnings()

    def refuse(status: int, text: str, why: str = "", **headers) -> PlainTextResponse:
        if why:
            warnings.warn(str(status), why)
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
            warnings.warn("401", "bad signature or a timestamp over 5 minutes off (is SLACK_SIGNING_SECRET right?)")
        return to_starlette_response(resp)

    async def healthz(request):
        return JSONResponse({"ok": True})

    from kbqa.ops import metrics as m

    describe = m.Describe(app.bot.engine)

    async def metrics(request):
        from starlette.responses import Response

        describe()
        body, ctype = await run_in_threadpool(m.render)
        return Response(body, media_type=ctype)

    return Starlette(routes=[Route(EVENTS_PATH, events, methods=_ALL_METHODS),
                             Route(HEALTH_PATH, healthz, methods=["GET"]),
                             Route(METRICS_PATH, metrics, methods=["GET"])])


def _protocol(warnings: Warnings):
    """uvicorn's h11 protocol with a deadline for each request's headers (see the module's docstring)."""
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class HeaderDeadline(H11Protocol):
        _deadline: asyncio.TimerHandle | None = None

        def connection_made(self, transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._arm()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            self._arm()

        def connection_lost(self, exc) -> None:
            self._disarm()
            super().connection_lost(exc)

        def _arm(self) -> None:
            self._disarm()
            self._deadline = self.loop.call_later(HEADER_TIMEOUT_S, self._expired)

        def _disarm(self) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
                self._deadline = None

        def _expired(self) -> None:
            self._deadline = None
            idle = self.cycle is None or self.cycle.response_complete  # else the body timeout is in charge
            if idle and not self.transport.is_closing():
                warnings.warn("headers", f"no complete request headers within {HEADER_TIMEOUT_S:g} s")
                self.transport.close()

    return HeaderDeadline


class HttpServer:
    """uvicorn serving ``asgi_app(app)`` on a socket bound at construction, so that port 0 gets a free port
    whose URL can be told before serving starts."""

    def __init__(self, app, host: str, port: int) -> None:
        import uvicorn

        config = uvicorn.Config(asgi_app(app), http=_protocol(Warnings()), limit_concurrency=HTTP_CONCURRENCY,
                                timeout_keep_alive=5, timeout_graceful_shutdown=5, access_log=False,
                                server_header=False, log_config=None, log_level="warning")
        uv_log = logging.getLogger("uvicorn.error")
        if not any(isinstance(f, _QuietConcurrencyWarnings) for f in uv_log.filters):
            uv_log.addFilter(_QuietConcurrencyWarnings())
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


def make_http_server(app, host: str = "127.0.0.1", port: int = 3000) -> HttpServer:
    """The HTTP server for /slack/events, bound but not serving: call serve() or start()."""
    return HttpServer(app, host, port)


def serve_http(app, host: str = "127.0.0.1", port: int = 3000) -> None:
    """Serve the Events API, the slash command and interactivity at http://host:port/slack/events."""
    server = make_http_server(app, host, port)
    print(f"kbqa slack: listening on {server.url} (Ctrl-C to stop)", file=sys.stderr, flush=True)
    server.serve()
