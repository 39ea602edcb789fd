"""Cross-checks of the exam bank in methods.yaml that its schema cannot express (`QuarterlyExam.check_standards`).

Not a printed source: its messages are diagnostics, not text of the exam's PDFs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:   # annotations only: `handbook check` and --help load every instrument's checks
    from ...standards import FileChecks, Standards


def check_exam_bank(s: Standards, checks: FileChecks) -> None:
    """Cross-checks of methods.yaml `exam` the schema cannot express (QuarterlyExam.check_standards):
    its method, unique question ids, known topics, and keys that fit each question's kind and options."""
    exam = s.methods_file.exam
    if exam is None:
        return
    checks.ref(("exam", "method"), exam.method, set(s.methods), "检查方式")
    checks.unique([(("exam", "questions", i, "id"), q.id) for i, q in enumerate(exam.questions)], "题目代号")
    for i, q in enumerate(exam.questions):
        base = ("exam", "questions", i)
        checks.ref(base + ("topic",), q.topic, exam.topics, "主题")
        if q.kind == "truefalse":
            if not isinstance(q.answer, bool) or q.options:
                checks.add(base + ("answer",), "invalid", key="answer",
                           reason="判断题的 answer 为 true 或 false，且不填 options")
            continue
        if isinstance(q.answer, bool) or len(q.options) < 2:
            checks.add(base + ("answer",), "invalid", key="answer",
                       reason="选择题要有至少 2 个 options，answer 为选项序号列表（从 0 起）")
            continue
        if any(not 0 <= a < len(q.options) for a in q.answer) or len(set(q.answer)) != len(q.answer):
            checks.add(base + ("answer",), "invalid", key="answer",
                       reason=f"选项序号应在 0 到 {len(q.options) - 1} 之间且不重复")
        elif q.kind == "single" and len(q.answer) != 1:
            checks.add(base + ("answer",), "invalid", key="answer", reason="单选题只能有一个正确答案")
        elif q.kind == "multiple" and not q.answer:
            checks.add(base + ("answer",), "invalid", key="answer", reason="多选题至少有一个正确答案")
