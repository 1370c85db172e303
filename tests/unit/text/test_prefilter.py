"""Prefiltered cue patterns: the literals read from a pattern are needed by every match, and a prefiltered pattern
finds exactly what the pattern finds."""
import json
import re
from pathlib import Path

import pytest

from kbqa.text.memo import clear_text_caches
from kbqa.text.normalise import normalise
from kbqa.text.prefilter import Branched, Prefiltered, _spread, alternatives, branched, fast, needed

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("pattern, literals", [
    (r"abc|de", {"abc", "de"}),
    (r"(?:跟|和)我说", {"跟我说", "和我说"}),  # a small alternation before a literal: their concatenations
    (r"(?<![a-z])(?:hello|hi)(?![a-z])", {"hello", "hi"}),  # lookarounds consume nothing
    (r"你(?:的)?名字", {"你的名字", "你名字"}),  # an optional part: the run with it and without it
    (r"(?:x\d+y|z)", {"x", "z"}),
])
def test_needed_literals(pattern, literals):
    assert set(needed(re.compile(pattern)).pattern.replace("\\", "").split("|")) == literals


@pytest.mark.parametrize("pattern", [r"a?b?", r"\d+", r"(?:abc|\w)", r"x|"])
def test_no_literals_no_prefilter(pattern):
    assert needed(re.compile(pattern)) is None
    assert isinstance(fast(pattern), re.Pattern)


def test_a_pattern_that_ignores_case_needs_its_literals_in_any_case():
    p = fast(r"(?i)(?<![a-z])asks?\s*[:：]")
    assert isinstance(p, Prefiltered) and p._needed.flags & re.IGNORECASE
    for text in ["Team ASKS: why", "team asks：why", "ſtrange aſks: x", "nothing here", "ASK:"]:
        assert p.sub("_", text) == p._re.sub("_", text) and bool(p.search(text)) == bool(p._re.search(text)), text


def test_prefiltered_behaves_as_the_pattern():
    p = fast(r"(?<![a-z])(?:hello|hi)(?![a-z])|你好")
    assert isinstance(p, Prefiltered)
    for text in ["hi there", "which", "你好呀", "nothing", "oh hi, hello"]:
        raw = p._re
        assert p.sub("_", text) == raw.sub("_", text)
        assert [m.span() for m in p.finditer(text)] == [m.span() for m in raw.finditer(text)]
        assert p.findall(text) == raw.findall(text)
        assert bool(p.search(text)) == bool(raw.search(text)) and bool(p.match(text)) == bool(raw.match(text))
        assert p.split(text) == raw.split(text) and p.split(text, 1) == raw.split(text, 1)
    assert p.pattern.startswith("(?<!") and p.groups == 0  # everything else is the pattern's


def _messages(n: int) -> list[str]:
    rows = [json.loads(line) for line in (ROOT / "eval" / "dev_conv.jsonl").open(encoding="utf-8")]
    texts = {t for r in rows for t in [r["question"], *r.get("history", [])]}
    return [normalise(t) for t in sorted(texts)[:n]]


@pytest.mark.parametrize("source, expected", [
    (r"a|b(?:c|d)|[|(]|\\||x\|y", ["a", "b(?:c|d)", "[|(]", "\\\\", "", "x\\|y"]),
    (r"[]|]z|(?<![|])q", ["[]|]z", "(?<![|])q"]),  # "]" first in a set is a literal
    (r"[^]|]|w", ["[^]|]", "w"]),
])
def test_alternatives_split_at_top_level_bars_only(source, expected):
    assert alternatives(source) == expected


def _branched(alts: list[str], block: int = 2) -> Branched:
    """A Branched pattern of the alternatives, however short (``fast`` branches only long patterns)."""
    pattern = re.compile("|".join(alts))
    p = branched(pattern, needed(pattern), block=block, min_length=0)
    assert isinstance(p, Branched)
    return p


def test_branched_matches_as_the_alternation():
    p = _branched(["你好吗", "你好", "(?<![a-z])hi(?![a-z])", "hello", "好吗", "吗呀", "x+y"])
    raw = p._re
    for text in ["你好吗呀", "hi 你好 hello", "this hi", "好吗呀 你好吗", "xxy xy", "", "nothing here", "你好你好吗"]:
        assert p.sub("_", text) == raw.sub("_", text), text
        assert p.sub(lambda m: m.group().upper(), text, count=1) == raw.sub(lambda m: m.group().upper(), text, count=1)
        assert [m.span() for m in p.finditer(text)] == [m.span() for m in raw.finditer(text)]
        assert p.findall(text) == raw.findall(text)
        for f in ("search", "match", "fullmatch"):
            a, b = getattr(p, f)(text), getattr(raw, f)(text)
            assert (a and a.span()) == (b and b.span()), (f, text)
    assert p.search("你好吗").group() == "你好吗"  # on a tie the earlier alternative, as the alternation
    assert p.search("x好吗").group() == "好吗"


