"""What the index stores per unit: chunks. Each unit is searchable as a whole and sentence by sentence, so a
single fact in a long answer can match; a chunk keeps the position of its unit. Changing how chunks are made
changes every index: bump ``CHUNKING`` (part of the index key and manifest) when it does."""
from __future__ import annotations

from dataclasses import dataclass

from kbqa.text.normalise import normalise, sentences, words
from kbqa.types import Unit

CHUNKING = "v2b-whole+sentences+title+last-ask"


@dataclass(frozen=True)
class Chunk:
    unit: int  # position of the unit in the units tuple
    text: str


def make_chunks(units: tuple[Unit, ...]) -> list[Chunk]:
    """A question unit: its title alone, and its last sentence alone when the title asks several things (the last
    ask of a long title is otherwise drowned by the rest: "failover between clusters" found question 4, whose
    answers say 集群 often, before question 10, whose title ends on it); then (when it has a description) title +
    description and each sentence of the description, then each of its other phrasings (``Unit.similar``). An
    answer unit: the whole answer, then each sentence when there are several."""
    chunks: list[Chunk] = []
    for i, u in enumerate(units):
        if u.kind == "question":
            title, _, desc = u.text.partition("\n")
            chunks.append(Chunk(i, title))
            asks = _merge_short(sentences(title))
            if len(asks) > 1:  # "…故障隔离?应用如何在多个集群之间实现故障转移?": the last ask alone too
                chunks.append(Chunk(i, asks[-1]))
            if desc.strip():
                chunks.append(Chunk(i, u.text))
                chunks.extend(Chunk(i, s) for s in _merge_short(sentences(desc)))
            chunks.extend(Chunk(i, q) for q in u.similar)  # other ways to ask it (none: the chunks are as before)
        else:
            chunks.append(Chunk(i, u.text))
            parts = _merge_short(sentences(u.text))
            if len(parts) > 1:
                chunks.extend(Chunk(i, s) for s in parts)
    return chunks


def _merge_short(parts: list[str], min_chars: int = 12) -> list[str]:
    """Sentences shorter than ``min_chars`` joined to the next one: a fragment alone matches too much."""
    out: list[str] = []
    for p in parts:
        if out and len(out[-1]) < min_chars:
            out[-1] = out[-1] + p
        else:
            out.append(p)
    return out


def dense_text(text: str) -> str:
    """What the dense model sees: normalised script and width, original case."""
    return normalise(text, lower=False)


def vocabulary(units: tuple[Unit, ...]) -> list[str]:
    """The FAQ's words (two characters or more), sorted: what the cross-lingual model embeds one by one so
    that a question's unknown words can be compared with everything the FAQ talks about."""
    return sorted({w for u in units for w in words(unit_words(u)) if len(w) >= 2})


def unit_words(u: Unit) -> str:
    """The text whose words a unit contributes to the FAQ's vocabulary: title, text and other phrasings."""
    return "\n".join((u.topic_title, u.text, *u.similar))
