"""How people ask things that are not about the FAQ's content: small talk and questions about the FAQ itself.

Each cue is a phrase in Simplified Chinese, English or Cantonese (questions are normalised to Simplified
first). A message is small talk or an overview request when it holds such a cue and, once the cues and
filler are taken out, no word the FAQ uses is left (routing.py decides; the FAQ's words come from the FAQ).
Nothing here is about this FAQ's subject. Cues about the experts (who answered, who someone is, the other expert, a
pronoun for one) are in ``people``; the small-talk cues are in ``talk`` (and re-exported here).
"""
from __future__ import annotations

import re

from kbqa.conversation.talk import CHAT, LAUGH, SLOW_BOT, SMALLTALK_RE, cue, smalltalk_kind  # noqa: F401 (cues.X for routing)
from kbqa.text.memo import text_cache
from kbqa.text.normalise import tail
from kbqa.text.prefilter import speed_up


# The list asked for in words that are an overview cue and a LISTS request at once ("题先过一遍", "每个 question 的 title")
LIST_WORDS = (r"题目?先?过一遍|(?:按|带)(?:编号|题号|序号)[^，,。？?]{0,4}(?:给|列|出|排)(?:个|一个|一份|出)?(?:简表|清单|列表|目录)|(?:题号|标题|题目)[^，,。？?]{0,6}(?:排一排|排一下|排个序|列一列)|(?:gimme|give\s+me|show\s+me|send\s+me)\s+(?:the\s+|all\s+(?:the\s+)?)?(?:headings|titles|question\s+titles)(?![a-z])|(?:标题|题目|问题)[^，,。？?]{0,4}(?:逐一|逐个|一一|逐条)(?:列示|列出|列明|罗列)|(?<![a-z])overview(?![a-z])(?!\s+of(?![a-z]))|(?:收录|覆盖)的?(?:内容|东西|题目?|难点|问题)[^，,。？?]{0,12}?过一遍|一行一条|(?:念|读|过|报|列)一?遍\s*(?:题目|标题)|挨个(?:念|读|列|报)|(?:每[个道]\s*(?:题|问题|难点)?|每条\s*(?:题|问题|难点))\s*一(?:句话|行)|一[题道]一行|总览|目录页|题目?在哪[里儿]?(?:看|找)|(?:each|every)\s+of\s+the\s+(?:\w+\s+)?questions|enumerate\s+(?:every|all|each)\s+(?:of\s+the\s+)?(?:\w+\s+)?questions?|index\s+of\s+(?:every|all|the|each)\s+(?:\w+\s+)?questions?|(?<![a-z])(?:whole|full|complete|entire)\s+list(?![a-z])|(?<![a-z])(?:every|each|all(?:\s+(?:of\s+)?the)?)\s+(?:question\s+|faq\s+)?titles?(?![a-z])|(?<![a-z])(?:complete\s+|full\s+|whole\s+)?inventory\s+of\s+(?:the\s+|all\s+(?:the\s+)?)?(?:questions|items|topics)|(?<![a-z])(?:each|every)\s+(?:item|entry)\s+(?:in|of)\s+(?:this|the)\s+(?:knowledge\s+base|faq|kb|document)"
              r"|每[个道条]?\s*(?:question|q)\s*的?\s*(?:title|标题)")
# the list in English, again or for the first time ("list the titles again", "remind me what the ten topics were", "what
# else is in here"): an overview cue, and a strong one (LISTS)
LIST_EN = (r"(?<![a-z])(?:list|show|give\s+me|gimme|remind\s+me(?:\s+of)?|recap|repeat)\s+(?:me\s+)?(?:what\s+)?(?:all\s+)?"
           r"(?:the\s+|your\s+|those\s+)?(?:\w+\s+)?(?:titles|topics|questions)(?!\s+(?:about|on|regarding|for|that|which|with|in|of|where)(?![a-z]))"
           r"|(?<![a-z])what\s+else\s+(?:is\s+)?(?:in\s+)?(?:here|there|this|it)(?![a-z])|(?<![a-z])(?:rest|remainder)\s+of\s+the\s+(?:list|questions|titles|menu)(?![a-z])|(?<![a-z])name\s+(?:every|each|all(?:\s+the)?)\s+questions?(?![a-z])"
           r"|(?<![a-z])what\s+else\s+(?:do\s+you|does\s+(?:it|this))\s+(?:have|cover|hold|know)")
# which questions have answers ("有专家回答的是哪几道"): the list says how many answered each
_ANSWERED_ONES = (r"有(?:专家|人)(?:回答|回复|答)(?:过)?的(?:是)?(?:哪几道|哪些题|哪几题|哪些问题|哪几个)"
                  r"|(?:哪些|哪几道|哪几)题(?:是|才)?有(?:专家|人)(?:回答|回复|答)"  # "那剩下哪些题是有人答的"
                  r"|(?<![a-z])which\s+(?:questions|ones|topics)\s+(?:actually\s+|even\s+|do\s+)?(?:have|has|got|get)\s+(?:any\s+)?answers")
