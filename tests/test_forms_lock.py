"""The lock file (atomic writes, link), the update planner, and prefilled links."""

from __future__ import annotations

import copy
import datetime as dt
import os

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.cli import main
from generator.errors import HandbookError
from generator.forms import lock_file as lockfile
from generator.forms.form_spec import build_form
from generator.forms.lock_file import link, parse_sheet_url, read_lock, write_lock
from generator.forms.plan import plan_update
from generator.forms.prefill import entry_name, prefill_url, project_links, qr_svg
from generator.forms.validate import validate_batch_update
from generator.standards import require_standards
from generator.instruments import INSTRUMENTS

from conftest import ROOT
from fakegoogle.forms import FakeForms

KEY = "1XyZabcdefghijklmnopqrstuvwxyz0123456789"


def pushed_lock(path):
    data = {"checklists": {"daily-patrol": {
        "form_id": "1AbC", "responder_url": "https://docs.google.com/forms/d/e/1FAIpQLx/viewform",
        "sheets": [], "versions": {"2026.11": {"revision_id": "00000002", "pushed": dt.datetime(
            2026, 11, 27, 10, tzinfo=dt.timezone(dt.timedelta(hours=8))), "options": ["符合"],
            "questions": {"0493eb34": {"field": "project", "title": "项目"},
                          "12345678": {"item": "4.2.1.1-a", "title": "4.2.1.1-a 办公区物品与桌面整洁"}}}}}}}
    write_lock(path, data)
    return data


@pytest.mark.parametrize("url, expected", [
    (f"https://docs.google.com/spreadsheets/d/{KEY}/edit#gid=123", (KEY, 123)),
    (f"https://docs.google.com/spreadsheets/d/{KEY}/edit?usp=sharing", (KEY, 0)),
    (f"https://docs.google.com/spreadsheets/d/{KEY}/edit?gid=77#gid=77", (KEY, 77)),
    (f"https://docs.google.com/spreadsheets/u/1/d/{KEY}/", (KEY, 0)),
    (f"  {KEY}  ", (KEY, 0)),
])
def test_parse_sheet_url(url, expected):
    assert parse_sheet_url(url) == expected


@pytest.mark.parametrize("url", ["https://example.com/x", "not a url", f"https://docs.google.com/forms/d/{KEY}/edit",
                                 "1short"])
def test_parse_sheet_url_rejects_other_links(url):
    with pytest.raises(HandbookError, match="不是 Google 表格的链接"):
        parse_sheet_url(url)


def test_link_appends_without_duplicates(tmp_path):
    path = tmp_path / "forms.lock.yaml"
    pushed_lock(path)
    day = dt.date(2026, 11, 28)
    sheet, added = link(path, "daily-patrol", f"https://docs.google.com/spreadsheets/d/{KEY}/edit#gid=0", today=day)
    assert added and sheet == {"spreadsheet_id": KEY, "gid": 0, "sheet_name": "表单回复 1", "linked": day}
    before = path.read_bytes()
    _, added = link(path, "daily-patrol", KEY, today=day)
    assert not added and path.read_bytes() == before
    link(path, "daily-patrol", f"https://docs.google.com/spreadsheets/d/{KEY}/edit#gid=5", sheet_name="归档", today=day)
    sheets = read_lock(path)["checklists"]["daily-patrol"]["sheets"]
    assert [(s["gid"], s["sheet_name"]) for s in sheets] == [(0, "表单回复 1"), (5, "归档")]
    assert ("- {spreadsheet_id: " + KEY + ", gid: 0, sheet_name: 表单回复 1, linked: 2026-11-28}"
            in path.read_text("utf-8"))


def test_link_cli(tmp_path):
    path = tmp_path / "forms.lock.yaml"
    runner = CliRunner()
    result = runner.invoke(main, ["forms", "link", "daily-patrol", KEY, "--lock", str(path)])
    assert result.exit_code == 1 and "handbook forms push" in result.output and not path.exists()
    pushed_lock(path)
    result = runner.invoke(main,
                           ["forms", "link", "daily-patrol", f"https://docs.google.com/spreadsheets/d/{KEY}/edit#gid=9",
                                  "--lock", str(path)])
    assert result.exit_code == 0 and "gid 9" in result.output
    result = runner.invoke(main, ["forms", "link", "daily-patrol", "https://example.com", "--lock", str(path)])
    assert result.exit_code == 1 and result.output.startswith("错误：")
    result = runner.invoke(main, ["forms", "link", "nope", KEY, "--lock", str(path)])
    assert result.exit_code == 1 and "daily-patrol" in result.output


