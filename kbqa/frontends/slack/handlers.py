"""What the Slack bot does with each kind of request: ``SlackBot`` holds its small memories and the listeners
that ``register`` attaches to a Bolt app.

* ``app_mention`` in a channel -> the answer in the thread of the mention.
* A direct message -> the answer in the DM; a DM thread (and the assistant panel) -> assistant.py.
* A reply in a thread the bot has answered in -> a follow-up; the thread's earlier turns are the history.
* ``/kbqa 问题`` -> acknowledged at once, the answer posted through ``response_url``; ``/kbqa 7`` -> question 7;
  ``/kbqa experts`` -> the experts; ``/kbqa`` or ``/kbqa help`` -> the usage.
* A suggestion or "did you mean" button -> that question answered in the same thread.
* The App Home tab -> views.publish of the FAQ's questions (buttons: the answer in a DM) and experts.
* 👍/👎 clicks -> a vote in the same feedback store as the web page (source="slack").
* LLM mode: the answer grows while it is written (stream.py).

History comes from Slack itself (``conversations.replies`` for threads, ``conversations.history`` for the
last 30 minutes of a DM), read through ``ThreadCache`` (memory.py), which asks Slack for what is new every
time: several bot processes never answer from a stale context. A question asked by a button is not a user's
message, so the bot's answer carries it in its message metadata and history reads it back from there.
"""
from __future__ import annotations

import json
import logging
import re
import uuid

from kbqa.engine import AskEngine
from kbqa.errors import user_text
from kbqa.frontends.slack import render, stream, views
from kbqa.frontends.slack.history import ASKED, History, api_error, is_bot_message  # noqa: F401 - API
from kbqa.frontends.slack.memory import Recent, Seen
from kbqa.frontends.slack.render import FEEDBACK_ACTION, SUGGEST_ACTION
from kbqa.frontends.slack.stream import Where
from kbqa.frontends.slack.urls import allowed, parse_prefixes

log = logging.getLogger("kbqa.slack")

HELP_WORDS = ("help", "-h", "--help", "帮助", "幫助", "?", "？")
EXPERT_WORDS = ("experts", "expert", "专家", "專家", "专家列表", "專家列表", "who", "谁")
_NUMBER = re.compile(r"#?\s*(\d{1,3})")


def asked_metadata(question: str) -> dict:
    return {"event_type": ASKED, "event_payload": {"question": question[:2000]}}


