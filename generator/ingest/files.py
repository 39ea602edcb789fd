"""Exported response files: Google Sheets CSV/XLSX downloads and Forms' "Download responses (.csv)".

CSV text is decoded as UTF-8 (with or without BOM), else GB18030 (Excel in China
saves that); UTF-16 with a BOM (Excel's "Unicode text") is read too. Quoted header
cells may hold line breaks; row numbers count records, as the sheet numbers rows.
A cell longer than the csv module's field limit is read whole (its row is then
quarantined as too long), so one odd cell never refuses the whole file.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

from ..errors import error
from .table import SourceRef, Table

RESPONSE_SHEET_PREFIXES = ("form responses", "form_responses", "表单回复", "表單回應", "フォームの回答",
                           "respuestas de formulario")


def _decode_cut(data: bytes, encoding: str) -> str:
    """`data` decoded; a file cut inside its last character (a truncated download: most cuts of Chinese
    text fall inside a character) loses that partial character, so its last line reads as cut short and
    is quarantined like any other cut line. Raises UnicodeDecodeError for anything else."""
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        if exc.end < len(data) or len(data) - exc.start > 3:
            raise
        return data[:exc.start].decode(encoding)


def decode(data: bytes, name: str = "file") -> tuple[str, str]:
    """(text, encoding name) of a CSV export."""
    encodings = ("utf-16",) if data.startswith((b"\xff\xfe", b"\xfe\xff")) else ("utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            return _decode_cut(data, encoding), encoding
        except UnicodeDecodeError:
            continue
    raise error("ingest_file_encoding", path=name)


def _delimiter(text: str) -> str:
    first = text.split("\n", 1)[0]
    return "\t" if first.count("\t") > first.count(",") else ","


def read_csv(path: Path, checklist: str) -> Table:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise error("ingest_file_unreadable", path=path, reason=exc.strerror or exc) from None
    text, encoding = decode(data, str(path))
    del data
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    # Answers repeat a handful of labels, names and dates: one string object each keeps a year's
    # export (hundreds of thousands of rows) in a fraction of the memory.
    same: dict[str, str] = {}
    limit = csv.field_size_limit()
    csv.field_size_limit(max(limit, len(text) + 1))   # no field is longer than the text: read every cell
    try:
        records = [[same.setdefault(cell, cell) for cell in record] for record in reader]
    except csv.Error as exc:
        raise error("ingest_file_not_csv", path=path, reason=exc) from None
    finally:
        csv.field_size_limit(limit)
    return _table(path, checklist, records, notes=[f"encoding {encoding}"])


def read_xlsx(path: Path, checklist: str) -> Table:
    import openpyxl  # only when reading a workbook

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken file
        raise error("ingest_file_not_xlsx", path=path, reason=type(exc).__name__) from None
    try:
        sheets = book.worksheets
        chosen = next((ws for ws in sheets if ws.title.lower().startswith(RESPONSE_SHEET_PREFIXES)), sheets[0])
        records = [list(row) for row in chosen.iter_rows(values_only=True)]
    finally:
        book.close()
    return _table(path, checklist, records, title=chosen.title)


def _blank(row: list) -> bool:
    first = row[0] if row else None
    if type(first) is str and first.strip():   # most rows: the timestamp is there
        return False
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in row)


def _table(path: Path, checklist: str, records: list[list], title: str = "", notes=None) -> Table:
    source = SourceRef(checklist, "file", path.name, path=str(path))
    now = dt.datetime.now(dt.timezone.utc)
    if not records:
        return Table(source, [], [], now, title=title, notes=notes or [])
    header = ["" if v is None else str(v) for v in records[0]]
    rows = [(n, row) for n, row in enumerate(records[1:], start=2) if not _blank(row)]
    return Table(source, header, rows, now, title=title or path.name, notes=notes or [])


def read_file(path: Path | str, checklist: str) -> Table:
    """A CSV or XLSX export of a response sheet, cells as read."""
    path = Path(path)
    if path.is_dir():
        raise error("ingest_file_is_folder", path=path)
    if not path.exists():
        raise error("ingest_file_missing", path=path)
    if not path.is_file():   # a pipe or a device (/dev/null): exists, but is no export (never opened)
        raise error("ingest_file_not_regular", path=path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return read_xlsx(path, checklist)
    return read_csv(path, checklist)
