"""At demo scale, the home page and the search index stay light for phones.

The bench measures the targets at 300 projects (≤ 1 MB for a first visit to the home page, ≤ 600 KB of
search index); here the same measurement (bench/page_weight.py: Chromium through Playwright, a local
http.server) runs on the session's demo build of 8 projects, against limits set for the demo: what
does not grow with the company (the theme's CSS and JavaScript, the standards in the search index) at
about its size today, and what would grow with it (the home page's HTML, carrying the navigation)
at a small allowance per project. The results pages' titles and headings are searchable
(their rows are not): an allowance for them grows with the projects too. Results rows in the index, the
whole navigation on the home page or a web font would each break them.
"""

from __future__ import annotations

import concurrent.futures
import json
import sys

from conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))
import page_weight  # noqa: E402

DEMO_PROJECTS = 8
THEME_KB = 340              # Material's CSS and JavaScript, our stylesheet and script, the favicon (321 KB now)
STANDARDS_INDEX_KB = 160    # the search index of the standards, roles, checklists and method pages (135 KB now)
HOME_HTML_KB = 45 + 0.5 * DEMO_PROJECTS   # the home page with its tabs and navigation (42 KB now)
# the results pages' titles and headings: company pages and the weekly archive (9.6 KB now) and
# 11 headings per project page (1.7 KB each now, 23.5 KB in all); the handbook's own part is 144.5 KB now
RESULTS_INDEX_KB = 12 + 2 * DEMO_PROJECTS


def test_search_index_holds_only_the_handbook_and_stays_small(demo_site):
    root, _ = demo_site
    public = root / "public"
    size = page_weight.search_index_bytes(public)
    docs = json.loads((public / page_weight.SEARCH_INDEX).read_text(encoding="utf-8"))["docs"]
    results = [d for d in docs if d["location"].startswith("results/")]
    # results pages are found by their titles and headings only: no row, figure or note is indexed
    titles = {d["location"]: d["title"].replace("\u200b", "") for d in results}    # \u200b: word breaks
    assert titles["results/actions/#open"] == "逾期和未关闭的整改"
    assert titles["results/projects/binjiang/"] == "滨江花园"
    # a project's page by its name alone: its headings are every project's (本周要做 …), 12 entries a project
    assert [x for x in titles if x.startswith("results/projects/binjiang/#")] == []
    assert [d["location"] for d in results if d["text"]] == []
    assert size <= (STANDARDS_INDEX_KB + RESULTS_INDEX_KB) * 1000, f"search index {size / 1000:.0f} KB"
    # and each part within its own allowance (sizes as the index writes them: ASCII JSON, \u escapes)
    part = sum(len(json.dumps(d, separators=(",", ":"))) for d in results)
    assert part <= RESULTS_INDEX_KB * 1000, f"results titles {part / 1000:.1f} KB"
    assert size - part <= STANDARDS_INDEX_KB * 1000, f"handbook {(size - part) / 1000:.1f} KB"


def test_first_visit_to_the_home_page_transfers_little(demo_site):
    root, _ = demo_site
    # in a thread of its own: the bench starts its own Playwright, which refuses a thread whose event loop the
    # session's browser (conftest.browser) keeps running
    with concurrent.futures.ThreadPoolExecutor(1) as thread:
        visit = thread.submit(page_weight.first_visit, root / "public").result()
    kinds = visit.by_kind()
    assert visit.failed == []
    assert kinds.get("font", 0) == 0                              # no web fonts: the system's CJK font
    assert kinds["html"] <= HOME_HTML_KB * 1000, kinds
    assert kinds["search index"] == page_weight.search_index_bytes(root / "public") + visit.headers[
        "/" + page_weight.SEARCH_INDEX]                            # the index is loaded, counted in full
    assert visit.total <= (THEME_KB + STANDARDS_INDEX_KB + RESULTS_INDEX_KB + HOME_HTML_KB) * 1000, kinds
    assert visit.total == sum(kinds.values())
