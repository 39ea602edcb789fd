"""Text typed into forms, as it leaves the program: stored as written, made safe where it is shown.

- `clean`: control characters (NUL, vertical tab, other C0 and C1 controls) and bidirectional
  overrides/isolates removed, so no output breaks (XLSX refuses them) or shows text in a misleading order.
- `mask_contacts`: e-mail addresses and mainland mobile numbers masked (`z***@***`, `138****8000`):
  nothing personal from a response reaches the site or its search index.
- `spreadsheet_cell`: a CSV cell that Excel could take for a formula (OWASP CSV injection) made inert.

HTML and Markdown escaping of pages is `templating.md_text`, which cleans too.
"""

from __future__ import annotations

import re

# C0 controls but tab, line feed and carriage return; DEL; C1 controls; bidi embeddings, overrides
# (U+202A–U+202E) and isolates (U+2066–U+2069)
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# E-mail addresses as typed on a phone in Chinese: the local part in ASCII or in Chinese characters, `@` or the
# full-width `＠`, domain labels in ASCII or Chinese, dots `.` `．` (and `。` before an ASCII top-level domain)
_LABEL = r"(?:[A-Za-z0-9\-]+|[^\W_\x00-\x7f]+)"
EMAIL = re.compile(r"(?:[A-Za-z0-9._%+\-]+|[^\W_\x00-\x7f]+)[@＠]" + _LABEL + r"(?:[.．。｡]" + _LABEL + r")*"
                   r"(?:[.．。｡][A-Za-z]{2,}|[.．][^\W\d_\x00-\x7f]{2,})")
# 11-digit mainland mobile numbers, also written +86 138 0013 8000, 138-0013-8000, 138.0013.8000,
# 138 - 0013 - 8000, 0086… or in full-width digits (１３８００１３８０００)
_DIGIT = "[0-9０-９]"
PHONE = re.compile(r"(?<![0-9０-９+＋])(?:(?:[+＋]|00|００)?[8８][6６][\s\-－]?)?"
                   rf"([1１][3-9３-９]{_DIGIT}(?:[\s\-.．－‐–—]{{0,3}}{_DIGIT}){{8}})(?![0-9０-９])")
# Excel and LibreOffice start a formula at = + - @ (and after a leading tab or carriage return)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+\-]?\d+(?:\.\d+)?%?")


def clean(text: str) -> str:
    """`text` without control characters and bidi overrides (tab and line breaks stay)."""
    return _CONTROL.sub("", text)


def _mask_email(match: re.Match) -> str:
    return match.group(0)[0] + "***@***"


def _mask_phone(match: re.Match) -> str:
    digits = "".join(str(int(c)) for c in match.group(1) if c.isdecimal())   # full-width digits as 0-9
    return f"{digits[:3]}****{digits[-4:]}"


def mask_contacts(text: str) -> str:
    """E-mail addresses as `z***@***`, mobile numbers as `138****8000`; everything else as written."""
    if "@" in text or "＠" in text:
        text = EMAIL.sub(_mask_email, text)
    return PHONE.sub(_mask_phone, text)


def public_text(value) -> str:
    """A note, comment or name as published on the site: cleaned and with contacts masked."""
    return mask_contacts(clean("" if value is None else str(value)))


def spreadsheet_cell(value):
    """A value for a CSV or XLSX cell: text cleaned, and text that a spreadsheet would run as a formula
    prefixed with `'` (plain numbers such as `-2.5` or `+1.0%` stay as they are)."""
    if not isinstance(value, str):
        return value
    value = clean(value)
    return "'" + value if is_formula_like(value) else value


def is_formula_like(value) -> bool:
    """Would a spreadsheet take this text for a formula?"""
    return isinstance(value, str) and value.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(value)