# Asking what the FAQ holds, or how to use the bot.
OVERVIEW = re.compile(
    _ANSWERED_ONES + "|" + LIST_EN + "|"
    r"(?:能|可以|会|能够|可|支持)(?:回答|解答|问|做|干|帮|聊|答|查)|问(?:你)?(?:些|点)?(?:什么|啥|哪些|咩)|识答|有(?:咩|啥|什么)(?:可以)?问|(?:搵|揾|找)(?:到|得到)?(?:边|哪|什么|咩|啥)(?:类|种|些|方面)[^，,。？?]{0,6}(?:问题|答案)"
    r"|(?:有|都有|包括|包含|涉及|涵盖|覆盖了?|讲了?|收录?了?|装了?|整理了?|总结了?|讨论了?)(?:些)?(?:哪些|哪几|什么|啥)(?!不同|不一样|区别|差别|差异|影响|风险|讲究|好处|坏处|优势|劣势|招|办法|妙招|麻烦|后果|隐患|代价|弊端|副作用|毛病|缺点)|(?:几|多少)道题|(?:十来|十几|几十|上百|几百)道|(?:拿|用)你(?:来)?(?:干嘛|干什么|做什么|做啥|干啥)|条列(?!出)|全貌|一览|概况|题库|问题库|知识苦|提目|索引|亮一亮|亮出来|贴一份|贴出来|浏览(?:下|一下)?(?:全部|所有)|摸个?底|(?:覆盖|包括|涉及|收录|整理|讨论)(?:了|过)?.{0,6}?(?:哪些|哪几)|讨论过的(?:议题|话题|问题)|(?:标题|题目|目录).{0,6}(?:贴|发)(?:一份|出来|给我)|(?:内容|资料|数据|知识)(?:是)?(?:从哪|出自|来自|来源)|出处|从哪(?:里|儿)?(?:开始|下手|入手|着手|问起)|(?:都有|有)那些(?:问题|难点|难题|话题|内容|题目)|哪些(?:难题|难点|问题|挑战|话题|主题|题目|内容|方面)|列出|列(?:一)?下"
    r"|问题(?:列表|清单|目录)|(?:问题|题)的?标题|(?:提问|问问题)(?:有没有|有|需要|要)?(?:什么|啥)?(?:格式|技巧|规则|讲究)(?:上的)?(?:要求)?|(?:怎么|如何|怎样)(?:提问|问问题)(?:效果|才能?|会)?(?:更|比较|最)?(?:好|准|准确|有效)?|哪(?:个|些)?(?:方面|领域|类|种)的(?:问答|问题|知识|内容|资料|faq)|题目|题单|题木|罗列|列举|咋玩|怎么玩|(?<![挂載载])目录|菜单|大纲|概览|概要|清单|范围|使用说明|说明书|(?<!有)帮助(?!很大|挺大|不小|了)|怎么用|咋用|如何使用|怎么问|问啥|你都?(?:会|能)(?:答|回答)?些?(?:啥|什么|哪些|干啥|做啥|干什么)|(?:有|一共|总共|共)(?:有)?(?:几|多少)(?:个|道|条)?.{0,6}?(?:题|问题|难点|难题|问答)|盘点一下|报(?:一下|下|个)?标题|收录(?:了)?(?:哪些|多少|什么|啥)|收(?:了|咗)(?:几|多少|几多)(?:个|道|条)?(?:题|问题)|收录?(?:咗|了)?(?:啲|些)?(?:乜嘢|乜|咩)|(?:标题|题目)(?:念|读|说|列|报)(?:一下|下|出来)?|每道题|(?:q&a|qa|问答|题目)\s*(?:列表|清单|目录)|干嘛的|干啥的|干什么的|做什么的|(?:干嘛|干啥|干什么|做什么|做啥)用的|做啥的"
    r"|分别(?:是|叫)(?:什么|啥|哪些)|是哪(?:些|几[个项条点])|是哪[\d十]{1,2}\s*[个项条点道]|有哪几[个项条点]|(?<![上下前头后])[\d一二三四五六七八九十几]+\s*(?:大|个)(?:难点|难题|问题|挑战|话题|主题)"
    r"|知道(?:些|点)?(?:什么|啥|哪些)|解决(?:些)?(?:什么|啥|哪些)|(?:解答|回答|负责)哪(?:些|个)?方面|懂(?:些|点)?(?:什么|啥|哪些|那些)|梳理|总结一下|汇总|概括|归纳|能力|能干嘛|提示|讲(?:的)?(?:是)?(?:什么|啥)|介绍(?:一?下)?(?:这|你们|本)|(?:^|[，,。？?！!\s])(?:你|你们)?这(?:是|又是)?个?(?:啥|什么)(?:东西|玩意儿?|工具)(?=\W|$)|都有啥|有啥(?!不同|不一样|区别|差别|差异|影响|风险|讲究|好处|坏处|优势|劣势|招|办法|妙招|麻烦|后果|隐患|代价|弊端|副作用|毛病|缺点)|都是啥|是啥"
    r"|(?:what|wat|wut|wht)\s+(?:can|do)\s+(?:you|u|i)|what\s+(?:are|r)\s+(?:you|u)\s+able\s+to|what\s+(?:does|do)\s+(?:this|it)\s+(?:thing\s+|bot\s+)?(?:actually\s+)?know|what\s+(?:questions|topics|kinds?\s+of|sorts?\s+of|types?\s+of)|what\s+(?:subjects|areas|things|stuff)\s+(?:\w+\s+){0,5}?(?:answer|cover|handle|help|know)|(?:which|what)\s+(?:subjects|areas|topics)\s+(?:\w+\s+){0,3}?in\s+scope|(?<![a-z])in\s+scope\s+(?:here|for\s+(?:you|this))|\blist\b|\bmenu\b|table\s+of\s+contents|\btoc\b"
    r"|what\s+is\s+(?:this|the)\s+(?:faq|kb|bot|thing|document|knowledge\s+base)|what(?:'s|s|\s+is)\s+(?:this\s+about|in\s+here)|what(?:'s|s|\s+is)\s+(?:this|the)\s+(?:doc|faq|kb|bot|thing|document)\s+(?:even\s+|all\s+|really\s+|actually\s+)?about(?![a-z])"
    r"|what(?:'s|\s+is)\s+in\s+(?:your|the|this)\s+(?:knowledge\s+base|kb|faq|database|docs?|library)"
    r"|what\s+are\s+the\b|^\W*help\W*$|(?:able|here)\s+to\s+help(?:\s+(?:me|us))?\s+with(?![a-z])|\bhelp\s+(?:me|pls|please)\b|how\s+can\s+(?:you|u)\s+help|which\s+(?:questions|topics|items|entries)|(?<![a-z])(?:how\s+(?:do|should)\s+i\s+ask|do\s+i\s+ask\s+(?:in|by|with))(?![a-z])|(?<![a-z])cover(?:s|ed)?\s+here\b|(?<![a-z])(?:you|u|this|it|faq|kb|doc|thing|base|bot)\s+(?:\w+\s+)?cover(?:s|ed)?(?![a-z])|(?<![a-z])(?:topics|questions|what(?:'s|s|\s+is|\s+gets)?)\s+(?:are\s+|is\s+)?covered(?![a-z])|(?<![a-z])cover(?=\s*(?:了|哪|什么|啥))|\boverview\b|tl;?dr|\bqs\b|enumerate|suggestions?"
    r"|how\s+(?:do\s+i|to)\s+use|what\s+to\s+ask|\bfaq\b|how\s+many\s+(?:questions|topics|qs)\b|question\s+bank|just\s+the\s+titles|line-?up|what\s+r\s+the\b|which\s+of\s+the\s+(?:\d+|ten|\w+)\s+(?:difficulties|questions|problems|topics)|\bindex\b|walk\s+(?:me\s+)?through|entr(?:y|ies|ys)\b|where\s+does\s+(?:your|the|this)\s+(?:content|data|information|info)\s+come\s+from"
    r"|what\s+(?:does|do)\s+(?:this|the|you|u)(?:\s+(?:bot|assistant|kb|faq|thing))?\s+know\b"
    r"|(?<![a-z])everything\s+(?:in\s+here|here|in\s+(?:this|the|your)\s+(?:faq|kb|bot|doc|knowledge\s+base)|(?:you|u)\s+(?:have|know|cover|got))(?![a-z])"
    r"|(?:show|give|tell)\s+(?:me\s+)?(?:all|every|the)\s+(?:the\s+)?(?:questions|topics)|all\s+(?:the\s+)?questions|every\s+question|\bsummar(?:y|i[sz]e)\b|\brundown\b|every\s+qs?\b|headlines?\b"
    r"|" + LIST_WORDS + r"|(?<![a-z])outline(?![a-z])|(?:knowledge|bot|your)\s*(?:的\s*)?scope|(?<![a-z])titles?\s*(?:给我|发我|列|贴)")

# Words that name the FAQ's questions or the FAQ itself ("题目", "收录", "titles"): a clause saying one asks about
# this FAQ when it also points at this one ("这套问答的十个题目"), even with a stray word; "有哪些" alone could ask
# about anything ("红烧肉，有哪些做法"), and so could a question bank that is not this one ("驾照题库有哪些").
NAMES_QUESTIONS = re.compile(r"几多[条道个]|难点|题目|题单|题库|问答|收录|收了|标题|目录|知识库|[几多十两\d一二三四五六七八九]+道题|(?:能|可以)问的|哪几[条道题]|总览|faq|q&a|\btitles?\b"
                             r"|\btopics\b|\bquestions\b|table\s+of\s+contents|knowledge\s+base")
THIS = re.compile(r"这套|这份|这篇|本|你这|你们|你的|你手上|这里|这边|呢度|你度|你(?:哋|地)|(?:这个|该)(?=知识库|问答|库|faq|kb|bot|机器人|文档|资料)|(?<![a-z])(?:here|this|your|you)(?![a-z])")  # ... of this FAQ

# Pointing inside the question the conversation is on ("里面说的…", "这题里…", "in that one"): its words are looked up there
INSIDE = re.compile(r"(?:里面|里头|其中)的?第\s*[\d一二三四五六七八九十]{1,3}\s*[条点项]|(?:列|说|讲|提|写)的?[几两三四五六\d]\s*[条点项](?:里|中|当中)?[，,\s]*(?:最后|第\s*[\d一二三四五六七八九十]{1,3})\s*[那一]?\s*[条点项]|里面(?:说|讲|提)|里头(?:说|讲)|(?:这|那)道?题里|题里面?(?:说|讲|提)|(?<![a-z])in\s+(?:there|that\s+one|this\s+one)(?![a-z])")

# Words that point back at what was said before ("他说的那个办法", "照这个思路", "which of those", "does he say"): a
# question holding one that the FAQ does not cover alone may lean on the previous question (Engine.retrieve), and an
# expert named in one stays on the question the conversation is on (expert_intents.about_expert)
POINTS_BACK = re.compile(r"[这那他她它其该此]|上面|刚才|前面|(?<![a-z])(?:those|that|this|these|it|he|she|they|them|his|her"
                         r"|their|above|earlier)(?![a-z])", re.I)

# The question the conversation is on, pointed at ("这题回答的人都是谁", "同一题"): with nothing else named
# Something the answer before said, pointed at ("你刚提到的那个网络外挂，…还有哪几种可以挑"): never the overview
MENTIONED = re.compile(r"(?:你|您)?(?:刚|刚才|刚刚|前面|上面|之前)(?:提到|说到|讲到|列出|说|讲|提|列)的|你(?:提到|说到|讲到)的"
                       r"|(?<![a-z])(?:you|they|he|she)\s+(?:just\s+)?(?:mentioned|brought\s+up)(?![a-z])")
