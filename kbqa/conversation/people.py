"""Cues about the experts (routing.py): who answered a question or which answered most, who someone is and which
questions they answered, the other experts of a question, a pronoun or "they" for the expert named before, who said
something, "apart from X". How people ask, never this FAQ's words: the handles and organisations come from the
``Catalog``. (Split from ``cues``, which holds the rest.)"""
from __future__ import annotations

import re

from kbqa.text.prefilter import speed_up


WHO_ANSWERED_IT = re.compile(r"(?:只有|就|才)(?:一|1)(?:位|个)(?:专家|人)(?:回答|答|回)?(?:吗|么|嘛|啊|[?？]|$)|(?<![a-z])who\s+(?:chimed|weighed)\s+in(?![a-z])|(?<![a-z])(?:list|name|give\s+me)\s+(?:the|their)\s+handles(?![a-z])|(?:是)?哪[几些两]?位(?:专家)?(?:回答|答|回复|作答)的|(?:是)?哪(?:个|位)(?:专家|大佬|人)?(?:讲|说|答|回答|回|写|提)的|边个(?:讲|说|答|回)(?:嘅|的)|还有(?:哪几位|哪些人|哪些专家|几位)(?:专家)?(?:也)?(?:答|回答|回复)|(?<![a-z])(?:written|answered|given)\s+by\W*$|谁(?:回答|答|解答|回复|回)的|有谁(?:回|答)(?=[?？吗呢啊]|$)|还有(?:谁|哪位|别人)(?:也)?(?:发过?言|回答过?|答过?|讲过?)|边(?:啲|个|位)(?:专家)?(?:答|回答|回)咗(?:呢|这)题|答(?:呢|这|嗰)题(?:嘅|的)(?:系|是)边(?:位|个)|是谁(?:回答|答)|(?:还有|有没有)(?:别的|其他|其它)(?:专家|人|答主)|(?:别的|其他|其它)(?:专家|答主)"
                             r"|(?:几|多少)\s*(?:位|个|名)\s*(?:专家|人)|(?:回复|回答|答)的(?:人)?有几(?:位|个)|多少专家(?:在)?(?:发言|回答|回复|答)|(?:回帖|跟帖)的(?:人|专家)|(?<![a-z])(?:just\s+)?one\s+person'?s\s+(?:answer|reply)\s+or\s+(?:several|more|many)(?![a-z])|有谁(?:回答|答|解答)|都是谁在(?:答|回|回答)|(?:就|只有?|净系|净是)一\s*(?:个人|位专家|位)(?:回答|答|回)|(?:答|回答|回复)(?:这个|这题|这道题?|那个|那题|它)的(?:人|专家|大佬)"
                             r"|who\s+(?:else\s+)?(?:answered|replied(?:\s+to)?|responded\s+to)(?:\s+(?:it|that|this)(?:\s+(?:one|question|q))?(?![a-z])|\W*$)|other\s+experts?"
                             r"|(?:anyone|anybody|who)\s+else\b|how\s+many\s+(?:people|ppl|folks|experts|practitioners|persons)\s+(?:answered|replied|responded|chimed\s+in|weighed\s+in)|which\s+handles|who\s+(?:gave|wrote|provided)\s+(?:the\s+|that\s+)?(?:answer|reply)|(?:which|what)\s+experts?\s+(?:wrote|gave|answered|replied)|(?:别的|其他|其它|另外)(?:几位|几个)|谁(?:回答|答)得|(?:哪些|哪几个|哪几位)人|谁给的|哪位(?:专家)?(?:回复|回答|答|说|讲|提)的|都有谁|回(?:复|答)(?:这|那)题的|这题的(?:两|几)位|另(?:外)?一位|另一个专家|回答者|答题人|作答|(?:nobody|no\s+one)\s+answered|did\s+anyone\s+answer|whose\s+(?:answer|reply|answers|replies|words|point)\s+(?:was|is|were|are)\s+(?:that|this|it|those|these)(?![a-z])|whose\s+(?:answer|reply|answers|replies)\s+(?:is|are)\s+(?:filed\s+|listed\s+|posted\s+)?(?:under|on|for)\s+(?:it|that|this)|边个(?:专家)?(?:回答|答|覆)|(?:挂|署|留)了?(?:几|哪些)个?名字|哪[两三四]位"
                             r"|(?<![a-z])(?<!to\s)(?<!into\s)the\s+others?\b(?!\s+(?:questions?|qs|topics?|entries|items|faqs?|sections?|titles?|clusters?|sides?|sites?|regions?|zones?|nodes?|data\s*cent(?:er|re)s?)(?![a-z]))|other\s+(?:ones|guys|people|answers)|whose\s+names?|(?<![a-z])head\s*count(?![a-z])|(?:还有|又有)谁(?:也)?(?:回答|答|回复|回)|人头数|报(?:一)?下(?:名字|名单)|另有其人"
                             r"|(?:everyone|everybody|all\s+(?:the\s+)?(?:people|folks|experts))\s+(?:who|that)\s+(?:chimed|weighed|answered|replied|responded|contributed)"
                             r"|how\s+many\s+experts|which\s+experts|(?:experts?|people|folks|names?)\s+behind\s+(?:those|these|the|that|this)(?![a-z])|(?:就|只有|只)(?:一|1)\s*(?:个|位|名)(?:人|专家)?(?:回答|答|作答|解答)"
                             r"|(?:回答|答|解答|回复|回覆)(?:了|过)?\s*(?:这|那|该|此)(?:个|道|一)?(?:题|问题)|(?:回答|解答|回复|回覆)(?:了|过)?\s*(?:它|ta)(?![a-z])"
                             r"|(?:回答|答案|回复|专家|答的人)(?:里|里面|中|当中|里头)有(?:没有)?[^，,。？?]{1,8}?(?:背景|出身|的人|的专家)"  # "回答里有银行背景的吗"
                             r"|(?:anyone|anybody|someone)\s+(?:from|at|with)\s+(?:a|an|the)\s+[a-z-]+(?:\s+[a-z-]+)?\s+(?:chime|weigh|answer|respond|repl|comment)")

