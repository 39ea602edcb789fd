"""CLI commands for the store's sources (`handbook sources`, `handbook sources withdraw ID`)."""

from __future__ import annotations

from pathlib import Path

import click

from .options import HandbookGroup, STANDARDS_OPTION, STORE_OPTION, cli_instruments
from ..errors import HandbookError
from ..messages import Msg


KINDS = {"sheet": "Google 表格", "file": "文件"}


def _require_store(store_path: Path) -> None:
    if not store_path.exists():
        raise HandbookError(Msg.STORE_MISSING, path=store_path)


def _local(text: str | None, zone) -> str:
    """A stored time (ISO 8601 with offset) in the organisation's zone, to the minute."""
    if not text:
        return ""
    import datetime as dt

    try:
        return dt.datetime.fromisoformat(text).astimezone(zone).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return text[:16].replace("T", " ")


@click.group("sources", cls=HandbookGroup, invoke_without_command=True)
@STORE_OPTION
@STANDARDS_OPTION
@click.pass_context
def sources(ctx: click.Context, store_path: Path, standards_dir: Path):
    """列出数据库中的每个来源（回复表或导入的文件）：表单、首次与最近导入、行数、计入结果的检查数。

    导入错了的文件用 handbook sources withdraw 编号 撤回。
    """
    if ctx.invoked_subcommand is not None:
        return
    from zoneinfo import ZoneInfo

    from ..ingest.sources import list_sources
    from ..standards import require_standards

    zone = ZoneInfo(require_standards(standards_dir, instruments=cli_instruments()).organisation.timezone)
    _require_store(store_path)
    rows = list_sources(store_path, cli_instruments())
    if not rows:
        click.echo(f"{store_path} 中还没有任何来源。")
        return
    click.echo("编号  表单  来源  首次导入  最近导入  原始行  计入结果")
    for s in rows:
        state = f"已撤回（{_local(s.withdrawn_at, zone)}）" if s.withdrawn_at else str(s.counted)
        where = s.title if s.kind == "file" else f"{s.title}（{s.locator}）"
        click.echo(f"{s.id}  {s.checklist}  {KINDS.get(s.kind, s.kind)} {where}  "
                   f"{_local(s.first_read_at, zone)}  {_local(s.last_read_at, zone)}  {s.rows}  {state}")


@sources.command()
@click.argument("source_id", metavar="编号", type=int)
@click.option("--yes", is_flag=True, help="不再询问，直接撤回。")
@STORE_OPTION
@STANDARDS_OPTION
def withdraw(source_id: int, yes: bool, store_path: Path, standards_dir: Path):
    """撤回一个来源：它的检查不再计入结果；原始行保留在数据库中备查。

    编号见 handbook sources。撤回后 handbook ingest 不再读取它；用 --file 或 --sheet 再导入一次即恢复。
    已存档的季度考核建议因此变化时，随即记为一次修订（原存档不变）。
    """
    from ..ingest.sources import list_sources, withdraw_source
    from ..standards import require_standards

    instruments = cli_instruments()
    standards = require_standards(standards_dir, instruments=instruments)
    _require_store(store_path)
    info = next((s for s in list_sources(store_path, instruments) if s.id == source_id), None)
    if info is not None and not info.withdrawn_at and not yes:
        question = (f"撤回来源 {info.id}（{info.checklist}，{KINDS.get(info.kind, info.kind)} {info.title}）：它现有的"
                    f" {info.counted} 条记录将不再计入结果（其他来源中也有的照常计入），原始行 {info.rows} 行保留。"
                    "确定吗？")
        try:
            confirmed = click.confirm(question, default=False)
        except click.exceptions.Abort:   # no answer to read (not a terminal): never withdraw unasked
            click.echo()
            raise HandbookError(Msg.SOURCE_WITHDRAW_NEEDS_YES) from None
        if not confirmed:   # declined: an error, as a declined restore is
            raise HandbookError(Msg.SOURCE_WITHDRAW_NOT_CONFIRMED, id=source_id, path=store_path)
    info, taken, kept = withdraw_source(store_path, source_id, instruments, standards=standards)
    also = f"另有 {kept} 条在其他来源中也有，照常计入；" if kept else ""
    click.echo(f"已撤回来源 {info.id}（{info.title}）：{taken} 条记录不再计入结果；{also}原始行 {info.rows} 行保留在 "
               f"{store_path} 中。重新生成网站（handbook build）后结果页随之更新。")
    # a closed quarter's archived assessment that counted the withdrawn rows gets its dated revision now
    from .ingest import report_closed_quarters

    report_closed_quarters(store_path, standards, amend=False)


def register_commands(cli: click.Group) -> None:
    """Add this module's commands to `cli`."""
    cli.add_command(sources)
