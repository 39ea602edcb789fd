"""Exported files: every locale and encoding to the same inspections; bad rows quarantined, never lost."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from zoneinfo import ZoneInfo

import pytest

from generator.errors import HandbookError
from generator.ingest import file_source, run_ingest
from generator.store import read_inspections, read_quarantine, read_unmapped_columns
from generator.ingest.values import parse_datetime
from generator.standards import require_standards
from generator.instruments import INSTRUMENTS

from conftest import ROOT
from ingest_helpers import FIXTURE_ITEMS, old_form_lock

DATA = ROOT / "tests" / "data" / "ingest"
FIXTURES = sorted(DATA.glob("daily-patrol.*.csv"))
SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module")
def standards():
    return require_standards(ROOT / "standards", instruments=INSTRUMENTS)


def ingest(standards, db, *paths, checklist="daily-patrol", **kw):
    # the hand-made exports come from an older form that asked five items: the lock records it
    kw.setdefault("lock", old_form_lock(*FIXTURE_ITEMS))
    return run_ingest([file_source(p, checklist) for p in paths], standards=standards, db_path=db,
                      **{"instruments": INSTRUMENTS, **kw})


ONE_ITEM = old_form_lock("4.2.1.1-a")    # the form of HEADER below


def as_comparable(inspections):
    return sorted((i.id, i.project, i.role, i.inspector, i.date, i.submitted_at, i.findings, i.corrected, i.notes)
                  for i in inspections)


@pytest.mark.parametrize("text, expected", [
    ("4/27/2021 11:02:10", dt.datetime(2021, 4, 27, 11, 2, 10)),
    ("2025-12-5 下午01:14:13", dt.datetime(2025, 12, 5, 13, 14, 13)),
    ("2026/4/25 下午3:57:31", dt.datetime(2026, 4, 25, 15, 57, 31)),
    ("2017/06/14 1:34:49 下午 GMT+8", dt.datetime(2017, 6, 14, 13, 34, 49)),
    ("2017/06/14 1:34:49 PM GMT+8", dt.datetime(2017, 6, 14, 13, 34, 49)),
    ("2026/4/25 上午12:01:00", dt.datetime(2026, 4, 25, 0, 1)),
    ("2026/4/25 下午12:01:00", dt.datetime(2026, 4, 25, 12, 1)),
    (43831.5, dt.datetime(2020, 1, 1, 12, 0)),
    # Google's zh-CN export (read by a shorter pattern first): noon and midnight, one-digit hours, a year's end
    ("2026-1-5 上午12:00:00", dt.datetime(2026, 1, 5, 0, 0)),
    ("2026-1-5 下午12:07:41", dt.datetime(2026, 1, 5, 12, 7, 41)),
    ("2026-01-05 上午9:07:41", dt.datetime(2026, 1, 5, 9, 7, 41)),
    ("2026-12-31 下午11:59:59", dt.datetime(2026, 12, 31, 23, 59, 59)),
    ("2026-1-5 上午09:07", dt.datetime(2026, 1, 5, 9, 7)),       # seconds dropped by a re-save
])
def test_every_locale_time_format(text, expected):
    assert parse_datetime(text, SH, SH) == expected.replace(tzinfo=SH)


@pytest.mark.parametrize("text", ["2026-1-5 下午13:00:00", "2026-2-30 上午09:00:00"])
def test_a_zh_cn_export_time_that_cannot_be_is_refused(text):
    # 13 o'clock in the afternoon, 30 February
    with pytest.raises(ValueError):
        parse_datetime(text, SH, SH)


def test_forms_csv_offset_is_honoured():
    assert parse_datetime("2017/06/14 1:34:49 下午 GMT+0", SH, SH) == dt.datetime(2017, 6, 14, 21, 34, 49, tzinfo=SH)


def test_fixtures_cover_each_locale_and_encoding():
    names = {p.name for p in FIXTURES}
    assert {"daily-patrol.en-US.utf-8.csv", "daily-patrol.zh-CN.utf-8-sig.csv", "daily-patrol.zh-CN.gb18030.csv",
            "daily-patrol.zh-TW.utf-8.csv", "daily-patrol.forms.utf-8.csv"} <= names
    assert (DATA / "daily-patrol.zh-CN.utf-8-sig.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    with pytest.raises(UnicodeDecodeError):
        (DATA / "daily-patrol.zh-CN.gb18030.csv").read_bytes().decode("utf-8")


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_each_export_gives_the_same_inspections(standards, tmp_path, path):
    report = ingest(standards, tmp_path / "s.sqlite", path)
    total = report.total
    assert (total["read"], total["new"], total["quarantined"]) == (4, 4, 0), report.sources[0].quarantined_rows
    assert report.sources[0].unmapped_columns == ["检查方式"]
    got = as_comparable(read_inspections(tmp_path / "s.sqlite"))
    reference = tmp_path / "ref.sqlite"
    ingest(standards, reference, DATA / "daily-patrol.zh-CN.utf-8.csv")
    assert got == as_comparable(read_inspections(reference))


def test_normalised_values(standards, tmp_path):
    ingest(standards, tmp_path / "s.sqlite", DATA / "daily-patrol.en-US.utf-8.csv")
    by_name = {i.inspector: i for i in read_inspections(tmp_path / "s.sqlite")}
    zhang = by_name["张伟"]
    assert zhang.project == "wutong" and zhang.role == "cs_supervisor" and zhang.checklist == "daily-patrol"
    assert zhang.submitted_at == dt.datetime(2026, 11, 16, 9, 12, 5, tzinfo=SH)
    assert zhang.submitted_at.tzinfo is not None and zhang.date == dt.date(2026, 11, 16)
    # header with a line break, grid column [4.2.2.1-x1 …]
    assert zhang.findings == {"4.2.1.1-a": 0, "4.2.1.2-a": 2, "4.2.1.2-d": 0, "4.2.2.1-x1": 0, "4.2.2.1-x4": 0}
    assert zhang.corrected == {"4.2.1": True} and zhang.notes == {"4.2.1": "地面有水渍，已通知保洁"}
    li = by_name["李娜"]
    assert li.findings["4.2.1.1-a"] is None and li.findings["4.2.2.1-x1"] == 1   # 不适用 -> None
    assert li.corrected == {"4.2.2": False}
    wang = by_name["王强"]
    assert wang.project == "binjiang" and wang.date == dt.date(2026, 11, 16)   # project given by id
    assert wang.submitted_at == dt.datetime(2026, 11, 17, 0, 30, tzinfo=SH)
    assert wang.notes["4.2.1"] == 'Said "ok, later", then left'
    assert by_name["陈静"].submitted_at.hour == 12
    assert all("@" not in i.inspector for i in by_name.values())


def test_xlsx_export(standards, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    rows = list(csv.reader(io.StringIO((DATA / "daily-patrol.zh-CN.utf-8.csv").read_text("utf-8"), newline="")))
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "表单回复 1"
    sheet.append(rows[0])
    for row in rows[1:]:  # the timestamp as a real date-time cell, as Sheets' XLSX download has it
        sheet.append([parse_datetime(row[0], SH, SH).replace(tzinfo=None)] + row[1:])
    book.save(tmp_path / "responses.xlsx")
    ingest(standards, tmp_path / "x.sqlite", tmp_path / "responses.xlsx")
    ingest(standards, tmp_path / "c.sqlite", DATA / "daily-patrol.zh-CN.utf-8.csv")
    assert (as_comparable(read_inspections(tmp_path / "x.sqlite"))
            == as_comparable(read_inspections(tmp_path / "c.sqlite")))


HEADER = "时间戳记,项目,角色,检查人,检查日期,4.2.1.1-a 办公区物品与桌面整洁,问题说明（4.2.1 服务场景）,备注\n"
GOOD = "2026-11-20 上午09:00:00,梧桐苑,客服主管,张伟,2026-11-20,符合,,\n"
HOSTILE = {
    "unknown_project": "2026-11-20 上午09:01:00,不存在小区,客服主管,张伟,2026-11-20,符合,,\n",
    "bad_time": "昨天上午,梧桐苑,客服主管,张伟,2026-11-20,符合,,\n",
    "bad_date": "2026-11-20 上午09:02:00,梧桐苑,客服主管,张伟,2026-13-45,符合,,\n",
    "not_an_option": "2026-11-20 上午09:03:00,梧桐苑,客服主管,张伟,2026-11-20,还行吧,,\n",
    "unanswered": "2026-11-20 上午09:04:00,梧桐苑,客服主管,张伟,2026-11-20,,,\n",
    "role_not_on_checklist": "2026-11-20 上午09:05:00,梧桐苑,客户关系部,张伟,2026-11-20,符合,,\n",
    "too_long": "2026-11-20 上午09:06:00,梧桐苑,客服主管,张伟,2026-11-20,符合," + "长" * 20000 + ",\n",
    "email_as_name": "2026-11-20 上午09:07:00,梧桐苑,客服主管,boss@example.com,2026-11-20,符合,,\n",
    "missing_answer": "2026-11-20 上午09:08:00,,客服主管,张伟,2026-11-20,符合,,\n",
    "unknown_role": "2026-11-20 上午09:09:00,梧桐苑,保安,张伟,2026-11-20,符合,,\n",
    "duplicate": GOOD,
}
# text is data: a note that looks like a formula or holds HTML is kept as typed, the row scored
# (patrols over an hour apart: within the hour they would be one patrol submitted again)
AS_TYPED = {
    '=HYPERLINK("http://evil","x")':
        '2026-11-20 上午10:10:00,梧桐苑,客服主管,张伟,2026-11-20,符合,"=HYPERLINK(""http://evil"",""x"")",\n',
    "<script>alert(1)</script>": "2026-11-20 上午11:11:00,梧桐苑,客服主管,张伟,2026-11-20,符合,<script>alert(1)"
                                 "</script>,\n",
}


def test_hostile_rows_are_quarantined_with_reasons_and_the_rest_stored(standards, tmp_path):
    path = tmp_path / "hostile.csv"
    path.write_text(HEADER + GOOD + "".join(HOSTILE.values()) + "".join(AS_TYPED.values())
                    + "2026-11-20 下午03:00:00,兰亭雅居,项目经理,李娜,2026-11-20,不符合 1 处,温度<20度,带伞\n",
                    encoding="utf-8")
    db = tmp_path / "s.sqlite"
    report = ingest(standards, db, path, lock=ONE_ITEM)
    s = report.sources[0]
    assert s.read == 15 and s.new == 4 and s.quarantined == 11
    assert s.reasons == {code: 1 for code in HOSTILE}
    assert s.read == s.new + s.edited + s.unchanged + s.quarantined
    assert s.unmapped_columns == ["备注"]
    stored = read_inspections(db)
    assert sorted(i.inspector for i in stored) == ["张伟", "张伟", "张伟", "李娜"]
    assert next(i for i in stored if i.inspector == "李娜").notes == {"4.2.1": "温度<20度"}
    assert sorted(i.notes.get("4.2.1", "") for i in stored if i.inspector == "张伟") == ["", *sorted(AS_TYPED)]
    quarantined = read_quarantine(db)
    assert sorted(q.reason_code for q in quarantined) == sorted(HOSTILE)
    assert {q.row_number for q in quarantined} == set(range(3, 14))
    assert all(q.source == "hostile.csv" and q.first_seen_at.tzinfo for q in quarantined)
    by_code = {q.reason_code: q.reason for q in quarantined}
    assert by_code["unanswered"] == "未答：4.2.1.1-a"
    assert by_code["role_not_on_checklist"] == "角色“客户关系部”不使用此检查表"
    assert by_code["unknown_role"] == "未知角色“保安”"
    assert [(u.column, u.position) for u in read_unmapped_columns(db)] == [("备注", 8)]
    # a second run changes nothing and counts the same
    again = ingest(standards, db, path, lock=ONE_ITEM).sources[0]
    assert (again.new, again.unchanged, again.quarantined) == (0, 4, 11)
    assert len(read_quarantine(db)) == 11


def test_undecodable_and_missing_files_are_one_line_errors(standards, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"\x81\x30\xff\xfe\x00\x80" * 3)
    with pytest.raises(HandbookError, match="不是 UTF-8 或 GB18030 文本"):
        ingest(standards, tmp_path / "s.sqlite", bad)
    with pytest.raises(HandbookError, match="找不到文件"):
        ingest(standards, tmp_path / "s.sqlite", tmp_path / "nope.csv")
    assert not (tmp_path / "s.sqlite").exists() or read_inspections(tmp_path / "s.sqlite") == []


def test_quarantined_rows_fixed_or_deleted_in_the_source_are_resolved(standards, tmp_path):
    from generator.results.report_pages import build_results
    from generator.results.publish import quality_rows

    path = tmp_path / "hostile.csv"
    bad = [HOSTILE["unknown_project"], HOSTILE["bad_date"], HOSTILE["unknown_role"]]
    path.write_text(HEADER + GOOD + "".join(bad), encoding="utf-8")
    db = tmp_path / "s.sqlite"
    first = ingest(standards, db, path, lock=ONE_ITEM)
    assert first.total["quarantined"] == 3 and (first.resolved, first.reopened) == (0, 0)
    assert len(read_quarantine(db)) == 3

    # the sheet is fixed: the unknown project corrected in place, the bad date row deleted
    fixed = bad[0].replace("不存在小区", "兰亭雅居")
    path.write_text(HEADER + GOOD + fixed + bad[2], encoding="utf-8")
    second = ingest(standards, db, path, lock=ONE_ITEM)
    assert second.total["new"] == 1 and second.total["quarantined"] == 1
    assert (second.resolved, second.reopened) == (2, 0)
    still = read_quarantine(db)
    assert [q.reason_code for q in still] == ["unknown_role"] and still[0].resolved_at is None
    every = read_quarantine(db, include_resolved=True)
    assert len(every) == 3                                            # nothing is forgotten
    assert {q.reason_code for q in every if q.resolved_at} == {"unknown_project", "bad_date"}
    assert json.loads(json.dumps(second.to_dict()))["quarantine"] == {"resolved": 2, "reopened": 0}

    # another source read in a run settles nothing of this one
    other = tmp_path / "other.csv"
    other.write_text(HEADER + GOOD.replace("09:00:00", "10:00:00"), encoding="utf-8")
    assert ingest(standards, db, other, lock=ONE_ITEM).resolved == 0
    assert len(read_quarantine(db)) == 1

    # the deleted bad row comes back as it was: quarantined again, open again
    path.write_text(HEADER + GOOD + fixed + bad[2] + bad[1], encoding="utf-8")
    third = ingest(standards, db, path, lock=ONE_ITEM)
    assert (third.resolved, third.reopened) == (0, 1)
    assert sorted(q.reason_code for q in read_quarantine(db)) == ["bad_date", "unknown_role"]

    # the data-quality page lists the open rows, and the resolved ones apart
    quarantine, unmapped = quality_rows(db)
    page = build_results(standards, read_inspections(db), quarantine=quarantine,
                         unmapped=unmapped)["results/data-quality.md"]
    assert "## 隔离的行（2）" in page and "### 已解决的行（1）" in page
    lines = page.splitlines()
    table = lines.index("| 来源 | 行 | 列 | 原因 | 隔离时间 | 解决时间 |")
    assert lines[table - 1] == "" and lines[table + 2].count("|") == 7   # a Markdown table, its own block
    open_part, resolved_part = page.split("### 已解决的行")
    assert "未知项目" in resolved_part.split("## 未对应的列")[0] and "未知项目" not in open_part
    csv_text = build_results(standards, [], quarantine=quarantine, unmapped=unmapped)["results/csv/quarantine.csv"]
    assert csv_text.count("\r\n") == 3                                # header + the two open rows
