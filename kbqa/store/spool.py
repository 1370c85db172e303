"""Records on their way to the database, so that writing never blocks an answer and nothing acknowledged is lost.

* ``Writer.submit`` appends the record as one JSON line to this process's spool segment under
  ``<home>/spool/`` (one ``os.write`` on an O_APPEND file: a process killed with SIGKILL right after has still
  handed it to the kernel) and queues it. Only then does the front end answer or say "feedback stored".
* One background thread per process ships the queue to the database in batches, one transaction each,
  ``INSERT … ON CONFLICT DO NOTHING`` keyed on the record's id: shipping a record twice stores it once.
  While the database is down it retries with backoff and the segment grows; once everything in it is
  committed the segment is emptied (or, under steady traffic, rewritten with only what is still queued).
* A segment is held with an exclusive ``flock`` for the life of its process. A segment nobody holds belongs to
  a process that died: the next writer on the same home (the restarted container, another worker, or the next
  ``kbqa`` command) replays it and deletes it.
* Bounded: past ``KBQA_SPOOL_MAX_MB`` in one segment, ``submit`` raises ``SpoolFull``; question-log records are
  then dropped (counted in /metrics) and feedback is refused, so it is never acknowledged and lost.
* A damaged segment (a torn or garbled line) is replayed line by line: the good records are written, the file
  is kept as ``<name>.corrupt`` for a person to read, and one warning line says so. A record the database
  refuses (a constraint) goes to ``rejected.jsonl`` beside it, with one warning line; the rest carry on.

No fsync: a killed process loses nothing; a machine that loses power loses its last seconds (the spool sits in an
emptyDir in Kubernetes, which does not outlive the pod anyway; a graceful stop drains it first).
"""
from __future__ import annotations

import fcntl
import json
import logging
import os
import re
import socket
import uuid
from pathlib import Path

from kbqa.errors import KbqaError
from kbqa.store import schema
from kbqa.store.db import Database

log = logging.getLogger("kbqa.store")

KINDS = ("question", "feedback")
SUFFIX = ".jsonl"


class SpoolFull(KbqaError):
    """The spool cannot take the record (full, or its disk refuses): it was not stored."""


# ---- the records ------------------------------------------------------------------------------------
def valid(kind, row) -> bool:
    """A record as a spool line holds it: the shape ``insert_records`` needs (a garbled line fails here)."""
    if kind not in KINDS or not isinstance(row, dict) or not isinstance(row.get("id"), str) or not row["id"]:
        return False
    if not isinstance(row.get("created"), (int, float)):
        return False
    if kind == "question":
        return (isinstance(row.get("question"), str) and isinstance(row.get("status"), str)
                and isinstance(row.get("kind"), str) and isinstance(row.get("frontend"), str)
                and isinstance(row.get("confidence"), (int, float)) and isinstance(row.get("citations", []), list))
    return row.get("rating") in (1, -1) and isinstance(row.get("source"), str)


def _insert(db: Database, table):
    if db.dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table).on_conflict_do_nothing()


QUESTION_COLUMNS = tuple(c.name for c in schema.questions.columns)
FEEDBACK_COLUMNS = tuple(c.name for c in schema.feedback.columns)


def insert_records(db: Database, conn, records: list[tuple[str, dict]]) -> None:
    """Insert records (kind, row) on one connection, in its transaction; a record already there is left as it
    is (ON CONFLICT DO NOTHING), so a replay stores nothing twice."""
    qs = [r for k, r in records if k == "question"]
    fb = [r for k, r in records if k == "feedback"]
    if qs:
        conn.execute(_insert(db, schema.questions), [{c: r.get(c) for c in QUESTION_COLUMNS} for r in qs])
        cites = [{"answer_id": r["id"], "n": int(c[0]), "topic": int(c[1]), "expert": str(c[2])[:128]}
                 for r in qs for c in r.get("citations", [])]
        if cites:
            conn.execute(_insert(db, schema.citations), cites)
    if fb:
        conn.execute(_insert(db, schema.feedback),
                     [{c: r.get(c, [] if c == "citations" else {} if c == "extra" else None)
                       for c in FEEDBACK_COLUMNS} for r in fb])