# "职位呢", "and their title?" after an expert: a word of a profile, alone
BARE_PROFILE = re.compile(r"^\W*(?:那|那么)?(?:他|她|佢)?(?:的)?(?:职位|职务|头衔|职称|岗位|公司|单位)(?:呢|嘞|咧|是)?\W*$|^\W*(?:and\s+)?(?:(?:his|her|their)\s+)?(?:title|job|role|company|employer)\W*$")
PROFILE = re.compile(BARE_PROFILE.pattern + r"|是谁|是哪位|何许人|是哪家|哪家的|是做什么|干什么的|干啥的|干嘛的|做啥的|(?<!拿来)(?<!用来)(?<!拿去)做什么的|哪[个家间所]?(?:公司|单位|机构|企业)|在哪[里儿个家间]?(?:工作|任职|上班|公司|高就)"
                      r"|(?:什么|啥|咩|乜)(?:背景|来头|职位|头衔|身份)|(?:背景|来头|来历|出身)(?:是|是个)?(?:什么|啥|咩|乜|怎样)|的(?:背景|来头|来历)\W*$|(?:咩|乜)(?:公司|单位)|(?:负责|管)哪(?:块|一块|部分)|职级|(?:干|做|在)哪个?岗|(?:什么|啥)岗位?(?:的)?\W*$|介绍一?下(?:这位|他|她|此人|这个人)?\W*$|介绍一下|who\s+is|who's|where\s+does\s+\S+\s+work|what\s+does\s+\S+\s+do\b"
                      r"|background|which\s+company|job\s+title|(?:their|his|her)\s+job(?![a-z])|(?:任职单位|头衔|职位|职称)(?:跟|和|与|、)?[^，,。？?]{0,6}(?:是什么|是啥|叫什么)|^\s*who\s*$")
# A message ending in "…的那题" (a number described: "5️⃣ 拜托~流量在集群里横着走的那题")
THAT_ONE = re.compile(r"(?:的|嘅)?(?:那|这|嗰)\s*一?\s*[道个条]?\s*题\W*$")
# A question named by its subject: "他在排查那题里", "东西向那道题中" (group "s")
SUBJECT_QUESTION = re.compile(r"(?:在|于|喺)?(?P<s>[^，,。？?！!在喺]{1,12}?)(?:(?:那|这|嗰|𠮶)一?(?:道|个)?(?:题|问题)|那块|[那这]道(?=有|里|的|谁|哪|也|我|咱|\W|$)|[那这]个(?=\s*(?:整题|原题|全文|整段|整篇)))(?:里|中|上|下)?")
# "the planning question", "that SDN one": a question named by a few words of its subject, in English
THE_X_QUESTION = re.compile(r"(?<![a-z])(?:the|that|this)\s+(?P<s>[a-z0-9/+-]+(?:\s+[a-z0-9/+-]+){0,2}?)\s+(?:question|one(?!\s+of\s)|q|topic)(?![a-z])")
# Who an expert picked out by place is ("第二位是什么背景"; not "是谁": "第二个回答的人是谁" stays on the question)
BACKGROUND = re.compile(r"背景|来头|出身|履历|(?<![a-z])background(?![a-z])")
# Where what an expert said begins ("第一位呢 他好像说得看公司自己能力": 能力 names no question)
SAYING = re.compile(r"说|讲|提到|提过|认为|觉得|主张|建议|(?<![a-z])(?:said|says|mentioned|suggested)(?![a-z])")
# Everyone who answered, not the one expert a turn before asked about ("仨人观点各一句话总结下", "两位专家各一行", "each
# expert in one line"): the question with all its answers
EVERYONE = re.compile(r"[仨俩两]人(?![员手])|这俩(?:人|位|个)?(?=回答|答案|的|说|观点|意见|看法)|[两三四五六几]\s*(?:位|个)\s*(?:专家|人|答主|大佬|老师)|(?:他们|她们)[两俩三几]\s*(?:个|位)?|各位专家|每位(?:专家)?|每个(?:人|专家)"
                      r"|所有(?:人|专家)|(?<![a-z])(?:each\s+expert|every\s+expert|all\s+(?:of\s+them|three|four|five|six|the\s+experts)|(?:the\s+)?(?:two|three|four|five|six)\s+of\s+them|both\s+(?:of\s+them|experts|answers|replies))(?![a-z])")
