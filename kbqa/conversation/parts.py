"""Two questions in one: the sub-questions of a message that may ask two things (``split_parts``). Whether two
FAQ questions answer them is retrieval's to decide (``Responder.multi``)."""
from __future__ import annotations

import re

from kbqa.text.normalise import cjk_share, normalise, words
from kbqa.text.prefilter import speed_up

_CLAUSE_END = re.compile(r"[?？!！;；。]+")
# the items of a numbered list, two or more: "1. … 2. …", "1) … 2) …", "（1）…（2）…", "1.pod… 2.k8s…" (not "1.26" or
# "2.x": versions)
_ITEM = r"\d{1,2}[.、)）](?=\s|[\u4e00-\u9fff])|\d{1,2}[、)）](?=[A-Za-z])|\d{1,2}\.(?=[A-Za-z][A-Za-z0-9])|[（(](?:\d{1,2}|[a-dA-D])[)）]"
# and "(a) … (b) …", "a. … b. …"
_LIST_ITEM = re.compile(rf"(?:^|\s|[：:，,？?。！!；;])(?:{_ITEM}|[a-d][.)）](?=\s))|[（(](?:\d{{1,2}}|[a-dA-D])[)）]")
# after an announcement ("俩问题：1 … 2 …", "三个事 1多安全域… 2 flannel…"), items numbered by a bare digit before a
# space or a Chinese character, typed on a phone
_BARE_ITEM = re.compile(r"(?:^|\s)[1-9](?:\s+(?=[^\s\d])|(?=[\u4e00-\u9fff]))")
_LIST_LEAD = re.compile(rf"^(.{{0,60}}?)[：:]\s*(?={_ITEM})")  # "两个问题：" before the list
# "@kbqa india team asks: …", "ops 想问：…": who is asking, before a colon
_COLON_LEAD = re.compile(r"^((?:@[^:：?？。.!！]{0,38}?|[^:：?？。.!！]{0,38}?(?<![a-z])(?:asks?|asking|wonders?|wants?\s+to\s+know)|[^:：?？。.!！]{0,38}?(?:想问|请教|提问|问问|问一?下|问的|问了[^:：?？。.!！]{0,12}|问[两二三俩几][^:：?？。.!！]{0,6})))[：:]\s*(?=\S)", re.I)
_CONNECTOR = re.compile(r"(?:(?<![^，,、\s….~～)）])(?:另外|同时|同埋)|此外|还有|仲有|以及|再附加|追加一?个?(?:问题)?|顺便问(?:一?下)?|再问(?:一?下)?|顺带(?:问(?:一?下)?)?|顺便|(?<![a-z])(?:also|btw|plus|and\s+also|on\s+a\s+separate\s+note),?(?![a-z])"
                        r"|(?:(?<=[,;])\s*|\s+and\s+)(?:and\s+)?separately\s*[,:—–-]*\s*(?=[a-z])"
                        r"|additionally,?|\s[+&/]\s|(?<![a-z0-9])\s*[+&＋]\s*(?=[^\d])|\s*[+&＋]\s*(?=[^\da-z]))")  # not "docker+k8s"
# "除了 calico 之外，还有哪些插件": what it leaves out, before 还有 ("else"), is no question of its own
_BESIDES = re.compile(r"^\s*(?:除了|除咗|除开|除去)[^，,。？?]{1,30}(?:之外|以外|外)\s*$")
# Chinese enumeration: "一是…；二是…", "其一…其二…", "第一，…第二，…"
_CN_ITEM = re.compile(r"(?:^|(?<=[：:，,；;。！？!?\s]))(?:[一二三四五]是|其[一二三四五]是?|第[一二三四五](?:个问题|点|条)?是?[，,、：:]"
                      r"|(?:另外|另)?一(?:个|块|方面|部分)是|第[一二三四五]个是|(?:[qQ]|[qQ]uestion\s*)[1-5]\s*(?:[:：)]|[—–]|-(?=\s))"  # "… Q1: … Q2: …", "Q1 — … Q2 — …"
                      r"|(?:[Ff]irst|[Ss]econd|[Tt]hird)(?:ly)?\s*[:：,，])")  # "First: … Second: …"
