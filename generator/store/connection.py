"""Opening the store: the file's place (`DEFAULT_STORE`), connections whose SQLite failures are one line
(`connect`, `open_store_read_only`, `open_copy`), the integrity check, and the run's write transaction (`begin`).
"""

from __future__ import annotations

import os
import shlex
import sqlite3
from pathlib import Path
from typing import Sequence

from ..errors import StoreBusy, StoreDamaged, StoreError
from ..messages import Msg
from .schema import identify, instrument_tables, migrate

DEFAULT_STORE = Path("data/inspections.sqlite")
# Seconds a command waits for another program's lock on the store before it says the store is locked.
# Read at each open, so tests can shorten it (tests/conftest.py `short_busy_timeout`).
BUSY_TIMEOUT = 5.0
# SQLite primary result codes -> catalogue message (generator.errors.MESSAGES)
_ERRORS = {3: Msg.STORE_READONLY, 5: Msg.STORE_LOCKED, 6: Msg.STORE_LOCKED, 8: Msg.STORE_READONLY,
           10: Msg.STORE_IO, 11: Msg.STORE_DAMAGED, 13: Msg.STORE_FULL, 14: Msg.STORE_CANNOT_OPEN,
           26: Msg.STORE_NOT_SQLITE,
           # extended codes: a write, sync or truncation refused (EFBIG, EDQUOT… report no SQLITE_FULL)
           778: Msg.STORE_WRITE_FAILED, 1034: Msg.STORE_WRITE_FAILED, 1546: Msg.STORE_WRITE_FAILED}
_ERROR_TEXTS = (("locked", Msg.STORE_LOCKED), ("busy", Msg.STORE_LOCKED), ("readonly", Msg.STORE_READONLY),
                ("disk is full", Msg.STORE_FULL), ("disk i/o", Msg.STORE_IO),
                ("unable to open", Msg.STORE_CANNOT_OPEN), ("not a database", Msg.STORE_NOT_SQLITE),
                ("malformed", Msg.STORE_DAMAGED))


def _error_id(exc: sqlite3.Error) -> Msg | None:
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return _ERRORS.get(code) or _ERRORS.get(code & 0xFF)
    text = str(exc).lower()   # an error raised by the sqlite3 module itself carries no code
    return next((m for needle, m in _ERROR_TEXTS if needle in text), None)


def store_error(exc: sqlite3.Error, path: Path | str) -> StoreError | None:
    """The one-line error for an SQLite failure on the store at `path` (None: a failure of ours, not the file's)."""
    message = _error_id(exc)
    if message is None:
        return None
    return (StoreBusy if message is Msg.STORE_LOCKED else StoreError)(message, path=path)


class _Connection(sqlite3.Connection):
    """A store connection: a locked, read-only, full or damaged store raises one `StoreError` line,
    wherever in a run it happens (never a traceback)."""

    store_path = ""

    def _fail(self, exc: sqlite3.Error):
        error = store_error(exc, self.store_path)
        if error is None:
            raise exc
        if _error_id(exc) is Msg.STORE_DAMAGED and self.store_path:
            # said as the integrity check says it (how much, the backups, handbook restore) when it finds it
            error = _damage(Path(self.store_path)) or error
        raise error from None

    def execute(self, *args, **kwargs):
        try:
            return super().execute(*args, **kwargs)
        except sqlite3.Error as exc:
            self._fail(exc)

    def executemany(self, *args, **kwargs):
        try:
            return super().executemany(*args, **kwargs)
        except sqlite3.Error as exc:
            self._fail(exc)

    def executescript(self, *args, **kwargs):
        try:
            return super().executescript(*args, **kwargs)
        except sqlite3.Error as exc:
            self._fail(exc)


