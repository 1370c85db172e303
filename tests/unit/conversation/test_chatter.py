"""The overview / small-talk second opinion: the shipped model, its gate, its file, its fitting, and where ask()
uses it (a message the FAQ does not cover). Wordings here are not in any eval file."""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from kbqa.conversation import chatter
from kbqa.devtools import chatter as fitter


@pytest.fixture(scope="module")
def model() -> chatter.Chatter:
    m = chatter.load()
    assert m is not None, "kbqa/conversation/data/chatter.npz ships with the package"
    return m


def test_features_are_stable_and_normalised():
    a, b = chatter.features("你好，第一次用"), chatter.features("你好，第一次用")
    assert a == b and a and abs(sum(v * v for v in a.values()) - 1.0) < 1e-9
    assert chatter.features("") == {} and chatter.features("   ") == {}


@pytest.mark.parametrize("text, kind", [
    ("能不能先把你这里收的题目全列给我看看，我好挑", "overview"),
    ("Before asking anything: what sort of matters can you help me with here?", "overview"),
    ("嗨嗨，头一回用你，有点小激动", "smalltalk"),
    ("你平时谁在背后维护啊，是真人吗", "smalltalk"),
])
def test_unseen_wordings_of_the_list_or_small_talk_are_recognised(model, text, kind):
    assert model.kind(text) == kind


@pytest.mark.parametrize("text", [
    "What is the capital of Norway?",  # "what is the …" is not a request for the list
    "高考一般考哪些科目",  # a list of something else, not said to the bot
    "容器云的高可用怎么做",  # a topical question
    "calico 的 BGP 路由反射器怎么配",  # a near-domain one
    "",
])
def test_other_messages_get_no_second_opinion(model, text):
    assert model.kind(text) is None


def test_the_gate_needs_words_to_the_bot_or_of_the_questions_unless_the_model_is_surer_still(model, monkeypatch):
    """Below chatter.UNGATED a message must speak to the bot, name the FAQ's questions or hold a small-talk cue;
    at or above it, not (unanswered messages only)."""
    probs = {"overview": 0.7, "smalltalk": 0.2, "other": 0.1}
    monkeypatch.setattr(chatter.Chatter, "probabilities", lambda self, text: probs)
    assert model.kind("按顺序排一下") is None  # sure, but says nothing of the bot or the questions
    assert model.kind("把题目按顺序排一下") == "overview"  # names the questions
    assert model.kind("你按顺序排一下") == "overview"  # speaks to the bot
    assert model.kind("这十道题按顺序排一下") == "overview" and model.kind("能问的都排一下") == "overview"
    probs.update(overview=0.9, other=0.0, smalltalk=0.1)
    assert model.kind("按顺序排一下") == "overview"
    assert model.kind("按顺序排一下", answered=True) is None  # an answer is replaced only at 0.85 and with the gate


def test_a_missing_or_corrupt_model_file_means_no_second_opinion(tmp_path):
    assert chatter.load(tmp_path / "absent.npz") is None
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a zip file")
    assert chatter.load(bad) is None


def test_fit_learns_the_three_classes_and_saves_a_loadable_model(tmp_path):
    rows = ([{"question": q, "expect_kind": "overview", "kind": "overview"} for q in
             ("有哪些问题", "列出所有题目", "what can you answer", "题目清单给我")] +
            [{"question": q, "expect_kind": "smalltalk"} for q in ("你好", "谢谢你", "hello there", "再见啦")] +
            [{"question": q, "topic": 1} for q in ("容器里怎么跑定时任务", "网络方案怎么选", "how to do HA", "存储怎么选")])
    m = fitter.fit(rows)
    assert set(m.classes) == {"overview", "smalltalk", "other"}
    path = tmp_path / "m.npz"
    m.save(path)
    loaded = chatter.load(path)
    assert loaded.classes == m.classes
    p = loaded.probabilities("你好呀")
    assert max(p, key=p.get) == "smalltalk" and abs(sum(p.values()) - 1) < 1e-9