# The whole FAQ, not the question the conversation is on ("这整份里一共有几位专家"): the expert directory
WHOLE_FAQ = re.compile(r"整份|成份|本(?:材料|资料|文章|文档|篇)|这里(?=\s*(?:一共|总共|总计))|(?:这里|呢度)(?=\s*有\s*(?:几多|多少))|参与(?:回答|作答|答题)的(?:人|专家)?(?=[^，,。？?]{0,4}(?:一共|总共|总计|多少|几))|这(?:份|篇|套)(?:材料|资料|文章|文档|东西)?(?=[^，,。？?]{0,4}(?:一共|总共|总计|到底有|有多少|有几))|这些(?:题|问题)|整篇|整个(?:faq|知识库|文档|问答|库)|全文|通篇|所有(?:的)?(?:题|问题)|(?<![a-z])(?:whole|entire)\s+(?:faq|document|doc|kb|knowledge\s+base|thing|article)(?![a-z])|altogether(?![a-z])|(?:weighed|chimed)\s+in\s+overall"
                       r"|这(?:个|份|篇|套)?\s*(?:faq|kb|知识库|问答)\s*(?:里|中|里面|当中|上)|这(?:份|篇|套)(?:材料|资料|文章|文档|文件|东西)(?:里|中|里面|当中)|前前后后|(?<![a-z])(?:answered|replied|contributed|responded|anything|an\s+answer)\s+(?:in\s+)?here(?![a-z])|everyone\s+who\s+(?:answered|replied|contributed)(?=\s*(?:[.?!]|$))|^\W*份\s*(?:faq|kb|文件|资料|文档|嘢)|这?里面(?=[^，,。？?]{0,4}(?:一共|总共|总计))|(?<![a-z])(?:in|across)\s+(?:this|the)\s+(?:faq|kb|knowledge\s+base)(?![a-z])|(?<![a-z])(?:across|in|over)\s+all\s+(?:the\s+)?(?:ten\s+|\d+\s+)?(?:questions|qs|topics)(?![a-z])|(?<![a-z])(?:does|in|across)\s+(?:this|the|the\s+whole|the\s+entire)\s+(?:article|document|doc|write-?up)(?![a-z])")  # "这个FAQ里总共多少位专家"
THIS_QUESTION = re.compile(r"(?:这|该|此|同一)\s*(?:一)?\s*(?:道|个)?\s*(?:题|问题)")
# "总共几位专家", "回答的人一共几个", "how many in total": the whole FAQ's count, unless the message names a question
_TOTAL = re.compile(r"(?:一共|总共|总计)(?=\s*有?\s*(?:几|多少)\s*(?:个|位|名)?\s*(?:专家|人|答主|大佬))|(?:回答|作答|答题)的(?:人|专家)\s*(?:一共|总共|总计)"
                    r"|(?<![a-z])in\s+total(?![a-z])")
_A_QUESTION = re.compile(r"(?<![答做])(?<!答过)(?<!答了)(?<!做过)题|(?<!知)道|(?<![a-z])(?:this|that|the)\s+(?:question|one|q|thread|entry)(?![a-z])")


def whole_faq(text: str, clause: str | None = None) -> bool:
    """Does the message (or its ``clause`` that asks) ask about the whole FAQ (``WHOLE_FAQ``), or for a total while the
    message names no question ("那道题，一共几位")?"""
    clause = text if clause is None else clause
    return bool(WHOLE_FAQ.search(clause) or _TOTAL.search(clause) and not _A_QUESTION.search(text))


# In English, the answer before pointed at ("what did he suggest there?", "his take on that one")
THERE = re.compile(r"(?<![a-z])(?:there|on\s+that(?:\s+one)?|in\s+that\s+(?:one|answer|question|thread)|for\s+that\s+one)(?:\W+[a-z]+-?wise)?(?:\W*$|(?=\s*[?.!;]+\s))"
                   r"|(?<![a-z])(?:reply|replies|answer|take|view|response|comments?)\s+on\s+(?:this|that)(?:\s+one)?(?![a-z])"
                   r"|(?<![a-z])(?:answer|answers|reply|one|expert|response|answered|replied|responded|commented|wrote)\s+(?:in\s+)?there(?![a-z])"
                   r"|(?<![a-z])same\s+(?:idea|view|take|thing|approach)(?![a-z])"
                   r"|(?<![a-z])(?:go|goes|went|going)\s+about\s+(?:it|this|that)\W*$|(?<![a-z])(?:handle|handled|handles|approach|approached|tackle|tackled)\s+(?:it|this|that)\W*$")

# The whole question asked for, with its answers ("原题带回答都给我", "全文发我"), beside a question number
WHOLE = re.compile(r"(?:调|拉|翻|贴|捞)(?:出来|一下|上来)|调出|调取|调阅|完整(?:地)?(?:列出|列示|给出)|(?<=[那这该哪][题道])\s*也?\s*(?:给我|帮我|发我)?\s*(?:看一下|看看|看下|瞧瞧|拿来|拿过来|叫出来|看\W*$)|成(?:道)?题(?=\s*(?:出|给|发|贴|俾))|成个(?=\s*(?:俾|畀|给)我)|(?<=有)[这那](?:一?道)?题(?=\s*[吗吧嘛么]?\W*$)|(?:(?<=那[题道])|(?<=那道题))\s*[，,]?\s*也?\s*(?:讲讲|说说|讲一下|说一下|细讲|详细讲|(?:是|都)?(?:怎么|咋)(?:说|讲)的?|(?:大家)?都?(?:怎么|咋)(?:说|答|看)的|大家(?:怎么|咋)(?:说|答|看)|帮我整理一下|(?:全部|直接)给我|给我完整版|打开(?:一下|看看)?|给我\W*$)|整个贴|整个(?:发|给)(?:我|过来|一下)|整段贴|原题|全文|原文|整题|整段|整篇|完整(?:的)?(?:题|内容|回答)|完整(?:地)?(?:发|贴|给)|带(?:上)?(?:回答|答案)|连(?:同)?(?:回答|答案)|(?:和|跟|与|及|加上?)(?:几位|各位|所有|全部|每位)?(?:专家|大佬)的?(?:回答|答案)"
                   r"|(?<![a-z])(?:and|with|plus)\s+(?:everyone'?s|all(?:\s+the)?|every|each)\s+(?:replies|answers|responses)|(?<![a-z])(?:give|show|send)\s+me\s+(?:that|the)\s+whole\s+(?:question|one|thing)(?![a-z])|(?<![a-z])in\s+full(?![a-z])|(?<![a-z])(?:the|that)\s+full\s+(?:question|q|entry|thread)(?![a-z])|(?<![a-z])(?:that|this)\s+(?:q|question|one)\s+(?:pls|please|plz)\W*$")

# Asking for the list of questions in so many words ("题目列表", "先把题目过一遍", "all the questions"): an overview even
# beside words the FAQ uses ("…每道题有几位专家作答，整理成表格"), unless another clause asks about something
LISTS = re.compile(r"一共(?:有)?(?:十|几|多少)道|每道(?:题)?(?:叫|是)(?:啥|什么)|(?<![a-z])(?:list|show|give\s+me|gimme)\s+(?:me\s+)?(?:each|every|all)\s+(?:the\s+)?(?:questions?|items?|entries|entry)\s+(?:in|of|on)\s+(?:this|the|your)\s+(?:knowledge\s+base|faq|kb|bot|document)(?![a-z])|(?<![a-z])index\s+of\s+(?:the\s+|all\s+(?:the\s+)?)?(?:\w+\s+)?(?:questions|topics|difficulties|problems|entries)(?![a-z])|(?:题目|问题|题)\s*(?:列表|清单|目录|总表|一览)|(?:所有|全部|每个|每道|各个)的?(?:问题|题目|题)的?(?:标题|题目)|(?:问题|题目)(?:全|都)部?(?:列|排)(?:出来|一下)|(?:哪些|所有|全部)(?:问题|题目|题)[，,]?\s*(?:按顺序|依次|挨个|一个个)(?:列|排)(?:出来|一下|下)|题单|(?:各|每)[道个条]?题的?(?:(?:题号|编号|序号)(?:和|跟|与|及|加)?)?(?:题目|标题)|条列.{0,4}(?:题目|标题|问题)|(?:全部|所有|整套|这十道|十道|十个)的?(?:题目|问题|题)|(?<![第\d一二三四五六七八九])十题的(?:题目|标题)"
                   r"|(?:题目|标题)(?:逐条|逐一|逐个|一一|挨个|依序|依次|按顺序)?(?:过一遍|列一下|列出来|列一列|发我|给我|贴出来|贴上来|列给我)|列(?:一下|一列|下|出)(?:所有的?|全部的?)?(?:题目|标题)|table\s+of\s+contents|(?:^|[，,\s])(?:全|都|全部)(?:列|罗列)(?:一下|出来|一遍)\W*$|把(?:题目?|问题|标题)(?:全|都|全部)?(?:列|贴|报)"
                   r"|(?:题目|标题)(?:可以|能不能|能)?再列(?:一次|一遍|一下)|(?:涵盖|覆盖|收录)(?:了)?(?:哪些|哪几个|什么)(?:议题|话题|主题|问题|题目)"
                   r"|(?:还有|有没有)(?:别的|其他|其它|其余)(?:题|问题|题目)|(?:其他|其它|别的|其余)还有(?:哪些|哪几)(?:题|问题|题目)|(?:剩下|其余|其它|其他)的?(?:题|问题|题目)?(?:都|全)(?:列|贴|发)"
                   r"|" + _ANSWERED_ONES + r"|(?:list|all)\s+(?:of\s+)?(?:the\s+|your\s+)?questions|(?<![a-z])toc(?![a-z])|(?<![a-z])numbered\s+(?:index|list)(?![a-z])|(?<![a-z])list\s+(?:them|'?em)\s+(?:all\s+)?again(?![a-z])|(?<![a-z])(?:question|topic)s?\s+list(?![a-z])"
                   r"|(?:剩下|其余|其它|其他|别的)的?(?:题目?|问题)(?:清单|列表|目录|呢)|(?:整个|整份|完整的?)(?:目录|题目列表)(?:再|重新)?(?:贴|发|给|列)|只要(?:题目|标题)"
                   r"|" + LIST_EN + r"|" + LIST_WORDS)
