"""The quarterly exam (季度综合考试, 程序 4.4.3.2): a Google Forms quiz per quarter, graded from methods.yaml.

Its forms are made per quarter by `handbook exam build/push` (ids `exam-<quarter>`), so
`handbook forms build` does not list them; ingest recognises every `exam-<quarter>` id.
`quiz` builds and grades the quiz, `responses` ingests and reads them, `paper` prints the paper,
`results_page` publishes the results, `method_page` the method's 监督方式 page, `simulate` the demo
data. The class loads them when a stage calls it.
"""

from __future__ import annotations

from pathlib import Path

from ..base import Instrument
from .checks import check_exam_bank

# The exam's store tables (QuarterlyExam.store_schema), graded from methods.yaml. Version 1, as
# the store's migration 3 made them up to d40fcfb.
STORE_SCHEMA = """
CREATE TABLE IF NOT EXISTS exam_responses (
    id            TEXT PRIMARY KEY,         -- hash of exam, submission time, project, name and answers
    exam          TEXT NOT NULL,            -- exam form id, e.g. exam-2026Q4
    quarter       TEXT NOT NULL,            -- 2026Q4
    source_id     INTEGER NOT NULL REFERENCES sources(id),
    row_number    INTEGER NOT NULL,
    raw_row_id    INTEGER NOT NULL REFERENCES raw_rows(id),
    submitted_at  TEXT NOT NULL,            -- ISO 8601 with offset, organisation's zone
    project       TEXT NOT NULL,            -- project id
    person        TEXT NOT NULL,            -- name as typed ('' when the form asks none), never an e-mail
    form_score    REAL,                     -- the sheet's Score column (NULL when absent): reported, not used
    form_total    REAL,
    earned        REAL NOT NULL,            -- graded from methods.yaml
    total         REAL NOT NULL,
    passed        INTEGER NOT NULL,
    first_seen_at TEXT NOT NULL,
    gone_at       TEXT
);
CREATE TABLE IF NOT EXISTS exam_answers (
    response_id TEXT NOT NULL REFERENCES exam_responses(id),
    question    TEXT NOT NULL,              -- exam question id (methods.yaml)
    answer      TEXT NOT NULL,              -- chosen labels as JSON list
    correct     INTEGER NOT NULL,
    earned      REAL NOT NULL,
    PRIMARY KEY (response_id, question)
);
CREATE INDEX IF NOT EXISTS exam_responses_by_exam ON exam_responses (exam, project);
"""


class QuarterlyExam(Instrument):
    id = "exam"
    title = "季度综合考试"
    store_tables = ("exam_responses", "exam_answers")
    responses_table = "exam_responses"
    store_schema = STORE_SCHEMA
    # its method page's module is not printed: its texts joined the font subset when the method pages were one
    # module, and leaving them out would change the subset and every cached PDF once
    printed_sources = ("templates/exam", "instruments/exam/quiz.py", "instruments/exam/responses.py",
                       "instruments/exam/paper.py", "instruments/exam/results_page.py", "instruments/exam/simulate.py",
                       "instruments/exam/method_page.py",
                       "instruments/exam/__init__.py")   # its figure on the weekly report (`overview_figures`)
    results_pages = (("季度考试", "results/exam.md"),)

    settings_key = "exam"

    def settings_model(self):
        from .settings import Exam
        return Exam

    def enabled(self, standards):
        return standards.methods_file.exam is not None

    def form_hints(self, standards):
        return [f"exam-<季度>（{self.title}，例如 exam-2026Q4）"] if self.enabled(standards) else []

    def check_standards(self, standards, checks):
        check_exam_bank(standards, checks)

    def reads_form(self, standards, form_id):
        from .quiz import is_exam_form

        return self.enabled(standards) and is_exam_form(form_id)

    def build_form(self, context, form_id):
        """A quarter's quiz (`exam-2026Q4`): what a 腾讯问卷 survey of it is checked against."""
        from .quiz import build_quiz, quarter_of_form

        return build_quiz(context.standards, quarter_of_form(form_id))

    def ingest_table(self, conn, table, standards, locked_form, now, report):
        from .responses import ingest_exam_table

        ingest_exam_table(conn, table, standards, locked_form, now, report)

    def page_generators(self, context):
        from .paper import exam_print_generator
        from .results_page import exam_results_generator

        return [exam_print_generator(context.quarter),
                exam_results_generator(context.store_path, quarter=context.quarter)]

    def method_pages(self, context, links):
        from .method_page import exam_method_page

        return exam_method_page(context.standards, links)

    def simulate_responses(self, standards, out_dir, *, start, end, seed):
        from .simulate import write_simulated_exam

        quarter = f"{end.year}Q{(end.month - 1) // 3 + 1}"
        return {f"exam-{quarter}": write_simulated_exam(standards, quarter, Path(out_dir) / f"exam-{quarter}.csv",
                                                        seed=seed)}

    def register_commands(self, cli):
        from .commands import register_commands   # click commands load only for the CLI

        register_commands(cli)

    def overview_figures(self, context, this_week, last_week):
        """The latest exam's pass rate (people who passed ÷ people who sat it) against the exam before."""
        from ...results.scoring import quarter_label
        from ...results.weekly import Figure
        from .responses import read_exam_responses

        standards, store_path = context.standards, context.store_path
        if not self.enabled(standards) or store_path is None or not Path(store_path).is_file():
            return []
        by_quarter: dict[str, list] = {}
        for r in read_exam_responses(store_path):
            by_quarter.setdefault(r.quarter, []).append(r)
        quarters = sorted(by_quarter)
        if not quarters:
            return []

        def rate(q):
            rs = by_quarter[q]
            return sum(1 for r in rs if r.passed) / len(rs) * 100

        latest = quarters[-1]
        before = rate(quarters[-2]) if len(quarters) > 1 else None
        figures = [Figure("最近一次考试及格率", rate(latest), before, "%", "results/exam.md",
                          note=f"{quarter_label(latest)}，{len(by_quarter[latest])} 人", previous_label="上次")]
        # each project's mean score in the latest exam: a knowledge source on the projects' overview
        for p in standards.organisation.projects:
            rs = [r for r in by_quarter[latest] if r.project == p.id]
            figures.append(Figure("最近一次考试平均得分率", sum(r.percent for r in rs) / len(rs) if rs else None,
                                  None, "%", "results/exam.md", note=f"{len(rs)} 人", project=p.id))
        return figures
