"""The quarterly comprehensive exam (程序 4.4.3.2): the Google Forms quiz and grading from the YAML key.

Pure: standards in, a `FormSpec` (quiz body) or grades out. The form's own score
is never trusted: every response is graded here from `methods.yaml`, and a
difference between the sheet's Score column and our grade is reported with the
question(s) whose key in the form must be different (`find_key_mismatches`).

Grading rules (stated on the results page too):
- single choice and true/false: the points when the answer equals the key, else 0;
- multiple choice: all or nothing, the chosen set must equal the key's set;
- an unanswered question earns 0;
- percent = earned / total points; passed when percent >= exam.pass_percent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import combinations

from ...errors import HandbookError
from ...messages import Msg
from ...forms.form_spec import FormSpec, check_unique_ids, instrument_form, stable_id
from ...forms.validate import Problem
from .settings import Exam, ExamQuestion
from ...results.scoring import quarter_label  # noqa: F401  (the exam's pages name quarters alike)
from ...standards import Standards

FORM_PREFIX = "exam-"
QUARTER = re.compile(r"^(?P<year>\d{4})Q(?P<q>[1-4])$")
FORM_ID = re.compile(r"^exam-(?P<quarter>\d{4}Q[1-4])$")
TRUE_LABEL, FALSE_LABEL = "正确", "错误"
KIND_NAMES = {"single": "单选题", "multiple": "多选题", "truefalse": "判断题"}
KIND_TYPES = {"single": "RADIO", "multiple": "CHECKBOX", "truefalse": "RADIO"}
PROJECT_TITLE, NAME_TITLE = "项目", "姓名"
CHECKBOX_JOIN = ", "   # how Google's response sheet joins checkbox answers
PLATFORM_JOIN = "┋"    # how 问卷星 exports (and the 腾讯问卷 source's table) join several choices
SCORE = re.compile(r"^\s*(?P<got>\d+(?:\.\d+)?)\s*/\s*(?P<of>\d+(?:\.\d+)?)\s*$")


# ---------------------------------------------------------------- quarters and ids

def parse_quarter(text: str) -> str:
    """'2026Q4' (also '2026q4', '2026-Q4') -> '2026Q4'; HandbookError otherwise."""
    cleaned = str(text).strip().upper().replace("-", "")
    if not QUARTER.match(cleaned):
        raise HandbookError(Msg.BAD_QUARTER, text=text)
    return cleaned


def form_id(quarter: str) -> str:
    """The exam's form key in forms/ and the lock: 'exam-2026Q4'."""
    return f"{FORM_PREFIX}{parse_quarter(quarter)}"


def is_exam_form(checklist: str) -> bool:
    """Whether a form id (an ingest source's, or a key of the lock) names a quarterly exam quiz rather than a
    checklist."""
    return bool(FORM_ID.match(checklist or ""))


def quarter_of_form(checklist: str) -> str:
    m = FORM_ID.match(checklist)
    if not m:
        raise HandbookError(Msg.NOT_AN_EXAM_FORM, form=checklist)
    return m["quarter"]


def require_exam(s: Standards) -> Exam:
    exam = s.methods_file.exam
    if exam is None:
        raise HandbookError(Msg.NO_EXAM_BANK)
    return exam


# ---------------------------------------------------------------- labels and keys

def option_labels(q: ExamQuestion) -> list[str]:
    """The options as the form shows them (true/false questions get 正确 / 错误)."""
    return [TRUE_LABEL, FALSE_LABEL] if q.kind == "truefalse" else list(q.options)


def key_labels(q: ExamQuestion) -> list[str]:
    """The correct option labels of a question."""
    if q.kind == "truefalse":
        return [TRUE_LABEL if q.answer else FALSE_LABEL]
    return [q.options[i] for i in q.answer]


def key_text(q: ExamQuestion) -> str:
    """The key as printed: letters and labels for choice questions, 正确/错误 for true/false."""
    if q.kind == "truefalse":
        return key_labels(q)[0]
    return "、".join(f"{chr(65 + i)}. {q.options[i]}" for i in sorted(q.answer))


def question_title(number: int, q: ExamQuestion) -> str:
    """The question's title in the form (and its response-sheet column)."""
    return f"{number}. {q.text}"


_NUMBER_PREFIX = re.compile(r"^\s*\d+\s*[.、．]\s*")


