"""The customer questionnaire (程序 4.4.2.2): its Google Form, printable sheet, ingest and simulator.

Owners rate customer-service staff on 1–5 scales and may type a comment. The
project is a dropdown that a per-project prefilled link (QR code) fills in, so
the form can be sent after a return visit. Nothing about the owner is asked or
kept except the comment they typed: the form collects no e-mail, and ingest
stores only the mapped cells (time, project, ratings, comment) of each row.

The owner reads no codes: question titles are the questions' texts, and the ids
(`attitude` …) stay the questions' keys in the lock, where ingest maps columns by
title; titles of older forms that started with the id (`attitude 客服人员的服务态度`)
still map by that id. A paper questionnaire typed in later carries its 填写日期,
which then dates the response (the month it counts in).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import random
import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence
from zoneinfo import ZoneInfo

from ...errors import HandbookError
from ...messages import Msg
from ...forms.form_spec import FormSpec, check_unique_ids, choice_question, instrument_form, question_item, stable_id
from ...forms.prefill import custom_param_url, prefill_url, qr_svg
from ...forms.tencent_setup import PROJECT_PARAM
from ...ingest.columns import TIMESTAMP_TITLES, norm, version_of
from ...ingest.shell import Record, Rejection, Responses, ingest_responses, require_columns, source_zone
from ...store import open_store_read_only
from ...ingest.values import parse_date, parse_datetime
from ...printing.fonts import font_faces, subset_first
from ...printing.pdf import render_pdfs
from ...printing.sheet_html import qr_marker
from ...inspection import FIELD_TITLES
from ...standards import Standards
from ...templating import render
from ..patrol.simulate import TIMESTAMP_TITLES as EXPORT_TIMESTAMP_TITLES
from ..patrol.simulate import format_cell

COMMENT = "comment"
FILLED = "filled"
FILLED_TITLE = "填写日期"
PROJECT_HINT = "如果已经选好，请不要修改；没有选好时，请选择您所在的小区。"
FILLED_HINT = "选填：在手机上填写的不用选。"
THANKS_TITLE = "谢谢！"


def questionnaire(standards: Standards):
    """The questionnaire from methods.yaml; an error when there is none."""
    q = standards.methods_file.questionnaire
    if q is None:
        raise HandbookError(Msg.NO_QUESTIONNAIRE)
    return q


def survey_id(standards: Standards) -> str | None:
    """The questionnaire's id (its form's key in forms/ and the lock), or None without one."""
    q = standards.methods_file.questionnaire
    return q.id if q else None


def question_title(question) -> str:
    """Title of a rating question: its text, as the owner reads it (ingest maps it by the lock's title or
    the text; the id stays the question's key)."""
    return question.text


def _projects(standards: Standards) -> list[str]:
    return [p.id for p in standards.organisation.projects if p.active]


# ---------------------------------------------------------------- the form

def build_survey_form(standards: Standards) -> FormSpec:
    """The forms.create body, fill requests and question map of the questionnaire's form."""
    q = questionnaire(standards)
    sid = q.id
    items: list[dict] = []
    questions: dict[str, dict] = {}

    def add(key: str, title: str, question: dict, entry: dict, description: str | None = None) -> None:
        items.append(question_item(f"{sid}:{key}", title, question, description))
        questions[question["questionId"]] = {**entry, "title": title}

    names = [standards.projects[p].name for p in _projects(standards)]
    add("field:project", FIELD_TITLES["project"],
        choice_question(stable_id("question:field:project"), names, "DROP_DOWN"), {"field": "project"}, PROJECT_HINT)
    add("field:filled", FILLED_TITLE,
        {"questionId": stable_id(f"question:{sid}:filled"), "required": False,
         "dateQuestion": {"includeYear": True}},
        {"kind": FILLED}, FILLED_HINT)
    scale = q.scale
    for sq in q.questions:
        add(f"q:{sq.id}", question_title(sq),
            {"questionId": stable_id(f"question:{sid}:q:{sq.id}"), "required": True,
             "scaleQuestion": {"low": scale.min, "high": scale.max,
                               "lowLabel": scale.min_label, "highLabel": scale.max_label}},
            {"survey": sq.id})
    if q.comment:
        add("comment", q.comment,
            {"questionId": stable_id(f"question:{sid}:comment"), "required": False,
             "textQuestion": {"paragraph": True}},
            {"kind": COMMENT})
    if q.thanks:
        items.append({"itemId": stable_id(f"item:{sid}:thanks"), "title": THANKS_TITLE,
                      "description": q.thanks.strip(), "textItem": {}})
    check_unique_ids(sid, items)
    # written for owners: a greeting, how to answer, who asks; no procedure numbers, codes or staff notes
    description = "\n\n".join(filter(None, [
        (q.greeting or "").strip(),
        f"每题从 {scale.min} 到 {scale.max} 选一个分数：{scale.min} 分 = {scale.min_label}，{scale.max} 分 = "
        f"{scale.max_label}。",
        standards.organisation.name]))
    # owners stay anonymous: an e-mail address is never collected
    return instrument_form(sid, q.title, standards.document.version, description, items, questions)


def survey_links(lock: dict, standards: Standards) -> dict[str, str]:
    """Project id -> responder link with that project chosen ({} before the form is pushed)."""
    sid = survey_id(standards)
    entry = lock.get("checklists", {}).get(sid) if sid else None
    if not entry or not entry.get("responder_url"):
        return {}
    if entry.get("source") == "tencent":   # 腾讯问卷: the project rides as the custom link parameter
        return {pid: custom_param_url(entry["responder_url"], PROJECT_PARAM, pid) for pid in _projects(standards)}
    spec = build_survey_form(standards)
    versions = entry.get("versions", {})
    chosen = versions.get(standards.document.version) or (list(versions.values())[-1] if versions else {})
    qid = next((k for k, v in chosen.get("questions", {}).items() if v.get("field") == "project"), None)
    qid = qid or next(k for k, v in spec.questions.items() if v.get("field") == "project")
    return {pid: prefill_url(entry["responder_url"], {qid: standards.projects[pid].name})
            for pid in _projects(standards)}


# ---------------------------------------------------------------- printable sheet

def render_survey_sheet(standards: Standards, project: str | None = None, url: str | None = None, *,
                        demo: bool = False, qr_slot: bool = False) -> str:
    """The owner's A4 paper questionnaire as HTML: the project's name, and the QR code of its prefilled
    form when `url` is given (marked 演示 when `demo`: the demo lock's form is not real). Nothing on it
    is for staff: no procedure numbers, codes or entry instructions (those are on the method page).
    `qr_slot`: the QR code left as a marker (`printing.sheet_html.qr_marker`), drawn only if the PDF is rendered."""
    q = questionnaire(standards)
    qr = (qr_marker(url, scale=3) if qr_slot else qr_svg(url, scale=3)) if url else ""
    return render("methods/survey.html", q=q, organisation=standards.organisation.name,
                  project=standards.projects[project].name if project else "",
                  scale=list(range(q.scale.min, q.scale.max + 1)), url=url or "", filled_title=FILLED_TITLE,
                  qr=qr, demo=demo)


def survey_sheet_path(standards: Standards, project: str | None = None) -> str:
    """Docs-relative path of the printable questionnaire (blank or for one project)."""
    sid = survey_id(standards)
    return f"print/{sid}.pdf" if project is None else f"print/{sid}-{project}.pdf"


def write_survey_sheets(standards: Standards, docs_dir: Path, lock: dict | None = None, *,
                        cache_dir: Path | None = None, printed_sources: Sequence[str]) -> list[str]:
    """Write the blank questionnaire and one per project (with its QR code once pushed) as PDFs (with a
    `cache_dir`, in the font subset of `printed_sources`: `printing.fonts.font_faces`)."""
    lock = lock or {"checklists": {}}
    links = survey_links(lock, standards)
    planned = [(render_survey_sheet(standards), survey_sheet_path(standards))]
    planned += [(render_survey_sheet(standards, p, links.get(p), demo=bool(lock.get("demo")), qr_slot=True),
                 survey_sheet_path(standards, p)) for p in _projects(standards)]
    for _, rel in planned:
        (docs_dir / rel).parent.mkdir(parents=True, exist_ok=True)
    faces = font_faces(standards, cache_dir, printed_sources)
    render_pdfs([(subset_first(html, faces), docs_dir / rel) for html, rel in planned], faces, cache_dir=cache_dir)
    return [rel for _, rel in planned]


# ---------------------------------------------------------------- ingest

# Why a row is quarantined: code -> the catalogued message (messages.py, I3xx) and the name of its field
REASONS = {
    "missing_answer": (Msg.ROW_MISSING_ANSWER, "columns"),
    "unanswered": (Msg.ROW_UNANSWERED, "columns"),
    "unknown_project": (Msg.ROW_UNKNOWN_PROJECT, "value"),
    "bad_time": (Msg.ROW_BAD_TIME, "value"),
    "bad_filled": (Msg.ROW_BAD_FILLED, "value"),
    "not_an_option": (Msg.ROW_NOT_AN_OPTION, "value"),
    "duplicate": (Msg.ROW_DUPLICATE_ROW, None),
    "too_long": (Msg.ROW_COMMENT_TOO_LONG, "limit"),
}
MAX_COMMENT = 5000
_ID_AT_START = re.compile(r"^([a-z][a-z0-9_-]*)(?:\s|$)")


class SurveyRejected(Rejection):
    def __init__(self, code: str, value: object = "", column: str = ""):
        msg, name = REASONS[code]
        super().__init__(code, msg, column, **({name: str(value)[:60]} if name else {}))


@dataclass(frozen=True)
class SurveyResponse:
    """One questionnaire answered: when, which project, the ratings and the comment as typed."""

    id: str
    submitted_at: dt.datetime
    project: str
    answers: dict[str, int]
    comment: str = ""
    form_version: str = ""

    @property
    def month(self) -> str:
        return f"{self.submitted_at.year}-{self.submitted_at.month:02}"


def _norm(text) -> str:
    return norm(text)


def map_survey_columns(header: list, standards: Standards, form=None,
                       twins: dict[int, list[int]] | None = None) -> tuple[dict[int, tuple], list[str]]:
    """Column index -> (kind, key) for timestamp, project, each rating and the comment; and unmapped names.

    Ratings map by the question id at the start of the title, then by any title the lock
    recorded for the form; e-mail and other columns are left out (and never stored).
    """
    q = questionnaire(standards)
    ids = {sq.id for sq in q.questions}
    titles: dict[str, tuple] = {_norm(question_title(sq)): ("q", sq.id) for sq in q.questions}
    titles.update({_norm(sq.text): ("q", sq.id) for sq in q.questions})
    if q.comment:
        titles[_norm(q.comment)] = (COMMENT, "")
    titles[_norm(FIELD_TITLES["project"])] = ("project", "")
    titles[_norm(FILLED_TITLE)] = (FILLED, "")
    for version in (form.versions if form else ()):
        for entry in version.questions.values():
            title = _norm(entry.get("title"))
            if entry.get("survey"):
                titles.setdefault(title, ("q", str(entry["survey"])))
            elif entry.get("kind") == COMMENT:
                titles.setdefault(title, (COMMENT, ""))
            elif entry.get("kind") == FILLED:
                titles.setdefault(title, (FILLED, ""))
            elif entry.get("field") == "project":
                titles.setdefault(title, ("project", ""))
    targets: dict[int, tuple] = {}
    unmapped: list[str] = []
    for i, cell in enumerate(header):
        text = _norm(cell)
        if text.lower() in TIMESTAMP_TITLES:
            target = ("timestamp", "")
        elif (m := _ID_AT_START.match(text)) and m.group(1) in ids:
            target = ("q", m.group(1))
        else:
            target = titles.get(text)
        if target is not None and target in targets.values() and twins is not None:
            # a question deleted and added back on the form: its answers are in one column or the other
            twins.setdefault(next(j for j, t in targets.items() if t == target), []).append(i)
            continue
        if target is None or target in targets.values():
            unmapped.append(str(cell or ""))
            continue
        targets[i] = target
    return targets, unmapped


def merge_twins(cells: list, twins: dict[int, list[int]], targets: dict[int, tuple], header: list) -> list:
    """The row with each twin column's answer in its first column; two different ratings are
    `SurveyRejected`, two different comments are both kept (one per line)."""
    cells = list(cells)
    for first, others in twins.items():
        given = [cells[i] for i in [first, *others] if i < len(cells) and str(cells[i] or "").strip()]
        distinct = list(dict.fromkeys(str(v).strip() for v in given))
        if not given:
            continue
        while len(cells) <= first:
            cells.append(None)
        if len(distinct) > 1 and targets[first][0] == COMMENT:
            cells[first] = "\n".join(distinct)
        elif len(distinct) > 1:
            raise SurveyRejected("not_an_option", f"“{str(header[first])[:30]}”的 {len(given)} 列答案不同",
                                 str(header[first])[:60])
        else:
            cells[first] = given[0]
    return cells


def asked_columns(standards: Standards, form, version) -> list[tuple[tuple, str]]:
    """Every column (target, title) a header of a form version's responses has: the timestamp, the project,
    each rating and the comment as the lock records that version (its first one for responses older than
    it), else the questionnaire as the standards have it now. Every rating is a required question."""
    q = questionnaire(standards)
    versions = getattr(form, "versions", ()) or ()
    if version is None and versions:
        version = versions[0]
    columns = [(("timestamp", ""), "时间戳记"), (("project", ""), FIELD_TITLES["project"])]
    if version is None:
        columns += [(("q", sq.id), question_title(sq)) for sq in q.questions]
        return columns + ([((COMMENT, ""), q.comment)] if q.comment else [])
    for entry in version.questions.values():
        if entry.get("survey"):
            columns.append((("q", str(entry["survey"])), str(entry.get("title") or entry["survey"])))
        elif entry.get("kind") == COMMENT:
            columns.append(((COMMENT, ""), str(entry.get("title") or COMMENT)))
    return columns


def normalise_survey(cells: list, targets: dict[int, tuple], standards: Standards, source_tz,
                     form=None, versions_used: dict | None = None, date_order: str | None = None) -> SurveyResponse:
    """One response row as a `SurveyResponse`, or `SurveyRejected` with the reason.

    A rating left blank is a damaged row (the form requires every rating): `未答`, never left out of the
    means. `versions_used` collects (by name) the form version of each row whose time could be read."""
    q = questionnaire(standards)
    org_tz = ZoneInfo(standards.organisation.timezone)
    by_kind = {t: i for i, t in targets.items()}

    def cell(kind, key=""):
        i = by_kind.get((kind, key))
        value = cells[i] if i is not None and i < len(cells) else None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return value

    raw_time = cell("timestamp")
    if raw_time in (None, ""):
        raise SurveyRejected("missing_answer", "时间戳记", "时间戳记")
    try:
        submitted = parse_datetime(raw_time, source_tz, org_tz, date_order)
    except (ValueError, OverflowError):
        raise SurveyRejected("bad_time", raw_time, "时间戳记") from None
    version = version_of(form, submitted) if form else None
    if versions_used is not None:
        versions_used[version.name if version else ""] = version
    raw_filled = cell(FILLED)
    if raw_filled not in (None, ""):   # a paper questionnaire typed in later: dated by the owner's 填写日期
        try:
            filled = parse_date(raw_filled, source_tz, date_order)
        except (ValueError, OverflowError):
            raise SurveyRejected("bad_filled", raw_filled, FILLED_TITLE) from None
        if filled > submitted.date():
            raise SurveyRejected("bad_filled", f"{raw_filled}（晚于提交日期 {submitted.date().isoformat()}）",
                                 FILLED_TITLE)
        late = (submitted.date() - filled).days
        if late > standards.organisation.late_entry_days:   # a year typo would move it to another quarter
            raise SurveyRejected("bad_filled", f"{raw_filled}（早于提交日期 {submitted.date().isoformat()} "
                                               f"{late} 天，超过补录期限 {standards.organisation.late_entry_days} 天）",
                                 FILLED_TITLE)
        submitted = dt.datetime.combine(filled, submitted.timetz())
    project_raw = str(cell("project") or "").strip()
    if not project_raw:
        raise SurveyRejected("missing_answer", FIELD_TITLES["project"], FIELD_TITLES["project"])
    names = {_norm(p.name): p.id for p in standards.organisation.projects} | {p: p for p in standards.projects}
    project = names.get(_norm(project_raw))
    if project is None:
        raise SurveyRejected("unknown_project", project_raw, FIELD_TITLES["project"])
    blank = [key for (kind, key), _ in asked_columns(standards, form, version)
             if kind == "q" and (kind, key) in by_kind and cell(kind, key) in (None, "")]
    if blank:
        raise SurveyRejected("unanswered", "、".join(blank), blank[0])
    answers: dict[str, int] = {}
    for sq in q.questions:
        value = cell("q", sq.id)
        if value in (None, ""):
            continue
        try:
            number = int(str(value).strip())
        except ValueError:
            number = None
        if number is None or not q.scale.min <= number <= q.scale.max:
            raise SurveyRejected("not_an_option", f"“{sq.text}”的答案“{value}”不在 {q.scale.min}–{q.scale.max} 之间",
                                 sq.text)
        answers[sq.id] = number
    if not answers:
        raise SurveyRejected("missing_answer", "没有任何评分")
    comment = str(cell(COMMENT) or "").strip()
    if len(comment) > MAX_COMMENT:
        raise SurveyRejected("too_long", f"{len(comment)} 个字符（上限 {MAX_COMMENT}）")
    key = json.dumps([submitted.isoformat(), project, answers, comment], ensure_ascii=False, sort_keys=True)
    rid = hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]
    return SurveyResponse(rid, submitted, project, answers, comment, version.name if version else "")


