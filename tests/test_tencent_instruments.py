"""The customer questionnaire and the quarterly exam on the Chinese platforms: 腾讯问卷 live through the real
HTTP client against the fake OpenAPI on 127.0.0.1, and the exports of 腾讯问卷, 问卷星 and 金数据 (CSV and XLSX,
GBK and UTF-8) as files, scored exactly as the Google path scores the same answers."""

from __future__ import annotations

import csv
import datetime as dt
import json
import sqlite3
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.errors import HandbookError
from generator.forms.lock_file import link_tencent, read_lock
from generator.instruments import INSTRUMENTS
from generator.instruments.exam.quiz import build_quiz, ordered_questions
from generator.instruments.exam.responses import read_exam_responses
from generator.instruments.questionnaire.satisfaction import pooled_mean
from generator.instruments.questionnaire.survey import (build_survey_form, read_survey, simulate_survey,
                                                        survey_links, write_survey_csv)
from generator.messages import Msg
from generator.standards import require_standards

from conftest import ROOT, printables_stood_in
from faketencent import definition_from_spec, make_answer, serving

SH = ZoneInfo("Asia/Shanghai")
SURVEY, EXAM = "7001", "7002"
COMMENT = "您对客服人员还有什么意见或建议？（选填，请不要填写姓名、电话、房号等个人信息）"
RATINGS = ["客服人员的服务态度", "客服人员的礼仪和沟通方式", "对您的诉求响应及时", "您反映的问题得到解决", "总体满意度"]
IDS = ["attitude", "manner", "speed", "solved", "overall"]


@pytest.fixture(scope="module")
def standards():
    return require_standards(ROOT / "standards", instruments=INSTRUMENTS)


@pytest.fixture
def fake(monkeypatch):
    with serving(monkeypatch, per_page=3) as server:
        yield server


def run(*args):
    return CliRunner().invoke(main, [*args, "--standards", str(ROOT / "standards")])


def ingest_file(path, form, db):
    return run("ingest", "--file", str(path), "--checklist", form, "--store", str(db))


def survey_rows(db):
    """What the satisfaction figures are made of: each response's time, project, ratings and comment."""
    return sorted((r.submitted_at, r.project, sorted(r.answers.items()), r.comment, r.id) for r in read_survey(db))


# ---------------------------------------------------------------- the questionnaire: setup, link, QR codes

def test_questionnaire_setup_sheet_asks_ratings_as_scales(tmp_path):
    out = tmp_path / "survey.txt"
    result = run("forms", "tencent-setup", "--checklist", "customer-survey", "--out", str(out))
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert ("第 2 题  量表题  必答\n客服人员的服务态度\n  量表 1–5，1 = 很不满意，5 = 非常满意（选项文字只写数字）\n"
            "  ○ 1\n  ○ 2\n  ○ 3\n  ○ 4\n  ○ 5\n") in text
    assert f"第 7 题  多行文本题  选答\n{COMMENT}\n" in text
    assert "\n项目\n" not in text          # the project comes with the link
    assert "（答案按题目和选项文字对应，不能删改）" in text


@pytest.fixture
def linked_survey(tmp_path, fake, standards):
    """The questionnaire made on the fake 腾讯问卷 from the setup sheet and linked in a lock."""
    definition = definition_from_spec(build_survey_form(standards), int(SURVEY))
    fake.surveys[SURVEY] = definition
    fake.answers[SURVEY] = []
    lock = tmp_path / "forms.lock.yaml"
    result = run("forms", "tencent-link", "--checklist", "customer-survey", "--survey",
                 f"https://wj.qq.com/s2/{SURVEY}/c3d4/", "--lock", str(lock))
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"已登记：检查表 customer-survey ← 腾讯问卷问卷 {SURVEY}“客户服务满意度问卷”")
    return definition, lock


def test_questionnaire_links_and_qr_codes_carry_the_project(linked_survey, standards, tmp_path):
    _, lock = linked_survey
    links = survey_links(read_lock(lock), standards)
    assert links["wutong"] == f"https://wj.qq.com/s2/{SURVEY}/c3d4/?project=wutong"
    assert links["haitang"] == f"https://wj.qq.com/s2/{SURVEY}/c3d4/?project=haitang"
    # each project's printed questionnaire carries the QR code of its link
    from generator.forms.prefill import qr_svg
    from generator.instruments.questionnaire.survey import render_survey_sheet

    html = render_survey_sheet(standards, "wutong", links["wutong"])
    assert qr_svg(links["wutong"], scale=3) in html
    assert qr_svg(links["haitang"], scale=3) not in html


