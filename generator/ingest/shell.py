"""The ingest shell: what every instrument's ingest of every source does, written once.

A source (a Google Sheet, a CSV/XLSX export, a 腾讯问卷 survey: `table.Table`) gives a header, numbered
rows, its time zone and its identity (`SourceRef.key`). The shell, inside the run's transaction:

- registers the source and its header and appends every row as fetched (`record_raw`: raw rows are
  kept whatever their mapping says, append-only, by content hash);
- reads times in the source's zone (`source_zone`);
- checks the header against the form version its rows were answered on (`require_columns`);
- keeps rows by content identity: a row whose record is stored is that record, unchanged (wherever it
  now sits); a second row with the same content in one read is a duplicate; a stored record its source
  no longer gives is flagged gone (kept) and comes back when the row does (`ingest_responses`);
- quarantines rows it cannot use **as data** (`Rejection`: a catalogued message, its fields and the
  column; `quarantine`): the store keeps the message code, fields and column beside the rendered reason
  (`quarantine_reasons`), and pages render the reason from the catalogue (`public_reason`) instead of
  parsing the text back;
- refuses a source that would flag as gone every stored row it gave before, or more than half of them
  (`check_deletions`, the deletion guard; `--accept-deletions` lets it through).

An instrument whose responses are one record each (the questionnaire, the exam, fix reports) gives
`ingest_responses` its `Responses`: its table, which columns it reads, and its mapping — a function from
one row to a `Record` or a `Rejection`. The patrol checklists keep their own identity rule (edits in
place, versions: `instruments/patrol/ingest.py`, `identity.py`), store their long tables as they are
fetched (a `TableStream`) and use the shell for everything else.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, NamedTuple, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .. import store
from ..errors import HandbookError
from ..messages import Msg
from .table import Table

COLUMNS_LISTED = 5      # missing columns named in a refusal; more are counted

# ---------------------------------------------------------------- quarantine as data

SCHEMA = """
CREATE TABLE IF NOT EXISTS quarantine_reasons (
    quarantine_id INTEGER PRIMARY KEY REFERENCES quarantine(id),
    message       TEXT NOT NULL,       -- the catalogue's code of the reason (generator/messages.py, I3xx)
    fields        TEXT NOT NULL,       -- JSON: the message's fields (`value`: the cell's text, never published)
    column_name   TEXT NOT NULL        -- the column the reason is about ('' when it is the whole row)
)
"""


class _QuarantineTables:
    """The store part of the instrument protocol for the quarantine's data (made by `migrate_instruments`,
    so a store written before it reads as before: its reasons are text)."""

    id = "quarantine"
    store_tables = ("quarantine_reasons",)
    store_schema = SCHEMA
    store_migrations: ClassVar[dict[int, str]] = {}


QUARANTINE_TABLES = _QuarantineTables()

# The cell's own text in a reason's fields: kept in the store and shown to whoever ran the import, never
# published. Every other field is ours (a column title, item codes, a row number, a limit).
PRIVATE_FIELD = "value"


class Rejection(Exception):
    """A row that cannot be used: the catalogued message `msg` (an I3xx entry: text with the row's value,
    hint the reason as pages show it), its `fields`, the `column` it is about, and `code`, the short
    reason code the store and the run's report count by (`unknown_project`, `duplicate` …)."""

    def __init__(self, code: str, msg: Msg, column: str = "", **fields):
        self.code, self.msg, self.column, self.fields = code, msg, column, fields
        self.message = msg.text.format(**fields)
        super().__init__(self.message)


def public_text(msg: Msg, fields: dict) -> str:
    """A reason as pages show it: the catalogue's public form (its hint), never the cell's value."""
    return (msg.hint or msg.text).format(**{k: v for k, v in fields.items() if k != PRIVATE_FIELD})


@dataclass
class Quarantined:
    """One row to quarantine: its raw row id, row number and why."""

    raw_row_id: int
    row_number: int
    rejection: Rejection


