"""Load an eval set: one JSON object a line, returned unchanged as dicts.

Two row shapes, both checked field by field:

- **topical** rows (``shared/eval/README.md``, first table): ``id``, ``question``, ``topic`` (1, 2, ... or
  null), ``experts``, ``must_mention``, ``lang``, ``kind`` - all seven required.
- **conversation** rows (the "Conversational set" table of the same README, scored like its ``check_conv.py``;
  see ``kbqa.evaluation.conversation``): a row with ``expect``. Required: ``id``, ``question``, ``kind``,
  ``expect``; optional: ``topic``, ``experts``, ``must_mention``, ``lang``, and any of ``CONVERSATION_FIELDS``
  (``history``, ``topics``, ``cite_topics_all``, ``cite_topics_min``, ``experts_any``, ``experts_all``,
  ``must_not``, ``min_titles``, ``min_titles_of``, ``min_experts_named``, ``min_experts_named_of``,
  ``reply_script``, and our ``expect_kind``).

Every known field that is present has its type checked, in either shape; a bad row raises ``ValueError`` with
one line naming ``file:line``. Unknown fields are allowed and kept (the format may grow); blank lines are
skipped; ids are unique within a file.
"""
from __future__ import annotations

from pathlib import Path

from kbqa.jsonl import parse_lines
from kbqa.types import KINDS

FIELDS = ("id", "question", "topic", "experts", "must_mention", "lang", "kind")  # a topical row
CONVERSATION_REQUIRED = ("id", "question", "kind", "expect")
EXPECT = ("answer", "refuse", "any")
# The kinds of topical questions (retrieval answers them, or they are out of scope), and of conversation rows.
TOPICAL_KINDS = frozenset({"paraphrase", "fact", "colloquial", "short", "typo", "script", "cross-lingual", "mixed",
                           "ood", "near-domain", "adversarial"})
CONVERSATION_KINDS = ("overview", "by-number", "by-expert", "smalltalk", "multi-topic", "ood-near", "follow-up")
REPLY_SCRIPTS = ("Hant",)
# conversation field -> what it must be (see _check_field)
CONVERSATION_FIELDS = {
    "expect": "expect", "expect_kind": "answer_kind", "history": "strings_or_empty",
    "topics": "topic_list", "cite_topics_all": "topic_list", "cite_topics_min": "topics_of",
    "experts_any": "strings", "experts_all": "strings", "must_not": "strings",
    "min_titles": "count", "min_titles_of": "topics_of",
    "min_experts_named": "count", "min_experts_named_of": "handles_of",
    "reply_script": "reply_script",
}


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
    for lineno, where, row in parse_lines(text, str(path)):
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


def is_conversation_row(row: dict) -> bool:
    """A conversation row says what reply it expects (``expect``); it is scored by ``conversation.score``."""
    return "expect" in row


def is_topical_row(row: dict) -> bool:
    """Counted in the topical metrics (topic_hit, citation_hit, ood_accuracy, ...): every topical row, and a
    conversation row only when it has a ``topic`` and its kind is a topical kind (not overview, by-number...)."""
    return not is_conversation_row(row) or ("topic" in row and row.get("kind") in TOPICAL_KINDS)


def check_row(row) -> str | None:
    """What is wrong with one row, in a few words, or None when it is valid."""
    if not isinstance(row, dict):
        return f"expected a JSON object, got {type(row).__name__}"
    conversation = is_conversation_row(row)
    required = CONVERSATION_REQUIRED if conversation else FIELDS
    missing = [f for f in required if f not in row]
    if missing:
        hint = "" if conversation else " (or 'expect', for a conversation row)"
        return "missing field" + ("s" if len(missing) > 1 else "") + " " + ", ".join(repr(f) for f in missing) + (
            hint if any(f in row for f in CONVERSATION_FIELDS) else "")
    if not isinstance(row["id"], str) or not row["id"].strip():
        return "'id' must be a non-empty string"
    if not isinstance(row["question"], str):
        return "'question' must be a string (it may be empty)"
    if "topic" in row:
        topic = row["topic"]
        if topic is not None and not _is_topic(topic):
            return f"'topic' must be a question number (1, 2, ...) or null, got {topic!r}"
    for name in ("experts", "must_mention"):
        if name in row and not _strings(row[name]):
            return f"'{name}' must be a list of non-empty strings"
    if "must_mention" in row and any(not alt.strip() for entry in row["must_mention"] for alt in entry.split("|")):
        return "'must_mention' has an empty '|' alternative"
    for name in ("lang", "kind"):
        if name in row and (not isinstance(row[name], str) or not row[name].strip()):
            return f"'{name}' must be a non-empty string"
    for name, rule in CONVERSATION_FIELDS.items():
        if name in row:
            problem = _check_field(name, rule, row[name])
            if problem:
                return problem
    return None


def _is_topic(x) -> bool:
    return isinstance(x, int) and not isinstance(x, bool) and x >= 1


def _is_count(x) -> bool:
    return isinstance(x, int) and not isinstance(x, bool) and x >= 0


def _strings(x) -> bool:
    return isinstance(x, list) and all(isinstance(v, str) and v.strip() for v in x)


def _check_field(name: str, rule: str, value) -> str | None:
    if rule == "expect" and value not in EXPECT:
        return f"'{name}' must be one of {', '.join(EXPECT)}, got {value!r}"
    if rule == "answer_kind" and value not in KINDS:
        return f"'{name}' must be one of {', '.join(KINDS)}, got {value!r}"
    if rule == "reply_script" and value not in REPLY_SCRIPTS:
        return f"'{name}' must be one of {', '.join(REPLY_SCRIPTS)}, got {value!r}"
    if rule == "strings" and not _strings(value):
        return f"'{name}' must be a list of non-empty strings"
    if rule == "strings_or_empty" and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
        return f"'{name}' must be a list of strings (the earlier user questions)"
    if rule == "topic_list" and not (isinstance(value, list) and all(_is_topic(v) for v in value)):
        return f"'{name}' must be a list of question numbers (1, 2, ...)"
    if rule == "count" and not _is_count(value):
        return f"'{name}' must be a whole number >= 0, got {value!r}"
    if rule in ("topics_of", "handles_of"):
        of_ok = _is_topic if rule == "topics_of" else (lambda v: isinstance(v, str) and v.strip())
        what = "question numbers" if rule == "topics_of" else "expert handles"
        if (not isinstance(value, dict) or set(value) != {"of", "n"} or not isinstance(value["of"], list)
                or not all(of_ok(v) for v in value["of"]) or not _is_count(value["n"])):
            return f"'{name}' must be {{\"of\": [{what}...], \"n\": a whole number >= 0}}"
        if value["n"] > len(value["of"]):
            return f"'{name}' wants n={value['n']} of only {len(value['of'])}"
    return None