# "again" beside the list itself ("list the titles again", "目录再贴一遍") asks for the list, not the turn before
THE_LIST = re.compile(r"(?<![a-z])(?:titles|topics|toc|table\s+of\s+contents)(?![a-z])|标题|(?:题目?|问题)的?(?:目录|清单|列表)|(?:所有|全部|剩下|其余|别的)的?(?:题|问题)"
                      r"|(?:那个|这个|刚才的?|之前的?|上面的?)(?:目录|清单)")  # "刚才那个目录能再给一次吗"

# A message that speaks to the bot or of the FAQ ("你", "这个助手", "本知识库", "this doc", "your"): what the chatter
# model (chatter.py) needs to see before it may call a message an overview or small talk, so that "What is the
# capital of France?" or "高考有哪些科目" (a list of something else) stay off-topic questions.
TO_THE_BOT = re.compile(r"你|您|这里|这边|这儿|这个(?:机器人|助手|bot|问答|知识库|库)|这套|这份|知识库|机器人|助手|问答库|题库里"
                        r"|(?<![a-z])(?:you|your|u|here|bot|this\s+(?:bot|faq|kb|doc|thing|assistant|knowledge\s+base))(?![a-z])")

# Asking for something in so many words, without a question word ("show me the full thing", "发我看看"): not small talk
REQUEST = re.compile(r"(?<![a-z])(?<!'ll\s)(?<!will\s)(?<!gonna\s)(?<!what\syou\s)(?:show|give|tell|send|paste|post|read)\s+(?:me|us|it|that|them|the)(?![a-z])|(?<![a-z])(?:pull|bring|dig)\s+(?:it\s+|that\s+)?up(?![a-z])"
                     r"|(?<![a-z])(?:open\s+(?:it|that|this|the|up)|expand|explain|elaborate|summari[sz]e)(?![a-z])|发(?:我|一下|来)|贴(?:一下|出来)|调出来|展开")

# Asking for the last answer again, shorter or plainer ("太长不看 一句话概括下", "tl;dr in 3 bullets?", "ELI5?"): after a
# turn, that turn again
SHORTER = re.compile(r"太长|条列(?:方式|形式)|分[两三四五几2-5]段|每段[一两三几\d]{1,2}句|每[点条项]一行|一条一行|(?:总结|概括|归纳|浓缩|压缩|缩|说|讲)(?:成|为|到|在|做)[一二三四五两几\d]{1,2}\s*句(?:话)?(?:的)?(?:重点|要点)?|越短越好|简单带过|一笔带过|带过就(?:好|行)|(?:转|改|翻|换|译)(?:成|做|为)\s*(?:繁体|正体|简体|繁中|简中)|用\s*(?:繁体|正体|简体)(?:中文|字)?\s*(?:重写|重新写|再写|写|出)|用\s*(?:一二三|123)[^，,。？?]{0,4}(?:列|排|写)|(?:整理|列|归纳|总结|拆|写)成[一二三四五两几\d]{1,3}\s*[点条]|条列式|(?<!第)[一二三四五六七八九两几\d]{1,2}\s*行(?:的|以内|之内)?(?:版本|版|就行|就好|说完|讲完)|(?:说|讲)得?(?:再)?白话(?:一)?点|重新(?:整理|组织|梳理)(?:一次|一遍|一下|下)|(?:字|内容|文字)(?:太多|太长)|太多字|篇幅太长|(?:改写|整理|改|转|做|捋|弄|列|压|缩|浓缩|合|并|揉|拆|排)成(?:一份|一个|一张|个)?[^，,。？?]{0,12}(?:清单|表格|表|列表|要点|重点|checklist|步骤|条列|版本|一段话|一段文字|一段|一点一点|一条一条|分点|格式|备忘录|纪要|手册|邮件|简报)|(?:排|理|列)(?:个|一个|一下)[^，,。？?]{0,6}(?:流程|步骤)|(?:精简|简化|简短|浓缩|摘要|英文|中文|要点|重点)版|精简(?:一)?(?:点|些|一下|下)|按要点(?:帮我)?(?:列|整理|归纳|梳理)|(?:做|弄|整|出|画|列)(?:个|一个|一张|张)[^，,。？?]{0,6}(?:对比表|对照表|表格)|(?:说|讲)得?再?(?:白|直白|通俗|浅显)(?:一)?点|不超过[一二三四五六七八九十百两\d]+\s*(?:个)?字|[一二三四五六七八九十百两\d]+\s*字(?:以内|之内|内)|(?:按|分)专家(?:分条|逐条|分别|各)?列|每(?:人|位|个专家)[一两三四五几\d]{1,2}(?:行|句|条|点)|[两俩三四几]\s*位(?:专家)?各(?:用)?(?:一|1)\s*(?:句|行|条)|结论(?:用)?(?:一|1)\s*句话?|分[点条](?=\s*(?:吧|列|说|讲|写|来)|\W*$)|每[条点项]一句|合起来[^，,。？?]{0,4}一段话?|(?:排|分|整理|拆|写)成[^，,。？?]{0,30}?[两三四五几2-5]段|(?:两|二|三|几|这几|这两|这三)位(?:专家)?(?:分别|各自)(?:建议|说|讲|怎么说|怎么看|的观点|观点|看法)|一句话(?:概括|总结|讲|说)|(?:总结|概括|归纳)一句话?(?=\s*[:：，,])|一句话[^，,。？?]{0,4}(?:结论|答案)|(?:给|说|讲|来)(?:个|一个)?结论(?:就行|就好|即可|就够)|只(?:要|看)结论|大白话|简短(?:点|一点|些)|短(?:一)?点|(?:挑|说|讲)(?:个)?(?:重点|要点)|概括(?:一?下)?"
                     r"|(?:太多|太长)了?[,，]?看不完|看不完|(?:缩|压缩|浓缩|精简|收敛)(?:成|到|一下|下)|按(?:要点|重点)|逐条(?:列|写|说)|(?:重点|要点)?列点|(?:拉|做)(?:个|一个|张|份)清单|(?:帮我|给我)?(?:收敛|浓缩|精简)(?:一下|下)?\W*$"
                     r"|(?<![a-z])(?:too\s+long|tl;?dr|shorter|gist|in\s+short|one-?liner|as\s+(?:a\s+)?(?:short\s+|brief\s+|quick\s+)?(?:numbered\s+|bulleted\s+)?(?:checklist|table|bullets)|bottom\s+line|(?:one|a\s+single|single|1)[\s-]+(?:sentence|line)|(?:a\s+)?bullet(?:ed)?\s+(?:list|points)|as\s+bullets|(?:in|like|as)\s+(?:a\s+)?(?:few|\d+|one|two|three|some)\s+(?:bullets?|lines?|sentences?|words)|english\s+(?:pls|please|plz|bullets?)|bullets?\s*,?\s*max(?:imum)?\s*\d|max(?:imum)?\s*\d\s*bullets?|(?:the\s+)?(?:actual\s+)?conclusion)(?![a-z])"
                     r"|(?<![a-z])(?:eli5|too\s+much\s+jargon|(?:in\s+)?plain\s+(?:english|words|language)|simpler|in\s+layman'?s'?\s+terms|redo\s+(?:this|that|it))(?![a-z])|说人话|太绕|用白话|翻(?:译)?(?:一下|下)(?:呗|吧|啊|哈)?\W*$|小白(?:也|都)?(?:能|可以)?(?:看|听)(?:得)?懂|每(?:位|个)?(?:专家|人)的?[^，,。？?]{0,6}?各?列|通俗(?:点|一点|些)|大白话|(?:讲|说)?简单(?:点|一点|些|啲)|(?:一|几|两|三|一两)句(?:话)?的?(?:重点|要点)|去掉(?:专业)?术语|打个?比方|精简(?:点|一点|些|啲)|再(?:讲|说)多(?:次|一次|遍)|用英文(?:再)?(?:说|讲|写|回答|回)|按[^，,。？?]{0,4}(?:步骤|要点|重点|条目|点)(?:列|写|说|讲|来|整理)|分点(?:列|写|说|讲)|逐条(?:列|写|说|讲)"
                     r"|(?:做|整|弄|拉|排)成?(?:个|一个|一张)?矩阵|(?:列|写|排)成\s*(?:1\s*2\s*3|一二三)|编号列出|不超过[一二三四五六七八九十两\d]+\s*(?:条|点|句|行)|(?<![a-z])(?:key\s+points|(?:restate|rephrase|reword)\s+(?:that|this|it)|concise\s+list|boil\s+(?:that|this|it)\s+down|(?:to|into)\s+(?:a\s+)?(?:few|\d+|one|two|three|some)\s+bullets?)(?![a-z])"
                     r"|(?<![a-z])translate\s+(?:that|this|it)(?![a-z])|(?<![a-z])(?:that|this|it|same\s+thing|again)\s+(?:but\s+)?in\s+english(?![a-z])|(?<![a-z])(?:english\s+version|same\s+content|\d+(?:\s*-\s*\d+)?\s+(?:slide\s+)?bullets)(?![a-z])|(?:翻译|翻)成英文"
                     # in another language, again, as a table ("请用繁体中文再讲一次", "再贴一次", "砍到三句以内", "bullet it for me")
                     r"|(?:用|以|改用|换成|换用|翻成|翻译成|译成|转成|改成|转做|改做)(?:中文|汉语|英文|英语|繁体(?:中文|字)?|简体(?:中文|字)?|繁中|简中|粤语|广东话)|(?:中文|英文|英语|繁体(?:中文|字)?|简体(?:中文|字)?|粤语)(?:再|重新)?(?:讲|说(?!明)|写|回|答|解释)|(?<![a-z])(?:translate|(?:in|into)\s+(?:english|chinese|mandarin|cantonese|traditional(?:\s+chinese)?|simplified(?:\s+chinese)?))(?![a-z])"
                     r"|再(?:贴|发|说|讲|来|给|念|回答|答|解释)(?:一|1)?(?:遍|次|回)|重新?(?:发|贴|说|讲)(?:一|1)?(?:遍|次|下)|睇多(?:一)?次|(?<![a-z])(?:(?:(?<=one\s)|(?<=it\s)|(?<=that\s)|(?<=this\s)|(?<=them\s)|(?<=list\s)|(?<=part\s)|(?<=bit\s)|(?<=answer\s)|(?<=reply\s)|(?<=titles\s)|(?<=question\s)|(?<=version\s)|(?<=summary\s)|(?<=table\s)|^\W*)again|again(?=\s*(?:pls|please|plz|[?？])?\W*$)|one\s+more\s+time|repeat\s+(?:that|it|the\s+answer))(?![a-z])"
                     r"|表格|(?:一|1)张表|给[^，,。？?]{0,8}?看的(?:版本|版)|(?:简体|繁体|正体|简中|繁中|英文|中文)(?:中文|字|简)?版|(?:要点|重点)(?:都)?列(?:出来|一下|下)|列出(?:那几条|几条)?(?:要点|重点)|(?:列|做|弄|画|排|拉|整)(?:个|一个|成|张|一张)表|一行一(?:个|位)?(?:人|专家)|按(?:人|专家)分(?:点|条|段)|(?:^|\s)简短(?:点|些|一点)?\W*$|(?:讲|说|写)短(?:啲|点|一点|些)|[一两二三四五]{1,2}句(?:话)?就(?:够|好|行|可以)|(?<![a-z])(?:tabulate|in\s+columns)(?![a-z])|打勾|(?:清单|列表|表格)的?(?:形式|格式)|一人一(?:行|句|条)|(?:砍|缩|减|压|删|剪)(?:到|成|至)[^，,。？?]{0,4}(?:句|行|字|条|段)|(?<![a-z])trim\s+(?:it|that|this)(?![a-z])|每(?:位|个)\s*(?:handle|人名|名字)\s*一(?:行|条)|分[两二几2-4]栏|长话短说|每(?:位|个)(?:专家|人)?[^，,。？?]{0,3}一(?:句|行)|每(?:位|个)(?:专家|人)[^，,。？?]{0,5}一(?:个|句)结论|(?<![a-z])(?:to-?do\s+list|action\s+items)(?![a-z])|项目符号|列(?:个|一下|下)?(?:要点|重点)|(?:出|来|给)一份(?:正体|繁体|简体|英文|中文)|[一二三四五两几\d]{1,2}\s*句(?:话)?(?:以内|之内|内)|(?<![a-z])(?:table|bullets?|bullet\s+it|point\s+form|numbered\s+list|summari[sz]e|sum\s+(?:it|that|this)\s+up|condense)(?![a-z])")

