"""One ingest: read every source, map and check each row, match it to the store, write it all at once.

Everything happens inside one SQLite transaction taken before reading, so a run
that fails or is killed leaves the store exactly as it was, and two runs cannot
interleave. `dry_run` does the same work on an in-memory copy and discards it.
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

from ..errors import HandbookError
from . import files, identity, sheets, store
from .lock import Lock
from .mapping import Normalised, Rejected, Vocabulary, map_columns, normalise
from .table import Progress, SourceRef, Table

WRITE_BATCH = 1000
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

    @property
    def total(self) -> dict[str, int]:
        return {name: sum(getattr(s, name) for s in self.sources) for name in COUNTS}

    def to_dict(self) -> dict:
        return {"store": self.store, "dry_run": self.dry_run, "seconds": round(self.seconds, 3),
                "sources": [asdict(s) for s in self.sources], "total": self.total}


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


# ---------------------------------------------------------------- the run

def method_ingesters(standards) -> dict:
    """Forms that are not checklists: form id -> fn(conn, table, standards, locked form, now, report).

    Each stores its table inside the run's transaction and fills the report's counts.
    """
    from ..methods import survey

    out = {}
    if standards.methods_file.questionnaire is not None:
        out[standards.methods_file.questionnaire.id] = survey.ingest_survey_table
    if standards.methods_file.exam is not None:   # quarterly exam quizzes: every exam-<quarter> id
        from ..methods.exam_ingest import WithExamForms

        out = WithExamForms(out)
    return out


def _json_default(value):
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    return str(value)


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class _Row:
    number: int
    raw_json: str
    raw_hash: str
    record: Normalised | None = None
    content_hash: str = ""
    rejected: Rejected | None = None


@dataclass
class _Prepared:
    table: Table
    report: SourceReport
    rows: list[_Row]
    unmapped: list[tuple[int, str]]
    timezone: str


def _prepare(table: Table, vocab: Vocabulary, seen: dict[str, str], report: SourceReport) -> _Prepared:
    columns = map_columns(table.header, vocab)
    source_tz = vocab.timezone
    if table.timezone:
        try:
            source_tz = ZoneInfo(table.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    rows = []
    for number, cells in table.rows:
        raw_json = json.dumps(cells, ensure_ascii=False, default=_json_default)
        row = _Row(number, raw_json, _hash(raw_json))
        try:
            row.record = normalise(cells, columns, vocab, source_tz)
            row.content_hash = row.record.content_hash()
            if row.content_hash in seen:
                raise Rejected("duplicate", seen[row.content_hash])
            seen[row.content_hash] = f"“{table.title}”第 {number} 行"
        except Rejected as exc:
            row.record, row.rejected = None, exc
        rows.append(row)
    report.unmapped_columns = [name for _, name in columns.unmapped]
    return _Prepared(table, report, rows, columns.unmapped, vocab.timezone.key)


def _new_id(content_hash: str, taken: set[str]) -> str:
    candidate, n = content_hash[:20], 0
    while candidate in taken:
        n += 1
        candidate = _hash(f"{content_hash}:{n}")[:20]
    taken.add(candidate)
    return candidate


def _version_rows(iid: str, version: int, raw_id: int, row: _Row, fetched_at: str, tz: str):
    r = row.record
    v = (iid, version, raw_id, row.content_hash, fetched_at, r.submitted_at.isoformat(), tz, r.project, r.role,
         r.inspector, r.date.isoformat(), r.form_version, r.email,
         json.dumps(r.extra, ensure_ascii=False, sort_keys=True))
    answers = [(iid, version, code, value, r.labels.get(code, "")) for code, value in r.findings.items()]
    sections = [(iid, version, s, (None if s not in r.corrected else int(r.corrected[s])), r.notes.get(s))
                for s in sorted(set(r.corrected) | set(r.notes))]
    asked = [(iid, version, q, label, r.questioned) for q, label in sorted(r.questioning.items())]
    return v, answers, sections, asked


def _fetch(ref: SourceRef, *, credentials, endpoint, chunk_rows, retry, progress) -> Table:
    if ref.kind == "file":
        return files.read_file(ref.path or ref.locator, ref.checklist)
    return sheets.fetch_sheet(ref, credentials=credentials, endpoint=endpoint, chunk_rows=chunk_rows,
                              retry=retry, progress=progress)


def _open(db_path: Path, dry_run: bool, lock_wait: float) -> sqlite3.Connection:
    if not dry_run:
        return store.connect(db_path, wait=lock_wait)
    conn = sqlite3.connect(":memory:", isolation_level=None)
    if db_path.is_file():  # work on a copy: a dry run never touches the file
        source = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        try:
            source.backup(conn)
        finally:
            source.close()
    return conn


def run_ingest(sources: Sequence[SourceRef], *, standards, db_path: Path | str = store.DEFAULT_STORE,
               lock: Lock | None = None, credentials: Path | str | None = None, endpoint: str | None = None,
               dry_run: bool = False, chunk_rows: int = sheets.CHUNK_ROWS, retry: sheets.Retry = sheets.Retry(),
               lock_wait: float = 5.0, progress: Progress | None = None) -> IngestReport:
    """Ingest `sources` into the store at `db_path` in one transaction and report what happened."""
    lock = lock or Lock()
    db_path = Path(db_path)
    if not sources:
        raise HandbookError("nothing to ingest: the lock file lists no response sheets; "
                            "use --sheet URL --checklist ID or --file FILE --checklist ID")
    vocabs: dict[str, Vocabulary] = {}
    others = method_ingesters(standards)
    for ref in sources:
        if ref.checklist in others:
            continue
        if ref.checklist not in standards.checklists:
            known = ", ".join([*standards.checklists, *others])
            raise HandbookError(f"unknown checklist {ref.checklist!r} (known: {known})")
        vocabs.setdefault(ref.checklist, Vocabulary.build(standards, ref.checklist, lock.form(ref.checklist)))

    started = time.monotonic()
    started_at = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    report = IngestReport(str(db_path), dry_run)
    created = not db_path.exists()
    conn = _open(db_path, dry_run, lock_wait)
    try:
        store.begin(conn, db_path)
        prepared: list[_Prepared] = []
        other_tables: list[tuple[Table, SourceReport]] = []   # forms of the other methods
        seen: dict[str, dict[str, str]] = {c: {} for c in vocabs}
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
                other_tables.append((table, sr))
                sr.seconds = time.monotonic() - t0
                continue
            prepared.append(_prepare(table, vocabs[ref.checklist], seen[ref.checklist], sr))
            table.rows = []   # normalised and counted: the cells need not stay in memory for the write
            sr.seconds = time.monotonic() - t0
        _write(conn, prepared, started_at, progress)
        for table, sr in other_tables:
            others[sr.checklist](conn, table, standards, lock.form(sr.checklist), started_at, sr)
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


def _write(conn: sqlite3.Connection, prepared: list[_Prepared], now: str, progress: Progress | None) -> None:
    w = store.StoreWriter(conn)
    placement = w.placement()
    taken = set(placement)
    ids: dict[str, dict] = {}
    for p in prepared:
        t = p.table
        sid = w.source_id(t.source.key, t.source.checklist, t.source.kind, t.source.locator,
                          p.report.title, t.timezone, now)
        header_json = json.dumps(t.header, ensure_ascii=False)
        hid = w.header_id(sid, _hash(header_json), header_json, now)
        raw_ids = w.raw_rows(sid, hid, ((r.number, r.raw_hash, r.raw_json) for r in p.rows),
                             t.fetched_at.isoformat(timespec="seconds"))
        for r in p.rows:  # stored now; a year's raw cells need not stay in memory for the rest of the run
            r.raw_json = ""
        w.unmapped([(sid, name, i + 1, now) for i, name in p.unmapped])
        ids[t.source.key] = {"sid": sid, "raw": raw_ids}

    by_checklist: dict[str, list[_Prepared]] = {}
    for p in prepared:
        by_checklist.setdefault(p.table.source.checklist, []).append(p)
    total = sum(len(p.rows) for p in prepared)
    done = 0
    for checklist, group in by_checklist.items():
        fetched = {p.table.source.key: [identity.Fetched(r.number, r.content_hash, r.record.key)
                                        for r in p.rows if r.record] for p in group}
        matches = identity.match(w.stored(checklist), fetched)
        for p in group:
            key, sr = p.table.source.key, p.report
            sid, raw_ids = ids[key]["sid"], ids[key]["raw"]
            fetched_at = p.table.fetched_at.isoformat(timespec="seconds")
            outcome = matches.rows.get(key, {})
            for start in range(0, len(p.rows), WRITE_BATCH):
                new, moved, versions, answers, sections, quarantine, asked = [], [], [], [], [], [], []
                for row in p.rows[start:start + WRITE_BATCH]:
                    raw_id = raw_ids[row.raw_hash]
                    if row.rejected:
                        sr.quarantined += 1
                        sr.reasons[row.rejected.code] = sr.reasons.get(row.rejected.code, 0) + 1
                        sr.quarantined_rows.append((row.number, row.rejected.message))
                        quarantine.append((sid, raw_id, row.number, row.rejected.code, row.rejected.message, now))
                        continue
                    kind, iid = outcome[row.number]
                    if kind == "new":
                        iid = _new_id(row.content_hash, taken)
                        new.append((iid, checklist, sid, row.number, 1, now))
                        version = 1
                    elif kind == "edited":
                        version = placement[iid][2] + 1
                        moved.append((sid, row.number, version, iid))
                    else:
                        old_sid, old_row, version, gone = placement[iid]
                        if (old_sid, old_row, gone) != (sid, row.number, None):
                            moved.append((sid, row.number, version, iid))
                    setattr(sr, kind, getattr(sr, kind) + 1)
                    if kind != "unchanged":
                        v, a, s, q = _version_rows(iid, version, raw_id, row, fetched_at, p.timezone)
                        versions.append(v)
                        answers.extend(a)
                        sections.extend(s)
                        asked.extend(q)
                w.add_inspections(new)
                w.add_versions(versions, answers, sections, asked)
                w.move_inspections(moved)
                w.quarantine(quarantine)
                for row in p.rows[start:start + WRITE_BATCH]:
                    row.record = None   # written: free it while SQLite's page cache grows
                done += min(WRITE_BATCH, len(p.rows) - start)
                if progress:
                    progress("store", done, total)
            gone = matches.gone.get(key, [])
            w.mark_gone(gone, now)
            sr.gone = len(gone)
