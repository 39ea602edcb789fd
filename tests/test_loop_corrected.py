"""当场纠正 per finding: the patrol form asks it as the printed sheet does, one tick per finding
(`已当场纠正的条目（<section>）`, a checkbox of the section's items), through the real CLI (`handbook ingest`,
`handbook export`) and a real store. The first form versions' 是/否 per section keeps its meaning.

Monday to Friday. 4.2.1.1-a has 1 working day to fix, 4.2.1.2-c 3; both are in 4.2.1.

  wutong   11-02 (Mon) 09:00, new form: 4.2.1.1-a 1 处 ticked, 4.2.1.2-c 2 处 not ticked, 4.2.1.2-e 符合 ticked
           -> a closed on the spot 11-02; c open, due 11-05 (03, 04, 05); the tick on e opens nothing
  lanting  11-02 (Mon) 10:00, first form: 4.2.1 已当场纠正 是 with a and c found
           -> both closed on the spot (the section's answer holds for each finding of it)
  (data until 11-04, the last submission: c of wutong is not yet due, 整改中)
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import sqlite3
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from generator.forms.form_spec import build_form
from generator.ingest.columns import Rejected
from generator.instruments.patrol.mapping import corrected_codes
from generator.store import read_inspections, read_quarantine
from generator.inspection import corrected_items_title, corrected_title
from generator.instruments import INSTRUMENTS
from generator.instruments.patrol import simulate as sim
from generator.printing.sheet_html import build_sheet, render_sheet_html

from test_loop import S, patrol, run, write_standards

TZ = ZoneInfo("Asia/Shanghai")
D = dt.date
A, C, E, X1 = "4.2.1.1-a", "4.2.1.2-c", "4.2.1.2-e", "4.2.2.1-x1"
ROOT = Path(__file__).resolve().parent.parent


def choice(code: str) -> str:
    """A checkbox choice as the form offers it (and the sheet writes it): the code and the item's short title."""
    return f"{code} {S.items[code].short}"


def export_rows(rows: list[list], *, first_form: bool = False) -> list[list]:
    """Simulated rows as Google's sheet holds them; `first_form`: the header of the first form versions
    (已当场纠正 是/否 per section) instead of the checkbox of each section's items."""
    if not first_form:
        return rows
    sections = {corrected_items_title(s.number, s.title): corrected_title(s.number, s.title) for s in S.sections}
    return [[sections.get(h, h) for h in rows[0]], *rows[1:]]


def write(path: Path, rows: list[list]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\r\n").writerows(
            [rows[0], *[[sim.format_cell(v, "zh-CN") for v in r] for r in rows[1:]]])
    return path


def ingest(root: Path, standards: Path, store: Path, path: Path, lock: Path | None = None):
    return run("ingest", "--file", path, "--checklist", "daily-patrol", "--store", store, "--standards", standards,
               "--lock", lock or root / "no-lock.yaml")


def actions(store: Path, standards: Path) -> dict:
    result = run("export", "--table", "actions", "--store", store, "--standards", standards)
    assert result.exit_code == 0, result.output
    return {(r["project"], r["code"]): r for r in json.loads(result.output)}


def sections_rows(store: Path) -> list[tuple]:
    with sqlite3.connect(store) as conn:
        rows = conn.execute("SELECT v.project, s.section, s.corrected FROM sections s JOIN inspections i "
                            "ON i.id = s.inspection_id AND s.version = i.current_version JOIN versions v "
                            "ON v.inspection_id = i.id AND v.version = i.current_version").fetchall()
    conn.close()
    return sorted(rows)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("corrected")
    standards = write_standards(root / "standards")
    header = sim.header(S, "daily-patrol")
    ticks = header.index(corrected_items_title("4.2.1", S.sections[0].title))
    new = sim.sheet_values(S, "daily-patrol", [patrol("wutong", D(2026, 11, 2), 9, {A: 1, C: 2})])
    new[1][ticks] = f"{choice(A)}, {choice(E)}"          # c is not ticked; e was answered 符合
    old = sim.sheet_values(S, "daily-patrol", [patrol("lanting", D(2026, 11, 2), 10, {A: 1, C: 1}),
                                              patrol("lanting", D(2026, 11, 4), 9, na=(A, C))])
    old[1][ticks] = "是"
    store = root / "store.sqlite"
    results = [ingest(root, standards, store, write(root / "new.csv", new)),
               ingest(root, standards, store, write(root / "old.csv", export_rows(old, first_form=True)))]
    return dict(root=root, standards=standards, store=store, results=results, new=new)


