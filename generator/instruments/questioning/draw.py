"""Random questioning of staff (程序 4.4.2.1): reproducible draws from the YAML bank.

Ad hoc, `handbook questions draw` picks a set (a new seed each time, printed to reproduce it).
The site publishes a card per project each week (`write_weekly_cards`): its seed is the ISO
week (2026 week 47 → 202647), so the same project and week always give the same questions.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
from pathlib import Path

from ...errors import HandbookError
from ...messages import Msg
from ...model import BankQuestion
from ...printing.pdf import PDF_VARIANT
from ...standards import Standards
from ...printing.fonts import font_faces, subset_first
from ...printing.pdf import render_pdfs
from ...templating import render

DRAW_COUNT = 5          # questions a draw has unless told otherwise (the spot-check sheet has as many rows)
WEEKLY_CARD = "print/questioning-{project}.pdf"



def draw_questions(s: Standards, project: str, n: int, seed: int | None = None
                   ) -> tuple[int, list[BankQuestion]]:
    """Draw `n` different questions for `project` (its id or name); the same (project, seed) gives the same set.

    Topics are spread first: no topic repeats before every topic has been drawn once.
    Returns the seed used (a new one when none was given) and the questions.
    """
    bank = s.methods_file.questioning
    if bank is None:
        raise HandbookError(Msg.NO_QUESTION_BANK())
    project = s.find_project(project)   # an id or a Chinese name; one line listing every project otherwise
    if not 1 <= n <= len(bank.questions):
        raise HandbookError(Msg.BAD_DRAW_COUNT(count=len(bank.questions)))
    seed = secrets.randbelow(10**6) if seed is None else seed
    rnd = random.Random(f"{project}:{seed}")
    by_topic: dict[str, list[BankQuestion]] = {}
    for q in bank.questions:
        by_topic.setdefault(q.topic, []).append(q)
    for questions in by_topic.values():
        rnd.shuffle(questions)
    topics = sorted(by_topic)
    rnd.shuffle(topics)
    drawn: list[BankQuestion] = []
    while len(drawn) < n:
        for topic in topics:
            if by_topic[topic] and len(drawn) < n:
                drawn.append(by_topic[topic].pop())
    return seed, drawn


def render_card(s: Standards, project: str, seed: int, questions: list[BankQuestion], *, week: str = "") -> str:
    """The printable questioning card as HTML (`week`: the weekly card's week, e.g. 2026 年第 47 周)."""
    return render("methods/card.html", organisation=s.organisation.name, project=s.projects[project].name,
                  project_id=project, seed=seed, questions=questions, week=week,
                  answers=list(s.methods_file.questioning.answers))


def week_seed(day: dt.date) -> int:
    """The seed of the week holding `day`: ISO year × 100 + ISO week (2026-11-18 → 202647)."""
    iso = day.isocalendar()
    return iso.year * 100 + iso.week


def week_label(day: dt.date) -> str:
    """`2026 年第 47 周（11 月 16 日–11 月 22 日）`."""
    iso = day.isocalendar()
    monday = day - dt.timedelta(days=iso.weekday - 1)
    sunday = monday + dt.timedelta(days=6)
    return (f"{iso.year} 年第 {iso.week} 周（{monday.month} 月 {monday.day} 日–"
            f"{sunday.month} 月 {sunday.day} 日）")


def weekly_card_path(project: str) -> str:
    """Docs-relative path of a project's weekly card (the same file each week, so links stay put)."""
    return WEEKLY_CARD.format(project=project)


def weekly_draw(s: Standards, project: str, day: dt.date, n: int = DRAW_COUNT) -> tuple[int, list[BankQuestion]]:
    """The week's draw for a project: `draw_questions` with the week's seed (what the card prints)."""
    return draw_questions(s, project, min(n, len(s.methods_file.questioning.questions)), week_seed(day))


def write_weekly_cards(s: Standards, docs_dir: Path, day: dt.date, *, cache_dir: Path | None = None) -> list[str]:
    """Write every active project's card for the week of `day` as an A4 PDF; returns the docs paths."""
    planned = []
    for project in (p.id for p in s.organisation.projects if p.active):
        seed, drawn = weekly_draw(s, project, day)
        planned.append((render_card(s, project, seed, drawn, week=week_label(day)), weekly_card_path(project)))
    for _, rel in planned:
        (Path(docs_dir) / rel).parent.mkdir(parents=True, exist_ok=True)
    faces = font_faces(s, cache_dir)
    render_pdfs([(subset_first(html, faces), Path(docs_dir) / rel) for html, rel in planned], faces,
                cache_dir=cache_dir)
    return [rel for _, rel in planned]


def write_card(s: Standards, project: str, seed: int, questions: list[BankQuestion], target) -> None:
    """Write the card as .html, or as an A4 PDF for any other suffix."""
    target = Path(target)
    html = render_card(s, project, seed, questions)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.suffix.lower() in (".html", ".htm"):
            target.write_text(html, encoding="utf-8")
            return
        import weasyprint

        weasyprint.HTML(string=html).write_pdf(target, pdf_variant=PDF_VARIANT)   # tagged, like the sheets
    except OSError as exc:
        raise HandbookError(Msg.CANNOT_WRITE_CARD(path=target, reason=exc.strerror or exc)) from exc
