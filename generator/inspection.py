"""The shared vocabulary between forms, printed sheets, ingest and scoring.

Forms are generated with these labels, ingest maps answers back through them,
and scoring reads `Inspection` records. Changing a label here changes new forms;
old labels stay readable through the lock file of each form version.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

# One tap per item: label -> number of findings (None = 不适用, leaves the denominator).
ANSWER_LABELS: dict[str, int | None] = {
    "符合": 0,
    "不符合 1 处": 1,
    "不符合 2 处": 2,
    "不符合 3 处及以上": 3,
    "不适用": None,
}
NOT_APPLICABLE = "不适用"

# Opening page of every checklist form: field key -> question title (also the sheet header).
FIELD_TITLES: dict[str, str] = {
    "project": "项目",
    "role": "角色",
    "inspector": "检查人",
    "date": "检查日期",
}
YES, NO = "是", "否"


def note_title(number: str, title: str) -> str:
    """Title of a section's optional free-text question, e.g. `问题说明（4.2.1 服务场景）`."""
    return f"问题说明（{number} {title}）"


def corrected_title(number: str, title: str) -> str:
    """Title of a section's 已当场纠正 question (procedure 4.1.4)."""
    return f"已当场纠正（{number} {title}）"


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
    corrected: dict[str, bool] = field(default_factory=dict)        # section number -> 已当场纠正
    notes: dict[str, str] = field(default_factory=dict)             # section number -> 问题说明
