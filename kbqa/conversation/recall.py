"""What the earlier turns of a conversation were about: the FAQ question it is on (``last_topic``), the expert it is
on (``last_expert``), whether the turn before asked by number or about a question. Each earlier turn is read as
the engine read it then (``routing.understand``, ``followup.refined``), after the turns before it."""
from __future__ import annotations

import re

from kbqa.conversation import cues, people
from kbqa.conversation.catalog import Catalog
from kbqa.conversation.intent import EXPERT_FILLER, Context, faq_words, names_nothing, specific_faq_words
from kbqa.text.normalise import has_cjk, normalise, words
from kbqa.text.prefilter import speed_up


def understand(question: str, catalog: Catalog, context: Context | None = None):
    """A turn as the engine read it: routed, then refined ("排障那题" in the glossary's words: question 6 whole)."""
    from kbqa.conversation.followup import refined  # both import this module: imported when first used
    from kbqa.conversation.routing import understand as read

    return refined(read(question, catalog, context), question, catalog, context.aliases if context else None)


def _before(context: Context, i: int) -> Context:
    """The context of earlier turn ``i``: the turns before it."""
    return Context(context.turns[:i], context.topic_of, context.aliases)


def on_question(context: Context, catalog: Catalog) -> bool:
    """Was the turn before about a question of the FAQ, not about who an expert is ("rangeryu 是谁")?"""
    prev = understand(context.turns[-1], catalog, _before(context, len(context.turns) - 1))
    return not (prev.kind == "expert" and prev.aspect in ("profile", "questions"))


def who_said(m: re.Match | None, catalog: Catalog, context: Context) -> tuple[str, int, str] | None:
    """(expert, question, what) for "who said X" (``m``, a ``people.WHO_SAID`` match): the answer that says all of X's
    FAQ words, in the question the conversation is on when one there does."""
    if not m:
        return None
    what = next((g for g in m.groups() if g), "")  # "出自哪位" names nothing: what the turn before quoted, if it did
    if not faq_words(what, catalog, EXPERT_FILLER) and context.turns and people.QUOTED.search(context.turns[-1]):
        what = cues.plain(normalise(context.turns[-1], phrases=False))  # ("flannel 跨子网走vxlan那个说法")
    terms = faq_words(what, catalog, EXPERT_FILLER)
    if not terms:
        return None
    found = catalog.who_said(terms, last_topic(context, catalog) if context.turns else None)
    return (*found, what) if found else None


def asks_who_only(m: re.Match | None, text: str, catalog: Catalog, context: Context) -> bool:
    """Does a follow-up ask who said X and nothing else (``m``: ``people.WHO_SAID`` in ``text``): "…, whose was it", "这题里提到
    sleuth 的是哪位专家"; not that part of the answer too ("里面说用 ingress 的是哪位", "…的是哪位？堆栈最后落到哪里")?"""
    return bool(m) and bool(m.group("e") or m.group("a") and not re.search("里面|里头", text)
                            and not cues.ASKS.search(text[m.end():]) and who_said(m, catalog, context))


def after_list(context: Context, catalog: Catalog) -> bool:
    """Was the list of questions shown in the last two turns?"""
    n = len(context.turns)
    return any(understand(context.turns[i], catalog, _before(context, i)).kind == "overview"
               for i in range(max(0, n - 2), n))


def last_was_by_number(context: Context, catalog: Catalog) -> bool:
    return any(understand(t, catalog).kind in ("question", "overview") or re.search(r"(?:那|这|嗰)一?(?:道|个)?(?:题|題)", t)
               for t in context.turns[-2:])  # or by its subject: "开发测试那题先发一下", then "9 也要"; or the list: "8号"


def last_asked(context: Context, catalog: Catalog):
    """(index, intent) of the last turn that was not small talk ("ok that's a lot of text"), a remark naming nothing
    of the FAQ ("老板要看") or one retrieval finds no question for ("三个人讲的好像不太一样"), as it was understood then;
    the first turn when every one was."""
    k = len(context.turns) - 1
    while ((intent := understand(context.turns[k], catalog, _before(context, k))).kind == "smalltalk"
           or intent.kind == "topical" and (not intent.rephrase and not _names(context, catalog, context.turns[k])
                                            or context.topic_of is not None and context.topic_of(intent.rephrase or context.turns[k]) is None)) and k > 0:
        k -= 1
    return k, intent


