"""The on-disk index of chunks (``kbqa.index.chunks``): a BM25 store (bm25s over jieba tokens), a FAISS store,
and a manifest.

Layout: ``<home>/indexes/<embedder>-<key>/`` where key hashes the corpus, the embedder identity and the
chunking version, so a different model or corpus never reuses an index. The manifest is written last and
records a sha256 of every file; loading checks it, and a mismatch raises ``IndexStateError`` (the engine
then rebuilds). Builds write into a temporary folder; the index's path is a symlink to a complete build,
replaced by one atomic rename (``_swap_into_place``), so an interrupted build leaves the previous index at the
path and a reader never finds none there.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kbqa.files import sha256_file
from kbqa.index.chunks import CHUNKING, Chunk, dense_text, make_chunks, vocabulary
from kbqa.retrieval.arrays import ScratchArray, sorted_unique
from kbqa.text.normalise import tokens
from kbqa.types import Unit

FORMAT = 2  # 2: the FAQ's vocabulary embedded by the cross-lingual model (vocab.json, vocab.npy)
HNSW_ABOVE = 20_000  # chunks; below this an exact flat index is both faster and exact
# HNSW search breadth, set on every load (not stored with the index, so it also reaches older indexes).
# On 371k clustered 384-d unit vectors (embeddings are clustered) recall@10 against exact search is 0.97
# at 32, 0.99 at 48, 1.00 at 128, in half the time of 128; uniformly random vectors (the bench's scale
# curve) have no neighbourhoods to find: recall@10 0.03 at 32, 0.10 at 128, in a third of the time.
HNSW_EF_SEARCH = 32
# BM25 postings read per query token, best-scoring first. Exact whenever no token is in more chunks (the
# real FAQ: a few hundred chunks); on a large KB it caps the cost of common words, whose postings grow with it.
POSTINGS_PER_TOKEN = 500


class IndexStateError(RuntimeError):
    """The index on disk is missing, stale or corrupt; the message is one line."""


def index_key(corpus_sha: str, identity: dict, cross_identity: dict | None = None) -> str:
    key = {"corpus": corpus_sha, "embedder": identity, "chunking": CHUNKING, "format": FORMAT}
    if cross_identity is not None:
        key["crosslingual"] = cross_identity
    blob = json.dumps(key, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:12]


class IndexStore:
    """A loaded index: chunk metadata, BM25 and FAISS, ready to score queries."""

    def __init__(self, path: Path, manifest: dict, chunks: list[Chunk], bm25, faiss_index, cross_index=None,
                 vocab: tuple[list[str], np.ndarray] | None = None) -> None:
        self.path = path
        # the FAQ's words and their cross-lingual vectors (None when the cross-lingual channel is off)
        self.vocab_words, self.vocab_vectors = vocab if vocab is not None else ([], None)
        self.manifest = manifest
        self.chunks = chunks
        self.chunk_unit = np.array([c.unit for c in chunks], dtype=np.int64)
        self.bm25 = bm25
        self.faiss = faiss_index
        self.cross = cross_index  # vectors of the cross-lingual channel (None when it is off)
        for index in (faiss_index, cross_index):
            if hasattr(index, "hnsw"):
                index.hnsw.efSearch = HNSW_EF_SEARCH
        self._postings = _impact_ordered(bm25.scores)
        self._lex_sums = ScratchArray(len(chunks), np.float32)

    # ---- building ---------------------------------------------------------------------------
    @classmethod
    def build(cls, root: Path, units: tuple[Unit, ...], corpus_sha: str, embedder, *, cross=None,
              progress: bool = False, vectors: np.ndarray | None = None) -> "IndexStore":
        """Build into a temp folder under root, then rename it into place. ``vectors`` skips embedding;
        ``cross`` is the optional cross-lingual embedder, indexed alongside."""
        import bm25s
        import faiss

        identity = embedder.identity()
        cross_identity = cross.identity() if cross is not None else None
        final = cls.path_for(root, corpus_sha, embedder, cross)
        final.parent.mkdir(parents=True, exist_ok=True)
        chunks = make_chunks(units)
        _remove_stale_builds(final.parent)
        tmp = Path(tempfile.mkdtemp(prefix=".build-", dir=final.parent))
        try:
            if vectors is None:
                vectors = embedder.embed_passages([dense_text(c.text) for c in chunks])
            index, kind = _vector_index(vectors)
            faiss.write_index(index, str(tmp / "dense.faiss"))
            cross_index, vocab = None, None
            if cross is not None:
                cross_index, _ = _vector_index(cross.embed_passages([dense_text(c.text) for c in chunks]))
                faiss.write_index(cross_index, str(tmp / "cross.faiss"))
                words = vocabulary(units)
                vocab = (words, np.asarray(cross.embed_passages(words), dtype=np.float32).reshape(len(words), -1))
                (tmp / "vocab.json").write_text(json.dumps(words, ensure_ascii=False), encoding="utf-8")
                np.save(tmp / "vocab.npy", vocab[1])
            bm25 = bm25s.BM25()
            bm25.index([tokens(c.text) or [""] for c in chunks], show_progress=False)
            bm25.save(str(tmp / "bm25"), show_progress=False)
            (tmp / "chunks.json").write_text(
                json.dumps([[c.unit, c.text] for c in chunks], ensure_ascii=False), encoding="utf-8")
            files = {p.relative_to(tmp).as_posix(): sha256_file(p) for p in sorted(tmp.rglob("*")) if p.is_file()}
            manifest = {
                "format": FORMAT, "chunking": CHUNKING, "corpus_sha256": corpus_sha, "embedder": identity,
                "crosslingual": cross_identity,
                "dim": int(vectors.shape[1]), "n_units": len(units), "n_chunks": len(chunks),
                "faiss_index": kind, "tokenizer": "jieba search + CJK bigrams", "files": files,
                "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            }
            (tmp / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
            _swap_into_place(tmp, final)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return cls(final, manifest, chunks, bm25, index, cross_index, vocab)

    # ---- loading ----------------------------------------------------------------------------
    @classmethod
    def path_for(cls, root: Path, corpus_sha: str, embedder, cross=None) -> Path:
        key = index_key(corpus_sha, embedder.identity(), cross.identity() if cross is not None else None)
        return Path(root) / f"{embedder.name}{'+' + cross.name if cross is not None else ''}-{key}"

    @classmethod
    def load(cls, path: Path, corpus_sha: str, identity: dict, cross_identity: dict | None = None) -> "IndexStore":
        """Load and verify; any problem raises IndexStateError with a one-line reason."""
        import faiss

        path = Path(path)
        src = path.resolve()  # one build folder throughout, even if a rebuild swaps the link meanwhile
        mpath = src / "manifest.json"
        if not mpath.exists():
            raise IndexStateError(f"no index at {path} (run `kbqa build`)")
        try:
            manifest = json.loads(mpath.read_text(encoding="utf-8"))
        except (ValueError, OSError) as e:
            raise IndexStateError(f"index manifest {mpath} is unreadable ({type(e).__name__})") from None
        if manifest.get("format") != FORMAT or manifest.get("chunking") != CHUNKING:
            raise IndexStateError(f"index at {path} was built by another kbqa version")
        if manifest.get("corpus_sha256") != corpus_sha:
            raise IndexStateError(f"index at {path} was built from another corpus")
        if manifest.get("embedder") != identity:
            raise IndexStateError(f"index at {path} was built with another model ({manifest.get('embedder')})")
        if manifest.get("crosslingual") != cross_identity:
            raise IndexStateError(f"index at {path} was built with another cross-lingual model "
                                  f"({manifest.get('crosslingual')})")
        for name, digest in (manifest.get("files") or {}).items():
            f = src / name
            if not f.is_file() or sha256_file(f) != digest:
                raise IndexStateError(f"index file {f} is missing or corrupt")
        try:
            chunks = [Chunk(int(u), str(t)) for u, t in json.loads((src / "chunks.json").read_text("utf-8"))]
            index = faiss.read_index(str(src / "dense.faiss"))
            bm25 = SavedBM25.load(src / "bm25")
            cross_index, vocab = None, None
            if cross_identity is not None:
                cross_index = faiss.read_index(str(src / "cross.faiss"))
                vocab = (json.loads((src / "vocab.json").read_text("utf-8")),
                         np.load(src / "vocab.npy", allow_pickle=False))
        except Exception as e:  # noqa: BLE001 - whatever the library raises, it is a corrupt index
            raise IndexStateError(f"index at {path} cannot be read ({type(e).__name__})") from None
        if index.ntotal != len(chunks) or index.d != manifest.get("dim") or (
                cross_index is not None and (cross_index.ntotal != len(chunks) or cross_index.d != cross_identity["dim"])):
            raise IndexStateError(f"index at {path} is inconsistent with its manifest")
        if vocab is not None and len(vocab[0]) != len(vocab[1]):
            raise IndexStateError(f"index at {path} is inconsistent with its manifest")
        return cls(path, manifest, chunks, bm25, index, cross_index, vocab)

    # ---- scoring ----------------------------------------------------------------------------
    def lexical_scores(self, query_tokens: list[str],
                       per_token: int = POSTINGS_PER_TOKEN) -> tuple[np.ndarray, np.ndarray]:
        """BM25 scores of the chunks that share a token with the query: (chunk ids ascending, float32 scores).

        Each query token (repeats count again, as in bm25s) adds its ``per_token`` best-scoring postings, so a
        query costs the same on any corpus size. When no token is in more chunks than that, the result is
        exactly bm25s's ``get_scores`` restricted to its non-zero entries: the same float32 additions in the
        same order."""
        data, indices, indptr = self._postings
        vocab = self.bm25.vocab_dict
        spans = [(indptr[t], min(indptr[t + 1], indptr[t] + per_token)) for t in
                 (vocab[w] for w in query_tokens if w in vocab)]
        if not spans:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        ids = np.concatenate([indices[a:b] for a, b in spans]).astype(np.int64)
        sums = self._lex_sums.array
        try:
            np.add.at(sums, ids, np.concatenate([data[a:b] for a, b in spans]))
            ids = sorted_unique(ids)
            scores = sums[ids]
        finally:
            sums[ids] = 0.0  # the next query starts from zeros
        return ids, scores

    def dense_search(self, qvec: np.ndarray, k: int, index=None) -> tuple[np.ndarray, np.ndarray]:
        """Top-k chunks (ids, inner products) of a query vector in the e5 index, or in ``index``."""
        index = self.faiss if index is None else index
        k = min(k, len(self.chunks))
        scores, ids = index.search(np.ascontiguousarray(qvec.reshape(1, -1), dtype=np.float32), k)
        keep = ids[0] >= 0
        return ids[0][keep], scores[0][keep]


@dataclass(frozen=True)
class SavedBM25:
    """What serving reads of a bm25s index as ``BM25.save`` wrote it (the vocabulary and the CSC score matrix,
    as ``BM25.load`` reads them), without importing bm25s: it imports scipy, 25 MB of a server's RSS."""

    vocab_dict: dict[str, int]
    scores: dict[str, np.ndarray]

    @classmethod
    def load(cls, folder: Path) -> "SavedBM25":
        params = json.loads((folder / "params.index.json").read_text("utf-8"))
        if params.get("method") != "lucene":  # BM25L/BM25+ also need their non-occurrence array
            raise ValueError(f"unsupported BM25 method {params.get('method')!r}")
        vocab = json.loads((folder / "vocab.index.json").read_text("utf-8"))
        if not isinstance(vocab, dict):
            raise ValueError("vocab.index.json is not a mapping")
        return cls(vocab, {k: np.load(folder / f"{k}.csc.index.npy", allow_pickle=False)
                           for k in ("data", "indices", "indptr")})


