"""`handbook questionnaire form|push|simulate`: thin adapters, added by `CustomerQuestionnaire.register_commands`."""

from __future__ import annotations

from pathlib import Path

import click

from ...cli.forms import instrument_form_commands
from ...cli.options import STANDARDS_OPTION, HandbookGroup, cli_instruments, locale_option
from ...errors import HandbookError
from ...messages import Msg


@click.command("simulate")
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), required=True, help="第一天（YYYY-MM-DD）。")
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), required=True, help="最后一天（YYYY-MM-DD）。")
@click.option("--projects", help="逗号分隔的项目代号（默认：所有在用项目）。")
@click.option("--seed", type=int, default=1, show_default=True, help="种子相同，回复相同。")
@locale_option()
@click.option("--out", "out_path", type=click.Path(path_type=Path, dir_okay=False), required=True,
              help="写入的 CSV 文件。")
@STANDARDS_OPTION
def simulate(start, end, projects, seed, locale, out_path, standards_dir):
    """写出模拟的客户满意度问卷回复（回复表格的 CSV 导出，供演示和测试）。"""
    from ...standards import require_standards   # loaded when it runs: `handbook --help` lists it
    from . import survey

    standards = require_standards(standards_dir, instruments=cli_instruments())
    survey.questionnaire(standards)   # an error when methods.yaml has none
    chosen = [standards.find_project(p) for p in projects.split(",") if p.strip()] if projects else None
    if end < start:
        raise HandbookError(Msg.DATES_REVERSED, start=start.date(), end=end.date())
    responses = survey.simulate_survey(standards, start.date(), end.date(), seed, projects=chosen)
    path = survey.write_survey_csv(standards, responses, out_path, locale=locale)
    click.echo(f"已写入 {len(responses)} 份模拟问卷回复：{path}（{locale}）")


def register_commands(cli: click.Group, instrument) -> None:
    """Add `handbook questionnaire …` to `cli`."""

    @cli.group("questionnaire", cls=HandbookGroup)
    def questionnaire():
        """客户满意度问卷：表单定义、发布表单、模拟回复。"""

    for command in instrument_form_commands(instrument):
        questionnaire.add_command(command)
    questionnaire.add_command(simulate)
