"""Query expansion from the knowledge base's own glossary (``glossary.tsv`` beside the FAQ; optional).

A user asks in the words they know (``HA``, ``bare metal``, ``容灾``); the experts wrote ``高可用``, ``裸机``,
``故障转移``. The glossary lists, for a term a user may type, the words the FAQ uses for it. The lexical
channel then also searches those words, and the not-covered decision counts the user's term as known when
the FAQ knows its equivalent. Nothing is added to the answer: the glossary only helps find the experts' text.

File format (UTF-8, one entry a line, lines starting with ``#`` are comments)::

    term[|other spelling...]<TAB>faq word[|faq word...][<TAB>how the entry was chosen]

The optional third column is for people (where the entry came from: the FAQ's wording, or the dev
questions it serves); matching ignores it.

Terms and words are matched after ``normalise()`` (lower case, Traditional -> Simplified, full -> half
width): a Latin term matches whole words (``ha`` does not match ``hash``), a Chinese term any substring.
A missing file is an empty glossary; a malformed line is skipped with its line number reported once.
"""
from __future__ import annotations

import functools
import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from kbqa.text.normalise import STOPWORDS, is_cjk_word, normalise

log = logging.getLogger(__name__)
_LATIN = re.compile(r"^[a-z0-9][a-z0-9 _.+#/&-]*$")


@dataclass(frozen=True)
class Match:
    term: str  # as normalised
    expansions: tuple[str, ...]


