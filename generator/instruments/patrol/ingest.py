"""The patrol checklists' ingest: each checklist source's rows mapped, checked, matched and stored as fetched.

The ingest stage (`ingest/run.py`) hands the checklists' sources to this instrument's stream
(`PatrolChecklists.ingest_stream` → `ChecklistStream`) inside the run's one transaction, and reads the other
instruments' forms itself. Rows are streamed: each batch of WRITE_BATCH rows is mapped (`mapping.py`),
checked, matched and written before the next is read (a file is read as the batches ask for it), so memory
does not grow with the file; what matching needs of earlier rows is asked of the store, where this run's
writes already are, and of temporary tables. Which stored inspection a row is: `identity.py`. Raw rows,
quarantine, unmapped columns and the deletion guard are the ingest shell's (`ingest/shell.py`).

A source is refused, and with it the whole run, when its header lacks an item column of the form version
its rows were answered on (or belongs to another checklist); the run refuses one that would flag as gone
every stored row it gave before (an emptied export) or more than half of them, unless `accept_deletions`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
from dataclasses import dataclass, field
from typing import Iterable, Sequence
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ... import store
from ...errors import HandbookError
from ...context import standards_context
from ...forms.lock_file import Lock
from ...ingest import shell
from ...ingest.columns import Rejected, short
from .mapping import ColumnMap, Normalised, Vocabulary, json_encoder, map_columns, normalise
from ...ingest.run import SourceReport
from ...ingest.shell import COLUMNS_LISTED, Quarantined, source_name
from ...ingest.table import Progress, Table
from ...messages import Msg

WRITE_BATCH = 500


def _json_default(value):
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    return str(value)


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(slots=True)
class _Row:
    """One fetched row while its batch is matched and written (only a batch of rows is held at a time)."""

    row_number: int
    raw_hash: str
    content_hash: str = ""
    key: tuple = ()
    version: tuple | None = None       # the version row's fields from submitted_at on (None: unchanged fast path)
    sections: list | None = None       # (section, corrected, note)
    added: list | None = None          # (ChecklistColumns name, row to store with the version)
    rejected: Rejected | None = None
    cells: list | None = None          # kept only on the fast path (normalised after all if a duplicate)
    record: Normalised | None = None   # the normalised response while its batch is matched


@dataclass
class _Source:
    """A checklist source while it is read: where it goes in the store and what matching needs of it."""

    table: Table
    report: SourceReport
    columns: ColumnMap
    sid: int
    hid: int
    timezone: str
    fetched_at: str
    stored_before: int = 0      # its inspections not gone before the run
    pooled: bool = False        # it had inspections before the run: edits and gone rows are looked for
    known: bool = False         # it had raw rows under this header: rows fetched again are matched by them
    anchor: tuple = (1, 1)      # (row, stored row) of the last row matched by content to its own inspection
    pending: int = 0            # rows that may be edits, decided when every source of the checklist is read
    sheet_zones: list | None = None   # (files) the zones of the checklist's spreadsheets other than ours


@dataclass
class _Checklist:
    """One checklist's part of a run: its sources in the order read."""

    checklist: str
    vocab: Vocabulary
    max_rowid: int                                              # inspections above it are this run's
    sources: list[_Source] = field(default_factory=list)
    titles: dict[int, str] = field(default_factory=dict)        # source id -> title (duplicate messages)
    moved_away: dict[int, int] = field(default_factory=dict)    # source id -> live inspections moved out
    pending: int = 0


# one encoder each (json.dumps with options builds a new encoder per call): the same text as json.dumps
_dumps = json_encoder(separators=(",", ":"))
_sorted_dumps = json_encoder(sort_keys=True)
_raw_dumps = json_encoder(default=_json_default)
_ENCODED: dict[tuple, str] = {}    # answer sets repeat a lot: encode each once (bounded: memory stays flat)
_ENCODED_MAX = 256


def _encoded(value: dict) -> str:
    key = tuple(value.items())
    text = _ENCODED.get(key)
    if text is None:
        if len(_ENCODED) > _ENCODED_MAX:
            _ENCODED.clear()
        text = _ENCODED[key] = _dumps(value)
    return text


