"""The published results: Markdown pages, CSV downloads and SVG charts under results/.

`build_results` is pure: inspections in, {relative path: content} out.
`write_results` writes that dict into the site's docs folder.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import posixpath
import re
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Sequence
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from ..inspection import Inspection, corrected_by_section, corrected_on_site
from .focus import focus_list
from .scoring import quarter_label
from ..standards import Standards
from ..templating import render
from ..text import public_text, spreadsheet_cell
from . import scoring as sc
from .archive import Archived, ArchiveUpdates, Revision, changes, close_day, rows_json
from .charts import Bar, bar_chart, inline, line_chart
from .weekly import Figure, patrol_figures, weeks_of
from .. import page_urls as urls
from ..forms.prefill import qr_svg

ROOT = "results"
WEEKS_SHOWN = 12           # weeks in trend charts
RESOLVED_SHOWN = 30        # resolved quarantined rows listed on the data-quality page (newest first)
MISSED_SHOWN = 60          # missed patrols listed on the patrol page (newest first; the CSV has them all)
MISSED_SHOWN_PROJECT = 30  # ... and on a project's page
QUARTERS = f"{ROOT}/quarters"   # one assessment page per completed quarter
RECENT_NOTES = 20          # 问题说明 listed on a project page (newest first)
RECENT_WEEKS = 4           # 最近的检查 on a project page: the inspections of the last four weeks, with findings
SELF_CHECK_GAP = 10.0      # 自查 above 抽查 by more than this many 百分点: flagged as lenient self-checks
COMMON_SHOWN = 5           # the company's most common findings on the role pages of the inspected
KNOWLEDGE_SECTION = "4.2.3"  # the procedure's knowledge items, set beside the exam and the questioning
GRID_ITEMS = 10            # 改进重点: items in the item × project grid (the most frequent)
PAGE_SIZE = 25             # projects on one page of a per-project list; the others on pages of their own beside it
ROWS_PAGE = 50             # rows on one page of a list that grows with the company (open actions, inspectors)
PROJECTS_INDEX = f"{ROOT}/projects/index.md"
REDLINE_PAGE = f"{ROOT}/redline.md"
WEEKLY_REPORT = f"{ROOT}/weekly-report.pdf"
DEFINITIONS = f"{ROOT}/definitions.md"     # 指标说明: every figure's one definition, linked from the pages
NAV = [("概览", "results/index.md"), ("红线问题", REDLINE_PAGE), ("项目", PROJECTS_INDEX),
       ("改进重点", "results/priorities.md"), ("巡查完成情况", "results/patrols.md"),
       ("整改跟踪", "results/actions.md"), ("季度考核建议", "results/assessment.md"),
       ("检查人活动", "results/inspectors.md"), ("数据质量", "results/data-quality.md"),
       ("指标说明", DEFINITIONS)]
EMAIL = re.compile(r"[^@\s]+@[^@\s]+")


@dataclass(frozen=True)
class QualityRow:
    """A row or column the data-quality page lists (quarantined rows, unmapped columns)."""

    source: str
    where: str       # row number or column name
    reason: str      # why, never the cell's value (see publish.public_reason)
    seen: str = ""
    resolved: str = ""   # when the row left its source (fixed or deleted there); "" while it is still there
    column: str = ""     # the column the reason is about, when known


def _csv_cell(value):
    return _csv_text(value) if isinstance(value, str) else value


@lru_cache(maxsize=1 << 16)
def _csv_text(value: str) -> str:
    # the downloads repeat the same texts (names, codes, dates, labels) hundreds of thousands of times:
    # each distinct one is cleaned and masked once
    return spreadsheet_cell(public_text(value))


def csv_text(header: Sequence[str], rows: Iterable[Sequence]) -> str:
    """CSV with a BOM so Excel opens the Chinese correctly. Text is published as on the pages (no control
    characters, contacts masked) and cells a spreadsheet would run as formulas start with `'`."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([_csv_cell(c) for c in row] for row in rows)
    return "\ufeff" + buf.getvalue()


NOT_PUBLISHED = "（不公开）"   # a person's name where the standards say `publish_names: false`


def public_name(name: str, allowed: bool) -> str:
    """An inspector's name as published: never an e-mail address (nor a phone number), and only when allowed."""
    if not allowed:
        return NOT_PUBLISHED
    name = public_text(EMAIL.sub("（邮箱已隐藏）", name or "")).strip()
    return name or "（未填写）"


