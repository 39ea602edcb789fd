"""ingest/mapping.py on its own: recorded response rows in, normalised records (or the rejection) out.

The rows are the recorded exports in tests/data (read with the csv module only), fed to the pure
functions `map_columns` and `normalise` as github-to-sqlite's tests feed a recorded JSON to its
save function: no store, no sheet, no CLI. Expected values are read off the CSV by hand.
"""

from __future__ import annotations

import csv
import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from generator.context import standards_context
from generator.forms.lock_file import FormVersion, LockedForm
from generator.ingest.columns import Rejected
from generator.instruments.patrol.mapping import Target, Vocabulary, map_columns, normalise
from generator.instruments.questioning import RandomQuestioning
from generator.standards import require_standards
from generator.instruments import INSTRUMENTS

from conftest import ROOT

SHANGHAI = ZoneInfo("Asia/Shanghai")
PATROL = ROOT / "tests" / "data" / "ingest" / "daily-patrol.zh-CN.utf-8.csv"
SPOT_CHECK = ROOT / "tests" / "data" / "methods" / "crd-spot-check.questioning.zh-CN.csv"


@pytest.fixture(scope="module")
def standards():
    return require_standards(ROOT / "standards", instruments=INSTRUMENTS)


def recorded(path):
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


@pytest.fixture(scope="module")
def patrol(standards):
    header, rows = recorded(PATROL)
    vocab = Vocabulary.build(standards, "daily-patrol", LockedForm("daily-patrol"))
    return header, rows, vocab, map_columns(header, vocab)


def test_columns_map_by_code_field_title_grid_row_and_section(patrol):
    header, _, _, columns = patrol
    assert columns.targets == {
        0: Target("timestamp"), 1: Target("email"), 2: Target("field", "project"), 3: Target("field", "role"),
        4: Target("field", "inspector"), 5: Target("field", "date"),
        6: Target("item", "4.2.1.1-a"),          # header with a line break
        7: Target("item", "4.2.1.2-a"), 8: Target("item", "4.2.1.2-d"),
        9: Target("corrected", "4.2.1"), 10: Target("note", "4.2.1"),
        12: Target("item", "4.2.2.1-x1"),        # grid question: mapped by its row's code
        13: Target("item", "4.2.2.1-x4"), 14: Target("corrected", "4.2.2"), 15: Target("note", "4.2.2")}
    assert columns.unmapped == [(11, "检查方式")]


def test_a_recorded_row_becomes_one_record(patrol):
    _, rows, vocab, columns = patrol
    record = normalise(rows[0], columns, vocab, SHANGHAI)
    # 2026-11-16 上午09:12:05,zhang.wei@example.com,梧桐苑,客服主管,张伟,2026-11-16,符合,不符合 2 处,符合,是,
    # 地面有水渍，已通知保洁,"现场查看, 查阅记录",符合,符合,,
    assert record.submitted_at == dt.datetime(2026, 11, 16, 9, 12, 5, tzinfo=SHANGHAI)
    assert (record.project, record.role, record.inspector, record.date) == \
        ("wutong", "cs_supervisor", "张伟", dt.date(2026, 11, 16))
    assert record.email == "zhang.wei@example.com"
    assert record.findings == {"4.2.1.1-a": 0, "4.2.1.2-a": 2, "4.2.1.2-d": 0, "4.2.2.1-x1": 0, "4.2.2.1-x4": 0}
    assert record.labels["4.2.1.2-a"] == "不符合 2 处"
    assert record.corrected == {"4.2.1": True}
    assert record.notes == {"4.2.1": "地面有水渍，已通知保洁"}
    assert record.extra == {"检查方式": "现场查看, 查阅记录"}
    assert record.added == {}              # no column an instrument added


def test_not_applicable_afternoon_time_project_by_id_and_three_or_more(patrol):
    _, rows, vocab, columns = patrol
    second = normalise(rows[1], columns, vocab, SHANGHAI)
    assert second.submitted_at == dt.datetime(2026, 11, 16, 14, 3, 59, tzinfo=SHANGHAI)   # 下午02:03:59
    assert second.findings["4.2.1.1-a"] is None                                        # 不适用
    assert (second.project, second.role) == ("lanting", "project_manager")
    assert second.corrected == {"4.2.2": False} and second.notes == {"4.2.2": "未佩戴工牌"}
    third = normalise(rows[2], columns, vocab, SHANGHAI)
    assert third.submitted_at == dt.datetime(2026, 11, 17, 0, 30, tzinfo=SHANGHAI)     # 上午12:30 is half past midnight
    assert third.project == "binjiang"                                                 # given by id
    assert third.findings["4.2.1.1-a"] == 3                                            # 不符合 3 处及以上
    assert third.notes == {"4.2.1": 'Said "ok, later", then left'}


