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
from generator.results.publish import quality_rows
from generator.standards import require_standards

from conftest import ROOT

from example_instrument import FORM_ID, PhoneCallback, count_answers

PHONE = PhoneCallback()
WITH_PHONE = [*INSTRUMENTS, PHONE]


@pytest.fixture
def main():
    """The real `handbook ingest` under a root group that holds the example too (`cli_instruments`)."""
    from generator.cli import main as handbook

    @click.group(cls=HandbookGroup)
    def cli():
        """A fresh root group: the house's instruments and the example."""

    cli.instruments = tuple(WITH_PHONE)
    cli.add_command(handbook.get_command(click.Context(handbook), "ingest"))
    return cli


@pytest.fixture(scope="module")
def standards():
    return require_standards(ROOT / "standards", instruments=INSTRUMENTS)
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
    items = [r["createItem"]["item"] for r in data["batchUpdate"]["requests"] if "createItem" in r]
    assert [i["title"] for i in items] == ["项目", "客户是否满意"]
    # the project question is the one every form shares (a prefilled link fills it in)
    assert items[0]["questionItem"]["question"]["questionId"] == stable_id("question:field:project")
    answer = items[1]["questionItem"]["question"]
    assert answer["questionId"] == stable_id("question:phone:answer")
    assert [o["value"] for o in answer["choiceQuestion"]["options"]] == ["满意", "一般", "不满意"]
    assert items[0]["questionItem"]["question"]["choiceQuestion"]["type"] == "DROP_DOWN"
    # the house's forms are unchanged by its presence
    assert {k: v.to_json() for k, v in build_forms(standards, WITH_PHONE).items() if k != FORM_ID} == \
        {k: v.to_json() for k, v in build_forms(standards, INSTRUMENTS).items()}


@pytest.mark.slow   # every instrument's page generators: their printables are rendered (PDFs)
def test_csv_ingest_results_page_and_command(standards, tmp_path):
    csv_path = tmp_path / "phone.csv"
    csv_path.write_text(CSV, encoding="utf-8")
    db = tmp_path / "store.sqlite"

    report = run_ingest([file_source(csv_path, FORM_ID)], standards=standards, db_path=db, instruments=WITH_PHONE)
    (source,) = report.sources
    assert (source.read, source.new, source.quarantined) == (4, 3, 1)
    assert source.quarantined_rows == [(5, "未知项目“无此项目”")]
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT row_number, project, answer FROM phone_callbacks ORDER BY row_number").fetchall() == \
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
    links = [line for line in overview.splitlines() if line.startswith("- [")]
    assert links.index("- [客户满意度](satisfaction.md)") < links.index("- [季度考试](exam.md)") \
        < links.index("- [随机抽问结果](knowledge.md)") < links.index("- [电话回访](phone.md)") == len(links) - 1

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
    # every form of the instruments it was given, in their order (the house's among them); not the example's
    hints = [hint for i in INSTRUMENTS for hint in i.form_hints(standards)]
    assert str(raised.value) == "未知的检查表或表单“phone-callback”；可选：" + "、".join(hints)
    house = ["daily-patrol（客服中心每日巡查表）", "crd-spot-check（客户关系部抽样检查表）",
             "customer-survey（客户满意度问卷）", "exam-<季度>（季度综合考试，例如 exam-2026Q4）",
             "fix-report（整改反馈）"]
    assert [h for h in hints if h in house] == house and "phone-callback（电话回访）" not in hints
    assert not (tmp_path / "s.sqlite").exists()


def _ingest(path, standards, db, **options):
    return run_ingest([file_source(path, FORM_ID)], standards=standards, db_path=db, instruments=WITH_PHONE,
                      **options).sources[0]


def test_ingesting_twice_adds_nothing_and_keeps_every_row_as_fetched(standards, tmp_path):
    path, db = tmp_path / "phone.csv", tmp_path / "store.sqlite"
    path.write_text(CSV, encoding="utf-8")
    first, again = _ingest(path, standards, db), _ingest(path, standards, db)
    assert (first.new, first.unchanged, first.quarantined) == (3, 0, 1)
    assert (again.new, again.unchanged, again.quarantined, again.gone) == (0, 3, 1, 0)
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*), count(DISTINCT id) FROM phone_callbacks").fetchone() == (3, 3)
    # every row, the quarantined one too, is kept once as fetched (only its three columns)
    assert conn.execute("SELECT row_number, cells FROM raw_rows ORDER BY row_number").fetchall() == [
        (2, '["2026/11/02 10:00:00", "梧桐苑", "满意"]'), (3, '["2026/11/02 11:00:00", "兰亭雅居", "不满意"]'),
        (4, '["2026/11/03 09:30:00", "梧桐苑", "满意"]'), (5, '["2026/11/03 09:45:00", "无此项目", "满意"]')]
    conn.close()
    # a row sorted elsewhere in the export is the same response, now at its new row
    lines = CSV.splitlines()
    path.write_text("\n".join([lines[0], lines[3], lines[1], lines[2], lines[4]]) + "\n", encoding="utf-8")
    moved = _ingest(path, standards, db)
    assert (moved.new, moved.unchanged, moved.gone) == (0, 3, 0)
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT row_number FROM phone_callbacks WHERE submitted_at LIKE '2026-11-03T09:30%'"
                        ).fetchone() == (2,)
    conn.close()


