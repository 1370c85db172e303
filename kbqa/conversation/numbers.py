"""Question numbers as people write them: 问题7, 第七个问题, 第7题, Q7, question 7, the third one, 最后一个问题
(``ref_numbers``), and Chinese numerals (``cn_number``). Nothing here is about one FAQ."""
from __future__ import annotations

import re

from kbqa.text.prefilter import speed_up


# ---- numbers ------------------------------------------------------------------------------------------
_CN_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
             "壹": 1, "贰": 2, "叁": 3, "肆": 4, "伍": 5, "陆": 6, "柒": 7, "捌": 8, "玖": 9}  # and the financial forms
_CN_NUM = r"(?:[零〇一二三四五六七八九十百壹贰叁肆伍陆柒捌玖拾]|(?<![零〇一二三四五六七八九十百])两)+"  # not "第四两道": 四, then 两道
_EN_ORD = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
           "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "last": -1, "final": -1}
_EN_CARD = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
            "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
            "seventeen": 17, "eighteen": 18, "nineteen": 19}
for _t, _tens in enumerate(("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"), 2):
    _EN_CARD[_tens] = 10 * _t  # and "twenty-three", "twenty three": a question out of range is said so
    _EN_CARD.update({f"{_tens}{sep}{w}": 10 * _t + n for w, n in list(_EN_CARD.items())[:9] for sep in "- "})
_EN_CARDS = "|".join(sorted(_EN_CARD, key=len, reverse=True))  # the longest first: "twenty-three", not "twenty"


def cn_number(text: str) -> int | None:
    """一 -> 1, 十 -> 10, 十二 -> 12, 二十三 -> 23, 一百 -> 100; digits as they are."""
    if text.isdigit():
        return int(text)
    text = text.replace("拾", "十")
    if not text or any(c not in _CN_DIGIT and c not in "十百" for c in text):
        return None
    if "百" in text:
        head, _, rest = text.partition("百")
        h = _CN_DIGIT.get(head, 1) if head else 1
        r = cn_number(rest.lstrip("零〇")) if rest else 0
        return None if r is None else h * 100 + r
    if "十" in text:
        head, _, rest = text.partition("十")
        tens = _CN_DIGIT.get(head, 1) if head else 1
        ones = _CN_DIGIT.get(rest, 0) if rest else 0
        return tens * 10 + ones
    return int("".join(str(_CN_DIGIT[c]) for c in text))


