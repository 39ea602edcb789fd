"""Publish the results: a page generator that the site build runs (scores from the store)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Sequence
from zoneinfo import ZoneInfo

from .. import page_urls as urls
from ..context import Context, printed_sources
from ..forms.lock_file import read_lock
from ..forms.prefill import prefill_url
from ..gc_paused import paused
from .. import store
from ..store import rules as rules_store
from ..ingest.columns import reason_name
from ..ingest.shell import public_text, read_quarantine
from ..inspection import FIELD_TITLES, data_end
from ..messages import Msg
from ..printing.fonts import font_faces, subset_first
from ..printing.pdf import render_pdfs
from ..rulebook import with_history
from ..templating import render
from .archive import ArchiveUpdates, Due, close_day, quarters_due, read_archive, write_updates
from .fix_reports import read_fix_reports
from .focus import project_focus
from .report_pages import (COMMON_SHOWN, NAV, PROJECTS_INDEX, QUARTERS, ROOT, WEEKLY_REPORT, QualityRow,
                           archive_updates, build_results_and_overview)
from . import scoring as sc
from .scoring import corrective_actions, pareto, quarter_bounds, quarter_label, quarter_of

RESULTS_TAB = "检查结果"
OVERVIEW_KEY = "results.overview"      # SiteContext.shared: the overview the last generator completes
COMMON_MARK = "<!-- hb:common-findings -->"   # where a role page of the inspected lists the common findings


# Quarantine rows stored before reasons were kept as data (`ingest.shell.quarantine`) have only their text:
# these read the column and a reason without the cell's value back from it, so old stores show as they did.
# Reasons whose text names no cell value (a column, a row, a length): published as stored.
_REASONS_WITHOUT_VALUE = {"missing_answer", "duplicate", "too_long", "email_as_name"}
# The column a reason is about, where its code says it
_COLUMN_OF = {"unknown_project": FIELD_TITLES["project"], "unknown_role": FIELD_TITLES["role"],
              "bad_time": "时间戳记", "bad_date": FIELD_TITLES["date"],
              "date_after_submission": FIELD_TITLES["date"], "date_too_old": FIELD_TITLES["date"]}
_COLUMN_IN_REASON = (re.compile(r"^条目 (\S+) 的答案"), re.compile(r"^(已当场纠正(?:的条目)?（[\d.]+）)"),
                     re.compile(r"^(抽问 [a-z][a-z0-9_-]*) 的结果"))
_BY_CODE = {m.code: m for m in Msg}
_ITEM_CODE = re.compile(r"(?<![\w.])(\d+(?:\.\d+)+-[a-z][a-z0-9]*)(?![\w.\-])")


def public_reason(code: str, reason: str, message: str | None = None, fields: dict | None = None,
                  column: str = "") -> tuple[str, str]:
    """(column, reason) of a quarantined row as the site shows them: the row's cell values never appear
    (they may name a person, a phone number, anything typed), only the column and why. A row quarantined
    with its reason as data (`message`, a catalogue code, with its `fields` and `column`) is rendered from
    the catalogue; an older row's text is read back."""
    msg = _BY_CODE.get(message) if message else None
    if msg is not None:
        return column, public_text(msg, fields or {})
    if code in _REASONS_WITHOUT_VALUE:
        column = reason.split("：", 1)[1] if code == "missing_answer" and "：" in reason else ""
        return ("" if column == "没有任何条目的答案" else column), reason
    column = _COLUMN_OF.get(code, "")
    if not column:
        for pattern in (*_COLUMN_IN_REASON, _ITEM_CODE):
            found = pattern.search(reason)
            if found:
                column = found.group(1)
                break
    return column, reason_name(code) or _without_values(reason)


_CODES = r"\d+(?:\.\d+)+(?:-[a-z][a-z0-9]*)?"
_ONLY_CODES = re.compile(rf"{_CODES}(?:[、，,\s]+{_CODES})*")


