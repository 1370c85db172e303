"""LLM mode: an answer that grows in Slack while the LLM writes it, then becomes the checked answer.

Two ways to show the growing text:

* native streaming (``chat.startStream`` / ``appendStream`` / ``stopStream``), when the reply goes in a thread
  (Slack streams only thread replies) and the installed slack_sdk has the methods;
* otherwise, or when Slack refuses to start a stream, a placeholder message edited with ``chat.update``.

Either way the message ends as ``chat.update`` with the final answer and its blocks: the streamed words were
the LLM's raw text, and only the final answer has been citation-checked. While streaming, only whole
sentences are shown, with links and URLs taken out: a half-written link cannot be judged, and raw LLM text
must not put a live link under the bot's name (issue 19, point 4).

Pacing: an intermediate call goes at most every ``STREAM_UPDATE_S``; a 429 pushes the next one past its
Retry-After, and the words keep being collected meanwhile (nothing blocks the LLM). These calls use a sibling
client that does not wait on a 429; the final calls use the bot's client, which waits Retry-After and retries.
"""
from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass

from kbqa.errors import user_text
from kbqa.frontends.slack import render

log = logging.getLogger("kbqa.slack")

STREAM_UPDATE_S = 0.5  # intermediate calls at most this often (chat.update is rate-limited per channel)

_SENTENCE_END = re.compile(r"[。！？!?；;\n]|\.(?=\s)")
_MD_LINK = re.compile(r"!?\[([^\]\n]*)\]\([^)\n]*\)")
_URL = re.compile(r"(?:https?|ftp)://[!-~]+|mailto:[!-~]+|www\.[!-~]+", re.I)
_ANGLE_LINK = re.compile(r"<[^<>\s]*[:@][^<>]*>")


@dataclass(frozen=True)
class Where:
    """Where a reply goes, and for whom: ``thread_ts`` None = top level (a DM); ``user``/``team`` are the
    recipient of a native stream (Slack needs them in channels)."""

    channel: str
    thread_ts: str | None = None
    user: str | None = None
    team: str | None = None


def _clean(sentence: str) -> str:
    sentence = _MD_LINK.sub(lambda m: m.group(1), sentence)
    sentence = _ANGLE_LINK.sub("", sentence)
    return _URL.sub("", sentence)


def preview(text: str) -> str:
    """The complete sentences of ``text``, each without links or URLs. Each sentence is cleaned on its own,
    so the preview of a longer text always extends the preview of a shorter one (only new text is appended)."""
    out, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        out.append(_clean(text[start:m.end()]))
        start = m.end()
    return "".join(out)


def retry_after(e: Exception) -> float | None:
    """Seconds to wait when ``e`` is Slack's 429 (its Retry-After, else 1); None for any other failure."""
    resp = getattr(e, "response", None)
    if resp is None or getattr(resp, "status_code", None) != 429:
        return None
    for k, v in (getattr(resp, "headers", None) or {}).items():
        if k.lower() == "retry-after":
            v = v[0] if isinstance(v, (list, tuple)) else v
            try:
                return max(0.0, float(v))
            except ValueError:
                break
    return 1.0


class Pace:
    """When the next intermediate call may go."""

    def __init__(self, every_s: float) -> None:
        self.every_s, self.next_at = every_s, 0.0

    def due(self) -> bool:
        return time.monotonic() >= self.next_at

    def sent(self) -> None:
        self.next_at = max(self.next_at, time.monotonic() + self.every_s)

    def limited(self, seconds: float) -> None:
        self.next_at = max(self.next_at, time.monotonic() + seconds)


def no_wait_client(client):
    """A sibling of the bot's WebClient that raises a 429 instead of sleeping through it."""
    from slack_sdk import WebClient
    from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler

    return WebClient(token=client.token, base_url=client.base_url, timeout=client.timeout,
                     retry_handlers=[ConnectionErrorRetryHandler()])


