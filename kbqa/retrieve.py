"""Hybrid retrieval: BM25 over jieba tokens and dense e5 vectors, fused by reciprocal rank.

Chunks (whole answers and their sentences) are scored by each channel; a unit takes its best chunk.
Channels are fused with RRF. An expert answer also inherits part of its question's score (the question
text often matches the user's wording best), so the ranked list holds expert answers, plus the question
unit itself for a question that has no expert answers (topic 2 of the first FAQ).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .index.store import IndexStore, dense_text
from .text import cjk_share, normalise, tokens, words
from .types import Hit, Unit


@dataclass(frozen=True)
class FusionParams:
    fusion: str = "minmax"  # "minmax": weighted sum of per-channel min-max scores; "rrf": reciprocal rank
    rrf_k: float = 10.0
    dense_weight: float = 2.0  # weight of the dense channel against BM25 (weight 1)
    unit_weight: float = 0.2  # final = best unit score of the topic + unit_weight * own score
    lex_cov_power: float = 1.0  # BM25 weight = (share of question words found in the FAQ) ** this
    dense_k: int = 200  # chunks fetched from FAISS per query
    cross_weight: float = 0.75  # weight of the cross-lingual dense channel (USE), when it is on


@dataclass
class Retrieval:
    """Everything decide/compose need about one query; built by ``Retriever.search``."""

    query: str
    hits: list[Hit]
    features: dict[str, float]
    chunk_lex: np.ndarray
    chunk_dense: dict[int, float] = field(default_factory=dict)


class Retriever:
    def __init__(self, units: tuple[Unit, ...], store: IndexStore, embedder, params: FusionParams | None = None,
                 cross=None):
        self.units = units
        self.store = store
        self.embedder = embedder
        self.cross = cross if store.cross is not None else None  # the cross-lingual embedder (hybrid mode)
        self.params = params or FusionParams()
        # One pass over the units: everything search() needs as arrays, so a query costs O(units) numpy work
        # and no Python loop over topics or units.
        n = len(units)
        topic_ids = sorted({u.topic for u in units})
        index_of_topic = {t: i for i, t in enumerate(topic_ids)}
        has_answers = {u.topic for u in units if u.kind == "answer"}
        self._topic_idx = np.array([index_of_topic[u.topic] for u in units], dtype=np.int64)
        self._n_topics = len(topic_ids)
        # ranked list = expert answers + question units of topics without answers
        self._rankable = np.array([u.kind == "answer" or u.topic not in has_answers for u in units], dtype=bool)
        self._topic_vocab: dict[int, set[str]] = {}
        for u in units:
            self._topic_vocab.setdefault(u.topic, set()).update(words(u.topic_title + "\n" + u.text))
        self._vocab: set[str] = set().union(*self._topic_vocab.values()) if units else set()
        self._known = _with_substrings(self._vocab)
        self._position = {u.id: i for i, u in enumerate(units)}
        self._chunks_of: dict[int, list[int]] = {}
        for ci, c in enumerate(store.chunks):
            self._chunks_of.setdefault(c.unit, []).append(ci)

    def coverage(self, q_words: list[str]) -> float:
        """Share of the question's distinct words that the FAQ knows (as a word or inside a longer word)."""
        return _coverage(set(q_words), self._vocab, self._known)

    def position(self, unit: Unit) -> int:
        """Where a unit sits in ``units`` (its chunks and scores are keyed by this)."""
        return self._position[unit.id]

    def chunks_of(self, unit_index: int) -> list[int]:
        return self._chunks_of.get(unit_index, [])

    def search(self, query: str, mode: str = "hybrid", top_k: int = 8) -> Retrieval:
        n = len(self.units)
        q_tokens = tokens(query)
        q_words = words(query)
        channels: list[tuple[np.ndarray, float]] = []
        chunk_lex = np.zeros(len(self.store.chunks), dtype=np.float32)
        chunk_dense: dict[int, float] = {}
        lex_unit = np.zeros(n, dtype=np.float32)
        dense_unit = np.full(n, -1.0, dtype=np.float32)
        if mode in ("hybrid", "lexical"):
            chunk_lex = self.store.lexical_scores(q_tokens)
            np.maximum.at(lex_unit, self.store.chunk_unit, chunk_lex)
            # BM25 is trusted as far as the question's words are known to the FAQ at all: an English
            # question that shares one Latin word with it should not be steered by that word.
            channels.append((lex_unit, self.coverage(q_words) ** self.params.lex_cov_power))
        if mode in ("hybrid", "dense") and normalise(query).strip():
            qvec = self.embedder.embed_queries([dense_text(query)])[0]
            ids, scores = self.store.dense_search(qvec, self.params.dense_k)
            chunk_dense = dict(zip(ids.tolist(), scores.tolist()))
            np.maximum.at(dense_unit, self.store.chunk_unit[ids], scores.astype(np.float32))
            channels.append((dense_unit, self.params.dense_weight))
        cross_scores = np.zeros(0)
        if mode == "hybrid" and self.cross is not None and normalise(query).strip():
            qvec = self.cross.embed_queries([dense_text(query)])[0]
            ids, cross_scores = self.store.dense_search(qvec, self.params.dense_k, self.store.cross)
            cross_unit = np.full(n, -1.0, dtype=np.float32)
            # +1: USE cosines can be negative, and min-max treats scores <= 0 as unmatched
            np.maximum.at(cross_unit, self.store.chunk_unit[ids], cross_scores.astype(np.float32) + 1.0)
            channels.append((cross_unit, self.params.cross_weight))
        fused = np.zeros(n, dtype=np.float64)
        for scores, weight in channels:
            fused += weight * (_rrf(scores, self.params.rrf_k) if self.params.fusion == "rrf" else _minmax(scores))
        # A topic is as relevant as its best unit (question text or any expert answer); within the topic,
        # units are ordered by their own score.
        best_of_topic = np.full(self._n_topics, -np.inf)
        np.maximum.at(best_of_topic, self._topic_idx, fused)
        final = best_of_topic[self._topic_idx] + self.params.unit_weight * fused
        final[~self._rankable] = -np.inf
        order = _top(final, min(top_k, int(self._rankable.sum())))
        hits = [Hit(self.units[i], float(final[i]), r + 1) for r, i in enumerate(order)]
        top_topic = hits[0].unit.topic if hits else None
        qset = set(q_words)
        features = {
            "n_words": float(len(qset)),
            "inv_words": 1.0 / len(qset) if qset else 0.0,  # a one-term question that the FAQ knows is usually in scope
            "cov_any": self.coverage(q_words),
            "cov_topic": _coverage(qset, self._topic_vocab.get(top_topic, set())),
            "lex_top": float(lex_unit.max()) if len(lex_unit) else 0.0,
            "lex_per_token": float(lex_unit.max() / max(len(q_tokens), 1)) if len(lex_unit) else 0.0,
            "dense_top": float(dense_unit.max()) if chunk_dense else 0.0,
            # how far the best chunk stands out from the rest (in standard deviations): off-topic questions
            # are about as similar to every chunk, in-scope ones peak, whatever their language
            "dense_z": _peak(np.fromiter(chunk_dense.values(), dtype=np.float64)) if chunk_dense else 0.0,
            "cjk_frac": cjk_share(query),
        }
        if len(cross_scores):
            features["cross_top"] = float(cross_scores.max())
            features["cross_z"] = _peak(cross_scores.astype(np.float64))
        return Retrieval(query, hits, features, chunk_lex, chunk_dense)

    def best_sentences(self, r: Retrieval, unit_index: int) -> list[tuple[int, float]]:
        """Chunks of a unit scored for quoting (lexical and dense, each scaled to the unit's best)."""
        ids = self.chunks_of(unit_index)
        if not ids:
            return []
        lex = np.array([r.chunk_lex[i] for i in ids], dtype=np.float64)
        den = np.array([r.chunk_dense.get(i, 0.0) for i in ids], dtype=np.float64)
        lex = lex / lex.max() if lex.max() > 0 else lex
        den = (den - den.min()) / (den.max() - den.min()) if den.max() > den.min() else den * 0
        scores = 0.5 * lex + den
        return sorted(zip(ids, scores.tolist()), key=lambda x: -x[1])


