"""The supervision loop: findings -> actions with owners and working-day deadlines -> fix reports
(整改反馈) -> verification or repeat, through the real CLI (`handbook ingest`, `handbook export`, `handbook
build`, `handbook notify`) and a real store. Every number below is worked out by hand.

The organisation works Monday to Friday here (2026-11-02 is a Monday). Items: 4.2.4.1-x1 (department only,
7 working days), 4.2.2.1-x1 (0 days: the end of the day it was found), 4.2.1.2-d (红线, 0 days),
4.2.1.1-a (1 day), 4.2.1.2-c (3 days). After each finding the item is 不适用 unless said, so only what is
listed decides. Submission times are the inspection times unless said.

  wutong    crd 11-02 10:00 4.2.4.1-x1 1 处 -> due 11-11 (7 working days: 03 04 05 06 09 10 11)
            fix report 11-06 -> 已整改待验证, on time; crd 11-23 10:00 符合 -> 验证通过 11-23
  lanting   supervisor 11-02 17:00 4.2.2.1-x1 1 处 -> due 11-02; fix report 11-02 -> on time;
            11-03 09:00 符合 -> 验证通过 11-03
            supervisor 11-04 17:00 红线 4.2.1.2-d -> due 11-04; 11-05 09:00 符合 (a quiet patrol: the 红线
            stays open); fix report 11-06 with 处理意见 -> 2 days late; 11-09 09:00 符合 -> 验证通过 11-09
  binjiang  supervisor Fri 11-06 09:00 4.2.1.1-a -> due Mon 11-09 (not Saturday); never fixed
            -> at 11-20: overdue, 11 days late
  xiangshu  online 11-03 and 11-04 09:00 4.2.1.1-a 符合; a paper sheet dated 11-02 keyed in on 11-05 08:00
            with 4.2.1.1-a 1 处 -> in date order the 11-03 patrol closes it on its deadline (复查符合 11-03,
            on time); in submission order it would stay open and overdue (a phantom)
  jinqiao   supervisor 11-02 09:00 4.2.1.2-c -> due 11-05; fix report 11-03; found again 11-04 09:00
            -> the first closes 复发 (its report was on time), a repeat opens: due 11-09, never fixed
  yuelan    supervisor 11-20 09:00: 4.2.1.1-a and 4.2.1.2-c, the 4.2.1 note names both; 4.2.2.1-x1 with a
            4.2.2 note that names no item (an old form's note)
  qingyuan  a fix report of 4.2.1.1-a found 11-02: there is no such action
  ingest quarantines: a report for an unknown project, one fixed before it was found

整改及时率 of the week 11-02 .. 11-08 (deadlines in it): lanting 4.2.2.1-x1 (on time), lanting 4.2.1.2-d
(late), xiangshu 4.2.1.1-a (on time), jinqiao 4.2.1.2-c (reported on time) -> 3 of 4 = 75.0%.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.store import read_inspections, read_quarantine
from generator.inspection import answer_options
from generator.instruments.fixreport.form import write_fix_csv
from generator.instruments.patrol import simulate as sim
from generator.results import scoring as sc
from generator.results.fix_reports import read_fix_reports
from generator.standards import load_standards
from generator.context import printed_sources
from generator.instruments import INSTRUMENTS

from conftest import standards_texts
from site_helpers import copy_site_sources

TZ = ZoneInfo("Asia/Shanghai")
D = dt.date
MON_FRI = "working_days: [1, 2, 3, 4, 5]"


def write_standards(folder, extra_org: str = ""):
    """The real standards, Monday to Friday; with `extra_org` (notifications) no patrol frequencies either, so
    that no missed patrol joins the alerts."""
    folder.mkdir()
    for name, text in standards_texts().items():
        if name == "organisation.yaml":
            text = text.replace("working_days: [1, 2, 3, 4, 5, 6, 7]", MON_FRI)
            assert MON_FRI in text
            if extra_org:
                text = "\n".join(line for line in text[:text.index("\nnotifications:")].splitlines()
                                 if not line.strip().startswith("patrols:")) + extra_org
        (folder / name).write_text(text, encoding="utf-8")
    return folder


S = load_standards(texts={**standards_texts(), "organisation.yaml": standards_texts()["organisation.yaml"].replace(
    "working_days: [1, 2, 3, 4, 5, 6, 7]", MON_FRI)}, instruments=INSTRUMENTS).standards


def label(code: str, found: int | None) -> str:
    if found is None:
        return "不适用"
    if found == 0:
        return "符合"
    item = S.items[code]
    options = answer_options(item.points, item.deduction)
    return next(k for k, v in options.items() if v == found)


def response(checklist, project, role, day, hour, found=None, *, na=(), notes=None, submitted=None, minute=0):
    found = found or {}
    answers = {i.code: label(i.code, found.get(i.code, None if i.code in na else 0))
               for i in S.checklist_items(checklist)}
    failed = {S.section_of(c).number for c, n in found.items() if n}
    at = submitted or dt.datetime.combine(day, dt.time(hour, minute), TZ)
    return sim.SimResponse(submitted_at=at, project=S.projects[project].name, role=S.roles[role].name,
                           inspector="测试员", date=day, answers=answers, corrected={n: False for n in failed},
                           notes=dict(notes or {}))


def patrol(project, day, hour, found=None, na=(), **kw):
    return response("daily-patrol", project, "cs_supervisor", day, hour, found, na=na, **kw)


def spot(project, day, found=None, na=()):
    return response("crd-spot-check", project, "crd", day, 10, found, na=na)


def patrols():
    a, x1, red, c = "4.2.1.1-a", "4.2.2.1-x1", "4.2.1.2-d", "4.2.1.2-c"
    return [
        patrol("lanting", D(2026, 11, 2), 17, {x1: 1}),
        patrol("lanting", D(2026, 11, 3), 9),
        patrol("lanting", D(2026, 11, 4), 17, {red: 1}),
        patrol("lanting", D(2026, 11, 5), 9),
        patrol("lanting", D(2026, 11, 9), 9),
        patrol("binjiang", D(2026, 11, 6), 9, {a: 1}),
        patrol("binjiang", D(2026, 11, 9), 9, na=(a,)),
        patrol("xiangshu", D(2026, 11, 3), 9),
        patrol("xiangshu", D(2026, 11, 4), 9),
        patrol("xiangshu", D(2026, 11, 2), 0, {a: 1}, submitted=dt.datetime(2026, 11, 5, 8, 0, tzinfo=TZ)),
        patrol("xiangshu", D(2026, 11, 6), 9, na=(a,)),
        patrol("jinqiao", D(2026, 11, 2), 9, {c: 1}),
        patrol("jinqiao", D(2026, 11, 4), 9, {c: 1}),
        patrol("jinqiao", D(2026, 11, 5), 9, na=(c,)),
        patrol("yuelan", D(2026, 11, 20), 9, {a: 1, c: 2, x1: 1},
               notes={"4.2.1": "4.2.1.1-a：桌面有杂物；4.2.1.2-c：柜顶堆纸箱", "4.2.2": "工牌未戴"}),
        patrol("haitang", D(2026, 11, 20), 9),
    ]


def spot_checks(with_visit: bool):
    rows = [spot("wutong", D(2026, 11, 2), {"4.2.4.1-x1": 1})]
    if with_visit:
        rows.append(spot("wutong", D(2026, 11, 23)))
    return rows


def fix(project, code, found, fixed, measure="已整改", hour=18):
    return dict(submitted_at=dt.datetime.combine(fixed, dt.time(hour, 0), TZ), project=S.projects[project].name
                if project in S.projects else project, code=f"{code} {S.items[code].short}", found=found,
                fixed=fixed, measure=measure, photo="", reporter="王芳")


FIXES = [
    fix("wutong", "4.2.4.1-x1", D(2026, 11, 2), D(2026, 11, 6)),
    fix("lanting", "4.2.2.1-x1", D(2026, 11, 2), D(2026, 11, 2)),
    fix("lanting", "4.2.1.2-d", D(2026, 11, 4), D(2026, 11, 6), measure="处理意见：当事员工书面警告"),
    fix("jinqiao", "4.2.1.2-c", D(2026, 11, 2), D(2026, 11, 3)),
    fix("qingyuan", "4.2.1.1-a", D(2026, 11, 2), D(2026, 11, 4)),          # no such action
    fix("某某小区", "4.2.1.1-a", D(2026, 11, 2), D(2026, 11, 4)),          # unknown project
    {**fix("lanting", "4.2.1.1-a", D(2026, 11, 4), D(2026, 11, 4)), "fixed": D(2026, 11, 3)},   # before found
]


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def ingest(root, standards, store, checklist, rows):
    if checklist == "fix-report":
        path = write_fix_csv(S, rows, root / "fix-report.csv")
    else:
        path = sim.write_csv(root / f"{checklist}.csv", sim.sheet_values(S, checklist, rows))
    result = run("ingest", "--file", path, "--checklist", checklist, "--store", store, "--standards", standards,
                 "--lock", root / "no-lock.yaml")
    assert result.exit_code == 0, result.output
    return result


def export_actions(world) -> dict:
    result = run("export", "--table", "actions", "--store", world["store"], "--standards", world["standards"])
    assert result.exit_code == 0, result.output
    return {(r["project"], r["code"], r["opened"]): r for r in json.loads(result.output)}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("loop")
    standards = write_standards(root / "standards")
    store = root / "store.sqlite"
    ingest(root, standards, store, "daily-patrol", patrols())
    ingest(root, standards, store, "crd-spot-check", spot_checks(with_visit=False))
    fixes = ingest(root, standards, store, "fix-report", FIXES)
    w = dict(root=root, standards=standards, store=store, fix_output=fixes.output)
    w["before_visit"] = export_actions(w)
    ingest(root, standards, store, "crd-spot-check", spot_checks(with_visit=True))
    w["after_visit"] = export_actions(w)
    return w


def test_department_only_item_fixed_on_time_is_verified_at_the_next_visit_never_overdue(world):
    before = world["before_visit"][("wutong", "4.2.4.1-x1", "2026-11-02")]
    # the data ends 11-20 before the visit: past the deadline (11-11), but reported on 11-06
    assert {k: before[k] for k in ("due", "status", "owner", "verifier", "reported", "overdue", "days_late")} == {
        "due": "2026-11-11", "status": "已整改待验证", "owner": "cs_supervisor", "verifier": "crd",
        "reported": "2026-11-06", "overdue": False, "days_late": 0}
    after = world["after_visit"][("wutong", "4.2.4.1-x1", "2026-11-02")]
    assert (after["status"], after["how"], after["verified"], after["closed"], after["overdue"]) == \
        ("已关闭", "verified", "2026-11-23", "2026-11-23", False)


def test_zero_day_item_found_at_17_is_due_that_evening_and_a_same_day_report_is_on_time(world):
    a = world["after_visit"][("lanting", "4.2.2.1-x1", "2026-11-02")]
    assert (a["due"], a["reported"], a["days_late"], a["overdue"], a["how"], a["verified"]) == \
        ("2026-11-02", "2026-11-02", 0, False, "verified", "2026-11-03")


def test_a_red_line_needs_a_fix_report_not_a_quiet_patrol(world):
    a = world["after_visit"][("lanting", "4.2.1.2-d", "2026-11-04")]
    # 11-05 符合 did not close it; the report of 11-06 is 2 days after the deadline; 11-09 verified it
    assert (a["due"], a["reported"], a["days_late"], a["overdue"], a["how"], a["closed"]) == \
        ("2026-11-04", "2026-11-06", 2, True, "verified", "2026-11-09")


def test_friday_finding_with_one_day_is_due_monday_with_monday_to_friday(world):
    a = world["after_visit"][("binjiang", "4.2.1.1-a", "2026-11-06")]
    # data until 11-23 (the wutong visit): 11-23 − 11-09 = 14 days late, still open
    assert (a["due"], a["status"], a["overdue"], a["days_late"]) == ("2026-11-09", "逾期未整改", True, 14)
    assert sc.add_working_days(D(2026, 11, 6), 1, [1, 2, 3, 4, 5], []) == D(2026, 11, 9)
    assert sc.add_working_days(D(2026, 11, 7), 0, [1, 2, 3, 4, 5], []) == D(2026, 11, 9)   # found on a Saturday
    assert sc.add_working_days(D(2026, 11, 6), 1, [1, 2, 3, 4, 5], [D(2026, 11, 9)]) == D(2026, 11, 10)


def test_a_late_paper_entry_takes_its_place_by_inspection_date_no_phantom_overdue(world):
    a = world["after_visit"][("xiangshu", "4.2.1.1-a", "2026-11-02")]
    assert (a["due"], a["closed"], a["how"], a["overdue"], a["days_late"]) == \
        ("2026-11-03", "2026-11-03", "reinspection", False, 0)
    # in submission order the 符合 of 11-03 and 11-04 came before it: it would have stayed open
    inspections = read_inspections(world["store"])
    by_submission = sorted((i for i in inspections if i.project == "xiangshu"), key=lambda i: i.submitted_at)
    assert [i.date.day for i in by_submission] == [3, 4, 2, 6]


def test_a_finding_after_the_fix_report_closes_it_as_a_repeat_and_reopens(world):
    actions = world["after_visit"]
    first, again = actions[("jinqiao", "4.2.1.2-c", "2026-11-02")], actions[("jinqiao", "4.2.1.2-c", "2026-11-04")]
    assert (first["how"], first["closed"], first["reported"], first["overdue"]) == \
        ("repeated", "2026-11-04", "2026-11-03", False)
    assert (again["due"], again["status"], again["days_late"]) == ("2026-11-09", "逾期未整改", 14)


def test_timeliness_of_a_hand_made_week(world):
    s = load_standards(world["standards"], instruments=INSTRUMENTS).standards
    actions = sc.corrective_actions(s, read_inspections(world["store"]), read_fix_reports(world["store"]))
    rate, n = sc.timeliness(actions, D(2026, 11, 2), D(2026, 11, 8), D(2026, 11, 23))
    assert (rate, n) == (75.0, 4)
    late = sc.overdue_in_quarter(actions, D(2026, 10, 1), D(2026, 12, 31), D(2026, 11, 23))
    # lanting's 红线 (fixed late), binjiang's, jinqiao's repeat, yuelan's 0-day 4.2.2.1-x1 of Fri 11-20 (still
    # open on Monday); yuelan's 4.2.1.1-a is due Mon 11-23 itself (not past), 4.2.1.2-c on 11-25
    assert sorted((a.project, a.code) for a in late) == [("binjiang", "4.2.1.1-a"), ("jinqiao", "4.2.1.2-c"),
                                                         ("lanting", "4.2.1.2-d"), ("yuelan", "4.2.2.1-x1")]


def test_fix_reports_that_match_nothing_are_quarantined_with_the_reason(world):
    reasons = sorted(q.reason for q in read_quarantine(world["store"]) if q.checklist == "fix-report")
    assert reasons == ["整改完成日期早于发现日期：2026-11-03 < 2026-11-04", "未知项目“某某小区”"]
    # the ingest summary names each reason from the catalogue (never its code)
    assert "  隔离原因：整改完成日期早于发现日期 1，未知项目 1\n" in world["fix_output"]
    s = load_standards(world["standards"], instruments=INSTRUMENTS).standards
    rejected: list = []
    sc.corrective_actions(s, read_inspections(world["store"]), read_fix_reports(world["store"]), rejected)
    assert [(r.project, r.code, reason) for r, reason in rejected] == [
        ("qingyuan", "4.2.1.1-a", "没有这项整改：该项目 2026-11-02 没有发现 4.2.1.1-a 的问题")]
    # nothing lost: the report stays in the store
    assert [(r.project, r.found) for r in read_fix_reports(world["store"]) if r.project == "qingyuan"] == \
        [("qingyuan", D(2026, 11, 2))]


@pytest.fixture(scope="module")
def built(world):
    docs, config = copy_site_sources(world["root"])
    result = run("build", "--standards", world["standards"], "--out", world["root"] / "public", "--docs", docs,
                 "--config", config, "--store", world["store"])
    assert result.exit_code == 0, result.output
    return docs / "results"


@pytest.mark.slow
def test_a_section_note_is_never_shown_under_another_item(built):
    page = (built / "projects/yuelan.md").read_text(encoding="utf-8")
    recent = page.split("## 最近的检查", 1)[1].split("\n## ", 1)[0]
    lines = recent.splitlines()
    a = next(line for line in lines if "[4.2.1.1-a]" in line)
    c = next(line for line in lines if "[4.2.1.2-c]" in line)
    x1 = next(line for line in lines if "[4.2.2.1-x1]" in line)
    assert "；桌面有杂物；" in a and "柜顶" not in a
    assert "；柜顶堆纸箱；" in c and "桌面" not in c
    assert "工牌未戴" not in x1
    assert "    - 4.2.2 本节问题说明：工牌未戴" in lines


@pytest.mark.slow
def test_data_quality_lists_the_unmatched_fix_report_and_pages_show_owner_and_deadline(built):
    quality = (built / "data-quality.md").read_text(encoding="utf-8")
    # free-text cells (here the quarantine reason) are wrapped in <span class="hb-text">
    assert ("| 整改反馈 · 青园小区 | 2026\\-11\\-02 | 发现日期 | <span class=\"hb-text\">"
            "没有这项整改：该项目 2026\\-11\\-02 没有发现 4\\.2\\.1\\.1\\-a 的问题</span> |") in quality
    actions = (built / "actions.md").read_text(encoding="utf-8")
    assert ("| 滨江花园 | [4.2.1.1-a](../standards/4.2.1.md#4.2.1.1-a) 办公区物品与桌面整洁 | 2026-11-06 | "
            "2026-11-09 | 客服主管 | 客服主管 | **逾期未整改** | 14 |") in actions
    redline = (built / "redline.md").read_text(encoding="utf-8")
    assert ("不随意吐痰：1 处；当场纠正：否；整改：已关闭（验证通过，11月9日）；整改反馈：处理意见：当事员工书面警告"
            in redline)
    project = (built / "projects/binjiang.md").read_text(encoding="utf-8")
    todo = project.split("## 本周要做", 1)[1].split("\n## ", 1)[0]
    assert "- **逾期 14 天** · [4.2.1.1-a](../../standards/4.2.1.md#4.2.1.1-a) 办公区物品与桌面整洁 · 客服主管" in todo
    assert project.index("## 本周要做") < project.index("## 红线问题")


# ---------------------------------------------------------------- notify: reminder and escalation, once each

NOTIFY = """
notifications:
  recipients:
    - role: crd
      wecom: {key_env: T_LOOP_CRD}
    - projects: [jinqiao]
      name: 金桥公寓项目群
      wecom: {key_env: T_LOOP_JINQIAO}
