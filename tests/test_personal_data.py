"""Personal data in free text is masked on every output.

Notes, comments and names are stored as typed; the site's pages, its CSV downloads, `handbook export` and
the alert digests show them through one function (`generator.text.mask_contacts`, via `public_text`).
Each kind has its exact masked form here; then one site build, one export and one notify run show that
every output uses it. The maintenance page's table of kinds is checked against the function.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3

import pytest

from generator.text import public_text

from conftest import ROOT, edited, printables_stood_in
from test_notify import notify, world, wutong_redline_id  # noqa: F401  (world: the notify fixture)
from test_published_text import NOTE_COLUMNS, S, build, cli, example_rows, readable, write_csv

# a kind as people type it -> as every output shows it
KINDS = {
    # ID cards (18 digits with a birth date, X as check digit, the old 15 digits)
    "身份证 310104198001011234": "身份证 3101**********1234",
    "证件号11010519491231002X已登记": "证件号1101**********002X已登记",
    "旧证 310104800101123": "旧证 3101*******1123",
    # bank cards, together or in groups of four
    "退款卡号 6222021234567890123": "退款卡号 6222***********0123",
    "卡号 6222 0212 3456 7890": "卡号 6222********7890",
    # mobiles in Chinese numerals (and 幺 for 一, mixed with digits)
    "手机一三八零零一三八零零零": "手机138****8000",
    "幺三九 一二三四 五六七八": "139****5678",
    "电话 壹叁柒零零零零壹壹壹壹": "电话 137****1111",
    # landlines with an area code, and without one after 电话/座机
    "业主家 021-64381234": "业主家 021-****1234",
    "0571 8888 6666 找王经理": "0571-****6666 找王经理",
    "（010）6543-2100": "010-****2100",
    "座机：64381234": "座机：****1234",
    "电话 6438 1234": "电话 ****1234",
    # QQ and WeChat ids after their name
    "QQ：12345678": "QQ：***",
    "加了业主qq号 987654321": "加了业主qq号 ***",
    "微信号：lily_2024 已加": "微信号：*** 已加",
    "vx: abc12345": "vx: ***",
    "加微信 wxid-owner88 回访": "加微信 *** 回访",
    # car plates: province, office letter and the last two stay
    "沪A12345 占用消防通道": "沪A***45 占用消防通道",
    "新能源 沪AD12345": "新能源 沪A***45",
    "浙b·6688k 违停": "浙B***8K 违停",
    # room numbers: the building stays
    "3栋2单元501业主投诉": "3栋***业主投诉",
    "5号楼1203室漏水": "5号楼***漏水",
    "B座1203 门口": "B座*** 门口",
    "3-2-501 住户": "3-*** 住户",
    "501室门口有垃圾": "***室门口有垃圾",
    # the kinds masked before stay as they were
    "请联系 zhang.san@corp.cn 或 +86 138-0013-8000": "请联系 z***@*** 或 138****8000",
}
# what must stay as typed: dates, times, item codes, counts, money, floors, areas, order numbers
UNCHANGED = ["2026-12-05 巡查", "12-05-2026", "2026年12月5日 10:30", "4.2.1.1-a 三处", "第3楼12个垃圾桶",
             "1楼大堂地面有水", "12月4号 501 会议", "共3楼 1200 平方米", "订单号 20261205093000", "共 1234 元",
             "B座大堂", "QQ群里通知了", "微信群已通知", "沪上天气", "扣 2.5 分，得分率 87.5%"]


@pytest.mark.parametrize("typed", list(KINDS))
def test_each_kind_is_masked_exactly(typed):
    assert public_text(typed) == KINDS[typed]


@pytest.mark.parametrize("typed", UNCHANGED)
def test_text_that_is_not_personal_stays_as_typed(typed):
    assert public_text(typed) == typed


def test_the_maintenance_page_table_is_what_the_outputs_do():
    page = (ROOT / "site/maintain/privacy.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| ([^|`]+) \| `([^`]+)` \| `([^`]+)` \|$", page, re.M)
    kinds = {kind.split("（")[0] for kind, _, _ in rows}
    assert {"手机号", "固定电话", "身份证号", "银行卡号", "QQ 号", "微信号", "车牌", "房号"} <= kinds
    assert "电子邮箱只显示第一个字母，写成 `w***@***`" in page   # no whole address: the site shows none
    for kind, typed, shown in rows:
        assert public_text(typed) == shown, kind
    assert "人名无法可靠识别" in page and "请不要写业主、住户或员工的姓名" in page


def test_the_form_asks_not_to_write_names():
    for form in ("daily-patrol", "crd-spot-check"):
        body = json.loads((ROOT / f"forms/{form}.json").read_text(encoding="utf-8"))
        notes = [i for i in json.dumps(body, ensure_ascii=False).split('"description": ')
                 if i.startswith('"选填：写明不符合的条目代码')]
        assert notes and all("请不要写业主、住户或员工的姓名" in n for n in notes), form


# ---------------------------------------------------------------- every output

NOTE_A = "；".join(list(KINDS)[:13])        # ID and bank cards, mobiles, landlines
NOTE_B = "；".join(list(KINDS)[13:])        # QQ, WeChat, plates, rooms, e-mail


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The example patrols with the kinds in two notes of the newest response, ingested and built."""
    root = tmp_path_factory.mktemp("personal-kinds")
    header, rows = example_rows()
    rows = [list(r) for r in rows]
    rows[-1][NOTE_COLUMNS[0]], rows[-1][NOTE_COLUMNS[1]] = NOTE_A, NOTE_B
    store = root / "s.sqlite"
    result = cli("ingest", "--file", write_csv(root / "patrol.csv", header, rows), "--checklist", "daily-patrol",
                 "--store", store)
    assert result.exit_code == 0 and "隔离 0" in result.output, result.output
    pid = next(p.id for p in S.organisation.projects if p.name == rows[-1][1])
    with printables_stood_in():     # what is read here: pages, CSV downloads, search index (.html .csv .json .md)
        return store, build(store, root / "site"), pid


