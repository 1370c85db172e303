"""The on-disk index: manifest checks, corruption, staleness, atomic rebuilds."""
import json

import pytest

from kbqa.engine import Engine
from kbqa.models.embedders import FakeEmbedder
from kbqa.index.chunks import make_chunks
from kbqa.index.store import IndexStateError, IndexStore
from kbqa.settings import Settings


@pytest.fixture
def built(tmp_path):
    e = Engine(Settings(home=tmp_path / "h", embedder="fake"), progress=False)
    path = e.build()
    return e, path


def test_manifest_records_model_corpus_and_files(built):
    e, path = built
    m = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    assert m["embedder"]["backend"] == "fake" and m["dim"] == 256
    assert m["corpus_sha256"] == e.faq().sha256
    assert {"dense.faiss", "chunks.json"} <= set(m["files"])
    assert m["n_units"] == 32 and m["n_chunks"] > 32


def test_corrupt_file_is_refused_then_rebuilt(built, tmp_path):
    e, path = built
    faiss_file = path / "dense.faiss"
    faiss_file.write_bytes(faiss_file.read_bytes()[:100])
    with pytest.raises(IndexStateError, match="corrupt"):
        IndexStore.load(path, e.faq().sha256, e.embedder.identity())
    e2 = Engine(Settings(home=tmp_path / "h", embedder="fake"), progress=False)
    a = e2.ask("容器里怎么执行定时任务", mode="lexical")  # rebuilt automatically, answers correctly
    assert a.topic == 1
    IndexStore.load(path, e.faq().sha256, e.embedder.identity())


@pytest.mark.parametrize("damage", ["truncate_manifest", "delete_manifest", "garbage_chunks"])
def test_damaged_index_never_loads(built, damage):
    e, path = built
    if damage == "truncate_manifest":
        (path / "manifest.json").write_text("{", encoding="utf-8")
    elif damage == "delete_manifest":
        (path / "manifest.json").unlink()
    else:
        (path / "chunks.json").write_text("[]", encoding="utf-8")
    with pytest.raises(IndexStateError):
        IndexStore.load(path, e.faq().sha256, e.embedder.identity())


def test_other_model_or_corpus_is_refused(built):
    e, path = built
    with pytest.raises(IndexStateError, match="another corpus"):
        IndexStore.load(path, "0" * 64, e.embedder.identity())
    with pytest.raises(IndexStateError, match="another model"):
        IndexStore.load(path, e.faq().sha256, FakeEmbedder(dim=128).identity())


def test_interrupted_build_leaves_previous_index_usable(built, monkeypatch):
    e, path = built
    before = (path / "manifest.json").read_bytes()

    def boom(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr("kbqa.index.store._swap_into_place", boom)
    with pytest.raises(KeyboardInterrupt):
        IndexStore.build(path.parent, e.faq().units, e.faq().sha256, e.embedder)
    assert (path / "manifest.json").read_bytes() == before
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".build-")]
    IndexStore.load(path, e.faq().sha256, e.embedder.identity())


def test_chunks_cover_every_unit(fake_engine):
    units = fake_engine.faq().units
    chunks = make_chunks(units)
    assert {c.unit for c in chunks} == set(range(len(units)))


def test_a_title_that_asks_several_things_has_its_last_ask_as_a_chunk_of_its_own(fake_engine):
    """Question 10's title asks three things; its last ask, failover between clusters, is searchable alone. A
    title of one sentence (question 7's) is one chunk."""
    units = fake_engine.faq().units
    chunks = make_chunks(units)
    ten = next(i for i, u in enumerate(units) if u.kind == "question" and u.topic == 10)
    seven = next(i for i, u in enumerate(units) if u.kind == "question" and u.topic == 7)
    texts = [c.text for c in chunks if c.unit == ten]
    assert texts[0].startswith("容器云的高可用问题") and texts[1] == "应用如何在多个集群之间实现故障转移?"
    title7 = units[seven].text.partition("\n")[0]
    assert [c.text for c in chunks if c.unit == seven].count(title7) == 1
    assert not any(c.unit == seven and c.text != title7 and title7.endswith(c.text) for c in chunks)


