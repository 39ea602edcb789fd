"""Each project's links (its printables, its prefilled forms) on pages of at most `PROJECTS_PER_PAGE` projects.

A page that lists a link per project grows with the company: at 300 projects the checklists page held 1,200
links (164 KB, the largest page of the site) and the 现场查看 and 问卷 pages over 110 KB each, on a phone a
wall of names. Up to `PROJECTS_PER_PAGE` projects the links stay where they are; beyond, each page lists its
links for one group of projects per page (`<page>-projects-<n>.md`, in the organisation's order) and names the
groups by their first and last project, so a page's size no longer depends on how many projects there are.
"""

from __future__ import annotations

from ..model import NameText

PROJECTS_PER_PAGE = 100


def groups(project_ids: list[str]) -> list[list[str]]:
    """The projects in groups of `PROJECTS_PER_PAGE` (their order kept), or [] when they fit on one page."""
    if len(project_ids) <= PROJECTS_PER_PAGE:
        return []
    return [project_ids[k:k + PROJECTS_PER_PAGE] for k in range(0, len(project_ids), PROJECTS_PER_PAGE)]


def group_path(page: str, number: int) -> str:
    """The docs path of group `number` (1-based) of `page` (a docs path ending in .md)."""
    return f"{page[:-len('.md')]}-projects-{number}.md"


def group_title(names: dict[str, str], group: list[str], number: int, count: int) -> NameText:
    """第 2/3 组：项目甲 至 项目乙（100 个项目）: it holds two names from the standards, so it is a name too
    (printed as text wherever a Markdown template prints it)."""
    return NameText(f"第 {number}/{count} 组：{names[group[0]]} 至 {names[group[-1]]}（{len(group)} 个项目）")
