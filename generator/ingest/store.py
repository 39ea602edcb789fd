"""The SQLite store: raw rows as fetched, normalised inspections with every version, quarantine, log.

One file. Raw rows are append-only (one copy per distinct content per source and
header). Scoring and pages read it only through `read_inspections`,
`read_quarantine` and `read_unmapped_columns`. The tables here are the store's own
(every source's rows, the patrol checklists' inspections); each instrument declares its
own tables, which `migrate_instruments` creates and upgrades (`Instrument.store_schema`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shlex
import sqlite3
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import Sequence
from zoneinfo import ZoneInfo

from ..errors import HandbookError, StoreBusy, StoreDamaged, StoreError
from ..inspection import Inspection
from ..messages import one_line

DEFAULT_STORE = Path("data/inspections.sqlite")
SCHEMA_VERSION = 6

SCHEMA = """
CREATE TABLE sources (
    id            INTEGER PRIMARY KEY,
    key           TEXT NOT NULL UNIQUE,     -- checklist:sheet:KEY#gid or checklist:file:NAME
    checklist     TEXT NOT NULL,
    kind          TEXT NOT NULL,            -- sheet | file
    locator       TEXT NOT NULL,            -- spreadsheet key or file name
    title         TEXT NOT NULL,
    timezone      TEXT,                     -- the spreadsheet's own zone (NULL for CSV)
    first_read_at TEXT NOT NULL
);
CREATE TABLE headers (
    id            INTEGER PRIMARY KEY,
    source_id     INTEGER NOT NULL REFERENCES sources(id),
    hash          TEXT NOT NULL,
    cells         TEXT NOT NULL,            -- JSON list, as read
    first_read_at TEXT NOT NULL,
    UNIQUE (source_id, hash)
);
CREATE TABLE raw_rows (
    id            INTEGER PRIMARY KEY,
    source_id     INTEGER NOT NULL REFERENCES sources(id),
    header_id     INTEGER NOT NULL REFERENCES headers(id),
    row_number    INTEGER NOT NULL,         -- where it was when first fetched
    fetched_at    TEXT NOT NULL,
    hash          TEXT NOT NULL,            -- sha256 of the cells' JSON
    cells         TEXT NOT NULL,            -- JSON list, as fetched (serial numbers stay numbers)
    UNIQUE (source_id, header_id, hash)
);
CREATE TABLE inspections (
    id              TEXT PRIMARY KEY,
    checklist       TEXT NOT NULL,
    source_id       INTEGER NOT NULL REFERENCES sources(id),   -- where it was last seen
    row_number      INTEGER NOT NULL,                          -- its row there
    current_version INTEGER NOT NULL,
    first_seen_at   TEXT NOT NULL,
    gone_at         TEXT                                       -- set when its row left the source
);
CREATE TABLE versions (
    inspection_id    TEXT NOT NULL REFERENCES inspections(id),
    version          INTEGER NOT NULL,
    raw_row_id       INTEGER NOT NULL REFERENCES raw_rows(id),
    content_hash     TEXT NOT NULL,
    fetched_at       TEXT NOT NULL,
    submitted_at     TEXT NOT NULL,         -- ISO 8601 with offset, organisation's zone
    timezone         TEXT NOT NULL,
    project          TEXT NOT NULL,
    role             TEXT NOT NULL,
    inspector        TEXT NOT NULL,
    date             TEXT NOT NULL,
    form_version     TEXT NOT NULL,
    respondent_email TEXT NOT NULL,         -- kept, never read into Inspection
    extra            TEXT NOT NULL,         -- JSON: answers of unmapped columns by header
    PRIMARY KEY (inspection_id, version)
);
CREATE TABLE answers (
    inspection_id TEXT NOT NULL,
    version       INTEGER NOT NULL,
    item_code     TEXT NOT NULL,
    findings      INTEGER,                  -- NULL = 不适用
    label         TEXT NOT NULL,            -- the answer as given
    PRIMARY KEY (inspection_id, version, item_code),
    FOREIGN KEY (inspection_id, version) REFERENCES versions(inspection_id, version)
);
CREATE TABLE sections (
    inspection_id TEXT NOT NULL,
    version       INTEGER NOT NULL,
    section       TEXT NOT NULL,
    corrected     INTEGER,                  -- 1 是, 0 否, NULL unanswered
    note          TEXT,
    PRIMARY KEY (inspection_id, version, section),
    FOREIGN KEY (inspection_id, version) REFERENCES versions(inspection_id, version)
);
CREATE TABLE quarantine (
    id            INTEGER PRIMARY KEY,
    source_id     INTEGER NOT NULL REFERENCES sources(id),
    raw_row_id    INTEGER NOT NULL REFERENCES raw_rows(id),
    row_number    INTEGER NOT NULL,
    reason_code   TEXT NOT NULL,
    reason        TEXT NOT NULL,
    first_seen_at TEXT NOT NULL,
    UNIQUE (raw_row_id, reason_code)
);
CREATE TABLE unmapped_columns (
    id            INTEGER PRIMARY KEY,
    source_id     INTEGER NOT NULL REFERENCES sources(id),
    column_name   TEXT NOT NULL,
    position      INTEGER NOT NULL,         -- 1-based column number when first seen
    first_seen_at TEXT NOT NULL,
    UNIQUE (source_id, column_name)
);
CREATE TABLE ingest_log (
    id          INTEGER PRIMARY KEY,
    started_at  TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    report      TEXT NOT NULL               -- the run's JSON report
);
CREATE INDEX versions_by_hash ON versions (content_hash);
CREATE INDEX inspections_by_checklist ON inspections (checklist);
"""

# Each step upgrades a store from the version before it; a new store runs SCHEMA, then every step.
# Steps use IF NOT EXISTS so that they can be written and merged independently.
# These are the store's own tables (sources, raw rows, the patrol checklists' inspections, quarantine,
# log). Each instrument's tables are its own (`Instrument.store_schema`, `store_migrations`):
# `migrate` creates and upgrades those of the instruments it is given (see `migrate_instruments`).
MIGRATIONS: dict[int, str] = {
    # 2: the customer questionnaire's tables and random questioning's (now CustomerQuestionnaire.store_schema
    #    and RandomQuestioning.store_schema, made by `migrate_instruments`)
    2: "",
    # 3: the quarterly exam's tables (now QuarterlyExam.store_schema)
    3: "",
    # 4: each version's answers in the version row (JSON objects in item order) instead of ~13 rows of
    #    `answers` per response; `answers` stays readable as a view. Existing answers move over.
    4: """
ALTER TABLE versions ADD COLUMN findings TEXT NOT NULL DEFAULT '{}';
ALTER TABLE versions ADD COLUMN labels TEXT NOT NULL DEFAULT '{}';
UPDATE versions SET
    findings = COALESCE((SELECT json_group_object(a.item_code, a.findings) FROM
        (SELECT item_code, findings FROM answers WHERE inspection_id = versions.inspection_id
         AND version = versions.version ORDER BY rowid) a), '{}'),
    labels = COALESCE((SELECT json_group_object(a.item_code, a.label) FROM
        (SELECT item_code, label FROM answers WHERE inspection_id = versions.inspection_id
         AND version = versions.version ORDER BY rowid) a), '{}')
    WHERE EXISTS (SELECT 1 FROM answers WHERE inspection_id = versions.inspection_id
                  AND version = versions.version);
