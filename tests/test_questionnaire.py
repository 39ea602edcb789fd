"""The customer questionnaire end to end: form body, fake Forms + Sheets, CSV ingest, results page, printable."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
import subprocess

import pytest

from generator.forms.form_spec import build_forms
from generator.forms.lock_file import link, read_lock
from generator.forms.prefill import entry_name
from generator.forms.validate import validate_spec
from generator.ingest import run_ingest
from generator.store import read_quarantine
from generator.forms.lock_file import read_locked_forms
from generator.ingest.run import file_source, sources_from_lock
from generator.instruments.questionnaire import satisfaction as pages
from generator.instruments.questionnaire import survey
from generator.standards import require_standards
from generator.context import printed_sources
from generator.instruments import INSTRUMENTS

from conftest import ROOT
from fakegoogle.base import write_service_account_key
from fakegoogle.forms import FakeForms
from fakegoogle.sheets import FakeSheet, FakeSheets
from legacy_store import legacy_store
from site_helpers import output_dir

FIXTURE = ROOT / "tests" / "data" / "methods" / "customer-survey.zh-CN.csv"
SHEET_KEY = "1SurveySheetKey0123456789abcdefghij"


@pytest.fixture(scope="module")
def standards():
    return require_standards(ROOT / "standards", instruments=INSTRUMENTS)


def test_form_body_validates_and_matches_the_committed_file(standards):
    spec = build_forms(standards, INSTRUMENTS)["customer-survey"]
    assert validate_spec(spec) == []
    assert (ROOT / "forms" / "customer-survey.json").read_text(encoding="utf-8") == spec.to_json()
    items = spec.items
    assert items[0]["title"] == "项目" and items[0]["questionItem"]["question"]["choiceQuestion"]["type"] == "DROP_DOWN"
    # written for owners: the titles are the questions' texts, no codes; the ids stay in the lock
    assert items[1]["title"] == "填写日期" and items[1]["questionItem"]["question"]["required"] is False
    scales = [i for i in items if "scaleQuestion" in i.get("questionItem", {}).get("question", {})]
    assert [i["title"] for i in scales] == [sq.text for sq in standards.methods_file.questionnaire.questions]
    by_title = {q["title"]: q.get("survey") for q in spec.questions.values()}
    assert [by_title[i["title"]] for i in scales] == ["attitude", "manner", "speed", "solved", "overall"]
    assert all(i["questionItem"]["question"]["scaleQuestion"] == {"low": 1, "high": 5, "lowLabel": "很不满意",
                                                                  "highLabel": "非常满意"} for i in scales)
    comment = items[-2]["questionItem"]["question"]
    assert comment["required"] is False and comment["textQuestion"] == {"paragraph": True}
    assert items[-1] == {"itemId": items[-1]["itemId"], "title": "谢谢！",
                         "description": standards.methods_file.questionnaire.thanks, "textItem": {}}
    assert spec.settings == {"emailCollectionType": "DO_NOT_COLLECT"}
    # a broken body is caught by the same validator
    bad = spec.batch_update["requests"][4]["createItem"]["item"]["questionItem"]["question"]
    bad["scaleQuestion"]["lowLable"] = bad["scaleQuestion"].pop("lowLabel")
    assert any("lowLable" in p.path for p in validate_spec(spec))


def test_csv_export_ingests_with_hand_computed_means_and_no_email(standards, tmp_path):
    db = tmp_path / "store.sqlite"
    report = run_ingest([file_source(FIXTURE, "customer-survey")], standards=standards, db_path=db,
                        instruments=INSTRUMENTS)
    assert report.total["read"] == 6 and report.total["new"] == 4 and report.total["quarantined"] == 2
    assert sorted(report.sources[0].reasons) == ["not_an_option", "unknown_project"]
    again = run_ingest([file_source(FIXTURE, "customer-survey")], standards=standards, db_path=db,
                       instruments=INSTRUMENTS)
    assert again.total["new"] == 0 and again.total["unchanged"] == 4
    responses = survey.read_survey(db)
    assert len(responses) == 4
    # the owner's e-mail column is never stored, anywhere in the file
    assert b"owner@example.com" not in db.read_bytes()
    assert {q.checklist for q in read_quarantine(db)} == {"customer-survey"}

    means = {(r.project, r.month): sum(r.answers.values()) / len(r.answers) for r in responses}
    assert means[("lanting", "2026-10")] == 5.0
    page = pages.satisfaction_files(standards, responses)["results/satisfaction.md"]
    # 梧桐苑 2026-10: (5+4+3+4+5 + 3+3+2+3+3) / 10 = 3.5 with n=2; 2026-11: 20/5 = 4.0 with n=1
    assert "| 梧桐苑 | 3.50（n=2） | 4.00（n=1） | 3.67（n=3） |" in page
    assert "| 兰亭雅居 | 5.00（n=1） | — | 5.00（n=1） |" in page
    # lowest question: speed (3+2+4+5)/4 = 3.50
    lowest = page.split("## 得分最低的题目")[1].splitlines()[4]
    assert lowest == "| 对您的诉求响应及时 | 3.50 | 4 |"      # no question ids on the page
    assert "<script>" not in page and "&lt;script&gt;" in page


def test_fake_forms_and_sheets_carry_the_questionnaire_end_to_end(standards, tmp_path):
    from generator.forms.google import FormsClient, RetryPolicy
    from generator.forms.push import push

    forms = FakeForms().start()
    sheets = FakeSheets().start()
    try:
        key = write_service_account_key(tmp_path / "key.json", forms.url + "/token")
        lock_path = tmp_path / "forms.lock.yaml"
        client = FormsClient(key, "--credentials", forms.url + "/", RetryPolicy(deadline=30, base=0.1))
        [result] = push(standards, lock_path=lock_path, client=client, checklists=["customer-survey"],
                          instruments=INSTRUMENTS)
        assert result.action == "created" and result.title == "客户服务满意度问卷"
        live = forms.forms[result.form_id]
        assert [i["title"] for i in live["items"]] == [i["title"] for i in survey.build_survey_form(standards).items]
        data = read_lock(lock_path)
        entry = data["checklists"]["customer-survey"]
        assert entry["responder_url"] == result.responder_url
        # per-project prefilled links fill the project dropdown
        links = survey.survey_links(data, standards)
        project_qid = next(q["questionItem"]["question"]["questionId"] for q in live["items"] if q["title"] == "项目")
        assert links["wutong"].startswith(result.responder_url + "?usp=pp_url&")
        assert f"{entry_name(project_qid)}=%E6%A2%A7%E6%A1%90%E8%8B%91" in links["wutong"]   # 梧桐苑
        # a second push sends nothing
        [again] = push(standards, lock_path=lock_path, client=client, checklists=["customer-survey"],
                          instruments=INSTRUMENTS)
        assert again.action == "unchanged"

        # responses land in the linked sheet; ingest reads them through the lock
        sim = survey.simulate_survey(standards, dt.date(2026, 10, 1), dt.date(2026, 11, 30), seed=5,
                                     projects=["wutong", "lanting"], hostile_comment=True)
        sheets.add_spreadsheet(SHEET_KEY, "客户服务满意度问卷（回复）",
                               [FakeSheet("表单回复 1", 0, survey.survey_sheet_values(standards, sim))])
        link(lock_path, "customer-survey", SHEET_KEY)
        sa = write_service_account_key(tmp_path / "sa.json", sheets.url + "/token",
                                       "handbook@demo.iam.gserviceaccount.com")
        refs = sources_from_lock(read_locked_forms(lock_path))
        assert [r.checklist for r in refs] == ["customer-survey"]
        db = tmp_path / "store.sqlite"
        report = run_ingest(refs, standards=standards, db_path=db, instruments=INSTRUMENTS,
                            lock=read_locked_forms(lock_path),
                            credentials=sa, endpoint=sheets.url)
        assert report.total["new"] == len(sim) and report.total["quarantined"] == 0
        stored = survey.read_survey(db)
        assert len(stored) == len(sim)
        assert stored[-1].comment == survey.HOSTILE_COMMENT
        expected = sum(sum(r.answers.values()) for r in sim) / sum(len(r.answers) for r in sim)
        got = pages.pooled_mean(stored)
        assert got.n == len(sim) and got.mean == pytest.approx(expected)
    finally:
        sheets.stop()
        forms.stop()


def test_store_upgrades_from_schema_1_and_keeps_its_data(standards, tmp_path):
    from generator import store

    db = legacy_store(tmp_path / "old.sqlite", 1)
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("INSERT INTO ingest_log (started_at, finished_at, report) VALUES ('a', 'b', '{}')")
    conn.close()
    assert survey.read_survey(db) == []       # an old store reads (no questionnaire yet)
    run_ingest([file_source(FIXTURE, "customer-survey")], standards=standards, db_path=db, instruments=INSTRUMENTS)
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == store.SCHEMA_VERSION >= 2
    assert conn.execute("SELECT count(*) FROM ingest_log").fetchone()[0] == 2
    conn.close()
    assert len(survey.read_survey(db)) == 4


@pytest.mark.slow
def test_printable_questionnaire_renders_with_qr_code(standards, tmp_path):
    lock = {"checklists": {"customer-survey": {
        "form_id": "f1", "responder_url": "https://docs.google.com/forms/d/e/FAKE/viewform", "sheets": [],
        "versions": {}}}}
    written = survey.write_survey_sheets(standards, tmp_path, lock, printed_sources=printed_sources(INSTRUMENTS))
    assert written[0] == "print/customer-survey.pdf" and "print/customer-survey-wutong.pdf" in written
    pdf = tmp_path / "print" / "customer-survey-wutong.pdf"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "客户服务满意度问卷" in text and "梧桐苑" in text and "也可以用手机扫码填写" in text
    pages_info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Pages:\s+1$", pages_info, re.M)
    out = output_dir("survey")
    subprocess.run(["pdftoppm", "-png", "-r", "70", "-singlefile", str(pdf), str(out / "customer-survey-wutong")],
                   check=True)
    assert (out / "customer-survey-wutong.png").stat().st_size > 10_000
    blank = survey.render_survey_sheet(standards)
    assert "<svg" not in blank     # no QR code before the form is pushed
