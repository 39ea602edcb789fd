"""The SQLite store: raw rows as fetched, normalised inspections with every version, quarantine, log.

One file. Raw rows are append-only (one copy per distinct content per source and
header). Scoring and pages read it only through `read_inspections`,
`read_quarantine` and `read_unmapped_columns`.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from ..errors import HandbookError
from ..records import Inspection

DEFAULT_STORE = Path("data/inspections.sqlite")
SCHEMA_VERSION = 3

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
MIGRATIONS: dict[int, str] = {
    # 2: the customer questionnaire's answers (no owner data beyond the typed comment) and the
    #    random-questioning results recorded on the department's spot-check form
    2: """
CREATE TABLE IF NOT EXISTS survey_responses (
    id            TEXT PRIMARY KEY,         -- hash of submission time, project, answers and comment
    survey        TEXT NOT NULL,            -- questionnaire id
    source_id     INTEGER NOT NULL REFERENCES sources(id),
    row_number    INTEGER NOT NULL,
    raw_row_id    INTEGER NOT NULL REFERENCES raw_rows(id),   -- the mapped cells only
    submitted_at  TEXT NOT NULL,
    project       TEXT NOT NULL,
    form_version  TEXT NOT NULL,
    comment       TEXT NOT NULL,            -- as typed ('' when none): nothing else about the owner is kept
    first_seen_at TEXT NOT NULL,
    gone_at       TEXT
);
CREATE TABLE IF NOT EXISTS survey_answers (
    response_id TEXT NOT NULL REFERENCES survey_responses(id),
    question    TEXT NOT NULL,
    value       INTEGER NOT NULL,
    PRIMARY KEY (response_id, question)
);
CREATE TABLE IF NOT EXISTS questioning_answers (
    inspection_id TEXT NOT NULL,
    version       INTEGER NOT NULL,
    question      TEXT NOT NULL,            -- bank question id (methods.yaml)
    result        TEXT NOT NULL,            -- the answer label, e.g. 答对
    staff         TEXT NOT NULL,            -- who was asked, as typed ('' when not given)
    PRIMARY KEY (inspection_id, version, question),
    FOREIGN KEY (inspection_id, version) REFERENCES versions(inspection_id, version)
);
CREATE INDEX IF NOT EXISTS survey_by_project ON survey_responses (project, submitted_at);
""",
    # 3: quarterly exam quiz responses, graded from methods.yaml (generator.methods.exam_ingest)
    3: """
CREATE TABLE IF NOT EXISTS exam_responses (
    id            TEXT PRIMARY KEY,         -- hash of exam, submission time, project, name and answers
    exam          TEXT NOT NULL,            -- exam form id, e.g. exam-2026Q4
    quarter       TEXT NOT NULL,            -- 2026Q4
    source_id     INTEGER NOT NULL REFERENCES sources(id),
    row_number    INTEGER NOT NULL,
    raw_row_id    INTEGER NOT NULL REFERENCES raw_rows(id),
    submitted_at  TEXT NOT NULL,            -- ISO 8601 with offset, organisation's zone
    project       TEXT NOT NULL,            -- project id
    person        TEXT NOT NULL,            -- name as typed ('' when the form asks none), never an e-mail
    form_score    REAL,                     -- the sheet's Score column (NULL when absent): reported, not used
    form_total    REAL,
    earned        REAL NOT NULL,            -- graded from methods.yaml
    total         REAL NOT NULL,
    passed        INTEGER NOT NULL,
    first_seen_at TEXT NOT NULL,
    gone_at       TEXT
);
CREATE TABLE IF NOT EXISTS exam_answers (
    response_id TEXT NOT NULL REFERENCES exam_responses(id),
    question    TEXT NOT NULL,              -- exam question id (methods.yaml)
    answer      TEXT NOT NULL,              -- chosen labels as JSON list
    correct     INTEGER NOT NULL,
    earned      REAL NOT NULL,
    PRIMARY KEY (response_id, question)
);
CREATE INDEX IF NOT EXISTS exam_responses_by_exam ON exam_responses (exam, project);
""",
}


class StoreBusy(HandbookError):
    """Another ingest holds the store."""


def connect(path: Path | str, *, wait: float = 5.0) -> sqlite3.Connection:
    """Open (creating if needed) the store; transactions are explicit (`isolation_level=None`)."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, timeout=wait, isolation_level=None)
    except (OSError, sqlite3.Error) as exc:
        raise HandbookError(f"cannot open the store {path}: {exc}") from None
    conn.execute("PRAGMA foreign_keys = ON")
    # A year's run inserts millions of answer rows under random ids: with SQLite's default 2 MiB page
    # cache most index inserts go to the file; 64 MiB (taken only as the run needs it) avoids most of that.
    conn.execute("PRAGMA cache_size = -65536")
    return conn


