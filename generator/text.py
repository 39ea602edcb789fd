"""Text typed into forms, as it leaves the program: stored as written, made safe where it is shown.

- `clean`: control characters (NUL, vertical tab, other C0 and C1 controls) and bidirectional
  overrides/isolates removed, so no output breaks (XLSX refuses them) or shows text in a misleading order.
- `mask_contacts`: personal data in free text masked, one kind after another (`PERSONAL_KINDS`: e-mail
  addresses `z***@***`, ID-card and bank-card numbers, mobile numbers `138****8000` also in Chinese
  numerals, landlines, QQ and WeChat ids, car plates `沪A***45`, room numbers `3栋***`): nothing personal
  from a response reaches the site, its search index, the CSV downloads or the alerts. People's names
  cannot be told from other words reliably: the forms ask not to write them.
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


# ---- the other kinds of personal data (e-mail, cards, phones, QQ, WeChat, plates, rooms);
# digits are ASCII or full-width

def _digits(text: str) -> str:
    """The digits of `text` (full-width ones as 0-9) and an ID card's check character X; nothing else."""
    return "".join(str(int(c)) if c.isdecimal() else "X" for c in text if c.isdecimal() or c in "Xx")


def _keep_ends(first: int, last: int):
    """A masker keeping the first and last digits of the match and starring the ones between."""
    def mask(match: re.Match) -> str:
        digits = _digits(match.group(0))
        return digits[:first] + "*" * (len(digits) - first - last) + digits[-last:]
    return mask


_D = _DIGIT
# ID cards: 6-digit region, birth date 18xx-20xx, 3-digit sequence, check digit (0-9 or X); the old 15-digit
# cards with a 2-digit year
ID_CARD = re.compile(rf"(?<![0-9０-９A-Za-z])[1-9１-９]{_D}{{5}}(?:(?:1[89]|20|１[８９]|２０){_D}{{2}}"
                     rf"(?:0[1-9]|1[0-2]|０[１-９]|１[０-２])(?:[0-2０-２]{_D}|3[01]|３[０１]){_D}{{3}}[0-9０-９Xx]"
                     rf"|{_D}{{2}}(?:0[1-9]|1[0-2])(?:[0-2]{_D}|3[01]){_D}{{3}})(?![0-9０-９A-Za-z])")
# bank cards: 16 to 19 digits, written together or in groups of four
BANK_CARD = re.compile(rf"(?<![0-9０-９+＋\-])[1-9１-９]{_D}{{3}}(?:[ \-]?{_D}{{4}}){{2}}[ \-]?{_D}{{4}}"
                       rf"(?:[ \-]?{_D}{{1,3}})?(?![0-9０-９])")
# mobiles in Chinese numerals (一三八零零一三八零零零, 幺三八…), Arabic digits mixed in
_NUMERALS = "零〇○一幺壹二两贰三叁四肆五伍六陆七柒八捌九玖"
_NUMERAL_VALUES = dict(zip(_NUMERALS, "000" "111" "222" "33" "44" "55" "66" "77" "88" "99"))
_NUMERAL = f"[{_NUMERALS}0-9０-９]"
CHINESE_MOBILE = re.compile(rf"(?<![{_NUMERALS}0-9０-９])[一幺壹1１](?:[\s\-]?[三叁四肆五伍六陆七柒八捌九玖3-9３-９])"
                            rf"(?:[\s\-]?{_NUMERAL}){{9}}(?!{_NUMERAL})")
# landlines with an area code: 021-64381234, 0571 8888 6666, (021)6438-1234; without one after a word
# that says it is a phone number (电话 64381234)
LANDLINE = re.compile(rf"(?<![0-9０-９])[(（]?(0[1-9１-９]{_D}{{1,2}}|０[１-９]{_D}{{1,2}})[)）]?[\s\-－]?"
                      rf"({_D}{{3,4}})[\s\-－]?({_D}{{4}})(?![0-9０-９])")
LOCAL_LINE = re.compile(rf"((?:电话|座机|固话|[Tt][Ee][Ll])\s*[:：]?\s*)"
                        rf"({_D}{{3,4}})[\s\-－]?({_D}{{4}})(?![0-9０-９])")
# QQ numbers and WeChat ids exist only next to their name: the name stays, the id goes
QQ = re.compile(rf"((?:QQ|qq|Qq|扣扣|企鹅)\s*号?\s*(?:是|为)?\s*[:：]?\s*)[1-9１-９]{_D}{{4,11}}(?![0-9０-９])")
WECHAT = re.compile(r"((?:微信|威信|薇信|V信|v信|VX|vx|Vx|WX|wx|wechat|WeChat|Wechat|weixin)\s*号?\s*(?:是|为)?\s*"
                    r"(?:ID|id)?\s*[:：]?\s*)[A-Za-z][A-Za-z0-9_\-]{5,19}(?![A-Za-z0-9_\-])")
