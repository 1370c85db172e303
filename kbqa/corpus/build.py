"""Rebuild (or check) the committed corpus/faq.json from the raw article + data files."""
from __future__ import annotations

import argparse
import difflib
import json
import sys
from pathlib import Path

from kbqa.corpus.clean import build_faq, dump_faq

__all__ = ["default_corpus_dir", "find_raw", "rebuild_corpus", "main"]


def default_corpus_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "corpus"


def find_raw(corpus_dir: Path) -> Path:
    """The raw article: the ``source`` named in an existing faq.json, else the single raw_*.txt."""
    faq_path = corpus_dir / "faq.json"
    if faq_path.exists():
        try:
            source = json.loads(faq_path.read_text(encoding="utf-8")).get("source")
        except (json.JSONDecodeError, AttributeError):
            source = None
        if source and (corpus_dir / source).exists():
            return corpus_dir / source
    raws = sorted(corpus_dir.glob("raw_*.txt"))
    if len(raws) != 1:
        raise FileNotFoundError(f"expected exactly one raw_*.txt in {corpus_dir}, found {len(raws)}")
    return raws[0]


def rebuild_corpus(check: bool = False, corpus_dir: str | Path | None = None, out=sys.stdout, err=sys.stderr) -> int:
    """Write corpus/faq.json (exit code 0), or with check=True compare it and return 1 if it differs."""
    corpus_dir = Path(corpus_dir) if corpus_dir else default_corpus_dir()
    raw = find_raw(corpus_dir)
    corrections = corpus_dir / "corrections.tsv"
    text = dump_faq(build_faq(raw, corrections if corrections.exists() else None))
    faq_path = corpus_dir / "faq.json"
    if check:
        current = faq_path.read_text(encoding="utf-8") if faq_path.exists() else ""
        if current == text:
            print(f"{faq_path}: up to date", file=out)
            return 0
        diff = difflib.unified_diff(
            current.splitlines(), text.splitlines(), "committed/faq.json", "rebuilt/faq.json", lineterm="", n=1
        )
        print(f"{faq_path}: differs from a rebuild of {raw.name}", file=err)
        for i, line in enumerate(diff):
            if i >= 40:
                print("...", file=err)
                break
            print(line, file=err)
        return 1
    faq_path.write_text(text, encoding="utf-8")
    print(f"wrote {faq_path} from {raw.name}", file=out)
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m kbqa.corpus", description=__doc__)
    p.add_argument("--check", action="store_true", help="exit 1 if the committed faq.json differs from a rebuild")
    p.add_argument("--corpus-dir", type=Path, default=None, help="directory with raw_*.txt, corrections.tsv, faq.json")
    args = p.parse_args(argv)
    return rebuild_corpus(check=args.check, corpus_dir=args.corpus_dir)
