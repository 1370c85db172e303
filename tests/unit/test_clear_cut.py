"""When a question split in vain keeps the retrieval made with its blended vector (kbqa.answer.decide.clear_cut)."""
from __future__ import annotations

from types import SimpleNamespace

from kbqa.answer.decide import BLEND_P_MARGIN, BLEND_TOPIC_LEAD, clear_cut


def _retrieval(*topic_scores):
    hits = [SimpleNamespace(unit=SimpleNamespace(topic=t), score=s) for t, s in topic_scores]
    return SimpleNamespace(hits=hits)


def test_a_decision_near_its_threshold_is_not_clear_cut_either_way():
    r = _retrieval((4, 3.0), (7, 1.0))
    assert not clear_cut(r, True, 0.5 + BLEND_P_MARGIN / 2, 0.5)
    assert not clear_cut(r, False, 0.5 - BLEND_P_MARGIN / 2, 0.5)
    assert clear_cut(r, True, 0.5 + 2 * BLEND_P_MARGIN, 0.5)


def test_a_covered_question_needs_its_first_faq_question_well_ahead_of_the_next_one():
    close = _retrieval((4, 3.0), (4, 2.9), (7, 3.0 - BLEND_TOPIC_LEAD / 2))
    ahead = _retrieval((4, 3.0), (4, 2.9), (7, 3.0 - 2 * BLEND_TOPIC_LEAD))
    assert not clear_cut(close, True, 0.95, 0.3)
    assert clear_cut(ahead, True, 0.95, 0.3)
    assert clear_cut(_retrieval((4, 3.0), (4, 2.0)), True, 0.95, 0.3)  # one FAQ question only


def test_a_clear_refusal_needs_no_lead():
    assert clear_cut(_retrieval((4, 3.0), (7, 3.0)), False, 0.01, 0.3)


def test_a_question_split_in_vain_is_retrieved_with_its_blended_vector_only_when_clear_cut(fake_engine,
                                                                                          monkeypatch):
    from kbqa.answer import search
    from kbqa.index.chunks import dense_text

    state = fake_engine.load()
    parts = ("容器里能跑定时任务吗", "还能用crontab吗")
    question = "，".join(parts)
    embedder = state.retriever.embedder
    for keep in (True, False):
        fake_engine.clear_caches()
        embedder.embed_queries([dense_text(p) for p in parts])  # multi() retrieved the parts
        monkeypatch.setattr(search, "clear_cut", lambda *a, keep=keep: keep)
        r, _, _ = fake_engine._retrieve_whole(question, parts, None, None, state)
        exact = embedder.cached_query(dense_text(question))
        assert (exact is None) == keep  # kept: no model call for the whole question; else its own vector
        assert r.hits
