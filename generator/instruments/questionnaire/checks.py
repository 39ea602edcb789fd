"""Cross-checks of the questionnaire in methods.yaml that its schema cannot express
(`CustomerQuestionnaire.check_standards`). Not a printed source: its messages are diagnostics.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:   # annotations only: `handbook check` and --help load every instrument's checks
    from ...standards import FileChecks, Standards


def check_questionnaire(s: Standards, checks: FileChecks) -> None:
    """Cross-checks of methods.yaml `questionnaire` the schema cannot express
    (CustomerQuestionnaire.check_standards): its method, unique question ids, a scale going up."""
    q = s.methods_file.questionnaire
    if q is None:
        return
    checks.ref(("questionnaire", "method"), q.method, set(s.methods), "检查方式")
    checks.unique([(("questionnaire", "questions", i, "id"), x.id) for i, x in enumerate(q.questions)], "题目代号")
    if q.scale.min >= q.scale.max:
        checks.add(("questionnaire", "scale"), "invalid", key="scale", reason="min 必须小于 max")
