"""Every page type of the demo site passes axe-core's WCAG 2.0/2.1 A and AA rules (GB/T 37668-2019
follows them) in Chromium at 1366 px and 390 px, light and dark; a page made to fail shows the check can fail.

axe-core is the copy bundled with axe-playwright-python, run in Debian's chromium through Playwright."""

from __future__ import annotations

import pytest

from site_helpers import offline_context, serve_directory

RULES = {"runOnly": ["wcag2a", "wcag2aa", "wcag21aa"], "resultTypes": ["violations"]}
# A colour scheme changes colours only, not the page's structure, names or roles: the light scheme gets every rule,
# the dark one the rules that read colours (text contrast, links told from text by colour alone).
COLOUR_RULES = {"runOnly": {"type": "rule", "values": ["color-contrast", "link-in-text-block"]},
                "resultTypes": ["violations"]}
PAGES = {
    "home": "", "standards section": "standards/4.2.1/", "scoring": "standards/scoring/",
    "checklists": "checklists/", "role": "roles/cs_staff/", "results overview": "results/",
    "project": "results/projects/wutong/", "red lines": "results/redline/", "projects": "results/projects/",
    "priorities": "results/priorities/", "patrols": "results/patrols/", "assessment": "results/assessment/",
    "methods": "methods/", "satisfaction": "results/satisfaction/", "data quality": "results/data-quality/",
    "maintenance notes": "maintain/",
}
VIEWS = [(1366, "light"), (1366, "dark"), (390, "light"), (390, "dark")]


def axe_violations(page, rules: dict = RULES) -> dict[str, list[str]]:
    """{rule id: the failing elements' selectors} of the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    found = Axe().run(page, options=rules).response["violations"]
    return {v["id"]: [" ".join(map(str, n["target"])) for n in v["nodes"]] for v in found}


@pytest.fixture(scope="module")
def browser_site(demo_site, browser):
    root, _ = demo_site
    with serve_directory(root / "public") as base:
        yield base, browser


@pytest.mark.parametrize(("width", "scheme"), VIEWS, ids=[f"{w}-{s}" for w, s in VIEWS])
def test_every_page_type_passes_wcag_21_aa(browser_site, width, scheme):
    base, browser = browser_site
    blocked: list[str] = []
    context = offline_context(browser, base, blocked, viewport={"width": width, "height": 900},
                              color_scheme=scheme)
    page = context.new_page()
    failures = {}
    for name, path in PAGES.items():
        assert page.goto(base + path).status == 200, path   # waits for the load event (styles, scripts, fonts)
        expected = "slate" if scheme == "dark" else "default"
        assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == expected
        found = axe_violations(page, COLOUR_RULES if scheme == "dark" else RULES)
        if found:
            failures[name] = found
    context.close()
    assert failures == {}
    assert blocked == []


FAILING_PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>反例</title></head>
<body><main>
<h1>故意不合格的页面</h1>
<p style="color:#b3dfda;background:#009485">导航标签的旧配色：2.6:1</p>
<img src="chart.svg">
<div style="width:200px;overflow-x:auto"><table><tr><td style="white-space:nowrap">一个很宽很宽很宽很宽很宽很宽很宽很宽的表格单元格</td></tr></table></div>
</main></body></html>"""  # noqa: E501 - one table cell too wide on purpose


def test_the_check_fails_on_a_page_made_to_fail(browser_site, tmp_path):
    _, browser = browser_site
    (tmp_path / "index.html").write_text(FAILING_PAGE, encoding="utf-8")
    (tmp_path / "chart.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>',
                                        encoding="utf-8")
    with serve_directory(tmp_path) as base:
        page = browser.new_page()
        page.goto(base)
        found = axe_violations(page)
        colours = axe_violations(page, COLOUR_RULES)
        page.close()
    assert set(found) == {"color-contrast", "image-alt", "scrollable-region-focusable"}
    assert found["color-contrast"] == ["p"] and found["image-alt"] == ["img"]
    assert colours == {"color-contrast": ["p"]}   # the dark scheme's narrower run still catches bad contrast
