"""The FAQ as structured data for the conversation stage: its numbered questions, its experts (handle,
organisation and title, the questions each answered) and the words people use to name them.

Everything here is derived from the loaded FAQ, so another FAQ gets the same behaviour: nothing about
this FAQ's questions or experts is written into code.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Callable

from kbqa.corpus.loader import Faq
from kbqa.corpus.overlay import question_key
from kbqa.text.normalise import normalise, words
from kbqa.text.prefilter import fast
from kbqa.text.spelling import near_handle, one_edit
from kbqa.types import Topic, Unit

_LATIN = re.compile(r"[a-z0-9]")
_ORG_KINDS = "银行|企业|公司|厂商|金服|科技"  # what kind of organisation, after its name
_GENERIC_ORGS = frozenset({"银行", "公司", "企业"})  # "某银行" cut to its head: words that name no one organisation
# English words of job titles, as the pieces of a Chinese title they stand for ("software dev engineer": 软件开发工程师)
_TITLE_WORDS = {"engineer": "工程师", "architect": "架构", "manager": "经理", "director": "总监", "designer": "设计师",
                "developer": "开发", "dev": "开发", "development": "开发", "software": "软件", "system": "系统",
                "systems": "系统", "tech": "技术", "technical": "技术", "technology": "技术", "product": "产品"}
_TITLE_HEADS = "经理|架构师|工程师|总监|设计师"  # the heads of the experts' Chinese titles
_TITLE_POINTED = re.compile(rf"(?<![外一下他])(?:那|这|嗰|𠮶)(?:个|位)[^，,。？?]{{0,6}}?({_TITLE_HEADS})")  # "那个做云的总监"
# a word for a person after a name; not 这边 ("金融这边分了多个安全域" is the asker's side)
_PERSON = fast(r"\s*(?:[?？,，]\s*(?:他|她)(?!们)|那位|这位|人(?![民员工])|𠮶位|嗰位|那个|这个|那边|那家|这家|专家|大佬|老师|同学|说|讲|觉得|认为|的看法|的观点|看法|观点|怎么看|怎么说|点讲|点睇|点说|建议|推荐|回答|答|"
                     r"[\u4e00-\u9fff]{0,4}?(?:" + _TITLE_HEADS + r")|pm\b|cto\b|cio\b|ceo\b|vp\b|guy|expert|said|say|think|answer|repl|response|listed|wrote|mention|suggest|recommend|(?:product\s+|project\s+|tech(?:nical)?\s+)?"
                     r"(?:manager|lead|engineer|architect|director|designer)|person|people|folks|team)")


# the kind of organisation after its name, before the word for a person ("保险公司那位", "the internet-bank architect")
_KIND_AFTER = re.compile(r"^(?:公司|银行|企业|厂商|行业|同业|业|界|背景|出身|(?:出|过)?来|的|嘅|\s|-|'s(?![a-z])|(?<![a-z])(?:bank|company|firm|corp|enterprise|vendor|provider)(?![a-z]))+")
# An expert described by what they said: a verb of saying, what, then a word for the person ("建议用 api 网关的人")
_SAID_BY = fast(r"(?:推荐|推|建议|提到|提出|提过|提(?=\s*[a-z])|吐槽|主张|说过|讲过|做)(?P<what>[^，,。？?！!]{1,24}?)的?(?:那位|那个人|那个专家|那哥们"
                      r"|的人|人|专家|是谁|是哪位|大佬|老哥|那家大厂|那家公司|那家)|(?:^|(?<=[，,\s]))说(?P<sw>[^，,。？?！!]{1,24}?)的?(?:那位|那个人|那个专家|的人)"
                      r"|(?:the\s+one|the\s+person|the\s+guy|whoever|who)\s+(?:who\s+)?"
                      r"(?:recommended|suggested|mentioned|proposed|complained\s+about|talked\s+about|brought\s+up|raised|push(?:ed|ing)(?:\s+for)?)\s+(?P<en>[^,.?!]{1,40})"
                      r"|(?:somebody|someone)\s+(?:here\s+|in\s+there\s+)?(?:recommended|suggested|mentioned|proposed|brought\s+up|raised)"
                      r"\s+(?P<en2>[^,.?!]{1,40})(?=[^?]{0,40}?(?<![a-z])who(?![a-z]))")  # "Somebody recommended Sleuth… Who was it"
# "哪位专家来自保险公司", "那位股份制银行的…": a person, from an organisation
_FROM = re.compile(r"(?:来自|出自|from|works?\s+(?:for|at)|那位|这位)\s*(?:某|the\s+|an?\s+)?$")
_LATIN_WORD = re.compile(r"[a-z][a-z0-9_]{3,}")  # a word that may be a handle, one typo or two off ("Garry", "Stephen99")
_FUNCTION_TAGS = "bcdmpqrtuyzef"  # jieba's tags for adverbs, numerals, pronouns, conjunctions, time words...


def function_word(word: str) -> bool:
    """A word that says how rather than what ("大概", "几个", "分别", "目前"): jieba's dictionary tags it as a
    function word. Words jieba does not know ("运维", "k8s") are content."""
    from kbqa.text.normalise import tagged_words

    return word in tagged_words(_FUNCTION_TAGS)


def _general_phrase_words(faq, title_words: frozenset[str]) -> set[str]:
    """Words of the phrases (3 to 8 characters) that occur in at least 30% of the question titles (and in
    three) and hold a word of the FAQ's title: how the FAQ names its general subject."""
    from collections import Counter

    titles = [normalise(t.title) for t in faq.topics]
    need = max(3, math.ceil(0.3 * len(titles)))
    grams = Counter(g for t in titles for g in {t[i:i + k] for k in range(3, 9) for i in range(len(t) - k + 1)})
    anchors = [w for w in title_words if len(w) >= 2]
    out: set[str] = set()
    for g, n in grams.items():
        if n >= need and any(a in g for a in anchors):
            out.update(w for w in words(g) if len(w) >= 2 and not function_word(w))
    return out


