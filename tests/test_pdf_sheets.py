"""Printable A4 sheets: pages, every item code in the text, CJK font embedded, header and footer."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from pypdf import PdfReader

from generator.printing import build_sheet, render_sheet_html, write_sheets
from generator.printing.pdf import html_to_pdf
from generator.printing.sheet_html import stylesheet_text
from generator.standards import require_standards
from generator.context import printed_sources
from generator.instruments import INSTRUMENTS

from conftest import STANDARDS
from site_helpers import output_dir

PRINTED = printed_sources(INSTRUMENTS)   # the instruments' printed texts, in the sheets' font subset

pytestmark = pytest.mark.slow   # real PDFs rendered by WeasyPrint, fonts cut and compared

A4 = (595.3, 841.9)  # points


@pytest.fixture(scope="module")
def standards():
    return require_standards(STANDARDS, instruments=INSTRUMENTS)


@pytest.fixture(scope="module")
def sheets(standards, tmp_path_factory):
    """Blank sheets of every checklist and the first project's sheet of each, rendered for real."""
    docs = tmp_path_factory.mktemp("docs")
    written = write_sheets(standards, docs, cache_dir=None, per_project=False, printed_sources=PRINTED)
    project = next(p for p in standards.projects.values() if p.active)
    out = {}
    for sheet in written:
        out[(sheet.checklist_id, None)] = docs / sheet.path
        html = render_sheet_html(build_sheet(standards, sheet.checklist_id, project.id))
        target = docs / "print" / f"{sheet.checklist_id}--{project.id}.pdf"
        html_to_pdf(html, stylesheet_text(), target)
        out[(sheet.checklist_id, project.id)] = target
    return out


def page_texts(path) -> list[str]:
    return [page.extract_text() for page in PdfReader(path).pages]


def compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


# The daily sheet is printed twice a day per project: it must stay on one sheet of paper.
PAGES = {"daily-patrol": 1, "crd-spot-check": 2}


def test_page_counts_and_a4(standards, sheets):
    assert set(PAGES) == set(standards.checklists)
    for (checklist, _project), path in sheets.items():
        reader = PdfReader(path)
        assert len(reader.pages) == PAGES[checklist], f"{path.name}: {len(reader.pages)} pages"
        for page in reader.pages:
            box = page.mediabox
            assert (round(float(box.width), 1), round(float(box.height), 1)) == A4


def test_text_holds_every_item_code_title_and_subtotals(standards, sheets):
    for checklist_id, checklist in standards.checklists.items():
        text = compact("".join(page_texts(sheets[(checklist_id, None)])))
        assert compact(checklist.title) in text
        for item in standards.checklist_items(checklist_id):
            assert item.code in text, f"{item.code} missing from {checklist_id}"
            assert compact(item.short) in text
        for section in build_sheet(standards, checklist_id).sections:
            assert compact(f"小计{section.number}{section.title}") in text
        total = sum(i.points for i in standards.checklist_items(checklist_id))
        assert re.search(rf"合计（满分）{total:g}", text)
        for label in ("项目", "检查日期", "检查人", "角色", "检查人签字", "发现", "得分", "备注", "发现的问题",
                      "问题描述", "当场纠正", "整改期限"):
            assert compact(label) in text


def test_red_line_items_are_marked(standards, sheets):
    text = compact("".join(page_texts(sheets[("daily-patrol", None)])))
    for item in standards.checklist_items("daily-patrol"):
        marked = f"{item.code}{compact(item.short)}【红线】" in text
        assert marked == item.critical, item.code


def test_header_repeats_and_footer_counts_pages(standards, sheets):
    """Every page after the first repeats 项目, 检查日期 and 第 N 页 / 共 M 页 at its top (a loose page
    still says whose it is); a page that continues the items repeats the table header."""
    project = next(p for p in standards.projects.values() if p.active)
    codes = [i.code for i in standards.checklist_items("crd-spot-check")]
    for key in (("crd-spot-check", None), ("crd-spot-check", project.id)):
        texts = page_texts(sheets[key])
        assert len(texts) == 2
        for n, text in enumerate(texts, 1):
            flat = compact(text)
            counted = flat.count(f"第{n}页/共{len(texts)}页")
            if n == 1:
                assert counted == 1, f"page 1 of {key}: {counted}"
                continue
            assert counted == 2, f"page {n} of {key}: {counted}"   # the running head and the footer
            head = f"项目{project.name if key[1] else ''}检查日期年月日{compact(standards.checklists[key[0]].title)}"
            assert head in flat, flat[-80:]
            if any(code in flat for code in codes):
                assert "代码检查条目分值" in flat, f"table header missing on page {n}"
    first = compact(page_texts(sheets[("daily-patrol", None)])[0])
    assert first.count("第1页/共1页") == 1    # no running head on a first page


def test_project_name_is_filled_in(standards, sheets):
    project = next(p for p in standards.projects.values() if p.active)
    text = compact(page_texts(sheets[("daily-patrol", project.id)])[0])
    assert f"项目{project.name}" in text
    blank = compact(page_texts(sheets[("daily-patrol", None)])[0])
    assert project.name not in blank


