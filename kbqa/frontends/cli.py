"""The `kbqa` command. Importing this module is cheap: every command loads what it needs when it runs,
so `kbqa --help` never imports torch. Errors are one line on stderr with a non-zero exit code."""
from __future__ import annotations

import argparse
import importlib
import json
import os
import sys

# name -> (help, "module:function"); the function takes the parsed args and returns an exit code.
COMMANDS = {
    "build": ("build (or rebuild) the index for the configured corpus and model", "kbqa.frontends.cli:cmd_build"),
    "ask": ("answer one question from the FAQ", "kbqa.frontends.cli:cmd_ask"),
    "chat": ("a conversation in the terminal (follow-ups use the history)", "kbqa.frontends.cli:cmd_chat"),
    "config": ("show every KBQA_* setting with its value and meaning", "kbqa.frontends.cli:cmd_config"),
    "corpus": ("rebuild corpus/faq.json from the raw article and the corrections table", "kbqa.frontends.cli:cmd_corpus"),
    "kb": ("import another FAQ (CSV, XLSX, JSON, Markdown, article); self-test or version of the KB", "kbqa.kb.cli:run"),
    "calibrate": ("fit the answer/not-covered decision on a dev eval set", "kbqa.devtools.calibrate:run"),
    "chatter": ("fit the overview/small-talk second opinion on the dev eval files", "kbqa.devtools.chatter:run"),
    "eval": ("measure answer quality on eval sets (JSONL)", "kbqa.evaluation.cli:run"),
    "serve": ("start the web app: Gradio chat page and JSON API", "kbqa.frontends.web.app:run_cli"),
    "slack": ("run the Slack bot (Events API over HTTP, or Socket Mode)", "kbqa.frontends.slack.app:run_cli"),
    "feedback": ("export the thumbs up/down feedback store", "kbqa.store.feedback:run_cli"),
    "questions": ("export the question log (every answered question)", "kbqa.store.questions:run_cli"),
    "db": ("the database: upgrade its schema, or show its state", "kbqa.frontends.cli:cmd_db"),
    "bench": ("measure speed, memory and scale; print the figures", "kbqa.devtools.bench:run_cli"),
    "doctor": ("check the environment and say how to fix what is wrong", "kbqa.devtools.doctor:run_cli"),
}


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="kbqa", description="Answers questions from an expert FAQ, citing who said what.")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    cmd = {name: sub.add_parser(name, help=h, description=h) for name, (h, _) in COMMANDS.items()}
    cmd["build"].add_argument("--force", action="store_true", help="rebuild even if a valid index exists")
    for name in ("ask", "chat", "eval"):
        cmd[name].add_argument("--mode", choices=("hybrid", "lexical", "dense"), help="retrieval mode (default: KBQA_MODE)")
    cmd["ask"].add_argument("question", help="the question, in Chinese or English")
    cmd["ask"].add_argument("--json", action="store_true", help="print the Answer as JSON")
    cmd["corpus"].add_argument("--check", action="store_true", help="exit 1 if the committed corpus/faq.json is stale")
    cmd["calibrate"].add_argument("--dev", nargs="+", default=None, help="dev eval sets (default: eval/dev.jsonl, eval/dev_oldtest.jsonl, eval/dev_conv.jsonl)")
    cmd["calibrate"].add_argument("--scope-dev", nargs="+", default=None, help="eval sets the scope model is fitted on "
                                  "(default: every dev*.jsonl beside the dev sets)")
    cmd["calibrate"].add_argument("--only", choices=("scope", "memory"), default=None,
                                  help="refit only the scope model and its memory, beside the stored decision, or only "
                                       "the memory (default: everything)")
    cmd["calibrate"].add_argument("--out", default=None, help="where to write (default: KBQA_CALIBRATION)")
    cmd["chatter"].add_argument("--dev", nargs="+", default=None, help="dev eval sets (default: every eval/dev*.jsonl)")
    cmd["chatter"].add_argument("--out", default=None, help="where to write (default: kbqa/conversation/data/chatter.npz)")
    cmd["chatter"].add_argument("--vectors-out", default=None,
                                help="where to write the vector model (default: kbqa/conversation/data/chatter_vectors.npz)")
    cmd["eval"].add_argument("files", nargs="+", help="eval sets in the JSONL format of shared/eval/README.md")
    cmd["eval"].add_argument("--json", action="store_true", help="print the metrics as one JSON object")
    cmd["eval"].add_argument("--report", metavar="DIR", help="write JSON, markdown, a PNG chart and failures to DIR")
    cmd["eval"].add_argument("--compare", metavar="MODES", help="comma-separated modes to run side by side, e.g. lexical,dense,hybrid")
    cmd["eval"].add_argument("--llm", action="store_true", help="evaluate the LLM answer mode (needs KBQA_LLM_BASE_URL)")
    cmd["eval"].add_argument("--gate", action="store_true", help="exit 1 if a metric is below the quality bar")
    for name in ("serve",):
        cmd[name].add_argument("--host", default=None, help="bind address (default: KBQA_HOST, 127.0.0.1)")
        cmd[name].add_argument("--port", type=int, default=None, help="port (default: KBQA_PORT, 7860)")
    cmd["serve"].add_argument("--workers", type=_positive, default=None,
                              help="worker processes (default: KBQA_WORKERS, 1); /metrics adds them up")
    cmd["slack"].add_argument("--port", type=int, default=3000, help="HTTP port for /slack/events (default 3000)")
    cmd["slack"].add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    cmd["slack"].add_argument("--socket", action="store_true", help="use Socket Mode (needs SLACK_APP_TOKEN)")
    from kbqa.kb.cli import add_arguments as kb_arguments

    kb_arguments(cmd["kb"])
    fb = cmd["feedback"].add_subparsers(dest="action", metavar="ACTION")
    exp = fb.add_parser("export", help="write every feedback record as JSONL")
    exp.add_argument("--out", default="-", help="output file (default: stdout)")
    exp.add_argument("--since", default=None, help="only records from this date on (YYYY-MM-DD, ISO time, or 7d)")
    qs = cmd["questions"].add_subparsers(dest="action", metavar="ACTION")
    qexp = qs.add_parser("export", help="write the logged questions as JSONL")
    qexp.add_argument("--since", default=None, help="only questions from this date on (YYYY-MM-DD, ISO time, or 7d)")
    qexp.add_argument("--unanswered", action="store_true", help="only questions the FAQ did not cover")
    qexp.add_argument("--out", default="-", help="output file (default: stdout)")
    dbs = cmd["db"].add_subparsers(dest="action", metavar="ACTION")
    dbs.add_parser("upgrade", help="migrate the schema to this kbqa's version (and import the old feedback file)")
    dbs.add_parser("status", help="the schema version, row counts and the local spool")
    cmd["bench"].add_argument("--json", action="store_true", help="print the figures as JSON")
    cmd["bench"].add_argument("--report", metavar="DIR", help="write the figures and the scale plot to DIR")
    cmd["bench"].add_argument("--stress", action="store_true", help="run the stress and fault-injection suite")
    cmd["bench"].add_argument("--quick", action="store_true", help="smaller runs (for smoke tests)")
    return p


