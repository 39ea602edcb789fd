"""Write the printable sheets: PDFs with WeasyPrint, plus the HTML print views.

WeasyPrint is the slow part of a build, so each PDF is cached by the hash of what it prints: its HTML (QR
codes as markers naming their link and size), the stylesheet with its fonts named by their content, the
WeasyPrint version and the PDF variant. A printable whose printed text did not change is never rendered
again, wherever the cache folder lies; `prune_cache` keeps only what the last build used. A printable that
is rendered again (a weekly card, a changed focus list) finds its form's QR code drawn in the cache, and is
rendered with the garbage collector held off (`collector_paused`).
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import functools
import gc
import hashlib
import importlib.metadata
import logging
import multiprocessing
import os
import re
import shutil
import signal
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from ..errors import HandbookError
from ..forms.prefill import project_links
from ..messages import Msg
from .. import labels as views, page_urls as urls
from ..standards import Standards
from .fonts import font_faces, subset_first
from .sheet_html import STYLESHEET, build_sheet, fill_qr_slots, render_sheet_html, stylesheet_text


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


_FONT_CONFIG = None


def _font_config():
    """One FontConfiguration per process: fonts are looked up once, not per sheet."""
    global _FONT_CONFIG
    if _FONT_CONFIG is None:
        _FONT_CONFIG = _weasyprint().text.fonts.FontConfiguration()
        atexit.register(_release_fonts)
    return _FONT_CONFIG


def _release_fonts() -> None:
    # At exit, while modules are intact: a FontConfiguration that loaded @font-face fonts removes its
    # temporary folder in __del__, which fails with a printed traceback once shutdown has emptied shutil.
    global _FONT_CONFIG
    _STYLESHEETS.clear()
    _FONT_CONFIG = None


_STYLESHEETS: dict[str, object] = {}


def _stylesheet(css: str):
    """The parsed stylesheet, once per process: parsing it (and loading its @font-face fonts) for every
    sheet costs a quarter of the sheet's rendering."""
    sheet = _STYLESHEETS.get(css)
    if sheet is None:
        if len(_STYLESHEETS) > 8:
            _STYLESHEETS.clear()
        sheet = _STYLESHEETS[css] = _weasyprint().CSS(string=css, font_config=_font_config())
    return sheet


# Tagged PDF (PDF/UA-1): structure in reading order, the document's language (the HTML's lang="zh-CN") and
# its title (the HTML's <title>) shown by readers, so a screen reader reads the sheets in order.
PDF_VARIANT = "pdf/ua-1"


# A subset font is named in the stylesheet by its file's URL, whose name already says its content
# (`fonts.font_faces`: font-<key>-<style>.otf); the folder it lies in is not printed.
_FONT_URL = re.compile(r'url\("file://[^"]*/(font-[0-9a-f]+-[A-Za-z]+\.otf)"\)')


@functools.lru_cache(maxsize=1)
def _weasyprint_version() -> str:
    # the installed version from metadata: importing WeasyPrint just for the key costs ~0.4 s; read once,
    # as reading it costs ~0.4 ms and a build keys every printable it publishes
    return importlib.metadata.version("weasyprint")


def _cache_key(html: str, css: str) -> str:
    version = _weasyprint_version()
    css = _FONT_URL.sub(r'url("\1")', css)
    return hashlib.sha256("\0".join([version, PDF_VARIANT, css, html]).encode()).hexdigest()[:32]


def _from_cache(cached: Path | None, target: Path) -> bool:
    """Copy a cached PDF to `target` and mark it used (its mtime: `prune_cache` keeps it); False when the
    cache has none (or another build pruned it meanwhile)."""
    if cached is None:
        return False
    try:
        shutil.copyfile(cached, target)
        os.utime(cached)
    except FileNotFoundError:
        return False
    return True


CACHE_CLOCK = ".build-started"   # touched as a build starts: its mtime is the file system's own time


def cache_clock(cache_dir: Path | None) -> float:
    """The cache folder's own time now (the mtime of a file touched here), for `prune_cache`: files are
    stamped by the file system's clock, which need not be the process's (a network share, a test's clock)."""
    if cache_dir is None:
        return 0.0
    stamp = Path(cache_dir) / CACHE_CLOCK
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.touch()
    return stamp.stat().st_mtime


CACHE_USERS = ".in-use"   # every build using the cache holds a shared lock on it while it runs


@contextlib.contextmanager
def cache_in_use(cache_dir: Path | str | None):
    """Hold the cache as one of its users while a build reads and writes it (a shared lock on
    <cache>/.in-use, released when the block ends, also if the process dies). Yields `alone()`: True when no
    other build, serve or process holds the cache at that moment; after it returned True this process holds the
    cache alone until the block ends. A build prunes only when alone, so two builds at once (a preview beside
    the weekly build, serve beside `handbook build`) never remove each other's printables."""
    if cache_dir is None:
        yield lambda: False
        return
    Path(cache_dir).mkdir(parents=True, exist_ok=True)
    import fcntl

    with open(Path(cache_dir) / CACHE_USERS, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_SH)

        def alone() -> bool:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False
            return True

        yield alone


