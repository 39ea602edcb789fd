"""Periods the data covers only in part, and one quarterly assessment page per completed
quarter, through the real CLI: hand-made responses -> `handbook ingest` -> `handbook build`.

The data (every active project; supervisor patrols 09:00 and 15:00, manager 11:00, all 符合 unless said):
  daily patrols 2026-06-10 (Wed) .. 2026-11-18 (Wed); the department's spot checks (10:00):
  06-10 wutong only, 07-15 all, 08-14 all but binjiang, 09-15 all, 10-15 all but haitang, 11-05 wutong only.
  June and November are partial months: nobody missed a sampling there. Missed, counted by hand:
    wutong supervisor 1/2 on 06-10 (the first day counts)        1
    wutong manager 0/1 on 11-18 (the last day counts)            1
    haitang manager 0/1 every day 10-01 .. 11-18                49
    qingyuan supervisor 1/2 every day of October               31
    sampling: binjiang 2026-08, haitang 2026-10                  2   -> 84 in all
  红线 4.2.1.2-d at wutong's 09:00 patrol on 08-05, 09-12 (Q3) and 10-20 (Q4), 符合 at the 15:00 one. No fix
  report follows: a quiet patrol does not close a 红线 action and each incident is its own (due that day)
  -> 2 overdue in Q3, 1 in Q4.
  lanting, one finding each at the 09:00 patrol, the item then 不适用 (nobody rechecks it):
    4.2.1.2-a found 07-10, due 07-11, 符合 again on 07-20    -> closed late inside Q3 (逾期关闭): overdue in Q3
    4.2.1.1-b found 09-20, due 09-21, never closed           -> overdue in Q3
    4.2.1.1-c found 09-25, due 09-26, never closed           -> overdue in Q3
    4.2.1.1-a found 09-28, due 09-29, 符合 again on 10-03    -> overdue in Q3 (closed late, in Q4)
    4.2.1.2-c found 09-29, due 10-02 (3 days), never closed  -> overdue in Q4
  So Q3: lanting 4 overdue (改进意见), wutong 2 红线 (处罚和改进意见) and 2 overdue; Q4 so far: lanting 1 overdue,
  wutong 1.
  Q4 team patrols, 49 days: haitang (98 + 0) / 147 = 66.7%; qingyuan (31 + 36 + 49) / 147 = 78.9%.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from generator.instruments.patrol import simulate as sim
from generator.cli import main
from generator.store import read_inspections
from generator.results.report_pages import build_results
from generator.standards import load_standards
from generator.instruments import INSTRUMENTS

from conftest import STANDARDS, printables_stood_in
from site_helpers import copy_site_sources

pytestmark = pytest.mark.slow   # site builds over several quarters

S = load_standards(STANDARDS, instruments=INSTRUMENTS).standards
TZ = ZoneInfo(S.organisation.timezone)
FIRST, LAST = dt.date(2026, 6, 10), dt.date(2026, 11, 18)
D = dt.date
SAMPLED = {D(2026, 6, 10): ["wutong"], D(2026, 7, 15): "all", D(2026, 8, 14): "all but binjiang",
           D(2026, 9, 15): "all", D(2026, 10, 15): "all but haitang", D(2026, 11, 5): ["wutong"]}
# lanting's corrective actions: item -> (found, rechecked 符合 on or None)
LANTING = {"4.2.1.2-a": (D(2026, 7, 10), D(2026, 7, 20)),
           "4.2.1.1-b": (D(2026, 9, 20), None), "4.2.1.1-c": (D(2026, 9, 25), None),
           "4.2.1.1-a": (D(2026, 9, 28), D(2026, 10, 3)), "4.2.1.2-c": (D(2026, 9, 29), None)}
RED = [D(2026, 8, 5), D(2026, 9, 12), D(2026, 10, 20)]


def days(first, last):
    return [first + dt.timedelta(days=k) for k in range((last - first).days + 1)]


def answers(checklist, project, day, hour):
    out = {}
    for item in S.checklist_items(checklist):
        label = "符合"
        if project == "lanting" and item.code in LANTING:
            found, rechecked = LANTING[item.code]
            if day == found and hour == 9:
                label = "不符合 1 处"
            elif (day, hour) > (found, 9) and (rechecked is None or day < rechecked):
                label = "不适用"
        if project == "wutong" and item.code == "4.2.1.2-d" and day in RED and hour == 9:
            label = "不符合 1 处"
        out[item.code] = label
    return out


def response(checklist, project, role, day, hour):
    a = answers(checklist, project, day, hour)
    failed = {s.number for s in S.sections for i in s.items if a.get(i.code, "").startswith("不符合")}
    return sim.SimResponse(
        submitted_at=dt.datetime.combine(day, dt.time(hour, 5), TZ), project=S.projects[project].name,
        role=S.roles[role].name, inspector="测试", date=day, answers=a, corrected={n: False for n in failed})


def patrols():
    out = []
    for day in days(FIRST, LAST):
        for p in S.organisation.projects:
            sup = [9, 15]
            if (p.id == "wutong" and day == FIRST) or (p.id == "qingyuan" and day.month == 10):
                sup = [9]
            for hour in sup:
                out.append(response("daily-patrol", p.id, "cs_supervisor", day, hour))
            if not ((p.id == "wutong" and day == LAST) or (p.id == "haitang" and day >= D(2026, 10, 1))):
                out.append(response("daily-patrol", p.id, "project_manager", day, 11))
    return out


def spot_checks():
    out = []
    for day, who in SAMPLED.items():
        ids = [p.id for p in S.organisation.projects]
        if isinstance(who, list):
            ids = who
        elif who.startswith("all but "):
            ids.remove(who[len("all but "):])
        out += [response("crd-spot-check", pid, "crd", day, 10) for pid in ids]
    return out


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("periods")
    store = root / "store.sqlite"
    for checklist, rows in (("daily-patrol", patrols()), ("crd-spot-check", spot_checks())):
        path = sim.write_csv(root / f"{checklist}.csv", sim.sheet_values(S, checklist, rows))
        result = run("ingest", "--file", path, "--checklist", checklist, "--store", store,
                     "--standards", STANDARDS, "--lock", root / "no-lock.yaml")
        assert result.exit_code == 0, result.output
    docs, config = copy_site_sources(root)
    with printables_stood_in():     # periods are read from the results pages
        result = run("build", "--standards", STANDARDS, "--out", root / "public", "--docs", docs,
                     "--config", config, "--store", store)
    assert result.exit_code == 0, result.output
    return dict(root=root, store=store, docs=docs, public=root / "public")


def page(site, rel):
    return (site["docs"] / "results" / rel).read_text(encoding="utf-8")


def table_rows(text, heading):
    """The body rows of the first Markdown table after `heading`, as lists of cells."""
    lines = text.split(heading, 1)[1].splitlines()
    start = next(k for k, line in enumerate(lines) if line.startswith("|"))
    body = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        body.append([c.strip() for c in line.strip().strip("|").split("|")])
    return body


# ---------------------------------------------------------------- case 11: partial periods

def test_store_holds_the_hand_made_patrols(site):
    inspections = read_inspections(site["store"])
    assert len(inspections) == 162 * 8 * 3 - (1 + 1 + 49 + 31) + (1 + 8 + 7 + 8 + 7 + 1)
    assert min(i.date for i in inspections) == FIRST and max(i.date for i in inspections) == LAST


def test_partial_months_are_labelled_and_never_missed(site):
    text = page(site, "patrols.md")
    sampling = text.split("## 客户关系部抽样（每月）", 1)[1]
    assert "| 项目 | 2026-09 | 2026-10 | 2026-11（部分：11月1日–11月18日） |" in sampling
    rows = {r[0]: r[1:] for r in table_rows(text, "## 客户关系部抽样（每月）")}
    assert rows["梧桐苑"] == ["1/1", "1/1", "1/1"]
    assert rows["海棠湾"] == ["1/1", "0/1 ⚠", "0/1"]       # October missed; November not over: no ⚠
    assert rows["兰亭雅居"] == ["1/1", "1/1", "0/1"]
    assert "标“部分”的月份尚未结束或数据只覆盖其中一段：当月还没有抽样的项目不计为缺少。" in sampling
    csv = (site["docs"] / "results/csv/patrols.csv").read_text(encoding="utf-8-sig").splitlines()
    assert "兰亭雅居,客户关系部,2026-06,0,1,0,部分：6月10日–6月30日，不计缺少" in csv
    assert "兰亭雅居,客户关系部,2026-11,0,1,0,部分：11月1日–11月18日，不计缺少" in csv
    assert "滨江花园,客户关系部,2026-08,0,1,1," in csv


def test_missed_patrols_newest_first_only_inside_the_data(site):
    text = page(site, "patrols.md")
    assert "显示最近 60 条，共 84 条（最新的在前）。" in text
    rows = table_rows(text, "## 缺少的巡查")
    assert len(rows) == 60
    assert rows[0] == ["梧桐苑", "项目经理", "2026-11-18", "0 / 1"]
    assert rows[1] == ["海棠湾", "项目经理", "2026-11-18", "0 / 1"]
    periods = [r[2] for r in rows]
    assert periods == sorted(periods, key=lambda p: (p + "-99")[:10], reverse=True)
    missed = (site["docs"] / "results/csv/missed-patrols.csv").read_text(encoding="utf-8-sig").splitlines()[1:]
    assert len(missed) == 84
    by_role = {}
    for line in missed:
        project, role, period = line.split(",")[:3]
        by_role.setdefault((project, role), []).append(period)
        if len(period) == 10:
            assert "2026-06-10" <= period <= "2026-11-18", line
    assert by_role[("梧桐苑", "客服主管")] == ["2026-06-10"]
    assert by_role[("梧桐苑", "项目经理")] == ["2026-11-18"]
    assert len(by_role[("海棠湾", "项目经理")]) == 49
    assert len(by_role[("青园小区", "客服主管")]) == 31
    assert by_role[("滨江花园", "客户关系部")] == ["2026-08"]
    assert by_role[("海棠湾", "客户关系部")] == ["2026-10"]
    assert missed[-1].startswith("梧桐苑,客服主管,2026-06-10,1,2,1")


def test_project_page_lists_its_missed_patrols_newest_first(site):
    text = page(site, "projects/haitang.md")
    assert "显示最近 30 条，共 50 条（最新的在前）。" in text
    rows = table_rows(text, "## 缺少的巡查")
    assert rows[0] == ["2026-11-18", "项目经理", "0 / 1"]
    assert rows[29] == ["2026-10-20", "项目经理", "0 / 1"]
    wutong = page(site, "projects/wutong.md")
    assert "共 2 条（最新的在前）。" in wutong
    assert table_rows(wutong, "## 缺少的巡查") == [["2026-11-18", "项目经理", "0 / 1"],
                                                 ["2026-06-10", "客服主管", "1 / 2"]]


def test_partial_weeks_are_labelled(site):
    first = page(site, "weeks/2026-W24.md")   # Mon 06-08 .. Sun 06-14, data from Wed 06-10
    assert first.startswith("---\ntitle: 2026 年第 24 周检查结果\n---\n\n"
                            "# 2026 年第 24 周（2026-06-08 至 2026-06-14）（部分：6月10日–6月14日）")
    last = page(site, "weeks/2026-W47.md")    # Mon 11-16 .. Sun 11-22, data to Wed 11-18
    assert "（部分：11月16日–11月18日）" in last
    assert "（部分" not in page(site, "weeks/2026-W40.md")
    text = page(site, "patrols.md")
    assert "## 本周（2026-11-16 起）（部分：11月16日–11月18日）" in text
    assert "| 项目 | 11-16 | 11-17 | 11-18 |" in text


def test_a_day_still_running_is_partial_not_missed():
    """Data ending today: today's patrols are still coming in, so today is not a missed day."""
    today = D(2026, 11, 18)
    rows = [i for i in _inspections() if i.date >= D(2026, 11, 16)]
    files = build_results(S, rows, today=today)
    text = files["results/patrols.md"]
    assert "| 梧桐苑 | 2/2 · 1/1 | 2/2 · 1/1 | 2/2 · 0/1（未结束） |" in text
    assert "| 海棠湾 | 2/2 · 0/1 ⚠ | 2/2 · 0/1 ⚠ | 2/2 · 0/1（未结束） |" in text
    assert "2026-11-18" not in text.split("## 缺少的巡查", 1)[1]
    # the day before today is complete: haitang's manager missed 11-16 and 11-17
    assert "共 2 条（最新的在前）。" in text
    later = build_results(S, rows, today=D(2026, 11, 19))["results/patrols.md"]
    assert "| 梧桐苑 | 项目经理 | 2026-11-18 | 0 / 1 |" in later


