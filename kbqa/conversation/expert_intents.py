"""Routing of a message about the experts (``routing.understand`` calls these): the n-th expert of a question, the
questions with the most or fewest answers, what a named expert said or who they are, the other experts of a question.
Split from ``routing``, which decides that a message is about an expert; this module decides which expert and which
of their answers."""
from __future__ import annotations

import re

from kbqa.conversation import cues, people, recall
from kbqa.conversation.catalog import Catalog
from kbqa.conversation.intent import (BACK_TO, EXPERT_FILLER, MAX_EXPERTS_NAMED, Context, Intent, faq_words,
                                      named_question, says_any, subject_of, subject_words, unknown_words, who_words)
from kbqa.conversation.numbers import LATER
from kbqa.text.normalise import STOPWORDS, normalise, words

# "简单说下", "简单讲讲": how to tell it, said in the words the FAQ uses too (简单)
_BRIEFLY = re.compile(r"简单(?:地)?(?:说|讲|聊|介绍|概括)(?:一?下|说|讲|几句|两句)?")
# What the user already has from them ("除了说要高度定制，还讲了什么", "besides the Eureka bit, what else"): no subject asked about
_BESIDES_SAID = re.compile(r"除了(?:他|她)?(?:说|讲|提)?(?:了|过|到)?[^，,。？?]{1,30}?(?:之外|以外|外)?(?=[，,]|\s*还)"
                           r"|(?<![a-z])(?:besides|apart\s+from|aside\s+from|other\s+than)\s+[^,.?]{1,40}?(?=,|\s+what\s+else)")


def _titled(text: str, catalog: Catalog) -> tuple[int, list[str]] | tuple[()]:
    """The one question whose title alone says the message's FAQ words that any title says ("刚前面那个东西向的": question
    5; not a description's "具体", nor "啥东西" for a title's 东西向), and those words; else ()."""
    abouts = {n: _whole_words(normalise(t.title)) for n, t in catalog.topics.items()}
    said = {w: hit for w in _whole_words(text) - catalog.general_words - cues.FILLER - STOPWORDS
            if len(hit := [n for n, about in abouts.items() if w in about]) == 1}
    found = {hit[0] for hit in said.values()}
    return (found.pop(), list(said)) if len(found) == 1 else ()


def _whole_words(text: str) -> set[str]:
    """A text's words without those inside a longer one of them (search mode cuts 东西 and 西向 out of 东西向)."""
    ws = set(words(text))
    return {w for w in ws if not any(w != x and w in x for x in ws)}


def by_answer_count(catalog: Catalog, pick, text: str, context: Context) -> tuple[int, ...]:
    """The questions with ``pick`` (max, min, one) of the questions' numbers of answers, none when the most is none;
    without the one the conversation is on when the message asks for others and there are ("which other…")."""
    counts = {n: len(catalog.answers.get(n, ())) for n in catalog.numbers}
    found = tuple(n for n, c in counts.items() if c == k) if (k := pick(counts.values(), default=0)) or pick is min else ()
    other = recall.last_topic(context, catalog) if context.turns and re.search(r"其他|其它|别的|(?<![a-z])other(?![a-z])", text) else None
    return tuple(n for n in found if n != other) or found


