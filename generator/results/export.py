"""`handbook export`: the scored data as JSON, CSV or XLSX rows for Excel users."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Iterable

from ..inspection import Inspection, corrected_on_site
from ..standards import Standards
from ..text import clean, is_formula_like, public_text, spreadsheet_cell
from . import scoring as sc
from .report_pages import EMAIL, NOT_PUBLISHED

TABLES = ("inspections", "project_weeks", "patrols", "actions")
FORMATS = ("json", "csv", "xlsx")
HOW = {sc.ON_THE_SPOT: "on_site", sc.RECHECKED: "reinspection", sc.VERIFIED: "verified", sc.REPEATED: "repeated",
       None: None}


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def export_rows(s: Standards, inspections: Iterable[Inspection], table: str,
                as_of: dt.date | None = None, today: dt.date | None = None,
                reports: Iterable[sc.FixReport] = (), last_fetch: dt.datetime | None = None) -> list[dict]:
    """One dict per row of `table`, with the documented field names.

    `as_of` (default: the latest submission day) and `today` (default: now in the organisation's time zone)
    give the data's span as the site computes it (`scoring.data_span`): the patrol periods are the site's
    (`scoring.span_patrols`), partial and missed alike (data ending today is still running; a partial period
    is never missed); `last_fetch` (the store's newest fetch) caps today as on the site.

    An inspector's name is exported only where the standards publish names (`publish_names: true`);
    otherwise it reads （不公开）, as on the site (the column stays, so the rows keep one shape)."""
    inspections = sorted(inspections, key=lambda i: (i.submitted_at, i.id))
    # the site's span (data's end, today, the last complete day): its patrol periods are the site's
    span, kept = sc.data_span(s, inspections, as_of, today, last_fetch)
    as_of = span.end
    if table == "inspections":
        rows = []
        allowed = s.organisation.publish_names
        for i in inspections:
            score = sc.score_inspection(s, i)
            rows.append({
                "id": i.id, "checklist": i.checklist, "project": i.project, "role": i.role,
                # a name as typed can hold a phone number, a plate…: masked as on the site
                "inspector": public_text(EMAIL.sub("", i.inspector)).strip() if allowed else NOT_PUBLISHED,
                # the inspection date (what patrol counts use) and its ISO week, as project_weeks has it
                "date": i.date.isoformat(), "week": sc.week_label(sc.week_start(i.date)),
                "at": i.submitted_at.isoformat(),
                "earned": score.earned, "possible": score.possible, "percent": _round(score.percent),
                "grade": score.grade, "critical_failed": bool(score.critical),
                "findings": [{"code": code, "count": n,
                              "corrected_on_site": bool(corrected_on_site(
                                  i.corrected, code, getattr(s.section_of(code), "number", None)))}
                             for code, n in i.findings.items() if n],
            })
        return rows
    if table == "project_weeks":
        groups: dict[tuple[str, dt.date], list] = {}
        for i in inspections:
            groups.setdefault((i.project, sc.week_start(i.date)), []).append(sc.score_inspection(s, i))
        rows = []
        for (project, monday), scores in sorted(groups.items()):
            agg = sc.aggregate(s, scores)
            rows.append({"project": project, "week": sc.week_label(monday), "inspections": agg.n,
                         "earned": agg.earned, "possible": agg.possible, "percent": _round(agg.percent),
                         "grade": agg.grade, "critical": agg.critical})
        return rows
    if table == "patrols":
        periods = sc.span_patrols(s, kept, span)
        return [{"project": p.project, "date": p.start.isoformat(), "period": p.period, "role": p.role,
                 "done": p.done, "required": p.required, "missed": p.missed, "partial": p.partial,
                 "covered": f"{p.covered[0].isoformat()}/{p.covered[1].isoformat()}" if p.covered else None}
                for p in periods]
    if table == "actions":
        return [{"project": a.project, "code": a.code, "opened": a.opened.isoformat(),
                 "closed": a.closed.isoformat() if a.closed else None, "how": HOW[a.closed_how],
                 "overdue": a.late(as_of), "status": a.status(as_of), "owner": a.owner, "verifier": a.verifier,
                 "due": a.due.isoformat(), "reported": a.reported.isoformat() if a.reported else None,
                 "verified": a.closed.isoformat() if a.closed_how == sc.VERIFIED else None,
                 "days_late": a.days_late(as_of)}
                for a in sc.corrective_actions(s, inspections, reports)]
    raise ValueError(f"unknown table {table!r}; choose one of {', '.join(TABLES)}")


# For Excel (CSV, XLSX): Chinese column headers in the site's terms, project, role and checklist by
# name, 是/否 for booleans. JSON keeps the ids and the field names above (for programs).
EXCEL_COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "inspections": (("id", "编号"), ("checklist", "检查表"), ("project", "项目"), ("role", "角色"),
                    ("inspector", "检查人"), ("date", "检查日期"), ("week", "周"), ("at", "提交时间"),
                    ("earned", "得分"), ("possible", "满分"), ("percent", "得分率（%）"), ("grade", "评级"),
                    ("critical_failed", "红线不符合"), ("findings", "不符合的检查条目")),
    "project_weeks": (("project", "项目"), ("week", "周"), ("inspections", "检查次数"), ("earned", "得分"),
                      ("possible", "满分"), ("percent", "得分率（%）"), ("grade", "评级"), ("critical", "红线次数")),
    "patrols": (("project", "项目"), ("date", "日期"), ("period", "周期"), ("role", "角色"), ("done", "已巡查次数"),
                ("required", "规定次数"), ("missed", "缺少次数"), ("partial", "部分周期（不计缺少）"),
                ("covered", "数据覆盖")),
    "actions": (("project", "项目"), ("code", "检查条目"), ("opened", "发现日期"), ("closed", "整改日期"),
                ("how", "整改方式"), ("overdue", "逾期"), ("status", "状态"), ("owner", "责任人"),
                ("verifier", "验证"), ("due", "整改期限"), ("reported", "整改反馈日期"),
                ("verified", "验证日期"), ("days_late", "逾期天数")),
}
HOW_NAMES = {"on_site": sc.ON_THE_SPOT, "reinspection": sc.RECHECKED, "verified": sc.VERIFIED,
             "repeated": sc.REPEATED}


def excel_rows(s: Standards, rows: list[dict], table: str) -> list[dict]:
    """`export_rows` rows for a spreadsheet: Chinese headers (`EXCEL_COLUMNS`), names for ids, 是/否."""
    projects = {p.id: p.name for p in s.organisation.projects}
    roles = {r.id: r.name for r in s.organisation.roles}
    checklists = {c.id: c.title for c in s.checklists_file.checklists}
    names = {"project": projects, "role": roles, "checklist": checklists, "how": HOW_NAMES, "owner": roles,
             "verifier": roles}
    out = []
    for row in rows:
        excel = {}
        for key, header in EXCEL_COLUMNS[table]:
            value = row[key]
            if isinstance(value, bool):
                value = "是" if value else "否"
            elif key in names and value is not None:
                value = names[key].get(value, value)
            excel[header] = value
        out.append(excel)
    return out


def _flat(value):
    if isinstance(value, list):
        return "; ".join(f"{f['code']}×{f['count']}" + ("(当场纠正)" if f["corrected_on_site"] else "")
                         for f in value)
    return value


def _cleaned(value):
    """Text without control characters or bidi overrides (XLSX refuses the former), in every format."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, list):
        return [_cleaned(v) for v in value]
    if isinstance(value, dict):
        return {k: _cleaned(v) for k, v in value.items()}
    return value


def serialise(rows: list[dict], fmt: str) -> bytes:
    """Rows as JSON (a list of objects), CSV (UTF-8 with BOM) or XLSX bytes.

    Text is written as stored, less control characters; in CSV a cell a spreadsheet would run as a
    formula starts with `'`, in XLSX it is a text cell (quote-prefixed), never a formula."""
    rows = [_cleaned(r) for r in rows]
    if fmt == "json":
        return (json.dumps(rows, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    header = list(rows[0]) if rows else []
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows([spreadsheet_cell(_flat(r[k])) for k in header] for r in rows)
        return ("\ufeff" + buf.getvalue()).encode("utf-8")
    if fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        sheet.append(header)
        for n, r in enumerate(rows, 2):
            values = [_flat(r[k]) for k in header]
            sheet.append(values)
            for column, value in enumerate(values, 1):
                if is_formula_like(value):   # text as typed, shown as text: never run as a formula
                    cell = sheet.cell(n, column)
                    cell.data_type, cell.quotePrefix = "s", True
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()
    raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
