"""Plain view data for templates: names, labels and numbers worked out in Python.

Templates only lay these out; every rule (what 0 fix-within days means, how a
deduction reads, which checklists use an item) lives here once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from . import model as m
from .inspection import answer_options, findings_to_empty, printed_percent
from .standards import Standards

PER = {"day": "每天", "week": "每周", "month": "每月"}


def fmt_number(value, digits: int | None = None) -> str:
    """A number without a useless `.0`: 5.0 -> "5", 2.5 -> "2.5" (or `digits` decimals); None -> "—".

    The templates' `num` filter; kept here, not in templating, so the form builder and the ingest that use
    labels do not load Jinja."""
    if value is None:
        return "—"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float):
        return f"{value:.{digits}f}" if digits is not None else f"{value:g}"
    return str(value)


def fix_within_label(days: int) -> str:
    return "当场整改" if days == 0 else f"{days} 天内整改"


def deduction_label(item: m.Item) -> str:
    empty = findings_to_empty(item.points, item.deduction)
    return f"每处扣 {fmt_number(item.deduction)} 分，扣完为止（{empty} 处扣完）"


def form_options(item: m.Item) -> list[str]:
    """The item's answer options on the online form, in order."""
    return list(answer_options(item.points, item.deduction))


def patrol_label(role: m.Role) -> str | None:
    if role.patrols is None:
        return None
    return f"每个项目{PER[role.patrols.per]}不少于 {role.patrols.min} 次"


def role_names(standards: Standards, ids) -> list[str]:
    return [standards.roles[r].name if r in standards.roles else r for r in ids]


def checklists_of_item(standards: Standards, code: str) -> list[m.Checklist]:
    return [c for c in standards.checklists.values()
            if any(i.code == code for i in standards.checklist_items(c.id))]


def checklist_projects(standards: Standards, checklist: m.Checklist) -> list[m.Project]:
    """The projects a checklist is printed for: its own list, else every active project."""
    if checklist.projects is not None:
        return [standards.projects[p] for p in checklist.projects if p in standards.projects]
    return [p for p in standards.projects.values() if p.active]


# ---------------------------------------------------------------- scoring, for the worked example

def item_score(points: float, deduction: float, findings: int | None) -> float | None:
    """max(0, points − findings × deduction); None when the item is 不适用."""
    if findings is None:
        return None
    return max(0.0, points - findings * deduction)


@dataclass(frozen=True)
class ExampleRow:
    item: m.Item
    findings: int | None
    score: float | None


@dataclass(frozen=True)
class WorkedExample:
    checklist: m.Checklist
    rows: tuple[ExampleRow, ...]          # every item of the checklist
    earned: float
    possible: float
    percent: float
    grade: str
    critical_failed: bool

    @property
    def notable(self) -> tuple[ExampleRow, ...]:
        """Rows that are not simply 符合."""
        return tuple(r for r in self.rows if r.findings != 0)

    @property
    def compliant(self) -> tuple[ExampleRow, ...]:
        return tuple(r for r in self.rows if r.findings == 0)


def score_example(standards: Standards, checklist: m.Checklist,
                  findings: dict[str, int | None]) -> WorkedExample:
    """Score one invented inspection by the rules stated on the scoring page."""
    rows = []
    for item in standards.checklist_items(checklist.id):
        f = findings.get(item.code, 0)
        rows.append(ExampleRow(item, f, item_score(item.points, item.deduction, f)))
    applicable = [r for r in rows if r.score is not None]
    earned = sum(r.score for r in applicable)
    possible = sum(r.item.points for r in applicable)
    percent = printed_percent(earned, possible) if possible else 0.0
    critical_failed = any(r.item.critical and r.findings for r in rows)
    grade = standards.lowest_grade if critical_failed else standards.grade(percent)
    return WorkedExample(checklist, tuple(rows), earned, possible, percent, grade, critical_failed)


def example_findings(standards: Standards, checklist: m.Checklist) -> dict[str, int | None]:
    """An invented inspection that shows each rule once: findings, 扣完为止, 不适用.

    Chosen from the model (not hard-coded codes) so it follows the standards when they change.
    """
    items = [i for i in standards.checklist_items(checklist.id) if not i.critical]
    out: dict[str, int | None] = {}
    if items:
        out[items[0].code] = 2 if items[0].points >= 2 * items[0].deduction else 1
    capped = next((i for i in items[1:] if i.points / i.deduction <= 3), None)
    if capped is not None:
        out[capped.code] = math.floor(capped.points / capped.deduction) + 1   # more than the points
    spare = [i for i in items if i.code not in out]
    if spare:
        out[spare[-1].code] = None
    return out


def worked_examples(standards: Standards) -> tuple[WorkedExample, WorkedExample | None] | None:
    """Two examples on the first checklist: an ordinary one, and the same with a 红线 finding."""
    if not standards.checklists:
        return None
    checklist = next(iter(standards.checklists.values()))
    findings = example_findings(standards, checklist)
    first = score_example(standards, checklist, findings)
    critical = next((i for i in standards.checklist_items(checklist.id) if i.critical), None)
    if critical is None:
        return first, None
    second = score_example(standards, checklist, {**findings, critical.code: 1})
    return first, second


def grade_bands(standards: Standards) -> list[m.Grade]:
    return sorted(standards.organisation.grades, key=lambda g: -g.min)


def methods_of(standards: Standards, item: m.Item) -> list[tuple[str, str]]:
    """(method name, Markdown link to its clause on the procedure page) for an item."""
    out = []
    for mid in item.methods:
        method = standards.methods.get(mid)
        number = standards.method_clause.get(mid)
        if method is None or number is None:
            continue
        out.append((method.name, number))
    return out


def page_title(number: str, title: str | None) -> str:
    return f"{number} {title}" if title else number



def daily_rounds(standards: Standards, checklist: m.Checklist) -> int:
    """Patrols a day the checklist's roles must make (程序 4.5: the most of its daily roles), 0 when none
    of its roles patrols daily. A checklist with daily rounds records the period, round and time."""
    return max((standards.roles[r].patrols.min for r in checklist.roles
                if r in standards.roles and standards.roles[r].patrols and standards.roles[r].patrols.per == "day"),
               default=0)


def checklist_record(standards: Standards, checklist: m.Checklist) -> str:
    """How the printed sheet names itself beside the document number: the procedure's record clause that
    lists it (程序 6.0 记录, e.g. 记录 6.1), else its title; never its id, which staff do not use."""
    for number, clause in standards.clauses.items():
        if number.split(".")[0] == "6" and clause.text and clause.text.startswith(checklist.title):
            return f"记录 {number}"
    return checklist.title
