"""The metric formulas, on hand-built Answers (no engine)."""
from __future__ import annotations

import pytest

from kbqa.evaluation.metrics import (QUALITY_BAR, RATES, Row, below_bar, breakdown, citation_hit,
                                     citation_precision, expert_recall, keyword_coverage, percentile, score,
                                     summarise, topic_rank)
from kbqa.types import Answer, Citation, Hit, Unit


def unit(topic: int, expert: str = "") -> Unit:
    return Unit(id=f"t{topic}/{expert}" if expert else f"t{topic}", kind="answer" if expert else "question",
                topic=topic, topic_title=f"topic {topic}", text="...", expert=expert)


def hits(*specs) -> tuple[Hit, ...]:
    """specs: (topic, expert) pairs in rank order."""
    return tuple(Hit(unit=unit(t, e), score=1.0 - 0.1 * i, rank=i + 1) for i, (t, e) in enumerate(specs))


def cite(topic: int, expert: str = "") -> Citation:
    return Citation(n=1, topic=topic, topic_title="", expert=expert, expert_title="", quote="", score=0.0, text="")


def answer(status="answered", text="", topic=None, citations=(), hit_specs=()) -> Answer:
    return Answer(status=status, answer=text, topic=topic, confidence=0.5, citations=tuple(citations),
                  hits=hits(*hit_specs))


def item(topic=4, experts=(), must=(), lang="zh-Hans", kind="fact", id="q") -> dict:
    return {"id": id, "question": "?", "topic": topic, "experts": list(experts), "must_mention": list(must),
            "lang": lang, "kind": kind}


REFUSED = answer(status="not_covered", text="抱歉 ... 1. 企业是应该选择原生的Docker", hit_specs=[(4, "a")])


def test_quality_bar_is_the_issue_bar():
    assert QUALITY_BAR == {"topic_hit@1": (">=", 0.95), "expert_recall@5": (">=", 0.90),
                           "citation_hit": (">=", 0.95), "ood_accuracy": (">=", 0.90),
                           "false_refusal_rate": ("<=", 0.05)}


def test_topic_rank_counts_distinct_topics_not_units():
    a = answer(hit_specs=[(3, "x"), (3, "y"), (3, "z"), (4, "a"), (1, "b")])
    assert topic_rank(item(topic=4), a) == 2  # unit rank 4, topic rank 2
    assert topic_rank(item(topic=1), a) == 3
    assert topic_rank(item(topic=9), a) == 0
    assert topic_rank(item(topic=None), a) is None


def test_mrr_and_hits_at_k():
    a_rank2 = answer(hit_specs=[(3, "x"), (4, "a")])
    s = summarise([(item(topic=4), a_rank2)])
    assert s["topic_mrr"] == 0.5 and s["topic_hit@1"] == 0.0 and s["topic_hit@3"] == 1.0
    a_rank4 = answer(hit_specs=[(1, "x"), (2, ""), (3, "y"), (4, "a")])
    a_absent = answer(hit_specs=[(1, "x")])
    s = summarise([(item(topic=4), answer(hit_specs=[(4, "a")])), (item(topic=4), a_rank2),
                   (item(topic=4), a_rank4), (item(topic=4), a_absent)])
    assert s["topic_hit@1"] == 0.25 and s["topic_hit@3"] == 0.5
    assert s["topic_mrr"] == pytest.approx((1 + 0.5 + 0.25 + 0) / 4, abs=1e-4)


def test_topic_rank_uses_retrieval_even_when_refused():
    assert score(item(topic=4), REFUSED)["topic_rank"] == 1


def test_expert_recall_one_of_two_in_top5():
    a = answer(hit_specs=[(4, "a"), (3, "b"), (4, "c"), (4, "d"), (4, "e"), (4, "b")])  # (4, b) is 6th
    r, missing = expert_recall(item(topic=4, experts=["a", "b"]), a)
    assert r == 0.5 and missing == ["b"]


def test_expert_recall_needs_the_gold_topic_and_skips_unlabelled():
    a = answer(hit_specs=[(3, "a"), (4, "b")])
    assert expert_recall(item(topic=4, experts=["a", "b"]), a)[0] == 0.5  # (3, a) is another answer
    s = summarise([(item(topic=4, experts=["a", "b"]), a), (item(topic=4, experts=[]), a),
                   (item(topic=None), a)])
    assert s["expert_recall@5"] == 0.5 and s["n_with_experts"] == 1


def test_expert_recall_handles_match_across_scripts():
    a = answer(hit_specs=[(1, "某銀行"), (1, "Gavin_Zhang")])
    assert expert_recall(item(topic=1, experts=["某银行", "gavin_zhang"]), a)[0] == 1.0


def test_expert_recall_is_a_mean_over_questions():
    a = answer(hit_specs=[(4, "a")])
    s = summarise([(item(topic=4, experts=["a"]), a), (item(topic=4, experts=["a", "b", "c", "d"]), a)])
    assert s["expert_recall@5"] == pytest.approx((1 + 0.25) / 2)


def test_citation_hit_wants_a_labelled_expert_of_the_gold_topic():
    it = item(topic=4, experts=["a"])
    assert citation_hit(it, answer(citations=[cite(4, "b"), cite(4, "a")])) is True
    assert citation_hit(it, answer(citations=[cite(4, "b")])) is False  # right topic, wrong expert
    assert citation_hit(it, answer(citations=[cite(3, "a")])) is False  # right handle, wrong topic
    assert citation_hit(it, answer(citations=[])) is False


def test_citation_hit_without_experts_accepts_any_unit_of_the_topic():
    it = item(topic=2, experts=[])
    assert citation_hit(it, answer(citations=[cite(2)])) is True
    assert citation_hit(it, answer(citations=[cite(3, "x")])) is False


