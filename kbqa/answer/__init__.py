"""Answer stage: the covered/not-covered decision, composing cited answers, the optional LLM."""
