"""The recording wrapper: the same Answer with an id, one log record per answer (not per refusal), Slack ids
hashed, KBQA_LOG_QUESTIONS=off, a full spool costing the record and never the answer, metrics counted."""
from __future__ import annotations

import logging
from dataclasses import replace

import pytest

from kbqa.engine import InvalidQuestion
from kbqa.ops import context, metrics
from kbqa.settings import Settings
from kbqa.store import open_store

QUESTION = "容器网络怎么选型？"


@pytest.fixture
def store(tmp_path, fake_engine):
    s = open_store(Settings(home=tmp_path / "home", embedder="fake", id_salt="test-salt"))
    s.prepare()
    yield s
    s.close(2)


def counter(name: str, **labels) -> float:
    from prometheus_client import REGISTRY

    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_an_answer_is_the_engines_with_an_id_and_one_record(store, fake_engine):
    recorded = store.recorded(fake_engine, "api")
    before = counter("kbqa_requests_total", frontend="api", status="answered")
    a = recorded.ask(QUESTION)
    plain = fake_engine.ask(QUESTION)
    assert replace(a, timings={}) == replace(plain, timings={})  # the same Answer (id is not compared)
    assert len(a.id) == 32 and plain.id == ""
    b = recorded.ask(QUESTION)
    assert b.id != a.id  # a cached answer is still its own answer
    [row] = [r for r in store.log.rows() if r["id"] == a.id]
    assert (row["frontend"], row["question"], row["status"], row["kind"], row["topic"]) == \
        ("api", QUESTION, "answered", "answer", a.topic)
    assert row["citations"] == [[c.topic, c.expert] for c in a.citations]  # the cited (question, expert) pairs
    assert row["kb_version"] == fake_engine.faq().sha256[:16] and row["latency_ms"] >= 0
    assert counter("kbqa_requests_total", frontend="api", status="answered") == before + 2
    assert store.log.count() == 2


def test_a_refused_question_is_counted_not_recorded(store, fake_engine):
    recorded = store.recorded(fake_engine, "web")
    before = counter("kbqa_requests_total", frontend="web", status="invalid")
    with pytest.raises(InvalidQuestion):
        recorded.ask("   ")
    assert store.log.count() == 0
    assert counter("kbqa_requests_total", frontend="web", status="invalid") == before + 1


def test_streaming_records_the_final_answer_once(store, fake_engine):
    items = list(store.recorded(fake_engine, "web").ask_stream("今天中午食堂吃什么"))
    final = items[-1]
    assert final.status == "not_covered" and final.id
    [row] = list(store.log.rows())
    assert row["id"] == final.id and row["nearest_topic"] is not None  # grouped under its nearest question


def test_slack_ids_are_hashed_and_follow_ups_counted(store, fake_engine):
    recorded = store.recorded(fake_engine, "slack")
    with context.request(request_id="Ev123", team="T0001", channel="C0001", user="UALICE"):
        a = recorded.ask("那存储呢？", history=[{"role": "user", "content": QUESTION},
                                             {"role": "assistant", "content": "…"}])
    [row] = list(store.log.rows())
    assert row["id"] == a.id and row["request_id"] == "Ev123" and row["turns"] == 1
    assert row["user"] == store.ids("user", "UALICE") and row["team"] == store.ids("team", "T0001")
    assert "UALICE" not in str(row) and "C0001" not in str(row)


def test_logging_off_records_nothing_but_answers_still_have_ids(tmp_path, fake_engine):
    s = open_store(Settings(home=tmp_path / "off", embedder="fake", log_questions=False))
    a = s.recorded(fake_engine, "cli").ask(QUESTION)
    assert a.id and s.log.count() == 0
    s.close(2)


def test_a_full_spool_drops_the_record_never_the_answer(tmp_path, fake_engine, caplog):
    s = open_store(Settings(home=tmp_path / "full", embedder="fake",
                            database_url="postgresql+psycopg://kbqa@127.0.0.1:1/kbqa", spool_max_mb=1))
    s.writer.spool.max_bytes = 1500  # a couple of records
    caplog.set_level(logging.ERROR, "kbqa")
    recorded = s.recorded(fake_engine, "api")
    before = counter("kbqa_records_dropped_total", kind="question", reason="spool_full")
    answers = [recorded.ask(QUESTION) for _ in range(10)]
    assert all(a.status == "answered" for a in answers)
    assert counter("kbqa_records_dropped_total", kind="question", reason="spool_full") > before
    assert caplog.text.count("a question-log record was dropped") == 1  # once a minute, not per record
    s.close(0.2)


def test_json_request_lines_carry_the_request_id(store, fake_engine, capsys):
    import json

    from kbqa.ops import logs

    logs.configure(Settings(log_format="json"))
    try:
        with context.request(request_id="req-42"):
            store.recorded(fake_engine, "cli").ask(QUESTION)
        lines = [json.loads(x) for x in capsys.readouterr().err.splitlines() if x.startswith("{")]
        [line] = [x for x in lines if x["msg"] == "answer"]
        assert line["request_id"] == "req-42" and line["frontend"] == "cli" and line["status"] == "answered"
    finally:
        logs.configure(Settings(log_format="text"))
        logging.getLogger().handlers[:] = []


def test_metrics_render_in_prometheus_format(store, fake_engine):
    store.recorded(fake_engine, "api").ask(QUESTION)
    body, ctype = metrics.render()
    text = body.decode()
    assert ctype.startswith("text/plain") and 'kbqa_requests_total{frontend="api",status="answered"}' in text
    assert "kbqa_answer_seconds_bucket" in text