def _version_fields(r: Normalised, vocab: Vocabulary) -> tuple[tuple, list | None, list | None]:
    """(version fields from submitted_at on, sections, rows of the instruments' columns) of a normalised
    response."""
    findings, labels = (r.encoded[0], r.encoded[1]) if r.encoded else (_encoded(r.findings), _encoded(r.labels))
    v = (r.submitted_at.isoformat(), r.project, r.role, r.inspector, r.date.isoformat(), r.form_version, r.email,
         _sorted_dumps(r.extra) if r.extra else "{}", findings, labels)
    sections = [(s, (None if s not in r.corrected else int(r.corrected[s])), r.notes.get(s))
                for s in sorted(set(r.corrected) | set(r.notes))] if (r.corrected or r.notes) else None
    added = None
    if r.added:
        added = [(reader.name, row) for reader in vocab.added if reader.name in r.added
                 for row in reader.rows(r.added[reader.name])] or None
    return v, sections, added


def _normalise_row(row: _Row, cells: list, columns: ColumnMap, vocab: Vocabulary, source_tz) -> None:
    row.cells = None
    try:
        record = normalise(cells, columns, vocab, source_tz)
        row.record = record
        row.content_hash = record.content_hash()
        row.key = record.key
        row.version, row.sections, row.added = _version_fields(record, vocab)
    except Rejected as exc:
        row.rejected = exc


def _batches(rows: Iterable, size: int):
    rows = iter(rows)
    while batch := list(itertools.islice(rows, size)):
        yield batch


def _stream(w: store.StoreWriter, run: _Checklist, table: Table, report: SourceReport, now: str, standards,
            lock: Lock, progress: Progress | None, done: list[int]) -> _Source:
    """Read, map, check, hash, match and write the source's rows a batch at a time, inside the run's
    transaction: only one batch of rows is in memory, and what matching needs of earlier rows is asked of
    the store (this run's writes are in it) and of the run's temporary tables.

    Identity (see identity.py): a row with the content of a stored inspection's current version is that
    inspection, unchanged; a row that is none, from a source read before, whose project, role, inspector
    and date an inspection of that source has, may be an edit: it waits (in a temporary table) until every
    row of the checklist's sources is read (`_settle`); any other row is a new inspection. A row whose
    cells are those of a stored current version from this source is matched without normalising it again.
    """
    vocab = run.vocab
    columns = map_columns(table.header, vocab)
    columns.date_order = table.date_order
    source_tz = shell.source_zone(table, vocab.timezone)
    sid, hid = shell.register(w, table, table.header, report.title, now)
    src = _Source(table, report, columns, sid, hid, vocab.timezone.key,
                  table.fetched_at.isoformat(timespec="seconds"))
    src.stored_before = w.live_count(sid, run.max_rowid) + run.moved_away.get(sid, 0)
    if run.max_rowid:
        src.pooled = w.pool(sid, run.checklist, run.max_rowid)
        src.known = w.know(sid, hid)
    run.sources.append(src)
    run.titles[sid] = table.title
    read = 0
    for batch in _batches(table.rows, WRITE_BATCH):
        read += len(batch)
        _stream_batch(w, run, src, batch, source_tz, now)
        done[0] += len(batch)
        if progress:
            progress("store", done[0], done[1])
    report.read = read
    _check_header(table, columns, vocab, standards, lock, has_rows=read > 0)
    report.unmapped_columns = [name for _, name in columns.unmapped]
    for first, others in columns.twins.items():   # said once per source, with the columns it merged
        report.warnings.append(Msg.INGEST_TWIN_COLUMNS(
            name=short(table.header[first]), n=1 + len(others),
            positions="、".join(str(i + 1) for i in [first, *others])))
    shell.unmapped(w, sid, columns.unmapped, now)
    return src


