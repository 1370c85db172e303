"""The Gradio chat page: what its events do (``ChatBackend``, callable without a browser) and the wiring
(``build_blocks``). It only renders the ``Answer`` that ``engine.ask_stream()`` returns.

The conversation lives on the server, in the session's ``turns`` state: the chat shown is rebuilt from it
and the browser sends back only the new question (never the chat, whose HTML the server would otherwise
re-emit, and whose size would grow past any body cap)."""
from __future__ import annotations

import html
import logging
import time
from dataclasses import dataclass

import gradio as gr

from kbqa.answer.render import text as md_text
from kbqa.engine import AskEngine
from kbqa.errors import KbqaError, one_line, public, user_text
from kbqa.frontends.web.render import (REVEAL_CHARS, browse_html, generated_markdown, plain_markdown, reveal,
                                       sources_html)
from kbqa.store.feedback import FeedbackStore
from kbqa.types import Generated

log = logging.getLogger("kbqa.web")

STREAM_DELAY_S = 0.015
N_SUGGESTIONS = 3  # buttons under the chat: what to ask next (Answer.suggestions)
SHOWN_QUESTION_CHARS = 500  # a refused over-long question is echoed in the chat only this far
DELETE_CACHE = (3600, 3600)  # Gradio deletes its cached files older than an hour, every hour

CSS = """
.kbqa-sources { margin-top: .8em; padding-top: .5em; border-top: 1px solid var(--border-color-primary); font-size: .92em; }
.kbqa-sources-head { font-weight: 600; margin-bottom: .3em; }
.kbqa-sources ol { list-style: none; padding-left: 0; margin: 0; }
.kbqa-cite { margin: .5em 0; }
.kbqa-cite-n { font-weight: 600; color: var(--color-accent); margin-right: .3em; }
.kbqa-expert { font-weight: 600; }
.kbqa-quote { margin: .3em 0 .3em .2em; padding-left: .7em; border-left: 3px solid var(--color-accent-soft); }
.kbqa-full summary { cursor: pointer; color: var(--color-accent); }
.kbqa-full-text { margin-top: .3em; padding: .5em .7em; background: var(--background-fill-secondary); border-radius: 6px; }
.kbqa-topic { margin: 0 0 1.1em 0; }
.kbqa-topic h3 { margin: 0 0 .3em 0; }
.kbqa-topic ul { margin: .2em 0 .2em 1.2em; }
"""


