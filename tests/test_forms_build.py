"""Form generation: layout, stable ids, determinism, the committed forms/*.json, Google's schema."""

from __future__ import annotations

import math
import re
import time

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.forms.form_spec import build_form, build_forms, stable_id, write_forms
from generator.forms.validate import validate_spec
from generator.inspection import FIELD_TITLES, corrected_items_title, note_title
from generator.standards import load_standards, require_standards
from generator.instruments import INSTRUMENTS

from conftest import ROOT, edited

ID = re.compile(r"^[0-7][0-9a-f]{7}$")


@pytest.fixture(scope="module")
def standards():
    return require_standards(ROOT / "standards", instruments=INSTRUMENTS)


@pytest.fixture(scope="module")
def specs(standards):
    return build_forms(standards, INSTRUMENTS)


def question(item):
    return item["questionItem"]["question"]


def test_every_generated_body_passes_the_validator(standards, specs):
    # every instrument's forms, in the instruments' order, and each is committed in forms/
    assert list(specs) == [f for i in INSTRUMENTS for f in i.form_ids(standards)]
    assert {"daily-patrol", "crd-spot-check", "customer-survey", "fix-report"} <= set(specs)
    assert [f for f in specs if not (ROOT / "forms" / f"{f}.json").is_file()] == []
    for spec in specs.values():
        assert validate_spec(spec) == [], spec.checklist


def test_build_is_byte_identical_across_runs(standards, tmp_path):
    first = {cid: s.to_json() for cid, s in build_forms(standards, INSTRUMENTS).items()}
    again = {cid: s.to_json() for cid, s in
             build_forms(require_standards(ROOT / "standards", instruments=INSTRUMENTS), INSTRUMENTS).items()}
    assert first == again
    write_forms(build_forms(standards, INSTRUMENTS), tmp_path / "a")
    write_forms(build_forms(standards, INSTRUMENTS), tmp_path / "b")
    for path in sorted((tmp_path / "a").iterdir()):
        assert path.read_bytes() == (tmp_path / "b" / path.name).read_bytes()


