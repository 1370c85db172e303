"""Security properties checked on the source and the running pieces: loopback by default, no shell, SQL
only with bound parameters, user text escaped in HTML, secrets masked; and issue 19's small leaks (URLs in
config and logs, paths in errors, file modes, Gradio's temp folder, the serving install). The HTTP
surface of issue 19 is in test_web_security.py, the poisoned corpus in test_web_browser.py."""
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


def _imports_sqlalchemy_text(tree) -> bool:
    return any(isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy")
               and any(a.name == "text" for a in node.names) for node in ast.walk(tree))


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
        sql_text = name in ("sa.text", "sqlalchemy.text") or (name == "text" and _imports_sqlalchemy_text(tree))
        if sql_text:  # raw SQL for SQLAlchemy: a literal only (kbqa.answer.render.text is not SQL)
            assert call.args and isinstance(call.args[0], ast.Constant), f"{path}:{call.lineno} builds SQL text"


def test_the_store_binds_every_value(any_db):
    """Values that would break SQL built by formatting are stored verbatim, on SQLite and PostgreSQL; the other
    rows and the table survive, and the same record sent twice is stored once (ON CONFLICT DO NOTHING)."""
    from kbqa.store.feedback import FeedbackStore

    store = FeedbackStore(any_db)
    evil = ["'); DROP TABLE feedback; --", "x' OR '1'='1", 'a"b\\c; DELETE FROM questions', "%s %(x)s {0} ?",
            "Robert'); --\n引号'’"]
    ids = [store.add(source="web", rating=1, question=q, answer=q, extra={"k": q}) for q in evil]
    recs = {r["id"]: r for r in store.records()}
    assert store.count() == len(evil) == len(recs)
    for rid, q in zip(ids, evil):
        assert recs[rid]["question"] == q and recs[rid]["answer"] == q and recs[rid]["extra"]["k"] == q


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
    # the browse view: the FAQ's title, question titles and descriptions, experts and their titles
    import dataclasses

    from kbqa.corpus.loader import load_faq
    from kbqa.settings import REPO_ROOT

    faq = load_faq(REPO_ROOT / "corpus" / "faq.json")
    evil = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    faq = dataclasses.replace(
        faq, title=evil,
        topics=tuple(dataclasses.replace(t, title=evil, description=t.description and evil) for t in faq.topics),
        units=tuple(dataclasses.replace(u, expert=evil, expert_title=evil) if u.kind == "answer" else u
                    for u in faq.units))
    page = web_render.browse_html(faq)
    assert "<script>" not in page and "<img" not in page
    assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 1 + len(faq.topics) + 2 * sum(
        u.kind == "answer" for u in faq.units)


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


# ---- issue 19, finding 7: small leaks -----------------------------------------------------------------
def test_config_masks_url_user_info_and_query(monkeypatch, capsys):
    monkeypatch.setenv("KBQA_LLM_BASE_URL", "https://kbqa:hunter2@llm.bank.internal/v1?api-key=sk-in-query&x=1")
    monkeypatch.setenv("SLACK_API_BASE_URL", "http://user:pw@127.0.0.1:9/api/?token=xoxb-1")
    assert cli.main(["config"]) == 0
    out = capsys.readouterr().out
    for secret in ("hunter2", "kbqa:", "sk-in-query", "pw@", "xoxb-1"):
        assert secret not in out, secret
    assert "KBQA_LLM_BASE_URL=https://***@llm.bank.internal/v1?api-key=***&x=***" in out


def test_urls_in_log_messages_are_masked(caplog):
    import logging

    from kbqa.answer.llm import LLMClient
    from kbqa.errors import mask_urls_in_logs

    before = logging.getLogRecordFactory()
    mask_urls_in_logs()
    try:
        with caplog.at_level(logging.INFO):
            logging.getLogger("httpx").info('HTTP Request: POST %s "HTTP/1.1 200 OK"',
                                            "https://u:hunter2@llm.example/v1/chat/completions?api-key=k1")
            logging.getLogger("kbqa.test").warning("client %r", LLMClient("https://u:p2@h.example/v1?key=k2", "m"))
    finally:
        logging.setLogRecordFactory(before)
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "hunter2" not in text and "k1" not in text and "p2" not in text and "k2" not in text
    assert "https://***@llm.example/v1/chat/completions?api-key=***" in text
    assert "p2" not in repr(LLMClient("https://u:p2@h.example/v1", "m"))


def test_errors_for_people_carry_no_absolute_paths():
    from kbqa.errors import KbqaError, public, user_text

    e = KbqaError("corpus not found: /srv/bank/secret/faq.json (set KBQA_CORPUS)")
    assert user_text(e) == "⚠️ 知识库暂时不可用：corpus not found: …/faq.json (set KBQA_CORPUS)"
    assert public("cannot write the index under /home/ops/.kbqa: Permission denied") == \
        "cannot write the index under …/.kbqa: Permission denied"
    assert public("see https://h.example/a/b and 1/2") == "see https://h.example/a/b and 1/2"


