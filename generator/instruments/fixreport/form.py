"""The fix-report form (整改反馈): its Google Form, ingest and simulator.

One response reports one corrective action done: the project (a per-project prefilled link fills it in),
the item and the day the problem was found (which action), the day it was fixed, what was done (for a
红线 incident: the measure taken, 处理意见), an optional photo link and who reports. Ingest keeps the
mapped cells only; a row it cannot read is quarantined with the reason. Whether the action exists and is
still open is decided with the inspections (`results.scoring.corrective_actions`): a report that matches
none is listed on the data-quality page, never attached to a guessed action.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import random
import sqlite3
from pathlib import Path
from zoneinfo import ZoneInfo

from ...forms.form_spec import FormSpec, check_unique_ids, choice_question, instrument_form, question_item, stable_id
from ...ingest.columns import CODE_AT_START, TIMESTAMP_TITLES, norm, version_of
from ...ingest.shell import Record, Rejection, Responses, ingest_responses, source_zone
from ...ingest.values import parse_date, parse_datetime
from ...inspection import FIELD_TITLES, Inspection, known_answers
from ...messages import Msg
from ...results import scoring as sc
from ...standards import Standards
from ..patrol import simulate as patrol_sim

FORM_ID = "fix-report"   # as FixReports.form_ids says (the class module stays free of this one)

TITLES = {
    "project": FIELD_TITLES["project"],
    "code": "检查条目",
    "found": "发现日期",
    "fixed": "整改完成日期",
    "measure": "整改措施（处理意见）",
    "photo": "照片链接",
    "reporter": "填报人",
}
REQUIRED = ("project", "code", "found", "fixed", "measure", "reporter")
HINTS = {
    "project": "如果已经选好，请不要修改。",
    "code": "检查发现问题的条目（整改跟踪页和检查结果里的条目编号）。",
    "found": "检查发现问题的日期（整改跟踪页上的“发现日期”）。",
    "fixed": "整改完成的日期；整改及时率按这一天计算。",
    "measure": "做了什么整改；红线问题请写明处理意见。",
    "photo": "选填：整改后照片的链接。",
}
MAX_TEXT = 5000


def item_label(standards: Standards, code: str) -> str:
    return f"{code} {standards.items[code].short}"


def build_fix_form(standards: Standards) -> FormSpec:
    """The forms.create body, fill requests and question map of the fix-report form."""
    items: list[dict] = []
    questions: dict[str, dict] = {}

    def add(key: str, question: dict, entry: dict) -> None:
        items.append(question_item(f"{FORM_ID}:{key}", TITLES[key], question, HINTS.get(key)))
        own = {} if "field" in entry else {"fix_report": key}   # the form's own questions (a 腾讯问卷 check)
        questions[question["questionId"]] = {**entry, **own, "title": TITLES[key]}

    projects = [p.name for p in standards.organisation.projects if p.active]
    add("project", choice_question(stable_id("question:field:project"), projects, "DROP_DOWN"), {"field": "project"})
    add("code", choice_question(stable_id(f"question:{FORM_ID}:code"),
                                [item_label(standards, c) for c in standards.items], "DROP_DOWN"), {"kind": "code"})
    for key in ("found", "fixed"):
        add(key, {"questionId": stable_id(f"question:{FORM_ID}:{key}"), "required": True,
                  "dateQuestion": {"includeYear": True}}, {"kind": key})
    add("measure", {"questionId": stable_id(f"question:{FORM_ID}:measure"), "required": True,
                    "textQuestion": {"paragraph": True}}, {"kind": "measure"})
    add("photo", {"questionId": stable_id(f"question:{FORM_ID}:photo"), "required": False,
                  "textQuestion": {"paragraph": False}}, {"kind": "photo"})
    add("reporter", {"questionId": stable_id(f"question:{FORM_ID}:reporter"), "required": True,
                     "textQuestion": {"paragraph": False}}, {"kind": "reporter"})
    check_unique_ids(FORM_ID, items)
    title = "整改反馈"
    description = ("检查发现的问题整改完成后，由项目填写本表（每项整改一份）。客户关系部据此计算整改及时率，"
                   "并在下次检查时验证。\n\n" + standards.organisation.name)
    # reporters type their name, as on every other form: an e-mail address is never collected
    return instrument_form(FORM_ID, title, standards.document.version, description, items, questions)


# ---------------------------------------------------------------- ingest

# Why a row is quarantined: code -> the catalogued message (messages.py, I3xx) and the name of its field
REASONS = {
    "missing_answer": (Msg.ROW_MISSING_ANSWER, "columns"),
    "unknown_project": (Msg.ROW_UNKNOWN_PROJECT, "value"),
    "unknown_item": (Msg.ROW_UNKNOWN_ITEM, "value"),
    "bad_time": (Msg.ROW_BAD_TIME, "value"),
    "bad_date": (Msg.ROW_BAD_DAY, "value"),
    "fixed_before_found": (Msg.ROW_FIXED_BEFORE_FOUND, "value"),
    "fixed_after_submitted": (Msg.ROW_FIXED_AFTER_SUBMITTED, "value"),
    "duplicate": (Msg.ROW_DUPLICATE_ROW, None),
    "too_long": (Msg.ROW_TEXT_TOO_LONG, "limit"),
}


class FixRejected(Rejection):
    def __init__(self, code: str, value: object = "", column: str = ""):
        msg, name = REASONS[code]
        super().__init__(code, msg, column, **({name: str(value)[:60]} if name else {}))


def map_fix_columns(header: list, form=None) -> tuple[dict[int, str], list[str]]:
    """Column index -> field key (timestamp, project, code, found, fixed, measure, photo, reporter)."""
    titles = {norm(title): key for key, title in TITLES.items()}
    for version in (form.versions if form else ()):
        for entry in version.questions.values():
            key = entry.get("kind") or entry.get("field")
            if key in TITLES:
                titles.setdefault(norm(entry.get("title")), key)
    targets: dict[int, str] = {}
    unmapped: list[str] = []
    for i, cell in enumerate(header):
        text = norm(cell)
        key = "timestamp" if text.lower() in TIMESTAMP_TITLES else titles.get(text)
        if key is None or key in targets.values():
            unmapped.append(str(cell or ""))
            continue
        targets[i] = key
    return targets, unmapped


def normalise_fix(cells: list, targets: dict[int, str], standards: Standards, source_tz, org_tz) -> tuple:
    """One row as (id, submitted_at, project, code, found, fixed, measure, photo, reporter), or `FixRejected`."""
    by_key = {k: i for i, k in targets.items()}

    def cell(key):
        i = by_key.get(key)
        value = cells[i] if i is not None and i < len(cells) else None
        return "" if value is None else value

    raw_time = cell("timestamp")
    if raw_time in (None, ""):
        raise FixRejected("missing_answer", "时间戳记", "时间戳记")
    try:
        submitted = parse_datetime(raw_time, source_tz, org_tz)
    except (ValueError, OverflowError):
        raise FixRejected("bad_time", raw_time, "时间戳记") from None
    blank = [TITLES[k] for k in REQUIRED if str(cell(k)).strip() == ""]
    if blank:
        raise FixRejected("missing_answer", "、".join(blank), "、".join(blank))
    names = {norm(p.name): p.id for p in standards.organisation.projects} | {p: p for p in standards.projects}
    project = names.get(norm(cell("project")))
    if project is None:
        raise FixRejected("unknown_project", cell("project"), TITLES["project"])
    m = CODE_AT_START.match(norm(cell("code")))
    code = m.group(1) if m else ""
    if code not in standards.items:
        raise FixRejected("unknown_item", cell("code"), TITLES["code"])
    days = {}
    for key in ("found", "fixed"):
        try:
            days[key] = parse_date(cell(key), source_tz)
        except (ValueError, OverflowError):
            raise FixRejected("bad_date", cell(key), TITLES[key]) from None
    if days["fixed"] < days["found"]:
        raise FixRejected("fixed_before_found", f"{days['fixed'].isoformat()} < {days['found'].isoformat()}",
                          TITLES["fixed"])
    if days["fixed"] > submitted.date():
        raise FixRejected("fixed_after_submitted", f"{days['fixed'].isoformat()} > {submitted.date().isoformat()}",
                          TITLES["fixed"])
    measure, photo, reporter = (str(cell(k)).strip() for k in ("measure", "photo", "reporter"))
    if max(len(measure), len(photo), len(reporter)) > MAX_TEXT:
        raise FixRejected("too_long", f"上限 {MAX_TEXT} 个字符")
    key = json.dumps([submitted.isoformat(), project, code, days["found"].isoformat(), days["fixed"].isoformat(),
                      measure, photo, reporter], ensure_ascii=False)
    rid = hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]
    return rid, submitted, project, code, days["found"], days["fixed"], measure, photo, reporter


def ingest_fix_table(conn: sqlite3.Connection, table, standards: Standards, form, now: str, report) -> None:
    """Store one fetched fix-report sheet inside the run's transaction (through the ingest shell); fills
    `report`'s counts. Only the mapped columns are kept in the raw rows."""
    org_tz = ZoneInfo(standards.organisation.timezone)
    source_tz = source_zone(table, org_tz)
    targets, unmapped = map_fix_columns(table.header, form)
    report.unmapped_columns = [u for u in unmapped if norm(u)]
    version = [form.versions[-1].name if form and getattr(form, "versions", None) else ""]

    def read(number: int, cells: list) -> Record:
        row = normalise_fix(cells, targets, standards, source_tz, org_tz)
        return Record(row[0], row)

    def insert(conn: sqlite3.Connection, record: Record, sid: int, number: int, raw_id: int) -> None:
        rid, submitted, project, code, found, fixed, measure, photo, reporter = record.values
        if form:   # the form version it was answered on (a time before every version: the one before it)
            live = version_of(form, submitted)
            version[0] = live.name if live else version[0]
        conn.execute("INSERT INTO fix_reports (id, source_id, row_number, raw_row_id, submitted_at, project, code, "
                     "found_on, fixed_on, measure, photo, reporter, form_version, first_seen_at) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     (rid, sid, number, raw_id, submitted.isoformat(), project, code, found.isoformat(),
                      fixed.isoformat(), measure, photo, reporter, version[0], now))

    ingest_responses(conn, table, report, now, Responses(
        "fix_reports", read, insert, lambda first, number: FixRejected("duplicate"), keep=sorted(targets)))


