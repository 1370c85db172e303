"""`python -m kbqa.devtools.installed`: what the Makefile's set-up prints and keeps for `kbqa bench`."""
import json
import time

from kbqa.devtools import installed


def _venv(tmp_path, monkeypatch, torch: bool):
    venv = tmp_path / "venv"
    site = venv / "lib" / "site-packages"
    (site / "numpy").mkdir(parents=True)
    (site / "numpy" / "core.so").write_bytes(b"x" * 3 * 2**20)
    if torch:
        (site / "torch").mkdir()
        (site / "torch" / "lib.so").write_bytes(b"x" * 5 * 2**20)
    monkeypatch.setattr(installed.sys, "prefix", str(venv))
    monkeypatch.setattr(installed.sysconfig, "get_paths", lambda: {"purelib": str(site)})
    return venv


def test_each_step_is_kept_with_its_time_and_size(tmp_path, monkeypatch, capsys):
    venv = _venv(tmp_path, monkeypatch, torch=False)
    assert installed.read() == {}
    assert installed.main(["--since", str(time.time() - 42), "--what", "install"]) == 0
    line = capsys.readouterr().out
    assert "install done in 42 s" in line and "venv is 3 MB" in line and "torch not installed" in line
    (venv / "lib" / "site-packages" / "torch").mkdir()
    (venv / "lib" / "site-packages" / "torch" / "lib.so").write_bytes(b"x" * 5 * 2**20)
    installed.main(["--since", str(time.time()), "--what", "test"])
    record = installed.read()
    assert set(record) == {"install", "test"}  # the serving set-up's figures survive the test extras
    assert record["install"]["venv_mb"] == 3.0 and record["install"]["has_torch"] is False
    assert record["test"]["venv_mb"] == 8.0 and record["test"]["has_torch"] is True
    assert list(record["test"]["largest_mb"]) == ["torch", "numpy"]


def test_a_corrupt_record_reads_as_none_kept(tmp_path, monkeypatch):
    venv = _venv(tmp_path, monkeypatch, torch=True)
    (venv / installed.RECORD).write_text("{not json", encoding="utf-8")
    assert installed.read() == {}
    (venv / installed.RECORD).write_text(json.dumps([1, 2]), encoding="utf-8")
    assert installed.read() == {}
    installed.main(["--what", "torch"])  # no --since: sizes only
    assert "install_s" not in installed.read()["torch"]
