"""Periods, rankings, archives and rounding, through the real CLI: hand-made responses ->
`handbook ingest` -> `handbook build` (and `handbook export`) on a real SQLite store.

The standards are the shipped ones with five projects: wutong, lanting, binjiang (taken over: `since: 2026-09-14`),
xiangshu (handed back: `until: 2026-09-16`) and haitang. Daily patrols (supervisor 09:00 and 15:00, manager 11:00,
each submitted when made, all 符合 unless said) from Mon 2026-09-07 to Mon 2026-10-05 (the data's last day):
  wutong    every day; 红线 at the 09:00 patrol of 09-10 (4.2.1.2-d and 4.2.2.1-x4: one incident, two items)
            and of 10-02 (4.2.1.2-d)
  lanting   every day; in week 38 (09-14 .. 09-20) each of its 21 patrols empties 4.2.1.1-a (−5), except the
            one of 09-20 15:00: 4.2.1.1-a 不适用, 4.2.1.2-a emptied (−4), 4.2.1.1-b 1 处 (−1)
            -> week 38: (1050 − 5 − 105) / (1050 − 5) = 940 / 1045 = 89.952…% -> printed 90.0% -> 优秀
  binjiang  from 09-14 (its `since`)
  xiangshu  to 09-16 (its `until`); both supervisor patrols of 09-16 all 不适用 (no %)
  haitang   every day, but no manager patrol on 10-01 (the one missed patrol)
One more row names an unknown project (quarantined).

Q3 (2026-07-01 .. 09-30; data from 09-07: a partial quarter, so no 奖励意见 whatever the figures):
  wutong   72 patrols, 3600 possible, −10 -> 3590/3600 = 99.72 -> 99.7%, 红线 1 -> 不合格
  lanting  72 patrols, 3595 possible, −105 -> 3490/3595 = 97.08 -> 97.1% 优秀
  binjiang 17 days × 3 = 51 patrols, 100.0% 优秀, patrols 51/51 (nothing required before 09-14)
  haitang  72 patrols, 100.0% 优秀
  xiangshu 30 patrols, 28 counted (two all 不适用) < 30: unranked; patrols 30/30 (nothing required after 09-16)
  ranking: grade first, then percent, ties shared: binjiang 1, haitang 1, lanting 3, wutong 4 (不合格 although
  99.7% > 97.1%), xiangshu unranked.
Week 40 (09-28 .. 10-04) is the report week: the data ends on Monday 10-05 (week 41 has one day).
  inspections 21 + 21 + 21 + 20 = 83 (haitang's manager missed 10-01); −5 of 4150 -> 99.88 -> 99.9%, 红线 1;
  week 39: 84 inspections, all 符合 -> 100.0%. Week 41 so far: 12 inspections (10-05), no 红线.
Q4 so far (10-01 .. 10-05): 15 patrols per project (haitang 14): nobody has the 30 the assessment requires.

Then two patrols at lanting dated 09-30 with 4.2.1.2-d failed are keyed in on 10-12, after Q3 closed
(09-30 + 7 days' grace = 10-07): Q3 as published stays; a revision lists lanting 74 counted, 红线 0 -> 2,
(3490 + 90) / (3595 + 100) = 3580 / 3695 = 96.89 -> 96.9%, 优秀 -> 不合格, 处罚和改进意见 (2 红线 ≥ 2), rank 3 -> 4,
and wutong rank 4 -> 3.
The data's end is the latest submission (case 1), so the late entry moves it from 10-05 to 10-12 (a past day: not
running), and nobody patrolled 10-06 .. 10-12. Missed patrols, site and `export --table patrols` alike:
  before: 1 (haitang's manager on 10-01), in 1 period;
  after:  + 7 days × 4 projects (wutong, lanting, binjiang, haitang; xiangshu ended 09-16) × (2 supervisor + 1 manager)
          = 1 + 84 = 85, in 1 + 7 × 4 × 2 = 57 periods (a supervisor's day misses 2);
  the monthly 客户关系部 periods stay partial (September from 09-07, October to 10-12): never missed.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
import sqlite3
import subprocess
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.store import read_quarantine
from generator.inspection import answer_options
from generator.instruments.patrol import simulate as sim
from generator.standards import load_standards
from generator.instruments import INSTRUMENTS

from conftest import printables_stood_in, standards_texts
from site_helpers import copy_site_sources

pytestmark = pytest.mark.slow   # three full site builds (PDFs too) from a store made for the rules

D = dt.date
FIRST, LAST = D(2026, 9, 7), D(2026, 10, 5)
PROJECTS = """projects:
  - {id: wutong, name: 梧桐苑}
  - {id: lanting, name: 兰亭雅居}
  - {id: binjiang, name: 滨江花园, since: 2026-09-14}
  - {id: xiangshu, name: 香树湾, until: 2026-09-16}
  - {id: haitang, name: 海棠湾}
