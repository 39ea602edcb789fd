"""`handbook build` and `handbook serve`: failures leave public/ alone, serve rebuilds on YAML change."""

from __future__ import annotations

import json
import queue
import re
import threading
import urllib.request

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.errors import HandbookError
from generator.site import build_site, serve_site
from generator.site.safety import MARKER, MARKER_TEXT
from generator.instruments import INSTRUMENTS

from site_helpers import copy_site_sources

pytestmark = pytest.mark.slow   # full site builds and `handbook serve` rebuilds


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def tree(tmp_path, standards_dir):
    """Site sources, a copy of the standards, and an old public/ that must survive failed builds."""
    docs, config = copy_site_sources(tmp_path)
    public = tmp_path / "public"
    public.mkdir()
    (public / "index.html").write_text("old site", encoding="utf-8")
    (public / MARKER).write_text(MARKER_TEXT, encoding="utf-8")     # a previous build's output
    return dict(standards=standards_dir, docs=docs, config=config, public=public, root=tmp_path)


def untouched(tree) -> bool:
    public = tree["public"]
    return (sorted(p.name for p in public.iterdir()) == [MARKER, "index.html"]
            and (public / "index.html").read_text(encoding="utf-8") == "old site"
            and not list(tree["root"].glob(".build-*")))


def build_args(tree):
    return ["build", "--standards", str(tree["standards"]), "--out", str(tree["public"]),
            "--docs", str(tree["docs"]), "--config", str(tree["config"])]


def test_invalid_standards_exit_1_with_every_message_and_keep_public(tree):
    path = tree["standards"] / "procedure.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("code: 4.2.1.1-b", "code: 4.2.1.1-a").replace("deduction: 5\n", "deduction: 50\n", 1)
    path.write_text(text, encoding="utf-8")
    result = run(*build_args(tree))
    assert result.exit_code == 1
    assert f"{path}:" in result.output
    assert "重复的条目代码“4.2.1.1-a”" in result.output
    assert "每处扣分 50 大于分值 5" in result.output
    assert result.output.strip().splitlines()[-1].startswith("错误：标准文件有 2 个错误")
    assert "Traceback" not in result.output
    assert untouched(tree)
    assert not (tree["docs"] / "standards").exists(), "nothing generated from invalid standards"


def test_a_mkdocs_error_exits_1_with_its_message_and_keeps_public(tree, tmp_path_factory):
    (tree["docs"] / "broken.md").write_text("# 坏链接\n\n[不存在](nowhere.md)\n", encoding="utf-8")
    with pytest.raises(HandbookError) as caught:
        build_site(tree["standards"], out_dir=tree["public"], docs_dir=tree["docs"],
                   config_file=tree["config"], cache_dir=tmp_path_factory.getbasetemp() / "pdf-cache",
                   instruments=INSTRUMENTS)
    assert "nowhere.md" in str(caught.value) and "mkdocs build 失败" in str(caught.value)
    assert untouched(tree)


def test_missing_mkdocs_config_is_an_error(tree):
    result = run(*build_args(tree)[:-1], str(tree["root"] / "nope.yml"))
    assert result.exit_code == 1 and "找不到 MkDocs 配置文件" in result.output
    assert untouched(tree)


def test_build_replaces_public_and_reports_timings(tree):
    result = run(*build_args(tree))
    assert result.exit_code == 0, result.output
    assert "网站已生成到" in result.output and "mkdocs" in result.output
    assert "old site" not in (tree["public"] / "index.html").read_text(encoding="utf-8")
    assert (tree["public"] / "standards" / "4.2.1" / "index.html").is_file()
    assert (tree["public"] / "print" / "daily-patrol.pdf").is_file()
    assert not list(tree["root"].glob(".build-*"))


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode("utf-8")


