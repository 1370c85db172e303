"""Thumbs up/down from the web page, the JSON API and Slack, in the database's ``feedback`` table.

``add_vote`` is the one place where feedback records are built. A record points at the answer it rates
(``answer_id``, the question log's id) and keeps what the front end still knew of it (question, answer text, the
cited experts), so it stands on its own when the question log is off or purged. Slack's team, channel and user ids
are stored as keyed hashes only.

A store with a ``Writer`` (every front end's: ``kbqa.store.open_store``) hands records to it: durable in the local
spool before ``add`` returns, in the database soon after, never blocking. A store built on a path or a Database
alone (tests, tools) writes each record in its own transaction before returning.

The store is bounded (``KBQA_FEEDBACK_MAX_RECORDS``): once it holds that many records, ``add`` raises
``FeedbackFull`` and nothing stored is dropped to make room (export the records and clear the store). The bound is
approximate: a store without a writer counts the table in the transaction that inserts (concurrent writers may
pass it by a few records); a store with a writer counts the table (plus its own records still on their way) at
most every ``COUNT_EVERY_S`` seconds and in between adds what it stored itself, so several replicas together may
pass the bound by what they store in that time, and while the database cannot be reached the last count is used.
``set_rating`` changes the rating of a stored record (one vote per answer per session on the web page).

The old SQLite store (``<home>/feedback.sqlite3``, before the database) is imported by ``import_legacy`` at the
first start, row for row, and then renamed ``feedback.sqlite3.migrated``.
"""
from __future__ import annotations

import json
import logging
import sqlite3
import sys
import threading
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

from kbqa.errors import KbqaError
from kbqa.store import schema
from kbqa.store.db import Database
from kbqa.store.spool import insert_records

log = logging.getLogger("kbqa.store")

LEGACY_FILE = "feedback.sqlite3"
# What a stored citation keeps of the Answer's: enough to say which expert said what.
CITATION_FIELDS = ("n", "topic", "expert", "quote")
SLACK_IDS = ("team", "channel", "user")
DEFAULT_MAX_RECORDS = 100_000
COUNT_EVERY_S = 10.0  # with a writer: how often the table is counted for the bound (see the module docstring)


class FeedbackFull(KbqaError):
    """The store holds its maximum number of records (KBQA_FEEDBACK_MAX_RECORDS); nothing is dropped to make
    room: export the records and clear the store."""


