"""What every `handbook` command shares: its options, defined once, the group class, the
instruments of the running command and old command names kept as aliases.

Commands and instruments import from here, never from `generator.cli` itself, so
no module imports the group back (the group passes itself to `register_commands`).
"""

from __future__ import annotations

import copy
import os
import shutil
import sys
from pathlib import Path

import click

from ..errors import HandbookError, StandardsInvalid
from ..messages import Msg
from . import click_zh

click_zh.install()   # Click's own words (用法, 选项, 缺少选项 …) in Chinese

DEFAULT_STANDARDS = Path("standards")


def _standards_folder(ctx: click.Context, param: click.Parameter, value: Path) -> Path:
    """The standards folder must exist: outside the repository the default one does not."""
    if not value.is_dir():
        source = ctx.get_parameter_source(param.name)
        if source is click.core.ParameterSource.DEFAULT:
            raise HandbookError(Msg.STANDARDS_DIR_MISSING(folder=value))
        raise HandbookError(Msg.STANDARDS_DIR_NAMED_MISSING(folder=value))
    return value


STANDARDS_OPTION = click.option(
    "--standards", "standards_dir", type=click.Path(path_type=Path), default=DEFAULT_STANDARDS,
    show_default=True, callback=_standards_folder, help="标准 YAML 文件所在的文件夹。")

def handbook_command() -> str:
    """How the user can run this program again, as printed in hints: `handbook` when that name on the
    PATH is this program, else the path it was started by (`.venv/bin/handbook` after `make demo`)."""
    started = Path(sys.argv[0])
    if started.name == "__main__.py" and started.parent.name == "generator":
        return "python3 -m generator"
    if started.name != "handbook" or not started.is_file():
        return "handbook"
    found = shutil.which("handbook")
    if found and Path(found).resolve() == started.resolve():
        return "handbook"
    relative = os.path.relpath(started.resolve(), Path.cwd().resolve())
    return relative if relative.startswith(".") or os.sep in relative else f".{os.sep}{relative}"


DEFAULT_STORE = Path("data/inspections.sqlite")
DEFAULT_LOCK = Path("forms/forms.lock.yaml")


def store_option(dest: str = "store_path"):
    """`--store`/`--db` (env HANDBOOK_STORE): the SQLite store of responses, the same on every command."""
    return click.option(
        "--store", "--db", dest, type=click.Path(path_type=Path, dir_okay=False), envvar="HANDBOOK_STORE",
        default=DEFAULT_STORE, show_default=True, help="存放回复的数据库（SQLite 文件；也可用环境变量 HANDBOOK_STORE "
                                                       "指定）。")


STORE_OPTION = store_option()

# The export formats of a response sheet the simulators write (`instruments.patrol.simulate.TIMESTAMP_TITLES`)
LOCALES = ("zh-CN", "zh-TW", "en-US", "forms")


def locale_option():
    """`--locale` of the simulators: how the sheet export writes times and the timestamp column."""
    return click.option("--locale", type=click.Choice(LOCALES), default="zh-CN", show_default=True,
                        help="导出格式：时间和时间戳列的写法。")


def lock_option(help: str = "记录每张表单的锁文件。"):
    """`--lock`: the forms lock file (forms/forms.lock.yaml)."""
    return click.option("--lock", "lock_path", type=click.Path(path_type=Path, dir_okay=False),
                        default=DEFAULT_LOCK, show_default=True, help=help)


def require_suffix(*suffixes: str, what: str):
    """An option callback refusing a file name whose extension is not one of `suffixes` (`--card x.docx`)."""
    def callback(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
        if value is not None and value.suffix.lower() not in suffixes:
            raise HandbookError(Msg.WRONG_EXTENSION(option=param.opts[0], path=value, what=what,
                                                    suffixes=" 或 ".join(suffixes)))
        return value
    return callback


def cli_instruments() -> list:
    """The instruments of the running `handbook` command: its root group's `instruments` (the `handbook`
    group's are `generator.instruments.INSTRUMENTS`), handed to the stages and the standards loader."""
    return list(click.get_current_context().find_root().command.instruments)


def alias(command: click.Command, name: str, new: str) -> click.Command:
    """`command` under an old name kept for one release: the same parameters, callback and sub-commands
    (so the same results), with help saying it is an alias and which command to use now (`new`)."""
    old = copy.copy(command)
    old.name = name
    old.short_help = f"旧命令，同 handbook {new}：请改用 handbook {new}。"
    old.help = (f"旧命令（别名，保留一个版本）：与 handbook {new} 完全相同，请改用 handbook {new}。"
                + (f"\n\n{command.help}" if command.help else ""))
    return old



def one_line_usage_error(exc: click.UsageError) -> click.ClickException:
    """A mistyped command line as one Chinese line with exit status 1 (instead of Click's usage,
    hint and error on three lines with exit status 2), naming the help to read."""
    message = " ".join(exc.format_message().split()).replace("。 ", "。")
    if exc.ctx is not None:
        message = Msg.USAGE_ERROR(message=message.rstrip("。."), command=exc.ctx.command_path)
    return click.ClickException(message)


class HandbookGroup(click.Group):
    """A click group whose commands may raise `HandbookError`: shown as one `错误：…` line, exit 1.

    `StandardsInvalid` first prints each of its diagnostics (file:line) on stderr; a mistyped
    command line (missing or unknown option, bad value) is one line too, exit 1.
    Sub-groups made with `@group.group()` are of this class too.
    """

    group_class = type  # sub-groups are HandbookGroups
    #: The instruments the commands under this group work with (see `cli_instruments`); the root
    #: `handbook` group has them all.
    instruments: tuple = ()

    def make_context(self, info_name, args, parent=None, **extra):
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.exceptions.NoArgsIsHelpError:
            raise
        except click.UsageError as exc:
            raise one_line_usage_error(exc) from None
        except HandbookError as exc:
            raise click.ClickException(str(exc)) from None

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except StandardsInvalid as exc:
            for diagnostic in exc.diagnostics:
                click.echo(str(diagnostic), err=True)
            raise click.ClickException(str(exc)) from None
        except HandbookError as exc:
            raise click.ClickException(str(exc)) from None
        except click.exceptions.NoArgsIsHelpError:
            raise
        except click.UsageError as exc:
            raise one_line_usage_error(exc) from None