"""


class Robot:
    def __init__(self):
        self.received: list[tuple[str, str]] = []
        robot = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                robot.received.append((self.path.split("?")[0], body["markdown"]["content"]))
                data = b'{"errcode": 0, "errmsg": "ok"}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True,
                     kwargs={"poll_interval": 0.05}).start()   # shutdown() waits out one poll: 0.5 s by default

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def test_notify_reminds_the_owner_the_working_day_before_and_escalates_after_exactly_once(tmp_path, monkeypatch):
    """jinqiao 4.2.1.2-c found Mon 11-02 (3 days: due Thu 11-05), never fixed: the project's group hears on
    Wed 11-04 (the working day before), the department on Fri 11-06 (overdue); each once."""
    robot = Robot()
    try:
        standards = write_standards(tmp_path / "standards", NOTIFY)
        store = tmp_path / "store.sqlite"
        ingest(tmp_path, standards, store, "daily-patrol", [
            patrol("jinqiao", D(2026, 11, 2), 9, {"4.2.1.2-c": 1}),
            patrol("jinqiao", D(2026, 11, 3), 9, na=("4.2.1.2-c",))])
        port = robot.server.server_address[1]
        credentials = tmp_path / "notify.env"
        credentials.write_text(f"T_LOOP_CRD=http://127.0.0.1:{port}/crd?key=k1\n"
                               f"T_LOOP_JINQIAO=http://127.0.0.1:{port}/jinqiao?key=k2\n", encoding="utf-8")
        monkeypatch.delenv("T_LOOP_CRD", raising=False)
        monkeypatch.delenv("T_LOOP_JINQIAO", raising=False)

        def notify(now, *extra):
            result = run("notify", "--store", store, "--standards", standards, "--credentials", credentials,
                         "--site-url", "https://handbook.example.com/", "--now", now, *extra)
            assert result.exit_code == 0, result.output
            return result.output

        first = notify("2026-11-04 09:00")
        assert first == "企业微信机器人 T_LOOP_JINQIAO（金桥公寓项目群）：已发送 1 条消息，含 1 条提醒。\n"
        (path, text), = robot.received
        assert path == "/jinqiao"
        assert "**整改明天到期**\n- **金桥公寓 · 4.2.1.2-c 文件柜整洁、不堆杂物**" in text
        assert "2026-11-02 发现，整改期限 2026-11-05，责任人：客服主管；整改后请填写整改反馈" in text
        assert notify("2026-11-04 10:00") == "没有新的提醒。\n"
        escalated = notify("2026-11-06 09:00")
        assert escalated == ("企业微信机器人 T_LOOP_CRD（客户关系部）：已发送 1 条消息，含 1 条提醒。\n"
                             "企业微信机器人 T_LOOP_JINQIAO（金桥公寓项目群）：已发送 1 条消息，含 1 条提醒。\n")
        assert [p for p, _ in robot.received[1:]] == ["/crd", "/jinqiao"]
        assert "**逾期未整改**" in robot.received[1][1] and "已逾期 1 天" in robot.received[1][1]
        assert notify("2026-11-06 10:00") == "没有新的提醒。\n"
        assert len(robot.received) == 3
    finally:
        robot.close()


def test_the_scoring_page_holds_the_one_definition_with_the_organisations_working_days():
    from generator.site.handbook_pages import scoring_page

    text = scoring_page(S).text
    section = text.split("## 整改与整改及时率 {#actions}", 1)[1].split("\n## ", 1)[0]
    assert "**整改期限**按工作日计（工作日：周一至周五）：条目规定 0 天为发现当天下班前" in section
    assert ("**整改及时率** = 按期完成整改的项数 ÷ 期内到期的整改项数（到期日已过或已完成的）。**逾期**包括逾期关闭"
            "（期限后才完成）和逾期未整改（过了期限仍未完成），季度考核计入整改期限所在的季度。") in section


@pytest.mark.parametrize("publish", [True, False])
def test_the_owner_is_the_projects_named_person_only_where_names_are_published(publish):
    from generator.inspection import Inspection
    from generator.results.report_pages import build_results

    texts = standards_texts()
    org = texts["organisation.yaml"].replace("{id: wutong, name: 梧桐苑}",
                                             "{id: wutong, name: 梧桐苑, people: {cs_supervisor: 王芳}}")
    texts["organisation.yaml"] = org.replace("publish_names: false", f"publish_names: {str(publish).lower()}")
    s = load_standards(texts=texts, instruments=INSTRUMENTS).standards
    day = D(2026, 11, 2)
    found = Inspection("i1", "daily-patrol", "wutong", "cs_supervisor", "张三", day,
                       dt.datetime.combine(day, dt.time(9), TZ), findings={"4.2.1.1-a": 1})
    (action,) = sc.corrective_actions(s, [found])
    assert (action.owner, action.owner_name, action.due) == ("cs_supervisor", "王芳", D(2026, 11, 3))
    page = build_results(s, [found], as_of=D(2026, 11, 5), today=D(2026, 11, 6))["results/actions.md"]
    owner = "客服主管（王芳）" if publish else "客服主管"
    assert f"| 2026-11-02 | 2026-11-03 | {owner} | 客服主管 | **逾期未整改** | 2 |" in page
    assert ("王芳" in page) is publish


def test_the_project_page_links_the_fix_report_form_with_its_qr_code(tmp_path):
    """A lock with the fix-report form pushed: 本周要做 links it with the project chosen, and the actions section
    shows its QR code (the same link); without the form, the page says the link comes once it is published."""
    from generator.results.publish import fix_report_links
    from generator.results.report_pages import build_results
    from generator.inspection import Inspection

    lock = {"checklists": {"fix-report": {"responder_url": "https://docs.google.com/forms/d/e/FIX/viewform",
                                          "versions": {"2026.11": {"questions": {"1a2b3c4d": {"field": "project"}}}}}}}
    links = fix_report_links(S, lock)
    # entry.<decimal of the question id 1a2b3c4d> = 梧桐苑, URL-encoded
    assert links["wutong"] == ("https://docs.google.com/forms/d/e/FIX/viewform?usp=pp_url"
                               "&entry.439041101=%E6%A2%A7%E6%A1%90%E8%8B%91")
    day = D(2026, 11, 2)
    found = Inspection("i1", "daily-patrol", "wutong", "cs_supervisor", "张三", day,
                       dt.datetime.combine(day, dt.time(9), TZ), findings={"4.2.1.1-a": 1})
    page = build_results(S, [found], as_of=day, today=D(2026, 11, 3), fix_links=links)["results/projects/wutong.md"]
    assert f"- 整改完成后填写[整改反馈]({links['wutong']})" in page
    assert '<div class="hb-qr" role="img" aria-label="整改反馈表二维码"><svg' in page
    bare = build_results(S, [found], as_of=day, today=D(2026, 11, 3))["results/projects/wutong.md"]
    assert "- 整改完成后填写整改反馈表（表单发布后这里有链接）" in bare and "hb-qr" not in bare


# ---------------------------------------------------------------- the fix-report sheet per project (整改反馈单)

def pdf_text(path) -> str:
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True)
    return out.stdout


@pytest.mark.slow
def test_each_project_has_a_printed_fix_report_sheet_with_its_open_actions(built):
    """The build writes print/fix-report--<project>.pdf: binjiang's open 4.2.1.1-a (found Fri 11-06, due Mon
    11-09, overdue 14 days on 11-23) with its owner; the project page links the sheet; the 现场查看 method page
    has the 整改反馈 section listing every project's sheet."""
    docs = built.parent
    sheet = docs / "print/fix-report--binjiang.pdf"
    assert sheet.read_bytes()[:5] == b"%PDF-"
    text = pdf_text(sheet)
    assert "整改反馈单 · 滨江花园" in text
    row = next(line for line in text.splitlines() if "4.2.1.1-a" in line)
    assert ("2026-11-06" in row and "2026-11-09" in row and "客服主管" in row and "逾期 14 天" in row), row
    # no form in the lock: no QR code promised
    plain = subprocess.run(["pdftotext", str(sheet), "-"], capture_output=True, text=True, check=True).stdout
    assert "整改反馈表尚未发布；发布后请重新打印本单。" in "".join(plain.split()) and "二维码" not in plain
    project = (built / "projects/binjiang.md").read_text(encoding="utf-8")
    assert "- 打印[本项目的整改反馈单](../../print/fix-report--binjiang.pdf)（A4：未关闭的整改）" in project
    onsite = (docs / "methods/onsite.md").read_text(encoding="utf-8")
    section = onsite.split("## 整改反馈", 1)[1].split("\n## ", 1)[0]
    assert "\n- [整改反馈单 · 滨江花园（打印）](../print/fix-report--binjiang.pdf)\n" in section
    assert "- 整改反馈表尚未发布（发布后这里有链接）。" in section
    assert onsite.index("## 怎样做") < onsite.index("## 整改反馈") < onsite.index("## 多久一次")