def _without_values(reason: str) -> str:
    """A reason of a kind this module does not know, less whatever could be a cell's value: quoted text
    (“…”) and anything after `：` that is not item codes."""
    reason = re.sub(r"“[^”]*”", "", reason)
    head, colon, tail = reason.partition("：")
    return reason if not colon or _ONLY_CODES.fullmatch(tail.strip()) else head


def local_time(when: dt.datetime, timezone: str | None) -> str:
    """`2026-10-05 09:30` in the organisation's time zone (a stored time without one is UTC)."""
    if timezone:
        when = (when if when.tzinfo else when.replace(tzinfo=dt.timezone.utc)).astimezone(ZoneInfo(timezone))
    return when.strftime("%Y-%m-%d %H:%M")


def quality_rows(store_path: Path, timezone: str | None = None) -> tuple[list[QualityRow], list[QualityRow]]:
    """Quarantined rows and unmapped columns of the store, for the data-quality page (row, column and
    reason of each quarantined row: never the cell's value); times in the organisation's `timezone`."""
    quarantine = []
    for q in read_quarantine(store_path):
        column, reason = public_reason(q.reason_code, q.reason, q.message, q.fields, q.column)
        seen = dt.datetime.fromisoformat(q.first_seen_at)
        resolved = dt.datetime.fromisoformat(q.resolved_at) if q.resolved_at else None
        quarantine.append(QualityRow(f"{q.checklist} · {q.source}", str(q.row_number), reason,
                                     local_time(seen, timezone),
                                     local_time(resolved, timezone) if resolved else "", column))
    unmapped = [QualityRow(f"{u.checklist} · {u.source}", u.column, "未对应到任何条目或字段",
                           local_time(u.first_seen_at, timezone)) for u in store.read_unmapped_columns(store_path)]
    return quarantine, unmapped


def replacement_rows(store_path: Path) -> list[QualityRow]:
    """The inspections resubmissions replaced, for the data-quality page (rows and times, never a name)."""
    out = []
    for x in store.read_replacements(store_path):
        by = f"第 {x.by_row} 行" if x.by_source == x.source else f"{x.by_source} 第 {x.by_row} 行"
        out.append(QualityRow(f"{x.checklist} · {x.source}", str(x.row_number), f"{by}（{x.minutes} 分钟后）",
                              x.submitted_at.isoformat(sep=" ")[:16]))
    return out


class StoreSnapshot:
    """The store as read once for a build: the sheets' focus lists and the results pages share one read.

    A year at company scale is ~300,000 inspections and seconds to read and follow through; a build
    needs them twice (focus lists on the sheets, then the pages). Read again when the file changed,
    so `handbook serve` rebuilding after a page edit does not read an unchanged store again.
    """

    def __init__(self, path: Path):
        self.path = path
        self._key: tuple | None = None
        self._inspections: list = []
        self._actions: tuple | None = None     # (standards, actions, rejected fix reports)
        self._bound: tuple | None = None       # (standards, standards with the store's rule book, read key)

    def _fingerprint(self) -> tuple | None:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return None
        return (st.st_mtime_ns, st.st_size, st.st_ino)

    def inspections(self) -> list:
        """Every current inspection of the store ([] when there is no store yet)."""
        key = self._fingerprint()
        if key is None:
            self._key, self._inspections, self._actions = None, [], None
        elif key != self._key:
            self._inspections, self._actions = [], None   # free the old read before the new one
            self._inspections = store.read_inspections(self.path)
            self._key = key
        return self._inspections

    def standards(self, standards):
        """`standards` scoring each inspection with the rules in force on its date: the versions the store
        recorded (`rulebook`); the store's inspections are read first."""
        self.inspections()
        if self._bound is None or self._bound[0] is not standards or self._bound[2] != self._key:
            recorded = ({v: r for v, (_, r) in rules_store.read_rules(self.path).items()}
                        if self._key is not None else {})
            self._bound = (standards, with_history(standards, recorded), self._key)
        return self._bound[1]

    def actions(self, standards) -> list:
        """`corrective_actions` of every inspection under these standards (computed once per read)."""
        inspections = self.inspections()
        if self._actions is None or self._actions[0] is not standards:
            rejected: list = []
            actions = corrective_actions(standards, inspections, read_fix_reports(self.path), rejected)
            self._actions = (standards, actions, rejected)
        return self._actions[1]

    def rejected_reports(self, standards) -> list:
        """(fix report, reason) of the stored fix reports that match no open action."""
        self.actions(standards)
        return self._actions[2]


