"""Dates, duplicates and sources at ingest: what a typo, a resubmission, a re-saved file, a day-first
export, a wrong exam quarter, a wrong import or a practice run can no longer do to the results.

Every test runs the real `handbook` CLI (click's CliRunner on `generator.cli.main`) on a real SQLite
store, and checks the exit code, the exact message, what the store holds and the published figures.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.ingest import read_inspections, read_quarantine
from generator.results.publish import quality_rows
from generator.results.report_pages import build_results_and_overview
from generator.standards import require_standards

from conftest import ROOT, STANDARDS

EXAMPLE = ROOT / "forms" / "examples" / "daily-patrol.csv"
TIME, PROJECT, ROLE, INSPECTOR, DATE = range(5)


@pytest.fixture(scope="module")
def standards():
    return require_standards(STANDARDS)


def handbook(*args, input=None):
    return CliRunner().invoke(main, list(args), input=input)


def ingest(tmp_path, *args):
    """`handbook ingest …` with the real standards and no forms lock."""
    return handbook("ingest", *args, "--lock", str(tmp_path / "no-lock.yaml"), "--standards", str(STANDARDS))


def example_rows() -> list[list[str]]:
    return list(csv.reader(io.StringIO(EXAMPLE.read_text(encoding="utf-8"), newline="")))


def write_rows(path: Path, rows: list[list], encoding: str = "utf-8") -> Path:
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(out.getvalue(), encoding=encoding)
    return path


def day_of(cell: str) -> dt.date:
    """The day of a zh-CN export's timestamp (`2026-9-14 上午09:07:41`)."""
    y, m, d = map(int, cell.split()[0].split("-"))
    return dt.date(y, m, d)


def error_line(result) -> str:
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    return lines[0]


def count(db: Path, sql: str, *args):
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, args).fetchone()[0]
    finally:
        conn.close()


# ---------------------------------------------------------------- 1. implausible 检查日期

def test_implausible_inspection_dates_are_quarantined_and_the_data_ends_at_the_last_submission(standards, tmp_path):
    header, *rows = example_rows()
    rows = [r for r in rows if day_of(r[TIME]) <= dt.date(2026, 10, 4)]   # a Monday-morning file: to 10-04
    last_typed = [k for k, r in enumerate(rows) if r[DATE] == "2026-10-4"][-1]
    rows[last_typed][DATE] = "2026-11-4"        # a month typo
    year_typo = next(k for k, r in enumerate(rows) if r[DATE] == "2026-9-20")
    rows[year_typo][DATE] = "2025-9-20"         # a year typo
    late = next(k for k, r in enumerate(rows) if r[DATE] == "2026-10-1")
    rows[late][DATE] = "2026-9-1"               # a paper sheet keyed in 30 days late: within late_entry_days
    path = write_rows(tmp_path / "daily-patrol.csv", [header, *rows])
    db = tmp_path / "s.sqlite"

    result = ingest(tmp_path, "--file", str(path), "--checklist", "daily-patrol", "--store", str(db))

    assert result.exit_code == 0, result.output
    assert (f"第 {last_typed + 2} 行：检查日期 2026-11-04（提交于 2026-10-04）晚于提交日期超过 1 天："
            "请核对检查日期（年份、月份）后在表格中改正") in result.output
    assert (f"第 {year_typo + 2} 行：检查日期 2025-09-20（提交于 2026-09-20，相隔 365 天，补录期限 31 天）"
            "早于提交日期超过补录期限") in result.output
    assert "隔离原因：检查日期晚于提交日期 1，检查日期早于补录期限 1" in result.output
    stored = read_inspections(db)
    assert len(stored) == len(rows) - 2
    assert {i.date for i in stored} >= {dt.date(2026, 9, 1)}          # the late sheet counts on its own day
    assert max(i.date for i in stored) == dt.date(2026, 10, 4)
    quarantined = {(q.row_number, q.reason_code) for q in read_quarantine(db)}
    assert quarantined == {(last_typed + 2, "date_after_submission"), (year_typo + 2, "date_too_old")}

    quality, unmapped = quality_rows(db)
    files, _ = build_results_and_overview(standards, stored, quarantine=quality, unmapped=unmapped,
                                          today=dt.date(2026, 10, 5))
    assert "数据截至 2026-10-04" in files["results/index.md"]
    page = files["results/data-quality.md"]
    assert f"| {last_typed + 2} | 检查日期 | 检查日期晚于提交日期 |" in page
    assert f"| {year_typo + 2} | 检查日期 | 检查日期早于补录期限 |" in page
    assert "2026-11-04" not in page and "2025-09-20" not in page   # the cell's value is not published


def test_the_late_entry_window_is_a_setting(standards_dir, tmp_path):
    org = standards_dir / "organisation.yaml"
    text = org.read_text(encoding="utf-8")
    assert "late_entry_days: 31\n" in text
    org.write_text(text.replace("late_entry_days: 31\n", "late_entry_days: 366\n"), encoding="utf-8")
    header, *rows = example_rows()
    rows = rows[:20]
    rows[3][DATE] = "2025-9-14"
    path = write_rows(tmp_path / "daily-patrol.csv", [header, *rows])
    db = tmp_path / "s.sqlite"
    result = handbook("ingest", "--file", str(path), "--checklist", "daily-patrol", "--store", str(db),
                      "--lock", str(tmp_path / "no-lock.yaml"), "--standards", str(standards_dir))
    assert result.exit_code == 0, result.output
    assert count(db, "SELECT count(*) FROM inspections") == 20
    assert count(db, "SELECT count(*) FROM quarantine") == 0


