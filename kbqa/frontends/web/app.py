"""The web front end: one FastAPI app with the Gradio chat page at ``/``, the JSON API at ``POST /api/ask``
and a readiness probe at ``GET /healthz``. ``kbqa serve``, ``python app.py`` and ``make run`` start it.

The page and the API only render the ``Answer`` that ``Engine.ask()`` returns. User text is never trusted:
it is shown escaped (HTML and markdown), and everything built here from corpus text goes through
``html.escape``. The server starts listening at once and loads the index in a background thread;
``/healthz`` answers 503 until the index is loaded.
"""
from __future__ import annotations

import asyncio
import contextlib
import html
import json
import logging
import os
import re
import socket
import sys
import threading
import time
from dataclasses import asdict, dataclass, field

os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"  # before gradio is imported anywhere: the app is offline

import gradio as gr  # noqa: E402
from fastapi import FastAPI, Request  # noqa: E402
from fastapi.responses import JSONResponse  # noqa: E402
from starlette.concurrency import run_in_threadpool  # noqa: E402
from starlette.requests import ClientDisconnect  # noqa: E402

from kbqa.engine import Engine, InvalidQuestion, KbqaError, one_line  # noqa: E402
from kbqa.store.feedback import FeedbackStore, default_store  # noqa: E402
from kbqa.settings import Settings  # noqa: E402

log = logging.getLogger("kbqa.frontends.web.app")

MAX_BODY_BYTES = 64 * 1024  # raw request body of /api/ask; larger -> 413
STREAM_STEPS = 24  # an answer is streamed to the page in about this many growing pieces
STREAM_DELAY_S = 0.015
SHOWN_QUESTION_CHARS = 500  # a refused over-long question is echoed in the chat only this far


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

_MARKDOWN_PUNCT = re.compile(r"([\\`*_{}\[\]()#+\-.!|~$=])")