X_NOT_X = re.compile(r"([\u4e00-\u9fff])不\1")  # "能不能", "够不够": a question
_QUESTION_WORD = re.compile(r"怎么|如何|什么|吗|哪|为什么|为何|是否|能否|要不要|好还是|有没有|可不可以|该不该|咋|啥|" + X_NOT_X.pattern +
                            r"|(?<![a-z])(?:how|what|which|why|should|can|could|do|does|is|are|when|where|who)(?![a-z])")
# a clause that sets the scene for the next one ("When an app outside calls …, how can I …") asks nothing alone
_SUBORDINATE = re.compile(r"(?:(?:when|if|as|because|since|while|once|after|before|whenever)(?![a-z])|如果|假如|假设|要是|当)")
_COMMA = re.compile(r"[，,](?![^()（）]*[)）])\s*(?:and\s+|而|又)?")  # not inside brackets: "(OpenShift, Rancher)"
# "how do we X and how should we Y": an English "and" that starts a second question
_AND_ASKS = re.compile(r"\s+and\s+(?=(?:how|what|which|why|should|can|could|do|does|did|is|are|was|were|has|have|would|will|when|where|who)(?![a-z]))",
                       re.I)
# "Two things: …", "两个问题：…": the message says it asks several things, so its clauses split even when one
# of them asks nothing in words ("SDN vs underlay for container networking")
_ANNOUNCED = re.compile(r"^[^:：?？]{0,40}?(?:(?:另外|还有|再)[两俩二三](?:个|件)?(?=\s*[:：])|(?<![a-z])(?:two|three|2|3|a\s+couple\s+of|several)\s+(?:[a-z]+\s+)?(?:things|questions|qs|asks|requests|queries|answers|bullets|points|parts|items|issues|topics)"
                        r"|(?<![a-z])pair\s+of\s+(?:q'?s|questions|asks)|(?<![a-z])(?:two|three|2|3|a\s+couple)\s+more(?![a-z])|再(?:加|问)?[两俩三](?:个|件)?(?=[:：])|[两俩二三23]连(?:问|发)|问[两俩二三23]\s*(?:个|件)|(?<![a-z])(?:quick\s+)?pair(?=\s*[:：])|(?<![a-z])(?:quick\s+)?q'?s(?=\s*[:：])|(?<![a-z])(?:need\s+)?both(?=\s*[:：])|^(?:two|three|2|3)\s+(?=for\s)|[两二三俩几23]\s*(?:个|件)?\s*(?:[\u4e00-\u9fff]{1,3}的)?(?:问题|疑问|疑惑|困惑|事情|事|点|句|块|部分|方面)|[两二三俩](?:个|件)?\s*questions?(?![a-z]))[^:：?？.。]{0,40}?\s*(?:要问|想问|请教)?\s*(?:[:：]|\s[—–-]+)\s*", re.I)  # "…two points - do we …"
