"""Random questioning of staff (随机抽问, 程序 4.4.2.1): the question draw and the grid on the spot-check form.

`draw` picks a reproducible set of questions (and prints a card); `grid` adds the
questioning page to the spot-check checklists' forms and reads the answers back from
the store (ingest/mapping.py stores the grid's cells with the inspection).
"""

from __future__ import annotations

from ..base import Instrument
from . import grid


class RandomQuestioning(Instrument):
    id = "questioning"
    title = "随机抽问"
    store_tables = ("questioning_answers",)
    printed_sources = ("templates/methods", "instruments/questioning/grid.py", "instruments/questioning/draw.py")

    def enabled(self, standards):
        return standards.methods_file.questioning is not None

    def checklist_items(self, standards, checklist):
        return grid.questioning_page(standards, checklist)

    def register_commands(self, cli):
        from .commands import register_commands   # click commands load only for the CLI

        register_commands(cli)
