"""Issue 19 over real HTTP (the app served by uvicorn on a free loopback port, fake embedder): origins and
hosts, forwarded headers, uploads, the routes Gradio exposes, body caps on every route that runs an ask,
the per-client limit, the queue bound, security headers on every response, and no absolute path or
/openapi.json given to clients. Each test failed on the code before the fix (see the issue's findings)."""
from __future__ import annotations

import json
import socket

import httpx
import pytest

from kbqa.engine import Engine
from kbqa.frontends.web import app as web
from kbqa.store.feedback import FeedbackStore

pytestmark = pytest.mark.slow

EVIL = "https://evil.example"
QUESTION = "银行重要的业务怎么用 k8s 做滚动更新？"


def _app_with(fake_engine, tmp_path, **changes):
    """An app on the session's loaded index with other web settings."""
    engine = Engine(fake_engine.settings.with_(**changes), embedder=fake_engine.embedder, progress=False)
    engine._state = fake_engine.load()
    return web.create_app(engine, FeedbackStore(tmp_path / "f.sqlite3"))


def _gradio_join(client, fn_index: int, data: list, session: str = "s1", **headers):
    body = {"data": data, "fn_index": fn_index, "session_hash": session, "event_data": None, "trigger_id": None}
    return client.post("/gradio_api/queue/join", json=body, headers=headers)


# ---- 1. origins and hosts ---------------------------------------------------------------------------------
PROBES = [("GET", "/config"), ("GET", "/"), ("POST", "/gradio_api/call/ask"), ("POST", "/gradio_api/upload"),
          ("POST", "/api/ask"), ("POST", "/gradio_api/queue/join")]


@pytest.fixture(scope="module")
def bank_client(fake_engine, tmp_path_factory):
    """The app as a bank would configure it: its own host name allowed, so requests reach Gradio."""
    app = _app_with(fake_engine, tmp_path_factory.mktemp("sec-bank"), allowed_hosts="kbqa.bank.internal")
    with web.serve_in_thread(app) as base, httpx.Client(base_url=base, timeout=30) as c:
        yield c


@pytest.mark.parametrize("host", ["kbqa.bank.internal", "127.0.0.1"])
@pytest.mark.parametrize("method, path", PROBES)
def test_no_origin_is_reflected(client, bank_client, host, method, path):
    """Finding 1: with Host: kbqa.bank.internal, Gradio answered Access-Control-Allow-Origin: <any origin>
    with credentials. Now no outside origin gets CORS headers, on any route, preflight or not, also when that
    host is an allowed one (the request reaches Gradio: the page and /config answer 200)."""
    if host != "127.0.0.1":
        client = bank_client
    body = {"data": [QUESTION]} if "call" in path or "join" in path else {"question": QUESTION}
    headers = {"host": host, "origin": EVIL}
    r = client.request(method, path, headers=headers, json=body if method == "POST" else None)
    if method == "GET":
        assert r.status_code == 200, (host, path, r.status_code)
    assert "access-control-allow-origin" not in r.headers, (r.status_code, dict(r.headers))
    assert "access-control-allow-credentials" not in r.headers
    pre = client.options(path, headers={**headers, "access-control-request-method": "POST",
                                        "access-control-request-headers": "content-type"})
    assert pre.headers.get("access-control-allow-origin") in (None, "null"), dict(pre.headers)
    assert pre.status_code >= 400 or "access-control-allow-origin" not in pre.headers


def test_hosts_outside_the_allow_list_are_refused(client):
    assert client.get("/healthz", headers={"host": "kbqa.bank.internal"}).status_code == 400
    assert client.get("/", headers={"host": "evil.example"}).status_code == 400
    assert client.get("/healthz", headers={"host": "localhost:7860"}).status_code in (200, 503)
    assert client.get("/healthz").status_code in (200, 503)  # 127.0.0.1:<port>