def by_place(n: int, refs, catalog: Catalog, context: Context, lang: str, as_person: bool = False,
              rest: str = "") -> Intent | None:
    """The n-th expert of the question named (问题5的第二个专家, "东西向那个的第一个人": by a word only its title or
    description says, in the ``rest`` of the message) or the conversation is on (第二个专家怎么说: their part of it;
    ``as_person``, "第二个答的人是谁", "the second person who replied": the expert and their answer); who answered it
    when it has fewer; None without a question."""
    topics = [t for t, _ in refs if t in catalog.topics]
    last = recall.last_topic(context, catalog) if context.turns else None
    told, rest = rest, people.SAYING.split(rest, maxsplit=1)[0]  # not what they said ("第一位呢 他好像说得看公司自己能力")
    named = () if topics else named_question(rest, catalog, catalog.numbers)  # "回到排查那题 中间那位": the one it names
    titled = () if topics else (named[0][0], list(named[1])) if named[0] else _titled(rest, catalog)  # not words the
    # answers it is on use ("第一个专家说的SDN太贵")
    if titled and (named and named[0] or not (last in catalog.topics and catalog.topic_says(last, titled[1]))):  # "docker那题
        topics = [titled[0]]
    elif not topics and (said := people.SUBJECT_QUESTION.search(rest)) and faq_words(said.group("s"), catalog) and (
            context.topic_of is not None) and (found := context.topic_of(BACK_TO.sub("", said.group("s")))) in catalog.topics:
        topics = [found]  # "回到docker那题 第二个答的人": a subject no one title says alone (docker): retrieval's question
    topic = topics[0] if topics else last
    if topic not in catalog.topics or n == LATER and len(catalog.answers[topic]) != 2:  # "后面那位" of three: no one place
        return None
    answers = catalog.answers[topic]
    n = len(answers) if n == LATER else len(answers) + 1 + n if n < 0 else (len(answers) + 1) // 2 if n == 0 and len(answers) % 2 else n  # 0: the middle
    if 1 <= n <= len(answers):
        expert = answers[n - 1].expert  # "你刚刚列的第二位是什么背景？除了这题他还答了哪些": their profile, their questions
        asked = None if as_person else next((a for a, cue in (("profile", people.BACKGROUND), ("questions", people.THEIR_QUESTIONS))
                                             if cue.search(told)), None)
        if asked:
            return Intent("expert", lang, topics=(topic,), expert=expert, aspect=asked, followup=not topics)
        return Intent("expert", lang, topics=(topic,), expert=expert, aspect="views",
                      followup=not topics, from_context=not topics and not as_person and recall.on_question(context, catalog))
    return Intent("expert", lang, topics=(topic,), aspect="who_answered", followup=not topics)


def about_expert(handle: str, text: str, refs, catalog: Catalog, context: Context, lang: str,
                  followup: bool) -> Intent:
    rest = catalog.strip_names(text, loosely=handle)
    ref_topics = [n for n, _ in refs if n in catalog.topics]
    for aspect, cue in (("questions", people.THEIR_QUESTIONS), ("profile", people.PROFILE)):
        if cue.search(rest):  # on a question of theirs the conversation is on, that one is the answer's topic;
            last = recall.last_topic(context, catalog) if context.turns else None  # asked for their others ("他在别的题
            mine = catalog.experts[handle].topics  # 里还说过啥"), the first of those
            topics = (last,) if last in mine else ()
            if last in mine and people.OTHERS.search(rest):
                topics = tuple(n for n in mine if n != last)[:1]
            topics = topics or named_question(rest, catalog, mine)[0] or _where_said(handle, rest, catalog)  # "他在开发测试
            # 那题里…，在哪家任职": that one; "说要在平台上盯着每个应用状态的那位是谁": where they said it
            if not topics and lang == "en" and len(mine) > 1 and context.topic_of is not None and (  # "nameless — job
                    named := subject_words(cue.sub(" ", rest), catalog, EXPERT_FILLER, lang)):  # title, and how would they
                topics = tuple(t for t in [context.topic_of(" ".join(named))] if t in mine)  # cut east-west risk?"
            return Intent("expert", lang, topics=topics, expert=handle, aspect=aspect, followup=followup)
    mine = catalog.experts[handle].topics
    own = who_words(catalog, [handle])  # "那个银行技术经理": who, not what
    told = _BESIDES_SAID.sub(" ", _BRIEFLY.sub(" ", cues.SHORTER.sub(" ", rest)) if lang == "zh" else rest)  # not how to tell it ("技术经理那位讲
    # 的呢？简单带过就好", "他的意思简单说下"; in English the words around "tl;dr" still choose the part quoted: "Garyy's
    # networking answer, tl;dr?")
    named = [w for w in subject_words(told, catalog, EXPERT_FILLER, lang) if w not in own]
    topics, from_context = tuple(ref_topics), False
    here = bool(context.turns and re.search(r"这[道个]?题|(?<![a-z])(?:in|on)\s+(?:there|(?:this|that)\s+(?:one|thread|question))(?![a-z])", text))  # "在这题里提的…",
    # "有银行的人答这题吗？他建议 node 怎么分": the question the conversation is on, whatever its words name
    if not topics and not here:  # "他在排查那题里又说了啥": the one question of theirs whose title or description says it
        topics, said = named_question(rest, catalog, mine)
        named = [w for w in named if w not in said]
    pointing = (followup or bool(cues.POINTS_BACK.search(text))) if lang != "en" else bool(cues.THERE.search(text))  # "那
    # xiaoping378 呢，他倾向用哪个插件", "what tools did he suggest there?": still on it
    if not topics and (followup or not named or pointing or here or lang == "en") and context.turns:
        last = recall.last_topic(context, catalog)  # "xiaoping378 怎么说" after "问题4"
        if lang == "en" and named and last in mine and context.topic_of is not None:  # "does he name tools for that
            # part?": English words are not the FAQ's, so retrieval says which of theirs it is about, else that one (not
            found = context.topic_of(subject_of(rest, named, lang)) or context.topic_of(rest.strip())  # when "also"/"other" says another: "…also cover X?")
            topics = (last,) if here or pointing else (found,) if found in mine else () if people.ANOTHER.search(text) else (last,)  # ("what
            # did the tech manager say there?": the question it is on)
        else:
            hits = {n: sum(w in catalog.said(handle, n) for w in named) for n in mine}  # nor says as much in another
            if last in mine and (here or says_any(catalog, handle, last, named) or pointing and all(  # of theirs
                    hits[last] > k or not k for n, k in hits.items() if n != last)):
                topics, from_context = (last,), recall.on_question(context, catalog) and not (lang == "en" and pointing)
    if not topics and lang == "en" and named and not context.turns and len(mine) > 1 and context.topic_of is not None:
        found = context.topic_of(rest.strip())  # "what did liufengyi say about finding faults in
        topics = (found,) if found in mine else ()  # containers": English words are not the FAQ's; retrieval says which
    aspect = "subject" if named else "views"
    subject = subject_of(rest, named, lang)
    if not named and not topics and lang != "en" and unknown_words(rest, catalog):  # words the FAQ does not use: every
        subject = rest  # answer of theirs, the closest first ("zhuqibs 在排障方面的建议")
    return Intent("expert", lang, topics=topics, expert=handle, aspect=aspect, subject=subject,
                  followup=followup, from_context=from_context)


