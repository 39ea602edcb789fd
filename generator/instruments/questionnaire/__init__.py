"""The customer questionnaire (客户满意度问卷, methods.yaml `questionnaire`): its form, ingest, results
page, printable sheets, method page and demo data.

`survey` holds the form, the ingest and the simulator; `satisfaction` the results page and sheets on the
site; `method_page` the method's 监督方式 page. The class loads them when a stage calls it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..base import Instrument
from .checks import check_questionnaire

# The questionnaire's store tables (CustomerQuestionnaire.store_schema): no owner data beyond the typed
# comment. Version 1, as the store's migration 2 made them up to d40fcfb.
STORE_SCHEMA = """
CREATE TABLE IF NOT EXISTS survey_responses (
    id            TEXT PRIMARY KEY,         -- hash of submission time, project, answers and comment
    survey        TEXT NOT NULL,            -- questionnaire id
    source_id     INTEGER NOT NULL REFERENCES sources(id),
    row_number    INTEGER NOT NULL,
    raw_row_id    INTEGER NOT NULL REFERENCES raw_rows(id),   -- the mapped cells only
    submitted_at  TEXT NOT NULL,
    project       TEXT NOT NULL,
    form_version  TEXT NOT NULL,
    comment       TEXT NOT NULL,            -- as typed ('' when none): nothing else about the owner is kept
    first_seen_at TEXT NOT NULL,
    gone_at       TEXT
);
CREATE TABLE IF NOT EXISTS survey_answers (
    response_id TEXT NOT NULL REFERENCES survey_responses(id),
    question    TEXT NOT NULL,
    value       INTEGER NOT NULL,
    PRIMARY KEY (response_id, question)
);
CREATE INDEX IF NOT EXISTS survey_by_project ON survey_responses (project, submitted_at);
"""


class CustomerQuestionnaire(Instrument):
    id = "questionnaire"
    title = "客户满意度问卷"
    store_tables = ("survey_responses", "survey_answers")
    responses_table = "survey_responses"
    store_schema = STORE_SCHEMA
    # its method page's and results page's modules are not printed: their texts joined the font subset when the
    # method pages were one module, and leaving them out would change the subset and every cached PDF once
    printed_sources = ("templates/methods", "instruments/questionnaire/survey.py",
                       "instruments/questionnaire/method_page.py", "instruments/questionnaire/satisfaction.py")
    results_pages = (("客户满意度", "results/satisfaction.md"),)

    settings_key = "questionnaire"

    def settings_model(self):
        from .settings import Questionnaire
        return Questionnaire

    def enabled(self, standards):
        return standards.methods_file.questionnaire is not None

    def check_standards(self, standards, checks):
        check_questionnaire(standards, checks)

    def form_ids(self, standards):
        return [standards.methods_file.questionnaire.id] if self.enabled(standards) else []

    def build_form(self, context, form_id):
        from .survey import build_survey_form

        return build_survey_form(context.standards)

    def ingest_table(self, conn, table, standards, locked_form, now, report):
        from .survey import ingest_survey_table

        ingest_survey_table(conn, table, standards, locked_form, now, report)

    def page_generators(self, context):
        from .satisfaction import satisfaction_generator

        return [satisfaction_generator(context.store_path, lock_path=context.lock_path,
                                       printed_sources=context.printed_sources)]

    def method_pages(self, context, links):
        from .method_page import survey_method_page

        return survey_method_page(context.standards, links)

    def register_commands(self, cli):
        from .commands import register_commands   # click commands load only for the CLI

        register_commands(cli, self)

    def simulate_responses(self, standards, out_dir, *, start, end, seed):
        from .survey import simulate_survey, write_survey_csv

        if not self.enabled(standards):
            return {}
        form = standards.methods_file.questionnaire.id
        responses = simulate_survey(standards, start, end, seed)   # no test strings in the demo
        return {form: write_survey_csv(standards, responses, Path(out_dir) / f"{form}.csv")}

    def overview_figures(self, context, this_week, last_week):
        """客户满意度 on 百分制 (mean rating ÷ scale maximum × 100) of the responses of this week and last."""
        from ...results.weekly import Figure
        from .survey import read_survey

        standards, store_path = context.standards, context.store_path
        q = standards.methods_file.questionnaire
        if q is None or store_path is None or not Path(store_path).is_file():
            return []
        responses = read_survey(store_path)

        def mean(week):
            ratings = [v for r in responses if week.monday <= r.submitted_at.date() <= week.sunday
                       for v in r.answers.values()]
            n = sum(1 for r in responses if week.monday <= r.submitted_at.date() <= week.sunday and r.answers)
            return (sum(ratings) / len(ratings) / q.scale.max * 100 if ratings else None), n

        now, n = mean(this_week)
        before, _ = mean(last_week)
        figures = [Figure("本周客户满意度", now, before, "分", "results/satisfaction.md",
                          note=f"百分制，{n} 份问卷")]
        # each project's over the last four weeks (a week holds a few questionnaires per project)
        first = this_week.sunday - dt.timedelta(days=27)
        for p in standards.organisation.projects:
            ratings = [(r, v) for r in responses
                       if r.project == p.id and first <= r.submitted_at.date() <= this_week.sunday
                       for v in r.answers.values()]
            n = len({id(r) for r, _ in ratings})
            value = sum(v for _, v in ratings) / len(ratings) / q.scale.max * 100 if ratings else None
            figures.append(Figure("近 4 周客户满意度", value, None, "分", "results/satisfaction.md",
                                  note=f"{n} 份", project=p.id))
        return figures
