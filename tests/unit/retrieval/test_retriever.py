"""Retrieval that costs the same on any KB size must score the real FAQ exactly as full-array scoring did.

The reference below is the search() that fused over full-length arrays (every chunk, every unit); the
candidate-only search must give the same hits, scores, features and quoting scores, bit for bit.
"""
import random
import threading
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from kbqa.devtools.measure import load_questions
from kbqa.index.chunks import Chunk, dense_text
from kbqa.index.store import POSTINGS_PER_TOKEN
from kbqa.retrieval.coverage import share_known
from kbqa.retrieval.arrays import minmax, peak, rrf
from kbqa.retrieval.retriever import FusionParams, Retriever
from kbqa.settings import REPO_ROOT
from kbqa.text.normalise import cjk_share, normalise, tokens, words
from kbqa.types import Unit

EXTRA = ["", "   ", "?", "hello world", "docker", "k8s 网络", "容器" * 50, "the quick brown fox",
         "Jenkins", "怎么监控", "数据库能不能放到容器里", "镜像仓库 高可用 harbor", "容器 容器 容器 网络"]


def questions() -> list[str]:
    paths = [REPO_ROOT / "eval" / "dev.jsonl", REPO_ROOT / "eval" / "dev_oldtest.jsonl"]  # not the test split
    return [r["question"] for r in load_questions(paths)] + EXTRA


def reference_search(r: Retriever, query: str, mode: str, top_k: int):
    """Full-array fusion (what search() did before it scored candidates only); ties in index order."""
    units, store, params = r.units, r.store, r.params
    n = len(units)
    topic_ids = sorted({u.topic for u in units})
    topic_idx = np.array([topic_ids.index(u.topic) for u in units])
    has_answers = {u.topic for u in units if u.kind == "answer"}
    rankable = np.array([u.kind == "answer" or u.topic not in has_answers for u in units])
    q_tokens, q_words = tokens(query), words(query)
    extra, aliases = r.expand(query)  # glossary and pinyin-typo expansion (tested in tests/test_glossary.py)
    q_tokens += [t for t in dict.fromkeys(extra) if t not in set(q_tokens)]
    channels = []
    chunk_lex = np.zeros(len(store.chunks), dtype=np.float32)
    chunk_dense = {}
    lex_unit = np.zeros(n, dtype=np.float32)
    dense_unit = np.full(n, -1.0, dtype=np.float32)
    if mode in ("hybrid", "lexical"):
        if q_tokens:
            chunk_lex = np.asarray(store.bm25.get_scores(q_tokens), dtype=np.float32)
        np.maximum.at(lex_unit, store.chunk_unit, chunk_lex)
        channels.append((lex_unit, r.coverage(q_words, aliases) ** params.lex_cov_power))
    if mode in ("hybrid", "dense") and normalise(query).strip():
        qvec = r.embedder.embed_queries([dense_text(query)])[0]
        ids, scores = store.dense_search(qvec, params.dense_k)
        chunk_dense = dict(zip(ids.tolist(), scores.tolist()))
        np.maximum.at(dense_unit, store.chunk_unit[ids], scores.astype(np.float32))
        channels.append((dense_unit, params.dense_weight))
    fused = np.zeros(n, dtype=np.float64)
    for scores, weight in channels:
        fused += weight * (rrf(scores, params.rrf_k) if params.fusion == "rrf" else minmax(scores))
    best = np.full(len(topic_ids), -np.inf)
    np.maximum.at(best, topic_idx, fused)
    final = best[topic_idx] + params.unit_weight * fused
    final[~rankable] = -np.inf
    order = np.lexsort((np.arange(n), -final))[:min(top_k, int(rankable.sum()))]
    hits = [(int(i), float(final[i])) for i in order]
    top_topic = units[hits[0][0]].topic if hits else None
    features = {
        "n_words": float(len(set(q_words))),
        "inv_words": 1.0 / len(set(q_words)) if q_words else 0.0,
        "cov_any": r.coverage(q_words, aliases),
        "cov_topic": share_known(set(q_words), r._topic_vocab.get(top_topic, set()), aliases=aliases),
        "lex_top": float(lex_unit.max()) if n else 0.0,
        "lex_per_token": float(lex_unit.max() / max(len(q_tokens), 1)) if n else 0.0,
        "dense_top": float(dense_unit.max()) if chunk_dense else 0.0,
        "dense_z": peak(np.fromiter(chunk_dense.values(), dtype=np.float64)) if chunk_dense else 0.0,
        "cjk_frac": cjk_share(query),
    }
    return hits, features, chunk_lex, chunk_dense