class _Results:
    """Everything computed once and shared by the pages."""

    def __init__(self, s: Standards, inspections: list[Inspection], as_of: dt.date | None, item_url=None,
                 actions: list[sc.Action] | None = None, today: dt.date | None = None,
                 archive: dict[str, Archived] | None = None, fix_links: dict[str, str] | None = None,
                 fix_demo: bool = False, last_fetch: dt.datetime | None = None,
                 reports: Iterable[sc.FixReport] = ()):
        self.s = s
        self.reports = list(reports)            # the store's fix reports: an action's own timeliness
        self.archive = dict(archive or {})      # closed quarters' published assessments (from the store)
        self.updates = ArchiveUpdates()         # what was found to archive or revise
        self.now = dt.datetime.now(dt.timezone.utc)
        self.fix_links = fix_links or {}        # project -> the fix-report form with the project chosen
        self.fix_demo = fix_demo                # the links are the demo lock's made-up forms
        self.item_url = item_url or _default_item_url(s)
        ordered = sorted(inspections, key=lambda i: (i.date, i.submitted_at, i.id))
        # the data covers [start, as_of]; as_of itself only in part when it is today (the day is still
        # running): the same span and patrol periods as `handbook export` (`sc.data_span`, `sc.span_patrols`)
        self.span, kept = sc.data_span(s, ordered, as_of, today, last_fetch)
        self.as_of, self.start, self.today, self.complete = (self.span.end, self.span.start, self.span.today,
                                                              self.span.complete)
        if len(kept) != len(ordered):
            actions = None   # computed for every inspection: not these
        self.inspections = kept
        self.scores = sc.score_inspections(s, self.inspections)
        self.patrols = sc.span_patrols(s, self.inspections, self.span)
        self.team_patrols = sc.team_periods(s, self.patrols)
        self.actions = actions if actions is not None else sc.corrective_actions(s, self.inspections, self.reports)
        self.week = sc.week_start(self.as_of)
        self.weeks = sorted({sc.week_start(i.date) for i in self.inspections} | {self.week})
        self.quarter = sc.quarter_of(self.as_of)
        self.project_names = {p.id: p.name for p in s.organisation.projects}
        self.role_names = {r.id: r.name for r in s.organisation.roles}
        # Indexes by project (each list in the order of the whole): with hundreds of projects, pages
        # that filter the whole year per project and week would take minutes.
        self.scores_by_project: dict[str, list[sc.InspectionScore]] = defaultdict(list)
        for x in self.scores:
            self.scores_by_project[x.inspection.project].append(x)
        self._dates = {None: [x.inspection.date for x in self.scores]}
        for project, xs in self.scores_by_project.items():
            self._dates[project] = [x.inspection.date for x in xs]
        self.inspections_by_project: dict[str, list[Inspection]] = defaultdict(list)
        for i in self.inspections:
            self.inspections_by_project[i.project].append(i)
        self.patrols_by_project: dict[str, list[sc.PatrolPeriod]] = defaultdict(list)
        for x in self.patrols:
            self.patrols_by_project[x.project].append(x)
        self.team_by_project: dict[str, list[sc.PatrolPeriod]] = defaultdict(list)
        for x in self.team_patrols:
            self.team_by_project[x.project].append(x)
        self.actions_by_project: dict[str, list[sc.Action]] = defaultdict(list)
        for a in self.actions:
            self.actions_by_project[a.project].append(a)
        self._week_aggs: dict[tuple, sc.Aggregate] = {}
        self._row_heads: dict[tuple, tuple] = {}
        self._row_tails: dict[tuple, tuple] = {}
        # 自查 (the project's own team) and 抽查 (inspecting roles outside the team: the department)
        self.team_roles = {x.id for x in s.organisation.roles if x.project_team}
        self.spot_roles = {x.id for x in s.organisation.roles if x.inspects and not x.project_team}
        self.actions_by_key: dict[tuple[str, str], list[sc.Action]] = defaultdict(list)
        for a in self.actions:
            self.actions_by_key[(a.project, a.code)].append(a)
        # item code -> indexes of the sections listing it
        self.section_slot: dict[str, tuple[int, ...]] = {}
        for k, section in enumerate(s.sections):
            for code in {i.code for i in section.items}:
                self.section_slot[code] = self.section_slot.get(code, ()) + (k,)

    def inspection_row(self, x: sc.InspectionScore) -> list:
        """A row of a project's inspections CSV (dates, names and score cells repeat: each formatted once)."""
        i = x.inspection
        head = self._row_heads.get((i.date, i.checklist, i.role))
        if head is None:
            head = self._row_heads[(i.date, i.checklist, i.role)] = (
                i.date.isoformat(), self.s.checklists[i.checklist].title if i.checklist in self.s.checklists
                else i.checklist, self.role_names.get(i.role, i.role))
        tail_key = (x.earned, x.possible, x.grade, x.findings, x.critical)
        tail = self._row_tails.get(tail_key)
        if tail is None:
            tail = self._row_tails[tail_key] = (_n(x.earned), _n(x.possible), _p(x.percent), x.grade, x.findings,
                                                " ".join(x.critical))
        t = i.submitted_at
        return [head[0], f"{t.year:04d}-{t.month:02d}-{t.day:02d} {t.hour:02d}:{t.minute:02d}", head[1], head[2],
                *tail]

    def name(self, project: str) -> str:
        return self.project_names.get(project, project)

    def scores_in(self, start: dt.date, end: dt.date, project: str | None = None):
        # scores are in date order (inspections sorted by date first): bisect instead of scanning
        xs = self.scores if project is None else self.scores_by_project.get(project, [])
        dates = self._dates.get(project, [])
        return xs[bisect_left(dates, start):bisect_right(dates, end)]

    def week_agg(self, monday: dt.date, project: str | None = None) -> sc.Aggregate:
        key = (monday, project)
        if key not in self._week_aggs:
            # the whole company (project None) is never 红线-vetoed: its grade is its percent's band
            self._week_aggs[key] = sc.aggregate(self.s, self.scores_in(monday, monday + dt.timedelta(days=6),
                                                                       project), veto=project is not None)
        return self._week_aggs[key]

    def open_actions(self, project: str | None = None):
        actions = self.actions if project is None else self.actions_by_project.get(project, [])
        return [a for a in actions if a.closed is None]

    def covered(self, first: dt.date, last: dt.date) -> tuple[dt.date, dt.date] | None:
        """The part of [first, last] the data covers when that is not all of it (a partial period), else None."""
        if first < self.start or last > self.complete:
            return max(first, self.start), min(last, self.as_of)
        return None

    def item_link(self, code: str, depth: int) -> str:
        """Link from a page `depth` folders below the docs root to an item's anchor."""
        return "../" * depth + self.item_url(code)

    def section_number(self, code: str) -> str | None:
        section = self.s.section_of(code)
        return section.number if section else None

    def action_of(self, i: Inspection, code: str) -> sc.Action | None:
        """The corrective action a finding of `code` in `i` opened or joined (None when there is none)."""
        candidates = self.actions_by_key.get((i.project, code), [])
        for a in candidates:
            if a.opened_by == i.id:
                return a
        joined = [a for a in candidates if a.opened <= i.date and (a.closed is None or a.closed >= i.date)]
        return joined[-1] if joined else None

    def action_state(self, a: sc.Action | None) -> str:
        if a is None:
            return "—"
        if a.closed is not None:
            return f"已关闭（{a.closed_how}，{_md_day(a.closed)}）"
        if a.reported is not None:
            return f"已整改待验证（{_md_day(a.reported)} 反馈，期限 {_md_day(a.due)}）"
        if a.overdue(self.as_of):
            return f"逾期未整改（期限 {_md_day(a.due)}）"
        return f"整改中（期限 {_md_day(a.due)}）"

    def fix_report_url(self, project: str) -> str:
        """The fix-report form with the project chosen ("" before the form is pushed)."""
        return self.fix_links.get(project, "")

    def owner(self, a: sc.Action) -> str:
        """The action's owner as published: the role, and the person the standards name when names are public."""
        role = self.role_names.get(a.owner, a.owner) or "—"
        if a.owner_name and self.s.organisation.publish_names:
            return f"{role}（{public_name(a.owner_name, True)}）"
        return role

    def verifier(self, a: sc.Action) -> str:
        return self.role_names.get(a.verifier, a.verifier) or "—"

    def todo(self, project: str) -> list[sc.Action]:
        """本周要做: the project's actions not yet fixed (overdue first, then by deadline), then those
        reported and waiting for verification."""
        open_ = [a for a in self.open_actions(project)]
        return sorted(open_, key=lambda a: (a.reported is not None, not a.overdue(self.as_of), a.due, a.code))

    def findings_of(self, x: sc.InspectionScore) -> list[dict]:
        """An inspection's findings: item, count, points deducted, the section's note, 当场纠正, action state."""
        i = x.inspection
        out = []
        rules = sc.rules_for(self.s, i)   # points and 红线 of the standards in force on its date
        for code, found in i.findings.items():
            item = rules.items.get(code) if code in self.s.items else None
            if item is None or not found:
                continue
            earned, possible = sc.item_score(item, found)
            number = self.section_number(code)
            note, photo = note_photo(item_note(i, code, number))
            out.append(dict(code=code, short=item.short, found=found, lost=possible - earned,
                            critical=item.critical, note=note, photo=photo,
                            corrected=bool(corrected_on_site(i.corrected, code, number)),
                            # the first form versions asked once per section: shown as the section's answer
                            corrected_section=corrected_by_section(i.corrected, code, number),
                            state=self.action_state(action := self.action_of(i, code)),
                            measure=action.report.measure if action is not None and action.report else "",
                            report_photo=(photo_link(action.report.photo)
                                          if action is not None and action.report else "")))
        return sorted(out, key=lambda f: (not f["critical"], list(self.s.items).index(f["code"])))

    def incidents(self, start: dt.date, end: dt.date, project: str | None = None) -> list[dict]:
        """红线 incidents (inspections with a failed 红线 item) in [start, end], newest first, with their findings."""
        hits = [x for x in self.scores_in(start, end, project) if x.critical]
        hits.sort(key=lambda x: (x.inspection.date, x.inspection.submitted_at, x.inspection.id), reverse=True)
        out = []
        for x in hits:
            findings = [f for f in self.findings_of(x) if f["critical"]]
            out.append(dict(x=x, findings=findings, notes=self.section_notes(x.inspection, findings)))
        return out

    def section_notes(self, i: Inspection, findings: list[dict]) -> list[tuple[str, str]]:
        """(section, text) of the 问题说明 of the sections of `findings` that name no item: the section's own
        note, shown as such (an old form's note, or the text before the first item code)."""
        out = []
        for number in dict.fromkeys(self.section_number(f["code"]) for f in findings):
            if number:
                rest = split_note(i.notes.get(number) or "")[1]
                if rest:
                    out.append((number, rest))
        return out

    def self_vs_spot(self, start: dt.date, end: dt.date, project: str) -> dict:
        """自查 (project team) and 抽查 (department) in [start, end] on the same items (those both checklists
        check: `common_items`), each pooled with its number of inspections, and the gap in 百分点; flagged
        as lenient self-checks above `SELF_CHECK_GAP` when there were at least `min_spot_checks` spot checks."""
        xs = self.scores_in(start, end, project)
        own = _pooled_on(self.s, [x for x in xs if x.inspection.role in self.team_roles], self.common_items)
        spot = _pooled_on(self.s, [x for x in xs if x.inspection.role in self.spot_roles], self.common_items)
        gap = None if own.percent is None or spot.percent is None else sc.printed(own.percent - spot.percent)
        return dict(own=own, spot=spot, gap=gap, min_spot=self.min_spot,
                    flagged=gap is not None and gap > SELF_CHECK_GAP and spot.n >= self.min_spot)

    @property
    def common_items(self) -> frozenset[str]:
        """The items both the project teams' checklists and the department's check (like with like)."""
        if not hasattr(self, "_common"):
            def items_of(roles):
                return {i.code for c in self.s.checklists.values() if set(c.roles) & roles
                        for i in self.s.checklist_items(c.id)}
            self._common = frozenset(items_of(self.team_roles) & items_of(self.spot_roles))
        return self._common

    @property
    def min_spot(self) -> int:
        return self.s.organisation.assessment.min_spot_checks


@dataclass(frozen=True)
class Sample:
    """Inspections pooled on some items: percent = Σ earned ÷ Σ possible on those items, n inspections."""

    percent: float | None
    n: int


def _pooled_on(s: Standards, xs: Sequence[sc.InspectionScore], codes: frozenset[str]) -> Sample:
    earned = possible = 0.0
    n = 0
    for x in xs:
        seen = False
        for code, found in x.inspection.findings.items():
            if code in codes and found is not None:
                e, p = sc.item_score(s.items[code], found)
                earned, possible, seen = earned + e, possible + p, True
        n += seen
    return Sample(sc.percent(earned, possible), n)