def _longest_first(keys) -> list[str]:
    """Names in a fixed order, the longest first: a set's order changes from process to process, and cutting "互联"
    before "互联网银行" leaves "网银行" in the question."""
    return sorted(keys, key=lambda k: (-len(k), k))


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

    def __init__(self, faq: Faq, spellings: Callable[[str], set[str]] | None = None) -> None:
        """``spellings``: other ways people write a name (the knowledge base's glossary: "Ant Financial" for
        蚂蚁金服), used for organisations."""
        self.faq = faq
        self._spellings = spellings or (lambda name: set())
        self._texts: dict[int, str] = {}  # topic_text, by question
        self._said: dict[tuple[str, int | None], str] = {}  # said(): an expert's answers, normalised
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
        # the FAQ's own title, as a message may quote it ("Docker+k8s 容器云建设中 10 个常见难点——里面是哪十个？")
        chars = re.sub(r"\s+", "", normalise(faq.title or ""))
        self._title_re = re.compile(r"\s*".join(map(re.escape, chars))) if len(chars) >= 6 else None
        # names that point to one expert: the handle itself, and the organisation an expert alone is from
        # ("蚂蚁金服 产品经理" -> 蚂蚁金服). A job title shared by several experts names nobody.
        names: dict[str, set[str]] = {}
        self._keys = {h: alias_key(h) for h in self.experts}  # (compared with each Latin word of a message)
        for h, e in self.experts.items():
            names.setdefault(self._keys[h], set()).add(h)
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
        # ...and of phrases that extend it across the question titles ("容器云平台" in four of ten): the FAQ's
        # general subject, which names no one question
        self.general_words = self.title_words | _general_phrase_words(faq, self.title_words)
        # ...and the glossary's spellings of the FAQ's words made of those ("container cloud" for 容器云平台), word by word
        titles = [normalise(t.title) for t in faq.topics] + [normalise(faq.title)]
        phrases = {t[i:i + n] for t in titles for n in range(3, 7) for i in range(len(t) - n + 1)}
        phrases = {p for p in phrases if set(words(p)) <= self.general_words}
        self.general_words |= {x for w in self.general_words | phrases for other in self._spellings(w)
                               for x in words(other)}
        # what the FAQ talks about: a question holding one of these words asks about the FAQ's content
        self.vocab = frozenset(w for u in faq.units for w in words(u.topic_title + "\n" + u.text)
                               if len(w) >= 2 and not function_word(w))
        self._latin = sorted(w for w in self.vocab if w.isascii() and w.isalpha() and len(w) >= 4)
        self._fuzzy = self._fuzzy_names()
        self._fuzzy_any = fast("|".join(f"(?:{p.pattern})" for p, _, _ in self._fuzzy) or "(?!)")  # one search for all
        # a kind of organisation that names no one of them ("bank"), in the FAQ's word and its Latin spellings
        self._kinds = [(kind, re.compile("|".join(
            rf"(?<![a-z]){re.escape(n)}s?(?![a-z])" if n.isascii() else re.escape(n)
            for n in [kind, *(s for s in self._spellings(kind) if s.isascii())]))) for kind in sorted(_GENERIC_ORGS)]
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

    def topic_text(self, topic: int) -> str:
        """The question's title, description and answers, normalised: what its words are looked up in (cached)."""
        if topic not in self._texts:
            self._texts[topic] = normalise(" ".join(u.text for u in self.faq.units if u.topic == topic)) or " "
        return self._texts[topic]

    @cached_property
    def text(self) -> str:
        """Every question and answer of the FAQ, normalised."""
        return normalise(" ".join(u.text for u in self.faq.units))

    def as_dense(self, topic: int, other: int, named: list[str]) -> bool:
        """Does question ``topic`` use the rarest of the words (in the whole FAQ) at least half as densely as question
        ``other`` does? ("存储" is question 7's, not question 4's: once in 4's long answers, four times in 7's short ones.)"""
        text, other_text, w = self.topic_text(topic), self.topic_text(other), min(named, key=self.text.count)
        return text.count(w) / len(text) >= 0.5 * other_text.count(w) / len(other_text)

    def topic_says(self, topic: int, named: list[str]) -> bool:
        """Do the question's title and answers use every one of the words? ("回溯" in question 9: "回溯那块展开说说"
        after it asks for that part of it.)"""
        text = self.topic_text(topic)
        return bool(named) and all(w in text for w in named)

    def topic_of_unit(self, unit_id: str) -> int | None:
        for us in self.answers.values():
            for u in us:
                if u.id == unit_id:
                    return u.topic
        return None

    def who_said(self, terms: list[str], topic: int | None = None) -> tuple[str, int] | None:
        """(expert, question) of the answer that uses every term, most often; one in ``topic`` first."""
        best: tuple[tuple[bool, int], str, int] | None = None
        for us in self.answers.values():
            for u in us:
                text = normalise(u.text)
                if all(t in text for t in terms):
                    rank = (u.topic == topic, sum(text.count(t) for t in terms))
                    if best is None or rank > best[0]:
                        best = (rank, u.expert, u.topic)
        return (best[1], best[2]) if best else None

    def find_experts(self, text: str) -> list[tuple[str, str]]:
        """The experts a text names, in order, each once: [(handle, the compared key that matched)]. Names are
        compared with separators dropped ("Gavin Zhang"); a Latin name must not sit inside a longer word."""
        if self._name_re is None:
            return []
        chars, boundary, gap = [], [], True  # boundary[i]: a separator stood before kept char i
        for ch in normalise(text):
            if ch.isspace() or ch in "_-·.":  # what re's [\s_\-·.] matches
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

    def _fuzzy_names(self) -> list[tuple[re.Pattern, str, bool]]:
        """Looser ways people name an expert: (pattern, handle, needs a person word nearby). The first part of a
        Latin handle ("gavin", "xiaoping"); an organisation without 某 or cut to its head ("股份制银行",
        "蚂蚁"), and a job title that only one expert has ("技术总监") - those only next to a word for a person
        ("那位", "专家", "说"), so that "金融" in a question about finance names nobody."""
        out: list[tuple[re.Pattern, str, bool]] = []
        titles: dict[str, set[str]] = {}
        def organisation(name: str, h: str) -> None:
            org = normalise(name).lstrip("某")
            head = re.sub(rf"(?:{_ORG_KINDS})$", "", org)
            for key in _longest_first({org, head, head[:2]} - _GENERIC_ORGS):
                if len(key) >= (3 if key.isascii() else 2):  # with the kind of organisation after it ("保险公司")
                    out.append((re.compile(re.escape(key) + ("" if key.isascii() else f"(?:{_ORG_KINDS})?")), h, True))
            for other in _longest_first(set().union(*(self._spellings(k) for k in {org, head} - _GENERIC_ORGS))):  # "ant financial"
                # a Latin spelling as whole words, of 3 letters or more ("ant", next to a word for a person)
                if other.isascii() and len(other) >= 3:
                    out.append((re.compile(rf"(?<![a-z]){re.escape(other)}(?![a-z])"), h, True))
                elif not other.isascii() and len(other) >= 2:
                    out.append((re.compile(re.escape(other)), h, True))

        for h, e in self.experts.items():
            for part in re.split(r"[_\d\s]+", normalise(h)):
                if len(part) >= 4 and part != alias_key(h):
                    out.append((re.compile(rf"(?<![a-z]){re.escape(part)}(?![a-z])"), h, False))
            if h.startswith("某"):  # an anonymous handle is an organisation ("某金融企业")
                organisation(h, h)
            for u in e.units:
                bits = u.expert_title.split()
                if bits:  # an expert with no title (an imported FAQ's author) has none to be named by
                    titles.setdefault(bits[-1], set()).add(h)
                if len(bits) >= 2:
                    organisation(bits[0], h)
        for title, handles in titles.items():
            if len(handles) == 1:
                out.append((re.compile(re.escape(normalise(title))), next(iter(handles)), False))
                out += [(re.compile(rf"(?<![a-z]){re.escape(s)}(?![a-z])"), next(iter(handles)), False)
                        for s in self._spellings(normalise(title)) if s.isascii() and len(s) >= 5]  # "tech manager"
        # a job title's last two characters ("总监" of 技术总监), next to a word for a person, when no other title ends so
        heads: dict[str, set[str]] = {}
        for title, handles in titles.items():
            if len(normalise(title)) > 2 and not normalise(title).isascii():
                heads.setdefault(normalise(title)[-2:], set()).update(handles)
        out += [(re.compile(re.escape(k)), next(iter(v)), True) for k, v in heads.items() if len(v) == 1]
        # keys shared by several experts name nobody
        owners: dict[str, set[str]] = {}
        for pattern, h, _ in out:
            owners.setdefault(pattern.pattern, set()).add(h)
        unique = {p.pattern: (p, h, person) for p, h, person in out if len(owners[p.pattern]) == 1}
        return list(unique.values())

    def expert_of_kind(self, text: str, among: Callable[[], list[str]]) -> str:
        """The one expert of ``among()`` (a question's answerers, asked for only when needed) whose organisation is
        of the kind a text names next to a word for a person ("the bank guy", "银行那位": of nameless and 某银行,
        某银行); "" when none or several."""
        text = normalise(text)
        for kind, pattern in self._kinds:
            spot = pattern.search(text)
            if spot is None or not _PERSON.match(_KIND_AFTER.sub("", text[spot.end():])):
                continue
            fits = [h for h in dict.fromkeys(among()) if kind in normalise(h + " " + self.experts[h].org_title)]
            if len(fits) == 1:
                return fits[0]
        return self._of_title(text, among)

    def _of_title(self, text: str, among: Callable[[], list[str]]) -> str:
        """The one expert of ``among()`` whose title holds every piece an English title in the text stands for
        ("the bank's tech manager": 技术经理; "the software dev engineer guy": 软件开发工程师), at least two, or the head
        of a Chinese title pointed at ("那個做雲的總監": 总监; not "我们总监问…")."""
        pieces = {_TITLE_WORDS[w] for w in re.findall(r"[a-z]+", text) if w in _TITLE_WORDS}
        head = _TITLE_POINTED.search(text)
        if len(pieces) < 2 and not head:
            return ""
        pieces |= {head.group(1)} if head else set()
        fits = [h for h in dict.fromkeys(among()) if all(p in self.experts[h].org_title for p in pieces)]
        return fits[0] if len(fits) == 1 else ""

    def named_experts(self, text: str) -> list[str]:
        """The handles of the experts a text names (``find_experts``), else of those it names loosely."""
        return [h for h, _ in self.find_experts(text)] or self.find_experts_loosely(text)

    def find_experts_loosely(self, text: str) -> list[str]:
        """Experts named loosely (see ``_fuzzy_names``), or with one typo in a Latin handle ("Garry", "zhuqbs")."""
        text = normalise(text)
        found: list[str] = []
        for pattern, h, person in self._fuzzy if self._fuzzy_any.search(text) else ():  # most messages name no one
            m = pattern.search(text)
            after = _KIND_AFTER.sub("", text[m.end():]) if m else ""
            if m and (not person or _PERSON.match(after) or _FROM.search(text[:m.start()])) and h not in found:
                found.append(h)
        for token in _LATIN_WORD.findall(text):
            for h, key in self._keys.items():  # one typo ("Garry"), or cut short by two letters at most ("zhuqi": zhuqibs)
                if len(key) >= 5 and token != key and near_handle(token, key) and h not in found:  # "Stephen99": Steven99
                    found.append(h)
        return found

    def expert_saying(self, text: str) -> list[str]:
        """The one expert a message describes by what they said ("推荐 traefik 那位", "吐槽思科 ACI 一台交换机一万多的
        是谁", "the one who suggested an API gateway"): every specific FAQ word of the description occurs in their
        answers and in no other expert's. [] without such a description, or when it fits several or none."""
        m = _SAID_BY.search(normalise(text))
        if m is None:
            return []
        said = self.specific_words(self.respell(m.group("what") or m.group("sw") or m.group("en") or m.group("en2")))
        fits = [h for h in self.experts if said and all(w in self.said(h) for w in said)]
        return fits if len(fits) == 1 else []

    def respell(self, text: str) -> str:
        """Normalised text with each Latin word the FAQ does not use replaced by the one FAQ word it is a typo of
        ("eureka" for the FAQ's own "Euraka": one insertion, deletion or substitution, five letters or more)."""
        def spelled(m: re.Match) -> str:
            word = m.group(0)
            if word in self.vocab or len(word) < 5:
                return word
            near = [v for v in self._latin if abs(len(v) - len(word)) <= 1 and one_edit(word, v)]
            return near[0] if len(near) == 1 else word
        return re.sub(r"(?<![a-z0-9])[a-z]+(?![a-z0-9])", spelled, normalise(text))

    def specific_words(self, text: str) -> list[str]:
        """The words of a text that the FAQ uses, beyond the words it names its general subject with."""
        return [w for w in words(text) if w in self.vocab and w not in self.general_words]

    def said(self, handle: str, topic: int | None = None) -> str:
        """An expert's answers (to ``topic``, else to every question), each normalised, joined (cached)."""
        key = (handle, topic)
        if key not in self._said:
            self._said[key] = " ".join(normalise(u.text) for u in self.experts[handle].units
                                       if topic is None or u.topic == topic)
        return self._said[key]

    def strip_title(self, text: str) -> str:
        """A normalised text without the FAQ's title quoted in it: it names the FAQ, it asks about nothing."""
        return self._title_re.sub(" ", text) if self._title_re is not None else text

    def strip_names(self, text: str, loosely: str = "") -> str:
        """The normalised text without the names of experts (what the rest of a question asks about);
        ``loosely``: a handle whose loose names (``_fuzzy_names``) go too."""
        out = normalise(text)
        if self._strip_re is not None:
            out = self._strip_re.sub(" ", out)
        out = re.sub(r"\s+", " ", out).strip()
        for pattern, h, _ in self._fuzzy:
            if h == loosely:
                out = pattern.sub(" ", out)
        key = self._keys.get(loosely, "")  # and its handle misspelt ("Stephen99 那个呢"), not a word of what is asked
        return _LATIN_WORD.sub(lambda m: " " if near_handle(m.group(), key) else m.group(), out) if key else out