@dataclass
class ChatBackend:
    """What the page's events do, kept apart from the Gradio wiring so tests can call it directly.

    ``turns`` (a gr.State per browser session) holds one record per exchange: the raw question, the
    Answer dict (None when the question was refused), the two chat messages as shown (``shown``,
    ``reply``), the index of the assistant message in the chatbot, which is how a thumbs up/down finds
    what it rates, and the id of that vote once there is one (one vote per answer per session)."""

    engine: AskEngine
    store: FeedbackStore
    stream_delay_s: float = STREAM_DELAY_S
    title: str = ""  # the FAQ's title, shown in the page header
    examples: tuple[str, ...] = ()  # example questions (corpus/examples.txt, else the FAQ's titles)

    def history(self, turns) -> list[dict]:
        out = []
        for t in turns or []:
            if t.get("answer"):
                out += [{"role": "user", "content": t["question"]},
                        {"role": "assistant", "content": t["answer"]["answer"]}]
        return out

    def suggestions(self, turns) -> list[str]:
        """The texts of the buttons under the chat: the last answer's suggestions, else the examples."""
        last = next((t["answer"] for t in reversed(turns or []) if t.get("answer")), None)
        texts = [s["text"] for s in last["suggestions"]] if last else list(self.examples)
        return texts[:N_SUGGESTIONS]

    @staticmethod
    def chat(turns) -> list[dict]:
        """The chat's messages, rebuilt from the session's records."""
        out = []
        for t in turns or []:
            out += [{"role": "user", "content": t.get("shown", "")},
                    {"role": "assistant", "content": t.get("reply", "")}]
        return out

    def respond(self, message, turns):
        """Generator for the chat event: yields (textbox, chatbot, turns) as the answer grows."""
        turns = list(turns or [])
        chat = self.chat(turns)
        question = message if isinstance(message, str) else ""
        if not question.strip():
            gr.Warning("请先输入一个问题。")
            yield question, chat, turns
            return
        shown = question if len(question) <= SHOWN_QUESTION_CHARS else question[:SHOWN_QUESTION_CHARS] + "…"
        wait = "…" if self.engine.loaded else "正在加载知识库，请稍候…"
        chat += [{"role": "user", "content": plain_markdown(shown)}, {"role": "assistant", "content": wait}]
        index = len(chat) - 1
        yield "", chat, turns
        answer, reply, text, generated = None, None, "", ""
        try:  # deltas as the answer is written (LLM tokens, or the extractive text revealed in pieces)
            deadline = time.monotonic() + self.engine.settings.request_timeout_s
            for item in self.engine.ask_stream(question, history=self.history(turns), deadline=deadline):
                if not isinstance(item, str):
                    answer = item  # the final Answer: in LLM mode, its checked text replaces the deltas
                    continue
                if isinstance(item, Generated):  # the model's raw words: shown inert until checked
                    generated += item
                    chat[index] = {"role": "assistant", "content": generated_markdown(generated)}
                    yield gr.skip(), chat, turns
                    continue
                for piece in reveal(item):
                    text += piece
                    chat[index] = {"role": "assistant", "content": text}
                    yield gr.skip(), chat, turns
                    if len(item) > REVEAL_CHARS:
                        time.sleep(self.stream_delay_s)
        except Exception as e:  # noqa: BLE001 - the page shows one polite line; user_text logs the unexpected
            reply = plain_markdown(user_text(e, self.examples[0] if self.examples else ""))
        if answer is not None:
            reply = answer.answer + "\n\n" + sources_html(answer.citations)
        chat[index] = {"role": "assistant", "content": reply}
        turns.append({"question": question, "answer": answer.to_dict() if answer else None, "message": index,
                      "shown": chat[index - 1]["content"], "reply": reply})
        yield gr.skip(), chat, turns  # the box was cleared once: what the user typed since stays

    def like(self, turns, liked, index) -> str | None:
        """Store a thumbs up (liked=True) or down (liked=False) for the assistant message at index;
        returns the record id, or None when there is nothing to rate (a refusal, an un-click) or the store
        is full. One vote per answer per session: voting again on the same answer changes that vote's
        rating (the turn remembers the record's id), it adds no record. Raises KbqaError when the vote could
        not be stored (the database and the local spool both refused it: the page then says so instead of
        thanking)."""
        from kbqa.store.feedback import FeedbackFull

        if liked is not True and liked is not False:
            return None
        turn = next((t for t in turns or [] if t.get("message") == index), None)
        if not turn or not turn.get("answer"):
            return None
        rating = 1 if liked else -1
        if turn.get("vote") is not None and self.store.set_rating(turn["vote"], rating):
            return turn["vote"]
        try:
            turn["vote"] = self.store.add_vote("web", rating, turn["question"], turn["answer"])
        except FeedbackFull as e:
            log.warning("kbqa web: feedback not stored: %s", e)
            return None
        return turn["vote"]


