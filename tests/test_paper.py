"""Sheets and forms an inspector with a pen and an owner with a phone can use.

Rendered for real (WeasyPrint), read back (pypdf, pdftoppm) and scanned (zbarimg): what the
procedure records is on paper, there is room to write, the daily sheet stays on one page, pages
2+ say whose they are, QR codes open the prefilled form and appear only when there is one.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
import subprocess

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from generator.cli import main
from generator.demo import demo_lock
from generator.forms.form_spec import build_forms
from generator.forms.prefill import project_links
from generator.forms.validate import validate_spec
from generator.ingest import run_ingest
from generator.ingest.run import file_source
from generator.context import printed_sources
from generator.instruments import INSTRUMENTS
from generator.site import method_pages as pages
from generator.instruments.questioning import draw
from generator.instruments.questionnaire import survey
from generator.printing import build_sheet, render_sheet_html
from generator.printing.pdf import html_to_pdf
from generator.printing.sheet_html import stylesheet_text
from generator.results.focus import FocusEntry
from generator.site.handbook_pages import generate_pages
from generator.standards import require_standards

from conftest import ROOT
from site_helpers import output_dir

pytestmark = pytest.mark.slow   # every printed sheet rendered as PDF and looked at

RESPONDER = "https://docs.google.com/forms/d/e/1FAIpQLSdExampleFormIdOfFiftySixCharactersAbCdEfGhIjKlMnOp/viewform"


@pytest.fixture(scope="module")
def standards():
    return require_standards(ROOT / "standards", instruments=INSTRUMENTS)


def pushed_lock(standards, *form_ids, demo=False) -> dict:
    """A lock as `handbook forms push` records the forms (the project question's id and title)."""
    specs = build_forms(standards, INSTRUMENTS)
    entries = {fid: {"form_id": f"id-{fid}", "responder_url": RESPONDER.replace("Example", fid.replace("-", "")),
                     "sheets": [], "versions": {specs[fid].version: {"questions": specs[fid].questions}}}
               for fid in form_ids}
    return {"demo": True, "checklists": entries} if demo else {"checklists": entries}


FOCUS = tuple(FocusEntry(code, text, ("十一月品质例会（2026-11-02）", "近 4 周 5 次检查发现问题")) for code, text in [
    ("4.2.1.2-a", "地面干净"), ("4.2.4.1-x2", "回访记录及时"), (None, "前台接待时有客户排队无人引导，请项目经理跟进"),
    ("4.2.2.1-x1", "着装整洁、佩戴工牌"), ("4.2.1.1-a", "办公区物品与桌面整洁")])


@pytest.fixture(scope="module")
def rendered(standards, tmp_path_factory):
    """The sheets an inspector prints: with and without a focus list and a form, blank and per project."""
    out = tmp_path_factory.mktemp("paper")
    lock = pushed_lock(standards, "daily-patrol", "crd-spot-check")
    links = {c: project_links(lock, standards, c) for c in ("daily-patrol", "crd-spot-check")}
    demo = demo_lock(standards, INSTRUMENTS)
    sheets = {
        "daily-blank": build_sheet(standards, "daily-patrol"),
        "daily-focus-qr": build_sheet(standards, "daily-patrol", "wutong", FOCUS,
                                      form_url=links["daily-patrol"]["wutong"]),
        "daily-qr": build_sheet(standards, "daily-patrol", "lanting", form_url=links["daily-patrol"]["lanting"]),
        "daily-no-form": build_sheet(standards, "daily-patrol", "binjiang", FOCUS),
        "daily-demo": build_sheet(standards, "daily-patrol", "xiangshu",
                                  form_url=project_links(demo, standards, "daily-patrol")["xiangshu"], demo=True),
        "crd-blank": build_sheet(standards, "crd-spot-check"),
        "crd-focus-qr": build_sheet(standards, "crd-spot-check", "wutong", FOCUS,
                                    form_url=links["crd-spot-check"]["wutong"]),
    }
    paths = {}
    for name, sheet in sheets.items():
        paths[name] = out / f"{name}.pdf"
        html_to_pdf(render_sheet_html(sheet, None), stylesheet_text(), paths[name])
    return {"lock": lock, "links": links, "demo": demo, "paths": paths, "sheets": sheets}


def texts(path) -> list[str]:
    return [re.sub(r"\s+", "", page.extract_text()) for page in PdfReader(path).pages]


def qr_codes(pdf, page: int = 1, dpi: int = 150) -> list[str]:
    """Every QR code zbarimg finds on a page rendered at `dpi` (as a phone camera sees a printout)."""
    stem = pdf.with_name(f"{pdf.stem}-scan")
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", "-f", str(page), "-l", str(page), "-singlefile",
                    str(pdf), str(stem)], check=True)
    result = subprocess.run(["zbarimg", "-q", "--raw", "-Sdisable", "-Sqrcode.enable", str(stem) + ".png"],
                            capture_output=True, text=True)
    assert result.returncode in (0, 4), result.stderr     # 4: no code found
    return [line for line in result.stdout.splitlines() if line]


