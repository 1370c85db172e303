"""The AI assistant panel, with slack-bolt's ``Assistant`` middleware.

* ``assistant_thread_started``: a greeting and suggested prompts taken from the FAQ's starter questions.
* A user's message in the thread (bolt routes every user message in a DM thread here, the panel's threads
  and plain DM threads alike): the thread is titled after its first question (``setTitle``), the status
  says the bot is looking (``setStatus``; Slack clears it when the answer is posted), and the answer goes in
  the thread with the thread's earlier questions as history.

The panel's channel context (``assistant_thread_context_changed``) is not used: answers come from the FAQ
alone. A no-op listener stands in for bolt's default, which would write the context into message metadata
with extra Web API calls; the event is not subscribed in the manifest.
"""
from __future__ import annotations

import logging

from kbqa.frontends.slack import render, views
from kbqa.frontends.slack.history import api_error
from kbqa.frontends.slack.stream import Where

log = logging.getLogger("kbqa.slack")

TITLE_MAX = 60


def build_assistant(bot):
    from slack_bolt import Assistant

    assistant = Assistant(logger=log)

    @assistant.thread_started
    def started(say, set_suggested_prompts) -> None:
        state = bot.engine.load()
        try:
            say(text=views.greeting(state.faq))
            set_suggested_prompts(prompts=views.assistant_prompts(state.examples), title="可以这样问：")
        except Exception as e:  # noqa: BLE001
            log.warning("starting an assistant thread failed: %s", api_error(e))

    @assistant.user_message
    def user_message(payload, client, context, set_status, set_title) -> None:
        on_user_message(bot, payload, client, context, set_status, set_title)

    @assistant.thread_context_changed
    def context_changed() -> None:
        pass  # see the module's docstring

    return assistant


def _quietly(call, *args, **kwargs) -> None:
    """setTitle/setStatus are niceties: a plain DM thread is not an assistant thread and Slack refuses them."""
    try:
        call(*args, **kwargs)
    except Exception as e:  # noqa: BLE001
        log.debug("assistant call refused: %s", api_error(e))


def on_user_message(bot, payload, client, context, set_status, set_title) -> None:
    channel, ts, thread_ts = payload.get("channel", ""), payload.get("ts", ""), payload.get("thread_ts")
    if not thread_ts or not bot.messages.claim((channel, ts)):
        return
    question = render.question_text(payload.get("text") or "", context.bot_user_id)
    if not question:
        return
    history, _ = bot.history.thread(client, channel, thread_ts, ts, context)
    if not any(t["role"] == "user" for t in history):
        _quietly(set_title, render.truncate(question, TITLE_MAX))
    _quietly(set_status, views.STATUS)
    posted = bot.reply(client, Where(channel, thread_ts, payload.get("user"), context.team_id), question, history)
    if posted is None:
        _quietly(set_status, "")  # nothing was posted to clear it