def _rrf(scores: np.ndarray, k: float) -> np.ndarray:
    """Reciprocal-rank scores; units that the channel did not match at all get nothing."""
    order = np.argsort(-scores, kind="stable")
    ranks = np.empty(len(scores), dtype=np.float64)
    ranks[order] = np.arange(1, len(scores) + 1)
    out = 1.0 / (k + ranks)
    out[scores <= 0] = 0.0
    return out


def _peak(scores: np.ndarray) -> float:
    if len(scores) < 3:
        return 0.0
    sd = float(scores.std())
    return float((scores.max() - scores.mean()) / sd) if sd > 1e-9 else 0.0


def _minmax(scores: np.ndarray) -> np.ndarray:
    """Scale a channel to [0, 1] over the units it matched; unmatched units get 0."""
    matched = scores > 0
    if not matched.any():
        return np.zeros(len(scores), dtype=np.float64)
    lo, hi = float(scores[matched].min()), float(scores[matched].max())
    out = np.zeros(len(scores), dtype=np.float64)
    out[matched] = (scores[matched] - lo) / (hi - lo) if hi > lo else 1.0
    return out


def _top(scores: np.ndarray, k: int) -> list[int]:
    """Indices of the k highest scores, best first (ties keep index order), without sorting everything."""
    if k <= 0:
        return []
    part = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
    return [int(i) for i in part[np.lexsort((part, -scores[part]))]]


def _with_substrings(vocab: set[str], longest: int = 12) -> set[str]:
    """Every substring (2..longest chars) of every word: lets coverage() test "inside a longer word" in O(1)."""
    out: set[str] = set()
    for w in vocab:
        w = w[:longest * 2]
        for i in range(len(w)):
            for j in range(i + 2, min(len(w), i + longest) + 1):
                out.add(w[i:j])
    return out


def _coverage(qwords: set[str], vocab: set[str], known: set[str] | None = None) -> float:
    """Share of qwords found in vocab, as a word or (2+ characters) inside a longer word. ``known`` is the
    precomputed substring set of a large vocabulary (``_with_substrings``); a small one is scanned."""
    def found(w: str) -> bool:
        if w in vocab:
            return True
        if len(w) < 2:
            return False
        return w in known if known is not None else any(w in v for v in vocab if len(v) > len(w))

    return sum(1 for w in qwords if found(w)) / len(qwords) if qwords else 0.0
