"""Load on POST /api/ask over real HTTP (fake embedder): 32 clients x 50 requests of in-scope, out-of-scope
and junk questions -> zero errors, every answer identical to the in-process one, server healthy, memory
flat. A slow request times out (504) without blocking others; a client stalled mid-body neither."""
from __future__ import annotations

import re
import socket
import threading
import time

import httpx
import pytest

from kbqa.devtools import stress
from kbqa.frontends.web import app as web
from kbqa.engine import Engine
from kbqa.store.feedback import FeedbackStore

pytestmark = pytest.mark.slow


def test_32_clients_x_50_requests(fake_engine, tmp_path):
    app = web.create_app(fake_engine, FeedbackStore(tmp_path / "f.sqlite3"))
    web.start_loading(app).join(60)
    with web.serve_in_thread(app) as url:
        found = stress.check_load(fake_engine, url, clients=32, per_client=50)
        assert httpx.get(url + "/healthz").status_code == 200
    assert found.errors == 0, found.notes
    assert found.requests >= 32 * 50
    res = found.figures
    assert res["healthy_after"]
    assert res["rss_growth_mb"] < 50 and res["rss_after_more_mb"] - res["rss_after_mb"] < 25, res


def _slow_engine(fake_engine, timeout_s: float, gate: threading.Event | None = None,
                 entered: threading.Event | None = None) -> Engine:
    """The session's engine behind a request time limit; a question with "slow" in it waits for ``gate``
    (set by the test; 300 s at most) after setting ``entered``."""
    e = Engine(fake_engine.settings.with_(request_timeout_s=timeout_s), embedder=fake_engine.embedder,
               progress=False)
    e._state = fake_engine.load()  # share the loaded index
    real_ask = e.ask

    def ask(question, history=None, mode=None, deadline=None):
        if "slow" in question:
            entered.set()
            gate.wait(300)
        return real_ask(question, history=history, mode=mode, deadline=deadline)

    e.ask = ask
    return e


def test_a_slow_request_times_out_and_does_not_block_others(fake_engine, tmp_path):
    """Without timing anything: the slow request's work is held until the test lets it go, and both the 504 and
    the other requests' answers arrive while it is still held."""
    gate, entered = threading.Event(), threading.Event()
    engine = _slow_engine(fake_engine, timeout_s=1.0, gate=gate, entered=entered)
    try:
        with web.serve_in_thread(web.create_app(engine, FeedbackStore(tmp_path / "f.sqlite3"))) as url:
            out = {}
            t = threading.Thread(target=lambda: out.setdefault(
                "slow", httpx.post(url + "/api/ask", json={"question": "slow 滚动更新"}, timeout=120)))
            t.start()
            assert entered.wait(60)  # the slow request is being worked on
            fast = [httpx.post(url + "/api/ask", json={"question": "银行重要的业务怎么用 k8s 做滚动更新？"},
                               timeout=120) for _ in range(5)]
            assert all(r.status_code == 200 for r in fast) and not gate.is_set()  # answered past the held one
            t.join(120)
            assert not t.is_alive() and not gate.is_set()  # the 504 came while the work was still held
    finally:
        gate.set()
    assert out["slow"].status_code == 504 and "1 s" in out["slow"].json()["error"]


def test_stalled_clients_do_not_block_others_and_are_dropped(fake_engine, tmp_path):
    engine = _slow_engine(fake_engine, timeout_s=600)

    def ten_questions(url: str) -> float:
        t0 = time.monotonic()
        for _ in range(10):
            assert httpx.post(url + "/api/ask", json={"question": "容器网络怎么选"}, timeout=120).status_code == 200
        return time.monotonic() - t0

    # The time limit is set from this machine's pace: ten times what ten questions take with nobody stalled
    # (measured on a first server; the app reads its request timeout when it is created).
    with web.serve_in_thread(web.create_app(engine, FeedbackStore(tmp_path / "f0.sqlite3"))) as url:
        baseline = ten_questions(url)
    engine.settings = engine.settings.with_(request_timeout_s=max(1.0, 10 * baseline))
    with web.serve_in_thread(web.create_app(engine, FeedbackStore(tmp_path / "f.sqlite3"))) as url:
        host, port = url.removeprefix("http://").split(":")
        stalled = []
        for _ in range(20):  # headers and half a body, then nothing
            s = socket.create_connection((host, int(port)), timeout=120)
            s.sendall(b"POST /api/ask HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                      b"Content-Length: 100\r\n\r\n{\"question\": ")
            stalled.append(s)
        half_headers = socket.create_connection((host, int(port)), timeout=120)
        half_headers.sendall(b"POST /api/ask HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # headers never finished
        ten_questions(url)
        # answered before the stalled clients were dropped: they did not wait for the stalled ones
        stalled[0].setblocking(False)
        with pytest.raises(BlockingIOError):
            stalled[0].recv(1)
        stalled[0].setblocking(True)
        # after the request timeout the stalled ones get a 408 (and their connections are freed)
        reply = _read_response(stalled[0])
        assert b" 408 " in reply.split(b"\r\n")[0] and b"not received" in reply
        for s in stalled + [half_headers]:
            s.close()
        assert httpx.get(url + "/healthz").status_code in (200, 503)


def _read_response(sock) -> bytes:
    """One whole HTTP response: the head and the body may arrive in separate reads."""
    data = b""
    while b"\r\n\r\n" not in data or len(data.split(b"\r\n\r\n", 1)[1]) < _content_length(data):
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def _content_length(data: bytes) -> int:
    m = re.search(rb"(?im)^content-length:\s*(\d+)", data)
    return int(m.group(1)) if m else 0


def test_kbqa_bench_stress_quick(tmp_path):
    """`kbqa bench --stress --quick` on the fake embedder: prints the five figures, exit 0, nothing lost."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "KBQA_HOME": str(tmp_path / "home"), "KBQA_EMBEDDER": "fake"}
    p = subprocess.run([sys.executable, "-m", "kbqa.frontends.cli", "bench", "--stress", "--quick"], env=env,
                       capture_output=True, text=True, timeout=180)
    assert p.returncode == 0, p.stdout + p.stderr[-3000:]
    figures = dict(re.findall(r"^  (requests sent|errors|faults injected|inputs tried|records lost)\s+(\d+)$",
                              p.stdout, re.M))
    assert len(figures) == 5, p.stdout
    assert figures["errors"] == "0" and figures["records lost"] == "0"
    assert int(figures["requests sent"]) > 100 and int(figures["faults injected"]) >= 9
    assert int(figures["inputs tried"]) >= 40
    assert p.stdout.strip().endswith("PASS") and "Traceback" not in p.stderr
