"""A minimal instrument, the worked example of CONTRIBUTING.md: a 电话回访 phone spot-check.

The department calls a few customers per project and records whether they were satisfied.
In the real package this would be `generator/instruments/phone/__init__.py`, one instance
added to `INSTRUMENTS`; the test registers it by passing `[*INSTRUMENTS, PhoneCallback()]`.
"""

from __future__ import annotations

import sqlite3

import click

from generator.cli.forms import instrument_form_commands
from generator.cli.options import STANDARDS_OPTION, HandbookGroup, store_option
from generator.errors import HandbookError
from generator.forms.form_spec import FormSpec, check_unique_ids, choice_question, question_item, stable_id
from generator.messages import Msg
from generator.store import open_store_read_only
from generator.instruments.base import Instrument

FORM_ID = "phone-callback"
PROJECT, ANSWER = "项目", "客户是否满意"
ANSWERS = ("满意", "一般", "不满意")


class PhoneCallback(Instrument):
    id = "phone"
    title = "电话回访"
    store_tables = ("phone_callbacks",)
    results_pages = (("电话回访", "results/phone.md"),)   # listed on the results' overview once written
    # made (and upgraded, by store_migrations) in the store the ingest writes, before `ingest_table` runs
    store_schema = """CREATE TABLE IF NOT EXISTS phone_callbacks (source TEXT, row INTEGER, project TEXT,
                                                                answer TEXT, PRIMARY KEY (source, row))"""

    def form_ids(self, standards):
        return [FORM_ID]

    def build_form(self, standards, form_id, instruments):
        projects = [p.name for p in standards.organisation.projects if p.active]
        items = [question_item("phone:project", PROJECT, choice_question(stable_id("question:phone:project"),
                                                                          projects, "DROP_DOWN")),
                 question_item("phone:answer", ANSWER, choice_question(stable_id("question:phone:answer"),
                                                                        list(ANSWERS)))]
        check_unique_ids(form_id, items)
        requests = [{"createItem": {"item": item, "location": {"index": i}}} for i, item in enumerate(items)]
        return FormSpec(checklist=form_id, title=self.title, version=standards.document.version,
                        create={"info": {"title": self.title, "documentTitle": f"{self.title}（{form_id}）"}},
                        batch_update={"includeFormInResponse": True, "requests": requests},
                        publish={"publishSettings": {"publishState": {"isPublished": True,
                                                                      "isAcceptingResponses": True}},
                                 "updateMask": "publishState"},
                        questions={stable_id("question:phone:project"): {"field": "project", "title": PROJECT},
                                   stable_id("question:phone:answer"): {"field": "answer", "title": ANSWER}},
                        options=ANSWERS)

    def ingest_table(self, conn: sqlite3.Connection, table, standards, locked_form, now, report):
        names = {p.name: p.id for p in standards.organisation.projects}
        try:
            project_col, answer_col = table.header.index(PROJECT), table.header.index(ANSWER)
        except ValueError:
            missing = [title for title in (PROJECT, ANSWER) if title not in table.header]
            raise HandbookError(Msg.INGEST_FORM_COLUMNS_MISSING, source=report.source, kind="表单",
                                form="phone-callback", n=len(missing), columns="、".join(missing)) from None
        for number, cells in table.rows:
            project, answer = names.get(cells[project_col]), cells[answer_col]
            if project is None or answer not in ANSWERS:
                report.quarantined += 1
                report.quarantined_rows.append((number, f"项目“{cells[project_col]}”或回答“{answer}”无效"))
                continue
            known = conn.execute("SELECT answer FROM phone_callbacks WHERE source = ? AND row = ?",
                                 (table.source.key, number)).fetchone()
            conn.execute("INSERT OR REPLACE INTO phone_callbacks VALUES (?, ?, ?, ?)",
                         (table.source.key, number, project, answer))
            kind = "new" if known is None else "unchanged" if known[0] == answer else "edited"
            setattr(report, kind, getattr(report, kind) + 1)

    def page_generators(self, store_path, *, quarter, lock_path, today):
        def generate(ctx) -> None:
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


def count_answers(store_path) -> dict[str, int]:
    conn = open_store_read_only(store_path)
    try:
        return dict(conn.execute("SELECT answer, COUNT(*) FROM phone_callbacks GROUP BY answer ORDER BY answer"))
    finally:
        conn.close()