DROP TABLE answers;
CREATE INDEX IF NOT EXISTS inspections_by_source ON inspections (source_id);
CREATE VIEW IF NOT EXISTS answers AS
    SELECT v.inspection_id AS inspection_id, v.version AS version, f.key AS item_code, f.value AS findings,
           COALESCE(json_extract(v.labels, '$."' || f.key || '"'), '') AS label
    FROM versions v, json_each(v.findings) f
""",
    # 5: a quarantined row is resolved when its source is read again without it (the row was fixed in
    #    the sheet, which stores it anew, or deleted); it opens again if the same cells come back
    5: """
ALTER TABLE quarantine ADD COLUMN resolved_at TEXT;
CREATE INDEX IF NOT EXISTS quarantine_by_source ON quarantine (source_id)
""",
    # 6: a resubmission within the window replaces the earlier inspection (`replaced_by`, recomputed by every
    #    run); a source withdrawn by `handbook sources withdraw` keeps its raw rows, its inspections no longer count
    6: """
ALTER TABLE inspections ADD COLUMN replaced_by TEXT;
ALTER TABLE inspections ADD COLUMN withdrawn_at TEXT;
ALTER TABLE sources ADD COLUMN withdrawn_at TEXT
""",
}


# Tables every handbook store has had since schema 1: a file without them is someone else's database.
CORE_TABLES = frozenset({"sources", "headers", "raw_rows", "inspections", "versions", "sections", "quarantine",
                         "unmapped_columns", "ingest_log"})
# Which version each instrument's tables are at (`migrate_instruments`); made with the first of them.
INSTRUMENT_VERSIONS = """
CREATE TABLE IF NOT EXISTS instrument_versions (
    instrument TEXT PRIMARY KEY,            -- Instrument.id
    version    INTEGER NOT NULL             -- 1 + the steps of its store_migrations run
)"""
OWN_TABLES = CORE_TABLES | {"answers", "instrument_versions"}
# SQLite primary result codes -> catalogue message (generator.errors.MESSAGES)
_ERRORS = {3: "store_readonly", 5: "store_locked", 6: "store_locked", 8: "store_readonly", 10: "store_io",
           11: "store_damaged", 13: "store_full", 14: "store_cannot_open", 26: "store_not_sqlite",
           # extended codes: a write, sync or truncation refused (EFBIG, EDQUOT… report no SQLITE_FULL)
           778: "store_write_failed", 1034: "store_write_failed", 1546: "store_write_failed"}
_ERROR_TEXTS = (("locked", "store_locked"), ("busy", "store_locked"), ("readonly", "store_readonly"),
                ("disk is full", "store_full"), ("disk i/o", "store_io"), ("unable to open", "store_cannot_open"),
                ("not a database", "store_not_sqlite"), ("malformed", "store_damaged"))


def _error_id(exc: sqlite3.Error) -> str | None:
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return _ERRORS.get(code) or _ERRORS.get(code & 0xFF)
    text = str(exc).lower()   # an error raised by the sqlite3 module itself carries no code
    return next((m for needle, m in _ERROR_TEXTS if needle in text), None)


def store_error(exc: sqlite3.Error, path: Path | str) -> StoreError | None:
    """The one-line error for an SQLite failure on the store at `path` (None: a failure of ours, not the file's)."""
    message_id = _error_id(exc)
    if message_id is None:
        return None
    return (StoreBusy if message_id == "store_locked" else StoreError)(one_line(message_id, path=path))


class _Connection(sqlite3.Connection):
    """A store connection: a locked, read-only, full or damaged store raises one `StoreError` line,
    wherever in a run it happens (never a traceback)."""

    store_path = ""

    def _fail(self, exc: sqlite3.Error):
        error = store_error(exc, self.store_path)
        if error is None:
            raise exc
        raise error from None

    def execute(self, *args, **kwargs):
        try:
            return super().execute(*args, **kwargs)
        except sqlite3.Error as exc:
            self._fail(exc)

    def executemany(self, *args, **kwargs):
        try:
            return super().executemany(*args, **kwargs)
        except sqlite3.Error as exc:
            self._fail(exc)

    def executescript(self, *args, **kwargs):
        try:
            return super().executescript(*args, **kwargs)
        except sqlite3.Error as exc:
            self._fail(exc)


def _sqlite(target: str, path: Path, **kwargs) -> sqlite3.Connection:
    try:
        conn = sqlite3.connect(target, factory=_Connection, **kwargs)
    except sqlite3.Error as exc:
        raise store_error(exc, path) or StoreError(one_line("store_cannot_open", path=path)) from None
    conn.store_path = str(path)
    return conn


def instrument_tables(instruments: Sequence) -> frozenset[str]:
    """The store tables the instruments own (`Instrument.store_tables`)."""
    return frozenset(t for i in instruments for t in i.store_tables)


def identify(conn: sqlite3.Connection, path: Path | str, own_tables: frozenset[str] = frozenset()) -> int:
    """The schema version of the handbook store on `conn` (0: an empty database, a new store).

    Refuses anything else (another application's tables, a newer handbook's store) without writing.
    `own_tables`: the instruments' tables, which are not another application's either."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    tables = {name for (name,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'")}
    if version > SCHEMA_VERSION:
        raise StoreError(one_line("store_newer", path=path, version=version, supported=SCHEMA_VERSION))
    if version == 0 and not tables:
        return 0
    if version == 0 or not CORE_TABLES <= tables:
        foreign = sorted(tables - OWN_TABLES - own_tables)
        if not foreign:
            raise StoreError(one_line("store_damaged", path=path))
        shown = "、".join(foreign[:5]) + (f" 等 {len(foreign)} 个" if len(foreign) > 5 else "")
        raise StoreError(one_line("store_foreign", path=path, tables=shown))
    return version


def connect(path: Path | str, *, wait: float = 5.0, instruments: Sequence = ()) -> sqlite3.Connection:
    """Open (creating if needed) the store; transactions are explicit (`isolation_level=None`).

    Checks at once that the file is a handbook store (or empty), so a wrong --store fails before any
    source is read and the file is left as it was."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError:
        raise StoreError(one_line("store_cannot_open", path=path)) from None
    if path.is_dir():
        raise StoreError(one_line("store_cannot_open", path=path))
    conn = _sqlite(str(path), path, timeout=wait, isolation_level=None)
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        # A 4 MiB page cache: ingest streams a year's rows through it in one transaction (dirty pages spill to
        # the file), so memory stays flat; 64 MiB did not make a year's load faster, and a week's into a year's
        # store about 0.2 s faster (of 1.5 s) at 300 projects.
        conn.execute("PRAGMA cache_size = -4096")
        identify(conn, path, instrument_tables(instruments))   # fails here, not mid-run, on a file that is no store
    except BaseException:
        conn.close()
        raise
    return conn


def backup_folder(path: Path | str) -> Path:
    """Where `handbook backup` keeps the copies of the store at `path`: `backups/` beside it."""
    return Path(path).parent / "backups"


# Stores found sound by `check_integrity` in this process, by file identity and state: a build opens the store
# several times, and a file left as it was is not read through again.
_SOUND: dict[str, tuple] = {}
_CHECK_LIMIT = 100   # problems SQLite lists before it stops looking


def _file_state(path: Path) -> tuple | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def restore_command(path: Path | str) -> str:
    """The `handbook restore` that restores this store: with `--store` unless it is the one restore takes
    without it (the default location, HANDBOOK_STORE unset)."""
    path = Path(path)
    default = Path(os.environ.get("HANDBOOK_STORE") or DEFAULT_STORE)
    if path.resolve() == default.resolve():
        return "handbook restore"
    return f"handbook restore --store {shlex.quote(str(path))}"


def check_integrity(conn: sqlite3.Connection, path: Path | str) -> None:
    """Refuse a damaged store before anything reads or writes it: SQLite's `PRAGMA quick_check` (every page
    of every table and index read once, their order and structure checked; not the indexes' contents
    against their tables, which `integrity_check` adds at several times the cost).

    A zeroed, truncated or shuffled file raises one `StoreError` line naming the file and the way back
    (`handbook restore`); nothing is written. A file already found sound by this process, and not changed
    since, is not read again."""
    path = Path(path)
    key, state = str(path.resolve()), _file_state(path)
    if state is not None and _SOUND.get(key) == state:
        return
    try:
        problems = [row[0] for row in sqlite3.Connection.execute(conn, f"PRAGMA quick_check({_CHECK_LIMIT})")]
    except sqlite3.DatabaseError as exc:
        if _error_id(exc) not in ("store_damaged", "store_not_sqlite", None):
            raise store_error(exc, path) from None   # locked, unreadable: said as such
        problems = ["malformed"]   # a page so damaged that the check itself stops
    if problems != ["ok"]:
        # SQLite's own lines (English) stay out of the message: how many it found is what the user needs
        count = max(1, sum(1 for p in problems for line in p.splitlines() if not line.startswith("*** in database")))
        problems = f"{count} 处问题" if count < _CHECK_LIMIT else f"{_CHECK_LIMIT} 处以上问题"
        raise StoreDamaged(one_line("store_check_failed", path=path, problems=problems,
                                    backups=f"{backup_folder(path)}/", restore=restore_command(path)), problems)
    if state is not None:
        _SOUND[key] = _file_state(path)


def open_copy(path: Path | str) -> sqlite3.Connection:
    """An in-memory copy of the store (empty when there is none yet), for a dry run: the file is only read."""
    path = Path(path)
    conn = _sqlite(":memory:", path, isolation_level=None)
    if path.is_file():
        source = open_store_read_only(path, allow_empty=True, snapshot=False)
        try:
            source.backup(conn)
        except sqlite3.Error as exc:
            raise store_error(exc, path) or exc from None
        finally:
            source.close()
    return conn


def begin(conn: sqlite3.Connection, path: Path | str, instruments: Sequence = ()) -> None:
    """Start the run's one write transaction, waiting briefly if another program holds the store, and bring
    the store's tables and those of `instruments` up to date in it."""
    conn.execute("BEGIN IMMEDIATE")   # a lock held elsewhere: StoreBusy (see _Connection)
    check_integrity(conn, path)       # never write into a damaged file: the run would spread the damage
    migrate(conn, path, instruments)
    # responses are also found by their time (to the minute, or read in another zone): an index, not a new shape
    conn.execute("CREATE INDEX IF NOT EXISTS versions_by_submission ON versions (submitted_at)")


def migrate(conn: sqlite3.Connection, path: Path | str = "store", instruments: Sequence = ()) -> None:
    """Create or upgrade the store's own tables (SCHEMA, MIGRATIONS), then those of `instruments`."""
    version = identify(conn, path, instrument_tables(instruments))
    if version == 0:
        _run_script(conn, SCHEMA)
        version = 1
    for step in range(version + 1, SCHEMA_VERSION + 1):
        _run_script(conn, MIGRATIONS[step])
    if version != SCHEMA_VERSION:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    migrate_instruments(conn, path, instruments)


def migrate_instruments(conn: sqlite3.Connection, path: Path | str, instruments: Sequence) -> None:
    """Create or upgrade the tables of each of `instruments` that has some (`Instrument.store_schema`).

    An instrument's tables have a version of their own, kept in `instrument_versions`: `store_schema`
    makes the newest; step n of `store_migrations` takes tables of version n - 1 to n. Tables made before
    versions were kept (the instruments' tables of a store of schema 2-5) are version 1. Tables of an
    instrument not given are left as they are (and made when it is given)."""
    owners = [i for i in instruments if i.store_schema]
    if not owners:
        return
    conn.execute(INSTRUMENT_VERSIONS)
    recorded = dict(conn.execute("SELECT instrument, version FROM instrument_versions"))
    existing = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    for instrument in owners:
        newest = max(instrument.store_migrations, default=1)
        version = recorded.get(instrument.id)
        if version is None:
            present = [t for t in instrument.store_tables if t in existing]
            if not present:
                _run_script(conn, instrument.store_schema)
                version = newest
            elif len(present) == len(instrument.store_tables):
                version = 1
            else:   # some of its tables and not others: no version of it ever made that
                raise StoreError(one_line("store_damaged", path=path))
        if version > newest:
            raise StoreError(one_line("store_newer", path=path, version=f"{instrument.id} {version}",
                                      supported=newest))
        for step in range(version + 1, newest + 1):
            _run_script(conn, instrument.store_migrations[step])
        if recorded.get(instrument.id) != newest:
            conn.execute("INSERT OR REPLACE INTO instrument_versions (instrument, version) VALUES (?, ?)",
                         (instrument.id, newest))


def _run_script(conn: sqlite3.Connection, script: str) -> None:
    # statement by statement: executescript would commit the run's transaction
    for statement in script.split(";"):
        if statement.strip():
            conn.execute(statement)


def open_store_read_only(path: Path | str, *, allow_empty: bool = False, snapshot: bool = True) -> sqlite3.Connection:
    """A read-only connection to an existing store; with `snapshot`, its reads are one transaction
    (an ingest committing meanwhile cannot make a read half old, half new)."""
    path = Path(path)
    if not path.is_file():
        raise StoreError(one_line("store_missing", path=path))
    conn = _sqlite(f"{path.resolve().as_uri()}?mode=ro", path, uri=True)
    try:
        if snapshot:
            conn.execute("BEGIN")
        version = identify(conn, path)   # an older store reads fine until the next ingest upgrades it
        if version == 0 and not allow_empty:
            raise StoreError(one_line("store_empty", path=path))
        check_integrity(conn, path)   # a damaged page read later would be a traceback, or wrong results
    except BaseException:
        conn.close()
        raise
    return conn


# ---------------------------------------------------------------- reading

def counted(conn: sqlite3.Connection, alias: str = "i", *, gone: bool = True) -> str:
    """The SQL condition on `alias` (an `inspections` row) of an inspection that counts in the results: not
    gone from its source, not replaced by a resubmission, not from a withdrawn source (`gone=False`: leave
    the gone flag out of it)."""
    parts = [f"{alias}.gone_at IS NULL"] if gone else []
    if conn.execute("PRAGMA user_version").fetchone()[0] >= 6:
        parts.append(f"{alias}.replaced_by IS NULL AND {alias}.withdrawn_at IS NULL")
    return " AND ".join(parts) or "1=1"


def read_inspections(db_path: Path | str, *, checklist: str | None = None,
                     include_gone: bool = False) -> list[Inspection]:
    """The current version of every stored inspection (those gone from their source only on request)."""
    conn = open_store_read_only(db_path)
    try:
        compact = conn.execute("PRAGMA user_version").fetchone()[0] >= 4   # answers in the version row
        where, args = ["1=1"], []
        if checklist:
            where.append("i.checklist = ?")
            args.append(checklist)
        if not include_gone:
            where.append("i.gone_at IS NULL")
        where.append(counted(conn, "i", gone=False))   # never a replaced one, nor one of a withdrawn source
        # two scans joined in Python: a join in SQL looks every version's inspection up by its text id
        current = {iid: (cl, version) for iid, cl, version in conn.execute(
            f"SELECT i.id, i.checklist, i.current_version FROM inspections i WHERE {' AND '.join(where)}", args)}
        get = current.get
        rows = [(iid, hit[0], *rest) for iid, version, *rest in conn.execute(f"""
                    SELECT inspection_id, version, project, role, inspector, date, submitted_at, timezone,
                           form_version, {'findings' if compact else "''"} FROM versions""")
                if (hit := get(iid)) is not None and hit[1] == version]
        rows.sort(key=itemgetter(6, 0))   # by submission time, then id (ASCII: as SQLite's ORDER BY would)
        findings: dict[str, dict] = {}
        if not compact:   # a store of schema 1-3 (read-only readers do not upgrade it)
            for iid, code, value in conn.execute("""
                    SELECT a.inspection_id, a.item_code, a.findings FROM answers a
                    JOIN inspections i ON i.id = a.inspection_id AND a.version = i.current_version"""):
                findings.setdefault(iid, {})[code] = value
        corrected: dict[str, dict] = {}
        notes: dict[str, dict] = {}
        for iid, version, section, fixed, note in conn.execute(
                "SELECT inspection_id, version, section, corrected, note FROM sections"):
            hit = get(iid)
            if hit is None or hit[1] != version:
                continue
            if fixed is not None:
                corrected.setdefault(iid, {})[section] = bool(fixed)
            if note:
                notes.setdefault(iid, {})[section] = note
    finally:
        conn.close()
    # dates, zones and answer sets repeat a lot: parse each distinct text once
    zones: dict[str, ZoneInfo] = {}
    dates: dict[str, dt.date] = {}
    decoded: dict[str, dict] = {}
    loads, fromiso, date_of = json.loads, dt.datetime.fromisoformat, dt.date.fromisoformat
    out = []
    append, new = out.append, object.__new__
    for iid, cl, project, role, inspector, date, submitted, tz, form_version, encoded in rows:
        zone = zones.get(tz)
        if zone is None:
            zone = zones[tz] = ZoneInfo(tz)
        day = dates.get(date)
        if day is None:
            day = dates[date] = date_of(date)
        if compact:
            answers = decoded.get(encoded)
            if answers is None:
                answers = decoded[encoded] = loads(encoded)
            answers = answers.copy()
        else:
            answers = findings.get(iid, {})
        # what Inspection(...) builds, without the frozen dataclass's per-field object.__setattr__
        # (a third of this loop at 300,000 inspections); test_store checks the two are equal
        record = new(Inspection)
        record.__dict__.update(
            id=iid, checklist=cl, project=project, role=role, inspector=inspector,
            date=day, submitted_at=fromiso(submitted).astimezone(zone),
            form_version=form_version, findings=answers, corrected=corrected.get(iid, {}),
            notes=notes.get(iid, {}))
        append(record)
    return out


@dataclass(frozen=True)
class QuarantinedRow:
    """A response row that could not be used, with where it came from and why."""

    checklist: str
    source: str          # the source's title (sheet title or file name)
    source_key: str
    row_number: int
    reason_code: str
    reason: str
    first_seen_at: dt.datetime
    resolved_at: dt.datetime | None = None   # when its source was read again without it


@dataclass(frozen=True)
class UnmappedColumn:
    """A column that maps to no question of the checklist (its answers stay in the raw rows)."""

    checklist: str
    source: str
    source_key: str
    column: str
    position: int
    first_seen_at: dt.datetime


def read_quarantine(db_path: Path | str, *, include_resolved: bool = False) -> list[QuarantinedRow]:
    """Every quarantined row still in its source (all of them on request), oldest first."""
    conn = open_store_read_only(db_path)
    try:
        tracked = conn.execute("PRAGMA user_version").fetchone()[0] >= 5
        where = "" if include_resolved or not tracked else "WHERE q.resolved_at IS NULL"
        rows = conn.execute(f"""
            SELECT s.checklist, s.title, s.key, q.row_number, q.reason_code, q.reason, q.first_seen_at,
                   {'q.resolved_at' if tracked else 'NULL'}
            FROM quarantine q JOIN sources s ON s.id = q.source_id {where}
            ORDER BY q.first_seen_at, s.key, q.row_number""").fetchall()
    finally:
        conn.close()
    return [QuarantinedRow(c, t, k, n, code, reason, dt.datetime.fromisoformat(when),
                           dt.datetime.fromisoformat(resolved) if resolved else None)
            for c, t, k, n, code, reason, when, resolved in rows]


@dataclass(frozen=True)
class Replacement:
    """An inspection a resubmission replaced (same project, role, inspector, date and round, within the
    window): where each was, and how many minutes apart they were submitted."""

    checklist: str
    source: str            # the replaced one's source title
    row_number: int
    by_source: str
    by_row: int
    minutes: int
    submitted_at: dt.datetime   # the replaced one's


def read_replacements(db_path: Path | str) -> list[Replacement]:
    """Every inspection a resubmission replaced, oldest first ([] for a store from before resubmissions)."""
    conn = open_store_read_only(db_path)
    try:
        if conn.execute("PRAGMA user_version").fetchone()[0] < 6:
            return []
        rows = conn.execute("""
            SELECT i.checklist, s.title, i.row_number, bs.title, b.row_number, v.submitted_at, bv.submitted_at
            FROM inspections i JOIN inspections b ON b.id = i.replaced_by
            JOIN versions v ON v.inspection_id = i.id AND v.version = i.current_version
            JOIN versions bv ON bv.inspection_id = b.id AND bv.version = b.current_version
            JOIN sources s ON s.id = i.source_id JOIN sources bs ON bs.id = b.source_id
            WHERE i.replaced_by IS NOT NULL ORDER BY v.submitted_at, i.id""").fetchall()
    finally:
        conn.close()
    out = []
    for checklist, source, row, by_source, by_row, at, by_at in rows:
        at, by_at = dt.datetime.fromisoformat(at), dt.datetime.fromisoformat(by_at)
        out.append(Replacement(checklist, source, row, by_source, by_row,
                               round((by_at - at).total_seconds() / 60), at))
    return out


def read_unmapped_columns(db_path: Path | str) -> list[UnmappedColumn]:
    """Every column that mapped to nothing, by source."""
    conn = open_store_read_only(db_path)
    try:
        rows = conn.execute("""
            SELECT s.checklist, s.title, s.key, u.column_name, u.position, u.first_seen_at
            FROM unmapped_columns u JOIN sources s ON s.id = u.source_id
            ORDER BY s.key, u.position""").fetchall()
    finally:
        conn.close()
    return [UnmappedColumn(c, t, k, name, pos, dt.datetime.fromisoformat(when))
            for c, t, k, name, pos, when in rows]


def read_versions(db_path: Path | str, inspection_id: str) -> list[dict]:
    """Every version of one inspection, oldest first (for audits and tests)."""
    conn = open_store_read_only(db_path)
    try:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute(
            "SELECT * FROM versions WHERE inspection_id = ? ORDER BY version", (inspection_id,))]
    finally:
        conn.close()