# ---------------------------------------------------------------- 1. what the procedure records

def test_daily_sheet_records_round_time_and_person_at_fault(rendered):
    for name in ("daily-blank", "daily-focus-qr", "daily-no-form"):
        text = texts(rendered["paths"][name])[0]
        assert "巡查轮次□上午□下午当天第□1□2次" in text, name
        assert "巡查时间时分" in text
        assert "被检查人员（选填：发现问题的当事人姓名）" in text
    crd = "".join(texts(rendered["paths"]["crd-blank"]))
    assert "巡查轮次" not in crd and "被检查人员" not in crd   # the department's spot check has no rounds


def test_spot_check_sheet_has_the_random_questioning_record(standards, rendered):
    text = "".join(texts(rendered["paths"]["crd-blank"]))
    assert "随机抽问（程序4.4.2.1）被抽问人员抽问卡编号" in text
    assert "序号题目代号主题答对部分答错" in text
    assert "1□□□2□□□3□□□4□□□5□□□" in text          # five rows: the usual draw
    assert list(standards.methods_file.questioning.answers) == ["答对", "部分", "答错"]
    daily = "".join(texts(rendered["paths"]["daily-blank"]))
    assert "随机抽问" not in daily


def test_official_sheets_print_no_example_marks(standards, rendered):
    assert any(i.example for i in standards.checklist_items("crd-spot-check"))
    for path in rendered["paths"].values():
        assert "示例" not in "".join(texts(path)).replace("示例表单", ""), path.name


# ---------------------------------------------------------------- 2. room to write, pages

def test_daily_sheet_is_one_page_with_a_findings_table_focus_or_not(rendered):
    for name in ("daily-blank", "daily-focus-qr", "daily-qr", "daily-no-form", "daily-demo"):
        pages = texts(rendered["paths"][name])
        assert len(pages) == 1, f"{name}: {len(pages)} pages"
        assert ("发现的问题（已当场纠正的打“√”；整改期限按条目的工作日计，当天=下班前）"
                "条目问题描述（位置、情况、当事人）当场纠正整改期限") in pages[0]
        # each item's deadline beside its rule: 4.2.1.1-a 1 working day, 4.2.1.2-d (红线) the same day
        assert "每处扣1分，5处扣完，1个工作日内整改" in pages[0] and "每处扣5分，1处扣完，当天整改" in pages[0]
        assert pages[0].endswith("检查人签字：被检查项目负责人签字：第1页/共1页客服中心每日巡查表"), pages[0][-60:]
    # five lines to write in with a focus list, seven without: the list never takes the room
    assert rendered["sheets"]["daily-focus-qr"].findings_rows == 5
    assert rendered["sheets"]["daily-qr"].findings_rows == 7
    assert "本项目重点检查" in texts(rendered["paths"]["daily-focus-qr"])[0]
    for name, rows in (("daily-focus-qr", 5), ("daily-qr", 7)):
        assert texts(rendered["paths"][name])[0].count("□") == rows + 2 + 2 + 2 + 4   # + roles, periods, rounds, grades


