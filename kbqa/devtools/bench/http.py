"""The HTTP API under concurrent clients: ``POST /api/ask`` against a fresh ``kbqa serve`` process."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time

from kbqa.devtools.measure import child_env, last_line, percentiles, rounded, tree_pss_mb, tree_rss_mb

WARMUP_QUESTIONS = 5


def split_warmup(questions: list[str], n: int = WARMUP_QUESTIONS) -> tuple[list[str], list[str]]:
    """(warm-up questions, timed questions) with no question in both: a timed request that repeats a
    warm-up question would be an answer-cache hit, not the work of a new question."""
    if len(questions) <= n:
        return list(questions), list(questions)
    return list(questions[-n:]), list(questions[:-n])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_ready(base: str, proc, timeout_s: float) -> bool:
    import httpx

    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout_s and proc.poll() is None:
        try:
            if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    return False


def _stop(proc, log, wait_s: float) -> None:
    """End a server process started here: asked to stop, killed if it has not within ``wait_s``; then its log
    file is closed."""
    proc.terminate()
    try:
        proc.wait(wait_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)
    log.close()


def _post(conn, question: str) -> int:
    """POST one question on a kept-alive connection; the status (the body is read, not parsed)."""
    conn.request("POST", "/api/ask", body=json.dumps({"question": question}).encode(),
                 headers={"Content-Type": "application/json"})
    resp = conn.getresponse()
    resp.read()
    return resp.status


def _load(base: str, timed: list[str], total: int, clients: int, timeout_s: float) -> tuple[list, list, float]:
    """``total`` requests from ``clients`` threads, each taking the next question: (latencies in ms of the
    200s, errors, wall seconds). The clients are the standard library's http.client on kept-alive
    connections: about 0.3 ms of CPU a request, where httpx took about 1.7 ms. On a small machine the load
    generator shares the cores with the server; its own cost is reported (``http_client_cpu_ms``)."""
    import http.client
    from urllib.parse import urlsplit

    host, port = urlsplit(base).hostname, urlsplit(base).port
    lat: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    counter = iter(range(total))

    def worker():
        conn = http.client.HTTPConnection(host, port, timeout=timeout_s)
        try:
            while True:
                with lock:
                    i = next(counter, None)
                if i is None:
                    return
                t = time.perf_counter()
                try:
                    status = _post(conn, timed[i % len(timed)])
                    err = None if status == 200 else f"HTTP {status}"
                except (OSError, http.client.HTTPException) as e:
                    err = type(e).__name__
                    conn.close()
                    conn = http.client.HTTPConnection(host, port, timeout=timeout_s)
                dt = (time.perf_counter() - t) * 1e3
                with lock:
                    if err is None:
                        lat.append(dt)
                    else:
                        errors.append(err)
        finally:
            conn.close()

    t0 = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return lat, errors, time.perf_counter() - t0


def measure_http(questions: list[str], total: int = 200, clients: int = 8, timeout_s: float = 30.0,
                 ready_timeout_s: float = 240.0, workers: int = 1) -> dict:
    """POST /api/ask from ``clients`` threads against a fresh server process, ``total`` requests; the
    server's memory (with its children) is sampled meanwhile. Each timed question is new to the server (no
    answer or query-vector cache hit) as long as ``total`` is at most the number of timed questions; past
    that they repeat, and the result says so. ``workers``: the server's ``--workers`` (forked after one load).
    Memory is the peak over the server's process tree, as summed RSS and as PSS (shared pages counted once)."""
    import importlib.util

    if importlib.util.find_spec("kbqa.frontends.web.app") is None:
        return {"note": "kbqa.frontends.web.app is not available: HTTP figures skipped"}

    port = _free_port()
    log = tempfile.TemporaryFile()
    # The benchmark's clients share one loopback address: the per-client rate limit is turned off for
    # this server only (docs/security.md), so the figures measure the server, not the limit.
    proc = subprocess.Popen([sys.executable, "-m", "kbqa.frontends.cli", "serve", "--port", str(port),
                             "--workers", str(workers)],
                            env=child_env() | {"KBQA_RATE_LIMIT": "0"}, stdout=log, stderr=subprocess.STDOUT,
                            cwd=os.getcwd())
    base = f"http://127.0.0.1:{port}"
    out: dict = {}
    try:
        t0 = time.perf_counter()
        ready = _wait_ready(base, proc, ready_timeout_s)
        out["server_ready_s"] = round(time.perf_counter() - t0, 2)
        if not ready:
            log.seek(0)
            out["note"] = f"server not ready (exit code {proc.poll()}): {last_line(log.read())[:200]}"
            return out
        warmup, timed = split_warmup(questions)
        _load(base, warmup, len(warmup), 1, timeout_s)

        rss_peak = [0.0, 0.0]
        stop = threading.Event()

        def sample():
            while not stop.is_set():
                rss_peak[0] = max(rss_peak[0], tree_rss_mb(proc.pid) or 0.0)
                rss_peak[1] = max(rss_peak[1], tree_pss_mb(proc.pid) or 0.0)
                stop.wait(0.2)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        cpu0 = time.process_time()
        lat, errors, wall = _load(base, timed, total, clients, timeout_s)
        client_cpu_ms = (time.process_time() - cpu0) * 1e3 / max(total, 1)  # this process: clients and sampler
        stop.set()
        sampler.join()
        p = percentiles(lat)
        out.update({"http_qps": rounded(len(lat) / wall), "http_p50_ms": rounded(p[50]),
                    "http_p95_ms": rounded(p[95]), "http_p99_ms": rounded(p[99]), "http_requests": total,
                    "http_clients": clients, "http_errors": len(errors), "server_rss_mb": rounded(rss_peak[0], 1),
                    "server_pss_mb": rounded(rss_peak[1], 1), "http_workers": workers,
                    "http_distinct_questions": min(total, len(set(timed))),
                    "http_client_cpu_ms": rounded(client_cpu_ms, 2)})
        if total > len(set(timed)) or set(timed) & set(warmup):
            out["note"] = (f"http: {total} requests over {len(set(timed))} distinct questions: repeats are "
                           "answer-cache hits, so http_qps overstates the throughput of new questions")
        if errors:
            out["http_error_kinds"] = sorted(set(errors))
        return out
    finally:
        _stop(proc, log, 15)
