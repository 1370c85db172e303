"""Moving between the FAQ's questions in a conversation: the next one, the previous one, several on or back ("下一个",
"the one before that", "往后数两题", "编号+2 那道"). Routing asks ``step`` after a question the conversation is on; the
numbers themselves are in ``numbers``. Nothing here is about this FAQ's subject."""
from __future__ import annotations

import re

from kbqa.conversation.numbers import RELATIVE_BACK, RELATIVE_ON, ordinal
from kbqa.text.normalise import normalise, tail
from kbqa.text.prefilter import speed_up

# The next or the previous question, said as a whole message or at its end ("那下一个呢", "ok, the previous one")
NEXT = re.compile(r"(?:^|[，,\s的换来到着我看给讲说续])(?:再)?(?:下一[个道题条点]?|下个|下一题|下题|往后(?:翻|挪|移)?一?[个道题]|后一[个道题]|后面(?:那|一)[个道题])(?:问题|题)?(?:呢|吧|是什么|是啥)?(?:内容|来着)?\W*$|^(?:那|那么)?(?:继续[，,\s]*)?下一(?![位名])[个道题]?"
                  r"|(?:^|[，,\s])(?:再来|再讲|再说)一?[个道题](?:问题)?(?:呢|吧)?\W*$|顺延一?[个道题条]|(?<![a-z])(?:jump|skip|go|move)\s+(?:forward|ahead)\s+(?:by\s+)?(?:one|1)(?![a-z0-9])|(?<![a-z])(?:move|go|jump|skip|hop|step)\s+(?:one|1)\s+(?:forward|ahead|on|down)(?![a-z])|(?:^|[\s，,])再?(?:往后|往下)?跳一[个道题]\W*$|(?:顺着|接着)往(?:下|后)再?(?:走|看|翻)"
                  r"|^skip\s+ahead(?:\s+one)?\b(?!\s+to\s+(?:question\s+|q\s*|#|number\s+)?\d)|(?<![a-z])bump\s+(?:the\s+number\s+|it\s+)?up\s+(?:by\s+)?(?:one|1)(?![a-z0-9])|^move\s+on\b|^(?:(?:and|ok|so|then)\W+)?(?:what\s+)?(?:comes\s+)?(?:right\s+)?after\s+that\W*$|(?:^|\W)advance\s+(?:one|by\s+one)\b|^(?:(?:and|ok|okay|k|kk|so|then|now)\W+){0,2}(?:what\s+about\s+)?(?:the\s+)?(?:next|following)(?:\s+(?:one|question|q))?"
                  r"(?:\s+(?:pls|please))?\b|(?<![a-z])(?:the\s+)?one\s+(?:right\s+|just\s+)?after\s+(?:that|this|it)\b"
                  r"|^(?:the\s+)?one\s+after\W*$|(?<![a-z])(?:question|one|entry|item)\s+that\s+(?:follows|comes\s+after)\s+(?:it|that|this)(?![a-z])|(?<![a-z])(?:the\s+)?one\s+(?:more\s+)?after(?:\s+(?:that|this|it))?\W*$"
                  r"|(?<![a-z])(?:go|move|skip|jump)\s+(?:on\s+)?to\s+the\s+next(?:\s+(?:one|question|q))?\W*$")
PREVIOUS = re.compile(r"(?:上一[个道题条点]?|前一[个道题]?|上个|往前(?:翻|挪|移|退)?一[个道题]?|回到上一|前面(?:那|一)[个道题])(?:问题|题)?(?:呢|吧|是什么|是啥|系咩|系乜|是咩)?(?:看看|看下|看一下|瞧瞧)?$"
                      r"|^(?:(?:and|ok|okay|so|then|now)\W+)?(?:what\s+about\s+)?(?:the\s+)?(?:previous|prev|back)"
                      r"(?:\s+(?:one|question))?\b|^go\s+back(?:\s+one)?\W*$|(?<![a-z])(?:step|scroll|go|move|jump|skip)\s+back\s+(?:one|a)(?!\s+(?:sec|second|moment|minute|bit)(?![a-z]))(?:\s+(?:question|q))?(?![a-z])|(?<![a-z])(?:take|bring)\s+(?:me|us)\s+(?:one|a\s+question)\s+back(?![a-z])|^(?:the\s+)?one\s+before(?:\s+(?:that|this|it))?\W*$"
                      r"|(?<![a-z])(?:the\s+)?one\s+(?:right\s+|just\s+)?before\s+(?:that|this|it)\b|(?<![a-z])(?:sits|comes|came|is)\s+(?:right\s+|just\s+|immediately\s+|directly\s+)?(?:before|ahead\s+of|above)\s+(?:it|that|this)(?![a-z])|往回(?:翻|退)?一?[个道题格]|倒回去?一?[个道题]|退(?:回|返)一?[个道题]|(?:前面|前头)紧?挨着的?(?:那一|那|一)?[个道题]"
                      r"|(?:排在)?(?:它|这)?前面的?(?:那|一)?[个道题](?:问题)?")
