"""What the Slack bot does with each kind of request: ``SlackBot`` holds its small memories and the listeners
that ``register`` attaches to a Bolt app.

* ``app_mention`` in a channel -> the answer in the thread of the mention.
* A direct message -> the answer in the DM (top level; in the thread when the DM was a thread reply).
* A reply in a thread the bot has answered in -> a follow-up; the thread's earlier turns are the history.
* ``/kbqa 问题`` -> acknowledged at once, the answer posted through ``response_url``; ``/kbqa`` alone -> help.
* 👍/👎 clicks -> a vote in the same feedback store as the web page (source="slack").
* LLM mode: a placeholder is posted at once and ``chat.update``-d as the answer grows, then replaced by the
  final, citation-checked answer with its blocks.

History comes from Slack itself (``conversations.replies`` for threads, ``conversations.history`` for the
last 30 minutes of a DM), not from process memory: it survives restarts and several bot processes.
Retried deliveries are answered once: event ids and the (channel, ts) of every answered message are
remembered for an hour. Nothing here renders text (render.py) or serves HTTP (app.py).
"""
from __future__ import annotations

import json
import logging
import re
import threading
import time
import uuid
from collections import OrderedDict

from kbqa.engine import AskEngine
from kbqa.errors import user_text
from kbqa.frontends.slack import render

log = logging.getLogger("kbqa.slack")

FEEDBACK_ACTION = re.compile(r"^kbqa_feedback_(up|down)$")
HELP_WORDS = ("help", "-h", "--help", "帮助", "?", "？")

DM_HISTORY_WINDOW_S = 30 * 60  # a DM's earlier turns count as history for this long
SEEN_TTL_S = 3600  # Slack retries for about an hour at most
STREAM_UPDATE_S = 0.5  # LLM mode: the growing answer is chat.update-d at most this often (Slack rate limits)


# ---- small thread-safe memories ---------------------------------------------------------------
class Seen:
    """A bounded set with a time-to-live: ``claim(key)`` is True the first time a key is seen."""

    def __init__(self, maxsize: int = 10_000, ttl_s: float = SEEN_TTL_S) -> None:
        self.maxsize, self.ttl_s = maxsize, ttl_s
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def _expire(self, now: float) -> None:
        while self._items:
            _key, t = next(iter(self._items.items()))
            if now - t <= self.ttl_s and len(self._items) <= self.maxsize:
                break
            self._items.popitem(last=False)

    def __contains__(self, key) -> bool:
        with self._lock:
            self._expire(time.monotonic())
            return key in self._items

    def claim(self, key) -> bool:
        with self._lock:
            now = time.monotonic()
            self._expire(now)
            if key in self._items:
                return False
            self._items[key] = now
            return True

    def discard(self, key) -> None:
        with self._lock:
            self._items.pop(key, None)


class Recent:
    """A bounded LRU mapping (answers shown with feedback buttons, keyed by answer id)."""

    def __init__(self, maxsize: int = 2000) -> None:
        self.maxsize = maxsize
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def put(self, key, value) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.maxsize:
                self._items.popitem(last=False)

    def get(self, key):
        with self._lock:
            return self._items.get(key)


