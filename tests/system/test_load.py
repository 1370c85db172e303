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


def _slow_engine(fake_engine, delay: float, timeout_s: float) -> Engine:
    e = Engine(fake_engine.settings.with_(request_timeout_s=timeout_s), embedder=fake_engine.embedder,
               progress=False)
    e._state = fake_engine.load()  # share the loaded index
    real_ask = e.ask

    def ask(question, history=None, mode=None, deadline=None):
        if "slow" in question:
            time.sleep(delay)
        return real_ask(question, history=history, mode=mode, deadline=deadline)

    e.ask = ask
    return e


def test_a_slow_request_times_out_and_does_not_block_others(fake_engine, tmp_path):
    engine = _slow_engine(fake_engine, delay=4.0, timeout_s=1.0)
    with web.serve_in_thread(web.create_app(engine, FeedbackStore(tmp_path / "f.sqlite3"))) as url:
        out = {}

        def slow():
            t0 = time.monotonic()
            out["slow"] = httpx.post(url + "/api/ask", json={"question": "slow 滚动更新"}, timeout=30)
            out["slow_s"] = time.monotonic() - t0

        t = threading.Thread(target=slow)
        t.start()
        time.sleep(0.2)
        t0 = time.monotonic()
        fast = [httpx.post(url + "/api/ask", json={"question": "银行重要的业务怎么用 k8s 做滚动更新？"}, timeout=30)
                for _ in range(5)]
        fast_s = time.monotonic() - t0
        t.join(30)
    assert all(r.status_code == 200 for r in fast) and fast_s < 2.0
    assert out["slow"].status_code == 504 and "1 s" in out["slow"].json()["error"]
    assert out["slow_s"] < 3.0  # the 1 s timeout, not the 4 s of work


def test_stalled_clients_do_not_block_others_and_are_dropped(fake_engine, tmp_path):
    engine = _slow_engine(fake_engine, delay=0, timeout_s=1.5)
    with web.serve_in_thread(web.create_app(engine, FeedbackStore(tmp_path / "f.sqlite3"))) as url:
        host, port = url.removeprefix("http://").split(":")
        stalled = []
        for _ in range(20):  # headers and half a body, then nothing
            s = socket.create_connection((host, int(port)), timeout=10)
            s.sendall(b"POST /api/ask HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                      b"Content-Length: 100\r\n\r\n{\"question\": ")
            stalled.append(s)
        half_headers = socket.create_connection((host, int(port)), timeout=10)
        half_headers.sendall(b"POST /api/ask HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # headers never finished
        t0 = time.monotonic()
        for _ in range(10):
            assert httpx.post(url + "/api/ask", json={"question": "容器网络怎么选"}, timeout=10).status_code == 200
        assert time.monotonic() - t0 < 3.0
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
