"""A turn that only makes sense after the earlier ones: the next or previous question, a bare number, who answered
it, "go on" / "shorter" / "that part again". ``routing.understand`` asks ``follow_up`` once the message names no expert."""
from __future__ import annotations

import re
from dataclasses import replace

from kbqa.conversation import cues, moves, people, recall
from kbqa.conversation.catalog import Catalog
from kbqa.conversation.intent import (BY_NUMBER_FILLER, EXPERT_FILLER, Context, Intent, clause_at, faq_words, is_title, named_question,
                                      names_nothing, names_term, specific_faq_words, strangers, subject_words)
from kbqa.conversation.numbers import bare_number, bare_numbers, next_is
from kbqa.text.normalise import normalise
from kbqa.text.prefilter import speed_up


# The question the conversation is on ("刚才那道", "这题", "整题"); not "其他题" (another)
_THE_ONE_ON = re.compile(r"(?<![其别另])(?:那|这)\s*(?:一)?\s*(?:道|个)?\s*题(?!目?(?:列表|清单|目录))|整题|原题")
# A part of a question ("那段", "里面", "the bit on…")
_A_PART = re.compile(r"(?:那|这)一?(?:段|块|部分|条|点)|里面|里头|(?<![a-z])(?:the|that)\s+(?:bit|part|section)(?![a-z])")


