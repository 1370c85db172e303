"""The one reader of JSONL text (one JSON value a line) for the files people write by hand: the eval sets and
the owners' corrections (``overlay.jsonl``). Blank lines are skipped; a line that is not JSON is a ValueError of
one line that says where."""
from __future__ import annotations

import json
from typing import Iterator


NOT_JSON = "{where}: not valid JSON ({msg} at column {col})"


def parse_lines(text: str, name: str, *, comments: bool = False,
                not_json: str = NOT_JSON) -> Iterator[tuple[int, str, object]]:
    """``(lineno, where, value)`` for each line of ``text`` with JSON on it, ``where`` being ``name:lineno`` (for
    the caller's own messages). ``comments``: a line starting with ``#`` is skipped too. ``not_json``: the
    message for a line that is not JSON (``where``, ``msg`` and ``col`` filled in)."""
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or (comments and line.lstrip().startswith("#")):
            continue
        where = f"{name}:{lineno}"
        try:
            value = json.loads(line)
        except json.JSONDecodeError as e:
            raise ValueError(not_json.format(where=where, msg=e.msg, col=e.colno)) from None
        yield lineno, where, value
