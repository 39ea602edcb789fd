"""A closed quarter that `handbook ingest` assesses again is read from a quarter before it on (a date range),
and only when that gives the figures every row of the store gives: the archive and its revisions come out the
same either way, and a quarter whose inputs did not change is not assessed at all."""
from __future__ import annotations

import datetime as dt
import shutil
import sqlite3

import pytest
from click.testing import CliRunner

from conftest import ROOT
from generator import store
from generator.cli import main
from generator.instruments import INSTRUMENTS
from generator.instruments.patrol import simulate as sim
from generator.results import publish
from generator.results import scoring as sc
from generator.standards import require_standards

CHECKLIST = "daily-patrol"


@pytest.fixture(scope="module")
def standards():
    return require_standards(ROOT / "standards", instruments=INSTRUMENTS)


@pytest.fixture(scope="module")
def year_store(tmp_path_factory, standards):
    """Daily patrols from 2026-01-05 to 2026-10-03 (the week after Q3's end), ingested once; no archive yet."""
    folder = tmp_path_factory.mktemp("window")
    responses = sim.simulate(standards, CHECKLIST, start=dt.date(2026, 1, 5), end=dt.date(2026, 10, 3), seed=3)
    csv = folder / "year.csv"
    sim.write_csv(csv, sim.sheet_values(standards, CHECKLIST, responses))
    path = folder / "year.sqlite"
    result = CliRunner().invoke(main, ["ingest", "--store", str(path), "--file", str(csv), "--checklist", CHECKLIST,
                                       "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    with sqlite3.connect(path) as conn:   # the run archived what was closed on the machine's day: start afresh
        conn.execute("DELETE FROM assessment_revisions")
        conn.execute("DELETE FROM assessment_archive")
    return path


def archive_tables(path):
    with sqlite3.connect(path) as conn:
        return (conn.execute("SELECT quarter, closed_on, rows, fingerprint, amended_on FROM assessment_archive "
                             "ORDER BY quarter").fetchall(),
                conn.execute("SELECT quarter, revised_on, rows, changes, reasons FROM assessment_revisions "
                             "ORDER BY id").fetchall())


def keep(path, standards, day, monkeypatch, *, window=True):
    """keep_closed_quarters on `day`; the dates it read rows from (None: every row)."""
    read = store.read_scoring_rows
    asked = []

    def reading(db, since=None):
        asked.append(since)
        return read(db, since=since)
    monkeypatch.setattr(store, "read_scoring_rows", reading)
    monkeypatch.setattr(publish, "WARM_UP_DAYS", publish.WARM_UP_DAYS if window else 10_000)
    updates = publish.keep_closed_quarters(path, standards, today=day)
    monkeypatch.undo()
    return updates, asked


def test_a_newly_closed_quarter_is_assessed_from_its_window_with_the_whole_stores_figures(
        year_store, standards, tmp_path, monkeypatch):
    windowed, whole = tmp_path / "windowed.sqlite", tmp_path / "whole.sqlite"
    for path in (windowed, whole):
        shutil.copyfile(year_store, path)
    # 2026-07-10: Q1 and Q2 closed and archived (the data starts in Q1: every row is read either way)
    for path, window in ((windowed, True), (whole, False)):
        updates, asked = keep(path, standards, dt.date(2026, 7, 10), monkeypatch, window=window)
        assert sorted(a.quarter for a in updates.archives) == ["2026Q1", "2026Q2"]
        assert asked == [None]
    # the next day nothing changed in a closed quarter: nothing is read
    updates, asked = keep(windowed, standards, dt.date(2026, 7, 11), monkeypatch)
    assert not updates and asked == []
    # 2026-10-10: Q3 closed; only it is assessed, from 92 days before 2026-07-01 on
    updates, asked = keep(windowed, standards, dt.date(2026, 10, 10), monkeypatch)
    assert [a.quarter for a in updates.archives] == ["2026Q3"] and asked == [dt.date(2026, 3, 31)]
    updates, asked = keep(whole, standards, dt.date(2026, 10, 10), monkeypatch, window=False)
    assert [a.quarter for a in updates.archives] == ["2026Q3"] and asked == [None]
    assert archive_tables(windowed) == archive_tables(whole)
    assert len(archive_tables(windowed)[0]) == 3


def test_a_finding_before_any_compliant_answer_that_falls_due_in_the_quarter_reads_every_row(standards):
    """An action open before the window would take in the finding: the window cannot say what falls due."""
    project = standards.organisation.projects[0].id
    code = next(c for c, i in standards.items.items() if not i.critical)
    at = dt.datetime(2026, 6, 30, 9, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    found = store.ScoringRow("a", CHECKLIST, project, "x", dt.date(2026, 6, 30), at, {code: 1}, {})
    compliant = found._replace(id="b", date=dt.date(2026, 6, 29), findings={code: 0})
    day0, q_start, q_end = dt.date(2026, 3, 31), dt.date(2026, 7, 1), dt.date(2026, 9, 30)
    assert sc.due_date(standards, found.date, standards.items[code].fix_within_days) >= q_start
    assert publish.actions_settle(standards, [found], day0, q_start, q_end) is False
    # a 符合 before it closes whatever was open: the window follows it exactly
    assert publish.actions_settle(standards, [compliant, found], day0, q_start, q_end) is True
    # a finding whose action falls due before the quarter changes nothing in it
    early = found._replace(date=dt.date(2026, 5, 4))
    assert publish.actions_settle(standards, [early], day0, q_start, q_end) is True
