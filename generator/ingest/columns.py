"""What every instrument's mapping of response columns shares: one place for the stages and the instruments.

Header titles Google and the other platforms give (`TIMESTAMP_TITLES`, `EMAIL_TITLES`), an item code at
the start of a title (`CODE_AT_START`), a grid question's row (`GRID`), `norm` (a header or title for
comparison), the reasons a response row is quarantined for (`REASONS`, raised as `Rejected`; `reason_name`
for rows stored without their message), the form version a response was answered on (`version_of`) and
`ChecklistColumns`, what an instrument gives to read back the columns it adds to a patrol checklist's form.
The patrol checklists' own mapping (columns to items, cells to answers) is the patrol instrument's
(`instruments/patrol/mapping.py`).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from ..forms.lock_file import FormVersion, LockedForm
from ..inspection import FIELD_TITLES
from ..messages import Msg
from .shell import Rejection

TIMESTAMP_TITLES = {"timestamp", "时间戳记", "時間戳記", "タイムスタンプ", "marca temporal", "horodateur"}
EMAIL_TITLES = {"email address", "email", "e-mail", "电子邮件地址", "電子郵件地址", "メールアドレス"}
CODE_AT_START = re.compile(r"^(\d+(?:\.\d+)+(?:-[a-z][a-z0-9]*)?)(?![\w.\-])")
GRID = re.compile(r"^(?P<question>.*?)\s*\[(?P<row>[^\[\]]+)\]$")
EMAIL = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+")

# Why a row was quarantined: code -> the catalogued message (messages.py, I3xx) and the name of its field
REASONS: dict[str, tuple[Msg, str | None]] = {
    "unknown_project": (Msg.ROW_UNKNOWN_PROJECT, "value"),
    "unknown_role": (Msg.ROW_UNKNOWN_ROLE, "value"),
    "role_not_on_checklist": (Msg.ROW_ROLE_NOT_ON_CHECKLIST, "value"),
    "bad_time": (Msg.ROW_BAD_TIME, "value"),
    "bad_date": (Msg.ROW_BAD_DATE, "value"),
    "missing_answer": (Msg.ROW_MISSING_ANSWER, "columns"),
    "unanswered": (Msg.ROW_UNANSWERED, "columns"),
    "not_an_option": (Msg.ROW_NOT_AN_OPTION, "value"),
    "duplicate": (Msg.ROW_DUPLICATE, "first"),
    "too_long": (Msg.ROW_TOO_LONG, "limit"),
    "email_as_name": (Msg.ROW_EMAIL_AS_NAME, None),
    "date_after_submission": (Msg.ROW_DATE_AFTER_SUBMISSION, "value"),
    "date_too_old": (Msg.ROW_DATE_TOO_OLD, "value"),
}
# The column a reason is about, where its code says it (else the row's raiser names it)
REASON_COLUMNS = {"unknown_project": FIELD_TITLES["project"], "unknown_role": FIELD_TITLES["role"],
                  "bad_time": "时间戳记", "bad_date": FIELD_TITLES["date"],
                  "date_after_submission": FIELD_TITLES["date"], "date_too_old": FIELD_TITLES["date"]}

# The message of a reason code in a quarantine entry stored without it (before reasons were kept as data):
# the shared reasons, and `formula` and `markup`, no longer given (text is data) but in older runs' entries
STORED_REASONS: dict[str, Msg] = {**{code: msg for code, (msg, _) in REASONS.items()},
                                  "formula": Msg.ROW_FORMULA, "markup": Msg.ROW_MARKUP}
# reasons whose value is ours (item codes), never cut short
_VERBATIM = {"unanswered", "date_after_submission", "date_too_old"}


class Rejected(Rejection):
    """A response row that cannot be used; it goes to quarantine with this reason (`column`: the column it is
    about; by default the one its code names, or for a missing answer the column missing)."""

    def __init__(self, code: str, value: object = "", column: str | None = None):
        msg, name = REASONS[code]
        text: object = value if code in _VERBATIM else short(value)   # verbatim: our own text (item codes)
        if column is None:
            column = (str(text) if code == "missing_answer" and text != "没有任何条目的答案"
                      else REASON_COLUMNS.get(code, ""))
        super().__init__(code, msg, column, **({name: text} if name else {}))


def reason_name(code: str) -> str | None:
    """The catalogue's name of the reason `code` of a quarantine entry stored without its message (None: a
    code none of `STORED_REASONS` is). An entry with its message is named by that message's `short`."""
    msg = STORED_REASONS.get(code)
    return msg.short if msg else None


def short(value: object, limit: int = 60) -> str:
    """A cell's text for a rejection message: one line, at most `limit` characters."""
    text = str(value).replace("\n", " ")
    return text if len(text) <= limit else text[:limit] + "…"


_SPACES = re.compile(r"\s+")
_NORMED: dict[str, str] = {}     # answers repeat a handful of labels: normalise each text once
_CACHE_MAX = 4096          # bounded: a long file does not grow memory


def norm(text: object) -> str:
    """A header or title for comparison: NFKC, whitespace (line breaks too) collapsed."""
    if type(text) is str:
        hit = _NORMED.get(text)
        if hit is None:
            hit = _SPACES.sub(" ", unicodedata.normalize("NFKC", text)).strip()
            if len(_NORMED) < _CACHE_MAX:
                _NORMED[text] = hit
        return hit
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", str(text or ""))).strip()


class ChecklistColumns:
    """Columns an instrument adds to a patrol checklist's form (`Instrument.checklist_items`), read back by the
    patrol ingest with the rest of each row: the extension point `Instrument.checklist_columns` returns one.

    For each header the ingest asks `column` (after the timestamp, e-mail, field, note and "corrected"
    columns, before the items); each non-empty cell of a claimed column goes to `cell`, in column order, which
    fills the row's `data` or raises `Rejected` (the row is quarantined). What `finish` returns joins the
    response's content hash when not empty; `rows` are stored with each new version by `write`.
    """

    #: Names the columns' targets (`Target.kind`) and the row's data (`Normalised.added`).
    name: str = ""

    def column(self, text: str) -> str | None:
        """The key of the column whose header is `text` (normalised with `norm`), or None when not ours."""
        return None

    def cell(self, data: dict, key: str, value: str) -> None:
        """Read one non-empty cell (`value`, stripped) of the column `key` into the row's `data`."""

    def finish(self, data: dict) -> dict:
        """What the row's cells add to its content hash, by field name ({} when nothing)."""
        return data

    def rows(self, fields: dict) -> list[tuple]:
        """The rows to store for one response version, from what `finish` gave."""
        return []

    def required(self) -> list[tuple[str, str]]:
        """(key, header) of each column the checklist's form has now: required in an export when the lock
        records no form version (every question of a form is on its response sheet)."""
        return []

    def write(self, conn, rows: list[tuple]) -> None:
        """Insert `rows`, each `(inspection_id, version, *row)`, inside the ingest's transaction."""


def version_of(form: LockedForm, submitted_at: dt.datetime) -> FormVersion | None:
    """The form version live when a response was submitted (the latest pushed before it)."""
    live = None
    for version in form.versions:
        if version.pushed is None or version.pushed <= submitted_at:
            live = version
    return live