def test_a_survey_that_is_not_the_questionnaire_is_refused_at_link(tmp_path, fake):
    fake.surveys["7999"] = {"id": 7999, "title": "年会报名", "state": 2, "pages": [
        {"id": "p-1", "questions": [{"id": "q-1", "type": "text", "title": "姓名", "options": []}]}]}
    result = run("forms", "tencent-link", "--checklist", "customer-survey", "--survey", "7999",
                 "--lock", str(tmp_path / "l.yaml"))
    assert result.exit_code == 1
    assert result.output == "错误：" + str(HandbookError(Msg.TENCENT_NOT_OURS, survey="7999", title="年会报名",
                                                      checklist="customer-survey",
                                                      problem="没有一道题与表单的题目相同")) + "\n"
    assert not (tmp_path / "l.yaml").exists()


def test_a_rating_whose_options_are_not_the_scale_is_refused(tmp_path, fake, standards):
    definition = definition_from_spec(build_survey_form(standards), int(SURVEY))
    speed = next(q for p in definition["pages"] for q in p["questions"] if q["title"] == "对您的诉求响应及时")
    speed["options"][4]["text"] = "5 非常满意"
    fake.surveys[SURVEY] = definition
    result = run("forms", "tencent-link", "--checklist", "customer-survey", "--survey", SURVEY,
                 "--lock", str(tmp_path / "l.yaml"))
    assert result.exit_code == 1
    assert ("题目“对您的诉求响应及时”的选项“5 非常满意”不在标准中；题目“对您的诉求响应及时”缺少选项“5”"
            in result.output)


# ---------------------------------------------------------------- the questionnaire: live and by hand

def _answer(definition, aid, when, ratings, comment="", project="wutong", as_text=False):
    values = dict(zip(RATINGS, map(str, ratings)))
    if comment:
        values[COMMENT] = comment
    answer = make_answer(definition, aid, when, values, project=project)
    if as_text:   # a scale answered as its number in `text` (the documentation's text/scale input)
        for page in answer["answer"]:
            for q in page["questions"]:
                if q.get("options") and q["options"][0]["text"].isdigit():
                    q["text"] = q.pop("options")[0]["text"]
    return answer


def test_questionnaire_from_the_live_api_scores_like_google(linked_survey, fake, tmp_path, standards):
    definition, lock = linked_survey
    fake.answers[SURVEY] = [
        _answer(definition, 1, "2026-11-02 09:12:05", [5, 4, 3, 4, 5], "态度很好"),
        _answer(definition, 2, "2026-11-02 20:00:00", [4, 4, 2, 3, 4], as_text=True),
        _answer(definition, 3, "2026-11-03 23:30:00", [3, 3, 3, 3, 3], project="lanting"),
        _answer(definition, 4, "2026-11-04 08:00:00", [5, 5, 5, 5, 5], project="nowhere"),
    ]
    db = tmp_path / "api.sqlite"
    result = run("ingest", "--store", str(db), "--lock", str(lock))
    assert result.exit_code == 0, result.output
    assert f"customer-survey ← 腾讯问卷 {SURVEY}" in result.output
    assert "读取 4 行：新增 3，修改 0，未变 0，隔离 1" in result.output
    assert "未知项目“nowhere”" in result.output
    got = read_survey(db)
    assert [(r.submitted_at, r.project, r.answers, r.comment) for r in got] == [
        (dt.datetime(2026, 11, 2, 9, 12, 5, tzinfo=SH), "wutong",
         {"attitude": 5, "manner": 4, "speed": 3, "solved": 4, "overall": 5}, "态度很好"),
        (dt.datetime(2026, 11, 2, 20, 0, tzinfo=SH), "wutong",
         {"attitude": 4, "manner": 4, "speed": 2, "solved": 3, "overall": 4}, ""),
        (dt.datetime(2026, 11, 3, 23, 30, tzinfo=SH), "lanting",
         {"attitude": 3, "manner": 3, "speed": 3, "solved": 3, "overall": 3}, "")]
    # wutong's figure by hand: (5+4+3+4+5 + 4+4+2+3+4) / 10 = 3.8 → 76 on 百分制
    mean = pooled_mean([r for r in got if r.project == "wutong"])
    assert (mean.total, mean.ratings, mean.mean) == (38, 10, 3.8)
    # the same answers typed into the Google form's export give the same responses (same ids)
    google = tmp_path / "google.csv"
    google.write_text("时间戳记,项目,填写日期," + ",".join(RATINGS) + f",{COMMENT}\n"
                      "2026/11/02 9:12:05,梧桐苑,,5,4,3,4,5,态度很好\n"
                      "2026/11/02 20:00:00,梧桐苑,,4,4,2,3,4,\n"
                      "2026/11/03 23:30:00,兰亭雅居,,3,3,3,3,3,\n", encoding="utf-8")
    assert ingest_file(google, "customer-survey", tmp_path / "g.sqlite").exit_code == 0
    assert survey_rows(tmp_path / "g.sqlite") == survey_rows(db)
    # owners stay anonymous: who answered is never stored
    with sqlite3.connect(db) as conn:
        kept = [json.loads(a) for (a,) in conn.execute("SELECT answer FROM platform_answers")]
    assert len(kept) == 4 and all("ip" not in a and "wechat_work_user" not in a for a in kept)
    # a second run with nothing new adds nothing
    again = run("ingest", "--store", str(db), "--lock", str(lock))
    assert "读取 4 行：新增 0，修改 0，未变 3，隔离 1" in again.output