def _stream_batch(w: store.StoreWriter, run: _Checklist, src: _Source, batch: list, source_tz, now: str) -> None:
    vocab, columns, sid, hid = run.vocab, src.columns, src.sid, src.hid
    dumps, sha = _raw_dumps, hashlib.sha256
    rows: list[_Row] = []
    raws: list[store.RawRow] = []
    for number, cells in batch:
        raw_json = dumps(cells)
        rows.append(_Row(number, sha(raw_json.encode("utf-8")).hexdigest()))
        raws.append(store.RawRow(number, rows[-1].raw_hash, raw_json))
    hits = w.known(sid, hid, [r.raw_hash for r in rows]) if src.known else {}
    for row, (_number, cells) in zip(rows, batch):
        hit = hits.get(row.raw_hash)
        if hit is not None:   # the fast path: these cells are a stored current version's
            row.content_hash, row.key = hit[0], hit[1]
            columns.versions_used.add(hit[2])
            row.cells = cells
        else:
            _normalise_row(row, cells, columns, vocab, source_tz)
    raws = [r for r in raws if r[1] not in hits]
    last = w.last_raw_id()
    if w.append_raw_rows(sid, hid, raws, src.fetched_at) == len(rows) and w.last_raw_id() == last + len(rows):
        # each stored now, under the next ids (SQLite gives a new row the largest id + 1)
        raw_ids = {raw_hash: last + k for k, (_, raw_hash, _) in enumerate(raws, 1)}
    else:
        raw_ids = w.raw_ids_of(sid, hid, list({r.raw_hash: None for r in rows}))
    del raws
    hashes = list({r.content_hash: None for r in rows if not r.rejected})
    found = w.by_content(run.checklist, hashes) if hashes else {}
    edits = _match_by_time(w, run, src, rows, found)
    hashes = list({r.content_hash: None for r in rows if not r.rejected})
    pended = w.pending_by_content(run.checklist, hashes) if run.pending and hashes else {}
    pooled = (w.pooled_keys(sid, [r.key for r in rows if not r.rejected
                                  and not any(x[1] <= run.max_rowid for x in found.get(r.content_hash, ()))])
              if src.pooled else set())
    local: dict[str, tuple[str, int]] = {}
    title = src.table.title

    def first_seen(h: str):
        """Where this run read a row with content `h` before (None: it did not)."""
        if h in local:
            return local[h]
        for _id, rowid, s, n, _v, _gone, by_title, by_row in found.get(h, ()):
            if rowid > run.max_rowid:
                return run.titles.get(s, ""), n
            if by_title is not None:
                return by_title, by_row
        if h in pended:
            s, n = pended[h]
            return run.titles.get(s, ""), n
        return None

    outcome: list[tuple] = []     # (row, kind, stored inspection or None)
    claims, pending = [], []
    for row in rows:
        if row.rejected:
            outcome.append((row, "", None))
            continue
        seen = first_seen(row.content_hash)
        if seen is not None and row.cells is not None:   # a fast-path row seen before: read it in full
            cells, old = row.cells, row.content_hash
            _normalise_row(row, cells, columns, vocab, source_tz)
            if not row.rejected and row.content_hash != old:
                more = [row.content_hash]
                found.update(w.by_content(run.checklist, more))
                if run.pending:
                    pended.update(w.pending_by_content(run.checklist, more))
                if src.pooled and not any(x[1] <= run.max_rowid for x in found.get(row.content_hash, ())):
                    pooled |= w.pooled_keys(sid, [row.key])
            seen = None if row.rejected else first_seen(row.content_hash)
        if row.rejected:
            outcome.append((row, "", None))
            continue
        if seen is not None:
            row.rejected = Rejected("duplicate", f"“{seen[0]}”第 {seen[1]} 行")
            outcome.append((row, "", None))
            continue
        local[row.content_hash] = (title, row.row_number)
        edit = edits.get(id(row))
        if edit is not None:     # 1b. a stored inspection whose time was less exact or read in the wrong zone
            claims.append(store.ClaimRow(edit[0], title, row.row_number))
            outcome.append((row, "edited", edit))
            continue
        stored = next((x for x in found.get(row.content_hash, ()) if x[1] <= run.max_rowid), None)
        if stored is not None:   # 1. the content of a stored inspection: that one, unchanged
            claims.append(store.ClaimRow(stored[0], title, row.row_number))
            if stored[2] == sid:
                src.anchor = (row.row_number, stored[3])
            elif stored[5] is None:
                run.moved_away[stored[2]] = run.moved_away.get(stored[2], 0) + 1
            outcome.append((row, "unchanged", stored))
        elif row.key in pooled:  # 2. perhaps an edit: decided when every row is read
            pending.append(store.PendingRow(run.checklist, sid, row.row_number, raw_ids[row.raw_hash], row.content_hash,
                            row.key[0], row.key[1], row.key[2], row.key[3].isoformat(), src.anchor[0], src.anchor[1],
                            row.version, row.sections, row.added))
            outcome.append((row, "pending", None))
        else:                    # 3. new
            outcome.append((row, "new", None))
    if claims:
        w.claim(claims)
    if pending:
        w.add_pending(pending)
        src.pending += len(pending)
        run.pending += len(pending)
    fresh = [row for row, kind, _ in outcome if kind == "new"]
    ids = iter(_new_ids([r.content_hash for r in fresh], w))
    _write_rows(w, run, src, [(row, kind, stored if kind != "new" else next(ids)) for row, kind, stored in outcome],
                raw_ids, now)