def ingest_survey_table(conn: sqlite3.Connection, table, standards: Standards, form, now: str, report) -> None:
    """Store one fetched questionnaire sheet inside the run's transaction (through the ingest shell); fills
    `report`'s counts.

    Only the mapped cells of each row are kept (raw row included), so an e-mail or any
    other column of an export never reaches the store. A response that left the source
    is marked gone; one that comes back is current again.
    """
    source_tz = source_zone(table, ZoneInfo(standards.organisation.timezone))
    twins: dict[int, list[int]] = {}
    targets, unmapped = map_survey_columns(table.header, standards, form, twins)
    keep = sorted([*targets, *(i for others in twins.values() for i in others)])
    for first, others in twins.items():   # said once per source, with the columns it merged
        report.warnings.append(Msg.INGEST_TWIN_COLUMNS(
            name=str(table.header[first])[:60], n=1 + len(others),
            positions="、".join(str(i + 1) for i in [first, *others])))
    report.unmapped_columns = [u for u in unmapped if _norm(u)]
    survey = questionnaire(standards).id
    versions_used: dict = {}

    def read(number: int, cells: list) -> Record:
        if twins:
            cells = merge_twins(cells, twins, targets, table.header)
        r = normalise_survey(cells, targets, standards, source_tz, form, versions_used, table.date_order)
        return Record(r.id, r)

    def insert(conn: sqlite3.Connection, record: Record, sid: int, number: int, raw_id: int) -> None:
        r = record.values
        conn.execute("INSERT INTO survey_responses (id, survey, source_id, row_number, raw_row_id, submitted_at, "
                     "project, form_version, comment, first_seen_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     (r.id, survey, sid, number, raw_id, r.submitted_at.isoformat(), r.project,
                      r.form_version, r.comment, now))
        conn.executemany("INSERT INTO survey_answers (response_id, question, value) VALUES (?, ?, ?)",
                         [(r.id, k, v) for k, v in r.answers.items()])

    ingest_responses(conn, table, report, now, Responses(
        "survey_responses", read, insert, lambda first, number: SurveyRejected("duplicate"), keep=keep))
    _check_survey_header(table, targets, standards, form, versions_used, survey)


