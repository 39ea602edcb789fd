"""The built site in headless Chromium: home, search in Chinese, item anchors, no external requests, phones."""

from __future__ import annotations

import re

import pytest

from generator.site import SiteContext, build_site, item_link, item_url
from generator.standards import require_standards
from generator.instruments import INSTRUMENTS

from conftest import STANDARDS
from site_helpers import (copy_site_sources, offline_context, output_dir, search_entries, search_in_browser,
                          search_index_file, serve_directory)

pytestmark = pytest.mark.slow   # a full site build (PDFs too)

# word typed into the search box -> the item whose card must be among the results
SEARCHES = {"纸篓": "4.2.1.1-c", "吐痰": "4.2.1.2-d", "业主公约": "4.2.3.2", "卫生值日": "4.2.1.2-f"}


def results_generator(ctx: SiteContext) -> None:
    """What the results step does: pages in site/results/, an index in the nav, archives out of it."""
    index = "results/index.md"
    ctx.write(index, "# 检查结果\n\n- [第 1 周](archive/2026-w01.md)\n"
                     f"- 最常见问题：[4.2.1.2-d]({item_link('4.2.1.2-d', index)})\n")
    week = "results/archive/2026-w01.md"
    ctx.write(week, f"# 2026 年第 1 周\n\n[4.2.1.1-a]({item_link('4.2.1.1-a', week)}) 发现 2 处。\n")
    ctx.add_nav("检查结果", [index])
    ctx.hide_from_nav("results/archive/")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("site")
    docs, config = copy_site_sources(tmp)
    report = build_site(STANDARDS, out_dir=tmp / "public", docs_dir=docs, config_file=config,
                        extra_generators=[results_generator], cache_dir=None, instruments=INSTRUMENTS)
    return report


@pytest.fixture(scope="module")
def site(built, browser):
    with serve_directory(built.out_dir) as base:
        yield base, browser


def test_build_writes_every_page_and_sheet(built):
    s = require_standards(STANDARDS, instruments=INSTRUMENTS)
    public = built.out_dir
    for section in s.sections:
        html = (public / "standards" / section.number / "index.html").read_text(encoding="utf-8")
        for item in section.items:
            assert f'id="{item.code}"' in html
    for role in s.roles:
        assert (public / "roles" / role / "index.html").is_file()
    projects = [p for p in s.projects.values() if p.active]
    assert len(built.sheets) == len(s.checklists) * (1 + len(projects))
    for sheet in built.sheets:
        assert (public / sheet.path).stat().st_size > 10_000
    for checklist in s.checklists:
        assert (public / "print" / f"{checklist}.html").is_file()
    assert search_index_file(public).is_file()
    assert set(built.timings) >= {"load", "generate", "pdf", "mkdocs", "total"}
    assert not list(public.parent.glob(".build-*")), "the scratch folder is removed"
    assert not list(public.rglob("*.map")) and not (public / "assets/javascripts/lunr/wordcut.js").exists()
    assert not list(public.glob("assets/stylesheets/modern/*")), "Zensical's modern variant is not used"
    assert not list(public.parent.glob(".handbook-build-*.yml")), "the generated config is removed"


def test_search_index_holds_segmented_chinese(built):
    card = next(d for d in search_entries(built.out_dir) if d["location"].endswith("#4.2.1.1-c"))
    if search_index_file(built.out_dir).name == "search_index.json":
        # Material: jieba segments while indexing (U+200B between words); the separator splits on it
        import json
        index = json.loads(search_index_file(built.out_dir).read_text(encoding="utf-8"))
        assert index["config"]["lang"] == ["zh"]
        assert "\\u200b" in index["config"]["separator"] or "\u200b" in index["config"]["separator"]
        assert "\u200b纸篓\u200b" in "\u200b" + card["text"] + "\u200b"
    else:
        # Zensical: the text as written; its search client splits Chinese itself (see the browser test)
        assert "纸篓" in card["text"]


def test_pages_have_no_external_urls_and_no_email_addresses(built):
    for page in built.out_dir.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert not re.search(r'(src|href)="(https?:)?//', text), f"{page} refers to another host"
        assert not re.search(r"[\w.+-]+@[\w-]+\.[\w.]+", text), f"{page} shows an e-mail address"
    assert "fonts.googleapis" not in (built.out_dir / "index.html").read_text(encoding="utf-8")


def test_results_pages_plug_in_and_archives_stay_out_of_the_nav(built):
    public = built.out_dir
    home = (public / "index.html").read_text(encoding="utf-8")
    assert "检查结果" in home and 'href="results/"' in home
    assert "archive/2026-w01" not in home
    week = (public / "results" / "archive" / "2026-w01" / "index.html").read_text(encoding="utf-8")
    assert 'href="../../../standards/4.2.1/#4.2.1.1-a"' in week


