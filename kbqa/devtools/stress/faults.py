"""Injected faults on disk: damaged or mismatched indexes, a build killed midway, a truncated model file.
Each works on copies in a temp folder; the real index and model are never touched."""
from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from kbqa.devtools.measure import child_env
from kbqa.devtools.stress.findings import Findings, expected
from kbqa.devtools.stress.inputs import in_scope_questions


def _corrupt(p: Path) -> None:
    f = p / "dense.faiss"
    b = bytearray(f.read_bytes())
    b[len(b) // 2] ^= 0x55
    f.write_bytes(bytes(b))


def _truncate(p: Path) -> None:
    f = p / "chunks.json"
    f.write_bytes(f.read_bytes()[: f.stat().st_size // 2])


def _delete(p: Path) -> None:
    (p / "dense.faiss").unlink()


def _manifest_garbage(p: Path) -> None:
    (p / "manifest.json").write_bytes(b"\x00\x01 not json")


def _manifest_missing(p: Path) -> None:
    (p / "manifest.json").unlink()


INDEX_DAMAGES = {"corrupt": _corrupt, "truncated": _truncate, "file missing": _delete,
                 "manifest garbage": _manifest_garbage, "manifest missing": _manifest_missing}


def check_index_faults(engine, work: Path, say=None) -> Findings:
    """Copies of the engine's index, each damaged one way (``INDEX_DAMAGES``), must be refused by
    ``IndexStore.load``; an engine over the damaged copy rebuilds it and gives the same answer as the good
    index (every damage on the fake embedder; with a real model the first one, as one rebuild proves the
    path). The good index must also be refused for another corpus and another model."""
    from kbqa.engine import Engine
    from kbqa.index.store import IndexStateError, IndexStore

    found = Findings()
    loaded = engine.load()
    faq, store = loaded.faq, loaded.store
    identity = engine.embedder.identity()
    cross = engine.crosslingual.identity() if engine.crosslingual is not None else None
    question = in_scope_questions(engine)[0]
    want = expected(engine, question)
    for n, (name, damage) in enumerate(INDEX_DAMAGES.items()):
        home = work / f"idx-{n}"
        path = home / "indexes" / store.path.name
        shutil.copytree(store.path, path)
        damage(path)
        found.faults += 1
        try:
            IndexStore.load(path, faq.sha256, identity, cross)
            found.error(f"index {name}: loaded anyway")
        except IndexStateError:
            pass
        if n and engine.embedder.name != "fake":
            continue
        rebuilt = Engine(engine.settings.with_(home=home), embedder=engine.embedder, progress=False)
        if expected(rebuilt, question) != want:
            found.error(f"index {name}: after the rebuild the answer differs")
        IndexStore.load(path, faq.sha256, identity, cross)  # the rebuilt one verifies
    for name, sha, ident in (("other corpus", "0" * 64, identity),
                             ("other model", faq.sha256, {**identity, "model": "some/other-model"})):
        found.faults += 1
        try:
            IndexStore.load(store.path, sha, ident, cross)
            found.error(f"index built by {name}: loaded anyway")
        except IndexStateError:
            pass
    if say:
        say(f"index faults: {found.faults} injected, {found.errors} errors")
    return found


# A build that is slow enough to be killed midway: the fake embedder, 0.2 s per batch.
KILLED_BUILD = r"""
import sys, time
from pathlib import Path
from kbqa.corpus.loader import load_faq
from kbqa.models.embedders import FakeEmbedder
from kbqa.index.store import IndexStore
class Slow(FakeEmbedder):
    def _embed(self, texts):
        time.sleep(0.2)
        return super()._embed(texts)
faq = load_faq(Path(sys.argv[2]))
print("building", flush=True)
IndexStore.build(Path(sys.argv[1]), faq.units, faq.sha256, Slow())
print("finished", flush=True)
"""


def killed_build(root: Path, corpus: Path) -> tuple[bool, str]:
    """Build an index (fake embedder), start a rebuild in a subprocess, SIGKILL it midway; the previous index
    must still load. Returns (ok, detail)."""
    from kbqa.corpus.loader import load_faq
    from kbqa.index.store import IndexStore
    from kbqa.models.embedders import FakeEmbedder

    faq = load_faq(corpus)
    first = IndexStore.build(root, faq.units, faq.sha256, FakeEmbedder())
    p = subprocess.Popen([sys.executable, "-c", KILLED_BUILD, str(root), str(corpus)], stdout=subprocess.PIPE,
                         text=True, env=child_env())
    try:
        p.stdout.readline()  # "building": imports done, the slow embedding has started
        time.sleep(0.5)
        if p.poll() is not None:
            return False, "the build finished before it could be killed"
        p.send_signal(signal.SIGKILL)
        p.wait(30)
    finally:
        if p.poll() is None:
            p.kill()
        p.stdout.close()
    try:
        again = IndexStore.load(first.path, faq.sha256, FakeEmbedder().identity())
    except Exception as e:  # noqa: BLE001
        return False, f"previous index unusable after the killed build: {e}"
    leftovers = [x.name for x in Path(root).iterdir() if x.name != first.path.name]
    return again.manifest == first.manifest, f"killed (rc {p.returncode}); temp leftovers: {len(leftovers)}"


def check_killed_build(work: Path, corpus: Path, say=None) -> Findings:
    """``killed_build`` as a check: one fault, an error unless the previous index still loads."""
    found = Findings(faults=1)
    ok, detail = killed_build(work / "killed-build" / "indexes", corpus)
    if not ok:
        found.error(f"killed build: {detail}")
    if say:
        say(f"killed build: {detail}; previous index {'loads' if ok else 'BROKEN'}")
    return found


def check_model_fault(engine, work: Path, say=None) -> Findings:
    """A copy of the built e5 folder with a truncated weights file must be found invalid (the engine then
    rebuilds it). Skipped, with no fault counted, when this profile has no built e5 folder."""
    from kbqa.models.e5build import is_valid_e5_folder

    found = Findings()
    folder = Path(engine.settings.model_cache) / "multilingual-e5-small"
    if not is_valid_e5_folder(folder):
        if say:
            say("model fault: skipped (no built e5 folder in this profile)")
        return found
    copy = work / "model-copy"
    for p in folder.rglob("*"):
        rel = p.relative_to(folder)
        if p.is_dir():
            (copy / rel).mkdir(parents=True, exist_ok=True)
        else:
            (copy / rel).parent.mkdir(parents=True, exist_ok=True)
            if p.name == "model.safetensors":
                with open(copy / rel, "wb") as f:  # sparse, one byte short: a truncated download or copy
                    f.truncate(p.stat().st_size - 1)
            else:
                shutil.copy2(p, copy / rel)
    found.faults += 1
    if is_valid_e5_folder(copy):
        found.error("a truncated model.safetensors was not detected")
    if say:
        say("model fault: truncated weights file detected")
    return found
