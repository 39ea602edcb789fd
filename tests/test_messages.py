"""The message catalogue: one code per message, every code used once, messages rendered from it."""

from __future__ import annotations

import ast
import re

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.errors import HandbookError, StoreDamaged
from generator.messages import Msg, one_line
from generator.standards import load_standards
from generator.instruments import INSTRUMENTS

from conftest import ROOT, edited


def test_codes_are_unique_and_well_formed():
    codes = [m.code for m in Msg]
    assert len(codes) == len(set(codes))
    assert all(re.fullmatch(r"[SCLFGXQRIDBN]\d{3}", c) for c in codes), codes


def test_a_diagnostic_carries_its_code():
    result = load_standards(texts=edited("procedure.yaml", "code: 4.2.1.1-b", "code: 4.2.1.1-a"),
                            instruments=INSTRUMENTS)
    (duplicate,) = [d for d in result.diagnostics if d.message_id == "duplicate"]
    assert duplicate.code == "S301"
    assert duplicate.message.startswith("重复的条目代码“4.2.1.1-a”（第 ")
    assert duplicate.hint == "条目代码必须唯一，请改名或删除其一"


def test_cli_errors_come_from_the_catalogue(tmp_path):
    store = tmp_path / "none.sqlite"
    result = CliRunner().invoke(main, ["export", "--table", "inspections", "--store", str(store),
                                       "--standards", str(ROOT / "standards")])
    assert result.exit_code == 1
    assert result.output == f"错误：{one_line('store_missing', path=store)}\n"
    assert result.output == f"错误：找不到数据库 {store}：先运行 handbook ingest，或用 --store 指定已有的数据库。\n"


def test_a_handbook_error_keeps_its_code_and_renders_message_then_hint():
    err = StoreDamaged(Msg.STORE_CHECK_FAILED, path="data/x.sqlite", problems="2 处", restore="handbook restore",
                       backups="data/backups/")
    assert isinstance(err, HandbookError)
    assert (err.code, err.msg, err.problems) == ("D013", Msg.STORE_CHECK_FAILED, "2 处")
    assert str(err) == ("数据库 data/x.sqlite 已损坏（SQLite 完整性检查：2 处）：运行 handbook restore 用最近的备份恢复"
                        "（handbook backup 的备份在 data/backups/），或改用新的 --store 重新导入；该文件未作任何改动。")
    # a message whose text ends its own sentence keeps its full stop before the hint
    assert str(HandbookError(Msg.INGEST_FILE_MISSING, path="a.csv")) == \
        "找不到文件 a.csv。检查路径；--file 需要一个 CSV 或 XLSX 导出文件。"
    # without a hint the message is shown as written
    assert str(HandbookError(Msg.BAD_QUARTER, text="2026Q5")) == \
        "季度“2026Q5”格式不对：应写成 2026Q4（年份 + Q + 1 到 4）"
    assert HandbookError(Msg.BAD_QUARTER, text="2026Q5").code == "X001"


def test_a_handbook_error_takes_a_catalogue_message_not_text():
    with pytest.raises(TypeError):
        HandbookError("找不到文件 a.csv")


def _handbook_error_classes() -> set[str]:
    found, todo = set(), [HandbookError]
    while todo:
        cls = todo.pop()
        found.add(cls.__name__)
        todo.extend(cls.__subclasses__())
    return found - {"StandardsInvalid"}   # made from the standards' diagnostics, not a message


def test_every_handbook_error_in_the_package_is_raised_from_a_catalogue_member():
    """`HandbookError(Msg.X, **fields)` is the one way: no text built at the call site, no message ids as strings."""
    classes = _handbook_error_classes()
    assert {"HandbookError", "StoreError", "StoreDamaged", "FormGone"} <= classes
    wrong = []
    for path in sorted((ROOT / "generator").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in classes):
                continue
            args = node.args[1:] if node.func.id == "FormGone" else node.args   # FormGone(form_id, Msg.X, …)
            first = args[0] if args else None
            if not (isinstance(first, ast.Attribute) and isinstance(first.value, ast.Name) and first.value.id == "Msg"
                    and first.attr in Msg.__members__):
                wrong.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert wrong == []


def test_two_items_with_one_form_id_are_refused_with_a_catalogued_line():
    from generator.forms.form_spec import check_unique_ids
    items = [{"itemId": "1a2b", "title": "4.2.1.1-a 着装"}, {"itemId": "1a2b", "title": "4.2.1.1-b 仪容"}]
    with pytest.raises(HandbookError) as caught:
        check_unique_ids("daily-patrol", items)
    assert caught.value.code == "F017"
    assert str(caught.value) == ("检查表 daily-patrol：“4.2.1.1-b 仪容”与“4.2.1.1-a 着装”的表单 id 1a2b 冲突，"
                                 "请把其中一个条目代码改名后重试。")
