"""Standards that change: an inspection is scored with the standards in force on its date.

On the real CLI and a real store. Each ingest records the rules of the standards it runs with (per item points,
deduction, 红线, days to fix; the grade bands) under their version; a dated change note (`effective`) applies
an edit from that day on; `handbook check` says what an edit would move before anything is built.

The daily patrol (13 items, 50 points) as shipped: 4.2.1.2-c 3 points, 1 per finding, fix within 3 days;
4.2.1.2-d 5 points, 5 per finding, 红线; 4.2.1.2-e 3 points, 1 per finding. Grades: 优秀 ≥ 90, 良好 ≥ 80.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import sqlite3

from click.testing import CliRunner

from generator.cli import main
from generator.store.rules import read_rules, with_store_history
from generator.store import read_inspections
from generator.results.report_pages import build_results
from generator.results.scoring import corrective_actions
from generator.standards import require_standards
from generator.instruments import INSTRUMENTS

from conftest import STANDARDS

FIELDS = {"项目": "project", "角色": "role", "检查人": "inspector", "检查日期": "date"}
NEW_NOTE = """  changes:
    - version: "2026.12"
      date: 2026-12-01
      effective: 2026-10-01
      notes:
        - 评分规则修订（测试）。
"""


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def questions(tmp_path) -> list[dict]:
    """The daily patrol's questions as `handbook forms build` writes them (the shipped standards)."""
    out = tmp_path / "forms"
    result = run("forms", "build", "--standards", STANDARDS, "--out", out)
    assert result.exit_code == 0, result.output
    data = json.loads((out / "daily-patrol.json").read_text(encoding="utf-8"))
    found = []
    for request in data["batchUpdate"]["requests"]:
        item = request.get("createItem", {}).get("item", {})
        question = item.get("questionItem", {}).get("question")
        if question:
            meaning = data["questions"][question["questionId"]]
            options = [o["value"] for o in question.get("choiceQuestion", {}).get("options", [])]
            found.append({"title": item["title"], "item": meaning.get("item"), "options": options})
    return found


def label(options: list[str], n: int) -> str:
    """The option meaning `n` findings (0: 符合)."""
    if n == 0:
        return "符合"
    return next(o for o in options if o.startswith(f"不符合 {n} 处"))


def write_export(path, qs, rows):
    """A response sheet export; each row: (submitted at, project, {item code: findings}), other items 符合."""
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["时间戳记"] + [q["title"] for q in qs])
        for at, project, findings in rows:
            fields = {"project": project, "role": "客服主管", "inspector": "张主管", "date": at[:10]}
            writer.writerow([at] + [label(q["options"], findings.get(q["item"], 0)) if q["item"]
                                    else fields.get(FIELDS.get(q["title"], ""), "") for q in qs])
    return path


def edit(folder, old: str, new: str, file: str = "procedure.yaml") -> None:
    path = folder / file
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def new_version(folder) -> None:
    """A change note 2026.12 effective 2026-10-01, made the current version."""
    edit(folder, '  version: "2026.11"\n', '  version: "2026.12"\n')
    edit(folder, "  changes:\n", NEW_NOTE)


def points_and_red_line(folder) -> None:
    """4.2.1.2-c: 3 → 5 points, fix within 3 → 7 days; 4.2.1.2-d no longer 红线."""
    edit(folder, "text: 文件柜及其它办公设施整洁、不堆放杂物。\n                    points: 3\n"
                 "                    deduction: 1\n                    methods: [onsite]\n"
                 "                    roles: [cs_supervisor, project_manager, crd]\n"
                 "                    fix_within_days: 3",
         "text: 文件柜及其它办公设施整洁、不堆放杂物。\n                    points: 5\n"
         "                    deduction: 1\n                    methods: [onsite]\n"
         "                    roles: [cs_supervisor, project_manager, crd]\n"
         "                    fix_within_days: 7")
    edit(folder, "deduction: 5\n                    critical: true\n                    methods: [onsite]\n"
                 "                    roles: [cs_supervisor, project_manager, crd]\n                    "
                 "fix_within_days: 0\n"
                 "                    guidance: 红线条目：发现即判本次检查不合格",
         "deduction: 5\n                    critical: false\n                    methods: [onsite]\n"
         "                    roles: [cs_supervisor, project_manager, crd]\n                    fix_within_days: 0\n"
         "                    guidance: 红线条目：发现即判本次检查不合格")


