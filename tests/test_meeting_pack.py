"""The 品质例会 pack on the session's demo build, read back with pdftotext: the weekly
report's table of every project, the effect of the meeting decisions, the space for this meeting's decisions,
红线 vetoes named as such; the quarter's assessment as an A4 PDF with every column."""

from __future__ import annotations

import datetime as dt
import re
import subprocess

import pytest

from generator.store import read_inspections
from generator.results import scoring as sc
from generator.standards import load_standards
from generator.instruments import INSTRUMENTS

from conftest import DEMO_END, STANDARDS

S = load_standards(STANDARDS, instruments=INSTRUMENTS).standards
MONDAY = sc.week_start(DEMO_END)


def pdf_text(path) -> str:
    """The PDF's text as pdftotext reads it, without white space (CJK lines wrap inside table cells)."""
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return re.sub(r"\s+", "", out.stdout)


def pdf_lines(path) -> list[str]:
    """The PDF's lines as laid out on the page (a table row of one line is one line), without white space."""
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True)
    return [re.sub(r"\s+", "", line) for line in out.stdout.splitlines()]


@pytest.fixture(scope="module")
def demo(demo_site):
    root, report = demo_site
    scores = sc.score_inspections(S, read_inspections(report.store))
    return root / "public", scores


def test_weekly_report_lists_every_project_and_the_meetings(demo):
    public, scores = demo
    text = pdf_text(public / "results/weekly-report.pdf")
    lines = pdf_lines(public / "results/weekly-report.pdf")
    assert "各项目本周情况" in text
    assert "项目本周得分率环比（百分点）本周红线巡查完成率未整改/逾期近4周客户满意度" in lines
    week = [x for x in scores if MONDAY <= x.inspection.date <= DEMO_END]
    for p in S.organisation.projects:
        agg = sc.aggregate(S, [x for x in week if x.inspection.project == p.id])
        verdict = "红线否决" if agg.critical else agg.grade
        row = [line for line in lines if line.startswith(f"{p.name}{agg.percent:.1f}%{verdict}")]
        assert len(row) == 1, p.name
        assert f"{agg.critical}次" in row[0]
    assert "四、本周评为不合格的项目（得分率低于合格线或红线否决）" in text
    failed = [p for p in S.organisation.projects
              if sc.aggregate(S, [x for x in week if x.inspection.project == p.id]).grade == S.lowest_grade]
    for p in failed:
        n = sum(1 for x in week if x.critical and x.inspection.project == p.id)
        reason = f"红线否决：红线问题{n}次" if n else "得分率低于合格线"
        assert [line for line in lines if line.startswith(p.name) and line.endswith(reason)], p.name
    if not failed:
        assert "本周没有评为不合格的项目。" in text
    # the 11-02 decision on 4.2.1.2-a (all projects): inspections that checked it and found a problem,
    # the four weeks before the meeting and since, counted here from the scores
    day = dt.date(2026, 11, 2)

    def share(first, last):
        checked = [x.inspection.findings["4.2.1.2-a"] for x in scores if first <= x.inspection.date <= last
                   and x.inspection.findings.get("4.2.1.2-a") is not None]
        return sum(1 for f in checked if f), len(checked)
    before, after = share(day - dt.timedelta(weeks=4), day - dt.timedelta(days=1)), share(day, DEMO_END)
    assert before[1] > 0 and after[1] > 0
    # (a table cell of two lines is read beside its neighbours': each part on its own)
    assert ("十一月品质例会2026-11-02多个项目前台地面卫生反复被扣分，要求每日两次巡查重点查看。"
            "全部项目4.2.1.2-a地面干净") in text
    change = round(after[0] / after[1] * 100 - before[0] / before[1] * 100, 1)
    effect = "持平" if change == 0 else f"下降{-change:.1f}百分点" if change < 0 else f"上升{change:.1f}百分点"
    for part in (f"{before[0]}/{before[1]}", f"（{before[0] / before[1] * 100:.1f}%）", f"{after[0]}/{after[1]}",
                 f"（{after[0] / after[1] * 100:.1f}%）", effect):
        assert part in text, part
    assert "香树湾前台接待时有客户排队无人引导，请项目经理跟进。香树湾—无对应条目：会上口头汇报" in text
    assert "七、本次例会决定（会上填写）" in text and "序号决定事项项目/条目责任人完成期限" in lines
    assert [line for line in lines if line in {"1", "2", "3", "4", "5"}] == ["1", "2", "3", "4", "5"]