_SNAPSHOTS: dict[Path, StoreSnapshot] = {}


def forget_snapshots() -> None:
    """Drop every shared read (the next build reads its store afresh, as a new process would)."""
    _SNAPSHOTS.clear()


def store_snapshot(store_path: Path | str) -> StoreSnapshot:
    """The shared snapshot of one store (only the latest store's is kept: a year of it is large)."""
    path = Path(store_path).resolve()
    if path not in _SNAPSHOTS:
        _SNAPSHOTS.clear()
        _SNAPSHOTS[path] = StoreSnapshot(path)
    return _SNAPSHOTS[path]


FIX_REPORT_FORM = "fix-report"   # the fix-report form's id in the lock (instruments/fixreport)


def fix_report_links(standards, lock: dict) -> dict[str, str]:
    """Project id -> the fix-report form's responder link with that project chosen ({} before it is pushed)."""
    entry = (lock.get("checklists") or {}).get(FIX_REPORT_FORM) or {}
    if not entry.get("responder_url"):
        return {}
    qid = next((k for v in (entry.get("versions") or {}).values() for k, q in (v.get("questions") or {}).items()
                if q.get("field") == "project"), None)
    if qid is None:
        return {}
    return {p.id: prefill_url(entry["responder_url"], {qid: p.name}) for p in standards.organisation.projects
            if p.active}


def results_generator(store_path: Path | str, *, as_of=None, lock_path: Path | str | None = None):
    """A site page generator writing results/ from the store (an empty store gives 'no data yet' pages)."""
    store_path = Path(store_path)

    def generate(ctx) -> None:
        quarantine, unmapped, replaced = [], [], []
        with paused():   # a year's inspections are hundreds of thousands of objects, none in cycles
            snapshot = store_snapshot(store_path)
            inspections = snapshot.inspections()
            standards = snapshot.standards(ctx.standards) if inspections else ctx.standards
            actions = snapshot.actions(standards) if inspections else None
            archived, last_fetch = {}, None
            if store_path.exists():
                last_fetch = store.read_last_fetch(store_path)
                quarantine, unmapped = quality_rows(store_path, ctx.standards.organisation.timezone)
                replaced = replacement_rows(store_path)
                archived = read_archive(store_path)
            lock = read_lock(lock_path) if lock_path else read_lock()
            if inspections:
                names = {p.id: p.name for p in ctx.standards.organisation.projects}
                quarantine += [QualityRow(f"整改反馈 · {names.get(r.project, r.project)}", r.found.isoformat(), reason,
                                          str(r.submitted_at or "")[:16], "", "发现日期")
                               for r, reason in snapshot.rejected_reports(standards)]
            ctx.clear(ROOT)
            files, overview = build_results_and_overview(
                standards, inspections, as_of=as_of, quarantine=quarantine, unmapped=unmapped,
                item_url=lambda code: f"{urls.item_page(code, ctx.standards)}#{urls.item_anchor(code)}",
                actions=actions, replaced=replaced, archive=archived, fix_links=fix_report_links(ctx.standards, lock),
                fix_demo=bool(lock.get("demo")), last_fetch=last_fetch, reports=read_fix_reports(store_path))
        for path, text in sorted(files.items()):
            ctx.write(path, text)
        ctx.shared[OVERVIEW_KEY] = overview
        _common_findings(ctx, overview.r)
        # the projects' pages stay out of the navigation: listed there, every page of the site would carry
        # every project's link (its size growing with the company); the 项目 index links them
        ctx.add_nav(RESULTS_TAB, [{title: path} for title, path in NAV])
        ctx.hide_from_nav(f"{ROOT}/projects/")
        ctx.hide_from_nav(f"{ROOT}/weeks/")
        ctx.hide_from_nav(f"{QUARTERS}/")
        # a long list's further pages (report_pages.paged) are linked from its first page, not from the navigation
        ctx.hide_from_nav(f"{ROOT}/page-*.md")
        ctx.hide_from_nav(f"{ROOT}/*-page-*.md")

    return generate


