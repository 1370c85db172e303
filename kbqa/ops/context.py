"""What is known about the request being handled, in a context variable: its request id, the Slack team, channel
and user it came from, and (once answered) the answer's fields for its log line.

The web app's middleware opens one per HTTP request (``request()``); the Slack bot sets one per event
(``begin()``); the recording wrapper reads it and adds the answer. Contexts follow the work into worker threads
wherever the caller copies them (Starlette's threadpool does; the Slack bot's listener pool is made to).
"""
from __future__ import annotations

import contextlib
import re
import uuid
from contextvars import ContextVar

_current: ContextVar[dict | None] = ContextVar("kbqa_request", default=None)
_SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


def new_id() -> str:
    return uuid.uuid4().hex


def safe_request_id(value: str | None) -> str:
    """A client's X-Request-ID when it is a plain token of at most 64 characters, else a new id."""
    return value if value and _SAFE_ID.match(value) else new_id()


def current() -> dict | None:
    return _current.get()


def begin(**fields) -> dict:
    """Start a context for the rest of this (copied) context: no reset, for callers whose context is discarded
    after the request (a dispatch in a worker thread)."""
    ctx = {"request_id": fields.pop("request_id", None) or new_id(), **fields}
    _current.set(ctx)
    return ctx


@contextlib.contextmanager
def request(**fields):
    """A context for the duration of a with-block."""
    ctx = {"request_id": fields.pop("request_id", None) or new_id(), **fields}
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)
