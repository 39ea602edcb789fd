"""The store's own tables: their DDL (`SCHEMA`, the newest shape), the steps that upgrade an older store
(`MIGRATIONS`), which file is a handbook store (`identify`), and the instruments' tables (`migrate_instruments`).

The tables here are the store's own (every source's rows, the patrol checklists' inspections); each instrument
declares its own tables, which `migrate_instruments` creates and upgrades (`Instrument.store_schema`).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Sequence

from ..errors import StoreError
from ..messages import one_line

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