def test_forwarded_host_is_ignored_unless_from_a_trusted_proxy(client):
    """Finding 1: X-Forwarded-Host set the root of /config (where the page sends its requests)."""
    r = client.get("/config", headers={"x-forwarded-host": "evil.example", "x-forwarded-proto": "https"})
    assert r.status_code == 200 and "evil.example" not in r.json().get("root", "")
    assert "evil.example" not in client.get("/").text


def test_configured_origins_and_hosts_and_a_trusted_proxy(fake_engine, tmp_path):
    app = _app_with(fake_engine, tmp_path, allowed_hosts="kbqa.bank.internal", trusted_proxies="127.0.0.1",
                    allowed_origins="https://portal.bank.internal", rate_limit=2, rate_burst=2)
    with web.serve_in_thread(app) as base, httpx.Client(base_url=base, timeout=30) as c:
        h = {"host": "kbqa.bank.internal"}
        assert c.get("/healthz").status_code == 400  # 127.0.0.1 is no longer an allowed host
        ok = c.post("/api/ask", json={"question": QUESTION}, headers={**h, "origin": "https://portal.bank.internal"})
        assert ok.status_code == 200 and ok.headers["access-control-allow-origin"] == "https://portal.bank.internal"
        assert "access-control-allow-credentials" not in ok.headers
        bad = c.post("/api/ask", json={"question": QUESTION}, headers={**h, "origin": EVIL})
        assert "access-control-allow-origin" not in bad.headers
        # Behind the trusted proxy: the forwarded host must be allowed too, and the client is the forwarded
        # address (so two users behind one proxy have their own limits).
        assert c.get("/config", headers={**h, "x-forwarded-host": "evil.example"}).status_code == 400
        root = c.get("/config", headers={**h, "x-forwarded-host": "kbqa.bank.internal",
                                         "x-forwarded-proto": "https"}).json()["root"]
        assert root.startswith("https://kbqa.bank.internal")
        for _ in range(2):
            assert c.post("/api/ask", json={"question": QUESTION},
                          headers={**h, "x-forwarded-for": "10.0.0.1"}).status_code == 200
        assert c.post("/api/ask", json={"question": QUESTION},
                      headers={**h, "x-forwarded-for": "10.0.0.1"}).status_code == 429
        assert c.post("/api/ask", json={"question": QUESTION},
                      headers={**h, "x-forwarded-for": "10.0.0.2"}).status_code == 200
        # the left part of X-Forwarded-For is the client's to write: only the proxy's own entry counts
        assert c.post("/api/ask", json={"question": QUESTION},
                      headers={**h, "x-forwarded-for": "10.9.9.9, 10.0.0.1"}).status_code == 429


def test_forwarded_for_from_an_untrusted_peer_does_not_change_the_client(fake_engine, tmp_path):
    app = _app_with(fake_engine, tmp_path, rate_limit=1, rate_burst=2)
    with web.serve_in_thread(app) as base, httpx.Client(base_url=base, timeout=30) as c:
        codes = [c.post("/api/ask", json={"question": QUESTION}, headers={"x-forwarded-for": f"10.0.0.{i}"}
                        ).status_code for i in range(4)]
    assert codes[:2] == [200, 200] and codes[2:] == [429, 429]


# ---- 2. uploads ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/gradio_api/upload", "/gradio_api/upload?upload_id=x", "//gradio_api/upload",
                                  "/gradio_api//upload", "/gradio_api/upload/", "/gradio_api/process_recording"])
def test_uploads_are_refused(client, path):
    """Finding 2: /gradio_api/upload stored any file (30 MB in 0.1 s) and returned its absolute path."""
    r = client.post(path, files={"files": ("a.html", b"<script>alert(1)</script>" * 100, "text/html")})
    assert r.status_code in (403, 404), (r.status_code, r.text[:200])
    assert "/tmp" not in r.text and "gradio" not in r.text.lower().replace("gradio_api", "")


