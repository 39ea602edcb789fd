"""What every source yields: a header and numbered rows, exactly as read."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Callable, Iterable

# progress(source label, rows done, rows in total); total 0 when unknown
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class SourceRef:
    """Where responses come from: a Google Sheet (key + gid or sheet name), a 腾讯问卷 survey (its id) or an
    exported file."""

    checklist: str
    kind: str                      # "sheet", "tencent" or "file"
    locator: str                   # spreadsheet key, survey id, or the file's name
    gid: int | None = None
    sheet_name: str | None = None
    path: str | None = None        # file path (files only)

    @property
    def key(self) -> str:
        """Stable identity of the source in the store."""
        if self.kind == "sheet":
            where = str(self.gid) if self.gid is not None else (self.sheet_name or "")
            return f"{self.checklist}:sheet:{self.locator}#{where}"
        if self.kind == "tencent":     # a 腾讯问卷 survey, read through its API
            return f"{self.checklist}:tencent:{self.locator}"
        return f"{self.checklist}:file:{self.locator}"

    @property
    def label(self) -> str:
        if self.kind == "sheet":
            where = f"gid={self.gid}" if self.gid is not None else (self.sheet_name or "responses")
            return f"{self.checklist} ← sheet {self.locator} ({where})"
        if self.kind == "tencent":
            return f"{self.checklist} ← 腾讯问卷 {self.locator}"
        return f"{self.checklist} ← {self.path or self.locator}"


@dataclass
class Table:
    """A response sheet as read: header cells and (sheet row number, cells) pairs.

    Cells keep their fetched types: str, int/float (Sheets serial numbers),
    datetime/date (XLSX). `timezone` is the spreadsheet's own zone (None for
    CSV files, whose times are read in the organisation's zone).
    """

    source: SourceRef
    header: list[str]
    rows: Iterable[tuple[int, list]]   # a list, or (files) an iterator read once by ingest
    fetched_at: dt.datetime
    timezone: str | None = None
    title: str = ""
    requests: int | None = None
    notes: list[str] = field(default_factory=list)
    worksheets: list[str] = field(default_factory=list)   # an XLSX workbook's worksheets (`title`: the one read)
    date_order: str | None = None   # "dmy" / "mdy" / "ymd": how the file's a/b/yyyy dates read (files only)