def follow_up(text: str, content: list[str], refs, catalog: Catalog, context: Context, lang: str) -> Intent | None:
    """A turn that only makes sense after the earlier ones: next/previous, a bare number, who answered it, go on."""
    two = bare_numbers(text)  # "4跟6呢": two numbers alone, after a question asked by number
    if two and not refs and recall.last_was_by_number(context, catalog):
        have = tuple(n for n in two if n in catalog.topics)
        return Intent("question" if have else "overview", lang, topics=have,
                      missing=tuple(n for n in two if n not in catalog.topics), followup=True)
    told = next_is(text)  # "ok 下一个，8": 8, whatever it is on
    n = bare_number(text) if told is None else told  # "7", "那7呢", "2号呢 2号是啥": numbers alone
    if n is not None and (not refs or refs[0][0] == n) and (told or recall.last_was_by_number(context, catalog)):
        return Intent("question" if n in catalog.topics else "overview", lang,
                      topics=(n,) if n in catalog.topics else (), missing=() if n in catalog.topics else (n,),
                      followup=True)
    loose = moves.step(text, loose=True)
    if loose and content:  # "东西向这题我大概懂了，顺手把编号+1那道也调出来": the clause done with names no subject
        content = faq_words(" ".join(x for x in cues.CLAUSES.split(text) if not cues.DONE.search(x)), catalog)
    if content and not refs and loose:  # its FAQ words beyond those that point the way ("紧跟着的那道", "the question
        content = faq_words(moves.without_step(text), catalog)  # right before that one", "紧跟着那个讲整体规划的")
    step = moves.step(text) if content else loose
    near = 0 if refs or not content else step or loose
    if near:  # "它后面那题是网络的吧？发我", "它前面那道呢？好像是讲排查的": the next one, when its title or description has the
        last = recall.last_topic(context, catalog)  # words it restates
        i = catalog.numbers.index(last) + near if last in catalog.topics else -1
        if 0 <= i < len(catalog.numbers) and (is_title("", catalog.topics[catalog.numbers[i]], content) or is_title(
                "", catalog.topics[last], content)):  # or named the one it is on: "东西向那道的下一道"
            return Intent("question", lang, topics=(catalog.numbers[i],), followup=True)
        if 0 <= i < len(catalog.numbers) and _A_PART.search(text) and not people.who_said(text) and catalog.topic_says(
                catalog.numbers[i], content):  # "倒回前一道，拿tcpdump抓容器流量那段…": a part of it (not "ok next - how
            return Intent("topical", lang, topics=(catalog.numbers[i],), followup=True,  # are people doing HA…")
                          from_context=True, rephrase=moves.without_step(text).strip())
        named = people.SUBJECT_QUESTION.search(text)  # or names another right before the step: "多安全域那道的前一个编号"
        if named and moves.near_after(text, named.end()):
            topics = named_question(text, catalog, catalog.numbers)[0] or ((  # its words in one title, else retrieval's
                context.topic_of(named.group("s")),) if context.topic_of is not None else ())
            i = catalog.numbers.index(topics[0]) + near if topics and topics[0] in catalog.topics else -1
            if 0 <= i < len(catalog.numbers):
                return Intent("question", lang, topics=(catalog.numbers[i],), followup=True)
    if cues.AGREE.search(text) and (last := recall.last_topic(context, catalog)) in catalog.topics:
        return Intent("question", lang, topics=(last,), followup=True)  # "两位答主的立场一致吗": their answers side by side
    if cues.WHOLE.search(text) and _THE_ONE_ON.search(text) and not (content or refs or loose) and not people.who_said(
            text) and (last := recall.last_topic(context, catalog)) in catalog.topics:
        return Intent("question", lang, topics=(last,), followup=True)  # "刚才那道整题再完整发一遍": the question it is on
    if people.WHO_ANSWERED_IT.search(text) and not set(content) - EXPERT_FILLER and not refs and not cues.WHOLE_FAQ.search(text):  # ("the one before 7 - who
        # answered that one": routing's, by the number)
        last = recall.last_topic(context, catalog)
        if step and last in catalog.topics:  # "那下一题有哪几位专家": who answered the next one
            i = catalog.numbers.index(last) + step
            last = catalog.numbers[i] if 0 <= i < len(catalog.numbers) else None
        if last in catalog.topics:
            return Intent("expert", lang, topics=(last,), aspect="who_answered", followup=True, from_context=True)
    if step and not content and not refs:
        last = recall.last_topic(context, catalog)
        if last in catalog.topics:
            i = catalog.numbers.index(last) + step
            if 0 <= i < len(catalog.numbers):
                return Intent("question", lang, topics=(catalog.numbers[i],), followup=True)
            return Intent("overview", lang, missing=(last + step,), followup=True)
    go_on = None if refs or _LEAVES.search(text) else cues.CONTINUE.search(text) or cues.INSIDE.search(text) \
        or cues.SHORTER.search(text) or next((m for m in [cues.PART_RETOLD.search(text)] if m and re.search("[两几]", m.group())), None)  # "存储跟网络
    # 这两块展开讲讲" (one part, "那段再解释一下", is an expert's after one); "里面说的用 ingress 替代
    # calico": in that question
    rest = beside_go_on(text, go_on, catalog) if go_on else ""
    everyone = people.EVERYONE.search(text) if go_on else None  # "俩人意见各一句话": how to tell, not what about
    named = people.THE_X_QUESTION.search(rest) if go_on and lang == "en" else None  # "go back to the dev/test one … in full":
    if named and subject_words(named.group("s"), catalog, BY_NUMBER_FILLER, lang):  # the question it names (not "the last one")
        return Intent("question", lang, subject=named.group("s"), followup=True)
    if go_on and (not faq_words(rest, catalog, EXPERT_FILLER if everyone else frozenset()) or _why_reshaped(text, rest, catalog, context)):
        # the turn before, again ("详细" is the FAQ's word too): a question
        k, prev = recall.last_asked(context, catalog)  # or an expert; past small talk ("ok that's a lot of text")
        if prev.kind in ("expert", "topical") and everyone and (
                last := recall.last_topic(context, catalog)) in catalog.topics:  # "仨人观点各一句话总结下": all of them
            return Intent("question", lang, topics=(last,), followup=True)
        if prev.kind != "overview":  # after the list, "the HA one…, what's the gist" names its own subject
            return replace(prev, lang=lang, followup=True) if prev.kind in ("question", "expert") else Intent(
                "topical", lang, followup=True, rephrase=_as_retrieved(context, k, prev))  # as it was understood, else its retrieval
    if not refs and (everyone := _ALL_OF_THEM.search(text)) and (cues.OUTLINE.search(text) or _RETOLD.search(text)) \
            and not specific_faq_words(_RETOLD.sub(" ", cues.OUTLINE.sub(" ", text)), catalog, _TOLD_BY) \
            and not (names_term(text, catalog) if lang == "zh" else _names_more(clause_at(text, everyone.start()), catalog)) \
            and (last := recall.last_topic(context, catalog)) in catalog.topics:
        return Intent("question", lang, topics=(last,), followup=True)  # "按人拆成要点 每人不超过三条" (no request to go
        # on): all of them, retold
    if not refs and _COMPARES.search(text) and (_ALL_OF_THEM.search(text) or _TWO_SIDES.search(text)) and (
            last := recall.last_topic(context, catalog)) in catalog.topics and len(catalog.answers.get(last, ())) >= 2 \
            and _sides_only(text, last, catalog, lang):  # "两位思路好像不一样 一个靠网关管流量 一个靠拆集群 对比一下": their sides
        return Intent("question", lang, topics=(last,), followup=True)
    # "回溯那块展开说说": that part of the question it is on; not "里面说的镜像仓库，Harbor 的 robot 账号…" (a term of its own)
    last = recall.last_topic(context, catalog) if go_on and not names_term(rest, catalog) else None
    if last in catalog.topics and not catalog.topic_says(last, faq_words(rest, catalog)):  # "…，我们好多老系统要落盘":
        rest = cues.CONTINUE.sub(" ", clause_at(text, go_on.start()))  # the part is named in the clause that asks
    if last in catalog.topics and catalog.topic_says(last, faq_words(rest, catalog)):
        return Intent("topical", lang, topics=(last,), followup=True, from_context=True, rephrase=rest.strip())
    return None