def test_spot_check_pages_repeat_project_date_and_page_count(rendered):
    for name, project in (("crd-blank", ""), ("crd-focus-qr", "梧桐苑")):
        pages = texts(rendered["paths"][name])
        assert len(pages) == 2, name
        assert pages[1].count("第2页/共2页") == 2              # the head and the foot
        assert f"项目{project}检查日期年月日客户关系部抽样检查表第2页/共2页" in pages[1]
        assert "第1页/共2页" in pages[0] and "检查日期年月日客户关系部抽样检查表第1页" not in pages[0]
        last = pages[-1]
        assert last.count("□") >= 18 + 15              # the findings table fills the last page, after the record


def test_pages_look_right_at_80_dpi(rendered):
    """Kept for a person to look at: test-output/paper/*.png (the daily sheet with a focus list and QR)."""
    folder = output_dir("paper")
    for name, path in rendered["paths"].items():
        subprocess.run(["pdftoppm", "-r", "80", "-png", str(path), str(folder / name)], check=True)
        assert (folder / f"{name}-1.png").stat().st_size > 20_000


# ---------------------------------------------------------------- 4. QR codes

def test_qr_codes_decode_to_the_locks_prefill_urls(rendered):
    links, paths = rendered["links"], rendered["paths"]
    assert qr_codes(paths["daily-focus-qr"]) == [links["daily-patrol"]["wutong"]]
    assert qr_codes(paths["daily-qr"]) == [links["daily-patrol"]["lanting"]]
    assert qr_codes(paths["crd-focus-qr"]) == [links["crd-spot-check"]["wutong"]]
    prefilled = RESPONDER.replace("Example", "dailypatrol") + "?usp=pp_url&entry."
    assert links["daily-patrol"]["wutong"].startswith(prefilled)
    assert links["daily-patrol"]["wutong"].endswith("=%E6%A2%A7%E6%A1%90%E8%8B%91")   # 梧桐苑
    text = texts(paths["daily-qr"])[0]
    assert "手机扫码填写（已选好项目）" in text and "示例表单" not in text


def test_sheets_without_a_form_print_no_qr_and_promise_none(rendered):
    for name in ("daily-blank", "daily-no-form", "crd-blank"):
        path = rendered["paths"][name]
        assert qr_codes(path) == []
        assert "<svg" not in render_sheet_html(rendered["sheets"][name])
        text = "".join(texts(path))
        assert "扫码" not in text and "二维码" not in text, name


def test_demo_lock_marks_its_qr_codes(standards, rendered):
    demo = rendered["demo"]
    assert demo["demo"] is True
    specs = build_forms(standards, INSTRUMENTS)
    assert set(demo["checklists"]) == set(specs) >= {"daily-patrol", "crd-spot-check", "customer-survey",
                                                     "fix-report"}
    for fid, entry in demo["checklists"].items():
        assert entry["form_id"] == f"DEMO-{fid}"
        (version,) = entry["versions"].values()
        assert version["questions"] == {q: v for q, v in specs[fid].questions.items() if v.get("field") == "project"}
    path = rendered["paths"]["daily-demo"]
    assert qr_codes(path) == [project_links(demo, standards, "daily-patrol")["xiangshu"]]
    assert "演示示例表单，不能提交" in texts(path)[0]


# ---------------------------------------------------------------- 5. the owners' questionnaire

CODES = re.compile(r"[A-Za-z]{3,}")