def test_committed_forms_are_up_to_date(tmp_path):
    result = CliRunner().invoke(main, ["forms", "build", "--standards", str(ROOT / "standards"),
                                       "--out", str(tmp_path)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in tmp_path.iterdir())
    # quarterly exam quizzes come from `handbook exam build --quarter Q` (checked in tests/test_exam.py)
    assert written == sorted(p.name for p in (ROOT / "forms").glob("*.json") if not p.name.startswith("exam-"))
    for name in written:
        assert (ROOT / "forms" / name).read_text(encoding="utf-8") == (tmp_path / name).read_text(encoding="utf-8"), \
            "run `handbook forms build` and commit forms/"
    check = CliRunner().invoke(main, ["forms", "build", "--check", "--out", str(ROOT / "forms"),
                                      "--standards", str(ROOT / "standards")])
    assert check.exit_code == 0, check.output


def test_build_check_fails_on_a_stale_file(tmp_path):
    runner = CliRunner()
    assert runner.invoke(main, ["forms", "build", "--out", str(tmp_path)]).exit_code == 0
    path = tmp_path / "daily-patrol.json"
    path.write_text(path.read_text(encoding="utf-8").replace("符合", "合格", 1), encoding="utf-8")
    result = runner.invoke(main, ["forms", "build", "--check", "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert "daily-patrol" in result.output and "handbook forms build" in result.output


def test_opening_page_then_one_page_per_section(standards, specs):
    spec = specs["daily-patrol"]
    items = spec.items
    opening = [i["title"] for i in items[:4]]
    assert opening == [FIELD_TITLES[k] for k in ("project", "role", "inspector", "date")]
    project = question(items[0])["choiceQuestion"]
    assert project["type"] == "DROP_DOWN"
    assert [o["value"] for o in project["options"]] == [p.name for p in standards.organisation.projects if p.active]
    role = question(items[1])["choiceQuestion"]
    assert [o["value"] for o in role["options"]] == ["客服主管", "项目经理"]
    assert question(items[2])["textQuestion"] == {"paragraph": False}
    assert question(items[3])["dateQuestion"] == {"includeYear": True}
    assert all(question(i)["required"] for i in items[:4])
    # a daily patrol records its round and time (程序 4.5.1, 4.5.2), optional, as the paper sheet does
    assert [i["title"] for i in items[4:7]] == ["巡查时段", "当天第几次巡查", "巡查时间"]
    assert [o["value"] for o in question(items[4])["choiceQuestion"]["options"]] == ["上午", "下午"]
    assert [o["value"] for o in question(items[5])["choiceQuestion"]["options"]] == ["第 1 次", "第 2 次"]
    assert question(items[6])["textQuestion"] == {"paragraph": False}
    assert not any(question(i)["required"] for i in items[4:7])
    assert "pageBreakItem" in items[7]
    # and, after the last section, the person at fault (optional)
    last = max(n for n, i in enumerate(items) if i["title"].startswith("已当场纠正"))
    assert items[last + 1]["title"] == "被检查人员" and question(items[last + 1])["required"] is False
    assert {q.get("info") for q in spec.questions.values()} >= {"period", "round", "time", "at_fault"}
    # the department's spot check has no daily rounds
    assert not any(q.get("info") for q in specs["crd-spot-check"].questions.values())

    pages = [i for i in items if "pageBreakItem" in i]
    codes = [i.code for i in standards.checklist_items("daily-patrol")]
    sections = [s for s in standards.sections if any(i.code in codes for i in s.items)]
    assert [p["title"] for p in pages] == [f"{s.number} {s.title}" for s in sections]
    # each page: its items, then 问题说明, then 已当场纠正的条目
    for section in sections:
        start = items.index(next(p for p in pages if p["title"].startswith(section.number + " ")))
        mine = [i.code for i in section.items if i.code in codes]
        block = items[start + 1:start + 1 + len(mine) + 2]
        assert [b["title"].split(" ")[0] for b in block[:len(mine)]] == mine
        assert block[-2]["title"] == note_title(section.number, section.title)
        assert question(block[-2]) == {"questionId": question(block[-2])["questionId"], "required": False,
                                       "textQuestion": {"paragraph": True}}
        # one optional checkbox per page listing the page's items: each finding its own 当场纠正
        assert block[-1]["title"] == corrected_items_title(section.number, section.title)
        assert question(block[-1])["choiceQuestion"]["type"] == "CHECKBOX"
        assert [o["value"] for o in question(block[-1])["choiceQuestion"]["options"]] == \
            [b["title"] for b in block[:len(mine)]]
        assert question(block[-1])["required"] is False
        assert spec.questions[question(block[-1])["questionId"]] == {
            "section": section.number, "kind": "corrected_items", "items": mine, "title": block[-1]["title"]}


def test_each_item_is_one_required_radio_with_points_and_red_line(standards, specs):
    spec = specs["crd-spot-check"]
    by_code = {i["title"].split(" ")[0]: i for i in spec.items if "questionItem" in i}
    for item in standards.checklist_items("crd-spot-check"):
        form_item = by_code[item.code]
        assert form_item["title"] == f"{item.code} {item.short}"
        q = question(form_item)
        assert q["required"] is True
        assert q["choiceQuestion"]["type"] == "RADIO"
        # 符合, 不符合 1 处 … up to the count that empties the item (扣完), 不适用
        empty = math.ceil(item.points / item.deduction)
        assert [o["value"] for o in q["choiceQuestion"]["options"]] == \
            ["符合", *(f"不符合 {k} 处" for k in range(1, empty)), f"不符合 {empty} 处及以上（扣完）", "不适用"]
        assert f"{empty} 处扣完" in form_item["description"]
        assert f"分值 {item.points:g} 分" in form_item["description"]
        assert f"每处扣 {item.deduction:g} 分" in form_item["description"]
        assert ("【红线】" in form_item["description"]) == item.critical
        assert spec.questions[q["questionId"]] == {"item": item.code, "title": form_item["title"]}
    assert any(i.critical for i in standards.checklist_items("crd-spot-check"))


def test_ids_are_derived_from_codes_and_in_googles_format(specs):
    seen_question: dict[str, str] = {}
    for spec in specs.values():
        ids = []
        for item in spec.items:
            assert ID.match(item["itemId"]), item["itemId"]
            ids.append(item["itemId"])
            if "questionItem" in item:
                qid = question(item)["questionId"]
                assert ID.match(qid) and int(qid, 16) <= 0x7FFFFFFF
                ids.append(qid)
                # the same question has the same id in every checklist's form
                assert seen_question.setdefault(item["title"], qid) == qid
        assert len(ids) == len(set(ids)), spec.checklist
    assert stable_id("question:code:4.2.1.1-a") == stable_id("question:code:4.2.1.1-a")
    assert stable_id("question:code:4.2.1.1-a") != stable_id("question:code:4.2.1.1-b")


def test_ids_survive_edits_elsewhere_in_the_standards():
    before = build_form(load_standards(texts=edited("procedure.yaml", "x", "x"), instruments=INSTRUMENTS).standards,
                        "daily-patrol", instruments=INSTRUMENTS)
    after_std = load_standards(texts=edited("procedure.yaml", "short: 办公区物品与桌面整洁",
                                            "short: 办公区整洁"), instruments=INSTRUMENTS).standards
    after = build_form(after_std, "daily-patrol", instruments=INSTRUMENTS)
    ids = lambda spec: {i["title"].split(" ")[0]: question(i)["questionId"] for i in spec.items if "questionItem" in i}  # noqa: E731
    assert ids(before) == ids(after)
    assert before.to_json() != after.to_json()


def test_create_body_has_only_what_google_copies(specs):
    for spec in specs.values():
        assert set(spec.create) == {"info"}
        assert set(spec.create["info"]) == {"title", "documentTitle"}
        assert spec.publish == {"publishSettings": {"publishState": {"isPublished": True,
                                                                     "isAcceptingResponses": True}},
                                "updateMask": "publishState"}


def test_build_time_is_small(standards):
    start = time.perf_counter()
    for _ in range(5):
        specs = build_forms(standards, INSTRUMENTS)
        for spec in specs.values():
            spec.to_json()
            assert not validate_spec(spec)
    assert (time.perf_counter() - start) / 5 < 2.0