def build_results(s: Standards, inspections: Iterable[Inspection], *, as_of: dt.date | None = None,
                  quarantine: Sequence[QualityRow] = (), unmapped: Sequence[QualityRow] = (),
                  item_url=None, actions: list[sc.Action] | None = None,
                  today: dt.date | None = None, archive: dict | None = None,
                  fix_links: dict[str, str] | None = None,
                  last_fetch: dt.datetime | None = None) -> dict[str, str]:
    """Return {path under the docs folder: text} for every results page, CSV and chart.

    `actions`: `corrective_actions` of these same inspections when the caller has them already.
    `today`: the date in the organisation's time zone (default: now); data ending today is still running.
    """
    return build_results_and_overview(s, inspections, as_of=as_of, quarantine=quarantine, unmapped=unmapped,
                                      item_url=item_url, actions=actions, today=today, archive=archive,
                                      fix_links=fix_links, last_fetch=last_fetch)[0]


def build_results_and_overview(s: Standards, inspections: Iterable[Inspection], *, as_of: dt.date | None = None,
                               quarantine: Sequence[QualityRow] = (), unmapped: Sequence[QualityRow] = (),
                               item_url=None, actions: list[sc.Action] | None = None,
                               today: dt.date | None = None, replaced: Sequence[QualityRow] = (),
                               archive: dict | None = None, fix_links: dict[str, str] | None = None,
                               fix_demo: bool = False, last_fetch: dt.datetime | None = None,
                               reports: Iterable[sc.FixReport] = ()):
    """`build_results`, and an `Overview` that renders the overview again with more figures (other
    instruments' satisfaction and exam figures) and writes the weekly report PDF. `replaced`: the
    inspections resubmissions replaced (listed on the data-quality page); `fix_links`: the fix-report
    form per project (`fix_demo`: the demo lock's); `last_fetch`: the store's newest fetch (caps today)."""
    r = _Results(s, list(inspections), as_of, item_url, actions, today, archive, fix_links, fix_demo, last_fetch,
                 reports)
    files: dict[str, str] = {}
    overview = Overview(r)
    files.update(overview.pages(()))
    for project in s.organisation.projects:
        _project_page(r, project.id, files)
    _projects_index(r, files)
    _redline(r, files)
    _priorities(r, files)
    _patrols(r, files)
    _actions(r, files)
    _assessment(r, files)
    _inspectors(r, files)
    _quality(r, quarantine, unmapped, files, replaced)
    _weekly_archive(r, files)
    files[DEFINITIONS] = render("results/definitions.md.j2", r=r, bands=_bands(r), gap_limit=SELF_CHECK_GAP,
                                roles=[x for x in r.s.organisation.roles if x.project_team])
    return files, overview


@dataclass(frozen=True)
class Pager:
    """Where one page of a list split into pages of `PAGE_SIZE` stands (the `pager` macro shows it as
    上一页/下一页; nothing while the list fits one page): a page's size never grows with the company."""

    page: int
    pages: int
    first: int      # the number of the page's first row (from 1)
    last: int
    total: int
    prev: str       # the previous page's file name, a link beside this one ("" on the first)
    next: str       # the next page's ("" on the last)
    home: str = ""  # the first page's file name


def paged(path: str, rows: Sequence, size: int | None = None) -> list[tuple[str, list, Pager]]:
    """`rows` split into pages of `size` (default `PAGE_SIZE`): (docs path, its rows, its `Pager`) per page,
    the first at `path` (one page, at `path`, for an empty list)."""
    size = size or PAGE_SIZE
    chunks = [list(rows[k:k + size]) for k in range(0, len(rows), size)] or [[]]

    def name(page: int) -> str:
        return posixpath.basename(urls.list_page(path, page))

    out = []
    for page, chunk in enumerate(chunks, 1):
        start = (page - 1) * size
        out.append((urls.list_page(path, page), chunk,
                    Pager(page, len(chunks), start + 1, start + len(chunk), len(rows),
                          name(page - 1) if page > 1 else "", name(page + 1) if page < len(chunks) else "",
                          name(1))))
    return out


def write_results(files: dict[str, str], docs_dir: Path) -> None:
    """Write the output of `build_results` under `docs_dir`, replacing the old results."""
    import shutil

    target = docs_dir / ROOT
    if target.exists():
        shutil.rmtree(target)
    for rel, text in files.items():
        path = docs_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


# ---------------------------------------------------------------- pages

def _ranking_rows(r: _Results, monday: dt.date):
    """The overview's rows: the report week (`monday`) per project, and the quarter ranked by the one rule
    (`scoring.rank_projects`)."""
    prev = monday - dt.timedelta(days=7)
    sunday = monday + dt.timedelta(days=6)
    q_start, q_end = sc.quarter_bounds(r.quarter)
    rows = []
    for p in r.s.organisation.projects:
        week, last = r.week_agg(monday, p.id), r.week_agg(prev, p.id)
        quarter = sc.aggregate(r.s, r.scores_in(q_start, q_end, p.id))
        comp = sc.compliance_percent(x for x in r.team_by_project.get(p.id, []) if monday <= x.start <= sunday)
        delta = None if week.percent is None or last.percent is None else sc.printed(week.percent - last.percent)
        open_ = r.open_actions(p.id)
        rows.append(dict(id=p.id, name=p.name, week=week, quarter=quarter, delta=delta, compliance=comp,
                         open=len(open_), overdue=sum(1 for a in open_ if a.overdue(r.as_of))))
    ranks = sc.rank_projects(r.s, {x["id"]: x["quarter"] for x in rows})
    for row in rows:
        row["rank"], row["unranked"] = ranks[row["id"]]
    return sc.ranked_first(rows, rank=lambda x: x["rank"])


def html_href(target: str, from_page: str) -> str:
    """A raw-HTML link between two docs paths (MkDocs rewrites Markdown links only): directory URLs."""
    url = urls.page_url(target) if target.endswith(".md") else target
    rel = posixpath.relpath(url or ".", urls.page_url(from_page) or ".")
    if target.endswith(".md"):
        rel = "./" if rel == "." else rel.rstrip("/") + "/"
    return rel