# "背景：…。我想问两件事：A；以及B": the announcement after a story, which asks nothing
_ANNOUNCED_LATER = re.compile(r"[。.!！?？]\s*[^。.!！?？：:]{0,12}?[两俩二三23]\s*(?:个|件)?\s*(?:问题|事情?|疑问|点)[^。.：:]{0,6}[：:]\s*")
# "三件事 A/B/C", "two qs  …": an announcement typed without a colon, then a space
_ANNOUNCED_SPACE = re.compile(r"^(?:[两二三俩23]\s*(?:个|件)?\s*(?:问题|事情?|疑问)|[两二三俩23]连(?:问|发)[^\w\s]*|(?:two|three|2|3)\s+(?:things|questions|qs))\s+(?=\S)", re.I)
# in an announced message that no other mark splits: "A、B、C", "A/B/C"
_ENUM = re.compile(r"\s*[、/／]\s*(?![^()（）]*[)）])")
# "…，两个一起答" / "…, answer both": said after the questions, it announces them the same way
_ANNOUNCED_AFTER = re.compile(r"(?:[，,]|\s(?=\s*(?:这)?(?:[两二三3]个|俩)))\s*(?:(?:这)?(?:[两二三3]个|俩个?)(?:问题)?|都)?\s*(?:一起|一并|分别|都)(?:答|回答|回复|说说|讲讲|问了|问问|问|说|讲)(?:一下|下)?\W*(?:谢谢|多谢|感谢)?\W*$"
                              r"|[，,]\s*(?:这|呢)?[两二](?:样|个|件|点)(?:嘢|东西|事情?)?\s*[^，,。？?]{0,8}?(?:建议|看法|怎么看|点睇|意见)[^，,。？?]{0,4}\W*$"
                              r"|[,.]?\s*(?:please\s+)?answer\s+both(?:\s+please)?\W*$"
                              r"|\s*[,.;—–-]+\s*[^,.;—–?-]{0,40}?(?<![a-z])(?:on|about|to|for)\s+both(?:\s+of\s+(?:them|these|those))?\W*$", re.I)
_BOTH = re.compile(r"^(?P<a>[^，,]{1,20}?)(?:[，,]?(?:和|与|跟|及|以及)|、?加上)(?P<b>[^，,]{1,30}?)[，,]?\s*(?:分别|各自|都|这两[块个项点条题道]|两[块个项点条题道]|这两方面|两方面|这俩|俩)"
                   r"(?P<rest>.+)$")

# "A跟B，能不能放一起讲讲" / "A 与 B，各说一下": two subjects, and a request to tell about both
_TELL_BOTH = re.compile(r"^(?P<a>[^，,]{1,30}?)\s*(?:和|与|跟|及|以及)\s*(?P<b>[^，,]{1,40}?)[，,]?\s*(?:能不能|可不可以|可以|可否|请|麻烦)?"
                        r"(?:放一起|放在一起|放一块儿?|放在一块儿?|一起|一并|合起来|各|分别)(?:给我|给|来)?(?:一句话|一两句|一段话?|个)?的?"
                        r"(?:讲|说|介绍|聊|结论|总结|概括|要点|重点)(?:讲|说|聊)?(?:一下|下)?(?:就行|就好|即可|就可以)?\W*$")

# "…；二是…。这两块分别咋搞？": a last sentence that only asks about the items listed before it
_TELL_ONLY = re.compile(r"^\W*(?:请|麻烦|帮我)?(?:分别|各自|各|一起|一并)(?:给我|给)?(?:讲|说|聊|介绍|回答|答)(?:讲|说)?(?:一下|下)?(?:呗|吧|哈|啊|呀)?\W*$")
_WRAP_UP = re.compile(r"[。.！!？?]\s*(?:那)?(?:这|那)?(?:两|三|几)(?:块|个|件|点|方面|部分)(?:问题|事情?)?(?:分别|各自|都)?(?:该)?(?:怎么|咋|如何)"
                      r"(?:搞|做|弄|办|处理|解决|回答|答|看)\W*$")
# "“…” 和 “…” 这两条分别怎么答的": two quoted lines (of the FAQ, pasted back), each a question
_QUOTED_PAIR = re.compile(r"[“\"「『](?P<a>[^”\"」』]{2,40})[”\"」』]\s*(?:和|与|跟|及|以及|还有|and|&)\s*[“\"「『](?P<b>[^”\"」』]{2,40})[”\"」』]")


