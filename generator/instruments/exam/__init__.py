"""The quarterly exam (季度综合考试, 程序 4.4.3.2): a Google Forms quiz per quarter, graded from methods.yaml.

Its forms are made per quarter by `handbook exam build/push` (ids `exam-<quarter>`), so
`handbook forms build` does not list them; ingest recognises every `exam-<quarter>` id.
"""

from __future__ import annotations

from pathlib import Path

from ..base import Instrument
from . import paper, responses, results_page
from .checks import check_exam_bank
from .quiz import is_exam_form
from .simulate import write_simulated_exam


class QuarterlyExam(Instrument):
    id = "exam"
    title = "季度综合考试"
    store_tables = ("exam_responses", "exam_answers")
    store_schema = responses.STORE_SCHEMA
    printed_sources = ("templates/exam", "instruments/exam/quiz.py", "instruments/exam/responses.py",
                       "instruments/exam/paper.py", "instruments/exam/results_page.py", "instruments/exam/simulate.py")

    def enabled(self, standards):
        return standards.methods_file.exam is not None

    def form_hints(self, standards):
        return [f"exam-<季度>（{self.title}，例如 exam-2026Q4）"] if self.enabled(standards) else []

    def check_standards(self, standards, checks):
        check_exam_bank(standards, checks)

    def reads_form(self, standards, form_id):
        return self.enabled(standards) and is_exam_form(form_id)

    def ingest_table(self, conn, table, standards, locked_form, now, report):
        responses.ingest_exam_table(conn, table, standards, locked_form, now, report)

    def stored_responses(self, conn, source_id):
        return conn.execute("SELECT count(*) FROM exam_responses WHERE source_id = ? AND gone_at IS NULL",
                            (source_id,)).fetchone()[0]

    def page_generators(self, store_path, *, quarter, lock_path):
        return [paper.exam_print_generator(quarter), results_page.exam_results_generator(store_path, quarter=quarter)]

    def simulate_responses(self, standards, out_dir, *, start, end, seed):
        quarter = f"{end.year}Q{(end.month - 1) // 3 + 1}"
        return {f"exam-{quarter}": write_simulated_exam(standards, quarter, Path(out_dir) / f"exam-{quarter}.csv",
                                                        seed=seed)}

    def register_commands(self, cli):
        from .commands import register_commands   # click commands load only for the CLI

        register_commands(cli)
