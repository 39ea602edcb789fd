"""`handbook demo`: the whole job offline on simulated example responses.

Simulate a quarter of patrols and spot checks as Google-Sheets-style CSV exports,
ingest them into a fresh demo store, and build the full site with results.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .forms.form_spec import build_forms
from .forms.lock_file import write_lock
from .ingest import run as ingest_run
from .instruments import INSTRUMENTS, Instrument, site_generators
from .results.publish import sheet_focus
from .site.site_build import BuildReport, build_site
from .standards import require_standards

# Fixed dates keep the demo byte-for-byte reproducible whatever day it runs.
START, END = dt.date(2026, 8, 31), dt.date(2026, 11, 22)
SEED = 2026
DEMO_RESPONDER = "https://docs.google.com/forms/d/e/DEMO-{form}/viewform"


def demo_lock(standards, instruments) -> dict:
    """A forms lock for the demo: every form of `instruments` with a made-up id (`DEMO-…`), so the demo's
    sheets and pages show the QR codes and links a pushed form gets. `demo: true` marks them 演示; only the
    project question is recorded (prefill needs it), so ingest never reads answers through this lock."""
    entries = {}
    for form_id, spec in build_forms(standards, instruments).items():
        project = {qid: q for qid, q in spec.questions.items() if q.get("field") == "project"}
        entries[form_id] = {"form_id": f"DEMO-{form_id}", "responder_url": DEMO_RESPONDER.format(form=form_id),
                            "sheets": [], "versions": {spec.version: {"questions": project}}}
    return {"demo": True, "checklists": entries}


@dataclass
class DemoReport:
    responses: dict[str, Path]       # checklist -> CSV written
    lock: Path                       # the demo lock (made-up form ids) the sheets' QR codes come from
    ingest: object                   # IngestReport
    build: BuildReport
    store: Path


def run_demo(standards_dir: Path | str = Path("standards"), *, work_dir: Path | str = Path("data/demo"),
             out_dir: Path | str = Path("build/demo"), docs_dir: Path | str = Path("site"),
             config_file: Path | str = Path("mkdocs.yml"), start: dt.date = START, end: dt.date = END,
             seed: int = SEED, per_project_pdfs: bool = True,
             instruments: list[Instrument] = INSTRUMENTS,
             step: Callable[[str, object], None] = lambda name, result: None) -> DemoReport:
    """Simulate, ingest into a fresh store under work_dir, build the site into out_dir.

    `step(name, None)` is called as each step ("simulate", "ingest", "build") starts and
    `step(name, result)` when it is done, so a caller can say what is going on.
    """
    standards = require_standards(standards_dir, instruments=instruments)
    work_dir = Path(work_dir)
    step("simulate", None)
    responses: dict[str, Path] = {}
    for instrument in instruments:
        responses.update(instrument.simulate_responses(standards, work_dir / "responses", start=start, end=end,
                                                       seed=seed))
    step("simulate", responses)
    quarter = f"{end.year}Q{(end.month - 1) // 3 + 1}"
    store = work_dir / "demo.sqlite"
    for leftover in (store, store.with_name(store.name + "-wal"), store.with_name(store.name + "-shm")):
        leftover.unlink(missing_ok=True)
    lock = work_dir / "forms.lock.yaml"
    write_lock(lock, demo_lock(standards, instruments))
    step("ingest", None)
    sources = [ingest_run.file_source(path, checklist) for checklist, path in responses.items()]
    report = ingest_run.run_ingest(sources, standards=standards, db_path=store, instruments=instruments)
    step("ingest", report)
    step("build", None)
    build = build_site(standards_dir, out_dir=out_dir, docs_dir=docs_dir, config_file=config_file,
                       instruments=instruments,
                       extra_generators=site_generators(store, quarter=quarter, lock_path=lock,
                                                        instruments=instruments, today=end),
                       per_project=per_project_pdfs, sheet_focus=sheet_focus(store), lock_path=lock)
    step("build", build)
    return DemoReport(responses, lock, report, build, store)
