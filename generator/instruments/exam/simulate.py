"""Simulated quarterly exam responses, shaped like a Google Forms quiz response sheet.

Deterministic from the seed. Each project sends 6–12 staff; a person's chance to
answer a question right depends on their ability, their project's level and the
question's difficulty (multiple-choice questions are harder: all or nothing).
The Score column is what Google would compute with the form's key: the YAML key,
unless `form_keys` overrides some question's key (to simulate a wrong form).
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from ..patrol.simulate import TIMESTAMP_TITLES, person_name, write_csv
from ...standards import Standards
from .quiz import (CHECKBOX_JOIN, NAME_TITLE, PROJECT_TITLE, QUARTER, key_labels, option_labels, ordered_questions,
                   parse_quarter, question_title, require_exam)

SCORE_TITLES = {"en-US": "Score", "zh-CN": "分数", "zh-TW": "分數", "forms": "分数"}


@dataclass
class ExamSimResponse:
    submitted_at: dt.datetime              # aware, organisation's zone
    project: str                           # project name as the form shows it
    person: str
    answers: dict[str, list[str]] = field(default_factory=dict)   # question id -> chosen labels


def exam_day(quarter: str) -> dt.date:
    """The simulated exam day: the third Thursday of the quarter's middle month."""
    m = QUARTER.match(parse_quarter(quarter))
    month = (int(m["q"]) - 1) * 3 + 2
    first = dt.date(int(m["year"]), month, 1)
    return first + dt.timedelta(days=(3 - first.weekday()) % 7 + 14)


def simulate_exam(standards: Standards, quarter: str, projects: list[str] | None = None,
                  seed: int = 1) -> list[ExamSimResponse]:
    """Responses of every active (or the given) project's staff, sorted by submission time."""
    exam = require_exam(standards)
    rng = random.Random(f"{seed}:exam:{parse_quarter(quarter)}")
    tz = ZoneInfo(standards.organisation.timezone)
    chosen = projects or [p.id for p in standards.organisation.projects if p.active]
    day = exam_day(quarter)
    difficulty = {q.id: rng.uniform(-1.6, 0.6) + (0.7 if q.kind == "multiple" else 0.0) for q in exam.questions}
    out = []
    for pid in chosen:
        level = rng.uniform(-0.6, 1.2)
        for _ in range(rng.randint(6, 12)):
            ability = level + rng.gauss(0, 0.8)
            minute = rng.randint(0, 150)
            at = dt.datetime.combine(day, dt.time(9, 30), tz) + dt.timedelta(minutes=minute, seconds=rng.randint(0, 59))
            response = ExamSimResponse(at, standards.projects[pid].name, person_name(rng))
            for q in exam.questions:
                right = rng.random() < 1 / (1 + math.exp(-(ability - difficulty[q.id])))
                key, labels = key_labels(q), option_labels(q)
                if right:
                    response.answers[q.id] = list(key)
                elif q.kind == "multiple":
                    wrong = list(key)
                    while set(wrong) == set(key) or not wrong:
                        wrong = [o for o in labels if rng.random() < (0.7 if o in key else 0.3)]
                    response.answers[q.id] = [o for o in labels if o in wrong]
                else:
                    response.answers[q.id] = [rng.choice([o for o in labels if o not in key])]
            out.append(response)
    out.sort(key=lambda r: (r.submitted_at, r.project, r.person))
    return out


def _form_points(standards: Standards, r: ExamSimResponse, form_keys: dict[str, list[str]]) -> float:
    total = 0.0
    for q in require_exam(standards).questions:
        key = form_keys.get(q.id, key_labels(q))
        chosen = r.answers.get(q.id, [])
        ok = set(chosen) == set(key) if q.kind == "multiple" else (len(chosen) == 1 and chosen[0] in key)
        total += q.points if ok else 0.0
    return total


def exam_sheet_values(standards: Standards, quarter: str, responses: list[ExamSimResponse], *,
                      locale: str = "zh-CN", form_keys: dict[str, list[str]] | None = None) -> list[list]:
    """Header plus one row per response as the quiz's response sheet holds them (Score as '8 / 10')."""
    exam = require_exam(standards)
    questions = ordered_questions(exam)
    names = standards.organisation.publish_names
    total = sum(q.points for q in exam.questions)
    header = [TIMESTAMP_TITLES[locale], SCORE_TITLES[locale], PROJECT_TITLE] + ([NAME_TITLE] if names else [])
    header += [question_title(n, q) for n, q in enumerate(questions, 1)]
    rows: list[list] = [header]
    for r in responses:
        points = _form_points(standards, r, form_keys or {})
        row = [r.submitted_at.replace(tzinfo=None),
               f"{points:g} / {total:g}", r.project] + ([r.person] if names else [])
        row += [CHECKBOX_JOIN.join(r.answers.get(q.id, [])) for q in questions]
        rows.append(row)
    return rows


def write_exam_csv(path: Path | str, values: list[list], *, locale: str = "zh-CN", encoding: str = "utf-8") -> Path:
    """Write the rows as a Sheets/Forms CSV export in `locale`'s format."""
    return write_csv(path, values, locale=locale, encoding=encoding)


def write_simulated_exam(standards: Standards, quarter: str, path: Path | str, *, seed: int = 1,
                         projects: list[str] | None = None, locale: str = "zh-CN") -> Path:
    """Simulate one quarter's quiz responses and write them as a response-sheet CSV (for `handbook demo`)."""
    responses = simulate_exam(standards, quarter, projects, seed)
    return write_exam_csv(path, exam_sheet_values(standards, quarter, responses, locale=locale), locale=locale)