@pytest.mark.slow
def test_the_fix_report_sheet_carries_the_projects_prefilled_form_as_a_qr_code(world, tmp_path):
    """With the form pushed, the sheet prints the QR code of the project's prefilled link (the same link the
    project page gives) and lists only that project's open actions, overdue first."""
    from generator.results.publish import fix_report_links
    from generator.instruments.fixreport.sheet import action_rows, render_fix_sheet, write_fix_sheets

    s = load_standards(world["standards"], instruments=INSTRUMENTS).standards
    lock = {"checklists": {"fix-report": {"responder_url": "https://docs.google.com/forms/d/e/FIX/viewform",
                                          "versions": {"2026.11": {"questions": {"1a2b3c4d": {"field": "project"}}}}}}}
    links = fix_report_links(s, lock)
    actions = sc.corrective_actions(s, read_inspections(world["store"]), read_fix_reports(world["store"]))
    rows = action_rows(s, actions, "jinqiao", D(2026, 11, 23))
    # jinqiao: the repeat of 4.2.1.2-c found 11-04 (due 11-09), never fixed: 14 days late on 11-23
    assert [(r["code"], r["found"], r["due"], r["overdue"], r["days_late"]) for r in rows] == [
        ("4.2.1.2-c", D(2026, 11, 4), D(2026, 11, 9), True, 14)]
    html = render_fix_sheet(s, "jinqiao", rows, D(2026, 11, 23), links["jinqiao"])
    assert "<svg" in html and "手机扫码填写（已选好本项目）" in html and "尚未发布" not in html
    written = write_fix_sheets(s, tmp_path, actions, D(2026, 11, 23), links,
                               printed_sources=printed_sources(INSTRUMENTS))
    assert "print/fix-report--jinqiao.pdf" in written
    png = tmp_path / "jinqiao"
    subprocess.run(["pdftoppm", "-r", "60", "-png", "-singlefile", str(tmp_path / "print/fix-report--jinqiao.pdf"),
                    str(png)], check=True)
    assert (tmp_path / "jinqiao.png").stat().st_size > 5000


