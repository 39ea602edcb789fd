"""Site pages of the other supervision methods: results (satisfaction, knowledge), training, method pages.

The `*_files` functions are pure: data in, {docs-relative path: text} out.
`method_pages_generator(...)` returns a page generator for `site.site_build.build_site(extra_generators=…)`
that reads the store (when there is one) and writes everything, adding one navigation tab.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable
from zoneinfo import ZoneInfo

from .. import page_urls as urls
from ..forms.lock_file import read_lock
from ..page_urls import relative_link
from ..results import scoring as sc
from ..results.charts import Bar, bar_chart, inline, line_chart
from ..results.publish import RESULTS_TAB, store_snapshot
from ..results.report_pages import public_name
from ..standards import Standards
from ..templating import render
from .questioning import grid as kn
from .questioning.grid import read_questioning
from .questioning.draw import weekly_card_path, write_weekly_cards
from .questionnaire.survey import read_survey, survey_links, survey_sheet_path, write_survey_sheets

SATISFACTION = "results/satisfaction.md"
KNOWLEDGE = "results/knowledge.md"
TRAINING = "methods/training.md"
METHODS_DIR = "methods"
MONTHS_SHOWN = 12
COMMENTS_SHOWN = 30
LOWEST_MONTHS = 3          # lowest-rated questions: over the last three months with responses


@dataclass(frozen=True)
class Mean:
    """A pooled mean of ratings with its counts: n responses, k ratings."""

    total: float
    ratings: int
    n: int

    @property
    def mean(self) -> float | None:
        return self.total / self.ratings if self.ratings else None


def _mean(responses, question: str | None = None) -> Mean:
    total = ratings = 0
    n = 0
    for r in responses:
        values = [v for k, v in r.answers.items() if question is None or k == question]
        if values:
            n += 1
            total += sum(values)
            ratings += len(values)
    return Mean(total, ratings, n)


def _month(d: dt.date | dt.datetime) -> str:
    return f"{d.year}-{d.month:02}"


def _as_percent(mean: float | None, scale) -> float | None:
    """A mean on the scale as 百分制 (max = 100), for the trend chart."""
    return None if mean is None else mean / scale.max * 100


# ---------------------------------------------------------------- satisfaction (4.4.2.2, 4.6.2)

def inspection_months(s: Standards, inspections: Iterable) -> dict[tuple[str, str], sc.Aggregate]:
    """(project, YYYY-MM) -> the month's pooled inspection score, to set beside the month's satisfaction."""
    by: dict[tuple[str, str], list] = defaultdict(list)
    for x in sc.score_inspections(s, inspections):
        by[(x.inspection.project, _month(x.inspection.date))].append(x)
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
    table = [{"name": p.name, "id": p.id, "cells": [_mean(by_pm.get((p.id, m), [])) for m in months],
              "all": _mean([r for r in responses if r.project == p.id])} for p in projects]
    trend = [(m, _mean(by_month[m])) for m in months]
    recent_months = sorted(by_month)[-LOWEST_MONTHS:]
    recent = [r for r in responses if r.month in recent_months]
    questions = sorted(({"id": sq.id, "text": sq.text, "m": _mean(recent, sq.id)} for sq in q.questions),
                       key=lambda x: (x["m"].mean is None, x["m"].mean or 0, x["id"]))
    comments = [r for r in responses if r.comment][-COMMENTS_SHOWN:][::-1]
    names = {p.id: p.name for p in s.organisation.projects}
    files = {}
    chart = "results/charts/satisfaction-trend.svg"
    if trend:
        files[chart] = line_chart(f"全公司每月客户满意度（近 {len(trend)} 个月，百分制）", [m[2:] for m, _ in trend],
                                  [_as_percent(x.mean, q.scale) for _, x in trend])
    files[SATISFACTION] = render(
        "methods/satisfaction.md.j2", q=q, months=months, table=table, trend=trend, questions=questions,
        comments=comments, names=names, chart=inline(files[chart]) if trend else "", scores=scores or {},
        recent_months=recent_months, total=len(responses), links=survey_links(lock or {}, s),
        percent=lambda m: _as_percent(m, q.scale))
    return files


# ---------------------------------------------------------------- training (4.4.3.1)

def training_files(s: Standards) -> dict[str, str]:
    """methods/training.md: the sessions of methods.yaml, newest first, with counts per topic."""
    sessions = sorted(s.methods_file.training, key=lambda t: t.date, reverse=True)
    topics: dict[str, dict] = {}
    for t in sessions:
        row = topics.setdefault(t.topic, {"sessions": 0, "attendees": 0, "last": t.date})
        row["sessions"] += 1
        row["attendees"] += t.attendees
        row["last"] = max(row["last"], t.date)
    exam_topics = s.methods_file.exam.topics if s.methods_file.exam else []
    missing = [t for t in exam_topics if t not in topics]
    names = {p.id: p.name for p in s.organisation.projects}
    return {TRAINING: render("methods/training.md.j2", sessions=sessions, topics=topics, missing=missing,
                             names=names)}


# ---------------------------------------------------------------- knowledge (4.4.2.1)

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


# ---------------------------------------------------------------- method pages (issue point 5)

PER = {"day": "每天", "week": "每周", "month": "每月"}

# How each method is done and how often (data, not logic); a step given as (with a form, without) reads
# by whether the lock has the method's form: no sheet promises a QR code that is not printed.
METHODS: dict[str, dict] = {
    "onsite": {"how": [("用手机打开本项目的检查表单（扫描本项目打印检查表右上角的二维码，项目已选好），或带上打印的检查表。",
                        "带上本项目打印的检查表（表单发布后，也可以用手机填写在线表单）。"),
                       "逐条查看办公区域环境、人员着装和行为举止，每条点选一项；发现问题时写明位置和情况，"
                       "纸质表写在表末“发现的问题”中。",
                       "能当场纠正的当场纠正、示范指导（程序 4.1.4），并选“已当场纠正”。",
                       "每日巡查还记录巡查时段（上午 / 下午）、当天第几次和巡查时间；有当事人的，填写被检查人员。"],
               "often": "patrols"},
    "records": {"how": ["抽查投诉记录、回访记录、报修记录，看是否及时、完整、闭环。",
                        "结果填在同一张检查表的相应条目上。"],
                "often": "patrols"},
    "questioning": {"how": ["网站每周为每个项目抽好一组题（下方“打印”中的本周抽问卡，按项目和周次抽取，可重现），"
                            "卡上有题目代号、主题和答题要点，打印后带去抽问。",
                            "需要另抽一组时，请客户关系部的手册维护人员临时抽题并打印抽问卡。",
                            "逐题请客服人员回答，对照要点判定答对 / 部分 / 答错。",
                            "把被抽问人员和每题的题目代号、主题、结果记在客户关系部抽样检查表的“随机抽问”栏，"
                            "录入时在表单最后一页“随机抽问”中按题目代号选择结果。"],
                    "often": "随客户关系部的抽样检查进行：每个项目每月至少一次，每次 5 题左右。"},
    "survey": {"how": ["**什么时候发**：客服中心每次回访业主（报修、投诉处理完毕后的电话或上门回访）时，请业主填写问卷；"
                       "每个项目每月至少回收若干份。",
                       ("**在线**：把本项目的问卷链接（下方“表单”，已选好小区）发给业主，或请业主扫描本项目打印问卷上的二维码。",
                        "**在线**：问卷表单发布后，把本项目的问卷链接（已选好小区）发给业主。"),
                       "**纸质**：打印本项目的问卷（已印好小区名称）交给业主，填好后收回。",
                       "**录入纸质问卷**：打开本项目的问卷链接，按问卷上的题目顺序逐题选分数，“填写日期”选问卷上写的日期"
                       "（结果按这个日期计入当月），意见照抄，但不要录入姓名、电话、房号；录入后在纸质问卷上注明“已录入”。",
                       "问卷不记名，不收集业主姓名、电话、房号；业主的问卷上没有题目代号和内部编号，这一页只给工作人员看。"],
               "often": "每次回访后发送；每个项目每月至少回收若干份，结果按月统计。"},
    "exam": {"how": ["客户关系部每季度组织一次综合考试，题目来自手册的考试题库，"
                     "涉及服务礼仪、沟通技巧、法律法规、行业知识。",
                     "在线考试用 Google 表单测验（链接见下方“表单”）；也可以打印试卷（见下方“打印”）。",
                     "参考答案另成一页，由手册维护人员生成（见维护说明），仅供客户关系部阅卷，"
                     "不发布到网站，考试结束前不得外传。",
                     "考试前先安排培训，见[培训记录](training.md)。"],
             "often": "每季度一次。"},
}
RESULTS = {"onsite": ("检查结果概览", "results/index.md"), "records": ("检查结果概览", "results/index.md"),
           "questioning": ("随机抽问结果", KNOWLEDGE), "survey": ("客户满意度", SATISFACTION)}
EXAM_RESULTS = ("results/exam.md", "results/exam/index.md")


def _frequency(s: Standards, method: str, clause: str) -> list[str]:
    info = METHODS.get(method, {})
    if info.get("often") != "patrols":
        return [info["often"]] if info.get("often") else []
    return [f"{r.name}：每个项目{PER[r.patrols.per]}至少 {r.patrols.min} 次（程序 4.5）"
            for r in s.organisation.roles if r.patrols]


def method_files(s: Standards, *, lock: dict | None = None, existing=lambda path: False) -> dict[str, str]:
    """methods/index.md and methods/<method>.md: how, how often, the form, the printable, the latest results.

    `existing(path)` tells whether a docs-relative file exists (outputs of other generators, e.g.
    print/exam-2026Q4.pdf or results/index.md), so no page links to a file that is not there.
    """
    lock = lock or {"checklists": {}}
    entries = lock.get("checklists", {})
    demo = bool(lock.get("demo"))
    files: dict[str, str] = {}
    pages = []
    for method, clause in s.method_clause.items():
        m = s.methods[method]
        text = s.clauses[clause].text or ""
        forms, printables, results = [], [], []
        for cl in s.checklists.values():
            if any(method in i.methods for i in s.checklist_items(cl.id)) or \
                    (method == "questioning" and cl.methods and method in cl.methods):
                url = entries.get(cl.id, {}).get("responder_url", "")
                forms.append((cl.title, url))
                printables.append((f"{cl.title}（空白）", urls.sheet_pdf(cl.id)))
        if method == "survey" and s.methods_file.questionnaire:
            q = s.methods_file.questionnaire
            forms = [(q.title, entries.get(q.id, {}).get("responder_url", ""))]
            links = survey_links(lock, s)
            forms += [(f"{s.projects[p].name}（已选好项目）", url) for p, url in links.items()]
            printables = [(f"{q.title}（空白）", survey_sheet_path(s))]
            printables += [(f"{s.projects[p].name}", survey_sheet_path(s, p))
                           for p in (p.id for p in s.organisation.projects if p.active)]
        if method == "questioning" and s.methods_file.questioning:
            printables += [(f"{p.name}：本周抽问卡", weekly_card_path(p.id))
                           for p in s.organisation.projects if p.active]
        if method == "exam":
            forms = [(f"{_exam_name(fid[5:])}季度考试", e.get("responder_url", ""))
                     for fid, e in sorted(entries.items()) if fid.startswith("exam-")]
            forms = forms or [("季度考试（Google 表单测验）", "")]   # not yet published: the page says so
            printables = [(_exam_paper_name(f), f) for f in _exam_printables(s, existing)]
        printables = [(t, p) for t, p in printables if existing(p)]
        has_form = any(url for _, url in forms)
        how = [step[0 if has_form else 1] if isinstance(step, tuple) else step
               for step in METHODS.get(method, {}).get("how", [])]
        if method in RESULTS and existing(RESULTS[method][1]):
            results.append(RESULTS[method])
        if method == "exam":
            results += [("考试结果", p) for p in EXAM_RESULTS if existing(p)]
        path = f"{METHODS_DIR}/{method}.md"
        files[path] = render("methods/method.md.j2", m=m, clause=clause, text=text,
                             how=how, often=_frequency(s, method, clause), demo=demo,
                             forms=forms, printables=printables, results=results, method=method,
                             training=method == "exam", link=lambda target: _rel(target, path))
        pages.append((m.name, clause, f"{method}.md"))
    files[f"{METHODS_DIR}/index.md"] = render("methods/index.md.j2", pages=pages)
    return files


def _exam_name(quarter: str) -> str:
    """'2026Q4' -> '2026 年第四季度' (a form id's tail that is not a quarter is shown as it is)."""
    return sc.quarter_label(quarter) if re.fullmatch(r"\d{4}Q[1-4]", quarter) else quarter


def _exam_paper_name(path: str) -> str:
    """print/exam-2026Q4.pdf -> 2026 年第四季度试卷; print/exam-2026Q4-key.pdf -> … 答案."""
    stem = path[len("print/exam-"):-len(".pdf")]
    quarter, _, rest = stem.partition("-")
    return _exam_name(quarter) + ("试卷答案" if rest == "key" else "试卷" if not rest else f"试卷（{rest}）")


def _exam_printables(s: Standards, existing) -> list[str]:
    """print/exam-<quarter>.pdf files the exam build wrote (found by existence: that part owns them)."""
    found = existing("print/")
    return sorted(p for p in (found if isinstance(found, list) else []) if p.startswith("print/exam-"))


def _rel(target: str, from_page: str) -> str:
    return relative_link(target, from_page)


def method_pages_generator(store_path: Path | str | None = None, *, lock_path: Path | str | None = None,
                           pdf: bool = True, cache_dir: Path | str | None = Path("build/pdf-cache"),
                           today: dt.date | None = None):
    """A site page generator: method pages, training, satisfaction and knowledge results, questionnaire
    sheets and each project's questioning card for the week of `today` (default: today in the
    organisation's time zone; the demo passes its fixed end date).

    Run it after the results generator (which replaces results/), so the links to results exist.
    """
    def generate(ctx) -> None:
        s = ctx.standards
        lock = read_lock(lock_path) if lock_path else read_lock()
        store = Path(store_path) if store_path else None
        have_store = bool(store and store.is_file())
        files = {}
        files.update(training_files(s))
        inspections = store_snapshot(store).inspections() if have_store else []
        files.update(satisfaction_files(s, read_survey(store) if have_store else [], lock=lock,
                                        scores=inspection_months(s, inspections)))
        files.update(knowledge_files(s, read_questioning(store) if have_store else []))
        for rel, text in sorted(files.items()):
            ctx.write(rel, text)
        if pdf and s.methods_file.questionnaire:
            ctx.written += write_survey_sheets(s, ctx.docs_dir, lock,
                                               cache_dir=Path(cache_dir) if cache_dir else None)
        if pdf and s.methods_file.questioning:
            day = today or dt.datetime.now(ZoneInfo(s.organisation.timezone)).date()
            ctx.written += write_weekly_cards(s, ctx.docs_dir, day, cache_dir=Path(cache_dir) if cache_dir else None)

        def existing(rel: str):
            if rel == "print/":
                folder = ctx.docs_dir / "print"
                return [f"print/{p.name}" for p in folder.glob("*.pdf")] if folder.is_dir() else []
            return (ctx.docs_dir / rel).is_file()

        for rel, text in sorted(method_files(s, lock=lock, existing=existing).items()):
            ctx.write(rel, text)
        nav = [{"监督方式": f"{METHODS_DIR}/index.md"}]
        nav += [{s.methods[m].name: f"{METHODS_DIR}/{m}.md"} for m in s.method_clause]
        nav += [{"培训记录": TRAINING}]
        ctx.add_nav("监督方式", nav)
        # the results of these methods live with the other results (检查结果), before the data quality
        results = [{"客户满意度": SATISFACTION}, {"随机抽问结果": KNOWLEDGE}]
        for entry in ctx.nav:
            if isinstance(entry, dict) and isinstance(entry.get(RESULTS_TAB), list):
                tab = entry[RESULTS_TAB]
                last = [x for x in tab if isinstance(x, dict) and set(x) & {"检查人活动", "数据质量"}]
                tab[:] = [x for x in tab if x not in last] + results + last
                break
        else:
            nav += results

    return generate
