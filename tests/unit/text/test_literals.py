"""The literals a pattern needs, with their marks, and the one scan of a text for every prefiltered pattern's."""
import re

import pytest

from kbqa.text import literals
from kbqa.text.literals import END, START, found, needed_literals, register
from kbqa.text.prefilter import Prefiltered, fast
from re import _parser as P


def _needs(pattern: str) -> set[str]:
    return set(needed_literals(P.parse(pattern, 0)))


@pytest.mark.parametrize("pattern, expected", [
    (r"(?<![a-z])(?:or|and)(?![a-z])", {f"{START}or{END}", f"{START}and{END}"}),  # a word on both sides
    (r"(?<![a-z0-9])q\s*\d", {f"{START}q"}),  # a lookbehind that leaves out more than the letters
    (r"^hi\b", {f"{START}hi"}),  # the text's start: no letter before
    (r"ok(?![a-z])|好的", {f"ok{END}", "好的"}),
    (r"(?<![a-z])你好", {"你好"}),  # a Chinese literal is not marked (a letter before it is rare)
    (r"(?<![0-9])or", {"or"}),  # a lookbehind that allows a letter: no mark
    (r"how\s+do", {f"how{END}"}),  # whitespace after it (one at least)
    (r"(?:^|(?<=[，,。\s]))\W*(?:我是|i'?m\s+(?:a|an)\s)", {"我是", f"{START}im{END}", f"{START}i'm{END}"}),  # a group of
    # assertions, no letter consumed, an optional character inside the run
    (r"(?:^|[,，]\s*)ta\s*[.!]", {f"{START}ta"}),  # every way before it ends in no letter
    (r"(?:背后|底层|后端|后台)(?:接|用|跑|调)?的?是?(?:哪家|哪个|什么|啥)的?(?:大模型|模型|ai|gpt)",
     {"模型", f"{START}ai", f"{START}gpt"}),  # a run too long to go on, ending in no letter: the next starts a word
    (r"^[牛赞]+\W*$", {"牛", "赞"}),  # a repeated class of no letters still holds the literals
])
def test_literals_are_marked_where_no_letter_may_touch_them(pattern, expected):
    assert _needs(pattern) == expected


def test_found_honours_the_marks():
    register([f"{START}or{END}", "or", f"{START}sto"])
    assert f"{START}or{END}" in found("x or y") and f"{START}or{END}" in found("or")
    hits = found("storage")
    assert "or" in hits and f"{START}or{END}" not in hits and f"{START}sto" in hits
    assert f"{START}sto" not in found("pistol storage"[:6])  # "pistol": "sto" inside a word


def test_a_marked_literal_keeps_the_pattern_off_texts_that_only_hold_it_inside_words():
    p = fast(r"(?<![a-z])(?:human|person|bot|ai)\s+or\s+(?:human|person|bot|ai)(?![a-z])" + "|x" * 60)
    assert isinstance(p, Prefiltered)
    for text in ["are you human or bot", "a container for storage, maintained", "ai or human?", "robot or"]:
        assert [m.span() for m in p.finditer(text)] == [m.span() for m in p._re.finditer(text)], text
        assert p.sub("_", text) == p._re.sub("_", text)


def test_a_pattern_registered_after_a_scan_is_found_in_that_text():
    text = "zzqx 一段从未见过的文字 qqzz"
    found(text)
    p = fast(r"从未见过(?:的)?文字|" + "|".join(f"never{i}" for i in range(30)))
    assert isinstance(p, Prefiltered) and p.search(text) is not None


def test_the_scan_by_first_characters_finds_what_the_automaton_finds(monkeypatch):
    pytest.importorskip("ahocorasick")
    texts = ["你能回答哪些问题？", "how do we handle storage or networking for containers", "谢谢，ok 了", "q7 please",
             "第三个问题是什么", "the or in storage", ""]
    with_automaton = [found(t) for t in texts]
    import builtins

    real = builtins.__import__
    monkeypatch.setattr(builtins, "__import__", lambda name, *a, **k: (_ for _ in ()).throw(ImportError(name))
                        if name == "ahocorasick" else real(name, *a, **k))
    literals._SCAN.clear()
    found.cache_clear()
    try:
        assert [found(t) for t in texts] == with_automaton
        assert any(with_automaton)
    finally:
        literals._SCAN.clear()
        found.cache_clear()


def test_a_pattern_that_ignores_case_is_prefiltered_by_its_own_literals():
    p = fast(r"(?i)(?<![a-z])asks?\s*[:：]" + "|zz" * 50)
    assert isinstance(p, Prefiltered) and p._keys is None
    assert p.search("Team ASKS: why") and not p.search("nothing")