def reference_sentences(r: Retriever, chunk_lex: np.ndarray, chunk_dense: dict, unit_index: int):
    ids = r.chunks_of(unit_index)
    lex = np.array([chunk_lex[i] for i in ids], dtype=np.float64)
    den = np.array([chunk_dense.get(i, 0.0) for i in ids], dtype=np.float64)
    lex = lex / lex.max() if lex.max() > 0 else lex
    den = (den - den.min()) / (den.max() - den.min()) if den.max() > den.min() else den * 0
    return sorted(zip(ids, (0.5 * lex + den).tolist()), key=lambda x: -x[1])


def hits_of(r: Retriever, result) -> list[tuple[int, float]]:
    return [(r.position(h.unit), h.score) for h in result.hits]


# ---- lexical scores ---------------------------------------------------------------------------------
def test_lexical_scores_are_bm25s_scores_exactly_on_the_faq(fake_engine):
    store = fake_engine.load().store
    indptr = store.bm25.scores["indptr"]
    assert np.diff(indptr).max() <= POSTINGS_PER_TOKEN  # so no token's postings are cut on the FAQ
    for q in questions():
        toks = tokens(q)
        full = np.asarray(store.bm25.get_scores(toks), dtype=np.float32) if toks else np.zeros(len(store.chunks))
        ids, scores = store.lexical_scores(toks)
        assert ids.tolist() == np.flatnonzero(full).tolist(), q
        assert scores.dtype == np.float32 and scores.tobytes() == full[ids].tobytes(), q


def test_lexical_scores_read_each_tokens_best_postings_first(fake_engine):
    store = fake_engine.load().store
    for word in ("容器", "docker", "网络", "存储"):
        full = np.asarray(store.bm25.get_scores([word]), dtype=np.float32)
        assert (full > 0).sum() > 3
        ids, scores = store.lexical_scores([word], per_token=3)
        assert len(ids) == 3 and (scores == full[ids]).all()
        assert sorted(scores.tolist()) == sorted(full[full > 0].tolist())[-3:]


def test_lexical_sums_are_left_zeroed(fake_engine):
    retriever = fake_engine.load().retriever
    for q in questions()[:20]:
        retriever.search(q, "lexical")
    assert not retriever.store._lex_sums.array.any() and not retriever._topic_best.array.any()


# ---- candidate-only fusion = full fusion ------------------------------------------------------------
@pytest.mark.parametrize("mode", ["hybrid", "lexical", "dense"])
def test_search_equals_full_array_fusion_on_the_faq(fake_engine, mode):
    r = fake_engine.load().retriever
    for q in questions():
        for k in (1, 8, 1000):
            got = r.search(q, mode, k)
            hits, features, chunk_lex, chunk_dense = reference_search(r, q, mode, k)
            assert hits_of(r, got) == hits, (q, k)
            assert got.features == features, q
            assert got.chunk_dense == chunk_dense
            for unit_index, _ in hits[:4]:
                assert r.best_sentences(got, unit_index) == reference_sentences(r, chunk_lex, chunk_dense, unit_index)


def test_rrf_fusion_equals_full_array_fusion_on_the_faq(fake_engine):
    loaded = fake_engine.load()
    store, r0 = loaded.store, loaded.retriever
    r = Retriever(r0.units, store, r0.embedder, FusionParams(fusion="rrf"))
    for q in questions()[::3]:
        for mode in ("hybrid", "lexical"):
            assert hits_of(r, r.search(q, mode, 8)) == reference_search(r, q, mode, 8)[0], q


