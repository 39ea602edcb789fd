"""The results in Chromium, on the session's demo build (conftest.demo_site): what a 客户关系部 manager preparing the
weekly 品质例会 sees at 1366 px and on a 390 px phone, the search, the words on staff pages, the weekly report."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import re

import pytest
from pypdf import PdfReader

from generator.store import read_inspections
from generator.results import scoring as sc
from generator.results.fix_reports import read_fix_reports
from generator.standards import load_standards
from generator.instruments import INSTRUMENTS

from conftest import DEMO_END, STANDARDS
from site_helpers import offline_context, output_dir, search_entries, search_in_browser, serve_directory

S = load_standards(STANDARDS, instruments=INSTRUMENTS).standards
PHONE, DESK = {"width": 390, "height": 844}, {"width": 1366, "height": 900}
MONDAY = sc.week_start(DEMO_END)
Q_START, Q_END = sc.quarter_bounds(sc.quarter_of(DEMO_END))


@pytest.fixture(scope="module")
def site(demo_site, browser):
    root, report = demo_site
    scores = sc.score_inspections(S, read_inspections(report.store))
    with serve_directory(root / "public") as base:
        yield dict(base=base, browser=browser, public=root / "public", scores=scores, store=report.store)


@pytest.fixture(params=[DESK, PHONE], ids=["1366", "390"])
def page(site, request):
    blocked: list[str] = []
    context = offline_context(site["browser"], site["base"], blocked, viewport=request.param)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda e: errors.append(str(e)))
    tab.width = request.param["width"]
    yield tab
    context.close()
    assert blocked == [] and errors == []


def go(site, page, path):
    response = page.goto(site["base"] + path)
    assert response.status == 200, path
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.documentElement.scrollWidth") <= page.width, f"{path} scrolls sideways"


def shot(page, name):
    page.screenshot(path=str(output_dir("results-managers") / f"{name}-{page.width}.png"), full_page=True)


def week_scores(site, monday, project=None):
    return [x for x in site["scores"] if monday <= x.inspection.date <= monday + dt.timedelta(days=6)
            and (project is None or x.inspection.project == project)]


def quarter_incidents(site, project=None):
    return sorted((x for x in site["scores"] if x.critical and Q_START <= x.inspection.date <= Q_END
                   and (project is None or x.inspection.project == project)),
                  key=lambda x: (x.inspection.date, x.inspection.submitted_at), reverse=True)


# ---------------------------------------------------------------- the overview

def test_overview_answers_this_week_in_one_screen(site, page):
    go(site, page, "results/")
    now, before = week_scores(site, MONDAY), week_scores(site, MONDAY - dt.timedelta(days=7))
    cards = page.locator(".hb-kpi")
    assert cards.count() == 8      # six from the inspections, satisfaction, the latest exam
    labels = [x.strip() for x in page.locator(".hb-kpi .hb-kpi__label:first-child").all_inner_texts()]
    assert labels == ["本周检查次数", "本周得分率", "本周红线问题", "本周不合格检查", "本周巡查完成率",
                      "本周整改及时率", "本周客户满意度", "最近一次考试及格率"]
    first = cards.nth(0).inner_text()
    delta = len(now) - len(before)
    assert f"{len(now)} 次" in first and f"上周 {len(before)} 次" in first
    assert (f"{'↑' if delta > 0 else '↓'} {abs(delta)} 次" if delta else "→ 持平") in first
    red_now = sum(1 for x in now if x.critical)
    red = cards.nth(2)
    assert f"{red_now} 次" in red.inner_text() and red.get_attribute("href") == "redline/"
    agg_now, agg_before = sc.aggregate(S, now), sc.aggregate(S, before)
    change = round(agg_now.percent - agg_before.percent, 1)
    assert f"{agg_now.percent:.1f}%" in cards.nth(1).inner_text()
    assert f"{abs(change):g} 百分点" in cards.nth(1).inner_text()
    # every figure is on the first screen, phone included
    bottoms = cards.evaluate_all("els => els.map(e => e.getBoundingClientRect().bottom)")
    assert max(bottoms) <= page.viewport_size["height"]
    for k in range(8):
        assert cards.nth(k).is_visible()
    shot(page, "overview")
    # the weekly report is one tap away and is there
    report = page.locator("article a[href$='weekly-report.pdf']")
    assert report.inner_text().startswith("下载本周品质例会周报")
    assert page.request.get(site["base"] + "results/weekly-report.pdf").status == 200
    red.click()
    page.wait_for_load_state()
    assert page.url.endswith("/results/redline/") and page.locator("h1").inner_text().rstrip("¶") == "红线问题"


def test_ranking_keeps_its_key_columns_on_a_phone(site, page):
    go(site, page, "results/")
    table = page.locator("article table").first
    heads = [h.strip() for h in table.locator("th").all_inner_texts()]
    assert heads == ["排名", "项目", "本季得分率", "本季红线", "本周巡查完成率"]
    wrap = page.locator("article .md-typeset__scrollwrap").first
    assert wrap.evaluate("e => e.scrollWidth <= e.clientWidth")       # nothing to scroll to
    for k in range(len(heads)):
        box = table.locator("th").nth(k).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= page.width, heads[k]
    rows = {r.locator("td").nth(1).inner_text(): r.locator("td").nth(3).inner_text()
            for r in table.locator("tbody tr").all()}
    for p in S.organisation.projects:
        n = len(quarter_incidents(site, p.id))
        assert rows[p.name] == (f"{n} 次" if n else "0"), p.name


# ---------------------------------------------------------------- a project, the 红线 page, the assessment

def test_project_page_starts_with_its_red_lines_and_lists_findings(site, page):
    go(site, page, "results/projects/wutong/")
    incidents = quarter_incidents(site, "wutong")
    heading = page.locator("h2#redline")
    assert heading.inner_text().startswith(f"红线问题（2026 年第四季度，{len(incidents)} 次）")
    assert heading.bounding_box()["y"] < page.viewport_size["height"]        # on the first screen
    first = page.locator("h2#redline + section > ul > li").first
    assert first.inner_text().startswith(f"{incidents[0].inspection.date} · ")
    assert "红线" in first.inner_text() and "当场纠正：" in first.inner_text() and "整改：" in first.inner_text()
    # 最近的检查: findings with the item linked to the standard, points deducted and 当场纠正
    recent = page.locator("h2#recent + section > ul").first
    link = recent.locator("a[href*='standards/4.2.']").first
    assert re.fullmatch(r"4\.2\.[\d.]+(-\w+)?", link.inner_text())
    finding = recent.locator("li li").first.inner_text()
    assert re.search(r"：\d+ 处，扣 [\d.]+ 分", finding) and "当场纠正：" in finding
    # 自查与抽查 on the items both checklists hold (the daily patrol's), the gap worked out from the store
    quarter = [x for x in site["scores"] if x.inspection.project == "wutong" and Q_START <= x.inspection.date]
    common = {i.code for i in S.checklist_items("daily-patrol")}

    def pooled(xs):
        pairs = [sc.item_score(S.items[c], f) for x in xs for c, f in x.inspection.findings.items() if c in common]
        return sum(e for e, _ in pairs) / sum(p for _, p in pairs) * 100, len(xs)
    own, n_own = pooled([x for x in quarter if x.inspection.role in ("cs_supervisor", "project_manager")])
    spot, n_spot = pooled([x for x in quarter if x.inspection.role == "crd"])
    row = page.locator("h2#self-check + section table tbody tr").first.inner_text()
    assert f"{own:.1f}%（{n_own} 次）" in row and f"{spot:.1f}%（{n_spot} 次）" in row
    assert f"{own - spot:+.1f}" in row
    if page.width == 1366:   # the navigation links the projects' index, not every project (no page grows with them)
        assert page.locator("nav.md-nav--primary a[href$='../lanting/']").count() == 0
        assert page.locator("nav.md-nav--primary a", has_text=re.compile(r"^\s*项目\s*$")).count() >= 1
        assert page.locator("article a", has_text="全部项目").first.get_attribute("href") in ("../", "../index.html")
    shot(page, "project-wutong")


def test_red_line_page_lists_every_incident_newest_first(site, page):
    go(site, page, "results/redline/")
    incidents = quarter_incidents(site)
    items = page.locator("h2#quarter + section > ul > li")
    assert items.count() == len(incidents) > 0
    for k in (0, len(incidents) - 1):
        text = items.nth(k).inner_text()
        i = incidents[k].inspection
        assert text.startswith(f"{i.date} · {S.projects[i.project].name} · ")
        assert all(f"{code} " in text for code in incidents[k].critical)
        assert "当场纠正：" in text and "整改：" in text
    assert items.nth(0).locator(".hb-redline").first.inner_text() == "红线"    # said in words, not colour alone
    shot(page, "redline")


def test_assessment_shows_the_red_line_beside_the_grade(site, page):
    go(site, page, "results/assessment/")
    table = page.locator("article table").first
    heads = [h.strip() for h in table.locator("th").all_inner_texts()]
    grade, red = heads.index("评级"), heads.index("红线")
    rows = table.locator("tbody tr").all()
    assert len(rows) == len(S.organisation.projects)
    vetoed = 0
    for r in rows:
        cells = r.locator("td").all_inner_texts()
        if cells[red].strip() != "0":
            vetoed += 1
            assert cells[grade].strip() == f"{S.lowest_grade} 红线否决", cells
        else:
            assert "红线否决" not in cells[grade]
    assert vetoed == len({x.inspection.project for x in quarter_incidents(site)}) > 0
    suggestions = page.locator("h2#建议 + section > ul").inner_text()
    for r in rows:
        cells = r.locator("td").all_inner_texts()
        if "优秀" in cells[grade]:   # 优秀 never beside a 处罚 suggestion
            assert f"{cells[1]} · 处罚" not in suggestions
    shot(page, "assessment")


def test_charts_read_in_dark_mode_with_labels_of_11_px(site):
    blocked: list[str] = []
    context = offline_context(site["browser"], site["base"], blocked, viewport=PHONE, color_scheme="dark")
    page = context.new_page()
    page.goto(site["base"] + "results/")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == "slate"
    chart = page.locator(".hb-chart svg").first
    assert chart.get_attribute("aria-label").startswith("全公司每周得分率（近")
    fill = chart.locator("text.hb-chart__muted").first.evaluate("e => getComputedStyle(e).fill")
    assert min(int(c) for c in re.findall(r"\d+", fill)[:3]) > 150, fill           # light text on dark
    assert chart.locator("rect[fill='#ffffff'], rect[fill='white']").count() == 0  # no white box
    scale = chart.evaluate("e => e.getBoundingClientRect().width / e.viewBox.baseVal.width")
    sizes = chart.locator("text").evaluate_all("els => els.map(e => +e.getAttribute('font-size'))")
    assert min(sizes) * scale >= 11, (min(sizes), scale)
    page.screenshot(path=str(output_dir("results-managers") / "overview-390-dark.png"), full_page=True)
    context.close()
    assert blocked == []


def test_a_wide_table_says_it_scrolls_and_takes_the_keyboard(site):
    blocked: list[str] = []
    context = offline_context(site["browser"], site["base"], blocked, viewport=PHONE)
    page = context.new_page()
    page.goto(site["base"] + "results/")
    page.wait_for_load_state("networkidle")
    # the overview's tables fit a 390 px phone; a table with longer words would not: make one so
    assert page.locator(".md-typeset__scrollwrap[tabindex='0'], .hb-scroll-hint").count() == 0
    page.add_style_tag(content="article table th { min-width: 9rem; white-space: nowrap; }")
    page.evaluate("window.dispatchEvent(new Event('resize'))")
    page.wait_for_timeout(400)
    wide = page.locator(".md-typeset__scrollwrap[tabindex='0']")
    assert wide.count() >= 1
    assert wide.first.get_attribute("role") == "region" and "可左右滑动" in wide.first.get_attribute("aria-label")
    hint = wide.first.locator("xpath=preceding-sibling::*[1]")
    assert hint.inner_text() == "← 表格较宽，可左右滑动查看 →" and hint.is_visible()
    wide.first.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_timeout(200)
    assert wide.first.evaluate("e => e.scrollLeft") > 0
    context.close()
    assert blocked == []


# ---------------------------------------------------------------- finding things

def test_home_has_a_results_card_and_the_footer_the_maintenance_notes(site, page):
    go(site, page, "")
    card = page.locator(".hb-card h3 a", has_text="检查结果")
    assert card.get_attribute("href") == "results/"      # (a build without results has no such card)
    footer = page.locator("footer a", has_text="维护说明")
    assert footer.count() == 1
    footer.click()
    page.wait_for_load_state()
    assert page.url.endswith("/maintain/") and page.locator("h1").inner_text().rstrip("¶") == "维护说明"
    tab = page.locator(".md-tabs__link", has_text="检查结果") if page.width > 1000 else None
    if tab is not None:
        tab.click()
        page.wait_for_load_state()
        nav = page.locator("nav.md-nav--primary").inner_text()
        for title in ("红线问题", "项目", "客户满意度", "随机抽问结果", "季度考试"):
            assert title in nav, title


def test_search_index_holds_no_results_and_finds_items_first(site):
    entries = search_entries(site["public"])
    locations = [d["location"] for d in entries]
    # results pages: their titles and headings only (tests/test_finding_things.py), never a row
    assert locations and not [x for x in locations if x.startswith("maintain/")]
    assert not [d["location"] for d in entries if d["location"].startswith("results/") and d["text"].strip()]
    assert any(x.startswith("standards/4.2.2/") for x in locations)
    blocked: list[str] = []
    context = offline_context(site["browser"], site["base"], blocked, viewport=DESK)
    page = context.new_page()
    hrefs = search_in_browser(page, site["base"], "仪容")
    assert "/standards/4.2.2/?h=" in hrefs[0]
    anchored = [h for h in hrefs if "#" in h]
    assert anchored[0].endswith("#4.2.2.1-x1"), hrefs     # the item whose keywords hold the word, first
    context.close()
    assert blocked == []


# words of the people who maintain the handbook: commands, file and key names, ids, codes, time zones
DEVELOPER_WORDS = re.compile(
    r"\bhandbook\b|\.ya?ml\b|\byaml\b|\bpublish_names\b|\bresponder_url\b|--[a-z]|\b[a-z]+_[a-z_]+\b"
    r"|\b(daily-patrol|crd-spot-check|customer-survey|exam-\d{4}Q\d)\b|\b\d{4}Q[1-4]\b|\b\d{4}-W\d\d\b"
    r"|\bAsia/|\bUTC\b|\b(wutong|lanting|binjiang|xiangshu|jinqiao|yuelan|qingyuan|haitang|crd|cs_staff)\b")


def test_no_user_page_shows_a_command_a_yaml_name_or_an_id(site):
    public = site["public"]
    pages = [p for p in public.rglob("*.html")
             if not p.relative_to(public).as_posix().startswith(("maintain/", "print/", "assets/", "404"))]
    assert len(pages) > 40
    found = {}
    for p in pages:
        text = p.read_text(encoding="utf-8")
        body = text.split('<article class="md-content__inner md-typeset">', 1)[1].split("</article>", 1)[0]
        title = re.search(r"<title>(.*?)</title>", text).group(1)
        words = html_lib.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<svg\b[^>]*>", " ", body))) + " " + title
        hits = sorted({m.group(0) for m in DEVELOPER_WORDS.finditer(words)})
        if hits:
            found[p.relative_to(public).as_posix()] = hits
    assert found == {}
    # the maintenance notes do carry them, and the check would see them
    notes = (public / "maintain/weekly/index.html").read_text(encoding="utf-8")
    assert DEVELOPER_WORDS.search(html_lib.unescape(re.sub(r"<[^>]+>", " ", notes)))


def test_forms_not_yet_published_say_so_and_nothing_more(site):
    # the demo's lock has every checklist and the questionnaire (演示 links), not the quarter's exam quiz
    text = (site["public"] / "methods/exam/index.html").read_text(encoding="utf-8")
    assert "在线表单尚未开通" in text and "exam push" not in text and "handbook exam" not in text


# ---------------------------------------------------------------- the weekly report

def test_weekly_report_pdf_text_and_pages(site):
    pdf = PdfReader(site["public"] / "results/weekly-report.pdf")
    text = "\n".join(p.extract_text() for p in pdf.pages)
    flat = re.sub(r"\s+", "", text)
    # the meeting pack gives the 周报 a table of every project and sections 六 and 七 (the decisions'
    # effect, the space for this meeting's decisions): 2 pages, although few actions are overdue
    assert len(pdf.pages) == 2
    assert pdf.metadata.title == "客服服务品质周报 2026 年第 47 周"
    root = pdf.trailer["/Root"]
    assert root["/Lang"] == "zh-CN" and root["/MarkInfo"]["/Marked"]       # tagged, in Chinese
    assert "客服服务品质周报" in flat and "2026年第47周（11月16日–11月22日）" in flat
    for heading in ("一、本周概览", "二、本周红线问题", "三、本周问题最多的条目（红线条目在前）",
                    "四、本周评为不合格的项目（得分率低于合格线或红线否决）", "五、逾期未整改",
                    "六、例会决定的跟进效果", "七、本次例会决定（会上填写）"):
        assert heading in flat, heading
    now = week_scores(site, MONDAY)
    incidents = [x for x in now if x.critical]
    assert f"二、本周红线问题（{len(incidents)}次；2026年第四季度累计{len(quarter_incidents(site))}次）" in flat
    for x in incidents:
        assert f"{x.inspection.date}{S.projects[x.inspection.project].name}" in flat
    assert f"本周检查次数{len(now)}次" in flat
    actions = sc.corrective_actions(S, [x.inspection for x in site["scores"]], read_fix_reports(site["store"]))
    overdue = [a for a in actions if a.overdue(DEMO_END)]
    assert overdue and f"五、逾期未整改（{len(overdue)}项）" in flat


def test_printed_sheets_are_tagged_with_language_and_title(site):
    pdf = PdfReader(site["public"] / "print/daily-patrol.pdf")
    root = pdf.trailer["/Root"]
    assert root["/Lang"] == "zh-CN" and root["/MarkInfo"]["/Marked"] and "/StructTreeRoot" in root
    assert pdf.metadata.title == "客服中心每日巡查表"
