"""腾讯问卷 as a live source through the real HTTP client against a fake OpenAPI on 127.0.0.1, the
platforms' exports as files, the setup sheet, the survey check and the project link parameter."""

from __future__ import annotations

import csv
import datetime as dt
import json
import sqlite3
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.forms.form_spec import build_form
from generator.forms.lock_file import link_tencent
from generator.forms.prefill import project_links
from generator.store import read_inspections, read_quarantine
from generator.ingest.platforms import tencent
from generator.instruments import INSTRUMENTS
from generator.errors import error
from generator.standards import require_standards

from conftest import ROOT, edited
from faketencent import APPID, SECRET, definition_from_spec, make_answer, serving

SID = "12345678"


def one_line(message_id: str, **fields) -> str:
    """The line `错误：` is followed by for a catalogue entry raised with `errors.error`."""
    return str(error(message_id, **fields))
SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module")
def standards():
    return require_standards(ROOT / "standards", instruments=INSTRUMENTS)


@pytest.fixture(scope="module")
def spec(standards):
    return build_form(standards, "daily-patrol", instruments=INSTRUMENTS)


@pytest.fixture
def fake(monkeypatch):
    with serving(monkeypatch, per_page=2) as server:
        yield server


def values(spec, inspector="王敏", date="2026-11-02", role="客服主管", **answers) -> dict:
    """A complete daily patrol: every item 符合 unless given (by code), the opening fields."""
    out = {"角色": role, "检查人": inspector, "检查日期": date}
    for item in spec.items:
        entry = spec.questions.get(item.get("questionItem", {}).get("question", {}).get("questionId"), {})
        if entry.get("item"):
            out[item["title"]] = answers.get(entry["item"], "符合")
    return out


def title_of(spec, code: str) -> str:
    return next(i["title"] for i in spec.items if i["title"].startswith(code + " "))


@pytest.fixture
def project(tmp_path, fake, spec):
    """A survey made from the setup sheet, three answers (the project from the link), linked in the lock."""
    definition = definition_from_spec(spec, int(SID))
    fake.surveys[SID] = definition
    fake.answers[SID] = [
        make_answer(definition, 1, "2026-11-02 09:12:05", values(spec), project="wutong"),
        make_answer(definition, 2, "2026-11-02 10:00:00",
                    values(spec, inspector="李强", **{"4.2.1.1-a": "不符合 2 处"}), project="lanting"),
        make_answer(definition, 3, "2026-11-03 23:30:00", values(spec, date="2026-11-03"), project="binjiang"),
    ]
    lock = tmp_path / "forms.lock.yaml"
    result = run("forms", "tencent-link", "--checklist", "daily-patrol", "--survey",
                 f"https://wj.qq.com/s2/{SID}/ab12/", "--lock", str(lock))
    assert result.exit_code == 0, result.output
    return tmp_path, lock, definition


def run(*args):
    return CliRunner().invoke(main, [*args, "--standards", str(ROOT / "standards")] if args[0] != "ingest"
                              else [*args, "--standards", str(ROOT / "standards")])


def ingest(tmp_path, lock, *extra):
    return run("ingest", "--store", str(tmp_path / "store.sqlite"), "--lock", str(lock), *extra)


def stored_answers(db):
    with sqlite3.connect(db) as conn:
        return {aid: (json.loads(a), deleted) for aid, a, deleted in conn.execute(
            "SELECT answer_id, answer, deleted_at FROM platform_answers WHERE platform = 'tencent' AND survey = ?",
            (SID,))}


# ---------------------------------------------------------------- the live source

