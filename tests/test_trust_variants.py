"""Variants of the ingest and scoring cases, found by trying them as a hostile tester would.

Each test runs the real CLI (click's CliRunner on `generator.cli.main`) on a real SQLite store and
checks the exit code, the exact message, what the store holds and the numbers, counted by hand.
"""

from __future__ import annotations

import json

import pytest

from generator.store import read_inspections, read_quarantine

from test_ingest_trust import EXAMPLE, error_line, ingest, read_rows, scores, standards  # noqa: F401 (fixture)


def crlf_bytes(rows: list[list[str]]) -> bytes:
    """Rows as a Sheets CSV download has them: CRLF line ends, no quoting needed for these cells."""
    return "\r\n".join(",".join(r) for r in rows).encode("utf-8")


# ---------------------------------------------------------------- case 4: a file cut inside a character

def test_a_file_cut_inside_a_character_quarantines_its_last_line(standards, tmp_path):
    rows = read_rows(EXAMPLE)[:12]                   # header and 11 responses
    assert rows[11][5] == "符合"
    last = ",".join(rows[11][:5]).encode("utf-8") + b"," + "符合".encode("utf-8")[:4]   # cut inside 合
    path = tmp_path / "cut.csv"
    path.write_bytes(crlf_bytes(rows[:11]) + b"\r\n" + last)
    db = tmp_path / "s.sqlite"
    result = ingest(tmp_path, "--file", str(path), "--checklist", "daily-patrol", "--store", str(db))
    assert result.exit_code == 0, result.output      # before: 不是 UTF-8 或 GB18030 文本, exit 1
    assert "读取 11 行：新增 10，修改 0，未变 0，隔离 1；来源中已删除 0" in result.output
    assert [(q.row_number, q.reason_code, q.reason) for q in read_quarantine(db)] == [
        (12, "not_an_option", "条目 4.2.1.1-a 的答案“符”不是选项")]
    assert scores(standards, db)[0] == 10


def test_a_utf16_file_cut_short_or_broken_never_gives_a_traceback(standards, tmp_path):
    rows = read_rows(EXAMPLE)[:12]
    data = "\r\n".join(",".join(r) for r in rows).encode("utf-16")     # Excel's "Unicode text", with a BOM
    cut = tmp_path / "cut.csv"
    cut.write_bytes(data[:len(data) - 41])     # an odd number of bytes: cut inside row 12's cells
    db = tmp_path / "s.sqlite"
    result = ingest(tmp_path, "--file", str(cut), "--checklist", "daily-patrol", "--store", str(db))
    assert result.exit_code == 0, result.output      # before: UnicodeDecodeError traceback
    assert "读取 11 行：新增 10，修改 0，未变 0，隔离 1；来源中已删除 0" in result.output
    assert [(q.row_number, q.reason_code) for q in read_quarantine(db)] == [(12, "unanswered")]
    assert len(read_inspections(db)) == 10

    broken = tmp_path / "broken.csv"
    broken.write_bytes(data[:100] + b"\x00\xdc" + data[100:])     # a lone low surrogate inside the header
    db2 = tmp_path / "s2.sqlite"
    result = ingest(tmp_path, "--file", str(broken), "--checklist", "daily-patrol", "--store", str(db2))
    assert result.exit_code == 1
    assert error_line(result) == f"错误：{broken} 不是 UTF-8 或 GB18030 文本。从表格重新导出为 CSV（UTF-8）。"
    assert not db2.exists()


# ---------------------------------------------------------------- case 8: odd files

def test_a_pipe_or_a_device_as_file_is_named_for_what_it_is(tmp_path):
    import os

    fifo = tmp_path / "responses.csv"
    os.mkfifo(fifo)                 # never opened: reading a pipe nobody writes to would hang
    db = tmp_path / "s.sqlite"
    for path in (fifo, "/dev/null"):
        result = ingest(tmp_path, "--file", str(path), "--checklist", "daily-patrol", "--store", str(db))
        assert result.exit_code == 1
        # before: 找不到文件 …, though the file is there
        assert error_line(result) == (f"错误：{path} 不是普通文件（是管道、设备等特殊文件）。"
                                      "--file 需要一个 CSV 或 XLSX 导出文件。")
    assert not db.exists()


# ---------------------------------------------------------------- cases 5 and 6: a broken character from the API

