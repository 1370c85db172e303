"""From an understood question to an Answer's structure: a retrieval answer, a two-part answer, or a reply
built from the FAQ's structure (overview, question by number, expert, small talk). No markdown is written
here; the engine renders once, in the user's script.
"""
from __future__ import annotations

from dataclasses import replace
from itertools import product
from typing import TYPE_CHECKING, Callable

from kbqa.answer import suggest
from kbqa.answer.compose import (EXPERT_BUDGET, QUOTE_BUDGET, compose, not_covered_sections, outline, quote_for,
                                  select_units)
from kbqa.answer.decide import inside_scope, near_scope, outside_scope, well_inside
from kbqa.answer.replies import Builder, frame, short_title
from kbqa.conversation import chatter, cues, recall
from kbqa.conversation.intent import Context, remark
from kbqa.conversation.parts import announced, asks_twice, joined
from kbqa.conversation.routing import Intent, faq_words
from kbqa.index.chunks import dense_text
from kbqa.retrieval.glossary import stem_latin
from kbqa.retrieval.side import part_pool
from kbqa.settings import Settings
from kbqa.text.normalise import normalise, words
from kbqa.types import Answer, Hit, Section

if TYPE_CHECKING:
    from kbqa.conversation.catalog import Known
    from kbqa.engine import Loaded
    from kbqa.retrieval.retriever import Retrieval

MULTI_MARGIN = 1.0  # a part of a two-part question counts when its first question scores this far ahead (1.0: any lead)


