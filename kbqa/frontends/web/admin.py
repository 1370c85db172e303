"""The FAQ owners' admin page at ``/admin`` and its JSON API under ``/api/admin/``, on the web server itself.

Off unless ``KBQA_ADMIN_TOKEN`` is set (then every admin path answers 404 saying so). With it:

* **Access.** The API takes ``Authorization: Bearer <token>``; the page logs in by posting the token in a form
  (never in a URL) and gets a session cookie (HttpOnly, SameSite=Strict, 12 h) signed with a key derived from the
  token, so every replica with the same token accepts it and changing the token logs everyone out. Tokens and
  cookies are compared in constant time (HMAC digests, ``hmac.compare_digest``). No token, a wrong one, or an
  expired cookie: 401. Nothing here logs a header or a body; request lines carry the path only.
* **CSRF.** A state change made with the cookie must carry ``X-CSRF-Token`` (an HMAC of the session, given to the
  page it serves) and, when the browser sends one, an ``Origin`` equal to the server's own. A Bearer request
  needs neither (a browser never adds that header by itself).
* **Data.** What went unanswered (grouped by the nearest FAQ question), thumbs-down answers with the experts they
  cited, per question and per expert citation counts with votes, hit testing (``Engine.explain``), the KB's
  versions and jobs, the corrections in the overlay, an import preview. The store (kbqa.store.questions) and the
  engine compute all of it; this module only checks access and turns it into JSON.

    GET    /api/admin/unanswered[?since=DATE&limit=N]   GET  /api/admin/thumbs-down[?since=DATE&limit=N]
    GET    /api/admin/stats[?since=DATE]                GET  /api/admin/hit-test?q=QUESTION[&mode=M]
    GET    /api/admin/kb                                GET  /api/admin/kb/jobs/{id}
    POST   /api/admin/corrections  {"kind": "paraphrase"|"out_of_scope"|"curated", "question": ...,
                                    "topic": N, "answer": ..., "author": ..., "author_title": ..., "note": ...}
    DELETE /api/admin/corrections/{id}                  POST /api/admin/kb/rollback
    POST   /api/admin/import?name=FILE.csv  (the file as the body): what `kbqa kb import` would read, nothing written

A correction (or a removal, or a rollback) answers 202 with its job; the job builds, self-tests and swaps the KB in
the background (kbqa.kb.live) and the page follows it at ``/api/admin/kb/jobs/{id}``.
"""
from __future__ import annotations

import asyncio
import json
import logging
import secrets
import tempfile
from pathlib import Path
from urllib.parse import parse_qs

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse

from kbqa.errors import InvalidQuestion, KbqaError, one_line
from kbqa.frontends.web.adminauth import COOKIE, SESSION_S, Access, own_origin

log = logging.getLogger("kbqa.admin")

MAX_JSON_BYTES = 64 * 1024
MAX_LOGIN_BYTES = 4096
LIMIT_MAX = 500
FAILED_LOGIN_DELAY_S = 0.5


def _error(status: int, message: str, **headers) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers={"Cache-Control": "no-store", **headers})


def _ok(data, status: int = 200) -> JSONResponse:
    return JSONResponse(data, status_code=status, headers={"Cache-Control": "no-store"})


UNAUTHORIZED = "admin token required: send 'Authorization: Bearer <token>' or log in at /admin"


