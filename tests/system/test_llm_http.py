"""LLM mode over real HTTP (POST /api/ask against the app served on loopback, the fake OpenAI-compatible
server behind it): one deadline per request, passed down, so a slow or broken LLM gives the extractive
answer with a notice, never a 504."""
from __future__ import annotations

import httpx
import pytest

from fakes.llm_server import FakeLLM, Reply

from kbqa.answer.generate import LLM_NOTICE_FAILED, LLM_NOTICE_UNSUPPORTED
from kbqa.engine import Engine
from kbqa.frontends.web import app as web
from kbqa.store.feedback import FeedbackStore
from kbqa.text.normalise import is_traditional

pytestmark = pytest.mark.slow

QUESTION = "银行重要的业务怎么用 k8s 做滚动更新？"
TIMEOUT_S = 4.0  # the request's time limit; each LLM call alone may take 3 s


@pytest.fixture(scope="module")
def llm():
    with FakeLLM() as server:
        yield server


@pytest.fixture(scope="module")
def url(fake_engine, llm, tmp_path_factory):
    settings = fake_engine.settings.with_(llm_base_url=llm.base_url, llm_model="test", llm_timeout_s=3.0,
                                          request_timeout_s=TIMEOUT_S, mode="lexical")
    engine = Engine(settings, embedder=fake_engine.embedder, progress=False)
    app = web.create_app(engine, FeedbackStore(tmp_path_factory.mktemp("llm-http") / "f.sqlite3"))
    web.start_loading(app).join(60)
    with web.serve_in_thread(app) as base:
        yield base


def _ask(url, question, history=None):
    body = {"question": question} | ({"history": history} if history else {})
    return httpx.post(url + "/api/ask", json=body, timeout=TIMEOUT_S * 3)


def test_a_follow_up_whose_two_llm_calls_exceed_the_request_time_gets_the_extractive_answer(url, llm):
    llm.reset()
    # condensing and answering each take 2.5 s: under the 3 s LLM timeout each, 5 s together > 4 s
    llm.script(Reply("容器云怎么做滚动更新？", delay=2.5), Reply("滚动更新要灰度[1]。", delay=2.5))
    r = _ask(url, "那回滚呢？", history=[QUESTION])
    assert r.status_code == 200, r.text
    a = r.json()
    assert a["status"] == "answered" and a["notice"] == LLM_NOTICE_FAILED and a["citations"]


def test_an_llm_slower_than_the_request_gives_the_extractive_answer(url, llm):
    llm.reset()
    llm.script(Reply("迟到的回答[1]。", delay=TIMEOUT_S + 2))
    r = _ask(url, QUESTION)
    assert r.status_code == 200 and r.json()["notice"] == LLM_NOTICE_FAILED


def test_garbage_from_the_llm_gives_the_extractive_answer(url, llm):
    llm.reset()
    llm.script(Reply(raw="this is not json", content_type="application/json"))
    r = _ask(url, QUESTION)
    assert r.status_code == 200 and r.json()["notice"] == LLM_NOTICE_FAILED
    llm.reset()
    llm.script(Reply("没有任何引用的一句话。"))
    assert _ask(url, QUESTION).json()["notice"] == LLM_NOTICE_UNSUPPORTED


def test_a_good_llm_answer_comes_back_cited_and_in_traditional_when_asked_so(url, llm):
    llm.reset()
    llm.script(Reply("滾動更新可以做金絲雀發布[1]。"))
    a = _ask(url, "銀行重要的業務怎麼用 k8s 做滾動更新？").json()
    assert a["notice"] == "" and "金絲雀發布[1]" in a["answer"] and is_traditional(a["answer"])
    assert a["sections"][0]["body"] and a["citations"][0]["quote"]
