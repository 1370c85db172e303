"""The background writer: ships spooled records to the database in batches (see ``spool.py`` for the promise).

``Writer.submit`` spools a record and queues it; one thread per process ships the queue, retries with backoff
while the database is down, empties or rotates the segment once everything in it is committed, replays the
segments of processes that died, and runs the question log's retention. ``purge`` is that retention.
"""
from __future__ import annotations

import logging
import os
import threading
import time
from datetime import timedelta

from kbqa.errors import KbqaError
from kbqa.store import schema
from kbqa.store.db import Database, describe, is_unavailable
from kbqa.store.spool import KINDS, Spool, SpoolFull, encode, insert_records, read_segment

log = logging.getLogger("kbqa.store")

BATCH = 500  # records per transaction
# Once a record is queued, the writer waits this long for others before it commits: under load one
# transaction then carries many records instead of one each (a commit per answer cost the server more CPU
# than the answer's HTTP handling). The records are in the spool already, so the wait risks nothing.
LINGER_S = 0.05
ROTATE_BYTES = 1 << 20  # a segment past this, with everything but the queue committed, is rewritten
BACKOFF_S = (0.2, 0.5, 1.0, 2.0, 5.0)  # waits between attempts while the database is down
MAINTENANCE_S = 30.0  # orphan segments are looked for this often (and at start)
RETENTION_EVERY_S = 3600.0