def quarantine(w: store.StoreWriter, source_id: int, rows: Sequence[Quarantined], now: str, report) -> None:
    """Quarantine `rows` of a source: counted in `report` (by reason code, named from the catalogue, with each
    row's reason), stored with the reason as text (`quarantine`) and as data (`quarantine_reasons`: message,
    fields, column)."""
    if not rows:
        return
    for q in rows:
        r = q.rejection
        report.quarantined += 1
        report.reasons[r.code] = report.reasons.get(r.code, 0) + 1
        report.reason_names.setdefault(r.code, r.msg.short or r.code)   # one instrument, one message per code
        report.quarantined_rows.append((q.row_number, r.message))
    w.quarantine([store.QuarantineEntry(source_id, q.raw_row_id, q.row_number, q.rejection.code,
                                        q.rejection.message, now) for q in rows])
    w.conn.executemany(
        "INSERT OR IGNORE INTO quarantine_reasons (quarantine_id, message, fields, column_name) "
        "SELECT id, ?, ?, ? FROM quarantine WHERE raw_row_id = ? AND reason_code = ?",
        [(q.rejection.msg.code, json.dumps(q.rejection.fields, ensure_ascii=False, default=str),
          q.rejection.column, q.raw_row_id, q.rejection.code) for q in rows])


@dataclass(frozen=True)
class StoredQuarantine:
    """A quarantined row as stored, with its reason as data when the run that quarantined it kept it
    (`store.QuarantineEntry` is the row the writer takes; this is what the data-quality page reads back)."""

    checklist: str
    source: str            # the source's title (sheet title or file name)
    source_key: str
    row_number: int
    reason_code: str
    reason: str            # as rendered when quarantined (with the cell's value)
    first_seen_at: str
    resolved_at: str | None
    message: str | None    # the catalogue's code (None: quarantined before reasons were kept as data)
    fields: dict = field(default_factory=dict)
    column: str = ""


def read_quarantine(db_path: Path | str) -> list[StoredQuarantine]:
    """Every quarantined row (resolved ones too), oldest first, with its reason as data where stored."""
    conn = store.open_store_read_only(db_path)
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        data = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'quarantine_reasons'").fetchone()
        resolved = "q.resolved_at" if version >= 5 else "NULL"
        reasons = ("d.message, d.fields, d.column_name" if data else "NULL, NULL, NULL")
        join = "LEFT JOIN quarantine_reasons d ON d.quarantine_id = q.id" if data else ""
        rows = conn.execute(f"""
            SELECT s.checklist, s.title, s.key, q.row_number, q.reason_code, q.reason, q.first_seen_at, {resolved},
                   {reasons}
            FROM quarantine q JOIN sources s ON s.id = q.source_id {join}
            ORDER BY q.first_seen_at, s.key, q.row_number""").fetchall()
    finally:
        conn.close()
    return [StoredQuarantine(checklist, title, key, number, code, reason, seen, resolved_at, message,
                             json.loads(fields) if fields else {}, column or "")
            for checklist, title, key, number, code, reason, seen, resolved_at, message, fields, column in rows]


# ---------------------------------------------------------------- the source: zone, registration, raw rows

