"""CSV (and TSV) and XLSX: one Q&A a row under a header row.

Columns (English or Chinese, any order, case and spacing ignored, notes in brackets such as "（必填）" ignored):

    question / 问题 / 标准问题          required
    answer / 答案 / 回答                 required
    author / 作者 / 专家                 optional: who the answer is cited as (default: 官方解答)
    author_title / 作者头衔 / 头衔       optional: the author's organisation and title
    similar / 相似问题 / 相关问题         optional: alternative questions, one a line
    description / 问题描述               optional: the question's longer description

Rows with the same question are several answers to it. Rows are numbered as a spreadsheet shows them (the
header is row 1). CSV is read as UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030 (what Excel saves
in Chinese locales); XLSX reads the first sheet, filling merged cells from their top-left cell.
"""
from __future__ import annotations

import csv
import io
import re
import unicodedata
from pathlib import Path

from kbqa.corpus.importer.entries import Entry, ImportFailed, Report

COLUMNS = {
    "question": ("question", "问题", "标准问题", "q"),
    "answer": ("answer", "答案", "回答", "答复", "a"),
    "author": ("author", "作者", "专家", "回答者"),
    "author_title": ("author_title", "作者头衔", "头衔", "作者职位"),
    "similar": ("similar", "similar_questions", "相似问题", "相关问题", "相似问法"),
    "description": ("description", "问题描述", "描述"),
}
_ALIAS = {alias: name for name, aliases in COLUMNS.items() for alias in aliases}
MAX_XLSX_BYTES = 20 * 1024 * 1024
_SIGNATURES = ((b"PK\x03\x04", "a ZIP archive (an .xlsx? name it .xlsx)"),
               (b"\xd0\xcf\x11\xe0", "an old Office file (.xls/.doc); save it as .xlsx or CSV"),
               (b"%PDF", "a PDF"), (b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"),
               (b"GIF8", "a GIF image"), (b"\x1f\x8b", "a gzip archive"), (b"\x7fELF", "a program"))


def header_name(cell: str) -> str:
    text = unicodedata.normalize("NFKC", str(cell or "")).strip().lower()
    text = re.sub(r"[(\[【（].*?[)\]】）]", "", text).replace("*", "").strip()
    return re.sub(r"[\s\-]+", "_", text)


def map_header(cells: list[str]) -> tuple[dict[str, int], list[str]]:
    """{field: column index} and the names of the columns ignored. Raises ImportFailed (row 1)."""
    found: dict[str, int] = {}
    ignored = []
    for i, cell in enumerate(cells):
        name = _ALIAS.get(header_name(cell))
        if name is None:
            if str(cell or "").strip():
                ignored.append(str(cell).strip())
            continue
        if name in found:
            raise ImportFailed(f"row 1: two {name} columns ({cells[found[name]]!r} and {cell!r})")
        found[name] = i
    for need in ("question", "answer"):
        if need not in found:
            seen = ", ".join(repr(str(c).strip()) for c in cells if str(c or "").strip()) or "nothing"
            raise ImportFailed(f"row 1: no {need} column (expected {' or '.join(repr(a) for a in COLUMNS[need][:2])}; "
                               f"found {seen})")
    return found, ignored


def entries_from_rows(rows, report: Report) -> list[Entry]:
    """Entries from (row number, cells) pairs, the first non-blank row being the header."""
    header = None
    width = 0
    entries = []
    for number, cells in rows:
        cells = ["" if c is None else str(c) for c in cells]
        if not any(c.strip() for c in cells):
            if header is not None:
                report.blank += 1
            continue
        if header is None:
            header, ignored = map_header(cells)
            report.notes += [f"column {c!r} ignored" for c in ignored]
            width = max(i + 1 for i, c in enumerate(cells) if c.strip())
            continue
        if any(c.strip() for c in cells[width:]):
            used = max(i + 1 for i, c in enumerate(cells) if c.strip())
            raise ImportFailed(f"row {number}: {used} cells, but the header has {width} (an unquoted comma?)")
        report.read += 1
        get = {name: (cells[i] if i < len(cells) else "") for name, i in header.items()}
        entries.append(Entry(where=f"row {number}", question=get["question"], answer=get["answer"],
                             author=get.get("author", ""), author_title=get.get("author_title", ""),
                             similar=get.get("similar", ""), description=get.get("description", "")))
    if header is None:
        raise ImportFailed("the file is empty (no header row)")
    return entries


# ---- CSV ------------------------------------------------------------------------------------------------
def decode(data: bytes, notes: list[str]) -> str:
    for sig, what in _SIGNATURES:
        if data.startswith(sig):
            raise ImportFailed(f"this is {what}, not CSV text")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as e:
            raise ImportFailed(f"not valid UTF-16 text (byte {e.start})") from None
    if b"\x00" in data:
        raise ImportFailed(f"a binary file, not CSV text (a NUL byte at byte {data.index(0)})")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        utf8_error = e.start
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        raise ImportFailed(f"not UTF-8 or GB18030 text (byte {utf8_error}); save the file as UTF-8 CSV") from None
    notes.append("not UTF-8: read as GB18030 (what Excel saves in Chinese locales)")
    return text


def read_csv(path: Path, data: bytes, report: Report) -> list[Entry]:
    text = decode(data, report.notes)
    first = text.split("\n", 1)[0]
    if path.suffix.lower() == ".tsv" or ("\t" in first and "," not in first):
        delimiter = "\t"
    elif ";" in first and "," not in first and "，" not in first:
        delimiter = ";"
    else:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)

    def rows():
        number = 0
        while True:
            number += 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as e:
                raise ImportFailed(f"row {number} (line {reader.line_num}): broken CSV: {e} (an unbalanced quote?)") \
                    from None
            yield number, cells

    return entries_from_rows(rows(), report)


