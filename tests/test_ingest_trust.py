"""Ingest: damaged or odd input is refused or quarantined, never silently scored.

Every test runs the real `handbook ingest` (click's CliRunner on `generator.cli.main`) on a real
SQLite store, and checks the exit code, the exact message, what the store holds and the scores.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.instruments.patrol import simulate as sim
from generator.cli import main
from generator.store import read_inspections, read_quarantine
from generator.results.scoring import score_inspection
from generator.standards import require_standards
from generator.instruments import INSTRUMENTS

from conftest import ROOT, STANDARDS
from fakegoogle.base import write_service_account_key
from fakegoogle.sheets import FakeSheet, FakeSheets

EXAMPLE = ROOT / "forms" / "examples" / "daily-patrol.csv"
SPOT_CHECK = ROOT / "forms" / "examples" / "crd-spot-check.csv"
TABLES = ("sources", "headers", "raw_rows", "inspections", "versions", "sections", "quarantine", "unmapped_columns",
          "ingest_log", "survey_responses", "survey_answers")
OLD_OPTIONS = ["符合", "不符合 1 处", "不符合 2 处", "不符合 3 处及以上", "不适用"]


@pytest.fixture(scope="module")
def standards():
    return require_standards(STANDARDS, instruments=INSTRUMENTS)


def ingest(tmp_path, *args):
    """`handbook ingest …` with the real standards and no forms lock unless one is given."""
    if "--lock" not in args:
        args = (*args, "--lock", str(tmp_path / "no-lock.yaml"))
    return CliRunner().invoke(main, ["ingest", *args, "--standards", str(STANDARDS)])


def error_line(result) -> str:
    """The one line a refused run prints (and checks that it is one line, without a traceback)."""
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    return lines[0]


def dump(db: Path) -> dict:
    conn = sqlite3.connect(db)
    try:
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall() for t in TABLES}
    finally:
        conn.close()


def scores(standards, db: Path) -> tuple:
    """(inspections, earned, possible, inspections failing a 红线 item) of what the store scores."""
    scored = [score_inspection(standards, i) for i in read_inspections(db)]
    return (len(scored), sum(s.earned for s in scored), sum(s.possible for s in scored),
            sum(1 for s in scored if s.critical))


def read_rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


def write_rows(path: Path, rows: list[list[str]], tail: str = "") -> Path:
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(out.getvalue() + tail, encoding="utf-8")
    return path


def column(header: list[str], start: str) -> int:
    return next(i for i, h in enumerate(header) if h.startswith(start))


def critical_rows(rows: list[list[str]]) -> int:
    """Rows of the example failing a 红线 item (4.2.1.2-d, 4.2.2.1-x4), counted from the CSV by hand."""
    header = rows[0]
    red = [column(header, "4.2.1.2-d"), column(header, "4.2.2.1-x4")]
    return sum(1 for r in rows[1:] if any(r[i].startswith("不符合") for i in red))


# ---------------------------------------------------------------- case 1: an emptied source

def test_emptied_source_or_most_rows_gone_is_refused_until_accepted(standards, tmp_path):
    rows = read_rows(EXAMPLE)
    n = len(rows) - 1
    export = write_rows(tmp_path / "export" / "daily-patrol.csv", rows)    # the same file name every week
    db = tmp_path / "s.sqlite"
    first = ingest(tmp_path, "--file", str(export), "--checklist", "daily-patrol", "--store", str(db))
    assert first.exit_code == 0, first.output
    before, numbers = dump(db), scores(standards, db)
    assert numbers[0] == n == 1501 and numbers[3] == critical_rows(rows)

    # the export now holds the header only: refused, nothing written, every inspection still scored
    write_rows(export, rows[:1])
    result = ingest(tmp_path, "--file", str(export), "--checklist", "daily-patrol", "--store", str(db))
    assert result.exit_code == 1
    assert error_line(result) == (
        f"错误：来源为空：文件 {export} 只有表头、没有任何回复，而库中有 1501 条来自它的检查记录；本次未写入任何内容。"
        "请检查导出文件或表格是否完整；如确实要清空，请加 --accept-deletions。")
    assert dump(db) == before and scores(standards, db) == numbers

    # no rows at all (an empty file) is refused as an empty file, not as one with a header
    export.write_bytes(b"")
    result = ingest(tmp_path, "--file", str(export), "--checklist", "daily-patrol", "--store", str(db))
    assert result.exit_code == 1
    assert error_line(result) == (f"错误：文件是空的：{export} 没有表头也没有任何回复，不是回复表的导出。"
                                  "重新从回复表导出 CSV 或 XLSX 后再导入；数据库未作改动。")
    assert dump(db) == before
    # blank lines only: no header either, and the refusal says so
    export.write_bytes(b"\r\n\r\n")
    result = ingest(tmp_path, "--file", str(export), "--checklist", "daily-patrol", "--store", str(db))
    assert result.exit_code == 1
    assert error_line(result) == (
        f"错误：来源为空：文件 {export} 没有表头也没有任何回复，而库中有 1501 条来自它的检查记录；本次未写入任何内容。"
        "请检查导出文件或表格是否完整；如确实要清空，请加 --accept-deletions。")
    assert dump(db) == before

    # more than half of the rows gone at once: refused the same way
    write_rows(export, rows[:700])
    result = ingest(tmp_path, "--file", str(export), "--checklist", "daily-patrol", "--store", str(db))
    assert result.exit_code == 1
    assert error_line(result) == (
        f"错误：文件 {export} 本次少了 802 条库中已有的检查记录（共 1501 条，超过一半），它们将被标为已删除；"
        "本次未写入任何内容。请检查导出文件或表格是否完整（是否筛选、删除或截断了行）；如确实要删除，请加 "
        "--accept-deletions。")
    assert dump(db) == before and scores(standards, db) == numbers

    # a few rows deleted in the sheet: flagged gone as before, no confirmation needed
    write_rows(export, rows[:-10])
    result = ingest(tmp_path, "--file", str(export), "--checklist", "daily-patrol", "--store", str(db))
    assert result.exit_code == 0 and "来源中已删除 10" in result.output
    assert scores(standards, db)[0] == n - 10

    # confirmed: the emptied export flags every inspection gone (kept in the store, out of the scores)
    write_rows(export, rows[:1])
    result = ingest(tmp_path, "--file", str(export), "--checklist", "daily-patrol", "--store", str(db),
                    "--accept-deletions")
    assert result.exit_code == 0, result.output
    assert f"来源中已删除 {n - 10}" in result.output
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*), count(gone_at) FROM inspections").fetchone() == (n, n)
    conn.close()
    assert scores(standards, db) == (0, 0, 0, 0)


def test_emptied_questionnaire_sheet_is_refused_too(standards, tmp_path):
    from generator.instruments.questionnaire.survey import simulate_survey, write_survey_csv

    path = write_survey_csv(standards, simulate_survey(standards, dt.date(2026, 10, 1), dt.date(2026, 10, 31), 3),
                            tmp_path / "survey" / "customer-survey.csv")
    db = tmp_path / "s.sqlite"
    assert ingest(tmp_path, "--file", str(path), "--checklist", "customer-survey", "--store", str(db)).exit_code == 0
    before = dump(db)
    stored = len(before["survey_responses"])
    assert stored > 0
    write_rows(path, read_rows(path)[:1])
    result = ingest(tmp_path, "--file", str(path), "--checklist", "customer-survey", "--store", str(db))
    assert result.exit_code == 1
    assert error_line(result).startswith(f"错误：来源为空：文件 {path} 只有表头、没有任何回复，而库中有 {stored} 条")
    assert dump(db) == before


def test_accept_deletions_has_chinese_help():
    result = CliRunner().invoke(main, ["ingest", "--help"])
    assert result.exit_code == 0
    assert "--accept-deletions" in result.output and "确认删除" in result.output


# ---------------------------------------------------------------- case 2: an item column deleted

def lock_file(path: Path, versions: dict[str, tuple[str, list[str]]]) -> Path:
    """A forms lock recording daily-patrol form versions: name -> (pushed, item codes)."""
    import yaml

    entry = {"form_id": "form-daily-patrol", "sheets": [], "versions": {
        name: {"pushed": pushed, "options": OLD_OPTIONS,
               "questions": {f"q-{code}": {"item": code, "title": code} for code in codes}}
        for name, (pushed, codes) in versions.items()}}
    path.write_text(yaml.safe_dump({"checklists": {"daily-patrol": entry}}, allow_unicode=True), encoding="utf-8")
    return path


def test_export_without_an_item_column_is_refused(standards, tmp_path):
    rows = read_rows(EXAMPLE)
    # the example, re-made for the demo's lower 红线 rate, fails a 红线 item in one row only, under 4.2.2.1-x4
    # (4.2.1.2-d has none left): that is the column cut, so the refusal still keeps a 红线 failure
    red = column(rows[0], "4.2.2.1-x4")
    cut = write_rows(tmp_path / "cut" / "daily-patrol.csv", [r[:red] + r[red + 1:] for r in rows])
    db = tmp_path / "s.sqlite"

    # a fresh store: refused, and no store file is left behind
    result = ingest(tmp_path, "--file", str(cut), "--checklist", "daily-patrol", "--store", str(db))
    assert result.exit_code == 1
    assert error_line(result) == (
        f"错误：文件 {cut} 的表头缺少检查表“daily-patrol”的 1 个题目列：4.2.2.1-x4 不与客户争吵；本次未写入任何内容。"
        "请从表格重新导出完整的回复（不要删除列）后再导入。")
    assert not db.exists()

    # a store holding the full export: refused too, the 红线 failures stay
    full = write_rows(tmp_path / "cut-later" / "daily-patrol.csv", rows)
    assert ingest(tmp_path, "--file", str(full), "--checklist", "daily-patrol", "--store", str(db)).exit_code == 0
    before, numbers = dump(db), scores(standards, db)
    assert numbers[3] == critical_rows(rows) == 1     # counted by hand in the CSV: one row
    shutil.copyfile(cut, full)
    result = ingest(tmp_path, "--file", str(full), "--checklist", "daily-patrol", "--store", str(db))
    assert result.exit_code == 1 and "缺少检查表“daily-patrol”的 1 个题目列：4.2.2.1-x4 不与客户争吵" in result.output
    assert dump(db) == before and scores(standards, db) == numbers


def test_old_form_versions_in_the_lock_keep_working(standards, tmp_path):
    rows = read_rows(EXAMPLE)
    red = column(rows[0], "4.2.1.2-d")
    cut = write_rows(tmp_path / "daily-patrol.csv", [r[:red] + r[red + 1:] for r in rows])
    codes = [i.code for i in standards.checklist_items("daily-patrol")]
    older = [c for c in codes if c != "4.2.1.2-d"]

    # the form asked no 4.2.1.2-d when these responses were given: the export is complete
    lock = lock_file(tmp_path / "old.lock.yaml", {"2026.1": ("2026-01-01T00:00:00+08:00", older)})
    db = tmp_path / "old.sqlite"
    result = ingest(tmp_path, "--file", str(cut), "--checklist", "daily-patrol", "--store", str(db),
                    "--lock", str(lock))
    assert result.exit_code == 0, result.output
    assert "读取 1501 行：新增 1501，修改 0，未变 0，隔离 0；来源中已删除 0" in result.output
    assert {i.form_version for i in read_inspections(db)} == {"2026.1"}

    # the item was added on 2026-10-01: responses after that were asked it, so its column must be there
    lock = lock_file(tmp_path / "new.lock.yaml", {"2026.1": ("2026-01-01T00:00:00+08:00", older),
                                                  "2026.2": ("2026-10-01T00:00:00+08:00", codes)})
    db = tmp_path / "new.sqlite"
    result = ingest(tmp_path, "--file", str(cut), "--checklist", "daily-patrol", "--store", str(db),
                    "--lock", str(lock))
    assert result.exit_code == 1
    assert error_line(result) == (
        f"错误：文件 {cut} 的表头缺少检查表“daily-patrol”（表单版本 2026.2）的 1 个题目列：4.2.1.2-d 不随意吐痰；"
        "本次未写入任何内容。请从表格重新导出完整的回复（不要删除列）后再导入。")
    assert not db.exists()
    # with the full export both versions' rows are read, each against its own version
    result = ingest(tmp_path, "--file", str(EXAMPLE), "--checklist", "daily-patrol", "--store", str(db),
                    "--lock", str(lock))
    assert result.exit_code == 0, result.output
    versions = [i.form_version for i in read_inspections(db)]
    assert set(versions) == {"2026.1", "2026.2"} and len(versions) == 1501


# ---------------------------------------------------------------- case 3: the wrong checklist

def test_wrong_checklist_is_refused_with_the_one_that_matches(standards, tmp_path):
    db = tmp_path / "s.sqlite"
    result = ingest(tmp_path, "--file", str(EXAMPLE), "--checklist", "crd-spot-check", "--store", str(db))
    assert result.exit_code == 1
    assert error_line(result) == (
        f"错误：文件 {EXAMPLE} 的表头与检查表“crd-spot-check”不符（缺少 7 个题目列：4.2.3.1 熟悉内部管理制度、"
        "4.2.3.2 熟悉物业管理基本知识、4.2.3.3 熟悉服务流程、4.2.3.4 熟悉楼盘与周边配套、"
        "4.2.4.1-x1 投诉记录完整 等 7 列）；"
        "本次未写入任何内容。它与检查表“daily-patrol”一致：请改用 --checklist daily-patrol。")
    assert not db.exists()          # nothing stored, nothing quarantined

    # the other way round: the spot-check export's extra item columns are not the daily patrol's
    assert ingest(tmp_path, "--file", str(EXAMPLE), "--checklist", "daily-patrol", "--store", str(db)).exit_code == 0
    before, numbers = dump(db), scores(standards, db)
    result = ingest(tmp_path, "--file", str(SPOT_CHECK), "--checklist", "daily-patrol", "--store", str(db))
    assert result.exit_code == 1
    assert error_line(result) == (
        f"错误：文件 {SPOT_CHECK} 的表头与检查表“daily-patrol”不符（有 7 个题目列不属于此检查表：4.2.3.1 "
        "熟悉内部管理制度、"
        "4.2.3.2 熟悉物业管理基本知识、4.2.3.3 熟悉服务流程、4.2.3.4 熟悉楼盘与周边配套、"
        "4.2.4.1-x1 投诉记录完整 等 7 列）；"
        "本次未写入任何内容。它与检查表“crd-spot-check”一致：请改用 --checklist crd-spot-check。")
    assert dump(db) == before and scores(standards, db) == numbers and read_quarantine(db) == []


# ---------------------------------------------------------------- case 4: partial rows

def test_blank_answers_and_cut_lines_are_quarantined_not_scored(standards, tmp_path):
    header = read_rows(EXAMPLE)[0]
    codes = [i.code for i in standards.checklist_items("daily-patrol")]
    at = {code: column(header, code) for code in codes}

    def row(time: str, inspector: str, **answers: str) -> list[str]:
        cells = [f"2026-11-16 {time}", "梧桐苑", "客服主管", inspector, "2026-11-16"] + [""] * (len(header) - 5)
        for code in codes:
            cells[at[code]] = answers.get(code.replace(".", "_").replace("-", "_"), "符合")
        return cells

    good = row("上午09:00:00", "张伟")                                                   # 50 / 50
    mixed = row("上午10:00:00", "李娜", **{"4_2_1_1_a": "不符合 2 处", "4_2_2_1_x1": "不符合 3 处及以上",
                                          "4_2_1_2_f": "不适用"})                      # 5-2, 4-6→0, f out: 41 / 47
    blank = row("上午11:00:00", "王强", **{"4_2_1_2_c": ""})
    cut = ",".join(row("下午02:00:00", "陈静")[:6])        # the export cut off after the first item's answer
    path = write_rows(tmp_path / "partial.csv", [header, good, mixed, blank], tail=cut)
    db = tmp_path / "s.sqlite"
    result = ingest(tmp_path, "--file", str(path), "--checklist", "daily-patrol", "--store", str(db))
    assert result.exit_code == 0, result.output
    assert "读取 4 行：新增 2，修改 0，未变 0，隔离 2；来源中已删除 0" in result.output
    assert [(q.row_number, q.reason_code, q.reason) for q in read_quarantine(db)] == [
        (4, "unanswered", "未答：4.2.1.2-c"),
        (5, "unanswered", "未答：" + "、".join(codes[1:])),
    ]
    scored = {s.inspection.inspector: s for s in (score_inspection(standards, i) for i in read_inspections(db))}
    assert sorted(scored) == ["张伟", "李娜"]        # neither damaged row is scored (as 不适用 or otherwise)
    assert (scored["张伟"].earned, scored["张伟"].possible, scored["张伟"].grade) == (50, 50, "优秀")
    assert (scored["李娜"].earned, scored["李娜"].possible) == (41, 47)
    assert round(100 * 41 / 47, 2) == 87.23 and scored["李娜"].grade == "良好"


# ---------------------------------------------------------------- case 5: text is data

NOTES = ["- B座大堂地面有水", "@Lily 请跟进", "温度<25度", "已处理<br>复查", "+1 同意",
         '<script>alert("x")</script>', '=HYPERLINK("http://evil","x")']


def test_notes_and_names_are_stored_as_typed_and_scored(standards, tmp_path):
    rows = read_rows(EXAMPLE)[:len(NOTES) + 1]
    note = column(rows[0], "问题说明（4.2.1")
    inspector = rows[0].index("检查人")
    for r, text in zip(rows[1:], NOTES):
        r[note] = text
    rows[1][inspector] = "王\x0b丽"                  # a control character: kept in the store as written
    rows[2][inspector] = "@Lily"
    path = write_rows(tmp_path / "notes.csv", rows)
    db = tmp_path / "s.sqlite"
    result = ingest(tmp_path, "--file", str(path), "--checklist", "daily-patrol", "--store", str(db))
    assert result.exit_code == 0, result.output
    assert f"读取 {len(NOTES)} 行：新增 {len(NOTES)}，修改 0，未变 0，隔离 0；来源中已删除 0" in result.output
    assert read_quarantine(db, include_resolved=True) == []
    stored = read_inspections(db)
    assert sorted(i.notes["4.2.1"] for i in stored) == sorted(NOTES)
    assert {"王\x0b丽", "@Lily"} <= {i.inspector for i in stored}
    # each scored as its answers say: the same numbers as the rows without the notes
    plain = write_rows(tmp_path / "plain" / "notes.csv", rows[:1] + [r[:note] + [""] + r[note + 1:] for r in rows[1:]])
    db2 = tmp_path / "plain.sqlite"
    assert ingest(tmp_path, "--file", str(plain), "--checklist", "daily-patrol", "--store", str(db2)).exit_code == 0
    assert scores(standards, db) == scores(standards, db2) and scores(standards, db)[0] == len(NOTES)


# ---------------------------------------------------------------- case 6: malformed Sheets answers

KEY = "1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"


@pytest.fixture
def fake():
    server = FakeSheets().start()
    yield server
    server.stop()


@pytest.mark.parametrize("path, body, detail", [
    (r"/values/", {"range": "x", "majorDimension": "ROWS", "values": {"a": [1]}},
     "第 1 行起的数据格式无法识别（values 应为行的列表，实际为对象）"),
    (r"/values/", {"range": "x", "majorDimension": "ROWS", "values": "时间戳记"},
     "第 1 行起的数据格式无法识别（values 应为行的列表，实际为文本）"),
    (r"/values/", {"range": "x", "majorDimension": "ROWS", "values": ["时间戳记,项目", "a,b"]},
     "第 1 行起的数据格式无法识别（第 1 行应为单元格列表，实际为文本）"),
    (r"/values/", {"range": "x", "majorDimension": "ROWS", "values": [["时间戳记", "项目"], [46342.4, {"v": 1}]]},
     "第 1 行起的数据格式无法识别（第 2 行有一个单元格是对象）"),
    (r"/values/", [["时间戳记"]], "第 1 行起的数据格式无法识别（应为 JSON 对象，实际为列表）"),
    (r"/values/", {"range": "x", "majorDimension": "COLUMNS", "values": [["时间戳记"]]},
     "第 1 行起的数据格式无法识别（majorDimension 为 COLUMNS，应为 ROWS）"),
    (rf"/v4/spreadsheets/{KEY}$", {"spreadsheetId": KEY, "properties": {"title": "t", "timeZone": "Asia/Shanghai"},
                                   "sheets": "表单回复 1"}, None),
], ids=["values-object", "values-text", "rows-text", "cell-object", "body-list", "by-columns", "metadata"])
def test_malformed_sheets_answers_are_errors_and_nothing_is_committed(standards, tmp_path, fake, path, body,
                                                                      detail):
    responses = sim.simulate(standards, "daily-patrol", start=dt.date(2026, 11, 16), end=dt.date(2026, 11, 17),
                             projects=["wutong"])
    fake.add_spreadsheet(KEY, "巡查（回复）", [FakeSheet("表单回复 1", 0, sim.sheet_values(standards, "daily-patrol",
                                                                                        responses))])
    key_file = write_service_account_key(tmp_path / "sa.json", fake.url + "/token")
    db = tmp_path / "s.sqlite"
    args = ["--sheet", f"https://docs.google.com/spreadsheets/d/{KEY}/edit#gid=0", "--checklist", "daily-patrol",
            "--store", str(db), "--credentials", str(key_file), "--deadline", "2"]
    runner = CliRunner()
    env = {"HANDBOOK_SHEETS_ENDPOINT": fake.url}
    first = runner.invoke(main, ["ingest", *args, "--lock", str(tmp_path / "no.yaml"), "--standards",
                                 str(STANDARDS)], env=env)
    assert first.exit_code == 0, first.output
    before, numbers = dump(db), scores(standards, db)
    assert numbers[0] == len(responses) > 0

    fake.serve_next(path, body, times=3)
    result = runner.invoke(main, ["ingest", *args, "--lock", str(tmp_path / "no.yaml"), "--standards",
                                  str(STANDARDS)], env=env)
    assert result.exit_code == 1
    line = error_line(result)
    if detail is None:     # metadata: gspread fails reading it; the type named is gspread's
        assert line.startswith(f"错误：Google 表格 {KEY} 返回的表格信息格式无法识别（")
    else:
        assert line == (f"错误：Google 表格 {KEY} 返回的{detail}；本次未写入任何内容。"
                        "稍后重试；如仍出现，请检查该表格或网络代理。")
    assert line.endswith("本次未写入任何内容。稍后重试；如仍出现，请检查该表格或网络代理。")
    assert dump(db) == before and scores(standards, db) == numbers


# ---------------------------------------------------------------- case 8: odd files

def test_cell_over_the_csv_field_limit_quarantines_its_row_only(standards, tmp_path):
    rows = read_rows(EXAMPLE)[:6]
    rows[2][column(rows[0], "问题说明（4.2.1")] = "长" * 200_000      # the csv module's limit is 131,072
    path = write_rows(tmp_path / "huge.csv", rows)
    db = tmp_path / "s.sqlite"
    result = ingest(tmp_path, "--file", str(path), "--checklist", "daily-patrol", "--store", str(db))
    assert result.exit_code == 0, result.output
    assert "读取 5 行：新增 4，修改 0，未变 0，隔离 1；来源中已删除 0" in result.output
    assert [(q.row_number, q.reason_code, q.reason) for q in read_quarantine(db)] == [
        (3, "too_long", "单元格过长：200000 个字符（上限 5000）")]
    assert scores(standards, db)[0] == 4


def test_a_folder_or_a_missing_file_is_a_one_line_error(tmp_path):
    db = tmp_path / "s.sqlite"
    folder = tmp_path / "exports"
    folder.mkdir()
    result = ingest(tmp_path, "--file", str(folder), "--checklist", "daily-patrol", "--store", str(db))
    assert result.exit_code == 1
    assert error_line(result) == f"错误：{folder} 是文件夹，不是文件。--file 需要一个 CSV 或 XLSX 导出文件。"
    result = ingest(tmp_path, "--file", str(folder / "nope.csv"), "--checklist", "daily-patrol", "--store", str(db))
    assert result.exit_code == 1
    assert error_line(result) == (f"错误：找不到文件 {folder / 'nope.csv'}。"
                                  "检查路径；--file 需要一个 CSV 或 XLSX 导出文件。")
    assert not db.exists()


def test_an_empty_file_is_refused_as_a_new_source_with_one_line(tmp_path):
    db = tmp_path / "s.sqlite"
    for name, data in (("empty.csv", b""), ("bom.csv", b"\xef\xbb\xbf"), ("empty.xlsx", b"")):
        path = tmp_path / name
        path.write_bytes(data)
        result = ingest(tmp_path, "--file", str(path), "--checklist", "daily-patrol", "--store", str(db))
        assert result.exit_code == 1, name
        assert error_line(result) == (f"错误：文件是空的：{path} 没有表头也没有任何回复，不是回复表的导出。"
                                      "重新从回复表导出 CSV 或 XLSX 后再导入；数据库未作改动。"), name
    assert not db.exists() or not sqlite3.connect(db).execute("SELECT count(*) FROM sources").fetchone()[0]


# ---------------------------------------------------------------- case 14: a role not on this checklist

def test_role_not_on_the_checklist_is_named_in_the_quarantine(standards, tmp_path):
    rows = read_rows(EXAMPLE)[:5]
    role = rows[0].index("角色")
    rows[2][role] = "客户关系部"       # a role that exists but fills the spot-check form, not this one
    rows[3][role] = "保安"             # no such role
    path = write_rows(tmp_path / "roles.csv", rows)
    db = tmp_path / "s.sqlite"
    result = ingest(tmp_path, "--file", str(path), "--checklist", "daily-patrol", "--store", str(db))
    assert result.exit_code == 0, result.output
    assert "隔离原因：角色不使用此检查表 1，未知角色 1" in result.output
    assert "第 3 行：角色“客户关系部”不使用此检查表" in result.output
    assert [(q.row_number, q.reason_code, q.reason) for q in read_quarantine(db)] == [
        (3, "role_not_on_checklist", "角色“客户关系部”不使用此检查表"), (4, "unknown_role", "未知角色“保安”")]
    assert scores(standards, db)[0] == 2


def test_checklist_export_given_as_the_questionnaire_is_refused(standards, tmp_path):
    db = tmp_path / "s.sqlite"
    result = ingest(tmp_path, "--file", str(EXAMPLE), "--checklist", "customer-survey", "--store", str(db))
    assert result.exit_code == 1
    assert error_line(result) == (
        f"错误：文件 {EXAMPLE} 的表头与表单“customer-survey”不符（它的 13 个题目列是检查表条目）；本次未写入任何内容。"
        "它与检查表“daily-patrol”一致：请改用 --checklist daily-patrol。")
    assert not db.exists()      # today: 1,501 rows quarantined as 缺少必填答案
