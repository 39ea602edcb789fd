"""Shared fixtures: the real standards as text, and helpers to edit them inline."""

from __future__ import annotations

import datetime as dt
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


@pytest.fixture
def short_busy_timeout(monkeypatch) -> float:
    """The store's busy timeout cut from 5 s to 0.3 s for a test that holds a lock on purpose, so the
    commands it expects to say "locked" give up at once instead of waiting the production default."""
    from generator.ingest import store

    monkeypatch.setattr(store, "BUSY_TIMEOUT", 0.3)
    return store.BUSY_TIMEOUT


DEMO_START, DEMO_END = dt.date(2026, 10, 5), dt.date(2026, 11, 22)


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory):
    """`handbook demo` built once for the whole run (simulate, ingest, build with results): the browser tests
    share it. Returns (root folder, DemoReport); the site is root/public."""
    from generator.demo import run_demo
    from site_helpers import copy_site_sources

    root = tmp_path_factory.mktemp("demo")
    docs, config = copy_site_sources(root)
    report = run_demo(STANDARDS, work_dir=root / "work", out_dir=root / "public", docs_dir=docs,
                      config_file=config, start=DEMO_START, end=DEMO_END)
    return root, report
