"""`handbook questions draw`: a thin adapter over `draw`, added by `RandomQuestioning.register_commands`."""

from __future__ import annotations

from pathlib import Path

import click

from ...cli.options import STANDARDS_OPTION, HandbookGroup


@click.group(cls=HandbookGroup)
def questions():
    """Random questioning of staff (procedure 4.4.2.1)."""


@questions.command("draw")
@STANDARDS_OPTION
@click.option("--project", required=True, help="Project id, e.g. wutong.")
@click.option("--n", "count", type=int, default=5, show_default=True, help="How many questions to draw.")
@click.option("--seed", type=int, default=None, help="Seed to reproduce a draw (printed when not given).")
@click.option("--card", type=click.Path(path_type=Path), default=None,
              help="Also write a printable card (.pdf or .html).")
def questions_draw(standards_dir: Path, project: str, count: int, seed: int | None, card: Path | None):
    """Draw a reproducible random set of questions for a project."""
    from .draw import draw_questions, write_card
    from ...standards import require_standards

    s = require_standards(standards_dir)
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
    """Add this module's commands to `cli`."""
    cli.add_command(questions)