def named_again(text: str, context: Context, catalog: Catalog) -> bool:
    """Does a message name a question by a subject ("the planning question", "排障那题") whose words are all in the last
    turn that asked something ("can you show me that planning question"): the question the conversation is on, named
    again in the asker's own words?"""
    m = people.SUBJECT_QUESTION.search(text) or people.THE_X_QUESTION.search(text)
    named = words(m.group("s")) if m else []
    turn = normalise(context.turns[last_asked(context, catalog)[0]])
    return bool(named) and all(w in turn for w in named)


def _names(context: Context, catalog: Catalog, turn: str) -> bool:
    """Does a turn name something of the FAQ: its words (not "两个回答都看了", "两位的意见都看了": 回答, 意见 are how people
    ask about experts), or, in words the FAQ does not use (another language), a question retrieval finds for it ("how do
    you fail over…")?"""
    return bool(set(specific_faq_words(turn, catalog)) - EXPERT_FILLER) or not has_cjk(turn) and context.topic_of is not None \
        and context.topic_of(turn) is not None


def last_parts(context: Context, catalog: Catalog) -> list[tuple[int, str]]:
    """The FAQ questions the last turn (past small talk) asked together, in its order: (question, the part that asked it;
    "" when asked by number), or [] when it asked fewer than two ("问题1和问题9分别是什么", "网络怎么选？东西向安全呢？")."""
    _, intent = last_asked(context, catalog)
    if intent.kind == "question" and len(intent.topics) >= 2:
        return [(t, "") for t in intent.topics]
    if intent.kind == "topical" and len(intent.parts) >= 2 and context.topic_of is not None:
        found = [(context.topic_of(p), p) for p in intent.parts]
        if all(t is not None for t, _ in found) and len({t for t, _ in found}) == len(found):
            return found
    return []


def last_topic(context: Context, catalog: Catalog) -> int | None:
    """The FAQ question the conversation was last about: a number asked for, one asked for by its subject ("滚动更新那个
    是第几题", "再切到滚动更新那道"), an expert's one question, or what retrieval finds for the last topical turn."""
    return next((t for i in range(len(context.turns) - 1, -1, -1)
                 if (t := _turn_topic(context, catalog, i)) is not None), None)