# "…；顺带问下，…", "… Separately, …": a second question said to be one, after the first
_SECOND = re.compile(r"(?:顺便|顺带|另外|再)问(?:一?下|个)|另(?:外)?一个问题|还有(?:一)?个问题|(?<![a-z])(?:separately|separate\s+(?:topic|question|note)"
                     r"|unrelated|another\s+question|one\s+more\s+(?:question|thing))(?![a-z])", re.I)


def _announcement(text: str) -> re.Match | None:
    """Where a message says it asks several things: before them ("Two things: …", "背景：…。我想问两件事：…") or after
    them ("…，两个一起答", ``_ANNOUNCED_AFTER``)."""
    return (_ANNOUNCED.match(text) or _ANNOUNCED_SPACE.match(text) or _ANNOUNCED_AFTER.search(text)
            or _ANNOUNCED_LATER.search(text))


_BULLET = re.compile(r"(?:^|(?<=[：:]))\s*([-•*·●▪])\s")  # the first bullet of a list: at the start, or after a colon


def _bullets_numbered(question: str) -> str:
    """A message listing two or more items after bullets ("帮忙看两个点：- pod 之间… - 网络用…", its lines joined), its
    bullets as numbered items ("(1) …"); else the message."""
    first = _BULLET.search(question)
    if not first:
        return question
    mark = re.compile(r"(?:^|\s)" + re.escape(first.group(1)) + r"\s")
    head, tail = question[:first.start()], question[first.start():]
    if len(mark.findall(" " + tail.lstrip())) < 2:
        return question
    k = iter(range(1, 100))
    return head + mark.sub(lambda _: f" ({next(k)}) ", " " + tail.lstrip())


def announced(question: str) -> bool:
    """Does the message say it asks several things ("俩问题：1）… 2）…", "Two things: …", "…；顺带问下，…")?"""
    text = normalise(_bullets_numbered(question), lower=False).strip()
    return bool(_announcement(text) or len(_LIST_ITEM.findall(text)) >= 2 or _SECOND.search(text, 2))


# "A…；另外B…", "A…. Also, B…", "…有推荐的工具没。再一个，…": a later clause opens with a word that adds a question
_JOINED = re.compile(r"[，,。.;；？?！!\s]\s*(?:另外|此外|还有(?=[，,：:\s])|再一个|再者|仲有|顺便|顺带|(?<![a-z])(?:also|plus|btw|secondly|second|and\s+also)(?![a-z]))"
                     r"|[？?]\s*还有", re.I)  # "…一套跨区？还有开发测试云上的私有仓库…"
# "how to tcpdump one container's traffic, and how to roll back …": a second "how" after a clause of its own
_AND_HOW = re.compile(r"(?:^|[.?!。？！])\s*(?P<first>[^.?!。？！,]+),\s*and\s+how\s", re.I)


def joined(question: str) -> bool:
    """Does a later clause of the message open with a word that adds a second question ("另外", "还有", "also")?"""
    text = normalise(question, lower=False)
    return bool(_JOINED.search(text, 2)) or any(len(m.group("first").split()) >= 3 for m in _AND_HOW.finditer(text))


_ALTERNATIVE = re.compile(r"^\s*(?:还是|或者|或是|抑或|(?:or|or\s+should|or\s+do)(?![a-z]))", re.I)


def asks_twice(question: str) -> bool:
    """Does the message end two sentences or more in a question mark, the later ones not an alternative to the one
    before ("…支持吗？还是要换别的？" asks once)?"""
    text = normalise(question, lower=False)
    asked = [x for x in re.findall(r"[^?？]+[?？]", text) if x.strip(" ?？")]
    return len(asked) >= 2 and not any(_ALTERNATIVE.match(x) for x in asked[1:])


