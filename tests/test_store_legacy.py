"""Stores made by an older handbook open, read and upgrade: the d40fcfb store (schema 5, filled by that code).

The fixture is made by code (tests/legacy_store.py loads an SQL dump, tests/data/store/), never a binary.
Each instrument owns its tables now; a store made before that reads the same, upgrades in place on the
next ingest, and a new store has the very tables the old code made.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from generator.ingest import file_source, run_ingest
from generator.store import read_inspections
from generator import store as store_mod
from generator.store.rules import SCHEMA as RULES_SCHEMA
from generator.store import read_quarantine
from generator.instruments import INSTRUMENTS
from generator.instruments.exam.responses import read_exam_responses
from generator.instruments.questioning.grid import read_questioning
from generator.instruments.questionnaire.survey import read_survey
from generator.standards import require_standards

from conftest import ROOT
from legacy_store import legacy_store, store_d40fcfb

DATA = ROOT / "tests" / "data"
# The first 6 lines of forms/examples/daily-patrol.csv as they were at d40fcfb, the ones the fixture's script
# read (`git show d40fcfb:forms/examples/daily-patrol.csv | head -6`). The shipped example was re-made since
# (notes now name their item, e.g. "4.2.2.1-x3：电话铃响超过三声才接听" for "未佩戴工牌"), which changes
# two patrols' content and so their ids; the old store must read as the same responses, so pin those.
PATROL = (DATA / "store" / "d40fcfb-daily-patrol.csv").read_text(encoding="utf-8").splitlines()
OTHERS = [(DATA / "methods/crd-spot-check.questioning.zh-CN.csv", "crd-spot-check"),
          (DATA / "methods/customer-survey.zh-CN.csv", "customer-survey"),
          (DATA / "exam/quiz-zh-CN.csv", "exam-2026Q4")]


@pytest.fixture(scope="module")
def standards():
    return require_standards(ROOT / "standards", instruments=INSTRUMENTS)


def edited_patrol() -> list[str]:
    """The second run of the fixture's script: one answer changed, and row 3 again (its project is not 梧桐苑:
    the script's replace changes nothing, so the row is a duplicate)."""
    lines = list(PATROL)
    lines[1] = lines[1].replace(",不符合 1 处,", ",符合,", 1)
    return lines + [PATROL[2].replace("梧桐苑", "不存在小区", 1)]


def fill_as_the_fixture_was(standards, db: Path, work: Path) -> None:
    """What tests/data/store/d40fcfb-schema5.sql was made by, run with today's code."""
    work.mkdir(exist_ok=True)
    patrol = work / "daily-patrol.csv"
    patrol.write_text("\n".join(PATROL) + "\n", encoding="utf-8")
    run_ingest([file_source(patrol, "daily-patrol"), *(file_source(p, c) for p, c in OTHERS)],
               standards=standards, db_path=db, instruments=INSTRUMENTS)
    patrol.write_text("\n".join(edited_patrol()) + "\n", encoding="utf-8")
    run_ingest([file_source(patrol, "daily-patrol")], standards=standards, db_path=db, instruments=INSTRUMENTS)


def everything_read(db: Path) -> dict:
    """What the readers give (times of reading aside)."""
    return {"inspections": read_inspections(db),
            "gone": read_inspections(db, include_gone=True),
            "quarantine": [(q.checklist, q.source, q.source_key, q.row_number, q.reason_code, q.reason,
                            q.resolved_at is None) for q in read_quarantine(db, include_resolved=True)],
            "survey": read_survey(db),
            "exam": read_exam_responses(db),
            "questioning": read_questioning(db)}


def rows(db: Path, sql: str) -> list:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def shapes(db: Path) -> dict[str, str]:
    """Every table, view and index the store has, by name, with its definition (spaces collapsed)."""
    return {name: re.sub(r"\s+", " ", sql).strip() for name, sql in rows(
        db, "SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name")}


def test_the_d40fcfb_store_holds_what_its_script_put_in(tmp_path):
    old = store_d40fcfb(tmp_path / "old.sqlite")
    assert rows(old, "PRAGMA user_version") == [(5,)]
    # 5 patrols (one of them edited: 2 versions), 3 spot checks, 4 questionnaires, 4 quiz responses
    assert rows(old, "SELECT checklist, count(*) FROM inspections GROUP BY checklist ORDER BY 1") == \
        [("crd-spot-check", 3), ("daily-patrol", 5)]
    assert rows(old, "SELECT count(*) FROM versions") == [(9,)]
    assert rows(old, "SELECT count(*) FROM survey_responses") == [(4,)]
    assert rows(old, "SELECT count(*), sum(passed) FROM exam_responses") == [(4, 3)]
    assert rows(old, "SELECT count(*) FROM questioning_answers") == [(8,)]
    assert rows(old, "SELECT s.checklist, q.row_number, q.reason_code FROM quarantine q JOIN sources s "
                     "ON s.id = q.source_id WHERE q.resolved_at IS NULL ORDER BY 1, 2") == \
        [("crd-spot-check", 5, "not_an_option"), ("customer-survey", 6, "unknown_project"),
         ("customer-survey", 7, "not_an_option"), ("daily-patrol", 7, "duplicate")]


def test_the_d40fcfb_store_reads_as_todays_code_stores_the_same_responses(standards, tmp_path):
    old = store_d40fcfb(tmp_path / "old.sqlite")
    new = tmp_path / "new.sqlite"
    fill_as_the_fixture_was(standards, new, tmp_path / "work")
    expected = everything_read(new)
    assert len(expected["inspections"]) == 8 and len(expected["questioning"]) == 8
    assert everything_read(old) == expected


