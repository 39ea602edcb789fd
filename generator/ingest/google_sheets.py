"""Google Sheets through gspread: the only module that talks to the Sheets API.

Service-account credentials come from `--credentials`, then
`GOOGLE_APPLICATION_CREDENTIALS`, then gspread's default file. A spreadsheet is
opened by key, its responses worksheet found by gid or by the form's sheet name,
and values read in row chunks as UNFORMATTED_VALUE / SERIAL_NUMBER, so times are
serial numbers in the spreadsheet's own time zone. 429 and 5xx answers, dropped
connections and truncated bodies are retried with backoff inside one deadline.
An answer of an unexpected shape (`values` not a list of rows of plain cells,
metadata without its fields) is an error: nothing of the run is written.
`HANDBOOK_SHEETS_ENDPOINT` (or `endpoint=`) sends the API calls elsewhere (tests).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import random
import re
import time
from dataclasses import dataclass
from pathlib import Path

from ..errors import HandbookError, error
from ..google_auth import refusal
from ..messages import Msg
from .files import RESPONSE_SHEET_PREFIXES
from .table import Progress, SourceRef, Table

SHEETS_HOST = "https://sheets.googleapis.com"
ENDPOINT_ENV = "HANDBOOK_SHEETS_ENDPOINT"
CREDENTIALS_ENV = "GOOGLE_APPLICATION_CREDENTIALS"
RETRY_STATUSES = {429, 500, 502, 503, 504}
CHUNK_ROWS = 10_000
_CELL_TYPES = frozenset({str, int, float, bool, type(None)})   # what JSON gives for a cell
# a lone UTF-16 surrogate (JSON "\ud83d" without its pair: an emoji cut in two) cannot be stored as UTF-8
_SURROGATE = re.compile("[\ud800-\udfff]")


def _whole_characters(text: str) -> str:
    """`text` with each lone surrogate replaced by U+FFFD (the replacement character)."""
    return _SURROGATE.sub("\ufffd", text)


_URL = re.compile(r"/spreadsheets/d/([A-Za-z0-9_-]+)")
_GID = re.compile(r"[#?&]gid=(\d+)")


@dataclass(frozen=True)
class Retry:
    """Backoff for 429/5xx and broken transfers: doubling from `backoff`, all within `deadline` seconds."""

    deadline: float = 300.0
    backoff: float = 1.0
    max_backoff: float = 32.0
    timeout: float = 60.0            # per request


def parse_sheet(text: str) -> tuple[str, int | None]:
    """(spreadsheet key, gid or None) from a spreadsheet URL or a bare key."""
    text = text.strip()
    m = _URL.search(text)
    key = m.group(1) if m else text
    if not re.fullmatch(r"[A-Za-z0-9_-]{10,}", key):
        raise HandbookError(Msg.NOT_A_SHEET_URL(url=text))
    gid = _GID.search(text)
    return key, int(gid.group(1)) if gid else None


def find_credentials(flag: Path | str | None = None) -> Path:
    """The service-account key file: the flag, then $GOOGLE_APPLICATION_CREDENTIALS, then gspread's default."""
    from gspread.auth import DEFAULT_SERVICE_ACCOUNT_FILENAME

    for candidate, origin in ((flag, "--credentials"), (os.environ.get(CREDENTIALS_ENV), CREDENTIALS_ENV),
                              (DEFAULT_SERVICE_ACCOUNT_FILENAME, None)):
        if not candidate:
            continue
        path = Path(candidate).expanduser()
        if path.is_file():
            return path
        if origin:
            raise HandbookError(Msg.SHEETS_KEY_MISSING(path=path, origin=origin if origin.startswith("--")
                                                       else f"环境变量 {origin}"))
    raise HandbookError(Msg.NO_SHEETS_CREDENTIALS(env=CREDENTIALS_ENV, default=DEFAULT_SERVICE_ACCOUNT_FILENAME))


def service_account_email(path: Path) -> str:
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
        return str(info["client_email"])
    except (OSError, ValueError, KeyError, TypeError):
        raise HandbookError(Msg.NOT_A_SERVICE_KEY(path=path)) from None


