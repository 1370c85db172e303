"""The default profile end to end (real e5 model via sentence-transformers): issue acceptance and the quality
bar on the project's held-out test split (eval/test.jsonl, topical and conversation rows). Marked `model`: these
load torch and the model."""
import pytest

from kbqa.settings import REPO_ROOT
from kbqa.text.normalise import is_traditional, normalise

pytestmark = pytest.mark.model


def test_scheduled_tasks_question_is_answered_from_topic_1(real_engine):
    a = real_engine.ask("容器里怎么执行定时任务？")
    assert a.status == "answered" and a.topic == 1
    assert {c.expert for c in a.citations} & {"某银行", "gavin_zhang"}
    assert "crontab" in a.answer or "定时调度" in a.answer


def test_weather_is_not_covered(real_engine):
    assert real_engine.ask("今天北京天气怎么样？").status == "not_covered"


def test_scope_model_refuses_a_near_domain_question_in_the_faqs_words(real_engine):
    """The shipped scope model (eval/calibration.json) is loaded for the default profile, and vetoes a question
    whose every word the retrieval features know but whose subject the FAQ does not discuss."""
    assert real_engine.load().retriever.scope is not None
    r, covered, _ = real_engine.retrieve("Spring Cloud Sleuth 的 traceId 怎么打印到 logback 日志里")
    assert covered and r.features["scope"] < 0, "the decision alone would answer it: the scope model refuses it"
    assert real_engine.ask("Spring Cloud Sleuth 的 traceId 怎么打印到 logback 日志里").status == "not_covered"
    assert real_engine.retrieve("容器里怎么执行定时任务？")[0].features["scope"] >= 0


def test_scope_memory_refuses_a_near_domain_subject_the_dev_sets_hold_in_other_words(real_engine):
    """The shipped memory (eval/calibration.memory.npz) is loaded beside the scope model: a question on a subject
    the dev sets ask about in other words (等保 testing) is refused although the scope model alone would answer it."""
    from kbqa.answer.decide import scope_margin

    q = "我们准备做等保三级测评，容器平台这边需要提前准备哪些东西"
    r, covered, p = real_engine.retrieve(q)
    assert covered and scope_margin(r.features, p) >= 0 and r.features["memory"] > 0
    assert real_engine.ask(q).status == "not_covered"
    assert real_engine.retrieve("容器里怎么执行定时任务？")[0].features["memory"] < 0


def test_a_refused_first_message_the_scope_model_places_far_inside_is_answered(real_engine, monkeypatch):
    """The last resort before "not covered" (respond.second_opinion): a first message the decision refuses, with the
    scope model's margin at least ``RESCUE_SCOPE``, is answered; after a turn it is not rescued."""
    from kbqa.answer import decide

    q = "Our auditors want the log files a running container writes copied onto its host. What are our choices?"
    r, covered, p = real_engine.retrieve(q, whole=True)
    margin = decide.scope_margin(r.features, p)
    assert not covered and 0 < margin < decide.RESCUE_SCOPE and not decide.well_inside(r.features, p)
    monkeypatch.setattr(decide, "RESCUE_SCOPE", margin - 0.01)  # (asked once: answers are cached)
    a = real_engine.ask(q)
    assert a.status == "answered" and a.topic == 1
    history = [{"role": "user", "content": "你好"}, {"role": "assistant", "content": "..."}]
    assert real_engine.ask(q, history=history).status == "not_covered"


def test_traditional_question_is_answered_in_traditional(real_engine):
    a = real_engine.ask("容器裡面怎麼執行定時任務？")
    assert a.status == "answered" and a.topic == 1 and is_traditional(a.answer)


def test_follow_up_retrieves_with_history(real_engine):
    first = "容器云平台怎么整体规划？"
    assert real_engine.ask(first).topic == 7
    a = real_engine.ask("那存储呢？", history=[{"role": "user", "content": first},
                                             {"role": "assistant", "content": "..."}])
    assert a.status == "answered" and a.topic == 7
    assert "存储" in normalise(a.answer)


# The held-out split (eval/test.jsonl, written blind from the FAQ: eval/README.md) must meet issue 3's quality bar
# on its topical rows, and issue 12's bar (each conversation kind >= 0.95) on its conversation rows.
@pytest.fixture(scope="module")
def test_split_rows(real_engine):
    from kbqa.evaluation.dataset import load
    from kbqa.evaluation.runner import run_sets

    rows = run_sets(real_engine, {"test.jsonl": load(REPO_ROOT / "eval" / "test.jsonl")}, ["hybrid"], progress=False)
    return rows["hybrid"]["test.jsonl"]


def test_quality_bar_on_held_out_test_split(test_split_rows):
    from kbqa.evaluation.dataset import is_topical_row
    from kbqa.evaluation.metrics import below_bar, summarise

    topical = [r for r in test_split_rows if is_topical_row(r.item)]
    assert len(topical) >= 100
    m = summarise(topical)
    assert not below_bar(m), below_bar(m)


# Known below the bar (issue 12 open on these): on 2026-12-03 (seventh session) the held-out conversation rows passed
# 124/131; near-domain refusals 17/22, follow-ups 17/18 (by-expert 26/27, overview 15/15, small talk 14/14, by number
# 20/20, two questions in one 15/15). On 2026-12-07 (thirty-ninth session): 127/131, near-domain 21/22, follow-ups 16/18,
# by-expert 26/27. Strict: when every kind reaches the bar this test passes and the xfail must go.
@pytest.mark.xfail(strict=True, reason="conversation kinds below 0.95 on the held-out split (issue 12, see comment)")
def test_each_conversation_kind_meets_the_bar_on_held_out_test_split(test_split_rows):
    from kbqa.evaluation import conversation

    results = [(r.item, r.conv[0]) for r in test_split_rows if r.conv is not None]
    assert len(results) >= 100
    s = conversation.summarise(results)
    assert len(s["by_kind"]) >= 7 and all(m["n"] >= 10 for m in s["by_kind"].values())
    assert not conversation.below_bar(s), conversation.below_bar(s)


def test_the_vector_chatter_model_reads_first_messages_no_cue_or_character_model_knows(real_engine):
    """The shipped chatter_vectors.npz is fitted on the default embedder's vectors and used with it: a request for
    the list and a remark in words the dev files do not hold."""
    from kbqa.conversation import chatter

    assert chatter.load_vectors(real_engine.load().retriever.embedder.identity()["model"]) is not None
    assert real_engine.ask("how big is your question bank, and what does it span?").kind == "overview"
    assert real_engine.ask("上周那场评审会开到半夜，总算熬过去了").kind == "smalltalk"
    assert real_engine.ask("What is the capital of Norway?").status == "not_covered"