def test_the_next_ingest_upgrades_it_in_place_and_keeps_every_row(standards, tmp_path):
    old = store_d40fcfb(tmp_path / "old.sqlite")
    before = everything_read(old)
    work = tmp_path / "work"
    work.mkdir()
    patrol = work / "daily-patrol.csv"
    patrol.write_text("\n".join(edited_patrol()) + "\n", encoding="utf-8")
    report = run_ingest([file_source(patrol, "daily-patrol"), *(file_source(p, c) for p, c in OTHERS)],
                        standards=standards, db_path=old, instruments=INSTRUMENTS)
    # every response is known: 5 patrol rows, 3 spot checks, 4 + 4 of the questionnaire and the quiz
    assert (report.total["new"], report.total["edited"], report.total["unchanged"]) == (0, 0, 16)
    assert report.total["quarantined"] == 4   # the same rows as before (the repeated patrol, 1 + 2 others)
    assert rows(old, "PRAGMA user_version") == [(store_mod.SCHEMA_VERSION,)]
    assert everything_read(old) == before
    assert rows(old, "SELECT count(*) FROM ingest_log") == [(3,)]


# the one table the instruments' own tables brought: which version each instrument's tables are at
VERSIONS_TABLE = ("CREATE TABLE instrument_versions ( instrument TEXT PRIMARY KEY, -- Instrument.id "
                  "version INTEGER NOT NULL -- 1 + the steps of its store_migrations run )")
# and the scoring rules of each standards version, recorded by every ingest (`store.rules`)
RULES_TABLE = re.sub(r"\s+", " ", RULES_SCHEMA.replace("IF NOT EXISTS ", "")).strip()
# the instruments whose tables the d40fcfb code made (and the rules table): version 1, whether made new or
# found in a store made before versions were kept. Instruments added since (fixreport, with its
# fix_reports table) are recorded too; which instruments exist is not these tests' point
# (tests/test_store_instrument_tables.py lists them), so these are pinned as members, and an upgraded store
# must record exactly what a new one does.
HOUSE_VERSIONS = [("exam", 1), ("questioning", 1), ("questionnaire", 1), ("standards_rules", 1)]


def schema_6(old: dict[str, str]) -> dict[str, str]:
    """The d40fcfb store's shapes as schema 6 changes them: resubmissions and withdrawn sources (columns added
    at the end), and the index that finds a response by its submission time."""
    out = dict(old)
    out["inspections"] = old["inspections"][:-1] + ", replaced_by TEXT, withdrawn_at TEXT)"
    out["sources"] = old["sources"][:-1] + ", withdrawn_at TEXT)"
    out["versions_by_submission"] = "CREATE INDEX versions_by_submission ON versions (submitted_at)"
    return out


def test_a_new_store_has_the_tables_the_d40fcfb_code_made(standards, tmp_path):
    old = store_d40fcfb(tmp_path / "old.sqlite")
    new = tmp_path / "new.sqlite"
    fill_as_the_fixture_was(standards, new, tmp_path / "work")
    made = shapes(new)
    # every table, view and index of the d40fcfb store, as schema 6 changed them, plus the two added since
    # for every store; tables of instruments added later (fix_reports, fix_reports_by_action) are there too,
    # but the store-tables test pins those: here the old ones must be in a new store exactly as they were
    kept = {**schema_6(shapes(old)), "instrument_versions": VERSIONS_TABLE, "standards_rules": RULES_TABLE}
    assert {name: made.get(name) for name in kept} == kept
    assert "fix_reports" in made and "fix_reports" not in kept   # a later instrument's table, not the old code's
    recorded = rows(new, "SELECT * FROM instrument_versions ORDER BY 1")
    assert [row for row in recorded if row in HOUSE_VERSIONS] == HOUSE_VERSIONS
    run_ingest([file_source(DATA / "exam/quiz-zh-CN.csv", "exam-2026Q4")], standards=standards, db_path=old,
               instruments=INSTRUMENTS)
    assert shapes(old) == made                 # upgraded in place: the same tables as a new store
    assert rows(old, "SELECT * FROM instrument_versions ORDER BY 1") == recorded


@pytest.mark.parametrize("version", [1, 2, 3, 4])
def test_stores_of_every_older_schema_upgrade_to_the_tables_of_a_new_one(standards, tmp_path, version):
    new = tmp_path / "new.sqlite"
    fill_as_the_fixture_was(standards, new, tmp_path / "work")
    old = legacy_store(tmp_path / "old.sqlite", version)
    conn = sqlite3.connect(old)
    conn.execute("INSERT INTO ingest_log (started_at, finished_at, report) VALUES ('a', 'b', '{}')")
    conn.commit()
    conn.close()
    fill_as_the_fixture_was(standards, old, tmp_path / "work")
    assert shapes(old) == shapes(new)
    recorded = rows(old, "SELECT * FROM instrument_versions ORDER BY 1")
    assert recorded == rows(new, "SELECT * FROM instrument_versions ORDER BY 1")
    assert [row for row in recorded if row in HOUSE_VERSIONS] == HOUSE_VERSIONS
    assert rows(old, "SELECT report FROM ingest_log ORDER BY id LIMIT 1") == [("{}",)]
    assert everything_read(old) == everything_read(new)