# ---------------------------------------------------------------- 4. day-first dates, decided per file

def zh_time(cell: str) -> dt.datetime:
    """A zh-CN export's timestamp (`2026-9-14 下午01:07:41`) as a naive date-time."""
    day, clock = cell.split()
    hour, minute, second = map(int, clock[2:].split(":"))
    if clock.startswith("下午") and hour < 12:
        hour += 12
    return dt.datetime.combine(day_of(cell), dt.time(hour, minute, second))


def en_gb(rows: list[list[str]]) -> list[list[str]]:
    """The rows as an en-GB export writes them: 05/11/2026 09:07:41, dates 05/11/2026."""
    out = []
    for r in rows:
        r = list(r)
        y, m, d = map(int, r[DATE].split("-"))
        r[TIME] = zh_time(r[TIME]).strftime("%d/%m/%Y %H:%M:%S")
        r[DATE] = f"{d:02}/{m:02}/{y}"
        out.append(r)
    return out


def test_day_first_dates_are_read_from_the_whole_file_and_an_ambiguous_file_is_refused(tmp_path):
    header, *rows = example_rows()
    november = [r for r in rows if day_of(r[TIME]).month == 11]
    gb = write_rows(tmp_path / "gb.csv", [header, *en_gb(november)])
    db = tmp_path / "s.sqlite"

    result = ingest(tmp_path, "--file", str(gb), "--checklist", "daily-patrol", "--store", str(db))

    assert result.exit_code == 0, result.output
    stored = read_inspections(db)
    assert len(stored) == len(november)
    assert {(i.date.year, i.date.month) for i in stored} == {(2026, 11)}          # none moved to other months
    assert sorted(i.submitted_at.replace(tzinfo=None) for i in stored) == sorted(zh_time(r[TIME]) for r in november)

    early = [r for r in november if day_of(r[TIME]).day <= 12]       # 01/11 … 12/11: read either way
    ambiguous = write_rows(tmp_path / "early.csv", [header, *en_gb(early)])
    db2 = tmp_path / "s2.sqlite"
    result = ingest(tmp_path, "--file", str(ambiguous), "--checklist", "daily-patrol", "--store", str(db2))
    assert result.exit_code == 1
    first = en_gb(early)[0][TIME]
    assert error_line(result) == (
        f"错误：{ambiguous} 中的日期（如“{first}”）既可读作日/月/年，也可读作月/日/年，无法判断；本次未写入任何内容。"
        "请用 --date-order dmy（日/月/年）、--date-order mdy（月/日/年）或 --date-order ymd（年/月/日）指明该文件的日期顺序。")
    assert not db2.exists()

    result = ingest(tmp_path, "--file", str(ambiguous), "--checklist", "daily-patrol", "--store", str(db2),
                    "--date-order", "dmy")
    assert result.exit_code == 0, result.output
    stored = read_inspections(db2)
    assert len(stored) == len(early)
    assert {i.date for i in stored} == {day_of(r[TIME]) for r in early}
    assert {(i.date.year, i.date.month) for i in stored} == {(2026, 11)}

    mixed = tmp_path / "mixed.csv"
    rows_mixed = en_gb(november[-3:])
    rows_mixed[1][TIME] = zh_time(november[-2][TIME]).strftime("%m/%d/%Y %H:%M:%S")   # month first
    write_rows(mixed, [header, *rows_mixed])
    result = ingest(tmp_path, "--file", str(mixed), "--checklist", "daily-patrol", "--store", str(db2))
    assert result.exit_code == 1
    assert error_line(result).startswith(f"错误：{mixed} 中的日期顺序前后不一致：“{rows_mixed[0][TIME]}”只能是日/月/年，"
                                         f"“{rows_mixed[1][TIME]}”只能是月/日/年；本次未写入任何内容。")
    assert count(db2, "SELECT count(*) FROM inspections") == len(early)


# ---------------------------------------------------------------- 5. an exam filed under the wrong quarter

def test_exam_answers_outside_the_quarter_are_refused_naming_the_quarter_they_fit(tmp_path):
    quiz = ROOT / "forms" / "examples" / "exam-2026Q4.csv"
    db = tmp_path / "s.sqlite"
    result = ingest(tmp_path, "--file", str(quiz), "--checklist", "exam-2031Q1", "--store", str(db))
    assert result.exit_code == 1
    assert error_line(result) == (
        f"错误：文件 {quiz} 第 2 行的答卷提交于 2026-11-19，不在考试 exam-2031Q1（2031 年第一季度，前后宽限 31 天）之内，"
        "而在 2026 年第四季度；本次未写入任何内容。请改用 --checklist exam-2026Q4，或核对答卷的提交时间。")
    assert not db.exists()

    result = ingest(tmp_path, "--file", str(quiz), "--checklist", "exam-2026Q3", "--store", str(db))
    assert result.exit_code == 1                   # 2026-11-19 is 50 days after 2026Q3's last day
    assert "而在 2026 年第四季度" in error_line(result) and not db.exists()

    result = ingest(tmp_path, "--file", str(quiz), "--checklist", "exam-2026Q4", "--store", str(db))
    assert result.exit_code == 0, result.output
    assert count(db, "SELECT count(*) FROM exam_responses WHERE exam = 'exam-2026Q4' AND quarter = '2026Q4'") == 75
