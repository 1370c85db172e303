"""A hot swap under load (fake embedder, real HTTP): clients keep asking while a correction is built, self-tested
and swapped in, and while it is rolled back; not one request fails, /healthz reports each KB version, and the
question the correction is about is answered from its new FAQ question as soon as the swap is done."""
from __future__ import annotations

import itertools
import shutil
import threading

import httpx
import pytest

from kbqa.corpus import overlay as ov
from kbqa.engine import Engine
from kbqa.frontends.web import app as web
from kbqa.settings import REPO_ROOT, Settings
from kbqa.store.feedback import FeedbackStore

pytestmark = pytest.mark.slow

WAIT_S = 300
QUESTION = "午饭吃香蕉还是苹果？"
MIX = [QUESTION, "容器里怎么执行定时任务？", "k8s 灰度发布", "今天天气怎么样", "第三个问题", "有哪些问题", "你好"]


class Clients:
    """``n`` threads asking in a loop until stopped; every response kept as (status, body)."""

    def __init__(self, url: str, n: int = 6) -> None:
        self.url, self.stop, self.results, self.lock = url, threading.Event(), [], threading.Lock()
        self.threads = [threading.Thread(target=self._run, args=(i,), daemon=True) for i in range(n)]

    def _run(self, i: int) -> None:
        with httpx.Client(timeout=60) as client:
            for q in itertools.islice(itertools.cycle(MIX), i, None):
                if self.stop.is_set():
                    return
                r = client.post(self.url + "/api/ask", json={"question": q})
                with self.lock:
                    self.results.append((q, r.status_code, r.json() if r.status_code == 200 else r.text))

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for t in self.threads:
            t.join(120)

    def count(self) -> int:
        with self.lock:
            return len(self.results)

    def wait_for_more(self, n: int) -> None:
        target = self.count() + n
        while self.count() < target and not self.stop.wait(0.05):
            pass


def test_hot_swap_and_rollback_under_load_fail_no_request(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("faq.json", "glossary.tsv"):
        shutil.copy(REPO_ROOT / "corpus" / name, corpus / name)
    # one client sends all the load: the per-client rate limit (issue 19) is off, as in bench and stress
    engine = Engine(Settings(home=tmp_path / "home", embedder="fake", corpus=corpus / "faq.json", rate_limit=0),
                    progress=False)
    app = web.create_app(engine, FeedbackStore(tmp_path / "f.sqlite3"))
    web.start_loading(app).join(120)
    with web.serve_in_thread(app) as url:
        v0 = httpx.get(url + "/healthz").json()["kb_version"]
        with Clients(url) as clients:
            clients.wait_for_more(20)
            job = engine.live.apply(ov.new("paraphrase", QUESTION, topic=3))
            while not job.done.wait(0.05):
                pass
            assert job.state == "swapped", job.message
            during = clients.count()
            clients.wait_for_more(40)
            v1 = httpx.get(url + "/healthz").json()["kb_version"]
            back = engine.live.rollback()
            assert back.done.wait(WAIT_S) and back.state == "swapped"
            clients.wait_for_more(20)
        results = list(clients.results)
        assert httpx.get(url + "/healthz").json()["kb_version"] == v0 != v1 == job.version_to
    assert len(results) >= 80
    bad = [(q, s, body) for q, s, body in results if s != 200]
    assert not bad, bad[:5]
    after = [body for q, _, body in results[during:] if q == QUESTION and body["topic"] == 3]
    assert after, "the corrected question was never answered from question 3 after the swap"
    assert results[-1][1] == 200
