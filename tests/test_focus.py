"""Focus lists from a small fixed dataset name exactly the expected items."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from generator.results.focus import focus_list
from generator.inspection import Inspection
from generator.results.scoring import corrective_actions
from generator.standards import load_standards
from generator.instruments import INSTRUMENTS

from conftest import STANDARDS

S = load_standards(STANDARDS, instruments=INSTRUMENTS).standards
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
    # overdue actions first, then the meeting issues (each group in document order)
    assert [e.code for e in entries] == ["4.2.1.1-c", "4.2.2.1-x3", "4.2.1.2-a", "4.2.4.1-x2"]
    by_code = {e.code: e for e in entries}
    # found again on 11-18 with 1 day to fix -> also overdue on 11-20 (reasons highest priority first)
    assert by_code["4.2.1.1-c"].reasons == ("逾期未整改 1 项", "近 4 周 3 次检查发现问题")
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
    """The printed focus list changes only when its entries do (the counts are on the site), so a
    weekly build renders again only the sheets whose list changed."""
    from generator.printing.sheet_html import build_sheet, render_sheet_html

    actions = corrective_actions(S, DATA)
    entries = focus_list(S, "binjiang", DATA, actions, AS_OF)
    by_code = {e.code: e for e in entries}
    assert by_code["4.2.1.1-c"].printed == ("有逾期未整改", "近 4 周多次检查发现问题")
    assert by_code["4.2.2.1-x3"].printed == ("有逾期未整改",)
    assert by_code["4.2.4.1-x2"].printed == by_code["4.2.4.1-x2"].reasons      # a meeting issue as it was raised
    sheet = build_sheet(S, "daily-patrol", "binjiang", tuple(entries))
    assert sheet.focus[0] == ("4.2.1.1-c", "纸篓、雨伞、外套按规定放置", "有逾期未整改；近 4 周多次检查发现问题")
    # a week later with one more finding on the same item: the site's counts change, the sheet does not
    later = DATA + [insp("9", "binjiang", dt.date(2026, 11, 21), {"4.2.1.1-c": 1})]
    again = focus_list(S, "binjiang", later, corrective_actions(S, later), dt.date(2026, 11, 22))
    assert {e.code: e for e in again}["4.2.1.1-c"].reasons[1] == "近 4 周 4 次检查发现问题"
    assert [e.code for e in again] == [e.code for e in entries]
    assert (render_sheet_html(build_sheet(S, "daily-patrol", "binjiang", tuple(again)), None)
            == render_sheet_html(sheet, None))


# ------------------------------------------------------------------ focus by priority, per sheet, from a store

def _store_with_binjiang(tmp_path):
    """A real store made by `handbook ingest` from hand-made exports of 滨江花园's patrols and spot checks.

    Daily patrols 11-10 … 11-20 (11 of them; the last finds nothing, so their own actions are closed, except the
    红线 ones, which need a fix report):
    红线 4.2.2.1-x4 on 2 of them, 4.2.1.1-b on 5, 4.2.1.1-a on 4, 4.2.1.2-e and 4.2.2.1-x1 on 3 each
    (the repeat threshold is max(3, 15% of 11) = 3). One spot check on 10-01 finds 4.2.3.2 and 4.2.4.1-x3,
    which no patrol checks: both actions are overdue on 11-20. Meeting issues of methods.yaml still followed
    on 11-20: 4.2.1.2-a (all projects) and 4.2.4.1-x2 (滨江花园, for the department's recheck).
    """
    from click.testing import CliRunner

    from generator.cli import main
    from generator.inspection import COMPLIANT, found_label, findings_to_empty
    from generator.instruments.patrol.simulate import SimResponse, sheet_values, write_csv

    found_on = {"4.2.2.1-x4": {12, 18}, "4.2.1.1-b": {10, 11, 13, 15, 17}, "4.2.1.1-a": {10, 12, 14, 16},
                "4.2.1.2-e": {11, 14, 19}, "4.2.2.1-x1": {13, 16, 18}}

    def response(checklist, role, day, hour, found):
        r = SimResponse(dt.datetime.combine(day, dt.time(hour), TZ), "滨江花园", S.roles[role].name, "王伟", day)
        for item in S.checklist_items(checklist):
            r.answers[item.code] = (found_label(1, findings_to_empty(item.points, item.deduction))
                                    if item.code in found else COMPLIANT)
        return r

    daily = [response("daily-patrol", "cs_supervisor", dt.date(2026, 11, d), 9,
                      {code for code, days in found_on.items() if d in days}) for d in range(10, 21)]
    spot = [response("crd-spot-check", "crd", dt.date(2026, 10, 1), 10, {"4.2.3.2", "4.2.4.1-x3"})]
    store = tmp_path / "store.sqlite"
    for checklist, rows in (("daily-patrol", daily), ("crd-spot-check", spot)):
        export = write_csv(tmp_path / f"{checklist}.csv", sheet_values(S, checklist, rows))
        result = CliRunner().invoke(main, ["ingest", "--file", str(export), "--checklist", checklist,
                                           "--db", str(store), "--standards", str(STANDARDS)])
        assert result.exit_code == 0, result.output
    return store


def test_focus_lists_by_priority_and_per_sheet_from_a_store(tmp_path):
    from generator.printing.sheet_html import build_sheet, render_sheet_html
    from generator.results.focus import FREQUENT, MEETING, OVERDUE, REDLINE
    from generator.results.publish import sheet_focus

    focus = sheet_focus(_store_with_binjiang(tmp_path))(S)["binjiang"]
    # the project page: 红线 found again, overdue actions, meeting issues, then the most frequent findings
    assert [(e.code, e.priority) for e in focus.entries] == [
        ("4.2.2.1-x4", REDLINE), ("4.2.3.2", OVERDUE), ("4.2.4.1-x3", OVERDUE),
        ("4.2.1.2-a", MEETING), ("4.2.4.1-x2", MEETING),
        ("4.2.1.1-b", FREQUENT), ("4.2.1.1-a", FREQUENT), ("4.2.1.2-e", FREQUENT), ("4.2.2.1-x1", FREQUENT)]
    # a 红线 incident needs a fix report (a quiet later patrol no longer closes it); both 0-day
    # actions (found 11-12 and 11-18, due the same day) have none, so on 11-20 both are overdue as well
    assert focus.entries[0].reasons == ("红线问题近 4 周 2 次", "逾期未整改 2 项")
    assert focus.entries[5].reasons == ("近 4 周 5 次检查发现问题",)
    # the daily patrol cannot check 4.2.3/4.2.4: neither the overdue actions nor the department's recheck
    assert [e.code for e in focus.for_sheet("daily-patrol")] == [
        "4.2.2.1-x4", "4.2.1.2-a", "4.2.1.1-b", "4.2.1.1-a", "4.2.1.2-e", "4.2.2.1-x1"]
    daily = build_sheet(S, "daily-patrol", "binjiang", focus)
    assert [code for code, _, _ in daily.focus] == ["4.2.2.1-x4", "4.2.1.2-a", "4.2.1.1-b", "4.2.1.1-a",
                                                    "4.2.1.2-e"]
    assert daily.focus[0] == ("4.2.2.1-x4", S.items["4.2.2.1-x4"].short, "红线问题近 4 周再次发生；有逾期未整改")
    assert daily.focus_more == 4
    assert "另有 4 项，见项目页" in render_sheet_html(daily, None)
    # the spot check (the only sheet that can close 4.2.3.2 and 4.2.4.1-x3) keeps them and the recheck
    spot = build_sheet(S, "crd-spot-check", "binjiang", focus)
    assert [code for code, _, _ in spot.focus] == ["4.2.2.1-x4", "4.2.3.2", "4.2.4.1-x3", "4.2.1.2-a",
                                                   "4.2.4.1-x2"]
    assert spot.focus[1][2] == "有逾期未整改"
    assert "另有 4 项，见项目页" in render_sheet_html(spot, None)
    # a project with nothing to focus on prints neither the box nor the line
    quiet = build_sheet(S, "daily-patrol", "binjiang", ())
    assert quiet.focus_more == 0 and "另有" not in render_sheet_html(quiet, None)