def strip_number(title: str) -> str:
    return _NUMBER_PREFIX.sub("", title, count=1)


def total_points(exam: Exam) -> float:
    return sum(q.points for q in exam.questions)


def ordered_questions(exam: Exam) -> list[ExamQuestion]:
    """Questions grouped by topic in the order of exam.topics, YAML order within a topic."""
    order = {t: i for i, t in enumerate(exam.topics)}
    return sorted(exam.questions, key=lambda q: order.get(q.topic, len(order)))


# ---------------------------------------------------------------- the Google Forms quiz

def _feedback(q: ExamQuestion, right: bool) -> dict:
    head = "回答正确。" if right else f"正确答案：{'、'.join(key_labels(q))}。"
    return {"text": head + (q.feedback.strip() if q.feedback else "")}


def _grading(q: ExamQuestion) -> dict:
    if not float(q.points).is_integer():
        raise HandbookError(Msg.POINTS_NOT_WHOLE, question=q.id, points=f"{q.points:g}")
    return {"pointValue": int(q.points),
            "correctAnswers": {"answers": [{"value": v} for v in key_labels(q)]},
            "whenRight": _feedback(q, True),
            "whenWrong": _feedback(q, False)}


def build_quiz(s: Standards, quarter: str) -> FormSpec:
    """The Google Forms quiz of one quarter: create body, one batchUpdate, publish, question map."""
    exam = require_exam(s)
    quarter = parse_quarter(quarter)
    fid = form_id(quarter)
    title = f"{exam.title}（{quarter_label(quarter)}）"
    items: list[dict] = []
    questions: dict[str, dict] = {}

    def add(key: str, item_title: str, question: dict, entry: dict, description: str | None = None) -> None:
        item = {"itemId": stable_id(f"exam:item:{key}"), "title": item_title}
        if description:
            item["description"] = description
        item["questionItem"] = {"question": question}
        items.append(item)
        questions[question["questionId"]] = {**entry, "title": item_title}

    projects = [p.name for p in s.organisation.projects if p.active]
    add("field:project", PROJECT_TITLE,
        {"questionId": stable_id("exam:question:field:project"), "required": True,
         "choiceQuestion": {"type": "DROP_DOWN", "options": [{"value": p} for p in projects]}},
        {"field": "project"})
    if s.organisation.publish_names:
        add("field:name", NAME_TITLE,
            {"questionId": stable_id("exam:question:field:name"), "required": True,
             "textQuestion": {"paragraph": False}},
            {"field": "name"}, "填写姓名（不要填写电子邮箱）。")

    number = 0
    for topic in exam.topics:
        in_topic = [q for q in exam.questions if q.topic == topic]
        if not in_topic:
            continue
        points = sum(q.points for q in in_topic)
        items.append({"itemId": stable_id(f"exam:page:{topic}"), "title": topic,
                      "description": f"本部分 {len(in_topic)} 题，共 {points:g} 分。", "pageBreakItem": {}})
        for q in in_topic:
            number += 1
            add(f"question:{q.id}", question_title(number, q),
                {"questionId": stable_id(f"exam:question:{q.id}"), "required": True,
                 "grading": _grading(q),
                 "choiceQuestion": {"type": KIND_TYPES[q.kind],
                                    "options": [{"value": o} for o in option_labels(q)]}},
                {"exam_question": q.id, "answer": key_labels(q), "points": q.points},
                f"{KIND_NAMES[q.kind]} · {q.points:g} 分" + ("（全部选对才得分）" if q.kind == "multiple" else ""))

    check_unique_ids(fid, items)
    description = (f"{quarter_label(quarter)}客服人员综合考试（程序 4.4.3.2），共 {len(exam.questions)} 题，"
                   f"满分 {total_points(exam):g} 分，得分率 {exam.pass_percent:g}% 及格。"
                   "多选题全部选对才得分。成绩以客户关系部按题库答案评分为准。")
    return instrument_form(fid, title, s.document.version, description, items, questions, quiz=True)