# Looser: a direction next to a question unit anywhere in a message that names nothing else ("嗯，后面那道也发一下",
# "跟住落嚟嗰題講乜", "编号减一的那道呢"); routing consults them only for a turn with no FAQ content (followup.follow_up)
NEXT_NEAR = re.compile(r"(?<![a-z])one\s+(?:slot|place|spot|position)\s+(?:later|after|down|below)(?![a-z])|(?:后面|后头|下面)还有一?[个道题](?![目型库])|紧(?:跟|接|挨)[着著](?:它|这题|那题)?的?(?:后面|後面|后头|後頭|下面)(?:的|嘅)?(?:是)?(?:那|嗰|哪)?一?[个個道题題]|(?:(?:按顺序|依次|顺序)?轮到|紧(?:跟|接|挨)[着著]|(?<![剩以底一])下(?:面|边|邊)?|顺下去|(?:再)?往下|(?:再)?往后顺|再落|接[着著]|后面|後面|后头|後頭|往后|往後|接下来|接下來|接落嚟?|跟住|落嚟|之后|之後|后一|後一|加一|加1|\+1|＋1)(?:翻|挪|移|数|數|走|跳)?(?:紧挨[着著]|紧跟[着著]|挨[着著])?(?:一位(?=的?那?[个個道题題]))?\s*(?:的|嘅)?(?:是)?(?:那|嗰|𠮶|哪)?一?"
                       r"[个個道题題条條页頁](?![月周星礼禮人])|(?<![a-z])(?:next\s+(?:one|question|q|item|entry|topic)|following\s+(?:question|q|item|entry|topic)|the\s+following\s+one)(?![a-z])|(?:编号|題號|题号|序号)\s*[+＋]\s*1(?!\d)"
                       r"|(?<![a-z])comes?\s+(?:after|next)(?![a-z])|(?<![a-z])(?:numbered|listed)\s+(?:right\s+|just\s+|directly\s+)?after\s+(?:it|that|this)(?![a-z])|(?<![a-z])(?:question|q|one|number)\s+(?:(?:sitting|listed|placed|right|just|directly|immediately)\s+)*(?:after|below)\s+(?:that|this|it)(?![a-z])")
PREVIOUS_NEAR = re.compile(r"(?<![a-z])one\s+(?:slot|place|spot|position)\s+(?:earlier|before|up|above)(?![a-z])|上面一[个個道题題](?!专家|人|位)|(?:上|前面|前头|前頭|往前|之前|前一|减一|減一|减1|減1|小一|少一)(?:翻|数|數)?\s*(?:一位(?=的?那?[个個道题題]))?(?:的|嘅)?(?:是)?(?:那|嗰|𠮶|哪)?一?[个個道题題条條](?![月周星礼禮])"
                           r"|(?<![a-z])(?:previous|prior|preceding)\s+(?:one|question|q|item|entry|topic|number)(?![a-z])|(?:编号|題號|题号|序号)\s*[-－]\s*1(?!\d)|(?:one|question|q)\s+(?:(?:sitting|right|just|directly|immediately)\s+)*(?:before|preceding|above)\s+(?:that|this|it)(?![a-z])")