def _inspections():
    from generator.inspection import Inspection

    out = []
    for r in patrols() + spot_checks():
        pid = next(p.id for p in S.organisation.projects if p.name == r.project)
        role = next(x.id for x in S.organisation.roles if x.name == r.role)
        checklist = "crd-spot-check" if role == "crd" else "daily-patrol"
        findings = {c: {"符合": 0, "不符合 1 处": 1, "不适用": None}[a] for c, a in r.answers.items()}
        out.append(Inspection(f"{pid}-{r.submitted_at.isoformat()}-{role}", checklist, pid, role, r.inspector,
                              r.date, r.submitted_at, findings=findings))
    return out


# ---------------------------------------------------------------- case 12: quarterly assessment

def suggestions(text):
    """{(project, kind): (reason, [incident lines])} from a page's 建议 section."""
    out, current = {}, None
    for line in text.split("## 建议", 1)[1].split("## 各季度考核", 1)[0].splitlines():
        m = re.match(r"- \*\*(.+?) · (.+?)\*\*：(.*)$", line)
        if m:
            current = (m[1], m[2])
            out[current] = (m[3], [])
        elif line.startswith("    - ") and current:
            out[current][1].append(line[6:])
    return out


def test_a_page_per_completed_quarter_linked_from_the_latest(site):
    folder = site["docs"] / "results/quarters"
    assert sorted(p.name for p in folder.iterdir()) == ["2026Q2.md", "2026Q3.md"]
    assert (site["public"] / "results/quarters/2026Q3/index.html").is_file()
    latest = page(site, "assessment.md")
    assert "# 2026 年第四季度考核建议（暂定）" in latest
    assert "统计期间 2026-10-01 至 2026-11-18（部分：10月1日–11月18日），季度为 2026-10-01 至 2026-12-31。" in latest
    assert "- [2026 年第三季度](quarters/2026Q3.md)（2026-07-01 至 2026-09-30）" in latest
    assert "- [2026 年第二季度](quarters/2026Q2.md)（2026-04-01 至 2026-06-30）（部分：6月10日–6月30日）" in latest
    q2 = page(site, "quarters/2026Q2.md")
    assert "# 2026 年第二季度考核建议\n" in q2 and "数据只覆盖本季度的一部分" in q2
    q3 = page(site, "quarters/2026Q3.md")
    assert "# 2026 年第三季度考核建议\n" in q3 and "统计期间 2026-07-01 至 2026-09-30（季度已结束）。" in q3
    assert "暂定" not in q3.split("## 各季度考核")[0]
    assert "- [最新：2026 年第四季度（暂定）](../assessment.md)" in q3
    # quarter pages stay out of the navigation, reachable from the latest
    html = (site["public"] / "results/assessment/index.html").read_text(encoding="utf-8")
    assert "quarters/2026Q3/" in html.split('class="md-content"')[1]
    assert "2026Q3" not in html.split('class="md-content"')[0]


