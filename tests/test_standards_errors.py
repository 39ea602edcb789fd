"""One test per kind of malformed standards: exact message, exact line."""

from __future__ import annotations

import pytest

from generator.messages import render
from generator.instruments import INSTRUMENTS
from generator.standards import load_standards

from conftest import STANDARDS, edited, line_of, standards_texts


def only_errors(texts):
    result = load_standards(texts=texts, instruments=INSTRUMENTS)
    assert result.standards is None
    return result.errors


def one(texts, message_id):
    found = [d for d in only_errors(texts) if d.message_id == message_id]
    assert len(found) == 1, [str(d) for d in only_errors(texts)]
    return found[0]


def test_yaml_syntax_error_names_line_and_column():
    texts = edited("procedure.yaml", "  title: 客服人员服务行为监督管理程序", "  title: [客服人员服务行为监督管理程序")
    d = one(texts, "yaml_syntax")
    # the parser stops at the next key's colon, on the line after the unclosed flow sequence (1-based column)
    line = line_of(texts["procedure.yaml"], "title: [客服") + 1
    column = texts["procedure.yaml"].splitlines()[line - 1].index(":") + 1
    assert (d.file, d.line, d.column) == ("procedure.yaml", line, column)
    assert str(d).startswith(f"procedure.yaml:{line}:{column}: 错误: YAML 语法错误：")


def test_tab_indentation_is_a_syntax_error_not_a_traceback():
    texts = edited("organisation.yaml", "timezone: Asia/Shanghai", "timezone:\n\t- Asia/Shanghai")
    d = one(texts, "yaml_syntax")
    assert d.file == "organisation.yaml" and d.line == line_of(texts["organisation.yaml"], "\t- Asia")


def test_unknown_key_suggests_the_right_one():
    texts = edited("procedure.yaml", "                    points: 3\n", "                    pionts: 3\n")
    d = one(texts, "unknown_key")
    assert d.line == line_of(texts["procedure.yaml"], "pionts")
    assert d.message == "未知字段“pionts”"
    assert d.hint == "是否应为“points”？"


def test_missing_required_field_names_the_field():
    texts = edited("procedure.yaml", "                    short: 下班前清理桌面、归位座椅\n", "")
    d = one(texts, "missing_key")
    assert d.line == line_of(texts["procedure.yaml"], "code: 4.2.1.1-b")
    assert (d.message, d.hint) == render("missing_key", key="short")


def test_wrong_type_unquoted_number_says_to_quote():
    texts = edited("procedure.yaml", 'number: "2.0"', "number: 2.0")
    d = one(texts, "wrong_type")
    assert d.line == line_of(texts["procedure.yaml"], "number: 2.0")
    assert d.message == "“number”的类型错误：应为文本，实际为数字 2.0"
    assert '"2.0"' in d.hint


def test_wrong_type_text_for_points():
    texts = edited("procedure.yaml", "                    points: 4\n", "                    points: 四分\n")
    d = one(texts, "wrong_type")
    assert d.message == "“points”的类型错误：应为数字，实际为文本“四分”"


def test_duplicate_code_points_to_the_first():
    texts = edited("procedure.yaml", "code: 4.2.1.1-b", "code: 4.2.1.1-a")
    d = one(texts, "duplicate")
    text = texts["procedure.yaml"]
    assert d.line == line_of(text, "code: 4.2.1.1-a", 2)
    assert d.message == f"重复的条目代码“4.2.1.1-a”（第 {line_of(text, 'code: 4.2.1.1-a')} 行已定义）"


def test_duplicate_yaml_key():
    texts = edited("organisation.yaml", "publish_names: false", "publish_names: false\npublish_names: true")
    d = one(texts, "yaml_duplicate_key")
    assert d.line == line_of(texts["organisation.yaml"], "publish_names: true")


@pytest.mark.parametrize("file, old, new, what, value, hint", [
    ("procedure.yaml", "methods: [onsite, records]", "methods: [onsite, recrods]", "检查方式", "recrods",
     "是否应为“records”？"),
    ("procedure.yaml", "roles: [cs_supervisor, project_manager, crd]", "roles: [cs_supervisor, project_manger, crd]",
     "角色", "project_manger",
     "是否应为“project_manager”？"),
    ("checklists.yaml", 'include: ["4.2.1", "4.2.2"]', 'include: ["4.2.1", "4.2.1.2-g"]', "章节或条目", "4.2.1.2-g",
     "是否应为“4.2.1.2-f”？"),
    ("checklists.yaml", "roles: [crd]\n    include", "roles: [crd]\n    projects: [wutong, lantin]\n    include",
     "项目", "lantin", "是否应为“lanting”？"),
    ("procedure.yaml", "references: [records-policy]", "references: [record-policy]", "文件", "record-policy",
     "是否应为“records-policy”？"),
])
def test_unknown_references_with_did_you_mean(file, old, new, what, value, hint):
    texts = edited(file, old, new)
    d = one(texts, "unknown_ref")
    assert d.file == file and d.line == line_of(texts[file], value)
    assert d.message == f"未知的{what}“{value}”"
    assert d.hint == hint


