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

`ingest.py` applies this rule a batch of rows at a time (`_stream`, `_settle`): step 1 as each
row is read (content hashes are unique within a run, so the order of rows does not change it),
step 2 once every row of the checklist's sources is read, asking the store and the run's
temporary tables (`StoreWriter.by_content`, `pool_candidates`) instead of holding the rows.
"""
