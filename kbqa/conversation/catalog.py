"""The FAQ as structured data for the conversation stage: its numbered questions, its experts (handle,
organisation and title, the questions each answered) and the words people use to name them.

Everything here is derived from the loaded FAQ, so another FAQ gets the same behaviour: nothing about
this FAQ's questions or experts is written into code.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from kbqa.corpus.loader import Faq
from kbqa.corpus.overlay import question_key
from kbqa.text.normalise import normalise, words
from kbqa.types import Topic, Unit

_LATIN = re.compile(r"[a-z0-9]")


@dataclass(frozen=True)
class Expert:
    handle: str
    org_title: str  # the longest way the FAQ introduces them ("某股份制银行 系统架构师")
    topics: tuple[int, ...]
    units: tuple[Unit, ...] = field(repr=False)


def alias_key(text: str) -> str:
    """How a name is compared: normalised (width, script, case) with spaces, _ and - dropped, so that
    "Gavin Zhang", "gavin_zhang" and "GAVIN-ZHANG" are one name."""
    return re.sub(r"[\s_\-·.]+", "", normalise(text))


@dataclass(frozen=True)
class Known:
    """A question the owners settled: ``topic`` answers it, or None: refuse it."""

    topic: int | None


class Catalog:
    """Lookups over one FAQ: topics by number, experts by handle and by the names that point to them."""

    def __init__(self, faq: Faq) -> None:
        self.faq = faq
        self.topics: dict[int, Topic] = {t.n: t for t in faq.topics}
        self.numbers: tuple[int, ...] = tuple(t.n for t in faq.topics)
        self.answers: dict[int, list[Unit]] = {t.n: [] for t in faq.topics}
        self.question_unit: dict[int, Unit] = {}
        by_handle: dict[str, list[Unit]] = {}
        for u in faq.units:
            if u.kind == "answer":
                self.answers[u.topic].append(u)
                by_handle.setdefault(u.expert, []).append(u)
            else:
                self.question_unit[u.topic] = u
        self.experts: dict[str, Expert] = {
            h: Expert(h, max((u.expert_title for u in us), key=len), tuple(dict.fromkeys(u.topic for u in us)),
                      tuple(us))
            for h, us in by_handle.items()}
        self.n_answers = sum(len(v) for v in self.answers.values())
        # names that point to one expert: the handle itself, and the organisation an expert alone is from
        # ("蚂蚁金服 产品经理" -> 蚂蚁金服). A job title shared by several experts names nobody.
        names: dict[str, set[str]] = {}
        for h, e in self.experts.items():
            names.setdefault(alias_key(h), set()).add(h)
            for u in e.units:
                parts = u.expert_title.split()
                if len(parts) >= 2:
                    names.setdefault(alias_key(parts[0]), set()).add(h)
        self._names = {k: next(iter(v)) for k, v in names.items() if len(v) == 1 and len(k) >= 2}
        self._name_re = re.compile("|".join(re.escape(k) for k in sorted(self._names, key=len, reverse=True))) \
            if self._names else None
        # words of the FAQ's own title ("容器云", "难点"): a question made only of these and of words like
        # "哪些/问题" asks what the FAQ is about
        self.title_words = frozenset(w for t in words(faq.title) for w in {t, *t.split("+")} if w)
        flexible = [r"[\s_\-·.]*".join(re.escape(c) for c in k) for k in sorted(self._names, key=len, reverse=True)]
        self._strip_re = re.compile("|".join(flexible)) if flexible else None

        # questions the FAQ's owners have settled (imported "similar" questions, the overlay's paraphrases and
        # out-of-scope questions): asked as written, they go straight to their FAQ question, or are refused
        self._known: dict[str, int | None] = {}
        for t in faq.topics:
            for q in t.similar:
                self._known.setdefault(question_key(q), t.n)
        for q in faq.out_of_scope:
            self._known[question_key(q)] = None

    def known_question(self, question: str) -> Known | None:
        """The owners' decision on a question asked exactly as one they settled (up to case, width, script,
        spaces and punctuation): its FAQ question, or a refusal; None when they have not settled it."""
        if not self._known:
            return None
        key = question_key(question)
        if key not in self._known:
            return None
        return Known(self._known[key])

    def topic_of_unit(self, unit_id: str) -> int | None:
        for us in self.answers.values():
            for u in us:
                if u.id == unit_id:
                    return u.topic
        return None

    def find_experts(self, text: str) -> list[tuple[str, str]]:
        """The experts a text names, in order, each once: [(handle, the compared key that matched)]. Names are
        compared with separators dropped ("Gavin Zhang"); a Latin name must not sit inside a longer word."""
        if self._name_re is None:
            return []
        chars, boundary, gap = [], [], True  # boundary[i]: a separator stood before kept char i
        for ch in normalise(text):
            if re.match(r"[\s_\-·.]", ch):
                gap = True
                continue
            chars.append(ch)
            boundary.append(gap)
            gap = False
        key_text = "".join(chars)
        found: dict[str, str] = {}
        for m in self._name_re.finditer(key_text):
            k, a, b = m.group(0), m.start(), m.end()
            if _LATIN.match(k[0]) and a > 0 and not boundary[a] and _LATIN.match(key_text[a - 1]):
                continue  # inside a longer Latin word
            if _LATIN.match(k[-1]) and b < len(key_text) and not boundary[b] and _LATIN.match(key_text[b]):
                continue
            found.setdefault(self._names[k], k)
        return list(found.items())

    def strip_names(self, text: str) -> str:
        """The normalised text without the names of experts (what the rest of a question asks about)."""
        out = normalise(text)
        if self._strip_re is not None:
            out = self._strip_re.sub(" ", out)
        return re.sub(r"\s+", " ", out).strip()