def _where_said(handle: str, text: str, catalog: Catalog) -> tuple[int, ...]:
    """The one question of an expert's whose answer says the most of the message's FAQ words, if one does."""
    said = catalog.specific_words(text)
    hits = {n: sum(w in catalog.said(handle, n) for w in said) for n in catalog.experts[handle].topics}
    top = max(hits.values(), default=0)
    best = [n for n, k in hits.items() if k and k == top]
    return tuple(best) if len(best) == 1 else ()


def other_expert(text: str, catalog: Catalog, context: Context, lang: str, besides: str = "") -> Intent | None:
    """"另一位专家呢" after an expert (or ``besides`` one: "除了这位技术经理，其他人呢"): the others who answered the question, each
    with their answer there (kind ``expert``: dev rows that ask so expect the experts, not one answer; "另外俩" two of them)."""
    last = recall.last_topic(context, catalog)
    prev = besides or recall.last_expert(context, catalog) or next(iter(catalog.expert_saying(text)), "")  # "不是推 Kong 的那位"
    answered = [u.expert for u in catalog.answers.get(last, [])]
    others = [h for h in answered if h != prev]  # no one named before ("另外那位回答的人呢" after the question): all of them
    if prev and prev not in answered or not others:
        return None
    rest, who = catalog.strip_names(people.OTHER_EXPERT.sub(" ", people.OTHER_TWO.sub(" ", text))), who_words(catalog, answered)
    named = [w for w in subject_words(rest, catalog, EXPERT_FILLER, lang) if w not in who]  # not who they are ("技术经理")
    return Intent("expert", lang, topics=(last,), expert=others[0], aspect="subject" if named else "views",
                  subject=subject_of(rest, named, lang), followup=True, also=tuple(others[1:MAX_EXPERTS_NAMED]))
