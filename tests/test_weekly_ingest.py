"""The fixed cost of an ordinary week's `handbook ingest` (no quarter closes, nothing in a closed quarter changed):
the store's pages are read through once per run (at the write transaction's start, not again after its own
commit), the closed quarters' fingerprints come from one pass over the versions, and the results pages' modules
(Jinja, the printer) are not loaded. A store damaged after a run is still refused with the same message."""
from __future__ import annotations

import datetime as dt
import sqlite3

import pytest
from click.testing import CliRunner

from conftest import ROOT
from generator import store
from generator.cli import main
from generator.instruments import INSTRUMENTS
from generator.instruments.patrol import simulate as sim
from generator.results import archive
from generator.results import scoring as sc
from generator.standards import require_standards
from generator.store import connection
from test_architecture import loaded_by

CHECKLIST = "daily-patrol"
EXAMPLE = ROOT / "forms" / "examples" / "daily-patrol.csv"


@pytest.fixture(scope="module")
def standards():
    return require_standards(ROOT / "standards", instruments=INSTRUMENTS)


def ingest(path, csv, *extra):
    return CliRunner().invoke(main, ["ingest", "--store", str(path), "--file", str(csv), "--checklist", CHECKLIST,
                                     *extra], catch_exceptions=False)


def sound_state(path):
    """What this process holds as the store's last state found sound (None: nothing)."""
    return connection._SOUND.get(str(path.resolve()))


def test_a_run_does_not_read_its_own_commit_through_again(tmp_path):
    path = tmp_path / "store.sqlite"
    assert ingest(path, EXAMPLE).exit_code == 0
    # the run's commit changed the file; what it holds as sound is the file as the commit left it
    assert sound_state(path) == connection._file_state(path)
    changed = connection._file_state(path)
    # another program's write afterwards is checked again when the store is next opened
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE other_program (x)")
    assert connection._file_state(path) != changed
    assert sound_state(path) == changed
    store.open_store_read_only(path).close()
    assert sound_state(path) == connection._file_state(path)


class _OtherWriterAfterCommit(connection._Connection):
    """A store connection after whose COMMIT another connection commits at once (as another program might)."""

    def execute(self, sql, *args):
        out = super().execute(sql, *args)
        if sql == "COMMIT":
            with sqlite3.connect(self.store_path) as other:
                other.execute("CREATE TABLE IF NOT EXISTS other_program (x)")
                other.execute("INSERT INTO other_program VALUES (1)")
        return out


def test_a_commit_with_another_write_right_after_it_is_not_taken_as_checked(tmp_path):
    path = tmp_path / "store.sqlite"
    assert ingest(path, EXAMPLE).exit_code == 0
    mine = sqlite3.connect(path, isolation_level=None, factory=_OtherWriterAfterCommit)
    mine.store_path = str(path)
    try:
        store.begin(mine, path)
        before = sound_state(path)
        mine.execute("INSERT INTO ingest_log (started_at, finished_at, report) VALUES ('a', 'b', '{}')")
        store.commit(mine, path)
    finally:
        mine.close()
    assert before is not None
    assert sound_state(path) == before        # not the state after the other program's write
    assert sound_state(path) != connection._file_state(path)
    with sqlite3.connect(path) as conn:       # both writes are in the store
        assert conn.execute("SELECT count(*) FROM ingest_log WHERE started_at = 'a'").fetchone() == (1,)
        assert conn.execute("SELECT count(*) FROM other_program").fetchone() == (1,)


