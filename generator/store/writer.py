"""Writing the store: `StoreWriter`, the writes of one ingest, all inside the transaction `begin` opened.

Raw rows are append-only (one copy per distinct content per source and header). Each kind of row the writer
takes or gives is a NamedTuple named after its table's columns (`VersionRow`, `QuarantineEntry`, …): a plain
tuple in the same order is the same row to SQLite, so the statements and the file are as before.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from typing import Any, Iterable, Iterator, NamedTuple, Sequence

Key = tuple[str, str, str, dt.date]   # (project, role, inspector, date): what people do not change in an edit


def _day(text: str, _days: dict[str, dt.date] = {}) -> dt.date:  # noqa: B006 - the default dict is the memo of parsed days
    day = _days.get(text)
    if day is None:
        if len(_days) > 4096:
            _days.clear()
        day = _days[text] = dt.date.fromisoformat(text)
    return day


# ---- rows written (each the columns of its table, in the order of its INSERT)

class RawRow(NamedTuple):
    """A row as fetched (`raw_rows`)."""
    row_number: int
    hash: str          # SHA-256 of the cells JSON
    cells: str         # the cells JSON


class InspectionRow(NamedTuple):
    """A new inspection (`inspections`)."""
    id: str
    checklist: str
    source_id: int
    row_number: int
    current_version: int
    first_seen_at: str


class MoveRow(NamedTuple):
    """Where a stored inspection is now, and its current version (`inspections`, by id)."""
    source_id: int
    row_number: int
    current_version: int
    id: str


class VersionRow(NamedTuple):
    """One version of an inspection (`versions`)."""
    inspection_id: str
    version: int
    raw_row_id: int
    content_hash: str
    fetched_at: str
    submitted_at: str
    timezone: str
    project: str
    role: str
    inspector: str
    date: str
    form_version: str
    respondent_email: str
    extra: str          # JSON
    findings: str       # JSON
    labels: str         # JSON


class SectionRow(NamedTuple):
    """A section's 已当场纠正 and note in one version (`sections`)."""
    inspection_id: str
    version: int
    section: str
    corrected: int | None   # 1 是, 0 否, None unanswered
    note: str | None


class QuarantineEntry(NamedTuple):
    """A row that could not be used, and why (`quarantine`)."""
    source_id: int
    raw_row_id: int
    row_number: int
    reason_code: str
    reason: str
    first_seen_at: str


class UnmappedEntry(NamedTuple):
    """A column that maps to nothing (`unmapped_columns`)."""
    source_id: int
    column_name: str
    position: int       # 1-based
    first_seen_at: str


class ClaimRow(NamedTuple):
    """A stored inspection this run matched to a row, and that row (`temp.run_claimed`)."""
    id: str
    title: str
    row_number: int


class PendingRow(NamedTuple):
    """A row that may be an edit, kept until every row of the checklist's sources is read (`temp.run_pending`).
    `version`, `sections` and `added` are what its version would store (`VersionRow` from `submitted_at` on,
    without the key's columns repeated; `SectionRow`s and the instruments' rows without the inspection and
    version): kept as columns and JSON, so they must be JSON values (text, numbers, None)."""
    checklist: str
    source_id: int
    row_number: int
    raw_id: int
    content_hash: str
    project: str
    role: str
    inspector: str
    date: str
    anchor_row: int
    anchor_prev: int
    version: tuple | None
    sections: list | None
    added: list | None


# ---- rows read back

class Known(NamedTuple):
    """A raw row of a re-read source that is a stored current version (`StoreWriter.known`)."""
    content_hash: str
    key: Key
    form_version: str


class Stored(NamedTuple):
    """A stored inspection whose current version has a content hash (`StoreWriter.by_content`)."""
    id: str
    rowid: int
    source_id: int
    row_number: int
    current_version: int
    gone_at: str | None
    claimed_title: str | None     # the row of this run that claimed it, if one did
    claimed_row: int | None


class AtTime(NamedTuple):
    """A stored current version at a time (`StoreWriter.current_at`): its content, where its raw row came
    from, then what `Stored` gives."""
    content_hash: str
    project: str
    role: str
    inspector: str
    date: str
    source_kind: str
    source_timezone: str | None
    id: str
    rowid: int
    source_id: int
    row_number: int
    current_version: int
    gone_at: str | None
    claimed_title: str | None
    claimed_row: int | None


class Pending(NamedTuple):
    """A pending row read back (`StoreWriter.pending`): `version` the `VersionRow` fields from `submitted_at`
    on (None when the row had none), `sections` and `added` as given (their tuples as lists)."""
    row_number: int
    raw_id: int
    content_hash: str
    key: Key
    anchor_row: int
    anchor_prev: int
    version: tuple | None
    sections: list | None
    added: list | None


