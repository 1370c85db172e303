"""The feedback store under concurrent writers (threads as web and Slack, other processes) and writers
killed with SIGKILL midway: every acknowledged record must be there after a reopen."""
from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from kbqa.devtools.measure import child_env
from kbqa.devtools.stress.findings import Findings

# A writer process: adds argv[3] records as source argv[2] and prints each id once it is committed.
FEEDBACK_WRITER = r"""
import sys
from kbqa.store.feedback import FeedbackStore
store = FeedbackStore(sys.argv[1])
for i in range(int(sys.argv[3])):
    rid = store.add(source=sys.argv[2], rating=1 if i % 2 else -1, question=f"q{i}", answer="a")
    print(rid, flush=True)
"""


def feedback_torture(path: Path, threads: int = 8, per_thread: int = 50, procs: int = 2, per_proc: int = 100,
                     killed: int = 1) -> dict:
    """Concurrent writers (threads as 'web' and 'slack', processes) plus writers killed with SIGKILL midway.
    Returns counts; ``lost`` is committed-and-acknowledged records that are missing after a reopen."""
    from kbqa.store.feedback import FeedbackStore

    store = FeedbackStore(path)
    acked: set[str] = set()  # record ids (uuid hex)
    lock = threading.Lock()

    def write(t: int) -> None:
        for i in range(per_thread):
            rid = store.add(source="web" if t % 2 else "slack", rating=1, question=f"t{t}-{i}", answer="a",
                            citations=[{"n": 1}], extra={"t": t})
            with lock:
                acked.add(rid)

    children = [subprocess.Popen([sys.executable, "-c", FEEDBACK_WRITER, str(path), f"proc{k}", str(per_proc)],
                                 stdout=subprocess.PIPE, text=True, env=child_env()) for k in range(procs)]
    victims = [subprocess.Popen([sys.executable, "-c", FEEDBACK_WRITER, str(path), f"killed{k}", "100000"],
                                stdout=subprocess.PIPE, text=True, env=child_env()) for k in range(killed)]
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(write, range(threads)))
    killed_acked = 0
    for v in victims:
        for _ in range(30):  # let it commit some records, then kill it mid-write
            line = v.stdout.readline()
            if line.strip():
                acked.add(line.strip())
                killed_acked += 1
        v.send_signal(signal.SIGKILL)
        rest = v.stdout.read()  # not communicate(timeout=...): it would skip what readline() has buffered
        v.wait(30)
        for line in rest.split():
            acked.add(line)
            killed_acked += 1
    for c in children:
        out, _ = c.communicate(timeout=120)
        acked.update(out.split())
        if c.returncode != 0:
            raise RuntimeError(f"feedback writer process failed (rc {c.returncode})")
    del store
    fresh = FeedbackStore(path)  # "restart": a new store, new connection
    ids = {r["id"] for r in fresh.records()}
    conn = sqlite3.connect(path)
    integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
    conn.close()
    expected_min = threads * per_thread + procs * per_proc + killed_acked
    # a killed writer may have committed one record it had no time to acknowledge: found <= expected + killed
    return {"written": len(acked), "expected_min": expected_min, "found": len(ids), "lost": len(acked - ids),
            "unacknowledged": len(ids - acked),
            "killed_writers": killed, "killed_writer_acked": killed_acked, "integrity": integrity}


def check_feedback(work: Path, quick: bool = False, say=None) -> Findings:
    """``feedback_torture`` as a check: nothing lost, integrity ok, no record that nobody wrote (only a
    killed writer's last commit may be unacknowledged), at least as many records as were acknowledged."""
    res = feedback_torture(work / "feedback.sqlite3", per_thread=20 if quick else 50, per_proc=40 if quick else 100)
    found = Findings(faults=res["killed_writers"], lost=res["lost"], figures=res)
    if res["integrity"] != "ok":
        found.error(f"feedback store integrity_check: {res['integrity']}")
    if res["unacknowledged"] > res["killed_writers"]:
        found.error(f"feedback: {res['unacknowledged']} records nobody wrote")
    if res["found"] < res["expected_min"]:
        found.error(f"feedback: {res['found']} records found, at least {res['expected_min']} expected")
    if say:
        say(f"feedback: {res['written']} acknowledged writes, {res['found']} found after reopen, {res['lost']} lost, "
            f"integrity {res['integrity']}")
    return found
