"""Caches of pure functions of a message's text. One ask reads the same few strings many times, so they are cached;
a benchmark clears them (``clear_text_caches``, called by ``Engine.clear_caches``) to time a question never seen."""
from __future__ import annotations

import functools

_CACHES: list = []


def text_cache(maxsize: int):
    """``functools.lru_cache(maxsize)``, registered for ``clear_text_caches``."""
    def wrap(fn):
        cached = functools.lru_cache(maxsize=maxsize)(fn)
        _CACHES.append(cached)
        return cached
    return wrap


def clear_text_caches() -> None:
    for cached in _CACHES:
        cached.cache_clear()
