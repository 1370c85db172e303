"""The question log's query API (what the FAQ owners' admin page reads) over a log written through the real
recording path, and the export."""
from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest

from kbqa.errors import KbqaError
from kbqa.store import schema
from kbqa.store.feedback import FeedbackStore
from kbqa.store.questions import QuestionLog, parse_since
from kbqa.store.spool import insert_records


def q(i, *, status="answered", topic=4, nearest=None, confidence=0.95, question=None, cited=(), ago_days=0,
      kind="answer"):
    return ("question", {
        "id": f"a{i:04d}", "created": (schema.now() - timedelta(days=ago_days, seconds=100 - i)).timestamp(),
        "frontend": "api",
        "question": question or f"问题{i}", "status": status, "kind": kind, "topic": topic if status == "answered" else None,
        "confidence": confidence, "nearest_topic": nearest if nearest is not None else topic, "nearest_score": 1.0,
        "latency_ms": 5.0, "turns": 0, "answer_mode": "extractive", "kb_version": "v", "request_id": None,
        "team_hash": None, "channel_hash": None, "user_hash": None,
        "citations": [[n + 1, t, e] for n, (t, e) in enumerate(cited)]})


@pytest.fixture
def log(any_db):
    db = any_db
    records = [
        q(1, cited=[(4, "gavin_zhang"), (4, "xiaoping378")]),
        q(2, cited=[(4, "gavin_zhang")]),
        q(3, topic=9, cited=[(9, "rangeryu"), (9, "gavin_zhang")]),
        q(4, status="not_covered", nearest=1, confidence=0.1, question="食堂吃什么"),
        q(5, status="not_covered", nearest=1, confidence=0.2, question="食堂吃什么"),
        q(6, status="not_covered", nearest=1, confidence=0.2, question="天气怎么样"),
        q(7, confidence=0.4, topic=1, cited=[(1, "zhuqibs")]),  # low confidence, answered
        q(8, status="not_covered", nearest=7, confidence=0.3, question="很久以前", ago_days=30),
        q(9, kind="overview", topic=None, confidence=1.0),  # structured: not a retrieval answer
    ]
    with db.begin() as conn:
        insert_records(db, conn, records)
    fb = FeedbackStore(db)
    fb.add(source="web", rating=-1, question="问题1", answer="…", answer_id="a0001")
    fb.add(source="slack", rating=-1, question="问题3", answer="…", answer_id="a0003", user="UALICE")
    fb.add(source="web", rating=1, question="问题2", answer="…", answer_id="a0002")
    # a vote on an answer the log does not have (logging off): its own citations count
    fb.add(source="api", rating=-1, question="旧的", answer="…", answer_id="gone0001",
           citations=[{"n": 1, "topic": 6, "expert": "Steven99"}])
    return QuestionLog(db)


def test_unanswered_groups_by_the_nearest_faq_question(log):
    groups = log.unanswered()
    assert [(g.topic, g.count) for g in groups] == [(1, 4), (7, 1)]
    g = groups[0]
    assert (g.not_covered, g.low_confidence, g.distinct) == (3, 1, 3)
    assert [e.question for e in g.examples] == ["问题7", "天气怎么样", "食堂吃什么"]  # newest first, distinct
    recent = log.unanswered(since=schema.now() - timedelta(days=7), examples=1)
    assert [(g.topic, g.count, len(g.examples)) for g in recent] == [(1, 4, 1)]
    assert json.loads(json.dumps(groups[0].to_dict()))["examples"][0]["answer_id"] == "a0007"


def test_thumbs_down_with_the_experts_cited(log):
    downs = log.thumbs_down()
    assert [d.question for d in downs] == ["旧的", "问题3", "问题1"]
    by_q = {d.question: d for d in downs}
    assert by_q["问题1"].cited == ((4, "gavin_zhang"), (4, "xiaoping378"))
    assert by_q["问题3"].cited == ((9, "rangeryu"), (9, "gavin_zhang")) and by_q["问题3"].source == "slack"
    assert by_q["旧的"].cited == ((6, "Steven99"),)


def test_citation_stats_per_question_and_expert(log):
    s = log.citation_stats()
    assert (s.topics[4].cited, s.topics[4].up, s.topics[4].down) == (2, 1, 1)
    assert (s.topics[9].cited, s.topics[9].down) == (1, 1)
    assert (s.experts["gavin_zhang"].cited, s.experts["gavin_zhang"].up, s.experts["gavin_zhang"].down) == (3, 1, 2)
    assert (s.pairs[(4, "xiaoping378")].cited, s.pairs[(4, "xiaoping378")].down) == (1, 1)
    assert (s.topics[6].cited, s.topics[6].down) == (0, 1)
    assert {r["expert"] for r in s.to_dict()["experts"]} >= {"gavin_zhang", "rangeryu", "zhuqibs", "Steven99"}


def test_export_since_and_unanswered(log):
    out = io.StringIO()
    assert log.export_jsonl(out) == 9
    rows = [json.loads(x) for x in out.getvalue().splitlines()]
    assert rows[0]["id"] == "a0008"  # oldest first
    assert next(r for r in rows if r["id"] == "a0001")["citations"] == [[4, "gavin_zhang"], [4, "xiaoping378"]]
    out = io.StringIO()
    assert log.export_jsonl(out, since=parse_since("7d"), unanswered=True) == 3
    assert {json.loads(x)["question"] for x in out.getvalue().splitlines()} == {"食堂吃什么", "天气怎么样"}
    assert log.count() == 9 and log.count(status="not_covered") == 4


@pytest.mark.parametrize("text", ["yesterday", "2026-13-01", "7x"])
def test_a_bad_since_is_one_line(text):
    with pytest.raises(KbqaError) as e:
        parse_since(text)
    assert "YYYY-MM-DD" in str(e.value)


def test_since_forms():
    assert parse_since("2026-12-01").isoformat() == "2026-12-01T00:00:00+00:00"
    assert parse_since("2026-12-01T08:00+08:00").isoformat() == "2026-12-01T00:00:00+00:00"
    assert parse_since(None) is None
