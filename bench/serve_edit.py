"""Editing with `handbook serve`: seconds from saving site/index.md to the new page served, and serve's memory.

In a copy of the project (the site sources, the bench's company standards, the forms lock when there is one and the
warm PDF cache) `handbook serve --store <year-long store>` is started as a child process; once it serves, the home
page's source is changed and saved, and the home page is fetched over HTTP every 50 ms until it shows the
new text. The repository's own site/index.md is never touched. After the edits, serve's resident memory while it
waits for the next change is read, then a plain `mkdocs serve` of the same pages (the config serve generated for
MkDocs, kept by bench/at_date.py) is started in its place and its memory read the same way, once it serves.

    .venv/bin/python bench/serve_edit.py --work build/bench      # after bench/run.py left its store there
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import queue
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HANDBOOK = Path(sys.executable).parent / "handbook"   # the running interpreter's (a worktree has no .venv)
GENERATED = {"standards", "roles", "checklists", "print", "results", "methods", "exam", "survey"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _project_copy(dest: Path, standards: Path, pdf_cache: Path | None) -> Path:
    """mkdocs.yml, overrides, the hand-written pages, the standards, the forms lock and the PDF cache."""
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    shutil.copytree(ROOT / "site", dest / "site", ignore=lambda folder, names: [
        n for n in names if Path(folder) == ROOT / "site" and n in GENERATED])
    shutil.copyfile(ROOT / "mkdocs.yml", dest / "mkdocs.yml")
    shutil.copytree(ROOT / "overrides", dest / "overrides")
    shutil.copytree(standards, dest / "standards")
    lock = ROOT / "forms" / "forms.lock.yaml"
    if lock.is_file():
        (dest / "forms").mkdir()
        shutil.copyfile(lock, dest / "forms" / "forms.lock.yaml")
    if pdf_cache and pdf_cache.is_dir():
        (dest / "build").mkdir()
        (dest / "build" / "pdf-cache").symlink_to(pdf_cache.resolve(), target_is_directory=True)   # shared
    return dest


def _fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except OSError:
        return ""


def rss(pid: int) -> int:
    """A process's resident memory now, in bytes (0 when it is gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    return next((int(line.split()[1]) * 1024 for line in status.splitlines() if line.startswith("VmRSS:")), 0)


def _start(args: list[str], cwd: Path, env: dict, log, name: str):
    """A child process and `wait_for(text, seconds)`, which reads its stderr (logged) until a line has `text`."""
    child = subprocess.Popen(args, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    said: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [said.put(line.rstrip()) for line in child.stderr], daemon=True).start()

    def wait_for(text: str, seconds: float) -> str:
        deadline = time.perf_counter() + seconds
        while True:
            try:
                line = said.get(timeout=max(deadline - time.perf_counter(), 0.01))
            except queue.Empty:
                raise RuntimeError(f"{name} did not say “{text}” in {seconds:.0f} s") from None
            log(f"{name}: {line}")
            if text in line:
                return line
    return child, wait_for


def _stop(child) -> None:
    child.terminate()
    try:
        child.wait(timeout=30)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()


IDLE_SECONDS = 2.0   # after the last build or page served, before the memory is read


def measure(work: Path, standards: Path, store: Path, *, pdf_cache: Path | None = None, reps: int = 3,
            engine: str | None = None, log=lambda *a: None, timeout: float = 900) -> dict:
    """Start serve over `store` in a copy of the project, save site/index.md `reps` times; returns
    {"first_build": seconds, "edits": [seconds from the write to the new page served, …], "idle_rss": bytes,
    "mkdocs_rss": bytes (a plain `mkdocs serve` of the same pages, once it serves; 0 when not measured)}."""
    project = _project_copy(work / "serve-edit", standards, pdf_cache)
    port = _free_port()
    kept = project / "serve-config.yml"
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "BENCH_KEEP_CONFIG": str(kept)}
    if engine:
        env["HANDBOOK_ENGINE"] = engine
    started = time.perf_counter()
    now = dt.datetime.now().astimezone().isoformat()     # the clock as it is: at_date.py only keeps the config
    child, wait_for = _start([sys.executable, str(ROOT / "bench" / "at_date.py"), now, "handbook", "serve",
                              "--store", str(store.resolve()), "--port", str(port)], project, env, log, "serve")

    try:
        wait_for("网站地址", timeout)
        first = time.perf_counter() - started
        url = f"http://127.0.0.1:{port}/"
        home = project / "site" / "index.md"
        original = home.read_text(encoding="utf-8")
        edits = []
        for n in range(1, reps + 1):
            marker = f"第{n}次修订"
            home.write_text(original.replace("本手册把", f"【{marker}】本手册把", 1), encoding="utf-8")
            t0 = time.perf_counter()
            while marker not in _fetch(url):
                if time.perf_counter() - t0 > timeout or child.poll() is not None:
                    raise RuntimeError(f"the edited page was not served in {timeout:.0f} s")
                time.sleep(0.05)
            edits.append(time.perf_counter() - t0)
            log(f"edit {n}: served after {edits[-1]:.2f} s")
            wait_for("已构建", timeout)     # the rebuild is over before the next edit
        time.sleep(IDLE_SECONDS)
        idle = rss(child.pid)
        _stop(child)
        peer = 0
        if kept.is_file() and (engine or "mkdocs") == "mkdocs":
            home.write_text(original, encoding="utf-8")
            mkdocs, said = _start([sys.executable, "-m", "mkdocs", "serve", "-f", str(kept), "--no-livereload",
                                   "-a", f"127.0.0.1:{_free_port()}"], project, env, log, "mkdocs serve")
            try:
                said("Serving on", timeout)
                time.sleep(IDLE_SECONDS)
                peer = rss(mkdocs.pid)
            finally:
                _stop(mkdocs)
        return {"first_build": first, "edits": edits, "idle_rss": idle, "mkdocs_rss": peer}
    finally:
        _stop(child)
        shutil.rmtree(project, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", default=str(ROOT / "build" / "bench"), help="bench/run.py's work folder")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--engine", default=None, help="mkdocs or zensical (default: HANDBOOK_ENGINE, else mkdocs)")
    args = parser.parse_args(argv)
    work = Path(args.work).resolve()
    result = measure(work, work / "standards", work / "store.sqlite", pdf_cache=work / "pdf-cache",
                     reps=args.reps, engine=args.engine, log=lambda *a: print(*a, file=sys.stderr, flush=True))
    print(f"first build {result['first_build']:.1f} s; edit served after "
          f"{statistics.median(result['edits']):.2f} s (median of {len(result['edits'])}: "
          + ", ".join(f"{s:.2f}" for s in result["edits"]) + f"); idle {result['idle_rss'] / 2 ** 20:.0f} MiB, "
          f"plain mkdocs serve {result['mkdocs_rss'] / 2 ** 20:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
