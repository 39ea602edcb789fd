"""Exported response files: Google Sheets CSV/XLSX downloads and Forms' "Download responses (.csv)".

CSV text is decoded as UTF-8 (with or without BOM), else GB18030 (Excel in China
saves that); UTF-16 with a BOM (Excel's "Unicode text") is read too. Quoted header
cells may hold line breaks; row numbers count records, as the sheet numbers rows.
A cell longer than the csv module's field limit is read whole (its row is then
quarantined as too long), so one odd cell never refuses the whole file.

Rows are read as ingest asks for them (`Table.rows` is then an iterator, read once): the
encoding is found by decoding the file a block at a time, and a year's export is never in
memory whole.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import itertools
from pathlib import Path
from typing import Iterator

from ..errors import HandbookError
from ..messages import Msg
from .table import SourceRef, Table
from .values import date_order_evidence

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


def _encodings(head: bytes) -> tuple[str, ...]:
    return ("utf-16",) if head.startswith((b"\xff\xfe", b"\xfe\xff")) else ("utf-8-sig", "gb18030")


def decode(data: bytes, name: str = "file") -> tuple[str, str]:
    """(text, encoding name) of a CSV export."""
    for encoding in _encodings(data):
        try:
            return _decode_cut(data, encoding), encoding
        except UnicodeDecodeError:
            continue
    raise HandbookError(Msg.INGEST_FILE_ENCODING, path=name)


def sniff(path: Path, block: int = 1 << 16) -> tuple[str, int]:
    """(encoding, bytes to read) of a CSV export, decoding it a block at a time (never the whole file in
    memory): as `decode` picks them, the bytes to read leaving out a last character cut short."""
    with open(path, "rb") as f:
        head = f.read(4)
    size = path.stat().st_size
    for encoding in _encodings(head):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with open(path, "rb") as f:
                while data := f.read(block):
                    decoder.decode(data)
        except UnicodeDecodeError:
            continue
        left = decoder.getstate()[0]   # a character begun at the end of the file and never finished
        if not left:
            return encoding, size
        if len(left) <= 3:
            return encoding, size - len(left)
    raise HandbookError(Msg.INGEST_FILE_ENCODING, path=str(path))


class _Head(io.RawIOBase):
    """The first `size` bytes of a binary file."""

    def __init__(self, raw, size: int):
        self.raw, self.left = raw, size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = min(len(buffer), self.left)
        if n <= 0:
            return 0
        got = self.raw.readinto(memoryview(buffer)[:n])
        self.left -= got
        return got

    def close(self) -> None:
        self.raw.close()
        super().close()


def _text_stream(path: Path, encoding: str, size: int):
    raw = open(path, "rb")
    return io.TextIOWrapper(io.BufferedReader(_Head(raw, size)), encoding=encoding, newline="")


def _delimiter(text: str) -> str:
    first = text.split("\n", 1)[0]
    return "\t" if first.count("\t") > first.count(",") else ","


def _csv_records(path: Path, encoding: str, size: int):
    """The file's records, one at a time (the file is read as they are asked for)."""
    with _text_stream(path, encoding, size) as f:   # the first line picks the delimiter
        first = ""
        while "\n" not in first and (more := f.read(1 << 16)):
            first += more
    with _text_stream(path, encoding, size) as f:
        reader = csv.reader(f, delimiter=_delimiter(first))
        limit = csv.field_size_limit()
        csv.field_size_limit(max(limit, size + 1))   # no field is longer than the file: read every cell
        try:
            yield from reader
        except csv.Error as exc:
            raise HandbookError(Msg.INGEST_FILE_NOT_CSV, path=path, reason=exc) from None
        finally:
            csv.field_size_limit(limit)


def decide_date_order(path: Path, records) -> str | None:
    """The order of the file's `a/b/yyyy` dates ("dmy" or "mdy"), decided from all its rows (never cell by
    cell: an en-GB export's 5/11/2026 is 5 November); None when it has none. A file whose dates all read
    either way, or some only one way and some only the other, is refused (nothing is written)."""
    dmy = mdy = seen = None
    for record in records:
        d, m, any_ = date_order_evidence(record)
        dmy, mdy, seen = dmy or d, mdy or m, seen or any_
    if dmy and mdy:
        raise HandbookError(Msg.INGEST_DATE_ORDER_MIXED, path=path, dmy=dmy.strip(), mdy=mdy.strip())
    if dmy or mdy:
        return "dmy" if dmy else "mdy"
    if seen:
        raise HandbookError(Msg.INGEST_DATE_ORDER_AMBIGUOUS, path=path, sample=seen.strip())
    return None


