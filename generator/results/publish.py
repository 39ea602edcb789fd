"""Publish the results: a page generator that the site build runs (scores from the store)."""

from __future__ import annotations

import shutil
from pathlib import Path

from .pages import NAV, ROOT, QualityRow, build_results

RESULTS_TAB = "检查结果"


def quality_rows(store_path: Path) -> tuple[list[QualityRow], list[QualityRow]]:
    """Quarantined rows and unmapped columns of the store, for the data-quality page."""
    from ..ingest.store import read_quarantine, read_unmapped_columns

    quarantine = [QualityRow(f"{q.checklist} · {q.source}", str(q.row_number), q.reason,
                             str(q.first_seen_at)[:16]) for q in read_quarantine(store_path)]
    unmapped = [QualityRow(f"{u.checklist} · {u.source}", u.column, "未对应到任何条目或字段",
                           str(u.first_seen_at)[:16]) for u in read_unmapped_columns(store_path)]
    return quarantine, unmapped


def results_generator(store_path: Path | str, *, as_of=None):
    """A site page generator writing results/ from the store (an empty store gives 'no data yet' pages)."""
    store_path = Path(store_path)

    def generate(ctx) -> None:
        from ..ingest.store import read_inspections
        from ..site import urls

        from ..gcpause import paused

        inspections, quarantine, unmapped = [], [], []
        with paused():   # a year's inspections are hundreds of thousands of objects, none in cycles
            if store_path.exists():
                inspections = read_inspections(store_path)
                quarantine, unmapped = quality_rows(store_path)
            shutil.rmtree(ctx.docs_dir / ROOT, ignore_errors=True)
            files = build_results(ctx.standards, inspections, as_of=as_of, quarantine=quarantine,
                                  unmapped=unmapped, item_url=lambda code: f"{urls.item_page(code, ctx.standards)}"
                                                                           f"#{urls.item_anchor(code)}")
            del inspections
        for path, text in sorted(files.items()):
            ctx.write(path, text)
        ctx.add_nav(RESULTS_TAB, [{title: path} for title, path in NAV])
        ctx.hide_from_nav(f"{ROOT}/weeks/")
        ctx.hide_from_nav(f"{ROOT}/projects/")

    return generate


def publish_generators(store_path: Path | str, *, quarter: str | None = None,
                       lock_path: Path | str | None = None) -> list:
    """Every results page generator, in the order they must run (results/ is emptied by the first).

    The patrol results, the quarter's exam paper and exam results, then the method pages
    (questionnaire satisfaction, questioning knowledge, training, one page per method).
    """
    import datetime as dt

    from ..methods.exam_paper import exam_print_generator
    from ..methods.exam_results import exam_results_generator
    from ..methods.pages import method_pages_generator
    from .scoring import quarter_of

    quarter = quarter or quarter_of(dt.date.today())
    return [results_generator(store_path), exam_print_generator(quarter),
            exam_results_generator(store_path, quarter=quarter),
            method_pages_generator(store_path, lock_path=lock_path)]


def sheet_focus(store_path: Path | str):
    """For the build: a function giving each project's focus list, printed on its patrol sheets."""
    store_path = Path(store_path)

    def focus(standards) -> dict:
        from ..ingest.store import read_inspections
        from ..methods.focus import focus_list
        from .scoring import corrective_actions

        from ..gcpause import paused

        if not store_path.exists():
            return {}
        with paused():
            inspections = read_inspections(store_path)
            if not inspections:
                return {}
            as_of = max(i.date for i in inspections)
            actions = corrective_actions(standards, inspections)
            # focus_list keeps the project's own inspections and actions: hand it only those
            own: dict[str, list] = {}
            own_actions: dict[str, list] = {}
            for i in inspections:
                own.setdefault(i.project, []).append(i)
            for a in actions:
                own_actions.setdefault(a.project, []).append(a)
            return {p.id: focus_list(standards, p.id, own.get(p.id, []), own_actions.get(p.id, []), as_of)
                    for p in standards.organisation.projects}

    return focus