def test_a_lone_surrogate_in_a_sheets_answer_is_replaced_not_a_traceback(standards, tmp_path):
    import datetime as dt
    import json

    from click.testing import CliRunner

    from generator.cli import main
    from generator.instruments.patrol import simulate as sim

    from conftest import STANDARDS
    from fakegoogle.base import write_service_account_key
    from fakegoogle.sheets import FakeSheet, FakeSheets

    key = "1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"
    fake = FakeSheets().start()
    try:
        def ascii_json(handler):   # Google escapes non-ASCII as \uXXXX: a lone surrogate arrives as "\ud83d"
            def answer(request, match):
                response = handler(request, match)
                response.body = json.dumps(response.body, ensure_ascii=True).encode()
                return response
            return answer

        fake.routes = [(method, pattern, ascii_json(handler)) for method, pattern, handler in fake.routes]
        responses = sim.simulate(standards, "daily-patrol", start=dt.date(2026, 11, 16), end=dt.date(2026, 11, 17),
                                 projects=["wutong"])
        values = sim.sheet_values(standards, "daily-patrol", responses)
        fake.add_spreadsheet(key, "巡查（回复）", [FakeSheet("表单回复 1", 0, values)])
        db = tmp_path / "s.sqlite"
        args = ["ingest", "--sheet", key, "--checklist", "daily-patrol", "--store", str(db), "--credentials",
                str(write_service_account_key(tmp_path / "sa.json", fake.url + "/token")), "--deadline", "2",
                "--lock", str(tmp_path / "no.yaml"), "--standards", str(STANDARDS)]
        env = {"HANDBOOK_SHEETS_ENDPOINT": fake.url}
        assert CliRunner().invoke(main, args, env=env).exit_code == 0
        numbers = scores(standards, db)
        assert numbers[0] == len(responses) == len(values) - 1

        note = values[0].index("问题说明（4.2.1 服务场景）")
        row = values[-1] + [""] * (len(values[0]) - len(values[-1]))
        row[note] = "门口有水\ud83d"            # an emoji cut in two: its high surrogate alone
        fake.sheet(key).values = values[:-1] + [row]
        result = CliRunner().invoke(main, args, env=env)
        assert result.exit_code == 0, result.output      # before: UnicodeEncodeError traceback
        assert f"读取 {len(responses)} 行：新增 0，修改 1，未变 {len(responses) - 1}，隔离 0" in result.output
        assert "门口有水\ufffd" in {i.notes.get("4.2.1") for i in read_inspections(db)}   # U+FFFD in its place
        assert scores(standards, db) == numbers
    finally:
        fake.stop()


# ---------------------------------------------------------------- case 16: contacts as people type them

CONTACTS = {   # a note as typed -> as published on every page, CSV download and the search index
    "电话：138.0013.8000": "电话：138****8000",
    "电话 138 - 0013 - 8000 已回访": "电话 138****8000 已回访",
    "手机１３８００１３８０００": "手机138****8000",
    "座机 (0)139-1234-5678": "座机 (0)139****5678",
    "＋８６　１３７　００００　１１１１": "137****1111",
    "李四＠qq.com 全角": "李***@*** 全角",
    "邮件 zhang.san@mail.corp.example.com.cn": "邮件 z***@***",
    "写信 wang@qq。com": "写信 w***@***",
    "张三@例子.中国": "张***@***",
    "@Lily 请跟进。谢谢": "@Lily 请跟进。谢谢",
}
CONTACT_TEXTS = ["138.0013.8000", "138 - 0013 - 8000", "１３８００１３８０００", "139-1234-5678", "１３７", "qq.com",
                 "qq。com", "zhang.san", "corp.example", "例子.中国"]


@pytest.mark.slow
def test_contacts_written_the_way_people_type_them_are_masked_everywhere(tmp_path):
    from site_helpers import search_index_file
    from test_published_text import build, cli, example_rows, readable, write_csv, NOTE_COLUMNS, S

    header, rows = example_rows()
    rows = [list(r) for r in rows]
    typed = list(CONTACTS)
    for row, note in zip(rows[-len(typed):], typed):
        row[NOTE_COLUMNS[0]] = note
    store = tmp_path / "s.sqlite"
    result = cli("ingest", "--file", write_csv(tmp_path / "patrol.csv", header, rows), "--checklist", "daily-patrol",
                 "--store", store)
    assert result.exit_code == 0 and "隔离 0" in result.output, result.output
    public = build(store, tmp_path / "site")

    files = [p for p in public.rglob("*") if p.is_file()]
    assert search_index_file(public) in files
    for path in files:      # before: the dotted, spaced, full-width and ＠ forms were published as typed
        text = readable(path)
        for secret in CONTACT_TEXTS:
            assert secret not in text, (path, secret)
    ids = {p.name: p.id for p in S.organisation.projects}
    for row, note in zip(rows[-len(typed):], typed):
        download = (public / f"results/csv/{ids[row[1]]}-inspections.csv").read_text(encoding="utf-8-sig")
        assert f"4.2.1：{CONTACTS[note]}" in download, note
    index = readable(search_index_file(public))
    assert "138****8000" not in index                    # the notes (rows) never reach the search index
    # the results pages' titles and headings are indexed, never their rows: results entries carry no text
    docs = json.loads(search_index_file(public).read_text(encoding="utf-8"))["docs"]
    results = [d for d in docs if d["location"].startswith("results/")]
    assert results and [d["location"] for d in results if d["text"].strip()] == []