# Asking whether a subject may be asked about ("k8s网络、存储啥的都能问不"): about the FAQ's scope, not the subject
CAN_ASK = re.compile(r"(?:能|可以)(?:问|答|回答)(?:吗|不|么|嘛|否)|^(?:里面|这里|你这)?(?:有没?有|有)(?:讲|谈|说|提|涉及|覆盖)到?[^，,。？?]{0,20}(?:吗|么|嘛)|(?:能不能|可不可以)问|(?<![a-z])can\s+(?:i|we)\s+ask(?:\s+you)?\s+about(?![a-z])")

# Words that ask something (a clause holding one is a question, not chatter)
# "need" asks ("need the list"), but not when the asker has to leave ("need to bounce. ttyl")
NEED = r"need(?!\s+to\s+(?:go(?!\s+(?:over|through|back|into|with))|run|bounce|leave|head\s+out|dash|split|hop\s+off|drop\s+off|jump\s+off)(?![a-z]))"
ASKS = re.compile(r"怎么|如何|什么|为什么|为何|是否|能否|要不要|有没有|哪|咋|啥|帮我把|请把|翻译|translate"
                  r"|(?<![a-z])(?:how|what|which|why|should|can|could|when|where|who|do|does|" + NEED + r"|is\s+there|are\s+there)(?![a-z])")

_AUX = {"do", "does", "can", "could", "should", "is", "are", "when", "where"}
_RELATIVE = re.compile(r"(?<![a-z])(?:covers?|covered|exactly|precisely|that's|thats)\s+$")  # "…exactly what I needed": no ask


_KNOWS = re.compile(r"\s*(?:这样|那|现在|好的?|原来如此)?\s*我们?(?:就|已经|总算|终于|大概)?(?:知道|明白|懂|清楚|晓得)了?(?=怎么|如何|该|要|哪)")


def asks(text: str) -> bool:
    """Does a clause of the message ask something (``ASKS``)? An English auxiliary asks only at its clause's start
    or in a clause ending in "?": "can go home early today", "we do tend to be thorough" ask nothing."""
    for clause, end in re.findall(r"([^.!?。！？;；,，\n]+)([.!?。！？;；,，]?)", strip_cues(text)):
        if _KNOWS.match(clause) and end not in ("?", "？"):  # "这样我知道怎么跟资安科回报了": a "how" it now knows
            continue
        for m in ASKS.finditer(clause):
            if (m.group() not in _AUX and not _RELATIVE.search(clause, 0, m.start())) or end in ("?", "？") \
                    or not clause[:m.start()].strip():
                return True
    return False


# Asking who the experts are, all of them: the directory of experts (an overview of people, not questions).
EXPERTS = re.compile(r"(?:哪些|哪几位|几位|几个|多少位?|多少个|所有的?|全部的?|都有哪些|都有谁)(?:的)?(?:专家|答主)|(?:哪些|哪几个|还有谁|都有谁)人?(?:参与|出场|露面)(?:了|过)?(?:回答|作答)?|专家(?:们)?(?:列表|名单|目录|都?有(?:哪些|谁|几位|多少)|都是谁|是谁|是哪些|(?:一共|总共|总计)(?:有)?(?:几|多少)(?:个人|位|个|名|人)?)|(?:回答|答题|作答)的?人头数|(?:出现|出场|露面)(?:了|过)?(?:多少|几)(?:个|位|名)(?:不同的?)?(?:答题|回答|作答)的?(?:人|专家)?|(?:所有|全部)的?(?:答过题|答过|回答过|作答过|答题|作答)的(?:人|专家)|(?:参与|参加)(?:回答|作答|答题|解答)的(?:人|专家)?头?(?:一共|总共|总计|共计)?有?(?:几|多少)(?:个人|位|个|名|人)?|(?:答题|回答|作答|答过题)的(?:人|专家)都?有?(?:谁|哪些)|(?:答过题|回答过?|作答过?)的(?:人|专家)?(?:一共|总共|总计)有?(?:几|多少)(?:个人|位|个|名|人)?|(?:几|多少)号人|(?:出过场|出场过|露过面)(?:的|嘅)人|答题人(?:有|都有|是)?(?:哪些|谁|几个|多少)|(?:一共|总共|总计)(?:有)?(?:多少|几)(?:个|位|名)?(?:人|专家|大佬)(?:在)?(?:回答|作答|答|发过?言|参与|出场)"
                     r"|who\s+(?:are|were)\s+the\s+experts|who\s+all\s+(?:answered|replied|contributed|responded)|(?:total\s+)?number\s+of\s+(?:respondents|contributors|experts|answerers)|(?:list|all|every)\s+(?:of\s+)?(?:the\s+)?experts|experts?\s+list"
                     r"|how\s+many\s+(?:different\s+|distinct\s+|individual\s+|separate\s+)?(?:experts|contributors)|(?:all|every)\s+(?:of\s+)?(?:the\s+)?(?:contributors?|people\s+(?:quoted|cited))|count\s+of\s+(?:the\s+)?(?:distinct|different|unique|individual)\s+(?:people|experts|contributors|answerers)|everyone\s+who\s+(?:answered|replied|contributed)(?=\s*(?:[.?!]|$))|(?:几多|多少)个?人有份(?:作答|回答|答)|every\s+(?:expert|contributor|answerer)(?:'?s)?\s+(?:handle|name)|roll\s+call|head\s*count\s+of\s+(?:the\s+|all\s+)?(?:people|experts|contributors)|count\s+of\s+(?:the\s+)?(?:contributors|experts)|how\s+many\s+(?:different\s+|distinct\s+|individual\s+|separate\s+)?people\s+(?:answered|replied|contributed|weighed\s+in|chimed\s+in)|(?:多少|几)(?:个|位)(?:不同的?)?人[^，,。？?]{0,8}?(?:留过?|给过?|写过?)(?:答案|回答|回复|言)|(?:一共|总共)有?几多个?(?:人|位)|which\s+experts\s+(?:are|were)\s+(?:there|in)|which\s+(?:named\s+)?(?:people|persons|names)\s+(?:answered|replied|contributed)\s+(?:anything|at\s+all)")

