"""The shared vocabulary between forms, printed sheets, ingest and scoring.

Forms are generated with these labels, ingest maps answers back through them,
and scoring reads `Inspection` records. Changing a label here changes new forms;
old labels stay readable through the lock file of each form version.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

# The answer labels of the first form version: the same five options on every item, by position
# label -> number of findings (None = 不适用, leaves the denominator). Forms are now built with
# `answer_options` (per item, up to the count that empties it); these labels keep their meaning
# (`不符合 3 处及以上` is 3 findings) for responses to forms built with them.
ANSWER_LABELS: dict[str, int | None] = {
    "符合": 0,
    "不符合 1 处": 1,
    "不符合 2 处": 2,
    "不符合 3 处及以上": 3,
    "不适用": None,
}
COMPLIANT = "符合"
NOT_APPLICABLE = "不适用"
KNOWN_COUNTS = 100   # labels up to this count are read without a lock file (`known_answers`)


def findings_to_empty(points: float, deduction: float) -> int:
    """The fewest findings that bring an item to 0 points (扣完为止): ⌈points ÷ deduction⌉, at least 1."""
    return max(1, math.ceil(points / deduction - 1e-9))


def found_label(count: int, empty: int) -> str:
    """The option for `count` findings on an item emptied by `empty` findings."""
    return f"不符合 {count} 处及以上（扣完）" if count >= empty else f"不符合 {count} 处"


def answer_options(points: float, deduction: float) -> dict[str, int | None]:
    """One item's options, label -> findings: 符合, 不符合 1 处 … up to the count that empties it, 不适用.

    A 5-point item with 1 point per finding: 符合 / 不符合 1 处 … 不符合 4 处 / 不符合 5 处及以上（扣完） / 不适用.
    """
    empty = findings_to_empty(points, deduction)
    out: dict[str, int | None] = {COMPLIANT: 0}
    for count in range(1, empty + 1):
        out[found_label(count, empty)] = count
    out[NOT_APPLICABLE] = None
    return out


def version_answers(options, answers=None) -> dict[str, int | None]:
    """What a recorded form version's labels mean: its `answers` (label -> findings) when recorded,
    else its `options` by position in `ANSWER_LABELS` (form versions recorded before per-item options)."""
    if answers:
        return {str(k): (None if v is None else int(v)) for k, v in answers.items()}
    return dict(zip((str(o) for o in options), ANSWER_LABELS.values()))


def known_answers() -> dict[str, int | None]:
    """Every label a form built by this program carries or carried, label -> findings."""
    out = dict(ANSWER_LABELS)
    for count in range(1, KNOWN_COUNTS + 1):
        out.setdefault(f"不符合 {count} 处", count)
        out[f"不符合 {count} 处及以上（扣完）"] = count
    return out

PERCENT_DIGITS = 1   # every percentage is printed with one decimal: 89.97 -> 90.0


def printed(value: float | None, digits: int = PERCENT_DIGITS) -> float | None:
    """`value` rounded half up, once, to the printed precision (89.95 -> 90.0, never banker's 89.9):
    grades, thresholds and changes are all taken from this printed value."""
    if value is None:
        return None
    exact = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    return float(exact) + 0.0   # never -0.0


def printed_percent(part: float, whole: float, digits: int = PERCENT_DIGITS) -> float | None:
    """part / whole × 100 as printed: computed in decimal, rounded half up once; None when `whole` is 0."""
    if whole <= 0:
        return None
    exact = Decimal(repr(float(part))) * 100 / Decimal(repr(float(whole)))
    return float(exact.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))


# Opening page of every checklist form: field key -> question title (also the sheet header).
FIELD_TITLES: dict[str, str] = {
    "project": "项目",
    "role": "角色",
    "inspector": "检查人",
    "date": "检查日期",
}
YES, NO = "是", "否"

# What a daily patrol records besides the items (程序 4.5.1, 4.5.2: rounds a day; 4.6.3-a: the person at
# fault). Optional on the form and the sheet; ingest keeps the answers with the response as given.
PATROL_FIELDS: dict[str, str] = {
    "period": "巡查时段",
    "round": "当天第几次巡查",
    "time": "巡查时间",
    "at_fault": "被检查人员",
}
PERIODS = ("上午", "下午")


def round_label(n: int) -> str:
    """The answer for a patrol's round of the day, e.g. `第 2 次`."""
    return f"第 {n} 次"


def note_title(number: str, title: str) -> str:
    """Title of a section's optional free-text question, e.g. `问题说明（4.2.1 服务场景）`."""
    return f"问题说明（{number} {title}）"


def corrected_title(number: str, title: str) -> str:
    """Title of a section's 已当场纠正 question (是/否) of the first form versions (procedure 4.1.4)."""
    return f"已当场纠正（{number} {title}）"


def corrected_items_title(number: str, title: str) -> str:
    """Title of a section's optional checkbox question listing its items: the findings corrected on the spot
    (procedure 4.1.4), one tick per finding as the printed sheet's 当场纠正 column, e.g.
    `已当场纠正的条目（4.2.1 服务场景）`."""
    return f"已当场纠正的条目（{number} {title}）"


def corrected_on_site(corrected: dict[str, bool], code: str, section: str | None) -> bool | None:
    """Whether a finding on `code` was corrected on the spot: its own answer (forms that ask per finding), else
    its section's (the first form versions asked once per section: that answer holds for each finding of the
    section); None when neither was answered."""
    if code in corrected:
        return corrected[code]
    if section and section in corrected:
        return corrected[section]
    return None


def corrected_by_section(corrected: dict[str, bool], code: str, section: str | None) -> bool:
    """Whether a finding's 当场纠正 comes from its section's answer (a first form version), not its own."""
    return code not in corrected and bool(section) and section in corrected


@dataclass(frozen=True)
class Inspection:
    """One filled checklist, normalised: what scoring reads from the store."""

    id: str                      # stable response key (e.g. sheet key + submission timestamp)
    checklist: str               # checklist id, e.g. "daily-patrol"
    project: str                 # project id from organisation.yaml
    role: str                    # role id, e.g. "cs_supervisor"
    inspector: str               # name as typed (never an e-mail address)
    date: dt.date                # the inspection date (organisation's time zone)
    submitted_at: dt.datetime    # when the response was submitted (aware, organisation's tz)
    form_version: str = ""
    findings: dict[str, int | None] = field(default_factory=dict)   # item code -> findings; None = 不适用
    # item code -> 当场纠正 (forms asking per finding), or section number -> 已当场纠正 (first form versions):
    # read it through `corrected_on_site`
    corrected: dict[str, bool] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)             # section number -> 问题说明


def data_end(inspections, default: dt.date | None = None) -> dt.date | None:
    """The day the data reaches ("数据截至"): the latest submission, never a typed 检查日期 (a date typed a
    year off must not move the report week, the missed patrols or the quarter)."""
    return max((i.submitted_at.date() for i in inspections), default=default)
