"""A checklist as a printable sheet: rows, section subtotals and total, rendered to HTML.

The same HTML is the browser's print view and WeasyPrint's input, so the two never differ.
"""

from __future__ import annotations

import hashlib
import html as html_text
import importlib.metadata
import inspect
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from ..forms.prefill import qr_svg
from ..inspection import NOT_APPLICABLE, PATROL_FIELDS, PERIODS, findings_to_empty
from .. import labels as views
from ..templating import render
from ..standards import Standards

STYLESHEET = "sheet.css"
FOCUS_ON_SHEET = 5  # focus entries printed at the top of a project's sheet (the highest priorities)
QUESTIONING_ROWS = 5   # rows of the random-questioning record: the usual draw (`handbook questions draw --n 5`)
# Rows of the findings table (条目 / 问题描述 / 当场纠正 / 整改期限) at the end of a sheet. A one-page sheet
# keeps its last rows for the focus list, so the list never takes the room to write; a longer sheet has
# the room of its last page.
FINDINGS_ROWS_ONE_PAGE = 5
FINDINGS_ROWS_NO_FOCUS = 2     # added to a one-page sheet without a focus list: its room is free
FINDINGS_ROWS_LONG = 18
ONE_PAGE_ITEMS = 16            # sheets with up to this many items are laid out to fit one A4 page


@dataclass(frozen=True)
class SheetRow:
    code: str
    short: str
    text: str
    points: float
    deduction: float
    critical: bool
    example: bool      # kept for callers; official sheets do not print it (the site marks such items)
    fix_days: int | None = None   # 整改期限 in working days (0: the same day), printed beside the rule

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
    focus_more: int = 0            # entries of the project's focus list not printed here (on its project page)
    rounds: int = 0                # patrols a day (程序 4.5): > 0 prints period, round, time and 被检查人员
    questioning: tuple[str, ...] = ()   # answer labels of the random-questioning record (程序 4.4.2.1), or ()
    questioning_rows: int = QUESTIONING_ROWS
    form_url: str = ""             # the project's prefilled form (its QR code is printed), "" without a form
    demo: bool = False             # the form link comes from the demo lock: its QR code is marked 演示
    findings_rows: int = FINDINGS_ROWS_ONE_PAGE
    record: str = ""               # the sheet's name in the procedure (记录 6.1), printed beside the document number

    @property
    def total(self) -> float:
        return sum(s.subtotal for s in self.sections)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(r.code for s in self.sections for r in s.rows)

    @property
    def has_critical(self) -> bool:
        return any(r.critical for s in self.sections for r in s.rows)

    @property
    def periods(self) -> tuple[str, ...]:
        return PERIODS

    @property
    def patrol_fields(self) -> dict[str, str]:
        return PATROL_FIELDS

    @property
    def qr(self) -> str:
        """The inline SVG QR code of the prefilled form ('' without a form)."""
        return qr_svg(self.form_url, scale=2) if self.form_url else ""


def build_sheet(standards: Standards, checklist_id: str, project_id: str | None = None,
                focus: tuple = (), *, form_url: str = "", demo: bool = False,
                focus_total: int | None = None) -> Sheet:
    """The sheet of a checklist, blank or with a project's name (and its focus list) filled in.

    `form_url` is the project's prefilled form link (from the lock: `forms.prefill.project_links`); the
    sheet then prints its QR code, marked 演示 when `demo` (the demo lock's ids are not real forms).
    `focus` is the project's `ProjectFocus`, or the part of its focus list this sheet can check, highest
    priority first; its first
    `FOCUS_ON_SHEET` entries are printed and `focus_total` (the length of the project's whole list, default
    `len(focus)`) tells how many more the project page has (另有 N 项).
    """
    checklist = standards.checklists[checklist_id]
    chosen = {i.code for i in standards.checklist_items(checklist_id)}
    sections = []
    for section in standards.sections:
        rows = tuple(SheetRow(i.code, i.short, i.text, i.points, i.deduction, i.critical, i.example, i.fix_within_days)
                     for i in section.items if i.code in chosen)
        if rows:
            sections.append(SheetSection(section.number, section.title, rows))
    grades = tuple((g.name, g.min, g.max) for g in views.grade_bands(standards))
    bank = standards.methods_file.questioning
    questioning = tuple(bank.answers) if bank and checklist.methods and bank.method in checklist.methods else ()
    if hasattr(focus, "for_sheet"):    # a `results.focus.ProjectFocus`: the part this sheet can check
        focus, focus_total = focus.for_sheet(checklist_id), len(focus.entries)
    total = len(focus) if focus_total is None else focus_total
    focus = tuple(focus[:FOCUS_ON_SHEET])
    if sum(len(s.rows) for s in sections) <= ONE_PAGE_ITEMS and not questioning:
        findings_rows = FINDINGS_ROWS_ONE_PAGE + (0 if focus or total else FINDINGS_ROWS_NO_FOCUS)
    else:
        findings_rows = FINDINGS_ROWS_LONG
    return Sheet(
        checklist_id=checklist.id, title=checklist.title, description=checklist.description,
        organisation=standards.organisation.name, document_number=standards.document.number,
        version=standards.document.version,
        roles=tuple(views.role_names(standards, checklist.roles)),
        project=standards.projects[project_id].name if project_id else None,
        sections=tuple(sections), grades=grades, lowest_grade=standards.lowest_grade,
        focus=tuple((e.code or "", e.text, "；".join(e.printed or e.reasons)) for e in focus),
        focus_more=max(0, total - len(focus)) if project_id else 0,
        rounds=views.daily_rounds(standards, checklist), questioning=questioning,
        form_url=form_url if project_id else "", demo=demo, findings_rows=findings_rows,
        record=views.checklist_record(standards, checklist))