def prune_cache(cache_dir: Path | None, since: float) -> tuple[int, int]:
    """Remove the cached PDFs, subset fonts and QR codes that no build used since `since` (`cache_clock` taken before
    the build: every file a build reads or writes is touched), so the cache holds what is current instead of
    every past week's printables. Returns (files removed, bytes freed)."""
    removed = freed = 0
    if cache_dir is None or not Path(cache_dir).is_dir():
        return removed, freed
    for path in Path(cache_dir).iterdir():
        if not (path.suffix in (".pdf", ".otf", ".svg") or path.name.endswith(".tmp")) or not path.is_file():
            continue
        try:
            stat = path.stat()
            if stat.st_mtime < since:
                path.unlink()
                removed, freed = removed + 1, freed + stat.st_size
        except FileNotFoundError:
            pass
    return removed, freed


@contextlib.contextmanager
def collector_paused():
    """Python's cyclic garbage collector held off while one printable renders, and its garbage collected
    once after. WeasyPrint makes hundreds of thousands of objects per sheet (boxes, styles, text runs) that
    live until the sheet is written; the collector would otherwise walk them again every few hundred
    allocations, up to a sixth of a two-page sheet's CPU. One sheet's garbage is bounded, so memory stays
    flat across a build's hundreds of sheets."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
            gc.collect(0)    # the sheet's objects are all in the youngest generation: one pass frees them


def html_to_pdf(html: str, css: str, target: Path, *, cache_dir: Path | None = None) -> bool:
    """Render one sheet to `target`; returns True when it came from the cache."""
    cached = cache_dir / f"{_cache_key(html, css)}.pdf" if cache_dir else None
    if _from_cache(cached, target):   # before importing WeasyPrint: a cached build needs none of it
        return True
    weasyprint = _weasyprint()
    font_config = _font_config()
    try:
        with collector_paused():
            document = weasyprint.HTML(string=fill_qr_slots(html, cache_dir), base_url=str(target.parent))
            document.write_pdf(target, stylesheets=[_stylesheet(css)], font_config=font_config,
                               pdf_variant=PDF_VARIANT)
    except Exception as exc:  # WeasyPrint raises many kinds; the user needs which sheet failed
        raise HandbookError(Msg.PDF_FAILED, name=target.name, reason=exc) from exc
    if cached is not None:
        cache_dir.mkdir(parents=True, exist_ok=True)
        partial = cached.with_suffix(f".{os.getpid()}.tmp")
        shutil.copyfile(target, partial)
        os.replace(partial, cached)
    return False


def _render_job(job: tuple[str, str, str, str | None]) -> bool:
    html, css, target, cache_dir = job
    return html_to_pdf(html, css, Path(target), cache_dir=Path(cache_dir) if cache_dir else None)


def render_pdfs(jobs: list[tuple[str, Path]], css: str, *, cache_dir: Path | None = None,
                workers: int | None = None) -> list[bool]:
    """Render (html, target) pairs; uncached ones in parallel processes when there are several.

    Returns, per job, whether it came from the cache. Inside `deferred_rendering()` the uncached ones are
    only queued (their targets hold an empty placeholder until `PendingPdfs.finish`).
    """
    results: list[bool | None] = [None] * len(jobs)
    todo = []
    for n, (html, target) in enumerate(jobs):
        cached = cache_dir / f"{_cache_key(html, css)}.pdf" if cache_dir else None
        if _from_cache(cached, target):
            results[n] = True
        else:
            todo.append(n)
    payload = [(jobs[n][0], css, str(jobs[n][1]), str(cache_dir) if cache_dir else None) for n in todo]
    if _PENDING and _PENDING[-1] is not None:
        _PENDING[-1].queue(payload)
        return [bool(r) for r in results]
    workers = workers or min(len(todo), os.cpu_count() or 1, 4)
    if todo:
        _stylesheet(css)   # WeasyPrint, its fonts and the stylesheet loaded once, here: forked workers inherit them
    if workers > 1 and len(todo) > 2 and _can_fork():
        with _frozen(), ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                                                 initializer=_die_with_parent, initargs=(os.getpid(),)) as pool:
            done = list(pool.map(_render_job, payload))
    else:
        done = [_render_job(job) for job in payload]
    for n, hit in zip(todo, done):
        results[n] = hit
    return [bool(r) for r in results]


def _die_with_parent(parent: int) -> None:
    """A worker ends when its build does, however the build ends: a build killed outright (SIGKILL, the
    out-of-memory killer) would otherwise leave its forked workers waiting for work for ever, holding the
    build's lock on the output folder so that every later build waits for them."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)   # PR_SET_PDEATHSIG (Linux)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:          # the build died before the line above took effect
        os._exit(1)


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


@contextlib.contextmanager
def _frozen():
    # fork: the workers inherit the imported WeasyPrint instead of importing it again. Whatever the
    # parent holds (a build holds a year of inspections) is frozen out of the collector first, or
    # every worker's full collections would walk, and copy, all of it.
    frozen = gc.isenabled()
    if frozen:
        gc.freeze()
    try:
        yield
    finally:
        if frozen:
            gc.unfreeze()


