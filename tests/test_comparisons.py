"""Comparisons that hold, on hand-made inspections with every figure worked out by hand.

自查与抽查 compares the same items (those both the daily patrol and the spot check hold: 4.2.1, 4.2.2; the spot
check's 4.2.3/4.2.4 are left out), shows both samples, and flags 自查偏宽 only from `min_spot_checks` spot checks;
改进重点 sets each item against the quarter before (per 100 inspections) and shows an item × project grid."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from generator.inspection import Inspection
from generator.results.report_pages import build_results
from generator.standards import load_standards
from generator.instruments import INSTRUMENTS

from conftest import STANDARDS

S = load_standards(STANDARDS, instruments=INSTRUMENTS).standards
TZ = ZoneInfo("Asia/Shanghai")
DAILY = [i.code for i in S.checklist_items("daily-patrol")]
SPOT = [i.code for i in S.checklist_items("crd-spot-check")]


def insp(id, checklist, role, day, found):
    codes = DAILY if checklist == "daily-patrol" else SPOT
    return Inspection(id, checklist, "wutong", role, "王伟", day, dt.datetime.combine(day, dt.time(10), TZ),
                      findings={c: found.get(c, 0) for c in codes})


# 自查: two patrols with 4.2.1.1-a found once (5 points, 1 a finding): 49/50 each -> 98.0%.
# 抽查: 4.2.1.2-a found 4 times (4 points, 1 each: 0/4) and 4.2.2.1-x1 twice (4 points, 2 each: 0/4) on the
# same 50 points -> 42/50 = 84.0%; its 4.2.3.2 finding is not compared. Gap +14.0.
TEAM = [insp(f"t{k}", "daily-patrol", "cs_supervisor", dt.date(2026, 11, 16 + k), {"4.2.1.1-a": 1})
        for k in range(2)]


def spots(n):
    return [insp(f"s{k}", "crd-spot-check", "crd", dt.date(2026, 11, 16 + k),
                 {"4.2.1.2-a": 4, "4.2.2.1-x1": 2, "4.2.3.2": 1}) for k in range(n)]


def project_row(files):
    return next(line for line in files["results/projects/index.md"].splitlines() if line.startswith("| [梧桐苑]"))


def test_self_and_spot_checks_compare_the_same_items_and_need_enough_spot_checks():
    assert S.organisation.assessment.min_spot_checks == 3
    one = build_results(S, TEAM + spots(1), as_of=dt.date(2026, 11, 18), today=dt.date(2026, 11, 30))
    row = project_row(one)
    assert row.endswith("| +14.0 | 2 / 1 |")              # gap above 10 points, but one spot check: no flag
    page = one["results/projects/wutong.md"]
    assert "| 2026 年第四季度 | 98.0%（2 次） | 84.0%（1 次） | +14.0 |" in page
    three = build_results(S, TEAM + spots(3), as_of=dt.date(2026, 11, 18), today=dt.date(2026, 11, 30))
    assert project_row(three).endswith('| +14.0 <span class="hb-flag">⚠ 自查偏宽</span> | 2 / 3 |')
    assert "抽查不少于 3 次时标为“自查偏宽”" in three["results/projects/index.md"]


def test_priorities_show_the_change_against_the_quarter_before_and_a_grid():
    before = [insp("q3", "daily-patrol", "cs_supervisor", dt.date(2026, 9, 20), {"4.2.1.1-a": 1})]
    files = build_results(S, before + TEAM + spots(1), as_of=dt.date(2026, 11, 18), today=dt.date(2026, 11, 30))
    page = files["results/priorities.md"]
    assert "与2026 年第三季度（1 次检查）比较" in page
    # 4.2.1.1-a: 2 findings in 3 inspections this quarter (66.7 per 100) against 1 in 1 (100.0): down 33.3
    row = next(line for line in page.splitlines() if line.startswith("| [4.2.1.1-a]") and "每百" not in line
               and "hb-better" in line)
    assert row.endswith('| 2 | 22.2% | 66.7 | <span class="hb-better">↓ 33.3</span> |')
    # 4.2.1.2-a: 4 findings in 3 (133.3 per 100), none before: up 133.3
    assert '| 133.3 | <span class="hb-worse">↑ 133.3</span> |' in page
    # the grid: a row per project, the quarter's most frequent items as columns (its width does not grow
    # with the company); 梧桐苑 found 4.2.1.1-a twice, 兰亭雅居 nothing
    grid = page.split("## 条目 × 项目")[1].split("## ")[0].splitlines()
    header = next(line for line in grid if line.startswith("| 项目 |"))
    codes = [cell.strip().removeprefix('<span class="hb-nw">').removesuffix("</span>")
             for cell in header.strip("|").split("|")[1:]]
    assert set(codes) == {"4.2.1.2-a", "4.2.1.1-a", "4.2.2.1-x1", "4.2.3.2"}
    wutong = next(line for line in grid if line.startswith("| [梧桐苑](projects/wutong.md) |"))
    assert wutong.strip("|").split("|")[1:][codes.index("4.2.1.1-a")].strip() == "2"
    lanting = next(line for line in grid if line.startswith("| [兰亭雅居](projects/lanting.md) |"))
    assert lanting.strip("|").split("|")[1:] == [" — "] * 4
