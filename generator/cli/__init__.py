"""The `handbook` command: a thin Click adapter over the library.

Each command parses options and calls one library function; the group
(`options.HandbookGroup`) turns `HandbookError` into `错误：…`, exit 1.
Shared options live in `options.py`; each stage's commands are added by its
module's `register_commands(cli)`, and each instrument adds its own
(`handbook <instrument> form|push|simulate|…`) by `Instrument.register_commands`.
The group holds the instruments (`instruments`) every command hands to the library.
"""

from __future__ import annotations

from pathlib import Path

import click

from .. import __version__
from . import backup, forms, ingest, notify, platforms, results, site
from ..messages import Msg
from .options import STANDARDS_OPTION, HandbookGroup, cli_instruments, handbook_command, lock_option

class _RootGroup(HandbookGroup):
    """`handbook`: the instruments are loaded, and add their commands, on first use (importing them all
    takes ~0.4 s, which `handbook check` or `--help` need not pay)."""

    _instruments_added = False

    @property
    def instruments(self) -> list:
        """Every instrument (`generator.instruments.INSTRUMENTS`), loaded when first asked for."""
        from ..instruments import INSTRUMENTS

        return INSTRUMENTS

    def _add_instrument_commands(self) -> None:
        if not self._instruments_added:
            self._instruments_added = True
            for instrument in self.instruments:   # each adds its own (handbook patrol …, handbook exam …)
                instrument.register_commands(self)

    def get_command(self, ctx, cmd_name):
        command = super().get_command(ctx, cmd_name)
        if command is None and not self._instruments_added:
            self._add_instrument_commands()
            command = super().get_command(ctx, cmd_name)
        return command

    def list_commands(self, ctx):
        self._add_instrument_commands()
        return super().list_commands(ctx)


@click.group("handbook", cls=_RootGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="handbook", message="%(prog)s 版本 %(version)s",
                      help="显示版本号并退出。")
def main():
    """客服服务行为监督手册：标准、网站、检查表、表单与检查结果。

    每周例行：handbook ingest 导入回复，handbook build 生成网站。

    每个命令的说明：handbook 命令 -h，例如 handbook ingest -h。
    """


@main.command()
@STANDARDS_OPTION
@click.option("--strict", is_flag=True, help="把警告也当作错误。")
@lock_option("锁文件：其中登记的腾讯问卷问卷也与标准核对。")
def check(standards_dir: Path, strict: bool, lock_path: Path):
    """检查标准文件，逐条列出问题（文件:行号）；锁文件中登记的腾讯问卷问卷也与标准核对。"""
    from ..standards import load_standards

    result = load_standards(standards_dir, instruments=cli_instruments())
    for diagnostic in result.diagnostics:
        click.echo(str(diagnostic), err=True)
    errors, warnings = len(result.errors), len(result.warnings)
    if result.ok(strict) and result.standards is not None:   # surveys made by hand must still match
        surveys = platforms.lock_problems(lock_path, result.standards, cli_instruments())
        for problem in surveys:
            click.echo(problem, err=True)
        errors += len(surveys)
        if surveys:
            raise click.ClickException(Msg.CHECK_FAILED(folder=lock_path, count=len(surveys), what="不一致"))
    if not result.ok(strict):
        counted = errors + (warnings if strict else 0)
        raise click.ClickException(Msg.CHECK_FAILED(folder=standards_dir, count=counted,
                                                    what="错误" if not strict else "错误或警告"))
    s = result.standards
    click.echo(f"标准检查通过：{len(s.clauses)} 个条款，{len(s.items)} 个检查条目，"
               f"{len(s.checklists)} 张检查表，{len(s.projects)} 个项目"
               + (f"，{warnings} 个警告" if warnings else "") + "。")


@main.command()
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("standards/schema"),
              show_default=True, help="写入 JSON Schema 文件的文件夹。")
def schema(out_dir: Path):
    """写出 JSON Schema：编辑器据此为 YAML 文件提供自动补全和字段说明。"""
    from ..schema import write_schemas

    for path in write_schemas(out_dir):
        click.echo(Msg.WROTE(path=path, detail=""))


@main.command()
@STANDARDS_OPTION
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("public"), show_default=True,
              help="生成的网站放在哪里。")
@click.option("--work-dir", type=click.Path(path_type=Path), default=Path("data/demo"), show_default=True,
              help="模拟回复和演示数据库放在哪里（每次重新生成）。")
@click.option("--platform", type=click.Choice(["google", "tencent"]), default="google", hidden=True,
              help="tencent：表单登记为腾讯问卷问卷，答卷从 HANDBOOK_TENCENT_API 指向的（模拟）腾讯问卷接口拉取。")
def demo(standards_dir: Path, out_dir: Path, work_dir: Path, platform: str):
    """离线演示整个流程：模拟回复、导入、评分、生成带检查结果的网站。"""
    from ..demo import run_demo

    store = work_dir / "demo.sqlite"
    starting = {"simulate": f"模拟回复（{work_dir / 'responses'}/）……", "ingest": f"导入 {store}……",
                "build": f"生成网站 {out_dir}/（含每个项目的 PDF，约需半分钟）……"}

    def step(name: str, result) -> None:
        if result is None:
            click.echo(starting[name])
        elif name == "simulate":
            click.echo(f"  {len(result)} 份回复导出：" + "、".join(p.name for p in result.values()))
        elif name == "ingest":
            t = result.total
            click.echo(f"  读取 {t['read']} 行，新增 {t['new']}，隔离 {t['quarantined']}。")

    report = run_demo(standards_dir, work_dir=work_dir, out_dir=out_dir, step=step,
                      instruments=cli_instruments(), platform=platform)
    timings = report.build.timings
    click.echo(f"演示网站已生成：{out_dir}/（{report.build.size_bytes / 1e6:.1f} MB，用时 {timings['total']:.1f} 秒）")
    serve = f"{handbook_command()} serve --store {report.store}" + (f" --out {out_dir}" if out_dir != Path("public") else "")
    click.echo(f"打开演示：{serve}，然后在浏览器中打开 http://127.0.0.1:8000/")


# Each area keeps its commands in its own module and adds them to the group it is given.
for _module in (forms, ingest, notify, platforms, results, site, backup):
    _module.register_commands(main)