def test_link_records_the_survey_and_ingest_pulls_every_page(project, fake, spec):
    tmp_path, lock, _ = project
    text = lock.read_text(encoding="utf-8")
    assert "source: tencent" in text and f"survey_id: '{SID}'" in text
    result = ingest(tmp_path, lock)
    assert result.exit_code == 0, result.output
    assert f"daily-patrol ← 腾讯问卷 {SID}" in result.output
    assert "读取 3 行：新增 3，修改 0，未变 0，隔离 0" in result.output
    # one token for the whole run (link and ingest share this process's cache); pages of 2: 2 + the empty one
    assert fake.tokens_issued == 1
    pages = [q["last_answer_id"] for k, q in fake.log if k == "answers"]
    assert pages == ["0", "2", "3"]
    inspections = sorted(read_inspections(tmp_path / "store.sqlite"), key=lambda i: i.submitted_at)
    assert [(i.project, i.inspector, i.date) for i in inspections] == [
        ("wutong", "王敏", dt.date(2026, 11, 2)), ("lanting", "李强", dt.date(2026, 11, 2)),
        ("binjiang", "王敏", dt.date(2026, 11, 3))]
    # naive local times read in the organisation's zone, not UTC
    assert inspections[2].submitted_at == dt.datetime(2026, 11, 3, 23, 30, tzinfo=SH)
    assert inspections[1].findings["4.2.1.1-a"] == 2 and inspections[0].findings["4.2.1.1-a"] == 0
    kept = stored_answers(tmp_path / "store.sqlite")
    assert sorted(kept) == [1, 2, 3]
    answer, deleted = kept[1]
    assert deleted is None and answer["link_project"] == "wutong"
    assert "ip" not in answer and "wechat_work_user" not in answer     # who answered is never stored


def test_weekly_run_reads_from_the_high_water_mark_less_the_window(project, fake, spec, monkeypatch):
    tmp_path, lock, definition = project
    assert ingest(tmp_path, lock).exit_code == 0
    monkeypatch.setattr(tencent, "REREAD", 1)
    fake.answers[SID].append(make_answer(definition, 4, "2026-11-04 08:00:00", values(spec, date="2026-11-04"),
                                         project="wutong"))
    fake.log.clear()
    result = ingest(tmp_path, lock)
    assert result.exit_code == 0, result.output
    assert "读取 4 行：新增 1，修改 0，未变 3" in result.output
    assert [q["last_answer_id"] for k, q in fake.log if k == "answers"] == ["2", "4"]


def test_edit_and_deletion_inside_the_window(project, fake, spec):
    tmp_path, lock, definition = project
    assert ingest(tmp_path, lock).exit_code == 0
    fake.answers[SID][1] = make_answer(definition, 2, "2026-11-02 10:00:00",
                                       values(spec, inspector="李强", **{"4.2.1.1-a": "不符合 3 处"}),
                                       project="lanting")
    del fake.answers[SID][2]      # answer 3 deleted on the platform
    result = ingest(tmp_path, lock)
    assert result.exit_code == 0, result.output
    assert "读取 2 行：新增 0，修改 1，未变 1，隔离 0；来源中已删除 1" in result.output
    kept = stored_answers(tmp_path / "store.sqlite")
    assert kept[3][1] is not None           # kept, marked deleted there
    live = read_inspections(tmp_path / "store.sqlite")
    assert sorted(i.findings["4.2.1.1-a"] for i in live) == [0, 3]


