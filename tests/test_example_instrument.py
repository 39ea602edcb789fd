"""A new instrument plugs into every stage through the Instrument protocol alone (CONTRIBUTING.md's example).

The example (tests/example_instrument.py) is registered by passing it along with the house's
instruments; nothing in generator/ names it.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3

import click
import pytest
from click.testing import CliRunner

from generator.cli.options import HandbookGroup
from generator.forms.form_spec import build_forms, form_ids, stable_id
from generator.ingest.run import file_source, run_ingest
from generator.instruments import INSTRUMENTS, site_generators
from generator.errors import HandbookError
from generator.site.site_build import SiteContext
from generator.standards import require_standards

from conftest import ROOT

from example_instrument import FORM_ID, PhoneCallback

PHONE = PhoneCallback()
WITH_PHONE = [*INSTRUMENTS, PHONE]


@pytest.fixture(scope="module")
def standards():
    return require_standards(ROOT / "standards")
CSV = ("时间戳记,项目,客户是否满意\n"
       "2026/11/02 10:00:00,梧桐苑,满意\n"
       "2026/11/02 11:00:00,兰亭雅居,不满意\n"
       "2026/11/03 09:30:00,梧桐苑,满意\n"
       "2026/11/03 09:45:00,无此项目,满意\n")


def test_its_form_is_built_after_the_others(standards):
    assert form_ids(standards, WITH_PHONE) == [*form_ids(standards, INSTRUMENTS), FORM_ID]
    spec = build_forms(standards, WITH_PHONE)[FORM_ID]
    data = json.loads(spec.to_json())
    assert data["create"] == {"info": {"title": "电话回访", "documentTitle": "电话回访（phone-callback）"}}
    items = [r["createItem"]["item"] for r in data["batchUpdate"]["requests"]]
    assert [i["title"] for i in items] == ["项目", "客户是否满意"]
    answer = items[1]["questionItem"]["question"]
    assert answer["questionId"] == stable_id("question:phone:answer")
    assert [o["value"] for o in answer["choiceQuestion"]["options"]] == ["满意", "一般", "不满意"]
    assert items[0]["questionItem"]["question"]["choiceQuestion"]["type"] == "DROP_DOWN"
    # the house's forms are unchanged by its presence
    assert {k: v.to_json() for k, v in build_forms(standards, WITH_PHONE).items() if k != FORM_ID} == \
        {k: v.to_json() for k, v in build_forms(standards, INSTRUMENTS).items()}


def test_csv_ingest_results_page_and_command(standards, tmp_path):
    csv_path = tmp_path / "phone.csv"
    csv_path.write_text(CSV, encoding="utf-8")
    db = tmp_path / "store.sqlite"

    report = run_ingest([file_source(csv_path, FORM_ID)], standards=standards, db_path=db, instruments=WITH_PHONE)
    (source,) = report.sources
    assert (source.read, source.new, source.quarantined) == (4, 3, 1)
    assert source.quarantined_rows == [(5, "项目“无此项目”或回答“满意”无效")]
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT row, project, answer FROM phone_callbacks ORDER BY row").fetchall() == \
        [(2, "wutong", "满意"), (3, "lanting", "不满意"), (4, "wutong", "满意")]
    conn.close()
    again = run_ingest([file_source(csv_path, FORM_ID)], standards=standards, db_path=db, instruments=WITH_PHONE)
    assert (again.sources[0].new, again.sources[0].unchanged) == (0, 3)

    ctx = SiteContext(standards, tmp_path / "docs")
    for generate in site_generators(db, quarter="2026Q4", instruments=[PHONE]):
        generate(ctx)
    page = (tmp_path / "docs" / "results" / "phone.md").read_text(encoding="utf-8")
    assert "| 满意 | 2 |" in page and "| 一般 | 0 |" in page and "| 不满意 | 1 |" in page
    # with the house's instruments, the results' overview links its page after theirs
    ctx = SiteContext(standards, tmp_path / "site")
    for generate in site_generators(db, quarter="2026Q4", instruments=WITH_PHONE, today=dt.date(2026, 11, 22)):
        generate(ctx)
    overview = (tmp_path / "site" / "results" / "index.md").read_text(encoding="utf-8")
    assert "- [客户满意度](satisfaction.md)\n- [季度考试](exam.md)\n- [随机抽问结果](knowledge.md)\n" \
        "- [电话回访](phone.md)\n" in overview

    @click.group(cls=HandbookGroup)
    def cli():
        """A fresh group: the instrument adds its commands to the group it is given."""

    cli.instruments = tuple(WITH_PHONE)   # what its commands hand to the library (cli.options.cli_instruments)
    PHONE.register_commands(cli)
    form = CliRunner().invoke(cli, ["phone", "form", "--out", str(tmp_path / "forms")])
    assert form.exit_code == 0, form.output
    assert [p.name for p in (tmp_path / "forms").iterdir()] == [f"{FORM_ID}.json"]
    assert (tmp_path / "forms" / f"{FORM_ID}.json").read_text(encoding="utf-8") == \
        build_forms(standards, WITH_PHONE)[FORM_ID].to_json()
    result = CliRunner().invoke(cli, ["phone", "count", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["不满意 1", "满意 2"]
    missing = CliRunner().invoke(cli, ["phone", "count", "--store", str(tmp_path / "none.sqlite")])
    assert missing.exit_code == 1
    assert missing.output.splitlines() == [
        f"错误：找不到数据库 {tmp_path / 'none.sqlite'}：先运行 handbook ingest，或用 --store 指定已有的数据库。"]


def test_without_it_the_form_is_unknown(standards, tmp_path):
    csv_path = tmp_path / "phone.csv"
    csv_path.write_text(CSV, encoding="utf-8")
    with pytest.raises(HandbookError) as raised:
        run_ingest([file_source(csv_path, FORM_ID)], standards=standards, db_path=tmp_path / "s.sqlite",
                   instruments=INSTRUMENTS)
    assert str(raised.value) == ("未知的检查表或表单“phone-callback”；可选：daily-patrol（客服中心每日巡查表）、"
                                 "crd-spot-check（客户关系部抽样检查表）、customer-survey（客户满意度问卷）、"
                                 "exam-<季度>（季度综合考试，例如 exam-2026Q4）、fix-report（整改反馈）")
    assert not (tmp_path / "s.sqlite").exists()
