"""What an edit of the standards would change in the published figures (`handbook check` with a store).

The store's inspections are scored twice: with the rules the store recorded (each version from its
recorded effective date: what the last ingest scored with) and with the standards as edited (each
inspection by the version in force on its date, `rulebook`). Inspections whose score, 红线 or grade
differ are counted, with their projects, their quarters (a quarter over by `today` is 已结束) and the
quarter assessments whose grade moves.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from .. import store
from ..store import rules as rules_store
from ..rulebook import recorded_timeline, rules_of, timeline, with_history
from .scoring import aggregate, quarter_bounds, quarter_label, quarter_of, score_inspections


@dataclass
class Impact:
    """What the edit moves in one store."""

    inspections: int = 0                                   # inspections scored
    unrecorded: bool = False                               # the store recorded no rules (written before)
    moved: list[tuple] = field(default_factory=list)       # (inspection, old score, new score)
    dated: list[tuple[str, dt.date, int]] = field(default_factory=list)   # (version, effective, moved by it)
    undated: list[str] = field(default_factory=list)       # versions whose rules changed without a change note
    projects: list[str] = field(default_factory=list)      # names, in organisation order
    quarters: list[str] = field(default_factory=list)      # quarter ids moved, oldest first
    closed: list[str] = field(default_factory=list)        # those over by today
    assessments: list[tuple[str, str, str, str]] = field(default_factory=list)   # (project, quarter, old, new)
    removed: list[tuple[str, str, int, int]] = field(default_factory=list)   # (code, short, answered, of them moved)

    @property
    def warns(self) -> bool:
        """A move a maintainer must confirm: an undated edit, or a quarter that is over."""
        return bool(self.moved and (self.undated or self.closed))


def _shown(score) -> str:
    pct = score.percent
    if pct is None:
        return "无得分"
    critical = int(score.critical)   # an aggregate's 红线 incidents
    return f"{pct:.1f}% {score.grade}" + (f"（红线 {critical} 次，否决）" if critical else "")


def _nothing_changed(recorded: dict, current, changes: dict) -> bool:
    """Whether the standards score as the store recorded: the current version recorded with the same rules,
    every recorded version still taking effect on its recorded date, no item of theirs removed."""
    if current.version not in recorded or not recorded[current.version][1].same_scoring(current):
        return False
    for version, (start, rules) in recorded.items():
        if changes.get(version) != start or not set(rules.items) <= set(current.items):
            return False
    return True


def rule_change_impact(standards, store_path: Path | str, today: dt.date) -> Impact:
    """Score the store with the recorded rules and with the edited standards; what differs."""
    recorded = rules_store.read_rules(store_path)
    current = rules_of(standards)
    changes = dict(timeline(standards))
    if recorded and _nothing_changed(recorded, current, changes):   # no need to read and score the store
        return Impact(inspections=rules_store.count_inspections(store_path))
    inspections = store.read_inspections(store_path)
    impact = Impact(inspections=len(inspections), unrecorded=not recorded)
    if not recorded or not inspections:
        return impact
    if current.version in recorded and not recorded[current.version][1].same_scoring(current):
        impact.undated.append(current.version)
    elif current.version not in changes and current.version not in recorded:
        impact.undated.append(current.version)    # a new version with no change note: in force on every date
    old_s = dataclasses.replace(standards, rulebook=recorded_timeline(recorded))
    new_s = with_history(standards, {v: r for v, (_, r) in recorded.items()})
    old = score_inspections(old_s, inspections)
    new = score_inspections(new_s, inspections)
    moved_by_version: dict[str, int] = defaultdict(int)
    touched: set[tuple[str, str]] = set()
    for a, b in zip(old, new):
        if (a.earned, a.possible, a.critical, a.grade) != (b.earned, b.possible, b.critical, b.grade):
            impact.moved.append((a.inspection, a, b))
            moved_by_version[new_s.rulebook.for_date(a.inspection.date).version] += 1
            touched.add((a.inspection.project, quarter_of(a.inspection.date)))
    for version, start in timeline(standards):
        if moved_by_version.get(version) and version not in impact.undated and start is not None:
            impact.dated.append((version, start, moved_by_version[version]))
    names = {p.id: p.name for p in standards.organisation.projects}
    moved_projects = {i.project for i, _, _ in impact.moved}
    impact.projects = [names[p] for p in names if p in moved_projects] + sorted(moved_projects - set(names))
    impact.quarters = sorted({q for _, q in touched})
    impact.closed = [q for q in impact.quarters if quarter_bounds(q)[1] < today]
    by_pq_old: dict[tuple[str, str], list] = defaultdict(list)
    by_pq_new: dict[tuple[str, str], list] = defaultdict(list)
    for a, b in zip(old, new):
        key = (a.inspection.project, quarter_of(a.inspection.date))
        if key in touched:
            by_pq_old[key].append(a)
            by_pq_new[key].append(b)
    for key in sorted(touched, key=lambda k: (k[1], list(names).index(k[0]) if k[0] in names else 99)):
        was, now = aggregate(old_s, by_pq_old[key]), aggregate(new_s, by_pq_new[key])
        if (was.grade, was.critical) != (now.grade, now.critical):
            impact.assessments.append((names.get(key[0], key[0]), quarter_label(key[1]), _shown(was), _shown(now)))
    moved_ids = {i.id for i, _, _ in impact.moved}
    known = {}
    for _, rules in recorded.values():
        for code, item in rules.items.items():
            known.setdefault(code, item.short)
    for code, short in known.items():
        if code in standards.items:
            continue
        answered = [i for i in inspections if i.findings.get(code, "absent") != "absent"]
        if answered:
            impact.removed.append((code, short, len(answered), sum(1 for i in answered if i.id in moved_ids)))
    return impact
