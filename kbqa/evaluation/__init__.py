"""The evaluation harness behind `kbqa eval`.

- ``dataset``: load and validate eval sets (the JSONL format of shared/eval/README.md, read unchanged): topical
  rows and conversation rows.
- ``metrics``: pure functions from (item, Answer) rows to the topical metrics; ``QUALITY_BAR`` is the project's bar.
- ``conversation``: pure functions scoring a conversation row as shared/eval/check_conv.py does (plus
  ``expect_kind``), with titles and experts read from the FAQ; ``CONV_BAR`` per conversation kind.
- ``runner``: asks every question through ``engine.ask()`` (the path users take) and times it.
- ``report``: the JSON document, text tables, report.md, the PNG chart and the failures files.
- ``cli``: ``run(args)`` for `kbqa eval`.

Importing this package is cheap (no engine, no matplotlib, no tqdm).
"""
