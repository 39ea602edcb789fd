"""Random questioning's settings: methods.yaml `questioning`, the bank and how answers score.

The instrument owns its part of methods.yaml: `load_standards` validates the `questioning` section with
this model (`RandomQuestioning.settings_model`) and error lines point into that section as for any other key.
"""

from __future__ import annotations

from pydantic import Field

from ...model import ID_PATTERN, Id, Model, Text


class BankQuestion(Model):
    """A question for random questioning of staff (程序 4.4.2.1)."""

    id: Id = Field(pattern=ID_PATTERN, description="题目代号，发布后不修改")
    item: str = Field(description="对应的检查条目代码（4.2.3.x）")
    topic: Text = Field(description="主题，例如 员工守则")
    text: Text = Field(description="题目")
    key_points: list[Text] = Field(min_length=1, description="答题要点")


class Questioning(Model):
    """The random questioning bank and how answers score."""

    id: Id = Field(pattern=ID_PATTERN, description="抽问记录表代号")
    method: Id = Field(description="检查方式 id")
    answers: dict[str, float] = Field(min_length=2, description="答题结果 → 得分比例，例如 答对: 1.0")
    questions: list[BankQuestion] = Field(min_length=1, description="题库")
