"""What every `handbook` command shares: its options, defined once, the group class, the
instruments of the running command and old command names kept as aliases.

Commands and instruments import from here, never from `generator.cli` itself, so
no module imports the group back (the group passes itself to `register_commands`).
"""

from __future__ import annotations

import copy
from pathlib import Path

import click

from ..errors import HandbookError, StandardsInvalid

STANDARDS_OPTION = click.option(
    "--standards", "standards_dir", type=click.Path(path_type=Path), default=Path("standards"),
    show_default=True, help="Folder of the standards YAML files.")

DEFAULT_STORE = Path("data/inspections.sqlite")
DEFAULT_LOCK = Path("forms/forms.lock.yaml")


def store_option(dest: str = "store_path"):
    """`--store`/`--db` (env HANDBOOK_STORE): the SQLite store of responses, the same on every command."""
    return click.option(
        "--store", "--db", dest, type=click.Path(path_type=Path, dir_okay=False), envvar="HANDBOOK_STORE",
        default=DEFAULT_STORE, show_default=True, help="The SQLite store of responses (env HANDBOOK_STORE).")


STORE_OPTION = store_option()


def lock_option(help: str = "The lock file that records each form."):
    """`--lock`: the forms lock file (forms/forms.lock.yaml)."""
    return click.option("--lock", "lock_path", type=click.Path(path_type=Path, dir_okay=False),
                        default=DEFAULT_LOCK, show_default=True, help=help)


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


class HandbookGroup(click.Group):
    """A click group whose commands may raise `HandbookError`: shown as one `Error: …` line, exit 1.

    `StandardsInvalid` first prints each of its diagnostics (file:line) on stderr.
    Sub-groups made with `@group.group()` are of this class too.
    """

    group_class = type  # sub-groups are HandbookGroups
    #: The instruments the commands under this group work with (see `cli_instruments`); the root
    #: `handbook` group has them all.
    instruments: tuple = ()

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except StandardsInvalid as exc:
            for diagnostic in exc.diagnostics:
                click.echo(str(diagnostic), err=True)
            raise click.ClickException(str(exc)) from None
        except HandbookError as exc:
            raise click.ClickException(str(exc)) from None
