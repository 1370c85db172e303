"""`kbqa eval FILE... [--json] [--report DIR] [--compare MODES] [--mode M] [--llm] [--gate]`.

Exit codes: 0 done; 1 ``--gate`` and a metric is below ``metrics.QUALITY_BAR``; 2 (from kbqa.frontends.cli) a one-line
error: missing file, bad JSONL row (file:line), unknown mode, --llm without KBQA_LLM_BASE_URL.
"""
from __future__ import annotations

import json
import shlex
import sys
from datetime import datetime, timezone
from pathlib import Path

from kbqa.settings import MODES


def parse_modes(args, default: str) -> list[str]:
    from kbqa.engine import KbqaError

    compare = getattr(args, "compare", None)
    if not compare:
        return [getattr(args, "mode", None) or default]
    if getattr(args, "mode", None):
        raise KbqaError("use either --mode or --compare, not both")
    modes = []
    for m in (x.strip() for x in compare.split(",")):
        if not m:
            continue
        if m not in MODES:
            raise KbqaError(f"--compare: unknown mode {m!r}; choose from: {', '.join(MODES)}")
        if m not in modes:
            modes.append(m)
    if not modes:
        raise KbqaError(f"--compare needs a comma-separated list of modes, e.g. {','.join(MODES)}")
    return modes


def load_sets(files: list[str]) -> tuple[dict[str, list[dict]], dict[str, str]]:
    """({set name: items}, {set name: path}); one-line KbqaError for a missing file or a bad row."""
    from kbqa.engine import KbqaError
    from kbqa.evaluation.dataset import load
    from kbqa.evaluation.report import set_names

    sets, paths = {}, {}
    for name, f in zip(set_names(files), files):
        try:
            sets[name] = load(f)
        except FileNotFoundError:
            raise KbqaError(f"eval set not found: {f}") from None
        except PermissionError:
            raise KbqaError(f"cannot read eval set: {f} (permission denied)") from None
        except ValueError as e:
            raise KbqaError(str(e).splitlines()[0]) from None
        paths[name] = str(f)
    return sets, paths


def command_line(args) -> str:
    parts = ["kbqa", "eval", *args.files]
    if getattr(args, "mode", None):
        parts += ["--mode", args.mode]
    if getattr(args, "compare", None):
        parts += ["--compare", args.compare]
    for flag in ("llm", "gate", "json"):
        if getattr(args, flag, False):
            parts.append(f"--{flag}")
    if getattr(args, "report", None):
        parts += ["--report", args.report]
    return shlex.join(parts)


def run(args, engine=None, progress: bool = True) -> int:
    from kbqa.engine import Engine, KbqaError
    from kbqa.settings import Settings
    from kbqa.evaluation.report import build_document, text_summary, write_report
    from kbqa.evaluation.runner import run_sets

    settings = engine.settings if engine is not None else Settings.from_env()
    if getattr(args, "llm", False) and not settings.llm_base_url:
        raise KbqaError("--llm needs KBQA_LLM_BASE_URL (an OpenAI-compatible endpoint; also KBQA_LLM_MODEL)")
    modes = parse_modes(args, settings.mode)
    sets, paths = load_sets(list(args.files))
    if args.report and Path(args.report).exists() and not Path(args.report).is_dir():
        raise KbqaError(f"--report {args.report}: exists and is not a folder")

    if engine is None:  # the extractive answers unless --llm asks for the LLM's (KBQA_LLM_BASE_URL alone does not)
        engine = Engine(settings if getattr(args, "llm", False) else settings.with_(llm_base_url=""), progress=True)
    runs = run_sets(engine, sets, modes, progress=progress)
    faq = engine.faq()
    meta = {
        "answer_mode": engine.answer_mode,
        "embedder": engine.embedder.identity(),
        "command": command_line(args),
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "corpus": {"path": str(settings.corpus), "sha256": faq.sha256, "title": faq.title},
        "calibration": {m: engine.decider(m).source for m in modes},
        "top_k": settings.top_k,
    }
    doc = build_document(runs, paths, meta)

    if args.json:
        from kbqa.frontends.cli import json_stdout

        print(json.dumps(doc, ensure_ascii=False, indent=2), file=json_stdout(args))
    else:
        print(text_summary(doc))
    if args.report:
        try:
            written = write_report(args.report, doc, runs)
        except OSError as e:
            raise KbqaError(f"cannot write the report to {args.report}: {e.strerror or e}") from None
        print(f"kbqa eval: wrote {', '.join(p.name for p in written)} to {args.report}", file=sys.stderr)
    if getattr(args, "gate", False) and not doc["gate"]["passed"]:
        for line in doc["gate"]["failures"]:
            print(f"kbqa eval: below the quality bar: {line}", file=sys.stderr)
        return 1
    return 0
