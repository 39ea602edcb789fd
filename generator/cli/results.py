"""CLI commands for scoring and results: thin adapters over the library."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .options import STANDARDS_OPTION, STORE_OPTION, cli_instruments
from ..errors import HandbookError
from ..messages import Msg, one_line


@click.command()
@click.option("--table", type=click.Choice(["inspections", "project_weeks", "patrols", "actions"]), required=True,
              help="导出哪张表：inspections 每次检查，project_weeks 项目每周汇总，patrols 巡查次数，"
                   "actions 整改。")
@click.option("--format", "fmt", type=click.Choice(["json", "csv", "xlsx"]), default="json", show_default=True,
              help="csv 和 xlsx 供 Excel 使用（中文列名，项目、角色写名称，是/否）；json 保留代号和英文字段名。")
@click.option("--output", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="写入的文件（默认输出到屏幕；xlsx 必须给出文件名）。")
@STORE_OPTION
@STANDARDS_OPTION
def export(table: str, fmt: str, output: Path | None, store_path: Path, standards_dir: Path):
    """导出评分后的数据：每次检查、项目每周汇总、巡查次数或整改，格式为 JSON、CSV 或 XLSX。"""
    from ..store.rules import with_store_history
    from ..store import read_inspections, read_last_fetch
    from ..results.export import excel_rows, export_rows, serialise
    from ..results.fix_reports import read_fix_reports
    from ..standards import require_standards

    chosen = click.get_current_context().get_parameter_source("fmt") is not click.core.ParameterSource.DEFAULT
    if output is not None and not chosen and output.suffix.lower() in (".csv", ".xlsx", ".json"):
        fmt = output.suffix.lower()[1:]   # --output 周汇总.xlsx: the name says the format
    if fmt == "xlsx" and output is None:
        raise HandbookError(Msg.XLSX_NEEDS_OUTPUT())
    if output is not None and output.suffix.lower() != f".{fmt}":
        raise HandbookError(Msg.WRONG_EXTENSION(option="--output", path=output, what=f"--format {fmt} 写出 {fmt} 文件",
                                                suffixes=f".{fmt}"))
    standards = require_standards(standards_dir, instruments=cli_instruments())
    if not store_path.exists():
        raise HandbookError(one_line("store_missing", path=store_path))
    standards = with_store_history(standards, store_path)   # each inspection by the standards of its date
    rows = export_rows(standards, read_inspections(store_path), table,
                       reports=read_fix_reports(store_path) if table == "actions" else (),
                       last_fetch=read_last_fetch(store_path))
    data = serialise(rows if fmt == "json" else excel_rows(standards, rows, table), fmt)
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        try:
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_bytes(data)
        except OSError as exc:
            raise HandbookError(Msg.CANNOT_WRITE(path=output, reason=exc.strerror or exc)) from None
        click.echo(Msg.WROTE(path=output, detail=f"（{len(rows)} 行）"), err=True)


def register_commands(cli: click.Group) -> None:
    """Add this module's commands to `cli`."""
    cli.add_command(export)