# ---- rendering (pure functions: every piece of text that reaches the page passes through one) ------------
def plain_markdown(text: str) -> str:
    """Text that Gradio's markdown renderer shows literally: markdown punctuation backslash-escaped,
    then HTML-escaped, so ``<img src=x onerror=alert(1)>`` appears as typed and is never markup."""
    return html.escape(_MARKDOWN_PUNCT.sub(r"\\\1", text), quote=False)


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
        who = (f'<span class="kbqa-expert">{html.escape(c["expert"])}</span> · {html.escape(c["expert_title"])}'
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


def answer_stream(engine, question: str, history):
    """``engine.ask_stream`` (text deltas, then the Answer); an engine without it: its Answer's text, then
    the Answer."""
    stream = getattr(engine, "ask_stream", None)
    if stream is not None:
        yield from stream(question, history=history)
        return
    answer = engine.ask(question, history=history)
    yield answer.answer
    yield answer


def polite_refusal(question: str, limit: int, example: str = "") -> str:
    """The chat's reply to a question the engine refused (InvalidQuestion: too long, or empty once cleaned)."""
    if len(question) > limit:
        return f"抱歉，这个问题太长了（{len(question)} 个字符），请精简到 {limit} 个字符以内再问。"
    return f"请输入一个具体的问题，例如：{example}" if example else "请输入一个具体的问题。"


# ---- the chat page ------------------------------------------------------------------------------------
@dataclass
class ChatBackend:
    """What the page's events do, kept apart from the Gradio wiring so tests can call it directly.

    ``turns`` (a gr.State per browser session) holds one record per exchange: the raw question, the
    Answer dict (None when the question was refused) and the index of the assistant message in the
    chatbot, which is how a thumbs up/down finds what it rates."""

    engine: Engine
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

    def respond(self, message, chat, turns):
        """Generator for the chat event: yields (textbox, chatbot, turns) as the answer grows."""
        chat, turns = list(chat or []), list(turns or [])
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
        answer, reply, text = None, None, ""
        try:  # deltas as the answer is written (LLM tokens, or the extractive text revealed in pieces)
            for item in answer_stream(self.engine, question, self.history(turns)):
                if not isinstance(item, str):
                    answer = item  # the final Answer: in LLM mode, its checked text replaces the deltas
                    continue
                for piece in reveal(item):
                    text += piece
                    chat[index] = {"role": "assistant", "content": text}
                    yield gr.skip(), chat, turns
                    if len(item) > REVEAL_CHARS:
                        time.sleep(self.stream_delay_s)
        except InvalidQuestion:
            reply = polite_refusal(question, self.engine.settings.max_question_chars,
                                   self.examples[0] if self.examples else "")
        except KbqaError as e:
            reply = "⚠️ 知识库暂时不可用：" + plain_markdown(one_line(e))
        except Exception:  # noqa: BLE001 - the page shows one polite line; the log has the details
            log.exception("kbqa web: ask failed")
            reply = "⚠️ 抱歉，出了点问题，请稍后再试。"
        if answer is not None:
            reply = answer.answer + "\n\n" + sources_html(answer.citations)
        chat[index] = {"role": "assistant", "content": reply}
        turns.append({"question": question, "answer": answer.to_dict() if answer else None, "message": index})
        yield gr.skip(), chat, turns  # the box was cleared once: what the user typed since stays

    def like(self, turns, liked, index) -> int | None:
        """Store a thumbs up (liked=True) or down (liked=False) for the assistant message at index;
        returns the record id, or None when there is nothing to rate (a refusal, an un-click)."""
        if liked is not True and liked is not False:
            return None
        turn = next((t for t in turns or [] if t.get("message") == index), None)
        if not turn or not turn.get("answer"):
            return None
        a = turn["answer"]
        return self.store.add(source="web", rating=1 if liked else -1, question=turn["question"],
                              answer=a["answer"], citations=a["citations"],
                              extra={"status": a["status"], "topic": a["topic"], "confidence": a["confidence"]})


def build_blocks(backend: ChatBackend):
    engine = backend.engine

    def on_like(turns, data: gr.LikeData):
        index = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
        if backend.like(turns, data.liked, index) is not None:
            gr.Info("感谢反馈，已记录。" if data.liked else "感谢反馈，我们会改进。")

    def on_load():
        try:
            return browse_html(engine.faq())
        except Exception as e:  # noqa: BLE001
            return f"<p>知识库加载失败：{html.escape(one_line(e))}</p>"

    with gr.Blocks(title="容器云专家问答 · kbqa", analytics_enabled=False) as demo:
        gr.Markdown(f"## 专家问答\n根据《{html.escape(backend.title)}》中专家的原话回答，并注明出处。"
                    "支持简体、繁體和英文提问，可以连续追问。")
        turns = gr.State([])
        with gr.Tabs():
            with gr.Tab("问答", id="chat"):
                chatbot = gr.Chatbot(label="对话", elem_id="kbqa-chat", height=560, latex_delimiters=[],
                                     sanitize_html=True, buttons=["copy"], feedback_options=("Like", "Dislike"),
                                     placeholder="请在下面输入问题，或点击示例问题。")
                with gr.Row():
                    box = gr.Textbox(show_label=False, elem_id="kbqa-input", scale=8, lines=1, max_lines=6,
                                     placeholder="输入问题，例如：k8s 怎么做滚动更新？（简体、繁體、English 皆可）")
                    send = gr.Button("发送", variant="primary", elem_id="kbqa-send", scale=1, min_width=80)
                    clear = gr.Button("清空对话", elem_id="kbqa-clear", scale=1, min_width=80)
                gr.Examples([[q] for q in backend.examples], inputs=[box], label="示例问题（点击填入）",
                            examples_per_page=len(backend.examples))
            with gr.Tab("浏览全部问题", id="browse"):
                browse = gr.HTML("<p>正在加载知识库…</p>", elem_id="kbqa-browse")
        # always_last: a question sent while an answer is still streaming waits and is asked next, with the
        # chat as it is then (Gradio's default "once" would drop it without a word).
        gr.on([box.submit, send.click], backend.respond, inputs=[box, chatbot, turns],
              outputs=[box, chatbot, turns], api_visibility="private", trigger_mode="always_last")
        chatbot.like(on_like, inputs=[turns], outputs=None, api_visibility="private",
                     trigger_mode="multiple")  # rating two answers quickly must store both
        clear.click(lambda: ("", [], []), outputs=[box, chatbot, turns], api_visibility="private")
        chatbot.clear(lambda: [], outputs=[turns], api_visibility="private")
        demo.load(on_load, outputs=[browse], api_visibility="private")

        def ask(question: str) -> dict:
            """Answer one question; returns the Answer JSON of POST /api/ask (for gradio_client)."""
            try:
                return engine.ask(question).to_dict()
            except (InvalidQuestion, KbqaError) as e:
                raise gr.Error(one_line(e)) from None

        gr.api(ask, api_name="ask")
    return demo


# ---- the HTTP app -------------------------------------------------------------------------------------
@dataclass
class _Runtime:
    engine: Engine
    load_error: str | None = None
    _loader: threading.Thread | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def ready(self) -> bool:
        """The index is loaded and the background load (with its warm-up question) is over."""
        loader = self._loader
        return self.engine.loaded and self.load_error is None and not (loader and loader.is_alive())

    def start_loading(self, on_error=None) -> threading.Thread:
        """Load the index in a daemon thread (once), then ask one question to warm up."""
        with self._lock:
            if self._loader is None:
                self._loader = threading.Thread(target=self._load, args=(on_error,), name="kbqa-load", daemon=True)
                self._loader.start()
            return self._loader

    def _load(self, on_error) -> None:
        try:
            self.engine.load()
            # The dense model, jieba and OpenCC load on the first question (seconds): not on a user's time.
            self.engine.ask("容器")
        except Exception as e:  # noqa: BLE001 - reported through /healthz and on_error
            self.load_error = one_line(e)
            log.error("kbqa: loading failed: %s", self.load_error)
            if on_error:
                on_error(e)


class _TooLarge(Exception):
    pass


def _error(status: int, message: str, **headers):
    return JSONResponse({"error": message}, status_code=status, headers=headers or None)


_ASK_SLOTS: dict[tuple[int, int], asyncio.Semaphore] = {}


def ask_concurrency(settings: Settings) -> int:
    """How many engine.ask calls of the JSON API run at once. The work is CPU-bound: without batching,
    more concurrent model calls than cores only add contention (measured: fewer req/s), so half the cores.
    With batching (KBQA_QUERY_BATCH > 1) the model runs one batch at a time and the asks waiting for it
    cost nothing: up to a batch's worth run at once, so their Python work overlaps the model call and their
    queries share the next one."""
    if settings.query_batch > 1:
        return settings.query_batch
    return max(1, (os.cpu_count() or 2) // 2)


async def _ask_limited(engine, question, history):
    """engine.ask in a worker thread, at most ask_concurrency() at once."""
    limit = ask_concurrency(engine.settings)
    key = (id(asyncio.get_running_loop()), limit)
    slots = _ASK_SLOTS.setdefault(key, asyncio.Semaphore(limit))
    async with slots:
        return await run_in_threadpool(engine.ask, question, history)


async def _read_body(request, limit: int) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _TooLarge
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def create_app(engine: Engine, store: FeedbackStore | None = None):
    """The FastAPI app: /healthz, POST /api/ask and the Gradio page at "/". Building it does not load the
    engine; ``start_loading(app)`` (what ``serve`` does) loads it in the background."""
    runtime = _Runtime(engine)
    store = store or default_store(engine.settings)
    limit = engine.settings.max_question_chars
    app = FastAPI(title="kbqa", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.kbqa = runtime

    @app.api_route("/healthz", methods=["GET", "HEAD"])
    def healthz():
        if runtime.ready:
            faq = engine.faq()
            return {"status": "ok", "corpus": faq.title, "topics": len(faq.topics), "units": len(faq.units)}
        if runtime.load_error:
            return JSONResponse({"status": "error", "error": runtime.load_error}, status_code=503)
        return JSONResponse({"status": "loading"}, status_code=503, headers={"Retry-After": "2"})

    @app.api_route("/api/ask", methods=["GET", "HEAD", "PUT", "PATCH", "DELETE"], include_in_schema=False)
    def api_ask_wrong_method():  # else the Gradio mount at "/" would answer a bare 404
        return _error(405, 'use POST with a JSON body like {"question": "..."}', Allow="POST")

    @app.post("/api/ask")
    async def api_ask(request: Request):
        """Body: {"question": str, "history": [...] (optional)}; returns Answer.to_dict()."""
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype != "application/json":
            return _error(415, "Content-Type must be application/json")
        try:  # a client that stalls mid-body is dropped after the request timeout (it holds no thread)
            body = await asyncio.wait_for(_read_body(request, MAX_BODY_BYTES), engine.settings.request_timeout_s)
        except _TooLarge:
            return _error(413, f"request body is larger than {MAX_BODY_BYTES} bytes")
        except asyncio.TimeoutError:
            return _error(408, f"request body not received within {engine.settings.request_timeout_s:g} s")
        except ClientDisconnect:  # gone before sending its body: nobody to answer, nothing to log
            return _error(400, "client disconnected")
        try:
            payload = json.loads(body)
        except (ValueError, RecursionError):
            return _error(400, "request body is not valid JSON")
        if not isinstance(payload, dict):
            return _error(422, 'request body must be a JSON object like {"question": "..."}')
        if "question" not in payload:
            return _error(422, "missing field: question")
        question, history = payload["question"], payload.get("history")
        if not isinstance(question, str):
            return _error(422, "question must be a string")
        if history is not None and not isinstance(history, list):
            return _error(422, "history must be a list of messages")
        try:
            engine.validate(question)
        except InvalidQuestion as e:
            return _error(413 if len(question) > limit else 422, one_line(e))
        if not engine.loaded:
            if runtime.load_error:
                return _error(503, f"the index could not be loaded: {runtime.load_error}")
            runtime.start_loading()
            return _error(503, "the index is loading; retry shortly", **{"Retry-After": "2"})
        try:
            answer = await asyncio.wait_for(_ask_limited(engine, question, history),
                                            engine.settings.request_timeout_s)
        except InvalidQuestion as e:
            return _error(422, one_line(e))
        except KbqaError as e:
            return _error(503, one_line(e))
        except asyncio.TimeoutError:
            return _error(504, f"no answer within {engine.settings.request_timeout_s:g} s")
        except Exception:  # noqa: BLE001 - a JSON error, never a traceback
            log.exception("kbqa web: /api/ask failed")
            return _error(500, "internal error")
        return JSONResponse(answer.to_dict())  # already plain JSON types: skip FastAPI's jsonable_encoder

    from kbqa.corpus.loader import load_examples, load_faq

    try:  # the corpus alone loads in milliseconds; the index may still be loading
        faq = load_faq(engine.settings.corpus)
        title, examples = faq.title, load_examples(engine.settings.corpus, faq)
    except (OSError, ValueError):
        title, examples = "", ()  # the engine reports the corpus problem on /healthz
    demo = build_blocks(ChatBackend(engine, store, title=title, examples=examples))
    demo.queue(default_concurrency_limit=8)
    return gr.mount_gradio_app(app, demo, path="/", footer_links=["api", "settings"], ssr_mode=False,
                               css=CSS, show_error=False)


def start_loading(app, on_error=None) -> threading.Thread:
    """Start loading the app's engine in the background; /healthz turns 200 when it is done."""
    return app.state.kbqa.start_loading(on_error)


# ---- running it ---------------------------------------------------------------------------------------
def serve(settings: Settings | None = None, host: str | None = None, port: int | None = None) -> None:
    """Listen at once (on settings.host:port unless given), load the index in the background, serve
    until interrupted. A failure to load stops the server and is raised as KbqaError."""
    import uvicorn

    settings = settings or Settings.from_env()
    host = host or settings.host
    port = settings.port if port is None else port
    engine = Engine(settings)
    app = create_app(engine)
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="info", access_log=False,
                                           timeout_graceful_shutdown=5))
    failed: list[Exception] = []

    def stop(e: Exception) -> None:
        failed.append(e)
        server.should_exit = True

    start_loading(app, on_error=stop)
    print(f"kbqa: serving http://{host}:{port}/ (the index loads in the background; /healthz says when)",
          file=sys.stderr)
    server.run()
    if failed:
        e = failed[0]
        raise e if isinstance(e, KbqaError) else KbqaError(app.state.kbqa.load_error) from None


def run_cli(args) -> int:
    """`kbqa serve [--host H] [--port P]`."""
    serve(host=getattr(args, "host", None), port=getattr(args, "port", None))
    return 0


@contextlib.contextmanager
def serve_in_thread(app, host: str = "127.0.0.1", timeout_s: float = 30.0):
    """Run an ASGI app with uvicorn on a free port in a daemon thread; yields its base URL (for tests
    and benchmarks). Stops the server on exit."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, timeout_graceful_shutdown=2))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="kbqa-uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout_s
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://{host}:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout_s)
        sock.close()
