"""One ingest: read every source, map and check each row, match it to the store, write it all at once.

Everything happens inside one SQLite transaction taken before reading, so a run
that fails or is killed leaves the store exactly as it was, and two runs cannot
interleave. `dry_run` does the same work on an in-memory copy and discards it.

Rows are streamed: each batch of WRITE_BATCH rows is mapped, checked, matched and
written before the next is read (a file is read as the batches ask for it), so memory
does not grow with the file; what matching needs of earlier rows is asked of the
store, where this run's writes already are, and of temporary tables. The refusals
below are decided from the counts once every source is read, before the commit.

A source is refused, and with it the whole run, when its header lacks an item column of
the form version its rows were answered on (or belongs to another checklist), and when it
would flag as gone every stored row it gave before (an emptied export) or more than half
of them, unless `accept_deletions`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import sqlite3
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterable, Sequence
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..errors import HandbookError
from ..messages import Msg
from ..forms.lock_file import Lock
from ..gc_paused import paused
from .. import store
from ..store import rules as rules_store
from . import files, google_sheets as sheets, shell
from .platforms import exports
from .mapping import ColumnMap, Normalised, Rejected, Vocabulary, json_encoder, map_columns, normalise, short
from .shell import COLUMNS_LISTED, Quarantined, check_deletions, source_name, stored_before
from .table import Progress, SourceRef, Table

WRITE_BATCH = 500
COUNTS = ("read", "new", "edited", "unchanged", "gone", "quarantined")


@dataclass
class SourceReport:
    """What one source gave: counts (read = new + edited + unchanged + quarantined) and what was odd."""

    source: str
    checklist: str
    key: str = ""
    title: str = ""
    read: int = 0
    new: int = 0
    edited: int = 0
    unchanged: int = 0
    gone: int = 0
    quarantined: int = 0
    reasons: dict[str, int] = field(default_factory=dict)                 # reason code -> rows
    quarantined_rows: list[tuple[int, str]] = field(default_factory=list)  # (row number, reason)
    unmapped_columns: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)          # data-quality findings (e.g. a quiz's wrong key)
    requests: int | None = None
    seconds: float = 0.0


@dataclass
class IngestReport:
    store: str
    dry_run: bool
    sources: list[SourceReport] = field(default_factory=list)
    seconds: float = 0.0
    resolved: int = 0          # earlier quarantined rows no longer in their source (fixed or deleted there)
    reopened: int = 0          # resolved ones that came back as they were
    replaced: int = 0          # inspections a resubmission within the window replaces, on the days this run touched
    skipped: list[str] = field(default_factory=list)   # withdrawn sources not read (labels)

    @property
    def total(self) -> dict[str, int]:
        return {name: sum(getattr(s, name) for s in self.sources) for name in COUNTS}

    def to_dict(self) -> dict:
        return {"store": self.store, "dry_run": self.dry_run, "seconds": round(self.seconds, 3),
                "sources": [asdict(s) for s in self.sources], "total": self.total,
                "quarantine": {"resolved": self.resolved, "reopened": self.reopened}, "replaced": self.replaced,
                "skipped": self.skipped}


# ---------------------------------------------------------------- sources

def sources_from_lock(lock: Lock, checklist: str | None = None) -> list[SourceRef]:
    """Every response sheet the lock file records (for one checklist, or all)."""
    out = []
    for form in lock.forms.values():
        if checklist and form.checklist != checklist:
            continue
        if form.source == "tencent":   # its answers come from the 腾讯问卷 survey, not a response sheet
            out.append(SourceRef(form.checklist, "tencent", form.survey_id))
            continue
        for sheet in form.sheets:
            out.append(SourceRef(form.checklist, "sheet", sheet.spreadsheet_id, sheet.gid, sheet.sheet_name))
    return out


def sheet_source(url_or_key: str, checklist: str, lock: Lock | None = None) -> SourceRef:
    key, gid = sheets.parse_sheet(url_or_key)
    name = None
    if gid is None and lock:  # the lock may know this spreadsheet's response sheet
        for sheet in lock.form(checklist).sheets:
            if sheet.spreadsheet_id == key:
                gid, name = sheet.gid, sheet.sheet_name
                break
    return SourceRef(checklist, "sheet", key, gid, name)


def file_source(path: Path | str, checklist: str, worksheet: str | None = None) -> SourceRef:
    """An exported file (of an XLSX workbook, the worksheet `worksheet`; None: its response sheet)."""
    path = Path(path)
    return SourceRef(checklist, "file", path.name, sheet_name=worksheet, path=str(path))


def form_choices(standards, instruments: Sequence) -> str:
    """Every form whose responses ingest reads, for hints: `daily-patrol（每日巡查）、…、exam-<季度>（…）`."""
    hints = [h for instrument in instruments for h in instrument.form_hints(standards)]
    return "、".join(hints or [f"{c.id}（{c.title}）" for c in standards.checklists.values()])


# ---------------------------------------------------------------- the run

class InstrumentForms:
    """Forms other instruments read (not checklists): `form in forms`, `forms[form]` -> the instrument.

    Asked of each instrument in turn (`Instrument.reads_form`), so an instrument can answer for ids made
    later (the exam's `exam-<quarter>`); iterating gives the ids the instruments list (for messages).
    """

    def __init__(self, standards, instruments: Sequence):
        self.standards, self.instruments = standards, list(instruments)

    def _reader(self, form_id: str):
        if form_id in self.standards.checklists:
            return None
        return next((i for i in self.instruments if i.reads_form(self.standards, form_id)), None)

    def __contains__(self, form_id) -> bool:
        return self._reader(form_id) is not None

    def __getitem__(self, form_id: str):
        """The instrument that reads `form_id`."""
        reader = self._reader(form_id)
        if reader is None:
            raise KeyError(form_id)
        return reader

    def __iter__(self):
        seen = set(self.standards.checklists)
        for instrument in self.instruments:
            for form_id in instrument.form_ids(self.standards):
                if form_id not in seen:
                    seen.add(form_id)
                    yield form_id


def checklist_columns(instruments: Sequence, standards, checklist: str) -> tuple:
    """The columns `instruments` add to the checklist's form, read back with its rows (`ChecklistColumns`)."""
    return tuple(c for c in (i.checklist_columns(standards, checklist) for i in instruments) if c is not None)


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


def _org_time(text: str, standards) -> str:
    """A stored UTC time as the organisation reads it, to the minute."""
    zone = ZoneInfo(standards.organisation.timezone)
    return dt.datetime.fromisoformat(text).astimezone(zone).strftime("%Y-%m-%d %H:%M")


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
    # foreign item columns alone, matching no other checklist: an older form of this one; kept as read


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


def _fetch(ref: SourceRef, *, credentials, endpoint, chunk_rows, retry, progress, platform=None,
           date_order=None) -> Table:
    if ref.kind == "file":   # a Google export as it is, or a Chinese platform's recognised by its header
        return exports.recognise(files.read_file(ref.path or ref.locator, ref.checklist, ref.sheet_name, date_order))
    if ref.kind == "tencent":   # platform: (conn, db_path, standards, instruments) of the run
        from .platforms import tencent   # requests and the form builder: loaded only to pull a survey

        conn, db_path, standards, instruments = platform
        return tencent.read_survey(ref, conn=conn, db_path=db_path, standards=standards, instruments=instruments)
    return sheets.fetch_sheet(ref, credentials=credentials, endpoint=endpoint, chunk_rows=chunk_rows,
                              retry=retry, progress=progress)


def _open(db_path: Path, dry_run: bool, lock_wait: float | None, instruments: Sequence) -> sqlite3.Connection:
    if not dry_run:
        return store.connect(db_path, wait=lock_wait, instruments=instruments)
    return store.open_copy(db_path)   # work on a copy: a dry run never touches the file


def run_ingest(sources: Sequence[SourceRef], *, standards, db_path: Path | str = store.DEFAULT_STORE,
               lock: Lock | None = None, credentials: Path | str | None = None, endpoint: str | None = None,
               dry_run: bool = False, chunk_rows: int = sheets.CHUNK_ROWS, retry: sheets.Retry = sheets.Retry(),
               lock_wait: float | None = None, progress: Progress | None = None, instruments: Sequence = (),
               accept_deletions: bool = False, date_order: str | None = None,
               skip_withdrawn: bool = False) -> IngestReport:
    """Ingest `sources` into the store at `db_path` in one transaction and report what happened.

    A source that comes back empty, or without more than half of the rows it gave before, refuses the
    run unless `accept_deletions`. `date_order` ("dmy", "mdy", "ymd") reads the files' a/b/yyyy dates
    (None: decided per file from its rows; an ambiguous file is refused). A source withdrawn with
    `handbook sources withdraw` is skipped when `skip_withdrawn` (the lock's sheets), else imported
    again. Checklist responses are mapped here; other forms go to the instrument of `instruments` that
    reads them.
    """
    with paused():   # a year's rows are hundreds of thousands of small objects, none in reference cycles
        return _run_ingest(sources, standards=standards, db_path=db_path, lock=lock, credentials=credentials,
                           endpoint=endpoint, dry_run=dry_run, chunk_rows=chunk_rows, retry=retry,
                           lock_wait=lock_wait, progress=progress, instruments=instruments,
                           accept_deletions=accept_deletions, date_order=date_order,
                           skip_withdrawn=skip_withdrawn)


def _run_ingest(sources, *, standards, db_path, lock, credentials, endpoint, dry_run, chunk_rows, retry,
                lock_wait, progress, instruments, accept_deletions=False, date_order=None,
                skip_withdrawn=False) -> IngestReport:
    lock = lock or Lock()
    db_path = Path(db_path)
    if not sources:
        raise HandbookError(Msg.NOTHING_TO_INGEST, lock="forms/forms.lock.yaml")
    vocabs: dict[str, Vocabulary] = {}
    others = InstrumentForms(standards, instruments)
    for ref in sources:
        if ref.checklist in others:
            continue
        if ref.checklist not in standards.checklists:
            raise HandbookError(Msg.UNKNOWN_FORM, value=ref.checklist, known=form_choices(standards, instruments))
        if ref.checklist not in vocabs:
            vocabs[ref.checklist] = Vocabulary.build(standards, ref.checklist, lock.form(ref.checklist),
                                                     checklist_columns(instruments, standards, ref.checklist))

    started = time.monotonic()
    started_at = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    report = IngestReport(str(db_path), dry_run)
    created = not db_path.exists()
    conn = _open(db_path, dry_run, lock_wait, instruments)
    try:
        store.begin(conn, db_path, instruments)   # the store's tables, and the instruments' own
        # the scoring rules of the standards this run scores with, kept for when the standards change
        store.migrate_instruments(conn, db_path, [rules_store.RULES_TABLES, shell.QUARANTINE_TABLES])
        rules_store.record_rules(conn, standards, started_at, lock)
        writer = store.StoreWriter(conn)
        max_rowid = writer.max_inspection_rowid()
        runs = {c: _Checklist(c, vocab, max_rowid) for c, vocab in vocabs.items()}
        read: list[_Source] = []
        other_tables: list[tuple[Table, SourceReport]] = []   # forms of the other methods
        done = [0, 0]    # a source's rows written, and in all (0: not known while a file streams)
        for ref in sources:
            t0 = time.monotonic()
            table = _fetch(ref, credentials=credentials, endpoint=endpoint, chunk_rows=chunk_rows,
                           retry=retry, progress=progress, platform=(conn, db_path, standards, instruments),
                           date_order=date_order)
            if any(s.table.source.key == table.source.key for s in read):
                continue  # the same sheet named twice (lock and --sheet)
            if any(t.source.key == table.source.key for t, _ in other_tables):
                continue
            sr = SourceReport(table.source.label, ref.checklist, table.source.key, table.title or ref.locator,
                              requests=table.requests)
            if ref.kind == "tencent":
                sr.warnings += table.notes   # answers deleted on the platform since the last run
            withdrawn = writer.withdrawn(table.source.key)
            if withdrawn and skip_withdrawn:
                report.skipped.append(table.source.label)
                continue
            if withdrawn:   # named again on the command line: imported again
                writer.reinstate(table.source.key)
                sr.warnings.append(f"此来源曾于 {_org_time(withdrawn, standards)} 撤回，本次重新导入")
            if ref.checklist in others:
                _check_other_form(table, ref.checklist, standards, lock)
                table.rows = list(table.rows)
                sr.read = len(table.rows)
                other_tables.append((table, sr))
                sr.seconds = time.monotonic() - t0
                continue
            done[:] = [0, len(table.rows) if isinstance(table.rows, list) else 0]   # the source's rows
            read.append(_stream(writer, runs[ref.checklist], table, sr, started_at, standards, lock, progress, done))
            table.rows = []
            sr.seconds = time.monotonic() - t0
        for run in runs.values():
            _settle(writer, run, started_at)
            report.replaced += writer.mark_resubmissions(run.checklist, standards.organisation.resubmission_minutes,
                                                         touched_only=True)
        checks = [(s.table, s.report, s.stored_before) for s in read]
        for table, sr in other_tables:
            instrument = others[sr.checklist]
            before = stored_before(conn, table.source.key, instrument)
            instrument.ingest_table(conn, table, standards, lock.form(sr.checklist), started_at, sr)
            checks.append((table, sr, before))
        if not accept_deletions:
            check_deletions(checks)
        report.resolved, report.reopened = writer.settle_quarantine(started_at)
        report.sources = [s.report for s in read] + [sr for _, sr in other_tables]
        report.seconds = time.monotonic() - started
        finished_at = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        store.StoreWriter(conn).log(started_at, finished_at, report.to_dict())
        conn.execute("ROLLBACK" if dry_run else "COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        conn.close()
        if created and not dry_run:  # leave no empty store behind: the folder is as before
            db_path.unlink(missing_ok=True)
        raise
    conn.close()
    return report
