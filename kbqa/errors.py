"""The errors kbqa raises on purpose, and the one place where an error becomes text for a person.

Every front end (web page, JSON API, Slack, CLI) shows ``user_text(e)`` and logs ``one_line(e)``; none of
them works out on its own why something failed."""
from __future__ import annotations

import logging
from typing import Literal

log = logging.getLogger("kbqa.errors")

Reason = Literal["not_text", "empty", "too_long"]


class KbqaError(RuntimeError):
    """A failure a user or operator can act on (corpus missing, index unwritable…): one actionable line."""


class SettingsError(ValueError):
    """A configuration value is wrong; the message is one actionable line."""


class InvalidQuestion(ValueError):
    """The question cannot be asked. ``reason`` says why, so front ends can map it (HTTP 413 for
    ``too_long``, 422 otherwise) without re-checking; the message is one line, safe to show."""

    def __init__(self, reason: Reason, message: str, *, length: int = 0, limit: int = 0) -> None:
        super().__init__(message)
        self.reason, self.length, self.limit = reason, length, limit


def one_line(e: BaseException) -> str:
    """An exception as one line for logs and the CLI: our own errors as they are, anything else with its
    type and a pointer to KBQA_DEBUG."""
    text = str(e).strip()
    msg = text.splitlines()[0] if text else ""
    if isinstance(e, (KbqaError, InvalidQuestion, SettingsError)):
        return msg
    return f"{type(e).__name__}: {msg} (set KBQA_DEBUG=1 for details)"


def user_text(e: BaseException, example: str = "") -> str:
    """What a person asking a question sees when no answer could be given (plain text, one line). A question
    we refuse gets a polite line; a failure on our side gets a ⚠️ line. Web page, API clients and Slack show
    exactly this."""
    if isinstance(e, InvalidQuestion):
        if e.reason == "too_long":
            return (f"抱歉，这个问题太长了（{e.length} 个字符），请精简到 {e.limit} 个字符以内再问 "
                    f"(question is too long)。")
        why = "question must be text" if e.reason == "not_text" else "question is empty"
        return (f"请输入一个具体的问题，例如：{example}" if example else "请输入一个具体的问题") + f" ({why})。"
    if isinstance(e, KbqaError):
        return "⚠️ 知识库暂时不可用：" + one_line(e)
    log.error("answering failed: %s", type(e).__name__, exc_info=e)
    return "⚠️ 抱歉，出了点问题，请稍后再试。"