class Overview:
    """The overview page (本周概览 and the ranking) and the weekly report, re-rendered with added figures."""

    PAGE = f"{ROOT}/index.md"

    def __init__(self, r: _Results):
        self.r = r
        # the report week is the last complete week; the running week is only shown apart, labelled partial
        self.this_week, self.last_week = weeks_of(r.as_of, r.complete, r.start)
        self.week_page = f"{ROOT}/weeks/{self.this_week.label}.md"
        self.week_note = partial_note(r.covered(self.this_week.monday, self.this_week.monday + dt.timedelta(days=6)))
        self.figures = patrol_figures(r.s, r.scores_in(self.last_week.monday, r.as_of), r.team_patrols,
                                      r.actions, r.as_of, week_page=self.week_page,
                                      weeks=(self.this_week, self.last_week)) if r.scores else []
        self.running = None
        if r.week > self.this_week.monday:
            sunday = r.week + dt.timedelta(days=6)
            self.running = dict(monday=r.week, label=sc.week_label(r.week), agg=r.week_agg(r.week),
                                note=partial_note(r.covered(r.week, sunday)) or "（进行中）",
                                incidents=len(r.incidents(r.week, sunday)))
        self.rows = _ranking_rows(r, self.this_week.monday)

    def pages(self, extra: Sequence[Figure], *, report: bool = False,
              more: Sequence[tuple[str, str]] = ()) -> dict[str, str]:
        """results/index.md and the ranking CSV and chart; `report`: link the weekly report PDF; `more`:
        (title, docs path) of other instruments' results pages, listed under 更多."""
        r, files = self.r, {}
        rows = self.rows
        files[f"{ROOT}/csv/overview.csv"] = csv_text(
            ["排名", "项目", "本周得分率", "本周评级", "本周检查次数", "本周红线(次)", "环比(百分点)", "本季得分率",
             "本季评级", "本季计入检查次数", "本季红线(次)", "本周巡查完成率", "未整改", "逾期", "未排名原因"],
            [[x["rank"] or "", x["name"], _p(x["week"].percent), x["week"].grade or "", x["week"].n,
              x["week"].critical, _d(x["delta"]), _p(x["quarter"].percent), x["quarter"].grade or "",
              x["quarter"].scored, x["quarter"].critical, _p(x["compliance"]), x["open"], x["overdue"],
              x["unranked"]] for x in rows])
        company = [r.week_agg(w) for w in r.weeks[-WEEKS_SHOWN:]]
        labels = [week_short(w) for w in r.weeks[-WEEKS_SHOWN:]]
        # a week the data covers only in part (the running one, the first) is labelled so in the table
        rows_labels = [label + ("（部分）" if r.covered(w, w + dt.timedelta(days=6)) else "")
                       for label, w in zip(labels, r.weeks[-WEEKS_SHOWN:])]
        chart = line_chart(f"全公司每周得分率（近 {len(labels)} 周，%）", labels, [a.percent for a in company],
                           _bands(r), marks=[bool(a.critical) for a in company])
        files[f"{ROOT}/charts/company-trend.svg"] = chart
        figures = [f for f in [*self.figures, *extra] if not f.project]
        # the ranking in pages of PAGE_SIZE projects; the company's figures on each, its trend on the first
        for path, chunk, pager in paged(self.PAGE, rows):
            files[path] = render(
                "results/overview.md.j2", r=r, rows=chunk, pager=pager, week=self.this_week, last_week=self.last_week,
                week_note=self.week_note, running=self.running, ranking_rule=sc.ranking_rule(r.s),
                min_inspections=r.s.organisation.assessment.min_inspections,
                n_quarter=len(r.scores_in(*sc.quarter_bounds(r.quarter))),
                figures=[(f, html_href(f.link, path)) for f in figures], chart=inline(chart),
                trend=list(zip(rows_labels, company)), nav=NAV,
                archive=[sc.week_label(w) for w in reversed(r.weeks)],
                more=[(title, path[len(ROOT) + 1:]) for title, path in more],
                report="weekly-report.pdf" if report else "", quarter_name=quarter_label(r.quarter),
                n_incidents=len(r.incidents(*sc.quarter_bounds(r.quarter))))
        self.all_figures = figures
        return files

    def report_html(self, extra: Sequence[Figure]) -> str:
        """The A4 weekly report for the 品质例会 (HTML for WeasyPrint): overview, 红线, worst items,
        projects below 合格, overdue actions."""
        r = self.r
        this = self.this_week
        incidents = r.incidents(this.monday, this.sunday)
        week_scores = r.scores_in(this.monday, this.sunday)
        worst = sc.pareto(r.s, [x.inspection for x in week_scores])
        critical_codes = {c for c, i in r.s.items.items() if i.critical}
        worst = sorted(worst, key=lambda t: (t.key not in critical_codes, -t.findings, t.key))[:8]
        lowest = r.s.lowest_grade
        below = [x for x in self.rows if x["week"].grade == lowest]
        overdue = sorted((a for a in r.open_actions() if a.overdue(r.as_of)), key=lambda a: (a.due, a.project))
        week_late = [a for a in sc.overdue_in_quarter(r.actions, this.monday, this.sunday, r.as_of)
                     if a.fixed is not None]
        q_start, q_end = sc.quarter_bounds(r.quarter)
        satisfaction = {f.project: f for f in extra if f.project and f.link == "results/satisfaction.md"}
        projects = [dict(x, satisfaction=satisfaction.get(x["id"])) for x in self.rows]
        return render("results/weekly_report.html", r=r, week=this, week_note=self.week_note,
                      figures=[f for f in [*self.figures, *extra] if not f.project],
                      incidents=incidents, worst=worst, critical_codes=critical_codes, below=below,
                      overdue=overdue, week_late=week_late, lowest=lowest, quarter_name=quarter_label(r.quarter),
                      quarter_incidents=len(r.incidents(q_start, q_end)), day=_md_day,
                      pass_grade=_pass_grade(r.s), projects=projects, decisions=meeting_effects(r),
                      blank_rows=DECISION_ROWS, satisfaction_label=next(iter(satisfaction.values())).label
                      if satisfaction else "")

    def sources_block(self, extra: Sequence[Figure]) -> str:
        """The projects' overview section setting side by side what each source says of a project: the
        other instruments' project figures (random questioning, the exam, satisfaction) and the inspections'
        score on the knowledge items (4.2.3) this quarter."""
        r = self.r
        q_start, q_end = sc.quarter_bounds(r.quarter)
        codes = frozenset(i.code for section in r.s.sections if section.number == KNOWLEDGE_SECTION
                          for i in section.items)
        labels = list(dict.fromkeys(f.label for f in extra if f.project))
        labels.sort(key=lambda label: "满意度" in label)     # the knowledge sources first
        by = {(f.label, f.project): f for f in extra if f.project}
        rows = []
        for p in r.s.organisation.projects:
            items = _pooled_on(r.s, r.scores_in(q_start, q_end, p.id), codes) if codes else None
            rows.append(dict(name=p.name, id=p.id, knowledge=items, cells=[by.get((label, p.id)) for label in labels]))
        title = next((section.title for section in r.s.sections if section.number == KNOWLEDGE_SECTION), "")
        return render("results/sources.md.j2", rows=rows, labels=labels, section=KNOWLEDGE_SECTION,
                      title=title, quarter=quarter_label(r.quarter), has_items=bool(codes))

    def assessment_html(self) -> str:
        """The quarter's assessment (季度考核建议) as an A4 page for WeasyPrint: every column of the site's
        table, the self-check comparison and each suggestion with its grounds, 供客户关系部审定."""
        r = self.r
        q_start, q_end = sc.quarter_bounds(r.quarter)
        rows = sorted(sc.assess_quarter(r.s, r.quarter, r.scores, r.patrols, r.actions, r.as_of),
                      key=lambda a: (a.rank is None, a.rank or 0, a.project))
        complete = q_end <= r.complete
        return render("results/assessment_report.html", r=r, rows=rows, rules=r.s.organisation.assessment,
                      name=quarter_label(r.quarter) + ("" if complete else "（暂定）"), q_start=q_start,
                      q_end=q_end, complete=complete,
                      gaps={a.project: r.self_vs_spot(q_start, q_end, a.project) for a in rows},
                      gap_limit=SELF_CHECK_GAP)


DECISION_ROWS = 5          # empty rows on the weekly report for this meeting's decisions
EFFECT_WEEKS = 4           # a meeting decision's effect: its item's findings this many weeks before and since


def meeting_effects(r: _Results) -> list[dict]:
    """The meeting decisions (methods.yaml `meetings`) followed this week, newest first, each with its effect:
    the share of inspections of its projects that checked its item and found a problem, in the
    `EFFECT_WEEKS` weeks before the meeting and since (a decision without an item has no such figure)."""
    monday = sc.week_start(r.as_of)
    out = []
    for issue in sorted(r.s.methods_file.meetings, key=lambda i: i.date, reverse=True):
        if issue.date > r.as_of or issue.until < monday:
            continue
        row = dict(issue=issue, project="全部项目" if issue.project == "all" else r.name(issue.project),
                   item=r.s.items.get(issue.item) if issue.item else None, before=None, after=None)
        if row["item"] is not None:
            projects = None if issue.project == "all" else {issue.project}

            def share(first: dt.date, last: dt.date):
                checked = [x.inspection.findings[issue.item] for x in r.scores_in(first, last)
                           if (projects is None or x.inspection.project in projects)
                           and x.inspection.findings.get(issue.item) is not None]
                return (sum(1 for f in checked if f), len(checked)) if checked else None
            row["before"] = share(issue.date - dt.timedelta(weeks=EFFECT_WEEKS), issue.date - dt.timedelta(days=1))
            row["after"] = share(issue.date, r.as_of)
        out.append(row)
    return out


def _pass_grade(s: Standards) -> str:
    """The grade just above the lowest (合格): 'below 合格' means graded the lowest."""
    bands = sorted(s.organisation.grades, key=lambda g: g.min)
    return bands[1].name if len(bands) > 1 else bands[0].name


