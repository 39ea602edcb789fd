"""Simulated form responses: deterministic from a seed, shaped like a Google Forms response sheet.

`simulate` makes responses for one checklist over a date range and a list of
projects: 客服主管 about twice a day, 项目经理 about once, some patrols missed,
some projects better than others, some 不适用, rare 红线 findings, occasional
已当场纠正 and 问题说明; 客户关系部 spot checks one or two a month per project.
`sheet_values` lays them out as a response sheet (typed cells, for the fake
Sheets server); `write_csv` exports them in a locale's format and an encoding.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from ...inspection import (COMPLIANT, FIELD_TITLES, NOT_APPLICABLE, corrected_items_title, findings_to_empty,
                           found_label, note_title)
from ..questioning.grid import grid_cells, grid_header, simulate_questioning, uses_questioning

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明", "超",
         "秀英", "霞", "平"]
# The random stream draws a note as an index below these numbers (the sizes of the first, per-section note
# lists), so the simulated responses stay as they were; the note itself is one of ITEM_NOTES' of an item found.
NOTE_DRAW = {"4.2.1": 4, "4.2.2": 4, "4.2.3": 2, "4.2.4": 2}
# 问题说明 the simulator writes: each names what was found on one of the section's failed items
ITEM_NOTES = {
    "4.2.1.1-a": ["前台桌面堆放文件和杂物", "办公桌上有未收起的快递包裹"],
    "4.2.1.1-b": ["下班后桌面未清理，座椅未归位"],
    "4.2.1.1-c": ["雨伞未放入伞架", "外套搭在椅背上", "纸篓已满未及时清倒"],
    "4.2.1.2-a": ["地面有水渍，已通知保洁", "前台地面有纸屑"],
    "4.2.1.2-b": ["打印机和屏风表面有灰尘"],
    "4.2.1.2-c": ["文件柜顶部堆放纸箱", "文件柜内资料摆放杂乱"],
    "4.2.1.2-d": ["发现员工在办公区随地吐痰"],
    "4.2.1.2-e": ["窗台积尘较多", "玻璃门有明显手印污迹"],
    "4.2.1.2-f": ["当日卫生值日表未填写"],
    "4.2.2.1-x1": ["未佩戴工牌", "工服不整洁"],
    "4.2.2.1-x2": ["客户到访时未起身问候"],
    "4.2.2.1-x3": ["接听电话未使用规范用语", "电话铃响超过三声才接听"],
    "4.2.2.1-x4": ["与业主沟通语气生硬，发生争执"],
    "4.2.3.1": ["说不清请假审批流程"],
    "4.2.3.2": ["对新版收费标准不熟悉"],
    "4.2.3.3": ["说不清报修流程时限"],
    "4.2.3.4": ["不清楚小区周边公交线路"],
    "4.2.4.1-x1": ["投诉记录缺少处理结果"],
    "4.2.4.1-x2": ["回访记录未及时填写"],
    "4.2.4.1-x3": ["报修单未记录完工时间"],
}
# 红线 findings are this many times rarer than others of the same difficulty: at 6 (the old rate) 6 of the
# demo's 8 projects failed the quarter; a handful of incidents a quarter across the company is what the
# department sees. The random stream still draws them at STREAM_RARITY and keeps STREAM_RARITY /
# CRITICAL_RARITY of those, so the responses (their number, times, other answers) stay as they were.
STREAM_RARITY = 6
CRITICAL_RARITY = 24
TIMESTAMP_TITLES = {"en-US": "Timestamp", "zh-CN": "时间戳记", "zh-TW": "時間戳記", "forms": "时间戳记"}
LOCALES = tuple(TIMESTAMP_TITLES)
ENCODINGS = ("utf-8", "utf-8-sig", "gb18030")


@dataclass
class SimResponse:
    """One simulated response (names as the form shows them)."""

    submitted_at: dt.datetime          # aware, organisation's zone
    project: str                       # project name
    role: str                          # role name
    inspector: str
    date: dt.date
    answers: dict[str, str] = field(default_factory=dict)      # item code -> label
    # section -> 已当场纠正, drawn once per section as the first forms asked it (the random stream, and so every
    # other answer, stays as it was); the export ticks every finding of a section drawn corrected
    corrected: dict[str, bool] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)        # section -> 问题说明
    email: str = ""
    questioning: dict[str, str] = field(default_factory=dict)  # bank question id -> 答对/部分/答错 (spot checks)
    questioned: str = ""                                       # who was asked


def person_name(rng: random.Random) -> str:
    """A random Chinese full name."""
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _layout(standards, checklist: str):
    """(sections in order as [(number, title, [items])])."""
    items = standards.checklist_items(checklist)
    out = []
    for section in standards.sections:
        chosen = [i for i in items if any(i.code == j.code for j in section.items)]
        if chosen:
            out.append((section.number, section.title, chosen))
    return out


HOSTILE_NOTE = '客户反映<script>alert("x")</script><img src=x onerror=alert(1)> [点我](javascript:alert(1)) {{ 7*7 }}'


def simulate(standards, checklist: str, *, start: dt.date, end: dt.date, projects: list[str] | None = None,
             seed: int = 1, email: bool = False, hostile_note: bool = False) -> list[SimResponse]:
    """Responses for `checklist` from `start` to `end` (inclusive), sorted by submission time.

    With `hostile_note` one note is HTML/Markdown meant to attack the site (the demo shows it stays text).
    """
    tz = ZoneInfo(standards.organisation.timezone)
    spec = standards.checklists[checklist]
    roles = standards.roles
    project_ids = projects or [p.id for p in standards.organisation.projects if p.active]
    layout = _layout(standards, checklist)
    # some items fail far more often than others (what the Pareto chart should show)
    difficulty = {i.code: random.Random(f"{seed}:{i.code}").choice([0.3, 0.5, 0.8, 1.0, 1.5, 2.5, 3.5])
                  for i in standards.checklist_items(checklist)}
    out: list[SimResponse] = []
    for pid in project_ids:
        prng = random.Random(f"{seed}:{checklist}:{pid}")
        quality = prng.uniform(0.35, 0.97)            # some projects are better run than others
        staff = {r: [person_name(prng) for _ in range(2)] for r in spec.roles}
        days = (end - start).days + 1
        for offset in range(days):
            day = start + dt.timedelta(days=offset)
            visits: list[tuple[str, dt.datetime]] = []
            for role in spec.roles:
                if role == "cs_supervisor":
                    n = sum(prng.random() < 0.80 + 0.18 * quality for _ in range(2))
                    slots = [(9, 0), (15, 0)][:n]
                elif role == "project_manager":
                    slots = [(11, 0)] if prng.random() < 0.75 + 0.2 * quality else []
                else:  # crd: one or two spot checks a month, on a random day
                    slots = [(10, 0)] if prng.random() < 1.8 / 30 else []
                for hour, minute in slots:
                    when = dt.datetime.combine(day, dt.time(hour, minute), tz) + \
                        dt.timedelta(minutes=prng.randint(0, 90), seconds=prng.randint(0, 59))
                    visits.append((role, when))
            for role, when in visits:
                strict = 1.3 if role == "crd" else 1.0
                response = SimResponse(
                    submitted_at=when + dt.timedelta(minutes=prng.randint(3, 20), seconds=prng.randint(0, 59)),
                    project=standards.projects[pid].name, role=roles[role].name,
                    inspector=prng.choice(staff[role]), date=day)
                if prng.random() < 0.03:   # filled in the next morning
                    response.submitted_at = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(8, 5), tz) + \
                        dt.timedelta(seconds=prng.randint(0, 3000))
                if email:
                    response.email = f"user{prng.randint(100, 999)}@example.com"
                for number, _title, items in layout:
                    drawn = 0                  # findings the stream drew (it decides the draws that follow)
                    failed: list[str] = []     # items found: a 红线 drawn may be kept compliant (CRITICAL_RARITY)
                    for item in items:
                        p_fail = min(0.6, (0.01 + 0.2 * (1 - quality)) * difficulty[item.code] * strict
                                     / (STREAM_RARITY if item.critical else 1))
                        roll = prng.random()
                        if roll < 0.03:
                            label = NOT_APPLICABLE
                        elif roll < 0.03 + p_fail:
                            count = 1 + min(2, int(prng.random() ** 2 * 3))   # 1–3 findings
                            empty = findings_to_empty(item.points, item.deduction)
                            label = found_label(min(count, empty), empty)   # the form's option for it
                            drawn += 1
                            if item.critical and random.Random(
                                    f"{seed}:{checklist}:{pid}:{when}:{item.code}").random() \
                                    >= STREAM_RARITY / CRITICAL_RARITY:
                                label = COMPLIANT
                            else:
                                failed.append(item.code)
                        else:
                            label = COMPLIANT
                        response.answers[item.code] = label
                    if drawn:
                        if prng.random() < 0.5:
                            corrected = prng.random() < 0.6
                            if failed:
                                response.corrected[number] = corrected
                        if prng.random() < 0.4 and number in NOTE_DRAW:
                            pick = prng.randrange(NOTE_DRAW[number])
                            if failed:
                                response.notes[number] = item_note(failed[pick % len(failed)], pick)
                out.append(response)
    out.sort(key=lambda r: (r.submitted_at, r.project, r.role))
    if _uses_questioning(standards, checklist):  # own random streams: the checklist answers stay as they were
        simulate_questioning(standards, out, seed=seed)
    if hostile_note:
        target = next((r for r in reversed(out) if r.notes), None)
        if target is not None:
            target.notes[next(iter(target.notes))] = HOSTILE_NOTE
    return out


def item_note(code: str, pick: int) -> str:
    """The note about a failed item, naming it (`4.2.2.1-x1：未佩戴工牌`), so that it is shown under that item
    only; `pick` (drawn as before, so the responses stay as they were) chooses among its texts."""
    texts = ITEM_NOTES.get(code) or ["不符合要求"]
    return f"{code}：{texts[pick % len(texts)]}"


def _uses_questioning(standards, checklist: str) -> bool:
    return uses_questioning(standards, standards.checklists[checklist])


def header(standards, checklist: str, *, locale: str = "zh-CN", email: bool = False) -> list[str]:
    """The response sheet's header row, as Google writes it for the generated form."""
    cols = [TIMESTAMP_TITLES[locale]] + (["电子邮件地址" if locale != "en-US" else "Email Address"] if email else [])
    cols += [FIELD_TITLES[k] for k in ("project", "role", "inspector", "date")]
    for number, title, items in _layout(standards, checklist):
        cols += [f"{i.code} {i.short}" for i in items]
        cols += [corrected_items_title(number, title), note_title(number, title)]
    if _uses_questioning(standards, checklist):
        cols += grid_header(standards)
    return cols