# Asking for the answer in another shape, in so many words (not "再发一遍", nor "缩到 0"): "中文版", "精简点", "做成表格"
_RESHAPE = re.compile(r"中文版|英文版|简版|繁体|简体|繁中|正体|精简|简短|对比表|对照表|表格|要点|重点|一句话|白话|太长|每位|每人|分点|条列|总结|概括")
_ASKS_TOO = re.compile(r"[?？吗嗎么]|能不能|可不可以|有没有|是不是|会不会")


def _why_reshaped(text: str, rest: str, catalog: Catalog, context: Context) -> bool:
    """Does a reshape ("麻烦出个中文版…稍微精简点") say, beside it, only why or for whom ("客户运维老大不看英文"): words the
    question it is on does not use, naming no term of their own, in clauses that ask nothing?"""
    if not _RESHAPE.search(text) or any(cues.asks(c) or _ASKS_TOO.search(c) for c in cues.CLAUSES.split(text)
                                        if c and not _RESHAPE.search(c)) or names_term(rest, catalog):
        return False  # the cheap checks first: the question it is on is worked out from the turns before
    last = recall.last_topic(context, catalog)
    return last in catalog.topics and not catalog.topic_says(last, faq_words(rest, catalog))


# How the answers are to be told side by side ("两位各自怎么答的 逐条对一下", "一句话告诉我大家倾向哪边"): no subject of its own
_THEIR_SIDES = r"answers|replies|positions|views|takes|stances|sides|opinions"  # what each of them holds, in English
_ALL_OF_THEM = re.compile(people.EVERYONE.pattern + r"|[两俩三四五六]\s*位(?![数置])|每人|大家|(?<![a-z])the\s+(?:two|three)\s+(?:experts|"
                          + _THEIR_SIDES + r")(?![a-z])|(?<![a-z])(?:put|lay|set)\s+the\s+(?:two|three)(?:\s+(?:" + _THEIR_SIDES
                          + r"))?(?![a-z])")  # "两位各自…", "每人不超过三条", "put the two positions next to each other"
_RETOLD = re.compile(r"对比|对照|比较|比一下|比一比|差在哪|区别|差别|异同|总结|概括|提炼|拆成|逐条|一句话|[两三]句话?|倾向|立场|各自|分别"
                     r"|(?<![a-z])(?:compare|contrast|side\s+by\s+side|leans?\s+(?:on|towards?)|differ\w*|in\s+a\s+nutshell|one\s+line\s+each)(?![a-z])")
# ... and what they are told by ("三个人的办法对比一下 各自适合啥场景 列个表"): no subject either
_TOLD_BY = EXPERT_FILLER | frozenset({"办法", "方法", "做法", "思路", "场景", "适合", "优缺点", "利弊", "优劣", "表", "表格"})


def _sides_only(text: str, last: int, catalog: Catalog, lang: str) -> bool:
    """Does a request to compare the experts of question ``last`` name only what their answers there say, or, naming
    none of the FAQ's words, no term of its own ("put the two side by side"; not "how do the two of them differ on
    harbor")?"""
    bare = _COMPARES.sub(" ", text)
    if told := faq_words(bare, catalog, _TOLD_BY):
        return catalog.topic_says(last, told)
    return not (names_term(text, catalog) if lang == "zh" else _names_more(bare, catalog))


def _names_more(clause: str, catalog: Catalog) -> bool:
    """Does an English clause that asks for all the experts retold ("compare the three of them for me: who leans on what")
    name something beside (a word of four letters or more that neither the FAQ nor chatter uses: "… differ on harbor")?"""
    told = _RETOLD.sub(" ", _ALL_OF_THEM.sub(" ", cues.OUTLINE.sub(" ", clause)))
    return any(len(w) >= 4 for w in strangers(told, catalog))


# Where the answer is going and who reads it ("我要贴进周会纪要", "领导要看", "need to paste into confluence"): not its subject
_AUDIENCE = re.compile(r"(?:客户|领导|老板|同事|主管|处长)(?:那边|那里|这边)(?:有个|有位)?[^，,。？?]{0,12}|(?:我们?)?(?:要|得|想|准备|好)?(?:贴|放|抄|转|发|转发|转述|汇报)(?:进|到|给|去)[^，,。？?；;：:]{0,16}|(?:领导|老板|同事|处长|客户)(?:要|想|会)?(?:看|过目)|手机上?(?:看|读)"
                       r"|(?<![a-z])(?:paste|put|drop|send|forward|share)\s+(?:it\s+|this\s+|that\s+)?(?:in|into|to|with|on)\s+[^,.?;!]{0,30}")


