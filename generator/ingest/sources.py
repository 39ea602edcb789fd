"""The store's sources: what each import brought (`handbook sources`), and withdrawing a wrong one.

A source is one response sheet or one exported file (by name) of one form. Withdrawing it keeps
its raw rows, headers and quarantine entries for the record; its inspections (and the responses of
the instruments' forms read from it) no longer count in the results. A withdrawn source is not read
again by `handbook ingest` from the lock; naming it again with `--file`/`--sheet` imports it again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence
from zoneinfo import ZoneInfo

from .. import store
from ..errors import HandbookError
from ..messages import Msg


@dataclass(frozen=True)
class SourceInfo:
    """One source as `handbook sources` lists it."""

    id: int
    checklist: str
    kind: str                 # sheet | file
    title: str                # the spreadsheet's title or the file's name
    locator: str              # the spreadsheet key or the file's name
    first_read_at: str
    last_read_at: str
    rows: int                 # distinct raw rows ever fetched from it
    counted: int              # its inspections (or responses) that count now
    withdrawn_at: str | None


def _stored_responses(conn, source_id: int, checklist: str, instruments: Sequence) -> int:
    """The responses an instrument's form brought from the source (not gone)."""
    total = 0
    tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    for instrument in instruments:
        if instrument.store_tables and set(instrument.store_tables) <= tables:
            total += instrument.stored_responses(conn, source_id)
    return total


def list_sources(db_path: Path | str, instruments: Sequence) -> list[SourceInfo]:
    """Every source of the store, in the order first read."""
    conn = store.open_store_read_only(db_path)
    try:
        tracked = conn.execute("PRAGMA user_version").fetchone()[0] >= 6
        withdrawn = "s.withdrawn_at" if tracked else "NULL"
        # the last import: the latest run that read it (its log entry), whether or not it brought new rows
        rows = conn.execute(f"""
            SELECT s.id, s.checklist, s.kind, s.title, s.locator, s.first_read_at,
                   coalesce((SELECT max(l.started_at) FROM ingest_log l, json_each(l.report, '$.sources') x
                             WHERE json_extract(x.value, '$.key') = s.key AND NOT json_extract(l.report, '$.dry_run')),
                            s.first_read_at),
                   (SELECT count(*) FROM raw_rows r WHERE r.source_id = s.id),
                   (SELECT count(*) FROM inspections i WHERE i.source_id = s.id AND {store.counted(conn)}),
                   {withdrawn}
            FROM sources s ORDER BY s.id""").fetchall()
        out = []
        for sid, checklist, kind, title, locator, first, last_at, raw, counted, gone in rows:
            if not counted and gone is None:
                counted = _stored_responses(conn, sid, checklist, instruments)
            out.append(SourceInfo(sid, checklist, kind, title, locator, first, last_at, raw, counted, gone))
    finally:
        conn.close()
    return out


def withdraw_source(db_path: Path | str, source_id: int, instruments: Sequence, *,
                    resubmission_minutes: int = 60, timezone: str = "UTC",
                    now: str | None = None) -> tuple[SourceInfo, int, int]:
    """Withdraw one source in one transaction: (the source as it was, how many inspections or responses it
    took out of the results, how many of its inspections another source holds and keep counting). Its raw
    rows stay; resubmissions are recomputed without its inspections.

    An inspection sits with the source that last gave it: one first stored from another source that is not
    withdrawn (a file imported twice under two names) goes back there and keeps counting."""
    now = now or dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    info = next((s for s in list_sources(db_path, instruments) if s.id == source_id), None)
    if info is None:
        known = "、".join(str(s.id) for s in list_sources(db_path, instruments)) or "无"
        raise HandbookError(Msg.SOURCE_UNKNOWN, id=source_id, path=db_path, known=known)
    if info.withdrawn_at:
        at = dt.datetime.fromisoformat(info.withdrawn_at).astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M")
        raise HandbookError(Msg.SOURCE_ALREADY_WITHDRAWN, id=source_id, title=info.title, at=at)
    conn = store.connect(db_path, instruments=instruments)
    try:
        store.begin(conn, db_path, instruments)
        kept = conn.execute("""
            UPDATE inspections SET source_id = origin.source_id, row_number = origin.row_number
            FROM (SELECT i.id, r.source_id, r.row_number FROM inspections i
                  JOIN versions v ON v.inspection_id = i.id AND v.version = i.current_version
                  JOIN raw_rows r ON r.id = v.raw_row_id JOIN sources s ON s.id = r.source_id
                  WHERE i.source_id = ? AND r.source_id != ? AND s.withdrawn_at IS NULL) AS origin
            WHERE inspections.id = origin.id AND inspections.gone_at IS NULL""",
                            (source_id, source_id)).rowcount
        taken = conn.execute("UPDATE inspections SET withdrawn_at = ? WHERE source_id = ? AND withdrawn_at IS NULL "
                             "AND gone_at IS NULL", (now, source_id)).rowcount
        conn.execute("UPDATE inspections SET withdrawn_at = ? WHERE source_id = ? AND withdrawn_at IS NULL",
                     (now, source_id))
        for instrument in instruments:
            taken += instrument.withdraw_source(conn, source_id, now)
        conn.execute("UPDATE sources SET withdrawn_at = ? WHERE id = ?", (now, source_id))
        conn.execute("UPDATE quarantine SET resolved_at = ? WHERE source_id = ? AND resolved_at IS NULL",
                     (now, source_id))
        # a resubmission from the source no longer replaces another
        store.StoreWriter(conn).mark_resubmissions(info.checklist, resubmission_minutes)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    finally:
        conn.close()
    return info, taken, kept
