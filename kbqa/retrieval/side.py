"""The process's side threads.

* ``side_pool``: where a question's cross-lingual model call runs while the lexical and e5 channels score it
  (both models release the GIL, so the question waits for the slower one, not for both).
* ``part_pool``: where the parts of a two-part question are retrieved side by side. (Retrieving the whole question
  beside them too, in case the parts do not name two FAQ questions, was measured and dropped: on 2 cores it
  saved nothing for those and cost the real two-part questions 17 -> 28 ms. Instead the whole question gets a
  vector blended from its parts', ``Retriever.blend``, and the parts' and whole's cross-lingual vectors come from
  one call, ``Retriever.prefetch``.) A retrieval submits to
  ``side_pool``, so the two pools must stay apart: a task never waits on the pool it runs in.
* ``one_blas_thread``: numpy's BLAS threads (one).
"""
from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor

_POOLS: dict[str, tuple[int, ThreadPoolExecutor]] = {}
_LOCK = threading.Lock()


def _pool(name: str, workers: int) -> ThreadPoolExecutor:
    """This process's pool ``name`` (made again after a fork: a forked worker inherits the pool object, not its
    threads)."""
    with _LOCK:
        pid_pool = _POOLS.get(name)
        if pid_pool is None or pid_pool[0] != os.getpid():
            pid_pool = _POOLS[name] = (os.getpid(), ThreadPoolExecutor(workers, thread_name_prefix=f"kbqa-{name}"))
        return pid_pool[1]


def side_pool() -> ThreadPoolExecutor:
    """Two threads: concurrent questions' calls are batched by the embedder anyway. Never submit work that
    itself waits on this pool."""
    return _pool("cross", 2)


def part_pool() -> ThreadPoolExecutor:
    """The second and third parts of a two-part question (``Responder.multi``; the first is retrieved in the asking
    thread meanwhile). Four threads: two questions' parts at once."""
    return _pool("parts", 4)


def one_blas_thread() -> None:
    """numpy's BLAS gets one thread for the whole process. Every product an ask makes is small (a question
    against ~1k FAQ words, the USE forward pass); a second BLAS thread spinning against the e5 runtime's,
    or another process's, made such a product 30x slower on a shared 2-core machine. Concurrent questions
    still use every core: they run in parallel threads."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # optional: without it numpy keeps its defaults
        return
    threadpool_limits(1, user_api="blas")
