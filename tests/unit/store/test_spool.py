"""The spool and its writer: a record is durable before submit returns, reaches the database once (however often
it is shipped), waits while the database is away, is replayed from a dead process's segment, survives damage
around it, and a full spool refuses instead of losing. "Down" is a PostgreSQL URL on a port nothing listens on
(refused at once); "up" is a SQLite file."""
from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time

import pytest

from kbqa.store import writer as writer_mod
from kbqa.store.db import Database
from kbqa.store.feedback import FeedbackStore
from kbqa.store.spool import SpoolFull, Spool, encode, read_segment
from kbqa.store.writer import Writer

DOWN = "postgresql+psycopg://kbqa@127.0.0.1:1/kbqa"


def fb_row(i: int, rating: int = 1) -> dict:
    return {"id": f"fb{i:06d}", "created": time.time(), "source": "web", "rating": rating, "question": f"q{i}",
            "answer": "a", "citations": [{"n": 1, "topic": 2, "expert": "e"}], "extra": {}}


def q_row(i: int) -> dict:
    return {"id": f"q{i:06d}", "created": time.time(), "frontend": "api", "question": f"问题{i}", "status": "answered",
            "kind": "answer", "topic": 2, "confidence": 0.9, "nearest_topic": 2, "nearest_score": 1.0,
            "latency_ms": 3.0, "turns": 0, "answer_mode": "extractive", "kb_version": "x", "request_id": None,
            "team_hash": None, "channel_hash": None, "user_hash": None, "citations": [[1, 2, "gavin_zhang"]]}


@pytest.fixture
def up(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'up.sqlite3'}")
    db.prepare()
    return db


def count(db) -> int:
    return FeedbackStore(db).count()


def test_records_reach_the_database_and_the_segment_is_emptied(tmp_path, up):
    w = Writer(up, Spool(tmp_path / "spool", 1 << 20))
    for i in range(50):
        w.submit("feedback", fb_row(i))
        w.submit("question", q_row(i))
    assert w.flush(10)
    assert count(up) == 50 and w.written == 100
    assert w.spool.size == 0 and w.spool.path.stat().st_size == 0
    assert w.close() == 0 and not w.spool.path.exists()  # drained: the segment is gone


def test_a_record_shipped_twice_is_stored_once(any_db):
    from sqlalchemy import func, select

    from kbqa.store import schema
    from kbqa.store.spool import insert_records

    records = [("question", q_row(1)), ("feedback", fb_row(1))]
    for _ in range(3):
        with any_db.begin() as conn:
            insert_records(any_db, conn, records)
    with any_db.begin() as conn:
        assert conn.execute(select(func.count()).select_from(schema.questions)).scalar_one() == 1
        assert conn.execute(select(func.count()).select_from(schema.citations)).scalar_one() == 1
    assert count(any_db) == 1


def test_database_down_records_wait_then_the_next_process_replays_them(tmp_path, up, caplog):
    folder = tmp_path / "spool"
    w = Writer(Database(DOWN), Spool(folder, 1 << 20))
    for i in range(30):
        w.submit("feedback", fb_row(i))  # returns at once although the database is away
    assert not w.flush(1.0) and w.pending == 30 and w.db_up is False
    assert "records wait in the spool" in caplog.text
    assert w.close(0.5) == 30  # left behind, in the segment, for the next process
    assert len(list(folder.glob("*.jsonl"))) == 1
    nxt = Writer(up, Spool(folder, 1 << 20))
    assert nxt.replay_orphans() == 30
    assert count(up) == 30 and not list(folder.glob("*.jsonl"))


def test_a_live_segment_is_not_replayed_by_another_writer(tmp_path, up):
    folder = tmp_path / "spool"
    a = Writer(Database(DOWN), Spool(folder, 1 << 20))
    a.submit("feedback", fb_row(1))
    b = Writer(up, Spool(folder, 1 << 20))
    assert b.replay_orphans() == 0 and count(up) == 0  # a's process holds its lock
    a.close(0.2)
    assert b.replay_orphans() == 1 and count(up) == 1


KILLED = r"""
import sys, time
from kbqa.store.db import Database
from kbqa.store.spool import Spool
from kbqa.store.writer import Writer
w = Writer(Database(sys.argv[2]), Spool(sys.argv[1], 1 << 20))
for i in range(40):
    w.submit("feedback", {"id": f"k{i}", "created": time.time(), "source": "web", "rating": 1, "question": "q",
                          "answer": "a", "citations": [], "extra": {}})
print("submitted", flush=True)
time.sleep(60)
"""


@pytest.mark.slow
def test_a_process_killed_with_sigkill_loses_nothing_it_acknowledged(tmp_path, up):
    import signal

    from kbqa.devtools.measure import child_env

    folder = tmp_path / "spool"
    p = subprocess.Popen([sys.executable, "-c", KILLED, str(folder), DOWN], stdout=subprocess.PIPE, text=True,
                         env=child_env())
    assert p.stdout.readline().strip() == "submitted"
    p.send_signal(signal.SIGKILL)
    p.wait(10)
    p.stdout.close()
    w = Writer(up, Spool(folder, 1 << 20))
    assert w.replay_orphans() == 40 and count(up) == 40


