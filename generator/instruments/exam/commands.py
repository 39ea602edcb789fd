"""`handbook exam form|push|simulate`: thin adapters over the exam modules, added by `QuarterlyExam.register_commands`.

`handbook exam build` stays for a release as an alias of `handbook exam form`.
"""

from __future__ import annotations

from pathlib import Path

import click

from ...cli.options import STANDARDS_OPTION, HandbookGroup, alias, cli_instruments, lock_option
from ...errors import HandbookError
from ...forms.form_spec import write_forms
from ...forms.push import push
from ...forms.validate import require_valid, validate_spec
from ...messages import Msg
from ...standards import require_standards
from .paper import write_papers
from .quiz import build_quiz, validate_quiz
from .simulate import exam_sheet_values, simulate_exam, write_exam_csv

QUARTER_OPTION = click.option("--quarter", required=True, help="The exam's quarter, e.g. 2026Q4.")


@click.group("exam", cls=HandbookGroup)
def exam_group():
    """Quarterly comprehensive exam: Google Forms quiz, printable paper and answer key, simulated responses."""


@exam_group.command("form")
@STANDARDS_OPTION
@QUARTER_OPTION
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("forms"), show_default=True,
              help="Folder to write exam-<quarter>.json into.")
@click.option("--papers", "papers_dir", type=click.Path(path_type=Path), default=Path("build/exam"),
              show_default=True, help="Folder for the paper and answer-key PDFs (the key is for the department).")
@click.option("--no-pdf", is_flag=True, help="Only write the quiz definition.")
def exam_form(standards_dir: Path, quarter: str, out_dir: Path, papers_dir: Path, no_pdf: bool):
    """Write the quarter's quiz (forms/exam-<quarter>.json) and the paper and answer-key PDFs."""
    s = require_standards(standards_dir, instruments=cli_instruments())
    spec = build_quiz(s, quarter)
    require_valid(f"考试表单 {spec.checklist}", validate_spec(spec) + validate_quiz(spec))
    (path,) = write_forms({spec.checklist: spec}, out_dir)
    graded = sum(1 for q in spec.questions.values() if "exam_question" in q)
    click.echo(f"wrote {path}（测验，{graded} 道评分题，{len(spec.batch_update['requests'])} 个请求）")
    if not no_pdf:
        paper, key = write_papers(s, quarter, papers_dir)
        click.echo(f"wrote {paper}（试卷）")
        click.echo(f"wrote {key}（参考答案，仅供客户关系部阅卷，不要发布到网站）")


@exam_group.command("push")
@STANDARDS_OPTION
@QUARTER_OPTION
@lock_option()
@click.option("--dry-run", is_flag=True, help="Validate and show what would be sent; do not call Google.")
@click.option("--credentials", type=click.Path(path_type=Path), default=None,
              help="Service-account key or OAuth client JSON (as for handbook forms push).")
@click.option("--recreate", is_flag=True, help="Create a new quiz even though the lock names one.")
def exam_push(standards_dir: Path, quarter: str, lock_path: Path, dry_run: bool, credentials: Path | None,
              recreate: bool):
    """Create or update the quarter's Google Forms quiz in place and record it in the lock."""
    s = require_standards(standards_dir, instruments=cli_instruments())
    spec = build_quiz(s, quarter)
    require_valid(f"考试表单 {spec.checklist}", validate_quiz(spec))
    (r,) = push(s, lock_path=lock_path, credentials=credentials, dry_run=dry_run, recreate=recreate,
                specs={spec.checklist: spec}, progress=click.echo)
    if r.action.startswith("would-"):
        click.echo(f"{r.checklist}：{'将新建测验' if r.action == 'would-create' else f'将就地更新测验 {r.form_id}'}"
                   f"（{len(r.changes)} 个请求），未调用 Google。")
        return
    click.echo(f"{r.checklist}：{ {'created': '已新建并发布', 'updated': '已更新', 'unchanged': '已是最新'}[r.action] }"
               f"测验 {r.form_id}（API 请求 {len(r.api_calls)} 次）\n  填写链接：{r.responder_url}")
    if r.needs_sheet:
        click.echo(f"  还差一步：打开 https://docs.google.com/forms/d/{r.form_id}/edit →「回复」→「关联到 Google 表格」，"
                   f"然后：handbook forms link {r.checklist} <表格链接>")
    click.echo(f"已写入 {lock_path}。")


@exam_group.command("simulate")
@STANDARDS_OPTION
@QUARTER_OPTION
@click.option("--projects", help="Comma-separated project ids (default: every active project).")
@click.option("--seed", type=int, default=1, show_default=True, help="Same seed, same responses.")
@click.option("--locale", type=click.Choice(["zh-CN", "zh-TW", "en-US", "forms"]), default="zh-CN", show_default=True)
@click.option("--wrong-key", "wrong_keys", multiple=True, metavar="QUESTION=LABEL",
              help="Score the Score column as if the form's key of QUESTION were LABEL (repeatable).")
@click.option("--out", "out_path", type=click.Path(path_type=Path, dir_okay=False), required=True)
def exam_simulate(standards_dir: Path, quarter: str, projects: str | None, seed: int, locale: str,
                  wrong_keys: tuple[str, ...], out_path: Path):
    """Write simulated quiz responses as a response-sheet CSV export (demo and test data)."""
    s = require_standards(standards_dir, instruments=cli_instruments())
    chosen = [p.strip() for p in projects.split(",")] if projects else None
    unknown = [p for p in chosen or [] if p not in s.projects]
    if unknown:
        raise HandbookError(Msg.UNKNOWN_PROJECTS(unknown="、".join(unknown), known="、".join(s.projects)))
    form_keys = {}
    for text in wrong_keys:
        qid, _, label = text.partition("=")
        if not label:
            raise HandbookError(Msg.BAD_WRONG_KEY(text=text))
        form_keys[qid] = [x.strip() for x in label.split(",")]
    responses = simulate_exam(s, quarter, chosen, seed)
    path = write_exam_csv(out_path, exam_sheet_values(s, quarter, responses, locale=locale, form_keys=form_keys),
                          locale=locale)
    click.echo(f"wrote {len(responses)} responses to {path}（{locale}）")


exam_group.add_command(alias(exam_form, "build", "exam form"))


def register_commands(cli: click.Group) -> None:
    """Add `handbook exam …` to `cli`."""
    cli.add_command(exam_group)
