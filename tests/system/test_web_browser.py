"""The chat page in a real headless Chromium (Debian's /usr/bin/chromium driven by playwright), against the
app served over HTTP on the fake embedder. Skipped only where Chromium is missing and KBQA_REQUIRE_BROWSER
is unset; with it set (CI) a missing browser fails. Never waits for `networkidle`: Gradio's queue keeps a
connection open, so it waits for selectors and text instead."""
from __future__ import annotations

import re
import threading
import time

import pytest

from fakes.browser import chromium, require_browser

from kbqa.frontends.web import app as web
from kbqa.store.feedback import FeedbackStore
from kbqa.settings import REPO_ROOT

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ARTIFACTS = REPO_ROOT / "tests" / "artifacts"
WAIT_MS = 30_000
XSS = "<img src=x onerror=alert(1)>"
# Gradio labels the thumbs in the page's language: zh-CN here, English elsewhere.
LIKE = '#kbqa-chat button[aria-label="赞"], #kbqa-chat button[aria-label="Like"]'
DISLIKE = '#kbqa-chat button[aria-label="踩"], #kbqa-chat button[aria-label="Dislike"]'


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> FeedbackStore:
    return FeedbackStore(tmp_path_factory.mktemp("browser-feedback") / "feedback.sqlite3")


@pytest.fixture(scope="module")
def url(fake_engine, store):
    require_browser()
    with web.serve_in_thread(web.create_app(fake_engine, store)) as base:
        yield base


@pytest.fixture(scope="module")
def browser(url, tmp_path_factory):
    with chromium(tmp_path_factory.mktemp("chromium-profile")) as context:
        yield context


@pytest.fixture
def page(browser, url):
    page = browser.new_page()
    page.dialogs = []  # every alert/confirm/prompt the page opens: must stay empty

    def on_dialog(dialog):
        page.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.outside = []  # requests to anywhere but our server: the page must load no outside resources
    page.on("request", lambda r: None if r.url.startswith((url, "data:", "blob:")) else page.outside.append(r.url))
    page.blocked = []  # what the Content-Security-Policy refused: the page must need nothing it forbids
    page.on("console", lambda m: page.blocked.append(m.text) if "Content Security Policy" in m.text else None)
    page.set_default_timeout(WAIT_MS)
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT_MS)  # assertions wait as long as actions: CI machines are busy
    page.goto(url)
    page.wait_for_selector("#kbqa-input textarea")
    yield page
    page.close()


def _bot(page):
    return page.locator('#kbqa-chat [data-testid="bot"]')


def _ask(page, question: str):
    """Ask, wait until the reply is complete (the chat's progress tracker hides again), return the reply."""
    from playwright.sync_api import expect

    n = _bot(page).count()
    page.fill("#kbqa-input textarea", question)
    page.click("#kbqa-send")
    expect(_bot(page)).to_have_count(n + 1)
    expect(page.locator('#kbqa-chat [data-testid="status-tracker"]').first).to_have_class(re.compile(r"\bhide\b"))
    return _bot(page).nth(n)


