"""`handbook patrol form|push|simulate`: thin adapters, added by `PatrolChecklists.register_commands`.

`handbook simulate` stays for a release as an alias of `handbook patrol simulate`, which also
simulates the questionnaire and the exam quizzes (`--checklist customer-survey`, `exam-2026Q4`).
"""

from __future__ import annotations

from pathlib import Path

import click

from ...cli.forms import instrument_form_commands
from ...cli.options import STANDARDS_OPTION, HandbookGroup, alias, cli_instruments, locale_option, require_suffix
from ...errors import HandbookError
from ...messages import Msg


DATE = click.DateTime(["%Y-%m-%d"])


@click.command("simulate")
@click.option("--checklist", required=True, metavar="表单",
              help="哪张表单：检查表代号（如 daily-patrol）、customer-survey（客户满意度问卷）、"
                   "exam-<季度>（季度综合考试，如 exam-2026Q4）或 fix-report（整改反馈，"
                   "按同样日期模拟的检查开立的整改）。")
@click.option("--from", "start", type=DATE, metavar="YYYY-MM-DD", help="第一天（检查表和问卷必填）。")
@click.option("--to", "end", type=DATE, metavar="YYYY-MM-DD", help="最后一天（检查表和问卷必填）。")
@click.option("--projects", metavar="项目,…", help="逗号分隔的项目代号或名称（默认：所有在管项目）。")
@click.option("--seed", type=int, default=1, show_default=True, help="随机种子：种子相同，回复相同。")
@locale_option()
@click.option("--encoding", type=click.Choice(["utf-8", "utf-8-sig", "gb18030"]), default="utf-8",
              show_default=True, help="CSV 文件的编码。")
@click.option("--email", is_flag=True, help="加上收集邮箱的表单才有的“电子邮件地址”列（仅检查表）。")
@click.option("--out", "out_path", type=click.Path(path_type=Path, dir_okay=False), required=True,
              callback=require_suffix(".csv", what="模拟回复写成 CSV 文件"), help="写入的 CSV 文件。")
@STANDARDS_OPTION
def simulate(checklist, start, end, projects, seed, locale, encoding, email, out_path, standards_dir):
    """模拟表单回复，写成与回复表下载格式相同的 CSV 文件（用于演示和测试）。"""
    from ...ingest.run import form_choices   # loaded when it runs: `handbook --help` lists it
    from ...standards import require_standards
    from ..exam import simulate as exam_sim
    from ..exam.quiz import is_exam_form, quarter_of_form
    from ..fixreport import form as fixes
    from ..questionnaire import survey
    from . import simulate as sim

    instruments = cli_instruments()
    standards = require_standards(standards_dir, instruments=instruments)
    is_survey = checklist == survey.survey_id(standards)
    is_exam = standards.methods_file.exam is not None and is_exam_form(checklist)
    is_fix = checklist == fixes.FORM_ID
    if checklist not in standards.checklists and not is_survey and not is_exam and not is_fix:
        raise HandbookError(Msg.UNKNOWN_FORM(value=checklist, known=form_choices(standards, instruments)))
    chosen = [standards.find_project(p) for p in projects.split(",") if p.strip()] if projects else None
    if not is_exam:
        if start is None or end is None:
            raise HandbookError(Msg.SIMULATE_NEEDS_DATES(form=checklist))
        if end < start:
            raise HandbookError(Msg.DATES_REVERSED(start=start.date(), end=end.date()))
    if is_exam:
        quarter = quarter_of_form(checklist)
        responses = exam_sim.simulate_exam(standards, quarter, chosen, seed)
        path = exam_sim.write_exam_csv(out_path,
                                       exam_sim.exam_sheet_values(standards, quarter, responses, locale=locale),
                                       locale=locale, encoding=encoding)
    elif is_fix:
        names = {standards.projects[p].name for p in chosen} if chosen else None
        responses = [r for r in fixes.simulate_fix_reports(standards, start=start.date(), end=end.date(), seed=seed)
                     if names is None or r["project"] in names]
        path = fixes.write_fix_csv(standards, responses, out_path, locale=locale, encoding=encoding)
    elif is_survey:
        responses = survey.simulate_survey(standards, start.date(), end.date(), seed, projects=chosen)
        path = survey.write_survey_csv(standards, responses, out_path, locale=locale, encoding=encoding)
    else:
        responses = sim.simulate(standards, checklist, start=start.date(), end=end.date(), projects=chosen,
                                 seed=seed, email=email)
        values = sim.sheet_values(standards, checklist, responses, locale=locale, email=email)
        path = sim.write_csv(out_path, values, locale=locale, encoding=encoding)
    click.echo(Msg.WROTE(path=path, detail=f"：{len(responses)} 份回复（{path.stat().st_size // 1024} KiB，"
                                           f"{locale}，{encoding}）"))


def register_commands(cli: click.Group, instrument) -> None:
    """Add `handbook patrol …` (and the old `handbook simulate`) to `cli`."""

    @cli.group("patrol", cls=HandbookGroup)
    def patrol():
        """巡查检查表（日常巡查、客户关系部抽查）：表单定义、发布表单、模拟回复。"""

    for command in instrument_form_commands(instrument):
        patrol.add_command(command)
    patrol.add_command(simulate)
    cli.add_command(alias(simulate, "simulate", "patrol simulate"))