def test_a_finding_ticked_corrected_closes_on_the_spot_and_the_other_stays_open_with_its_deadline(world):
    assert [r.exit_code for r in world["results"]] == [0, 0], [r.output for r in world["results"]]
    got = actions(world["store"], world["standards"])
    a, c = got[("wutong", A)], got[("wutong", C)]
    assert (a["opened"], a["due"], a["closed"], a["how"], a["overdue"]) == \
        ("2026-11-02", "2026-11-03", "2026-11-02", "on_site", False)
    assert (c["opened"], c["due"], c["closed"], c["how"], c["overdue"], c["status"]) == \
        ("2026-11-02", "2026-11-05", None, None, False, "整改中")
    assert ("wutong", E) not in got        # the tick on an item answered 符合 opens nothing, and is no error
    # the store keys the flags by item code: each finding its own, the tick on 符合 kept as given
    assert [r for r in sections_rows(world["store"]) if r[0] == "wutong"] == \
        [("wutong", A, 1), ("wutong", C, 0), ("wutong", E, 1)]
    assert not [q for q in read_quarantine(world["store"])]


def test_the_first_forms_section_yes_still_closes_every_finding_of_that_section(world):
    got = actions(world["store"], world["standards"])
    for code in (A, C):
        assert (got[("lanting", code)]["closed"], got[("lanting", code)]["how"]) == ("2026-11-02", "on_site")
    # kept as the section's answer, not copied onto its items
    assert [r for r in sections_rows(world["store"]) if r[0] == "lanting"] == [("lanting", "4.2.1", 1)]
    result = run("export", "--table", "inspections", "--store", world["store"], "--standards", world["standards"])
    lanting = next(r for r in json.loads(result.output) if r["project"] == "lanting" and r["findings"])
    assert lanting["findings"] == [{"code": A, "count": 1, "corrected_on_site": True},
                                   {"code": C, "count": 1, "corrected_on_site": True}]


def test_an_answer_naming_an_item_not_on_the_page_is_quarantined_nothing_else_lost(world, tmp_path):
    rows = [list(r) for r in world["new"]]
    ticks = rows[0].index(corrected_items_title("4.2.1", S.sections[0].title))
    rows[1][ticks] = f"{choice(A)}, {choice(X1)}"          # 4.2.2.1-x1 is on the next page, not an option here
    again = sim.sheet_values(S, "daily-patrol", [patrol("haitang", D(2026, 11, 3), 9, {A: 1})])
    store = tmp_path / "s.sqlite"
    result = ingest(world["root"], world["standards"], store, write(tmp_path / "bad.csv", [*rows, again[1]]))
    assert result.exit_code == 0, result.output
    (q,) = read_quarantine(store)
    assert (q.row_number, q.reason) == (2, f"已当场纠正的条目（4.2.1）的答案“{choice(X1)}”不是本页的条目")
    assert [i.project for i in read_inspections(store)] == ["haitang"]
    # the data-quality page names the column, never the cell
    from generator.results.publish import public_reason
    assert public_reason(q.reason_code, q.reason) == ("已当场纠正的条目（4.2.1）", "答案不是选项")