# ---- XLSX -----------------------------------------------------------------------------------------------
def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def read_xlsx(path: Path, data: bytes, report: Report) -> list[Entry]:
    import warnings
    import zipfile

    if len(data) > MAX_XLSX_BYTES:
        raise ImportFailed(f"the workbook is {len(data) / 2**20:.1f} MB (at most {MAX_XLSX_BYTES >> 20} MB); "
                           "export the FAQ sheet as CSV instead")
    if not data.startswith(b"PK\x03\x04"):
        raise ImportFailed("not an XLSX workbook (an .xlsx file is a ZIP archive; is this CSV text or an old .xls?)")
    import openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions it does not read
            wb = openpyxl.load_workbook(io.BytesIO(data), read_only=False, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError, IndexError, AttributeError) as e:
        raise ImportFailed(f"not a readable XLSX workbook ({type(e).__name__})") from None
    except Exception as e:  # noqa: BLE001 - any parser failure on a damaged workbook: one line, no traceback
        raise ImportFailed(f"not a readable XLSX workbook ({type(e).__name__})") from None
    sheets = wb.worksheets
    if not sheets:
        raise ImportFailed("the workbook has no sheets")
    ws = sheets[0]
    others = [s.title for s in sheets[1:] if any(v is not None for row in s.iter_rows(values_only=True) for v in row)]
    if others:
        report.notes.append(f"only the first sheet {ws.title!r} was read; ignored: {', '.join(map(repr, others))}")
    merged = {}
    for rng in ws.merged_cells.ranges:
        top = ws.cell(rng.min_row, rng.min_col).value
        for r in range(rng.min_row, rng.max_row + 1):
            for c in range(rng.min_col, rng.max_col + 1):
                merged[(r, c)] = top

    def rows():
        for r, values in enumerate(ws.iter_rows(values_only=True), start=1):
            cells = [_cell_text(merged.get((r, c), v)) for c, v in enumerate(values, start=1)]
            yield r, cells

    return entries_from_rows(rows(), report)