"""


def standards_folder(root):
    folder = root / "standards"
    folder.mkdir()
    for name, text in standards_texts().items():
        if name == "organisation.yaml":
            start = text.index("projects:\n")
            end = text.index("\n# ", start)
            text = text[:start] + PROJECTS + text[end + 1:]
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def days(first, last):
    return [first + dt.timedelta(days=k) for k in range((last - first).days + 1)]


class Responses:
    def __init__(self, s):
        self.s = s
        self.tz = ZoneInfo(s.organisation.timezone)

    def label(self, code, found):
        """The form's option for `found` findings (None: 不适用) of an item."""
        item = self.s.items[code]
        return next(k for k, v in answer_options(item.points, item.deduction).items() if v == found)

    def one(self, project, role, day, hour, found=None, submitted=None, name=None):
        """A daily patrol; `found`: item code -> findings (None: 不适用); every other item 符合."""
        answers = {i.code: self.label(i.code, (found or {}).get(i.code, 0))
                   for i in self.s.checklist_items("daily-patrol")}
        failed = {sec.number for sec in self.s.sections for i in sec.items if (found or {}).get(i.code)}
        at = submitted or dt.datetime.combine(day, dt.time(hour, 5), self.tz)
        return sim.SimResponse(submitted_at=at, project=name or self.s.projects[project].name,
                               role=self.s.roles[role].name, inspector="测试", date=day, answers=answers,
                               corrected={n: False for n in failed})

    def patrols(self):
        out = []
        everything = {i.code: None for i in self.s.checklist_items("daily-patrol")}
        for day in days(FIRST, LAST):
            for pid in ("wutong", "lanting", "binjiang", "xiangshu", "haitang"):
                if (pid == "binjiang" and day < D(2026, 9, 14)) or (pid == "xiangshu" and day > D(2026, 9, 16)):
                    continue
                for hour in (9, 15):
                    found = {}
                    if pid == "wutong" and hour == 9 and day == D(2026, 9, 10):
                        found = {"4.2.1.2-d": 1, "4.2.2.1-x4": 1}
                    elif pid == "wutong" and hour == 9 and day == D(2026, 10, 2):
                        found = {"4.2.1.2-d": 1}
                    elif pid == "lanting" and D(2026, 9, 14) <= day <= D(2026, 9, 20):
                        found = ({"4.2.1.1-a": None, "4.2.1.2-a": 4, "4.2.1.1-b": 1}
                                 if (day, hour) == (D(2026, 9, 20), 15) else {"4.2.1.1-a": 5})
                    elif pid == "xiangshu" and day == D(2026, 9, 16):
                        found = everything
                    out.append(self.one(pid, "cs_supervisor", day, hour, found))
                if not (pid == "haitang" and day == D(2026, 10, 1)):
                    found = {"4.2.1.1-a": 5} if pid == "lanting" and D(2026, 9, 14) <= day <= D(2026, 9, 20) else {}
                    out.append(self.one(pid, "project_manager", day, 11, found))
        out.append(self.one("wutong", "cs_supervisor", D(2026, 10, 3), 10, name="不存在的项目"))
        return out

    def late(self):
        """Two lanting patrols dated 09-30 with a 红线, keyed in on 10-12 (after Q3 closed on 10-07)."""
        return [self.one("lanting", "cs_supervisor", D(2026, 9, 30), 0, {"4.2.1.2-d": 1},
                         submitted=dt.datetime(2026, 10, 12, hour, 30, tzinfo=self.tz)) for hour in (9, 10)]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("rules")
    folder = standards_folder(root)
    s = load_standards(folder, instruments=INSTRUMENTS).standards
    make = Responses(s)
    store = root / "store.sqlite"
    path = sim.write_csv(root / "daily-patrol.csv", sim.sheet_values(s, "daily-patrol", make.patrols()))
    result = run("ingest", "--file", path, "--checklist", "daily-patrol", "--store", store,
                 "--standards", folder, "--lock", root / "no-lock.yaml")
    assert result.exit_code == 0, result.output
    said = [result.output]
    docs, config = copy_site_sources(root)

    def build():
        with printables_stood_in():     # the rules are read from the results pages and the weekly report
            result = run("build", "--standards", folder, "--out", root / "public", "--docs", docs,
                         "--config", config, "--store", store)
        assert result.exit_code == 0, result.output

    build()
    first = root / "first"
    shutil.copytree(docs / "results", first)
    before_late = root / "before-late.sqlite"     # the store as the first build read it
    source, copy = sqlite3.connect(store), sqlite3.connect(before_late)
    try:
        source.backup(copy)
    finally:
        source.close()
        copy.close()
    late = sim.write_csv(root / "late.csv", sim.sheet_values(s, "daily-patrol", make.late()))
    result = run("ingest", "--file", late, "--checklist", "daily-patrol", "--store", store,
                 "--standards", folder, "--lock", root / "no-lock.yaml")
    assert result.exit_code == 0, result.output
    said.append(result.output)
    build()
    second = root / "second"
    shutil.copytree(docs / "results", second)
    build()
    return dict(root=root, standards=folder, store=store, docs=docs, first=first, second=second, s=s, said=said,
                before_late=before_late,
                today=dt.datetime.now(ZoneInfo(s.organisation.timezone)).date())


