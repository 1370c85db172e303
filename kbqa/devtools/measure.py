"""What the dev tools (bench, stress) measure with, defined once so that a figure means the same everywhere.

- Latency: ``percentile`` is ``kbqa.evaluation.metrics.percentile`` (linear interpolation between the two
  nearest ranks, numpy's default), so a "p95" from ``kbqa bench``, ``kbqa bench --stress`` and ``kbqa eval``
  is the same statistic; ``percentiles`` takes several at once.
- Memory, in MB (2**20 bytes), of a process given by pid (default: this one): ``peak_rss_mb`` is the high-water
  mark of its resident set (VmHWM), ``current_rss_mb`` the resident set now (VmRSS), ``tree_rss_mb`` the
  current RSS of a process and all its children.
- Questions: ``read_jsonl`` reads a raw JSONL file (one object a line, blank lines skipped, no checks);
  ``load_questions`` keeps the rows with a non-empty question. Eval sets that must be valid go through
  ``kbqa.evaluation.dataset.load`` instead, which checks every row.
- Context: ``machine_info`` (what a figure was measured on); ``child_env`` and ``last_line`` for the child
  processes the tools start (cold start, servers, scale points, writers killed on purpose).
"""
from __future__ import annotations

import json
import os
import platform
import resource
from collections.abc import Iterable
from pathlib import Path

from kbqa.evaluation.metrics import percentile
from kbqa.settings import REPO_ROOT

EVAL_FILES = (REPO_ROOT / "eval" / "dev.jsonl", REPO_ROOT / "eval" / "test.jsonl")


# ---- latency ------------------------------------------------------------------------------------------
def percentiles(values: Iterable[float], qs=(50, 95, 99)) -> dict[int, float | None]:
    """``percentile`` of the same values at each of ``qs``; None for each when there are no values."""
    vals = [float(v) for v in values]
    return {q: percentile(vals, q) for q in qs}


def rounded(x, nd: int = 2):
    """``round(x, nd)`` that passes None through (a figure that could not be measured)."""
    return None if x is None else round(float(x), nd)


# ---- memory -------------------------------------------------------------------------------------------
def _status_mb(pid: int | None, key: str) -> float | None:
    """A kB field of /proc/<pid>/status in MB; None where there is no such file (not Linux, process gone)."""
    path = Path("/proc/self/status" if pid is None else f"/proc/{pid}/status")
    try:
        for line in path.read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def peak_rss_mb(pid: int | None = None) -> float | None:
    """The process's peak resident memory (VmHWM). Not ``ru_maxrss``: on Linux it survives fork+exec, so a
    child started by a big process would report its parent's peak. ``ru_maxrss`` is the fallback for this
    process where /proc is missing."""
    peak = _status_mb(pid, "VmHWM")
    if peak is None and pid in (None, os.getpid()):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return peak


def current_rss_mb(pid: int | None = None) -> float | None:
    """The process's resident memory now (VmRSS)."""
    now = _status_mb(pid, "VmRSS")
    if now is None:
        try:
            import psutil

            return psutil.Process(pid).memory_info().rss / 2**20
        except Exception:  # noqa: BLE001 - no psutil, or the process is gone
            return None
    return now


def process_tree(pid: int) -> list:
    """A process and all its descendants (a server and the workers it starts), as psutil Processes."""
    import psutil

    procs = [psutil.Process(pid)]
    return procs + procs[0].children(recursive=True)


def tree_rss_mb(pid: int) -> float | None:
    """Current RSS of a process and all its descendants."""
    try:
        return sum(p.memory_info().rss for p in process_tree(pid)) / 2**20
    except Exception:  # noqa: BLE001 - the process ended while we looked
        return None


def tree_pss_mb(pid: int) -> float | None:
    """Proportional memory (PSS) of a process and all its descendants: a page shared by n of them counts 1/n
    in each, so forked workers sharing the loaded models count them once (where summed RSS counts them n
    times). Linux (/proc/<pid>/smaps_rollup); elsewhere the summed RSS."""
    try:
        procs = process_tree(pid)
    except Exception:  # noqa: BLE001 - the process ended while we looked
        return None
    total = 0.0
    for p in procs:
        try:
            with open(f"/proc/{p.pid}/smaps_rollup", encoding="ascii") as f:
                total += next(int(line.split()[1]) for line in f if line.startswith("Pss:")) / 1024
        except (OSError, StopIteration, ValueError):
            try:
                total += p.memory_info().rss / 2**20
            except Exception:  # noqa: BLE001 - ended meanwhile
                pass
    return total


# ---- question files -----------------------------------------------------------------------------------
def read_jsonl(path: str | Path) -> list[dict]:
    """Every JSON value of a JSONL file, in order (blank lines skipped). No validation."""
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]


def load_questions(paths: Iterable[str | Path] = EVAL_FILES) -> list[dict]:
    """The rows of JSONL files that have a non-empty ``question`` (``topic`` may be null: out of scope)."""
    return [r for p in paths for r in read_jsonl(p)
            if isinstance(r, dict) and isinstance(r.get("question"), str) and r["question"].strip()]


# ---- the machine and child processes ------------------------------------------------------------------
def machine_info() -> dict:
    """CPU model, cores (all and usable by this process), memory and Python: the context of any figure."""
    model = None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    mem_mb = None
    try:
        import psutil

        mem_mb = round(psutil.virtual_memory().total / 2**20)
    except Exception:  # noqa: BLE001
        pass
    return {"cpu": model or platform.processor() or "unknown", "cores": os.cpu_count(), "usable_cores": usable,
            "memory_mb": mem_mb, "python": platform.python_version(), "platform": platform.platform()}


def child_env(**extra: str) -> dict:
    """The environment for a child process that runs this checkout's kbqa: ours, with the repository first
    on PYTHONPATH, offline defaults for the Hugging Face libraries and Gradio, plus ``extra``."""
    env = dict(os.environ)
    env.setdefault("HF_HUB_OFFLINE", "1")
    env.setdefault("TRANSFORMERS_OFFLINE", "1")
    env.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    env["PYTHONPATH"] = str(REPO_ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env | extra


def last_line(text: str | bytes, default: str = "?") -> str:
    """The last non-empty line of a child's output (its one-line error, usually)."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return (text.strip().splitlines() or [default])[-1]