def test_refusal_of_an_in_scope_question_is_a_citation_miss():
    rows = [(item(topic=4, experts=["a"]), answer(citations=[cite(4, "a")])),
            (item(topic=4, experts=["a"]), REFUSED), (item(topic=None), REFUSED)]
    assert summarise(rows)["citation_hit"] == 0.5


def test_citation_precision_over_answered_in_scope_questions():
    it = item(topic=4, experts=["a"])
    assert citation_precision(it, answer(citations=[cite(4, "a"), cite(3, "b")])) == 0.5
    assert citation_precision(it, answer(citations=[])) == 0.0
    assert citation_precision(it, REFUSED) is None
    rows = [(it, answer(citations=[cite(4, "a"), cite(3, "b")])), (it, REFUSED),
            (item(topic=None), answer(citations=[cite(3, "b")]))]
    assert summarise(rows)["citation_precision"] == 0.5  # refusal and OOD not in the denominator


def test_keyword_coverage_alternatives_case_and_traditional_text():
    it = item(topic=1, must=["docker exec", "挂载|docker cp", "发布", "灰度"])
    text = "用 Docker CP 拷貝；或者掛載目錄。灰度發佈。"  # Traditional answer text, mixed case
    cov, missing = keyword_coverage(it, answer(text=text))
    assert cov == 0.75 and missing == ["docker exec"]
    assert keyword_coverage(it, answer(text="ＤＯＣＫＥＲ ＥＸＥＣ 挂载 发布 灰度"))[0] == 1.0  # full-width


def test_keyword_coverage_refusal_covers_nothing_and_unlabelled_is_skipped():
    it = item(topic=1, must=["Docker"])  # the refusal's topic menu mentions Docker: still a miss
    assert keyword_coverage(it, REFUSED) == (0.0, ["Docker"])
    assert keyword_coverage(item(topic=1, must=[]), answer(text="x"))[0] is None
    s = summarise([(it, answer(text="docker")), (it, REFUSED), (item(topic=1, must=[]), answer(text=""))])
    assert s["keyword_coverage"] == 0.5 and s["n_with_must_mention"] == 2


def test_ood_accuracy_and_false_refusal_rate():
    ood, ins = item(topic=None), item(topic=4)
    rows = [(ood, REFUSED), (ood, answer(topic=4, citations=[cite(4, "a")])), (ood, REFUSED), (ood, REFUSED),
            (ins, REFUSED), (ins, answer(hit_specs=[(4, "a")]))]
    s = summarise(rows)
    assert s["ood_accuracy"] == 0.75
    assert s["false_refusal_rate"] == 0.5
    assert (s["n"], s["n_in_scope"], s["n_ood"]) == (6, 2, 4)


def test_nothing_to_count_is_none_and_everything_else_in_unit_interval():
    s = summarise([(item(topic=None), REFUSED)])
    assert s["topic_hit@1"] is None and s["false_refusal_rate"] is None and s["ood_accuracy"] == 1.0
    s = summarise([(item(topic=4, experts=["a"], must=["x"]), answer(text="x", citations=[cite(4, "a")],
                                                                    hit_specs=[(4, "a")])),
                   (item(topic=None), REFUSED)])
    assert all(0.0 <= s[k] <= 1.0 for k in RATES)


def test_latency_percentiles_and_invalid_count():
    assert percentile([10, 20, 30, 40], 50) == 25
    assert percentile([10, 20, 30, 40], 95) == pytest.approx(38.5)
    assert percentile([], 50) is None
    rows = [Row(item(topic=None), REFUSED, latency_ms=float(ms)) for ms in range(1, 101)]
    rows[0].error = "question is empty"
    s = summarise(rows)
    assert s["latency_p50_ms"] == 50.5 and s["latency_p95_ms"] == pytest.approx(95.05) and s["n_invalid"] == 1


def test_breakdown_groups_by_field():
    rows = [(item(topic=None, lang="en", kind="ood"), REFUSED),
            (item(topic=4, lang="zh-Hant", kind="script"), answer(hit_specs=[(4, "a")])),
            (item(topic=4, lang="en", kind="cross-lingual"), answer(hit_specs=[(3, "a"), (4, "b")]))]
    by_lang = breakdown(rows, "lang")
    assert list(by_lang) == ["en", "zh-Hant"]
    assert by_lang["en"]["n"] == 2 and by_lang["en"]["topic_hit@1"] == 0.0 and by_lang["en"]["ood_accuracy"] == 1.0
    assert by_lang["zh-Hant"]["topic_hit@1"] == 1.0 and by_lang["zh-Hant"]["ood_accuracy"] is None


def test_below_bar_is_inclusive_and_skips_none():
    ok = {"topic_hit@1": 0.95, "expert_recall@5": 0.9, "citation_hit": 0.95, "ood_accuracy": 0.9,
          "false_refusal_rate": 0.05}
    assert below_bar(ok) == []
    assert below_bar({**ok, "topic_hit@1": 0.9499, "false_refusal_rate": 0.06}) == [
        "topic_hit@1 0.9499 < 0.95", "false_refusal_rate 0.06 > 0.05"]
    assert below_bar({**ok, "ood_accuracy": None}) == []


def test_score_reasons_name_what_failed():
    s = score(item(topic=4, experts=["a", "b"], must=["kong"]),
              answer(text="istio", topic=3, citations=[cite(3, "x")], hit_specs=[(3, "x"), (4, "a")]))
    text = " | ".join(s["reasons"])
    assert "ranked 2" in text and "missing: b" in text and "no labelled expert cited" in text
    assert "must_mention missing: kong" in text
    assert score(item(topic=None), answer(topic=4))["reasons"] == ["out of scope but answered (topic 4)"]
    assert score(item(topic=None), REFUSED)["reasons"] == []
