"""Retrieval in a conversation: a question searched alone, then with the question the conversation is on when it leans
on it ("那存储那块呢"), and refused when its subject is one the FAQ does not discuss (the scope model). The engine
calls it with its loaded state (``Engine.retrieve``); ``topic_of`` is the engine's cached topic of an earlier turn."""
from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Callable

from kbqa.answer.decide import asks_anew, clear_cut, near_known, outside_scope
from kbqa.conversation.history import borrows, content_turn, leans_on, says_nothing, stands_alone, surer, talks_about, user_turns
from kbqa.types import Hit

if TYPE_CHECKING:
    from kbqa.engine import Loaded
    from kbqa.retrieval.retriever import Retrieval
    from kbqa.settings import Settings


def retrieve(state: Loaded, settings: Settings, question: str, history, mode: str,
             topic_of: Callable[[str], int | None], qvec=None, whole: bool = False,
             conversation_on: Callable[[], int | None] | None = None) -> tuple[Retrieval, bool, float]:
    """(retrieval, covered, confidence) of a question; ``qvec``: its e5 vector, when known (``Retriever.search``);
    ``whole``: the user's question itself, which the scope model may also refuse (``decide.outside_scope``);
    ``conversation_on``: the FAQ question the conversation is on, worked out when asked (``stay``); None for a question
    that says it moves on (``history.moves_on``)."""
    retriever, decider = state.retriever, state.deciders[mode]
    r = retriever.search(question, mode, settings.top_k, qvec)
    previous = user_turns(history, settings.max_history_turns)  # the scope memory: of first messages and of
    covered, p = decider.covered(r.features)  # questions that stand alone (its line was set on first messages)
    alone = not previous or stands_alone(question, r.features)
    beyond = whole and (outside_scope(r.features, p, memory=alone) if covered else asks_anew(r.features, p)
                        and not leans_on(question))  # a subject the FAQ does not discuss, even after the turn before
    covered = covered and not beyond  # ("那docker cp拷整个目录的话…")
    aliases = retriever.expand(question)[1] if previous else {}  # the glossary's FAQ words for the question's words
    bare = bool(previous) and says_nothing(question, state.catalog, aliases, r.features)  # "为什么这么说"
    if previous and (not beyond and borrows(question, r.features, covered, bare)
                     or not covered and near_known(r.features, p)):  # alone, but near questions the FAQ answers
        on = content_turn(previous, state.catalog, topic_of)
        r2 = retriever.search(on + " " + question, mode, settings.top_k)
        covered2, p2 = decider.covered(r2.features)
        # covered alone, a follow-up keeps its own answer unless the question the conversation is on
        # talks about it too ("镜像仓库呢" after high availability: the registry's HA, in that question)
        if covered2 and (not covered or bare or leans_on(question) or talks_about(state.catalog, r2, question, r,
                                                                              aliases) or surer(question, p, p2)):
            if not bare and len(r.chunk_lex.scores) and r.chunk_lex.scores.max() > 0:  # its own words choose quotes
                r2.chunk_lex, r2.chunk_dense = r.chunk_lex, r.chunk_dense  # ("那存储那块呢": the storage part)
            r, covered, p = r2, covered2, p2
    if previous and covered and conversation_on is not None:
        r = stay(r, conversation_on)
    return r, covered, p


STAY = 0.7  # a follow-up stays on the question it is on when that question's best hit scores this share of the top one


def stay(r: Retrieval, on: Callable[[], int | None]) -> Retrieval:
    """The retrieval with the hits of the question the conversation is on first, when its best hit is nearly as good as
    the top one of another question ("底下跑在啥上面好，买物理机直接装，还是搭在现有虚机平台上" after the planning question:
    the network question's "裸机还是虚拟机" scores a little higher): a follow-up that does not say it moves on asks about
    the question it is on, unless another answers it clearly better."""
    if not r.hits:
        return r
    topic = on()
    if topic is None or r.hits[0].unit.topic == topic:
        return r
    best = max((h.score for h in r.hits if h.unit.topic == topic), default=0.0)
    if best < STAY * r.hits[0].score:
        return r
    ranked = sorted(r.hits, key=lambda h: h.unit.topic != topic)  # stable: each group keeps its order
    return replace(r, hits=[Hit(h.unit, h.score, i + 1) for i, h in enumerate(ranked)])


def retrieve_whole(retrieve_with: Callable[..., tuple[Retrieval, bool, float]], state: Loaded, parts: tuple[str, ...],
                   threshold: float) -> tuple[Retrieval, bool, float]:
    """Retrieval of a question that was split into parts in vain (no two FAQ questions answer them), by
    ``retrieve_with(qvec)``: first with its e5 vector blended from its parts' (``Retriever.blend``: no second model
    call), kept when that retrieval is clear-cut; else, or without parts, with its own vector."""
    qvec = state.retriever.blend(list(parts)) if parts else None
    if qvec is not None:
        r, covered, p = retrieve_with(qvec)
        if clear_cut(r, covered, p, threshold):
            return r, covered, p
    return retrieve_with(None)