def test_branched_runs_only_the_blocks_whose_literals_are_in_the_text():
    p = _branched(["alpha", "beta", "gamma", "delta", "epsilon", "zeta"], block=1)
    assert p._present("only gamma in this message") == [p._blocks[2]]
    assert p._present("none of them in this message") == []
    assert p._present("alpha beta gamma delta, all four") == [p._re]  # more than a few: the whole pattern (it stops
    assert p._present("gamma") == [p._re]  # early); a short text: the whole pattern (few places to try it at)
    assert p._present("eta") == []  # unless no block may match in it


@pytest.mark.parametrize("source, expected", [
    (r"(?<![a-z])(?:a|b|c|d|e|f|g|h)(?![a-z])", [rf"(?<![a-z])(?:{c})(?![a-z])" for c in "abcdefgh"]),
    (r"^(?:a|[|(]|c|d\)|e|f|g|(?:h|i))x", ["^(?:a)x", "^(?:[|(])x", "^(?:c)x", r"^(?:d\))x", "^(?:e)x", "^(?:f)x", "^(?:g)x",
                                          "^(?:(?:h|i))x"]),
    (r"(?<![a-z])(?:a|b|c|d|e|f|g|h)?x", None),  # a repeat of the alternation
    (r"x(?:a|b|c|d|e|f|g|h)", None),  # a prefix that consumes
    (r"(?:a|b|c|d|e|f|g|h)(x)", None),  # a group after it (it would be repeated)
    (r"(?:a|b|c|d|e|f|g|)", None),  # an alternative that matches empty
    (r"(?:a|b|c)", None),  # a few: not worth blocks of their own
])
def test_spread_distributes_a_nested_alternation_over_the_top_level(source, expected):
    assert _spread(source, 0) == (expected or [source])


def test_branched_spreads_a_nested_alternation_and_still_matches_as_it():
    words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"]
    p = _branched([r"(?<![a-z])(?:" + "|".join(words) + r")(?![a-z])s?", "iota"], block=1)
    assert len(p._blocks) == 9  # each word its own block, with its own literal
    assert p._present("only gamma in this message") == [p._blocks[2]]
    for text in ["only gamma in this message", "zetas and etas, betaalpha", "iota theta", "nothing"]:
        assert p.sub("_", text) == p._re.sub("_", text), text
        assert [m.span() for m in p.finditer(text)] == [m.span() for m in p._re.finditer(text)], text


def test_branched_keeps_the_groups_of_the_pattern():
    p = _branched([r"第(?P<a>\d)题", r"(?P<b>\d)号(?P<dup>[条个])一?(?P=dup)", r"q(?P<c>\d)", r"^(?P<d>\d)$", r"(x)(y)\2"], block=1)
    for text in ["第3题", "5号条条 q7", "8", "q1 第2题", "xyy 第9题", "none"]:
        ours = [(m.span(), m.groupdict(), m.groups()) for m in p.finditer(text)]
        assert ours == [(m.span(), m.groupdict(), m.groups()) for m in p._re.finditer(text)], text
    assert p.search("5号个一个").group("dup") == "个" and p.search("5号个一个").group("a") is None
    pattern = re.compile(r"(a)b|c\1")  # an alternative that refers to another's group: left whole
    assert branched(pattern, needed(pattern), min_length=0) is None


def test_every_prefiltered_cue_finds_what_its_pattern_finds():
    from kbqa.conversation import catalog, chatter, cues, followup, history, intent, moves, numbers, parts, people, recall, routing
    found = [(f"{m.__name__}.{k}", v) for m in (catalog, chatter, cues, followup, history, intent, moves, numbers, parts,
                                                people, recall, routing) for k, v in vars(m).items()
             if isinstance(v, Prefiltered)] + [(f"SMALLTALK_RE.{k}", v) for k, v in cues.SMALLTALK_RE.items()]
    assert len(found) > 50
    texts = _messages(400)
    assert any(isinstance(p, Branched) for _, p in found)
    for name, p in found:
        for text in texts:
            assert [m.span() for m in p.finditer(text)] == [m.span() for m in p._re.finditer(text)], (name, text)
            assert p.split(text) == p._re.split(text), (name, text)
            if isinstance(p, Branched):
                assert [m.groupdict() for m in p.finditer(text)] == [m.groupdict() for m in p._re.finditer(text)]
                assert p.sub(" ", text) == p._re.sub(" ", text), (name, text)
                assert (m := p.search(text)) is None and p._re.search(text) is None or m.span() == p._re.search(text).span()


def test_clear_text_caches_forgets_normalised_texts():
    normalise("一段从没见过的文字 xyz")
    assert normalise.cache_info().currsize > 0
    clear_text_caches()
    assert normalise.cache_info().currsize == 0