def read_arrivals(db_path: Path | str) -> dict[str, dt.datetime]:
    """When the current version of each inspection still in its source was stored (its fetch time, aware):
    what is new since a time (`handbook notify`)."""
    conn = open_store_read_only(db_path)
    try:
        rows = conn.execute("""
            SELECT i.id, v.fetched_at FROM inspections i
            JOIN versions v ON v.inspection_id = i.id AND v.version = i.current_version
            WHERE i.gone_at IS NULL""").fetchall()
    finally:
        conn.close()
    out = {}
    for iid, when in rows:
        stamp = dt.datetime.fromisoformat(when)
        out[iid] = stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.timezone.utc)
    return out


def read_last_fetch(db_path: Path | str) -> dt.datetime | None:
    """When the store's data was last fetched (aware): the later of the latest run that read sources (not a
    dry run) and the newest raw row fetched. None for a store that never read anything."""
    conn = open_store_read_only(db_path)
    try:
        stamps = [row[0] for row in conn.execute("""
            SELECT max(started_at) FROM ingest_log
            WHERE NOT coalesce(json_extract(report, '$.dry_run'), 0)
              AND json_array_length(coalesce(json_extract(report, '$.sources'), '[]')) > 0
            UNION ALL SELECT max(fetched_at) FROM raw_rows""")]
    finally:
        conn.close()
    times = []
    for text in filter(None, stamps):
        try:
            stamp = dt.datetime.fromisoformat(text)
        except ValueError:
            continue
        times.append(stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.timezone.utc))
    return max(times, default=None)


