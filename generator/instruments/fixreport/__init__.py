"""The fix report (整改反馈): a project reports that a corrective action is done — what was done, when,
an optional photo link — through a small Google Form (per-project QR link) or its CSV/XLSX export.

`form` holds the form, the ingest and the simulator. The results stage reads the stored reports
(`results.fix_reports`) and measures timeliness against them (`results.scoring.corrective_actions`).
"""

from __future__ import annotations

from pathlib import Path

from ..base import Instrument

FORM_ID = "fix-report"

# The fix reports (整改反馈): one row per response kept, the mapped cells only. `found_on` (发现日期) names
# the action, `fixed_on` (整改完成日期) is what timeliness counts from, `measure` (整改措施 / 处理意见) and
# `reporter` are as typed (the reporter is never published), `photo` '' when none. The DDL carries no
# comments: SQLite keeps its text in the schema table, which every store reads first.
STORE_SCHEMA = """
CREATE TABLE IF NOT EXISTS fix_reports (
    id TEXT PRIMARY KEY, source_id INTEGER NOT NULL REFERENCES sources(id), row_number INTEGER NOT NULL,
    raw_row_id INTEGER NOT NULL REFERENCES raw_rows(id), submitted_at TEXT NOT NULL, project TEXT NOT NULL,
    code TEXT NOT NULL, found_on TEXT NOT NULL, fixed_on TEXT NOT NULL, measure TEXT NOT NULL, photo TEXT NOT NULL,
    reporter TEXT NOT NULL, form_version TEXT NOT NULL, first_seen_at TEXT NOT NULL, gone_at TEXT
);
CREATE INDEX IF NOT EXISTS fix_reports_by_action ON fix_reports (project, code, found_on);
"""


class FixReports(Instrument):
    id = "fixreport"
    title = "整改反馈"
    store_tables = ("fix_reports",)
    # a withdrawn source's reports no longer mark actions fixed (nor decide a closed quarter's timeliness)
    responses_table = "fix_reports"
    store_schema = STORE_SCHEMA
    printed_sources = ("templates/fixreport", "instruments/fixreport/sheet.py")

    def form_ids(self, standards):
        return [FORM_ID]

    def build_form(self, context, form_id):
        from .form import build_fix_form

        return build_fix_form(context.standards)

    def ingest_table(self, conn, table, standards, locked_form, now, report):
        from .form import ingest_fix_table

        ingest_fix_table(conn, table, standards, locked_form, now, report)

    def page_generators(self, context):
        from .sheet import fix_sheet_generator

        return [fix_sheet_generator(context.store_path, lock_path=context.lock_path,
                                    printed_sources=context.printed_sources)]

    def method_pages(self, context, links):
        from .method_page import fix_method_pages

        return fix_method_pages(context.standards, links)

    def register_commands(self, cli):
        from .commands import register_commands   # click commands load only for the CLI

        register_commands(cli, self)

    def simulate_responses(self, standards, out_dir, *, start, end, seed):
        from .form import simulate_fix_reports, write_fix_csv

        reports = simulate_fix_reports(standards, start=start, end=end, seed=seed)
        return {FORM_ID: write_fix_csv(standards, reports, Path(out_dir) / f"{FORM_ID}.csv")}