def _check_survey_header(table, targets: dict[int, tuple], standards: Standards, form, versions_used: dict,
                         survey: str) -> None:
    """Refuse (and so roll back the run) a questionnaire export whose header lacks a column of the form
    version its rows were answered on (the newest when no row has a readable time): a rating column
    deleted from an export would otherwise drop out of the means unnoticed."""
    if not table.rows:
        return
    versions = getattr(form, "versions", ()) or ()
    have = set(targets.values())
    missing: dict[str, None] = {}
    for version in list(versions_used.values()) or [versions[-1] if versions else None]:
        missing.update((title, None) for target, title in asked_columns(standards, form, version)
                       if target not in have)
    require_columns(table, "问卷", survey, list(missing))


def read_survey(db_path: Path | str, *, include_gone: bool = False) -> list[SurveyResponse]:
    """Every stored questionnaire response, oldest first ([] for a store from before questionnaires)."""
    conn = open_store_read_only(db_path)
    try:
        if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'survey_responses'").fetchone():
            return []
        rows = conn.execute("SELECT id, submitted_at, project, comment, form_version FROM survey_responses "
                            + ("" if include_gone else "WHERE gone_at IS NULL ") + "ORDER BY submitted_at, id"
                            ).fetchall()
        answers: dict[str, dict] = {}
        for rid, question, value in conn.execute("SELECT response_id, question, value FROM survey_answers"):
            answers.setdefault(rid, {})[question] = value
    finally:
        conn.close()
    return [SurveyResponse(rid, dt.datetime.fromisoformat(at), project, answers.get(rid, {}), comment or "", fv)
            for rid, at, project, comment, fv in rows]