def test_questionnaire_answer_deleted_on_tencent_leaves_the_figures(linked_survey, fake, tmp_path):
    definition, lock = linked_survey
    fake.answers[SURVEY] = [_answer(definition, 1, "2026-11-02 09:00:00", [1, 1, 1, 1, 1]),
                            _answer(definition, 2, "2026-11-02 10:00:00", [5, 5, 5, 5, 5])]
    db = tmp_path / "s.sqlite"
    assert run("ingest", "--store", str(db), "--lock", str(lock)).exit_code == 0
    assert pooled_mean(read_survey(db)).mean == 3.0
    del fake.answers[SURVEY][0]
    result = run("ingest", "--store", str(db), "--lock", str(lock))
    assert result.exit_code == 0, result.output
    assert "腾讯问卷中已删除 1 份答卷（答卷编号 1）" in result.output
    assert pooled_mean(read_survey(db)).mean == 5.0                      # scored without it
    assert len(read_survey(db, include_gone=True)) == 2                  # kept, flagged gone


def test_check_flags_a_questionnaire_survey_the_standards_no_longer_match(linked_survey, tmp_path):
    from conftest import edited

    _, lock = linked_survey
    ok = CliRunner().invoke(main, ["check", "--standards", str(ROOT / "standards"), "--lock", str(lock)])
    assert ok.exit_code == 0, ok.output
    folder = tmp_path / "standards"
    folder.mkdir()
    for name, text in edited("methods.yaml", "{id: speed, text: 对您的诉求响应及时}",
                             "{id: speed, text: 对您的诉求响应快}").items():
        (folder / name).write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--standards", str(folder), "--lock", str(lock)])
    assert result.exit_code == 1
    assert (f"检查表“customer-survey”的腾讯问卷问卷 {SURVEY} 与标准不一致：缺少题目“对您的诉求响应快”"
            in result.output)


def test_tencent_export_with_the_date_picker_dates_a_paper_questionnaire(tmp_path):
    """A paper questionnaire typed in later: 腾讯问卷's date picker gives three identical headers, joined."""
    header = ["编号", "开始答题时间", "结束答题时间", "答题时长", "自定义字段", "1.填写日期:请选择",
              "1.填写日期:请选择",
              "1.填写日期:请选择"] + [f"{i}.{t}" for i, t in enumerate(RATINGS + [COMMENT], 2)]
    path = tmp_path / "t.csv"
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f, quoting=csv.QUOTE_ALL).writerows([
            header, ["3", "2026-11-09 10:00:00", "2026-11-09 10:02:00", "120", "project=yuelan", "2026", "11", "2",
                     "4", "4", "3", "4", "4", ""]])
    db = tmp_path / "s.sqlite"
    result = ingest_file(path, "customer-survey", db)
    assert result.exit_code == 0, result.output
    (response,) = read_survey(db)
    assert (response.project, response.submitted_at) == ("yuelan", dt.datetime(2026, 11, 2, 10, 2, tzinfo=SH))