def remove_item_e(folder) -> None:
    edit(folder, "                  - code: 4.2.1.2-e\n                    short: 门窗无积尘污迹\n"
                 "                    text: 门窗无明显积尘或污迹。\n                    points: 3\n"
                 "                    deduction: 1\n                    methods: [onsite]\n"
                 "                    roles: [cs_supervisor, project_manager, crd]\n"
                 "                    fix_within_days: 3\n", "")


# A (09-10) and B (10-20): one finding on 4.2.1.2-c; C (09-15) and D (10-21): one on 红线 4.2.1.2-d.
ROWS = [("2026-09-10 09:00:00", "梧桐苑", {"4.2.1.2-c": 1}),
        ("2026-09-15 09:00:00", "梧桐苑", {"4.2.1.2-d": 1}),
        ("2026-10-20 09:00:00", "梧桐苑", {"4.2.1.2-c": 1}),
        ("2026-10-21 09:00:00", "梧桐苑", {"4.2.1.2-d": 1})]


def ingested(tmp_path, standards_dir, rows=ROWS):
    store = tmp_path / "store.sqlite"
    export = write_export(tmp_path / "daily.csv", questions(tmp_path), rows)
    result = run("ingest", "--standards", standards_dir, "--file", export, "--checklist", "daily-patrol",
                 "--store", store)
    assert result.exit_code == 0, result.output
    return store


def scores(store, standards_dir) -> dict[str, tuple]:
    result = run("export", "--table", "inspections", "--standards", standards_dir, "--store", store)
    assert result.exit_code == 0, result.output
    return {r["date"]: (r["earned"], r["possible"], r["percent"], r["grade"], r["critical_failed"])
            for r in json.loads(result.stdout)}


BEFORE = {"2026-09-10": (49, 50, 98.0, "优秀", False),      # 50 - 1
          "2026-09-15": (45, 50, 90.0, "不合格", True),      # 50 - 5, 红线: vetoed
          "2026-10-20": (49, 50, 98.0, "优秀", False),
          "2026-10-21": (45, 50, 90.0, "不合格", True)}


def test_ingest_records_the_rules_of_the_standards_it_scores_with(tmp_path, standards_dir):
    store = ingested(tmp_path, standards_dir)
    recorded = read_rules(store)
    assert list(recorded) == ["2026.11"]
    effective, rules = recorded["2026.11"]
    assert effective == dt.date(2026, 11, 27)          # the change note's date (no effective date given)
    c, d = rules.items["4.2.1.2-c"], rules.items["4.2.1.2-d"]
    assert (c.points, c.deduction, c.critical, c.fix_within_days, c.section) == (3, 1, False, 3, "4.2.1")
    assert (d.points, d.deduction, d.critical, d.fix_within_days) == (5, 5, True, 0)
    assert [(g.name, g.min) for g in rules.grades][:2] == [("优秀", 90), ("良好", 80)]
    assert scores(store, standards_dir) == BEFORE


def test_a_dated_edit_of_points_and_red_line_leaves_earlier_inspections_as_scored(tmp_path, standards_dir):
    store = ingested(tmp_path, standards_dir)
    points_and_red_line(standards_dir)
    new_version(standards_dir)
    after = scores(store, standards_dir)
    # before 2026-10-01: the recorded 2026.11 rules, unchanged
    assert after["2026-09-10"] == BEFORE["2026-09-10"]
    assert after["2026-09-15"] == BEFORE["2026-09-15"]
    # from 2026-10-01: 4.2.1.2-c is worth 5 (52 points in all): 52 - 1 = 51 of 52 = 98.08% -> printed 98.1
    assert after["2026-10-20"] == (51, 52, 98.1, "优秀", False)
    # 4.2.1.2-d no longer 红线: 52 - 5 = 47 of 52 = 90.38% -> printed 90.4, graded by its band
    assert after["2026-10-21"] == (47, 52, 90.4, "优秀", False)
    # the deadline too: 3 days for the September finding, 7 for October's
    s = with_store_history(require_standards(standards_dir, instruments=INSTRUMENTS), store)
    # the published 2026Q3 page as the build writes it: A + C = 94 of 100 with C's 红线, vetoed, as before
    quarter = build_results(s, read_inspections(store))["results/quarters/2026Q3.md"]
    [row] = [line for line in quarter.splitlines() if line.startswith("|") and "[梧桐苑]" in line]
    assert "| 94.0% |" in row and "红线否决" in row
    due = {a.opened.isoformat(): a.due.isoformat() for a in corrective_actions(s, read_inspections(store))
           if a.code == "4.2.1.2-c"}
    assert due == {"2026-09-10": "2026-09-13", "2026-10-20": "2026-10-27"}