class ChannelStub:
    """A store of one chunk per unit whose channels return the given chunk scores (0 / absent = no match)."""

    def __init__(self, lex: np.ndarray, dense: dict[int, float]):
        self.chunks = [Chunk(i, "x") for i in range(len(lex))]
        self.chunk_unit = np.arange(len(lex))
        self.bm25 = SimpleNamespace(get_scores=lambda toks: lex)
        self._lex, self._dense = lex, dense
        self.cross = None  # no cross-lingual channel

    def lexical_scores(self, toks):
        ids = np.flatnonzero(self._lex)
        return ids, self._lex[ids]

    def dense_search(self, qvec, k):
        ids = np.array(sorted(self._dense, key=lambda i: -self._dense[i]), dtype=np.int64)
        return ids, np.array([self._dense[i] for i in ids], dtype=np.float32)


def random_kb(rng: random.Random, n_topics: int) -> tuple[Unit, ...]:
    units = []
    for t in range(1, n_topics + 1):
        units.append(Unit(f"t{t}", "question", t, f"topic {t}", "x"))
        units += [Unit(f"t{t}/{j}", "answer", t, f"topic {t}", "x") for j in range(rng.choice([0, 1, 2, 4]))]
    rng.shuffle(units)  # a unit's index says nothing about its topic
    return tuple(units)


@pytest.mark.parametrize("seed", range(300))
def test_top_k_with_ties_and_unmatched_units_equals_a_full_sort(seed):
    """Few distinct scores (many ties), units no channel matched, topics without answers, any k."""
    rng = random.Random(seed)
    units = random_kb(rng, rng.randint(1, 12))
    n = len(units)
    lex = np.array([rng.choice([0, 0, 0, 1.5, 3.0]) for _ in range(n)], dtype=np.float32)
    dense = {i: rng.choice([-0.2, 0.3, 0.6]) for i in rng.sample(range(n), rng.randint(0, n))}
    emb = SimpleNamespace(embed_queries=lambda texts: np.zeros((len(texts), 4), dtype=np.float32))
    params = FusionParams(fusion=rng.choice(["minmax", "rrf"]), unit_weight=rng.choice([0.0, 0.2]))
    r = Retriever(units, ChannelStub(lex, dense), emb, params)
    for mode in ("hybrid", "lexical", "dense"):
        for k in (1, 2, 3, 8, n + 2):
            assert hits_of(r, r.search("x", mode, k)) == reference_search(r, "x", mode, k)[0], (mode, k)


def test_negative_fusion_weights_are_refused():
    with pytest.raises(ValueError):
        FusionParams(dense_weight=-1.0)


def test_concurrent_searches_get_their_own_sums(fake_engine):
    r = fake_engine.load().retriever
    qs = questions()[:40]
    expected = [hits_of(r, r.search(q, "lexical")) for q in qs]
    got: dict[int, list] = {}

    def work(i):
        got[i] = [hits_of(r, r.search(q, "lexical")) for q in qs[i:] + qs[:i]]

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for i in range(4):
        assert got[i] == expected[i:] + expected[:i]


def test_traditional_text_gets_the_simplified_words_not_only_the_characters():
    # Taiwan's 網路/叢集/軟體 are 网络/集群/软件 in the Simplified text the FAQ is indexed in
    assert normalise("容器網路與叢集軟體") == "容器网络与集群软件"
    # Simplified text is left as it is (the corpus is indexed through the same function)
    assert normalise("网路 程式 软体") == "网路 程式 软体"


def test_traditional_words_that_tw2sp_would_turn_into_other_words_keep_their_meaning():
    # 核心 "core" is not 内核 "kernel", 文件 a file not 文档, 儲存 storage (存储) not 保存 "to save"
    assert normalise("核心系統的檔案和文件要儲存在哪") == "核心系统的文件和文件要存储在哪"
    assert normalise("核心區網路") == "核心区网络" and normalise("\ue000核心區") == " 核心区"  # a stray mark: no crash


