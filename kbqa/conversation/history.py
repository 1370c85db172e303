"""A conversation's earlier turns, from whatever shape a front end keeps them in, and when a question leans
on them (a follow-up)."""
from __future__ import annotations

import re

from kbqa.conversation import cues, moves
from kbqa.conversation.numbers import ref_numbers
from kbqa.text.normalise import clean, normalise, words
from kbqa.text.prefilter import speed_up

_FOLLOWUP = re.compile(r"^(?:(?:ok|okay|cool|alright|right|got it|great|thanks|好的|好|嗯|行)[\s,，.。!！-]*)?"  # "ok and what about…"
                       r"(那|那么|那麼|还有|還有|另外|再|此外|其他|其它|咁(?!多)|and |what about |how about |what if |then "
                       r"|same (?:question|q|thing|ask)\b|(?:同样|同一个?|一样)的?问题)"
                       r"|那块|这块|那部分|这部分|那一块|这一块", re.I)
# "照这个思路，第一步…": a question that says it goes on from the answer before, whatever it would be alone
_LEANS_ON = re.compile(r"^(?:照|按|按照|顺着)(?:这个|这|你这个|刚才那个|上面那个)(?:思路|说法|逻辑)")


# "刚那段里提到几家…", "那段里说的…": the passage of the answer before
_THAT_PASSAGE = re.compile(r"(?:刚|刚才|刚刚|上面|前面)(?:那|这)一?段|(?:那|这)一?段(?:里|里面|中|当中)(?:提到|说到|讲到|说|讲|提|写)")
# "他建议咋搞", "what did they suggest": a person of the conversation (not 其他, "other")
_SOMEONE_BEFORE = re.compile(r"(?<![其吉利])(?:他|她|佢)(?:们|哋)?|(?<![a-z])(?:he|she|his|her|they|their)(?![a-z])")


# A follow-up that says it moves on ("换个话题", "另外", "再问个", "回到…那题", "by the way", "what about"), names a
# question ("…那道调出来") or asks who: not a detail of the question the conversation is on
_MOVES_ON = re.compile(r"换个|另外|顺便|顺带|对了|话说|另起|跑个题|换题|转个题|转题|放着|放放|不聊|先不|说回|回到|再回|再问|再看"
                       r"|话题|题目|那道|那题|调出来|哪位|是谁|(?<![a-z])(?:what\s+about|how\s+about|by\s+the\s+way|btw"
                       r"|switching|separate|unrelated|different\s+topic|next|also|another|back\s+to|moving\s+on)(?![a-z])")


def moves_on(q: str) -> bool:
    """Does a follow-up say it leaves the question the conversation is on (``_MOVES_ON``, on its normalised text)?"""
    return bool(_MOVES_ON.search(normalise(q)))


def leans_on(q: str) -> bool:
    q = normalise(q, phrases=False).strip()
    return bool(_LEANS_ON.search(q) or cues.PART_RETOLD.search(q) or _SOMEONE_BEFORE.search(q) or _THAT_PASSAGE.search(q))


def is_followup(q: str, features: dict) -> bool:
    """A follow-up leans on the conversation: it opens with 那/还有/what about…, or it is one or two words
    the FAQ knows ("存储呢？"). Junk or an unrelated question never borrows the previous question."""
    ws = words(q)
    if not ws:
        return False
    return bool(_FOLLOWUP.search(q.strip())) or leans_on(q) or (len(ws) <= 2 and features.get("cov_any", 0.0) >= 0.5)


def stands_alone(q: str, features: dict) -> bool:
    """A question after earlier turns that leans on none of them (no pointer, no "那…呢" opening) and says enough to be
    a question of its own (six words or more, as ``words`` keeps them: "flannel 走 vxlan 的话 MTU 要设多少"): the scope
    memory, set on first messages, may refuse it as it refuses them. Chosen on a full eval: 15 dev follow-ups refused
    that had been answered from the question before, none answered before refused."""
    return not leans_on(q) and not is_followup(q, features) and len(words(q)) >= 6


def user_turns(history, limit: int = 10) -> list[str]:
    """The user's earlier questions from any common history shape: Gradio messages (role/content dicts),
    (user, bot) pairs, or plain strings. Anything unrecognised is ignored, never an error."""
    out: list[str] = []
    if not isinstance(history, (list, tuple)):
        return out
    for turn in history[-2 * limit:]:
        text = None
        if isinstance(turn, dict) and turn.get("role") == "user":
            text = _content_text(turn.get("content"))
        elif isinstance(turn, (list, tuple)) and turn:
            text = _content_text(turn[0])
        elif isinstance(turn, str):
            text = turn
        if text and clean(text):
            out.append(clean(text)[:2000])
    return out[-limit:]


def _content_text(content, depth: int = 0) -> str | None:
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return content.get("text") if isinstance(content.get("text"), str) else None
    if isinstance(content, (list, tuple)) and depth < 4:  # deeper nesting is junk (and would recurse ~1000 deep)
        parts = [_content_text(c, depth + 1) for c in content]
        return " ".join(p for p in parts if p) or None
    return None


def content_turn(turns: list[str], catalog, topic_of=None) -> str:
    """The turn a follow-up leans on: the last earlier one that names something the FAQ talks about
    ("容器里应用出问题怎么排查") or a question by number ("第七题说了什么": that question's title), not one that only
    asks who answered or moves on ("谁答了这题"); with ``topic_of`` (retrieval's question of a turn, None when not
    covered), one that retrieval finds a question for, past remarks in the FAQ's words ("istio我们评估过 太重了",
    "我们两个机房各一套k8s"); else the last such, else the last."""
    remark = None
    for turn in reversed(turns):
        numbered = [n for n, _ in ref_numbers(normalise(turn), max(catalog.numbers, default=0)) if n in catalog.topics]
        if numbered:
            return catalog.topics[numbered[0]].title
        if catalog.specific_words(turn):
            if topic_of is None or topic_of(turn) is not None:
                return turn
            remark = remark or turn
    return remark or turns[-1]


