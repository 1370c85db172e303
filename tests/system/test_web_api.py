"""The web app's HTTP surface over real HTTP (uvicorn on a free loopback port), and the chat page's
backend called directly. All on the fake embedder: no model."""
from __future__ import annotations

import json
import os
import threading
import time

import gradio as gr
import httpx
import pytest

from kbqa.frontends import cli
from kbqa.frontends.web import app as web
from kbqa.frontends.web import render as web_render
from kbqa.frontends.web import page as web_page
from kbqa.engine import Engine
from kbqa.store.feedback import FeedbackStore
from kbqa.settings import Settings

pytestmark = pytest.mark.slow

SIMPLIFIED = "银行重要的业务怎么用 k8s 做滚动更新？"
TRADITIONAL = "容器內的應用出了問題要怎麼排查？"
FOLLOWUP = "那还有别的办法吗？"  # not covered alone; about question 5 after a question about it
FOLLOWUP_HISTORY = [{"role": "user", "content": "容器东西向流量的网络安全怎么保障？"},
                    {"role": "assistant", "content": "……"}]


def _unloaded_engine(fake_engine, **changes) -> Engine:
    """A new engine on the fake session's home (its index is built), not loaded yet."""
    return Engine(fake_engine.settings.with_(**changes), progress=False)


def _without_timings(d: dict) -> dict:
    """An Answer's JSON without what differs between two asks of one question: timings and the answer id."""
    return {k: v for k, v in d.items() if k not in ("timings", "id")}


# ---- /healthz -----------------------------------------------------------------------------------------
def test_healthz_is_503_until_the_index_is_loaded_then_200(fake_engine):
    engine = _unloaded_engine(fake_engine)
    app = web.create_app(engine, FeedbackStore(engine.settings.home / "hz.sqlite3"))
    with web.serve_in_thread(app) as base:
        r = httpx.get(base + "/healthz")
        assert r.status_code == 503 and r.json()["status"] == "loading"
        assert not engine.loaded
        web.start_loading(app)
        deadline = time.monotonic() + 60
        while (r := httpx.get(base + "/healthz")).status_code == 503:
            assert time.monotonic() < deadline, "index did not load in 60 s"
            time.sleep(0.05)
        assert r.status_code == 200
        assert r.json() == {"status": "ok", "corpus": "Docker+k8s容器云建设中10个常见难点", "topics": 10, "units": 32,
                            "kb_version": engine.kb_version}
        assert httpx.post(base + "/api/ask", json={"question": SIMPLIFIED}).status_code == 200


def test_api_ask_while_loading_is_503_with_retry_after_and_starts_loading(fake_engine):
    engine = _unloaded_engine(fake_engine)
    app = web.create_app(engine, FeedbackStore(engine.settings.home / "hz2.sqlite3"))
    with web.serve_in_thread(app) as base:
        r = httpx.post(base + "/api/ask", json={"question": SIMPLIFIED})
        assert r.status_code == 503 and "loading" in r.json()["error"] and r.headers["retry-after"]
        app.state.kbqa.start_loading().join(60)  # the request above already started it: same thread
        assert httpx.post(base + "/api/ask", json={"question": SIMPLIFIED}).status_code == 200


def test_healthz_reports_a_failed_load(fake_engine, tmp_path):
    engine = _unloaded_engine(fake_engine, corpus=tmp_path / "missing.json")
    app = web.create_app(engine, FeedbackStore(tmp_path / "f.sqlite3"))
    errors = []
    web.start_loading(app, on_error=errors.append).join(30)
    assert len(errors) == 1
    with web.serve_in_thread(app) as base:
        r = httpx.get(base + "/healthz")
        assert r.status_code == 503
        assert r.json()["status"] == "error" and "corpus not found" in r.json()["error"]
        r = httpx.post(base + "/api/ask", json={"question": SIMPLIFIED})
        assert r.status_code == 503 and "corpus not found" in r.json()["error"]


