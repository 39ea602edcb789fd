"""A closed quarter's archived assessment (procedure 4.6.3: it decides rewards and penalties) follows a
withdrawal: `handbook sources withdraw` compares the closed quarters again in the same command and stores a
dated revision computed without the withdrawn source, the archived row staying as published; a withdrawal
that touches no closed quarter stores nothing; importing the source again is the same case in reverse.
Real CLI, real store, real standards (every day a working day). Figures worked out by hand:

  梧桐苑 (wutong), crd spot checks (checklist crd-spot-check, items of 4.2.1-4.2.4: 82 points in all)
    source "good.csv"  2026-09-16 10:00 every item 符合                   -> 82 / 82
    source "wrong.csv" 2026-09-18 10:00 4.2.1.1-a 不符合 1 处 (5 points, 1 per 处) -> 81 / 82;
                       the finding is due the next day (1 day) and nothing fixes it -> overdue in 2026Q3
    both:      计入检查 2 次, 得分率 163 / 164 = 99.39 -> 99.4%, 逾期整改 1 项
    good only: 计入检查 1 次, 得分率 82 / 82 = 100.0%,      逾期整改 0 项
  兰亭雅居 (lanting): source "recent.csv", one spot check yesterday (an open quarter, never closed by now).
"""
from __future__ import annotations

import datetime as dt
import json
import sqlite3
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from conftest import ROOT
from generator.cli import main
from generator.instruments import INSTRUMENTS
from generator.instruments.patrol import simulate as sim
from generator.results.archive import fingerprints
from generator.standards import require_standards

CHECKLIST = "crd-spot-check"
S = require_standards(ROOT / "standards", instruments=INSTRUMENTS)
TZ = ZoneInfo(S.organisation.timezone)
REVISED_3 = "2026 年第三季度的存档考核建议有 3 处变化，已记为一次修订（见该季度考核页面的“修订”）"


def spot(project: str, day: dt.date, found: dict[str, str] | None = None) -> sim.SimResponse:
    answers = {i.code: (found or {}).get(i.code, "符合") for i in S.checklist_items(CHECKLIST)}
    return sim.SimResponse(submitted_at=dt.datetime.combine(day, dt.time(10, 0), TZ), project=S.projects[project].name,
                           role=S.roles["crd"].name, inspector="测试员", date=day, answers=answers)


def write(folder, name: str, rows: list[sim.SimResponse]):
    return sim.write_csv(folder / name, sim.sheet_values(S, CHECKLIST, rows))


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def tables(store):
    with sqlite3.connect(store) as conn:
        archive = conn.execute("SELECT quarter, closed_on, archived_at, rows, amended_on FROM assessment_archive "
                               "ORDER BY quarter").fetchall()
        revisions = conn.execute("SELECT quarter, revised_on, rows, changes, reasons FROM assessment_revisions "
                                 "ORDER BY id").fetchall()
        fingerprint = dict(conn.execute("SELECT quarter, fingerprint FROM assessment_archive"))
    return archive, revisions, fingerprint


def source_id(store, title: str) -> int:
    with sqlite3.connect(store) as conn:
        return conn.execute("SELECT id FROM sources WHERE title = ?", (title,)).fetchone()[0]


def wutong(rows_json: str) -> dict:
    return next(a for a in json.loads(rows_json) if a["project"] == "wutong")


@pytest.fixture()
def archived(tmp_path):
    """A store whose 2026Q3 was archived from both Q3 sources; the recent source imported before."""
    store = tmp_path / "store.sqlite"
    lock = tmp_path / "no-lock.yaml"
    good = write(tmp_path, "good.csv", [spot("wutong", dt.date(2026, 9, 16))])
    wrong = write(tmp_path, "wrong.csv", [spot("wutong", dt.date(2026, 9, 18), {"4.2.1.1-a": "不符合 1 处"})])
    yesterday = dt.datetime.now(TZ).date() - dt.timedelta(days=1)
    recent = write(tmp_path, "recent.csv", [spot("lanting", yesterday)])
    first = run("ingest", "--store", store, "--lock", lock, "--checklist", CHECKLIST, "--file", recent)
    assert first.exit_code == 0, first.output
    assert "存档" not in first.output                       # no closed quarter in the data yet
    both = run("ingest", "--store", store, "--lock", lock, "--checklist", CHECKLIST, "--file", good, "--file", wrong)
    assert both.exit_code == 0, both.output
    assert "2026 年第三季度已结束，考核建议已存档（计入 2026-10-07 及以前录入的检查）" in both.output
    archive, revisions, _ = tables(store)
    [(quarter, _, _, rows, amended)] = [a for a in archive if a[0] == "2026Q3"]
    w = wutong(rows)
    assert (w["score"]["n"], w["score"]["earned"], w["score"]["possible"], w["overdue_actions"]) == (2, 163, 164, 1)
    assert revisions == [] and amended is None
    return dict(store=store, lock=lock, wrong=wrong, archive=archive)