_NUM = rf"(\d{{1,3}}|{_CN_NUM})"
_EN_NUM = r"(\d{1,3}|" + "|".join(_EN_ORD) + r"|\d{1,3}(?:st|nd|rd|th))"
# a reference to a question by number, as people write it; group "n" (or "o" for English ordinals)
_PERSON = r"[^，,。？?]{0,8}?(?:经理|架构师|工程师|总监|专家|大佬|老师|负责人|设计师|那位|这位)"  # a person, by title
REF = re.compile("|".join([
    r"(?P<penult>(?<![a-z])(?:second[-\s]+to[-\s]+last|next[-\s]+to[-\s]+last|penultimate)(?![a-z]))",  # the one before the last
    rf"第\s*(?P<a>{_NUM[1:-1]})\s*[个道条]?\s*(?:问题|题目|题|问|难点|点)",
    rf"(?:问题|问提|题目|难点|(?<![主标话])题)\s*(?:编号|序号|号)?\s*(?:第\s*)?(?:#|no\.?\s*)?(?P<b>{_NUM[1:-1]})(?![览些般起样直定致切共句行段遍题次齐并块位]|下(?![面边头方])|前一后|(?P<dup>[条个道项题])一?(?P=dup)|[个道题]\s*(?:一起|一齐|一块|一并|都|合)|\s*(?:个|位|条)\s*(?:人|专家|答主|回复|回答|答案))(?:\s*[个题])?",
    rf"(?P<c>{_NUM[1:-1]})\s*号\s*(?:那|这)?\s*(?:(?:道|个)?\s*(?:问题|题目|题|难点|难题|条目)|条(?![件款例]))",
    rf"(?:跳到|跳去|切到|翻到)\s*第?\s*(?P<k>{_NUM[1:-1]})(?![\d.])",
    rf"(?<=[题道])\s*[(（]\s*第?\s*(?P<pn>{_NUM[1:-1]})\s*[题道]?\s*[)）]",  # "发布那题（第九）": its number in brackets
    r"(?<![a-z])(?:jump|skip|go|swap|switch|move|back\s+up|head\s+back|return)\s+(?:straight\s+|over\s+|back\s+|ahead\s+|forward\s+)?to\s+(?:question\s+|q\s*|#|number\s+)?(?P<l>\d{1,2}|"
    + _EN_CARDS + r")(?![\d.a-z])",
    rf"(?:编号|序号|题号)\s*(?:为|是)?\s*(?:第\s*)?(?P<j>{_NUM[1:-1]})(?!\d|[览下些般起样直定致切共句行段遍齐并块])",
    rf"(?:题号|编号|序号)[^，,。？?\d]{{0,6}}[：:]\s*(?P<u>{_NUM[1:-1]})(?![\d.])",  # "按题号查一下：5"
    r"^(?P<m>\d{1,2})(?:\s*[，,、：:]|\s+(?![个道条项位题]))(?=.{0,16}题)",  # "5，东西向那题，全文给我", "5️⃣ 横着走的那题"
    r"^\s*(?P<sc>\d{1,2}|" + _EN_CARDS + r")\s*[，,：:](?=\s*[^\d\s，,])(?!.*\s\d{1,2}\s*[，,：:.、)）])",  # "ten, HA across clusters": the
    # number that opens a message, a comma after it (not "1, 网络怎么选 2, 存储呢", a list)
    rf"(?:^|(?<=[\s，,。！!？?]))地\s*(?P<x>{_NUM[1:-1]})\s*[个道条]?\s*(?:问题|题目|题)",  # "地十题": 第, typed by voice
    rf"(?:^|(?<=[\s，,。！!？?]))(?P<y>{_NUM[1:-1]})\s*道?\s*题\s*(?:那个|那道|这个|这道)",  # "二十题那个发我下"
    r"(?:^|(?<=[\s，,。！!？?：:]))(?P<y2>\d{1,2}|[一二三四五六七八九十]{1,2})\s*题(?=\s*(?:完整|全文|原文|全部|整个|详细|细讲|给我|发我|讲的|讲了|讲啥|说的|说了|是什么|是啥"
    r"|的(?:内容|答案|回答|专家|题干|全文)))",  # "…要发新版，9题完整给我看看" (not "两题": two questions)
    r"^\s*(?P<z>\d{1,2})\s*题(?![目型库])|^\s*(?P<bn>\d{1,2})\s*[?？.。!！]*\s*$",  # "2题有人答没？" (a digit: "两题" is two
    # questions); a number alone ("8", "7?")
    rf"(?:倒数|倒着数?|倒过来数?|从后往前数?|从后面?数起?|从尾巴?数起?|从(?:清单|列表|目录)?(?:的)?(?:底部|底下|最后|末尾|尾部)(?:往上|往前|倒着)?数?)\s*第\s*(?P<back>{_NUM[1:-1]})\s*[个道条题]?",
    rf"(?:清单|列表|目录|单子|list)\S{{0,3}}排(?:在)?\s*第\s*(?P<rk>{_NUM[1:-1]})\s*(?:的|位|个|条|道|名|𠮶|嗰|嘅|那)",  # "清单里排第5的"
    rf"第\s*(?P<d>{_NUM[1:-1]})\s*(?:的那?一?)?[个道条题提项则](?![来人用试到吃天年月周次位版]|(?<=[个位])(?:答|回答|作答)|消息|信息|指令|命令|记录|聊天|对话|回复|提示|规则|设定|小时|钟头|星期|季度|分钟"
    r"|服务|应用|系统|项目|环境|集群|节点|业务|客户|团队)",  # not "第一个来试的", "第一条消息", "第四个小时", "第一个服务要上生产"
    r"(?<![\d.])(?P<i>\d{1,2})\s*(?:那道|这道|那个|这个)\s*(?:题|问题)|(?<![\d.])(?P<q>\d{1,2}|" + _CN_NUM + r")\s*号\s*(?:那|这)\s*(?:道|个(?=[^，,。？?会]{0,4}(?:问题|题)))",  # "九号那道", "2号那个选型问题"
    r"(?:看下|看看|看一下|打开|来个?|给我)\s*(?P<p>\d{1,2})\s*号(?![\w\u4e00-\u9fff])",  # "看下8号"
    r"(?<![a-z0-9年])(?<!by\s)(?<!until\s)(?<!before\s)(?<!after\s)(?<!during\s)(?<!this\s)(?<!next\s)(?<!last\s)"
    r"(?:q|qn|qs)\s*[.\-#]?\s*(?P<e>\d{1,3})(?![a-z0-9]|季度)",  # not "明年Q2", "live by Q3" (a quarter)
    r"(?<![a-z0-9])(?:q(?:ue|eu|u)(?:s|st|ts)(?:tion|iton|toin|tin)s?|problems?|items?|entry|entries|faq|topics?)\s*(?:no\.?|number|#)?\s*[(（]?(?P<f>\d{1,3}|" + _EN_CARDS + r")(?![0-9a-z])",
    r"(?<![a-z0-9&])(?<!reply\s)(?<!answer\s)(?<!response\s)(?<!comment\s)#\s*(?P<g>\d{1,3})(?![0-9])",  # not "reply #2": an expert's
    r"(?<![a-z])(?:one|question|item|entry)\s+(?:(?:sitting|sits|listed|placed)\s+)?(?:right\s+|just\s+|immediately\s+|directly\s+)?"
    r"(?:before|after|preceding|following)\s+(?P<bf>\d{1,2})(?![\d.:a-z%])",  # "the one right before 7": its span is the number's
    r"(?<![a-z0-9])(?:number|numbered|no\.)\s*(?P<h>\d{1,3})(?![0-9])",
    r"(?:^\W*|['\"‘“]|(?<![a-z])(?:under|open(?:\s+up)?|show\s+me|gimme|give\s+me|pull\s+up|read|see|summary\s+of|summari[sz]e|explain|(?:rundown|gist|details?|text)\s+of|what\s+(?:does|did|do))\s+)number\s+(?P<n>" + _EN_CARDS
    + r")(?![a-z])",  # "Number two — what's it asking?", "what's under number nine", "'number eight'" (not "the number one cause")
    r"(?<![a-z])number\s+(?P<v>" + _EN_CARDS + r")(?:\s+(?=says|said|asks|covers|is\s+(?:about|asking)|talks)|\W*$"
    r"|(?=\s+(?:on|in|from)\s+(?:your|the|this|that)\s+(?:list|faq|index|menu|toc)))",  # "what number nine says", "number two on that list",
    # "and number one?"
    r"(?<![a-z0-9])q\s+(?P<w>" + _EN_CARDS + r")(?![a-z])",  # "gimme Q eight"
    r"(?<![a-z])(?:(?:pull|bring|call)\s+up|open(?:\s+up)?|gimme|give\s+me)\s+(?!one(?![a-z]))(?P<pu>\d{1,2}|" + _EN_CARDS  # "alright, pull up seven for me"
    + r")(?=\s*(?:for\s+me|for\s+us|please|pls|now|again|next)?\s*[.!?。！？]*\s*$)",
    rf"(?<![a-z])(?:the\s+)?(?P<o>{_EN_NUM[1:-1]})\s+(?:(?:question|q|one|topic|(?:faq\s+)?(?:entry|item|problem))(?![a-z])|(?=(?:on|in)\s+(?:your|the|this)\s+(?:list|faq|index|menu)))",
    rf"(?:^|(?<=[「『\"“\s]))(?P<s>{_NUM[1:-1]})\s*[」』\"”]?\s*[、,，]?\s*(?:那|这|這|嗰)\s*一?\s*(?:道|题|題)",  # "柒、那一題", "6 那道排障的"
    r"(?<![a-z])(?:at\s+)?position\s+(?:no\.?\s*|#)?(?P<t>\d{1,2})(?![\d.])",  # "the question at position 1"
    r"(?P<first>最(?:开头|開頭|前面|前头)的?(?:那|这)?一?\s*(?:道|个)?\s*(?:问题|题目|题|題)|(?:编号|题号|序号)最小的|(?:绕回|回到|跳回|退回)(?:开头|開頭)(?:的)?(?:那|这)?一?[个道题題]|(?:头|开头)(?:嗰|𠮶|那)[条個个道题題](?=\s*(?:详细|细|展开|讲|说|给)))",  # "回到最开头那题", "头嗰条详细啲"
    r"(?:头|開頭|开头)的?那?(?P<r>一)\s*(?:道\s*(?:问题|题目|题|題)|[题題]|[条條](?=\s*(?:给我|帮我|细|详细|展开|讲|说))|[个個](?![来人用试到吃天年月周次位版问]|小时|星期|礼拜|季度|分钟|工作日)|[个個]\s*问题(?=\s*(?:给我|帮我|再|细|详细|展开|讲|说)))",  # "头一道题",
    # "开头那一题", "头一个详细讲讲", "头一个问题给我细讲下" (not "头一个问题，…": the asker's first): the first
    # "最后一个" is the last question, not "最后一个工作日" (the last working day)
    r"(?P<last>(?:最后|末尾|最尾巴?|收尾)(?:一|那一?|𠮶|嗰|的那?一?)?(?:(?:[个道]|条(?<!里最后一条)(?<!里最后那条)(?<!里最后条)(?<!中最后一条)(?!列))\s*(?:问题|题)?(?!\s*(?:工作日|交易日|营业日|星期|礼拜|[周月年天日]|回答|答案|回复|答主|专家))|问题|题)"
    r"|压轴(?:那|的)?一?[个道题]?(?!" + _PERSON + ")|(?:编号|题号|序号)最大的|(?<![a-z])(?:the\s+)?very\s+(?:end|bottom)\s+of\s+(?:that|the|this|your)\s+list"
    r"|(?<![a-z])(?:end|bottom)\s+of\s+(?:that|the|this|your)\s+list|(?<![a-z])closes?\s+(?:out\s+)?(?:that|the|this|your)\s+list)",
]))


