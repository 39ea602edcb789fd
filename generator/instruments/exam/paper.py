"""The printable A4 exam paper and its separate answer key (WeasyPrint, Noto Sans CJK).

`render_paper` returns HTML; `write_papers` writes the two PDFs; `exam_print_generator`
is a site page generator that puts the paper into the site's print folder. The key
goes onto the site only with `publish_key=True` (after the exam): before that it is
for the department alone and is written by `handbook exam build` into build/exam/.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from ...printing.pdf import html_to_pdf
from ...standards import Standards
from ...templating import render
from .quiz import (KIND_NAMES, key_text, option_labels, ordered_questions, parse_quarter, quarter_label, require_exam,
                   total_points)

PRINT_DIR = "print"
DEFAULT_CACHE = Path("build/pdf-cache")


def paper_name(quarter: str, key: bool = False) -> str:
    """'exam-2026Q4.pdf' or 'exam-2026Q4-key.pdf'."""
    return f"exam-{parse_quarter(quarter)}{'-key' if key else ''}.pdf"


def paper_path(quarter: str, key: bool = False) -> str:
    """The docs-relative path of the paper (or key) in the site's print folder."""
    return f"{PRINT_DIR}/{paper_name(quarter, key)}"


def _context(s: Standards, quarter: str, key: bool) -> dict:
    exam = require_exam(s)
    quarter = parse_quarter(quarter)
    numbered, topics = [], []
    number = 0
    by_topic: dict[str, list] = {}
    for q in ordered_questions(exam):
        number += 1
        right = ({0} if q.answer else {1}) if q.kind == "truefalse" else set(q.answer)
        view = {"number": number, "id": q.id, "topic": q.topic, "text": q.text, "points": q.points,
                "kind_name": KIND_NAMES[q.kind], "key": key_text(q), "feedback": q.feedback or "",
                "options": [{"letter": "" if q.kind == "truefalse" else f"{chr(65 + i)}. ", "label": label,
                             "right": i in right} for i, label in enumerate(option_labels(q))]}
        numbered.append(view)
        by_topic.setdefault(q.topic, []).append(view)
    for name, views in by_topic.items():
        topics.append({"name": name, "count": len(views), "points": sum(v["points"] for v in views),
                       "questions": views})
    return {"title": exam.title, "organisation": s.organisation.name, "quarter": quarter_label(quarter),
            "count": len(numbered), "total": total_points(exam), "pass_percent": exam.pass_percent,
            "questions": numbered, "topics": topics, "key": key,
            "footer": f"exam-{quarter} · 题库版本 {s.document.version}"}


def render_paper(s: Standards, quarter: str, *, key: bool = False) -> str:
    """The exam paper (or, with `key`, the answer key) as HTML."""
    return render("exam/paper.html", **_context(s, quarter, key))


def write_papers(s: Standards, quarter: str, out_dir: Path | str, *, cache_dir: Path | None = DEFAULT_CACHE
                 ) -> tuple[Path, Path]:
    """Write exam-<quarter>.pdf and exam-<quarter>-key.pdf into out_dir; returns both paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for key in (False, True):
        target = out / paper_name(quarter, key)
        html_to_pdf(render_paper(s, quarter, key=key), "", target, cache_dir=cache_dir)
        paths.append(target)
    return paths[0], paths[1]


def pdf_bytes(s: Standards, quarter: str, *, key: bool = False, cache_dir: Path | None = DEFAULT_CACHE) -> bytes:
    """One PDF's bytes (rendered through a temporary file so the PDF cache is shared)."""
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / paper_name(quarter, key)
        html_to_pdf(render_paper(s, quarter, key=key), "", target, cache_dir=cache_dir)
        return target.read_bytes()


def exam_print_generator(quarter: str, *, publish_key: bool = False, cache_dir: Path | None = DEFAULT_CACHE):
    """A site page generator writing print/exam-<quarter>.pdf (and the key only when `publish_key`).

    The key, when published, is kept out of the navigation: only the exam results page links it.
    """
    quarter = parse_quarter(quarter)

    def generate(ctx) -> None:
        ctx.write(paper_path(quarter), pdf_bytes(ctx.standards, quarter, cache_dir=cache_dir))
        if publish_key:
            ctx.write(paper_path(quarter, key=True), pdf_bytes(ctx.standards, quarter, key=True, cache_dir=cache_dir))

    return generate
