"""Hybrid retrieval: BM25 over jieba tokens and dense e5 vectors, fused by a weighted sum of min-max scores.

Chunks (whole answers and their sentences) are scored by each channel; a unit takes its best chunk. Each
channel is min-max scaled over the units it matched and the channels are summed with weights (reciprocal
rank fusion is the alternative, ``FusionParams.fusion="rrf"``). A topic is as relevant as its best unit
(an expert answer also inherits part of its question's score: the question text often matches the user's
wording best), so the ranked list holds expert answers, plus the question unit itself for a question that
has no expert answers (topic 2 of the first FAQ).

A query costs the same on any knowledge-base size: only the candidates (units that some channel matched)
get a fused score, every other unit's is exactly 0, so the ranking needs nothing from them but their
topic's best score and their index order.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from kbqa.retrieval.glossary import Glossary, Homophones, alias_compounds, stem_latin
from kbqa.index.chunks import dense_text, unit_words
from kbqa.index.store import IndexStore
from kbqa.retrieval.arrays import (ScratchArray, best_of_units, find_sorted, minmax, peak, rrf, sorted_unique,
                                   top_pairs)
from kbqa.retrieval.coverage import LatinNeighbours, share_known, with_substrings
from kbqa.retrieval.side import side_pool
from kbqa.text.normalise import STOPWORDS, cjk_share, normalise, segments, tokens, words
from kbqa.types import Hit, Unit


_TERM = re.compile(r"[a-z][a-z0-9.+#-]{2,}")
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]{2,}")


@dataclass(frozen=True)
class FusionParams:
    fusion: str = "minmax"  # "minmax": weighted sum of per-channel min-max scores; "rrf": reciprocal rank
    rrf_k: float = 10.0
    dense_weight: float = 1.5  # weight of the dense channel against BM25 (weight 1)
    unit_weight: float = 0.15  # final = best unit score of the topic + unit_weight * own score (0.2 until the
    # fourteenth session: 0.15 moved two dev rows' second FAQ question into the top hits, e.g. failover to another
    # cluster, and changed no topical figure of any set; 0.12 and below cost expert_recall@5 on dev_near18)
    lex_cov_power: float = 0.5  # BM25 weight = (share of question words found in the FAQ) ** this
    dense_k: int = 200  # chunks fetched from FAISS per query
    cross_weight: float = 0.5  # weight of the cross-lingual dense channel (USE), when it is on

    def __post_init__(self) -> None:
        # Fused scores >= 0 with unmatched units at exactly 0 is what lets search() skip the unmatched ones.
        if self.dense_weight < 0 or self.unit_weight < 0 or self.cross_weight < 0:
            raise ValueError("fusion weights must be >= 0")


@dataclass(frozen=True)
class ChunkScores:
    """A channel's scores of the chunks it matched (ids ascending); every other chunk scores 0."""

    ids: np.ndarray
    scores: np.ndarray

    def take(self, chunk_ids) -> np.ndarray:
        """Scores of the given chunks, 0 for those not matched."""
        chunk_ids = np.asarray(chunk_ids, dtype=np.int64)
        out = np.zeros(len(chunk_ids), dtype=self.scores.dtype)
        found, pos = find_sorted(self.ids, chunk_ids)
        out[found] = self.scores[pos[found]]
        return out


NO_CHUNKS = ChunkScores(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32))


@dataclass
class Retrieval:
    """Everything decide/compose need about one query; built by ``Retriever.search``."""

    query: str
    hits: list[Hit]
    features: dict[str, float]
    chunk_lex: ChunkScores  # BM25 scores of the chunks sharing a word with the query
    chunk_dense: dict[int, float] = field(default_factory=dict)
    # each channel's (unit indexes ascending, best chunk score per unit, fusion weight), by name: what hit testing
    # shows (kept as the arrays search made; nothing is computed for it)
    channels: dict[str, tuple[np.ndarray, np.ndarray, float]] = field(default_factory=dict)


