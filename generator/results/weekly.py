"""本周概览: this week's figures beside last week's, each with its change and its page.

Pure functions: scores, patrol periods and actions in, `Figure`s out. The patrol results compute
the inspection figures; other instruments add theirs (`Instrument.overview_figures`), e.g. customer
satisfaction and the latest exam's pass rate.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterable, Sequence

from ..inspection import printed
from ..standards import Standards
from . import scoring as sc


@dataclass(frozen=True)
class Figure:
    """One figure of the overview: this period's value, the previous period's, and where it is explained.

    `unit` is "%" (the change is in 百分点), a counting word such as "次" (an int value: the change is a
    count) or "分" (a float score, e.g. satisfaction on 百分制: the change is in 分).
    `better` says which way is good: "up", "down" or "" (neither: the number of inspections).
    """

    label: str
    value: float | None
    previous: float | None
    unit: str
    link: str                  # docs-relative page, e.g. "results/redline.md"
    better: str = "up"
    note: str = ""             # e.g. "n=154" or what the previous value was measured on
    previous_label: str = "上周"
    previous_note: str = ""    # e.g. "n=148": printed beside the previous value
    project: str = ""          # a project's figure: a column of the weekly report's table of all projects,
                               # not a figure of the overview (e.g. each project's satisfaction)

    @property
    def change(self) -> float | None:
        if self.value is None or self.previous is None:
            return None
        if isinstance(self.value, float) or isinstance(self.previous, float):
            return printed(self.value - self.previous)   # from the printed figures: 98.0 − 95.1 = +2.9
        return self.value - self.previous

    @property
    def value_text(self) -> str:
        if self.value is None:
            return "—"
        if self.unit == "%":
            return f"{self.value:.1f}%"
        return f"{self.value:.1f} {self.unit}" if isinstance(self.value, float) else f"{self.value} {self.unit}"

    @property
    def change_text(self) -> str:
        """`↑ 1.2 百分点（上周 94.1%）`, `→ 持平（上周 3 次）`, or why there is no change."""
        if self.change is None:
            return self.previous_text if self.previous is None else "本周无数据"
        return f"{self.delta_text}（{self.previous_text.replace('（', '，').rstrip('）')}）"

    @property
    def delta_text(self) -> str:
        """The change alone: `↑ 1.2 百分点`, `↓ 2 次`, `→ 持平`, or `—` without one."""
        change = self.change
        if change is None:
            return "—"
        size = abs(change) if self.change_is_count else round(abs(change), 1)
        if size == 0:
            return "→ 持平"
        return f"{'↑' if change > 0 else '↓'} {size:g} {'百分点' if self.unit == '%' else self.unit}"

    @property
    def previous_text(self) -> str:
        """`上周 94.1%`, `上周 94.1%（n=148）`, or `上周无数据`."""
        if self.previous is None:
            return f"{self.previous_label}无数据"
        shown = f"{self.previous_label} {Figure(self.label, self.previous, None, self.unit, '').value_text}"
        return shown + (f"（{self.previous_note}）" if self.previous_note else "")

    @property
    def change_is_count(self) -> bool:
        return self.unit != "%" and not isinstance(self.value, float)

    @property
    def tone(self) -> str:
        """"better", "worse" or "" against the previous period."""
        change = self.change
        if not change or not self.better:
            return ""
        up = change > 0
        return "better" if up == (self.better == "up") else "worse"


@dataclass(frozen=True)
class Week:
    monday: dt.date
    sunday: dt.date        # last day counted: Sunday, or the data's last day when the week is running

    @property
    def label(self) -> str:
        return sc.week_label(self.monday)


def weeks_of(as_of: dt.date, complete: dt.date | None = None, start: dt.date | None = None) -> tuple[Week, Week]:
    """(the report week, the whole week before).

    The report week is the last complete week: the latest Monday–Sunday ending on or before `complete`
    (the last day the data covers completely; default `as_of`). A Monday-morning run reports the week that
    just ended, never a one-day week. Only when the data (from `start`) has no complete week yet is the
    report week the running one, up to `as_of` (labelled partial where shown)."""
    complete = as_of if complete is None else complete
    monday = sc.week_start(complete + dt.timedelta(days=1)) - dt.timedelta(days=7)
    if start is not None and monday + dt.timedelta(days=6) < start:
        monday = sc.week_start(as_of)
    last = monday - dt.timedelta(days=7)
    return Week(monday, min(as_of, monday + dt.timedelta(days=6))), Week(last, last + dt.timedelta(days=6))


def failed_inspections(standards: Standards, scores: Iterable[sc.InspectionScore]) -> int:
    """Inspections graded the lowest grade (不合格), 红线 vetoes included; no grade (all 不适用) is not failed."""
    return sum(1 for x in scores if x.grade is not None and x.grade == standards.lowest_grade)


def on_time_percent(actions: Iterable[sc.Action], first: dt.date, last: dt.date,
                    as_of: dt.date | None = None) -> tuple[float | None, int]:
    """整改及时率 (`scoring.timeliness`, the one definition): of the actions due within [first, last], the
    share fixed by their deadline; (%, n due)."""
    return sc.timeliness(actions, first, last, as_of or last + dt.timedelta(days=1))


def patrol_figures(standards: Standards, scores: Sequence[sc.InspectionScore], team: Sequence[sc.PatrolPeriod],
                   actions: Sequence[sc.Action], as_of: dt.date, *,
                   week_page: str = "results/index.md", weeks: tuple[Week, Week] | None = None) -> list[Figure]:
    """The inspection figures of the report week (`weeks_of`) against the week before.

    `week_page`: the page listing the report week's inspections. `scores` and `team` may cover any span
    (they are filtered here); `team` is the project teams' patrol periods (`scoring.team_periods`); partial
    periods do not count (as everywhere). Each percentage carries its n, last week's too.
    """
    this, last = weeks or weeks_of(as_of)

    def within(week: Week):
        return [x for x in scores if week.monday <= x.inspection.date <= week.sunday]

    now, before = within(this), within(last)
    agg_now, agg_before = sc.aggregate(standards, now), sc.aggregate(standards, before)
    comp_now = sc.compliance_percent(p for p in team if this.monday <= p.start and p.start <= this.sunday)
    comp_before = sc.compliance_percent(p for p in team if last.monday <= p.start and p.start <= last.sunday)
    fix_now, due_now = on_time_percent(actions, this.monday, this.sunday, as_of)
    fix_before, _ = on_time_percent(actions, last.monday, last.sunday, as_of)
    return [
        Figure("本周检查次数", agg_now.n, agg_before.n, "次", week_page, better=""),
        Figure("本周得分率", agg_now.percent, agg_before.percent, "%", week_page,
               note=f"本周 n={agg_now.n}", previous_note=f"n={agg_before.n}"),
        Figure("本周红线问题", agg_now.critical, agg_before.critical, "次", "results/redline.md", better="down"),
        Figure("本周不合格检查", failed_inspections(standards, now), failed_inspections(standards, before), "次",
               week_page, better="down", note=f"评为{standards.lowest_grade}，含红线否决"),
        Figure("本周巡查完成率", comp_now, comp_before, "%", "results/patrols.md", note="项目团队"),
        Figure("本周整改及时率", fix_now, fix_before, "%", "results/actions.md",
               note=f"本周到期 {due_now} 项"),
    ]
