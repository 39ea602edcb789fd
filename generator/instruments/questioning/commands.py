"""`handbook questioning draw`: a thin adapter over `draw`, added by `RandomQuestioning.register_commands`.

`handbook questions` (and `handbook questions draw`) stays for a release as an alias of `handbook questioning`.
"""

from __future__ import annotations

from pathlib import Path

import click

from ...cli.options import STANDARDS_OPTION, HandbookGroup, alias, cli_instruments
from ...standards import require_standards
from .draw import draw_questions, write_card


@click.group("questioning", cls=HandbookGroup)
def questioning():
    """Random questioning of staff (procedure 4.4.2.1)."""


@questioning.command("draw")
@STANDARDS_OPTION
@click.option("--project", required=True, help="Project id, e.g. wutong.")
@click.option("--n", "count", type=int, default=5, show_default=True, help="How many questions to draw.")
@click.option("--seed", type=int, default=None, help="Seed to reproduce a draw (printed when not given).")
@click.option("--card", type=click.Path(path_type=Path), default=None,
              help="Also write a printable card (.pdf or .html).")
def questions_draw(standards_dir: Path, project: str, count: int, seed: int | None, card: Path | None):
    """Draw a reproducible random set of questions for a project."""
    s = require_standards(standards_dir, instruments=cli_instruments())
    seed, drawn = draw_questions(s, project, count, seed)
    click.echo(f"{s.projects[project].name} · 随机抽问 {len(drawn)} 题 · 编号 {seed}"
               f"（重现：handbook questions draw --project {project} --n {count} --seed {seed}）")
    for i, q in enumerate(drawn, 1):
        click.echo(f"\n{i}. [{q.topic}] {q.text}")
        for point in q.key_points:
            click.echo(f"   - {point}")
    if card is not None:
        write_card(s, project, seed, drawn, card)
        click.echo(f"\n抽问卡：{card}")


def register_commands(cli: click.Group) -> None:
    """Add `handbook questioning …` (and the old `handbook questions …`) to `cli`."""
    cli.add_command(questioning)
    cli.add_command(alias(questioning, "questions", "questioning"))