def test_deletion_is_reported_and_a_dry_run_writes_nothing(project, fake):
    tmp_path, lock, _ = project
    assert ingest(tmp_path, lock).exit_code == 0
    db = tmp_path / "store.sqlite"
    before = db.read_bytes()
    del fake.answers[SID][0]
    result = ingest(tmp_path, lock, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "注意：腾讯问卷中已删除 1 份答卷（答卷编号 1）" in result.output
    assert "来源中已删除 1" in result.output
    assert db.read_bytes() == before
    fake.answers[SID].clear()     # every answer gone: refused as any emptied source is
    result = ingest(tmp_path, lock)
    assert result.exit_code == 1
    assert "来源为空" in result.output and "--accept-deletions" in result.output
    assert db.read_bytes() == before


def test_spot_check_with_the_questioning_matrix(tmp_path, fake, standards):
    spec = build_form(standards, "crd-spot-check", instruments=INSTRUMENTS)
    definition = definition_from_spec(spec, 777)
    fake.surveys["777"] = definition
    grid = next(q for q in spec.items if "questionGroupItem" in q)["title"]
    rows = [r["rowQuestion"]["title"] for r in next(q for q in spec.items if "questionGroupItem" in q)[
        "questionGroupItem"]["questions"]]
    answer = values(spec, role="客户关系部", inspector="赵刚")
    answer.update({"被抽问人员（4.4.2.1）": "小李", grid: {rows[0]: "答对", rows[2]: "答错"}})
    fake.answers["777"] = [make_answer(definition, 1, "2026-11-05 14:00:00", answer, project="xiangshu")]
    lock = tmp_path / "forms.lock.yaml"
    link_tencent(lock, "crd-spot-check", "777", "https://wj.qq.com/s2/777/x/")
    result = run("ingest", "--store", str(tmp_path / "s.sqlite"), "--lock", str(lock))
    assert result.exit_code == 0, result.output
    assert "新增 1" in result.output
    (inspection,) = read_inspections(tmp_path / "s.sqlite")
    assert (inspection.project, inspection.role, inspection.inspector) == ("xiangshu", "crd", "赵刚")
    with sqlite3.connect(tmp_path / "s.sqlite") as conn:
        got = sorted(conn.execute("SELECT question, result, staff FROM questioning_answers"))
    assert got == sorted([(rows[0].split()[0], "答对", "小李"), (rows[2].split()[0], "答错", "小李")])


def test_unknown_option_is_quarantined_with_its_reason(project, fake, spec):
    tmp_path, lock, definition = project
    fake.answers[SID].append(make_answer(definition, 4, "2026-11-04 08:00:00",
                                         values(spec, **{"4.2.1.2-a": ("id", "o-999")}), project="wutong"))
    result = ingest(tmp_path, lock)
    assert result.exit_code == 0, result.output
    assert "第 4 行：条目 4.2.1.2-a 的答案“〔未知选项 o-999〕”不是选项" in result.output
    assert len(read_quarantine(tmp_path / "store.sqlite")) == 1


def test_answer_without_project_link_is_quarantined(project, fake, spec):
    tmp_path, lock, definition = project
    fake.answers[SID].append(make_answer(definition, 4, "2026-11-04 08:00:00", values(spec)))
    result = ingest(tmp_path, lock)
    assert "第 4 行：缺少必填答案：项目" in result.output


def test_rate_limit_5xx_and_an_expired_token_are_survived(project, fake):
    tmp_path, lock, _ = project
    fake.fail("answers", (200, "request_rate_limited"), (503, ""), (200, "invalid_access_token"))
    result = ingest(tmp_path, lock)
    assert result.exit_code == 0, result.output
    assert "新增 3" in result.output
    assert fake.tokens_issued == 2        # refreshed once


@pytest.mark.parametrize("setup, message", [
    (lambda f: f.fail("legacy", (200, "invalid_access_token"), (200, "invalid_access_token")),
     one_line("tencent_token_rejected", type="invalid_access_token")),
    # a 401 whose body is not JSON (a proxy's page), after a fresh token too
    (lambda f: f.fail("legacy", (401, "html"), (401, "html")), one_line("tencent_token_rejected", type="HTTP 401")),
    (lambda f: setattr(f, "plan", False), one_line("tencent_no_plan", checklist="daily-patrol")),
    (lambda f: f.fail("answers", *[(200, "request_rate_limited")] * 3),
     one_line("tencent_rate_limited", type="request_rate_limited", tries=3, seconds=0)),
    (lambda f: f.fail("answers", *[(502, "")] * 3),
     one_line("tencent_unavailable", what=f"问卷 {SID} 的答卷", problem="HTTP 502", tries=3, seconds=0)),
    (lambda f: f.surveys.pop(SID), one_line("tencent_forbidden", survey=SID, type="permission_denied")),
    (lambda f: f.fail("legacy", (200, "invalid_argument_url")),
     one_line("tencent_bad_argument", survey=SID, type="invalid_argument_url")),
])
def test_each_error_is_one_line_and_nothing_is_written(project, fake, setup, message):
    tmp_path, lock, _ = project
    assert ingest(tmp_path, lock).exit_code == 0
    db = tmp_path / "store.sqlite"
    before = db.read_bytes()
    tencent.forget_tokens()
    setup(fake)
    result = ingest(tmp_path, lock)
    assert result.exit_code == 1
    assert result.output == f"错误：{message}\n"
    assert db.read_bytes() == before


def test_wrong_secret_and_missing_credentials(project, fake, monkeypatch, tmp_path):
    tmp, lock, _ = project
    tencent.forget_tokens()
    monkeypatch.setenv("HANDBOOK_TENCENT_SECRET", "wrong")
    result = ingest(tmp, lock)
    assert result.exit_code == 1
    assert result.output == f"错误：{one_line('tencent_bad_secret', type='invalid_argument_url')}\n"
    assert "wrong" not in result.output
    assert not (tmp / "store.sqlite").exists()
    monkeypatch.delenv("HANDBOOK_TENCENT_SECRET")
    monkeypatch.delenv("HANDBOOK_TENCENT_APPID")
    monkeypatch.setenv("HANDBOOK_TENCENT_CREDENTIALS", str(tmp_path / "none.env"))
    result = ingest(tmp, lock)
    assert result.output == "错误：" + one_line("tencent_no_credentials", env_id="HANDBOOK_TENCENT_APPID",
                                               env_secret="HANDBOOK_TENCENT_SECRET", file=tmp_path / "none.env") + "\n"
    creds = tmp_path / "tencent.env"
    creds.write_text(f"# 腾讯问卷\nHANDBOOK_TENCENT_APPID={APPID}\nHANDBOOK_TENCENT_SECRET={SECRET}\n",
                     encoding="utf-8")
    monkeypatch.setenv("HANDBOOK_TENCENT_CREDENTIALS", str(creds))
    result = ingest(tmp, lock)
    assert result.exit_code == 0, result.output
    assert SECRET not in result.output


def test_a_survey_not_ours_and_a_changed_definition_are_refused(project, fake, spec):
    tmp_path, lock, definition = project
    fake.surveys[SID] = {"id": int(SID), "title": "年会报名", "state": 2, "pages": [
        {"id": "p-1", "questions": [{"id": "q-1", "type": "text", "title": "姓名", "options": []}]}]}
    result = ingest(tmp_path, lock)
    assert result.output == "错误：" + one_line("tencent_not_ours", survey=SID, title="年会报名",
                                             checklist="daily-patrol",
                                               problem="没有一道题以本检查表的条目代码开头") + "\n"
    changed = json.loads(json.dumps(definition))
    question = next(q for p in changed["pages"] for q in p["questions"] if q["title"].startswith("4.2.1.2-d "))
    question["options"][1]["text"] = "不符合"
    fake.surveys[SID] = changed
    result = ingest(tmp_path, lock)
    assert result.exit_code == 1
    assert "腾讯问卷问卷 12345678 的题目与标准不再一致：题目“4.2.1.2-d 不随意吐痰”的选项“不符合”不在标准中；" \
           "题目“4.2.1.2-d 不随意吐痰”缺少选项“不符合 1 处及以上（扣完）”" in result.output
    assert not (tmp_path / "store.sqlite").exists()


def test_check_flags_a_recorded_survey_the_standards_no_longer_match(project, tmp_path):
    _, lock, _ = project
    ok = CliRunner().invoke(main, ["check", "--standards", str(ROOT / "standards"), "--lock", str(lock)])
    assert ok.exit_code == 0, ok.output
    folder = tmp_path / "standards"
    folder.mkdir()
    texts = edited("procedure.yaml", "short: 不随意吐痰\n                    text: 不得在办公区随意吐痰。\n"
                   "                    points: 5\n                    deduction: 5",
                   "short: 不随意吐痰\n                    text: 不得在办公区随意吐痰。\n"
                   "                    points: 5\n                    deduction: 2.5")
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--standards", str(folder), "--lock", str(lock)])
    assert result.exit_code == 1
    assert (f"检查表“daily-patrol”的腾讯问卷问卷 {SID} 与标准不一致：题目“4.2.1.2-d 不随意吐痰”的选项"
            "“不符合 1 处及以上（扣完）”不在标准中") in result.output


def test_links_and_qr_codes_carry_the_project(project, standards):
    _, lock, _ = project
    from generator.forms.lock_file import read_lock

    links = project_links(read_lock(lock), standards, "daily-patrol")
    assert links["wutong"] == f"https://wj.qq.com/s2/{SID}/ab12/?project=wutong"
    assert links["haitang"] == f"https://wj.qq.com/s2/{SID}/ab12/?project=haitang"


def test_setup_sheet_lists_items_with_codes_and_options(tmp_path):
    out = tmp_path / "setup.txt"
    result = run("forms", "tencent-setup", "--checklist", "crd-spot-check", "--out", str(out))
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "4.2.1.2-d 不随意吐痰\n  ○ 符合\n  ○ 不符合 1 处及以上（扣完）\n  ○ 不适用\n" in text
    assert "矩阵单选题" in text        # the questioning grid
    assert "\n项目\n" not in text      # the project comes with the link


# ---------------------------------------------------------------- exports as files

def _patrol_rows(spec, n=2):
    """(header titles, rows of answers) of a daily patrol export: the opening fields, then every item."""
    items = [i["title"] for i in spec.items if i["title"][0].isdigit() and "questionItem" in i]
    rows = []
    for k in range(n):
        answers = ["不符合 1 处" if (k == 1 and t.startswith("4.2.1.2-a ")) else "符合" for t in items]
        rows.append((k, answers))
    return items, rows


NOTES = ["问题说明（4.2.1 服务场景）", "已当场纠正（4.2.1 服务场景）", "问题说明（4.2.2 服务行为）",
         "已当场纠正（4.2.2 服务行为）"]


def _notes(spec):
    return [i["title"] for i in spec.items if i["title"].startswith(("问题说明", "已当场纠正"))]


def test_tencent_csv_export(tmp_path, spec):
    items, rows = _patrol_rows(spec)
    notes = _notes(spec)
    header = ["编号", "开始答题时间", "结束答题时间", "答题时长", "地理位置国家和地区", "地理位置省", "地理位置市",
              "用户类型",
              "用户标识", "昵称", "自定义字段", "1.角色", "2.检查人", "3.检查日期:请选择", "3.检查日期:请选择",
              "3.检查日期:请选择"] + [f"{4 + i}.{t}" for i, t in enumerate(items + notes)]
    path = tmp_path / "腾讯问卷.csv"
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f, quoting=csv.QUOTE_ALL)
        w.writerow(header)
        for k, answers in rows:
            w.writerow([str(41 + k), "2026-11-02 09:00:00", f"2026-11-02 {9 + 2 * k:02d}:1{k}:00", "72", "中国",
                        "广东省", "深圳市",
                        "微信", "oXyz", "小王", "project=wutong", "客服主管", "\t014", "2026", "11", "2"]
                       + answers + [""] * len(notes))
    result = run("ingest", "--file", str(path), "--checklist", "daily-patrol", "--store", str(tmp_path / "s.sqlite"))
    assert result.exit_code == 0, result.output
    assert "读取 2 行：新增 2" in result.output
    inspections = sorted(read_inspections(tmp_path / "s.sqlite"), key=lambda i: i.submitted_at)
    assert [(i.project, i.inspector, i.date) for i in inspections] == [("wutong", "014", dt.date(2026, 11, 2))] * 2
    assert inspections[1].findings["4.2.1.2-a"] == 1
    assert inspections[1].submitted_at == dt.datetime(2026, 11, 2, 11, 11, tzinfo=SH)   # two patrols, hours apart
    with sqlite3.connect(tmp_path / "s.sqlite") as conn:
        raw = " ".join(r for (r,) in conn.execute("SELECT cells FROM raw_rows"))
        numbers = sorted(n for (n,) in conn.execute("SELECT row_number FROM raw_rows"))
    assert "小王" not in raw and "oXyz" not in raw and "深圳市" not in raw   # who answered: left out
    assert numbers == [41, 42]                                               # rows numbered by answer id


