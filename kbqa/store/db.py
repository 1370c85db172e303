"""The database: its URL, the SQLAlchemy engine, the schema version and the migrations.

``KBQA_DATABASE_URL`` is SQLite under KBQA_HOME by default (embedded, nothing to install) or PostgreSQL
(``postgresql+psycopg://…``) for several replicas. A SQLite database upgrades itself when a process starts;
PostgreSQL is upgraded explicitly with ``kbqa db upgrade`` (an init container), and a process that finds it
behind stops with one line saying so. Every error here is one line (``KbqaError``) with the password masked.
"""
from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import sqlite3
import time
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event, exc
from sqlalchemy.engine import URL, make_url

from kbqa.errors import KbqaError, SettingsError
from kbqa.store.schema import HEAD

log = logging.getLogger("kbqa.store")

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
CONNECT_TIMEOUT_S = 3  # a database that does not answer must not hold a request or the writer for long
STATEMENT_TIMEOUT_MS = 15_000
DRIVERS = {"sqlite": "sqlite", "sqlite+pysqlite": "sqlite", "postgresql": "postgresql+psycopg",
           "postgres": "postgresql+psycopg", "postgresql+psycopg": "postgresql+psycopg"}
URL_HELP = "use sqlite:///PATH or postgresql+psycopg://USER:PASSWORD@HOST:5432/DB"


class DatabaseUnavailable(KbqaError):
    """The database cannot be reached (down, refusing, wrong host or password)."""


class SchemaBehind(KbqaError):
    """The database's schema is older than this kbqa (PostgreSQL: run `kbqa db upgrade`)."""


def default_url(home: Path) -> str:
    return "sqlite:///" + str(Path(home).resolve() / "kbqa.sqlite3")


def parse_url(raw: str) -> URL:
    """A KBQA_DATABASE_URL as a SQLAlchemy URL with the driver kbqa uses; SettingsError (one line) if it is not
    one kbqa can use. ``postgresql://`` means psycopg 3 (the only PostgreSQL driver installed)."""
    try:
        url = make_url(raw.strip())
    except (exc.ArgumentError, ValueError):
        raise SettingsError(f"KBQA_DATABASE_URL is not a database URL ({_mask_raw(raw)!r}); {URL_HELP}") from None
    driver = DRIVERS.get(url.drivername)
    if driver is None:
        raise SettingsError(f"KBQA_DATABASE_URL uses {url.drivername!r}, which kbqa does not support; {URL_HELP}")
    url = url.set(drivername=driver)
    if driver == "sqlite" and url.database in (None, "", ":memory:"):
        raise SettingsError("KBQA_DATABASE_URL must name a SQLite file (not memory), e.g. sqlite:////data/kbqa.sqlite3")
    if driver.startswith("postgresql") and not url.database:
        raise SettingsError(f"KBQA_DATABASE_URL names no database; {URL_HELP}")
    return url


def _mask_raw(raw: str) -> str:
    """A URL that could not be parsed, with anything between '://' and '@' hidden."""
    head, sep, rest = raw.partition("://")
    if sep and "@" in rest:
        return head + "://***@" + rest.split("@", 1)[1]
    return raw[:80]


def describe(e: BaseException) -> str:
    """A database error as a few words (the driver's first line, without SQL or parameters)."""
    orig = getattr(e, "orig", None) or e
    text = str(orig).strip().splitlines()
    msg = text[0] if text else type(orig).__name__
    return msg.removeprefix("(psycopg.OperationalError) ").strip()[:300]


def is_unavailable(e: BaseException) -> bool:
    """True for errors that mean "the database is not there right now" (worth retrying), as opposed to a record
    the database refuses (IntegrityError, DataError)."""
    if isinstance(e, (DatabaseUnavailable, SchemaBehind)):
        return True
    if isinstance(e, (exc.IntegrityError, exc.DataError)):
        return False
    if isinstance(e, exc.DBAPIError):
        return True  # operational, interface, programming (a table missing: not upgraded yet), internal
    return isinstance(e, (exc.TimeoutError, exc.DisconnectionError, OSError))


def _wal(cur, attempts: int = 200) -> None:
    """Put a SQLite database in WAL mode. The switch needs an exclusive lock and SQLite does not wait for it (no busy
    handler): processes opening a fresh database at once get "database is locked" at once. So: only switch when the
    database is not in WAL yet (once per file: the mode is persistent), and retry while another holds the lock."""
    for attempt in range(attempts):
        try:
            if cur.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                cur.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) or attempt == attempts - 1:
                raise
            time.sleep(0.05)