def validate_quiz(spec: FormSpec) -> list[Problem]:
    """Quiz rules the discovery schema cannot express: isQuiz set, every exam question graded from its options."""
    problems: list[Problem] = []
    if not spec.settings.get("quizSettings", {}).get("isQuiz"):
        problems.append(Problem("batchUpdate.updateSettings.settings.quizSettings.isQuiz",
                                "测验表单必须设为 isQuiz: true"))
    for n, request in enumerate(spec.batch_update["requests"]):
        item = request.get("createItem", {}).get("item", {})
        question = item.get("questionItem", {}).get("question", {})
        entry = spec.questions.get(question.get("questionId"), {})
        if "exam_question" not in entry:
            continue
        where = f"batchUpdate.requests[{n}].createItem.item.questionItem.question"
        grading = question.get("grading")
        if not grading:
            problems.append(Problem(f"{where}.grading", f"考试题 {entry['exam_question']} 缺少评分（grading）"))
            continue
        options = [o.get("value") for o in question.get("choiceQuestion", {}).get("options", [])]
        answers = [a.get("value") for a in grading.get("correctAnswers", {}).get("answers", [])]
        if not answers or any(a not in options for a in answers):
            problems.append(Problem(f"{where}.grading.correctAnswers",
                                    f"考试题 {entry['exam_question']} 的正确答案 {answers} 不都在选项 {options} 中"))
        if grading.get("pointValue", 0) <= 0:
            problems.append(Problem(f"{where}.grading.pointValue", f"考试题 {entry['exam_question']} 的分值应大于 0"))
    return problems


# ---------------------------------------------------------------- reading and grading answers

def parse_score(text) -> tuple[float, float] | None:
    """Google's Score cell '8 / 10' (also '8.00 / 10') -> (8.0, 10.0); None when blank or unreadable."""
    if text is None:
        return None
    m = SCORE.match(str(text))
    return (float(m["got"]), float(m["of"])) if m else None


def split_answer(q: ExamQuestion, cell) -> tuple[list[str], bool]:
    """The chosen option labels of a cell and whether every part was an option.

    Checkbox answers are joined with ', ' and an option may itself contain ', ',
    so the cell is split by matching known options (longest first), not by commas.
    """
    text = "" if cell is None else str(cell).strip()
    if not text:
        return [], True
    labels = option_labels(q)
    if q.kind != "multiple":
        return [text], text in labels
    if PLATFORM_JOIN in text:   # the platforms' separator is in no option: split on it
        parts = [p.strip() for p in text.split(PLATFORM_JOIN) if p.strip()]
        return parts, all(p in labels for p in parts)
    ordered = sorted(labels, key=len, reverse=True)

    def parse(rest: str) -> list[str] | None:
        if not rest:
            return []
        for label in ordered:
            if rest == label:
                return [label]
            if rest.startswith(label + CHECKBOX_JOIN):
                tail = parse(rest[len(label) + len(CHECKBOX_JOIN):])
                if tail is not None:
                    return [label, *tail]
        return None

    parts = parse(text)
    if parts is None:
        return [p.strip() for p in text.split(",") if p.strip()], False
    return parts, True


def is_correct(q: ExamQuestion, chosen: list[str]) -> bool:
    """Single / true-false: equal to the key; multiple: exactly the key's set (all or nothing)."""
    key = key_labels(q)
    if q.kind == "multiple":
        return bool(chosen) and set(chosen) == set(key) and len(chosen) == len(set(chosen))
    return len(chosen) == 1 and chosen[0] == key[0]


@dataclass(frozen=True)
class GradedAnswer:
    question: str             # exam question id
    chosen: tuple[str, ...]   # option labels as answered
    correct: bool
    earned: float
    points: float
    valid: bool = True        # every chosen label is an option of the YAML question


@dataclass(frozen=True)
class Grade:
    earned: float
    total: float
    passed: bool
    answers: tuple[GradedAnswer, ...]

    @property
    def percent(self) -> float:
        return 100.0 * self.earned / self.total if self.total else 0.0


def grade(exam: Exam, answers: dict[str, list[str] | str | None]) -> Grade:
    """Grade one response from the YAML key. `answers`: question id -> labels (or the raw cell)."""
    graded = []
    for q in exam.questions:
        value = answers.get(q.id)
        if isinstance(value, (list, tuple)):
            chosen, valid = list(value), all(v in option_labels(q) for v in value)
        else:
            chosen, valid = split_answer(q, value)
        ok = is_correct(q, chosen)
        graded.append(GradedAnswer(q.id, tuple(chosen), ok, q.points if ok else 0.0, q.points, valid))
    earned = sum(a.earned for a in graded)
    total = total_points(exam)
    return Grade(earned, total, total > 0 and 100.0 * earned / total >= exam.pass_percent - 1e-9, tuple(graded))