class Responder:
    """The replies of one ask(): ``retrieve`` and ``topic_of`` are the engine's (conversation-aware, cached)."""

    def __init__(self, state: Loaded, settings: Settings, mode: str | None,
                 retrieve: Callable, topic_of: Callable[[str, str | None], int | None]) -> None:
        self.state, self.settings, self.mode = state, settings, mode
        self.retrieve, self._topic_of = retrieve, topic_of
        self.partial: tuple | None = None  # multi's one answered part and the part it refused (``partly``)

    def topic_of(self, question: str, mode: str | None = None) -> int | None:
        return self._topic_of(question, mode or self.mode)

    def topical(self, intent: Intent, r: Retrieval, covered: bool, p: float) -> Answer:
        """A retrieval answer: the chosen question's best experts, quoted; or not covered."""

        faq, catalog = self.state.faq, self.state.catalog
        if covered and r.hits:
            section, citations = compose(self.state.retriever, r, select_units(r, self.settings.max_experts),
                                         catalog.topics)
            cited = {(c.topic, c.expert) for c in citations}
            return Answer(status="answered", answer="", topic=section.topic, confidence=p, kind="answer",
                          sections=(section,), citations=tuple(citations), hits=tuple(r.hits),
                          suggestions=suggest.after_answer(catalog, intent.lang, [section.topic], cited, r.hits))
        return Answer(status="not_covered", answer="", topic=None, confidence=p, kind="not_covered",
                      sections=not_covered_sections(list(faq.topics), faq.title), hits=tuple(r.hits),
                      suggestions=suggest.nearest(catalog, intent.lang, r.hits) or self.starters())

    def known(self, intent: Intent, question: str, known: Known) -> Answer:
        """A question the owners settled: answered from their FAQ question (its units ranked first, the user's
        words choosing the quotes), or refused."""
        mode = self.mode or self.settings.mode
        retriever = self.state.retriever
        r = retriever.search(question, mode, self.settings.top_k)
        if known.topic is None:
            return self.topical(intent, r, False, 0.0)
        if not any(h.unit.topic == known.topic for h in r.hits):  # rank every unit: the topic's are among them
            r = retriever.search(question, mode, len(self.state.faq.units))
        ranked = sorted(r.hits, key=lambda h: (h.unit.topic != known.topic, -h.score))[:self.settings.top_k]
        r.hits = [Hit(h.unit, h.score, i + 1) for i, h in enumerate(ranked)]
        return self.topical(intent, r, True, 1.0)

    def multi(self, intent: Intent, question: str, turns: list[str] | None = None) -> Answer | None:
        """Two questions in one: when two (or three) of its parts are each covered by a different FAQ
        question, one section each; else None (the whole question goes to retrieval), keeping in ``partial`` a part
        well inside the FAQ beside one only a little outside it, for the engine to answer alone (``partly``) if the
        whole question is refused. After earlier ``turns``, two question marks and nothing joining them ("flannel不是都走
        vxlan吗？同一网段也要封包？") ask about the question the conversation is on: the part that finds it, alone."""

        found = []
        # the cross-lingual vectors of the parts and of the whole question, in one model call
        self.state.retriever.prefetch([question, *intent.parts[:3]], self.mode or self.settings.mode)
        pending = [part_pool().submit(self.retrieve, part, None, self.mode) for part in intent.parts[1:3]]
        results = [self.retrieve(intent.parts[0], None, self.mode)] + [f.result() for f in pending]
        refused = []
        for part, (r, covered, p) in zip(intent.parts, results):
            ranked = suggest.ranked_topics(r.hits)
            clear = len(ranked) < 2 or ranked[0][1] >= MULTI_MARGIN * ranked[1][1]  # the part names one question
            if covered and clear and r.hits:
                found.append((r, p))
            elif not covered and r.hits:
                refused.append((part, r, p))
        said = bool(announced(question))  # "Two things: …": says it asks two things
        twice = said or asks_twice(question) or joined(question)  # or asks twice: "A？B？", "…；另外…"
        found = _distinct(found, said)
        if len(found) < 2 and refused and twice and not self._aside(question):  # a part the
            # decision doubts is answered when the scope model places it inside the FAQ: inside enough beside a part
            # answered, or, when the decision doubts every part, each well inside on its own ("dmz跟核心区隔离，k8s集群
            # 要拆几套？还有 两套集群之间app挂了咋自动切过去")
            anchor = (found[0][0].features, found[0][1]) if found else None
            if found or (len(refused) == len(results) and all(inside_scope(r.features, p) for _, r, p in refused)):
                found = _distinct(found + [(r, p) for _, r, p in refused if inside_scope(r.features, p, anchor)], said)
                place = {id(r): i for i, (r, _, _) in enumerate(results)}  # in the message's order
                found.sort(key=lambda f: place.get(id(f[0]), len(place)))
        on = recall.last_topic(Context(list(turns), self.topic_of), self.state.catalog) if len(found) >= 2 and turns \
            and asks_twice(question) and not (said or joined(question)) else None
        if on is not None and (mine := [(r, p) for r, p in found if r.hits[0].unit.topic == on]):
            return self.topical(intent, mine[0][0], True, mine[0][1])  # the part on it, answered alone
        if len(found) < 2:
            left = [(part, r, p) for part, r, p in refused if all(r is not f for f, _ in found)]
            if len(found) == 1 and left and twice and inside_scope(found[0][0].features, found[0][1]) \
                    and near_scope(*left[0][1:]):
                # answered alone if the whole message is refused ("dev 跟 test 的 eureka 合成一个实例靠谱吗？另外多个集群之间
                # 服务互调高可用靠什么"), when the other part is only a little outside the FAQ
                self.partial = (found[0], left[0][1], left[0][0])
            return None
        sections, citations = [], []
        for r, _ in found:
            section, cites = compose(self.state.retriever, r, select_units(r, self.settings.max_experts),
                                     self.state.catalog.topics, first=len(citations) + 1)
            sections.append(section)
            citations += cites
        hits = tuple(h for r, _ in found for h in r.hits)
        topics = [s.topic for s in sections]
        cited = {(c.topic, c.expert) for c in citations}
        return Answer(status="answered", answer="", topic=topics[0], confidence=min(p for _, p in found),
                      kind="multi", sections=tuple(sections), citations=tuple(citations), hits=hits,
                      suggestions=suggest.after_answer(self.state.catalog, intent.lang, topics, cited, hits))

    def partly(self, intent: Intent) -> Answer:
        """A message asking two things, one well inside the FAQ and one it refuses, which the FAQ does not cover as
        a whole: the part it covers, with a notice naming the other (and its nearest question) as not found."""
        (r, p), left, other = self.partial
        nearest = left.hits[0].unit.topic
        answer = self.topical(intent, r, True, p)
        other = short_title(other)
        if nearest == answer.topic:
            return replace(answer, notice=frame(intent.lang, "partly", other=other))
        # the other part's nearest question named, and offered first, to ask, never as its answer
        lead = suggest.nearest(self.state.catalog, intent.lang, left.hits)[:1]
        return replace(answer, notice=frame(intent.lang, "partly_near", other=other, n=nearest),
                       suggestions=suggest.unique([*lead, *answer.suggestions]))

    def second_opinion(self, intent: Intent, question: str, answer: Answer, first: bool = False) -> Answer:
        """A message the FAQ does not cover that the chatter model reads as a request for the list of questions,
        or as small talk, in words no cue knows ("想先大略瀏覽一遍再決定看哪題", "第一次用，有点紧张哈哈"): that
        reply instead of "not covered". A retrieval answer is replaced only by an overview, when the question names
        nothing of the FAQ beyond its title words (kbqa.conversation.chatter.ANSWERED_THRESHOLDS). Before either: a
        refused message that names one question ("先看第3题，我们也分了…", ``Intent.numbered``) gets that question, and
        one that opens by saying it asks anew is retrieved without its opener (``Intent.aside``). After both, a
        refused message that asks nothing ("早安，平台組來報到", ``intent.remark``) gets small talk, and a refused ``first``
        message that the scope model places far inside the FAQ's subjects is answered (``decide.well_inside``)."""
        if answer.status == "not_covered" and intent.numbered:
            return self.structured(Intent("question", intent.lang, topics=(intent.numbered,)))
        if answer.status == "not_covered" and intent.aside:  # "顺带一问，pod 跟 pod…": its opener counted as words the FAQ
            aside = self.topical(intent, *self.retrieve(intent.aside, None, self.mode, whole=True))  # does not know; on its own
            # (and the user's whole question: the scope model may refuse it)
            answer = aside if aside.status == "answered" else answer
        if answer.kind not in ("not_covered", "answer"):
            return answer
        answered = answer.kind == "answer"
        if answered and intent.rephrase:  # the answer before again, in the form asked ("简短点 一两句就行"): no remark
            return answer
        if answered and (said := remark(question, self.state.catalog, cued=True)):  # "嗯 这下清楚了 多谢"
            return self.structured(Intent("smalltalk", intent.lang, aspect=said))
        if answered and self._names_content(question):
            return answer
        kind = self._chatter_kind(question, answered) if self.settings.chatter else None
        if kind is None:
            said = None if answered else remark(question, self.state.catalog)  # "早安，平台組來報到": asks nothing
            if said is None and first and not answered and not intent.parts and (  # the last resort before "not covered",
                    intent.lang == "en" or self._names_content(question)):  # for a message naming the FAQ's content
                r, _, p = self.retrieve(question, None, self.mode, whole=True)
                if well_inside(r.features, p) and not outside_scope(r.features, p):
                    return self.topical(intent, r, True, p)
            return answer if said is None else self.structured(Intent("smalltalk", intent.lang, aspect=said))
        aspect = (cues.smalltalk_kind(normalise(question, phrases=False)) or "greet") if kind == "smalltalk" else ""
        return self.structured(Intent(kind, intent.lang, aspect=aspect))

    def _aside(self, question: str) -> bool:
        """Does the chatter model read a message as no topical question (a request for the list, small talk: "你这机器人
        主要管答啥的？…挨个罗列下我看看")?"""
        return self.settings.chatter and self._chatter_kind(question, False) is not None

    def _chatter_kind(self, question: str, answered: bool) -> str | None:
        """The chatter models' reading: the character model's, else, when a model was fitted on this embedder's
        vectors, the question vector's (the call is the one retrieval made, cached)."""
        model = chatter.load()
        kind = model.kind(question, answered) if model is not None else None
        embedder = self.state.retriever.embedder
        vectors = None if kind else chatter.vectors_for(embedder)
        if vectors is not None:
            try:
                kind = vectors.kind(question, embedder.embed_queries([dense_text(question)])[0], answered)
            except RuntimeError:  # the model failed: the characters' reading stands
                pass
        return kind

    def _names_content(self, question: str) -> bool:
        """Does the question name something of the FAQ beyond its title words ("容器云", "问题")?"""
        catalog = self.state.catalog
        own = cues.SELF_INTRO.sub(" ", normalise(question, phrases=False))
        return bool(set(faq_words(own, catalog)) - catalog.general_words)

    def subject_topic(self, subject: str) -> int | None:
        """The FAQ question a subject names ("哪个问题讲存储", "the high availability question"): among the
        questions whose title names it (in the FAQ's words or, for English, the glossary's), the one retrieval
        ranks first; else retrieval's first, when the decision covers the subject; else None."""
        r, covered, _ = self.retrieve(subject, None, self.mode)
        titled, partly = self._titled(subject)
        top = r.hits[0].unit.topic if r.hits else None
        if titled and top in partly and top not in titled:  # "网络选型那题": retrieval's question 4, whose title
            return top  # says 网络 (and 选择, not 选型), not question 7 whose title says both words among others
        if titled:
            order = [t for t, _ in suggest.ranked_topics(r.hits)]
            return min(titled, key=lambda n: (order.index(n) if n in order else len(order), n))
        return top if covered else None

    def _every_unit(self, subject: str):
        """Retrieval of ``subject`` with every unit ranked (an expert's answers may not be in the top few), and
        each unit's score by id."""
        r = self.state.retriever.search(subject, self.mode or self.settings.mode, len(self.state.faq.units))
        return r, {h.unit.id: h.score for h in r.hits}

    def _titled(self, subject: str) -> tuple[list[int], list[int]]:
        """The questions whose title says every specific word of the subject (the FAQ's words, or for an English
        word its glossary translations, any of them), and those whose title says one of them; none when the
        subject has no such word."""
        catalog = self.state.catalog
        _, aliases = self.state.retriever.expand(subject)
        groups = [[w] + [x for alt in aliases.get(stem_latin(w), ()) for x in alt] for w in words(normalise(subject))]
        groups = [[x for x in g if x in catalog.vocab and x not in catalog.general_words] for g in groups]
        groups = [g for g in groups if g]
        titles = {n: normalise(catalog.topics[n].title) for n in catalog.numbers} if groups else {}
        says = {n: [any(x in title for x in g) for g in groups] for n, title in titles.items()}
        return [n for n in says if all(says[n])], [n for n in says if any(says[n])]

    def starters(self):

        return suggest.starters([(q, None) for q in self.state.examples[:3]])

    def structured(self, intent: Intent) -> Answer:
        """Replies from the FAQ's structure: overview, question by number, expert, small talk."""

        catalog = self.state.catalog
        b = Builder(catalog, intent.lang)
        kind, topic, suggestions = intent.kind, None, ()
        if kind == "smalltalk":  # whether questions are kept: as this service is set up (KBQA_LOG_QUESTIONS)
            aspect = intent.aspect if intent.aspect != "privacy" or self.settings.log_questions else "privacy_off"
            b.smalltalk(aspect, self.state.examples[:3], self.settings.retention_days)
            suggestions = self.starters()
        elif kind == "overview" and intent.aspect == "experts":  # the FAQ's experts: an answer about experts
            b.experts()
            kind = "expert"
            suggestions = suggest.starters([(b.f("ask_views", handle=h), None) for h in list(catalog.experts)[:3]])
        elif kind == "overview":
            b.overview(intent.missing)
            suggestions = self.starters()
        elif kind == "question":
            if not intent.topics:  # "第几个问题讲网络的": the question retrieval finds for the subject
                n = self.subject_topic(intent.subject)
                if n is None and len(parts := cues.clauses(intent.subject, spaced=True)) > 1:  # "另外 周末停机窗口太折腾了
                    n = next((t for part in reversed(parts[-2:]) if faq_words(part, catalog)  # 有没有讲一点点替换、不停业务
                              and (t := self.subject_topic(part)) is not None), None)  # 的那题": the clause at the end
                if n is None:
                    return self.topical(intent, *self.retrieve(intent.subject, None, self.mode))
                intent = replace(intent, topics=(n,))
            for n in intent.topics:
                b.question(n)
            topic = intent.topics[0]
            kind = "multi" if len(intent.topics) > 1 and intent.aspect != "count" else "answer" if intent.compare else "question"
            suggestions = suggest.after_question(catalog, intent.lang, intent.topics)
        elif intent.aspect == "who_answered":
            topics = intent.topics
            if not topics and intent.subject:  # the subject, else its FAQ words alone ("…，要一份名单：ID + 单位")
                found = self.subject_topic(intent.subject)
                if found is None and (known := " ".join(faq_words(intent.subject, catalog))):
                    found = self.subject_topic(known)
                topics = () if found is None else (found,)
            if not topics:
                return self.topical(intent, *self.retrieve(intent.subject or "", None, self.mode))
            for n in topics:
                b.who_answered(n)
            topic = topics[0]
            suggestions = suggest.after_question(catalog, intent.lang, topics)
        else:
            topic, suggestions = self._expert(intent, b)
            for other in intent.also:  # "xiaoping378 和 Garyy 都说了啥": each expert named, in turn
                self._expert(replace(intent, expert=other, also=()), b)
            if intent.from_context and intent.aspect == "subject" or intent.compare:
                kind = "answer"  # "他说的 Canal 是啥" while on question 4: a detail of that expert's answer to it; two compared
        if not b.sections:
            return Answer(status="not_covered", answer="", topic=None, confidence=0.0, kind="not_covered",
                          sections=not_covered_sections(list(self.state.faq.topics), self.state.faq.title))
        return Answer(status="answered", answer="", topic=topic, confidence=1.0, kind=kind,
                      sections=tuple(b.sections), citations=tuple(b.citations), suggestions=suggestions,
                      hits=tuple(b.hits))

    def _expert(self, intent: Intent, b: Builder):
        """An expert's profile, their questions, their answers, or their answer on a subject."""

        catalog, handle = self.state.catalog, intent.expert
        e = catalog.experts[handle]
        if intent.aspect in ("profile", "questions"):  # who they are, and each question with the start of their answer
            b.profile(handle)
            b.expert_answers(handle, e.topics, QUOTE_BUDGET)
            # the answer's topic: the question the conversation is on, else the first one the reply shows
            return (intent.topics or e.topics or (None,))[0], suggest.after_expert(catalog, intent.lang, handle, ())
        if intent.aspect == "subject":
            r, score = self._every_unit(intent.subject)
            # the ranking this reply used: the expert's answers first, then the rest as retrieval ranked them
            ranked = sorted(r.hits, key=lambda h: (h.unit.expert != handle, -h.score))[:self.settings.top_k]
            b.hits = [Hit(h.unit, h.score, i + 1) for i, h in enumerate(ranked)]
            units = [u for u in e.units if not intent.topics or u.topic in intent.topics]
            best = max(units, key=lambda u: score.get(u.id, 0.0), default=None)
            if best is None or score.get(best.id, 0.0) <= 0:
                b.sections.append(Section(lead=b.f("no_subject", handle=handle),
                                          items=tuple(b.title(n) for n in e.topics)))
                return None, suggest.after_expert(catalog, intent.lang, handle, ())
            if len(best.text) > EXPERT_BUDGET and cues.OUTLINE.search(intent.subject):  # "浓缩成三个重点": its outline,
                quote = outline(best.text, near=quote_for(self.state.retriever, r, best, QUOTE_BUDGET, 0))  # with what
                # the request names
            else:
                quote = quote_for(self.state.retriever, r, best, EXPERT_BUDGET, EXPERT_BUDGET)
            n = b.cite(best, quote, score.get(best.id, 0.0))
            b.sections.append(Section(title=b.title(best.topic), topic=best.topic,
                                      lead=b.f("profile_title", handle=handle, org=e.org_title),
                                      citations=(n,)))
            return best.topic, suggest.after_expert(catalog, intent.lang, handle, (best.topic,))
        topics = intent.topics or e.topics
        if not intent.topics and intent.subject and len(topics) > 1:  # their answers, the subject's closest first
            _, score = self._every_unit(intent.subject)
            best = {n: max((score.get(u.id, 0.0) for u in e.units if u.topic == n), default=0.0) for n in topics}
            topics = sorted(topics, key=lambda n: -best[n])
        if not intent.topics:
            b.profile(handle)
        b.expert_answers(handle, topics)
        return topics[0], suggest.after_expert(catalog, intent.lang, handle, tuple(topics))


