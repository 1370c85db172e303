"""The scale curve: retrieval over synthetic knowledge bases of 1k, 10k and 100k units, each size in its own
process so that its peak memory is its own. It times retrieval, not the model: random unit vectors stand in
for the passages' embeddings and the fake embedder embeds the queries."""
from __future__ import annotations

import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from kbqa.devtools.measure import child_env, current_rss_mb, last_line, load_questions, peak_rss_mb, percentiles, rounded

DIM = 384


def synthetic_units(real_units, n: int, seed: int = 0, answers_per_topic: int = 3):
    """A synthetic FAQ of exactly ``n`` units made by recombining the real ones: every topic gets a question
    unit (a real question title, re-numbered) and ``answers_per_topic`` expert answers, each 2-5 sentences
    drawn from different real answers. Ids and topic numbers are new and unique."""
    from kbqa.text.normalise import sentences
    from kbqa.types import Unit

    rng = random.Random(seed)
    answers = [u for u in real_units if u.kind == "answer"]
    questions = [u for u in real_units if u.kind == "question"]
    pool = [s for u in answers for s in sentences(u.text) if len(s) >= 6] or [u.text for u in answers]
    experts = sorted({(u.expert, u.expert_title) for u in answers}) or [("expert", "")]
    titles = [u.topic_title for u in questions] or ["topic"]
    units: list = []
    topic = 0
    while len(units) < n:
        topic += 1
        title = f"{rng.choice(titles)} #{topic}"
        qdesc = rng.choice(pool)
        units.append(Unit(id=f"s{topic}", kind="question", topic=topic, topic_title=title,
                          text=f"{title}\n{qdesc}"))
        for j in range(answers_per_topic):
            if len(units) >= n:
                break
            expert, expert_title = rng.choice(experts)
            text = "".join(rng.sample(pool, k=min(len(pool), rng.randint(2, 5))))
            units.append(Unit(id=f"s{topic}/{expert}-{j}", kind="answer", topic=topic, topic_title=title,
                              text=text, expert=expert, expert_title=expert_title))
    return tuple(units)


def random_unit_vectors(n: int, dim: int = DIM, seed: int = 0) -> np.ndarray:
    v = np.random.default_rng(seed).standard_normal((n, dim), dtype=np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    return v


def coverage_probe(vocab: set, size: int, questions: list[str], seed: int = 0) -> float:
    """Mean ms of one question's coverage lookup (as Retriever.coverage does it) when the vocabulary has
    ``size`` extra words. Recombined units reuse the real words, so the synthetic KB's vocabulary stays as
    small as the real one's; a real KB of n units would have a vocabulary growing with n."""
    from kbqa.retrieval.coverage import share_known, with_substrings
    from kbqa.text.normalise import words

    rng = random.Random(seed)
    big = set(vocab) | {"".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(rng.randint(2, 4)))
                        for _ in range(size)}
    known = with_substrings(big)  # built once with the index, not per query
    qs = [set(words(q)) for q in questions]
    t0 = time.perf_counter()
    for q in qs:
        share_known(q, big, known)
    return (time.perf_counter() - t0) * 1e3 / max(len(qs), 1)


def scale_point(n: int, n_queries: int = 50, seed: int = 0) -> dict:
    """Build a synthetic KB of n units and time its index build, retriever start-up and queries; its memory
    before and after loading, and the process's peak. Meant to run in a fresh process (``scale_curve``)."""
    from kbqa.corpus.loader import load_faq
    from kbqa.index.chunks import make_chunks
    from kbqa.index.store import IndexStore
    from kbqa.models.embedders import FakeEmbedder
    from kbqa.retrieval.retriever import Retriever
    from kbqa.settings import Settings

    faq = load_faq(Path(Settings().corpus))
    questions = [r["question"] for r in load_questions()][:n_queries]
    emb = FakeEmbedder(dim=DIM)
    import bm25s  # noqa: F401 - libraries loaded before the baseline RSS, so mem_mb is the data's
    import faiss  # noqa: F401

    from kbqa.text.normalise import tokens

    tokens("预热分词")
    emb.embed_queries(["warm up"])
    rss0 = current_rss_mb()
    t0 = time.perf_counter()
    units = synthetic_units(faq.units, n, seed=seed)
    gen_s = time.perf_counter() - t0
    chunks = make_chunks(units)
    vectors = random_unit_vectors(len(chunks), DIM, seed)
    with tempfile.TemporaryDirectory(prefix="kbqa-bench-") as root:
        t0 = time.perf_counter()
        store = IndexStore.build(Path(root), units, f"synthetic-{n}-{seed}", emb, vectors=vectors)
        build_s = time.perf_counter() - t0
        disk_mb = sum(p.stat().st_size for p in Path(store.path).rglob("*") if p.is_file()) / 2**20
    t0 = time.perf_counter()
    retriever = Retriever(units, store, emb)
    init_s = time.perf_counter() - t0
    rss_loaded = current_rss_mb()
    for q in questions[:5]:
        retriever.search(q)
    lat = []
    for q in questions:
        t0 = time.perf_counter()
        retriever.search(q)
        lat.append((time.perf_counter() - t0) * 1e3)
    cov_ms = coverage_probe(retriever._vocab, n, questions)
    p = percentiles(lat)
    return {"units": n, "chunks": len(chunks), "topics": len({u.topic for u in units}),
            "faiss_index": store.manifest["faiss_index"], "vocab": len(retriever._vocab),
            "gen_s": rounded(gen_s, 3), "build_s": rounded(build_s, 3), "init_s": rounded(init_s, 3),
            "disk_mb": rounded(disk_mb, 1), "rss_before_mb": rounded(rss0, 1), "rss_loaded_mb": rounded(rss_loaded, 1),
            "peak_rss_mb": rounded(peak_rss_mb(), 1), "mem_mb": rounded(rss_loaded - rss0, 1),
            "query_p50_ms": rounded(p[50], 3), "query_p95_ms": rounded(p[95], 3), "queries": len(lat),
            "coverage_ms_vocab_n": rounded(cov_ms, 3)}


def _scale_subprocess(n: int, n_queries: int, timeout_s: float) -> dict:
    code = ("import json; from kbqa.devtools.bench.scale import scale_point; "
            f"print('@@' + json.dumps(scale_point({n}, {n_queries})))")
    try:
        p = subprocess.run([sys.executable, "-c", code], env=child_env(), capture_output=True, text=True,
                           timeout=timeout_s)
    except subprocess.TimeoutExpired:
        return {"units": n, "note": f"timed out after {timeout_s:.0f} s"}
    for line in p.stdout.splitlines():
        if line.startswith("@@"):  # the result line, whatever a library printed before it
            return json.loads(line[2:])
    return {"units": n, "note": f"failed: {last_line(p.stderr)[:200]}"}


def scale_curve(sizes, n_queries: int = 50, timeout_s: float = 1800, progress=None) -> list[dict]:
    """``scale_point`` of each size, each in a fresh process; a size that fails or times out says so."""
    out = []
    for n in sizes:
        if progress:
            progress(f"scale: {n} units")
        out.append(_scale_subprocess(n, n_queries, timeout_s))
    return out
