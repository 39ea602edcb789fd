"""Definitions one click away: the 指标说明 page defines each figure once, the pages link to
it, the trend charts ring the weeks with a 红线 incident, the patrol page says which days count."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from generator.inspection import Inspection
from generator.results.report_pages import NAV, build_results
from generator.standards import load_standards
from generator.instruments import INSTRUMENTS

from conftest import STANDARDS, edited

S = load_standards(STANDARDS, instruments=INSTRUMENTS).standards
TZ = ZoneInfo("Asia/Shanghai")
DAILY = [i.code for i in S.checklist_items("daily-patrol")]


def insp(id, day, found=None):
    return Inspection(id, "daily-patrol", "wutong", "cs_supervisor", "王伟", day,
                      dt.datetime.combine(day, dt.time(9), TZ), findings={c: (found or {}).get(c, 0) for c in DAILY})


# three weeks of one patrol a week; the middle week's has a 红线 finding (4.2.2.1-x4)
DATA = [insp("a", dt.date(2026, 11, 3)), insp("b", dt.date(2026, 11, 10), {"4.2.2.1-x4": 1}),
        insp("c", dt.date(2026, 11, 17))]


def test_definitions_page_and_links():
    files = build_results(S, DATA, as_of=dt.date(2026, 11, 17), today=dt.date(2026, 11, 30))
    assert ("指标说明", "results/definitions.md") in NAV
    page = files["results/definitions.md"]
    for anchor in ("score", "grade", "redline", "patrols", "overdue", "self-check", "per-100", "knowledge",
                   "satisfaction"):
        assert "{#" + anchor + "}" in page, anchor
    assert "- **发现至今（天）**（整改跟踪、项目页的“已过天数”）= 数据截至日 − 发现日期；" in page
    assert "- **已逾期（天）**（品质例会周报）= 数据截至日 − 整改期限。" in page
    assert "按得分率评级：优秀 ≥ 90%，良好 ≥ 80%，合格 ≥ 70%，其余为不合格。" in page
    assert "[指标说明](definitions.md#overdue)" in files["results/actions.md"]
    assert "[指标说明](definitions.md#patrols)" in files["results/patrols.md"]
    assert "每个数字的定义见[指标说明](definitions.md)" in files["results/index.md"]


def test_trend_charts_ring_the_weeks_with_a_red_line():
    files = build_results(S, DATA, as_of=dt.date(2026, 11, 17), today=dt.date(2026, 11, 30))
    for chart in ("results/charts/company-trend.svg", "results/charts/wutong-trend.svg"):
        svg = files[chart]
        assert svg.count('class="hb-chart__mark"') == 2          # the 11-09 week's point and the legend
        assert svg.count("（有红线问题）") == 1 and "<title>第46周：" in svg.split("（有红线问题）")[0][-40:]
        assert "有红线的周" in svg
    quiet = build_results(S, [DATA[0], DATA[2]], as_of=dt.date(2026, 11, 17), today=dt.date(2026, 11, 30))
    assert "hb-chart__mark" not in quiet["results/charts/company-trend.svg"]


def test_patrol_page_says_which_days_count(standards_dir):
    files = build_results(S, DATA, as_of=dt.date(2026, 11, 17), today=dt.date(2026, 11, 30))
    assert "每天都要求巡查（含周六、周日）；日期按北京时间。" in files["results/patrols.md"]
    folder = standards_dir
    (folder / "organisation.yaml").write_text(
        edited("organisation.yaml", "working_days: [1, 2, 3, 4, 5, 6, 7]", "working_days: [1, 2, 3, 4, 5]")
        ["organisation.yaml"], encoding="utf-8")
    weekdays = load_standards(folder, instruments=INSTRUMENTS).standards
    files = build_results(weekdays, DATA, as_of=dt.date(2026, 11, 17), today=dt.date(2026, 11, 30))
    assert "只计工作日（周一、周二、周三、周四、周五）；日期按北京时间。" in files["results/patrols.md"]
