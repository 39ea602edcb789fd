"""The quarterly exam: quiz body, grading by hand, CSV and Sheets ingest, key mismatches, results, CLI."""

from __future__ import annotations

import copy
import datetime as dt
import json
import sqlite3

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.forms.validate import validate_spec
from generator.ingest import run_ingest
from generator import store as store_mod
from generator.ingest.run import file_source
from generator.ingest.table import SourceRef
from generator.instruments.exam import quiz as ex
from generator.instruments.exam.responses import read_exam_responses
from generator.instruments.exam.results_page import build_exam_results, exam_summary
from generator.instruments.exam.simulate import exam_sheet_values, simulate_exam
from generator.standards import load_standards, require_standards
from generator.instruments import INSTRUMENTS
from generator.instruments.exam import QuarterlyExam

from conftest import ROOT, edited
from fakegoogle.base import write_service_account_key
from fakegoogle.sheets import FakeSheet, FakeSheets
from legacy_store import legacy_store

DATA = ROOT / "tests" / "data" / "exam"
QUARTER = "2026Q4"
FORM = "exam-2026Q4"


@pytest.fixture(scope="module")
def standards():
    return require_standards(ROOT / "standards", instruments=INSTRUMENTS)


@pytest.fixture(scope="module")
def exam(standards):
    return standards.methods_file.exam


def with_texts(texts):
    result = load_standards(texts=texts, instruments=INSTRUMENTS)
    assert result.standards is not None, [str(d) for d in result.errors]
    return result.standards


def questions_of(spec):
    return [i for i in spec.items if "questionItem" in i]


# ---------------------------------------------------------------- the quiz body

def test_quiz_body_validates_and_is_deterministic(standards, exam):
    spec = ex.build_quiz(standards, QUARTER)
    assert validate_spec(spec) == []
    assert ex.validate_quiz(spec) == []
    assert spec.to_json() == ex.build_quiz(standards, "2026q4").to_json()
    assert spec.settings["quizSettings"] == {"isQuiz": True}
    assert spec.settings["emailCollectionType"] == "DO_NOT_COLLECT"
    # the committed definition is the generated one (run `handbook exam build --quarter 2026Q4` after edits)
    assert (ROOT / "forms" / f"{FORM}.json").read_text(encoding="utf-8") == spec.to_json()

    items = questions_of(spec)
    assert items[0]["title"] == "项目"
    assert items[0]["questionItem"]["question"]["choiceQuestion"]["type"] == "DROP_DOWN"
    assert [o["value"] for o in items[0]["questionItem"]["question"]["choiceQuestion"]["options"]] == \
        [p.name for p in standards.organisation.projects]
    assert not any(i["title"] == "姓名" for i in items)          # publish_names: false
    asked = [i["questionItem"]["question"] for i in items]
    graded = {spec.questions[q["questionId"]]["exam_question"]: q for q in asked if "grading" in q}
    assert set(graded) == {q.id for q in exam.questions}
    kinds = {q.id: q.kind for q in exam.questions}
    for qid, question in graded.items():
        choice = question["choiceQuestion"]
        assert choice["type"] == {"single": "RADIO", "multiple": "CHECKBOX", "truefalse": "RADIO"}[kinds[qid]]
        assert question["grading"]["whenRight"]["text"] and question["grading"]["whenWrong"]["text"]
    assert [o["value"] for o in graded["etiquette-2"]["choiceQuestion"]["options"]] == ["正确", "错误"]
    assert graded["etiquette-2"]["grading"]["correctAnswers"] == {"answers": [{"value": "错误"}]}
    assert graded["etiquette-3"]["grading"] == {
        "pointValue": 3,
        "correctAnswers": {"answers": [{"value": "统一着装"}, {"value": "佩戴工牌"}, {"value": "仪容整洁"}]},
        "whenRight": {"text": "回答正确。统一着装、佩戴工牌、仪容整洁；不佩戴夸张饰物。"},
        "whenWrong": {"text": "正确答案：统一着装、佩戴工牌、仪容整洁。统一着装、佩戴工牌、仪容整洁；不佩戴夸张饰物。"}}
    assert sum(q["grading"]["pointValue"] for q in graded.values()) == 31


def test_name_question_only_when_names_may_be_published():
    s = with_texts(edited("organisation.yaml", "publish_names: false", "publish_names: true"))
    spec = ex.build_quiz(s, QUARTER)
    name = [i for i in questions_of(spec) if i["title"] == "姓名"]
    assert len(name) == 1 and name[0]["questionItem"]["question"]["textQuestion"] == {"paragraph": False}
    assert validate_spec(spec) == [] and ex.validate_quiz(spec) == []


