"""Durable records: feedback (and the question log)."""
