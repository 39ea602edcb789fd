"""Helpers for the site tests: a copy of the site sources, a local HTTP server, headless Chromium."""

from __future__ import annotations

import contextlib
import functools
import http.server
import shutil
import threading
from pathlib import Path

from conftest import ROOT

GENERATED = ("standards", "roles", "checklists", "print", "results", "methods")
OUTPUT = ROOT / "test-output"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def copy_site_sources(dest: Path) -> tuple[Path, Path]:
    """Copy mkdocs.yml, the theme overrides and the hand-written pages of site/ into dest; return (docs_dir,
    config_file)."""
    docs = dest / "site"
    shutil.copytree(ROOT / "site", docs, ignore=lambda folder, names: [
        n for n in names if Path(folder) == ROOT / "site" and n in GENERATED])
    config = dest / "mkdocs.yml"
    shutil.copyfile(ROOT / "mkdocs.yml", config)
    shutil.copytree(ROOT / "overrides", dest / "overrides")   # theme overrides named by mkdocs.yml
    return docs, config


def output_dir(name: str) -> Path:
    """A folder under test-output/ for screenshots and rendered pages (git-ignored)."""
    folder = OUTPUT / name
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002
        pass


@contextlib.contextmanager
def serve_directory(folder: Path):
    """Serve folder on 127.0.0.1 (a free port) in a thread; yields the base URL."""
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True,
                     kwargs={"poll_interval": 0.05})   # shutdown() waits out one poll: 0.5 s by default
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def chromium():
    """Debian's chromium through Playwright (never downloads a browser)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def offline_context(browser, base_url: str, blocked: list[str], **kwargs):
    """A browser context where every request not to base_url's host is blocked and recorded."""
    context = browser.new_context(**kwargs)

    def route(r):
        url = r.request.url
        if url.startswith("http://127.0.0.1:") and url.startswith(base_url[: base_url.index("/", 7)]):
            r.continue_()
        else:
            blocked.append(url)
            r.abort()

    context.route("**/*", route)
    context.on("request", lambda req: None if req.url.startswith(("http://127.0.0.1:", "data:", "blob:"))
               else blocked.append(req.url))
    context.on("page", lambda page: page.on("websocket", lambda ws: blocked.append(ws.url)))
    return context


# ---------------------------------------------------------------- either engine

SKIP_ANCHOR = '<a id="__skip" tabindex="-1"></a>'   # Zensical's skip-link target at the top of the article


def article_html(page: Path) -> str:
    """The article of a built page (what the page says, without the theme around it), whitespace-normalised;
    the same for MkDocs + Material and Zensical. Both honour a heading's `data-search-exclude` in their
    search; Material leaves the attribute in the page, Zensical takes it out: it is dropped here."""
    import re

    text = page.read_text(encoding="utf-8")
    match = re.search(r'<article class="md-content__inner md-typeset">(.*?)</article>', text, re.S)
    body = match.group(1).replace(SKIP_ANCHOR, "").replace(" data-search-exclude", "") if match else ""
    return re.sub(r"\s+", " ", body).strip()


def search_index_file(public: Path) -> Path:
    """The search index of a built site: Material's search/search_index.json or Zensical's search.json."""
    for name in ("search/search_index.json", "search.json"):
        if (public / name).is_file():
            return public / name
    raise AssertionError(f"no search index in {public}")


def search_entries(public: Path) -> list[dict]:
    """The search index's entries ({location, title, text}), whichever engine wrote it; Material's text
    keeps jieba's zero-width spaces between words."""
    import json

    index = json.loads(search_index_file(public).read_text(encoding="utf-8"))
    return index["docs"] if "docs" in index else index["items"]


def search_in_browser(page, base: str, word: str) -> list[str]:
    """Type `word` into whichever search UI the site has (Material's or Zensical's); the hrefs of the
    results, best first ([] when nothing is found)."""
    page.goto(base)
    material = page.locator("input[data-md-component=search-query]")
    if material.count():
        # The search box reacts to keyup/focus, and typing CJK in Playwright inserts text without key
        # events; so type the word, then press End (a real keyup) once the index is loaded.
        page.wait_for_function("() => document.querySelector('.md-search-result__meta')"
                               "?.textContent.includes('键入以开始搜索')", timeout=30_000)
        material.click()
        material.fill(word)
        material.press("End")
        page.wait_for_function("() => /个符合条件的结果|没有找到/.test("
                               "document.querySelector('.md-search-result__meta')?.textContent)", timeout=30_000)
        return page.locator(".md-search-result__item a").evaluate_all("els => els.map(e => e.href)")
    # Zensical: a button opens the search dialog; its combobox names the list of results
    page.locator(".md-search__button").click()
    box = page.locator("input[role=combobox]")
    box.fill(word)
    box.press("End")
    results = page.locator(f"#{box.get_attribute('aria-controls')} a")
    try:
        results.first.wait_for(timeout=15_000)
    except Exception:   # playwright's TimeoutError: no result
        return []
    page.wait_for_timeout(300)   # results arrive together; let the list settle
    return results.evaluate_all("els => els.map(e => e.href)")
