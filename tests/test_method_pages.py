"""Method pages, training and results pages in a real site build; hostile comments stay text in Chromium."""

from __future__ import annotations

import pytest

from generator.ingest import run_ingest
from generator.ingest.run import file_source
from generator.instruments.questioning.knowledge import knowledge_generator
from generator.instruments.questionnaire.satisfaction import satisfaction_generator
from generator.site import method_pages as pages
from generator.instruments.questionnaire.survey import HOSTILE_COMMENT
from generator.results.publish import results_generator
from generator.site.site_build import build_site
from generator.standards import require_standards
from generator.context import printed_sources
from generator.instruments import INSTRUMENTS, Instrument
from generator.site.site_build import SiteContext

from conftest import ROOT
from site_helpers import copy_site_sources, output_dir, serve_directory

PRINTED = printed_sources(INSTRUMENTS)   # what the sheets' font subset covers besides the printing stage's own

DATA = ROOT / "tests" / "data" / "methods"


@pytest.fixture(scope="module")
def standards():
    return require_standards(ROOT / "standards", instruments=INSTRUMENTS)


def test_training_page_counts_sessions_per_topic(standards):
    page = pages.training_files(standards)["methods/training.md"]
    assert "| 法律法规 | 1 | 22 | 2026-11-13 |" in page
    assert page.index("2026-11-13") < page.index("2026-09-18")        # newest first
    assert "还没有培训记录的主题：行业知识" in page


def test_method_pages_link_only_what_exists(standards):
    files = pages.method_files(standards, INSTRUMENTS, existing=lambda p: p == "results/satisfaction.md")
    assert set(files) == {"methods/index.md", *(f"methods/{m}.md" for m in standards.method_clause)}
    survey_page = files["methods/survey.md"]
    assert "[客户满意度](../results/satisfaction.md)" in survey_page
    assert "在线表单尚未开通" in survey_page and "print/" not in survey_page
    exam = pages.method_files(standards, INSTRUMENTS, existing=lambda p: ["print/exam-2026Q4.pdf"] if p == "print/" else
                              p == "print/exam-2026Q4.pdf")["methods/exam.md"]
    assert "(../print/exam-2026Q4.pdf)" in exam and "(training.md)" in exam


class RecordsByPhone(Instrument):
    """An instrument that describes the method `records` (the patrol checklists describe it too)."""

    id = "records-by-phone"
    title = "电话抽查记录"

    def method_pages(self, context, links):
        return {"records": pages.MethodPage(how=["打电话请项目念出当天的投诉记录。"], often=["每月一次。"],
                                            forms=[("电话抽查表", "https://example.org/form")],
                                            results_tab=[("电话抽查结果", "results/index.md")])}


def test_each_method_page_comes_from_the_first_instrument_that_describes_it(standards):
    house = pages.method_files(standards, INSTRUMENTS)
    first = pages.method_files(standards, [RecordsByPhone(), *INSTRUMENTS])
    assert {p: t for p, t in first.items() if p != "methods/records.md"} == \
        {p: t for p, t in house.items() if p != "methods/records.md"}
    records = first["methods/records.md"]
    assert "1. 打电话请项目念出当天的投诉记录。\n" in records and "- 每月一次。\n" in records
    assert "- [电话抽查表](https://example.org/form)\n" in records and "看是否及时、完整、闭环" not in records
    assert "1. 抽查投诉记录、回访记录、报修记录，看是否及时、完整、闭环。\n" in house["methods/records.md"]
    # without instruments a method's page still lists the checklists that carry it, and no steps
    bare = pages.method_files(standards, [])["methods/onsite.md"]
    assert "- 客服中心每日巡查表：在线表单尚未开通\n" in bare and "- 按客户关系部的安排进行。\n" in bare
    assert "## 怎样做\n\n\n## 多久一次" in bare


def test_the_method_pages_results_join_the_results_tab_in_the_instruments_order(standards, tmp_path):
    ctx = SiteContext(standards, tmp_path)
    ctx.add_nav("检查结果", [{"概览": "results/index.md"}, {"检查人活动": "results/inspectors.md"},
                            {"数据质量": "results/data-quality.md"}])
    for rel in ("results/index.md", "results/satisfaction.md", "results/knowledge.md"):
        ctx.write(rel, "# x\n")
    pages.method_pages_generator([RecordsByPhone(), *INSTRUMENTS], lock_path=tmp_path / "none.yaml")(ctx)
    assert ctx.nav[0] == {"检查结果": [{"概览": "results/index.md"}, {"电话抽查结果": "results/index.md"},
                                      {"客户满意度": "results/satisfaction.md"},
                                      {"随机抽问结果": "results/knowledge.md"},
                                      {"检查人活动": "results/inspectors.md"}, {"数据质量": "results/data-quality.md"}]}
    assert ctx.nav[1]["监督方式"][0] == {"监督方式": "methods/index.md"}
    assert ctx.nav[1]["监督方式"][-1] == {"培训记录": "methods/training.md"}
    assert (tmp_path / "methods" / "records.md").read_text(encoding="utf-8").count("打电话请项目") == 1


def test_built_site_shows_results_and_keeps_a_hostile_comment_as_text(standards, tmp_path, browser):
    db = tmp_path / "store.sqlite"
    run_ingest([file_source(DATA / "customer-survey.zh-CN.csv", "customer-survey"),
                file_source(DATA / "crd-spot-check.questioning.zh-CN.csv", "crd-spot-check")],
               standards=standards, db_path=db, instruments=INSTRUMENTS)
    docs, config = copy_site_sources(tmp_path)
    out = tmp_path / "public"
    cache = ROOT / "build" / "pdf-cache"
    build_site(ROOT / "standards", out_dir=out, docs_dir=docs, config_file=config, cache_dir=cache,
               extra_generators=[results_generator(db),
                                 satisfaction_generator(db, cache_dir=cache, printed_sources=PRINTED),
                                 knowledge_generator(db, cache_dir=cache, printed_sources=PRINTED),
                                 pages.method_pages_generator(INSTRUMENTS)], instruments=INSTRUMENTS)
    for page in ("methods/survey/index.html", "methods/questioning/index.html", "methods/training/index.html",
                 "results/satisfaction/index.html", "results/knowledge/index.html"):
        assert (out / page).is_file(), page
    assert (out / "print" / "customer-survey.pdf").is_file()
    survey_html = (out / "methods" / "survey" / "index.html").read_text(encoding="utf-8")
    assert "../../print/customer-survey.pdf" in survey_html and "../../results/satisfaction/" in survey_html

    dialogs = []
    with serve_directory(out) as base:
        page = browser.new_page(viewport={"width": 390, "height": 844})
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(base + "results/satisfaction/")
        page.wait_for_load_state("networkidle")
        body = page.inner_text("article")
        assert "3.50（n=2）" in body
        assert '<script>alert("x")</script>' in body and "[点我](javascript:alert(1))" in body
        assert page.locator("article script, article img[onerror]").count() == 0
        assert page.locator("article a[href^='javascript']").count() == 0
        page.screenshot(path=str(output_dir("survey") / "satisfaction-390.png"), full_page=True)
        page.goto(base + "results/knowledge/")
        assert "50.0%" in page.inner_text("article")
        page.close()
    assert dialogs == []
    # the simulator's hostile comment (demo data) carries the same attacks this page was just checked against
    assert '<script>alert("x")</script>' in HOSTILE_COMMENT and "[点我](javascript:alert(1))" in HOSTILE_COMMENT
