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
    assert all(re.fullmatch(r"[SCLFGXQRIDBNA]\d{3}", c) for c in codes), codes


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


def _reason_tables() -> dict[str, dict]:
    """Every table of quarantine reasons (`REASONS`: code -> (Msg, field)) in the ingest stage and the instruments."""
    import importlib
    import pkgutil

    import generator.instruments

    names = ["generator.ingest.columns", *(m.name for m in pkgutil.walk_packages(generator.instruments.__path__,
                                                                                  "generator.instruments."))]
    modules = {name: importlib.import_module(name) for name in names}
    return {name: module.REASONS for name, module in modules.items()
            if isinstance(getattr(module, "REASONS", None), dict)}


def test_every_quarantine_reason_code_has_a_catalogue_name():
    """The ingest summary and old stores' rows name a reason by its message's `short`: every reason an ingest
    can give, and every code a stored row can hold, has one (Chinese, no fields left to fill)."""
    from generator.ingest.columns import STORED_REASONS, reason_name

    tables = _reason_tables()
    assert {"generator.ingest.columns", "generator.instruments.questionnaire.survey",
            "generator.instruments.fixreport.form"} <= set(tables)
    given = {(code, msg) for table in tables.values() for code, (msg, _) in table.items()}
    nameless = [(code, msg.name) for code, msg in {*given, *STORED_REASONS.items()}
                if not msg.code.startswith("I3") or not msg.short or "{" in msg.short
                or not re.search(r"[\u4e00-\u9fff]", msg.short)]
    assert nameless == []
    assert [m.name for m in Msg if m.code.startswith("I3") and not m.short] == []
    # the names the summary showed before they came from the catalogue
    assert (Msg.ROW_DUPLICATE.short, Msg.ROW_DUPLICATE_ROW.short) == ("重复提交", "重复提交")
    assert (Msg.ROW_TOO_LONG.short, Msg.ROW_COMMENT_TOO_LONG.short, Msg.ROW_TEXT_TOO_LONG.short) == ("单元格过长",) * 3
    assert (Msg.ROW_EMAIL_AS_NAME.short, Msg.ROW_MISSING_ANSWER.short) == ("检查人填了邮箱", "缺少必填答案")
    assert (reason_name("unknown_project"), reason_name("formula"), reason_name("markup")) == \
        ("未知项目", "疑似公式注入", "含 HTML 或脚本")
    assert reason_name("no_such_reason") is None


def test_a_fix_report_that_cannot_be_attached_says_why_from_the_catalogue_as_before():
    from generator.results.scoring import ON_THE_SPOT

    assert Msg.REPORT_NO_ACTION(found="2026-11-02", code="4.2.1.1-a") == \
        "没有这项整改：该项目 2026-11-02 没有发现 4.2.1.1-a 的问题"
    assert Msg.REPORT_ACTION_CLOSED(how=ON_THE_SPOT, closed="2026-11-03") == \
        f"这项整改已关闭（{ON_THE_SPOT}，2026-11-03），不需要再反馈"
    assert Msg.REPORT_ALREADY_REPORTED(reported="2026-11-04") == "这项整改已有 2026-11-04 的整改反馈"
    assert Msg.REPORT_FIXED_BEFORE_FOUND(fixed="2026-11-01", found="2026-11-02") == \
        "整改日期 2026-11-01 早于发现日期 2026-11-02"
