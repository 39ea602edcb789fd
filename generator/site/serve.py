"""Serve the built site on 127.0.0.1 and rebuild it when the standards or hand-written pages change."""

from __future__ import annotations

import errno
import functools
import http.server
import threading
from pathlib import Path
from typing import Callable, Iterable, Sequence

from ..errors import HandbookError, StandardsInvalid
from ..messages import Msg
from .site_build import GENERATED_DIRS, PageGenerator, build_site


def watched_files(standards_dir: Path, docs_dir: Path, config_file: Path,
                  written: Iterable[str] = ()) -> dict[Path, float]:
    """mtime of every file whose change needs a rebuild: YAML, hand-written pages, mkdocs.yml.

    Generated folders and the files the last build wrote (`written`, docs-relative) are left out,
    or every build would trigger the next.
    """
    paths = [*standards_dir.glob("*.yaml"), *standards_dir.glob("*.yml"), config_file]
    generated = {docs_dir / d for d in GENERATED_DIRS}
    written_paths = {docs_dir / w for w in written}
    for path in docs_dir.rglob("*"):
        if path.is_file() and path not in written_paths and not any(g in path.parents for g in generated):
            paths.append(path)
    out = {}
    for path in paths:
        try:
            out[path] = path.stat().st_mtime
        except OSError:
            pass
    return out


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - quiet: the terminal shows rebuilds only
        pass


def bind_server(out_dir: Path, host: str = "127.0.0.1", port: int = 8000) -> http.server.ThreadingHTTPServer:
    """An HTTP server for out_dir bound to host:port, not serving yet; one Chinese line when the port is taken."""
    handler = functools.partial(_Handler, directory=str(out_dir))
    try:
        return http.server.ThreadingHTTPServer((host, port), handler)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise HandbookError(Msg.PORT_IN_USE(host=host, port=port, other=port + 1 if port < 65535 else 8000)) \
                from None
        raise HandbookError(Msg.SERVE_CANNOT_START(host=host, port=port, reason=exc.strerror or exc)) from None


def start_server(out_dir: Path, host: str = "127.0.0.1", port: int = 8000) -> http.server.ThreadingHTTPServer:
    """An HTTP server for out_dir in a daemon thread (the directory may be swapped under it)."""
    server = bind_server(out_dir, host, port)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def serve_site(standards_dir: Path | str = Path("standards"), *, out_dir: Path | str = Path("public"),
               docs_dir: Path | str = Path("site"), config_file: Path | str = Path("mkdocs.yml"),
               host: str = "127.0.0.1", port: int = 8000, extra_generators: Iterable[PageGenerator] = (),
               cache_dir: Path | str | None = Path("build/pdf-cache"), poll_seconds: float = 1.0,
               report: Callable[[str], None] = lambda message: None,
               stop: threading.Event | None = None, sheet_focus=None, instruments: Sequence = (),
               engine: str | None = None) -> None:
    """Build, serve out_dir on host:port, and rebuild whenever a watched file changes, until `stop` is set.

    A failed rebuild is reported and the last good site keeps being served.
    """
    standards_dir, out_dir = Path(standards_dir), Path(out_dir)
    docs_dir, config_file = Path(docs_dir), Path(config_file)
    stop = stop or threading.Event()
    generators = list(extra_generators)
    written: list[str] = []

    def rebuild() -> None:
        try:
            result = build_site(standards_dir, out_dir=out_dir, docs_dir=docs_dir, config_file=config_file,
                                extra_generators=generators, cache_dir=cache_dir, sheet_focus=sheet_focus,
                                instruments=instruments, engine=engine)
            written[:] = result.pages
            report(f"已构建（{result.timings['total']:.1f} 秒）")
        except StandardsInvalid as exc:
            report("\n".join([*map(str, exc.diagnostics), f"构建失败：{exc}"]))
        except HandbookError as exc:
            report(f"构建失败：{exc}")

    def snapshot() -> dict[Path, float]:
        return watched_files(standards_dir, docs_dir, config_file, written)

    def without_written(files: dict[Path, float]) -> dict[Path, float]:
        done = {docs_dir / w for w in written}
        return {p: m for p, m in files.items() if p not in done}

    # The port is taken before the first build: a busy port is said at once, not after a minute of building.
    server = bind_server(out_dir.resolve(), host, port)
    try:
        # Snapshots are taken *before* each build, so an edit saved while a build runs starts the next one.
        seen = snapshot()
        rebuild()
        seen = without_written(seen)
        if not out_dir.is_dir():
            raise HandbookError(Msg.SERVE_NO_SITE())
    except BaseException:
        server.server_close()
        raise
    threading.Thread(target=server.serve_forever, daemon=True).start()
    report(f"网站地址 http://{host}:{server.server_address[1]}/ （Ctrl+C 停止）")
    try:
        while not stop.wait(poll_seconds):
            now = snapshot()
            if now != seen:
                changed = sorted(str(p) for p in set(now) | set(seen) if now.get(p) != seen.get(p))
                report("文件有变化，重新构建：" + "、".join(changed[:5]))
                seen = now
                rebuild()
                seen = without_written(seen)
    finally:
        server.shutdown()
        server.server_close()
