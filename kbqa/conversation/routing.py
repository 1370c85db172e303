"""What is being asked, decided before retrieval, cheaply and deterministically.

``understand(question, catalog, context)`` returns an ``Intent``:

* ``smalltalk`` - greetings, thanks, goodbye, who are you, "ok": the whole message is small talk;
* ``overview`` - what can you answer / list the questions / what is this about (also a question number
  that does not exist);
* ``question`` - a question of the FAQ by its number (问题7, 第七个问题, Q7, question 7, the third one,
  下一个 after one);
* ``expert`` - about an expert named by handle or organisation (profile, their questions, their views,
  their view on a subject), or who answered a question;
* ``topical`` - everything else, for retrieval; ``parts`` holds the sub-questions when the message asks
  two things at once (``kbqa.conversation.parts``; the engine decides whether two FAQ questions answer them).

The patterns are about how people ask (in Simplified, Traditional - normalised to Simplified first - and
English), never about this FAQ's content: numbers, titles and names come from the ``Catalog``.
"""
from __future__ import annotations

import functools
import re
from dataclasses import replace

from kbqa.conversation import cues, moves, people, recall
from kbqa.conversation.expert_intents import about_expert, by_answer_count, by_place, other_expert
from kbqa.conversation.followup import follow_up, names_a_subject, two_at_once, whole_named, which_subject
from kbqa.conversation.catalog import Catalog, function_word
from kbqa.conversation.intent import (BY_NUMBER_FILLER, EXPERT_FILLER, FOLLOW_MARK, MAX_EXPERTS_NAMED, META, Context,
                                      Intent, asked_words, asks_for_overview, clause_at, faq_words, is_title, language,
                                      longest_words, named_question, question_parts, sets_scene, specific_faq_words, story_beside,
                                      strangers, subject_clause, subject_of, subject_words)
from kbqa.conversation.numbers import REF, bare_number, expert_ordinal, next_is, paired_numbers, ref_numbers, spans_all
from kbqa.conversation.parts import announced, split_parts
from kbqa.text.normalise import normalise, words

