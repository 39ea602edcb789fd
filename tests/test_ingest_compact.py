"""The compact store (schema 4: answers in the version row) and the fast path for unchanged rows."""

from __future__ import annotations

import sqlite3

import pytest

from generator.ingest import file_source, run_ingest
from generator.store import read_inspections
from generator.instruments.patrol import ingest as patrol_ingest
from generator import store as store_mod
from generator.instruments import INSTRUMENTS
from generator.standards import require_standards

from conftest import ROOT
from legacy_store import legacy_store

EXAMPLE = ROOT / "forms" / "examples" / "daily-patrol.csv"


@pytest.fixture(scope="module")
def standards():
    return require_standards(ROOT / "standards", instruments=INSTRUMENTS)


def ingest(standards, db, path=EXAMPLE):
    return run_ingest([file_source(path, "daily-patrol")], standards=standards, db_path=db, instruments=INSTRUMENTS)


def rows(db, sql):
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def counting_normalise(monkeypatch):
    calls = []
    real = patrol_ingest.normalise

    def spy(*args, **kw):
        calls.append(1)
        return real(*args, **kw)

    monkeypatch.setattr(patrol_ingest, "normalise", spy)
    return calls


def test_a_rerun_with_nothing_new_reads_every_row_normalises_none_and_writes_nothing(standards, tmp_path,
                                                                                     monkeypatch):
    db = tmp_path / "s.sqlite"
    first = ingest(standards, db)
    tables = ("raw_rows", "inspections", "versions", "sections", "quarantine", "questioning_answers")
    before = {t: rows(db, f"SELECT * FROM {t} ORDER BY 1, 2") for t in tables}
    calls = counting_normalise(monkeypatch)
    second = ingest(standards, db)
    t = second.total
    assert t["read"] == first.total["read"]
    assert t["read"] == t["new"] + t["edited"] + t["unchanged"] + t["quarantined"]
    assert (t["new"], t["edited"], t["unchanged"]) == (0, 0, first.total["new"])
    assert t["quarantined"] == first.total["quarantined"]
    # only the quarantined rows (no stored version to stand for them) are normalised again
    assert len(calls) == first.total["quarantined"]
    assert {t: rows(db, f"SELECT * FROM {t} ORDER BY 1, 2") for t in tables} == before


def test_an_edited_row_is_normalised_and_the_rest_take_the_fast_path(standards, tmp_path, monkeypatch):
    db = tmp_path / "s.sqlite"
    path = tmp_path / "daily-patrol.csv"
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    first = ingest(standards, db, path)
    header = lines[0].split(",")
    item = next(i for i, name in enumerate(header) if name.startswith("4.2.") and "[" not in name)
    cells = lines[1].split(",")
    cells[item] = "不符合 2 处" if cells[item] != "不符合 2 处" else "符合"
    lines[1] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    calls = counting_normalise(monkeypatch)
    second = ingest(standards, db, path)
    t = second.total
    assert (t["new"], t["edited"]) == (0, 1)
    assert t["read"] == t["new"] + t["edited"] + t["unchanged"] + t["quarantined"]
    assert len(calls) == 1 + first.total["quarantined"]
    assert rows(db, "SELECT count(*) FROM inspections WHERE current_version = 2") == [(1,)]
    assert len(read_inspections(db)) == first.total["new"]


def test_a_duplicate_of_a_stored_row_is_still_quarantined(standards, tmp_path):
    db = tmp_path / "s.sqlite"
    path = tmp_path / "daily-patrol.csv"
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    first = ingest(standards, db, path)
    path.write_text("\n".join(lines + [lines[1]]) + "\n", encoding="utf-8")
    second = ingest(standards, db, path)
    assert second.total["unchanged"] == first.total["new"]
    assert second.sources[0].reasons.get("duplicate", 0) == first.sources[0].reasons.get("duplicate", 0) + 1