def test_chat_answers_with_cited_experts_stores_feedback_and_shows_html_as_text(page, store):
    from playwright.sync_api import expect

    # A Simplified question: the answer, its question, the cited expert and the sources panel.
    first = _ask(page, "银行重要的业务怎么用 k8s 做滚动更新？")  # (that it streams: test_the_page_shows_...)
    expect(first.locator(".kbqa-sources")).to_be_visible()
    expect(first).to_contain_text("问题 9")
    expect(first).to_contain_text("gavin_zhang")
    expect(first.locator(".kbqa-sources")).to_contain_text("某股份制银行 系统架构师")
    expect(first.locator(".kbqa-quote").first).to_be_visible()
    # The full expert answer is there on demand.
    full = first.locator(".kbqa-full-text").first
    expect(full).to_be_hidden()
    first.locator(".kbqa-full summary").first.click()
    expect(full).to_be_visible()

    # A Traditional question: answered in Traditional, citing the experts of question 6.
    second = _ask(page, "容器內的應用出了問題要怎麼排查？")
    expect(second.locator(".kbqa-sources")).to_be_visible()
    expect(second).to_contain_text("問題 6")
    expect(second).to_contain_text("zhuqibs")

    # Thumbs down on the second answer, up on the first: both land in the SQLite store. (A chosen thumb hides
    # the other one of its answer, so the second answer is rated first to keep the indexes below stable.)
    # Each click waits for its record: the page re-renders the rated answer, and a click sent meanwhile on a loaded
    # machine can land on an element being replaced (seen twice in CI under load: one record of two). A click the page
    # did not take (no thumb hidden after it) is sent again; one it took and did not store fails the test.
    def shown() -> int:
        return page.eval_on_selector_all(f"{LIKE}, {DISLIKE}", "els => els.filter(e => e.offsetParent !== null).length")

    before = store.count()
    for thumb, n, want in ((DISLIKE, 1, before + 1), (LIKE, 0, before + 2)):
        thumbs = shown()
        page.locator(thumb).nth(n).click()
        clicked, deadline = time.monotonic(), time.monotonic() + 30
        while store.count() < want:
            assert time.monotonic() < deadline, (f"feedback not stored: {store.count()} records, expected {want}; "
                                                 f"thumbs shown {shown()}, before the click {thumbs}")
            if time.monotonic() - clicked > 3 and shown() == thumbs:  # not taken by the page
                page.locator(thumb).nth(n).click()
                clicked = time.monotonic()
            time.sleep(0.05)
        # the vote's event done and the page still a moment, before the next click
        expect(page.locator('#kbqa-chat [data-testid="status-tracker"]').first).to_have_class(re.compile(r"\bhide\b"))
        page.wait_for_timeout(300)
    down, up = list(store.records())[-2:]
    assert (up["rating"], up["question"], up["source"]) == (1, "银行重要的业务怎么用 k8s 做滚动更新？", "web")
    assert (down["rating"], down["question"]) == (-1, "容器內的應用出了問題要怎麼排查？")
    assert "gavin_zhang" in {c["expert"] for c in up["citations"]} and up["answer"].startswith("**问题 9")

    # HTML typed by the user is shown as text and never runs.
    _ask(page, XSS)
    typed = page.locator('#kbqa-chat [data-testid="user"]').nth(2)
    expect(typed).to_have_text(XSS)
    assert page.locator('#kbqa-chat img[src="x"]').count() == 0
    page.wait_for_timeout(500)  # room for an onerror handler to fire, had the markup been live
    assert page.dialogs == []
    assert page.outside == []
    assert page.blocked == []  # the page works under its CSP

    typed.scroll_into_view_if_needed()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "web_chat.png"), full_page=True)


def test_follow_up_uses_the_history_and_clear_starts_over(page):
    from playwright.sync_api import expect

    expect(_ask(page, "容器东西向流量的网络安全怎么保障？").locator(".kbqa-sources")).to_be_visible()
    followup = _ask(page, "那还有别的办法吗？")  # not covered alone; a follow-up of question 5 here
    expect(followup.locator(".kbqa-sources")).to_be_visible()
    expect(followup).to_contain_text("问题 5")

    page.click("#kbqa-clear")
    expect(_bot(page)).to_have_count(0)
    # The history went with the conversation: the same words alone are not covered.
    expect(_ask(page, "那还有别的办法吗？")).to_contain_text("不在本知识库")
    assert page.dialogs == []


def test_a_question_sent_while_an_answer_streams_is_asked_next(page):
    from playwright.sync_api import expect

    page.fill("#kbqa-input textarea", "容器东西向流量的网络安全怎么保障？")
    page.click("#kbqa-send")
    expect(_bot(page)).to_have_count(1)  # the first answer has started to stream
    page.fill("#kbqa-input textarea", "容器里怎么执行定时任务？")
    page.click("#kbqa-send")
    expect(_bot(page)).to_have_count(2)
    expect(page.locator('#kbqa-chat [data-testid="user"]').nth(1)).to_have_text("容器里怎么执行定时任务？")
    expect(_bot(page).nth(0).locator(".kbqa-sources")).to_be_visible()
    expect(_bot(page).nth(1).locator(".kbqa-sources")).to_be_visible()
    expect(_bot(page).nth(0)).to_contain_text("问题 5")
    expect(_bot(page).nth(1)).to_contain_text("问题 1")
    expect(page.locator("#kbqa-input textarea")).to_have_value("")


