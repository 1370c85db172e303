"""What a stress check counts, and the checks every HTTP answer must pass."""
from __future__ import annotations

import threading
from dataclasses import dataclass, field


@dataclass
class Findings:
    """Counts of one check (or, summed, of a whole run) and its first error messages. Thread-safe: load
    clients add to the same Findings at once."""

    requests: int = 0  # HTTP requests sent
    errors: int = 0  # anything that broke a promise (a 5xx, a traceback, a wrong answer, data lost...)
    inputs: int = 0  # hostile or broken inputs tried
    faults: int = 0  # faults injected (damaged files, killed processes, stalled clients)
    lost: int = 0  # acknowledged feedback records missing after a reopen
    notes: list[str] = field(default_factory=list)
    figures: dict = field(default_factory=dict)  # the check's own measurements (load: req/s, p95, RSS...)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    MAX_NOTES = 30

    def error(self, msg: str) -> None:
        with self.lock:
            self.errors += 1
            if len(self.notes) < self.MAX_NOTES:
                self.notes.append(msg)

    def add(self, other: "Findings") -> None:
        """Add another check's counts and notes to these."""
        with self.lock:
            for name in ("requests", "errors", "inputs", "faults", "lost"):
                setattr(self, name, getattr(self, name) + getattr(other, name))
            self.notes += other.notes[:max(self.MAX_NOTES - len(self.notes), 0)]


def post(client, url: str, body: bytes, ctype: str | None, found: Findings):
    """POST a raw body to /api/ask, counted as one request."""
    headers = {"content-type": ctype} if ctype else {}
    with found.lock:
        found.requests += 1
    return client.post(url + "/api/ask", content=body, headers=headers)


def check_response(r, name: str, found: Findings, expect=None) -> None:
    """200 with an Answer, or a 4xx with a one-line JSON error. ``expect``: (status code, status, topic, text)."""
    try:
        data = r.json()
    except ValueError:
        return found.error(f"{name}: HTTP {r.status_code} with a non-JSON body")
    if r.status_code >= 500 or "Traceback" in r.text:
        return found.error(f"{name}: HTTP {r.status_code} {r.text[:120]!r}")
    if r.status_code == 200:
        if data.get("status") not in ("answered", "not_covered"):
            return found.error(f"{name}: 200 without an answer status")
    elif not (400 <= r.status_code < 500 and isinstance(data.get("error"), str) and "\n" not in data["error"]):
        return found.error(f"{name}: HTTP {r.status_code} without a one-line error")
    if expect is not None:
        got = (r.status_code,) + ((data["status"], data["topic"], data["answer"]) if r.status_code == 200 else ())
        if got != expect:
            found.error(f"{name}: answer differs from the in-process one ({got[:3]} vs {expect[:3]})")


def expected(engine, question, history=None):
    """What the HTTP API must answer, from the engine in-process: (200, status, topic, text), or None for
    a refused question (a 4xx; which one is not part of the comparison)."""
    from kbqa.engine import InvalidQuestion

    try:
        a = engine.ask(question, history=history)
    except InvalidQuestion:
        return None
    return (200, a.status, a.topic, a.answer)
