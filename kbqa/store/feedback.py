"""Thumbs up/down feedback, stored durably in SQLite under KBQA_HOME (shared by the web page and Slack).

One short transaction per record in WAL mode: concurrent writers from several threads or processes are
serialised by SQLite, and a committed record survives a crash. Parameters are always bound, never
formatted into SQL.
"""
from __future__ import annotations

import json
import sqlite3
import sys
import threading
import time
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
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


class FeedbackFull(RuntimeError):
    """The store holds its maximum number of records (KBQA_FEEDBACK_MAX_RECORDS); nothing is dropped to make
    room: export the records and clear the store."""


DEFAULT_MAX_RECORDS = 100_000


class FeedbackStore:
    def __init__(self, path: Path, max_records: int = DEFAULT_MAX_RECORDS) -> None:
        self.path = Path(path)
        self.max_records = max_records
        self._local = threading.local()

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA busy_timeout=30000")
            conn.execute(SCHEMA)
            self._local.conn = conn
        return conn

    def add(self, *, source: str, rating: int, question: str, answer: str, citations: list | tuple = (),
            extra: dict | None = None) -> int:
        """Store one record; returns its id. rating is +1 (thumbs up) or -1 (thumbs down). Raises
        FeedbackFull when the store already holds ``max_records``."""
        if rating not in (1, -1):
            raise ValueError("rating must be 1 or -1")
        conn = self._conn()
        # A bound, not an exact count under concurrent writers (they may pass it by a few records).
        if conn.execute("SELECT COALESCE(MAX(id), 0) FROM feedback").fetchone()[0] >= self.max_records and \
                self.count() >= self.max_records:
            raise FeedbackFull(f"the feedback store holds {self.max_records} records, its maximum "
                               "(KBQA_FEEDBACK_MAX_RECORDS): export and clear it")
        cur = conn.execute(
            "INSERT INTO feedback (created, source, rating, question, answer, citations, extra)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (time.time(), _utf8(source, 64), int(rating), _utf8(question, 20000), _utf8(answer, 100000),
             _utf8(json.dumps(list(citations), ensure_ascii=False, default=str)),
             _utf8(json.dumps(extra or {}, ensure_ascii=False, default=str))))
        return int(cur.lastrowid)

    def add_vote(self, source: str, rating: int, question: str, answer: dict, **context) -> int:
        """Store a vote on an answer (an ``Answer.to_dict()``, or what a front end still knows of one):
        the one place where web and Slack feedback records are built. ``context`` goes to ``extra``."""
        extra = {"status": answer.get("status"), "topic": answer.get("topic")}
        if "confidence" in answer:
            extra["confidence"] = answer["confidence"]
        extra.update(context)
        return self.add(source=source, rating=rating, question=question, answer=answer.get("answer") or "",
                        citations=answer.get("citations") or (), extra=extra)

    def set_rating(self, record_id: int, rating: int) -> bool:
        """Change the rating of a stored vote (the same person changing their mind); False if there is no
        such record."""
        if rating not in (1, -1):
            raise ValueError("rating must be 1 or -1")
        cur = self._conn().execute("UPDATE feedback SET rating = ? WHERE id = ?", (int(rating), int(record_id)))
        return cur.rowcount == 1

    def count(self) -> int:
        return int(self._conn().execute("SELECT COUNT(*) FROM feedback").fetchone()[0])

    def records(self):
        cur = self._conn().execute(
            "SELECT id, created, source, rating, question, answer, citations, extra FROM feedback ORDER BY id")
        for row in cur:
            yield {"id": row[0], "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(row[1])),
                   "source": row[2], "rating": row[3], "question": row[4], "answer": row[5],
                   "citations": json.loads(row[6]), "extra": json.loads(row[7])}

    def export_jsonl(self, out) -> int:
        n = 0
        for rec in self.records():
            out.write(json.dumps(rec, ensure_ascii=False) + "\n")
            n += 1
        return n


def _utf8(value, limit: int | None = None) -> str:
    """str(value) cut to limit, with lone surrogates (valid in JSON, not in UTF-8) replaced: SQLite would refuse them."""
    text = str(value)[:limit]
    return text.encode("utf-8", "replace").decode("utf-8")


def default_store(settings) -> FeedbackStore:
    return FeedbackStore(Path(settings.home) / "feedback.sqlite3",
                         getattr(settings, "feedback_max_records", DEFAULT_MAX_RECORDS))


def run_cli(args) -> int:
    """`kbqa feedback export [--out FILE]`."""
    from kbqa.settings import Settings

    if getattr(args, "action", None) != "export":
        print("usage: kbqa feedback export [--out FILE]", file=sys.stderr)
        return 2
    store = default_store(Settings.from_env())
    if args.out in (None, "-"):
        n = store.export_jsonl(sys.stdout)
    else:
        with open(args.out, "w", encoding="utf-8") as f:
            n = store.export_jsonl(f)
    print(f"exported {n} feedback records", file=sys.stderr)
    return 0
