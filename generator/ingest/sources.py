"""The store's sources: what each import brought (`handbook sources`), and withdrawing a wrong one.

A source is one response sheet or one exported file (by name) of one form. Withdrawing it keeps
its raw rows, headers and quarantine entries for the record; the responses it gave no longer count in
the results. Both commands ask every instrument about its own responses (`Instrument.stored_responses`,
`Instrument.withdraw_source`: the checklists' inspections, a questionnaire's answers, …). A withdrawn
source is not read again by `handbook ingest` from the lock; naming it again with `--file`/`--sheet`
imports it again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Sequence
from zoneinfo import ZoneInfo

from .. import store
from ..errors import HandbookError
from ..messages import Msg

if TYPE_CHECKING:
    from ..standards import Standards


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


def _stored_responses(conn, source_id: int, instruments: Sequence, tables: set[str]) -> int:
    """The responses the instruments hold from the source that count now (those whose tables the store has)."""
    return sum(instrument.stored_responses(conn, source_id) for instrument in instruments
               if set(instrument.store_tables) <= tables)


def list_sources(db_path: Path | str, instruments: Sequence) -> list[SourceInfo]:
    """Every source of the store, in the order first read."""
    conn = store.open_store_read_only(db_path)
    try:
        tracked = conn.execute("PRAGMA user_version").fetchone()[0] >= 6
        withdrawn = "s.withdrawn_at" if tracked else "NULL"
        tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        # the last import: the latest run that read it (its log entry), whether or not it brought new rows
        rows = conn.execute(f"""
            SELECT s.id, s.checklist, s.kind, s.title, s.locator, s.first_read_at,
                   coalesce((SELECT max(l.started_at) FROM ingest_log l, json_each(l.report, '$.sources') x
                             WHERE json_extract(x.value, '$.key') = s.key AND NOT json_extract(l.report, '$.dry_run')),
                            s.first_read_at),
                   (SELECT count(*) FROM raw_rows r WHERE r.source_id = s.id),
                   {withdrawn}
            FROM sources s ORDER BY s.id""").fetchall()
        out = [SourceInfo(sid, checklist, kind, title, locator, first, last_at, raw,
                          _stored_responses(conn, sid, instruments, tables), gone)
               for sid, checklist, kind, title, locator, first, last_at, raw, gone in rows]
    finally:
        conn.close()
    return out


def withdraw_source(db_path: Path | str, source_id: int, instruments: Sequence, *, standards: Standards,
                    now: str | None = None) -> tuple[SourceInfo, int, int]:
    """Withdraw one source in one transaction: (the source as it was, how many responses the instruments took out
    of the results, how many they keep counting because another source that is not withdrawn holds them: see
    `Instrument.withdraw_source`). Its raw rows stay; its open quarantine entries are resolved."""
    now = now or dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    info = next((s for s in list_sources(db_path, instruments) if s.id == source_id), None)
    if info is None:
        known = "、".join(str(s.id) for s in list_sources(db_path, instruments)) or "无"
        raise HandbookError(Msg.SOURCE_UNKNOWN, id=source_id, path=db_path, known=known)
    if info.withdrawn_at:
        zone = ZoneInfo(standards.organisation.timezone)
        at = dt.datetime.fromisoformat(info.withdrawn_at).astimezone(zone).strftime("%Y-%m-%d %H:%M")
        raise HandbookError(Msg.SOURCE_ALREADY_WITHDRAWN, id=source_id, title=info.title, at=at)
    conn = store.connect(db_path, instruments=instruments)
    try:
        store.begin(conn, db_path, instruments)
        taken = kept = 0
        for instrument in instruments:
            t, k = instrument.withdraw_source(conn, source_id, standards, now)
            taken, kept = taken + t, kept + k
        conn.execute("UPDATE sources SET withdrawn_at = ? WHERE id = ?", (now, source_id))
        conn.execute("UPDATE quarantine SET resolved_at = ? WHERE source_id = ? AND resolved_at IS NULL",
                     (now, source_id))
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    finally:
        conn.close()
    return info, taken, kept
