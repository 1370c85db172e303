"""Micro-batching of concurrent single queries: a wrapper around any embedder."""
from __future__ import annotations

import threading
from collections import Counter

import numpy as np


class _Job:
    """One caller's query waiting in a BatchingEmbedder: filled with its vector or its error."""

    __slots__ = ("text", "vector", "error", "done")

    def __init__(self, text: str) -> None:
        self.text, self.vector, self.error, self.done = text, None, None, False

    def result(self) -> np.ndarray:
        if self.error is not None:
            raise self.error
        return self.vector[None, :].copy()


class BatchingEmbedder:
    """Embeds the single queries of concurrent callers in one model call (micro-batching).

    Why: on CPU, one e5 call for 8 short queries costs far less than 8 calls (per-call overhead, small
    matrix products), so a server under concurrent load answers more requests per second.

    How: no worker thread and no wait window. A caller that finds the model idle embeds its own query
    together with every query queued at that moment (up to ``max_batch``) and hands each waiting caller
    its vector; callers arriving meanwhile queue up and wait, and the first of them whose query is still
    pending leads the next batch. A lone request embeds its query at once, in its own thread, as without
    batching; there is no thread to start or shut down. Cache hits never queue. Texts, prefixes and the
    cache are the wrapped embedder's, so vectors equal unbatched ones up to float rounding (~1e-7)."""

    def __init__(self, inner, max_batch: int = 16) -> None:
        self.inner = inner
        self.max_batch = max(1, int(max_batch))
        self._cond = threading.Condition()  # guards _queue and _busy
        self._queue: list[_Job] = []
        self._busy = False  # a caller is running the model for a batch
        self.batch_sizes: Counter[int] = Counter()  # model calls by number of distinct queries (diagnostics)

    @property
    def name(self) -> str:
        return self.inner.name

    def identity(self) -> dict:
        return self.inner.identity()  # same model, same vectors: the same index

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self.inner.embed_passages(texts)

    def clear_cache(self) -> None:
        self.inner.clear_cache()

    def __getattr__(self, attr: str):  # backend extras (model_path, ensure_model, dim, ...) pass through
        if attr == "inner":  # not set yet (unpickling, a failed __init__): no infinite recursion
            raise AttributeError(attr)
        return getattr(self.inner, attr)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        """Query vectors, as the wrapped embedder gives them; a single query may share a model call."""
        if len(texts) != 1:
            return self.inner.embed_queries(texts)  # already one call for the lot
        cached = getattr(self.inner, "cached_query", None)
        hit = cached(texts[0]) if cached else None
        if hit is not None:
            return hit[None, :]
        job = _Job(texts[0])
        with self._cond:
            self._queue.append(job)
        while True:
            batch = self._wait_or_lead(job)
            if batch is None:
                return job.result()
            self._run(batch)

    def _wait_or_lead(self, job: _Job) -> list[_Job] | None:
        """Wait until ``job`` is done (returns None) or the model is idle; then take the queued jobs
        (``job`` among them unless the queue is longer than a batch) and return them for this thread to run."""
        with self._cond:
            while self._busy and not job.done:
                self._cond.wait()
            if job.done:
                return None
            self._busy = True
            batch = self._queue[:self.max_batch]
            del self._queue[:len(batch)]
            return batch

    def _run(self, batch: list[_Job]) -> None:
        """Embed a batch and fill its jobs; whatever happens, every job ends done and the model idle."""
        try:
            self._fill(batch)
        finally:
            for job in batch:
                if not job.done:  # e.g. KeyboardInterrupt in the leader: its followers must not wait forever
                    job.error, job.done = RuntimeError("query embedding was interrupted"), True
            with self._cond:
                self._busy = False
                self._cond.notify_all()

    def _fill(self, batch: list[_Job]) -> None:
        texts = list(dict.fromkeys(job.text for job in batch))
        self.batch_sizes[len(texts)] += 1
        try:
            vectors = dict(zip(texts, self.inner.embed_queries(texts)))
        except Exception as e:  # noqa: BLE001 - handed to the callers, in their own threads
            if len(texts) == 1:
                for job in batch:
                    job.error, job.done = e, True
            else:  # embed each query alone: only the caller whose query fails gets the error
                for text in texts:
                    self._fill([job for job in batch if job.text == text])
            return
        for job in batch:
            job.vector, job.done = vectors[job.text], True