def test_questionnaire_answer_with_an_unknown_option_is_quarantined(linked_survey, fake, tmp_path):
    definition, lock = linked_survey
    bad = _answer(definition, 1, "2026-11-02 09:00:00", [5, 5, 5, 5, 5])
    bad["answer"][0]["questions"][0]["options"] = [{"id": "o-999", "checked": 1, "text": "?"}]
    fake.answers[SURVEY] = [bad, _answer(definition, 2, "2026-11-02 10:00:00", [4, 4, 4, 4, 4])]
    db = tmp_path / "s.sqlite"
    result = run("ingest", "--store", str(db), "--lock", str(lock))
    assert result.exit_code == 0, result.output
    assert "读取 2 行：新增 1，修改 0，未变 0，隔离 1" in result.output
    assert "“客服人员的服务态度”的答案“〔未知选项 o-999〕”不在 1–5 之间" in result.output
    assert [r.answers["attitude"] for r in read_survey(db)] == [4]


def test_simulated_questionnaire_same_figures_from_api_and_every_export(fake, tmp_path, standards):
    """The simulator's responses through Google's CSV, the 腾讯问卷 API and each platform's export: the same
    stored responses, so the same satisfaction figures."""
    responses = simulate_survey(standards, dt.date(2026, 10, 1), dt.date(2026, 11, 15), seed=5)
    assert len(responses) > 100
    ids = {p.name: p.id for p in standards.organisation.projects}
    google = write_survey_csv(standards, responses, tmp_path / "google.csv")
    assert ingest_file(google, "customer-survey", tmp_path / "google.sqlite").exit_code == 0
    expected = survey_rows(tmp_path / "google.sqlite")
    assert len(expected) == len(responses)

    definition = definition_from_spec(build_survey_form(standards), int(SURVEY))
    fake.surveys[SURVEY] = definition
    fake.answers[SURVEY] = [
        _answer(definition, n, r.submitted_at.strftime("%Y-%m-%d %H:%M:%S"),
                [r.answers[i] for i in IDS], r.comment, project=ids[r.project])
        for n, r in enumerate(responses, 1)]
    lock = tmp_path / "forms.lock.yaml"
    link_tencent(lock, "customer-survey", SURVEY, f"https://wj.qq.com/s2/{SURVEY}/x/")
    api = run("ingest", "--store", str(tmp_path / "api.sqlite"), "--lock", str(lock))
    assert api.exit_code == 0, api.output
    assert survey_rows(tmp_path / "api.sqlite") == expected

    for platform, kind in [("tencent", "utf-8-sig"), ("tencent", "xlsx"), ("wjx", "gbk"), ("wjx", "xlsx"),
                           ("jinshuju", "utf-8"), ("jinshuju", "xlsx")]:
        rows = [(r.submitted_at.replace(tzinfo=None), ids[r.project], [r.answers[i] for i in IDS] + [r.comment])
                for r in responses]
        path = write_export(tmp_path / f"{platform}-{kind}", platform, kind, RATINGS + [COMMENT], rows)
        db = tmp_path / f"{platform}-{kind}.sqlite"
        result = ingest_file(path, "customer-survey", db)
        assert result.exit_code == 0, (platform, kind, result.output)
        assert f"读取 {len(responses)} 行：新增 {len(responses)}，修改 0，未变 0，隔离 0" in result.output
        assert survey_rows(db) == expected, (platform, kind)


# ---------------------------------------------------------------- exports in each platform's format