class Serving:
    """`serve_site` on a free port in a thread, over the tree's site, and what it says; stopped on leaving."""

    def __init__(self, tree, tmp_path_factory, **kwargs):
        self.messages: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=serve_site, args=(tree["standards"],), kwargs=dict(
            out_dir=tree["public"], docs_dir=tree["docs"], config_file=tree["config"], port=0,
            cache_dir=tmp_path_factory.getbasetemp() / "pdf-cache", poll_seconds=0.2,
            report=self.messages.put, stop=self.stop, instruments=INSTRUMENTS, **kwargs), daemon=True)

    def __enter__(self) -> "Serving":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join(timeout=30)
        if exc[0] is None:
            assert not self.thread.is_alive()

    def wait_for(self, text: str) -> str:
        """The first message holding `text` (earlier ones are kept in `seen`)."""
        while True:
            try:
                message = self.messages.get(timeout=120)
            except queue.Empty:
                raise AssertionError(f"no “{text}” from serve; it said: {self.seen}") from None
            self.seen.append(message)
            if text in message:
                return message


def test_serve_rebuilds_when_a_yaml_file_changes(tree, tmp_path_factory):
    results = [lambda ctx: ctx.write("results/index.md", "# 检查结果\n")]
    with Serving(tree, tmp_path_factory, extra_generators=results) as serve:
        serve.wait_for("已构建")
        url = serve.wait_for("网站地址").split()[1]
        assert url.startswith("http://127.0.0.1:")
        assert "最后更新 2026-11-27" in fetch(url)
        assert "检查结果" in fetch(url + "results/")
        with pytest.raises(queue.Empty):        # pages the build writes do not trigger another build
            serve.messages.get(timeout=1.5)

        path = tree["standards"] / "procedure.yaml"
        path.write_text(path.read_text(encoding="utf-8").replace("updated: 2026-11-27", "updated: 2026-12-01"),
                        encoding="utf-8")
        serve.wait_for("已构建")
        # saved right after a build reports: must start the next build, not be lost
        path.write_text(path.read_text(encoding="utf-8").replace("points: 5\n", "points: -5\n", 1),
                        encoding="utf-8")
        assert "最后更新 2026-12-01" in fetch(url)
        failure = serve.wait_for("构建失败")
        assert "procedure.yaml:" in failure
        assert "最后更新 2026-12-01" in fetch(url), "the last good site is still served"


def test_serve_rebuilds_an_edited_page_without_recomputing_results(tree, tmp_path_factory):
    """Saving site/index.md runs only the engine again; the results (here a generator
    that counts its runs) are computed again only when the store changes."""
    runs: list[int] = []

    def results(ctx):
        runs.append(1)
        ctx.write("results/index.md", f"# 检查结果\n\n第 {len(runs)} 次计算\n")
        ctx.add_nav("检查结果", ["results/index.md"])

    store = tree["root"] / "store.sqlite"
    store.write_bytes(b"week 1")

    with Serving(tree, tmp_path_factory, extra_generators=[results], store_path=store) as serve:
        serve.wait_for("已构建")
        url = serve.wait_for("网站地址").split()[1]
        results_page = tree["docs"] / "results" / "index.md"
        written_at = results_page.stat().st_mtime_ns
        assert "第 1 次计算" in fetch(url + "results/") and runs == [1]

        home = tree["docs"] / "index.md"
        home.write_text(home.read_text(encoding="utf-8").replace("本手册把", "【已修订】本手册把", 1), encoding="utf-8")
        done = serve.wait_for("已构建")
        assert re.fullmatch(r"已构建（\d+\.\d 秒；只有页面改动，只重新渲染了 index\.md，其他页面、"
                            r"标准和检查结果未重新计算）",
                            done), done
        assert "【已修订】本手册把" in fetch(url)
        assert runs == [1] and results_page.stat().st_mtime_ns == written_at   # results not computed again
        assert "第 1 次计算" in fetch(url + "results/") and 'href="results/"' in fetch(url)

        store.write_bytes(b"week 2")            # a new week ingested: the results are computed again
        done = serve.wait_for("已构建")
        assert "未重新计算" not in done and runs == [1, 1]
        assert "第 2 次计算" in fetch(url + "results/") and "【已修订】本手册把" in fetch(url)