def entry(argv: list[str] | None = None) -> int:
    """The `kbqa` program (console script, ``python -m kbqa.frontends.cli``, ``app.py``): prepares the
    process, then runs ``main``. Tests call ``main`` directly and leave their own process alone."""
    prepare_process()
    return main(argv)


def prepare_process() -> None:
    """What the program changes in its own process, once, before any command runs: files it creates are
    0600 and folders 0700 (KBQA_HOME holds questions, feedback and Slack ids; built models and indexes
    too), an existing KBQA_HOME is made 0700, and URLs in log messages are masked (user-info, query)."""
    from kbqa.errors import mask_urls_in_logs

    os.umask(0o077)
    mask_urls_in_logs()
    try:
        from kbqa.settings import Settings

        home = Settings.from_env().home
        if home.is_dir() and not home.is_symlink():
            home.chmod(0o700)
    except Exception:  # noqa: BLE001 - a bad setting or an unowned folder is reported by the command itself
        pass


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError("must be a whole number of at least 1")
    return int(text)


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # the app is offline: before gradio is imported
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 0
    module, func = COMMANDS[args.command][1].split(":")
    stdout = sys.stdout
    if getattr(args, "json", False):
        # stdout carries the JSON and nothing else: whatever a library prints while the command runs (llama-index's
        # "LLM is explicitly disabled. Using MockLLM.") goes to stderr; the command writes to json_stdout(args)
        args.json_out = stdout
        sys.stdout = sys.stderr
    try:
        return int(getattr(importlib.import_module(module), func)(args) or 0)
    except KeyboardInterrupt:
        print("kbqa: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as e:  # noqa: BLE001 - the CLI's contract: one line, never a traceback
        if _debug():
            raise
        from kbqa.errors import one_line

        print(f"kbqa: error: {one_line(e)}", file=sys.stderr)
        return 2
    finally:
        sys.stdout = stdout


def json_stdout(args):
    """Where a command with ``--json`` writes its JSON: the real stdout (see main)."""
    return getattr(args, "json_out", None) or sys.stdout


def _debug() -> bool:
    from kbqa.settings import Settings

    try:
        return Settings.from_env().debug
    except Exception:  # noqa: BLE001 - a bad setting is itself the error being reported
        return False


def _engine():
    from kbqa.engine import Engine

    return Engine()


def cmd_build(args) -> int:
    path = _engine().build(force=args.force)
    print(f"index ready: {path}")
    return 0


def suggestions_text(answer) -> str:
    """The suggestions as a numbered list (in `kbqa chat`, typing the number asks it)."""
    if not answer.suggestions:
        return ""
    return "\n".join(["接着可以问 (type a number to ask):"] +
                     [f"  {i}. {s.text}" for i, s in enumerate(answer.suggestions, start=1)])


def cmd_ask(args) -> int:
    answer = _engine().ask(args.question, mode=args.mode)
    if args.json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2), file=json_stdout(args))
    else:
        print(answer.answer)
        if answer.suggestions:
            print("\n" + suggestions_text(answer))
    return 0


