"""``kbqa serve --workers N`` (N > 1): one process loads the index and the models and warms them up, then forks N
workers that serve the same listening socket; it stays as their supervisor.

Why fork after loading: every worker starts with the loaded engine (no per-worker load, so start-up is one
load), and the loaded memory (the ONNX model, the USE weights, the FAISS and BM25 indexes, the FAQ) is shared
copy-on-write between them instead of held N times; ``gc.freeze()`` keeps the collector from touching (and so
copying) the objects loaded before the fork. Each worker has its own interpreter, so N questions run at once
without sharing one GIL.

What makes forking safe here: nothing the engine loads keeps a thread across the fork that a worker needs.
ONNX Runtime runs a call on the calling thread (``KBQA_ONNX_THREADS`` 1, the default; more threads are
started per process by a session, so the workers then each load their own session), numpy's BLAS is
limited to one thread, kbqa's side thread pools are made again in each process (kbqa.retrieval.side), and
the database, the question log's writer thread, the metrics and the KB version watcher are opened by each
worker after the fork (``create_app``).

The supervisor forwards SIGTERM and SIGINT to the workers as SIGTERM (each then finishes its requests, as
uvicorn does; Ctrl-C in a terminal also reaches the workers themselves, which then stop at once), starts a
new worker when one dies, and stops everything when workers keep dying at start. The workers stay in the
supervisor's process group (``kill -- -PGID`` stops them all); a worker whose supervisor is gone (SIGKILL,
OOM) stops by itself within a second.
"""
from __future__ import annotations

import gc
import logging
import os
import signal
import socket
import threading
import time

from kbqa.errors import KbqaError, one_line
from kbqa.settings import Settings

log = logging.getLogger("kbqa.web")

RESTART_WINDOW_S = 30.0  # a worker that dies this soon after its start counts as failing at start
MAX_QUICK_DEATHS = 5  # that many in a row: the supervisor gives up (a broken worker would loop forever)


def listen(host: str, port: int) -> socket.socket:
    """The listening socket the workers share (IPv6 when ``host`` is an IPv6 address)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        sock = socket.create_server((host, port), family=family, backlog=2048)
    except OSError as e:
        raise KbqaError(f"cannot listen on {host}:{port}: {e.strerror or e}") from None
    sock.set_inheritable(True)
    return sock


def serve_prefork(settings: Settings, host: str, port: int, workers: int, say) -> None:
    """Load, fork ``workers`` workers on one socket, supervise them until SIGTERM/SIGINT."""
    from kbqa.engine import Engine

    sock = listen(host, port)
    engine = Engine(settings)
    t0 = time.monotonic()
    engine.load()
    engine.warm()
    say(f"kbqa: index and models loaded in {time.monotonic() - t0:.1f} s; serving http://{host}:{port}/ with "
        f"{workers} worker processes forked from this one")
    _preimport()
    gc.collect()
    gc.freeze()  # what is loaded stays put: the collector of a worker does not write to (and so copy) it
    Supervisor(engine, sock, settings, workers).run()


def _preimport() -> None:
    """Import what every worker's app imports (Gradio, FastAPI, uvicorn, the admin page): imported once here,
    their modules are shared by the workers instead of imported (and held) by each."""
    import gradio  # noqa: F401
    import uvicorn  # noqa: F401

    from kbqa.frontends.web import admin, ops, page  # noqa: F401


class Supervisor:
    def __init__(self, engine, sock: socket.socket, settings: Settings, workers: int) -> None:
        self.engine, self.sock, self.settings, self.workers = engine, sock, settings, workers
        self.children: dict[int, float] = {}  # pid -> start time
        self.stopping = False
        self.quick_deaths = 0

    def run(self) -> None:
        previous = {s: signal.signal(s, self._stop) for s in (signal.SIGTERM, signal.SIGINT)}
        try:
            for _ in range(self.workers):
                self._fork()
            while self.children:
                try:
                    pid, status = os.wait()
                except ChildProcessError:
                    break
                self._gone(pid, status)
        finally:
            for s, h in previous.items():
                signal.signal(s, h)
            self.sock.close()
        if self.quick_deaths >= MAX_QUICK_DEATHS:
            raise KbqaError(f"workers keep exiting at start ({self.quick_deaths} in a row); see the log above")

    def _stop(self, signum, frame) -> None:
        if not self.stopping:
            self.stopping = True
            self._signal_children(signal.SIGTERM)

    def _signal_children(self, sig) -> None:
        for pid in list(self.children):
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass

    def _gone(self, pid: int, status: int) -> None:
        started = self.children.pop(pid, None)
        if started is None:
            return
        from kbqa.ops import metrics

        metrics.worker_gone(pid)
        if self.stopping:
            return
        code = os.waitstatus_to_exitcode(status)
        log.error("kbqa: worker %d exited (%s); starting another", pid,
                  f"signal {-code}" if code < 0 else f"exit code {code}")
        self.quick_deaths = self.quick_deaths + 1 if time.monotonic() - started < RESTART_WINDOW_S else 0
        if self.quick_deaths >= MAX_QUICK_DEATHS:
            self.stopping = True
            self._signal_children(signal.SIGTERM)
            return
        self._fork()

    def _fork(self) -> None:
        pid = os.fork()
        if pid == 0:  # the worker: never returns
            code = 1
            try:
                code = _worker(self.engine, self.sock, self.settings)
            except BaseException as e:  # noqa: BLE001 - a worker reports and exits; the supervisor restarts it
                log.error("kbqa: worker %d failed: %s", os.getpid(), one_line(e))
            finally:
                logging.shutdown()
                os._exit(code)
        self.children[pid] = time.monotonic()


def _worker(engine, sock: socket.socket, settings: Settings) -> int:
    """One worker: the app around the inherited engine, served by uvicorn on the shared socket."""
    import uvicorn

    from kbqa.frontends.web.app import _uvicorn_config, create_app, start_loading
    from kbqa.ops import logs

    for s in (signal.SIGTERM, signal.SIGINT):
        signal.signal(s, signal.SIG_DFL)  # uvicorn installs its own while it runs
    app = create_app(engine)
    # The engine is loaded: this warms what is per process (thread pools, the store) and starts the KB
    # version watcher; the worker accepts connections once it is done, so no request finds it loading.
    start_loading(app).join()
    server = uvicorn.Server(_uvicorn_config(app, log_level="info", timeout_graceful_shutdown=5,
                                            log_config=logs.uvicorn_log_config(settings)))
    parent = os.getppid()

    def orphaned() -> None:  # the supervisor was killed (SIGKILL, OOM): stop instead of serving unsupervised
        while not server.should_exit:
            if os.getppid() != parent:
                server.should_exit = True
                return
            time.sleep(1.0)

    threading.Thread(target=orphaned, name="kbqa-orphan-watch", daemon=True).start()
    server.run(sockets=[sock])
    return 0
