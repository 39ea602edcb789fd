"""Shared fixtures: the real standards as text, and helpers to edit them inline."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STANDARDS = ROOT / "standards"


def standards_texts() -> dict[str, str]:
    """The real standards files as {name: text}."""
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(STANDARDS.glob("*.yaml"))}


def edited(name: str, old: str, new: str) -> dict[str, str]:
    """The real standards with one exact edit in one file (the edit must apply)."""
    texts = standards_texts()
    assert old in texts[name], f"{old!r} not in {name}"
    texts[name] = texts[name].replace(old, new, 1)
    return texts


def line_of(text: str, needle: str, nth: int = 1) -> int:
    """1-based line number of the nth line containing `needle`."""
    hits = [i for i, line in enumerate(text.splitlines(), 1) if needle in line]
    return hits[nth - 1]


@pytest.fixture
def standards_dir(tmp_path) -> Path:
    """A writable copy of the real standards folder."""
    folder = tmp_path / "standards"
    folder.mkdir()
    for name, text in standards_texts().items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder
