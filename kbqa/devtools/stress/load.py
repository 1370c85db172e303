"""Load on ``POST /api/ask``: many clients at once, each answer compared with the in-process one, stalled
clients held open meanwhile, and the server's memory watched across rounds."""
from __future__ import annotations

import json
import socket
import time
from concurrent.futures import ThreadPoolExecutor

from kbqa.devtools.measure import current_rss_mb, percentile
from kbqa.devtools.stress.findings import Findings, check_response, expected, post
from kbqa.devtools.stress.inputs import JUNK_QUESTIONS, OUT_OF_SCOPE, in_scope_questions


def _stalled_client(url: str) -> socket.socket:
    """Headers announcing a body that never comes: the server must keep serving everyone else."""
    host, port = url.removeprefix("http://").split(":")
    s = socket.create_connection((host, int(port)), timeout=5)
    s.sendall(b"POST /api/ask HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
              b"Content-Length: 1000\r\n\r\n{\"question\": \"")
    return s


def _mix(engine) -> list[tuple[str, list | None]]:
    """(question, history) pairs: in scope, out of scope, junk, and one follow-up."""
    in_scope = in_scope_questions(engine)
    mix: list[tuple[str, list | None]] = [(q, None) for q in in_scope + OUT_OF_SCOPE]
    mix += [(q, None) for q in JUNK_QUESTIONS.values()]
    mix += [("那高可用呢？", [{"role": "user", "content": in_scope[-3]}, {"role": "assistant", "content": "…"}])]
    return mix


def check_load(engine, url: str, clients: int = 32, per_client: int = 50, say=None) -> Findings:
    """``clients`` threads each send ``per_client`` requests of the mix to the server at ``url`` (which
    serves ``engine``); every answer must equal the engine's in-process one and every refused question get
    a 4xx. A warm-up round first, then the timed round, then a further round: memory must stay flat.
    ``figures``: clients, requests, wall_s, req_per_s, p95_ms, RSS before/after/after more, healthy_after.
    The RSS is this process's: the server runs in it (``serve_in_thread``)."""
    import httpx

    found = Findings()
    mix = _mix(engine)
    want = [expected(engine, q, h) for q, h in mix]
    bodies = [json.dumps({"question": q, **({"history": h} if h else {})}).encode() for q, h in mix]
    lat: list[float] = []
    stalled = [_stalled_client(url) for _ in range(4)]
    found.faults += 1  # stalled clients held open during the load

    def worker(c: int, n: int) -> None:
        with httpx.Client(timeout=60) as client:
            for i in range(n):
                k = (c * 7 + i) % len(mix)
                t0 = time.perf_counter()
                try:
                    r = post(client, url, bodies[k], "application/json", found)
                except Exception as e:  # noqa: BLE001
                    found.error(f"client {c}: {type(e).__name__}: {e}")
                    continue
                with found.lock:
                    lat.append((time.perf_counter() - t0) * 1e3)
                check_response(r, f"load {mix[k][0][:20]!r}", found, want[k])
                if want[k] is None and r.status_code < 400:
                    found.error(f"load {mix[k][0][:20]!r}: accepted, expected a 4xx")

    def round_(n: int) -> float:
        t = time.perf_counter()
        with ThreadPoolExecutor(clients) as pool:
            list(pool.map(lambda c: worker(c, n), range(clients)))
        return time.perf_counter() - t

    round_(2)  # warm-up: threads, connections, caches
    lat.clear()
    rss0 = current_rss_mb()
    wall = round_(per_client)
    timed = lat[:]
    rss1 = current_rss_mb()
    round_(max(per_client // 5, 2))  # a further round: memory must stay flat, not keep growing
    rss2 = current_rss_mb()
    healthy = httpx.get(url + "/healthz", timeout=10).status_code == 200
    if not healthy:
        found.error("server unhealthy after the load")
    for s in stalled:
        s.close()
    p95 = percentile(timed, 95)
    found.figures = {"clients": clients, "requests": clients * per_client, "wall_s": round(wall, 2),
                     "req_per_s": round(clients * per_client / wall, 1),
                     "p95_ms": round(p95, 1) if p95 else None,
                     "rss_before_mb": round(rss0), "rss_after_mb": round(rss1), "rss_growth_mb": round(rss1 - rss0, 1),
                     "rss_after_more_mb": round(rss2), "healthy_after": healthy}
    f = found.figures
    if say:
        say(f"load: {clients}x{per_client} in {wall:.1f} s ({f['req_per_s']} req/s, p95 {f['p95_ms']} ms), "
            f"RSS {f['rss_before_mb']} -> {f['rss_after_mb']} -> {f['rss_after_more_mb']} MB, {found.errors} errors")
    return found