def test_questionnaire_form_is_written_for_owners(standards):
    spec = build_forms(standards, INSTRUMENTS)["customer-survey"]
    assert validate_spec(spec) == []
    q = standards.methods_file.questionnaire
    assert spec.info["description"].startswith(q.greeting)
    for text in [spec.info["description"], *(i["title"] for i in spec.items), *(i.get("description", "")
                                                                              for i in spec.items)]:
        assert not CODES.search(text), text
        assert "程序" not in text and "4.4.2.2" not in text and "录入" not in text and "标准版本" not in text, text
    assert [i["title"] for i in spec.items] == ["项目", "填写日期", *(sq.text for sq in q.questions), q.comment,
                                               "谢谢！"]
    # the codes stay where ingest needs them: the question ids in the lock entries
    assert [e["survey"] for e in spec.questions.values() if "survey" in e] == [sq.id for sq in q.questions]


def test_owner_sheet_has_greeting_date_thanks_and_no_codes(standards, tmp_path):
    lock = pushed_lock(standards, "customer-survey")
    survey.write_survey_sheets(standards, tmp_path, lock, printed_sources=printed_sources(INSTRUMENTS))
    q = standards.methods_file.questionnaire
    owner = tmp_path / "print" / "customer-survey-wutong.pdf"
    (text,) = texts(owner)
    for part in (q.greeting, "小区：梧桐苑", "填写日期：年月日", *(sq.text for sq in q.questions), q.thanks,
                 "也可以用手机扫码填写"):
        assert re.sub(r"\s+", "", part) in text, part
    assert not CODES.search(text) and "程序" not in text and "录入" not in text and "版本" not in text
    assert qr_codes(owner) == [survey.survey_links(lock, standards)["wutong"]]
    (blank,) = texts(tmp_path / "print" / "customer-survey.pdf")
    assert "扫码" not in blank and "二维码" not in blank and qr_codes(tmp_path / "print" / "customer-survey.pdf") == []
    # the staff instructions are on the method page instead
    staff = pages.method_files(standards, INSTRUMENTS, lock=lock)["methods/survey.md"]
    assert "录入纸质问卷" in staff and "填写日期" in staff and "什么时候发" in staff


def test_paper_questionnaire_typed_in_later_counts_on_its_date(standards, tmp_path):
    header = survey.survey_header(standards)
    assert header[:3] == ["时间戳记", "项目", "填写日期"]
    rows = [["2026/12/02 上午10:00:00", "梧桐苑", "2026/11/28", 5, 4, 3, 4, 5, ""],
            ["2026/12/02 上午10:05:00", "梧桐苑", "", 2, 2, 2, 2, 2, ""],
            ["2026/12/02 上午10:06:00", "梧桐苑", "2026/12/09", 1, 1, 1, 1, 1, ""]]
    path = tmp_path / "customer-survey.csv"
    path.write_text("\n".join(",".join(str(c) for c in row) for row in [header, *rows]) + "\n", encoding="utf-8")
    db = tmp_path / "store.sqlite"
    report = run_ingest([file_source(path, "customer-survey")], standards=standards, db_path=db,
                        instruments=INSTRUMENTS)
    source = report.sources[0]
    assert (source.new, source.quarantined, source.unmapped_columns) == (2, 1, [])
    assert source.quarantined_rows == [(4, "无法使用的填写日期“2026/12/09（晚于提交日期 2026-12-02）”")]
    stored = {r.answers["attitude"]: r for r in survey.read_survey(db)}
    assert stored[5].submitted_at.isoformat() == "2026-11-28T10:00:00+08:00" and stored[5].month == "2026-11"
    assert stored[2].submitted_at.isoformat() == "2026-12-02T10:05:00+08:00"


# ---------------------------------------------------------------- the daily form's new questions reach the store