def _common_findings(ctx, r) -> None:
    """The company's most common findings this quarter on the role pages of the inspected (客服人员)."""
    start, end = quarter_bounds(r.quarter)
    rows = pareto(ctx.standards, [x.inspection for x in r.scores_in(start, end)])[:COMMON_SHOWN]
    for role in ctx.standards.organisation.roles:
        path = ctx.docs_dir / urls.role_page(role.id)
        if role.inspects or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        if COMMON_MARK not in text:
            continue
        block = render("results/common_findings.md.j2", rows=rows, quarter=quarter_label(r.quarter), r=r,
                       link=lambda code: urls.item_link(code, urls.role_page(role.id), ctx.standards),
                       results=urls.relative_link(f"{ROOT}/priorities.md", urls.role_page(role.id)))
        ctx.write(urls.role_page(role.id), text.replace(COMMON_MARK, block))


def keep_closed_quarters(store_path: Path | str, standards, *, today: dt.date | None = None, amend: bool = True,
                         due: Due | None = None):
    """After an ingest (or `handbook sources withdraw`): archive each closed quarter not archived yet (its
    assessment as published, from the inspections submitted by its close day) and store a dated revision when
    the data now gives other figures. Builds only read what this keeps. Returns what was stored
    (`archive.ArchiveUpdates`). `amend=False` (a withdrawal): an archive made today is revised, not amended
    (amending is for the same weekly session's other on-time exports, imported later that day). `due`: the
    store's closed quarters as `archive.quarters_due` just compared them (else compared here)."""
    store_path = Path(store_path)
    due = due or quarters_due(store_path, standards, today)
    today, now, kept, todo = due.today, due.fingerprints, due.kept, due.quarters
    if not todo:
        return ArchiveUpdates()   # no closed quarter's data or rules changed since the last comparison
    reports = read_fix_reports(store_path)
    with paused():   # a year of rows is a hundred thousand tuples, none in cycles
        rows = _window_rows(store_path, standards, today, todo, reports)
        if rows is None:   # the quarters' figures may depend on older rows: assessed from every row
            rows = store.read_scoring_rows(store_path)
        updates = archive_updates(standards, rows, kept, today, reports=reports, only=todo, amend=amend)
    updates.fingerprints = now
    write_updates(store_path, updates)
    return updates


WARM_UP_DAYS = 92   # rows read before the first quarter assessed: the actions still open when it starts


