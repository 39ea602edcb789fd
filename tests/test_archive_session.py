"""A closed quarter archived by the first `handbook ingest` of a weekly session takes in the other forms' exports
imported the same day when they were submitted by the close day: no revision for on-time data (the README's
routine imports one file at a time)."""
from __future__ import annotations

import json
import sqlite3

from click.testing import CliRunner

from conftest import ROOT
from generator.cli import main

EXAMPLES = ROOT / "forms" / "examples"


def ingest(store, name):
    result = CliRunner().invoke(main, ["ingest", "--store", str(store), "--file", str(EXAMPLES / f"{name}.csv"),
                                       "--checklist", name], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_the_same_sessions_other_exports_join_the_archive_without_a_revision(tmp_path):
    store = tmp_path / "s.sqlite"
    first = ingest(store, "daily-patrol")
    assert "2026 年第三季度" in first and "存档" in first           # Q3 (closed 2026-10-07) archived now
    with sqlite3.connect(store) as conn:
        (before,) = conn.execute("SELECT rows FROM assessment_archive WHERE quarter = '2026Q3'").fetchone()
    second = ingest(store, "crd-spot-check")                          # spot checks of 09-16, 09-19, 09-25
    assert "修订" not in second
    with sqlite3.connect(store) as conn:
        (after,) = conn.execute("SELECT rows FROM assessment_archive WHERE quarter = '2026Q3'").fetchone()
        revisions = conn.execute("SELECT COUNT(*) FROM assessment_revisions").fetchone()[0]
    assert revisions == 0
    counted = {a["project"]: a["score"]["n"] for a in json.loads(after)}
    counted_before = {a["project"]: a["score"]["n"] for a in json.loads(before)}
    assert sum(counted.values()) == sum(counted_before.values()) + 3   # the three on-time spot checks joined