def test_validators_reject_quiz_questions_without_grading(standards):
    spec = ex.build_quiz(standards, QUARTER)
    broken = copy.deepcopy(spec)
    question = questions_of(broken)[1]["questionItem"]["question"]
    del question["grading"]
    problems = ex.validate_quiz(broken)
    assert len(problems) == 1 and "缺少评分" in problems[0].message and "etiquette-1" in problems[0].message

    # a grading without its required fields is refused by the discovery-schema validator too
    half = copy.deepcopy(spec)
    grading = questions_of(half)[1]["questionItem"]["question"]["grading"]
    del grading["pointValue"]
    grading["whenRight"] = {}
    paths = {p.path.rsplit(".", 1)[-1] for p in validate_spec(half)}
    assert {"pointValue", "text"} <= paths

    wrong = copy.deepcopy(spec)
    questions_of(wrong)[1]["questionItem"]["question"]["grading"]["correctAnswers"] = {"answers": [{"value": "不存在"}]}
    assert "不都在选项" in ex.validate_quiz(wrong)[0].message

    not_quiz = copy.deepcopy(spec)
    not_quiz.batch_update["requests"][1]["updateSettings"]["settings"]["quizSettings"]["isQuiz"] = False
    assert any("isQuiz" in p.path for p in ex.validate_quiz(not_quiz))


def test_quarters():
    assert ex.parse_quarter("2026q4") == "2026Q4" and ex.form_id("2026-Q1") == "exam-2026Q1"
    assert ex.quarter_label("2026Q4") == "2026 年第四季度"
    assert ex.is_exam_form("exam-2026Q4") and not ex.is_exam_form("daily-patrol")
    with pytest.raises(Exception, match="2026Q4"):
        ex.parse_quarter("2026Q5")


# ---------------------------------------------------------------- grading by hand

def test_hand_computed_grades(exam):
    by_id = {q.id: q for q in exam.questions}
    assert ex.parse_score("8 / 10") == (8.0, 10.0) and ex.parse_score("8.00 / 10") == (8.0, 10.0)
    assert ex.parse_score("") is None and ex.parse_score("8/10") == (8.0, 10.0)
    # single choice (2 points): only the key
    assert ex.is_correct(by_id["etiquette-1"], ["起身微笑问候"])
    assert not ex.is_correct(by_id["etiquette-1"], ["请客户先填表"])
    # multiple choice (3 points): all or nothing
    m = by_id["etiquette-3"]
    assert ex.is_correct(m, ["统一着装", "佩戴工牌", "仪容整洁"])
    assert not ex.is_correct(m, ["统一着装", "佩戴工牌"])                       # one missing
    assert not ex.is_correct(m, ["统一着装", "佩戴工牌", "仪容整洁", "佩戴夸张饰物"])   # one too many
    assert not ex.is_correct(m, [])
    assert ex.split_answer(m, "统一着装, 佩戴工牌, 仪容整洁") == (["统一着装", "佩戴工牌", "仪容整洁"], True)
    assert ex.split_answer(m, "统一着装, 随便") == (["统一着装", "随便"], False)
    # true/false (1 point): the key is false
    assert ex.is_correct(by_id["etiquette-2"], ["错误"]) and not ex.is_correct(by_id["etiquette-2"], ["正确"])

    everything = {q.id: ex.key_labels(q) for q in exam.questions}
    g = ex.grade(exam, everything)
    assert (g.earned, g.total, g.passed) == (31, 31, True)
    # 31 − 3 (multiple half right) − 1 (true/false wrong) − 2 (single wrong) = 25
    g = ex.grade(exam, {**everything, "etiquette-3": ["统一着装", "佩戴工牌"], "etiquette-2": ["正确"],
                        "law-1": ["《中华人民共和国刑法》"]})
    assert g.earned == 25 and g.passed and round(g.percent, 2) == 80.65
    assert [a.question for a in g.answers if not a.correct] == ["etiquette-2", "etiquette-3", "law-1"]
    # 18 of 31 is 58.1 %: below the 60 % pass mark; 19 is 61.3 %: passed
    eighteen = {**everything, "etiquette-3": [], "communication-3": [], "law-4": [], "industry-2": [],
                "law-2": ["错误"]}
    assert ex.grade(exam, eighteen).earned == 18 and not ex.grade(exam, eighteen).passed
    assert ex.grade(exam, {**eighteen, "law-2": ["正确"]}).passed