def test_a_cjk_font_is_embedded_everywhere(sheets):
    for path in sheets.values():
        fonts = set()
        for page in PdfReader(path).pages:
            for font in page["/Resources"]["/Font"].values():
                font = font.get_object()
                descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
                descriptor = descendant["/FontDescriptor"].get_object()
                if any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                    fonts.add(str(font["/BaseFont"]))
        assert any("CJK" in f for f in fonts), f"{path.name}: {fonts}"


def test_page_one_renders_to_png(sheets):
    folder = output_dir("pdf")
    for path in sheets.values():
        stem = folder / (path.stem)
        subprocess.run(["pdftoppm", "-r", "80", "-png", "-f", "1", "-l", "2", str(path), str(stem)], check=True)
        png = folder / f"{path.stem}-1.png"
        assert png.stat().st_size > 20_000
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_pdf_cache_reuses_an_unchanged_sheet(standards, tmp_path):
    html = render_sheet_html(build_sheet(standards, "daily-patrol"))
    css = stylesheet_text()
    cache = tmp_path / "cache"
    assert html_to_pdf(html, css, tmp_path / "a.pdf", cache_dir=cache) is False
    assert html_to_pdf(html, css, tmp_path / "b.pdf", cache_dir=cache) is True
    assert (tmp_path / "a.pdf").read_bytes() == (tmp_path / "b.pdf").read_bytes()
    assert html_to_pdf(html.replace("客服中心", "客服部"), css, tmp_path / "c.pdf", cache_dir=cache) is False


def font_names(path) -> set[str]:
    names = set()
    for page in PdfReader(path).pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]).split("+", 1)[-1])
    return names


def page_pixels(path, stem):
    from PIL import Image

    subprocess.run(["pdftoppm", "-r", "60", "-png", str(path), str(stem)], check=True)
    return [Image.open(p).convert("L").tobytes() for p in sorted(stem.parent.glob(f"{stem.name}-*.png"))]


def test_sheets_embed_a_subset_font_that_looks_the_same_at_a_third_of_the_size(standards, tmp_path):
    plain = write_sheets(standards, tmp_path / "plain", cache_dir=None, per_project=False, printed_sources=PRINTED)
    cut = write_sheets(standards, tmp_path / "cut", cache_dir=tmp_path / "cache", per_project=False,
                       printed_sources=PRINTED)
    assert [s.path for s in plain] == [s.path for s in cut]
    for n, (a, b) in enumerate(zip(plain, cut)):
        old, new = tmp_path / "plain" / a.path, tmp_path / "cut" / b.path
        assert "Handbook-Sans-CJK" in font_names(new) and "Noto-Sans-CJK-SC" in font_names(old)
        assert new.stat().st_size * 2 < old.stat().st_size
        assert page_pixels(old, tmp_path / f"old{n}") == page_pixels(new, tmp_path / f"new{n}")   # pixel for pixel
    assert len(list((tmp_path / "cache").glob("font-*.otf"))) == 2          # regular and bold, cut once
    # the published print view links the stylesheet as it is: no local font file in it
    assert "file:" not in (tmp_path / "cut" / "print" / "sheet.css").read_text(encoding="utf-8")
    again = write_sheets(standards, tmp_path / "again", cache_dir=tmp_path / "cache", per_project=False,
                         printed_sources=PRINTED)
    assert all(s.cached for s in again)


def test_a_character_outside_the_subset_still_prints(standards, tmp_path):
    from generator.results.focus import FocusEntry
    from generator.printing.fonts import package_characters, standards_characters

    rare = "龘"
    assert rare not in package_characters(PRINTED) and rare not in standards_characters(standards)
    project = next(p for p in standards.projects.values() if p.active)
    written = write_sheets(standards, tmp_path, cache_dir=tmp_path / "cache", per_project=True, printed_sources=PRINTED,
                           focus={project.id: [FocusEntry(None, f"{rare}字号门岗的交接记录", ("例会（测试）",))]})
    sheet = next(s for s in written if s.project_id == project.id and s.checklist_id == "daily-patrol")
    text = compact("".join(page_texts(tmp_path / sheet.path)))
    assert f"{rare}字号门岗的交接记录" in text
    assert {"Handbook-Sans-CJK", "Noto-Sans-CJK-SC"} <= font_names(tmp_path / sheet.path)   # the system font fills in


def test_a_process_that_wrote_sheets_exits_without_noise(tmp_path):
    # WeasyPrint's font configuration cleans its @font-face folder when collected; at interpreter exit
    # that used to print "Exception ignored … TypeError" after every `handbook build`
    script = ("import sys; from pathlib import Path; from generator.standards import require_standards; "
              "from generator.printing import write_sheets; from generator.instruments import INSTRUMENTS; "
              "from generator.context import printed_sources; "
              "write_sheets(require_standards(Path(sys.argv[1]), instruments=INSTRUMENTS), Path(sys.argv[2]), "
              "cache_dir=Path(sys.argv[3]), per_project=False, printed_sources=printed_sources(INSTRUMENTS))")
    done = subprocess.run([sys.executable, "-c", script, str(STANDARDS), str(tmp_path / "docs"),
                           str(tmp_path / "cache")], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "Exception ignored" not in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert list((tmp_path / "docs" / "print").glob("*.pdf"))
