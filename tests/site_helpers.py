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
    """Copy mkdocs.yml, the theme overrides and the hand-written pages of site/ into dest; return (docs_dir, config_file)."""
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
    thread = threading.Thread(target=server.serve_forever, daemon=True)
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
