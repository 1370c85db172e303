"""What the Slack bot adds for the question log and for several bot processes, kept out of the listeners:

* ``identify``: a global Bolt middleware that opens the request context (``kbqa.ops.context``) of each request
  with Slack's team, channel and user ids (hashed when recorded) and the event id as the request id;
* ``ContextExecutor``: the listener pool, which runs each listener in a copy of the context it was submitted
  from, so the recording wrapper inside a listener sees those ids;
* ``shared_memories``: the bot's "seen" sets (event ids, answered messages, votes, threads answered in) as claims
  in the database, shared by every bot process (kbqa.store.dedupe).
"""
from __future__ import annotations

import contextvars
from concurrent.futures import ThreadPoolExecutor

from kbqa.ops import context


class ContextExecutor(ThreadPoolExecutor):
    def submit(self, fn, /, *args, **kwargs):
        ctx = contextvars.copy_context()
        return super().submit(ctx.run, fn, *args, **kwargs)


def identify(context_, body, next):
    """Global middleware: the request context for this dispatch (the dispatch runs in a thread whose context is
    its own, so it is set, not reset)."""
    team = context_.get("team_id") if context_ else None
    event = body.get("event") if isinstance(body, dict) else None
    user = context_.get("user_id") if context_ else None
    channel = context_.get("channel_id") if context_ else None
    if isinstance(event, dict):
        user = user or event.get("user")
        channel = channel or event.get("channel")
    event_id = body.get("event_id") if isinstance(body, dict) else None
    context.begin(request_id=event_id if isinstance(event_id, str) else None, team=team, channel=channel, user=user)
    return next()


def bolt_identify(context, body, next):
    """``identify`` with Bolt's argument names (Bolt passes arguments by name)."""
    return identify(context, body, next)


def shared_memories(bot, claims) -> None:
    """Put claims shared through the database in front of the bot's in-process memories (same time-to-live; the
    memory is what answers while the database is away)."""
    bot.events = claims.seen("event", bot.events)
    bot.messages = claims.seen("message", bot.messages)
    bot.votes = claims.seen("vote", bot.votes)
    bot.threads = claims.seen("thread", bot.threads)
