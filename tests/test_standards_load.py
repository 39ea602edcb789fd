"""The real standards load clean and cover every clause of the seed procedure."""

from __future__ import annotations

import re

from generator.instruments import INSTRUMENTS
from generator.standards import load_standards

from conftest import STANDARDS

# Every clause number NOTES.md lists (the checklist of the mission), copied here so tests
# do not depend on ../shared.
SEED_CLAUSES = """
1.0 2.0 3.0 3.1 3.2 3.3 4.1 4.1.1 4.1.2 4.1.3 4.1.4 4.2 4.2.1 4.2.1.1 4.2.1.2 4.2.2 4.2.3
4.2.3.1 4.2.3.2 4.2.3.3 4.2.3.4 4.2.4 4.4 4.4.1 4.4.1.1 4.4.1.2 4.4.2 4.4.2.1 4.4.2.2 4.4.3
4.4.3.1 4.4.3.2 4.5 4.5.1 4.5.2 4.5.3 4.6 4.6.1 4.6.2 4.6.3 5.0 6.0
""".split()
SEED_LETTERS = {"4.2.1.1": "abc", "4.2.1.2": "abcdef", "4.6.1": "abcd", "4.6.2": "ab", "4.6.3": "abc"}


def test_real_standards_load_without_problems():
    result = load_standards(STANDARDS, instruments=INSTRUMENTS)
    assert result.diagnostics == []
    assert result.standards is not None


def test_every_seed_clause_is_present_under_its_own_number():
    s = load_standards(STANDARDS, instruments=INSTRUMENTS).standards
    numbers = set(s.clauses) | set(s.items)
    missing = [n for n in SEED_CLAUSES if n not in numbers]
    assert missing == []
    for clause, letters in SEED_LETTERS.items():
        for letter in letters:
            assert f"{clause}-{letter}" in numbers, f"{clause} {letter}) missing"


def test_cleaning_is_renumbered_and_the_fix_is_noted():
    s = load_standards(STANDARDS, instruments=INSTRUMENTS).standards
    assert s.clauses["4.2.1.2"].title == "清洁卫生"
    assert s.clauses["4.2.1.2"].original_number == "4.2.2.2"
    assert "4.2.2.2" not in s.clauses
    notes = " ".join(n for change in s.document.changes for n in change.notes)
    assert "4.2.2.2" in notes and "4.2.1.2" in notes
    assert "4.3" in notes  # the missing clause is explained


def test_no_scraping_noise_and_no_personal_data():
    text = (STANDARDS / "procedure.yaml").read_text(encoding="utf-8")
    for noise in ("下载", "excel", "幼儿园", "离婚", "开通vip", "87826374", "辜舟", "举报"):
        assert noise not in text
    assert "规范客户服务人员服务行为" in text
    assert "《前期物管协议》" in text


def test_example_items_are_marked_and_live_under_the_referencing_clauses():
    s = load_standards(STANDARDS, instruments=INSTRUMENTS).standards
    examples = [i for i in s.items.values() if i.example]
    assert examples, "the demo ships example items for 4.2.2 and 4.2.4"
    for item in examples:
        clause = s.item_clause[item.code]
        assert clause.number in ("4.2.2.1", "4.2.4.1")
        assert clause.references, "the clause points to the company document"
    # company items are not examples
    assert not s.items["4.2.1.1-a"].example


def test_item_codes_are_stable_and_well_formed():
    s = load_standards(STANDARDS, instruments=INSTRUMENTS).standards
    for code in s.items:
        assert re.fullmatch(r"\d+(\.\d+)+(-[a-z][a-z0-9]*)?", code)
    assert list(s.items)[:3] == ["4.2.1.1-a", "4.2.1.1-b", "4.2.1.1-c"]


def test_checklists_select_the_expected_items():
    s = load_standards(STANDARDS, instruments=INSTRUMENTS).standards
    patrol = [i.code for i in s.checklist_items("daily-patrol")]
    spot = [i.code for i in s.checklist_items("crd-spot-check")]
    assert "4.2.1.2-d" in patrol and "4.2.3.1" not in patrol  # questioning is not a daily patrol item
    assert set(patrol) < set(spot)
    assert {"4.2.3.1", "4.2.4.1-x1"} <= set(spot)  # questioning and record spot-checks


def test_organisation_roles_and_grades():
    s = load_standards(STANDARDS, instruments=INSTRUMENTS).standards
    assert s.roles["cs_supervisor"].patrols.min == 2 and s.roles["cs_supervisor"].patrols.per == "day"
    assert s.roles["project_manager"].patrols.min == 1
    assert s.roles["crd"].patrols.per == "month"
    assert 6 <= len(s.projects) <= 10
    assert s.grade(90) == "优秀" and s.grade(89.99) == "良好" and s.grade(100) == "优秀"
    assert s.grade(70) == "合格" and s.grade(0) == "不合格"
    assert s.organisation.timezone == "Asia/Shanghai"