def test_a_large_upload_is_refused_before_its_body_is_read(client, url):
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as s:
        s.sendall(b"POST /gradio_api/upload HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  b"Content-Type: multipart/form-data; boundary=x\r\nContent-Length: 31457280\r\n\r\n")
        assert b" 403 " in s.recv(4096).split(b"\r\n")[0]


@pytest.mark.parametrize("path", ["/gradio_api/file=/etc/passwd", "/gradio_api/file=http://127.0.0.1:9/x",
                                  "/gradio_api/proxy=http://127.0.0.1:9/x", "/monitoring", "/gradio_api/runs",
                                  "/gradio_api/mcp/sse", "/gradio_api/dev/reload", "/gradio_api/vibe-code",
                                  "/gradio_api/startup-events", "/login", "/gradio_api/component_server"])
def test_gradio_routes_the_page_does_not_need_are_404(client, path):
    assert client.get(path).status_code == 404
    assert client.post(path, json={}).status_code == 404


def test_the_apps_own_routes_pass_whenever_they_are_added(fake_engine, tmp_path):
    """Routes app.py adds to the FastAPI app (a /metrics, say) are not the Gradio allow-list's business."""
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    app = _app_with(fake_engine, tmp_path)  # (before the Gradio mount at "/", as app.py would add it)
    app.router.routes.insert(0, Route("/metrics", lambda request: PlainTextResponse("ok 1")))
    with web.serve_in_thread(app) as base:
        r = httpx.get(base + "/metrics")
        assert r.status_code == 200 and r.headers["x-frame-options"] == "DENY"
        assert httpx.get(base + "/metrics/x").status_code == 404


def test_private_events_cannot_be_called_by_name(client):
    for name in ("respond", "on_like", "show_suggestions", "on_load"):
        assert client.post(f"/gradio_api/call/{name}", json={"data": [QUESTION]}).status_code == 404


# ---- 3. limits -----------------------------------------------------------------------------------------
BIG = "滚" * 40_000  # 120 KB of UTF-8: over the 64 KB cap, far under the old Gradio limit (none)


@pytest.mark.parametrize("path", ["/api/ask", "/gradio_api/call/ask", "/gradio_api/run/ask", "/gradio_api/api/ask",
                                  "/gradio_api/call/v2/ask", "/gradio_api/queue/join"])
def test_every_ask_route_caps_the_body(client, path):
    """Finding 3: gr.api's routes skipped the 64 KB cap of /api/ask (a 5 MB body was accepted)."""
    body = {"question": BIG} if path == "/api/ask" else {"data": [BIG], "fn_index": 0, "session_hash": "x"}
    r = client.post(path, json=body)
    assert r.status_code == 413, (path, r.status_code, r.text[:200])
    assert str(web.MAX_BODY_BYTES) in r.text

    def chunks():  # no Content-Length: counted as it arrives
        for _ in range(20):
            yield b"x" * 8192

    assert client.post(path, content=chunks(), headers={"content-type": "application/json"}).status_code == 413


def test_gradio_ask_still_works_within_the_cap(client):
    r = client.post("/gradio_api/call/ask", json={"data": [QUESTION]})
    assert r.status_code == 200, r.text
    event = r.json()["event_id"]
    text = client.get(f"/gradio_api/call/ask/{event}").text
    assert "gavin_zhang" in text


def test_a_stalled_body_on_a_gradio_route_is_dropped(fake_engine, tmp_path):
    app = _app_with(fake_engine, tmp_path, request_timeout_s=1.0)
    with web.serve_in_thread(app) as base:
        host, port = base.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=10) as s:
            s.sendall(b"POST /gradio_api/queue/join HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                      b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"data\": ")
            reply = s.recv(4096)
        assert b" 408 " in reply.split(b"\r\n")[0]