def _vector_index(vectors: np.ndarray):
    """(FAISS inner-product index holding the vectors, its kind): exact below HNSW_ABOVE, HNSW above."""
    import faiss

    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    if len(vectors) > HNSW_ABOVE:
        index = faiss.IndexHNSWFlat(vectors.shape[1], 32, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = 80  # efSearch is set on every load (IndexStore.__init__)
        kind = "HNSW32"
    else:
        index = faiss.IndexFlatIP(vectors.shape[1])
        kind = "Flat"
    index.add(vectors)
    return index, kind


def _impact_ordered(scores: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """bm25s's score matrix (CSC: token t's postings are data/indices[indptr[t]:indptr[t + 1]]) with each
    token's postings sorted by score, best first (ties by position), so a prefix is the token's best chunks."""
    data, indices, indptr = scores["data"], scores["indices"], scores["indptr"]
    token = np.repeat(np.arange(len(indptr) - 1), np.diff(indptr))
    order = np.lexsort((-data, token))
    return data[order], indices[order], indptr


def _remove_stale_builds(root: Path, older_than_s: float = 3600) -> None:
    """Temp folders of builds that were killed, and complete builds no link points to (a build killed between
    naming its folder and linking it): an hour old, far longer than any build takes."""
    live = {os.readlink(p) for p in root.iterdir() if p.is_symlink() and not p.name.startswith(".link-")}
    for p in [*root.glob(".build-*"), *root.glob(".link-*"),
              *(q for q in root.glob(f"{DATA_PREFIX}*") if q.name not in live)]:
        try:
            if time.time() - p.lstat().st_mtime > older_than_s:
                if p.is_symlink():
                    p.unlink()
                else:
                    shutil.rmtree(p, ignore_errors=True)
        except OSError:
            pass


DATA_PREFIX = ".data-"  # a complete build, named for good; the index's path is a symlink to one of these


def _swap_into_place(tmp: Path, final: Path) -> None:
    """Make the complete build in ``tmp`` the index at ``final``, with a complete index at ``final`` at every
    moment (a kill between any two steps leaves the old index or the new one, never none):

    1. the build folder gets its permanent name (``.data-<name>-<random>``), not linked yet;
    2. a new symlink to it is made beside ``final``;
    3. that symlink is renamed over ``final``: one atomic rename, the only step readers can see;
    4. the previous build folder, now unreferenced, is removed.

    A real folder at ``final`` (an index of an older kbqa) is exchanged for the link atomically
    (``renameat2(RENAME_EXCHANGE)``), falling back to two renames where the system lacks it."""
    data = final.with_name(f"{DATA_PREFIX}{final.name}-{tmp.name.rsplit('-', 1)[-1]}")
    os.rename(tmp, data)  # 1
    link = final.with_name(f".link-{final.name}-{os.getpid()}")
    if link.is_symlink():
        link.unlink()
    os.symlink(data.name, link)  # 2 (relative: the folder may be moved or copied whole)
    previous = None
    if final.is_symlink():
        previous = final.with_name(os.readlink(final))
        os.replace(link, final)  # 3
    elif final.exists():
        if not _exchange(link, final):
            os.replace(final, link.with_name(link.name + "-old"))
            os.replace(link, final)
            link = link.with_name(link.name + "-old")
        previous = link  # the old real folder, now beside the link
    else:
        os.replace(link, final)  # 3
    if previous is not None and previous != data:
        shutil.rmtree(previous, ignore_errors=True)  # 4


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux renameat2 RENAME_EXCHANGE); False where unavailable."""
    import ctypes

    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0
