"""Each instrument namespaces what it owns: its store tables start with its id (`<id>_…`) and its results
pages sit under `results/<id>…`, and no two owners (instruments or the stages' own tables) share a table or
a page. Tables and pages named before this rule keep their names (users' stores are never renamed): they
are listed here, by owner, and the list may only shrink."""

from __future__ import annotations

import re

from generator.ingest.platforms.tencent import PLATFORM_TABLES
from generator.instruments import INSTRUMENTS
from generator.notify.ledger import NOTIFY_TABLES
from generator.results.archive import ARCHIVE_TABLES
from generator.store import OWN_TABLES

from example_instrument import PhoneCallback

# names from before the rule: the store keeps them so that existing users' stores open unchanged
LEGACY_TABLES = {"questionnaire": {"survey_responses", "survey_answers"}, "fixreport": {"fix_reports"}}
LEGACY_PAGES = {"questionnaire": {"results/satisfaction.md"}, "questioning": {"results/knowledge.md"}}

STAGE_TABLES = {"store": set(OWN_TABLES) | {"standards_rules"}, "notify": set(NOTIFY_TABLES.store_tables),
                "archive": set(ARCHIVE_TABLES.store_tables), "platforms": set(PLATFORM_TABLES.store_tables)}


def _prefix(instrument_id: str) -> str:
    return re.sub(r"\W", "_", instrument_id)


def outside_namespace(instrument) -> list[str]:
    tables = [t for t in instrument.store_tables if not t.startswith(_prefix(instrument.id) + "_")
              and t not in LEGACY_TABLES.get(instrument.id, ())]
    pages = [p for _, p in instrument.results_pages if not p.startswith(f"results/{instrument.id}")
             and p not in LEGACY_PAGES.get(instrument.id, ())]
    return tables + pages


def test_every_instruments_tables_and_results_pages_are_in_its_namespace():
    assert {i.id: outside_namespace(i) for i in INSTRUMENTS} == {i.id: [] for i in INSTRUMENTS}
    # the worked example follows the rule; a table named after another instrument would not
    assert outside_namespace(PhoneCallback()) == []
    stray = type("Stray", (PhoneCallback,),
                 {"store_tables": ("exam_calls",), "results_pages": (("x", "results/x.md"),)})
    assert outside_namespace(stray()) == ["exam_calls", "results/x.md"]


def test_no_two_owners_share_a_table_or_a_results_page():
    owners = {i.id: set(i.store_tables) for i in [*INSTRUMENTS, PhoneCallback()]} | STAGE_TABLES
    shared_tables = {(a, b, t) for a in owners for b in owners if a < b for t in owners[a] & owners[b]}
    assert shared_tables == set()
    pages = {i.id: {p for _, p in i.results_pages} for i in [*INSTRUMENTS, PhoneCallback()]}
    shared_pages = {(a, b, p) for a in pages for b in pages if a < b for p in pages[a] & pages[b]}
    assert shared_pages == set()


def test_the_legacy_names_are_still_owned_by_their_instrument():
    """A legacy entry whose instrument no longer owns it is stale: drop it from the list."""
    by_id = {i.id: i for i in INSTRUMENTS}
    assert {(i, t) for i, names in LEGACY_TABLES.items() for t in names if t not in by_id[i].store_tables} == set()
    assert {(i, p) for i, names in LEGACY_PAGES.items() for p in names
            if p not in {page for _, page in by_id[i].results_pages}} == set()
