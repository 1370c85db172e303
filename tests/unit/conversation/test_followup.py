"""Follow-up turns that only make sense after the earlier ones (kbqa.conversation.followup), read by the router over the
real corpus/faq.json; retrieval is a stand-in naming the question of a few subjects (no model)."""
from __future__ import annotations

import pytest

from kbqa.conversation.catalog import Catalog
from kbqa.conversation.routing import Context, understand
from kbqa.corpus.loader import load_faq
from kbqa.retrieval.glossary import Glossary
from kbqa.settings import REPO_ROOT


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog(load_faq(REPO_ROOT / "corpus" / "faq.json"), Glossary.load(REPO_ROOT / "corpus" / "glossary.tsv").spellings)


def _topic_of(turn: str):  # retrieval's question for the subjects these tests name
    for words, n in (("东西向", 5), ("网络", 4), ("存储", 7), ("高可用", 10), ("排查", 6), ("滚动", 9), ("镜像", 8),
                     ("安全域", 3), ("rollout", 9), ("failover", 10), ("tracing", 6)):
        if words in turn:
            return n
    return None


@pytest.mark.parametrize("question, history, topics", [
    ("这个跟第三题合起来讲一下", ["第9题"], (9, 3)),  # the one it is on, and a number
    ("把这个和第十题放一起给我", ["第一题", "富容器那段我懂了"], (1, 10)),
    ("把镜像那道也带上，俩一起说", ["第六题"], (6, 8)),  # and one named by its subject
    ("再加上高可用，两块合在一起给个提纲", ["东西向流量安全那题"], (5, 10)),
    ("滚动更新跟东西向那两道一起看看", ["第2题"], (9, 5)),  # two named: not the one it is on
    ("and the failover one too, both in a single summary", ["q6 pls"], (6, 10)),
    ("this and q4 together please", ["question 7"], (7, 4)),
])
def test_another_question_beside_the_one_it_is_on_makes_two(catalog, question, history, topics):
    intent = understand(question, catalog, Context(history, _topic_of))
    assert intent.kind == "question" and intent.topics == topics and intent.followup


def test_this_one_is_the_question_before_when_the_last_remark_retrieved_the_other(catalog):
    # "网络那条…" is said of question 7's answer; retrieval reads it as question 4, which the message names itself
    intent = understand("这个和第四题一起讲讲", catalog, Context(["第七题", "网络那条说得有点简单"], _topic_of))
    assert intent.topics == (7, 4)


@pytest.mark.parametrize("question, history", [
    ("两位专家的看法放一起比一比", ["第一题"]),  # the experts of the one it is on: no other question
    ("一起说说", ["第9题"]),
    ("这个跟第九题一起讲", ["第9题"]),  # the same question twice, nothing before it
    ("第7个把它连同专家回答一起贴一下", ["第2题"]),  # one named, nothing saying it comes beside
    ("顺便把高可用那题也调出来看看", ["东西向那题"]),  # "pull that one up too": that one
    ("把关系紧密的业务放一起部署，东西向流量是不是就少了", ["东西向那题"]),  # together is their subject
    ("一块网卡走业务一块走管理，存储网络要不要分开", ["第4题"]),
    ("we ended up grouping related apps together on the same nodes, does that help east-west?", ["q5"]),
])
def test_together_without_another_question_is_not_two(catalog, question, history):
    intent = understand(question, catalog, Context(history, _topic_of))
    assert not (intent.kind == "question" and len(intent.topics) == 2)


@pytest.mark.parametrize("question, history, want", [
    ("弄个表格，把他们的做法并排比较一下", ["第六题", "几位的方案好像各不相同"], 6),  # past a remark retrieval finds nothing for
    ("给老板看的版本：每人一句话", ["第4题", "太长了"], 4),
    ("翻成繁中，条列", ["第十题"], 10),
    ("把那几条要点列出来就行", ["第8题"], 8),
    ("你觉得谁说得更靠谱", ["第五题"], 5),
    ("他俩观点是冲突还是互补", ["第九题"], 9),
    ("compare the two side by side", ["q5"], 5),
    ("compare the three: who leans on the platform, who on the app", ["q9"], 9),
    ("这两位专家的看法用条列对照一下", ["第一题"], 1),
])
def test_the_answer_before_reshaped_or_compared_is_that_question_again(catalog, question, history, want):
    intent = understand(question, catalog, Context(history, _topic_of))
    assert (intent.kind, intent.topics) == ("question", (want,))


@pytest.mark.parametrize("question, history", [
    ("题目清单再发一遍吧", ["第4题", "第10题"]),  # the list, even asked "again"
    ("那有专家回答的是哪几道？", ["第二题", "怎么没人答"]),
])
def test_the_list_asked_for_again_mid_conversation_is_the_overview(catalog, question, history):
    assert understand(question, catalog, Context(history, _topic_of)).kind == "overview"


def test_the_titles_listed_again_are_not_the_question_it_mentions(catalog):
    # the list is asked for; the subject mentioned ("哪题在讲高可用") is why, not which question to open
    intent = understand("那些题目可以再列一次给我吗？我忘了哪题在讲高可用", catalog, Context(["第二题"], _topic_of))
    assert intent.kind != "question"


def test_the_question_with_the_fewest_answers(catalog):
    intent = understand("哪道题回复的人最少", catalog, Context(["第四题"], _topic_of))
    least = min(len(catalog.answers[n]) for n in catalog.numbers)
    assert intent.kind == "question" and intent.topics and all(len(catalog.answers[n]) == least for n in intent.topics)
    assert understand("which one got the fewest answers", catalog).topics == intent.topics


@pytest.mark.parametrize("question, place", [
    ("第二个答的人是谁", 2), ("那第一个答的呢", 1), ("the first person who answered - what's their take", 1),
    ("the second responder, what did they say", 2)])
def test_an_expert_by_their_place_in_other_words(catalog, question, place):
    intent = understand(question, catalog, Context(["第五题"], _topic_of))
    assert intent.kind == "expert" and intent.expert == catalog.answers[5][place - 1].expert


def test_a_pronoun_after_an_expert_asked_by_place_is_that_expert(catalog):
    intent = understand("他讲的定制化风险再说一次", catalog, Context(["第一题", "第二个回答的是哪位"], _topic_of))
    assert intent.kind == "expert" and intent.expert == catalog.answers[1][1].expert


def test_the_one_before_a_bare_number(catalog):
    intent = understand("the one right before 7 - who answered that one", catalog, Context(["q6", "and 7?"], _topic_of))
    assert intent.kind == "expert" and intent.topics == (6,) and intent.aspect == "who_answered"
    assert understand("the one right after 8", catalog, Context(["q3"], _topic_of)).topics == (9,)


@pytest.mark.parametrize("question, history, kind, topics", [
    ("what about running two versions side by side, how does the platform help", ["q8"], "topical", ()),  # not "compare"
    ("东西向那道的下一道 标题发我", ["第二题"], "question", (6,)),  # a step, whatever the titles asked for
])
def test_a_cue_word_in_another_sense_keeps_its_reading(catalog, question, history, kind, topics):
    intent = understand(question, catalog, Context(history, _topic_of))
    assert intent.kind == kind and intent.topics == topics


def test_the_nth_person_who_answered_is_that_expert_not_their_part_of_the_answer(catalog):
    intent = understand("fine - and the second person who replied?", catalog, Context(["q10"], _topic_of))
    assert intent.kind == "expert" and intent.expert == catalog.answers[10][1].expert and not intent.from_context
    assert understand("第二个专家怎么说", catalog, Context(["第10题"], _topic_of)).from_context  # their part of it


def test_the_nth_person_who_answered_asked_about_a_subject_is_their_part_of_it(catalog):
    intent = understand("第二位答的人觉得定制化最大的坑在哪", catalog, Context(["第一题"], _topic_of))
    assert intent.kind == "expert" and intent.expert == catalog.answers[1][1].expert and intent.from_context


@pytest.mark.parametrize("question, history", [
    ("他还在哪些题里露过面", ["第十题", "某银行那段"]),
    ("他一共答了几道？", ["第一题", "gavin_zhang 那段"]),
    ("what did nameless contribute across the whole faq?", []),
])
def test_which_questions_an_expert_answered_in_other_words(catalog, question, history):
    assert understand(question, catalog, Context(history, _topic_of)).aspect == "questions"


@pytest.mark.parametrize("question", ["咋这么慢，半天才出来", "服务器是不是在摸鱼"])
def test_a_complaint_about_speed_is_small_talk(catalog, question):
    assert understand(question, catalog, Context(["第4题"], _topic_of)).kind == "smalltalk"


@pytest.mark.parametrize("question, history, kind, topics", [
    ("第二題跟第九題的重點各是什麼", [], "question", (2, 9)),  # two numbers, each
    ("questions 3 and 6, the gist of each", [], "question", (3, 6)),
    ("压成一段话，三个人的观点都要有", ["第6题"], "question", (6,)),
    ("两位专家分别建议什么？各一句", ["第五题"], "question", (5,)),
    ("is there one nobody replied to?", ["q1"], "question", (2,)),
    ("还有别的题没？剩下的都列出来", ["第5题", "第6题"], "overview", ()),
    ("再结合滚动更新讲讲，两题一起", ["第十题"], "question", (10, 9)),
    ("存储那些整体规划呢？顺便把排查那题也带上", ["第1题"], "question", (7, 6)),
    ("cool. now the one on rollout strategy", ["q1"], "question", (9,)),  # by its subject: what retrieval finds
])
def test_more_ways_to_point_at_questions_mid_conversation(catalog, question, history, kind, topics):
    intent = understand(question, catalog, Context(history, _topic_of))
    assert intent.kind == kind and intent.topics == topics


def test_someone_asking_whether_a_human_answers_is_small_talk(catalog):
    assert understand("real human on the other side or nah?", catalog).kind == "smalltalk"


def test_which_one_was_about_a_subject_is_that_question(catalog):
    intent = understand("which one was the failover one again?", catalog, Context(["q8"], _topic_of))
    assert intent.kind == "question" and "failover" in intent.subject
    assert understand("which question number covers tracing?", catalog).kind == "question"
    assert understand("which one is the better approach, flannel or calico?", catalog, Context(["q4"], _topic_of)).kind != "question"


def test_who_the_answer_is_for_is_not_its_subject(catalog):
    intent = understand("翻成英文吧 客户那边有个新加坡来的架构师", catalog, Context(["第一题"], _topic_of))
    assert intent.kind == "question" and intent.topics == (1,)


@pytest.mark.parametrize("question, history", [
    ("ok 下一个，8", ["问题3是什么"]),
    ("好 下一个 8", ["第三题"]),
    ("ok next, 8", ["q3"]),
    ("next: 8", ["东西向那题"]),  # on by subject: the number it names still
])
def test_the_word_for_next_then_a_number_is_that_number(catalog, question, history):
    intent = understand(question, catalog, Context(history, _topic_of))
    assert intent.kind == "question" and intent.topics == (8,)


@pytest.mark.parametrize("question, history", [
    ("skip ahead to 9, the bank one. what's in it", ["q3", "ok cool"]),
    ("skip ahead to 9, the bank one. what's in it", []),
    ("jump forward to q9", ["第三题"]),
])
def test_skipping_ahead_to_a_number_is_that_number(catalog, question, history):
    intent = understand(question, catalog, Context(history, _topic_of))
    assert intent.kind == "question" and intent.topics == (9,)


@pytest.mark.parametrize("question, history, topics", [
    ("下一个", ["第三题"], (4,)),
    ("next one please", ["q3"], (4,)),
    ("skip ahead", ["q3"], (4,)),
    ("skip ahead one", ["q3"], (4,)),
])
def test_the_word_for_next_alone_is_still_the_next_one(catalog, question, history, topics):
    assert understand(question, catalog, Context(history, _topic_of)).topics == topics


def _aliases(text: str):  # the glossary's FAQ words for the English subjects these tests name
    return [[[w]] for term, w in (("storage", "存储"), ("troubleshooting", "排查"), ("east-west", "东西向")) if term in text]


@pytest.mark.parametrize("question, history, topics", [
    ("呢題同第十題一齊講埋，我哋DR方案要用", ["第三題多安全域"], (3, 10)),  # Cantonese: 呢題 is this one, 一齊 together
    ("順便將滾動更新嗰題同呢題一齊整理", ["第8题"], (8, 9)),  # 題一齊 is not question 1
    ("storage too pls. merge both into one answer", ["q4"], (4, 7)),  # the question whose title says storage
    ("can you pair that with the troubleshooting one (stack dumps, packet capture)?", ["q1"], (1, 6)),
    ("also throw in the east-west one together w/ this, need both for the review", ["第4题"], (4, 5)),
])
def test_more_ways_to_ask_for_two_questions_together(catalog, question, history, topics):
    intent = understand(question, catalog, Context(history, _topic_of, _aliases))
    assert intent.kind == "question" and intent.topics == topics


def test_asking_whether_something_is_mentioned_is_not_who_said_it(catalog):
    intent = understand("要把整条调用链串起来 有提到开源的工具吗 叫什么", catalog, Context(["第六题"], _topic_of))
    assert intent.kind != "expert", intent  # "叫什么": the tool's name, not the person's


@pytest.mark.parametrize("question, history, expert, topics", [
    ("第一个回答的技术经理，除了说要高度定制，还讲了什么", ["第十题 高可用"], "某银行", (10,)),  # 定制 is question 1's subject
    ("xiaopin 那位的意思呢", ["第四题"], "xiaoping378", (4,)),  # a handle's letters, one typo off
])
def test_an_expert_on_the_question_it_is_on_whatever_they_said_before(catalog, question, history, expert, topics):
    intent = understand(question, catalog, Context(history, _topic_of))
    assert (intent.kind, intent.expert, intent.topics) == ("expert", expert, topics), intent


def test_any_question_on_a_subject_asks_which_question(catalog):
    intent = understand("separate thing: any question on product selection and standards?", catalog, Context(["Q4"], _topic_of))
    assert intent.kind == "question" and "product selection" in intent.subject, intent


def test_another_question_no_piece_of_its_description_names(catalog):
    topic_of = lambda t: 8 if "dev and test" in t else _topic_of(t)  # "dev" and "test" apart name nothing
    intent = understand("alongside that, also cover what the platform can do for dev and test — two sections please", catalog,
                        Context(["question 1"], topic_of))
    assert (intent.kind, intent.topics) == ("question", (1, 8)), intent


def test_a_turn_that_says_it_read_the_answers_keeps_the_question_it_is_on(catalog):
    from kbqa.conversation.recall import last_topic
    remark_read_as_one = lambda t: 1 if "说法" in t else _topic_of(t)  # retrieval took the remark for question 1
    assert last_topic(Context(["第三题 安全域", "两个人的说法都看了"], remark_read_as_one), catalog) == 3


def test_one_summary_of_the_experts_of_the_question_is_no_second_question(catalog):
    topic_of = lambda t: 1 if "方法" in t else _topic_of(t)  # retrieval reads "三位的方法" as question 1
    intent = understand("能否把三位的方法整合成一份排查步骤清单", catalog, Context(["排查那题", "三位的做法都看了"], topic_of))
    assert intent.topics == (6,), intent  # "整合成一份": one summary, not "合成一份" of two questions


def test_every_item_in_a_sentence_is_no_list_of_the_questions(catalog):
    intent = understand("请按要点逐条列出，每条一句话即可", catalog, Context(["整体规划那题"], _topic_of))
    assert intent.kind != "overview", intent


@pytest.mark.parametrize("question, history, not_kind", [
    ("btw, we'll run two clusters. how does an app fail over from one to the other?", ["Q1"], "expert"),  # not "the others"
    ("he suggested per-pod proxies. what monitoring backend did he pair that with?", ["question 6"], "question"),  # not a
    # second question paired with this one
])
def test_words_that_only_look_like_a_cue(catalog, question, history, not_kind):
    topic_of = lambda t: 9 if "monitoring" in t else _topic_of(t)  # retrieval finds a question for any words
    intent = understand(question, catalog, Context(history, topic_of))
    assert intent.kind != not_kind, intent


def test_two_answers_side_by_side_are_the_question_it_is_on_not_a_second_one(catalog):
    topic_of = lambda t: 4 if "gateway" in t and "grouping" in t else _topic_of(t)  # retrieval: a question for both answers
    intent = understand("put the two answers side by side - one's gateway-based, the other's about grouping workloads", catalog,
                        Context(["question 5 东西向"], topic_of))
    assert intent.topics == (5,), intent


def test_the_two_of_them_compared_is_the_question_again(catalog):
    intent = understand("把这俩人的思路比一比 哪个更适合我们", catalog, Context(["第五题 东西向"], _topic_of))
    assert (intent.kind, intent.topics) == ("question", (5,)), intent


def test_a_piece_that_says_what_the_one_before_is_joins_it():
    from kbqa.conversation.followup import _with_appositions
    assert _with_appositions(["规划那题也要", "就是上平台前存储怎么定的那个", "一起出"]) == [
        "规划那题也要 就是上平台前存储怎么定的那个", "一起出"]
    assert _with_appositions(["the planning one", "i.e. compute and storage", "too"])[0] == "the planning one i.e. compute and storage"
    assert _with_appositions(["网络那题", "存储那题"]) == ["网络那题", "存储那题"]


def test_a_question_number_is_not_read_in_the_word_for_together():
    from kbqa.conversation.numbers import REF
    assert not REF.search("呢题一齐讲埋") and not REF.search("这题一并整理") and REF.search("问题一是什么")
    assert not REF.search("连同这题 一前一后两段") and not REF.search("1, 网络怎么选 2, 存储怎么选")  # a list: no one number
    from kbqa.conversation.numbers import ref_numbers
    assert [n for n, _ in ref_numbers("发布那题（第九）也一块讲", 10)] == [9]  # its number in brackets


@pytest.mark.parametrize("question, history, kind, topics", [
    ("第三個答嘅係邊位？係咪大廠嚟㗎？佢講咗啲乜", ["第九題滾動更新"], "expert", (9,)),  # Cantonese: the third who answered
    ("答呢題嗰位係做乜嘢嘅？廠商定銀行出身？", ["第7题"], "expert", (7,)),  # who answered this one
    ("出返簡體中文版，我要發俾深圳嘅同事", ["第8题"], "question", (8,)),  # the same again, in Simplified
    ("可不可以用繁体中文再讲一次？要给香港同事看", ["第9题"], "question", (9,)),  # 可不可以 is no subject (不可)
])
def test_cantonese_and_another_script_mid_conversation(catalog, question, history, kind, topics):
    intent = understand(question, catalog, Context(history, _topic_of))
    assert intent.kind == kind and intent.topics == topics
    if "第三個" in question:
        assert intent.expert == catalog.answers[9][2].expert