def test_wjx_gbk_export_and_jinshuju_xlsx(tmp_path, spec):
    items, rows = _patrol_rows(spec)
    notes = _notes(spec)
    path = tmp_path / "问卷星.csv"
    with open(path, "w", encoding="gbk", newline="") as f:
        w = csv.writer(f)
        w.writerow(["序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自IP", "1、项目", "2、角色", "3、检查人",
                    "4、检查日期"] + [f"{5 + i}、{t}" for i, t in enumerate(items + notes)])
        for k, answers in rows:
            w.writerow([k + 1, f"2026/11/02 {10 + 2 * k}:0{k}:00", "528秒", "手机提交", "直接访问",
                        "10.1.2.3(广东-深圳)",
                        "兰亭雅居", "项目经理", "陈静", "2026-11-02"] + answers + [""] * len(notes))
    result = run("ingest", "--file", str(path), "--checklist", "daily-patrol", "--store", str(tmp_path / "w.sqlite"))
    assert result.exit_code == 0, result.output
    got = read_inspections(tmp_path / "w.sqlite")
    assert sorted((i.project, i.role, i.findings["4.2.1.2-a"]) for i in got) == [
        ("lanting", "project_manager", 0), ("lanting", "project_manager", 1)]
    with sqlite3.connect(tmp_path / "w.sqlite") as conn:
        assert "10.1.2.3" not in " ".join(r for (r,) in conn.execute("SELECT cells FROM raw_rows"))

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["序号", "项目", "角色", "检查人", "检查日期"] + items + notes
                 + ["提交人", "提交时间", "修改时间", "填写设备", "IP"])
    for k, answers in rows:
        sheet.append([k + 1, "海棠湾", "客服主管", "周丽", dt.date(2026, 11, 5)] + answers + [""] * len(notes)
                     + ["", dt.datetime(2026, 11, 5, 8 + 2 * k, 30 + k), None, "iPhone", "10.9.8.7"])
    xlsx = tmp_path / "金数据.xlsx"
    book.save(xlsx)
    result = run("ingest", "--file", str(xlsx), "--checklist", "daily-patrol", "--store", str(tmp_path / "j.sqlite"))
    assert result.exit_code == 0, result.output
    got = read_inspections(tmp_path / "j.sqlite")
    assert sorted((i.project, i.submitted_at) for i in got) == [
        ("haitang", dt.datetime(2026, 11, 5, 8, 30, tzinfo=SH)),
        ("haitang", dt.datetime(2026, 11, 5, 10, 31, tzinfo=SH))]


def test_export_of_another_survey_is_refused(tmp_path):
    path = tmp_path / "other.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自IP", "1、姓名", "2、部门"])
        w.writerow([1, "2026/11/02 10:00:00", "20秒", "手机提交", "直接访问", "10.1.2.3", "张三", "财务部"])
    result = run("ingest", "--file", str(path), "--checklist", "daily-patrol", "--store", str(tmp_path / "o.sqlite"))
    assert result.exit_code == 1
    assert result.output.startswith(f"错误：文件 {path} 的表头缺少检查表“daily-patrol”的 ")
    assert not (tmp_path / "o.sqlite").exists()


def test_simulated_week_scores_the_same_from_the_api_as_from_the_export(tmp_path, fake, spec, standards):
    """The demo's simulated responses served by the fake 腾讯问卷: the same inspections as the CSV export gives."""
    from generator.ingest.values import parse_datetime

    export = tmp_path / "daily-patrol.csv"
    result = run("patrol", "simulate", "--checklist", "daily-patrol", "--from", "2026-11-02", "--to", "2026-11-08",
                 "--seed", "3", "--out", str(export))
    assert result.exit_code == 0, result.output
    with open(export, encoding="utf-8-sig", newline="") as f:
        header, *rows = list(csv.reader(f))
    definition = definition_from_spec(spec, 4242)
    fake.surveys["4242"] = definition
    ids = {p.name: p.id for p in standards.organisation.projects}
    fake.answers["4242"] = [
        make_answer(definition, n, parse_datetime(row[0], SH, SH).strftime("%Y-%m-%d %H:%M:%S"),
                    {title: cell for title, cell in zip(header[2:], row[2:]) if cell}, project=ids[row[1]])
        for n, row in enumerate(rows, 1)]
    lock = tmp_path / "forms.lock.yaml"
    link_tencent(lock, "daily-patrol", "4242", "https://wj.qq.com/s2/4242/x/")
    from_api = run("ingest", "--store", str(tmp_path / "api.sqlite"), "--lock", str(lock))
    from_file = run("ingest", "--file", str(export), "--checklist", "daily-patrol",
                    "--store", str(tmp_path / "file.sqlite"))
    assert from_api.exit_code == 0 and from_file.exit_code == 0, from_api.output + from_file.output
    assert f"读取 {len(rows)} 行：新增 {len(rows)}" in from_api.output

    def comparable(db):
        return sorted((i.project, i.role, i.inspector, i.date, i.submitted_at, sorted(i.findings.items()),
                       sorted(i.notes.items()), sorted(i.corrected.items())) for i in read_inspections(db))

    assert len(rows) > 100
    assert comparable(tmp_path / "api.sqlite") == comparable(tmp_path / "file.sqlite")