class FeedbackStore:
    def __init__(self, db: Database | Path | str, writer=None, ids=None, metrics=None,
                 max_records: int = DEFAULT_MAX_RECORDS) -> None:
        if isinstance(db, (str, Path)):
            db = Database("sqlite:///" + str(Path(db).resolve()))
        self.db = db
        self.writer = writer
        self._ids = ids
        self.metrics = metrics
        self.max_records = max_records
        self._bound_lock = threading.Lock()
        self._counted: tuple[int, float] | None = None  # (records at the last count, when: monotonic)
        self._added = 0  # records this store handed to its writer since that count

    @property
    def path(self) -> Path | None:
        """The SQLite file (None on PostgreSQL)."""
        return self.db.path

    @property
    def ids(self):
        if self._ids is None:  # a store without the process's Store: SQLite, a key beside the database file;
            from kbqa.settings import Settings  # PostgreSQL, the configured one (KBQA_ID_SALT or <home>/id_salt)
            from kbqa.store.ids import SALT_FILE, IdHasher, _home_salt

            if self.db.path is not None:
                self._ids = IdHasher(_home_salt(self.db.path.parent / SALT_FILE))
            else:
                self._ids = IdHasher.from_settings(Settings.from_env())
        return self._ids

    # ---- writing ------------------------------------------------------------------------------------
    def add(self, *, source: str, rating: int, question: str, answer: str, citations: list | tuple = (),
            extra: dict | None = None, answer_id: str | None = None, status: str | None = None,
            topic: int | None = None, confidence: float | None = None, team=None, channel=None, user=None) -> str:
        """Store one record; returns its id once it is durable. rating is +1 (thumbs up) or -1 (thumbs down).
        ``team``/``channel``/``user``: raw Slack ids, stored hashed. Raises FeedbackFull when the store holds
        ``max_records`` (approximately: see the module docstring), SpoolFull / KbqaError when the record could not
        be kept (the caller must not say it was)."""
        if rating not in (1, -1):
            raise ValueError("rating must be 1 or -1")
        row = {
            "id": uuid.uuid4().hex, "created": time.time(), "source": schema.clean_text(source, 64),
            "answer_id": schema.clean_text(answer_id, 40) if answer_id else None, "rating": int(rating),
            "question": schema.clean_text(question, schema.MAX_QUESTION),
            "answer": schema.clean_text(answer, schema.MAX_ANSWER),
            "status": schema.clean_text(status, 16) if isinstance(status, str) else None,
            "topic": topic if isinstance(topic, int) and not isinstance(topic, bool) else None,
            "confidence": float(confidence) if isinstance(confidence, (int, float)) and not isinstance(confidence, bool)
            else None,
            "citations": _plain(_compact(citations)), "extra": _plain(extra or {}),
            "team_hash": self.ids("team", team) if team else None,
            "channel_hash": self.ids("channel", channel) if channel else None,
            "user_hash": self.ids("user", user) if user else None,
        }
        if self.writer is not None:
            with self._bound_lock:  # the check and the count of what this store added go together
                self._check_room()
                self.writer.submit("feedback", row)
                self._added += 1
        else:
            if not self.db.ready:
                self.db.prepare()
            with self.db.begin() as conn:
                if self._table_count(conn) >= self.max_records:
                    raise self._full()
                insert_records(self.db, conn, [("feedback", row)])
        if self.metrics:
            self.metrics.feedback(source, rating)
        return row["id"]

    def add_vote(self, source: str, rating: int, question: str, answer: dict, **context) -> str:
        """Store a vote on an answer (an ``Answer.to_dict()``, or what a front end still knows of one): the one
        place where web, API and Slack feedback records are built. ``context``: ``answer_id`` (else the answer's
        ``id``), Slack's ``team``/``channel``/``user`` (hashed), anything else goes to ``extra``."""
        ids = {k: context.pop(k, None) for k in SLACK_IDS}
        answer_id = context.get("answer_id") or answer.get("id") or None
        extra = {"status": answer.get("status"), "topic": answer.get("topic")}
        if "confidence" in answer:
            extra["confidence"] = answer["confidence"]
        extra.update({k: v for k, v in context.items() if v is not None})
        if answer_id:
            extra["answer_id"] = answer_id
        return self.add(source=source, rating=rating, question=question, answer=answer.get("answer") or "",
                        citations=answer.get("citations") or (), extra=extra, answer_id=answer_id,
                        status=answer.get("status"), topic=answer.get("topic"), confidence=answer.get("confidence"),
                        **ids)

    def set_rating(self, record_id: str, rating: int) -> bool:
        """Change the rating of a stored record (the same person changing their mind); False if there is no such
        record. A record of this process still on its way to the database is shipped first (briefly); a database
        that cannot be reached raises DatabaseUnavailable (a KbqaError: the vote was not changed)."""
        if rating not in (1, -1):
            raise ValueError("rating must be 1 or -1")
        if not isinstance(record_id, str) or not record_id:
            return False
        if self.writer is not None:
            self.writer.flush(2.0)
        if not self.db.ready:
            self.db.prepare()
        f = schema.feedback
        with self.db.begin() as conn:
            res = conn.execute(sa.update(f).where(f.c.id == record_id).values(rating=int(rating)))
            return res.rowcount == 1

    # ---- the bound ----------------------------------------------------------------------------------
    def _full(self) -> FeedbackFull:
        return FeedbackFull(f"the feedback store holds {self.max_records} records, its maximum "
                            "(KBQA_FEEDBACK_MAX_RECORDS): export and clear it")

    @staticmethod
    def _table_count(conn) -> int:
        return int(conn.execute(sa.select(sa.func.count()).select_from(schema.feedback)).scalar_one())

    def _check_room(self) -> None:
        """(With a writer, under _bound_lock.) FeedbackFull when the store holds max_records by the last count
        plus what this store added since; the table is counted again when that count is old or says full.
        While the database is down (or was never counted) the last count stands (the spool is bounded too)."""
        now = time.monotonic()
        counted = self._counted
        estimate = None if counted is None else counted[0] + self._added
        stale = counted is None or now - counted[1] >= COUNT_EVERY_S or estimate >= self.max_records
        if stale and self.writer.db_up is not False:
            try:
                if not self.db.ready:
                    self.db.prepare()
                on_the_way = self.writer.pending_count("feedback")  # first: a record shipped meanwhile counts twice
                with self.db.begin() as conn:
                    n = self._table_count(conn)
                self._counted, self._added = (n + on_the_way, now), 0
                estimate = n + on_the_way
            except KbqaError as e:
                log.warning("kbqa: cannot count the feedback records for KBQA_FEEDBACK_MAX_RECORDS: %s", e)
        if estimate is not None and estimate >= self.max_records:
            raise self._full()

    # ---- reading ------------------------------------------------------------------------------------
    def _flush(self) -> None:
        """Before a read: this process's queued records first; the schema checked (SQLite: upgraded)."""
        if self.writer is not None:
            self.writer.flush(5.0)
        if not self.db.ready:
            self.db.prepare()

    def count(self) -> int:
        self._flush()
        with self.db.begin() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(schema.feedback)).scalar_one())

    def records(self, since=None):
        """Every record, oldest first (read in pages: a long export holds no lock)."""
        self._flush()
        f = schema.feedback
        last = None
        while True:
            q = sa.select(f).order_by(f.c.created, f.c.id).limit(1000)
            if since is not None:
                q = q.where(f.c.created >= since)
            if last is not None:
                q = q.where(sa.or_(f.c.created > last[0], sa.and_(f.c.created == last[0], f.c.id > last[1])))
            with self.db.begin() as conn:
                rows = conn.execute(q).mappings().all()
            if not rows:
                return
            for r in rows:
                yield record_dict(r)
            last = (rows[-1]["created"], rows[-1]["id"])

    def export_jsonl(self, out, since=None) -> int:
        n = 0
        for rec in self.records(since):
            out.write(json.dumps(rec, ensure_ascii=False) + "\n")
            n += 1
        return n


