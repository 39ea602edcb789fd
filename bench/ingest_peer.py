"""Ingest against the tool a user would pick instead, side by side in one run.

`handbook ingest --file` of the year's CSV into an empty store, and `sqlite-utils insert store.db
responses year.csv --csv` of the same file into an empty database, each as a child process, alternately
(ours, theirs, ours, theirs, …) so that the machine's load falls on both alike. Each child's CPU time
(user + system) and peak RSS come from `os.wait4`, which reports that child alone, in a small launcher
process (a child started by the bench itself would report at least the bench's own size). Memory flatness: the same
ingest of a file holding only the first third of the projects' rows (the year of 100 projects when the
bench runs at 300) against the whole year.

sqlite-utils is a bench-only extra (`pip install -e '.[bench]'`, which `make bench` runs).
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Child:
    """One child process: wall and CPU seconds, peak resident memory in bytes, its output."""

    wall: float
    cpu: float
    rss: int
    out: bytes = b""
    loads: tuple[float, float] = (0.0, 0.0)   # the 1-minute load average as it started and as it ended


# Linux counts a child's peak RSS from the memory of the process it was forked (or vforked) from: at exec
# the old address space's high-water mark goes into the child's ru_maxrss. Children started by the bench
# (which holds a year of simulated rows) would all report at least the bench's own size; they are started
# by this small launcher instead, itself started before the bench grows.
_LAUNCHER = r"""
import json, os, subprocess, sys, time
for line in sys.stdin:
    job = json.loads(line)
    with open(job["out"], "wb") as out, open(job["err"], "wb") as err:
        t0 = time.perf_counter()
        child = subprocess.Popen(job["argv"], cwd=job["cwd"], stdout=out, stderr=err,
                                 env={**os.environ, **job.get("env", {})})
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
    print(json.dumps([time.perf_counter() - t0, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024,
                      child.returncode]), flush=True)
"""
_launcher: subprocess.Popen | None = None


def start_launcher() -> None:
    """Start the launcher while the bench is still small (call first thing)."""
    global _launcher
    if _launcher is None:
        _launcher = subprocess.Popen([sys.executable, "-S", "-c", _LAUNCHER], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)


def run_child(argv: list[str], cwd: Path, env: dict[str, str] | None = None) -> Child:
    """Run `argv` (with `env` added to the environment) and measure it alone (os.wait4 in the launcher gives
    the child's own rusage, its reaped workers included: CPU summed, RSS the largest process's); fails
    loudly on an error."""
    start_launcher()
    with tempfile.TemporaryDirectory() as tmp:
        out, err = Path(tmp) / "out", Path(tmp) / "err"
        _launcher.stdin.write(json.dumps({"argv": [str(a) for a in argv], "cwd": str(cwd), "out": str(out),
                                          "err": str(err), "env": env or {}}) + "\n")
        _launcher.stdin.flush()
        load_before = os.getloadavg()[0]
        wall, cpu, rss, code = json.loads(_launcher.stdout.readline())
        if code != 0:
            raise SystemExit(f"bench: {' '.join(map(str, argv))} failed:\n{err.read_text(errors='replace')}")
        return Child(wall, cpu, rss, out.read_bytes(), (load_before, os.getloadavg()[0]))


def sqlite_utils_bin(handbook: Path) -> Path | None:
    """The sqlite-utils of the bench's environment (next to `handbook`), else the one on PATH (None: neither)."""
    beside = handbook.parent / "sqlite-utils"
    found = beside if beside.exists() else shutil.which("sqlite-utils")
    return Path(found) if found else None


def first_projects_csv(year_csv: Path, dest: Path, projects: set[str]) -> int:
    """The year's CSV cut to the rows of `projects` (by the 项目 column's project name); returns rows kept."""
    kept = 0
    with open(year_csv, newline="", encoding="utf-8") as f, open(dest, "w", newline="", encoding="utf-8") as out:
        rows, writer = csv.reader(f), csv.writer(out)
        header = next(rows)
        writer.writerow(header)
        column = header.index("项目")
        for row in rows:
            if row[column] in projects:
                writer.writerow(row)
                kept += 1
    return kept


