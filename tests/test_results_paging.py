"""Long per-project lists split into pages of a fixed size: no results page grows with the number of projects,
and every figure stays on exactly one page (the pages' rows put together are the list of one long page)."""

from __future__ import annotations

import csv
import io
import re

import pytest

from generator.results import report_pages as rp

from test_results_pages import S, make_inspections

PROJECTS = [p for p in S.organisation.projects]


def table_rows(page: str, header: str) -> list[str]:
    """The body rows of the Markdown table whose header line starts with `header`."""
    lines = page.splitlines()
    start = next(k for k, line in enumerate(lines) if line.startswith(header))
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        rows.append(line)
    return rows


def pages_of(files: dict[str, str], first: str) -> list[str]:
    """The pages of a list, in order, following 下一页 from its first page."""
    out, path = [first], first
    while True:
        found = re.search(r"\[下一页\]\(([^)]+)\)", files[path])
        if not found:
            return out
        path = path.rsplit("/", 1)[0] + "/" + found[1]
        out.append(path)


@pytest.fixture(scope="module")
def inspections():
    return make_inspections()


@pytest.fixture(scope="module")
def whole(inspections):
    """Every list on one page (a page larger than the company)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(rp, "PAGE_SIZE", 1000)
        mp.setattr(rp, "ROWS_PAGE", 1000)
        return rp.build_results(S, inspections, today=None)


@pytest.fixture(scope="module")
def split(inspections):
    """Pages of 3 projects (and of 4 rows of the lists of events)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(rp, "PAGE_SIZE", 3)
        mp.setattr(rp, "ROWS_PAGE", 4)
        return rp.build_results(S, inspections, today=None)


# (first page, header of a table whose rows are split, the most rows a page holds)
TABLES = [
    ("results/index.md", "| 排名 | 项目 | 本季得分率 |", 3),
    ("results/index.md", "| 项目 | 本周得分率 |", 3),
    ("results/assessment.md", "| 排名 | 项目 | 计入检查 |", 3),
    ("results/assessment.md", "| 项目 | 自查 | 抽查 |", 3),
    ("results/projects/index.md", "| 项目 | 本季得分率 |", 3),
    ("results/weeks/2026-W46.md", "| 项目 | 得分率 |", 3),
    ("results/priorities.md", "| 项目 | <span", 3),
    ("results/patrols.md", "| 项目 | 完成率 |", 3),
    ("results/actions.md", "| 项目 | 条目 | 发现日期 |", 4),
    ("results/inspectors.md", "| 角色 | 项目 |", 4),
]


@pytest.mark.parametrize("first, header, most", TABLES)
def test_the_pages_rows_together_are_the_whole_list_and_each_page_holds_at_most_its_size(whole, split, first, header,
                                                                                         most):
    pages = pages_of(split, first)
    assert len(pages) > 1
    rows = [table_rows(split[p], header) for p in pages]
    assert all(0 < len(chunk) <= most for chunk in rows)
    assert [row for chunk in rows for row in chunk] == table_rows(whole[first], header)
    # on one page nothing changes: no pager
    assert "下一页" not in whole[first] and "上一页" not in whole[first]


def test_pages_link_back_and_forth_and_to_the_whole_list_as_csv(split):
    first, second = split["results/index.md"], split["results/page-2.md"]
    n = len(table_rows(split["results/index.md"], "| 排名 | 项目 | 本季得分率 |"))
    assert n == 3
    total = len(list(csv.reader(io.StringIO(split["results/csv/overview.csv"].lstrip("\ufeff"))))) - 1
    assert f"第 1 / {-(-total // 3)} 页：第 1–3 个项目，共 {total} 个项目 · [下一页](page-2.md) · " \
           "[全部项目（CSV）](csv/overview.csv){ download }" in first
    assert "上一页" not in first
    assert "[上一页](index.md) · [下一页](page-3.md)" in second
    assert "title: 检查结果概览（第 2 页）" in second and "# 检查结果概览（第 2 页）" in second
    quarter = split["results/assessment-page-2.md"]
    assert "[上一页](assessment.md)" in quarter and "[全部项目（CSV）](csv/assessment.csv){ download }" in quarter


def test_each_quarter_page_gives_the_department_figures_of_every_project(split):
    rows = list(csv.DictReader(io.StringIO(split["results/csv/assessment.csv"].lstrip("\ufeff"))))
    ranked = sum(1 for x in rows if x["排名"] != "未排名")
    redline = sum(1 for x in rows if int(x["红线问题(次)"]) > 0)
    grades = {g.name: sum(1 for x in rows if x["评级"] == g.name) for g in S.organisation.grades}
    line = (f"**全部门**：{len(rows)} 个项目，参与排名 {ranked} 个；评级"
            + "、".join(f"{g.name} {grades[g.name]} 个" for g in sorted(S.organisation.grades, key=lambda g: -g.min))
            + f"；有红线问题的项目 {redline} 个；")
    for path in pages_of(split, "results/assessment.md"):
        assert line in split[path]


def test_a_weeks_failed_inspections_are_listed_on_their_projects_page(whole, split):
    header = "| 日期 | 项目 | 检查人 |"
    pages = pages_of(split, "results/weeks/2026-W46.md")
    everyone = table_rows(whole["results/weeks/2026-W46.md"], header)
    assert len(everyone) > 0
    listed = []
    for p in pages:
        assert f"## 评为不合格的检查（{len(everyone)} 次）" in split[p]
        names = {re.match(r"\| \[([^]]+)\]", row)[1] for row in table_rows(split[p], "| 项目 | 得分率 |")}
        mine = table_rows(split[p], header) if "| 日期 | 项目 | 检查人 |" in split[p] else []
        assert {re.match(r"\| [^|]+ \| \[([^]]+)\]", row)[1] for row in mine} <= names
        listed += mine
    assert sorted(listed) == sorted(everyone)


def test_only_the_first_page_of_a_split_list_is_found_by_the_search(split):
    """Page 1 of a split list is found through its title and headings (its rows are kept out of the search);
    its later pages are left out of the search whole, so a search for 整改跟踪 finds one page, not one per 50
    actions."""
    from generator.page_urls import is_later_list_page
    from generator.results.publish import as_published

    stamp = '<p class="hb-asof">数据截至 2026-11-22</p>'
    later = [p for p in split if is_later_list_page(p)]
    assert "results/assessment-page-2.md" in later and "results/projects/page-2.md" in later
    assert "results/assessment.md" not in later and "results/projects/index.md" not in later
    first = as_published("results/assessment.md", split["results/assessment.md"], stamp)
    second = as_published("results/assessment-page-2.md", split["results/assessment-page-2.md"], stamp)
    assert "search:\n  exclude: true" not in first and "<section data-search-exclude markdown>" in first
    assert second.startswith("---\n") and "search:\n  exclude: true" in second.split("\n---\n", 1)[0]
    assert "data-search-exclude" not in second and stamp in second
