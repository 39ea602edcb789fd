"""The weekly 抽问卡: half its questions from the project's weakest topics (its random
questioning and the 4.2.3 findings of its inspections), reproducibly; no command and no question id on it;
one A4 page for every project."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from generator.inspection import Inspection
from generator.instruments.questioning import draw
from generator.instruments.questioning.grid import Asked
from generator.standards import load_standards
from generator.context import printed_sources
from generator.instruments import INSTRUMENTS

from conftest import STANDARDS

S = load_standards(STANDARDS, instruments=INSTRUMENTS).standards
TZ = ZoneInfo("Asia/Shanghai")
DAY = dt.date(2026, 11, 18)


def asked(question, result, project="wutong", n=1):
    return [Asked(f"{project}-{question}-{k}", project, dt.date(2026, 11, 2), "王伟", "", question, result)
            for k in range(n)]


def spot(k, project, findings):
    day = dt.date(2026, 11, 3) + dt.timedelta(days=k)
    return Inspection(f"{project}-{k}", "crd-spot-check", project, "crd", "王伟", day,
                      dt.datetime.combine(day, dt.time(10), TZ), findings=findings)


# 梧桐苑: 员工守则 answered wrong twice (weakness 1.0); 劳动纪律 right once, 部分 once (weakness 0.25);
# 工作职责 right (0: not weak). 兰亭雅居: 员工守则 right.
ASKED = (asked("rules-1", "答错", n=2) + asked("discipline-1", "答对") + asked("discipline-2", "部分")
         + asked("duty-1", "答对") + asked("rules-1", "答对", project="lanting"))


def test_weak_topics_from_questioning_and_findings():
    assert draw.weak_topics(S, "wutong", ASKED) == ["员工守则", "劳动纪律"]
    assert draw.weak_topics(S, "lanting", ASKED) == []            # right answers only: nothing weak
    bank = S.methods_file.questioning.questions
    item_topics = {}
    for q in bank:
        item_topics.setdefault(q.item, set()).add(q.topic)
    # a 4.2.3 item only some topics' questions are about: found on 2 of 4 spot checks -> weakness 0.5
    item, topics = next((i, t) for i, t in item_topics.items() if i != "4.2.3.1")
    checks = [spot(k, "wutong", {item: 1 if k < 2 else 0}) for k in range(4)]
    assert set(draw.weak_topics(S, "wutong", [], checks)) == topics
    # both sources of a topic are averaged: 员工守则 (1.0) and its item's findings
    with_both = draw.weak_topics(S, "wutong", ASKED, checks)
    assert with_both[0] == "员工守则"


def test_half_the_weekly_questions_come_from_the_weak_topics_reproducibly():
    weak = draw.weak_topics(S, "wutong", ASKED)
    seed, drawn, targeted = draw.weekly_draw(S, "wutong", DAY, weak=weak)
    assert seed == 202647 and len(drawn) == 5 and len({q.id for q in drawn}) == 5
    assert [q.topic for q in drawn[:2]] == ["员工守则", "劳动纪律"]          # 5 // 2 = 2, weakest first
    assert targeted == {q.id for q in drawn[:2]}
    assert draw.weekly_draw(S, "wutong", DAY, weak=weak) == (seed, drawn, targeted)     # the same card again
    # without weak topics the card is the plain draw of the week (as `questions draw --seed 202647` gives)
    assert draw.weekly_draw(S, "wutong", DAY)[1] == draw.draw_questions(S, "wutong", 5, 202647)[1]


@pytest.mark.slow
def test_weekly_cards_fit_one_page_without_commands_or_ids(tmp_path):
    written = draw.write_weekly_cards(S, tmp_path, DAY, asked=ASKED, printed_sources=printed_sources(INSTRUMENTS))
    assert written == [f"print/questioning-{p.id}.pdf" for p in S.organisation.projects if p.active]
    ids = {q.id for q in S.methods_file.questioning.questions}
    for rel in written:
        pdf = PdfReader(tmp_path / rel)
        assert len(pdf.pages) == 1, rel
        text = pdf.pages[0].extract_text()
        assert "handbook" not in text and "--" not in text, rel
        assert not re.search(r"\b[a-z]+-\d\b", text), rel
        assert not ids & set(re.findall(r"[a-z]+-\d", text)), rel
    wutong = re.sub(r"\s+", "", PdfReader(tmp_path / "print/questioning-wutong.pdf").pages[0].extract_text())
    assert wutong.count("薄弱主题") == 2 + 1          # two questions marked, and the line that explains it