def _export(platform: str, spec, when):
    """(header, rows) of a two-answer daily patrol export of `platform`, times given by `when(k)`."""
    items, rows = _patrol_rows(spec)
    notes = _notes(spec)
    if platform == "tencent":
        header = ["编号", "开始答题时间", "结束答题时间", "答题时长", "用户类型", "用户标识", "昵称", "自定义字段",
                  "1.角色", "2.检查人", "3.检查日期"] + [f"{4 + i}.{t}" for i, t in enumerate(items + notes)]
        body = [[k + 7, when(k), when(k), 60, "微信", "oAbc", "阿明", "project=jinqiao", "客服主管", "孙丽",
                 "2026-11-06"] + a + [""] * len(notes) for k, a in rows]
    elif platform == "wjx":
        header = ["序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自IP", "1、项目", "2、角色", "3、检查人",
                  "4、检查日期"] + [f"{5 + i}、{t}" for i, t in enumerate(items + notes)]
        body = [[k + 1, when(k), "1分28秒", "微信", "N/A", "10.0.0.1", "金桥公寓", "客服主管", "孙丽", "2026-11-06"]
                + a + [""] * len(notes) for k, a in rows]
    else:
        header = ["序号", "项目", "角色", "检查人", "检查日期"] + items + notes + ["提交人", "提交时间", "IP"]
        body = [[k + 1, "金桥公寓", "客服主管", "孙丽", "2026-11-06"] + a + [""] * len(notes)
                + ["", when(k), "10.0.0.1"]
                for k, a in rows]
    return header, body


