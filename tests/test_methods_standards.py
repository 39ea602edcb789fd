"""methods.yaml: the questionnaire, questioning bank, exam bank, training and meetings load and validate."""

from __future__ import annotations

import pytest
from pydantic import RootModel

from generator.errors import HandbookError
from generator.instruments import INSTRUMENTS
from generator.instruments.base import Instrument
from generator.instruments.questioning.draw import draw_questions
from generator.model import MethodsFile
from generator.standards import load_standards

from conftest import STANDARDS, edited, line_of, standards_texts

S = load_standards(STANDARDS, instruments=INSTRUMENTS).standards


def errors(texts):
    result = load_standards(texts=texts, instruments=INSTRUMENTS)
    assert result.standards is None
    return result.errors


def test_methods_file_loads():
    mf = S.methods_file
    assert [q.id for q in mf.questionnaire.questions] == ["attitude", "manner", "speed", "solved", "overall"]
    assert mf.questionnaire.scale.max == 5
    topics = {q.topic for q in mf.questioning.questions}
    for topic in ("员工守则", "工作职责", "劳动纪律", "人事管理规定", "物业管理法律法规", "《业主公约》",
                  "《前期物管协议》", "服务流程", "楼盘情况及周边配套"):
        assert topic in topics
    assert set(mf.exam.topics) == {"服务礼仪", "沟通技巧", "法律法规", "行业知识"}
    assert {q.kind for q in mf.exam.questions} == {"single", "multiple", "truefalse"}


def test_methods_file_is_optional():
    texts = standards_texts()
    del texts["methods.yaml"]
    result = load_standards(texts=texts, instruments=INSTRUMENTS)
    assert result.standards is not None and result.standards.methods_file.exam is None


def test_exam_answer_out_of_range():
    texts = edited("methods.yaml", "      answer: [0, 1, 3]\n      points: 3\n      feedback: 统一着装",
                   "      answer: [0, 1, 7]\n      points: 3\n      feedback: 统一着装")
    [d] = errors(texts)
    assert d.line == line_of(texts["methods.yaml"], "answer: [0, 1, 7]")
    assert d.message == "“answer”无效：选项序号应在 0 到 3 之间且不重复"


def test_single_choice_with_two_answers():
    texts = edited("methods.yaml", "      answer: [1]\n      points: 2\n      feedback: 客户到达时",
                   "      answer: [1, 2]\n      points: 2\n      feedback: 客户到达时")
    [d] = errors(texts)
    assert d.message == "“answer”无效：单选题只能有一个正确答案"


def test_truefalse_needs_a_boolean():
    texts = edited("methods.yaml", "      answer: false\n", "      answer: [0]\n")
    [d] = errors(texts)
    assert "判断题的 answer 为 true 或 false" in d.message


def test_questioning_item_and_meeting_refs_are_checked():
    texts = edited("methods.yaml", "      item: 4.2.3.4\n", "      item: 4.2.3.5\n")
    texts["methods.yaml"] = texts["methods.yaml"].replace("    project: binjiang", "    project: binjian")
    found = {(d.message, d.hint) for d in errors(texts)}
    assert ("未知的条目“4.2.3.5”", "是否应为“4.2.3.4”？") in found
    assert ("未知的项目“binjian”", "是否应为“binjiang”？") in found


def test_unknown_exam_topic():
    texts = edited("methods.yaml", "      topic: 行业知识\n      kind: truefalse",
                   "      topic: 行业常识\n      kind: truefalse")
    [d] = errors(texts)
    assert d.message == "未知的主题“行业常识”"


def test_draw_is_reproducible_and_never_repeats():
    seed, first = draw_questions(S, "wutong", 5, seed=42)
    assert seed == 42
    assert [q.id for q in first] == [q.id for q in draw_questions(S, "wutong", 5, seed=42)[1]]
    assert [q.id for q in first] != [q.id for q in draw_questions(S, "wutong", 5, seed=43)[1]]
    everything = draw_questions(S, "lanting", len(S.methods_file.questioning.questions), seed=1)[1]
    assert len({q.id for q in everything}) == len(everything)
    assert len({q.topic for q in first}) == 5  # topics are spread before any repeats


@pytest.mark.parametrize("project, n", [("nowhere", 3), ("wutong", 0), ("wutong", 999)])
def test_draw_rejects_bad_requests(project, n):
    with pytest.raises(HandbookError):
        draw_questions(S, project, n, seed=1)


