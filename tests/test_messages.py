"""The message catalogue: one code per message, every code used once, messages rendered from it."""

from __future__ import annotations

import re
from click.testing import CliRunner

from generator.cli import main
from generator.messages import Msg, one_line
from generator.standards import load_standards

from conftest import ROOT, edited


def test_codes_are_unique_and_well_formed():
    codes = [m.code for m in Msg]
    assert len(codes) == len(set(codes))
    assert all(re.fullmatch(r"[SCLFGXQRIDBN]\d{3}", c) for c in codes), codes


def test_a_diagnostic_carries_its_code():
    result = load_standards(texts=edited("procedure.yaml", "code: 4.2.1.1-b", "code: 4.2.1.1-a"))
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
