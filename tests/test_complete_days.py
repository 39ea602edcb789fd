"""A day is complete only if it ended before the data was last fetched: a day the last fetch caught barely
started is never counted as missed, however much later the site is built or the export run."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.store import read_inspections, read_last_fetch
from generator.results.report_pages import build_results
from generator.standards import require_standards
from generator.instruments import INSTRUMENTS

from conftest import ROOT

BEIJING = dt.timezone(dt.timedelta(hours=8))


def cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = tmp_path_factory.mktemp("fetch") / "s.sqlite"
    result = cli("ingest", "--file", ROOT / "forms/examples/daily-patrol.csv", "--checklist", "daily-patrol",
                 "--store", path, "--standards", ROOT / "standards", "--lock", path.parent / "no-lock.yaml")
    assert result.exit_code == 0, result.output
    return path


def fetched_at(store, when: dt.datetime) -> None:
    """Make the store's every fetch (the run's log and its raw rows) happen at `when`."""
    stamp = when.astimezone(dt.timezone.utc).isoformat(timespec="seconds")
    conn = sqlite3.connect(store)
    with conn:
        conn.execute("UPDATE ingest_log SET started_at = ?", (stamp,))
        conn.execute("UPDATE raw_rows SET fetched_at = ?", (stamp,))
    conn.close()


def last_day(store) -> dt.date:
    return max(i.submitted_at.astimezone(BEIJING).date() for i in read_inspections(store))


def export_patrols(store) -> list[dict]:
    result = cli("export", "--table", "patrols", "--format", "json", "--store", store,
                 "--standards", ROOT / "standards")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_a_day_fetched_in_its_morning_is_not_missed_days_later(store):
    end = last_day(store)
    assert end < dt.date.today()     # the machine's today is later than the data: the day must not be taken as complete
    fetched_at(store, dt.datetime.combine(end, dt.time(9, 0), BEIJING))
    assert read_last_fetch(store) == dt.datetime.combine(end, dt.time(9, 0), BEIJING)
    rows = [r for r in export_patrols(store) if r["period"] == end.isoformat()]
    assert rows and all(r["partial"] and r["missed"] == 0 for r in rows)
    qingyuan = next(r for r in rows if r["project"] == "qingyuan" and r["role"] == "cs_supervisor")
    assert (qingyuan["done"], qingyuan["required"], qingyuan["missed"]) == (1, 2, 0)
    # the site reads the same span: the day is still running there too (page, CSVs, 近四周完成率)
    s = require_standards(ROOT / "standards", instruments=INSTRUMENTS)
    site = build_results(s, read_inspections(store), last_fetch=read_last_fetch(store))
    page = site["results/patrols.md"]
    assert end.isoformat() == "2026-11-22"
    assert ("| 青园小区 | 2/2 · 1/1 | 2/2 · 1/1 | 2/2 · 1/1 | 1/2 ⚠ · 1/1 | 2/2 · 1/1 | 2/2 · 1/1 "
            "| 1/2（未结束） · 1/1 |") in page
    assert "| 青园小区 | 91.4% |" in page
    assert "2026-11-22" not in site["results/csv/missed-patrols.csv"]
    assert "青园小区,客服主管,2026-11-22,1,2,0,当天未结束，不计缺少" in site["results/csv/patrols.csv"].splitlines()


def test_a_day_fetched_after_it_ended_is_complete(store):
    end = last_day(store)
    fetched_at(store, dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0, 30), BEIJING))
    rows = [r for r in export_patrols(store) if r["period"] == end.isoformat()]
    assert rows and not any(r["partial"] for r in rows)
    assert [(r["project"], r["role"]) for r in rows if r["missed"]] == [("qingyuan", "cs_supervisor")]
    s = require_standards(ROOT / "standards", instruments=INSTRUMENTS)
    page = build_results(s, read_inspections(store), last_fetch=read_last_fetch(store))["results/patrols.md"]
    assert ("| 青园小区 | 2/2 · 1/1 | 2/2 · 1/1 | 2/2 · 1/1 | 1/2 ⚠ · 1/1 | 2/2 · 1/1 | 2/2 · 1/1 "
            "| 1/2 ⚠ · 1/1 |") in page
    assert "| 青园小区 | 90.5% |" in page