def beside_go_on(text: str, go_on: re.Match, catalog: Catalog) -> str:
    """The words beside a request to go on ("再讲一遍", "浓缩成…"): the message's other words, or the request's clause
    alone when the clauses beside it only tell who the answer is for ("用大白话再讲一遍，我要转述给业务同事": no question
    mark, request or example among them); never where it goes (``_AUDIENCE``) or the columns after a colon ("整理成一张
    表：谁、建议了啥")."""
    said = go_on.group()
    before = _AUDIENCE.sub(" ", text[:go_on.start()])
    after = _AUDIENCE.sub(" ", re.sub(r"^的?(?:形式|格式|样子)", " ", text[go_on.end():]))  # "改成打勾清单的形式"
    after = re.sub(r"(?<=[表单格])\s*(?:[：:]|(?:吗|好吗|行吗|呢)?\s*[?？])[^。？?!！]*", " ", said + after)[len(said):]  # a table's columns
    text, start = before + said + after, len(before)
    rest = cues.OUTLINE.sub(" ", before + " " + after)  # "用繁体帮我条列重点": how to tell it, "重点" too
    here = clause_at(text, start)
    end = text.find(here) + len(here)  # the question mark of a request that asks nothing else ("可唔可以浓缩成一句？我要
    marks = text[:end] + (re.sub(r"^\s*[?？]", "", text[end:]) if not cues.asks(here) else text[end:])  # 转发去组群")
    if re.search(r"[?？吗么呢]", marks) or cues.INSIDE.search(said) or not faq_words(rest, catalog) or any(
            cues.asks(x) or re.search("讲|说|展开|比如|例如|比方", x) or cues.CONTINUE.search(x) for x in cues.clauses(text) if x != here):
        return rest
    return cues.OUTLINE.sub(" ", here.replace(said, " "))


# Asking for another question beside the one the conversation is on, or for two named, in one answer: told together
# ("这个和第五题一起讲讲", "两题一起整理", "合起来给我出个提纲", "再加上东西向安全", "and the ha one too, q10, both together");
# not "把关系紧密的业务放一起" or "一块走业务一块走管理" (their subject), nor "grouping related apps together"
_IN_ONE = (r"in(?:to)?\s+one\s+(?:go|answer|summary|page|reply|response|message|post)|side\s+by\s+side|next\s+to\s+(?:each\s+other|it|this|that)"
           r"|two\s+(?:separate\s+|distinct\s+)?(?:sections|parts|blocks|headings)|tack\s+on|(?:this|it)(?:\s+one)?\s+plus|in\s+the\s+same\s+(?:reply|answer|message|response|post|doc)"
           r"|one\s+after\s+the\s+other|(?:i|we)\s+need\s+both")  # "both in one reply", "add … next to it"
_SPLIT_IN_TWO = (r"分(?:成|开)?\s*[两俩二2]\s*(?:块|段|部分|个部分|节)|各(?:自)?(?:占|成|写|列|出|给)?一\s*(?:节|段|块|部分)|各(?:写|讲|说|答|列)各的|一前一后|[两俩二]\s*(?:道|题|个|部分|块|段)\s*分开"  # "分两块写",
                 r"|(?:跟|和|与|同)(?:这|这道|这个|它)[题道]?\s*并列|(?:放|写|合)(?:在|到|进)同一(?:份|个|篇|条)|放(?:在|到|进)?一(?:条|份|篇|个)(?:回复|回答|消息)里|(?<!整)合(?:在|到|进|成)一(?:份|篇|页|个回复|条回复|个回答|条消息)|分段(?:写|讲|说|列|给)|分节(?:列示|呈现|列出|说明|给出|写)|上下两(?:段|部分)")  # "各自一节": each its own part; "跟这题并列": beside it
