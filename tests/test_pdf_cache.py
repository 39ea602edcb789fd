"""The PDF cache: keyed by what a printable prints, QR codes drawn only for what is rendered, and kept to
what the last build used."""

from __future__ import annotations

import os
import shutil
import time

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.forms.prefill import prefill_url
from generator.instruments.fixreport.sheet import render_fix_sheet
from generator.instruments.questionnaire.survey import render_survey_sheet
from generator.printing.fonts import font_faces, subset_first
from generator.printing.pdf import cache_clock, cache_in_use, deferred_rendering, prune_cache, render_pdfs
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


@pytest.mark.slow   # subsets the CJK fonts into a new cache and renders a sheet (its subject)
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


@pytest.mark.slow   # two full builds of the site, every sheet rendered into an empty cache (its subject)
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
    stale.write_bytes(b"%PDF-1.7 last week")     # again, while another build (serve, a preview) uses the cache
    os.utime(stale, (week_ago, week_ago))
    with cache_in_use(cache):
        second = CliRunner().invoke(main, args, catch_exceptions=False)
    assert second.exit_code == 0, second.output
    assert stale.exists()                          # not pruned: the other build may still need it
    # nothing rendered again, nothing used pruned
    assert sorted(p.name for p in cache.iterdir() if p != stale) == kept


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


def test_a_qr_code_is_drawn_once_kept_in_the_cache_and_pruned_once_unused(tmp_path, standards_dir):
    """A sheet rendered again next week finds its form's QR code in the PDF cache instead of drawing it again;
    the code is the one drawn without a cache, and goes when no build uses it."""
    standards = require_standards(standards_dir, instruments=INSTRUMENTS)
    cache = tmp_path / "cache"
    keyed = render_fix_sheet(standards, "wutong", [], None, URL, qr_slot=True)
    eager = render_fix_sheet(standards, "wutong", [], None, URL)
    assert fill_qr_slots(keyed, cache) == eager
    [kept] = list(cache.glob("qr-*.svg"))
    assert "<svg" in eager and kept.read_text(encoding="utf-8") in eager
    kept.write_text("<svg><!-- from the cache --></svg>", encoding="utf-8")   # what the next sheet gets
    assert "<svg><!-- from the cache --></svg>" in fill_qr_slots(keyed, cache)
    assert fill_qr_slots(keyed) == eager                       # without a cache it is drawn
    kept.write_text('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0', encoding="utf-8")   # cut off
    assert fill_qr_slots(keyed, cache) == eager                # drawn again, never printed half
    assert kept.read_text(encoding="utf-8") in eager
    week_ago = time.time() - 7 * 86400
    os.utime(kept, (week_ago, week_ago))
    since = cache_clock(cache)
    drawn = kept.stat().st_ino
    assert fill_qr_slots(keyed, cache) == eager                # used by this week's build: read, not drawn, kept
    assert kept.stat().st_ino == drawn
    assert prune_cache(cache, since) == (0, 0) and kept.exists()
    os.utime(kept, (week_ago, week_ago))
    assert prune_cache(cache, cache_clock(cache))[0] == 1 and not kept.exists()


def test_the_collector_is_held_off_while_a_printable_renders_and_left_as_it_was(tmp_path):
    """Rendering a printable makes hundreds of thousands of objects: the cyclic garbage collector runs once
    after it (one young pass), never during it, and is left enabled or disabled as it was."""
    import gc

    runs: list[int] = []

    def seen(phase, info):
        if phase == "start":
            runs.append(info["generation"])

    html = PAGE.format(t="收集器") + "<table>" + "<tr><td>格</td><td>子</td></tr>" * 200 + "</table>"
    render_pdfs([(html, tmp_path / "warm.pdf")], "")           # WeasyPrint imported, fonts loaded
    gc.callbacks.append(seen)
    try:
        assert render_pdfs([(html, tmp_path / "a.pdf")], "") == [False]
        assert runs == [0] and gc.isenabled()
        runs.clear()
        gc.disable()
        try:
            render_pdfs([(html, tmp_path / "b.pdf")], "")
            assert runs == [] and not gc.isenabled()
        finally:
            gc.enable()
    finally:
        gc.callbacks.remove(seen)
    assert (tmp_path / "a.pdf").read_bytes().startswith(b"%PDF-")


def test_the_system_font_is_looked_up_once_per_process(tmp_path, standards_dir, monkeypatch):
    """A build asks for the subset fonts once for each kind of printable it writes (sheets, cards, fix reports,
    surveys, reports): fontconfig's `fc-match`, a process each time, runs once per weight, and every kind gets
    the same faces."""
    from generator.printing import fonts

    real = shutil.which("fc-match")
    assert real is not None            # fontconfig is one of the Makefile's Debian packages
    calls = tmp_path / "calls"
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "fc-match").write_text(f'#!/bin/sh\necho "$3" >> "{calls}"\nexec "{real}" "$@"\n', encoding="utf-8")
    (bin_dir / "fc-match").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    standards = require_standards(standards_dir, instruments=INSTRUMENTS)
    fonts._locate.cache_clear()
    try:
        faces = [font_faces(standards, tmp_path / "cache", printed_sources(INSTRUMENTS)) for _ in range(4)]
        assert calls.read_text(encoding="utf-8").splitlines() == [
            "Noto Sans CJK SC:style=Regular", "Noto Sans CJK SC:style=Bold"]
        assert faces[0].count("@font-face") == 2 and faces == [faces[0]] * 4
    finally:
        fonts._locate.cache_clear()    # later lookups go to the real fc-match again
