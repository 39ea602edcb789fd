"""The one Jinja2 environment: templates live in generator/templates/.

Rendering returns strings; writing files is a separate step. StrictUndefined
makes a misspelt variable fail loudly instead of printing nothing.
"""

from __future__ import annotations

import re
from functools import lru_cache

import jinja2
from markupsafe import escape

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~])")


def md_text(value) -> str:
    """Free text (e.g. typed into a form) made inert in Markdown: HTML-escaped, specials backslashed."""
    text = " ".join(str(value or "").split())  # no line breaks inside table cells
    text = str(escape(text))
    return _MD_SPECIAL.sub(r"\\\1", text)


def num(value, digits: int = 1) -> str:
    """A number without a useless `.0` (5.0 -> 5, 87.25 -> 87.2)."""
    if value is None:
        return "—"
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.{digits}f}"


def pct(value, digits: int = 1) -> str:
    """A percentage such as `87.5%`, or `—` when there is none."""
    return "—" if value is None else f"{value:.{digits}f}%"


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("generator", "templates"),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # Markdown templates: free text goes through `md_text`; HTML/SVG templates autoescape.
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "svg"), default_for_string=False),
    )
    env.filters.update(md_text=md_text, num=num, pct=pct)
    return env


def render(template: str, **context) -> str:
    """Render a template under generator/templates/ to a string."""
    return environment().get_template(template).render(**context)
