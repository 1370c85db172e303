"""Load the FAQ knowledge base (structured faq.json, or a raw .txt article cleaned on the fly)."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from kbqa.types import Topic, Unit

__all__ = ["Faq", "load_data", "load_faq", "faq_from_dict", "validate_faq_dict", "canonical_sha256"]


@dataclass(frozen=True)
class Faq:
    title: str
    topics: tuple[Topic, ...]
    units: tuple[Unit, ...]
    sha256: str  # sha256 of the canonical JSON of the structured FAQ (see canonical_sha256)
    intro: str = ""
    source: str = ""
    out_of_scope: tuple[str, ...] = ()  # questions the owners marked as not covered (the overlay)

    @property
    def version(self) -> str:
        """The KB version: the first 16 hex digits of ``sha256`` (FAQ and overlay together)."""
        return self.sha256[:16]

    def topic(self, n: int) -> Topic:
        for t in self.topics:
            if t.n == n:
                return t
        raise KeyError(n)


def canonical_sha256(data: dict) -> str:
    """Hash of the canonical JSON (sorted keys, compact, UTF-8): independent of file layout, so a
    raw .txt cleaned on the fly and the committed faq.json built from it hash the same."""
    blob = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


_TOP_FIELDS = {"title": str, "topics": list}
_OPTIONAL_TOP = {"intro": str, "source": str, "out_of_scope": list}
_TOPIC_FIELDS = {"n": int, "title": str, "description": str, "answers": list}
_OPTIONAL_TOPIC = {"similar": list}
_ANSWER_FIELDS = {"handle": str, "org_title": str, "text": str}
_OPTIONAL_ANSWER = {"byline": str}


def _check(obj, where: str, required: dict, optional: dict = {}) -> None:  # noqa: B006 - read only
    if not isinstance(obj, dict):
        raise ValueError(f"faq: {where or 'top level'} must be an object")
    for name, typ in required.items():
        if name not in obj:
            raise ValueError(f"faq: missing field '{where + '.' if where else ''}{name}'")
    for name, typ in {**required, **optional}.items():
        if name in obj and (not isinstance(obj[name], typ) or (typ is int and isinstance(obj[name], bool))):
            raise ValueError(f"faq: field '{where + '.' if where else ''}{name}' must be {typ.__name__}")


def validate_faq_dict(data: dict) -> None:
    """Raise ValueError (one line, naming the field) if the structure is not a valid FAQ."""
    _check(data, "", _TOP_FIELDS, _OPTIONAL_TOP)
    if not data["topics"]:
        raise ValueError("faq: field 'topics' is empty")
    seen = set()
    for i, t in enumerate(data["topics"]):
        _check(t, f"topics[{i}]", _TOPIC_FIELDS, _OPTIONAL_TOPIC)
        for j, q in enumerate(t.get("similar", ())):
            if not isinstance(q, str) or not q.strip():
                raise ValueError(f"faq: field 'topics[{i}].similar[{j}]' must be a non-empty string")
        if t["n"] in seen:
            raise ValueError(f"faq: field 'topics[{i}].n' duplicates topic {t['n']}")
        seen.add(t["n"])
        if not t["title"].strip():
            raise ValueError(f"faq: field 'topics[{i}].title' is empty")
        for j, a in enumerate(t["answers"]):
            _check(a, f"topics[{i}].answers[{j}]", _ANSWER_FIELDS, _OPTIONAL_ANSWER)
            if not a["handle"].strip():
                raise ValueError(f"faq: field 'topics[{i}].answers[{j}].handle' is empty")
    for j, q in enumerate(data.get("out_of_scope", ())):
        if not isinstance(q, str) or not q.strip():
            raise ValueError(f"faq: field 'out_of_scope[{j}]' must be a non-empty string")


def faq_from_dict(data: dict) -> Faq:
    validate_faq_dict(data)
    topics = []
    units = []
    for t in data["topics"]:
        topic = Topic(n=t["n"], title=t["title"], description=t["description"],
                      similar=tuple(q.strip() for q in t.get("similar", ())))
        topics.append(topic)
        qtext = topic.title + ("\n" + topic.description if topic.description else "")
        units.append(Unit(id=f"t{topic.n}", kind="question", topic=topic.n, topic_title=topic.title, text=qtext,
                          similar=topic.similar))
        counts: dict[str, int] = {}
        for a in t["answers"]:
            counts[a["handle"]] = counts.get(a["handle"], 0) + 1
            uid = f"t{topic.n}/{a['handle']}"
            if counts[a["handle"]] > 1:
                uid += f"#{counts[a['handle']]}"
            units.append(
                Unit(
                    id=uid,
                    kind="answer",
                    topic=topic.n,
                    topic_title=topic.title,
                    text=a["text"],
                    expert=a["handle"],
                    expert_title=a["org_title"],
                )
            )
    return Faq(
        title=data["title"],
        topics=tuple(topics),
        units=tuple(units),
        sha256=canonical_sha256(data),
        intro=data.get("intro", ""),
        source=data.get("source", ""),
        out_of_scope=tuple(q.strip() for q in data.get("out_of_scope", ())),
    )


def load_faq(path: str | Path, overlay: str | Path | None = "auto", overlay_text: str | None = None) -> Faq:
    """Load a structured ``.json`` FAQ, or a raw ``.txt`` article of the same shape (cleaned on the
    fly with ``corrections.tsv`` / ``boilerplate.tsv`` found beside it, if present), with the owners'
    corrections applied: ``overlay`` is their file ("auto": ``overlay.jsonl`` beside the corpus; None: none),
    ``overlay_text`` its content when it is given instead (a correction being tried before it is written)."""
    from kbqa.corpus import overlay as ov

    path = Path(path)
    data = load_data(path)
    if overlay == "auto":
        overlay = path.parent / ov.OVERLAY_FILE
    if overlay_text is None:
        overlay_text = ov.read(Path(overlay)) if overlay is not None else ""
    if overlay_text.strip():
        name = Path(overlay).name if overlay is not None else ov.OVERLAY_FILE
        data = ov.apply(data, ov.parse(overlay_text, name), name)
    return faq_from_dict(data)


def load_data(path: str | Path) -> dict:
    """The faq.json structure of a corpus file, before the overlay (not yet validated)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".json":
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as e:
            raise ValueError(f"faq: {path}: invalid JSON: {e}") from None
    if suffix == ".txt":
        from kbqa.corpus.clean import build_faq

        corrections = path.parent / "corrections.tsv"
        return build_faq(path, corrections if corrections.exists() else None)
    raise ValueError(f"faq: unsupported file type {path.suffix!r} (expected .json or .txt): {path}")


def load_examples(corpus_path: str | Path, faq: Faq) -> tuple[str, ...]:
    """Example questions for the front ends: ``examples.txt`` beside the corpus (one per line, ``#``
    comments), else the FAQ's own question titles. Nothing about a particular FAQ lives in code."""
    path = Path(corpus_path).parent / "examples.txt"
    if path.is_file():
        lines = [l.strip() for l in path.read_text(encoding="utf-8").splitlines()]
        found = tuple(l for l in lines if l and not l.startswith("#"))
        if found:
            return found
    return tuple(t.title for t in faq.topics)