def test_daily_form_round_time_and_person_at_fault_are_kept(standards, tmp_path):
    spec = build_forms(standards, INSTRUMENTS)["daily-patrol"]
    items = {q["title"]: q for q in spec.questions.values()}
    assert {"巡查时段", "当天第几次巡查", "巡查时间", "被检查人员"} <= set(items)
    codes = [i.code for i in standards.checklist_items("daily-patrol")]
    sections = [t for t in items if t.startswith(("问题说明", "已当场纠正"))]   # every column of the form
    header = ["时间戳记", "项目", "角色", "检查人", "检查日期", "巡查时段", "当天第几次巡查", "巡查时间", "被检查人员",
              *(f"{c} x" for c in codes), *sections]
    row = ["2026/11/20 上午09:30:00", "梧桐苑", "客服主管", "张伟", "2026/11/20", "上午", "第 1 次", "09:20", "陈晓",
           *(["符合"] * len(codes)), *("" for t in sections)]   # nothing to note, no finding ticked corrected
    path = tmp_path / "daily-patrol.csv"
    path.write_text(",".join(header) + "\n" + ",".join(row) + "\n", encoding="utf-8")
    db = tmp_path / "store.sqlite"
    report = run_ingest([file_source(path, "daily-patrol")], standards=standards, db_path=db,
                        instruments=INSTRUMENTS)
    assert (report.sources[0].new, report.sources[0].unmapped_columns) == (1, [])
    with sqlite3.connect(db) as conn:
        (extra,) = conn.execute("SELECT extra FROM versions").fetchone()
    conn.close()
    assert json.loads(extra) == {"巡查时段": "上午", "当天第几次巡查": "第 1 次", "巡查时间": "09:20",
                                 "被检查人员": "陈晓"}


# ---------------------------------------------------------------- 6. the weekly questioning card

def test_weekly_card_is_reproducible_from_project_and_iso_week(standards, tmp_path):
    day = dt.date(2026, 11, 18)
    assert draw.week_seed(day) == 202647 and draw.week_seed(dt.date(2026, 11, 22)) == 202647
    assert draw.week_seed(dt.date(2026, 11, 23)) == 202648
    assert draw.week_label(day) == "2026 年第 47 周（11 月 16 日–11 月 22 日）"
    seed, drawn, weak = draw.weekly_draw(standards, "wutong", day)
    assert seed == 202647 and len(drawn) == 5 and weak == set()     # no data: no weak topic
    again = CliRunner().invoke(main, ["questions", "draw", "--standards", str(ROOT / "standards"),
                                      "--project", "wutong", "--n", "5", "--seed", "202647"])
    assert again.exit_code == 0, again.output
    shown = re.findall(r"^\d\. \[(.+?)\] (.+)$", again.output, re.M)
    assert shown == [(q.topic, q.text) for q in drawn]
    written = draw.write_weekly_cards(standards, tmp_path, day, printed_sources=printed_sources(INSTRUMENTS))
    assert written == [f"print/questioning-{p.id}.pdf" for p in standards.organisation.projects if p.active]
    (text,) = texts(tmp_path / "print" / "questioning-wutong.pdf")
    assert "2026年第47周（11月16日–11月22日）的题目·抽问卡编号202647" in text
    for q in drawn:
        assert f"主题{q.topic}·对应条目{q.item}" in text and q.id not in text
    assert "handbook" not in text
    page = pages.method_files(standards, INSTRUMENTS, existing=lambda p: p.startswith("print/questioning-"))[
        "methods/questioning.md"]
    for p in standards.organisation.projects:
        assert f"[{p.name}：本周抽问卡](../print/questioning-{p.id}.pdf)" in page


# ---------------------------------------------------------------- 7. method pages say what the forms do

def test_method_pages_agree_with_forms_and_sheets(standards):
    bare = pages.method_files(standards, INSTRUMENTS, existing=lambda p: False)
    for path, text in bare.items():
        assert "这个方式没有在线表单" not in text, path
        assert "二维码" not in text, path       # no form in the lock: no sheet carries a QR code
    exam = bare["methods/exam.md"]
    assert "季度考试（Google 表单测验）：在线表单尚未开通" in exam and "handbook" not in exam
    assert "参考答案另成一页，由手册维护人员生成（见维护说明），仅供客户关系部阅卷，不发布到网站" in exam
    with_paper = pages.method_files(standards, INSTRUMENTS,
                                    existing=lambda p: ["print/exam-2026Q4.pdf"] if p == "print/"
                                    else p == "print/exam-2026Q4.pdf")["methods/exam.md"]
    assert "[2026 年第四季度试卷](../print/exam-2026Q4.pdf)" in with_paper
    assert "key" not in with_paper.split("## 打印")[1]
    demo = pages.method_files(standards, INSTRUMENTS, lock=demo_lock(standards, INSTRUMENTS),
                              existing=lambda p: False)["methods/onsite.md"]
    assert "扫描本项目打印检查表右上角的二维码" in demo
    assert "(https://docs.google.com/forms/d/e/DEMO-daily-patrol/viewform)（演示链接：示例表单，不能提交）" in demo
    procedure = next(p.text for p in generate_pages(standards).pages if p.path == "standards/procedure.md")
    examples = [i.code for i in standards.checklist_items("crd-spot-check") if i.example]
    assert "本手册添加的示例条目" in procedure and all(f"[{c}](" in procedure for c in examples)


