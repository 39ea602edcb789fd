"""Scoring rules, pure functions over `Inspection` records (procedure 4.5, 4.6).

- item score = max(0, points − findings × deduction) (扣完为止); 不适用 leaves the denominator
- inspection % = Σ earned / Σ possible × 100 over applicable items; an inspection with no applicable
  item has no % and no grade (it still counts as a patrol done)
- a 红线 incident is one inspection with a finding on a 红线 item (however many such items): it grades
  the inspection the lowest grade, whatever its % (the vetoed grade)
- aggregates pool earned and possible, always carry n, count 红线 incidents, and take the lowest grade
  when they hold a 红线 incident (the vetoed grade, the same wherever a grade is shown)
"""

from __future__ import annotations

import datetime as dt
import statistics
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Iterable
from zoneinfo import ZoneInfo

from ..model import Item
from ..inspection import Inspection, corrected_on_site, data_end, printed, printed_percent  # noqa: F401  (printed: report_pages calls sc.printed)
from ..messages import Msg
from ..rulebook import rules_for
from ..standards import Standards


# ---------------------------------------------------------------- single inspections

def item_score(item: Item, findings: int | None) -> tuple[float, float]:
    """(earned, possible) of one item; 不适用 (None) gives (0, 0)."""
    if findings is None:
        return 0.0, 0.0
    return max(0.0, item.points - findings * item.deduction), float(item.points)


@dataclass(frozen=True, slots=True)   # a year holds one per inspection
class InspectionScore:
    """One inspection scored."""

    inspection: Inspection
    earned: float
    possible: float
    findings: int                       # total findings (处)
    critical: tuple[str, ...]           # codes of 红线 items with findings (non-empty: a 红线 incident)
    grade: str | None                   # after the 红线 veto; None when no item was applicable
    unknown_codes: tuple[str, ...] = ()  # answers to items no longer in the standards

    @property
    def percent(self) -> float | None:
        return percent(self.earned, self.possible)


def percent(earned: float, possible: float) -> float | None:
    """Σ earned / Σ possible × 100 as printed (rounded half up once to one decimal: grades and thresholds
    apply to the printed value), or None when nothing was applicable."""
    return printed_percent(earned, possible)


def vetoed_grade(standards: Standards, pct: float | None, critical: bool) -> str | None:
    """The grade shown: the lowest grade after a 红线 incident, else the band of `pct`; None without a %."""
    if pct is None:
        return None
    return standards.lowest_grade if critical else standards.grade(pct)


def score_inspection(standards: Standards, inspection: Inspection) -> InspectionScore:
    """Score one inspection with the standards in force on its date (`rulebook.rules_for`)."""
    rules = rules_for(standards, inspection)
    earned = possible = 0.0
    findings = 0
    critical, unknown = [], []
    for code, found in inspection.findings.items():
        item = rules.items.get(code)
        if item is None:
            unknown.append(code)
            continue
        e, p = item_score(item, found)
        earned += e
        possible += p
        findings += found or 0
        if item.critical and found:
            critical.append(code)
    pct = percent(earned, possible)
    grade = vetoed_grade(rules, pct, bool(critical))
    return InspectionScore(inspection, earned, possible, findings, tuple(critical), grade, tuple(unknown))


def score_inspections(standards: Standards, inspections: Iterable[Inspection]) -> list[InspectionScore]:
    """`score_inspection` of each, scoring each distinct set of answers once (answers repeat a lot)."""
    done: dict[tuple, InspectionScore] = {}
    out = []
    for inspection in inspections:
        key = (id(rules_for(standards, inspection)), *inspection.findings.items())
        hit = done.get(key)
        if hit is None:
            hit = done[key] = score_inspection(standards, inspection)
            out.append(hit)
        else:
            out.append(InspectionScore(inspection, hit.earned, hit.possible, hit.findings, hit.critical,
                                       hit.grade, hit.unknown_codes))
    return out


@dataclass(frozen=True)
class Aggregate:
    """Pooled scores of several inspections; `n` is always shown beside the %."""

    n: int
    earned: float
    possible: float
    findings: int
    critical: int          # 红线 incidents: inspections with a finding on a 红线 item
    grade: str | None      # vetoed: the lowest grade when critical > 0; None without a %
    scored: int = 0        # inspections with a % (the others had no applicable item)

    @property
    def percent(self) -> float | None:
        return percent(self.earned, self.possible)