def page(site, rel, when="first"):
    return (site[when] / rel).read_text(encoding="utf-8")


def table(text, heading):
    """The body rows of the first Markdown table after `heading`, as lists of cells."""
    lines = text.split(heading, 1)[1].splitlines()
    start = next(k for k, line in enumerate(lines) if line.startswith("|"))
    body = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        body.append([c.strip() for c in line.strip().strip("|").split("|")])
    return body


def archive_rows(store):
    conn = sqlite3.connect(store)
    try:
        archived = conn.execute("SELECT quarter, closed_on, rows FROM assessment_archive").fetchall()
        revisions = conn.execute("SELECT quarter, changes, reasons FROM assessment_revisions ORDER BY id").fetchall()
    finally:
        conn.close()
    return archived, revisions


# ---------------------------------------------------------------- case 8: the report week

def test_a_monday_run_reports_the_last_complete_week(site):
    text = page(site, "index.md")
    assert "2026 年第 40 周（9月28日–10月4日），最近一个完整的周，箭头为与上周比较：" in text
    assert ("第41周（10月5日起）尚未结束（部分：10月5日–10月5日），不计入以上数字：已有 12 次检查，红线问题 0 次。"
            in text)
    cards = text.split('<div class="hb-kpis">', 1)[1].split("</div>", 1)[0]
    assert '<span class="hb-kpi__label">本周检查次数</span><span class="hb-kpi__value">83 次</span>' in cards
    assert '<span class="hb-kpi__label">本周红线问题</span><span class="hb-kpi__value">1 次</span>' in cards
    pdf = site["first"] / "weekly-report.pdf"
    words = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                           check=True).stdout
    flat = " ".join(words.split())
    assert "2026 年第 40 周（9月28日–10月4日）" in flat
    assert "二、本周红线问题（1 次；2026 年第四季度累计 1 次）" in flat
    assert "本周没有红线问题" not in flat and "10月5日–10月5日" not in flat


# ---------------------------------------------------------------- case 9: archived quarters