def encode(kind: str, row: dict) -> bytes:
    return (json.dumps({"k": kind, "r": row}, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


def read_segment(fd: int) -> tuple[list[tuple[str, dict]], int]:
    """The records of a segment and how many lines could not be read (garbled, or a torn last line)."""
    chunks = []
    os.lseek(fd, 0, os.SEEK_SET)
    while True:
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            break
        chunks.append(chunk)
    data = b"".join(chunks)
    lines = data.split(b"\n")
    torn = lines.pop() if lines else b""  # after the last newline: empty unless the last write was cut short
    records, bad = [], int(bool(torn.strip()))
    for line in lines:
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            kind, row = obj["k"], obj["r"]
        except (ValueError, KeyError, TypeError):
            bad += 1
            continue
        if valid(kind, row):
            records.append((kind, row))
        else:
            bad += 1
    return records, bad


# ---- the files --------------------------------------------------------------------------------------
class Spool:
    """This process's segment (created on the first record) and the folder's orphans."""

    def __init__(self, folder: Path, max_bytes: int) -> None:
        self.folder = Path(folder)
        self.max_bytes = int(max_bytes)
        self.path: Path | None = None
        self.size = 0
        self._fd: int | None = None

    def _new_segment(self) -> tuple[Path, int]:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            host = re.sub(r"[^A-Za-z0-9.-]", "_", socket.gethostname())[:40] or "host"
            path = self.folder / f"{host}-{os.getpid()}-{uuid.uuid4().hex[:8]}{SUFFIX}"
            tmp = path.with_suffix(".new")  # not *.jsonl until it is locked: nobody can take it for an orphan
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, 0o600)
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            os.rename(tmp, path)
        except OSError as e:
            raise SpoolFull(f"cannot write the spool in {self.folder}: {e.strerror or e}") from None
        return path, fd

    def append(self, data: bytes) -> None:
        if self.size + len(data) > self.max_bytes:
            raise SpoolFull(f"the spool {self.path} is full ({self.max_bytes >> 20} MB, KBQA_SPOOL_MAX_MB)")
        if self._fd is None:
            self.path, self._fd = self._new_segment()
            self.size = 0
        try:
            _write_all(self._fd, data)
        except OSError as e:
            raise SpoolFull(f"cannot write the spool {self.path}: {e.strerror or e}") from None
        self.size += len(data)

    def reset(self) -> None:
        """Everything in the segment is committed: empty it."""
        if self._fd is not None and self.size:
            os.ftruncate(self._fd, 0)
            self.size = 0

    def rotate(self, keep: list[bytes]) -> None:
        """Replace the segment with a new one holding only ``keep`` (what is still queued)."""
        path, fd = self._new_segment()
        data = b"".join(keep)
        try:
            _write_all(fd, data)
        except OSError as e:
            os.close(fd)
            path.unlink(missing_ok=True)
            raise SpoolFull(f"cannot write the spool {path}: {e.strerror or e}") from None
        old_path, old_fd = self.path, self._fd
        self.path, self._fd, self.size = path, fd, len(data)
        if old_fd is not None:
            old_path.unlink(missing_ok=True)
            os.close(old_fd)

    def close(self, drained: bool) -> None:
        """Release the segment: deleted when ``drained``, else left for the next process to replay."""
        if self._fd is None:
            return
        if drained:
            self.path.unlink(missing_ok=True)
        os.close(self._fd)
        self._fd = None

    def orphans(self):
        """(path, locked fd) of every segment whose process is gone; the caller closes the fd."""
        try:
            paths = sorted(self.folder.glob("*" + SUFFIX))
        except OSError:
            return
        for p in paths:
            if p == self.path:
                continue
            try:
                fd = os.open(p, os.O_RDWR | os.O_CLOEXEC)
            except OSError:
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                if os.fstat(fd).st_ino != os.stat(p).st_ino:
                    raise FileNotFoundError  # replayed and deleted by another process meanwhile
            except OSError:  # held by a live process, or gone
                os.close(fd)
                continue
            yield p, fd


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


# ---- the writer -------------------------------------------------------------------------------------
