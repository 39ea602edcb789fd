"""MkDocs hooks that the build hands to MkDocs (`engine.write_config`): what a hand-written page shows
may depend on what the build made.

A block of a page between `<!-- only-with: results/index.md -->` and `<!-- /only-with -->` is kept only
when the build has that page (the home page's 检查结果 card: a build with `--handbook-only` has no
results, and no card linking to them). A plain `mkdocs build` keeps every block. Zensical runs no hooks:
`only_with.py` does the same there.
"""

from __future__ import annotations

import re

ONLY_WITH = re.compile(r"<!-- only-with: (\S+) -->\n(.*?)<!-- /only-with -->\n?", re.S)


def on_page_markdown(markdown, page, config, files, **kwargs):
    return ONLY_WITH.sub(lambda m: m.group(2) if files.get_file_from_path(m.group(1)) else "", markdown)