# ---------------------------------------------------------------- ingest of CSV exports

def ingest(standards, db, *paths, **kw):
    return run_ingest([file_source(p, FORM) for p in paths], standards=standards, db_path=db, instruments=INSTRUMENTS,
                      **kw)


@pytest.mark.parametrize("name", ["quiz-zh-CN.csv", "quiz-en-US.csv"])
def test_csv_export_is_graded_from_the_yaml(standards, tmp_path, name):
    db = tmp_path / "store.sqlite"
    report = ingest(standards, db, DATA / name)
    assert report.total["new"] == 4 and report.total["quarantined"] == 0
    assert report.sources[0].unmapped_columns == [] and report.sources[0].warnings == []
    responses = read_exam_responses(db)
    got = [(r.project, r.earned, r.passed, r.form_score, r.form_total) for r in responses]
    assert got == [("wutong", 31, True, 31, 31), ("wutong", 25, True, 25, 31),
                   ("lanting", 12, False, 12, 31), ("lanting", 19, True, 19, 31)]
    assert responses[0].submitted_at == dt.datetime(2026, 11, 19, 9, 41, 5,
                                                    tzinfo=responses[0].submitted_at.tzinfo)
    assert responses[0].submitted_at.utcoffset() == dt.timedelta(hours=8)
    assert responses[3].answers["communication-3"] == (("要求业主给好评",), False)   # all or nothing: 0 points
    assert responses[1].answers["etiquette-3"] == (("统一着装", "佩戴工牌"), False)

    # per-answer correctness and the total are stored
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == store_mod.SCHEMA_VERSION
        assert conn.execute("SELECT COUNT(*), SUM(correct), SUM(earned) FROM exam_answers").fetchone() == \
            (64, 16 + 13 + 6 + 12, 31 + 25 + 12 + 19)
    finally:
        conn.close()

    # hand-computed results: 梧桐苑 (100 + 80.65) / 2 = 90.32 %, 2 of 2 passed;
    # 兰亭雅居 (38.71 + 61.29) / 2 = 50 %, 1 of 2
    summary = exam_summary(standards, responses, QUARTER)
    assert [(g.key, g.n, round(g.mean_percent, 2), g.passed, g.pass_rate) for g in summary.projects] == \
        [("wutong", 2, 90.32, 2, 100.0), ("lanting", 2, 50.0, 1, 50.0)]
    assert (summary.overall.n, summary.overall.passed, summary.overall.pass_rate) == (4, 3, 75.0)
    assert summary.mismatch is None
    topics = {t.topic: t for t in summary.topics}
    # 服务礼仪: 8 points × 4 = 32 possible; earned 8 + 4 + 8 + 5 (D: etiquette-1, -2, -4) = 25
    assert (topics["服务礼仪"].earned, topics["服务礼仪"].possible) == (25, 32)
    # correct answers per question: 2 of 4 for etiquette-3, communication-3, law-1 and law-4 (ties by number)
    assert [(x.id, x.correct, x.n) for x in summary.questions[:5]] == [
        ("etiquette-3", 2, 4), ("communication-3", 2, 4), ("law-1", 2, 4), ("law-4", 2, 4), ("etiquette-2", 3, 4)]
    assert summary.people == []

    # a second run changes nothing
    again = ingest(standards, db, DATA / name)
    assert (again.total["new"], again.total["unchanged"]) == (0, 4)
    assert len(read_exam_responses(db)) == 4


def test_form_key_disagreeing_with_the_yaml_is_graded_by_the_yaml_and_reported(standards, tmp_path):
    db = tmp_path / "store.sqlite"
    report = ingest(standards, db, DATA / "quiz-wrong-key.csv")
    (warning,) = report.sources[0].warnings        # the ingest report names the question too
    assert warning == ("5 份答卷表单自动评分与题库评分不一致：题目 etiquette-1 在表单中的答案似为“请客户先填表”。"
                       "已按题库（methods.yaml）评分；运行 handbook exam push 可用题库答案更新表单。")
    responses = read_exam_responses(db)
    # the sheet says 29, 23, 10, 17, 31: the form's key of etiquette-1 is 请客户先填表
    assert [r.form_score for r in responses] == [29, 23, 10, 17, 31]
    assert [r.earned for r in responses] == [31, 25, 12, 19, 29]
    summary = exam_summary(standards, responses, QUARTER)
    m = summary.mismatch
    assert m is not None and len(m.responses) == 5 and m.explained
    assert m.questions == {"etiquette-1": ["请客户先填表"]}
    assert "etiquette-1" in m.message and "请客户先填表" in m.message
    page = build_exam_results(standards, responses)["results/exam.md"]
    assert "表单答案与题库不一致" in page and "etiquette\\-1" in page