def test_stale_build_folders_of_killed_builds_are_cleaned(built):
    import os
    import time

    e, path = built
    stale = path.parent / ".build-killed"
    stale.mkdir()
    fresh = path.parent / ".build-running"
    fresh.mkdir()
    old = time.time() - 7200
    os.utime(stale, (old, old))
    IndexStore.build(path.parent, e.faq().units, e.faq().sha256, e.embedder)
    assert not stale.exists() and fresh.exists()  # a build still running elsewhere is left alone


def test_query_vectors_are_cached_and_identical():
    emb = FakeEmbedder()
    calls = []
    real = emb._embed
    emb._embed = lambda texts: calls.append(texts) or real(texts)
    a = emb.embed_queries(["容器网络"])
    b = emb.embed_queries(["容器网络"])
    assert (a == b).all() and len(calls) == 1
    b[0, 0] = 99.0  # callers may not corrupt the cache
    assert emb.embed_queries(["容器网络"])[0, 0] != 99.0
    emb.query_cache_size = 1
    emb.embed_queries(["另一个问题"])
    emb.embed_queries(["容器网络"])
    assert len(calls) == 3  # evicted, embedded again


def test_hnsw_index_searches_with_the_configured_breadth(tmp_path, monkeypatch):
    """efSearch is set on every load, so a changed HNSW_EF_SEARCH reaches indexes built before it."""
    from kbqa.index import store as store_module

    monkeypatch.setattr(store_module, "HNSW_ABOVE", 0)
    e = Engine(Settings(home=tmp_path / "h", embedder="fake"), progress=False)
    path = e.build()
    loaded = IndexStore.load(path, e.faq().sha256, e.embedder.identity())
    assert loaded.manifest["faiss_index"] == "HNSW32"
    assert loaded.faiss.hnsw.efSearch == store_module.HNSW_EF_SEARCH
    assert e.ask("容器里怎么执行定时任务", mode="dense").topic == 1


# ---- the cross-lingual channel -----------------------------------------------------------------------------
class _Cross(FakeEmbedder):
    """Stands in for the USE embedder (a second, differently sized vector space)."""

    name = "use"

    def identity(self) -> dict:
        return {**super().identity(), "backend": "cross-fake"}


def test_cross_channel_is_indexed_verified_and_searched(tmp_path):
    e = Engine(Settings(home=tmp_path / "h", embedder="fake"), progress=False)
    faq, cross = e.faq(), _Cross(dim=64)
    store = IndexStore.build(tmp_path / "idx", faq.units, faq.sha256, FakeEmbedder(), cross=cross)
    m = store.manifest
    assert m["crosslingual"] == cross.identity() and "cross.faiss" in m["files"]
    assert store.path == IndexStore.path_for(tmp_path / "idx", faq.sha256, FakeEmbedder(), cross)
    assert store.path != IndexStore.path_for(tmp_path / "idx", faq.sha256, FakeEmbedder())  # never shared
    loaded = IndexStore.load(store.path, faq.sha256, FakeEmbedder().identity(), cross.identity())
    assert loaded.cross.ntotal == len(loaded.chunks) and loaded.cross.d == 64
    # an index without the channel, or with another model in it, is refused
    with pytest.raises(IndexStateError, match="cross-lingual"):
        IndexStore.load(store.path, faq.sha256, FakeEmbedder().identity())
    with pytest.raises(IndexStateError, match="cross-lingual"):
        IndexStore.load(store.path, faq.sha256, FakeEmbedder().identity(), {**cross.identity(), "dim": 512})
    (store.path / "cross.faiss").write_bytes(b"garbage")
    with pytest.raises(IndexStateError, match="corrupt"):
        IndexStore.load(store.path, faq.sha256, FakeEmbedder().identity(), cross.identity())


def test_cross_channel_adds_its_features_in_hybrid_mode_only(tmp_path):
    from kbqa.retrieval.retriever import Retriever

    e = Engine(Settings(home=tmp_path / "h", embedder="fake"), progress=False)
    faq, cross = e.faq(), _Cross(dim=64)
    store = IndexStore.build(tmp_path / "idx", faq.units, faq.sha256, FakeEmbedder(), cross=cross)
    with_cross = Retriever(faq.units, store, FakeEmbedder(), cross=cross)
    without = Retriever(faq.units, store, FakeEmbedder())
    r = with_cross.search("容器里怎么执行定时任务", "hybrid")
    assert {"cross_top", "cross_z"} <= set(r.features) and -1.0 <= r.features["cross_top"] <= 1.0
    assert "cross_top" not in with_cross.search("容器里怎么执行定时任务", "dense").features
    assert "cross_top" not in without.search("容器里怎么执行定时任务", "hybrid").features
    assert r.hits[0].unit.topic == 1


