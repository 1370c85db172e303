"""The database: URLs (one-line errors, passwords masked), SQLite upgrading itself, the schema the migrations make
matching kbqa/store/schema.py, and today's SQLite feedback file migrating without loss (pointed at directly, or
imported from KBQA_HOME)."""
from __future__ import annotations

import json
import sqlite3
import threading
import time

import pytest
import sqlalchemy as sa

from kbqa.errors import SettingsError
from kbqa.settings import Settings
from kbqa.store import schema
from kbqa.store.db import Database, DatabaseUnavailable, SchemaBehind, parse_url
from kbqa.store.feedback import FeedbackStore, import_legacy, is_legacy_file

OLD_SCHEMA = """
CREATE TABLE feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created REAL NOT NULL,
    source TEXT NOT NULL,
    rating INTEGER NOT NULL CHECK (rating IN (-1, 1)),
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    citations TEXT NOT NULL,
    extra TEXT NOT NULL
)
"""


def old_store(path, n=25):
    """A feedback file as the old FeedbackStore wrote it (a web vote, a Slack vote, odd rows)."""
    conn = sqlite3.connect(path)
    conn.execute(OLD_SCHEMA)
    rows = []
    for i in range(n):
        extra = {"status": "answered", "topic": 1 + i % 10, "confidence": 0.9}
        if i % 3 == 0:
            extra.update(user="UALICE", channel="C0001", answer_id=f"{i:016x}", message_ts="1.2")
        rows.append((time.time() - 86400 + i, "slack" if i % 3 == 0 else "web", 1 if i % 2 else -1, f"问题 {i}",
                     f"回答 {i}", json.dumps([{"n": 1, "topic": 1 + i % 10, "expert": "gavin_zhang", "quote": "q",
                                              "text": "t"}], ensure_ascii=False),
                     json.dumps(extra, ensure_ascii=False)))
    rows.append((time.time(), "web", 1, "坏的 JSON", "a", "not json", "{also not"))
    conn.executemany("INSERT INTO feedback (created, source, rating, question, answer, citations, extra)"
                     " VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    conn.commit()
    conn.close()
    return rows


@pytest.mark.parametrize("raw, words", [
    ("not a url", "not a database URL"),
    ("mysql://kbqa:hunter2@db/kbqa", "does not support"),
    ("sqlite://", "must name a SQLite file"),
    ("postgresql+psycopg://kbqa:hunter2@db:5432", "names no database"),
    ("postgresql+psycopg://kbqa:hunter2@db:notaport/kbqa", "not a database URL"),
])
def test_bad_urls_are_one_line_without_the_password(raw, words):
    with pytest.raises(SettingsError) as e:
        parse_url(raw)
    msg = str(e.value)
    assert words in msg and "\n" not in msg and "hunter2" not in msg


def test_urls_kbqa_accepts():
    assert parse_url("postgresql://u:p@h/db").drivername == "postgresql+psycopg"
    assert parse_url("postgres://u:p@h/db").drivername == "postgresql+psycopg"
    assert Database("postgresql://kbqa:hunter2@h/db").safe_url == "postgresql+psycopg://kbqa:***@h/db"
    s = Settings(home="/tmp/x")
    assert str(Database.from_settings(s).url) == "sqlite:////tmp/x/kbqa.sqlite3"


def test_sqlite_upgrades_itself_and_matches_the_tables(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'k.sqlite3'}")
    assert db.revision() is None
    db.prepare()
    assert db.revision() == schema.HEAD
    assert_tables_match_schema(db)
    db.prepare()  # again: nothing to do
    assert db.upgrade() == (schema.HEAD, schema.HEAD)


@pytest.mark.postgres
def test_postgresql_upgrades_only_when_told_and_matches_the_tables(empty_pg):
    db = Database(empty_pg)
    with pytest.raises(SchemaBehind) as e:
        db.prepare()  # a server's start: no upgrade behind the operator's back
    assert "kbqa db upgrade" in str(e.value) and "\n" not in str(e.value)
    assert db.revision() is None
    assert db.upgrade() == (None, schema.HEAD)
    db.prepare()
    assert_tables_match_schema(db)
    assert db.upgrade() == (schema.HEAD, schema.HEAD)
    db.dispose()


def assert_tables_match_schema(db):
    """The tables the migrations made are the ones kbqa/store/schema.py describes: columns, nullability, indexes."""
    insp = sa.inspect(db.engine)
    for table in schema.metadata.sorted_tables:
        got = {c["name"]: c["nullable"] for c in insp.get_columns(table.name)}
        want = {c.name: c.nullable for c in table.columns}
        assert got == want, table.name
        got_ix = {i["name"]: i["column_names"] for i in insp.get_indexes(table.name)}
        want_ix = {i.name: [c.name for c in i.columns] for i in table.indexes}
        assert got_ix == want_ix, table.name


def test_sqlite_waits_to_switch_to_wal_while_another_process_writes(tmp_path):
    # The switch to WAL needs an exclusive lock and SQLite does not wait for it: a process opening a database that
    # another one is writing in (rollback-journal mode, e.g. a fresh file) got "database is locked" at once.
    path = tmp_path / "k.sqlite3"
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("CREATE TABLE t (x)")
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO t VALUES (1)")
    done = threading.Timer(0.5, lambda: other.execute("COMMIT"))
    done.start()
    t0 = time.monotonic()
    db = Database(f"sqlite:///{path}")
    with db.begin() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("SELECT count(*) FROM t").scalar() == 1  # it waited for the other's commit
    assert time.monotonic() - t0 >= 0.4
    done.join()
    db.dispose()
    other.close()


def test_unreachable_postgresql_and_missing_schema_are_one_line(tmp_path):
    db = Database("postgresql+psycopg://kbqa:hunter2@127.0.0.1:1/kbqa")  # nothing listens on port 1
    with pytest.raises(DatabaseUnavailable) as e:
        db.prepare()
    assert "cannot reach the database" in str(e.value) and "hunter2" not in str(e.value)
    empty = Database(f"sqlite:///{tmp_path / 'e.sqlite3'}")
    with pytest.raises(SchemaBehind) as e:
        empty.check()
    assert "kbqa db upgrade" in str(e.value)


def test_old_feedback_file_as_the_database_keeps_every_row(tmp_path):
    path = tmp_path / "feedback.sqlite3"
    rows = old_store(path)
    assert is_legacy_file(path)
    store = FeedbackStore(path)  # the old file itself: migrated in place
    recs = list(store.records())
    assert len(recs) == len(rows) and not is_legacy_file(path)
    _check_legacy(recs, rows)
    store.add(source="web", rating=1, question="new", answer="a")
    assert store.count() == len(rows) + 1


def test_old_feedback_file_in_home_is_imported_once(tmp_path):
    from kbqa.store import open_store

    home = tmp_path / "home"
    home.mkdir()
    rows = old_store(home / "feedback.sqlite3")
    store = open_store(Settings(home=home, embedder="fake"))
    store.prepare()
    recs = list(store.feedback.records())
    _check_legacy(recs, rows)
    assert not (home / "feedback.sqlite3").exists() and (home / "feedback.sqlite3.migrated").exists()
    assert import_legacy(store.db, home / "feedback.sqlite3.migrated") == len(rows)  # again: nothing doubles
    assert store.feedback.count() == len(rows)


def _check_legacy(recs, rows):
    assert [r["question"] for r in recs] == [r[3] for r in rows]
    assert [r["rating"] for r in recs] == [r[2] for r in rows]
    assert recs[0]["id"] == "legacy-1" and recs[0]["extra"]["user"] == "UALICE"  # the old JSON, kept as it was
    assert recs[0]["answer_id"] == f"{0:016x}" and recs[0]["topic"] == 1 and recs[0]["status"] == "answered"
    assert recs[0]["citations"][0]["expert"] == "gavin_zhang"
    assert abs(time.mktime(time.strptime(recs[1]["created"][:19], "%Y-%m-%dT%H:%M:%S")) - time.timezone
               - rows[1][0]) < 1.5
    assert recs[-1]["citations"] == [{"unparsed": "not json"}] and recs[-1]["extra"] == {"unparsed": "{also not"}
