"""A company with many projects: each project's sheets and prefilled forms are listed by group, a page per
`PROJECTS_PER_PAGE` projects, so no page grows with the number of projects (at 300 the checklists page was
164 KB); with fewer projects the pages are as they were."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.demo import demo_lock
from generator.instruments import INSTRUMENTS
from generator.site import generate_pages, method_pages as pages
from generator.site.project_pages import PROJECTS_PER_PAGE
from generator.site.site_build import SiteContext
from generator.standards import load_standards

from conftest import edited

LAST = "  - {id: haitang, name: 海棠湾}\n"


def company(projects: int):
    """The real standards with the demo's 8 projects and more, up to `projects`."""
    extra = "".join(f"  - {{id: x{k:03d}, name: 新项目{k:03d}}}\n" for k in range(1, projects - 7))
    return load_standards(texts=edited("organisation.yaml", LAST, LAST + extra), instruments=INSTRUMENTS).standards


@pytest.fixture(scope="module")
def big():
    return company(250)


def sheet_projects(text: str, checklist: str) -> list[str]:
    """The projects whose sheet of `checklist` a page links (in order)."""
    return re.findall(rf"\(\.\./print/{checklist}--([a-z0-9]+)\.pdf\)", text)


def test_the_checklists_page_lists_its_projects_by_group(big):
    site = generate_pages(big)
    texts = {p.path: p.text for p in site.pages}
    index = texts["checklists/index.md"]
    assert sheet_projects(index, "daily-patrol") == []                 # no project's sheet on the page itself
    assert ("- **按项目**（已填好项目名称的 PDF、已选好项目的在线填写链接）："
            "[第 1/3 组：梧桐苑 至 新项目092（100 个项目）](index-projects-1.md) · "
            "[第 2/3 组：新项目093 至 新项目192（100 个项目）](index-projects-2.md) · "
            "[第 3/3 组：新项目193 至 新项目242（50 个项目）](index-projects-3.md)") in index
    groups = [texts[f"checklists/index-projects-{n}.md"] for n in (1, 2, 3)]
    listed = [sheet_projects(g, "daily-patrol") for g in groups]
    assert [len(g) for g in listed] == [100, 100, 50]
    assert sum(listed, []) == [p.id for p in big.organisation.projects]   # every project once, in order
    assert "# 检查表 · 各项目的打印版和在线填写（第 2/3 组）\n" in groups[1]
    assert ("第 2/3 组：新项目093 至 新项目192（100 个项目）。"
            "检查表的说明、空白表和其他项目见[检查表](index.md)。") in groups[1]
    assert "checklists/*-projects-*.md" in site.not_in_nav and "checklists/index-projects-1.md" not in str(site.nav)


def test_no_generated_page_grows_with_the_projects():
    sizes = {}
    for n in (120, 250):
        site = generate_pages(company(n))
        sizes[n] = max(len(p.text.encode()) for p in site.pages)
    assert sizes[250] <= sizes[120] + 200, sizes     # one more group link, not 130 more projects


def test_with_few_projects_the_links_stay_on_the_page():
    texts = {p.path: p.text for p in generate_pages(company(PROJECTS_PER_PAGE)).pages}
    assert len(sheet_projects(texts["checklists/index.md"], "daily-patrol")) == PROJECTS_PER_PAGE
    assert not any("-projects-" in path for path in texts)


def test_method_pages_and_role_pages_link_each_group(big, tmp_path):
    lock = demo_lock(big, INSTRUMENTS)
    printed = {f"print/fix-report--{p.id}.pdf" for p in big.organisation.projects}
    files = pages.method_files(big, INSTRUMENTS, lock=lock,
                               existing=lambda p: sorted(printed) if p == "print/" else p in printed)
    onsite = files["methods/onsite.md"]
    assert "新项目001" not in onsite                                   # no project's own link on the page itself
    assert "- [各项目：第 1/3 组：梧桐苑 至 新项目092（100 个项目）](onsite-projects-1.md)" in onsite
    group = files["methods/onsite-projects-2.md"]
    assert "# 现场查看 · 各项目的链接（第 2/3 组）\n" in group and "## 整改反馈" in group
    assert "- [整改反馈单 · 新项目093（打印）](../print/fix-report--x093.pdf)" in group
    assert "整改反馈表 · 新项目093（已选好项目）](https://" in group
    assert "新项目092" not in group and "新项目193" not in group
    forms = files["methods/survey.md"].split("## 表单", 1)[1].split("\n## ", 1)[0]
    assert "\n- [各项目：第 3/3 组：新项目193 至 新项目242（50 个项目）](survey-projects-3.md)\n" in forms
    survey = files["methods/survey-projects-3.md"]
    assert survey.count("（已选好项目）](https://") == 50 and "## 表单" in survey

    # the role pages and the checklists' groups get the prefilled forms (`<!-- hb:form-links -->`)
    docs = tmp_path / "docs"
    ctx = SiteContext(big, docs)
    for page in generate_pages(big).pages:
        ctx.write(page.path, page.text)
    pages._link_prefilled_forms(ctx, lock)
    role = (docs / "roles" / "cs_supervisor.md").read_text(encoding="utf-8")
    assert "- **在线填写（已选好项目）**：见各项目的页面：[第 1/3 组：梧桐苑 至 新项目092（100 个项目）]" \
           "(../checklists/index-projects-1.md)" in role
    assert "新项目001" not in role
    second = (docs / "checklists" / "index-projects-2.md").read_text(encoding="utf-8")
    forms = re.findall(r"\[([^\]]+)\]\(https://docs\.google\.com/forms/[^)]*\)", second.split("{#crd-spot-check}")[0])
    assert forms == [f"新项目{k:03d}" for k in range(93, 193)]


