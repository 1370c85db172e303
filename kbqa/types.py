"""Typed values that flow through kbqa. No heavy imports here: adapters import this freely."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

Status = Literal["answered", "not_covered"]
# What kind of reply an Answer is. ``status`` keeps its two values; ``kind`` says more.
Kind = Literal["answer", "multi", "overview", "question", "expert", "smalltalk", "not_covered"]
KINDS: tuple[str, ...] = Kind.__args__  # type: ignore[attr-defined]


class Generated(str):
    """A piece of text as the LLM writes it, streamed by ``ask_stream`` before the checks: untrusted and
    raw (it may hold HTML, images, links). Front ends show it only made inert; the final Answer replaces it."""

    __slots__ = ()


@dataclass(frozen=True)
class Topic:
    """One numbered question of the FAQ."""

    n: int
    title: str
    description: str = ""
    similar: tuple[str, ...] = ()  # other ways to ask it (imported, or the owners' paraphrase corrections)


@dataclass(frozen=True)
class Unit:
    """A retrievable unit of knowledge: a question (kind='question') or one expert answer (kind='answer')."""

    id: str  # "t4" for question 4, "t4/xiaoping378" for an expert answer
    kind: Literal["question", "answer"]
    topic: int
    topic_title: str
    text: str  # the question description, or the expert's full answer
    expert: str = ""  # handle, e.g. "gavin_zhang"; "" for question units
    expert_title: str = ""  # org/title as written, e.g. "某股份制银行 系统架构师"
    similar: tuple[str, ...] = ()  # question units: the topic's other phrasings (indexed, never quoted)


@dataclass(frozen=True)
class Hit:
    """A unit with its retrieval score (higher is better) and rank (1-based)."""

    unit: Unit
    score: float
    rank: int


@dataclass(frozen=True)
class Citation:
    n: int
    topic: int
    topic_title: str
    expert: str
    expert_title: str
    quote: str
    score: float
    text: str


@dataclass(frozen=True)
class Section:
    """One part of a reply. Every front end renders the same parts: a heading, a plain-text lead, list
    items, then either the quotes of its citations (by number, in order) or, in LLM mode, a generated body
    that carries [n] marks. All fields are plain text, never markup."""

    title: str = ""
    topic: int | None = None
    lead: str = ""
    items: tuple[str, ...] = ()
    citations: tuple[int, ...] = ()  # numbers of Answer.citations quoted here
    body: str = ""  # generated text replacing the quotes (LLM mode); "" = the quotes

    def to_dict(self) -> dict:
        return {"title": self.title, "topic": self.topic, "lead": self.lead, "items": list(self.items),
                "citations": list(self.citations), "body": self.body}


@dataclass(frozen=True)
class Suggestion:
    """A question worth asking next, and the FAQ question it leads to (None: not one question)."""

    text: str
    topic: int | None = None

    def to_dict(self) -> dict:
        return {"text": self.text, "topic": self.topic}


@dataclass(frozen=True)
class Answer:
    """What ask() returns. to_dict() gives exactly the public JSON fields."""

    status: Status
    answer: str  # the whole reply as markdown, rendered from the fields below (answer/render.py)
    topic: int | None
    confidence: float
    citations: tuple[Citation, ...] = ()
    timings: dict[str, float] = field(default_factory=dict)
    kind: Kind = "answer"
    sections: tuple[Section, ...] = ()
    suggestions: tuple[Suggestion, ...] = ()
    notice: str = ""  # shown above the sections (why the LLM's answer was not used; the part of a question not found)
    # The answer id: set by the front end that records the answer (kbqa.store.recorded); feedback points at it.
    # "" when the engine is called directly (eval, bench).
    id: str = field(default="", compare=False)
    # Not part of the public JSON: ranked units, for evaluation and debugging.
    hits: tuple[Hit, ...] = field(default=(), compare=False, repr=False)

    PUBLIC_FIELDS = ("status", "answer", "topic", "confidence", "citations", "timings", "kind", "sections",
                     "suggestions", "notice", "id")

    def to_dict(self) -> dict:
        return {
            "status": self.status,
            "answer": self.answer,
            "topic": self.topic,
            "confidence": round(float(self.confidence), 4),
            "citations": [asdict(c) for c in self.citations],
            "timings": {k: round(float(v), 3) for k, v in self.timings.items()},
            "kind": self.kind,
            "sections": [s.to_dict() for s in self.sections],
            "suggestions": [s.to_dict() for s in self.suggestions],
            "notice": self.notice,
            "id": self.id,
        }


@dataclass(frozen=True)
class HitTest:
    """What the engine would do with a question, and why (the admin page's hit testing; ``Engine.explain``):
    the route, each retrieval channel's top units with scores, the fused ranking and the not-covered decision
    with the features it read. Nothing is answered or recorded."""

    question: str
    kb_version: str
    mode: str
    route: str  # known (an owner's correction) | smalltalk | overview | question | expert | topical
    route_detail: dict  # the router's reading: topics, expert, aspect, parts; known: topic or refusal
    covered: bool
    confidence: float
    threshold: float
    decider: str  # where the decision's parameters came from
    features: dict[str, float]  # feature -> value
    weights: dict[str, float]  # feature -> weight in the decision (bias under "bias")
    channels: dict[str, list[dict]]  # channel -> [{unit, topic, expert, score}], best first
    fused: list[dict]  # the fused ranking: [{rank, unit, topic, expert, score}]

    def to_dict(self) -> dict:
        return asdict(self)
