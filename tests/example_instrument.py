"""A minimal instrument, the worked example of CONTRIBUTING.md: a 电话回访 phone spot-check.

The department calls a few customers per project and records whether they were satisfied.
In the real package this would be `generator/instruments/phone/__init__.py` (the class) with its
work in modules it imports inside its methods, one instance added to `INSTRUMENTS`; the tests
register it by passing `[*INSTRUMENTS, PhoneCallback()]`.

Its ingest is the ingest shell's (`generator/ingest/shell.py`): the shell registers the source,
keeps every row as fetched, reads times in the source's zone, checks the header, keeps one record
per content (a second import adds nothing; a row that left the source is flagged gone, and the
deletion guard refuses a source that lost most of its rows), and quarantines a row it cannot use as
data (a catalogued message, its fields and the column). The instrument gives only its mapping
(`read_row`: a row → a `Record`, or a `Rejection`) and its table.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from zoneinfo import ZoneInfo

import click

from generator.cli.forms import instrument_form_commands
from generator.cli.options import STANDARDS_OPTION, HandbookGroup, store_option
from generator.forms.form_spec import check_unique_ids, choice_question, instrument_form, question_item, stable_id
from generator.ingest.columns import TIMESTAMP_TITLES, norm
from generator.ingest.shell import Record, Rejection, Responses, ingest_responses, require_columns, source_zone
from generator.ingest.values import parse_datetime
from generator.inspection import FIELD_TITLES
from generator.store import open_store_read_only
from generator.instruments.base import Instrument
from generator.messages import Msg

FORM_ID = "phone-callback"
PROJECT, ANSWER = FIELD_TITLES["project"], "客户是否满意"
ANSWERS = ("满意", "一般", "不满意")
TABLE = "phone_callbacks"
# its table: id (the content's identity), source_id, row_number and gone_at are what the shell keeps
SCHEMA = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
    id TEXT PRIMARY KEY, source_id INTEGER NOT NULL REFERENCES sources(id), row_number INTEGER NOT NULL,
    raw_row_id INTEGER NOT NULL REFERENCES raw_rows(id), submitted_at TEXT NOT NULL, project TEXT NOT NULL,
    answer TEXT NOT NULL, first_seen_at TEXT NOT NULL, gone_at TEXT
)"""


class PhoneCallback(Instrument):
    id = "phone"
    title = "电话回访"
    store_tables = (TABLE,)
    responses_table = TABLE   # handbook sources, the deletion guard and withdraw count and flag it there
    results_pages = (("电话回访", "results/phone.md"),)   # listed on the results' overview once written
    # made (and upgraded, by store_migrations) in the store the ingest writes, before `ingest_table` runs
    store_schema = SCHEMA

    def form_ids(self, standards):
        return [FORM_ID]

    def build_form(self, context, form_id):   # context: generator.context.Context (standards, instruments …)
        standards = context.standards
        projects = [p.name for p in standards.organisation.projects if p.active]
        # the project question has the id every form shares, so a prefilled link fills it in
        project = choice_question(stable_id("question:field:project"), projects, "DROP_DOWN")
        answer = choice_question(stable_id("question:phone:answer"), list(ANSWERS))
        items = [question_item("phone:project", PROJECT, project), question_item("phone:answer", ANSWER, answer)]
        check_unique_ids(form_id, items)
        return instrument_form(form_id, self.title, standards.document.version,
                               "客户关系部电话回访客户后填写（每次回访一份）。\n\n" + standards.organisation.name,
                               items, {project["questionId"]: {"field": "project", "title": PROJECT},
                                       answer["questionId"]: {"phone": "answer", "title": ANSWER}})

    def ingest_table(self, conn: sqlite3.Connection, table, standards, locked_form, now, report):
        ingest_callbacks(conn, table, standards, now, report)

    def page_generators(self, context):   # asked by each build, with the store it publishes
        store_path = context.store_path

        def generate(ctx) -> None:   # counts only: a page never shows what a customer said
            counts = count_answers(store_path) if store_path.is_file() else {}
            lines = ["# 电话回访", "", "| 回答 | 次数 |", "| --- | --- |"]
            lines += [f"| {a} | {counts.get(a, 0)} |" for a in ANSWERS]
            ctx.write("results/phone.md", "\n".join(lines) + "\n")

        return [generate]

    def register_commands(self, cli):
        # one command shape for every instrument: `handbook phone form|push|count`
        @cli.group("phone", cls=HandbookGroup)
        def phone():
            """电话回访：表单定义、发布表单、回访记录统计。"""

        for command in instrument_form_commands(self):   # `forms build|push` for its form alone
            phone.add_command(command)

        @phone.command("count")
        @STANDARDS_OPTION
        @store_option()
        def count(standards_dir, store_path):
            """按回答统计已导入的回访。"""
            for answer, n in count_answers(store_path).items():
                click.echo(f"{answer} {n}")


