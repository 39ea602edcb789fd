"""Patrol checklists (程序 4.1, 4.4.2): the daily patrol and the department's spot checks.

The checklists are the stages' own kind of form: forms/form_spec.py builds them, ingest maps
their rows item by item (ingest/mapping.py) into the store's own tables (store/schema.py),
results/ scores them. This instrument hands them to the stages and adds the patrol simulator,
the pages of the methods done with them (现场查看, 记录抽查) and `handbook patrol form|push|simulate`.

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
        return form_id in standards.checklists     # the ingest stage maps these rows itself

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
