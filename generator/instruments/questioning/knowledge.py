"""Random questioning on the site: the results page (随机抽问结果, knowledge scores) and each project's card
of the week's questions.

`knowledge_files` is pure: data in, {docs-relative path: text} out; `knowledge_generator` is the
instrument's site page generator (`RandomQuestioning.page_generators`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Iterable, Sequence
from zoneinfo import ZoneInfo

from ...results.charts import Bar, bar_chart, inline
from ...results.publish import store_snapshot
from ...results.report_pages import public_name
from ...standards import Standards
from ...templating import render
from . import grid as kn
from .draw import write_weekly_cards

KNOWLEDGE = "results/knowledge.md"
DEFAULT_CACHE = Path("build/pdf-cache")
WEAK_WEEKS = 12            # the weekly cards draw half their questions from the weak topics of these weeks


def knowledge_files(s: Standards, asked: Iterable) -> dict[str, str]:
    """results/knowledge.md: knowledge score per project (with n), per topic, per question; per person if allowed."""
    bank = s.methods_file.questioning
    if bank is None:
        return {}
    asked = list(asked)
    names = {p.id: p.name for p in s.organisation.projects}
    by_project = kn.knowledge_by(s, asked, lambda a: a.project)
    projects = sorted(by_project.items(), key=lambda x: (-(x[1].percent or 0), x[0]))
    by_topic = kn.knowledge_by(s, asked, kn.topic_of(s))
    topics = [(t, by_topic[t]) for t in dict.fromkeys(q.topic for q in bank.questions) if t in by_topic]
    texts = {q.id: q.text for q in bank.questions}
    by_question = kn.knowledge_by(s, asked, lambda a: a.question)
    hardest = sorted(by_question.items(), key=lambda x: (x[1].percent or 0, x[0]))[:8]
    people = []
    if s.organisation.publish_names:
        by_person = kn.knowledge_by(s, [a for a in asked if a.staff], lambda a: (a.project, a.staff))
        people = [(names.get(p, p), public_name(staff, True), k) for (p, staff), k in sorted(by_person.items())]
    files = {}
    chart = ""
    if projects:
        chart = files["results/charts/knowledge-projects.svg"] = bar_chart("各项目抽问得分率（全部数据，%）", [
            Bar(names.get(p, p), round(k.percent or 0, 1), f"{k.percent:.0f}%（n={k.n}）") for p, k in projects])
    files[KNOWLEDGE] = render(
        "methods/knowledge.md.j2", bank=bank, projects=projects, topics=topics, hardest=hardest, texts=texts,
        people=people, publish=s.organisation.publish_names, names=names, total=kn.knowledge(s, asked),
        inspections=len({a.inspection_id for a in asked}), chart=inline(chart) if chart else "")
    return files


def knowledge_generator(store_path: Path, *, today: dt.date | None = None, cache_dir: Path | None = DEFAULT_CACHE,
                        printed_sources: Sequence[str]):
    """A site page generator: results/knowledge.md from the store (a 'no answers yet' page without one) and
    each active project's questioning card for the week of `today` (default: today in the organisation's
    time zone; the demo passes its fixed end date), in the font subset of `printed_sources`."""

    def generate(ctx) -> None:
        s = ctx.standards
        if s.methods_file.questioning is None:
            return
        asked = kn.read_questioning(store_path) if store_path.is_file() else []
        for rel, text in sorted(knowledge_files(s, asked).items()):
            ctx.write(rel, text)
        day = today or dt.datetime.now(ZoneInfo(s.organisation.timezone)).date()
        # weak topics from the last 12 weeks of questioning and inspections (4.2.3 findings)
        since = day - dt.timedelta(weeks=WEAK_WEEKS)
        inspections = store_snapshot(store_path).inspections() if store_path.is_file() else []
        ctx.written += write_weekly_cards(s, ctx.docs_dir, day, cache_dir=cache_dir, printed_sources=printed_sources,
                                          asked=[a for a in asked if since < a.date <= day],
                                          inspections=[i for i in inspections if since < i.date <= day])

    return generate
