"""What the site, its search index, the CSV downloads and `handbook export` show of typed text.

Case 5: notes and names are shown as written and inert (escaped on pages, never a formula in CSV/XLSX,
no control characters anywhere, XLSX never fails). Case 15: exports carry the inspection date and week,
enough to recompute the published patrol table. Case 16: nothing personal reaches the site: quarantine
reasons show row, column and reason (never the cell), e-mail addresses and mobile numbers are masked,
names stay unpublished under `publish_names: false`.

Stores come from the real ingest of CSV exports; odd texts are then written into the stored rows with
sqlite3 (what any future ingest keeps as typed), so these tests do not depend on what ingest accepts.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import sqlite3
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.standards import load_standards
from generator.instruments import INSTRUMENTS

from conftest import ROOT, STANDARDS, edited
from site_helpers import copy_site_sources, offline_context, search_entries, search_index_file, serve_directory

pytestmark = pytest.mark.slow   # full site builds of hostile data

PATROL = ROOT / "forms/examples/daily-patrol.csv"
S = load_standards(STANDARDS, instruments=INSTRUMENTS).standards
NOTE_COLUMNS = (15, 21)        # 问题说明（4.2.1 服务场景）, 问题说明（4.2.2 服务行为）


def cli(*args, standards: Path = STANDARDS):
    return CliRunner().invoke(main, [str(a) for a in args] + ["--standards", str(standards)])


def example_rows() -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(io.StringIO(PATROL.read_text(encoding="utf-8-sig"))))
    assert rows[0][NOTE_COLUMNS[0]].startswith("问题说明（4.2.1")
    assert rows[0][NOTE_COLUMNS[1]].startswith("问题说明（4.2.2")
    return rows[0], rows[1:]


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([header, *rows])
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def latest(store: Path, project: str, n: int) -> list[tuple[str, int]]:
    """(id, current version) of the project's n newest inspections, newest first."""
    conn = sqlite3.connect(store)
    try:
        return conn.execute("""SELECT i.id, i.current_version FROM inspections i
                               JOIN versions v ON v.inspection_id = i.id AND v.version = i.current_version
                               WHERE v.project = ? ORDER BY v.submitted_at DESC LIMIT ?""", (project, n)).fetchall()
    finally:
        conn.close()


def set_texts(store: Path, notes: dict[tuple[str, int], str] = {}, names: dict[tuple[str, int], str] = {}) -> None:  # noqa: B006 - read only
    """Write notes (section 4.2.1) and inspector names into stored inspections, as a store would hold them."""
    conn = sqlite3.connect(store)
    with conn:
        for (iid, version), note in notes.items():
            conn.execute("""INSERT INTO sections (inspection_id, version, section, corrected, note)
                            VALUES (?, ?, '4.2.1', NULL, ?)
                            ON CONFLICT (inspection_id, version, section) DO UPDATE SET note = excluded.note""",
                         (iid, version, note))
        for (iid, version), name in names.items():
            conn.execute("UPDATE versions SET inspector = ? WHERE inspection_id = ? AND version = ?",
                         (name, iid, version))
    conn.close()


def build(store: Path, root: Path, standards: Path = STANDARDS):
    docs, config = copy_site_sources(root)
    result = cli("build", "--store", store, "--out", root / "public", "--docs", docs, "--config", config,
                 standards=standards)
    assert result.exit_code == 0, result.output
    return root / "public"


class Tables(HTMLParser):
    """The text of every table cell of a page, table by table, row by row (entities decoded)."""

    def __init__(self):
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.tables[-1][-1].append("".join(self.cell).strip())
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def tables_of(html: str) -> list[list[list[str]]]:
    parser = Tables()
    parser.feed(html)
    return parser.tables