def sheet_values(standards, checklist: str, responses: list[SimResponse], *, locale: str = "zh-CN",
                 email: bool = False) -> list[list]:
    """Header plus one row per response, cells typed as a sheet holds them (naive local date-times, dates)."""
    rows: list[list] = [header(standards, checklist, locale=locale, email=email)]
    layout = _layout(standards, checklist)
    grid = grid_cells if _uses_questioning(standards, checklist) else None
    for r in responses:
        row: list = [r.submitted_at.replace(tzinfo=None)] + ([r.email] if email else [])
        row += [r.project, r.role, r.inspector, r.date]
        for number, _title, items in layout:
            row += [r.answers.get(i.code, "") for i in items]
            row += [corrected_cell(r, number, items), r.notes.get(number, "")]
        if grid is not None:
            row += grid(standards, r)
        rows.append(row)
    return rows


def corrected_cell(r: SimResponse, number: str, items) -> str:
    """A response's 已当场纠正的条目 of a section as the sheet joins ticked choices: every finding of the section
    when it was drawn corrected (the choices are the form's: code and short title), else blank."""
    if not r.corrected.get(number):
        return ""
    return ", ".join(f"{i.code} {i.short}" for i in items
                     if r.answers.get(i.code, COMPLIANT) not in (COMPLIANT, NOT_APPLICABLE))


