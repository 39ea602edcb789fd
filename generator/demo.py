"""`handbook demo`: the whole job offline on simulated example responses.

Simulate a quarter of patrols and spot checks as Google-Sheets-style CSV exports,
ingest them into a fresh demo store, and build the full site with results.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from .forms.form_spec import build_forms, form_ids
from .forms.lock_file import read_locked_forms, write_lock
from .ingest import run as ingest_run
from .instruments import Instrument, site_generators
from .results.publish import sheet_focus
from .site.site_build import BuildReport, build_site
from .standards import require_standards

# Fixed dates keep the demo byte-for-byte reproducible whatever day it runs.
START, END = dt.date(2026, 8, 31), dt.date(2026, 11, 22)
SEED = 2026
DEMO_RESPONDER = "https://docs.google.com/forms/d/e/DEMO-{form}/viewform"
DEMO_SURVEY = "https://wj.qq.com/s2/{survey}/demo/"
DEMO_SURVEY_BASE = 90000001
PLATFORMS = ("google", "tencent")


def demo_surveys(standards, instruments) -> dict[str, str]:
    """Form id -> the made-up 腾讯问卷 survey id the demo on 腾讯问卷 reads it from (the forms `forms build`
    makes, in its order; a quarter's exam stays a file)."""
    return {form_id: str(DEMO_SURVEY_BASE + n) for n, form_id in enumerate(form_ids(standards, instruments))}


def demo_lock(standards, instruments, platform: str = "google") -> dict:
    """A forms lock for the demo: every form of `instruments` with a made-up id (`DEMO-…`), so the demo's
    sheets and pages show the QR codes and links a pushed form gets. `demo: true` marks them 演示; only the
    project question is recorded (prefill needs it), so ingest never reads answers through this lock.
    On 腾讯问卷 (`platform="tencent"`) each form is a made-up survey (`demo_surveys`) whose answers ingest
    pulls from the 腾讯问卷 API the client is pointed at (`HANDBOOK_TENCENT_API`: a fake one)."""
    if platform == "tencent":
        return {"demo": True, "checklists": {
            form_id: {"form_id": f"tencent:{sid}", "source": "tencent", "survey_id": sid,
                      "responder_url": DEMO_SURVEY.format(survey=sid), "sheets": [], "versions": {}}
            for form_id, sid in demo_surveys(standards, instruments).items()}}
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
             instruments: Sequence[Instrument], platform: str = "google",
             step: Callable[[str, object], None] = lambda name, result: None) -> DemoReport:
    """Simulate, ingest into a fresh store under work_dir, build the site into out_dir.

    `platform="tencent"`: the forms are 腾讯问卷 surveys (`demo_lock`) and ingest pulls their answers through
    the 腾讯问卷 client (a fake API serving the same simulated answers: `tests/faketencent.py --demo`); the
    quarter's exam is read from its file as on Google.

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
    write_lock(lock, demo_lock(standards, instruments, platform))
    step("ingest", None)
    locked = read_locked_forms(lock) if platform == "tencent" else None
    on_platform = ingest_run.sources_from_lock(locked) if locked else []
    sources = on_platform + [ingest_run.file_source(path, checklist) for checklist, path in responses.items()
                             if not any(ref.checklist == checklist for ref in on_platform)]
    report = ingest_run.run_ingest(sources, standards=standards, db_path=store, instruments=instruments,
                                   lock=locked)
    step("ingest", report)
    step("build", None)
    build = build_site(standards_dir, out_dir=out_dir, docs_dir=docs_dir, config_file=config_file,
                       instruments=instruments,
                       extra_generators=site_generators(store, quarter=quarter, lock_path=lock,
                                                        instruments=instruments, today=end),
                       per_project=per_project_pdfs, sheet_focus=sheet_focus(store), lock_path=lock)
    step("build", build)
    return DemoReport(responses, lock, report, build, store)
