"""The customer questionnaire's settings: methods.yaml `questionnaire`.

The instrument owns its part of methods.yaml: `load_standards` validates the `questionnaire` section with
this model (`CustomerQuestionnaire.settings_model`) and error lines point into that section as for any other key.
"""

from __future__ import annotations

from pydantic import Field

from ...model import ID_PATTERN, Id, Model, Name, Text


class Scale(Model):
    """A rating scale such as 1–5."""

    min: int = Field(ge=0, description="最低分")
    max: int = Field(gt=1, le=10, description="最高分")
    min_label: Text = Field(description="最低分的说明，例如 很不满意")
    max_label: Text = Field(description="最高分的说明，例如 非常满意")


class SurveyQuestion(Model):
    id: Id = Field(pattern=ID_PATTERN, description="题目代号，发布后不修改")
    text: Text = Field(description="题目")


class Questionnaire(Model):
    """The customer questionnaire (程序 4.4.2.2)."""

    id: Id = Field(pattern=ID_PATTERN, description="问卷代号")
    title: Name = Field(description="问卷名称")
    method: Id = Field(description="检查方式 id（4.4 中定义）")
    description: Text | None = Field(None, description="用途说明，给工作人员看（方式页面显示，不印在业主的问卷上）")
    greeting: Text | None = Field(None, description="写给业主的开头问候（问卷和在线表单开头显示）")
    thanks: Text | None = Field(None, description="写给业主的结尾致谢（问卷末尾和在线表单提交后显示）")
    scale: Scale = Field(description="评分尺度")
    questions: list[SurveyQuestion] = Field(min_length=1, description="评分题")
    comment: Text | None = Field(None, description="选填意见题的题目；不填则没有意见题")
    monthly: int | None = Field(None, ge=1, description="每个项目每月至少回收的问卷份数")