def test_quarter_figures_and_the_incidents_behind_each_suggestion(site):
    q3 = page(site, "quarters/2026Q3.md")
    rows = _rows(q3)
    assert rows["兰亭雅居"][7] == "4" and rows["梧桐苑"][5] == "2" and rows["梧桐苑"][7] == "2"
    assert rows["海棠湾"][6] == "100.0%" and rows["青园小区"][6] == "100.0%"
    # Q3 was archived by the first ingest run after its close day (the patrols); the spot checks, submitted in
    # time and imported by the next run of the same day, join the archive: on-time data is no revision
    assert rows["梧桐苑"][2] == str(92 * 3 + 3)       # 92 days × 3 patrols + spot checks 07-15, 08-14, 09-15
    assert "## 修订" not in q3
    got = suggestions(q3)
    assert got[("梧桐苑", "处罚和改进意见")] == ("本季度红线问题 2 次 ≥ 2 次", [
        "2026-09-12 · 4.2.1.2-d 不随意吐痰（红线）", "2026-08-05 · 4.2.1.2-d 不随意吐痰（红线）"])
    assert got[("兰亭雅居", "改进意见")] == ("整改逾期 4 项 ≥ 3 项", [
        "2026-09-29 到期 · 4.2.1.1-a 办公区物品与桌面整洁（2026-09-28 发现，2026-10-03 才整改，逾期 4 天）",
        # Q3 as archived on its close day (09-30 + 7 days' grace): still open then
        "2026-09-26 到期 · 4.2.1.1-c 纸篓、雨伞、外套按规定放置（2026-09-25 发现，截至 2026-10-07 未整改，逾期 11 天）",
        "2026-09-21 到期 · 4.2.1.1-b 下班前清理桌面、归位座椅（2026-09-20 发现，截至 2026-10-07 未整改，逾期 16 天）",
        "2026-07-11 到期 · 4.2.1.2-a 地面干净（2026-07-10 发现，2026-07-20 才整改，逾期 9 天）"])
    assert ("悦澜府", "奖励意见") in got
    q4 = page(site, "assessment.md")
    rows = _rows(q4)
    assert rows["兰亭雅居"][7] == "1" and rows["梧桐苑"][5] == "1" and rows["梧桐苑"][7] == "1"
    assert rows["海棠湾"][6] == "66.7%" and rows["青园小区"][6] == "78.9%"
    got = suggestions(q4)
    assert ("兰亭雅居", "改进意见") not in got and ("梧桐苑", "处罚和改进意见") not in got
    reason, lines = got[("青园小区", "改进意见")]
    assert reason == "巡查完成率 78.9% < 85%"
    assert lines[0] == "2026-10-31 · 客服主管巡查 1/2 次" and lines[9] == "2026-10-22 · 客服主管巡查 1/2 次"
    assert lines[10:] == ["……另有 21 条未列出（共 31 条）"]
    assert got[("海棠湾", "改进意见")][1][0] == "2026-11-18 · 项目经理巡查 0/1 次"
    csv = (site["docs"] / "results/csv/assessment-2026Q3.csv").read_text(encoding="utf-8-sig")
    assert "改进意见：2026-09-29 到期 · 4.2.1.1-a" in csv
    assert (site["docs"] / "results/csv/assessment.csv").read_text(encoding="utf-8-sig").count("\n") == 9


