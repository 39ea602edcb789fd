"""CLI commands for site and printable sheets (build, serve): thin adapters over the library."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import HandbookError
from ..messages import Msg
from .options import DEFAULT_STORE, STANDARDS_OPTION, STORE_OPTION, cli_instruments

PDF_CACHE = Path("build/pdf-cache")   # build_site's and the instruments' printables' default cache

OUT_OPTION = click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("public"),
                          show_default=True, help="生成的网站放在哪里（整个替换）。")
# `handbook serve` (and `make serve` on the demo store) renders into a folder of its own: public/ is what
# the department copies to the intranet, and a preview or the demo's data must never land there
SERVE_OUT = Path("build/serve")
SERVE_OUT_OPTION = click.option("--out", "out_dir", type=click.Path(path_type=Path), default=SERVE_OUT,
                                show_default=True, help="预览网站放在哪里（整个替换；不是要发布的 public/）。")
DOCS_OPTION = click.option("--docs", "docs_dir", type=click.Path(path_type=Path), default=Path("site"),
                           show_default=True, help="网站的 Markdown 源文件夹（生成的页面也写在这里）。")
CONFIG_OPTION = click.option("--config", "config_file", type=click.Path(path_type=Path),
                             default=Path("mkdocs.yml"), show_default=True, help="MkDocs 配置文件。")

ENGINE_OPTION = click.option("--engine", default=None, metavar="mkdocs|zensical",
                             help="构建网站的引擎：mkdocs（默认）或 zensical（需另行安装）；"
                                  "也可用环境变量 HANDBOOK_ENGINE 指定。")


def site_options(command, out_option=OUT_OPTION):
    """The options `build` and `serve` share: the standards, the site's output, sources and MkDocs
    configuration, and the store of responses the results come from."""
    for option in reversed((STANDARDS_OPTION, out_option, DOCS_OPTION, CONFIG_OPTION, STORE_OPTION)):
        command = option(command)
    return command


def _check_store(store_path: Path) -> bool:
    """True when the store is the default one and does not exist yet (the results then say there is no
    data); a store named with --store or HANDBOOK_STORE must exist."""
    if store_path.exists():
        return False
    source = click.get_current_context().get_parameter_source("store_path")
    if source is not click.core.ParameterSource.DEFAULT:
        named = "--store" if source is click.core.ParameterSource.COMMANDLINE else "HANDBOOK_STORE"
        raise HandbookError(Msg.STORE_NAMED_MISSING, option=named, path=store_path,
                            default=DEFAULT_STORE)
    return True


def _stores(store_path: Path) -> list[Path]:
    """The stores an output folder must never hold: the one named and the default one."""
    return [store_path, DEFAULT_STORE]


def _say_waiting(lock: Path) -> None:
    click.echo(Msg.BUILD_WAITING(lock=lock), err=True)


@click.command()
@site_options
@click.option("--handbook-only", is_flag=True,
              help="只生成手册，不含检查结果（用于公开的网站）。")
@ENGINE_OPTION
def build(standards_dir: Path, out_dir: Path, docs_dir: Path, config_file: Path, store_path: Path,
          handbook_only: bool, engine: str | None):
    """生成手册页面、可打印的 PDF 和检查结果，构建网站到 public/。"""
    from ..instruments import site_generators
    from ..results.project_check import store_projects_check
    from ..results.publish import sheet_focus
    from ..site import build_site, choose_engine

    engine = choose_engine(engine)   # a missing engine is said before a minute of building
    instruments = cli_instruments()
    extra, focus, missing, clear = [], None, False, ()
    if handbook_only:
        clear = ("results", "methods")   # no stale results from an earlier build
    else:
        missing = _check_store(store_path)
        extra = [store_projects_check(store_path), *site_generators(store_path, instruments=instruments)]
        focus = sheet_focus(store_path)
    from ..printing.pdf import cache_clock, cache_in_use, prune_cache

    with cache_in_use(PDF_CACHE) as alone:
        started = cache_clock(PDF_CACHE) if not handbook_only else 0.0
        report = build_site(standards_dir, out_dir=out_dir, docs_dir=docs_dir, config_file=config_file,
                            extra_generators=extra, sheet_focus=focus, instruments=instruments, engine=engine,
                            stores=_stores(store_path), clear=clear, on_wait=_say_waiting)
        if not handbook_only and alone():
            # a full build printed every current printable: the cache keeps those and forgets past weeks'
            # (not while another build uses the cache: it may still need what this one did not print)
            prune_cache(PDF_CACHE, started)
    if handbook_only:
        click.echo("只生成了手册（--handbook-only），没有读取数据库，也没有检查结果。")
    elif missing:
        click.echo(f"默认数据库 {store_path} 还不存在：结果页显示“暂无检查数据”（先运行 handbook ingest）。")
    else:
        from ..store.rules import read_rules
        from ..messages import Msg
        from ..results.publish import store_snapshot
        from ..rulebook import rules_of
        from ..standards import require_standards

        scored = len(store_snapshot(store_path).inspections())
        click.echo(f"读取数据库 {store_path}：评分 {scored} 次检查。")
        recorded = read_rules(store_path) if scored else {}
        if scored:
            standards = require_standards(standards_dir, instruments=instruments)
            version = standards.document.version
            if not recorded:   # a store from before the rules were recorded: said once
                click.echo(Msg.RULES_NOT_RECORDED(store=store_path, version=version))
            elif version in recorded and not recorded[version][1].same_scoring(rules_of(standards)):
                text, hint = Msg.RULES_UNDATED.render(version=version)   # an undated edit re-scored history
                click.echo(f"警告：{text}（运行 handbook check 查看改变了哪些得分；{hint}）", err=True)
    t = report.timings
    click.echo(f"网站已生成到 {report.out_dir}/：{len(report.pages)} 个生成页面，{report.printables} 个 PDF，"
               f"{report.size_bytes / 1e6:.1f} MB。")
    click.echo(f"用时 {t['total']:.1f} 秒（读取标准 {t['load']:.1f}，生成页面 {t['generate']:.1f}，"
               f"PDF {t['pdf']:.1f}，{report.engine} {t['mkdocs']:.1f}）。")


@click.command()
@lambda command: site_options(command, SERVE_OUT_OPTION)
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True,
              help="在 127.0.0.1 上使用的端口。")
@ENGINE_OPTION
def serve(standards_dir: Path, out_dir: Path, docs_dir: Path, config_file: Path, store_path: Path, port: int,
          engine: str | None):
    """在本机 127.0.0.1 上打开网站；标准文件或页面有改动时自动重新构建。

    预览生成到 build/serve/，不会覆盖要发布的 public/。看演示：handbook serve
    --store data/demo/demo.sqlite（或 make serve）。
    """
    from ..instruments import site_generators
    from ..results.project_check import store_projects_check
    from ..results.publish import sheet_focus
    from ..site import choose_engine, serve_site

    _check_store(store_path)
    engine = choose_engine(engine)
    instruments = cli_instruments()
    try:
        serve_site(standards_dir, out_dir=out_dir, docs_dir=docs_dir, config_file=config_file,
                   extra_generators=[store_projects_check(store_path),
                                     *site_generators(store_path, instruments=instruments)],
                   sheet_focus=sheet_focus(store_path), port=port, instruments=instruments, engine=engine,
                   store_path=store_path, stores=_stores(store_path),
                   report=lambda message: click.echo(message, err=True))
    except KeyboardInterrupt:
        click.echo("已停止。", err=True)


def register_commands(cli: click.Group) -> None:
    """Add this module's commands to `cli`."""
    cli.add_command(build)
    cli.add_command(serve)
