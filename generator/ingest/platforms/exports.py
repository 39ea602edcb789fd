"""The Chinese survey platforms' exports, recognised by their header and turned into the ingest's table.

- 腾讯问卷 (CSV/XLSX): `编号,开始答题时间,结束答题时间,答题时长,地理位置…,用户类型,用户标识,昵称,自定义字段,`
  then one column per question `N.题目`; a picker repeats its header (`2.检查日期:请选择` × 3: its parts
  are joined); numbers typed into a text question carry a leading tab.
- 问卷星 (CSV/XLS(X)): `序号,提交答卷时间,所用时间,来源,来源详情,来自IP,` then `N、题目`; a matrix row is
  `N、题目—行`; several choices are joined with `┋` (kept as given: no checklist question takes several).
- 金数据: `序号`, the questions by title, `提交时间` and the platform's own columns (提交人, 填写设备 …).

The submission time becomes 时间戳记 (naive local time: read in the organisation's zone), the platform's
numbering comes off the titles (the item code then starts each title, as on the Google form), the answer id
(编号 / 序号) numbers the row, the project comes from the custom link parameter when the survey asks none,
and the columns that say who answered or from where (IP, 昵称, 用户标识, 地理位置, 设备 …) are left out.
Any other header is a Google export and goes on as it is; a file from another survey is refused by the
run's header check as any export is.
"""

from __future__ import annotations

import re
from typing import Iterator

from ..columns import norm
from ..table import Table

TENCENT, WJX, JINSHUJU = "腾讯问卷", "问卷星", "金数据"
_TENCENT_META = {"编号", "开始答题时间", "答题时长", "地理位置国家和地区", "地理位置省", "地理位置市", "用户类型",
                 "用户标识", "昵称", "自定义字段"}
_WJX_META = {"序号", "所用时间", "来源", "来源详情", "来自IP", "自定义字段", "自定义链接参数", "总分"}
_JINSHUJU_META = {"序号", "提交人", "修改时间", "更新时间", "填写设备", "操作系统", "浏览器", "填写时长", "IP",
                  "IP 地址", "地理位置", "填写地区", "微信昵称", "微信性别", "微信OpenID", "微信头像", "来源渠道",
                  "来源", "推广渠道", "自定义字段", "填写者", "创建人", "创建时间"}
_PARAM_COLUMNS = ("自定义字段", "自定义链接参数")
_NUMBER = {TENCENT: re.compile(r"^\d+\.\s*"), WJX: re.compile(r"^\d+、\s*"), JINSHUJU: re.compile(r"^$")}
_PICKER = re.compile(r"[:：]\s*请选择$")
_PROJECT = re.compile(r"(?:^|[?&;,\s])project=([^&;,\s]+)")


def platform_of(header: list[str]) -> str | None:
    """Which platform's export a header is (None: not one of theirs, e.g. a Google export)."""
    names = [norm(h) for h in header]
    first = names[0] if names else ""
    if first == "编号" and "开始答题时间" in names and "结束答题时间" in names:
        return TENCENT
    if first == "序号" and "提交答卷时间" in names:
        return WJX
    if first == "序号" and "提交时间" in names:
        return JINSHUJU
    return None


def _param_project(value) -> str:
    """The project of a custom link parameter cell: `project=wutong` (腾讯问卷's 自定义字段) or the value alone."""
    text = str(value or "").strip()
    if not text:
        return ""
    m = _PROJECT.search(text)
    if m:
        return m.group(1)
    return text if "=" not in text else ""


def recognise(table: Table) -> Table:
    """`table` as the ingest reads it: a platform's export translated, anything else unchanged."""
    platform = platform_of(table.header)
    if platform is None:
        return table
    names = [norm(h) for h in table.header]
    time_column = names.index({TENCENT: "结束答题时间", WJX: "提交答卷时间", JINSHUJU: "提交时间"}[platform])
    meta = {TENCENT: _TENCENT_META, WJX: _WJX_META, JINSHUJU: _JINSHUJU_META}[platform]
    param = next((i for i, n in enumerate(names) if n in _PARAM_COLUMNS), None)
    number = _NUMBER[platform]
    header = ["时间戳记"]
    sources: list[list[int]] = [[time_column]]      # for each new column, the export's columns it joins
    where: dict[str, int] = {}
    for i, name in enumerate(names):
        if i == time_column or name in meta or not name:
            continue
        title = _PICKER.sub("", number.sub("", name))
        if platform == WJX and "—" in title:          # a matrix row: 题目—行, as Google's 题目 [行]
            question, _, row = title.partition("—")
            title = f"{question.strip()} [{row.strip()}]"
        if title in where:                            # a picker's parts: one answer
            sources[where[title]].append(i)
            continue
        where[title] = len(header)
        header.append(title)
        sources.append([i])
    project = where.get("项目")
    if project is None and param is not None:
        header.append("项目")
        sources.append([])
        project = len(header) - 1

    def cell(value):
        if isinstance(value, str):
            return value.lstrip("\t")
        return value

    def rows() -> Iterator[tuple[int, list]]:
        seen: set[int] = set()
        for line, row in table.rows:
            out = []
            for parts in sources:
                values = [cell(row[i]) if i < len(row) else None for i in parts]
                if len(values) == 1:
                    out.append(values[0])
                else:
                    out.append("-".join(str(v).strip() for v in values if v not in (None, "")))
            if project is not None and param is not None and param < len(row) and not str(out[project] or "").strip():
                out[project] = _param_project(row[param])
            ident = row[0] if row else None
            ident = int(ident) if isinstance(ident, (int, float)) and not isinstance(ident, bool) else (
                int(ident.strip()) if isinstance(ident, str) and ident.strip().isdigit() else None)
            if ident is None or ident in seen or ident <= 0:   # the answer id numbers the row, else the line
                ident = line
            seen.add(ident)
            yield ident, out

    return Table(table.source, header, rows(), table.fetched_at, timezone=None, title=table.title,
                 requests=table.requests, notes=[*table.notes, f"{platform} 导出文件"],
                 worksheets=table.worksheets, date_order=table.date_order)
