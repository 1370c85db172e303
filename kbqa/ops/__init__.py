"""Running kbqa in production: metrics (Prometheus), log lines (text or JSON) and the per-request context that
ties a request id, the Slack ids and an answer together."""