def test_cantonese_thanks_is_a_remark(catalog):
    from kbqa.conversation.intent import remark
    assert remark("唔該晒，呢段啱晒貼落我哋嘅設計文件", catalog, cued=True) == "thanks"


@pytest.mark.parametrize("said, plain", [
    ("第三个答嘅系边位", "第三个答的是边位"), ("咁多问题", "这么多问题"), ("唔该帮我列出所有问题", "请帮我列出所有问题"),
    ("多谢，唔该", "多谢，谢谢"), ("系统架构师", "系统架构师"),  # Mandarin's 系统 is left alone
])
def test_cantonese_function_words_read_as_mandarin(said, plain):
    from kbqa.conversation import cues
    assert cues.plain(said) == plain


def test_a_subject_in_the_faqs_own_words_is_retrievals_question_not_a_title_that_shares_them(catalog):
    # "网络选型" is in question 7's title ("网络的选型") but the question on it is 4 (retrieval's)
    intent = understand("网络选型那题和高可用那题一起过一遍", catalog, Context(["第三题"], _topic_of, _aliases))
    assert intent.topics == (4, 10)


@pytest.mark.parametrize("question", ["can you list them all again, numbered? lost the earlier message in my scrollback",
                                      "hold on, lost my place. can you dump the full question list again?"])  # ("dump": the FAQ's
def test_list_them_all_again_is_the_list(catalog, question):  # thread dump, here the verb)
    intent = understand(question, catalog, Context(["hello", "native or customised docker?", "thanks, crontab works"], _topic_of))
    assert intent.kind == "overview"


@pytest.mark.parametrize("question, history, topic", [
    ("刚前面那个东西向的 第一个人推荐用的网关叫啥来着", ["第5题东西向安全", "第6题", "skywalking那段ok"], 5),  # named by a
    ("东西向那个的第二个专家怎么说", [], 5),  # word of its title alone
    ("第一个专家说的 skywalking 是啥", ["第6题"], 6),  # no title word: the one it is on
    ("那第二个答的呢 他们是咋抓包的", ["第6题", "第一个回答提的skywalking是啥东西"], 6),  # "啥东西" is not 东西向
    ("关于第二位专家提到的回退问题，他具体建议用什么方式来做到应用可回溯？", ["第9题"], 9),  # nor a description's 具体
])
def test_an_expert_by_place_of_a_question_named_by_its_title_words(catalog, question, history, topic):
    intent = understand(question, catalog, Context(history, _topic_of))
    assert intent.kind == "expert" and intent.topics == (topic,)


@pytest.mark.parametrize("question, history, topic", [
    ("仨人观点各一句话总结下", ["第九题", "好长啊", "rangeryu那个三板斧是啥"], 9),  # all three, not rangeryu again
    ("幫我整理成表格：方案、優點、限制，兩位專家各一行", ["第5题", "講詳細啲得唔得"], 5),  # a table's columns are no subject
])
def test_the_answer_reshaped_for_every_expert_is_the_whole_question(catalog, question, history, topic):
    intent = understand(question, catalog, Context(history, _topic_of))
    assert intent.kind == "question" and intent.topics == (topic,)


def test_the_two_of_them_are_the_two_experts_the_last_turns_named(catalog):
    intent = understand("咁佢哋兩個邊個啱啲？我要喺設計文件寫個結論", catalog,
                        Context(["SDN vs underlay", "zhuqibs話自建一定唔揀SDN", "但Garyy又話overlay加SDN係理想選擇"], _topic_of))
    assert intent.kind == "expert" and {intent.expert, *intent.also} == {"zhuqibs", "Garyy"}


@pytest.mark.parametrize("turns, topic", [
    (["高可用 多个k8s集群 应用怎么故障转移", "公用镜像仓库 就这?"], 10),  # a remark on question 10's answer in its words
    (["第4题", "存储呢"], 7),  # storage is question 7's subject (once in question 4's answers)
])
def test_a_short_remark_in_the_words_of_the_answer_before_stays_on_its_question(catalog, turns, topic):
    from kbqa.conversation import recall
    assert recall.last_topic(Context(turns, _topic_of), catalog) == topic


@pytest.mark.parametrize("question, p, p2, borrows", [
    ("那A机房服务挂了 B机房的调用方怎么自己找过去", 0.37, 0.99, True),
    ("另外想问，线上服务出事要追呼叫链、抓封包，有什么招", 0.37, 0.99, False),  # another question
    ("那A机房服务挂了 B机房的调用方怎么自己找过去", 0.6, 0.9, False),  # not much surer
])
def test_a_follow_up_much_surer_read_with_the_question_before_borrows_it(question, p, p2, borrows):
    from kbqa.conversation.history import surer
    assert surer(question, p, p2) is borrows


@pytest.mark.parametrize("question, history", [
    ("P1 just paged me, need to bounce. ttyl", ["rolling updates for bank-critical apps", "cool"]),
    ("need to run, thanks!", ["第九题"]),
    ("lol these replies are instant. is there a human on the other end or nah", ["#10 please"]),
    ("is there a real person on the other side?", []),
])
def test_leaving_and_asking_for_a_human_are_small_talk_mid_conversation(catalog, question, history):
    assert understand(question, catalog, Context(history, _topic_of)).kind == "smalltalk"


@pytest.mark.parametrize("question", ["need to go over the failover part again", "need the flannel advice"])
def test_needing_something_still_asks(catalog, question):
    assert understand(question, catalog, Context(["#10 please"], _topic_of)).kind != "smalltalk"


@pytest.mark.parametrize("question, history, topic", [
    ("倒回前一道，拿tcpdump抓容器流量那段，人家是在哪一层抓的", ["第6题", "第7题"], 6),
])
def test_a_step_with_a_subject_its_question_talks_about_is_that_part_of_it(catalog, question, history, topic):
    intent = understand(question, catalog, Context(history, _topic_of))
    assert intent.kind == "topical" and intent.topics == (topic,)
    other = understand("倒回前一道，etcd集群怎么备份", catalog, Context(history, _topic_of))  # a subject it does not discuss
    assert other is None or other.topics != (topic,)


def test_they_said_as_renjia_is_no_subject(catalog):
    from kbqa.conversation.intent import faq_words

    assert "人家" not in faq_words("人家是在哪一层抓的", catalog)


def test_a_remark_about_the_answers_is_not_the_turn_a_reshape_leans_on(catalog):
    """"两个回答都看了" names nothing of the FAQ (回答 is how people ask), whatever retrieval finds for it: "弄个表格吧…"
    after it reshapes the question before."""
    from kbqa.conversation.recall import last_asked

    def topic_of(turn):
        return 1 if "胖容器" in turn else 9  # retrieval finds some question for any words

    k, _ = last_asked(Context(["胖容器那个问题", "两个回答都看了"], topic_of), catalog)
    assert k == 0
    k, _ = last_asked(Context(["胖容器那个问题", "镜像仓库都看了"], topic_of), catalog)
    assert k == 1  # a turn with a subject of its own


@pytest.mark.parametrize("question, last", [
    ("那回答里最后一条，镜像跟源码怎么对上号，展开说说", False),  # the answer's last point, not the last question
    ("答案里最后那条再讲讲", False),
    ("最后一条问题是什么", True),
    ("最后一题", True),
])
def test_the_last_point_of_an_answer_is_not_the_last_question(question, last):
    from kbqa.conversation.numbers import REF

    m = REF.search(question)
    assert bool(m and m.group("last")) is last


@pytest.mark.parametrize("question, history", [
    ("ok next - how are people doing HA across several k8s clusters, like failing apps over", ["第六题"]),
    ("还是回到上一题吧，里面提到apm的是谁", ["第6题", "第7题"]),
])
def test_a_step_then_a_question_of_its_own_or_who_said_it_is_no_part_of_that_question(catalog, question, history):
    intent = understand(question, catalog, Context(history, _topic_of))
    assert intent is None or intent.kind != "topical" or not intent.from_context


@pytest.mark.parametrize("question, history", [
    ("看完這幾題了 剩下的題目清單再給我一次", ["第三題", "第五題", "第七題"]),  # 剩下的题: no step to the next one
    ("lost track — list the titles again w/ numbers", ["q5", "q6", "q7"]),  # "again" beside the list: the list
    ("别的题目呢？整个目录再贴一遍", ["东西向安全那题看完了", "第6题也看了", "还有第8题"]),
    ("那剩下哪些题是有人答的", ["第二题怎么没有回答"]),
    ("what else is in here besides that one?", ["rolling update question please"]),
])
def test_the_list_asked_for_again_mid_conversation_is_the_overview(catalog, question, history):
    assert understand(question, catalog, Context(history, _topic_of)).kind == "overview"


@pytest.mark.parametrize("question, history, kind", [
    ("say that again", ["q3"], "question"),
    ("下面那题", ["q3"], "question"),
    ("剩下的那个专家怎么说", ["第三题"], "expert"),
])
def test_again_and_the_rest_without_the_list_keep_to_the_conversation(catalog, question, history, kind):
    assert understand(question, catalog, Context(history, _topic_of)).kind == kind


@pytest.mark.parametrize("question, history", [
    ("那docker cp拷整个目录的话 文件权限能保留不", ["容器里的文件怎么拿出来"]),  # a directory, not the list
    ("可以整理成一份待辦清單嗎？條列就好", ["开发测试那题"]),  # a checklist of the answer
    ("收到，改成 ✅/❌ 勾选清单的格式再发一次", ["开发测试那题"]),
])
def test_a_directory_or_a_checklist_is_not_the_list_of_questions(catalog, question, history):
    assert understand(question, catalog, Context(history, _topic_of)).kind != "overview"


@pytest.mark.parametrize("question", ["这些专家里谁最活跃？", "十道题里面，哪位老师出场次数最多", "翻来翻去老看到同一个id，这份里到底谁回得最勤"])
def test_who_answered_most_in_other_words_is_that_expert(catalog, question):
    intent = understand(question, catalog, Context(["第四题"], _topic_of))
    assert intent.kind == "expert" and intent.expert == "gavin_zhang"


def _more_topics(turn: str):  # retrieval's question for the subjects the rows below name too
    for words, n in (("规划", 7), ("docker", 1), ("troubleshooting", 6), ("rolling update", 9), ("开发测试", 8), ("排查", 6)):
        if words in turn:
            return n
    return _topic_of(turn)


@pytest.mark.parametrize("question, history, topics", [
    ("那高可用那题呢 一块讲下 我们在做两地三中心", ["多安全域", "我们核心区和互联网区是分开的"], {3, 10}),  # "那…呢": beside it
    ("這題順便跟高可用那題一起講 兩個機房的設計文件下週要交", ["第三題 多安全域"], {3, 10}),
    ("第三題跟這題一起對照看 都是在講隔離吧", ["第五題"], {3, 5}),
    ("gimme q1 and the rolling update one side by side", ["docker原生 vs 定制"], {1, 9}),  # a number and a subject
    ("顺带把东西向安全也讲了，这俩之间有啥关联", ["多安全域k8s架构"], {3, 5}),
    ("and also troubleshooting, like grabbing packets inside a container? both please", ["开发测试那题"], {8, 6}),
    ("順便把整體規劃那題也拉進來 網路跟規劃一次看完", ["容器网络选型"], {4, 7}),
    ("could you cover the native-vs-customized docker question too? want both in one reply", ["topic 8 please"], {8, 1}),
])
def test_two_questions_together_in_more_words(catalog, question, history, topics):
    intent = understand(question, catalog, Context(history, _more_topics))
    assert intent.kind == "question" and set(intent.topics) == topics


@pytest.mark.parametrize("question, topics", [("topic 8 please", (8,)), ("topics 3 and 5", (3, 5)),
                                               ("ten, HA across clusters", (10,)), ("7: 整体规划", (7,))])  # a number opening it
def test_a_topic_by_number_is_that_question(catalog, question, topics):
    assert understand(question, catalog).topics == topics


@pytest.mark.parametrize("question, history, topics", [
    ("还有存储网络那些整体规划呢？顺便把排查问题那题也带上", ["胖容器那题"], {7, 6}),  # asked with 呢, and named
])
def test_two_questions_together_asked_and_named(catalog, question, history, topics):
    intent = understand(question, catalog, Context(history, _more_topics))
    assert intent.kind == "question" and set(intent.topics) == topics


def test_or_both_at_the_end_of_a_question_is_no_two_at_once(catalog):
    question = "which layer did Ant end up customizing to get smoother releases — their PaaS, k8s itself, or both?"
    assert understand(question, catalog, Context(["how do banks handle rollout on k8s?"], _topic_of)).kind != "question"


@pytest.mark.parametrize("question, history, topic", [
    ("and the one who answered last, what's his take?", ["what's the FAQ say about troubleshooting apps?"], 6),
    ("what did the third person on that one say, the guy from the big fintech?", ["rollout question please", "ok"], 9),
])
def test_an_expert_by_place_in_more_english_words(catalog, question, history, topic):
    intent = understand(question, catalog, Context(history, _more_topics))
    assert intent.kind == "expert" and intent.topics == (topic,)


@pytest.mark.parametrize("question, history", [
    ("need a single-sentence version for a slide, risk committee on thursday", ["container east-west security"]),
    ("帮我按计算、网络、存储分三段，每段两三句话就行", ["第七题 整体规划那个"]),
])
def test_the_answer_before_reshaped_in_more_words_stays_on_its_question(catalog, question, history):
    intent = understand(question, catalog, Context(history, _more_topics))
    assert intent is not None and intent.followup and (intent.topics or intent.rephrase)


@pytest.mark.parametrize("question, history, want", [
    ("顺便把滚动更新那题并进来，上版出事跟事后排查我要写在同一份 SOP 里", ["第六题容器内排查"], ("question", {6, 9})),  # 并进来: beside it
    ("两位的立场并排摆一下吧：谁更看企业自身条件、谁更担心以后跟不上升级", ["第一题"], ("question", {1})),  # both side by side
    ("帮我改成决策备忘录的格式：背景一句，两个选项，各自的风险", ["第三题", "两位的意见都看了"], ("question", {3})),  # past the
    ("有没有哪题是零回复的？帮我核一下", ["第三题", "第四题"], ("question", {2})),  # remark "都看了"; a question no one answered
])
def test_follow_ups_in_other_words_of_a_session_sample(catalog, question, history, want):
    intent = understand(question, catalog, Context(history, _topic_of))
    assert (intent.kind, set(intent.topics)) == want


def test_a_count_of_people_is_no_question_number(catalog):
    from kbqa.conversation.numbers import ref_numbers

    assert ref_numbers("这题三个人答的，那一共有几位专家", 10) == []
    assert [n for n, _ in ref_numbers("问题三讲的啥", 10)] == [3]


def test_translate_it_asks_for_the_answer_before_again(catalog):
    intent = understand("我还是看中文舒服点，翻一下呗", catalog, Context(["How should a bank do rolling updates with k8s?"], _topic_of))
    assert intent.kind == "topical" and intent.followup and intent.rephrase == "How should a bank do rolling updates with k8s?"


@pytest.mark.parametrize("question, history", [
    ("三位里最后发言那个 他讲的两点再给我看一眼", ["第六题 容器里应用问题怎么排查", "liufengyi 那段看到了 抓虚拟网卡"]),  # not 他: liufengyi
    ("最后回答的那位是谁", ["第六题"]),
])
def test_the_expert_who_answered_last_in_chinese(catalog, question, history):
    intent = understand(question, catalog, Context(history, _topic_of))
    assert (intent.kind, intent.topics, intent.expert) == ("expert", (6,), catalog.answers[6][-1].expert)


@pytest.mark.parametrize("history", [[], ["第五题"], ["第十题，多个k8s集群之间高可用和故障转移", "好，再看下第五题东西向的"]])
def test_who_said_it_is_shown_with_the_answer_that_says_it(catalog, history):
    """An expert found by what they said: the question where they said it, not their first (某银行 answered 1, 3, 9, 10)."""
    intent = understand("说要在平台上盯着每个应用状态的那位是谁", catalog, Context(history, _topic_of))
    assert (intent.kind, intent.expert, intent.topics) == ("expert", "某银行", (10,))


@pytest.mark.parametrize("question, history, topics", [
    ("还是把中间那道整个重发一遍吧，两位的回答都要", ["第四题", "第五题", "第六题排查那个"], (5,)),  # the middle one asked
    ("the middle one again please", ["第四题", "第五题", "第六题"], (5,)),
])
def test_the_middle_one_of_the_questions_asked(catalog, question, history, topics):
    intent = understand(question, catalog, Context(history, _topic_of))
    assert (intent.kind, intent.topics) == ("question", topics)


def test_the_middle_option_of_an_answer_is_no_question(catalog):
    assert understand("中间那个方案靠谱吗", catalog, Context(["第四题", "第五题", "第六题"], _topic_of)).kind != "question"


@pytest.mark.parametrize("question, history, kind, topics", [
    ("这题回答的人都是哪里来的", ["第十题"], "expert", (10,)),  # who answered it, with where they work
    ("那有没有哪道一个回答都没有", ["第七题"], "question", (2,)),  # the question no one answered
    ("把高可用那题拼进来一起讲", ["多安全域那题"], "question", (3, 10)),  # put in beside the one it is on
    ("既然没人答 那这题连同网络选型那题一起整理给我", ["第二题"], "question", (2, 4)),
    ("再加上东西向那道 两个一块说 我们在定镜像规范", ["第九题"], "question", (9, 5)),  # "…那道" at a clause's end names a question
    ("两位一个说要多套 一个说一套够 对比下各自的前提", ["第三题"], "question", (3,)),  # the two experts side by side
    ("再叫上东西向那道 安全处要两层的口径 一起出", ["第三题"], "question", (3, 5)),  # called in beside it
    ("存储选型这道 再配上排查那道 俩一起出 镜像预算照这俩写", ["第二题"], "question", (7, 6)),  # "这道" at a clause's end
])
def test_more_follow_ups_on_the_question_it_is_on(catalog, question, history, kind, topics):
    intent = understand(question, catalog, Context(history, _topic_of))
    assert (intent.kind, intent.topics) == (kind, topics)


