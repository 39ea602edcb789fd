"""The handbook site: pages generated from the standards, printable sheets, MkDocs build, serve.

Entry points:
- `build_site(standards_dir, out_dir=…, extra_generators=[…])` — the whole build (`handbook build`)
- `serve_site(...)` — serve on 127.0.0.1 and rebuild on change (`handbook serve`)
- `item_url(code)` / `item_link(code, from_page)` — link to an item's card by its code
"""

from __future__ import annotations

import importlib

# Exported lazily so that `generator.printing` can use `generator.site.views` without a cycle.
_EXPORTS = {
    "BuildReport": "build", "PageGenerator": "build", "SiteContext": "build", "build_site": "build",
    "generate_site": "build", "generate_pages": "pages", "serve_site": "serve",
    "item_link": "urls", "item_url": "urls",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(name)
