"""The customer questionnaire (客户满意度问卷, methods.yaml `questionnaire`): its form, ingest and demo data.

Its satisfaction page and printable sheets are made with the other method pages
(`generator.instruments.method_pages`).
"""

from __future__ import annotations

from pathlib import Path

from ..base import Instrument
from . import survey
from .checks import check_questionnaire


class CustomerQuestionnaire(Instrument):
    id = "questionnaire"
    title = "客户满意度问卷"
    store_tables = ("survey_responses", "survey_answers")
    store_schema = survey.STORE_SCHEMA
    printed_sources = ("templates/methods", "instruments/questionnaire/survey.py", "instruments/method_pages.py")

    def enabled(self, standards):
        return standards.methods_file.questionnaire is not None

    def check_standards(self, standards, checks):
        check_questionnaire(standards, checks)

    def form_ids(self, standards):
        return [standards.methods_file.questionnaire.id] if self.enabled(standards) else []

    def build_form(self, standards, form_id, instruments):
        return survey.build_survey_form(standards)

    def ingest_table(self, conn, table, standards, locked_form, now, report):
        survey.ingest_survey_table(conn, table, standards, locked_form, now, report)

    def stored_responses(self, conn, source_id):
        return conn.execute("SELECT count(*) FROM survey_responses WHERE source_id = ? AND gone_at IS NULL",
                            (source_id,)).fetchone()[0]

    def register_commands(self, cli):
        from .commands import register_commands   # click commands load only for the CLI

        register_commands(cli, self)

    def simulate_responses(self, standards, out_dir, *, start, end, seed):
        if not self.enabled(standards):
            return {}
        form = standards.methods_file.questionnaire.id
        responses = survey.simulate_survey(standards, start, end, seed, hostile_comment=True)
        return {form: survey.write_survey_csv(standards, responses, Path(out_dir) / f"{form}.csv")}
