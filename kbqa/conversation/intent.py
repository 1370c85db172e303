"""What routing produces (``Intent``), what it reads of the conversation (``Context``), and the word tools it
decides with: the words of a question the FAQ uses (``faq_words``), those neither the FAQ nor chatter uses
(``strangers``), what a question names besides who or which (``subject_words``, ``subject_of``), and the question a
phrase names (``named_question``, ``is_title``)."""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Callable

from kbqa.conversation import cues, people
from kbqa.conversation.catalog import Catalog, function_word
from kbqa.conversation.numbers import REF
from kbqa.conversation.parts import X_NOT_X, split_parts
from kbqa.text.memo import text_cache
from kbqa.text.normalise import cjk_share, normalise, words
from kbqa.text.prefilter import speed_up

# words that carry no subject, by intent
META = frozenset("""问题 题目 题 问 话题 主题 内容 方面 知识 知识库 文章 篇文章 资料 文档 faq kb 这份 这篇 本 你 我 您 目录 列表 清单 所有 全部 都 啥 些
咋 问点 查 查询 难点 难题 挑战 痛点 平台 遇到 会遇到 碰到 面临 常 经常 建置 搭建 建设 常见
哪些 什么 有 能 可以 回答 解答 讲 讲了 说 说了 介绍 一下 下 看 看看 给 帮 帮助 列出 列 出来 分别 常见 是 个 几个 多少 总共 一共 这 那
涉及 覆盖 包括 包含 关于 问题列表 help questions question topics topic list all show me table contents cover covers
covered answer answers can could you do does what which this about faq kb document knowledge base are is the of
difficulties difficulty challenges challenge problems issues tell ask there any kind kinds sort sorts""".split())
BY_NUMBER_FILLER = META | set("""答案 回答 专家 专家们 都 怎么 怎么说 怎么看 讲的 问的 在 展开 详细 具体 原文 内容 的 呢 吧 吗 下一个 讲述 提供 烦请 各位 回复 连同 一起
在问 跟着 紧跟着 紧接着 接着 后面 前面 排在 say says said experts answered details detail explain what's whats 关心 不用 别的 直接 只 简单 简要 大概 大致 情况 不到""".split())
EXPERT_FILLER = META | set("""怎么 如何 怎样 咋 怎么做 做法 办法 方法 干 搞 说 说了 观点 看法 怎么看 怎么说 建议 推荐 认为 意见 评价 注意 注意事项 对 对于 关于 方面 态度 回答 回复 的 专家 那位 这位 位 他 她
它 他们 主要 还 还有 其他 另外 别的 呢 吧 吗 具体 详细 what did say said says think thinks view views opinion opinions recommend recommends
suggest suggests suggestion suggestions advice about on his her their does do answer answered expert position take guy guys
person engineer manager architect lead director designer company from answerer answerers reply replies replied response next first then bit part summarize summarise thread differ differs difference differences compare compared contrast 名单 列表 add added adds anything something different else
too also mention mentioned thread same bank banks firm vendor provider enterprise joint stock joint-stock tech technical
specifically exactly precisely particular particularly actually really detail details detailed listed was were is are
been angle 思路 经验 说法 厂商 银行 企业 companies org orgs organisation organisations organization organizations employer employers title titles
公司 单位 机构 职位 头衔 other whose one banker bankers who brought bring raised propose proposed proposing pushed pushing
software dev developer development systems team teams right fine ok okay cool alright sure 出现 露面 出场 现身""".split())
FOLLOW_MARK = re.compile(r"^(?:(?:ok|okay|so|right)\W+)?(?:那|那么|还有|另外|再|and\s|what\s+about\s|how\s+about\s)|呢\s*[?？]?$")
MAX_EXPERTS_NAMED = 3  # experts answered in one reply when a question names several