@pytest.mark.parametrize("archived_days_ago", [0, 3], ids=["archived-today", "archived-earlier"])
def test_withdrawing_a_source_of_a_closed_quarter_stores_a_dated_revision_without_it(archived, archived_days_ago):
    """Archived earlier (the usual case) or the same day: a withdrawal is a revision either way, never an amended
    archive (amending is for the same session's other on-time exports)."""
    store = archived["store"]
    if archived_days_ago:
        with sqlite3.connect(store) as conn:
            earlier = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=archived_days_ago)
            conn.execute("UPDATE assessment_archive SET archived_at = ?", (earlier.isoformat(timespec="seconds"),))
        archived["archive"] = tables(store)[0]
    result = run("sources", "withdraw", source_id(store, "wrong.csv"), "--yes", "--store", store)
    assert result.exit_code == 0, result.output
    assert "已撤回来源" in result.output and "1 条记录不再计入结果" in result.output
    assert REVISED_3 in result.output                      # said at once, as an ingest says it
    archive, revisions, fingerprint = tables(store)
    assert archive == archived["archive"]                 # the archived row is kept as published
    [(quarter, revised_on, rows, found, reasons)] = revisions
    assert quarter == "2026Q3" and revised_on == dt.datetime.now(TZ).date().isoformat()
    assert json.loads(found) == [["wutong", "计入检查", "2 次", "1 次"], ["wutong", "得分率", "99.4%", "100.0%"],
                                 ["wutong", "逾期整改", "1 项", "0 项"]]
    w = wutong(rows)
    assert (w["score"]["n"], w["score"]["earned"], w["score"]["possible"], w["overdue_actions"]) == (1, 82, 82, 0)
    assert "梧桐苑：存档时计入的检查有 1 次已从来源删除或撤回" in json.loads(reasons)
    # compared now: the next ingest finds nothing new to store
    assert fingerprint["2026Q3"] == fingerprints(store, S, dt.datetime.now(TZ).date())["2026Q3"]
    again = run("ingest", "--store", store, "--lock", archived["lock"], "--checklist", CHECKLIST,
                "--file", archived["wrong"].with_name("recent.csv"))
    assert again.exit_code == 0, again.output
    assert "修订" not in again.output and len(tables(store)[1]) == 1


def test_withdrawing_a_source_without_rows_in_a_closed_quarter_stores_nothing(archived):
    store = archived["store"]
    before = tables(store)
    result = run("sources", "withdraw", source_id(store, "recent.csv"), "--yes", "--store", store)
    assert result.exit_code == 0, result.output
    assert "1 条记录不再计入结果" in result.output
    assert "修订" not in result.output and "存档" not in result.output
    assert tables(store) == before                         # archive, revisions and fingerprints untouched


def test_importing_a_withdrawn_source_again_revises_the_quarter_back(archived):
    store = archived["store"]
    assert run("sources", "withdraw", source_id(store, "wrong.csv"), "--yes", "--store", store).exit_code == 0
    again = run("ingest", "--store", store, "--lock", archived["lock"], "--checklist", CHECKLIST,
                "--file", archived["wrong"])
    assert again.exit_code == 0, again.output
    assert "本次重新导入" in again.output and REVISED_3 in again.output
    archive, revisions, _ = tables(store)
    assert archive == archived["archive"] and len(revisions) == 2
    assert json.loads(revisions[1][3]) == [["wutong", "计入检查", "1 次", "2 次"],
                                           ["wutong", "得分率", "100.0%", "99.4%"],
                                           ["wutong", "逾期整改", "0 项", "1 项"]]
    [q3] = [rows for quarter, _, _, rows, _ in archive if quarter == "2026Q3"]
    assert wutong(revisions[1][2]) == wutong(q3)            # back to the figures first archived


