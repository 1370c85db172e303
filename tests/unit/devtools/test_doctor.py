"""`kbqa doctor` on a temporary KBQA_HOME with the fake embedder: each problem is one FAIL/warn line with
its fix, exit 1 on any FAIL, and it never imports torch."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from kbqa.devtools import doctor
from kbqa.engine import Engine
from kbqa.store.feedback import FeedbackStore
from kbqa.settings import Settings


@pytest.fixture
def home(tmp_path, monkeypatch):
    h = tmp_path / "home"
    monkeypatch.setenv("KBQA_HOME", str(h))
    monkeypatch.setenv("KBQA_EMBEDDER", "fake")
    return h


def _run(capsys) -> tuple[int, dict[str, str]]:
    rc = doctor.run_cli(None)
    lines = capsys.readouterr().out.splitlines()
    by_name = {}
    for line in lines[:-1]:
        status, name = line.split()[:2]
        by_name[name] = line
        assert status in ("ok", "warn", "FAIL"), line
    assert lines[-1].startswith("kbqa doctor: ")
    return rc, by_name


def _build() -> Engine:
    e = Engine(Settings.from_env(), progress=False)
    e.build()
    return e


def test_fresh_home_fails_on_the_missing_index_with_the_build_fix(home, capsys):
    rc, lines = _run(capsys)
    assert rc == 1
    assert lines["index"].startswith("FAIL") and "-> fix: kbqa build" in lines["index"]
    for name in ("python", "packages", "settings", "home", "corpus", "database", "spool"):
        assert lines[name].startswith("ok"), lines[name]


def test_after_build_everything_is_ok(home, capsys):
    _build()
    FeedbackStore(home / "kbqa.sqlite3").add(source="test", rating=1, question="q", answer="a")
    rc, lines = _run(capsys)
    assert rc == 0, lines
    assert lines["index"].startswith("ok") and "verify" in lines["index"]
    assert lines["database"].startswith("ok") and "1 feedback records" in lines["database"], lines["database"]


@pytest.mark.parametrize("damage", ["corrupt", "truncate", "delete", "manifest"])
def test_a_damaged_index_fails_with_the_rebuild_fix(home, capsys, damage):
    path = _build().load().store.path
    target = path / "dense.faiss"
    if damage == "corrupt":
        data = bytearray(target.read_bytes())
        data[len(data) // 2] ^= 0xFF
        target.write_bytes(bytes(data))
    elif damage == "truncate":
        target.write_bytes(target.read_bytes()[:100])
    elif damage == "delete":
        target.unlink()
    else:
        (path / "manifest.json").write_text("{not json", encoding="utf-8")
    rc, lines = _run(capsys)
    assert rc == 1
    assert lines["index"].startswith("FAIL") and "kbqa build --force" in lines["index"], lines["index"]


def test_bad_setting_unwritable_home_and_broken_database(home, capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("KBQA_MODE", "bogus")
    rc, lines = _run(capsys)
    assert rc == 1 and lines["settings"].startswith("FAIL") and "KBQA_MODE" in lines["settings"]
    monkeypatch.delenv("KBQA_MODE")

    _build()
    (home / "kbqa.sqlite3").write_bytes(b"this is not a database" * 100)
    rc, lines = _run(capsys)
    assert rc == 1 and lines["database"].startswith("FAIL") and "fix:" in lines["database"]
    (home / "kbqa.sqlite3").unlink()

    monkeypatch.setenv("KBQA_DATABASE_URL", "mysql://u:secret@db/kbqa")
    rc, lines = _run(capsys)
    assert rc == 1 and lines["database"].startswith("FAIL") and "does not support" in lines["database"]
    assert "secret" not in "".join(lines.values())
    monkeypatch.delenv("KBQA_DATABASE_URL")

    if os.geteuid() != 0:  # root can write anywhere
        ro = tmp_path / "ro"
        ro.mkdir()
        ro.chmod(0o500)
        monkeypatch.setenv("KBQA_HOME", str(ro / "home"))
        rc, lines = _run(capsys)
        assert lines["home"].startswith("FAIL")


def test_damaged_model_folder_and_missing_calibration(home, capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("KBQA_EMBEDDER", "sentence-transformers")
    monkeypatch.setenv("KBQA_MODELS_DIR", str(tmp_path / "models"))
    monkeypatch.setenv("KBQA_CALIBRATION", str(tmp_path / "nope.json"))
    rc, lines = _run(capsys)
    assert lines["model"].startswith("warn") and "kbqa build" in lines["model"]  # not built yet
    assert lines["calibrate"].startswith("warn") and "kbqa calibrate" in lines["calibrate"]
    folder = tmp_path / "models" / "multilingual-e5-small"
    folder.mkdir(parents=True)
    (folder / "model.safetensors").write_bytes(b"\0" * 10)
    rc, lines = _run(capsys)
    assert rc == 1 and lines["model"].startswith("FAIL") and "damaged" in lines["model"]


def test_cli_exit_codes_and_no_torch(home, tmp_path):
    env = {**os.environ, "KBQA_HOME": str(home), "KBQA_EMBEDDER": "fake"}
    p = subprocess.run([sys.executable, "-m", "kbqa.frontends.cli", "doctor"], env=env, capture_output=True, text=True,
                       timeout=60)
    assert p.returncode == 1 and "FAIL  index" in p.stdout and "Traceback" not in p.stderr
    code = ("import sys; from kbqa.devtools import doctor; doctor.run_checks(); "
            "sys.exit(1 if 'torch' in sys.modules else 0)")
    assert subprocess.run([sys.executable, "-c", code], env=env, timeout=60).returncode == 0


def test_every_failure_names_a_fix(home, capsys):
    for c in doctor.run_checks():
        if c.status != "ok":
            assert c.fix, c
        assert "\n" not in c.line()