# "哪道题没人回答", "which of those has no answers?": which questions no expert answered (not "nobody answered this?")
UNANSWERED = re.compile(r"^(?=.*(?:哪|边|第几|(?:别的|其他|其它)(?:题|问题)|(?:就|只有)(?:它|这)|是不是有(?:一)?(?:道|个)?题|(?:有没有|是否有|是否存在)(?=[^，,。？?]{0,12}题)|有冇?(?:一[道个]?|[道个])题|的(?:题|问题)(?:吗|么|嘛|没有?)(?=\W|$)|(?<![a-z])(?:which|what|any|every|is\s+there|are\s+there|(?:is|are)\s+(?:one|any|some))(?![a-z]))).*(?:只有(?:问题|题目)没(?:有)?(?:答案|回答|解答)|[道个题](?:底下|下面)?(?:是)?空(?:白)?(?:的|着)|一\s*(?:个|位)(?:人|专家|答主)?(?:答复|回复|回答)?都(?:没有?|无|冇)(?:来)?(?:答|回答|回复|回|解答)?|(?:没有?|无|冇)(?:人|专家|任何人|任何专家|一个人)(?:回答|答|回复|回|解答|作答|接|留言|覆)|哪[道个题][^，,。？?]{0,2}是空的|空壳|只有题干|(?:光|只)有题(?:目)?没(?:有)?(?:答案|回答|人答)|(?:都)?没(?:人)?吭声|没有收录(?:任何)?(?:专家)?的?(?:答复|回答|答案)|点开(?:是|全是|就是)?(?:白的|空白的?|一片空?白)|一[个道题](?:是)?空(?:的|着)|(?:零|0)\s*(?:个|条)?\s*(?:回复|回答|答案|解答|repl(?:y|ies)|answers?|responses?)|暂无(?:解答|回答|答案|回复)|(?:没有|无|冇)(?:回答|答案|解答)的(?:问题|题)|一(?:个|条|份)(?:专家)?(?:回答|答案|解答|回复|意见)都(?:没有|没|无)|(?:下面|底下|下边)(?:是)?(?:光秃秃|空空|空荡荡|(?:啥|什么)(?:都|也)(?:没有|没))|只有(?:题目|问题|标题)(?:和|跟|加|与)?[^，,。？?]{0,6}(?:说明|描述)|挂空挡|开天窗|点(?:进去|开)(?:是|都是|全是)?空(?:白)?的|点(?:进去|开)(?:后|以后|之后)?(?:啥|什么)(?:都|也)(?:没有|没)"
                        r"|(?<![a-z])(?:(?:has|have|had|with|got|gets|getting|carr(?:y|ies))\s+(?:no|zero)|without(?:\s+any)?)\s+(?:expert\s+|respondent\s+)?(?:answers?|repl(?:y|ies)|responses?|write-?ups?)(?![a-z])|(?<![a-z])unanswered(?![a-z])|(?<![a-z])lacks?\s+(?:any\s+)?(?:expert\s+)?(?:replies|answers|responses)(?![a-z])|(?<![a-z])(?:zero\s+(?:expert\s+)?|no\s+expert\s+)(?:answers|replies|responses)(?![a-z])|(?<![a-z])(?:got|are|were|left)\s+(?:some|any)\s+empty(?![a-z])"
                        r"|(?<![a-z])(?:nobody|no\s*one|no\s+expert)\s+(?:\w+ly\s+|ever\s+|even\s+)?(?:answere?d|replied|responded|answering|replying|responding|wrote|posted|(?:respond|reply|answer)\s+to)(?![a-z])|left\s+blank|(?:is|are)\s+(?:one|any)\s+(?:of\s+them\s+)?(?:blank|empty)(?![a-z])|(?:had|has|have)\s+nothing\s+(?:under|below|beneath)\s+it"
                        r"|(?<![a-z])no\s+(?:experts|answerers|answers)\s+(?:under|below|beneath)\s+(?:it|them)|(?:just|only)\s+(?:a|the|its)\s+title\s+(?:and|&)\s+(?:a\s+|the\s+)?description|empty\s+(?:answers?\s+)?section|skipped\s+(?:entirely|completely|altogether))")
MOST_ANSWERS = re.compile(r"(?:哪位|哪个|谁)(?:专家|老师|大佬)?(?:回答|答|回|参与|出场|发言)(?:了|的|得)?(?:题目?|问题|次数)?(?:最多|最勤|最频繁)|(?:谁|哪位)(?:专家|老师|大佬)?最活跃|(?:回答|答题|出场|发言)(?:次数)?最多的(?:是)?(?:哪位|谁|专家)"
                          r"|(?<![a-z])(?:which|what)\s+expert\s+(?:has\s+)?(?:answered|replied\s+to|responded\s+to|contributed\s+to)\s+the\s+most(?![a-z])"
                          r"|(?<![a-z])who\s+(?:has\s+)?(?:answered|replied\s+to|contributed\s+to)\s+the\s+most\s+(?:questions|qs|topics)|most\s+active\s+(?:expert|answerer|contributor)|top\s+(?:contributor|answerer)|whose\s+name\s+(?:comes|shows|turns)\s+up\s+(?:under|in|on)?\s*the\s+most|(?<![a-z])who\s+(?:has\s+)?answered\s+the\s+most\W*$|(?:which|what)\s+expert\s+(?:shows\s+up|appears)\s+in\s+the\s+most(?![a-z])")
