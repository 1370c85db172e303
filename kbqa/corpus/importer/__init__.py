"""`kbqa kb import FILE --out DIR`: read an FAQ in the form people keep it and write ``DIR/faq.json`` in the
structure kbqa loads, questions numbered in file order from 1, with a report of what was read.

Formats (by extension, or ``--format``): CSV/TSV and XLSX (``tabular``), JSON and Markdown (``structured``),
and the article form of the first FAQ (``.txt``, cleaned with the ``corrections.tsv`` / ``boilerplate.tsv``
beside it). A bad file raises ``ImportFailed``, one line naming the row; nothing is written then.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from kbqa.corpus.importer.entries import MAX_FILE_BYTES, ImportFailed, Report, assemble

FORMATS = {".csv": "csv", ".tsv": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx", ".json": "json", ".md": "markdown",
           ".markdown": "markdown", ".txt": "article"}
FORMAT_NAMES = ("csv", "xlsx", "json", "markdown", "article")
REPORT_FILE = "import-report.txt"


@dataclass
class Imported:
    data: dict  # the faq.json structure
    report: Report


def detect_format(path: Path, fmt: str | None = None) -> str:
    if fmt:
        if fmt not in FORMAT_NAMES:
            raise ImportFailed(f"unknown format {fmt!r}; choose one of: {', '.join(FORMAT_NAMES)}")
        return fmt
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise ImportFailed("old Excel .xls files are not read; save it as .xlsx or CSV")
    if suffix not in FORMATS:
        raise ImportFailed(f"cannot tell the format from {suffix or 'a name without extension'!r}: use one of "
                           f"{', '.join(sorted(FORMATS))} or --format {'|'.join(FORMAT_NAMES)}")
    return FORMATS[suffix]


def read_faq(path: str | Path, fmt: str | None = None, title: str | None = None) -> Imported:
    """The FAQ in a file, checked and numbered; raises ImportFailed (one line, naming file and row)."""
    path = Path(path)
    try:
        return _read(path, fmt, title)
    except ImportFailed as e:
        raise ImportFailed(f"{path.name}: {e}") from None


def _read(path: Path, fmt: str | None, title: str | None) -> Imported:
    from kbqa.corpus.importer.structured import read_json, read_markdown
    from kbqa.corpus.importer.tabular import decode, read_csv, read_xlsx
    from kbqa.corpus.loader import faq_from_dict

    fmt = detect_format(path, fmt)
    try:
        if not path.is_file():
            raise ImportFailed("no such file" if not path.exists() else "not a file")
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ImportFailed(f"the file is {size / 2**20:.1f} MB; at most {MAX_FILE_BYTES >> 20} MB is imported")
        data = path.read_bytes()
    except OSError as e:
        raise ImportFailed(f"cannot read it: {e.strerror or e}") from None
    report = Report(file=path.name, format=fmt)
    intro, found_title = "", ""
    if fmt == "article":
        faq = _read_article(path, data, report)
    else:
        if fmt == "csv":
            entries = read_csv(path, data, report)
        elif fmt == "xlsx":
            entries = read_xlsx(path, data, report)
        else:
            text = decode(data, report.notes).lstrip("\ufeff")
            reader = read_json if fmt == "json" else read_markdown
            entries, found_title, intro = reader(text, report)
        name = (title or found_title or path.stem).strip()
        faq = assemble(entries, name[:200], report, intro=intro, source=path.name)
    try:
        faq_from_dict(faq)  # exactly what `kbqa build` will load
    except ValueError as e:
        raise ImportFailed(str(e)) from None
    return Imported(faq, report)


def _read_article(path: Path, data: bytes, report: Report) -> dict:
    from kbqa.corpus.clean import build_faq

    if b"\x00" in data:
        raise ImportFailed("a binary file, not an article (text)")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ImportFailed(f"not UTF-8 text (byte {e.start})") from None
    corrections = path.parent / "corrections.tsv"
    try:
        faq = build_faq(path, corrections if corrections.exists() else None)
    except (ValueError, OSError) as e:
        raise ImportFailed(str(e).splitlines()[0] if str(e) else type(e).__name__) from None
    for i, t in enumerate(faq["topics"], start=1):
        t["n"] = i
    report.read = len(faq["topics"])
    report.questions = len(faq["topics"])
    report.answers = sum(len(t["answers"]) for t in faq["topics"])
    report.authors = list(dict.fromkeys(a["handle"] for t in faq["topics"] for a in t["answers"]))
    report.title = faq["title"]
    if corrections.exists():
        report.notes.append(f"cleaned with {corrections.name} beside the article")
    return faq


def write_kb(imported: Imported, out_dir: str | Path, force: bool = False) -> Path:
    """Write DIR/faq.json (and the report beside it) atomically; an existing faq.json only with ``force``."""
    out = Path(out_dir)
    target = out / "faq.json"
    if target.exists() and not force:
        raise ImportFailed(f"{target} exists; use --force to replace it")
    if out.exists() and not out.is_dir():
        raise ImportFailed(f"{out} is not a directory")
    created = not out.exists()
    written: list[Path] = []
    try:
        out.mkdir(parents=True, exist_ok=True)
        for name, text in ((REPORT_FILE, "\n".join(imported.report.lines()) + "\n"),
                           ("faq.json", json.dumps(imported.data, ensure_ascii=False, indent=2) + "\n")):
            fd, tmp = tempfile.mkstemp(prefix=".import-", dir=out)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as f:
                    f.write(text)
                    f.flush()
                    os.fsync(f.fileno())
                os.replace(tmp, out / name)
                written.append(out / name)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
    except OSError as e:
        for p in written:  # the report of a KB that was not written would mislead
            p.unlink(missing_ok=True)
        if created:
            shutil.rmtree(out, ignore_errors=True)
        raise ImportFailed(f"cannot write {out}: {e.strerror or e}") from None
    return target


def run_import(args) -> int:
    """`kbqa kb import FILE --out DIR [--format F] [--title T] [--force]`."""
    imported = read_faq(args.file, args.format, args.title)
    target = write_kb(imported, args.out, force=args.force)
    for line in imported.report.lines():
        print(line)
    print(f"wrote {target}; next: KBQA_CORPUS={target} kbqa build")
    return 0


__all__ = ["FORMAT_NAMES", "ImportFailed", "Imported", "Report", "detect_format", "read_faq", "run_import",
           "write_kb"]
