"""Embedding models: the embedder protocol, its backends and registry, the offline e5 build."""