def test_the_other_two_and_where_an_expert_posted(catalog):
    others = understand("同一题另外俩人怎么说", catalog, Context(["第九题", "蚂蚁那位讲的看过了"], _topic_of))
    assert (others.kind, others.topics) == ("expert", (9,)) and {others.expert, *others.also} == {"某银行", "gavin_zhang"}
    alone = understand("这道就他一个人回复的？另外还有谁", catalog, Context(["gavin_zhang 在第十题怎么说的"], _topic_of))
    assert (alone.kind, alone.expert, alone.topics) == ("expert", "某银行", (10,))
    where = understand("他还在哪些题目底下留过言", catalog, Context(["某银行在第十题怎么说"], _topic_of))
    assert (where.kind, where.expert, where.aspect) == ("expert", "某银行", "questions")
    where = understand("is garyy on any of the other questions too?", catalog, Context(["question 4"], _topic_of))
    assert (where.kind, where.expert, where.aspect) == ("expert", "Garyy", "questions")


@pytest.mark.parametrize("question, history", [("这回复速度比我们拉镜像还慢 哈哈", ["第三题"]),
                                               ("is this thing really slow today?", ["question 9"])])
def test_a_complaint_about_speed_is_small_talk(catalog, question, history):
    assert understand(question, catalog, Context(history, _topic_of)).kind == "smalltalk"


def test_a_slow_build_is_no_complaint_about_the_bot(catalog):
    assert understand("our docker builds are super slow, cache mounts or kaniko?", catalog).kind != "smalltalk"


def test_what_the_answer_mentioned_is_no_request_for_the_list(catalog):
    assert understand("你刚提到的那个方案，不用它的话还有哪几种可以挑", catalog, Context(["第四题"], _topic_of)).kind != "overview"


@pytest.mark.parametrize("question", ["整份FAQ里一共出场了几位专家", "这些题一共有几位专家回答 都是哪些单位的"])
def test_the_whole_faq_s_experts_after_a_question_are_the_directory(catalog, question):
    intent = understand(question, catalog, Context(["第六题"], _topic_of))
    assert (intent.kind, intent.aspect) == ("overview", "experts")


def test_the_whole_faq_s_experts_after_a_remark_on_the_question(catalog):
    intent = understand("这题两个人答的，那整份FAQ里一共有几位专家？", catalog, Context(["第十题"], _topic_of))
    assert (intent.kind, intent.aspect) == ("overview", "experts")


def test_a_part_of_the_first_question_asked(catalog):
    """"回到最早问的那一题，存储那块…": that part of the question the conversation began with, not the whole question."""
    history = ["整体规划那题，存储怎么选", "那网络选型那题呢"]
    part = understand("回到最早问的那一题，存储那块要看哪些因素来挑？", catalog, Context(history, _topic_of))
    assert (part.kind, part.topics, part.from_context) == ("topical", (7,), True) and "存储" in part.rephrase
    assert understand("回到最早问的那一题", catalog, Context(history, _topic_of)).kind == "question"


@pytest.mark.parametrize("question, history, kind, topics", [
    ("刚才那道整题再完整发一遍", ["排查那题", "抓包那段展开讲讲"], "question", (6,)),  # the question it is on, whole, again
    ("那道题的原文完整贴我下", ["东西向那题"], "question", (5,)),
    ("把两位的看法做个对比吧", ["第一题"], "question", (1,)),  # the experts side by side
    ("两位专家的意见有什么分别", ["第三题"], "question", (3,)),
    ("还有高可用那个，一块儿给我", ["第3题"], "question", (3, 10)),  # "还有…": beside the one it is on
    ("另外镜像那题也顺便一起", ["第九题"], "question", (9, 8)),
    ("还有东西向那题 两个一块发我", ["第8题"], "question", (8, 5)),  # "两个" counts the questions, it is no number
    ("是不是有一题一个回复都没有？是第几题", ["第一题"], "question", (2,)),  # "有一题" is no question 1
])
def test_follow_ups_of_the_thirty_sixth_session_samples(catalog, question, history, kind, topics):
    intent = understand(question, catalog, Context(history, _topic_of))
    assert (intent.kind, intent.topics) == (kind, topics)


def test_a_list_of_names_is_asked_of_the_whole_faq(catalog):
    intent = understand("一共都有哪些专家参与回答了？给我列个名单", catalog, Context(["网络那题"], _topic_of))
    assert (intent.kind, intent.aspect) == ("overview", "experts")


def test_cantonese_for_just_now_points_back(catalog):
    intent = understand("返去头先嗰题，嗰两位专家嘅意见有咩分别", catalog, Context(["第九题", "蚂蚁嗰位睇完"], _topic_of))
    assert (intent.kind, intent.topics) == ("question", (9,))


def test_the_first_to_answer_is_no_question_number(catalog):
    """"排第一个答的技术经理": the first expert of the question it is on, not question 1."""
    intent = understand("回到刚才那题，排第一个答的技术经理讲了啥", catalog, Context(["第九题", "蚂蚁那位讲得详细"], _topic_of))
    assert (intent.kind, intent.topics, intent.expert) == ("expert", (9,), "某银行")


@pytest.mark.parametrize("question, history", [("这位老哥其他题下面也发过言吧？翻出来我瞅瞅", ["第四题", "那位说扁平化的"]),
                                               ("能不能整段翻成英文？要转给那边的同事看", ["滚动更新一般怎么做"])])
def test_a_whole_answer_asked_is_no_whole_question_again(catalog, question, history):
    assert understand(question, catalog, Context(history, _topic_of)).kind != "question"


def test_the_bot_s_servers_slow_is_small_talk_and_a_user_s_server_is_not(catalog):
    slow = understand("转了好久的圈才出结果，你们服务器是不是卡了", catalog, Context(["第八题"], _topic_of))
    assert (slow.kind, slow.aspect) == ("smalltalk", "sorry")
    assert understand("我们的服务器有点卡 容器里的应用怎么排查", catalog).kind != "smalltalk"


@pytest.mark.parametrize("question, history, kind, topics", [
    ("有没有那种只有题目没人答的", ["第一题", "第三题也看了"], "question", (2,)),  # "有没有…没人答的": the one no one answered
    ("还有高可用那道 也一起来", ["滚动更新那题"], "question", (9, 10)),  # "也一起来": beside the one it is on
    ("pls add the failover question as well - one section each", ["东西向那题"], "question", (5, 10)),
    ("分点吧 每人一条", ["第6题 三个人都贴出来"], "question", (6,)),  # reshaped: the question it is on
    ("三位的做法帮我排成「发布前、发布中、回退」三段", ["第九题"], "question", (9,)),
])
def test_follow_ups_of_a_rushed_sample(catalog, question, history, kind, topics):
    intent = understand(question, catalog, Context(history, _topic_of))
    assert (intent.kind, intent.topics) == (kind, topics)


def test_asking_whether_a_model_writes_the_replies_is_small_talk(catalog):
    intent = understand("quick check - is a model writing these replies or is it just pasting from the source doc?",
                        catalog, Context(["what did rangeryu say about rolling updates"], _topic_of))
    assert (intent.kind, intent.aspect) == ("smalltalk", "who")


def test_is_anyone_there_is_no_question_no_one_answered(catalog):
    assert understand("人呢 有没有人回一下", catalog, Context(["第五题"], _topic_of)).kind == "smalltalk"


@pytest.mark.parametrize("question, history, topic, expert", [
    ("回到排查那题 中间那位说了啥", ["第6题", "再看第十题"], 6, "liufengyi"),  # the middle one of three, of the question named
    ("回到刚才排查那题 中间那个互联网银行的 他们还接了个啥来发现故障", ["第6题", "再看第十题"], 6, "liufengyi"),
    ("what did the second guy say", ["q6"], 6, "liufengyi"),  # "the second guy": the second expert
])
def test_an_expert_by_place_in_the_question_named(catalog, question, history, topic, expert):
    intent = understand(question, catalog, Context(history, _topic_of))
    assert (intent.kind, intent.topics, intent.expert) == ("expert", (topic,), expert)


def test_the_middle_one_of_an_even_number_of_experts_is_who_answered(catalog):
    intent = understand("中间那位说了啥", catalog, Context(["第十题"], _topic_of))
    assert (intent.kind, intent.topics, intent.aspect) == ("expert", (10,), "who_answered")


def test_the_whole_faq_s_experts_with_what_the_list_is_for(catalog):
    """"整份里…几号人 ID全列出来 我写材料要致谢": the whole FAQ named, the other words say what the list is for."""
    intent = understand("整份里参与作答的一共几号人 ID全列出来 我写材料要致谢", catalog, Context(["第4题网络那题"], _topic_of))
    assert (intent.kind, intent.aspect) == ("overview", "experts")


def _strict_topics(turn: str):  # retrieval that finds nothing for a subject lost among other words ("…, one reply")
    return None if any(w in turn for w in ("reply", "runbook", "文档")) else _more_topics(turn)


@pytest.mark.parametrize("question, history, topics", [
    ("连同高可用那题一起讲讲，领导点名要的", ["东西向那题"], {5, 10}),  # 连同: beside the one it is on
    ("and add the rollout one too. put both in one reply, separate headings", ["q4"], {4, 9}),  # its sentences apart
    ("那高可用那题呢？跟存储规划一起回我，文档要用", ["存储那题"], {7, 10}),  # 一起回我: answer them together
    ("could you do this one together with the rollout question? both matter for our runbook", ["q6"], {6, 9}),
])
def test_two_questions_together_said_once_more(catalog, question, history, topics):
    intent = understand(question, catalog, Context(history, _strict_topics))
    assert intent.kind == "question" and set(intent.topics) == topics, intent


@pytest.mark.parametrize("question, history", [
    ("聊了这么多，这个FAQ里一共出现过几位专家？都叫啥", ["第4题"]),  # the FAQ named: all of them, not question 4's
    ("how many experts are in this FAQ altogether, names please", ["q7"]),
])
def test_experts_of_the_whole_faq_after_a_question_are_the_directory(catalog, question, history):
    intent = understand(question, catalog, Context(history, _topic_of))
    assert (intent.kind, intent.aspect) == ("overview", "experts"), intent


def test_in_how_many_questions_an_expert_left_answers_is_their_questions(catalog):
    intent = understand("zhuqibs 到底在几道题下面发过言", catalog, Context(["第5题"], _topic_of))
    assert (intent.kind, intent.expert, intent.aspect) == ("expert", "zhuqibs", "questions")


def test_the_one_person_answering_a_question_asks_who_answered(catalog):
    intent = understand("hold on, is it just one person answering the storage question?", catalog)
    assert (intent.kind, intent.aspect) == ("expert", "who_answered"), intent


@pytest.mark.parametrize("remark", ["回答的人真不少 一下看不完", "两位都答了"])
def test_a_remark_naming_nothing_keeps_the_question_it_is_on(catalog, remark):
    def topic_of(turn):  # retrieval reads some question into any remark
        return 9 if turn == remark else _topic_of(turn)
    intent = understand("下一题", catalog, Context(["东西向那题", remark], topic_of))
    assert intent.topics == (6,)


@pytest.mark.parametrize("question, history, topics", [
    ("太长了看不完 仨人意见各一句", ["第九题"], (9,)),  # 意见: how each is told, not a subject
    ("太散了，用繁体帮我整理要点，每位专家一行", ["第六题"], (6,)),  # 要点 beside a request to tell it again
])
def test_everyone_told_again_briefly_is_the_question_it_is_on(catalog, question, history, topics):
    intent = understand(question, catalog, Context(history, _topic_of))
    assert (intent.kind, intent.topics) == ("question", topics), intent


@pytest.mark.parametrize("question, subject", [
    ("我们在做两地三中心，高可用那题先看", "高可用那题先看"),  # a story beside the question it names
    ("东西向那道 我们安全部在评审", "东西向那道"),
    ("高可用那题，两地三中心怎么做？", ""),  # the other clause asks
    ("高可用那题", ""),  # nothing beside it
    ("说回整体规划那题，计算用物理机还是虚机", ""),  # the other clause asks (还是)
    ("明年要过一个成熟度评估，持续交付那块要准备哪些材料", ""),  # the clause naming it asks more
])
def test_the_clause_naming_a_question_is_retrieved_without_the_story_beside_it(catalog, question, subject):
    intent = understand(question, catalog)
    assert intent.kind == "topical" and intent.rephrase == subject, intent


def test_the_first_to_answer_a_question_named_going_back_is_its_first_expert(catalog):
    history = ["先看排查那题", "再看滚动更新那题", "rangeryu 在发布那题怎么说"]
    intent = understand("回到最早排查那道，头一位回答的专家推荐了哪些工具？", catalog, Context(history, _topic_of))
    assert (intent.kind, intent.topics, intent.expert) == ("expert", (6,), catalog.answers[6][0].expert), intent


def test_a_question_named_by_a_word_several_titles_say_is_retrievals(catalog):
    def topic_of(turn):  # docker is in more than one title: retrieval names the question
        return 1 if "docker" in turn else _topic_of(turn)
    intent = understand("回到docker那题 第二个答的人怎么说", catalog, Context(["第一题", "东西向那题"], topic_of))
    assert (intent.topics, intent.expert) == ((1,), catalog.answers[1][1].expert), intent


@pytest.mark.parametrize("turn", ["再切到滚动更新那道 我们下周要上线", "哪道题讲滚动更新"])
def test_a_question_asked_for_by_its_subject_is_the_one_the_conversation_is_on(catalog, turn):
    intent = understand("第二个专家怎么说", catalog, Context(["第六题", turn], _topic_of))
    assert (intent.topics, intent.expert) == ((9,), catalog.answers[9][1].expert), intent  # not question 6's


def test_a_story_beside_a_question_named_in_words_the_faq_does_not_use(catalog):
    assert understand("我们是券商运维，故障定位那题想看看", catalog).rephrase == "故障定位那题想看看"


@pytest.mark.parametrize("question", ["提到虚拟网卡的那位，背景是什么？", "说 Kong 的那个人来头是啥"])
def test_what_background_asks_for_the_profile(catalog, question):
    intent = understand(question, catalog, Context(["第六题"], _topic_of))
    assert (intent.kind, intent.aspect) == ("expert", "profile"), intent


@pytest.mark.parametrize("question, history, topics", [
    ("每人不超过两条要点 我要发群里", ["第九题"], (9,)),  # each of its experts, retold
    ("两位各自怎么说的 逐条对一下", ["第一题"], (1,)),
    ("开会只有两分钟 一句话告诉我大家倾向哪边", ["网络那题"], (4,)),
])
def test_its_experts_told_side_by_side_is_the_question_it_is_on(catalog, question, history, topics):
    intent = understand(question, catalog, Context(history, _topic_of))
    assert (intent.kind, intent.topics) == ("question", topics), intent


@pytest.mark.parametrize("question", ["两位对 service mesh 怎么看", "大家对国产化怎么看"])
def test_its_experts_asked_about_a_subject_of_its_own_are_not_retold(catalog, question):
    intent = understand(question, catalog, Context(["第五题"], _topic_of))
    assert not (intent.kind == "question" and intent.topics == (5,)), intent


def test_that_list_again_is_the_overview(catalog):
    assert understand("网不好 刚才那个目录能再发一次吗", catalog, Context(["东西向那题"], _topic_of)).kind == "overview"


def test_who_else_took_part_in_the_whole_faq_is_the_directory(catalog):
    intent = understand("除了这题的几位 整份文档还有哪些人参与回答", catalog, Context(["第6题"], _topic_of))
    assert (intent.kind, intent.aspect) == ("overview", "experts"), intent


def test_where_an_experts_answers_are_scattered_is_their_questions(catalog):
    intent = understand("gavin_zhang 的回复散在哪些题目里", catalog, Context(["第10题"], _topic_of))
    assert (intent.kind, intent.aspect) == ("expert", "questions"), intent


def test_another_question_brought_along_together(catalog):
    intent = understand("把高可用那题也一起带上 分开讲", catalog, Context(["排查那题"], _topic_of))
    assert (intent.kind, set(intent.topics)) == ("question", {6, 10}), intent


@pytest.mark.parametrize("question", ["这题两位的区别帮我提炼下", "这题三位的观点对比一下"])
def test_a_number_of_experts_after_this_question_is_no_question_number(catalog, question):
    from kbqa.conversation.numbers import ref_numbers
    assert ref_numbers(question, 10) == []
    intent = understand(question, catalog, Context(["第十题"], _topic_of))
    assert (intent.kind, intent.topics) == ("question", (10,)), intent


def test_the_other_questions_are_the_list_not_the_other_experts(catalog):
    intent = understand("remind me what the other questions were? titles only, I'm on my phone", catalog,
                        Context(["pull up the SDN networking question", "ok thx, read it"], _topic_of))
    assert intent.kind == "overview", intent


def test_ta_ending_a_clause_is_thanks_not_him(catalog):
    intent = understand("ok got it, ta. off to lunch", catalog, Context(["show me #9", "and rangeryu's three points"], _topic_of))
    assert intent.kind == "smalltalk", intent
    assert understand("ta说的定时任务那段再讲讲", catalog, Context(["gavin_zhang 是谁"], _topic_of)).expert == "gavin_zhang"


def test_why_so_slow_is_a_complaint(catalog):
    intent = understand("怎么回得这么慢，转了半天圈圈", catalog, Context(["第四题给我", "VLAN 和 VXLAN 那部分再细点"], _topic_of))
    assert (intent.kind, intent.aspect) == ("smalltalk", "sorry"), intent


def test_who_answered_the_question_named_in_the_askers_own_words_is_the_one_it_is_on(catalog):
    intent = understand("wait, is there really only one person answering the planning question? feels thin", catalog,
                        Context(["we're planning the whole platform", "can you show me that planning question, #7"], _topic_of))
    assert (intent.kind, intent.aspect, intent.topics) == ("expert", "who_answered", (7,)), intent


def test_the_first_one_ranked_is_the_first_expert(catalog):
    from kbqa.conversation.numbers import expert_ordinal
    assert expert_ordinal("你贴的那一堆回答里 排第一个的那位是哪家的")[0] == 1
    assert expert_ordinal("第一题的那位") is None  # a question's number, not a place


