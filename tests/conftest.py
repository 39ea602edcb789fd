"""Shared fixtures: the real standards as text, and helpers to edit them inline."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import fcntl
import functools
import io
import os
import pickle
import shutil
from pathlib import Path
from typing import Callable, TypeVar

import pytest

ROOT = Path(__file__).resolve().parent.parent
STANDARDS = ROOT / "standards"


def standards_texts() -> dict[str, str]:
    """The real standards files as {name: text}."""
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(STANDARDS.glob("*.yaml"))}


def edited(name: str, old: str, new: str) -> dict[str, str]:
    """The real standards with one exact edit in one file (the edit must apply)."""
    texts = standards_texts()
    assert old in texts[name], f"{old!r} not in {name}"
    texts[name] = texts[name].replace(old, new, 1)
    return texts


def line_of(text: str, needle: str, nth: int = 1) -> int:
    """1-based line number of the nth line containing `needle`."""
    hits = [i for i, line in enumerate(text.splitlines(), 1) if needle in line]
    return hits[nth - 1]


@pytest.fixture
def standards_dir(tmp_path) -> Path:
    """A writable copy of the real standards folder."""
    folder = tmp_path / "standards"
    folder.mkdir()
    for name, text in standards_texts().items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


# Fixtures whose tests are slow by nature: the session's full demo build, a browser.
SLOW_FIXTURES = frozenset({"demo_run", "demo_site", "browser"})


def pytest_itemcollected(item):
    """Mark `slow` every test that uses a slow fixture, so `pytest -m "not slow"` leaves it out without each test
    saying so."""
    if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
        item.add_marker(pytest.mark.slow)


# Files that take a minute or more on a worker but hold few tests. `--dist loadfile` hands out the files with the
# most tests first, so these came last and ran alone while the other workers sat idle (the bench's one test
# alone added 50 s to `make test`); they are handed out first instead.
LONG_FILES_WITH_FEW_TESTS = ("tests/test_bench_smoke.py", "tests/test_accessibility.py")


def pytest_xdist_make_scheduler(config, log):
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class LongFilesFirst(LoadFileScheduling):
        def _assign_work_unit(self, node):
            for scope in reversed(LONG_FILES_WITH_FEW_TESTS):
                if scope in self.workqueue:
                    self.workqueue.move_to_end(scope, last=False)
            super()._assign_work_unit(node)

    return LongFilesFirst(config, log)


@pytest.fixture
def short_busy_timeout(monkeypatch) -> float:
    """The store's busy timeout cut from 5 s to 0.3 s for a test that holds a lock on purpose, so the
    commands it expects to say "locked" give up at once instead of waiting the production default."""
    from generator.store import connection as store

    monkeypatch.setattr(store, "BUSY_TIMEOUT", 0.3)
    return store.BUSY_TIMEOUT


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole run (Debian's, through Playwright); each test opens its own context
    or page on it and closes it."""
    from site_helpers import chromium

    with chromium() as shared:
        yield shared


DEMO_START, DEMO_END = dt.date(2026, 10, 5), dt.date(2026, 11, 22)


@functools.lru_cache(maxsize=1)
def blank_pdf() -> bytes:
    """A valid one-page blank A4 PDF."""
    from pypdf import PdfWriter

    writer, out = PdfWriter(), io.BytesIO()
    writer.add_blank_page(595, 842)
    writer.write(out)
    return out.getvalue()


@contextlib.contextmanager
def printables_stood_in():
    """For builds whose subject is not the printed sheets: each printable of print/ that the PDF cache lacks
    becomes a blank one-page PDF instead of being rendered (WeasyPrint takes 0.1-0.5 s a sheet, and a test's
    own store gives every project sheet its own focus list, so the shared cache rarely has it). The pages,
    links, files, cache look-ups and the deferred rendering stay as they are; the results' PDFs (weekly
    report, assessment) are rendered. The PDF tests render every kind for real; the stand-ins never enter
    the cache. Builds in this process and in the workers it forks."""
    from generator.printing import pdf

    real = pdf.html_to_pdf

    def stand_in(html: str, css: str, target: Path, *, cache_dir: Path | None = None) -> bool:
        if Path(target).parent.name != "print":
            return real(html, css, target, cache_dir=cache_dir)
        Path(target).write_bytes(blank_pdf())
        return False

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pdf, "html_to_pdf", stand_in)
        yield


PDF_CACHE = ROOT / "build" / "pdf-cache"   # the builds' default cache (build/pdf-cache) when run from the repository