# ---------------------------------------------------------------- a photo link typed in a finding's note

def test_a_photo_link_in_a_findings_note_is_shown_as_a_link_on_that_finding_only(tmp_path):
    """`4.2.2.1-x1：未佩戴工牌 https://…` gives the finding its note and a 照片 link (escaped); a link of another
    scheme, one that would publish a phone number, and a quote that tries to leave the attribute stay text."""
    from generator.inspection import Inspection
    from generator.results.report_pages import build_results, note_photo

    assert note_photo("未佩戴工牌 https://img.example.com/a.jpg?x=1&y=2。") == (
        "未佩戴工牌", "https://img.example.com/a.jpg?x=1&y=2")
    assert note_photo("桌面 javascript:alert(1)") == ("桌面 javascript:alert(1)", "")
    assert note_photo("见 https://e.com/\"onmouseover=alert(1)") == ("见 \"onmouseover=alert(1)", "https://e.com/")
    assert note_photo("见 https://e.com/p?tel=13800138000") == ("见 https://e.com/p?tel=13800138000", "")
    day = D(2026, 11, 2)
    found = Inspection("i1", "daily-patrol", "wutong", "cs_supervisor", "张三", day,
                       dt.datetime.combine(day, dt.time(9), TZ), findings={"4.2.2.1-x1": 1, "4.2.1.1-a": 1},
                       notes={"4.2.2": "4.2.2.1-x1：未佩戴工牌 https://img.example.com/a.jpg?x=1&y=2",
                              "4.2.1": "4.2.1.1-a：桌面有杂物 https://e.com/\"onmouseover=alert(1)"})
    page = build_results(S, [found], as_of=day, today=D(2026, 11, 3))["results/projects/wutong.md"]
    lines = page.split("## 最近的检查", 1)[1].splitlines()
    x1 = next(line for line in lines if "[4.2.2.1-x1]" in line)
    assert ('：1 处，扣 2 分；未佩戴工牌；<a href="https://img.example.com/a.jpg?x=1&amp;y=2" '
            'rel="nofollow noopener noreferrer" target="_blank">照片</a>；当场纠正：否') in x1
    a = next(line for line in lines if "[4.2.1.1-a]" in line)
    assert '<a href="https://e.com/" rel="nofollow noopener noreferrer" target="_blank">照片</a>' in a
    assert "onmouseover=alert" in a and 'href="https://e.com/"onmouseover' not in a
    assert "img.example.com" not in a


