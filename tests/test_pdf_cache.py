"""The PDF cache: keyed by what a printable prints, QR codes drawn only for what is rendered, and kept to
what the last build used."""

from __future__ import annotations

import os
import shutil
import time

from click.testing import CliRunner

from generator.cli import main
from generator.forms.prefill import prefill_url
from generator.instruments.fixreport.sheet import render_fix_sheet
from generator.instruments.questionnaire.survey import render_survey_sheet
from generator.printing.fonts import font_faces, subset_first
from generator.printing.pdf import cache_clock, deferred_rendering, prune_cache, render_pdfs
from generator.printing.sheet_html import build_sheet, fill_qr_slots, render_sheet_html
from generator.context import printed_sources
from generator.instruments import INSTRUMENTS
from generator.standards import require_standards

from site_helpers import copy_site_sources

URL = prefill_url("https://docs.google.com/forms/d/e/1FAIpQLSe-bench/viewform", {"1a2b3c4d": "梧桐苑"})
PAGE = "<html lang='zh-CN'><head><title>{t}</title></head><body><p>{t}</p></body></html>"


def test_a_printable_not_used_by_the_last_build_is_pruned_and_a_used_one_kept(tmp_path):
    cache = tmp_path / "cache"
    out = tmp_path / "out"
    out.mkdir()
    first = render_pdfs([(PAGE.format(t="本周"), out / "a.pdf"), (PAGE.format(t="上周"), out / "b.pdf")], "",
                        cache_dir=cache)
    assert first == [False, False]
    week_ago = time.time() - 7 * 86400
    for path in cache.iterdir():
        os.utime(path, (week_ago, week_ago))     # last week's build wrote both
    sizes = {p.name: p.stat().st_size for p in cache.iterdir()}
    since = cache_clock(cache)
    again = render_pdfs([(PAGE.format(t="本周"), out / "a.pdf")], "", cache_dir=cache)   # this week's build
    assert again == [True]
    removed, freed = prune_cache(cache, since)
    assert removed == 1
    left = [p.name for p in cache.glob("*.pdf")]
    assert len(left) == 1 and freed == sum(size for name, size in sizes.items() if name not in left)
    assert render_pdfs([(PAGE.format(t="本周"), out / "a2.pdf")], "", cache_dir=cache) == [True]
    assert (out / "a2.pdf").read_bytes() == (out / "a.pdf").read_bytes()
    assert prune_cache(tmp_path / "missing", since) == (0, 0)


def test_the_cache_key_does_not_depend_on_where_the_cache_lies(tmp_path, standards_dir):
    standards = require_standards(standards_dir, instruments=INSTRUMENTS)
    old, new = tmp_path / "old-cache", tmp_path / "moved" / "pdf-cache"
    html = render_sheet_html(build_sheet(standards, "daily-patrol", "wutong", form_url=URL), None, qr_slot=True)
    faces = font_faces(standards, old, printed_sources(INSTRUMENTS))
    assert str(old.resolve()) in faces
    assert render_pdfs([(html, tmp_path / "one.pdf")], faces + subset_first("", faces), cache_dir=old) == [False]
    shutil.copytree(old, new)
    moved = font_faces(standards, new, printed_sources(INSTRUMENTS))
    assert moved != faces and str(new.resolve()) in moved      # the stylesheet names the moved fonts
    assert render_pdfs([(html, tmp_path / "two.pdf")], moved + subset_first("", moved), cache_dir=new) == [True]
    assert (tmp_path / "two.pdf").read_bytes() == (tmp_path / "one.pdf").read_bytes()


