"""Local servers that play external services (Slack Web API, an OpenAI-compatible LLM) over real HTTP."""
