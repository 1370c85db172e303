"""The web app's protections, as ASGI middleware around the whole app: the FastAPI routes and the mounted
Gradio page alike, so nothing Gradio serves escapes them. ``install(app, settings, ask_fns)`` adds them;
docs/security.md says why each is there. From the outside in:

1. ``SecurityHeaders``: CSP (``frame-ancestors 'none'``; on HTML pages a per-response nonce on the page's
   own inline scripts, so injected markup cannot run script), X-Frame-Options, nosniff, Referrer-Policy...
   on every response, errors included.
2. Starlette's ``TrustedHostMiddleware``: only ``KBQA_ALLOWED_HOSTS`` in the Host header (else 400).
3. ``ForwardedHeaders``: X-Forwarded-For/-Proto/-Host are believed only from ``KBQA_TRUSTED_PROXIES``
   (the client is then the address the proxy saw, and a forwarded host must be allowed too); from anyone
   else they are dropped, so Gradio never builds its URLs from them.
4. Starlette's ``CORSMiddleware`` with the explicit ``KBQA_ALLOWED_ORIGINS`` (none by default). Its
   presence on the parent app is what makes Gradio's own CORS (which reflects any Origin when the Host is
   not localhost) stand down.
5. ``RequestGuard``: only the routes the page and the API need (uploads 403, the rest 404; /openapi.json
   only with ``KBQA_OPENAPI=on``); every request body at most ``MAX_BODY_BYTES`` and received within
   ``KBQA_REQUEST_TIMEOUT_S``; a per-client rate limit on every request that runs an ask, and another
   (same rate and burst, its own bucket) on the API's votes (``POST /api/feedback``).
"""
from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import re
import secrets
import time
from collections import OrderedDict

log = logging.getLogger("kbqa.web.security")

MAX_BODY_BYTES = 64 * 1024  # any request body; larger -> 413 (the chat sends only the question: see page.py)

# ---- routes -------------------------------------------------------------------------------------------
# The FastAPI app's own routes (/healthz, /api/ask, whatever else app.py adds) are all allowed: they are read
# from the app at the first request. Everything else goes to the Gradio mount, and only this much of it:
# What the Gradio page (measured in Chromium: the page, its assets, the queue) and gradio_client need.
_GRADIO_ROUTES = re.compile(r"""^/(?:
      |config/?|theme\.css|favicon\.ico|robots\.txt|manifest\.json
    | (?:assets|static|svelte)/[^?]+
    | gradio_api/(?:info/?|heartbeat/[\w-]+|queue/join|queue/data|cancel)
    | gradio_api/(?:run|api|call|call/v2)/ask/?
    | gradio_api/run/predict/?
    | gradio_api/call/ask/[\w-]+
)$""", re.X)
_UPLOADS = re.compile(r"^/+gradio_api/+(?:upload|upload_progress|process_recording)(?:/.*)?$", re.I)
_OPENAPI = "/openapi.json"
# Requests that run an ask, counted by the rate limit: /api/ask, gr.api's ask, and Gradio's generic
# routes (the queue, /run/predict: the examples use it) when their fn_index is an ask event of the page.
_ASK_API = re.compile(r"^/gradio_api/(?:run|api|call|call/v2)/ask/?$")
_BY_FN_INDEX = re.compile(r"^/gradio_api/(?:queue/join|run/predict/?)$")
# Requests that store a vote, counted by their own limit (a client voting is not a client asking).
_VOTE_PATHS = ("/api/feedback",)

# ---- headers ------------------------------------------------------------------------------------------
# Gradio's page needs: its inline scripts (window.gradio_config, the mode flag, the iframe-resizer loader,
# a padding fix): allowed by a nonce drawn for each response; inline styles (<style> in its template, the
# theme and our CSS injected at run time, style= attributes from Svelte): 'unsafe-inline' for styles only;
# data:/blob: images and fonts (icons). Everything else comes from the app itself; nothing from outside.
PAGE_CSP = ("default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; media-src 'self' blob:; "
            "worker-src 'self' blob:; frame-src 'none'; object-src 'none'; base-uri 'self'; form-action 'self'; "
            "frame-ancestors 'none'")
