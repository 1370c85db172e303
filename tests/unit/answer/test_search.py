"""A follow-up stays on the question the conversation is on when that question's best hit is nearly as good as the top
one (kbqa.answer.search.stay), unless it says it moves on (kbqa.conversation.history.moves_on)."""
from __future__ import annotations

import pytest

from kbqa.answer.search import STAY, stay
from kbqa.conversation.history import moves_on
from kbqa.retrieval.retriever import NO_CHUNKS, Retrieval
from kbqa.types import Hit, Unit


def _retrieval(*scored: tuple[int, float]) -> Retrieval:
    hits = [Hit(Unit(f"t{t}/e{i}", "answer", t, f"question {t}", "text", f"e{i}"), s, i + 1) for i, (t, s) in enumerate(scored)]
    return Retrieval("q", hits, {}, NO_CHUNKS)


def test_the_question_it_is_on_goes_first_when_nearly_as_good():
    r = stay(_retrieval((4, 1.0), (4, 0.9), (7, STAY + 0.05)), lambda: 7)
    assert [h.unit.topic for h in r.hits] == [7, 4, 4] and [h.rank for h in r.hits] == [1, 2, 3]


@pytest.mark.parametrize("on, scored", [
    (7, [(4, 1.0), (7, STAY - 0.05)]),  # another question answers it clearly better
    (7, [(4, 1.0), (5, 0.95)]),  # the question it is on is not among the hits
    (None, [(4, 1.0), (7, 0.95)]),  # no question it is on
    (4, [(4, 1.0), (7, 0.95)]),  # already first
])
def test_otherwise_the_ranking_is_kept(on, scored):
    r = _retrieval(*scored)
    assert [h.unit.topic for h in stay(r, lambda: on).hits] == [t for t, _ in scored]


@pytest.mark.parametrize("question, moves", [
    ("换个话题，东西向安全怎么做", True), ("另外 pod 之间怎么隔离", True), ("回到多安全域那题", True),
    ("by the way, what about storage?", True), ("那节点用物理机还是虚机好", False),
    ("底下跑在啥上面好，买物理机直接装，还是搭在现有虚机平台上", False), ("does that hold for big clusters too", False),
])
def test_a_follow_up_that_says_it_moves_on(question, moves):
    assert moves_on(question) is moves
