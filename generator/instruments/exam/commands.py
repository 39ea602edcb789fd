"""`handbook exam form|push|simulate`: thin adapters over the exam modules, added by `QuarterlyExam.register_commands`.

`handbook exam build` stays for a release as an alias of `handbook exam form`.
"""

from __future__ import annotations

from pathlib import Path

import click

from ...cli.options import (STANDARDS_OPTION, HandbookGroup, alias, cli_instruments, locale_option, lock_option,
                            require_suffix)
from ...errors import HandbookError
from ...messages import Msg

# The commands import the exam's modules (forms, PDFs, simulator) when they run: `handbook --help` lists them.

QUARTER_OPTION = click.option("--quarter", required=True, metavar="季度", help="考试的季度，例如 2026Q4。")


@click.group("exam", cls=HandbookGroup)
def exam_group():
    """季度综合考试：Google 表单测验、可打印的试卷和参考答案、模拟答卷。"""


@exam_group.command("form")
@STANDARDS_OPTION
@QUARTER_OPTION
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("forms"), show_default=True,
              help="写入 exam-<季度>.json 的文件夹。")
@click.option("--papers", "papers_dir", type=click.Path(path_type=Path), default=Path("build/exam"),
              show_default=True, help="试卷和参考答案 PDF 的文件夹（参考答案仅供客户关系部阅卷）。")
@click.option("--no-pdf", is_flag=True, help="只写测验定义，不生成 PDF。")
def exam_form(standards_dir: Path, quarter: str, out_dir: Path, papers_dir: Path, no_pdf: bool):
    """生成本季度的测验定义 forms/exam-<季度>.json，以及试卷和参考答案 PDF。"""
    from ...forms.form_spec import write_forms
    from ...forms.validate import require_valid, validate_spec
    from ...standards import require_standards
    from .paper import write_papers
    from .quiz import build_quiz, validate_quiz

    s = require_standards(standards_dir, instruments=cli_instruments())
    spec = build_quiz(s, quarter)
    require_valid(f"考试表单 {spec.checklist}", validate_spec(spec) + validate_quiz(spec))
    (path,) = write_forms({spec.checklist: spec}, out_dir)
    graded = sum(1 for q in spec.questions.values() if "exam_question" in q)
    click.echo(Msg.WROTE(path=path, detail=f"（测验，{graded} 道评分题，{len(spec.batch_update['requests'])} 个请求）"))
    if not no_pdf:
        paper, key = write_papers(s, quarter, papers_dir)
        click.echo(Msg.WROTE(path=paper, detail="（试卷）"))
        click.echo(Msg.WROTE(path=key, detail="（参考答案，仅供客户关系部阅卷，不要发布到网站）"))


@exam_group.command("push")
@STANDARDS_OPTION
@QUARTER_OPTION
@lock_option()
@click.option("--dry-run", is_flag=True, help="演练：校验并列出将发送的请求，不调用 Google。")
@click.option("--credentials", type=click.Path(path_type=Path), default=None,
              help="服务账号密钥或 OAuth 客户端 JSON（与 handbook forms push 相同）。")
@click.option("--recreate", is_flag=True, help="新建一份测验，即使锁文件已记录一份。")
def exam_push(standards_dir: Path, quarter: str, lock_path: Path, dry_run: bool, credentials: Path | None,
              recreate: bool):
    """在 Google 上新建或就地更新本季度的测验，记入锁文件。"""
    from ...forms.push import push
    from ...forms.validate import require_valid
    from ...standards import require_standards
    from .quiz import build_quiz, validate_quiz

    instruments = cli_instruments()
    s = require_standards(standards_dir, instruments=instruments)
    spec = build_quiz(s, quarter)
    require_valid(f"考试表单 {spec.checklist}", validate_quiz(spec))
    (r,) = push(s, lock_path=lock_path, credentials=credentials, dry_run=dry_run, recreate=recreate,
                specs={spec.checklist: spec}, progress=click.echo, instruments=instruments)
    if r.action.startswith("would-"):
        click.echo(f"{r.checklist}：{'将新建测验' if r.action == 'would-create' else f'将就地更新测验 {r.form_id}'}"
                   f"（{len(r.changes)} 个请求），未调用 Google。")
        return
    click.echo(f"{r.checklist}：{ {'created': '已新建并发布', 'updated': '已更新', 'unchanged': '已是最新'}[r.action] }"
               f"测验 {r.form_id}（API 请求 {len(r.api_calls)} 次）\n  填写链接：{r.responder_url}")
    if r.needs_sheet:
        click.echo(f"  还差一步：打开 https://docs.google.com/forms/d/{r.form_id}/edit "
                   f"→「回复」→「关联到 Google 表格」，然后：handbook forms link {r.checklist} <表格链接>")
    click.echo(f"已写入 {lock_path}。")


@exam_group.command("simulate")
@STANDARDS_OPTION
@QUARTER_OPTION
@click.option("--projects", metavar="项目,…", help="逗号分隔的项目代号或名称（默认：所有在管项目）。")
@click.option("--seed", type=int, default=1, show_default=True, help="随机种子：种子相同，答卷相同。")
@locale_option()
@click.option("--wrong-key", "wrong_keys", multiple=True, metavar="题目=选项",
              help="按表单把该题答案设错来计算“分数”列（可重复），用于检验答案不一致的提示。")
@click.option("--out", "out_path", type=click.Path(path_type=Path, dir_okay=False), required=True,
              callback=require_suffix(".csv", what="模拟答卷写成 CSV 文件"), help="写入的 CSV 文件。")
def exam_simulate(standards_dir: Path, quarter: str, projects: str | None, seed: int, locale: str,
                  wrong_keys: tuple[str, ...], out_path: Path):
    """模拟测验答卷，写成回复表的 CSV 下载文件（用于演示和测试）。"""
    from ...standards import require_standards
    from .simulate import exam_sheet_values, simulate_exam, write_exam_csv

    s = require_standards(standards_dir, instruments=cli_instruments())
    chosen = [s.find_project(p) for p in projects.split(",") if p.strip()] if projects else None
    form_keys = {}
    for text in wrong_keys:
        qid, _, label = text.partition("=")
        if not label:
            raise HandbookError(Msg.BAD_WRONG_KEY, text=text)
        form_keys[qid] = [x.strip() for x in label.split(",")]
    responses = simulate_exam(s, quarter, chosen, seed)
    path = write_exam_csv(out_path, exam_sheet_values(s, quarter, responses, locale=locale, form_keys=form_keys),
                          locale=locale)
    click.echo(Msg.WROTE(path=path, detail=f"：{len(responses)} 份答卷（{locale}）"))


exam_group.add_command(alias(exam_form, "build", "exam form"))


def register_commands(cli: click.Group) -> None:
    """Add `handbook exam …` to `cli`."""
    cli.add_command(exam_group)
