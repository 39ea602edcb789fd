"""Random questioning of staff (随机抽问, 程序 4.4.2.1): the question draw and the grid on the spot-check form.

`draw` picks a reproducible set of questions (and prints a card); `grid` adds the
questioning page to the spot-check checklists' forms, reads the grid's columns back
when the patrol ingest maps a row (`GridColumns`, stored with the inspection's version)
and reads the answers from the store; `knowledge` publishes the results and the week's
cards, `method_page` the method's 监督方式 page. The class loads them when a stage calls it.
"""

from __future__ import annotations

from ..base import Instrument
from .checks import check_bank

# its store table (RandomQuestioning.store_schema): the grid's answers, with the inspection version of
# the spot check that recorded them. Version 1, as the store's migration 2 made it up to d40fcfb.
STORE_SCHEMA = """
CREATE TABLE IF NOT EXISTS questioning_answers (
    inspection_id TEXT NOT NULL,
    version       INTEGER NOT NULL,
    question      TEXT NOT NULL,            -- bank question id (methods.yaml)
    result        TEXT NOT NULL,            -- the answer label, e.g. 答对
    staff         TEXT NOT NULL,            -- who was asked, as typed ('' when not given)
    PRIMARY KEY (inspection_id, version, question),
    FOREIGN KEY (inspection_id, version) REFERENCES versions(inspection_id, version)
);
"""


class RandomQuestioning(Instrument):
    id = "questioning"
    title = "随机抽问"
    store_tables = ("questioning_answers",)
    store_schema = STORE_SCHEMA
    # its method page's module is not printed: its texts joined the font subset when the method pages were one
    # module, and leaving them out would change the subset and every cached PDF once
    printed_sources = ("templates/methods", "instruments/questioning/grid.py", "instruments/questioning/draw.py",
                       "instruments/questioning/method_page.py",
                       "instruments/questioning/__init__.py")   # its figures on the weekly report
    results_pages = (("随机抽问结果", "results/knowledge.md"),)

    settings_key = "questioning"

    def settings_model(self):
        from .settings import Questioning
        return Questioning

    def enabled(self, standards):
        return standards.methods_file.questioning is not None

    def check_standards(self, standards, checks):
        check_bank(standards, checks)

    def checklist_items(self, context, checklist):
        from .grid import questioning_page

        return questioning_page(context.standards, checklist)

    def checklist_columns(self, context, checklist_id):
        from .grid import grid_columns

        return grid_columns(context.standards, checklist_id)

    def page_generators(self, context):
        from .knowledge import knowledge_generator

        return [knowledge_generator(context.store_path, today=context.today, printed_sources=context.printed_sources)]

    def overview_figures(self, context, this_week, last_week):
        """Each project's knowledge score of random questioning (all answers up to this week): one of the
        three knowledge sources set side by side on the projects' overview."""
        from pathlib import Path

        from ...results.weekly import Figure
        from .grid import knowledge, read_questioning

        standards, store_path = context.standards, context.store_path
        if not self.enabled(standards) or store_path is None or not Path(store_path).is_file():
            return []
        asked = [a for a in read_questioning(store_path) if a.date <= this_week.sunday]
        out = []
        for p in standards.organisation.projects:
            k = knowledge(standards, [a for a in asked if a.project == p.id])
            out.append(Figure("随机抽问得分率", k.percent, None, "%", "results/knowledge.md",
                              note=f"{k.n} 题", project=p.id))
        return out

    def method_pages(self, context, links):
        from .method_page import questioning_method_page

        return questioning_method_page(context.standards, links)

    def register_commands(self, cli):
        from .commands import register_commands   # click commands load only for the CLI

        register_commands(cli)
