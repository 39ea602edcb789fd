"""CLI commands for Google Forms (forms build/push/link): thin adapters over the library.

`instrument_form_commands` makes `handbook <instrument> form|push`: the same commands for the
forms of one instrument (`handbook patrol form` writes what `forms build` writes for the checklists).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import click

from .options import STANDARDS_OPTION, HandbookGroup, cli_instruments, lock_option
from ..errors import HandbookError
from ..messages import Msg

LOCK_OPTION = lock_option("记录每张表单及其回复表的锁文件。")


@click.group("forms", cls=HandbookGroup)
def forms_group():
    """检查表的 Google 表单：生成定义、发布到 Google、记录回复表。"""


@forms_group.command("build")
@STANDARDS_OPTION
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("forms"), show_default=True,
              help="写入 <检查表>.json 的文件夹。")
@click.option("--check", is_flag=True, help="只检查，不写文件；有文件缺失或过期时以状态 1 退出。")
def forms_build(standards_dir: Path, out_dir: Path, check: bool):
    """按标准生成每张表单的定义 forms/<检查表>.json（提交给 Google Forms API 的请求）。"""
    write_form_files(standards_dir, out_dir, check)


def _with(instrument) -> list:
    """The running command's instruments, with `instrument` (when it is not one of them)."""
    instruments = cli_instruments()
    return instruments if instrument is None or instrument in instruments else [*instruments, instrument]


def _own_forms(instrument, standards) -> list[str]:
    """The form ids of `instrument`; an error when the standards define none."""
    own = instrument.form_ids(standards)
    if not own:
        raise HandbookError(Msg.INSTRUMENT_WITHOUT_FORMS(title=instrument.title))
    return own


def write_form_files(standards_dir: Path, out_dir: Path, check: bool, instrument=None) -> None:
    """`forms build`: every instrument's forms, or only those of `instrument` (`handbook <instrument> form`)."""
    from ..forms.form_spec import build_forms, write_forms
    from ..forms.validate import require_valid, validate_spec
    from ..standards import require_standards

    instruments = _with(instrument)
    standards = require_standards(standards_dir, instruments=instruments)
    specs = build_forms(standards, instruments)
    if instrument is not None:
        own = _own_forms(instrument, standards)
        specs = {cid: spec for cid, spec in specs.items() if cid in own}
    for cid, spec in specs.items():
        require_valid(f"检查表 {cid} 的表单", validate_spec(spec))
    if check:
        stale = [cid for cid, spec in specs.items()
                 if not (out_dir / f"{cid}.json").is_file()
                 or (out_dir / f"{cid}.json").read_text(encoding="utf-8") != spec.to_json()]
        if stale:
            raise HandbookError(Msg.FORMS_STALE(folder=out_dir, stale="、".join(stale)))
        click.echo(f"表单定义是最新的（{len(specs)} 个）。")
        return
    for path, spec in zip(write_forms(specs, out_dir), specs.values()):
        size = len(spec.to_json().encode("utf-8"))
        click.echo(Msg.WROTE(path=path, detail=f"（{len(spec.batch_update['requests'])} 个请求，"
                                              f"{len(spec.questions)} 个问题，{size / 1024:.1f} KB）"))


def _kinds(kinds: list[str]) -> str:
    return "、".join(f"{k} {n}" for k, n in Counter(kinds).items())


@forms_group.command("push")
@STANDARDS_OPTION
@LOCK_OPTION
@click.option("--dry-run", is_flag=True, help="演练：校验并列出将发送的请求，不调用 Google。")
@click.option("--credentials", type=click.Path(path_type=Path), default=None,
              help="服务账号密钥或 OAuth 客户端 JSON；不给时依次用环境变量 GOOGLE_APPLICATION_CREDENTIALS 和 "
                   "~/.config/handbook/google-credentials.json 。")
@click.option("--checklist", "checklists", multiple=True, help="只处理这张表单（可重复）。")
@click.option("--recreate", is_flag=True, help="为 --checklist 新建一份表单，即使锁文件已记录一份"
                                               "（原表单在 Google 上被删除之后用）。")
def forms_push(standards_dir: Path, lock_path: Path, dry_run: bool, credentials: Path | None,
               checklists: tuple[str, ...], recreate: bool):
    """在 Google 上新建或就地更新每张表单并发布，写入锁文件。"""
    push_forms(standards_dir, lock_path, dry_run, credentials, checklists, recreate)