def test_a_removed_row_is_gone_and_the_deletion_guard_refuses_losing_most(standards, tmp_path, main):
    path, db = tmp_path / "phone.csv", tmp_path / "store.sqlite"
    path.write_text(CSV, encoding="utf-8")
    _ingest(path, standards, db)
    lines = CSV.splitlines()
    # two of its three responses deleted from the export: refused, nothing written
    path.write_text(lines[0] + "\n" + lines[2] + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["ingest", "--file", str(path), "--checklist", FORM_ID, "--store", str(db)])
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == (
        f"错误：文件 {path} 本次少了 2 条库中已有的检查记录（共 3 条，超过一半），"
        "它们将被标为已删除；本次未写入任何内容。"
        "请检查导出文件或表格是否完整（是否筛选、删除或截断了行）；如确实要删除，请加 --accept-deletions。")
    assert count_answers(db) == {"不满意": 1, "满意": 2}
    # one of three: flagged gone (kept in the store), no longer counted
    path.write_text("\n".join(lines[:3]) + "\n", encoding="utf-8")
    one_gone = _ingest(path, standards, db)
    assert (one_gone.unchanged, one_gone.gone) == (2, 1)
    assert count_answers(db) == {"不满意": 1, "满意": 1}
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT row_number, gone_at IS NOT NULL FROM phone_callbacks ORDER BY row_number"
                        ).fetchall() == [(2, 0), (3, 0), (4, 1)]
    conn.close()
    # the row back in the export: the same response, current again
    path.write_text(CSV, encoding="utf-8")
    back = _ingest(path, standards, db)
    assert (back.new, back.unchanged, back.gone) == (0, 3, 0)
    assert count_answers(db) == {"不满意": 1, "满意": 2}
    # deletions accepted on purpose
    path.write_text(lines[0] + "\n" + lines[2] + "\n", encoding="utf-8")
    accepted = _ingest(path, standards, db, accept_deletions=True)
    assert (accepted.unchanged, accepted.gone) == (1, 2)
    assert count_answers(db) == {"不满意": 1}


def test_a_bad_row_is_quarantined_as_data(standards, tmp_path):
    path, db = tmp_path / "phone.csv", tmp_path / "store.sqlite"
    path.write_text(CSV + "2026/11/04 08:00:00,梧桐苑,还行\n" + "2026/11/04 08:00:00,梧桐苑,满意\n"
                    + "2026/11/04 08:00:00,梧桐苑,满意\n" + "昨天,梧桐苑,满意\n", encoding="utf-8")
    source = _ingest(path, standards, db)
    assert (source.read, source.new, source.quarantined) == (8, 4, 4)
    assert source.reasons == {"unknown_project": 1, "not_an_option": 1, "duplicate": 1, "bad_time": 1}
    conn = sqlite3.connect(db)
    stored = conn.execute("""SELECT q.row_number, q.reason_code, d.message, d.fields, d.column_name
                             FROM quarantine q JOIN quarantine_reasons d ON d.quarantine_id = q.id
                             ORDER BY q.row_number""").fetchall()
    conn.close()
    assert stored == [
        (5, "unknown_project", "I301", '{"value": "无此项目"}', "项目"),
        (6, "not_an_option", "I308", '{"value": "“客户是否满意”的答案“还行”不是满意、一般、不满意之一"}',
         "客户是否满意"),
        (8, "duplicate", "I315", "{}", ""),
        (9, "bad_time", "I304", '{"value": "昨天"}', "时间戳记")]
    # the data-quality page shows the row, the column and the reason from the catalogue, never the cell
    quarantine, _ = quality_rows(db, "Asia/Shanghai")
    assert [(q.where, q.column, q.reason) for q in quarantine] == [
        ("5", "项目", "未知项目"), ("6", "客户是否满意", "答案不是选项"),
        ("8", "", "与本次读取的另一行完全相同（重复提交）"), ("9", "时间戳记", "提交时间无法识别")]


def test_a_header_without_its_columns_is_refused(standards, tmp_path, main):
    path, db = tmp_path / "phone.csv", tmp_path / "store.sqlite"
    path.write_text("时间戳记,项目\n2026/11/02 10:00:00,梧桐苑\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["ingest", "--file", str(path), "--checklist", FORM_ID,
                                                    "--store", str(db)])
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == (
        f"错误：文件 {path} 的表头缺少电话回访“phone-callback”的 1 个题目列：客户是否满意；本次未写入任何内容。"
        "请从表格重新导出完整的回复（不要删除列）后再导入。")
    assert not db.exists()