def _match_by_time(w: store.StoreWriter, run: _Checklist, src: _Source, rows: list[_Row], found: dict) -> dict:
    """Rows that are a stored response with the same content but for a time given differently: to the minute
    (a file re-saved by Excel drops the seconds), or the same wall-clock time read in another zone (a CSV
    downloaded from a spreadsheet kept in another zone is read in the organisation's; the Sheets API gives
    instants). A timestamp is an instant: the row with the less exact time takes the stored one's (its
    content hash becomes that response's, so it is matched as unchanged); a row with the more exact time
    is an edit of the stored one (returned: {id(row): what `by_content` gives for it}).
    `found` gains the adopted rows' hashes."""
    org = run.vocab.timezone
    zone = src.table.timezone if src.table.timezone and src.table.timezone != org.key else None
    try:
        zone_info = ZoneInfo(zone) if zone else None
    except (ZoneInfoNotFoundError, ValueError):
        zone_info = None
    if src.sheet_zones is None:
        src.sheet_zones = [] if src.table.timezone else [ZoneInfo(z) for z in sorted(w.sheet_zones(run.checklist))
                                                         if z != org.key and _known_zone(z)]
    wanted: dict[str, list] = {}     # a stored time to look for -> [(row, how)]
    coarse = []
    for row in rows:
        r = row.record
        if row.rejected or r is None or row.content_hash in found:
            continue
        instant = r.submitted_at
        if r.coarse:
            coarse.append(row)
            continue
        if instant.second:
            wanted.setdefault(instant.replace(second=0).isoformat(), []).append((row, "minute"))
        if zone_info is not None:    # this sheet's wall-clock time, as a file read in our zone would hold it
            wall = instant.astimezone(zone_info).replace(tzinfo=None)
            wanted.setdefault(wall.replace(tzinfo=org).isoformat(), []).append((row, "file"))
        for z in src.sheet_zones:    # this file's wall-clock time in a spreadsheet's zone
            wanted.setdefault(instant.replace(tzinfo=None).replace(tzinfo=z).astimezone(org).isoformat(),
                              []).append((row, z.key))
    edits: dict[int, tuple] = {}
    adopted: list[str] = []

    def same(row: _Row, at: str, candidate: Sequence) -> bool:
        h, project, role, inspector, day = candidate[:5]
        if (project, role, inspector, day) != (row.key[0], row.key[1], row.key[2], row.key[3].isoformat()):
            return False
        record = row.record
        assert record is not None, "only normalised rows are matched by time"
        exact = record.submitted_at
        record.submitted_at = dt.datetime.fromisoformat(at)
        try:
            return record.content_hash() == h
        finally:
            record.submitted_at = exact

    def adopt(row: _Row, at: str, h: str) -> None:
        row.content_hash = h
        assert row.version is not None, "only normalised rows are matched by time"
        row.version = (at, *row.version[1:])
        adopted.append(h)

    hits = w.current_at(run.checklist, list(wanted)) if wanted else {}
    for at, asked in wanted.items():
        for row, how in asked:
            if id(row) in edits or row.content_hash in adopted:
                continue
            for c in hits.get(at, ()):
                kind, zone_of = c[5], c[6]
                if how == "file" and kind != "file" or how not in ("minute", "file") and zone_of != how:
                    continue
                if not same(row, at, c):
                    continue
                stored = c[7:]
                if how in ("minute", "file") and stored[1] <= run.max_rowid and stored[6] is None:
                    edits[id(row)] = stored     # the stored time was the less exact one
                else:
                    adopt(row, at, c[0])
                break
    for row in coarse:
        assert row.record is not None, "only normalised rows are matched by time"
        start = row.record.submitted_at.replace(second=0)
        for at, *candidate in w.current_between(run.checklist, start.isoformat(),
                                                (start + dt.timedelta(minutes=1)).isoformat()):
            if same(row, at, candidate):
                adopt(row, at, candidate[0])
                break
    if adopted:
        found.update(w.by_content(run.checklist, list(dict.fromkeys(adopted))))
    return edits


