"""Quiz response sheets into the store, graded from the YAML key (never from the form's score).

`ingest_exam_table` runs (as `QuarterlyExam.ingest_table`) inside `run_ingest`'s transaction
for sources whose key is an exam form id (`exam-2026Q4`): raw rows go to the shared append-only
`raw_rows`, each usable row becomes an `exam_responses` row with one
`exam_answers` row per question (answer as given, correct, points earned), and
rows that cannot be used go to the shared `quarantine`. A response's identity is
its content: a second run adds nothing, a row gone from the sheet is flagged
`gone_at` (kept, restored when it comes back), and every stored response of the
exam is re-graded with the current YAML key on each ingest.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from ...errors import HandbookError
from ...messages import Msg
from ...ingest.columns import EMAIL, EMAIL_TITLES, TIMESTAMP_TITLES, Rejected, norm
from ...ingest.shell import (Record, Responses, ingest_responses, require_columns, source_name, source_zone,
                             unmapped)
from ...store import StoreWriter, open_store_read_only
from ...ingest.values import parse_datetime
from .settings import Exam
from ...results.scoring import quarter_bounds, quarter_label, quarter_of
from ...standards import Standards
from .quiz import (NAME_TITLE, PROJECT_TITLE, Grade, ScoredResponse, find_key_mismatches, grade,
                   option_labels, parse_score, quarter_of_form, require_exam, split_answer, strip_number)

SCORE_TITLES = {"score", "分数", "分數", "得分", "puntuación", "note", "スコア"}


@dataclass(frozen=True)
class ExamColumns:
    timestamp: int | None
    score: int | None
    project: int | None
    name: int | None
    questions: dict[int, str]          # column -> exam question id
    unmapped: list[tuple[int, str]]


def _title_map(exam: Exam, lock_form) -> dict[str, str]:
    """Normalised column title -> question id: the lock's titles of every version, then the YAML texts."""
    titles: dict[str, str] = {}
    for version in getattr(lock_form, "versions", ()):
        for entry in version.questions.values():
            if entry.get("exam_question"):
                titles.setdefault(norm(entry["title"]), entry["exam_question"])
    for q in exam.questions:
        titles.setdefault(norm(q.text), q.id)
    return titles


def map_exam_columns(header: list, exam: Exam, lock_form=None) -> ExamColumns:
    """Which column is the timestamp, the Score, the project, the name and each question."""
    titles = _title_map(exam, lock_form)
    ts = score = project = name = None
    questions: dict[int, str] = {}
    unmapped = []
    for i, cell in enumerate(header):
        text = norm(cell)
        low = text.lower()
        if low in TIMESTAMP_TITLES and ts is None:
            ts = i
        elif low in SCORE_TITLES and score is None:
            score = i
        elif low in EMAIL_TITLES:
            continue                      # never read: results never show an e-mail address
        elif text == PROJECT_TITLE and project is None:
            project = i
        elif text == NAME_TITLE and name is None:
            name = i
        elif text in titles or norm(strip_number(text)) in titles:
            qid = titles.get(text) or titles[norm(strip_number(text))]
            if qid not in questions.values():
                questions[i] = qid
            else:
                unmapped.append((i, str(cell)))
        elif text:
            unmapped.append((i, str(cell)))
    return ExamColumns(ts, score, project, name, questions, unmapped)


@dataclass
class ExamRow:
    """One usable quiz response, graded."""

    submitted_at: dt.datetime
    project: str
    person: str
    chosen: dict[str, list[str]]
    form_score: tuple[float, float] | None
    grade: Grade

    def content_hash(self, exam_form: str) -> str:
        payload = json.dumps([exam_form, self.submitted_at.isoformat(), self.project, self.person,
                              sorted(self.chosen.items()), self.form_score], ensure_ascii=False)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _text(value) -> str:
    return "" if value is None else str(value).strip()


# Answers may come in this many days before the exam's quarter starts or after it ends (a paper keyed in late)
QUARTER_GRACE_DAYS = 31


