"""Reading the fix reports (整改反馈) the store holds, for the results stage and notify.

The table is made and written by the fix-report instrument (`instruments/fixreport`); the stages read it
here, by SQL, so that no stage imports an instrument.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..store import open_store_read_only
from .scoring import FixReport

TABLE = "fix_reports"


def read_fix_reports(db_path: Path | str) -> list[FixReport]:
    """Every current fix report of the store, by report date ([] without a store or before the table)."""
    if not Path(db_path).is_file():
        return []
    conn = open_store_read_only(db_path)
    try:
        if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (TABLE,)).fetchone():
            return []
        rows = conn.execute(f"SELECT id, project, code, found_on, fixed_on, measure, photo, submitted_at "
                            f"FROM {TABLE} WHERE gone_at IS NULL ORDER BY fixed_on, submitted_at, id").fetchall()
    finally:
        conn.close()
    return [FixReport(rid, project, code, dt.date.fromisoformat(found), dt.date.fromisoformat(fixed),
                      measure or "", photo or "", dt.datetime.fromisoformat(at))
            for rid, project, code, found, fixed, measure, photo, at in rows]
