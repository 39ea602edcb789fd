"""Quarterly exam results: per project, per topic, hardest questions, per person where allowed.

`exam_summary` is pure (graded responses in, numbers out); `build_exam_results`
renders {docs path: text}; `exam_results_generator(store_path)` is the site page
generator. Run it after the checklist results generator (that one empties
results/ first); it adds 季度考试 to the results tab of the navigation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ...results.charts import Bar, bar_chart, inline
from ...results.report_pages import csv_text, public_name
from ...standards import Standards
from ...templating import render
from .paper import paper_path
from .quiz import KIND_NAMES, find_key_mismatches, form_id, key_text, ordered_questions, quarter_label, require_exam
from .responses import ExamResponse, read_exam_responses

PAGE = "results/exam.md"
RESULTS_TAB = "检查结果"
NAV_TITLE = "季度考试"


@dataclass(frozen=True)
class Group:
    """Pooled results of a group of responses (a project, a person, everyone)."""

    key: str
    label: str
    n: int
    mean_percent: float | None      # mean of the responses' percentages
    passed: int

    @property
    def pass_rate(self) -> float | None:
        return 100.0 * self.passed / self.n if self.n else None


@dataclass(frozen=True)
class TopicResult:
    topic: str
    questions: int
    earned: float
    possible: float
    correct_rate: float | None       # share of answers correct

    @property
    def percent(self) -> float | None:
        return 100.0 * self.earned / self.possible if self.possible else None


@dataclass(frozen=True)
class QuestionResult:
    number: int
    id: str
    topic: str
    kind: str
    text: str
    key: str
    n: int
    correct: int

    @property
    def correct_rate(self) -> float | None:
        return 100.0 * self.correct / self.n if self.n else None


@dataclass
class ExamSummary:
    exam: str
    quarter: str
    pass_percent: float
    total_points: float
    overall: Group
    projects: list[Group]
    topics: list[TopicResult]
    questions: list[QuestionResult]          # hardest first
    people: list[Group] = field(default_factory=list)   # only when names may be published
    mismatch: object = None                  # KeyMismatch or None


def _group(key: str, label: str, responses: list[ExamResponse]) -> Group:
    n = len(responses)
    mean = sum(r.percent for r in responses) / n if n else None
    return Group(key, label, n, mean, sum(r.passed for r in responses))


def exam_summary(s: Standards, responses: list[ExamResponse], quarter: str) -> ExamSummary:
    """Every number of the quarter's results page, from graded responses."""
    exam = require_exam(s)
    fid = form_id(quarter)
    responses = [r for r in responses if r.exam == fid]
    names = {p.id: p.name for p in s.organisation.projects}
    projects = [_group(pid, names.get(pid, pid), [r for r in responses if r.project == pid])
                for pid in dict.fromkeys([p.id for p in s.organisation.projects] + [r.project for r in responses])]
    projects = [g for g in projects if g.n]
    projects.sort(key=lambda g: (-(g.mean_percent or 0), g.label))
    by_id = {q.id: q for q in exam.questions}
    questions = []
    for number, q in enumerate(ordered_questions(exam), 1):
        answered = [r.answers[q.id] for r in responses if q.id in r.answers]
        questions.append(QuestionResult(number, q.id, q.topic, KIND_NAMES[q.kind], q.text, key_text(q),
                                        len(answered), sum(1 for _, ok in answered if ok)))
    topics = []
    for topic in exam.topics:
        qs = [x for x in questions if x.topic == topic]
        earned = sum(by_id[x.id].points * x.correct for x in qs)
        possible = sum(by_id[x.id].points * x.n for x in qs)
        n = sum(x.n for x in qs)
        topics.append(TopicResult(topic, len(qs), earned, possible,
                                  100.0 * sum(x.correct for x in qs) / n if n else None))
    hardest = sorted(questions, key=lambda x: (x.correct_rate if x.correct_rate is not None else 101, x.number))
    people = []
    if s.organisation.publish_names:
        keys = dict.fromkeys((r.project, r.person) for r in responses)
        people = [_group(f"{p}:{person}", f"{names.get(p, p)} · {public_name(person, True)}",
                         [r for r in responses if (r.project, r.person) == (p, person)]) for p, person in keys]
        people.sort(key=lambda g: (-(g.mean_percent or 0), g.label))
    return ExamSummary(fid, quarter, exam.pass_percent, sum(q.points for q in exam.questions),
                       _group("all", "全公司", responses), projects, topics, hardest, people,
                       find_key_mismatches(exam, [r.scored() for r in responses]))


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def build_exam_results(s: Standards, responses: list[ExamResponse], *, quarter: str | None = None,
                       paper: bool = False, key_published: bool = False) -> dict[str, str]:
    """{docs path: text}: the results page, its charts and CSV downloads (latest quarter unless given)."""
    exam = require_exam(s)
    quarters = sorted({r.quarter for r in responses})
    quarter = quarter or (quarters[-1] if quarters else None)
    files: dict[str, str] = {}
    summary = exam_summary(s, responses, quarter) if quarter else None
    if summary is not None and summary.overall.n:
        q = summary.quarter
        files[f"results/charts/exam-{q}-projects.svg"] = bar_chart(
            f"{quarter_label(q)}考试平均得分率（按项目，%）",
            [Bar(g.label, round(g.mean_percent or 0, 1), f"{_pct(g.mean_percent)}% · 及格 {g.passed}/{g.n}")
             for g in summary.projects], "%")
        files[f"results/charts/exam-{q}-topics.svg"] = bar_chart(
            f"{quarter_label(q)}考试得分率（按主题，%）",
            [Bar(t.topic, round(t.percent or 0, 1), f"{_pct(t.percent)}%") for t in summary.topics], "%")
        files[f"results/csv/exam-{q}-projects.csv"] = csv_text(
            ["季度", "项目", "参考人数", "平均得分率(%)", "及格人数", "及格率(%)"],
            [[q, g.label, g.n, _pct(g.mean_percent), g.passed, _pct(g.pass_rate)] for g in summary.projects])
        files[f"results/csv/exam-{q}-questions.csv"] = csv_text(
            ["季度", "题号", "题目代号", "主题", "题型", "作答人数", "答对人数", "答对率(%)"],
            [[q, x.number, x.id, x.topic, x.kind, x.n, x.correct, _pct(x.correct_rate)] for x in summary.questions])
        if summary.people:
            files[f"results/csv/exam-{q}-people.csv"] = csv_text(
                ["季度", "项目 · 姓名", "得分率(%)", "及格"],
                [[q, g.label, _pct(g.mean_percent), "是" if g.passed == g.n else "否"] for g in summary.people])
    charts = {k: inline(files[f"results/charts/exam-{quarter}-{k}.svg"]) for k in ("projects", "topics")
              if f"results/charts/exam-{quarter}-{k}.svg" in files}
    files[PAGE] = render("exam/results.md.j2", s=summary, exam=exam, quarters=quarters, charts=charts,
                         quarter_name=quarter_label,
                         label=quarter_label(quarter) if quarter else "",
                         paper=f"../{paper_path(quarter)}" if quarter and paper else "",
                         key=f"../{paper_path(quarter, key=True)}" if quarter and key_published else "",
                         pct=_pct)
    return files


def exam_results_generator(store_path: Path | str, *, quarter: str | None = None, key_published: bool = False):
    """A site page generator: results/exam.md from the store (a 'no results yet' page without data)."""
    store_path = Path(store_path)

    def generate(ctx) -> None:
        if ctx.standards.methods_file.exam is None:
            return
        responses = read_exam_responses(store_path) if store_path.is_file() else []
        shown = quarter or max((r.quarter for r in responses), default=None)
        # link the paper and key only when a print generator wrote them (MkDocs --strict refuses dead links)
        has = {k: bool(shown) and (ctx.docs_dir / paper_path(shown, key=k)).is_file() for k in (False, True)}
        for path, text in build_exam_results(ctx.standards, responses, quarter=shown, paper=has[False],
                                             key_published=key_published and has[True]).items():
            ctx.write(path, text)
        for entry in ctx.nav:
            if isinstance(entry, dict) and isinstance(entry.get(RESULTS_TAB), list):
                entry[RESULTS_TAB].append({NAV_TITLE: PAGE})
                break
        else:
            ctx.add_nav(NAV_TITLE, PAGE)

    return generate