def test_serve_renders_only_the_edited_page_and_falls_back_when_it_cannot(tree, tmp_path_factory):
    """An edit of site/index.md renders that page alone into the served site (other pages'
    HTML untouched, its search entries replaced, the others' kept); a broken link is still refused as by the
    full build; a new page, or a page after a refused edit, makes the engine render every page again."""
    public, home = tree["public"], tree["docs"] / "index.md"
    index_file = public / "search" / "search_index.json"

    def search_entries() -> tuple[list, list]:
        docs = json.loads(index_file.read_text(encoding="utf-8"))["docs"]
        mine = [d for d in docs if d["location"].split("#")[0] == ""]
        return mine, [d for d in docs if d["location"].split("#")[0] != ""]

    def others() -> dict:
        return {p: p.stat().st_mtime_ns for p in public.rglob("*.html") if p != public / "index.html"}

    with Serving(tree, tmp_path_factory) as serve:
        serve.wait_for("已构建")
        url = serve.wait_for("网站地址").split()[1]
        original = home.read_text(encoding="utf-8")
        home.write_text(original.replace("本手册把", "ALPHAWORD 本手册把", 1), encoding="utf-8")
        assert "只重新渲染了 index.md" in serve.wait_for("已构建")
        before, mine_before = others(), search_entries()
        assert len(before) > 20 and "ALPHAWORD" in json.dumps(mine_before[0], ensure_ascii=False)

        home.write_text(original.replace("本手册把", "BETAWORD 本手册把", 1), encoding="utf-8")
        done = serve.wait_for("已构建")
        assert re.fullmatch(r"已构建（\d+\.\d 秒；只有页面改动，只重新渲染了 index\.md，其他页面、"
                            r"标准和检查结果未重新计算）",
                            done), done
        page = fetch(url)
        assert "BETAWORD 本手册把" in page and "ALPHAWORD" not in page
        assert others() == before                           # no other page written again
        mine, rest = search_entries()
        text = json.dumps(mine, ensure_ascii=False)
        assert "BETAWORD" in text and "ALPHAWORD" not in text and len(mine) == len(mine_before[0])
        assert rest == mine_before[1]                       # every other page's entries kept as they were

        home.write_text(original.replace("本手册把", "[坏链接](no-such-page.md) 本手册把", 1), encoding="utf-8")
        done = serve.wait_for("构建失败")
        assert done.startswith("构建失败：mkdocs build 失败") and "no-such-page.md" in done, done
        assert "BETAWORD 本手册把" in fetch(url) and "坏链接" not in fetch(url)   # the last good site is served

        home.write_text(original.replace("本手册把", "GAMMAWORD 本手册把", 1), encoding="utf-8")
        done = serve.wait_for("已构建")
        assert done.endswith("整站页面重新渲染：上次的单页渲染未完成）"), done
        assert "GAMMAWORD 本手册把" in fetch(url)

        (tree["docs"] / "extra-page.md").write_text("# 新页面\n\nDELTAWORD\n", encoding="utf-8")
        done = serve.wait_for("已构建")
        assert done.endswith("整站页面重新渲染：新增或删除了 extra-page.md）"), done
        assert "DELTAWORD" in fetch(url + "extra-page/")

        maintain = tree["docs"] / "maintain" / "files.md"     # its title shows on other pages: all again
        maintain.write_text(maintain.read_text(encoding="utf-8").replace("title: 文件在哪里", "title: 文件位置", 1),
                            encoding="utf-8")
        done = serve.wait_for("已构建")
        assert done.endswith("整站页面重新渲染：maintain/files.md 的标题或页首设置改变了）"), done
        assert "文件位置" in fetch(url + "maintain/files/")