def test_home_page_renders_with_navigation_and_updated_date(site):
    base, browser = site
    blocked: list[str] = []
    context = offline_context(browser, base, blocked, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(base)
    # Material titles the home page with the site name; Zensical puts its nav title first (首页 - …)
    assert page.title() in ("客服服务行为监督手册", "首页 - 客服服务行为监督手册")
    tabs = page.locator(".md-tabs__link").all_inner_texts()
    assert [t.strip() for t in tabs][:5] == ["首页", "程序文件", "检查标准", "角色", "检查表"]
    assert page.locator("html").get_attribute("lang") == "zh"
    doc = require_standards(STANDARDS, instruments=INSTRUMENTS).document
    assert f"最后更新 {doc.updated.isoformat()}" in page.locator("footer").inner_text()
    assert page.locator("[data-md-component=palette] label").count() >= 1, "dark/light toggle"
    folder = output_dir("site")
    page.screenshot(path=str(folder / "home-1280.png"))
    page.goto(base + "standards/4.2.1/")
    page.screenshot(path=str(folder / "section-4.2.1-1280.png"))
    context.close()
    assert blocked == []


@pytest.mark.parametrize("word", list(SEARCHES))
def test_searching_chinese_words_finds_the_item(site, word):
    base, browser = site
    blocked: list[str] = []
    context = offline_context(browser, base, blocked, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    expected = item_url(SEARCHES[word])             # e.g. standards/4.2.1/#4.2.1.1-c
    path, anchor = expected.split("#")
    hrefs = search_in_browser(page, base, word)
    found = [h for h in hrefs if re.search(rf"/{re.escape(path)}\?h=[^#]*#{re.escape(anchor)}$", h)]
    assert found, f"{word}: {hrefs}"
    context.close()
    assert blocked == []


def test_item_anchor_lands_on_its_item(site):
    base, browser = site
    blocked: list[str] = []
    context = offline_context(browser, base, blocked, viewport={"width": 390, "height": 844})
    page = context.new_page()
    code = "4.2.1.2-f"
    page.goto(base + item_url(code))
    page.wait_for_timeout(300)
    box = page.evaluate(f"""() => {{
        const el = document.getElementById({code!r});
        const r = el.getBoundingClientRect();
        return {{top: r.top, text: el.textContent, card: el.closest('.hb-item') !== null}};
    }}""")
    assert box["card"] and code in box["text"]
    assert 0 <= box["top"] < 844 / 2, box
    context.close()
    assert blocked == []


def test_phone_width_has_no_sideways_scroll(site):
    base, browser = site
    blocked: list[str] = []
    context = offline_context(browser, base, blocked, viewport={"width": 390, "height": 844})
    page = context.new_page()
    s = require_standards(STANDARDS, instruments=INSTRUMENTS)
    pages = ["", "standards/", "standards/procedure/", "standards/scoring/", "checklists/", "roles/",
             *(f"standards/{sec.number}/" for sec in s.sections), *(f"roles/{r}/" for r in s.roles)]
    folder = output_dir("site")
    for path in pages:
        page.goto(base + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path or 'home'} is {width}px wide at 390px"
        if path in ("", "standards/4.2.1/"):
            name = "home" if not path else "section-4.2.1"
            page.screenshot(path=str(folder / f"{name}-390.png"), full_page=True)
    context.close()
    assert blocked == []


def test_print_view_is_linked_and_self_contained(site):
    base, browser = site
    blocked: list[str] = []
    context = offline_context(browser, base, blocked, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(base + "checklists/")
    page.locator("a", has_text="网页打印版").first.click()
    page.wait_for_load_state()
    assert page.url.endswith("/print/daily-patrol.html")
    assert page.locator("table.items thead th").first.inner_text() == "代码"
    assert page.evaluate("getComputedStyle(document.querySelector('table.items')).borderCollapse") == "collapse"
    context.close()
    assert blocked == []


def test_the_engine_state_keeps_no_page_text_and_still_renders_a_page_alone(built):
    """What a build leaves for `handbook serve` holds each page's title, URL and anchors, not its Markdown or HTML
    (at 300 projects those were a good part of serve's memory between changes): a page rendered again alone
    reads its own source, and comes out as a full build makes it."""
    from generator.site.engine import render_pages

    from generator.templating import bytecode_cache

    state = built.engine_state
    assert state.env.bytecode_cache is bytecode_cache()   # the theme's templates compiled once, not every build
    pages = [f.page for f in state.files.documentation_pages() if f.page is not None]
    assert len(pages) > 20 and all(not p.markdown and p.content is None for p in pages)
    target = built.out_dir / "standards" / "scoring" / "index.html"
    before = target.read_text(encoding="utf-8")
    docs = built.out_dir.parent / "site"
    assert render_pages(state, [docs / "standards" / "scoring.md"], docs, built.out_dir) == ["standards/scoring.md"]
    assert target.read_text(encoding="utf-8") == before
