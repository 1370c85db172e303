"""BatchingEmbedder: concurrent single queries share one model call, each caller gets exactly its own
vector (the same as unbatched) or its own error, and nothing can leave a caller waiting forever."""
from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from kbqa.models.batching import BatchingEmbedder
from kbqa.models.embedders import FakeEmbedder, make_embedder
from kbqa.settings import Settings


class Gated(FakeEmbedder):
    """A fake model whose first call blocks until released, so that other callers queue up meanwhile.
    Texts containing "boom" raise ValueError; texts containing "kill" raise a BaseException."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[list[str]] = []
        self.entered = threading.Event()
        self.gate = threading.Event()

    def _embed(self, texts):
        self.calls.append([t.split(": ", 1)[1] for t in texts])
        self.entered.set()
        assert self.gate.wait(10)
        if any("kill" in t for t in texts):
            raise KeyboardInterrupt
        if any("boom" in t for t in texts):
            raise ValueError("cannot embed boom")
        return super()._embed(texts)


def _ask_all(batcher, texts):
    """Start one thread per text; returns (threads, results): results[i] is a vector or an exception."""
    results: list = [None] * len(texts)

    def one(i, text):
        try:
            results[i] = batcher.embed_queries([text])
        except BaseException as e:  # noqa: BLE001 - recorded for the test to check
            results[i] = e

    threads = [threading.Thread(target=one, args=(i, t), daemon=True) for i, t in enumerate(texts)]
    for t in threads:
        t.start()
    return threads, results


def _queued(batcher, n: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while len(batcher._queue) < n:
        assert time.monotonic() < deadline, f"only {len(batcher._queue)} of {n} callers queued"
        time.sleep(0.005)


def _join(threads, timeout: float = 10) -> None:
    for t in threads:
        t.join(timeout)
    assert not any(t.is_alive() for t in threads), "a caller is still waiting (deadlock)"


def _start_blocked_leader(batcher, inner, text="first question"):
    threads, results = _ask_all(batcher, [text])
    assert inner.entered.wait(10)
    return threads, results


def test_queued_callers_share_one_call_and_get_their_own_vectors():
    inner = Gated()
    batcher = BatchingEmbedder(inner, max_batch=16)
    lead, lead_result = _start_blocked_leader(batcher, inner)
    texts = [f"问题 {i} 容器网络" for i in range(12)] + ["问题 3 容器网络"]  # a duplicate too
    threads, results = _ask_all(batcher, texts)
    _queued(batcher, len(texts))
    inner.gate.set()
    _join(lead + threads)
    assert inner.calls[0] == ["first question"]
    assert inner.calls[1] == list(dict.fromkeys(texts)) and len(inner.calls) == 2  # one call, duplicates once
    alone = FakeEmbedder()
    for text, got in zip(["first question"] + texts, lead_result + results):
        assert got.shape == (1, 256)
        np.testing.assert_array_equal(got, alone.embed_queries([text]))
    assert dict(batcher.batch_sizes) == {1: 1, 12: 1}
    assert not batcher._busy and not batcher._queue


def test_batches_are_capped_and_served_in_order():
    inner = Gated()
    batcher = BatchingEmbedder(inner, max_batch=4)
    lead, _ = _start_blocked_leader(batcher, inner)
    texts = [f"q{i}" for i in range(10)]
    threads = []
    for t in texts:  # one at a time, so the queue order is known
        threads += _ask_all(batcher, [t])[0]
        _queued(batcher, len(threads))
    inner.gate.set()
    _join(lead + threads)
    assert inner.calls[1:] == [texts[0:4], texts[4:8], texts[8:10]]


def test_an_error_reaches_only_the_caller_whose_query_failed():
    inner = Gated()
    batcher = BatchingEmbedder(inner)
    lead, _ = _start_blocked_leader(batcher, inner)
    texts = ["fine one", "boom here", "fine two"]
    threads, results = _ask_all(batcher, texts)
    _queued(batcher, 3)
    inner.gate.set()
    _join(lead + threads)
    assert isinstance(results[1], ValueError) and "boom" in str(results[1])
    for i in (0, 2):
        np.testing.assert_array_equal(results[i], FakeEmbedder().embed_queries([texts[i]]))
    with pytest.raises(ValueError):  # a lone caller gets its error too
        batcher.embed_queries(["boom again"])
    assert batcher.embed_queries(["still works"]).shape == (1, 256)


def test_an_interrupted_leader_leaves_no_caller_waiting():
    inner = Gated()
    batcher = BatchingEmbedder(inner)
    lead, _ = _start_blocked_leader(batcher, inner)
    threads, results = _ask_all(batcher, ["kill it", "an innocent question"])
    _queued(batcher, 2)
    inner.gate.set()
    _join(lead + threads)
    assert any(isinstance(r, KeyboardInterrupt) for r in results)  # the leader's own exception, in its thread
    assert all(isinstance(r, (KeyboardInterrupt, RuntimeError)) for r in results)
    assert not batcher._busy and not batcher._queue
    assert batcher.embed_queries(["after the interruption"]).shape == (1, 256)


def test_a_lone_caller_embeds_in_its_own_thread_and_cache_hits_skip_the_queue():
    inner = FakeEmbedder()
    batcher = BatchingEmbedder(inner)
    seen = []
    real = inner._embed
    inner._embed = lambda texts: seen.append(threading.current_thread()) or real(texts)
    before = threading.active_count()
    a = batcher.embed_queries(["滚动更新"])
    assert seen == [threading.current_thread()] and threading.active_count() == before  # no worker thread
    b = batcher.embed_queries(["滚动更新"])
    assert len(seen) == 1 and (a == b).all()
    b[0, 0] = 99.0  # callers may not corrupt the cache
    assert batcher.embed_queries(["滚动更新"])[0, 0] != 99.0
    batcher.clear_cache()
    batcher.embed_queries(["滚动更新"])
    assert len(seen) == 2
    many = batcher.embed_queries(["a", "b", "a"])  # a list goes straight through, in one call
    assert many.shape == (3, 256) and (many[0] == many[2]).all() and len(seen) == 3


def test_the_wrapper_is_the_same_embedder_to_everyone_else(tmp_path):
    plain = make_embedder(Settings(home=tmp_path, embedder="fake", query_batch=1))
    wrapped = make_embedder(Settings(home=tmp_path, embedder="fake"))
    assert isinstance(wrapped, BatchingEmbedder) and not isinstance(plain, BatchingEmbedder)
    assert wrapped.name == plain.name and wrapped.identity() == plain.identity() and wrapped.dim == 256
    np.testing.assert_array_equal(wrapped.embed_passages(["x y"]), plain.embed_passages(["x y"]))


def test_many_threads_many_rounds_match_unbatched_vectors():
    batcher = BatchingEmbedder(FakeEmbedder(), max_batch=5)
    texts = [f"第 {i % 23} 个问题" for i in range(200)]
    threads, results = _ask_all(batcher, texts)
    _join(threads, 30)
    alone = FakeEmbedder()
    for text, got in zip(texts, results):
        np.testing.assert_array_equal(got, alone.embed_queries([text]))


def test_query_batch_setting_is_read_and_checked():
    from kbqa.settings import SettingsError

    assert Settings.from_env({"KBQA_QUERY_BATCH": "4"}).query_batch == 4
    with pytest.raises(SettingsError, match="at least 1"):
        Settings.from_env({"KBQA_QUERY_BATCH": "0"})


# ---- one model call per query in flight (BaseEmbedder.embed_queries) -------------------------------------------
def _embed_in_thread(embedder, texts):
    out: dict = {}

    def run():
        try:
            out["value"] = embedder.embed_queries(texts)
        except BaseException as e:  # noqa: BLE001 - recorded for the test to check
            out["value"] = e

    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t, out


def _waiting_on(embedder, text: str, timeout: float = 10) -> None:
    """Until some call has claimed ``text`` (its model call is running)."""
    deadline = time.monotonic() + timeout
    while text not in embedder._in_flight:
        assert time.monotonic() < deadline, f"{text!r} never in flight"
        time.sleep(0.002)


def test_a_query_another_call_is_embedding_is_waited_for_not_embedded_again():
    inner = Gated()
    first, out1 = _embed_in_thread(inner, ["shared question"])
    assert inner.entered.wait(10)
    second, out2 = _embed_in_thread(inner, ["shared question", "its own question"])
    _waiting_on(inner, "its own question")  # the second call claims only what nobody else is embedding...
    inner.gate.set()
    _join([first, second])
    assert inner.calls == [["shared question"], ["its own question"]]  # ...and waits for the rest
    alone = FakeEmbedder().embed_queries(["shared question", "its own question"])
    np.testing.assert_array_equal(out1["value"][0], alone[0])
    np.testing.assert_array_equal(out2["value"], alone)
    assert not inner._in_flight


def test_a_failed_call_hands_its_error_to_the_calls_waiting_on_it_and_leaves_nothing_in_flight():
    inner = Gated()
    first, out1 = _embed_in_thread(inner, ["boom question"])
    _waiting_on(inner, "boom question")
    second, out2 = _embed_in_thread(inner, ["boom question"])
    time.sleep(0.05)
    inner.gate.set()
    _join([first, second])
    assert isinstance(out1["value"], ValueError) and isinstance(out2["value"], ValueError)
    assert inner.calls == [["boom question"]]
    assert not inner._in_flight and inner.cached_query("boom question") is None
    np.testing.assert_array_equal(inner.embed_queries(["fine question"]), FakeEmbedder().embed_queries(["fine question"]))