@dataclass(frozen=True)
class Intent:
    kind: str  # smalltalk | overview | question | expert | topical
    lang: str = "zh"  # zh | en: the language of the reply's frame text (the script follows the question)
    topics: tuple[int, ...] = ()  # question numbers asked for (question), or the context of an expert question
    missing: tuple[int, ...] = ()  # numbers asked for that the FAQ does not have
    expert: str = ""
    aspect: str = ""  # expert: profile | questions | views | subject | who_answered; smalltalk: greet | thanks | ...;
    # question: count (the questions picked by their number of answers: one question each, never a two-part answer)
    subject: str = ""  # what the rest of the question is about (expert subject, who answered what)
    parts: tuple[str, ...] = ()  # topical: two or more sub-questions
    followup: bool = False
    from_context: bool = False  # topics come from the question the conversation is on, not from this question
    rephrase: str = ""  # topical: the question to retrieve instead ("接着说" retrieves the previous question)
    also: tuple[str, ...] = ()  # expert: the other experts named with the first ("xiaoping378 和 Garyy 说了啥")
    numbered: int = 0  # topical: the one question number it names; shown rather than refusing ("先看第3题，我们也分了…")
    aside: str = ""  # topical: the question without an opener that says it asks anew ("顺带一问，…"), tried if it is refused
    compare: bool = False  # question or expert: the experts compared ("两位的做法比一比"), an answer drawn from theirs


@dataclass
class Context:
    """What earlier turns of the conversation refer to, worked out only when a question leans on them."""

    turns: list[str] = field(default_factory=list)  # the user's earlier questions, oldest first
    topic_of: Callable[[str], int | None] | None = None  # a retrieval-based topic of a topical question
    # the FAQ's words the glossary gives for a text's other words ("storage" -> [["存储"]]), each as its alternatives
    aliases: Callable[[str], list[list[list[str]]]] | None = None


def language(question: str) -> str:
    return "en" if cjk_share(question) < 0.3 and re.search(r"[A-Za-z]", question) else "zh"


def faq_words(text: str, catalog: Catalog, filler: frozenset[str] = frozenset()) -> list[str]:
    """The words of a question that the FAQ itself uses, once small-talk and overview cues, question numbers,
    expert names and filler are taken out: what makes a question about the FAQ's content. Words the FAQ never
    uses ("大佬", "lol", "菜单") are chatter here; retrieval and the decision handle unknown subjects."""
    return list(_faq_words(text, catalog, filler))


def specific_faq_words(text: str, catalog: Catalog, filler: frozenset[str] = frozenset()) -> list[str]:
    """``faq_words`` beyond the words the FAQ names its general subject with (容器, 平台…): what makes a message name
    something of the FAQ ("两个回答都看了" names nothing)."""
    return [w for w in faq_words(text, catalog, filler) if w not in catalog.general_words]


def who_words(catalog: Catalog, handles) -> set[str]:
    """The words of these experts' handles and organisations ("技术经理"): who they are, never a subject."""
    return set(words(normalise(" ".join(h + " " + catalog.experts[h].org_title for h in handles))))


def names_nothing(text: str, catalog: Catalog) -> bool:
    """Does a text hold neither the FAQ's words nor words it does not know ("答的人好多啊 看不过来", "盼复，谢谢")?"""
    return not faq_words(text, catalog) and not strangers(text, catalog)


@functools.lru_cache(maxsize=16)  # a few fillers, each a constant
def _with_filler(filler: frozenset[str]) -> frozenset[str]:
    return frozenset(cues.FILLER | filler)


@functools.lru_cache(maxsize=16)
def _phrases(filler: frozenset[str]) -> tuple[str, ...]:
    """The filler phrases of three characters or more (jieba's search mode cuts pieces out of them)."""
    return tuple(f for f in _with_filler(filler) if len(f) >= 3)


@text_cache(maxsize=2048)
def _content(text: str, catalog: Catalog) -> str:
    """The normalised text without cues, question numbers and expert names: what is left to ask about."""
    return catalog.strip_names(REF.sub(" ", cues.strip_cues(normalise(text))))


