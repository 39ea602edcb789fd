"""Cell values to times and dates: Sheets serial numbers and every export locale's text.

Google Sheets stores date-times as serial numbers (days since 1899-12-30) in the
spreadsheet's own time zone; exports print them in the spreadsheet's locale:
en-US `4/27/2021 11:02:10`, zh-CN `2025-12-5 下午01:14:13`, zh-TW `2026/4/25 下午3:57:31`,
Forms' own CSV `2017/06/14 1:34:49 下午 GMT+8`.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

SERIAL_EPOCH = dt.datetime(1899, 12, 30)

_AM = {"上午", "AM", "am", "a.m.", "午前"}
_PM = {"下午", "PM", "pm", "p.m.", "午後"}
_MARK = r"上午|下午|午前|午後|AM|PM|am|pm|a\.m\.|p\.m\."
_DATE = r"(?:(?P<y1>\d{4})[-/.年](?P<m1>\d{1,2})[-/.月](?P<d1>\d{1,2})日?|(?P<a>\d{1,2})/(?P<b>\d{1,2})/(?P<y2>\d{4}))"
_TIME = (rf"(?:[ T]+(?P<mark1>{_MARK})?\s*(?P<h>\d{{1,2}}):(?P<mi>\d{{2}})(?::(?P<s>\d{{2}})(?:\.(?P<frac>\d+))?)?"
         rf"\s*(?P<mark2>{_MARK})?\s*(?P<zone>(?:GMT|UTC)(?:[+-]\d{{1,2}}(?::?\d{{2}})?)?|Z|[+-]\d{{2}}:?\d{{2}})?)?")
_PATTERN = re.compile(rf"^\s*{_DATE}{_TIME}\s*$")
_NOT_ISO = re.compile(r"[/午年AaPp]")   # never in ISO 8601 text: skip trying it (a failed try costs an exception)
# Google's zh-CN export (2026-1-5 上午09:07:41): the general pattern reads it too, at twice the cost per row
_ZH_EXPORT = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2}) (上午|下午)(\d{1,2}):(\d{2}):(\d{2})")
_ZONE = re.compile(r"^(?:GMT|UTC)?(?P<sign>[+-])(?P<h>\d{1,2})(?::?(?P<m>\d{2}))?$")


def from_serial(serial: float) -> dt.datetime:
    """A naive date-time from a Sheets/Excel serial number, rounded to the second."""
    if isinstance(serial, bool) or not 0 < serial < 2958466:  # 9999-12-31
        raise ValueError(f"not a date serial number: {serial!r}")
    return SERIAL_EPOCH + dt.timedelta(seconds=round(serial * 86400))


def _zone(text: str | None, default: dt.tzinfo) -> dt.tzinfo:
    if not text or text in ("GMT", "UTC", "Z"):
        return dt.timezone.utc if text else default
    m = _ZONE.match(text)
    if not m:
        raise ValueError(f"unknown time zone {text!r}")
    offset = dt.timedelta(hours=int(m["h"]), minutes=int(m["m"] or 0))
    return dt.timezone(-offset if m["sign"] == "-" else offset)


def _parse_text(text: str, tz: dt.tzinfo, order: str | None = None) -> tuple[dt.datetime, bool]:
    """(aware date-time, whether the text had a time part). `order` ("dmy" or "mdy", decided per file
    from all its rows) reads `a/b/yyyy`; without it a first number over 12 is the day, else the month."""
    if not _NOT_ISO.search(text):
        try:  # ISO 8601 first: 2026-11-20T09:15:00+08:00, 2026-11-20 09:15:00
            value = dt.datetime.fromisoformat(text.strip())
            has_time = len(text.strip()) > 10
            return (value if value.tzinfo else value.replace(tzinfo=tz)), has_time
        except ValueError:
            pass
    if (zh := _ZH_EXPORT.fullmatch(text)) is not None:   # as the general pattern reads it, below
        year_, month_, day_, mark, hour_, minute_, second_ = zh.groups()
        hour = int(hour_)
        if hour > 12:
            raise ValueError(f"hour {hour} with {mark} in {text!r}")
        if mark == "下午" and hour < 12:
            hour += 12
        elif mark == "上午" and hour == 12:
            hour = 0
        return dt.datetime(int(year_), int(month_), int(day_), hour, int(minute_), int(second_), tzinfo=tz), True
    m = _PATTERN.match(text)
    if not m:
        raise ValueError(f"unrecognised date or time {text!r}")
    if m["y1"]:
        year, month, day = int(m["y1"]), int(m["m1"]), int(m["d1"])
    else:  # en-US month/day/year, en-GB day/month/year
        a, b = int(m["a"]), int(m["b"])
        if order == "dmy":
            day, month = a, b
        elif order == "mdy":
            month, day = a, b
        else:
            month, day = (b, a) if a > 12 else (a, b)
        year = int(m["y2"])
    hour = minute = second = micro = 0
    if m["h"] is not None:
        hour, minute, second = int(m["h"]), int(m["mi"]), int(m["s"] or 0)
        micro = int((m["frac"] or "0")[:6].ljust(6, "0"))
        mark = m["mark1"] or m["mark2"]
        if mark:
            if hour > 12:
                raise ValueError(f"hour {hour} with {mark} in {text!r}")
            if mark in _PM and hour < 12:
                hour += 12
            elif mark in _AM and hour == 12:
                hour = 0
    value = dt.datetime(year, month, day, hour, minute, second, micro)
    return value.replace(tzinfo=_zone(m["zone"], tz)), m["h"] is not None


def parse_datetime(value, source_tz: dt.tzinfo, target_tz: ZoneInfo, order: str | None = None) -> dt.datetime:
    """A submission time in `target_tz`: serial numbers and naive values are in `source_tz`."""
    if isinstance(value, dt.datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=source_tz)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        aware = from_serial(value).replace(tzinfo=source_tz)
    elif isinstance(value, str) and value.strip():
        aware, has_time = _parse_text(value, source_tz, order)
        if not has_time:
            raise ValueError(f"no time of day in {value!r}")
    else:
        raise ValueError(f"not a time: {value!r}")
    aware = aware.astimezone(target_tz)
    if aware.microsecond:  # exports show whole seconds; keep sheets and files comparable
        aware = (aware + dt.timedelta(microseconds=500_000)).replace(microsecond=0)
    return aware


_SECONDS = re.compile(r"\d:\d{2}:\d{2}")


def has_seconds(value) -> bool:
    """Whether a time cell gives its seconds (Excel re-saves `2026/9/14 9:07`; serial numbers always do)."""
    return not isinstance(value, str) or _SECONDS.search(value) is not None


def parse_date(value, source_tz: dt.tzinfo, order: str | None = None) -> dt.date:
    """A calendar date (a date question's answer)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return from_serial(value).date()
    if isinstance(value, str) and value.strip():
        key = (value, source_tz, order)
        day = _DATES.get(key)
        if day is None:   # a date column repeats a few hundred texts: parse each once
            day = _parse_text(value, source_tz, order)[0].date()
            if len(_DATES) > 20_000:
                _DATES.clear()
            _DATES[key] = day
        return day
    raise ValueError(f"not a date: {value!r}")


_DATES: dict[tuple, dt.date] = {}

# `a/b/yyyy` at the start of a cell: a date whose order (day or month first) the file decides
SLASH_DATE = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/\d{4}(?!\d)")
DATE_ORDERS = ("dmy", "mdy", "ymd")


def date_order_evidence(cells) -> tuple[str | None, str | None, str | None]:
    """(a cell only day-first can read, a cell only month-first can read, any `a/b/yyyy` cell) among
    `cells`, None for each not found."""
    dmy = mdy = seen = None
    for cell in cells:
        if type(cell) is not str or not cell[:1].isdigit():
            continue
        m = SLASH_DATE.match(cell)
        if m is None:
            continue
        a, b = int(m[1]), int(m[2])
        seen = seen or cell
        if a > 12 >= b:
            dmy = dmy or cell
        elif b > 12 >= a:
            mdy = mdy or cell
    return dmy, mdy, seen