OTHER_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
HEADERS = {
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",  # no-referrer makes forms post Origin "null"
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}
_SCRIPT_TAG = re.compile(rb"<script(?=[\s>])", re.I)
_STATIC = ("/assets/", "/static/", "/svelte/")


def _json_response(status: int, message: str, gradio: bool = False, headers: dict | None = None):
    from starlette.responses import JSONResponse

    body = {"error": message, **({"detail": message} if gradio else {})}
    return JSONResponse(body, status_code=status, headers=headers)


class SecurityHeaders:
    """Adds the security headers to every response; on HTML pages, a fresh nonce on every <script> tag and
    in the CSP. An exception that escapes the app becomes a 500 with the headers (and a log line)."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope.get("path", "")
        if not path.startswith(_STATIC):  # pages must come uncompressed for the nonce (assets stay compressed)
            scope = dict(scope, headers=[(k, v) for k, v in scope["headers"] if k != b"accept-encoding"])
        nonce = secrets.token_urlsafe(16)
        state = {"started": False, "html": False, "start": None, "chunks": []}

        async def send_wrapper(message):
            if message["type"] == "http.response.start":
                state["started"] = True
                # a route that sets its own policy (the admin page: stricter, with its own nonce) keeps it
                own = next((v for k, v in message.get("headers", []) if k.lower() == b"content-security-policy"), None)
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in _OURS]
                ctype = next((v for k, v in headers if k.lower() == b"content-type"), b"")
                encoded = any(k.lower() == b"content-encoding" for k, _ in headers)
                html = ctype.startswith(b"text/html") and not encoded and scope["method"] != "HEAD" and own is None
                csp = own or (PAGE_CSP.format(nonce=nonce) if ctype.startswith(b"text/html") else OTHER_CSP).encode()
                headers += [(b"content-security-policy", csp)]
                headers += [(k.encode(), v.encode()) for k, v in HEADERS.items()]
                message = dict(message, headers=headers)
                if html:  # hold the start until the body is complete: its length changes
                    state.update(html=True, start=message)
                    return
                return await send(message)
            if message["type"] == "http.response.body" and state["html"]:
                state["chunks"].append(message.get("body", b""))
                if message.get("more_body"):
                    return
                page = _SCRIPT_TAG.sub(b'<script nonce="' + nonce.encode() + b'"', b"".join(state["chunks"]))
                start = state["start"]
                headers = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
                headers.append((b"content-length", str(len(page)).encode()))
                await send(dict(start, headers=headers))
                return await send({"type": "http.response.body", "body": page, "more_body": False})
            return await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        except Exception:  # noqa: BLE001 - a 500 with the headers, never a traceback to the client
            if state["started"]:
                raise
            log.exception("kbqa web: unhandled error on %s", path)
            await _json_response(500, "internal error")(scope, receive, send_wrapper)


_OURS = {b"content-security-policy", *(k.encode() for k in HEADERS)}


# ---- forwarded headers ----------------------------------------------------------------------------------
_FORWARDED = {b"x-forwarded-for", b"x-forwarded-proto", b"x-forwarded-host", b"x-forwarded-port",
              b"x-forwarded-prefix", b"forwarded", b"x-real-ip"}


def parse_networks(value) -> tuple:
    """``KBQA_TRUSTED_PROXIES`` as ip networks; a bad entry is a SettingsError naming it."""
    from kbqa.errors import SettingsError
    from kbqa.settings import Settings

    nets = []
    for item in Settings.split(value):
        try:
            nets.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise SettingsError(f"KBQA_TRUSTED_PROXIES: {item!r} is not an IP address or network") from None
    return tuple(nets)


def _ip(text: str):
    try:
        return ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None


def host_allowed(host: str, allowed: tuple[str, ...]) -> bool:
    """Host (without port) against KBQA_ALLOWED_HOSTS: exact names, ``*.domain`` patterns, or ``*``."""
    host = host.strip().lower()
    host = host[1:].split("]")[0] if host.startswith("[") else host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    for pattern in allowed:
        p = pattern.lower()
        if p == "*" or p == host or (p.startswith("*.") and host.endswith(p[1:])):
            return True
    return False


class ForwardedHeaders:
    """The client's address and the request's scheme and host, believing X-Forwarded-* only from a trusted
    proxy. From a trusted proxy the client is the right-most address of X-Forwarded-For that is not itself
    a trusted proxy; anyone can write the left part."""

    def __init__(self, app, trusted_proxies: tuple = (), allowed_hosts: tuple[str, ...] = ()) -> None:
        self.app, self.trusted, self.allowed_hosts = app, tuple(trusted_proxies), tuple(allowed_hosts)

    def _trusted(self, ip) -> bool:
        return ip is not None and any(ip in net for net in self.trusted)

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        peer = _ip((scope.get("client") or ("",))[0] or "")
        if not self._trusted(peer):
            scope = dict(scope, headers=[(k, v) for k, v in scope["headers"] if k not in _FORWARDED])
            return await self.app(scope, receive, send)
        headers = {k: v.decode("latin-1") for k, v in scope["headers"]}
        chain = [_ip(a) for a in headers.get(b"x-forwarded-for", "").split(",") if a.strip()]
        chain = [a for a in chain if a is not None]
        client = peer
        for addr in reversed(chain):
            client = addr
            if not self._trusted(addr):
                break
        scope = dict(scope, client=(str(client), 0))
        proto = headers.get(b"x-forwarded-proto", "").split(",")[0].strip().lower()
        if proto in ("http", "https"):
            scope["scheme"] = proto
        fwd_host = headers.get(b"x-forwarded-host", "").split(",")[0].strip()
        if fwd_host and self.allowed_hosts and not host_allowed(fwd_host, self.allowed_hosts):
            from starlette.responses import PlainTextResponse

            return await PlainTextResponse("Invalid host header", status_code=400)(scope, receive, send)
        return await self.app(scope, receive, send)


# ---- rate limit -----------------------------------------------------------------------------------------
class RateLimiter:
    """A token bucket per client: ``burst`` asks at once, refilled at ``per_minute``. ``clock`` is injectable
    so the bucket can be tested without waiting. At most ``max_clients`` buckets are kept (least recently
    used dropped: a dropped client starts again with a full bucket)."""

    def __init__(self, per_minute: int, burst: int, clock=time.monotonic, max_clients: int = 100_000) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(max(1, burst))
        self.clock = clock
        self.max_clients = max_clients
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    @property
    def enabled(self) -> bool:
        return self.rate > 0

    def take(self, client: str) -> float:
        """0.0 when the client may ask now (a token is taken), else the seconds until it may."""
        if not self.enabled:
            return 0.0
        now = self.clock()
        tokens, then = self._buckets.pop(client, (self.burst, now))
        tokens = min(self.burst, tokens + (now - then) * self.rate)
        wait = 0.0
        if tokens >= 1.0:
            tokens -= 1.0
        else:
            wait = (1.0 - tokens) / self.rate
        self._buckets[client] = (tokens, now)
        while len(self._buckets) > self.max_clients:
            self._buckets.popitem(last=False)
        return wait


# ---- the guard ------------------------------------------------------------------------------------------
class RequestGuard:
    """Routes, body size and time, and the per-client rate limit of asks (see the module docstring)."""

    def __init__(self, app, *, limiter: RateLimiter, ask_fns=frozenset(), openapi: bool = False,
                 body_timeout_s: float = 20.0, max_body: int = MAX_BODY_BYTES, parent=None,
                 vote_limiter: RateLimiter | None = None) -> None:
        self.app, self.limiter, self.ask_fns = app, limiter, ask_fns
        self.vote_limiter = vote_limiter
        self.openapi, self.body_timeout_s, self.max_body = openapi, body_timeout_s, max_body
        self.parent = parent  # the FastAPI app: its own routes are allowed
        self._own: list | None = None

    def _is_own(self, path: str) -> bool:
        if self._own is None:
            from starlette.routing import Mount

            self._own = [r.path_regex for r in getattr(self.parent, "routes", ()) if not isinstance(r, Mount)
                         and hasattr(r, "path_regex")]
        return any(regex.match(path) for regex in self._own)

    def _route_refusal(self, path: str):
        if _GRADIO_ROUTES.match(path) or self._is_own(path):
            return None
        if path == _OPENAPI and self.openapi:
            return None
        if _UPLOADS.match(path):
            return 403, "uploads are disabled"
        return 404, "not found"

    async def _read(self, receive, declared: str) -> bytes:
        if declared.isdigit() and int(declared) > self.max_body:
            raise _TooLarge
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise _Gone
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                raise _TooLarge
            chunks.append(chunk)
            if not message.get("more_body"):
                return b"".join(chunks)

    def _is_ask(self, method: str, path: str, body: bytes) -> bool:
        if method != "POST":
            return False
        if path == "/api/ask" or _ASK_API.match(path):
            return True
        if _BY_FN_INDEX.match(path):
            try:
                fn = json.loads(body or b"{}").get("fn_index")
            except (ValueError, AttributeError, RecursionError):
                return False
            return fn in self.ask_fns
        return False

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path, method = scope.get("path", ""), scope.get("method", "GET")
        gradio = path.startswith("/gradio_api/")
        refusal = self._route_refusal(path)
        if refusal:
            return await _json_response(*refusal, gradio=gradio)(scope, receive, send)
        headers = {k: v for k, v in scope["headers"]}
        declared = headers.get(b"content-length", b"").decode("latin-1").strip()
        has_body = (declared not in ("", "0")) or b"transfer-encoding" in headers
        body = b""
        if has_body:
            try:  # read it all, within the limits, before the app sees any of it
                body = await asyncio.wait_for(self._read(receive, declared), self.body_timeout_s)
            except _TooLarge:
                return await _json_response(413, f"request body is larger than {self.max_body} bytes",
                                            gradio=gradio)(scope, receive, send)
            except asyncio.TimeoutError:
                return await _json_response(408, f"request body not received within {self.body_timeout_s:g} s",
                                            gradio=gradio)(scope, receive, send)
            except _Gone:
                return None
        limited = None
        if self.limiter.enabled and self._is_ask(method, path, body):
            limited = self.limiter, "questions"
        elif method == "POST" and path in _VOTE_PATHS and self.vote_limiter is not None and self.vote_limiter.enabled:
            limited = self.vote_limiter, "votes"
        if limited:
            client = (scope.get("client") or ("unknown",))[0]
            wait = limited[0].take(client)
            if wait > 0:
                retry = max(1, int(wait + 0.999))
                return await _json_response(429, f"too many {limited[1]} from this client; retry in {retry} s",
                                            gradio=gradio, headers={"Retry-After": str(retry)}
                                            )(scope, receive, send)
        if not has_body:
            return await self.app(scope, receive, send)
        replayed = False

        async def replay():
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # after the body: the client's disconnect, as the app expects

        return await self.app(scope, replay, send)


class _TooLarge(Exception):
    pass


class _Gone(Exception):
    pass


# ---- putting it together ------------------------------------------------------------------------------
def install(app, settings, ask_fns=frozenset()) -> None:
    """Add the middleware to the FastAPI app (before it starts), innermost first."""
    from starlette.middleware.cors import CORSMiddleware
    from starlette.middleware.trustedhost import TrustedHostMiddleware

    from kbqa.settings import Settings

    hosts = Settings.split(settings.allowed_hosts) or ("localhost", "127.0.0.1")
    app.add_middleware(RequestGuard, limiter=RateLimiter(settings.rate_limit, settings.rate_burst),
                       ask_fns=frozenset(ask_fns), openapi=settings.openapi,
                       body_timeout_s=settings.request_timeout_s, parent=app,
                       vote_limiter=RateLimiter(settings.rate_limit, settings.rate_burst))
    # Gradio checks for this very class on the parent app and then leaves CORS to it.
    app.add_middleware(CORSMiddleware, allow_origins=list(Settings.split(settings.allowed_origins)),
                       allow_methods=["GET", "POST"], allow_headers=["content-type", "x-request-id"],
                       expose_headers=["x-request-id"], allow_credentials=False,
                       max_age=600)
    app.add_middleware(ForwardedHeaders, trusted_proxies=parse_networks(settings.trusted_proxies),
                       allowed_hosts=hosts)
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(hosts), www_redirect=False)
    app.add_middleware(SecurityHeaders)