@pytest.mark.slow
def test_the_program_keeps_its_home_private(tmp_path):
    """KBQA_HOME's files were created 0644 (kbqa.sqlite3 holds questions and feedback, id_salt the key of the
    hashed Slack ids). The program
    (not the library) sets a 0077 umask, and makes an existing home 0700."""
    import os
    import stat
    import subprocess
    import sys

    home = tmp_path / "home"
    home.mkdir(mode=0o755)
    home.chmod(0o755)
    env = {**os.environ, "KBQA_HOME": str(home), "KBQA_EMBEDDER": "fake"}
    for args in (["build"], ["feedback", "export", "--out", str(tmp_path / "export.jsonl")]):
        p = subprocess.run([sys.executable, "-m", "kbqa.frontends.cli", *args], env=env, capture_output=True,
                           text=True, timeout=300)
        assert p.returncode == 0, p.stderr[-2000:]
    made = [home, *home.rglob("*")]
    names = {p.name for p in made}  # the database (feedback, question log), the id key, the index
    assert {"kbqa.sqlite3", "id_salt", "manifest.json"} <= names, names
    for path in made:
        if path.is_symlink():  # the index's path links to its build folder, checked itself; a link's mode is moot
            continue
        mode = stat.S_IMODE(path.lstat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), (path, oct(mode))


def test_serving_uses_a_private_gradio_temp_dir(tmp_path, monkeypatch):
    import os
    import stat

    monkeypatch.delenv("GRADIO_TEMP_DIR", raising=False)
    tmp = web.prepare_process(Settings(home=tmp_path / "home"))
    assert os.environ["GRADIO_TEMP_DIR"] == str(tmp) and tmp.parent == tmp_path / "home"
    assert stat.S_IMODE(tmp.stat().st_mode) == 0o700 and stat.S_IMODE(tmp.parent.stat().st_mode) == 0o700


def test_gradio_is_set_up_without_uploads_and_with_a_cache_cleanup(fake_engine, tmp_path):
    from kbqa.store.feedback import FeedbackStore

    app = web.create_app(fake_engine, FeedbackStore(tmp_path / "f.sqlite3"))
    blocks = next(r.app for r in app.routes if type(r).__name__ == "Mount").get_blocks()
    assert blocks.max_file_size == 0 and blocks.delete_cache == (3600, 3600)


def test_nothing_sets_gradio_temp_dir_at_import():
    """Only entry points change the process: no module writes the environment when imported."""
    for path in SOURCES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:  # statements run at import (not function or class bodies)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                continue
            src = ast.get_source_segment(path.read_text(encoding="utf-8"), node) or ""
            assert "os.environ[" not in src and "os.umask" not in src, f"{path}: {src[:80]}"


def test_make_install_has_no_test_extras():
    makefile = (PACKAGE.parent / "Makefile").read_text(encoding="utf-8")
    install = makefile.split("$(STAMP): pyproject.toml constraints.txt")[1].split("\n\n")[0]
    assert "-e ." in install and "[test]" not in install
    test = makefile.split("\ntest:")[1].split("\n\n")[0]
    assert "TESTSTAMP" in test and "'.[test]'" in makefile.split("$(TESTSTAMP): $(STAMP)")[1].split("\n\n")[0]


def _installed_graph() -> dict[str, str]:
    """Every distribution that installing kbqa with its test extras pulls in: canonical name -> version."""
    from importlib import metadata

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    seen: dict[str, str] = {}

    def walk(name: str, extras: set[str]) -> None:
        key = canonicalize_name(name)
        if key in seen:
            return
        try:
            dist = metadata.distribution(key)
        except metadata.PackageNotFoundError:
            return  # a requirement whose marker excludes this interpreter, or an optional extra not installed
        seen[key] = dist.version
        for text in dist.requires or []:
            req = Requirement(text)
            if req.marker and not any(req.marker.evaluate({"extra": e}) for e in (extras or {""})):
                continue
            walk(req.name, set(req.extras))

    walk("kbqa", {"", "test"})
    seen.pop("kbqa")
    return seen


def test_constraints_pin_exactly_what_is_installed_so_pip_audit_sees_it():
    """docs/security.md audits constraints.txt with `pip-audit --no-deps`: that checks only the lines in the file,
    as written. So every line must be an exact pin, and every package the install pulls in (the test extras
    too) must be there at the version that is installed; a package missing from the file is never audited."""
    from packaging.utils import canonicalize_name
    from packaging.version import Version

    pins: dict[str, str] = {}
    for line in (PACKAGE.parent / "constraints.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if line:
            assert re.fullmatch(r"[A-Za-z0-9._-]+==[A-Za-z0-9.+!-]+", line), f"not an exact pin: {line}"
            name, version = line.split("==")
            pins[canonicalize_name(name)] = version
    installed = _installed_graph()
    assert len(installed) > 50  # the walk found the install, not an empty graph
    unpinned = sorted(set(installed) - set(pins))
    assert not unpinned, f"installed but not in constraints.txt (pip-audit would skip them): {unpinned}"
    # a local label (torch's +cpu) is the same release for an advisory
    drift = {n: (pins[n], v) for n, v in installed.items() if Version(pins[n]) != Version(Version(v).public)}
    assert not drift, f"constraints.txt pins another version than the one installed: {drift}"