def read_log(db_path: Path | str) -> list[dict]:
    """The ingest log: one JSON report per run."""
    conn = open_store_read_only(db_path)
    try:
        return [{"started_at": s, "finished_at": f, **json.loads(r)} for s, f, r in
                conn.execute("SELECT started_at, finished_at, report FROM ingest_log ORDER BY id")]
    finally:
        conn.close()


# ---------------------------------------------------------------- writing (inside the run's transaction)

def _day(text: str, _days: dict[str, dt.date] = {}) -> dt.date:
    day = _days.get(text)
    if day is None:
        if len(_days) > 4096:
            _days.clear()
        day = _days[text] = dt.date.fromisoformat(text)
    return day


@dataclass(frozen=True)
class RawTable:
    """A table as `StoreWriter.record_table` recorded it: its source, its header, and each row as fetched."""

    source_id: int
    header_id: int
    rows: list[tuple[int, str, str]]     # (row number, SHA-256 of the cells JSON, cells JSON), in table order
    ids: dict[str, int]                  # {hash: raw row id} for the source and header


def _raw_cell(value):
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


class StoreWriter:
    """The writes of one ingest, all inside the transaction `begin` opened."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def source_id(self, key: str, checklist: str, kind: str, locator: str, title: str,
                  timezone: str | None, now: str) -> int:
        """The id of a source read in this run (created on first read)."""
        self.conn.execute("""INSERT OR IGNORE INTO sources (key, checklist, kind, locator, title, timezone,
                             first_read_at) VALUES (?, ?, ?, ?, ?, ?, ?)""",
                          (key, checklist, kind, locator, title, timezone, now))
        row = self.conn.execute("SELECT id, title, timezone FROM sources WHERE key = ?", (key,)).fetchone()
        if (row[1], row[2]) != (title, timezone):
            self.conn.execute("UPDATE sources SET title = ?, timezone = ? WHERE id = ?", (title, timezone, row[0]))
        self._run_tables()
        self.conn.execute("INSERT OR IGNORE INTO temp.run_sources VALUES (?)", (row[0],))
        return row[0]

    def _run_tables(self) -> None:
        # what this run read and quarantined (temporary: gone with the connection), for `settle_quarantine`
        self.conn.execute("CREATE TEMP TABLE IF NOT EXISTS run_sources (source_id INTEGER PRIMARY KEY)")
        self.conn.execute("CREATE TEMP TABLE IF NOT EXISTS run_quarantine (raw_row_id INTEGER, reason_code TEXT, "
                          "PRIMARY KEY (raw_row_id, reason_code))")

    def header_id(self, source_id: int, hash_: str, cells_json: str, now: str) -> int:
        self.conn.execute("INSERT OR IGNORE INTO headers (source_id, hash, cells, first_read_at) VALUES (?, ?, ?, ?)",
                          (source_id, hash_, cells_json, now))
        return self.conn.execute("SELECT id FROM headers WHERE source_id = ? AND hash = ?",
                                 (source_id, hash_)).fetchone()[0]

    def record_table(self, table, keep: list[int], title: str, now: str) -> RawTable:
        """Register `table`'s source (under its checklist) and the header of the columns `keep`, and append
        those columns of every row as fetched: the raw record an instrument's own ingest starts from (the
        rows are kept whatever their mapping later says)."""
        sid = self.source_id(table.source.key, table.source.checklist, table.source.kind, table.source.locator,
                             title, table.timezone, now)
        header_json = json.dumps([table.header[i] for i in keep], ensure_ascii=False)
        hid = self.header_id(sid, hashlib.sha256(header_json.encode()).hexdigest(), header_json, now)
        rows = []
        for number, cells in table.rows:
            kept = [cells[i] if i < len(cells) else None for i in keep]
            raw_json = json.dumps(kept, ensure_ascii=False, default=_raw_cell)
            rows.append((number, hashlib.sha256(raw_json.encode()).hexdigest(), raw_json))
        return RawTable(sid, hid, rows, self.raw_rows(sid, hid, rows, table.fetched_at.isoformat(timespec="seconds")))

    def raw_rows(self, source_id: int, header_id: int, rows: list[tuple[int, str, str]], fetched_at: str) -> dict:
        """Append rows not stored yet; returns {hash: raw row id} for the source and header."""
        self.append_raw_rows(source_id, header_id, rows, fetched_at)
        return self.raw_ids(source_id, header_id)

    def append_raw_rows(self, source_id: int, header_id: int, rows: list[tuple[int, str, str]],
                        fetched_at: str) -> int:
        """Append rows (row number, hash, cells JSON) not stored yet for the source and header; returns how
        many were new."""
        return self.conn.executemany(
            "INSERT OR IGNORE INTO raw_rows (source_id, header_id, row_number, fetched_at, hash, cells) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [(source_id, header_id, n, fetched_at, h, cells) for n, h, cells in rows]).rowcount

    def raw_ids(self, source_id: int, header_id: int) -> dict[str, int]:
        """{hash: raw row id} for the source and header."""
        return dict(self.conn.execute("SELECT hash, id FROM raw_rows WHERE source_id = ? AND header_id = ?",
                                      (source_id, header_id)))

    # ---- streaming a source: what matching needs lives in the run's temporary tables, not in memory

    def max_inspection_rowid(self) -> int:
        """The last inspection's rowid before the run: those above it are this run's new inspections."""
        return self.conn.execute("SELECT coalesce(max(rowid), 0) FROM inspections").fetchone()[0]

    def live_count(self, source_id: int, max_rowid: int) -> int:
        """Inspections last seen in the source and not gone, among those stored before the run."""
        return self.conn.execute("SELECT count(*) FROM inspections WHERE source_id = ? AND gone_at IS NULL "
                                 "AND rowid <= ?", (source_id, max_rowid)).fetchone()[0]

    def _match_tables(self) -> None:
        c = self.conn
        # inspections this run matched to a row (unchanged or edited), and the row that claimed each
        c.execute("CREATE TEMP TABLE IF NOT EXISTS run_claimed (id TEXT PRIMARY KEY, title TEXT, row_number INTEGER)")
        # a re-read source's stored inspections (the pool edits are matched from) and raw rows (the fast path)
        c.execute("CREATE TEMP TABLE IF NOT EXISTS run_pool (id TEXT PRIMARY KEY, rid INTEGER, source_id INTEGER, "
                  "row_number INTEGER, project TEXT, role TEXT, inspector TEXT, date TEXT)")
        c.execute("CREATE INDEX IF NOT EXISTS temp.run_pool_by_key ON run_pool (source_id, project, role, inspector, date)")
        c.execute("CREATE TEMP TABLE IF NOT EXISTS run_known (source_id INTEGER, header_id INTEGER, hash TEXT, "
                  "content_hash TEXT, project TEXT, role TEXT, inspector TEXT, date TEXT, form_version TEXT, "
                  "PRIMARY KEY (source_id, header_id, hash))")
        # rows that may be edits: decided once every row of the checklist's sources is read
        c.execute("CREATE TEMP TABLE IF NOT EXISTS run_pending (checklist TEXT, source_id INTEGER, row_number INTEGER, "
                  "raw_id INTEGER, content_hash TEXT, project TEXT, role TEXT, inspector TEXT, date TEXT, "
                  "anchor_row INTEGER, anchor_prev INTEGER, payload BLOB, PRIMARY KEY (source_id, row_number))")
        c.execute("CREATE INDEX IF NOT EXISTS temp.run_pending_by_hash ON run_pending (checklist, content_hash)")

    def pool(self, source_id: int, checklist: str, max_rowid: int) -> bool:
        """Gather the source's inspections stored before the run (edits are matched among them, and those no
        row claims are gone); False when it had none."""
        self._match_tables()
        if self.conn.execute("SELECT 1 FROM inspections WHERE source_id = ? LIMIT 1", (source_id,)).fetchone() is None:
            return False
        return self.conn.execute("""
            INSERT INTO temp.run_pool SELECT i.id, i.rowid, i.source_id, i.row_number, v.project, v.role,
                                             v.inspector, v.date
            FROM inspections i JOIN versions v ON v.inspection_id = i.id AND v.version = i.current_version
            WHERE i.source_id = ? AND i.checklist = ? AND i.rowid <= ?""",
                                 (source_id, checklist, max_rowid)).rowcount > 0

    def know(self, source_id: int, header_id: int) -> bool:
        """Gather the raw rows stored from the source and header that are some inspection's current version
        (a row fetched again with the same cells is that version); False when there are none."""
        self._match_tables()
        if self.conn.execute("SELECT 1 FROM raw_rows WHERE source_id = ? AND header_id = ? LIMIT 1",
                             (source_id, header_id)).fetchone() is None:
            return False   # a new source (or header): nothing stored from it (and no scan of every version)
        return self.conn.execute("""
            INSERT OR IGNORE INTO temp.run_known
            SELECT r.source_id, r.header_id, r.hash, v.content_hash, v.project, v.role, v.inspector, v.date,
                   v.form_version
            FROM raw_rows r JOIN versions v ON v.raw_row_id = r.id
            JOIN inspections i ON i.id = v.inspection_id AND i.current_version = v.version
            WHERE r.source_id = ? AND r.header_id = ?""", (source_id, header_id)).rowcount > 0

    def known(self, source_id: int, header_id: int, hashes: list[str]) -> dict[str, tuple[str, tuple, str]]:
        """{raw hash: (content hash, key, form version)} for those of `hashes` that `know` gathered."""
        out = {}
        for raw_hash, content_hash, project, role, inspector, date, form_version in self._in(
                "SELECT hash, content_hash, project, role, inspector, date, form_version FROM temp.run_known "
                "WHERE source_id = ? AND header_id = ? AND hash IN ({})", (source_id, header_id), hashes):
            out[raw_hash] = (content_hash, (project, role, inspector, _day(date)), form_version)
        return out

    def last_raw_id(self) -> int:
        return self.conn.execute("SELECT coalesce(max(id), 0) FROM raw_rows").fetchone()[0]

    def raw_ids_of(self, source_id: int, header_id: int, hashes: list[str]) -> dict[str, int]:
        """{hash: raw row id} for these hashes of the source and header."""
        return dict(self._in("SELECT hash, id FROM raw_rows WHERE source_id = ? AND header_id = ? AND hash IN ({})",
                             (source_id, header_id), hashes))

    def by_content(self, checklist: str, hashes: list[str]) -> dict[str, list[tuple]]:
        """{content hash: [(id, rowid, source id, row number, current version, gone_at, claimed by title,
        claimed by row), ...]} of the checklist's inspections whose current version has that hash, in the
        store's order (this run's new inspections included; claimed: matched to a row of this run)."""
        self._match_tables()
        out: dict[str, list[tuple]] = {}
        for h, *rest in self._in("""
                SELECT v.content_hash, i.id, i.rowid, i.source_id, i.row_number, i.current_version, i.gone_at,
                       c.title, c.row_number
                FROM versions v CROSS JOIN inspections i ON i.id = v.inspection_id AND i.current_version = v.version
                LEFT JOIN temp.run_claimed c ON c.id = i.id
                WHERE +i.checklist = ? AND v.content_hash IN ({}) ORDER BY i.rowid""", (checklist,), hashes):
            out.setdefault(h, []).append(tuple(rest))
        return out

    _AT = """SELECT v.submitted_at, v.content_hash, v.project, v.role, v.inspector, v.date, s.kind, s.timezone,
                    i.id, i.rowid, i.source_id, i.row_number, i.current_version, i.gone_at, c.title, c.row_number
             FROM versions v CROSS JOIN inspections i ON i.id = v.inspection_id AND i.current_version = v.version
             JOIN raw_rows r ON r.id = v.raw_row_id JOIN sources s ON s.id = r.source_id
             LEFT JOIN temp.run_claimed c ON c.id = i.id
             WHERE +i.checklist = ? AND """

    def current_at(self, checklist: str, times: list[str]) -> dict[str, list[tuple]]:
        """{submitted_at: [(content hash, project, role, inspector, date, kind and time zone of the source its
        raw row came from, then what `by_content` gives)]} of the checklist's current versions at these times."""
        self._match_tables()
        out: dict[str, list[tuple]] = {}
        for at, *rest in self._in(self._AT + "v.submitted_at IN ({})", (checklist,), times):
            out.setdefault(at, []).append(tuple(rest))
        return out

    def current_between(self, checklist: str, start: str, end: str) -> list[tuple]:
        """(submitted_at, *what `current_at` gives) of the checklist's current versions in [start, end)."""
        self._match_tables()
        return self.conn.execute(self._AT + "v.submitted_at >= ? AND v.submitted_at < ?",
                                 (checklist, start, end)).fetchall()

    def sheet_zones(self, checklist: str) -> set[str]:
        """The time zones of the checklist's spreadsheets read so far."""
        return {z for (z,) in self.conn.execute("SELECT DISTINCT timezone FROM sources WHERE checklist = ? AND "
                                                "kind = 'sheet' AND timezone IS NOT NULL", (checklist,))}

    def pooled_keys(self, source_id: int, keys: list[tuple]) -> set[tuple]:
        """Which of these keys (project, role, inspector, date) an inspection of the source's pool has."""
        out: set[tuple] = set()
        for key in set(keys):
            if self.conn.execute("SELECT 1 FROM temp.run_pool WHERE source_id = ? AND project = ? AND role = ? "
                                 "AND inspector = ? AND date = ? LIMIT 1",
                                 (source_id, key[0], key[1], key[2], key[3].isoformat())).fetchone():
                out.add(key)
        return out

    def claim(self, rows: list[tuple]) -> None:
        """rows: (inspection id, title, row number) of the rows this run matched to stored inspections."""
        self._match_tables()
        self.conn.executemany("INSERT INTO temp.run_claimed VALUES (?, ?, ?)", rows)

    def add_pending(self, rows: list[tuple]) -> None:
        """rows: (checklist, source id, row number, raw id, content hash, project, role, inspector, date,
        anchor row, anchor's stored row, payload)."""
        self._match_tables()
        self.conn.executemany("INSERT INTO temp.run_pending VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)

    def pending_by_content(self, checklist: str, hashes: list[str]) -> dict[str, tuple[str, int]]:
        """{content hash: (source id, row number)} of pending rows with one of these hashes."""
        return {h: (sid, n) for h, sid, n in self._in(
            "SELECT content_hash, source_id, row_number FROM temp.run_pending WHERE checklist = ? "
            "AND content_hash IN ({})", (checklist,), hashes)}

    def pending(self, source_id: int):
        """The source's pending rows in sheet order: (row number, raw id, content hash, key, anchor row,
        anchor's stored row, payload)."""
        for n, raw_id, h, project, role, inspector, date, a_row, a_prev, payload in self.conn.execute(
                "SELECT row_number, raw_id, content_hash, project, role, inspector, date, anchor_row, anchor_prev, "
                "payload FROM temp.run_pending WHERE source_id = ? ORDER BY row_number", (source_id,)).fetchall():
            yield n, raw_id, h, (project, role, inspector, _day(date)), a_row, a_prev, payload

    def pool_candidates(self, source_id: int, key: tuple) -> list[tuple]:
        """The pool's inspections with this key that no row claimed, in the store's order:
        (id, row number, current version, gone_at)."""
        return self.conn.execute("""
            SELECT p.id, p.row_number, i.current_version, i.gone_at FROM temp.run_pool p
            JOIN inspections i ON i.id = p.id
            WHERE p.source_id = ? AND p.project = ? AND p.role = ? AND p.inspector = ? AND p.date = ?
              AND p.id NOT IN (SELECT id FROM temp.run_claimed) ORDER BY p.rid""",
                                 (source_id, key[0], key[1], key[2], key[3].isoformat())).fetchall()

    def unclaimed_live(self, source_id: int) -> list[str]:
        """The pool's inspections of the source that no row claimed and that were not gone: gone now."""
        return [r[0] for r in self.conn.execute("""
            SELECT p.id FROM temp.run_pool p JOIN inspections i ON i.id = p.id
            WHERE p.source_id = ? AND i.gone_at IS NULL AND p.id NOT IN (SELECT id FROM temp.run_claimed)
            ORDER BY p.rid""", (source_id,))]

    def _in(self, sql: str, params: tuple, values: list, chunk: int = 900):
        """Rows of `sql` whose `IN ({})` takes `values`, in chunks (SQLite limits the parameters)."""
        for k in range(0, len(values), chunk):
            part = values[k:k + chunk]
            yield from self.conn.execute(sql.format(",".join("?" * len(part))), (*params, *part))

    def existing_ids(self, ids: list[str]) -> set[str]:
        """Which of these inspection ids are taken."""
        out: set[str] = set()
        for k in range(0, len(ids), 500):
            chunk = ids[k:k + 500]
            out.update(r[0] for r in self.conn.execute(
                f"SELECT id FROM inspections WHERE id IN ({','.join('?' * len(chunk))})", chunk))
        return out

    def add_inspections(self, rows: list[tuple]) -> None:
        """rows: (id, checklist, source_id, row_number, current_version, first_seen_at)."""
        self.conn.executemany("INSERT INTO inspections (id, checklist, source_id, row_number, current_version, "
                              "first_seen_at) VALUES (?, ?, ?, ?, ?, ?)", rows)
        self._touch(r[0] for r in rows)

    def move_inspections(self, rows: list[tuple]) -> None:
        """rows: (source_id, row_number, current_version, id); clears the gone flag, and the withdrawn flag (a
        source read now holds it: sources withdrawn are not read)."""
        self.conn.executemany("UPDATE inspections SET source_id = ?, row_number = ?, current_version = ?, "
                              "gone_at = NULL, withdrawn_at = NULL WHERE id = ?", rows)
        self._touch(r[-1] for r in rows)

    def add_versions(self, versions: list[tuple], sections: list[tuple]) -> None:
        """versions: (inspection_id, version, raw_row_id, content_hash, fetched_at, submitted_at, timezone,
        project, role, inspector, date, form_version, respondent_email, extra, findings, labels)."""
        self.conn.executemany("INSERT INTO versions (inspection_id, version, raw_row_id, content_hash, fetched_at, "
                              "submitted_at, timezone, project, role, inspector, date, form_version, "
                              "respondent_email, extra, findings, labels) "
                              "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", versions)
        self.conn.executemany("INSERT INTO sections (inspection_id, version, section, corrected, note) "
                              "VALUES (?, ?, ?, ?, ?)", sections)

    def quarantine(self, rows: list[tuple]) -> None:
        """rows: (source_id, raw_row_id, row_number, reason_code, reason, first_seen_at)."""
        self.conn.executemany("INSERT OR IGNORE INTO quarantine (source_id, raw_row_id, row_number, reason_code, "
                              "reason, first_seen_at) VALUES (?, ?, ?, ?, ?, ?)", rows)
        self._run_tables()
        self.conn.executemany("INSERT OR IGNORE INTO temp.run_quarantine VALUES (?, ?)",
                              [(r[1], r[3]) for r in rows])

    def settle_quarantine(self, now: str) -> tuple[int, int]:
        """At the end of a run: quarantined rows of the sources read that this run did not quarantine again
        are resolved (fixed in the sheet, or deleted); resolved ones quarantined again are open again.
        Returns (resolved, reopened)."""
        self._run_tables()
        resolved = self.conn.execute("""
            UPDATE quarantine SET resolved_at = ?
            WHERE resolved_at IS NULL AND source_id IN (SELECT source_id FROM temp.run_sources)
              AND NOT EXISTS (SELECT 1 FROM temp.run_quarantine r
                              WHERE r.raw_row_id = quarantine.raw_row_id AND r.reason_code = quarantine.reason_code)""",
                                     (now,)).rowcount
        reopened = self.conn.execute("""
            UPDATE quarantine SET resolved_at = NULL
            WHERE resolved_at IS NOT NULL AND EXISTS (
                SELECT 1 FROM temp.run_quarantine r
                WHERE r.raw_row_id = quarantine.raw_row_id AND r.reason_code = quarantine.reason_code)""").rowcount
        self.conn.execute("DELETE FROM temp.run_sources")
        self.conn.execute("DELETE FROM temp.run_quarantine")
        return resolved, reopened

    def unmapped(self, rows: list[tuple]) -> None:
        """rows: (source_id, column_name, position, first_seen_at)."""
        self.conn.executemany("INSERT OR IGNORE INTO unmapped_columns (source_id, column_name, position, "
                              "first_seen_at) VALUES (?, ?, ?, ?)", rows)

    def withdrawn(self, key: str) -> str | None:
        """When the source was withdrawn (None: it was not, or it is new)."""
        if self.conn.execute("PRAGMA user_version").fetchone()[0] < 6:
            return None
        row = self.conn.execute("SELECT withdrawn_at FROM sources WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def reinstate(self, key: str) -> None:
        """Lift a source's withdrawal: its inspections count again (those its rows no longer hold go gone)."""
        sid = self.conn.execute("SELECT id FROM sources WHERE key = ?", (key,)).fetchone()[0]
        self.conn.execute("UPDATE sources SET withdrawn_at = NULL WHERE id = ?", (sid,))
        self._touch(r[0] for r in self.conn.execute("SELECT id FROM inspections WHERE source_id = ? AND "
                                                    "withdrawn_at IS NOT NULL", (sid,)).fetchall())
        self.conn.execute("UPDATE inspections SET withdrawn_at = NULL WHERE source_id = ?", (sid,))

    def _touch(self, ids) -> None:
        """Note inspections this run added, edited, moved or flagged (their days' resubmissions are recomputed)."""
        self.conn.execute("CREATE TEMP TABLE IF NOT EXISTS run_touched (id TEXT PRIMARY KEY) WITHOUT ROWID")
        self.conn.executemany("INSERT OR IGNORE INTO temp.run_touched VALUES (?)", ((i,) for i in ids))

    def mark_resubmissions(self, checklist: str, minutes: int, *, touched_only: bool = False) -> int:
        """Recompute which of the checklist's inspections a resubmission replaced: the same project, role,
        inspector, 检查日期 and round (当天第几次巡查 / 巡查时段, when the form asks it) submitted again within
        `minutes`; the later replaces the earlier (a chain: each by the next). Without a round on the form,
        only entries made on their inspection day count as resubmissions: paper sheets of one day keyed in
        later, one after the other, are that day's patrols. Gone and withdrawn ones take no part (a gone
        resubmission gives the earlier back). Returns how many are replaced now.

        `touched_only`: only the days (project, role, inspector, date) of inspections this run touched
        (`_touch`): a week's rows into a year's store do not sort the year again."""
        where, args = "i.checklist = ?", [checklist]
        if touched_only:
            self._touch(())
            self.conn.execute("CREATE TEMP TABLE IF NOT EXISTS run_days (project TEXT, role TEXT, inspector TEXT, "
                              "date TEXT, PRIMARY KEY (project, role, inspector, date)) WITHOUT ROWID")
            self.conn.execute("DELETE FROM temp.run_days")
            self.conn.execute("""
                INSERT OR IGNORE INTO temp.run_days SELECT v.project, v.role, v.inspector, v.date
                FROM temp.run_touched t JOIN inspections i ON i.id = t.id JOIN versions v ON v.inspection_id = i.id
                WHERE i.checklist = ?""", (checklist,))    # every version: an edit may have moved it to another day
            where += (" AND EXISTS (SELECT 1 FROM temp.run_days d WHERE d.project = v.project AND d.role = v.role "
                      "AND d.inspector = v.inspector AND d.date = v.date)")
        self.conn.execute(f"""UPDATE inspections SET replaced_by = NULL WHERE id IN (
            SELECT i.id FROM inspections i JOIN versions v ON v.inspection_id = i.id AND v.version = i.current_version
            WHERE {where} AND i.replaced_by IS NOT NULL)""", args)
        if minutes <= 0:
            return 0
        pairs = self.conn.execute(f"""
            WITH cur AS (
                SELECT i.id, v.project, v.role, v.inspector, v.date, v.submitted_at,
                       coalesce(json_extract(v.extra, '$."当天第几次巡查"'), '') || '|' ||
                       coalesce(json_extract(v.extra, '$."巡查时段"'), '') AS round,
                       v.date = substr(v.submitted_at, 1, 10) AS same_day
                FROM inspections i JOIN versions v ON v.inspection_id = i.id AND v.version = i.current_version
                WHERE {where} AND i.gone_at IS NULL AND i.withdrawn_at IS NULL),
            ordered AS (
                SELECT id, submitted_at, round, same_day, lead(id) OVER w AS next_id,
                       lead(submitted_at) OVER w AS next_at, lead(same_day) OVER w AS next_same_day
                FROM cur WINDOW w AS (PARTITION BY project, role, inspector, date, round ORDER BY submitted_at, id))
            SELECT next_id, id FROM ordered
            WHERE next_id IS NOT NULL AND (round != '|' OR (same_day AND next_same_day))
              AND CAST(strftime('%s', next_at) AS INTEGER) - CAST(strftime('%s', submitted_at) AS INTEGER) <= ?""",
                                  (*args, minutes * 60)).fetchall()
        self.conn.executemany("UPDATE inspections SET replaced_by = ? WHERE id = ?", pairs)
        return len(pairs)

    def mark_gone(self, ids: list[str], when: str) -> None:
        self._touch(ids)
        self.conn.executemany("UPDATE inspections SET gone_at = ? WHERE id = ? AND gone_at IS NULL",
                              [(when, i) for i in ids])

    def log(self, started_at: str, finished_at: str, report: dict) -> None:
        self.conn.execute("INSERT INTO ingest_log (started_at, finished_at, report) VALUES (?, ?, ?)",
                          (started_at, finished_at, json.dumps(report, ensure_ascii=False)))
