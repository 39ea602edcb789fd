"""Handbook pages from the standards: pure functions from the model to Markdown strings.

`generate_pages` returns every generated page and the navigation for them; the build
writes them into the docs folder. Nothing here touches the file system.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .. import model as m
from ..standards import Section, Standards, child_items
from .. import labels as views, page_urls as urls
from ..templating import render
from .project_pages import group_path, group_title, groups


@dataclass(frozen=True)
class Page:
    """One generated Markdown page: its docs path and text."""

    path: str
    text: str


@dataclass
class GeneratedSite:
    """The generated pages and the navigation entries (MkDocs `nav` form) for them."""

    pages: list[Page] = field(default_factory=list)
    nav: list = field(default_factory=list)
    not_in_nav: list[str] = field(default_factory=list)   # patterns (`SiteContext.hide_from_nav`)


def _context(standards: Standards, path: str) -> dict:
    """What every page template gets: the model, view helpers and links relative to `path`."""

    def link(target: str) -> str:
        return urls.relative_link(target, path)

    def item_link(code: str) -> str:
        return urls.item_link(code, path, standards)

    def clause_link(number: str) -> str:
        return f"{link(urls.PROCEDURE_PAGE)}#{urls.clause_anchor(number)}"

    return dict(
        s=standards, doc=standards.document, v=views, urls=urls, page=path,
        link=link, item_link=item_link, clause_link=clause_link,
        role_names=lambda ids: views.role_names(standards, ids),
    )


def procedure_page(standards: Standards) -> Page:
    path = urls.PROCEDURE_PAGE
    section_numbers = {sec.number for sec in standards.sections}
    examples = [i for sec in standards.sections for i in sec.items if i.example]
    return Page(path, render("site/procedure.md", clauses=standards.procedure.clauses,
                             section_numbers=section_numbers, child_items=child_items, examples=examples,
                             **_context(standards, path)))


def section_page(standards: Standards, section: Section) -> Page:
    path = urls.section_page(section.number)
    has_examples = any(i.example for i in section.items)
    return Page(path, render("site/section.md", section=section, has_examples=has_examples,
                             checklists_of=lambda code: views.checklists_of_item(standards, code),
                             **_context(standards, path)))


def standards_index_page(standards: Standards) -> Page:
    path = urls.STANDARDS_INDEX
    return Page(path, render("site/standards_index.md", sections=standards.sections,
                             **_context(standards, path)))


def scoring_page(standards: Standards) -> Page:
    path = urls.SCORING_PAGE
    days = sorted(standards.organisation.working_days)
    names = "一二三四五六日"
    working = ("每天" if days == list(range(1, 8)) else
               "周" + names[days[0] - 1] + "至周" + names[days[-1] - 1] if days == list(range(days[0], days[-1] + 1))
               else "、".join("周" + names[d - 1] for d in days))
    return Page(path, render("site/scoring.md", examples=views.worked_examples(standards),
                             bands=views.grade_bands(standards), working_days=f"工作日：{working}",
                             **_context(standards, path)))


def _role_view(standards: Standards, role: m.Role) -> dict:
    duties = [c for c in standards.clauses.values() if c.role == role.id]
    checklists = [c for c in standards.checklists.values() if role.id in c.roles]
    by_section = []
    for section in standards.sections:
        items = [i for i in section.items if role.id in i.roles]
        if items:
            by_section.append((section, items))
    return dict(role=role, duties=duties, checklists=checklists, by_section=by_section,
                item_count=sum(len(items) for _, items in by_section), patrol=views.patrol_label(role))


def role_page(standards: Standards, role: m.Role) -> Page:
    path = urls.role_page(role.id)
    return Page(path, render("site/role.md", **_role_view(standards, role), **_context(standards, path)))


def roles_index_page(standards: Standards) -> Page:
    path = urls.ROLES_INDEX
    roles = [_role_view(standards, r) for r in standards.roles.values()]
    return Page(path, render("site/roles_index.md", roles=roles, **_context(standards, path)))


def checklist_groups(standards: Standards) -> list[list[str]]:
    """The projects the checklists are printed for, in groups of `PROJECTS_PER_PAGE` ([] when they fit on the
    checklists page): each group's sheets and prefilled forms are on a page of their own (`project_pages`)."""
    printed = {p.id for c in standards.checklists.values() for p in views.checklist_projects(standards, c)}
    return groups([p.id for p in standards.organisation.projects if p.id in printed])


def checklists_pages(standards: Standards) -> list[Page]:
    """The checklists page, and the pages of its projects' groups when there are more than `PROJECTS_PER_PAGE`."""
    path = urls.CHECKLISTS_PAGE
    sheets = []
    for checklist in standards.checklists.values():
        items = standards.checklist_items(checklist.id)
        sheets.append(dict(
            checklist=checklist, entries=items, total=sum(i.points for i in items),
            critical=[i for i in items if i.critical],
            projects=views.checklist_projects(standards, checklist)))
    found = checklist_groups(standards)
    names = {p.id: p.name for p in standards.organisation.projects}
    titles = [(group_title(names, group, n, len(found)), group_path(path, n)) for n, group in enumerate(found, 1)]
    pages = [Page(path, render("site/checklists.md", sheets=sheets, groups=titles, **_context(standards, path)))]
    for number, (group, (title, target)) in enumerate(zip(found, titles), 1):
        members = set(group)
        pages.append(Page(target, render(
            "site/checklists_projects.md", group=title, number=number, count=len(found),
            sheets=[dict(sh, projects=[p for p in sh["projects"] if p.id in members]) for sh in sheets],
            **_context(standards, target))))
    return pages


def generate_pages(standards: Standards) -> GeneratedSite:
    """Every page the handbook generates from the standards, with its navigation."""
    out = GeneratedSite()
    sections = [section_page(standards, sec) for sec in standards.sections]
    roles = [role_page(standards, r) for r in standards.roles.values()]
    out.pages = [procedure_page(standards), scoring_page(standards), standards_index_page(standards),
                 *sections, roles_index_page(standards), *roles, *checklists_pages(standards)]
    out.nav = [
        {"程序文件": [{"程序全文": urls.PROCEDURE_PAGE}, {"评分规则": urls.SCORING_PAGE}]},
        {"检查标准": [urls.STANDARDS_INDEX,
                  *({views.page_title(sec.number, sec.clause.title): urls.section_page(sec.number)}
                    for sec in standards.sections)]},
        {"角色": [urls.ROLES_INDEX, *({r.name: urls.role_page(r.id)} for r in standards.roles.values())]},
        {"检查表": [urls.CHECKLISTS_PAGE]},
    ]
    if checklist_groups(standards):   # the checklists page links its projects' groups
        out.not_in_nav.append(f"{urls.CHECKLISTS_DIR}/*-projects-*.md")
    return out