class PendingPdfs:
    """The printables a build queued (`deferred_rendering`): rendered in worker processes while the site
    engine runs (`start`), then copied into the built site before it is published (`finish`), so the
    weekly build waits for the longer of the two instead of both, and the published site never links to a
    PDF that is missing or last week's."""

    def __init__(self) -> None:
        self.jobs: list[tuple[str, str, str, str | None]] = []
        self._pool: ProcessPoolExecutor | None = None
        self._futures: list = []

    def queue(self, payload: list[tuple[str, str, str, str | None]]) -> None:
        for job in payload:
            Path(job[2]).write_bytes(b"")   # the file the pages link to exists for the engine's link checks
        self.jobs += payload

    def start(self, workers: int | None = None) -> None:
        """Start rendering the queue in worker processes (call before the engine runs)."""
        if not self.jobs or self._pool is not None:
            return
        for css in dict.fromkeys(job[1] for job in self.jobs):
            _stylesheet(css)   # loaded once here: forked workers inherit them
        workers = workers or min(len(self.jobs), os.cpu_count() or 1, 4)
        if workers > 1 and _can_fork():
            with _frozen():     # with fork, every worker is started at the first submit
                self._pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                                                 initializer=_die_with_parent, initargs=(os.getpid(),))
                self._futures = [self._pool.submit(_render_job, job) for job in self.jobs]

    def finish(self, docs_dir: Path, site_dir: Path) -> int:
        """Wait for the queue (rendering it here when no workers were started; a failed sheet raises its
        `HandbookError`) and copy each PDF from the docs folder to its place in `site_dir`; how many."""
        if self._pool is not None:
            for future in self._futures:
                future.result()
        else:
            for job in self.jobs:
                _render_job(job)
        for job in self.jobs:
            target = Path(job[2])
            shutil.copyfile(target, Path(site_dir) / target.resolve().relative_to(Path(docs_dir).resolve()))
        self.close()
        return len(self.jobs)

    def close(self) -> None:
        """Stop the workers (after `finish`, or when the build failed)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


_PENDING: list[PendingPdfs | None] = []


@contextlib.contextmanager
def deferred_rendering(enabled: bool = True):
    """Inside it, `render_pdfs` renders nothing: each printable the cache lacks gets an empty placeholder at
    its target and is queued on the `PendingPdfs` this yields (None when not `enabled`), which the caller
    starts before the site engine runs and finishes before the site is published."""
    pending = PendingPdfs() if enabled else None
    _PENDING.append(pending)
    try:
        yield pending
    finally:
        _PENDING.pop()


def write_sheets(standards: Standards, docs_dir: Path, *, cache_dir: Path | None = None,
                 per_project: bool = True, workers: int | None = None,
                 focus: dict | None = None, lock: dict | None = None,
                 printed_sources: Iterable[str]) -> list[SheetFile]:
    """Write every checklist's blank PDF, per-project PDFs and HTML print view under docs_dir/print/.

    With a `cache_dir`, the PDFs are set in a font subset covering the standards and every printed text:
    `printed_sources` are the instruments' (`Context.printed_sources`, `fonts.font_faces`).

    `focus` maps a project id to its `ProjectFocus` (each sheet prints the part it can check, and how many
    more entries the project page has), or to one list printed on all of that project's sheets.
    `lock` is the forms lock (`forms.lock_file.read_lock`): a project's sheet prints the QR code of its
    prefilled form when the lock has the checklist's form (marked 演示 when the lock says `demo: true`).
    """
    focus = focus or {}
    lock = lock or {"checklists": {}}
    demo = bool(lock.get("demo"))
    out_dir = docs_dir / urls.PRINT_DIR
    out_dir.mkdir(parents=True, exist_ok=True)
    css = stylesheet_text()
    (out_dir / STYLESHEET).write_text(css, encoding="utf-8")
    planned: list[tuple[str, str, str | None]] = []   # (html, checklist, project)
    for checklist in standards.checklists.values():
        blank = build_sheet(standards, checklist.id)
        (docs_dir / urls.sheet_html(checklist.id)).write_text(render_sheet_html(blank), encoding="utf-8")
        # the PDFs link no stylesheet: the renderer is handed it, with the subset font first
        planned.append((render_sheet_html(blank, None), checklist.id, None))
        if per_project:
            links = project_links(lock, standards, checklist.id)
            planned += [(render_sheet_html(build_sheet(standards, checklist.id, p.id, focus.get(p.id, ()),
                                                       form_url=links.get(p.id, ""), demo=demo),
                                           None, qr_slot=True), checklist.id, p.id)
                        for p in views.checklist_projects(standards, checklist)]
    jobs = [(html, docs_dir / urls.sheet_pdf(cid, pid)) for html, cid, pid in planned]
    faces = font_faces(standards, cache_dir, printed_sources)   # the published print view keeps `css` as it is
    hits = render_pdfs(jobs, faces + subset_first(css, faces), cache_dir=cache_dir, workers=workers)
    return [SheetFile(urls.sheet_pdf(cid, pid), cid, pid, hit) for (_, cid, pid), hit in zip(planned, hits)]