def source_zone(table: Table, default: ZoneInfo) -> ZoneInfo:
    """The zone the source's times are read in: its own (a spreadsheet's), else `default` (the
    organisation's: a CSV file has none)."""
    if table.timezone:
        try:
            return ZoneInfo(table.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return default


def register(w: store.StoreWriter, table: Table, header: list, title: str, now: str) -> tuple[int, int]:
    """(source id, header id): the source registered under its form (created on first read, its title and
    zone kept current) and the header its raw rows are stored under."""
    t = table.source
    sid = w.source_id(t.key, t.checklist, t.kind, t.locator, title, table.timezone, now)
    header_json = json.dumps(header, ensure_ascii=False)
    hid = w.header_id(sid, hashlib.sha256(header_json.encode("utf-8")).hexdigest(), header_json, now)
    return sid, hid


def _raw_cell(value):
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


@dataclass(frozen=True)
class RawRows:
    """A table as recorded: its source, its header, and each row as fetched with its raw row id."""

    source_id: int
    header_id: int
    rows: list[tuple[int, str, list]]    # (row number, raw row id's hash, cells), in table order
    ids: dict[str, int]                  # {hash: raw row id} for the source and header


def record_raw(w: store.StoreWriter, table: Table, title: str, now: str, keep: list[int] | None = None,
               default: Callable = _raw_cell) -> RawRows:
    """Register `table`'s source and header (the columns `keep`; None: every cell as fetched) and append
    every row not stored yet, whatever its mapping later says. `default` encodes a cell JSON cannot (the
    exam's raw rows have always used `str`, and their hashes stay the same)."""
    header = table.header if keep is None else [table.header[i] for i in keep]
    sid, hid = register(w, table, header, title, now)
    rows, raws = [], []
    for number, cells in table.rows:
        kept = cells if keep is None else [cells[i] if i < len(cells) else None for i in keep]
        raw_json = json.dumps(kept, ensure_ascii=False, default=default)
        raw_hash = hashlib.sha256(raw_json.encode("utf-8")).hexdigest()
        raws.append(store.RawRow(number, raw_hash, raw_json))
        rows.append((number, raw_hash, cells))
    ids = w.raw_rows(sid, hid, raws, table.fetched_at.isoformat(timespec="seconds"))
    return RawRows(sid, hid, rows, ids)


# ---------------------------------------------------------------- the header

def source_name(table: Table) -> str:
    """How a refusal names a source: the file as given, or the spreadsheet's (survey's) title and key."""
    t = table.source
    if t.kind == "file":
        if len(table.worksheets) > 1:   # a workbook: which worksheet was read, and how to read another
            others = "、".join(f"“{w}”" for w in table.worksheets if w != table.title)
            return (f"文件 {t.path or t.locator} 的工作表“{table.title}”"
                    f"（另有工作表{others}，可用 --worksheet 工作表名 选择）")
        return f"文件 {t.path or t.locator}"
    if t.kind == "tencent":
        return f"腾讯问卷问卷“{table.title or t.locator}”（{t.locator}）"
    return f"Google 表格“{table.title or t.locator}”（{t.locator}）"


def require_columns(table: Table, kind: str, form: str, missing: Sequence[str]) -> None:
    """Refuse (and so roll back the run) a source whose header lacks `missing`, the columns of the form
    version its rows were answered on: a column deleted from an export would otherwise drop out unnoticed."""
    names = list(dict.fromkeys(missing))
    if names:
        more = f" 等 {len(names)} 列" if len(names) > COLUMNS_LISTED else ""
        raise HandbookError(Msg.INGEST_FORM_COLUMNS_MISSING, source=source_name(table), kind=kind, form=form,
                            n=len(names), columns="、".join(names[:COLUMNS_LISTED]) + more)


# ---------------------------------------------------------------- one record per response

@dataclass
class Record:
    """One usable response: its content identity (`id`, a content hash's start) and what the instrument
    stores of it (`values`, handed back to `Responses.insert`)."""

    id: str
    values: object = None


@dataclass
class Responses:
    """What an instrument gives `ingest_responses`: its table and its mapping.

    `table` has columns id, source_id, row_number and gone_at (the shell keeps them); `read(number, cells)`
    maps one row to a `Record` or raises `Rejection`; `insert(conn, record, source_id, row_number,
    raw_row_id)` stores a new record in the instrument's tables; `duplicate` is the rejection of a second
    row with a record's content in one read (given the row numbers of the first and of this one); `keep` the
    columns kept in the raw rows (None: every cell); `raw_default` how a cell JSON cannot encode is written there.
    """

    table: str
    read: Callable[[int, list], Record]
    insert: Callable[[sqlite3.Connection, Record, int, int, int], None]
    duplicate: Callable[[int, int], Rejection]
    keep: list[int] | None = None
    raw_default: Callable = _raw_cell


def ingest_responses(conn: sqlite3.Connection, table: Table, report, now: str, spec: Responses) -> RawRows:
    """Store one fetched table of an instrument's responses inside the run's transaction; fills `report`'s
    counts (new, unchanged, gone, quarantined). A record already stored is unchanged (it now sits at this
    source's row); one of this source's records no row gave is flagged gone (kept); one that comes back is
    current again. Returns the raw record (for an instrument's further checks)."""
    w = store.StoreWriter(conn)
    raw = record_raw(w, table, report.title, now, spec.keep, spec.raw_default)
    sid = raw.source_id
    known = dict(conn.execute(f"SELECT id, gone_at FROM {spec.table} WHERE source_id = ?", (sid,)))
    first: dict[str, int] = {}
    rejected: list[Quarantined] = []
    for number, raw_hash, cells in raw.rows:
        try:
            record = spec.read(number, cells)
            if record.id in first:
                raise spec.duplicate(first[record.id], number)
        except Rejection as exc:
            rejected.append(Quarantined(raw.ids[raw_hash], number, exc))
            continue
        first[record.id] = number
        if conn.execute(f"SELECT 1 FROM {spec.table} WHERE id = ?", (record.id,)).fetchone():
            report.unchanged += 1
            conn.execute(f"UPDATE {spec.table} SET source_id = ?, row_number = ?, gone_at = NULL WHERE id = ?",
                         (sid, number, record.id))
            continue
        report.new += 1
        spec.insert(conn, record, sid, number, raw.ids[raw_hash])
    quarantine(w, sid, rejected, now, report)
    gone = [rid for rid, was_gone in known.items() if rid not in first and was_gone is None]
    conn.executemany(f"UPDATE {spec.table} SET gone_at = ? WHERE id = ?", [(now, g) for g in gone])
    report.gone = len(gone)
    return raw


def unmapped(w: store.StoreWriter, source_id: int, columns: Iterable[tuple[int, str]], now: str) -> None:
    """Record the columns that map to nothing (0-based position, name): their answers stay in the raw rows."""
    w.unmapped([store.UnmappedEntry(source_id, name, i + 1, now) for i, name in columns])


# ---------------------------------------------------------------- the deletion guard

def stored_before(conn: sqlite3.Connection, key: str, instrument) -> int:
    """The instrument's responses from a source (by key) that are not gone, before it is read."""
    row = conn.execute("SELECT id FROM sources WHERE key = ?", (key,)).fetchone()
    if row is None:
        return 0
    return instrument.stored_responses(conn, row[0])


def check_deletions(checks: Iterable[tuple[Table, Any, int]]) -> None:
    """Refuse the run when a source (table, its report, its responses stored before) would flag every
    stored row it gave before as gone because it came back empty, or more than half of them: an emptied
    export or sheet is an accident until confirmed (`--accept-deletions`)."""
    for table, report, before in checks:
        if before and report.read == 0:
            raise HandbookError(Msg.INGEST_SOURCE_EMPTY, source=source_name(table), stored=before,
                                what="只有表头、没有任何回复" if table.header else "没有表头也没有任何回复")
        if before and report.gone * 2 > before:
            raise HandbookError(Msg.INGEST_MASS_GONE, source=source_name(table), gone=report.gone, stored=before)


def live_responses(conn: sqlite3.Connection, table: str, source_id: int) -> int:
    """`Instrument.stored_responses` of a `Responses` table: its records from the source not gone."""
    return conn.execute(f"SELECT count(*) FROM {table} WHERE source_id = ? AND gone_at IS NULL",
                        (source_id,)).fetchone()[0]


class Withdrawn(NamedTuple):
    """What `Instrument.withdraw_source` did to its responses from the withdrawn source."""

    taken: int = 0   # taken out of the results
    kept: int = 0    # another source that is not withdrawn gave them too: they sit with it and keep counting


def withdraw_responses(conn: sqlite3.Connection, table: str, source_id: int, now: str) -> Withdrawn:
    """`Instrument.withdraw_source` of a `Responses` table: its records from the source out of the results
    (flagged gone; the raw rows stay). A record sits with the source that last gave it, so none is kept."""
    return Withdrawn(taken=conn.execute(f"UPDATE {table} SET gone_at = ? WHERE source_id = ? AND gone_at IS NULL",
                                        (now, source_id)).rowcount)


class TableStream(Protocol):
    """What `Instrument.ingest_stream` gives for one run: it stores its instrument's tables as they are fetched,
    a batch of rows at a time (memory stays flat for a year's export), inside the run's transaction."""

    def prepare(self, form_id: str) -> None:
        """Before the store is opened: a source of `form_id` is in the run (what its rows may be)."""

    def start(self, conn: sqlite3.Connection, now: str) -> None:
        """Inside the run's transaction, before any source is fetched."""

    def ingest(self, table: Table, report: Any, progress: Callable | None, done: list[int]) -> int:
        """Store one table as its rows are read, filling `report`'s counts (`done`: rows written, and in all, for
        `progress`); how many of its records the source gave before (the deletion guard)."""
        ...

    def finish(self) -> int:
        """Once every source is read: what needs all of them; how many records resubmissions replace."""
        ...

    def refuse_foreign(self, table: Table, form_id: str) -> None:
        """Refuse, with a `HandbookError`, one of its tables given as another instrument's form `form_id`."""