def test_a_sheet_with_both_columns_reads_each_row_by_the_form_version_it_was_answered_on(world, tmp_path):
    """The form pushed again with the checkbox (same standards version): the lock's version holds both
    questions, the sheet keeps the first form's 是/否 column beside the new one; each row answers one."""
    spec = build_form(S, "daily-patrol", instruments=INSTRUMENTS)
    questions = dict(spec.questions)
    for s in S.sections[:2]:
        questions[f"old-{s.number}"] = {"section": s.number, "kind": "corrected",
                                        "title": corrected_title(s.number, s.title)}
    lock = tmp_path / "forms.lock.yaml"
    lock.write_text(yaml.safe_dump({"checklists": {"daily-patrol": {
        "form_id": "F1", "responder_url": "https://docs.google.com/forms/d/e/F1/viewform", "sheets": [],
        "versions": {spec.version: {"revision_id": "r2", "pushed": dt.datetime(2026, 11, 3, 12, 0, tzinfo=TZ),
                                    "options": list(spec.options), "answers": dict(spec.answers),
                                    "questions": questions}}}}}, allow_unicode=True), encoding="utf-8")
    rows = sim.sheet_values(S, "daily-patrol", [patrol("lanting", D(2026, 11, 2), 10, {A: 1, C: 1}),
                                               patrol("wutong", D(2026, 11, 4), 9, {A: 1, C: 2})])
    ticks = rows[0].index(corrected_items_title("4.2.1", S.sections[0].title))
    rows[0].insert(ticks, corrected_title("4.2.1", S.sections[0].title))
    rows[1].insert(ticks, "是")                      # answered on the first form: its 是/否
    rows[1][ticks + 1] = ""
    rows[2].insert(ticks, "")                        # answered on the new form: c ticked, a not
    rows[2][ticks + 1] = choice(C)
    store = tmp_path / "s.sqlite"
    result = ingest(world["root"], world["standards"], store, write(tmp_path / "both.csv", rows), lock)
    assert result.exit_code == 0, result.output
    got = actions(store, world["standards"])
    assert [(got[("lanting", code)]["how"]) for code in (A, C)] == ["on_site", "on_site"]
    assert (got[("wutong", A)]["how"], got[("wutong", A)]["due"]) == (None, "2026-11-05")
    assert (got[("wutong", C)]["how"], got[("wutong", C)]["closed"]) == ("on_site", "2026-11-04")


@pytest.mark.parametrize("cell, codes", [
    (f"{choice(A)}, {choice(C)}", [A, C]),                       # Google's sheet
    (f"{choice(A)}┋{choice(C)}", [A, C]),                        # 问卷星, 腾讯问卷
    (choice(C), [C]),
    ("4.2.1.1-a 改过名的条目, 4.2.1.2-c 含逗号, 的文字", [A, C]),  # the code decides, not the text after it
])
def test_the_ticked_codes_are_read_from_each_choices_code(cell, codes):
    assert corrected_codes(cell, (A, C, E), "4.2.1") == codes


@pytest.mark.parametrize("cell", ["是", "其他：门口", f"{choice(A)}, 4.2.9.9-z 不存在的条目"])
def test_a_choice_that_is_not_one_of_the_pages_items_is_rejected(cell):
    with pytest.raises(Rejected) as caught:
        corrected_codes(cell, (A, C, E), "4.2.1")
    assert caught.value.code == "not_an_option"


class _SheetSections(HTMLParser):
    """Section title -> the item codes the printed sheet lists under it (`tr.section`, then `td.code` cells)."""

    def __init__(self):
        super().__init__()
        self.sections: dict[str, list[str]] = {}
        self._current: str | None = None
        self._cell: str | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        if tag == "tr" and "section" in classes:
            self._cell, self._text = "section", ""
        elif tag == "td" and "code" in classes:
            self._cell, self._text = "code", ""

    def handle_data(self, data):
        if self._cell:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "tr" and self._cell == "section":
            self._current = self._text.strip()
            self.sections[self._current] = []
            self._cell = None
        elif tag == "td" and self._cell == "code":
            self.sections[self._current].append(self._text.strip())
            self._cell = None


@pytest.mark.parametrize("checklist", ["daily-patrol", "crd-spot-check"])
def test_the_printed_sheet_and_the_form_list_the_same_items_per_section(checklist):
    form = json.loads((ROOT / "forms" / f"{checklist}.json").read_text(encoding="utf-8"))
    items = [r["createItem"]["item"] for r in form["batchUpdate"]["requests"] if "createItem" in r]
    checkboxes = {}
    for item in items:
        if item["title"].startswith("已当场纠正的条目"):
            number = re.match(r"已当场纠正的条目（(\S+) ", item["title"])[1]
            options = item["questionItem"]["question"]["choiceQuestion"]["options"]
            checkboxes[number] = [o["value"].split(" ")[0] for o in options]
    parser = _SheetSections()
    parser.feed(render_sheet_html(build_sheet(S, checklist)))
    printed = {title.split(" ")[0]: codes for title, codes in parser.sections.items()}
    assert printed and set(printed) == set(checkboxes)
    for number, codes in printed.items():
        assert codes == checkboxes[number], number
    # each item the sheet prints is one the form asks, and one its page's checkbox offers
    asked = {i["title"].split(" ")[0] for i in items if re.match(r"\d+(\.\d+)+", i["title"])}
    assert {c for codes in printed.values() for c in codes} <= asked
    assert A in printed["4.2.1"] and X1 in printed["4.2.2"]
