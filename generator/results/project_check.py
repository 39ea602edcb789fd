"""A build's first page generator: every project the store holds inspections of is still in the standards.

A project deleted from organisation.yaml (or given a new id) while the store holds its inspections would
leave results pages linking to a page no build writes. The build stops first with one line naming the id
and how to keep it: keep the project with `active: false` (its history is still published, it gets no new
forms or sheets), or, for a new name, keep the id and change `name` alone.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from ..errors import HandbookError, one_line
from ..store import read_inspections
from .publish import store_snapshot


def unknown_projects(standards, inspections) -> Counter:
    """How many inspections each project id the standards do not have holds."""
    known = {p.id for p in standards.organisation.projects}
    return Counter(i.project for i in inspections if i.project not in known)


def _refuse(standards, store_path: Path, unknown: Counter) -> None:
    if unknown:
        source = standards.source or "standards"
        raise HandbookError(one_line("store_project_unknown", store=store_path, project="”、“".join(sorted(unknown)),
                                     n=sum(unknown.values()), file=f"{source}/organisation.yaml"))


def check_store_projects(standards, store_path: Path | str) -> None:
    """`handbook check --store`: HandbookError when the store (which must exist) holds inspections of a
    project the standards do not have."""
    store_path = Path(store_path)
    if not store_path.exists():
        raise HandbookError(one_line("store_missing", path=store_path))
    _refuse(standards, store_path, unknown_projects(standards, read_inspections(store_path)))


def store_projects_check(store_path: Path | str):
    """A page generator raising HandbookError when the store holds inspections of a project the standards
    no longer have (nothing is written then; the build stops before the engine runs)."""
    store_path = Path(store_path)

    def check(ctx) -> None:
        _refuse(ctx.standards, store_path, unknown_projects(ctx.standards, store_snapshot(store_path).inspections()))

    return check
