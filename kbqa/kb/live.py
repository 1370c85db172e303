"""The live KB: a served version, the next one built beside it, and the swap.

A *version* is ``Faq.version``: a hash of the FAQ together with its overlay file. The overlay file beside the
corpus is the shared truth: whatever changes it (a correction applied on any replica or worker process, a
``git pull``, a rollback) is picked up by every process serving that corpus folder within ``KBQA_KB_POLL_S``.

Every change runs as a *job* on one background thread, one at a time:

    apply / remove   the overlay with one correction more (or less) -> build -> self-test -> write the file -> swap
    pickup           the files hold another version                 -> build -> self-test -> swap
    rollback         back to the version served before the last swap (kept in memory, with its overlay text):
                     the file is rewritten and the old state is swapped in at once

Building loads the index of that exact version when it exists (indexes are keyed by version), else builds it
into a temp folder. A failing self-test leaves everything as it was: the old version keeps serving, the overlay
file is not written, and the job lists the questions that broke. The swap is one reference assignment
(``Engine.install``); a question being answered finishes on the state it started on, so none fails.
"""
from __future__ import annotations

import logging
import os
import queue
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from kbqa.corpus import overlay as ov
from kbqa.errors import KbqaError, one_line

log = logging.getLogger("kbqa.kb")
HISTORY = 20  # jobs kept for the admin page


@dataclass
class Job:
    action: str  # apply | remove | pickup | rollback
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:10])
    state: str = "queued"  # queued | building | testing | swapped | failed | unchanged
    created: float = field(default_factory=time.time)
    finished: float | None = None
    version_from: str | None = None
    version_to: str | None = None
    message: str = ""
    correction: dict | None = None
    selftest: dict | None = None
    done: threading.Event = field(default_factory=threading.Event, repr=False)

    @property
    def running(self) -> bool:
        return self.state in ("queued", "building", "testing")

    def to_dict(self) -> dict:
        return {"id": self.id, "action": self.action, "state": self.state, "created": _iso(self.created),
                "finished": _iso(self.finished), "version_from": self.version_from, "version_to": self.version_to,
                "message": self.message, "correction": self.correction, "selftest": self.selftest}


@dataclass
class _Served:
    state: object  # Loaded
    overlay_text: str