def write_export(stem, platform, kind, titles, rows, *, project_question=False):
    """An export of `platform` ("tencent", "wjx", "jinshuju") as CSV in encoding `kind`, or XLSX: `rows` are
    (naive local time, project id, cells in `titles`' order). The project rides in the custom link
    parameter (腾讯问卷 自定义字段 `project=…`, 问卷星 自定义链接参数), or as a question 项目 (金数据)."""
    def number(i, t):
        return {"tencent": f"{i}.{t}", "wjx": f"{i}、{t}", "jinshuju": t}[platform]

    text = kind != "xlsx"
    if platform == "tencent":
        header = ["编号", "开始答题时间", "结束答题时间", "答题时长", "地理位置国家和地区", "地理位置省", "地理位置市",
                  "用户类型", "用户标识", "昵称", "自定义字段"] + [number(i, t) for i, t in enumerate(titles, 1)]
        body = [[str(n) if text else n, when.strftime("%Y-%m-%d %H:%M:%S") if text else when,
                 when.strftime("%Y-%m-%d %H:%M:%S") if text else when, 95, "中国", "广东省", "深圳市", "微信",
                 "oXyz", "小王", f"project={pid}"] + cells for n, (when, pid, cells) in enumerate(rows, 1)]
    elif platform == "wjx":
        header = ["序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自IP", "自定义链接参数"] + [
            number(i, t) for i, t in enumerate(titles, 1)]
        body = [[n, when.strftime("%Y/%m/%d %H:%M:%S") if text else when, "1分28秒", "微信", "N/A",
                 "10.1.2.3(广东-深圳)", pid] + cells for n, (when, pid, cells) in enumerate(rows, 1)]
    else:
        header = ["序号", "项目"] + titles + ["提交人", "提交时间", "修改时间", "填写设备", "IP"]
        body = [[n, pid] + cells + ["", when.strftime("%Y-%m-%d %H:%M:%S") if text else when, None, "iPhone",
                                     "10.9.8.7"] for n, (when, pid, cells) in enumerate(rows, 1)]
    if kind == "xlsx":
        import openpyxl

        book = openpyxl.Workbook()
        for row in [header, *body]:
            book.active.append(row)
        path = stem.with_suffix(".xlsx")
        book.save(path)
        return path
    path = stem.with_suffix(".csv")
    with open(path, "w", encoding=kind, newline="") as f:
        csv.writer(f, quoting=csv.QUOTE_ALL if platform == "tencent" else csv.QUOTE_MINIMAL).writerows(
            [header, *[["" if c is None else c for c in row] for row in body]])
    return path


def test_questionnaire_export_leaves_out_who_answered(tmp_path):
    rows = [(dt.datetime(2026, 11, 5, 9, 0), "haitang", [5, 4, 4, 4, 5, ""])]
    path = write_export(tmp_path / "t", "tencent", "utf-8-sig", RATINGS + [COMMENT], rows)
    db = tmp_path / "s.sqlite"
    result = ingest_file(path, "customer-survey", db)
    assert result.exit_code == 0, result.output
    assert [(r.project, r.answers["overall"]) for r in read_survey(db)] == [("haitang", 5)]
    with sqlite3.connect(db) as conn:
        raw = " ".join(r for (r,) in conn.execute("SELECT cells FROM raw_rows"))
    assert "小王" not in raw and "oXyz" not in raw and "深圳市" not in raw
    assert "未对应任何题目的列" not in result.output


def test_questionnaire_export_without_a_rating_column_is_refused(tmp_path):
    rows = [(dt.datetime(2026, 11, 5, 9, 0), "haitang", [5, 4, 4, 5, ""])]
    titles = [t for t in RATINGS if t != "对您的诉求响应及时"] + [COMMENT]
    path = write_export(tmp_path / "w", "wjx", "gbk", titles, rows)
    db = tmp_path / "s.sqlite"
    result = ingest_file(path, "customer-survey", db)
    assert result.exit_code == 1
    assert "对您的诉求响应及时" in result.output and result.output.startswith(f"错误：文件 {path} ")
    assert not db.exists()


# ---------------------------------------------------------------- the quarterly exam

QUARTER = "2026Q4"


def exam_rows(standards, n=3):
    """(titles as typed on the platform (no numbers), rows): the first person answers every question with
    the key, the second every question wrong, the third the key except the multiple-choice ones."""
    exam = standards.methods_file.exam
    questions = ordered_questions(exam)
    titles = [q.text for q in questions]
    from generator.instruments.exam.quiz import key_labels, option_labels

    def wrong(q):
        key = key_labels(q)
        return [next(o for o in option_labels(q) if o not in key)]

    people = []
    for k in range(n):
        cells = []
        for q in questions:
            chosen = key_labels(q) if k == 0 or (k == 2 and q.kind != "multiple") else wrong(q)
            cells.append("┋".join(chosen))
        people.append(cells)
    return exam, titles, people


