"""The kbqa command: fast help, one-line errors, JSON output."""
import json
import os
import subprocess
import sys

import pytest

from kbqa.settings import REPO_ROOT

pytestmark = pytest.mark.slow  # every test runs the kbqa command in a process


def run(args, tmp_path, **env):
    e = {**os.environ, "KBQA_HOME": str(tmp_path / "h"), "KBQA_EMBEDDER": "fake", "KBQA_MODE": "lexical", **env}
    return subprocess.run([sys.executable, "-m", "kbqa.frontends.cli", *args], capture_output=True, text=True, env=e,
                          cwd=REPO_ROOT, timeout=120)


def test_help_does_not_import_torch():
    code = "import sys; from kbqa.frontends.cli import build_parser; build_parser(); print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO_ROOT)
    assert out.stdout.strip() == "False"


def test_ask_json(tmp_path):
    p = run(["ask", "容器里怎么执行定时任务？", "--json"], tmp_path)
    assert p.returncode == 0, p.stderr
    d = json.loads(p.stdout)
    assert d["status"] == "answered" and d["topic"] == 1


def test_errors_are_one_line_with_nonzero_exit(tmp_path):
    for args, env in ((["ask", ""], {}), (["ask", "x"], {"KBQA_CORPUS": str(tmp_path / "missing.json")}),
                      (["ask", "x"], {"KBQA_MODE": "bogus"}), (["ask", "x"], {"KBQA_TOP_K": "many"})):
        p = run(args, tmp_path, **env)
        assert p.returncode != 0
        lines = p.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("kbqa: error:"), p.stderr
        assert "Traceback" not in p.stderr


def test_mode_error_lists_the_choices(tmp_path):
    p = run(["ask", "x"], tmp_path, KBQA_MODE="bogus")
    assert "hybrid, lexical, dense" in p.stderr


def test_config_lists_every_setting(tmp_path):
    from dataclasses import fields

    from kbqa.settings import Settings, env_name

    p = run(["config"], tmp_path, KBQA_LLM_API_KEY="sekret")
    assert p.returncode == 0
    for f in fields(Settings):
        assert f"{env_name(f)}=" in p.stdout
    assert "sekret" not in p.stdout


def test_chat_follows_up_in_the_terminal(tmp_path):
    e = {**os.environ, "KBQA_HOME": str(tmp_path / "h"), "KBQA_EMBEDDER": "fake", "KBQA_MODE": "lexical"}
    p = subprocess.run([sys.executable, "-m", "kbqa.frontends.cli", "chat"], input="容器云平台的整体规划：计算资源、存储、网络怎么选型？\n那存储呢？\n\n",
                       capture_output=True, text=True, env=e, cwd=REPO_ROOT, timeout=120)
    assert p.returncode == 0, p.stderr
    assert p.stdout.count("问题 7") == 2  # both turns answered from question 7


def test_chat_lists_suggestions_and_a_number_asks_one(tmp_path):
    e = {**os.environ, "KBQA_HOME": str(tmp_path / "h"), "KBQA_EMBEDDER": "fake", "KBQA_MODE": "lexical"}
    p = subprocess.run([sys.executable, "-m", "kbqa.frontends.cli", "chat"], input="第九个问题\n1\n\n",
                       capture_output=True, text=True, env=e, cwd=REPO_ROOT, timeout=120)
    assert p.returncode == 0, p.stderr
    first, _, second = p.stdout.partition("你> 问题10")
    assert "**问题 9：" in first and "  1. 问题10：" in first  # the numbered list under the answer
    assert "**问题 10：" in second  # "1" asked the first suggestion
