"""Typed values that flow through kbqa. No heavy imports here: adapters import this freely."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

Status = Literal["answered", "not_covered"]


@dataclass(frozen=True)
class Topic:
    """One numbered question of the FAQ."""

    n: int
    title: str
    description: str = ""


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
class Answer:
    """What ask() returns. to_dict() gives exactly the public JSON fields."""

    status: Status
    answer: str  # markdown
    topic: int | None
    confidence: float
    citations: tuple[Citation, ...] = ()
    timings: dict[str, float] = field(default_factory=dict)
    # Not part of the public JSON: ranked units, for evaluation and debugging.
    hits: tuple[Hit, ...] = field(default=(), compare=False, repr=False)

    PUBLIC_FIELDS = ("status", "answer", "topic", "confidence", "citations", "timings")

    def to_dict(self) -> dict:
        return {
            "status": self.status,
            "answer": self.answer,
            "topic": self.topic,
            "confidence": round(float(self.confidence), 4),
            "citations": [asdict(c) for c in self.citations],
            "timings": {k: round(float(v), 3) for k, v in self.timings.items()},
        }
