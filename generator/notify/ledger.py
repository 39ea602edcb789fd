"""The alerts ledger in the store: every alert found, every send tried (to whom, when, the channel's answer).

What is new is decided here, from the ledger alone, never from clocks: every alert has a stable key
(`digest.Alert.key`), a send is recorded per (key, channel), and a run sends a channel every alert it
finds that the channel has not yet confirmed (`notify_sends.ok = 1`), as long as the alert's day
(`Alert.day`: the inspection date, the first day an action is overdue, a missed period's last day) is
on or after the channel's `horizon`:

- a channel's first run (a new store, a new recipient, or a store whose ledger predates this rule and
  never served it) gets yesterday's and today's facts, never the history;
- afterwards it gets the facts of the `LOOK_BACK_DAYS` before the last run (so a run that read the store
  while an ingest was still writing, or a run that failed, is caught up by the next one, and a pause of
  the hourly job is caught up from where it stopped), but never facts from before the day before its
  first run;
- an alert whose send failed is retried as it was first found, whatever its day.

Its tables are made and upgraded as an instrument's are (`store.migrate_instruments`, through
`NOTIFY_TABLES`, which has the store part of the instrument protocol), so a store without them reads as
before and the next `handbook notify` adds them. A send is written as soon as the channel answered (its
own transaction): a run stopped half-way does not send again what went out.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import socket
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import HandbookError
from .. import store
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
);
CREATE TABLE notify_channels (
    channel     TEXT PRIMARY KEY,          -- as notify_sends.channel
    first_day   TEXT NOT NULL              -- the day of the first run that served it (organisation's zone)
)
"""
# step 2: the channels' first runs, for the horizon; a store that had sent already keeps the day of its first send
CHANNELS_MIGRATION = """
CREATE TABLE notify_channels (
    channel     TEXT PRIMARY KEY,
    first_day   TEXT NOT NULL
);
INSERT INTO notify_channels (channel, first_day)
    SELECT channel, substr(min(sent_at), 1, 10) FROM notify_sends GROUP BY channel
"""
LOOK_BACK_DAYS = 7      # a fact dated more than this before the last run is old news


class _NotifyTables:
    """The store part of the instrument protocol (`Instrument.store_schema` …) for the ledger's tables."""

    id = "notify"
    store_tables = ("notify_alerts", "notify_sends", "notify_runs", "notify_channels")
    store_schema = SCHEMA
    store_migrations: dict[int, str] = {2: CHANNELS_MIGRATION}


NOTIFY_TABLES = _NotifyTables()


@dataclass
class LedgerState:
    """What the ledger says before a run: the last run's start, what each channel got, what failed."""

    last_run: dt.datetime | None = None
    delivered: set[tuple[str, str]] = field(default_factory=set)          # (alert key, channel)
    owed: dict[str, list[Alert]] = field(default_factory=dict)            # channel -> alerts that failed
    first_days: dict[str, dt.date] = field(default_factory=dict)          # channel -> its first run's day

    def horizon(self, channel: str, today: dt.date) -> dt.date:
        """The first day of the facts `channel` can get in a run on `today` (see the module doc)."""
        first = min(self.first_days.get(channel, today), today)
        last = min(self.last_run.date(), today) if self.last_run is not None else today
        return max(first - dt.timedelta(days=1), last - dt.timedelta(days=LOOK_BACK_DAYS))


def read_state(conn: sqlite3.Connection) -> LedgerState:
    """The ledger on `conn` (empty when its tables are not there yet)."""
    tables = {n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    state = LedgerState()
    if not {"notify_alerts", "notify_sends", "notify_runs"} <= tables:
        return state
    row = conn.execute("SELECT max(started_at) FROM notify_runs").fetchone()
    state.last_run = dt.datetime.fromisoformat(row[0]) if row and row[0] else None
    if "notify_channels" in tables:
        state.first_days = {ch: dt.date.fromisoformat(day) for ch, day in
                            conn.execute("SELECT channel, first_day FROM notify_channels")}
    else:   # a dry run on a store whose ledger is older (read only: not upgraded): as the upgrade will say
        state.first_days = {ch: dt.date.fromisoformat(day[:10]) for ch, day in
                            conn.execute("SELECT channel, min(sent_at) FROM notify_sends GROUP BY channel")}
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


LOCK_STALE_SECONDS = 30 * 60   # a run holding the lock longer than this is hung (a real one takes minutes)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:   # someone else's process: it exists
        return True
    return True


def _record(handle) -> dict | None:
    """Who holds (or held) the lock: {"pid", "host", "started"} as the holder wrote it, or None."""
    try:
        handle.seek(0)
        data = json.loads(handle.read() or "null")
        return data if isinstance(data, dict) and isinstance(data.get("pid"), int) else None
    except (OSError, ValueError):
        return None


def _write_record(handle, started: float) -> None:
    handle.seek(0)
    handle.truncate()
    handle.write(json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "started": started}))
    handle.flush()