# A message that opens by saying it asks something new ("顺带一问", "separate question —", "next thing:"): the opener
# names nothing, and its words would count against the question as words the FAQ does not know
ASIDE = re.compile(r"^(?:(?:ok|okay|cool|thanks|thx|好的|好|嗯|行)[\s,，.。!！]*)?(?:顺带一问|说正事|言归正传|回到正题|(?:back\s+to|anyway,?\s+back\s+to)\s+business|顺便问(?:一下|下|个事|一句)?|顺带问(?:一下|下|一句)?|另外问(?:一下|下|个事|一句)"
                   r"|再问(?:一下|下|个事|一句)|还有个事|另外一个问题|换个问题|(?:a\s+)?separate\s+(?:question|q|thing)|next\s+(?:thing|question|q)"
                   r"|switching\s+gears|unrelated(?:\s+(?:question|q))?|(?:a\s+)?different\s+(?:question|q|thing)|one\s+more\s+(?:thing|question|q)|btw|by\s+the\s+way"
                   r"|quick\s+(?:question|q))(?:\s*[:：,，—–\-.。!！;；]+\s*|\s+)")


# Whether the experts of the question the conversation is on agree ("两位答主的立场一致吗", "do they agree?"): the
# question with all its answers
AGREE = re.compile(r"(?:专家|答主|回答|大家|两位|几位|他们俩?|她们|他俩|她俩|两人|二人)(?:们)?(?:之间)?(?:在[^，,。？?]{1,16}?上)?(?:的)?(?:观点|立场|看法|意见|说法|答案|结论|思路)(?:是不是|是否)?"
                   r"(?:一致|相同|一样|有分歧|有冲突|有矛盾|是?(?:冲突|矛盾|互补)|有啥不同|有什么不同|有区别|有(?:什么|啥|咩)?(?:分别|差异|差别)|不一样|统一|打架|差在哪|(?:差别|区别|不同|分歧)在哪)|(?:两位|二位|三位|俩|他们俩?)(?:专家|人)?(?:的)?(?:方案|做法|思路|建议|观点|看法|立场|意见)(?:用[^，,。？?]{0,6}|并排|(?:做|来)(?:个|一个|一下)?)?(?:对比|比较|比一比|比一下|对照)|(?:两位|二位|俩|他们)(?:的)?(?:说法|观点|意见|看法)?打架|(?:观点|立场|看法|意见)(?:上)?(?:有没有|有无)(?:分歧|冲突|矛盾)"
                   r"|(?<![a-z])(?:do|did|does)\s+(?:they|the\s+(?:two|experts|answers|answerers))\s+(?:all\s+)?(?:agree|disagree|differ)(?![a-z])(?!\s+(?:from|with)\s+(?:his|her|him|that|the\s+first))"
                   r"|(?<![a-z])any\s+(?:disagreement|conflict)s?\s+between\s+(?:them|the\s+(?:experts|answers))|^(?:帮我|请|麻烦)?(?:对比|比较)(?:一下|下)?\W*$|谁(?:说|讲)?得更?(?:对|有道理|靠谱)|谁(?:更|比较)(?:靠谱|有道理|对)|(?<![a-z])(?:compare\s+(?:the|those|these|all)\s+(?:two|three|four)|which\s+(?:one|approach|way|option)\s+is\s+(?:more|better))(?![a-z])|并排(?:比较|对比|比一比|比一下|比|摆|放|列)|(?:两位|二位|俩人|他们俩?|两人)[^。？?]{0,40}?(?:对比|比较|对照)(?:一)?下?(?:各自|双方)|(?:该|应该)听谁的|(?<![a-z])(?:who'?s|who\s+is|which\s+(?:one|expert)\s+is)\s+right(?![a-z])")


# "关于网络，FAQ 怎么说", "what does the FAQ say about networking": the FAQ as the source; retrieve the subject alone
ABOUT_FAQ = re.compile(r"(?:根据|按照?|在)?(?:这份|这篇|本)?\s*(?:faq|kb|知识库|文章|资料|文档|文中|本文)\s*(?:里|中|里面|上)?(?:是)?\s*"
                       r"(?:怎么说|怎么讲|怎么写|说了?什么|讲了?什么|写了?什么|提到了?什么|有什么说法|的说法)"
                       r"|(?:what|how)\s+does\s+(?:the|this)\s+(?:faq|article|kb|document|knowledge\s+base)\s+(?:say|talk|cover)s?"
                       r"(?:\s+about)?|according\s+to\s+(?:the|this)\s+(?:faq|article|document)")

# A follow-up that asks to go on with what was just answered.
CONTINUE = re.compile(r"^(?:那|那么|and\s+)?(?:能不能|可不可以|能否|能|可以|麻烦)?(?:再|请)?(?:具体|详细|展开|接着|继续|还有呢|然后呢|多说|细说|深入|讲细|说细)"
                      r"|^(?:那|那么)?(?:能不能|可以|请|麻烦)?(?:举个?例子|(?:套|拿|用)个例子|再说一遍|再讲一遍|重复一下|重复一遍|(?:有没有|还有没有)?更(?:详细|具体|多))"
                      r"|^(?:为什么|为啥)(?:呢|啊|呀)?\W*$|[那这]一?(?:块|部分|条|点|段)(?:再|单独|单独地|重点|好好)?(?:展开|详细|具体|细说|多说)|^(?:why|(?:for\s+)?an?\s+example|example|for\s+example)(?:\s+please)?\W*$|^(?:(?:but|and|ok|so)\W+)?why(?:\s+not)?(?:\s+(?:exactly|though|so|is\s+that))?\s*[?？]"
                      r"|^(?:go\s+on|keep\s+going|continue|more(?:\s+details?)?|tell\s+me\s+more|elaborate|and\s+then|repeat|expand"
                      r"|(?:dig|go)\s+deeper|(?:can|could)\s+you\s+(?:expand|elaborate|go\s+deeper)"
                      r"|say\s+(?:that|it)\s+again)\b")

# Asking for a question's content as well as who answered it ("1 號題目的討論內容，有哪幾位專家回覆也一起附上",
# "the 7th one: what's that about and who chimed in?"): the question itself, which lists its experts anyway
CONTENT_TOO = re.compile(r"内容|讨论|讲(?:了|的)?(?:什么|啥|乜|咩)|说(?:了|的)?(?:什么|啥)|一起|一并|连同|顺便|题干|啥来着|(?<![他她])是(?:什么|啥)(?!背景|职位|岗位|来头|单位|公司|人)"
                         r"|(?:分别|各自)?(?:怎么|咋|如何)(?:说|回|答|讲)|汇总|整理|梳理|归纳|捋一?捋|在问(?:什么|啥|乜|咩)|问的是(?:什么|啥)|题目本身|题干本身"
                         r"|what'?s\s+(?:it|that|this|the\s+question)\s+about|what\s+(?:it|that|this)\s+(?:is|says)(?![a-z])"
                         r"|what\s+(?:exactly\s+)?(?:does|is)\s+(?:it|that|this)\s+(?:ask|asking)|what\'?s\s+(?:it|that|this)\s+asking|(?<![a-z])the\s+title(?![a-z])|(?<![a-z])(?:the\s+)?(?:gist|full\s+text|whole\s+text)(?![a-z])")