def old_store(new_db, old_db):
    """A schema-3 store (one `answers` row per item) holding what the schema-4 store `new_db` holds."""
    legacy_store(old_db, 3)
    conn = sqlite3.connect(old_db, isolation_level=None)
    conn.execute("ATTACH DATABASE ? AS new", (str(new_db),))
    for table in ("sources", "headers", "raw_rows", "inspections", "sections", "quarantine", "unmapped_columns",
                  "questioning_answers", "ingest_log", "versions"):   # the old tables' columns only
        columns = [r[1] for r in conn.execute(f"PRAGMA main.table_info({table})")]
        conn.execute(f"INSERT INTO main.{table} SELECT {', '.join(columns)} FROM new.{table}")
    conn.execute("INSERT INTO main.answers SELECT inspection_id, version, item_code, findings, label FROM new.answers")
    conn.execute("DETACH DATABASE new")
    conn.close()


def test_a_schema_3_store_reads_the_same_and_upgrades_in_place(standards, tmp_path):
    new_db, old_db = tmp_path / "new.sqlite", tmp_path / "old.sqlite"
    first = ingest(standards, new_db)
    bad = tmp_path / "bad.csv"   # a source with a quarantined row
    header = EXAMPLE.read_text(encoding="utf-8").splitlines()[0]
    good = EXAMPLE.read_text(encoding="utf-8").splitlines()[1]
    bad.write_text(f"{header}\n{good.replace(good.split(',')[1], '不存在小区', 1)}\n", encoding="utf-8")
    assert ingest(standards, new_db, bad).total["quarantined"] == 1
    answers = rows(new_db, "SELECT * FROM answers ORDER BY 1, 2, 3")
    assert len(answers) > first.total["new"] * 5      # the view shows one row per answered item
    old_store(new_db, old_db)
    assert rows(old_db, "SELECT * FROM answers ORDER BY 1, 2, 3") == answers
    expected = read_inspections(new_db)
    assert read_inspections(old_db) == expected       # read-only readers read the old layout
    second = ingest(standards, old_db)                # the next ingest upgrades it
    assert second.total["unchanged"] == first.total["new"] and second.total["new"] == 0
    assert rows(old_db, "PRAGMA user_version") == [(store_mod.SCHEMA_VERSION,)]
    assert rows(old_db, "SELECT type FROM sqlite_master WHERE name = 'answers'") == [("view",)]
    assert rows(old_db, "SELECT * FROM answers ORDER BY 1, 2, 3") == answers
    assert rows(old_db, "SELECT findings, labels FROM versions ORDER BY inspection_id") == \
        rows(new_db, "SELECT findings, labels FROM versions ORDER BY inspection_id")
    assert read_inspections(old_db) == expected
    # the findings keep the items' order, as the rows of the old table did
    assert [list(i.findings) for i in read_inspections(old_db)] == [list(i.findings) for i in expected]
    # the quarantined row carried over is open, and resolved once its source is read without it
    assert [(q.source, q.reason_code, q.resolved_at) for q in store_mod.read_quarantine(old_db)] == \
        [("bad.csv", "unknown_project", None)]
    bad.write_text(f"{header}\n", encoding="utf-8")
    assert ingest(standards, old_db, bad).resolved == 1
    assert store_mod.read_quarantine(old_db) == [] and len(store_mod.read_quarantine(old_db,
                                                                                     include_resolved=True)) == 1


def test_read_inspections_builds_the_same_records_as_the_constructor(standards, tmp_path):
    import dataclasses

    from generator.inspection import Inspection

    db = tmp_path / "s.sqlite"
    ingest(standards, db)
    read = read_inspections(db)
    assert read
    names = {f.name for f in dataclasses.fields(Inspection)}
    for record in read:
        assert set(vars(record)) == names          # every field set, nothing else
        assert Inspection(**vars(record)) == record
    with pytest.raises(dataclasses.FrozenInstanceError):
        read[0].project = "x"                       # still frozen
    assert any(i.corrected for i in read) and any(i.notes for i in read)
    assert read[0].findings is not read[1].findings   # answers are never shared between records
