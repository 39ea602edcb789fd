"""The 监督方式 tab: a page per method of the procedure, each contributed by the instrument that does it.

Every method the procedure defines (a clause with a `method`, e.g. 现场查看 `onsite`, 客户满意度问卷
`survey`) gets `methods/<method>.md`: how it is done, how often, its forms, its printables and its
latest results. The instruments say what goes on the page (`Instrument.method_pages`, a `MethodPage`
per method they do); this module renders the pages, the tab's index, the training record (程序 4.4.3.1,
methods.yaml `training`: no instrument's) and lists the pages' results in the 检查结果 tab.

`method_files(...)` is pure: data in, {docs-relative path: text} out. `method_pages_generator(...)`
is the site page generator; it runs after every other one, so a page links only files the build wrote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Sequence

from .. import page_urls as urls
from ..context import Context, standards_context
from ..forms.lock_file import read_lock
from ..forms.prefill import project_links
from ..model import NameText
from ..page_urls import relative_link
from ..results.publish import RESULTS_TAB
from ..standards import Standards
from ..templating import render
from .handbook_pages import checklist_groups
from .project_pages import group_path, group_title, groups

TRAINING = "methods/training.md"
METHODS_DIR = "methods"
TAB = "监督方式"
# results tab entries that stay last, after the instruments' results pages
RESULTS_LAST = {"检查人活动", "数据质量", "指标说明"}


@dataclass
class MethodPage:
    """What an instrument puts on the page of one method (`Instrument.method_pages`)."""

    #: The steps, in order; a step given as (with a form, without) reads by whether a form of the page is
    #: published (has a responder URL): no page promises a QR code or link that does not exist.
    how: list = field(default_factory=list)
    #: How often (one line each); none: 按客户关系部的安排进行。
    often: list[str] = field(default_factory=list)
    #: (title, responder URL) of its Google Forms; "" when not published yet (the page says so). An entry of one
    #: project's (here, in `printables` and in a section's links) is (title, target, project id): with more
    #: projects than `project_pages.PROJECTS_PER_PAGE` they are listed by group on pages of their own.
    forms: list[tuple] = field(default_factory=list)
    #: (title, docs path) of its printables; only those the build wrote are shown.
    printables: list[tuple] = field(default_factory=list)
    #: Lines after the printables (e.g. how to get another card).
    print_notes: list[str] = field(default_factory=list)
    #: (title, docs path) of its latest results pages (give only those that exist: `MethodLinks.exists`).
    results: list[tuple[str, str]] = field(default_factory=list)
    #: (title, docs path) of pages to read with this one, after the steps (`培训记录见[培训记录](…)。`).
    see: list[tuple[str, str]] = field(default_factory=list)
    #: (title, docs path) of results pages to list in the 检查结果 tab (before 检查人活动 and 数据质量).
    results_tab: list[tuple[str, str]] = field(default_factory=list)
    #: Headed sections after the steps: `MethodSection`s (an instrument that follows up another's method,
    #: e.g. the fix report after 现场查看, gives only these, with `extends`).
    sections: list = field(default_factory=list)
    #: The page adds its `sections` to the page of the instrument that describes the method, never replacing it.
    extends: bool = False


@dataclass
class MethodSection:
    """A headed section of a method page: its lines (Markdown) and its links, each (title, a URL or a docs
    path: a docs path is shown only when the build wrote the file)."""

    title: str
    lines: list[str] = field(default_factory=list)
    links: list[tuple] = field(default_factory=list)


class MethodLinks:
    """What a method page may link: the forms of the lock and the files the build wrote.

    `existing(path)` tells whether a docs-relative file exists; `existing("print/")` lists the PDFs in
    print/ (tests pass a function; the generator looks at the docs folder).
    """

    def __init__(self, standards: Standards, lock: dict, existing: Callable[[str], object]):
        self.standards = standards
        self.lock = lock
        self.forms: dict = lock.get("checklists", {})
        self._existing = existing

    def exists(self, path: str) -> bool:
        """Whether the build wrote the docs-relative file `path`."""
        return bool(self._existing(path))

    def print_files(self, prefix: str) -> list[str]:
        """print/ files whose path starts with `prefix` (e.g. print/exam-), sorted."""
        found = self._existing("print/")
        return sorted(p for p in (found if isinstance(found, list) else []) if p.startswith(prefix))

    def responder_url(self, form_id: str) -> str:
        """The published form's responder URL ("" when the lock does not have it)."""
        return self.forms.get(form_id, {}).get("responder_url", "")

    def checklists(self, method: str, *, listed: bool = False) -> tuple[list, list]:
        """(forms, blank sheets) of the checklists that carry `method`: an item of the method, or (with
        `listed`) the method named in the checklist's `methods`."""
        s = self.standards
        forms, printables = [], []
        for cl in s.checklists.values():
            if any(method in i.methods for i in s.checklist_items(cl.id)) or \
                    (listed and cl.methods and method in cl.methods):
                forms.append((cl.title, self.responder_url(cl.id)))
                printables.append((f"{cl.title}（空白）", urls.sheet_pdf(cl.id)))
        return forms, printables