# ---------------------------------------------------------------- simulator

MEASURES = {
    "4.2.1": ["已清理整改，安排每日检查", "已通知保洁处理，班前复查"],
    "4.2.2": ["已对当事员工谈话提醒，班前会重申要求", "已组织服务规范复训"],
    "4.2.3": ["已组织业务知识复训并抽问合格"],
    "4.2.4": ["已补齐记录并由客服主管复核"],
}
CRITICAL_MEASURE = "处理意见：对当事员工书面警告并扣发当月绩效，全员班前会通报"


def simulated_inspections(standards: Standards, *, start: dt.date, end: dt.date, seed: int) -> list[Inspection]:
    """The demo's simulated patrols and spot checks (as the patrol instrument writes them), as inspections."""
    answers = known_answers()
    projects = {p.name: p.id for p in standards.organisation.projects}
    roles = {r.name: r.id for r in standards.organisation.roles}
    out = []
    for checklist in standards.checklists:
        for k, r in enumerate(patrol_sim.simulate(standards, checklist, start=start, end=end, seed=seed)):
            out.append(Inspection(f"{checklist}:{k}", checklist, projects[r.project], roles[r.role], r.inspector,
                                  r.date, r.submitted_at,
                                  findings={c: answers.get(label) for c, label in r.answers.items()},
                                  corrected=dict(r.corrected)))
    return out


