"""`handbook demo`: the whole job offline on simulated example responses.

Simulate a quarter of patrols and spot checks as Google-Sheets-style CSV exports,
ingest them into a fresh demo store, and build the full site with results.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from .ingest import run as ingest_run
from .instruments import INSTRUMENTS, Instrument, site_generators
from .results.publish import sheet_focus
from .site.site_build import BuildReport, build_site
from .standards import require_standards

# Fixed dates keep the demo byte-for-byte reproducible whatever day it runs.
START, END = dt.date(2026, 8, 31), dt.date(2026, 11, 22)
SEED = 2026


@dataclass
class DemoReport:
    responses: dict[str, Path]       # checklist -> CSV written
    ingest: object                   # IngestReport
    build: BuildReport
    store: Path


def run_demo(standards_dir: Path | str = Path("standards"), *, work_dir: Path | str = Path("data/demo"),
             out_dir: Path | str = Path("public"), docs_dir: Path | str = Path("site"),
             config_file: Path | str = Path("mkdocs.yml"), start: dt.date = START, end: dt.date = END,
             seed: int = SEED, per_project_pdfs: bool = True,
             instruments: list[Instrument] = INSTRUMENTS) -> DemoReport:
    """Simulate, ingest into a fresh store under work_dir, build the site into out_dir."""
    standards = require_standards(standards_dir, instruments=instruments)
    work_dir = Path(work_dir)
    responses: dict[str, Path] = {}
    for instrument in instruments:
        responses.update(instrument.simulate_responses(standards, work_dir / "responses", start=start, end=end,
                                                       seed=seed))
    quarter = f"{end.year}Q{(end.month - 1) // 3 + 1}"
    store = work_dir / "demo.sqlite"
    for leftover in (store, store.with_name(store.name + "-wal"), store.with_name(store.name + "-shm")):
        leftover.unlink(missing_ok=True)
    sources = [ingest_run.file_source(path, checklist) for checklist, path in responses.items()]
    report = ingest_run.run_ingest(sources, standards=standards, db_path=store, instruments=instruments)
    build = build_site(standards_dir, out_dir=out_dir, docs_dir=docs_dir, config_file=config_file,
                       instruments=instruments, extra_generators=site_generators(store, quarter=quarter, instruments=instruments),
                       per_project=per_project_pdfs, sheet_focus=sheet_focus(store))
    return DemoReport(responses, report, build, store)