def test_per_client_limit_on_every_ask_route(fake_engine, tmp_path):
    """Finding 3: one client could send as many asks as it liked (50 at once slowed everyone's answers)."""
    app = _app_with(fake_engine, tmp_path, rate_limit=1, rate_burst=3)
    with web.serve_in_thread(app) as base, httpx.Client(base_url=base, timeout=30) as c:
        codes = [c.post("/api/ask", json={"question": QUESTION}).status_code for _ in range(5)]
        assert codes == [200, 200, 200, 429, 429]
        r = c.post("/api/ask", json={"question": QUESTION})
        assert int(r.headers["retry-after"]) >= 1 and "too many" in r.json()["error"]
        # the same client through the Gradio API and the page's queue: the same bucket
        assert c.post("/gradio_api/call/ask", json={"data": [QUESTION]}).status_code == 429
        config = c.get("/config").json()
        respond = next(d["id"] for d in config["dependencies"] if d["api_name"] == "respond")
        assert _gradio_join(c, respond, [QUESTION, None]).status_code == 429
        # what does not run an ask is not counted: the page, its assets, health
        assert c.get("/").status_code == 200 and c.get("/healthz").status_code == 200


def test_main_routes_pass_the_allow_list_and_votes_are_capped_and_limited(fake_engine, tmp_path):
    """The replicas' routes (/metrics, /livez, POST /api/feedback) behind the same protections: allowed, the
    body cap, a per-client limit on votes (its own bucket: voting does not use up a client's questions), and
    a request id on what the protections refuse too."""
    app = _app_with(fake_engine, tmp_path, rate_limit=1, rate_burst=2)
    with web.serve_in_thread(app) as base, httpx.Client(base_url=base, timeout=30) as c:
        assert c.get("/livez").status_code == 200 and c.get("/metrics").status_code == 200
        assert c.get("/livez", headers={"host": "evil.example"}).status_code == 400
        big = c.post("/api/feedback", content=b"x" * 70_000, headers={"content-type": "application/json"})
        assert big.status_code == 413 and big.headers["x-request-id"]
        answer = c.post("/api/ask", json={"question": QUESTION}).json()
        vote = {"answer_id": answer["id"], "rating": "up", "question": QUESTION, "answer": answer}
        codes = [c.post("/api/feedback", json=vote).status_code for _ in range(3)]
        assert codes == [200, 200, 429]  # a burst of 2 (the refused big body was not counted)
        r = c.post("/api/feedback", json=vote)
        assert int(r.headers["retry-after"]) >= 1 and "too many votes" in r.json()["error"]
        assert r.headers["x-request-id"] and r.headers["x-frame-options"] == "DENY"
        assert c.post("/api/ask", json={"question": QUESTION}).status_code == 200  # its own bucket


def test_the_limit_can_be_turned_off(fake_engine, tmp_path):
    app = _app_with(fake_engine, tmp_path, rate_limit=0, rate_burst=1)
    with web.serve_in_thread(app) as base, httpx.Client(base_url=base, timeout=30) as c:
        assert {c.post("/api/ask", json={"question": QUESTION}).status_code for _ in range(8)} == {200}


def test_the_page_queue_is_bounded(fake_engine, tmp_path):
    app = _app_with(fake_engine, tmp_path, queue_size=3)
    blocks = next(r.app for r in app.routes if type(r).__name__ == "Mount").get_blocks()
    assert blocks._queue.max_size == 3


def test_default_limits():
    from kbqa.settings import Settings

    s = Settings()
    assert s.rate_limit > 0 and s.rate_burst >= 1 and s.queue_size > 0
    assert s.allowed_origins == "" and s.trusted_proxies == "" and not s.openapi
    assert set(Settings.split(s.allowed_hosts)) == {"localhost", "127.0.0.1"}


# ---- 5. headers ----------------------------------------------------------------------------------------
HEADER_PROBES = [("GET", "/", None), ("GET", "/healthz", None), ("POST", "/api/ask", {"question": QUESTION}),
                 ("POST", "/api/ask", {"q": 1}), ("GET", "/api/ask", None), ("GET", "/config", None),
                 ("GET", "/theme.css", None), ("GET", "/gradio_api/info", None), ("GET", "/nothing", None),
                 ("POST", "/gradio_api/upload", {}), ("POST", "/gradio_api/call/ask", {"data": [QUESTION]}),
                 ("GET", "/metrics", None), ("GET", "/livez", None), ("POST", "/api/feedback", {"rating": 1})]


