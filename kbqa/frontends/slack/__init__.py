"""The Slack front end: render.py turns an Answer into Block Kit, handlers.py answers mentions, DMs, thread
follow-ups, the slash command and feedback clicks, app.py builds the slack-bolt app and serves it (HTTP
or Socket Mode)."""