def test_check_names_what_a_dated_edit_moves(tmp_path, standards_dir):
    store = ingested(tmp_path, standards_dir)
    points_and_red_line(standards_dir)
    new_version(standards_dir)
    result = run("check", "--strict", "--standards", standards_dir, "--store", store)
    assert result.exit_code == 0, result.output
    assert f"{store}: 修订 2026.12 自 2026-10-01 起生效：此后的 2 次检查改按新标准评分" in result.output
    assert (f"{store}: 本次修改将改变 2 次已评分检查的得分（2026-10-20 至 2026-10-21），涉及项目 梧桐苑\n"
            in result.output)
    # 2026Q4 of 梧桐苑: 94 of 100 with a 红线 -> 98 of 104 = 94.2%, no 红线
    assert f"{store}:   梧桐苑 2026 年第四季度考核：94.0% 不合格（红线 1 次，否决） → 94.2% 优秀" in result.output
    assert "第三季度" not in result.output


def test_an_undated_edit_is_a_warning_naming_the_finished_quarter(tmp_path, standards_dir):
    store = ingested(tmp_path, standards_dir)
    points_and_red_line(standards_dir)          # no change note: the same version 2026.11, edited
    result = run("check", "--standards", standards_dir, "--store", store)
    assert result.exit_code == 0, result.output
    assert (f"{store}: 警告: 标准版本 2026.11 的评分规则（分值、扣分、红线、整改期限或评级）与数据库中记录的不同，"
            "但没有新的修订记录") in result.output
    assert (f"{store}: 警告: 本次修改将改变 4 次已评分检查的得分（2026-09-10 至 2026-10-21），涉及项目 梧桐苑，"
            "包括已结束的 2026 年第三季度考核（提示：") in result.output
    assert f"{store}:   梧桐苑 2026 年第三季度考核：94.0% 不合格（红线 1 次，否决） → 94.2% 优秀" in result.output
    strict = run("check", "--strict", "--standards", standards_dir, "--store", store)
    assert strict.exit_code == 1
    assert strict.output.strip().splitlines()[-1] == f"错误：{store} 有 1 个错误或警告，修正后重新运行 handbook check。"
    assert scores(store, standards_dir)["2026-09-15"] == (47, 52, 90.4, "优秀", False)   # what the build would show
    s = with_store_history(require_standards(standards_dir, instruments=INSTRUMENTS), store)
    quarter = build_results(s, read_inspections(store))["results/quarters/2026Q3.md"]
    [row] = [line for line in quarter.splitlines() if line.startswith("|") and "[梧桐苑]" in line]
    assert "| 94.2% |" in row and "优秀" in row and "红线" not in row     # 98 of 104: the warning is about this
    # an ingest with the edited standards keeps the rules recorded before the edit, and the warning stays
    again = run("ingest", "--standards", standards_dir, "--file", tmp_path / "daily.csv", "--checklist",
                "daily-patrol", "--store", store)
    assert again.exit_code == 0, again.output
    assert read_rules(store)["2026.11"][1].items["4.2.1.2-c"].points == 3
    assert read_rules(store)["2026.11"][1].items["4.2.1.2-d"].critical is True
    assert run("check", "--strict", "--standards", standards_dir, "--store", store).exit_code == 1
    # dating the edit brings the earlier inspections back to what was published before it
    new_version(standards_dir)
    after = scores(store, standards_dir)
    assert (after["2026-09-10"], after["2026-09-15"]) == (BEFORE["2026-09-10"], BEFORE["2026-09-15"])
    assert run("check", "--strict", "--standards", standards_dir, "--store", store).exit_code == 0


