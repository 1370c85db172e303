"""Conversation stage: the user's earlier turns, and what kind of question this one is."""