def _project_page(r: _Results, project: str, files):
    weeks = r.weeks[-WEEKS_SHOWN:]
    series = [(week_short(w), r.week_agg(w, project)) for w in weeks]
    trend = files[f"{ROOT}/charts/{project}-trend.svg"] = line_chart(
        f"{r.name(project)} 每周得分率（近 {len(series)} 周，%）", [lab for lab, _ in series],
        [a.percent for _, a in series], _bands(r), marks=[bool(a.critical) for _, a in series])
    own = r.scores_by_project.get(project, [])
    mine = [x.inspection for x in own]
    q_start, q_end = sc.quarter_bounds(r.quarter)
    quarter_scores = r.scores_in(q_start, q_end, project)
    # one pass over the quarter: per section, sums in the same order as a pass per section
    sums = [[0.0, 0.0, 0] for _ in r.s.sections]
    slot = r.section_slot
    for x in quarter_scores:
        rules = sc.rules_for(r.s, x.inspection)
        for code, found in x.inspection.findings.items():
            ks = slot.get(code)
            if ks and code in rules.items:
                e, p = sc.item_score(rules.items[code], found)
                for k in ks:
                    acc = sums[k]
                    acc[0], acc[1], acc[2] = acc[0] + e, acc[1] + p, acc[2] + (found or 0)
    sections = [dict(number=section.number, title=section.title, percent=sc.percent(earned, possible),
                     findings=findings) for section, (earned, possible, findings) in zip(r.s.sections, sums)]
    top = _critical_first(r, sc.pareto(r.s, [x.inspection for x in quarter_scores]))[:8]
    pareto_chart = ""
    if top:
        pareto_chart = files[f"{ROOT}/charts/{project}-pareto.svg"] = bar_chart(
            f"{r.name(project)} 本季最常见问题（处）", _bars(r, top))
    missed = _newest_first(r, [p for p in r.patrols_by_project.get(project, []) if p.missed])
    open_ = sorted(r.open_actions(project), key=lambda a: a.opened)
    since = sc.week_start(r.as_of) - dt.timedelta(weeks=RECENT_WEEKS - 1)
    recent = [dict(x=x, findings=(f := r.findings_of(x)), notes=r.section_notes(x.inspection, f))
              for x in reversed(r.scores_in(since, r.as_of, project))]
    files[f"{ROOT}/csv/{project}-inspections.csv"] = csv_text(
        ["日期", "提交时间", "检查表", "角色", "得分", "满分", "得分率", "评级", "问题(处)", "红线条目", "问题说明"],
        [r.inspection_row(x) + [_notes_cell(x.inspection)] for x in own])
    notes = [(x.inspection, number, text) for x in reversed(own)
             for number, text in sorted(x.inspection.notes.items()) if text and text.strip()][:RECENT_NOTES]
    # focus_list keeps the project's own inspections and actions: hand it only those
    focus = focus_list(r.s, project, r.inspections_by_project.get(project, []),
                       r.actions_by_project.get(project, []), r.as_of)
    quarters = [(q, quarter_label(q), r.self_vs_spot(*sc.quarter_bounds(q), project)) for q in reversed(_quarters(r))]
    week_end = r.week + dt.timedelta(days=6)
    files[f"{ROOT}/projects/{project}.md"] = render(
        "results/project.md.j2", r=r, project=project, name=r.name(project), series=series, focus=focus,
        todo=r.todo(project), week_red=r.incidents(r.week, week_end, project),
        fix_url=r.fix_report_url(project), fix_qr=_fix_qr(r.fix_report_url(project)),
        sections=sections, top=top, missed=missed[:MISSED_SHOWN_PROJECT], n_missed=len(missed), open=open_,
        recent=recent, n_all=len(mine), since=since, trend_chart=inline(trend),
        pareto_chart=inline(pareto_chart) if pareto_chart else "", quarters=quarters, gap_limit=SELF_CHECK_GAP,
        incidents=r.incidents(q_start, q_end, project), quarter_name=quarter_label(r.quarter),
        critical_codes={c for c, i in r.s.items.items() if i.critical},
        quarter=r.quarter, item_link=lambda code: r.item_link(code, 2), notes=notes,
        section_titles={section.number: section.title for section in r.s.sections})


# an item code: `4.2.2.1-x3`, or four numbers without a suffix (the department's `4.2.3.2`)
_CODE_IN_NOTE = re.compile(r"(?<![\w.])(\d+(?:\.\d+){3}(?:-[a-z][a-z0-9]*)?|\d+(?:\.\d+)+-[a-z][a-z0-9]*)(?![\w.\-])")


def split_note(note: str) -> tuple[dict[str, str], str]:
    """A section's 问题说明 split by the item codes it names: `4.2.2.1-a：未佩戴工牌；4.2.2.1-b：…` gives each
    item its own text; text before the first code (or a note naming none) stays the section's note."""
    note = (note or "").strip()
    hits = list(_CODE_IN_NOTE.finditer(note))
    if not hits:
        return {}, note
    out: dict[str, str] = {}
    for k, m in enumerate(hits):
        end = hits[k + 1].start() if k + 1 < len(hits) else len(note)
        text = note[m.end():end].strip(" ：:，,；;、\n\t")
        out[m.group(1)] = ((out[m.group(1)] + "；" + text) if m.group(1) in out and text
                           else (text or out.get(m.group(1), "")))
    return out, note[:hits[0].start()].strip(" ：:，,；;、\n\t")


def item_note(i: Inspection, code: str, number: str | None) -> str:
    """The note of one finding: only the part of its section's 问题说明 that names its code (never another
    item's note, never the whole section's note)."""
    if not number:
        return ""
    return split_note(i.notes.get(number) or "")[0].get(code, "")


# A photo link typed in a finding's note: http(s) only, up to the first space, quote, bracket or Chinese punctuation.
_PHOTO_LINK = re.compile(r"https?://[^\s<>\"'`()（）\[\]{}|\\^，。；、！？：“”‘’]+", re.I)


def photo_link(url: str) -> str:
    """`url` when it can be published as a link: one http(s) link with a host, nothing a quote or bracket could
    carry out of an attribute, no e-mail address or phone number in it; else ""."""
    url = (url or "").strip()
    m = _PHOTO_LINK.fullmatch(url)
    if not m:
        return ""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not host or public_text(url) != url:
        return ""
    return url


def note_photo(note: str) -> tuple[str, str]:
    """A finding's note and its photo link (the first http(s) link typed in it, taken out of the text); the
    link is "" when there is none, or when it would publish an e-mail address or a phone number (it then stays
    in the text, masked as any note is). Only a link with a host is taken: `javascript:` and the like stay text."""
    m = _PHOTO_LINK.search(note or "")
    if not m:
        return note, ""
    url = m.group(0).rstrip(".,;:!?")
    if not photo_link(url):
        return note, ""
    text = (note[:m.start()] + note[m.start() + len(url):]).strip(" ：:，,；;、。\n\t")
    return text, url


def _fix_qr(url: str) -> str:
    """The fix-report form's QR code (project chosen) as raw HTML for the project page, "" without a form."""
    if not url:
        return ""
    svg = "".join(line for line in qr_svg(url, scale=3).splitlines() if line.strip())
    return f'<div class="hb-qr" role="img" aria-label="整改反馈表二维码">{svg}</div>'


def _notes_cell(i: Inspection) -> str:
    """An inspection's 问题说明 in one CSV cell: `4.2.1：…；4.2.2：…` (text as typed, line breaks kept)."""
    return "；".join(f"{number}：{text}" for number, text in sorted(i.notes.items()) if text and text.strip())


def _priorities(r: _Results, files):
    q_start, q_end = sc.quarter_bounds(r.quarter)
    quarter = [x.inspection for x in r.scores_in(q_start, q_end)]
    by_item = _critical_first(r, sc.pareto(r.s, quarter))
    by_section = sc.pareto(r.s, quarter, by="section")
    charts = {}
    if by_item:
        charts["items"] = files[f"{ROOT}/charts/pareto-items.svg"] = bar_chart(
            "全公司本季问题（按条目，处）", _bars(r, by_item[:12]))
    if by_section:
        charts["sections"] = files[f"{ROOT}/charts/pareto-sections.svg"] = bar_chart(
            "全公司本季问题（按章节，处）", [Bar(f"{t.key} {t.label}", t.findings,
                                            f"{t.findings} 处 · 累计 {t.cumulative:.0f}%") for t in by_section])
    per_project = []
    quarter_by_project: dict[str, list[Inspection]] = defaultdict(list)
    for i in quarter:
        quarter_by_project[i.project].append(i)
    for p in r.s.organisation.projects:
        rows = _critical_first(r, sc.pareto(r.s, quarter_by_project.get(p.id, [])))[:3]
        per_project.append((p, rows))
    critical = {c for c, i in r.s.items.items() if i.critical}
    # each item against the quarter before: findings per 100 inspections (the quarters differ in length)
    p_start, p_end = sc.quarter_bounds(sc.quarter_of(q_start - dt.timedelta(days=1)))
    previous = [x.inspection for x in r.scores_in(p_start, p_end)]
    before = {t.key: t.findings for t in sc.pareto(r.s, previous)}
    change = {}
    for t in by_item:
        now = t.findings / len(quarter) * 100 if quarter else None
        then = before.get(t.key, 0) / len(previous) * 100 if previous else None
        change[t.key] = (now, then, None if now is None or then is None else now - then)
    # item × project: this quarter's findings of the most frequent items in each project, a row per project
    # (the items as columns, so the table's width does not grow with the company)
    grid_items = by_item[:GRID_ITEMS]
    grid = {p.id: [sum(i.findings.get(t.key) or 0 for i in quarter_by_project.get(p.id, [])) for t in grid_items]
            for p in r.s.organisation.projects}
    files[f"{ROOT}/csv/pareto-items.csv"] = csv_text(
        ["条目", "内容", "红线", "问题(处)", "占比"],
        [[t.key, t.label, "是" if t.key in critical else "", t.findings, f"{t.share:.1f}%"] for t in by_item])
    # the projects' rows in pages of PAGE_SIZE; the company's figures on the first
    for path, chunk, pager in paged(f"{ROOT}/priorities.md", per_project):
        files[path] = render(
            "results/priorities.md.j2", r=r, by_item=by_item, by_section=by_section, per_project=chunk,
            pager=pager, change=change, previous_name=quarter_label(sc.quarter_of(p_start)), n_previous=len(previous),
            grid_items=grid_items, grid=grid, quarter=quarter_label(r.quarter), n=len(quarter),
            item_link=lambda code: r.item_link(code, 1), critical=critical,
            charts={k: inline(v) for k, v in charts.items()})