def begin(conn: sqlite3.Connection, path: Path | str) -> None:
    """Start the run's one write transaction, waiting briefly if another ingest holds it."""
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise StoreBusy(f"another ingest is writing to {path}; try again when it has finished") from None
        raise HandbookError(f"cannot write to the store {path}: {exc}") from None
    migrate(conn, path)


def migrate(conn: sqlite3.Connection, path: Path | str = "store") -> None:
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise HandbookError(f"{path} was written by a newer handbook (schema {version}); upgrade handbook")
    if version == 0:
        _run_script(conn, SCHEMA)
        version = 1
    for step in range(version + 1, SCHEMA_VERSION + 1):
        _run_script(conn, MIGRATIONS[step])
    if version != SCHEMA_VERSION:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _run_script(conn: sqlite3.Connection, script: str) -> None:
    # statement by statement: executescript would commit the run's transaction
    for statement in script.split(";"):
        if statement.strip():
            conn.execute(statement)


def _open_read(path: Path | str) -> sqlite3.Connection:
    path = Path(path)
    if not path.is_file():
        raise HandbookError(f"no store at {path}: run `handbook ingest` first")
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if not 1 <= version <= SCHEMA_VERSION:  # an older store reads fine until the next ingest upgrades it
        conn.close()
        raise HandbookError(f"{path} has store schema {version}, this handbook reads {SCHEMA_VERSION}")
    return conn


# ---------------------------------------------------------------- reading

def read_inspections(db_path: Path | str, *, checklist: str | None = None,
                     include_gone: bool = False) -> list[Inspection]:
    """The current version of every stored inspection (those gone from their source only on request)."""
    conn = _open_read(db_path)
    try:
        where, args = ["1=1"], []
        if checklist:
            where.append("i.checklist = ?")
            args.append(checklist)
        if not include_gone:
            where.append("i.gone_at IS NULL")
        rows = conn.execute(f"""
            SELECT i.id, i.checklist, v.version, v.project, v.role, v.inspector, v.date,
                   v.submitted_at, v.timezone, v.form_version
            FROM inspections i JOIN versions v ON v.inspection_id = i.id AND v.version = i.current_version
            WHERE {' AND '.join(where)} ORDER BY v.submitted_at, i.id""", args).fetchall()
        findings: dict[str, dict] = {}
        for iid, code, value in conn.execute("""
                SELECT a.inspection_id, a.item_code, a.findings FROM answers a
                JOIN inspections i ON i.id = a.inspection_id AND a.version = i.current_version"""):
            findings.setdefault(iid, {})[code] = value
        corrected: dict[str, dict] = {}
        notes: dict[str, dict] = {}
        for iid, section, fixed, note in conn.execute("""
                SELECT s.inspection_id, s.section, s.corrected, s.note FROM sections s
                JOIN inspections i ON i.id = s.inspection_id AND s.version = i.current_version"""):
            if fixed is not None:
                corrected.setdefault(iid, {})[section] = bool(fixed)
            if note:
                notes.setdefault(iid, {})[section] = note
    finally:
        conn.close()
    zones: dict[str, ZoneInfo] = {}
    out = []
    for iid, cl, _version, project, role, inspector, date, submitted, tz, form_version in rows:
        zone = zones.setdefault(tz, ZoneInfo(tz))
        out.append(Inspection(
            id=iid, checklist=cl, project=project, role=role, inspector=inspector,
            date=dt.date.fromisoformat(date), submitted_at=dt.datetime.fromisoformat(submitted).astimezone(zone),
            form_version=form_version, findings=findings.get(iid, {}), corrected=corrected.get(iid, {}),
            notes=notes.get(iid, {})))
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


