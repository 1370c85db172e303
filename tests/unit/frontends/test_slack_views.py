"""The Slack front end's pure parts: suggestion and "did you mean" blocks, the Home view, the experts list,
the assistant prompts, the response_url check, the streaming preview, the thread cache and the 429 reader."""
from __future__ import annotations

import time

import pytest

from kbqa.frontends.slack import views
from kbqa.frontends.slack.memory import ThreadCache
from kbqa.frontends.slack.render import did_you_mean, render_answer
from kbqa.frontends.slack.stream import Pace, preview, retry_after
from kbqa.frontends.slack.urls import allowed, parse_prefixes
from kbqa.settings import Settings
from kbqa.types import Answer, Hit, Section, Suggestion, Unit


def _hit(topic: int, score: float, rank: int) -> Hit:
    return Hit(Unit(id=f"t{topic}", kind="question", topic=topic, topic_title="t", text="x"), score, rank)


def _answer(second_score: float, suggestions) -> Answer:
    return Answer(status="answered", answer="", topic=4, confidence=0.9, kind="answer",
                  sections=(Section(title="问题 4：网络", topic=4),), suggestions=tuple(suggestions),
                  hits=(_hit(4, 1.0, 1), _hit(7, second_score, 2), _hit(2, 0.3, 3)))


def test_did_you_mean_is_the_close_runner_up_first_in_the_suggestions():
    near = [Suggestion("问题7：存储？", 7), Suggestion("gavin_zhang 对问题4怎么说？", 4)]
    assert did_you_mean(_answer(0.95, near)) == near[0]
    assert did_you_mean(_answer(0.5, near)) is None  # not close: just a suggestion
    assert did_you_mean(_answer(0.95, near[::-1])) is None  # the runner-up is not first
    _, blocks = render_answer(_answer(0.95, near), "q", answer_id="a")
    [line] = [b for b in blocks if b.get("block_id") == "kbqa_did_you_mean"]
    assert line["accessory"]["action_id"] == "kbqa_did_you_mean" and line["accessory"]["value"] == "问题7：存储？"
    [row] = [b for b in blocks if b.get("block_id") == "kbqa_suggest"]
    assert [(e["action_id"], e["value"]) for e in row["elements"]] == [("kbqa_suggest_0", near[1].text)]
    assert blocks[-1]["block_id"] == "kbqa_feedback"  # feedback stays last


def test_suggestion_buttons_fit_slack_limits():
    long = Suggestion("问" * 300, 3)
    _, blocks = render_answer(_answer(0.1, [long]), "q")
    [button] = [b for b in blocks if b.get("block_id") == "kbqa_suggest"][0]["elements"]
    assert len(button["text"]["text"]) <= 75 and button["value"] == long.text


class _Faq:
    title = "容器 & <云>"

    def __init__(self, n: int) -> None:
        from kbqa.types import Topic

        self.topics = tuple(Topic(i, f"问题标题{i}") for i in range(1, n + 1))


class _Catalog:
    def __init__(self) -> None:
        from kbqa.conversation.catalog import Expert

        self.experts = {"a_b": Expert("a_b", "某银行 架构师", (1, 3), ()), "c<d>": Expert("c<d>", "", (2,), ())}


def test_home_view_and_experts():
    view = views.home_view(_Faq(10), _Catalog())
    assert view["type"] == "home" and view["blocks"][0]["text"]["text"] == "容器 & <云>"  # plain_text header
    shown = str(view["blocks"])
    assert "《容器 &amp; &lt;云&gt;》" in shown and "*c&lt;d&gt;*" in shown  # mrkdwn is escaped
    asks = [b["accessory"] for b in view["blocks"] if b.get("accessory")]
    assert [(a["action_id"], a["value"]) for a in asks] == [(f"kbqa_home_ask_{n}", f"问题{n}") for n in range(1, 11)]
    assert all(views.HOME_ASK_ACTION.match(a["action_id"]) for a in asks)
    big = views.home_view(_Faq(200), _Catalog())
    assert len(big["blocks"]) <= 100 and "问题标题200" in str(big["blocks"])
    text = views.experts_text(_Catalog())
    assert "（2 位）" in text and "*a_b* · 某银行 架构师 — 回答了问题 1、3" in text and "`a_b 对问题1怎么说？`" in text


