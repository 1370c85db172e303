"""What the web app adds for running many replicas, kept apart from the API and the page: a request context
(request id, one JSON log line per request), ``GET /metrics`` (Prometheus), ``GET /livez`` (liveness: the process
answers; ``/healthz`` is readiness), ``POST /api/feedback`` (thumbs from API clients, by answer id) and draining
the record writer when the server stops.

    POST /api/feedback  {"answer_id": "<Answer.id>", "rating": 1 | -1 | "up" | "down",
                         "question": "..." (optional), "answer": {...Answer JSON...} (optional)}
    -> 200 {"id": "<feedback id>"} once the record is durable; 503 when it could not be kept (never a lie)
"""
from __future__ import annotations

import contextlib
import logging
import re
import time

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from kbqa.errors import KbqaError
from kbqa.ops import context, logs, metrics

log = logging.getLogger("kbqa.web")

QUIET_PATHS = ("/healthz", "/livez", "/metrics")  # probes and scrapes: no request line
MAX_FEEDBACK_BYTES = 64 * 1024
ANSWER_ID = re.compile(r"^[A-Za-z0-9_-]{8,40}$")
RATINGS = {1: 1, -1: -1, "up": 1, "down": -1}


class RequestContext:
    """Pure ASGI middleware (streams pass through untouched): a request id (the client's X-Request-ID when it is
    a plain token, else a new one, echoed in the response), the request context the recording wrapper fills
    in, and the request's one log line when it ends."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        given = next((v.decode("latin-1") for k, v in scope.get("headers") or () if k == b"x-request-id"), None)
        rid = context.safe_request_id(given)
        status = [0]

        async def send_with_id(message):
            if message["type"] == "http.response.start":
                status[0] = message["status"]
                message = {**message, "headers": [*message.get("headers", ()), (b"x-request-id", rid.encode())]}
            await send(message)

        t0 = time.perf_counter()
        with context.request(request_id=rid, http_open=True) as ctx:
            try:
                await self.app(scope, receive, send_with_id)
            finally:
                ctx["http_open"] = False
                path = scope.get("path", "")
                if path not in QUIET_PATHS:
                    logs.request_line("request", method=scope.get("method"), path=path[:200],
                                      http_status=status[0] or None, ms=round((time.perf_counter() - t0) * 1e3, 1),
                                      **ctx.get("answer", {}))


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def parse_feedback(payload) -> tuple[str, int, str, dict]:
    """(answer id, rating, question, answer dict) of a POST /api/feedback body; ValueError with one line."""
    if not isinstance(payload, dict):
        raise ValueError('request body must be a JSON object like {"answer_id": "...", "rating": 1}')
    answer_id = payload.get("answer_id")
    if not isinstance(answer_id, str) or not ANSWER_ID.match(answer_id):
        raise ValueError("answer_id must be the id of an answer (the 'id' field of /api/ask's reply)")
    rating = payload.get("rating")
    if isinstance(rating, bool) or rating not in RATINGS:
        raise ValueError('rating must be 1, -1, "up" or "down"')
    question = payload.get("question", "")
    answer = payload.get("answer", {})
    if not isinstance(question, str) or not isinstance(answer, dict):
        raise ValueError("question must be a string and answer an object (both optional)")
    return answer_id, RATINGS[rating], question, answer


def install(app, store, feedback, engine) -> None:
    """Add the routes to ``app`` (before Gradio is mounted at "/"), and drain ``store``'s writer when the server
    stops. ``RequestContext`` is added by create_app after security.install, so it is the outermost middleware:
    requests the protections refuse get a request id and a log line too."""
    from kbqa.frontends.web.body import json_body

    describe = metrics.Describe(engine)

    @app.get("/livez", include_in_schema=False)
    def livez():
        return {"status": "alive"}

    @app.get("/metrics", include_in_schema=False)
    async def get_metrics():
        describe()
        body, ctype = await run_in_threadpool(metrics.render)
        return Response(body, media_type=ctype)

    @app.post("/api/feedback", include_in_schema=False)
    async def api_feedback(request: Request):
        payload, refused = await json_body(request, MAX_FEEDBACK_BYTES, 20.0)
        if refused is not None:
            return refused
        try:
            answer_id, rating, question, answer = parse_feedback(payload)
        except ValueError as e:
            return _error(422, str(e))
        try:
            fid = await run_in_threadpool(feedback.add_vote, "api", rating, question, answer, answer_id=answer_id)
        except KbqaError as e:
            log.error("kbqa web: feedback not stored: %s", e)
            return _error(503, "the feedback could not be stored; please try again")
        return {"id": fid}

    _drain_on_shutdown(app, store)


def _drain_on_shutdown(app, store) -> None:
    """When the server stops: ship what the writer holds (bounded), and take this worker's live gauges out of
    /metrics. The writer itself closes at process exit (several apps of one process share it)."""
    inner = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(a):
        async with inner(a) as state:
            yield state
        if store is not None:
            await run_in_threadpool(store.writer.flush, 5.0)
        metrics.process_exit()

    app.router.lifespan_context = lifespan