def test_a_fix_reports_photo_link_is_shown_on_the_red_line_list_only_when_it_is_a_safe_link():
    """A 红线 finding's fix report with a photo link: the 红线 page shows 整改照片 as an escaped link; a report
    whose 'link' is javascript: or carries a quote shows none (the measure is still shown)."""
    from generator.inspection import Inspection
    from generator.results.report_pages import build_results, photo_link

    assert photo_link(" https://img.example.com/fix.jpg ") == "https://img.example.com/fix.jpg"
    assert [photo_link(u) for u in ("javascript:alert(1)", "https://e.com/\"x", "ftp://e.com/a", "https://",
                                    "https://e.com/a?m=z@example.com")] == ["", "", "", "", ""]
    day = D(2026, 11, 4)
    found = Inspection("i1", "daily-patrol", "lanting", "cs_supervisor", "张三", day,
                       dt.datetime.combine(day, dt.time(9), TZ), findings={"4.2.1.2-d": 1})

    def redline(photo):
        report = sc.FixReport("r1", "lanting", "4.2.1.2-d", day, D(2026, 11, 5), "处理意见：书面警告", photo,
                              dt.datetime.combine(D(2026, 11, 5), dt.time(18), TZ))
        actions = sc.corrective_actions(S, [found], [report])
        page = build_results(S, [found], as_of=D(2026, 11, 6), today=D(2026, 11, 7), actions=actions)
        return next(line for line in page["results/redline.md"].splitlines() if "[4.2.1.2-d]" in line)

    shown = redline("https://img.example.com/fix.jpg?a=1&b=2")
    assert ('；整改反馈：处理意见：书面警告（<a href="https://img.example.com/fix.jpg?a=1&amp;b=2" '
            'rel="nofollow noopener noreferrer" target="_blank">整改照片</a>）') in shown
    hostile = redline("javascript:alert(1)")
    assert hostile.endswith("；整改反馈：处理意见：书面警告") and "<a " not in hostile


