"""Editing with `handbook serve`: seconds from saving site/index.md to the new page served.

In a copy of the project (the site sources, the bench's company standards, the forms lock when there is one and the
warm PDF cache) `handbook serve --store <year-long store>` is started as a child process; once it serves, the home
page's source is changed and saved, and the home page is fetched over HTTP every 50 ms until it shows the
new text. The repository's own site/index.md is never touched.

    .venv/bin/python bench/serve_edit.py --work build/bench      # after bench/run.py left its store there
"""

from __future__ import annotations

import argparse
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


def measure(work: Path, standards: Path, store: Path, *, pdf_cache: Path | None = None, reps: int = 3,
            engine: str | None = None, log=lambda *a: None, timeout: float = 900) -> dict:
    """Start serve over `store` in a copy of the project, save site/index.md `reps` times; returns
    {"first_build": seconds, "edits": [seconds from the write to the new page served, …]}."""
    project = _project_copy(work / "serve-edit", standards, pdf_cache)
    port = _free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    if engine:
        env["HANDBOOK_ENGINE"] = engine
    started = time.perf_counter()
    child = subprocess.Popen([str(HANDBOOK), "serve", "--store", str(store.resolve()), "--port", str(port)],
                             cwd=project, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    said: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [said.put(line.rstrip()) for line in child.stderr], daemon=True).start()

    def wait_for(text: str, seconds: float) -> str:
        deadline = time.perf_counter() + seconds
        while True:
            try:
                line = said.get(timeout=max(deadline - time.perf_counter(), 0.01))
            except queue.Empty:
                raise RuntimeError(f"serve did not say “{text}” in {seconds:.0f} s") from None
            log(f"serve: {line}")
            if text in line:
                return line

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
        return {"first_build": first, "edits": edits}
    finally:
        child.terminate()
        try:
            child.wait(timeout=30)
        except subprocess.TimeoutExpired:
            child.kill()
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
          + ", ".join(f"{s:.2f}" for s in result["edits"]) + ")")
    return 0


if __name__ == "__main__":
    sys.exit(main())
