"""The fix report's printable A4 sheet per project (整改反馈单): the project's prefilled fix-report form as a
QR code and its open corrective actions (item, found date, deadline, owner), for the project's notice board
or its 客服主管's folder. Written by the build beside the other printed sheets (`print/fix-report--<id>.pdf`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Sequence

from ... import page_urls as urls
from ...forms.lock_file import read_lock
from ...forms.prefill import qr_svg
from ...inspection import data_end
from ...printing.fonts import font_faces, subset_first
from ...printing.pdf import render_pdfs
from ...printing.sheet_html import qr_marker
from ...results.publish import fix_report_links, store_snapshot
from ...results.report_pages import public_name
from ...standards import Standards
from ...templating import render

DEFAULT_CACHE = Path("build/pdf-cache")
# where a project's results page (本周要做) takes the link to its sheet; without the sheet it stays a comment
SHEET_MARKER = "<!-- hb:fix-sheet -->"
SHEET_LINK = ("- 打印[本项目的整改反馈单]({link})（A4：反馈表二维码和未关闭的整改）",
              "- 打印[本项目的整改反馈单]({link})（A4：未关闭的整改）")   # (with the form published, without)
SHOWN = 18   # open actions listed on the one page; the rest are counted (另有 N 项)


def action_rows(standards: Standards, actions, project: str, as_of: dt.date | None) -> list[dict]:
    """The project's open actions as printed: not yet reported first (overdue first, then by deadline),
    then those reported and waiting for verification."""
    roles = {r.id: r.name for r in standards.organisation.roles}
    mine = [a for a in actions if a.project == project and a.closed is None]
    mine.sort(key=lambda a: (a.reported is not None, not (as_of and a.overdue(as_of)), a.due, a.code))
    rows = []
    for a in mine:
        owner = roles.get(a.owner, a.owner) or "—"
        if a.owner_name and standards.organisation.publish_names:
            owner = f"{owner}（{public_name(a.owner_name, True)}）"
        item = standards.items.get(a.code)
        rows.append(dict(code=a.code, short=item.short if item else "", found=a.opened, due=a.due, owner=owner,
                         critical=a.critical, overdue=bool(as_of and a.overdue(as_of)),
                         days_late=a.days_late(as_of) if as_of else 0, reported=a.reported))
    return rows


def render_fix_sheet(standards: Standards, project: str, rows: list[dict], as_of: dt.date | None, url: str = "",
                     *, demo: bool = False, qr_slot: bool = False) -> str:
    """One project's fix-report sheet as HTML (the QR code when the form is published; `qr_slot`: left as a
    marker, `printing.sheet_html.qr_marker`, drawn only if the PDF is rendered)."""
    qr = (qr_marker(url, scale=3) if qr_slot else qr_svg(url, scale=3)) if url else ""
    return render("fixreport/sheet.html", project=standards.projects[project].name,
                  organisation=standards.organisation.name, rows=rows[:SHOWN], more=max(0, len(rows) - SHOWN),
                  as_of=as_of, url=url, qr=qr, demo=demo)


def write_fix_sheets(standards: Standards, docs_dir: Path, actions, as_of: dt.date | None, links: dict[str, str],
                     *, demo: bool = False, cache_dir: Path | None = None,
                     printed_sources: Sequence[str]) -> list[str]:
    """Write every active project's fix-report sheet as a PDF; the docs-relative paths written (with a
    `cache_dir`, in the font subset of `printed_sources`: `printing.fonts.font_faces`)."""
    planned = []
    for p in standards.organisation.projects:
        if not p.active:
            continue
        html = render_fix_sheet(standards, p.id, action_rows(standards, actions, p.id, as_of), as_of,
                                links.get(p.id, ""), demo=demo, qr_slot=True)
        planned.append((html, urls.fix_report_sheet(p.id)))
    for _, rel in planned:
        (docs_dir / rel).parent.mkdir(parents=True, exist_ok=True)
    faces = font_faces(standards, cache_dir, printed_sources)
    render_pdfs([(subset_first(html, faces), docs_dir / rel) for html, rel in planned], faces, cache_dir=cache_dir)
    return [rel for _, rel in planned]


def fix_sheet_generator(store_path: Path, *, lock_path: Path | None = None, cache_dir: Path | None = DEFAULT_CACHE,
                        printed_sources: Sequence[str]):
    """A site page generator: the fix-report sheet of every active project, from the store's open actions
    (`printed_sources`: what the sheets' font subset covers, `Context.printed_sources`)."""

    def generate(ctx) -> None:
        lock = read_lock(lock_path) if lock_path else read_lock()
        snapshot = store_snapshot(store_path)
        inspections = snapshot.inspections()
        standards = snapshot.standards(ctx.standards) if inspections else ctx.standards
        actions = snapshot.actions(standards) if inspections else []
        as_of = data_end(inspections) if inspections else None
        links = fix_report_links(ctx.standards, lock)
        written = write_fix_sheets(ctx.standards, ctx.docs_dir, actions, as_of, links, demo=bool(lock.get("demo")),
                                   cache_dir=cache_dir, printed_sources=printed_sources)
        ctx.written += written
        for p in ctx.standards.organisation.projects:
            page, sheet = f"results/projects/{p.id}.md", urls.fix_report_sheet(p.id)
            path = ctx.docs_dir / page
            if sheet in written and path.is_file():
                text = path.read_text(encoding="utf-8")
                if SHEET_MARKER in text:
                    link = SHEET_LINK[0 if p.id in links else 1].format(link=urls.relative_link(sheet, page))
                    ctx.write(page, text.replace(SHEET_MARKER, link, 1))

    return generate