def split_parts(question: str) -> tuple[str, ...]:
    """Sub-questions of a message that may ask two things: clauses ending in ？/。/;, clauses joined by
    另外/还有/also, clauses after a comma when both sides ask something; "A和B分别…" as "A…" and "B…"; "A跟B，
    放一起讲讲" as "A" and "B"."""
    question = re.sub("[①-⑩]", lambda m: f"({ord(m.group()) - 0x245F})", _bullets_numbered(question))  # ① -> (1): an item mark
    text = normalise(question, lower=False).strip()  # Traditional connectors (還有) split like Simplified ones
    announced = _announcement(text)
    if announced:  # the questions, without the words that announce them
        text = text[:announced.start()] if announced.re.pattern == _ANNOUNCED_AFTER.pattern else text[announced.end():]
    lead = _LIST_LEAD.match(text) or _COLON_LEAD.match(text)
    if lead and not _QUESTION_WORD.search(lead.group(1).lower()):  # "两个问题：1. … 2. …": the lead-in asks nothing
        text = text[lead.end():]
    # "(Calico? flannel?)": marks inside brackets end no clause
    text = re.sub(r"[(（][^()（）]*[)）]", lambda m: re.sub(r"\s*[/+&＋]\s*", "/", _CLAUSE_END.sub(" ", m.group())), text)  # "(DMZ / core)"
    items = _CN_ITEM.split(text) if len(_CN_ITEM.findall(text)) >= 2 else []
    listed = False
    if items:  # "…两个疑问：一是…；二是…": each item whole (its commas join its clauses); the lead-in asks nothing
        pieces = [items[0]] if _QUESTION_WORD.search(items[0].lower()) else []
        pieces += [p.strip(" ；;。？?！!") for p in items[1:] if p.strip()]
        pieces[-1:] = [_WRAP_UP.sub("", p) for p in pieces[-1:]]
        announced = None
    else:
        pieces = [p for p in _CLAUSE_END.split(text) if p.strip()]
        pieces = [p for p in pieces if not _TELL_ONLY.match(p)] or pieces  # "…。分别说说呗": asks for both, no third
        listed = len(_LIST_ITEM.findall(text)) >= 2
        if listed:  # each numbered item whole, its sentences one question ("1) …互通？安全上点处理？2) …")
            lead, *items = _LIST_ITEM.split(text)
            pieces = [p for p in _CLAUSE_END.split(lead) if _QUESTION_WORD.search(p.lower())]  # not "we want to know"
            pieces += [_CLAUSE_END.sub("，", q).strip(" ，") for q in items if q.strip(" ，,")]
            pieces = [_TRAILING_AND.sub("", p) for p in pieces]
        elif announced and [int(m.group().strip()) for m in _BARE_ITEM.finditer(text)] in ([1, 2], [1, 2, 3]):
            pieces = [q for p in pieces for q in _BARE_ITEM.split(p) if q.strip()]
    out: list[str] = []
    clauses = [[q.strip(" ，,、") for q in _CONNECTOR.split(p)] for p in pieces]  # each sentence's, at its connectors
    clauses = [[qs[0] + "，" + qs[1], *qs[2:]] if len(qs) > 1 and _BESIDES.match(qs[0]) else qs for qs in clauses]
    # "关心两点：A这类东西挪上容器，盘该怎么选；再就是B怎么弄": as many sentences as it says it asks, its commas split none;
    # in Chinese also as many items as its connectors join ("三连问 A，B / C / D"; in English "canary / rolling" is one)
    counts = {sum(bool(p.strip(" ，,、")) for p in pieces)}
    if cjk_share(text) >= 0.5:
        counts.add(sum(bool(q) for qs in clauses for q in qs))
    counted = bool(announced) and _count(announced.group()) in counts - {0}
    for qs in clauses:
        for q in qs:
            if not q:
                continue
            commas = [c.strip() for c in _COMMA.split(q) if c.strip()] if not counted else [q]
            if len(commas) > 1 and announced and not listed:  # "…这种分法下，k8s要不要按区拆集群": one clause
                commas = _with_settings(commas)
            if len(commas) > 1 and announced and not listed or len(commas) > 1 and not listed and all(_QUESTION_WORD.search(c.lower()) and not _SUBORDINATE.match(c.lower())
                                       for c in commas[:-1]) and _QUESTION_WORD.search(commas[-1].lower()):
                out.extend(commas)
            else:
                out.append(q)
    out = [x for o in out for x in _and_asks(o)]
    if announced and len(out) == 1:  # "三件事 A/B/C", "A、B、C，三个一起回答一下"
        items = [x for x in _ENUM.split(out[0]) if x.strip()]
        out = items if len(items) > 1 and all(len(words(x)) >= 2 for x in items) else out
    elif announced:  # "两块：A怎么管控、B怎么做灰度，给点依据": items that each ask
        out = [x for o in out for x in _asked_items(o)]
    if len(out) == 1:
        one = normalise(out[0], lower=False)
        m = _BOTH.match(one)
        both = _TELL_BOTH.match(one) if m is None else None
        quoted = _QUOTED_PAIR.search(one)
        if quoted:
            out = [quoted.group("a"), quoted.group("b")]
        elif m:
            out = [m.group("a") + m.group("rest"), m.group("b") + m.group("rest")]
        elif both:
            out = [both.group("a"), both.group("b")]
    out = [_LEAD_IN.sub("", o.strip()).strip() for o in out]  # "And how do we …": the part without its connector
    out = [o for o in out if len(words(o)) >= 1]
    return tuple(out) if len(out) > 1 else ()


