"""Cross-checks of the questioning bank in methods.yaml that its schema cannot express
(`RandomQuestioning.check_standards`). Not a printed source: its messages are diagnostics.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:   # annotations only: `handbook check` and --help load every instrument's checks
    from ...standards import FileChecks, Standards


def check_bank(s: Standards, checks: FileChecks) -> None:
    """Cross-checks of methods.yaml `questioning` the schema cannot express (RandomQuestioning.check_standards):
    its method, unique question ids, and the items the questions are about."""
    bank = s.methods_file.questioning
    if bank is None:
        return
    checks.ref(("questioning", "method"), bank.method, set(s.methods), "检查方式")
    checks.unique([(("questioning", "questions", i, "id"), q.id) for i, q in enumerate(bank.questions)], "题目代号")
    for i, q in enumerate(bank.questions):
        checks.ref(("questioning", "questions", i, "item"), q.item, list(s.items), "条目")
