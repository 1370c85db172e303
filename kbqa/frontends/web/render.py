"""What the web page shows, as pure functions: every piece of text that reaches the page passes through
one of them. User text and corpus text are escaped (HTML and markdown); nothing here trusts its input."""
from __future__ import annotations

import html
import re
from dataclasses import asdict

STREAM_STEPS = 24  # an answer is streamed to the page in about this many growing pieces

_MARKDOWN_PUNCT = re.compile(r"([\\`*_{}\[\]()#+\-.!|~$=])")


def plain_markdown(text: str) -> str:
    """Text that Gradio's markdown renderer shows literally: markdown punctuation backslash-escaped,
    then HTML-escaped, so ``<img src=x onerror=alert(1)>`` appears as typed and is never markup."""
    return html.escape(_MARKDOWN_PUNCT.sub(r"\\\1", text), quote=False)


def generated_markdown(text: str) -> str:
    """What the LLM has written so far (raw, unchecked) as inert markdown for the chat while it streams:
    no link, URL or image at all (a bare address is cut as soon as it starts, and brackets are escaped, so
    half-written link syntax is text too) and no raw HTML. The checked Answer replaces it when the model
    is done."""
    from kbqa.answer.citations import strip_links
    from kbqa.answer.render import text as literal

    return literal(strip_links(text, frozenset(), mark="")[0])


def _br(text: str) -> str:
    """Escaped text on one line (<br> for newlines): a blank line would end the HTML block in markdown."""
    return "<br>".join(html.escape(line) for line in text.strip().split("\n"))


def sources_html(citations) -> str:
    """The sources panel under an answer: for each citation the question number and title, the expert and
    org/title, the quoted words, and the expert's full answer behind <details>. One line of HTML."""
    if not citations:
        return ""
    items = []
    for c in citations:
        c = c if isinstance(c, dict) else asdict(c)
        title = f' · {html.escape(c["expert_title"])}' if c["expert_title"] else ""
        who = (f'<span class="kbqa-expert">{html.escape(c["expert"])}</span>{title}'
               if c["expert"] else '<span class="kbqa-expert">问题描述</span>')
        full_label = "查看专家完整回答" if c["expert"] else "查看完整问题描述"
        items.append(
            f'<li class="kbqa-cite"><span class="kbqa-cite-n">[{int(c["n"])}]</span>'
            f'问题 {int(c["topic"])}：{html.escape(c["topic_title"])}<br>{who}'
            f'<blockquote class="kbqa-quote">{_br(c["quote"])}</blockquote>'
            f'<details class="kbqa-full"><summary>{full_label}</summary>'
            f'<div class="kbqa-full-text">{_br(c["text"])}</div></details></li>')
    return (f'<div class="kbqa-sources"><div class="kbqa-sources-head">引用来源（{len(items)}）</div>'
            f'<ol>{"".join(items)}</ol></div>')


def browse_html(faq) -> str:
    """The ten questions, each with the experts who answered it (handle and org/title)."""
    experts: dict[int, list] = {}
    for u in faq.units:
        if u.kind == "answer":
            experts.setdefault(u.topic, []).append(u)
    n_answers = sum(len(v) for v in experts.values())
    parts = [f'<p>《{html.escape(faq.title)}》共 {len(faq.topics)} 个问题、{n_answers} 条专家回答。'
             f'在“问答”页提问时，回答会引用下面这些专家的原话。</p>']
    for t in faq.topics:
        who = experts.get(t.n, [])
        rows = "".join(f'<li><span class="kbqa-expert">{html.escape(u.expert)}</span> · '
                       f'{html.escape(u.expert_title or "")}</li>' for u in who)
        body = (f"<ul>{rows}</ul>" if who else
                "<p>本文没有收录这个问题的专家解答（原文说明已另行整理成文）。</p>")
        desc = (f'<details class="kbqa-full"><summary>问题描述</summary>'
                f'<div class="kbqa-full-text">{_br(t.description)}</div></details>' if t.description else "")
        parts.append(f'<div class="kbqa-topic" id="kbqa-topic-{t.n}"><h3>问题 {t.n}：{html.escape(t.title)}</h3>'
                     f'<div>回答专家（{len(who)}）：</div>{body}{desc}</div>')
    return "".join(parts)


def stream_pieces(text: str, steps: int = STREAM_STEPS) -> list[str]:
    """Progressively longer prefixes of text, the last one being the whole text."""
    size = max(1, -(-len(text) // steps))
    return [text[:i] for i in range(size, len(text), size)] + [text]


REVEAL_CHARS = 40  # a delta longer than this (the extractive answer's paragraphs) is shown in pieces


def reveal(delta: str, size: int = REVEAL_CHARS) -> list[str]:
    """A streamed delta cut into consecutive pieces of about ``size`` characters (at most 8 pieces)."""
    if len(delta) <= size:
        return [delta]
    size = max(size, -(-len(delta) // 8))
    return [delta[i:i + size] for i in range(0, len(delta), size)]