# ---------------------------------------------------------------- 3. the print view on a phone

def test_print_view_is_readable_at_390_px(standards, tmp_path, browser):
    (tmp_path / "sheet.css").write_text(stylesheet_text(), encoding="utf-8")
    for checklist in standards.checklists:
        (tmp_path / f"{checklist}.html").write_text(render_sheet_html(build_sheet(standards, checklist)),
                                                    encoding="utf-8")
    shots = output_dir("paper")
    page = browser.new_page(viewport={"width": 390, "height": 844})
    try:
        for checklist in standards.checklists:
            page.goto((tmp_path / f"{checklist}.html").as_uri())
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
            cells = page.evaluate("""[...document.querySelectorAll('.items td.text')].map(e => [
                e.getBoundingClientRect().width, parseFloat(getComputedStyle(e.querySelector('.full')).fontSize)])""")
            assert len(cells) == len(standards.checklist_items(checklist))
            narrowest = min(width / size for width, size in cells)
            assert narrowest >= 20, f"{checklist}: item text only {narrowest:.1f} characters wide"
            # every other text column keeps at least about six characters
            columns = page.evaluate("""[...document.querySelectorAll('table:not(.items) td, table:not(.items) th')]
                .filter(e => e.offsetParent && e.textContent.trim().length >= 6)
                .map(e => [e.textContent.trim(), e.getBoundingClientRect().width,
                           parseFloat(getComputedStyle(e).fontSize)])""")
            for text, width, size in columns:
                assert width >= 5.5 * size, f"{checklist}: “{text}” in a column {width:.0f}px wide"
            page.screenshot(path=str(shots / f"{checklist}-390.png"), full_page=True)
    finally:
        page.close()


# ---------------------------------------------------------------- cached sheets, no developer words

def test_sheet_header_names_the_record_not_the_checklist_id(rendered):
    for name, record in (("daily-focus-qr", "记录6.1"), ("crd-blank", "记录6.2")):
        head = texts(rendered["paths"][name])[0][:120]
        assert f"标准版本2026.11·{record}" in head, head
        assert "daily-patrol" not in head and "crd-spot-check" not in head and "表daily" not in head


def test_a_build_draws_qr_codes_only_for_the_sheets_it_renders(standards, rendered):
    """The HTML a build keys its PDF cache by names the form link instead of drawing its QR code (drawing
    takes longer than the rest of the page); rendering draws the same code as the print view."""
    from generator.printing.sheet_html import fill_qr_slots

    sheet = rendered["sheets"]["daily-focus-qr"]
    keyed = render_sheet_html(sheet, None, qr_slot=True)
    assert "<svg" not in keyed and "hb:qr " in keyed
    assert fill_qr_slots(keyed) == render_sheet_html(sheet, None)
    other = render_sheet_html(rendered["sheets"]["daily-qr"], None, qr_slot=True)
    assert keyed.split("hb:qr ")[1].split(" -->")[0] != other.split("hb:qr ")[1].split(" -->")[0]
    blank = render_sheet_html(rendered["sheets"]["daily-blank"], None, qr_slot=True)
    assert "hb:qr" not in blank and fill_qr_slots(blank) == blank
