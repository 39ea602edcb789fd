"""The 监督方式 page of random questioning (随机抽问, method `questioning`)."""

from __future__ import annotations

from ...site.method_pages import MethodLinks, MethodPage
from ...standards import Standards
from .draw import weekly_card_path
from .knowledge import KNOWLEDGE

METHOD = "questioning"
RESULTS = ("随机抽问结果", KNOWLEDGE)
HOW = ["网站每周为每个项目抽好一组题（下方“打印”中的本周抽问卡，按项目和周次抽取，可重现），"
       "卡上有题目代号、主题和答题要点，打印后带去抽问。",
       "需要另抽一组时，请客户关系部的手册维护人员临时抽题并打印抽问卡。",
       "逐题请客服人员回答，对照要点判定答对 / 部分 / 答错。",
       "把被抽问人员和每题的题目代号、主题、结果记在客户关系部抽样检查表的“随机抽问”栏，"
       "录入时在表单最后一页“随机抽问”中按题目代号选择结果。"]
OFTEN = "随客户关系部的抽样检查进行：每个项目每月至少一次，每次 5 题左右。"
PRINT_NOTE = "需要另抽一组时，由客户关系部临时抽题并打印抽问卡。"


def questioning_method_page(s: Standards, links: MethodLinks) -> dict[str, MethodPage]:
    """The spot-check checklists that carry the grid, this week's cards, the knowledge results."""
    if METHOD not in s.method_clause:
        return {}
    forms, printables = links.checklists(METHOD, listed=True)
    if s.methods_file.questioning:
        # each project's card carries its id: the page lists them by group when there are many (`project_pages`)
        printables += [(f"{p.name}：本周抽问卡", weekly_card_path(p.id), p.id)
                       for p in s.organisation.projects if p.active]
    shown = links.exists(KNOWLEDGE)
    return {METHOD: MethodPage(how=HOW, often=[OFTEN], forms=forms, printables=printables, print_notes=[PRINT_NOTE],
                               results=[RESULTS] if shown else [], results_tab=[RESULTS] if shown else [])}