def test_a_store_damaged_after_a_run_is_refused_by_the_next_run_in_the_same_process(tmp_path):
    path = tmp_path / "store.sqlite"
    assert ingest(path, EXAMPLE).exit_code == 0
    assert sound_state(path) == connection._file_state(path)
    with sqlite3.connect(path) as conn:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        rows = conn.execute("SELECT count(*) FROM versions").fetchone()[0]
    size = path.stat().st_size
    with open(path, "r+b") as f:              # a page in the middle zeroed: the size stays, the content not
        f.seek(page_size * (pages // 2))
        f.write(b"\0" * page_size)
    assert path.stat().st_size == size
    result = ingest(path, EXAMPLE)
    assert result.exit_code == 1
    assert "错误：" in result.output and str(path) in result.output and "handbook restore" in result.output
    assert "Traceback" not in result.output
    with sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True) as conn:   # nothing was written
        assert conn.execute("SELECT count(*) FROM ingest_log").fetchone() == (1,)
    assert rows > 0


def per_quarter(path, quarters):
    """The fingerprints' data part as computed before: one query per quarter."""
    with sqlite3.connect(path) as conn:
        out = {}
        for quarter in quarters:
            start, end = sc.quarter_bounds(quarter)
            out[quarter] = conn.execute("""
                SELECT count(*), coalesce(max(v.rowid), 0), coalesce(sum(i.gone_at IS NOT NULL), 0),
                       coalesce(sum(i.withdrawn_at IS NOT NULL), 0), coalesce(max(i.withdrawn_at), ''),
                       coalesce(sum(i.replaced_by IS NOT NULL), 0)
                FROM inspections i JOIN versions v ON v.inspection_id = i.id AND v.version = i.current_version
                WHERE v.date BETWEEN ? AND ?""", (start.isoformat(), end.isoformat())).fetchone()
        return out


def test_the_fingerprints_of_one_pass_are_those_of_a_query_per_quarter(tmp_path, standards):
    responses = sim.simulate(standards, CHECKLIST, start=dt.date(2025, 11, 20), end=dt.date(2026, 7, 10), seed=5)
    csv = tmp_path / "responses.csv"
    sim.write_csv(csv, sim.sheet_values(standards, CHECKLIST, responses))
    path = tmp_path / "store.sqlite"
    assert ingest(path, csv, "--json").exit_code == 0
    with sqlite3.connect(path) as conn:   # some gone, withdrawn and replaced, in different quarters
        ids = [i for (i,) in conn.execute("SELECT id FROM inspections ORDER BY id")]
        conn.executemany("UPDATE inspections SET gone_at = '2026-07-11T00:00:00+00:00' WHERE id = ?",
                         [(i,) for i in ids[::17]])
        conn.executemany("UPDATE inspections SET withdrawn_at = ? WHERE id = ?",
                         [(f"2026-07-1{k % 9}T00:00:00+00:00", i) for k, i in enumerate(ids[5::23])])
        conn.executemany("UPDATE inspections SET replaced_by = ? WHERE id = ?", [(ids[0], i) for i in ids[7::29]])
    now = archive.fingerprints(path, standards, dt.date(2026, 7, 20))
    assert sorted(now) == ["2025Q4", "2026Q1", "2026Q2"]   # 2026Q3 is not over; 2025Q4 holds only 6 weeks
    expected = per_quarter(path, sorted(now))
    for quarter, printed in now.items():
        n, newest, gone, withdrawn, last_withdrawn, replaced = expected[quarter]
        assert n > 0 and gone > 0 and withdrawn > 0 and replaced > 0
        assert printed.split("/")[2:6] == [str(n), str(newest), str(gone), f"w{withdrawn}.{last_withdrawn}.{replaced}"]
    # a quarter before its close day is left out, as before
    assert sorted(archive.fingerprints(path, standards, dt.date(2026, 7, 7))) == ["2025Q4", "2026Q1"]


def test_an_ordinary_weeks_ingest_loads_neither_the_results_pages_nor_jinja_nor_the_printer(tmp_path):
    """The second run of the same export changes nothing in a closed quarter: it compares their fingerprints
    (SQL) and loads nothing that assesses or publishes them."""
    path = tmp_path / "store.sqlite"
    assert ingest(path, EXAMPLE).exit_code == 0
    with sqlite3.connect(path) as conn:
        archived = conn.execute("SELECT fingerprint FROM assessment_archive").fetchall()
    loaded = loaded_by("ingest", "--file", str(EXAMPLE), "--checklist", CHECKLIST, "--db", str(path))
    assert {"generator.ingest.run", "generator.results.archive"} <= loaded
    assert loaded & {"jinja2", "weasyprint", "generator.templating", "generator.printing", "generator.results.publish",
                     "generator.results.report_pages"} == set()
    with sqlite3.connect(path) as conn:   # the archive as the first run left it
        assert conn.execute("SELECT fingerprint FROM assessment_archive").fetchall() == archived
