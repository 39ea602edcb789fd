"""The patrol checklists instrument (generator/instruments/patrol): its forms, its method pages, its simulator.

Its forms are built, ingested and scored by the stages (tests/test_forms_*, test_ingest_*, test_results_*);
its commands are in tests/test_cli_instruments.py.
"""

from __future__ import annotations

import datetime as dt

import pytest

from generator.context import standards_context
from generator.demo import demo_lock
from generator.instruments import INSTRUMENTS
from generator.instruments.patrol import PatrolChecklists
from generator.instruments.patrol import simulate as sim
from generator.site.method_pages import MethodLinks
from generator.standards import require_standards

from conftest import ROOT

PATROL = next(i for i in INSTRUMENTS if i.id == "patrol")
# organisation.yaml: cs_supervisor {min: 2, per: day}, project_manager {min: 1, per: day}, crd {min: 1, per: month}
OFTEN = ["客服主管：每个项目每天至少 2 次（程序 4.5）", "项目经理：每个项目每天至少 1 次（程序 4.5）",
         "客户关系部：每个项目每月至少 1 次（程序 4.5）"]
BOTH = [("客服中心每日巡查表", ""), ("客户关系部抽样检查表", "")]


@pytest.fixture(scope="module")
def standards():
    return require_standards(ROOT / "standards", instruments=INSTRUMENTS)


def test_its_forms_are_the_checklists(standards):
    assert isinstance(PATROL, PatrolChecklists) and PATROL.store_tables == ()
    assert PATROL.form_ids(standards) == ["daily-patrol", "crd-spot-check"]
    assert PATROL.form_hints(standards) == ["daily-patrol（客服中心每日巡查表）",
                                            "crd-spot-check（客户关系部抽样检查表）"]
    assert PATROL.reads_form(standards, "crd-spot-check") and not PATROL.reads_form(standards, "customer-survey")


def test_its_method_pages_list_the_checklists_and_how_often_each_role_patrols(standards):
    context = standards_context(standards, INSTRUMENTS)
    pages = PATROL.method_pages(context, MethodLinks(standards, {"checklists": {}}, lambda path: False))
    assert list(pages) == ["onsite", "records"]       # both checklists have items of both methods
    for page in pages.values():
        assert (page.often, page.forms, page.results) == (OFTEN, BOTH, [])
        assert page.printables == [("客服中心每日巡查表（空白）", "print/daily-patrol.pdf"),
                                   ("客户关系部抽样检查表（空白）", "print/crd-spot-check.pdf")]
    assert pages["onsite"].how[0][1] == "带上本项目打印的检查表（表单发布后，也可以用手机填写在线表单）。"

    published = MethodLinks(standards, demo_lock(standards, INSTRUMENTS), lambda path: path == "results/index.md")
    onsite = PATROL.method_pages(context, published)["onsite"]
    assert onsite.forms == [(title, f"https://docs.google.com/forms/d/e/DEMO-{form}/viewform")
                            for (title, _), form in zip(BOTH, ["daily-patrol", "crd-spot-check"])]
    assert onsite.results == [("检查结果概览", "results/index.md")]


def test_its_simulator_is_reproducible_and_keeps_to_the_dates_projects_and_roles(standards):
    first, last = dt.date(2026, 11, 16), dt.date(2026, 11, 17)
    rows = sim.simulate(standards, "daily-patrol", start=first, end=last, seed=1)
    assert rows == sim.simulate(standards, "daily-patrol", start=first, end=last, seed=1)
    assert rows != sim.simulate(standards, "daily-patrol", start=first, end=last, seed=2)
    active = {p.name for p in standards.organisation.projects if p.active}
    assert len(active) == 8
    # at most 2 + 1 patrols per project and day (a simulated patrol may be missed, never doubled)
    assert 0 < len(rows) <= 8 * 3 * 2
    assert {r.date for r in rows} == {first, last} and {r.project for r in rows} == active
    assert {r.role for r in rows} == {"客服主管", "项目经理"}
    assert all("@" not in r.inspector and r.submitted_at.date() == r.date for r in rows)
    values = sim.sheet_values(standards, "daily-patrol", rows, locale="zh-CN")
    assert values[0] == sim.header(standards, "daily-patrol", locale="zh-CN") and len(values) == len(rows) + 1
