"""When a short follow-up leans on the question before it: ``talks_about`` over the real corpus/faq.json."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from kbqa.conversation.catalog import Catalog
from kbqa.conversation.history import may_borrow, says_nothing, talks_about
from kbqa.corpus.loader import load_faq
from kbqa.settings import REPO_ROOT


@pytest.fixture(scope="module")
def faq():
    return load_faq(REPO_ROOT / "corpus" / "faq.json")


def _found(topic: int):
    return SimpleNamespace(hits=[SimpleNamespace(unit=SimpleNamespace(topic=topic))])


def test_a_word_the_conversation_only_mentions_in_passing_is_a_new_subject(faq):
    catalog = Catalog(faq)
    # question 4 (network) mentions 存储 once in long answers; question 7 (planning) treats it
    assert talks_about(catalog, _found(4), "存储呢")  # without another candidate: it occurs, so it may lean
    assert not talks_about(catalog, _found(4), "存储呢", alone=_found(7))
    assert talks_about(catalog, _found(7), "存储呢", alone=_found(7))


def test_a_word_the_conversations_question_does_not_use_is_never_borrowed(faq):
    catalog = Catalog(faq)
    assert not talks_about(catalog, _found(4), "监控呢", alone=_found(6))
    assert not talks_about(catalog, _found(4), "你好")


def test_the_most_specific_word_decides(faq):
    catalog = Catalog(faq)
    # 镜像 is question 8's subject, 仓库 (the rarer word) occurs once in 8 and in 10: the registry of question 10
    assert talks_about(catalog, _found(10), "镜像仓库呢", alone=_found(8))


def test_an_english_follow_up_counts_through_its_glossary_words(faq):
    catalog = Catalog(faq)
    storage = {"storag": [["存储"]]}  # what Retriever.expand gives for "storage"
    assert not talks_about(catalog, _found(7), "and storage?", alone=_found(1))  # no FAQ word of its own
    assert talks_about(catalog, _found(7), "and storage?", alone=_found(1), aliases=storage)
    assert not talks_about(catalog, _found(4), "and storage?", alone=_found(7), aliases=storage)
    # a word with several FAQ words is met by one of them; one met by none keeps the follow-up's own answer
    assert talks_about(catalog, _found(7), "and storage?", alone=_found(1), aliases={"storag": [["存储"], ["账务"]]})
    assert not talks_about(catalog, _found(7), "and storage?", alone=_found(1),
                           aliases={**storage, "ledger": [["账务"]]})


@pytest.mark.parametrize("question, follows", [
    ("ok and what about tracing calls across services?", True), ("好的，那存储呢", True), ("cool, how about Kong", True),
    ("what about storage", True), ("行里的存储怎么选", False), ("okay so how do I pick a CNI plugin", False),
    ("照这个思路，第一步具体要先定下来啥？", True), ("咁 Envoy 同 Nginx 邊個好啲？", True), ("還有存儲呢", True),
    ("咁多集群点管", False), ("same question, but for the storage layer", True), ("同样的问题，存储呢", True),
    ("what if we're on openshift tho", True), ("what is openshift", False)])
def test_a_follow_up_may_open_with_an_acknowledgement(question, follows):
    from kbqa.conversation.history import is_followup

    assert is_followup(question, {}) is follows


@pytest.mark.parametrize("question, borrows", [("先不说这个 换排查那题，抓包咋整", False), ("unrelated: can DMZ and core share a cluster", False),
                                               ("换个话题，日志呢", False), ("那存储呢", True), ("先不说这个，他对存储怎么看", True),
                                               ("ok 说点别的，那日志呢", False), ("moving on — and logs?", False)])
def test_a_turn_that_changes_the_subject_does_not_borrow_the_one_before(question, borrows):
    assert may_borrow({"unknown_latin": 0.0, "unknown_near": 0.9}, question) is borrows


def test_a_negated_modal_says_how_not_what(faq):
    catalog = Catalog(faq)  # 不会 occurs in the FAQ, not in question 8: "比较不会乱" is how, the subject is 镜像版本
    assert talks_about(catalog, _found(8), "那镜像版本要怎么管比较不会乱", alone=_found(9))


def test_a_follow_up_naming_what_the_faq_never_uses_does_not_borrow():  # "does anyone mention PodDisruptionBudget?"
    assert not may_borrow({"unknown_latin": 0.0, "unknown_named": 1.0, "unknown_near": 0.9}, "does anyone mention it?")
    assert may_borrow({"unknown_latin": 0.0, "unknown_named": 0.0, "unknown_near": 0.9}, "does anyone mention it?")


@pytest.mark.parametrize("question", ["为什么这么说", "有人用了之后想换掉吗", "why is that?", "除了那个还有别招吗"])
def test_a_question_that_names_nothing_says_nothing(faq, question):
    assert says_nothing(question, Catalog(faq), {}, {"unknown_near": 0.8})


@pytest.mark.parametrize("question", ["存储呢", "跨区的防火墙一般要开哪些规则", "how do we raise the nofile limit for pods",
                                      "有不同意见吗"])
def test_a_question_that_names_a_subject_says_something(faq, question):
    assert not says_nothing(question, Catalog(faq), {}, {"unknown_near": 0.8})


def test_a_word_the_glossary_knows_is_a_subject(faq):
    assert not says_nothing("what about HA?", Catalog(faq), {"ha": [["高可用"]]}, {"unknown_near": 1.0})


def test_chatter_about_something_else_is_not_a_question_that_names_nothing(faq):
    assert not says_nothing("今天吃什么", Catalog(faq), {}, {"unknown_near": 0.56})


@pytest.mark.parametrize("question, alone", [("flannel 走 vxlan 的话 MTU 要设多少", True), ("那存储呢", False),
                                            ("他说的那个办法具体怎么落地的呢", False), ("为什么这么说", False),
                                            ("how do we size the etcd data disks for each cluster in the DMZ", True),
                                            ("how do we size the etcd disks", False)])  # too few words to stand alone
def test_a_question_that_stands_alone_after_earlier_turns(question, alone):
    from kbqa.conversation.history import stands_alone

    assert stands_alone(question, {}) is alone