def _window_rows(store_path: Path, standards, today: dt.date, todo: set[str], reports) -> list | None:
    """The rows (`store.ScoringRow`) dated from `WARM_UP_DAYS` before the earliest quarter of `todo` on, when
    they give those quarters the figures every row of the store would give (None when that cannot be shown):
    the data's end and the days it covers, each role's first patrol, whether rows came in after a close day,
    and the corrective actions that fall due in the quarters (`actions_settle`) come out the same."""
    book = getattr(standards, "rulebook", None)
    if book is not None:   # rules that change with the date: the carried actions' rules are not known here
        return None
    q_start = sc.quarter_bounds(min(todo))[0]
    q_end = sc.quarter_bounds(max(todo))[1]
    day0 = q_start - dt.timedelta(days=WARM_UP_DAYS)
    firsts = store.first_dates(store_path)
    if not firsts or min(firsts.values()) >= day0:
        return None   # the window would hold every row anyway
    rows = store.read_scoring_rows(store_path, since=day0)
    span, kept = sc.data_span(standards, rows, None, today)
    if span.start > q_start:
        return None
    closes = {q: close_day(standards, q) for q in todo}
    # an older row submitted late would move the data's end, or take the on-time figures off the fast path
    if store.keyed_since(store_path, dated_before=day0, day=min(span.end, *closes.values()) + dt.timedelta(days=1)):
        return None
    ordered = sorted(kept, key=sc.inspection_order)
    variants = [ordered] + [[r for r in ordered if r.submitted_at.date() <= closes[q]] for q in sorted(todo)]
    for rows_of in variants:
        if not (_roles_start(standards, rows_of, span.start, q_start, firsts, day0)
                and actions_settle(standards, rows_of, day0, q_start, q_end)):
            return None
    return rows


def _roles_start(standards, rows: list, start: dt.date, q_start: dt.date, firsts: dict, day0: dt.date) -> bool:
    """Whether each patrolling role's patrols are counted from the same day in the window (`rows`, from `day0`)
    as in the whole store, for periods from `q_start` on (`scoring.patrol_compliance` starts a role at the
    first inspection of a checklist it fills): it started by `q_start`, or none of its checklists has rows
    before the window (`firsts`: the store's first date per checklist)."""
    seen: dict[str, dt.date] = {}
    for r in rows:
        if r.checklist not in seen or r.date < seen[r.checklist]:
            seen[r.checklist] = r.date
    for role in standards.organisation.roles:
        if not role.patrols:
            continue
        mine = [c for c, x in standards.checklists.items() if role.id in x.roles]
        days = [seen[c] for c in mine if c in seen]
        if (max(start, min(days)) if days else start) <= q_start:
            continue
        if any(firsts.get(c, day0) < day0 for c in mine):
            return False
    return True


def actions_settle(standards, rows: list, day0: dt.date, q_start: dt.date, q_end: dt.date) -> bool:
    """Whether the corrective actions due in [q_start, q_end] come out of `rows` (every inspection dated from
    `day0` on, in `scoring.inspection_order`) as out of the whole store. What came before the window reaches
    into it only through an action still open: a finding of (project, item) joins it instead of opening one.
    A 符合 of an item that is not 红线 closes whatever is open on it (a 红线 finding always opens its own),
    so a (project, item) whose first answer in the window is 符合 is followed exactly; one found before that
    may differ only in actions opened by those findings, which must fall due before `q_start`; and every
    action opened before the window must have fallen due before it too."""
    longest = max((i.fix_within_days for i in standards.items.values()), default=0)
    if sc.due_date(standards, day0 - dt.timedelta(days=1), longest) >= q_start:
        return False
    settled: set[tuple[str, str]] = set()
    items = standards.items
    dues: dict[tuple, dt.date] = {}
    for r in rows:
        if r.date > q_end:
            break   # what it opens falls due after the quarters
        for code, found in r.findings.items():
            if found is None or (r.project, code) in settled:
                continue
            item = items.get(code)
            if item is None or item.critical:
                continue
            if found == 0:
                settled.add((r.project, code))
            else:
                due = dues.get((r.date, item.fix_within_days))
                if due is None:
                    due = dues[(r.date, item.fix_within_days)] = sc.due_date(standards, r.date, item.fix_within_days)
                if due >= q_start:
                    return False
    return True


def overview_figures(context: Context, overview) -> list:
    """Every instrument's figures for the 本周概览 (`Instrument.overview_figures`), in the instruments' order."""
    return [f for instrument in context.instruments
            for f in instrument.overview_figures(context, overview.this_week, overview.last_week)]


