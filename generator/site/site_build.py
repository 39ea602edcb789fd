"""Build the handbook: generate pages and PDFs into the docs folder, run the site engine, swap into public/.

The new site is built beside the old one (`.build-*/public`) and only replaces it
when the engine (MkDocs by default, or Zensical: `engine.py`) succeeded, so a failed
build leaves the previous public/ untouched. `safety.py` keeps a build from replacing a
folder it did not write, from running beside another build over the same sources or
output, and from publishing links out of the sources or credentials.

Other parts of the project add pages through `extra_generators`: callables that
receive the `SiteContext`, write Markdown or files with `ctx.write(...)`, add
navigation with `ctx.add_nav(...)` and keep archives out of it with
`ctx.hide_from_nav(...)`. They run after our pages and sheets, before MkDocs.
"""

from __future__ import annotations

import os
import shutil
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Sequence

from ..context import printed_sources
from ..errors import HandbookError
from ..forms.lock_file import DEFAULT_LOCK, read_lock
from ..store import DEFAULT_STORE
from ..messages import Msg
from ..printing.pdf import SheetFile, cache_in_use, deferred_rendering, write_sheets
from ..standards import Standards, require_standards
from .. import page_urls as urls
from .engine import EngineState, build_with_engine, choose_engine, render_pages
from .handbook_pages import generate_pages
from .unchanged import FileTimes, keep_times_of_same
from .safety import (build_lock, check_out_dir, check_sources, remove_stale_scratch, repository_root,
                     write_marker)

# Folders of the docs folder that `generate_pages` and `write_sheets` own; emptied on each build.
GENERATED_DIRS = (urls.STANDARDS_DIR, urls.ROLES_DIR, urls.CHECKLISTS_DIR, urls.PRINT_DIR)
HOME_PAGE = "index.md"


@dataclass
class SiteContext:
    """What page generators get: the standards, the docs folder, and the navigation being built."""

    standards: Standards
    docs_dir: Path
    nav: list = field(default_factory=list)
    not_in_nav: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    shared: dict = field(default_factory=dict)   # what one generator leaves for a later one (by key)
    # the generated files as they were before this build: those made again with the same bytes keep their mtime
    times: FileTimes | None = field(default=None, repr=False)

    def clear(self, folder: str) -> None:
        """Empty a generated folder of the docs (relative) before writing it again; files written again with
        the same bytes keep their modification time (`finish`)."""
        if self.times is None:
            self.times = FileTimes(self.docs_dir)
        self.times.remember(self.docs_dir / folder)
        shutil.rmtree(self.docs_dir / folder, ignore_errors=True)

    def finish(self) -> int:
        """After the last generator: files made again with the same bytes get back their old mtime."""
        return self.times.restore() if self.times is not None else 0

    def write(self, path: str, content: str | bytes) -> Path:
        """Write a page or file at `path` (relative to the docs folder, `/`-separated)."""
        target = self.docs_dir / path
        if self.times is not None and target.is_file():
            self.times.remember(target)   # a page written over (not cleared first) keeps its mtime too
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
        self.written.append(path)
        return target

    def add_nav(self, title: str, entry: str | list, *, position: int | None = None) -> None:
        """Add a top-level navigation entry (a tab): a page path or a list of MkDocs nav items.

        Example: `ctx.add_nav("检查结果", ["results/index.md", {"本周": "results/week.md"}])`.
        """
        item = {title: entry}
        if position is None:
            self.nav.append(item)
        else:
            self.nav.insert(position, item)

    def hide_from_nav(self, pattern: str) -> None:
        """Keep pages matching a .gitignore-style pattern (e.g. `results/archive/`) out of the navigation.

        They are still built, searchable and linkable; index pages should link them.
        """
        self.not_in_nav.append(pattern)


PageGenerator = Callable[[SiteContext], None]