def _sqlite(target: str, path: Path, **kwargs) -> sqlite3.Connection:
    kwargs.setdefault("timeout", BUSY_TIMEOUT)
    try:
        conn = sqlite3.connect(target, factory=_Connection, **kwargs)
    except sqlite3.Error as exc:
        raise store_error(exc, path) or StoreError(Msg.STORE_CANNOT_OPEN, path=path) from None
    conn.store_path = str(path)
    return conn



def connect(path: Path | str, *, wait: float | None = None, instruments: Sequence = ()) -> sqlite3.Connection:
    """Open (creating if needed) the store; transactions are explicit (`isolation_level=None`).

    Checks at once that the file is a handbook store (or empty), so a wrong --store fails before any
    source is read and the file is left as it was."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError:
        raise StoreError(Msg.STORE_CANNOT_OPEN, path=path) from None
    if path.is_dir():
        raise StoreError(Msg.STORE_CANNOT_OPEN, path=path)
    conn = _sqlite(str(path), path, timeout=BUSY_TIMEOUT if wait is None else wait, isolation_level=None)
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        # A 4 MiB page cache: ingest streams a year's rows through it in one transaction (dirty pages spill to
        # the file), so memory stays flat; 64 MiB did not make a year's load faster, and a week's into a year's
        # store about 0.2 s faster (of 1.5 s) at 300 projects.
        conn.execute("PRAGMA cache_size = -4096")
        identify(conn, path, instrument_tables(instruments))   # fails here, not mid-run, on a file that is no store
    except BaseException:
        conn.close()
        raise
    return conn


def backup_folder(path: Path | str) -> Path:
    """Where `handbook backup` keeps the copies of the store at `path`: `backups/` beside it."""
    return Path(path).parent / "backups"


# Stores found sound by `check_integrity` in this process, by file identity and state: a build opens the store
# several times, and a file left as it was is not read through again.
_SOUND: dict[str, tuple] = {}
_CHECK_LIMIT = 100   # problems SQLite lists before it stops looking


def _file_state(path: Path) -> tuple | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def restore_command(path: Path | str) -> str:
    """The `handbook restore` that restores this store: with `--store` unless it is the one restore takes
    without it (the default location, HANDBOOK_STORE unset)."""
    path = Path(path)
    default = Path(os.environ.get("HANDBOOK_STORE") or DEFAULT_STORE)
    if path.resolve() == default.resolve():
        return "handbook restore"
    return f"handbook restore --store {shlex.quote(str(path))}"


def check_integrity(conn: sqlite3.Connection, path: Path | str) -> None:
    """Refuse a damaged store before anything reads or writes it: SQLite's `PRAGMA quick_check` (every page
    of every table and index read once, their order and structure checked; not the indexes' contents
    against their tables, which `integrity_check` adds at several times the cost).

    A zeroed, truncated or shuffled file raises one `StoreError` line naming the file and the way back
    (`handbook restore`); nothing is written. A file already found sound by this process, and not changed
    since, is not read again."""
    path = Path(path)
    key, state = str(path.resolve()), _file_state(path)
    if state is not None and _SOUND.get(key) == state:
        return
    try:
        problems = [row[0] for row in sqlite3.Connection.execute(conn, f"PRAGMA quick_check({_CHECK_LIMIT})")]
    except sqlite3.DatabaseError as exc:
        if _error_id(exc) not in (Msg.STORE_DAMAGED, Msg.STORE_NOT_SQLITE, None):
            raise store_error(exc, path) or exc from None   # locked, unreadable: said as such
        problems = _schema_skipping_check(path) or ["malformed"]   # else a page so damaged the check stops
    if problems != ["ok"]:
        raise _damaged(path, problems)
    if state is not None and (now := _file_state(path)) is not None:
        _SOUND[key] = now


def _damaged(path: Path, problems: list[str]) -> StoreDamaged:
    # SQLite's own lines (English) stay out of the message: how many it found is what the user needs
    count = max(1, sum(1 for p in problems for line in p.splitlines() if not line.startswith("*** in database")))
    said = f"{count} 处问题" if count < _CHECK_LIMIT else f"{_CHECK_LIMIT} 处以上问题"
    return StoreDamaged(Msg.STORE_CHECK_FAILED, path=path, problems=said,
                        backups=f"{backup_folder(path)}/", restore=restore_command(path))


def _schema_skipping_check(path: Path) -> list[str] | None:
    """`PRAGMA quick_check` of the file read only, without reading its schema first (`writable_schema`): a store
    whose schema pages are damaged cannot run a statement, yet its pages can be checked. None: not even that."""
    if not path.is_file():
        return None
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=0)
    except sqlite3.Error:
        return None
    try:
        conn.execute("PRAGMA writable_schema = ON")   # read only: nothing can be written through it
        return [row[0] for row in conn.execute(f"PRAGMA quick_check({_CHECK_LIMIT})")]
    except sqlite3.Error:
        return None
    finally:
        conn.close()


def _damage(path: Path) -> StoreDamaged | None:
    """The integrity check's line for a store SQLite called malformed (None: the check finds nothing to say)."""
    problems = _schema_skipping_check(path)
    return _damaged(path, problems) if problems and problems != ["ok"] else None


