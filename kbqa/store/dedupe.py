"""Things done once per deployment, whichever process sees them: a claim is an insert keyed on (scope, key) in the
``claims`` table, so with several Slack bot processes on one database exactly one wins each Slack event id (or
message, vote...). A claim expires after its time-to-live (expired rows may be claimed again, and the writer's
maintenance deletes them).

While the database cannot be reached, claims fall back to this process's memory (``Seen``) for a few seconds at
a time: a retry that reaches the same process is still caught, one that reaches another process may be answered
twice. Answering twice during an outage is preferred to not answering at all.
"""
from __future__ import annotations

import hashlib
import logging
import threading
import time
from datetime import timedelta

import sqlalchemy as sa

from kbqa.store import schema
from kbqa.store.db import Database, describe, is_unavailable

log = logging.getLogger("kbqa.store")

RETRY_DB_AFTER_S = 5.0  # after a failure, claims stay local this long before the database is tried again
MAX_KEY = 200


def key_text(key) -> str:
    """A claim key as text: tuples joined with a separator nothing uses; long keys hashed."""
    text = "\x1f".join(map(str, key)) if isinstance(key, tuple) else str(key)
    return text if len(text) <= MAX_KEY else "sha256:" + hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()


class Claims:
    """Claims in the database, with a local fallback while it is unreachable."""

    def __init__(self, db: Database, metrics=None) -> None:
        self.db = db
        self.metrics = metrics
        self._down_until = 0.0
        self._lock = threading.Lock()

    def seen(self, scope: str, local) -> "SharedSeen":
        """A ``Seen``-like set for one scope over ``local``, the process's own memory of that scope (a
        ``kbqa.frontends.slack.memory.Seen``: its ``ttl_s`` is the claims' time-to-live)."""
        return SharedSeen(self, scope, local)

    def _usable(self) -> bool:
        return time.monotonic() >= self._down_until

    def _failed(self, e: Exception) -> None:
        with self._lock:
            first = self._down_until == 0.0 or time.monotonic() > self._down_until + 60
            self._down_until = time.monotonic() + RETRY_DB_AFTER_S
        if first:
            log.warning("kbqa: claims fall back to this process's memory (database: %s)", describe(e))

    def claim(self, scope: str, key, ttl_s: float) -> bool | None:
        """True if this call took the claim, False if it was taken and has not expired; None when the database
        could not be asked (the caller falls back)."""
        if not self._usable():
            return None
        now = schema.now()
        row = {"scope": scope, "key": key_text(key), "created": now, "expires": now + timedelta(seconds=ttl_s)}
        c = schema.claims
        if self.db.dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        ins = insert(c).values(**row)
        # taken over only when the existing claim has expired; RETURNING says whether a row was written
        stmt = ins.on_conflict_do_update(index_elements=[c.c.scope, c.c.key],
                                         set_={"created": ins.excluded.created, "expires": ins.excluded.expires},
                                         where=c.c.expires < now).returning(c.c.key)
        try:
            if not self.db.ready:
                self.db.prepare()
            with self.db.begin() as conn:
                return conn.execute(stmt).first() is not None
        except Exception as e:  # noqa: BLE001
            if not is_unavailable(e):
                raise
            self._failed(e)
            return None

    def holds(self, scope: str, key) -> bool | None:
        if not self._usable():
            return None
        c = schema.claims
        q = sa.select(c.c.key).where(c.c.scope == scope, c.c.key == key_text(key), c.c.expires >= schema.now())
        try:
            with self.db.begin() as conn:
                return conn.execute(q).first() is not None
        except Exception as e:  # noqa: BLE001
            if not is_unavailable(e):
                raise
            self._failed(e)
            return None

    def release(self, scope: str, key) -> None:
        if not self._usable():
            return
        c = schema.claims
        try:
            with self.db.begin() as conn:
                conn.execute(sa.delete(c).where(c.c.scope == scope, c.c.key == key_text(key)))
        except Exception as e:  # noqa: BLE001
            if not is_unavailable(e):
                raise
            self._failed(e)


class SharedSeen:
    """The interface of ``kbqa.frontends.slack.memory.Seen`` (claim, in, discard) over ``Claims``; every claim
    is also kept in ``local``, which is what answers while the database is away."""

    def __init__(self, claims: Claims, scope: str, local) -> None:
        self.claims, self.scope, self.local, self.ttl_s = claims, scope, local, local.ttl_s

    def claim(self, key) -> bool:
        shared = self.claims.claim(self.scope, key, self.ttl_s)
        mine = self.local.claim(key)
        won = mine if shared is None else shared
        if not won and self.claims.metrics:
            self.claims.metrics.duplicate(self.scope)
        return won

    def __contains__(self, key) -> bool:
        shared = self.claims.holds(self.scope, key)
        return (key in self.local) if shared is None else shared

    def discard(self, key) -> None:
        self.local.discard(key)
        self.claims.release(self.scope, key)
