"""Random questioning on the spot-check form: grid body, CSV with grid answers, hand-computed knowledge scores."""

from __future__ import annotations

import dataclasses

import pytest

from generator.forms.form_spec import build_forms
from generator.forms.validate import validate_spec
from generator.ingest import run_ingest
from generator.store import read_inspections
from generator.ingest.run import file_source
from generator.instruments.questioning import grid as kn
from generator.instruments.questioning import knowledge as pages
from generator.standards import require_standards
from generator.instruments import INSTRUMENTS

from conftest import ROOT

FIXTURE = ROOT / "tests" / "data" / "methods" / "crd-spot-check.questioning.zh-CN.csv"


@pytest.fixture(scope="module")
def standards():
    return require_standards(ROOT / "standards", instruments=INSTRUMENTS)


@pytest.fixture(scope="module")
def stored(standards, tmp_path_factory):
    db = tmp_path_factory.mktemp("knowledge") / "store.sqlite"
    report = run_ingest([file_source(FIXTURE, "crd-spot-check")], standards=standards, db_path=db,
                        instruments=INSTRUMENTS)
    return db, report


def test_spot_check_form_has_a_valid_grid_of_the_bank(standards):
    spec = build_forms(standards, INSTRUMENTS)["crd-spot-check"]
    assert validate_spec(spec) == []
    grid = next(i for i in spec.items if "questionGroupItem" in i)
    rows = [q["rowQuestion"]["title"].split(" ")[0] for q in grid["questionGroupItem"]["questions"]]
    assert rows == [q.id for q in standards.methods_file.questioning.questions]
    assert [o["value"] for o in grid["questionGroupItem"]["grid"]["columns"]["options"]] == \
        ["答对", "部分", "答错", "未抽问"]
    assert "questionGroupItem" not in str(build_forms(standards, INSTRUMENTS)["daily-patrol"].batch_update)


def test_grid_columns_map_and_bad_labels_are_quarantined(stored):
    _db, report = stored
    src = report.sources[0]
    assert src.unmapped_columns == []
    assert src.new == 3 and src.quarantined == 1 and list(src.reasons) == ["not_an_option"]


def test_knowledge_scores_are_hand_computed(standards, stored):
    db, _ = stored
    asked = kn.read_questioning(db)
    assert len(asked) == 8                       # 未抽问 and blanks are not stored
    by_project = kn.knowledge_by(standards, asked, lambda a: a.project)
    # 梧桐苑: 答对 + 部分 + 答错 + 答对 (1.0 + 0.5 + 0 + 1.0) then 答错 → 2.5 / 5
    assert (by_project["wutong"].score, by_project["wutong"].n) == (2.5, 5)
    assert by_project["wutong"].percent == 50.0
    # 兰亭雅居: 部分 + 部分 + 答对 → 2.0 / 3
    assert (by_project["lanting"].score, by_project["lanting"].n) == (2.0, 3)
    by_topic = kn.knowledge_by(standards, asked, kn.topic_of(standards))
    assert (by_topic["员工守则"].score, by_topic["员工守则"].n) == (1.5, 3)
    assert (by_topic["工作职责"].score, by_topic["工作职责"].n) == (1.0, 2)
    assert (by_topic["物业管理法律法规"].score, by_topic["物业管理法律法规"].n) == (0.0, 1)
    assert {a.staff for a in asked} == {"陈晓", "林芳"}
    # the checklist answers of the same rows are stored as before
    assert len(read_inspections(db)) == 3


def test_knowledge_page_names_people_only_when_allowed(standards, stored):
    db, _ = stored
    asked = kn.read_questioning(db)
    page = pages.knowledge_files(standards, asked)["results/knowledge.md"]
    assert standards.organisation.publish_names is False
    assert "陈晓" not in page and "不公开人员姓名" in page
    assert "| 梧桐苑 | 50.0% | 2.5 / 5 | 2 | 1 | 2 |" in page
    assert "| 兰亭雅居 | 66.7% | 2 / 3 | 1 | 2 | 0 |" in page
    allowed = dataclasses.replace(standards, organisation=standards.organisation.model_copy(
        update={"publish_names": True}))
    page = pages.knowledge_files(allowed, asked)["results/knowledge.md"]
    assert "| 梧桐苑 | 陈晓 | 50.0% | 2.5 / 5 |" in page
    assert "| 兰亭雅居 | 林芳 | 66.7% | 2 / 3 |" in page