def _twelve(hour: int) -> tuple[str, int]:
    return ("上午" if hour < 12 else "下午"), (hour % 12 or 12)


def format_cell(value, locale: str, offset_hours: int = 8) -> str:
    """A typed cell as the locale's export prints it."""
    if isinstance(value, dt.datetime):
        v = value
        if locale == "en-US":
            return f"{v.month}/{v.day}/{v.year} {v.hour}:{v.minute:02}:{v.second:02}"
        mark, h = _twelve(v.hour)
        if locale == "zh-CN":
            return f"{v.year}-{v.month}-{v.day} {mark}{h:02}:{v.minute:02}:{v.second:02}"
        if locale == "zh-TW":
            return f"{v.year}/{v.month}/{v.day} {mark}{h}:{v.minute:02}:{v.second:02}"
        return f"{v.year}/{v.month:02}/{v.day:02} {h}:{v.minute:02}:{v.second:02} {mark} GMT{offset_hours:+d}"
    if isinstance(value, dt.date):
        v = value
        return {"en-US": f"{v.month}/{v.day}/{v.year}", "zh-CN": f"{v.year}-{v.month}-{v.day}",
                "zh-TW": f"{v.year}/{v.month}/{v.day}"}.get(locale, f"{v.year}/{v.month:02}/{v.day:02}")
    return "" if value is None else str(value)


def csv_text(values: list[list], *, locale: str = "zh-CN") -> str:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(values[0])
    for row in values[1:]:
        writer.writerow([format_cell(v, locale) for v in row])
    return buffer.getvalue()


def write_csv(path: Path | str, values: list[list], *, locale: str = "zh-CN", encoding: str = "utf-8") -> Path:
    """Write header + rows as an export in `locale`'s format and `encoding`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(csv_text(values, locale=locale).encode(encoding))
    return path