def test_read_lock_round_trip_and_missing_file(tmp_path):
    assert read_lock(tmp_path / "none.yaml") == {"checklists": {}}
    path = tmp_path / "forms.lock.yaml"
    data = pushed_lock(path)
    assert read_lock(path) == data
    text = path.read_text(encoding="utf-8")
    assert "'12345678': {item: 4.2.1.1-a" in text          # an all-digit id stays a string
    assert "options: [符合]" in text


def test_write_is_atomic_when_replace_fails(tmp_path, monkeypatch):
    path = tmp_path / "forms.lock.yaml"
    pushed_lock(path)
    before = path.read_bytes()

    def boom(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(lockfile.os, "replace", boom)
    with pytest.raises(OSError):
        write_lock(path, {"checklists": {}})
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["forms.lock.yaml"]   # no temp file left


def test_write_lock_uses_a_temp_file_and_rename(tmp_path, monkeypatch):
    path = tmp_path / "forms.lock.yaml"
    seen = []
    real = os.replace
    monkeypatch.setattr(lockfile.os, "replace", lambda src, dst: (seen.append((src, dst)), real(src, dst)))
    pushed_lock(path)
    assert len(seen) == 1 and seen[0][1] == path and str(seen[0][0]) != str(path)


# ---------------------------------------------------------------- the planner, checked against the fake's semantics

SPEC = build_form(require_standards(ROOT / "standards", instruments=INSTRUMENTS), "crd-spot-check",
                  instruments=INSTRUMENTS)


def apply(form, requests):
    fake = FakeForms()
    form = copy.deepcopy(form)
    for n, request in enumerate(requests):
        (kind, args), = request.items()
        getattr(fake, f"_req_{kind}")(form, args, n)
    return form


def live_form(items, description="old"):
    return {"formId": "f", "revisionId": "1", "info": {"title": SPEC.title, "description": description},
            "settings": {}, "items": items}


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_plan_turns_any_live_form_into_the_spec(data):
    wanted = SPEC.items
    kept = data.draw(st.lists(st.sampled_from(range(len(wanted))), unique=True))
    items = [copy.deepcopy(wanted[i]) for i in kept]
    for i in data.draw(st.lists(st.sampled_from(range(len(items))), unique=True)) if items else []:
        items[i]["title"] = "手工改过 " + str(i)
    extras = data.draw(st.integers(0, 3))
    for n in range(extras):
        items.insert(data.draw(st.integers(0, len(items))), {"itemId": f"0000000{n}", "title": f"多余 {n}",
                                                             "textItem": {}})
    form = live_form(items)
    requests = plan_update(form, SPEC)
    assert validate_batch_update({"requests": requests}) == [] if requests else True
    result = apply({**form, "items": items}, requests)
    assert [i["itemId"] for i in result["items"]] == [i["itemId"] for i in wanted]
    assert [i["title"] for i in result["items"]] == [i["title"] for i in wanted]
    assert result["info"]["description"] == SPEC.info["description"]
    assert plan_update(result, SPEC) == []


def test_plan_keeps_live_question_ids_it_did_not_choose():
    items = copy.deepcopy(SPEC.items)
    items[0]["questionItem"]["question"]["questionId"] = "7abcdef0"     # made by someone else
    items[0]["title"] = "old"
    requests = plan_update(live_form(items, SPEC.info["description"]), SPEC)
    assert len(requests) == 1 and "updateItem" in requests[0]   # settings left at their default
    update = requests[-1]["updateItem"]
    assert update["item"]["questionItem"]["question"]["questionId"] == "7abcdef0"
    assert update["updateMask"] == "title"


# ---------------------------------------------------------------- prefilled links

def test_prefill_url_uses_the_decimal_question_id():
    assert entry_name("0493eb34") == f"entry.{0x0493eb34}"
    url = prefill_url("https://docs.google.com/forms/d/e/X/viewform", {"0493eb34": "梧桐苑"})
    assert url == f"https://docs.google.com/forms/d/e/X/viewform?usp=pp_url&entry.{0x0493eb34}=%E6%A2%A7%E6%A1%90%E8%8B%91"


def test_project_links_and_qr(tmp_path):
    standards = require_standards(ROOT / "standards", instruments=INSTRUMENTS)
    path = tmp_path / "forms.lock.yaml"
    data = pushed_lock(path)
    links = project_links(data, standards, "daily-patrol")
    assert set(links) == {p.id for p in standards.organisation.projects if p.active}
    assert all(f"entry.{0x0493eb34}=" in u for u in links.values())
    assert project_links(data, standards, "crd-spot-check") == {}
    svg = qr_svg(links["wutong"])
    assert svg.startswith("<svg") and "</svg>" in svg
