"""One read of the store per build: the sheets' focus lists and the results pages share it."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from generator.instruments.patrol import simulate as sim
from generator.ingest import file_source, run_ingest
from generator import store as store_mod
from generator.results import publish
from generator.results import scoring as sc
from generator.results.report_pages import build_results
from generator.site.site_build import SiteContext
from generator.standards import require_standards
from generator.instruments import INSTRUMENTS

from conftest import STANDARDS


@pytest.fixture(scope="module")
def standards():
    return require_standards(STANDARDS, instruments=INSTRUMENTS)


def simulated_csv(standards, path, start, end):
    responses = sim.simulate(standards, "daily-patrol", start=start, end=end, seed=7)
    return sim.write_csv(path, sim.sheet_values(standards, "daily-patrol", responses))


def ingest(standards, db, path):
    # a later file under the same name holds later weeks only: its earlier rows are meant to go
    return run_ingest([file_source(path, "daily-patrol")], standards=standards, db_path=db, accept_deletions=True,
                      instruments=INSTRUMENTS)


@pytest.fixture
def counted_reads(monkeypatch):
    calls = []
    real = store_mod.read_inspections

    def counting(path, **kwargs):
        calls.append(path)
        return real(path, **kwargs)

    monkeypatch.setattr(store_mod, "read_inspections", counting)
    publish.forget_snapshots()
    yield calls
    publish.forget_snapshots()


def test_focus_lists_and_results_read_the_store_once(standards, tmp_path, counted_reads):
    db = tmp_path / "s.sqlite"
    ingest(standards, db, simulated_csv(standards, tmp_path / "a" / "daily-patrol.csv",
                                        dt.date(2026, 10, 5), dt.date(2026, 10, 25)))
    focus = publish.sheet_focus(db)(standards)
    assert set(focus) == {p.id for p in standards.organisation.projects}
    ctx = SiteContext(standards, tmp_path / "docs")
    publish.results_generator(db)(ctx)
    assert len(counted_reads) == 1
    first = (tmp_path / "docs" / "results" / "index.md").read_text(encoding="utf-8")

    # a later ingest changes the file: the next build reads it again and shows the new weeks
    ingest(standards, db, simulated_csv(standards, tmp_path / "b" / "daily-patrol.csv",
                                        dt.date(2026, 10, 26), dt.date(2026, 11, 8)))
    publish.results_generator(db)(SiteContext(standards, tmp_path / "docs"))
    assert len(counted_reads) == 2
    second = (tmp_path / "docs" / "results" / "index.md").read_text(encoding="utf-8")
    assert "第45周" in second and "第45周" not in first

    # a new store at another path is read, and only the latest store's read is kept
    other = tmp_path / "other.sqlite"
    shutil.copyfile(db, other)
    publish.sheet_focus(other)(standards)
    assert len(counted_reads) == 3 and len(publish._SNAPSHOTS) == 1
    publish.forget_snapshots()
    publish.sheet_focus(other)(standards)
    assert len(counted_reads) == 4


def test_shared_actions_give_the_same_pages(standards, tmp_path):
    db = tmp_path / "s.sqlite"
    ingest(standards, db, simulated_csv(standards, tmp_path / "daily-patrol.csv",
                                        dt.date(2026, 10, 5), dt.date(2026, 11, 8)))
    inspections = store_mod.read_inspections(db)
    own = build_results(standards, inspections)
    shared = build_results(standards, inspections, actions=sc.corrective_actions(standards, inspections))
    assert own == shared
    # with an earlier as_of the given actions (of every inspection) are not used for fewer inspections
    as_of = dt.date(2026, 10, 20)
    early = build_results(standards, inspections, as_of=as_of,
                          actions=sc.corrective_actions(standards, inspections))
    kept = [i for i in inspections if i.date <= as_of]
    assert early == build_results(standards, kept, as_of=as_of)
    assert early["results/csv/actions.csv"] != own["results/csv/actions.csv"]