@dataclass(frozen=True)
class Glossary:
    entries: dict[str, tuple[str, ...]] = field(default_factory=dict)
    source: str = ""

    def __post_init__(self) -> None:
        # Latin terms match on stems, so one entry covers trace / traces / tracing
        stemmed: dict[str, Match] = {}  # stem -> the first term with it, all their expansions
        for t, words in self.entries.items():
            if _LATIN.match(t):
                key = _unhyphen(stem_latin(t))
                old = stemmed.get(key, Match(t, ()))
                stemmed[key] = Match(old.term, tuple(dict.fromkeys(old.expansions + words)))
        latin = sorted(stemmed, key=len, reverse=True)
        pattern = (r"(?<![a-z0-9])(?:" + "|".join(re.escape(t) for t in latin) + r")(?![a-z0-9])") if latin else None
        object.__setattr__(self, "_latin", re.compile(pattern) if pattern else None)
        object.__setattr__(self, "_by_stem", stemmed)
        # other terms (Chinese, mixed) and the form they take in stemmed text, computed once, not per query
        object.__setattr__(self, "_cjk", tuple((t, _unhyphen(stem_latin(t))) for t in sorted(
            (t for t in self.entries if not _LATIN.match(t)), key=len, reverse=True)))

    def __len__(self) -> int:
        return len(self.entries)

    def spellings(self, name: str) -> set[str]:
        """The other ways the glossary spells a name: the terms of the entries that list ``name`` as a term or
        as a word ("蚂蚁金服" -> "ant financial", "蚂蚁集团"...), normalised; empty when it has none."""
        key = normalise(name)
        groups = [words for term, words in self.entries.items() if term == key or key in words]
        return {t for t, words in self.entries.items() if words in groups} - {key}

    def matches(self, query: str) -> list[Match]:
        """The glossary terms in the query, longest first; a term inside an already matched longer one is
        not matched again (``multi-cluster failover`` is one term if listed, not also ``failover``)."""
        if not self.entries:
            return []
        stemmed_text = _unhyphen(stem_latin(normalise(query)))
        taken: list[tuple[int, int]] = []
        found: list[Match] = []

        def free(a: int, b: int) -> bool:
            return all(b <= x or a >= y for x, y in taken)

        spans: list[tuple[int, int, Match]] = []
        if self._latin is not None:  # whole (stemmed) words
            spans += [(m.start(), m.end(), self._by_stem[m.group(0)]) for m in self._latin.finditer(stemmed_text)]
        for term, key in self._cjk:  # other terms (Chinese, mixed): any substring
            start = stemmed_text.find(key)
            while start >= 0:
                spans.append((start, start + len(key), Match(term, self.entries[term])))
                start = stemmed_text.find(key, start + 1)
        for a, b, match in sorted(spans, key=lambda s: (-(s[1] - s[0]), s[0])):
            if free(a, b):
                taken.append((a, b))
                if match not in found:
                    found.append(match)
        return found

    @classmethod
    def load(cls, path: Path | None) -> "Glossary":
        if path is None:
            return cls()
        try:
            lines = Path(path).read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return cls()
        except (OSError, UnicodeDecodeError) as e:
            log.warning("glossary %s not read (%s): query expansion is off", path, type(e).__name__)
            return cls()
        entries: dict[str, tuple[str, ...]] = {}
        bad: list[int] = []
        for n, line in enumerate(lines, start=1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            left, tab, rest = line.partition("\t")
            right = rest.partition("\t")[0]  # a third column (provenance) is for people
            terms = [normalise(t) for t in left.split("|") if t.strip()]
            words = tuple(dict.fromkeys(normalise(w) for w in right.split("|") if w.strip()))
            if not tab or not terms or not words:
                bad.append(n)
                continue
            for t in terms:
                entries[t] = tuple(dict.fromkeys(entries.get(t, ()) + words))
        if bad:
            log.warning("glossary %s: lines %s skipped (want 'term<TAB>word|word')", path,
                        ", ".join(map(str, bad[:10])))
        return cls(entries, str(path))


_LATIN_WORD = re.compile(r"[a-z][a-z0-9]*")


@functools.lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    """Snowball's stem, except that an adjective in -ic and its adverb in -ically keep a mark of it: Snowball cuts
    "specific", "specifically" and "specifications" all to "specif", and "… storage specifically?" or "packets for
    one specific container" would ask about standards (标准)."""
    stem = _stemmer().stemWord(word)
    if word.endswith("ically"):
        return stem + "ly"
    return stem + "ic" if word.endswith("ic") and not stem.endswith("ic") else stem


@functools.lru_cache(maxsize=1)
def _stemmer():
    import snowballstemmer

    return snowballstemmer.stemmer("english")


_HYPHEN = re.compile(r"(?<=[a-z0-9])-(?=[a-z0-9])")


def _unhyphen(text: str) -> str:
    """Hyphens between Latin words as spaces, in the text and in the terms alike: "the multi-security-zone question"
    holds the term "security zone", and a term written "east-west" still matches "east west" and "east-west"."""
    return _HYPHEN.sub(" ", text)


# English prefixes written as a part of their own ("multi-cluster"): they add no subject to the word
_PREFIXES = frozenset("multi cross non pre post re sub inter intra anti co self semi".split())


def alias_compounds(query_words: list[str], aliases: dict[str, list[list[str]]], known=frozenset()) -> list[str]:
    """A hyphenated query word stands for its parts when each is a glossary word or a prefix ("multi-security-zone":
    the term "security zone"), or, in a phrase joined by a function word ("pod-to-pod", not the names
    "ingress-nginx" or "cattle-cluster-agent"), a word the FAQ uses (``known``): added to ``aliases`` (stem -> the
    FAQ words of each alternative) in place. Returns the parts the FAQ uses, as extra search tokens."""
    extra: list[str] = []
    for w in query_words:
        key, pieces = stem_latin(w), w.split("-")
        if len(pieces) < 2 or key in aliases or w in known:
            continue
        phrase = any(x in STOPWORDS for x in pieces)
        parts = list(dict.fromkeys(x for x in pieces if x and x not in _PREFIXES and x not in STOPWORDS))
        if parts and all(stem_latin(x) in aliases or phrase and x in known for x in parts):
            aliases[key] = [a for x in parts for a in aliases.get(stem_latin(x), [[x]])]
            extra += [x for x in parts if x in known]
    return extra


def stem_latin(text: str) -> str:
    """English words reduced to their Snowball stems (tracing -> trace, clusters -> cluster); the rest kept."""
    return _LATIN_WORD.sub(lambda m: _stem(m.group(0)), text)


# Fuzzy pinyin, as Chinese input methods offer it: the sound pairs people mix up when they type by pinyin.
_FUZZY_INITIALS = (("zh", "z"), ("ch", "c"), ("sh", "s"), ("n", "l"))
_FUZZY_FINALS = (("iang", "ian"), ("uang", "uan"), ("ang", "an"), ("eng", "en"), ("ing", "in"))


def _fuzzy(syllable: str) -> str:
    for a, b in _FUZZY_INITIALS:
        if syllable.startswith(a):
            syllable = b + syllable[len(a):]
            break
    for a, b in _FUZZY_FINALS:
        if syllable.endswith(a):
            return syllable[: -len(a)] + b
    return syllable


def sound(text: str) -> tuple[str, ...]:
    """Toneless fuzzy pinyin of a Chinese word: 钻移 (zuan) and 转移 (zhuan) both sound ('zuan', 'yi').

    Character by character: pypinyin's phrase table (its polyphone readings in context) is not loaded, nor its
    dictionaries copied (its documented switches, read at its import): 44 MB less in every process, and the same
    repairs (the FAQ's words and the user's are both read this way; every eval set gave identical results)."""
    lazy_pinyin, normal = _pypinyin()
    return tuple(_fuzzy(p) for p in lazy_pinyin(text, style=normal, errors="ignore"))


@functools.cache
def _pypinyin():
    """pypinyin's ``lazy_pinyin`` and its toneless style, imported once with the switches ``sound`` describes."""
    os.environ.setdefault("PYPINYIN_NO_PHRASES", "1")
    os.environ.setdefault("PYPINYIN_NO_DICT_COPY", "1")
    from pypinyin import Style, lazy_pinyin

    return lazy_pinyin, Style.NORMAL


class Homophones:
    """Typo repair for pinyin input: a Chinese word the FAQ does not know that sounds like one it does
    (镜象 -> 镜像, 苍库 -> 仓库, 发部 -> 发布). Built on first use from the FAQ's vocabulary and the fuzzy
    pinyin pairs above: no table of typos."""

    LENGTHS = (2, 3, 4)

    def __init__(self, vocab) -> None:
        self._vocab = vocab
        self._by_sound: dict[tuple[str, ...], tuple[str, ...]] | None = None

    def _index(self) -> dict[tuple[str, ...], tuple[str, ...]]:
        if self._by_sound is None:
            index: dict[tuple[str, ...], set[str]] = {}
            for w in self._vocab:
                if len(w) in self.LENGTHS and is_cjk_word(w):
                    index.setdefault(sound(w), set()).add(w)
            self._by_sound = {k: tuple(sorted(v)) for k, v in index.items()}
        return self._by_sound

    def warm(self) -> None:
        """Build the index now (pypinyin's import and the FAQ words' sounds take about a second), not on the
        first question with an unknown word."""
        self._index()

    def fixes(self, word: str) -> tuple[str, ...]:
        """The FAQ words that sound like this (unknown) word; empty for anything else."""
        if len(word) not in self.LENGTHS or not is_cjk_word(word) or word in self._vocab:
            return ()
        return tuple(w for w in self._index().get(sound(word), ()) if w != word)
