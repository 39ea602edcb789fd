"""CLI commands for scoring and results: thin adapters over the library."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .cli import STANDARDS_OPTION, handle_errors, main
from .errors import HandbookError, one_line

STORE_OPTION = click.option(
    "--store", "--db", "store_path", type=click.Path(path_type=Path, dir_okay=False), envvar="HANDBOOK_STORE",
    default=Path("data/inspections.sqlite"), show_default=True, help="The SQLite store (env HANDBOOK_STORE).")


@main.command()
@click.option("--table", type=click.Choice(["inspections", "project_weeks", "patrols", "actions"]), required=True,
              help="Which scored table to write.")
@click.option("--format", "fmt", type=click.Choice(["json", "csv", "xlsx"]), default="json", show_default=True)
@click.option("--output", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="File to write (default: standard output; xlsx needs --output).")
@STORE_OPTION
@STANDARDS_OPTION
@handle_errors
def export(table: str, fmt: str, output: Path | None, store_path: Path, standards_dir: Path):
    """Write scored inspections, project weeks, patrols or actions as JSON, CSV or XLSX."""
    from .ingest.store import read_inspections
    from .results.export import export_rows, serialise
    from .standards import require_standards

    standards = require_standards(standards_dir)
    if not store_path.exists():
        raise HandbookError(one_line("store_missing", path=store_path))
    if fmt == "xlsx" and output is None:
        raise HandbookError("xlsx 是二进制文件，请用 --output FILE.xlsx 指定输出文件。")
    data = serialise(export_rows(standards, read_inspections(store_path), table), fmt)
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        try:
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_bytes(data)
        except OSError as exc:
            raise HandbookError(f"无法写入 {output}：{exc.strerror or exc}") from None
        click.echo(f"wrote {output}", err=True)