def finish_results_generator(store_path: Path | str, instruments: Sequence, *,
                             cache_dir: Path | str | None = Path("build/pdf-cache"), pdf: bool = True):
    """The last page generator of a build: completes the 本周概览 with the other instruments' figures and
    links their results pages (`Instrument.results_pages`),
    writes the weekly report PDF for the 品质例会, and gives every results page (also those other
    instruments wrote) the same 数据截至 date and keeps it out of the search index."""
    store_path = Path(store_path)

    def generate(ctx) -> None:
        overview = ctx.shared.get(OVERVIEW_KEY)
        if overview is None:
            return
        extra = overview_figures(Context(ctx.standards, tuple(instruments), store_path=store_path), overview)
        report = pdf and bool(overview.r.scores)
        if report:
            cache = Path(cache_dir) if cache_dir else None
            (ctx.docs_dir / WEEKLY_REPORT).parent.mkdir(parents=True, exist_ok=True)
            faces = font_faces(ctx.standards, cache, printed_sources(instruments))
            css = render("results/weekly_report.css")
            # the weekly report and the quarter's assessment on A4 (printing the page from a browser loses its
            # last columns): from the PDF cache when their text did not change, else rendered in the build's
            # workers while the site engine runs (`printing.pdf.deferred_rendering`), as the sheets are
            render_pdfs([(overview.report_html(extra), ctx.docs_dir / WEEKLY_REPORT),
                         (overview.assessment_html(), ctx.docs_dir / ASSESSMENT_PDF)],
                        faces + subset_first(css, faces), cache_dir=cache)
            ctx.written += [WEEKLY_REPORT, ASSESSMENT_PDF]
            page = ctx.docs_dir / ASSESSMENT_PAGE
            if page.is_file():
                ctx.write(ASSESSMENT_PAGE, _after_title(page.read_text(encoding="utf-8"), ASSESSMENT_LINK))
        more = [(title, path) for instrument in instruments for title, path in instrument.results_pages
                if (ctx.docs_dir / path).is_file()]
        for path, text in overview.pages(extra, report=report, more=more).items():
            ctx.write(path, text)
        projects = ctx.docs_dir / PROJECTS_INDEX
        if projects.is_file():
            ctx.write(PROJECTS_INDEX, projects.read_text(encoding="utf-8").rstrip("\n") + "\n"
                      + overview.sources_block(extra))
        stamp = f'<p class="hb-asof">数据截至 {overview.r.as_of}</p>'
        for page in sorted((ctx.docs_dir / ROOT).rglob("*.md")):
            text = page.read_text(encoding="utf-8")
            path = page.relative_to(ctx.docs_dir).as_posix()
            changed = as_published(path, text, stamp)
            if changed != text:
                ctx.write(path, changed)

    return generate


ASSESSMENT_PAGE = f"{ROOT}/assessment.md"
ASSESSMENT_PDF = f"{ROOT}/assessment.pdf"
ASSESSMENT_LINK = "[打印版（A4 PDF，供客户关系部审定）](assessment.pdf){ download }"


_PROJECT_PAGE = re.compile(rf"{ROOT}/projects/(?!index\.md$|page-\d+\.md$)[^/]+\.md")


def as_published(path: str, text: str, stamp: str) -> str:
    """A results page as a build publishes it: with the build's 数据截至 `stamp` under its title, and found by
    the search through its title and headings only. A project's page is found by its title (the project's
    name) alone: its headings are every project's headings (本周要做 …), so a search for one would list every
    project, and at 300 projects they alone would make the search index 380 KB. Page 2, 3 … of a split list
    stay out of the search whole, or a search for 整改跟踪 would list every page of it."""
    text = text if 'class="hb-asof"' in text else _after_title(text, stamp)
    if urls.is_later_list_page(path):
        return text
    return _excluded_from_search(text, headings=not _PROJECT_PAGE.fullmatch(path))


