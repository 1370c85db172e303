"""The admin JSON API and its access rules, over real HTTP (fake embedder, a copy of the corpus in a temp folder, a
SQLite store in a temp home): 404 when off, 401 without or with a wrong token (also through the page's cookie),
CSRF on state changes made with the cookie, the token never in a URL; the owners' data (unanswered, thumbs down,
stats, hit testing); a correction from a row routes the question, a rollback undoes it; the import preview."""
from __future__ import annotations

import shutil
import time

import httpx
import pytest

from kbqa.engine import Engine
from kbqa.frontends.web import app as web
from kbqa.frontends.web.admin import Access
from kbqa.settings import REPO_ROOT, Settings

TOKEN = "t0ken-for-tests-only"
UNANSWERED = "午饭吃香蕉还是苹果？"
WAIT_S = 120


def _engine(tmp_path, **kw) -> Engine:
    corpus = tmp_path / "corpus"
    corpus.mkdir(exist_ok=True)
    for name in ("faq.json", "glossary.tsv"):
        shutil.copy(REPO_ROOT / "corpus" / name, corpus / name)
    return Engine(Settings(home=tmp_path / "home", embedder="fake", corpus=corpus / "faq.json", **kw), progress=False)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("admin")
    engine = _engine(tmp, admin_token=TOKEN)
    app = web.create_app(engine)
    web.start_loading(app).join(120)
    with web.serve_in_thread(app) as url:
        yield engine, url


@pytest.fixture
def url(served):
    return served[1]


BEARER = {"Authorization": f"Bearer {TOKEN}"}
READS = ["/api/admin/unanswered", "/api/admin/thumbs-down", "/api/admin/stats", "/api/admin/hit-test?q=k8s",
         "/api/admin/kb", "/api/admin/kb/jobs/abc"]


def _wait(url: str, job: dict) -> dict:
    deadline = time.monotonic() + WAIT_S
    while job["state"] in ("queued", "building", "testing") and time.monotonic() < deadline:
        time.sleep(0.1)
        job = httpx.get(f"{url}/api/admin/kb/jobs/{job['id']}", headers=BEARER).json()
    return job


@pytest.mark.slow
def test_off_without_the_setting(tmp_path):
    app = web.create_app(_engine(tmp_path))
    with web.serve_in_thread(app) as url:
        for path in READS:
            r = httpx.get(url + path, headers=BEARER)
            assert r.status_code == 404 and "KBQA_ADMIN_TOKEN" in r.json()["error"]
        assert httpx.get(url + "/admin").status_code == 404
        assert httpx.post(url + "/api/admin/kb/rollback", headers=BEARER).status_code == 404


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {TOKEN}"},
                                     {"Authorization": "Bearer"}, {"Authorization": f"Bearer {TOKEN}x"},
                                     {"Cookie": "kbqa_admin=9999999999.abc.def"}, {"Cookie": "kbqa_admin=garbage"}])
@pytest.mark.slow
def test_401_without_or_with_a_wrong_token(url, headers):
    for path in READS:
        r = httpx.get(url + path, headers=headers)
        assert r.status_code == 401, path
        assert r.json()["error"].startswith("admin token required") and TOKEN not in r.text
    for method, path in (("POST", "/api/admin/corrections"), ("DELETE", "/api/admin/corrections/abc"),
                         ("POST", "/api/admin/kb/rollback"), ("POST", "/api/admin/import?name=a.csv")):
        assert httpx.request(method, url + path, headers=headers, json={}).status_code == 401
    page = httpx.get(url + "/admin", headers=headers)
    assert page.status_code == 401 and 'name="token"' in page.text and TOKEN not in page.text