def test_a_closed_quarter_is_kept_as_published_and_later_data_is_a_dated_revision(site):
    assert site["said"][0].splitlines()[-1] == \
        "2026 年第三季度已结束，考核建议已存档（计入 2026-10-07 及以前录入的检查）；此后的数据只作为修订列出"
    assert site["said"][1].splitlines()[-1] == \
        "2026 年第三季度的存档考核建议有 8 处变化，已记为一次修订（见该季度考核页面的“修订”）"
    archived, revisions = archive_rows(site["store"])
    assert [(q, closed) for q, closed, _ in archived] == [("2026Q3", "2026-10-07")]
    published = {a["project"]: a for a in json.loads(archived[0][2])}
    assert (published["lanting"]["critical_findings"], published["lanting"]["rank"]) == (0, 3)
    assert published["lanting"]["score"]["scored"] == 72 and published["lanting"]["suggestions"] == []
    # one revision, stored once: the third build found nothing new
    assert len(revisions) == 1 and revisions[0][0] == "2026Q3"
    assert ["lanting", "红线", "0 次", "2 次"] in json.loads(revisions[0][1])
    assert ["wutong", "排名", "4", "3"] in json.loads(revisions[0][1])
    before, after = page(site, "quarters/2026Q3.md"), page(site, "quarters/2026Q3.md", "second")
    assert "## 修订" not in before
    published_part = after.split("## 修订", 1)[0]
    assert table(published_part, "- 逾期未整改计入") == table(before, "- 逾期未整改计入")   # never rewritten
    assert "本页是 2026-10-07 存档的考核建议" in after
    revision = after.split("## 修订", 1)[1].split("## 各季度考核", 1)[0]
    assert f"### {site['today'].isoformat()} 修订" in revision
    for line in ("- 梧桐苑：排名 4 → 3", "- 兰亭雅居：排名 3 → 4", "- 兰亭雅居：计入检查 72 次 → 74 次",
                 "- 兰亭雅居：得分率 97.1% → 96.9%", "- 兰亭雅居：评级 优秀 → 不合格", "- 兰亭雅居：红线 0 次 → 2 次",
                 # + 改进意见: the two 红线 have no fix report (overdue)
                 "- 兰亭雅居：建议 无 → 处罚和改进意见、改进意见",
                 "- 兰亭雅居：存档后录入本季度的检查 2 次（检查日期 2026-09-30，录入于 2026-10-12）"):
        assert line in revision.splitlines(), line
    # a rebuild reproduces the page: the revision keeps its date, no second one is added
    assert (site["docs"] / "results/quarters/2026Q3.md").read_text(encoding="utf-8").split("数据截至", 1)[1] \
        == after.split("数据截至", 1)[1]


# ---------------------------------------------------------------- case 10: one ranking rule

def test_ranking_takes_eligibility_then_grade_then_percent_and_ties_share_a_rank(site):
    text = page(site, "quarters/2026Q3.md")
    rows = table(text, "- 逾期未整改计入")
    assert [(r[0], r[1].split("]")[0].lstrip("["), r[2], r[3], r[4].split(" ")[0]) for r in rows] == [
        ("1", "滨江花园", "51", "100.0%", "优秀"), ("1", "海棠湾", "72", "100.0%", "优秀"),
        ("3", "兰亭雅居", "72", "97.1%", "优秀"), ("4", "梧桐苑", "72", "99.7%", "不合格"),
        ("未排名", "香树湾", "28", "100.0%", "优秀")]
    assert "未排名的原因：\n\n- 香树湾：本季计入的检查 28 次，少于 30 次；另有 2 次没有适用条目，不计入\n" in text
    assert "评级和得分率都相同的项目并列同一名次" in text
    overview = page(site, "index.md")
    ranking = table(overview, "## 项目排名（2026 年第四季度）")
    assert [r[0] for r in ranking] == ["未排名"] * 5     # nobody has 30 counted inspections in Q4 yet
    assert ranking[0][1] == "[梧桐苑](projects/wutong.md)"
    assert "- 梧桐苑：本季计入的检查 15 次，少于 30 次\n" in overview and "- 香树湾：本季没有检查\n" in overview
    assert "评级和得分率都相同的项目并列同一名次" in overview