def stand_in_sheet(job) -> bool:
    """In place of `pdf._render_job` (module level: the build's worker processes get it by name)."""
    Path(job[2]).write_bytes(b"%PDF-1.7 stand-in")
    return False


@pytest.mark.slow
def test_the_engine_builds_the_groups_out_of_the_navigation(tmp_path, monkeypatch):
    """The real build (MkDocs, strict) of a 120-project company without a store: each group's page is built
    and linked, and no page's navigation lists the groups. The subject is the pages: the 240 project sheets are
    written as stand-in files instead of rendered (WeasyPrint's sheets are tests/test_pdf_sheets.py's)."""
    from generator.forms.lock_file import write_lock
    from generator.printing import pdf
    from generator.site.site_build import build_site

    monkeypatch.setattr(pdf, "_render_job", stand_in_sheet)

    from conftest import standards_texts
    from site_helpers import copy_site_sources

    standards = tmp_path / "standards"
    standards.mkdir()
    extra = "".join(f"  - {{id: x{k:03d}, name: 新项目{k:03d}}}\n" for k in range(1, 113))
    for name, text in standards_texts().items():
        (standards / name).write_text(text.replace(LAST, LAST + extra) if name == "organisation.yaml" else text,
                                      encoding="utf-8")
    lock = tmp_path / "forms.lock.yaml"
    write_lock(lock, demo_lock(company(120), INSTRUMENTS))
    docs, config = copy_site_sources(tmp_path)
    out = tmp_path / "public"
    build_site(standards, out_dir=out, docs_dir=docs, config_file=config, cache_dir=None, lock_path=lock,
               extra_generators=[pages.method_pages_generator(INSTRUMENTS, lock_path=lock)], instruments=INSTRUMENTS)
    index = (out / "checklists" / "index.html").read_text(encoding="utf-8")
    group = (out / "checklists" / "index-projects-2" / "index.html").read_text(encoding="utf-8")
    assert 'href="index-projects-2/"' in index and "第 2/2 组：新项目093 至 新项目112（20 个项目）" in index
    assert group.count("../../print/daily-patrol--x") == 20
    assert (out / "methods" / "onsite-projects-1" / "index.html").is_file()
    assert "projects-1/" not in index.split('<div class="md-content"', 1)[0]   # not in the navigation
    assert (out / "print" / "daily-patrol--x112.pdf").read_bytes() == b"%PDF-1.7 stand-in"


def test_a_group_named_after_a_hostile_project_name_prints_it_as_text():
    """The groups are named by their first and last project: names from the standards are data on every page
    that names a group (a name like `[x](javascript:…)` or `<b>` is no link and no markup)."""
    hostile = "[恶意](javascript:alert(1))<b>*粗*</b>"
    texts_in = edited("organisation.yaml", "{id: wutong, name: 梧桐苑}", "{id: wutong, name: '" + hostile + "'}")
    extra = "".join(f"  - {{id: x{k:03d}, name: 新项目{k:03d}}}\n" for k in range(1, 120))
    texts_in["organisation.yaml"] = texts_in["organisation.yaml"].replace(LAST, LAST + extra, 1)
    s = load_standards(texts=texts_in, instruments=INSTRUMENTS).standards
    assert s.organisation.projects[0].name == hostile
    texts = {p.path: p.text for p in generate_pages(s).pages}
    for page in ("checklists/index.md", "checklists/index-projects-1.md"):
        assert not re.search(r"(?<!\\)\]\(javascript:", texts[page]) and "<b>" not in texts[page], page
    escaped = r"第 1/2 组：\[恶意\](javascript:alert(1))&lt;b&gt;\*粗\*&lt;/b&gt; 至 新项目092"
    assert escaped in texts["checklists/index.md"]
    lock = demo_lock(s, INSTRUMENTS)
    files = pages.method_files(s, INSTRUMENTS, lock=lock, existing=lambda p: [] if p == "print/" else False)
    group_pages = {path: text for path, text in files.items() if "-projects-1" in path}
    assert group_pages
    for path, text in {**group_pages, "methods/onsite.md": files["methods/onsite.md"]}.items():
        assert not re.search(r"(?<!\\)\]\(javascript:", text) and "<b>" not in text, (path, text[:400])
