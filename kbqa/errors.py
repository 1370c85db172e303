"""The errors kbqa raises on purpose, and the one place where an error becomes text for a person.

Every front end (web page, JSON API, Slack, CLI) shows ``user_text(e)`` and logs ``one_line(e)``; none of
them works out on its own why something failed."""
from __future__ import annotations

import logging
import re
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


# An absolute POSIX path: "/" at the start or after a space, quote or bracket (not inside a URL), then
# path characters. Its last part is kept: "corpus not found: …/faq.json".
_ABS_PATH = re.compile(r"(?<![\w.:/~-])/(?:[^\s/:'\"()\[\]<>]+/)*([^\s/:'\"()\[\]<>]*)")


def public(text: str) -> str:
    """Text for people outside the server (HTTP clients, the chat, Slack): every absolute path cut to
    ``…/<last part>``, so error messages say what is wrong without mapping the server's disk. Logs keep
    the full text."""
    return _ABS_PATH.sub(lambda m: "…/" + m.group(1) if m.group(1) else "…/", text)


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
        return "⚠️ 知识库暂时不可用：" + public(one_line(e))
    log.error("answering failed: %s", type(e).__name__, exc_info=e)
    return "⚠️ 抱歉，出了点问题，请稍后再试。"


# ---- masking URLs (kbqa config, logs) ----------------------------------------------------------------
_URL_IN_TEXT = re.compile(r"\b([a-zA-Z][a-zA-Z0-9+.-]*://)([^\s/?#@]*@)?([^\s?#]*)(\?[^\s#]*)?(#\S*)?")


def mask_urls(text: str) -> str:
    """Every URL in text with its user-info (``user:password@``) and the values of its query replaced by
    ``***``: ``https://u:p@h/v1?api-key=k`` -> ``https://***@h/v1?api-key=***``. Text without URLs is
    returned as it is."""
    if "://" not in text:
        return text

    def one(m: re.Match) -> str:
        scheme, userinfo, rest, query, fragment = m.groups()
        out = scheme + ("***@" if userinfo else "") + rest
        if query:
            parts = [(p.split("=", 1)[0] + "=***" if "=" in p else "***") if p else p for p in query[1:].split("&")]
            out += "?" + "&".join(parts)
        return out + ("#***" if fragment else "")

    return _URL_IN_TEXT.sub(one, text)


class _MaskedRecord(logging.LogRecord):
    def getMessage(self) -> str:  # noqa: N802 - logging's name
        return mask_urls(super().getMessage())


def mask_urls_in_logs() -> None:
    """Every log record of the process (ours, uvicorn's, httpx's...) has the URLs in its message masked,
    whatever handler writes it. Entry points call this (it changes the process)."""
    logging.setLogRecordFactory(_MaskedRecord)