@dataclass
class BuildReport:
    """What a build did and how long each step took (seconds)."""

    out_dir: Path
    pages: list[str]
    sheets: list[SheetFile]
    timings: dict[str, float]
    size_bytes: int
    engine: str = "mkdocs"
    # what the engine was given: `rebuild_pages` runs it again with the same when only hand-written pages changed
    nav: list = field(default_factory=list)
    not_in_nav: list[str] = field(default_factory=list)
    copyright: str = ""
    # what the engine keeps of this build to render single pages again (`rerender_pages`); None for Zensical
    engine_state: EngineState | None = field(default=None, repr=False)

    @property
    def printables(self) -> int:
        """PDFs the built site offers in print/: the checklists' sheets and every instrument's printables."""
        return sum(1 for _ in (self.out_dir / urls.PRINT_DIR).glob("*.pdf"))


def generate_site(standards: Standards, docs_dir: Path, *, extra_generators: Iterable[PageGenerator] = (),
                  pdf: bool = True, per_project: bool = True, cache_dir: Path | None = None,
                  timings: dict[str, float] | None = None,
                  sheet_focus: Callable[[Standards], dict] | None = None,
                  lock: dict | None = None, instruments: Sequence) -> tuple[SiteContext, list[SheetFile]]:
    """Write every generated page, the printable sheets and the extra generators' pages into docs_dir.

    `lock` (the forms lock's data) gives the project sheets the QR codes of their prefilled forms; the
    sheets' font subset covers what `instruments` print too (`Instrument.printed_sources`)."""
    timings = {} if timings is None else timings
    t0 = time.perf_counter()
    generated = generate_pages(standards)
    ctx = SiteContext(standards, docs_dir, nav=[{"首页": HOME_PAGE}, *generated.nav])
    for folder in GENERATED_DIRS:
        ctx.clear(folder)
    for page in generated.pages:
        ctx.write(page.path, page.text)
    for pattern in generated.not_in_nav:
        ctx.hide_from_nav(pattern)
    timings["generate"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    focus = sheet_focus(standards) if sheet_focus and pdf and per_project else None
    sheets = write_sheets(standards, docs_dir, cache_dir=cache_dir, per_project=per_project,
                          focus=focus, lock=lock, printed_sources=printed_sources(instruments)) if pdf else []
    timings["pdf"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    for generator in extra_generators:
        generator(ctx)
    ctx.finish()
    timings["extra"] = time.perf_counter() - t0
    return ctx, sheets


def copyright_line(standards: Standards) -> str:
    """The footer line: the procedure's title, number, standards version and date."""
    doc = standards.document
    return f"{doc.title}（{doc.number}）· 标准版本 {doc.version} · 最后更新 {doc.updated.isoformat()}"


def _dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def swap_into(staged: Path, out_dir: Path, scratch: Path) -> None:
    """Replace out_dir by staged: two renames, the old site removed afterwards."""
    old = scratch / "old"
    if out_dir.exists():
        os.replace(out_dir, old)
    os.replace(staged, out_dir)
    shutil.rmtree(old, ignore_errors=True)


def protected_paths(standards_dir: Path, docs_dir: Path, config_file: Path, lock_path: Path | None,
                    stores: Iterable[Path | str] = ()) -> list[tuple[str, Path]]:
    """What an output folder must never be nor contain, with its Chinese name: the repository (or the
    project folder), the standards, the site sources, the forms folder and the stores."""
    config_dir = config_file.resolve().parent
    repo = repository_root(config_dir)
    protected = [("仓库" if (repo / ".git").exists() else "项目文件夹", repo), ("项目文件夹", config_dir),
                 ("标准文件夹", Path(standards_dir)), ("网站源文件夹", docs_dir),
                 ("表单文件夹", (Path(lock_path) if lock_path else DEFAULT_LOCK).parent)]
    # a store not made yet is named as the place it will be made (the default one until the first ingest)
    protected += [("数据库" if Path(store).exists() else
                   "默认数据库位置" if Path(store) == DEFAULT_STORE else "数据库位置", Path(store)) for store in stores]
    return protected


def lock_folders(docs_dir: Path, out_dir: Path, config_file: Path) -> list[Path]:
    """The folders whose build lock a build holds: the site sources' (pages are generated into them), the
    output's (the swap and the scratch folders) and the config's (the generated config beside it)."""
    return [docs_dir.resolve().parent, out_dir.resolve().parent, config_file.resolve().parent]


def build_site(standards_dir: Path | str = Path("standards"), *, out_dir: Path | str = Path("public"),
               docs_dir: Path | str = Path("site"), config_file: Path | str = Path("mkdocs.yml"),
               extra_generators: Iterable[PageGenerator] = (), pdf: bool = True, per_project: bool = True,
               cache_dir: Path | str | None = Path("build/pdf-cache"),
               sheet_focus: Callable[[Standards], dict] | None = None,
               lock_path: Path | str | None = None, instruments: Sequence,
               engine: str | None = None, stores: Iterable[Path | str] = (), clear: Iterable[str] = (),
               on_wait: Callable[[Path], None] | None = None) -> BuildReport:
    """Generate the handbook from the standards and build it into out_dir (default public/).

    The project sheets carry QR codes of the forms in `lock_path` (default forms/forms.lock.yaml, when
    it exists). `instruments` cross-check the standards as they are loaded (`load_standards`); their
    pages come in `extra_generators` (`generator.instruments.site_generators`). `engine` is "mkdocs" or
    "zensical" (default: $HANDBOOK_ENGINE, else MkDocs); `timings["mkdocs"]` is the engine's time either way.

    out_dir is replaced only when a build may (`safety.check_out_dir`; `stores` are never inside it); builds
    sharing the docs folder or the output's folder run one at a time (`safety.build_lock`; `on_wait` is told
    when this one waits). `clear`: docs folders (relative) removed first, under that lock.

    Raises `StandardsInvalid` (every diagnostic) or `HandbookError`; out_dir is then unchanged.
    """
    out_dir, docs_dir, config_file = Path(out_dir), Path(docs_dir), Path(config_file)
    if not config_file.is_file():
        raise HandbookError(Msg.MKDOCS_CONFIG_MISSING, path=config_file)
    engine = choose_engine(engine)
    protected = protected_paths(Path(standards_dir), docs_dir, config_file,
                                Path(lock_path) if lock_path else None, stores)
    check_out_dir(out_dir, protected)          # before anything is written or removed
    with cache_in_use(cache_dir if pdf else None), build_lock(lock_folders(docs_dir, out_dir, config_file), on_wait):
        started = time.perf_counter()          # the time waited for another build is not this build's
        remove_stale_scratch(out_dir.resolve().parent, config_file.resolve().parent)
        check_out_dir(out_dir, protected)      # another build may have changed it while this one waited
        for folder in clear:
            shutil.rmtree(docs_dir / folder, ignore_errors=True)
        return _build_locked(standards_dir, started, out_dir=out_dir, docs_dir=docs_dir, config_file=config_file,
                             extra_generators=extra_generators, pdf=pdf, per_project=per_project,
                             cache_dir=cache_dir, sheet_focus=sheet_focus, lock_path=lock_path,
                             instruments=instruments, engine=engine)


def _build_locked(standards_dir: Path | str, started: float, *, out_dir: Path, docs_dir: Path, config_file: Path,
                  extra_generators: Iterable[PageGenerator], pdf: bool, per_project: bool,
                  cache_dir: Path | str | None, sheet_focus: Callable[[Standards], dict] | None,
                  lock_path: Path | str | None, instruments: Sequence, engine: str) -> BuildReport:
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    standards = require_standards(standards_dir, instruments=instruments)
    lock = read_lock(Path(lock_path) if lock_path else DEFAULT_LOCK) if pdf else None
    timings["load"] = time.perf_counter() - t0

    docs_dir.mkdir(parents=True, exist_ok=True)
    # printables the cache lacks are rendered while the engine runs, and copied in before the swap
    with deferred_rendering() as pending:
        try:
            ctx, sheets = generate_site(standards, docs_dir, extra_generators=extra_generators, pdf=pdf,
                                        per_project=per_project, sheet_focus=sheet_focus, lock=lock,
                                        cache_dir=Path(cache_dir) if cache_dir else None, timings=timings,
                                        instruments=instruments)
        except BaseException:
            pending.close()
            raise

    copyright = copyright_line(standards)
    try:
        check_sources(docs_dir, config_file)       # nothing out of the sources, no credentials, into the site
        pending.start()

        def add_printables(site: Path) -> None:
            t0 = time.perf_counter()
            pending.finish(docs_dir, site)
            timings["pdf_wait"] = time.perf_counter() - t0

        timings["mkdocs"], state = publish_pages(engine, config_file, docs_dir, out_dir, nav=ctx.nav,
                                                 not_in_nav=ctx.not_in_nav, copyright=copyright,
                                                 before_swap=add_printables)
    finally:
        pending.close()
    timings["total"] = time.perf_counter() - started
    return BuildReport(out_dir, ctx.written, sheets, timings, _dir_size(out_dir), engine, ctx.nav, ctx.not_in_nav,
                       copyright, state)


def publish_pages(engine: str, config_file: Path, docs_dir: Path, out_dir: Path, *, nav: list,
                  not_in_nav: list[str], copyright: str,
                  before_swap: Callable[[Path], None] | None = None) -> tuple[float, EngineState | None]:
    """Run the engine over docs_dir into a new folder and swap it into out_dir; returns the seconds taken and
    what the engine keeps to render single pages again. `before_swap` is handed the built folder last (the
    printables rendered meanwhile go in); if it raises, out_dir is left as it was."""
    t0 = time.perf_counter()
    scratch = out_dir.parent / f".build-{uuid.uuid4().hex[:8]}"
    scratch.mkdir(parents=True)
    try:
        state = build_with_engine(engine, config_file, docs_dir, scratch / "public", nav=nav,
                                  not_in_nav=not_in_nav, copyright=copyright)
        if before_swap is not None:
            before_swap(scratch / "public")
        write_marker(scratch / "public")
        keep_times_of_same(scratch / "public", out_dir)   # what did not change looks unchanged to a copy (rsync)
        swap_into(scratch / "public", out_dir, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return time.perf_counter() - t0, state


def rebuild_pages(last: BuildReport, *, docs_dir: Path | str = Path("site"),
                  config_file: Path | str = Path("mkdocs.yml"),
                  on_wait: Callable[[Path], None] | None = None) -> BuildReport:
    """Only the engine again, over the pages on disk, with `last`'s navigation: for a change of hand-written
    pages alone, when the standards, the store and the config are as they were for `last`. Nothing is
    generated (no standards pages, sheets or results are recomputed); the engine builds every page."""
    started = time.perf_counter()
    with build_lock(lock_folders(Path(docs_dir), last.out_dir, Path(config_file)), on_wait):
        check_sources(Path(docs_dir), Path(config_file))
        seconds, state = publish_pages(last.engine, Path(config_file), Path(docs_dir), last.out_dir, nav=last.nav,
                                       not_in_nav=last.not_in_nav, copyright=last.copyright)
    timings = {"load": 0.0, "generate": 0.0, "pdf": 0.0, "extra": 0.0, "mkdocs": seconds,
               "total": time.perf_counter() - started}
    return BuildReport(last.out_dir, last.pages, last.sheets, timings, _dir_size(last.out_dir), last.engine,
                       last.nav, last.not_in_nav, last.copyright, state)


def rerender_pages(last: BuildReport, changed: Iterable[Path], *, docs_dir: Path | str = Path("site")) -> list[str]:
    """Render only the changed hand-written pages again into `last`'s site, with the engine state `last` kept
    (`engine.render_pages`): nothing else is read, rendered or written. Raises `PagesNeedFullBuild` (then
    `rebuild_pages`) when the change is more than a plain content change of existing pages."""
    with build_lock([Path(docs_dir).resolve().parent, last.out_dir.resolve().parent]):
        check_sources(Path(docs_dir))
        return render_pages(last.engine_state, changed, Path(docs_dir), last.out_dir)