def _drop(path: Path) -> None:
    for p in (path, path.with_name(path.name + "-journal"), path.with_name(path.name + "-wal")):
        p.unlink(missing_ok=True)


def measure(handbook: Path, year_csv: Path, common: list[str],
            work: Path, reps: int) -> tuple[list[Child], list[Child]]:
    """(ours, sqlite-utils'): `reps` runs each of the two loads of the same file, alternately."""
    peer = sqlite_utils_bin(handbook)
    assert peer is not None
    ours, theirs = [], []
    ours_db, peer_db = work / "peer-ours.sqlite", work / "peer-sqlite-utils.db"
    for _ in range(reps):
        _drop(ours_db)
        ours.append(run_child([str(handbook), "ingest", "--file", str(year_csv), "--db", str(ours_db), *common], work))
        _drop(peer_db)
        theirs.append(run_child([str(peer), "insert", str(peer_db), "responses", str(year_csv), "--csv"], work))
    _drop(ours_db)
    _drop(peer_db)
    return ours, theirs


def median(values) -> float:
    return statistics.median(values)


def figures(handbook: Path, year_csv: Path, small_csv: Path | None, common: list[str], work: Path, reps: int,
            projects: int, small_projects: int, Figure) -> dict:
    """The bench's figures for target 2: CPU and peak RSS against sqlite-utils, and memory flatness."""
    if sqlite_utils_bin(handbook) is None:   # `make bench` installs it; a bare test environment may not have it
        missing = "not measured: sqlite-utils is not installed (pip install -e '.[bench]')"
        return {"peer_cpu": Figure("CPU time of `handbook ingest --file` against `sqlite-utils insert … --csv`",
                                   missing, "≤ 1.0× sqlite-utils"),
                "peer_rss": Figure("peak RSS of the same two loads", missing, "≤ 2× sqlite-utils")}
    ours, theirs = measure(handbook, year_csv, common, work, reps)
    cpu_ratio = median(c.cpu for c in ours) / median(c.cpu for c in theirs)
    rss_ours, rss_theirs = median(c.rss for c in ours), median(c.rss for c in theirs)
    rss_ratio = rss_ours / rss_theirs
    mib = 2 ** 20
    out = {
        "peer_cpu": Figure(
            "CPU time (user + system) of `handbook ingest --file` of the year into an empty store, against "
            "`sqlite-utils insert … --csv` of the same file",
            f"{median(c.cpu for c in ours):.1f} s vs {median(c.cpu for c in theirs):.1f} s = {cpu_ratio:.2f}× "
            f"(wall {median(c.wall for c in ours):.1f} s vs {median(c.wall for c in theirs):.1f} s)",
            "≤ 1.0× sqlite-utils", cpu_ratio <= 1.0, samples=[c.cpu for c in ours]),
        "peer_rss": Figure(
            "peak RSS of the same two loads",
            f"{rss_ours / mib:.0f} MiB vs {rss_theirs / mib:.0f} MiB = {rss_ratio:.2f}×",
            "≤ 2× sqlite-utils", rss_ratio <= 2.0),
    }
    out["peer_cpu_sqlite_utils"] = Figure("of which sqlite-utils' runs (CPU seconds)",
                                          f"{median(c.cpu for c in theirs):.1f} s", samples=[c.cpu for c in theirs])
    if small_csv is not None:
        small, small_db = [], work / "peer-small.sqlite"
        for _ in range(reps):
            _drop(small_db)
            small.append(run_child([str(handbook), "ingest", "--file", str(small_csv), "--db", str(small_db), *common],
                                   work))
        _drop(small_db)
        rss_small = median(c.rss for c in small)
        flat = rss_ours / rss_small
        out["peer_flat"] = Figure(
            f"peak RSS of the ingest at {projects} projects against {small_projects} projects (the same year cut "
            f"to the first {small_projects} projects' rows)",
            f"{rss_ours / mib:.0f} MiB vs {rss_small / mib:.0f} MiB = {flat:.2f}×", "≤ 1.2×", flat <= 1.2)
    return out