# Cached: routing asks it of the same clauses several times. The fillers are frozen sets (they key the cache); after a
# KB swap the old catalog stays referenced until its entries are evicted.
@text_cache(maxsize=2048)
def _faq_words(text: str, catalog: Catalog, filler: frozenset[str]) -> tuple[str, ...]:
    rest = _content(text, catalog)
    skip = _with_filler(filler)
    pieces = [x for w in words(rest) for x in ([w] if w in catalog.vocab else w.split("-"))]  # "api-gateway"
    return tuple(w for w in pieces if w in catalog.vocab and w not in skip and not w.isdigit()
                 and not set(w) <= cues.FUNCTION_CHARS)  # "这是", "那些": no subject


def asked_words(text: str, catalog: Catalog) -> set[str]:
    """The FAQ's words in the sentences of a message that ask (a question mark, or a question word), beyond its
    general words; not in those that only tell ("你是真人还是程序？我们做检查要在记录里写清楚沟通对象")."""
    asking = [x for x in re.split(r"(?<=[?？。！!])", text) if re.search(r"[?？]", x) or cues.ASKS.search(cues.strip_cues(x))]
    return set(specific_faq_words(cues.strip_cues(" ".join(asking)), catalog))  # not the cues' words


def strangers(text: str, catalog: Catalog) -> list[str]:
    """Words of a question that neither the FAQ nor chatter uses ("VLOOKUP", "函数", "headache"): a question
    made of these asks about something else, even if it also says "怎么用" or "hi". Not strangers: the pieces
    jieba's search mode cuts out of a filler phrase (不好意思 -> 不好, 意思), words its dictionary tags as
    function words (再来, 第一), runs of function characters it glued together (先给我个), and Latin compounds
    of known words (docker+k8s)."""
    rest = _content(text, catalog)
    skip = _with_filler(META)
    phrases = [f for f in _phrases(META) if f in rest]
    out = []
    for w in words(rest):
        if w in catalog.vocab or w in skip or w in catalog.general_words or w.isdigit() or len(w) < 2 \
                or function_word(w):
            continue
        if any(w in f for f in phrases) or set(w) <= cues.FUNCTION_CHARS:
            continue
        if re.fullmatch(r"[a-z]{3,}s", w) and w[:-1] in skip:  # "knows", "helps": an English filler word's -s form
            continue
        parts = [p for p in re.split(r"[+&/\-]", w) if p]
        if len(parts) > 1 and all(p in catalog.vocab or p in catalog.general_words or p in skip for p in parts):
            continue
        out.append(w)
    return out


def names_term(text: str, catalog: Catalog) -> bool:
    """Does the text name a Latin term neither the FAQ nor chatter uses ("VLOOKUP", "harbor")?"""
    return any(re.fullmatch(r"[a-z][a-z0-9.\-]*", w) for w in strangers(text, catalog))


def subject_words(rest: str, catalog: Catalog, filler: set[str], lang: str) -> list[str]:
    """What a question names besides who or which: the FAQ's words in it and, in an English question (the
    FAQ's vocabulary is its own language's: "app failover across k8s clusters" knows only k8s), its other
    English words that are not filler."""
    found = faq_words(rest, catalog, filler)
    if lang != "en":
        return found
    skip = _with_filler(META | filler)
    latin = [p for w in words(rest) if w.isascii() for p in w.split("-")]  # "troubleshooting-apps-in-containers"
    return found + [w for w in dict.fromkeys(latin) if len(w) >= 3 and w not in skip and not w.isdigit() and w not in found]


def clause_at(text: str, pos: int) -> str:
    """The clause of ``text`` (between cues.CLAUSES marks) that holds position ``pos``."""
    start = 0
    for m in cues.CLAUSES.finditer(text):
        if m.start() > pos:
            return text[start:m.start()]
        start = m.end()
    return text[start:]