_IN_HERE = r"(?:拉|并|放|加|合|塞|拼)进来|(?:再|也)(?:并|拼)上|打包带上"  # "顺便把滚动更新那题并进来": beside the one it is on
TOGETHER = re.compile(r"(?:一起|一齐|一块儿?|一并|合起来|合在一起|放一起|放在一起|放一块|连起来)\s*(?:[给帮替]我)?\s*(?:完整地?|全部|整个)?\s*(?:讲|说|看|聊|给|整理|答|回|发|对比|对照|比较|总结|介绍|列|出|梳理|过|贴|带上|附上|整|调|拎|拿|睇)|(?:跟|和|与)(?:这|这道|这个)[题道]?\s*合并|合并(?:整理|答复|回复|回答|说明|呈现|讲|写|列|给出)|[两俩二]\s*[题道个]各(?:给|讲|说|列|写)|合着(?:讲|说|写|看|整理)|(?:摆|放|拎)埋(?:一齐|一份|一起)"
                      r"|也?" + _IN_HERE + r"|" + _SPLIT_IN_TWO + r"|连(?:同|埋)?[^，,。？?！!]{1,24}?(?:一起|一齐|一块儿?|一并)|(?:一份|一个|一篇|做个)合并(?:的|后的)|一次性?(?:看|讲|说)完|一次过(?:答|讲|回|睇)晒?|顺(?:带|便)[^，,。？?]{0,12}也(?:讲|说|看|聊|发|贴)"
                      r"|[两俩二]\s*(?:个|题|道|块|者|样)?\s*(?:一起|一齐|一块儿?|一并)(?=\W*$|\s*(?:分开|各))|[两俩二]\s*(?:个|题|道|块)\s*都(?:要|得|讲|说|答|睇|看)|一次过[^，,。？?]{0,4}(?:讲|答|睇|说)埋|(?:跟|和|与|同)(?:这个|这题|这道|它)\s*(?:一起|一并|一块儿?)(?=\W|$)|也\s*(?:顺便|顺带)?\s*(?:一起|一并|一块儿?)(?=\W|$|来|吧)|一起来(?=\W|$)|[两俩二]\s*[个题道样份]?都要|[两俩二]\s*[题道个]\s*(?:放|摆|合)(?:在)?一(?:起|块)|一起上(?=\W|$)|分别(?:列|讲|说|给|写)出?[^，,。？?]{0,3}[两俩二]\s*[题道]|附上(?=[^，,。？?]{1,24}?[那这]\s*[题道])|[两俩二]\s*(?:道|题|个)?\s*合(?:成|在|为)?一(?:份|个|起|块|篇)|也捎上|[两俩]边都要|[题道]\s*合(?:成|在|为|到)?一(?:块儿?|起|份|篇)|前半[^，,。？?]{0,16}后半|[两俩二]\s*(?:个|题|道|块)\s*(?:对着|对照着?|比着)(?:讲|说|看)|也带上|(?:再|也)加上|再加(?=[^，,。？?！!]{1,24}?[那这]\s*[题道])|也要[^，,。？?]{0,4}分开(?:写|讲|说|列|答)|(?<![a-z])(?:(?:both|them|those|these|the\s+two)(?:\s+of\s+(?:them|those))?\s+(?:\w+\s+)?together|together\s*(?:pls|please|plz)?\W*$"
                      r"|(?:together|bundle\s+(?:it|this|that))\s+(?:with|w/)\s+(?:this|that|it|the)|(?:this|that|it)(?:\s+one)?\s+together\s+(?:with|w/)|(?<![a-z])add\s+(?:the\s+)?[\w/\s-]{0,50}?(?:question|one)\s+(?:as\s+well|too)|(?:answer|cover|do)\s+(?:the|both\s+as\s+a)\s+pair|(?:answer|cover|show|handle)\s+both(?![a-z])|(?:bring|pull)\s+in(?![a-z])|combine\s+(?:it\s+|this\s+|that\s+)?with|one\s+section\s+each|(?:its|their)\s+own\s+(?:section|heading)|separate\s+(?:headings|sections|answers|replies)|merge\s+in(?![a-z])|merge\s+(?:both|them|the\s+two|those|these)|pair\s+(?:this|that|it)\s+with(?=\s+(?:the|q\s*\d|#|question|this|that|it|whatever|what\s+the)(?![a-z]))|throw\s+in"
                      r"|alongside|along\s+with\s+(?:this|that|it|the)|cover\s+both|fold(?:\s+[\w/-]+){0,6}?\s+in(?![a-z])|(?:give\s+me|gimme|show\s+me|send\s+me|i\s+want)\s+both|single\s+(?:summary|answer|page)|" + _IN_ONE + r"|ones?\s+(?:too|as\s+well)"
                      r"|(?<!or\s)both(?:\s+answers)?\s*(?:pls|please|plz)?\W*$|(?:answered|covered)\s+together|add\s+q\s*\d{1,2}\s+(?:too|as\s+well)|need\s+both(?=\s+(?:for|of\s+them|please|pls)|\W*$)|^\W*(?:this|that)(?:\s+one)?,?\s+and\s+(?:also\s+)?(?:the|that)(?=\s)|combined\s+(?:answer|reply|summary|view|response))(?![a-z])")
# ... and a word saying the other comes beside the one it is on ("也", "俩", "too"): "第7个…连同专家回答一起贴" is question 7 alone
_ALSO = re.compile(r"也|再加上?|^\W*加上|加埋|外加|一并|[本这]题之外|顺(?:带|便)|[+＋]|^\W*连(?:同)?|连着|[同连]埋|(?:讲|说|睇|看|答|出|发|贴|摆|放|拎)埋|(?:那|这)\s*[题道]\s*(?:一并|一起|一块)|" + _IN_HERE + r"|带上|(?:叫|配|捎)上|[两俩二]\s*(?:个|题|道|块|者)|^\W*那|" + _SPLIT_IN_TWO + r"|(?<![a-z])(?:too|also|as\s+well|alongside|along\s+with|both|side\s+by\s+side|add|plus|tack\s+on|merge|combined|of\s+the\s+two(?!\s+(?:answers|experts|replies|views|people))|next\s+to\s+(?:it|this|that)|two\s+(?:sections|parts|headings)|combine)(?![a-z])"
                   r"|^\W*还有|^\W*(?:跟|和|同|与)(?=[^，,。？?]{1,20}?[那这]\s*[题道])|^\W*(?:and|what\s+about|how\s+about)(?![a-z])")  # or asks "what about…" beside it ("那高可用那题呢 一块讲下")