# ---------------------------------------------------------------- case 2: a column other than an item deleted

def without(rows: list[list[str]], title: str) -> list[list[str]]:
    i = rows[0].index(title)
    return [r[:i] + r[i + 1:] for r in rows]


MISSING = ("错误：文件 {path} 的表头缺少检查表“daily-patrol”的 {n} 个题目列：{columns}；本次未写入任何内容。"
           "请从表格重新导出完整的回复（不要删除列）后再导入。")


def test_an_export_without_a_date_correction_or_timestamp_column_is_refused(standards, tmp_path):
    from test_ingest_trust import dump, write_rows

    rows = read_rows(EXAMPLE)
    export = write_rows(tmp_path / "export" / "daily-patrol.csv", rows)
    db = tmp_path / "s.sqlite"
    assert ingest(tmp_path, "--file", str(export), "--checklist", "daily-patrol", "--store", str(db)).exit_code == 0
    before, numbers = dump(db), scores(standards, db)
    corrected = rows[0].index("已当场纠正的条目（4.2.1 服务场景）")
    # on-site corrections, counted in the CSV: 297 responses tick 480 findings of 4.2.1
    assert sum(1 for r in rows[1:] if r[corrected]) == 297
    assert sum(len(r[corrected].split(", ")) for r in rows[1:] if r[corrected]) == 480

    # before: 已当场纠正 gone -> 480 corrections lost, those actions stay open and fall overdue;
    # 检查日期 gone -> every patrol counted on its day of submission; 时间戳记 gone -> 1,501 rows quarantined
    for title in ("已当场纠正的条目（4.2.1 服务场景）", "检查日期", "时间戳记"):
        write_rows(export, without(rows, title))
        result = ingest(tmp_path, "--file", str(export), "--checklist", "daily-patrol", "--store", str(db))
        assert result.exit_code == 1, (title, result.output)
        assert error_line(result) == MISSING.format(path=export, n=1, columns=title)
        assert dump(db) == before and scores(standards, db) == numbers


def test_a_file_that_is_no_export_at_all_is_refused_not_quarantined(tmp_path):
    path = tmp_path / "contacts.csv"
    path.write_text("姓名,部门\n张三,工程部\n李四,客服部\n", encoding="utf-8")
    db = tmp_path / "s.sqlite"
    result = ingest(tmp_path, "--file", str(path), "--checklist", "daily-patrol", "--store", str(db))
    assert result.exit_code == 1              # before: exit 0, both rows quarantined as 缺少必填答案：时间戳记
    # 13 items, the timestamp, 4 fields, 问题说明 and 已当场纠正 of 2 sections
    assert error_line(result) == MISSING.format(path=path, n=22, columns=(
        "4.2.1.1-a 办公区物品与桌面整洁、4.2.1.1-b 下班前清理桌面、归位座椅、4.2.1.1-c 纸篓、雨伞、外套按规定放置、"
        "4.2.1.2-a 地面干净、4.2.1.2-b 桌椅、屏风、设备无尘 等 22 列"))
    assert not db.exists()


# ---------------------------------------------------------------- cases 2 and 4 for the customer questionnaire

