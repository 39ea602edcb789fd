"""Write the printable sheets: PDFs with WeasyPrint, plus the HTML print views.

WeasyPrint is the slow part of a build, so each PDF is cached by the hash of its
HTML + stylesheet (+ WeasyPrint version): rebuilding unchanged standards reuses it.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
from dataclasses import dataclass
from pathlib import Path

from ..errors import HandbookError
from ..site import urls, views
from ..standards import Standards
from .sheets import STYLESHEET, build_sheet, render_sheet_html, stylesheet_text


@dataclass(frozen=True)
class SheetFile:
    """A written sheet: docs-relative path, checklist, project (None = blank), whether cached."""

    path: str
    checklist_id: str
    project_id: str | None
    cached: bool = False


def _weasyprint():
    # Imported lazily: loading WeasyPrint (pango, fonts) costs time that only PDF writing needs.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    import weasyprint
    return weasyprint


def html_to_pdf(html: str, css: str, target: Path, *, cache_dir: Path | None = None,
                font_config=None) -> bool:
    """Render one sheet to `target`; returns True when it came from the cache."""
    weasyprint = _weasyprint()
    key = hashlib.sha256("\0".join([weasyprint.__version__, css, html]).encode()).hexdigest()[:32]
    cached = cache_dir / f"{key}.pdf" if cache_dir else None
    if cached is not None and cached.exists():
        shutil.copyfile(cached, target)
        return True
    try:
        document = weasyprint.HTML(string=html, base_url=str(target.parent))
        document.write_pdf(target, stylesheets=[weasyprint.CSS(string=css, font_config=font_config)],
                           font_config=font_config)
    except Exception as exc:  # WeasyPrint raises many kinds; the user needs which sheet failed
        raise HandbookError(f"无法生成 PDF {target.name}：{exc}") from exc
    if cached is not None:
        cache_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(target, cached)
    return False


def write_sheets(standards: Standards, docs_dir: Path, *, cache_dir: Path | None = None,
                 per_project: bool = True) -> list[SheetFile]:
    """Write every checklist's blank PDF, per-project PDFs and HTML print view under docs_dir/print/."""
    out_dir = docs_dir / urls.PRINT_DIR
    out_dir.mkdir(parents=True, exist_ok=True)
    css = stylesheet_text()
    (out_dir / STYLESHEET).write_text(css, encoding="utf-8")
    font_config = _weasyprint().text.fonts.FontConfiguration()
    written: list[SheetFile] = []
    for checklist in standards.checklists.values():
        blank_html = render_sheet_html(build_sheet(standards, checklist.id))
        (docs_dir / urls.sheet_html(checklist.id)).write_text(blank_html, encoding="utf-8")
        jobs = [(None, blank_html)]
        if per_project:
            jobs += [(p.id, render_sheet_html(build_sheet(standards, checklist.id, p.id)))
                     for p in views.checklist_projects(standards, checklist)]
        for project_id, html in jobs:
            rel = urls.sheet_pdf(checklist.id, project_id)
            hit = html_to_pdf(html, css, docs_dir / rel, cache_dir=cache_dir, font_config=font_config)
            written.append(SheetFile(rel, checklist.id, project_id, hit))
    return written
