"""The questionnaire's results page (客户满意度, 程序 4.4.2.2, 4.6.2) and its printable sheets on the site.

`satisfaction_files` is pure: data in, {docs-relative path: text} out; `satisfaction_generator`
is the questionnaire's site page generator (`CustomerQuestionnaire.page_generators`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from ...forms.lock_file import read_lock
from ...results import scoring as sc
from ...results.charts import inline, line_chart
from ...results.publish import store_snapshot
from ...standards import Standards
from ...templating import render
from .survey import read_survey, survey_links, write_survey_sheets

SATISFACTION = "results/satisfaction.md"
MONTHS_SHOWN = 12
COMMENTS_SHOWN = 30
LOWEST_MONTHS = 3          # lowest-rated questions: over the last three months with responses
DEFAULT_CACHE = Path("build/pdf-cache")


@dataclass(frozen=True)
class Mean:
    """A pooled mean of ratings with its counts: n responses, k ratings."""

    total: float
    ratings: int
    n: int

    @property
    def mean(self) -> float | None:
        return self.total / self.ratings if self.ratings else None


def pooled_mean(responses, question: str | None = None) -> Mean:
    """The mean of every rating of `responses` (of one question, if given), with its counts."""
    total = ratings = 0
    n = 0
    for r in responses:
        values = [v for k, v in r.answers.items() if question is None or k == question]
        if values:
            n += 1
            total += sum(values)
            ratings += len(values)
    return Mean(total, ratings, n)


def month_of(d) -> str:
    """'YYYY-MM' of a date or datetime."""
    return f"{d.year}-{d.month:02}"


def as_percent(mean: float | None, scale) -> float | None:
    """A mean on the scale as 百分制 (max = 100), for the trend chart."""
    return None if mean is None else mean / scale.max * 100


def inspection_months(s: Standards, inspections: Iterable) -> dict[tuple[str, str], sc.Aggregate]:
    """(project, YYYY-MM) -> the month's pooled inspection score, to set beside the month's satisfaction."""
    by: dict[tuple[str, str], list] = defaultdict(list)
    for x in sc.score_inspections(s, inspections):
        by[(x.inspection.project, month_of(x.inspection.date))].append(x)
    return {k: sc.aggregate(s, v) for k, v in by.items()}


def satisfaction_files(s: Standards, responses: Iterable, *, lock: dict | None = None,
                       scores: dict | None = None) -> dict[str, str]:
    """results/satisfaction.md and its chart: per project and month mean with n, trend, lowest questions, comments;
    `scores` (`inspection_months`) sets the inspection scores beside the satisfaction of each project and month."""
    q = s.methods_file.questionnaire
    if q is None:
        return {}
    responses = sorted(responses, key=lambda r: (r.submitted_at, r.id))
    months = sorted({r.month for r in responses})[-MONTHS_SHOWN:]
    by_pm: dict[tuple, list] = defaultdict(list)
    by_month: dict[str, list] = defaultdict(list)
    for r in responses:
        by_pm[(r.project, r.month)].append(r)
        by_month[r.month].append(r)
    projects = [p for p in s.organisation.projects if p.active or any(r.project == p.id for r in responses)]
    table = [{"name": p.name, "id": p.id, "cells": [pooled_mean(by_pm.get((p.id, m), [])) for m in months],
              "all": pooled_mean([r for r in responses if r.project == p.id])} for p in projects]
    trend = [(m, pooled_mean(by_month[m])) for m in months]
    recent_months = sorted(by_month)[-LOWEST_MONTHS:]
    recent = [r for r in responses if r.month in recent_months]
    questions = sorted(({"id": sq.id, "text": sq.text, "m": pooled_mean(recent, sq.id)} for sq in q.questions),
                       key=lambda x: (x["m"].mean is None, x["m"].mean or 0, x["id"]))
    comments = [r for r in responses if r.comment][-COMMENTS_SHOWN:][::-1]
    names = {p.id: p.name for p in s.organisation.projects}
    files = {}
    chart = "results/charts/satisfaction-trend.svg"
    if trend:
        files[chart] = line_chart(f"全公司每月客户满意度（近 {len(trend)} 个月，百分制）", [m[2:] for m, _ in trend],
                                  [as_percent(x.mean, q.scale) for _, x in trend])
    files[SATISFACTION] = render(
        "methods/satisfaction.md.j2", q=q, months=months, table=table, trend=trend, questions=questions,
        comments=comments, names=names, chart=inline(files[chart]) if trend else "", scores=scores or {},
        recent_months=recent_months, total=len(responses), links=survey_links(lock or {}, s),
        percent=lambda m: as_percent(m, q.scale))
    return files


def satisfaction_generator(store_path: Path, *, lock_path: Path | None = None,
                           cache_dir: Path | None = DEFAULT_CACHE, printed_sources: Sequence[str]):
    """A site page generator: results/satisfaction.md from the store (a 'no responses yet' page without one)
    and the questionnaire's printable sheets, blank and per project (with its prefilled form's QR code;
    `printed_sources`: what their font subset covers, `Context.printed_sources`)."""

    def generate(ctx) -> None:
        s = ctx.standards
        if s.methods_file.questionnaire is None:
            return
        lock = read_lock(lock_path) if lock_path else read_lock()
        have_store = store_path.is_file()
        inspections = store_snapshot(store_path).inspections() if have_store else []
        files = satisfaction_files(s, read_survey(store_path) if have_store else [], lock=lock,
                                   scores=inspection_months(s, inspections))
        for rel, text in sorted(files.items()):
            ctx.write(rel, text)
        ctx.written += write_survey_sheets(s, ctx.docs_dir, lock, cache_dir=cache_dir,
                                           printed_sources=printed_sources)

    return generate
