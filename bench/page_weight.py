"""Page weight of a built site: the search index, and what a first visit to the home page transfers.

A first visit is Debian's Chromium (through Playwright, never a downloaded browser) opening the home page
of the built site served by Python's http.server on 127.0.0.1, with an empty cache, until the network is
idle: the HTML, stylesheets, scripts, fonts and the search index the theme loads in the background. The
bytes are the responses' sizes as Chromium reports them (headers and bodies, `Request.sizes()`), summed
over every request of the browser context; the body of the search worker's own script, which Chromium
reports as empty (the worker loads it), is counted as the server sent it.

    .venv/bin/python bench/page_weight.py public/        # prints the figures as JSON
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

SEARCH_INDEX = "search/search_index.json"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


@dataclass
class Visit:
    """What a first visit transferred, per URL path: the response headers and bodies as Chromium reports
    them, and the bodies as the server sent them. Chromium reports no body for a script a worker loads
    itself (the search worker's), so each response counts its headers and the larger of the two bodies."""

    headers: dict[str, int] = field(default_factory=dict)
    bodies: dict[str, int] = field(default_factory=dict)
    sent: dict[str, int] = field(default_factory=dict)
    failed: list[str] = field(default_factory=list)

    @property
    def responses(self) -> dict[str, int]:
        return {path: self.headers.get(path, 0) + max(self.bodies.get(path, 0), self.sent.get(path, 0))
                for path in {*self.headers, *self.sent}}

    @property
    def total(self) -> int:
        return sum(self.responses.values())

    def by_kind(self) -> dict[str, int]:
        kinds: dict[str, int] = {}
        for path, size in self.responses.items():
            name = path.rsplit("/", 1)[-1]
            kind = ("search index" if path.endswith(SEARCH_INDEX) else
                    "html" if name.endswith(".html") or path.endswith("/") else
                    "css" if name.endswith(".css") else "js" if name.endswith(".js") else
                    "font" if name.endswith((".woff", ".woff2", ".ttf", ".otf")) else "other")
            kinds[kind] = kinds.get(kind, 0) + size
        return kinds


def search_index_bytes(site_dir: Path) -> int:
    """The size of the theme's search index (every searchable page's text)."""
    return (Path(site_dir) / SEARCH_INDEX).stat().st_size


class _CountingHandler(http.server.SimpleHTTPRequestHandler):
    sent: dict[str, int]

    def log_message(self, format, *args):  # noqa: A002
        pass

    def copyfile(self, source, outputfile):
        data = source.read()
        self.sent[self.path] = self.sent.get(self.path, 0) + len(data)
        outputfile.write(data)


@contextlib.contextmanager
def serve(folder: Path):
    """Serve `folder` on 127.0.0.1 (a free port) in a thread; yields (base URL, body bytes sent per path)."""
    sent: dict[str, int] = {}
    handler = type("Handler", (_CountingHandler,), {"sent": sent})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", sent
    finally:
        server.shutdown()
        server.server_close()


def first_visit(site_dir: Path, path: str = "", *, width: int = 390, height: int = 844) -> Visit:
    """Open `path` (default the home page) of the built site in a fresh Chromium context (empty cache) at
    a phone's size and sum the bytes of every response until the network is idle."""
    from playwright.sync_api import sync_playwright

    visit = Visit()
    with serve(Path(site_dir)) as (base, sent), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": width, "height": height})
            finished = []
            context.on("requestfinished", lambda r: finished.append(r))
            context.on("requestfailed", lambda r: visit.failed.append(r.url))
            page = context.new_page()
            page.goto(base + path, wait_until="networkidle")
            page.wait_for_timeout(300)          # a late request (the search index) would start by now
            page.wait_for_load_state("networkidle")
            for request in finished:
                if not request.url.startswith(base):
                    continue
                sizes = request.sizes()
                key = request.url[len(base) - 1:]
                visit.headers[key] = visit.headers.get(key, 0) + sizes["responseHeadersSize"]
                visit.bodies[key] = visit.bodies.get(key, 0) + sizes["responseBodySize"]
            context.close()
        finally:
            browser.close()
        visit.sent = dict(sent)
    return visit


def measure(site_dir: Path) -> dict:
    """The figures `make bench` reports for a built site."""
    visit = first_visit(site_dir)
    return {"search_index": search_index_bytes(site_dir), "home_transfer": visit.total,
            "home_requests": len(visit.responses), "home_by_kind": visit.by_kind(), "failed": visit.failed}


if __name__ == "__main__":
    print(json.dumps(measure(Path(sys.argv[1] if len(sys.argv) > 1 else "public")), indent=2))


SEARCH_INDEX_LIMIT = 600 * 1000       # the target for the search index at 300 projects
HOME_TRANSFER_LIMIT = 1000 * 1000


def bench_figures(site_dir: Path, figure) -> dict:
    """The two rows of bench/RESULTS.md (`figure` is bench/run.py's Figure)."""
    m = measure(site_dir)
    kinds = ", ".join(f"{kind} {size / 1000:.0f} KB" for kind, size in
                      sorted(m["home_by_kind"].items(), key=lambda kv: -kv[1]))
    return {
        "search_index": figure("search index of the built site (results pages and archives left out)",
                               f"{m['search_index'] / 1000:.0f} KB", "≤ 600 KB",
                               m["search_index"] <= SEARCH_INDEX_LIMIT),
        "home_transfer": figure("a first visit to the home page in Chromium (empty cache, 390 px)",
                                f"{m['home_transfer'] / 1000:.0f} KB in {m['home_requests']} responses",
                                "≤ 1 MB", m["home_transfer"] <= HOME_TRANSFER_LIMIT and not m["failed"],
                                note=kinds),
    }
