"""`kbqa serve --workers 2` with the default models: the workers are forked after one load (the ONNX session, USE,
the indexes) and answer correctly in parallel; a worker killed with SIGKILL is replaced; SIGTERM stops them all
cleanly. This is the proof that the loaded engine survives a fork (kbqa.frontends.web.prefork)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import psutil
import pytest

from kbqa.devtools.bench.http import _free_port
from kbqa.devtools.measure import child_env
from kbqa.settings import REPO_ROOT, Settings

pytestmark = [pytest.mark.model, pytest.mark.slow]

QUESTIONS = ["容器网络怎么选型", "银行核心业务怎么做滚动更新", "How do we troubleshoot an app inside a container?",
             "容器东西向网络安全怎么考虑", "胖容器还是原生docker", "容器云高可用怎么做"]


def _children(proc) -> list[psutil.Process]:
    return psutil.Process(proc.pid).children()


def _wait(pred, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(0.2)
    return False


def test_forked_workers_answer_in_parallel_are_replaced_and_stop(tmp_path):
    s = Settings.from_env()
    port = _free_port()
    env = child_env(KBQA_HOME=str(tmp_path / "home"), KBQA_MODELS_DIR=str(s.model_cache),
                    KBQA_INDEX_DIR=str(s.index_root), KBQA_RATE_LIMIT="0", PYTHONUNBUFFERED="1")
    env = {k: v for k, v in env.items() if k not in ("KBQA_EMBEDDER", "KBQA_MODE", "KBQA_WORKERS")}
    log = open(tmp_path / "serve.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "kbqa.frontends.cli", "serve", "--port", str(port), "--workers",
                             "2"], cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=30) as c:
            def ok() -> bool:
                try:
                    return c.get("/healthz").status_code == 200
                except httpx.HTTPError:
                    return False

            assert _wait(ok, 180), (tmp_path / "serve.log").read_text(errors="replace")
            assert _wait(lambda: len(_children(proc)) == 2, 30)
            # /healthz answers once one worker serves; both accept once each has logged its start-up
            def started() -> int:
                return (tmp_path / "serve.log").read_text(errors="replace").count("Application startup complete")

            assert _wait(lambda: started() >= 2, 60), (tmp_path / "serve.log").read_text(errors="replace")
            workers = _children(proc)
            cpu0 = {w.pid: sum(w.cpu_times()[:2]) for w in workers}

            def ask(q: str) -> dict:  # a connection each: every request is a new accept on the shared socket
                r = httpx.post(base + "/api/ask", json={"question": q}, timeout=30)
                assert r.status_code == 200, r.text
                return r.json()

            with ThreadPoolExecutor(8) as pool:
                answers = list(pool.map(ask, [f"{q} {i}" for i in range(8) for q in QUESTIONS]))
            assert all(a["status"] == "answered" and a["citations"] for a in answers)
            assert {a["citations"][0]["topic"] for a in answers[:len(QUESTIONS)]} >= {4, 9, 6}
            # both workers answered (each spent CPU on the questions)
            assert all(sum(w.cpu_times()[:2]) - cpu0[w.pid] > 0.05 for w in workers)

            killed = workers[0].pid
            os.kill(killed, signal.SIGKILL)
            assert _wait(lambda: len(_children(proc)) == 2 and killed not in {w.pid for w in _children(proc)}, 60)
            assert _wait(lambda: all(ask(q)["status"] == "answered" for q in QUESTIONS), 60)
        workers = _children(proc)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
        assert _wait(lambda: not any(w.is_running() and w.status() != psutil.STATUS_ZOMBIE for w in workers), 10)
    finally:
        if proc.poll() is None:
            for w in _children(proc):
                w.kill()
            proc.kill()
            proc.wait(10)
        log.close()
    text = (tmp_path / "serve.log").read_text(errors="replace")
    assert "Traceback" not in text, text
    assert f"worker {killed} exited (signal 9); starting another" in text
