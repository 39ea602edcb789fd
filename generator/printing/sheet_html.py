"""A checklist as a printable sheet: rows, section subtotals and total, rendered to HTML.

The same HTML is the browser's print view and WeasyPrint's input, so the two never differ.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

from ..inspection import NOT_APPLICABLE, findings_to_empty
from .. import labels as views
from ..templating import render
from ..standards import Standards

STYLESHEET = "sheet.css"
FOCUS_ON_SHEET = 5  # focus entries printed at the top of a project's sheet


@dataclass(frozen=True)
class SheetRow:
    code: str
    short: str
    text: str
    points: float
    deduction: float
    critical: bool
    example: bool

    @property
    def empty(self) -> int:
        """Findings that empty the item (the form's last option, 不符合 N 处及以上（扣完）)."""
        return findings_to_empty(self.points, self.deduction)


@dataclass(frozen=True)
class SheetSection:
    number: str
    title: str
    rows: tuple[SheetRow, ...]

    @property
    def subtotal(self) -> float:
        return sum(r.points for r in self.rows)


@dataclass(frozen=True)
class Sheet:
    """Everything printed on one checklist sheet."""

    checklist_id: str
    title: str
    description: str | None
    organisation: str
    document_number: str
    version: str
    roles: tuple[str, ...]
    project: str | None
    sections: tuple[SheetSection, ...]
    grades: tuple[tuple[str, float, float], ...]
    lowest_grade: str
    not_applicable: str = NOT_APPLICABLE
    focus: tuple[tuple[str, str, str], ...] = ()   # (code or "", what to check, why) — 程序 4.1.1, 4.1.2

    @property
    def total(self) -> float:
        return sum(s.subtotal for s in self.sections)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(r.code for s in self.sections for r in s.rows)

    @property
    def has_critical(self) -> bool:
        return any(r.critical for s in self.sections for r in s.rows)


def build_sheet(standards: Standards, checklist_id: str, project_id: str | None = None,
                focus: tuple = ()) -> Sheet:
    """The sheet of a checklist, blank or with a project's name (and its focus list) filled in."""
    checklist = standards.checklists[checklist_id]
    chosen = {i.code for i in standards.checklist_items(checklist_id)}
    sections = []
    for section in standards.sections:
        rows = tuple(SheetRow(i.code, i.short, i.text, i.points, i.deduction, i.critical, i.example)
                     for i in section.items if i.code in chosen)
        if rows:
            sections.append(SheetSection(section.number, section.title, rows))
    grades = tuple((g.name, g.min, g.max) for g in views.grade_bands(standards))
    return Sheet(
        checklist_id=checklist.id, title=checklist.title, description=checklist.description,
        organisation=standards.organisation.name, document_number=standards.document.number,
        version=standards.document.version,
        roles=tuple(views.role_names(standards, checklist.roles)),
        project=standards.projects[project_id].name if project_id else None,
        sections=tuple(sections), grades=grades, lowest_grade=standards.lowest_grade,
        focus=tuple((e.code or "", e.text, "；".join(e.reasons)) for e in focus[:FOCUS_ON_SHEET]))


def render_sheet_html(sheet: Sheet, stylesheet_href: str | None = STYLESHEET) -> str:
    """The sheet as a standalone HTML page (A4, print stylesheet linked; None: no link, for a renderer
    that is handed the stylesheet)."""
    return render("print/sheet.html", sheet=sheet, stylesheet=stylesheet_href)


def stylesheet_text() -> str:
    """The print stylesheet shipped in the package (`generator/assets/print/sheet.css`)."""
    return resources.files("generator").joinpath("assets/print", STYLESHEET).read_text(encoding="utf-8")
