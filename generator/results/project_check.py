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
from .publish import store_snapshot


def unknown_projects(standards, inspections) -> Counter:
    """How many inspections each project id the standards do not have holds."""
    known = {p.id for p in standards.organisation.projects}
    return Counter(i.project for i in inspections if i.project not in known)


def store_projects_check(store_path: Path | str):
    """A page generator raising HandbookError when the store holds inspections of a project the standards
    no longer have (nothing is written then; the build stops before the engine runs)."""
    store_path = Path(store_path)

    def check(ctx) -> None:
        unknown = unknown_projects(ctx.standards, store_snapshot(store_path).inspections())
        if unknown:
            projects = sorted(unknown)
            source = ctx.standards.source or "standards"
            raise HandbookError(one_line("store_project_unknown", store=store_path, project="”、“".join(projects),
                                         n=sum(unknown.values()), file=f"{source}/organisation.yaml"))

    return check