# Which question got the most answers ("哪道题回答的人最多", "which one got the most answers?"): a question, not an expert
MOST_ANSWERED = re.compile(r"哪(?:个|道|一)?(?:题|问题)[^，,。？?]{0,6}?(?:回答|答|回复|专家|人)[^，,。？?]{0,3}?最多|(?:回答|回复|专家|答的人)最多的(?:是)?(?:哪|那)(?:个|道|一)?(?:题|问题)"
                           r"|(?<![a-z])which\s+(?:one|question|q|topic|entry)\s+(?:got|has|had|gets|drew|received)\s+the\s+most\s+(?:answers|replies|experts|responses)(?![a-z])|most[- ]answered|(?:这|该)(?:道|个)?题[^，,。？?]{0,12}?是不是[^，,。？?]{0,8}?(?:回复|回答|专家|答的人)最多")
# ... and the fewest ("哪道题回复的人最少", "which one got the fewest answers")
LEAST_ANSWERED = re.compile(MOST_ANSWERED.pattern.replace("最多", "最少").replace(r"the\s+most", r"the\s+(?:fewest|least)")
                            .replace("most[- ]answered", "least[- ]answered"))
# ... and those only one expert answered ("哪几题是只有一位专家回答的", "which questions only got one person answering?")
_ONE = (r"(?:(?:只有|只|就|仅|仅有)(?:一|1)\s*(?:位|个|名)(?:专家|人|大佬|老师)?(?:回答|答|回复|回|作答|解答)|(?:回答|回复|答)的?(?:人|专家)?(?:只有|就|仅)(?:一|1)\s*(?:位|个|名)"
        r"|(?<![a-z])(?:(?:only|just)\s+(?:got|has|have|had|gets|received)|(?:got|has|have|had|gets|received)\s+(?:only|just))\s+(?:one|1|a\s+single)\s+(?:person|expert|answer|reply|response|responder)"
        r"|(?<![a-z])(?:answered|replied\s+to)\s+by\s+(?:only|just)\s+(?:one|1|a\s+single)(?![a-z]))")
