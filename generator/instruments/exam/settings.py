"""The quarterly exam's settings: methods.yaml `exam`, the bank with its keys.

The instrument owns its part of methods.yaml: `load_standards` validates the `exam` section with
this model (`QuarterlyExam.settings_model`) and error lines point into that section as for any other key.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ...model import ID_PATTERN, Id, Model, Name, Text


class ExamQuestion(Model):
    """A quarterly exam question with its key (程序 4.4.3.2)."""

    id: Id = Field(pattern=ID_PATTERN, description="题目代号，发布后不修改")
    topic: Text = Field(description="主题（exam.topics 之一）")
    kind: Literal["single",
                  "multiple", "truefalse"] = Field(description="题型：single 单选、multiple 多选、truefalse 判断")
    text: Text = Field(description="题目")
    options: list[Text] = Field(default_factory=list, description="选项（判断题不填）")
    answer: list[int] | bool = Field(description="正确答案：选项序号列表（从 0 起）；判断题为 true/false")
    points: float = Field(gt=0, description="分值")
    feedback: Text | None = Field(None, description="答题后的解析")


class Exam(Model):
    """The quarterly comprehensive exam bank."""

    id: Id = Field(pattern=ID_PATTERN, description="考试代号")
    title: Name = Field(description="考试名称")
    method: Id = Field(description="检查方式 id")
    pass_percent: float = Field(gt=0, le=100, description="及格线（得分率 %）")
    topics: list[Text] = Field(min_length=1, description="主题")
    questions: list[ExamQuestion] = Field(min_length=1, description="题库")