def masked(note: str) -> str:
    return "；".join(KINDS[k] for k in note.split("；"))


def raw_secrets() -> list[str]:
    """The personal part of each typed kind (what must never be published)."""
    return ["310104198001011234", "11010519491231002X", "310104800101123", "6222021234567890123",
            "6222 0212 3456 7890", "一三八零零一三八零零零", "幺三九", "壹叁柒", "64381234", "8888 6666", "6543-2100",
            "6438 1234", "12345678", "987654321", "lily_2024", "abc12345", "wxid-owner88", "A12345", "AD12345",
            "6688", "2单元501", "1203", "3-2-501", "501室", "zhang.san", "0013-8000"]


@pytest.mark.slow
def test_project_page_and_its_csv_download_show_every_kind_masked(site):
    _, public, pid = site
    page = (public / f"results/projects/{pid}/index.html").read_text(encoding="utf-8")
    text = re.sub(r"<[^>]+>", "", page)
    assert masked(NOTE_A) in text and masked(NOTE_B) in text
    download = (public / f"results/csv/{pid}-inspections.csv").read_text(encoding="utf-8-sig")
    assert f"4.2.1：{masked(NOTE_A)}" in download and f"4.2.2：{masked(NOTE_B)}" in download
    examples = public / "maintain/privacy/index.html"   # the table of kinds shows invented examples
    for path in [p for p in public.rglob("*") if p.is_file() and p.suffix in (".html", ".csv", ".json", ".md")
                 and p != examples]:
        published = readable(path)
        for secret in raw_secrets():
            assert secret not in published, (path, secret)


@pytest.mark.slow
def test_the_site_says_what_is_masked_and_that_names_are_not_written(site):
    _, public, pid = site
    privacy = (public / "maintain/privacy/index.html").read_text(encoding="utf-8")
    assert "沪A***45" in privacy and "人名无法可靠识别" in privacy
    page = (public / f"results/projects/{pid}/index.html").read_text(encoding="utf-8")
    assert "人名无法可靠识别，表单请检查人不要填写" in page


@pytest.mark.slow
def test_export_masks_names_typed_with_personal_data(site, tmp_path):
    store, _, _ = site
    conn = sqlite3.connect(store)
    with conn:
        iid, version = conn.execute("SELECT id, current_version FROM inspections ORDER BY rowid DESC").fetchone()
        conn.execute("UPDATE versions SET inspector = ? WHERE inspection_id = ? AND version = ?",
                     ("李四 QQ 12345678 沪A12345", iid, version))
    conn.close()
    standards = tmp_path / "standards"
    standards.mkdir()
    for name, text in edited("organisation.yaml", "publish_names: false", "publish_names: true").items():
        (standards / name).write_text(text, encoding="utf-8")
    out = tmp_path / "inspections.csv"
    result = cli("export", "--table", "inspections", "--format", "csv", "--output", out, "--store", store,
                 standards=standards)
    assert result.exit_code == 0, result.output
    rows = {r["编号"]: r for r in csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig")))}
    assert rows[iid]["检查人"] == "李四 QQ *** 沪A***45"


def test_alert_digests_show_every_kind_masked(world):  # noqa: F811
    store = world["store"]
    iid = wutong_redline_id(store)
    conn = sqlite3.connect(store)
    with conn:
        conn.execute("UPDATE sections SET note = ? WHERE inspection_id = ? AND section = '4.2.1'",
                     ("沪A12345 占用消防通道；3栋2单元501业主投诉；座机：64381234；身份证 310104198001011234", iid))
    conn.close()
    result = notify(world, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "沪A***45 占用消防通道；3栋***业主投诉；座机：****1234；身份证 3101**********1234" in result.output
    for secret in ("A12345", "2单元501", "64381234", "310104198001011234"):
        assert secret not in result.output