_WHICH_QUESTIONS = r"(?:哪(?:几|些|一)?(?:道|题|个问题|问题|个题)|(?:别的|其他|其它)(?:题|问题)|(?<![a-z])(?:which|what|any)\s+(?:other\s+)?(?:questions?|ones?|qs|topics?)(?![a-z]))"
ONE_ANSWER = re.compile(rf"{_WHICH_QUESTIONS}[^？?。!！]{{0,20}}?{_ONE}|{_ONE}[^？?。!！]{{0,10}}?{_WHICH_QUESTIONS}")  # in one clause
THEIR_QUESTIONS = re.compile(r"(?:答|回答|回|写)的另(?:一|外一?)(?:道|题|個|个)|(?:同时|都|一起|共同)?答过的(?:是)?哪(?:几|些)(?:道|题|个)|还有(?:别的|其他|其它)(?:回答|回复|答案)|(?:回|答)(?:了|过|咗)?(?:哪(?:几|些)|边(?:几|啲)|几多|几|多少)(?:道|题|个|条)|(?:在|喺)(?:哪|边)(?:几|些)(?:条|道|题)|(?:哪些|哪几个)题号|答过的(?:题号|题目|题|问题)|(?:哪些|哪几)(?:道)?题目?(?:下面|底下|里)(?:有|还)?(?:留过?(?:言|答复|回复|回答)|回过|答过|发过?言|回复|答复)|在(?:哪些|哪几)(?:道)?题目?(?:下面|底下)(?=\W|$)|(?:覆盖|复盖|涵盖)了?(?:哪些|哪几)(?:道)?(?:题目|问题|题)|在(?:几|哪几|哪些)(?:道|个)?题(?:里|中|里面|下面|底下)?(?:出现|露面|回答|答|发言|露过面|出过场|留过?言|回过|发过?言)过?|(?:questions?|ones|threads|qs)\s+(?:\w+\s+)?(?:contributed|replied|responded)\s+to(?![a-z])|contribut(?:e|ed|es|ions?)\s+(?:across|to|in|throughout)\s+(?:the\s+)?(?:whole\s+|entire\s+)?(?:faq|thing|doc|document|article|kb)(?![a-z])|答过(?:别的|其他|其它|哪些|哪几)?(?:题|问题)|(?:出现|露面|参与)过?的(?:题号|题目|题|问题)|(?:别处|(?:别的|其他|其它)地方)(?:还)?(?:有)?(?:在)?(?:别的地方)?(?:留过?言|答过|回答过|发过?言|说过|出现过)|答了(?:几|多少)(?:道)?(?:题|个问题)|答(?:了|咗)?(?:几多|几|多少)(?:道|条)|答过(?:别的|其他|其它)?(?:哪些|哪几)|(?:出现|露面|出场)了?(?:几|多少)次|分布在(?:第几|哪(?:几|些))|(?:别处|(?:别的|其他|其它)地方)(?:还)?有(?:他|她|ta)?的?(?:回答|回复|答复|发言)|(?:一共|总共|共)答了(?:几|多少)(?:道|个)|(?<![a-z])(?:which|how\s+many)\s+of\s+the\s+(?:ten|\d+|questions|qs)\s+(?:did|has|have)\s+(?:[^,.?]{1,60}?\s)?(?:reply|replied|respond|responded|answer|answered|weigh|weighed|chime|chimed)(?![a-z])|答过(?:别的|其他|其它)(?=吗|没|么|呢|\W|$)|(?<![a-z])(?:which|what)\s+(?:threads|entries|items)(?![a-z])|chimed?\s+in\s+on|tally\s+(?:up\s+)?(?:his|her|their)\s+(?:answers|replies)|(?:what|which)\s+else\s+did\s+(?:\S+\s+)?answer|(?:answers|replies)\s+by\s+question\s+number|(?:answer|answered|reply|replied)\s+(?:to\s+)?(?:any|other|any\s+other)\s+(?:questions?|qs|topics|threads)|(?<![a-z])(?:on|in|under)\s+any\s+(?:of\s+the\s+)?other\s+(?:questions?|qs|topics|threads|ones)(?![a-z])|(?:别的|其他|其它)(?:题|问题)|(?:回答|回复|回覆)(?:了|过)?(?:哪些|哪几个|哪几|什么|几个|几|多少)(?:问题|题)?|答了?(?:哪些|哪几个|哪几|几个)|参与了?(?:哪些|哪几个)"
                              r"|参与(?:了|过)?(?:几|多少|哪几|哪些)(?:道|题|个)|(?:作答|回答|答)的(?:全部|所有)(?:题号|题目|题)|答的(?:是)?哪(?:几|些)(?:道|题|个)|参与的(?:题号|题目)|答题(?:的)?分布|题(?:下面|底下)都有(?:他|她|ta)|好几(?:个|道)?题(?:里|中|下面)?都有(?:他|她|ta)|(?:好几|几|多)(?:个|道)?题(?:里|中|下面)?都(?:露过?面|出现过?|出场过?|冒过?头)|跨了?(?:几|多少|哪几)(?:个|道)?题|出现(?:了)?好几次|按题号(?:归|分|整理|排|列)|(?:出现|露面|出场)过?(?:在|喺)(?:哪|边)(?:些|啲|几)(?:道|条)?(?:题|问题)"
                              r"|(?<![a-z])(?:items?|questions?|entries|ones)\s+where\s+(?:\w+\s+){0,3}?(?:appears?|shows?\s+up|has\s+(?:a\s+|an\s+)?(?:response|reply|answer))(?![a-z])"
                              r"|(?<![a-z])(?:topics|questions|entries|ones)\s+(?:he|she|they)\s+(?:replied|answered|responded|contributed|wrote)\s+(?:under|to|in|on)(?![a-z])"
                              r"|(?<![a-z])(?:(?:show|turn|pop)(?:s|ed)?\s+up\s+(?:anywhere\s+else|elsewhere)|where\s+else\s+(?:does|did|do|is)|(?:in|on)\s+other\s+parts\s+of\s+(?:the|this)\s+(?:faq|doc|document|article))(?![a-z])"
                              r"|(?:哪些|哪几个)问题|which\s+(?:questions|qs|question\s+numbers)|what\s+(?:questions|qs)|how\s+many\s+(?:questions|qs)"
                              r"|(?:聊|谈|讲|说|写|涉及|出现|露面|现身)(?:过|了)?(?:哪些|哪几个|哪几|几个)(?:话题|题|问题|主题|方面)"
                              r"|(?:哪些|哪几个|哪几)(?:话题|道题|题)(?:里|中|下面?)?(?:出现|露面|有他|有她)"
                              r"|(?:分布|出现|露面|发言|散落|散)在(?:哪些|哪几个?)道?(?:题|问题)"
                              r"|(?:what|which)\s+(?:topics|subjects)|(?<![a-z])what\s+else\s+(?:has|did|have)\s+\w+\s+(?:answered|replied\s+to|responded\s+to|contributed\s+to)(?![a-z])|(?<![a-z])(?:items|questions|entries)\s+where\s+\w+\s+(?:gave|wrote|posted|left)\s+an?\s+(?:answer|reply)(?![a-z])|(?<![a-z])where\s+else\s+(?:does|did|do|has|have|is|was)\s+(?:\w+\s+){1,2}?(?:show(?:ed)?\s+up|appears?|appeared|pop(?:ped)?\s+up|chime[sd]?\s+in|repl(?:y|ied)|answer(?:ed)?|post(?:ed)?|give\s+an?\s+(?:answer|reply))(?![a-z])|which\s+of\s+the\s+(?:\w+\s+)?(?:questions|qs|topics)|(?:appears?|shows?\s+up|features?)\s+(?:in|on|under)\s+(?:which|what|other)")