def ordinal(raw: str) -> int | None:
    """The place a word or numeral says: "二" / "两" / "2" / "second" / "2nd" -> 2."""
    return _en_ordinal(raw) if raw.isascii() else cn_number(raw)


def _en_ordinal(raw: str) -> int:
    """"third" -> 3, "3rd" -> 3, "last" -> -1."""
    word = re.sub(r"(st|nd|rd|th)$", "", raw) if raw[0].isdigit() else raw
    return int(word) if word.isdigit() else _EN_ORD[word]


# several numbers before one question word: "第3、5题", "第 11、12 两道", "第三和第五题", "二、十这两道"
_LISTED = re.compile(rf"(?P<ns>第?\s*{_NUM}\s*号?(?:\s*(?:、|,|，|和|及|跟|与|以及)\s*第?\s*{_NUM}\s*号?)+)\s*(?:这|那)?\s*(?:两|三|四|几)?\s*[个道条]?\s*"
                     r"(?:问题|题目|题|道|難題|題)")


# Before an ordinal, a direction that makes it relative ("后面第二个", "往前数第三道"): on, or back. ``moves.STEPS``
# reads the step; ``ref_numbers`` leaves the ordinal out.
RELATIVE_ON = "后面|后头|往后|往下|下面|接下来"
RELATIVE_BACK = "前面|前头|往前|往上|上面"
_RELATIVE = re.compile(rf"(?:{RELATIVE_ON}|{RELATIVE_BACK})再?(?:数|數)?的?\s*$")


