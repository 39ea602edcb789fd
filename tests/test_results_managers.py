"""The results on a small fixed dataset: the 本周概览 changes, the 红线 page, findings of the recent inspections and
the 自查/抽查 gap, each against numbers worked out by hand below.

Items: 4.2.1.1-a 5 分 (扣 1, 整改 1 天), -b 3 分, 4.2.1.2-a 4 分, -c 3 分 (扣 1, 3 天), -d 5 分 红线 (扣 5, 当天),
4.2.2.1-x1 / -x2 4 分 (扣 2, 当天). Every day is a working day; 客服主管 2 and 项目经理 1 patrols a day.

Last week 2026-W46 (11-10 .. 11-15; the data starts on Tue 11-10)
  P1 11-10 wutong 客服主管   a ×1                         4/5
  P2 11-11 wutong 客户关系部 d ×1 红线, 4.2.1.2-a ok      4/9  不合格 (红线否决), not corrected on site
  P3 11-12 wutong 项目经理   b ok                         3/3
  -> n=3, 11/17 = 64.7%, 红线 1, 不合格 1 (P2)
This week 2026-W47 (11-16 .. 11-22, the data's last day)
  Q1 11-16 wutong 客服主管   a ok, b ok                   8/8
  Q2 11-17 wutong 客服主管   4.2.1.2-c ×2                 1/3  33.3% 不合格
  Q3 11-18 wutong 客户关系部 x1 ×1, x2 ok, 当场纠正 4.2.2 6/8
  Q4 11-19 wutong 项目经理   x1 ok                        4/4
  Q5 11-20 wutong 客服主管   c ok                         3/3
  L1 11-16 lanting 客服主管  a ok                         5/5
  L2 11-17 lanting 客户关系部 a ×1                        4/5
  L3 11-18 lanting 客户关系部 a ok                        5/5
  -> n=8, 36/41 = 87.8%, 红线 0, 不合格 1 (Q2)
Changes: 检查 ↑ 5 次; 得分率 87.8 − 64.7 = ↑ 23.1 百分点 (from the printed figures); 红线 ↓ 1 次; 不合格 → 持平.
整改及时率 (actions due in the week, closed by their due date):
  W46: a of P1 (due 11-11, closed only 11-16 by Q1: late), d of P2 (due 11-11, still open) -> 0/2 = 0.0%
  W47: c of Q2 (due 11-20, closed 11-20 by Q5), x1 of Q3 (due 11-18, corrected on site), a of L2 (due 11-18,
       closed 11-18 by L3) -> 3/3 = 100.0%: ↑ 100 百分点
巡查完成率 (project teams, 8 projects × 3 a day): W46 6 days, 144 required, done P1 and P3 = 2 -> 1.4%;
  W47 7 days, 168 required, done Q1 Q2 Q4 Q5 L1 = 5 -> 3.0%: 3.0 − 1.4 = ↑ 1.6 百分点
自查/抽查 in 2026Q4: wutong 自查 P1 P3 Q1 Q2 Q4 Q5 = 23/26 = 88.5%, 抽查 P2 Q3 = 10/17 = 58.8%:
  88.5 − 58.8 = +29.7 (> 10: flagged);
  lanting 自查 5/5 = 100%, 抽查 9/10 = 90%: +10.0 (not over 10: not flagged)
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest

from generator.inspection import Inspection
from generator.results import scoring as sc
from generator.results.report_pages import build_results, build_results_and_overview
from generator.results.weekly import Figure, patrol_figures
from generator.standards import load_standards
from generator.instruments import INSTRUMENTS

from conftest import STANDARDS

S = load_standards(STANDARDS, instruments=INSTRUMENTS).standards
TZ = ZoneInfo("Asia/Shanghai")
AS_OF, TODAY = dt.date(2026, 11, 22), dt.date(2026, 11, 29)


def day(d):
    return dt.date(2026, 11, d)


def insp(key, d, project, role, findings, corrected=None, notes=None):
    checklist = "crd-spot-check" if role == "crd" else "daily-patrol"
    return Inspection(key, checklist, project, role, "某人", day(d), dt.datetime.combine(day(d), dt.time(9), TZ),
                      findings=findings, corrected=corrected or {}, notes=notes or {})


DATA = [
    insp("P1", 10, "wutong", "cs_supervisor", {"4.2.1.1-a": 1}),
    insp("P2", 11, "wutong", "crd", {"4.2.1.2-d": 1, "4.2.1.2-a": 0}, corrected={"4.2.1": False},
         notes={"4.2.1": "工位旁地面有痰迹"}),
    insp("P3", 12, "wutong", "project_manager", {"4.2.1.1-b": 0}),
    insp("Q1", 16, "wutong", "cs_supervisor", {"4.2.1.1-a": 0, "4.2.1.1-b": 0}),
    insp("Q2", 17, "wutong", "cs_supervisor", {"4.2.1.2-c": 2}, notes={"4.2.1": "文件柜顶堆放纸箱"}),
    insp("Q3", 18, "wutong", "crd", {"4.2.2.1-x1": 1, "4.2.2.1-x2": 0}, corrected={"4.2.2": True}),
    insp("Q4", 19, "wutong", "project_manager", {"4.2.2.1-x1": 0}),
    insp("Q5", 20, "wutong", "cs_supervisor", {"4.2.1.2-c": 0}),
    insp("L1", 16, "lanting", "cs_supervisor", {"4.2.1.1-a": 0}),
    insp("L2", 17, "lanting", "crd", {"4.2.1.1-a": 1}),
    insp("L3", 18, "lanting", "crd", {"4.2.1.1-a": 0}),
]


@pytest.fixture(scope="module")
def built():
    return build_results_and_overview(S, DATA, as_of=AS_OF, today=TODAY)


def figures_by_label(figures):
    return {f.label: f for f in figures}


def test_overview_figures_are_this_week_against_last_week(built):
    _, overview = built
    f = figures_by_label(overview.figures)
    assert (f["本周检查次数"].value, f["本周检查次数"].previous) == (8, 3)
    assert f["本周检查次数"].delta_text == "↑ 5 次" and f["本周检查次数"].tone == ""   # neither good nor bad
    assert (f["本周得分率"].value, f["本周得分率"].previous) == (87.8, 64.7)   # 36/41, 11/17 as printed
    assert f["本周得分率"].delta_text == "↑ 23.1 百分点" and f["本周得分率"].tone == "better"
    assert f["本周得分率"].change_text == "↑ 23.1 百分点（上周 64.7%，n=3）"   # last week's n beside its figure
    assert (f["本周得分率"].note, f["本周得分率"].previous_text) == ("本周 n=8", "上周 64.7%（n=3）")
    assert (f["本周红线问题"].value, f["本周红线问题"].previous, f["本周红线问题"].delta_text) == (0, 1, "↓ 1 次")
    assert f["本周红线问题"].tone == "better"
    assert (f["本周不合格检查"].value, f["本周不合格检查"].previous) == (1, 1)
    assert f["本周不合格检查"].delta_text == "→ 持平" and f["本周不合格检查"].tone == ""
    assert (f["本周整改及时率"].value, f["本周整改及时率"].previous) == (100.0, 0.0)
    assert f["本周整改及时率"].delta_text == "↑ 100 百分点" and f["本周整改及时率"].note == "本周到期 3 项"
    assert (f["本周巡查完成率"].value, f["本周巡查完成率"].previous) == (3.0, 1.4)   # 5/168, 2/144 as printed
    assert f["本周巡查完成率"].delta_text == "↑ 1.6 百分点"
    assert f["本周巡查完成率"].value_text == "3.0%" and f["本周巡查完成率"].previous_text == "上周 1.4%"


def test_figures_say_what_happens_without_data():
    assert Figure("x", None, 3, "次", "results/index.md").change_text == "本周无数据"
    assert Figure("x", 70.0, None, "%", "results/exam.md", previous_label="上次").change_text == "上次无数据"
    worse = Figure("本周得分率", 80.0, 85.12, "%", "results/index.md")
    assert worse.delta_text == "↓ 5.1 百分点" and worse.tone == "worse"
    assert Figure("满意度", 68.2, 72.6, "分", "x.md").delta_text == "↓ 4.4 分"


def test_overview_page_shows_every_figure_with_its_link(built):
    files, overview = built
    page = files["results/index.md"]
    assert "search:\n  exclude: true" in page.split("---")[1]
    for f in overview.figures:
        assert f'<span class="hb-kpi__label">{f.label}</span><span class="hb-kpi__value">{f.value_text}</span>' in page
    assert '<a class="hb-kpi" href="redline/"><span class="hb-kpi__label">本周红线问题</span>' \
           '<span class="hb-kpi__value">0 次</span><span class="hb-kpi__change hb-better">↓ 1 次</span>' in page
    assert '<a class="hb-kpi" href="weeks/2026-W47/"><span class="hb-kpi__label">本周得分率</span>' in page
    assert '<a class="hb-kpi" href="actions/"><span class="hb-kpi__label">本周整改及时率</span>' in page
    # another instrument's figure joins the same grid, with its own page
    more = overview.pages([Figure("本周客户满意度", 68.3, 72.6, "分", "results/satisfaction.md")], report=True)
    assert '<a class="hb-kpi hb-kpi--bad" href="satisfaction/"><span class="hb-kpi__label">本周客户满意度</span>' \
           '<span class="hb-kpi__value">68.3 分</span><span class="hb-kpi__change hb-worse">↓ 4.3 分</span>' \
           in more["results/index.md"]
    assert "[下载本周品质例会周报（A4 PDF）](weekly-report.pdf){ download }" in more["results/index.md"]
    assert "weekly-report.pdf" not in page      # no link before the report is written


def test_patrol_figures_filter_what_they_are_given():
    scores = sc.score_inspections(S, DATA)
    direct = patrol_figures(S, scores, [], sc.corrective_actions(S, DATA), AS_OF)
    f = figures_by_label(direct)
    assert (f["本周检查次数"].value, f["本周红线问题"].previous) == (8, 1)
    assert f["本周巡查完成率"].value is None and f["本周巡查完成率"].change_text == "上周无数据"


def test_redline_page_lists_each_incident_with_note_correction_and_action(built):
    files, _ = built
    page = files["results/redline.md"]
    assert "## 2026 年第四季度（1 次，最新的在前）" in page
    assert "- **2026-11-11 · 梧桐苑** · 客户关系部检查 · 44.4% 不合格（红线否决）" in page
    # the section's note names no item: shown as the section's note, never as the 红线 item's; the first
    # forms' 已当场纠正 (是/否 per section) is shown as the section's answer too
    assert ('    - <span class="hb-redline">红线</span> [4.2.1.2-d](../standards/4.2.1.md#4.2.1.2-d) 不随意吐痰：1 处；'
            '当场纠正：<span class="hb-nowrap">否（本节）</span>；整改：逾期未整改（期限 11月11日）\n'
            "    - 4.2.1 本节问题说明：工位旁地面有痰迹\n") in page
    csv = files["results/csv/redline.csv"].splitlines()
    assert csv[1] == ("2026-11-11,梧桐苑,客户关系部,4.2.1.2-d,不随意吐痰,1,4.2.1 本节：工位旁地面有痰迹,否（本节）,"
                      "逾期未整改（期限 11月11日）")
    # and at the top of the project's page, before everything else
    wutong = files["results/projects/wutong.md"]
    assert wutong.index("## 红线问题（2026 年第四季度，1 次）") < wutong.index("## 重点检查")
    assert "本季度没有红线问题。" in files["results/projects/lanting.md"]


def test_recent_inspections_show_their_findings(built):
    files, _ = built
    wutong = files["results/projects/wutong.md"]
    recent = wutong.split("## 最近的检查（近 4 周）", 1)[1].split("\n## ", 1)[0]
    assert "2026-10-26 起的 8 次检查，最新的在前。" in recent
    assert "- **2026-11-17 · 客服主管** · 33.3% 不合格 \n" in recent
    assert "    - [4.2.1.2-c](../../standards/4.2.1.md#4.2.1.2-c) 文件柜整洁、不堆杂物：2 处，扣 2 分；当场纠正：否" \
        in recent
    assert "    - 4.2.1 本节问题说明：文件柜顶堆放纸箱\n" in recent
    assert ("    - [4.2.2.1-x1](../../standards/4.2.2.md#4.2.2.1-x1) 着装整洁、佩戴工牌：1 处，扣 2 分；"
            '当场纠正：<span class="hb-nowrap">是（本节）</span>\n') in recent
    # the red-line finding first, marked in text (not colour alone)
    assert ('    - <span class="hb-redline">红线</span> [4.2.1.2-d](../../standards/4.2.1.md#4.2.1.2-d) '
            '不随意吐痰：1 处，扣 5 分') in recent
    assert "另有 4 次检查没有发现问题（11月20日、11月19日、11月16日、11月12日）。" in recent


def test_self_check_against_spot_check_gap(built):
    files, _ = built
    wutong = files["results/projects/wutong.md"]
    # on the items both checklists hold (all of these are); 2 spot checks, under min_spot_checks (3): no flag
    assert "| 2026 年第四季度 | 88.5%（6 次） | 58.8%（2 次） | +29.7 |" in wutong
    lanting = files["results/projects/lanting.md"]
    assert "| 2026 年第四季度 | 100.0%（1 次） | 90.0%（2 次） | +10.0 |" in lanting
    assessment = files["results/assessment.md"]
    assert "| 梧桐苑 | 88.5%（6） | 58.8%（2） | +29.7 |" in assessment
    assert "| 兰亭雅居 | 100.0%（1） | 90.0%（2） | +10.0 |" in assessment
    index = files["results/projects/index.md"]
    assert '[梧桐苑](wutong.md) | 76.7% 不合格 | <span class="hb-redline">1 次</span> | +29.7 | 6 / 2 |' in index


def test_red_lines_weigh_in_ranking_assessment_and_priorities(built):
    files, _ = built
    ranking = files["results/index.md"].split("## 项目排名", 1)[1]
    wutong = next(line for line in ranking.splitlines() if "[梧桐苑]" in line)
    assert '| 76.7% 不合格 | <span class="hb-redline">1 次</span> |' in wutong    # 33/43 pooled, vetoed
    row = next(line for line in files["results/assessment.md"].splitlines() if "[梧桐苑]" in line)
    assert '| 不合格 <span class="hb-redline">红线否决</span> | <span class="hb-redline">1 次</span> |' in row
    items = files["results/priorities.md"].split("## 按条目", 1)[1].split("## 按章节", 1)[0]
    codes = re.findall(r"^\| \[([\d.]+-?\w*)\]", items, re.M)
    assert codes[0] == "4.2.1.2-d"            # 1 finding, but a 红线 item: first
    assert '4.2.1.2-d) 不随意吐痰 <span class="hb-redline">红线</span> | 1 |' in items
    assert codes[1:] == ["4.2.1.1-a", "4.2.1.2-c", "4.2.2.1-x1"]   # 2, 2, 1 findings (ties by code)


def test_week_page_lists_the_failed_inspections(built):
    files, _ = built
    week = files["results/weeks/2026-W47.md"]
    assert "## 评为不合格的检查（1 次）" in week
    assert "| 2026-11-17 | [梧桐苑](../projects/wutong.md) | 客服主管 | 33.3% | 否 |" in week


def test_every_results_page_is_out_of_search_and_carries_the_date():
    files = build_results(S, DATA, as_of=AS_OF, today=TODAY)
    pages = [p for p in files if p.endswith(".md")]
    assert len(pages) >= 20
    for path in pages:
        head = files[path].split("\n---\n", 1)[0]
        assert "\nsearch:\n  exclude: true" in head, path
        # a closed week or quarter states its own data end (its page stays the same as later weeks arrive)
        closed = {"results/weeks/2026-W46.md": "2026-11-15"}
        assert f'<p class="hb-asof">数据截至 {closed.get(path, "2026-11-22")}</p>' in files[path], path