def nth_topic(context: Context, catalog: Catalog, k: int = 1) -> int | None:
    """The k-th FAQ question the conversation was about ("回到最早问的那题", "go back to the first one I asked", "第二个问的
    那道"); k -1: the middle one of an odd number of them, three or more ("把中间那道重发一遍")."""
    seen = list(dict.fromkeys(t for i in range(len(context.turns)) if (t := _turn_topic(context, catalog, i)) is not None))
    if k == -1:
        return seen[len(seen) // 2] if len(seen) >= 3 and len(seen) % 2 else None
    return seen[k - 1] if 0 < k <= len(seen) else None


def earlier_topic(context: Context, catalog: Catalog) -> int | None:
    """The FAQ question the conversation was on before the one it is on now ("回到刚才那题")."""
    topics = [t for i in range(len(context.turns) - 1, -1, -1) if (t := _turn_topic(context, catalog, i)) is not None]
    return next((t for t in topics if t != topics[0]), None)


def _turn_topic(context: Context, catalog: Catalog, i: int) -> int | None:
    """The FAQ question earlier turn ``i`` was about, if it was about one (see ``last_topic``)."""
    turn = context.turns[i]
    # each turn as it was understood then, after the ones before it ("下一个" after "第3题" was question 4)
    intent = understand(turn, catalog, _before(context, i))
    if intent.topics or intent.numbered:  # a number asked for, or named beside a subject ("第6题排查那块")
        return intent.topics[-1] if intent.topics else intent.numbered
    if intent.kind == "expert" and intent.expert and len(catalog.experts[intent.expert].topics) == 1:
        return catalog.experts[intent.expert].topics[0]
    if intent.kind == "expert" and intent.aspect == "subject" and context.topic_of is not None:
        found = context.topic_of(intent.subject)  # "nameless 在东西向那题里写的": the question of theirs it names
        if found in catalog.experts[intent.expert].topics:
            return found
    if (intent.aspect == "who_answered" or intent.kind == "question") and intent.subject \
            and context.topic_of:  # "who answered the high availability question?"
        return context.topic_of(intent.subject)
    if intent.kind == "topical" and context.topic_of is not None:  # as it was answered ("网络，FAQ 里怎么讲" without
        found = context.topic_of(intent.rephrase or turn)  # "FAQ 里怎么讲"); None, not covered: the conversation stays
        remark = bool(i) and _remark(turn)  # "我们就三个运维", "the storage bit is thin": of the asker, or a part of the answer
        if found is not None and i and not intent.rephrase and (len(words(turn)) <= 6 or _understood(turn) or remark):  # a remark
            before = last_topic(_before(context, i), catalog)
            # on the answer before, in its words ("公用镜像仓库 就这?", "前面几位说的flannel calico啥的我大概懂了"), in no
            # words of a subject at all ("答的人好多啊 看不过来", "三位都有回答"), or read, naming no subject ("两个人的说法都看了")
            if before in catalog.topics and before != found and (
                    remark or _says_it_too(catalog, before, found, turn) or names_nothing(turn, catalog)
                    or _understood(turn) and not specific_faq_words(turn, catalog)):
                return before
        return found
    return None


# A turn about the asker's own setting ("我们就三个运维", "we're an insurer") or a part of the answer before ("the storage bit
# is thin", "那段太长了")
_ASKER_OR_PART = re.compile(r"我们|咱们|(?<![a-z])(?:we|we're|we've|our|us)(?![a-z])|(?<![a-z])the\s+\w+\s+(?:bit|part|section|piece)(?![a-z])"
                            r"|(?:那|这)一?(?:段|块|部分)")


def _remark(turn: str) -> bool:
    """Does a turn that asks nothing speak of the asker or of a part of the answer before (``_ASKER_OR_PART``)?"""
    return bool(_ASKER_OR_PART.search(turn := normalise(turn, phrases=False))) and not re.search(r"[?？]", turn) and not cues.asks(turn)


def _understood(turn: str) -> bool:
    """Does a turn say the asker understood (``cues.DONE``) and ask nothing ("前面几位说的flannel calico啥的我大概懂了":
    "啥的", "and such", asks nothing)?"""
    return bool(cues.DONE.search(normalise(turn))) and not cues.asks(re.sub(r"(?<=\w)(?:啥|什么|之类)的", " ", turn))


def _says_it_too(catalog: Catalog, before: int, found: int, turn: str) -> bool:
    """Does question ``before`` use every FAQ word of a short turn, its rarest at least half as densely as question
    ``found`` (retrieval's for the turn alone) does?"""
    named = specific_faq_words(turn, catalog)
    return bool(named) and catalog.topic_says(before, named) and catalog.as_dense(before, found, named)


def last_expert(context: Context, catalog: Catalog) -> str:
    """The expert an earlier turn named or was answered with ("推荐 skywalking 的是谁", "第二个回答的是哪位"), else the
    one expert of the question the conversation is on."""
    for i in range(len(context.turns) - 1, -1, -1):
        turn = context.turns[i]
        found = catalog.named_experts(turn)
        if found:
            return found[0]
        said = who_said(people.who_said(cues.plain(normalise(turn, phrases=False))), catalog,
                         _before(context, i))
        if said:
            return said[0]
        read = understand(turn, catalog, _before(context, i))  # "第二个回答的是哪位": the one
        if read.kind == "expert" and read.expert:  # it was answered with
            return read.expert
    last = last_topic(context, catalog)
    if last in catalog.answers and len(catalog.answers[last]) == 1:
        return catalog.answers[last][0].expert
    return ""



speed_up(globals())  # the long patterns above, prefiltered (kbqa.text.prefilter)
