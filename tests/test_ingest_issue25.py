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
    org.write_text(org.read_text(encoding="utf-8") + "late_entry_days: 366\n", encoding="utf-8")
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