# ---------------------------------------------------------------- its mapping (what the shell is given)

def read_row(cells: list, columns: dict[str, int], standards, source_tz) -> Record:
    """One row as a record (identity: a hash of its content), or a `Rejection` naming the column."""
    def cell(key: str) -> str:
        i = columns[key]
        return "" if i >= len(cells) or cells[i] is None else str(cells[i]).strip()

    org_tz = ZoneInfo(standards.organisation.timezone)
    try:
        submitted = parse_datetime(cells[columns["timestamp"]], source_tz, org_tz)
    except (ValueError, TypeError, OverflowError, IndexError):
        raise Rejection("bad_time", Msg.ROW_BAD_TIME, "时间戳记", value=cell("timestamp")[:60]) from None
    blank = [title for key, title in (("project", PROJECT), ("answer", ANSWER)) if not cell(key)]
    if blank:
        raise Rejection("missing_answer", Msg.ROW_MISSING_ANSWER, blank[0], columns="、".join(blank))
    names = {norm(p.name): p.id for p in standards.organisation.projects}
    project = names.get(norm(cell("project")))
    if project is None:
        raise Rejection("unknown_project", Msg.ROW_UNKNOWN_PROJECT, PROJECT, value=cell("project")[:60])
    if cell("answer") not in ANSWERS:
        raise Rejection("not_an_option", Msg.ROW_NOT_AN_OPTION, ANSWER,
                        value=f"“{ANSWER}”的答案“{cell('answer')[:60]}”不是{'、'.join(ANSWERS)}之一")
    content = json.dumps([submitted.isoformat(), project, cell("answer")], ensure_ascii=False)
    return Record(hashlib.sha256(content.encode("utf-8")).hexdigest()[:20], (submitted, project, cell("answer")))


def ingest_callbacks(conn: sqlite3.Connection, table, standards, now: str, report) -> None:
    """The phone-callback export into the store, through the ingest shell (inside the run's transaction)."""
    titles = {"timestamp": None, "project": norm(PROJECT), "answer": norm(ANSWER)}
    columns: dict[str, int] = {}
    for i, title in enumerate(table.header):
        text = norm(title)
        key = "timestamp" if text.lower() in TIMESTAMP_TITLES else next(
            (k for k, t in titles.items() if t == text), None)
        if key is not None and key not in columns:
            columns[key] = i
    require_columns(table, "电话回访", FORM_ID,
                    [title for key, title in (("timestamp", "时间戳记"), ("project", PROJECT), ("answer", ANSWER))
                     if key not in columns])
    source_tz = source_zone(table, ZoneInfo(standards.organisation.timezone))

    def insert(conn: sqlite3.Connection, record: Record, source_id: int, row_number: int, raw_row_id: int):
        submitted, project, answer = record.values
        conn.execute(f"INSERT INTO {TABLE} (id, source_id, row_number, raw_row_id, submitted_at, project, answer, "
                     "first_seen_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                     (record.id, source_id, row_number, raw_row_id, submitted.isoformat(), project, answer, now))

    ingest_responses(conn, table, report, now, Responses(
        TABLE, lambda number, cells: read_row(cells, columns, standards, source_tz), insert,
        lambda first, number: Rejection("duplicate", Msg.ROW_DUPLICATE_ROW),
        keep=sorted(columns.values())))   # only its columns are kept: an e-mail column never reaches the store


def count_answers(store_path) -> dict[str, int]:
    """Its responses still in their sources, by answer."""
    conn = open_store_read_only(store_path)
    try:
        return dict(conn.execute(f"SELECT answer, COUNT(*) FROM {TABLE} WHERE gone_at IS NULL "
                                 "GROUP BY answer ORDER BY answer"))
    finally:
        conn.close()