def build_blocks(backend: ChatBackend):
    """The page, and the ids of its events that run an ask (what the per-client rate limit counts)."""
    engine = backend.engine

    def on_like(turns, data: gr.LikeData):
        index = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
        try:
            stored = backend.like(turns, data.liked, index)
        except KbqaError as e:  # the database and the local spool both refused it: say so, never "thanks"
            log.error("kbqa web: feedback not stored: %s", one_line(e))
            gr.Warning("反馈没有保存成功，请稍后再试。")
            return turns
        if stored is not None:
            gr.Info("感谢反馈，已记录。" if data.liked else "感谢反馈，我们会改进。")
        return turns  # the turn now holds its vote's id

    def on_load():
        try:
            return browse_html(engine.faq())
        except Exception as e:  # noqa: BLE001
            log.warning("kbqa web: browse view: %s", one_line(e))
            return f"<p>知识库加载失败：{html.escape(public(one_line(e)))}</p>"

    def show_suggestions(turns):
        texts = backend.suggestions(turns)
        return [gr.update(value=texts[i], visible=True) if i < len(texts) else gr.update(visible=False)
                for i in range(N_SUGGESTIONS)]

    with gr.Blocks(title="容器云专家问答 · kbqa", analytics_enabled=False, delete_cache=DELETE_CACHE) as demo:
        gr.Markdown(f"## 专家问答\n根据《{md_text(backend.title)}》中专家的原话回答，并注明出处。"
                    "支持简体、繁體和英文提问，可以连续追问。")
        turns = gr.State([])
        with gr.Tabs():
            with gr.Tab("问答", id="chat"):
                chatbot = gr.Chatbot(label="对话", elem_id="kbqa-chat", height=560, latex_delimiters=[],
                                     sanitize_html=True, buttons=["copy"], feedback_options=("Like", "Dislike"),
                                     placeholder="请在下面输入问题，或点击下面的问题。")
                with gr.Row(elem_id="kbqa-suggestions"):
                    first = backend.suggestions([])
                    chips = [gr.Button(first[i] if i < len(first) else "", visible=i < len(first), size="sm",
                                       elem_id=f"kbqa-suggestion-{i}", elem_classes=["kbqa-suggestion"])
                             for i in range(N_SUGGESTIONS)]
                with gr.Row():
                    box = gr.Textbox(show_label=False, elem_id="kbqa-input", scale=8, lines=1, max_lines=6,
                                     placeholder="输入问题，例如：k8s 怎么做滚动更新？（简体、繁體、English 皆可）")
                    send = gr.Button("发送", variant="primary", elem_id="kbqa-send", scale=1, min_width=80)
                    clear = gr.Button("清空对话", elem_id="kbqa-clear", scale=1, min_width=80)
                gr.Examples([[q] for q in backend.examples], inputs=[box], label="示例问题（点击填入）",
                            examples_per_page=len(backend.examples))
            with gr.Tab("浏览全部问题", id="browse"):
                # gr.Markdown, not gr.HTML: Gradio 6's HTML component evaluates its template with new
                # Function(), which the page's CSP (no 'unsafe-eval') forbids. browse_html is one line of
                # escaped HTML, so markdown leaves it as it is.
                browse = gr.Markdown("正在加载知识库…", elem_id="kbqa-browse")
        # always_last: a question sent while an answer is still streaming waits and is asked next, with the
        # chat as it is then (Gradio's default "once" would drop it without a word).
        asked = gr.on([box.submit, send.click], backend.respond, inputs=[box, turns],
                      outputs=[box, chatbot, turns], api_visibility="private", trigger_mode="always_last")
        asked.then(show_suggestions, inputs=[turns], outputs=chips, api_visibility="private")
        for chip in chips:  # a suggestion asks its own text
            chip.click(backend.respond, inputs=[chip, turns], outputs=[box, chatbot, turns],
                       api_visibility="private", trigger_mode="always_last"
                       ).then(show_suggestions, inputs=[turns], outputs=chips, api_visibility="private")
        chatbot.like(on_like, inputs=[turns], outputs=[turns], api_visibility="private",
                     trigger_mode="multiple")  # rating two answers quickly must store both
        clear.click(lambda: ("", [], []), outputs=[box, chatbot, turns], api_visibility="private"
                    ).then(show_suggestions, inputs=[turns], outputs=chips, api_visibility="private")
        chatbot.clear(lambda: [], outputs=[turns], api_visibility="private")
        demo.load(on_load, outputs=[browse], api_visibility="private")

        def ask(question: str) -> dict:
            """Answer one question; returns the Answer JSON of POST /api/ask (for gradio_client)."""
            try:
                return engine.ask(question).to_dict()
            except Exception as e:  # noqa: BLE001 - one line to the client
                raise gr.Error(user_text(e)) from None

        gr.api(ask, api_name="ask")
    return demo, frozenset(i for i, f in demo.fns.items() if f.fn == backend.respond or f.fn is ask)
