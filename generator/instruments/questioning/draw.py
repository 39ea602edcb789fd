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
from typing import Iterable, Sequence

from ...errors import HandbookError
from ...messages import Msg
from .settings import BankQuestion
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
        raise HandbookError(Msg.NO_QUESTION_BANK)
    project = s.find_project(project)   # an id or a Chinese name; one line listing every project otherwise
    if not 1 <= n <= len(bank.questions):
        raise HandbookError(Msg.BAD_DRAW_COUNT, count=len(bank.questions))
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


def render_card(s: Standards, project: str, seed: int, questions: list[BankQuestion], *, week: str = "",
                weak: set[str] = frozenset()) -> str:
    """The printable questioning card as HTML (`week`: the weekly card's week, e.g. 2026 年第 47 周; `weak`:
    ids of the questions drawn for one of the project's weak topics, marked 薄弱主题)."""
    return render("methods/card.html", organisation=s.organisation.name, project=s.projects[project].name,
                  seed=seed, questions=questions, week=week, weak=weak,
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


def weak_topics(s: Standards, project: str, asked: Iterable = (), inspections: Iterable = ()) -> list[str]:
    """The bank's topics where `project` is weakest, weakest first (topics without data are left out).

    A topic's weakness is the mean of what is known of it: the share of its questions not answered right in
    the project's random questioning (1 − knowledge score), and the share of the project's inspections that
    checked the items its questions are about (4.2.3 …) and found a problem there.
    """
    bank = s.methods_file.questioning
    values = bank.answers
    topic_of = {q.id: q.topic for q in bank.questions}
    items: dict[str, set[str]] = {}
    for q in bank.questions:
        if q.item:
            items.setdefault(q.topic, set()).add(q.item)
    scores: dict[str, list[float]] = {}
    for a in asked:
        if a.project == project and a.question in topic_of and a.result in values:
            scores.setdefault(topic_of[a.question], []).append(values[a.result])
    parts: dict[str, list[float]] = {}
    for topic, got in scores.items():
        parts.setdefault(topic, []).append(1 - sum(got) / len(got))
    own = [i for i in inspections if i.project == project]
    for topic, codes in items.items():
        checked = [i for i in own if any(i.findings.get(c) is not None for c in codes)]
        if checked:
            found = sum(1 for i in checked if any(i.findings.get(c) for c in codes))
            parts.setdefault(topic, []).append(found / len(checked))
    weakness = {t: sum(v) / len(v) for t, v in parts.items()}
    return sorted((t for t, w in weakness.items() if w > 0), key=lambda t: (-weakness[t], t))


def weekly_draw(s: Standards, project: str, day: dt.date, n: int = DRAW_COUNT,
                weak: Sequence[str] = ()) -> tuple[int, list[BankQuestion], set[str]]:
    """The week's draw for a project with the week's seed (what the card prints): half of its questions
    (n // 2) from the `weak` topics (`weak_topics`, weakest first, one a topic in turn), the rest spread
    over every topic as `draw_questions` spreads them. The same project, week and weak topics give the
    same card. Returns the seed, the questions and the ids of those drawn for a weak topic."""
    bank = s.methods_file.questioning
    n = min(n, len(bank.questions))
    seed = week_seed(day)
    rnd = random.Random(f"{project}:{seed}:weak")
    pools = {t: rnd.sample([q for q in bank.questions if q.topic == t],
                           sum(1 for q in bank.questions if q.topic == t)) for t in weak}
    targeted: list[BankQuestion] = []
    while len(targeted) < n // 2 and any(pools.values()):
        for topic in weak:
            if pools[topic] and len(targeted) < n // 2:
                targeted.append(pools[topic].pop())
    _, spread = draw_questions(s, project, len(bank.questions), seed)
    chosen = {q.id for q in targeted}
    rest = [q for q in spread if q.id not in chosen][:n - len(targeted)]
    return seed, targeted + rest, chosen


def write_weekly_cards(s: Standards, docs_dir: Path, day: dt.date, *, cache_dir: Path | None = None,
                       printed_sources: Sequence[str], asked: Iterable = (), inspections: Iterable = ()) -> list[str]:
    """Write every active project's card for the week of `day` as an A4 PDF; returns the docs paths.
    `asked` (questioning answers) and `inspections` tell each project's weak topics (`weak_topics`); with a
    `cache_dir`, the cards are set in the font subset of `printed_sources` (`printing.fonts.font_faces`)."""
    asked, inspections = list(asked), list(inspections)
    planned = []
    for project in (p.id for p in s.organisation.projects if p.active):
        seed, drawn, weak = weekly_draw(s, project, day, weak=weak_topics(s, project, asked, inspections))
        planned.append((render_card(s, project, seed, drawn, week=week_label(day), weak=weak),
                        weekly_card_path(project)))
    for _, rel in planned:
        (Path(docs_dir) / rel).parent.mkdir(parents=True, exist_ok=True)
    faces = font_faces(s, cache_dir, printed_sources)
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
        raise HandbookError(Msg.CANNOT_WRITE_CARD, path=target, reason=exc.strerror or exc) from exc
