"""The same site from MkDocs + Material and from Zensical; choosing the engine; its errors.

The smoke tests build the session's demo (conftest.demo_site: results from the demo store, every instrument)
with both engines and compare what each page says (the article HTML) and what the search finds."""

from __future__ import annotations

import re
import sys

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.instruments import INSTRUMENTS, site_generators
from generator.messages import one_line
from generator.page_urls import item_url
from generator.results.publish import sheet_focus
from generator.site import build_site
from generator.site.engine import ENGINES, engine_installed, zensical_messages
from generator.site.only_with import ONLY_WITH
from generator.site.safety import MARKER, MARKER_TEXT

from conftest import DEMO_END, ROOT, STANDARDS
from site_helpers import (article_html, copy_site_sources, search_entries, search_in_browser,
                          search_index_file, serve_directory)

pytestmark = pytest.mark.slow   # full site builds with both engines

needs_zensical = pytest.mark.skipif(
    not engine_installed("zensical"),
    reason="Zensical is not installed here (pip install -e '.[zensical]'): the MkDocs/Zensical comparison "
           "cannot run")

# word -> the item whose card the search must find
SEARCHES = {"纸篓": "4.2.1.1-c", "业主公约": "4.2.3.2", "卫生值日": "4.2.1.2-f"}


@pytest.fixture(scope="module")
def both(demo_site, tmp_path_factory):
    """The demo's pages (with its results) built by each engine from the same docs folder: {engine: public}.
    The docs folder is a copy: the demo's folder is shared read-only by the whole run."""
    _, report = demo_site
    root = tmp_path_factory.mktemp("engines")
    docs, config = copy_site_sources(root)
    quarter = f"{DEMO_END.year}Q{(DEMO_END.month - 1) // 3 + 1}"
    built = {}
    for engine in ENGINES:
        out = root / f"public-{engine}"
        result = build_site(STANDARDS, out_dir=out, docs_dir=docs, config_file=config,
                            extra_generators=site_generators(report.store, quarter=quarter, lock_path=report.lock,
                                                             today=DEMO_END, instruments=INSTRUMENTS),
                            sheet_focus=sheet_focus(report.store), lock_path=report.lock, engine=engine,
                            instruments=INSTRUMENTS)
        assert result.engine == engine
        built[engine] = out
    return built


@needs_zensical
def test_every_page_says_the_same_with_both_engines(both):
    mk, zen = both["mkdocs"], both["zensical"]
    pages = sorted(p.relative_to(mk) for p in mk.rglob("*.html"))
    assert len(pages) > 50
    assert pages == sorted(p.relative_to(zen) for p in zen.rglob("*.html"))
    different = [str(p) for p in pages if article_html(mk / p) != article_html(zen / p)]
    assert different == []
    # what the pages hold, not two empty strings: item cards, the home page's results card (only-with)
    assert 'id="4.2.1.1-a"' in article_html(zen / "standards/4.2.1/index.html")
    assert 'href="results/"' in article_html(zen / "index.html")
    # each engine's index, with the results pages' titles and headings in both (their rows in neither)
    assert search_index_file(mk).name == "search_index.json" and search_index_file(zen).name == "search.json"
    for public in (mk, zen):
        locations = {e["location"].split("#")[0] for e in search_entries(public)}
        assert "standards/4.2.1/" in locations and "results/projects/wutong/" in locations
        assert not [e["location"] for e in search_entries(public)
                    if e["location"].startswith("results/") and "数据截至" in e["text"]]
    assert {e["location"].split("#")[0] for e in search_entries(mk)} == \
        {e["location"].split("#")[0] for e in search_entries(zen)}
    # the theme files the site never loads are pruned: Material's lunr splitters, Zensical's modern look
    assert not (mk / "assets/javascripts/lunr/tinyseg.js").exists()
    assert not list(zen.glob("assets/stylesheets/modern/*")) and list(zen.glob("assets/stylesheets/classic/*"))
    assert not list(mk.parent.glob(".handbook-build-*.yml")) and not list(mk.parent.glob(".build-*/site"))
    assert [p.name for p in mk.parent.glob(".build-*")] == [".build-zensical"]   # Zensical's lock, kept


@needs_zensical
@pytest.mark.parametrize("engine", ENGINES)
def test_searching_finds_the_items_with_either_engine(both, engine, browser):
    with serve_directory(both[engine]) as base:
        page = browser.new_page()
        for word, code in SEARCHES.items():
            path, anchor = item_url(code).split("#")
            hrefs = search_in_browser(page, base, word)
            found = [h for h in hrefs if re.search(rf"/{re.escape(path)}\?h=[^#]*#{re.escape(anchor)}$", h)]
            assert found, (engine, word, hrefs)
        page.close()