@pytest.mark.slow
def test_a_token_in_the_url_is_not_accepted(url):
    for q in (f"?token={TOKEN}", f"?access_token={TOKEN}"):
        assert httpx.get(url + "/api/admin/kb" + q).status_code == 401
    # logging in with the token in the query string does nothing either: it is read from the form body only
    r = httpx.post(url + f"/admin/login?token={TOKEN}", data={"token": "wrong"})
    assert r.status_code == 303 and "kbqa_admin" not in r.headers.get("set-cookie", "")


def test_an_expired_or_foreign_session_is_401():
    a, b = Access("one"), Access("two")
    cookie = a.new_session()
    assert a.session_ok(cookie) and not b.session_ok(cookie)
    assert not a.session_ok(a.new_session(now=time.time() - 13 * 3600))
    assert not a.session_ok(cookie[:-1] + ("0" if cookie[-1] != "0" else "1"))
    assert a.token_ok("one") and not a.token_ok("") and not a.token_ok("one ") and not a.token_ok("on")


def _login(url) -> httpx.Client:
    c = httpx.Client(base_url=url, follow_redirects=False)
    r = c.post("/admin/login", data={"token": TOKEN})
    assert r.status_code == 303 and r.headers["location"] == "/admin"
    assert "httponly" in r.headers["set-cookie"].lower() and "samesite=strict" in r.headers["set-cookie"].lower()
    assert TOKEN not in r.headers["set-cookie"]
    return c


@pytest.mark.slow
def test_the_page_logs_in_with_a_cookie_and_state_changes_need_the_csrf_token(url):
    c = _login(url)
    page = c.get("/admin")
    assert page.status_code == 200 and "Hit testing" in page.text and TOKEN not in page.text
    assert "default-src 'none'" in page.headers["content-security-policy"]
    csrf = page.text.split('data-csrf="')[1].split('"')[0]
    assert c.get("/api/admin/kb").status_code == 200  # reading with the cookie
    bad = {"kind": "out_of_scope", "question": "csrf probe question"}
    assert c.post("/api/admin/corrections", json=bad).status_code == 403  # no CSRF header
    assert c.post("/api/admin/corrections", json=bad, headers={"X-CSRF-Token": "x" * 64}).status_code == 403
    assert c.post("/api/admin/corrections", json=bad, headers={"X-CSRF-Token": csrf,
                                                               "Origin": "http://evil.example"}).status_code == 403
    assert c.post("/api/admin/kb/rollback", headers={"Origin": "http://evil.example"}).status_code == 403
    # another site's login form is refused too
    assert httpx.post(url + "/admin/login", data={"token": TOKEN}, headers={"Origin": "http://evil.example"}
                      ).status_code == 403
    # a wrong token sends the form back with a message
    r = httpx.post(url + "/admin/login", data={"token": "nope"}, follow_redirects=True)
    assert r.status_code == 401 and "Wrong token" in r.text
    assert c.post("/admin/logout", headers={"X-CSRF-Token": csrf}).status_code == 200


