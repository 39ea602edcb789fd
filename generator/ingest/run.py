"""One ingest: read every source, map and check each row, match it to the store, write it all at once.

Everything happens inside one SQLite transaction taken before reading, so a run
that fails or is killed leaves the store exactly as it was, and two runs cannot
interleave. `dry_run` does the same work on an in-memory copy and discards it.

A source is refused, and with it the whole run, when its header lacks an item column of
the form version its rows were answered on (or belongs to another checklist), and when it
would flag as gone every stored row it gave before (an emptied export) or more than half
of them, unless `accept_deletions`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Sequence
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..errors import HandbookError, error
from ..messages import Msg
from ..forms.lock_file import Lock
from ..gc_paused import paused
from . import files, identity, google_sheets as sheets, store
from .mapping import ColumnMap, Normalised, Rejected, Vocabulary, json_encoder, map_columns, normalise
from .table import Progress, SourceRef, Table

WRITE_BATCH = 1000
COLUMNS_LISTED = 5      # missing or foreign columns named in a refusal; more are counted
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

    @property
    def total(self) -> dict[str, int]:
        return {name: sum(getattr(s, name) for s in self.sources) for name in COUNTS}

    def to_dict(self) -> dict:
        return {"store": self.store, "dry_run": self.dry_run, "seconds": round(self.seconds, 3),
                "sources": [asdict(s) for s in self.sources], "total": self.total,
                "quarantine": {"resolved": self.resolved, "reopened": self.reopened}}


# ---------------------------------------------------------------- sources

def sources_from_lock(lock: Lock, checklist: str | None = None) -> list[SourceRef]:
    """Every response sheet the lock file records (for one checklist, or all)."""
    out = []
    for form in lock.forms.values():
        if checklist and form.checklist != checklist:
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


def file_source(path: Path | str, checklist: str) -> SourceRef:
    path = Path(path)
    return SourceRef(checklist, "file", path.name, path=str(path))


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
    """One fetched row, reduced to what matching and writing need (its cells are stored at once)."""

    row_number: int
    raw_hash: str
    content_hash: str = ""
    key: tuple = ()
    version: tuple | None = None       # the version row's fields from submitted_at on (None: unchanged fast path)
    sections: list | None = None       # (section, corrected, note)
    added: list | None = None          # (ChecklistColumns name, row to store with the version)
    rejected: Rejected | None = None


@dataclass
class _Prepared:
    table: Table
    report: SourceReport
    rows: list[_Row]
    unmapped: list[tuple[int, str]]
    timezone: str
    added: tuple = ()                               # the instruments' columns on the form (ChecklistColumns)
    sid: int = 0
    raw_ids: dict = field(default_factory=dict)     # raw hash -> raw row id
    stored_before: int = 0                          # its inspections not gone before the run


# one encoder each (json.dumps with options builds a new encoder per call): the same text as json.dumps
_dumps = json_encoder(separators=(",", ":"))
_sorted_dumps = json_encoder(sort_keys=True)
_raw_dumps = json_encoder(default=_json_default)
_ENCODED: dict[tuple, str] = {}    # answer sets repeat a lot: encode each once


def _encoded(value: dict) -> str:
    key = tuple(value.items())
    text = _ENCODED.get(key)
    if text is None:
        if len(_ENCODED) > 200_000:
            _ENCODED.clear()
        text = _ENCODED[key] = _dumps(value)
    return text


def _version_fields(r: Normalised, vocab: Vocabulary) -> tuple[tuple, list, list]:
    """(version fields from submitted_at on, sections, rows of the instruments' columns) of a normalised
    response."""
    v = (r.submitted_at.isoformat(), r.project, r.role, r.inspector, r.date.isoformat(), r.form_version, r.email,
         _sorted_dumps(r.extra) if r.extra else "{}", _encoded(r.findings), _encoded(r.labels))
    sections = [(s, (None if s not in r.corrected else int(r.corrected[s])), r.notes.get(s))
                for s in sorted(set(r.corrected) | set(r.notes))] if (r.corrected or r.notes) else None
    added = None
    if r.added:
        added = [(reader.name, row) for reader in vocab.added if reader.name in r.added
                 for row in reader.rows(r.added[reader.name])] or None
    return v, sections, added


def _prepare(w: store.StoreWriter, table: Table, vocab: Vocabulary, seen: dict[str, tuple],
             report: SourceReport, now: str, standards, lock: Lock) -> _Prepared:
    """Map, check and hash every row, storing the raw cells as it goes (a year's cells never pile up).

    A row whose raw cells are those of a stored inspection's current version from this source is
    that inspection unchanged: it is matched by the stored content hash without normalising it again.
    """
    columns = map_columns(table.header, vocab)
    source_tz = vocab.timezone
    if table.timezone:
        try:
            source_tz = ZoneInfo(table.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    t = table.source
    sid = w.source_id(t.key, t.checklist, t.kind, t.locator, report.title, table.timezone, now)
    header_json = json.dumps(table.header, ensure_ascii=False)
    hid = w.header_id(sid, _hash(header_json), header_json, now)
    known = w.known_rows(sid, hid)
    fetched_at = table.fetched_at.isoformat(timespec="seconds")
    dumps, sha = _raw_dumps, hashlib.sha256
    rows: list[_Row] = []
    fresh: list[tuple] = []
    for number, cells in table.rows:
        raw_json = dumps(cells)
        raw_hash = sha(raw_json.encode("utf-8")).hexdigest()
        hit = known.get(raw_hash)
        if hit is not None and hit[0] not in seen:   # the fast path: unchanged since it was stored
            row = _Row(number, raw_hash, hit[0], hit[1])
            seen[hit[0]] = (table.title, number)
            columns.versions_used.add(hit[2])
            rows.append(row)
            continue
        if hit is None:
            fresh.append((number, raw_hash, raw_json))
        row = _Row(number, raw_hash)
        try:
            record = normalise(cells, columns, vocab, source_tz)
            row.content_hash = record.content_hash()
            if row.content_hash in seen:
                title, first = seen[row.content_hash]
                raise Rejected("duplicate", f"“{title}”第 {first} 行")
            seen[row.content_hash] = (table.title, number)
            row.key = record.key
            row.version, row.sections, row.added = _version_fields(record, vocab)
        except Rejected as exc:
            row.rejected = exc
        rows.append(row)
        if len(fresh) >= WRITE_BATCH:
            w.append_raw_rows(sid, hid, fresh, fetched_at)
            fresh = []
    w.append_raw_rows(sid, hid, fresh, fetched_at)
    del known, fresh
    _check_header(table, columns, vocab, standards, lock)
    report.unmapped_columns = [name for _, name in columns.unmapped]
    prepared = _Prepared(table, report, rows, columns.unmapped, vocab.timezone.key, vocab.added, sid,
                         w.raw_ids(sid, hid))
    prepared.stored_before = w.conn.execute(
        "SELECT count(*) FROM inspections WHERE source_id = ? AND gone_at IS NULL", (sid,)).fetchone()[0]
    w.unmapped([(sid, name, i + 1, now) for i, name in columns.unmapped])
    return prepared


def source_name(table: Table) -> str:
    """How a refusal names a source: the file as given, or the spreadsheet's title and key."""
    t = table.source
    if t.kind == "file":
        return f"文件 {t.path or t.locator}"
    return f"Google 表格“{table.title or t.locator}”（{t.locator}）"


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
        raise error("ingest_wrong_checklist", source=source_name(table), kind="表单", checklist=form,
                    problem=f"它的 {len(have)} 个题目列是检查表条目", other=" 或 --checklist ".join(others))


def _check_header(table: Table, columns: ColumnMap, vocab: Vocabulary, standards, lock: Lock) -> None:
    """Refuse a source whose header lacks an item column of a form version its rows were answered on, or
    whose item columns are another checklist's (the wrong --checklist)."""
    have = columns.items
    targets = set(columns.targets.values())
    missing: dict[str, None] = {}
    other: dict[str, None] = {}    # missing columns that are not items (the timestamp, fields, 已当场纠正 …)
    names = []                     # the lock's versions that ask a missing column
    used = sorted(columns.versions_used)
    if not used and table.rows:    # no row could be dated (no timestamp column?): the form as it is now
        used = [vocab.form.versions[-1].name if vocab.form.versions else ""]
    for name in used:
        version = vocab.version_named(name)
        if version is False:       # a version the lock no longer records: nothing known to require
            continue
        lacking = [code for code in vocab.required_items(version) if code not in have]
        lacking_other = [title for target, title in vocab.required_columns(version) if target not in targets]
        if (lacking or lacking_other) and version is not None:
            names.append(version.name)
        elif (lacking or lacking_other) and vocab.form.versions:
            names.append(vocab.form.versions[0].name)
        missing.update(dict.fromkeys(lacking))
        other.update(dict.fromkeys(lacking_other))
    missing, other = list(missing), list(other)
    _, known = _checklist_items(standards, lock, vocab.checklist)
    foreign = [code for code in have if code in vocab.items and code not in known]
    if not missing and not foreign and not other:
        return
    others = _matching_checklists(have, standards, lock, vocab.checklist) if missing or foreign else []
    where = source_name(table)
    if others:
        problem = (f"缺少 {len(missing)} 个题目列：{_column_list(missing, vocab)}" if missing
                   else f"有 {len(foreign)} 个题目列不属于此检查表：{_column_list(foreign, vocab)}")
        raise error("ingest_wrong_checklist", source=where, kind="检查表", checklist=vocab.checklist,
                    problem=problem, other=" 或 --checklist ".join(others))
    if missing or other:
        version = f"（表单版本 {'、'.join(dict.fromkeys(names))}）" if names else ""
        raise error("ingest_columns_missing", source=where, checklist=vocab.checklist, version=version,
                    n=len(missing) + len(other), columns=_column_list(missing, vocab, other))
    # foreign item columns alone, matching no other checklist: an older form of this one; kept as read


def _stored_other(conn: sqlite3.Connection, key: str, instrument) -> int:
    """The instrument's responses from a source (by key) that are not gone, before it is read."""
    row = conn.execute("SELECT id FROM sources WHERE key = ?", (key,)).fetchone()
    if row is None:
        return 0
    return instrument.stored_responses(conn, row[0])


def _check_deletions(checks: list[tuple[Table, SourceReport, int]]) -> None:
    """Refuse the run when a source would flag every stored row it gave before as gone because it came
    back empty, or more than half of them: an emptied export or sheet is an accident until confirmed."""
    for table, sr, before in checks:
        if before and sr.read == 0:
            raise error("ingest_source_empty", source=source_name(table), stored=before)
        if before and sr.gone * 2 > before:
            raise error("ingest_mass_gone", source=source_name(table), gone=sr.gone, stored=before)


def _new_ids(rows: list[_Row], taken: set[str], w: store.StoreWriter | None) -> list[str]:
    """Ids for new inspections: the content hash's start, unless an inspection has that id already
    (`taken` holds this run's ids; `w` is None when the store held no inspection before the run)."""
    candidates = [r.content_hash[:20] for r in rows]
    if w is not None:
        taken.update(w.existing_ids(candidates))
    out = []
    for row, candidate in zip(rows, candidates):
        n = 0
        while candidate in taken or (n and w is not None and w.existing_ids([candidate])):
            n += 1
            candidate = _hash(f"{row.content_hash}:{n}")[:20]
        taken.add(candidate)
        out.append(candidate)
    return out


def _fetch(ref: SourceRef, *, credentials, endpoint, chunk_rows, retry, progress) -> Table:
    if ref.kind == "file":
        return files.read_file(ref.path or ref.locator, ref.checklist)
    return sheets.fetch_sheet(ref, credentials=credentials, endpoint=endpoint, chunk_rows=chunk_rows,
                              retry=retry, progress=progress)


def _open(db_path: Path, dry_run: bool, lock_wait: float, instruments: Sequence) -> sqlite3.Connection:
    if not dry_run:
        return store.connect(db_path, wait=lock_wait, instruments=instruments)
    return store.open_copy(db_path)   # work on a copy: a dry run never touches the file


def run_ingest(sources: Sequence[SourceRef], *, standards, db_path: Path | str = store.DEFAULT_STORE,
               lock: Lock | None = None, credentials: Path | str | None = None, endpoint: str | None = None,
               dry_run: bool = False, chunk_rows: int = sheets.CHUNK_ROWS, retry: sheets.Retry = sheets.Retry(),
               lock_wait: float = 5.0, progress: Progress | None = None, instruments: Sequence = (),
               accept_deletions: bool = False) -> IngestReport:
    """Ingest `sources` into the store at `db_path` in one transaction and report what happened.

    A source that comes back empty, or without more than half of the rows it gave before, refuses the
    run unless `accept_deletions`. Checklist responses are mapped here; other forms go to the
    instrument of `instruments` that reads them.
    """
    with paused():   # a year's rows are hundreds of thousands of small objects, none in reference cycles
        return _run_ingest(sources, standards=standards, db_path=db_path, lock=lock, credentials=credentials,
                           endpoint=endpoint, dry_run=dry_run, chunk_rows=chunk_rows, retry=retry,
                           lock_wait=lock_wait, progress=progress, instruments=instruments,
                           accept_deletions=accept_deletions)


def _run_ingest(sources, *, standards, db_path, lock, credentials, endpoint, dry_run, chunk_rows, retry,
                lock_wait, progress, instruments, accept_deletions=False) -> IngestReport:
    lock = lock or Lock()
    db_path = Path(db_path)
    if not sources:
        raise HandbookError(Msg.NOTHING_TO_INGEST(lock="forms/forms.lock.yaml"))
    vocabs: dict[str, Vocabulary] = {}
    others = InstrumentForms(standards, instruments)
    for ref in sources:
        if ref.checklist in others:
            continue
        if ref.checklist not in standards.checklists:
            raise HandbookError(Msg.UNKNOWN_FORM(value=ref.checklist, known=form_choices(standards, instruments)))
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
        prepared: list[_Prepared] = []
        other_tables: list[tuple[Table, SourceReport]] = []   # forms of the other methods
        seen: dict[str, dict[str, tuple]] = {c: {} for c in vocabs}
        writer = store.StoreWriter(conn)
        for ref in sources:
            t0 = time.monotonic()
            table = _fetch(ref, credentials=credentials, endpoint=endpoint, chunk_rows=chunk_rows,
                           retry=retry, progress=progress)
            if any(p.table.source.key == table.source.key for p in prepared):
                continue  # the same sheet named twice (lock and --sheet)
            if any(t.source.key == table.source.key for t, _ in other_tables):
                continue
            sr = SourceReport(table.source.label, ref.checklist, table.source.key, table.title or ref.locator,
                              read=len(table.rows), requests=table.requests)
            if ref.checklist in others:
                _check_other_form(table, ref.checklist, standards, lock)
                other_tables.append((table, sr))
                sr.seconds = time.monotonic() - t0
                continue
            prepared.append(_prepare(writer, table, vocabs[ref.checklist], seen[ref.checklist], sr, started_at,
                                     standards, lock))
            table.rows = []   # normalised and counted: the cells need not stay in memory for the write
            sr.seconds = time.monotonic() - t0
        _write(writer, prepared, started_at, progress)
        checks = [(p.table, p.report, p.stored_before) for p in prepared]
        for table, sr in other_tables:
            instrument = others[sr.checklist]
            before = _stored_other(conn, table.source.key, instrument)
            instrument.ingest_table(conn, table, standards, lock.form(sr.checklist), started_at, sr)
            checks.append((table, sr, before))
        if not accept_deletions:
            _check_deletions(checks)
        report.resolved, report.reopened = writer.settle_quarantine(started_at)
        report.sources = [p.report for p in prepared] + [sr for _, sr in other_tables]
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


def _write(w: store.StoreWriter, prepared: list[_Prepared], now: str, progress: Progress | None) -> None:
    by_checklist: dict[str, list[_Prepared]] = {}
    for p in prepared:
        by_checklist.setdefault(p.table.source.checklist, []).append(p)
    total = sum(len(p.rows) for p in prepared)
    done = 0
    taken: set[str] = set()
    empty = w.conn.execute("SELECT 1 FROM inspections LIMIT 1").fetchone() is None   # a first load
    for checklist, group in by_checklist.items():
        fetched = {p.table.source.key: [r for r in p.rows if not r.rejected] for p in group}
        # only the stored inspections these rows can match: same content, or from the sources read
        stored, placement = ([], {}) if empty else w.stored(
            checklist, [p.sid for p in group], {r.content_hash for rows in fetched.values() for r in rows})
        matches = identity.match(stored, fetched)
        del stored, fetched
        for p in group:
            key, sr, sid, raw_ids = p.table.source.key, p.report, p.sid, p.raw_ids
            fetched_at = p.table.fetched_at.isoformat(timespec="seconds")
            outcome = matches.rows.get(key, {})
            for start in range(0, len(p.rows), WRITE_BATCH):
                batch = p.rows[start:start + WRITE_BATCH]
                new, moved, versions, sections, quarantine = [], [], [], [], []
                added: dict[str, list] = {}
                fresh = [r for r in batch if not r.rejected and outcome[r.row_number][0] == "new"]
                ids = iter(_new_ids(fresh, taken, None if empty else w)) if fresh else iter(())
                for row in batch:
                    raw_id = raw_ids[row.raw_hash]
                    if row.rejected:
                        sr.quarantined += 1
                        sr.reasons[row.rejected.code] = sr.reasons.get(row.rejected.code, 0) + 1
                        sr.quarantined_rows.append((row.row_number, row.rejected.message))
                        quarantine.append((sid, raw_id, row.row_number, row.rejected.code, row.rejected.message,
                                           now))
                        continue
                    kind, iid = outcome[row.row_number]
                    if kind == "new":
                        iid = next(ids)
                        new.append((iid, checklist, sid, row.row_number, 1, now))
                        version = 1
                    elif kind == "edited":
                        version = placement[iid][2] + 1
                        moved.append((sid, row.row_number, version, iid))
                    else:
                        old_sid, old_row, version, gone = placement[iid]
                        if (old_sid, old_row, gone) != (sid, row.row_number, None):
                            moved.append((sid, row.row_number, version, iid))
                    setattr(sr, kind, getattr(sr, kind) + 1)
                    if kind != "unchanged":
                        if row.version is None:   # matched by raw cells, yet not unchanged: cannot happen
                            raise RuntimeError(f"row {row.row_number} of {key} was taken as unchanged too early")
                        v = row.version
                        versions.append((iid, version, raw_id, row.content_hash, fetched_at, v[0], p.timezone,
                                         *v[1:]))
                        if row.sections:
                            sections.extend((iid, version, *x) for x in row.sections)
                        if row.added:
                            for name, x in row.added:
                                added.setdefault(name, []).append((iid, version, *x))
                w.add_inspections(new)
                w.add_versions(versions, sections)
                for reader in p.added:   # after the versions they belong to
                    if reader.name in added:
                        reader.write(w.conn, added[reader.name])
                w.move_inspections(moved)
                w.quarantine(quarantine)
                for row in batch:
                    row.version = row.sections = row.added = None   # written: free it
                done += len(batch)
                if progress:
                    progress("store", done, total)
            gone = matches.gone.get(key, [])
            w.mark_gone(gone, now)
            sr.gone = len(gone)