# and in English: "questions 6 & 10", "qs 2, 4 and 7"
_EN_LISTED = re.compile(r"(?<![a-z])(?:questions|qs|items|topics|nos?\.?)\s*(?P<ns>\d{1,2}(?:\s*(?:,|&|and|\+|/)\s*(?:q\s*|#)?\d{1,2}(?![\d.]))+)")


def ref_numbers(text: str, count: int) -> list[tuple[int, tuple[int, int]]]:
    """Question numbers a text refers to, with their spans; ``last`` is ``count``."""
    # ⑥: 6, one character for one, so that the spans stay the text's
    text = re.sub("[①-⑨⑩]", lambda c: "十" if c.group() == "⑩" else str(ord(c.group()) - 0x245F), text)
    listed = [m.span("ns") for m in (*_LISTED.finditer(text), *_EN_LISTED.finditer(text))]
    out: list = []
    for a, b in listed:
        out += [(cn_number(n.group()), (a + n.start(), a + n.end())) for n in re.finditer(_NUM, text[a:b])]
    for m in REF.finditer(text):
        if any(m.start() < b and a < m.end() for a, b in listed) or (m.group("d") or m.group("a")) and _RELATIVE.search(text, 0, m.start()):
            continue  # "后面第二个": two on from the question the conversation is on (moves.STEPS), not question 2
        if m.group("penult"):
            out.append((count - 1, m.span()))
            continue
        if m.group("last") or m.group("first"):
            out.append((count if m.group("last") else 1, m.span()))
            continue
        raw = next(v for k, v in m.groupdict().items() if v and k not in ("last", "dup", "first", "penult"))
        if m.group("back"):  # 倒数第二题: counted from the end
            k = cn_number(raw)
            if k:
                out.append((count - k + 1, m.span()))
            continue
        if m.group("o"):
            n = _en_ordinal(raw)
            n = count if n == -1 else n
        else:
            n = _EN_CARD[raw] if raw in _EN_CARD else cn_number(raw)
        if n is not None:
            out.append((n, m.span("bf") if m.group("bf") else m.span()))  # moves.beside reads the words before it
    return sorted(out, key=lambda r: r[1])