def record_dict(r) -> dict:
    """A feedback row as exported (the old store's fields first, then the new ones)."""
    return {"id": r["id"], "created": iso(r["created"]), "source": r["source"], "rating": r["rating"],
            "question": r["question"], "answer": r["answer"], "citations": r["citations"], "extra": r["extra"],
            "answer_id": r["answer_id"], "status": r["status"], "topic": r["topic"], "confidence": r["confidence"],
            "team": r["team_hash"], "channel": r["channel_hash"], "user": r["user_hash"]}


def iso(t) -> str | None:
    return None if t is None else t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def _compact(citations) -> list:
    out = []
    for c in list(citations)[:50]:
        if isinstance(c, dict):
            out.append({k: c[k] for k in CITATION_FIELDS if k in c})
        else:
            out.append(c)
    return out


def _plain(value):
    """JSON-safe and storable: through json (default=str), with NUL and lone surrogates cleaned."""
    text = schema.clean_text(json.dumps(value, ensure_ascii=False, default=str))
    return json.loads(text)


# ---- the old store ----------------------------------------------------------------------------------
def legacy_row(r: dict) -> dict:
    """One row of the old SQLite store as a spool record of the new feedback table (its id ``legacy-<id>``, its
    JSON kept; status, topic and confidence also in their columns). Kept in step with the copy in migration 0001."""
    def load(text, default):
        try:
            return json.loads(text) if isinstance(text, str) else default
        except ValueError:
            return {"unparsed": text} if default == {} else [{"unparsed": text}]

    extra = load(r["extra"], {})
    extra = extra if isinstance(extra, dict) else {"value": extra}
    cites = load(r["citations"], [])
    topic, conf = extra.get("topic"), extra.get("confidence")
    return {"id": f"legacy-{r['id']}", "created": float(r["created"]), "source": str(r["source"]),
            "answer_id": str(extra["answer_id"])[:40] if extra.get("answer_id") else None, "rating": int(r["rating"]),
            "question": r["question"] or "", "answer": r["answer"] or "",
            "status": extra.get("status") if isinstance(extra.get("status"), str) else None,
            "topic": topic if isinstance(topic, int) and not isinstance(topic, bool) else None,
            "confidence": float(conf) if isinstance(conf, (int, float)) and not isinstance(conf, bool) else None,
            "citations": cites if isinstance(cites, list) else [cites], "extra": extra,
            "team_hash": None, "channel_hash": None, "user_hash": None}