def test_the_quarters_assessment_is_an_a4_pdf_with_every_column(demo):
    public, scores = demo
    path = public / "results/assessment.pdf"
    from pypdf import PdfReader

    pdf = PdfReader(path)
    width, height = (float(v) for v in pdf.pages[0].mediabox.upper_right)
    assert (round(width), round(height)) == (595, 842)       # A4 in points
    text = pdf_text(path)
    assert "2026年第四季度（暂定）考核建议" in text and "供客户关系部审定" in text
    lines = pdf_lines(path)
    assert "排名项目检查次数得分率评级红线巡查完成率逾期整改" in lines
    quarter = [x for x in scores if dt.date(2026, 10, 1) <= x.inspection.date <= DEMO_END]
    vetoed = 0
    for p in S.organisation.projects:
        agg = sc.aggregate(S, [x for x in quarter if x.inspection.project == p.id])
        # the overdue count may have two digits: actions fixed late count too (金桥公寓: 11)
        row = [line for line in lines if re.fullmatch(rf"\d{p.name}{agg.n}{agg.percent:.1f}%.*\d次.*%\d+项", line)]
        assert len(row) == 1, p.name
        # a 红线 veto is named as such, with the number of incidents
        assert ("（红线否决）" in row[0]) == bool(agg.critical), p.name
        assert f"{agg.critical}次" in row[0]
        vetoed += bool(agg.critical)
    assert vetoed >= 1, "the demo quarter has a 红线 incident"
    assert "三、自查与抽查" in text and "四、审定意见" in text
    page = (public / "results/assessment/index.html").read_text(encoding="utf-8")
    assert 'href="../assessment.pdf"' in page and "打印版（A4 PDF，供客户关系部审定）" in page


def embedded_fonts(path) -> set[str]:
    """The base names of the fonts a PDF embeds, without the subset tag (`ABCDEF+`)."""
    from pypdf import PdfReader

    names = set()
    for page in PdfReader(path).pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]).split("+", 1)[-1])
    return names


def test_the_reports_render_in_the_workers_from_the_font_subset_and_then_from_the_cache(demo_site, tmp_path):
    from generator.printing.pdf import deferred_rendering
    from generator.results.publish import ASSESSMENT_PDF, finish_results_generator, results_generator
    from generator.results.report_pages import WEEKLY_REPORT
    from generator.site.site_build import SiteContext

    root, report = demo_site
    published = root / "public"
    cache, site = tmp_path / "cache", tmp_path / "site"
    (site / "results").mkdir(parents=True)

    def build(docs):
        ctx = SiteContext(S, docs)
        with deferred_rendering() as pending:
            results_generator(report.store, lock_path=report.lock)(ctx)
            finish_results_generator(report.store, INSTRUMENTS, cache_dir=cache)(ctx)
        assert {WEEKLY_REPORT, ASSESSMENT_PDF} <= set(ctx.written)
        return pending

    docs = tmp_path / "docs"
    pending = build(docs)
    # queued for the workers: the pages link placeholders while the engine runs
    assert sorted(job[2] for job in pending.jobs) == sorted(str(docs / p) for p in (WEEKLY_REPORT, ASSESSMENT_PDF))
    assert (docs / WEEKLY_REPORT).stat().st_size == 0
    pending.start()
    assert pending.finish(docs, site) == 2
    for name in (WEEKLY_REPORT, ASSESSMENT_PDF):
        pdf = site / name
        assert pdf.read_bytes() == (docs / name).read_bytes()
        assert pdf_text(pdf) == pdf_text(published / name)
        # every character is in the subset: the full system font (20 MB) is never loaded nor embedded
        assert embedded_fonts(pdf) == {"Handbook-Sans-CJK", "Handbook-Sans-CJK-Bold"}, name
    again = build(tmp_path / "again")
    assert again.jobs == []      # unchanged text: both from the PDF cache
    for name in (WEEKLY_REPORT, ASSESSMENT_PDF):
        assert (tmp_path / "again" / name).read_bytes() == (docs / name).read_bytes()
