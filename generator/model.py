"""The standards' schema: declared once, each field with a one-line description.

The models are frozen; `standards.load_standards` builds them from YAML and the
JSON Schema for editors is exported from them (`handbook schema`).
Descriptions are Chinese because editors show them to the department.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

CODE_PATTERN = r"^\d+(\.\d+)+(-[a-z][a-z0-9]*)?$"
ID_PATTERN = r"^[a-z][a-z0-9_-]*$"

Text = str
Id = str


class NameText(str):
    """A name from the standards (a project, a role, a checklist, a clause's title …): data, never markup.
    Wherever a Markdown template prints one it is escaped (`templating`); front matter quotes it."""

    __slots__ = ()


# names are data: `<script>`, `[x](javascript:…)`, `a: b` or `[a]` print as typed on every page
Name = Annotated[str, AfterValidator(NameText)]
yaml.SafeDumper.add_multi_representer(NameText, yaml.representer.SafeRepresenter.represent_str)


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


# ---------------------------------------------------------------- procedure.yaml

class Change(Model):
    """One entry of the change history."""

    version: str = Field(description="版本号")
    date: dt.date = Field(description="日期，YYYY-MM-DD")
    effective: dt.date | None = Field(None, description="生效日期：此日及以后的检查按本版标准评分（分值、扣分、红线、"
                                                        "整改期限、评级）；之前的检查仍按原版本评分。不填为 date")
    notes: list[Text] = Field(min_length=1, description="修改说明，每条一句")


class Document(Model):
    """The procedure's metadata (from the approval slip and header)."""

    title: Name = Field(description="文件名称")
    number: str = Field(description="文件编号，例如 JB/QR-01-07B/2")
    company: Text = Field(description="公司")
    department: Text = Field(description="经办部门")
    submitted: dt.date = Field(description="报审时间")
    addressee: Text | None = Field(None, description="主送单位")
    distribution: list[Text] = Field(default_factory=list, description="审批后分发")
    pages: int | None = Field(None, gt=0, description="原文件页数")
    version: str = Field(description="本手册中标准的版本号")
    updated: dt.date = Field(description="最近修订日期，显示为网站的“最后更新”")
    changes: list[Change] = Field(default_factory=list, description="修订记录，最新的在前")


class Method(Model):
    """An inspection method defined by a clause of 4.4."""

    id: Id = Field(pattern=ID_PATTERN, description="方式代号，条目的 methods 引用它")
    name: Name = Field(description="方式名称")


class Item(Model):
    """A checklist item: one thing an inspector looks at and scores."""

    code: str = Field(pattern=CODE_PATTERN, description="条目代码（条款号-字母），发布后永不修改")
    short: Text = Field(max_length=20, description="简短标题（表单、表格中使用，20 字以内）")
    text: Text = Field(description="条目全文")
    points: float = Field(gt=0, description="分值")
    deduction: float = Field(gt=0, description="每处扣分（扣完为止）")
    critical: bool = Field(False, description="红线条目：发现即判本次检查不合格")
    methods: list[Id] = Field(min_length=1, description="检查方式（4.4 中各方式的 id）")
    roles: list[Id] = Field(min_length=1, description="由哪些角色检查（organisation.yaml 中的角色 id）")
    fix_within_days: int = Field(ge=0, description="整改期限（天），0 表示当场整改")
    guidance: Text | None = Field(None, description="检查要点或说明")
    keywords: list[Text] = Field(default_factory=list,
                                 description="搜索关键词：员工常用的说法，例如 [仪容, 仪表]，搜索时先找到本条目")
    example: bool = Field(False, description="示例条目（不是公司原文），公司提供正式条目后删除")
    owner: Id | None = Field(None, description="整改责任角色（角色 id）；不填时用所在章节的，再不填用组织的 "
                                               "action_owner")


class Clause(Model):
    """A numbered clause of the procedure, possibly with items and sub-clauses."""

    number: str = Field(pattern=CODE_PATTERN, description="公司原条款编号，不得重新编号")
    title: Name | None = Field(None, description="标题")
    text: Text | None = Field(None, description="正文")
    note: Text | None = Field(None, description="本手册加的说明（不是原文）")
    origin: Literal["original", "added"] = Field("original", description="original 原文；added 本手册补充")
    original_number: str | None = Field(None, description="原文中的（错误）编号，已更正时填写")
    role: Id | None = Field(None, description="本条所说的角色")
    method: Method | None = Field(None, description="本条定义的检查方式")
    references: list[Id] = Field(default_factory=list, description="引用的公司文件（documents 中的 id）")
    items: list[Item] = Field(default_factory=list, description="本条的检查条目")
    children: list[Clause] = Field(default_factory=list, description="下级条款")
    owner: Id | None = Field(None, description="本章节条目的整改责任角色（角色 id），条目可另行指定")


class DocumentRef(Model):
    """A company document the procedure refers to."""

    id: Id = Field(pattern=ID_PATTERN, description="文件代号")
    title: Name = Field(description="文件名称，带书名号")
    available: bool = Field(False, description="本手册是否已收录其内容")


class ProcedureFile(Model):
    """procedure.yaml: the procedure, clause by clause."""

    document: Document
    clauses: list[Clause] = Field(min_length=1, description="条款，按原文顺序")
    documents: list[DocumentRef] = Field(default_factory=list, description="相关支持文件")


# ---------------------------------------------------------------- organisation.yaml

class Grade(Model):
    """A grade band: min ≤ score < max (the top band includes 100)."""

    name: Name = Field(description="评级名称，例如 优秀")
    min: float = Field(ge=0, le=100, description="下限（含）")
    max: float = Field(ge=0, le=100, description="上限（不含；最高一档为 100，含）")


class Patrols(Model):
    """How often a role must inspect each project."""

    min: int = Field(gt=0, description="每个周期至少检查次数")
    per: Literal["day", "week", "month"] = Field(description="周期：day 每天、week 每周、month 每月")
    scope: Literal["project"] = Field("project", description="按项目计")


class Role(Model):
    """A role named by the procedure."""

    id: Id = Field(pattern=ID_PATTERN, description="角色代号")
    name: Name = Field(description="角色名称")
    inspects: bool = Field(False, description="是否为检查人（填写检查表）")
    project_team: bool = Field(False, description="属于项目团队：其巡查计入项目的巡查完成率与考核")
    patrols: Patrols | None = Field(None, description="规定的检查频次（程序 4.5）")


class Project(Model):
    """A residential project (物业项目) whose customer-service centre is inspected."""

    id: Id = Field(pattern=ID_PATTERN, description="项目代号（英文小写）")
    name: Name = Field(description="项目名称")
    active: bool = Field(True, description="是否在管")
    since: dt.date | None = Field(None, description="接管日期，YYYY-MM-DD：此前不要求巡查（不填为数据开始时）")
    until: dt.date | None = Field(None, description="撤场日期，YYYY-MM-DD：此后不要求巡查（不填为仍在管）")
    people: dict[Id, Text] = Field(default_factory=dict,
                                   description="各角色的负责人姓名（角色 id → 姓名），整改责任人用它；"
                                               "是否公开按 publish_names")


class RewardRule(Model):
    """When a project earns a reward suggestion for the quarter (procedure 4.6.3 b)."""

    min_percent: float = Field(ge=0, le=100, description="季度得分率不低于（%）")
    max_critical: int = Field(0, ge=0, description="红线问题不超过（次）")
    min_patrol_compliance: float = Field(ge=0, le=100, description="巡查完成率不低于（%）")


class PenaltyRule(Model):
    """When a project gets a penalty and improvement opinion (procedure 4.6.3 a)."""

    min_critical: int = Field(gt=0, description="季度红线问题达到（次）")


class ImprovementRule(Model):
    """When a project gets an improvement opinion (procedure 4.6.3 a, 4.6.1)."""

    below_percent: float = Field(ge=0, le=100, description="季度得分率低于（%）")
    patrol_compliance_below: float = Field(ge=0, le=100, description="巡查完成率低于（%）")
    min_overdue_actions: int = Field(gt=0, description="逾期未整改达到（项）")


class Assessment(Model):
    """Quarterly assessment rules (考核建议, procedure 4.6.3)."""

    min_inspections: int = Field(gt=0, description="季度检查次数不少于此数才参与排名")
    archive_after_days: int = Field(7, ge=0, description="季度结束后多少天存档考核建议：此后录入的数据只作为修订列出")
    reward: RewardRule = Field(description="奖励意见的条件（全部满足）")
    penalty: PenaltyRule = Field(description="处罚和改进意见的条件")
    improvement: ImprovementRule = Field(description="改进意见的条件（满足任一）")
    min_spot_checks: int = Field(3, ge=0, description="自查与抽查：期间内抽查少于此数时不标“自查偏宽”")


ENV_PATTERN = r"^[A-Z_][A-Z0-9_]*$"


class WecomRobot(Model):
    """A 企业微信 group robot: its key (or whole webhook address) is read from an environment variable."""

    key_env: str = Field(pattern=ENV_PATTERN,
                         description="存放群机器人 key（或完整 Webhook 地址）的环境变量名，例如 HANDBOOK_WECOM_CRD；"
                                     "不要把 key 本身写在这里")


class DingtalkRobot(Model):
    """A 钉钉 group robot: access token and optional signing secret from environment variables."""

    token_env: str = Field(pattern=ENV_PATTERN,
                           description="存放机器人 access_token（或完整 Webhook 地址）的环境变量名")
    secret_env: str | None = Field(None, pattern=ENV_PATTERN,
                                   description="机器人启用“加签”时，存放签名密钥（SEC…）的环境变量名")


class SmtpServer(Model):
    """The mail server digests are sent through (STARTTLS)."""

    host: str = Field(description="SMTP 服务器，例如 smtp.exmail.qq.com")
    port: int = Field(587, gt=0, le=65535, description="端口（STARTTLS，通常为 587）")
    username: str | None = Field(None, description="登录用户名（不需要登录时不填）")
    password_env: str | None = Field(None, pattern=ENV_PATTERN, description="存放登录密码的环境变量名")
    sender: str = Field(description="发件人地址，例如 handbook@example.com")
    starttls: bool = Field(True, description="是否用 STARTTLS 加密（只在内网测试服务器上才可关闭）")


class Recipient(Model):
    """Who gets a digest and through which channels: a role (the department gets every project) or projects."""

    name: Text | None = Field(None, description="收件人名称，显示在摘要开头；不填时用角色或项目名称")
    role: Id | None = Field(None, description="角色代号：不限项目时收到所有项目的提醒（例如客户关系部）")
    projects: list[Id] | None = Field(None, min_length=1,
                                      description="只收这些项目的提醒（项目代号）；不填为所有项目")
    wecom: WecomRobot | None = Field(None, description="企业微信群机器人")
    dingtalk: DingtalkRobot | None = Field(None, description="钉钉群机器人")
    email: list[str] = Field(default_factory=list, description="收件邮箱")


class Notifications(Model):
    """Same-day alerts (handbook notify): who gets them and how."""

    smtp: SmtpServer | None = Field(None, description="发邮件用的 SMTP 服务器（有收件邮箱时必填）")
    recipients: list[Recipient] = Field(min_length=1, description="收件人：角色或项目，及其渠道")


class OrganisationFile(Model):
    """organisation.yaml: projects, roles, grades, calendar."""

    name: Name = Field(description="公司或分公司名称")
    timezone: str = Field(description="时区，IANA 名称，例如 Asia/Shanghai")
    working_days: list[int] = Field(min_length=1, description="工作日，1=周一 … 7=周日")
    holidays: list[dt.date] = Field(default_factory=list, description="不计巡查的节假日")
    publish_names: bool = Field(False, description="结果页是否公开人员姓名")
    action_owner: Id | None = Field(None, description="整改的默认责任角色（角色 id）；"
                                                      "不填为第一个项目团队角色（客服主管）")
    grades: list[Grade] = Field(min_length=1, description="评级区间")
    roles: list[Role] = Field(min_length=1, description="角色")
    projects: list[Project] = Field(min_length=1, description="项目")
    assessment: Assessment = Field(description="季度考核规则（程序 4.6.3）")
    notifications: Notifications | None = Field(None, description="当天提醒（handbook notify）的收件人与渠道")
    late_entry_days: int = Field(31, ge=0, le=366,
                                 description="补录期限（天）：检查日期早于提交日期超过这么多天的回复被隔离")
    resubmission_minutes: int = Field(60, ge=0, le=1440, description="重复提交窗口（分钟）：同一项目、角色、检查人、"
                                                                     "检查日期和巡查轮次在这么多分钟内再次提交，"
                                                                     "后一次取代前一次")


# ---------------------------------------------------------------- checklists.yaml

class Checklist(Model):
    """A form / printed sheet: which items it covers and who fills it."""

    id: Id = Field(pattern=ID_PATTERN, description="检查表代号（表单文件名用它）")
    title: Name = Field(description="检查表名称")
    description: Text | None = Field(None, description="用途说明")
    roles: list[Id] = Field(min_length=1, description="填写此表的角色")
    include: list[str] = Field(min_length=1, description="包含的章节号或条目代码")
    exclude: list[str] = Field(default_factory=list, description="排除的条目代码或章节号")
    methods: list[Id] | None = Field(None, description="只保留用这些方式检查的条目")
    projects: list[Id] | None = Field(None, description="只用于这些项目（默认全部项目）")


class ChecklistsFile(Model):
    """checklists.yaml: the checklists."""

    checklists: list[Checklist] = Field(min_length=1, description="检查表")


# ---------------------------------------------------------------- methods.yaml

class Training(Model):
    """A training session (程序 4.4.3.1)."""

    date: dt.date = Field(description="日期")
    topic: Text = Field(description="主题")
    trainer: Text = Field(description="培训人或部门")
    attendees: int = Field(ge=0, description="参加人数")
    projects: list[Id] | Literal["all"] = Field("all", description="参加的项目，all 为全部")


class MeetingIssue(Model):
    """A problem raised in a meeting, to be followed in inspections (程序 4.1.2)."""

    date: dt.date = Field(description="会议日期")
    meeting: Text = Field(description="会议名称")
    project: Id | Literal["all"] = Field(description="项目 id，all 为全部项目")
    item: str | None = Field(None, description="相关检查条目代码（可不填）")
    text: Text = Field(description="问题与要求")
    until: dt.date = Field(description="重点跟进到哪一天")


class MethodsFile(Model):
    """methods.yaml: questionnaire, questioning bank, exam bank, training, meeting issues."""

    # The instruments' sections, each validated by its instrument's own model (`Instrument.settings_key`,
    # `settings_model`) when `load_standards` is given it, and stored back here; a section of an instrument not
    # given stays as written (a check of the rest alone). A new instrument's section needs no line here.
    questionnaire: Any = None
    questioning: Any = None
    exam: Any = None
    training: list[Training] = Field(default_factory=list, description="培训记录")
    meetings: list[MeetingIssue] = Field(default_factory=list, description="会议提出的重点问题")


FILES: dict[str, type[Model]] = {
    "procedure.yaml": ProcedureFile,
    "organisation.yaml": OrganisationFile,
    "checklists.yaml": ChecklistsFile,
    "methods.yaml": MethodsFile,
}
OPTIONAL_FILES = {"methods.yaml"}
