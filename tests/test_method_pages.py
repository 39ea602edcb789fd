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
from generator.instruments import INSTRUMENTS

from conftest import ROOT
from site_helpers import chromium, copy_site_sources, output_dir, serve_directory

DATA = ROOT / "tests" / "data" / "methods"


@pytest.fixture(scope="module")
def standards():
    return require_standards(ROOT / "standards")


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


def test_built_site_shows_results_and_keeps_a_hostile_comment_as_text(standards, tmp_path):
    db = tmp_path / "store.sqlite"
    run_ingest([file_source(DATA / "customer-survey.zh-CN.csv", "customer-survey"),
                file_source(DATA / "crd-spot-check.questioning.zh-CN.csv", "crd-spot-check")],
               standards=standards, db_path=db, instruments=INSTRUMENTS)
    docs, config = copy_site_sources(tmp_path)
    out = tmp_path / "public"
    cache = ROOT / "build" / "pdf-cache"
    build_site(ROOT / "standards", out_dir=out, docs_dir=docs, config_file=config, cache_dir=cache,
               extra_generators=[results_generator(db), satisfaction_generator(db, cache_dir=cache),
                                 knowledge_generator(db, cache_dir=cache), pages.method_pages_generator(INSTRUMENTS)])
    for page in ("methods/survey/index.html", "methods/questioning/index.html", "methods/training/index.html",
                 "results/satisfaction/index.html", "results/knowledge/index.html"):
        assert (out / page).is_file(), page
    assert (out / "print" / "customer-survey.pdf").is_file()
    survey_html = (out / "methods" / "survey" / "index.html").read_text(encoding="utf-8")
    assert "../../print/customer-survey.pdf" in survey_html and "../../results/satisfaction/" in survey_html

    dialogs = []
    with serve_directory(out) as base, chromium() as browser:
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
    assert dialogs == []
    # the simulator's hostile comment (demo data) carries the same attacks this page was just checked against
    assert '<script>alert("x")</script>' in HOSTILE_COMMENT and "[点我](javascript:alert(1))" in HOSTILE_COMMENT
