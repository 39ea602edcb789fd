"""Shared helpers of the ingest tests."""

from __future__ import annotations

from generator.forms.lock_file import FormVersion, Lock, LockedForm

# The items the hand-made exports in tests/data/ingest ask: an older, shorter daily-patrol form.
FIXTURE_ITEMS = ("4.2.1.1-a", "4.2.1.2-a", "4.2.1.2-d", "4.2.2.1-x1", "4.2.2.1-x4")


def old_form_lock(*codes: str, checklist: str = "daily-patrol", name: str = "old") -> Lock:
    """A lock recording one form version of the checklist, live from the start, that asked only these items
    (as `handbook forms push` records a version: one question per item)."""
    questions = {f"q{i}": {"item": code, "title": code} for i, code in enumerate(codes)}
    return Lock({checklist: LockedForm(checklist, (), (FormVersion(name, None, (), questions),))})
