"""The customer questionnaire (客户满意度问卷, methods.yaml `questionnaire`): its form, ingest and demo data.

Its satisfaction page and printable sheets are made with the other method pages
(`generator.instruments.method_pages`).
"""

from __future__ import annotations

from pathlib import Path

from ...results.weekly import Figure
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

    def overview_figures(self, standards, store_path, this_week, last_week):
        """客户满意度 on 百分制 (mean rating ÷ scale maximum × 100) of the responses of this week and last."""
        q = standards.methods_file.questionnaire
        if q is None or not Path(store_path).is_file():
            return []
        responses = survey.read_survey(store_path)

        def mean(week):
            ratings = [v for r in responses if week.monday <= r.submitted_at.date() <= week.sunday
                       for v in r.answers.values()]
            n = sum(1 for r in responses if week.monday <= r.submitted_at.date() <= week.sunday and r.answers)
            return (sum(ratings) / len(ratings) / q.scale.max * 100 if ratings else None), n

        now, n = mean(this_week)
        before, _ = mean(last_week)
        return [Figure("本周客户满意度", now, before, "分", "results/satisfaction.md",
                       note=f"百分制，{n} 份问卷")]
