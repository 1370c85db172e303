"""The Slack bot's small, bounded, thread-safe memories: ``Seen`` (what was already handled), ``Recent`` (answers
shown with feedback buttons) and ``ThreadCache`` (a thread's messages, for follow-up context).

None of them is the truth about a conversation: Slack is. ``ThreadCache`` in particular only saves transfer;
every use asks Slack for what came after it (see ``ThreadCache``), so several bot processes, each with its own
cache, never answer from a stale context.
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict

SEEN_TTL_S = 3600  # Slack retries for about an hour at most


class Seen:
    """A bounded set with a time-to-live: ``claim(key)`` is True the first time a key is seen."""

    def __init__(self, maxsize: int = 10_000, ttl_s: float = SEEN_TTL_S) -> None:
        self.maxsize, self.ttl_s = maxsize, ttl_s
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def _expire(self, now: float) -> None:
        while self._items:
            _key, t = next(iter(self._items.items()))
            if now - t <= self.ttl_s and len(self._items) <= self.maxsize:
                break
            self._items.popitem(last=False)

    def __contains__(self, key) -> bool:
        with self._lock:
            self._expire(time.monotonic())
            return key in self._items

    def claim(self, key) -> bool:
        with self._lock:
            now = time.monotonic()
            self._expire(now)
            if key in self._items:
                return False
            self._items[key] = now
            return True

    def discard(self, key) -> None:
        with self._lock:
            self._items.pop(key, None)


class Recent:
    """A bounded LRU mapping (answers shown with feedback buttons, keyed by answer id)."""

    def __init__(self, maxsize: int = 2000) -> None:
        self.maxsize = maxsize
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def put(self, key, value) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.maxsize:
                self._items.popitem(last=False)

    def get(self, key):
        with self._lock:
            return self._items.get(key)

    def discard(self, key) -> None:
        with self._lock:
            self._items.pop(key, None)


def _ts(m: dict) -> float:
    try:
        return float(m.get("ts") or 0)
    except ValueError:
        return 0.0


class ThreadCache:
    """(channel, thread_ts) -> the thread's messages as Slack returned them, oldest first.

    An entry is only ever used as a prefix: the caller asks Slack (``conversations.replies`` with ``oldest=``
    the newest cached ts) for everything after it and ``merge``s the answer in. A reply another bot process
    posted, or a message this process never heard of, is therefore always included; what the cache saves is
    re-reading the whole thread on every follow-up. ``merge`` also checks the parent's ``reply_count`` (Slack
    sends the parent with every page): when the merged replies don't add up to it (a message was deleted,
    or a page is missing) the entry is dropped and the caller reads the whole thread again."""

    def __init__(self, maxsize: int = 2000, ttl_s: float = 600.0) -> None:
        self._items = Recent(maxsize)
        self.ttl_s = ttl_s

    def newest(self, key) -> str | None:
        """The ts to ask Slack for messages after, or None: read the whole thread."""
        hit = self._items.get(key)
        if hit is None or time.monotonic() - hit[0] > self.ttl_s:
            return None
        return hit[1][-1]["ts"] if hit[1] else None

    def merge(self, key, messages: list[dict], *, fresh: bool) -> list[dict] | None:
        """The whole thread: ``messages`` (all of it when ``fresh``, else what came after ``newest``) merged
        with the cached prefix; None when an incremental result does not add up (the caller then reads the
        whole thread: ``fresh``)."""
        hit = None if fresh else self._items.get(key)
        if not fresh and hit is None:
            return None  # expired between newest() and now
        by_ts = {m["ts"]: m for m in (hit[1] if hit else [])}
        by_ts.update({m["ts"]: m for m in messages if m.get("ts")})
        merged = sorted(by_ts.values(), key=_ts)
        parent = next((m for m in merged if m["ts"] == key[1]), None)
        count = parent.get("reply_count") if parent else None
        if isinstance(count, int) and count != len(merged) - 1:
            self._items.discard(key)
            return merged if fresh else None  # a fresh read is the truth even if odd; it is just not kept
        self._items.put(key, (time.monotonic(), merged))
        return merged

    def discard(self, key) -> None:
        self._items.discard(key)
