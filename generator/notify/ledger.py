"""The alerts ledger in the store: every alert found, every send tried (to whom, when, the channel's answer).

Its tables are made and upgraded as an instrument's are (`ingest.store.migrate_instruments`, through
`NOTIFY_TABLES`, which has the store part of the instrument protocol), so a store without them reads as
before and the next `handbook notify` adds them. A send is written as soon as the channel answered (its
own transaction): a run stopped half-way does not send again what went out.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import HandbookError
from ..ingest import store
from ..messages import one_line
from .digest import Alert

SCHEMA = """
CREATE TABLE notify_alerts (
    key        TEXT PRIMARY KEY,           -- redline:<inspection id>, failed:…, overdue:…, missed:…
    kind       TEXT NOT NULL,
    project    TEXT NOT NULL,
    day        TEXT NOT NULL,              -- the fact's date (inspection, due date, period end)
    entry      TEXT NOT NULL,              -- JSON: the alert as first sent (masked), for retries
    found_at   TEXT NOT NULL
);
CREATE TABLE notify_sends (
    id         INTEGER PRIMARY KEY,
    alert_key  TEXT NOT NULL REFERENCES notify_alerts(key),
    channel    TEXT NOT NULL,              -- wecom:<variable>, dingtalk:<variable>, email:<address>
    recipient  TEXT NOT NULL,              -- whom the digest was for (names)
    sent_at    TEXT NOT NULL,              -- when the channel answered (or failed to)
    ok         INTEGER NOT NULL,           -- 1 delivered (the channel said so), 0 failed
    answer     TEXT NOT NULL,              -- the channel's answer (never a key or password)
    part       TEXT NOT NULL,              -- which message of the digest, e.g. 1/2
    forced     INTEGER NOT NULL DEFAULT 0  -- 1: re-sent on purpose (--since)
);
CREATE INDEX notify_sends_by_alert ON notify_sends (alert_key, channel);
CREATE TABLE notify_runs (
    id          INTEGER PRIMARY KEY,
    started_at  TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    since       TEXT,                      -- --since, when given
    report      TEXT NOT NULL              -- JSON: per channel, messages and alerts sent or failed
)
"""


class _NotifyTables:
    """The store part of the instrument protocol (`Instrument.store_schema` …) for the ledger's tables."""

    id = "notify"
    store_tables = ("notify_alerts", "notify_sends", "notify_runs")
    store_schema = SCHEMA
    store_migrations: dict[int, str] = {}


NOTIFY_TABLES = _NotifyTables()


@dataclass
class LedgerState:
    """What the ledger says before a run: the last run's start, what each channel got, what failed."""

    last_run: dt.datetime | None = None
    delivered: set[tuple[str, str]] = field(default_factory=set)          # (alert key, channel)
    owed: dict[str, list[Alert]] = field(default_factory=dict)            # channel -> alerts that failed


def read_state(conn: sqlite3.Connection) -> LedgerState:
    """The ledger on `conn` (empty when its tables are not there yet)."""
    tables = {n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    state = LedgerState()
    if not set(NOTIFY_TABLES.store_tables) <= tables:
        return state
    row = conn.execute("SELECT max(started_at) FROM notify_runs").fetchone()
    state.last_run = dt.datetime.fromisoformat(row[0]) if row and row[0] else None
    state.delivered = set(conn.execute("SELECT DISTINCT alert_key, channel FROM notify_sends WHERE ok = 1"))
    for channel, entry in conn.execute("""
            SELECT s.channel, a.entry FROM notify_alerts a JOIN
                (SELECT DISTINCT alert_key, channel FROM notify_sends WHERE ok = 0) s ON s.alert_key = a.key
            WHERE NOT EXISTS (SELECT 1 FROM notify_sends d WHERE d.alert_key = a.key AND d.channel = s.channel
                              AND d.ok = 1)
            ORDER BY a.found_at, a.key"""):
        state.owed.setdefault(channel, []).append(Alert.from_json(json.loads(entry)))
    return state


def read_state_of(path: Path | str) -> LedgerState:
    """The ledger of the store at `path`, read only (for a dry run)."""
    conn = store.open_store_read_only(path)
    try:
        return read_state(conn)
    finally:
        conn.close()


@contextlib.contextmanager
def run_lock(path: Path | str):
    """Held for a whole run that sends: a second `handbook notify` on the same store (an hourly job still
    running when the next starts) stops at once instead of sending the same alerts again."""
    lock_path = Path(f"{path}.notify-lock")
    try:
        handle = lock_path.open("a")
    except OSError:
        raise HandbookError(one_line("store_cannot_open", path=lock_path)) from None
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise HandbookError(one_line("notify_busy", path=path)) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def open_ledger(path: Path | str) -> sqlite3.Connection:
    """A connection to the store with the ledger's tables made or upgraded (autocommit afterwards)."""
    conn = store.connect(path)
    try:
        store.begin(conn, path, [NOTIFY_TABLES])
        conn.execute("COMMIT")
    except BaseException:
        conn.close()
        raise
    return conn


def _write(conn: sqlite3.Connection, sql: str, rows: list[tuple]) -> None:
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.executemany(sql, rows)
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def record_alerts(conn: sqlite3.Connection, alerts: list[Alert], now: str) -> None:
    """Keep each alert (as first found) so that a failed send can be retried as it was."""
    _write(conn, "INSERT OR IGNORE INTO notify_alerts (key, kind, project, day, entry, found_at) "
                     "VALUES (?, ?, ?, ?, ?, ?)",
                     [(a.key, a.kind, a.project, a.day.isoformat(), json.dumps(a.to_json(), ensure_ascii=False),
                       now) for a in alerts])


def record_sends(conn: sqlite3.Connection, keys, channel: str, recipient: str, when: str, ok: bool,
                 answer: str, part: str, forced: bool) -> None:
    """One row per alert of a message sent (or failed): in its own transaction."""
    _write(conn, "INSERT INTO notify_sends (alert_key, channel, recipient, sent_at, ok, answer, part, forced) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                     [(k, channel, recipient, when, int(ok), answer, part, int(forced)) for k in keys])


def record_run(conn: sqlite3.Connection, started: str, finished: str, since: dt.date | None, report: dict) -> None:
    _write(conn, "INSERT INTO notify_runs (started_at, finished_at, since, report) VALUES (?, ?, ?, ?)",
           [(started, finished, since.isoformat() if since else None, json.dumps(report, ensure_ascii=False))])