WHO_ANSWERED = re.compile(r"(?:回答|回复|作答|答)的人[^。]{0,12}?都(?:是)?谁|报个?名单|谁回(?:了|过|复)|(?:(?:回答|回复|作答|答题|答)的(?:[两三四几]个|[两三四几]位)?(?:人|专家)|两位|几位|答主们?|回答者|答题人|作答人|作答者)[^，,。？?]{0,6}(?:背景|来头|来历|什么人|哪家|单位|公司|机构|岗位|职务|职位|职称|头衔|哪里来的|哪儿来的)|(?:回答|回复|作答|发言)的是(?:谁|哪[几些]?位)|是哪[几些]?位(?:专家)?(?:回答|答|回复|作答)的|哪[两三四几]?位在(?:回|答)|谁写的(?:回答|答案|解答|回复)|(?<![a-z])whose\s+(?:answer|reply|response)s?(?![a-z])|谁(?:谁)*在(?:回|答)|的(?:人)?(?:有谁|都有谁|有哪几位|有哪些人)(?=\W|$)|(?<![a-z])who\s+contributed(?![a-z])|(?:答题|回答|作答|回复)(?:的)?人的?(?:名字|名单|列表|清单|id|ID)|都有(?:谁|哪些人)|(?:作答|回答|答题|回复|回覆)人是谁|(?:作答|回答|答题|答|回复|回覆)的(?:专家|人|大佬)(?:分别|都|各)?(?:是谁|最多|名单|有哪些|都有谁|有谁|有几位)|(?:哪些|哪几位|哪位|哪[两三四]位|(?<![0-9十廿百千])几位|(?<![0-9十廿百千])几个|多少|什么|有哪些|都有谁)(?:专家|人|大佬|大大|老师|位)|谁(?:回答|答|来回答|解答)|是谁回答|由谁(?:来)?(?:回答|解答|作答|答|回复)"
                           r"|哪几位|几位(?:专家)?(?:回答|答|回了|回复)|(?:回答|回复|回覆|作答)(?:的|嘅)(?:是|係|系)(?:咩人|乜人|边个|边位|什么人|谁)|署名|边几位|(?<![拣选用开装买揀嗰𠮶那呢喺在去放摆])边个(?!好|先|更|比较|啱|准|快|平)|边位|边啲(?:人|专家)|(?:一|几|多少)\s*(?:个人|位专家|位)(?:回答|答)"
                           r"|who\s+(?:all\s+)?(?:answered|replied|responded|discussed|talked|wrote|covered|chimed\s+in|weighed\s+in)|whoever\s+(?:answered|replied|responded)\s+(?:there|on|to\s+th)|(?<![a-z])(?:handles?|names?)\s+of\s+(?:whoever|everyone|everybody|those|the\s+(?:people|experts|folks))\s+(?:who\s+|that\s+)?(?:answered|replied|responded|chimed|weighed)|who(?:'s|\s+is|\s+was|\s+are|\s+were)\s+behind\s+(?:the\s+)?(?:answers?|repl(?:y|ies)|responses?)(?![a-z])|which\s+(?:of\s+(?:the|them|those)\s+)?(?:experts?\s+|answers?\s+)?(?:(?:there|here)\s+)?(?:talks?|talked|speaks?|spoke|writes?|wrote|goes|went)\s+(?:about|of|into|on)|(?:which|what)\s+(?:practitioners|people|folks|persons)\s+(?:answered|replied|responded|chimed|weighed)|how\s+many\s+(?:people|ppl|folks|experts|practitioners|persons)\s+(?:answered|replied|responded|chimed\s+in|weighed\s+in)|which\s+handles|who\s+were\s+they|(?<![a-z])(?:people|ppl|folks|experts|practitioners)\s+(?:have\s+)?(?:replied|answered|responded)\s+to(?![a-z])|list\s+(?:out\s+)?who\s+(?:they|those\s+(?:people|experts))\s+(?:are|were)(?![a-z])|(?:people|folks|experts|ones|everyone|everybody)\s+(?:that|who)\s+(?:answered|replied|responded|chimed\s+in|weighed\s+in)|(?<![a-z])contributors(?![a-z])|(?:experts|people|folks|names)\s+behind(?![a-z])|(?:people|folks|ones|experts|persons?)\s+(?:replying|answering|responding)(?![a-z])|(?:people|experts|folks|names)\s+quoted|发言(?:人|的人|者)|(?:回答|答题|作答)者|roll\s+call|names\s+of\s+(?:the\s+)?(?:folks|people|experts)|which\s+experts?|what\s+experts?|whose\s+(?:answer|advice|reply|view)")