def _known_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _write_rows(w: store.StoreWriter, run: _Checklist, src: _Source, outcome: list[tuple], raw_ids: dict,
                now: str) -> None:
    """Write one batch: (row, kind, what it matched) with kind "" (quarantined), "new" (with its new id),
    "unchanged" or "edited" (with the stored inspection), "pending" (written later)."""
    sr, sid, checklist = src.report, src.sid, run.checklist
    sections: list[store.SectionRow]
    quarantine: list[Quarantined]
    new, moved, versions, sections, quarantine = [], [], [], [], []
    added: dict[str, list] = {}
    for row, kind, match in outcome:
        if kind == "pending":
            continue
        raw_id = raw_ids[row.raw_hash]
        if not kind:
            quarantine.append(Quarantined(raw_id, row.row_number, row.rejected))
            continue
        if kind == "new":
            iid, version = match, 1
            new.append(store.InspectionRow(iid, checklist, sid, row.row_number, 1, now))
        else:
            iid, _rowid, old_sid, old_row, version, gone = match[:6]
            if kind == "edited":
                version += 1
                moved.append(store.MoveRow(sid, row.row_number, version, iid))
            elif (old_sid, old_row, gone) != (sid, row.row_number, None):
                moved.append(store.MoveRow(sid, row.row_number, version, iid))
        setattr(sr, kind, getattr(sr, kind) + 1)
        if kind != "unchanged":
            if row.version is None:   # matched by raw cells, yet not unchanged: cannot happen
                raise RuntimeError(f"row {row.row_number} of {src.table.source.key} was taken as unchanged too early")
            v = row.version
            versions.append(store.VersionRow(iid, version, raw_id, row.content_hash, src.fetched_at, v[0], src.timezone,
                                             *v[1:]))
            if row.sections:
                sections.extend(store.SectionRow(iid, version, *x) for x in row.sections)
            if row.added:
                for name, x in row.added:
                    added.setdefault(name, []).append((iid, version, *x))
    w.add_inspections(new)
    w.add_versions(versions, sections)
    for reader in run.vocab.added:   # after the versions they belong to
        if reader.name in added:
            reader.write(w.conn, added[reader.name])
    w.move_inspections(moved)
    shell.quarantine(w, sid, quarantine, now, sr)


def _settle(w: store.StoreWriter, run: _Checklist, now: str) -> None:
    """Once every source of the checklist is read: the rows that may be edits, in sheet order (an edit in
    place of an inspection of the same source that no row claimed, with the same project, role, inspector
    and date; when several fit, the one at the same place relative to the nearest matched row above, then
    the nearest), then the stored inspections of the sources read that no row claimed are gone."""
    for src in run.sources:
        if src.pending:
            last = (0, 0)    # (row, stored row) of the last row matched here as an edit
            outcome: list[tuple] = []
            raw_ids = {}
            for number, raw_id, h, key, a_row, a_prev, fields, sections, added in w.pending(src.sid):
                anchor_row, anchor_prev = (a_row, a_prev) if a_row >= last[0] else last
                row = _Row(number, f"#{number}", h, key)
                row.version, row.sections, row.added = fields, sections, added
                raw_ids[row.raw_hash] = raw_id
                candidates = w.pool_candidates(src.sid, key)
                if candidates:
                    expected = anchor_prev + (number - anchor_row)
                    iid, stored_row, version, gone_at = min(candidates, key=lambda c: (
                        c[1] != expected, abs(c[1] - expected), c[1]))
                    w.claim([store.ClaimRow(iid, src.table.title, number)])
                    last = (number, stored_row)
                    outcome.append((row, "edited", (iid, 0, src.sid, stored_row, version, gone_at)))
                else:
                    outcome.append((row, "new", None))
            fresh = [row for row, kind, _ in outcome if kind == "new"]
            ids = iter(_new_ids([r.content_hash for r in fresh], w))
            outcome = [(row, kind, match if kind != "new" else next(ids)) for row, kind, match in outcome]
            for start in range(0, len(outcome), WRITE_BATCH):
                _write_rows(w, run, src, outcome[start:start + WRITE_BATCH], raw_ids, now)
        if src.pooled:
            gone = w.unclaimed_live(src.sid)
            w.mark_gone(gone, now)
            src.report.gone = len(gone)


