"""Real gspread and google-auth against the fake Sheets API on 127.0.0.1: shapes, faults, identity."""

from __future__ import annotations

import datetime as dt
import json
import math
import sqlite3
from urllib.parse import urlsplit

import pytest
import requests

from generator.instruments.patrol import simulate as sim
from generator.errors import HandbookError
from generator.ingest import run_ingest
from generator.store import read_inspections
from generator.ingest.google_sheets import Retry
from generator.store import read_versions
from generator.ingest.table import SourceRef
from generator.standards import require_standards
from generator.instruments import INSTRUMENTS

from conftest import ROOT
from fakegoogle.base import write_service_account_key
from fakegoogle.sheets import FakeSheet, FakeSheets

CASSETTES = ROOT / "tests" / "data" / "gspread_cassettes"
KEY = "1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"
EMAIL = "handbook@demo-project.iam.gserviceaccount.com"
FAST = Retry(deadline=5, backoff=0.01, max_backoff=0.05, timeout=5)


@pytest.fixture(scope="module")
def standards():
    return require_standards(ROOT / "standards", instruments=INSTRUMENTS)


@pytest.fixture
def fake():
    server = FakeSheets().start()
    yield server
    server.stop()


@pytest.fixture
def key_file(tmp_path, fake):
    return write_service_account_key(tmp_path / "sa.json", fake.url + "/token", EMAIL)


def patrol_values(standards, days=7, projects=("wutong", "lanting")):
    responses = sim.simulate(standards, "daily-patrol", start=dt.date(2026, 11, 16),
                             end=dt.date(2026, 11, 16) + dt.timedelta(days=days - 1), projects=list(projects))
    return sim.sheet_values(standards, "daily-patrol", responses)


def pull(standards, fake, key_file, db, key=KEY, **kw):
    kw.setdefault("retry", FAST)
    kw.setdefault("instruments", INSTRUMENTS)
    return run_ingest([SourceRef("daily-patrol", "sheet", key, 0)], standards=standards, db_path=db,
                      credentials=key_file, endpoint=fake.url, **{"instruments": INSTRUMENTS, **kw})


def dump(db):
    conn = sqlite3.connect(db)
    try:
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in
                ("sources", "headers", "raw_rows", "inspections", "versions", "answers", "sections",
                 "quarantine", "unmapped_columns")}
    finally:
        conn.close()


# ---------------------------------------------------------------- the fake answers like the real API

def _replay(fake, name):
    for interaction in json.loads((CASSETTES / name).read_text())["interactions"]:
        request, response = interaction["request"], interaction["response"]
        url = urlsplit(request["uri"])
        yield (request, json.loads(response["body"]["string"]),
               requests.get(fake.url + url.path + ("?" + url.query if url.query else "")).json())


def test_fake_matches_recorded_values_with_render_options(fake):
    name = "WorksheetTest.test_get_all_values_date_time_render_options.json"
    key = json.loads((CASSETTES / name).read_text())["interactions"][0]["request"]["uri"].split("/")[5].split("?")[0]
    sheet = FakeSheet("Sheet1", 0, [], columns=4, extra_rows=2)
    fake.add_spreadsheet(key, "Test WorksheetTest test_get_all_values_date_time_render_options", [sheet],
                         timezone="Etc/GMT", locale="en_US")
    checked = 0
    for request, recorded, ours in _replay(fake, name):
        if "includeGridData" in request["uri"]:
            assert set(recorded) == set(ours)
            assert recorded["properties"]["timeZone"] == ours["properties"]["timeZone"]
            assert recorded["sheets"][0]["properties"].keys() <= ours["sheets"][0]["properties"].keys() | {"index"}
        elif "valueRenderOption=UNFORMATTED_VALUE&dateTimeRenderOption=SERIAL_NUMBER" in request["uri"]:
            assert ours == recorded            # [[2, 43831, "string", 53], [1.5, 0.12, 36162]]
            checked += 1
        elif "valueRenderOption" not in request["uri"]:
            assert ours == recorded == {"range": "Sheet1!A1:D2", "majorDimension": "ROWS"}   # empty: no values
            sheet.values = [[2, dt.datetime(2020, 1, 1), "string", 53], [1.5, 0.12, dt.date(1999, 1, 2), ""]]
            sheet.extra_rows = 0
            checked += 1
        else:
            assert set(ours) == set(recorded) and len(ours["values"]) == len(recorded["values"])
    assert checked == 2


