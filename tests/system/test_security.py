"""Security properties checked on the source and the running pieces: loopback by default, no shell, SQL
only with bound parameters, user text escaped in HTML, secrets masked."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from kbqa.frontends import cli
from kbqa.frontends.web import app as web
from kbqa.frontends.web import render as web_render
from kbqa.settings import Settings

PACKAGE = Path(cli.__file__).parents[1]  # the kbqa package
SOURCES = sorted(PACKAGE.rglob("*.py"))


def test_servers_bind_loopback_by_default():
    assert Settings().host == "127.0.0.1"
    assert Settings.from_env({}).host == "127.0.0.1"
    args = cli.build_parser().parse_args(["slack"])
    assert args.host == "127.0.0.1"
    assert cli.build_parser().parse_args(["serve"]).host is None  # -> KBQA_HOST -> 127.0.0.1
    import inspect

    from kbqa.frontends.slack import app as slack_app

    assert inspect.signature(slack_app.make_http_server).parameters["host"].default == "127.0.0.1"
    assert inspect.signature(web.serve_in_thread).parameters["host"].default == "127.0.0.1"
    for path in SOURCES:  # nothing binds all interfaces on its own
        assert "0.0.0.0" not in path.read_text(encoding="utf-8"), path


def _calls(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            yield node


def _name(func) -> str:
    if isinstance(func, ast.Attribute):
        return f"{_name(func.value)}.{func.attr}"
    return func.id if isinstance(func, ast.Name) else ""


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_shell_and_no_sql_formatting(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for call in _calls(tree):
        name = _name(call.func)
        assert name not in ("os.system", "os.popen", "eval", "exec", "pickle.loads"), f"{path}:{call.lineno} {name}"
        for kw in call.keywords:
            if kw.arg == "shell":
                assert isinstance(kw.value, ast.Constant) and kw.value.value is False, f"{path}:{call.lineno}"
        if name.endswith((".execute", ".executemany", ".executescript", ".exec_driver_sql")) and call.args:
            sql = call.args[0]
            # a literal, a module constant or a SQLAlchemy Core statement; never an f-string, %, + or .format()
            # built at the call
            assert not isinstance(sql, (ast.JoinedStr, ast.BinOp)), f"{path}:{call.lineno} builds SQL"
            assert not (isinstance(sql, ast.Call) and _name(sql.func).endswith(".format")), f"{path}:{call.lineno}"
        if name in ("text", "sa.text", "sqlalchemy.text"):  # raw SQL for SQLAlchemy: a literal only
            assert call.args and isinstance(call.args[0], ast.Constant), f"{path}:{call.lineno} builds SQL text"


def test_the_store_binds_every_value():
    """The store builds statements with SQLAlchemy Core (values bound by the driver); raw SQL only as literals."""
    src = (PACKAGE / "store" / "spool.py").read_text(encoding="utf-8")
    assert "on_conflict_do_nothing()" in src and "insert(table)" in src


def test_plain_markdown_escapes_user_text():
    for evil in ("<img src=x onerror=alert(1)>", "<script>alert(1)</script>", "[x](javascript:alert(1))",
                 "**bold** `code` ![i](http://e.invalid/i.png)"):
        out = web_render.plain_markdown(evil)
        assert "<" not in out and ">" not in out.replace("&gt;", "")
        assert "](" not in out  # link syntax neutralised
    assert web_render.plain_markdown("a & b") == "a &amp; b"


def test_sources_panel_and_browse_escape_everything():
    c = {"n": 1, "topic": 2, "topic_title": "<b>t</b>", "expert": "<script>e</script>", "expert_title": "\"'<>",
         "quote": "<img src=x onerror=1>", "text": "line1\n<iframe>"}
    out = web_render.sources_html([c])
    for raw in ("<b>t", "<script>", "<img", "<iframe"):
        assert raw not in out


def test_secrets_are_masked_in_config(monkeypatch, capsys):
    monkeypatch.setenv("KBQA_LLM_API_KEY", "sk-very-secret-123")
    assert cli.main(["config"]) == 0
    out = capsys.readouterr().out
    assert "sk-very-secret-123" not in out and "KBQA_LLM_API_KEY=***" in out


def test_no_secret_reaches_a_log_or_print_call():
    """No logging/print call formats a token, secret or API key variable."""
    pat = re.compile(r"(token|secret|api_key|password)", re.I)
    for path in SOURCES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for call in _calls(tree):
            name = _name(call.func)
            if name in ("print",) or name.startswith("log.") or name.startswith("logging."):
                for arg in list(call.args) + [k.value for k in call.keywords]:
                    for n in ast.walk(arg):
                        if isinstance(n, (ast.Name, ast.Attribute)):
                            ident = n.id if isinstance(n, ast.Name) else n.attr
                            assert not pat.search(ident) or ident.endswith(("_url", "_path", "_count")), \
                                f"{path}:{call.lineno} logs {ident}"