def _expected_grades(exam):
    total = sum(q.points for q in exam.questions)
    multiple = sum(q.points for q in exam.questions if q.kind == "multiple")
    return total, [total, 0.0, total - multiple]


@pytest.mark.parametrize("platform, kind", [("tencent", "utf-8-sig"), ("tencent", "xlsx"), ("wjx", "gbk"),
                                            ("wjx", "xlsx"), ("jinshuju", "utf-8")])
def test_exam_from_platform_exports_graded_from_the_standards(tmp_path, standards, platform, kind):
    exam, titles, people = exam_rows(standards)
    rows = [(dt.datetime(2026, 11, 19, 10, k), "wutong", cells) for k, cells in enumerate(people)]
    path = write_export(tmp_path / "exam", platform, kind, titles, rows)
    db = tmp_path / "e.sqlite"
    result = ingest_file(path, f"exam-{QUARTER}", db)
    assert result.exit_code == 0, result.output
    assert "读取 3 行：新增 3，修改 0，未变 0，隔离 0" in result.output
    total, earned = _expected_grades(exam)
    got = read_exam_responses(db)
    assert [(r.project, r.submitted_at, r.earned, r.total) for r in got] == [
        ("wutong", dt.datetime(2026, 11, 19, 10, k, tzinfo=SH), earned[k], total) for k in range(3)]
    assert [r.passed for r in got] == [True, False, 100 * earned[2] / total >= exam.pass_percent]


def test_exam_export_with_an_answer_not_an_option_is_quarantined(tmp_path, standards):
    exam, titles, people = exam_rows(standards, n=2)
    people[1][0] = "随便写的"
    rows = [(dt.datetime(2026, 11, 19, 10, k), "lanting", cells) for k, cells in enumerate(people)]
    path = write_export(tmp_path / "exam", "wjx", "utf-8-sig", titles, rows)
    result = ingest_file(path, f"exam-{QUARTER}", tmp_path / "e.sqlite")
    assert result.exit_code == 0, result.output
    assert "读取 2 行：新增 1，修改 0，未变 0，隔离 1" in result.output
    first = ordered_questions(exam)[0]
    assert f"第 {first.id} 题的答案“随便写的”不是选项" in result.output


def test_exam_setup_sheet_keeps_the_project_question_and_drops_numbers(tmp_path):
    result = run("forms", "tencent-setup", "--checklist", f"exam-{QUARTER}")
    assert result.exit_code == 0, result.output
    assert "3. 各项目共用一个链接：“项目”题的选项是各项目的名称，一字不改。" in result.output
    assert "第 1 题  下拉题  必答\n项目\n  ○ 梧桐苑\n" in result.output
    assert ("第 2 题  单选题  必答\n客户来到服务台时，客服人员首先应当：\n  ○ 继续完成手头工作再接待\n"
            "  ○ 起身微笑问候\n") in result.output


