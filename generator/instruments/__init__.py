"""Every supervision instrument, listed once. The stages get this list from their caller.

Order matters where the stages run the instruments in turn: forms are listed, and the
site's page generators run, in this order (the patrol results first: they replace results/).

Every command loads every instrument (`handbook check` for their standards checks), so an
instrument's class imports its work (forms, pages, simulator, commands) where a method uses it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Sequence

from .base import Instrument
from .exam import QuarterlyExam
from .fixreport import FixReports
from .patrol import PatrolChecklists
from .questioning import RandomQuestioning
from .questionnaire import CustomerQuestionnaire

# one per line: a new instrument is its import and its line here
INSTRUMENTS: list[Instrument] = [
    PatrolChecklists(),
    CustomerQuestionnaire(),
    QuarterlyExam(),
    RandomQuestioning(),
    FixReports(),
]


def site_generators(store_path: Path | str, *, instruments: Sequence[Instrument], quarter: str | None = None,
                    lock_path: Path | str | None = None, today: dt.date | None = None) -> list:
    """The page generators a full build runs: each instrument's, then the page of every method (监督方式,
    `site.method_pages`), then the results' finishing touches (the 本周概览 with every instrument's figures,
    the weekly report).

    `today` picks the week of the published questioning cards (default: today)."""
    from ..results.publish import finish_results_generator, publish_generators
    from ..site.method_pages import method_pages_generator

    return [*publish_generators(store_path, instruments, quarter=quarter, lock_path=lock_path, today=today),
            method_pages_generator(instruments, lock_path=lock_path),
            finish_results_generator(store_path, instruments)]


__all__ = ["INSTRUMENTS", "Instrument", "site_generators"]