def test_questions_draw_cli_prints_and_writes_a_card(tmp_path):
    from click.testing import CliRunner
    from pypdf import PdfReader

    from generator.cli import main

    args = ["questions", "draw", "--standards", str(STANDARDS), "--project", "wutong", "--n", "3", "--seed", "7"]
    first = CliRunner().invoke(main, args + ["--card", str(tmp_path / "card.pdf")])
    assert first.exit_code == 0, first.output
    again = CliRunner().invoke(main, args)
    expected = [q.text for q in draw_questions(S, "wutong", 3, seed=7)[1]]
    for text in expected:
        assert text in first.output and text in again.output
    reader = PdfReader(tmp_path / "card.pdf")
    text = reader.pages[0].extract_text()
    assert "随机抽问卡" in text and expected[0][:8] in text
    bad = CliRunner().invoke(main, ["questions", "draw", "--standards", str(STANDARDS), "--project", "nope"])
    assert bad.exit_code == 1 and bad.output.startswith("错误：未知项目“nope”")


# a problem in each instrument's part of methods.yaml and in a meeting issue (no instrument's), with what generator/standards.py printed for it before the instruments made these checks (d40fcfb);
# `{first}`: the line of the id it repeats. The lines are found in the text, so the file can grow.
EVERY_PART = [
    ("  method: survey\n", "  method: surveys\n", "未知的检查方式“surveys”（提示：是否应为“survey”？）"),
    ("  scale: {min: 1, max: 5,", "  scale: {min: 5, max: 5,", "“scale”无效：min 必须小于 max"),
    ("    - {id: manner, text:", "    - {id: attitude, text:",
     "重复的题目代号“attitude”（第 {first} 行已定义）（提示：题目代号必须唯一，请改名或删除其一）", "{id: attitude, text:"),
    ("  method: questioning\n", "  method: questionin\n", "未知的检查方式“questionin”（提示：是否应为“questioning”？）"),
    ("    - id: rules-2\n", "    - id: rules-1\n",
     "重复的题目代号“rules-1”（第 {first} 行已定义）（提示：题目代号必须唯一，请改名或删除其一）", "    - id: rules-1\n"),
    ("      item: 4.2.3.1\n", "      item: 4.2.3.9\n", "未知的条目“4.2.3.9”（提示：是否应为“4.2.3.4”？）"),
    ("  method: exam\n", "  method: exams\n", "未知的检查方式“exams”（提示：是否应为“exam”？）"),
    ("    - id: etiquette-2\n", "    - id: etiquette-1\n",
     "重复的题目代号“etiquette-1”（第 {first} 行已定义）（提示：题目代号必须唯一，请改名或删除其一）", "    - id: etiquette-1\n"),
    ("      topic: 服务礼仪\n      kind: single", "      topic: 服务李仪\n      kind: single", "未知的主题“服务李仪”（提示：是否应为“服务礼仪”？）"),
    ("      answer: [1]\n      points: 2\n      feedback: 客户到达时",
     "      answer: [1, 2]\n      points: 2\n      feedback: 客户到达时", "“answer”无效：单选题只能有一个正确答案"),
    ("      answer: false\n", "      answer: [0]\n", "“answer”无效：判断题的 answer 为 true 或 false，且不填 options"),
    ("    project: binjiang", "    project: binjian", "未知的项目“binjian”（提示：是否应为“binjiang”？）"),
]


def line_at(text: str, snippet: str) -> int:
    """1-based line on which `snippet` first starts in `text`."""
    return text[:text.index(snippet)].count("\n") + 1


class KeepsSection(Instrument):
    """Stands in for an instrument the loader is not given whose methods.yaml section model.py does not keep as
    written (an instrument added after the house's): its section is taken as it is, unchecked."""

    def __init__(self, key: str):
        self.id, self.settings_key = f"keeps-{key}", key

    def settings_model(self):
        return RootModel[object]


def without(*ids: str) -> list[Instrument]:
    """The instruments but `ids`, and a stand-in for each section those leave that model.py does not keep."""
    return [*(i for i in INSTRUMENTS if i.id not in ids),
            *(KeepsSection(i.settings_key) for i in INSTRUMENTS if i.id in ids and i.settings_key
              and i.settings_key not in MethodsFile.model_fields)]