def test_the_fitter_refuses_the_test_split(tmp_path, capsys):
    from argparse import Namespace

    rc = fitter.run(Namespace(dev=[str(Path("eval") / "test.jsonl")], out=str(tmp_path / "m.npz")))
    assert rc == 2 and "test split" in capsys.readouterr().err
    assert not (tmp_path / "m.npz").exists()


def test_by_default_the_fitter_reads_every_dev_file_but_the_unseen_batches(tmp_path, monkeypatch):
    from argparse import Namespace

    seen = []
    empty = np.zeros(0)

    def fit(rows):  # the rows it would be fitted on, nothing fitted
        seen.extend(rows)
        return fitter.Chatter(("other",), empty, empty, empty)

    vector_rows = []

    def fit_vectors(rows, embedder):
        vector_rows.extend(rows)
        return fitter.VectorChatter("m", ("other",), np.zeros((1, 1)), np.zeros(1))

    monkeypatch.setattr(fitter, "fit", fit)
    monkeypatch.setattr(fitter, "fit_vectors", fit_vectors)
    monkeypatch.setattr(fitter, "default_embedder", lambda: None)
    monkeypatch.setattr(fitter.Chatter, "save", lambda self, path: None)
    monkeypatch.setattr(fitter.VectorChatter, "save", lambda self, path: None)
    assert fitter.run(Namespace(dev=None, out=str(tmp_path / "m.npz"), vectors_out=str(tmp_path / "v.npz"))) == 0
    ids = {r.get("id", "") for r in seen}
    assert any(i.startswith("dev-conv20-") for i in ids) and any(i.startswith("own-dev-") for i in ids)
    assert not any(i.startswith(("dev-conv21-", "dev-conv22-", "dev-conv23-", "blind-test-")) for i in ids)
    ids = {r.get("id", "") for r in vector_rows}  # the vector model reads the blind batches too, never the test split
    assert any(i.startswith(("dev-conv20-", "dev-conv21-", "dev-conv22-")) for i in ids) and len(ids) > len(seen) // 2
    assert not any(i.startswith("blind-test-") or i.startswith("test-") for i in ids)
    assert not any(i.startswith(f"dev-conv{fitter.LAST_VECTOR_FIT + 1}-") for i in ids)  # written after it: they measure it


def test_the_generic_negatives_are_other_rows():
    rows = fitter.negatives()
    assert len(rows) > 50 and all(fitter.label(r) == "other" and r["weight"] > 1 for r in rows)


def test_ask_replaces_not_covered_with_the_second_opinion_and_the_setting_turns_it_off(fake_engine):
    off = fake_engine.with_state(fake_engine.load())
    off.settings = replace(off.settings, chatter=False)
    for q, kind in [("Before asking anything: what sort of matters can you help me with here?", "overview"),
                    ("你平时谁在背后维护啊", "smalltalk")]:  # no cue knows these wordings
        assert off.ask(q, mode="lexical").kind == "not_covered"
        a = fake_engine.ask(q, mode="lexical")
        assert a.kind == kind and a.status == "answered" and a.suggestions
        json.dumps(a.to_dict(), ensure_ascii=False)
    assert fake_engine.ask("What is the capital of Norway?", mode="lexical").status == "not_covered"