def test_the_onsite_method_page_gives_the_fix_report_form_per_project_once_it_is_published():
    from generator.instruments import INSTRUMENTS
    from generator.results.publish import fix_report_links
    from generator.site import method_pages as pages

    lock = {"checklists": {"fix-report": {"responder_url": "https://docs.google.com/forms/d/e/FIX/viewform",
                                          "versions": {"2026.11": {"questions": {"1a2b3c4d": {"field": "project"}}}}}}}
    onsite = pages.method_files(S, INSTRUMENTS, lock=lock, existing=lambda p: p == "print/fix-report--wutong.pdf")[
        "methods/onsite.md"]
    section = onsite.split("## 整改反馈", 1)[1].split("\n## ", 1)[0]
    assert "\n- [整改反馈表](https://docs.google.com/forms/d/e/FIX/viewform)\n" in section
    assert f"\n- [整改反馈表 · 梧桐苑（已选好项目）]({fix_report_links(S, lock)['wutong']})\n" in section
    assert "印有本项目反馈表的二维码（已选好项目）和未关闭的整改" in section and "尚未发布" not in section
    # only the sheets the build wrote are linked
    assert "(../print/fix-report--wutong.pdf)" in section and "fix-report--lanting" not in section
def test_a_note_naming_a_department_item_without_a_suffix_is_split_to_it():
    """Items 4.2.3.1–4.2.3.4 have no `-x` suffix: their notes go under them too, dates and versions do not."""
    from generator.results.report_pages import split_note

    assert split_note("4.2.3.2：对新版收费标准不熟悉") == ({"4.2.3.2": "对新版收费标准不熟悉"}, "")
    assert split_note("抽查：4.2.3.1：流程不熟；4.2.2.1-x3：2026.11.20 接听电话未使用规范用语") == (
        {"4.2.3.1": "流程不熟", "4.2.2.1-x3": "2026.11.20 接听电话未使用规范用语"}, "抽查")
    assert split_note("按 2026.11 版标准 1.2.3 条") == ({}, "按 2026.11 版标准 1.2.3 条")