# Several questions on or back ("the one two after that", "往后数两题", "编号+2 那道", "隔一题"): how many
_N = {"two": 2, "three": 3, "four": 4, "2": 2, "3": 3, "4": 4, "两": 2, "二": 2, "三": 3, "四": 4, "俩": 2}
STEPS = re.compile(r"(?<![a-z0-9])(?P<a>two|three|2|3)\s+(?:more\s+)?(?:questions?\s+|qs?\s+|places?\s+|spots?\s+|items?\s+|entries\s+)?(?:further\s+)?(?:after|down|later|ahead|on\s+from|past)(?![a-z])"
                   r"|往后再?(?:数|數|翻|挪|跳|顺)?(?P<b>[两二三俩23])[个個道题題](?![月周星礼禮小钟])|(?:编号|題號|题号|序号)\s*[+＋]\s*(?P<c>[23])|(?P<skip>隔一[个個道题題]|(?<![a-z])skip\s+the\s+next\s+one(?![a-z]))"
                   r"|(?:" + RELATIVE_ON + r")再?(?:数|數)?的?\s*第(?P<g>[两二三23])[个個道题題条條](?!\s*(?:专家|位|人|回答|回复))|(?<![a-z])(?:jump|skip|go|move|hop)\s+(?:forward|ahead|on|down)\s+(?:by\s+)?(?P<i>two|three|four|2|3|4)(?![a-z0-9])"
                   r"|(?:" + RELATIVE_BACK + r")再?(?:数|數)?的?\s*第(?P<h>[两二三23])[个個道题題条條](?!\s*(?:专家|位|人|回答|回复))|(?<![a-z])(?:(?:jump|skip|go|move|step|scroll)\s+back|back\s+up)\s+(?:by\s+)?(?P<j>two|three|2|3)(?=\s+(?:questions?|qs?|spots?|places?|items?|entries|ones?)|\W*$|\s+from)"
                   r"|(?<![a-z0-9])(?P<d>two|three|2|3)\s+(?:questions?\s+|qs?\s+)?(?:before|back|earlier|up)(?![a-z])"
                   r"|(?:往前|往回|倒回去?)再?(?:数|數|翻|挪|跳|倒|退)?(?P<e>[两二三俩23])[个個道题題](?![月周星礼禮小钟])|(?:编号|題號|题号|序号)\s*[-－]\s*(?P<f>[23])")


# The question the conversation began with ("回到最早问的那题", "go back to the first one I asked"), not question 1
FIRST_ASKED = re.compile(r"(?:最早|最开始|一开始|最初|起初|开头|刚开始|头一个|头一次|最先|一上来|刚上来)(?:我|我们)?(?:问|提|查|看|点开|打开|点)的"
                         r"|(?<=回到|说回|绕回|倒回|返回)(?:最早|最开始|一开始|最初|刚开始)的?(?:那|这)一?[道题]"
                         r"|(?<![a-z])(?:first|original)\s+(?:one|question|q|thing)\s+(?:i|we)\s+(?:asked|brought\s+up|looked\s+at|started\s+with)(?![a-z])|(?<![a-z])(?:i|we)\s+(?:asked|started\s+with)\s+(?:first|originally)(?![a-z])"
                         r"|(?<![a-z])(?:one|question|q)\s+(?:i|we)\s+(?:opened|asked|looked\s+at|pulled\s+up)\s+(?:at|in)\s+the\s+(?:start|beginning)(?![a-z])"
                         r"|(?<![a-z])(?:my|our)\s+(?:very\s+)?(?:first|original)\s+(?:question|q|one)(?![a-z])|(?<![a-z])(?:what|the\s+(?:thing|one))\s+(?:i|we)\s+asked"
                         r"\s+(?:at\s+the\s+(?:very\s+)?(?:start|beginning)|first|originally)(?![a-z])|(?<![a-z])(?:my|our)\s+(?:very\s+)?first\s+message(?![a-z])")
# The k-th question the conversation was about ("第二个问的那道", "the second thing I asked"); ``asked_nth`` reads k
_NTH_ASKED = re.compile(r"第\s*(?P<k>[一二两三四五1-5])\s*(?:个|道|条)?\s*(?:我|我们)?(?:问|提|查|看|点开|打开)的"
                        r"|(?<![a-z])(?:the\s+|my\s+)?(?P<e>second|third|2nd|3rd)\s+(?:one|question|q|thing)\s+(?:i|we)\s+(?:asked|brought\s+up|looked\s+at)(?![a-z])")
ASKED = re.compile(FIRST_ASKED.pattern + "|" + _NTH_ASKED.pattern)


# The middle one of those ("把中间那道整个重发一遍", "the middle one again")
_MIDDLE = re.compile(r"中间(?:的)?那一?(?:道|题|个问题|个题)|中间(?:的)?那个(?=\W|$|整个|再|重|吧|呢)|(?<![a-z])the\s+middle\s+(?:one|question)(?![a-z])")


