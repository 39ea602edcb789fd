"""A Markdown extension doing what the MkDocs hook `mkdocs_hooks.on_page_markdown` does, for Zensical
(which runs no MkDocs hooks): a block of a page between `<!-- only-with: results/index.md -->` and
`<!-- /only-with -->` is kept only when the build has that page.

Named in the generated config (`engine.write_config`) with the targets this build has (`present`); a plain
`zensical build` of mkdocs.yml does not load it and keeps every block.
"""

from __future__ import annotations

import re

from markdown import Extension
from markdown.preprocessors import Preprocessor

ONLY_WITH = re.compile(r"<!-- only-with: (\S+) -->\n(.*?)<!-- /only-with -->\n?", re.S)


class _OnlyWith(Preprocessor):
    def __init__(self, md, present: set[str]):
        super().__init__(md)
        self.present = present

    def run(self, lines: list[str]) -> list[str]:
        text = "\n".join(lines)
        if "<!-- only-with:" not in text:
            return lines
        return ONLY_WITH.sub(lambda m: m.group(2) if m.group(1) in self.present else "", text + "\n").split("\n")


class OnlyWithExtension(Extension):
    def __init__(self, **kwargs):
        self.config = {"present": [[], "the only-with targets this build has (docs-relative paths)"]}
        super().__init__(**kwargs)

    def extendMarkdown(self, md):  # noqa: N802 - Python-Markdown's name
        # after line endings are normalised (30), before raw HTML blocks, the comments, are stashed (20)
        md.preprocessors.register(_OnlyWith(md, set(self.getConfig("present"))), "handbook_only_with", 25)


def makeExtension(**kwargs):  # noqa: N802 - Python-Markdown's entry point
    return OnlyWithExtension(**kwargs)
