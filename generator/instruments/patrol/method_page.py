"""The 监督方式 pages of the methods done with the patrol checklists: 现场查看 (onsite) and 记录抽查 (records)."""

from __future__ import annotations

from ...site.method_pages import MethodLinks, MethodPage
from ...standards import Standards
from ...templating import escape_markdown

PER = {"day": "每天", "week": "每周", "month": "每月"}
RESULTS = ("检查结果概览", "results/index.md")

# How each method is done (data, not logic); a step given as (with a form, without) reads by whether the
# lock has the method's form: no sheet promises a QR code that is not printed.
HOW: dict[str, list] = {
    "onsite": [("用手机打开本项目的检查表单（扫描本项目打印检查表右上角的二维码，项目已选好），或带上打印的检查表。",
                "带上本项目打印的检查表（表单发布后，也可以用手机填写在线表单）。"),
               "逐条查看办公区域环境、人员着装和行为举止，每条点选一项；发现问题时写明位置和情况，"
               "纸质表写在表末“发现的问题”中。",
               "能当场纠正的当场纠正、示范指导（程序 4.1.4），在表单本页的“已当场纠正的条目”中勾选该条目"
               "（纸质表在“发现的问题”的“当场纠正”栏打“√”）。",
               "每日巡查还记录巡查时段（上午 / 下午）、当天第几次和巡查时间；有当事人的，填写被检查人员。"],
    "records": ["抽查投诉记录、回访记录、报修记录，看是否及时、完整、闭环。",
                "结果填在同一张检查表的相应条目上。"],
}


def patrol_method_pages(s: Standards, links: MethodLinks) -> dict[str, MethodPage]:
    """onsite and records: the checklists carrying them, how often each role patrols (程序 4.5)."""
    often = [f"{escape_markdown(r.name)}：每个项目{PER[r.patrols.per]}至少 {r.patrols.min} 次（程序 4.5）"
             for r in s.organisation.roles if r.patrols]
    results = [RESULTS] if links.exists(RESULTS[1]) else []
    pages = {}
    for method, how in HOW.items():
        if method in s.method_clause:
            forms, printables = links.checklists(method)
            pages[method] = MethodPage(how=how, often=often, forms=forms, printables=printables, results=results)
    return pages
