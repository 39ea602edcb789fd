"""The one Jinja2 environment: templates live in generator/templates/.

Rendering returns strings; writing files is a separate step. StrictUndefined
makes a misspelt variable fail loudly instead of printing nothing.
"""

from __future__ import annotations

import re
from functools import lru_cache

import jinja2
import yaml
from markupsafe import Markup, escape

from .labels import fmt_number
from .model import NameText
from .text import public_text

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~])")
_MD_SPECIAL_TEXT = re.compile(r"([\\`*_{}\[\]#|~])")


def md_text(value) -> str:
    """Free text (e.g. typed into a form) made inert in Markdown: control characters removed, e-mail
    addresses and mobile numbers masked (`generator.text.public_text`), HTML-escaped, specials
    backslashed, on one line (a table cell stays one cell: `|` and line breaks cannot end it)."""
    text = " ".join(public_text(value or "").split())  # no line breaks inside table cells
    text = str(escape(text))
    return _MD_SPECIAL.sub(r"\\\1", text)


def escape_markdown(text: str | None) -> str:
    """Text from the YAML, safe in Markdown: no markup, no HTML; `&` stays a literal ampersand."""
    if text is None:
        return ""
    # `<` and `>` as entities: Python-Markdown does not take `\<` as an escape (it would show the backslash)
    text = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL_TEXT.sub(r"\\\1", text).replace("\n", " ")


def front_matter_value(value) -> str:
    """A value for a page's YAML front matter (`title: {{ name | fm }}`): HTML-escaped (the theme prints a
    page's title as it is) and quoted by YAML where it needs to be (`a: b`, `[a]`, `#a` stay one string)."""
    text = str(escape("" if value is None else " ".join(str(value).split())))
    dumped = yaml.safe_dump(text, allow_unicode=True, width=1_000_000)
    return dumped.removesuffix("\n").removesuffix("\n...").strip()


@jinja2.pass_eval_context
def _finalize(eval_ctx, value):
    # A name from the standards printed by a Markdown template is text, never markup or a link
    # (HTML templates autoescape it; a filter such as `md`, `fm` or `html` has already made it safe).
    if isinstance(value, NameText) and not eval_ctx.autoescape:
        return escape_markdown(value)
    return value


def pct(value, digits: int = 1) -> str:
    """A percentage such as `87.5%`, or `—` when there is none."""
    return "—" if value is None else f"{value:.{digits}f}%"


class _QuietBytecodeCache(jinja2.FileSystemBytecodeCache):
    """Jinja's file cache of compiled templates, where the cache never fails a build: an entry that cannot be
    read is compiled, one that cannot be written (a full or read-only temp folder) is compiled next time."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except OSError:
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass


@lru_cache(maxsize=1)
def bytecode_cache() -> jinja2.BytecodeCache | None:
    """The compiled templates of every process, kept between runs (Jinja's per-user folder in the temp folder,
    each entry checked against its template's source): compiling the theme's and our templates cost about
    half a second of every build. None when that folder cannot be made; templates are then compiled."""
    try:
        return _QuietBytecodeCache()
    except (OSError, RuntimeError):
        return None


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The shared environment: StrictUndefined, trim/lstrip blocks, package templates."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("generator", "templates"),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # Markdown templates: free text goes through `md_text`; HTML/SVG templates autoescape.
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "svg"), default_for_string=False),
        finalize=_finalize,
        bytecode_cache=bytecode_cache(),
    )
    env.filters.update(md_text=md_text, md=escape_markdown, fm=front_matter_value, num=fmt_number, pct=pct,
                       public=public_text,
                       html=lambda s: escape("" if s is None else s))
    env.globals["Markup"] = Markup
    return env


def render(template: str, **context) -> str:
    """Render a template under generator/templates/ to a string."""
    return environment().get_template(template).render(**context)
