"""The web front end's HTTP app: one FastAPI app with the Gradio chat page at ``/``, the JSON API at
``POST /api/ask`` and a readiness probe at ``GET /healthz``. ``kbqa serve``, ``python app.py`` and ``make run``
start it.

The server starts listening at once and loads the index in a background thread; ``/healthz`` answers 503
until the index is loaded. Nothing here decides anything about a question: the engine does, and errors
become text in kbqa.errors. The protections around every route (hosts, origins, proxies, allowed routes,
body caps, rate limit, headers) are in security.py; ``serve`` prepares the process (``prepare_process``).
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, StrictStr, ValidationError
from starlette.concurrency import run_in_threadpool

from kbqa.engine import AskEngine, Engine
from kbqa.errors import InvalidQuestion, KbqaError, one_line, public
from kbqa.frontends.web import security
from kbqa.frontends.web.body import error as _error, json_body
from kbqa.settings import Settings
from kbqa.store.feedback import FeedbackStore

log = logging.getLogger("kbqa.web")

MAX_BODY_BYTES = security.MAX_BODY_BYTES  # any request body, /api/ask's included; larger -> 413
MAX_FILE_SIZE = 0  # Gradio's upload limit, bytes: nothing needs uploads (and the route is refused anyway)
DEADLINE_MARGIN_S = 1.0  # the engine's deadline comes this long before the request timeout (sending, queueing)
QUEUE_POLL_S = 0.02  # how often Gradio's queue looks for work when idle (its default: every 1 ms)


class AskRequest(BaseModel):
    """The body of POST /api/ask. Unknown fields are ignored."""

    model_config = ConfigDict(extra="ignore")
    question: StrictStr
    history: list | None = None


def _body_error(e: ValidationError) -> str:
    """One line for the first problem of a body that is not an AskRequest."""
    err = e.errors()[0]
    name = err["loc"][0] if err["loc"] else ""
    if err["type"] == "model_type":
        return 'request body must be a JSON object like {"question": "..."}'
    if err["type"] == "missing":
        return f"missing field: {name}"
    return {"question": "question must be a string", "history": "history must be a list of messages"}.get(
        name, f"{name}: {err['msg']}")


@dataclass
class _Runtime:
    engine: AskEngine
    load_error: str | None = None
    _loader: threading.Thread | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def ready(self) -> bool:
        """The index is loaded and the background load (with its warm-up question) is over."""
        loader = self._loader
        return self.engine.loaded and self.load_error is None and not (loader and loader.is_alive())

    def stop(self) -> None:
        """Stop watching the corpus folder for new KB versions (a server that stops, or a test's folder that goes)."""
        if getattr(self.engine, "live", None) is not None:
            self.engine.live.stop()

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
            self.engine.warm()
            if getattr(self.engine, "live", None) is not None:
                self.engine.live.watch()  # new KB versions in the corpus folder are picked up (kbqa.kb.live)
        except Exception as e:  # noqa: BLE001 - reported through /healthz and on_error
            self.load_error = one_line(e)
            log.error("kbqa: loading failed: %s", self.load_error)
            if on_error:
                on_error(e)


def ask_concurrency(settings: Settings) -> int:
    """How many engine.ask calls of the JSON API run at once. The work is CPU-bound: without batching,
    more concurrent model calls than cores only add contention (measured: fewer req/s), so half the cores.
    With batching (KBQA_QUERY_BATCH > 1) the model runs one batch at a time and the asks waiting for it
    cost nothing: up to a batch's worth run at once, so their Python work overlaps the model call and their
    queries share the next one."""
    if settings.query_batch > 1:
        return settings.query_batch
    return max(1, (os.cpu_count() or 2) // 2)


class _AskSlots:
    """At most ask_concurrency() engine.ask calls of the JSON API at once (one limiter per app and loop)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._sems: dict[int, asyncio.Semaphore] = {}

    async def ask(self, engine, question, history, deadline: float | None = None):
        sem = self._sems.setdefault(id(asyncio.get_running_loop()), asyncio.Semaphore(self.limit))
        async with sem:
            return await run_in_threadpool(engine.ask, question, history, None, deadline)


def create_app(engine: AskEngine, store: FeedbackStore | None = None, *, settings: Settings | None = None,
               state=None):
    """The FastAPI app: /healthz, POST /api/ask and the Gradio page at "/", plus kbqa.frontends.web.ops (metrics,
    request ids, /api/feedback). Building it does not load the engine; ``start_loading(app)`` (what ``serve``
    does) loads it in the background. ``state``: the process's kbqa.store.Store (default: open_store(settings));
    the API and the page ask through it, so every answer is recorded; ``store``: where votes go (default: the
    Store's feedback). ``settings`` are the web app's (hosts, origins, limits...); by default the engine's. The
    protections of security.py wrap every route, main's (/metrics, /livez, /api/feedback) included."""
    import gradio as gr

    from kbqa.frontends.web import admin, ops
    from kbqa.frontends.web.page import CSS, ChatBackend, build_blocks
    from kbqa.store import open_store

    settings = settings or engine.settings
    runtime = _Runtime(engine)
    state = state or open_store(engine.settings)
    state.prepare()
    api, page = state.recorded(engine, "api"), state.recorded(engine, "web")
    store = store or state.feedback
    slots = _AskSlots(ask_concurrency(engine.settings))
    app = FastAPI(title="kbqa", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.kbqa = runtime
    ops.install(app, state, store, engine)
    admin.install(app, engine, state)  # /admin and /api/admin/... (off without KBQA_ADMIN_TOKEN)

    @app.api_route("/healthz", methods=["GET", "HEAD"])
    def healthz():
        if runtime.ready:
            faq = engine.faq()
            live = getattr(engine, "live", None)
            job = live.status()["job"] if live is not None else None
            if live is not None:
                live.poll()  # the readiness probe also notices a new KB version (see kbqa.kb.live)
            return {"status": "ok", "corpus": faq.title, "topics": len(faq.topics), "units": len(faq.units),
                    "kb_version": faq.version, **({"kb_job": job["state"]} if job else {})}
        if runtime.load_error:
            return JSONResponse({"status": "error", "error": public(runtime.load_error)}, status_code=503)
        return JSONResponse({"status": "loading"}, status_code=503, headers={"Retry-After": "2"})

    @app.api_route("/api/ask", methods=["GET", "HEAD", "PUT", "PATCH", "DELETE"], include_in_schema=False)
    def api_ask_wrong_method():  # else the Gradio mount at "/" would answer a bare 404
        return _error(405, 'use POST with a JSON body like {"question": "..."}', Allow="POST")

    @app.post("/api/ask")
    async def api_ask(request: Request):
        """Body: {"question": str, "history": [...] (optional)}; returns Answer.to_dict()."""
        payload, refused = await json_body(request, MAX_BODY_BYTES, engine.settings.request_timeout_s)
        if refused is not None:
            return refused
        try:
            req = AskRequest.model_validate(payload)
            engine.validate(req.question)
        except ValidationError as e:
            return _error(422, _body_error(e))
        except InvalidQuestion as e:
            return _error(413 if e.reason == "too_long" else 422, one_line(e))
        question, history = req.question, req.history
        if not engine.loaded:
            if runtime.load_error:
                return _error(503, f"the index could not be loaded: {public(runtime.load_error)}")
            runtime.start_loading()
            return _error(503, "the index is loading; retry shortly", **{"Retry-After": "2"})
        try:
            # The engine answers by the deadline (an LLM that is late gives way to the extractive answer);
            # wait_for is only the backstop.
            deadline = time.monotonic() + max(0.0, engine.settings.request_timeout_s - DEADLINE_MARGIN_S)
            answer = await asyncio.wait_for(slots.ask(api, question, history, deadline),
                                            engine.settings.request_timeout_s)
        except InvalidQuestion as e:
            return _error(422, one_line(e))
        except KbqaError as e:
            log.warning("kbqa web: /api/ask: %s", one_line(e))
            return _error(503, public(one_line(e)))
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
    demo, ask_fns = build_blocks(ChatBackend(page, store, title=title, examples=examples))
    demo.queue(default_concurrency_limit=8, max_size=settings.queue_size)
    # Gradio's queue polls every 1 ms while idle (8% of a core on an idle server, and a GIL wake-up each
    # time under load, which the JSON API pays for): 20 ms is still instant for a person at the page.
    queue = getattr(demo, "_queue", None)  # private: a Gradio without it keeps its default
    for name in ("sleep_when_free", "progress_update_sleep_when_free"):
        if isinstance(getattr(queue, name, None), (int, float)):
            setattr(queue, name, max(getattr(queue, name), QUEUE_POLL_S))
    app = gr.mount_gradio_app(app, demo, path="/", footer_links=["api", "settings"], ssr_mode=False,
                              css=CSS, show_error=False, max_file_size=MAX_FILE_SIZE)
    security.install(app, settings, ask_fns)
    app.add_middleware(ops.RequestContext)  # outermost: refusals (400, 404, 413, 429) get a request id and a log line
    return app


def start_loading(app, on_error=None) -> threading.Thread:
    """Start loading the app's engine in the background; /healthz turns 200 when it is done."""
    return app.state.kbqa.start_loading(on_error)


# ---- running it ---------------------------------------------------------------------------------------
def prepare_process(settings: Settings) -> Path:
    """What serving changes in the process, done by the entry point before Gradio builds anything: the
    working folder private (0700), and Gradio's temporary folder a private 0700 folder inside it
    (GRADIO_TEMP_DIR; else Gradio uses a shared /tmp/gradio). Returns that folder."""
    home = Path(settings.home)
    home.mkdir(mode=0o700, parents=True, exist_ok=True)
    home.chmod(0o700)
    tmp = home / "gradio-tmp"
    tmp.mkdir(mode=0o700, exist_ok=True)
    tmp.chmod(0o700)
    os.environ["GRADIO_TEMP_DIR"] = str(tmp)
    return tmp


def _uvicorn_config(app, **kw):
    """uvicorn's settings for kbqa: no X-Forwarded-* handling of its own (it would believe any loopback
    peer; security.ForwardedHeaders decides, from KBQA_TRUSTED_PROXIES) and no Server header."""
    import uvicorn

    return uvicorn.Config(app, proxy_headers=False, server_header=False, access_log=False, **kw)


def serve(settings: Settings | None = None, host: str | None = None, port: int | None = None,
          workers: int | None = None) -> None:
    """Listen at once (on settings.host:port unless given), load the index in the background, serve
    until interrupted. A failure to load stops the server and is raised as KbqaError. ``workers`` (default
    KBQA_WORKERS) > 1: that many uvicorn worker processes, each with its own engine, one /metrics for all."""
    import uvicorn

    from kbqa.ops import logs
    from kbqa.store import open_store

    settings = settings or Settings.from_env()
    host = host or settings.host
    port = settings.port if port is None else port
    workers = workers or settings.workers
    prepare_process(settings)
    logs.configure(settings)
    if workers > 1:
        return _serve_workers(settings, host, port, workers)
    open_store(settings).prepare()  # a database behind its schema stops here, in one line
    engine = Engine(settings)
    app = create_app(engine)
    server = uvicorn.Server(_uvicorn_config(app, host=host, port=port, log_level="info", timeout_graceful_shutdown=5,
                                            log_config=logs.uvicorn_log_config(settings)))
    failed: list[Exception] = []

    def stop(e: Exception) -> None:
        failed.append(e)
        server.should_exit = True

    start_loading(app, on_error=stop)
    _say(f"kbqa: serving http://{host}:{port}/ (the index loads in the background; /healthz says when)")
    _note_allowed_hosts(settings, host)
    server.run()
    if failed:
        e = failed[0]
        raise e if isinstance(e, KbqaError) else KbqaError(app.state.kbqa.load_error) from None


def _serve_workers(settings: Settings, host: str, port: int, workers: int) -> None:
    """``workers`` processes forked after one load (kbqa.frontends.web.prefork). Their metrics meet in one
    Prometheus multiprocess folder, emptied here before anything imports prometheus_client."""
    from kbqa.frontends.web.prefork import serve_prefork
    from kbqa.ops import metrics
    from kbqa.store import open_store, release_all

    folder = settings.metrics_dir or (Path(settings.home) / "metrics" / str(port))
    try:
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics.prepare_multiprocess_dir(folder)  # before any import of it
    except OSError as e:
        raise KbqaError(f"cannot prepare the metrics folder {folder}: {e.strerror or e}") from None
    open_store(settings).prepare()  # the schema is checked (SQLite: upgraded) once, before the workers start
    release_all()  # each worker opens its own connections and writer
    _note_allowed_hosts(settings, host)
    serve_prefork(settings, host, port, workers, _say)


def _note_allowed_hosts(settings: Settings, host: str) -> None:
    if host not in ("127.0.0.1", "localhost", "::1") and settings.allowed_hosts == Settings().allowed_hosts:
        _say(f"kbqa: note: KBQA_ALLOWED_HOSTS is {settings.allowed_hosts}: requests for any other host name get "
             "400 (set it to the names people use; see docs/security.md)")


def _say(msg: str) -> None:
    from kbqa.ops import logs

    if logs.json_mode():
        log.info(msg)
    else:
        print(msg, file=sys.stderr)


def run_cli(args) -> int:
    """`kbqa serve [--host H] [--port P] [--workers N]`."""
    serve(host=getattr(args, "host", None), port=getattr(args, "port", None), workers=getattr(args, "workers", None))
    return 0


@contextlib.contextmanager
def serve_in_thread(app, host: str = "127.0.0.1", timeout_s: float = 30.0):
    """Run an ASGI app with uvicorn on a free port in a daemon thread; yields its base URL (for tests
    and benchmarks). Stops the server on exit."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    server = uvicorn.Server(_uvicorn_config(app, log_level="warning", timeout_graceful_shutdown=2))
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
        if (runtime := getattr(getattr(app, "state", None), "kbqa", None)) is not None:
            runtime.stop()  # its watcher would poll a folder the caller may remove next