def is_legacy_file(path: Path) -> bool:
    """A SQLite file of the old store: a feedback table without answer_id, and no schema version."""
    if not Path(path).is_file():
        return False
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
        try:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if "feedback" not in tables or "alembic_version" in tables:
                return False
            cols = {r[1] for r in conn.execute("PRAGMA table_info(feedback)")}
        finally:
            conn.close()
    except sqlite3.Error:
        return False
    return "answer_id" not in cols and {"id", "created", "rating", "extra"} <= cols


def import_legacy(db: Database, path: Path) -> int:
    """Copy every row of an old feedback file into ``db`` (idempotent: ids ``legacy-<id>``), check that all are
    there, then rename the file ``<name>.migrated``. Returns the rows copied; KbqaError (one line) otherwise."""
    path = Path(path)
    try:
        conn = sqlite3.connect(path, timeout=30)
        try:
            conn.row_factory = sqlite3.Row
            rows = [legacy_row(dict(r)) for r in conn.execute(
                "SELECT id, created, source, rating, question, answer, citations, extra FROM feedback ORDER BY id")]
        finally:
            conn.close()
    except (sqlite3.Error, ValueError, TypeError) as e:
        raise KbqaError(f"cannot read the old feedback file {path}: {e} (it is left as it is)") from None
    if not db.ready:
        db.prepare()
    with db.begin() as c:
        for i in range(0, len(rows), 500):
            insert_records(db, c, [("feedback", r) for r in rows[i:i + 500]])
        ids = [r["id"] for r in rows]
        found = 0
        for i in range(0, len(ids), 500):
            found += c.execute(sa.select(sa.func.count()).select_from(schema.feedback)
                               .where(schema.feedback.c.id.in_(ids[i:i + 500]))).scalar_one()
    if found != len(rows):
        raise KbqaError(f"importing {path}: {found} of {len(rows)} rows arrived; the file is left as it is")
    path.rename(path.with_name(path.name + ".migrated"))
    for side in ("-wal", "-shm"):
        Path(str(path) + side).unlink(missing_ok=True)
    log.info("kbqa: imported %d feedback records from %s into %s (the old file is kept as %s.migrated)",
             len(rows), path, db.safe_url, path.name)
    return len(rows)


def default_store(settings) -> FeedbackStore:
    """The process's feedback store (the one the web page, the API and Slack share)."""
    from kbqa.store import open_store

    return open_store(settings).feedback


def run_cli(args) -> int:
    """`kbqa feedback export [--out FILE] [--since DATE]`."""
    from kbqa.settings import Settings
    from kbqa.store.questions import parse_since

    if getattr(args, "action", None) != "export":
        print("usage: kbqa feedback export [--out FILE] [--since DATE]", file=sys.stderr)
        return 2
    from kbqa.store import open_store

    since = parse_since(getattr(args, "since", None))
    state = open_store(Settings.from_env())
    state.db.prepare()
    state.writer.replay_orphans()  # what a stopped process left in this home's spool belongs in the export
    store = state.feedback
    if args.out in (None, "-"):
        n = store.export_jsonl(sys.stdout, since)
    else:
        with open(args.out, "w", encoding="utf-8") as f:
            n = store.export_jsonl(f, since)
    print(f"exported {n} feedback records", file=sys.stderr)
    return 0
