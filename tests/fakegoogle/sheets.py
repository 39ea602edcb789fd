"""A fake Google Sheets API v4 (spreadsheets.get, values.get, values.batchGet) for real gspread.

Response shapes follow real traffic recorded by the gspread maintainers
(burnash/gspread @ 5e2b628, tests/cassettes/*.json, MIT licence; copies of the
ones this fake follows are in tests/data/gspread_cassettes/): metadata with
`properties.timeZone` and `sheets[].properties.gridProperties`; value ranges
with `range` clipped to the grid, `majorDimension: ROWS`, trailing empty cells
dropped, empty rows as `[]`, no `values` key for an empty range; with
`UNFORMATTED_VALUE` + `SERIAL_NUMBER` dates as serial numbers (43831 = 2020-01-01).

Cells are Python values: str, int/float, bool, naive `datetime`/`date` in the
spreadsheet's own time zone, or None/"" for empty. Tests edit `sheet.values`
directly (edit, sort, delete, append) between ingests.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from urllib.parse import unquote

from .base import FakeGoogle, Request, Response

EPOCH = dt.datetime(1899, 12, 30)
_CELL = re.compile(r"^([A-Z]*)(\d*)$")


@dataclass
class FakeSheet:
    title: str = "表单回复 1"
    gid: int = 0
    values: list[list] = field(default_factory=list)
    extra_rows: int = 0             # empty grid rows below the data
    columns: int | None = None

    @property
    def row_count(self) -> int:
        return max(len(self.values) + self.extra_rows, 1)

    @property
    def column_count(self) -> int:
        return self.columns or max([len(r) for r in self.values] + [26])


@dataclass
class FakeSpreadsheet:
    key: str
    title: str
    sheets: list[FakeSheet]
    timezone: str = "Asia/Shanghai"
    locale: str = "zh_CN"


def _col_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _col_letters(n: int) -> str:
    out = ""
    while n > 0:
        n, rest = divmod(n - 1, 26)
        out = chr(65 + rest) + out
    return out


def _quote_title(title: str) -> str:
    return title if re.fullmatch(r"[A-Za-z0-9_]+", title) else "'" + title.replace("'", "''") + "'"


def _serial(value) -> float | int:
    if isinstance(value, dt.datetime):
        return (value - EPOCH).total_seconds() / 86400
    return (value - EPOCH.date()).days


def _formatted(value, locale: str) -> str:
    if isinstance(value, dt.datetime):
        if locale.startswith("en"):
            return f"{value.month}/{value.day}/{value.year} {value.hour}:{value.minute:02}:{value.second:02}"
        mark, h = ("上午" if value.hour < 12 else "下午"), (value.hour % 12 or 12)
        return f"{value.year}/{value.month}/{value.day} {mark}{h}:{value.minute:02}:{value.second:02}"
    if isinstance(value, dt.date):
        return f"{value.month}/{value.day}/{value.year}" if locale.startswith("en") else \
            f"{value.year}/{value.month}/{value.day}"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    return str(value)


class FakeSheets(FakeGoogle):
    """Sheets API v4 on 127.0.0.1; `truncate_next` and `reset_next` add broken transfers to `fail_next`."""

    def __init__(self):
        super().__init__()
        self.spreadsheets: dict[str, FakeSpreadsheet] = {}
        self.broken: list[tuple[str, str]] = []      # (path regex, "truncate" | "reset")
        self.route("GET", r"/v4/spreadsheets/(?P<key>[^/]+)/values:batchGet", self._batch_get)
        self.route("GET", r"/v4/spreadsheets/(?P<key>[^/]+)/values/(?P<range>[^/]+)", self._values_get)
        self.route("GET", r"/v4/spreadsheets/(?P<key>[^/:]+)", self._get)

    # ---- setup
    def add_spreadsheet(self, key: str, title: str, sheets: list[FakeSheet], *, timezone: str = "Asia/Shanghai",
                        locale: str = "zh_CN") -> FakeSpreadsheet:
        self.spreadsheets[key] = FakeSpreadsheet(key, title, sheets, timezone, locale)
        return self.spreadsheets[key]

    def sheet(self, key: str, gid: int = 0) -> FakeSheet:
        return next(s for s in self.spreadsheets[key].sheets if s.gid == gid)

    def truncate_next(self, pattern: str, times: int = 1) -> None:
        """The next matching requests get a 200 whose JSON body is cut short."""
        self.broken.extend([(pattern, "truncate")] * times)

    def serve_next(self, pattern: str, body, times: int = 1) -> None:
        """The next matching requests get a 200 with this JSON body as it is (malformed answers)."""
        self.failures.extend([(pattern, 200, body)] * times)

    def reset_next(self, pattern: str, times: int = 1) -> None:
        """The next matching requests get their connection closed without an answer."""
        self.broken.extend([(pattern, "reset")] * times)

    def start(self) -> "FakeSheets":
        super().start()
        self._server.handle_error = lambda request, address: None   # resets are intended
        return self

    def value_requests(self) -> list[Request]:
        return [r for r in self.api_requests() if "/values" in r.path]

    # ---- dispatch with broken transfers
    def dispatch(self, request: Request) -> Response:
        for i, (pattern, kind) in enumerate(self.broken):
            if re.search(pattern, request.path):
                del self.broken[i]
                if kind == "reset":
                    self.log.append(request)
                    raise ConnectionResetError("fake connection reset")
                response = super().dispatch(request)
                body = json.dumps(response.body, ensure_ascii=False).encode()
                return Response(200, body[: max(1, len(body) // 2)])
        return super().dispatch(request)

    # ---- handlers
    def _not_found(self) -> Response:
        return Response(404, {"error": {"code": 404, "message": "Requested entity was not found.",
                                        "status": "NOT_FOUND"}})

    def _get(self, request: Request, match) -> Response:
        book = self.spreadsheets.get(unquote(match["key"]))
        if book is None:
            return self._not_found()
        return Response(200, {
            "spreadsheetId": book.key,
            "properties": {
                "title": book.title, "locale": book.locale, "autoRecalc": "ON_CHANGE", "timeZone": book.timezone,
                "defaultFormat": {"backgroundColor": {"red": 1, "green": 1, "blue": 1},
                                  "padding": {"top": 2, "right": 3, "bottom": 2, "left": 3},
                                  "verticalAlignment": "BOTTOM", "wrapStrategy": "OVERFLOW_CELL",
                                  "textFormat": {"foregroundColor": {}, "fontFamily": "arial,sans,sans-serif",
                                                 "fontSize": 10, "bold": False, "italic": False,
                                                 "strikethrough": False, "underline": False}},
            },
            "sheets": [{"properties": {"sheetId": s.gid, "title": s.title, "index": i, "sheetType": "GRID",
                                       "gridProperties": {"rowCount": s.row_count, "columnCount": s.column_count,
                                                          "frozenRowCount": 1}}}
                       for i, s in enumerate(book.sheets)],
            "spreadsheetUrl": f"https://docs.google.com/spreadsheets/d/{book.key}/edit",
        })

    def _value_range(self, book: FakeSpreadsheet, a1: str, query: dict) -> dict | None:
        title, _, cells = a1.rpartition("!") if "!" in a1 else (a1, "", "")
        title = title[1:-1].replace("''", "'") if title.startswith("'") else title
        sheet = next((s for s in book.sheets if s.title == title), None)
        if sheet is None:
            return None
        first, _, last = (cells or "A:").partition(":")   # no cells: the whole sheet
        (c1, r1), (c2, r2) = _CELL.match(first).groups(), _CELL.match(last if ":" in (cells or ":") else first).groups()
        col1, row1 = _col_number(c1) if c1 else 1, int(r1) if r1 else 1
        col2 = _col_number(c2) if c2 else sheet.column_count
        row2 = int(r2) if r2 else sheet.row_count
        col2, row2 = min(col2, sheet.column_count), min(row2, sheet.row_count)
        render = query.get("valueRenderOption", ["FORMATTED_VALUE"])[0]
        dates = query.get("dateTimeRenderOption", ["SERIAL_NUMBER"])[0]
        rows = []
        for row in sheet.values[row1 - 1: row2]:
            out = []
            for value in row[col1 - 1: col2]:
                if value is None or value == "":
                    out.append("")
                elif render == "FORMATTED_VALUE":
                    out.append(_formatted(value, book.locale))
                elif isinstance(value, (dt.date, dt.datetime)):
                    out.append(_serial(value) if dates == "SERIAL_NUMBER" else _formatted(value, book.locale))
                else:
                    out.append(value)
            while out and out[-1] == "":
                out.pop()
            rows.append(out)
        while rows and not rows[-1]:
            rows.pop()
        body = {"range": f"{_quote_title(sheet.title)}!{_col_letters(col1)}{row1}:{_col_letters(col2)}{row2}",
                "majorDimension": "ROWS"}
        if rows:
            body["values"] = rows
        return body

    def _values_get(self, request: Request, match) -> Response:
        book = self.spreadsheets.get(unquote(match["key"]))
        if book is None:
            return self._not_found()
        body = self._value_range(book, unquote(match["range"]), request.query)
        if body is None:
            return Response(400, {"error": {"code": 400, "message": f"Unable to parse range: {unquote(match['range'])}",
                                            "status": "INVALID_ARGUMENT"}})
        return Response(200, body)

    def _batch_get(self, request: Request, match) -> Response:
        book = self.spreadsheets.get(unquote(match["key"]))
        if book is None:
            return self._not_found()
        ranges = [self._value_range(book, r, request.query) for r in request.query.get("ranges", [])]
        if any(r is None for r in ranges):
            return Response(400,
                            {"error": {"code": 400, "message": "Unable to parse range", "status": "INVALID_ARGUMENT"}})
        return Response(200, {"spreadsheetId": book.key, "valueRanges": ranges})
