"""The admin flow in a real headless Chromium (tests/fakes/browser.py), against the app served over HTTP on the fake
embedder with a copy of the corpus: a question goes unanswered on the chat page; the owner logs in at /admin, sees
it, adds it as a paraphrase of question 3 from its row; the KB is rebuilt, self-tested and swapped; asked again on
the chat page it is answered from question 3; the owner rolls back and it is not covered again. What people typed
is shown as text (an HTML question opens no dialog) and the page loads nothing from outside."""
from __future__ import annotations

import re
import shutil

import httpx
import pytest

from fakes.browser import chromium, require_browser

from kbqa.engine import Engine
from kbqa.frontends.web import app as web
from kbqa.settings import REPO_ROOT, Settings

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TOKEN = "browser-admin-token"
QUESTION = "午饭吃香蕉还是苹果？"
XSS = "<img src=x onerror=alert(1)> 怎么办"
WAIT_MS = 60_000
ARTIFACTS = REPO_ROOT / "tests" / "artifacts"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    require_browser()
    tmp = tmp_path_factory.mktemp("admin-browser")
    (tmp / "corpus").mkdir()
    for name in ("faq.json", "glossary.tsv"):
        shutil.copy(REPO_ROOT / "corpus" / name, tmp / "corpus" / name)
    engine = Engine(Settings(home=tmp / "home", embedder="fake", corpus=tmp / "corpus" / "faq.json",
                             admin_token=TOKEN), progress=False)
    app = web.create_app(engine)
    web.start_loading(app).join(120)
    with web.serve_in_thread(app) as url:
        yield engine, url


@pytest.fixture
def page(served, tmp_path):
    from playwright.sync_api import expect

    _, url = served
    with chromium(tmp_path / "profile") as context:
        page = context.new_page()
        page.dialogs, page.outside = [], []
        page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
        page.on("request", lambda r: None if r.url.startswith((url, "data:", "blob:")) else page.outside.append(r.url))
        page.set_default_timeout(WAIT_MS)
        expect.set_options(timeout=WAIT_MS)
        yield page
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "admin.png"), full_page=True)


def _chat(page, url: str, question: str):
    """Ask on the chat page; the finished reply."""
    from playwright.sync_api import expect

    page.goto(url + "/")
    page.wait_for_selector("#kbqa-input textarea")
    bots = page.locator('#kbqa-chat [data-testid="bot"]')
    n = bots.count()
    page.fill("#kbqa-input textarea", question)
    page.click("#kbqa-send")
    expect(bots).to_have_count(n + 1)
    expect(page.locator('#kbqa-chat [data-testid="status-tracker"]').first).to_have_class(re.compile(r"\bhide\b"))
    return bots.nth(n)


def _job_done(page, state: str = "swapped") -> None:
    from playwright.sync_api import expect

    expect(page.locator("#job-status")).to_have_attribute("data-state", re.compile(r"^(swapped|failed|unchanged)$"))
    expect(page.locator("#job-status")).to_have_attribute("data-state", state)


def test_admin_flow_login_unanswered_paraphrase_ask_again_rollback(served, page):
    from playwright.sync_api import expect

    engine, url = served
    v0 = httpx.get(url + "/healthz").json()["kb_version"]
    httpx.post(url + "/api/ask", json={"question": XSS})  # an unanswered question that is HTML

    # a question the FAQ does not cover, asked on the chat page
    reply = _chat(page, url, QUESTION)
    expect(reply).not_to_contain_text("问题 3")

    # log in: a wrong token first
    page.goto(url + "/admin")
    page.fill("#token", "wrong")
    page.click("#login")
    expect(page.locator("#login-error")).to_be_visible()
    assert "token=" not in page.url and TOKEN not in page.url
    page.fill("#token", TOKEN)
    page.click("#login")
    expect(page.locator("#kb-version")).to_have_text(v0)
    assert TOKEN not in page.url

    # the unanswered question is there, in its group, and the HTML one is shown as text
    row = page.locator("#unanswered tr.example", has_text=QUESTION).first
    expect(row).to_be_visible()
    expect(page.locator("#unanswered tr.example", has_text="<img src=x onerror=alert(1)>")).to_have_count(1)

    # a paraphrase of question 3, from the row
    row.locator("button.act-paraphrase").click()
    expect(page.locator("#ed-question")).to_have_value(QUESTION)
    page.select_option("#ed-topic", "3")
    page.click("#ed-apply")
    _job_done(page)
    expect(page.locator("#job-status")).to_contain_text(v0)
    expect(page.locator("#corrections tr", has_text=QUESTION)).to_have_count(1)
    expect(row.locator(".settled")).to_contain_text("paraphrase → 3")
    v1 = page.locator("#kb-version").inner_text()
    assert v1 != v0 and httpx.get(url + "/healthz").json()["kb_version"] == v1

    # hit testing shows the owners' route
    page.fill("#hit-q", QUESTION)
    page.click("#hit-go")
    expect(page.locator("#hit-route")).to_contain_text("→ 3.")
    expect(page.locator("#hit-features")).to_contain_text("cov_any")

    # asked again on the chat page: answered from question 3
    reply = _chat(page, url, QUESTION)
    expect(reply).to_contain_text("问题 3")

    # roll back
    page.goto(url + "/admin")
    expect(page.locator("#kb-previous")).to_have_text(v0)
    page.click("#rollback")
    _job_done(page)
    expect(page.locator("#kb-version")).to_have_text(v0)
    expect(page.locator("#corrections tr", has_text=QUESTION)).to_have_count(0)
    assert httpx.get(url + "/healthz").json()["kb_version"] == v0
    assert httpx.post(url + "/api/ask", json={"question": QUESTION}).json()["status"] == "not_covered"

    # the stats chart is drawn, and nothing opened a dialog or left the server
    expect(page.locator("#chart-topics svg")).to_be_visible()
    assert page.dialogs == [] and page.outside == []
