"""Replies built from the FAQ's structure rather than from retrieval: the table of contents, a question by
number with all its experts, an expert's profile and answers, who answered a question, small talk.

Like compose.py, nothing here invents content: the frames are fixed sentences (in the reply's language;
the script is applied later), everything else is the FAQ's titles, names and the experts' own words.
"""
from __future__ import annotations

import re

from kbqa.answer.compose import EXPERT_BUDGET, NO_EXPERT_ANSWERS, QUOTE_BUDGET, WHOLE_IF_SHORTER
from kbqa.conversation.catalog import Catalog
from kbqa.types import Citation, Section, Unit

FRAMES = {
    "zh": {
        "overview": "《{title}》共 {n} 个问题、{m} 条专家回答。可以直接提问，也可以问“问题 3”或“{expert} 说了什么”。问题如下：",
        "overview_item": "{n}. {title}（{k} 位专家回答）",
        "overview_item_none": "{n}. {title}（本文未收录专家回答）",
        "missing": "本知识库共有 {n} 个问题（问题 {first} 到问题 {last}），没有问题 {asked}。",
        "greet": "你好！我是《{title}》的问答助手：回答都引用文中专家的原话，并注明是谁说的。可以这样问：",
        "sorry": "抱歉，这次的回答没让你满意。可以换个说法再问，或者按题号问，比如：",
        "thanks": "不客气！还想了解什么，可以继续问我，比如：",
        "bye": "再见！有问题随时来问。",
        "joke": "笑话我就不讲了😄 我是《{title}》的问答助手，只回答文中的问题，回答都引用专家的原话。可以这样问：",
        "who": "我是《{title}》的问答助手，能回答其中的 {n} 个问题；回答都引用文中专家的原话，并注明是谁说的。可以这样问：",
        "ack": "好的。还想了解什么，可以继续问我，比如：",
        "privacy": "你的提问会记在本服务的提问日志里（问题和前几轮提问、回答结果、时间；Slack 上的用户只记哈希，不记名字），供维护这份 FAQ 的同事查看哪些问题没答上、改进内容；{kept}"
                   "回答都来自文中专家的原话，并注明是谁说的。具体的保存和使用规则，请问部署本服务的团队。可以这样问：",
        "privacy_off": "本服务没有开启提问日志，你的提问不会被记录（点了“有用/没用”的评价除外）。回答都来自文中专家的原话，并注明是谁说的。"
                       "具体的使用规则，请问部署本服务的团队。可以这样问：",
        "kept_days": "日志保留 {days} 天后删除。",
        "kept_forever": "日志不会自动删除。",
        "language": "我用你提问的语言回答：用英文提问，说明文字就是英文；用繁体提问，就用繁体回答。专家的原话保持原文（中文）。可以这样问：",
        "question": "问题 {n}：{title}",
        "experts_of": "{k} 位专家回答了这个问题：",
        "no_experts": "本文没有收录这个问题的专家回答。",
        "profile_title": "{handle}（{org}）",
        "profile": "{handle}，{org}，在本知识库中回答了 {k} 个问题：",
        "who_answered": "回答这个问题的专家（{k} 位）：",
        "expert_item": "{handle}（{org}）",
        "experts": "《{title}》共有 {k} 位专家回答（按回答的问题列出）：",
        "experts_item": "{handle}（{org}）：{topics}",
        "topic_ref": "问题 {n}",
        "no_subject": "{handle} 的回答里没有谈到这个话题。{handle} 回答的问题是：",
        "ask_expert": "{handle} 对问题{n}怎么说？",
        "ask_views": "{handle} 说了什么？",
        "ask_question": "问题{n}：{title}",
        "partly": "你问的另一件事（“{other}”）在本知识库里没找到直接的回答，下面只回答找到的部分。",
        "partly_near": "你问的另一件事（“{other}”）在本知识库里没找到直接的回答（最接近的是问题 {n}），下面只回答找到的部分。",
    },
    "en": {
        "overview": "《{title}》 has {n} questions and {m} expert answers. Ask about any of them, or ask for "
                    "\"question 3\" or \"what did {expert} say\". The questions:",
        "overview_item": "{n}. {title} ({k} experts)",
        "overview_item_none": "{n}. {title} (no expert answers in the article)",
        "missing": "This FAQ has {n} questions (question {first} to question {last}); there is no question {asked}.",
        "greet": "Hello! I answer questions from 《{title}》, quoting the experts' own words and saying who said "
                 "what. You could ask:",
        "sorry": "Sorry about that. Try other words, or ask for a question by its number, for example:",
        "thanks": "You're welcome! Ask me anything else about it, for example:",
        "bye": "Goodbye! Come back with any question.",
        "joke": "I'll leave the jokes to you 😄 I answer the questions of 《{title}》, quoting the experts' own words. "
                "You could ask:",
        "who": "I'm the assistant for 《{title}》: I answer its {n} questions by quoting the experts, with who said "
               "what. You could ask:",
        "ack": "OK. Anything else? For example:",
        "privacy": "Your questions are recorded in this service's question log (the question with the turns before it, the result "
                   "and the time; a Slack user as a hash, never a name), so "
                   "that the people who keep this FAQ can see what went unanswered and improve it; {kept} The answers "
                   "quote the experts of the article and say who said what. For the rules on keeping and using them, "
                   "ask the team that runs this service. You could ask:",
        "privacy_off": "This service keeps no question log: your questions are not recorded (except a helpful / not "
                       "helpful rating you give). The answers quote the experts of the article and say who said what. "
                       "For the rules, ask the team that runs this service. You could ask:",
        "kept_days": "the log is deleted after {days} days.",
        "kept_forever": "the log is not deleted automatically.",
        "language": "I answer in the language you ask in: ask in English and my own words are English; ask in "
                    "Traditional Chinese and the reply is Traditional. The experts' words stay as they wrote them "
                    "(Chinese). You could ask:",
        "question": "Question {n}: {title}",
        "experts_of": "{k} experts answered this question:",
        "no_experts": "The article does not include expert answers to this question.",
        "profile_title": "{handle} ({org})",
        "profile": "{handle}, {org}, answered {k} questions in this FAQ:",
        "who_answered": "Experts who answered this question ({k}):",
        "expert_item": "{handle} ({org})",
        "experts": "《{title}》 has {k} experts; each, with the questions they answered:",
        "experts_item": "{handle} ({org}): {topics}",
        "topic_ref": "question {n}",
        "no_subject": "{handle} does not discuss this in the FAQ. {handle} answered:",
        "ask_expert": "What did {handle} say on question {n}?",
        "ask_views": "What did {handle} say?",
        "ask_question": "question {n}: {title}",
        "partly": "I found no direct answer in this FAQ to the other thing you asked (“{other}”); below is the part it "
                  "covers.",
        "partly_near": "I found no direct answer in this FAQ to the other thing you asked (“{other}”; the closest is "
                       "question {n}); below is the part it covers.",
    },
}


