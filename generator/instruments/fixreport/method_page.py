"""The fix report's section of the 现场查看 method page (监督方式): how a project reports a corrective action
done, its form (per project, project chosen) and its printable sheets (整改反馈单)."""

from __future__ import annotations

from ... import page_urls as urls
from ...results.publish import fix_report_links
from ...site.method_pages import MethodLinks, MethodPage, MethodSection
from ...standards import Standards

METHOD = "onsite"   # the findings of the checklists open the actions the fix report closes
FORM_ID = "fix-report"
TITLE = "整改反馈"
LINES = [
    "每个检查发现的问题都是一项整改：有责任人和期限（工作日；“当天”指当天下班前），"
    "见本项目结果页的“本周要做”和“未关闭的整改”。",
    "整改完成后，责任人填一份整改反馈：检查条目、发现日期、整改完成日期、做了什么整改、照片链接（选填）；"
    "红线问题写明处理意见。",
    "整改及时率按整改完成日期与期限比较；反馈后状态为“已整改待验证”，客户关系部在下次检查时核实，再次发现则记为复发。",
]
# the sheet carries the QR code only once the form is published: no page promises one before
SHEET_LINE = ("每个项目的整改反馈单（A4）印有本项目反馈表的二维码（已选好项目）和未关闭的整改，"
              "贴在客服中心或放在客服主管的文件夹里。",
              "每个项目的整改反馈单（A4）列出本项目未关闭的整改，贴在客服中心或放在客服主管的文件夹里。")


def fix_method_pages(s: Standards, links: MethodLinks) -> dict[str, MethodPage]:
    """The 整改反馈 section of the 现场查看 page ({} when the procedure has no such method)."""
    if METHOD not in s.method_clause:
        return {}
    form = links.responder_url(FORM_ID)
    names = {p.id: p.name for p in s.organisation.projects}
    section_links = [("整改反馈表", form)] if form else []
    # each project's entries carry its id: the page lists them by group when there are many (`project_pages`)
    section_links += [(f"整改反馈表 · {names[p]}（已选好项目）", url, p)
                      for p, url in fix_report_links(s, links.lock).items()]
    section_links += [(f"整改反馈单 · {p.name}（打印）", urls.fix_report_sheet(p.id), p.id)
                      for p in s.organisation.projects if p.active]
    lines = [*LINES, SHEET_LINE[0]] if form else [*LINES, SHEET_LINE[1], "整改反馈表尚未发布（发布后这里有链接）。"]
    return {METHOD: MethodPage(sections=[MethodSection(TITLE, lines, section_links)], extends=True)}
