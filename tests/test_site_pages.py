"""Generated pages from the model: what each page says, anchors, the worked example, escaping."""

from __future__ import annotations

import re

import markdown
import pytest

from generator.site import generate_pages, item_link, item_url
from generator import labels as views
from generator.standards import load_standards, require_standards
from generator.instruments import INSTRUMENTS

from conftest import STANDARDS, edited


@pytest.fixture(scope="module")
def standards():
    return require_standards(STANDARDS, instruments=INSTRUMENTS)


@pytest.fixture(scope="module")
def pages(standards):
    return {p.path: p.text for p in generate_pages(standards).pages}


def test_item_url_is_the_code_on_its_section_page(standards):
    assert item_url("4.2.1.1-a") == "standards/4.2.1/#4.2.1.1-a"
    assert item_url("4.2.3.2") == "standards/4.2.3/#4.2.3.2"
    for code in standards.items:
        assert item_url(code) == item_url(code, standards), code
    assert item_link("4.2.1.2-d", "results/archive/2026-w01.md") == "../../standards/4.2.1.md#4.2.1.2-d"
    assert item_link("4.2.1.2-d", "index.md") == "standards/4.2.1.md#4.2.1.2-d"


def test_every_item_has_a_card_with_its_rules(standards, pages):
    for section in standards.sections:
        text = pages[f"standards/{section.number}.md"]
        html = markdown.markdown(text, extensions=["attr_list", "md_in_html", "admonition", "toc"])
        for item in section.items:
            card = html.split(f'id="{item.code}"')[1].split("</div>")[0]
            assert item.short in card and item.text in card
            assert f"分值</strong>：{item.points:g} 分" in card
            assert f"每处扣 {item.deduction:g} 分，扣完为止" in card
            assert ("红线" in card) == item.critical, item.code
            assert ("示例（非公司原文）" in card) == item.example, item.code
            for method in item.methods:
                assert standards.methods[method].name in card
            for role in item.roles:
                assert standards.roles[role].name in card
            assert views.fix_within_label(item.fix_within_days) in card
            if item.guidance:
                assert item.guidance in card


def test_procedure_page_has_every_clause_change_note_and_the_correction(standards, pages):
    text = pages["standards/procedure.md"]
    for number in standards.clauses:
        assert f"clause-{number}" in text, number
    for change in standards.document.changes:
        for note in change.notes:
            assert note.replace("*", "\\*") in text
    assert "原文编号为 4.2.2.2，本手册已更正为 4.2.1.2" in text
    assert "本手册补充" in text                              # 6.0 is marked as added
    assert not re.search(r"经办人[:：]|\d{7,}|电话[:：]", text), "no handler name or phone number"
    for doc in standards.procedure.documents:
        assert doc.title in text


def test_role_pages_say_what_how_often_and_which_checklist(standards, pages):
    text = pages["roles/cs_supervisor.md"]
    assert "每个项目每天不少于 2 次" in text
    assert "客服中心每日巡查表" in text and "../print/daily-patrol.pdf" in text
    assert "4.2.1.2-d" in text and "4.2.3.1" not in text
    assert "每个项目每月不少于 1 次" in pages["roles/crd.md"]
    # the inspected staff's pages: what they are checked on, the 红线 items, how often, the exam
    staff = pages["roles/cs_staff.md"]
    assert "## 检查什么" in staff and "4.2.1 服务场景" in staff
    assert "[4.2.1.2-d](../standards/4.2.1.md#4.2.1.2-d) 不随意吐痰" in staff
    assert "- 客服主管：每个项目每天不少于 2 次" in staff and "得分率 60% 及格" in staff


def test_scoring_example_follows_the_rules(standards, pages):
    first, second = views.worked_examples(standards)
    applicable = [r for r in first.rows if r.findings is not None]
    assert any(r.findings is None for r in first.rows), "the example shows 不适用"
    assert any(r.findings and r.item.points - r.findings * r.item.deduction < 0 for r in first.rows), "扣完为止"
    earned = sum(max(0, r.item.points - r.findings * r.item.deduction) for r in applicable)
    possible = sum(r.item.points for r in applicable)
    assert (first.earned, first.possible) == (earned, possible)
    assert first.grade == standards.grade(round(100 * earned / possible, 1))
    assert second.critical_failed and second.grade == "不合格"
    text = pages["standards/scoring.md"]
    assert f"{earned:g} ÷ {possible:g} = **{first.percent:g}%**" in text
    assert f"评级 **{first.grade}**" in text
    for band in standards.organisation.grades:
        assert f"**{band.name}**：{band.min:g}% ≤ 得分率" in text


def test_item_score_rules():
    assert views.item_score(5, 1, 2) == 3
    assert views.item_score(3, 1, 4) == 0          # 扣完为止
    assert views.item_score(5, 5, 0) == 5
    assert views.item_score(4, 2, None) is None    # 不适用


def test_navigation_lists_every_generated_page(standards):
    site = generate_pages(standards)
    flat = repr(site.nav)
    for page in site.pages:
        assert f"'{page.path}'" in flat, page.path


def test_text_from_yaml_is_escaped():
    texts = edited("procedure.yaml", "text: 不得在办公区随意吐痰。",
                   "text: \"<script>alert(1)</script> *不得* [吐痰](http://x.example) &amp;\"")
    s = load_standards(texts=texts, instruments=INSTRUMENTS).standards
    text = {p.path: p.text for p in generate_pages(s).pages}["standards/4.2.1.md"]
    html = markdown.markdown(text, extensions=["attr_list", "md_in_html", "toc"])
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<em>" not in html and 'href="http://x.example"' not in html
    assert "&amp;amp;" in html