def _open(path: Path):
    try:
        return path.open("a+", encoding="utf-8")
    except OSError:
        raise HandbookError(one_line("store_cannot_open", path=path)) from None


def _when(record: dict) -> str:
    try:
        return dt.datetime.fromtimestamp(float(record.get("started")), dt.timezone.utc).astimezone() \
            .strftime("%Y-%m-%d %H:%M")
    except (TypeError, ValueError, OverflowError, OSError):
        return "时间不明"


@contextlib.contextmanager
def run_lock(path: Path | str, *, stale_after: float = LOCK_STALE_SECONDS, clock=time.time):
    """Held for a whole run that sends: a second `handbook notify` on the same store (an hourly job still
    running when the next starts) stops at once instead of sending the same alerts again.

    The lock is an flock on `<store>.notify-lock`, which holds the holder's pid, host and start time
    (emptied when the run ends). Yields the warnings of a stale lock taken over: a record left in a free
    lock is a run that died (killed; the kernel freed its flock; its sends are in the ledger: nothing
    goes twice); a lock its process has held longer than `stale_after` seconds is a hung run, and the
    file is replaced by a fresh one (under `<store>.notify-lock.takeover`, so two runs never both take
    over). The hung process is left alone: the warning names it."""
    lock_path = Path(f"{path}.notify-lock")
    warnings: list[str] = []
    handle = _open(lock_path)
    takeover = None
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            left = _record(handle)
            if left is not None:
                warnings.append(one_line("notify_lock_stale", pid=left["pid"], started=_when(left)))
        except OSError:
            holder = _record(handle)
            try:
                age = clock() - float(holder.get("started")) if holder else 0.0
            except (TypeError, ValueError):
                age = 0.0
            # The kernel frees an flock when its process dies, so the lock is held by a live process. A
            # record whose pid is gone (same host) is not that process's: a run that has just taken the lock
            # and not yet written its own record over a killed run's. Only the holder's own, old record
            # says it hangs.
            mine = holder is not None and (holder.get("host") != socket.gethostname() or _alive(holder["pid"]))
            if not mine or age <= stale_after:
                raise HandbookError(one_line("notify_busy", path=path)) from None
            takeover = _open(Path(f"{lock_path}.takeover"))
            fresh = Path(f"{lock_path}.{os.getpid()}")
            try:
                fcntl.flock(takeover, fcntl.LOCK_EX | fcntl.LOCK_NB)
                replacement = _open(fresh)
                fcntl.flock(replacement, fcntl.LOCK_EX | fcntl.LOCK_NB)
                os.replace(fresh, lock_path)
            except OSError:
                raise HandbookError(one_line("notify_busy", path=path)) from None
            handle.close()
            handle = replacement
            warnings.append(one_line("notify_lock_hung", pid=holder["pid"], started=_when(holder),
                                     minutes=int(stale_after // 60)))
        _write_record(handle, clock())
        try:
            yield warnings
        finally:
            with contextlib.suppress(OSError):
                handle.seek(0)
                handle.truncate()
                handle.flush()
            fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        handle.close()
        if takeover is not None:
            takeover.close()


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


def record_channels(conn: sqlite3.Connection, channels: list[str], today: dt.date) -> None:
    """Note the channels served for the first time today (their horizon starts from it)."""
    _write(conn, "INSERT OR IGNORE INTO notify_channels (channel, first_day) VALUES (?, ?)",
           [(c, today.isoformat()) for c in channels])


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
