"""Every command with --json prints JSON and nothing else on stdout, even when a library prints while it
runs (llama-index prints "LLM is explicitly disabled. Using MockLLM." to stdout)."""
from __future__ import annotations

import json

import pytest

from kbqa.frontends import cli

NOISE = "LLM is explicitly disabled. Using MockLLM."
COVERED = {"ask", "eval", "bench"}  # the tests below; a new command with --json must be added here


def _json_commands() -> set[str]:
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    return {name for name, p in sub.choices.items() if any("--json" in a.option_strings for a in p._actions)}


def test_every_command_with_json_is_covered():
    assert _json_commands() == COVERED


@pytest.fixture
def fake_env(monkeypatch, fake_engine):
    monkeypatch.setenv("KBQA_EMBEDDER", "fake")
    monkeypatch.setenv("KBQA_HOME", str(fake_engine.settings.home))  # reuses the session's fake index


def _noisy(monkeypatch, target: str):
    module, name = target.rsplit(".", 1)
    import importlib

    obj = importlib.import_module(module)
    cls_name, _, meth = name.partition(":")
    owner = getattr(obj, cls_name) if meth else obj
    attr = meth or cls_name
    real = getattr(owner, attr)

    def wrapper(*a, **kw):
        print(NOISE)
        return real(*a, **kw)

    monkeypatch.setattr(owner, attr, wrapper)


def _only_json(capsys) -> dict:
    out, err = capsys.readouterr()
    assert NOISE not in out and NOISE in err
    return json.loads(out)


def test_ask_json_is_pure(fake_env, monkeypatch, capsys):
    _noisy(monkeypatch, "kbqa.engine.Engine:ask")
    assert cli.main(["ask", "--json", "容器里怎么执行定时任务"]) == 0
    assert "answer" in _only_json(capsys)


def test_eval_json_is_pure(fake_env, monkeypatch, capsys, tmp_path):
    from kbqa.settings import REPO_ROOT

    one = tmp_path / "one.jsonl"
    one.write_text((REPO_ROOT / "eval" / "dev.jsonl").read_text(encoding="utf-8").splitlines()[0] + "\n",
                   encoding="utf-8")
    _noisy(monkeypatch, "kbqa.engine.Engine:load")
    assert cli.main(["eval", str(one), "--mode", "lexical", "--json"]) == 0
    assert _only_json(capsys)["answer_mode"] == "extractive"


def test_bench_json_is_pure(monkeypatch, capsys):
    from kbqa.devtools.bench import runner

    def fake_run(quick, progress):
        print(NOISE)  # as llama-index does when the baseline is built
        return {"ask_p50_ms": 1.0, "notes": []}

    monkeypatch.setattr(runner, "run", fake_run)
    assert cli.main(["bench", "--json"]) == 0
    assert _only_json(capsys)["ask_p50_ms"] == 1.0