class Candidate(NamedTuple):
    """An unclaimed inspection of a re-read source's pool with a row's key (`StoreWriter.pool_candidates`)."""
    id: str
    row_number: int
    current_version: int
    gone_at: str | None


# a pending row without a version: its version's columns
_NO_VERSION = (None,) * 6
# one encoder (json.dumps with options builds a new one per call)
_compact_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


class StoreWriter:
    """The writes of one ingest, all inside the transaction `begin` opened."""

    def __init__(self, conn: sqlite3.Connection) -> None:
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

    def raw_rows(self, source_id: int, header_id: int, rows: Sequence[RawRow], fetched_at: str) -> dict[str, int]:
        """Append rows not stored yet; returns {hash: raw row id} for the source and header."""
        self.append_raw_rows(source_id, header_id, rows, fetched_at)
        return self.raw_ids(source_id, header_id)

    def append_raw_rows(self, source_id: int, header_id: int, rows: Sequence[RawRow], fetched_at: str) -> int:
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
        c.execute("CREATE INDEX IF NOT EXISTS temp.run_pool_by_key ON run_pool (source_id, project, role, inspector, "
                  "date)")
        c.execute("CREATE TEMP TABLE IF NOT EXISTS run_known (source_id INTEGER, header_id INTEGER, hash TEXT, "
                  "content_hash TEXT, project TEXT, role TEXT, inspector TEXT, date TEXT, form_version TEXT, "
                  "PRIMARY KEY (source_id, header_id, hash))")
        # rows that may be edits: decided once every row of the checklist's sources is read
        c.execute("CREATE TEMP TABLE IF NOT EXISTS run_pending (checklist TEXT, source_id INTEGER, row_number INTEGER, "
                  "raw_id INTEGER, content_hash TEXT, project TEXT, role TEXT, inspector TEXT, date TEXT, "
                  "anchor_row INTEGER, anchor_prev INTEGER, submitted_at TEXT, form_version TEXT, "
                  "respondent_email TEXT, extra TEXT, findings TEXT, labels TEXT, sections TEXT, added TEXT, "
                  "PRIMARY KEY (source_id, row_number))")
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

    def known(self, source_id: int, header_id: int, hashes: list[str]) -> dict[str, Known]:
        """{raw hash: (content hash, key, form version)} for those of `hashes` that `know` gathered."""
        out = {}
        for raw_hash, content_hash, project, role, inspector, date, form_version in self._in(
                "SELECT hash, content_hash, project, role, inspector, date, form_version FROM temp.run_known "
                "WHERE source_id = ? AND header_id = ? AND hash IN ({})", (source_id, header_id), hashes):
            out[raw_hash] = Known(content_hash, (project, role, inspector, _day(date)), form_version)
        return out

    def last_raw_id(self) -> int:
        return self.conn.execute("SELECT coalesce(max(id), 0) FROM raw_rows").fetchone()[0]

    def raw_ids_of(self, source_id: int, header_id: int, hashes: list[str]) -> dict[str, int]:
        """{hash: raw row id} for these hashes of the source and header."""
        return dict(self._in("SELECT hash, id FROM raw_rows WHERE source_id = ? AND header_id = ? AND hash IN ({})",
                             (source_id, header_id), hashes))

    def by_content(self, checklist: str, hashes: list[str]) -> dict[str, list[Stored]]:
        """{content hash: [(id, rowid, source id, row number, current version, gone_at, claimed by title,
        claimed by row), ...]} of the checklist's inspections whose current version has that hash, in the
        store's order (this run's new inspections included; claimed: matched to a row of this run)."""
        self._match_tables()
        out: dict[str, list[Stored]] = {}
        for h, *rest in self._in("""
                SELECT v.content_hash, i.id, i.rowid, i.source_id, i.row_number, i.current_version, i.gone_at,
                       c.title, c.row_number
                FROM versions v CROSS JOIN inspections i ON i.id = v.inspection_id AND i.current_version = v.version
                LEFT JOIN temp.run_claimed c ON c.id = i.id
                WHERE +i.checklist = ? AND v.content_hash IN ({}) ORDER BY i.rowid""", (checklist,), hashes):
            out.setdefault(h, []).append(Stored(*rest))
        return out

    _AT = """SELECT v.submitted_at, v.content_hash, v.project, v.role, v.inspector, v.date, s.kind, s.timezone,
                    i.id, i.rowid, i.source_id, i.row_number, i.current_version, i.gone_at, c.title, c.row_number
             FROM versions v CROSS JOIN inspections i ON i.id = v.inspection_id AND i.current_version = v.version
             JOIN raw_rows r ON r.id = v.raw_row_id JOIN sources s ON s.id = r.source_id
             LEFT JOIN temp.run_claimed c ON c.id = i.id
             WHERE +i.checklist = ? AND """

    def current_at(self, checklist: str, times: list[str]) -> dict[str, list[AtTime]]:
        """{submitted_at: [(content hash, project, role, inspector, date, kind and time zone of the source its
        raw row came from, then what `by_content` gives)]} of the checklist's current versions at these times."""
        self._match_tables()
        out: dict[str, list[AtTime]] = {}
        for at, *rest in self._in(self._AT + "v.submitted_at IN ({})", (checklist,), times):
            out.setdefault(at, []).append(AtTime(*rest))
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

    def pooled_keys(self, source_id: int, keys: list[Key]) -> set[Key]:
        """Which of these keys (project, role, inspector, date) an inspection of the source's pool has."""
        out: set[Key] = set()
        for key in set(keys):
            if self.conn.execute("SELECT 1 FROM temp.run_pool WHERE source_id = ? AND project = ? AND role = ? "
                                 "AND inspector = ? AND date = ? LIMIT 1",
                                 (source_id, key[0], key[1], key[2], key[3].isoformat())).fetchone():
                out.add(key)
        return out

    def claim(self, rows: Sequence[ClaimRow]) -> None:
        """rows: (inspection id, title, row number) of the rows this run matched to stored inspections."""
        self._match_tables()
        self.conn.executemany("INSERT INTO temp.run_claimed VALUES (?, ?, ?)", rows)

    def add_pending(self, rows: Sequence[PendingRow]) -> None:
        """Keep rows that may be edits until `pending` gives them back: what their version would store as
        columns (none when it has no version), their sections and instruments' rows as JSON."""
        self._match_tables()
        dumps = _compact_json
        self.conn.executemany(
            "INSERT INTO temp.run_pending VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(*r[:11], *((v[0], *v[5:]) if (v := r.version) is not None else _NO_VERSION),
              None if r.sections is None else dumps(r.sections),
              None if r.added is None else dumps(r.added)) for r in rows])

    def pending_by_content(self, checklist: str, hashes: list[str]) -> dict[str, tuple[int, int]]:
        """{content hash: (source id, row number)} of pending rows with one of these hashes."""
        return {h: (sid, n) for h, sid, n in self._in(
            "SELECT content_hash, source_id, row_number FROM temp.run_pending WHERE checklist = ? "
            "AND content_hash IN ({})", (checklist,), hashes)}

    def pending(self, source_id: int) -> Iterator[Pending]:
        """The source's pending rows in sheet order, as `add_pending` was given them."""
        loads = json.loads
        for (n, raw_id, h, project, role, inspector, date, a_row, a_prev, submitted_at, form_version, email,
             extra, findings, labels, sections, added) in self.conn.execute(
                "SELECT row_number, raw_id, content_hash, project, role, inspector, date, anchor_row, anchor_prev, "
                "submitted_at, form_version, respondent_email, extra, findings, labels, sections, added "
                "FROM temp.run_pending WHERE source_id = ? ORDER BY row_number", (source_id,)).fetchall():
            version = (None if submitted_at is None else
                       (submitted_at, project, role, inspector, date, form_version, email, extra, findings, labels))
            yield Pending(n, raw_id, h, (project, role, inspector, _day(date)), a_row, a_prev, version,
                          None if sections is None else loads(sections), None if added is None else loads(added))

    def pool_candidates(self, source_id: int, key: Key) -> list[Candidate]:
        """The pool's inspections with this key that no row claimed, in the store's order:
        (id, row number, current version, gone_at)."""
        return [Candidate(*row) for row in self.conn.execute("""
            SELECT p.id, p.row_number, i.current_version, i.gone_at FROM temp.run_pool p
            JOIN inspections i ON i.id = p.id
            WHERE p.source_id = ? AND p.project = ? AND p.role = ? AND p.inspector = ? AND p.date = ?
              AND p.id NOT IN (SELECT id FROM temp.run_claimed) ORDER BY p.rid""",
            (source_id, key[0], key[1], key[2], key[3].isoformat())).fetchall()]

    def unclaimed_live(self, source_id: int) -> list[str]:
        """The pool's inspections of the source that no row claimed and that were not gone: gone now."""
        return [r[0] for r in self.conn.execute("""
            SELECT p.id FROM temp.run_pool p JOIN inspections i ON i.id = p.id
            WHERE p.source_id = ? AND i.gone_at IS NULL AND p.id NOT IN (SELECT id FROM temp.run_claimed)
            ORDER BY p.rid""", (source_id,))]

    def _in(self, sql: str, params: tuple, values: list[str], chunk: int = 900) -> Iterator[Any]:
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

    def add_inspections(self, rows: Sequence[InspectionRow]) -> None:
        self.conn.executemany("INSERT INTO inspections (id, checklist, source_id, row_number, current_version, "
                              "first_seen_at) VALUES (?, ?, ?, ?, ?, ?)", rows)
        self._touch(r[0] for r in rows)

    def move_inspections(self, rows: Sequence[MoveRow]) -> None:
        """Clears the gone flag, and the withdrawn flag (a source read now holds it: sources withdrawn are not
        read)."""
        self.conn.executemany("UPDATE inspections SET source_id = ?, row_number = ?, current_version = ?, "
                              "gone_at = NULL, withdrawn_at = NULL WHERE id = ?", rows)
        self._touch(r[-1] for r in rows)

    def add_versions(self, versions: Sequence[VersionRow], sections: Sequence[SectionRow]) -> None:
        self.conn.executemany("INSERT INTO versions (inspection_id, version, raw_row_id, content_hash, fetched_at, "
                              "submitted_at, timezone, project, role, inspector, date, form_version, "
                              "respondent_email, extra, findings, labels) "
                              "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", versions)
        self.conn.executemany("INSERT INTO sections (inspection_id, version, section, corrected, note) "
                              "VALUES (?, ?, ?, ?, ?)", sections)

    def quarantine(self, rows: Sequence[QuarantineEntry]) -> None:
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

    def unmapped(self, rows: Sequence[UnmappedEntry]) -> None:
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

    def withdraw_inspections(self, source_id: int, now: str, resubmission_minutes: int) -> tuple[int, int]:
        """Take a withdrawn source's inspections out of the results: (taken, kept). An inspection sits with the
        source that last gave it: one whose current version another source that is not withdrawn gave (a file
        imported twice under two names) goes back there and keeps counting (kept); the rest are marked
        withdrawn (taken: those not gone). The checklist's resubmissions are then recomputed without them."""
        kept = self.conn.execute("""
            UPDATE inspections SET source_id = origin.source_id, row_number = origin.row_number
            FROM (SELECT i.id, r.source_id, r.row_number FROM inspections i
                  JOIN versions v ON v.inspection_id = i.id AND v.version = i.current_version
                  JOIN raw_rows r ON r.id = v.raw_row_id JOIN sources s ON s.id = r.source_id
                  WHERE i.source_id = ? AND r.source_id != ? AND s.withdrawn_at IS NULL) AS origin
            WHERE inspections.id = origin.id AND inspections.gone_at IS NULL""",
                                 (source_id, source_id)).rowcount
        taken = self.conn.execute("UPDATE inspections SET withdrawn_at = ? WHERE source_id = ? "
                                  "AND withdrawn_at IS NULL AND gone_at IS NULL", (now, source_id)).rowcount
        self.conn.execute("UPDATE inspections SET withdrawn_at = ? WHERE source_id = ? AND withdrawn_at IS NULL",
                          (now, source_id))
        # a resubmission from the source no longer replaces another
        (checklist,) = self.conn.execute("SELECT checklist FROM sources WHERE id = ?", (source_id,)).fetchone()
        self.mark_resubmissions(checklist, resubmission_minutes)
        return taken, kept

    def _touch(self, ids: Iterable[str]) -> None:
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
        rows = "inspections i JOIN versions v ON v.inspection_id = i.id AND v.version = i.current_version"
        if touched_only:
            # the versions read in order, each day looked up among the touched ones: not the checklist's
            # inspections one by one, each fetching its version from all over the file (a week's rows into a
            # year's store: 0.09 s against 0.23 s per statement; the same for a year's rows)
            rows = "versions v CROSS JOIN inspections i ON i.id = v.inspection_id AND v.version = i.current_version"
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
            SELECT i.id FROM {rows}
            WHERE {where} AND i.replaced_by IS NOT NULL)""", args)
        if minutes <= 0:
            return 0
        pairs = self.conn.execute(f"""
            WITH cur AS (
                SELECT i.id, v.project, v.role, v.inspector, v.date, v.submitted_at,
                       coalesce(json_extract(v.extra, '$."当天第几次巡查"'), '') || '|' ||
                       coalesce(json_extract(v.extra, '$."巡查时段"'), '') AS round,
                       v.date = substr(v.submitted_at, 1, 10) AS same_day
                FROM {rows}
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

    def log(self, started_at: str, finished_at: str, report: dict[str, Any]) -> None:
        self.conn.execute("INSERT INTO ingest_log (started_at, finished_at, report) VALUES (?, ?, ?)",
                          (started_at, finished_at, json.dumps(report, ensure_ascii=False)))