def test_an_archive_compared_the_old_way_is_compared_once_and_gets_no_revision_when_nothing_changed(archived):
    """A store upgraded from fingerprints without the withdrawn state: its first ingest assesses the closed
    quarters again (their fingerprints differ) and stores the new fingerprints, but no revision."""
    store = archived["store"]
    old = "2f1ae69fb0cf2574/2026-09-16/2/3/0/r0.0.0"      # the old format: rules/first/n/newest/gone/reports
    with sqlite3.connect(store) as conn:
        conn.execute("UPDATE assessment_archive SET fingerprint = ?", (old,))
    result = run("ingest", "--store", store, "--lock", archived["lock"], "--checklist", CHECKLIST,
                 "--file", archived["wrong"].with_name("recent.csv"))
    assert result.exit_code == 0, result.output
    archive, revisions, fingerprint = tables(store)
    assert "修订" not in result.output and revisions == [] and archive == archived["archive"]
    assert fingerprint["2026Q3"] == fingerprints(store, S, dt.datetime.now(TZ).date())["2026Q3"] != old


def test_withdrawing_a_fix_report_source_takes_its_reports_out_and_revises_the_quarter(tmp_path):
    """A fix report (整改反馈) decides whether an action was late: withdrawing the source it came from takes it
    out of the results (the source lists 已撤回, the report no longer counts) and the closed quarter that
    counted it gets its revision. 梧桐苑's 4.2.1.1-a found 2026-09-18 is reported fixed that day (18:00,
    on time: 逾期整改 0 项); without the report nothing fixes it by its deadline (09-19): 1 项."""
    from generator.instruments.fixreport.form import write_fix_csv

    store, lock = tmp_path / "store.sqlite", tmp_path / "no-lock.yaml"
    yesterday = dt.datetime.now(TZ).date() - dt.timedelta(days=1)   # the data runs past the quarter's end
    wrong = write(tmp_path, "found.csv", [spot("wutong", dt.date(2026, 9, 18), {"4.2.1.1-a": "不符合 1 处"}),
                                          spot("lanting", yesterday)])
    report = write_fix_csv(S, [dict(
        submitted_at=dt.datetime(2026, 9, 18, 18, 0, tzinfo=TZ), project=S.projects["wutong"].name,
        code=f"4.2.1.1-a {S.items['4.2.1.1-a'].short}", found=dt.date(2026, 9, 18), fixed=dt.date(2026, 9, 18),
        measure="已清理", photo="", reporter="王芳")], tmp_path / "fix.csv")
    assert run("ingest", "--store", store, "--lock", lock, "--checklist", "fix-report", "--file", report).exit_code == 0
    archiving = run("ingest", "--store", store, "--lock", lock, "--checklist", CHECKLIST, "--file", wrong)
    assert archiving.exit_code == 0, archiving.output
    archive, _, _ = tables(store)
    [q3] = [rows for quarter, _, _, rows, _ in archive if quarter == "2026Q3"]
    assert wutong(q3)["overdue_actions"] == 0
    result = run("sources", "withdraw", source_id(store, "fix.csv"), "--yes", "--store", store)
    assert result.exit_code == 0, result.output
    assert "1 条记录不再计入结果" in result.output
    assert "2026 年第三季度的存档考核建议有 1 处变化，已记为一次修订" in result.output
    with sqlite3.connect(store) as conn:
        assert conn.execute("SELECT count(*) FROM fix_reports WHERE gone_at IS NULL").fetchone()[0] == 0
    after, revisions, _ = tables(store)
    assert after == archive
    [(_, _, rows, found, _)] = revisions
    assert json.loads(found) == [["wutong", "逾期整改", "0 项", "1 项"]] and wutong(rows)["overdue_actions"] == 1
