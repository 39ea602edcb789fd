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
from . import backup, forms, ingest, notify, platforms, results, site, sources
from ..messages import Msg
from .options import STANDARDS_OPTION, HandbookGroup, cli_instruments, handbook_command, lock_option, store_option

# The demo's site: never public/, the folder the department copies to the intranet
DEMO_OUT = Path("build/demo")


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
@store_option()
def check(standards_dir: Path, strict: bool, lock_path: Path, store_path: Path):
    """检查标准文件，逐条列出问题（文件:行号）；锁文件中登记的腾讯问卷问卷也与标准核对。

    数据库存在时，还按修改前后的标准各评一遍已导入的检查，说明本次修改会改变哪些已发布的得分和考核；
    数据库里有、标准里却没有的项目（删除项目或改了项目代号）也会指出。
    """
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
    moved = 0
    if result.standards is not None and store_path.is_file():   # what the edit would re-score
        from ..results.project_check import check_store_projects

        check_store_projects(result.standards, store_path)      # a project the store holds is still there
        moved = _rule_changes(result.standards, store_path)
        warnings += moved
    if not result.ok(strict) or (strict and moved):
        counted = errors + (warnings if strict else 0)
        raise click.ClickException(Msg.CHECK_FAILED(folder=standards_dir if not result.ok(strict) else store_path,
                                                    count=counted, what="错误" if not strict else "错误或警告"))
    s = result.standards
    click.echo(f"标准检查通过：{len(s.clauses)} 个条款，{len(s.items)} 个检查条目，"
               f"{len(s.checklists)} 张检查表，{len(s.projects)} 个项目"
               + (f"，{warnings} 个警告" if warnings else "") + "。")


def _rule_changes(standards, store_path: Path) -> int:
    """Say what the edited standards would change in the store's published scores; the warnings counted."""
    import datetime as dt

    from ..results.impact import rule_change_impact
    from ..results.scoring import quarter_label

    impact = rule_change_impact(standards, store_path, dt.date.today())
    where = f"{store_path}: "
    if impact.unrecorded:
        click.echo(where + Msg.RULES_NOT_RECORDED(store=store_path, version=standards.document.version))
        return 0
    for version in impact.undated:
        text, hint = Msg.RULES_UNDATED.render(version=version)
        click.echo(f"{where}警告: {text}（提示：{hint}）", err=True)
    for version, effective, count in impact.dated:
        click.echo(where + Msg.RULES_DATED_MOVES(version=version, effective=effective.isoformat(), count=count))
    for code, short, count, moved in impact.removed:   # a removed item is never silent
        fate = ("它们的得分都会改变（不再计入此条）" if moved == count
                else f"其中 {moved} 次的得分会改变，其余仍按当时的标准评分" if moved
                else "它们仍按当时的标准评分，得分不变")
        click.echo(where + ("警告: " if impact.warns else "")
                   + Msg.RULES_ITEM_REMOVED(code=code, short=short, count=count, fate=fate), err=impact.warns)
    if not impact.moved:
        click.echo(Msg.RULES_UNCHANGED(store=store_path, count=impact.inspections))
        return int(impact.warns)
    dates = sorted(i.date for i, _, _ in impact.moved)
    closed = ("，包括已结束的 " + "、".join(quarter_label(q) for q in impact.closed) + "考核") if impact.closed else ""
    text, hint = Msg.RULES_MOVE.render(count=len(impact.moved), first=dates[0].isoformat(), last=dates[-1].isoformat(),
                                       projects="、".join(impact.projects), closed=closed)
    label = "警告: " if impact.warns else ""
    click.echo(f"{where}{label}{text}" + (f"（提示：{hint}）" if impact.warns else ""), err=impact.warns)
    for project, quarter, old, new in impact.assessments:
        click.echo(f"{where}  " + Msg.RULES_ASSESSMENT_MOVES(project=project, quarter=quarter, old=old, new=new),
                   err=impact.warns)
    return int(impact.warns)


@main.command()
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("standards/schema"),
              show_default=True, help="写入 JSON Schema 文件的文件夹。")
def schema(out_dir: Path):
    """写出 JSON Schema：编辑器据此为 YAML 文件提供自动补全和字段说明。"""
    from ..schema import write_schemas

    for path in write_schemas(out_dir, instruments=cli_instruments()):
        click.echo(Msg.WROTE(path=path, detail=""))


@main.command()
@STANDARDS_OPTION
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=DEMO_OUT, show_default=True,
              help="生成的演示网站放在哪里（不是要发布的 public/）。")
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
    serve = f"{handbook_command()} serve --store {report.store}" + (f" --out {out_dir}" if out_dir != DEMO_OUT else "")
    click.echo(f"打开演示：{serve}，然后在浏览器中打开 http://127.0.0.1:8000/")


# Each area keeps its commands in its own module and adds them to the group it is given.
for _module in (forms, ingest, notify, platforms, results, site, backup, sources):
    _module.register_commands(main)
