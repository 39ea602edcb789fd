"""The ingest shell: quarantine kept as data (message, fields, column) for every instrument, rendered from the
catalogue on the data-quality page; a store whose quarantine rows are text only shows them as it did."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import sqlite3

import pytest

from generator.errors import HandbookError
from generator.ingest.run import file_source, run_ingest
from generator.instruments import INSTRUMENTS
from generator.results.publish import quality_rows
from generator.standards import require_standards

from conftest import ROOT

UNKNOWN, BAD = "火星小区", "胡乱的答案"


def _damaged(path) -> None:
    """Damage rows 3 (time), 4 (project) and 6 (an answer) of an export, and repeat row 5 after it."""
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    body[1][0] = "not a time"
    body[2][header.index("项目")] = UNKNOWN
    body.insert(4, list(body[3]))
    body[5][len(header) // 2] = BAD
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows([header, *body])
    path.write_text(out.getvalue(), encoding="utf-8")


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("shell")
    standards = require_standards(ROOT / "standards", instruments=INSTRUMENTS)
    files = {}
    for instrument in INSTRUMENTS:
        files.update(instrument.simulate_responses(standards, tmp / "responses", start=dt.date(2026, 11, 9),
                                                   end=dt.date(2026, 11, 22), seed=7))
    for path in files.values():
        _damaged(path)
    db = tmp / "store.sqlite"
    report = run_ingest([file_source(p, form) for form, p in files.items()], standards=standards, db_path=db,
                        instruments=INSTRUMENTS)
    return db, {s.checklist: s for s in report.sources}


def test_every_instrument_quarantines_through_the_shell_as_data(store):
    db, sources = store
    assert sorted(sources) == sorted(["daily-patrol", "crd-spot-check", "customer-survey", "exam-2026Q4",
                                      "fix-report"])
    for form, source in sources.items():
        assert {"bad_time", "unknown_project", "duplicate"} <= set(source.reasons), form
    conn = sqlite3.connect(db)
    rows = conn.execute("""SELECT s.checklist, q.row_number, q.reason_code, q.reason, d.message, d.fields, d.column_name
                           FROM quarantine q JOIN sources s ON s.id = q.source_id
                           LEFT JOIN quarantine_reasons d ON d.quarantine_id = q.id""").fetchall()
    conn.close()
    assert all(message is not None for *_, message, _, _ in rows)   # every row has its reason as data
    by = {(form, code): (number, reason, message, json.loads(fields), column)
          for form, number, code, reason, message, fields, column in rows}
    assert by["daily-patrol", "unknown_project"] == (4, f"未知项目“{UNKNOWN}”", "I301", {"value": UNKNOWN}, "项目")
    assert by["daily-patrol", "bad_time"] == (3, "无法识别的提交时间“not a time”", "I304", {"value": "not a time"},
                                               "时间戳记")
    assert by["daily-patrol", "duplicate"] == (6, "与本次读取的“daily-patrol.csv”第 5 行完全相同（重复提交）", "I309",
                                                {"first": "“daily-patrol.csv”第 5 行"}, "")
    assert by["customer-survey", "duplicate"] == (6, "与本次读取的另一行完全相同（重复提交）", "I315", {}, "")
    assert by["fix-report", "unknown_project"][2:] == ("I301", {"value": UNKNOWN}, "项目")
    assert by["exam-2026Q4", "unknown_project"][2:] == ("I301", {"value": UNKNOWN}, "项目")


def test_the_page_renders_reasons_from_the_catalogue_without_the_cells(store):
    db, _ = store
    rows, _ = quality_rows(db, "Asia/Shanghai")
    shown = {(r.source.split(" · ")[0], r.where): (r.column, r.reason) for r in rows}
    assert shown["daily-patrol", "4"] == ("项目", "未知项目")
    assert shown["daily-patrol", "3"] == ("时间戳记", "提交时间无法识别")
    assert shown["customer-survey", "6"] == ("", "与本次读取的另一行完全相同（重复提交）")
    assert not [r for r in rows if UNKNOWN in r.reason + r.column or BAD in r.reason + r.column
                or "not a time" in r.reason + r.column]


def reasons_as_text_only(db, old) -> sqlite3.Connection:
    """A copy of the store at `old` as a store quarantined before reasons were kept as data (the text alone),
    open for more changes (the caller commits and closes)."""
    source = sqlite3.connect(db)
    copy = sqlite3.connect(old)
    source.backup(copy)
    source.close()
    copy.execute("DROP TABLE quarantine_reasons")
    copy.execute("DELETE FROM instrument_versions WHERE instrument = 'quarantine'")
    return copy


def test_an_old_stores_text_only_reasons_show_as_they_did(store, tmp_path):
    db, _ = store
    with_data, _ = quality_rows(db, "Asia/Shanghai")
    old = tmp_path / "old.sqlite"
    copy = reasons_as_text_only(db, old)
    copy.commit()
    copy.close()
    as_text, _ = quality_rows(old, "Asia/Shanghai")
    assert len(as_text) == len(with_data) > 0
    # the patrol checklists' reasons read the same either way
    patrol = [(a, b) for a, b in zip(with_data, as_text) if a.source.startswith(("daily-patrol", "crd-spot-check"))]
    assert len(patrol) >= 8
    assert all(a == b for a, b in patrol)


def test_reasons_no_longer_given_keep_their_catalogue_names_in_old_stores(store, tmp_path):
    """Older runs quarantined a note that looked like a formula or held HTML (`formula`, `markup`, text only):
    the page names the reason from the catalogue and never shows the cell."""
    db, _ = store
    old = tmp_path / "old.sqlite"
    copy = reasons_as_text_only(db, old)
    (first, second) = [n for (n,) in copy.execute(
        "SELECT q.row_number FROM quarantine q JOIN sources s ON s.id = q.source_id "
        "WHERE s.checklist = 'daily-patrol' ORDER BY q.row_number LIMIT 2")]
    copy.execute("UPDATE quarantine SET reason_code = 'formula', reason = '单元格像公式，可能是注入：=HYPERLINK(1)' "
                 "WHERE row_number = ? AND source_id = (SELECT id FROM sources WHERE checklist = 'daily-patrol')",
                 (first,))
    copy.execute("UPDATE quarantine SET reason_code = 'markup', reason = '文本含 HTML 或脚本：<b>王五</b>' "
                 "WHERE row_number = ? AND source_id = (SELECT id FROM sources WHERE checklist = 'daily-patrol')",
                 (second,))
    copy.commit()
    copy.close()
    rows, _ = quality_rows(old, "Asia/Shanghai")
    shown = {r.where: (r.column, r.reason) for r in rows if r.source.startswith("daily-patrol")}
    assert shown[str(first)] == ("", "疑似公式注入")
    assert shown[str(second)] == ("", "含 HTML 或脚本")
    assert not [r for r in rows if "HYPERLINK" in r.reason + r.column or "王五" in r.reason + r.column]


def test_a_checklist_export_is_read_by_the_patrol_instrument_alone(tmp_path):
    """The ingest stage has no checklist of its own: without the patrol instrument a checklist's export is an
    unknown form (nothing written, no store left behind); with it, every row is stored."""
    standards = require_standards(ROOT / "standards", instruments=INSTRUMENTS)
    example = ROOT / "forms" / "examples" / "daily-patrol.csv"
    db = tmp_path / "s.sqlite"
    others = [i for i in INSTRUMENTS if i.id != "patrol"]
    with pytest.raises(HandbookError) as refused:
        run_ingest([file_source(example, "daily-patrol")], standards=standards, db_path=db, instruments=others)
    assert refused.value.code == "C011" and "daily-patrol" in str(refused.value)
    assert not db.exists()
    rows = len(list(csv.reader(io.StringIO(example.read_text(encoding="utf-8-sig"))))) - 1
    report = run_ingest([file_source(example, "daily-patrol")], standards=standards, db_path=db,
                        instruments=INSTRUMENTS)
    assert (report.sources[0].read, report.sources[0].new) == (rows, rows)
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM inspections WHERE checklist = 'daily-patrol'").fetchone()[0] == rows
    conn.close()
