"""Focus checks (程序 4.1.1, 4.1.2): what each project's next patrols should look at first.

A project's focus list joins the 红线 items found again, the items with overdue actions, the meeting
issues still being followed and the items found again and again in the last weeks, in that order of
priority (within each: the most findings first, then document order).

A printed sheet carries the part of the list its checker can check (`focus_list(..., checklist=…)`):
the items on the sheet, and the meeting issues about those items (a meeting issue without an item goes
on every sheet of its project). The site shows each reason with this week's counts; the printed sheets
carry the same entries with reasons that leave the counts out (`FocusEntry.printed`): a sheet's text
then changes only when its list does, so a weekly build renders again only the sheets whose list
changed, and the numbers stay on the project's page.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Iterable

from ..inspection import Inspection
from ..standards import Standards

WINDOW_WEEKS = 4     # how far back repeated findings count
MIN_REPEATS = 3      # inspections with a finding on the item within the window …
MIN_SHARE = 0.15     # … and at least this share of the project's inspections in the window
MIN_REDLINE_REPEATS = 2   # a 红线 item found on this many inspections within the window is a recurrence

# Priorities, highest first: a 红线 found again, an overdue action, a meeting issue, a frequent finding.
REDLINE, OVERDUE, MEETING, FREQUENT = range(4)


@dataclass(frozen=True)
class FocusEntry:
    """One thing to check first, with why."""

    code: str | None          # item code, or None for a free-text meeting issue
    text: str                 # what to look at
    reasons: tuple[str, ...]  # e.g. ("十一月品质例会（2026-11-02）", "近 4 周 3 次检查发现问题")
    printed: tuple[str, ...] = ()   # the reasons as the sheets print them: without the week's counts
    priority: int = MEETING   # REDLINE, OVERDUE, MEETING or FREQUENT: the highest of its reasons


def focus_list(s: Standards, project: str, inspections: Iterable[Inspection], actions: Iterable,
               as_of: dt.date, *, weeks: int = WINDOW_WEEKS, min_repeats: int = MIN_REPEATS,
               checklist: str | None = None) -> list[FocusEntry]:
    """The focus list of `project` on `as_of`, highest priority first.

    `checklist`: only what that sheet can check (its items; meeting issues about them or about no item).
    """
    on_sheet = {i.code for i in s.checklist_items(checklist)} if checklist else set(s.items)
    reasons: dict[str, list[tuple[int, int, str, str]]] = {}   # code -> (priority, weight, reason, printed)
    free: list[FocusEntry] = []
    for issue in s.methods_file.meetings:
        if issue.project not in ("all", project) or not issue.date <= as_of <= issue.until:
            continue
        why = f"{issue.meeting}（{issue.date}）：{issue.text}"
        if issue.item and issue.item in s.items:
            if issue.item in on_sheet:
                reasons.setdefault(issue.item, []).append((MEETING, 0, why, why))
        else:
            meeting = (f"{issue.meeting}（{issue.date}）",)
            free.append(FocusEntry(None, issue.text, meeting, meeting, MEETING))
    since = as_of - dt.timedelta(weeks=weeks)
    repeats: Counter = Counter()
    recent = [i for i in inspections if i.project == project and since < i.date <= as_of]
    threshold = max(min_repeats, MIN_SHARE * len(recent))
    for insp in recent:
        for code, found in insp.findings.items():
            if found and code in on_sheet:
                repeats[code] += 1
    for code, n in repeats.items():
        if s.items[code].critical and n >= MIN_REDLINE_REPEATS:
            reasons.setdefault(code, []).append((REDLINE, n, f"红线问题近 {weeks} 周 {n} 次",
                                                 f"红线问题近 {weeks} 周再次发生"))
        elif n >= threshold:
            reasons.setdefault(code, []).append((FREQUENT, n, f"近 {weeks} 周 {n} 次检查发现问题",
                                                 f"近 {weeks} 周多次检查发现问题"))
    overdue = Counter(a.code for a in actions if a.project == project and a.overdue(as_of) and a.code in on_sheet)
    for code, n in overdue.items():
        reasons.setdefault(code, []).append((OVERDUE, n, f"逾期未整改 {n} 项", "有逾期未整改"))
    order = {code: k for k, code in enumerate(s.items)}
    ranked = []
    for code, why in reasons.items():
        why.sort(key=lambda w: w[0])
        entry = FocusEntry(code, s.items[code].short, tuple(w[2] for w in why), tuple(w[3] for w in why),
                           why[0][0])
        ranked.append((why[0][0], -why[0][1], order[code], entry))
    ranked.sort(key=lambda t: t[:3])
    items = [t[3] for t in ranked]
    # meeting issues without an item go after those about an item, before the frequent findings
    k = next((n for n, e in enumerate(items) if e.priority > MEETING), len(items))
    return items[:k] + free + items[k:]


@dataclass(frozen=True)
class ProjectFocus:
    """A project's focus list (its results page) and the part each of its sheets can check."""

    entries: tuple[FocusEntry, ...]
    sheets: dict[str, tuple[FocusEntry, ...]]   # checklist id -> its entries, highest priority first

    def for_sheet(self, checklist: str) -> tuple[FocusEntry, ...]:
        return self.sheets.get(checklist, ())


def project_focus(s: Standards, project: str, inspections: Iterable[Inspection], actions: Iterable,
                  as_of: dt.date) -> ProjectFocus:
    """`focus_list` of `project` for its results page and for each checklist's sheet."""
    inspections, actions = list(inspections), list(actions)
    return ProjectFocus(tuple(focus_list(s, project, inspections, actions, as_of)),
                        {c: tuple(focus_list(s, project, inspections, actions, as_of, checklist=c))
                         for c in s.checklists})