def test_examples_and_browse_view(page, fake_engine):
    from playwright.sync_api import expect

    # Ten examples, one per question; clicking one fills the box.
    examples = page.get_by_text("多个 Kubernetes 集群之间怎么做故障隔离和故障转移？", exact=True)
    examples.click()
    expect(page.locator("#kbqa-input textarea")).to_have_value("多个 Kubernetes 集群之间怎么做故障隔离和故障转移？")

    page.get_by_role("tab", name="浏览全部问题").click()
    browse = page.locator("#kbqa-browse")
    expect(browse.locator(".kbqa-topic")).to_have_count(10)
    expect(browse.locator("#kbqa-topic-9")).to_contain_text("rangeryu")
    expect(browse.locator("#kbqa-topic-9")).to_contain_text("蚂蚁金服 产品经理")
    expect(browse.locator("#kbqa-topic-2")).to_contain_text("没有收录")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "web_browse.png"), full_page=True)


def test_a_suggestion_button_asks_its_question(page):
    from playwright.sync_api import expect

    # An empty chat offers starter questions; after an answer, the buttons are its suggestions.
    expect(page.locator("#kbqa-suggestion-0")).to_be_visible()
    _ask(page, "第九个问题")
    chip = page.locator("#kbqa-suggestion-0")
    expect(chip).to_contain_text("问题10")  # after question 9, the next one
    label = chip.inner_text()
    n = _bot(page).count()
    chip.click()
    expect(_bot(page)).to_have_count(n + 1)
    expect(page.locator('#kbqa-chat [data-testid="user"]').nth(n)).to_have_text(label)
    reply = _bot(page).nth(n)
    expect(reply).to_contain_text("问题 10")  # the question the suggestion leads to, with its experts
    expect(reply.locator(".kbqa-sources")).to_be_visible()
    assert page.dialogs == [] and page.outside == [] and page.blocked == []


# ---- a poisoned corpus (issue 19, finding 4) -------------------------------------------------------------
LIVE_MARKUP = """() => [...document.querySelector('gradio-app')
                         .querySelectorAll('img, iframe, script, a[href], svg, [onload], [onerror]')]
    .filter(el => /track/.test(el.getAttribute('src') || el.getAttribute('href') || '')
                  || el.hasAttribute('onload') || el.hasAttribute('onerror') || el.tagName === 'IFRAME'
                  || (el.tagName === 'SCRIPT' && /alert/.test(el.textContent)))
    .map(el => el.outerHTML.slice(0, 160))"""


@pytest.fixture(scope="module")
def tracker():
    from fakes.poisoned import Tracker

    with Tracker() as t:
        yield t


@pytest.fixture(scope="module")
def poisoned_url(tracker, tmp_path_factory):
    """The app, with its default security settings, on a FAQ whose every field carries live markup."""
    from fakes.poisoned import write_poisoned_faq

    from kbqa.engine import Engine
    from kbqa.settings import Settings

    require_browser()
    folder = tmp_path_factory.mktemp("poisoned")
    corpus = write_poisoned_faq(folder / "corpus", tracker.base)
    engine = Engine(Settings(home=folder / "home", embedder="fake", corpus=corpus), progress=False)
    app = web.create_app(engine, FeedbackStore(folder / "feedback.sqlite3"))
    web.start_loading(app).join(120)
    assert engine.loaded, app.state.kbqa.load_error
    with web.serve_in_thread(app) as base:
        yield base