def share_pdf_cache(folder: Path) -> None:
    """Let a build run from `folder` (its cwd) use the tests' one PDF cache as its build/pdf-cache."""
    PDF_CACHE.mkdir(parents=True, exist_ok=True)
    (folder / "build").mkdir(exist_ok=True)
    (folder / "build" / "pdf-cache").symlink_to(PDF_CACHE, target_is_directory=True)


@pytest.fixture(scope="session", autouse=True)
def pdf_cache_in_use():
    """The tests' one PDF cache, held as a user for the whole run by every worker (`cache_in_use`): a build
    prunes the cache only when no other build uses it, so the run's many small builds (each printing other
    focus lists) never remove the sheets the other tests' builds print. What no run used for a week is removed
    when the last worker ends."""
    from generator.printing.pdf import cache_clock, cache_in_use, prune_cache

    with cache_in_use(PDF_CACHE) as alone:
        yield
        if alone():
            prune_cache(PDF_CACHE, cache_clock(PDF_CACHE) - 7 * 86400)


T = TypeVar("T")


def session_folder(tmp_path_factory) -> Path:
    """The temporary folder every pytest-xdist worker of this run shares: the parent of the workers' own
    basetemp (popen-gw0, popen-gw1 …) under xdist, the basetemp itself without it."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def built_once(tmp_path_factory, name: str, build: Callable[[Path], T]) -> tuple[Path, T]:
    """Run `build(folder)` once per test run, across pytest-xdist workers (a session fixture alone is once per
    worker): the first worker to ask builds into <session folder>/<name> under a file lock and pickles what
    `build` returned; the others wait on the lock, then reuse the folder and unpickle the result. A failed build
    leaves nothing behind, so the next worker tries again (and fails with its own message). The folder is
    read-only to tests: one that changes what is in it works on a copy (shutil.copytree)."""
    shared = session_folder(tmp_path_factory)
    folder, done = shared / name, shared / f"{name}.pickle"
    with open(shared / f"{name}.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)    # released when the file closes, also if this worker dies
        if done.exists():
            return folder, pickle.loads(done.read_bytes())
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        result = build(folder)
        partial = done.with_suffix(".partial")
        partial.write_bytes(pickle.dumps(result))
        partial.replace(done)
        return folder, result


@dataclasses.dataclass(frozen=True)
class DemoRun:
    root: Path       # the demo's folder: standards, site sources, public/ (the site), data/demo/ (responses, store)
    report: object   # generator.demo.DemoReport
    output: str      # what `handbook demo` printed


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory) -> DemoRun:
    """`handbook demo --out public` run once for the whole run through the real CLI (simulate, ingest, build with
    results) in a folder laid out as a fresh clone (standards, site sources), over the tests' seven weeks
    (DEMO_START … DEMO_END) instead of the command's quarter: the browser tests share its site, and
    tests/test_first_hour.py reads what it printed. Built once across pytest-xdist workers (`built_once`): the
    folder is read-only to the tests."""
    root, (report, output) = built_once(tmp_path_factory, "demo", run_demo_cli)
    return DemoRun(root, report, output)


def run_demo_cli(root: Path) -> tuple[object, str]:
    """`handbook demo --out public` in `root` (a fresh clone's layout) over DEMO_START … DEMO_END; (the DemoReport
    with absolute paths, what the command printed)."""
    from click.testing import CliRunner

    import generator.demo
    from generator.cli import main
    from site_helpers import copy_site_sources

    shutil.copytree(STANDARDS, root / "standards")
    copy_site_sources(root)
    share_pdf_cache(root)
    run_demo, reports = generator.demo.run_demo, []

    def over_the_tests_weeks(*args, **kwargs):
        report = run_demo(*args, start=DEMO_START, end=DEMO_END, **kwargs)
        # the command's paths are relative to the folder it ran in: the tests get them absolute; the engine's
        # in-memory state (for serve's page rebuilds: MkDocs' config and templates) does not travel to other workers
        reports.append(dataclasses.replace(
            report, responses={k: root / v for k, v in report.responses.items()}, lock=root / report.lock,
            store=root / report.store, build=dataclasses.replace(report.build, out_dir=root / report.build.out_dir,
                                                                 engine_state=None)))
        return report

    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        patch.setattr(generator.demo, "run_demo", over_the_tests_weeks)
        result = CliRunner().invoke(main, ["demo", "--out", "public"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return reports[0], result.output


@pytest.fixture(scope="session")
def demo_site(demo_run):
    """The session's demo (`demo_run`) as (root folder, DemoReport); the site is root/public."""
    return demo_run.root, demo_run.report
