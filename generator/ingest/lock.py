"""Read forms/forms.lock.yaml: the response sheets and question titles of each form version.

The forms area owns the file's format; until it offers a reader for it, this
module reads the YAML itself. A missing lock file is an empty lock.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..errors import HandbookError

DEFAULT_LOCK = Path("forms/forms.lock.yaml")


@dataclass(frozen=True)
class FormVersion:
    name: str
    pushed: dt.datetime | None
    options: tuple[str, ...]
    questions: dict[str, dict]      # question id -> {item|field|section+kind, title}
    answers: dict[str, int | None] = field(default_factory=dict)   # option label -> findings, when recorded


@dataclass(frozen=True)
class LockedSheet:
    spreadsheet_id: str
    gid: int | None
    sheet_name: str | None


@dataclass(frozen=True)
class LockedForm:
    checklist: str
    sheets: tuple[LockedSheet, ...] = ()
    versions: tuple[FormVersion, ...] = ()   # oldest first


@dataclass(frozen=True)
class Lock:
    forms: dict[str, LockedForm] = field(default_factory=dict)

    def form(self, checklist: str) -> LockedForm:
        return self.forms.get(checklist) or LockedForm(checklist)


def _when(value) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time(), dt.timezone.utc)
    if isinstance(value, str):
        try:
            return _when(dt.datetime.fromisoformat(value))
        except ValueError:
            return None
    return None


def _load(path: Path) -> dict:
    try:  # the forms area's reader, when present, checks the file's shape
        from ..forms.lock import read_lock as forms_read_lock
    except ImportError:
        forms_read_lock = None
    if forms_read_lock is not None:
        return forms_read_lock(path) or {}
    if not path.exists():
        return {}
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise HandbookError(f"cannot read the lock file {path}: {exc}".splitlines()[0]) from None


def read_lock(path: Path | str | None = None) -> Lock:
    """The lock file's forms; an empty lock when the file does not exist."""
    path = Path(path or DEFAULT_LOCK)
    data = _load(path)
    forms = {}
    try:
        for checklist, entry in (data.get("checklists") or {}).items():
            entry = entry or {}
            sheets = tuple(LockedSheet(str(s["spreadsheet_id"]),
                                       int(s["gid"]) if s.get("gid") is not None else None,
                                       s.get("sheet_name")) for s in entry.get("sheets") or [])
            versions = [FormVersion(str(name), _when(v.get("pushed")), tuple(v.get("options") or ()),
                                    {str(k): dict(q) for k, q in (v.get("questions") or {}).items()},
                                    {str(k): a for k, a in (v.get("answers") or {}).items()})
                        for name, v in (entry.get("versions") or {}).items()]
            versions.sort(key=lambda v: (v.pushed or dt.datetime.min.replace(tzinfo=dt.timezone.utc), v.name))
            forms[checklist] = LockedForm(checklist, sheets, tuple(versions))
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise HandbookError(f"the lock file {path} is malformed ({type(exc).__name__}: {exc})") from None
    return Lock(forms)