def test_an_experts_place_and_their_background_is_their_profile(catalog):
    intent = understand("你剛剛列的第二位是什麼背景？除了這題他還答了哪些？", catalog, Context(["东西向流量安全那题"], _topic_of))
    assert (intent.kind, intent.expert, intent.aspect) == ("expert", "nameless", "profile"), intent


def test_what_an_expert_by_place_said_names_no_question(catalog):
    intent = understand("第一位呢 他好像说得看公司自己能力？展开说下", catalog, Context(["第一题", "第二位专家的看完了"], _topic_of))
    assert (intent.kind, intent.topics, intent.expert) == ("expert", (1,), "某银行"), intent


def test_everyones_ways_compared_is_the_question_it_is_on(catalog):
    intent = understand("三个人的办法帮我对比一下 各自适合啥场景 列个表最好", catalog, Context(["第6题"], _topic_of))
    assert (intent.kind, intent.topics) == ("question", (6,)), intent


@pytest.mark.parametrize("question", ["compare the three of them for me: who leans on what. one short paragraph is enough",
                                      "the two of them side by side please"])
def test_all_of_them_compared_in_english_is_the_question_it_is_on(catalog, question):
    intent = understand(question, catalog, Context(["question 6 please"], _topic_of))
    assert (intent.kind, intent.topics) == ("question", (6,)), intent


def test_all_of_them_compared_on_a_term_of_its_own_is_not_retold(catalog):
    intent = understand("how do the two of them differ on harbor", catalog, Context(["question 6 please"], _topic_of))
    assert not (intent.kind == "question" and intent.topics == (6,)), intent


def test_whether_an_expert_has_other_answers_is_their_questions(catalog):
    intent = understand("想在方案里引用下蚂蚁的经验 rangeryu 还有别的回答能用吗 还是就这一条", catalog,
                        Context(["第9题", "他那个三条挺实用"], _topic_of))
    assert (intent.kind, intent.expert, intent.aspect) == ("expert", "rangeryu", "questions"), intent


def test_a_question_described_in_brackets_is_one_piece(catalog):
    topic_of = lambda t: 7 if "planning" in t else 4 if "network" in t else 5 if "each other" in t else None  # noqa: E731
    intent = understand("throw in the big-picture planning one too (hardware, storage, network for the platform) and show "
                        "both next to each other", catalog, Context(["question 3 please"], topic_of))
    assert (intent.kind, intent.topics) == ("question", (3, 7)), intent


def test_going_back_to_a_question_by_its_subject_then_its_first_expert(catalog):
    topic_of = lambda t: 1 if t.strip() == "胖容器" else None  # noqa: E731
    intent = understand("等下，还是倒回胖容器那题，第一位说“要看企业实力”，那他说一般企业实际是怎么做的？", catalog,
                        Context(["胖容器那题", "那第八题看一下"], topic_of))
    assert (intent.kind, intent.topics, intent.expert) == ("expert", (1,), "某银行"), intent


def test_who_the_second_answerer_is_stays_on_the_question(catalog):
    intent = understand("第二個回答的人是誰", catalog, Context(["第三題"], _topic_of))
    assert (intent.kind, intent.topics, intent.aspect) == ("expert", (3,), "views"), intent


def test_that_question_too_names_it(catalog):
    topic_of = lambda t: 4 if "多集群" in t else _topic_of(t)  # noqa: E731 (a remark: retrieval reads another question in it)
    intent = understand("把多安全域那道也并进来 两道一起 我们多集群和分区要一起设计", catalog, Context(["第十题"], topic_of))
    assert (intent.kind, set(intent.topics)) == ("question", {10, 3}), intent


def test_a_question_named_without_a_mark_after_it_is_the_one_it_is_on(catalog):
    assert understand("网络选型那道我们在做评审", catalog, Context([], _topic_of)).rephrase == "网络选型那道"
    intent = understand("这一题底下回复的有几位 都是什么单位的", catalog, Context(["网络选型那道我们在做评审"], _topic_of))
    assert (intent.kind, intent.aspect, intent.topics) == ("expert", "who_answered", (4,)), intent


def test_how_many_experts_in_the_whole_material_is_the_directory(catalog):
    intent = understand("顺便统计下 这份材料里参与回答的专家总共几个人 各自叫啥", catalog, Context(["第九题"], _topic_of))
    assert (intent.kind, intent.aspect) == ("overview", "experts"), intent


@pytest.mark.parametrize("question, history, topics", [
    ("这个再配上容器里查问题那道一起讲吧，分两段写", ["第一题"], (1, 6)),  # a question in other words than the FAQ's
    ("再来个高可用、好几个集群那道，跟这个一起发我，分成两块写", ["第八题"], (8, 10)),  # words listed before one question
    ("can you do this one plus the SDN network one in english? two sections", ["想看9号题"], (9, 4)),
    ("tack on the HA-across-clusters one too, two sections in one reply", ["Q8 pls"], (8, 10)),
    ("连同高可用那题一块儿 领导要一份合并的材料", ["第五题"], (5, 10)),  # "together with …"
    ("高可用那道也拿来，做个合并的版本给运维", ["第五题"], (5, 10)),  # "a merged one"
])
def test_another_question_added_in_more_words_makes_two(catalog, question, history, topics):
    topic_of = lambda t: 6 if "查问题" in t else 4 if "sdn" in t.lower() else 10 if "ha-across" in t.lower() or "高可用" in t \
        else 4 if "集群" in t else _topic_of(t)  # noqa: E731 ("集群" alone: retrieval reads question 4)
    intent = understand(question, catalog, Context(history, topic_of))
    assert (intent.kind, intent.topics) == ("question", topics), intent


@pytest.mark.parametrize("question", ["反過來問，哪幾題是只有一位專家回答的？", "which questions only got one person answering?",
                                      "哪道题只有一个人答"])
def test_the_questions_only_one_expert_answered(catalog, question):
    intent = understand(question, catalog, Context(["第四题"], _topic_of))
    want = tuple(n for n in catalog.numbers if len(catalog.answers.get(n, ())) == 1)
    assert want and (intent.kind, intent.topics) == ("question", want), intent


def test_whether_this_one_question_has_one_answer_is_not_the_list(catalog):
    intent = understand("这题只有一位专家回答吗", catalog, Context(["第四题"], _topic_of))
    assert intent.topics != tuple(n for n in catalog.numbers if len(catalog.answers.get(n, ())) == 1), intent


@pytest.mark.parametrize("question", ["这份东西里前前后后一共有几位专家发过言？报个数，顺便把名字列一下",
                                      "话说这里面一共多少个人在回答啊？都是哪些单位的，我好奇"])
def test_how_many_people_answer_in_here_is_the_directory(catalog, question):
    intent = understand(question, catalog, Context(["第六题"], _topic_of))
    assert (intent.kind, intent.aspect) == ("overview", "experts"), intent


def test_how_many_answered_this_question_stays_on_it(catalog):
    intent = understand("这题一共几个人回答", catalog, Context(["第九题"], _topic_of))
    assert (intent.kind, intent.aspect, intent.topics) == ("expert", "who_answered", (9,)), intent


@pytest.mark.parametrize("question, history, place", [
    ("回到刚才那三个人，最后那位大厂来的，他说的那几条我读了三遍还是晕", ["第九题"], -1),
    ("往下拉，最后那个说网络模型别纠结的那位，他们自己在用哪个插件", ["第四题"], -1),
    ("回到刚刚两个答的人，头一个说改不改docker主要得看啥？", ["第一题"], 1),
])
def test_the_last_or_first_expert_in_everyday_words(catalog, question, history, place):
    topic = _topic_of(history[0]) or int({"九": 9, "四": 4, "一": 1}[history[0][1]])
    intent = understand(question, catalog, Context(history, _topic_of))
    assert (intent.kind, intent.expert) == ("expert", catalog.answers[topic][place - (place > 0)].expert), intent


def test_the_first_question_of_a_list_is_still_question_one(catalog):
    intent = understand("头一个问题给我细讲下", catalog, Context([], _topic_of))
    assert (intent.kind, intent.topics) == ("question", (1,)), intent


def test_listing_from_the_first_one_is_the_overview(catalog):
    intent = understand("等下 我都不知道一共有哪些题，能从第一道开始列一下吗 我按顺序啃", catalog, Context(["6号题"], _topic_of))
    assert intent.kind == "overview", intent


def test_whether_it_is_the_only_empty_one_is_the_unanswered_questions(catalog):
    intent = understand("就它一个是空的吗？其余几道应该都有人回吧", catalog, Context(["2号题讲啥的"], _topic_of))
    assert (intent.kind, intent.topics) == ("question", tuple(n for n in catalog.numbers if not catalog.answers.get(n))), intent


@pytest.mark.parametrize("question", ["不好意思啊一直问这么基础的，你不会嫌我烦吧", "sorry for all the basic questions, hope im not bothering you"])
def test_an_apology_for_asking_is_small_talk(catalog, question):
    intent = understand(question, catalog, Context(["九号题"], _topic_of))
    assert intent.kind == "smalltalk", intent


def test_an_apology_before_a_question_asks_it(catalog):
    assert understand("不好意思，问个基础的问题：灰度发布怎么做", catalog, Context([], _topic_of)).kind == "topical"


def test_a_question_named_in_the_faqs_words_beside_a_remark_is_that_question(catalog):
    assert understand("胖容器那道，复盘报告要引", catalog, Context([], _topic_of)).rephrase == "胖容器那道"


@pytest.mark.parametrize("question", ["那这题最后的结论一句话是啥？我跟组长汇报用 别展开", "算了 还是中文吧 三位各一句 复盘会上我直接念"])
def test_the_conclusion_in_a_sentence_is_the_answer_before_again(catalog, question):
    intent = understand(question, catalog, Context(["第五题"], _topic_of))
    assert intent.followup and (intent.topics == (5,) or intent.kind == "question" or intent.rephrase), intent


@pytest.mark.parametrize("question, history, topic, expert", [
    ("reply #2 in that thread, the joint-stock bank guy - how does he propose getting back to a clean state?",
     ["the rolling update question"], 9, "gavin_zhang"),  # "#2": the second reply, not question 2
    ("多谢哈～顺手确认下，他最后列的三条里，最后那条“优雅”什么来着", ["第九题", "蚂蚁那位讲得挺细"], 9, "rangeryu"),  # an item of
])  # their answer, not the last question
def test_an_item_or_reply_by_its_place_is_not_a_question_number(catalog, question, history, topic, expert):
    topic_of = lambda t: 9 if "rolling" in t else _topic_of(t)  # noqa: E731
    intent = understand(question, catalog, Context(history, topic_of))
    assert intent.expert in ("", expert) and intent.topics == (topic,), intent


def test_a_reply_by_number_is_that_expert(catalog):
    intent = understand("give me the reply #2", catalog, Context(["q9"], _topic_of))
    assert (intent.kind, intent.expert) == ("expert", catalog.answers[9][1].expert), intent


def test_the_questions_by_their_number_of_answers_are_marked_as_such(catalog):
    assert understand("哪道题回答的人最多", catalog, Context()).aspect == "count"


@pytest.mark.parametrize("question", ["k8s换版本那一下到底是先把老的全停了再起新的，还是起一个新的下一个老的？专家原话咋说的",
                                      "網路組在吵要不要買很貴的SDN方案，這裡有人討論過嗎？"])
def test_asking_who_said_it_after_a_question_is_no_second_part(catalog, question):
    assert understand(question, catalog, Context([], _topic_of)).parts == ()


def test_a_second_part_the_faq_does_not_know_stays_a_part(catalog):
    assert len(understand("k8s 网络怎么选？另外 GPU 怎么调度，有人讲过吗", catalog, Context([], _topic_of)).parts) == 2


def test_going_back_to_a_question_named_in_english_is_that_question_whole(catalog):
    intent = understand("go back to the dev/test one. can I see it again in full?", catalog, Context(["q8", "now number 1 pls"], _topic_of))
    assert (intent.kind, intent.subject) == ("question", "dev/test"), intent
    intent = understand("that one again in full", catalog, Context(["q3"], _topic_of))
    assert (intent.kind, intent.topics) == ("question", (3,)), intent


def test_the_turn_before_again_is_retrieved_whole_unless_only_its_named_question_is_found(catalog):
    found = lambda t: 1 if t.strip() == "胖容器那道" else None  # noqa: E731 (the remark beside it: not covered)
    intent = understand("太长了 两位的结论各压成一句话", catalog, Context(["胖容器那道，复盘报告要引"], found))
    assert intent.rephrase == "胖容器那道", intent
    whole = lambda t: 1 if "胖容器" in t else None  # noqa: E731
    intent = understand("太长了 两位的结论各压成一句话", catalog, Context(["胖容器那道，复盘报告要引"], whole))
    assert intent.rephrase == "胖容器那道，复盘报告要引", intent


def test_in_there_after_saying_it_moves_on_is_not_the_answer_before_again(catalog):
    intent = understand("haha ok. unrelated — debugging inside containers is painful. is there a question on how people track "
                        "problems down in there?", catalog, Context(["who is nameless?"], _topic_of))
    assert intent.kind != "expert", intent


@pytest.mark.parametrize("question", ["只有一位答了？哪个单位的", "這題只有一個人回答？是哪位", "這題只有一位回答嗎？他是哪家的、還答過哪幾題？"])
def test_whether_this_question_has_one_answer_and_whose_is_about_the_expert(catalog, question):
    intent = understand(question, catalog, Context(["第八题"], _topic_of))
    assert intent.aspect != "count", intent


@pytest.mark.parametrize("question", ["冒昧问下 你是行里自己部署的模型还是外采的？我问的东西会不会被拿去训练",
                                      "thanks mate. is this chat logged somewhere? don't want my dumb questions showing up",
                                      "你們會保存我的提問嗎", "do you log my questions?"])
def test_whether_the_questions_are_kept_is_small_talk_about_privacy(catalog, question):
    intent = understand(question, catalog, Context(["第一题"], _topic_of))
    assert (intent.kind, intent.aspect) == ("smalltalk", "privacy"), intent


@pytest.mark.parametrize("question", ["k8s 应该部署在物理机还是虚拟机", "你们部署的k8s是什么版本", "k8s 的审计日志要保存多久"])
def test_keeping_and_deploying_things_in_a_question_is_no_privacy_small_talk(catalog, question):
    assert understand(question, catalog, Context([], _topic_of)).kind != "smalltalk"


def test_the_earliest_answerer_is_the_first_expert(catalog):
    intent = understand("最早答的那位是谁来着 他那段重新发下", catalog, Context(["第4题网络", "zhuqibs 那段看完了", "Garyy 那段也看了"], _topic_of))
    assert (intent.kind, intent.expert) == ("expert", catalog.answers[4][0].expert), intent


def test_k_alone_is_an_acknowledgement(catalog):
    intent = understand("k, makes sense", catalog, Context(["Q10 multi-cluster HA"], _topic_of))
    assert (intent.kind, intent.aspect) == ("smalltalk", "ack"), intent


def test_whether_this_question_has_the_most_answers_is_the_most_answered(catalog):
    intent = understand("這題是不是整份裡面回覆最多的？總共幾位在回", catalog, Context(["第四題網路選型"], _topic_of))
    counts = {n: len(catalog.answers.get(n, ())) for n in catalog.numbers}
    assert (intent.kind, intent.topics) == ("question", tuple(n for n, c in counts.items() if c == max(counts.values()))), intent


def test_which_other_questions_have_one_answer_leaves_out_the_one_it_is_on(catalog):
    one = tuple(n for n in catalog.numbers if len(catalog.answers.get(n, ())) == 1)
    intent = understand("just one name under this. which other questions got only a single reply?", catalog,
                        Context([f"Q{one[-1]} please"], _topic_of))
    assert len(one) > 1 and (intent.kind, intent.topics) == ("question", one[:-1]), intent


def test_two_experts_asked_for_the_questions_they_both_answered_are_both_listed(catalog):
    intent = understand("gavin_zhang 跟 某银行 俩人好像老一起出现，同时答过的是哪几题", catalog, Context(["第一题", "第十题"], _topic_of))
    assert (intent.kind, intent.aspect, {intent.expert, *intent.also}) == ("expert", "questions", {"gavin_zhang", "某银行"}), intent


def test_another_question_put_beside_to_be_told_side_by_side_makes_two(catalog):
    topic_of = lambda t: 4 if "sdn" in t.lower() else _topic_of(t)  # noqa: E731
    intent = understand("再并上容器网络选SDN还是underlay那道，网络安全那节课两题对着讲，各一段", catalog,
                        Context(["第五题东西向", "nameless 逻辑集群那段"], topic_of))
    assert (intent.kind, set(intent.topics)) == ("question", {5, 4}), intent


def test_and_then_in_a_question_is_not_another_question_added(catalog):
    intent = understand("把镜像打包并上传仓库要注意什么", catalog, Context(["第六题"], _topic_of))
    assert intent.kind != "question" or len(intent.topics) < 2, intent


def test_whether_some_question_has_no_replies_is_the_unanswered_questions(catalog):
    intent = understand("里面是不是有道题底下零回复 编号多少", catalog, Context(["先看了1号"], _topic_of))
    assert (intent.kind, intent.topics) == ("question", tuple(n for n in catalog.numbers if not catalog.answers.get(n))), intent


@pytest.mark.parametrize("question, history, topics", [
    ("东西向流量那道也捎上 两道合一份 给安全部", ["第三题安全域"], {3, 5}),
    ("没人答是吧 那连着多安全域架构那道一起给我", ["2号题"], {2, 3}),
])
def test_another_question_brought_along_makes_two(catalog, question, history, topics):
    intent = understand(question, catalog, Context(history, _topic_of))
    assert (intent.kind, set(intent.topics)) == ("question", topics), intent


def test_where_else_an_expert_answered_is_their_questions(catalog):
    intent = understand("這兩題都有 nameless，他另外還有在別的地方答過嗎", catalog, Context(["第三題", "第五題"], _topic_of))
    assert (intent.kind, intent.expert, intent.aspect) == ("expert", "nameless", "questions"), intent


def test_whose_name_comes_up_under_the_most_questions_is_that_expert(catalog):
    intent = understand("across all ten, whose name comes up under the most questions?", catalog, Context(["#4"], _topic_of))
    most = max(catalog.experts, key=lambda h: len(catalog.experts[h].topics))
    assert (intent.kind, intent.expert) == ("expert", most), intent