def asked_nth(text: str) -> int:
    """Which of the questions the conversation was about a message points back to by its order (1 for the first; -1:
    the middle one); 0."""
    m = _NTH_ASKED.search(text)
    if m:
        return ordinal(m.group("k") or m.group("e"))
    if _MIDDLE.search(text):
        return -1
    return 1 if FIRST_ASKED.search(text) else 0
# Back to the question the conversation was on before this one ("算了还是回到刚才那题吧", "返去头先嗰题先"); naming nothing else
BACK_EARLIER = re.compile(r"(?:回到|返回|返去|退回|绕回|回去|切回|跳回)(?:刚才|刚刚|头先|之前|前面|原先)(?:前面)?(?:我)?(?:看|问|点开|打开|说|聊|讲)?(?:过)?(?:的|嘅)?(?:那|嗰|𠮶)一?[个道题題]"
                          r"(?:题|題|问题)?(?=\W*(?:吧|先|啦|呗|再|$))|(?<![a-z])(?:whatever|the\s+one|what)\s+(?:i|we)\s+(?:pulled\s+up|opened|"
                          r"looked\s+at|asked\s+about)\s+before\s+(?:that|this|it)(?![a-z])")
# The last two questions the conversation was on, together ("这俩问题你分别用两三句话总结下", "compare those two questions")
BOTH_ASKED = re.compile(r"(?:这|那)(?:俩|两个|两道|二)(?:问题|题)|(?<![a-z])(?:both\s+(?:of\s+)?(?:those|these)\s+(?:questions|ones)|"
                        r"(?:those|these|the\s+last)\s+two\s+(?:questions|ones))(?![a-z])")
# Opening an item of the list shown ("清單裡那題說要把微服務遷上容器雲的，點開", "open the entry about planning k8s clusters…")
OPEN_ITEM = re.compile(r"点开|打开|开一下|开下|调出来|展开|(?<![a-z])(?:open|pull\s+up|bring\s+up|jump\s+to|go\s+to|take\s+me\s+to)(?![a-z])")
IN_LIST = re.compile(r"清单里?|列表里?|目录里?|单子里?|那串(?:题目?)?里?|刚列的|(?<![a-z])(?:the|that|your)\s+(?:list|index|toc)(?![a-z])"
                     r"|(?<![a-z])(?:the\s+)?(?:entry|item)\s+(?:about|on|for)(?![a-z])")
# Pointing at an item of the list shown by its subject, without opening it ("ok the one about storage pls")
ITEM_ABOUT = re.compile(r"(?<![a-z])(?:the\s+)?one\s+(?:about|on|covering)(?![a-z])")

# "第八题的上一题", "第3题的下一道": the question next to a numbered one (after its number)
BESIDE_REF = re.compile(r"\s*(?:个|道|號|号)?(?:问题|問題|题|題|难点)?\s*(?:(?:的|嘅|之)\s*(?P<d>上一|前一|下一|后一|後一)\s*[个個道题題]"
                        r"|(?:的|嘅)?\s*(?P<n>后面|後面|前面|之后|之後|之前)\s*(?:排|挨着|紧挨着)?(?:的|嘅)?(?:是)?\s*(?:那|哪)?\s*一?\s*[个個道题題])")  # "第三题后面那道"


_GAP = re.compile(r"\s*(?:的|嘅)?\s*")  # between a number and the step after it ("第8题的往前数两个")


# before a question number: "whichever comes after #8", "the one right before q3"
_BEFORE_REF = re.compile(r"(?<![a-z])(?:comes?|one|question|q|item|entry)\s+(?:(?:sitting|sits|listed|placed|numbered)\s+)?(?:right\s+|just\s+|immediately\s+|directly\s+)?"
                         r"(?P<w>after|before|following|preceding)\s+(?:question\s+|q\s*|#|number\s+|item\s+)?$")


def beside(text: str, at: int, start: int | None = None) -> int:
    """The step a question number ending at ``at`` (starting at ``start``) is followed by: "第八题的上一题" -1, "第三题后面
    那道" 1, "第8题往前数两个" -2; or preceded by: "whichever comes after #8" 1; else 0."""
    m = BESIDE_REF.match(text, at)
    if m:
        return -1 if (m.group("d") or m.group("n")) in ("上一", "前一", "前面", "之前") else 1
    m = STEPS.match(text, _GAP.match(text, at).end())
    if m:
        return _steps(m)
    m = _BEFORE_REF.search(text, 0, start) if start is not None else None
    return (1 if m.group("w") in ("after", "following") else -1) if m else 0