@pytest.mark.parametrize("method, path, body", HEADER_PROBES)
def test_security_headers_on_every_response(client, method, path, body):
    """Finding 5: no CSP, no frame-ancestors or X-Frame-Options, no nosniff, no Referrer-Policy."""
    r = client.request(method, path, json=body)
    h = r.headers
    assert "frame-ancestors 'none'" in h["content-security-policy"], (path, dict(h))
    assert h["x-frame-options"] == "DENY" and h["x-content-type-options"] == "nosniff"
    assert h["referrer-policy"] == "same-origin"
    assert "server" not in h  # no version banner


def test_security_headers_on_refusals_too(client):
    for r in (client.get("/healthz", headers={"host": "evil.example"}), client.post("/api/ask", content=b"x" * 70_000,
                                                                                   headers={"content-type": "application/json"})):
        assert r.status_code in (400, 413) and r.headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"]


def test_the_page_csp_allows_only_its_own_inline_scripts(client):
    r = client.get("/")
    csp = r.headers["content-security-policy"]
    nonce = csp.split("'nonce-")[1].split("'")[0]
    assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    assert "'unsafe-eval'" not in csp and "img-src 'self' data: blob:" in csp and "connect-src 'self'" in csp
    import re

    tags = re.findall(r"<script\b[^>]*>", r.text)
    assert tags and all(f'nonce="{nonce}"' in t for t in tags), tags
    assert client.get("/").headers["content-security-policy"] != csp  # a fresh nonce per response


# ---- 7. leaks ------------------------------------------------------------------------------------------
def test_openapi_is_off_unless_enabled(client, fake_engine, tmp_path):
    assert client.get("/openapi.json").status_code == 404
    with web.serve_in_thread(_app_with(fake_engine, tmp_path, openapi=True)) as base:
        assert httpx.get(base + "/openapi.json").status_code == 200


def test_errors_to_clients_carry_no_absolute_paths(fake_engine, tmp_path):
    missing = tmp_path / "secret-dir" / "faq.json"
    engine = Engine(fake_engine.settings.with_(corpus=missing), progress=False)
    app = web.create_app(engine, FeedbackStore(tmp_path / "f.sqlite3"))
    web.start_loading(app).join(30)
    with web.serve_in_thread(app) as base:
        health = httpx.get(base + "/healthz")
        ask = httpx.post(base + "/api/ask", json={"question": QUESTION})
        gradio = httpx.post(base + "/gradio_api/call/ask", json={"data": [QUESTION]})
        result = httpx.get(base + f"/gradio_api/call/ask/{gradio.json()['event_id']}").text
    assert health.status_code == 503 and "corpus not found" in health.json()["error"]
    assert ask.status_code == 503 and "faq.json" in ask.json()["error"]
    for text in (health.text, ask.text, result):
        assert str(tmp_path) not in text and "secret-dir" not in text, text


def test_bench_style_clients_are_measured_with_the_limit_off(fake_engine, tmp_path):
    """How the bench and the stress run stay measurable: the limit is off for their server only."""
    from kbqa.devtools import stress

    app = web.create_app(fake_engine, FeedbackStore(tmp_path / "f.sqlite3"),
                         settings=fake_engine.settings.with_(rate_limit=0))
    with web.serve_in_thread(app) as base:
        found = stress.check_load(fake_engine, base, clients=4, per_client=10, say=lambda m: None)
    assert found.requests >= 40 and found.errors == 0, found.notes
    assert found.figures["req_per_s"] > 0 and found.figures["p95_ms"] > 0  # the figures are measured


def test_json_errors_keep_their_shape(client):
    r = client.post("/api/ask", content=json.dumps({"question": "x" * 70_000}), headers={"content-type": "application/json"})
    assert r.status_code == 413 and set(r.json()) == {"error"}
