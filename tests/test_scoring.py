"""Scoring rules on hand-made inspections (each expected number worked out by hand)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from generator.inspection import Inspection
from generator.results import scoring as sc
from generator.standards import load_standards
from generator.instruments import INSTRUMENTS

from conftest import STANDARDS, edited

S = load_standards(STANDARDS, instruments=INSTRUMENTS).standards
TZ = ZoneInfo("Asia/Shanghai")


def insp(id="i1", project="wutong", role="cs_supervisor", day=dt.date(2026, 11, 2), hour=9,
         findings=None, corrected=None, checklist="daily-patrol"):
    return Inspection(id=id, checklist=checklist, project=project, role=role, inspector="张三", date=day,
                      submitted_at=dt.datetime.combine(day, dt.time(hour), TZ),
                      findings=findings or {}, corrected=corrected or {})


def test_item_score_floors_at_zero_and_not_applicable_leaves_denominator():
    item = S.items["4.2.1.1-a"]  # 5 points, 1 per finding
    assert sc.item_score(item, 0) == (5, 5)
    assert sc.item_score(item, 2) == (3, 5)
    assert sc.item_score(S.items["4.2.1.2-f"], 3) == (0, 3)   # 3 points, 3 per finding: 扣完为止
    assert sc.item_score(S.items["4.2.2.1-x1"], 3) == (0, 4)  # 4 points, 2 per finding: -2 floors at 0
    assert sc.item_score(item, None) == (0, 0)


def test_inspection_percent_pools_applicable_items():
    # 4.2.1.1-a: 5-1=4 of 5; 4.2.1.1-b: 3 of 3; 4.2.1.1-c 不适用 -> 7 of 8 = 87.5% 良好
    score = sc.score_inspection(S, insp(findings={"4.2.1.1-a": 1, "4.2.1.1-b": 0, "4.2.1.1-c": None}))
    assert (score.earned, score.possible) == (7, 8)
    assert score.percent == pytest.approx(87.5)
    assert score.grade == "良好" and score.findings == 1 and score.critical == ()


def test_a_critical_finding_fails_the_inspection_whatever_the_percent():
    findings = {code: 0 for code in [i.code for i in S.checklist_items("daily-patrol")]}
    findings["4.2.1.2-d"] = 1  # 红线: 5 points lost of 50 -> exactly 90% (优秀 by the bands)
    score = sc.score_inspection(S, insp(findings=findings))
    assert score.percent == pytest.approx(90) and S.grade(score.percent) == "优秀"
    assert score.grade == "不合格" and score.critical == ("4.2.1.2-d",)


def test_grade_boundaries_are_inclusive_as_written():
    assert [S.grade(p) for p in (100, 90, 89.999, 80, 79.9, 70, 69.9, 0)] == \
        ["优秀", "优秀", "良好", "良好", "合格", "合格", "不合格", "不合格"]


def test_all_not_applicable_has_no_percent_and_the_lowest_grade_is_not_invented():
    score = sc.score_inspection(S, insp(findings={"4.2.1.1-a": None}))
    assert score.percent is None


def test_aggregate_pools_earned_and_possible_not_percentages():
    a = sc.score_inspection(S, insp("a", findings={"4.2.1.1-a": 5}))                    # 0 of 5
    b = sc.score_inspection(S, insp("b", findings={"4.2.1.1-a": 0, "4.2.1.2-a": 0,        # 5+4+4+3 = 16 of 16
                                                    "4.2.1.2-b": 0, "4.2.1.2-c": 0}))
    agg = sc.aggregate(S, [a, b])
    assert agg.n == 2 and (agg.earned, agg.possible) == (16, 21)
    assert agg.percent == 76.2   # 16 / 21 = 76.19…, printed to one decimal (not (0 + 100) / 2)


def test_patrol_compliance_counts_days_roles_and_missed_patrols():
    days = [dt.date(2026, 11, 2), dt.date(2026, 11, 3)]
    inspections = [insp("s1", day=days[0]), insp("s2", day=days[0], hour=15),     # supervisor 2 on day 1
                   insp("s3", day=days[1]),                                       # supervisor 1 on day 2
                   insp("m1", role="project_manager", day=days[0])]               # manager 1 on day 1 only
    periods = sc.patrol_compliance(S, inspections, days[0], days[1])
    wutong = {(p.role, p.period): (p.done, p.required) for p in periods if p.project == "wutong"}
    assert wutong[("cs_supervisor", "2026-11-02")] == (2, 2)
    assert wutong[("cs_supervisor", "2026-11-03")] == (1, 2)
    assert wutong[("project_manager", "2026-11-03")] == (0, 1)
    assert wutong[("crd", "2026-11")] == (0, 1)
    mine = [p for p in periods if p.project == "wutong" and p.role != "crd"]
    assert sc.compliance_percent(mine) == 66.7   # (2 + 1 + 1 + 0) / 6, printed to one decimal
    assert sum(p.missed for p in mine) == 2


def test_patrol_compliance_skips_non_working_days_and_holidays():
    texts = edited("organisation.yaml", "working_days: [1, 2, 3, 4, 5, 6, 7]\nholidays: []",
                   "working_days: [1, 2, 3, 4, 5]\nholidays: [2026-11-03]")
    s = load_standards(texts=texts, instruments=INSTRUMENTS).standards
    periods = sc.patrol_compliance(s, [], dt.date(2026, 11, 2), dt.date(2026, 11, 8))  # Mon..Sun
    days = sorted({p.period for p in periods if p.role == "cs_supervisor"})
    assert days == ["2026-11-02", "2026-11-04", "2026-11-05", "2026-11-06"]


def test_corrective_actions_open_close_on_the_spot_recheck_and_overdue():
    d = dt.date(2026, 11, 2)
    inspections = [
        insp("a", day=d, findings={"4.2.1.1-a": 1, "4.2.1.2-c": 2, "4.2.2.1-x1": 1},
             corrected={"4.2.2": True}),
        insp("b", day=d + dt.timedelta(days=1), findings={"4.2.1.1-a": 0, "4.2.1.2-c": 1}),
        insp("c", project="lanting", day=d, findings={"4.2.1.1-a": 0}),
    ]
    actions = {(a.project, a.code): a for a in sc.corrective_actions(S, inspections)}
    assert set(actions) == {("wutong", "4.2.1.1-a"), ("wutong", "4.2.1.2-c"), ("wutong", "4.2.2.1-x1")}
    spot = actions[("wutong", "4.2.2.1-x1")]
    assert (spot.closed, spot.closed_how) == (d, sc.ON_THE_SPOT)
    rechecked = actions[("wutong", "4.2.1.1-a")]
    assert (rechecked.closed, rechecked.closed_how) == (d + dt.timedelta(days=1), sc.RECHECKED)
    still_open = actions[("wutong", "4.2.1.2-c")]   # fix within 3 days, found again on day 2
    assert still_open.closed is None and still_open.findings == 3
    assert not still_open.overdue(d + dt.timedelta(days=3))
    assert still_open.overdue(d + dt.timedelta(days=4))
    assert sc.median_days_to_close(actions.values()) == 0.5


def test_pareto_orders_findings_and_accumulates():
    inspections = [insp("a", findings={"4.2.1.1-a": 3, "4.2.1.2-a": 1}),
                   insp("b", findings={"4.2.1.1-a": 1, "4.2.3.1": 0, "4.2.2.1-x2": 2})]
    rows = sc.pareto(S, inspections)
    assert [(r.key, r.findings) for r in rows] == [("4.2.1.1-a", 4), ("4.2.2.1-x2", 2), ("4.2.1.2-a", 1)]
    assert rows[-1].cumulative == pytest.approx(100)
    assert rows[0].share == pytest.approx(4 / 7 * 100)
    sections = sc.pareto(S, inspections, by="section")
    assert [(r.key, r.label, r.findings) for r in sections] == [("4.2.1", "服务场景", 5), ("4.2.2", "服务行为", 2)]


def test_quarter_helpers():
    assert sc.quarter_of(dt.date(2026, 11, 27)) == "2026Q4"
    assert sc.quarter_bounds("2026Q4") == (dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    assert sc.quarter_bounds("2026Q1") == (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    assert sc.week_label(sc.week_start(dt.date(2026, 11, 27))) == "2026-W48"


def test_assessment_rewards_penalises_and_cites_numbers():
    codes = [i.code for i in S.checklist_items("daily-patrol")]
    perfect = {c: 0 for c in codes}
    bad = {**perfect, "4.2.1.2-d": 1, "4.2.1.1-a": 5, "4.2.1.2-a": 4}
    start = dt.date(2026, 10, 1)
    inspections = []
    for k in range(31):
        day = start + dt.timedelta(days=k)
        inspections.append(insp(f"w{k}", project="wutong", day=day, findings=perfect))
        inspections.append(insp(f"l{k}", project="lanting", day=day, findings=bad if k < 3 else perfect))
    scores = [sc.score_inspection(S, i) for i in inspections]
    # patrol data: give wutong full compliance for October only
    patrols = [sc.PatrolPeriod("wutong", "cs_supervisor", "x", start, 2, 2),
               sc.PatrolPeriod("lanting", "cs_supervisor", "x", start, 1, 2)]
    rows = {a.project: a for a in sc.assess_quarter(S, "2026Q4", scores, patrols, [], dt.date(2026, 10, 31))}
    wutong, lanting = rows["wutong"], rows["lanting"]
    assert wutong.rank == 1 and lanting.rank == 2 and rows["binjiang"].ranked is False
    assert [s.kind for s in wutong.suggestions] == ["奖励意见"]
    assert "100.0% ≥ 92%" in wutong.suggestions[0].reason and "n=31" in wutong.suggestions[0].reason
    kinds = {s.kind: s.reason for s in lanting.suggestions}
    assert kinds["处罚和改进意见"] == "本季度红线问题 3 次 ≥ 2 次"
    assert "巡查完成率 50.0% < 85%" in kinds["改进意见"]