@pytest.mark.slow
def test_unanswered_correction_routes_and_rollback_undoes_it(served):
    engine, url = served
    asked = httpx.post(url + "/api/ask", json={"question": UNANSWERED}).json()
    assert asked["status"] == "not_covered" and asked["id"]
    groups = httpx.get(url + "/api/admin/unanswered", headers=BEARER).json()["groups"]
    examples = [e for g in groups for e in g["examples"]]
    assert UNANSWERED in [e["question"] for e in examples]
    v0 = httpx.get(url + "/healthz").json()["kb_version"]

    r = httpx.post(url + "/api/admin/corrections", headers=BEARER,
                   json={"kind": "paraphrase", "question": UNANSWERED, "topic": 3, "note": "unanswered"})
    assert r.status_code == 202, r.text
    job = _wait(url, r.json())
    assert job["state"] == "swapped", job
    assert job["selftest"]["ok"] and job["version_from"] == v0 != job["version_to"]
    assert httpx.get(url + "/healthz").json()["kb_version"] == job["version_to"]
    assert f'corpus="{job["version_to"]}"' in httpx.get(url + "/metrics").text  # /metrics shows the new version
    again = httpx.post(url + "/api/ask", json={"question": UNANSWERED}).json()
    assert again["status"] == "answered" and again["topic"] == 3
    hit = httpx.get(url + "/api/admin/hit-test", params={"q": UNANSWERED}, headers=BEARER).json()
    assert hit["route"] == "known" and hit["route_detail"]["topic"] == 3
    kb = httpx.get(url + "/api/admin/kb", headers=BEARER).json()
    assert [c["question"] for c in kb["corrections"]] == [UNANSWERED] and kb["previous"] == v0
    assert UNANSWERED in (engine.settings.overlay_path).read_text(encoding="utf-8")

    back = _wait(url, httpx.post(url + "/api/admin/kb/rollback", headers=BEARER).json())
    assert back["state"] == "swapped" and back["version_to"] == v0
    assert httpx.get(url + "/healthz").json()["kb_version"] == v0
    assert httpx.post(url + "/api/ask", json={"question": UNANSWERED}).json()["status"] == "not_covered"
    assert httpx.get(url + "/api/admin/kb", headers=BEARER).json()["corrections"] == []


@pytest.mark.slow
def test_out_of_scope_and_a_curated_answer_from_rows(served):
    _, url = served
    refuse, curated = "k8s 今天的股价是多少", "公司内网怎么申请 GPU 节点"
    job = _wait(url, httpx.post(url + "/api/admin/corrections", headers=BEARER,
                                json={"kind": "out_of_scope", "question": refuse, "topic": 4}).json())
    assert job["state"] == "swapped", job
    assert httpx.post(url + "/api/ask", json={"question": refuse}).json()["status"] == "not_covered"
    job = _wait(url, httpx.post(url + "/api/admin/corrections", headers=BEARER, json={
        "kind": "curated", "question": curated, "answer": "在内部平台提交 GPU 资源申请单，平台组一个工作日内分配。",
        "author": "ops_team", "author_title": "平台组"}).json())
    assert job["state"] == "swapped", job
    a = httpx.post(url + "/api/ask", json={"question": curated}).json()
    assert a["status"] == "answered" and a["citations"][0]["expert"] == "ops_team"
    assert a["citations"][0]["expert_title"] == "平台组" and "GPU" in a["citations"][0]["quote"]
    kb = httpx.get(url + "/api/admin/kb", headers=BEARER).json()
    assert {c["kind"] for c in kb["corrections"]} >= {"out_of_scope", "curated"}
    for c in kb["corrections"]:  # remove them again, one job each
        assert _wait(url, httpx.delete(f"{url}/api/admin/corrections/{c['id']}", headers=BEARER).json())["state"] == "swapped"
    assert httpx.get(url + "/api/admin/kb", headers=BEARER).json()["corrections"] == []


@pytest.mark.parametrize("body, message", [
    ({"kind": "paraphrase", "question": "x y z"}, "names the FAQ question"),
    ({"kind": "paraphrase", "question": "x y z", "topic": 99}, "no FAQ question 99"),
    ({"kind": "curated", "question": "x y z", "answer": "an answer"}, "author handle"),
    ({"kind": "curated", "question": "x y z", "answer": "", "author": "me"}, "needs its text"),
    ({"kind": "nonsense", "question": "x"}, "kind must be one of"),
    ({"kind": "out_of_scope", "question": ""}, "empty"),
    ({"kind": "out_of_scope", "question": ["a"]}, "must be a string"),
    ([1, 2], "JSON object"),
])
@pytest.mark.slow
def test_bad_corrections_are_one_line_422(url, body, message):
    r = httpx.post(url + "/api/admin/corrections", headers=BEARER, json=body)
    assert r.status_code == 422 and message in r.json()["error"] and "\n" not in r.json()["error"]