def test_fake_matches_recorded_ragged_rows(fake):
    name = "WorksheetTest.test_get_all_records.json"
    first = json.loads((CASSETTES / name).read_text())["interactions"][0]["request"]["uri"]
    key = first.split("/spreadsheets/")[1].split("?")[0]
    fake.add_spreadsheet(key, "t", [FakeSheet("Sheet1", 0, [["A1", "B1", "", "D1"], [1, "b2", 1.45, ""],
                                                             ["", "", "", ""], ["A4", 0.4, "", 4]], columns=4)],
                         locale="en_US")
    values = [(r, ours) for r, rec, ours in _replay(fake, name) if "/values/" in r["uri"]]
    assert values
    for request, ours in values:
        recorded = next(json.loads(i["response"]["body"]["string"]) for i in
                        json.loads((CASSETTES / name).read_text())["interactions"] if i["request"] is request or
                        i["request"]["uri"] == request["uri"])
        assert ours == recorded   # trailing empties dropped, empty row as []


def test_fake_matches_recorded_batch_get(fake):
    name = "SpreadsheetTest.test_values_batch_get.json"
    uri = json.loads((CASSETTES / name).read_text())["interactions"][0]["request"]["uri"]
    key = uri.split("/spreadsheets/")[1].split("?")[0]
    fake.add_spreadsheet(key, "t", [FakeSheet("Sheet1", 0, [], columns=26, extra_rows=1000),
                                    FakeSheet("🌵 test_values_batch_get 1", 901015854,
                                              [["🍇", "🍉", "🍋"], ["🍐", "🍎", "🍓"]], columns=10, extra_rows=8)],
                         locale="en_US")
    for request, recorded, ours in _replay(fake, name):
        if "batchGet" in request["uri"]:
            assert ours == recorded


# ---------------------------------------------------------------- pulls

def test_full_pull_reads_every_row_in_chunks_with_few_requests(standards, fake, key_file, tmp_path):
    values = patrol_values(standards, days=14)
    fake.add_spreadsheet(KEY, "客服中心每日巡查表（回复）", [FakeSheet("表单回复 1", 0, values)])
    report = pull(standards, fake, key_file, tmp_path / "s.sqlite", chunk_rows=25)
    rows = len(values)
    assert report.total["new"] == rows - 1 and report.total["quarantined"] == 0
    assert report.sources[0].requests == 2 + math.ceil(rows / 25) == len(fake.api_requests())
    calls = fake.value_requests()
    assert all(r.query["valueRenderOption"] == ["UNFORMATTED_VALUE"] and
               r.query["dateTimeRenderOption"] == ["SERIAL_NUMBER"] for r in calls)
    stored = read_inspections(tmp_path / "s.sqlite")
    first = values[1]
    match = next(i for i in stored if i.submitted_at.replace(tzinfo=None) == first[0])
    assert match.submitted_at.utcoffset() == dt.timedelta(hours=8)


def test_spreadsheet_time_zone_is_used_for_serial_numbers(standards, fake, key_file, tmp_path):
    values = patrol_values(standards, days=1, projects=("wutong",))
    values[1][0] = dt.datetime(2026, 11, 16, 1, 0, 0)     # 01:00 in London = 09:00 in Shanghai
    fake.add_spreadsheet(KEY, "t", [FakeSheet("Form Responses 1", 0, values)], timezone="Europe/London",
                         locale="en_GB")
    pull(standards, fake, key_file, tmp_path / "s.sqlite")
    times = [i.submitted_at for i in read_inspections(tmp_path / "s.sqlite")]
    assert dt.datetime(2026, 11, 16, 9, 0, tzinfo=times[0].tzinfo) in times