# an expert by their place among a question's answers: "第二个专家", "第2位", "the second expert"; a place said before a
# title or an organisation (_PERSON: "排第一的那个技术经理", "最后那个产品经理", "压轴的蚂蚁那位")
_EXPERT_ORD = re.compile(rf"(?P<mid>(?:排(?:在)?|夹在)?中间(?:的(?:那|这)?|那|这)(?:位|个(?:人|专家|答主))|(?:排(?:在)?)?中间那个(?=[^，,。？?]{{0,10}}?(?:银行|公司|企业|厂商|机构)的)|(?<![a-z])the\s+middle\s+(?:guy|person|expert|answerer)(?![a-z]))|(?P<last>排(?:在)?(?:最)?尾(?:的|嗰|那|这)?(?:一)?[个位]|最后(?:一)?[个位名]\s*(?:专家|回答|答案|人|老师|大佬)|(?:排(?:在)?)?最后(?:的)?(?:那|这)?(?:一)?[个位]\s*(?:回答|答案|回复)|收尾(?:的)?(?:那|这)?(?:段|位|个回答)|最后(?:一[个位])?(?:发言|作答|回答|回复|答|说话)的?\s*(?:那个|那位|这位|人|专家|老师|大佬)|最后(?:的)?[那这一]位|最后(?:的)?[那这]个(?:人|专家|答主|老师|大佬)|最后[那这一]个(?=说|讲|提到?|觉得|认为|建议|推荐)|(?:最后|压轴)(?:的)?(?:[那这一]?[个位])?(?!问题|题)(?={_PERSON})"
                         r"|(?<![a-z])(?:the\s+)?(?:one|guy|person|expert)\s+(?:who|that)\s+(?:answered|replied|responded)\s+last(?![a-z])"
                         rf"|(?<![a-z])the\s+closing\s+(?:reply|answer|response)(?![a-z])|(?<![a-z])the\s+last\s+(?:expert|answerer|respondent|responder|(?:one|guy|person)\s+(?:who|that)\s+(?:answered|replied|responded))(?![a-z]))|(?:(?P<back>倒数)?第\s*(?P<a>{_NUM[1:-1]})|(?P<head>(?<=打)头|头(?=一|[个位名])一?|最早|最先|(?:排(?:在)?)?最前(?:面|头)?的?|排(?:在)?前面的?|开头的?))\s*(?:(?:那|这)?[个位名]\s*)?(?:专家|回答|答案|回复|人|老师|大佬|(?:回)?答的(?!问题|题|題)|的?(?:那|这)位)|排(?:在)?第\s*(?P<a2>{_NUM[1:-1]})\s*(?:的|位|个|名)?(?:那|这)?(?:个|位)?(?={_PERSON})|第\s*(?P<b>{_NUM[1:-1]})\s*(?:的那|的)?\s*位(?!的?(?:那|这)?一?[道题題条條])"
                         r"|(?P<later>(?:后面|后边|后头)的?(?:那|这)?(?:位|个人|个专家|个答的))"
                         rf"|(?<![a-z])(?:the\s+)?(?:very\s+)?(?P<o>{'|'.join(_EN_ORD)}|\d{{1,2}}(?:st|nd|rd|th))\s+(?:expert|answer|answerer|reply|response|responder|respondent"
                         r"|(?:person|guy|one|people)\s+(?:who|that|to)\s+(?:answered|replied|responded|answer|reply|respond)"
                         r"|(?:person|guy)(?=\s+(?:on|in|for|of)\s+(?:that|this|the|it)(?![a-z]))|guy)(?![a-z])"
                         r"|(?<![a-z])(?:reply|answer|response|comment)\s*(?:#|no\.?\s*|number\s+)(?P<n2>\d{1,2})(?!\d)")  # "reply #2"