def _rows(text):
    """The assessment table by project, cells as read (links and the red 红线 marks' tags taken off)."""
    def plain(cell):
        return re.sub(r"<[^>]+>", "", re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", cell)).replace(" 次", "")
    return {plain(r[1]): [plain(c) for c in r] for r in table_rows(text, "- 逾期未整改计入整改期限所在的季度")}


def test_sampling_months_start_with_the_spot_check_data():
    """The spot-check sheet began on 10-15 (sampling all but haitang), weeks after the patrol sheet (09-21):
    September has no sampling period, October is partial (10-15 .. 10-31), so haitang missed nothing."""
    from generator.results import scoring as sc

    rows = [i for i in _inspections()
            if i.date >= D(2026, 9, 21) and not (i.role == "crd" and i.date < D(2026, 10, 15))]
    periods = sc.patrol_compliance(S, rows, D(2026, 9, 21), D(2026, 11, 18))
    crd = {(p.project, p.period): p for p in periods if p.role == "crd"}
    assert sorted({period for _, period in crd}) == ["2026-10", "2026-11"]
    assert crd[("haitang", "2026-10")].covered == (D(2026, 10, 15), D(2026, 10, 31))
    assert (crd[("haitang", "2026-10")].done, crd[("lanting", "2026-10")].done) == (0, 1)
    assert not any(p.missed for p in crd.values())
    supervisor = [p for p in periods if p.role == "cs_supervisor" and p.project == "wutong"]
    assert supervisor[0].period == "2026-09-21" and len(supervisor) == 59 and not any(p.partial for p in supervisor)


def test_each_suggestion_lists_what_is_behind_it():
    """Low score: the items that lost the most points with their dates; reward: its 红线 record."""
    from generator.inspection import Inspection
    from generator.results import scoring as sc

    day = D(2026, 10, 5)
    rows = []
    for k in range(30):   # 30 patrols at wutong, each failing 4.2.1.1-a twice and 4.2.1.2-f once
        when = dt.datetime.combine(day + dt.timedelta(days=k % 3), dt.time(9, k), TZ)
        rows.append(Inspection(f"w{k}", "daily-patrol", "wutong", "cs_supervisor", "某人", when.date(), when,
                               findings={"4.2.1.1-a": 2, "4.2.1.2-f": 1, "4.2.1.2-a": 0}))
        rows.append(Inspection(f"l{k}", "daily-patrol", "lanting", "cs_supervisor", "某人", when.date(), when,
                               findings={"4.2.1.1-a": 0}))
    scores = sc.score_inspections(S, rows)
    patrols = [sc.PatrolPeriod(p, "cs_supervisor", "x", day, 2, 2) for p in ("wutong", "lanting")]
    got = {(a.project, s.kind): s for a in sc.assess_quarter(S, "2026Q4", scores, patrols, [], D(2026, 10, 31))
           for s in a.suggestions}
    low = got[("wutong", "改进意见")]
    # per patrol: 4.2.1.1-a 3/5, 4.2.1.2-f 0/3, 4.2.1.2-a 4/4 -> 7/12 = 58.3%
    assert low.reason == "得分率 58.3% < 80%（n=30）"
    assert low.incidents == ("4.2.1.2-f 保洁监督或卫生值日：不符合 30 处，扣 90 分（3 天，最近 2026-10-07、2026-10-06、"
                             "2026-10-05）",
                             "4.2.1.1-a 办公区物品与桌面整洁：不符合 60 处，扣 60 分（3 天，最近 2026-10-07、"
                             "2026-10-06、2026-10-05）")
    assert got[("lanting", "奖励意见")].incidents == ("本季没有红线问题",)