def test_an_answer_is_replaced_only_by_a_sure_overview_that_names_nothing_of_the_faq(fake_engine):
    from kbqa.answer.respond import Responder
    from kbqa.conversation.routing import Intent

    state = fake_engine.load()
    respond = Responder(state, fake_engine.settings, "lexical", lambda q, h, m: fake_engine.retrieve(q, h, m, state),
                        lambda q, m=None: None)
    answered = fake_engine.ask("容器里怎么执行定时任务？", mode="lexical")
    assert answered.kind == "answer"
    intent = Intent("topical", "zh")
    assert respond.second_opinion(intent, "这个bot能干点啥，我该问它哪类问题", answered).kind == "overview"
    # the model's small talk never replaces one (a greeting that asks nothing does: a remark, below)
    assert respond.second_opinion(intent, "你好你好，很高兴认识你，容器网络怎么选", answered) is answered
    content = "这个bot能干点啥，我该问它哪类问题，比如网络选型"  # the model says overview, but it names the FAQ's content
    assert chatter.load().kind(content, answered=True) == "overview"
    assert respond.second_opinion(intent, content, answered) is answered


@pytest.mark.parametrize("text, kind", [
    ("午安，风控平台组前来报到", "greet"),  # a greeting that asks nothing
    ("谢谢，评审材料那段总算补完了", "thanks"),  # thanks, then the FAQ's words in a clause of their own
    ("你这界面配色挺特别", "ack"),  # speaks to the bot, no cue, asks nothing
    ("hi there, platform team checking in", "greet"),
    ("多谢，周报终于能往下写了", "thanks"),  # 写 here asks for nothing
])
def test_a_refused_remark_that_asks_nothing_is_small_talk(fake_engine, text, kind):
    from kbqa.conversation.intent import remark

    assert remark(text, fake_engine.load().catalog) == kind


@pytest.mark.parametrize("text", [
    "你好，这个小助手能导出PDF吗",  # asks (吗)
    "这个助手会不会记录我的问题",  # asks (X不X)
    "你给我推荐一个监控方案",  # a request
    "Podman",  # a bare subject is a query
    "pod 的 CPU limit 一直被限流，接口 P99 抖得厉害",  # praise word closing a problem report: a question
    "星座运势",
    "谢谢，再帮我写一份周报",  # a request to write
])
def test_questions_requests_and_bare_subjects_are_not_remarks(fake_engine, text):
    from kbqa.conversation.intent import remark

    assert remark(text, fake_engine.load().catalog) is None


def test_ask_answers_a_refused_remark_with_small_talk_even_without_the_model(fake_engine):
    off = fake_engine.with_state(fake_engine.load())
    off.settings = replace(off.settings, chatter=False)
    a = off.ask("午安，风控平台组前来报到", mode="lexical")
    assert a.kind == "smalltalk" and a.status == "answered" and a.suggestions
    assert off.ask("星座运势", mode="lexical").kind == "not_covered"



def _vector_rows():
    rows = [{"question": q, "expect_kind": "overview", "kind": "overview"} for q in
            ("你这里都有哪些问题", "list every question you have", "目录发我看看", "what topics do you cover")]
    rows += [{"question": q, "expect_kind": "smalltalk"} for q in ("你好呀", "thanks a lot", "再见啦", "good morning")]
    rows += [{"question": q, "expect_kind": "answer"} for q in ("容器网络怎么选", "how to do canary releases",
                                                                "etcd 怎么备份", "日志怎么收集")]
    return rows


def test_the_vector_model_is_read_only_with_the_embedder_it_was_fitted_on(tmp_path):
    from kbqa.models.embedders import FakeEmbedder

    emb = FakeEmbedder()
    m = fitter.fit_vectors(_vector_rows(), emb)
    assert m.model == "hash-ngrams" and set(m.classes) == {"overview", "smalltalk", "other"}
    path = tmp_path / "v.npz"
    m.save(path)
    chatter.load_vectors.cache_clear()
    loaded = chatter.load_vectors("hash-ngrams", path)
    assert loaded is not None and loaded.weights.shape == (emb.dim, 3)
    v = emb.embed_queries(["你这里都有哪些问题"])[0]
    assert max(loaded.probabilities(v).items(), key=lambda kv: kv[1])[0] == "overview"
    assert chatter.load_vectors("intfloat/other-model", path) is None  # another embedder's vectors
    assert chatter.load_vectors("hash-ngrams", tmp_path / "missing.npz") is None
    (tmp_path / "bad.npz").write_bytes(b"not a zip")
    assert chatter.load_vectors("hash-ngrams", tmp_path / "bad.npz") is None
    chatter.load_vectors.cache_clear()


