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
    printed_sources = ("templates/methods", "instruments/questioning/grid.py", "instruments/questioning/draw.py")
    results_pages = (("随机抽问结果", "results/knowledge.md"),)

    def enabled(self, standards):
        return standards.methods_file.questioning is not None

    def check_standards(self, standards, checks):
        check_bank(standards, checks)

    def checklist_items(self, standards, checklist):
        from .grid import questioning_page

        return questioning_page(standards, checklist)

    def checklist_columns(self, standards, checklist_id):
        from .grid import grid_columns

        return grid_columns(standards, checklist_id)

    def page_generators(self, store_path, *, quarter, lock_path, today):
        from .knowledge import knowledge_generator

        return [knowledge_generator(store_path, today=today)]

    def overview_figures(self, standards, store_path, this_week, last_week):
        """Each project's knowledge score of random questioning (all answers up to this week): one of the
        three knowledge sources set side by side on the projects' overview."""
        from pathlib import Path

        from ...results.weekly import Figure
        from .grid import knowledge, read_questioning

        if not self.enabled(standards) or not Path(store_path).is_file():
            return []
        asked = [a for a in read_questioning(store_path) if a.date <= this_week.sunday]
        out = []
        for p in standards.organisation.projects:
            k = knowledge(standards, [a for a in asked if a.project == p.id])
            out.append(Figure("随机抽问得分率", k.percent, None, "%", "results/knowledge.md",
                              note=f"{k.n} 题", project=p.id))
        return out

    def method_pages(self, standards, links):
        from .method_page import questioning_method_page

        return questioning_method_page(standards, links)

    def register_commands(self, cli):
        from .commands import register_commands   # click commands load only for the CLI

        register_commands(cli)
