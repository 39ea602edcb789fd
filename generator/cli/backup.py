"""CLI commands `handbook backup` and `handbook restore`: thin adapters over `store.backup`."""

from __future__ import annotations

from pathlib import Path

import click

from .options import STORE_OPTION
from ..errors import HandbookError
from ..messages import Msg, one_line

FOLDER_OPTION = click.option(
    "--folder", type=click.Path(path_type=Path, file_okay=False), default=None,
    help="备份放在哪个文件夹（默认：数据库旁边的 backups/，例如 data/backups/）。")


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 100_000 else f"{n / 1e3:.0f} KB"


@click.command()
@STORE_OPTION
@FOLDER_OPTION
@click.option("--keep", type=click.IntRange(min=1), default=8, show_default=True, envvar="HANDBOOK_BACKUP_KEEP",
              help="保留最近几份备份，更早的自动删除（也可用环境变量 HANDBOOK_BACKUP_KEEP 指定）。")
def backup(store_path: Path, folder: Path | None, keep: int):
    """备份数据库：先检查完整性，再用 SQLite 的在线备份复制（导入进行中也能得到完整的一份），只保留最近几份。"""
    from ..store.backup import backup_store

    done = backup_store(store_path, folder=folder, keep=keep)
    click.echo(Msg.BACKUP_DONE(path=store_path, copy=done.copy, size=_size(done.size), inspections=done.inspections))
    removed = f"，删除了 {len(done.removed)} 份较早的" if done.removed else ""
    click.echo(Msg.BACKUP_KEPT(folder=f"{done.folder}/", keep=keep, removed=removed))


@click.command()
@click.argument("copy", required=False, metavar="[备份文件]", type=click.Path(path_type=Path, dir_okay=False))
@STORE_OPTION
@FOLDER_OPTION
@click.option("--yes", "-y", is_flag=True, help="不询问，直接替换。")
def restore(copy: Path | None, store_path: Path, folder: Path | None, yes: bool):
    """用备份恢复数据库（不给备份文件时用最近的一份）：先检查备份的完整性，当前数据库另存一份后再替换。"""
    from ..store.backup import check_copy, kept_name, restore_store

    info = check_copy(store_path, copy, folder=folder)
    kept = kept_name(store_path, folder=folder, zone=info.zone)
    if not yes:
        question = Msg.RESTORE_CONFIRM(copy=info.copy, when=f"备份于 {info.made}", inspections=info.inspections,
                                       path=store_path, kept=kept if store_path.exists() else "（无）")
        try:
            confirmed = click.confirm(question, default=False)
        except click.Abort:   # no terminal to ask on (a script without --yes)
            click.echo("", err=True)
            confirmed = False
        if not confirmed:
            raise HandbookError(one_line("restore_not_confirmed", path=store_path))
    done = restore_store(store_path, info, kept=kept)
    click.echo(Msg.RESTORE_DONE(copy=done.copy, path=store_path, inspections=done.inspections,
                                kept=f"；原来的数据库另存为 {done.kept}" if done.kept else ""))


def register_commands(cli: click.Group) -> None:
    """Add this module's commands to `cli`."""
    cli.add_command(backup)
    cli.add_command(restore)
