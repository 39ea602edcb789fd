"""Closed quarters' assessments, kept as published.

Once a quarter is closed (its last day plus `assessment.archive_after_days`), the first `handbook ingest` run
after that computes its assessment from the inspections submitted by the end of the close day and stores it
(`assessment_archive`), so every build publishes the same figures whatever comes later (builds only read the
store). Data that changes a closed quarter afterwards never rewrites it: each ingest run that finds the
quarter's figures changed stores a dated revision (`assessment_revisions`) listing what changed and why, shown
under 修订 on the quarter's page. A build on a store without them shows the same, computed on the spot.

The tables are made as an instrument's are (`store.migrate_instruments`, through `ARCHIVE_TABLES`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from .. import store
from . import scoring as sc

SCHEMA = """
CREATE TABLE assessment_archive (
    quarter     TEXT PRIMARY KEY,          -- e.g. 2026Q3
    closed_on   TEXT NOT NULL,             -- the close day: inspections submitted by its end are counted
    archived_at TEXT NOT NULL,             -- when `handbook ingest` stored it (ISO, UTC)
    rows        TEXT NOT NULL,             -- JSON: the published assessment, one object per project
    fingerprint TEXT NOT NULL DEFAULT '',  -- the quarter's data and rules when last compared (skips rework)
    amended_on  TEXT                       -- the day on-time inspections imported later that day joined it
);
CREATE TABLE assessment_revisions (
    id          INTEGER PRIMARY KEY,
    quarter     TEXT NOT NULL REFERENCES assessment_archive (quarter),
    revised_on  TEXT NOT NULL,             -- the day the change was found (organisation's time zone)
    rows        TEXT NOT NULL,             -- JSON: the assessment as the data then gave it
    changes     TEXT NOT NULL,             -- JSON: [project, what, before, after] per change
    reasons     TEXT NOT NULL              -- JSON: why, one line each (inspections entered after the close)
)
"""


class _ArchiveTables:
    """The store part of the instrument protocol (`Instrument.store_schema` …) for the archive's tables."""

    id = "assessment-archive"
    store_tables = ("assessment_archive", "assessment_revisions")
    store_schema = SCHEMA
    store_migrations: dict[int, str] = {2: "ALTER TABLE assessment_archive ADD COLUMN amended_on TEXT"}


ARCHIVE_TABLES = _ArchiveTables()


@dataclass(frozen=True)
class Revision:
    revised_on: dt.date
    rows: tuple[sc.ProjectAssessment, ...]
    changes: tuple[tuple[str, str, str, str], ...]      # (project, what, before, after)
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Archived:
    """A closed quarter's published assessment and the revisions found since."""

    quarter: str
    closed_on: dt.date
    archived_at: dt.datetime                             # when it was stored (aware)
    rows: tuple[sc.ProjectAssessment, ...]
    revisions: tuple[Revision, ...] = ()
    new: bool = False                                    # made just now: still to store
    fingerprint: str = ""                                # the data and rules it was last compared with
    amended_on: dt.date | None = None                    # on-time inspections imported later that day joined it

    @property
    def latest(self) -> tuple[sc.ProjectAssessment, ...]:
        return self.revisions[-1].rows if self.revisions else self.rows


@dataclass
class ArchiveUpdates:
    """What a build found to store: new archives and new revisions."""

    archives: list[Archived] = field(default_factory=list)
    # archives of today whose on-time figures grew: the other forms' exports of the same weekly session
    # (inspections submitted by the close day, imported by a later `handbook ingest` the same day)
    amended: list[Archived] = field(default_factory=list)
    revisions: list[tuple[str, Revision]] = field(default_factory=list)
    fingerprints: dict[str, str] = field(default_factory=dict)     # quarter -> what was compared now

    def __bool__(self) -> bool:
        return bool(self.archives or self.amended or self.revisions)


def close_day(standards, quarter: str) -> dt.date:
    """The day a quarter closes: its last day plus the grace period (`assessment.archive_after_days`)."""
    return sc.quarter_bounds(quarter)[1] + dt.timedelta(days=standards.organisation.assessment.archive_after_days)


# ---------------------------------------------------------------- JSON

def rows_json(rows) -> str:
    return json.dumps([asdict(a) for a in rows], ensure_ascii=False, sort_keys=True, default=str)


def rows_from_json(text: str) -> tuple[sc.ProjectAssessment, ...]:
    out = []
    for a in json.loads(text):
        a["score"] = sc.Aggregate(**a["score"])
        a["suggestions"] = tuple(sc.Suggestion(s["kind"], s["reason"], tuple(s["incidents"]))
                                 for s in a["suggestions"])
        out.append(sc.ProjectAssessment(**a))
    return tuple(out)


# ---------------------------------------------------------------- comparing

def _figures(a: sc.ProjectAssessment, pct) -> dict[str, str]:
    """What a change is reported on: the published figures and suggestions (not the incident lines, whose
    "still open on …" dates move with every build)."""
    return {
        "排名": str(a.rank) if a.rank else "未排名",
        "计入检查": f"{a.score.scored} 次",
        "得分率": pct(a.score.percent),
        "评级": a.score.grade or "—",
        "红线": f"{a.critical_findings} 次",
        "巡查完成率": pct(a.patrol_compliance),
        "逾期整改": f"{a.overdue_actions} 项",
        "建议": "、".join(s.kind for s in a.suggestions) or "无",
    }


def changes(before, after, pct) -> list[tuple[str, str, str, str]]:
    """(project, what, before, after) for every published figure that differs, in the organisation's order."""
    old = {a.project: _figures(a, pct) for a in before}
    out = []
    for a in after:
        new = _figures(a, pct)
        was = old.get(a.project, {})
        for what, value in new.items():
            if was.get(what, "—") != value:
                out.append((a.project, what, was.get(what, "—"), value))
    return out


# ---------------------------------------------------------------- the store

def read_archive(store_path: Path | str) -> dict[str, Archived]:
    """The archived quarters of a store ({} when it has none, or no store yet)."""
    path = Path(store_path)
    if not path.is_file():
        return {}
    conn = store.open_store_read_only(path, allow_empty=True)
    try:
        tables = {n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not set(ARCHIVE_TABLES.store_tables) <= tables:
            return {}
        revisions: dict[str, list[Revision]] = {}
        for quarter, day, rows, found, reasons in conn.execute(
                "SELECT quarter, revised_on, rows, changes, reasons FROM assessment_revisions ORDER BY id"):
            revisions.setdefault(quarter, []).append(Revision(
                dt.date.fromisoformat(day), rows_from_json(rows), tuple(tuple(c) for c in json.loads(found)),
                tuple(json.loads(reasons))))
        return {q: Archived(q, dt.date.fromisoformat(closed), dt.datetime.fromisoformat(archived),
                            rows_from_json(rows), tuple(revisions.get(q, ())), fingerprint=printed,
                            amended_on=dt.date.fromisoformat(amended) if amended else None)
                for q, closed, archived, rows, printed, amended in conn.execute(
                    "SELECT quarter, closed_on, archived_at, rows, fingerprint, amended_on FROM assessment_archive "
                    "ORDER BY quarter")}
    finally:
        conn.close()


def fingerprints(store_path: Path | str, standards, today: dt.date) -> dict[str, str]:
    """quarter -> a fingerprint of its data (its inspections' current versions; those gone from their source,
    replaced by a resubmission or withdrawn with `handbook sources withdraw`, and when the latest was withdrawn;
    the fix reports of its findings) and of the rules that score it (the organisation, the items' scoring, the
    roles each checklist is filled by), for every quarter of the data past its close day: cheap SQL, so an
    ingest that changed nothing in a closed quarter need not read and score the whole store."""
    path = Path(store_path)
    if not path.is_file():
        return {}
    rules = hashlib.sha256((standards.organisation.model_dump_json() + "".join(
        f"{i.code}:{i.points}:{i.deduction}:{i.critical}:{i.fix_within_days};" for i in standards.items.values())
        # a role's patrols are counted from the first inspection of a checklist it fills
        + "".join(f"{c}:{','.join(x.roles)};" for c, x in standards.checklists.items())
    ).encode("utf-8")).hexdigest()[:16]
    conn = store.open_store_read_only(path, allow_empty=True)
    try:
        first, last = conn.execute("SELECT min(date), max(date) FROM versions").fetchone()
        if not first:
            return {}
        out = {}
        # a withdrawn source (or one imported again) or a resubmission changes which inspections count: how many
        # are withdrawn or replaced, and the latest withdrawal (one withdrawn, another restored: same count)
        counted = ("sum(i.withdrawn_at IS NOT NULL), max(i.withdrawn_at), sum(i.replaced_by IS NOT NULL)"
                   if conn.execute("PRAGMA user_version").fetchone()[0] >= 6 else "0, '', 0")
        # fix reports decide actions' timeliness: a new or withdrawn one may change a quarter, but only one for a
        # finding made by the quarter's end (a later finding's deadline falls after it)
        with_reports = bool(conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'fix_reports'").fetchone())
        quarters = []
        quarter = sc.quarter_of(dt.date.fromisoformat(first))
        while True:
            start, end = sc.quarter_bounds(quarter)
            if end.isoformat() > last or today <= close_day(standards, quarter):
                break
            quarters.append(quarter)
            quarter = sc.quarter_of(end + dt.timedelta(days=1))
        if not quarters:
            return {}
        # one pass over the closed quarters' versions, a row per month, summed into quarters below (a query per
        # quarter read the whole versions table once for each closed quarter)
        months: dict[str, list] = {}
        for month, n, newest, gone, withdrawn, last_withdrawn, replaced in conn.execute(f"""
                SELECT substr(v.date, 1, 7), count(*), max(v.rowid), sum(i.gone_at IS NOT NULL), {counted}
                FROM inspections i JOIN versions v ON v.inspection_id = i.id AND v.version = i.current_version
                WHERE v.date BETWEEN ? AND ? GROUP BY 1""",
                (sc.quarter_bounds(quarters[0])[0].isoformat(), sc.quarter_bounds(quarters[-1])[1].isoformat())):
            q = months.setdefault(sc.quarter_of(dt.date(int(month[:4]), int(month[5:7]), 1)), [0, 0, 0, 0, "", 0])
            q[0] += n
            q[1] = max(q[1], newest or 0)
            q[2] += gone or 0
            q[3] += withdrawn or 0
            q[4] = max(q[4], last_withdrawn or "")
            q[5] += replaced or 0
        for quarter in quarters:
            end = sc.quarter_bounds(quarter)[1]
            n, newest, gone, withdrawn, last_withdrawn, replaced = months.get(quarter, [0, 0, 0, 0, "", 0])
            reports = ""
            if with_reports:
                r = conn.execute("SELECT count(*), coalesce(max(rowid), 0), coalesce(sum(gone_at IS NOT NULL), 0) "
                                 "FROM fix_reports WHERE found_on <= ?", (end.isoformat(),)).fetchone()
                reports = "/r{}.{}.{}".format(*r)
            out[quarter] = f"{rules}/{first}/{n}/{newest}/{gone}/w{withdrawn}.{last_withdrawn}.{replaced}{reports}"
        return out
    finally:
        conn.close()


def quarters_to_assess(standards, now: dict[str, str], kept: dict[str, Archived]) -> set[str]:
    """The closed quarters an ingest must assess again, given their fingerprints `now` (`fingerprints`) and
    what the store keeps (`read_archive`): none when no closed quarter's data or rules changed; else the
    earliest quarter not archived yet or whose fingerprint changed, and every closed quarter after it (an
    action opened late in one quarter can fall due in the next), and the quarter before it as well when a
    role patrols per week (a week that starts in one quarter counts the patrols of the next one's first days)."""
    order = sorted(now)
    first = next((k for k, q in enumerate(order) if q not in kept or kept[q].fingerprint != now[q]), None)
    if first is None:
        return set()
    if first and any(r.patrols is not None and r.patrols.per == "week" for r in standards.organisation.roles):
        first -= 1
    return set(order[first:])


@dataclass(frozen=True)
class Due:
    """The closed quarters as an ingest compares them (`quarters_due`): the day (organisation's time zone),
    their fingerprints now, what the store keeps, and those to assess again (none: nothing to do)."""

    today: dt.date
    fingerprints: dict[str, str]
    kept: dict[str, Archived]
    quarters: set[str]


def quarters_due(store_path: Path | str, standards, today: dt.date | None = None) -> Due:
    """Which closed quarters an ingest must assess again (`quarters_to_assess`): SQL on the store alone, so
    an ordinary week (no quarter closed, nothing in a closed quarter changed) loads nothing of the results
    pages (`publish.keep_closed_quarters` does the assessing)."""
    today = today or dt.datetime.now(ZoneInfo(standards.organisation.timezone)).date()
    now = fingerprints(store_path, standards, today)
    kept = read_archive(store_path)
    return Due(today, now, kept, quarters_to_assess(standards, now, kept))


def write_updates(store_path: Path | str, updates: ArchiveUpdates) -> None:
    """Store what a build found, in one transaction (the tables are made on first use)."""
    if not (updates or updates.fingerprints):
        return
    conn = store.connect(store_path)
    try:
        store.begin(conn, store_path, [ARCHIVE_TABLES])
        try:
            conn.executemany(
                "INSERT OR IGNORE INTO assessment_archive (quarter, closed_on, archived_at, rows) VALUES (?, ?, ?, ?)",
                [(a.quarter, a.closed_on.isoformat(), a.archived_at.isoformat(timespec="seconds"), rows_json(a.rows))
                 for a in updates.archives])
            conn.executemany("UPDATE assessment_archive SET rows = ?, amended_on = ? WHERE quarter = ?",
                             [(rows_json(a.rows), a.amended_on.isoformat() if a.amended_on else None, a.quarter)
                              for a in updates.amended])
            conn.executemany(
                "INSERT INTO assessment_revisions (quarter, revised_on, rows, changes, reasons) VALUES (?, ?, ?, ?, ?)",
                [(q, r.revised_on.isoformat(), rows_json(r.rows), json.dumps(r.changes, ensure_ascii=False),
                  json.dumps(r.reasons, ensure_ascii=False)) for q, r in updates.revisions])
            conn.executemany("UPDATE assessment_archive SET fingerprint = ? WHERE quarter = ?",
                             [(printed, q) for q, printed in updates.fingerprints.items()])
            store.commit(conn, store_path)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    finally:
        conn.close()
