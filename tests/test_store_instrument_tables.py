"""Each instrument's store tables: declared by the instrument, created and upgraded by the store it is given to.

`store.migrate_instruments` keeps one version per instrument (`instrument_versions`): a new store
gets the newest tables at once, an older one runs the instrument's steps, and a store the code cannot
read is refused with one line, the file left as it was.
"""

from __future__ import annotations

import hashlib
import sqlite3

import pytest

from generator.errors import StoreError
from generator import store
from generator.instruments import INSTRUMENTS
from generator.instruments.base import Instrument

V1 = "CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL)"
V2 = "CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL, author TEXT NOT NULL DEFAULT '')"


class NotesV1(Instrument):
    id = "notes"
    store_tables = ("notes",)
    store_schema = V1


class NotesV2(NotesV1):
    store_schema = V2
    store_migrations = {2: "ALTER TABLE notes ADD COLUMN author TEXT NOT NULL DEFAULT ''"}


class TwoTables(Instrument):
    id = "pair"
    store_tables = ("pair_a", "pair_b")
    store_schema = "CREATE TABLE IF NOT EXISTS pair_a (x); CREATE TABLE IF NOT EXISTS pair_b (y)"


def write(db, instruments, *statements):
    conn = store.connect(db, instruments=instruments)
    try:
        store.begin(conn, db, instruments)
        for statement in statements:
            conn.execute(statement)
        conn.execute("COMMIT")
    finally:
        conn.close()


def rows(db, sql):
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def digest(db) -> str:
    return hashlib.sha256(db.read_bytes()).hexdigest()


def test_the_house_instruments_declare_exactly_the_tables_their_schema_makes():
    conn = sqlite3.connect(":memory:")
    conn.executescript(store.SCHEMA)
    for instrument in INSTRUMENTS:
        before = {n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        conn.executescript(instrument.store_schema)
        after = {n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert sorted(after - before) == sorted(instrument.store_tables), instrument.id
    conn.close()
    declared = {i.id: i.store_tables for i in INSTRUMENTS}
    assert {i: declared[i] for i in ("patrol", "questionnaire", "exam", "questioning", "fixreport")} == {
        "patrol": (), "questionnaire": ("survey_responses", "survey_answers"),
        "exam": ("exam_responses", "exam_answers"), "questioning": ("questioning_answers",),
        "fixreport": ("fix_reports",)}
    # no table is two instruments', nor the store's own: each instrument's rows stay its own
    owned = [t for tables in declared.values() for t in tables]
    assert len(owned) == len(set(owned)) and not set(owned) & store.OWN_TABLES


def test_a_new_store_gets_the_newest_tables_without_running_the_steps(tmp_path):
    db = tmp_path / "s.sqlite"
    # the step would fail on the newest table (the column exists): it is not run
    write(db, [NotesV2()], "INSERT INTO notes (text, author) VALUES ('x', '李娜')")
    assert rows(db, "SELECT instrument, version FROM instrument_versions") == [("notes", 2)]
    assert rows(db, "SELECT text, author FROM notes") == [("x", "李娜")]


def test_an_older_instrument_table_is_upgraded_in_place_and_keeps_its_rows(tmp_path):
    db = tmp_path / "s.sqlite"
    write(db, [NotesV1()], "INSERT INTO notes (text) VALUES ('x')")
    assert rows(db, "SELECT instrument, version FROM instrument_versions") == [("notes", 1)]
    write(db, [NotesV2()])
    assert rows(db, "SELECT instrument, version FROM instrument_versions") == [("notes", 2)]
    assert rows(db, "SELECT id, text, author FROM notes") == [(1, "x", "")]
    write(db, [NotesV2()])                         # once only
    assert rows(db, "SELECT instrument, version FROM instrument_versions") == [("notes", 2)]


def test_an_instrument_not_given_keeps_its_tables_and_gets_them_when_given(tmp_path):
    db = tmp_path / "s.sqlite"
    write(db, [])
    assert rows(db, "SELECT name FROM sqlite_master WHERE name IN ('notes', 'instrument_versions')") == []
    write(db, [NotesV1()], "INSERT INTO notes (text) VALUES ('x')")
    write(db, [])
    assert rows(db, "SELECT text FROM notes") == [("x",)]


def test_tables_of_a_newer_handbook_are_refused_and_the_store_left_alone(tmp_path):
    db = tmp_path / "s.sqlite"
    write(db, [NotesV2()])
    before = digest(db)
    with pytest.raises(StoreError) as raised:
        write(db, [NotesV1()])
    assert str(raised.value) == (f"{db} 由更新版本的 handbook 写入（数据库版本 notes 2，本程序只支持到 1）："
                                 "升级 handbook 后再运行。")
    assert digest(db) == before


def test_some_of_an_instruments_tables_without_the_others_is_a_damaged_store(tmp_path):
    db = tmp_path / "s.sqlite"
    write(db, [], "CREATE TABLE pair_a (x)")
    before = digest(db)
    with pytest.raises(StoreError) as raised:
        write(db, [TwoTables()])
    assert str(raised.value) == f"数据库 {db} 已损坏：从备份恢复该文件，或改用新的 --store 重新导入。"
    assert digest(db) == before
    assert rows(db, "SELECT name FROM sqlite_master WHERE name = 'instrument_versions'") == []