def test_survey_and_fix_sheets_leave_their_qr_code_to_the_renderer(standards_dir):
    standards = require_standards(standards_dir, instruments=INSTRUMENTS)
    eager = render_survey_sheet(standards, "wutong", URL)
    keyed = render_survey_sheet(standards, "wutong", URL, qr_slot=True)
    assert "<svg" in eager and "<svg" not in keyed and "<!-- hb:qr:3 " in keyed
    assert fill_qr_slots(keyed) == eager          # drawn as it was, at the survey's size
    rows: list[dict] = []
    eager = render_fix_sheet(standards, "wutong", rows, None, URL)
    keyed = render_fix_sheet(standards, "wutong", rows, None, URL, qr_slot=True)
    assert "<svg" in eager and "<svg" not in keyed and "<!-- hb:qr:3 " in keyed
    assert fill_qr_slots(keyed) == eager
    # the patrol sheets' marker is unchanged, so their cached PDFs stay valid
    sheet = build_sheet(standards, "daily-patrol", "wutong", form_url=URL)
    marker = "<!-- hb:qr https://docs.google.com/forms/d/e/1FAIpQLSe-bench/viewform?usp=pp_url&amp;entry."
    assert marker in render_sheet_html(sheet, None, qr_slot=True)


def test_handbook_build_keeps_the_cache_to_what_it_printed(tmp_path, standards_dir, monkeypatch):
    docs, config = copy_site_sources(tmp_path)
    monkeypatch.chdir(tmp_path)                   # the CLI's cache is build/pdf-cache in the working folder
    cache = tmp_path / "build" / "pdf-cache"
    cache.mkdir(parents=True)
    stale = cache / ("0" * 32 + ".pdf")           # a sheet an earlier week printed
    stale.write_bytes(b"%PDF-1.7 last week")
    week_ago = time.time() - 7 * 86400
    os.utime(stale, (week_ago, week_ago))
    args = ["build", "--standards", str(standards_dir), "--out", str(tmp_path / "public"), "--docs", str(docs),
            "--config", str(config)]
    first = CliRunner().invoke(main, args, catch_exceptions=False)
    assert first.exit_code == 0, first.output
    assert not stale.exists()
    kept = sorted(p.name for p in cache.iterdir())
    assert ".build-started" in kept
    published = list((tmp_path / "public").rglob("*.pdf"))
    assert len([n for n in kept if n.endswith(".pdf")]) == len({p.read_bytes() for p in published})
    # rendered while MkDocs ran, then copied in before the swap: no placeholder is ever published
    assert published and all(p.read_bytes().startswith(b"%PDF-") for p in published)
    second = CliRunner().invoke(main, args, catch_exceptions=False)
    assert second.exit_code == 0, second.output
    assert sorted(p.name for p in cache.iterdir()) == kept    # nothing rendered again, nothing used pruned


def test_deferred_printables_are_rendered_meanwhile_and_copied_into_the_site(tmp_path):
    docs, site, cache = tmp_path / "docs", tmp_path / "site", tmp_path / "cache"
    (docs / "print").mkdir(parents=True)
    (site / "print").mkdir(parents=True)
    direct = render_pdfs([(PAGE.format(t="直接"), tmp_path / "direct.pdf")], "")
    assert direct == [False]
    render_pdfs([(PAGE.format(t="已缓存"), tmp_path / "cached.pdf")], "", cache_dir=cache)
    jobs = [(PAGE.format(t=t), docs / "print" / f"{n}.pdf") for n, t in enumerate(["直接", "已缓存", "第三", "第四"])]
    with deferred_rendering() as pending:
        hits = render_pdfs(jobs, "", cache_dir=cache)
    assert hits == [False, True, False, False]
    assert [(docs / "print" / f"{n}.pdf").read_bytes()[:5] for n in range(4)] == [b"", b"%PDF-", b"", b""]
    pending.start()
    assert pending.finish(docs, site) == 3
    assert (site / "print" / "0.pdf").read_bytes() == (tmp_path / "direct.pdf").read_bytes()
    assert (docs / "print" / "0.pdf").read_bytes() == (tmp_path / "direct.pdf").read_bytes()
    assert not (site / "print" / "1.pdf").exists()          # a cached one is in docs already for the engine to copy
    assert all((site / "print" / f"{n}.pdf").read_bytes().startswith(b"%PDF-") for n in (2, 3))
    assert len(list(cache.glob("*.pdf"))) == 4                # each deferred one cached by its worker
