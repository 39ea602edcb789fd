"""Random questioning results (程序 4.4.2.1): the spot-check form's grid, the store reader and knowledge scores.

The department's spot-check form (a checklist whose methods include the questioning
method) gets one more page: who was asked, and a grid with one row per bank question
(`rules-1 员工守则对…`) and the columns 答对 / 部分 / 答错 / 未抽问. The response sheet
has one column per row, `随机抽问结果（4.4.2.1） [rules-1 …]`; ingest maps it by the
id at the start of the row. Knowledge score = Σ score ÷ n asked (答对 1, 部分 0.5, 答错 0
from methods.yaml), with n always shown.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from ...forms.form_spec import stable_id
from ...ingest.columns import EMAIL, GRID, ChecklistColumns, Rejected, norm, short
from ...store import counted, open_store_read_only
from ...standards import Standards

NOT_ASKED = "未抽问"
GRID_TITLE = "随机抽问结果（4.4.2.1）"
STAFF_TITLE = "被抽问人员（4.4.2.1）"
PAGE_TITLE = "4.4.2.1 随机抽问"


def row_title(question) -> str:
    """A grid row's title; ingest maps the column by the id at its start."""
    return f"{question.id} {question.text}"


def uses_questioning(standards: Standards, checklist) -> bool:
    """Whether a checklist's form records random questioning (its methods include the bank's method)."""
    bank = standards.methods_file.questioning
    return bool(bank and checklist.methods and bank.method in checklist.methods)


def questioning_page(standards: Standards, checklist) -> tuple[list[dict], dict[str, dict]]:
    """The form items of the questioning page (page break, who was asked, the grid) and their lock entries."""
    if not uses_questioning(standards, checklist):
        return [], {}
    bank = standards.methods_file.questioning
    columns = [*bank.answers, NOT_ASKED]
    staff_qid = stable_id("question:questioning:staff")
    items = [
        {"itemId": stable_id("page:questioning"), "title": PAGE_TITLE,
         "description": "用 handbook questions draw 抽题（或打印抽问卡），逐题记录结果；"
                        "没有抽到的题不用选（或选“未抽问”）。",
         "pageBreakItem": {}},
        {"itemId": stable_id("item:questioning:staff"), "title": STAFF_TITLE,
         "description": "选填：被抽问的客服人员姓名（不要填写电子邮箱）。",
         "questionItem": {"question": {"questionId": staff_qid, "required": False,
                                       "textQuestion": {"paragraph": False}}}},
        {"itemId": stable_id("item:questioning:grid"), "title": GRID_TITLE,
         "description": "每题一行：" + " / ".join(bank.answers) + "（答题要点见抽问卡）。",
         "questionGroupItem": {
             "questions": [{"questionId": stable_id(f"question:questioning:{q.id}"), "required": False,
                            "rowQuestion": {"title": row_title(q)}} for q in bank.questions],
             "grid": {"columns": {"type": "RADIO", "options": [{"value": c} for c in columns]}}}},
    ]
    questions = {staff_qid: {"field": "questioned", "title": STAFF_TITLE}}
    questions.update({stable_id(f"question:questioning:{q.id}"): {"questioning": q.id,
                                                                   "title": f"{GRID_TITLE} [{row_title(q)}]"}
                      for q in bank.questions})
    return items, questions


# ---------------------------------------------------------------- ingest: the grid's columns

BANK_ID = re.compile(r"^([a-z][a-z0-9_-]*)(?:\s|$)")   # a grid row's title starts with the question id
STAFF = ""                                               # the column key of who was asked


class GridColumns(ChecklistColumns):
    """The questioning page's columns in a checklist's response sheet, read with each row by the patrol ingest.

    `被抽问人员（4.4.2.1）` is who was asked; `随机抽问结果（4.4.2.1） [rules-1 …]` one grid row, mapped by the
    bank question id at its start. A result must be one of the bank's answers (未抽问 and blank: not asked);
    the answers are stored in `questioning_answers` with the inspection's version.
    """

    name = "questioning"

    def __init__(self, bank, on_form: bool = False):
        self.on_form = on_form
        self.ordered = tuple(q.id for q in bank.questions)
        self.questions = frozenset(self.ordered)
        self.answers = tuple(bank.answers)
        self.staff_title = norm(STAFF_TITLE)

    def column(self, text):
        if text == self.staff_title:
            return STAFF
        grid = GRID.match(text)
        if grid and (m := BANK_ID.match(grid["row"])) and m.group(1) in self.questions:
            return m.group(1)
        return None

    def cell(self, data, key, value):
        if key == STAFF:
            if EMAIL.search(value):
                raise Rejected("email_as_name")
            data["questioned"] = value
            return
        if norm(value) == NOT_ASKED:
            return
        if value not in self.answers:
            raise Rejected("not_an_option", f"抽问 {key} 的结果“{short(value)}”不是"
                                            f"{'、'.join([*self.answers, NOT_ASKED])}之一", column=f"抽问 {key}")
        data.setdefault("questioning", {})[key] = value

    def required(self):
        if not self.on_form:
            return []
        return [(STAFF, STAFF_TITLE), *((qid, f"随机抽问 {qid}") for qid in self.ordered)]

    def finish(self, data):
        # in the content hash only when something was recorded: stored hashes of other responses stay valid
        if not data:
            return {}
        return {"questioning": data.get("questioning", {}), "questioned": data.get("questioned", "")}

    def rows(self, fields):
        # (bank question id, answer label, who was asked)
        return [(q, label, fields["questioned"]) for q, label in sorted(fields["questioning"].items())]

    def write(self, conn, rows):
        conn.executemany("INSERT INTO questioning_answers (inspection_id, version, question, result, staff) "
                         "VALUES (?, ?, ?, ?, ?)", rows)


