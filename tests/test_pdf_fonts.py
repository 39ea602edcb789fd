"""The font subset the printables are set in: the same characters give the same font file whenever it is cut."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from generator.printing import fonts

pytestmark = pytest.mark.slow   # cuts the system's CJK font (about 20 MB) with fontTools


def test_a_subset_cut_again_later_has_the_same_bytes(tmp_path):
    found = fonts._locate("Regular")
    assert found is not None, "fonts-noto-cjk (Noto Sans CJK SC) is needed to print"
    source, index = found
    chars = set("客服品质周报↑↓")
    with time_machine.travel(dt.datetime(2026, 12, 6, 4, 0, tzinfo=dt.timezone.utc), tick=False):
        fonts._cut(source, index, chars, tmp_path / "first.otf")
    with time_machine.travel(dt.datetime(2027, 3, 1, 9, 30, tzinfo=dt.timezone.utc), tick=False):
        fonts._cut(source, index, chars, tmp_path / "second.otf")
    first, second = (tmp_path / "first.otf").read_bytes(), (tmp_path / "second.otf").read_bytes()
    assert len(first) > 1000
    assert first == second

    from fontTools.ttLib import TTFont

    cut = TTFont(str(tmp_path / "first.otf"))
    assert {ord(c) for c in chars} <= set(cut.getBestCmap())
