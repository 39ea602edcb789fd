"""`handbook build` never deletes, mixes or leaks: the output folder guard, builds
and serve at the same time, a project the store holds but the standards dropped, links and credentials in the
site sources, names from the standards as data, scratch folders a killed build left."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import signal
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.messages import one_line
from generator.site.safety import MARKER, MARKER_TEXT

from conftest import ROOT, STANDARDS, printables_stood_in, share_pdf_cache
from site_helpers import copy_site_sources

pytestmark = pytest.mark.slow   # full site builds and `handbook build`/`serve` processes

EXAMPLES = ROOT / "forms" / "examples"
PATROL_CSV, SPOT_CSV = EXAMPLES / "daily-patrol.csv", EXAMPLES / "crd-spot-check.csv"
SITE_NAME = "客服服务行为监督手册"


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def tree_state(root: Path) -> dict[str, str]:
    """Every file under root (links as their target) with a hash of its content: what must not change."""
    state = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(folder) / name
            rel = path.relative_to(root).as_posix()
            if path.is_symlink():
                state[rel] = "-> " + os.readlink(path)
            elif path.is_file():
                state[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return state


@pytest.fixture
def project(tmp_path, monkeypatch) -> Iterator[Path]:
    """A project folder as a clone holds it (standards, forms, site sources, mkdocs.yml), the current folder;
    its build/pdf-cache the tests' one PDF cache (`share_pdf_cache`); the printables of its in-process builds are
    stand-ins (`printables_stood_in`: these tests are about the output folder, the store and the pages)."""
    root = tmp_path / "proj"
    root.mkdir()
    copy_site_sources(root)
    shutil.copytree(STANDARDS, root / "standards")
    shutil.copytree(ROOT / "forms", root / "forms")
    share_pdf_cache(root)
    monkeypatch.chdir(root)
    monkeypatch.delenv("HANDBOOK_STORE", raising=False)
    monkeypatch.delenv("HANDBOOK_ENGINE", raising=False)
    with printables_stood_in():
        yield root


def ingest(csv_file: Path, checklist: str, store: str = "data/inspections.sqlite") -> None:
    result = run("ingest", "--file", str(csv_file), "--checklist", checklist, "--store", store)
    assert result.exit_code == 0, result.output


def old_public(root: Path) -> Path:
    """A site a previous build published (its marker), which a failed build must leave as it is."""
    public = root / "public"
    public.mkdir()
    (public / "index.html").write_text("old site", encoding="utf-8")
    (public / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
    return public


# ---------------------------------------------------------------- case 2: the output folder

@pytest.mark.parametrize("out, relation, what, path", [
    ("data", "包含", "数据库", "data/inspections.sqlite"),
    ("data/inspections.sqlite", "就是", "数据库", "data/inspections.sqlite"),
    ("standards", "就是", "标准文件夹", "standards"),
    (".", "就是", "项目文件夹", "."),
    ("..", "包含", "项目文件夹", "."),
    ("site", "就是", "网站源文件夹", "site"),
    ("site/public", "位于", "网站源文件夹", "site"),
    ("forms", "就是", "表单文件夹", "forms"),
])
def test_out_never_replaces_the_store_standards_sources_or_project(project, out, relation, what, path):
    ingest(SPOT_CSV, "crd-spot-check")
    (project / "data" / MARKER).write_text(MARKER_TEXT, encoding="utf-8")   # even marked, a store folder stays
    before = tree_state(project.parent)
    result = run("build", "--out", out)
    assert result.exit_code == 1
    assert result.output == "错误：" + one_line("out_protected", out=out, relation=relation, what=what,
                                                 path=path) + "\n"     # the path as the user would type it
    assert tree_state(project.parent) == before, "nothing deleted, moved or written"


def test_out_holding_where_the_default_store_will_be_names_the_place_not_a_store(project):
    before = tree_state(project.parent)
    result = run("build", "--out", "data")
    assert result.exit_code == 1
    assert result.output == ("错误：输出文件夹 data 包含默认数据库位置 data/inspections.sqlite："
                             "构建会整个替换输出文件夹，"
                             "不能用在这里：换一个专用的输出文件夹，例如 --out public；什么也没有删除。\n")
    assert tree_state(project.parent) == before


def test_out_that_a_build_did_not_write_is_refused_and_kept(project):
    notes = project / "notes"
    notes.mkdir()
    (notes / "会议记录.txt").write_text("不能删", encoding="utf-8")
    before = tree_state(project)
    result = run("build", "--handbook-only", "--out", "notes")
    assert result.exit_code == 1
    assert result.output == ("错误：输出文件夹 notes 里已有别的文件，且不是 handbook build 生成的"
                             f"（没有标记文件 {MARKER}）："
                             "构建会整个替换输出文件夹，请换一个新的或空的文件夹（例如 --out public）；"
                             "什么也没有删除。\n")
    assert tree_state(project) == before

    result = run("build", "--handbook-only", "--out", "mkdocs.yml")
    assert result.exit_code == 1
    assert result.output == "错误：" + one_line("out_not_folder", out="mkdocs.yml") + "\n"
    assert tree_state(project) == before


def test_serve_never_serves_nor_replaces_a_protected_folder(project):
    ingest(SPOT_CSV, "crd-spot-check")
    before = tree_state(project)
    result = run("serve", "--out", "data", "--port", "8765")
    assert result.exit_code == 1
    assert result.output == "错误：" + one_line("out_protected", out="data", relation="包含", what="数据库",
                                                 path="data/inspections.sqlite") + "\n"
    assert tree_state(project) == before


def test_a_site_built_before_the_marker_existed_is_replaced(project):
    public = project / "public"
    for path in ("index.html", "print/daily-patrol.pdf", "search/search_index.json"):
        (public / path).parent.mkdir(parents=True, exist_ok=True)
        (public / path).write_text("old", encoding="utf-8")
    result = run("build", "--handbook-only")
    assert result.exit_code == 0, result.output
    assert (public / MARKER).is_file() and (public / "index.html").read_text(encoding="utf-8") != "old"


def test_out_missing_or_marked_is_built_and_marked(project):
    first = run("build", "--handbook-only", "--out", "web")
    assert first.exit_code == 0, first.output
    web = project / "web"
    assert (web / MARKER).read_text(encoding="utf-8") == MARKER_TEXT
    assert (web / "index.html").is_file()
    (web / "stale.html").write_text("from an earlier build", encoding="utf-8")
    second = run("build", "--handbook-only", "--out", "web")
    assert second.exit_code == 0, second.output
    assert not (web / "stale.html").exists() and (web / MARKER).is_file()


# ---------------------------------------------------------------- case 4: two builds at once, serve beside a build

def handbook(root: Path, *args: str, **kwargs) -> subprocess.Popen:
    """`handbook …` as a separate process in the project folder (this checkout's code)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"}
    env.pop("HANDBOOK_STORE", None)
    return subprocess.Popen([sys.executable, "-m", "generator", *args], cwd=root, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8", **kwargs)


def wutong_count(public: Path) -> int:
    """How many inspections the published page of 梧桐苑 counts."""
    text = (public / "results" / "projects" / "wutong" / "index.html").read_text(encoding="utf-8")
    return int(re.search(r"共 (\d+) 次检查", text).group(1))


@pytest.mark.slow
def test_two_builds_at_once_each_publish_their_own_store(project):
    """Two `handbook build` processes over the same site sources with different stores and outputs, started
    together, four times: each output holds its own store's results (before: one build published the other's
    results, or failed)."""
    ingest(PATROL_CSV, "daily-patrol", "data/a.sqlite")
    ingest(SPOT_CSV, "crd-spot-check", "data/b.sqlite")
    scored = {"pub-a": len(rows(PATROL_CSV)), "pub-b": len(rows(SPOT_CSV))}
    expected = {"pub-a": sum(1 for row in rows(PATROL_CSV) if row["项目"] == "梧桐苑"),
                "pub-b": sum(1 for row in rows(SPOT_CSV) if row["项目"] == "梧桐苑")}
    assert expected["pub-a"] != expected["pub-b"] and min(expected.values()) > 0
    for attempt in range(4):
        for out in expected:
            shutil.rmtree(project / out, ignore_errors=True)
        a = handbook(project, "build", "--store", "data/a.sqlite", "--out", "pub-a")
        b = handbook(project, "build", "--store", "data/b.sqlite", "--out", "pub-b")
        (out_a, err_a), (out_b, err_b) = a.communicate(timeout=600), b.communicate(timeout=600)
        assert (a.returncode, b.returncode) == (0, 0), (attempt, err_a, err_b)
        assert f"读取数据库 data/a.sqlite：评分 {scored['pub-a']} 次检查。" in out_a
        assert f"读取数据库 data/b.sqlite：评分 {scored['pub-b']} 次检查。" in out_b
        assert {out: wutong_count(project / out) for out in expected} == expected, attempt
        assert not list(project.glob(".build-*")), attempt


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> int:
    with urllib.request.urlopen(url, timeout=10) as response:
        response.read()
        return response.status


@pytest.mark.slow
def test_serve_survives_builds_in_another_terminal(project):
    """`handbook serve` running while the README's routine runs four times in a second terminal (`handbook
    ingest`, which makes serve rebuild, then `handbook build` at once): serve keeps running and serving, and
    shows no traceback (before: it crashed with FileNotFoundError)."""
    ingest(SPOT_CSV, "crd-spot-check")
    port = free_port()
    serve = handbook(project, "serve", "--port", str(port))
    try:
        deadline = time.monotonic() + 300
        while True:
            assert serve.poll() is None, serve.communicate()
            try:
                if get(f"http://127.0.0.1:{port}/") == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "serve never answered"
            time.sleep(0.5)
        for attempt in range(4):
            again = handbook(project, "ingest", "--file", str(SPOT_CSV), "--checklist", "crd-spot-check")
            assert again.wait(timeout=300) == 0, again.communicate()
            build = handbook(project, "build")
            out, err = build.communicate(timeout=600)
            assert build.returncode == 0, (attempt, err)
            assert f"读取数据库 data/inspections.sqlite：评分 {len(rows(SPOT_CSV))} 次检查。" in out
            assert serve.poll() is None, (attempt, serve.communicate())
            assert get(f"http://127.0.0.1:{port}/") == 200
            assert get(f"http://127.0.0.1:{port}/results/") == 200
    finally:
        serve.send_signal(signal.SIGINT)
        try:
            _, err = serve.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            serve.kill()
            _, err = serve.communicate()
    # before: serve's rebuild read pages the build was replacing ("Error reading page …", 构建失败) or crashed
    assert "Traceback" not in err and "FileNotFoundError" not in err, err
    assert "构建失败" not in err and "Error reading page" not in err, err
    assert err.count("文件有变化，重新构建：data/inspections.sqlite") >= 2, err   # serve rebuilt beside the builds


# ---------------------------------------------------------------- case 5: a project the standards dropped

def test_a_project_the_store_holds_but_the_standards_dropped_is_named(project):
    ingest(PATROL_CSV, "daily-patrol")
    wutong = sum(1 for row in rows(PATROL_CSV) if row["项目"] == "梧桐苑")
    assert wutong > 0
    org = project / "standards" / "organisation.yaml"
    text = org.read_text(encoding="utf-8")
    assert "  - {id: wutong, name: 梧桐苑}\n" in text and "projects: [wutong]" in text
    org.write_text(text.replace("  - {id: wutong, name: 梧桐苑}\n", "  - {id: wutong-east, name: 梧桐苑}\n")
                   .replace("projects: [wutong]", "projects: [wutong-east]"), encoding="utf-8")
    public = old_public(project)
    before = tree_state(public)
    line = (f"错误：数据库 data/inspections.sqlite 中有项目“wutong”的 {wutong} 条检查记录，但 "
            "standards/organisation.yaml "
            "里已没有这个项目：项目不再管理时不要删除它，保留这一项并写 active: false（可加撤场日期 until: YYYY-MM-DD；"
            "历史结果照常发布）；"
            "只是改名时请保持 id: wutong 不变，只改 name。\n")
    result = run("build")
    assert result.exit_code == 1
    assert result.output == line
    assert "Traceback" not in result.output and tree_state(public) == before
    checked = run("check", "--store", "data/inspections.sqlite")     # said before a build, too
    assert checked.exit_code == 1 and checked.output == line

    # the fix the line offers: keep the old id, inactive
    org.write_text(org.read_text(encoding="utf-8").replace(
        "  - {id: wutong-east, name: 梧桐苑}\n",
        "  - {id: wutong-east, name: 梧桐苑}\n  - {id: wutong, name: 梧桐苑（旧）, active: false}\n"), encoding="utf-8")
    checked = run("check", "--store", "data/inspections.sqlite")
    assert checked.exit_code == 0 and "标准检查通过：" in checked.output, checked.output
    result = run("build")
    assert result.exit_code == 0, result.output
    page = (public / "results" / "projects" / "wutong" / "index.html").read_text(encoding="utf-8")
    assert f"共 {wutong} 次检查" in page
    listing = (public / "results" / "projects" / "index.html").read_text(encoding="utf-8")
    assert "梧桐苑（旧）</a>（已不在管）" in listing


# ---------------------------------------------------------------- case 7: links and credentials in site/

SECRET = "HANDBOOK_WECOM_CRD=0f3c9a7e-51b2-4d8e-9c3a-7b6f2e1d0a99"


@pytest.mark.parametrize("plant, shown, why", [
    ("link", "site/notice.txt", None),
    ("link-dir", "site/assets", None),
    ("env", "site/notify.env", "文件名"),
    ("key", "site/maintain/deploy.md", "内容像私钥"),
    ("service-account", "site/javascripts/config.json", "内容像Google 服务账号密钥"),
    ("notify", "site/maintain/settings.txt", "内容像通知凭据"),
])
def test_links_out_of_site_and_credentials_are_never_published(project, plant, shown, why):
    outside = project.parent / "secrets"
    outside.mkdir()
    (outside / "notify.env").write_text(SECRET + "\n", encoding="utf-8")
    site = project / "site"
    if plant == "link":
        (site / "notice.txt").symlink_to(outside / "notify.env")
        target = str(outside / "notify.env")
    elif plant == "link-dir":
        (site / "assets").symlink_to(outside, target_is_directory=True)
        target = str(outside)
    elif plant == "env":
        (site / "notify.env").write_text(SECRET + "\n", encoding="utf-8")
    elif plant == "key":
        (site / "maintain" / "deploy.md").write_text(
            "# 部署\n\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n"
            "-----END OPENSSH PRIVATE KEY-----\n", encoding="utf-8")
    elif plant == "service-account":
        (site / "javascripts" / "config.json").write_text(json.dumps(
            {"type": "service_account", "client_email": "x@y.iam.gserviceaccount.com",
             "private_key": "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n"}), encoding="utf-8")
    else:
        (site / "maintain" / "settings.txt").write_text(f"# 通知\n{SECRET}\n", encoding="utf-8")
    public = old_public(project)
    before = tree_state(public)
    result = run("build", "--handbook-only")      # the public build leaked it too
    assert result.exit_code == 1
    if why is None:
        expected = one_line("source_link_outside", path=shown, target=target, docs="site")
    else:
        expected = one_line("source_credential", path=shown, why=why, docs="site")
    assert result.output == f"错误：{expected}\n"
    assert tree_state(public) == before, "nothing published"
    assert not list(project.glob(".build-*"))


def test_the_maintenance_pages_placeholders_are_not_taken_for_credentials(project):
    """The notify page shows the credentials file with placeholders; that is no credential."""
    notify_page = (project / "site/maintain/notify.md").read_text(encoding="utf-8")
    assert "HANDBOOK_SMTP_PASSWORD=邮箱密码或授权码" in notify_page
    result = run("build", "--handbook-only")
    assert result.exit_code == 0, result.output
    assert (project / "public" / "maintain" / "notify" / "index.html").is_file()


# ---------------------------------------------------------------- case 9: names from the standards are data

HOSTILE = {
    "wutong": ("<script>alert(1)</script>梧桐苑", "&lt;script&gt;alert(1)&lt;/script&gt;梧桐苑"),
    "lanting": ("[兰亭](javascript:alert(2))", "[兰亭](javascript:alert(2))"),
    "binjiang": ("滨江: 花园", "滨江: 花园"),
    "xiangshu": ("[香树]湾", "[香树]湾"),
}


def test_names_from_the_standards_are_escaped_and_quoted(project):
    ingest(PATROL_CSV, "daily-patrol")       # the store keeps ids: the names change in the standards alone
    org = project / "standards" / "organisation.yaml"
    text = org.read_text(encoding="utf-8")
    for pid, (name, _) in HOSTILE.items():
        line = re.search(rf"  - \{{id: {pid}, name: ([^}}]+)\}}\n", text)
        text = text.replace(line.group(0), f"  - {{id: {pid}, name: {json.dumps(name, ensure_ascii=False)}}}\n")
    assert "    name: 客服主管\n" in text
    text = text.replace("    name: 客服主管\n", '    name: "<img src=x onerror=alert(3)>客服主管"\n', 1)
    org.write_text(text, encoding="utf-8")
    checklists = project / "standards" / "checklists.yaml"
    text = checklists.read_text(encoding="utf-8")
    assert "title: 客服中心每日巡查表" in text
    checklists.write_text(text.replace("title: 客服中心每日巡查表", 'title: "[每日](javascript:alert(4)): 巡查表"', 1),
                          encoding="utf-8")
    assert run("check").exit_code == 0

    result = run("build")
    assert result.exit_code == 0, result.output
    public = project / "public"
    pages = {p: p.read_text(encoding="utf-8") for p in public.rglob("*.html")}
    assert len(pages) > 50
    for page, html in pages.items():
        assert "<script>alert" not in html and "<img src=x" not in html, page
        assert 'href="javascript:' not in html.lower(), page
        assert "exclude: true" not in html, page        # front matter read as front matter
    for pid, (_name, shown) in HOSTILE.items():
        html = pages[public / "results" / "projects" / pid / "index.html"]
        assert f"<title>{shown} - {SITE_NAME}</title>" in html, pid
        assert re.search(rf'<h1 id="[^"]*">{re.escape(shown)}<a class="headerlink"', html), pid
    index = json.loads((public / "search" / "search_index.json").read_text(encoding="utf-8"))
    # the results pages' titles and headings are in the search index (their rows stay out): the
    # hostile names reach it as titles only, escaped as on the page, and no results entry carries text
    results = [d for d in index["docs"] if d["location"].startswith("results/")]
    assert [d["location"] for d in results if d["text"].strip()] == [], "results rows stay unsearchable"
    titles = {d["location"]: d["title"].replace("\u200b", "") for d in results}
    for pid, (_name, shown) in HOSTILE.items():
        assert titles[f"results/projects/{pid}/"] == shown, pid
    assert not [d for d in index["docs"] if "<script" in d["title"] + d["text"] or "<img" in d["title"] + d["text"]]
    role = pages[public / "roles" / "cs_supervisor" / "index.html"]
    assert f"<title>&lt;img src=x onerror=alert(3)&gt;客服主管 - {SITE_NAME}</title>" in role
    standards_page = pages[public / "standards" / "4.2.1" / "index.html"]
    assert "[每日](javascript:alert(4)): 巡查表、客户关系部抽样检查表" in standards_page


# ---------------------------------------------------------------- case 10: a killed build's scratch folder

@pytest.mark.slow
def test_the_next_build_removes_what_a_killed_build_left(project):
    build = handbook(project, "build", "--handbook-only")
    deadline = time.monotonic() + 300
    while not [p for p in project.glob(".build-*") if re.fullmatch(r"\.build-[0-9a-f]{8}", p.name)]:
        assert build.poll() is None, build.communicate()
        assert time.monotonic() < deadline, "the build never made its scratch folder"
        time.sleep(0.05)
    build.send_signal(signal.SIGKILL)
    build.communicate()
    left = [p.name for p in project.glob(".build-*")]
    assert len(left) == 1 and re.fullmatch(r"\.build-[0-9a-f]{8}", left[0])
    (project / ".build-notes").mkdir()      # not a build's scratch folder: kept
    (project / ".build-notes" / "keep.txt").write_text("x", encoding="utf-8")
    (project / ".handbook-build-0badc0de.yml").write_text("INHERIT: mkdocs.yml\n", encoding="utf-8")  # a config it left

    result = run("build", "--handbook-only")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in project.glob(".build-*")) == [".build-notes"]
    assert not list(project.glob(".handbook-build-*.yml"))
    assert (project / ".build-notes" / "keep.txt").read_text(encoding="utf-8") == "x"
    assert (project / "public" / MARKER).is_file()