def cmd_chat(args) -> int:
    from kbqa.engine import InvalidQuestion
    from kbqa.store import open_store

    engine = _engine()
    store = open_store(engine.settings)
    store.prepare()
    engine = store.recorded(engine, "cli")  # every answer goes to the question log
    history: list[dict] = []
    offered: list[str] = []  # the last answer's suggestions: "2" asks the second
    print("kbqa chat: ask about the FAQ; a number asks that suggestion; empty line or Ctrl-D to quit.",
          file=sys.stderr)
    while True:
        try:
            q = input("你> ")
        except EOFError:
            print(file=sys.stderr)
            return 0
        if not q.strip():
            return 0
        if q.strip().isdigit() and 1 <= int(q.strip()) <= len(offered):
            q = offered[int(q.strip()) - 1]
            print(f"你> {q}")
        try:
            a = engine.ask(q, history=history, mode=args.mode)
        except InvalidQuestion as e:
            print(f"kbqa: {e}", file=sys.stderr)
            continue
        print(a.answer + "\n")
        if a.suggestions:
            print(suggestions_text(a) + "\n")
        offered = [s.text for s in a.suggestions]
        history += [{"role": "user", "content": q}, {"role": "assistant", "content": a.answer}]


def cmd_db(args) -> int:
    """`kbqa db upgrade` / `kbqa db status`."""
    from kbqa.settings import Settings
    from kbqa.store import open_store
    from kbqa.store.db import DatabaseUnavailable, SchemaBehind
    from kbqa.store.feedback import LEGACY_FILE, import_legacy, is_legacy_file
    from kbqa.store.schema import HEAD
    from pathlib import Path

    settings = Settings.from_env()
    store = open_store(settings)
    db = store.db
    if args.action == "upgrade":
        before, after = db.upgrade()
        print(f"{db.safe_url}: schema {before or 'none'} -> {after}" if before != after else
              f"{db.safe_url}: schema already at {after}")
        legacy = Path(settings.home) / LEGACY_FILE
        if is_legacy_file(legacy):
            n = import_legacy(db, legacy)
            print(f"imported {n} feedback records from {legacy} (kept as {legacy.name}.migrated)")
        return 0
    if args.action == "status":
        try:
            rev = db.revision()
        except DatabaseUnavailable as e:
            print(f"database: {e}")
            rev = "unreachable"
        print(f"database: {db.safe_url}\nschema: {rev or 'none'} (this kbqa: {HEAD})")
        if rev == HEAD:
            print(f"questions: {store.log.count()}\nfeedback: {store.feedback.count()}")
        spool = Path(settings.home) / "spool"
        files = sorted(spool.glob("*.jsonl")) if spool.is_dir() else []
        damaged = sorted(spool.glob("*.corrupt")) if spool.is_dir() else []
        size = sum(f.stat().st_size for f in files)
        print(f"spool: {spool} ({len(files)} files, {size} bytes waiting; {len(damaged)} damaged kept aside)")
        if rev not in (HEAD, "unreachable"):
            raise SchemaBehind("the schema is behind: run `kbqa db upgrade`")
        return 0
    print("usage: kbqa db upgrade | kbqa db status", file=sys.stderr)
    return 2


def cmd_config(args) -> int:
    from kbqa.settings import Settings

    for var, value, doc in Settings.from_env().describe():
        print(f"{var}={value}\n    {doc}")
    return 0


def cmd_corpus(args) -> int:
    from kbqa.corpus.clean import main as corpus_main

    return int(corpus_main(["--check"] if args.check else []) or 0)


if __name__ == "__main__":
    sys.exit(entry())
