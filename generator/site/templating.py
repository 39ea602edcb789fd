"""The one Jinja2 environment for site pages and printable sheets.

Templates live in `generator/templates/` (`site/` Markdown, `print/` HTML).
Rendering returns strings; writing files is the build's job.
"""

from __future__ import annotations

import functools
import re

import jinja2
from markupsafe import Markup, escape

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~])")


def fmt_number(value: float | int) -> str:
    """5.0 -> "5", 2.5 -> "2.5"."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return f"{value:g}" if isinstance(value, float) else str(value)


def escape_markdown(text: str | None) -> str:
    """Text from YAML or forms, safe to put in Markdown: no markup, no HTML.

    `&` becomes `&amp;` so entities typed as text stay text; Markdown specials are backslashed.
    """
    if text is None:
        return ""
    text = str(text).replace("&", "&amp;")
    return _MD_SPECIAL.sub(r"\\\1", text).replace("\n", " ")


@functools.cache
def environment() -> jinja2.Environment:
    """The shared environment: StrictUndefined, trim/lstrip blocks, package templates."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("generator", "templates"),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # Markdown templates escape with the `md` filter; HTML (print) templates autoescape.
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default_for_string=False),
    )
    env.filters["num"] = fmt_number
    env.filters["md"] = escape_markdown
    env.filters["html"] = lambda s: escape("" if s is None else s)
    env.globals["Markup"] = Markup
    return env


def render(template: str, **context) -> str:
    """Render a template of `generator/templates/` to a string."""
    return environment().get_template(template).render(**context)