def test_each_instrument_checks_its_part_with_the_diagnostics_the_loader_gave_before():
    texts = standards_texts()
    original = texts["methods.yaml"]
    expected = []
    for old, new, message, *repeated in EVERY_PART:
        assert old in texts["methods.yaml"], old
        line = line_at(texts["methods.yaml"], old)   # each edit keeps the line count: the lines stay put
        texts["methods.yaml"] = texts["methods.yaml"].replace(old, new, 1)
        first = line_at(original, repeated[0]) if repeated else None
        expected.append((line, f"methods.yaml:{line}: 错误: {message.format(first=first)}"))
    assert texts["methods.yaml"].count("\n") == original.count("\n")
    exam_from = line_at(original, "  method: exam\n")   # the exam's part, then the meeting issues (no instrument's)
    expected, exam_part = [t for _, t in sorted(expected)], [t for n, t in sorted(expected) if n >= exam_from]
    result = load_standards(texts=texts, instruments=INSTRUMENTS)
    assert [str(d) for d in result.diagnostics] == expected
    # the loader alone checks what is no instrument's (the meeting issue); each instrument adds its own
    alone = load_standards(texts=texts, instruments=without(*(i.id for i in INSTRUMENTS)))
    assert [str(d) for d in alone.diagnostics] == [expected[-1]]
    exam_only = load_standards(texts=texts, instruments=without(*(i.id for i in INSTRUMENTS if i.id != "exam")))
    assert [str(d) for d in exam_only.diagnostics] == exam_part


# ---------------------------------------------------------------- each instrument's settings model

class _Callbacks:
    """The settings model of an instrument that is not in model.py (methods.yaml `phone`)."""

    @staticmethod
    def model():
        from pydantic import Field

        from generator.model import ID_PATTERN, Id, Model

        class PhoneCallback(Model):
            id: Id = Field(pattern=ID_PATTERN)
            calls: int = Field(gt=0)

        return PhoneCallback


class _Phone(Instrument):
    id = "phone"
    title = "电话回访"
    settings_key = "phone"

    def settings_model(self):
        return _Callbacks.model()


PHONE = "phone:\n  id: callbacks\n  calls: 12\n"


def test_a_new_instruments_section_is_validated_by_its_own_model_and_kept_on_the_methods():
    texts = standards_texts()
    texts["methods.yaml"] += PHONE
    result = load_standards(texts=texts, instruments=[*INSTRUMENTS, _Phone()])
    assert result.errors == []
    phone = result.standards.methods_file.phone
    assert (type(phone).__name__, phone.id, phone.calls) == ("PhoneCallback", "callbacks", 12)
    # the sections of the instruments already there keep their models and values
    assert type(result.standards.methods_file.exam).__name__ == "Exam"
    assert result.standards.methods_file.exam.pass_percent == 60


def test_an_error_inside_a_new_instruments_section_is_at_its_line_with_its_models_fields():
    texts = standards_texts()
    texts["methods.yaml"] += PHONE.replace("calls: 12", "calls: 0\n  cals: 3")
    [low, unknown] = errors_with(texts, [*INSTRUMENTS, _Phone()])
    assert (low.line, low.message) == (line_of(texts["methods.yaml"], "calls: 0"), "“calls”必须大于 0（当前为 0）")
    assert unknown.line == line_of(texts["methods.yaml"], "cals: 3")
    assert (unknown.message, unknown.hint) == ("未知字段“cals”", "是否应为“calls”？")


def test_a_section_no_given_instrument_owns_is_an_unknown_key_at_its_line():
    texts = standards_texts()
    texts["methods.yaml"] += PHONE
    [d] = errors_with(texts, INSTRUMENTS)
    assert (d.file, d.line) == ("methods.yaml", line_of(texts["methods.yaml"], "phone:"))
    assert d.message == "未知字段“phone”"
    assert d.hint == "可用的字段有：questionnaire、questioning、exam、training、meetings"


def test_an_owned_section_written_empty_is_none():
    texts = standards_texts()
    texts["methods.yaml"] += "phone:\n"
    result = load_standards(texts=texts, instruments=[*INSTRUMENTS, _Phone()])
    assert result.errors == [] and result.standards.methods_file.phone is None


def errors_with(texts, instruments):
    result = load_standards(texts=texts, instruments=instruments)
    assert result.standards is None
    return result.errors