# ---------------------------------------------------------------- simulator

COMMENTS = ["客服小姐姐很耐心，谢谢！", "报修后第二天才有人联系，希望快一点。", "态度很好，问题解决了。",
            "电话经常打不通。", "希望回访时说明处理结果。", "整体满意，继续保持。", "前台人员对收费标准解释不清楚。"]
HOSTILE_COMMENT = '<script>alert("x")</script><img src=x onerror=alert(1)> **不满意** [点我](javascript:alert(1))'


@dataclass
class SimSurvey:
    submitted_at: dt.datetime
    project: str                    # project name, as the form shows it
    answers: dict[str, int] = field(default_factory=dict)
    comment: str = ""


def simulate_survey(standards: Standards, start: dt.date, end: dt.date, seed: int = 1, *,
                    projects: list[str] | None = None, per_month: tuple[int, int] = (4, 12),
                    hostile_comment: bool = False) -> list[SimSurvey]:
    """Questionnaire responses from `start` to `end`: a few to a dozen per project and month, sorted by time."""
    q = questionnaire(standards)
    tz = ZoneInfo(standards.organisation.timezone)
    out: list[SimSurvey] = []
    days = (end - start).days + 1
    for pid in projects or _projects(standards):
        rng = random.Random(f"{seed}:survey:{pid}")
        mood = rng.uniform(2.8, 4.6)
        months = max(1, round(days / 30))
        for _ in range(sum(rng.randint(*per_month) for _ in range(months))):
            day = start + dt.timedelta(days=rng.randrange(days))
            when = dt.datetime.combine(day, dt.time(rng.randint(9, 21), rng.randint(0, 59), rng.randint(0, 59)), tz)
            base = rng.gauss(mood, 0.7)
            answers = {}
            for sq in q.questions:
                shift = -0.5 if sq.id == "speed" else 0.0   # owners wait: speed is rated lowest
                answers[sq.id] = max(q.scale.min, min(q.scale.max, round(base + shift + rng.gauss(0, 0.5))))
            comment = rng.choice(COMMENTS) if rng.random() < 0.25 else ""
            out.append(SimSurvey(when, standards.projects[pid].name, answers, comment))
    out.sort(key=lambda r: (r.submitted_at, r.project))
    if hostile_comment and out:
        out[-1].comment = HOSTILE_COMMENT
    return out