# car plates: province, issuing office letter, then five (six for new-energy) letters or digits;
# the province, the office and the last two stay (沪A***45)
CAR_PLATE = re.compile(r"([京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼])\s?([A-HJ-NP-Za-hj-np-z])"
                       r"\s?[·•.\-]?\s?[A-HJ-NP-Za-hj-np-z0-9]{3,4}([A-HJ-NP-Za-hj-np-z0-9]{2})(?![A-Za-z0-9])")
# room numbers: the building stays, unit and room go (3栋2单元501 -> 3栋***, 5号楼1203室 -> 5号楼***,
# 3-2-501 -> 3-***); a room alone (501室) -> ***室
ROOM = re.compile(rf"((?<![0-9０-９月])(?:{_D}{{1,3}}|[A-Za-z])\s*(?:栋|幢|号楼|座|号|楼)\s*)"
                  rf"(?:{_D}{{1,2}}\s*单元\s*)?{_D}{{3,4}}(?![0-9０-９])(?!\s*(?:平|㎡|米|元|个|次|人|分|处|件|天|台|户"
                  r"|年))"
                  r"(?:\s*(?:室|号|房))?")
DASHED_ROOM = re.compile(rf"(?<![0-9０-９\-])({_D}{{1,2}}-)(?!{_D}{{1,2}}-(?:19|20){_D}{{2}}(?![0-9]))"
                         rf"{_D}{{1,2}}-{_D}{{3,4}}(?:\s*室)?(?![0-9０-９\-])")
ROOM_ALONE = re.compile(rf"(?<![0-9０-９*])({_D}{{3,4}})\s*室")


def _mask_chinese_mobile(match: re.Match) -> str:
    digits = "".join(_NUMERAL_VALUES.get(c) or (str(int(c)) if c.isdecimal() else "") for c in match.group(0))
    return f"{digits[:3]}****{digits[-4:]}"


def _after_name(match: re.Match) -> str:
    return f"{match.group(1)}***"


def _mask_landline(match: re.Match) -> str:
    return f"{_digits(match.group(1))}-****{_digits(match.group(3))}"


# (kind, pattern, replacement), applied in this order: numbers that hold a mobile's digits (ID and bank
# cards) before the mobile, the keyword kinds after the numbers they might hold
PERSONAL_KINDS = (
    ("ID_CARD", ID_CARD, _keep_ends(4, 4)),
    ("BANK_CARD", BANK_CARD, _keep_ends(4, 4)),
    ("MOBILE", PHONE, _mask_phone),
    ("CHINESE_MOBILE", CHINESE_MOBILE, _mask_chinese_mobile),
    ("LANDLINE", LANDLINE, _mask_landline),
    ("LOCAL_LINE", LOCAL_LINE, lambda m: f"{m.group(1)}****{_digits(m.group(3))}"),
    ("QQ", QQ, _after_name),
    ("WECHAT", WECHAT, _after_name),
    ("CAR_PLATE", CAR_PLATE, lambda m: f"{m.group(1)}{m.group(2).upper()}***{m.group(3).upper()}"),
    ("ROOM", ROOM, lambda m: f"{m.group(1).rstrip()}***"),
    ("DASHED_ROOM", DASHED_ROOM, lambda m: f"{m.group(1)}***"),
    ("ROOM_ALONE", ROOM_ALONE, lambda m: "***室"),
)
_NUMERAL_CHARS = "零〇○一幺壹二两贰三叁四肆五伍六陆七柒八捌九玖"
# Text that may hold one of the kinds beyond e-mail and mobile: long or grouped digit runs, Chinese numerals
# next to each other or to digits, the words the keyword kinds need, a province before a letter. Most cells
# of a download (times, dates, item codes, scores, names) hold none of these and skip the kinds' patterns.
_MAYBE = re.compile(
    rf"{_D}{{5}}|{_D}{{3,4}}[\s\-－.．]+{_D}{{3,4}}|{_D}-{_D}{{1,2}}-{_D}{{3}}"
    rf"|[{_NUMERAL_CHARS}]{{4}}|[0-9０-９][{_NUMERAL_CHARS}]|[{_NUMERAL_CHARS}][0-9０-９]|[零〇○幺壹两贰叁肆伍陆柒捌玖]"
    r"|[栋幢楼座号室话机Qq扣鹅微威薇信VvXx]|[Tt][Ee][Ll]|[Ww][Ee]"
    r"|[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼]\s?[A-Za-z]")


def mask_contacts(text: str) -> str:
    """Personal data in `text` masked, kind by kind (`PERSONAL_KINDS`); everything else as written.

    E-mail addresses `z***@***`; ID-card and bank-card numbers keep their first and last four digits;
    mobiles (also in Chinese numerals) `138****8000`; landlines `021-****1234`; QQ and WeChat ids `***`
    after their name; car plates `沪A***45`; room numbers keep the building (`3栋***`)."""
    if "@" in text or "＠" in text:
        text = EMAIL.sub(_mask_email, text)
    if _MAYBE.search(text) is None:
        return PHONE.sub(_mask_phone, text)
    for _, pattern, replace in PERSONAL_KINDS:
        text = pattern.sub(replace, text)
    return text


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
