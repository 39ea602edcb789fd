"""The 监督方式 page of the customer questionnaire (客户满意度问卷, method `survey`)."""

from __future__ import annotations

from ...site.method_pages import MethodLinks, MethodPage
from ...standards import Standards
from .satisfaction import SATISFACTION
from .survey import survey_links, survey_sheet_path

METHOD = "survey"
RESULTS = ("客户满意度", SATISFACTION)
# a step given as (with a form, without) reads by whether the questionnaire's form is published
HOW = ["**什么时候发**：客服中心每次回访业主（报修、投诉处理完毕后的电话或上门回访）时，请业主填写问卷；"
       "每个项目每月至少回收{monthly}。",
       ("**在线**：把本项目的问卷链接（下方“表单”，已选好小区）发给业主，或请业主扫描本项目打印问卷上的二维码。",
        "**在线**：问卷表单发布后，把本项目的问卷链接（已选好小区）发给业主。"),
       "**纸质**：打印本项目的问卷（已印好小区名称）交给业主；业主填好后投入客服中心的封闭问卷箱（或对折封好交前台代投），"
       "由客户关系部定期开箱录入，被评价的客服人员不经手、不查看单份问卷。",
       "**录入纸质问卷**：打开本项目的问卷链接，按问卷上的题目顺序逐题选分数，“填写日期”选问卷上写的日期"
       "（结果按这个日期计入当月），意见照抄，但不要录入姓名、电话、房号；录入后在纸质问卷上注明“已录入”。",
       "问卷不记名，不收集业主姓名、电话、房号；业主的问卷上没有题目代号和内部编号，这一页只给工作人员看。"]
OFTEN = "每次回访后发送；每个项目每月至少回收{monthly}，结果按月统计。"


def _monthly(s: Standards) -> str:
    """`10 份` from methods.yaml (`questionnaire.monthly`), or 一定数量 when it sets none."""
    q = s.methods_file.questionnaire
    return f" {q.monthly} 份" if q and q.monthly else "一定数量"


def survey_method_page(s: Standards, links: MethodLinks) -> dict[str, MethodPage]:
    """The questionnaire's form and per-project links, its sheets (blank and per project), its results."""
    if METHOD not in s.method_clause:
        return {}
    q = s.methods_file.questionnaire
    forms, printables = links.checklists(METHOD)
    if q:
        forms = [(q.title, links.responder_url(q.id))]
        # each project's entries carry its id: the page lists them by group when there are many (`project_pages`)
        forms += [(f"{s.projects[p].name}（已选好项目）", url, p) for p, url in survey_links(links.lock, s).items()]
        printables = [(f"{q.title}（空白）", survey_sheet_path(s))]
        printables += [(f"{s.projects[p].name}", survey_sheet_path(s, p), p)
                       for p in (p.id for p in s.organisation.projects if p.active)]
    shown = links.exists(SATISFACTION)
    monthly = _monthly(s)
    how = [step.format(monthly=monthly) if isinstance(step, str) else step for step in HOW]
    return {METHOD: MethodPage(how=how, often=[OFTEN.format(monthly=monthly)], forms=forms, printables=printables,
                               results=[RESULTS] if shown else [], results_tab=[RESULTS] if shown else [])}