def _excluded_from_search(text: str, *, headings: bool = True) -> str:
    """The page as the search indexes it: its title and headings (with `headings=False` its title alone: the
    other headings carry `data-search-exclude`), never its rows (the search finds a project's page by its
    name, 逾期 the actions page, and no table cell). What lies between two headings is wrapped in
    `<section data-search-exclude markdown>` (MkDocs Material's search skips it; md_in_html renders it as
    before; not a div: the search matches closing tags by name, so a `</div>` inside would end the skip), and
    `search: exclude: true` leaves the front matter."""
    if "data-search-exclude" in text:
        return text
    head, body = "", text
    if text.startswith("---\n"):
        front, sep, body = text[4:].partition("\n---\n")
        front = re.sub(r"(?m)^search:\n  exclude: true\n?", "", front + "\n").strip("\n")
        head = f"---\n{front}\n---\n" if front else ""
    out: list[str] = []
    run: list[str] = []

    def close() -> None:
        if "".join(run).strip():
            out.extend(["", "<section data-search-exclude markdown>", "", *run, "", "</section>", ""])
        else:
            out.extend(run)
        run.clear()
    for line in body.split("\n"):
        if re.match(r"#{1,6} ", line):
            close()
            out.append(line if headings or line.startswith("# ") else _heading_excluded(line))
        else:
            run.append(line)
    close()
    return head + "\n".join(out) + "\n"


def _heading_excluded(line: str) -> str:
    """A Markdown heading the search leaves out (its section with it): `data-search-exclude` in its attribute
    list (attr_list), which MkDocs Material's search honours on a heading."""
    found = re.fullmatch(r"(.*?)\s*\{([^{}]*)\}\s*", line)
    if found:
        return f"{found.group(1)} {{ {found.group(2).strip()} data-search-exclude }}"
    return f"{line.rstrip()} {{ data-search-exclude }}"


def _after_title(text: str, line: str) -> str:
    """`line` after the page's first `# ` heading (or at the top of its body)."""
    lines = text.split("\n")
    for k, row in enumerate(lines):
        if row.startswith("# "):
            return "\n".join([*lines[:k + 1], "", line, *lines[k + 1:]])
    return text


def publish_generators(store_path: Path | str, instruments: Sequence, *, quarter: str | None = None,
                       lock_path: Path | str | None = None, today: dt.date | None = None) -> list:
    """Every instrument's results page generators, in the order of `instruments` (results/ is emptied first).

    The patrol results, then the questionnaire's, the quarter's exam paper and exam results, the
    questioning results and cards (`Instrument.page_generators`). The instruments are asked during each
    build, with a `Context` of the standards it loaded (a served site loads them again for each build).
    """
    quarter = quarter or quarter_of(dt.date.today())
    store_path, lock_path = Path(store_path), Path(lock_path) if lock_path else None
    instruments = tuple(instruments)

    def generate(ctx) -> None:
        context = Context(ctx.standards, instruments, store_path=store_path, lock_path=lock_path, today=today,
                          quarter=quarter)
        for instrument in instruments:
            for g in instrument.page_generators(context):
                g(ctx)

    return [generate]


def sheet_focus(store_path: Path | str):
    """For the build: a function giving each project's focus lists (`ProjectFocus`), printed on its sheets."""
    store_path = Path(store_path)

    def focus(standards) -> dict:
        with paused():
            snapshot = store_snapshot(store_path)
            inspections = snapshot.inspections()
            if not inspections:
                return {}
            as_of = data_end(inspections)
            standards = snapshot.standards(standards)   # deadlines of the standards in force on each date
            actions = snapshot.actions(standards)
            # focus_list keeps the project's own inspections and actions: hand it only those
            own: dict[str, list] = {}
            own_actions: dict[str, list] = {}
            for i in inspections:
                own.setdefault(i.project, []).append(i)
            for a in actions:
                own_actions.setdefault(a.project, []).append(a)
            return {p.id: project_focus(standards, p.id, own.get(p.id, []), own_actions.get(p.id, []), as_of)
                    for p in standards.organisation.projects}

    return focus
