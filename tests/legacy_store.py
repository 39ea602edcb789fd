"""Stores as older handbooks made them: test fixtures made by code, never binary files.

`SCHEMA_D40FCFB` and `MIGRATIONS_D40FCFB` are the store's DDL as main at d40fcfb had it in
generator/ingest/store.py (schema 5), copied verbatim before the instruments took over their
tables: `legacy_store(path, version)` makes an empty store of any schema 1-5 with them.
`store_d40fcfb(path)` loads tests/data/store/d40fcfb-schema5.sql, the `iterdump` of a store
that the code of d40fcfb filled (a few patrols, an edited one, a quarantined row, the
questioning grid, questionnaires, an exam; made by the script in that file's first lines).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

DUMP = Path(__file__).parent / "data" / "store" / "d40fcfb-schema5.sql"

SCHEMA_D40FCFB = """
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
MIGRATIONS_D40FCFB: dict[int, str] = {
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
}


def _run(conn: sqlite3.Connection, script: str) -> None:
    for statement in script.split(";"):
        if statement.strip():
            conn.execute(statement)


def legacy_store(path: Path | str, version: int = 5) -> Path:
    """An empty store of schema `version` (1-5) as the handbook of d40fcfb made and upgraded it."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        _run(conn, SCHEMA_D40FCFB)
        for step in range(2, version + 1):
            _run(conn, MIGRATIONS_D40FCFB[step])
        conn.execute(f"PRAGMA user_version = {version}")
    finally:
        conn.close()
    return Path(path)


def store_d40fcfb(path: Path | str) -> Path:
    """The schema-5 store that d40fcfb's code filled, loaded from its SQL dump."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.executescript(DUMP.read_text(encoding="utf-8"))
    finally:
        conn.close()
    return Path(path)
