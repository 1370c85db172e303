"""A conversation's earlier turns, read from Slack: a thread's with ``conversations.replies`` (through
``ThreadCache``), a DM's last 30 minutes with ``conversations.history``.

Slack is the memory, not this process: history survives restarts and is the same whichever bot process
answers. The thread cache only saves transfer: every follow-up asks Slack for the messages newer than the
newest one cached (``oldest=``), and the whole thread is read again when the cache and Slack's reply count
disagree, so a process never answers from a context another process has moved past.

A question asked by a button is not a user's message: the bot's answer carries it in its message metadata
(``ASKED``), and ``turns`` reads it back from there as the user's turn.
"""
from __future__ import annotations

import logging
import time

from kbqa.frontends.slack import render
from kbqa.frontends.slack.memory import ThreadCache

log = logging.getLogger("kbqa.slack")

ASKED = "kbqa_asked"  # message metadata event type: the question a bot message answers, asked by a button
DM_HISTORY_WINDOW_S = 30 * 60  # a DM's earlier turns count as history for this long
REPLIES_PAGES = 5  # conversations.replies pages (200 messages each) read for one thread, at most


def is_bot_message(m: dict, bot_user_id=None) -> bool:
    """Bots are never answered, this one included: no loops between bots."""
    return bool(m.get("bot_id") or m.get("subtype") == "bot_message" or m.get("bot_profile")
                or (bot_user_id and m.get("user") == bot_user_id))


def api_error(e: Exception) -> str:
    """A Web API failure in a few words (Slack's error code), never the request with its token."""
    resp = getattr(e, "response", None)
    try:
        if resp is not None and resp.get("error"):
            return str(resp.get("error"))
    except Exception:  # noqa: BLE001
        pass
    return type(e).__name__


class History:
    def __init__(self, max_turns: int) -> None:
        self.max_turns = max_turns
        self.cache = ThreadCache()

    def turns(self, messages, current_ts: str | None, bot_user_id, bot_id) -> list[dict]:
        """The conversation before ``current_ts`` (None: all of it) as history turns."""
        turns = []
        for m in sorted(messages, key=lambda m: float(m.get("ts", 0))):
            if current_ts and float(m.get("ts", 0)) >= float(current_ts):
                continue
            if is_bot_message(m, bot_user_id):
                if m.get("user") == bot_user_id or (bot_id and m.get("bot_id") == bot_id):
                    meta = m.get("metadata") or {}
                    if meta.get("event_type") == ASKED:  # a question asked by a button
                        asked = (meta.get("event_payload") or {}).get("question", "")
                        turns.append({"role": "user", "content": str(asked)})
                    if m.get("text"):  # (an assistant thread's root carries none)
                        turns.append({"role": "assistant", "content": m["text"]})
                continue
            q = render.question_text(m.get("text") or "", bot_user_id)
            if q:
                turns.append({"role": "user", "content": q})
        return turns[-2 * self.max_turns:]

    def _replies(self, client, channel: str, thread_ts: str, oldest: str | None = None) -> list[dict] | None:
        messages, cursor = [], None
        try:
            for _ in range(REPLIES_PAGES):
                args = {"oldest": oldest} if oldest else {}
                if cursor:
                    args["cursor"] = cursor
                resp = client.conversations_replies(channel=channel, ts=thread_ts, limit=200,
                                                    include_all_metadata=True, **args)
                messages += resp.get("messages") or []
                cursor = (resp.get("response_metadata") or {}).get("next_cursor")
                if not resp.get("has_more") or not cursor:
                    break
        except Exception as e:  # noqa: BLE001
            log.warning("conversations.replies failed: %s", api_error(e))
            return None
        return messages

    def thread(self, client, channel: str, thread_ts: str, current_ts: str | None, context) -> tuple[list[dict], bool]:
        """(history, the bot has posted in this thread): the cached thread plus what Slack says is newer, or
        the whole thread read again when there is no cache or it does not add up."""
        key, messages = (channel, thread_ts), None
        newest = self.cache.newest(key)
        if newest:
            got = self._replies(client, channel, thread_ts, oldest=newest)
            if got is None:  # Slack failed: no history rather than a cached one that may be stale
                return [], False
            messages = self.cache.merge(key, got, fresh=False)
        if messages is None:
            got = self._replies(client, channel, thread_ts)
            if got is None:
                return [], False
            messages = self.cache.merge(key, got, fresh=True)
        bot_user_id, bot_id = context.bot_user_id, context.bot_id
        mine = any((bot_user_id and m.get("user") == bot_user_id) or (bot_id and m.get("bot_id") == bot_id)
                   for m in messages)
        return self.turns(messages, current_ts, bot_user_id, bot_id), mine

    def dm(self, client, channel: str, current_ts: str | None, context) -> list[dict]:
        """The DM's turns of the last 30 minutes before ``current_ts`` (None: before now)."""
        try:
            now = float(current_ts) if current_ts else time.time()
            args = {"latest": current_ts, "inclusive": False} if current_ts else {}
            args["oldest"] = f"{now - DM_HISTORY_WINDOW_S:.6f}"
            resp = client.conversations_history(channel=channel, include_all_metadata=True,
                                                limit=2 * self.max_turns, **args)
            messages = resp.get("messages") or []
        except Exception as e:  # noqa: BLE001 - history is a nicety: answer without it
            log.warning("conversations.history failed: %s", api_error(e))
            return []
        return self.turns(messages, current_ts, context.bot_user_id, context.bot_id)
