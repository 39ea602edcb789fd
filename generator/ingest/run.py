"""One ingest: read every source, hand each to the instrument that reads its form, write it all at once.

Everything happens inside one SQLite transaction taken before reading, so a run
that fails or is killed leaves the store exactly as it was, and two runs cannot
interleave. `dry_run` does the same work on an in-memory copy and discards it.

An instrument whose tables are long and matched across the run's sources (the patrol checklists:
`Instrument.ingest_stream`) stores each source as it is fetched, a batch at a time, so memory does
not grow with the file, and settles them once every source is read; the other instruments' tables
are read whole and handed to their `ingest_table` after that. The refusals below are decided from
the counts once every source is read, before the commit: a source that would flag as gone every
stored row it gave before (an emptied export) or more than half of them refuses the whole run,
unless `accept_deletions`.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Sequence
from zoneinfo import ZoneInfo

from ..errors import HandbookError
from ..messages import Msg
from ..forms.lock_file import Lock
from ..gc_paused import paused
from .. import store
from ..store import rules as rules_store
from . import files, google_sheets as sheets, shell
from .platforms import exports
from .shell import check_deletions, stored_before
from .table import Progress, SourceRef, Table

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
    reason_names: dict[str, str] = field(default_factory=dict)            # reason code -> its catalogue name
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
                "sources": [_without(asdict(s), "reason_names") for s in self.sources], "total": self.total,
                "quarantine": {"resolved": self.resolved, "reopened": self.reopened}, "replaced": self.replaced,
                "skipped": self.skipped}


def _without(data: dict, key: str) -> dict:
    """`data` less `key` (the JSON report keeps its shape: reasons by code, as the store has them)."""
    return {k: v for k, v in data.items() if k != key}


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
    """Forms the instruments read: `form in forms`, `forms[form]` -> the instrument.

    Asked of each instrument in turn (`Instrument.reads_form`), so an instrument can answer for ids made
    later (the exam's `exam-<quarter>`); iterating gives the ids the instruments list (for messages).
    """

    def __init__(self, standards, instruments: Sequence):
        self.standards, self.instruments = standards, list(instruments)

    def _reader(self, form_id: str):
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


def _org_time(text: str, standards) -> str:
    """A stored UTC time as the organisation reads it, to the minute."""
    zone = ZoneInfo(standards.organisation.timezone)
    return dt.datetime.fromisoformat(text).astimezone(zone).strftime("%Y-%m-%d %H:%M")


    # foreign item columns alone, matching no other checklist: an older form of this one; kept as read


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
               lock_wait: float | None = None, progress: Progress | None = None, instruments: Sequence,
               accept_deletions: bool = False, date_order: str | None = None,
               skip_withdrawn: bool = False) -> IngestReport:
    """Ingest `sources` into the store at `db_path` in one transaction and report what happened.

    A source that comes back empty, or without more than half of the rows it gave before, refuses the
    run unless `accept_deletions`. `date_order` ("dmy", "mdy", "ymd") reads the files' a/b/yyyy dates
    (None: decided per file from its rows; an ambiguous file is refused). A source withdrawn with
    `handbook sources withdraw` is skipped when `skip_withdrawn` (the lock's sheets), else imported
    again. Each source goes to the instrument of `instruments` that reads its form (`reads_form`).
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
    readers = InstrumentForms(standards, instruments)
    # the instruments that store their tables as they are fetched (the patrol checklists), by id
    streams = {i.id: stream for i in instruments if (stream := i.ingest_stream(standards, lock, instruments))}
    for ref in sources:
        if ref.checklist not in readers:
            raise HandbookError(Msg.UNKNOWN_FORM, value=ref.checklist, known=form_choices(standards, instruments))
        if readers[ref.checklist].id in streams:
            streams[readers[ref.checklist].id].prepare(ref.checklist)

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
        for stream in streams.values():
            stream.start(conn, started_at)
        read: list[tuple[Table, SourceReport, int]] = []      # streamed: (table, report, stored before)
        other_tables: list[tuple[Table, SourceReport]] = []   # read whole, stored after the streams settle
        done = [0, 0]    # a source's rows written, and in all (0: not known while a file streams)
        for ref in sources:
            t0 = time.monotonic()
            table = _fetch(ref, credentials=credentials, endpoint=endpoint, chunk_rows=chunk_rows,
                           retry=retry, progress=progress, platform=(conn, db_path, standards, instruments),
                           date_order=date_order)
            if any(t.source.key == table.source.key for t, _, _ in read):
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
                sr.warnings.append(Msg.INGEST_WITHDRAWN_READ_AGAIN(at=_org_time(withdrawn, standards)))
            stream = streams.get(readers[ref.checklist].id)
            if stream is None:
                for other in streams.values():
                    other.refuse_foreign(table, ref.checklist)
                table.rows = list(table.rows)
                sr.read = len(table.rows)
                other_tables.append((table, sr))
                sr.seconds = time.monotonic() - t0
                continue
            done[:] = [0, len(table.rows) if isinstance(table.rows, list) else 0]   # the source's rows
            read.append((table, sr, stream.ingest(table, sr, progress, done)))
            table.rows = []
            sr.seconds = time.monotonic() - t0
        for stream in streams.values():
            report.replaced += stream.finish()
        checks = list(read)
        for table, sr in other_tables:
            instrument = readers[sr.checklist]
            before = stored_before(conn, table.source.key, instrument)
            instrument.ingest_table(conn, table, standards, lock.form(sr.checklist), started_at, sr)
            checks.append((table, sr, before))
        if not accept_deletions:
            check_deletions(checks)
        report.resolved, report.reopened = writer.settle_quarantine(started_at)
        report.sources = [sr for _, sr, _ in read] + [sr for _, sr in other_tables]
        report.seconds = time.monotonic() - started
        finished_at = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        store.StoreWriter(conn).log(started_at, finished_at, report.to_dict())
        if dry_run:
            conn.execute("ROLLBACK")
        else:
            store.commit(conn, db_path)
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        conn.close()
        if created and not dry_run:  # leave no empty store behind: the folder is as before
            db_path.unlink(missing_ok=True)
        raise
    conn.close()
    return report