def test_a_closed_quarters_archived_assessment_counts_the_fix_reports_in_by_its_close_day(tmp_path):
    """The archive written after a quarter closes decides 4.6.3's rewards and penalties: an action reported
    fixed on time is not overdue there either, though the patrol that verified it came days later."""
    from generator.results.report_pages import archive_updates
    standards = write_standards(tmp_path / "standards")
    store = tmp_path / "store.sqlite"
    x1 = "4.2.2.1-x1"   # 当天: found Monday 08-03 at 17:00, due that evening
    ingest(tmp_path, standards, store, "daily-patrol",
           [patrol("lanting", D(2026, 8, 3), 17, {x1: 1}), patrol("lanting", D(2026, 8, 10), 9),
            patrol("lanting", D(2026, 10, 12), 9)])   # the data runs past the quarter's end
    ingest(tmp_path, standards, store, "fix-report", [fix("lanting", x1, D(2026, 8, 3), D(2026, 8, 3))])

    def overdue(reports) -> int:
        updates = archive_updates(S, read_inspections(store), {}, today=D(2026, 12, 1), reports=reports)
        [q3] = [a for a in updates.archives if a.quarter == "2026Q3"]
        return next(row.overdue_actions for row in q3.rows if row.project == "lanting")

    assert overdue(read_fix_reports(store)) == 0    # reported 08-03 18:00, verified 08-10: on time
    assert overdue(()) == 1                           # without the report: closed 08-10 by the patrol, late
    keyed_late = dt.datetime(2026, 10, 20, 9, 0, tzinfo=TZ)   # after the close day: not in the archive
    assert overdue([sc.FixReport("r", "lanting", x1, D(2026, 8, 3), D(2026, 8, 3), submitted_at=keyed_late)]) == 1