class Database:
    """One database: a lazily created SQLAlchemy engine (a small connection pool) and the schema's state."""

    def __init__(self, url: str | URL) -> None:
        self.url = parse_url(url) if isinstance(url, str) else url
        self.dialect = "sqlite" if self.url.drivername == "sqlite" else "postgresql"
        self._engine: sa.Engine | None = None
        self._ready = False

    @classmethod
    def from_settings(cls, settings) -> "Database":
        return cls(settings.database_url or default_url(settings.home))

    @property
    def safe_url(self) -> str:
        return self.url.render_as_string(hide_password=True)

    @property
    def path(self) -> Path | None:
        """The SQLite file (None for PostgreSQL)."""
        return Path(self.url.database) if self.dialect == "sqlite" else None

    @property
    def engine(self) -> sa.Engine:
        if self._engine is None:
            self._engine = self._create()
        return self._engine

    def _create(self) -> sa.Engine:
        if self.dialect == "sqlite":
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as e:
                raise DatabaseUnavailable(f"cannot create {self.path.parent}: {e.strerror or e}") from None
            engine = sa.create_engine(self.url, connect_args={"timeout": 30, "check_same_thread": False},
                                      pool_size=4, max_overflow=8)

            @event.listens_for(engine, "connect")
            def _on_connect(dbapi_conn, _record):
                dbapi_conn.isolation_level = None  # no implicit BEGIN: "begin" below says which
                cur = dbapi_conn.cursor()
                for pragma in ("PRAGMA busy_timeout=30000", "PRAGMA synchronous=FULL", "PRAGMA foreign_keys=ON"):
                    cur.execute(pragma)
                _wal(cur)
                cur.close()

            @event.listens_for(engine, "begin")
            def _on_begin(conn):
                # take the write lock at the start: a deferred transaction that later writes can fail at once
                # with "database is locked" when another process wrote in between
                conn.exec_driver_sql("BEGIN IMMEDIATE")

            return engine
        return sa.create_engine(
            self.url, pool_pre_ping=True, pool_size=4, max_overflow=4, pool_timeout=CONNECT_TIMEOUT_S + 2,
            pool_recycle=1800,
            connect_args={"connect_timeout": CONNECT_TIMEOUT_S, "application_name": "kbqa",
                          "options": f"-c statement_timeout={STATEMENT_TIMEOUT_MS}"})

    @contextlib.contextmanager
    def begin(self):
        """A connection in a transaction (committed at the end); connection failures become
        DatabaseUnavailable with one line."""
        try:
            with self.engine.begin() as conn:
                yield conn
        except (exc.OperationalError, exc.ProgrammingError) as e:
            text = str(getattr(e, "orig", e))
            if "no such table" in text or "no such column" in text or ("does not exist" in text and (
                    "relation" in text or "column" in text)):
                raise SchemaBehind(f"the database {self.safe_url} has no kbqa schema: run `kbqa db upgrade`") \
                    from None
            if isinstance(e, exc.ProgrammingError):
                raise
            raise DatabaseUnavailable(f"cannot reach the database at {self.safe_url}: {describe(e)}") from None
        except (exc.InterfaceError, exc.TimeoutError, exc.DisconnectionError) as e:
            raise DatabaseUnavailable(f"cannot reach the database at {self.safe_url}: {describe(e)}") from None

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()

    # ---- schema --------------------------------------------------------------------------------
    def revision(self) -> str | None:
        """The schema's Alembic revision; None for an empty database (or a pre-Alembic SQLite store)."""
        with self.begin() as conn:
            return _revision(conn)

    def check(self) -> None:
        """Raise SchemaBehind unless the schema is at HEAD (a newer, unknown revision is accepted with a warning:
        during a rolling upgrade the old replicas keep running on the new schema; migrations only add)."""
        rev = self.revision()
        if rev == HEAD:
            self._ready = True
            return
        if rev is None or _older(rev, HEAD):
            where = "has no kbqa schema" if rev is None else f"is at schema {rev}, this kbqa needs {HEAD}"
            raise SchemaBehind(f"the database {self.safe_url} {where}: run `kbqa db upgrade`")
        log.warning("kbqa: the database is at schema %s, newer than this kbqa's %s; continuing", rev, HEAD)
        self._ready = True

    def upgrade(self) -> tuple[str | None, str]:
        """Migrate to HEAD (Alembic, one transaction); returns (revision before, after). SQLite: processes that
        start at the same time take turns (a lock file beside the database)."""
        with self._migration_lock():
            before = self.revision()
            if before != HEAD:
                from alembic import command
                from alembic.config import Config

                cfg = Config()
                cfg.set_main_option("script_location", str(MIGRATIONS))
                try:
                    with self.begin() as conn:
                        cfg.attributes["connection"] = conn
                        command.upgrade(cfg, "head")
                except exc.SQLAlchemyError as e:
                    if is_unavailable(e) and not isinstance(e, exc.ProgrammingError):
                        raise DatabaseUnavailable(f"cannot reach the database at {self.safe_url}: {describe(e)}") \
                            from None
                    raise KbqaError(f"upgrading {self.safe_url} failed: {describe(e)}") from None
        self._ready = True
        return before, HEAD

    def prepare(self) -> None:
        """At process start: SQLite upgrades itself; PostgreSQL must already be at HEAD (SchemaBehind otherwise).
        DatabaseUnavailable when it cannot be reached (the caller decides whether that is fatal)."""
        if self.dialect == "sqlite":
            if self.revision() != HEAD:
                before, after = self.upgrade()
                if before is not None:
                    log.info("kbqa: upgraded %s from schema %s to %s", self.path, before, after)
            self._ready = True
        else:
            self.check()

    @property
    def ready(self) -> bool:
        """The schema was found (or made) current by this process."""
        return self._ready

    @contextlib.contextmanager
    def _migration_lock(self):
        if self.dialect != "sqlite":
            yield  # PostgreSQL: an advisory lock inside the migration transaction (migrations/env.py)
            return
        lock = self.path.with_name(self.path.name + ".migrate.lock")
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as e:
            raise DatabaseUnavailable(f"cannot write beside {self.path}: {e.strerror or e}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)


def _revision(conn) -> str | None:
    if not sa.inspect(conn).has_table("alembic_version"):
        return None
    row = conn.execute(sa.text("SELECT version_num FROM alembic_version")).first()
    return row[0] if row else None


def _older(rev: str, head: str) -> bool:
    """Our revisions are zero-padded numbers: '0001' < '0002'. An id that is not one is unknown (newer)."""
    return rev.isdigit() and head.isdigit() and int(rev) < int(head)