def test_a_damaged_segment_keeps_its_good_records_and_is_kept_aside(tmp_path, up, caplog):
    folder = tmp_path / "spool"
    folder.mkdir()
    seg = folder / "deadhost-1-abc.jsonl"
    good = [encode("feedback", fb_row(i)) for i in range(5)]
    seg.write_bytes(good[0] + b"\x00\xff garbage \n" + good[1] + b'{"k": "feedback", "r": {"id": 7}}\n'
                    + good[2] + b"[1, 2]\n" + good[3] + good[4] + b'{"k": "question", "r": {"id": "tor')
    caplog.set_level(logging.WARNING, "kbqa")
    w = Writer(up, Spool(folder, 1 << 20))
    assert w.replay_orphans() == 5
    assert count(up) == 5
    kept = folder / "deadhost-1-abc.jsonl.corrupt"
    assert kept.exists() and not seg.exists()
    lines = [r for r in caplog.records if "unreadable" in r.getMessage()]
    assert len(lines) == 1 and "4 unreadable line(s)" in lines[0].getMessage() and not lines[0].exc_info
    assert w.replay_orphans() == 0  # a kept-aside file is not replayed again


def test_a_record_the_database_refuses_is_set_aside_and_the_rest_are_written(tmp_path, up, caplog):
    w = Writer(up, Spool(tmp_path / "spool", 1 << 20))
    bad = fb_row(2)
    bad["rating"] = 5  # the CHECK constraint refuses it (a hand-edited spool, say)
    for row in (fb_row(1), bad, fb_row(3)):
        w.spool.append(encode("feedback", row))
        w._pending.append(("feedback", row, encode("feedback", row)))
    w.start()
    assert w.flush(10)
    assert count(up) == 2
    rejected = (tmp_path / "spool" / "rejected.jsonl").read_text().splitlines()
    assert [json.loads(x)["r"]["id"] for x in rejected] == ["fb000002"]
    assert "refused a feedback record" in caplog.text


def test_a_full_spool_refuses_rather_than_loses(tmp_path):
    w = Writer(Database(DOWN), Spool(tmp_path / "spool", 2000))
    stored = 0
    with pytest.raises(SpoolFull) as e:
        for i in range(100):
            w.submit("feedback", fb_row(i))
            stored += 1
    assert "KBQA_SPOOL_MAX_MB" in str(e.value) and 0 < stored < 100
    assert w.pending == stored  # everything acknowledged is still queued and in the segment
    records, bad = read_segment(os.open(w.spool.path, os.O_RDONLY))
    assert len(records) == stored and bad == 0
    w.close(0.2)


def test_under_steady_traffic_the_segment_is_rewritten_not_grown(tmp_path, up, monkeypatch):
    monkeypatch.setattr(writer_mod, "ROTATE_BYTES", 4000)
    w = Writer(up, Spool(tmp_path / "spool", 1 << 20))  # no thread: the steps by hand
    for i in range(60):
        row = fb_row(i)
        w.spool.append(encode("feedback", row))
        w._pending.append(("feedback", row, encode("feedback", row)))
    old = w.spool.path
    assert w._ship(w._pending[:50])
    w._committed(50)  # 10 still queued, the segment past 4000 bytes: rewritten with only those 10
    assert w.spool.path != old and not old.exists()
    records, bad = read_segment(os.open(w.spool.path, os.O_RDONLY))
    assert [r["id"] for _, r in records] == [f"fb{i:06d}" for i in range(50, 60)] and bad == 0
    assert count(up) == 50


def test_an_unwritable_spool_folder_is_one_line(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    w = Writer(Database(DOWN), Spool(blocker / "spool", 1 << 20))
    with pytest.raises(SpoolFull) as e:
        w.submit("feedback", fb_row(1))
    assert "cannot write the spool" in str(e.value) and "\n" not in str(e.value)


def test_retention_deletes_old_log_rows_and_expired_claims(up):
    from datetime import timedelta

    from kbqa.store import schema
    from kbqa.store.dedupe import Claims
    from kbqa.store.questions import QuestionLog
    from kbqa.store.spool import insert_records
    from kbqa.store.writer import purge

    old, new = q_row(1), q_row(2)
    old["created"] = (schema.now() - timedelta(days=40)).timestamp()
    with up.begin() as conn:
        insert_records(up, conn, [("question", old), ("question", new)])
    claims = Claims(up)
    claims.claim("event", "Ev-old", -1)  # already expired
    claims.claim("event", "Ev-new", 3600)
    assert purge(up, 0) == {"questions": 0, "claims": 1}  # 0 days: the log is kept
    assert purge(up, 30) == {"questions": 1, "claims": 0}
    rows = list(QuestionLog(up).rows())
    assert [r["id"] for r in rows] == ["q000002"] and rows[0]["citations"] == [[2, "gavin_zhang"]]
    assert claims.holds("event", "Ev-new") is True
    from sqlalchemy import func, select

    with up.begin() as conn:  # the deleted questions' citations went with them
        assert conn.execute(select(func.count()).select_from(schema.citations)).scalar_one() == 1


def test_records_arriving_together_share_one_transaction(tmp_path, up, monkeypatch):
    w = Writer(up, Spool(tmp_path / "spool", 1 << 20))
    w.start()
    assert w.flush(10)  # the start-up replay is done
    shipped: list[int] = []
    ship = w._ship
    monkeypatch.setattr(w, "_ship", lambda batch, replay=False: shipped.append(len(batch)) or ship(batch, replay))
    for i in range(40):  # answers 2 ms apart, as under load: the writer lingers for the ones that follow
        w.submit("feedback", fb_row(i))
        time.sleep(0.002)
    assert w.flush(10)
    w.close()
    assert sum(shipped) == 40 and len(shipped) <= 6, shipped
    assert count(up) == 40
