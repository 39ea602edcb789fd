"""Serve the built site on 127.0.0.1 and rebuild it when the standards, the store or hand-written pages change.

A change of hand-written pages alone (site/index.md, the maintain/ pages, the stylesheet), with the
standards, the config and the store as they were, recomputes nothing: the changed Markdown pages are
rendered again alone into the served site with the last build's engine state (`rerender_pages`), or, when
that cannot be (a page added or removed, a title changed, a warning, not Markdown, Zensical), the engine
runs again over the pages on disk (`rebuild_pages`). The log line says which.
"""

from __future__ import annotations

import ctypes
import errno
import functools
import gc
import http.server
import os
import sys
import threading
import time
from pathlib import Path
from typing import Callable, Iterable, Sequence

from ..errors import HandbookError, StandardsInvalid
from ..forms.lock_file import DEFAULT_LOCK
from ..messages import Msg
from .engine import PagesNeedFullBuild
from .safety import check_out_dir
from .site_build import (GENERATED_DIRS, BuildReport, PageGenerator, build_site, protected_paths, rebuild_pages,
                         rerender_pages)


def watched_files(standards_dir: Path, docs_dir: Path, config_file: Path,
                  written: Iterable[str] = (), sources: Iterable[Path] = ()) -> dict[Path, tuple]:
    """(mtime, size) of every file whose change needs a rebuild: YAML, hand-written pages, mkdocs.yml, and
    `sources` (the store and its write-ahead log, the forms lock).

    Generated folders and the files the last build wrote (`written`, docs-relative) are left out,
    or every build would trigger the next.
    """
    paths = [*standards_dir.glob("*.yaml"), *standards_dir.glob("*.yml"), config_file, *sources]
    generated = {docs_dir / d for d in GENERATED_DIRS}
    written_paths = {docs_dir / w for w in written}
    # os.walk, not rglob: a build in another terminal may remove folders while they are listed
    for folder, _dirs, files in os.walk(docs_dir):
        for name in files:
            path = Path(folder) / name
            if path not in written_paths and not any(g in path.parents for g in generated):
                paths.append(path)
    out = {}
    for path in paths:
        try:
            stat = path.stat()
            out[path] = (stat.st_mtime_ns, stat.st_size)
        except OSError:
            pass
    return out


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - quiet: the terminal shows rebuilds only
        pass


class _Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        # a browser that closes a connection mid-answer (a reload, a page swapped by a build) is no error
        # worth a traceback in the terminal
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


def bind_server(out_dir: Path, host: str = "127.0.0.1", port: int = 8000) -> http.server.ThreadingHTTPServer:
    """An HTTP server for out_dir bound to host:port, not serving yet; one Chinese line when the port is taken."""
    handler = functools.partial(_Handler, directory=str(out_dir))
    try:
        return _Server((host, port), handler)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise HandbookError(Msg.PORT_IN_USE, host=host, port=port, other=port + 1 if port < 65535 else 8000) \
                from None
        raise HandbookError(Msg.SERVE_CANNOT_START, host=host, port=port, reason=exc.strerror or exc) from None


def start_server(out_dir: Path, host: str = "127.0.0.1", port: int = 8000) -> http.server.ThreadingHTTPServer:
    """An HTTP server for out_dir in a daemon thread (the directory may be swapped under it)."""
    server = bind_server(out_dir, host, port)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def only_pages_changed(changed: Iterable[Path], docs_dir: Path) -> bool:
    """Whether every changed file is a hand-written file of the docs folder (not a standard, the config,
    the store or the lock)."""
    docs = docs_dir.resolve()
    return all(p.resolve().is_relative_to(docs) for p in changed)