def test_english_bullets_with_a_maximum_retell_the_answer_before(catalog):
    intent = understand("english bullets, max 3, it's going into our platform onboarding wiki", catalog, Context(["q8"], _topic_of))
    assert intent.followup and (intent.topics == (8,) or intent.rephrase == "q8"), intent


def _flannel_elsewhere(turn: str):  # retrieval that puts a remark naming flannel on question 3
    return 3 if "flannel" in turn else _topic_of(turn)


def test_a_remark_that_it_understood_keeps_the_question_it_is_on(catalog):
    """"前面几位讲的flannel那些我基本懂了" says it understood question 4 ("啥的", "and such", asks nothing): the last of
    question 4's experts, not of the question retrieval finds for the remark."""
    history = ["第4题", "前面几位讲的flannel calico啥的我基本懂了"]
    intent = understand("最后一位怎么说", catalog, Context(history, _flannel_elsewhere))
    assert (intent.kind, intent.topics, intent.expert) == ("expert", (4,), "Steven99"), intent


@pytest.mark.parametrize("question, history, topic, expert", [
    ("排前面那位呢 他怎么看", ["第5题"], 5, "zhuqibs"),  # ahead of the others: the first
    ("你列出来排最前面的那位 原话再发一下", ["第4题"], 4, "liufengyi"),
    ("开头那位专家是怎么讲的", ["第9题"], 9, "某银行"),
    ("take me back to the very first reply", ["q6"], 6, "zhuqibs"),
    ("三个人里夹在中间的那位 他们先干啥", ["第6题"], 6, "liufengyi"),  # "中间的那位": the middle one
    ("后面那位呢 只看他的", ["第十题"], 10, "gavin_zhang"),  # the later of two
])
def test_an_expert_by_a_place_in_everyday_words(catalog, question, history, topic, expert):
    intent = understand(question, catalog, Context(history, _topic_of))
    assert (intent.kind, intent.topics, intent.expert) == ("expert", (topic,), expert), intent


def test_the_later_one_of_three_experts_is_no_one_place(catalog):
    intent = understand("后面那位说了啥", catalog, Context(["第9题"], _topic_of))
    assert intent.expert not in {a.expert for a in catalog.answers[9][1:]}, intent


@pytest.mark.parametrize("question, history", [
    ("幫我把全部題目列出來，我挑下一題要看哪個", ["第四題"]),  # the asker choosing which: not the next one
    ("题目清单再贴一次，我要挑出哪几题转给安全组", ["第7题"]),
])
def test_the_list_asked_for_so_the_asker_can_choose_is_the_overview(catalog, question, history):
    assert understand(question, catalog, Context(history, _topic_of)).kind == "overview"


@pytest.mark.parametrize("question, history, topics", [
    ("还有别的题也是没人答的吗", ["第二题"], (2,)),  # the list word "别的题" beside the unanswered cue
    ("反过来有没有哪道压根没人接", [], (2,)),  # "没人接": no one took it
    ("除了这题 还有别的题也是就一位专家答的吗", ["第七题"], (8,)),  # the other one-expert question
])
def test_which_other_questions_no_one_or_one_expert_answered(catalog, question, history, topics):
    intent = understand(question, catalog, Context(history, _topic_of))
    assert (intent.kind, intent.topics, intent.aspect) == ("question", topics, "count"), intent


@pytest.mark.parametrize("question", ["参与回答的人头一共几个 列个名单", "答过题的一共有几个人"])
def test_how_many_people_answered_is_the_directory_of_experts(catalog, question):
    intent = understand(question, catalog, Context([], _topic_of))
    assert (intent.kind, intent.aspect) == ("overview", "experts"), intent


@pytest.mark.parametrize("question, history, topics", [
    ("多安全域那题请跟这题并列，各自一节", ["第九题"], (9, 3)),  # "并列", "各自一节": beside it, each its own part
])
def test_another_question_side_by_side_each_its_own_part(catalog, question, history, topics):
    intent = understand(question, catalog, Context(history, _topic_of))
    assert (intent.kind, intent.topics) == ("question", topics), intent


@pytest.mark.parametrize("question", ["按要点帮我列一下 每位两三条", "出个中文版 稍微精简点", "给我做个对比表"])
def test_a_reshape_in_other_words_asks_for_the_answer_again(question):
    from kbqa.conversation import cues
    from kbqa.text.normalise import normalise
    assert cues.SHORTER.search(normalise(question))


@pytest.mark.parametrize("question, history, topics", [
    ("另外網路選型那題也一起，兩題放在同一份回答裡分段寫", ["第七题"], (7, 4)),  # Taiwan's 網路 is 网络; one reply, in parts
    ("pls bundle it with the multi-zone question (#3), two sections", ["第五题"], (5, 3)),
    ("Could you add Q7 as well? Keep the two answers under separate headings.", ["Q1"], (1, 7)),
    ("merge in #8 as well, each under its own heading", ["#9 rolling updates"], (9, 8)),
    ("the 东西向 security question too please — give that one its own section after this", ["第六题"], (6, 5)),
    ("第十題，跟這題一起完整回給我", ["第七题"], (7, 10)),  # "一起完整回给我": together, whole
    ("高可用那题一并 两边都要", ["第七题规划"], (7, 10)),  # both sides wanted
    ("把这题跟高可用那题合一块 前半讲规划 后半讲容灾", ["第七题"], (7, 10)),  # merged into one, first half / second half
    ("另外高可用那题也要 两题各写各的", ["第一题"], (1, 10)),  # each written on its own
    ("东西向安全那道也打包带上 俩都要", ["第三题"], (3, 5)),
    ("再加埋滚动更新嗰题，我哋要兩樣一齊睇", ["第六题"], (6, 9)),  # Cantonese: add on, both together
    ("加上镜像那题 一起整", ["第一题"], (1, 8)),  # "加上" opening: beside the one it is on
    ("再捎上第5题东西向安全 俩一起 分开写", ["第三题"], (3, 5)),
    ("排查那道 连同这题 一前一后两段", ["第十题"], (10, 6)),  # "这题 一前": no question 1
    ("规划那题也要 就是上平台前存储怎么定的那个 一起出", ["第十题高可用"], (10, 7)),  # "就是…": that one described
    ("本题之外，请把高可用那题的要点一并给出", ["第三题"], (3, 10)),  # "本题之外": beside this one
    ("再结合东西向那题，请分别列出两题的要点", ["第九题"], (9, 5)),
    ("同时请附上镜像那题，也想一并了解", ["第六题"], (6, 8)),
    ("merge in the failover topic and give me a combined write-up of the two", ["question 4"], (4, 10)),
    ("also bring in the rollout question, answer both since they overlap", ["question 7"], (7, 9)),
    ("plus the tracing one; can you handle both since our note mixes them", ["question 4"], (4, 6)),
    ("顺手把高可用也讲了 两题放一起", ["第八题"], (8, 10)),
    ("高可用那题也一起上", ["第九题"], (9, 10)),
    ("顺带把东西向安全讲了，跟这题放一条回复里", ["第三题"], (3, 5)),
])
def test_another_question_in_the_same_reply(catalog, question, history, topics):
    intent = understand(question, catalog, Context(history, _topic_of))
    assert (intent.kind, intent.topics) == ("question", topics), intent


@pytest.mark.parametrize("question, history, topics", [
    ("再问个 开发测试那题 说说", ["第9题"], (8,)),  # "那题 说说": that question
    ("切个话题 东西向那块的防护 那题捞出来", ["第十题"], (5,)),
    ("對了 容器網路要不要上SDN 那題大家怎麼說", ["第八題"], (4,)),  # what everyone said on it
    ("这题先放着，讲平台规划的那道题，全部给我", ["第一题"], (7,)),
    ("switching gears: the rolling update one, give me that whole question", ["Q4"], (9,)),
    ("排查問題那題詳細講一下", ["第一题"], (6,)),  # in detail
    ("换个方向，滚动更新那道也给我", ["第一题"], (9,)),
    ("话题换一下，东西向那题怎么说", ["第一题"], (5,)),  # what it says
    ("先跳过 排查那题 直接给我", ["第一题"], (6,)),
    ("按安全域部署的那道题打开看看", ["第一题"], (3,)),
])
def test_a_question_named_by_its_subject_and_asked_for(catalog, question, history, topics):
    intent = understand(question, catalog, Context(history, _more_topics))
    assert (intent.kind, intent.topics) == ("question", topics), intent


def test_that_one_named_by_its_subject_whole_again_is_the_question(catalog):
    intent = understand("算了还是回到刚才高可用那个 整题再发一遍", catalog, Context(["第十题", "docker 胖容器那道也瞄一眼"], _more_topics))
    assert (intent.kind, intent.topics) == ("question", (10,)), intent


@pytest.mark.parametrize("question, kind, aspect", [
    ("perfect, that covers what the audit team asked for. appreciate it", "smalltalk", "thanks"),  # "what" asks nothing
    ("I've read 3 and 4 so far. give me the rest of the list", "overview", ""),
    ("整份材料一共出现了几位答题的 各自啥单位", "overview", "experts"),
    ("这答案出来得真磨蹭 服务器是不是挤爆了", "smalltalk", "sorry"),
    ("好 我先撤 有空再来", "smalltalk", "bye"),
    ("第几题是空的 一个专家回复都没有", "question", "count"),
    ("roughly how many people weighed in overall? names please", "overview", "experts"),
])
def test_what_a_follow_up_about_the_faq_or_small_talk_asks(catalog, question, kind, aspect):
    intent = understand(question, catalog, Context(["第四题"], _topic_of))
    assert (intent.kind, intent.aspect) == (kind, aspect), intent


@pytest.mark.parametrize("question, history, topic, experts", [
    ("另外俩人说的呢 特别是那个技术经理的", ["第九题", "蚂蚁那位列的三条我抄下来了"], 9, ("某银行", "gavin_zhang")),
    ("那另外俩呢 一个技术经理一个蚂蚁的 各说了啥", ["第九题", "gavin_zhang 说金丝雀那段看了"], 9, ("某银行", "rangeryu")),
])
def test_the_other_two_are_both_others_even_when_one_is_described(catalog, question, history, topic, experts):
    """"另外俩…特别是那个技术经理的": the two others of the question, not only the one described; who they are (技术经理) is
    no subject of their answers."""
    intent = understand(question, catalog, Context(history, _topic_of))
    assert (intent.kind, intent.topics, (intent.expert, *intent.also), intent.aspect) == (
        "expert", (topic,), experts, "views"), intent


def test_back_to_the_one_at_the_start_is_the_first_asked(catalog):
    intent = understand("回到一开始那题，股份制银行那位讲的再贴一次", catalog, Context(["东西向那道", "排查那题也给我"], _topic_of))
    assert intent.topics == (5,), intent


def test_what_other_questions_there_are_after_a_remark_naming_a_subject_is_the_list(catalog):
    intent = understand("刚刚看的都是网络相关的，其他还有哪些题目？全部列出来给我", catalog, Context(["网络那题", "东西向那题"], _topic_of))
    assert intent.kind == "overview", intent


def test_an_expert_of_the_first_question_asked_is_their_answer_to_it(catalog):
    intent = understand("回到一开始那题，蚂蚁那位的再贴一下", catalog, Context(["滚动更新那道", "网络那题"], _topic_of))
    assert (intent.kind, intent.topics, intent.expert) == ("expert", (9,), "rangeryu"), intent


@pytest.mark.parametrize("question, history, topics", [
    ("麻烦出个中文版 老板不看英文 稍微精简点", ["第6题"], (6,)),  # why and for whom, beside the reshape
    ("两位专家的态度给我做个对比表 到底支不支持自己改", ["第一题"], (1,)),
])
def test_a_reshape_with_why_or_for_whom_beside_it_is_the_question_again(catalog, question, history, topics):
    intent = understand(question, catalog, Context(history, _topic_of))
    assert (intent.kind, intent.topics) == ("question", topics), intent


def test_a_reshape_of_a_part_stays_that_part(catalog):
    intent = understand("存储那块太长了 精简点", catalog, Context(["第七题"], _topic_of))
    assert (intent.kind, intent.topics, intent.from_context) == ("topical", (7,), True), intent


@pytest.mark.parametrize("question, history", [
    ("测试环境的 pod 晚上没人用，能不能排程自动缩到 0？有现成的工具吗", ["第8题"]),  # "缩到 0" is no reshape
    ("刚才讲calico的那部分再发一次", ["第4题"]),
])
def test_a_question_of_its_own_or_a_part_again_is_not_the_whole_question_retold(catalog, question, history):
    intent = understand(question, catalog, Context(history, _topic_of))
    assert not (intent.kind == "question" and intent.followup and not intent.parts), intent


@pytest.mark.parametrize("question, history, expert", [
    ("where else does he show up in this FAQ? I'd like to read all of his stuff", ["Q8 dev/test", "gavin's tips look solid"], "gavin_zhang"),
    ("想把 zhuqibs 的發言全部找出來 他在哪些題底下有回覆？", ["東西向安全那題"], "zhuqibs"),  # "有回覆": has replied there
    ("gavin_zhang 这个名字老冒出来 审计想知道他的回答覆盖了哪些题目", ["第十题"], "gavin_zhang"),  # 覆盖, which normalise spells 复盖
    ("署名某银行技术经理的那位 在整份材料里一共露面几次 都在哪些题底下", ["滚动更新那题"], "某银行"),
    ("那位署名 nameless 的總監，除了東西向這題以外，還在哪些題目下面留過答覆？", ["東西向安全那題"], "nameless"),
])
def test_which_questions_an_expert_answered_asked_while_on_one_of_them(catalog, question, history, expert):
    intent = understand(question, catalog, Context(history, _topic_of))
    assert (intent.kind, intent.expert, intent.aspect) == ("expert", expert, "questions"), intent


@pytest.mark.parametrize("question", [
    "is there any question in this FAQ that nobody actually answered?",  # an adverb between
    "for the audit scope note: which question in this set has no expert reply at all?",  # "reply", one
])
def test_which_question_no_one_answered_in_other_english_words(catalog, question):
    intent = understand(question, catalog, Context(["HA across clusters"], _topic_of))
    assert (intent.kind, intent.topics, intent.aspect) == ("question", (2,), "count"), intent


def test_how_many_contributors_the_article_has_is_the_directory(catalog):
    intent = understand("headcount check: how many separate contributors does this article have? with their handles",
                        catalog, Context(["Q4"], _topic_of))
    assert (intent.kind, intent.aspect) == ("overview", "experts"), intent


def test_whether_a_person_types_the_replies_is_small_talk(catalog):
    intent = understand("is a person on the platform team typing these, or is this fully automated?", catalog,
                        Context(["rolling update question"], _topic_of))
    assert (intent.kind, intent.aspect) == ("smalltalk", "who"), intent


@pytest.mark.parametrize("question, history, topic, expert", [
    ("倒数第二个回答的那位 是保险公司的吧 他的思路展开说说", ["容器网络选型 第四题"], 4, "Garyy"),  # counted from the end
    ("倒数第一位怎么说", ["第9题"], 9, "rangeryu"),
    ("最前面那个回答的原话再给我看一遍", ["Q10 跨集群高可用"], 10, "某银行"),  # "那个" between the place and the answer
    ("who wrote the closing reply on this one? want that person's view as well", ["Q9 rolling updates"], 9, "rangeryu"),
])
def test_an_expert_counted_from_the_end_or_at_the_very_front(catalog, question, history, topic, expert):
    intent = understand(question, catalog, Context(history, _topic_of))
    assert (intent.kind, intent.topics, intent.expert) == ("expert", (topic,), expert), intent


@pytest.mark.parametrize("question, history, topics", [
    ("how do people handle failover? answer that along with this one", ["q6 pls"], (6, 10)),  # "along with this"
    ("throw the failover question in too and cover both", ["Q9 rollout"], (9, 10)),  # "cover both"
    ("we also need the failover part - can you answer that question alongside this one?", ["q6 pls"], (6, 10)),  # "alongside this"
])
def test_another_question_answered_along_with_the_one_it_is_on(catalog, question, history, topics):
    intent = understand(question, catalog, Context(history, _topic_of))
    assert (intent.kind, intent.topics) == ("question", topics), intent


@pytest.mark.parametrize("remark", ["the storage bit is thin", "我们就三个运维", "那段太长了 我们先跳过"])
def test_a_remark_of_the_asker_or_on_a_part_of_the_answer_keeps_the_question(catalog, remark):
    """A turn that asks nothing and speaks of the asker's setting or of a part of the answer before stays on that question,
    whatever retrieval finds for its words alone (here question 1)."""
    topic_of = lambda turn: 1 if turn == remark else _topic_of(turn)  # noqa: E731
    intent = understand("and the failover one too, both together", catalog, Context(["第七题", remark], topic_of))
    assert (intent.kind, intent.topics) == ("question", (7, 10)), intent


@pytest.mark.parametrize("question, history, said", [
    ("换个话题 容器里的服务出了问题怎么追调用链 这块有专门一题吧 发出来看看", ["第四题网络 看完了"], "调用链"),  # the words before
    ("说到这 其中一套集群出事了业务怎么转到别的中心，有这方面的题吗", ["多安全域那题"], "别的中心"),
    ("另外稽核那边追问 pod 跟 pod 之间的流量要怎么管，这份有没有专门在谈这个？", ["第十题"], "流量"),
    ("unrelated: is there an entry comparing OpenShift, Rancher and the local vendors for picking a platform?", ["Q3"], "rancher"),
])
def test_whether_a_question_is_on_a_subject_asks_for_that_question(catalog, question, history, said):
    intent = understand(question, catalog, Context(history, _topic_of))
    assert intent.kind == "question" and said in intent.subject.lower(), intent


def test_a_handle_misspelt_twice_with_its_number_is_that_expert(catalog):
    intent = understand("Stephen99 那个呢 他说他们calico用下来怎么样", catalog, Context(["第4题 网络选型"], _topic_of))
    assert (intent.kind, intent.expert) == ("expert", "Steven99") and "stephen" not in intent.subject, intent