# "存储那部分再细讲讲", "Canal 那段再解释一下": a part of the answer before, told again at more length
PART_RETOLD = re.compile(r"(?:那|这)(?:一|两|几)?(?:部分|段|块)(?:再|能不能|能否|能|可以|可否|麻烦)?(?:细讲|细说|详细(?:讲|说)|展开|多讲|多说|讲细|解释|(?:讲|说|贴)一(?:遍|次|下))"
                         r"|(?<![a-z])(?:say|said|says|mention|mentioned|tell|told|explain|explained)\s+(?:about|in|on)\s+(?:the|that)\s+"
                         r"(?:[a-z0-9-]+\s+){1,3}(?:part|bit|section)(?![a-z])"
                         r"|(?<![a-z])(?:the|that)\s+(?:bit|part|section)\s+(?:about|on)\s+(?:[a-z0-9-]+\s+){1,3}again(?![a-z])")

# Which question is about a subject ("第几个问题讲网络的"); every question; a number done with ("第2题看完了，给我第3题")
DONE = re.compile(r"看完|读完|先放(?:一)?放|先放(?:一)?边|先搁(?:着|一搁)|先不看了?|(?:看|瞅|瞄|读)过了|都(?:看|读)了|消化(?:完毕|完了|了)|(?:大概|基本|都)?(?:懂|明白|清楚)了|done\s+with|finished|makes\s+sense")
EVERY = re.compile(r"从第一[个道题]?(?:问题|题)?.{0,3}到最后一?[个道题]?|从(?:第一|头一?|开头)[个道题]?(?:问题|题)?(?:开始)?(?:往下|依次|挨个|按顺序|一个个|一道道)?(?:列|排)(?:一下|下|出来)?|from\s+the\s+first\s+(?:question\s+|one\s+)?to\s+the\s+last")
WHICH_QUESTION = re.compile(r"(?:跳到|跳去|切到|翻到|转到|换到)(?=[^，,。？?]{2,30}?(?:那|这|嗰)一?[道题題])|有(?:冇|没有)?一?[道个]?题目?(?:是)?(?:专门)?(?:讲|说|关于|在讲|谈|聊|专讲)|有(?:对应|相应)的?(?:题目?|问题)|有这[道个]?题吧|第几[个道条]?(?:问题|题)|第几道|哪[个道一]?(?:个)?(?:问题|题)(?:是)?(?:有)?(?:讲|说|聊|关于|是关于|在讲|谈|涉及)"
                            r"|(?:有没有|是否有|有)(?:关于|有关|讲(?!究)|涉及|谈到?)|有(?:专门|单独)的?一?[道个]?(?:题|问题)|有(?:这方面|这类|这种|相关|类似)的?(?:题|问题)|(?:这种|这类|这方面)[^，,。？?]{0,6}有题|这份(?:里|材料里?|资料里?)?有没有专门|(?:相关|有关)的(?:问题|题)(?:有哪些|是哪个|有吗)?|(?:相关|有关)的那?[道个]"
                            r"|which\s+questions?\s+(?:is\s+about|are\s+about|covers?|talks?\s+about|is\s+on|deals?\s+with"
                            r"|discuss(?:es)?)|(?:is|are)\s+there\s+(?:a\s+|an\s+|any\s+)?(?:questions?|entry|entries|section)\s+(?:about|on|comparing|covering)"
                            r"|(?<![a-z])any\s+(?:questions?|entry|entries|section)\s+(?:about|on|covering)(?![a-z])"
                            r"|(?<![a-z])(?:jump|go|skip|move|take\s+me)\s+(?:straight\s+|right\s+|directly\s+)?to\s+the\s+(?!next(?![a-z]))"
                            r"|(?<![a-z])walk\s+(?:us|me)\s+through\s+the\s+"
                            r"|(?<![a-z])(?:which\s+one\s+was\s+(?:the|about)|which\s+one\s+is\s+about|(?:which|what)\s+(?:question\s+)?number\s+(?:covers?|is|was|has))(?![a-z])")

# Words that never make a question topical: how people address a bot, filler, meta nouns.
FILLER = set("""问题 名单 列个 整份 整篇 通篇 出场 答题 step back altogether expert experts 人家 不可 可不可以 题目 题 问 清楚 哪类 哪种 边类 想知 答案 材料 总结 able 先看 看下 话题 主题 内容 方面 知识 知识库 文章 篇文章 资料 文档 faq kb 这份 这篇 本 你 我 您 目录 列表 清单 所有 全部 具体 专门
都 啥 些 咋 问点 查 查询 难点 难题 挑战 痛点 遇到 会遇到 碰到 面临 常 经常 常见 回答 解答 回复 回覆 说明 帮助 帮 解释 专家 专家们
大家 朋友 同学 老师 机器人 助手 小助手 bot 新来 第一次 不好意思 麻烦 请问 一下 看看 看 给 我们 你们 这里 这边 那边 东西 玩意 玩意儿
有人 原话 讨论 讨论过 聊过 讲过 说过 谈过 提过
what can you answer questions topics list menu help this bot thing faq kb here please pls plz lol the a an of to in on subjects bullets bullet
for and or is are be do does how what which why when where me us i you u it with my our your any some so just ask
wat now again all that that's there today earlier anything something stuff gimme give full whole complete entire every
short brief quick quickly real really exactly actually maybe lot lots much very helped helps kindly ur ya yr 乜嘢 乜 咩 啲 嘢
address addresses addressed 货 现成 参考 兄弟 everything file new ten listed set 挨个 照着 照著 hard problems problem difficulties 肚子 亮 群公告 公告 组里 浏览 还没想好 按单位 单位 standup skim paste full compiling onboarding docs trying see whats pls plz 坑 序号 编号 群 拉进 听说 收录 specific look like titles title r just would idk 请教 告诉 不能 能不能 整体 大概 大致 编号 标题 列给 调出 调出来 发我 发给 一份 汇编 议题 整理 周报 报告 方便 完全 熟悉 外行 新手 小白 领导 同事 部门 项目 开始 比较 比较好 学习 了解 过一遍 瞅瞅 收了 know read up sorry if basic but where content come quick 新人 报到 老铁 问答 问答库 库里 have has they them before dig into hope doing well day one much 直接 甩 甩出来 出来 贴出来 念 读 疑问 疑惑 summarize summarise summary executive exec numbered kbqa 出个 main pain points point doc docs key major pretty re ll ve 使用 关照 知道 懂 说说 相关 有关 关于 还有 然后 接着 继续 今天 刚才 之前 现在 一些 一点 不用 不需要 别的 只要 就行 就好 need needs want wanna supposed gist out challenge challenges manager boss colleague colleagues slide slides deck eod asap 快点 赶紧 赶时间 时间 着急 关心 关注""".split())


# Chat spellings of 啥 ("讲撒子", "能问些撒"): read as 啥 before any cue is matched.
SLANG = re.compile(r"啥子|(?<=[讲说问些是叫干做有])撒子?")
# How the reply should credit its answers ("最好带上是哪位专家说的", "say who said what"): every reply does; no question
ATTRIBUTION = re.compile(r"(?:最好|请|麻烦|顺便)?(?:带上|注明|标明|标注|附上|写明|注上)(?:一下)?(?:是)?(?:哪位|哪个|谁|出处|来源)(?:专家)?"
                         r"(?:说|讲|答|提)?的?|(?<![a-z])(?:and\s+|please\s+)?(?:say|note|mention|include|with|tell\s+me)\s+who\s+said"
                         r"\s+(?:it|what|which|them|each)(?![a-z])")


# Cantonese written as Hong Kong users type it, after OpenCC's t2s (嗰 is 𠮶, 係 is 系): the Mandarin words the cues know
# ("答呢題嗰位係做乜嘢嘅" is "答这题那位是做乜嘢的", "唔該晒" thanks, "出返簡體版" again). Function words only, never a subject;
# not those the cues know in Cantonese (乜, 咩, 啲, 边位, 边个, 点, 嚟: "邊啲人答嘅", "跟住落嚟嗰題").
_CANTONESE = {"唔该晒": "谢谢", "多谢晒": "多谢", "系咪": "是不是", "呢度": "这里", "边度": "哪里", "嘅": "的", "咗": "了",
              "喺": "在", "𠮶": "那", "冇": "没有", "佢哋": "他们", "佢": "他", "哋": "们", "睇": "看", "畀": "给", "俾": "给",
              "揾": "找", "而家": "现在", "出返": "再出", "唔": "不", "啱晒": "正好", "贴落": "贴进",
              "点睇": "怎么看", "点讲": "怎么讲", "边位专家": "哪位专家", "头先": "刚才", "返去": "回到", "最尾": "最后"}
