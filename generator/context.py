"""What the stages hand an instrument's methods: one `Context`, as MkDocs hands its plugins the `config`.

A stage builds the context once it has the standards (the forms stage for every form, the site build for
its pages) and every instrument method that works on them gets it: `build_form(context, form_id)`,
`checklist_items(context, checklist)`, `checklist_columns(context, checklist_id)`,
`page_generators(context)`, `method_pages(context, links)`, `overview_figures(context, this_week, last_week)`.
A new field here reaches every instrument without changing any method's signature.

Questions about the standards alone (`enabled`, `form_ids`, `form_hints`, `reads_form`, `check_standards`)
keep taking the standards: they are asked while the standards load and by the ingest, where there is
no store, lock or build to describe.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:   # for the annotations only (the instruments' classes import this module for theirs)
    from .standards import Standards


@dataclass(frozen=True)
class Context:
    """The standards in force, every instrument (in order) and, for a build, where its data comes from.

    `store_path` is the store a build publishes (None where none is read: forms, ingest mapping);
    `lock_path` the forms lock (None: the default one); `today` the day whose week the printables are for
    (None: today in the organisation's time zone); `quarter` the quarter a build shows (its exam paper and
    results; None outside a build)."""

    standards: Standards
    instruments: tuple = field(repr=False)   # `generator.instruments.base.Instrument`s, in their order
    store_path: Path | None = None
    lock_path: Path | None = None
    today: dt.date | None = None
    quarter: str | None = None

    @cached_property
    def printed_sources(self) -> tuple[str, ...]:
        """Every instrument's `printed_sources`, once each in the instruments' order: with the printing
        stage's own (`printing.fonts.PRINTED_SOURCES`), the files whose characters the PDF font subset covers."""
        return printed_sources(self.instruments)


def printed_sources(instruments) -> tuple[str, ...]:
    """The `printed_sources` of `instruments`, once each, in their order."""
    return tuple(dict.fromkeys(source for instrument in instruments for source in instrument.printed_sources))


def standards_context(standards: Standards, instruments) -> Context:
    """A context of the standards and the instruments alone (no store, lock or day): the forms stage's, the
    ingest's mapping's, the method pages' outside a build."""
    return Context(standards, tuple(instruments))