@pytest.mark.parametrize("question, kind, aspect", [
    ("这回复有点慢啊 转了好半天", "smalltalk", "sorry"),  # "有点慢", "好半天"
    ("just curious, is this thing hosted on-prem? does our chat leave the bank's network?", "smalltalk", "privacy"),
    ("For the sources note: who are all the contributors in this FAQ, and how many in total?", "overview", "experts"),
    ("who are all the people quoted in this doc? give me the full roll call and a head count", "overview", "experts"),
])
def test_small_talk_and_the_directory_in_more_words(catalog, question, kind, aspect):
    intent = understand(question, catalog, Context(["第4题网络"], _topic_of))
    assert (intent.kind, intent.aspect) == (kind, aspect), intent


def test_which_questions_he_answered_with_ti(catalog):
    intent = understand("他整份總共回了哪幾題？", catalog, Context(["第九題", "gavin_zhang 那段金絲雀的講法不錯"], _topic_of))
    assert (intent.kind, intent.expert, intent.aspect) == ("expert", "gavin_zhang", "questions"), intent


def test_that_question_answered_as_well_is_beside_the_one_it_is_on(catalog):
    intent = understand("高可用那題一併回答吧，我們要一起寫進標書", catalog, Context(["第三题 多安全域"], _topic_of))
    assert (intent.kind, intent.topics) == ("question", (3, 10)), intent


def test_the_words_beside_this_one_name_the_other_question_whole(catalog):
    """No piece of "failover and rollout tooling" names one question (the stand-in knows neither "failover and" nor "and
    rollout"), so its words whole are asked: the stand-in's first subject."""
    topic_of = lambda turn: 10 if "failover" in turn and "rollout" in turn else None if "failover" in turn or "rollout" in turn else _topic_of(turn)  # noqa: E731
    intent = understand("plus the failover and rollout tooling question — cover that alongside this one", catalog,
                        Context(["第6题"], topic_of))
    assert (intent.kind, intent.topics) == ("question", (6, 10)), intent


def test_whether_it_is_covered_without_a_word_for_question_stays_with_retrieval(catalog):
    intent = understand("换个话题，两个机房各一套集群，一边挂了应用怎么切到另一边，这里有讲吗", catalog, Context(["第一题"], _topic_of))
    assert intent.kind == "topical", intent


@pytest.mark.parametrize("question, history, compare", [
    ("两位的思路差在哪？一个讲工具一个讲架构吧，帮我对照一下", ["东西向安全那题"], True),  # the question's two experts compared
    ("把 zhuqibs 跟 liufengyi 的做法并排比一下 差在哪", ["容器里的应用问题排查 第6题"], True),  # two named
    ("两位的观点各用一句话说", ["第十题"], False),  # retold, not compared
    ("往前跳两题,我想对照着看", ["第6题"], False),  # a move, whatever it is for
])
def test_the_experts_of_a_question_compared_are_marked(catalog, question, history, compare):
    from kbqa.conversation.followup import compared
    intent = compared(understand(question, catalog, Context(history, _topic_of)), question)
    assert intent.compare is compare, intent


@pytest.mark.parametrize("question, history, topics", [
    ("两位思路好像不一样 一个靠网关管流量 一个靠拆集群 对比一下", ["第5题东西向"], (5,)),  # their sides, in the answers' words
    ("对比下 一个偏平台一个偏应用？给个两栏", ["第十题", "两位说法不太一样"], (10,)),  # "一个…一个…": the two
])
def test_the_experts_compared_by_their_sides_is_the_question_compared(catalog, question, history, topics):
    from kbqa.conversation.followup import compared
    intent = compared(understand(question, catalog, Context(history, _topic_of)), question)
    assert (intent.kind, intent.topics, intent.compare) == ("question", topics, True), intent


@pytest.mark.parametrize("question, history, topics", [
    ("plus Q6 on finding faults in containerised apps, answer the pair", ["topic 1 native vs custom docker", "ok"], (1, 6)),
    ("跨集群容灾那题一并附上 和滚动更新这题 我一起存档", ["第9题", "好 这段懂了"], (10, 9)),  # "一并附上"
    ("第七題那個整體規劃，跟這題合併回答，我們要對照著看", ["第三題"], (3, 7)),  # "跟这题合并"
])
def test_two_questions_in_one_reply_in_more_words(catalog, question, history, topics):
    topic_of = lambda turn: 10 if "容灾" in turn else _topic_of(turn)  # noqa: E731
    intent = understand(question, catalog, Context(history, topic_of))
    assert (intent.kind, set(intent.topics)) == ("question", set(topics)), intent


@pytest.mark.parametrize("question, history, kind, aspect", [
    ("里面总共多少位专家 名字给我过一遍", ["第3题", "分区那个懂了"], "overview", "experts"),  # "里面总共": the whole FAQ
    ("Count of contributors please: how many people answered something in this article, and who?", ["Q9"], "overview", "experts"),
    ("gavin_zhang seems to be everywhere. What else has he answered apart from this?", ["Q1"], "expert", "questions"),
    ("nameless from the cloud vendor: list the items where he gave an answer.", ["Q3 on security zones"], "expert", "questions"),
])
def test_the_experts_of_the_whole_faq_in_more_words(catalog, question, history, kind, aspect):
    intent = understand(question, catalog, Context(history, _topic_of))
    assert (intent.kind, intent.aspect) == (kind, aspect), intent


def test_an_expert_asked_on_this_one_is_on_the_question_it_is_on(catalog):
    intent = understand("so the cloud-company director is the sole responder on this one? what does he say to nail down first",
                        catalog, Context(["topic 7, overall planning for compute storage network"], lambda t: 7 if "planning" in t else 3))
    assert (intent.kind, intent.expert, intent.topics) == ("expert", "nameless", (7,)), intent


@pytest.mark.parametrize("question", ["三个人的办法帮我对比一下 各自适合啥场景 列个表最好", "compare the three of them for me: who leans on what"])
def test_three_experts_compared_are_the_question_again(catalog, question):
    from kbqa.conversation.followup import compared
    intent = compared(understand(question, catalog, Context(["第6题"], _topic_of)), question)
    assert intent.compare is False, intent


@pytest.mark.parametrize("question, history, kind, aspect", [
    ("replies are crawling this afternoon, is something wrong on your side?", ["Q4"], "smalltalk", "sorry"),
    ("that's it from me, heading home", ["Q7", "and Q8"], "smalltalk", "bye"),
    ("how many individual contributors are there in total across the article? names please", ["Q3"], "overview", "experts"),
])
def test_more_english_small_talk_and_directory(catalog, question, history, kind, aspect):
    intent = understand(question, catalog, Context(history, _topic_of))
    assert (intent.kind, intent.aspect) == (kind, aspect), intent


def test_which_of_the_ten_has_nobody_answering_it(catalog):
    intent = understand("which of the ten has nobody answering it?", catalog, Context(["Q1"], _topic_of))
    assert (intent.kind, intent.topics) == ("question", (2,)), intent


@pytest.mark.parametrize("question, history, topics", [
    ("同埋排查問題嗰題一齊講埋，我哋運維最關心呢兩樣", ["第一題原生定制"], (1, 6)),  # Cantonese "同埋", "讲埋"
    ("順便將第十題高可用都講埋，分開兩部分", ["第七題整體規劃"], (7, 10)),  # "分开两部分"
    ("answer it along with the rolling-update question — I need build pipeline and rollout in one reply", ["Q8 dev and test"], (8, 9)),
])
def test_two_questions_in_one_reply_in_cantonese_and_english(catalog, question, history, topics):
    intent = understand(question, catalog, Context(history, lambda t: 9 if "rolling" in t else _topic_of(t)))
    assert (intent.kind, set(intent.topics)) == ("question", set(topics)), intent


def test_an_expert_named_beside_a_place_from_the_end_is_not_a_question_number(catalog):
    intent = understand("倒数第二个回答的 保险那家的工程师 那段太学术了 到底要表达啥", catalog, Context(["第四题 网络怎么选 整段发我"], _topic_of))
    assert (intent.kind, intent.expert, intent.topics) == ("expert", "Garyy", (4,)), intent


def test_two_experts_named_who_both_answered_it_are_on_the_question_it_is_on(catalog):
    intent = understand("技術經理跟股份制銀行那位 兩個人各自怎麼建議 都講一下", catalog, Context(["第十題 多叢集高可用"], _topic_of))
    assert (intent.kind, intent.topics, {intent.expert, *intent.also}) == ("expert", (10,), {"某银行", "gavin_zhang"}), intent


@pytest.mark.parametrize("question, history, topics", [
    ("另外，高可用的环境下要怎么做，那题也给我看一下", ["第五題"], (10,)),  # "那题也给我看一下": that question, whole
    ("换个题 线上容器里的程序出毛病 排障那块有专门一题吧 调出来", ["东西向安全那题"], (6,)),  # no title word: retrieval's
])  # question for the rest
def test_a_question_pointed_at_and_asked_for_whole_is_retrievals_question(catalog, question, history, topics):
    intent = understand(question, catalog, Context(history, lambda t: 6 if "排障" in t else _topic_of(t)))
    assert (intent.kind, intent.topics) == ("question", topics), intent


def test_two_experts_named_in_a_first_message_with_no_question_shared_by_one(catalog):
    """No conversation before it: no question it is on (a crash once, comparing an empty history with the topics)."""
    intent = understand("「某金融企業」同「某銀行」會唔會係同一個人？兩個署名嘅職位有咩唔同？", catalog, Context([], _topic_of))
    assert intent.kind == "expert" and {intent.expert, *intent.also} == {"某金融企业", "某银行"}, intent


@pytest.mark.parametrize("question, history, kind", [
    ("插件的事回头再说 我们按网段分了外网区跟核心区 安全域一个k8s还是几个 哪道题聊过", ["第4题网络插件"], "question"),  # "哪道题聊过"
    ("弄个英文简版 我发给外包那边的同事", ["第1题 胖容器"], "question"),  # "英文简版": the turn before again
])
def test_which_question_talks_of_it_and_a_short_english_version(catalog, question, history, kind):
    intent = understand(question, catalog, Context(history, _topic_of))
    assert intent.kind == kind, intent


@pytest.mark.parametrize("question, subject", [("講SDN的那題", "sdn"), ("东西向网络安全那题", "东西向")])
def test_a_message_that_only_names_a_question_asks_for_it_whole(catalog, question, subject):
    from kbqa.conversation.followup import refined
    intent = refined(understand(question, catalog, Context([], _topic_of)), question, catalog)
    assert intent.kind == "question" and subject in intent.subject.lower(), intent


def test_a_question_named_in_the_glossarys_words_asks_for_it_whole(catalog):
    from kbqa.conversation.followup import refined
    aliases = lambda text: [[["排查"]]] if "排障" in text else []  # the glossary: 排障 is the FAQ's 排查
    intent = refined(understand("排障那题", catalog, Context([], _topic_of)), "排障那题", catalog, aliases)
    assert (intent.kind, intent.subject) == ("question", "排障"), intent


@pytest.mark.parametrize("question", ["那存储那块呢", "东西向那题里 kong 是干嘛的"])  # a part; a question asked about it
def test_a_part_or_a_question_about_a_named_one_is_not_the_whole_question(catalog, question):
    from kbqa.conversation.followup import refined
    intent = refined(understand(question, catalog, Context(["第七题"], _topic_of)), question, catalog)
    assert intent.kind != "question" or intent.topics, intent


@pytest.mark.parametrize("question, history, kind, check", [
    ("收尾那段是谁写的，讲了啥", ["排查那题", "skywalking那段记下了"], "expert", lambda i: i.expert == "gavin_zhang"),  # the last
    ("wiki目录里有一题我想标成「暂无解答」，是第几题来着", ["第八题"], "question", lambda i: i.topics == (2,)),
    ("wiki 想做個人物索引：某銀行那位除了這題，還答過哪幾題？", ["第一題"], "expert", lambda i: i.aspect == "questions"),
    ("這段可以出一個正體字版本嗎？總行 wiki 有繁中分頁", ["第十題高可用"], "question", lambda i: i.topics == (10,)),
])
def test_the_last_passage_the_unanswered_one_an_experts_questions_and_a_traditional_version(catalog, question, history, kind, check):
    intent = understand(question, catalog, Context(history, _topic_of))
    assert intent.kind == kind and check(intent), intent


@pytest.mark.parametrize("question, history, kind, check", [
    ("gavin_zhang keeps appearing. Is he the top contributor here, or does someone else answer more?", ["fat container question"],
     "expert", lambda i: (i.expert, i.aspect) == ("gavin_zhang", "profile")),  # the most answers, an expert named beside it
    ("That bank tech manager, 某银行: apart from this one, where else does he give an answer?", ["multi security domain question"],
     "expert", lambda i: i.aspect == "questions"),
    ("講咗咁耐，其實總共有幾多個人出嚟答？全部 handle 畀我", ["第十題高可用"], "overview", lambda i: i.aspect == "experts"),
    ("連同東西向流量安全嗰題，一次過答晒，每題一段", ["第六題排查"], "question", lambda i: set(i.topics) == {5, 6}),
    ("理一下 一共十道还是几道？每道叫啥 列出来", ["第三题多安全域", "两种说法有点打架"], "overview", lambda i: True),
])
def test_the_top_contributor_cantonese_counts_and_the_list_in_more_words(catalog, question, history, kind, check):
    intent = understand(question, catalog, Context(history, _topic_of))
    assert intent.kind == kind and check(intent), intent


def test_a_question_named_whole_by_words_another_title_says_too_is_retrievals(catalog):
    """"网络选型那题全部贴出来": question 7's title says 网络 and 选型 among other things, question 4's says 网络 (and 选择);
    retrieval's question 4 is the one meant."""
    intent = understand("网络选型那题全部贴出来", catalog, Context([], lambda t: 4 if "网络" in t else None))
    assert (intent.kind, intent.topics) == ("question", (4,)), intent


@pytest.mark.parametrize("question, history, topics", [
    ("and fold in the rollout question too", ["q6"], (6, 9)),  # "fold in": beside the one it is on
    ("fold the failover one in with this please", ["question 7"], (7, 10)),
    ("also the tracing one, I need both for tomorrow's review", ["q5"], (5, 6)),
    ("the rollout question too — put the two one after the other", ["q4"], (4, 9)),
    ("plus the failover one please, in the same reply", ["q8"], (8, 10)),
    ("and q3 as well. two headings, one per question", ["q6"], (6, 3)),
    ("再配上第三题，合成一份给我", ["第九题"], (9, 3)),  # one made of the two
    ("这题外加第二题，合在一份文档里", ["第六题"], (6, 2)),
    ("第八题也要，两道分开各写一段", ["第五题"], (5, 8)),  # each its own part
    ("连第四题一起，两题的要点我都要", ["第七题"], (7, 4)),
    ("连埋高可用嗰题一齐讲", ["第三题"], (3, 10)),  # Cantonese: "with … as well"
])
def test_another_question_beside_in_more_words(catalog, question, history, topics):
    intent = understand(question, catalog, Context(history, _topic_of))
    assert (intent.kind, intent.topics) == ("question", topics), intent


@pytest.mark.parametrize("question", [
    "听说这里有一题只有问题没答案 是哪题",
    "is there a question here where no expert wrote anything?",
    "哪道题底下是空白的 一个答主都没有",
    "有没有哪道题挂了题目却一个人都没来答",
    "第几题是空着的 专家一个都没答",
    "is one of the ten left blank with no replies?",
    "哪道题下面光秃秃的",
    "有一题只有题目和一段说明，是哪题",
    "目录里有没有哪题挂空挡",
    "有一题下面啥都没有 第几题",
    "哪题一条专家意见都没有",
    "any topic with a title but zero expert responses?",
    "有道题底下空空的 是哪道",
    "有一题点进去是空的，第几题",
    "did every question get an expert reply, or are some empty?",
    "有一道题我点开是白的 是哪道啊",
    "I spotted an entry in the list with zero expert responses. which number is it?",
    "one of the titles in the list looked like it had nothing under it — which number is that?",
    "有没有哪题是 0 个 reply 的？哪一题",
    "有道题我点进去啥都没有 哪道",
    "which one has just a title and description and no experts under it?",
    "quick check: is any of the topics showing an empty answer section?",
    "one topic got skipped entirely by the contributors, right? which number?",
])
def test_which_question_no_one_answered_in_more_words(catalog, question):
    intent = understand(question, catalog, Context(["第五题"], _topic_of))
    assert (intent.kind, intent.topics, intent.aspect) == ("question", (2,), "count"), intent


@pytest.mark.parametrize("question, history", [
    ("成份嘢入面一共有几多位专家出过声", ["第三题"]),  # Cantonese: the whole thing
    ("这篇到底有多少位答主，名字都给我", ["第四题"]),  # 答主: those who answered
    ("give me a headcount of the people who answered in this FAQ", ["q7"]),
    ("说到底，呢度总共有几多个人答过问题？个个名都列出嚟", ["第四题"]),  # Cantonese: here, altogether
    ("how many experts contributed to this whole thing?", ["rolling update one"]),
    ("出来回答的人一共几个啊 哪家哪家的", ["网络那题"]),  # a total: the whole FAQ's
    ("总共几位专家 名字报下", ["第3题"]),
    ("一共多少人答过题 名字都报一下", ["第四题"]),  # "答过题": answering in general, not a question named
    ("总共多少个大佬出场了 id列一下", ["第6题"]),
    ("for the wiki: list every contributor handle in this FAQ", ["Q4"]),
    ("一共几个人答过题啊 名字都列给我", ["第三题"]),
    ("本文档参与解答的专家共计几人 请列出署名", ["第五题"]),  # formal: 解答, 共计
    ("整份资料里答题的人都有谁 一共几个", ["第3题"]),
    ("有多少个不同的人在这篇里留过答案 名字都列一下", ["高可用那题"]),
    ("一共有几个人留过言", []),
    ("across all ten questions, how many distinct people answered?", ["east-west traffic question"]),
    ("quick one for my notes: which named people answered anything here, and how many is that?", ["Q4"]),
    ("for my citations: list every contributor who wrote an answer here, and give me the total", ["Q6"]),
    ("for the credits slide I want to thank everyone who answered. who are they, and how many in total?", ["Q4 network"]),
    ("講真，呢度有幾多個人有份作答？handle 全部列晒出嚟", ["第4題"]),
])
def test_the_directory_of_experts_in_more_words(catalog, question, history):
    intent = understand(question, catalog, Context(history, _topic_of))
    assert (intent.kind, intent.aspect) == ("overview", "experts"), intent


