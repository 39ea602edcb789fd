"""Scoring cases on the real CLI and a real store, each number worked out by hand.

Case 9   扣完为止 is reachable from the form; answers given with the first forms' options keep their meaning.
Case 10  An inspection with no applicable item has no percent and no grade, is not ranked, counts as a patrol.
Case 13  A 红线 incident is one inspection with a failed 红线 item; every grade shown is the vetoed one.
Case 14  `check --strict` flags a role named as an item's checker that no checklist gives the item.

The daily patrol (13 items, 50 points): 4.2.1.1-a 5/1 per finding, -b 3/1, -c 3/1, 4.2.1.2-a 4/1, -b 4/1,
-c 3/1, -d 5/5 红线, -e 3/1, -f 3/3, 4.2.2.1-x1 4/2, -x2 4/2, -x3 4/2, -x4 5/5 红线.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import json
import math

import pytest
import yaml
from click.testing import CliRunner

from generator.cli import main
from generator.forms.form_spec import build_form
from generator.forms.google import FormsClient, RetryPolicy
from generator.forms.push import push
from generator.store import read_inspections
from generator.inspection import ANSWER_LABELS
from generator.instruments import INSTRUMENTS
from generator.standards import load_standards

from conftest import STANDARDS, line_of
from fakegoogle.base import write_service_account_key
from fakegoogle.forms import FakeForms
from site_helpers import copy_site_sources

S = load_standards(STANDARDS, instruments=INSTRUMENTS).standards
DAILY = [i.code for i in S.checklist_items("daily-patrol")]
LEGACY_WORST = "不符合 3 处及以上"


def run(*args, env=None):
    result = CliRunner().invoke(main, [str(a) for a in args], env=env, catch_exceptions=False)
    return result


def form_questions(tmp_path) -> list[dict]:
    """The daily patrol's questions as `handbook forms build` writes them: title, kind, options."""
    out = tmp_path / "forms"
    result = run("forms", "build", "--out", out)
    assert result.exit_code == 0, result.output
    data = json.loads((out / "daily-patrol.json").read_text(encoding="utf-8"))
    questions = []
    for request in data["batchUpdate"]["requests"]:
        item = request.get("createItem", {}).get("item", {})
        question = item.get("questionItem", {}).get("question")
        if question:
            meaning = data["questions"][question["questionId"]]
            options = [o["value"] for o in question.get("choiceQuestion", {}).get("options", [])]
            questions.append({"title": item["title"], "item": meaning.get("item"), "options": options})
    return questions


def write_export(path, questions, rows):
    """A response sheet export: one column per form question; `rows` give the fields and answers by code."""
    header = ["时间戳记"] + [q["title"] for q in questions]
    fields = {"项目": "project", "角色": "role", "检查人": "inspector", "检查日期": "date"}
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        for row in rows:
            cells = [row["at"]]
            for q in questions:
                if q["item"]:
                    cells.append(row["answer"](q))
                else:
                    cells.append(row.get(fields.get(q["title"], ""), ""))
            writer.writerow(cells)
    return path


def response(at, project, role, answer, inspector="张主管"):
    return {"at": at, "project": project, "role": role, "inspector": inspector, "date": at[:10], "answer": answer}


def worst(q):        # the last 不符合 option: 不符合 N 处及以上（扣完）
    return q["options"][-2]


def compliant(q):
    return "符合"


def not_applicable(q):
    return "不适用"


def red_lines_emptied(q):
    return worst(q) if S.items[q["item"]].critical else "符合"


def ingest(csv_path, store, *extra):
    result = run("ingest", "--file", csv_path, "--checklist", "daily-patrol", "--store", store, *extra)
    assert result.exit_code == 0, result.output
    return result


def export(store, table):
    result = run("export", "--table", table, "--store", store)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# ---------------------------------------------------------------- case 9: the form reaches 扣完为止

def test_every_item_offers_options_up_to_the_count_that_empties_it(tmp_path):
    questions = {q["item"]: q for q in form_questions(tmp_path) if q["item"]}
    assert list(questions) == DAILY
    assert questions["4.2.1.1-a"]["options"] == ["符合", "不符合 1 处", "不符合 2 处", "不符合 3 处", "不符合 4 处",
                                                 "不符合 5 处及以上（扣完）", "不适用"]          # 5 points, 1 each
    assert questions["4.2.1.2-a"]["options"] == ["符合", "不符合 1 处", "不符合 2 处", "不符合 3 处",
                                                 "不符合 4 处及以上（扣完）", "不适用"]          # 4 points, 1 each
    assert questions["4.2.2.1-x1"]["options"] == ["符合", "不符合 1 处", "不符合 2 处及以上（扣完）", "不适用"]
    assert questions["4.2.1.2-d"]["options"] == ["符合", "不符合 1 处及以上（扣完）", "不适用"]   # 5 points, 5 each
    for code, q in questions.items():   # the last 不符合 option takes every point of the item
        item = S.items[code]
        n = int(q["options"][-2].split()[1])
        assert item.points - n * item.deduction <= 0 < item.points - (n - 1) * item.deduction, code


