"""Durable state, shared by every front end and every replica: one module per concern.

    db.py        the database (KBQA_DATABASE_URL: SQLite under KBQA_HOME, or PostgreSQL), schema version, migrations
    schema.py    the tables (SQLAlchemy Core); migrations/ changes them (Alembic, inside the package)
    spool.py     the background writer and the bounded local spool it writes through
    questions.py the question log, and the queries the FAQ's owners need
    feedback.py  thumbs up/down (and the import of the old SQLite feedback file)
    dedupe.py    claims: done once per deployment (Slack event ids...)
    ids.py       keyed hashes for Slack ids
    recorded.py  the AskEngine wrapper every front end asks through: the one place questions are recorded

``open_store(settings)`` gives the process's ``Store`` (one per database and home; its writer thread starts on
first use and is drained at exit).
"""
from __future__ import annotations

import atexit
import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from kbqa.errors import KbqaError

log = logging.getLogger("kbqa.store")

_stores: dict[tuple[str, str], "Store"] = {}
_lock = threading.Lock()
DRAIN_S = 5.0  # at exit, how long the writer may keep shipping what is queued


@dataclass
class Store:
    settings: object
    db: object  # kbqa.store.db.Database
    writer: object  # kbqa.store.writer.Writer
    feedback: object  # kbqa.store.feedback.FeedbackStore
    log: object  # kbqa.store.questions.QuestionLog
    claims: object  # kbqa.store.dedupe.Claims
    ids: object  # kbqa.store.ids.IdHasher
    metrics: object  # the kbqa.ops.metrics module

    def recorded(self, engine, frontend: str):
        """``engine`` as ``frontend`` asks it: every answer recorded (see kbqa.store.recorded)."""
        from kbqa.store.recorded import RecordedEngine

        return RecordedEngine(engine, frontend, self)

    def prepare(self, *, strict: bool = True) -> None:
        """At a server's start: bring SQLite up to date, check PostgreSQL's schema (SchemaBehind when it is
        behind: a one-line error for the operator), import the old feedback file, start the writer. A database
        that cannot be reached is not fatal: answers go on and records wait in the spool (a warning says so)."""
        from kbqa.store.db import DatabaseUnavailable
        from kbqa.store.feedback import LEGACY_FILE, import_legacy, is_legacy_file

        try:
            self.db.prepare()
            legacy = Path(self.settings.home) / LEGACY_FILE
            if is_legacy_file(legacy) and legacy.resolve() != (self.db.path or Path("/nonexistent")).resolve():
                import_legacy(self.db, legacy)
        except DatabaseUnavailable as e:
            if strict and self.db.dialect == "sqlite":
                raise
            log.warning("kbqa: %s; answers go on and records wait in the spool until it is back", e)
        self.writer.start()

    def close(self, timeout_s: float = DRAIN_S) -> int:
        """Drain the writer (records it could not ship stay in the spool for the next process)."""
        return self.writer.close(timeout_s)


def open_store(settings) -> Store:
    """The Store of this process for these settings (built once; cheap: nothing connects until used).
    A short-lived command gets the same: its writer spools and is drained at exit."""
    from kbqa.ops import metrics
    from kbqa.store.db import Database
    from kbqa.store.dedupe import Claims
    from kbqa.store.feedback import FeedbackStore
    from kbqa.store.ids import IdHasher
    from kbqa.store.questions import QuestionLog
    from kbqa.store.spool import Spool
    from kbqa.store.writer import Writer

    db = Database.from_settings(settings)
    key = (str(db.url), str(Path(settings.home).resolve()))
    with _lock:
        store = _stores.get(key)
        if store is not None:
            return store
        try:
            ids = IdHasher.from_settings(settings)
        except KbqaError:
            raise
        spool = Spool(Path(settings.home) / "spool", settings.spool_max_mb << 20)
        writer = Writer(db, spool, retention_days=settings.retention_days, metrics=metrics)
        store = Store(settings=settings, db=db, writer=writer,
                      feedback=FeedbackStore(db, writer=writer, ids=ids, metrics=metrics,
                                             max_records=settings.feedback_max_records),
                      log=QuestionLog(db, writer, enabled=settings.log_questions),
                      claims=Claims(db, metrics=metrics), ids=ids, metrics=metrics)
        _stores[key] = store
        if len(_stores) == 1:
            atexit.register(_close_all)
        return store


def release_all() -> None:
    """Close every Store of this process and forget them: for a process about to fork workers (each then
    opens its own: a database connection or a writer thread must not be shared across a fork)."""
    with _lock:
        stores = list(_stores.values())
        _stores.clear()
    for store in stores:
        store.close()
        store.db.dispose()


def _close_all() -> None:
    for store in list(_stores.values()):
        try:
            store.close()
        except Exception:  # noqa: BLE001 - exiting anyway
            pass


__all__ = ["Store", "open_store", "release_all"]
