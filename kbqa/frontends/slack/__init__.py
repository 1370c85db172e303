"""The Slack front end: rendering, event handlers, start-up."""