def test_the_vector_model_reads_nothing_from_vectors_of_another_size_or_a_message_without_words(monkeypatch):
    m = chatter.VectorChatter("x", ("other", "overview", "smalltalk"), np.zeros((4, 3)), np.array([0.0, 0.0, 5.0]))
    assert m.kind("你好呀朋友", np.zeros(4)) == "smalltalk"  # sure, and speaks to the bot
    assert m.kind("你好呀朋友", np.zeros(5)) is None
    assert m.kind("🐳🐳🚀🔥", np.zeros(4)) is None


def test_ask_reads_the_vector_model_when_the_character_model_has_no_opinion(fake_engine, tmp_path, monkeypatch):
    q = "how large is the bank of entries you hold?"  # neither a cue nor the character model reads it
    assert fake_engine.ask(q, mode="lexical").kind == "not_covered"
    m = fitter.fit_vectors(_vector_rows(), fake_engine.load().retriever.embedder)
    m.save(tmp_path / "v.npz")
    monkeypatch.setattr(chatter, "VECTOR_MODEL", tmp_path / "v.npz")
    monkeypatch.setattr(chatter.VectorChatter, "probabilities",
                        lambda self, v: {"overview": 0.8, "smalltalk": 0.1, "other": 0.1})  # sure, below UNGATED
    chatter.load_vectors.cache_clear()
    chatter.vectors_for.cache_clear()
    engine, off = fake_engine.with_state(fake_engine.load()), fake_engine.with_state(fake_engine.load())
    off.settings = replace(off.settings, chatter=False)
    try:
        assert off.ask(q, mode="lexical").kind == "not_covered"
        assert engine.ask(q, mode="lexical").kind == "overview"
        assert engine.ask("What is the capital of Norway?", mode="lexical").kind == "not_covered"  # the gate
    finally:
        chatter.load_vectors.cache_clear()
        chatter.vectors_for.cache_clear()


@pytest.mark.parametrize("text, kind", [
    ("嗯嗯 懂了 先去盯发布了", "ack"),  # an "ok" opening, the FAQ's words after it
    ("回去把监控方案补完，多谢", "thanks"),  # thanks closing
])
def test_a_remark_may_open_with_an_ok_or_close_with_thanks(fake_engine, text, kind):
    from kbqa.conversation.intent import remark

    assert remark(text, fake_engine.load().catalog) == kind


@pytest.mark.parametrize("text", [
    "好，那 maxSurge 给 2 还是 25%",  # asks (还是)
    "OK 存储方面专家给的建议是啥",  # asks (啥), whatever cue holds it
    "监控上一直被限流，接口抖得厉害",  # praise closing a report is no thanks
])
def test_an_ok_or_praise_around_a_question_is_no_remark(fake_engine, text):
    from kbqa.conversation.intent import remark

    assert remark(text, fake_engine.load().catalog) is None


def test_a_remark_retrieval_answered_gets_small_talk_but_only_with_a_cue(fake_engine):
    from kbqa.answer.respond import Responder
    from kbqa.conversation.routing import Intent

    state = fake_engine.load()
    respond = Responder(state, fake_engine.settings, "lexical", lambda q, h, m: fake_engine.retrieve(q, h, m, state),
                        lambda q, m=None: None)
    answered = fake_engine.ask("容器里怎么执行定时任务？", mode="lexical")
    intent = Intent("topical", "zh")
    assert respond.second_opinion(intent, "嗯嗯 懂了 定时任务那块我去改了，多谢", answered).kind == "smalltalk"
    assert respond.second_opinion(intent, "容器里的定时任务我们还在用 crontab", answered) is answered  # no cue: a statement