def test_a_poisoned_corpus_is_shown_as_text_and_loads_nothing(browser, poisoned_url, tracker):
    """<img src=http://127.0.0.1:PORT/track.png>, <svg onload>, <script>, markdown images, links and
    autolinks in the title, question titles, descriptions, handles, org/titles and answers: the chat, the
    sources panel, the browse view, the header and the example buttons show them as text; no request
    reaches the tracker (or leaves the app), nothing is live markup, and the CSP had nothing to block."""
    from playwright.sync_api import expect

    page = browser.new_page()
    page.dialogs, page.outside, page.blocked = [], [], []
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    page.on("request", lambda r: None if r.url.startswith((poisoned_url, "data:", "blob:"))
            else page.outside.append(r.url))
    page.on("console", lambda m: page.blocked.append(m.text) if "Content Security Policy" in m.text else None)
    page.set_default_timeout(WAIT_MS)
    page.goto(poisoned_url)
    page.wait_for_selector("#kbqa-input textarea")
    try:
        by_number = _ask(page, "第1个问题")  # title, description, every expert: handle, org/title, quote
        expect(by_number.locator(".kbqa-sources")).to_be_visible()
        expect(by_number).to_contain_text("evil_one <img src=" + tracker.base)
        expect(by_number).to_contain_text("![x](" + tracker.base)
        expect(by_number).to_contain_text("[点我](" + tracker.base)
        expect(by_number).to_contain_text('<svg onload="alert(')
        _ask(page, "有哪些问题")  # the overview: every title as a list item
        _ask(page, "第2个问题")
        _ask(page, "容器网络方案怎么选型？")  # retrieval: answered or not covered, both list titles
        page.get_by_role("tab", name="浏览全部问题").click()
        expect(page.locator("#kbqa-browse .kbqa-topic")).to_have_count(2)
        expect(page.locator("#kbqa-browse")).to_contain_text("<img src=")
        expect(page.locator("body")).to_contain_text("容器云难点 <img src=")  # the header, as typed
        page.wait_for_timeout(1000)  # room for anything live to load or fire
        assert page.evaluate(LIVE_MARKUP) == []
        assert tracker.requests == [], tracker.requests
        assert page.outside == [] and page.dialogs == [] and page.blocked == []
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "web_poisoned.png"), full_page=True)
    finally:
        page.close()


@pytest.fixture(scope="module")
def llm_url(fake_engine, store):
    """The app in LLM mode, the fake OpenAI-compatible server behind it (generous time limits: the test
    decides when the LLM answers)."""
    require_browser()
    from fakes.llm_server import FakeLLM

    from kbqa.engine import Engine

    with FakeLLM() as llm:
        engine = Engine(fake_engine.settings.with_(llm_base_url=llm.base_url, llm_model="test", llm_timeout_s=120,
                                                   request_timeout_s=240, mode="lexical"),
                        embedder=fake_engine.embedder, progress=False)
        with web.serve_in_thread(web.create_app(engine, store)) as base:
            yield base, llm


def test_the_page_shows_the_llm_answer_while_it_is_written(browser, llm_url):
    """Streaming on the page, over HTTP, without timing anything: the LLM sends its first words and then holds
    the rest back until the page shows those words; only then is the rest sent, and the checked answer with
    its sources replaces the draft."""
    from playwright.sync_api import expect

    from fakes.llm_server import Reply

    base, llm = llm_url
    llm.reset()
    stall = threading.Event()
    llm.script(Reply("滚动更新可以结合 K8s 的流量分发做金丝雀发布[1]。升级回滚通过替换镜像版本、逐个替换 Pod 完成[2]。",
                     chunk_chars=6, stall=stall))
    page = browser.new_page()
    page.set_default_timeout(WAIT_MS)
    expect.set_options(timeout=WAIT_MS)
    try:
        page.goto(base)
        page.fill("#kbqa-input textarea", "银行重要的业务怎么用 k8s 做滚动更新？")
        page.click("#kbqa-send")
        reply = _bot(page).first
        expect(reply).to_contain_text("滚动更新可以")  # the first chunk, on the page while the LLM holds back
        assert not stall.is_set() and reply.locator(".kbqa-sources").count() == 0
        assert "逐个替换" not in reply.inner_text()
        stall.set()
        expect(reply.locator(".kbqa-sources")).to_be_visible()
        expect(reply).to_contain_text("逐个替换 Pod 完成")
    finally:
        stall.set()
        page.close()