def longest_words(ws: list[str]) -> list[str]:
    """The words that are not part of another one (jieba's search mode gives 科技部 and 科技 too)."""
    return [w for w in ws if not any(w != v and w in v for v in ws)]


_THE_QUESTION = [re.compile(rf"{start}(?P<s>(?:(?!\b(?:the|which|who|whose|what)\b)[\w/&+\- ]){{2,40}}?)\s+(?:question|q|topic)(?![a-z])")
                 for start in (r"(?<![a-z])the\s+", r"^\W*")]  # "the X question", else "X question - whose answer"


def subject_of(rest: str, named: list[str], lang: str, own_words: bool = False) -> str:
    """What retrieval is given for a subject: a question named by its subject ("东西向那一题底下挂了…": 东西向), else the
    rest, or in English its subject words alone ("say about" would not do). With ``own_words``, "this question"
    after the subject it points back at ("評估多安全域的部署方式，FAQ裡回這題的是哪幾位": not "FAQ裡回") is the rest's."""
    said = people.SUBJECT_QUESTION.search(rest) if lang != "en" else None
    the = next(filter(None, (p.search(rest) for p in _THE_QUESTION)), None) if lang == "en" and own_words else None
    if the and any(w in the.group("s") for w in named):  # "the dev/test productivity question": its words, filler too
        return the.group("s").replace("-", " ")
    if said and own_words and not any(w in said.group("s") for w in named) and any(
            w in rest[:said.start("s")] for w in named):
        said = None
    return said.group("s") if said else ("" if not named else (" ".join(named) if lang == "en" else rest))


def is_title(rest: str, topic, named: list[str]) -> bool:
    """Does the rest of a by-number question restate that question ("第2个问题讲的是产品选型吧", "说是讲网络的")? Its
    title, or its FAQ words (``named``) all in the title or description."""
    a, b = re.sub(r"\W+", "", rest), re.sub(r"\W+", "", normalise(topic.title))
    about = normalise(topic.title + " " + (topic.description or ""))
    return len(a) >= 6 and (a in b or b in a) or bool(named) and all(w in about for w in named)


# "回到最开始排查那道": going back, and when it was asked, before the subject that names it
BACK_TO = re.compile(r"^\W*(?:(?:还是|再)?(?:回到|返回|退回|绕回|切回|跳回|倒回)\s*)?(?:最开始|最早|一开始|开头|刚才|刚刚|早先|头先)?(?:问|看|聊)?(?:的|过的)?")


def named_question(rest: str, catalog: Catalog, among) -> tuple[tuple[int, ...], set[str]]:
    """The one question of ``among`` that a phrase like "排查那题" names (its FAQ words all in its title or
    description), and those words; else ((), set())."""
    m = people.SUBJECT_QUESTION.search(rest)
    said = catalog.specific_words(BACK_TO.sub("", m.group("s"))) if m else []
    found = [n for n in among if said and is_title("", catalog.topics[n], said)]
    return ((found[0],), set(said)) if len(found) == 1 else ((), set())


def sets_scene(own: str, catalog: Catalog, spaced: bool = False) -> bool:
    """Are the FAQ's words of a message only in clauses that ask nothing and name no question, or ask whether they may
    be asked about ("k8s网络、存储啥的都能问不"), beside one that asks
    this bot for its overview ("刚被派去做容器云调研，你这儿能答哪几类问题"; not "滚动更新那题，都有哪些大佬回答过")?
    A message typed without marks is read as typed, then (``spaced``) split at its spaces ("值班中 pod 挂了一堆 先看下目录")."""
    if not (cues.OVERVIEW.search(own) or cues.LISTS.search(own)):  # no clause can ask for the list (cheap: most messages)
        return False
    if not spaced and cues.SPACED.search(own) and sets_scene(own, catalog, True):
        return True
    clauses = [y for x in cues.clauses(own, spaced) for y in re.split(r"[:：]", x) if y.strip()]  # "想补补课：这里…有哪些"
    named = set(specific_faq_words(own, catalog))  # (jieba may cut a clause alone differently:
    scene = [x for x in clauses if specific_faq_words(x, catalog) or any(w in x for w in named)]  # 需求分析)
    return bool(scene) and not any((cues.ASKS.search(cues.strip_cues(x)) or cues.OVERVIEW.search(x) or cues.REQUEST.search(x)
                                    or re.search(r"题|question", x)) and not cues.CAN_ASK.search(x) for x in scene) and any(
        cues.OVERVIEW.search(x) and (cues.THIS.search(x) or cues.TO_THE_BOT.search(own)) or cues.LISTS.search(x)
        for x in clauses if x not in scene)