def open_copy(path: Path | str) -> sqlite3.Connection:
    """An in-memory copy of the store (empty when there is none yet), for a dry run: the file is only read."""
    path = Path(path)
    conn = _sqlite(":memory:", path, isolation_level=None)
    if path.is_file():
        source = open_store_read_only(path, allow_empty=True, snapshot=False)
        try:
            source.backup(conn)
        except sqlite3.Error as exc:
            raise store_error(exc, path) or exc from None
        finally:
            source.close()
    return conn


def begin(conn: sqlite3.Connection, path: Path | str, instruments: Sequence = ()) -> None:
    """Start the run's one write transaction, waiting briefly if another program holds the store, and bring
    the store's tables and those of `instruments` up to date in it."""
    conn.execute("BEGIN IMMEDIATE")   # a lock held elsewhere: StoreBusy (see _Connection)
    check_integrity(conn, path)       # never write into a damaged file: the run would spread the damage
    migrate(conn, path, instruments)
    # responses are also found by their time (to the minute, or read in another zone): an index, not a new shape
    conn.execute("CREATE INDEX IF NOT EXISTS versions_by_submission ON versions (submitted_at)")



def commit(conn: sqlite3.Connection, path: Path | str) -> None:
    """Commit the run's one write transaction (`begin`). The store was found sound as it began, and until this
    commit no other connection could write; when none has committed since either (`PRAGMA data_version` is
    unchanged), the file as it is now is known sound, so the run's later reads (the closed quarters compared
    after an ingest) do not read every page again. Any other change to the file is checked as before."""
    path = Path(path)
    version = conn.execute("PRAGMA data_version").fetchone()[0]
    conn.execute("COMMIT")
    key = str(path.resolve())
    if key in _SOUND and (state := _file_state(path)) is not None \
            and conn.execute("PRAGMA data_version").fetchone()[0] == version:
        _SOUND[key] = state


def open_store_read_only(path: Path | str, *, allow_empty: bool = False, snapshot: bool = True) -> sqlite3.Connection:
    """A read-only connection to an existing store; with `snapshot`, its reads are one transaction
    (an ingest committing meanwhile cannot make a read half old, half new)."""
    path = Path(path)
    if not path.is_file():
        raise StoreError(Msg.STORE_MISSING, path=path)
    conn = _sqlite(f"{path.resolve().as_uri()}?mode=ro", path, uri=True)
    try:
        if snapshot:
            conn.execute("BEGIN")
        version = identify(conn, path)   # an older store reads fine until the next ingest upgrades it
        if version == 0 and not allow_empty:
            raise StoreError(Msg.STORE_EMPTY, path=path)
        check_integrity(conn, path)   # a damaged page read later would be a traceback, or wrong results
    except BaseException:
        conn.close()
        raise
    return conn