_CUE_WORDS = re.compile(r"一起|一齐|一块|一并|合起来|合在一起|合成|放一起|连起来|连同|连埋|带上|加上|加埋|捎上|摆埋|合着|合并|顺便|顺带|" + _IN_HERE + r"|对照|(?<![a-z])(?:together|combined?|alongside|along\s+with|cover|both|add|single"
                        r"\s+(?:summary|answer|page)|" + _IN_ONE + r"|too|as\s+well|merge|pair|throw\s+in|fold|in\s+with)(?![a-z])")
_THIS = re.compile(r"(?:^|[^哪])(?:这(?:个|题|道|一题|一道)?|呢(?:个|题|道)|本题)(?=\s*(?:顺便|顺带|也|再)?\s*(?:和|跟|与|加|外加|连同|同))|[同和跟与]\s*(?:这|呢)(?:个|题|道)|[同和跟与]\s*本题|[同和跟与][^，,。？?\s]{1,6}?这[题道]"
                   r"|(?<![a-z])(?:(?:this|it)\s+(?:one\s+|question\s+)?(?:together\s+)?(?:and|with|plus)|(?:pair|merge)\s+(?:this|that|it)|(?:with|w/|alongside)\s+this(?:\s+one)?)(?![a-z])")
_JOIN = re.compile(r"[，,、+&＋；;：:]|[.?!]\s|(?<![a-z])/|/(?![a-z])|(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])|(?<=[\u4e00-\u9fff])[?？!！。]|(?:和|跟|与|及|以及|加上|还有|同(?=[这呢那第]))|(?<![a-z])(?:and|plus|with|alongside)(?![a-z])")

# A message that says it leaves the answer before ("unrelated — …", "换个话题"): "in there" is not that answer again
_LEAVES = re.compile(r"(?<![a-z])(?:unrelated|different\s+(?:topic|question)|switching\s+(?:topics?|gears)|moving\s+on|by\s+the\s+way|btw)(?![a-z])|换个话题|跑个题")
_ASKS_END = re.compile(r"[呢吗嘛]\s*$")  # a piece that asks ("还有存储网络那些整体规划呢")


def _blanked(text: str, spans) -> str:
    """The text with the given (start, end) spans turned into spaces, its length unchanged."""
    for a, b in spans:
        text = text[:a] + " " * (b - a) + text[b:]
    return text


_APPOSITION = re.compile(r"^\s*(?:也就是|就是|即|(?<![a-z])(?:i\.?e\.?|namely|meaning)(?![a-z]))")


def _with_appositions(pieces: list[str]) -> list[str]:
    """The pieces with one that says what the piece before is ("规划那题也要 就是上平台前算力存储网络怎么定的那个") joined to
    it: one question described, not a second one."""
    joined: list[str] = []
    for piece in pieces:
        if joined and _APPOSITION.search(piece):
            joined[-1] += " " + piece
        else:
            joined.append(piece)
    return joined


def names_a_subject(text: str, catalog: Catalog, lang: str, aliases=None) -> bool:
    """Does a text name something of the FAQ beyond the words for its general subject: the FAQ's own words, or with
    ``aliases`` (``Context.aliases``) the glossary's words for them ("排障那题": 排障 is the glossary's 排查)?"""
    return bool(set(subject_words(text, catalog, BY_NUMBER_FILLER, lang)) - catalog.general_words
                or aliases is not None and aliases(text))


