"""One command shape for every instrument (`handbook <instrument> form|push|simulate|…`), each instrument's
commands added by its `register_commands`; the old names stay as aliases for a release and give exactly
the same results (output and files), their help naming the command to use instead."""

from __future__ import annotations

import yaml
from click.testing import CliRunner

from generator.cli import main
from generator.ingest import file_source, run_ingest
from generator.instruments import INSTRUMENTS
from generator.instruments.questionnaire.survey import read_survey
from generator.standards import require_standards

from conftest import ROOT
from fakegoogle.base import write_service_account_key
from fakegoogle.forms import FakeForms

FORMS = ROOT / "forms"


def run(*args, env=None):
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_patrol_simulate_and_the_old_simulate_write_the_same_bytes(tmp_path):
    args = ["--checklist", "crd-spot-check", "--from", "2026-10-01", "--to", "2026-10-31", "--seed", "7",
            "--locale", "zh-TW", "--encoding", "gb18030"]
    new = run("patrol", "simulate", *args, "--out", str(tmp_path / "a.csv"))
    old = run("simulate", *args, "--out", str(tmp_path / "b.csv"))
    assert new.exit_code == old.exit_code == 0, new.output
    assert new.output.replace("a.csv", "x.csv") == old.output.replace("b.csv", "x.csv")
    assert new.output.startswith("已写入 ") and " 份回复（" in new.output
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    # the shipped example is what both make with its documented command
    example = ["--checklist", "crd-spot-check", "--from", "2026-09-14", "--to", "2026-11-22", "--seed", "1"]
    assert run("patrol", "simulate", *example, "--out", str(tmp_path / "c.csv")).exit_code == 0
    assert (tmp_path / "c.csv").read_bytes() == (FORMS / "examples" / "crd-spot-check.csv").read_bytes()


def test_the_old_names_fail_as_the_new_ones_do(tmp_path):
    args = ["--checklist", "daily-patrol", "--from", "2026-10-31", "--to", "2026-10-01", "--out",
            str(tmp_path / "x.csv")]
    new, old = run("patrol", "simulate", *args), run("simulate", *args)
    assert new.exit_code == old.exit_code == 1
    assert new.output == old.output == "错误：--to 2026-10-01 早于 --from 2026-10-31：结束日期不能早于开始日期\n"


def test_questioning_draw_and_questions_draw_draw_the_same(tmp_path):
    args = ["--project", "wutong", "--n", "4", "--seed", "42"]
    new = run("questioning", "draw", *args, "--card", str(tmp_path / "a.html"))
    old = run("questions", "draw", *args, "--card", str(tmp_path / "b.html"))
    assert new.exit_code == old.exit_code == 0, new.output
    assert new.output.replace("a.html", "x.html") == old.output.replace("b.html", "x.html")
    assert new.output.startswith("梧桐苑 · 随机抽问 4 题 · 编号 42")
    assert (tmp_path / "a.html").read_bytes() == (tmp_path / "b.html").read_bytes()


def test_exam_form_and_exam_build_write_the_committed_quiz(tmp_path):
    for command, folder in (("form", tmp_path / "new"), ("build", tmp_path / "old")):
        result = run("exam", command, "--quarter", "2026Q4", "--no-pdf", "--out", str(folder))
        assert result.exit_code == 0, result.output
        assert result.output == f"已写入 {folder / 'exam-2026Q4.json'}（测验，16 道评分题，23 个请求）\n"
        assert (folder / "exam-2026Q4.json").read_bytes() == (FORMS / "exam-2026Q4.json").read_bytes()


def test_each_instruments_form_writes_its_part_of_forms_build(tmp_path):
    every = run("forms", "build", "--out", str(tmp_path / "all"))
    assert every.exit_code == 0, every.output
    # each instrument with forms `forms build` writes (the exam's are a quarter's: `exam form --quarter`)
    standards = require_standards(ROOT / "standards", instruments=INSTRUMENTS)
    own = {i.id: run(i.id, "form", "--out", str(tmp_path / "mine")) for i in INSTRUMENTS if i.form_ids(standards)}
    assert {"patrol", "questionnaire", "fixreport"} <= set(own)
    assert {i: r.exit_code for i, r in own.items()} == dict.fromkeys(own, 0)
    mine = sorted(p.name for p in (tmp_path / "mine").iterdir())
    assert mine == sorted(p.name for p in (tmp_path / "all").iterdir())
    assert {"crd-spot-check.json", "customer-survey.json", "daily-patrol.json", "fix-report.json"} <= set(mine)
    for path in (tmp_path / "mine").iterdir():   # each the committed forms/<id>.json
        assert path.read_bytes() == (FORMS / path.name).read_bytes()
    assert "".join(r.output for r in own.values()) == \
        every.output.replace(str(tmp_path / "all"), str(tmp_path / "mine"))
    assert [line.split("（")[0] for line in own["questionnaire"].output.splitlines()] == \
        [f"已写入 {tmp_path / 'mine' / 'customer-survey.json'}"]
    check = run("patrol", "form", "--check", "--out", str(FORMS))
    assert (check.exit_code, check.output) == (0, "表单定义是最新的（2 个）。\n")