# "另外俩人说的呢 特别是那个技术经理的": the others, two or more (one of them described too)
OTHER_TWO = re.compile(r"(?:另外|其他|其它|其余|剩下的?|剩余的?)(?:那|这)?(?:俩|两位|两个|几位|二位)")
# The other expert(s) of the question the conversation is on, besides the one it was about ("另一位专家呢", "这题还有一位
#答主吧？他的说法呢", "what's the other expert's take")
OTHER_EXPERT = re.compile(r"(?:另|另外|其他|其它|别的|其余|剩下的?|剩余的?)(?:那|这)?(?:一|两|几)?(?:个|位)(?:回答者|答题人|回答的人|作答的人)|还有(?:另)?(?:一)?(?:个|位)(?:人|专家|大佬)?(?:也)?(?:答|回答|回)了?|还有(?:另)?一(?:个|位)(?=吗|么|嘛|呢|[?？])|(?:另|另外|还有|其他|其它|别的|其余|剩下的?|剩余的?)(?:那|嗰|𠮶|这)?(?:(?:一|几|两)?(?:位|个)|俩|仨)(?:专家|答主|大佬|老师|人)?(?:是|又)?(?:的|呢|吧|怎么|说|咋|点|观点|看法|说法|推荐|建议|提到|提的|讲的|给的|思路|从|什么(?:主张|观点|看法|思路|意见|建议|方案)|主张|意见|立场)"
                          r"|(?:另|另外|其他|其它|别的|其余|剩下的?|剩余的?)(?:那|嗰|𠮶|这)?(?:一|几|两)?位[^，,。？?\s]{1,6}?(?:(?:怎么|咋|如何|点)(?:说|回|讲|答|看|睇)|的?(?:看法|观点|说法|意见))"
                          r"|(?:另|另外|其他|其它|别的|其余|剩下的?|剩余的?)(?:那|嗰|𠮶|这)?(?:一|几|两)?(?:位|个)(?:回答|答题|作答)的(?:人|专家)"
                          r"|(?:另|另外|其他|其它|别的|其余|剩下的?|剩余的?)(?:那|嗰|𠮶|这)?(?:一|几|两)?(?:个|份|篇|条)?(?:回答|答案|回复)(?:呢|吧|怎么|说|咋|跟|和|与|里|中|是)"
                          r"|(?<![a-z])(?:the\s+)?other\s+(?:answer|reply|response)s?(?![a-z])"
                          r"|(?:其他|其它|别的)(?:专家|答主|大佬|老师)|下一位(?:专家|答主|大佬|老师)?(?:呢|怎么|咋|说|的)|剩下(?:的)?(?:那|这)?(?:个|位)|剩下(?:的)?(?:那)?(?:两|几|三)?位|剩下(?:的)?(?:那)?(?:俩|两个|几个|三个)(?:人|专家|答主)?|(?:还有|有没有|还有没有)(?:别人|别的人|其他人|其它人)|(?:另外|此外|另)还有(?:谁|哪位|哪个人)|没(?:有)?(?:别人|别的人|其他人|其它人|其他专家)了?(?:吗|么|嘛)|换(?:一)?(?:个|位)(?:人|专家|答主)"
                          r"|(?<![a-z])(?:anyone|anybody|someone)\s+else(?![a-z])|(?<![a-z])(?:whoever|who)(?:'s|\s+is)\s+left(?![a-z])|(?<![a-z])the\s+(?:rest|remaining)(?:\s+(?:of\s+them|ones?|experts?|answers?))?(?![a-z])"
                          r"|(?<![a-z])(?:the\s+)?other\s+(?:expert|answerer|guy|person|one|people|experts)(?![a-z])|(?<![a-z])(?:a\s+second|another)\s+(?:expert|answerer|person)(?![a-z])")
# "…also cover X?", "his other questions": another than the one the conversation is on (English)
ANOTHER = re.compile(r"(?<![a-z])(?:also|too(?!\s+(?!pls|please|plz)[a-z])|other|(?<!nothing\s)(?<!anything\s)(?<!or\s)else|another)(?![a-z])")  # not "too wordy", "and nothing else"
THEY = re.compile(r"(?<![a-z])(?:(?:did|do|does|would)\s+they\s+(?:lean|say|think|suggest|recommend|prefer|propose|pick|choose|favou?r)|they\s+(?:said|think|thought|suggested|recommend(?:ed)?|prefer(?:red)?|lean(?:ed)?)|their\s+(?:take|views?|position|stance|opinion|advice|pick|choice))(?![a-z])")  # the one expert the turn before named ("who is X?" … "which way did they lean")
PRONOUN = re.compile(r"(?:^|(?<=[。！!？?，,~～]))\s*(?:那|那么|and\s+)?(?:他|她|佢|这位专家|这位|那位(?![^，,。？?\s]{0,8}(?:专家|老师|大佬|架构师|工程师|经理|总监|设计师))|ta(?=\s*[\u4e00-\u9fff])|he|she|him|her|his|they)(?![a-z])|(?<![a-z其吉利])(?:他|她|佢|he|she|him|her|his)(?![a-z])"
                      r"|这人|那人|此人|这个人|那个人|(?:写|说|讲|答)(?:这|那)(?:段|条|句)(?:话)?的(?:人|那位|专家)|同一个人|同一位(?:专家)?|同一人|(?:这|那)(?:哥们儿?|老哥|兄弟|大哥|老兄|位老师)"
                      r"|(?:上面|刚才|前面|之前)?(?:那个|那位|这个|这位|该)(?:专家|老师|大佬)"
                      r"|(?<![a-z])(?:that|this|the\s+same)\s+(?:expert|guy|person)(?![a-z])")