# "两个答的人，头一个说…": the first of the people just named (not "头一个问题": question 1)
_HEAD_SAID = re.compile(r"(?:(?:答|回复|回答)的(?:人|专家)|[两俩三几]\s*(?:个人|位))[^。？?]{0,8}?(?P<head>头一个)(?=说|讲|提到?|觉得|认为|建议|推荐)")


LATER = -99  # the later of two experts ("后面那位"): no one place among three


def expert_ordinal(text: str) -> tuple[int, tuple[int, int]] | None:
    """(place, span) of an expert named by their place among a question's answers; 1 is the first, -1 the
    last, -2 the one before it ("倒数第二个回答的那位"), 0 the middle one ("中间那位"), ``LATER`` the later of two."""
    m = _EXPERT_ORD.search(text)
    if not m:
        return (1, h.span("head")) if (h := _HEAD_SAID.search(text)) else None
    if m.group("mid"):
        return 0, m.span()
    if m.group("last"):
        return -1, m.span()
    if m.group("later"):  # "后面那位": the second of two
        return LATER, m.span()
    if m.group("head"):  # "头一个回答的人": the first
        n = 1
    elif m.group("o"):
        n = _en_ordinal(m.group("o"))
    else:
        n = cn_number(m.group("a") or m.group("a2") or m.group("b") or m.group("n2"))
    back = m.group("back") or m.group("b") and text[:m.start()].rstrip().endswith("倒数")  # "倒数第一位": the last
    return ((-n if back else n), m.span()) if n else None


_RANGE = re.compile(r"(?<![\d.])第?\s*(\d{1,2}|[一二三四五六七八九十]{1,3})\s*(?:题|号)?\s*(?:至|到|~|～|-|—)\s*第?\s*"
                    r"(\d{1,2}|[一二三四五六七八九十]{1,3})\s*(?:题|道题|个问题|号)")


_EN_RANGE = re.compile(r"(?<![a-z])(?:numbered|questions?|qs?|#)\s*(\d{1,2})\s*(?:-|–|~|to|through|thru)\s*(\d{1,2})(?!\d)")


def spans_all(text: str, numbers) -> bool:
    """Does the text ask for questions first to last by number ("1至10题的题目", "第一到第十题", "numbered 1-10")?"""
    m = _RANGE.search(text) or _EN_RANGE.search(text)
    return bool(m and numbers) and (cn_number(m.group(1)), cn_number(m.group(2))) == (min(numbers), max(numbers))


# After a question asked by number, a message of numbers alone: one ("7", "那7呢", "q7", "9 也要"), or several that
# ask for one ("2号呢 2号是啥", "2先跳过 直接看3")
_BARE_ONE = re.compile(r"^(?:那|那么|and\s+|what\s+about\s+)?(?:q|#|question\s*)?(\d{1,2}|[一二三四五六七八九十]{1,3})\s*(?:也要|也发一下|也来一个|也看看|呢|吧)?\s*[?？]?$")
_BARE = re.compile(r"(?<![\d.a-z])(\d{1,2}|[一二三四五六七八九十]{1,3}|" + "|".join(w for w, n in _EN_CARD.items() if 2 <= n <= 10)
                   + r")\s*(?:号|號)?"
                   r"(?P<skip>\s*(?:先)?(?:跳过|跳過|略过|略過|不看了?|skip(?:ped)?)(?![a-z]))?", re.I)
_BARE_WORDS = re.compile(r"[\W_]|那么|那|呢|吧|是啥|是什么|是甚麼|讲啥|講乜|讲什么|说啥|啥|直接|先|再|看|来|來|也|要|给我|給我|谢谢|多谢|谢了|唔该|"
                         r"(?<![a-z])(?:show|go|to|jump|then|and|pls|please|ok|okay|alright|pull\s+up|bring\s+up|open|for\s+me|now)(?![a-z])", re.I)