def test_taiwans_it_words_that_tw2sp_keeps_become_the_mainlands():
    assert normalise("伺服器的磁碟和網路卡") == "服务器的磁盘和网卡"
    assert normalise("磁碟") == "磁碟"  # Simplified (unchanged by t2s): left as it is


def test_the_word_for_a_portion_of_an_answer_is_no_content_word():
    # "the Zookeeper bit" asks for the part of an answer about Zookeeper, like "Zookeeper 那部分"
    assert words("and the Zookeeper bit?") == words("the zookeeper parts") == ["zookeeper"]
    assert words("what about the storage section") == ["storage"]


def test_colloquial_question_words_are_function_words_like_their_standard_forms():
    assert words("ocp跟博云咋选") == words("ocp跟博云怎么选")  # 咋 = 怎么
    assert "啥" not in words("抓包有啥办法") and "出来" not in words("堆栈怎么拿出来")  # 啥 = 什么


def test_the_side_pools_are_one_per_process_and_apart(monkeypatch):
    import os

    from kbqa.retrieval import side

    pool, parts = side.side_pool(), side.part_pool()
    assert side.side_pool() is pool and pool.submit(lambda: 41 + 1).result() == 42
    # a part's retrieval runs in part_pool and waits on side_pool: they must never be one pool
    assert side.part_pool() is parts and parts is not pool
    assert parts.submit(lambda: pool.submit(lambda: 7).result()).result(timeout=5) == 7
    pid = os.getpid()
    monkeypatch.setattr(side.os, "getpid", lambda: pid + 1)  # as in a forked worker: its own threads
    assert side.side_pool() is not pool and side.part_pool() is not parts


def test_blend_is_the_length_weighted_mean_of_the_parts_cached_vectors(fake_engine):
    r = fake_engine.load().retriever
    parts = ["容器网络怎么选", "存储又该怎么选型呢"]
    assert r.blend(parts) is None  # a part not embedded yet: no guess
    vecs = r.embedder.embed_queries([dense_text(p) for p in parts])
    mean = len(parts[0]) * vecs[0] + len(parts[1]) * vecs[1]
    np.testing.assert_allclose(r.blend(parts), mean / np.linalg.norm(mean), rtol=1e-5, atol=1e-6)


def test_search_with_a_given_vector_calls_no_model_for_the_query(fake_engine):
    r = fake_engine.load().retriever
    other = "容器里怎么执行定时任务"
    vec = r.embedder.embed_queries([dense_text(other)])[0]
    query = "a question whose own vector is never computed"
    got = r.search(query, "dense", 5, qvec=vec)
    assert r.embedder.cached_query(dense_text(query)) is None
    want = r.search(other, "dense", 5)
    assert [(h.unit.id, round(h.score, 6)) for h in got.hits] == [(h.unit.id, round(h.score, 6)) for h in want.hits]


@pytest.mark.parametrize("question, named", [
    ("does it say anything about Cilium network policies specifically?", ["Cilium"]),
    ("does anyone mention PodDisruptionBudget for those?", ["PodDisruptionBudget"]),
    ("what MTU should we set tho", ["MTU"]), ("and dual-stack with IPv6?", ["IPv6"]),
    ("and what did Steven99 say on that same one", []),  # an expert's handle
    ("and Garyy? hes the insurance one right", []), ("Calico or flannel? Kubernetes docs say both", []),  # the FAQ's
    ("Cilium then?", []),  # capitalised as the sentence's first word: any word is
    ("and the canal part?", []), ("what about Flanel?", []),  # lowercase; a typo of the FAQ's flannel
    ("we already run an IaaS setup on AWS, does that change the answer?", [])])  # about IaaS, on AWS
def test_an_english_question_names_what_the_faq_never_uses(fake_engine, question, named):
    r = fake_engine.load().retriever
    assert r._named(question, words(question), r._unknown(set(words(question)), r.expand(question)[1])) == named