def contributed_pages(context: Context, links: MethodLinks) -> dict[str, MethodPage]:
    """method -> its page, from the first instrument that describes it (in the instruments' order)."""
    pages: dict[str, MethodPage] = {}
    extra: dict[str, list] = {}
    for instrument in context.instruments:
        for method, page in instrument.method_pages(context, links).items():
            if page.extends:
                extra.setdefault(method, []).extend(page.sections)
            else:
                pages.setdefault(method, page)
    for method, sections in extra.items():
        if method in pages:
            pages[method] = replace(pages[method], sections=[*pages[method].sections, *sections])
        else:
            pages[method] = MethodPage(sections=sections)
    return pages


def training_files(s: Standards) -> dict[str, str]:
    """methods/training.md: the sessions of methods.yaml, newest first, with counts per topic."""
    sessions = sorted(s.methods_file.training, key=lambda t: t.date, reverse=True)
    topics: dict[str, dict] = {}
    for t in sessions:
        row = topics.setdefault(t.topic, {"sessions": 0, "attendees": 0, "last": t.date})
        row["sessions"] += 1
        row["attendees"] += t.attendees
        row["last"] = max(row["last"], t.date)
    exam_topics = s.methods_file.exam.topics if s.methods_file.exam else []
    missing = [t for t in exam_topics if t not in topics]
    names = {p.id: p.name for p in s.organisation.projects}
    return {TRAINING: render("methods/training.md.j2", sessions=sessions, topics=topics, missing=missing,
                             names=names)}


def _project_groups(s: Standards, name: str, path: str, forms: list, printables: list, sections: list,
                    demo: bool) -> tuple[list, list, list, dict[str, str]]:
    """A method page's lists with each project's entries (those given as (title, target, project id)) moved to
    pages of `PROJECTS_PER_PAGE` projects when there are more (`project_pages`), each list then linking its
    groups; the entries as (title, target) pairs, and the groups' pages ({path: text}; none when they fit)."""
    lists = [("表单", forms), ("打印", printables), *((sec.title, sec.links) for sec in sections)]
    tagged = {e[2] for _, entries in lists for e in entries if len(e) > 2}
    found = groups([p.id for p in s.organisation.projects if p.id in tagged])
    pairs = [[(e[0], e[1]) for e in entries if not found or len(e) == 2] for _, entries in lists]
    files: dict[str, str] = {}
    names = {p.id: p.name for p in s.organisation.projects}
    for number, group in enumerate(found, 1):
        members, target = set(group), group_path(path, number)
        title = group_title(names, group, number, len(found))
        parts = [(heading, [(e[0], e[1]) for e in entries if len(e) > 2 and e[2] in members])
                 for heading, entries in lists]
        for (_, entries), kept in zip(lists, pairs):
            if any(len(e) > 2 for e in entries):
                kept.append((f"各项目：{title}", target))
        files[target] = render("methods/projects.md.j2",
                               title=NameText(f"{name} · 各项目的链接（第 {number}/{len(found)} 组）"),
                               group=title, back=name,
                               back_path=path, parts=[part for part in parts if part[1]], demo=demo,
                               link=lambda to, at=target: relative_link(to, at))
    return pairs[0], pairs[1], [replace(sec, links=kept) for sec, kept in zip(sections, pairs[2:])], files


def _method_files(context: Context, lock: dict | None,
                  existing: Callable[[str], object]) -> tuple[dict[str, str], dict[str, MethodPage]]:
    s = context.standards
    lock = lock or {"checklists": {}}
    links = MethodLinks(s, lock, existing)
    contributed = contributed_pages(context, links)
    demo = bool(lock.get("demo"))
    files: dict[str, str] = {}
    index = []
    for method, clause in s.method_clause.items():
        m = s.methods[method]
        page = contributed.get(method)
        if page is None:   # a method no instrument describes: its checklists' forms and sheets
            forms, printables = links.checklists(method)
            page = MethodPage(forms=forms, printables=printables)
        printables = [e for e in page.printables if existing(e[1])]
        sections = [MethodSection(sec.title, sec.lines,
                                  [e for e in sec.links if e[1].startswith(("http://", "https://")) or existing(e[1])])
                    for sec in page.sections]
        has_form = any(e[1] for e in page.forms)
        how = [step[0 if has_form else 1] if isinstance(step, tuple) else step for step in page.how]
        path = f"{METHODS_DIR}/{method}.md"
        forms, printables, sections, grouped = _project_groups(s, m.name, path, page.forms, printables, sections, demo)
        files.update(grouped)
        files[path] = render("methods/method.md.j2", m=m, clause=clause, text=s.clauses[clause].text or "",
                             how=how, often=page.often, demo=demo, forms=forms, printables=printables,
                             print_notes=page.print_notes, results=page.results, see=page.see, sections=sections,
                             link=lambda target, path=path: relative_link(target, path))
        index.append((m.name, clause, f"{method}.md"))
    files[f"{METHODS_DIR}/index.md"] = render("methods/index.md.j2", pages=index)
    return files, contributed


