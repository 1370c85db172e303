"""The process's side threads: where a question's cross-lingual model call runs while the lexical and e5 channels
score it (both models release the GIL, so the question waits for the slower one, not for both)."""
from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor

_SIDE: tuple[int, ThreadPoolExecutor] | None = None
_LOCK = threading.Lock()


def side_pool() -> ThreadPoolExecutor:
    """This process's pool (made again after a fork: a forked worker inherits the pool object, not its threads).
    Two threads: concurrent questions' calls are batched by the embedder anyway. Never submit work that itself
    waits on this pool."""
    global _SIDE
    with _LOCK:
        if _SIDE is None or _SIDE[0] != os.getpid():
            _SIDE = (os.getpid(), ThreadPoolExecutor(max_workers=2, thread_name_prefix="kbqa-cross"))
        return _SIDE[1]
