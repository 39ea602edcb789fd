"""A small fixed dataset whose pages and exports show hand-computed numbers.

wutong  A 11-16 09:00 supervisor  4.2.1.1-a ×1 (4/5), -b ok (3/3), -c 不适用       -> 7/8  = 87.5% 良好
        B 11-16 15:00 supervisor  4.2.1.2-d ×1 红线 (0/5), -a ok (4/4), 当场纠正 4.2.1 -> 4/9  = 44.4% 不合格
        C 11-16 10:00 manager     4.2.1.2-c ×2 (1/3)                               -> 1/3  = 33.3% 不合格
        D 11-17 09:00 supervisor  4.2.1.1-a ok (5/5)                               -> 5/5  = 100%  优秀
lanting E 11-16 09:00 supervisor  4.2.2.1-x1 ×3 (0/4, 扣完为止), -x2 ok (4/4)        -> 4/8  = 50%   不合格
week 2026-W47: wutong 17/25 = 68.0% (n=4), lanting 4/8 = 50.0% (n=1)
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from zoneinfo import ZoneInfo


from generator.inspection import Inspection
from generator.results.export import export_rows, serialise
from generator.results.report_pages import build_results
from generator.standards import load_standards
from generator.instruments import INSTRUMENTS

from conftest import STANDARDS

S = load_standards(STANDARDS, instruments=INSTRUMENTS).standards
TZ = ZoneInfo("Asia/Shanghai")
MON, TUE = dt.date(2026, 11, 16), dt.date(2026, 11, 17)


def at(day, hour):
    return dt.datetime.combine(day, dt.time(hour), TZ)


DATA = [
    Inspection("A", "daily-patrol", "wutong", "cs_supervisor", "张主管", MON, at(MON, 9),
               findings={"4.2.1.1-a": 1, "4.2.1.1-b": 0, "4.2.1.1-c": None}),
    Inspection("B", "daily-patrol", "wutong", "cs_supervisor", "张主管", MON, at(MON, 15),
               findings={"4.2.1.2-d": 1, "4.2.1.2-a": 0}, corrected={"4.2.1": True}),
    Inspection("C", "daily-patrol", "wutong", "project_manager", "王经理", MON, at(MON, 10),
               findings={"4.2.1.2-c": 2}),
    Inspection("D", "daily-patrol", "wutong", "cs_supervisor", "张主管", TUE, at(TUE, 9),
               findings={"4.2.1.1-a": 0}),
    Inspection("E", "daily-patrol", "lanting", "cs_supervisor", "李主管", MON, at(MON, 9),
               findings={"4.2.2.1-x1": 3, "4.2.2.1-x2": 0}),
]


def test_export_inspections_json():
    rows = {r["id"]: r for r in export_rows(S, DATA, "inspections")}
    assert (rows["A"]["earned"], rows["A"]["possible"], rows["A"]["percent"],
            rows["A"]["grade"]) == (7, 8, 87.5, "良好")
    assert (rows["B"]["percent"], rows["B"]["grade"],
            rows["B"]["critical_failed"]) == (44.4, "不合格", True)   # 4/9, printed
    assert rows["B"]["findings"] == [{"code": "4.2.1.2-d", "count": 1, "corrected_on_site": True}]
    assert rows["E"]["earned"] == 4 and rows["E"]["percent"] == 50.0
    assert rows["A"]["at"] == "2026-11-16T09:00:00+08:00"
    assert (rows["A"]["date"], rows["A"]["week"]) == ("2026-11-16", "2026-W47")
    assert list(rows["A"]) == ["id", "checklist", "project", "role", "inspector", "date", "week", "at", "earned",
                               "possible", "percent", "grade", "critical_failed", "findings"]


def test_export_names_inspectors_only_where_the_standards_publish_names():
    assert S.organisation.publish_names is False
    assert [r["inspector"] for r in export_rows(S, DATA, "inspections")] == ["（不公开）"] * 5
    allowed = dataclasses.replace(S, organisation=S.organisation.model_copy(update={"publish_names": True}))
    rows = export_rows(allowed, DATA, "inspections")     # sorted by submission time
    assert [(r["id"], r["inspector"]) for r in rows] == [("A", "张主管"), ("E", "李主管"), ("C", "王经理"),
                                                         ("B", "张主管"), ("D", "张主管")]


def test_export_project_weeks():
    rows = export_rows(S, DATA, "project_weeks")
    assert rows == [
        {"project": "lanting", "week": "2026-W47", "inspections": 1, "earned": 4, "possible": 8,
         "percent": 50.0, "grade": "不合格", "critical": 0},
        {"project": "wutong", "week": "2026-W47", "inspections": 4, "earned": 17, "possible": 25,
         "percent": 68.0, "grade": "不合格", "critical": 1},
    ]


def test_export_patrols_and_actions():
    patrols = {(r["project"], r["date"], r["role"]): (r["done"], r["required"])
               for r in export_rows(S, DATA, "patrols")}
    assert patrols[("wutong", "2026-11-16", "cs_supervisor")] == (2, 2)
    assert patrols[("wutong", "2026-11-17", "cs_supervisor")] == (1, 2)
    assert patrols[("wutong", "2026-11-17", "project_manager")] == (0, 1)
    assert patrols[("lanting", "2026-11-16", "project_manager")] == (0, 1)
    assert patrols[("wutong", "2026-11-01", "crd")] == (0, 1)
    actions = {(r["project"], r["code"]): r for r in export_rows(S, DATA, "actions")}
    assert actions[("wutong", "4.2.1.1-a")] == {"project": "wutong", "code": "4.2.1.1-a", "opened": "2026-11-16",
                                                "closed": "2026-11-17", "how": "reinspection", "overdue": False,
                                                "status": "已关闭", "owner": "cs_supervisor",
                                                "verifier": "cs_supervisor", "due": "2026-11-17", "reported": None,
                                                "verified": None, "days_late": 0}
    assert actions[("wutong", "4.2.1.2-d")]["how"] == "on_site"
    assert actions[("wutong", "4.2.1.2-c")]["closed"] is None and not actions[("wutong", "4.2.1.2-c")]["overdue"]
    assert actions[("lanting", "4.2.2.1-x1")]["overdue"] is True  # fix within 0 days, still open next day


def test_pages_show_the_hand_computed_numbers():
    files = build_results(S, DATA)
    overview = files["results/index.md"]
    # the week's table (本周明细, the second naming each project: the ranking is split off to fit phones)
    wutong = [line for line in overview.splitlines() if "[梧桐苑]" in line][1]
    assert '68.0% 不合格 <span class="hb-redline">红线 1 次</span> |' in wutong   # B is the one 红线 incident
    assert "| 4 次 |" in wutong and "| 1 / 0 |" in wutong  # one open action (4.2.1.2-c), none overdue
    lanting = [line for line in overview.splitlines() if "[兰亭雅居]" in line][1]
    assert "| 50.0% 不合格 |" in lanting and "| 1 次 |" in lanting and "| 1 / 1 |" in lanting
    actions = files["results/actions.md"]
    assert "未关闭：2 项，其中逾期未整改 1 项、已整改待验证 0 项" in actions
    assert "已关闭：2 项（当场纠正 1，验证通过 0，复查符合 1，复发 0）" in actions
    assert "完成整改所需天数中位数：0.5 天" in actions
    # missed: wutong 2 (Tue), lanting 4, six empty projects × 4 -> 30; November is not over (the data ends
    # 11-17), so no project missed its monthly sampling yet (a month not yet over is not counted as missed)
    assert "共 30 条（最新的在前）" in files["results/patrols.md"]
    assert "| 项目 | 2026-11（部分：11月16日–11月17日） |" in files["results/patrols.md"]
    assessment = files["results/assessment.md"]
    assert "**梧桐苑 · 改进意见**：得分率 68.0% < 80%（n=4）；巡查完成率 66.7% < 85%" in assessment
    assert "**兰亭雅居 · 改进意见**：得分率 50.0% < 80%（n=1）；巡查完成率 16.7% < 85%" in assessment
    assert "奖励意见" not in assessment.split("## 建议")[1]


def test_two_builds_are_byte_identical():
    assert build_results(S, DATA) == build_results(S, list(reversed(DATA)))


def test_serialise_formats():
    rows = export_rows(S, DATA, "inspections")
    assert json.loads(serialise(rows, "json"))[0]["id"] == "A"
    text = serialise(rows, "csv").decode("utf-8")
    assert text.startswith("\ufeffid,checklist") and "4.2.1.2-d×1(当场纠正)" in text
    from io import BytesIO

    from openpyxl import load_workbook
    sheet = load_workbook(BytesIO(serialise(rows, "xlsx"))).active
    assert sheet["A1"].value == "id" and sheet["A2"].value == "A"