def test_non_positive_points():
    texts = edited("procedure.yaml", "                    points: 4\n", "                    points: 0\n")
    d = one(texts, "too_small")
    assert d.line == line_of(texts["procedure.yaml"], "points: 0")
    assert d.message == "“points”必须大于 0（当前为 0）"


def test_deduction_larger_than_points():
    texts = edited("procedure.yaml", "                    points: 3\n                    deduction: 1\n",
                   "                    points: 3\n                    deduction: 4\n")
    d = one(texts, "deduction_gt_points")
    assert d.line == line_of(texts["procedure.yaml"], "deduction: 4")
    assert d.message == "每处扣分 4 大于分值 3"


def test_grade_bands_with_a_gap():
    texts = edited("organisation.yaml", "{name: 良好, min: 80, max: 90}", "{name: 良好, min: 82, max: 90}")
    d = one(texts, "bands_gap")
    assert d.line == line_of(texts["organisation.yaml"], "良好")
    assert d.message == "评级区间有空档：合格 的 max 为 80，良好 的 min 为 82"


def test_grade_bands_overlapping():
    texts = edited("organisation.yaml", "{name: 合格, min: 70, max: 80}", "{name: 合格, min: 70, max: 85}")
    d = one(texts, "bands_overlap")
    assert d.message == "评级区间重叠：合格 的 max 为 85，良好 的 min 为 80"


def test_grade_bands_not_covering_0_to_100():
    texts = edited("organisation.yaml", "{name: 不合格, min: 0, max: 70}", "{name: 不合格, min: 10, max: 70}")
    d = one(texts, "bands_start")
    assert d.line == line_of(texts["organisation.yaml"], "不合格")


def test_checklist_with_no_items():
    texts = edited("checklists.yaml", "methods: [onsite]\n", "methods: [exam]\n")
    d = one(texts, "checklist_empty")
    assert d.message == "检查表“daily-patrol”没有任何条目"
    assert d.line == line_of(texts["checklists.yaml"], "id: daily-patrol")


def test_bad_choice_lists_the_choices():
    texts = edited("organisation.yaml", "patrols: {min: 2, per: day}", "patrols: {min: 2, per: daily}")
    d = one(texts, "bad_choice")
    assert "day" in d.hint and "month" in d.hint


def test_missing_file_is_reported():
    texts = standards_texts()
    del texts["checklists.yaml"]
    d = one(texts, "file_missing")
    assert d.file == "checklists.yaml"


def test_every_problem_is_reported_at_once():
    texts = edited("procedure.yaml", "code: 4.2.1.1-b", "code: 4.2.1.1-a")
    texts["organisation.yaml"] = texts["organisation.yaml"].replace("timezone: Asia/Shanghai", "timezone: Mars/Base")
    texts["checklists.yaml"] = texts["checklists.yaml"].replace("roles: [crd]", "roles: [crdd]")
    ids = {d.message_id for d in only_errors(texts)}
    assert {"duplicate", "bad_timezone", "unknown_ref"} <= ids


def test_warning_for_an_item_in_no_checklist_and_strict():
    texts = edited("checklists.yaml", 'include: ["4.2.1", "4.2.2", "4.2.3", "4.2.4"]',
                   'include: ["4.2.1", "4.2.2", "4.2.3"]')
    result = load_standards(texts=texts, instruments=INSTRUMENTS)
    assert result.standards is not None and result.ok() and not result.ok(strict=True)
    assert {d.message_id for d in result.warnings} == {"item_unused"}


BROKEN_YAML = ["a: 1\na: 2\n", "项目: 测试\n  - 列表\n", "a: &x [1]\nb: *x\nc: *y\n", "\t- tab\n", "键: '未闭合\n",
               "- a\n-b: c: d\n", "a:\n  b: 1\n c: 2\n", "{a: 1, b: [}\n", "x: 1\ny: [\n", "a: b: c\n",
               "中文键: 值\n中文键: 另一个\n", "- 一\n- 二\n  三: 四\n", "", "# 只有注释\n"]


@pytest.mark.parametrize("text",
                         BROKEN_YAML + [p.read_text(encoding="utf-8") for p in sorted(STANDARDS.glob("*.yaml"))])
def test_libyaml_and_pure_python_parsing_give_the_same_result(text, monkeypatch):
    import yaml

    from generator import yamlsource

    results = []
    for loader in (yaml.SafeLoader, getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
        monkeypatch.setattr(yamlsource, "_LOADER", loader)
        parsed, diagnostics = yamlsource.parse_yaml(text, "f.yaml")
        results.append((parsed.data, dict(parsed.lines), [str(d) for d in diagnostics]))
    assert results[0] == results[1]


def test_the_standards_are_parsed_by_libyaml_when_pyyaml_has_it():
    import yaml

    from generator import yamlsource

    assert yamlsource._LOADER is (yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader)
