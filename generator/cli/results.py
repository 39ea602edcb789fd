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
              help="Which scored table to write.")
@click.option("--format", "fmt", type=click.Choice(["json", "csv", "xlsx"]), default="json", show_default=True)
@click.option("--output", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="File to write (default: standard output; xlsx needs --output).")
@STORE_OPTION
@STANDARDS_OPTION
def export(table: str, fmt: str, output: Path | None, store_path: Path, standards_dir: Path):
    """Write scored inspections, project weeks, patrols or actions as JSON, CSV or XLSX."""
    from ..ingest.store import read_inspections
    from ..results.export import export_rows, serialise
    from ..standards import require_standards

    standards = require_standards(standards_dir, instruments=cli_instruments())
    if not store_path.exists():
        raise HandbookError(one_line("store_missing", path=store_path))
    if fmt == "xlsx" and output is None:
        raise HandbookError(Msg.XLSX_NEEDS_OUTPUT())
    data = serialise(export_rows(standards, read_inspections(store_path), table), fmt)
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        try:
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_bytes(data)
        except OSError as exc:
            raise HandbookError(Msg.CANNOT_WRITE(path=output, reason=exc.strerror or exc)) from None
        click.echo(f"wrote {output}", err=True)


def register_commands(cli: click.Group) -> None:
    """Add this module's commands to `cli`."""
    cli.add_command(export)