def test_rows_that_cannot_be_used_are_quarantined(standards, tmp_path):
    lines = (DATA / "quiz-zh-CN.csv").read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace("梧桐苑", "不存在的小区")
    lines[2] = lines[2].replace("起身微笑问候", "乱写的答案", 1)
    path = tmp_path / "quiz.csv"
    path.write_text("\n".join(lines + [lines[4]]) + "\n", encoding="utf-8")
    report = ingest(standards, tmp_path / "s.sqlite", path)
    s = report.sources[0]
    assert (s.new, s.quarantined) == (2, 3)
    assert s.reasons == {"unknown_project": 1, "not_an_option": 1, "duplicate": 1}


def test_store_upgrade_keeps_existing_data(standards, tmp_path):
    db = legacy_store(tmp_path / "old.sqlite", 2)   # a schema-2 store: no exam tables yet
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("INSERT INTO ingest_log (started_at, finished_at, report) VALUES ('a', 'b', '{}')")
    conn.close()
    ingest(standards, db, DATA / "quiz-zh-CN.csv")
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == store_mod.SCHEMA_VERSION
        assert conn.execute("SELECT report FROM ingest_log ORDER BY id").fetchone() == ("{}",)
        assert conn.execute("SELECT COUNT(*) FROM exam_responses").fetchone() == (4,)
        assert conn.execute("SELECT version FROM instrument_versions WHERE instrument = 'exam'").fetchone() == (1,)
    finally:
        conn.close()
    # the exam's tables are made with IF NOT EXISTS: running its schema again changes nothing
    conn = sqlite3.connect(db, isolation_level=None)
    conn.executescript(QuarterlyExam.store_schema)
    conn.close()
    assert len(read_exam_responses(db)) == 4


# ---------------------------------------------------------------- the fake Sheets API, end to end

def test_quiz_response_sheet_through_the_fake_sheets_api(standards, tmp_path):
    from generator.ingest.google_sheets import Retry

    fake = FakeSheets().start()
    try:
        key_file = write_service_account_key(tmp_path / "sa.json", fake.url + "/token",
                                             "handbook@demo.iam.gserviceaccount.com")
        responses = simulate_exam(standards, QUARTER, ["wutong", "lanting", "binjiang"], seed=3)
        values = exam_sheet_values(standards, QUARTER, responses)
        sheet_key = "1ExamQuizResponses0123456789abcdef"
        fake.add_spreadsheet(sheet_key, "季度考试（回复）", [FakeSheet("表单回复 1", 0, values)])
        report = run_ingest([SourceRef(FORM, "sheet", sheet_key, 0)], standards=standards, instruments=INSTRUMENTS,
                            db_path=tmp_path / "s.sqlite", credentials=key_file, endpoint=fake.url,
                            retry=Retry(deadline=5, backoff=0.01, max_backoff=0.05, timeout=5))
    finally:
        fake.stop()
    assert report.total["new"] == len(responses) and report.total["quarantined"] == 0
    stored = read_exam_responses(tmp_path / "s.sqlite")
    assert len(stored) == len(responses)
    for sim, row in zip(responses, stored):
        assert row.submitted_at == sim.submitted_at
        assert row.earned == ex.grade(standards.methods_file.exam, sim.answers).earned == row.form_score
    assert exam_summary(standards, stored, QUARTER).mismatch is None


# ---------------------------------------------------------------- results and CLI

def test_per_person_results_only_when_allowed_and_never_an_email(tmp_path):
    s = with_texts(edited("organisation.yaml", "publish_names: false", "publish_names: true"))
    values = exam_sheet_values(s, QUARTER, simulate_exam(s, QUARTER, ["wutong"], seed=2))
    assert values[0][3] == "姓名"
    values[1][3] = "王伟"
    values[2][3] = "wang@example.com"
    from generator.instruments.patrol.simulate import write_csv
    path = write_csv(tmp_path / "q.csv", values)
    report = run_ingest([file_source(path, FORM)], standards=s, db_path=tmp_path / "s.sqlite", instruments=INSTRUMENTS)
    assert report.sources[0].reasons == {"email_as_name": 1}
    responses = read_exam_responses(tmp_path / "s.sqlite")
    files = build_exam_results(s, responses)
    assert "王伟" in files["results/exam.md"] and "@" not in files["results/exam.md"]
    assert "results/csv/exam-2026Q4-people.csv" in files

    public = require_standards(ROOT / "standards", instruments=INSTRUMENTS)
    hidden = build_exam_results(public, responses)
    assert "王伟" not in hidden["results/exam.md"] and "results/csv/exam-2026Q4-people.csv" not in hidden
    assert "个人成绩不在网站公开" in hidden["results/exam.md"]