def test_the_worst_option_on_every_item_scores_zero(tmp_path):
    questions = form_questions(tmp_path)
    export_csv = write_export(tmp_path / "daily.csv", questions, [
        response("2026-11-16 09:00:00", "梧桐苑", "客服主管", worst)])
    store = tmp_path / "store.sqlite"
    ingest(export_csv, store)
    [row] = export(store, "inspections")
    # every item emptied: 0 of 5+3+3+4+4+3+5+3+3+4+4+4+5 = 50
    assert (row["earned"], row["possible"], row["percent"], row["grade"]) == (0, 50, 0.0, "不合格")
    [stored] = read_inspections(store)
    assert stored.findings == {"4.2.1.1-a": 5, "4.2.1.1-b": 3, "4.2.1.1-c": 3, "4.2.1.2-a": 4, "4.2.1.2-b": 4,
                               "4.2.1.2-c": 3, "4.2.1.2-d": 1, "4.2.1.2-e": 3, "4.2.1.2-f": 1, "4.2.2.1-x1": 2,
                               "4.2.2.1-x2": 2, "4.2.2.1-x3": 2, "4.2.2.1-x4": 1}


def test_answers_with_the_first_forms_options_keep_their_meaning(tmp_path):
    """The lock records the first version's five labels by position; 不符合 3 处及以上 stays 3 findings."""
    questions = form_questions(tmp_path)
    lock = tmp_path / "forms.lock.yaml"
    lock.write_text(yaml.safe_dump({"checklists": {"daily-patrol": {
        "form_id": "f1", "sheets": [], "versions": {"2026.10": {
            "pushed": dt.datetime(2026, 10, 1, 9, tzinfo=dt.timezone(dt.timedelta(hours=8))),
            "options": list(ANSWER_LABELS), "questions": {}}}}}}, allow_unicode=True), encoding="utf-8")
    export_csv = write_export(tmp_path / "daily.csv", questions, [
        response("2026-11-02 09:00:00", "梧桐苑", "客服主管", lambda q: LEGACY_WORST),
        response("2026-11-16 09:00:00", "兰亭雅居", "客服主管", worst)])
    store = tmp_path / "store.sqlite"
    ingest(export_csv, store, "--lock", lock)
    rows = {r["project"]: r for r in export(store, "inspections")}
    # 3 findings each: 4.2.1.1-a 5-3=2, 4.2.1.2-a 4-3=1, 4.2.1.2-b 4-3=1, every other item 0 -> 4 of 50 = 8%
    assert (rows["wutong"]["earned"], rows["wutong"]["possible"], rows["wutong"]["percent"]) == (4, 50, 8.0)
    assert (rows["lanting"]["earned"], rows["lanting"]["percent"]) == (0, 0.0)
    legacy = next(i for i in read_inspections(store) if i.project == "wutong")
    assert legacy.findings == {code: 3 for code in DAILY}


def test_a_recorded_version_without_answers_still_reads_its_labels_by_position(tmp_path):
    """Labels renamed in an old version (recorded as five options, no `answers`) map by position as before."""
    questions = form_questions(tmp_path)
    lock = tmp_path / "forms.lock.yaml"
    lock.write_text(yaml.safe_dump({"checklists": {"daily-patrol": {
        "form_id": "f1", "sheets": [], "versions": {"2026.09": {
            "pushed": dt.datetime(2026, 9, 1, 9, tzinfo=dt.timezone(dt.timedelta(hours=8))),
            "options": ["合格", "一处", "两处", "三处以上", "不涉及"], "questions": {}}}}}}, allow_unicode=True),
        encoding="utf-8")
    export_csv = write_export(tmp_path / "daily.csv", questions, [
        response("2026-11-02 09:00:00", "梧桐苑", "客服主管", lambda q: "三处以上"),
        response("2026-11-02 15:00:00", "梧桐苑", "客服主管",
                 lambda q: "不涉及" if q["item"] != "4.2.1.1-a" else "两处")])
    store = tmp_path / "store.sqlite"
    ingest(export_csv, store, "--lock", lock)
    rows = sorted(export(store, "inspections"), key=lambda r: r["at"])
    assert (rows[0]["earned"], rows[0]["percent"]) == (4, 8.0)                 # 3 findings each, as above
    assert (rows[1]["earned"], rows[1]["possible"], rows[1]["percent"]) == (3, 5, 60.0)   # 5 - 2, the rest 不涉及


