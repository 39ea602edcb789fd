"""Patrol checklists (程序 4.1, 4.4.2): the daily patrol and the department's spot checks.

This folder holds what only the checklists do:

- `mapping.py`: a checklist row's columns to items and its cells to answers (a normalised response or
  the reason it is quarantined), by the form version it was answered on;
- `ingest.py`: each checklist source stored as it is fetched, a batch of rows at a time (`ChecklistStream`,
  the run's `ingest_stream`), matched to the stored inspections by `identity.py`'s rule;
- `identity.py`: which stored inspection a fetched row is (edits in place, sorting, deletions);
- `simulate.py`, `method_page.py`, `commands.py`: the demo's exports, the pages of the methods done with
  the checklists (现场查看, 记录抽查) and `handbook patrol form|push|simulate`;
- the class itself counts and withdraws a source's inspections for `handbook sources` (`stored_responses`,
  `withdraw_source`: the store's `counted_from` and `StoreWriter.withdraw_inspections`), as every instrument
  does its own responses.

What the department does with every instrument's results stays in the stages: forms/form_spec.py builds
the checklists' forms (its helpers serve every instrument's), the inspections are the store's own tables
(store/schema.py), results/ scores them with the questionnaire, the exam and the fix reports (the quarter's
assessment, corrective actions, notify) and publishes the results pages (`page_generators`), printing/
prints the sheets the results' focus checks feed, ingest/shell.py does registration, raw rows, quarantine
and the deletion guard and ingest/columns.py holds what every instrument's mapping shares.

Like every instrument's class, it loads its work (forms, pages, simulator, commands) when a
stage calls it: every command loads every instrument, `handbook check` only for their checks.
"""

from __future__ import annotations

from pathlib import Path

from ..base import Instrument


class PatrolChecklists(Instrument):
    id = "patrol"
    title = "巡查检查表"
    # no store_tables: the checklists' inspections are the store's own tables (store/schema.py SCHEMA)
    # its method page's module is not printed: its texts joined the font subset when the method pages were one
    # module, and leaving them out would change the subset and every cached PDF once
    printed_sources = ("templates/print", "assets/print", "printing", "inspection.py", "results/focus.py",
                       "instruments/patrol/method_page.py")

    def form_ids(self, standards):
        return list(standards.checklists)

    def form_hints(self, standards):
        return [f"{c.id}（{c.title}）" for c in standards.checklists.values()]

    def build_form(self, context, form_id):
        from ...forms.form_spec import build_form

        return build_form(context.standards, form_id, instruments=context.instruments)

    def reads_form(self, standards, form_id):
        return form_id in standards.checklists

    def ingest_stream(self, standards, lock, instruments):
        from .ingest import ChecklistStream   # a year's export: stored a batch at a time as it is read

        return ChecklistStream(standards, lock, instruments)

    def stored_responses(self, conn, source_id):
        from ... import store

        return store.counted_from(conn, source_id)   # not gone, nor withdrawn, nor replaced by a resubmission

    def withdraw_source(self, conn, source_id, standards, now):
        from ... import store
        from ...ingest.shell import Withdrawn

        return Withdrawn(*store.StoreWriter(conn).withdraw_inspections(
            source_id, now, standards.organisation.resubmission_minutes))

    def page_generators(self, context):
        from ...results.publish import results_generator

        return [results_generator(context.store_path, lock_path=context.lock_path)]

    def method_pages(self, context, links):
        from .method_page import patrol_method_pages

        return patrol_method_pages(context.standards, links)

    def register_commands(self, cli):
        from .commands import register_commands   # click commands load only for the CLI

        register_commands(cli, self)

    def simulate_responses(self, standards, out_dir, *, start, end, seed):
        from . import simulate as sim

        out = {}
        for checklist in standards.checklists:
            # hostile notes (`hostile_note`) belong in the tests: the demo looks like real use
            rows = sim.simulate(standards, checklist, start=start, end=end, seed=seed)
            values = sim.sheet_values(standards, checklist, rows, locale="zh-CN")
            out[checklist] = sim.write_csv(Path(out_dir) / f"{checklist}.csv", values, locale="zh-CN")
        return out