def two_at_once(text: str, refs, catalog: Catalog, context: Context, lang: str) -> Intent | None:
    """Two FAQ questions in one answer, one of them maybe the one the conversation is on: those named by number, those
    retrieval finds for the subjects named ("滚动更新跟高可用那两题也一起看"), and the one it is on when the message points
    at it ("这个和…") or names one other and says it comes beside ("也", "俩", "too"); None when that makes fewer than
    two."""
    cue = TOGETHER.search(text)
    if not cue or context.topic_of is None and not refs:
        return None
    this, also = _THIS.search(text), _ALSO.search(text)  # it points at the one it is on; it says another comes beside it
    named = [n for n, _ in refs if n in catalog.topics]
    if len(named) < 2:  # and the subjects named beside a number ("gimme q1 and the rolling update one side by side")
        rest = _CUE_WORDS.sub(" ", _blanked(text, [span for _, span in refs]))
        rest = re.sub(r"[(（][^()（）]*[)）]", lambda m: _JOIN.sub(" ", m.group()), rest)  # "the planning one too
        # (hardware, storage, network…)": what it is, no piece of its own; so are the words listed before one question
        rest = re.sub(r"、(?=[^，,。？?！!、\s]{1,12}?[那这]一?(?:[道个]?(?:题|问题)|道))", "", rest)  # ("高可用、好几个集群那道")
        pieces = _with_appositions(_JOIN.split(rest))  # those that name a question ("高可用那题") or ask ("…整体规划呢") when some do and one
        marked = [p for p in pieces if people.SUBJECT_QUESTION.search(p) or _ASKS_END.search(p)]  # is found; not the context
        before = len(named)
        for group in [marked, pieces] if marked else [pieces]:
            for piece in group:
                if names_a_subject(piece, catalog, lang, context.aliases if group is marked else None) and (  # "排障那题" too
                        found := _piece_topic(piece, catalog, context)) is not None:
                    named.append(found)
            if len(named) > before:
                break
        if len(named) == before:  # "再配上容器里查问题那道": a question named in other words than the FAQ's (the first found)
            found = next((n for p in marked if people.SUBJECT_QUESTION.search(p)
                          and (n := _piece_topic(p, catalog, context)) is not None), None)
            named += [] if found is None else [found]
        # "plus the question about making dev and testing faster — cover that alongside this one": its words whole, when no
        # piece of them names a question (not "line the two answers up side by side": two experts compared)
        if len(named) == before and not refs and (this or also and not (_ALL_OF_THEM.search(text) or _TWO_SIDES.search(text))):
            found = _piece_topic(rest, catalog, context)
            named += [] if found is None else [found]
    named = list(dict.fromkeys(named))
    last = recall.last_topic(context, catalog)
    if this and last in named:  # "这个和第四题" after a remark whose retrieval was question 4: "this" is the one before
        last = recall.earlier_topic(context, catalog)
    if last in catalog.topics and last not in named and (this or len(named) == 1 and also):
        named.insert(0, last)
    return Intent("question", lang, topics=tuple(named[:2]), followup=True) if len(named) >= 2 else None


def which_subject(text: str, which: re.Match, catalog: Catalog, lang: str) -> str:
    """What a request for a question by its subject names: its clause (English: its sentence) without the cue, else, when
    that names nothing ("这块有专门一题吧"), the words before it ("…怎么拿线程堆栈 这块有专门一题吧 发出来看看")."""
    asked = re.split(r"[.?!](?:\s|$)", text[which.start():])[0] if lang == "en" else clause_at(text, which.start())  # English:
    rest = cues.WHICH_QUESTION.sub(" ", asked)  # to the sentence's end ("is there an entry comparing OpenShift, Rancher and …")
    if names_a_subject(rest, catalog, lang) or _BARE_HAS.fullmatch(which.group()):
        return rest
    return cues.WHICH_QUESTION.sub(" ", text[:which.start()])


# "…，这里有讲吗": no word for a question, so left to retrieval (dev labels it a detail asked, kind answer: 3 rows of 5)
_BARE_HAS = re.compile(r"(?:有没有|是否有|有)(?:关于|有关|讲|涉及|谈到?)")


# The experts of the question compared ("两位的做法比一比", "把 zhuqibs 跟 liufengyi 的做法并排比一下", "put the two side by side")
_TWO_SIDES = re.compile(r"一个[^，,。？?]{1,12}?(?:一个|另一个)|(?<![a-z])one\s+[^,.?]{1,30}?(?:the\s+other|another)(?![a-z])")  # "一个偏平台一个偏应用"
_COMPARES = re.compile(r"对比|对照|比较|比一下|比一比|差在哪|区别|差别|异同|并排|(?<![a-z])(?:compar\w*|contrast\w*|side\s+by\s+side|next\s+to\s+each\s+other|differ\w*|versus|vs)(?![a-z])")


# ... three or more of them ("三个人的办法对比一下", "compare the three of them"): dev labels that the question again
_THREE_OR_MORE = re.compile(r"[三四五六仨]\s*(?:位|个?(?:人|专家|答主))|(?<![a-z])(?:three|four|five|six|all)\s+of\s+them(?![a-z])")


def compared(intent: Intent, question: str) -> Intent:
    """The intent marked ``compare`` when, on one question, it asks for two of its experts (not three or more), or two named,
    compared ("两位的思路差在哪？帮我对照一下"): dev labels such a reply kind ``answer``, not the question again."""
    on_one = intent.kind in ("question", "expert") and (intent.followup or intent.from_context) and len(intent.topics) == 1
    if not on_one or intent.aspect in ("count", "questions", "profile"):
        return intent
    text = cues.plain(normalise(question, phrases=False))
    two = intent.also or intent.kind == "question" and (_ALL_OF_THEM.search(text) or _TWO_SIDES.search(text))
    if two and _COMPARES.search(text) and not _THREE_OR_MORE.search(text) and not moves.step(text):
        return replace(intent, compare=True)
    return intent


