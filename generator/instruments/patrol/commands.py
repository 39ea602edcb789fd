"""`handbook patrol form|push|simulate`: thin adapters, added by `PatrolChecklists.register_commands`.

`handbook simulate` stays for a release as an alias of `handbook patrol simulate`.
"""

from __future__ import annotations

from pathlib import Path

import click

from ...cli.forms import instrument_form_commands
from ...cli.options import STANDARDS_OPTION, HandbookGroup, alias, cli_instruments
from ...errors import HandbookError
from ...standards import require_standards
from . import simulate as sim


@click.command("simulate")
@click.option("--checklist", required=True, help="Checklist id, e.g. daily-patrol.")
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), required=True, help="First day (YYYY-MM-DD).")
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), required=True, help="Last day (YYYY-MM-DD).")
@click.option("--projects", help="Comma-separated project ids (default: every active project).")
@click.option("--seed", type=int, default=1, show_default=True, help="Same seed, same responses.")
@click.option("--locale", type=click.Choice(["zh-CN", "zh-TW", "en-US", "forms"]), default="zh-CN",
              show_default=True, help="Export format of times and the timestamp column.")
@click.option("--encoding", type=click.Choice(["utf-8", "utf-8-sig", "gb18030"]), default="utf-8",
              show_default=True)
@click.option("--email", is_flag=True, help="Add the e-mail column forms collecting addresses have.")
@click.option("--out", "out_path", type=click.Path(path_type=Path, dir_okay=False), required=True)
@STANDARDS_OPTION
def simulate(checklist, start, end, projects, seed, locale, encoding, email, out_path, standards_dir):
    """Write simulated form responses as a CSV export (demo and test data)."""
    standards = require_standards(standards_dir, instruments=cli_instruments())
    if checklist not in standards.checklists:
        raise HandbookError(f"unknown checklist {checklist!r} (known: {', '.join(standards.checklists)})")
    chosen = [p.strip() for p in projects.split(",")] if projects else None
    unknown = [p for p in chosen or [] if p not in standards.projects]
    if unknown:
        raise HandbookError(f"unknown project id(s): {', '.join(unknown)} (known: {', '.join(standards.projects)})")
    if end < start:
        raise HandbookError("--to is before --from")
    responses = sim.simulate(standards, checklist, start=start.date(), end=end.date(), projects=chosen, seed=seed,
                             email=email)
    values = sim.sheet_values(standards, checklist, responses, locale=locale, email=email)
    path = sim.write_csv(out_path, values, locale=locale, encoding=encoding)
    click.echo(f"wrote {len(responses)} responses to {path} ({path.stat().st_size // 1024} KiB, {locale}, {encoding})")


def register_commands(cli: click.Group, instrument) -> None:
    """Add `handbook patrol …` (and the old `handbook simulate`) to `cli`."""

    @cli.group("patrol", cls=HandbookGroup)
    def patrol():
        """巡查检查表（日常巡查、客户关系部抽查）：表单定义、发布表单、模拟回复。"""

    for command in instrument_form_commands(instrument):
        patrol.add_command(command)
    patrol.add_command(simulate)
    cli.add_command(alias(simulate, "simulate", "patrol simulate"))