# ---- the bot -----------------------------------------------------------------------------------
class SlackBot:
    """The state and the listeners behind one Bolt app."""

    def __init__(self, engine: AskEngine, store=None) -> None:
        self.engine = engine
        self._store = store
        self.events = Seen()  # event ids already handled (retries)
        self.messages = Seen()  # (channel, ts) already answered (app_mention + message for one post)
        self.answers = Recent()  # answer id -> {"question", "answer"} for feedback
        self.votes = Seen(maxsize=50_000, ttl_s=7 * 86400)  # (answer id, user, rating)
        self.threads = Seen(maxsize=50_000, ttl_s=7 * 86400)  # (channel, thread_ts) the bot answered in

    def register(self, app) -> None:
        """Attach the dedupe middleware and the listeners to a slack_bolt App."""
        app.middleware(self.dedupe)
        app.event("app_mention")(self.on_mention)
        app.event("message")(self.on_message)
        app.command(render.COMMAND)(self.on_command)
        app.action(FEEDBACK_ACTION)(self.on_feedback)

    @property
    def store(self):
        if self._store is None:
            from kbqa.store.feedback import default_store

            self._store = default_store(self.engine.settings)
        return self._store

    # -- answering --
    def ask(self, question: str, history=None):
        """(Answer, None), or (None, the one line a user sees) on a bad question or a failure."""
        try:
            return self.engine.ask(question, history=history or None), None
        except Exception as e:  # noqa: BLE001 - the user gets one line
            return None, user_text(e)

    def render(self, ans, question: str, show_question: bool = False) -> tuple[str, list[dict]]:
        answer_id = ans.id or uuid.uuid4().hex[:16]  # the question log's id when the engine records answers
        self.answers.put(answer_id, {"question": question, "answer": ans.to_dict()})
        log.info("answered: status=%s topic=%s citations=%d %.0f ms", ans.status, ans.topic,
                 len(ans.citations), ans.timings.get("total_ms", 0.0))
        return render.render_answer(ans, question, answer_id=answer_id, show_question=show_question)

    def _post(self, client, channel: str, thread_ts: str | None, **kwargs) -> str | None:
        """chat.postMessage (in the thread when thread_ts); the new message's ts, or None on a failure."""
        if thread_ts:
            kwargs["thread_ts"] = thread_ts
        try:
            return client.chat_postMessage(channel=channel, unfurl_links=False, unfurl_media=False, **kwargs)["ts"]
        except Exception as e:  # noqa: BLE001
            log.warning("chat.postMessage to %s failed: %s", channel, api_error(e))
            return None

    def reply(self, client, channel: str, thread_ts: str | None, question: str, history=None) -> None:
        if self.engine.answer_mode == "llm":
            return self.reply_streaming(client, channel, thread_ts, question, history)
        ans, warning = self.ask(question, history)
        if ans is None:
            posted = self._post(client, channel, thread_ts, text=warning)
        else:
            text, blocks = self.render(ans, question)
            posted = self._post(client, channel, thread_ts, text=text, blocks=blocks)
        if posted and thread_ts:
            self.threads.claim((channel, thread_ts))

    def reply_streaming(self, client, channel: str, thread_ts: str | None, question: str, history=None) -> None:
        """LLM mode: post a placeholder, chat.update it as the LLM writes (at most every STREAM_UPDATE_S),
        then replace it with the final, citation-checked answer and its blocks."""
        ts = self._post(client, channel, thread_ts, text="…")
        if not ts:
            return
        if thread_ts:
            self.threads.claim((channel, thread_ts))
        ans, warning, text, last = None, None, "", time.monotonic()
        try:
            for item in self.engine.ask_stream(question, history=history or None):
                if not isinstance(item, str):
                    ans = item
                    continue
                text += item
                if time.monotonic() - last >= STREAM_UPDATE_S:
                    self._update(client, channel, ts, text=render.streaming_text(text))
                    last = time.monotonic()
        except Exception as e:  # noqa: BLE001 - the user gets one line
            warning = user_text(e)
        if ans is None:
            self._update(client, channel, ts, text=warning or render.labels()["no_answer"])
        else:
            final_text, blocks = self.render(ans, question)
            self._update(client, channel, ts, text=final_text, blocks=blocks)

    def _update(self, client, channel: str, ts: str, **kwargs) -> None:
        try:
            client.chat_update(channel=channel, ts=ts, **kwargs)
        except Exception as e:  # noqa: BLE001
            log.warning("chat.update in %s failed: %s", channel, api_error(e))

    def reply_help(self, client, channel: str, thread_ts: str | None) -> None:
        faq = self.engine.faq()
        self._post(client, channel, thread_ts, text=render.usage_text(faq), blocks=render.usage_blocks(faq))

    # -- history --
    def _turns(self, messages, current_ts: str, bot_user_id, bot_id) -> list[dict]:
        turns = []
        for m in sorted(messages, key=lambda m: float(m.get("ts", 0))):
            if float(m.get("ts", 0)) >= float(current_ts):
                continue
            if is_bot_message(m, bot_user_id):
                if m.get("user") == bot_user_id or (bot_id and m.get("bot_id") == bot_id):
                    turns.append({"role": "assistant", "content": m.get("text") or ""})
                continue
            q = render.question_text(m.get("text") or "", bot_user_id)
            if q:
                turns.append({"role": "user", "content": q})
        return turns[-2 * int(self.engine.settings.max_history_turns):]

    def thread(self, client, channel: str, thread_ts: str, current_ts: str, context) -> tuple[list[dict], bool]:
        """(history, the bot has posted in this thread) from conversations.replies."""
        try:
            resp = client.conversations_replies(channel=channel, ts=thread_ts, limit=200)
            messages = resp.get("messages") or []
        except Exception as e:  # noqa: BLE001
            log.warning("conversations.replies failed: %s", api_error(e))
            return [], False
        bot_user_id, bot_id = context.bot_user_id, context.bot_id
        mine = any((bot_user_id and m.get("user") == bot_user_id) or (bot_id and m.get("bot_id") == bot_id)
                   for m in messages)
        return self._turns(messages, current_ts, bot_user_id, bot_id), mine

    def dm_history(self, client, channel: str, current_ts: str, context) -> list[dict]:
        try:
            resp = client.conversations_history(channel=channel, latest=current_ts, inclusive=False,
                                                oldest=f"{float(current_ts) - DM_HISTORY_WINDOW_S:.6f}",
                                                limit=2 * int(self.engine.settings.max_history_turns))
            messages = resp.get("messages") or []
        except Exception as e:  # noqa: BLE001 - history is a nicety: answer without it
            log.warning("conversations.history failed: %s", api_error(e))
            return []
        return self._turns(messages, current_ts, context.bot_user_id, context.bot_id)

    # -- listeners --
    def on_mention(self, event, context, client) -> None:
        channel, ts = event.get("channel", ""), event.get("ts", "")
        if is_bot_message(event, context.bot_user_id) or channel.startswith("D"):
            return  # DMs are handled by on_message
        if not self.messages.claim((channel, ts)):
            return
        question = render.question_text(event.get("text") or "", context.bot_user_id)
        thread_ts = event.get("thread_ts") or ts
        if not question:
            return self.reply_help(client, channel, thread_ts)
        history = []
        if event.get("thread_ts") and event["thread_ts"] != ts:
            history, _ = self.thread(client, channel, event["thread_ts"], ts, context)
        self.reply(client, channel, thread_ts, question, history)

    def on_message(self, event, context, client) -> None:
        if is_bot_message(event, context.bot_user_id):
            return
        if event.get("subtype") not in (None, "file_share", "thread_broadcast"):
            return  # edits, deletions, joins...
        channel, ts = event.get("channel", ""), event.get("ts", "")
        thread_ts = event.get("thread_ts")
        raw = event.get("text") or ""
        in_thread = bool(thread_ts and thread_ts != ts)
        if event.get("channel_type") == "im" or channel.startswith("D"):
            if not self.messages.claim((channel, ts)):
                return
            question = render.question_text(raw, context.bot_user_id)
            if not question:
                return
            if in_thread:
                history, _ = self.thread(client, channel, thread_ts, ts, context)
            else:
                history = self.dm_history(client, channel, ts, context)
            return self.reply(client, channel, thread_ts if in_thread else None, question, history)
        # A channel or group message: only replies in a thread the bot has answered in are for us.
        if not in_thread:
            return
        mentions = re.findall(r"<@([A-Z0-9]+)(?:\|[^>]*)?>", raw)
        if context.bot_user_id in mentions:
            return  # an app_mention event carries this one
        if mentions:
            return  # addressed to someone else in the thread
        if (channel, ts) in self.messages:
            return
        history, mine = self.thread(client, channel, thread_ts, ts, context)
        mine = mine or (channel, thread_ts) in self.threads  # e.g. conversations.replies failed
        if not mine or not self.messages.claim((channel, ts)):
            return
        question = render.question_text(raw, context.bot_user_id)
        if question:
            self.reply(client, channel, thread_ts, question, history)

    def on_command(self, ack, command, respond) -> None:
        question = render.question_text(command.get("text") or "")
        if not question or question.lower() in HELP_WORDS:
            if self.engine.loaded:  # the help is cheap: it can be the ack itself
                faq = self.engine.faq()
                return ack(text=render.usage_text(faq), blocks=render.usage_blocks(faq), response_type="ephemeral")
            ack()
            faq = self.engine.faq()
            return respond(text=render.usage_text(faq), blocks=render.usage_blocks(faq), response_type="ephemeral")
        searching = render.labels()["searching"] + render.escape(render.truncate(question, 200))
        ack(text=searching, response_type="ephemeral")
        ans, warning = self.ask(question)
        try:
            if ans is None:
                respond(text=warning, response_type="ephemeral", replace_original=False)
            else:
                text, blocks = self.render(ans, question, show_question=True)
                respond(text=text, blocks=blocks, response_type="in_channel", replace_original=False)
        except Exception as e:  # noqa: BLE001
            log.warning("response_url post failed: %s", api_error(e))

    def on_feedback(self, ack, body, action, respond) -> None:
        ack()
        rating = 1 if action.get("action_id", "").endswith("_up") else -1
        try:
            meta = json.loads(action.get("value") or "{}")
            if not isinstance(meta, dict):
                raise ValueError
        except ValueError:
            log.warning("feedback click with an unreadable value; ignored")
            return
        user = (body.get("user") or {}).get("id", "")
        words = render.labels()
        vote = (meta.get("id"), user, rating)
        if not self.votes.claim(vote):
            respond(text=words["again"], response_type="ephemeral", replace_original=False)
            return
        cached = self.answers.get(meta.get("id"))
        if cached:
            question, answer = cached["question"], cached["answer"]
        else:  # answered by an earlier process: what the button and the message still carry
            question = meta.get("q", "")
            answer = {"status": meta.get("s"), "topic": meta.get("t"),
                      "answer": (body.get("message") or {}).get("text", ""),
                      "citations": [{"topic": t, "expert": e} for t, e in meta.get("c", [])]}
        container = body.get("container") or {}
        channel = (body.get("channel") or {}).get("id") or container.get("channel_id")
        try:
            self.store.add_vote("slack", rating, question, answer, user=user,
                                team=(body.get("team") or {}).get("id"), channel=channel,
                                message_ts=container.get("message_ts"), answer_id=meta.get("id"))
        except Exception as e:  # noqa: BLE001
            log.warning("storing feedback failed: %s", type(e).__name__)
            self.votes.discard(vote)
            respond(text=words["feedback_failed"], response_type="ephemeral", replace_original=False)
            return
        log.info("feedback stored: rating=%+d", rating)
        respond(text=words["thanks_up" if rating > 0 else "thanks_down"], response_type="ephemeral",
                replace_original=False)

    def dedupe(self, req, body, next):
        """Global middleware: one answer per event, whatever Slack's retries (X-Slack-Retry-Num) do."""
        from slack_bolt.response import BoltResponse

        event_id = body.get("event_id") if isinstance(body, dict) else None
        if event_id and not self.events.claim(event_id):
            retry = (req.headers.get("x-slack-retry-num") or ["?"])[0]
            log.info("skipped a repeated delivery of %s (retry %s)", event_id, retry)
            return BoltResponse(status=200, body="")
        return next()


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
