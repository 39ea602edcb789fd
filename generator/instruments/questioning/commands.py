"""`handbook questioning draw`: a thin adapter over `draw`, added by `RandomQuestioning.register_commands`.

`handbook questions` (and `handbook questions draw`) stays for a release as an alias of `handbook questioning`.
"""

from __future__ import annotations

from pathlib import Path

import click

from ...cli.options import STANDARDS_OPTION, HandbookGroup, alias, cli_instruments, require_suffix


@click.group("questioning", cls=HandbookGroup)
def questioning():
    """随机抽问员工（程序 4.4.2.1）。"""


@questioning.command("draw")
@STANDARDS_OPTION
@click.option("--project", required=True, metavar="项目", help="项目代号或名称，例如 wutong 或 梧桐苑。")
@click.option("--n", "count", type=int, default=5, show_default=True, help="抽几道题。")
@click.option("--seed", type=int, default=None,
              help="抽题编号：用同一编号可重现同一组题（不给时随机选一个并打印出来）。")
@click.option("--card", type=click.Path(path_type=Path, dir_okay=False), default=None,
              callback=require_suffix(".pdf", ".html", ".htm", what="抽问卡只能写成 PDF 或 HTML 文件"),
              help="同时写出可打印的抽问卡（.pdf 或 .html）。")
def questions_draw(standards_dir: Path, project: str, count: int, seed: int | None, card: Path | None):
    """为一个项目随机抽题（可重现），打印题目和要点。"""
    from ...standards import require_standards   # loaded when it runs: `handbook --help` lists it
    from .draw import draw_questions, write_card

    s = require_standards(standards_dir, instruments=cli_instruments())
    project = s.find_project(project)
    seed, drawn = draw_questions(s, project, count, seed)
    click.echo(f"{s.projects[project].name} · 随机抽问 {len(drawn)} 题 · 编号 {seed}"
               f"（重现：handbook questioning draw --project {project} --n {count} --seed {seed}）")
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
