"""``RecordedEngine``: the one place where answered questions are recorded. Every front end wraps its engine in one
(``Store.recorded(engine, "web" | "api" | "slack" | "cli")``) and calls it exactly like the engine (it implements
``kbqa.engine.AskEngine``). For each answer it:

1. gives the Answer a fresh id (``Answer.id``: feedback points at it) and returns the same Answer otherwise;
2. counts it in the metrics (front end and status, latency, kind);
3. appends its question-log record to the local spool before returning (``KBQA_LOG_QUESTIONS=off``: not), with the
   hashed Slack ids and the request id of ``kbqa.ops.context``; a full spool drops the record (counted), never
   the answer;
4. gives the request its JSON log line (``KBQA_LOG_FORMAT=json``): its HTTP request's line when there is one,
   else a line of its own.

A refused question (InvalidQuestion) or a failure is counted, not recorded: only answers are.
"""
from __future__ import annotations

import logging
import time
import uuid
from dataclasses import replace
from typing import Iterator

from kbqa.errors import InvalidQuestion
from kbqa.ops import context, logs
from kbqa.proxy import EngineProxy
from kbqa.types import Answer

log = logging.getLogger("kbqa.store")

FRONTENDS = ("web", "api", "slack", "cli")


class RecordedEngine(EngineProxy):
    def __init__(self, engine, frontend: str, store) -> None:
        if frontend not in FRONTENDS:
            raise ValueError(f"unknown front end {frontend!r}; one of: {', '.join(FRONTENDS)}")
        self.engine, self.frontend, self.store = engine, frontend, store
        self.settings = engine.settings
        self._dropped_logged = 0.0

    # ---- AskEngine: everything but asking is the engine's own (loaded, answer_mode, faq, load: EngineProxy) --
    def clear_caches(self) -> None:
        self.engine.clear_caches()

    def __getattr__(self, name):  # validate, retrieve, topic_of... (read-only helpers of the real engine)
        return getattr(self.engine, name)

    # ---- asking -------------------------------------------------------------------------------------------
    def ask(self, question, history=None, mode: str | None = None, deadline: float | None = None) -> Answer:
        t0 = time.perf_counter()
        try:
            answer = self.engine.ask(question, history=history, mode=mode, deadline=deadline)
        except BaseException as e:
            self._failed(e, t0)
            raise
        return self._answered(answer, question, history, t0)

    def ask_stream(self, question, history=None, mode: str | None = None,
                   deadline: float | None = None) -> Iterator[str | Answer]:
        t0 = time.perf_counter()
        try:
            for item in self.engine.ask_stream(question, history=history, mode=mode, deadline=deadline):
                if isinstance(item, Answer):
                    item = self._answered(item, question, history, t0)
                yield item
        except GeneratorExit:
            raise
        except BaseException as e:
            self._failed(e, t0)
            raise

    def _failed(self, e: BaseException, t0: float) -> None:
        status = "invalid" if isinstance(e, InvalidQuestion) else "error"
        try:
            self.store.metrics.asked(self.frontend, status, time.perf_counter() - t0)
        except Exception:  # noqa: BLE001 - metrics never break an answer
            pass

    def _answered(self, answer: Answer, question, history, t0: float) -> Answer:
        answer_id = uuid.uuid4().hex
        answer = replace(answer, id=answer_id)
        seconds = time.perf_counter() - t0
        ctx = context.current() or {}
        try:
            self.store.metrics.asked(self.frontend, answer.status, seconds, answer.kind)
        except Exception:  # noqa: BLE001
            pass
        if self.store.log.enabled:
            self._record(answer, question, history, seconds, ctx)
        fields = {"frontend": self.frontend, "answer_id": answer_id, "status": answer.status, "kind": answer.kind,
                  "topic": answer.topic, "confidence": round(float(answer.confidence), 4),
                  "answer_ms": round(seconds * 1e3, 1)}
        if ctx.get("http_open"):
            ctx.setdefault("answer", fields)  # the HTTP middleware writes the request's one line
        else:
            with context.request(request_id=ctx.get("request_id")):
                logs.request_line("answer", **fields)
        return answer

    def _record(self, answer: Answer, question, history, seconds: float, ctx: dict) -> None:
        from kbqa.conversation.history import user_turns
        from kbqa.store.questions import question_row
        from kbqa.store.spool import SpoolFull

        ids = self.store.ids
        try:
            row = question_row(answer, answer_id=answer.id, frontend=self.frontend, question=question,
                               latency_ms=seconds * 1e3,
                               turns=len(user_turns(history, self.settings.max_history_turns)) if history else 0,
                               answer_mode=self.engine.answer_mode, kb_version=self._kb_version(),
                               request_id=ctx.get("request_id"), team_hash=ids("team", ctx.get("team")),
                               channel_hash=ids("channel", ctx.get("channel")), user_hash=ids("user", ctx.get("user")))
            self.store.log.record(row)
        except SpoolFull as e:
            self.store.metrics.record_dropped("question", "spool_full")
            now = time.monotonic()
            if now - self._dropped_logged > 60:  # one line a minute while it lasts
                self._dropped_logged = now
                log.error("kbqa: a question-log record was dropped: %s", e)
        except Exception as e:  # noqa: BLE001 - recording never costs the user the answer
            self.store.metrics.record_dropped("question", "error")
            log.error("kbqa: recording a question failed: %s: %s", type(e).__name__, e)

    def _kb_version(self) -> str:
        try:
            return self.engine.faq().sha256[:16]
        except Exception:  # noqa: BLE001
            return ""