def aggregate(standards: Standards, scores: Iterable[InspectionScore], *, veto: bool = True) -> Aggregate:
    """Pool earned and possible over `scores` (not an average of percentages).

    `veto=False` for company-wide figures: the 红线 veto grades inspections, projects and their periods,
    never the whole company (its figures show the percent's band and the 红线 count beside it)."""
    scores = list(scores)
    earned = sum(s.earned for s in scores)
    possible = sum(s.possible for s in scores)
    pct = percent(earned, possible)
    critical = sum(1 for s in scores if s.critical)
    # the grade bands in force on the latest inspection pooled (a period before a dated change keeps its grade)
    rules = rules_for(standards, max(scores, key=lambda s: s.inspection.date).inspection) if scores else standards
    return Aggregate(len(scores), earned, possible, sum(s.findings for s in scores), critical,
                     vetoed_grade(rules, pct, veto and critical > 0), sum(1 for s in scores if s.possible > 0))


# ---------------------------------------------------------------- periods

def week_start(day: dt.date) -> dt.date:
    """Monday of the ISO week of `day`."""
    return day - dt.timedelta(days=day.weekday())


def week_label(monday: dt.date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def quarter_of(day: dt.date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


QUARTER_NAMES = {"1": "第一季度", "2": "第二季度", "3": "第三季度", "4": "第四季度"}


def quarter_label(quarter: str) -> str:
    """'2026Q4' -> '2026 年第四季度'."""
    year, q = quarter.split("Q")
    return f"{year} 年{QUARTER_NAMES[q]}"


def quarter_bounds(label: str) -> tuple[dt.date, dt.date]:
    """First and last day of a quarter label such as 2026Q4."""
    year, q = int(label[:4]), int(label[-1])
    start = dt.date(year, 3 * q - 2, 1)
    end = dt.date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1) - dt.timedelta(days=1)
    return start, end


# ---------------------------------------------------------------- patrol compliance (4.5)

@dataclass(frozen=True, slots=True)   # one per project, role and day of a year
class PatrolPeriod:
    """Patrols a role did for a project in one period (day / week / month) vs required.

    `covered` is set when the data covers only part of the period (it began before the data starts,
    or it is still running at the data's end or today): such a period is partial and never missed.
    """

    project: str
    role: str
    period: str            # ISO date, week label or YYYY-MM
    start: dt.date
    done: int
    required: int
    end: dt.date | None = None                          # last day of the period
    covered: tuple[dt.date, dt.date] | None = None      # the part the data covers, when partial

    @property
    def partial(self) -> bool:
        return self.covered is not None

    @property
    def missed(self) -> int:
        return 0 if self.covered is not None else max(0, self.required - self.done)


def _periods(per: str, start: dt.date, end: dt.date, working: set[int], holidays: set[dt.date]):
    day = start
    if per == "day":
        while day <= end:
            if day.isoweekday() in working and day not in holidays:
                yield day.isoformat(), day, day
            day += dt.timedelta(days=1)
    elif per == "week":
        day = week_start(start)
        while day <= end:
            yield week_label(day), day, day + dt.timedelta(days=6)
            day += dt.timedelta(days=7)
    else:  # month
        day = start.replace(day=1)
        while day <= end:
            nxt = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
            yield day.strftime("%Y-%m"), day, nxt - dt.timedelta(days=1)
            day = nxt


def complete_until(as_of: dt.date, today: dt.date | None) -> dt.date:
    """The last day the data covers completely: `as_of`, or the day before when `as_of` is today (still running)."""
    return as_of - dt.timedelta(days=1) if today is not None and as_of == today else as_of


@dataclass(frozen=True)
class DataSpan:
    """The days the data covers, as every page and export reads them (one computation for all)."""

    start: dt.date       # the first 检查日期 kept
    end: dt.date         # the data's end ("数据截至"): the latest submission day, unless given
    complete: dt.date    # the last day covered completely (`end`, or the day before when `end` is today)
    today: dt.date       # today in the organisation's time zone, or the day of the last fetch when earlier


def data_span(standards: Standards, inspections: Iterable[Inspection], as_of: dt.date | None = None,
              today: dt.date | None = None, last_fetch: dt.datetime | None = None
              ) -> tuple[DataSpan, list[Inspection]]:
    """The span of `inspections` and those it keeps (dated on or before its end), in their given order.

    `as_of` (default: the latest submission day, `data_end`) ends the data; `today` (default: now in the
    organisation's time zone) decides whether that last day is still running. `last_fetch` (the store's
    newest fetch, aware) caps `today`: a day is complete only if it ended before the data was last fetched,
    so a day the fetch caught barely started is never counted as missed however much later the build runs."""
    inspections = list(inspections)
    zone = ZoneInfo(standards.organisation.timezone)
    today = today or dt.datetime.now(zone).date()
    if last_fetch is not None:
        stamp = last_fetch if last_fetch.tzinfo else last_fetch.replace(tzinfo=dt.timezone.utc)
        today = min(today, stamp.astimezone(zone).date())
    end = as_of or data_end(inspections, today)
    kept = [i for i in inspections if i.date <= end]
    start = min((i.date for i in kept), default=end)
    return DataSpan(start, end, complete_until(end, today), today), kept


def span_patrols(standards: Standards, kept: Iterable[Inspection], span: DataSpan) -> list[PatrolPeriod]:
    """`patrol_compliance` over the span: the patrol periods the site and `handbook export` both show."""
    return patrol_compliance(standards, kept, span.start, span.end, complete=span.complete)


def patrol_compliance(standards: Standards, inspections: Iterable[Inspection],
                      start: dt.date, end: dt.date, *, complete: dt.date | None = None) -> list[PatrolPeriod]:
    """For every active project, role with a required frequency and period in [start, end] (and in the
    project's `since`/`until` when set: outside them nothing is required; periods cut by them are partial).

    A role's data starts at the first inspection of a checklist the role fills (not before `start`);
    periods reaching before that, or past `complete` (default `end`), are partial: never missed.
    """
    org = standards.organisation
    complete = end if complete is None else complete
    inspections = list(inspections)
    counts: Counter = Counter()
    first_of_checklist: dict[str, dt.date] = {}
    for insp in inspections:
        counts[(insp.project, insp.role, insp.date)] += 1
        seen = first_of_checklist.get(insp.checklist)
        if seen is None or insp.date < seen:
            first_of_checklist[insp.checklist] = insp.date
    by_day: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for (project, role, day), n in counts.items():
        by_day[(project, role)][day] += n
    out = []
    working, holidays = set(org.working_days), set(org.holidays)
    for role in org.roles:
        if not role.patrols:
            continue
        firsts = [d for c, d in first_of_checklist.items()
                  if c in standards.checklists and role.id in standards.checklists[c].roles]
        role_start = max(start, min(firsts)) if firsts else start
        periods = list(_periods(role.patrols.per, role_start, end, working, holidays))
        for project in org.projects:
            if not project.active:
                continue
            # nothing is required outside the project's own dates (taken over / handed back mid-period)
            since = max(role_start, project.since) if project.since else role_start
            until = min(complete, project.until) if project.until else complete
            last_day = min(end, project.until) if project.until else end
            days = by_day.get((project.id, role.id), Counter())
            # cumulative counts over the sorted days: a period's count is two bisections, not a scan
            ordered = sorted(days)
            running = [0]
            for d in ordered:
                running.append(running[-1] + days[d])
            for label, first, last in periods:
                if last < since or first > last_day:
                    continue
                done = running[bisect_right(ordered, last)] - running[bisect_left(ordered, first)]
                covered = None
                if first < since or last > until:
                    covered = (max(first, since), min(last, last_day))
                out.append(PatrolPeriod(project.id, role.id, label, first, done, role.patrols.min, last, covered))
    return out


def team_periods(standards: Standards, periods: Iterable[PatrolPeriod]) -> list[PatrolPeriod]:
    """Only the patrols of the project's own team (not the department's sampling)."""
    team = {r.id for r in standards.organisation.roles if r.project_team}
    return [p for p in periods if p.role in team]


def compliance_percent(periods: Iterable[PatrolPeriod]) -> float | None:
    """Σ min(done, required) / Σ required × 100 over the complete periods (partial ones are left out)."""
    periods = [p for p in periods if not p.partial]
    required = sum(p.required for p in periods)
    return None if not required else printed_percent(sum(min(p.done, p.required) for p in periods), required)


# ---------------------------------------------------------------- corrective actions (4.1.3, 4.1.4)
#
# The loop: a finding opens an action (owner, deadline in working days); the project reports the fix
# (整改反馈, `FixReport`); a later inspection that finds the item 符合 verifies it, one that finds it again
# reopens it as a repeat. Timeliness is measured against the fix: the report, an on-the-spot correction,
# or, for an item that is not 红线, a later inspection that found it 符合 before any report.

ON_THE_SPOT, RECHECKED, VERIFIED, REPEATED = "当场纠正", "复查符合", "验证通过", "复发"
OPEN, OVERDUE, REPORTED, CLOSED = "整改中", "逾期未整改", "已整改待验证", "已关闭"


@dataclass(frozen=True)
class FixReport:
    """One 整改反馈: a project says it fixed the action on (project, item) found on `found`."""

    id: str
    project: str
    code: str
    found: dt.date               # 发现日期: which action
    fixed: dt.date               # 整改完成日期
    measure: str = ""            # 整改措施 / 处理意见, as typed
    photo: str = ""              # optional link
    submitted_at: dt.datetime | None = None


def working_day(day: dt.date, working: set[int], holidays: set[dt.date]) -> bool:
    return day.isoweekday() in working and day not in holidays


def add_working_days(day: dt.date, n: int, working: Iterable[int], holidays: Iterable[dt.date]) -> dt.date:
    """The deadline of an action found on `day` with `n` working days to fix: 0 is the end of that working
    day (the next working day when found on a day off); n ≥ 1 is the n-th working day after it."""
    working, holidays = set(working), set(holidays)
    if not working:
        return day + dt.timedelta(days=n)
    if n == 0:
        while not working_day(day, working, holidays):
            day += dt.timedelta(days=1)
        return day
    while n:
        day += dt.timedelta(days=1)
        if working_day(day, working, holidays):
            n -= 1
    return day


def due_date(standards: Standards, opened: dt.date, days: int) -> dt.date:
    org = standards.organisation
    return add_working_days(opened, days, org.working_days, org.holidays)


@dataclass(slots=True)   # a year opens one per finding: no per-instance dict
class Action:
    """A corrective action opened by a finding on (project, item)."""

    project: str
    code: str
    opened: dt.date
    due: dt.date
    opened_by: str                       # inspection id
    findings: int = 0                    # findings seen while open (repeats add up)
    closed: dt.date | None = None
    closed_how: str | None = None        # 当场纠正 / 复查符合 / 验证通过 / 复发
    owner: str = ""                      # responsible role id
    owner_name: str = ""                 # the person the standards name for that role and project ("" if none)
    verifier: str = ""                   # role id that verifies (the department for items only it checks)
    critical: bool = False
    reported: dt.date | None = None      # 整改反馈's date
    report: FixReport | None = None
    repeat_of: str | None = None         # the inspection id that opened the action this one repeats

    @property
    def fixed(self) -> dt.date | None:
        """The day the fix counts from: the report, an on-the-spot correction or a quiet recheck."""
        if self.reported is not None:
            return self.reported
        if self.closed_how in (ON_THE_SPOT, RECHECKED, VERIFIED):
            return self.closed
        return None

    def age(self, as_of: dt.date) -> int:
        return ((self.closed or as_of) - self.opened).days

    def overdue(self, as_of: dt.date) -> bool:
        """Still not fixed (no report, no correction) at `as_of`, past its deadline."""
        return self.fixed is None and self.closed is None and as_of > self.due

    def late(self, as_of: dt.date) -> bool:
        """Fixed after its deadline, or still not fixed past it."""
        fixed = self.fixed
        return fixed > self.due if fixed is not None else (self.closed is None and as_of > self.due)

    def days_late(self, as_of: dt.date) -> int:
        """Calendar days past the deadline (of the fix, or of `as_of` while not fixed); 0 when on time."""
        fixed = self.fixed
        if fixed is None and self.closed is not None:
            return 0
        return max(0, ((fixed or as_of) - self.due).days)

    def status(self, as_of: dt.date) -> str:
        if self.closed is not None:
            return CLOSED
        if self.reported is not None:
            return REPORTED
        return OVERDUE if self.overdue(as_of) else OPEN


def action_owner(standards: Standards, code: str) -> str:
    """The role responsible for fixing `code`: the item's `owner`, its section's, the organisation's
    `action_owner`, else the first project-team role (the project's 客服主管)."""
    item = standards.items.get(code)
    if item is not None and item.owner:
        return item.owner
    section = standards.section_of(code)
    if section is not None and section.clause.owner:
        return section.clause.owner
    org = standards.organisation
    if org.action_owner:
        return org.action_owner
    return next((r.id for r in org.roles if r.project_team), "")


def action_verifier(standards: Standards, code: str) -> str:
    """Who verifies the fix: the department when only roles outside the project team check the item, else
    the project team's own patrols (the owner's role)."""
    item = standards.items.get(code)
    team = {r.id for r in standards.organisation.roles if r.project_team}
    if item is not None and not set(item.roles) & team:
        return item.roles[0]
    return action_owner(standards, code)


def inspection_order(i: Inspection):
    """Inspections in the order they happened: by inspection date, then time (a paper sheet keyed in days
    later takes its place on its date, after that day's online ones), then id."""
    return (i.date, i.submitted_at, i.id)


def corrective_actions(standards: Standards, inspections: Iterable[Inspection],
                       reports: Iterable[FixReport] = (), rejected: list | None = None) -> list[Action]:
    """Open an action per finding; follow it through fix reports and later inspections, in date order.

    - 已当场纠正 closes it on the spot (on time): the finding's own tick, or its section's 是 on the first form
      versions (`corrected_on_site`).
    - A fix report (`reports`) of (project, item, found on the action's date) marks it 已整改待验证 on the
      report's date; a later 符合 verifies it (验证通过); a later finding reopens it as a repeat (复发: the
      action closes, a new one opens).
    - Without a report, a later 符合 closes it (复查符合), except on a 红线 item: each 红线 incident is its
      own action and needs a report with the measure taken.
    `rejected` collects (report, reason) of the reports that match no open action.
    """
    org = standards.organisation
    people = {p.id: dict(p.people) for p in org.projects}
    actions: list[Action] = []
    open_by_key: dict[tuple[str, str], list[Action]] = {}
    by_key: dict[tuple[str, str], list[Action]] = defaultdict(list)
    # rules -> item code -> (item, its section number, owner, verifier), looked up once
    known: dict[int, dict[str, tuple]] = {}
    dues: dict[tuple, dt.date] = {}   # (day found, days to fix) -> deadline: a year has few distinct ones
    plans: dict[tuple[int, int], tuple] = {}
    open_codes: dict[str, set[str]] = {}   # project -> the items with an action open (open_by_key not empty)
    events = [((i.date, 0, i.submitted_at, i.id), i) for i in inspections]
    far = dt.datetime.max.replace(tzinfo=dt.timezone.utc)
    events += [((r.fixed, 1, r.submitted_at or far, r.id), r) for r in reports]
    events.sort(key=lambda e: e[0])
    for _, event in events:
        if isinstance(event, FixReport):
            reason = _apply_report(event, by_key)
            if reason and rejected is not None:
                rejected.append((event, reason))
            continue
        insp = event
        rules = rules_for(standards, insp)   # the deadline of the standards in force on its date
        findings = insp.findings
        # what an answer set asks of the loop, worked out once per set (inspections read from the store share
        # one dict per distinct set): its 符合 items, and its findings in order. Items are independent of each
        # other, so the 符合 answers (they only close what is open on their own item) are taken first.
        plan = plans.get((id(rules), id(findings)))
        if plan is None:
            entries = known.get(id(rules))
            if entries is None:
                entries = known[id(rules)] = {}
            zeros: dict[str, tuple] = {}
            found_list = []
            for code, found in findings.items():
                if found is None:
                    continue
                entry = entries.get(code)
                if entry is None:
                    item = rules.items.get(code)
                    section = standards.section_of(code) if item is not None else None
                    number = section.number if section else getattr(item, "section", None)
                    # an item since removed from the standards opens no action (the pages name actions by item)
                    entry = entries[code] = (item if code in standards.items else None, number,
                                             action_owner(standards, code) if item else "",
                                             action_verifier(standards, code) if item else "")
                if entry[0] is None:
                    continue
                if found == 0:
                    zeros[code] = entry
                else:
                    found_list.append((code, found, entry))
            # the answer set itself is kept with its plan, so its id is never reused while the loop runs
            plan = plans[(id(rules), id(findings))] = (zeros, frozenset(zeros), tuple(found_list), findings)
        zeros, zero_codes, found_list, _ = plan
        project = insp.project
        open_here = open_codes.get(project)
        if open_here:
            # 符合 with nothing open (most answers of a year) has nothing to follow
            for code in zero_codes & open_here:
                item = zeros[code][0]
                key = (project, code)
                for a in open_by_key[key]:
                    if a.reported is not None or not item.critical:
                        a.closed, a.closed_how = insp.date, (VERIFIED if a.reported is not None else RECHECKED)
                still = open_by_key[key] = [a for a in open_by_key[key] if a.closed is None]
                if not still:
                    open_here.discard(code)
        for code, found, entry in found_list:
            item = entry[0]
            key = (project, code)
            # the actions of (project, item) still open: one at most, but each 红线 incident is its own
            still = [a for a in open_by_key.get(key, ()) if a.closed is None]
            repeat_of = None
            for a in still:
                if a.reported is not None and insp.date >= a.reported:
                    # found again after the fix was reported: the fix did not hold
                    a.closed, a.closed_how = insp.date, REPEATED
                    repeat_of = a.opened_by
            still = [a for a in still if a.closed is None]
            action = None if item.critical else next((a for a in still if a.reported is None), None)
            if action is None:
                due = dues.get((insp.date, item.fix_within_days))
                if due is None:
                    due = dues[(insp.date, item.fix_within_days)] = due_date(standards, insp.date, item.fix_within_days)
                action = Action(project, code, insp.date, due,
                                insp.id, owner=entry[2], owner_name=people.get(project, {}).get(entry[2], ""),
                                verifier=entry[3], critical=item.critical, repeat_of=repeat_of)
                actions.append(action)
                by_key[key].append(action)
                still.append(action)
            action.findings += found
            if corrected_on_site(insp.corrected, code, entry[1]):
                action.closed, action.closed_how = insp.date, ON_THE_SPOT
            still = open_by_key[key] = [a for a in still if a.closed is None]
            if still:
                open_codes.setdefault(project, set()).add(code)
            elif open_here:
                open_here.discard(code)
    return actions


def _apply_report(r: FixReport, by_key) -> str:
    """Attach a fix report to its action; the reason it cannot be attached, else ""."""
    fields = dict(project=r.project, code=r.code, found=r.found.isoformat(), fixed=r.fixed.isoformat())
    if r.fixed < r.found:
        return Msg.REPORT_FIXED_BEFORE_FOUND(**fields)
    candidates = [a for a in by_key.get((r.project, r.code), ()) if a.opened == r.found]
    if not candidates:
        return Msg.REPORT_NO_ACTION(**fields)
    action = next((a for a in reversed(candidates) if a.closed is None and a.reported is None), None)
    if action is not None:
        action.reported, action.report = r.fixed, r
        return ""
    # the day's later patrol found it 符合 before the report of that same day was read: the report stands,
    # the patrol verified it
    action = next((a for a in reversed(candidates) if a.closed_how == RECHECKED and a.reported is None
                   and a.closed >= r.fixed), None)
    if action is not None:
        action.reported, action.report, action.closed_how = r.fixed, r, VERIFIED
        return ""
    last = candidates[-1]
    if last.reported is not None:
        return Msg.REPORT_ALREADY_REPORTED(reported=last.reported.isoformat(), **fields)
    return Msg.REPORT_ACTION_CLOSED(how=last.closed_how, closed=last.closed.isoformat(), **fields)


def median_days_to_close(actions: Iterable[Action]) -> float | None:
    days = [(a.fixed - a.opened).days for a in actions if a.fixed]
    return statistics.median(days) if days else None


def due_in(actions: Iterable[Action], start: dt.date, end: dt.date, as_of: dt.date) -> list[Action]:
    """Actions whose deadline fell in [start, end] and is decided at `as_of` (fixed, or the deadline passed)."""
    return [a for a in actions if start <= a.due <= end and (a.fixed is not None or a.closed is not None
                                                              or a.due < as_of)]


def timeliness(actions: Iterable[Action], start: dt.date, end: dt.date, as_of: dt.date) -> tuple[float | None, int]:
    """整改及时率 = actions fixed (reported, corrected on the spot or rechecked) by their deadline ÷ actions
    due in [start, end] (deadline passed or fixed at `as_of`); (%, n due)."""
    due = due_in(actions, start, end, as_of)
    if not due:
        return None, 0
    return printed_percent(sum(1 for a in due if not a.late(as_of)), len(due)), len(due)


# ---------------------------------------------------------------- priorities (4.6.1 b)

@dataclass(frozen=True)
class ParetoRow:
    key: str            # item code or section number
    label: str
    findings: int
    share: float        # % of all findings
    cumulative: float   # cumulative %


def pareto(standards: Standards, inspections: Iterable[Inspection], by: str = "item") -> list[ParetoRow]:
    """Findings counted by item (or by section), largest first, with cumulative share."""
    counts: Counter = Counter()
    for insp in inspections:
        for code, found in insp.findings.items():
            if found and code in standards.items:
                if by == "section":
                    section = standards.section_of(code)
                    counts[section.number if section else code] += found
                else:
                    counts[code] += found
    total = sum(counts.values())
    rows, running = [], 0
    for key, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        running += n
        if by == "section":
            section = next((s for s in standards.sections if s.number == key), None)
            label = section.title if section else key
        else:
            label = standards.items[key].short
        rows.append(ParetoRow(key, label, n, n / total * 100, running / total * 100))
    return rows


# ---------------------------------------------------------------- quarterly assessment (4.6.3)

INCIDENTS_SHOWN = 10    # facts listed under each reason of a suggestion (newest first)


@dataclass(frozen=True)
class Suggestion:
    kind: str           # 奖励意见 / 处罚和改进意见 / 改进意见
    reason: str         # the numbers and the rule behind it
    incidents: tuple[str, ...] = ()   # the facts behind it: dates and items (code and short title), no names


@dataclass(frozen=True)
class ProjectAssessment:
    project: str
    quarter: str
    score: Aggregate
    critical_findings: int      # 红线 incidents (inspections), as everywhere
    patrol_compliance: float | None
    overdue_actions: int
    ranked: bool
    rank: int | None
    suggestions: tuple[Suggestion, ...] = field(default_factory=tuple)
    unranked: str = ""          # why the project has no rank ("" when ranked)
    partial: bool = False       # the quarter is running or the data covers only part of it: no 奖励意见


RANKING_RULE = ("排名规则：先看是否参与排名（本季计入的检查达到规定次数），再按评级（有红线问题的评为{lowest}，"
                "红线否决），"
                "评级相同再按得分率（以显示的一位小数为准）；评级和得分率都相同的项目并列同一名次。")


def ranking_rule(standards: Standards) -> str:
    """The one ranking rule, as the pages state it."""
    return RANKING_RULE.format(lowest=standards.lowest_grade)


def rank_projects(standards: Standards, aggregates: dict[str, Aggregate]) -> dict[str, tuple[int | None, str]]:
    """project -> (rank, why unranked): the one ranking rule of every page.

    Eligibility first (at least `assessment.min_inspections` counted inspections: those with a %), then the
    grade (红线-vetoed: the lowest), then the printed percent; equal grade and percent share a rank
    (1, 1, 3). Unranked projects get the reason instead of a rank."""
    need = standards.organisation.assessment.min_inspections
    order = {g.name: k for k, g in enumerate(sorted(standards.organisation.grades, key=lambda g: -g.min))}
    keys = {p: (order.get(a.grade, len(order)), -a.percent) for p, a in aggregates.items()
            if a.scored >= need and a.percent is not None}
    out: dict[str, tuple[int | None, str]] = {}
    for project, agg in aggregates.items():
        if project in keys:
            out[project] = (1 + sum(1 for k in keys.values() if k < keys[project]), "")
        elif not agg.n:
            out[project] = (None, "本季没有检查")
        else:
            left_out = agg.n - agg.scored
            out[project] = (None, f"本季计入的检查 {agg.scored} 次，少于 {need} 次"
                            + (f"；另有 {left_out} 次没有适用条目，不计入" if left_out else ""))
    return out


def ranked_first(rows, rank=lambda x: x.rank):
    """Rows in rank order (ties and the unranked in the given order, which is the organisation's)."""
    return sorted(rows, key=lambda x: (rank(x) is None, rank(x) or 0))


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


def overdue_in_quarter(actions: Iterable[Action], start: dt.date, end: dt.date, as_of: dt.date) -> list[Action]:
    """Overdue actions counted in the quarter [start, end] their deadline fell in (each once, in one quarter):
    fixed after the deadline (逾期关闭, inside the quarter or later) or still not fixed past it. Whether an
    action was late is decided on its deadline, so a quarter that is over keeps its number."""
    return [a for a in actions if start <= a.due <= end and a.late(as_of)]


def _capped(lines: list[str], unit: str) -> list[str]:
    """The newest INCIDENTS_SHOWN lines, then how many more there are."""
    if len(lines) <= INCIDENTS_SHOWN:
        return lines
    return lines[:INCIDENTS_SHOWN] + [f"……另有 {len(lines) - INCIDENTS_SHOWN} {unit}未列出（共 {len(lines)} {unit}）"]


def _critical_incidents(standards: Standards, scores: list[InspectionScore]) -> list[str]:
    """One line per inspection with a failed 红线 item, newest first."""
    hits = sorted((s for s in scores if s.critical), key=lambda s: (s.inspection.date, s.inspection.submitted_at),
                  reverse=True)
    return [f"{s.inspection.date.isoformat()} · "
            + "、".join(f"{c} {rules_for(standards, s.inspection).items[c].short}" for c in s.critical)
            + "（红线）" for s in hits]


def _overdue_incidents(standards: Standards, actions: list[Action], as_of: dt.date) -> list[str]:
    lines = []
    for a in sorted(actions, key=lambda a: (a.due, a.opened, a.code), reverse=True):
        fixed = a.fixed
        after = (f"{fixed.isoformat()} 才整改" if fixed else f"截至 {as_of.isoformat()} 未整改")
        lines.append(f"{a.due.isoformat()} 到期 · {a.code} {standards.items[a.code].short}"
                     f"（{a.opened.isoformat()} 发现，{after}，逾期 {a.days_late(as_of)} 天）")
    return lines


def _missed_incidents(standards: Standards, periods: list[PatrolPeriod]) -> list[str]:
    order = {r.id: k for k, r in enumerate(standards.organisation.roles)}
    missed = sorted((p for p in periods if p.missed), key=lambda p: (-p.start.toordinal(), order.get(p.role, 0)))
    return [f"{p.period} · {standards.roles[p.role].name}巡查 {p.done}/{p.required} 次" for p in missed]


def _item_incidents(standards: Standards, scores: list[InspectionScore], top: int = 5) -> list[str]:
    """The items that lost the most points, with their findings and latest dates."""
    lost: Counter = Counter()
    found: Counter = Counter()
    dates: dict[str, set] = defaultdict(set)
    for s in scores:
        rules = rules_for(standards, s.inspection)
        for code, n in s.inspection.findings.items():
            item = rules.items.get(code)
            if item is None or not n:
                continue
            earned, possible = item_score(item, n)
            lost[code] += possible - earned
            found[code] += n
            dates[code].add(s.inspection.date)
    lines = []
    for code, points in sorted(lost.items(), key=lambda kv: (-kv[1], kv[0]))[:top]:
        days = sorted(dates[code], reverse=True)
        shown = "、".join(d.isoformat() for d in days[:3]) + ("等" if len(days) > 3 else "")
        short = standards.items[code].short if code in standards.items else code
        lines.append(f"{code} {short}：不符合 {found[code]} 处，扣 {points:g} 分"
                     f"（{len(days)} 天，最近 {shown}）")
    return lines


def assess_quarter(standards: Standards, quarter: str, scores: list[InspectionScore],
                   patrols: list[PatrolPeriod], actions: list[Action], as_of: dt.date, *,
                   partial: bool = False) -> list[ProjectAssessment]:
    """Rank projects and suggest rewards, penalties and improvements by the YAML rules.

    Each suggestion lists the facts behind it. Overdue actions count in the quarter they fell due in.
    `partial`: the quarter is still running or the data covers only part of it: no 奖励意见 then.
    """
    rules = standards.organisation.assessment
    start, end = quarter_bounds(quarter)
    # grouped by project once (in the given order): scanning everything per project is quadratic
    scores_of: dict[str, list[InspectionScore]] = defaultdict(list)
    for s in scores:
        if start <= s.inspection.date <= end:
            scores_of[s.inspection.project].append(s)
    team_of: dict[str, list[PatrolPeriod]] = defaultdict(list)
    for p in team_periods(standards, patrols):
        if start <= p.start <= end:
            team_of[p.project].append(p)
    actions_of: dict[str, list[Action]] = defaultdict(list)
    for a in overdue_in_quarter(actions, start, end, as_of):
        actions_of[a.project].append(a)
    rows = []
    for project in standards.organisation.projects:
        mine = scores_of.get(project.id, [])
        agg = aggregate(standards, mine)
        critical = agg.critical
        team = team_of.get(project.id, [])
        comp = compliance_percent(team)
        late = actions_of.get(project.id, [])
        overdue = len(late)
        pct = agg.percent
        suggestions = []
        r = rules.reward
        if (not partial and agg.scored >= rules.min_inspections and pct is not None and pct >= r.min_percent
                and critical <= r.max_critical and comp is not None and comp >= r.min_patrol_compliance):
            suggestions.append(Suggestion("奖励意见", (
                f"得分率 {_fmt(pct)} ≥ {r.min_percent:g}%，红线问题 {critical} 次 ≤ {r.max_critical}，"
                f"巡查完成率 {_fmt(comp)} ≥ {r.min_patrol_compliance:g}%（n={agg.n}）"),
                tuple(_capped(_critical_incidents(standards, mine), "次") or ["本季没有红线问题"])))
        if critical >= rules.penalty.min_critical:
            suggestions.append(Suggestion("处罚和改进意见", (
                f"本季度红线问题 {critical} 次 ≥ {rules.penalty.min_critical} 次"),
                tuple(_capped(_critical_incidents(standards, mine), "次"))))
        imp, reasons, incidents = rules.improvement, [], []
        if pct is not None and pct < imp.below_percent:
            reasons.append(f"得分率 {_fmt(pct)} < {imp.below_percent:g}%（n={agg.n}）")
            incidents += _item_incidents(standards, mine)
        if comp is not None and comp < imp.patrol_compliance_below:
            reasons.append(f"巡查完成率 {_fmt(comp)} < {imp.patrol_compliance_below:g}%")
            incidents += _capped(_missed_incidents(standards, team), "条")
        if overdue >= imp.min_overdue_actions:
            reasons.append(f"整改逾期 {overdue} 项 ≥ {imp.min_overdue_actions} 项")
            incidents += _capped(_overdue_incidents(standards, late, as_of), "项")
        if reasons:
            suggestions.append(Suggestion("改进意见", "；".join(reasons), tuple(incidents)))
        rows.append(ProjectAssessment(project.id, quarter, agg, critical, comp, overdue,
                                      agg.scored >= rules.min_inspections, None, tuple(suggestions),
                                      partial=partial))
    ranks = rank_projects(standards, {a.project: a.score for a in rows})
    return [ProjectAssessment(**{**a.__dict__, "rank": ranks[a.project][0], "unranked": ranks[a.project][1]})
            for a in rows]