_I_NEED = re.compile(r"(?<![a-z])(?:i|we)\s+need(?![a-z])")  # "I need a one-glance view: …" says, it does not ask
_COLON = re.compile(r"[：:](?=\s|[\u4e00-\u9fff])")  # "…I need a one-glance view: which questions…": what it opens asks


def asks_for_overview(own: str, catalog: Catalog, spaced: bool = False) -> bool:
    """One clause asks for the list of questions, with no odd word (one in a one-clause message, or in a clause that
    points at this FAQ's questions: "lol", a typo, "这套问答的题目"), no other clause asks about something of its
    own ("Our users need to pull logs … What are the options?"), nor names a Latin term where it asks ("VLOOKUP 函数，
    有哪些用法"; not "从 slack 频道置顶的链接点进来的，…能问些什么"). A message typed without marks is read as typed,
    then (``spaced``) split at its spaces between Chinese words ("有目录没 高铁上信号差 发短点")."""
    if not spaced and cues.SPACED.search(own) and asks_for_overview(own, catalog, True):
        return True
    clauses = cues.clauses(_COLON.sub("。", cues.BRIEF.sub(" ", cues.PURPOSE.sub(" ", own))), spaced) or [own]
    wants = [bool(cues.OVERVIEW.search(x)) and (len(strangers(x, catalog)) <= (  # or asks for the list in so many words
        1 if len(clauses) == 1 or cues.NAMES_QUESTIONS.search(x) and cues.THIS.search(x) else 0) or bool(cues.LISTS.search(x)))
             or bool(cues.LISTS.search(x)) and not cues.ASKS.search(cues.strip_cues(x))  # "所有問題列晒出嚟", asking nothing else
             for x in clauses]
    if not any(wants):
        return False
    if any(cues.ASKS.search(_I_NEED.sub(" ", cues.strip_cues(x))) and (strangers(x, catalog) or faq_words(x, catalog))
           for x, w in zip(clauses, wants) if not w):
        return False
    asking = [x for x, w in zip(clauses, wants) if w or cues.ASKS.search(cues.strip_cues(x))]
    return len(clauses) == 1 or cjk_share(own) < 0.3 or not any(names_term(x, catalog) for x in asking)


_CHATTER = ("greet", "thanks", "bye", "ack")  # the small talk a part may be and still be no question