@pytest.mark.parametrize("platform, kind", [("tencent", "xlsx"), ("tencent", "gbk"), ("wjx", "xlsx"),
                                            ("wjx", "utf-8-sig"), ("jinshuju", "gbk"), ("jinshuju", "utf-8")])
def test_every_platform_export_in_csv_and_xlsx(tmp_path, spec, platform, kind):
    if kind == "xlsx":
        import openpyxl

        header, body = _export(platform, spec, lambda k: dt.datetime(2026, 11, 6, 18 + 2 * k, 5 + k))   # typed cells
        book = openpyxl.Workbook()
        book.active.append(header)
        for row in body:
            book.active.append(row)
        path = tmp_path / "export.xlsx"
        book.save(path)
    else:
        header, body = _export(platform, spec,
                               lambda k: f"2026/11/06 {18 + 2 * k}:0{5 + k}:00")   # two patrols, hours apart
        path = tmp_path / "export.csv"
        with open(path, "w", encoding=kind, newline="") as f:
            csv.writer(f).writerows([header, *body])
    result = run("ingest", "--file", str(path), "--checklist", "daily-patrol", "--store", str(tmp_path / "s.sqlite"))
    assert result.exit_code == 0, result.output
    assert "读取 2 行：新增 2，修改 0，未变 0，隔离 0" in result.output
    got = sorted(read_inspections(tmp_path / "s.sqlite"), key=lambda i: i.submitted_at)
    assert [(i.project, i.inspector, i.date, i.submitted_at, i.findings["4.2.1.2-a"]) for i in got] == [
        ("jinqiao", "孙丽", dt.date(2026, 11, 6), dt.datetime(2026, 11, 6, 18, 5, tzinfo=SH), 0),
        ("jinqiao", "孙丽", dt.date(2026, 11, 6), dt.datetime(2026, 11, 6, 20, 6, tzinfo=SH), 1)]
    assert "未对应任何题目的列" not in result.output    # the platforms' own columns are not questions


def test_forms_push_leaves_a_tencent_checklist_alone(project):
    _, lock, _ = project
    result = CliRunner().invoke(main, ["forms", "push", "--dry-run", "--checklist", "daily-patrol",
                                       "--lock", str(lock), "--standards", str(ROOT / "standards")])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"daily-patrol（客服中心每日巡查表）：在腾讯问卷填写（问卷 {SID}），没有 Google "
                                    "表单，跳过")
