"""`handbook demo` end to end: simulate, ingest, score, build; results pages in headless Chromium."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.store import read_inspections
from generator.results import scoring as sc
from generator.results.fix_reports import read_fix_reports
from generator.results.report_pages import split_note
from generator.instruments.patrol.simulate import HOSTILE_NOTE, ITEM_NOTES
from generator.standards import load_standards
from generator.instruments import INSTRUMENTS

from conftest import DEMO_END, DEMO_START, STANDARDS
from site_helpers import copy_site_sources, offline_context, output_dir, serve_directory

S = load_standards(STANDARDS, instruments=INSTRUMENTS).standards
START, END = dt.date(2026, 10, 5), dt.date(2026, 11, 22)


@pytest.fixture(scope="module")
def demo(demo_site):
    """The session's demo build (conftest.demo_site, built once for every browser test)."""
    assert (DEMO_START, DEMO_END) == (START, END)
    return demo_site


def test_demo_ingests_everything_and_builds_results(demo):
    root, report = demo
    total = report.ingest.total
    assert total["read"] == total["new"] + total["quarantined"] and total["new"] > 1000
    assert total["quarantined"] == 0
    # the demo looks like real use: no test strings in its notes (hostile text is tested with its own data:
    # tests/test_published_text.py), and each note names a problem of an item its inspection found there
    inspections = read_inspections(report.store)
    notes = [(i, number, text) for i in inspections for number, text in i.notes.items() if text]
    assert len(notes) > 100 and not [text for _, _, text in notes if "<" in text or "alert" in text]
    # a note names the item it is about (`4.2.2.1-x3：接听电话未使用规范用语`) and is shown under
    # that item only, so each part must belong to an item found in the note's section
    for i, number, text in notes:
        found = [code for code, n in i.findings.items() if n and code.startswith(number + ".")]
        parts, rest = split_note(text)
        assert parts and rest == "", (number, text)
        assert all(code in found and part in ITEM_NOTES[code] for code, part in parts.items()), (number, text, found)
    public = root / "public"
    for page in ("results/index.html", "results/priorities/index.html", "results/patrols/index.html",
                 "results/actions/index.html", "results/assessment/index.html", "results/inspectors/index.html",
                 "results/data-quality/index.html", "results/weeks/2026-W47/index.html",
                 "results/projects/wutong/index.html", "results/csv/overview.csv"):
        assert (public / page).exists(), page
    # weekly archives and project pages stay out of the navigation, reachable from index pages
    overview = (public / "results/index.html").read_text(encoding="utf-8")
    nav = overview.split('class="md-content"')[0]
    assert "2026-W47" not in nav and "weeks/" in overview


def test_overview_shows_the_scores_of_the_store(demo):
    root, report = demo
    inspections = read_inspections(report.store)
    monday = sc.week_start(END)
    week = [sc.score_inspection(S, i) for i in inspections
            if i.project == "lanting" and monday <= i.date <= END]
    agg = sc.aggregate(S, week)
    html = (root / "public/results/index.html").read_text(encoding="utf-8")
    row = next(r for r in html.split("<tr>") if ">兰亭雅居</a>" in r and "次</td>" in r)   # the week's table
    assert f"{agg.percent:.1f}% {agg.grade}" in row and f">{agg.n} 次</td>" in row


def test_two_builds_from_the_same_store_are_byte_identical(demo, tmp_path):
    from generator.results.publish import results_generator
    from generator.site.site_build import build_site

    root, report = demo
    outputs = []
    for k in range(2):
        docs, config = copy_site_sources(tmp_path / f"b{k}")
        build_site(STANDARDS, out_dir=tmp_path / f"b{k}" / "public", docs_dir=docs, config_file=config,
                   extra_generators=[results_generator(report.store)], instruments=INSTRUMENTS)
        outputs.append({p.relative_to(tmp_path / f"b{k}" / "public"): p.read_bytes()
                        for p in sorted((tmp_path / f"b{k}" / "public/results").rglob("*")) if p.is_file()})
    assert outputs[0].keys() == outputs[1].keys() and len(outputs[0]) > 50
    different = [str(k) for k in outputs[0] if outputs[0][k] != outputs[1][k]]
    assert different == []


def test_results_pages_in_chromium_phone_and_hostile_text(demo, browser):
    root, _ = demo
    shots = output_dir("results")
    blocked: list[str] = []
    with serve_directory(root / "public") as base:
        context = offline_context(browser, base, blocked, viewport={"width": 390, "height": 844})
        page = context.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        for path in ("results/", "results/projects/wutong/", "results/priorities/", "results/data-quality/"):
            response = page.goto(base + path)
            assert response.status == 200, path
            assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
            page.screenshot(path=str(shots / (path.strip("/").replace("/", "_") + "-390.png")))
        # charts render at phone width with a real size
        page.goto(base + "results/projects/wutong/")
        # (drawn inline, so the light and dark colours apply)
        box = page.locator(".hb-chart svg[aria-label^='梧桐苑 每周得分率']").bounding_box()
        assert box and 300 <= box["width"] <= 390 and box["height"] > 100
        # links to items land on the item
        page.goto(base + "results/priorities/")
        page.locator("article a[href*='#4.2.']").first.click()
        page.wait_for_load_state()
        anchor = page.evaluate("decodeURIComponent(location.hash.slice(1))")
        assert re.fullmatch(r"4\.2\.[\d.]+(-\w+)?", anchor) and page.locator(f"[id='{anchor}']").count() == 1
        # the owners' comments of the demo are plausible ones, no test strings (hostile comments are shown
        # as text: tests/test_method_pages.py)
        page.goto(base + "results/satisfaction/")
        body = page.locator("article").inner_text()
        assert "<script>" not in body and "alert(" not in body and "onerror" not in body
        assert page.locator("article script").count() == 0
        # the data-quality page says which row, column and why, never what the cell held
        page.goto(base + "results/data-quality/")
        assert "alert" not in page.locator("article").inner_text()
        context.close()
    assert dialogs == []
    assert blocked == []