def grid_columns(standards: Standards, checklist_id: str | None = None) -> GridColumns | None:
    """The grid's columns as the ingest reads them (any checklist's sheet may carry them), None without a bank;
    required in an export only of a checklist whose form has the grid (`uses_questioning`)."""
    bank = standards.methods_file.questioning
    if not bank:
        return None
    spec = standards.checklists.get(checklist_id) if checklist_id else None
    return GridColumns(bank, on_form=bool(spec and uses_questioning(standards, spec)))


# ---------------------------------------------------------------- the store

@dataclass(frozen=True)
class Asked:
    """One bank question asked during a spot check, and how it was answered."""

    inspection_id: str
    project: str
    date: dt.date
    inspector: str
    staff: str            # who was asked, as typed ('' when not given)
    question: str         # bank question id
    result: str           # answer label, e.g. 答对


def read_questioning(db_path: Path | str) -> list[Asked]:
    """Every questioning answer of the current version of each stored inspection (not gone)."""
    conn = open_store_read_only(db_path)
    try:
        if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'questioning_answers'").fetchone():
            return []
        rows = conn.execute(f"""
            SELECT q.inspection_id, v.project, v.date, v.inspector, q.staff, q.question, q.result
            FROM questioning_answers q
            JOIN inspections i ON i.id = q.inspection_id AND q.version = i.current_version AND {counted(conn)}
            JOIN versions v ON v.inspection_id = i.id AND v.version = i.current_version
            ORDER BY v.date, q.inspection_id, q.question""").fetchall()
    finally:
        conn.close()
    return [Asked(iid, project, dt.date.fromisoformat(date), inspector, staff, question, result)
            for iid, project, date, inspector, staff, question, result in rows]


# ---------------------------------------------------------------- scores

@dataclass(frozen=True)
class Knowledge:
    """Σ score over n questions asked; percent = Σ ÷ n × 100."""

    score: float
    n: int
    right: int = 0
    partly: int = 0
    wrong: int = 0

    @property
    def percent(self) -> float | None:
        return self.score / self.n * 100 if self.n else None


def knowledge(standards: Standards, asked: Iterable[Asked]) -> Knowledge:
    """Pool answers into one score (答对 1, 部分 0.5, 答错 0 by methods.yaml; unknown labels ignored)."""
    values = standards.methods_file.questioning.answers
    labels = list(values)
    score, n, counts = 0.0, 0, [0, 0, 0]
    for a in asked:
        if a.result not in values:
            continue
        score += values[a.result]
        n += 1
        position = labels.index(a.result)
        if position < 3:
            counts[position] += 1
    return Knowledge(score, n, *counts)


def knowledge_by(standards: Standards, asked: Iterable[Asked], key) -> dict:
    groups: dict = defaultdict(list)
    for a in asked:
        groups[key(a)].append(a)
    return {k: knowledge(standards, v) for k, v in groups.items()}


def topic_of(standards: Standards):
    topics = {q.id: q.topic for q in standards.methods_file.questioning.questions}
    return lambda a: topics.get(a.question, "（题库已删除的题目）")


# ---------------------------------------------------------------- simulator

def simulate_questioning(standards: Standards, responses: list, *, seed: int = 1, n: int = 5) -> list:
    """Add questioning results to simulated spot-check responses (`simulate.SimResponse`), in place.

    Each response gets a drawn set of `n` questions (as `questions draw` would) answered by
    one of two staff per project; returns the responses. `sim_grid_cells` lays them out.
    """
    from .draw import draw_questions   # the draw loads the PDF printer: an ingest reading the grid never needs it

    bank = standards.methods_file.questioning
    if bank is None:
        return responses
    labels = list(bank.answers)
    by_name = {p.name: p.id for p in standards.organisation.projects}
    for i, r in enumerate(responses):
        pid = by_name.get(r.project, r.project)
        rng = random.Random(f"{seed}:questioning:{pid}:{i}")
        skill = random.Random(f"{seed}:skill:{pid}").uniform(0.4, 0.95)
        _, drawn = draw_questions(standards, pid, min(n, len(bank.questions)), rng.randrange(10**6))
        answers = {}
        for q in drawn:
            roll = rng.random()
            answers[q.id] = labels[0] if roll < skill else (labels[1] if roll < skill + (1 - skill) / 2 else labels[2])
        r.questioning = answers
        r.questioned = random.Random(f"{seed}:staff:{pid}").choice(["陈晓", "林芳", "周敏"]) if rng.random() < 0.8 \
            else ""
    return responses


def grid_header(standards: Standards) -> list[str]:
    """The response sheet's columns for the questioning page (after the checklist's own columns)."""
    bank = standards.methods_file.questioning
    return [STAFF_TITLE] + [f"{GRID_TITLE} [{row_title(q)}]" for q in bank.questions]


def grid_cells(standards: Standards, response) -> list[str]:
    bank = standards.methods_file.questioning
    answers = getattr(response, "questioning", {}) or {}
    return [getattr(response, "questioned", "") or ""] + [answers.get(q.id, "") for q in bank.questions]