def test_the_same_row_always_hashes_the_same_and_an_edit_changes_it(patrol):
    _, rows, vocab, columns = patrol
    first = normalise(rows[0], columns, vocab, SHANGHAI)
    assert normalise(list(rows[0]), columns, vocab, SHANGHAI).content_hash() == first.content_hash()
    edited = list(rows[0])
    edited[7] = "符合"
    assert normalise(edited, columns, vocab, SHANGHAI).content_hash() != first.content_hash()
    assert first.key == ("wutong", "cs_supervisor", "张伟", dt.date(2026, 11, 16))


@pytest.mark.parametrize("column, value, code, message", [
    (2, "无名小区", "unknown_project", "未知项目“无名小区”"),
    (3, "保安", "unknown_role", "未知角色“保安”"),
    (0, "昨天", "bad_time", "无法识别的提交时间“昨天”"),
    (5, "2026-13-45", "bad_date", "无法识别的检查日期“2026-13-45”"),
    (4, "zhang.wei@example.com", "email_as_name", "检查人一栏填写的是电子邮箱"),
])
def test_a_bad_cell_rejects_the_row_with_its_reason(patrol, column, value, code, message):
    _, rows, vocab, columns = patrol
    row = list(rows[0])
    row[column] = value
    with pytest.raises(Rejected) as rejected:
        normalise(row, columns, vocab, SHANGHAI)
    assert (rejected.value.code, rejected.value.message) == (code, message)


@pytest.mark.parametrize("column, value", [(4, "=HYPERLINK(\"http://x\")"), (10, "<script>alert(1)</script>")])
def test_text_that_looks_like_a_formula_or_markup_is_kept_as_typed(patrol, column, value):
    header, rows, vocab, columns = patrol
    row = list(rows[0])
    row[column] = value
    record = normalise(row, columns, vocab, SHANGHAI)
    assert value in (record.inspector, *record.notes.values())


def test_an_answer_that_is_no_option_is_rejected(patrol):
    _, rows, vocab, columns = patrol
    row = list(rows[0])
    row[7] = "还行"
    with pytest.raises(Rejected) as rejected:
        normalise(row, columns, vocab, SHANGHAI)
    assert rejected.value.code == "not_an_option"
    assert "还行" in rejected.value.message and "4.2.1.2-a" in rejected.value.message


def test_an_older_form_versions_labels_are_read_by_position(standards, patrol):
    header, rows, _, _ = patrol
    old = FormVersion("0.9", dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc),
                      ("合格", "扣 1 处", "扣 2 处", "扣 3 处及以上", "不适用"), {})
    vocab = Vocabulary.build(standards, "daily-patrol", LockedForm("daily-patrol", versions=(old,)))
    row = list(rows[0])
    row[7] = "扣 2 处"
    record = normalise(row, map_columns(header, vocab), vocab, SHANGHAI)
    assert record.form_version == "0.9"
    assert record.findings["4.2.1.2-a"] == 2


def test_a_spot_check_row_carries_the_questioning_grid(standards):
    header, rows = recorded(SPOT_CHECK)
    grid = RandomQuestioning().checklist_columns(standards_context(standards, INSTRUMENTS), "crd-spot-check")
    vocab = Vocabulary.build(standards, "crd-spot-check", LockedForm("crd-spot-check"), (grid,))
    columns = map_columns(header, vocab)
    record = normalise(rows[0], columns, vocab, SHANGHAI)
    # 2026-10-8 上午10:30:00,梧桐苑,客户关系部,赵敏,…,陈晓,答对,,部分,,,,,,答错,,,,,,答对,,未抽问,
    assert (record.project, record.role, record.inspector) == ("wutong", "crd", "赵敏")
    asked = record.added["questioning"]
    assert asked["questioned"] == "陈晓"
    answered = [header[i] for i, cell in enumerate(rows[0]) if cell in ("答对", "部分", "答错")]
    assert len(asked["questioning"]) == len(answered) == 4
    assert sorted(asked["questioning"].values()) == ["答对", "答对", "答错", "部分"]
    assert record.extra == {}
    # without the questioning instrument the grid's columns are no question's: kept as typed, unscored
    plain = Vocabulary.build(standards, "crd-spot-check", LockedForm("crd-spot-check"))
    bare = normalise(rows[0], map_columns(header, plain), plain, SHANGHAI)
    assert bare.added == {} and bare.findings == record.findings
    assert sorted(bare.extra.values()) == sorted(["陈晓", "答对", "部分", "答错", "答对", "未抽问"])