# ---- /api/ask: the happy path -------------------------------------------------------------------------
@pytest.mark.parametrize("question", [SIMPLIFIED, TRADITIONAL])
def test_api_ask_returns_what_kbqa_ask_json_prints(client, fake_engine, question, monkeypatch, capsys):
    r = client.post("/api/ask", json={"question": question})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    got = r.json()
    monkeypatch.setenv("KBQA_HOME", str(fake_engine.settings.home))
    monkeypatch.setenv("KBQA_EMBEDDER", "fake")
    capsys.readouterr()
    assert cli.main(["ask", "--json", question]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert list(got) == list(printed) == ["status", "answer", "topic", "confidence", "citations", "timings",
                                         "kind", "sections", "suggestions", "notice", "id"]
    assert _without_timings(got) == _without_timings(printed)
    assert len(got["id"]) == 32 and printed["id"] == ""  # the API's answers are recorded; `kbqa ask` is not
    assert set(got["timings"]) == set(printed["timings"])
    assert got["status"] == "answered" and got["citations"]


def test_a_traditional_question_is_answered_in_traditional_over_http(client):
    """The reply's script is checked, not only compared with the CLI: every text a user reads (the answer, the
    sections, the quotes) is Traditional for a Traditional question, and Simplified for a Simplified one."""
    from kbqa.text.normalise import is_traditional

    got = client.post("/api/ask", json={"question": TRADITIONAL}).json()
    assert got["status"] == "answered" and got["topic"] == 6
    texts = [got["answer"]] + [s["title"] for s in got["sections"]] + [c["quote"] for c in got["citations"]]
    assert all(is_traditional(t) for t in texts), [t for t in texts if not is_traditional(t)]
    assert "問題 6" in got["answer"]
    simplified = client.post("/api/ask", json={"question": SIMPLIFIED}).json()
    assert not is_traditional(simplified["answer"]) and "问题 9" in simplified["answer"]


def test_api_ask_cites_the_expert(client):
    got = client.post("/api/ask", json={"question": SIMPLIFIED}).json()
    assert got["topic"] == 9
    assert "gavin_zhang" in {c["expert"] for c in got["citations"]}
    assert got["citations"][0].keys() == {"n", "topic", "topic_title", "expert", "expert_title", "quote", "score",
                                          "text"}


def test_api_ask_uses_the_history_for_follow_ups(client):
    alone = client.post("/api/ask", json={"question": FOLLOWUP}).json()
    followed = client.post("/api/ask", json={"question": FOLLOWUP, "history": FOLLOWUP_HISTORY}).json()
    assert alone["status"] == "not_covered"
    assert followed["status"] == "answered" and followed["topic"] == 5


@pytest.mark.parametrize("history", [None, [], [1, None, "容器网络", {"role": "user"}, ["x", "y"], {"content": 3}]])
def test_api_ask_tolerates_any_history_items(client, history):
    r = client.post("/api/ask", json={"question": SIMPLIFIED, "history": history})
    alone = client.post("/api/ask", json={"question": SIMPLIFIED}).json()
    assert r.status_code == 200
    got = r.json()  # a standalone question: answered as without the (junk) history
    assert (got["status"], got["topic"], got["citations"]) == ("answered", 9, alone["citations"])


def test_api_ask_accepts_a_charset_and_ignores_unknown_fields(client):
    r = client.post("/api/ask", content=json.dumps({"question": SIMPLIFIED, "extra": 1}).encode(),
                    headers={"content-type": "application/json; charset=utf-8"})
    assert r.status_code == 200


def test_question_at_the_limit_is_accepted(client, fake_engine):
    limit = fake_engine.settings.max_question_chars
    r = client.post("/api/ask", json={"question": ("滚动更新" * limit)[:limit]})
    assert r.status_code == 200


# ---- /api/ask: bad input is a 4xx with a clear message, never a 5xx ---------------------------------------
LIMIT = Settings().max_question_chars
# the reply a bad JSON body gets (status, part of the error) -> the bodies, by name (the test's id)
BAD_JSON = {
    (422, "empty"): {"empty question": b'{"question": ""}', "blank question": b'{"question": "  \\n\\t "}'},
    (413, "too long"): {"too long": json.dumps({"question": "容" * (LIMIT + 1)}).encode()},
    (413, "larger"): {"body over 64 KB": json.dumps({"question": "a" * 70_000}).encode()},
    (400, "not valid JSON"): {"malformed JSON": b'{"question": ', "not UTF-8": b'{"question": "\xff\xfe"}',
                              "deeply nested": b"[" * 60_000, "empty body": b""},
    (422, "JSON object"): {"a JSON string": b'"hello"', "a JSON array": b'["hello"]', "null": b"null"},
    (422, "missing field"): {"no question": b'{"q": "hello"}'},
    (422, "must be a string"): {"question is a number": b'{"question": 42}',
                                "question is a list": b'{"question": ["a"]}', "question is null": b'{"question": null}'},
    (422, "history"): {"history is a string": b'{"question": "k8s", "history": "abc"}',
                       "history is an object": b'{"question": "k8s", "history": {}}'},
}
BAD = {name: (body, "application/json", status, message)
       for (status, message), bodies in BAD_JSON.items() for name, body in bodies.items()}
BAD |= {  # a body that is not JSON by its Content-Type
    "text/plain": (b'{"question": "k8s"}', "text/plain", 415, "Content-Type"),
    "form-encoded": (b"question=k8s", "application/x-www-form-urlencoded", 415, "Content-Type"),
    "no content type": (b'{"question": "k8s"}', None, 415, "Content-Type"),
}


@pytest.mark.parametrize("body, ctype, status, message", BAD.values(), ids=list(BAD))
def test_bad_input_is_a_clear_4xx(client, body, ctype, status, message):
    headers = {"content-type": ctype} if ctype else {}
    r = client.post("/api/ask", content=body, headers=headers)
    assert r.status_code == status, r.text
    assert message in r.json()["error"]
    assert "\n" not in r.json()["error"] and "Traceback" not in r.text


def test_body_size_is_checked_while_streaming_too(client):
    """A chunked body (no Content-Length) over the cap is refused as well."""
    def chunks():
        for _ in range(20):
            yield b"x" * 8192

    r = client.post("/api/ask", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413


def test_other_methods_and_paths_are_4xx(client):
    assert client.get("/api/ask").status_code == 405
    assert client.get("/api/nothing-here").status_code == 404
    assert client.get("/docs").status_code == 404  # no API docs that would load outside resources


def test_the_page_is_served_at_root(client):
    r = client.get("/")
    assert r.status_code == 200 and "容器云专家问答" in r.text


def test_gradio_client_can_ask(url):
    from gradio_client import Client

    got = Client(url, verbose=False).predict(SIMPLIFIED, api_name="/ask")
    assert got["status"] == "answered" and got["topic"] == 9
    assert "gavin_zhang" in {c["expert"] for c in got["citations"]}


def test_concurrent_requests_share_model_calls_and_get_their_own_answers(fake_engine, tmp_path):
    """8 clients at once: their questions are embedded together (a slow fake model makes them queue), and
    each client gets the answer the in-process engine gives for its own question."""
    from kbqa.devtools.measure import load_questions

    engine = _unloaded_engine(fake_engine)
    backend = engine.embedder.inner
    real = backend._embed
    backend._embed = lambda texts: time.sleep(0.05) or real(texts)
    questions = [r["question"] for r in load_questions()][:24]
    app = web.create_app(engine, FeedbackStore(tmp_path / "f.sqlite3"))
    web.start_loading(app).join(60)
    got: dict[str, dict] = {}

    def client(mine):
        with httpx.Client(timeout=60) as c:
            for q in mine:
                r = c.post(base + "/api/ask", json={"question": q})
                got[q] = r.json() if r.status_code == 200 else {"error": r.status_code}

    with web.serve_in_thread(app) as base:
        threads = [threading.Thread(target=client, args=(questions[i::8],)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
    assert max(engine.embedder.batch_sizes) > 1, engine.embedder.batch_sizes  # calls were shared
    fake_engine.clear_caches()
    for q in questions:
        assert _without_timings(got[q]) == _without_timings(fake_engine.ask(q).to_dict()), q


def test_ask_concurrency_follows_the_batch_size(fake_engine):
    assert web.ask_concurrency(fake_engine.settings) == fake_engine.settings.query_batch == 16
    assert web.ask_concurrency(fake_engine.settings.with_(query_batch=1)) == max(1, (os.cpu_count() or 2) // 2)


def test_the_page_queue_does_not_poll_every_millisecond(fake_engine, tmp_path):
    """Gradio's queue polls for work every 1 ms by default: on an idle server that was 8% of a core, and a
    wake-up of the event loop (and the GIL) each time under /api/ask load."""
    from starlette.routing import Mount

    app = web.create_app(fake_engine, FeedbackStore(tmp_path / "f.sqlite3"))
    mounts = [r for r in app.routes if isinstance(r, Mount) and hasattr(r.app, "get_blocks")]
    queue = mounts[0].app.get_blocks()._queue
    assert queue.sleep_when_free >= web.QUEUE_POLL_S
    assert queue.progress_update_sleep_when_free >= web.QUEUE_POLL_S


# ---- the chat page's backend, called directly ----------------------------------------------------------
@pytest.fixture
def backend(fake_engine, tmp_path) -> web_page.ChatBackend:
    return web_page.ChatBackend(fake_engine, FeedbackStore(tmp_path / "fb.sqlite3"), stream_delay_s=0)


def test_chat_streams_the_answer_then_adds_the_sources(backend):
    steps = list(backend.respond(SIMPLIFIED, []))
    texts = [chat[-1]["content"] for _box, chat, _turns in steps[1:]]
    assert len(texts) > 5
    answers = texts[:-1]
    assert all(a.startswith(b) for a, b in zip(answers[1:], answers)), "each piece extends the previous one"
    box, chat, turns = steps[-1]
    # The box is cleared once, as the question is taken; later steps leave it alone (the user may be typing).
    assert steps[0][0] == "" and all(b == gr.skip() for b, _c, _t in steps[1:])
    assert [m["role"] for m in chat] == ["user", "assistant"]
    assert 'class="kbqa-sources"' in chat[-1]["content"] and "gavin_zhang" in chat[-1]["content"]
    assert "<details" in chat[-1]["content"] and "查看专家完整回答" in chat[-1]["content"]
    assert turns == [{"question": SIMPLIFIED, "answer": turns[0]["answer"], "message": 1,
                      "shown": chat[0]["content"], "reply": chat[1]["content"]}]
    assert turns[0]["answer"]["topic"] == 9
    assert backend.chat(turns) == chat  # the chat is rebuilt from the session's records, not sent back


def test_chat_passes_the_history_to_the_engine(backend):
    *_, (_b, chat, turns) = backend.respond("容器东西向流量的网络安全怎么保障？", [])
    *_, (_b, chat, turns) = backend.respond(FOLLOWUP, turns)
    assert [t["answer"]["topic"] for t in turns] == [5, 5]
    assert [t["message"] for t in turns] == [1, 3]
    assert backend.history(turns)[0] == {"role": "user", "content": "容器东西向流量的网络安全怎么保障？"}


def test_chat_refuses_politely(backend, fake_engine):
    limit = fake_engine.settings.max_question_chars
    *_, (_b, chat, turns) = backend.respond("容" * (limit + 5), [])
    assert "太长" in chat[-1]["content"] and str(limit) in chat[-1]["content"]
    assert len(chat[0]["content"]) < 1000  # the echo of a huge question is cut
    assert turns[-1]["answer"] is None
    *_, (_b, chat, turns) = backend.respond("\u200b\u200b", turns)  # zero-width only: empty once cleaned
    assert "请输入一个具体的问题" in chat[-1]["content"]
    assert backend.like(turns, True, 1) is None  # a refusal is not rated


def test_chat_shows_engine_errors_as_one_line(fake_engine, tmp_path):
    broken = web_page.ChatBackend(_unloaded_engine(fake_engine, corpus=tmp_path / "nope.json"),
                             FeedbackStore(tmp_path / "fb.sqlite3"))
    *_, (_b, chat, _t) = broken.respond(SIMPLIFIED, [])
    assert chat[-1]["content"].startswith("⚠️ 知识库暂时不可用") and "\n" not in chat[-1]["content"]


def test_chat_shows_user_html_as_text(backend):
    _box, chat, _turns = next(backend.respond("<img src=x onerror=alert(1)> **b**", []))
    shown = chat[0]["content"]
    assert "<" not in shown and "**" not in shown
    assert shown == r"&lt;img src\=x onerror\=alert\(1\)&gt; \*\*b\*\*"


def test_like_stores_the_rated_answer(backend):
    *_, (_b, chat, turns) = backend.respond(SIMPLIFIED, [])
    before = backend.store.count()
    assert backend.like(turns, True, 1) is not None
    assert backend.like(turns, None, 1) is None  # an un-click
    assert backend.like(turns, True, 0) is None  # not an answer
    assert backend.store.count() == before + 1
    [up] = list(backend.store.records())[-1:]
    assert up["rating"] == 1
    assert up["source"] == "web" and up["question"] == SIMPLIFIED
    assert up["answer"] == turns[0]["answer"]["answer"]
    assert up["citations"][0]["expert"] == turns[0]["answer"]["citations"][0]["expert"]
    assert up["extra"]["topic"] == 9 and up["created"]


def test_one_vote_per_answer_per_session(backend):
    """Issue 19, finding 3: 20 votes on one answer made 20 records. Now a session's later votes on the same
    answer change its one record; another answer, or another session, gets its own."""
    *_, (_b, _c, turns) = backend.respond(SIMPLIFIED, [])
    *_, (_b, _c, turns) = backend.respond(TRADITIONAL, turns)
    before = backend.store.count()
    first = backend.like(turns, True, 1)
    for i in range(20):
        assert backend.like(turns, i % 2 == 0, 1) == first
    assert backend.like(turns, False, 1) == first
    assert backend.store.count() == before + 1
    assert [r["rating"] for r in backend.store.records() if r["id"] == first] == [-1]
    assert backend.like(turns, True, 3) not in (None, first)  # the second answer
    *_, (_b, _c, other) = backend.respond(SIMPLIFIED, [])  # another session asks the same
    assert backend.like(other, True, 1) not in (None, first)
    assert backend.store.count() == before + 3


def test_a_full_feedback_store_refuses_new_votes_and_keeps_the_old(fake_engine, tmp_path):
    store = FeedbackStore(tmp_path / "small.sqlite3", max_records=2)
    backend = web_page.ChatBackend(fake_engine, store, stream_delay_s=0)
    turns = []
    for q in (SIMPLIFIED, TRADITIONAL, FOLLOWUP):
        *_, (_b, _c, turns) = backend.respond(q, turns)
    assert backend.like(turns, True, 1) is not None and backend.like(turns, True, 3) is not None
    assert backend.like(turns, True, 5) is None  # full: refused, nothing dropped
    assert backend.like(turns, False, 1) is not None  # changing an existing vote still works
    assert store.count() == 2


def test_examples_cover_the_ten_questions(fake_engine):
    from kbqa.corpus.loader import load_examples

    examples = load_examples(fake_engine.settings.corpus, fake_engine.faq())
    assert len(examples) == 10
    for n, q in enumerate(examples, start=1):  # each example leads to its question (a two-part one may cite two)
        assert n in {c.topic for c in fake_engine.ask(q).citations}, q


def test_another_faq_without_examples_offers_its_own_titles(tmp_path, fake_engine):
    from kbqa.corpus.loader import load_examples

    (tmp_path / "faq.json").write_text("{}", encoding="utf-8")
    assert load_examples(tmp_path / "faq.json", fake_engine.faq()) == tuple(t.title for t in fake_engine.faq().topics)


def test_browse_lists_the_ten_questions_and_their_experts(fake_engine):
    page = web_render.browse_html(fake_engine.faq())
    for t in fake_engine.faq().topics:
        assert f'id="kbqa-topic-{t.n}"' in page
    for u in fake_engine.faq().units:
        if u.kind == "answer":
            assert u.expert in page and u.expert_title in page
    assert "没有收录这个问题的专家解答" in page  # question 2


def test_sources_panel_escapes_corpus_text():
    c = {"n": 1, "topic": 3, "topic_title": "a<b", "expert": "<script>x</script>", "expert_title": "o&t",
         "quote": "q<i>1</i>", "score": 0.5, "text": "line1\n<img src=x onerror=alert(1)>\n\nline3"}
    panel = web_render.sources_html([c])
    assert "<script>" not in panel and "<img" not in panel and "<i>" not in panel
    assert "&lt;script&gt;" in panel and "o&amp;t" in panel and "a&lt;b" in panel
    assert "\n" not in panel  # one line: a blank line would end the HTML block in markdown
    assert web_render.sources_html([]) == ""


def test_stream_pieces():
    assert web_render.stream_pieces("") == [""]
    assert web_render.stream_pieces("abc", steps=10) == ["a", "ab", "abc"]
    pieces = web_render.stream_pieces("x" * 1000)
    assert pieces[-1] == "x" * 1000 and len(pieces) <= web_render.STREAM_STEPS + 1