@pytest.mark.parametrize("question, history, expert", [
    ("zhuqibs 除了这题 其他地方还有他的回答吗", ["第四题"], "zhuqibs"),
    ("gavin_zhang 在整份资料里出现了几次", ["第八题"], "gavin_zhang"),
    ("gavin_zhang 的回答分布在第几题", ["第八题"], "gavin_zhang"),
    ("zhuqibs 答咗几多条", ["第六题"], "zhuqibs"),  # Cantonese
    ("gavin_zhang还答过其他哪几题", ["第六题"], "gavin_zhang"),  # which: the list, not the first other one
    ("how many of the ten did 某银行 weigh in on?", ["q10 please"], "某银行"),
    ("gavin_zhang 一共参与了几道题", ["第六题"], "gavin_zhang"),
    ("某银行作答的全部题号给我", ["第六题"], "某银行"),
    ("where else does zhuqibs show up?", ["第六题"], "zhuqibs"),
    ("does xiaoping378 turn up anywhere else in here?", ["第六题"], "xiaoping378"),
    ("老张说gavin_zhang答得最多 他答的是哪几题", ["第九题"], "gavin_zhang"),
    ("zhuqibs 好像很活躍，幫我統計他參與的題號", ["第四题"], "zhuqibs"),
    ("nameless这位答题的分布 给我题号和标题", ["第七题"], "nameless"),
    ("Is 某银行 a recurring responder? List the questions where that handle appears.", ["Q10"], "某银行"),
    ("gavin_zhang这人 好几个题下面都有他吧 哪几个", ["第六题"], "gavin_zhang"),
    ("zhuqibs 的名字我瞄到好几处 把他出现的题目全找出来", ["第四题"], "zhuqibs"),
    ("zhuqibs 好几道题都露过面吧 都是哪些", ["第六题"], "zhuqibs"),
    ("那gavin_zhang呢 他跨了几题 各是什么", ["第十题"], "gavin_zhang"),
    ("gavin_zhang — can you tally up all the topics he replied under?", ["Q1"], "gavin_zhang"),
])
def test_which_questions_an_expert_answered_in_more_words(catalog, question, history, expert):
    intent = understand(question, catalog, Context(history, _topic_of))
    assert (intent.kind, intent.expert, intent.aspect) == ("expert", expert, "questions"), intent



@pytest.mark.parametrize("question, history, aspect", [
    ("点解覆得咁慢 等咗成分钟", ["第六题"], "sorry"),  # Cantonese: why so slow, a whole minute
    ("回我的是程序还是后台有同事在打字", ["第六题"], "who"),
    ("这边的对话会留记录吗 要截图存档", ["第六题"], "privacy"),
    ("巴适 要得要得", ["第五题"], "ack"),  # Sichuanese: great, fine
    ("加班到半夜 困死", ["第五题"], "ack"),
    ("哈哈 istio 不好用那句太真实了", ["第五题"], "ack"),  # a remark after a laugh that asks nothing
    ("唉，干了二十年虚拟化，临退休还得学这些", ["排查那题"], "ack"),  # ... or a sigh
    ("sigh, another platform to learn", ["排查那题"], "ack"),
    ("服务器是不是架在国外那边", ["第五题"], "sorry"),
    ("took a while to load, is your server based in Europe?", ["第五题"], "sorry"),
    ("loading so long today, stuck is it", ["第五题"], "sorry"),
    ("你这个助手晚上也能用吗", ["第五题"], "who"),
    ("你讲的比来我们行里的厂商讲得明白多了", ["整体规划那题"], "thanks"),  # a compliment on the answers
    ("怎麼今天等這麼久才有回應？伺服器塞車嗎？", ["第六题"], "sorry"),
    ("brilliant, that covers what we need for session one", ["第六题"], "thanks"),
    ("手机上看这么长 眼睛要瞎了", ["第四题"], "sorry"),
    ("交接班了 明晚再问 撤", ["第一题"], "bye"),
    ("等下 外卖到了 吃完再接着问", ["第一题"], "bye"),
    ("行，我先把这些抄进会议纪要，回头再来", ["第八题"], "bye"),
    ("PKS每月来一次那个描述太真实了 笑死", ["第四题"], "ack"),  # a laugh at the end
    ("out of curiosity, is this running on GPT or did someone in-house build it?", ["q6"], "who"),
    ("你后面是不是接了个大模型 哪家的啊", ["第二题"], "who"),
    ("lol do you actually understand k8s or are you just quoting the article back at me?", ["Q5"], "who"),
    ("行了 我发版去", ["第九题"], "bye"),  # off to do something
    ("ugh, on-call pager again. brb", ["q6"], "bye"),  # "again" after a noun: no request to repeat
    ("88 明天继续问", ["第一题"], "bye"),
    ("好家伙 你们服务器是被人薅秃了吧", ["第5题"], "sorry"),
    ("lol autocorrect mangled kubernetes again, ignore that", ["q9"], "ack"),
    ("领导叫开会 我离开一会 回来继续", ["第六题"], "bye"),
    ("我去倒杯水 一会儿再回来", ["第一题"], "bye"),
    ("你自己底下是不是也跑在k8s上的 哈哈", ["第九题"], "who"),
    ("周五就要交差了，头都大了", ["第7题"], "ack"),
    ("这回怎么转了这么久才出来，是网不好吗", ["第五题"], "sorry"),  # a complaint about speed that asks
    ("咋半天没反应 服务器那边卡了?", ["网络那题"], "sorry"),
    ("响应好像比平时慢，系统负载高吗", ["第九题"], "sorry"),
    ("this bot is kinda slow today", ["q6"], "sorry"),
    ("写周报写到人已经麻了", ["第6题"], "ack"),
    ("等阵先，老细叫我", ["第三题"], "bye"),  # Cantonese: wait, the boss calls
    ("嗯，这段可以直接引用了", ["第六题"], "ack"),
    ("好 这段总算说到点子上了", ["第9题"], "ack"),
    ("新人要是看不懂可别怪我哈哈", ["第一题"], "ack"),  # a laugh that closes a remark
    ("会开了两个钟头 人已经麻了", ["排查那题"], "ack"),  # "两个钟头 人": no first expert (头…人)
    ("问一下 跟我聊的是程式吧", ["第五题"], "who"),  # Taiwanese 程式
    ("你后面是大模型，还是检索拼出来的", ["第六题"], "who"),
    ("Please confirm whether these replies are machine-generated", ["Topic 6"], "who"),
    ("稍等 乘务员查票", ["第7题"], "bye"),  # wait a moment
    ("行 今天就看到这 拜了", ["第8题"], "bye"),
    ("took ages. is your backend throttled?", ["topic 10"], "sorry"),
])
def test_small_talk_in_more_words(catalog, question, history, aspect):
    intent = understand(question, catalog, Context(history, _topic_of))
    assert (intent.kind, intent.aspect) == ("smalltalk", aspect), intent


@pytest.mark.parametrize("question, expert", [
    ("排第一的那个技术经理 他讲的分批那段再说说", "某银行"),  # a place before a title: not question 1
    ("最后那个产品经理说他们自己扩展了啥", "rangeryu"),  # "最后那个" before a title: not the last question
    ("蚂蚁那位产品经理最后条列的几点是啥", "rangeryu"),  # "最后条列": listed last, not the last question
    ("排最后的那个回答 结尾列了三条的 那三条分别是啥", "rangeryu"),  # the last answer, not the last question
    ("回头看某银行那条 他的意思简单说下", "某银行"),  # "简单说下" is how to tell it: on this question, not question 1
])
def test_an_expert_by_place_before_a_title_stays_on_the_question(catalog, question, expert):
    intent = understand(question, catalog, Context(["第九题滚动更新"], _topic_of))
    assert (intent.kind, intent.expert, intent.topics) == ("expert", expert, (9,)), intent


def test_the_closing_expert_beside_another_named_by_place_stays_on_the_question(catalog):
    intent = understand("排第二的股份制那位，还有压轴的蚂蚁那位，各说了啥", catalog, Context(["第九题滚动更新"], _topic_of))
    assert (intent.kind, intent.topics, intent.expert, intent.also) == ("expert", (9,), "gavin_zhang", ("rangeryu",)), intent


@pytest.mark.parametrize("question, history, expert", [
    ("the software architect's reply on this one, what's the gist?", ["q6"], "liufengyi"),  # 软件架构设计师: 架构, not 架构师
    ("what does the software architect say about it?", ["q4"], ""),  # two of question 4's are: neither
])
def test_an_architect_in_english_is_any_title_with_jia_gou(catalog, question, history, expert):
    intent = understand(question, catalog, Context(history, _topic_of))
    assert intent.expert == expert, intent


def test_an_expert_named_beside_one_described_by_organisation_are_both(catalog):
    intent = understand("某银行那位跟股份制银行那位 分别讲了啥", catalog, Context(["第九题滚动更新"], _topic_of))
    assert (intent.expert, intent.also, intent.topics) == ("某银行", ("gavin_zhang",), (9,)), intent


def test_two_experts_described_are_read_on_the_question_both_answered(catalog):
    intent = understand("the Mcd developer and the cloud vendor's director — each one's take?", catalog,
                        Context(["q5 east-west", "ok"], _topic_of))
    assert (intent.expert, intent.also, intent.topics) == ("zhuqibs", ("nameless",), (5,)), intent


@pytest.mark.parametrize("question, history, topics", [
    ("顺带第三题一起讲 两部分分开", ["第八题"], (8, 3)),
    ("+ 第二题 一起来", ["第六题"], (6, 2)),  # a plus sign: beside the one it is on
    ("and q9, answer both for me", ["q4"], (4, 9)),
    ("combine with the failover question, two parts", ["q7"], (7, 10)),
    ("安全域那题都一齐出埋", ["第五题"], (5, 3)),  # Cantonese: put that one out as well
    ("呢题同高可用嗰题，一次过两题都讲埋", ["第九题"], (9, 10)),
    ("这题讲完接着讲第四题，合在一个回复里", ["第五题"], (5, 4)),
    ("这题讲完再讲第八题 上下两段", ["第六题"], (6, 8)),
    ("the failover question, need both for the audit pack", ["q6 troubleshooting"], (6, 10)),
])
def test_another_question_beside_in_yet_more_words(catalog, question, history, topics):
    intent = understand(question, catalog, Context(history, _topic_of))
    assert (intent.kind, intent.topics) == ("question", topics), intent


@pytest.mark.parametrize("question, expert", [
    ("gavin_zhang 回过几道题 列下编号", "gavin_zhang"),
    ("某银行那位喺边几条度有答", "某银行"),  # Cantonese: in which of them
    ("zhuqibs keeps showing up - tally his answers by question number", "zhuqibs"),
    ("what else did zhuqibs answer?", "zhuqibs"),
])
def test_which_questions_an_expert_answered_in_yet_more_words(catalog, question, expert):
    intent = understand(question, catalog, Context(["第五题"], _topic_of))
    assert (intent.kind, intent.expert, intent.aspect) == ("expert", expert, "questions"), intent


@pytest.mark.parametrize("question, aspect", [("讲真 回我的系咪程式嚟", "who")])
def test_is_it_a_program_in_more_words(catalog, question, aspect):
    intent = understand(question, catalog, Context(["第九题"], _topic_of))
    assert (intent.kind, intent.aspect) == ("smalltalk", aspect), intent


@pytest.mark.parametrize("question", ["按平台和应用分两栏列出来", "长话短说", "每位专家一句就行", "make it an English to-do list",
                                      "三个方案做成矩阵", "Please restate that as a concise list", "请以繁体中文重新输出上述内容",
                                      "要点列成1 2 3就行", "要点编号列出，不超过五条"])
def test_a_reshape_in_yet_more_words(question):
    from kbqa.conversation import cues
    from kbqa.text.normalise import normalise
    assert cues.SHORTER.search(normalise(question))


@pytest.mark.parametrize("question, kind, aspect", [
    ("数一下：参与回答的一共几个人 各自ID", "overview", "experts"),  # everyone who took part, counted: the directory
    ("这题参与回答的都有谁", "expert", "who_answered"),  # who answered the question it is on
])
def test_those_who_took_part_counted_are_the_directory(catalog, question, kind, aspect):
    intent = understand(question, catalog, Context(["第五题", "看完了"], _topic_of))
    assert (intent.kind, intent.aspect) == (kind, aspect), intent


def test_two_at_once_without_retrieval_does_not_crash(catalog):
    # a Context without topic_of (as callers outside the engine build it): subjects beside a number find nothing
    intent = understand("第三题和高可用那题一起讲", catalog, Context(["第五题"]))
    assert intent.kind in ("question", "topical"), intent


@pytest.mark.parametrize("question", [
    "用一二三列个清单给我",
    "整段转成正体中文，台湾同事要看",
    "能不能浓缩做两句",
    "整理成三点，我要贴进周报",
    "分条列出来 每条一句 我要放到需求说明书里",
    "按人分点 少废话",
    "讲短啲，两三句就够",
    "tabulate it in columns: expert | tool",
    "拉个表 一行一个人",
    "按要点逐条列出",
    "用重点列点",
    "按工具拉个清单",
    "拆成要点 我贴交接本上",
    "三个人说的合起来给我一段话就行 不用分人",
    "分点列一下 一个人一条 我要放进PPT",  # "列一下 一个人" is no "下一个"
])
def test_the_question_before_reshaped_in_more_words(catalog, question):
    intent = understand(question, catalog, Context(["第八题"], _topic_of))
    assert (intent.kind, intent.topics) == ("question", (8,)), intent


@pytest.mark.parametrize("question", [
    "put the two positions next to each other, what's the main difference?",
    "lay the two side by side, keep it short",
])
def test_the_two_experts_of_the_question_compared_in_english(catalog, question):
    from kbqa.conversation.followup import refined
    intent = refined(understand(question, catalog, Context(["q3 multi security zones", "ok got it"], _topic_of)), question, catalog)
    assert (intent.kind, intent.topics, intent.compare) == ("question", (3,), True), intent


def test_the_ten_titles_asked_for_in_order(catalog):
    assert understand("请把十题的题目依序排出来", catalog, Context(["第5题"], _topic_of)).kind == "overview"
    assert understand("第十题的题目是啥", catalog, Context(["第5题"], _topic_of)).topics == (10,)


@pytest.mark.parametrize("question", [
    "顺便 灰度发布那块 有题讲不",
    "滚动升级不停业务这个，有题目讲这个吗",
    "核心系统一批批换版本，有对应的题吗",
    "滚动更新的事 有这题吧 贴下",
    "有冇一题专讲滚动更新？成题出嚟睇下",  # Cantonese
])
def test_is_there_a_question_on_a_subject_in_more_words(catalog, question):
    intent = understand(question, catalog, Context(["第六题"], _topic_of))
    assert intent.kind == "question" and intent.subject and not intent.topics, intent


@pytest.mark.parametrize("question, history, topics", [
    ("换个方向，讲多集群故障切换的那道题整个发我", ["东西向那题"], (10,)),
    ("那干脆看容器网络到底该怎么选的那一题吧，整题都要", ["第三题"], (4,)),  # "那一题": 一 between
    ("镜像版本怎么跟代码对上？那题整个给我", ["第一题"], (8,)),
    ("另外 镜像仓库那题拿来", ["第三题"], (8,)),  # "拿来": bring it
    ("换个题 高可用那题帮我叫出来", ["第4题"], (10,)),
    ("请调出东西向安全的那一题", ["第9题"], (5,)),  # "调出" without 来, formal
    ("另外 讲滚动更新的是哪题 给我看", ["第一题"], (9,)),  # "哪题 给我看"
    ("排查相关问题请整体调出", ["第八题"], (6,)),  # "相关问题" points at a question
    ("另外 存储怎么规划 有那题吗", ["第四题"], (7,)),  # "有那题吗": is there one, show it
    ("顺带问下 高可用嗰题成个俾我睇下", ["第三題"], (10,)),  # Cantonese: the whole of it
    ("separate thing: one cluster dies, how do apps failover to another? that q pls", ["q4"], (10,)),
    ("Separate item: does it cover the rollout? Please show that question in full.", ["Question 1"], (9,)),
    ("另外，集群之间高可用怎么互为备份，请调出相应题目的完整内容", ["第一题"], (10,)),  # "相应题目", "完整内容"
    ("另请调取：线上容器应用出故障怎么排查，那一题请完整列出", ["第八题"], (6,)),  # "调取", "完整列出"
    ("本题连同镜像那题，请一并调出，分节列示", ["第三题"], (3, 8)),  # "本题": this question, formal
    ("请把本题和高可用那题放在一起说明", ["第5题"], (5, 10)),
    ("另需将网络选型一题与本题合并整理，分节呈现", ["第7题"], (7, 4)),  # "合并整理": merged
    ("再带上东西向那题 合着讲", ["第6题"], (6, 5)),  # "合着讲"
    ("排查那题都一齐拎出嚟，同高可用摆埋一齐", ["第十题"], (10, 6)),  # "摆埋一齐": put beside it
    ("请把本题和镜像那题合并给出，各自注明答复人", ["第十题"], (10, 8)),
    ("还有高可用那题 跟这个合成一页", ["第八题"], (8, 10)),  # "合成一页": one page
    ("再带上东西向安全那题 两题各给我几个重点", ["第四题"], (4, 5)),  # "两题各给": each of the two
])
def test_a_question_described_and_asked_for_whole_in_more_words(catalog, question, history, topics):
    intent = understand(question, catalog, Context(history, _topic_of))
    assert (intent.kind, intent.topics) == ("question", topics), intent


def test_how_briefly_to_tell_an_expert_is_no_subject(catalog):
    intent = understand("技术经理那位讲的呢？简单带过就好", catalog, Context(["第九题滚动更新", "蚂蚁那段好长"], _topic_of))
    assert (intent.kind, intent.expert, intent.topics) == ("expert", "某银行", (9,)), intent


def test_he_in_a_question_the_expert_before_did_not_answer_is_its_one_expert(catalog):
    history = ["第八题", "gavin_zhang 的镜像白名单那条我们要做"]
    intent = understand("整体规划那题里 他是按什么来区分存储的", catalog, Context(history, _topic_of))
    assert (intent.kind, intent.expert, intent.topics) == ("expert", "nameless", (7,)), intent
    kept = understand("他在高可用那题里又是怎么讲的", catalog, Context(history, _topic_of))  # gavin_zhang answered it
    assert (kept.expert, kept.topics) == ("gavin_zhang", (10,)), kept