def understand(question: str, catalog: Catalog, context: Context | None = None) -> Intent:
    context = context or Context()
    text, turns = cues.plain(normalise(question, phrases=False)), context.turns
    text = people.as_person(text, [normalise(t, phrases=False) for t in turns[-1:]])
    own = catalog.strip_title(cues.OWN_ORG.sub(" ", cues.SELF_INTRO.sub(" ", text)))  # "我是某银行新来的IT经理": the asker, not the
    # expert 某银行; the FAQ's title quoted names the FAQ
    experts = catalog.named_experts(own)
    # "某银行那段看过了。那蚂蚁那位呢": the expert of the clause not done with
    clauses = cues.CLAUSES.split(own) if experts and turns else []
    if any(cues.DONE.search(c) for c in clauses):  # not when the rest asks for a question by its subject ("rangeryu 那题
        rest = " ".join(c for c in clauses if not cues.DONE.search(c))  # 先放放，讲…故障转移的那道给我")
        experts = catalog.named_experts(rest) or ([] if re.search(r"的(?:那|这)一?[道题]", rest) else experts)
    if not experts and not people.BESIDES.search(text) and (experts := catalog.expert_saying(own)):  # not "除了推荐 Kong 的那位"
        text = catalog.respell(text)  # "the one who brought up Eureka": the FAQ's "Euraka"
    if turns:  # "the bank guy": of the experts of the question the conversation is on; "某银行那位和股份制银行那位": and beside one
        # (last_topic routes the earlier turns again: once per message, and only when someone may be described)
        answerers = functools.cache(lambda: [a.expert for a in catalog.answers.get(recall.last_topic(context, catalog), [])])
        if len(experts) == 1:
            unnamed = catalog.strip_names(own)
            beside = next(iter(catalog.find_experts_loosely(unnamed)), "") or catalog.expert_of_kind(unnamed, answerers)
            if beside and beside not in experts and experts[0] in answerers():
                experts.append(beside)
        elif not experts:
            experts = [h for h in [catalog.expert_of_kind(own, answerers)] if h]
    bare = catalog.strip_names(question) if experts else ""  # the words around the names: "xiaoping378 和 Garyy
    lang = language(bare if re.search(r"\w", bare) else question)  # 都说了啥" is a Chinese question
    place = expert_ordinal(text)  # "第二个专家怎么说": not question 2 (nor "倒数第二个回答的 保险那家的": question 9)
    numbered = text if place is None else text[:place[1][0]] + " " + text[place[1][1]:]
    refs = ref_numbers(moves.ASKED.sub(lambda m: " " * len(m.group()), numbered) if turns else numbered, max(catalog.numbers, default=0))
    if turns and (k := moves.asked_nth(text)) and (first := recall.nth_topic(context, catalog, k)):  # not question 1 or 2
        rest = " ".join(c for c in cues.clauses(text) if not moves.ASKED.search(c))  # "回到最早问的那一题，存储那块要看
        said = faq_words(rest, catalog)  # 哪些因素": that part of it; "…，蚂蚁那位的再贴一下": that expert's answer to it
        if experts and first in catalog.experts[experts[0]].topics:
            return Intent("expert", lang, topics=(first,), expert=experts[0], aspect="views", followup=True)
        if set(said) - catalog.general_words and catalog.topic_says(first, said):
            return Intent("topical", lang, topics=(first,), followup=True, from_context=True, rephrase=rest.strip())
        return Intent("question", lang, topics=(first,), followup=True)
    if turns and moves.BACK_EARLIER.search(text) and (earlier := recall.earlier_topic(context, catalog)):
        return Intent("question", lang, topics=(earlier,), followup=True)
    if turns and (k := moves.of_parts(text)) and len(items := recall.last_parts(context, catalog)) >= max(k, 2):
        topic, part = items[k - 1 if k > 0 else -1]  # "第二个展开" after two questions asked together: the second
        return Intent("topical", lang, topics=(topic,), followup=True, from_context=True, rephrase=part) if part \
            else Intent("question", lang, topics=(topic,), followup=True)
    if turns and not refs and moves.BOTH_ASKED.search(text) and (  # asked together, or one after the other: both
            both := tuple(t for t, _ in recall.last_parts(context, catalog)) or tuple(t for t in (recall.earlier_topic(
                context, catalog), recall.last_topic(context, catalog)) if t in catalog.topics)) and len(both) >= 2:
        return Intent("question", lang, topics=both, followup=True)
    if turns and not experts and (both := two_at_once(text, refs, catalog, context, lang)) is not None:
        return both  # "这个和第五题一起讲讲", "再加上滚动更新那题 俩一起给我"
    beside = moves.beside(numbered, refs[0][1][1], refs[0][1][0]) if len(refs) == 1 else 0
    if beside and refs[0][0] in catalog.topics:  # "第八题的上一题", "第8题往前数两个": by the FAQ's numbering
        i = catalog.numbers.index(refs[0][0]) + beside
        refs = [(catalog.numbers[i], refs[0][1])] if 0 <= i < len(catalog.numbers) else refs
    if len(refs) > 1 and cues.DONE.search(text[refs[0][1][1]:refs[-1][1][0]]):  # "第2题看完了，给我第3题": the last one
        refs = refs[-1:]
    elif len(refs) == 1 and turns and cues.DONE.search(clause_at(text, refs[0][1][0])) and moves.step(text):
        refs = []  # "第五题消化完毕✅ 来，下一道": the one after it
    inside = cues.INSIDE.search(text) if turns else None
    if inside:  # "里面第5条展开讲讲": an item of the answer the conversation is on, not question 5
        refs = [r for r in refs if not inside.start() <= r[1][0] < inside.end()]
    if turns and experts:  # "股份制银行那位对第四点…怎么看": a point of their answer, not question 4
        refs = [r for r in refs if not _A_POINT.match(text, r[1][0])]
    if cues.EVERY.search(text) or spans_all(text, catalog.numbers):  # "从第一题到最后一题": every question
        return Intent("overview", language(question))
    if not experts and len(refs) < 2 and (pair := paired_numbers(text)) and all(n in catalog.topics for n in pair):
        return Intent("question", lang, topics=pair, followup=bool(turns))  # "5跟8一起发我", "put 3 and 10 side by side"
    followup = bool(FOLLOW_MARK.search(text)) and bool(turns)
    if place is not None and not experts:
        person = re.search(r"答的|回复的|person|guy|people|respond", text[place[1][0]:place[1][1]]) and (re.search(
            r"谁|(?<![a-z])who(?![a-z])", numbered) or not specific_faq_words(numbered, catalog))  # "the
        intent = by_place(place[0], refs, catalog, context, lang, as_person=bool(person), rest=numbered)  # second person who replied":
        # that expert; not "第二位答的人觉得定制化最大的坑在哪" (their part of it)
        if intent is not None:
            return intent
    content = faq_words(own, catalog)
    specific, lists = set(content) - catalog.general_words, cues.LISTS.search(text)

    # "刚被派去做容器云调研，你这儿能答哪几类问题": the FAQ's words only set the scene
    scene = not experts and bool(specific) and sets_scene(own, catalog)
    # "清单里讲东西向那条，点开", "ok the one about storage pls": the item of the list it names
    if turns and not experts and not refs and _names_item(text):
        rest = moves.ITEM_ABOUT.sub(" ", moves.IN_LIST.sub(" ", moves.OPEN_ITEM.sub(" ", text)))
        if names_a_subject(rest, catalog, lang):
            if recall.after_list(context, catalog):
                return Intent("question", lang, subject=rest, followup=True)
            if moves.ITEM_ABOUT.search(text) and context.topic_of is not None and (  # "cool. now the one on X", no list
                    found := context.topic_of(rest)) in catalog.topics:  # shown: the question retrieval finds for X
                return Intent("question", lang, topics=(found,), followup=True)
    unanswered = None if experts or refs else people.UNANSWERED.search(text)  # "哪道题没人回答": read once, for both below
    which = None if experts or scene or lists or refs or unanswered else cues.WHICH_QUESTION.search(text)  # "…，干脆把所有题目都列给我"
    if which and not announced(question):  # 第几个问题讲网络的 (not "有两个相关的问题想请教：…"): the subject is in the
        rest = which_subject(text, which, catalog, lang)  # clause that asks (not "刚接手…，哪些…相关的问题"), else the words before
        if names_a_subject(rest, catalog, lang):  # not "容器相关的问题"
            return Intent("question", lang, subject=rest, followup=followup)

    # "哪道题回答的人最多", "which one got the most answers?", "哪道题回复的人最少": the question(s) with the most or fewest
    for cue, pick in ((people.MOST_ANSWERED, max), (people.LEAST_ANSWERED, min), (people.ONE_ANSWER, lambda _, default: 1)):
        if not experts and cue.search(text) and (topics := by_answer_count(catalog, pick, text, context)):
            return Intent("question", lang, topics=topics, aspect="count")
    if len(experts) <= 1 and people.MOST_ANSWERS.search(text):  # "which expert answered the most questions?" ("is X the top contributor?"): their profile
        return Intent("expert", lang, expert=max(catalog.experts, key=lambda h: len(catalog.experts[h].topics)), aspect="profile")
    among = lists and re.match(r"\s*(?:当中|之中|里面?|中)", text[lists.end():])  # "十道题当中，哪一道没人答": not the list
    if unanswered and (not lists or among or lists.group().startswith(("还有", "有没有"))) and (
            empty := tuple(n for n in catalog.numbers if not catalog.answers.get(n))):  # "哪道题没人回答", "还有别的题也是没人答的吗" (not with the list: it notes them)
        return Intent("question", lang, topics=empty, followup=followup, aspect="count")
    # Who the experts are ("专家名单", "who are the experts?"); after a question "有几位专家回答" is who answered it
    directory = cues.EXPERTS.search(text)
    if directory and not experts and not refs and not (turns and people.WHO_ANSWERED_IT.search(text) and not cues.whole_faq(text)):
        rest = text[:directory.start()] + " " + text[directory.end():]
        asked = clause_at(text, directory.start())  # "这题三个人答的，那整份FAQ里一共出场了几位专家": the clause that names
        whole = cues.whole_faq(text, asked)  # the whole FAQ (a remark before it names nothing)
        if whole and directory.group() in asked:
            rest = cues.WHOLE_FAQ.sub(" ", asked.replace(directory.group(), " ", 1))  # nor the words naming the FAQ ("这份文件里")
        if (whole or len(strangers(rest, catalog)) <= 1) and not specific_faq_words(  # (the whole FAQ named: "出现过几
                rest, catalog, EXPERT_FILLER if whole else frozenset()):  # 位专家")
            return Intent("overview", lang, aspect="experts")  # (the whole FAQ named: other words are what it is for)

    # About the FAQ itself, or small talk: a cue, and nothing the FAQ talks about. A long message is read by sentence: one
    # asks for the overview ("这里面都收录了哪些问题？") with at most one odd word ("lol"), the others introduce or greet.
    pronoun = bool(turns and people.PRONOUN.search(text))
    whose = people.who_said(text)  # "the X suggestion in there, whose was it": who said X (never the overview)
    # "测试 test 1 2 3": its one FAQ word (测试) in a small-talk cue
    if not experts and not refs and not pronoun and (not specific or lists or scene or (len(specific) == 1 or cues.SLOW_BOT.search(text)) and (
            cues.smalltalk_kind(text) and not specific_faq_words(cues.strip_cues(own), catalog))
                                                     or (cues.cue("who", own) or cues.cue("joke", own) or cues.CHAT.search(own) or cues.LAUGH.search(own)) and not asked_words(own, catalog)):
        moving = turns and (moves.step(moves.unpicked(text), loose=True) or cues.SHORTER.search(text) and not cues.THE_LIST.search(text)  # "ok, next one",
                           or bare_number(text) is not None or next_is(text) is not None or cues.AGREE.search(text))  # "2号呢", "两位专家的看法对照一下"
        # "那它后面那道题讲啥", move on; "太长不看" asks for the turn before again
        complaint = cues.SMALLTALK_RE["sorry"].search(cues.BRIEF.sub(" ", own))  # "答的啥玩意", "一个问题等一分钟，急死了": no request
        whole_list = lists and cues.whole_faq(text)  # "整份资料涵盖哪些话题？附上每题作答的专家人数": the list, with each one's count
        if (not moving or lists and not moves.step(moves.unpicked(text), loose=True)) and not complaint and not whose and asks_for_overview(moves.unpicked(own), catalog) and not (
                turns and not whole_list and (people.WHO_ANSWERED_IT.search(text) or cues.MENTIONED.search(text))) and not (  # "Quick double: (a) …, (b) … — what's in the
                announced(question) and question_parts(question, catalog)):  # FAQ?": about those two
            return Intent("overview", lang)
        asks_on = cues.REQUEST.search(cues.strip_cues(text)) or turns and people.OTHER_EXPERT.search(text)  # "ok, the rest"
        talk = None if moving or asks_on or scene else cues.smalltalk_kind(text)  # a scene set asks for the list, if anything
        talk = None if talk == "ack" and followup else talk  # "ok and the reply to it was written by…?" asks on
        about_bot = talk == "who" and cues.TO_THE_BOT.search(text) or talk == "sorry" and cues.SLOW_BOT.search(text)  # "…慢不少，是系统负载较高吗", "does a
        # real engineer ever check what you tell us?": about the bot, asking or not
        if talk and (about_bot or not cues.asks(text)) and not any(  # "你好，请问 etcd 怎么备份" asks;
                len(longest_words([w for w in words(cues.strip_cues(x)) if not function_word(w)])) >= 2  # "…，先做个自我介绍呗?"
                for x in re.findall(r"(?:[^。！!?？,，.]|\.(?!\s))*[?？]", own) if not cues.smalltalk_kind(x)):  # does not
            return Intent("smalltalk", lang, aspect=talk)

    if turns and not refs and (people.OTHER_EXPERT.search(text) and not experts or people.OTHER_TWO.search(text)) and (
            intent := other_expert(text, catalog, context, lang)) is not None:  # "另外俩呢 一个技术经理…"
        return intent

    if turns and not experts and not recall.asks_who_only(whose, text, catalog, context) and (
            intent := follow_up(text, content, refs, catalog, context, lang)) is not None:
        return intent

    if not experts and turns and people.EVERYONE.search(text):  # "他们两个谁对": the two the last turns named
        named = list(dict.fromkeys(h for turn in reversed(turns[-3:]) for h in catalog.named_experts(turn)))
        if len(named) >= 2:
            experts, followup = named[:2], True
    said = None if experts else recall.who_said(whose, catalog, context)  # who said X ("谁说过X？把他那段找出来": him is them)
    # a pronoun for the expert of an earlier turn: 他还回答了哪些问题 / What did he say about …
    if not experts and turns and not said and (people.PRONOUN.search(text) or cues.PART_RETOLD.search(text) or people.BARE_PROFILE.search(
            text) or people.THEY.search(text) and len(catalog.named_experts(turns[-1])) == 1):  # "那段再解释下", "职位呢"
        prev = recall.last_expert(context, catalog)
        named, _ = named_question(text, catalog, catalog.numbers) if prev else ((), set())
        only = {u.expert for u in catalog.answers.get(named[0], [])} if named else set()
        if len(only) == 1 and prev not in only:  # "整体规划那题里 他是按什么来区分的": that question's one expert, not the one
            prev = only.pop()  # an earlier turn named, who did not answer it
        if prev:
            experts, followup = [prev], True

    if not experts:
        if said:
            handle, topic, what = said
            return Intent("expert", lang, topics=(topic,), expert=handle, aspect="subject", subject=what,
                          followup=followup)
        what = whose and next((g for g in whose.group("c", "d", "e", "f", "g", "h") if g is not None), None)
        if turns and what is not None and not faq_words(what, catalog, EXPERT_FILLER) \
                and (last := recall.last_topic(context, catalog)) in catalog.topics:  # "could you confirm who made that
            return Intent("expert", lang, topics=(last,), aspect="who_answered", followup=True, from_context=True)  # suggestion"

    if experts and turns and (people.BESIDES.search(text) and people.THE_OTHERS.search(text) or len(experts) == 1 and (
            other := people.OTHER_EXPERT.search(text)) and experts[0] in catalog.named_experts(text[:other.start()])) and (
            intent := other_expert(text, catalog, context, lang, besides=experts[0])):  # "除了这位技术经理，其他人怎么看",
        # "某银行这段有点虚，同题下面不是还有一位吗" (named before: set aside; not "the other guy, the tech director at…")
        return intent
    if experts and people.BESIDES.search(text) and people.WHO_ANSWERED_IT.search(text):  # "除了 X 还有谁", "apart from X, anyone else"
        rest = catalog.strip_names(text, loosely=experts[0])
        mine = catalog.experts[experts[0]].topics
        named, last = subject_words(rest, catalog, EXPERT_FILLER, lang), recall.last_topic(context, catalog) if turns else None
        return Intent("expert", lang, topics=tuple(n for n, _ in refs if n in catalog.topics) or (  # "and who answered
                      (last,) if last in mine else mine[:len(mine) == 1]),  # that besides the bank's tech manager?"
                      aspect="who_answered", subject=subject_of(rest, named, lang), followup=followup)

    if experts and not refs and announced(question) and (parts := question_parts(question, catalog)) and not all(
            catalog.named_experts(p) for p in parts):
        return Intent("topical", lang, parts=parts, followup=followup)  # "俩问题：1）线程堆栈怎么拿 2）蚂蚁那边发布怎么管控"
    if experts:
        intent = about_expert(experts[0], text, refs, catalog, context, lang, followup)
        if len(experts) > 1 and intent.aspect in ("views", "subject", "profile", "questions"):  # each of them, in turn; on the one
            shared = set.intersection(*(set(catalog.experts[h].topics) for h in experts[:MAX_EXPERTS_NAMED]))  # question
            fits = intent.topics if set(intent.topics) <= shared else ()  # not one the first alone answered
            intent = replace(intent, also=tuple(experts[1:MAX_EXPERTS_NAMED]), topics=fits or tuple(shared) * (len(shared) == 1)
                             or tuple(t for t in [recall.last_topic(context, catalog) if turns else None] if t in shared)
                             or intent.topics)  # both answered, or it is on
        return intent

    if people.WHO_ANSWERED.search(text) and not (refs and (cues.CONTENT_TOO.search(text) or cues.WHOLE.search(text))):
        ref_topics = tuple(n for n, _ in refs if n in catalog.topics)
        rest = people.WHO_ANSWERED.sub(" ", REF.sub(" ", text))
        named = subject_words(rest, catalog, EXPERT_FILLER, lang)
        if not ref_topics and turns and (cues.THERE.search(text) or not named and cues.THIS_QUESTION.search(text)
                                         or recall.named_again(rest, context, catalog)):
            ref_topics = tuple(t for t in [recall.last_topic(context, catalog)] if t in catalog.topics)  # "whoever
            # responded there", "这题回答的人都是谁" (nothing else named), "only one person answering the planning
            # question?" after "show me that planning question": the one it is on
        if ref_topics or named or people.SUBJECT_QUESTION.search(rest):  # "排障那题": a question named, in any words
            return Intent("expert", lang, topics=ref_topics, aspect="who_answered",
                          subject=subject_of(rest, named, lang, own_words=True) or rest, followup=followup)

    if refs:
        nums = list(dict.fromkeys(n for n, _ in refs))
        rest = cues.CONTENT_TOO.sub(" ", people.WHO_ANSWERED.sub(" ", REF.sub(" ", text)))
        named = faq_words(rest, catalog, BY_NUMBER_FILLER)  # faq_words drops the numbers itself: as for text
        first = refs[0][1][0] <= 1 and re.match(r"\s*(?:题|問題|问题)?\s*(?:[！!，,：:]|帮我|给我|请|麻烦|(?P<more>详细|细讲|细说|展开|讲讲|说说))", text[refs[0][1][1]:])  # "第6题！急，pod 一直502…":
        titled = len(nums) == 1 and nums[0] in catalog.topics and (is_title(rest, catalog.topics[nums[0]], named) or (
            first and (first.group("more") or any(w in catalog.topic_text(nums[0]) for w in named)))  # named first, a story after
            or len(refs) == 1 and story_beside(text, refs[0][1], catalog, catalog.topics[nums[0]])  # "10号问题讲的是什么？我们…"
            or len(refs) == 1 and people.THAT_ONE.search(text))  # "5️⃣ 拜托~流量在集群里横着走的那题": the number, described
        together = len(nums) > 1 and re.search(r"一起|一齐|一块|一并|合起来|合在一起|放一起|合一块|各是|各自|分别|各(?:讲|说)|(?<![a-z])(?:together|both|respectively|each\s+(?:of\s+them|one)|(?:of\s+)?each\W*$)(?![a-z])", text)  # "3和5两道合起来讲讲，…", "第一題跟第八題重點各是什麼"
        have, missing = tuple(n for n in nums if n in catalog.topics), tuple(n for n in nums if n not in catalog.topics)
        # "原题带回答都给我": the question, whatever else it says; "第12题讲容器安全基线的": there are 10
        if not named or titled or together or cues.WHOLE.search(text) or not have and re.search(r"题|question|entry|item", text):
            if have:
                return Intent("question", lang, topics=have, missing=missing, followup=followup)
            return Intent("overview", lang, missing=missing, followup=followup)

    if cues.WHOLE.search(text) and not experts and (topics := whole_named(text, catalog, context)):
        return Intent("question", lang, topics=topics, followup=followup)  # "安全域那道 整题重贴": the question it names, whole
    about = cues.ABOUT_FAQ.search(text)
    if about:  # "关于网络，FAQ 怎么说": retrieve the subject, without the words that name the FAQ
        rest = text[:about.start()] + " " + text[about.end():]
        if set(subject_words(rest, catalog, META, lang)) - catalog.general_words:
            return Intent("topical", lang, followup=followup, rephrase=rest.strip(), parts=split_parts(question))
    nums, parts = {n for n, _ in refs if n in catalog.topics}, question_parts(question, catalog)
    return Intent("topical", lang, parts=parts, followup=followup, numbered=min(nums) if len(nums) == 1 else 0,
                  rephrase="" if parts or refs or experts else subject_clause(text, catalog),  # "…，高可用那题先看"
                  aside=cues.without_aside(question, normalise(question, phrases=False)))


_A_POINT = re.compile(r"第\s*[\d一二三四五六七八九十]{1,2}\s*[点项条]")


def _names_item(text: str) -> bool:
    """Does a message open an item of a list ("清单里…那条，点开") or point at one by its subject ("ok the one about
    storage pls"; not "…, what's the gist?", which asks for its answer)?"""
    return bool(moves.OPEN_ITEM.search(text) and moves.IN_LIST.search(text)
                or moves.ITEM_ABOUT.search(text) and not cues.SHORTER.search(text))