def _critical_first(r: _Results, rows: list[sc.ParetoRow]) -> list[sc.ParetoRow]:
    """改进重点: 红线 items first (each is a failed inspection), then by findings, as `pareto` ordered them."""
    return sorted(rows, key=lambda t: not (t.key in r.s.items and r.s.items[t.key].critical))


def _bars(r: _Results, rows: list[sc.ParetoRow]) -> list[Bar]:
    out = []
    for t in rows:
        critical = t.key in r.s.items and r.s.items[t.key].critical
        out.append(Bar(f"{t.key} {t.label}" + ("（红线）" if critical else ""), t.findings,
                       f"{t.findings} 处 · 占 {t.share:.0f}%" if t.share >= 1 else f"{t.findings} 处 · 占 "
                                                                                 f"{t.share:.1f}%",
                       critical=critical))
    return out


def _projects_index(r: _Results, files):
    q_start, q_end = sc.quarter_bounds(r.quarter)
    rows = []
    for p in r.s.organisation.projects:
        quarter = sc.aggregate(r.s, r.scores_in(q_start, q_end, p.id))
        rows.append(dict(id=p.id, name=p.name, active=p.active, quarter=quarter,
                         gap=r.self_vs_spot(q_start, q_end, p.id)))
    for path, chunk, pager in paged(PROJECTS_INDEX, rows):
        files[path] = render("results/projects.md.j2", r=r, rows=chunk, pager=pager,
                             quarter_name=quarter_label(r.quarter), gap_limit=SELF_CHECK_GAP)


def _redline(r: _Results, files):
    q_start, q_end = sc.quarter_bounds(r.quarter)
    incidents = r.incidents(q_start, q_end)
    every = r.incidents(r.start, r.as_of)
    # one row per incident (the count the link gives), its 红线 items listed in the row
    files[f"{ROOT}/csv/redline.csv"] = csv_text(
        ["日期", "项目", "检查人角色", "红线条目", "内容", "问题(处)", "问题说明", "当场纠正", "整改状态"],
        [[x["x"].inspection.date.isoformat(), r.name(x["x"].inspection.project),
          r.role_names.get(x["x"].inspection.role, x["x"].inspection.role),
          "、".join(f["code"] for f in x["findings"]), "、".join(f["short"] for f in x["findings"]),
          sum(f["found"] for f in x["findings"]),
          "；".join(dict.fromkeys([f["note"] for f in x["findings"] if f["note"]]
                                  + [f"{n} 本节：{t}" for n, t in x["notes"]])),
          "、".join(("是" if f["corrected"] else "否") + ("（本节）" if f["corrected_section"] else "")
                   for f in x["findings"]),
          "；".join(f["state"] for f in x["findings"])] for x in every])
    # the quarter's incidents, newest first, in pages of PAGE_SIZE
    for path, chunk, pager in paged(REDLINE_PAGE, incidents):
        files[path] = render(
            "results/redline.md.j2", r=r, incidents=chunk, n_quarter=len(incidents), pager=pager, n_all=len(every),
            quarter_name=quarter_label(r.quarter), covered=r.covered(q_start, q_end), q_start=q_start, q_end=q_end,
            depth=1, item_link=lambda code: r.item_link(code, 1))


def _newest_first(r: _Results, periods: Iterable[sc.PatrolPeriod]) -> list[sc.PatrolPeriod]:
    """Newest period first; within a period, projects and roles in the organisation's order."""
    projects = {p.id: k for k, p in enumerate(r.s.organisation.projects)}
    roles = {x.id: k for k, x in enumerate(r.s.organisation.roles)}
    return sorted(periods, key=lambda x: (-x.start.toordinal(), projects.get(x.project, 0), roles.get(x.role, 0)))


def _md_day(day: dt.date) -> str:
    return f"{day.month}月{day.day}日"


def partial_note(covered: tuple[dt.date, dt.date] | None) -> str:
    """`（部分：11月1日–11月22日）` for a period the data covers only in part, else ""."""
    return "" if covered is None else f"（部分：{_md_day(covered[0])}–{_md_day(covered[1])}）"


def _period_note(x: sc.PatrolPeriod) -> str:
    if not x.partial:
        return ""
    return "（当天未结束）" if x.start == x.end else partial_note(x.covered)


def _patrols(r: _Results, files):
    days = [r.week + dt.timedelta(days=k) for k in range(7)
            if r.start <= r.week + dt.timedelta(days=k) <= r.as_of]
    daily_roles = [role for role in r.s.organisation.roles if role.patrols and role.patrols.per == "day"]
    grid = []
    first_period: dict[tuple, sc.PatrolPeriod] = {}
    for x in r.patrols:
        first_period.setdefault((x.project, x.role, x.period), x)
    for p in r.s.organisation.projects:
        cells = []
        for day in days:
            parts = []
            for role in daily_roles:
                found = first_period.get((p.id, role.id, day.isoformat()))
                parts.append("—" if found is None else f"{found.done}/{found.required}"
                             + ("（未结束）" if found.partial and found.done < found.required
                                else " ⚠" if found.missed else ""))
            cells.append(" · ".join(parts))
        grid.append((p.name, cells))
    monthly = [x for x in r.patrols if x.role not in {role.id for role in daily_roles}]
    months = sorted({x.period for x in monthly})[-3:]
    first_monthly: dict[tuple, sc.PatrolPeriod] = {}   # (project, month) -> its first period, as a scan finds
    for x in monthly:
        first_monthly.setdefault((x.project, x.period), x)
    month_notes = {}
    for x in monthly:
        month_notes.setdefault(x.period, _period_note(x))
    sampling = [(p.name, [_done_of(first_monthly.get((p.id, m))) for m in months])
                for p in r.s.organisation.projects]
    missed = _newest_first(r, (x for x in r.patrols if x.missed))
    header = ["项目", "角色", "周期", "完成", "要求", "缺少", "说明"]

    def row(x):
        return [r.name(x.project), r.role_names.get(x.role, x.role), x.period, x.done, x.required, x.missed,
                (_period_note(x)[1:-1] + "，不计缺少") if x.partial else ""]
    files[f"{ROOT}/csv/patrols.csv"] = csv_text(header, [row(x) for x in r.patrols])
    files[f"{ROOT}/csv/missed-patrols.csv"] = csv_text(header[:-1], [row(x)[:-1] for x in missed])
    four_weeks = max(r.week - dt.timedelta(days=21), r.start)
    per_project = [(p.name, sc.compliance_percent(x for x in r.team_by_project.get(p.id, [])
                                                  if x.start >= r.week - dt.timedelta(days=21)))
                   for p in r.s.organisation.projects]
    week_end = r.week + dt.timedelta(days=6)
    # each project's rows of the three tables in pages of PAGE_SIZE projects; the missed patrols on the first
    for path, chunk, pager in paged(f"{ROOT}/patrols.md", list(zip(grid, per_project, sampling))):
        files[path] = render(
            "results/patrols.md.j2", r=r, days=days, roles=daily_roles, grid=[g for g, _, _ in chunk], months=months,
            month_notes=month_notes, sampling=[x for _, _, x in chunk], missed=missed[:MISSED_SHOWN],
            n_missed=len(missed), per_project=[x for _, x, _ in chunk], pager=pager,
            four_weeks=(four_weeks, min(r.as_of, week_end)), week_note=partial_note(r.covered(r.week, week_end)))


def _done_of(x: sc.PatrolPeriod | None) -> str:
    return "—" if x is None else f"{x.done}/{x.required}" + (" ⚠" if x.missed else "")


def _actions(r: _Results, files):
    open_ = sorted(r.open_actions(), key=lambda a: (a.reported is not None, not a.overdue(r.as_of), a.due,
                                                    a.opened))
    closed = [a for a in r.actions if a.closed]
    how = Counter(a.closed_how for a in closed)
    q_start, q_end = sc.quarter_bounds(r.quarter)
    rate, n_due = sc.timeliness(r.actions, q_start, q_end, r.as_of)
    late_closed = [a for a in sc.overdue_in_quarter(r.actions, q_start, q_end, r.as_of) if a.fixed is not None]
    files[f"{ROOT}/csv/actions.csv"] = csv_text(
        ["项目", "条目", "内容", "发现日期", "整改期限", "责任人", "验证", "问题(处)", "状态", "整改反馈日期",
         "关闭日期", "关闭方式", "逾期天数"], _action_rows(r))
    # the open actions in pages of ROWS_PAGE, the department's figures on each
    for path, chunk, pager in paged(f"{ROOT}/actions.md", open_, ROWS_PAGE):
        files[path] = render(
            "results/actions.md.j2", r=r, open=chunk, n_open=len(open_), pager=pager, n_closed=len(closed), how=how,
            n_overdue=sum(1 for a in open_ if a.overdue(r.as_of)),
            n_reported=sum(1 for a in open_ if a.reported is not None), rate=rate, n_due=n_due,
            late_closed=len(late_closed), quarter_name=quarter_label(r.quarter),
            median=sc.median_days_to_close(r.actions), item_link=lambda code: r.item_link(code, 1))