# ---------------------------------------------------------------- case 11: the printed value decides

def test_grades_follow_the_printed_percent(site):
    rows = {r[0].split("]")[0].lstrip("["): r for r in table(page(site, "weeks/2026-W38.md"),
                                                             "[返回每周存档](index.md)")}
    assert rows["兰亭雅居"][1:5] == ["90.0%", "优秀", "21", "0"]      # 940/1045 = 89.95…% printed 90.0%
    assert rows["兰亭雅居"][5] == "-10.0"                                # 90.0 − 100.0 (week 37)
    assert table(page(site, "weeks/2026-W39.md"), "[返回每周存档](index.md)")[1][5] == "+10.0"
    scoring = (site["docs"] / "standards/scoring.md").read_text(encoding="utf-8")
    assert "评级区间和季度考核的各项门槛都按**显示的一位小数**判断" in scoring


# ---------------------------------------------------------------- case 12: since / until

def test_nothing_is_required_outside_a_projects_dates(site):
    patrols = (site["first"] / "csv/patrols.csv").read_text(encoding="utf-8-sig").splitlines()
    binjiang = [line for line in patrols if line.startswith("滨江花园,客服主管,")]
    assert binjiang[0].startswith("滨江花园,客服主管,2026-09-14,2,2,0") and len(binjiang) == 22
    xiangshu = [line for line in patrols if line.startswith("香树湾,")]
    assert xiangshu[-1].startswith("香树湾,客户关系部,2026-09,0,1,0,部分：9月7日–9月16日")
    assert not any(",2026-09-17," in line or ",2026-10" in line for line in xiangshu)
    missed = (site["first"] / "csv/missed-patrols.csv").read_text(encoding="utf-8-sig").splitlines()[1:]
    assert missed == ["海棠湾,项目经理,2026-10-01,0,1,1"]
    rows = {r[1].split("]")[0].lstrip("["): r for r in table(page(site, "quarters/2026Q3.md"), "- 逾期未整改计入")}
    assert rows["滨江花园"][6] == "100.0%" and rows["香树湾"][6] == "100.0%"


def test_check_refuses_an_until_before_since(tmp_path):
    folder = standards_folder(tmp_path)
    path = folder / "organisation.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("until: 2026-09-16",
                                                             "since: 2026-09-20, until: 2026-09-16"),
                    encoding="utf-8")
    result = run("check", "--standards", folder)
    assert result.exit_code == 1
    assert "项目“xiangshu”的 until 2026-09-16 早于 since 2026-09-20" in result.output


# ---------------------------------------------------------------- case 13: company-wide figures

def test_company_figures_show_percent_and_red_lines_without_the_veto(site):
    week = page(site, "weeks/2026-W40.md")
    assert "全公司：99.9% 优秀（n=83，问题 1 处，红线 1 次；全公司不作红线否决）。" in week
    wutong = next(r for r in table(week, "[返回每周存档](index.md)") if r[0].startswith("[梧桐苑]"))
    assert wutong[1:5] == ["99.5%", "不合格", "21", "1"]                 # 1045/1050 = 99.52, the project is vetoed
    trend = {r[0]: r for r in table(page(site, "index.md"), "## 全公司每周得分率")}
    assert trend["第40周"][1:] == ["99.9%", "优秀", "83", "1"]
    assert trend["第41周（部分）"][1:] == ["100.0%", "优秀", "12", "0"]      # the running week, labelled
    # 4190/4200; wutong's 09-10: 2 items, 1 incident
    assert trend["第37周"][1:] == ["99.8%", "优秀", "84", "1"]


# ---------------------------------------------------------------- case 14: partial periods in exports

def exported_patrols(site, store, path):
    result = run("export", "--table", "patrols", "--format", "csv", "--store", store,
                 "--standards", site["standards"], "--output", path)
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def missed_on_site(results):
    """The site's missed patrols CSV (one row per period with a miss) as (project, role, period, done, required,
    missed) rows."""
    text = (results / "csv/missed-patrols.csv").read_text(encoding="utf-8-sig")
    return sorted(tuple(r.values()) for r in csv.DictReader(io.StringIO(text)))