def near_after(text: str, at: int) -> bool:
    """Do the words right after position ``at`` point to the next or previous question ("多安全域那道的前一个编号": after
    the question named)?"""
    after = _GAP.match(text, at).end()
    return bool(NEXT_NEAR.match(text, after) or PREVIOUS_NEAR.match(text, after))


def _steps(m: re.Match) -> int:
    on = m.group("a") or m.group("b") or m.group("c") or m.group("g") or m.group("i")
    back = m.group("d") or m.group("e") or m.group("f") or m.group("h") or m.group("j")
    return _N[on] if on else 2 if m.group("skip") else -_N[back]


# "…，我挑下一题要看哪个", "I'll pick the next one from there": the asker choosing which, not a step
_PICKING = re.compile(r"(?:我|我们)(?:来|好|再|自己|要|想|得)?(?:挑|选|决定|定)[^，,。？?；;！!]*?哪[个道题一条几些]"
                      r"|(?<![a-z])(?:i|we)(?:'ll|\s+will|\s+can|\s+(?:want|need)\s+to)\s+(?:pick|choose|select|decide)\s+(?:on\s+)?(?:the\s+)?(?:next|which)[^,.?;!]*")


def unpicked(text: str) -> str:
    """The text without the words in which the asker says they will choose which ("我挑下一题要看哪个"): routing reads
    the list asked for, not a step to the next question."""
    return _PICKING.sub(" ", text)


def step(text: str, loose: bool = False) -> int:
    """1 for the next question, -1 for the previous one, n or -n for several on or back, else 0; ``loose``: also
    the *_NEAR patterns."""
    m = STEPS.search(text)
    if m:
        return _steps(m)
    if NEXT.search(text):
        return 1
    if PREVIOUS.search(text):
        return -1
    if loose and NEXT_NEAR.search(text):
        return 1
    return -1 if loose and PREVIOUS_NEAR.search(text) else 0


def without_step(text: str) -> str:
    """The text without the words that point to the next or previous question ("紧跟着的那道", "question right
    before that"): what is left to name a subject."""
    return PREVIOUS_NEAR.sub(" ", NEXT_NEAR.sub(" ", text))


# One of the questions the turn before asked together ("第二个展开", "第二個說詳細點", "the 2nd one again", "后者"): not
# question 2 when it asked two (``recall.last_parts`` says which); "第二题" and "the second expert" are not
_OF_PARTS = re.compile(r"(?:^|[\s，,。.!！嗯那就再])第\s*(?P<a>[一二两三123])\s*(?:个|條|条|部分|块|點|点)(?!\s*(?:问题|题|专家|人|位|回答|回复|答))"
                       r"|(?<![a-z])(?:the\s+)?(?P<b>first|second|third|1st|2nd|3rd)\s+(?:one|part|half|bit)(?![a-z])"
                       r"|(?<![a-z])the\s+(?P<c>former|latter)(?![a-z])|(?P<d>前者|后者|後者)")
_PART_NO = {"一": 1, "二": 2, "两": 2, "三": 3, "first": 1, "second": 2, "third": 3, "1st": 1, "2nd": 2, "3rd": 3,
            "former": 1, "前者": 1, "latter": -1, "后者": -1, "後者": -1}


def of_parts(text: str) -> int:
    """Which of the questions asked together before a message points to: 1, 2, 3, -1 for the last; else 0."""
    m = _OF_PARTS.search(text)
    if not m:
        return 0
    k = next(g for g in m.groups() if g)
    return int(k) if k.isdigit() else _PART_NO[k]


