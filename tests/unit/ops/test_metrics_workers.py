"""/metrics with several worker processes: each writes its own files in the multiprocess folder and any process
reading them reports the sum (what `kbqa serve --workers N` relies on)."""
from __future__ import annotations

import subprocess
import sys

from kbqa.devtools.measure import child_env

WORKER = r"""
import sys
from kbqa.ops import metrics
for _ in range(int(sys.argv[1])):
    metrics.asked("api", "answered", 0.01, "answer")
metrics.feedback("api", -1)
metrics.spooled(int(sys.argv[1]))
if sys.argv[2] == "stopped":
    metrics.process_exit()  # what a worker does when it stops: its live gauges leave the sum
"""
READER = r"""
from kbqa.ops import metrics
print(metrics.render()[0].decode())
"""


def _run(code: str, folder, *args) -> str:
    p = subprocess.run([sys.executable, "-c", code, *args], env=child_env(PROMETHEUS_MULTIPROC_DIR=str(folder)),
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    return p.stdout


def test_workers_add_up(tmp_path):
    from kbqa.ops.metrics import prepare_multiprocess_dir

    folder = prepare_multiprocess_dir(tmp_path / "mp")
    _run(WORKER, folder, "3", "stopped")
    _run(WORKER, folder, "4", "running")
    text = _run(READER, folder)
    assert 'kbqa_requests_total{frontend="api",status="answered"} 7.0' in text
    assert 'kbqa_feedback_total{rating="down",source="api"} 2.0' in text
    assert 'kbqa_answer_seconds_count{frontend="api"} 7.0' in text
    assert "kbqa_spool_records 4.0" in text  # counters keep a stopped worker's counts; live gauges do not
    prepare_multiprocess_dir(folder)  # a new start begins from zero
    assert "kbqa_requests_total{" not in _run(READER, folder)
