"""Hostile and broken input on every surface - the engine, the CLI, POST /api/ask over real HTTP, the chat
page's backend and Slack - gets an answer (usually not_covered) or a clear one-line refusal: never a 5xx,
a traceback, a hang or a crash. Limits are tested at and one past the limit.

Documented limits (README "Limits"): question <= KBQA_MAX_QUESTION_CHARS (2000) characters, else 413 (HTTP)
or a one-line refusal; /api/ask body <= 64 KB, else 413; Slack request body <= 256 KiB, else 413; history:
only the last KBQA_MAX_HISTORY_TURNS (10) user turns are used, each cut to 2000 characters, nesting past
4 levels ignored (the body cap bounds the rest)."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from kbqa.frontends import cli
from kbqa.frontends.web import app as web
from kbqa.frontends.web import page as web_page
from kbqa.engine import InvalidQuestion, user_turns
from kbqa.store.feedback import FeedbackStore
from kbqa.settings import Settings
from kbqa.devtools.stress import JUNK_QUESTIONS, bad_bodies, limit_questions

LIMIT = Settings().max_question_chars
VALID_JUNK = {k: v for k, v in JUNK_QUESTIONS.items()
              if k not in ("empty", "whitespace only", "control chars only", "zero-width only")}
EMPTY_JUNK = {k: JUNK_QUESTIONS[k] for k in ("empty", "whitespace only", "control chars only", "zero-width only")}


# ---- the engine ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("question", VALID_JUNK.values(), ids=list(VALID_JUNK))
def test_engine_answers_junk(fake_engine, question):
    a = fake_engine.ask(question)
    assert a.status in ("answered", "not_covered")
    json.dumps(a.to_dict(), ensure_ascii=False).encode("utf-8")  # serialisable, valid UTF-8


@pytest.mark.parametrize("name", ["HTML/script", "SQL", "prompt injection", "shell",
                                  "format string", "path traversal", "emoji only"])
def test_hostile_text_is_not_covered(fake_engine, name):
    assert fake_engine.ask(JUNK_QUESTIONS[name]).status == "not_covered"


@pytest.mark.parametrize("question", EMPTY_JUNK.values(), ids=list(EMPTY_JUNK))
def test_engine_refuses_empty(fake_engine, question):
    with pytest.raises(InvalidQuestion, match="empty"):
        fake_engine.ask(question)


def test_engine_length_limit(fake_engine):
    q = limit_questions(LIMIT)
    assert len(q["at length limit"]) == LIMIT and fake_engine.ask(q["at length limit"]).status == "answered"
    for name in ("one past length limit", "1 MB question"):
        with pytest.raises(InvalidQuestion, match="too long"):
            fake_engine.ask(q[name])


def test_engine_rejects_non_text(fake_engine):
    for q in (None, 42, b"bytes", ["list"], {"q": 1}):
        with pytest.raises(InvalidQuestion):
            fake_engine.ask(q)


def test_history_limits(fake_engine):
    """Only the last max_history_turns user turns are used, each cut to 2000 chars; junk is ignored."""
    turns = [{"role": "user", "content": f"问题{i}"} for i in range(100)]
    assert user_turns(turns, 10) == [f"问题{i}" for i in range(90, 100)]
    assert user_turns([{"role": "user", "content": "容" * 50_000}])[0] == "容" * 2000
    deep: list = ["x"]
    for _ in range(5000):
        deep = [deep]
    assert user_turns([deep]) == []  # deep nesting is junk, not a RecursionError
    assert user_turns([None, 1, {"role": "user"}, {"role": "user", "content": "\ud800"}, "", object()]) == []
    a = fake_engine.ask("那高可用呢？", history=turns * 20)  # 2000 turns
    assert a.status in ("answered", "not_covered")


# ---- the CLI ------------------------------------------------------------------------------------------
@pytest.fixture
def cli_env(fake_engine, monkeypatch):
    monkeypatch.setenv("KBQA_HOME", str(fake_engine.settings.home))
    monkeypatch.setenv("KBQA_EMBEDDER", "fake")
    return {**os.environ, "KBQA_HOME": str(fake_engine.settings.home), "KBQA_EMBEDDER": "fake"}


def test_cli_ask_junk_in_process(cli_env, capsys):
    """Every junk question (NUL included: argv cannot carry it, `kbqa chat` and imports can) -> exit 0 with
    an answer, or exit 2 with one line on stderr."""
    for name, q in {**JUNK_QUESTIONS, **limit_questions(LIMIT)}.items():
        rc = cli.main(["ask", q, "--json"])
        out, err = capsys.readouterr()
        assert "Traceback" not in out + err, name
        if rc == 0:
            assert json.loads(out)["status"] in ("answered", "not_covered"), name
        else:
            assert rc == 2 and err.startswith("kbqa: error: ") and err.count("\n") == 1, (name, err)
    assert cli.main(["ask", "容" * (LIMIT + 1)]) == 2
    assert "too long" in capsys.readouterr().err


@pytest.mark.slow
def test_cli_ask_over_a_real_process(cli_env):
    """argv of 100 KB, control characters, emoji, HTML, SQL, injection: never a traceback."""
    args = ["a" * 100_000, "容器\x01\x1b[31m网络", "🐳🚀", JUNK_QUESTIONS["HTML/script"], JUNK_QUESTIONS["SQL"],
            JUNK_QUESTIONS["prompt injection"], "   "]
    script = ("import sys, json; from kbqa.frontends import cli\n"
              "codes = [cli.main(['ask', a]) for a in json.loads(sys.stdin.read())]\nprint(json.dumps(codes))")
    p = subprocess.run([sys.executable, "-c", script], input=json.dumps(args), env=cli_env, capture_output=True,
                       text=True, timeout=120)
    assert p.returncode == 0 and "Traceback" not in p.stderr, p.stderr[-2000:]
    codes = json.loads(p.stdout.strip().splitlines()[-1])
    assert codes == [2, 0, 0, 0, 0, 0, 2]
    # and one real `kbqa ask` with a 120 KB argument (Linux caps one argv string at 128 KB) through the console script's argv
    p = subprocess.run([sys.executable, "-m", "kbqa.frontends.cli", "ask", "滚" * 40_000], env=cli_env,
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 2 and p.stderr.count("\n") == 1 and "too long" in p.stderr


@pytest.mark.slow
def test_cli_chat_survives_junk(cli_env):
    lines = ["容器\x00网络怎么选", "🐳", "<b>x</b>", "容" * (LIMIT + 5), "\x01\x02 ", "银行重要的业务怎么用 k8s 做滚动更新？"]
    p = subprocess.run([sys.executable, "-m", "kbqa.frontends.cli", "chat"], input="\n".join(lines) + "\n", env=cli_env,
                       capture_output=True, text=True, timeout=120, errors="replace")
    assert p.returncode == 0 and "Traceback" not in p.stderr, p.stderr[-2000:]
    assert "too long" in p.stderr
    assert "问题 9" in p.stdout and "gavin_zhang" in p.stdout  # and the real question after the junk is answered


# ---- POST /api/ask over real HTTP -----------------------------------------------------------------------
def _ok_or_4xx(r) -> dict:
    assert r.status_code < 500, r.text[:300]
    assert "Traceback" not in r.text
    data = r.json()
    if r.status_code == 200:
        assert data["status"] in ("answered", "not_covered")
    else:
        assert 400 <= r.status_code < 500 and "\n" not in data["error"], data
    return data


@pytest.mark.slow
@pytest.mark.parametrize("question", JUNK_QUESTIONS.values(), ids=list(JUNK_QUESTIONS))
def test_api_junk_questions(client, question):
    r = client.post("/api/ask", content=json.dumps({"question": question}).encode(),
                    headers={"content-type": "application/json"})
    _ok_or_4xx(r)
    assert r.status_code in ((422,) if question in EMPTY_JUNK.values() else (200,))


@pytest.mark.slow
def test_api_hostile_text_is_not_covered_and_never_echoed_as_markup(client):
    for name in ("HTML/script", "SQL", "prompt injection", "shell"):
        d = client.post("/api/ask", json={"question": JUNK_QUESTIONS[name]}).json()
        assert d["status"] == "not_covered" and "<script" not in d["answer"], name


BODIES = bad_bodies(web.MAX_BODY_BYTES)
ACCEPTED = ("history nested 900 deep", "history of 500 turns", "history of junk items")


@pytest.mark.slow
@pytest.mark.parametrize("name", list(BODIES))
def test_api_bad_bodies(client, name):
    body, ctype = BODIES[name]
    r = client.post("/api/ask", content=body, headers={"content-type": ctype} if ctype else {})
    _ok_or_4xx(r)
    if name in ACCEPTED:
        assert r.status_code == 200
    else:
        assert r.status_code in (400, 413, 415, 422), (name, r.status_code)
    if "UTF-8" in name:
        assert r.status_code == 400


@pytest.mark.slow
def test_api_limits_at_and_past(client):
    q = limit_questions(LIMIT)
    assert client.post("/api/ask", json={"question": q["at length limit"]}).status_code == 200
    assert client.post("/api/ask", json={"question": q["one past length limit"]}).status_code == 413
    # body cap: a body of exactly MAX_BODY_BYTES is read; one byte more is 413
    base = json.dumps({"question": "k8s", "pad": ""}).encode()
    at = json.dumps({"question": "k8s", "pad": "x" * (web.MAX_BODY_BYTES - len(base))}).encode()
    assert len(at) == web.MAX_BODY_BYTES
    h = {"content-type": "application/json"}
    assert client.post("/api/ask", content=at, headers=h).status_code == 200
    assert client.post("/api/ask", content=at[:-1] + b' }', headers=h).status_code == 413
    # history: 10 user turns is the limit of what is used; far more is accepted (and ignored), within the cap
    hist = [{"role": "user", "content": "容器网络怎么选"}, {"role": "assistant", "content": "…"}] * 300
    assert client.post("/api/ask", json={"question": "那高可用呢？", "history": hist}).status_code == 200


@pytest.mark.slow
def test_api_lone_surrogate_json_escape_is_answered(client):
    body = b'{"question": "\\ud800\\u5bb9\\u5668\\u7f51\\u7edc", "history": [{"role": "user", "content": "\\udfff"}]}'
    r = client.post("/api/ask", content=body, headers={"content-type": "application/json"})
    assert r.status_code == 200, r.text


@pytest.mark.slow
def test_api_content_type_variants(client):
    for ctype, status in (("application/json; charset=utf-8", 200), ("APPLICATION/JSON", 200),
                          ("application/jsonx", 415), ("multipart/form-data; boundary=x", 415), ("", 415)):
        r = client.post("/api/ask", content=b'{"question": "k8s"}', headers={"content-type": ctype})
        assert r.status_code == status, ctype


# ---- the chat page's backend ------------------------------------------------------------------------------
def test_chat_backend_junk(fake_engine, tmp_path):
    backend = web_page.ChatBackend(fake_engine, FeedbackStore(tmp_path / "f.sqlite3"), stream_delay_s=0)
    for name, q in {**JUNK_QUESTIONS, **limit_questions(LIMIT), "not text": None}.items():
        *_, (box, chat, turns) = list(backend.respond(q, []))
        if chat:
            assert chat[-1]["role"] == "assistant" and not chat[-1]["content"].startswith("⚠️"), name
            assert "<script" not in chat[0]["content"], name
            if turns[-1]["answer"]:
                backend.like(turns, True, turns[-1]["message"])  # a surrogate in the question is stored too
    assert backend.store.count() > 0


# ---- Slack ------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_slack_one_megabyte_and_junk(fake_engine, tmp_path):
    from fakes.slack_api import FakeSlack, post_event, post_signed
    from fakes.slack_bot import SECRET, mention, running_bot

    with FakeSlack() as slack, running_bot(fake_engine, slack, store=FeedbackStore(tmp_path / "f.sqlite3")) as b:
        n = 0
        for text in ("a" * 200_000, JUNK_QUESTIONS["NUL and control chars"], JUNK_QUESTIONS["bidi override"],
                     JUNK_QUESTIONS["HTML/script"], JUNK_QUESTIONS["emoji"], "<@UBOT> \x00\x01"):
            r = post_event(b.url, SECRET, mention(slack, "<@UBOT> " + text), timeout=30)
            assert r.status == 200
            n += 1
            posts = slack.wait_for("chat.postMessage", n, timeout=30)
        assert "200000" in posts[0].params["text"] and "\n" not in posts[0].params["text"]  # "too long", one line
        for p in posts[1:]:
            assert "Traceback" not in json.dumps(p.params)
        # past the 256 KiB body cap: 413, no answer attempted
        # (only the headers are sent: the server answers without reading the body, as it should)
        import socket
        from urllib.parse import urlsplit

        u = urlsplit(b.url)
        with socket.create_connection((u.hostname, u.port), timeout=10) as s:
            s.sendall(f"POST {u.path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                      f"Content-Length: {256 * 1024 + 1}\r\n\r\n".encode())
            assert b" 413 " in s.recv(200).split(b"\r\n")[0]
        # not UTF-8 (signed as is): 400
        import urllib.request

        from fakes.slack_api import sign
        raw = b'{"type": "event_callback", "x": "\xff\xfe"}'
        req = urllib.request.Request(b.url, data=raw, method="POST", headers={
            "Content-Type": "application/json", **sign(SECRET, raw.decode("latin-1"))})
        try:
            status = urllib.request.urlopen(req, timeout=10).status
        except urllib.error.HTTPError as e:
            status = e.code
        assert status in (400, 401)