def refined(intent: Intent, question: str, catalog: Catalog, aliases=None) -> Intent:
    """The intent after routing, seen whole: two experts compared (``compared``), or a message that only names a question
    by its subject ("講SDN的那題", "东西向网络安全那题", or in the glossary's words: "排障那题", ``aliases``): that question,
    whole (dev labels it kind ``question``)."""
    intent = compared(intent, question)
    if intent.kind != "topical" or intent.parts or intent.numbered or intent.rephrase:
        return intent
    text = cues.plain(normalise(question, phrases=False))
    named = people.SUBJECT_QUESTION.search(text)  # a question ("那题", "这道"), not a part ("存储那块")
    if not named or not re.search(r"[题道]", named.group()) or cues.asks(text):
        return intent
    beside = text[:named.start()] + " " + text[named.end():]
    subject = named.group("s")
    if names_nothing(beside, catalog) and names_a_subject(subject, catalog, intent.lang, aliases):
        return Intent("question", intent.lang, subject=subject, followup=intent.followup)
    return intent


_POINTS_AT_ONE = re.compile(r"[那这该哪边]\s*一?\s*[题道]|(?:相关|相应)的?(?:问题|题目)|(?<![a-z])(?:that|this)\s+q(?![a-z])|专门一?[题道]|(?<![a-z])(?:question|entry)(?![a-z])")  # "那题", "有专门一题"


def whole_named(text: str, catalog: Catalog, context: Context) -> tuple[int, ...]:
    """The question a request for a whole one names: by its title's words ("安全域那道 整题重贴"), unless retrieval finds
    another whose title says some of them; else, when it points at a question ("…k8s 要怎么规划，那题也给我看一下",
    "排障那块有专门一题吧 调出来"), the one retrieval finds for the rest."""
    topics, said = named_question(text, catalog, catalog.numbers)  # one question, or none
    if context.topic_of is None or not topics and not _POINTS_AT_ONE.search(text):
        return topics
    if topics:  # retrieval decides only between it and the other titles that say one of its words ("网络选型那题全部贴出来":
        others = [n for n in catalog.numbers if n != topics[0] and any(w in normalise(catalog.topics[n].title) for w in said)]
        if not others:  # question 4, whose title says 网络 (and 选择), not question 7, whose title says both words among
            return topics  # others; as respond.subject_topic decides a subject)
        found = context.topic_of(cues.WHOLE.sub(" ", text).strip())
        return (found,) if found in others else topics
    found = context.topic_of(cues.WHOLE.sub(" ", text).strip())
    found = context.topic_of(text) if found is None else found  # the request whole, when that is what retrieval covers
    return (found,) if found in catalog.topics else ()


def _as_retrieved(context: Context, k: int, prev: Intent) -> str:
    """Turn ``k`` as retrieval answered it: the whole turn, or when that is not covered the clause that names a question
    in it ("胖容器那道，复盘报告要引")."""
    turn = context.turns[k]
    return prev.rephrase if prev.rephrase and context.topic_of is not None and context.topic_of(turn) is None else turn


_WRAPPING = re.compile(r"(?<![a-z])(?:the|one|ones|question|q|pls|please|plz|too|also|that|this|it)(?![a-z])|[()（）]")


def _piece_topic(piece: str, catalog: Catalog, context: Context) -> int | None:
    """The question one of several named subjects is ("the troubleshooting one", "storage too pls", "滚动更新嗰题"): said in
    other words than the FAQ's, the one whose title or description holds the glossary's FAQ words for them ("storage":
    存储; retrieval reads "storage" as question 1's); else retrieval's, for the piece and then for it without the words
    around a subject ("the east-west one"). Not the title for the FAQ's own words: "网络选型那题" is question 4's 网络如何选择,
    not question 7's "网络的选型"."""
    groups = context.aliases(piece) if context.aliases is not None and not catalog.specific_words(piece) else []
    if groups:
        abouts = {n: normalise(t.title + " " + (t.description or "")) for n, t in catalog.topics.items()}
        found = [n for n, about in abouts.items() if all(any(alt and all(w in about for w in alt) for alt in group)
                                                          for group in groups)]
        if len(found) == 1:
            return found[0]
    if context.topic_of is None:  # no retrieval to ask (a Context built without one)
        return None
    n = context.topic_of(piece.strip())
    n = context.topic_of(_WRAPPING.sub(" ", piece).strip()) if n is None and _WRAPPING.search(piece) else n
    named = people.THE_X_QUESTION.search(piece) if n is None else None  # "can you do the sdn-or-not network one in english"
    return context.topic_of(named.group("s")) if named else n


speed_up(globals())  # the long patterns above, prefiltered (kbqa.text.prefilter)
