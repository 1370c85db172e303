"""The parts of the replica proof (``replicas.py``) that run processes: a kbqa process with its log, waiting for
readiness, a kbqa command, the fake Slack, a round-robin balancer that retries on the other replica, and reading
what a process left behind (spool lines, request log lines)."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

from kbqa.devtools.pgtemp import MISSING, find_bindir, wait_until
from kbqa.settings import REPO_ROOT

READY_S = 180.0


def available() -> str | None:
    """None when the scenario can run here, else why not."""
    return MISSING if find_bindir() is None else None


def fake_slack():
    try:
        from fakes import slack_api
    except ImportError:
        sys.path.insert(0, str(REPO_ROOT / "tests"))
        from fakes import slack_api
    return slack_api


class Proc:
    """A kbqa process with its log file."""

    def __init__(self, name: str, args: list[str], env: dict, work: Path) -> None:
        self.name, self.args, self.env = name, args, env
        self.log = work / f"{name}.log"
        self.p: subprocess.Popen | None = None

    def start(self) -> "Proc":
        f = open(self.log, "ab")
        self.p = subprocess.Popen([sys.executable, "-m", "kbqa.frontends.cli", *self.args], env=self.env,
                                  stdout=f, stderr=subprocess.STDOUT, cwd=REPO_ROOT, start_new_session=True)
        f.close()
        return self

    def kill9(self) -> None:
        os.killpg(self.p.pid, signal.SIGKILL)  # the process and any workers it started
        self.p.wait(30)

    def stop(self, timeout: float = 40.0) -> int | None:
        if self.p is None or self.p.poll() is not None:
            return self.p.returncode if self.p else None
        self.p.send_signal(signal.SIGTERM)
        try:
            return self.p.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.p.pid, signal.SIGKILL)
            self.p.wait(10)
            return None

    def tail(self, n: int = 5) -> str:
        try:
            return " | ".join(self.log.read_text(errors="replace").strip().splitlines()[-n:])
        except OSError:
            return ""

    def last_traceback(self, n: int = 25) -> str:
        """The last traceback in the process's log (its lines joined), else its last error record (the JSON log keeps
        an exception's last line, ``"level": "error"``), else the log's last lines (``tail``)."""
        try:
            text = self.log.read_text(errors="replace").splitlines()
        except OSError:
            return ""
        start = max((i for i, line in enumerate(text) if "Traceback" in line), default=None)
        if start is None:
            return next((line.strip() for line in reversed(text) if '"level": "error"' in line), None) or self.tail()
        return " | ".join(x.strip() for x in text[start:start + n])


def ready(url: str, proc: Proc, timeout: float = READY_S) -> bool:
    import httpx

    def ok():
        if proc.p.poll() is not None:
            raise RuntimeError(f"{proc.name} exited (rc {proc.p.returncode}): {proc.tail()}")
        try:
            return httpx.get(url + "/healthz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    return wait_until(ok, timeout, 0.25)


def cli(args: list[str], env: dict, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kbqa.frontends.cli", *args], env=env, capture_output=True,
                          text=True, cwd=REPO_ROOT, timeout=timeout)


class Balancer:
    """The clients' view of the replicas: round robin; a replica that refuses a connection is tried last until
    it answers again."""

    def __init__(self, urls: dict[str, str]) -> None:
        self.urls = urls
        self.down: set[str] = set()
        self.lock = threading.Lock()

    def pick(self, i: int) -> list[str]:
        names = list(self.urls)
        first = names[i % len(names)]
        order = [first] + [n for n in names if n != first]
        with self.lock:
            return [n for n in order if n not in self.down] + [n for n in order if n in self.down]

    def failed(self, name: str) -> None:
        with self.lock:
            self.down.add(name)

    def back(self, name: str) -> None:
        with self.lock:
            self.down.discard(name)


def spooled(folder: Path) -> int:
    """Records in a home's spool segments (lines), e.g. what a killed process left."""
    n = 0
    for f in folder.glob("*.jsonl"):
        try:
            n += f.read_bytes().count(b"\n")
        except OSError:
            pass
    return n


def request_lines(log: Path, rids: list[str]) -> dict:
    seen = set()
    for line in log.read_text(errors="replace").splitlines():
        if line.startswith("{"):
            try:
                d = json.loads(line)
            except ValueError:
                continue
            if d.get("msg") == "request" and d.get("path") == "/api/ask" and d.get("answer_id"):
                seen.add(d.get("request_id"))
    return {"expected": len(rids), "missing": len([r for r in rids if r not in seen])}