def test_export_cli_from_the_demo_store(demo, tmp_path):
    _, report = demo
    runner = CliRunner()
    result = runner.invoke(main, ["export", "--table", "project_weeks", "--store", str(report.store),
                                  "--standards", str(STANDARDS)])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert {"project", "week", "inspections", "earned", "possible", "percent", "grade", "critical"} == set(rows[0])
    xlsx = tmp_path / "actions.xlsx"
    result = runner.invoke(main, ["export", "--table", "actions", "--format", "xlsx", "--output", str(xlsx),
                                  "--store", str(report.store), "--standards", str(STANDARDS)])
    assert result.exit_code == 0 and xlsx.read_bytes()[:2] == b"PK"
    missing = runner.invoke(main, ["export", "--table", "actions", "--store", str(tmp_path / "none.sqlite"),
                                   "--standards", str(STANDARDS)])
    assert missing.exit_code == 1 and missing.output.startswith("错误：找不到数据库")


def test_hostile_note_constant_is_really_hostile():
    assert "<script>" in HOSTILE_NOTE and "onerror" in HOSTILE_NOTE and "javascript:" in HOSTILE_NOTE


def test_build_handbook_only_has_no_results_and_build_with_store_has_them(demo, tmp_path):
    root, report = demo
    docs, config = copy_site_sources(tmp_path)
    common = ["--standards", str(STANDARDS), "--docs", str(docs), "--config", str(config)]
    full = CliRunner().invoke(main, ["build", "--out", str(tmp_path / "full"), "--store", str(report.store), *common])
    assert full.exit_code == 0, full.output
    assert (tmp_path / "full/results/index.html").exists()
    only = CliRunner().invoke(main, ["build", "--handbook-only", "--out", str(tmp_path / "only"), *common])
    assert only.exit_code == 0, only.output
    assert not (tmp_path / "only/results").exists() and (tmp_path / "only/standards").exists()
    home = (tmp_path / "only/index.html").read_text(encoding="utf-8")
    assert "检查结果" not in home.split('class="md-content"')[0]
    assert 'href="results/"' not in home and "only-with" not in home       # no card linking to no results
    full_home = (tmp_path / "full/index.html").read_text(encoding="utf-8")
    assert '<a href="results/">检查结果</a>' in full_home and "only-with" not in full_home
    for html in (tmp_path / "full").rglob("*.html"):
        assert "@example.com" not in html.read_text(encoding="utf-8")


@pytest.mark.slow
def test_empty_store_says_there_is_no_data_yet(tmp_path):
    from generator import store

    docs, config = copy_site_sources(tmp_path)
    empty = tmp_path / "empty.db"     # a store no response has reached yet (a missing --store is an error)
    conn = store.connect(empty)
    store.begin(conn, empty)
    conn.execute("COMMIT")
    conn.close()
    result = CliRunner().invoke(main, ["build", "--out", str(tmp_path / "pub"), "--store", str(empty),
                                       "--standards", str(STANDARDS), "--docs", str(docs), "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert f"读取数据库 {empty}：评分 0 次检查。" in result.output.splitlines()
    text = (tmp_path / "pub/results/index.html").read_text(encoding="utf-8")
    assert "共 0 次检查" in text and "暂无检查数据" in text


def test_project_patrol_sheet_prints_its_focus_list(demo):
    from pypdf import PdfReader

    from generator.results.focus import focus_list

    root, report = demo
    inspections = read_inspections(report.store)
    # actions follow the projects' fix reports (the build reads them from the store; without them
    # every finding not corrected on the spot would look overdue, which the sheet does not print)
    actions = sc.corrective_actions(S, inspections, read_fix_reports(report.store))
    as_of = max(i.date for i in inspections)
    expected = focus_list(S, "wutong", inspections, actions, as_of, checklist="daily-patrol")
    assert expected, "the demo data gives wutong something to focus on"
    whole = focus_list(S, "wutong", inspections, actions, as_of)
    reader = PdfReader(root / "public/print/daily-patrol--wutong.pdf")
    text = "".join(page.extract_text() for page in reader.pages).replace("\n", "")
    assert "本项目重点检查" in text
    for entry in expected[:5]:
        assert (entry.code or entry.text[:6]) in text
    # what the patrol cannot check, or what did not fit, is counted and left to the project page
    assert len(whole) > min(len(expected), 5)
    assert f"另有 {len(whole) - min(len(expected), 5)} 项，见项目页" in text
    assert len(reader.pages) == 1  # still one sheet of paper
    blank = "".join(p.extract_text() for p in PdfReader(root / "public/print/daily-patrol.pdf").pages)
    assert "本项目重点检查" not in blank
