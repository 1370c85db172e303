"""One stress run: every check in order against one engine, the findings summed, the report and the command."""
from __future__ import annotations

import contextlib
import json
import sys
import tempfile
import time
from pathlib import Path

from kbqa.devtools.stress.faults import check_index_faults, check_killed_build, check_model_fault
from kbqa.devtools.stress.feedback import check_feedback
from kbqa.devtools.stress.findings import Findings
from kbqa.devtools.stress.inputs import check_inputs, in_scope_questions
from kbqa.devtools.stress.load import check_load
from kbqa.devtools.stress.replicas import check_replicas


def run(engine=None, *, quick: bool = False, progress=None) -> dict:
    """Every check (the web server in a thread on a free loopback port, temp folders for all it breaks) and
    the totals: requests_sent, errors, faults_injected, inputs_tried, records_lost, error_notes; ``load`` and
    ``feedback`` hold those checks' figures. ``quick``: 8 x 10 load instead of 32 x 50, fewer feedback writes."""
    from kbqa.engine import Engine
    from kbqa.frontends.web.app import create_app, serve_in_thread, start_loading
    from kbqa.settings import Settings
    from kbqa.store.feedback import FeedbackStore

    say = progress or (lambda msg: None)
    engine = engine or Engine(Settings.from_env(), progress=False)
    t0 = time.perf_counter()
    say(f"loading the engine ({engine.settings.embedder})")
    engine.load()
    engine.ask(in_scope_questions(engine)[0])
    total = Findings()
    clients, per_client = (8, 10) if quick else (32, 50)
    result: dict = {"embedder": engine.embedder.identity().get("model"), "quick": quick}
    with tempfile.TemporaryDirectory(prefix="kbqa-stress-") as tmp:
        work = Path(tmp)
        # 32 clients on one loopback address are one client to the per-client rate limit: the load is
        # measured with the limit off (docs/security.md); nothing else is relaxed.
        app = create_app(engine, FeedbackStore(work / "web-feedback.sqlite3"),
                         settings=engine.settings.with_(rate_limit=0))
        start_loading(app).join(300)
        with serve_in_thread(app) as url:
            total.add(check_inputs(engine, url, say))
            load = check_load(engine, url, clients, per_client, say)
            total.add(load)
            result["load"] = load.figures
        total.add(check_index_faults(engine, work, say))
        total.add(check_model_fault(engine, work, say))
        total.add(check_killed_build(work, Path(engine.settings.corpus), say))
        feedback = check_feedback(work, quick, say)
        total.add(feedback)
        result["feedback"] = feedback.figures
    replicas = check_replicas(quick, say)
    total.add(replicas)
    result["replicas"] = replicas.figures
    result.update({"requests_sent": total.requests, "errors": total.errors, "faults_injected": total.faults,
                   "inputs_tried": total.inputs, "records_lost": total.lost, "error_notes": total.notes,
                   "seconds": round(time.perf_counter() - t0, 1)})
    return result


def report(res: dict) -> str:
    """The result of ``run`` as the text ``kbqa bench --stress`` prints, ending in PASS or FAIL."""
    load, fb = res.get("load", {}), res.get("feedback", {})
    lines = [
        f"kbqa stress ({res['embedder']}{', quick' if res['quick'] else ''}) in {res['seconds']} s",
        f"  requests sent    {res['requests_sent']}",
        f"  errors           {res['errors']}",
        f"  faults injected  {res['faults_injected']}",
        f"  inputs tried     {res['inputs_tried']}",
        f"  records lost     {res['records_lost']}",
        f"  load             {load.get('clients')} clients x {load.get('requests', 0) // max(load.get('clients') or 1, 1)}"
        f" requests: {load.get('req_per_s')} req/s, p95 {load.get('p95_ms')} ms, RSS {load.get('rss_before_mb')}"
        f" -> {load.get('rss_after_mb')} -> {load.get('rss_after_more_mb')} MB, healthy after: {load.get('healthy_after')}",
        f"  feedback         {fb.get('written')} acknowledged writes ({fb.get('killed_writers')} writer killed with "
        f"SIGKILL), {fb.get('found')} found after reopen, integrity {fb.get('integrity')}",
    ]
    if res.get("replicas"):
        from kbqa.devtools.stress.replicas import report as replicas_report

        lines += replicas_report(res["replicas"])
    lines += [f"  error: {n}" for n in res["error_notes"]]
    lines.append("PASS" if res["errors"] == 0 and res["records_lost"] == 0 else "FAIL")
    return "\n".join(lines)


def run_cli(args) -> int:
    """``kbqa bench --stress [--quick] [--json]``: exit 1 if there were errors or lost records."""
    with contextlib.redirect_stdout(sys.stderr):  # stdout is for the result: a library's print goes to stderr
        res = run(quick=bool(getattr(args, "quick", False)),
                  progress=lambda msg: print(f"kbqa stress: {msg}", file=sys.stderr, flush=True))
    if getattr(args, "json", False):
        from kbqa.frontends.cli import json_stdout

        print(json.dumps(res, ensure_ascii=False, indent=2), file=json_stdout(args))
    else:
        print(report(res))
    return 1 if res["errors"] or res["records_lost"] else 0