def test_worksheet_found_by_form_sheet_name_without_gid(standards, fake, key_file, tmp_path):
    values = patrol_values(standards, days=1)
    fake.add_spreadsheet(KEY, "t", [FakeSheet("汇总", 0, [["x"]]), FakeSheet("表单回复 1", 777, values)])
    report = run_ingest([SourceRef("daily-patrol", "sheet", KEY)], standards=standards, db_path=tmp_path / "s.sqlite",
                        credentials=key_file, endpoint=fake.url, retry=FAST, instruments=INSTRUMENTS)
    assert report.total["new"] == len(values) - 1 and "#777" in report.sources[0].key


# ---------------------------------------------------------------- faults

def test_429_then_success(standards, fake, key_file, tmp_path):
    fake.add_spreadsheet(KEY, "t", [FakeSheet("表单回复 1", 0, patrol_values(standards, days=2))])
    fake.fail_next("/values/", 429, "Quota exceeded", times=2)
    report = pull(standards, fake, key_file, tmp_path / "s.sqlite")
    assert report.total["new"] > 0 and not fake.failures


@pytest.mark.parametrize("fault", ["500-deadline", "503-deadline", "truncated", "reset"])
def test_faults_leave_the_store_unchanged_and_the_rerun_completes(standards, fake, key_file, tmp_path, fault):
    values = patrol_values(standards, days=6)
    fake.add_spreadsheet(KEY, "t", [FakeSheet("表单回复 1", 0, values[:20])])
    db = tmp_path / "s.sqlite"
    pull(standards, fake, key_file, db)
    before = dump(db)
    fake.sheet(KEY).values = values
    if fault.endswith("deadline"):
        fake.fail_next("/values/", int(fault[:3]), times=10_000)
        with pytest.raises(HandbookError, match=rf"Google 表格一直出错（HTTP {fault[:3]}）.*请稍后重试"):
            pull(standards, fake, key_file, db, chunk_rows=20, retry=Retry(deadline=0.5, backoff=0.02))
        fake.failures.clear()
    else:
        # a broken transfer on every try: the deadline ends it, nothing is written
        (fake.truncate_next if fault == "truncated" else fake.reset_next)("/values/", times=10_000)
        with pytest.raises(HandbookError, match="Google 表格一直出错"):
            pull(standards, fake, key_file, db, chunk_rows=20, retry=Retry(deadline=0.5, backoff=0.02))
        fake.broken.clear()
        assert dump(db) == before
        # one broken transfer mid-pull is retried and the pull completes
        (fake.truncate_next if fault == "truncated" else fake.reset_next)("/values/", times=1)
        fake.log.clear()
        report = pull(standards, fake, key_file, db, chunk_rows=20)
        assert report.total["read"] == len(values) - 1
        assert read_inspections(db) and len(read_inspections(db)) == len(values) - 1
        return
    assert dump(db) == before
    report = pull(standards, fake, key_file, db, chunk_rows=20)
    assert report.total["new"] == len(values) - 20 and report.total["unchanged"] == 19
    assert len(read_inspections(db)) == len(values) - 1


def test_403_names_the_service_account_and_404_the_sheet(standards, fake, key_file, tmp_path):
    fake.add_spreadsheet(KEY, "t", [FakeSheet("表单回复 1", 0, patrol_values(standards, days=1))])
    fake.fail_next(KEY, 403, "The caller does not have permission")
    with pytest.raises(HandbookError, match=f"请把它共享给服务账号 {EMAIL}"):
        pull(standards, fake, key_file, tmp_path / "s.sqlite")
    with pytest.raises(HandbookError, match="找不到回复表 1Missing0000000（daily-patrol）"):
        pull(standards, fake, key_file, tmp_path / "s.sqlite", key="1Missing0000000")
    fake.fail_next("/values/", 403)
    with pytest.raises(HandbookError, match=EMAIL):
        pull(standards, fake, key_file, tmp_path / "s.sqlite")
    assert not (tmp_path / "s.sqlite").exists()