_CANTONESE_RE = re.compile("唔该晒|唔该|" + "|".join(sorted(_CANTONESE, key=len, reverse=True)) + r"|(?<=[他她它那这谁的嘅𠮶佢])系(?![统列数])"
                           r"|系(?=做)|呢(?=[个题道段位条])|咁")
_CANTONESE_OF = {"系": "是", "呢": "这", "咁": "这么"}
_CANTONESE_HINT = re.compile(r"[嘅咗喺𠮶冇唔佢哋睇畀俾揾]|啱晒|贴落|系咪|边度|呢度|而家|出返|咁")  # any of them: read it


def _mandarin(m: re.Match) -> str:
    said = m.group()
    if said == "唔该":
        return "谢谢" if m.end() == len(m.string) or not re.search(r"\w", m.string[m.end():]) else "请"
    if said == "咁" and (m.start() == 0 or m.string[m.start() - 1] in "，,。！？!? ") and not re.match(
            "[多样大快长久]", m.string[m.end():m.end() + 1]):
        return "那"  # "咁抓包要喺边度抓": then
    return _CANTONESE.get(said) or _CANTONESE_OF[said]


def plain(text: str) -> str:
    """A normalised message without dialect words for "what" (啥子, 撒子), in Mandarin's function words where it is
    written in Cantonese (``_CANTONESE``), without requests to credit the answers, and with "tl;dr" as one word (not two
    clauses)."""
    text = _CANTONESE_RE.sub(_mandarin, text) if _CANTONESE_HINT.search(text) else text
    return ATTRIBUTION.sub(" ", SLANG.sub("啥", re.sub(r"(?<![a-z])tl;\s?dr(?![a-z])", "tldr", text)))



def without_aside(question: str, normalised: str) -> str:
    """The question after an opener that says it asks something new (``ASIDE``: "順便問，…"), in its own script (the
    retrieval reads Taiwan's words from it); "" without one. ``normalised``: the question as ``normalise(question,
    phrases=False)`` gives it, character for character the question's when only its script and case changed."""
    m = ASIDE.match(normalised)
    return tail(question, normalised, m.end()) if m else ""


# Characters that say how, not what: a run of them that jieba glued into one word ("先给我个") is no subject.
FUNCTION_CHARS = frozenset("我你您他她它们个给先了的吧呢啊呀嘛哈就都也还再把被让在是有这那些点下来去一要想能会")

# How people introduce themselves before asking ("我是新来的运维，…", "I'm a new SRE, …"): not a subject.
SELF_INTRO = re.compile(r"(?:^|(?<=[，,。.!！~～\s]))\W*(?:我是|我们是(?!不是|否)|我们这边是|我这边是|本人是?|我叫|(?:我|本人)?(?:刚|才|刚刚)(?:接手|接管|调到|调来|调入|转岗到?|入职|加入)|we\s+are\s+(?:a|an|the)\s|we'?re\s+(?:a|an|the)\s|i'?m\s+(?:a|an|the)\s|i\s+am\s+(?:a|an|the)\s"
                        r"|my\s+name\s+is\s|i\s+just\s+joined\s)[^，,。.!！?？]{0,60}(?:[，,。.!！~～]|$)"
                        r"|(?:^|(?<=[，,。.!！~～\s]))\W*(?:[a-z]+\s+){1,4}(?:team|office|department|dept|group|desk)\s+here(?=\W|$)"
                        r"|(?:^|(?<=[，,。.!！~～\s]))\W*[^，,。.!！?？\s]{1,20}(?:组|团队|部门|部|科室|处|中心|项目组|事业部)(?:的|这边(?:想|要)?(?:了解|问问?|请教|咨询)(?:一?下)?)(?=[:：，,。.!！~～\s]|$)"
                        r"|(?:^|(?<=[，,。.!！~～\s]))\W*作为(?:一[个名位])?[^，,。.!！?？]{1,20}[，,]"  # "作为驻场外包想先摸下底，…"
                        r"|(?:^|(?<=[，,。.!！~～\s]))\W*[^，,。.!！?？\s]{1,12}一枚(?=[，,。.!！~～\s]|$)")

# What the asker wants the answer for ("so I can map them to our slides", "好对照我们的清单"): no request of its own
PURPOSE = re.compile(r"\s(?:so\s+(?:that\s+)?(?:i|we)\s+(?:can|could)|for\s+(?:our|my)\s|need(?:ed)?\s+(?:it|this|them)\s+for\s)(?:[^,，.。;；?？!！—–-]|-(?=\S))*"
                     r"|(?:好|方便|以便|用来|用于)(?:我|我们)?(?:对照|放到|贴到|整理|做|写|汇报|对一下)[^，,。；;?？!！]*")

# The asker's own organisation ("是我们银行IT自己做的吗", "我哋银行"): not the expert 某银行, nor a subject
OWN_ORG = re.compile(r"(?:我们|我哋|咱们|我司|本)(?:的)?(?:银行|行|公司|单位)(?:的)?")

# Where a message's clauses end: a long message is read clause by clause (a greeting, an introduction, a request)
CLAUSES = re.compile(r"[。！？!?；;\n～~…，,]+|(?<=[a-z])\.(?:\s|$)|\s+[—–-]+\s+|\s*[\U0001F300-\U0001FAFF\u2600-\u27BF]+\s*")  # emoji too
# typed on a phone without punctuation ("有目录没 高铁上信号差 发短点"), a space between Chinese words may end one too
SPACED = re.compile(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])")


def clauses(text: str, spaced: bool = False) -> list[str]:
    """The message's clauses (``CLAUSES``); ``spaced``: a message with no mark between them split at its spaces
    between Chinese words instead."""
    out = [x for x in CLAUSES.split(text) if x.strip()]
    return [x for x in SPACED.split(text) if x.strip()] if spaced and len(out) == 1 else out


# Asking for less, not for something else: "no need for details", "标题就行不用展开"
# A request to sum up what an expert said ("浓缩成三五个重点", "用三句话捋一下他的思路", "tl;dr, 3 bullets", "his overall
# approach"): a long answer is shown as its outline (kbqa.answer.compose.outline), not as the sentences nearest the words
OUTLINE = re.compile(SHORTER.pattern + r"|整体(?:的)?(?:思路|观点|看法|框架|方案)|(?:核心|主要)(?:观点|思路)|思路|捋(?:一下|一捋|捋|顺)|脉络|大纲"
                     r"|[一二三四五两几\d]\s*(?:到[一二三四五六\d])?\s*(?:句话|个?重点|个?要点|点|条)|重点|要点"
                     r"|(?<![a-z])(?:outline|key\s+points|main\s+points|bullets?|overall|big\s+picture|summar\w*|recap)(?![a-z])")
BRIEF = re.compile(r"(?<![a-z])(?:no\s+need\s+(?:for|to\s+go\s+into)\s+(?:the\s+|any\s+)?details?|(?:no|without)\s+(?:the\s+)?details"
                   r"|(?:just\s+)?(?:the\s+)?titles?\s+only|just\s+the\s+titles?)(?![a-z])|(?:不用|别|不要)(?:展开|细讲|细说|详细)|发短(?:点|一点|些)|不要细节|(?:各自|每人|每位)?(?:的)?(?:重点)?一句话就(?:好|行|够|可以)|(?:各自|每人|每位|每个人)(?:的)?(?:重点|要点|观点)?各?(?:用)?一句话?(?=\W|$)|按(?:题号|编号|顺序|序号)排(?:列|序|好)?(?=\W|$)|标题就行|只要标题|越(?:短|简单|精简|简短)越好|(?:在)?手机上(?:看|读)"
                   r"|(?:简短|精简)(?:点|一点|一些|些)(?=\s*[:：，,])|简单(?:讲讲|说说|讲|说|介绍)(?:一下|下)?(?:就好|就行|即可|就可以)|(?:给个|来个)?[一二三两几\d]\s*句话?的?(?:版本|版)")  # "简短点：…" asks briefly (alone, a complaint)


# The bot called by what it is ("这个问答系统", "问答平台"): not the FAQ's 系统 or 平台
THE_BOT = re.compile(r"问答(?:系统|平台|工具|网站|网页|页面|服务|程序|集)|(?:这个|这套|本|你们这个?|你这个?)(?:系统|平台|工具)(?=是?(?:谁|哪))|(?<![a-z])(?:q&a|qa|faq)\s*(?:system|tool|service|site|app)(?![a-z])")


@text_cache(maxsize=4096)  # pure; routing asks it of the same clauses several times
def strip_cues(text: str) -> str:
    """The text without small-talk and overview cues (what may be left to ask about)."""
    text = BRIEF.sub(" ", SELF_INTRO.sub(" ", THE_BOT.sub(" ", text)))
    for pattern in SMALLTALK_RE.values():
        text = pattern.sub(" ", text)
    return OVERVIEW.sub(" ", text)


speed_up(globals())  # the long patterns above, prefiltered (kbqa.text.prefilter)
