"""Prometheus metrics (prometheus-client), served at ``GET /metrics`` by the web app and the Slack bot.

    kbqa_requests_total{frontend, status}      questions asked: answered | not_covered | invalid | error
    kbqa_answer_seconds{frontend}              histogram of the time to an answer (the recording wrapper's clock)
    kbqa_answers_total{kind, status}           answers by Answer.kind and status
    kbqa_feedback_total{source, rating}        thumbs: rating up | down
    kbqa_records_written_total{kind}           question-log and feedback records committed to the database
    kbqa_records_dropped_total{kind, reason}   records not kept: spool_full | refused
    kbqa_spool_records                         records waiting in this process's spool (summed over workers)
    kbqa_database_up                           1 when the last write reached the database (min over workers)
    kbqa_slack_duplicates_total{scope}         Slack deliveries skipped as already handled
    kbqa_kb_info{corpus, index, units}         1 for the knowledge base and index being served
    kbqa_build_info{version, python, embedder, model, answer_mode}

With ``kbqa serve --workers N`` every worker writes its samples to files in the Prometheus multiprocess folder
(``PROMETHEUS_MULTIPROC_DIR``, which ``kbqa serve`` sets before the workers start) and ``/metrics`` adds them up,
so any worker's answer covers all of them. prometheus_client decides its mode when it is first imported, which is
why nothing here imports it before it is used.
"""
from __future__ import annotations

import os
import platform
import threading

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 60.0)
_lock = threading.Lock()
_m: dict | None = None


def _metrics() -> dict:
    global _m
    if _m is None:
        with _lock:
            if _m is None:
                from prometheus_client import Counter, Gauge, Histogram

                _m = {
                    "requests": Counter("kbqa_requests", "Questions asked, by front end and outcome",
                                        ["frontend", "status"]),
                    "latency": Histogram("kbqa_answer_seconds", "Time to an answer, by front end", ["frontend"],
                                         buckets=LATENCY_BUCKETS),
                    "answers": Counter("kbqa_answers", "Answers by kind and status", ["kind", "status"]),
                    "feedback": Counter("kbqa_feedback", "Thumbs up and down, by front end", ["source", "rating"]),
                    "written": Counter("kbqa_records_written", "Records committed to the database", ["kind"]),
                    "dropped": Counter("kbqa_records_dropped", "Records not kept", ["kind", "reason"]),
                    "spooled": Gauge("kbqa_spool_records", "Records waiting in the local spool",
                                     multiprocess_mode="livesum"),
                    "db_up": Gauge("kbqa_database_up", "1 when the last write reached the database",
                                   multiprocess_mode="livemin"),
                    "duplicates": Counter("kbqa_slack_duplicates", "Slack deliveries skipped as already handled",
                                          ["scope"]),
                    "kb": Gauge("kbqa_kb_info", "The knowledge base and index being served",
                                ["corpus", "index", "units"], multiprocess_mode="max"),
                    "build": Gauge("kbqa_build_info", "kbqa's version and profile",
                                   ["version", "python", "embedder", "model", "answer_mode"], multiprocess_mode="max"),
                }
    return _m


# ---- what the rest of kbqa calls (each is cheap and never raises) -------------------------------------------
def asked(frontend: str, status: str, seconds: float | None = None, kind: str | None = None) -> None:
    m = _metrics()
    m["requests"].labels(frontend, status).inc()
    if seconds is not None:
        m["latency"].labels(frontend).observe(seconds)
    if kind is not None:
        m["answers"].labels(kind, status).inc()


def feedback(source: str, rating: int) -> None:
    _metrics()["feedback"].labels(source[:16], "up" if rating > 0 else "down").inc()


def records_written(kind: str, n: int) -> None:
    _metrics()["written"].labels(kind).inc(n)


def record_dropped(kind: str, reason: str) -> None:
    _metrics()["dropped"].labels(kind, reason).inc()


def spooled(n: int) -> None:
    _metrics()["spooled"].set(n)


def database_up(up: bool) -> None:
    _metrics()["db_up"].set(1 if up else 0)


def duplicate(scope: str) -> None:
    _metrics()["duplicates"].labels(scope).inc()


def kb_info(corpus: str, index: str, units: int) -> None:
    _metrics()["kb"].labels(corpus, index, str(units)).set(1)


def build_info(settings, answer_mode: str) -> None:
    from kbqa import __version__

    model = settings.model if settings.embedder == "sentence-transformers" else settings.embedder
    _metrics()["build"].labels(__version__, platform.python_version(), settings.embedder, model, answer_mode).set(1)


class Describe:
    """Sets the build info at once and the KB info once the engine has loaded (what /metrics shows of them)."""

    def __init__(self, engine) -> None:
        self.engine, self.kb_done, self._labels = engine, False, None
        try:
            build_info(engine.settings, engine.answer_mode)
        except Exception:  # noqa: BLE001 - never a reason not to serve
            pass

    def __call__(self) -> None:
        """Called on every scrape: after a hot swap (kbqa.kb.live) the new version replaces the old one."""
        if not self.engine.loaded:
            return
        try:
            loaded = self.engine.load()
            labels = (loaded.faq.sha256[:16], loaded.store.path.name, str(len(loaded.faq.units)))
            if labels == self._labels:
                return
            if self._labels is not None:
                try:
                    _metrics()["kb"].remove(*self._labels)
                except KeyError:
                    pass
            kb_info(*labels)
            self._labels, self.kb_done = labels, True
        except Exception:  # noqa: BLE001
            pass


# ---- serving ----------------------------------------------------------------------------------------------
_folder: list = []


def multiprocess_dir() -> str | None:
    """The multiprocess folder this process writes to, or None (single process). prometheus_client reads it from
    the environment when it is first imported; for kbqa, kbqa.settings reads it (``metrics_dir``)."""
    if not _folder:
        from kbqa.settings import Settings

        try:
            d = Settings.from_env().metrics_dir
        except Exception:  # noqa: BLE001 - a bad setting elsewhere must not break /metrics
            d = None
        _folder.append(str(d) if d and os.path.isdir(d) else None)
    return _folder[0]


def render() -> tuple[bytes, str]:
    """(body, content type) of GET /metrics: this process's metrics, or every worker's in multiprocess mode."""
    from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest

    _metrics()
    folder = multiprocess_dir()
    if folder:
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=folder)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


def process_exit() -> None:
    """A worker is stopping: its live gauges (spool, database up) stop counting."""
    worker_gone(os.getpid())


def worker_gone(pid: int) -> None:
    """Worker ``pid`` stopped (itself, or its supervisor saw it die): its live gauges stop counting."""
    folder = multiprocess_dir()
    if folder:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid, folder)


def prepare_multiprocess_dir(folder) -> str:
    """Empty (or make) the multiprocess folder before the workers start, as prometheus_client requires; returns it."""
    from pathlib import Path

    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    for f in path.glob("*.db"):
        f.unlink(missing_ok=True)
    return str(path)
