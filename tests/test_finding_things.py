"""Finding things on the session's demo build: the search finds a project's results page by
its name and the actions page by 逾期 (results pages' titles and headings are indexed, their rows never), and
each project's prefilled online patrol form is linked from its project page, the checklist page and the
role pages of the people who patrol."""

from __future__ import annotations

import html
from urllib.parse import quote

import pytest

from generator.standards import load_standards
from generator.instruments import INSTRUMENTS

from conftest import STANDARDS
from site_helpers import offline_context, search_entries, search_in_browser, serve_directory

S = load_standards(STANDARDS, instruments=INSTRUMENTS).standards


@pytest.fixture(scope="module")
def site(demo_site, browser):
    root, _ = demo_site
    with serve_directory(root / "public") as base:
        yield base, browser, root / "public"


def test_results_titles_and_headings_are_indexed_their_rows_are_not(site):
    _, _, public = site
    entries = [e for e in search_entries(public) if e["location"].startswith("results/")]
    titles = {e["location"]: e["title"].replace("\u200b", "") for e in entries}
    assert titles["results/projects/wutong/"] == "梧桐苑"
    assert titles["results/actions/#open"] == "逾期和未关闭的整改"
    assert [e["location"] for e in entries if e["text"].strip()] == []       # no table row, no figure


@pytest.mark.parametrize("word, page", [("梧桐苑", "/results/projects/wutong/"), ("逾期", "/results/actions/")])
def test_search_finds_the_results_page(site, word, page):
    base, browser, _ = site
    blocked: list[str] = []
    context = offline_context(browser, base, blocked, viewport={"width": 1366, "height": 900})
    hrefs = search_in_browser(context.new_page(), base, word)
    context.close()
    assert any(page in h for h in hrefs[:3]), hrefs
    assert blocked == []


def test_prefilled_forms_are_linked_where_patrols_start(site):
    _, _, public = site
    form = "https://docs.google.com/forms/d/e/DEMO-daily-patrol/viewform?usp=pp_url&amp;entry."

    def links(page: str) -> list[str]:
        text = (public / page).read_text(encoding="utf-8")
        return [html.unescape(x) for x in text.split('href="')[1:] if x.startswith(form)]
    wutong = quote("梧桐苑", safe="")
    project = links("results/projects/wutong/index.html")
    assert len(project) == 1 and project[0].split('"')[0].endswith("=" + wutong)
    for page in ("checklists/index.html", "roles/cs_supervisor/index.html", "roles/project_manager/index.html"):
        found = [x.split('"')[0] for x in links(page)]
        assert len(found) == len(S.organisation.projects), page
        assert any(x.endswith("=" + wutong) for x in found), page
    text = (public / "results/projects/wutong/index.html").read_text(encoding="utf-8")
    assert "在线填写本项目的检查表（已选好项目）" in text