class _Edits:
    """A placeholder posted at once, edited with chat.update as sentences complete."""

    def __init__(self, bot, client, quick, where: Where, pace: Pace) -> None:
        self.bot, self.client, self.quick, self.where, self.pace = bot, client, quick, where, pace
        self.ts = bot.post(client, where, text="…")
        self.shown = ""

    def grow(self, text: str) -> None:
        if not self.ts or text == self.shown or not self.pace.due():
            return
        try:
            self.quick.chat_update(channel=self.where.channel, ts=self.ts,
                                   text=render.truncate(render.to_mrkdwn(text) + " ▍", render.FALLBACK_TEXT_MAX))
            self.shown = text
            self.pace.sent()
        except Exception as e:  # noqa: BLE001
            self._failed("chat.update", e)

    def _failed(self, method: str, e: Exception) -> None:
        wait = retry_after(e)
        if wait is not None:
            log.info("%s rate-limited: next edit after %.1f s", method, wait)
            self.pace.limited(wait)
        else:
            log.warning("%s in %s failed: %s", method, self.where.channel, self.bot.api_error(e))

    def finish(self, text: str, **extra) -> str | None:
        if not self.ts:  # the placeholder could not be posted: try the answer itself
            return self.bot.post(self.client, self.where, text=text, **extra)
        self.bot.update(self.client, self.where.channel, self.ts, text=text, **extra)
        return self.ts


class _Native:
    """chat.startStream on the first sentence, chat.appendStream for the next ones, chat.stopStream at the end,
    then chat.update with the final answer. Falls back to _Edits when Slack refuses to start a stream."""

    def __init__(self, bot, client, quick, where: Where, pace: Pace) -> None:
        self.bot, self.client, self.quick, self.where, self.pace = bot, client, quick, where, pace
        self.ts: str | None = None
        self.sent = ""
        self.fallback: _Edits | None = None

    def _recipient(self) -> dict:
        who = {"recipient_user_id": self.where.user, "recipient_team_id": self.where.team}
        return {k: v for k, v in who.items() if v}

    def grow(self, text: str) -> None:
        if self.fallback is not None:
            return self.fallback.grow(text)
        new = text[len(self.sent):]
        if not new or not self.pace.due():
            return
        method = "chat.appendStream" if self.ts else "chat.startStream"
        try:
            if self.ts is None:
                resp = self.quick.chat_startStream(channel=self.where.channel, thread_ts=self.where.thread_ts,
                                                   markdown_text=new, **self._recipient())
                self.ts = str(resp["ts"])
            else:
                self.quick.chat_appendStream(channel=self.where.channel, ts=self.ts, markdown_text=new)
            self.sent = text
            self.pace.sent()
        except Exception as e:  # noqa: BLE001
            wait = retry_after(e)
            if wait is not None:
                log.info("%s rate-limited: next call after %.1f s", method, wait)
                self.pace.limited(wait)
            elif self.ts is None:  # no streaming here (old workspace, not allowed): edit a message instead
                log.info("chat.startStream refused (%s): streaming by chat.update", self.bot.api_error(e))
                self.fallback = _Edits(self.bot, self.client, self.quick, self.where, self.pace)
                self.fallback.grow(text)
            else:
                log.warning("%s in %s failed: %s", method, self.where.channel, self.bot.api_error(e))

    def finish(self, text: str, **extra) -> str | None:
        if self.fallback is not None:
            return self.fallback.finish(text, **extra)
        if self.ts is None:  # nothing was streamed: post the answer
            return self.bot.post(self.client, self.where, text=text, **extra)
        try:
            self.client.chat_stopStream(channel=self.where.channel, ts=self.ts)
        except Exception as e:  # noqa: BLE001 - the update below still replaces the text
            log.warning("chat.stopStream in %s failed: %s", self.where.channel, self.bot.api_error(e))
        self.bot.update(self.client, self.where.channel, self.ts, text=text, **extra)
        return self.ts


def native_streaming(client, where: Where) -> bool:
    return bool(where.thread_ts) and all(hasattr(client, m) for m in
                                         ("chat_startStream", "chat_appendStream", "chat_stopStream"))


def write(bot, client, where: Where, question: str, history=None, *, show_question: bool = False,
          metadata: dict | None = None) -> str | None:
    """Answer ``question`` in LLM mode, growing in Slack as it is written; the final message's ts, or None."""
    quick, pace = no_wait_client(client), Pace(STREAM_UPDATE_S)
    cls = _Native if native_streaming(client, where) else _Edits
    out = cls(bot, client, quick, where, pace)
    ans, warning, text = None, None, ""
    try:
        for item in bot.engine.ask_stream(question, history=history or None):
            if isinstance(item, str):
                text += item
                out.grow(preview(text))
            else:
                ans = item
    except Exception as e:  # noqa: BLE001 - the user gets one line
        warning = user_text(e)
    if ans is None:
        return out.finish(warning or render.labels()["no_answer"])
    final_text, blocks = bot.render(ans, question, show_question=show_question)
    return out.finish(final_text, blocks=blocks, **({"metadata": metadata} if metadata else {}))