@pytest.fixture
def fake_forms():
    server = FakeForms().start()
    yield server
    server.stop()


def legacy_spec(spec):
    """The form as the first version built it: five options on every item."""
    requests = json.loads(json.dumps(spec.batch_update["requests"]))
    for request in requests:
        question = request.get("createItem", {}).get("item", {}).get("questionItem", {}).get("question", {})
        if spec.questions.get(question.get("questionId"), {}).get("item"):
            question["choiceQuestion"]["options"] = [{"value": label} for label in ANSWER_LABELS]
    return dataclasses.replace(spec, batch_update={**spec.batch_update, "requests": requests},
                               options=tuple(ANSWER_LABELS), answers={})


def test_pushing_the_new_options_over_a_live_form_keeps_the_old_labels_readable(tmp_path, fake_forms):
    key = write_service_account_key(tmp_path / "key.json", fake_forms.url + "/token")
    lock = tmp_path / "forms" / "forms.lock.yaml"
    client = FormsClient(key, "--credentials", fake_forms.url + "/", RetryPolicy(deadline=30.0))
    old = legacy_spec(build_form(S, "daily-patrol", instruments=INSTRUMENTS))
    push(S, lock_path=lock, client=client, specs={"daily-patrol": old},
         now=dt.datetime(2026, 10, 1, 9, tzinfo=dt.timezone(dt.timedelta(hours=8))), instruments=INSTRUMENTS)
    recorded = yaml.safe_load(lock.read_text(encoding="utf-8"))["checklists"]["daily-patrol"]["versions"]
    assert recorded[S.document.version]["options"] == list(ANSWER_LABELS) and "answers" not in recorded["2026.11"]

    result = run("forms", "push", "--checklist", "daily-patrol", "--credentials", key, "--lock", lock,
                 env={"HANDBOOK_FORMS_ENDPOINT": fake_forms.url + "/"})
    assert result.exit_code == 0, result.output
    form_id = yaml.safe_load(lock.read_text(encoding="utf-8"))["checklists"]["daily-patrol"]["form_id"]
    live = {i["title"].split(" ")[0]: [o["value"] for o in i["questionItem"]["question"]["choiceQuestion"]["options"]]
            for i in fake_forms.forms[form_id]["items"] if i["title"].split(" ")[0] in DAILY}
    assert live["4.2.1.1-a"][-2] == "不符合 5 处及以上（扣完）"
    version = yaml.safe_load(lock.read_text(encoding="utf-8"))["checklists"]["daily-patrol"]["versions"]["2026.11"]
    assert version["answers"][LEGACY_WORST] == 3 and version["answers"]["不符合 5 处及以上（扣完）"] == 5
    assert version["answers"]["不符合 3 处"] == 3 and version["answers"]["不适用"] is None

    # responses from before and after the new options, read through that lock
    questions = form_questions(tmp_path)
    export_csv = write_export(tmp_path / "daily.csv", questions, [
        response("2026-11-02 09:00:00", "梧桐苑", "客服主管", lambda q: LEGACY_WORST),
        response("2026-11-16 09:00:00", "兰亭雅居", "客服主管", worst)])
    store = tmp_path / "store.sqlite"
    ingest(export_csv, store, "--lock", lock)
    rows = {r["project"]: r for r in export(store, "inspections")}
    assert (rows["wutong"]["earned"], rows["wutong"]["percent"]) == (4, 8.0)     # as computed above
    assert (rows["lanting"]["earned"], rows["lanting"]["percent"]) == (0, 0.0)


def test_the_printed_sheet_says_how_many_findings_empty_each_item(tmp_path):
    from generator.printing.sheet_html import build_sheet, render_sheet_html

    html = render_sheet_html(build_sheet(S, "daily-patrol"))
    assert "每处扣 1 分，5 处扣完" in html          # 4.2.1.1-a
    assert "每处扣 5 分，1 处扣完" in html          # 4.2.1.2-d
    assert "条目全部不适用时不评级" in html


# ---------------------------------------------------------------- cases 10 and 13 through a built site

