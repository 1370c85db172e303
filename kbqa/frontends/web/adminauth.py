"""Who may use the admin page and API: the token (Bearer), the session cookie it signs, and the CSRF check of
state changes made with the cookie (see kbqa.frontends.web.admin for the rules)."""
from __future__ import annotations

import hashlib
import hmac
import secrets
import time

from starlette.requests import Request

COOKIE = "kbqa_admin"
SESSION_S = 12 * 3600


class Access:
    """Checks a request against the admin token (None when the admin page is off)."""

    def __init__(self, token: str) -> None:
        self._digest = hashlib.sha256(token.encode("utf-8")).digest()
        self._key = hmac.new(self._digest, b"kbqa-admin-session", hashlib.sha256).digest()

    def token_ok(self, given: str | None) -> bool:
        given_digest = hashlib.sha256((given or "").encode("utf-8", "replace")).digest()
        return hmac.compare_digest(given_digest, self._digest) and bool(given)

    def _sign(self, msg: str) -> str:
        return hmac.new(self._key, msg.encode("ascii"), hashlib.sha256).hexdigest()

    def new_session(self, now: float | None = None) -> str:
        expires = int((now or time.time()) + SESSION_S)
        body = f"{expires}.{secrets.token_hex(12)}"
        return f"{body}.{self._sign(body)}"

    def session_ok(self, cookie: str | None, now: float | None = None) -> bool:
        try:
            expires, nonce, sig = (cookie or "").split(".")
            fresh = int(expires) > (now or time.time())
        except ValueError:
            return False
        return hmac.compare_digest(sig, self._sign(f"{expires}.{nonce}")) and fresh

    def csrf_for(self, cookie: str) -> str:
        return self._sign("csrf:" + cookie)

    def who(self, request: Request) -> str | None:
        """'bearer' or 'session' when the request may use the admin API, else None."""
        auth = request.headers.get("authorization", "")
        if auth:
            scheme, _, value = auth.partition(" ")
            return "bearer" if scheme.lower() == "bearer" and self.token_ok(value.strip()) else None
        return "session" if self.session_ok(request.cookies.get(COOKIE)) else None

    def csrf_ok(self, request: Request) -> bool:
        origin = request.headers.get("origin")
        if origin is not None and origin != own_origin(request):
            return False
        cookie = request.cookies.get(COOKIE) or ""
        return hmac.compare_digest(request.headers.get("x-csrf-token", ""), self.csrf_for(cookie))


def own_origin(request: Request) -> str:
    host = request.headers.get("host") or (f"{request.url.hostname}:{request.url.port}" if request.url.port
                                           else request.url.hostname or "")
    return f"{request.url.scheme}://{host}"