def read_csv(path: Path, checklist: str, date_order: str | None = None) -> Table:
    """The export's header, and its rows as they are read (a year's file is never in memory at once).

    When the first row has a `a/b/yyyy` date and no `date_order` is given, the whole file is read once
    more to decide the order of its dates (`decide_date_order`)."""
    try:
        encoding, size = sniff(path)
    except OSError as exc:
        raise HandbookError(Msg.INGEST_FILE_UNREADABLE, path=path, reason=exc.strerror or exc) from None
    records = _csv_records(path, encoding, size)
    head = list(itertools.islice(records, 2))
    if not head:   # nothing but blank lines or a byte-order mark: no header, so no export
        raise HandbookError(Msg.INGEST_FILE_EMPTY, path=path)
    if date_order is None and len(head) == 2 and any(date_order_evidence(head[1])[2:]):
        scan = _csv_records(path, encoding, size)
        next(scan, None)   # the header
        date_order = decide_date_order(path, scan)
    table = _table(path, checklist, itertools.chain(head, records), notes=[f"encoding {encoding}"])
    table.date_order = date_order
    return table


def read_xlsx(path: Path, checklist: str, worksheet: str | None = None) -> Table:
    """The workbook's response sheet: the worksheet named `worksheet`, else the first whose name is a
    response sheet's (表单回复 1, Form Responses 1…), else the first. The table names the worksheet read
    and the workbook's others (`Table.worksheets`), so a refusal can say how to choose another."""
    import openpyxl  # only when reading a workbook

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken file
        raise HandbookError(Msg.INGEST_FILE_NOT_XLSX, path=path, reason=type(exc).__name__) from None
    sheets = book.worksheets
    if worksheet is not None:
        chosen = next((ws for ws in sheets if ws.title == worksheet), None) or \
            next((ws for ws in sheets if ws.title.strip().lower() == worksheet.strip().lower()), None)
        if chosen is None:
            names = "、".join(f"“{ws.title}”" for ws in sheets)
            book.close()
            raise HandbookError(Msg.INGEST_NO_WORKSHEET, path=path, name=worksheet, sheets=names)
    else:
        chosen = next((ws for ws in sheets if ws.title.lower().startswith(RESPONSE_SHEET_PREFIXES)), sheets[0])
    titles = [ws.title for ws in sheets]

    def records():
        try:
            for row in chosen.iter_rows(values_only=True):
                yield list(row)
        finally:
            book.close()

    table = _table(path, checklist, records(), title=chosen.title)
    table.worksheets = titles
    return table


def _blank(row: list) -> bool:
    first = row[0] if row else None
    if type(first) is str and first.strip():   # most rows: the timestamp is there
        return False
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in row)


def _table(path: Path, checklist: str, records: Iterator[list], title: str = "", notes=None) -> Table:
    """A table whose rows are read as they are asked for (once): header from the first record."""
    source = SourceRef(checklist, "file", path.name, path=str(path))
    now = dt.datetime.now(dt.timezone.utc)
    first = next(records, None)
    if first is None:
        return Table(source, [], [], now, title=title, notes=notes or [])
    header = ["" if v is None else str(v) for v in first]
    rows = ((n, row) for n, row in enumerate(records, start=2) if not _blank(row))
    return Table(source, header, rows, now, title=title or path.name, notes=notes or [])


def read_file(path: Path | str, checklist: str, worksheet: str | None = None, date_order: str | None = None) -> Table:
    """A CSV or XLSX export of a response sheet, cells as read (of an XLSX, the worksheet `worksheet`);
    `date_order` ("dmy", "mdy", "ymd"): how its `a/b/yyyy` dates read (None: decided from the file's rows)."""
    path = Path(path)
    if path.is_dir():
        raise HandbookError(Msg.INGEST_FILE_IS_FOLDER, path=path)
    if not path.exists():
        raise HandbookError(Msg.INGEST_FILE_MISSING, path=path)
    if not path.is_file():   # a pipe or a device (/dev/null): exists, but is no export (never opened)
        raise HandbookError(Msg.INGEST_FILE_NOT_REGULAR, path=path)
    if path.stat().st_size == 0:   # a download or copy that never wrote: refused, never a source of 0 rows
        raise HandbookError(Msg.INGEST_FILE_EMPTY, path=path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        table = read_xlsx(path, checklist, worksheet)
        table.date_order = date_order
        return table
    if worksheet is not None:
        raise HandbookError(Msg.INGEST_WORKSHEET_NOT_XLSX, path=path)
    return read_csv(path, checklist, date_order)