def _action_rows(r: _Results) -> list[list]:
    names: dict[str, str] = {}
    shorts: dict[str, str] = {}
    days: dict[dt.date, str] = {}

    def iso(day: dt.date) -> str:
        text = days.get(day)
        if text is None:
            text = days[day] = day.isoformat()
        return text

    rows = []
    for a in r.actions:
        name = names.get(a.project)
        if name is None:
            name = names[a.project] = r.name(a.project)
        short = shorts.get(a.code)
        if short is None:
            short = shorts[a.code] = r.s.items[a.code].short
        rows.append([name, a.code, short, iso(a.opened), iso(a.due), r.owner(a), r.verifier(a), a.findings,
                     a.status(r.as_of), iso(a.reported) if a.reported else "",
                     iso(a.closed) if a.closed else "", a.closed_how or "", a.days_late(r.as_of)])
    return rows


def _quarters(r: _Results) -> list[str]:
    """Every quarter from the data's first to the one holding `as_of`, oldest first."""
    out, day = [], dt.date(r.start.year, (r.start.month - 1) // 3 * 3 + 1, 1)
    while day <= r.as_of:
        out.append(sc.quarter_of(day))
        day = sc.quarter_bounds(out[-1])[1] + dt.timedelta(days=1)
    return out or [r.quarter]


def _archived_rows(r: _Results, quarter: str, closed_on: dt.date, partial: bool) -> list[sc.ProjectAssessment]:
    """A closed quarter's assessment as published: from the inspections submitted by the end of its close day."""
    kept = [i for i in r.inspections if i.submitted_at.date() <= closed_on]
    reports = [x for x in r.reports if _known_by(x, closed_on)]
    if len(kept) == len(r.inspections) and len(reports) == len(r.reports):
        # nothing came later: the build's own figures are those
        return sc.assess_quarter(r.s, quarter, r.scores, r.patrols, r.actions, closed_on, partial=partial)
    q_end = sc.quarter_bounds(quarter)[1]
    scored = {id(x.inspection): x for x in r.scores}   # an inspection's score is its own: not scored again
    scores = [scored[id(i)] for i in kept]
    patrols = sc.patrol_compliance(r.s, kept, r.start, q_end, complete=q_end)
    return sc.assess_quarter(r.s, quarter, scores, patrols, sc.corrective_actions(r.s, kept, reports), closed_on,
                             partial=partial)


def _known_by(report: sc.FixReport, day: dt.date) -> bool:
    """Whether a fix report was in by the end of `day` (submitted then; a report without a submission time
    counts from its fix date)."""
    return (report.submitted_at.date() if report.submitted_at else report.fixed) <= day


def _day_list(days: Iterable[dt.date]) -> str:
    shown = sorted({d.isoformat() for d in days})
    return "、".join(shown[:5]) + ("等" if len(shown) > 5 else "")


def _late_reasons(r: _Results, quarter: str, archived: Archived) -> list[str]:
    """Why a closed quarter's figures moved since it was archived, per project: its inspections keyed in after
    the close day (with their dates), and the change in those keyed in by then (imported later, or withdrawn)."""
    q_start, q_end = sc.quarter_bounds(quarter)
    late: dict[str, list[Inspection]] = defaultdict(list)
    in_time: Counter = Counter()
    for i in r.inspections:
        if q_start <= i.date <= q_end:
            if i.submitted_at.date() > archived.closed_on:
                late[i.project].append(i)
            else:
                in_time[i.project] += 1
    counted = {a.project: a.score.n for a in archived.rows}
    lines = []
    for p in r.s.organisation.projects:
        if late.get(p.id):
            mine = late[p.id]
            lines.append(f"{p.name}：存档后录入本季度的检查 {len(mine)} 次（检查日期 "
                         f"{_day_list(i.date for i in mine)}，"
                         f"录入于 {_day_list(i.submitted_at.date() for i in mine)}）")
        more = in_time[p.id] - counted.get(p.id, 0)
        if more > 0:
            lines.append(f"{p.name}：存档后才导入、按时录入的本季度检查 {more} 次")
        elif more < 0:
            lines.append(f"{p.name}：存档时计入的检查有 {-more} 次已从来源删除或撤回")
    return lines or ["存档后没有录入、导入或撤回本季度的检查：已有记录被修改，或评分标准有变化"]


def _published(r: _Results, quarter: str, current: list[sc.ProjectAssessment], partial: bool, *,
               amend: bool = True) -> Archived:
    """A closed quarter's assessment as published (archived now if it was not yet) with its revisions, one
    more when the data now gives other figures than the latest published: never a silent rewrite.
    `amend=False`: an archive of today is not amended either (a withdrawn source is no later on-time import)."""
    archived = r.archive.get(quarter)
    if archived is None:
        closed_on = close_day(r.s, quarter)
        archived = Archived(quarter, closed_on, r.now, tuple(_archived_rows(r, quarter, closed_on, partial)),
                            new=True)
        r.updates.archives.append(archived)
    elif amend and not archived.revisions and _same_day(r, archived.archived_at):
        # archived earlier today, before the other forms' exports of the same weekly session were imported:
        # what was submitted by the close day joins the archive (never data submitted after it)
        on_time = tuple(_archived_rows(r, quarter, archived.closed_on, partial))
        if rows_json(on_time) != rows_json(archived.rows):
            archived = Archived(quarter, archived.closed_on, archived.archived_at, on_time, new=archived.new,
                                amended_on=r.today)   # said on the quarter's page: never a silent change
            r.updates.amended.append(archived)
    found = changes(archived.latest, current, _p)
    if found:
        revision = Revision(r.today, tuple(current), tuple(found), tuple(_late_reasons(r, quarter, archived)))
        archived = Archived(archived.quarter, archived.closed_on, archived.archived_at, archived.rows,
                            archived.revisions + (revision,), archived.new, amended_on=archived.amended_on)
        r.updates.revisions.append((quarter, revision))
    r.archive[quarter] = archived
    return archived


def _same_day(r: _Results, when: dt.datetime) -> bool:
    """Whether `when` falls on today in the organisation's time zone (`r.now`'s day there)."""
    tz = ZoneInfo(r.s.organisation.timezone)
    return when.astimezone(tz).date() == r.now.astimezone(tz).date()


def _quarter_infos(r: _Results) -> list[dict]:
    """Every quarter of the data, newest first: bounds, whether complete, the part the data covers, whether
    closed (past its close day: its assessment is kept as published)."""
    out = []
    for q in reversed(_quarters(r)):
        q_start, q_end = sc.quarter_bounds(q)
        covered = r.covered(q_start, q_end)
        closed_on = close_day(r.s, q)
        complete = q_end <= r.complete
        out.append(dict(quarter=q, name=quarter_label(q), start=q_start, end=q_end, complete=complete,
                        covered=covered, note=partial_note(covered), closed=complete and r.today > closed_on,
                        closed_on=closed_on))
    return out


def archive_updates(s: Standards, inspections: Iterable[Inspection], archive: dict[str, Archived],
                    today: dt.date | None = None, reports: Iterable[sc.FixReport] = (),
                    only: set[str] | None = None, amend: bool = True) -> ArchiveUpdates:
    """The closed quarters to archive and the revisions to store, given what the store holds (`archive`):
    what `handbook ingest` keeps after each run, so builds only read it. `only`: the closed quarters to
    assess (`archive.quarters_to_assess`; default every closed quarter). `amend=False`: changed figures are
    a revision even in an archive made today (after `handbook sources withdraw`)."""
    r = _Results(s, list(inspections), None, today=today, archive=archive, reports=reports)
    for info in _quarter_infos(r):
        if info["closed"] and (only is None or info["quarter"] in only):
            partial = info["covered"] is not None
            current = sc.assess_quarter(r.s, info["quarter"], r.scores, r.patrols, r.actions, r.as_of,
                                        partial=partial)
            _published(r, info["quarter"], current, partial, amend=amend)
    return r.updates


def _assessment(r: _Results, files):
    """A page per completed quarter under quarters/; assessment.md shows the latest (暂定 while running).

    A quarter past its close day (`archive.close_day`) is shown as archived, with its revisions."""
    archive = _quarter_infos(r)
    completed = [x["quarter"] for x in archive if x["complete"]]
    header = ["排名", "项目", "计入检查次数", "得分率", "评级", "红线问题(次)", "巡查完成率", "逾期整改", "建议",
              "依据",
              "未排名原因"]
    latest_name = quarter_label(r.quarter) + ("" if r.quarter in completed else "（暂定）")
    for info in archive:
        q = info["quarter"]
        latest = q == r.quarter
        if not (info["complete"] or latest):
            continue
        partial = info["covered"] is not None
        rows = sc.assess_quarter(r.s, q, r.scores, r.patrols, r.actions, r.as_of, partial=partial)
        published = _published(r, q, rows, partial) if info["closed"] else None
        if published is not None:
            rows = list(published.rows)
        rows = sc.ranked_first(rows)
        text = csv_text(header, [
            [a.rank or "未排名", r.name(a.project), a.score.scored, _p(a.score.percent), a.score.grade or "",
             a.critical_findings, _p(a.patrol_compliance), a.overdue_actions,
             "；".join(f"{x.kind}：{x.reason}" for x in a.suggestions),
             "；".join(f"{x.kind}：" + "、".join(x.incidents) for x in a.suggestions if x.incidents), a.unranked]
            for a in rows])
        others = [x for x in archive if x["complete"] and x["quarter"] != q]
        gaps = {a.project: r.self_vs_spot(info["start"], info["end"], a.project) for a in rows}
        common = dict(r=r, all_rows=rows, rules=r.s.organisation.assessment, info=info, others=others,
                      latest_name=latest_name, gaps=gaps, gap_limit=SELF_CHECK_GAP, published=published,
                      ranking_rule=sc.ranking_rule(r.s), summary=_quarter_summary(r, rows))
        # the projects in pages of PAGE_SIZE, each page the same department figures and its projects' rows
        if info["complete"]:
            files[f"{ROOT}/csv/assessment-{q}.csv"] = text
            for path, chunk, pager in paged(f"{QUARTERS}/{q}.md", rows):
                files[path] = render(
                    "results/assessment.md.j2", **common, rows=chunk, pager=pager,
                    csv_path=f"../csv/assessment-{q}.csv", latest=False, project_link=lambda p: f"../projects/{p}.md")
        if latest:
            files[f"{ROOT}/csv/assessment.csv"] = text
            for path, chunk, pager in paged(f"{ROOT}/assessment.md", rows):
                files[path] = render(
                    "results/assessment.md.j2", **common, rows=chunk, pager=pager, csv_path="csv/assessment.csv",
                    latest=True, project_link=lambda p: f"projects/{p}.md")


def _quarter_summary(r: _Results, rows: Sequence[sc.ProjectAssessment]) -> dict:
    """The department's figures of a quarter's assessment, on each of its pages: projects, ranked, each
    grade, with 红线 problems, suggestions of each kind."""
    grades = Counter(a.score.grade for a in rows if a.score.grade)
    kinds = Counter(x.kind for a in rows for x in a.suggestions)
    return dict(projects=len(rows), ranked=sum(1 for a in rows if a.rank),
                grades=[(g.name, grades[g.name]) for g in sorted(r.s.organisation.grades, key=lambda g: -g.min)],
                redline=sum(1 for a in rows if a.critical_findings), kinds=list(kinds.items()))


def _inspectors(r: _Results, files):
    allowed = r.s.organisation.publish_names
    groups: dict[tuple, list] = defaultdict(list)
    for x in r.scores:
        i = x.inspection
        key = (public_name(i.inspector, allowed) if allowed else "", r.role_names.get(i.role, i.role), i.project)
        groups[key].append(x)
    rows = [dict(name=k[0], role=k[1], project=r.name(k[2]), n=len(v),
                 last=max(x.inspection.date for x in v), agg=sc.aggregate(r.s, v),
                 findings=sum(x.findings for x in v)) for k, v in sorted(groups.items())]
    header = (["检查人"] if allowed else []) + ["角色", "项目", "检查次数", "最近一次", "平均得分率", "发现问题(处)"]
    files[f"{ROOT}/csv/inspectors.csv"] = csv_text(
        header, [([x["name"]] if allowed else []) + [x["role"], x["project"], x["n"], x["last"].isoformat(),
                                                     _p(x["agg"].percent), x["findings"]] for x in rows])
    for path, chunk, pager in paged(f"{ROOT}/inspectors.md", rows, ROWS_PAGE):
        files[path] = render("results/inspectors.md.j2", r=r, rows=chunk, pager=pager, allowed=allowed)


def _quality(r: _Results, quarantine, unmapped, files, replaced=()):
    unknown = Counter(code for x in r.scores for code in x.unknown_codes)
    still = [q for q in quarantine if not q.resolved]
    resolved = sorted((q for q in quarantine if q.resolved), key=lambda q: q.resolved, reverse=True)
    files[f"{ROOT}/csv/quarantine.csv"] = csv_text(["来源", "行", "列", "原因", "时间"],
                                                   [[q.source, q.where, q.column, q.reason, q.seen] for q in still])
    files[f"{ROOT}/data-quality.md"] = render(
        "results/quality.md.j2", r=r, quarantine=still, utc_offset=_utc_offset(r.s.organisation.timezone),
        resolved=resolved[:RESOLVED_SHOWN], n_resolved=len(resolved), unmapped=list(unmapped),
        unknown=sorted(unknown.items()), replaced=list(replaced))


_NUMERALS = "零一二三四五六七八九十"


def _utc_offset(timezone: str) -> str:
    """`东八区` for Asia/Shanghai (now): which clock the times are on, in the words readers use."""
    offset = dt.datetime.now(ZoneInfo(timezone)).utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    hours, rest = divmod(abs(minutes), 60)
    if rest or hours > 12:
        return f"与格林尼治时间相差 {'+' if minutes >= 0 else '-'}{hours} 小时 {rest} 分"
    if not hours:
        return "零时区"
    name = _NUMERALS[hours] if hours <= 10 else "十" + _NUMERALS[hours - 10]
    return f"{'东' if minutes > 0 else '西'}{name}区"


def _weekly_archive(r: _Results, files):
    team_weeks: dict[tuple, list[sc.PatrolPeriod]] = defaultdict(list)   # (project, week) -> its periods
    for x in r.team_patrols:
        team_weeks[(x.project, sc.week_start(x.start))].append(x)
    for monday in r.weeks:
        label = sc.week_label(monday)
        prev = monday - dt.timedelta(days=7)
        rows = []
        for p in r.s.organisation.projects:
            week, last = r.week_agg(monday, p.id), r.week_agg(prev, p.id)
            comp = sc.compliance_percent(team_weeks.get((p.id, monday), []))
            delta = None if week.percent is None or last.percent is None else sc.printed(week.percent - last.percent)
            rows.append(dict(name=p.name, id=p.id, agg=week, delta=delta, compliance=comp))
        top = sc.pareto(r.s, [x.inspection for x in r.scores_in(monday, monday + dt.timedelta(days=6))])[:5]
        sunday = monday + dt.timedelta(days=6)
        failed = [x for x in reversed(r.scores_in(monday, sunday)) if x.grade is not None
                  and x.grade == r.s.lowest_grade]
        covered = r.covered(monday, sunday)
        # a closed week states its own data end, not the run's: its page stays byte-identical as weeks go by
        # the projects in pages of PAGE_SIZE: the company's figures on each, each project's rows on its page
        for path, chunk, pager in paged(f"{ROOT}/weeks/{label}.md", rows):
            ids = {x["id"] for x in chunk}
            files[path] = render(
                "results/week.md.j2", r=r, label=label, name=week_name(monday), monday=monday, sunday=sunday,
                failed=[x for x in failed if x.inspection.project in ids], n_failed=len(failed), rows=chunk,
                pager=pager, top=top, company=r.week_agg(monday), note=partial_note(covered), covered=covered,
                data_end=min(sunday, r.as_of))
    files[f"{ROOT}/weeks/index.md"] = render(
        "results/weeks.md.j2", r=r, weeks=[(sc.week_label(w), week_name(w), w, r.week_agg(w),
                                            partial_note(r.covered(w, w + dt.timedelta(days=6))))
                                           for w in reversed(r.weeks)])


# ---------------------------------------------------------------- formatting helpers

def week_name(monday: dt.date) -> str:
    """'2026 年第 47 周' (ISO week; the pages show no week codes such as 2026-W47, the CSVs and URLs do)."""
    year, week, _ = monday.isocalendar()
    return f"{year} 年第 {week} 周"


def week_short(monday: dt.date) -> str:
    """'第47周': a week in a chart or a table of recent weeks."""
    return f"第{monday.isocalendar()[1]}周"


def _default_item_url(s: Standards):
    def url(code: str) -> str:
        section = s.section_of(code)
        return f"standards/{section.number if section else 'index'}.md#{code}"
    return url


def _bands(r: _Results):
    bands = sorted(r.s.organisation.grades, key=lambda g: -g.min)
    return [(g.name, g.min) for g in bands if g.min > 0]


def _p(value):
    return "" if value is None else f"{value:.1f}%"


def _d(value):
    return "" if value is None else f"{value:+.1f}"


def _n(value):
    return int(value) if float(value).is_integer() else round(value, 1)