@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """One store and one built site: worst answers, all 不适用, a double 红线 and a clean patrol.

    wutong   W 09:00  every item emptied                  0/50   0.0%  不合格  (红线 items too: 1 incident)
    lanting  R 09:00  4.2.1.2-d and 4.2.2.1-x4 emptied    40/50 80.0%  band 良好, vetoed 不合格: 1 incident
             G 15:00  every item 符合                    50/50 100.0% 优秀
             week: 90/100 = 90.0% -> band 优秀, vetoed 不合格, 红线 1 次 (not 2)
    binjiang N 09:00  every item 不适用                   0/0   no percent, no grade, 1 patrol done
    """
    root = tmp_path_factory.mktemp("cases")
    questions = form_questions(root)
    export_csv = write_export(root / "daily.csv", questions, [
        response("2026-11-16 09:00:00", "梧桐苑", "客服主管", worst),
        response("2026-11-16 09:00:00", "兰亭雅居", "客服主管", red_lines_emptied, "李主管"),
        response("2026-11-16 15:00:00", "兰亭雅居", "客服主管", compliant, "李主管"),
        response("2026-11-16 09:00:00", "滨江花园", "客服主管", not_applicable, "赵主管")])
    store = root / "store.sqlite"
    out = ingest(export_csv, store)
    docs, config = copy_site_sources(root)
    result = run("build", "--store", store, "--standards", STANDARDS, "--docs", docs, "--config", config,
                 "--out", root / "public")
    assert result.exit_code == 0, result.output
    return root, store, docs, out.output


@pytest.mark.slow
def test_site_store_took_every_row(site):
    _, store, _, output = site
    assert len(read_inspections(store)) == 4, output


@pytest.mark.slow
def test_all_not_applicable_has_no_percent_no_grade_and_counts_as_a_patrol(site):
    _, store, docs, _ = site
    row = next(r for r in export(store, "inspections") if r["project"] == "binjiang")
    assert (row["earned"], row["possible"], row["percent"], row["grade"]) == (0, 0, None, None)
    week = next(r for r in export(store, "project_weeks") if r["project"] == "binjiang")
    assert (week["inspections"], week["percent"], week["grade"], week["critical"]) == (1, None, None, 0)
    patrols = {(r["project"], r["date"], r["role"]): r["done"] for r in export(store, "patrols")}
    assert patrols[("binjiang", "2026-11-16", "cs_supervisor")] == 1
    page = (docs / "results/projects/binjiang.md").read_text(encoding="utf-8")
    assert "- **2026-11-16 · 客服主管** · — 无评级（无适用条目） \n" in page
    assert "不合格" not in page.split("## 最近的检查")[1]
    overview = (docs / "results/index.md").read_text(encoding="utf-8")
    ranking, week = [line for line in overview.splitlines() if "[滨江花园]" in line][:2]
    # listed, not ranked, and it says why: its one inspection has no % (0 counted)
    assert ranking.startswith("| 未排名 | [滨江花园](projects/binjiang.md) | — | 0 |")
    assert "- 滨江花园：本季计入的检查 0 次，少于 30 次；另有 1 次没有适用条目，不计入\n" in overview
    assert "| — | — | 1 次 |" in week                                       # no % this week, 1 inspection
    assert "2026-11-16,2026-11-16 09:00,客服中心每日巡查表,客服主管,0,0,,,0," in \
        (docs / "results/csv/binjiang-inspections.csv").read_text(encoding="utf-8")