# ---- the routes -------------------------------------------------------------------------------------------
def install(app, engine, store) -> None:
    """Add /admin and /api/admin/... to ``app`` (before the Gradio mount at "/"). ``engine``: the real Engine
    (not the recording wrapper: hit testing records nothing); ``store``: the process's kbqa.store.Store."""
    from kbqa.frontends.web.admin_page import login_html, page_html

    token = engine.settings.admin_token
    access = Access(token) if token else None
    off = "the admin page is off: set KBQA_ADMIN_TOKEN to enable it"

    def guard(request: Request, change: bool = False) -> JSONResponse | None:
        if access is None:
            return _error(404, off)
        who = access.who(request)
        if who is None:
            return _error(401, UNAUTHORIZED, **{"WWW-Authenticate": 'Bearer realm="kbqa-admin"'})
        if change and who == "session" and not access.csrf_ok(request):
            return _error(403, "missing or wrong CSRF token (reload /admin)")
        return None

    def ready() -> JSONResponse | None:
        if not engine.loaded:
            return _error(503, "the index is still loading; retry shortly", **{"Retry-After": "2"})
        return None

    # -- the page --
    @app.get("/admin", include_in_schema=False)
    def admin_page(request: Request):
        if access is None:
            return HTMLResponse(f"<!doctype html><title>kbqa admin</title><p>{off}</p>", status_code=404)
        cookie = request.cookies.get(COOKIE)
        # Referrer-Policy no-referrer would make the browser send Origin "null" with the login form
        headers = {"Cache-Control": "no-store", "X-Frame-Options": "DENY", "Referrer-Policy": "same-origin"}
        nonce = secrets.token_urlsafe(16)
        headers["Content-Security-Policy"] = (f"default-src 'none'; script-src 'nonce-{nonce}'; style-src "
                                              f"'nonce-{nonce}'; connect-src 'self'; img-src 'self' data:; "
                                              "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
        if not access.session_ok(cookie):
            failed = request.query_params.get("failed") == "1"
            return HTMLResponse(login_html(nonce, failed), status_code=401, headers=headers)
        return HTMLResponse(page_html(nonce, access.csrf_for(cookie)), headers=headers)

    @app.post("/admin/login", include_in_schema=False)
    async def admin_login(request: Request):
        if access is None:
            return _error(404, off)
        origin = request.headers.get("origin")
        if origin is not None and origin != own_origin(request):
            return _error(403, "login from another site refused")
        body = await request.body()
        if len(body) > MAX_LOGIN_BYTES:
            return _error(413, "login form too large")
        given = parse_qs(body.decode("utf-8", "replace")).get("token", [""])[0]
        if not access.token_ok(given):
            log.warning("kbqa admin: a login failed")
            await asyncio.sleep(FAILED_LOGIN_DELAY_S)  # guessing tokens through the form is slow
            return RedirectResponse("/admin?failed=1", status_code=303)
        resp = RedirectResponse("/admin", status_code=303)
        resp.set_cookie(COOKIE, access.new_session(), max_age=SESSION_S, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https", path="/")
        return resp

    @app.post("/admin/logout", include_in_schema=False)
    def admin_logout(request: Request):
        if access is None:
            return _error(404, off)
        if access.who(request) == "session" and not access.csrf_ok(request):
            return _error(403, "missing or wrong CSRF token (reload /admin)")
        resp = _ok({"ok": True})
        resp.delete_cookie(COOKIE, path="/")
        return resp

    # -- reading --
    async def logged(request: Request, query, render, limit: bool = True):
        """Access and the ?since=&limit= window checked, then the question log's ``query`` in a thread: an error
        response, or the JSON of ``render(its result, the FAQ's titles)``."""
        if (bad := guard(request) or _window_error(request)):
            return bad
        since, n = _window(request)
        result = await run_in_threadpool(query, since=since, **({"limit": n} if limit else {}))
        return _ok(render(result, _titles(engine)))

    @app.get("/api/admin/unanswered")
    async def unanswered(request: Request):
        return await logged(request, store.log.unanswered, lambda groups, titles: {
            "groups": [{**g.to_dict(), "topic_title": titles.get(g.topic)} for g in groups]})

    @app.get("/api/admin/thumbs-down")
    async def thumbs_down(request: Request):
        return await logged(request, store.log.thumbs_down, _thumbs_down)

    def stats_json(s, titles: dict) -> dict:
        d = s.to_dict()
        # every FAQ question and expert, cited or not (a never-cited question is news too)
        have = {t["topic"] for t in d["topics"]}
        d["topics"] += [{"topic": n, "cited": 0, "up": 0, "down": 0} for n in titles if n not in have]
        d["topics"].sort(key=lambda t: (t["topic"] is None, t["topic"] or 0))
        for t in d["topics"]:
            t["title"] = titles.get(t["topic"])
        if engine.loaded:
            have = {e["expert"] for e in d["experts"]}
            d["experts"] += [{"expert": h, "cited": 0, "up": 0, "down": 0}
                             for h in dict.fromkeys(u.expert for u in engine.faq().units if u.expert) if h not in have]
        return d

    @app.get("/api/admin/stats")
    async def stats(request: Request):
        return await logged(request, store.log.citation_stats, stats_json, limit=False)

    @app.get("/api/admin/hit-test")
    async def hit_test(request: Request):
        if (bad := guard(request) or ready()):
            return bad
        q = request.query_params.get("q", "")
        mode = request.query_params.get("mode") or None
        if mode is not None and mode not in ("hybrid", "lexical", "dense"):
            return _error(422, "mode must be one of: hybrid, lexical, dense")
        try:
            result = await run_in_threadpool(engine.explain, q, mode)
        except InvalidQuestion as e:
            return _error(422, one_line(e))
        except KbqaError as e:
            return _error(503, one_line(e))
        d = result.to_dict()
        titles = _titles(engine)
        for rows in [d["fused"], *d["channels"].values()]:
            for row in rows:
                row["topic_title"] = titles.get(row["topic"])
        return _ok(d)

    @app.get("/api/admin/kb")
    async def kb(request: Request):
        if (bad := guard(request) or ready()):
            return bad
        live = engine.live
        try:
            corrections = [c.to_dict() for c in live.corrections()]
            overlay_error = None
        except ValueError as e:
            corrections, overlay_error = [], one_line(e)
        faq = engine.faq()
        return _ok({**live.status(), "jobs": [j.to_dict() for j in reversed(live.jobs)],
                    "corrections": corrections, "overlay_error": overlay_error, "title": faq.title,
                    "topics": [{"topic": n, "title": t} for n, t in sorted(_titles(engine).items())],
                    "units": len(faq.units)})

    @app.get("/api/admin/kb/jobs/{job_id}")
    def kb_job(request: Request, job_id: str):
        if (bad := guard(request)):
            return bad
        job = next((j for j in engine.live.jobs if j.id == job_id), None) if engine.loaded else None
        if job is None:
            return _error(404, f"no job {job_id[:40]!r} in this server process (jobs are kept per process)")
        return _ok(job.to_dict())

    # -- changing --
    @app.post("/api/admin/corrections")
    async def add_correction(request: Request):
        from kbqa.corpus import overlay as ov

        if (bad := guard(request, change=True) or ready()):
            return bad
        payload = await _json_body(request)
        if isinstance(payload, JSONResponse):
            return payload
        if not isinstance(payload, dict):
            return _error(422, 'body must be a JSON object like {"kind": "paraphrase", "question": "...", "topic": 3}')
        topic = payload.get("topic")
        if isinstance(topic, str) and topic.strip().isdigit():
            topic = int(topic)
        if topic in ("", None):
            topic = None
        try:
            strs = {k: payload.get(k) or "" for k in ("kind", "question", "answer", "author", "author_title", "note")}
            bad_field = next((k for k, v in strs.items() if not isinstance(v, str)), None)
            if bad_field:
                return _error(422, f"{bad_field} must be a string")
            c = ov.new(strs["kind"], strs["question"], topic=topic, answer=strs["answer"], author=strs["author"],
                       author_title=strs["author_title"], by="admin", note=strs["note"])
        except ValueError as e:
            return _error(422, one_line(e))
        topics = _titles(engine)
        if c.topic is not None and c.topic not in topics:
            return _error(422, f"there is no FAQ question {c.topic} (1-{max(topics) if topics else 0})")
        if c.kind == "out_of_scope" and c.topic is not None:
            c = ov.check(ov.Correction(**{**c.to_dict(), "topic": None}), "correction")
        job = engine.live.apply(c)
        log.info("kbqa admin: correction %s (%s) queued as job %s", c.id, c.kind, job.id)
        return _ok(job.to_dict(), status=202)

    @app.delete("/api/admin/corrections/{correction_id}")
    def remove_correction(request: Request, correction_id: str):
        if (bad := guard(request, change=True) or ready()):
            return bad
        if not correction_id.isalnum() or len(correction_id) > 40:
            return _error(422, "a correction id is letters and digits")
        return _ok(engine.live.remove(correction_id).to_dict(), status=202)

    @app.post("/api/admin/kb/rollback")
    def rollback(request: Request):
        if (bad := guard(request, change=True) or ready()):
            return bad
        return _ok(engine.live.rollback().to_dict(), status=202)

    @app.post("/api/admin/import")
    async def import_preview(request: Request):
        from kbqa.corpus.importer import FORMATS, ImportFailed, read_faq
        from kbqa.corpus.importer.entries import MAX_FILE_BYTES

        if (bad := guard(request, change=True)):
            return bad
        name = Path(request.query_params.get("name") or "").name
        if Path(name).suffix.lower() not in FORMATS:
            return _error(422, f"name the file with one of: {', '.join(sorted(FORMATS))} (?name=faq.csv)")
        body = await request.body()
        if len(body) > MAX_FILE_BYTES:
            return _error(413, f"the file is larger than {MAX_FILE_BYTES >> 20} MB")

        def read():
            with tempfile.TemporaryDirectory(prefix="kbqa-import-") as d:
                path = Path(d) / name
                path.write_bytes(body)
                return read_faq(path)

        try:
            imported = await run_in_threadpool(read)
        except ImportFailed as e:
            return _error(422, one_line(e))
        data = imported.data
        return _ok({"report": imported.report.lines(), "title": data.get("title"),
                    "questions": [{"n": t["n"], "title": t["title"], "answers": len(t.get("answers", [])),
                                   "similar": len(t.get("similar", []))} for t in data["topics"]],
                    "faq_json": data})


def _thumbs_down(votes, titles: dict) -> dict:
    out = []
    for v in votes:
        d = v.to_dict()
        d["answer"] = (d.get("answer") or "")[:2000]
        d["cited"] = [{"topic": t, "expert": e, "topic_title": titles.get(t)} for t, e in v.cited]
        d["topic_title"] = titles.get(v.topic)
        out.append(d)
    return {"thumbs_down": out}


def _titles(engine) -> dict[int, str]:
    if not engine.loaded:
        return {}
    return {t.n: t.title for t in engine.faq().topics}


def _window_error(request: Request) -> JSONResponse | None:
    from kbqa.store.questions import parse_since

    try:
        parse_since(request.query_params.get("since"))
    except (KbqaError, ValueError) as e:
        return _error(422, one_line(e))
    limit = request.query_params.get("limit")
    if limit is not None and not (limit.isdigit() and 1 <= int(limit) <= LIMIT_MAX):
        return _error(422, f"limit must be a number from 1 to {LIMIT_MAX}")
    return None


def _window(request: Request):
    from kbqa.store.questions import parse_since

    limit = request.query_params.get("limit")
    return parse_since(request.query_params.get("since")), int(limit) if limit else 100


async def _json_body(request: Request):
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
        return _error(415, "Content-Type must be application/json")
    body = await request.body()
    if len(body) > MAX_JSON_BYTES:
        return _error(413, f"request body is larger than {MAX_JSON_BYTES} bytes")
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        return _error(400, "request body is not valid JSON")


__all__ = ["Access", "COOKIE", "install"]