def test_patrol_push_is_forms_push_of_the_checklists(tmp_path):
    env = {"GOOGLE_APPLICATION_CREDENTIALS": None, "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "HANDBOOK_FORMS_ENDPOINT": "http://127.0.0.1:9/"}
    lock = str(tmp_path / "forms.lock.yaml")
    mine = run("patrol", "push", "--dry-run", "--lock", lock, env=env)
    every = run("forms", "push", "--dry-run", "--lock", lock, "--checklist", "daily-patrol",
                "--checklist", "crd-spot-check", env=env)
    assert mine.exit_code == every.exit_code == 0, mine.output
    assert mine.output == every.output
    assert mine.output.startswith("daily-patrol（客服中心每日巡查表）：将新建表单")
    assert "crd-spot-check（" in mine.output and "customer-survey" not in mine.output
    wrong = run("patrol", "push", "--dry-run", "--lock", lock, "--checklist", "customer-survey", env=env)
    assert (wrong.exit_code, wrong.output) == (
        1, "错误：未知的检查表：customer-survey（可选：daily-patrol、crd-spot-check）\n")


def test_questionnaire_push_creates_the_questionnaire_form_only(tmp_path):
    fake = FakeForms().start()
    try:
        key = write_service_account_key(tmp_path / "key.json", fake.url + "/token")
        lock = tmp_path / "forms" / "forms.lock.yaml"
        result = run("questionnaire", "push", "--lock", str(lock), "--credentials", str(key),
                     env={"HANDBOOK_FORMS_ENDPOINT": fake.url + "/"})
    finally:
        fake.stop()
    assert result.exit_code == 0, result.output
    assert list(yaml.safe_load(lock.read_text(encoding="utf-8"))["checklists"]) == ["customer-survey"]
    assert result.output.startswith("customer-survey：新建表单“客户服务满意度问卷”…\n"
                                    "customer-survey：已新建并发布表单 ")
    assert len(fake.forms) == 1


def test_an_instrument_whose_forms_the_standards_do_not_define(standards_dir, tmp_path):
    methods = standards_dir / "methods.yaml"
    text = methods.read_text(encoding="utf-8")
    start, end = text.index("questionnaire:\n"), text.index("questioning:\n")
    methods.write_text(text[:start] + text[end:], encoding="utf-8")
    expected = (1, "错误：标准中没有客户满意度问卷的表单（checklists.yaml 或 methods.yaml 未定义它），"
                   "没有可写出或推送的表单\n")
    form = run("questionnaire", "form", "--standards", str(standards_dir), "--out", str(tmp_path))
    push = run("questionnaire", "push", "--standards", str(standards_dir), "--lock", str(tmp_path / "l.yaml"))
    assert (form.exit_code, form.output) == (push.exit_code, push.output) == expected
    assert list(tmp_path.glob("*.json")) == []


def test_questionnaire_simulate_writes_responses_the_ingest_reads(tmp_path):
    out = tmp_path / "survey.csv"
    result = run("questionnaire", "simulate", "--from", "2026-10-01", "--to", "2026-10-31", "--projects",
                 "wutong,lanting", "--seed", "3", "--out", str(out))
    assert result.exit_code == 0, result.output
    n = int(result.output.split("已写入 ")[1].split(" ")[0])
    assert result.output == f"已写入 {n} 份模拟问卷回复：{out}（zh-CN）\n"
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == n + 1 and 8 <= n <= 24      # 4 to 12 a month for each of the 2 projects
    assert {line.split(",")[1] for line in lines[1:]} == {"梧桐苑", "兰亭雅居"}
    db = tmp_path / "store.sqlite"
    report = run_ingest([file_source(out, "customer-survey")],
                        standards=require_standards(ROOT / "standards", instruments=INSTRUMENTS),
                        db_path=db, instruments=INSTRUMENTS)
    assert (report.total["new"], report.total["quarantined"]) == (n, 0)
    assert len(read_survey(db)) == n
    again = run("questionnaire", "simulate", "--from", "2026-10-01", "--to", "2026-10-31", "--projects",
                "wutong,lanting", "--seed", "3", "--out", str(tmp_path / "again.csv"))
    assert again.exit_code == 0 and (tmp_path / "again.csv").read_bytes() == out.read_bytes()


def test_questionnaire_simulate_refuses_bad_input_in_one_line(tmp_path):
    base = ["questionnaire", "simulate", "--out", str(tmp_path / "x.csv")]
    reversed_ = run(*base, "--from", "2026-10-31", "--to", "2026-10-01")
    assert (reversed_.exit_code, reversed_.output) == (
        1, "错误：--to 2026-10-01 早于 --from 2026-10-31：结束日期不能早于开始日期\n")
    unknown = run(*base, "--from", "2026-10-01", "--to", "2026-10-31", "--projects", "nowhere")
    assert unknown.exit_code == 1
    assert unknown.output.startswith("错误：未知项目“nowhere”；可用项目：wutong（梧桐苑）、")
    assert not (tmp_path / "x.csv").exists()


def test_each_alias_says_it_is_one_and_names_the_new_command():
    for old, new in ((["simulate"], "patrol simulate"), (["exam", "build"], "exam form"),
                     (["questions"], "questioning")):
        result = run(*old, "--help")
        assert result.exit_code == 0
        assert (f"旧命令（别名，保留一个版本）：与 handbook {new} 完全相同，请改用 handbook {new}。"
                in " ".join(result.output.split()))
    listing = run("--help").output
    assert ("simulate 旧命令，同 handbook patrol simulate：请改用 handbook patrol simulate。"
            in " ".join(listing.split()))
    # the alias is the same command under another name: same options, same callback
    group = main
    assert group.get_command(None, "simulate").callback is \
        group.get_command(None, "patrol").get_command(None, "simulate").callback
    assert group.get_command(None, "questions").commands is group.get_command(None, "questioning").commands