def test_removing_an_item_keeps_old_inspections_scores_and_is_said(tmp_path, standards_dir):
    rows = [("2026-09-10 09:00:00", "梧桐苑", {"4.2.1.2-e": 1}), ("2026-10-20 09:00:00", "兰亭雅居", {"4.2.1.2-e": 2})]
    store = ingested(tmp_path, standards_dir, rows)
    assert {d: s[:3] for d, s in scores(store, standards_dir).items()} == {
        "2026-09-10": (49, 50, 98.0), "2026-10-20": (48, 50, 96.0)}
    remove_item_e(standards_dir)
    new_version(standards_dir)
    result = run("check", "--standards", standards_dir, "--store", store)
    assert result.exit_code == 0, result.output
    assert (f"{store}: 条目 4.2.1.2-e（门窗无积尘污迹）已从标准中删除：数据库中有 2 次检查答过它，"
            "其中 1 次的得分会改变，其余仍按当时的标准评分") in result.output
    after = scores(store, standards_dir)
    assert after["2026-09-10"][:3] == (49, 50, 98.0)          # scored with the recorded 2026.11
    assert after["2026-10-20"][:3] == (47, 47, 100.0)         # from 2026-10-01 the item is gone: 50 - 3
    # undated, the removal re-scores the September inspection too, and check --strict stops it
    undated = tmp_path / "undated"
    undated.mkdir()
    for path in STANDARDS.glob("*.yaml"):
        (undated / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    remove_item_e(undated)
    strict = run("check", "--strict", "--standards", undated, "--store", store)
    assert strict.exit_code == 1
    assert (f"{store}: 警告: 条目 4.2.1.2-e（门窗无积尘污迹）已从标准中删除：数据库中有 2 次检查答过它，"
            "它们的得分都会改变（不再计入此条）") in strict.output


def test_an_unedited_standards_moves_nothing(tmp_path, standards_dir):
    store = ingested(tmp_path, standards_dir)
    result = run("check", "--strict", "--standards", standards_dir, "--store", store)
    assert result.exit_code == 0, result.output
    assert "数据库 " + str(store) + "：本次修改不改变已评分的 4 次检查的得分。" in result.output


def test_a_store_without_recorded_rules_scores_with_the_current_standards_and_says_so_once(tmp_path, standards_dir):
    store = ingested(tmp_path, standards_dir)
    with sqlite3.connect(store) as conn:   # as a store written before rules were recorded
        conn.execute("DROP TABLE standards_rules")
        conn.execute("DELETE FROM instrument_versions WHERE instrument = 'standards_rules'")
    conn.close()
    points_and_red_line(standards_dir)
    new_version(standards_dir)
    result = run("check", "--standards", standards_dir, "--store", store)
    assert result.exit_code == 0, result.output
    assert result.output.count("没有记录评分所用的标准版本") == 1
    assert (f"{store}: 数据库 {store} 没有记录评分所用的标准版本：全部检查按当前标准 2026.12 评分"
            "（下次 handbook ingest 起记录，此后修改标准不再改变已评分检查的得分）") in result.output
    after = scores(store, standards_dir)        # every inspection by the current standards, as before
    assert after["2026-09-10"] == (51, 52, 98.1, "优秀", False)
    assert after["2026-09-15"] == (47, 52, 90.4, "优秀", False)
    # the next ingest records the current version; from then on an edit no longer re-scores
    again = run("ingest", "--standards", standards_dir, "--file", tmp_path / "daily.csv", "--checklist",
                "daily-patrol", "--store", store)
    assert again.exit_code == 0, again.output
    assert list(read_rules(store)) == ["2026.12"]
    assert read_rules(store)["2026.12"][0] == dt.date(2026, 10, 1)


def test_push_records_the_rules_with_the_form_version_and_ingest_takes_them_from_the_lock(tmp_path, standards_dir):
    """A store started after the standards changed still scores earlier inspections with the rules the lock
    recorded when the form was pushed."""
    import yaml

    from fakegoogle.base import write_service_account_key
    from fakegoogle.forms import FakeForms
    from generator.forms.google import FormsClient, RetryPolicy
    from generator.forms.push import push
    from generator.instruments import INSTRUMENTS

    server = FakeForms().start()
    try:
        key = write_service_account_key(tmp_path / "key.json", server.url + "/token")
        lock = tmp_path / "forms.lock.yaml"
        client = FormsClient(key, "--credentials", server.url + "/", RetryPolicy(deadline=30.0))
        push(require_standards(standards_dir, instruments=INSTRUMENTS), lock_path=lock, client=client,
             checklists=["daily-patrol"], instruments=INSTRUMENTS,
             now=dt.datetime(2026, 9, 1, 9, tzinfo=dt.timezone(dt.timedelta(hours=8))))
    finally:
        server.stop()
    version = yaml.safe_load(lock.read_text(encoding="utf-8"))["checklists"]["daily-patrol"]["versions"]["2026.11"]
    assert version["rules"]["version"] == "2026.11"
    assert version["rules"]["items"]["4.2.1.2-c"] == {"short": "文件柜整洁、不堆杂物", "points": 3.0, "deduction": 1.0,
                                                      "critical": False, "fix_within_days": 3, "section": "4.2.1"}
    assert version["rules"]["items"]["4.2.1.2-d"]["critical"] is True
    assert "4.2.3.1" not in version["rules"]["items"] and len(version["rules"]["items"]) == 13   # the form's items

    points_and_red_line(standards_dir)
    new_version(standards_dir)
    store = tmp_path / "store.sqlite"          # a new store: the first ingest runs with the edited standards
    export = write_export(tmp_path / "daily.csv", questions(tmp_path), ROWS)
    result = run("ingest", "--standards", standards_dir, "--file", export, "--checklist", "daily-patrol",
                 "--store", store, "--lock", lock)
    assert result.exit_code == 0, result.output
    recorded = read_rules(store)
    assert sorted(recorded) == ["2026.11", "2026.12"]
    assert recorded["2026.11"][0] == dt.date(2026, 11, 27) and recorded["2026.11"][1].items["4.2.1.2-c"].points == 3
    after = scores(store, standards_dir)
    assert after["2026-09-10"] == BEFORE["2026-09-10"] and after["2026-09-15"] == BEFORE["2026-09-15"]
    assert after["2026-10-20"] == (51, 52, 98.1, "优秀", False)


def test_a_dated_change_of_grade_bands_grades_earlier_inspections_and_quarters_as_before(tmp_path, standards_dir):
    # 4.2.1.1-a (5 points, 1 each) with 4 findings: 46 of 50 = 92.0%
    rows = [("2026-09-10 09:00:00", "梧桐苑", {"4.2.1.1-a": 4}), ("2026-10-20 09:00:00", "梧桐苑", {"4.2.1.1-a": 4})]
    store = ingested(tmp_path, standards_dir, rows)
    edit(standards_dir, "  - {name: 优秀, min: 90, max: 100}\n  - {name: 良好, min: 80, max: 90}",
         "  - {name: 优秀, min: 95, max: 100}\n  - {name: 良好, min: 80, max: 95}", "organisation.yaml")
    new_version(standards_dir)
    after = scores(store, standards_dir)
    assert after["2026-09-10"] == (46, 50, 92.0, "优秀", False)     # the bands of 2026.11: 优秀 from 90
    assert after["2026-10-20"] == (46, 50, 92.0, "良好", False)     # 2026.12 from 2026-10-01: 优秀 from 95
    s = with_store_history(require_standards(standards_dir, instruments=INSTRUMENTS), store)
    files = build_results(s, read_inspections(store))
    [q3] = [line for line in files["results/quarters/2026Q3.md"].splitlines()
            if line.startswith("|") and "[梧桐苑]" in line]
    assert "| 92.0% | 优秀 |" in q3
    result = run("check", "--standards", standards_dir, "--store", store)
    assert result.exit_code == 0, result.output
    assert (f"{store}: 本次修改将改变 1 次已评分检查的得分（2026-10-20 至 2026-10-20），涉及项目 梧桐苑\n"
            in result.output)
    assert f"{store}:   梧桐苑 2026 年第四季度考核：92.0% 优秀 → 92.0% 良好" in result.output