def test_questionnaire_blank_rating_cut_line_or_deleted_column_never_shifts_the_means(standards, tmp_path):
    import datetime as dt

    from generator.instruments.questionnaire.survey import read_survey, simulate_survey, write_survey_csv
    from test_ingest_trust import dump, write_rows

    path = write_survey_csv(standards, simulate_survey(standards, dt.date(2026, 10, 1), dt.date(2026, 10, 31), 3),
                            tmp_path / "survey.csv")
    rows = read_rows(path)
    header, n = rows[0], len(rows) - 1
    assert header[2:8] == ["填写日期", "客服人员的服务态度", "客服人员的礼仪和沟通方式", "对您的诉求响应及时",
                           "您反映的问题得到解决", "总体满意度"] and n == 64
    rows[1][4] = ""                                          # row 2: manner left blank
    cut = ",".join(rows[-1][:4])                             # row 65: the line cut after the first rating
    damaged = write_rows(tmp_path / "damaged" / "survey.csv", rows[:-1], tail=cut)
    db = tmp_path / "s.sqlite"
    result = ingest(tmp_path, "--file", str(damaged), "--checklist", "customer-survey", "--store", str(db))
    assert result.exit_code == 0, result.output
    # before: 读取 64 行：新增 64 …, row 2 averaged over 4 ratings and row 65 counted as a response of 1 rating
    assert f"读取 {n} 行：新增 {n - 2}，修改 0，未变 0，隔离 2；来源中已删除 0" in result.output
    assert [(q.row_number, q.reason_code, q.reason) for q in read_quarantine(db)] == [
        (2, "unanswered", "未答：manner"), (65, "unanswered", "未答：manner、speed、solved、overall")]
    stored = read_survey(db)
    assert len(stored) == n - 2 and all(len(r.answers) == 5 for r in stored)

    # the speed column deleted from the export: refused, the store as it was
    before = dump(db)
    write_rows(damaged, [r[:5] + r[6:] for r in rows])
    result = ingest(tmp_path, "--file", str(damaged), "--checklist", "customer-survey", "--store", str(db))
    assert result.exit_code == 1     # before: exit 0, every response kept without its speed rating
    assert error_line(result) == (
        f"错误：文件 {damaged} 的表头缺少问卷“customer-survey”的 1 个题目列：对您的诉求响应及时；本次未写入任何内容。"
        "请从表格重新导出完整的回复（不要删除列）后再导入。")
    assert dump(db) == before


# ---------------------------------------------------------------- cases 2 and 4 for the quarterly exam

def test_exam_blank_answer_cut_line_or_deleted_column_never_fails_anyone(tmp_path):
    from generator.instruments.exam.responses import read_exam_responses
    from test_ingest_trust import dump, write_rows

    from conftest import ROOT

    rows = read_rows(ROOT / "tests/data/exam/quiz-zh-CN.csv")     # 4 responses graded 31, 25, 12 and 19 of 31
    assert rows[0][4] == "2. 接听电话时可以先让电话响五声以上，把手头工作做完再接。" and rows[1][4] == "错误"
    rows[1][4] = ""                                   # row 2 (31 of 31): etiquette-2 blank
    cut = ",".join(rows[4][:6])                       # row 5: cut after the third question
    path = write_rows(tmp_path / "quiz" / "exam.csv", rows[:4], tail=cut)
    db = tmp_path / "s.sqlite"
    result = ingest(tmp_path, "--file", str(path), "--checklist", "exam-2026Q4", "--store", str(db))
    assert result.exit_code == 0, result.output
    # before: all 4 stored, row 2 graded 30 (not 31) and row 5 graded 3 of 31 (failed)
    assert "读取 4 行：新增 2，修改 0，未变 0，隔离 2；来源中已删除 0" in result.output
    quarantined = [(q.row_number, q.reason_code, q.reason) for q in read_quarantine(db)]
    assert quarantined[0] == (2, "unanswered", "未答：etiquette-2")
    assert quarantined[1][:2] == (5, "unanswered") and quarantined[1][2].startswith("未答：etiquette-4、")
    assert [(r.earned, r.passed) for r in read_exam_responses(db)] == [(25, True), (12, False)]

    # the second question's column deleted from the export: refused, the store as it was
    before = dump(db)
    write_rows(path, [r[:4] + r[5:] for r in read_rows(ROOT / "tests/data/exam/quiz-zh-CN.csv")])
    result = ingest(tmp_path, "--file", str(path), "--checklist", "exam-2026Q4", "--store", str(db))
    assert result.exit_code == 1     # before: exit 0, everyone lost the question's point
    assert error_line(result) == (
        f"错误：文件 {path} 的表头缺少考试“exam-2026Q4”的 1 个题目列：“接听电话时可以先让电话响五声以上，"
        "把手头工作做完再接。”；"
        "本次未写入任何内容。请从表格重新导出完整的回复（不要删除列）后再导入。")
    assert dump(db) == before and [r.earned for r in read_exam_responses(db)] == [25, 12]