# ---------------------------------------------------------------- the form's key against the YAML

@dataclass(frozen=True)
class ScoredResponse:
    """What key checking needs of a stored response: our answers and the form's score."""

    response: str                          # response id (or row label)
    chosen: dict[str, tuple[str, ...]]     # question id -> chosen labels
    form_score: float | None               # the sheet's Score, None when absent
    form_total: float | None = None


@dataclass
class KeyMismatch:
    """Responses whose form score differs from our grade, and the question(s) that explain it."""

    responses: list[str]                                  # response ids whose Score differs
    questions: dict[str, list[str]] = field(default_factory=dict)  # question id -> form's key as inferred
    explained: bool = False                               # the inferred keys reproduce every Score
    total_differs: bool = False                           # the form's maximum differs from the YAML total

    @property
    def message(self) -> str:
        n = len(self.responses)
        if self.questions:
            named = "；".join(Msg.EXAM_KEY_SEEMS(qid=qid, keys="、".join(k) or "（无）")
                             for qid, k in self.questions.items())
            return Msg.EXAM_KEY_DIFFERS(n=n, named=named, tail="" if self.explained else Msg.EXAM_KEY_PARTLY())
        return Msg.EXAM_SCORE_UNEXPLAINED(n=n, total=Msg.EXAM_TOTAL_DIFFERS() if self.total_differs else "")


def _form_score(exam: Exam, chosen: dict[str, tuple[str, ...]], keys: dict[str, tuple[str, ...]]) -> float:
    """The score a form with answer keys `keys` (others as the YAML) would give."""
    total = 0.0
    for q in exam.questions:
        picked = list(chosen.get(q.id, ()))
        key = keys.get(q.id)
        if key is None:
            ok = is_correct(q, picked)
        elif q.kind == "multiple":
            ok = bool(picked) and set(picked) == set(key)
        else:
            ok = len(picked) == 1 and picked[0] in key
        total += q.points if ok else 0.0
    return total


def _candidate_keys(q: ExamQuestion) -> list[tuple[str, ...]]:
    yaml_key = tuple(sorted(key_labels(q)))
    out = []
    if q.kind == "multiple":
        labels = option_labels(q)
        for size in range(1, len(labels) + 1):
            out += [tuple(sorted(c)) for c in combinations(labels, size)]
    else:
        out = [(label,) for label in option_labels(q)]
    return [c for c in out if c != yaml_key]


def find_key_mismatches(exam: Exam, responses: list[ScoredResponse], *, max_questions: int = 3) -> KeyMismatch | None:
    """None when every Score equals our grade; else which question keys in the form explain the Scores.

    Greedy: repeatedly adopt the (question, alternative key) that makes the most
    responses' predicted form score equal to their Score, up to `max_questions`.
    """
    scored = [r for r in responses if r.form_score is not None]
    ours = {r.response: grade(exam, {k: list(v) for k, v in r.chosen.items()}).earned for r in scored}
    bad = [r for r in scored if abs(r.form_score - ours[r.response]) > 1e-6]
    if not bad:
        return None
    total = total_points(exam)
    result = KeyMismatch([r.response for r in bad],
                         total_differs=any(r.form_total is not None and abs(r.form_total - total) > 1e-6
                                           for r in scored))
    by_id = {q.id: q for q in exam.questions}
    keys: dict[str, tuple[str, ...]] = {}

    def matching(trial: dict[str, tuple[str, ...]]) -> int:
        return sum(abs(_form_score(exam, r.chosen, trial) - r.form_score) < 1e-6 for r in scored)

    best = matching(keys)
    for _ in range(max_questions):
        choice = None
        for qid, q in by_id.items():
            if qid in keys:
                continue
            for cand in _candidate_keys(q):
                n = matching({**keys, qid: cand})
                if n > best:
                    best, choice = n, (qid, cand)
        if choice is None:
            break
        keys[choice[0]] = choice[1]
        if best == len(scored):
            break
    result.questions = {qid: list(k) for qid, k in keys.items()}
    result.explained = best == len(scored)
    return result
