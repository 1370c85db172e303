"""Front ends: they translate between a channel (CLI, web, Slack, llama-index) and Engine.ask()."""
