"""The markdown of an Answer (answer/render.py): corpus text is shown literally (issue 19, finding 4) and
the real FAQ's answers do not change by a character."""
from __future__ import annotations

import re

from fakes.poisoned import poisoned_faq, write_poisoned_faq

from kbqa.answer.render import body, text
from kbqa.engine import Engine
from kbqa.settings import Settings

LIVE = re.compile(r"<(?:img|svg|script|iframe|a)\b|(?<!\\)!?(?<!\\)\[[^\]]*(?<!\\)\]\(|(?<!\\)<https?:|(?<![\\\w])https?://",
                  re.I)


def test_text_neutralises_markup_and_keeps_the_words():
    t = text('<img src=http://x/t.png> ![i](http://x) [a](https://y) <https://z> www.w.example a@b.example & gavin_zhang')
    assert "<" not in t and ">" not in t.replace("&gt;", "")
    assert not LIVE.search(t), t
    assert "gavin_zhang" in t and "&amp;" in t


def test_text_leaves_the_real_faq_as_it_is(fake_engine):
    faq = fake_engine.faq()
    for s in [faq.title] + [t.title + t.description for t in faq.topics] + \
             [u.text + u.expert + u.expert_title for u in faq.units]:
        assert text(s) == s


def test_body_keeps_markdown_but_no_html_or_images():
    assert body("- **滚动更新**[1]\n- 金丝雀[2]") == "- **滚动更新**[1]\n- 金丝雀[2]"
    out = body('<svg onload=alert(1)> ![x](http://127.0.0.1:9/t.png)')
    assert "<svg" not in out and "![" not in out


def test_a_poisoned_corpus_gives_answers_with_no_live_markup(tmp_path):
    """Every kind of reply (question by number, overview, expert, retrieval, not covered) renders the poisoned
    titles, handles, org/titles and quotes as text: the JSON `answer` (what the API returns and the chat shows)
    has no raw HTML, no image, no link; the structured fields keep the corpus text as it is (plain text)."""
    base = "http://127.0.0.1:9"
    corpus = write_poisoned_faq(tmp_path / "corpus", base)
    engine = Engine(Settings(home=tmp_path / "home", embedder="fake", corpus=corpus), progress=False)
    for q in ("第1个问题", "第2个问题", "有哪些问题", "evil_one 说了什么", "容器网络方案怎么选型？", "滚动更新怎么做",
              "今天天气怎么样", "你好", "谁回答了问题1"):
        a = engine.ask(q)
        assert not LIVE.search(a.answer), (q, LIVE.search(a.answer).group(0), a.answer[:300])
        assert "track.png" in a.answer or a.kind in ("smalltalk",), q  # the corpus text is there, as text
    first = engine.ask("第1个问题")
    assert first.citations[0].expert == poisoned_faq(base)["topics"][0]["answers"][0]["handle"]  # plain, as is