def _column_list(codes: list[str], vocab: Vocabulary, others: Sequence[str] = ()) -> str:
    """Item columns by code and title, then other columns by name; more than COLUMNS_LISTED are counted."""
    named = [f"{c} {vocab.item_titles[c]}" if c in vocab.item_titles else c for c in codes[:COLUMNS_LISTED]]
    named += list(others)[:COLUMNS_LISTED - len(named)]
    total = len(codes) + len(others)
    more = f" 等 {total} 列" if total > COLUMNS_LISTED else ""
    return "、".join(named) + more


def _checklist_items(standards, lock: Lock, checklist: str) -> tuple[tuple[str, ...], set[str]]:
    """(the items a header of the checklist's form must have now: its newest locked version's, else the
    standards'; every item any version of it ever had)."""
    vocab = Vocabulary.build(standards, checklist, lock.form(checklist))
    versions = vocab.form.versions
    required = vocab.required_items(versions[-1] if versions else None)
    known = set(vocab.current_items).union(*(vocab.required_items(v) for v in versions))
    return required, known


def _matching_checklists(have, standards, lock: Lock, but: str = "") -> list[str]:
    """The checklists (other than `but`) whose form this header's item columns are: every item the form
    asks now is there, and no item it never had."""
    out = []
    for other in standards.checklists:
        if other == but:
            continue
        need, ever = _checklist_items(standards, lock, other)
        if all(code in have for code in need) and all(code in ever for code in have if code in standards.items):
            out.append(other)
    return out


def _check_other_form(table: Table, form: str, standards, lock: Lock) -> None:
    """Refuse a checklist's export given as the questionnaire or a quiz (--checklist customer-survey)."""
    if not standards.checklists:
        return
    any_checklist = next(iter(standards.checklists))
    have = map_columns(table.header, Vocabulary.build(standards, any_checklist, lock.form(any_checklist))).items
    others = _matching_checklists(have, standards, lock) if have else []
    if others:
        raise HandbookError(Msg.INGEST_WRONG_CHECKLIST, source=source_name(table), kind="表单", checklist=form,
                            problem=f"它的 {len(have)} 个题目列是检查表条目", other=" 或 --checklist ".join(others))


def _check_header(table: Table, columns: ColumnMap, vocab: Vocabulary, standards, lock: Lock,
                  has_rows: bool) -> None:
    """Refuse a source whose header lacks an item column of a form version its rows were answered on, or
    whose item columns are another checklist's (the wrong --checklist)."""
    have = columns.items
    targets = set(columns.targets.values())
    missing_found: dict[str, None] = {}
    other_found: dict[str, None] = {}   # missing columns that are not items (the timestamp, fields, 已当场纠正 …)
    names = []                     # the lock's versions that ask a missing column
    used = sorted(columns.versions_used)
    if not used and has_rows:      # no row could be dated (no timestamp column?): the form as it is now
        used = [vocab.form.versions[-1].name if vocab.form.versions else ""]
    for name in used:
        version = vocab.version_named(name)
        if version is False:       # a version the lock no longer records: nothing known to require
            continue
        lacking = [code for code in vocab.required_items(version) if code not in have]
        lacking_other = [title for target, title in vocab.required_columns(version, targets) if target not in targets]
        if (lacking or lacking_other) and version is not None:
            names.append(version.name)
        elif (lacking or lacking_other) and vocab.form.versions:
            names.append(vocab.form.versions[0].name)
        missing_found.update(dict.fromkeys(lacking))
        other_found.update(dict.fromkeys(lacking_other))
    missing, other = list(missing_found), list(other_found)
    _, known = _checklist_items(standards, lock, vocab.checklist)
    foreign = [code for code in have if code in vocab.items and code not in known]
    if not missing and not foreign and not other:
        return
    others = _matching_checklists(have, standards, lock, vocab.checklist) if missing or foreign else []
    where = source_name(table)
    if others:
        problem = (f"缺少 {len(missing)} 个题目列：{_column_list(missing, vocab)}" if missing
                   else f"有 {len(foreign)} 个题目列不属于此检查表：{_column_list(foreign, vocab)}")
        raise HandbookError(Msg.INGEST_WRONG_CHECKLIST, source=where, kind="检查表", checklist=vocab.checklist,
                            problem=problem, other=" 或 --checklist ".join(others))
    if missing or other:
        versions = f"（表单版本 {'、'.join(dict.fromkeys(names))}）" if names else ""
        raise HandbookError(Msg.INGEST_COLUMNS_MISSING, source=where, checklist=vocab.checklist, version=versions,
                            n=len(missing) + len(other), columns=_column_list(missing, vocab, other))


