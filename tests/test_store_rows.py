"""The writer's rows: each kind is a NamedTuple named after the columns of the table it goes into, and a row
that may be an edit, kept in the run's temporary table until every row is read, is stored exactly as a row
written at once (its version, its sections' 已当场纠正 and notes, the random-questioning grid)."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from generator import store
from generator.ingest import file_source, run_ingest
from generator.instruments.patrol import ingest as patrol_ingest
from generator.instruments import INSTRUMENTS
from generator.instruments.patrol import simulate as sim
from generator.standards import require_standards

from conftest import ROOT

CHECKLIST = "crd-spot-check"


@pytest.fixture(scope="module")
def standards():
    return require_standards(ROOT / "standards", instruments=INSTRUMENTS)


def columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]


def test_each_row_kind_names_the_columns_it_is_written_to(tmp_path):
    conn = store.connect(tmp_path / "s.sqlite", instruments=INSTRUMENTS)
    store.begin(conn, tmp_path / "s.sqlite", INSTRUMENTS)
    assert list(store.VersionRow._fields) == columns(conn, "versions")
    assert list(store.SectionRow._fields) == columns(conn, "sections")
    assert list(store.RawRow._fields) == ["row_number", "hash", "cells"]
    assert set(store.RawRow._fields) <= set(columns(conn, "raw_rows"))
    # the rest of each table is the store's own (ids, flags set later)
    assert list(store.InspectionRow._fields) == columns(conn, "inspections")[:6]
    assert list(store.QuarantineEntry._fields) == [c for c in columns(conn, "quarantine")
                                                   if c not in ("id", "resolved_at")]
    assert list(store.UnmappedEntry._fields) == [c for c in columns(conn, "unmapped_columns") if c != "id"]
    assert set(store.MoveRow._fields) <= set(columns(conn, "inspections"))
    conn.rollback()
    conn.close()


def stored(db, inspection_id: str, version: int) -> tuple[dict, list, list]:
    """(the version row without where and when it was read, its sections, its questioning answers)."""
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    row = dict(conn.execute("SELECT * FROM versions WHERE inspection_id = ? AND version = ?",
                            (inspection_id, version)).fetchone())
    for where in ("inspection_id", "version", "raw_row_id", "fetched_at"):
        del row[where]
    sections = [tuple(r) for r in conn.execute(
        "SELECT section, corrected, note FROM sections WHERE inspection_id = ? AND version = ? ORDER BY section",
        (inspection_id, version))]
    answers = [tuple(r) for r in conn.execute(
        "SELECT question, result, staff FROM questioning_answers WHERE inspection_id = ? AND version = ? "
        "ORDER BY question", (inspection_id, version))]
    conn.close()
    return row, sections, answers


def test_an_edit_decided_after_every_row_is_read_stores_what_a_new_row_would(standards, tmp_path, monkeypatch):
    monkeypatch.setattr(patrol_ingest, "WRITE_BATCH", 1)   # each row its own batch: the edit waits in the store
    responses = sim.simulate(standards, CHECKLIST, start=dt.date(2026, 1, 5), end=dt.date(2026, 1, 30),
                             projects=["wutong"], seed=3)
    header, *rows = sim.sheet_values(standards, CHECKLIST, responses)
    rows = [list(r) for r in rows]
    # the response of 2026-01-20: 4.2.2.1-x3 ticked 已当场纠正, a note in 4.2.3, five questions of the grid answered
    k = next(k for k, r in enumerate(rows) if str(r[4]) == "2026-01-20")
    assert rows[k][header.index("已当场纠正的条目（4.2.2 服务行为）")] == "4.2.2.1-x3 电话礼仪"
    note = rows[k][header.index("问题说明（4.2.3 业务能力）")]
    assert note == "4.2.3.4：不清楚小区周边公交线路"
    item = header.index(next(h for h in header if h.startswith("4.2.1.1-b")))
    assert rows[k][item] == "不适用"

    first = sim.write_csv(tmp_path / "a" / f"{CHECKLIST}.csv", [header, *rows])
    db = tmp_path / "s.sqlite"
    run_ingest([file_source(first, CHECKLIST)], standards=standards, db_path=db, instruments=INSTRUMENTS)
    [inspection_id] = [i.id for i in store.read_inspections(db) if str(i.date) == "2026-01-20"]

    rows[k][item] = "符合"   # edited on the sheet: same project, role, inspector and day, another answer
    second = sim.write_csv(tmp_path / "b" / f"{CHECKLIST}.csv", [header, *rows])
    report = run_ingest([file_source(second, CHECKLIST)], standards=standards, db_path=db,
                        instruments=INSTRUMENTS).total
    assert (report["edited"], report["unchanged"], report["new"]) == (1, len(rows) - 1, 0)

    fresh = tmp_path / "fresh.sqlite"   # the edited export into an empty store: every row written at once
    run_ingest([file_source(second, CHECKLIST)], standards=standards, db_path=fresh, instruments=INSTRUMENTS)
    [fresh_id] = [i.id for i in store.read_inspections(fresh) if str(i.date) == "2026-01-20"]

    edited, once = stored(db, inspection_id, 2), stored(fresh, fresh_id, 1)
    assert edited == once
    version, sections, answers = edited
    assert (version["project"], version["date"], version["submitted_at"]) == \
        ("wutong", "2026-01-20", "2026-01-20T10:12:33+08:00")
    assert '"4.2.1.1-b":0' in version["findings"]        # 符合 now (was 不适用: null)
    assert ("4.2.2.1-x3", 1, None) in sections and ("4.2.3", None, note) in sections
    assert ("4.2.3.4", 0, None) in sections     # found, not ticked: open, not corrected on the spot
    assert ("rules-1", "答对", "陈晓") in answers and len(answers) == 5