def test_missing_credentials(standards, fake, tmp_path, monkeypatch):
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setattr("gspread.auth.DEFAULT_SERVICE_ACCOUNT_FILENAME", tmp_path / "none.json")
    with pytest.raises(HandbookError, match="没有 Google 凭据"):
        pull(standards, fake, None, tmp_path / "s.sqlite")
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(tmp_path / "gone.json"))
    with pytest.raises(HandbookError, match="GOOGLE_APPLICATION_CREDENTIALS"):
        pull(standards, fake, None, tmp_path / "s.sqlite")
    assert fake.api_requests() == []


# ---------------------------------------------------------------- identity across runs

def test_edit_sort_delete_append_between_ingests(standards, fake, key_file, tmp_path):
    values = patrol_values(standards, days=4)
    header, rows = values[0], [list(r) for r in values[1:]]
    sheet = FakeSheet("表单回复 1", 0, [header] + rows[:-3])
    fake.add_spreadsheet(KEY, "t", [sheet])
    db = tmp_path / "s.sqlite"
    assert pull(standards, fake, key_file, db).total["new"] == len(rows) - 3
    by_time = {i.submitted_at.replace(tzinfo=None): i.id for i in read_inspections(db)}

    # Google edits a response in place: new timestamp, a changed answer
    item_col = header.index(next(h for h in header if h.startswith("4.2.1.2-a")))
    edited = sheet.values[5]
    original_id = by_time[edited[0]]
    edited[0] += dt.timedelta(hours=2)
    edited[item_col] = "不符合 2 处"
    # someone sorts the sheet by project, deletes a row and new responses arrive
    body = sorted(sheet.values[1:], key=lambda r: (r[1], r[0]), reverse=True)
    deleted = body.pop(3)
    sheet.values = [header] + body + rows[-3:]

    report = pull(standards, fake, key_file, db).sources[0]
    assert (report.read, report.new, report.edited, report.unchanged, report.gone) == \
        (len(rows) - 1, 3, 1, len(rows) - 5, 1)
    assert report.read == report.new + report.edited + report.unchanged + report.quarantined
    current = {i.id: i for i in read_inspections(db)}
    assert len(current) == len(rows) - 1
    assert current[original_id].findings["4.2.1.2-a"] == 2
    assert [v["version"] for v in read_versions(db, original_id)] == [1, 2]
    gone_id = by_time[deleted[0]]
    assert gone_id not in current
    assert gone_id in {i.id for i in read_inspections(db, include_gone=True)}

    # nothing new: nothing changes
    before = dump(db)
    again = pull(standards, fake, key_file, db).sources[0]
    assert (again.new, again.edited, again.gone) == (0, 0, 0) and dump(db) == before

    # the deleted row comes back (undo): restored, not duplicated
    sheet.values.append(deleted)
    back = pull(standards, fake, key_file, db).sources[0]
    assert (back.new, back.unchanged) == (0, len(rows))
    assert len(read_inspections(db)) == len(rows)


def test_rows_moved_to_an_archive_spreadsheet_are_not_duplicated(standards, fake, key_file, tmp_path):
    values = patrol_values(standards, days=3)
    header, rows = values[0], values[1:]
    fake.add_spreadsheet(KEY, "main", [FakeSheet("表单回复 1", 0, values)])
    archive = "1ArchiveArchiveArchive000"
    fake.add_spreadsheet(archive, "archive", [FakeSheet("表单回复 1", 0, [header])])
    sources = [SourceRef("daily-patrol", "sheet", archive, 0), SourceRef("daily-patrol", "sheet", KEY, 0)]
    db = tmp_path / "s.sqlite"
    run = lambda: run_ingest(sources, standards=standards, db_path=db, credentials=key_file,  # noqa: E731
                             endpoint=fake.url, retry=FAST, instruments=INSTRUMENTS)
    assert run().total["new"] == len(rows)
    half = len(rows) // 2
    fake.sheet(archive).values = [header] + rows[:half]
    fake.sheet(KEY).values = [header] + rows[half:]
    report = run()
    assert report.total == {"read": len(rows), "new": 0, "edited": 0, "unchanged": len(rows), "gone": 0,
                            "quarantined": 0}
    assert len(read_inspections(db)) == len(rows)