def simulate_fix_reports(standards: Standards, *, start: dt.date, end: dt.date, seed: int,
                         on_time: float = 0.92, late: float = 0.03) -> list[dict]:
    """Fix reports for the demo's actions: most on time, some late, the rest never; one for an action that
    does not exist (the data-quality page lists it). A report followed by the same finding reopens the action
    (a repeat), which gets its own report in the next round. Sorted by submission time."""
    tz = ZoneInfo(standards.organisation.timezone)
    inspections = simulated_inspections(standards, start=start, end=end, seed=seed)
    out: list[dict] = []
    reports: list[sc.FixReport] = []
    decided: set[tuple] = set()
    for _ in range(3):   # each round reports the actions the previous round's reports reopened
        added = 0
        for a in sc.corrective_actions(standards, inspections, reports):
            key = (a.project, a.code, a.opened)
            if key in decided or a.closed_how == sc.ON_THE_SPOT or a.reported is not None:
                continue
            decided.add(key)
            rng = random.Random(f"{seed}:fix-report:{a.project}:{a.code}:{a.opened.isoformat()}")
            roll = rng.random()
            if roll < on_time:
                fixed = a.opened + dt.timedelta(days=rng.randint(0, max(0, (a.due - a.opened).days)))
            elif roll < on_time + late:
                fixed = a.due + dt.timedelta(days=rng.randint(1, 6))
            else:
                continue
            if (a.closed is not None and fixed > a.closed) or fixed > end:
                continue   # the next inspection found it fixed before any report, or after the demo's end
            section = standards.section_of(a.code)
            problem = patrol_sim.ITEM_NOTES.get(a.code, [standards.items[a.code].short])[0]
            measure = f"{problem}：" + (CRITICAL_MEASURE if a.critical else rng.choice(
                MEASURES.get(section.number if section else "", ["已整改"])))
            when = dt.datetime.combine(fixed, dt.time(rng.randint(16, 20), rng.randint(0, 59)), tz)
            out.append(dict(submitted_at=when, project=standards.projects[a.project].name,
                            code=f"{a.code} {standards.items[a.code].short}", found=a.opened, fixed=fixed,
                            measure=measure, photo="", reporter=patrol_sim.person_name(rng)))
            reports.append(sc.FixReport(f"sim:{len(reports)}", a.project, a.code, a.opened, fixed, measure,
                                        submitted_at=when))
            added += 1
        if not added:
            break
    out.sort(key=lambda r: (r["submitted_at"], r["project"], r["code"]))
    if out:   # a report for an action that does not exist: quarantined on the data-quality page
        wrong = dict(out[len(out) // 2])
        wrong["found"] = wrong["found"] - dt.timedelta(days=1)
        wrong["submitted_at"] = wrong["submitted_at"] + dt.timedelta(minutes=1)
        out.insert(len(out) // 2 + 1, wrong)
    return out


def fix_header(*, locale: str = "zh-CN") -> list[str]:
    return [patrol_sim.TIMESTAMP_TITLES[locale], *TITLES.values()]


def write_fix_csv(standards: Standards, reports: list[dict], path: Path | str, *, locale: str = "zh-CN",
                  encoding: str = "utf-8") -> Path:
    """Write the reports as the locale's CSV export of the response sheet."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(fix_header(locale=locale))
    for r in reports:
        row = [r["submitted_at"].replace(tzinfo=None), r["project"], r["code"], r["found"], r["fixed"], r["measure"],
               r["photo"], r["reporter"]]
        writer.writerow([patrol_sim.format_cell(v, locale) for v in row])
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path
