"""Focus lists from a small fixed dataset name exactly the expected items."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from generator.results.focus import focus_list
from generator.inspection import Inspection
from generator.results.scoring import corrective_actions
from generator.standards import load_standards

from conftest import STANDARDS

S = load_standards(STANDARDS).standards
TZ = ZoneInfo("Asia/Shanghai")
AS_OF = dt.date(2026, 11, 20)


def insp(id, project, day, findings):
    return Inspection(id, "daily-patrol", project, "cs_supervisor", "x", day,
                      dt.datetime.combine(day, dt.time(9), TZ), findings=findings)


DATA = [
    # binjiang: 4.2.1.1-c found on 3 inspections within 4 weeks -> repeated
    insp("1", "binjiang", dt.date(2026, 11, 3), {"4.2.1.1-c": 1}),
    insp("2", "binjiang", dt.date(2026, 11, 10), {"4.2.1.1-c": 2}),
    insp("3", "binjiang", dt.date(2026, 11, 18), {"4.2.1.1-c": 1, "4.2.2.1-x3": 1}),
    # 4.2.2.1-x3 (fix within 0 days) still open on 11-20 -> overdue
    # binjiang: 4.2.1.2-e found 3 times but one is older than 4 weeks -> not repeated
    insp("4", "binjiang", dt.date(2026, 10, 1), {"4.2.1.2-e": 1}),
    insp("5", "binjiang", dt.date(2026, 11, 4), {"4.2.1.2-e": 1}),
    insp("6", "binjiang", dt.date(2026, 11, 5), {"4.2.1.2-e": 1}),
    insp("7", "binjiang", dt.date(2026, 11, 19), {"4.2.1.2-e": 0}),
    # another project's findings do not count for binjiang
    insp("8", "wutong", dt.date(2026, 11, 18), {"4.2.1.1-c": 3}),
]


def test_focus_list_names_exactly_the_expected_items():
    actions = corrective_actions(S, DATA)
    entries = focus_list(S, "binjiang", DATA, actions, AS_OF)
    assert [e.code for e in entries] == ["4.2.1.1-c", "4.2.1.2-a", "4.2.2.1-x3", "4.2.4.1-x2"]
    by_code = {e.code: e for e in entries}
    # found again on 11-18 with 1 day to fix -> also overdue on 11-20
    assert by_code["4.2.1.1-c"].reasons == ("近 4 周 3 次检查发现问题", "逾期未整改 1 项")
    assert by_code["4.2.1.2-a"].reasons[0].startswith("十一月品质例会（2026-11-02）")  # project: all
    assert by_code["4.2.2.1-x3"].reasons == ("逾期未整改 1 项",)
    assert "回访记录不及时" in by_code["4.2.4.1-x2"].reasons[0]


def test_free_text_meeting_issue_and_expiry():
    entries = focus_list(S, "xiangshu", [], [], AS_OF)
    assert [(e.code, e.text) for e in entries] == [
        ("4.2.1.2-a", "地面干净"), (None, "香树湾前台接待时有客户排队无人引导，请项目经理跟进。")]
    assert focus_list(S, "xiangshu", [], [], dt.date(2027, 1, 5)) == []   # both issues have expired
    assert focus_list(S, "xiangshu", [], [], dt.date(2026, 11, 1)) == []  # not raised yet


def test_sheets_print_the_list_without_the_weeks_counts():
    """Issue 17: the printed focus list changes only when its entries do (the counts are on the site), so a
    weekly build renders again only the sheets whose list changed."""
    from generator.printing.sheet_html import build_sheet, render_sheet_html

    actions = corrective_actions(S, DATA)
    entries = focus_list(S, "binjiang", DATA, actions, AS_OF)
    by_code = {e.code: e for e in entries}
    assert by_code["4.2.1.1-c"].printed == ("近 4 周多次检查发现问题", "有逾期未整改")
    assert by_code["4.2.2.1-x3"].printed == ("有逾期未整改",)
    assert by_code["4.2.4.1-x2"].printed == by_code["4.2.4.1-x2"].reasons      # a meeting issue as it was raised
    sheet = build_sheet(S, "daily-patrol", "binjiang", tuple(entries))
    assert sheet.focus[0] == ("4.2.1.1-c", "纸篓、雨伞、外套按规定放置", "近 4 周多次检查发现问题；有逾期未整改")
    # a week later with one more finding on the same item: the site's counts change, the sheet does not
    later = DATA + [insp("9", "binjiang", dt.date(2026, 11, 21), {"4.2.1.1-c": 1})]
    again = focus_list(S, "binjiang", later, corrective_actions(S, later), dt.date(2026, 11, 22))
    assert {e.code: e for e in again}["4.2.1.1-c"].reasons[0] == "近 4 周 4 次检查发现问题"
    assert [e.code for e in again] == [e.code for e in entries]
    assert (render_sheet_html(build_sheet(S, "daily-patrol", "binjiang", tuple(again)), None)
            == render_sheet_html(sheet, None))
