"""Warm latency in this process: ``Engine.ask`` over the eval questions, and the same questions through a
plain llama-index pipeline over the same model (the baseline a user would write)."""
from __future__ import annotations

import time

COLD_QUESTION = "容器里怎么执行定时任务"


def measure_warm(engine, questions: list[dict], repeat: int = 1) -> dict:
    """Milliseconds of each ``ask`` after an untimed pass over the same questions, with the caches cleared
    in between so that each timed ask does the full work; then the same questions again, from the answer
    cache. Also the share of in-scope questions whose top hit has the gold topic."""
    from kbqa.engine import InvalidQuestion

    for r in questions:  # untimed pass: torch pays a one-off cost for each new input length
        try:
            engine.ask(r["question"])
        except InvalidQuestion:
            pass
    engine.clear_caches()
    lat, hit, n_in = [], 0, 0
    for rep in range(repeat):
        for r in questions:
            t0 = time.perf_counter()
            try:
                a = engine.ask(r["question"])
            except InvalidQuestion:
                continue
            lat.append((time.perf_counter() - t0) * 1e3)
            if rep == 0 and r.get("topic") is not None:
                n_in += 1
                hit += int(bool(a.hits) and a.hits[0].unit.topic == r["topic"])
    cached = []
    for r in questions:  # what a repeated question costs
        t0 = time.perf_counter()
        try:
            engine.ask(r["question"])
        except InvalidQuestion:
            continue
        cached.append((time.perf_counter() - t0) * 1e3)
    return {"lat_ms": lat, "cached_lat_ms": cached, "topic_hit@1": hit / n_in if n_in else None, "n_in_scope": n_in}


def measure_by_kind(engine, records: list[dict], passes: int = 3) -> dict:
    """Warm ``ask`` latency per conversation kind (the rows' ``kind``: overview, by-number, by-expert,
    smalltalk, multi-topic, follow-up, ood-near, ...): an untimed pass, then ``passes`` timed passes, the caches
    cleared before each (a kind has a few dozen rows: one pass's p50 moves by a quarter from run to run).
    Rows with a ``history`` are asked with it. {kind: {n, p50_ms, p95_ms, route_p50_ms}}: route_p50_ms is
    what understanding the question (``Answer.timings["route_ms"]``, before any retrieval) costs."""
    from kbqa.devtools.measure import percentiles, rounded
    from kbqa.engine import InvalidQuestion

    def ask(r):
        try:
            return engine.ask(r["question"], history=r.get("history"))
        except InvalidQuestion:
            return None

    for r in records:
        ask(r)
    by: dict[str, list[float]] = {}
    route: dict[str, list[float]] = {}
    for _ in range(passes):
        engine.clear_caches()
        for r in records:
            t0 = time.perf_counter()
            a = ask(r)
            if a is not None:
                kind = str(r.get("kind") or "other")
                by.setdefault(kind, []).append((time.perf_counter() - t0) * 1e3)
                route.setdefault(kind, []).append(a.timings.get("route_ms", 0.0))
    out = {}
    for kind in sorted(by):
        p = percentiles(by[kind])
        out[kind] = {"n": len(by[kind]) // passes, "p50_ms": rounded(p[50]), "p95_ms": rounded(p[95]),
                     "route_p50_ms": rounded(percentiles(route[kind])[50], 3)}
    return out


def baseline_retriever(units, embed_model, dim: int, top_k: int = 5):
    """The FAQ units as llama-index ``TextNode``s in a ``VectorStoreIndex`` on a flat FAISS index, as a
    retriever. The embed model is passed to the index (which hands it to its retriever), so llama-index's
    global ``Settings`` are neither read for a model nor changed; a retriever needs no LLM."""
    import faiss
    from llama_index.core import StorageContext, VectorStoreIndex
    from llama_index.core.schema import TextNode
    from llama_index.vector_stores.faiss import FaissVectorStore

    nodes = [TextNode(text=u.text, id_=u.id, metadata={"topic": u.topic},
                      excluded_embed_metadata_keys=["topic"], excluded_llm_metadata_keys=["topic"])
             for u in units]
    store = FaissVectorStore(faiss_index=faiss.IndexFlatIP(dim))
    index = VectorStoreIndex(nodes, storage_context=StorageContext.from_defaults(vector_store=store),
                             embed_model=embed_model)
    return index.as_retriever(similarity_top_k=top_k)


def measure_baseline(engine, questions: list[dict]) -> dict:
    """``baseline_retriever`` over the engine's FAQ with the engine's e5 model (sentence-transformers only),
    timed like ``measure_warm``: an untimed pass, then one timed retrieval per question."""
    import importlib.util

    if importlib.util.find_spec("llama_index.embeddings.huggingface") is None:
        return {"note": "the baseline needs the torch extra (pip install -e '.[torch]'; make bench installs it)"}
    emb = engine.embedder
    if emb.name != "sentence-transformers":
        if emb.name != "onnx":
            return {"note": f"baseline needs the sentence-transformers embedder (this run: {emb.name})"}
        from kbqa.models.e5 import SentenceTransformerEmbedder  # the same e5, in torch, as llama-index runs it

        emb = SentenceTransformerEmbedder("e5-small", engine.settings.model_cache, progress=False)
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding

    t0 = time.perf_counter()
    embed = HuggingFaceEmbedding(model_name=emb.ensure_model(), query_instruction="query: ",
                                 text_instruction="passage: ", device="cpu", local_files_only=True)
    retriever = baseline_retriever(engine.faq().units, embed, int(emb.identity()["dim"]))
    build_s = time.perf_counter() - t0
    for r in questions:  # untimed pass, as for ours
        retriever.retrieve(r["question"])
    lat, hit, n_in = [], 0, 0
    for r in questions:
        t0 = time.perf_counter()
        res = retriever.retrieve(r["question"])
        lat.append((time.perf_counter() - t0) * 1e3)
        if r.get("topic") is not None:
            n_in += 1
            hit += int(bool(res) and res[0].node.metadata.get("topic") == r["topic"])
    return {"lat_ms": lat, "topic_hit@1": hit / n_in if n_in else None, "build_s": round(build_s, 3)}