def readable(path: Path) -> str:
    """A published file's text as a reader or a search would see it: JSON decoded (the search index escapes
    every Chinese character), without the zero-width spaces the search's word splitting inserts."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")      # binary (PDF, fonts, images): searched as bytes
    if path.suffix == ".json":
        text = json.dumps(json.loads(text), ensure_ascii=False)
    return text.replace("\u200b", "")


# ---------------------------------------------------------------- case 5: text is data

ODD_NOTES = ["<script>alert(1)</script>", "已处理<br>复查", "a | b\n第二行", "- B座大堂地面有水", "@Lily 请跟进",
             "+1 同意", "温度<25度", "=SUM(A1:A9)", "\u202e反向\x00文字\x0b"]
SHOWN = ["<script>alert(1)</script>", "已处理<br>复查", "a | b 第二行", "- B座大堂地面有水", "@Lily 请跟进",
         "+1 同意", "温度<25度", "=SUM(A1:A9)", "反向文字"]
FORMULA_NAME = '=HYPERLINK("http://evil.example/","点我")'


@pytest.fixture(scope="module")
def odd(tmp_path_factory):
    """A store of the example patrols whose newest wutong inspections carry odd notes and names, and the
    site built from it with names published."""
    root = tmp_path_factory.mktemp("odd")
    store = root / "s.sqlite"
    assert cli("ingest", "--file", PATROL, "--checklist", "daily-patrol", "--store", store).exit_code == 0
    newest = latest(store, "wutong", len(ODD_NOTES))
    set_texts(store, notes=dict(zip(newest, ODD_NOTES)), names={newest[0]: "王\x0b丽", newest[1]: FORMULA_NAME})
    standards = root / "standards"
    standards.mkdir()
    for name, text in edited("organisation.yaml", "publish_names: false", "publish_names: true").items():
        (standards / name).write_text(text, encoding="utf-8")
    before = digest(store)
    public = build(store, root / "site", standards)
    assert digest(store) == before
    return root, store, public, newest


def test_export_writes_odd_names_as_data_in_every_format(odd, tmp_path):
    from openpyxl import load_workbook

    root, store, _, newest = odd   # its standards publish names
    before = digest(store)
    xlsx = tmp_path / "i.xlsx"
    result = cli("export", "--table", "inspections", "--format", "xlsx", "--output", xlsx, "--store", store,
                 standards=root / "standards")
    assert result.exit_code == 0, result.output         # was: IllegalCharacterError traceback on 王\x0b丽
    sheet = load_workbook(xlsx).active
    header = [c.value for c in sheet[1]]
    by_id = {row[0].value: row[header.index("检查人")] for row in sheet.iter_rows(min_row=2)}   # Chinese for Excel
    assert by_id[newest[0][0]].value == "王丽"
    cell = by_id[newest[1][0]]
    assert (cell.value, cell.data_type, cell.quotePrefix) == (FORMULA_NAME, "s", True)   # text, never a formula

    result = cli("export", "--table", "inspections", "--format", "csv", "--store", store,
                 standards=root / "standards")
    rows = {r["编号"]: r for r in csv.DictReader(io.StringIO(result.stdout_bytes.decode("utf-8-sig")))}
    assert rows[newest[0][0]]["检查人"] == "王丽"
    assert rows[newest[1][0]]["检查人"] == "'" + FORMULA_NAME       # OWASP: a leading ' keeps it text

    result = cli("export", "--table", "inspections", "--store", store,
                 standards=root / "standards")
    rows = {r["id"]: r for r in json.loads(result.stdout)}
    assert rows[newest[0][0]]["inspector"] == "王丽"
    assert rows[newest[1][0]]["inspector"] == FORMULA_NAME             # JSON is no spreadsheet: as typed
    assert digest(store) == before


def test_notes_and_names_show_literally_on_pages_and_downloads(odd):
    root, store, public, newest = odd
    page = (public / "results/projects/wutong/index.html").read_text(encoding="utf-8")
    assert "<script>alert(1)" not in page and "已处理<br>" not in page
    notes = next(t for t in tables_of(page) if t[0] == ["日期", "角色", "章节", "问题说明"])
    assert all(len(row) == 4 for row in notes)                         # `|` and line breaks split no cell
    # newest first, exactly as typed (the 4.2.2 notes these inspections may have come after their 4.2.1)
    assert [row[3] for row in notes[1:] if row[2] == "4.2.1 服务场景"][:len(SHOWN)] == SHOWN

    inspectors = (public / "results/inspectors/index.html").read_text(encoding="utf-8")
    names = {row[0] for t in tables_of(inspectors) for row in t[1:]}
    assert {"王丽", FORMULA_NAME} <= names
    downloads = list(csv.reader(io.StringIO((public / "results/csv/inspectors.csv").read_text(encoding="utf-8-sig"))))
    assert {"王丽", "'" + FORMULA_NAME} <= {row[0] for row in downloads[1:]}
    assert FORMULA_NAME not in {row[0] for row in downloads[1:]}
    per_project = list(csv.reader(io.StringIO(
        (public / "results/csv/wutong-inspections.csv").read_text(encoding="utf-8-sig"))))
    assert per_project[0][-1] == "问题说明"
    cells = [row[-1] for row in per_project[1:]]
    assert any(c.startswith("4.2.1：a | b\n第二行") for c in cells)   # one quoted cell, line break kept
    assert any(c.startswith("4.2.1：反向文字") for c in cells)

    # results pages' rows stay out of the search index (their titles and headings are in it): the notes are
    # not in it at all
    index = readable(search_index_file(public))
    assert "alert(1)" not in index and "results/projects/wutong/" in index
    assert not [e["location"] for e in search_entries(public) if e["location"].startswith("results/") and e["text"]]
    for path in public.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".csv", ".json", ".svg", ".md"):
            text = readable(path)
            assert "\x0b" not in text and "\x00" not in text and "\u202e" not in text, path


def test_odd_notes_run_nothing_in_a_browser(odd, browser):
    _, _, public, _ = odd
    blocked: list[str] = []
    dialogs: list[str] = []
    with serve_directory(public) as base:
        context = offline_context(browser, base, blocked)
        page = context.new_page()
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        assert page.goto(base + "results/projects/wutong/").status == 200
        body = page.locator("article").inner_text()
        assert "<script>alert(1)</script>" in body and "已处理<br>复查" in body
        assert page.locator("article script").count() == 0 and page.locator("article td br").count() == 0
        context.close()
    assert dialogs == [] and blocked == []


# ---------------------------------------------------------------- cases 15 and 16 on one site

PERSONAL = ["zhang.san", "corp.cn", "138-0013-8000", "13800138000", "139 1234 5678", "13912345678", "13700001111",
            "owner@", "mail.example.org", "张三丰", "王五六", "李四", "赵六", "zhao.liu"]


@pytest.fixture(scope="module")
def personal(tmp_path_factory):
    """Patrols and questionnaires with e-mail addresses, phone numbers and names in notes, comments and
    quarantined cells; the site built from them under the real standards (`publish_names: false`)."""
    from generator.instruments.questionnaire.survey import simulate_survey, write_survey_csv

    root = tmp_path_factory.mktemp("personal")
    header, rows = example_rows()
    rows = [list(r) for r in rows]
    rows[-1][3] = "张三丰"
    rows[-1][NOTE_COLUMNS[0]] = "请联系 zhang.san@corp.cn 或 +86 138-0013-8000"
    rows[-2][NOTE_COLUMNS[1]] = "业主电话 139 1234 5678，已回访"
    rows[2][1] = "李四 13800138000"                       # row 4: unknown project
    rows[3][3], rows[3][4] = "王五六", "2026-13-45"       # row 5: unreadable date (and a name)
    rows[4][3] = "赵六 zhao.liu@corp.cn"                  # row 6: an e-mail as the name
    source = write_csv(root / "patrol.csv", header, rows)
    store = root / "s.sqlite"
    result = cli("ingest", "--file", source, "--checklist", "daily-patrol", "--store", store)
    assert result.exit_code == 0 and "隔离 3" in result.output, result.output
    survey = write_survey_csv(S, simulate_survey(S, dt.date(2026, 10, 1), dt.date(2026, 11, 22), 1),
                              root / "survey.csv")
    assert cli("ingest", "--file", survey, "--checklist", "customer-survey", "--store", store).exit_code == 0
    conn = sqlite3.connect(store)
    with conn:
        conn.execute("UPDATE survey_responses SET comment = '请回电 137-0000-1111 或写信 owner@mail.example.org' "
                     "WHERE id = (SELECT id FROM survey_responses ORDER BY submitted_at DESC LIMIT 1)")
    conn.close()
    public = build(store, root / "site")
    return root, store, public, rows


def test_nothing_personal_reaches_the_site_or_its_search_index(personal):
    root, _, public, rows = personal
    names = {r[3] for r in rows}                          # every inspector's name as typed
    assert len(names) > 30
    files = [p for p in public.rglob("*") if p.is_file()]
    assert search_index_file(public) in files and len(files) > 100
    for path in files:
        data, text = path.read_bytes(), readable(path)
        for secret in [*PERSONAL, *names]:
            assert secret not in text and secret.encode("utf-8") not in data, (path, secret)

    # masked where notes and comments are shown: pages and CSV downloads; the search index holds no
    # results page's rows, so none of them
    index = readable(search_index_file(public))
    assert "请联系" not in index and "业主电话" not in index and "请回电" not in index
    satisfaction = (public / "results/satisfaction/index.html").read_text(encoding="utf-8")
    assert "请回电 137****1111 或写信 o***@***" in satisfaction
    pid = next(p.id for p in S.organisation.projects if p.name == rows[-1][1])
    page = (public / f"results/projects/{pid}/index.html").read_text(encoding="utf-8")
    assert "请联系 z***@*** 或 138****8000" in page
    download = (public / f"results/csv/{pid}-inspections.csv").read_text(encoding="utf-8-sig")
    assert "4.2.1：请联系 z***@*** 或 138****8000" in download


def test_data_quality_page_shows_row_column_and_reason_never_the_cell(personal):
    root, _, public, _ = personal
    page = (public / "results/data-quality/index.html").read_text(encoding="utf-8")
    table = next(t for t in tables_of(page) if t[0][:4] == ["来源", "行", "列", "原因"])
    assert [row[1:4] for row in table[1:]] == [["4", "项目", "未知项目"], ["5", "检查日期", "检查日期无法识别"],
                                              ["6", "—", "检查人一栏填写的是电子邮箱"]]
    assert all(row[0] == "daily-patrol · patrol.csv" for row in table[1:])
    download = list(csv.reader(io.StringIO((public / "results/csv/quarantine.csv").read_text(encoding="utf-8-sig"))))
    assert [row[1:4] for row in download] == [["行", "列", "原因"], ["4", "项目", "未知项目"],
                                             ["5", "检查日期", "检查日期无法识别"],
                                             ["6", "", "检查人一栏填写的是电子邮箱"]]


def test_exports_keep_names_unpublished_as_the_site_does(personal, tmp_path):
    """publish_names: false: every export format writes （不公开） for the inspector, never the name
    (was: the names as typed, in JSON, CSV and XLSX alike)."""
    from openpyxl import load_workbook

    _, store, _, rows = personal
    names = {r[3] for r in rows if r[3]}
    result = cli("export", "--table", "inspections", "--store", store)
    assert result.exit_code == 0, result.output
    exported = json.loads(result.stdout)
    assert len(exported) == 1501 - 3
    assert {r["inspector"] for r in exported} == {"（不公开）"}
    result = cli("export", "--table", "inspections", "--format", "csv", "--store", store)
    assert result.exit_code == 0, result.output
    table = list(csv.DictReader(io.StringIO(result.stdout_bytes.decode("utf-8-sig"))))
    assert len(table) == 1501 - 3 and {r["检查人"] for r in table} == {"（不公开）"}
    text = result.stdout_bytes.decode("utf-8-sig")
    assert [n for n in names if n in text] == []
    xlsx = tmp_path / "i.xlsx"
    assert cli("export", "--table", "inspections", "--output", xlsx, "--store", store).exit_code == 0
    sheet = load_workbook(xlsx).active
    header = [c.value for c in sheet[1]]
    column = [row[header.index("检查人")].value for row in sheet.iter_rows(min_row=2)]
    assert len(column) == 1501 - 3 and set(column) == {"（不公开）"}


def test_exports_carry_date_and_week_enough_to_recompute_the_patrol_table(personal):
    _, store, public, _ = personal
    result = cli("export", "--table", "inspections", "--format", "csv", "--store", store)
    assert result.exit_code == 0, result.output
    exported = list(csv.DictReader(io.StringIO(result.stdout_bytes.decode("utf-8-sig"))))
    # for Excel: Chinese headers, project and role by name
    assert list(exported[0])[:8] == ["编号", "检查表", "项目", "角色", "检查人", "检查日期", "周", "提交时间"]
    assert len(exported) == 1501 - 3
    for row in exported:
        day = dt.date.fromisoformat(row["检查日期"])
        year, week, _ = day.isocalendar()
        assert row["周"] == f"{year}-W{week:02d}"
    names = {p.name: p.id for p in S.organisation.projects}
    roles = {r.name: r.id for r in S.organisation.roles}
    counted = Counter((names[r["项目"]], roles[r["角色"]], r["检查日期"]) for r in exported)   # patrols done
    published = list(csv.DictReader(io.StringIO((public / "results/csv/patrols.csv").read_text(encoding="utf-8-sig"))))
    daily = [r for r in published if len(r["周期"]) == 10]          # one row per project, role and day
    assert len(daily) > 500
    for r in daily:
        assert int(r["完成"]) == counted.get((names[r["项目"]], roles[r["角色"]], r["周期"]), 0), r
    shown = {(names[r["项目"]], roles[r["角色"]], r["周期"]) for r in daily}
    assert set(counted) <= shown                                    # every counted day is in the table
    patrols = json.loads(cli("export", "--table", "patrols", "--store", store).stdout)
    assert {(p["project"], p["role"], p["date"]): p["done"] for p in patrols if p["role"] != "crd"} == \
        {k: counted.get(k, 0) for k in shown}