def release_memory() -> None:
    """After a build: its garbage collected and the memory it freed handed back to the system (glibc's
    `malloc_trim`; elsewhere nothing more), so serve waits for the next change holding what it keeps (the last
    build's engine state) instead of the build's peak (the year's inspections, every page's Markdown)."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def serve_site(standards_dir: Path | str = Path("standards"), *, out_dir: Path | str = Path("public"),
               docs_dir: Path | str = Path("site"), config_file: Path | str = Path("mkdocs.yml"),
               host: str = "127.0.0.1", port: int = 8000, extra_generators: Iterable[PageGenerator] = (),
               cache_dir: Path | str | None = Path("build/pdf-cache"), poll_seconds: float = 1.0,
               report: Callable[[str], None] = lambda message: None,
               stop: threading.Event | None = None, sheet_focus=None, instruments: Sequence,
               engine: str | None = None, store_path: Path | str | None = None,
               lock_path: Path | str | None = None, stores: Iterable[Path | str] = ()) -> None:
    """Build, serve out_dir on host:port, and rebuild whenever a watched file changes, until `stop` is set.

    `store_path` and `lock_path` are watched too (the results and the sheets' QR codes come from them).
    A failed rebuild is reported and the last good site keeps being served. A `handbook build` of the same
    sources or output in another terminal and these rebuilds wait for each other (`safety.build_lock`).
    `stores` (and `store_path`) are never inside out_dir (`safety.check_out_dir`).
    """
    standards_dir, out_dir = Path(standards_dir), Path(out_dir)
    docs_dir, config_file = Path(docs_dir), Path(config_file)
    stop = stop or threading.Event()
    generators = list(extra_generators)
    written: list[str] = []
    sources = [Path(lock_path or DEFAULT_LOCK)]
    stores = [*stores, *([store_path] if store_path else [])]
    if store_path:
        sources += [Path(store_path), Path(f"{store_path}-wal")]

    def waiting(lock: Path) -> None:
        report(Msg.BUILD_WAITING(lock=lock))
    last: list[BuildReport] = []      # the last good full build (its navigation is reused for pages alone)

    def rebuild(changed: Iterable[Path] = ()) -> None:
        try:
            _rebuild(list(changed))
        finally:
            release_memory()

    def _rebuild(changed: list[Path]) -> None:
        try:
            if last and changed and only_pages_changed(changed, docs_dir):
                started = time.perf_counter()
                try:
                    pages = rerender_pages(last[0], changed, docs_dir=docs_dir)
                except PagesNeedFullBuild as why:
                    reason = why.reason
                else:
                    report(Msg.SERVE_REBUILT_PAGES(seconds=f"{time.perf_counter() - started:.1f}",
                                                   pages="、".join(pages)))
                    return
                result = rebuild_pages(last[0], docs_dir=docs_dir, config_file=config_file, on_wait=waiting)
                last[:] = [result]
                report(Msg.SERVE_REBUILT_ENGINE(seconds=f"{result.timings['total']:.1f}", reason=reason))
                return
            result = build_site(standards_dir, out_dir=out_dir, docs_dir=docs_dir, config_file=config_file,
                                extra_generators=generators, cache_dir=cache_dir, sheet_focus=sheet_focus,
                                instruments=instruments, engine=engine, lock_path=lock_path, stores=stores,
                                on_wait=waiting)
            written[:] = result.pages
            last[:] = [result]
            report(f"已构建（{result.timings['total']:.1f} 秒）")
        except StandardsInvalid as exc:
            last.clear()
            report("\n".join([*map(str, exc.diagnostics), f"构建失败：{exc}"]))
        except HandbookError as exc:
            if not (last and changed and only_pages_changed(changed, docs_dir)):
                last.clear()      # the generated pages may have changed: the next build is a full one
            report(f"构建失败：{exc}")

    def snapshot() -> dict[Path, tuple]:
        return watched_files(standards_dir, docs_dir, config_file, written, sources)

    def without_written(files: dict[Path, tuple]) -> dict[Path, tuple]:
        done = {docs_dir / w for w in written}
        return {p: m for p, m in files.items() if p not in done}

    # An output folder no build may replace is never served either (it could be the store's folder).
    check_out_dir(out_dir, protected_paths(standards_dir, docs_dir, config_file,
                                           Path(lock_path) if lock_path else None, stores))
    # The port is taken before the first build: a busy port is said at once, not after a minute of building.
    server = bind_server(out_dir.resolve(), host, port)
    try:
        # Snapshots are taken *before* each build, so an edit saved while a build runs starts the next one.
        seen = snapshot()
        rebuild()
        seen = without_written(seen)
        if not out_dir.is_dir():
            raise HandbookError(Msg.SERVE_NO_SITE)
    except BaseException:
        server.server_close()
        raise
    threading.Thread(target=server.serve_forever, daemon=True).start()
    report(f"网站地址 http://{host}:{server.server_address[1]}/ （Ctrl+C 停止）")
    try:
        while not stop.wait(poll_seconds):
            now = snapshot()
            if now != seen:
                changed = sorted((p for p in set(now) | set(seen) if now.get(p) != seen.get(p)), key=str)
                report("文件有变化，重新构建：" + "、".join(map(str, changed[:5])))
                seen = now
                rebuild(changed)
                seen = without_written(seen)
    finally:
        server.shutdown()
        server.server_close()