# "那个说用 kong 的是谁" / "谁建议用 calico" / "who suggested Kong": the expert whose answer says it
WHO_SAID = re.compile(r"(?:那个|那位|哪个|哪位)?(?:专家)?(?:说|讲|吐槽|提到|提过|建议|推荐|主张)(?:过|了)?(?:要|用|使用)?\s*(?P<a>[^，,。？?吗么嘛]{1,30}?)\s*"
                       r"的?(?:那个|那位)?(?:专家|人|大佬|老师)?\s*(?:是谁|是哪一?位(?:专家|大佬)?|叫什么|[，,]?\s*是哪家(?:公司|单位|机构|银行|企业)?的(?:专家|人|大佬)?)"
                       r"|谁(?:说|提到|提过|建议|推荐|主张)(?:过|了)?(?:要|用|使用)?\s*(?P<b>[^，,。？?]{1,30})"
                       r"|(?P<d>[^，,。？?]{1,30}?)\s*(?:那个|这个)?(?:说法|观点|建议|方案|思路)?\s*是谁(?:提|说|讲|给)的"
                       r"|(?<![a-z])(?:who|which\s+(?:of\s+the\s+)?experts?|which\s+one|which\s+of\s+(?:the\s+two|them|the\s+(?:two\s+|three\s+)?experts))\s+"
                       r"(?:said|mentioned|suggested|recommended|proposed|brought\s+up|made|came\s+up\s+with|compared|likened|talked\s+about"
                       r"|(?:was\s+)?(?:worried|concerned)\s+about|warned\s+(?:about|against)|raised|argued\s+for|pushed\s+for)\s+(?:using\s+|to\s+use\s+)?"
                       r"(?P<c>[^?.,]{1,60})|(?P<e>[^?.,，。？]{1,60}?)\W*\s(?:whose|who'?s)\s+(?:(?:idea|suggestion|point|advice|take|call)\s+)?(?:was|is)\s+(?:it|that|this)(?:\s+(?:one|in\s+there))?\W*$"
                       # "这段出自哪位大佬", "这些是谁的观点", "那个吐槽SDN太贵的是哪位": who said what the turn before quoted, or X
                       r"|(?:^|(?<=[，,。？?！!\s]))(?P<f>(?:(?!说|讲|吐槽|提到|提过|建议|推荐|主张)[^。？?]){0,40}?)(?:这段|那段|这些|那些|这句|那句)?(?:话|观点|说法|建议|内容)?(?:是)?"
                       r"(?:出自|来自)(?:哪位|谁|哪家|哪个)|(?:^|(?<=[，,。？?！!\s]))(?P<g>(?:(?!说|讲|吐槽|提到|提过|建议|推荐|主张)[^，,。？?]){1,30}?)是(?:谁|哪位)的(?:观点|说法|建议|回答|看法)"
                       r"|(?:^|(?<=[，,。？?！!\s]))(?P<h>(?:(?!说|讲|吐槽|提到|提过|建议|推荐|主张)[^，,。？?]){1,30}?)的?是哪(?:位|个人)(?:专家|大佬)?\W*$")  # (not "推荐 Kong 的是哪位": a)
_MAY_ASK_WHO = re.compile(r"谁|哪一?位|哪个人|哪家|叫什么|出自|来自|(?<![a-z])wh(?:o|ich)")  # what every WHO_SAID needs


def who_said(text: str) -> re.Match | None:
    """``WHO_SAID`` in a text, skipped (cheaply) when no word of it that asks who is there: most messages."""
    return WHO_SAID.search(text) if _MAY_ASK_WHO.search(text) else None


# a turn that quotes or names a statement ("flannel 同子网走 hostgw 那个说法"): "出自哪位" after it asks who said it
QUOTED = re.compile(r"说法|观点|那句|这句|原话|这段话|那段话|[“「\"]")
# "别的" / "other": another of theirs; "其他人" / "the others": the other experts (of the question the conversation is on)
OTHERS = re.compile(r"别的|别处|其他|其它|另外的|另(?:一|外一?)(?:道|题|个)|(?<![a-z])(?:other|else)(?![a-z])")
THE_OTHERS = re.compile(r"(?:别的|其他|其它|另外的|其余)的?(?:人|专家|几位|各位|位)"
                        r"|(?<![a-z])(?:others|other\s+(?:experts?|people|folks|ones)|everyone\s+else|the\s+rest)(?![a-z])")
BESIDES = re.compile(r"(?<![a-z])(?:apart\s+from|aside\s+from|besides|except(?:\s+for)?|other\s+than)(?![a-z])|除了|除咗|之外|以外|不是(?=[^，,。？?]{0,20}(?:那位|那个人|那个专家|的人))|(?<![a-z])not\s+the\s+(?:one|guy|person)(?![a-z])")


# "第二个呢" after "第一个人的…看了": the turn before counted people, so the bare ordinal is the Nth person (``as_person``)
_BARE_ORDINAL = re.compile(r"^\W*(?:那|那么)?\s*第\s*[一二三四五六七八九十\d]{1,2}\s*个(?=\s*(?:呢|嘞|咧)?\W*$)")
_COUNTS_PEOPLE = re.compile(r"第\s*[一二三四五六七八九十\d]{1,2}\s*(?:个人|位|个专家|个答主)")


def as_person(text: str, turns: list[str]) -> str:
    """The message with "人" after a bare ordinal ("第二个呢") when the turn before counted people; else as it is."""
    m = _BARE_ORDINAL.search(text)
    return text[:m.end()] + "人" + text[m.end():] if m and turns and _COUNTS_PEOPLE.search(turns[-1]) else text


speed_up(globals())  # the long patterns above, prefiltered (kbqa.text.prefilter)
