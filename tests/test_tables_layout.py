"""Tables read on any screen and on paper, in Chromium on the session's demo build.

At 1366 px no table hides a column in its scroll box; at 1366 and 390 px no number, date or project name is
broken over two lines inside a cell (each token's text is measured: one line box per token); printed on A4,
every column of the assessment and the week's table is on the page.
"""

from __future__ import annotations

import pytest

from generator.standards import load_standards
from generator.instruments import INSTRUMENTS

from conftest import STANDARDS
from site_helpers import offline_context, serve_directory

S = load_standards(STANDARDS, instruments=INSTRUMENTS).standards
PAGES = ["results/", "results/assessment/", "results/patrols/", "results/actions/", "results/exam/",
         "results/weeks/2026-W47/", "results/projects/wutong/", "results/projects/qingyuan/",
         "results/satisfaction/", "results/inspectors/", "results/knowledge/", "results/priorities/",
         "standards/scoring/"]

# hidden: scroll boxes whose table is wider than the box; broken: tokens (numbers, dates, codes, project
# names) of table cells whose characters lie on more than one line
MEASURE = r"""
(names) => {
  const out = {hidden: [], broken: []};
  document.querySelectorAll('article .md-typeset__scrollwrap').forEach(box => {
    if (box.scrollWidth > box.clientWidth + 1) out.hidden.push(box.querySelector('tr').innerText.slice(0, 40));
  });
  const token = new RegExp('[+\\-−]?[0-9A-Za-z][0-9A-Za-z.,:/%\\-+×]*[0-9A-Za-z%]|[0-9]|' + names.join('|'), 'g');
  document.querySelectorAll('article td, article th').forEach(cell => {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    let node;
    while ((node = walker.nextNode())) {
      if (node.parentElement.closest('.hb-text')) continue;     // free text wraps as running text does
      let m;
      token.lastIndex = 0;
      while ((m = token.exec(node.textContent))) {
        const r = document.createRange();
        r.setStart(node, m.index);
        r.setEnd(node, m.index + m[0].length);
        const lines = new Set([...r.getClientRects()].filter(x => x.width > 0).map(x => Math.round(x.top)));
        if (lines.size > 1) out.broken.push(m[0]);
      }
    }
  });
  return out;
}
"""


@pytest.fixture(scope="module")
def site(demo_site, browser):
    root, _ = demo_site
    with serve_directory(root / "public") as base:
        yield base, browser


@pytest.mark.parametrize("width", [1366, 390])
def test_no_number_or_name_breaks_and_no_column_hides_at_1366(site, width):
    base, browser = site
    blocked: list[str] = []
    context = offline_context(browser, base, blocked, viewport={"width": width, "height": 900})
    page = context.new_page()
    names = [p.name for p in S.organisation.projects]
    hidden, broken, cells = {}, {}, 0
    for path in PAGES:
        assert page.goto(base + path).status == 200, path
        page.wait_for_load_state("networkidle")
        assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{path} scrolls sideways"
        found = page.evaluate(MEASURE, names)
        cells += page.locator("article td").count()
        if found["broken"]:
            broken[path] = found["broken"]
        if found["hidden"] and width == 1366:
            hidden[path] = found["hidden"]
    context.close()
    assert cells > 500          # the pages do have tables to measure
    assert broken == {}
    assert hidden == {}
    assert blocked == []


def test_printed_tables_keep_every_column_on_a4(site):
    base, browser = site
    blocked: list[str] = []
    # A4 at 96 px per inch less the theme's print margins: about 700 px for the article
    context = offline_context(browser, base, blocked, viewport={"width": 794, "height": 1123})
    page = context.new_page()
    page.emulate_media(media="print")
    for path in ("results/assessment/", "results/weeks/2026-W47/", "results/patrols/"):
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
        article = page.locator("article").bounding_box()
        tables = page.locator("article table")
        assert tables.count() >= 1
        for k in range(tables.count()):
            box = tables.nth(k).bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= article["x"] + article["width"] + 1, (path, k)
            assert tables.nth(k).evaluate("t => t.scrollWidth <= t.clientWidth + 1"), (path, k)
            assert tables.nth(k).evaluate(
                "t => t.closest('.md-typeset__scrollwrap') === null"
                " || getComputedStyle(t.closest('.md-typeset__scrollwrap')).overflowX === 'visible'"), (path, k)
        heads = page.locator("article table").first.locator("th").all_inner_texts()
        if path == "results/assessment/":
            assert "逾期整改" in [h.strip() for h in heads] and "巡查完成率" in [h.strip() for h in heads]
    context.close()
    assert blocked == []