def _new_ids(hashes: list[str], w: store.StoreWriter) -> list[str]:
    """Ids for new inspections: the content hash's start, unless an inspection has that id already (this
    run's new inspections are in the store as they are written)."""
    candidates = [h[:20] for h in hashes]
    taken = w.existing_ids(candidates) if candidates else set()
    out = []
    for h, candidate in zip(hashes, candidates):
        n = 0
        while candidate in taken or (n and w.existing_ids([candidate])):
            n += 1
            candidate = _hash(f"{h}:{n}")[:20]
        taken.add(candidate)
        out.append(candidate)
    return out


def checklist_columns(instruments: Sequence, standards, checklist: str) -> tuple:
    """The columns `instruments` add to the checklist's form, read back with its rows (`ChecklistColumns`)."""
    context = standards_context(standards, instruments)
    return tuple(c for c in (i.checklist_columns(context, checklist) for i in context.instruments) if c is not None)


class ChecklistStream:
    """The checklists' part of one ingest run (`Instrument.ingest_stream`): each source stored a batch at a time
    as it is fetched; once every source is read, the rows that may be edits are settled, the stored inspections
    no row gave are gone, and resubmissions are marked, checklist by checklist."""

    def __init__(self, standards, lock: Lock, instruments: Sequence):
        self.standards, self.lock, self.instruments = standards, lock, list(instruments)
        self.vocabs: dict[str, Vocabulary] = {}
        self.runs: dict[str, _Checklist] = {}
        self.writer: store.StoreWriter | None = None
        self.now = ""

    def prepare(self, form_id: str) -> None:
        """Before the store is opened: what the checklist's answers may be (its locked versions, the columns
        the instruments add to it)."""
        if form_id not in self.vocabs:
            self.vocabs[form_id] = Vocabulary.build(self.standards, form_id, self.lock.form(form_id),
                                                    checklist_columns(self.instruments, self.standards, form_id))

    def start(self, conn, now: str) -> None:
        """Inside the run's transaction, before any source is read: inspections stored after this are the run's."""
        self.writer, self.now = store.StoreWriter(conn), now
        max_rowid = self.writer.max_inspection_rowid()
        self.runs = {c: _Checklist(c, vocab, max_rowid) for c, vocab in self.vocabs.items()}

    def ingest(self, table: Table, report: SourceReport, progress: Progress | None, done: list[int]) -> int:
        """Store one checklist source as it is read; how many of its inspections were stored before (for the
        deletion guard)."""
        assert self.writer is not None, "start comes first"
        run = self.runs[report.checklist]
        return _stream(self.writer, run, table, report, self.now, self.standards, self.lock, progress,
                       done).stored_before

    def finish(self) -> int:
        """Once every source is read: settle each checklist; how many inspections a resubmission replaces."""
        assert self.writer is not None, "start comes first"
        replaced = 0
        for run in self.runs.values():
            _settle(self.writer, run, self.now)
            replaced += self.writer.mark_resubmissions(run.checklist, self.standards.organisation.resubmission_minutes,
                                                       touched_only=True)
        return replaced

    def refuse_foreign(self, table: Table, form_id: str) -> None:
        """Refuse a checklist's export given as another instrument's form (`--checklist customer-survey`)."""
        _check_other_form(table, form_id, self.standards, self.lock)