def read_row(cells: list, columns: ExamColumns, s: Standards, exam: Exam, source_tz, target_tz,
             date_order: str | None = None) -> ExamRow:
    """Normalise and grade one row; raises `Rejected` when it cannot be used."""
    def cell(i):
        return cells[i] if i is not None and i < len(cells) else None

    # names are data: kept as typed (an `=` or HTML never quarantines a response); output makes them safe
    raw_time = cell(columns.timestamp)
    try:
        submitted = parse_datetime(raw_time, source_tz, target_tz, date_order)
    except (ValueError, TypeError):
        raise Rejected("bad_time", raw_time) from None
    project_text = _text(cell(columns.project))
    projects = {p.name: p.id for p in s.organisation.projects} | {p.id: p.id for p in s.organisation.projects}
    if project_text not in projects:
        if not project_text:
            raise Rejected("missing_answer", PROJECT_TITLE)
        raise Rejected("unknown_project", project_text)
    person = _text(cell(columns.name))
    if EMAIL.search(person):
        raise Rejected("email_as_name")
    # every quiz question is required on the form: a blank answer is a damaged row, never graded as wrong
    blank = [qid for i, qid in columns.questions.items() if _text(cell(i)) == ""]
    if blank:
        raise Rejected("unanswered", "、".join(blank))
    by_id = {q.id: q for q in exam.questions}
    chosen: dict[str, list[str]] = {}
    for i, qid in columns.questions.items():
        labels, valid = split_answer(by_id[qid], cell(i))
        if not valid:
            raise Rejected("not_an_option", f"第 {qid} 题的答案“{_text(cell(i))}”不是选项"
                                            f"（{' / '.join(option_labels(by_id[qid]))}）", column=qid)
        chosen[qid] = labels
    return ExamRow(submitted, projects[project_text], person, chosen, parse_score(cell(columns.score)),
                   grade(exam, chosen))


def _check_quarter(table, form: str, quarter: str, number: int, submitted: dt.datetime) -> None:
    """Refuse the source when an answer was submitted outside the exam's quarter (give or take
    QUARTER_GRACE_DAYS): the wrong `--checklist exam-<quarter>` would file a quarter's papers under another."""
    start, end = quarter_bounds(quarter)
    grace = dt.timedelta(days=QUARTER_GRACE_DAYS)
    day = submitted.date()
    if start - grace <= day <= end + grace:
        return
    fit = quarter_of(day)
    raise HandbookError(Msg.EXAM_WRONG_QUARTER, source=source_name(table), row=number, day=day.isoformat(), form=form,
                        label=quarter_label(quarter), grace=QUARTER_GRACE_DAYS, fit_label=quarter_label(fit), fit=fit)


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def ingest_exam_table(conn: sqlite3.Connection, table, s: Standards, locked_form, now: str, report) -> None:
    """Write one quiz response table inside `run_ingest`'s open transaction (through the ingest shell); fills
    the report's counts. Every cell of each row is kept in the raw rows."""
    exam = require_exam(s)
    target_tz = ZoneInfo(s.organisation.timezone)
    form = table.source.checklist
    quarter = quarter_of_form(form)
    columns = map_exam_columns(table.header, exam, locked_form)
    if columns.timestamp is None or columns.project is None or not columns.questions:
        raise HandbookError(Msg.NOT_EXAM_RESPONSES, source=report.source, project=PROJECT_TITLE,
                            header="、".join(f"“{h}”" for h in table.header[:6]))
    # every question is graded: one whose column was deleted from the export would cost everyone its points
    if table.rows:
        require_columns(table, "考试", form,
                        [f"“{q.text}”" for q in exam.questions if q.id not in columns.questions.values()])
    source_tz = source_zone(table, target_tz)

    def read(number: int, cells: list) -> Record:
        row = read_row(cells, columns, s, exam, source_tz, target_tz, table.date_order)
        _check_quarter(table, form, quarter, number, row.submitted_at)
        return Record(row.content_hash(form)[:20], row)

    def insert(conn: sqlite3.Connection, record: Record, sid: int, number: int, raw_id: int) -> None:
        row, rid = record.values, record.id
        score, g = row.form_score, row.grade
        conn.execute(
            "INSERT INTO exam_responses (id, exam, quarter, source_id, row_number, raw_row_id, submitted_at, "
            "project, person, form_score, form_total, earned, total, passed, first_seen_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (rid, form, quarter, sid, number, raw_id, row.submitted_at.isoformat(), row.project,
             row.person, score[0] if score else None, score[1] if score else None, g.earned, g.total,
             int(g.passed), now))
        conn.executemany(
            "INSERT INTO exam_answers (response_id, question, answer, correct, earned) VALUES (?, ?, ?, ?, ?)",
            [(rid, a.question, json.dumps(list(a.chosen), ensure_ascii=False), int(a.correct), a.earned)
             for a in g.answers])

    raw = ingest_responses(conn, table, report, now, Responses(
        "exam_responses", read, insert, lambda first, number: Rejected("duplicate", f"第 {number} 行之前的同一答卷"),
        raw_default=str))
    unmapped(StoreWriter(conn), raw.source_id, columns.unmapped, now)
    report.unmapped_columns = [name for _, name in columns.unmapped]
    regrade(conn, exam, form)
    mismatch = find_key_mismatches(exam, [r.scored() for r in _read(conn, form)])
    if mismatch is not None:
        report.warnings.append(mismatch.message)


