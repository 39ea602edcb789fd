"""Focus checks (程序 4.1.1, 4.1.2): what each project's next patrols should look at first.

A project's focus list joins the meeting issues still being followed, the items
found again and again in the last weeks, and the items with overdue actions.

The site shows each reason with this week's counts; the printed sheets carry the same
entries with reasons that leave the counts out (`FocusEntry.printed`): a sheet's text
then changes only when its list does, so a weekly build renders again only the sheets
whose list changed, and the numbers stay on the project's page.
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


@dataclass(frozen=True)
class FocusEntry:
    """One thing to check first, with why."""

    code: str | None          # item code, or None for a free-text meeting issue
    text: str                 # what to look at
    reasons: tuple[str, ...]  # e.g. ("十一月品质例会（2026-11-02）", "近 4 周 3 次检查发现问题")
    printed: tuple[str, ...] = ()   # the reasons as the sheets print them: without the week's counts


def focus_list(s: Standards, project: str, inspections: Iterable[Inspection], actions: Iterable,
               as_of: dt.date, *, weeks: int = WINDOW_WEEKS, min_repeats: int = MIN_REPEATS) -> list[FocusEntry]:
    """The focus list of `project` on `as_of`: items first in document order, then free-text issues."""
    reasons: dict[str, list[str]] = {}
    printed: dict[str, list[str]] = {}
    free: list[FocusEntry] = []
    for issue in s.methods_file.meetings:
        if issue.project not in ("all", project) or not issue.date <= as_of <= issue.until:
            continue
        why = f"{issue.meeting}（{issue.date}）：{issue.text}"
        if issue.item and issue.item in s.items:
            reasons.setdefault(issue.item, []).append(why)
            printed.setdefault(issue.item, []).append(why)
        else:
            meeting = (f"{issue.meeting}（{issue.date}）",)
            free.append(FocusEntry(None, issue.text, meeting, meeting))
    since = as_of - dt.timedelta(weeks=weeks)
    repeats: Counter = Counter()
    recent = [i for i in inspections if i.project == project and since < i.date <= as_of]
    threshold = max(min_repeats, MIN_SHARE * len(recent))
    for insp in recent:
        for code, found in insp.findings.items():
            if found and code in s.items:
                repeats[code] += 1
    for code, n in repeats.items():
        if n >= threshold:
            reasons.setdefault(code, []).append(f"近 {weeks} 周 {n} 次检查发现问题")
            printed.setdefault(code, []).append(f"近 {weeks} 周多次检查发现问题")
    overdue = Counter(a.code for a in actions if a.project == project and a.overdue(as_of))
    for code, n in overdue.items():
        reasons.setdefault(code, []).append(f"逾期未整改 {n} 项")
        printed.setdefault(code, []).append("有逾期未整改")
    items = [FocusEntry(code, s.items[code].short, tuple(reasons[code]), tuple(printed[code]))
             for code in s.items if code in reasons]
    return items + free
