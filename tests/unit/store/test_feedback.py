"""The feedback store under concurrent writers (threads as the web page and Slack, and processes), a writer
killed with SIGKILL mid-run, and a restart: nothing committed is lost, the database stays consistent. These use
the store without a writer (each record committed before add returns); tests/unit/store/test_spool.py covers
the spooled path every front end uses."""
from __future__ import annotations

import sqlite3
import threading

import pytest

from kbqa.devtools import stress
from kbqa.store.feedback import FeedbackStore


def test_threads_web_and_slack_lose_nothing(tmp_path):
    store = FeedbackStore(tmp_path / "f.sqlite3")
    ids: list[str] = []
    lock = threading.Lock()

    def writer(t: int) -> None:
        for i in range(40):
            rid = store.add(source="web" if t % 2 else "slack", rating=1 if i % 2 else -1,
                            question=f"t{t}-{i}", answer="a", citations=[{"n": 1}])
            with lock:
                ids.append(rid)

    threads = [threading.Thread(target=writer, args=(t,)) for t in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(ids) == len(set(ids)) == 12 * 40 == store.count()
    restarted = FeedbackStore(tmp_path / "f.sqlite3")
    recs = list(restarted.records())
    assert {r["id"] for r in recs} == set(ids)
    assert {r["question"] for r in recs} == {f"t{t}-{i}" for t in range(12) for i in range(40)}
    assert sum(r["source"] == "web" for r in recs) == 6 * 40


@pytest.mark.slow
def test_processes_and_a_killed_writer_lose_nothing(tmp_path):
    path = tmp_path / "f.sqlite3"
    res = stress.feedback_torture(path, threads=4, per_thread=25, procs=2, per_proc=50, killed=2)
    assert res["lost"] == 0 and res["integrity"] == "ok", res
    assert res["killed_writer_acked"] >= 60  # each victim had committed at least 30 before the kill
    assert res["expected_min"] <= res["found"] <= res["expected_min"] + res["killed_writers"], res
    # a restart sees everything, and the store is writable again after the kill
    store = FeedbackStore(path)
    before = store.count()
    store.add(source="web", rating=1, question="after", answer="a")
    assert FeedbackStore(path).count() == before + 1
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()


def test_hostile_text_is_stored_verbatim_with_bound_parameters(tmp_path):
    store = FeedbackStore(tmp_path / "f.sqlite3")
    nasty = ["'); DROP TABLE feedback; --", "\x00nul\x01", "🐳", "<script>x</script>", "a\ud800b", "容" * 30_000]
    for q in nasty:
        store.add(source="slack", rating=-1, question=q, answer=q, citations=[q], extra={"q": q})
    recs = list(FeedbackStore(tmp_path / "f.sqlite3").records())
    assert len(recs) == len(nasty)
    assert recs[0]["question"] == nasty[0]
    assert recs[1]["question"] == "\ufffdnul\x01"  # NUL cannot be stored in PostgreSQL text: U+FFFD on both
    assert recs[4]["question"] == "a?b"  # a lone surrogate cannot be stored as UTF-8: replaced, not a crash
    assert len(recs[5]["question"]) == 20_000  # documented cap
    with pytest.raises(ValueError):
        store.add(source="web", rating=0, question="q", answer="a")


def test_the_store_is_bounded_and_keeps_what_it_has(tmp_path):
    """Issue 19, finding 3: the store had no bound. Past max_records new votes are refused (FeedbackFull),
    nothing stored is dropped."""
    import pytest

    from kbqa.store.feedback import FeedbackFull

    store = FeedbackStore(tmp_path / "f.sqlite3", max_records=3)
    ids = [store.add(source="web", rating=1, question=f"q{i}", answer="a") for i in range(3)]
    with pytest.raises(FeedbackFull):
        store.add(source="web", rating=1, question="q3", answer="a")
    assert store.count() == 3 and [r["question"] for r in store.records()] == ["q0", "q1", "q2"]
    assert store.set_rating(ids[0], -1) and not store.set_rating("0" * 32, 1)
    assert [r["rating"] for r in store.records()] == [-1, 1, 1]


def test_the_bound_and_set_rating_on_sqlite_and_postgresql(any_db):
    """The ported bound (issue 19) in SQLAlchemy Core: the same on both engines."""
    from kbqa.store.feedback import FeedbackFull

    store = FeedbackStore(any_db, max_records=2)
    ids = [store.add(source="web", rating=1, question=f"q{i}", answer="a") for i in range(2)]
    with pytest.raises(FeedbackFull):
        store.add(source="api", rating=1, question="q2", answer="a")
    assert store.set_rating(ids[1], -1) and not store.set_rating("0" * 32, 1)
    with pytest.raises(ValueError):
        store.set_rating(ids[1], 0)
    assert [(r["question"], r["rating"]) for r in store.records()] == [("q0", 1), ("q1", -1)]


def test_the_bound_with_the_writer_counts_what_is_on_its_way(tmp_path):
    """Every front end's store hands records to the writer: the bound counts the table and its own queue, a
    record still queued can have its rating changed, and a cleared table takes votes again."""
    import sqlalchemy as sa

    from kbqa.settings import Settings
    from kbqa.store import open_store, schema
    from kbqa.store.feedback import FeedbackFull

    state = open_store(Settings(home=tmp_path, feedback_max_records=3))
    state.prepare()
    store = state.feedback
    ids = [store.add(source="web", rating=1, question=f"q{i}", answer="a") for i in range(3)]
    with pytest.raises(FeedbackFull):
        store.add(source="web", rating=1, question="q3", answer="a")
    assert store.set_rating(ids[2], -1)  # shipped first if it was still queued
    assert store.count() == 3 and [r["rating"] for r in store.records()] == [1, 1, -1]
    with state.db.begin() as conn:  # exported and cleared
        conn.execute(sa.delete(schema.feedback))
    assert store.add(source="web", rating=1, question="again", answer="a")
    assert store.count() == 1
    state.close()


def test_default_store_takes_its_bound_from_the_settings(tmp_path):
    from kbqa.settings import Settings
    from kbqa.store.feedback import default_store

    assert default_store(Settings(home=tmp_path, feedback_max_records=7)).max_records == 7
