"""The handbook site: pages generated from the standards, printable sheets, the site engine (MkDocs or Zensical), serve.

Entry points:
- `build_site(standards_dir, out_dir=…, extra_generators=[…])` — the whole build (`handbook build`)
- `serve_site(...)` — serve on 127.0.0.1 and rebuild on change (`handbook serve`)
- `item_url(code)` / `item_link(code, from_page)` — link to an item's card by its code (`generator.page_urls`)
"""

from __future__ import annotations

from ..page_urls import item_link, item_url
from .engine import choose_engine
from .site_build import BuildReport, PageGenerator, SiteContext, build_site, generate_site
from .handbook_pages import generate_pages
from .serve import serve_site

__all__ = ["BuildReport", "choose_engine", "PageGenerator", "SiteContext", "build_site", "generate_pages",
           "generate_site",
           "item_link", "item_url", "serve_site"]
