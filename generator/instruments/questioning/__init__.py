"""Random questioning of staff (随机抽问, 程序 4.4.2.1): the question draw and the grid on the spot-check form.

`draw` picks a reproducible set of questions (and prints a card); `grid` adds the
questioning page to the spot-check checklists' forms, reads the grid's columns back
when the patrol ingest maps a row (`GridColumns`, stored with the inspection's version)
and reads the answers from the store.
"""

from __future__ import annotations

from ..base import Instrument
from . import grid
from .checks import check_bank


class RandomQuestioning(Instrument):
    id = "questioning"
    title = "随机抽问"
    store_tables = ("questioning_answers",)
    store_schema = grid.STORE_SCHEMA
    printed_sources = ("templates/methods", "instruments/questioning/grid.py", "instruments/questioning/draw.py")

    def enabled(self, standards):
        return standards.methods_file.questioning is not None

    def check_standards(self, standards, checks):
        check_bank(standards, checks)

    def checklist_items(self, standards, checklist):
        return grid.questioning_page(standards, checklist)

    def checklist_columns(self, standards, checklist_id):
        return grid.grid_columns(standards, checklist_id)

    def register_commands(self, cli):
        from .commands import register_commands   # click commands load only for the CLI

        register_commands(cli)
