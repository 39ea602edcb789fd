"""Exports shaped by what people do to forms and workbooks.

A question deleted and added back on the form leaves its sheet with two columns of the same title, the
older answered by the earlier rows, the newer by the later ones: each row's answer is taken from the
column that has it, and the run says so (was: every row answered in the newer column quarantined as 未答).
A workbook whose first worksheet is a summary: the refusal names the worksheet it read and the others,
and `--worksheet` chooses one.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

from click.testing import CliRunner

from generator.cli import main
from generator.store import read_inspections

from conftest import ROOT, STANDARDS

PATROL = ROOT / "forms/examples/daily-patrol.csv"        # 1,501 responses
SPOT = ROOT / "forms/examples/crd-spot-check.csv"        # 20 responses
ITEM = "4.2.1.1-a 办公区物品与桌面整洁"


def cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args] + ["--standards", str(STANDARDS)])


def rows_of(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def write(path: Path, rows: list[list]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    return path


def findings(store: Path) -> dict[tuple, dict]:
    return {(i.submitted_at, i.project, i.inspector): dict(i.findings) for i in read_inspections(store)}


def twin_export(tmp_path: Path) -> tuple[Path, int, int]:
    """The example patrols with ITEM deleted and added back half way: its answers of the later rows in a
    new last column of the same title, the old column blank there."""
    rows = rows_of(PATROL)
    column = rows[0].index(next(c for c in rows[0] if c.startswith(ITEM)))
    assert rows[0][column] == ITEM
    half = len(rows) // 2
    out = [rows[0] + [ITEM]]
    for n, row in enumerate(rows[1:], start=1):
        row = row + [""]
        if n >= half:
            row[-1], row[column] = row[column], ""
        out.append(row)
    return write(tmp_path / "daily-patrol.csv", out), column, len(rows[0])


def test_a_question_deleted_and_added_back_takes_each_rows_answer_from_its_column(tmp_path):
    plain = tmp_path / "plain.sqlite"
    assert cli("ingest", "--file", PATROL, "--checklist", "daily-patrol", "--store", plain).exit_code == 0
    source, column, width = twin_export(tmp_path)
    store = tmp_path / "twin.sqlite"
    result = cli("ingest", "--file", source, "--checklist", "daily-patrol", "--store", store)
    assert result.exit_code == 0, result.output
    assert "读取 1501 行：新增 1501，修改 0，未变 0，隔离 0；来源中已删除 0" in result.output
    assert (f"  注意：列“{ITEM}”出现 2 次（第 {column + 1}、{width + 1} 列，表单上删除后又加回的题目）："
            "每行取有答案的那一列\n") in result.output
    assert "未对应任何题目的列" not in result.output
    assert findings(store) == findings(plain)        # every row scored as from the one-column export
    # the cells stay in the store as read: both columns
    conn = sqlite3.connect(store)
    header = conn.execute("SELECT cells FROM headers").fetchone()[0]
    conn.close()
    assert header.count(ITEM) == 2


def test_two_columns_of_one_question_answered_differently_quarantine_the_row(tmp_path):
    source, column, width = twin_export(tmp_path)
    rows = rows_of(source)
    row = rows[1]
    other = "不符合 1 处" if row[column] == "符合" else "符合"
    row[-1] = other                                   # the first row now answers both, differently
    store = tmp_path / "s.sqlite"
    result = cli("ingest", "--file", write(source, rows), "--checklist", "daily-patrol", "--store", store)
    assert result.exit_code == 0, result.output
    assert "隔离 1" in result.output
    assert f"    第 2 行：“{ITEM}”的 2 列答案不同\n" in result.output
    assert len(read_inspections(store)) == 1500


def test_a_note_deleted_and_added_back_keeps_both_texts_and_quarantines_nothing(tmp_path):
    rows = rows_of(PATROL)
    note = next(i for i, c in enumerate(rows[0]) if c.startswith("问题说明（4.2.1"))
    rows[0].append(rows[0][note])
    for row in rows[1:]:
        row.append("")
    rows[-1][note], rows[-1][-1] = "门口有水", "已拖干"          # the same row wrote in both (edited by hand)
    rows[-2][note], rows[-2][-1] = "", "前台无人"                 # a later row: the new column only
    store = tmp_path / "s.sqlite"
    result = cli("ingest", "--file", write(tmp_path / "p.csv", rows), "--checklist", "daily-patrol", "--store", store)
    assert result.exit_code == 0 and "隔离 0" in result.output, result.output
    by_time = sorted(read_inspections(store), key=lambda i: i.submitted_at)
    texts = {i.notes.get("4.2.1") for i in by_time}
    assert {"门口有水", "前台无人"} <= texts
    conn = sqlite3.connect(store)
    extras = [e for (e,) in conn.execute("SELECT extra FROM versions") if "已拖干" in e]
    conn.close()
    assert [json.loads(e) for e in extras] == [{"问题说明(4.2.1 服务场景)": "已拖干"}]   # kept beside the first text


def summary_first_workbook(tmp_path: Path) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    summary = book.active
    summary.title = "汇总"
    summary.append(["项目", "抽查次数"])
    summary.append(["梧桐苑", 3])
    responses = book.create_sheet("回复")
    for row in rows_of(SPOT):
        responses.append(row)
    book.create_sheet("说明")
    path = tmp_path / "抽查.xlsx"
    book.save(path)
    return path


def one_line(result) -> str:
    lines = result.output.strip().splitlines()
    assert result.exit_code == 1 and len(lines) == 1 and "Traceback" not in result.output, result.output
    return lines[0]


def test_a_workbook_whose_first_sheet_is_a_summary_names_the_sheet_read_and_how_to_choose(tmp_path):
    book = summary_first_workbook(tmp_path)
    store = tmp_path / "s.sqlite"
    line = one_line(cli("ingest", "--file", book, "--checklist", "crd-spot-check", "--store", store))
    assert line.startswith(f"错误：文件 {book} 的工作表“汇总”"
                           "（另有工作表“回复”、“说明”，可用 --worksheet 工作表名 选择）"
                           " 的表头缺少检查表“crd-spot-check”的 51 个题目列：")
    assert line.endswith("；本次未写入任何内容。请从表格重新导出完整的回复（不要删除列）后再导入。")
    assert not store.exists()
    result = cli("ingest", "--file", book, "--worksheet", "回复", "--checklist", "crd-spot-check", "--store", store)
    assert result.exit_code == 0, result.output
    assert "读取 20 行：新增 20" in result.output and len(read_inspections(store)) == 20
    # the same file read again from the chosen worksheet is the same source: nothing new
    again = cli("ingest", "--file", book, "--worksheet", "回复", "--checklist", "crd-spot-check", "--store", store)
    assert "读取 20 行：新增 0，修改 0，未变 20" in again.output


def test_worksheet_option_mistakes_are_one_line(tmp_path):
    book = summary_first_workbook(tmp_path)
    store = tmp_path / "s.sqlite"
    assert one_line(cli("ingest", "--file", book, "--worksheet", "回复表", "--checklist", "crd-spot-check",
                        "--store", store)) == \
        f"错误：{book} 中没有名为“回复表”的工作表。工作簿中的工作表：“汇总”、“回复”、“说明”。"
    assert one_line(cli("ingest", "--file", SPOT, "--worksheet", "回复", "--checklist", "crd-spot-check",
                        "--store", store)) == \
        f"错误：--worksheet 只用于 XLSX 工作簿，{SPOT} 不是。导入 CSV 文件时去掉 --worksheet。"
    assert not store.exists()


SURVEY = ROOT / "forms/examples/customer-survey.csv"


def survey_answers(store: Path) -> dict[tuple, list]:
    conn = sqlite3.connect(store)
    try:
        rows = conn.execute("""SELECT r.submitted_at, r.project, a.question, a.value FROM survey_responses r
                               JOIN survey_answers a ON a.response_id = r.id""").fetchall()
    finally:
        conn.close()
    out: dict[tuple, list] = {}
    for at, project, question, value in rows:
        out.setdefault((at, project), []).append((question, value))
    return {k: sorted(v) for k, v in out.items()}


def test_a_questionnaire_rating_deleted_and_added_back_is_read_from_either_column(tmp_path):
    plain = tmp_path / "plain.sqlite"
    assert cli("ingest", "--file", SURVEY, "--checklist", "customer-survey", "--store", plain).exit_code == 0
    rows = rows_of(SURVEY)
    column = rows[0].index("总体满意度")
    rows[0].append("总体满意度")
    half = len(rows) // 2
    for n, row in enumerate(rows[1:], start=1):
        row.append("")
        if n >= half:
            row[-1], row[column] = row[column], ""
    store = tmp_path / "twin.sqlite"
    result = cli("ingest", "--file", write(tmp_path / "survey.csv", rows), "--checklist", "customer-survey",
                 "--store", store)
    assert result.exit_code == 0, result.output
    assert f"读取 {len(rows) - 1} 行：新增 {len(rows) - 1}，修改 0，未变 0，隔离 0" in result.output
    assert (f"  注意：列“总体满意度”出现 2 次（第 {column + 1}、{len(rows[0])} 列，表单上删除后又加回的题目）："
            "每行取有答案的那一列\n") in result.output
    assert survey_answers(store) == survey_answers(plain)