def missed_exported(rows):
    return sorted((r["项目"], r["角色"], r["周期"], r["已巡查次数"], r["规定次数"], r["缺少次数"])
                  for r in rows if r["缺少次数"] != "0")


def test_patrol_export_marks_partial_periods_and_partial_quarters_give_no_reward(site, tmp_path):
    rows = exported_patrols(site, site["store"], tmp_path / "patrols.csv")
    september = next(r for r in rows if (r["项目"], r["角色"], r["周期"]) == ("梧桐苑", "客户关系部", "2026-09"))
    assert (september["已巡查次数"], september["规定次数"], september["缺少次数"]) == ("0", "1", "0")
    assert (september["部分周期（不计缺少）"], september["数据覆盖"]) == ("是", "2026-09-07/2026-09-30")
    october = next(r for r in rows if (r["项目"], r["角色"], r["周期"]) == ("梧桐苑", "客户关系部", "2026-10"))
    assert (october["缺少次数"], october["部分周期（不计缺少）"], october["数据覆盖"]) == ("0", "是",
                                                                         "2026-10-01/2026-10-12")
    # before the late entry (data to 10-05): one missed patrol, the same in Excel and on the site
    before = exported_patrols(site, site["before_late"], tmp_path / "before.csv")
    assert missed_exported(before) == missed_on_site(site["first"]) == [("海棠湾", "项目经理",
                                                                         "2026-10-01", "0", "1", "1")]
    assert sum(int(r["缺少次数"]) for r in before) == 1
    # after it (data to 10-12, the day of the latest submission): 10-06 .. 10-12 without a patrol are missed too
    assert "数据截至 2026-10-12" in page(site, "patrols.md", "second")
    missed = missed_exported(rows)
    assert missed == missed_on_site(site["docs"] / "results")
    assert (len(missed), sum(int(r["缺少次数"]) for r in rows)) == (1 + 7 * 4 * 2, 1 + 7 * 4 * 3) == (57, 85)
    week = [m for m in missed if m[2] == "2026-10-06"]
    assert sorted((m[0], m[1], m[5]) for m in week) == sorted(
        (p, r, n) for p in ("梧桐苑", "兰亭雅居", "滨江花园", "海棠湾") for r, n in (("客服主管", "2"),
                                                                       ("项目经理", "1")))
    q3 = page(site, "quarters/2026Q3.md")
    assert "数据不完整的季度不出具奖励意见" in q3
    assert "奖励意见：" not in (site["first"] / "csv/assessment-2026Q3.csv").read_text(encoding="utf-8-sig")
    assert "**滨江花园 · 奖励意见**" not in q3          # 100.0%, no 红线, patrols 100%: but a partial quarter


# ---------------------------------------------------------------- case 15: labels

def test_labels_a_reader_needs(site):
    overview = page(site, "index.md")
    assert ('<span class="hb-kpi__label">本周得分率</span><span class="hb-kpi__value">99.9%</span>' in overview)
    assert "上周 100.0%（n=84） · 本周 n=83</span>" in overview
    assert "全部数据共" not in overview and "2026 年第四季度共 59 次检查。" in overview
    redline = page(site, "redline.md")
    assert "[下载全部红线问题（CSV，共 2 次）](csv/redline.csv)" in redline
    lines = (site["first"] / "csv/redline.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) - 1 == 2
    assert lines[2].startswith("2026-09-10,梧桐苑,客服主管,4.2.1.2-d、4.2.2.1-x4,不随意吐痰、")
    quarantined = read_quarantine(site["store"])
    assert [q.reason_code for q in quarantined] == ["unknown_project"]
    local = quarantined[0].first_seen_at.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M")
    quality = page(site, "data-quality.md")
    assert "未知项目</span> | " + local.replace("-", "\\-") + " |" in quality
    assert "时间按组织所在时区（东八区）显示。" in quality
