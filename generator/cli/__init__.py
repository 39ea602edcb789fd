"""The `handbook` command: a thin Click adapter over the library.

Each command parses options and calls one library function; the group
(`options.HandbookGroup`) turns `HandbookError` into `Error: …`, exit 1.
Shared options live in `options.py`; each stage's commands are added by its
module's `register_commands(cli)`, and each instrument adds its own
(`handbook <instrument> form|push|simulate|…`) by `Instrument.register_commands`.
The group holds the instruments (`instruments`) every command hands to the library.
"""

from __future__ import annotations

from pathlib import Path

import click

from .. import __version__
from . import forms, ingest, results, site
from ..messages import Msg
from .options import STANDARDS_OPTION, HandbookGroup, cli_instruments

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


@click.group(cls=_RootGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="handbook")
def main():
    """Customer-service supervision handbook: standards, site, checklists, forms and results."""


@main.command()
@STANDARDS_OPTION
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
def check(standards_dir: Path, strict: bool):
    """Validate the standards and report every problem as file:line."""
    from ..standards import load_standards

    result = load_standards(standards_dir, instruments=cli_instruments())
    for diagnostic in result.diagnostics:
        click.echo(str(diagnostic), err=True)
    errors, warnings = len(result.errors), len(result.warnings)
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
              show_default=True, help="Folder to write the JSON Schema files into.")
def schema(out_dir: Path):
    """Write the JSON Schemas that editors use to autocomplete the YAML files."""
    from ..schema import write_schemas

    for path in write_schemas(out_dir):
        click.echo(f"wrote {path}")


@main.command()
@STANDARDS_OPTION
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("public"), show_default=True,
              help="Where the built site goes.")
@click.option("--work-dir", type=click.Path(path_type=Path), default=Path("data/demo"), show_default=True,
              help="Where the simulated responses and the demo store go (recreated each run).")
def demo(standards_dir: Path, out_dir: Path, work_dir: Path):
    """Run the whole job offline on simulated example data: simulate, ingest, score, build the site."""
    from ..demo import run_demo

    report = run_demo(standards_dir, work_dir=work_dir, out_dir=out_dir, instruments=cli_instruments())
    t = report.ingest.total
    click.echo(f"模拟回复：{', '.join(str(p) for p in report.responses.values())}")
    click.echo(f"导入 {report.store}：读取 {t['read']} 行，新增 {t['new']}，隔离 {t['quarantined']}。")
    timings = report.build.timings
    click.echo(f"网站已生成：{out_dir}/（{report.build.size_bytes / 1e6:.1f} MB，用时 {timings['total']:.1f} 秒）")
    click.echo(f"查看：handbook serve --store {report.store} --out {out_dir}"
               f"  （或 python -m http.server -d {out_dir} 后打开 http://127.0.0.1:8000/）")


# Each area keeps its commands in its own module and adds them to the group it is given.
for _module in (forms, ingest, results, site):
    _module.register_commands(main)