def bare_number(text: str) -> int | None:
    """The one number a message of numbers alone asks for: alone, said twice or beside one it skips ("7", "2号呢
    2号是啥", "2先跳过 直接看3"); None when anything else is said."""
    one = _BARE_ONE.match(text.strip())
    if one:
        return cn_number(one.group(1))
    found = list(_BARE.finditer(text))
    if not found or _BARE_WORDS.sub("", _BARE.sub("", text)):
        return None
    keep = {_EN_CARD.get(m.group(1).lower()) or cn_number(m.group(1)) for m in found if not m.group("skip")}
    return keep.pop() if len(keep) == 1 else None


# "ok 下一个，8", "next: 8": the word for the next one, then the number it is (question 8, not the one after)
_NEXT_IS = re.compile(r"^(?:(?:ok(?:ay)?|好的?|行|嗯+|那)[\s，,.!！]*)?(?:下一[个個道题題]?|(?:the\s+)?next(?:\s+(?:one|up|question|q))?)"
                      r"\s*(?:[，,:：]|\s)\s*", re.I)


def next_is(text: str) -> int | None:
    """The number a message names right after the word for the next one ("下一个，8", "ok next: 8"), else None."""
    m = _NEXT_IS.match(text.strip())
    return bare_number(text.strip()[m.end():]) if m else None


# ... or two, joined ("4跟6呢", "3 and 7", "5、8 也要"): both
_BARE_TWO = re.compile(r"^(?:那|那么|还有|and\s+|what\s+about\s+)?(?:q|#)?(\d{1,2}|[一二三四五六七八九十]{1,3})\s*(?:号|號|题|題)?\s*"
                       r"(?:跟|和|与|及|同|、|,|，|&|and)\s*(?:q|#)?(\d{1,2}|[一二三四五六七八九十]{1,3})\s*(?:号|號|题|題)?\s*"
                       r"(?:也要|也发一下|也看看|都要|呢|吧|please|pls)?\s*[?？]?$", re.I)


def bare_numbers(text: str) -> tuple[int, ...]:
    """The two numbers a message of two numbers alone asks for ("4跟6呢"), else ()."""
    m = _BARE_TWO.match(text.strip())
    return (cn_number(m.group(1)), cn_number(m.group(2))) if m else ()


# Two numbers joined and asked for together, anywhere in a message ("5跟8一起发我", "4号和5号题一块儿发", "put 3 and 10 side by
# side", "the first and the sixth question together"): both
_TOGETHER_AFTER = r"\s*(?=一起|一齐|一块|一并|合起来|放一起|放在一起|合成|合在|对照|对比|并排|(?:side\s+by\s+side|together|both)(?![a-z]))"
_EN_ORD_TEN = "|".join(w for w, n in _EN_ORD.items() if 1 <= n <= 10)  # "first" … "tenth"
_PAIR = re.compile(r"(?<![\d.a-z])(?:第\s*)?(\d{1,2}|[一二三四五六七八九十]{1,3})\s*(?:号|题|道|个)?\s*(?:跟|和|与|及|同|、|&|\+|(?<![a-z])and(?![a-z]))"
                   r"\s*(?:第\s*)?(\d{1,2}|[一二三四五六七八九十]{1,3})(?![\d.])\s*(?:号|题|道|个)?\s*(?:题|问题)?\s*(?:这|那)?\s*(?:两|俩)?\s*(?:道|题|个)?"
                   + _TOGETHER_AFTER + r"|(?<![a-z])(?:the\s+)?(" + _EN_ORD_TEN + r")\s+(?:one\s+|question\s+)?and\s+"
                   r"(?:the\s+)?(" + _EN_ORD_TEN + r")(?:\s+(?:ones?|questions?|qs?))?" + _TOGETHER_AFTER, re.I)


def paired_numbers(text: str) -> tuple[int, ...]:
    """The two question numbers a message joins and asks for together, else ()."""
    m = _PAIR.search(text)
    if not m:
        return ()
    a, b = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
    pair = tuple(_EN_ORD.get(x.lower()) or cn_number(x) for x in (a, b))
    return pair if None not in pair and pair[0] != pair[1] else ()


speed_up(globals())  # the long patterns above, prefiltered (kbqa.text.prefilter)