def test_assistant_prompts_and_the_searching_echo():
    prompts = views.assistant_prompts(["问" * 100, "b", "c", "d", "e"])
    assert len(prompts) == 4 and prompts[0]["message"] == "问" * 100 and len(prompts[0]["title"]) <= 75
    text, blocks = views.searching("@here <b> https://x.example")
    assert "@here" not in text and blocks[0]["elements"][0]["type"] == "plain_text"


@pytest.mark.parametrize("url, ok", [
    ("https://hooks.slack.com/commands/T1/2/abc", True),
    ("https://HOOKS.slack.com:443/actions/T1/2/abc", True),
    ("https://hooks.slack-gov.com/commands/T1/2/abc", True),
    ("http://hooks.slack.com/commands/T1/2/abc", False),
    ("https://hooks.slack.com.evil.example/commands/x", False),
    ("https://hooks.slack.com@evil.example/commands/x", False),
    ("https://user:pw@hooks.slack.com/commands/x", False),
    ("https://hooks.slack.com:8443/commands/x", False),
    ("http://127.0.0.1:8080/internal/admin", False),
    ("https://evil.example/?https://hooks.slack.com/", False),
    ("", False), (None, False), ("not a url", False), ("https://hooks.slack.com:99999/x", False),
])
def test_only_slack_hooks_are_response_urls_by_default(url, ok):
    assert allowed(url, parse_prefixes(Settings().slack_response_urls)) is ok


def test_a_test_setting_allows_the_fake_and_only_under_its_path():
    prefixes = parse_prefixes("http://127.0.0.1:5000/response/")
    assert allowed("http://127.0.0.1:5000/response/x", prefixes)
    assert not allowed("http://127.0.0.1:5000/internal/admin", prefixes)
    assert not allowed("http://127.0.0.1:5001/response/x", prefixes)


def test_preview_shows_whole_sentences_without_links():
    text = "先用 Calico[1]。再看 [文档](https://evil.example/x)[2]。访问 https://evil.example/y 或 www.evil.example 吧！半句"
    shown = preview(text)
    assert shown == "先用 Calico[1]。再看 文档[2]。访问  或  吧！"
    assert "半句" not in shown and "evil" not in shown
    for cut in range(len(text)):  # a longer text's preview always extends a shorter one's
        assert shown.startswith(preview(text[:cut]))


def test_thread_cache_is_a_prefix_checked_against_the_reply_count():
    cache, key = ThreadCache(), ("C1", "1.0")
    parent = {"ts": "1.0", "reply_count": 2}
    assert cache.newest(key) is None
    got = cache.merge(key, [parent, {"ts": "2.0"}, {"ts": "3.0"}], fresh=True)
    assert [m["ts"] for m in got] == ["1.0", "2.0", "3.0"] and cache.newest(key) == "3.0"
    got = cache.merge(key, [dict(parent, reply_count=3), {"ts": "4.0"}], fresh=False)  # what is new
    assert [m["ts"] for m in got] == ["1.0", "2.0", "3.0", "4.0"]
    assert cache.merge(key, [dict(parent, reply_count=3), {"ts": "5.0"}], fresh=False) is None  # one deleted
    assert cache.newest(key) is None  # dropped: the next read is the whole thread
    stale = ThreadCache(ttl_s=0.0)
    stale.merge(key, [parent, {"ts": "2.0"}, {"ts": "3.0"}], fresh=True)
    time.sleep(0.01)
    assert stale.newest(key) is None


def test_retry_after_and_pace():
    class Resp:
        status_code, headers = 429, {"retry-after": ["3"]}

    class E(Exception):
        response = Resp()

    assert retry_after(E()) == 3.0 and retry_after(ValueError()) is None
    pace = Pace(10.0)
    assert pace.due()
    pace.sent()
    assert not pace.due()