# ... and every word of it at least this near the FAQ's words (the feature ``unknown_near``): chatter that asks something
# else is not ("今天吃什么" 0.56, "明天下雨吗" 0.57, "几点下班" 0.60; "为什么这么说" 1.0, "有人用了之后想换掉吗" 0.82, "第一步具体先
# 定下来啥" 0.80). Chosen on those probes. Without the feature (no e5 model: lexical mode, the fake embedder) never.
BARE_MIN_NEAR = 0.7


def says_nothing(q: str, catalog, aliases: dict, features: dict) -> bool:
    """A question that names nothing: no word the FAQ talks about, none the glossary turns into one (``aliases``, as
    ``Retriever.expand`` gives them), and at most one word neither the FAQ nor chatter uses ("为什么这么说", "有人用了之后想
    换掉吗", "why is that?"). After earlier turns it can only be about the question before, whatever retrieval finds
    for its few words alone; not "跨区的防火墙一般要开哪些规则" (a subject of its own, in words the FAQ does not use), nor
    chatter about something else ("今天吃什么": ``BARE_MIN_NEAR``)."""
    from kbqa.conversation.intent import faq_words, strangers  # only when asked: the store imports this module for
    # user_turns alone, without the catalog

    return bool(re.search(r"\w", q)) and not aliases and features.get("unknown_near", 0.0) >= BARE_MIN_NEAR \
        and not faq_words(q, catalog) and len(strangers(q, catalog)) <= 1


FOLLOWUP_MIN_NEAR = 0.5  # a follow-up borrows the previous question only if its own words are this near the FAQ's



def borrows(question: str, features: dict, covered: bool, bare: bool) -> bool:
    """Does a question after earlier turns lean on the one before: it says nothing of its own (``bare``), it is a
    follow-up, or, not covered alone, it points back ("他说的那个办法…"); and it brings no subject of its own the FAQ
    does not know (``may_borrow``)?"""
    return (bare or is_followup(question, features) or not covered and bool(cues.POINTS_BACK.search(question))) \
        and may_borrow(features, question)


def may_borrow(features: dict, question: str = "") -> bool:
    """A follow-up the FAQ does not cover alone may lean on the previous question ("那存储那块呢") unless it
    brings its own subject the FAQ does not know ("那 Istio 的 sidecar 开销呢", "what about Arthas?"): an
    unknown technical term, or a least familiar word far from the FAQ's words (the decision's features), or it
    says it changes the subject (``moves.SWITCH``). A follow-up covered on its own ("存储呢" after a network question) is
    answered on its own unless the previous question talks about it (``talks_about``)."""
    if question and moves.SWITCH.search(normalise(question, phrases=False)) and not leans_on(question):
        return False
    return (features.get("unknown_latin", 0.0) == 0 and features.get("unknown_named", 0.0) == 0
            and features.get("unknown_near", 1.0) >= FOLLOWUP_MIN_NEAR)


# A follow-up ("那A机房服务挂了 B机房的调用方怎么自己找过去") that retrieval covers alone, unsure (0.37, question 4's
# 服务发现), but is this much surer of read with the question the conversation is on (0.99, question 10): that one
FOLLOWUP_SURER = 0.5


def surer(question: str, p: float, p2: float) -> bool:
    """Is a follow-up covered alone much surer read with the turn it leans on (``FOLLOWUP_SURER``)?"""
    return p2 - p >= FOLLOWUP_SURER and bool(_LEANS_BACK.search(question.strip()))


# ... said as leaning back ("那…", "what about…"), not as another question ("另外想问，…", "还有…")
_LEANS_BACK = re.compile(r"^(?:(?:ok|okay|cool|alright|right|got it|great|thanks|好的|好|嗯|行)[\s,，.。!！-]*)?(?:那|那么|那麼|and |what about |how about |then )", re.I)


_NEGATED_MODAL = re.compile(r"^不(?:会|能|要|用|是|行|必|该)$")  # "比较不会乱": how, not what it is about


def talks_about(catalog, r, question: str, alone=None, aliases=None) -> bool:
    """Every FAQ word of the question occurs in the answers of the retrieval's first FAQ question and, when
    the question alone finds another FAQ question (``alone``, its retrieval), its most specific word (the
    rarest in the FAQ) occurs there at least half as densely: "存储呢" after a network question is about
    storage (once in question 4's long answers, four times in question 7's short ones); "镜像仓库呢" after
    high availability is the registry's HA (仓库 once in each). ``aliases``: the glossary's FAQ words for the
    question's other words (``Retriever.expand``), so that "and storage specifically?" counts as 存储; a word
    with several is met by any one of them."""
    if not r.hits:
        return False
    topic = r.hits[0].unit.topic
    other = alone.hits[0].unit.topic if alone is not None and alone.hits else topic
    text = catalog.topic_text(topic)
    needs = [[[w]] for w in words(question) if w in catalog.vocab and not _NEGATED_MODAL.match(w)]
    needs += [[[w for w in alt if w in catalog.vocab] for alt in alts] for alts in (aliases or {}).values()]
    needs = [[alt for alt in need if alt] for need in needs]
    needs = [need for need in needs if need]
    if not needs:
        return False
    met = [next((alt for alt in need if all(w in text for w in alt)), None) for need in needs]
    if any(m is None for m in met):
        return False
    return catalog.as_dense(topic, other, [w for alt in met for w in alt])



speed_up(globals())  # the long patterns above, prefiltered (kbqa.text.prefilter)
