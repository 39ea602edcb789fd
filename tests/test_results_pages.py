"""Results pages: numbers match the scoring, free text is inert, no e-mail is published."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from zoneinfo import ZoneInfo

import pytest

from generator.inspection import Inspection
from generator.results import scoring as sc
from generator.results.report_pages import NAV, QualityRow, build_results, public_name
from generator.standards import load_standards
from generator.instruments import INSTRUMENTS

from conftest import STANDARDS, edited

S = load_standards(STANDARDS, instruments=INSTRUMENTS).standards
TZ = ZoneInfo("Asia/Shanghai")
HOSTILE = '<script>alert("x")</script> [点我](javascript:alert(1)) | =HYPERLINK("http://evil")'


def make_inspections(seed=3, start=dt.date(2026, 10, 5), end=dt.date(2026, 11, 22), standards=S):
    rnd = random.Random(seed)
    out = []
    codes = [i.code for i in standards.checklist_items("daily-patrol")]
    day = start
    while day <= end:
        for p in standards.organisation.projects:
            for role, n in (("cs_supervisor", 2), ("project_manager", 1)):
                for k in range(n):
                    if rnd.random() < 0.08:
                        continue
                    findings = {c: (None if rnd.random() < 0.05 else
                                    (0 if rnd.random() < 0.9 or c == "4.2.1.2-d" else rnd.randint(1, 3)))
                                for c in codes}
                    out.append(Inspection(
                        f"{p.id}-{day}-{role}-{k}", "daily-patrol", p.id, role, "李四 li.si@example.com", day,
                        dt.datetime.combine(day, dt.time(9 + 5 * k), TZ), findings=findings,
                        corrected={"4.2.1": rnd.random() < 0.3}, notes={"4.2.1": HOSTILE}))
        day += dt.timedelta(days=1)
    return out


@pytest.fixture(scope="module")
def files():
    return build_results(S, make_inspections(), quarantine=[QualityRow("daily-patrol.csv", "17", HOSTILE, ""),
                                                             QualityRow("x.csv", "18", '=HYPERLINK("http://e")', "")],
                         unmapped=[QualityRow("daily-patrol.csv", "<b>备注</b>", "未对应到任何条目")])


def test_every_page_and_download_is_generated(files):
    for _, path in NAV:
        assert path in files
    for p in S.organisation.projects:
        assert f"results/projects/{p.id}.md" in files
        assert f"results/charts/{p.id}-trend.svg" in files
    assert "results/weeks/index.md" in files and "results/weeks/2026-W47.md" in files
    assert "results/weeks/2026-W41.md" in files
    for path, text in files.items():
        if path.endswith(".md"):
            for target in [part.split(")")[0] for part in text.split("](")[1:]]:
                if target.endswith(".csv"):
                    assert "results/" + target.split("csv/", 1)[0].replace("../", "") + "csv/" + \
                        target.split("csv/", 1)[1] in files or target.startswith("../csv/"), target


def test_overview_numbers_match_the_scoring(files):
    inspections = make_inspections()
    monday = dt.date(2026, 11, 16)
    week = [sc.score_inspection(S, i) for i in inspections
            if i.project == "wutong" and monday <= i.date <= monday + dt.timedelta(days=6)]
    agg = sc.aggregate(S, week)
    # the second table (本周明细) holds the week; the ranking the quarter (phone-width columns)
    row = [line for line in files["results/index.md"].splitlines() if "[梧桐苑]" in line][1]
    red = f' <span class="hb-redline">红线 {agg.critical} 次</span>' if agg.critical else ""
    assert f"| {agg.percent:.1f}% {agg.grade}{red} |" in row and f"| {agg.n} 次 |" in row
    assert agg.critical == sum(1 for x in week if x.critical)            # 红线 incidents are inspections
    assert agg.grade == (S.lowest_grade if agg.critical else S.grade(agg.percent))   # the vetoed grade


def test_overview_csv_is_excel_friendly_and_parses(files):
    text = files["results/csv/overview.csv"]
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:3] == ["排名", "项目", "本周得分率"]
    assert len(rows) == 1 + len(S.organisation.projects)


def test_free_text_is_inert_everywhere(files):
    for path, text in files.items():
        if path.endswith(".md"):
            assert "<script" not in text, path
            assert "](javascript:" not in text, path
            assert "<b>" not in text, path
    quality = files["results/data-quality.md"]
    assert "&lt;script&gt;" in quality and "\\[点我\\]" in quality
    rows = list(csv.reader(io.StringIO(files["results/csv/quarantine.csv"].lstrip("\ufeff"))))
    assert rows[0] == ["来源", "行", "列", "原因", "时间"]
    assert rows[2][3] == "'=HYPERLINK(\"http://e\")"  # a spreadsheet shows it as text, never runs it


def test_no_email_address_is_ever_published():
    for allowed in (False, True):
        texts = edited("organisation.yaml", "publish_names: false", f"publish_names: {str(allowed).lower()}")
        s = load_standards(texts=texts, instruments=INSTRUMENTS).standards
        files = build_results(s, make_inspections(standards=s))
        for path, text in files.items():
            assert "@example.com" not in text and "li.si" not in text, path
        inspectors = files["results/inspectors.md"]
        assert ("李四" in inspectors) is allowed
    assert public_name("王五 wang@corp.cn", True) == "王五 （邮箱已隐藏）"
    assert public_name("王五", False) == "（不公开）"


def test_missed_patrols_and_actions_pages_list_what_scoring_found(files):
    inspections = make_inspections()
    patrols = sc.patrol_compliance(S, inspections, inspections[0].date, dt.date(2026, 11, 22))
    missed = [p for p in patrols if p.missed]
    assert f"共 {len(missed)} 条" in files["results/patrols.md"]
    actions = sc.corrective_actions(S, inspections)
    open_ = [a for a in actions if a.closed is None]
    assert f"未关闭：{len(open_)} 项" in files["results/actions.md"]


def test_assessment_cites_rules(files):
    text = files["results/assessment.md"]
    assert "参与排名：本季计入的检查（有得分率的检查）不少于 30 次（没有适用条目的检查照常列出，但不计入）" in text
    assert "| 1 |" in text


def test_charts_are_svg_with_chinese_labels_and_tables_beside(files):
    svg = files["results/charts/company-trend.svg"]
    assert svg.startswith("<svg") and "全公司每周得分率" in svg and 'viewBox="0 0 420' in svg
    assert "http://www.w3.org/2000/svg" in svg and "href=" not in svg
    assert "| 周 | 得分率 | 评级 | 检查次数 | 红线 |" in files["results/index.md"]
    pareto = files["results/charts/pareto-items.svg"]
    # 红线 items first: a cumulative share no longer reads in that order; each bar its own share
    assert "处 · 占" in pareto and "累计" not in pareto
    # the page draws the chart inline, so the site's light and dark colours apply (no white box)
    assert '<div class="hb-chart">\n<svg' in files["results/priorities.md"]
    assert 'fill="#ffffff"' not in pareto and 'font-size="11"' not in pareto


def test_empty_store_still_builds_pages():
    files = build_results(S, [], as_of=dt.date(2026, 11, 22))
    assert "共 0 次检查" in files["results/index.md"]
    assert "本季没有发现问题" in files["results/priorities.md"]