# Clauses before the question that put a subject aside ("多安全域先搁着", "网络先不聊了", "rangeryu 那题先放放"), say it
# is settled ("计算就定虚机了") or that a new subject comes ("换个题", "switching gears", "diff question entirely"),
# with an "ok"/"thanks" beside them: none of them is what is asked
_ACK = r"(?:ok(?:ay)?|k|cool|thanks|thx|got\s+it|great|好的?|行|嗯+|收到|多谢|谢谢|明白了?|了解|懂了)"
_SWITCH = (r"换一?个?(?:题|问题|话题|方向|事)|(?:说个|说句|问个)?题外话|(?<![a-z])off[\s-]+topic(?![a-z])|换个(?=\s*[：:，,])|换题|(?:说|聊|问)点别的|另一个(?:事|话题)|(?:a\s+)?(?:diff(?:erent)?|new|separate|unrelated)"
           r"\s+(?:question|q|topic|subject|thing|point|matter|workstream)(?:\s+(?:entirely|altogether|now))?|(?<![a-z])(?:an)?other\s+(?:topic|subject|matter)(?![a-z])|switching\s+(?:gears|topics?|subjects?)"
           r"|(?<![a-z])next\s+(?:topic|subject|thing)(?![a-z])|(?<![a-z])next(?:\s+up)?(?=\s*[.:：])|chang(?:e|ing)\s+(?:of\s+)?(?:the\s+)?(?:topic|subject)|moving\s+on(?:\s+from\s+[^.,;:!?。，]{1,30})?|moving\s+(?:off|away\s+from)\s+[^.,;:!?。，]{1,30}|on\s+a(?:nother|\s+different)\s+note|unrelated(?=\s*[:：,，—–-])")
_ASIDE = (r"[^。！？!?；;，,.\n]{0,24}?(?:先搁(?:着|一搁|置)|搁一边|先放(?:一)?放|先?放(?:一)?边|先放着|先不(?:管|聊|说|提|纠结|看|问)[^，,。；;:：]{0,8}?了?"
          r"|暂(?:且|时)不(?:提|管|聊)|(?:就|先)跳过(?:吧|了)?|(?:以后|回头|晚点|改天|之后)再(?:说|聊|研究|看|弄|讨论)|不(?:聊|说|问)(?:这个|那个)?了|(?:就|已经|已)定(?:下来)?[^，,。；;]{0,8}?了"
          r"|(?:选|定)(?:好|定)了|(?:parked|can\s+wait|park(?:ing)?\s+(?:that|this|it|[^,.;:]{1,30}?\s+for\s+(?:a\s+sec(?:ond)?|now|later|a\s+bit|a\s+moment))|(?:set|put|leave)\s+(?:that|this|it)\s+aside|never\s*mind(?:\s+(?:that|this))?|nvm|enough\s+(?:drama|of\s+(?:that|this)|about\s+(?:that|this))))")
_PUT_ASIDE = re.compile(rf"^(?:\s*(?:{_ACK}|{_SWITCH}|{_ASIDE})\s*(?:[。！!；;，,.:：\n]+|\s+[—–-]+|\s+(?=\S)|(?<=[：:])))+", re.I)
# Anywhere in a message, saying the subject changes ("换个话题", "先不说这个", "换排查那题", "unrelated:", "diff thing"): what
# follows does not lean on the question before (``history.may_borrow``)
SWITCH = re.compile(rf"{_SWITCH}|先不(?:说|聊|管)(?:这个|这|那个)|先放一放|不聊(?:这个|这)了|换(?=[^，,。？?]{{1,8}}(?:那题|那道|话题))"
                    r"|(?<![a-z])(?:diff\s+thing|another\s+topic)(?![a-z])", re.I)
_NEW_SUBJECT = re.compile(_SWITCH, re.I)
_NAMES_ASIDE = re.compile(rf"(?:^|[\s。！!；;，,.:：—–-])(?:{_SWITCH}|{_ASIDE})", re.I)


def put_aside(text: str) -> tuple[int, bool]:
    """Where the question starts after the clauses that put a subject aside, call it settled or say a new one comes
    (0 when there are none, or nothing is left), and whether one said a new subject comes."""
    m = _PUT_ASIDE.match(text)
    if not m or not _NAMES_ASIDE.search(m.group()) or len(re.findall(r"\w", text[m.end():])) < 2:
        return 0, False
    return m.end(), bool(_NEW_SUBJECT.search(m.group()))


def past_aside(question: str, turns: list[str]) -> tuple[str, list[str]]:
    """The question without the clauses that put a subject aside (``put_aside``), in its own script when only the
    script and case changed in normalising; without the earlier turns when a new subject comes ("换个题：…",
    "switching gears: …": nothing in it leans on them, and its opener's words would mislead retrieval)."""
    normalised = normalise(question, phrases=False)
    start, switched = put_aside(normalised)
    if not start:
        return question, turns
    return tail(question, normalised, start).strip(), [] if switched else turns


speed_up(globals())  # the long patterns above, prefiltered (kbqa.text.prefilter)