@dataclass(frozen=True)
class UnmappedColumn:
    """A column that maps to no question of the checklist (its answers stay in the raw rows)."""

    checklist: str
    source: str
    source_key: str
    column: str
    position: int
    first_seen_at: dt.datetime


def read_quarantine(db_path: Path | str) -> list[QuarantinedRow]:
    """Every quarantined row, oldest first."""
    conn = _open_read(db_path)
    try:
        rows = conn.execute("""
            SELECT s.checklist, s.title, s.key, q.row_number, q.reason_code, q.reason, q.first_seen_at
            FROM quarantine q JOIN sources s ON s.id = q.source_id
            ORDER BY q.first_seen_at, s.key, q.row_number""").fetchall()
    finally:
        conn.close()
    return [QuarantinedRow(c, t, k, n, code, reason, dt.datetime.fromisoformat(when))
            for c, t, k, n, code, reason, when in rows]


def read_unmapped_columns(db_path: Path | str) -> list[UnmappedColumn]:
    """Every column that mapped to nothing, by source."""
    conn = _open_read(db_path)
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
    conn = _open_read(db_path)
    try:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute(
            "SELECT * FROM versions WHERE inspection_id = ? ORDER BY version", (inspection_id,))]
    finally:
        conn.close()


def read_log(db_path: Path | str) -> list[dict]:
    """The ingest log: one JSON report per run."""
    conn = _open_read(db_path)
    try:
        return [{"started_at": s, "finished_at": f, **json.loads(r)} for s, f, r in
                conn.execute("SELECT started_at, finished_at, report FROM ingest_log ORDER BY id")]
    finally:
        conn.close()


# ---------------------------------------------------------------- writing (inside the run's transaction)

