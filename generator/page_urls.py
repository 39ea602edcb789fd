"""Where each generated page lives and how to link to an item by its code.

Paths are relative to the docs folder (`site/`) or to the site root (`public/`).
Item anchors are the item code itself (`#4.2.1.1-a`): readable, and stable because
codes never change once published. Clause headings use `#clause-<number>` so an
item whose code equals a clause number can never collide with the heading.
"""

from __future__ import annotations

import posixpath
import re

from .standards import Standards

STANDARDS_DIR = "standards"
ROLES_DIR = "roles"
CHECKLISTS_DIR = "checklists"
PRINT_DIR = "print"

PROCEDURE_PAGE = f"{STANDARDS_DIR}/procedure.md"
SCORING_PAGE = f"{STANDARDS_DIR}/scoring.md"
STANDARDS_INDEX = f"{STANDARDS_DIR}/index.md"
ROLES_INDEX = f"{ROLES_DIR}/index.md"
CHECKLISTS_PAGE = f"{CHECKLISTS_DIR}/index.md"

_SECTION_DEPTH = 3  # content sections are 4.2.1 … 4.2.4: three numeric parts


def item_anchor(code: str) -> str:
    """The HTML id of an item's card: the code itself."""
    return code


def clause_anchor(number: str) -> str:
    """The HTML id of a clause heading on the procedure page."""
    return f"clause-{number}"


def section_page(number: str) -> str:
    """The docs path of a content section's page, e.g. `standards/4.2.1.md`."""
    return f"{STANDARDS_DIR}/{number}.md"


def role_page(role_id: str) -> str:
    return f"{ROLES_DIR}/{role_id}.md"


def fix_report_sheet(project_id: str) -> str:
    """The docs path of a project's printable fix-report sheet (整改反馈单: its form's QR, its open actions)."""
    return f"{PRINT_DIR}/fix-report--{project_id}.pdf"


def sheet_pdf(checklist_id: str, project_id: str | None = None) -> str:
    """The docs path of a printable sheet: blank, or with a project's name filled in."""
    name = checklist_id if project_id is None else f"{checklist_id}--{project_id}"
    return f"{PRINT_DIR}/{name}.pdf"


def sheet_html(checklist_id: str) -> str:
    """The docs path of a checklist's HTML print view."""
    return f"{PRINT_DIR}/{checklist_id}.html"


def _section_of_code(code: str) -> str:
    numbers = re.split(r"-", code, maxsplit=1)[0].split(".")
    return ".".join(numbers[:_SECTION_DEPTH])


def item_page(code: str, standards: Standards | None = None) -> str:
    """The docs path of the section page that holds an item."""
    if standards is not None:
        section = standards.section_of(code)
        if section is None:
            raise KeyError(code)
        return section_page(section.number)
    return section_page(_section_of_code(code))


def page_url(docs_path: str) -> str:
    """The URL of a docs page relative to the site root (directory URLs)."""
    if docs_path == "index.md":
        return ""
    stem = docs_path[:-3] if docs_path.endswith(".md") else docs_path
    if stem.endswith("/index"):
        stem = stem[: -len("index")]
        return stem
    return stem + "/"


def item_url(code: str, standards: Standards | None = None) -> str:
    """URL of an item's card relative to the site root, e.g. `standards/4.2.1/#4.2.1.1-a`.

    With `standards` the page comes from the model; without, from the code's first three
    numbers (the rule the model follows for this procedure; a test keeps them in step).
    """
    return f"{page_url(item_page(code, standards))}#{item_anchor(code)}"


def relative_link(target: str, from_page: str) -> str:
    """A Markdown link from one docs page to another docs path (MkDocs resolves `.md`)."""
    return posixpath.relpath(target, posixpath.dirname(from_page) or ".")


def item_link(code: str, from_page: str, standards: Standards | None = None) -> str:
    """A Markdown link target to an item from the docs page `from_page` (e.g. `results/index.md`).

    MkDocs checks these links (and their anchors) when it builds.
    """
    return f"{relative_link(item_page(code, standards), from_page)}#{item_anchor(code)}"


def list_page(docs_path: str, page: int) -> str:
    """The docs path of page `page` (from 1) of a page whose per-project lists are split into pages of a
    fixed size: page 1 is the page itself, the others sit beside it (`results/assessment-page-2.md`;
    an index page's `results/projects/page-2.md`), so its relative links hold on every page."""
    if page == 1:
        return docs_path
    folder, name = posixpath.split(docs_path)
    stem = name[:-3] if name.endswith(".md") else name
    name = f"page-{page}.md" if stem == "index" else f"{stem}-page-{page}.md"
    return posixpath.join(folder, name)


def is_later_list_page(docs_path: str) -> bool:
    """Whether `docs_path` is page 2, 3 … of a page split by `list_page`."""
    found = re.search(r"(?:^|[-/])page-(\d+)\.md$", docs_path)
    return found is not None and int(found.group(1)) > 1