def regrade(conn: sqlite3.Connection, exam: Exam, form: str) -> int:
    """Grade every stored response of `form` again with the current YAML key; returns how many changed."""
    changed = 0
    answers: dict[str, dict[str, list[str]]] = {}
    for rid, qid, answer in conn.execute(
            "SELECT a.response_id, a.question, a.answer FROM exam_answers a "
            "JOIN exam_responses r ON r.id = a.response_id WHERE r.exam = ?", (form,)):
        answers.setdefault(rid, {})[qid] = json.loads(answer)
    for rid, earned, total in conn.execute(
            "SELECT id, earned, total FROM exam_responses WHERE exam = ?", (form,)).fetchall():
        g = grade(exam, answers.get(rid, {}))
        rows = {(a.question, int(a.correct), a.earned) for a in g.answers}
        stored = set(conn.execute("SELECT question, correct, earned FROM exam_answers WHERE response_id = ?", (rid,)))
        if (earned, total) == (g.earned, g.total) and rows == stored:
            continue
        changed += 1
        conn.execute("UPDATE exam_responses SET earned = ?, total = ?, passed = ? WHERE id = ?",
                     (g.earned, g.total, int(g.passed), rid))
        conn.execute("DELETE FROM exam_answers WHERE response_id = ?", (rid,))
        conn.executemany(
            "INSERT INTO exam_answers (response_id, question, answer, correct, earned) VALUES (?, ?, ?, ?, ?)",
            [(rid, a.question, json.dumps(list(a.chosen), ensure_ascii=False), int(a.correct), a.earned)
             for a in g.answers])
    return changed


# ---------------------------------------------------------------- reading

@dataclass(frozen=True)
class ExamResponse:
    """A stored, graded quiz response (current, not gone from its source)."""

    id: str
    exam: str
    quarter: str
    submitted_at: dt.datetime
    project: str
    person: str
    earned: float
    total: float
    passed: bool
    form_score: float | None
    form_total: float | None
    answers: dict[str, tuple[tuple[str, ...], bool]]   # question id -> (chosen labels, correct)

    @property
    def percent(self) -> float:
        return 100.0 * self.earned / self.total if self.total else 0.0

    def scored(self) -> ScoredResponse:
        return ScoredResponse(self.id, {q: c for q, (c, _) in self.answers.items()}, self.form_score,
                              self.form_total)


def read_exam_responses(db_path: Path | str, *, exam: str | None = None) -> list[ExamResponse]:
    """Every stored quiz response still in its source, oldest first; [] for a store without exam tables."""
    conn = open_store_read_only(db_path)
    try:
        return _read(conn, exam)
    finally:
        conn.close()


def _read(conn: sqlite3.Connection, exam: str | None = None) -> list[ExamResponse]:
    if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'exam_responses'").fetchone():
        return []
    where, args = "gone_at IS NULL", []
    if exam:
        where += " AND exam = ?"
        args.append(exam)
    rows = conn.execute(f"""SELECT id, exam, quarter, submitted_at, project, person, earned, total, passed,
                            form_score, form_total FROM exam_responses WHERE {where}
                            ORDER BY submitted_at, id""", args).fetchall()
    answers: dict[str, dict] = {}
    for rid, qid, answer, correct in conn.execute("SELECT response_id, question, answer, correct FROM exam_answers"):
        answers.setdefault(rid, {})[qid] = (tuple(json.loads(answer)), bool(correct))
    return [ExamResponse(rid, ex, qu, dt.datetime.fromisoformat(sub), pr, pe, ea, to, bool(pa), fs, ft,
                         answers.get(rid, {}))
            for rid, ex, qu, sub, pr, pe, ea, to, pa, fs, ft in rows]