def survey_header(standards: Standards, *, locale: str = "zh-CN") -> list[str]:
    """The response sheet's header as Google writes it for the generated form."""
    q = questionnaire(standards)
    return ([EXPORT_TIMESTAMP_TITLES[locale], FIELD_TITLES["project"], FILLED_TITLE]
            + [question_title(sq) for sq in q.questions] + ([q.comment] if q.comment else []))


def survey_sheet_values(standards: Standards, responses: list[SimSurvey], *, locale: str = "zh-CN") -> list[list]:
    """Header plus one typed row per response (naive local date-times), for the fake Sheets server."""
    q = questionnaire(standards)
    rows: list[list] = [survey_header(standards, locale=locale)]
    for r in responses:
        rows.append([r.submitted_at.replace(tzinfo=None), r.project, ""]   # 填写日期: blank when filled on a phone
                    + [r.answers.get(sq.id, "") for sq in q.questions] + ([r.comment] if q.comment else []))
    return rows


def write_survey_csv(standards: Standards, responses: list[SimSurvey], path: Path | str, *,
                     locale: str = "zh-CN", encoding: str = "utf-8") -> Path:
    """Write the responses as the locale's CSV export of the response sheet."""
    values = survey_sheet_values(standards, responses, locale=locale)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in values:
        writer.writerow([format_cell(v, locale) for v in row])
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path