class LiveKB:
    def __init__(self, engine) -> None:
        self.engine, self.settings = engine, engine.settings
        self._lock = threading.RLock()
        self._queue: queue.Queue[Job] = queue.Queue()
        self._worker: threading.Thread | None = None
        self._watcher: threading.Thread | None = None
        self._stop = threading.Event()
        self.jobs: list[Job] = []
        self.previous: _Served | None = None
        self._served_overlay: str | None = None  # the overlay text of the served version, once known
        self._signature = None
        self._pending: Job | None = None  # the last pickup job (recorded in jobs only when it finds a new version)
        self._next_poll = 0.0
        self._baselines: dict[str, object] = {}  # version -> its SelfTest

    # ---- what is served ---------------------------------------------------------------------------------
    @property
    def overlay_path(self) -> Path | None:
        return self.settings.overlay_path

    def status(self) -> dict:
        running = next((j for j in reversed(self.jobs) if j.running), None)
        return {"version": self.engine.kb_version, "previous": self.previous.state.faq.version if self.previous else None,
                "job": running.to_dict() if running else None,
                "last": self.jobs[-1].to_dict() if self.jobs else None,
                "overlay": str(self.overlay_path) if self.overlay_path else None}

    def corrections(self) -> list[ov.Correction]:
        """The corrections in the overlay file (ValueError when it is damaged)."""
        return ov.parse(ov.read(self.overlay_path), self.overlay_path.name if self.overlay_path else ov.OVERLAY_FILE)

    # ---- noticing another version -----------------------------------------------------------------------
    def _files_signature(self):
        out = []
        for p in (Path(self.settings.corpus), self.overlay_path):
            try:
                st = os.stat(p) if p is not None else None
                out.append((st.st_mtime_ns, st.st_size, st.st_ino) if st else None)
            except OSError:
                out.append(None)
        return tuple(out)

    def poll(self, force: bool = False) -> Job | None:
        """Cheap, from any thread: when the corpus or overlay file changed since it was last looked at, a pickup
        job checks which version they hold (and builds, tests and swaps it in when it is another one). Returns
        that job, or None."""
        now = time.monotonic()
        if self._stop.is_set() or not force and (self.settings.kb_poll_s <= 0 or now < self._next_poll):
            return None
        self._next_poll = now + self.settings.kb_poll_s
        if not self.engine.loaded:
            return None
        sig = self._files_signature()
        with self._lock:
            if sig == self._signature or any(j.running for j in self.jobs) or (
                    self._pending is not None and self._pending.running):
                return None
            self._signature = sig
            self._pending = Job("pickup")
        return self.submit(self._pending, record=False)

    def watch(self) -> None:
        """Poll on a timer too (a server with no traffic still picks up new versions)."""
        if self.settings.kb_poll_s <= 0 or self._watcher is not None:
            return

        def loop():
            while not self._stop.wait(self.settings.kb_poll_s):
                try:
                    self.poll()
                except Exception as e:  # noqa: BLE001 - never let the watcher die
                    log.warning("kbqa: checking for a new KB version failed: %s", one_line(e))

        self._watcher = threading.Thread(target=loop, name="kbqa-kb-watch", daemon=True)
        self._watcher.start()

    def stop(self) -> None:
        """No more polls, from the timer or from requests (jobs already queued still run)."""
        self._stop.set()

    # ---- changes ----------------------------------------------------------------------------------------
    def apply(self, correction: ov.Correction) -> Job:
        return self.submit(Job("apply", correction=correction.to_dict()))

    def remove(self, correction_id: str) -> Job:
        return self.submit(Job("remove", correction={"id": correction_id}))

    def rollback(self) -> Job:
        return self.submit(Job("rollback"))

    def submit(self, job: Job, record: bool = True) -> Job:
        with self._lock:
            if record:
                self._remember(job)
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._work, name="kbqa-kb-jobs", daemon=True)
                self._worker.start()
        self._queue.put(job)
        return job

    def _remember(self, job: Job) -> None:
        self.jobs.append(job)
        del self.jobs[:-HISTORY]

    def _work(self) -> None:
        while True:
            job = self._queue.get()
            try:
                job.version_from = self.engine.kb_version
                getattr(self, "_" + job.action)(job)
            except Exception as e:  # noqa: BLE001 - a job fails in one line, the served version stays
                job.state, job.message = "failed", one_line(e)
            finally:
                job.finished = time.time()
                if job.state == "failed":
                    log.warning("kbqa: KB %s failed: %s", job.action, job.message)
                elif job.state == "swapped":
                    log.info("kbqa: KB version %s -> %s (%s)", job.version_from, job.version_to, job.action)
                job.done.set()

    def _current_overlay(self) -> str:
        return ov.read(self.overlay_path)

    def _apply(self, job: Job) -> None:
        base = self._current_overlay()
        c = ov.check(ov.Correction(**job.correction), "correction")
        text = ov.dump(ov.upsert(ov.parse(base), c))
        self._try(job, text, base, write=True)

    def _remove(self, job: Job) -> None:
        base = self._current_overlay()
        kept = [c for c in ov.parse(base) if c.id != job.correction["id"]]
        if len(kept) == len(ov.parse(base)):
            raise KbqaError(f"no correction with id {job.correction['id']!r} in the overlay")
        self._try(job, ov.dump(kept), base, write=True)

    def _pickup(self, job: Job) -> None:
        from kbqa.corpus.loader import load_faq

        text = self._current_overlay()
        try:
            version = load_faq(self.settings.corpus, overlay=self.overlay_path, overlay_text=text).version
        except (OSError, ValueError) as e:
            self._remember(job)
            raise KbqaError(f"the files hold an invalid KB ({str(e).splitlines()[0]}); still serving "
                            f"{self.engine.kb_version}") from None
        if version == self.engine.kb_version:
            job.state = "unchanged"
            self._served_overlay = text
            return
        self._remember(job)
        self._try(job, text, None, write=False)

    def _try(self, job: Job, text: str, base: str | None, write: bool) -> None:
        """Build the version of overlay ``text``, self-test it against the served one, and swap it in."""
        from kbqa.kb.selftest import run_selftest

        job.state = "building"
        served = self.engine.load()
        candidate = self.engine.prepare(overlay_text=text)
        job.version_to = candidate.faq.version
        if job.version_to == served.faq.version and write:
            job.state, job.message = "unchanged", "the KB is already at this version"
            return
        job.state = "testing"
        baseline = self._baseline(served)
        corrections = ov.parse(text)
        result = run_selftest(self.engine.with_state(candidate), self.settings, corrections, baseline)
        job.selftest = result.to_dict()
        if not result.ok:
            job.state = "failed"
            job.message = (f"self-test failed: {result.to_dict()['n_broken']} questions broke"
                           + (f"; quality bar: {'; '.join(result.bar)}" if result.bar else "")
                           + f"; still serving {served.faq.version}")
            return
        with self._lock:
            if write:
                if self._current_overlay() != base:
                    raise KbqaError("the overlay file changed while this correction was tested; apply it again")
                self._write_overlay(text)
            self._baselines[candidate.faq.version] = result
            self.previous = _Served(served, self._served_overlay if self._served_overlay is not None else base or "")
            self.engine.install(candidate)
            self._served_overlay = text
            self._signature = self._files_signature()
        job.state = "swapped"

    def _rollback(self, job: Job) -> None:
        with self._lock:
            prev = self.previous
            if prev is None:
                raise KbqaError("there is no earlier version to roll back to")
            current = _Served(self.engine.load(), self._current_overlay())
            self._write_overlay(prev.overlay_text)
            self.engine.install(prev.state)
            self.previous, self._served_overlay = current, prev.overlay_text
            self._signature = self._files_signature()
            job.version_to = prev.state.faq.version
            job.state = "swapped"

    def _baseline(self, served):
        from kbqa.kb.selftest import run_selftest

        version = served.faq.version
        if version not in self._baselines:
            corrections = ov.parse(self._served_overlay) if self._served_overlay else []
            self._baselines[version] = run_selftest(self.engine.with_state(served), self.settings, corrections)
        return self._baselines[version]

    def _write_overlay(self, text: str) -> None:
        path = self.overlay_path
        if path is None:
            raise KbqaError("corrections are off (KBQA_OVERLAY=none)")
        try:
            if not text and not path.exists():
                return
            fd, tmp = tempfile.mkstemp(prefix=".overlay-", dir=path.parent)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as f:
                    f.write(text)
                    f.flush()
                    os.fsync(f.fileno())
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as e:
            raise KbqaError(f"cannot write {path}: {e.strerror or e}") from None


def _iso(t: float | None) -> str | None:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t)) if t else None