@needs_zensical
def test_handbook_only_drops_the_results_card_with_zensical(tmp_path):
    docs, config = copy_site_sources(tmp_path)
    result = CliRunner().invoke(main, ["build", "--handbook-only", "--engine", "zensical", "--standards", STANDARDS,
                                       "--docs", docs, "--config", config, "--out", tmp_path / "public"])
    assert result.exit_code == 0, result.output
    assert "zensical" in result.output.splitlines()[-1]
    home = article_html(tmp_path / "public/index.html")
    assert "检查表" in home and 'href="results/"' not in home and "only-with" not in home


@needs_zensical
def test_a_zensical_error_is_our_message_and_keeps_the_site(tmp_path):
    docs, config = copy_site_sources(tmp_path)
    public = tmp_path / "public"
    public.mkdir()
    (public / "index.html").write_text("old", encoding="utf-8")
    (public / MARKER).write_text(MARKER_TEXT, encoding="utf-8")      # a previous build's site
    (docs / "maintain" / "broken.md").write_text("# 坏链接\n\n[去哪](nowhere.md)\n", encoding="utf-8")
    # a home page without the results card (a build that drops it leaves links unchecked with Zensical)
    home = docs / "index.md"
    home.write_text(ONLY_WITH.sub("", home.read_text(encoding="utf-8")), encoding="utf-8")
    result = CliRunner().invoke(main, ["build", "--handbook-only", "--standards", STANDARDS, "--docs", docs,
                                       "--config", config, "--out", public], env={"HANDBOOK_ENGINE": "zensical"})
    assert result.exit_code == 1
    first, *details = result.output.splitlines()
    assert first == "错误：zensical build 失败：Aborted because --strict flag is set"
    assert details == ["  page does not exist（maintain/broken.md:3:6）"]
    assert (public / "index.html").read_text(encoding="utf-8") == "old"
    assert not list(tmp_path.glob(".handbook-build-*.yml")) and not list(tmp_path.glob(".build-*/site"))


def test_zensical_output_becomes_reason_and_details():
    printed = ("Build started\n\x1b[33mWarning:\x1b[0m page does not exist\n   ╭─[ index.md:39:12 ]\n"
               "   │\n 39 │ [x](results/index.md)\n───╯\n1 issue found\nTraceback (most recent call last):\n"
               "RuntimeError: Aborted because --strict flag is set\n")
    assert zensical_messages(printed) == ("Aborted because --strict flag is set",
                                          ["page does not exist（index.md:39:12）"])
    assert zensical_messages("Error: site_dir must be within project root\n") == \
        ("site_dir must be within project root", [])


def test_asking_for_zensical_when_it_is_not_installed_is_one_line(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "zensical", None)     # what Python does for a package that is absent
    docs, config = copy_site_sources(tmp_path)
    for args, env, source in ((["--engine", "zensical"], {}, "--engine"),
                              ([], {"HANDBOOK_ENGINE": "zensical"}, "HANDBOOK_ENGINE")):
        result = CliRunner().invoke(main, ["build", "--handbook-only", "--standards", STANDARDS, "--docs", docs,
                                           "--config", config, "--out", tmp_path / "public", *args], env=env)
        assert result.exit_code == 1
        assert result.output == f"错误：{one_line('engine_missing', source=source)}\n"
        assert result.output == (f"错误：选择了 zensical 引擎（{source}），但没有安装 zensical：运行 .venv/bin/pip "
                                 "install "
                                 f"-e '.[zensical]' 安装，或不设 {source}，改用默认的 mkdocs。\n")
    assert not (tmp_path / "public").exists()


def test_an_unknown_engine_is_one_line(tmp_path):
    result = CliRunner().invoke(main, ["build", "--handbook-only", "--engine", "hugo", "--standards", STANDARDS,
                                       "--out", tmp_path / "public"])
    assert result.exit_code == 1
    assert result.output == "错误：未知的网站引擎“hugo”（--engine）：可选：mkdocs、zensical（默认 mkdocs）。\n"


def test_the_generated_config_and_zensicals_cache_are_ignored_by_git():
    import subprocess

    paths = [".handbook-build-1a2b3c4d.yml", ".cache/123", "mkdocs.yml"]
    done = subprocess.run(["git", "check-ignore", *paths], cwd=ROOT, capture_output=True, text=True)
    assert done.stdout.splitlines() == paths[:2]