def method_files(s: Standards, instruments: Sequence, *, lock: dict | None = None,
                 existing: Callable[[str], object] = lambda path: False) -> dict[str, str]:
    """methods/index.md and methods/<method>.md for every method of the procedure.

    `existing(path)` tells whether a docs-relative file exists (outputs of other generators, e.g.
    print/exam-2026Q4.pdf or results/index.md), so no page links to a file that is not there.
    """
    return _method_files(standards_context(s, instruments), lock, existing)[0]


def method_pages_generator(instruments: Sequence, *, lock_path: Path | str | None = None):
    """A site page generator: the training record, the method pages and the 监督方式 tab; the pages'
    results join the 检查结果 tab. Run it after the instruments' generators (it links what they wrote)."""

    def generate(ctx) -> None:
        s = ctx.standards
        lock = read_lock(lock_path) if lock_path else read_lock()
        for rel, text in training_files(s).items():
            ctx.write(rel, text)

        def existing(rel: str):
            if rel == "print/":
                folder = ctx.docs_dir / "print"
                return [f"print/{p.name}" for p in folder.glob("*.pdf")] if folder.is_dir() else []
            return (ctx.docs_dir / rel).is_file()

        context = Context(s, tuple(instruments), lock_path=Path(lock_path) if lock_path else None)
        files, contributed = _method_files(context, lock, existing)
        for rel, text in sorted(files.items()):
            ctx.write(rel, text)
        if any("-projects-" in rel for rel in files):
            ctx.hide_from_nav(f"{METHODS_DIR}/*-projects-*.md")   # each method page links its projects' groups
        _link_prefilled_forms(ctx, lock)
        nav = [{TAB: f"{METHODS_DIR}/index.md"}]
        nav += [{s.methods[m].name: f"{METHODS_DIR}/{m}.md"} for m in s.method_clause]
        nav += [{"培训记录": TRAINING}]
        ctx.add_nav(TAB, nav)
        # the methods' results live with the other results (检查结果), before 检查人活动 and 数据质量,
        # in the instruments' order
        results = [{title: path} for page in contributed.values() for title, path in page.results_tab]
        for entry in ctx.nav:
            if isinstance(entry, dict) and isinstance(entry.get(RESULTS_TAB), list):
                tab = entry[RESULTS_TAB]
                last = [x for x in tab if isinstance(x, dict) and set(x) & RESULTS_LAST]
                tab[:] = [x for x in tab if x not in last] + results + last
                break
        else:
            nav += results

    return generate


FORM_LINKS = re.compile(r"^([ \t]*)<!-- hb:form-links ?(\S*) -->$", re.M)


def _link_prefilled_forms(ctx, lock: dict) -> None:
    """Each project's prefilled online form (the project already chosen) where a patrol starts: the
    checklist page and the role pages list every project's link under each checklist, a project's results
    page its own for each checklist (markers `<!-- hb:form-links [checklist] -->`; none when the form is
    not published: the marker stays an HTML comment)."""
    s = ctx.standards
    demo = "（演示链接）" if lock.get("demo") else ""
    links = {c: project_links(lock, s, c) for c in s.checklists}
    # with many projects the checklists page lists them by group, a page each (`handbook_pages.checklists_pages`)
    found_groups = checklist_groups(s)
    names_of = {p.id: p.name for p in s.organisation.projects}
    grouped = [(group_title(names_of, g, n, len(found_groups)), group_path(urls.CHECKLISTS_PAGE, n), set(g))
               for n, g in enumerate(found_groups, 1)]
    pages = [urls.CHECKLISTS_PAGE] + [target for _, target, _ in grouped]
    pages += [urls.role_page(r.id) for r in s.organisation.roles]
    pages += [f"results/projects/{p.id}.md" for p in s.organisation.projects]
    for page in pages:
        path = ctx.docs_dir / page
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        project = page[len("results/projects/"):-3] if page.startswith("results/projects/") else None

        def block(m, page=page) -> str:
            indent, checklist = m.group(1), m.group(2)
            if project is None:
                checklist, _, number = checklist.partition("@")   # `<checklist>@<group>` on a group's page
                found = links.get(checklist, {})
                if not found:
                    return m.group(0)
                if number:
                    members = grouped[int(number) - 1][2]
                    found = {p: u for p, u in found.items() if p in members}
                elif grouped:
                    line = " · ".join(f"[{title}]({relative_link(target, page)})" for title, target, _ in grouped)
                    return f"{indent}- **在线填写（已选好项目）**：见各项目的页面：{line}"
                names = " · ".join(f"[{s.projects[p].name}]({u})" for p, u in found.items())
                return f"{indent}- **在线填写（已选好项目）**{demo}：{names}"
            lines = [f"- [{s.checklists[c].title}]({found[project]})" for c, found in links.items() if project in found]
            if not lines:
                return m.group(0)
            return "\n".join([f"**在线填写本项目的检查表（已选好项目）**{demo}：", "", *lines])
        changed = FORM_LINKS.sub(block, text)
        if changed != text:
            ctx.write(page, changed)
