"""What to ask next: up to three questions under every reply, each with the FAQ question it leads to.

They come from the FAQ and from retrieval, never from a model: the next-closest questions, the other
experts of the question just answered, the next question by number, starter questions. Their texts are
phrased so that asking them routes deterministically ("问题8：…", "gavin_zhang 对问题9怎么说？").
"""
from __future__ import annotations

from kbqa.answer.replies import frame, short_title
from kbqa.conversation.catalog import Catalog
from kbqa.types import Hit, Suggestion

LIMIT = 3
TIE = 0.9  # a second question scoring this close to the first is offered first ("did you mean…")


def _question(catalog: Catalog, lang: str, n: int) -> Suggestion:
    return Suggestion(frame(lang, "ask_question", n=n, title=short_title(catalog.topics[n].title)), n)


def _expert(lang: str, handle: str, n: int) -> Suggestion:
    return Suggestion(frame(lang, "ask_expert", handle=handle, n=n), n)


def ranked_topics(hits) -> list[tuple[int, float]]:
    best: dict[int, float] = {}
    for h in hits:
        best.setdefault(h.unit.topic, h.score)
    return sorted(best.items(), key=lambda x: -x[1])


def unique(items: list[Suggestion], limit: int = LIMIT) -> tuple[Suggestion, ...]:
    out: dict[str, Suggestion] = {}
    for s in items:
        out.setdefault(s.text, s)
    return tuple(out.values())[:limit]


def after_answer(catalog: Catalog, lang: str, topics: list[int], cited: set[tuple[int, str]],
                 hits: tuple[Hit, ...] | list[Hit]) -> tuple[Suggestion, ...]:
    """After a retrieval answer on ``topics``: a close runner-up first when it nearly tied, then the
    experts of the answered question not quoted, then the next-closest questions."""
    ranked = [(t, s) for t, s in ranked_topics(hits) if s > 0]
    others = [t for t, _ in ranked if t not in topics]
    out: list[Suggestion] = []
    if ranked and others and len(ranked) > 1 and ranked[1][0] in others and ranked[1][1] >= TIE * ranked[0][1]:
        out.append(_question(catalog, lang, ranked[1][0]))
    for t in topics:
        out += [_expert(lang, u.expert, t) for u in catalog.answers.get(t, []) if (t, u.expert) not in cited]
    out += [_question(catalog, lang, t) for t in others]
    return unique(out)


def after_question(catalog: Catalog, lang: str, shown: tuple[int, ...]) -> tuple[Suggestion, ...]:
    nums = catalog.numbers
    last = nums.index(shown[-1]) if shown and shown[-1] in nums else -1
    following = [nums[(last + k) % len(nums)] for k in range(1, len(nums))]
    return unique([_question(catalog, lang, n) for n in following if n not in shown])


def after_expert(catalog: Catalog, lang: str, handle: str, shown: tuple[int, ...]) -> tuple[Suggestion, ...]:
    e = catalog.experts[handle]
    out = [_expert(lang, handle, n) for n in e.topics if n not in shown]
    for n in shown:
        out += [_expert(lang, u.expert, n) for u in catalog.answers[n] if u.expert != handle]
    if not shown:
        out = [Suggestion(frame(lang, "ask_views", handle=handle), e.topics[0] if len(e.topics) == 1 else None)] + out
    return unique(out)


def starters(examples: list[tuple[str, int | None]]) -> tuple[Suggestion, ...]:
    return unique([Suggestion(text, topic) for text, topic in examples])


def nearest(catalog: Catalog, lang: str, hits) -> tuple[Suggestion, ...]:
    """For a refusal: the closest FAQ questions, offered as questions to ask, never as the answer."""
    return unique([_question(catalog, lang, t) for t, s in ranked_topics(hits) if s > 0], 2)
