"""Printable A4 checklists: HTML sheets (also the browser print view) and WeasyPrint PDFs."""

from .sheet_html import Sheet, build_sheet, render_sheet_html
from .pdf import SheetFile, write_sheets

__all__ = ["Sheet", "SheetFile", "build_sheet", "render_sheet_html", "write_sheets"]