class StoreWriter:
    """The writes of one ingest, all inside the transaction `begin` opened."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def source_id(self, key: str, checklist: str, kind: str, locator: str, title: str,
                  timezone: str | None, now: str) -> int:
        self.conn.execute("""INSERT OR IGNORE INTO sources (key, checklist, kind, locator, title, timezone,
                             first_read_at) VALUES (?, ?, ?, ?, ?, ?, ?)""",
                          (key, checklist, kind, locator, title, timezone, now))
        row = self.conn.execute("SELECT id, title, timezone FROM sources WHERE key = ?", (key,)).fetchone()
        if (row[1], row[2]) != (title, timezone):
            self.conn.execute("UPDATE sources SET title = ?, timezone = ? WHERE id = ?", (title, timezone, row[0]))
        return row[0]

    def header_id(self, source_id: int, hash_: str, cells_json: str, now: str) -> int:
        self.conn.execute("INSERT OR IGNORE INTO headers (source_id, hash, cells, first_read_at) VALUES (?, ?, ?, ?)",
                          (source_id, hash_, cells_json, now))
        return self.conn.execute("SELECT id FROM headers WHERE source_id = ? AND hash = ?",
                                 (source_id, hash_)).fetchone()[0]

    def raw_rows(self, source_id: int, header_id: int, rows: list[tuple[int, str, str]], fetched_at: str) -> dict:
        """Append rows not stored yet; returns {hash: raw row id} for the source and header."""
        self.conn.executemany(
            "INSERT OR IGNORE INTO raw_rows (source_id, header_id, row_number, fetched_at, hash, cells) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [(source_id, header_id, n, fetched_at, h, cells) for n, h, cells in rows])
        return dict(self.conn.execute("SELECT hash, id FROM raw_rows WHERE source_id = ? AND header_id = ?",
                                      (source_id, header_id)))

    def stored(self, checklist: str) -> list:
        from .identity import Stored

        return [Stored(iid, key, row, h, (project, role, inspector, dt.date.fromisoformat(date)), gone is not None)
                for iid, key, row, h, project, role, inspector, date, gone in self.conn.execute("""
                SELECT i.id, s.key, i.row_number, v.content_hash, v.project, v.role, v.inspector, v.date, i.gone_at
                FROM inspections i JOIN versions v ON v.inspection_id = i.id AND v.version = i.current_version
                JOIN sources s ON s.id = i.source_id WHERE i.checklist = ?""", (checklist,))]

    def placement(self) -> dict[str, tuple]:
        """inspection id -> (source id, row number, current version, gone_at)."""
        return {iid: rest for iid, *rest in self.conn.execute(
            "SELECT id, source_id, row_number, current_version, gone_at FROM inspections")}

    def add_inspections(self, rows: list[tuple]) -> None:
        """rows: (id, checklist, source_id, row_number, current_version, first_seen_at)."""
        self.conn.executemany("INSERT INTO inspections (id, checklist, source_id, row_number, current_version, "
                              "first_seen_at) VALUES (?, ?, ?, ?, ?, ?)", rows)

    def move_inspections(self, rows: list[tuple]) -> None:
        """rows: (source_id, row_number, current_version, id); clears the gone flag."""
        self.conn.executemany("UPDATE inspections SET source_id = ?, row_number = ?, current_version = ?, "
                              "gone_at = NULL WHERE id = ?", rows)

    def add_versions(self, versions: list[tuple], answers: list[tuple], sections: list[tuple],
                     asked: list[tuple] = ()) -> None:
        self.conn.executemany("INSERT INTO versions (inspection_id, version, raw_row_id, content_hash, fetched_at, "
                              "submitted_at, timezone, project, role, inspector, date, form_version, "
                              "respondent_email, extra) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", versions)
        self.conn.executemany("INSERT INTO answers (inspection_id, version, item_code, findings, label) "
                              "VALUES (?, ?, ?, ?, ?)", answers)
        self.conn.executemany("INSERT INTO sections (inspection_id, version, section, corrected, note) "
                              "VALUES (?, ?, ?, ?, ?)", sections)
        # asked: (inspection_id, version, bank question id, answer label, who was asked)
        self.conn.executemany("INSERT INTO questioning_answers (inspection_id, version, question, result, staff) "
                              "VALUES (?, ?, ?, ?, ?)", asked)

    def quarantine(self, rows: list[tuple]) -> None:
        """rows: (source_id, raw_row_id, row_number, reason_code, reason, first_seen_at)."""
        self.conn.executemany("INSERT OR IGNORE INTO quarantine (source_id, raw_row_id, row_number, reason_code, "
                              "reason, first_seen_at) VALUES (?, ?, ?, ?, ?, ?)", rows)

    def unmapped(self, rows: list[tuple]) -> None:
        """rows: (source_id, column_name, position, first_seen_at)."""
        self.conn.executemany("INSERT OR IGNORE INTO unmapped_columns (source_id, column_name, position, "
                              "first_seen_at) VALUES (?, ?, ?, ?)", rows)

    def mark_gone(self, ids: list[str], when: str) -> None:
        self.conn.executemany("UPDATE inspections SET gone_at = ? WHERE id = ? AND gone_at IS NULL",
                              [(when, i) for i in ids])

    def log(self, started_at: str, finished_at: str, report: dict) -> None:
        self.conn.execute("INSERT INTO ingest_log (started_at, finished_at, report) VALUES (?, ?, ?)",
                          (started_at, finished_at, json.dumps(report, ensure_ascii=False)))
