"""Load an eval set: one JSON object a line (shared/eval/README.md), returned unchanged as dicts.

Every row is checked; a bad row raises ``ValueError`` with one line naming ``file:line``. Fields beyond
the documented ones are allowed and kept (the format may grow); blank lines are skipped.
"""
from __future__ import annotations

import json
from pathlib import Path

FIELDS = ("id", "question", "topic", "experts", "must_mention", "lang", "kind")


def load(path: str | Path) -> list[dict]:
    """The rows of one eval set, exactly as parsed. Raises FileNotFoundError, ValueError (one line)."""
    path = Path(path)
    if path.is_dir():
        raise ValueError(f"{path}: is a directory, not an eval set (JSONL)")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ValueError(f"{path}: not UTF-8 text (byte {e.start})") from None
    items: list[dict] = []
    seen: dict[str, int] = {}
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}:{lineno}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as e:
            raise ValueError(f"{where}: not valid JSON ({e.msg} at column {e.colno})") from None
        problem = check_row(row)
        if problem:
            raise ValueError(f"{where}: {problem}")
        if row["id"] in seen:
            raise ValueError(f"{where}: duplicate id {row['id']!r} (first on line {seen[row['id']]})")
        seen[row["id"]] = lineno
        items.append(row)
    if not items:
        raise ValueError(f"{path}: no questions (empty eval set)")
    return items


def check_row(row) -> str | None:
    """What is wrong with one row, in a few words, or None when it is valid."""
    if not isinstance(row, dict):
        return f"expected a JSON object, got {type(row).__name__}"
    missing = [f for f in FIELDS if f not in row]
    if missing:
        return "missing field" + ("s" if len(missing) > 1 else "") + " " + ", ".join(repr(f) for f in missing)
    if not isinstance(row["id"], str) or not row["id"].strip():
        return "'id' must be a non-empty string"
    if not isinstance(row["question"], str):
        return "'question' must be a string (it may be empty)"
    topic = row["topic"]
    if topic is not None and (isinstance(topic, bool) or not isinstance(topic, int) or topic < 1):
        return f"'topic' must be a question number (1, 2, ...) or null, got {topic!r}"
    for name in ("experts", "must_mention"):
        value = row[name]
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            return f"'{name}' must be a list of non-empty strings"
    if any(not alt.strip() for entry in row["must_mention"] for alt in entry.split("|")):
        return "'must_mention' has an empty '|' alternative"
    for name in ("lang", "kind"):
        if not isinstance(row[name], str) or not row[name].strip():
            return f"'{name}' must be a non-empty string"
    return None