_COUNT = re.compile(r"(?<![a-z])(two|three|a\s+couple|pair|both)(?![a-z])|([两二俩23三])", re.I)


def _count(announcement: str) -> int:
    """How many things an announcement says the message asks ("两点：" 2, "three things:" 3); 0 when it does not say."""
    m = _COUNT.search(announcement)
    if not m:
        return 0
    return 3 if (m.group(1) or m.group(2)).lower() in ("three", "3", "三") else 2


def _asked_items(clause: str) -> list[str]:
    """A clause of an announced message split at 、 or / when every item asks something of its own."""
    items = [x for x in _ENUM.split(clause) if x.strip()]
    return items if len(items) > 1 and all(len(words(x)) >= 2 and _QUESTION_WORD.search(x.lower()) for x in items) else [clause]


_TRAILING_AND = re.compile(r"\s*(?:(?<![a-z])(?:and|or)|以及|和|还有)\s*$", re.I)  # "(a) … and (b) …": the "and" ends (a)
_LEAD_IN = re.compile(r"^(?:(?:and|also|plus|then|so)\s+|(?:另外|还有|以及|同时|那么|那|先问|再问)\s*"
                      r"|(?:separate(?:ly)?|unrelated|another|other)(?:\s+(?:q|qs|question|thing|note|topic|one))?\s*[:：—–]\s*)", re.I)  # "Separate q: …"


# a Chinese clause that sets the scene for the next one ends in a mark of condition or time ("…分法下", "拆成几套之后")
_SETTING = re.compile(r"(?:之后|以后|之前|以前|的话|的时候|时|(?<![一两几])下)\s*$")


def _with_settings(clauses: list[str]) -> list[str]:
    """Each clause that only sets the scene ("这种分法下") joined to the clause after it."""
    out: list[str] = []
    for c in clauses:
        if out and _SETTING.search(out[-1]):
            out[-1] = f"{out[-1]}，{c}"
        else:
            out.append(c)
    return out


def _and_asks(clause: str) -> list[str]:
    """A clause split where an English "and" starts a second question, when the first part asks too."""
    halves = _AND_ASKS.split(clause, maxsplit=1)
    if len(halves) == 2 and _QUESTION_WORD.search(halves[0].lower()) and not _SUBORDINATE.match(halves[0].lower()):
        return [halves[0].strip(), halves[1].strip()]
    return [clause]


speed_up(globals())  # the long patterns above, prefiltered (kbqa.text.prefilter)
