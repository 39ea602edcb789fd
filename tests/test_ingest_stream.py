"""Ingest streams a file a batch at a time: memory does not grow with the file, and identity (duplicates,
edits, sorting, deletions) holds across batches, where earlier rows are no longer in memory."""

from __future__ import annotations

import datetime as dt
import sqlite3
import tracemalloc

import pytest

from generator.instruments.patrol import simulate as sim
from generator.ingest import file_source, run_ingest
from generator.instruments.patrol import ingest as patrol_ingest
from generator.store import read_inspections
from generator.store import read_quarantine, read_versions
from generator.standards import require_standards
from generator.instruments import INSTRUMENTS

from conftest import ROOT

START = dt.date(2026, 1, 5)


@pytest.fixture(scope="module")
def standards():
    return require_standards(ROOT / "standards", instruments=INSTRUMENTS)


def patrol_values(standards, days: int, projects=None) -> list[list]:
    """Header and rows of a simulated daily-patrol response sheet, in submission order."""
    ids = projects or [p.id for p in standards.organisation.projects]
    responses = sim.simulate(standards, "daily-patrol", start=START, end=START + dt.timedelta(days=days - 1),
                             projects=ids, seed=3)
    values = sim.sheet_values(standards, "daily-patrol", responses)
    return [values[0], *sorted(values[1:], key=lambda r: r[0])]


def ingest(standards, db, path, **kw):
    return run_ingest([file_source(path, "daily-patrol")], standards=standards, db_path=db,
                      **{"instruments": INSTRUMENTS, **kw})


def peak_of_ingest(standards, db, path) -> tuple[int, dict]:
    """The most memory Python objects took during the ingest above what was held before it (tracemalloc)."""
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        report = ingest(standards, db, path)
        return tracemalloc.get_traced_memory()[1] - base, report.total
    finally:
        tracemalloc.stop()


@pytest.mark.slow
def test_memory_of_an_ingest_does_not_grow_with_the_file(standards, tmp_path, monkeypatch):
    # batches of 250 rows: a file of 1,000 rows is 4 batches, one of 4,000 rows 16; what an ingest holds
    # per row read (the cells, the normalised responses, their hashes) would make the second peak ~4 times
    # the first
    monkeypatch.setattr(patrol_ingest, "WRITE_BATCH", 250)
    values = patrol_values(standards, days=200)
    header, rows = values[0], values[1:]
    assert len(rows) >= 4000
    small = sim.write_csv(tmp_path / "small" / "daily-patrol.csv", [header, *rows[:1000]])
    large = sim.write_csv(tmp_path / "large" / "daily-patrol.csv", [header, *rows[:4000]])
    ingest(standards, tmp_path / "warm.sqlite", small)   # module caches filled, as in any long run
    small_peak, small_total = peak_of_ingest(standards, tmp_path / "small.sqlite", small)
    large_peak, large_total = peak_of_ingest(standards, tmp_path / "large.sqlite", large)
    assert small_total["new"] == 1000 and large_total["new"] == 4000
    assert large_peak < 1.5 * small_peak, (small_peak, large_peak)
    assert large_peak < 8 * 2**20, large_peak


def test_duplicates_edits_sorting_and_deletions_across_batches(standards, tmp_path, monkeypatch):
    monkeypatch.setattr(patrol_ingest, "WRITE_BATCH", 7)   # every few rows a new batch: earlier rows are gone
    values = patrol_values(standards, days=10, projects=["wutong", "lanting"])
    header, rows = values[0], [list(r) for r in values[1:]]
    n = len(rows)
    assert n > 40
    path = tmp_path / "export" / "daily-patrol.csv"
    db = tmp_path / "s.sqlite"

    # the first export lacks the last two responses and has the 4th resubmitted at its end, batches later:
    # a duplicate that names the first row (sheet row = index + 2)
    sim.write_csv(path, [header, *rows[:-2], rows[3]])
    report = ingest(standards, db, path).sources[0]
    assert (report.read, report.new, report.quarantined, report.reasons) == (n - 1, n - 2, 1, {"duplicate": 1})
    [dup] = read_quarantine(db)
    assert (dup.row_number, dup.reason) == (n, "与本次读取的“daily-patrol.csv”第 5 行完全相同（重复提交）")
    by_time = {i.submitted_at.replace(tzinfo=None): i.id for i in read_inspections(db)}
    edited_id, deleted_id = by_time[rows[30][0]], by_time[rows[10][0]]

    # Google edits the 31st response in place (new time, another answer); someone sorts the sheet newest
    # first and deletes the 11th response; the resubmission is deleted; two new responses arrive at the end
    item_col = header.index(next(h for h in header if h.startswith("4.2.1.2-a")))
    edited = list(rows[30])
    edited[0] += dt.timedelta(hours=2)
    edited[item_col] = "不符合 2 处" if edited[item_col] != "不符合 2 处" else "符合"
    body = sorted([r for k, r in enumerate(rows[:-2]) if k not in (10, 30)] + [edited], key=lambda r: r[0],
                  reverse=True)
    sim.write_csv(path, [header, *body, *rows[-2:]])
    report = ingest(standards, db, path).sources[0]
    assert (report.read, report.new, report.edited, report.unchanged, report.gone, report.quarantined) == \
        (n - 1, 2, 1, n - 4, 1, 0)
    assert [v["version"] for v in read_versions(db, edited_id)] == [1, 2]
    current = {i.id: i for i in read_inspections(db)}
    assert edited_id in current and deleted_id not in current and len(current) == n - 1
    assert current[edited_id].submitted_at.replace(tzinfo=None) == edited[0]

    # the deleted row comes back at the end: the same inspection, not a new one
    sim.write_csv(path, [header, *body, *rows[-2:], rows[10]])
    back = ingest(standards, db, path).sources[0]
    assert (back.new, back.edited, back.unchanged, back.gone) == (0, 0, n, 0)
    assert deleted_id in {i.id for i in read_inspections(db)}
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM inspections").fetchone()[0] == n
    conn.close()