@pytest.mark.slow
def test_bad_bodies_and_parameters(url):
    assert httpx.post(url + "/api/admin/corrections", headers={**BEARER, "Content-Type": "text/plain"},
                      content="x").status_code == 415
    assert httpx.post(url + "/api/admin/corrections", headers={**BEARER, "Content-Type": "application/json"},
                      content="{").status_code == 400
    assert httpx.get(url + "/api/admin/unanswered?since=yesterday", headers=BEARER).status_code == 422
    assert httpx.get(url + "/api/admin/unanswered?limit=0", headers=BEARER).status_code == 422
    assert httpx.get(url + "/api/admin/hit-test?q=", headers=BEARER).status_code == 422
    assert httpx.get(url + "/api/admin/hit-test?q=k8s&mode=magic", headers=BEARER).status_code == 422
    assert httpx.delete(url + "/api/admin/corrections/a;b", headers=BEARER).status_code in (404, 422)
    job = _wait(url, httpx.delete(url + "/api/admin/corrections/nosuchid", headers=BEARER).json())
    assert job["state"] == "failed" and "no correction" in job["message"]


@pytest.mark.slow
def test_hit_test_shows_route_channels_and_features(url):
    d = httpx.get(url + "/api/admin/hit-test", params={"q": "容器里怎么执行定时任务？"}, headers=BEARER).json()
    assert d["route"] == "topical" and d["covered"] is True and 0 <= d["confidence"] <= 1
    assert {"lexical", "dense"} <= set(d["channels"]) and d["fused"][0]["topic_title"]
    assert "cov_any" in d["features"] and "bias" in d["weights"]
    assert httpx.get(url + "/api/admin/hit-test", params={"q": "第三个问题"}, headers=BEARER).json()["route"] == "question"
    # hit testing records nothing
    before = httpx.get(url + "/api/admin/stats", headers=BEARER).json()
    httpx.get(url + "/api/admin/hit-test", params={"q": "k8s 灰度发布"}, headers=BEARER)
    assert httpx.get(url + "/api/admin/stats", headers=BEARER).json() == before


@pytest.mark.slow
def test_thumbs_down_and_stats(url):
    a = httpx.post(url + "/api/ask", json={"question": "容器里怎么执行定时任务？"}).json()
    assert httpx.post(url + "/api/feedback", json={"answer_id": a["id"], "rating": -1}).status_code == 200
    down = httpx.get(url + "/api/admin/thumbs-down", headers=BEARER).json()["thumbs_down"]
    mine = [v for v in down if v["answer_id"] == a["id"]]
    assert mine and mine[0]["question"] == "容器里怎么执行定时任务？"
    assert {c["expert"] for c in mine[0]["cited"]} == {c["expert"] for c in a["citations"]}
    stats = httpx.get(url + "/api/admin/stats", headers=BEARER).json()
    t = next(t for t in stats["topics"] if t["topic"] == a["topic"])
    assert t["cited"] >= 1 and t["down"] >= 1 and t["title"]
    assert len(stats["topics"]) >= 10  # every FAQ question, cited or not
    e = next(e for e in stats["experts"] if e["expert"] == a["citations"][0]["expert"])
    assert e["down"] >= 1


@pytest.mark.slow
def test_import_preview_reads_and_refuses_in_one_line(url):
    good = (REPO_ROOT / "tests" / "data" / "faqs" / "home_network.csv").read_bytes()
    r = httpx.post(url + "/api/admin/import?name=home_network.csv", headers=BEARER, content=good)
    assert r.status_code == 200 and r.json()["questions"][0]["n"] == 1 and r.json()["faq_json"]["topics"]
    bad = "问题,答案\n有问题没答案,\n".encode()
    r = httpx.post(url + "/api/admin/import?name=bad.csv", headers=BEARER, content=bad)
    assert r.status_code == 422 and "row 2" in r.json()["error"]
    assert httpx.post(url + "/api/admin/import?name=x.exe", headers=BEARER, content=b"x").status_code == 422
