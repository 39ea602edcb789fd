"""CLI commands for 腾讯问卷 forms: `handbook forms tencent-setup` (the setup sheet to create a checklist's
survey) and `handbook forms tencent-link` (record the survey in the lock after checking it), plus the check
`handbook check` makes of the surveys the lock records."""

from __future__ import annotations

from pathlib import Path

import click

from .options import STANDARDS_OPTION, cli_instruments, lock_option
from ..errors import HandbookError
from ..messages import Msg


@click.command("tencent-setup")
@click.option("--checklist", required=True, metavar="表单",
              help="为哪张表单生成建题说明：检查表代号、customer-survey（客户满意度问卷）或 exam-<季度>（季度考试）。")
@click.option("--out", "out_path", type=click.Path(path_type=Path, dir_okay=False),
              help="写入的文本文件；不给时打印出来。")
@STANDARDS_OPTION
def tencent_setup(checklist: str, out_path: Path | None, standards_dir: Path):
    """生成在腾讯问卷中创建检查表问卷的建题说明：每道题的题目、题型和选项（条目代码写在题目开头）。"""
    from ..forms.tencent_setup import setup_sheet
    from ..standards import require_standards

    instruments = cli_instruments()
    standards = require_standards(standards_dir, instruments=instruments)
    text = setup_sheet(_spec(standards, checklist, instruments), standards.document.version)
    if out_path is None:
        click.echo(text, nl=False)
        return
    try:
        out_path.parent.mkdir(parents=True, exist_ok=True)
        out_path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise HandbookError(Msg.CANNOT_WRITE, path=out_path, reason=exc.strerror or exc) from None
    click.echo(Msg.WROTE(path=out_path, detail=""))


@click.command("tencent-link")
@click.option("--checklist", required=True, metavar="表单",
              help="这份问卷是哪张表单的：检查表代号、customer-survey 或 exam-<季度>。")
@click.option("--survey", required=True, metavar="编号|链接", help="腾讯问卷问卷编号，或问卷链接 https://wj.qq.com/s2/…")
@click.option("--url", "responder_url", metavar="链接", help="填写链接（二维码指向它）；不给时用 --survey 的链接。")
@lock_option("写入的锁文件。")
@STANDARDS_OPTION
def tencent_link(checklist: str, survey: str, responder_url: str | None, lock_path: Path, standards_dir: Path):
    """登记检查表的腾讯问卷问卷：读取问卷题目、与标准核对后写入锁文件，此后 handbook ingest 从该问卷拉取答卷。

    API 凭证（App ID、App Secret）取自环境变量 HANDBOOK_TENCENT_APPID、HANDBOOK_TENCENT_SECRET，
    或凭证文件（环境变量 HANDBOOK_TENCENT_CREDENTIALS，默认 ~/.config/handbook/tencent.env）。
    """
    from ..forms.lock_file import link_tencent
    from ..ingest.platforms import tencent
    from ..standards import require_standards

    instruments = cli_instruments()
    standards = require_standards(standards_dir, instruments=instruments)
    spec = _spec(standards, checklist, instruments)
    sid = tencent.survey_id(survey)
    client = tencent.Client(tencent.read_credentials())
    definition = client.definition(sid, checklist)
    tencent.check_definition(definition, sid, spec)
    url = responder_url or (survey if survey.startswith("http") else f"https://wj.qq.com/s2/{sid}/")
    link_tencent(lock_path, checklist, sid, url, tencent.snapshot(definition))
    click.echo(f"已登记：检查表 {checklist} ← 腾讯问卷问卷 {sid}“{tencent.clean_title(definition.get('title'))}”，"
               f"写入 {lock_path}。")


def _spec(standards, form_id: str, instruments):
    """The form of a checklist, the customer questionnaire or a quarter's exam (`exam-2026Q4`); one line
    naming the forms there are for any other id."""
    from ..ingest.platforms.tencent import form_spec
    from ..ingest.run import form_choices

    try:
        return form_spec(standards, form_id, instruments)
    except KeyError:
        raise HandbookError(Msg.UNKNOWN_FORM, value=form_id, known=form_choices(standards, instruments)) from None


def lock_problems(lock_path: Path, standards, instruments) -> list[str]:
    """`handbook check`: each 腾讯问卷 survey the lock records whose questions no longer match the standards.
    Without a lock that records one nothing is loaded (start-up time of `handbook check`)."""
    try:
        if "tencent" not in lock_path.read_text(encoding="utf-8"):
            return []
    except (OSError, UnicodeDecodeError):
        return []   # not ours to report here: every command that uses the lock says what is wrong with it
    from ..forms.lock_file import read_lock
    from ..ingest.platforms import tencent

    out = []
    for checklist, entry in read_lock(lock_path)["checklists"].items():
        if entry.get("source") != "tencent" or not isinstance(entry.get("definition"), dict):
            continue
        try:
            spec = tencent.form_spec(standards, checklist, instruments)
        except KeyError:
            out.append(f"{lock_path}：腾讯问卷问卷 {entry.get('survey_id')} 登记给了标准中没有的检查表“{checklist}”")
            continue
        found, problems = tencent.compare(entry["definition"].get("questions") or [], spec)
        if not found:
            problems = [tencent.not_ours(spec)]
        if problems:
            out.append(f"{lock_path}：检查表“{checklist}”的腾讯问卷问卷 {entry.get('survey_id')} 与标准不一致："
                       + "；".join(problems[:5]) + (f" 等 {len(problems)} 处" if len(problems) > 5 else "")
                       + f"。按 handbook forms tencent-setup --checklist {checklist} 修改问卷后重新运行 "
                         f"handbook forms tencent-link")
    return out


def register_commands(cli: click.Group) -> None:
    """Add this module's commands to the `forms` group of `cli`."""
    forms = cli.commands["forms"]
    forms.add_command(tencent_setup)
    forms.add_command(tencent_link)