def test_results_page_files_and_empty_store(standards, tmp_path):
    db = tmp_path / "s.sqlite"
    ingest(standards, db, DATA / "quiz-zh-CN.csv")
    files = build_exam_results(standards, read_exam_responses(db))
    assert set(files) == {"results/exam.md", "results/charts/exam-2026Q4-projects.svg",
                          "results/charts/exam-2026Q4-topics.svg", "results/csv/exam-2026Q4-projects.csv",
                          "results/csv/exam-2026Q4-questions.csv"}
    page = files["results/exam.md"]
    assert "| 梧桐苑 | 2 | 90.3% | 2 | 100.0% |" in page and "| 兰亭雅居 | 2 | 50.0% | 1 | 50.0% |" in page
    assert "4 人参考" in page and "及格率 75.0%" in page
    # the chart is drawn inline (so light and dark colours apply), its file kept for downloading
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in page and "csv/exam-2026Q4-projects.csv" in page
    assert files["results/charts/exam-2026Q4-projects.svg"].splitlines()[2] in page
    assert files["results/csv/exam-2026Q4-projects.csv"].startswith("\ufeff季度,项目,参考人数")
    assert "<svg" in files["results/charts/exam-2026Q4-projects.svg"]
    assert "暂无考试结果" in build_exam_results(standards, [])["results/exam.md"]


def test_cli_build_ingest_and_simulate(tmp_path):
    runner = CliRunner()
    result = runner.invoke(main, ["exam", "build", "--quarter", "2026Q4", "--standards", str(ROOT / "standards"),
                                  "--out", str(tmp_path / "forms"), "--no-pdf"])
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "forms" / "exam-2026Q4.json").read_text())["checklist"] == FORM
    result = runner.invoke(main, ["exam", "build", "--quarter", "2026Q9", "--standards", str(ROOT / "standards"),
                                  "--out", str(tmp_path / "forms"), "--no-pdf"])
    assert result.exit_code == 1 and "错误：季度“2026Q9”格式不对" in result.output

    result = runner.invoke(main, ["ingest", "--file", str(DATA / "quiz-en-US.csv"), "--checklist", FORM,
                                  "--db", str(tmp_path / "s.sqlite"), "--standards", str(ROOT / "standards"),
                                  "--lock", str(tmp_path / "none.yaml")])
    assert result.exit_code == 0, result.output
    assert "新增 4" in result.output
    assert len(read_exam_responses(tmp_path / "s.sqlite")) == 4

    out = tmp_path / "sim.csv"
    result = runner.invoke(main, ["exam", "simulate", "--quarter", "2026Q4", "--standards", str(ROOT / "standards"),
                                  "--seed", "5", "--locale", "en-US", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("Timestamp,Score,项目,1. ")


def test_a_key_mismatch_that_names_no_question_says_what_it_knows():
    partly = ex.KeyMismatch(["r1", "r2"], {"etiquette-1": ["请客户先填表", "先登记"], "law-2": []}, explained=False)
    assert partly.message == (
        "2 份答卷表单自动评分与题库评分不一致：题目 etiquette-1 在表单中的答案似为“请客户先填表、先登记”；"
        "题目 law-2 在表单中的答案似为“（无）”（仍有部分分数对不上，可能还有其他题或分值不同）。"
        "已按题库（methods.yaml）评分；运行 handbook exam push 可用题库答案更新表单。")
    assert ex.KeyMismatch(["r1", "r2", "r3"]).message == \
        "3 份答卷表单自动评分与题库评分不一致，无法判断是哪道题。已按题库（methods.yaml）评分。"
    assert ex.KeyMismatch(["r1"], total_differs=True).message == (
        "1 份答卷表单自动评分与题库评分不一致，无法判断是哪道题（表单满分与题库满分不同，可能分值不一致）。"
        "已按题库（methods.yaml）评分。")