def test_a_closed_quarters_fingerprint_moves_only_for_fix_reports_of_findings_made_by_its_end(tmp_path):
    """An ingest compares closed quarters again (reading the whole store) only when their data changed: a fix
    report for a finding after the quarter's end cannot change it, one for a finding inside it can."""
    from generator.results.archive import fingerprints
    standards = write_standards(tmp_path / "standards")
    store = tmp_path / "store.sqlite"
    x1 = "4.2.2.1-x1"
    ingest(tmp_path, standards, store, "daily-patrol",
           [patrol("lanting", D(2026, 8, 3), 17, {x1: 1}), patrol("lanting", D(2026, 10, 12), 17, {x1: 1}),
            patrol("lanting", D(2026, 10, 13), 9)])
    before = fingerprints(store, S, D(2026, 12, 1))
    q4 = fix("lanting", x1, D(2026, 10, 12), D(2026, 10, 12))
    ingest(tmp_path, standards, store, "fix-report", [q4])
    assert fingerprints(store, S, D(2026, 12, 1))["2026Q3"] == before["2026Q3"]
    ingest(tmp_path, standards, store, "fix-report", [q4, fix("lanting", x1, D(2026, 8, 3), D(2026, 8, 3))])
    assert fingerprints(store, S, D(2026, 12, 1))["2026Q3"] != before["2026Q3"]