def test_a_bare_ordinal_after_a_turn_that_counted_people_is_the_next_person(catalog):
    """"第二个呢" after "第一个人的…看了" is the second expert of the question; after "第6题" alone it is question 2."""
    intent = understand("第二个呢", catalog, Context(["第6题 排查", "第一个人的skywalking看了"], _topic_of))
    assert (intent.kind, intent.expert) == ("expert", "liufengyi"), intent
    assert understand("第二个呢", catalog, Context(["第6题 排查"], _topic_of)).topics == (2,)


def test_step_back_a_second_is_no_move_back(catalog):
    intent = understand("step back a sec — what else is in this FAQ? list every question", catalog,
                        Context(["rolling update question"], _topic_of))
    assert intent.kind == "overview", intent


@pytest.mark.parametrize("question, history, topic", [
    ("对比下两人 哪儿一样哪儿不一样", ["第一题", "俩人说得有点像"], 1),  # 两人: the two of them
    ("这俩回答放一起看 给我个对照", ["第三题"], 3),
])
def test_the_two_experts_compared_in_more_words(catalog, question, history, topic):
    intent = understand(question, catalog, Context(history, _topic_of))
    assert (intent.kind, intent.topics) == ("question", (topic,)), intent



def test_a_point_of_an_experts_answer_is_no_question_number(catalog):
    """"股份制银行那位对第四点…怎么看" after question 1: the fourth point of their answer there, not question 4."""
    intent = understand("股份制銀行那位對第四點、就是裝代理程式那件事怎麼看？", catalog, Context(["第一題 原生還是客製 Docker"], _topic_of))
    assert (intent.kind, intent.expert, intent.topics) == ("expert", "gavin_zhang", (1,)), intent
    assert understand("第二点讲的什么", catalog).topics == (2,)  # with no one named, first: question 2


@pytest.mark.parametrize("question", ["k8s 发布/灰度那道题，一共几位专家发言了？名字报一下", "高可用那道，一共几个人作答？"])
def test_a_total_of_experts_for_a_question_named_is_who_answered_it(catalog, question):
    """A total asked in the clause after a question is named ("那道题，一共几位") counts that question's experts."""
    intent = understand(question, catalog, Context([], _topic_of))
    assert (intent.kind, intent.aspect) == ("expert", "who_answered"), intent


@pytest.mark.parametrize("question, history", [
    ("是不是有道题是空壳 只有题干 第几题", ["第四题"]),
    ("which one has no expert write-up under it?", ["q10"]),
    ("十道题当中，哪一道没人作答？", ["第四题"]),  # "十道题当中": among them, not the list of them
    ("文中是否存在列了题目却没有收录任何专家答复的情况？请指明题号", ["第七题"]),
    ("which topic number carries no respondent answers at all?", ["第七题"]),
])
def test_which_question_no_one_answered_in_yet_more_words(catalog, question, history):
    intent = understand(question, catalog, Context(history, _topic_of))
    assert (intent.kind, intent.topics, intent.aspect) == ("question", (2,), "count"), intent


@pytest.mark.parametrize("question, expert", [("呢位 gavin_zhang 总共答过边几条？", "gavin_zhang"),
                                              ("某银行喺成份FAQ一共答过几多题？", "某银行")])  # Cantonese: which, how many
def test_which_questions_an_expert_answered_in_cantonese(catalog, question, expert):
    intent = understand(question, catalog, Context(["第三题"], _topic_of))
    assert (intent.kind, intent.expert, intent.aspect) == ("expert", expert, "questions"), intent


@pytest.mark.parametrize("question, history, aspect", [
    ("答题的一共多少号人", ["第四题"], "experts"),
    ("remind me who all answered in this FAQ?", ["q6"], "experts"),
    ("整份资料涵盖哪些话题？附上每题作答的专家人数", ["第十题"], ""),  # the list, with each one's count
    ("這份文件裡回答的人一共幾個？都叫什麼", ["第三题"], "experts"),
    ("state the total number of respondents in this document and give each one's handle", ["第三题"], "experts"),
])
def test_the_directory_and_the_list_in_yet_more_words(catalog, question, history, aspect):
    intent = understand(question, catalog, Context(history, _topic_of))
    assert (intent.kind, intent.aspect) == ("overview", aspect), intent


def test_the_one_at_the_tail_is_the_last_expert(catalog):
    intent = understand("排尾那位怎么说", catalog, Context(["第四题"], _topic_of))
    assert (intent.kind, intent.expert) == ("expert", "Steven99"), intent


def test_cantonese_add_is_no_word_of_the_question_added(catalog):
    # retrieval finds nothing for a piece with words it does not know ("加埋网络选型那题"): the cue is no part of it
    def topic_of(turn):
        return None if "加埋" in turn else _topic_of(turn)
    intent = understand("加埋滚动更新那题一齐看，两题都要", catalog, Context(["第三題"], topic_of))
    assert (intent.kind, intent.topics) == ("question", (3, 9)), intent


def test_one_of_them_is_no_question_named_by_its_subject():
    from kbqa.conversation import people
    assert not people.THE_X_QUESTION.search("the open-source tool one of them named for tracing - what was it?")
    assert people.THE_X_QUESTION.search("the open-source tool one, what was it?")


def test_too_wordy_is_no_other_question_of_the_expert(catalog):
    # "too wordy" and "nothing else" say no "another": he is asked on the question the conversation is on
    intent = understand("too wordy. cut it down to the three practices he lists and nothing else", catalog,
                        Context(["q8 please, the dev/test one"], _topic_of))
    assert (intent.kind, intent.expert, intent.topics) == ("expert", "gavin_zhang", (8,)), intent


@pytest.mark.parametrize("question, expert", [("打头那位怎么说", "liufengyi"), ("头一位专家怎么说", "liufengyi")])
def test_the_one_at_the_head_is_the_first_expert(catalog, question, expert):
    intent = understand(question, catalog, Context(["第四题"], _topic_of))
    assert (intent.kind, intent.expert) == ("expert", expert), intent


def test_two_separate_sections_is_no_subject_of_a_question(catalog):
    def topic_of(turn):  # retrieval finds a question for any words (the real one read "two separate sections" as 4)
        return 4 if "section" in turn else _topic_of(turn)
    intent = understand("and q9 alongside it. two separate sections", catalog, Context(["q8", "the git tag bit"], topic_of))
    assert (intent.kind, intent.topics) == ("question", (8, 9)), intent


def test_in_which_segment_in_cantonese_asks_no_one(catalog):
    # "擺喺邊個網段": in which network segment, not "who"
    intent = understand("咁管控嗰幾部機應該擺喺邊個網段先啱", catalog, Context(["第三題多安全域"], _topic_of))
    assert intent.aspect != "who_answered", intent


def test_a_question_named_in_the_glossarys_words_beside_another(catalog):
    # "排障那题" says 排障 (the glossary's word for 排查): the piece that names the other question
    def topic_of(turn):  # retrieval reads the purpose clause as another question
        return 9 if "网关" in turn else _topic_of(turn)
    def aliases(text):  # the glossary's FAQ words for the text's words
        return [[["排查"]]] if "排障" in text else []
    intent = understand("连同排障那题一起答，网关要兼顾流量管控", catalog, Context(["东西向网络安全那题"], topic_of, aliases))
    assert (intent.kind, intent.topics) == ("question", (5, 6)), intent


def test_in_other_parts_of_the_faq_asks_an_experts_questions(catalog):
    intent = understand("I like zhuqibs. Is he in other parts of the FAQ also?", catalog, Context(["topic 4 network"], _topic_of))
    assert (intent.kind, intent.expert, intent.aspect) == ("expert", "zhuqibs", "questions"), intent


@pytest.mark.parametrize("question, expert", [("第二位专家怎么说", "liufengyi"), ("最后一位呢", "gavin_zhang")])
def test_a_question_named_in_the_glossarys_words_is_the_one_the_conversation_is_on(catalog, question, expert):
    # "排障那题" as the turn before: question 6 whole, as the engine answered it (refined with the glossary)
    def topic_of(turn):  # retrieval finds question 6 for the subject alone, nothing for "排障那题"
        return 6 if turn.strip() == "排障" else _topic_of(turn)
    def aliases(text):  # the glossary's FAQ words for the text's words
        return [[["排查"]]] if "排障" in text else []
    intent = understand(question, catalog, Context(["排障那题"], topic_of, aliases))
    assert (intent.kind, intent.topics, intent.expert) == ("expert", (6,), expert), intent


@pytest.mark.parametrize("question", ["给我个三点的要点版，别贴原文", "压缩成三句话 我要贴进周报", "可以整段改成繁體嗎"])
def test_the_answer_before_reshaped_after_a_question_named_by_its_subject_is_that_question(catalog, question):
    # "高可用那题" was answered with question 10 whole: said again in other words, it is that question again
    intent = understand(question, catalog, Context(["高可用那题", "老板要看"], _topic_of))
    assert (intent.kind, intent.subject) == ("question", "高可用"), intent


@pytest.mark.parametrize("question, history, topics", [
    ("同机容器互访安全那个也要 分开写", ["第六题排查"], (6, 5)),  # "that one too, written apart"
    ("再加多集群容災那題 各講各的", ["第三題"], (3, 10)),  # "add … that question, each on its own"
    ("再加滚动更新那题", ["第一题"], (1, 9)),
    ("also add the security-zone cluster layout question, keep them as two separate answers", ["q4"], (4, 3)),
])
def test_another_question_added_each_on_its_own(catalog, question, history, topics):
    def topic_of(turn):
        return 3 if "security-zone" in turn or "安全域" in turn else 10 if "多集群" in turn else 5 if "互访" in turn \
            else _topic_of(turn)
    intent = understand(question, catalog, Context(history, topic_of, _aliases))
    assert (intent.kind, intent.topics) == ("question", topics), intent


@pytest.mark.parametrize("question, history", [
    ("is there a q nobody answerd?", ["q4 network"]),  # "answerd": the 'e' dropped
    ("话说 有空白没人回的题吗 我们打算去社区补问", ["第六题排查"]),
    ("有没人回的题吗", []),
    ("quick one: does every question in this FAQ actually have expert replies, or is one of them blank?", ["Q5 east-west"]),
    ("我翻了一下好像有一題底下沒有任何專家留言，你幫我確認是哪一題", ["第3題"]),
])
def test_the_unanswered_question_in_more_words(catalog, question, history):
    intent = understand(question, catalog, Context(history, _topic_of))
    assert (intent.kind, intent.topics) == ("question", (2,)), intent


def test_an_expert_in_several_questions_asks_which(catalog):
    intent = understand("gavin_zhang 是不是好几题都有他 都哪几题", catalog, Context(["第六题排查"], _topic_of))
    assert (intent.kind, intent.expert, intent.aspect) == ("expert", "gavin_zhang", "questions"), intent


@pytest.mark.parametrize("question, talk", [
    ("danke! Markus owes me a coffee for this", "thanks"),
    ("sweet, dropping that straight into the incident timeline", "thanks"),
    ("等等，現在跟我對話的是 AI 還是你們網管同事在回？", "who"),
    ("半天没出来 是不是又超时了", "sorry"),
    ("just curious, does a real engineer ever check what you tell us?", "who"),  # about the bot, asking
    ("my colleague just fixed it lol", "ack"),  # a laugh at the end
])
def test_more_small_talk_mid_conversation(catalog, question, talk):
    intent = understand(question, catalog, Context(["第五题东西向"], _topic_of))
    assert (intent.kind, intent.aspect) == ("smalltalk", talk), intent


@pytest.mark.parametrize("question", ["用什么模型做容器调度", "how do I fix calico lol"])
def test_a_question_with_a_small_talk_word_is_not_small_talk(catalog, question):
    # "什么模型 … 做容器调度" asks about scheduling, not about the bot; "lol" after a question
    assert understand(question, catalog, Context(["第五题东西向"], _topic_of)).kind != "smalltalk"


def test_the_last_person_is_the_last_expert(catalog):
    intent = understand("最后那个人咋说的", catalog, Context(["第四题网络怎么选", "太长了 手机看不完"], _topic_of))
    assert (intent.kind, intent.topics, intent.expert) == ("expert", (4,), "Steven99"), intent


def test_the_list_asked_for_with_the_asker_picking_the_next_is_the_list(catalog):
    intent = understand("list me the ten question titles, I'll pick the next one from there", catalog,
                        Context(["Q6 troubleshooting"], _topic_of))
    assert intent.kind == "overview", intent


@pytest.mark.parametrize("question", ["三位嘅做法可唔可以排成一個表？", "别念全文了 每位专家就给我一个结论"])
def test_the_answer_before_as_a_table_or_one_conclusion_each(catalog, question):
    intent = understand(question, catalog, Context(["第6题排查方法 全部"], _topic_of))
    assert intent.kind == "question" and intent.topics == (6,), intent


def test_him_after_who_said_it_is_the_one_who_said_it(catalog):
    # "把他那段找出来": the one who said it, not zhuqibs whom the turn before named
    intent = understand("谁说过网络模型不用太纠结的? 把他那段找出来", catalog,
                        Context(["第4题", "zhuqibs说交换机一万多那段太真实了"], _topic_of))
    assert (intent.kind, intent.expert) == ("expert", "Steven99"), intent


def test_the_online_only_bank_is_the_internet_bank(catalog):
    intent = understand("and the guy from the online-only bank, how does he handle it?", catalog, Context(["q6 troubleshooting"], _topic_of))
    assert (intent.kind, intent.expert) == ("expert", "liufengyi"), intent


def test_the_full_question_about_a_subject_is_that_question_whole(catalog):
    # "the full question about X": X whole, as retrieval finds it for the request when not for X without the cue words
    def topic_of(turn):
        return 6 if "full question" in turn else None
    intent = understand("paste me the full question about an app in a container misbehaving", catalog, Context(["Q10"], topic_of))
    assert (intent.kind, intent.topics) == ("question", (6,)), intent


@pytest.mark.parametrize("question", ["10道里哪道光有题没答案", "份 FAQ 有冇一題係開咗個頭但冇人覆嘅？",
                                      "这份材料有没有哪个问题是只有题目 专家们都没吭声的", "Which FAQ item did nobody respond to?"])
def test_the_unanswered_question_in_yet_more_words(catalog, question):
    intent = understand(question, catalog, Context(["第6题"], _topic_of))
    assert (intent.kind, intent.topics) == ("question", (2,)), intent


@pytest.mark.parametrize("question, expert", [
    ("翻了下 zhuqibs 好像出现好几次 具体是哪些题", "zhuqibs"), ("把 zhuqibs 的发言按题号归一下", "zhuqibs"),
    ("講開 gavin_zhang，佢喺成份嘢入面出現過喺邊啲題目？", "gavin_zhang"),
    ("Attribution table again: list every question where zhuqibs has a response", "zhuqibs"),
])
def test_which_questions_an_expert_answered_in_yet_more_words(catalog, question, expert):
    intent = understand(question, catalog, Context(["第6题"], _topic_of))
    assert (intent.kind, intent.expert, intent.aspect) == ("expert", expert, "questions"), intent


@pytest.mark.parametrize("question", ["统计一下：全文出场的答题人有哪些，去重后共几个人", "份 FAQ 入面出過場嘅人有邊幾個？"])
def test_who_took_part_in_the_whole_faq_in_yet_more_words(catalog, question):
    intent = understand(question, catalog, Context(["第4题"], _topic_of))
    assert (intent.kind, intent.aspect) == ("overview", "experts"), intent


def test_the_rest_of_the_menu_is_the_list(catalog):
    intent = understand("hmm, this is only one of them I guess — what's the rest of the menu? name every question for me",
                        catalog, Context(["the rolling update one"], _topic_of))
    assert intent.kind == "overview", intent


@pytest.mark.parametrize("question", ["老細冇耐性睇長文，幫我剪到三行以內", "The template allows three lines per item. Trim it to that",
                                      "咁多人講，可唔可以每個 handle 一行？"])
def test_the_answer_before_cut_down(catalog, question):
    intent = understand(question, catalog, Context(["第八題開發測試"], _topic_of))
    assert (intent.kind, intent.topics) == ("question", (8,)), intent


@pytest.mark.parametrize("question, history, topics", [
    ("第7題接著金融多安全域那題，兩份都要，分段呈現", ["第7題整體規劃"], (7, 3)),  # "both copies wanted"
    ("跟容器雲整體規劃那題合在一起講，前後分開", ["第十题"], (10, 7)),  # opening "with …": beside the one it is on
    ("另外跨 cluster 做 HA 嗰題都要，同呢題擺埋一份 summary", ["第9题"], (9, 10)),
    ("add q1 too, the custom docker one, both answers pls", ["q5 east-west"], (5, 1)),
])
def test_another_question_wanted_beside_it_in_yet_more_words(catalog, question, history, topics):
    def topic_of(turn):
        return 3 if "安全域" in turn else 7 if "整体规划" in turn else 10 if "ha" in turn.lower() else _topic_of(turn)
    intent = understand(question, catalog, Context(history, topic_of, _aliases))
    assert (intent.kind, intent.topics) == ("question", topics), intent


def test_what_an_expert_said_there_is_on_the_question_it_is_on(catalog):
    # "there": question 10, though retrieval reads the rest ("leaves most of it to k8s") as another of theirs
    def topic_of(turn):
        return 9 if "k8s" in turn else 10 if "ha across" in turn.lower() else None
    intent = understand("what did the bank's tech manager say there? sounds like he leaves most of it to k8s", catalog,
                        Context(["question 10, the HA across multiple clusters one"], topic_of))
    assert (intent.kind, intent.expert, intent.topics) == ("expert", "某银行", (10,)), intent



def test_an_entry_that_lacks_replies_is_the_unanswered_question(catalog):
    intent = understand("skipping dead ends: does any entry in the list lack replies?", catalog, Context(["Q3"], _topic_of))
    assert (intent.kind, intent.topics) == ("question", (2,)), intent


def test_everyone_who_answered_a_question_named_is_who_answered_it(catalog):
    intent = understand("names and employers of everyone who answered the k8s rolling-update question, please", catalog,
                        Context([], _topic_of))
    assert (intent.kind, intent.aspect) == ("expert", "who_answered"), intent