def _http_client_class(endpoint: str | None):
    import gspread

    class CountingClient(gspread.HTTPClient):
        """gspread's client, counting requests and optionally sending them to another endpoint."""

        requests = 0

        # gspread passes the URL by position; the name differs from its `endpoint` (the outer variable)
        def request(self, method, endpoint_url, *args, **kwargs):  # type: ignore[override]
            if endpoint and endpoint_url.startswith(SHEETS_HOST):
                endpoint_url = endpoint.rstrip("/") + endpoint_url[len(SHEETS_HOST):]
            type(self).requests += 1
            return super().request(method, endpoint_url, *args, **kwargs)

    return CountingClient


class _Session:
    """One spreadsheet's calls with retries inside a shared deadline."""

    def __init__(self, ref: SourceRef, email: str, retry: Retry):
        self.ref, self.email, self.retry = ref, email, retry
        self.deadline_at = time.monotonic() + retry.deadline

    def call(self, what: str, fn):
        import gspread
        import requests
        from google.auth import exceptions as auth_errors

        attempt, problem = 0, ""
        while True:
            wait = None
            try:
                return fn()
            except PermissionError:  # gspread's open_by_key turns 403 into the builtin
                raise self._forbidden() from None
            except gspread.exceptions.SpreadsheetNotFound:
                raise self._not_found() from None
            except gspread.exceptions.APIError as exc:
                status = exc.response.status_code
                if status == 403:
                    raise self._forbidden() from None
                if status == 404:
                    raise self._not_found() from None
                if status not in RETRY_STATUSES:
                    raise HandbookError(Msg.SHEETS_REFUSED(what=what, sheet=self.ref.locator, status=status,
                                                           reason=exc.error.get('message', '')).strip()) from None
                problem = f"HTTP {status}"
                after = exc.response.headers.get("Retry-After", "")
                wait = float(after) if after.isdigit() else None
            except auth_errors.RefreshError as exc:
                raise HandbookError(Msg.SHEETS_SIGN_IN(email=self.email, reason=refusal(exc))) from None
            except (requests.RequestException, auth_errors.TransportError, ValueError) as exc:
                problem = type(exc).__name__  # dropped connection, timeout, truncated JSON body
            delay = wait if wait is not None else min(self.retry.backoff * 2 ** attempt, self.retry.max_backoff)
            delay *= 0.75 + random.random() / 2
            attempt += 1
            if time.monotonic() + delay > self.deadline_at:
                raise HandbookError(Msg.SHEETS_KEPT_FAILING(sheet=self.ref.locator, what=what, problem=problem,
                                                            seconds=self.retry.deadline, tries=attempt))
            time.sleep(delay)

    def _forbidden(self) -> HandbookError:
        return HandbookError(Msg.SHEET_FORBIDDEN(sheet=self.ref.locator, checklist=self.ref.checklist,
                                                 email=self.email))

    def _not_found(self) -> HandbookError:
        return HandbookError(Msg.SHEET_NOT_FOUND(sheet=self.ref.locator, checklist=self.ref.checklist))


def _pick_worksheet(worksheets: list, ref: SourceRef, title: str):
    names = "、".join(f"“{ws.title}”（gid={ws.id}）" for ws in worksheets)
    if ref.gid is not None:
        for ws in worksheets:
            if ws.id == ref.gid:
                return ws
        raise HandbookError(Msg.NO_WORKSHEET_GID(title=title, sheet=ref.locator, gid=ref.gid, names=names))
    if ref.sheet_name:
        for ws in worksheets:
            if ws.title.strip() == ref.sheet_name.strip():
                return ws
        raise HandbookError(Msg.NO_WORKSHEET_NAMED(title=title, sheet=ref.locator, name=ref.sheet_name, names=names))
    responses = [ws for ws in worksheets if ws.title.lower().startswith(RESPONSE_SHEET_PREFIXES)]
    if len(responses) == 1 or (not responses and len(worksheets) == 1):
        return (responses or worksheets)[0]
    raise HandbookError(Msg.WHICH_WORKSHEET(title=title, sheet=ref.locator, names=names))


def _malformed(ref: SourceRef, what: str, detail: str) -> HandbookError:
    return error("ingest_sheet_malformed", sheet=ref.locator, what=what, detail=detail)


def _type_name(value) -> str:
    return {dict: "对象", list: "列表", str: "文本", type(None): "null", bool: "布尔值", int: "数字",
            float: "数字"}.get(type(value), type(value).__name__)


