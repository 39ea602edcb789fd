"""The site's templates use the package's one Jinja2 environment (generator/templating.py)."""

from ..templating import environment, escape_markdown, fmt_number, render

__all__ = ["environment", "escape_markdown", "fmt_number", "render"]