def test_exam_live_from_tencent(fake, tmp_path, standards):
    exam, titles, people = exam_rows(standards)
    spec = build_quiz(standards, QUARTER)
    definition = definition_from_spec(spec, int(EXAM))
    fake.surveys[EXAM] = definition
    by_title = {q["title"]: q for p in definition["pages"] for q in p["questions"]}
    assert set(titles) <= set(by_title)     # the setup sheet's titles carry no numbers
    fake.answers[EXAM] = []
    for n, cells in enumerate(people, 1):
        values = {}
        answer = make_answer(definition, n, f"2026-11-19 10:0{n}:00", values, project="binjiang")
        questions = []
        for title, cell in zip(titles, cells):
            q = by_title[title]
            chosen = [o for o in q["options"] if o["text"] in cell.split("┋")]
            questions.append({"id": q["id"], "type": q["type"], "options": [{**o, "checked": 1} for o in chosen]})
        if n == 1:   # the shared link: the project chosen in its question
            q = by_title["项目"]
            option = next(o for o in q["options"] if o["text"] == "滨江花园")
            questions.append({"id": q["id"], "type": q["type"], "options": [{**option, "checked": 1}]})
            answer.pop("custom_args")
        answer["answer"] = [{"id": "p-1", "questions": questions}]
        fake.answers[EXAM].append(answer)
    lock = tmp_path / "forms.lock.yaml"
    result = run("forms", "tencent-link", "--checklist", f"exam-{QUARTER}", "--survey", EXAM, "--lock", str(lock))
    assert result.exit_code == 0, result.output
    db = tmp_path / "e.sqlite"
    result = run("ingest", "--store", str(db), "--lock", str(lock))
    assert result.exit_code == 0, result.output
    assert "读取 3 行：新增 3，修改 0，未变 0，隔离 0" in result.output
    total, earned = _expected_grades(exam)
    assert [(r.project, r.earned) for r in read_exam_responses(db)] == [("binjiang", e) for e in earned]
    check = CliRunner().invoke(main, ["check", "--standards", str(ROOT / "standards"), "--lock", str(lock)])
    assert check.exit_code == 0, check.output


def test_exam_survey_whose_options_differ_from_the_bank_is_refused(fake, tmp_path, standards):
    definition = definition_from_spec(build_quiz(standards, QUARTER), int(EXAM))
    first = next(q for p in definition["pages"] for q in p["questions"] if q["title"].startswith("客户来到服务台时"))
    first["options"][0]["text"] = "先完成手头工作"
    fake.surveys[EXAM] = definition
    result = run("forms", "tencent-link", "--checklist", f"exam-{QUARTER}", "--survey", EXAM,
                 "--lock", str(tmp_path / "l.yaml"))
    assert result.exit_code == 1
    assert f"题目“{first['title']}”的选项“先完成手头工作”不在标准中" in result.output


# ---------------------------------------------------------------- the demo on the fake 腾讯问卷

@pytest.mark.slow
def test_demo_runs_on_the_fake_tencent(fake, tmp_path, standards):
    """`handbook demo --platform tencent`: every form a 腾讯问卷 survey on the fake API, its answers pulled
    through the real client; the store holds what ingesting the same simulated exports gives."""
    from faketencent import load_demo
    from generator.demo import DEMO_SURVEY, demo_surveys, run_demo
    from generator.store import read_inspections
    from generator.ingest.run import file_source, run_ingest
    from site_helpers import copy_site_sources

    loaded = load_demo(fake, ROOT / "standards", instruments=INSTRUMENTS)
    docs, config = copy_site_sources(tmp_path)
    with printables_stood_in():     # the subject is the pull through the API and the store
        report = run_demo(ROOT / "standards", work_dir=tmp_path / "work", out_dir=tmp_path / "public",
                          docs_dir=docs, config_file=config, platform="tencent", instruments=INSTRUMENTS)
    surveys = demo_surveys(standards, INSTRUMENTS)
    by_source = {s.checklist: s for s in report.ingest.sources}
    for form_id, count in loaded.items():
        assert by_source[form_id].key == f"{form_id}:tencent:{surveys[form_id]}"
        assert by_source[form_id].read == count
    assert by_source["daily-patrol"].quarantined == 0
    assert fake.requests("answers") > len(loaded)          # paged through the real client

    # the same simulated exports read as files give the same inspections and questionnaire responses
    files = tmp_path / "files.sqlite"
    run_ingest([file_source(path, form) for form, path in report.responses.items()], standards=standards,
               db_path=files, instruments=INSTRUMENTS)

    def comparable(db):
        return sorted((i.project, i.role, i.inspector, i.date, i.submitted_at, sorted(i.findings.items()),
                       sorted(i.notes.items()), sorted(i.corrected.items())) for i in read_inspections(db))

    assert comparable(report.store) == comparable(files)
    assert survey_rows(report.store) == survey_rows(files)
    assert len(survey_rows(files)) == loaded["customer-survey"]
    # the site's links carry the project as the survey's custom parameter
    page = (tmp_path / "public" / "methods" / "survey" / "index.html").read_text(encoding="utf-8")
    url = DEMO_SURVEY.format(survey=surveys["customer-survey"])
    assert f"{url}?project=wutong" in page
