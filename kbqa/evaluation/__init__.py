"""The evaluation harness behind `kbqa eval`.

- ``dataset``: load and validate eval sets (the JSONL format of shared/eval/README.md, read unchanged).
- ``metrics``: pure functions from (item, Answer) rows to metrics; ``QUALITY_BAR`` is the project's bar.
- ``runner``: asks every question through ``engine.ask()`` (the path users take) and times it.
- ``report``: the JSON document, text tables, report.md, the PNG chart and the failures files.
- ``cli``: ``run(args)`` for `kbqa eval`.

Importing this package is cheap (no engine, no matplotlib, no tqdm).
"""
