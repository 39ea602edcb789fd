"""A newcomer's first hour: every word Chinese, mistakes answered in one line, the README's
weekly routine followed as written, `handbook demo` saying what it does, exports for Excel in Chinese."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import socket
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from generator.cli import main
from generator.instruments import INSTRUMENTS
from generator.standards import require_standards
from generator.store import read_inspections

from conftest import ROOT, share_pdf_cache

CJK = re.compile(r"[\u4e00-\u9fff]")
# What may stay Latin in a help text: options, choices, file names and paths, ids, the program's name.
CODE = re.compile(r"--?[\w-]+|\[[^\]\u4e00-\u9fff]*\]|[\w.-]*[/.<>@=][\w./<>@=*-]*"
                  r"|\b[a-z][a-z0-9]*(?:[-_][a-z0-9]+)+\b|\bhandbook\b|\b[A-Z_]{2,}\b")
PROJECTS = ("wutong（梧桐苑）、lanting（兰亭雅居）、binjiang（滨江花园）、xiangshu（香树湾）、jinqiao（金桥公寓）、"
            "yuelan（悦澜府）、qingyuan（青园小区）、haitang（海棠湾）")
HOUSE_FORMS = ["daily-patrol（客服中心每日巡查表）", "crd-spot-check（客户关系部抽样检查表）",
               "customer-survey（客户满意度问卷）", "exam-<季度>（季度综合考试，例如 exam-2026Q4）",
               "fix-report（整改反馈）"]
# the forms a mistaken form id is told about: every instrument's, in their order (the house's among them, checked
# in `test_mistaken_commands_give_one_chinese_line_and_exit_1`), so a new instrument's forms need no edit here
FORMS = "、".join(hint for i in INSTRUMENTS
                 for hint in i.form_hints(require_standards(ROOT / "standards", instruments=INSTRUMENTS)))


def cli(*args, **kwargs):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False, **kwargs)


def commands(group=main, prefix=()):
    yield prefix, group
    for name in group.list_commands(None):   # the instruments add theirs when listed
        command = group.get_command(None, name)
        if hasattr(command, "commands"):
            yield from commands(command, prefix + (name,))
        else:
            yield prefix + (name,), command


def cjk_share(text: str) -> float:
    prose = CODE.sub(" ", text)
    cjk, latin = len(CJK.findall(prose)), len(re.findall(r"[A-Za-z]", prose))
    return cjk / (cjk + latin)


# ---------------------------------------------------------------- every --help is Chinese

def test_every_help_is_chinese():
    seen = []
    for path, command in commands():
        result = cli(*path, "--help")
        assert result.exit_code == 0, result.output
        seen.append(" ".join(path))
        share = cjk_share(result.output)
        assert share >= 0.6, (path, round(share, 2), result.output)
        # Click's own words too
        assert result.output.startswith("用法：") and "\n选项:\n" in result.output, result.output
        assert "Show this message" not in result.output and "[default:" not in result.output
        assert CJK.search(command.help or ""), path
        for param in command.params:
            if isinstance(param, __import__("click").Option) and param.help:
                assert CJK.search(param.help), (path, param.opts, param.help)
    assert len(seen) >= 19 and {"", "ingest", "simulate", "exam simulate", "questions draw", "serve"} <= set(seen)


def test_the_english_help_would_fail_the_share():
    """The measure can fail: the English help texts the Chinese ones replaced score near nothing."""
    old = ("Usage: handbook simulate [OPTIONS]\n\n  Write simulated form responses as a CSV export (demo and test data)"
           ".\n\n"
           "Options:\n  --checklist TEXT  Checklist id, e.g. daily-patrol.  [required]\n")
    assert cjk_share(old) == 0.0


# ---------------------------------------------------------------- mistakes: one Chinese line, exit 1

def mistakes(tmp: Path) -> list[tuple[list, str]]:
    csv_out, standards = tmp / "x.csv", ["--standards", ROOT / "standards"]
    simulate = ["simulate", "--from", "2026-01-01", "--to", "2026-01-07", *standards]
    return [
        ([*simulate, "--checklist", "nope", "--out", csv_out], f"错误：未知的检查表或表单“nope”；可选：{FORMS}"),
        (["simulate", "--checklist", "daily-patrol", "--from", "2026-02-01", "--to", "2026-01-01", "--out", csv_out,
          *standards], "错误：--to 2026-01-01 早于 --from 2026-02-01：结束日期不能早于开始日期"),
        ([*simulate, "--checklist", "daily-patrol", "--projects", "梧桐", "--out", csv_out],
         f"错误：未知项目“梧桐”；可用项目：{PROJECTS}"),
        ([*simulate, "--checklist", "daily-patrol", "--out", tmp / "x.xlsx"],
         f"错误：--out {tmp / 'x.xlsx'}：模拟回复写成 CSV 文件，文件名应以 .csv 结尾"),
        (["simulate", "--checklist", "customer-survey", "--out", csv_out, *standards],
         "错误：模拟 customer-survey 的回复需要 --from 和 --to，例如 --from 2026-09-14 --to 2026-11-22"),
        (["questions", "draw", "--project", "梧桐", *standards], f"错误：未知项目“梧桐”；可用项目：{PROJECTS}"),
        (["questions", "draw", "--project", "wutong", "--card", tmp / "card.docx", *standards],
         f"错误：--card {tmp / 'card.docx'}：抽问卡只能写成 PDF 或 HTML 文件，文件名应以 .pdf 或 .html 或 .htm 结尾"),
        (["ingest", "--file", ROOT / "forms/examples/daily-patrol.csv", *standards],
         f"错误：--sheet 和 --file 需要用 --checklist 指明是哪张表单的回复；可选：{FORMS}"),
        (["ingest", "--lock", tmp / "none.yaml", "--store", tmp / "s.sqlite", *standards],
         f"错误：没有可导入的回复：锁文件 {tmp / 'none.yaml'} 中没有记录任何回复表。导入导出的文件用 handbook ingest "
         "--file 文件 --checklist 表单；读取 Google 回复表先用 handbook forms link 记录它"),
        (["ingest", "--file", ROOT / "forms/examples/daily-patrol.csv", "--checklist", "daily", "--store",
          tmp / "s.sqlite", *standards], f"错误：未知的检查表或表单“daily”；可选：{FORMS}"),
        (["export", "--table", "patrols", "--output", tmp / "x.txt", "--format", "csv", "--store",
          tmp / "none.sqlite", *standards],
         f"错误：--output {tmp / 'x.txt'}：--format csv 写出 csv 文件，文件名应以 .csv 结尾"),
        (["exam", "simulate", "--quarter", "2026Q9", "--out", csv_out, *standards],
         "错误：季度“2026Q9”格式不对：应写成 2026Q4（年份 + Q + 1 到 4）"),
        (["check", "--standards", tmp / "nowhere"],
         f"错误：找不到 --standards 指定的标准目录 {tmp / 'nowhere'}：检查路径是否写错"),
        # Click's own mistakes, in Chinese and on one line too
        (["simulate", "--checklist", "daily-patrol"], "错误：缺少选项 '--out'（运行 handbook simulate -h 查看用法）"),
        (["ingst"], "错误：没有命令 ingst。是不是要用 'ingest'？（运行 handbook -h 查看用法）"),
        (["export", "--table", "weeks"], "错误：'--table' 的值无效：“weeks”不是可选值之一：'inspections', "
                                         "'project_weeks', 'patrols', 'actions'（运行 handbook export -h 查看用法）"),
        (["questions", "draw", "--project", "wutong", "--n", "five"],
         "错误：'--n' 的值无效：“five”不是有效的数字（运行 handbook questions draw -h 查看用法）"),
    ]


def test_mistaken_commands_give_one_chinese_line_and_exit_1(tmp_path):
    assert [hint for hint in FORMS.split("、") if hint in HOUSE_FORMS] == HOUSE_FORMS
    for args, expected in mistakes(tmp_path):
        result = cli(*args)
        assert (result.exit_code, result.output) == (1, expected + "\n"), args
        assert "Traceback" not in result.output and len(CJK.findall(result.output)) >= 4
    assert not (tmp_path / "s.sqlite").exists() and not (tmp_path / "x.csv").exists()


def test_outside_the_repository_says_so(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for args in (["check"], ["build"], ["ingest", "--file", "x.csv", "--checklist", "daily-patrol"], ["demo"],
                 ["questions", "draw", "--project", "wutong"]):
        result = cli(*args)
        assert (result.exit_code, result.output) == (
            1, "错误：找不到标准目录 standards/：请在仓库根目录运行，或用 --standards 指定\n"), args
    assert list(tmp_path.iterdir()) == []   # nothing created


def test_serve_refuses_a_busy_port_before_building(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        started = time.monotonic()
        result = cli("serve", "--port", port, "--out", tmp_path / "public", "--docs", tmp_path / "site",
                     "--standards", ROOT / "standards", "--config", ROOT / "mkdocs.yml")
    assert result.exit_code == 1
    assert result.output == (f"错误：端口 {port} 已被占用（127.0.0.1:{port} 上已有程序在运行）：先停止它，"
                             f"或用 --port 换一个端口，例如 --port {port + 1}\n")
    assert time.monotonic() - started < 5 and not (tmp_path / "site").exists()   # no build was started


# ---------------------------------------------------------------- names where ids are expected

def test_a_project_may_be_given_by_its_chinese_name(tmp_path):
    by_id = cli("questions", "draw", "--project", "wutong", "--seed", "42", "--standards", ROOT / "standards")
    by_name = cli("questions", "draw", "--project", "梧桐苑", "--seed", "42", "--standards", ROOT / "standards")
    assert by_id.exit_code == by_name.exit_code == 0
    assert by_name.output == by_id.output and by_id.output.startswith("梧桐苑 · 随机抽问 5 题 · 编号 42")
    for projects in ("wutong,lanting", "梧桐苑, 兰亭雅居"):
        out = tmp_path / f"{len(projects)}.csv"
        assert cli("simulate", "--checklist", "daily-patrol", "--from", "2026-11-16", "--to", "2026-11-22",
                   "--projects", projects, "--out", out, "--standards", ROOT / "standards").exit_code == 0
    a, b = (tmp_path / f"{len(p)}.csv" for p in ("wutong,lanting", "梧桐苑, 兰亭雅居"))
    assert a.read_bytes() == b.read_bytes()
    assert {row["项目"] for row in csv.DictReader(io.StringIO(a.read_text(encoding="utf-8")))} == {"梧桐苑", "兰亭雅居"}


# ---------------------------------------------------------------- every form has its example and simulator

def test_every_form_has_an_example_the_documented_command_makes(tmp_path):
    """forms/examples/ holds one export per form, made by the commands docs/commands.md lists; each ingests."""
    commands_text = (ROOT / "docs/commands.md").read_text(encoding="utf-8")
    documented = re.findall(r"^handbook simulate .* --out forms/examples/(\S+)\.csv$", commands_text, re.M)
    assert len(documented) == len(set(documented))
    assert {"daily-patrol", "crd-spot-check", "customer-survey", "exam-2026Q4"} <= set(documented)
    assert sorted(p.stem for p in (ROOT / "forms/examples").glob("*.csv")) == sorted(documented)
    for line in re.findall(r"^handbook simulate .*$", commands_text, re.M):
        args = line.split()[1:]
        shipped = ROOT / args[args.index("--out") + 1]
        args[args.index("--out") + 1] = str(tmp_path / shipped.name)
        result = cli(*args, "--standards", ROOT / "standards")
        assert result.exit_code == 0, result.output
        assert (tmp_path / shipped.name).read_bytes() == shipped.read_bytes(), line
    store = tmp_path / "s.sqlite"
    counts = {}
    for form in documented:
        result = cli("ingest", "--file", ROOT / f"forms/examples/{form}.csv", "--checklist", form, "--store", store,
                     "--standards", ROOT / "standards")
        assert result.exit_code == 0, result.output
        counts[form] = re.search(r"合计：读取 (\d+) 行，新增 (\d+)，修改 0，未变 0，隔离 0", result.output).groups()
    assert counts == {"daily-patrol": ("1501", "1501"), "crd-spot-check": ("20", "20"),
                      "customer-survey": ("143", "143"), "exam-2026Q4": ("75", "75")}


# ---------------------------------------------------------------- exports for Excel

@pytest.fixture(scope="module")
def patrol_store(tmp_path_factory):
    store = tmp_path_factory.mktemp("export") / "s.sqlite"
    for form in ("daily-patrol", "crd-spot-check"):
        assert cli("ingest", "--file", ROOT / f"forms/examples/{form}.csv", "--checklist", form, "--store", store,
                   "--standards", ROOT / "standards").exit_code == 0
    return store


def export(store, table, fmt, output=None):
    args = ["export", "--table", table, "--format", fmt, "--store", store, "--standards", ROOT / "standards"]
    result = cli(*args, *(["--output", output] if output else []))
    assert result.exit_code == 0, result.output
    return result


def test_csv_export_has_chinese_headers_and_names(patrol_store):
    rows = json.loads(export(patrol_store, "inspections", "json").stdout)
    assert list(rows[0])[:4] == ["id", "checklist", "project", "role"]          # JSON keeps ids and field names
    text = export(patrol_store, "inspections", "csv").stdout_bytes.decode("utf-8")
    assert text.startswith("\ufeff")
    table = list(csv.reader(io.StringIO(text[1:])))
    assert table[0] == ["编号", "检查表", "项目", "角色", "检查人", "检查日期", "周", "提交时间", "得分", "满分",
                        "得分率（%）", "评级", "红线不符合", "不符合的检查条目"]
    assert len(table) - 1 == len(rows) == 1521
    by_id = {r["id"]: r for r in rows}
    checklists = {"daily-patrol": "客服中心每日巡查表", "crd-spot-check": "客户关系部抽样检查表"}
    projects = dict(p.split("（") for p in PROJECTS.rstrip("）").split("）、"))
    roles = {"cs_supervisor": "客服主管", "project_manager": "项目经理", "crd": "客户关系部"}
    for line in table[1:]:
        row = by_id[line[0]]
        assert line[1:4] == [checklists[row["checklist"]], projects[row["project"]], roles[row["role"]]]
        assert line[12] == ("是" if row["critical_failed"] else "否")
    assert {line[12] for line in table[1:]} == {"是", "否"}
    assert {line[3] for line in table[1:]} == {"客服主管", "项目经理", "客户关系部"}


def test_xlsx_export_has_chinese_headers_and_names(patrol_store, tmp_path):
    out = tmp_path / "整改.xlsx"
    result = export(patrol_store, "actions", "xlsx", out)
    rows = json.loads(export(patrol_store, "actions", "json").stdout)
    assert result.output == f"已写入 {out}（{len(rows)} 行）\n"
    sheet = load_workbook(out).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0] == ["项目", "检查条目", "发现日期", "整改日期", "整改方式", "逾期", "状态", "责任人", "验证",
                         "整改期限", "整改反馈日期", "验证日期", "逾期天数"]
    assert len(values) - 1 == len(rows) > 10
    how = {"on_site": "当场纠正", "reinspection": "复查符合", "verified": "验证通过", "repeated": "复发", None: None}
    roles = {"cs_supervisor": "客服主管", "crd": "客户关系部"}
    projects = dict(p.split("（") for p in PROJECTS.rstrip("）").split("）、"))
    for line, row in zip(values[1:], rows):
        assert line == [projects[row["project"]], row["code"], row["opened"], row["closed"], how[row["how"]],
                        "是" if row["overdue"] else "否", row["status"], roles[row["owner"]], roles[row["verifier"]],
                        row["due"], row["reported"], row["verified"], row["days_late"]]
    assert {line[4] for line in values[1:]} >= {"当场纠正", "复查符合"}


def test_the_output_name_chooses_the_format(patrol_store, tmp_path):
    out = tmp_path / "周汇总.xlsx"
    export_args = ["export", "--table", "project_weeks", "--output", out, "--store", patrol_store,
                   "--standards", ROOT / "standards"]
    assert cli(*export_args).exit_code == 0
    header = [c.value for c in next(load_workbook(out).active.iter_rows())]
    assert header == ["项目", "周", "检查次数", "得分", "满分", "得分率（%）", "评级", "红线次数"]


# ---------------------------------------------------------------- the README, followed as written

def routine(readme: str) -> list[str]:
    """The commands of the README's weekly routine: the first sh block under 每周例行."""
    section = readme.split("## 每周例行", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    return [line.split("  #")[0].strip() for line in block.splitlines() if line.strip() and not line.startswith("#")]


@pytest.fixture(scope="module")
def fresh_copy(tmp_path_factory):
    """What a fresh clone holds that the commands read: standards, forms, site sources and theme
    overrides, mkdocs.yml."""
    root = tmp_path_factory.mktemp("clone")
    shutil.copytree(ROOT / "standards", root / "standards")
    shutil.copytree(ROOT / "overrides", root / "overrides")
    shutil.copytree(ROOT / "forms", root / "forms")
    shutil.copyfile(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    generated = {"standards", "roles", "print", "results", "checklists", "methods"}
    shutil.copytree(ROOT / "site", root / "site", ignore=lambda folder, names: [
        n for n in names if Path(folder) == ROOT / "site" and n in generated])
    share_pdf_cache(root)   # the tests' one PDF cache: the sheets are not what the routine checks
    return root


@pytest.mark.slow
def test_readme_weekly_routine_works_on_a_fresh_copy(fresh_copy, monkeypatch):
    monkeypatch.chdir(fresh_copy)
    monkeypatch.delenv("HANDBOOK_STORE", raising=False)
    commands_run = routine((ROOT / "README.md").read_text(encoding="utf-8"))
    assert commands_run[-1] == "handbook build --store data/practice.sqlite --out build/practice"
    assert commands_run[-2] == "handbook backup --store data/practice.sqlite" and len(commands_run) == 6
    outputs = []
    for line in commands_run:
        assert line.startswith("handbook "), line
        result = CliRunner().invoke(main, line.split()[1:], catch_exceptions=False)
        assert result.exit_code == 0, (line, result.output)
        outputs.append(result.output)
    store = fresh_copy / "data/practice.sqlite"
    assert len(read_inspections(store)) == 1501 + 20
    # practice never touches the real store, nor the site the department publishes
    assert not (fresh_copy / "data/inspections.sqlite").exists() and not (fresh_copy / "public").exists()
    assert [re.search(r"合计：读取 (\d+) 行", o).group(1) for o in outputs[:4]] == ["1501", "20", "143", "75"]
    copies = list((fresh_copy / "data/backups").glob("practice-*.sqlite"))
    assert len(copies) == 1 and outputs[4].startswith("已备份数据库 data/practice.sqlite → "
                                                      f"{copies[0].relative_to(fresh_copy)}（")
    assert len(read_inspections(copies[0])) == 1501 + 20
    build = outputs[-1]
    assert f"读取数据库 data/practice.sqlite：评分 {1501 + 20} 次检查。" in build
    pdfs = int(re.search(r"(\d+) 个 PDF", build).group(1))
    # sheets, survey forms, exam paper
    assert pdfs == len(list((fresh_copy / "build/practice/print").glob("*.pdf"))) > 18
    for page in ("index.html", "results/index.html", "results/exam/index.html"):
        assert (fresh_copy / "build/practice" / page).is_file(), page


@pytest.mark.slow
def test_demo_says_each_step_and_how_to_open_it(demo_run):
    # what the session's `handbook demo --out public` printed (conftest.demo_run: the real command in a fresh
    # copy, over the tests' weeks)
    lines = demo_run.output.splitlines()
    assert lines[0] == "模拟回复（data/demo/responses/）……"
    # one export per simulated form: the house's in their order, and any a later instrument simulates
    exports = re.fullmatch(r"  (\d+) 份回复导出：(.+)", lines[1])
    names = exports.group(2).split("、")
    house = ["daily-patrol.csv", "crd-spot-check.csv", "customer-survey.csv", "exam-2026Q4.csv", "fix-report.csv"]
    assert int(exports.group(1)) == len(names) and [n for n in names if n in house] == house
    assert lines[2] == "导入 data/demo/demo.sqlite……"
    assert re.fullmatch(r"  读取 \d+ 行，新增 \d+，隔离 0。", lines[3])
    assert lines[4] == "生成网站 public/（含每个项目的 PDF，约需半分钟）……"
    assert lines[5].startswith("演示网站已生成：public/（")
    # the printed command serves the demo store (under pytest the program is not started as .venv/bin/handbook)
    assert lines[6] == ("打开演示：handbook serve --store data/demo/demo.sqlite --out public，"
                        "然后在浏览器中打开 http://127.0.0.1:8000/")
    assert len(lines) == 7 and "0.0.0.0" not in demo_run.output
    assert demo_run.report.store == demo_run.root / "data/demo/demo.sqlite" and demo_run.report.store.is_file()