def checked_values(data, ref: SourceRef, start: int) -> list[list]:
    """The rows of a values.get answer, after checking its shape: an object whose `values` (absent when
    the range is empty) is a list of rows, each a list of plain cells (text, number, boolean, null)."""
    where = f"第 {start} 行起的数据"
    if not isinstance(data, dict):
        raise _malformed(ref, where, f"应为 JSON 对象，实际为{_type_name(data)}")
    if data.get("majorDimension", "ROWS") != "ROWS":
        raise _malformed(ref, where, f"majorDimension 为 {str(data.get('majorDimension'))[:20]}，应为 ROWS")
    values = data.get("values", [])
    if not isinstance(values, list):
        raise _malformed(ref, where, f"values 应为行的列表，实际为{_type_name(values)}")
    for offset, row in enumerate(values):
        if type(row) is not list:
            raise _malformed(ref, where, f"第 {start + offset} 行应为单元格列表，实际为{_type_name(row)}")
        if not set(map(type, row)) <= _CELL_TYPES:
            bad = next(c for c in row if type(c) not in _CELL_TYPES)
            raise _malformed(ref, where, f"第 {start + offset} 行有一个单元格是{_type_name(bad)}")
        if _SURROGATE.search("".join(c for c in row if type(c) is str)):
            values[offset] = [_whole_characters(c) if type(c) is str else c for c in row]
    return values


def _column_letters(n: int) -> str:
    letters = ""
    while n > 0:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters or "A"


def fetch_sheet(ref: SourceRef, *, credentials: Path | str | None = None, endpoint: str | None = None,
                chunk_rows: int = CHUNK_ROWS, retry: Retry = Retry(), progress: Progress | None = None) -> Table:
    """Read a response worksheet: header and rows, values unformatted, times as serial numbers."""
    import gspread
    from gspread.auth import READONLY_SCOPES

    key_path = find_credentials(credentials)
    email = service_account_email(key_path)
    client_class = _http_client_class(endpoint or os.environ.get(ENDPOINT_ENV) or None)
    try:
        client = gspread.service_account(filename=str(key_path), scopes=READONLY_SCOPES, http_client=client_class)
    except (ValueError, KeyError, OSError) as exc:
        raise HandbookError(Msg.SERVICE_KEY_UNUSABLE(path=key_path, reason=str(exc).splitlines()[0] if str(exc)
                                                     else type(exc).__name__)) from None
    client.set_timeout(retry.timeout)
    session = _Session(ref, email, retry)
    try:   # gspread reads the metadata's fields as it goes: a field missing or of another type fails here
        spreadsheet = session.call("表格信息", lambda: client.open_by_key(ref.locator))
        worksheets = session.call("工作表列表", spreadsheet.worksheets)
        ws = _pick_worksheet(worksheets, ref, spreadsheet.title)
        tz_name = spreadsheet.timezone
        title, cols, total = ws.title, ws.col_count, ws.row_count
        if not (isinstance(title, str) and type(cols) is int and type(total) is int and cols >= 0 and total >= 0
                and (tz_name is None or isinstance(tz_name, str))):
            raise TypeError("title, rowCount, columnCount or timeZone")
    except (KeyError, TypeError, AttributeError, IndexError) as exc:
        raise _malformed(ref, "表格信息", f"{type(exc).__name__}: {str(exc)[:60]}") from None
    quoted = "'" + title.replace("'", "''") + "'"
    title, book_title = _whole_characters(title), _whole_characters(spreadsheet.title)
    last_col = _column_letters(max(cols, 1))
    params = {"valueRenderOption": "UNFORMATTED_VALUE", "dateTimeRenderOption": "SERIAL_NUMBER",
              "majorDimension": "ROWS"}
    label = f"{ref.checklist}: {book_title} / {title}"
    header: list = []
    rows: list[tuple[int, list]] = []
    for start in range(1, total + 1, chunk_rows):
        end = min(start + chunk_rows - 1, total)
        a1 = f"{quoted}!A{start}:{last_col}{end}"
        data = session.call(f"第 {start}–{end} 行",
                            lambda a1=a1: spreadsheet.values_get(a1, params=params))
        values = checked_values(data, ref, start)
        for offset, cells in enumerate(values):
            number = start + offset
            if number == 1:
                header = ["" if c is None else str(c) for c in cells]
            elif cells and any(c not in ("", None) for c in cells):
                rows.append((number, list(cells)))
        if progress:
            progress(label, end, total)
    resolved = dataclasses.replace(ref, gid=ws.id, sheet_name=title)
    return Table(resolved, header, rows, dt.datetime.now(dt.timezone.utc), timezone=tz_name,
                 title=f"{book_title} / {title}", requests=client_class.requests)