def question_parts(question: str, catalog: Catalog) -> tuple[str, ...]:
    """split_parts without the parts that introduce the asker ("您好，我们是…团队"), only greet or thank ("盼复，谢谢";
    not "用 Zookeeper 做跨集群调用靠谱吗"), or name nothing at all ("专家们咋讲", "具体怎么做")."""
    def asked(part: str) -> bool:  # the part ends in a question mark in the message (asked only of an intro part)
        return bool(re.search(re.escape(part[-8:]) + r"\s*[?？]", normalise(question, lower=False)))

    def chatter(part: str) -> bool:
        t = cues.plain(normalise(part, phrases=False))  # not "最好带上是哪位专家说的"
        if names_nothing(t, catalog):
            return True
        if cues.ASKS.search(cues.strip_cues(t)) or X_NOT_X.search(t):  # "…能不能共用一套"
            return False
        if cues.SELF_INTRO.search(t):  # "我们是县级农商行，钱不多：容器网络上SDN还是…？": the intro, then a question
            return not (asked(part) and specific_faq_words(cues.SELF_INTRO.sub(" ", t), catalog))
        return any(cues.SMALLTALK_RE[k].search(t) for k in _CHATTER) and cues.smalltalk_kind(t) in _CHATTER and len(
            [w for w in words(cues.strip_cues(t)) if not function_word(w) and w not in cues.FILLER]) <= 1  # (one of
        # their cues first: cheap, and smalltalk_kind, which tries every kind in turn, can only name one that matches)

    pieces = split_parts(question)
    parts = tuple(p for p in pieces if not chatter(p)) if len(pieces) > 1 else ()  # (one piece: no parts, whatever it is)
    if any(_POINTS_BACK_OPEN.match(normalise(p, phrases=False)) for p in parts[1:]):  # "…互相能访问？那他建议怎么分组":
        return ()  # a later part that opens on "he" asks on about the part before, not a question of its own
    return parts if len(parts) > 1 else ()


# A part that opens by pointing back at the expert of the one before ("那他建议…", "他说的…", "and he suggests…")
_POINTS_BACK_OPEN = re.compile(r"^\W*(?:那|那么|而且|and\s+)?\s*(?:他|她|佢)(?!们|哋)|^\W*(?:and\s+)?(?:he|she)(?![a-z])")


def says_any(catalog: Catalog, handle: str, topic: int, named: list[str]) -> bool:
    """Does their answer to the question use every word of the subject, or is there none?"""
    text = catalog.said(handle, topic)
    return not named or all(w in text for w in named)


def unknown_words(rest: str, catalog: Catalog) -> list[str]:
    """The words of an expert question's rest that are neither the FAQ's nor how people ask for a view."""
    return [w for w in strangers(rest, catalog) if w not in EXPERT_FILLER]


# Anything that asks: a "?", a question word or particle, "X不X", "…不", a request ("推荐", "说说", "tell", "help")
_ASKING = re.compile(r"[?？吗么嘛呢咩冇啥哪怎咋乜]|什么|多少|还是|(.)[不没]\1|[不没]\s*$|请|帮|给我|告诉|介绍|推荐|说说|讲讲|聊聊|解释|列|想知道|想了解|想问|求|问下"
                     r"|查(?:一下|下|查|询|到)|写[一个篇首段份封下点]|帮.{0,4}[写查]|计算|翻译|讲下|说下|看看|整理|比较|对比|分析|总结|举例|想学|输出|忽略"
                     r"|(?<![a-z])(?:tell|recommend|explain|help|want|" + cues.NEED + r"|looking|suggest|list|show|give|find|compare|please|pls"
                     r"|plz|wonder|curious|let\s+me\s+know|walk\s+me|tips|advice|write|draft|make|generate|calculate|translate"
                     r"|print|output|ignore|rate)(?![a-z])")


_THANKS = re.compile(r"谢|謝|(?<![a-z])(?:thanks|thank|thx|ty|cheers)(?![a-z])")


