"""Reading the store: scoring and pages read it only through `read_inspections`, `read_quarantine` and
`read_unmapped_columns` (and the audits' `read_versions`, `read_log`, `read_arrivals`, `read_last_fetch`,
`read_replacements`); `counted` is the SQL condition of an inspection that counts in the results.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import NamedTuple
from zoneinfo import ZoneInfo

from ..inspection import Inspection
from .connection import open_store_read_only

_NONE: dict = {}   # the corrections or notes of an inspection without any (shared: never changed once read)


def counted(conn: sqlite3.Connection, alias: str = "i", *, gone: bool = True) -> str:
    """The SQL condition on `alias` (an `inspections` row) of an inspection that counts in the results: not
    gone from its source, not replaced by a resubmission, not from a withdrawn source (`gone=False`: leave
    the gone flag out of it)."""
    parts = [f"{alias}.gone_at IS NULL"] if gone else []
    if conn.execute("PRAGMA user_version").fetchone()[0] >= 6:
        parts.append(f"{alias}.replaced_by IS NULL AND {alias}.withdrawn_at IS NULL")
    return " AND ".join(parts) or "1=1"


def counted_from(conn: sqlite3.Connection, source_id: int) -> int:
    """How many inspections sit with the source (the one that last gave them) and count in the results."""
    return conn.execute(f"SELECT count(*) FROM inspections i WHERE i.source_id = ? AND {counted(conn)}",
                        (source_id,)).fetchone()[0]


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
    # the same corrections repeat: inspections with equal ones share one dict (never changed once read)
    same: dict[tuple, dict] = {}
    for iid, fixed in corrected.items():
        corrected[iid] = same.setdefault(tuple(fixed.items()), fixed)
    parsed = _Parsed()
    out: list[Inspection] = []
    append, new = out.append, object.__new__
    for iid, cl, project, role, inspector, date, submitted, tz, form_version, encoded in rows:
        # inspections with the same answers share one dict (nothing changes an inspection read from the
        # store): a year's copies were a third of the build's memory
        answers = parsed.answers(encoded) if compact else findings.get(iid, {})
        # what Inspection(...) builds, without the frozen dataclass's per-field object.__setattr__
        # (a third of this loop at 300,000 inspections); test_store checks the two are equal
        record = new(Inspection)
        record.__dict__.update(
            id=iid, checklist=cl, project=project, role=role, inspector=inspector,
            date=parsed.day(date), submitted_at=parsed.moment(submitted, tz),
            form_version=form_version, findings=answers, corrected=corrected.get(iid, _NONE),
            notes=notes.get(iid, _NONE))
        append(record)
    return out


class ScoringRow(NamedTuple):
    """An inspection as scoring, patrol compliance, corrective actions and the quarters' assessment read it:
    what `Inspection` holds less the inspector, the form version and the notes. `findings` and `corrected`
    are shared between rows with the same answers (read only, never changed): a year of rows is tens of
    megabytes, not hundreds."""

    id: str
    checklist: str
    project: str
    role: str
    date: dt.date
    submitted_at: dt.datetime    # aware, in the zone it was stored with
    findings: dict               # item code -> findings; None = 不适用 (shared: never mutate)
    corrected: dict              # item code or section number -> 当场纠正 (shared: never mutate)


def read_scoring_rows(db_path: Path | str, *, since: dt.date | None = None) -> list[ScoringRow]:
    """The current version of every counted inspection (as `read_inspections` gives them, in the same order)
    as compact `ScoringRow`s: one pass over the versions, the sections read only where 当场纠正 was answered.
    `since`: only those dated (检查日期) on or after that day."""
    conn = open_store_read_only(db_path)
    try:
        if conn.execute("PRAGMA user_version").fetchone()[0] < 4:   # answers not in the version rows yet
            conn.close()
            return [ScoringRow(i.id, i.checklist, i.project, i.role, i.date, i.submitted_at, i.findings,
                               i.corrected) for i in read_inspections(db_path) if since is None or i.date >= since]
        current = {iid: (cl, version) for iid, cl, version in conn.execute(
            "SELECT i.id, i.checklist, i.current_version FROM inspections i "
            f"WHERE i.gone_at IS NULL AND {counted(conn, 'i', gone=False)}")}
        get = current.get
        dated, args = ("WHERE date >= ?", (since.isoformat(),)) if since else ("", ())
        rows = [(iid, hit[0], *rest) for iid, version, *rest in conn.execute(
                    "SELECT inspection_id, version, project, role, date, submitted_at, timezone, findings "
                    f"FROM versions {dated}", args)
                if (hit := get(iid)) is not None and hit[1] == version]
        rows.sort(key=itemgetter(5, 0))   # by submission time, then id: `read_inspections`' order
        # one row per version (the sections' key is in that order), its answers as one text: the same
        # corrections repeat, so each distinct text is decoded once and its dict shared
        corrected: dict[str, dict] = {}
        shared: dict[str, dict] = {}
        within = f"AND inspection_id IN (SELECT inspection_id FROM versions {dated})" if since else ""
        for iid, version, encoded in conn.execute(
                "SELECT inspection_id, version, json_group_object(section, corrected) FROM sections "
                f"WHERE corrected IS NOT NULL {within} GROUP BY inspection_id, version", args):
            hit = get(iid)
            if hit is not None and hit[1] == version:
                fixed = shared.get(encoded)
                if fixed is None:
                    fixed = shared[encoded] = {k: bool(v) for k, v in json.loads(encoded).items()}
                corrected[iid] = fixed
    finally:
        conn.close()
    parsed = _Parsed()
    out: list[ScoringRow] = []
    append, no_fix = out.append, corrected.get
    for iid, cl, project, role, date, submitted, tz, encoded in rows:
        append(ScoringRow(iid, cl, project, role, parsed.day(date), parsed.moment(submitted, tz),
                          parsed.answers(encoded), no_fix(iid, _NONE)))
    return out


class _Parsed:
    """Dates, time zones and answer sets repeat a lot across a store's rows: each distinct text is parsed
    once, and rows with the same answers share one dict (read only, never changed)."""

    def __init__(self) -> None:
        self.zones: dict[str, ZoneInfo] = {}
        self.dates: dict[str, dt.date] = {}
        self.decoded: dict[str, dict] = {}

    def day(self, text: str) -> dt.date:
        day = self.dates.get(text)
        if day is None:
            day = self.dates[text] = dt.date.fromisoformat(text)
        return day

    def moment(self, submitted: str, tz: str) -> dt.datetime:
        zone = self.zones.get(tz)
        if zone is None:
            zone = self.zones[tz] = ZoneInfo(tz)
        return dt.datetime.fromisoformat(submitted).astimezone(zone)

    def answers(self, encoded: str) -> dict:
        answers = self.decoded.get(encoded)
        if answers is None:
            answers = self.decoded[encoded] = json.loads(encoded)
        return answers


def first_dates(db_path: Path | str) -> dict[str, dt.date]:
    """checklist -> the earliest 检查日期 of its counted inspections ({} for an empty store)."""
    conn = open_store_read_only(db_path)
    try:
        return {checklist: dt.date.fromisoformat(day) for checklist, day in conn.execute(f"""
            SELECT i.checklist, min(v.date) FROM inspections i
            JOIN versions v ON v.inspection_id = i.id AND v.version = i.current_version
            WHERE i.gone_at IS NULL AND {counted(conn, 'i', gone=False)} GROUP BY i.checklist""")}
    finally:
        conn.close()


def keyed_since(db_path: Path | str, *, dated_before: dt.date, day: dt.date) -> bool:
    """Whether a counted inspection dated before `dated_before` may have been submitted on or after `day` (its
    stored submission time's own date, within a day of the date in any zone, is on or after the day before).
    An ISO time is on or after a day exactly when its date is: compared whole, the versions' index by submission
    time finds the few recent ones instead of every version being read."""
    conn = open_store_read_only(db_path)
    try:
        return conn.execute(f"""
            SELECT 1 FROM inspections i
            JOIN versions v ON v.inspection_id = i.id AND v.version = i.current_version
            WHERE i.gone_at IS NULL AND {counted(conn, 'i', gone=False)} AND v.date < ?
              AND v.submitted_at >= ? LIMIT 1""",
                            (dated_before.isoformat(), (day - dt.timedelta(days=1)).isoformat())).fetchone() is not None
    finally:
        conn.close()


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

