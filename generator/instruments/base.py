"""The seam every supervision instrument plugs into: one documented method per extension point.

An instrument is one way the department supervises the service (patrol checklists, the
customer questionnaire, the quarterly exam, random questioning …). The stages — forms/,
ingest/, results/, site/, printing/ — never import an instrument: the caller (the CLI,
`handbook demo`) hands them the list in `generator.instruments.INSTRUMENTS`, and each
stage calls the methods below, in the order of that list (as MkDocs calls its plugins'
`on_*` events). A method an instrument does not need keeps the default, which does nothing.
Methods that work on the standards for a form or a build get a `generator.context.Context` (the
standards, every instrument, the store, the lock, the day), as MkDocs plugins get its `config`.

To add an instrument, subclass `Instrument` in a new folder under `generator/instruments/`,
override what it needs and add one instance to `INSTRUMENTS` (see CONTRIBUTING.md).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:   # for the annotations only: an instrument module stays light to import
    import sqlite3

    import click
    from pydantic import BaseModel

    from ..context import Context
    from ..forms.form_spec import FormSpec
    from ..ingest.columns import ChecklistColumns
    from ..ingest.run import SourceReport
    from ..forms.lock_file import Lock
    from ..ingest.shell import TableStream
    from ..ingest.table import Table
    from ..site.method_pages import MethodLinks, MethodPage
    from ..site.site_build import SiteContext
    from ..standards import FileChecks, Standards

PageGenerator = Callable[["SiteContext"], None]


class Instrument:
    """One supervision instrument. Subclasses set `id` and `title` and override what they need."""

    #: Short English id, used in code and as `handbook <id> …` (e.g. "exam").
    id: str = ""
    #: What the department calls it (Chinese, shown to users).
    title: str = ""
    #: The store tables this instrument owns: their names, the DDL that makes them at their newest shape
    #: (`CREATE TABLE IF NOT EXISTS …`, statements separated by `;`) and the steps that upgrade them
    #: (step n takes them from version n - 1 to n; version 1 is what the first `store_schema` made).
    #: The ingest stage creates and upgrades them in the store it writes (`store.migrate_instruments`).
    store_tables: tuple[str, ...] = ()
    store_schema: str = ""
    store_migrations: dict[int, str] = {}
    #: The one of `store_tables` that holds its responses the shell's way (`ingest.shell.Responses`: a
    #: `source_id`, flagged `gone_at`), when it has one: `stored_responses` and `withdraw_source` count and
    #: withdraw them there without an override.
    responses_table: str | None = None
    #: Package paths (templates, modules) whose texts its printables carry: the PDF font subset covers
    #: their characters (the build hands every instrument's to `printing.fonts.font_faces`: `Context.printed_sources`).
    printed_sources: tuple[str, ...] = ()
    #: Its results pages (title, docs path) that the results' overview (检查结果概览) lists when a build
    #: wrote them (`results.publish.finish_results_generator`).
    results_pages: tuple[tuple[str, str], ...] = ()
    #: The top-level key of methods.yaml that holds its settings (e.g. "exam"); None: it has none.
    settings_key: str | None = None

    # ------------------------------------------------------------ standards

    def enabled(self, standards: Standards) -> bool:
        """Whether the standards use this instrument (e.g. methods.yaml has an exam bank)."""
        return True

    def settings_model(self) -> type[BaseModel] | None:
        """The pydantic model (`generator.model.Model`) of its methods.yaml section `settings_key`:
        `load_standards` validates the section with it, each error at its line, and stores the result as
        `standards.methods_file.<settings_key>`. Imported when asked, so `--help` loads no model."""
        return None

    def check_standards(self, standards: Standards, checks: FileChecks) -> None:
        """Cross-check this instrument's part of methods.yaml beyond its schema (`load_standards` calls it
        with the instruments it is given): report each problem at its line with `checks.add/ref/unique`."""

    # ------------------------------------------------------------ forms (forms/)

    def form_ids(self, standards: Standards) -> list[str]:
        """Ids of the Google Forms `handbook forms build/push` make for this instrument, in order."""
        return []

    def form_hints(self, standards: Standards) -> list[str]:
        """Its form ids as users are told them in hints, each with its Chinese name
        (`customer-survey（客户满意度问卷）`); an instrument whose ids are made later says how to write one."""
        return [f"{form_id}（{self.title}）" for form_id in self.form_ids(standards)] if self.enabled(standards) else []

    def build_form(self, context: Context, form_id: str) -> FormSpec:
        """The form `form_id` (one of `form_ids`) of `context.standards`; `context.instruments` may add items to
        it (`checklist_items`)."""
        raise NotImplementedError(f"{type(self).__name__} has no form {form_id!r}")

    def checklist_items(self, context: Context, checklist) -> tuple[list[dict], dict[str, dict]]:
        """Items this instrument adds at the end of a patrol checklist's form, and their lock entries."""
        return [], {}

    def checklist_columns(self, context: Context, checklist_id: str) -> ChecklistColumns | None:
        """What reads back the columns of `checklist_items` when the patrol ingest maps a response row of the
        checklist `checklist_id`: claims their headers, checks their cells, stores their answers."""
        return None

    # ------------------------------------------------------------ ingest (ingest/)

    def reads_form(self, standards: Standards, form_id: str) -> bool:
        """Whether responses to `form_id` belong to this instrument (then `ingest_table` stores them)."""
        return form_id in self.form_ids(standards)

    def ingest_table(self, conn: sqlite3.Connection, table: Table, standards: Standards, locked_form,
                     now: str, report: SourceReport) -> None:
        """Store one fetched response table inside the ingest's open transaction; fill `report`'s counts.

        Each response row becomes records of `store_tables`; a row that cannot be read is
        quarantined with a reason, never dropped or guessed. An instrument gives its mapping to the ingest
        shell (`ingest.shell.ingest_responses`), which does registration, raw rows, identity, quarantine,
        gone rows and the deletion guard.
        """
        raise NotImplementedError(f"{type(self).__name__} does not ingest {table.source.checklist!r}")

    def ingest_stream(self, standards: Standards, lock: Lock, instruments: list[Instrument]) -> TableStream | None:
        """For an instrument whose tables are long and matched across the run's sources (the patrol checklists):
        a `TableStream` that stores each of its tables as it is fetched, a batch at a time, and settles them once
        every source is read (`ingest/run.py` makes one per run). None (the default): its tables are read
        whole and handed to `ingest_table` after the streams are settled."""
        return None

    def stored_responses(self, conn: sqlite3.Connection, source_id: int) -> int:
        """How many of its stored responses from the source `source_id` count in the results now (not gone,
        nor withdrawn or replaced by a resubmission where it has those): `handbook sources` lists them, and
        before the source is read again the deletion guard refuses a source giving far fewer unless the user
        accepts the deletions (an instrument with an `ingest_stream` counts those itself, in its stream).
        `handbook sources` asks it only when its `store_tables` are in the store (an old store is read as is).
        Default: its `responses_table`'s records from the source not gone, else 0."""
        if self.responses_table is None:
            return 0
        from ..ingest.shell import live_responses

        return live_responses(conn, self.responses_table, source_id)

    def withdraw_source(self, conn: sqlite3.Connection, source_id: int, standards: Standards,
                        now: str) -> tuple[int, int]:
        """Take its responses from the source `source_id` out of the results (`handbook sources withdraw`,
        inside that command's transaction; the raw rows stay and so does the source's row, which the command
        marks withdrawn after asking every instrument). Returns (taken, kept), an `ingest.shell.Withdrawn`:
        how many it took out, and how many it keeps counting because another source that is not withdrawn
        gave them too (they now sit with that source). Default: its `responses_table`'s records from the
        source flagged gone (none kept: a record sits with the source that last gave it), else (0, 0)."""
        if self.responses_table is None:
            return 0, 0
        from ..ingest.shell import withdraw_responses

        return withdraw_responses(conn, self.responses_table, source_id, now)

    # ------------------------------------------------------------ results and site (results/, site/)

    def page_generators(self, context: Context) -> list[PageGenerator]:
        """Site page generators publishing this instrument's results and printables, in the order they run.

        Asked during each build, with the standards it loaded: `context.store_path` is the store it publishes,
        `context.quarter` the quarter it shows (its exam), `context.lock_path` the forms lock (None: the default
        one), `context.today` the day whose week the printables are for (None: today in the organisation's
        time zone), `context.printed_sources` what a PDF's font subset covers (`printing.fonts.font_faces`)."""
        return []

    def method_pages(self, context: Context, links: MethodLinks) -> dict[str, MethodPage]:
        """What goes on the 监督方式 page of each method of the procedure this instrument does (method id ->
        `site.method_pages.MethodPage`: how, how often, forms, printables, results). The site stage renders
        every method's page after all page generators ran; `links` has the forms of the lock and tells which
        files the build wrote. A method no instrument describes gets its checklists' forms and sheets."""
        return {}

    def overview_figures(self, context: Context, this_week, last_week) -> list:
        """Figures this instrument adds to the results' 本周概览 (`results.weekly.Figure`) from the store
        `context.store_path`, this week's against last week's (`this_week` / `last_week`: `results.weekly.Week`,
        Monday to the last day counted).
        A figure with `project` set is that project's: a column of the weekly report's table of all projects."""
        return []

    # ------------------------------------------------------------ demo data

    def simulate_responses(self, standards: Standards, out_dir: Path, *, start: dt.date, end: dt.date,
                           seed: int) -> dict[str, Path]:
        """Write simulated response exports for `handbook demo` into out_dir: form id -> CSV written."""
        return {}

    # ------------------------------------------------------------ CLI

    def register_commands(self, cli: click.Group) -> None:
        """Add this instrument's commands to the `handbook` group it is given, as one group `handbook <id>`
        with the shared verbs where they apply: `form` and `push` (`cli.forms.instrument_form_commands`),
        `simulate`, and its own (`draw` …). An old command name kept for a release: `cli.options.alias`."""

    def __repr__(self) -> str:
        return f"<instrument {self.id}>"
