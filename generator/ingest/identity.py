"""Which stored inspection a fetched row is: the rule that survives edits, sorting and deletions.

Google edits a response in place in its row (and updates its timestamp); people
sort, filter and delete rows. Rows are matched to stored inspections of the same
checklist in this order:

1. Same content as a stored inspection's current version → that inspection,
   unchanged, wherever the row now sits and whichever spreadsheet of the form
   holds it (sorting, deleting other rows and moving rows to an archive
   spreadsheet change nothing).
2. Otherwise an edit of a stored inspection from the same source that no other
   row matched and that has the same project, role, inspector and inspection
   date. When several fit (two patrols on one day), the one that sat at the same
   place relative to the nearest matched row above wins, then the nearest by row.
3. Otherwise a new inspection.

Stored inspections from the sources read that no row matched are gone from the
source: they stay in the store, flagged, and come back if the row reappears.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Stored:
    id: str
    source_key: str
    row_number: int
    content_hash: str
    key: tuple
    gone: bool = False


@dataclass
class Fetched:
    row_number: int
    content_hash: str
    key: tuple


@dataclass
class Matches:
    """Outcome per source: row number -> (outcome, inspection id or None for new)."""

    rows: dict[str, dict[int, tuple[str, str | None]]] = field(default_factory=dict)
    gone: dict[str, list[str]] = field(default_factory=dict)      # source key -> inspection ids


def match(stored: list[Stored], fetched: dict[str, list[Fetched]]) -> Matches:
    """Match every fetched row (by source, in sheet order) to a stored inspection or none."""
    result = Matches({source: {} for source in fetched})
    claimed: set[str] = set()
    by_hash: dict[str, list[Stored]] = {}
    for s in stored:
        by_hash.setdefault(s.content_hash, []).append(s)
    matched_to: dict[str, dict[int, Stored]] = {source: {} for source in fetched}

    # 1. identical content, anywhere
    for source, rows in fetched.items():
        for row in rows:
            for s in by_hash.get(row.content_hash, ()):
                if s.id not in claimed:
                    claimed.add(s.id)
                    result.rows[source][row.row_number] = ("unchanged", s.id)
                    matched_to[source][row.row_number] = s
                    break

    # 2. edits in place: same source, same who/where/when, preferring the same relative position
    for source, rows in fetched.items():
        pool: dict[tuple, list[Stored]] = {}
        for s in stored:
            if s.source_key == source and s.id not in claimed:
                pool.setdefault(s.key, []).append(s)
        anchor_row, anchor_prev = 1, 1          # the header row anchors the top
        for row in rows:
            hit = matched_to[source].get(row.row_number)
            if hit is None:
                candidates = [s for s in pool.get(row.key, ()) if s.id not in claimed]
                if candidates:
                    expected = anchor_prev + (row.row_number - anchor_row)
                    hit = min(candidates, key=lambda s: (s.row_number != expected,
                                                         abs(s.row_number - expected), s.row_number))
                    claimed.add(hit.id)
                    result.rows[source][row.row_number] = ("edited", hit.id)
                else:
                    result.rows[source][row.row_number] = ("new", None)
                    continue
            if hit.source_key == source:
                anchor_row, anchor_prev = row.row_number, hit.row_number

    # 3. what no row claimed is gone from its source (when that source was read)
    for s in stored:
        if s.id not in claimed and s.source_key in fetched and not s.gone:
            result.gone.setdefault(s.source_key, []).append(s.id)
    return result