class SlackBot:
    """The state and the listeners behind one Bolt app."""

    api_error = staticmethod(api_error)

    def __init__(self, engine: AskEngine, store=None) -> None:
        self.engine = engine
        self._store = store
        # What was handled: this process's memory. events/messages/votes/threads keep these names and their
        # claim / in / discard interface so that a store shared by several bot processes can replace them.
        self.events = Seen()  # event ids already handled (retries)
        self.messages = Seen()  # (channel, ts) already answered (app_mention + message for one post)
        self.answers = Recent()  # answer id -> {"question", "answer"} for feedback
        self.votes = Seen(maxsize=50_000, ttl_s=7 * 86400)  # (answer id, user, rating)
        self.threads = Seen(maxsize=50_000, ttl_s=7 * 86400)  # (channel, thread_ts) the bot answered in
        self.clicks = Seen(ttl_s=10)  # (where, question, user): a double click asks once
        self.history = History(int(engine.settings.max_history_turns))
        self.response_urls = parse_prefixes(engine.settings.slack_response_urls)
        self.subscriptions: list[tuple[str, str]] = []  # (kind, name) of every listener registered
        self._home: dict | None = None

    def register(self, app) -> None:
        """Attach the dedupe middleware, the assistant panel and the listeners to a slack_bolt App. Every
        listener is recorded in ``subscriptions`` (the manifest test reads it)."""
        from kbqa.frontends.slack.assistant import build_assistant

        app.middleware(self.dedupe)  # first: a retried event never reaches the assistant or a listener
        app.assistant(build_assistant(self))
        self.subscriptions += [("event", "assistant_thread_started"), ("event", "message.im")]
        for kind, name, listener in (("event", "app_mention", self.on_mention), ("event", "message", self.on_message),
                                     ("event", "app_home_opened", self.on_home_opened),
                                     ("command", render.COMMAND, self.on_command),
                                     ("action", FEEDBACK_ACTION.pattern, self.on_feedback),
                                     ("action", SUGGEST_ACTION.pattern, self.on_suggestion),
                                     ("action", views.HOME_ASK_ACTION.pattern, self.on_home_ask)):
            register = {"event": app.event, "command": app.command, "action": app.action}[kind]
            register(re.compile(name) if kind == "action" else name)(listener)
            self.subscriptions.append((kind, name))

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
        log.info("answered: kind=%s status=%s topic=%s citations=%d %.0f ms", ans.kind, ans.status, ans.topic,
                 len(ans.citations), ans.timings.get("total_ms", 0.0))
        return render.render_answer(ans, question, answer_id=answer_id, show_question=show_question)

    def post(self, client, where: Where, **kwargs) -> str | None:
        """chat.postMessage (in the thread when there is one); the new message's ts, or None on a failure."""
        if where.thread_ts:
            kwargs["thread_ts"] = where.thread_ts
        try:
            ts = client.chat_postMessage(channel=where.channel, unfurl_links=False, unfurl_media=False, **kwargs)["ts"]
        except Exception as e:  # noqa: BLE001
            log.warning("chat.postMessage to %s failed: %s", where.channel, api_error(e))
            return None
        if where.thread_ts:
            self.threads.claim((where.channel, where.thread_ts))
        return ts

    def update(self, client, channel: str, ts: str, **kwargs) -> None:
        try:
            client.chat_update(channel=channel, ts=ts, **kwargs)
        except Exception as e:  # noqa: BLE001
            log.warning("chat.update in %s failed: %s", channel, api_error(e))

    def reply(self, client, where: Where, question: str, history=None, *, asked: bool = False) -> str | None:
        """Answer ``question`` at ``where``; ``asked``: it came from a button (shown, and kept in metadata)."""
        extra = {"metadata": asked_metadata(question)} if asked else {}
        if self.engine.answer_mode == "llm":
            return stream.write(self, client, where, question, history, show_question=asked, **extra)
        ans, warning = self.ask(question, history)
        if ans is None:
            return self.post(client, where, text=warning)
        text, blocks = self.render(ans, question, show_question=asked)
        return self.post(client, where, text=text, blocks=blocks, **extra)

    def reply_help(self, client, where: Where) -> None:
        faq = self.engine.faq()
        self.post(client, where, text=views.usage_text(faq), blocks=views.usage_blocks(faq))

    def respond_ok(self, respond) -> bool:
        """Whether bolt's ``respond`` may post: only to Slack's response_url hosts (issue 19, point 6)."""
        if allowed(getattr(respond, "response_url", None), self.response_urls):
            return True
        log.warning("refused to post to a response_url outside KBQA_SLACK_RESPONSE_URLS")
        return False

    def safe(self, respond):
        """``respond``, or a no-op when its response_url is not allowed."""
        return respond if self.respond_ok(respond) else (lambda *a, **kw: None)

    # -- events --
    def on_mention(self, event, context, client) -> None:
        channel, ts = event.get("channel", ""), event.get("ts", "")
        if is_bot_message(event, context.bot_user_id) or channel.startswith("D"):
            return  # DMs are handled by on_message
        if not self.messages.claim((channel, ts)):
            return
        question = render.question_text(event.get("text") or "", context.bot_user_id)
        where = Where(channel, event.get("thread_ts") or ts, event.get("user"), context.team_id)
        if not question:
            return self.reply_help(client, where)
        history = []
        if event.get("thread_ts") and event["thread_ts"] != ts:
            history, _ = self.history.thread(client, channel, event["thread_ts"], ts, context)
        self.reply(client, where, question, history)

    def on_message(self, event, context, client) -> None:
        channel, subtype = event.get("channel", ""), event.get("subtype")
        if subtype in ("message_changed", "message_deleted"):  # this process's copy of the thread is stale
            changed = event.get("message") or event.get("previous_message") or {}
            if changed.get("thread_ts"):
                self.history.cache.discard((channel, changed["thread_ts"]))
            return
        if is_bot_message(event, context.bot_user_id) or subtype not in (None, "file_share", "thread_broadcast"):
            return  # bots, joins...
        ts, thread_ts, raw = event.get("ts", ""), event.get("thread_ts"), event.get("text") or ""
        in_thread = bool(thread_ts and thread_ts != ts)
        if event.get("channel_type") == "im" or channel.startswith("D"):
            # (a DM thread reply went to the assistant's user_message listener: bolt's Assistant takes them all)
            if in_thread or not self.messages.claim((channel, ts)):
                return
            question = render.question_text(raw, context.bot_user_id)
            if question:
                history = self.history.dm(client, channel, ts, context)
                self.reply(client, Where(channel, None, event.get("user"), context.team_id), question, history)
            return
        # A channel or group message: only replies in a thread the bot has answered in are for us.
        if not in_thread:
            return
        mentions = re.findall(r"<@([A-Z0-9]+)(?:\|[^>]*)?>", raw)
        if context.bot_user_id in mentions or mentions or (channel, ts) in self.messages:
            return  # an app_mention event carries it, or it is addressed to someone else
        history, mine = self.history.thread(client, channel, thread_ts, ts, context)
        mine = mine or (channel, thread_ts) in self.threads  # e.g. conversations.replies failed
        if not mine or not self.messages.claim((channel, ts)):
            return
        question = render.question_text(raw, context.bot_user_id)
        if question:
            self.reply(client, Where(channel, thread_ts, event.get("user"), context.team_id), question, history)

    def on_home_opened(self, event, client) -> None:
        if event.get("tab") != "home" or not event.get("user"):
            return
        if self._home is None:
            state = self.engine.load()
            self._home = views.home_view(state.faq, state.catalog)
        try:
            client.views_publish(user_id=event["user"], view=self._home)
        except Exception as e:  # noqa: BLE001
            log.warning("views.publish failed: %s", api_error(e))

    # -- the slash command --
    def on_command(self, ack, command, respond) -> None:
        text = render.question_text(command.get("text") or "")
        if not text or text.lower() in HELP_WORDS:
            return self._cheap(ack, respond, lambda: (views.usage_text(self.engine.faq()),
                                                      views.usage_blocks(self.engine.faq())))
        if text.lower() in EXPERT_WORDS:
            catalog = lambda: self.engine.load().catalog  # noqa: E731
            return self._cheap(ack, respond, lambda: (views.experts_text(catalog()), views.experts_blocks(catalog())))
        number = _NUMBER.fullmatch(text)
        question = views.ask_number(int(number.group(1))) if number else text
        fallback, blocks = views.searching(question)
        ack(text=fallback, blocks=blocks, response_type="ephemeral")
        if not self.respond_ok(respond):
            return
        ans, warning = self.ask(question)
        try:
            if ans is None:
                respond(text=warning, response_type="ephemeral", replace_original=False)
            else:
                text, blocks = self.render(ans, question, show_question=True)
                respond(text=text, blocks=blocks, response_type="in_channel", replace_original=False,
                        metadata=asked_metadata(question))
        except Exception as e:  # noqa: BLE001
            log.warning("response_url post failed: %s", api_error(e))

    def _cheap(self, ack, respond, build) -> None:
        """A reply built from the FAQ alone, visible only to the user: the ack itself once the FAQ is loaded,
        else acked at once and sent through response_url (loading can take longer than Slack's 3 s)."""
        if self.engine.loaded:
            text, blocks = build()
            return ack(text=text, blocks=blocks, response_type="ephemeral")
        ack()
        if self.respond_ok(respond):
            text, blocks = build()
            respond(text=text, blocks=blocks, response_type="ephemeral")

    # -- buttons --
    def on_suggestion(self, ack, body, action, client, context, respond) -> None:
        """A suggestion or "did you mean" button: its question, answered in the thread of the message that
        carries it (top level in a DM that has no thread); through response_url for an ephemeral message or
        where the bot cannot post."""
        ack()
        question = (action.get("value") or "").strip()
        container, message = body.get("container") or {}, body.get("message") or {}
        channel = container.get("channel_id") or (body.get("channel") or {}).get("id") or ""
        user = (body.get("user") or {}).get("id")
        if not question or not channel or not self.clicks.claim((channel, container.get("message_ts"), question, user)):
            return
        posted = None
        if not container.get("is_ephemeral") and message.get("ts"):
            thread_ts = message.get("thread_ts") or (None if channel.startswith("D") else message["ts"])
            if thread_ts:
                history, _ = self.history.thread(client, channel, thread_ts, None, context)
            else:
                history = self.history.dm(client, channel, None, context)
            where = Where(channel, thread_ts, user, context.team_id)
            posted = self.reply(client, where, question, history, asked=True)
        if posted is None and self.respond_ok(respond):
            ans, warning = self.ask(question)
            text, blocks = (warning, None) if ans is None else self.render(ans, question, show_question=True)
            respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=False)

    def on_home_ask(self, ack, body, action, client, context) -> None:
        """A question button on the Home tab: the answer in the user's DM with the bot (posting to a user id
        opens it)."""
        ack()
        user = (body.get("user") or {}).get("id")
        question = (action.get("value") or "").strip()
        if user and question and self.clicks.claim(("home", question, user)):
            self.reply(client, Where(user, None, user, context.team_id), question, asked=True)

    def on_feedback(self, ack, body, action, respond) -> None:
        ack()
        respond = self.safe(respond)  # the vote is stored either way; the thank-you only to Slack
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
