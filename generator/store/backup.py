"""`handbook backup` and `handbook restore`: consistent copies of the store, and putting one back.

A copy is made with SQLite's online backup API (`sqlite3.Connection.backup`, all pages in one step under
a read lock), so it is the store as some transaction left it, even while an ingest writes (a plain `cp`
then copies half an ingest). The store is checked before it is copied (a damaged store never pushes a
good copy out), the copy after it is written (under a hidden name first, then renamed, so an interrupted
backup leaves no half copy among the backups). The newest `keep` copies are kept.

Restoring checks the copy (`PRAGMA integrity_check`), keeps the store it replaces beside the backups
(`…-before-restore-….sqlite`, never pruned) and writes the copy into the store through the backup API
again, so a program that has the store open sees the old or the new store, never a mixture.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..errors import HandbookError, StoreBusy, StoreDamaged, StoreError
from ..messages import one_line
from .connection import backup_folder, open_store_read_only, store_error

DEFAULT_KEEP = 8


@dataclass
class Backup:
    """A copy written by `backup_store`."""

    copy: Path
    size: int                 # bytes
    inspections: int
    folder: Path
    keep: int
    removed: list[Path] = field(default_factory=list)   # older copies deleted to keep `keep`


@dataclass
class Restored:
    """What `restore_store` did."""

    copy: Path
    kept: Path | None          # the replaced store, kept (None: there was none)
    inspections: int


def _stamp(now: dt.datetime) -> str:
    return now.strftime("%Y%m%d-%H%M%S")


def recorded_zone(conn: sqlite3.Connection) -> dt.tzinfo:
    """The organisation's time zone as the store's latest ingest recorded it (each stored version keeps
    it): backup names and times are read in it, as `handbook sources` shows times. The machine's own zone
    for a store that recorded none (no patrol inspection yet)."""
    try:
        row = conn.execute("SELECT timezone FROM versions ORDER BY rowid DESC LIMIT 1").fetchone()
    except sqlite3.Error:
        row = None
    if row and row[0]:
        try:
            return ZoneInfo(row[0])
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return dt.datetime.now().astimezone().tzinfo or dt.timezone.utc   # an aware time always has one


def list_backups(path: Path | str, folder: Path | str | None = None) -> list[Path]:
    """The copies `handbook backup` made of the store at `path`, oldest first (the replaced stores that
    `restore` kept are not among them)."""
    path = Path(path)
    folder = Path(folder) if folder else backup_folder(path)
    pattern = re.compile(re.escape(path.stem) + r"-(\d{8}-\d{6})(?:-(\d+))?" + re.escape(path.suffix))
    if not folder.is_dir():
        return []
    found = [(m, p) for p in folder.iterdir() if (m := pattern.fullmatch(p.name)) and p.is_file()]
    # by time, then by the number a second copy within the same second got
    return [p for m, p in sorted(found, key=lambda mp: (mp[0].group(1), int(mp[0].group(2) or 1)))]


def _free_name(folder: Path, stem: str, suffix: str) -> Path:
    candidate, n = folder / f"{stem}{suffix}", 1
    while candidate.exists():
        n += 1
        candidate = folder / f"{stem}-{n}{suffix}"
    return candidate


def _count(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT count(*) FROM inspections WHERE gone_at IS NULL").fetchone()[0]


def _copy_pages(source: sqlite3.Connection, target: Path) -> None:
    """Every page of `source` into the database file `target`, in one step (one consistent snapshot)."""
    dest = sqlite3.connect(target, timeout=30)
    try:
        source.backup(dest)   # waits (and retries) while a writer holds the store exclusively
    finally:
        dest.close()


def backup_store(path: Path | str, *, folder: Path | str | None = None, keep: int = DEFAULT_KEEP,
                 now: dt.datetime | None = None) -> Backup:
    """Copy the store at `path` into `folder` (default `backups/` beside it), check the copy, and delete
    the oldest copies beyond `keep`."""
    path = Path(path)
    folder = Path(folder) if folder else backup_folder(path)
    source = open_store_read_only(path, snapshot=False)   # a handbook store, and not damaged
    tmp = None
    try:
        now = (now or dt.datetime.now(dt.timezone.utc)).astimezone(recorded_zone(source))
        try:
            folder.mkdir(parents=True, exist_ok=True)
            final = _free_name(folder, f"{path.stem}-{_stamp(now)}", path.suffix)
            tmp = folder / f".{final.name}.partial"
            tmp.unlink(missing_ok=True)
            _copy_pages(source, tmp)
        except (OSError, sqlite3.Error) as exc:
            busy = store_error(exc, path) if isinstance(exc, sqlite3.Error) else None
            if isinstance(busy, StoreBusy):
                raise busy from None
            raise HandbookError(one_line("backup_copy_failed", path=path, folder=folder, reason=_reason(exc))) from None
    finally:
        source.close()
    try:
        inspections = _checked_copy(tmp)
        os.replace(tmp, final)
    except StoreError as exc:
        raise HandbookError(one_line("backup_copy_failed", path=path, folder=folder, reason=str(exc))) from None
    except OSError as exc:
        raise HandbookError(one_line("backup_copy_failed", path=path, folder=folder, reason=_reason(exc))) from None
    finally:
        if tmp.exists():
            tmp.unlink()
    copies = list_backups(path, folder)
    removed = copies[:-keep] if keep > 0 else []
    for old in removed:
        old.unlink()
    return Backup(final, final.stat().st_size, inspections, folder, keep, removed)


def _reason(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or str(exc)


def _checked_copy(copy: Path) -> int:
    """Open the copy read only, check it (identity, integrity) and count its inspections."""
    conn = open_store_read_only(copy, snapshot=False)
    try:
        return _count(conn)
    finally:
        conn.close()


@dataclass
class CopyInfo:
    """A copy that may be restored: when it was made and what it holds."""

    copy: Path
    made: str            # the file's time in the organisation's zone (as the copy recorded it), to the minute
    inspections: int
    zone: dt.tzinfo | None = None   # that zone


def check_copy(path: Path | str, copy: Path | str | None, *, folder: Path | str | None = None) -> CopyInfo:
    """The copy to restore into the store at `path` (default: the newest backup), checked thoroughly
    (`PRAGMA integrity_check`): one line and nothing changed when it cannot be used."""
    path = Path(path)
    folder = Path(folder) if folder else backup_folder(path)
    if copy is None:
        copies = list_backups(path, folder)
        if not copies:
            raise HandbookError(one_line("backup_none", folder=f"{folder}/", path=path))
        copy = copies[-1]
    copy = Path(copy)

    def refuse(reason: str):
        return HandbookError(one_line("restore_copy_unusable", copy=copy, reason=reason,
                                      folder=f"{folder}/", path=path))

    if not copy.is_file():
        raise refuse("找不到该文件")
    if path.exists() and copy.resolve() == path.resolve():
        raise refuse("这就是要替换的数据库本身")
    try:
        conn = open_store_read_only(copy, snapshot=False)
    except StoreDamaged as exc:
        raise refuse(f"文件已损坏（SQLite 完整性检查：{exc.problems}）") from None
    except StoreError:
        raise refuse("不是可用的 handbook 数据库") from None
    try:
        problems = [row[0] for row in sqlite3.Connection.execute(conn, "PRAGMA integrity_check(100)")]
        if problems != ["ok"]:   # what quick_check leaves out: the indexes against their tables
            raise refuse(f"文件已损坏（SQLite 完整性检查：{len(problems)} 处问题）")
        inspections = _count(conn)
        zone = recorded_zone(conn)
    except sqlite3.DatabaseError:
        raise refuse("文件已损坏") from None
    finally:
        conn.close()
    made = dt.datetime.fromtimestamp(copy.stat().st_mtime, zone).strftime("%Y-%m-%d %H:%M")
    return CopyInfo(copy, made, inspections, zone)


def kept_name(path: Path | str, *, folder: Path | str | None = None, now: dt.datetime | None = None,
              zone: dt.tzinfo | None = None) -> Path:
    """Where `restore_store` keeps the store it replaces, named by the time in `zone` (the organisation's,
    `CopyInfo.zone`: the store replaced may be too damaged to say it)."""
    path = Path(path)
    folder = Path(folder) if folder else backup_folder(path)
    now = (now or dt.datetime.now(dt.timezone.utc)).astimezone(zone)
    return _free_name(folder, f"{path.stem}-before-restore-{_stamp(now)}", path.suffix)


def restore_store(path: Path | str, info: CopyInfo, *, kept: Path) -> Restored:
    """Replace the store at `path` with the checked copy `info` (see `check_copy`), keeping the store it
    replaces as `kept` (as it is, damaged or not)."""
    path = Path(path)
    had_store = path.exists()
    if had_store:
        try:
            kept.parent.mkdir(parents=True, exist_ok=True)
            _keep(path, kept)
        except OSError as exc:
            raise HandbookError(one_line("backup_copy_failed", path=path, folder=kept.parent,
                                         reason=_reason(exc))) from None
    source = sqlite3.connect(f"{info.copy.resolve().as_uri()}?mode=ro", uri=True)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            _copy_pages(source, path)   # through SQLite's locks and journal: readers see old or new
        except sqlite3.DatabaseError as exc:
            busy = store_error(exc, path)
            if isinstance(busy, StoreBusy):
                raise busy from None
            # the store is no database at all (its first page destroyed): nobody can have it open,
            # so the copy replaces the file
            tmp = path.with_name(f".{path.name}.restoring")
            shutil.copyfile(info.copy, tmp)
            os.replace(tmp, path)
    finally:
        source.close()
    inspections = _checked_copy(path)
    return Restored(info.copy, kept if had_store else None, inspections)


def _keep(path: Path, kept: Path) -> None:
    """The store as it is into `kept`: page by page through SQLite when it can read it (consistent even
    while a program writes), else the file's bytes."""
    try:
        source = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            _copy_pages(source, kept)
        finally:
            source.close()
    except sqlite3.DatabaseError:
        kept.unlink(missing_ok=True)
        shutil.copyfile(path, kept)