def render_sheet_html(sheet: Sheet, stylesheet_href: str | None = STYLESHEET, *, qr_slot: bool = False) -> str:
    """The sheet as a standalone HTML page (A4, print stylesheet linked; None: no link, for a renderer
    that is handed the stylesheet).

    `qr_slot`: the QR code left as a marker naming its link (`fill_qr_slots` draws it). Drawing a QR code
    takes longer than the rest of the page's HTML, and a build only needs it for the sheets it renders:
    a cached PDF is found by the HTML with the marker, which names the link all the same.
    """
    qr = ""
    if sheet.form_url:
        qr = qr_marker(sheet.form_url) if qr_slot else sheet.qr
    return render("print/sheet.html", sheet=sheet, stylesheet=stylesheet_href, qr=qr)


_QR_SLOT = "<!-- hb:qr {url} -->"          # the escaped link holds no '>', so it cannot close the comment
_QR_SLOT_SCALED = "<!-- hb:qr:{scale} {url} -->"
_QR_SLOTS = re.compile(r"<!-- hb:qr(?::(\d+))? (.*?) -->", re.S)


def qr_marker(url: str, *, scale: int = 2) -> str:
    """A marker standing for the QR code of `url` in a printable's HTML; `fill_qr_slots` draws it, only for a
    printable that is rendered (a cached PDF is found by the HTML with the marker, which names the link and
    the size all the same). Scale 2 (the patrol sheets') keeps the marker the sheets' cache keys were made of."""
    escaped = html_text.escape(url)
    return _QR_SLOT.format(url=escaped) if scale == 2 else _QR_SLOT_SCALED.format(scale=scale, url=escaped)


def fill_qr_slots(page: str, cache_dir: Path | None = None) -> str:
    """The page with each QR marker (`qr_marker`, `render_sheet_html(..., qr_slot=True)`) replaced by its QR code.

    With `cache_dir` (the PDF cache), each code is drawn once and kept there as `qr-<key>.svg` (touched when
    used, so `pdf.prune_cache` keeps the current ones): a project's form link is the same every week while its
    sheets are printed again, and drawing the code is a tenth of a one-page sheet's rendering."""
    if "<!-- hb:qr" not in page:
        return page
    return _QR_SLOTS.sub(lambda m: _qr_code(html_text.unescape(m.group(2)), int(m.group(1) or 2), cache_dir), page)


@lru_cache(maxsize=1)
def _qr_drawing() -> str:
    """What a cached QR code was drawn by (the drawing function's code and segno's version): a code drawn
    otherwise is drawn again."""
    return "\0".join([inspect.getsource(qr_svg), importlib.metadata.version("segno")])


def _qr_code(url: str, scale: int, cache_dir: Path | None) -> str:
    if cache_dir is None:
        return qr_svg(url, scale=scale)
    key = hashlib.sha256(f"{_qr_drawing()}\0{scale}\0{url}".encode()).hexdigest()[:32]
    path = Path(cache_dir) / f"qr-{key}.svg"
    try:
        svg = path.read_text(encoding="utf-8")
        if svg.startswith("<svg") and svg.rstrip().endswith("</svg>"):   # a cut-off file is drawn again
            os.utime(path)
            return svg
    except (FileNotFoundError, UnicodeDecodeError):
        pass
    svg = qr_svg(url, scale=scale)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(svg, encoding="utf-8")
        os.replace(partial, path)
    except OSError:   # a cache that cannot be written: the code is drawn each time, as before
        pass
    return svg


def stylesheet_text() -> str:
    """The print stylesheet shipped in the package (`generator/assets/print/sheet.css`)."""
    return resources.files("generator").joinpath("assets/print", STYLESHEET).read_text(encoding="utf-8")
