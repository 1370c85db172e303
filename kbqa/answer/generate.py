"""LLM mode's answer: the model writes from the extractive answer's citations, the citation check decides
whether its text replaces the quotes, and every failure falls back to the extractive answer with a notice. One
request deadline is shared out: condensing a follow-up gets CONDENSE_SHARE of the time left, the answer the rest,
and FALLBACK_S stays in hand for rendering the extractive answer instead."""
from __future__ import annotations

import logging
import time
from dataclasses import replace

from kbqa.text.normalise import to_traditional
from kbqa.types import Answer, Generated

log = logging.getLogger("kbqa.engine")

# Shown above the extractive answer when LLM mode could not give a checked answer.
LLM_NOTICE_FAILED = "（生成式回答暂时不可用，以下为专家原文摘录）"
LLM_NOTICE_UNSUPPORTED = "（生成式回答未通过引用校验，以下为专家原文摘录）"
LLM_NOTICE_NOT_COVERED = "（生成式回答认为专家原文没有直接回答这个问题，以下为专家原文摘录）"
CONDENSE_SHARE = 0.35
FALLBACK_S = 0.5


def generate(llm, citation_mode: str, question: str, answer: Answer, traditional: bool, stream: bool, t0: float,
         deadline: float | None = None):
    """Yield the LLM's deltas (when streaming), then the checked Answer, or the extractive one with a
    notice when the LLM failed or nothing it wrote is supported by a valid citation."""
    from kbqa.answer.citations import check_citations, source_urls
    from kbqa.answer.llm import build_prompt

    t = time.perf_counter()
    messages = build_prompt(question, answer.citations, traditional)
    parts: list[str] = []
    try:
        if stream:
            for delta in llm.stream(messages, deadline=share(deadline, 1.0)):
                parts.append(delta)
                yield Generated(to_traditional(delta) if traditional else delta)
        else:
            parts.append(llm.complete(messages, deadline=share(deadline, 1.0)))
        checked, report = check_citations("".join(parts), len(answer.citations),
                                          citation_mode,
                                          source_urls(c.text for c in answer.citations))
        notice = "" if checked else (LLM_NOTICE_NOT_COVERED if report.not_covered else LLM_NOTICE_UNSUPPORTED)
        log.info("kbqa: LLM answer checked: %s", report.to_dict())
    except Exception as e:  # noqa: BLE001 - LLMError, or anything else: the user gets the extractive answer
        log.warning("kbqa: LLM answer failed (%s); using the extractive answer", brief(e))
        checked, notice = "", LLM_NOTICE_FAILED
    timings = dict(answer.timings, llm_ms=(time.perf_counter() - t) * 1e3,
                   total_ms=(time.perf_counter() - t0) * 1e3)
    if checked:  # the generated text replaces the quotes of the (one) section
        sections = (replace(answer.sections[0], lead="", body=checked),) + answer.sections[1:]
        generated = replace(answer, sections=sections, notice="")
    else:
        generated = replace(answer, notice=notice)
    yield replace(rendered(generated, traditional, converted=True), timings=timings)


def rendered(answer: Answer, traditional: bool, converted: bool = False) -> Answer:
    """The Answer with its markdown rendered, in the user's script (``converted``: its fields already are)."""
    from kbqa.answer.render import to_markdown
    from kbqa.answer.script import traditional as in_traditional

    text = to_markdown(answer)
    if not traditional:
        return replace(answer, answer=text)
    return replace(answer if converted else in_traditional(answer), answer=to_traditional(text))


def share(deadline: float | None, share: float) -> float | None:
    """A call's own deadline: ``share`` of the time left before the request's, keeping FALLBACK_S in hand
    for the extractive answer that replaces the LLM's when it is late."""
    if deadline is None:
        return None
    now = time.monotonic()
    return now + max(0.0, deadline - FALLBACK_S - now) * share


def brief(e: Exception) -> str:
    msg = str(e).strip().splitlines()
    return f"{type(e).__name__}: {msg[0]}" if msg else type(e).__name__


def condensed_retrieval(engine, llm, q: str, history, mode, deadline: float | None = None, state=None):
    """LLM mode's follow-ups: a follow-up (or a question not covered on its own) is rewritten by the LLM
    into a standalone question before retrieval; on a failure, the engine's own follow-up handling."""
    from kbqa.answer.llm import LLMError, condense
    from kbqa.conversation.history import is_followup, user_turns

    r, covered, p = engine.retrieve(q, None, mode, state)
    if covered and not is_followup(q, r.features):
        return r, covered, p, q
    try:
        standalone = condense(llm, user_turns(history, engine.settings.max_history_turns), q,
                              deadline=share(deadline, CONDENSE_SHARE))
    except LLMError as e:
        log.warning("kbqa: condensing a follow-up failed (%s); using the previous question", e)
        standalone = None
    if standalone:
        r2, covered2, p2 = engine.retrieve(standalone, None, mode, state)
        if covered2:
            return r2, covered2, p2, standalone
    return (*engine.retrieve(q, history, mode, state), q)