def test_crosslingual_setting_picks_the_channel_and_the_calibration_key():
    from kbqa.models.use import UseEmbedder

    auto_fake = Engine(Settings(embedder="fake"), progress=False)
    assert auto_fake.crosslingual is None and auto_fake.profile("hybrid") == "hybrid:hash-ngrams"
    forced = Engine(Settings(embedder="fake", crosslingual="use"), progress=False)
    assert isinstance(forced.crosslingual.inner, UseEmbedder)  # batched like e5 (KBQA_QUERY_BATCH)
    assert forced.profile("hybrid") == "hybrid:hash-ngrams+use" and forced.profile("dense") == "dense:hash-ngrams"
    assert forced.profile("lexical") == "lexical:*"
    default = Engine(Settings(), progress=False)  # constructing it loads no model
    assert isinstance(default.crosslingual.inner, UseEmbedder) and default.profile("hybrid").endswith("+use")
    unbatched = Engine(Settings(embedder="fake", crosslingual="use", query_batch=1), progress=False)
    assert isinstance(unbatched.crosslingual, UseEmbedder)
    assert Engine(Settings(crosslingual="none"), progress=False).crosslingual is None


def test_the_index_path_is_a_link_swapped_whole_and_an_old_real_folder_is_exchanged(built):
    """The path is a symlink to a complete build; a rebuild replaces the link and removes the old build. An
    index of an older kbqa (a real folder at the path) is exchanged for the link atomically on first rebuild.
    Builds no link points to (killed between naming and linking), an hour old, are removed."""
    import os
    import shutil
    import time

    e, path = built
    assert path.is_symlink() and (path.parent / os.readlink(path)).is_dir()
    first = os.readlink(path)
    IndexStore.build(path.parent, e.faq().units, e.faq().sha256, e.embedder)
    assert os.readlink(path) != first and not (path.parent / first).exists()
    # an older kbqa's layout: a real folder at the path
    real = path.parent / os.readlink(path)
    path.unlink()
    shutil.copytree(real, path)
    shutil.rmtree(real)
    IndexStore.load(path, e.faq().sha256, e.embedder.identity())
    IndexStore.build(path.parent, e.faq().units, e.faq().sha256, e.embedder)
    assert path.is_symlink() and IndexStore.load(path, e.faq().sha256, e.embedder.identity())
    assert sorted(p.name for p in path.parent.iterdir()) == sorted([path.name, os.readlink(path)])
    # an orphaned complete build, an hour old, goes at the next build; the linked one stays
    orphan = path.parent / ".data-orphan"
    orphan.mkdir()
    old = time.time() - 7200
    os.utime(orphan, (old, old))
    IndexStore.build(path.parent, e.faq().units, e.faq().sha256, e.embedder)
    assert not orphan.exists() and IndexStore.load(path, e.faq().sha256, e.embedder.identity())


def test_prefetch_embeds_the_parts_and_their_unknown_words_in_one_call(tmp_path):
    import time

    from kbqa.retrieval.retriever import Retriever

    e = Engine(Settings(home=tmp_path / "h", embedder="fake"), progress=False)
    faq, cross = e.faq(), _Cross(dim=64)
    store = IndexStore.build(tmp_path / "idx", faq.units, faq.sha256, FakeEmbedder(), cross=cross)
    r = Retriever(faq.units, store, FakeEmbedder(), cross=cross)
    calls: list[list[str]] = []
    embed = cross._embed
    cross._embed = lambda texts: calls.append(list(texts)) or embed(texts)
    parts = ["容器里怎么查看线程堆栈", "瑜伽垫怎么选"]  # 瑜伽垫: a word the FAQ never uses
    r.prefetch(parts, "hybrid")
    deadline = time.monotonic() + 10
    while not calls and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.1)
    assert len(calls) == 1 and any("瑜伽" in t for t in calls[0])
    for p in parts:  # the searches find every vector they need: no further model call
        r.search(p, "hybrid")
    assert len(calls) == 1, calls
