"""The scoring rules of each standards version, kept in the store (`rulebook.Rules`).

Every ingest records the rules of the standards it runs with, under their version (`document.version`)
and the date that version took effect, inside the run's transaction. A later edit of the standards
then scores the inspections made before its effective date with these recorded rules, not the edited
ones. The table is made through `migrate_instruments`, as an instrument's are (`RULES_TABLES`): a store
written before it existed reads as before (no recorded rules: the current standards score everything).
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

from ..rulebook import Rules, rules_of, timeline, with_history
from .connection import open_store_read_only

SCHEMA = """
CREATE TABLE IF NOT EXISTS standards_rules (
    version     TEXT PRIMARY KEY,      -- procedure.yaml document.version
    effective   TEXT,                  -- the date it took effect (its change note's effective or date)
    rules       TEXT NOT NULL,         -- JSON: per item points, deduction, critical, fix_within_days, grades (no semicolons: split by them)
    recorded_at TEXT NOT NULL,         -- first recorded
    updated_at  TEXT NOT NULL          -- last changed (its effective date, when a change note moved it)
)
"""  # noqa: E501 - the DDL is stored in every store as written


class _RulesTables:
    """The store part of the instrument protocol (`Instrument.store_schema` …) for `standards_rules`."""

    id = "standards_rules"
    store_tables = ("standards_rules",)
    store_schema = SCHEMA
    store_migrations: dict[int, str] = {}


RULES_TABLES = _RulesTables()


def effective_of(standards) -> dt.date | None:
    """The date the current standards version took effect (its change note), None without one."""
    return next((start for version, start in timeline(standards) if version == standards.document.version), None)


def lock_rules(lock) -> dict[str, Rules]:
    """The rules the lock recorded with its form versions, by standards version (every form's items joined)."""
    out: dict[str, Rules] = {}
    for form in (lock.forms.values() if lock is not None else ()):
        for version in form.versions:
            if not version.rules:
                continue
            try:
                rules = Rules.from_data(version.rules)
            except (KeyError, TypeError, ValueError, AttributeError):
                continue   # a record this program cannot read is left out, as a missing one
            seen = out.get(version.name)
            out[version.name] = rules if seen is None else Rules(
                version.name, {**seen.items, **rules.items}, seen.grades)
    return out


def record_rules(conn: sqlite3.Connection, standards, now: str, lock=None) -> bool:
    """Record the current version's rules (inside the run's transaction); True when they were new.

    A version's rules, once recorded, are never rewritten: an edit of the standards without a new dated
    change note scores with the YAML as it is (`handbook check` and `handbook build` warn), and once a
    note dates it, the inspections before its effective date score with the rules recorded before the
    edit, as they were published. Only the effective date follows the change notes. A version the lock
    recorded rules for (`handbook forms push`) that the store lacks is copied in (a store started after it)."""
    starts = dict(timeline(standards))
    for version, rules in lock_rules(lock).items():
        if version != standards.document.version:
            start = starts.get(version)
            conn.execute("INSERT OR IGNORE INTO standards_rules (version, effective, rules, recorded_at, updated_at) "
                         "VALUES (?, ?, ?, ?, ?)", (version, start.isoformat() if start else None,
                                                     Rules(version, rules.items, rules.grades).to_json(), now, now))
    rules = rules_of(standards)
    effective = effective_of(standards)
    text = rules.to_json()
    row = conn.execute("SELECT rules, effective FROM standards_rules WHERE version = ?", (rules.version,)).fetchone()
    day = effective.isoformat() if effective else None
    if row is None:
        conn.execute("INSERT INTO standards_rules (version, effective, rules, recorded_at, updated_at) "
                     "VALUES (?, ?, ?, ?, ?)", (rules.version, day, text, now, now))
        return True
    if row[1] != day:
        conn.execute("UPDATE standards_rules SET effective = ?, updated_at = ? WHERE version = ?",
                     (day, now, rules.version))
    return False


def read_rules(db_path: Path | str) -> dict[str, tuple[dt.date | None, Rules]]:
    """Every recorded version: version -> (effective date, rules); {} for a store without the table."""
    conn = open_store_read_only(db_path)
    try:
        tables = {n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "standards_rules" not in tables:
            return {}
        rows = conn.execute("SELECT version, effective, rules FROM standards_rules").fetchall()
    finally:
        conn.close()
    out = {}
    for version, effective, text in rows:
        try:
            out[version] = (dt.date.fromisoformat(effective) if effective else None, Rules.from_json(text))
        except (ValueError, KeyError, TypeError, json.JSONDecodeError):
            continue   # a record this program cannot read scores as if it were missing
    return out


def count_inspections(db_path: Path | str) -> int:
    """The inspections scored (those still in their source), without reading them."""
    conn = open_store_read_only(db_path)
    try:
        return conn.execute("SELECT count(*) FROM inspections WHERE gone_at IS NULL").fetchone()[0]
    finally:
        conn.close()


def with_store_history(standards, db_path: Path | str):
    """`standards` scoring each inspection of the store at `db_path` with the rules in force on its date."""
    return with_history(standards, {v: r for v, (_, r) in read_rules(db_path).items()})