def remark(text: str, catalog: Catalog, cued: bool = False) -> str | None:
    """A remark, not a question: the message asks nothing at all (``_ASKING``, ``cues.asks``) and either holds a
    small-talk cue or speaks to the bot, naming nothing of the FAQ ("早安，平台組來報到", "這個助手做得不錯欸"), or
    opens with a greeting, thanks or an "ok", or closes with thanks or a goodbye, in a clause of its own beside the
    FAQ's words ("早啊 今天又得加班搞集群了", "嗯嗯 明白了 先去看监控了"; not "…接口 P99 抖得厉害"). Its small-talk kind
    ('ack' when it only speaks to the bot; ``cued``: None then), else None. "Not covered" answers a question, and a
    retrieval answer is no reply to "thanks": a remark asked none."""
    t = cues.plain(normalise(text, phrases=False))
    if _ASKING.search(t) or cues.asks(t):
        return None
    if not specific_faq_words(cues.SELF_INTRO.sub(" ", t), catalog):
        return cues.smalltalk_kind(t) or ("ack" if cues.TO_THE_BOT.search(t) and not cued else None)
    clauses = [c for c in re.split(r"[，,。.!！~～\s]+", re.sub(r"@\S+", " ", t)) if c]
    for clause, kinds in ((clauses[0], ("greet", "thanks", "ack")), (clauses[-1], ("bye", "thanks"))) if clauses else ():
        kind = cues.smalltalk_kind(clause)
        if kind == "thanks" and clause is clauses[-1] and not _THANKS.search(clause):
            continue  # "…接口 P99 抖得厉害": praise closing a report is no thanks
        if kind in kinds and not specific_faq_words(clause, catalog):
            return kind
    return None


_SENTENCE_END = re.compile(r"[。？?！!]")


_CLAUSE_END = re.compile(r"[，,;；]|" + _SENTENCE_END.pattern)


def story_beside(text: str, span: tuple[int, int], catalog: Catalog, topic=None) -> bool:
    """Does the sentence holding a question number name nothing else of the FAQ (or only what ``topic``, that
    question, is about: "第2个问题（讲产品选型的那个）") while the sentences around it ask nothing ("10号问题讲的是什么？
    我们数据中心明年要搞两地三中心，想先看看": a story told beside the number)?"""
    explicit = re.search(r"题|号|(?<![a-z])q", text[span[0]:span[1]])  # "8号问题", not "第三个" (of a list, maybe)
    for ends in (_SENTENCE_END, _CLAUSE_END) if explicit else (_SENTENCE_END,):  # "看下8号问题，我们…": a clause will do
        before = [m.end() for m in ends.finditer(text, 0, span[0])]
        after = ends.search(text, span[1])
        start, end = before[-1] if before else 0, after.end() if after else len(text)
        others = text[:start] + " " + text[end:]
        named = faq_words(REF.sub(" ", text[start:end]), catalog, BY_NUMBER_FILLER)
        if others.strip(" ，,。.!！?？") and not cues.asks(others) and (
                not named or topic is not None and is_title("", topic, named)):
            return True
    return False


def subject_clause(text: str, catalog: Catalog) -> str:
    """The clause that names a question by its subject ("高可用那题先看") when the clauses beside it ask nothing and name
    no other question ("保险集团在做两地三中心，高可用那题先看": a story told beside it; retrieval read question 4 in
    the story); "" otherwise."""
    named = people.SUBJECT_QUESTION.search(text)
    said = named.group("s").strip() if named else ""  # (a subject in words of its own: "问题定位那题"; in the FAQ's
    if not named or not (specific_faq_words(said, catalog) or strangers(said, catalog) or len(said) >= 3 and said in catalog.text):
        return ""  # own words, however jieba cuts them: "胖容器那道")
    clauses = cues.clauses(text, spaced=True)
    if len(clauses) == 1 and named.end() < len(text.rstrip()) and not specific_faq_words(text[named.end():], catalog):
        # "网络选型那道我们在做评审": no mark after the name, and nothing of the FAQ after it (not "HA 那题（集群间故障转移）…")
        clauses = [text[:named.end()], text[named.end():]]
    here = next((x for x in clauses if named.group() in x), "")
    others = [x for x in clauses if x != here]
    besides = here.replace(named.group(), " ")  # "…先看": it only names the question ("…那块要准备哪些材料" asks more)
    if not here or not others or not names_nothing(besides, catalog) or re.search(r"[?？]", text) or any(
            _ASKING.search(x) or cues.asks(x) or people.SUBJECT_QUESTION.search(x) for x in others):  # ("…，计算资源用
        return ""  # 实体机还是VM": the other clause asks)
    return here


speed_up(globals())  # the long patterns above, prefiltered (kbqa.text.prefilter)