class Writer:
    """The background writer of one process (see the module's docstring)."""

    def __init__(self, db: Database, spool: Spool, *, retention_days: int = 0, metrics=None) -> None:
        self.db, self.spool = db, spool
        self.retention_days = retention_days
        self.metrics = metrics
        self._cond = threading.Condition()
        self._pending: list[tuple[str, dict, bytes]] = []
        self._thread: threading.Thread | None = None
        self._closing = False
        self._closed = False
        self.db_up: bool | None = None  # None: not tried yet
        self.last_error = ""
        self.written = 0  # records committed by this process (own and replayed)
        self.replayed = 0  # of them, from orphan segments
        self._next_retention = 0.0

    # -- front end side --
    def submit(self, kind: str, row: dict) -> None:
        """Make the record durable in the spool and queue it; SpoolFull when it could not be kept."""
        data = encode(kind, row)
        with self._cond:
            if self._closed:
                raise SpoolFull("the store is closed")
            self.spool.append(data)
            self._pending.append((kind, row, data))
            n = len(self._pending)
            self._cond.notify_all()
        self._gauge(n)
        self._ensure_thread()

    @property
    def pending(self) -> int:
        with self._cond:
            return len(self._pending)

    def pending_count(self, kind: str) -> int:
        """Records of ``kind`` queued and not yet committed."""
        with self._cond:
            return sum(1 for k, _row, _data in self._pending if k == kind)

    def flush(self, timeout_s: float = 10.0) -> bool:
        """Wait until everything queued so far is committed; False on timeout (e.g. the database is down)."""
        if not self.pending:
            return True
        self._ensure_thread()
        deadline = time.monotonic() + timeout_s
        with self._cond:
            self._cond.notify_all()
            while self._pending:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(min(left, 0.2))
        return True

    def close(self, timeout_s: float = 5.0) -> int:
        """Ship what is queued (within timeout_s), stop the thread and release the segment; what could not be
        shipped stays in the segment for the next process. Returns the records left behind."""
        with self._cond:
            if self._closed:
                return len(self._pending)
            self._closing = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout_s)
        with self._cond:
            self._closed = True
            left = len(self._pending)
            try:
                self.spool.close(drained=left == 0)
            except OSError:
                pass
        if left:
            log.warning("kbqa: %d records could not reach the database before exit; they wait in %s and are "
                        "written by the next kbqa process on this home", left, self.spool.path)
        return left

    def _ensure_thread(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            with self._cond:
                if self._closing or self._closed:
                    return
                if self._thread is None or not self._thread.is_alive():
                    self._thread = threading.Thread(target=self._run, name="kbqa-writer", daemon=True)
                    self._thread.start()

    def start(self) -> None:
        """Start the thread now (it replays orphan segments at once)."""
        self._ensure_thread()

    # -- the thread --
    def _run(self) -> None:
        attempt = 0
        next_maintenance = 0.0  # at once: orphans left by a process that died are replayed first
        while True:
            try:
                if time.monotonic() >= next_maintenance:
                    next_maintenance = time.monotonic() + MAINTENANCE_S
                    self._maintain()
                with self._cond:
                    while not self._pending and not self._closing and time.monotonic() < next_maintenance:
                        self._cond.wait(max(0.0, next_maintenance - time.monotonic()))
                    until = time.monotonic() + LINGER_S  # submit() and close() notify: each ends a wait
                    while self._pending and len(self._pending) < BATCH and not self._closing \
                            and time.monotonic() < until:
                        self._cond.wait(max(0.0, until - time.monotonic()))
                    closing = self._closing
                    batch = self._pending[:BATCH]
                if not batch:
                    if closing:
                        return
                    continue
                if self._ship(batch):
                    attempt = 0
                    self._committed(len(batch))
                    continue
                if closing:
                    return
                attempt += 1
                with self._cond:  # wait before the next attempt; close() cuts it short
                    if not self._closing:
                        self._cond.wait(BACKOFF_S[min(attempt, len(BACKOFF_S)) - 1])
            except Exception:  # noqa: BLE001 - the writer must outlive any surprise; the records stay spooled
                log.exception("kbqa: the record writer hit an unexpected error; retrying")
                time.sleep(1.0)

    def _committed(self, n: int) -> None:
        with self._cond:
            del self._pending[:n]
            try:
                if not self._pending:
                    self.spool.reset()
                elif self.spool.size > ROTATE_BYTES:
                    self.spool.rotate([data for _, _, data in self._pending])
            except (OSError, KbqaError) as e:  # the records are committed; a stale segment only replays twice
                log.warning("kbqa: could not trim the spool %s: %s", self.spool.path, e)
            left = len(self._pending)
            self._cond.notify_all()
        self._gauge(left)

    def _ship(self, batch, replay: bool = False) -> bool:
        """Commit a batch; True when done (records the database refuses are set aside), False while the database
        cannot be reached (or its schema is behind)."""
        records = [(k, r) for k, r, *_ in batch]
        try:
            if not self.db.ready:
                self.db.prepare()
            try:
                with self.db.begin() as conn:
                    insert_records(self.db, conn, records)
            except Exception as e:  # noqa: BLE001
                if is_unavailable(e):
                    raise
                self._one_by_one(records)  # a refused record must not hold up the others
        except Exception as e:  # noqa: BLE001
            if not is_unavailable(e):
                raise
            self._down(e)
            return False
        self._up()
        self.written += len(records)
        if replay:
            self.replayed += len(records)
        if self.metrics:
            for kind in KINDS:
                n = sum(k == kind for k, _ in records)
                if n:
                    self.metrics.records_written(kind, n)
        return True

    def _one_by_one(self, records) -> None:
        for kind, row in records:
            try:
                with self.db.begin() as conn:
                    insert_records(self.db, conn, [(kind, row)])
            except Exception as e:  # noqa: BLE001
                if is_unavailable(e):
                    raise
                self._reject(kind, row, e)

    def _reject(self, kind: str, row: dict, e: Exception) -> None:
        path = self.spool.folder / "rejected.jsonl"
        try:
            with open(path, "ab") as f:
                f.write(encode(kind, row))
        except OSError:
            pass
        log.warning("kbqa: the database refused a %s record (%s); it is kept in %s", kind, describe(e), path)
        if self.metrics:
            self.metrics.record_dropped(kind, "refused")

    def _down(self, e: Exception) -> None:
        msg = str(e) if isinstance(e, KbqaError) else describe(e)
        if self.db_up is not False or msg != self.last_error:
            log.warning("kbqa: the database cannot take records (%s); answers go on and records wait in the "
                        "spool %s", msg, self.spool.folder)
        self.db_up, self.last_error = False, msg
        if self.metrics:
            self.metrics.database_up(False)

    def _up(self) -> None:
        if self.db_up is False:
            log.info("kbqa: the database is reachable again; the spooled records are being written")
        self.db_up, self.last_error = True, ""
        if self.metrics:
            self.metrics.database_up(True)

    def _gauge(self, n: int) -> None:
        if self.metrics:
            self.metrics.spooled(n)

    # -- maintenance: orphans, retention, expired claims --
    def _maintain(self) -> None:
        if self.db_up is not True and not self._probe():  # first time: says up or down at once (/metrics)
            return
        self.replay_orphans()
        if time.monotonic() >= self._next_retention:
            self._next_retention = time.monotonic() + RETENTION_EVERY_S
            try:
                purge(self.db, self.retention_days)
            except Exception as e:  # noqa: BLE001
                if not is_unavailable(e):
                    log.warning("kbqa: retention failed: %s", describe(e))

    def _probe(self) -> bool:
        try:
            if not self.db.ready:
                self.db.prepare()
            with self.db.begin():
                pass
        except Exception as e:  # noqa: BLE001
            self._down(e)
            return False
        self._up()
        return True

    def replay_orphans(self) -> int:
        """Write the segments of processes that are gone, then delete them; returns the records replayed."""
        total = 0
        for path, fd in self.spool.orphans():
            try:
                records, bad = read_segment(fd)
                ok = all(self._ship(records[i:i + BATCH], replay=True) for i in range(0, len(records), BATCH))
                if not ok:
                    continue  # the database went away: the segment stays for the next attempt
                total += len(records)
                if bad:
                    kept = path.with_name(path.name + ".corrupt")
                    os.rename(path, kept)
                    log.warning("kbqa: spool file %s had %d unreadable line(s); its %d other records were written "
                                "and the file is kept as %s", path, bad, len(records), kept)
                else:
                    path.unlink(missing_ok=True)
                    if records:
                        log.info("kbqa: wrote %d records left in %s by a process that stopped", len(records), path)
            except OSError as e:
                log.warning("kbqa: cannot replay the spool file %s: %s", path, e.strerror or e)
            finally:
                os.close(fd)
        return total


def purge(db: Database, retention_days: int) -> dict:
    """Delete question-log rows older than ``retention_days`` (0: none) and expired claims."""
    import sqlalchemy as sa

    out = {"questions": 0, "claims": 0}
    with db.begin() as conn:
        if retention_days > 0:
            cutoff = schema.now() - timedelta(days=retention_days)
            old = sa.select(schema.questions.c.id).where(schema.questions.c.created < cutoff)
            conn.execute(sa.delete(schema.citations).where(schema.citations.c.answer_id.in_(old)))
            out["questions"] = conn.execute(
                sa.delete(schema.questions).where(schema.questions.c.created < cutoff)).rowcount
        out["claims"] = conn.execute(sa.delete(schema.claims).where(schema.claims.c.expires < schema.now())).rowcount
    return out