@pytest.mark.slow
def test_scoring_page_explains_options_no_grade_and_red_line_incidents(site):
    root, _, docs, _ = site
    text = (docs / "standards/scoring.md").read_text(encoding="utf-8")
    assert "**没有适用条目的检查**（每个条目都是“不适用”）没有得分率，也**没有评级**" in text
    assert "算作完成了一次巡查，但不参与排名" in text
    assert "一次检查发现红线问题记为 **1 次红线问题**" in text
    assert ("| 5 | 1 | 5 | 不符合 1 处 / 不符合 2 处 / 不符合 3 处 / 不符合 4 处 / 不符合 5 处及以上（扣完） |"
            in text)
    assert "“不符合 3 处及以上”按 3 处计" in text
    assert "没有适用条目的检查" in (root / "public/standards/scoring/index.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_a_red_line_incident_is_one_inspection_and_grades_are_vetoed(site):
    _, store, docs, _ = site
    red = next(r for r in export(store, "inspections") if r["at"] == "2026-11-16T09:00:00+08:00"
               and r["project"] == "lanting")
    assert (red["earned"], red["percent"], red["grade"], red["critical_failed"]) == (40, 80.0, "不合格", True)
    weeks = {r["project"]: r for r in export(store, "project_weeks")}
    assert weeks["lanting"] == {"project": "lanting", "week": "2026-W47", "inspections": 2, "earned": 90,
                                "possible": 100, "percent": 90.0, "grade": "不合格", "critical": 1}
    assert (weeks["wutong"]["percent"], weeks["wutong"]["grade"], weeks["wutong"]["critical"]) == (0.0, "不合格", 1)
    overview = (docs / "results/index.md").read_text(encoding="utf-8")
    lanting = [line for line in overview.splitlines() if "[兰亭雅居]" in line][1]    # the week's table
    assert '| 90.0% 不合格 <span class="hb-redline">红线 1 次</span> |' in lanting and "| 2 次 |" in lanting
    # company: 90 of 150, two incidents; data: Monday only
    assert "| 第47周（部分） | 60.0% | 不合格 | 4 | 2 |" in overview
    project = (docs / "results/projects/lanting.md").read_text(encoding="utf-8")
    assert "| 第47周 | 90.0% | 不合格 | 2 | 2 | 1 |" in project         # 2 findings, 1 incident
    assert '- **2026-11-16 · 客服主管** · 80.0% 不合格 <span class="hb-redline">红线否决</span>' in project
    week = (docs / "results/weeks/2026-W47.md").read_text(encoding="utf-8")
    # findings: W 5+3+3+4+4+3+1+3+1+2+2+2+1 = 34, R 2
    assert "全公司：60.0% 不合格（n=4，问题 36 处，红线 2 次；全公司不作红线否决）" in week   # 60.0% is below 70
    assert "| [兰亭雅居](../projects/lanting.md) | 90.0% | 不合格 | 2 | 1 |" in week
    assessment = (docs / "results/assessment.md").read_text(encoding="utf-8")
    assert ('| 未排名 | [兰亭雅居](projects/lanting.md) | 2 | 90.0% | 不合格 '
            '<span class="hb-redline">红线否决</span> | <span class="hb-redline">1 次</span> |') in assessment
    assert "兰亭雅居 · 处罚和改进意见" not in assessment     # 1 incident < 2 (counting items said 2)
    assert "未排名,兰亭雅居,2,90.0%,不合格,1," in (docs / "results/csv/assessment.csv").read_text(encoding="utf-8")
    assert "未排名,滨江花园,0,,,0," in (docs / "results/csv/assessment.csv").read_text(encoding="utf-8")


@pytest.mark.slow
def test_the_built_patrol_sheet_prints_the_counts_that_empty_items(site):
    from pypdf import PdfReader

    root, _, _, _ = site
    reader = PdfReader(root / "public/print/daily-patrol.pdf")
    text = "".join(page.extract_text() for page in reader.pages).replace("\n", "")
    assert "5 处扣完" in text and "条目全部不适用时不评级" in text
    assert len(reader.pages) == 1


# ---------------------------------------------------------------- case 14: check --strict

def test_check_flags_a_checker_role_that_no_checklist_gives_the_item(standards_dir):
    path = standards_dir / "procedure.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("- code: 4.2.3.1")
    edited = text[:start] + text[start:].replace("roles: [crd]", "roles: [crd, project_manager]", 1)
    path.write_text(edited, encoding="utf-8")
    line = line_of(edited, "roles: [crd, project_manager]")
    expected = (f"{path}:{line}: 警告: 条目“4.2.3.1”的检查人有角色“项目经理”（project_manager），"
                "但没有哪张检查表让该角色检查此条目（提示：在 checklists.yaml 中给包含此条目的检查表（crd-spot-check）"
                "的 roles 加上 project_manager，或从此条目的 roles 中删去 project_manager）")
    relaxed = run("check", "--standards", standards_dir)
    assert relaxed.exit_code == 0 and expected in relaxed.output and "1 个警告" in relaxed.output
    strict = run("check", "--standards", standards_dir, "--strict")
    assert strict.exit_code == 1
    assert strict.output.splitlines()[0] == expected
    assert (strict.output.strip().splitlines()[-1]
            == f"错误：{standards_dir} 有 1 个错误或警告，修正后重新运行 handbook check。")
    assert "Traceback" not in strict.output

    # giving the role the item on a checklist that includes it clears the warning
    checklists = standards_dir / "checklists.yaml"
    checklists.write_text(checklists.read_text(encoding="utf-8").replace("roles: [crd]\n",
                                                                         "roles: [crd, project_manager]\n"),
                          encoding="utf-8")
    fixed = run("check", "--standards", standards_dir, "--strict")
    assert fixed.exit_code == 0, fixed.output
    assert "project_manager" not in fixed.output


def test_check_passes_on_the_shipped_standards_after_the_roles_fix():
    result = run("check", "--standards", STANDARDS, "--strict")
    assert result.exit_code == 0 and "警告" not in result.output, result.output
    assert math.isclose(sum(S.items[c].points for c in DAILY), 50)
