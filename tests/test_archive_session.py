"""A closed quarter archived by the first `handbook ingest` of a weekly session takes in the other forms' exports
imported the same day when they were submitted by the close day: no revision for on-time data (the README's
routine imports one file at a time)."""
from __future__ import annotations

import json
import sqlite3

from click.testing import CliRunner

from conftest import ROOT
from generator.cli import main
from generator.store import read_inspections
from generator.instruments import INSTRUMENTS
from generator.results.archive import read_archive
from generator.results.report_pages import build_results
from generator.standards import require_standards

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
        (amended_on,) = conn.execute("SELECT amended_on FROM assessment_archive WHERE quarter = '2026Q3'").fetchone()
    assert revisions == 0
    counted = {a["project"]: a["score"]["n"] for a in json.loads(after)}
    counted_before = {a["project"]: a["score"]["n"] for a in json.loads(before)}
    assert sum(counted.values()) == sum(counted_before.values()) + 3   # the three on-time spot checks joined
    # the page says so: an archive never changes without a word
    archive = read_archive(store)
    assert archive["2026Q3"].amended_on is not None and amended_on == archive["2026Q3"].amended_on.isoformat()
    standards = require_standards(ROOT / "standards", instruments=INSTRUMENTS)
    q3 = build_results(standards, read_inspections(store), archive=archive)["results/quarters/2026Q3.md"]
    assert (f"存档当天（{amended_on}）稍后又导入了其他表单在 2026-10-07 及以前录入的检查，已补入本页的数字"
            "（它们都在存档截止前录入，不算修订）。") in q3