def frame(lang: str, key: str, **kw) -> str:
    return FRAMES.get(lang, FRAMES["zh"])[key].format(**kw)


def opening(unit: Unit, budget: int = QUOTE_BUDGET) -> str:
    """The start of an answer (or of a question's description) in the expert's words: whole when short,
    else its first sentences within the budget."""
    text = (unit.text if unit.kind == "answer" else unit.text.partition("\n")[2]).strip()
    if len(text) <= max(WHOLE_IF_SHORTER, budget if budget > QUOTE_BUDGET else 0):
        return text
    head = text[:budget]
    cut = max(head.rfind(c) for c in "。！？!?；;\n")
    return (head[:cut + 1] if cut >= budget // 3 else head).rstrip() + "…"


class Builder:
    """Builds the sections and citations of one structured reply, numbering citations as they are added."""

    def __init__(self, catalog: Catalog, lang: str) -> None:
        self.catalog, self.lang = catalog, lang
        self.sections: list[Section] = []
        self.citations: list[Citation] = []
        self.hits: list = []  # retrieval's ranking, when the reply used retrieval (an expert's subject)

    def cite(self, unit: Unit, quote: str, score: float = 0.0) -> int:
        n = len(self.citations) + 1
        self.citations.append(Citation(n=n, topic=unit.topic, topic_title=unit.topic_title, expert=unit.expert,
                                       expert_title=unit.expert_title if unit.expert else "问题描述", quote=quote,
                                       score=round(score, 4), text=unit.text))
        return n

    def f(self, key: str, **kw) -> str:
        return frame(self.lang, key, **kw)

    def title(self, n: int) -> str:
        return self.f("question", n=n, title=self.catalog.topics[n].title)

    def overview(self, missing: tuple[int, ...] = ()) -> None:
        c = self.catalog
        lead = self.f("overview", title=c.faq.title, n=len(c.numbers), m=c.n_answers,
                      expert=next(iter(c.experts), "…"))
        if missing:
            lead = self.f("missing", n=len(c.numbers), first=c.numbers[0], last=c.numbers[-1],
                          asked=missing[0]) + "\n\n" + lead
        items = tuple(self.f("overview_item", n=n, title=c.topics[n].title, k=len(c.answers[n])) if c.answers[n]
                      else self.f("overview_item_none", n=n, title=c.topics[n].title) for n in c.numbers)
        self.sections.append(Section(lead=lead, items=items))

    def question(self, n: int, units: list[Unit] | None = None, lead_key: str = "experts_of",
                 items: tuple[str, ...] = ()) -> None:
        """Question n with its experts (all of them unless ``units``), each quoted from the start."""
        c = self.catalog
        units = c.answers[n] if units is None else units
        t = c.topics[n]
        if not units:
            cited = (self.cite(c.question_unit[n], opening(c.question_unit[n])),) if n in c.question_unit else ()
            self.sections.append(Section(title=self.title(n), topic=n, lead=NO_EXPERT_ANSWERS, citations=cited))
            return
        lead = self.f(lead_key, k=len(units))
        if lead_key == "experts_of" and t.description:
            lead = t.description.strip() + "\n\n" + lead
        cited = tuple(self.cite(u, opening(u)) for u in units)
        self.sections.append(Section(title=self.title(n), topic=n, lead=lead, items=items, citations=cited))

    def profile(self, handle: str, topics: tuple[int, ...] | None = None) -> None:
        e = self.catalog.experts[handle]
        shown = e.topics if topics is None else topics
        self.sections.append(Section(
            title=self.f("profile_title", handle=handle, org=e.org_title),
            lead=self.f("profile", handle=handle, org=e.org_title, k=len(e.topics)),
            items=tuple(self.title(n) for n in shown)))

    def experts(self) -> None:
        """Every expert with their organisation and title and the questions they answered."""
        c = self.catalog
        sep = "、" if self.lang == "zh" else ", "
        items = tuple(self.f("experts_item", handle=h, org=e.org_title,
                             topics=sep.join(self.f("topic_ref", n=n) for n in e.topics))
                      for h, e in c.experts.items())
        self.sections.append(Section(lead=self.f("experts", title=c.faq.title, k=len(c.experts)), items=items))

    def expert_answers(self, handle: str, topics: tuple[int, ...], budget: int = EXPERT_BUDGET) -> None:
        for n in topics:
            units = [u for u in self.catalog.answers[n] if u.expert == handle]
            self.sections.append(Section(title=self.title(n), topic=n,
                                         citations=tuple(self.cite(u, opening(u, budget)) for u in units)))

    def who_answered(self, n: int) -> None:
        c = self.catalog
        units = c.answers[n]
        items = tuple(self.f("expert_item", handle=u.expert, org=u.expert_title) for u in units)
        if not units:
            self.sections.append(Section(title=self.title(n), topic=n, lead=self.f("no_experts")))
            return
        self.question(n, units, lead_key="who_answered", items=items)

    def smalltalk(self, aspect: str, starters: tuple[str, ...], days: int = 0) -> None:
        """A small-talk reply; ``privacy``/``privacy_off`` say what the question log keeps (``days``: its retention)."""
        c = self.catalog
        kept = "" if not aspect.startswith("privacy") else self.f("kept_days", days=days) if days else self.f("kept_forever")
        lead = self.f(aspect, title=c.faq.title, n=len(c.numbers), kept=kept)
        self.sections.append(Section(lead=lead, items=() if aspect == "bye" else starters))


def short_title(title: str, limit: int = 40) -> str:
    title = re.sub(r"\s+", " ", title).strip()
    return title if len(title) <= limit else title[:limit - 1] + "…"