def push_forms(standards_dir: Path, lock_path: Path, dry_run: bool, credentials: Path | None,
               checklists: tuple[str, ...], recreate: bool, instrument=None) -> None:
    """`forms push`: every instrument's forms (or `checklists`), or only those of `instrument`."""
    from ..forms.push import push
    from ..standards import require_standards

    if recreate and not checklists:
        raise HandbookError(Msg.RECREATE_NEEDS_CHECKLIST())
    instruments = _with(instrument)
    standards = require_standards(standards_dir, instruments=instruments)
    wanted = list(checklists) or None
    if instrument is not None:
        own = _own_forms(instrument, standards)
        unknown = [c for c in checklists if c not in own]
        if unknown:
            raise HandbookError(Msg.UNKNOWN_FORMS(unknown="、".join(unknown), known="、".join(own)))
        wanted = wanted or own
    results = push(standards, lock_path=lock_path, credentials=credentials, dry_run=dry_run,
                   checklists=wanted, recreate=recreate, progress=click.echo, instruments=instruments)
    for r in results:
        title = standards.checklists[r.checklist].title if r.checklist in standards.checklists else r.title
        if r.action == "tencent":
            click.echo(f"{r.checklist}（{title}）：在腾讯问卷填写（问卷 {r.form_id}），没有 Google 表单，跳过；"
                       f"题目有改动时按 handbook forms tencent-setup --checklist {r.checklist} 修改问卷")
            continue
        if r.action == "would-create":
            click.echo(f"{r.checklist}（{title}）：将新建表单 —— forms.create（仅标题，不公开）→ forms.batchUpdate"
                       f"（{len(r.changes)} 个请求：{_kinds(r.changes)}）→ forms.setPublishSettings（发布并接受回复）")
        elif r.action == "would-update":
            click.echo(f"{r.checklist}（{title}）：将就地更新表单 {r.form_id} —— forms.get 读取现有表单，按差异发送 "
                       "forms.batchUpdate（问题 id 不变），未发布时 forms.setPublishSettings")
        else:
            calls = f"API 请求 {len(r.api_calls)} 次：{'、'.join(r.api_calls)}"
            if r.action == "created":
                click.echo(f"{r.checklist}：已新建并发布表单 {r.form_id}（{calls}）")
            elif r.action == "updated":
                click.echo(f"{r.checklist}：已更新表单 {r.form_id}（{_kinds(r.changes)}；{calls}）")
            else:
                click.echo(f"{r.checklist}：表单 {r.form_id} 已是最新（{calls}）")
            click.echo(f"  填写链接：{r.responder_url}")
            if r.linked_sheet_id:
                click.echo(f"  Google 显示该表单已关联表格 {r.linked_sheet_id}，锁文件里还没有；记录它：\n"
                           f"  handbook forms link {r.checklist} {r.linked_sheet_id}")
            elif r.needs_sheet:
                click.echo(f"  还差一步（Forms API 做不到）：打开 https://docs.google.com/forms/d/{r.form_id}/edit →"
                           "「回复」→「关联到 Google 表格」（Responses → Link to Sheets）→ 新建表格；"
                           f"然后记录表格链接：\n  handbook forms link {r.checklist} <表格链接>")
    if dry_run:
        click.echo(f"演练完成：{len(results)} 张表单全部通过 Forms API 格式校验，未调用 Google。"
                   "请求体与 handbook forms build 写出的 forms/<检查表>.json 相同。")
    else:
        click.echo(f"已写入 {lock_path}。")


@forms_group.command("link")
@click.argument("checklist", metavar="表单")
@click.argument("sheet_url", metavar="回复表链接")
@LOCK_OPTION
@click.option("--sheet-name", default=None, help="回复表中工作表的名称（默认“表单回复 1”）。")
def forms_link(checklist: str, sheet_url: str, lock_path: Path, sheet_name: str | None):
    """记录表单关联的回复表（链接，带或不带 #gid=，或只写表格 id）。"""
    from ..forms.lock_file import link

    sheet, added = link(lock_path, checklist, sheet_url, sheet_name=sheet_name)
    what = f"{checklist} 的回复表格 {sheet['spreadsheet_id']}（gid {sheet['gid']}，{sheet['sheet_name']}）"
    click.echo(f"已记录{what}到 {lock_path}。" if added else f"{what} 已记录过，锁文件未改动。")


def instrument_form_commands(instrument) -> list[click.Command]:
    """`form` and `push` for `handbook <instrument> …`: `forms build` and `forms push` (the same options)
    for the forms of `instrument` alone (built with the other instruments of the running command, which
    may add items to them)."""

    def form(standards_dir: Path, out_dir: Path, check: bool):
        write_form_files(standards_dir, out_dir, check, instrument)

    def push(standards_dir: Path, lock_path: Path, dry_run: bool, credentials: Path | None,
             checklists: tuple[str, ...], recreate: bool):
        push_forms(standards_dir, lock_path, dry_run, credentials, checklists, recreate, instrument)

    return [click.Command("form", callback=form, params=list(forms_build.params),
                          short_help=f"写出{instrument.title}的表单定义 forms/<表单>.json。",
                          help=f"写出{instrument.title}的 Google 表单定义 forms/<表单>.json"
                               "（forms.create 请求体和填充它的 batchUpdate）："
                               "即 handbook forms build 中属于它的部分。"),
            click.Command("push", callback=push, params=list(forms_push.params),
                          short_help=f"新建或就地更新{instrument.title}的 Google 表单，并写入锁文件。",
                          help=f"新建或就地更新{instrument.title}的 Google 表单、发布它并写入锁文件："
                               "即 handbook forms push 中属于它的部分（--checklist 只能是它的表单）。")]


def register_commands(cli: click.Group) -> None:
    """Add this module's commands to `cli`."""
    cli.add_command(forms_group)