class Retriever:
    def __init__(self, units: tuple[Unit, ...], store: IndexStore, embedder, params: FusionParams | None = None,
                 cross=None, glossary: Glossary | None = None, scope=None):
        self.units = units
        self.scope = scope  # kbqa.answer.scope.ScopeModel (hybrid mode): adds the feature "scope"
        self.glossary = glossary or Glossary()
        self.store = store
        self.embedder = embedder
        self.cross = cross if store.cross is not None else None  # the cross-lingual embedder (hybrid mode)
        self.params = params or FusionParams()
        # One pass over the units: the arrays search() indexes by candidate, so that a query touches only
        # its candidates and the few units of its best topics.
        topic_ids = sorted({u.topic for u in units})
        index_of_topic = {t: i for i, t in enumerate(topic_ids)}
        has_answers = {u.topic for u in units if u.kind == "answer"}
        self._topic_idx = np.array([index_of_topic[u.topic] for u in units], dtype=np.int64)
        self._topic_best = ScratchArray(len(topic_ids), np.float64)  # all zeros between queries
        self._slot = ScratchArray(len(units), np.int64)  # a candidate's position, valid for this query only
        # ranked list = expert answers + question units of topics without answers (every topic has one)
        self._rankable = np.array([u.kind == "answer" or u.topic not in has_answers for u in units], dtype=bool)
        self._rankable_ids = np.flatnonzero(self._rankable)
        # topic t's rankable units, ascending: _by_topic[_topic_start[t]:_topic_start[t + 1]]
        self._by_topic = self._rankable_ids[np.argsort(self._topic_idx[self._rankable_ids], kind="stable")]
        self._topic_start = np.searchsorted(self._topic_idx[self._by_topic], np.arange(len(topic_ids) + 1))
        self._topic_vocab: dict[int, set[str]] = {}
        for u in units:
            self._topic_vocab.setdefault(u.topic, set()).update(words(unit_words(u)))
        self._vocab: set[str] = set().union(*self._topic_vocab.values()) if units else set()
        self._known = with_substrings(self._vocab)
        self._homophones = Homophones(self._vocab)
        # the FAQ's Latin words and those its glossary lists users typing for them ("java" in "java进程"; not "to" of
        # "pod-to-pod": "rto" is no typo of it)
        glossed = {w for term in self.glossary.entries for w in re.findall(r"[a-z][a-z0-9]+", term) if w not in STOPWORDS}
        self._latin = LatinNeighbours(self._vocab | glossed)
        self._handles = {w for u in units for w in words(u.expert)}
        self._position = {u.id: i for i, u in enumerate(units)}
        self._chunks_of: dict[int, list[int]] = {}
        for ci, c in enumerate(store.chunks):
            self._chunks_of.setdefault(c.unit, []).append(ci)

    def coverage(self, q_words: list[str], aliases: dict[str, list[list[str]]] | None = None) -> float:
        """Share of the question's distinct words that the FAQ knows (as a word or inside a longer word, or
        through a glossary alias whose words it all knows)."""
        return share_known(set(q_words), self._vocab, self._known, aliases)

    def expand(self, query: str) -> tuple[list[str], dict[str, list[list[str]]]]:
        """Query expansion: the extra BM25 tokens and, for each query word (stemmed) that is part of a
        glossary term, a hyphenated phrase or a pinyin typo, the FAQ words it stands for."""
        extra: list[str] = []
        aliases: dict[str, list[list[str]]] = {}  # stem -> the FAQ words of each alternative
        for m in self.glossary.matches(query):
            alts = [words(x) for x in m.expansions]
            for w in dict.fromkeys(words(m.term) + words(m.term.replace("-", " "))):  # "east-west", "east west"
                aliases.setdefault(stem_latin(w), []).extend(a for a in alts if a)
            for x in m.expansions:
                extra.extend(tokens(x))
        extra.extend(alias_compounds(words(query), aliases, self._vocab))
        for w in segments(query):  # pinyin-input typos: an unknown word that sounds like a FAQ word
            fixes = () if w in self._known or w in STOPWORDS else self._homophones.fixes(w)
            for x in fixes:
                extra.extend(tokens(x))
            if fixes:
                for part in words(w):
                    aliases.setdefault(stem_latin(part), []).extend([x] for x in fixes)
        return extra, aliases

    def warm(self) -> None:
        """What a first question would otherwise wait for that no question is sure to touch: the typo index."""
        self._homophones.warm()

    def position(self, unit: Unit) -> int:
        """Where a unit sits in ``units`` (its chunks and scores are keyed by this)."""
        return self._position[unit.id]

    def chunks_of(self, unit_index: int) -> list[int]:
        return self._chunks_of.get(unit_index, [])

    def aliases(self, text: str) -> list[list[list[str]]]:
        """The glossary's FAQ words for a text's words, each as its alternatives ("storage" -> [["存储"]]): routing's."""
        return list(self.expand(text)[1].values())

    def search(self, query: str, mode: str = "hybrid", top_k: int = 8, qvec: np.ndarray | None = None) -> Retrieval:
        """The top_k units for a query, with the features the not-covered decision reads and the chunk
        scores quoting reads. ``qvec``: the query's e5 vector when the caller already has it (a two-part
        question's, from its parts: ``blend``), instead of a model call."""
        q_tokens = tokens(query)
        q_words = words(query)
        extra, aliases = self.expand(query)
        if extra:
            seen = set(q_tokens)
            q_tokens = q_tokens + [t for t in dict.fromkeys(extra) if t not in seen]
        channels: list[tuple[np.ndarray, np.ndarray, float]] = []  # (units ascending, best chunk score, weight)
        named: dict[str, tuple[np.ndarray, np.ndarray, float]] = {}
        chunk_lex = NO_CHUNKS
        chunk_dense: dict[int, float] = {}
        lex_top = dense_top = np.float32(0.0)
        qset = set(q_words)
        unknown: list[str] = []
        cross_call = None
        if mode == "hybrid" and self.cross is not None and normalise(query).strip():
            unknown = self._unknown(qset, aliases)
            # one call of the cross-lingual model for the question and its unknown words (see _nearest_known),
            # run beside the lexical and e5 channels: both models release the GIL, a question waits for the
            # slower of the two instead of their sum (it uses no more CPU)
            cross_call = side_pool().submit(self.cross.embed_queries,
                                               [dense_text(query)] + self._unknown_texts(unknown))
        if mode in ("hybrid", "lexical"):
            chunk_lex = ChunkScores(*self.store.lexical_scores(q_tokens))
            units, scores = best_of_units(self.store.chunk_unit[chunk_lex.ids], chunk_lex.scores)
            # BM25 is trusted as far as the question's words are known to the FAQ at all: an English
            # question that shares one Latin word with it should not be steered by that word.
            channels.append((units, scores, self.coverage(q_words, aliases) ** self.params.lex_cov_power))
            named["lexical"] = channels[-1]
            lex_top = scores.max(initial=lex_top)
        if mode in ("hybrid", "dense") and normalise(query).strip():
            if qvec is None:
                qvec = self.embedder.embed_queries([dense_text(query)])[0]
            ids, scores = self.store.dense_search(qvec, self.params.dense_k)
            chunk_dense = dict(zip(ids.tolist(), scores.tolist()))
            units, scores = best_of_units(self.store.chunk_unit[ids], scores.astype(np.float32))
            channels.append((units, scores, self.params.dense_weight))
            named["dense"] = channels[-1]
            dense_top = scores.max() if len(scores) else dense_top
        cross_scores = np.zeros(0)
        if cross_call is not None:
            cvecs = cross_call.result()
            cvec, unknown_vecs = cvecs[0], cvecs[1:]
            ids, cross_scores = self.store.dense_search(cvec, self.params.dense_k, self.store.cross)
            # +1: USE cosines can be negative, and min-max treats scores <= 0 as unmatched
            units, scores = best_of_units(self.store.chunk_unit[ids], cross_scores.astype(np.float32) + 1.0)
            channels.append((units, scores, self.params.cross_weight))
            named["crosslingual"] = channels[-1]
        candidates, fused = self._fuse(channels)
        order, final = self._rank(candidates, fused, top_k)
        hits = [Hit(self.units[i], float(s), r + 1) for r, (i, s) in enumerate(zip(order.tolist(), final.tolist()))]
        top_topic = hits[0].unit.topic if hits else None
        features = {
            "n_words": float(len(qset)),
            "inv_words": 1.0 / len(qset) if qset else 0.0,  # a one-term question that the FAQ knows is usually in scope
            "cov_any": self.coverage(q_words, aliases),
            "cov_topic": share_known(qset, self._topic_vocab.get(top_topic, set()), aliases=aliases),
            "lex_top": float(lex_top),
            "lex_per_token": float(lex_top / max(len(q_tokens), 1)),
            "dense_top": float(dense_top),
            # how far the best chunk stands out from the rest (in standard deviations): off-topic questions
            # are about as similar to every chunk, in-scope ones peak, whatever their language
            "dense_z": peak(np.fromiter(chunk_dense.values(), dtype=np.float64)) if chunk_dense else 0.0,
            "cjk_frac": cjk_share(query),
        }
        if len(cross_scores):
            features["cross_top"] = float(cross_scores.max())
            features["cross_z"] = peak(cross_scores.astype(np.float64))
            features["unknown_near"] = self._nearest_known(unknown_vecs)
            # a Chinese question naming a technical term the FAQ never uses ("drain", "etcd") asks about
            # something else; English questions are mostly such words, so they count only with Chinese
            terms = [w for w in unknown if _TERM.fullmatch(w)] if features["cjk_frac"] >= 0.3 else []
            features["unknown_latin"] = float(len(terms))
            # of those, the ones that are no typo of a Latin word the FAQ uses ("flanel"): read by decide.clear_miss
            features["strange_latin"] = float(sum(1 for w in terms if not self._latin.near(w)))
            # an English question's names of things the FAQ never uses ("Cilium", "PodDisruptionBudget"): read by
            # history.may_borrow (its lowercase words are mostly unknown, so they cannot count as terms)
            features["unknown_named"] = float(len(self._named(query, q_words, unknown))) if features["cjk_frac"] < 0.3 else 0.0
            if self.scope is not None and qvec is not None:  # read by decide.outside_scope
                features["scope"] = self.scope.margin(qvec, cvec)
                if self.scope.memory is not None:  # the dev questions it is nearest (kbqa.answer.memory)
                    features["memory"] = self.scope.memory.margin(qvec)
        return Retrieval(query, hits, features, chunk_lex, chunk_dense, named)

    def prefetch(self, queries: list[str], mode: str) -> None:
        """Start the cross-lingual model on several queries and their unknown words in one call, in the
        background (most of a call's cost is reading the model's weights, so a batch of a few costs little more
        than one query): their searches then find every vector they need cached, or in flight."""
        if mode != "hybrid" or self.cross is None:
            return
        texts: list[str] = []
        for q in queries:
            if normalise(q).strip():
                texts.append(dense_text(q))
                texts += self._unknown_texts(self._unknown(set(words(q)), self.expand(q)[1]))
        if texts:
            side_pool().submit(self.cross.embed_queries, list(dict.fromkeys(texts)))

    def _named(self, query: str, q_words: list[str], unknown: list[str]) -> list[str]:
        """The words of ``unknown`` that ``query`` writes as a name: with a digit or a capital after its first
        letter ("IPv6", "MTU", "PodDisruptionBudget") or capitalised inside a sentence ("about Cilium"); never
        an expert's handle ("Steven99") or a typo of a Latin word the FAQ uses. None when the question also
        names a Latin word of the FAQ: it asks about that, in its own setting ("an IaaS setup on AWS")."""
        if any(w in self._vocab for w in q_words if _TERM.match(w)):  # q_words: words(query)
            return []
        out = []
        for m in _WORD.finditer(query):
            w, before = m.group(0), query[:m.start()].rstrip()
            inside = bool(before) and before[-1] not in ".?!:;-—\"'(（"
            if (any(c.isdigit() or c.isupper() for c in w[1:]) or (inside and w[0].isupper())) and \
                    w.lower() in unknown and w.lower() not in self._handles and not self._latin.near(w.lower()):
                out.append(w)
        return out

    def _unknown(self, qwords: set[str], aliases) -> list[str]:  # the words the FAQ (and glossary) never uses
        return [w for w in qwords if not share_known({w}, self._vocab, self._known, aliases)]

    def blend(self, parts: list[str]) -> np.ndarray | None:
        """The e5 vector of a question made of ``parts``, from the parts' own vectors (already embedded, so
        cached): their mean weighted by length, normalised. e5 pools by the mean over tokens, so this is
        close to the whole question's vector (cosine 0.97-0.995 on the dev questions that split) and saves
        a second model call on the whole. None when a part's vector is not cached."""
        cached = getattr(self.embedder, "cached_query", None)
        vecs = [cached(dense_text(p)) for p in parts] if cached else [None]
        if any(v is None for v in vecs):
            return None
        weights = np.array([len(p) for p in parts], dtype=np.float32)
        mean = (np.vstack(vecs) * weights[:, None]).sum(axis=0)
        norm = float(np.linalg.norm(mean))
        return (mean / norm).astype(np.float32) if norm > 0 else None

    def _unknown_texts(self, unknown: list[str]) -> list[str]:
        """The unknown words that _nearest_known needs embedded (none without the FAQ's vocabulary)."""
        vectors = self.store.vocab_vectors
        return unknown if vectors is not None and len(vectors) else []

    def _nearest_known(self, unknown_vecs: np.ndarray) -> float:
        """How close the question's least familiar word comes to anything the FAQ says: the smallest, over
        the words the FAQ does not use, of the best cross-lingual cosine to one of the FAQ's words (1.0 when
        every word is known). "容器时区" or "GPU" land far from all of them; "capability" lands on 能力.
        ``unknown_vecs``: those words embedded by the cross-lingual model (its query and passage vectors are
        the same: it has no prefixes; embedded with the question, in one call, and cached like queries)."""
        vectors = self.store.vocab_vectors
        if not len(unknown_vecs) or vectors is None or not len(vectors):
            return 1.0
        return float((np.asarray(unknown_vecs, dtype=np.float32) @ vectors.T).max(axis=1).min())

    def _fuse(self, channels: list[tuple[np.ndarray, np.ndarray, float]]) -> tuple[np.ndarray, np.ndarray]:
        """The candidates (units some channel matched, ascending) and their fused scores.

        Both scalings give an unmatched unit exactly 0 and depend on the matched units alone (min-max over
        them; ranks among them, ties in index order), so scoring the candidates only gives every unit the
        score that scaling all units would."""
        if not channels:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
        candidates = sorted_unique(np.concatenate([units for units, _, _ in channels]))
        slot = self._slot.array
        slot[candidates] = np.arange(len(candidates))
        fused = np.zeros(len(candidates), dtype=np.float64)
        for units, scores, weight in channels:
            full = np.zeros(len(candidates), dtype=np.float32)
            full[slot[units]] = scores
            fused += weight * (rrf(full, self.params.rrf_k) if self.params.fusion == "rrf" else minmax(full))
        return candidates, fused

    def _rank(self, candidates: np.ndarray, fused: np.ndarray, top_k: int) -> tuple[np.ndarray, np.ndarray]:
        """The top_k rankable units and their final scores, best first, ties in index order.

        final = best fused score of the unit's topic + unit_weight * its own. A unit that is not a candidate
        scores its topic's best, so it can only beat the k-th best candidate if its topic's best reaches
        that score: the best k candidates and the other rankable units of such topics are enough. Units
        scoring 0 come last, in index order."""
        k = min(top_k, len(self._rankable_ids))
        if k <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
        topic_best = self._topic_best.array
        topics = self._topic_idx[candidates]
        try:
            np.maximum.at(topic_best, topics, fused)
            best = topic_best[topics]
            final = np.where(self._rankable[candidates], best + self.params.unit_weight * fused, -np.inf)
            ids, scores = top_pairs(candidates, final, k)
            bar = scores[-1] if len(scores) == k else -np.inf
            others = self._rankable_in(sorted_unique(topics[(best >= bar) & (best > 0)]), candidates)
            ids, scores = top_pairs(np.concatenate([ids, others]),
                               np.concatenate([scores, topic_best[self._topic_idx[others]]]), k)
        finally:
            topic_best[topics] = 0.0  # the next query starts from zeros
        ids, scores = ids[scores > 0], scores[scores > 0]
        if len(ids) < k:  # every other unit scores 0: the first rankable units by index
            zero = self._rankable_ids[:k]
            zero = zero[~np.isin(zero, ids)][:k - len(ids)]
            ids, scores = np.concatenate([ids, zero]), np.concatenate([scores, np.zeros(len(zero))])
        return ids, scores

    def _rankable_in(self, topics: np.ndarray, candidates: np.ndarray) -> np.ndarray:
        """The rankable units of the given topics that are not candidates."""
        lo, n = self._topic_start[topics], self._topic_start[topics + 1] - self._topic_start[topics]
        units = self._by_topic[np.repeat(lo - np.cumsum(n) + n, n) + np.arange(n.sum())]
        return units[~find_sorted(candidates, units)[0]]

    def best_sentences(self, r: Retrieval, unit_index: int) -> list[tuple[int, float]]:
        """Chunks of a unit scored for quoting (lexical and dense, each scaled to the unit's best)."""
        ids = self.chunks_of(unit_index)
        if not ids:
            return []
        lex = r.chunk_lex.take(ids).astype(np.float64)
        den = np.array([r.chunk_dense.get(i, 0.0) for i in ids], dtype=np.float64)
        lex = lex / lex.max() if lex.max() > 0 else lex
        den = (den - den.min()) / (den.max() - den.min()) if den.max() > den.min() else den * 0
        scores = 0.5 * lex + den
        return sorted(zip(ids, scores.tolist()), key=lambda x: -x[1])
