"""Random questioning of staff (程序 4.4.2.1): reproducible draws from the YAML bank."""

from __future__ import annotations

import random
import secrets
from pathlib import Path

from ...errors import HandbookError
from ...messages import Msg
from ...model import BankQuestion
from ...printing.pdf import PDF_VARIANT
from ...standards import Standards
from ...templating import render


def draw_questions(s: Standards, project: str, n: int, seed: int | None = None
                   ) -> tuple[int, list[BankQuestion]]:
    """Draw `n` different questions for `project`; the same (project, seed) gives the same set.

    Topics are spread first: no topic repeats before every topic has been drawn once.
    Returns the seed used (a new one when none was given) and the questions.
    """
    bank = s.methods_file.questioning
    if bank is None:
        raise HandbookError(Msg.NO_QUESTION_BANK())
    if project not in s.projects:
        raise HandbookError(Msg.UNKNOWN_PROJECT(project=project, known="、".join(s.projects)))
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


def render_card(s: Standards, project: str, seed: int, questions: list[BankQuestion]) -> str:
    """The printable questioning card as HTML."""
    return render("methods/card.html", organisation=s.organisation.name, project=s.projects[project].name,
                  seed=seed, questions=questions, answers=list(s.methods_file.questioning.answers))


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
