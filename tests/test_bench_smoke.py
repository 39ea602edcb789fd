"""`make bench` at a tiny size: the bench script runs end to end and writes every figure."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

FIGURES = ["the weekly cycle: `handbook ingest` of the new week", "the plain `mkdocs build` alone",
           "peak RSS of that build against the plain `mkdocs build`'s",
           "the weekly ingest against `sqlite-utils insert --csv`", "the weekly ingest in the week a quarter closes",
           "files of public/ that differ between the two",
           "build CPU at 3 projects against 1", "the largest page at 1 projects against 3",
           "PDF cache after two weekly builds",
           "the floor", "merely written to SQLite", "`handbook ingest --file` of the year", "one new week",
           "re-read of the whole grown export", "full pull of the year", "weekly pull",
           "peak RSS of the full ingest", "with an empty PDF cache", "again on the same day, every cache warm",
           "search index of the built site", "a first visit to the home page",
           "site/index.md saved until the new page is served", "waiting for the next change"]


@pytest.mark.slow   # five site builds, a serve and a browser run
def test_bench_writes_every_figure(tmp_path):
    out = tmp_path / "RESULTS.md"
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--projects", "3", "--days", "14",
                           "--reps", "1", "--work", str(tmp_path / "work"), "--out", str(out), "--quiet"],
                          capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stderr
    text = out.read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if line.startswith("| ") and not line.startswith("| figure")]
    table = "\n".join(rows)
    for figure in FIGURES:
        assert figure in table, f"missing figure: {figure}"
    for row in rows[:len(FIGURES)]:
        assert row.count("|") == 5, row                     # figure | measured | target | verdict
        assert re.search(r"\d", row.split("|")[2]), row     # every figure has a measured number
    # the request counts meet their targets at any size; the machine and the commit are named
    assert re.search(r"full pull of the year \| \d+ .*\| ≤ ⌈rows/10,000⌉ \+ 2 = 3 \| ✅ met", table)
    assert re.search(r"weekly pull .*\| \d+ .*\| ≤ 3 \| ✅ met", table)
    assert "**Machine**: " in text and "commit " in text
    # the cycle is measured side by side with its floors, with the load while it ran
    assert re.search(r"the weekly cycle: .*\| wall [\d.]+ s vs [\d.]+ s = [\d.]+×; CPU [\d.]+ s vs [\d.]+ s = [\d.]+× "
                     r"\(ingest [\d.]+ s \+ build [\d.]+ s; \d+ PDFs rendered again; load [\d.]+–[\d.]+; "
                     r"an ordinary week: no quarter closed\) \| ≤ 2\.0× \|", table), table
    assert re.search(r"peak RSS of that build .*\| \d+ MiB vs \d+ MiB = [\d.]+× \(load", table), table
    # week 2 is built a week after week 1 (the questioning cards are for another week) and the cache is pruned
    assert re.search(r"rendered again in week 2 \(published PDFs that differ\): .*questioning 3", table), table
    assert re.search(r"PDF cache after two weekly builds.*\| ✅ met \|", table), table
    # the weeks and quarters closed before week 1's build are byte-identical in week 2's site
    assert re.search(r"files of public/ that differ .*\| closed ones byte-identical \| ✅ met \|", table), table
    # the target's weekly ingest is an ordinary week; the week a quarter closes (the data's last closed quarter,
    # 2027Q1, archived again) is measured beside it, informational
    assert re.search(r"the weekly ingest against `sqlite-utils insert --csv` .*an ordinary week: no quarter closed",
                     table), table
    if shutil.which("sqlite-utils") or (Path(sys.executable).parent / "sqlite-utils").exists():
        assert re.search(r"the weekly ingest in the week a quarter closes .*\| wall [\d.]+ s vs [\d.]+ s = [\d.]+×; "
                         r"CPU [\d.]+ s vs [\d.]+ s = [\d.]+× \(informational: .* before 2027Q1 was archived; the "
                         r"extra -?[\d.]+ s of CPU", table), table
    # serve's memory between changes, against a plain `mkdocs serve` of the same pages
    assert re.search(r"waiting for the next change .*\| \d+ MiB vs \d+ MiB = [\d.]+× \(resident memory .*\) \| ≤ 2× \| "
                     r"(✅ met|❌ not met) \|", table), table
    assert "from 2027-03-29 to 2027-04-11" in text   # the data's days: the week after is mid-quarter
    assert "## How far one machine goes" in text
    # the ingest against sqlite-utils (a bench-only extra: measured when installed, said so when not)
    peer = [row for row in rows if "sqlite-utils" in row or "peak RSS of the same two loads" in row]
    assert len(peer) >= 2, table
    if shutil.which("sqlite-utils") or (Path(sys.executable).parent / "sqlite-utils").exists():
        assert re.search(r"\| [\d.]+ s vs [\d.]+ s = [\d.]+× \(wall [\d.]+ s vs [\d.]+ s\) \| ≤ 1\.0× sqlite-utils \| "
                         r"(✅ met|❌ not met) \|", table), table
        assert re.search(r"peak RSS of the same two loads \| \d+ MiB vs \d+ MiB = [\d.]+× \| ≤ 2× sqlite-utils \| "
                         r"(✅ met|❌ not met) \|", table), table
        assert re.search(r"peak RSS of the ingest at 3 projects against 1 projects .*\| \d+ MiB vs \d+ MiB = [\d.]+× "
                         r"\| ≤ 1\.2× \| (✅ met|❌ not met) \|", table), table
    else:
        assert "not measured: sqlite-utils is not installed" in table
    assert (tmp_path / "work" / "results.json").is_file()