# A message that says it asks two things asks two FAQ questions: when both parts rank the same one first, the one
# whose next question scores within SHARE of its first takes that one instead ("DevOps 那章要写两块：基础镜像怎么管控、核心
# 交易系统发版怎么做灰度": question 8 for both, question 9 close behind for the second). Only when it says so: parts
# that only ask twice ("微服务要整批搬还是分批搬？搬到一半网络要注意什么？") often ask one question twice.
SHARE = 0.9


def _distinct(found: list, said: bool) -> list:
    """The parts (retrieval, decision) that can each lead with a different FAQ question: their first, or, in a
    message that says it asks two things (``said``), one within SHARE of it when their first is another part's.
    As many parts as can be, the earlier ones first, then those on their first question; a part moved to another
    question has its hits re-ranked with that question's first."""
    share, options = SHARE if said else 1.0, []
    for r, _ in found:  # each part's questions within reach of its first (relative score), or none
        ranked = suggest.ranked_topics(r.hits)
        options.append([(t, s / ranked[0][1]) for t, s in ranked if s >= share * ranked[0][1]][:3] + [None])

    def distinct(choice) -> bool:
        picked = [x[0] for x in choice if x]
        return len(set(picked)) == len(picked)

    best = max(filter(distinct, product(*options)), key=lambda c: (
        sum(x is not None for x in c), [x is not None for x in c], sum(x[1] for x in c if x)))
    out = []
    for (r, p), pick in zip(found, best):
        if pick is not None and pick[0] != r.hits[0].unit.topic:
            hits = sorted(r.hits, key=lambda h: (h.unit.topic != pick[0], -h.score))
            r = replace(r, hits=[Hit(h.unit, h.score, i + 1) for i, h in enumerate(hits)])
        if pick is not None:
            out.append((r, p))
    return out
