"""What the web app and the CLI add for running many replicas, over real HTTP and real processes (fake embedder,
SQLite): answers recorded with their ids, POST /api/feedback, GET /metrics and /livez, request ids, the chat
page's votes pointing at the answer, kbqa db / questions export, and one-line errors for a bad database URL, a
bad date or a damaged spool."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import httpx
import pytest

from kbqa.frontends.web import app as web
from kbqa.frontends.web import page as web_page
from kbqa.settings import REPO_ROOT, Settings
from kbqa.store import open_store

pytestmark = pytest.mark.slow

QUESTION = "容器网络怎么选型？"


@pytest.fixture(scope="module")
def state(fake_engine):
    return open_store(fake_engine.settings)


@pytest.fixture(scope="module")
def client(fake_engine, state):
    with web.serve_in_thread(web.create_app(fake_engine, state=state)) as base:
        with httpx.Client(base_url=base, timeout=30) as c:
            yield c


def test_api_answers_are_recorded_and_votes_point_at_them(client, state):
    r = client.post("/api/ask", json={"question": QUESTION}, headers={"X-Request-ID": "my-req-1"})
    assert r.status_code == 200 and r.headers["x-request-id"] == "my-req-1"
    answer = r.json()
    [row] = [x for x in state.log.rows() if x["id"] == answer["id"]]
    assert (row["frontend"], row["question"], row["request_id"], row["topic"]) == \
        ("api", QUESTION, "my-req-1", answer["topic"])
    v = client.post("/api/feedback", json={"answer_id": answer["id"], "rating": "down"})
    assert v.status_code == 200
    [rec] = [x for x in state.feedback.records() if x["id"] == v.json()["id"]]
    assert (rec["source"], rec["rating"], rec["answer_id"]) == ("api", -1, answer["id"])
    downs = [d for d in state.log.thumbs_down() if d.answer_id == answer["id"]]
    assert downs and downs[0].cited == tuple((c["topic"], c["expert"]) for c in answer["citations"])
    assert client.post("/api/ask", json={"question": QUESTION},
                       headers={"X-Request-ID": "bad id;<x>"}).headers["x-request-id"] != "bad id;<x>"


@pytest.mark.parametrize("body, status, words", [
    ({"rating": 1}, 422, "answer_id"),
    ({"answer_id": "abc", "rating": 1}, 422, "answer_id"),
    ({"answer_id": "0" * 32, "rating": 0}, 422, "rating"),
    ({"answer_id": "0" * 32, "rating": True}, 422, "rating"),
    ({"answer_id": "0" * 32, "rating": 1, "answer": "text"}, 422, "answer"),
    (["x"], 422, "JSON object"),
])
def test_feedback_api_refuses_bad_bodies_in_one_line(client, body, status, words):
    r = client.post("/api/feedback", json=body)
    assert r.status_code == status and words in r.json()["error"] and "\n" not in r.json()["error"]


def test_feedback_api_content_type_size_and_json(client):
    assert client.post("/api/feedback", content=b'{"answer_id": "x"}').status_code == 415
    r = client.post("/api/feedback", content=b"{", headers={"content-type": "application/json"})
    assert r.status_code == 400 and r.json()["error"] == "request body is not valid JSON"
    big = json.dumps({"answer_id": "0" * 32, "rating": 1, "question": "x" * 70_000})
    assert client.post("/api/feedback", content=big, headers={"content-type": "application/json"}).status_code == 413


def test_metrics_livez_and_build_info(client):
    client.post("/api/ask", json={"question": QUESTION})
    assert client.get("/livez").json() == {"status": "alive"}
    text = client.get("/metrics").text
    assert 'kbqa_requests_total{frontend="api",status="answered"}' in text
    assert "kbqa_kb_info{" in text and 'embedder="fake"' in text and "kbqa_database_up 1.0" in text


def test_page_votes_point_at_the_recorded_answer(fake_engine, state):
    page = state.recorded(fake_engine, "web")
    backend = web_page.ChatBackend(page, state.feedback, stream_delay_s=0)
    *_, (_box, _chat, turns) = backend.respond(QUESTION, [])  # the chat is kept server-side
    answer_id = turns[0]["answer"]["id"]
    fid = backend.like(turns, False, 1)
    [rec] = [x for x in state.feedback.records() if x["id"] == fid]
    assert rec["answer_id"] == answer_id and rec["source"] == "web"
    assert [x for x in state.log.rows() if x["id"] == answer_id][0]["frontend"] == "web"


# ---- the commands ---------------------------------------------------------------------------------------
def run(args, home, **env):
    e = {**os.environ, "KBQA_HOME": str(home), "KBQA_EMBEDDER": "fake", "KBQA_MODE": "lexical", **env}
    return subprocess.run([sys.executable, "-m", "kbqa.frontends.cli", *args], capture_output=True, text=True,
                          env=e, cwd=REPO_ROOT, timeout=120)


def one_line_error(p) -> str:
    assert p.returncode != 0 and "Traceback" not in p.stderr, p.stderr
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kbqa: error:"), p.stderr
    return lines[0]


def test_chat_records_and_export_filters(tmp_path):
    home = tmp_path / "h"
    p = subprocess.run([sys.executable, "-m", "kbqa.frontends.cli", "chat"], input=f"{QUESTION}\n今天吃什么\n\n",
                       capture_output=True, text=True, cwd=REPO_ROOT, timeout=120,
                       env={**os.environ, "KBQA_HOME": str(home), "KBQA_EMBEDDER": "fake"})
    assert p.returncode == 0, p.stderr
    p = run(["questions", "export"], home)
    rows = [json.loads(x) for x in p.stdout.splitlines()]
    assert [(r["frontend"], r["question"]) for r in rows] == [("cli", QUESTION), ("cli", "今天吃什么")]
    p = run(["questions", "export", "--unanswered", "--since", "2000-01-01"], home)
    assert [json.loads(x)["question"] for x in p.stdout.splitlines()] == ["今天吃什么"]
    assert "exported 1 questions" in p.stderr
    p = run(["db", "status"], home)
    assert p.returncode == 0 and "questions: 2" in p.stdout
    assert "must be a whole number" in run(["serve", "--workers", "0"], home).stderr


def test_bad_database_url_date_and_unreachable_database_are_one_line(tmp_path):
    home = tmp_path / "h"
    line = one_line_error(run(["questions", "export"], home, KBQA_DATABASE_URL="mysql://u:hunter2@x/db"))
    assert "does not support" in line and "hunter2" not in line
    line = one_line_error(run(["questions", "export", "--since", "last week"], home))
    assert "YYYY-MM-DD" in line
    line = one_line_error(run(["feedback", "export"], home,
                              KBQA_DATABASE_URL="postgresql+psycopg://kbqa:hunter2@127.0.0.1:1/kbqa"))
    assert "cannot reach the database" in line and "hunter2" not in line
    line = one_line_error(run(["serve", "--port", "1"], home, KBQA_DATABASE_URL="sqlite:///" + str(tmp_path)))
    assert "database" in line  # a folder is no database: at start, in one line


def test_a_damaged_spool_file_is_one_warning_and_its_records_survive(tmp_path):
    from kbqa.store.spool import encode

    home = tmp_path / "h"
    (home / "spool").mkdir(parents=True)
    rows = [{"id": f"fb{i}", "created": 1.0e9 + i, "source": "web", "rating": 1, "question": f"q{i}", "answer": "a",
             "citations": [], "extra": {}} for i in range(3)]
    (home / "spool" / "gone-1-x.jsonl").write_bytes(encode("feedback", rows[0]) + b"\xff\xfe{{{ not json\n"
                                                   + encode("feedback", rows[1]) + encode("feedback", rows[2])[:-9])
    p = run(["questions", "export"], home)
    assert p.returncode == 0 and "Traceback" not in p.stderr
    assert p.stderr.count("unreadable") == 1 and "gone-1-x.jsonl.corrupt" in p.stderr
    p = run(["feedback", "export"], home)
    assert [json.loads(x)["id"] for x in p.stdout.splitlines()] == ["fb0", "fb1"]
    assert (home / "spool" / "gone-1-x.jsonl.corrupt").exists()


def test_settings_for_replicas_are_listed_and_checked(tmp_path):
    p = run(["config"], tmp_path / "h", KBQA_DATABASE_URL="postgresql://kbqa:hunter2@db/kbqa")
    for var in ("KBQA_DATABASE_URL", "KBQA_LOG_QUESTIONS", "KBQA_RETENTION_DAYS", "KBQA_SPOOL_MAX_MB",
                "KBQA_ID_SALT", "KBQA_WORKERS", "KBQA_LOG_FORMAT", "KBQA_INDEX_DIR", "PROMETHEUS_MULTIPROC_DIR"):
        assert var in p.stdout
    assert "hunter2" not in p.stdout
    line = one_line_error(run(["config"], tmp_path / "h", KBQA_LOG_FORMAT="xml"))
    assert "KBQA_LOG_FORMAT" in line and "json" in line
    assert Settings.from_env({"KBQA_LOG_QUESTIONS": "off"}).log_questions is False
