"""CLI command for ingest of form responses (`handbook ingest`): a thin adapter over the library.

(`handbook simulate`, the patrol simulator, is `handbook patrol simulate` now: instruments/patrol/commands.py.)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .notify import credentials_from_environment, notify_options, send_alerts
from .options import STANDARDS_OPTION, cli_instruments, lock_option, store_option
from ..errors import HandbookError
from ..messages import Msg

QUARANTINE_LISTED = 20


class _Bars:
    """click progress bars fed by the library's progress callback (long pulls, on a terminal)."""

    def __init__(self, enabled: bool, minimum: int):
        self.enabled, self.minimum, self.bars = enabled, minimum, {}

    def __call__(self, label: str, done: int, total: int) -> None:
        if not self.enabled or total < self.minimum:
            return
        bar = self.bars.get(label)
        if bar is None or bar.finished:   # a new bar for the next source's rows
            shown = "写入数据库" if label == "store" else label   # the library's label of the store step
            bar = self.bars[label] = click.progressbar(length=total, label=shown, file=sys.stderr)
            bar.__enter__()
        bar.update(done - bar.pos)
        if done >= total:
            bar.__exit__(None, None, None)

    def close(self) -> None:
        for bar in self.bars.values():
            if not bar.finished:
                bar.__exit__(None, None, None)


def _print_report(report) -> None:
    for s in report.sources:
        click.echo(s.source)
        click.echo(f"  读取 {s.read} 行：新增 {s.new}，修改 {s.edited}，未变 {s.unchanged}，隔离 {s.quarantined}；"
                   f"来源中已删除 {s.gone}" + (f"（{s.requests} 次 API 请求）" if s.requests else ""))
        if s.reasons:
            click.echo("  隔离原因："
                       + "，".join(f"{s.reason_names.get(k, k)} {n}" for k, n in sorted(s.reasons.items())))
            for number, message in s.quarantined_rows[:QUARANTINE_LISTED]:
                click.echo(f"    第 {number} 行：{message}")
            if len(s.quarantined_rows) > QUARANTINE_LISTED:
                click.echo(f"    ……另有 {len(s.quarantined_rows) - QUARANTINE_LISTED} 行")
        if s.unmapped_columns:
            click.echo("  未对应任何题目的列（答案已原样保存）：" + "、".join(f"“{c}”" for c in s.unmapped_columns))
        for warning in s.warnings:
            click.echo(f"  注意：{warning}")
    t = report.total
    click.echo(f"合计：读取 {t['read']} 行，新增 {t['new']}，修改 {t['edited']}，未变 {t['unchanged']}，"
               f"隔离 {t['quarantined']}，来源中已删除 {t['gone']}。")
    if report.resolved or report.reopened:
        click.echo(f"之前隔离的行：{report.resolved} 行已在来源中修正或删除（已解决）"
                   + (f"，{report.reopened} 行又原样出现（重新隔离）" if report.reopened else "") + "。")
    for label in report.skipped:
        click.echo(f"跳过已撤回的来源：{label}（handbook sources 查看；用 --sheet 或 --file 指明可重新导入）")
    if report.replaced:
        click.echo(f"重新提交：{report.replaced} 次检查被同一项目、角色、检查人、检查日期和巡查轮次在时限内的"
                   "再次提交取代，不计入结果（见结果页的数据质量）。")
    click.echo(f"试运行，未写入 {report.store}。" if report.dry_run
               else f"已写入 {report.store}（用时 {report.seconds:.1f} 秒）。")


@click.command()
@click.option("--sheet", "sheet_urls", multiple=True, metavar="URL|KEY",
              help="一张 Google 回复表（链接，可带 #gid=…，或表格 id）；需同时给 --checklist。")
@click.option("--file", "file_paths", multiple=True, type=click.Path(path_type=Path),   # checked when read
              help="从回复表下载的 CSV 或 XLSX 文件；需同时给 --checklist。")
@click.option("--worksheet", metavar="工作表名",
              help="XLSX 文件中要导入的工作表（默认：名称以“表单回复”或 Form Responses 开头的一张，没有时用第一张）。")
@click.option("--checklist", metavar="表单",
              help="--sheet/--file 是哪张表单的回复：检查表代号、customer-survey 或 exam-<季度>"
                   "（不给 --sheet/--file 时只导入锁文件中这张表单的回复表）。")
@store_option("db_path")
@click.option("--credentials", type=click.Path(path_type=Path, dir_okay=False),
              help="服务账号密钥 JSON；不给时依次用环境变量 GOOGLE_APPLICATION_CREDENTIALS 和 "
                   "~/.config/gspread/service_account.json 。")
@lock_option("记录各表单回复表的锁文件。")
@STANDARDS_OPTION
@click.option("--json", "as_json", is_flag=True, help="把导入报告作为一个 JSON 对象输出。")
@click.option("--dry-run", is_flag=True, help="试运行：读取并报告，不写入数据库。")
@click.option("--accept-deletions", is_flag=True,
              help="确认删除：来源为空，或本次少了它以前一半以上的记录时，照样把缺少的记录标为已删除"
                   "（默认拒绝导入，什么也不写入）。")
@click.option("--date-order", type=click.Choice(["dmy", "mdy", "ymd"]),
              help="文件中“数/数/年”形式日期的顺序：dmy 日/月/年，mdy 月/日/年，ymd 年/月/日"
                   "（默认按整个文件的所有行判断；无法判断时会提示加上此选项）。")
@click.option("--chunk-rows", type=click.IntRange(1, 100_000), default=10_000, show_default=True,
              help="每次 Sheets API 请求读取的行数。")
@click.option("--deadline", type=click.FloatRange(1), default=300.0, show_default=True,
              help="Sheets API 出错时最多重试多少秒。")
@click.option("--notify", "then_notify", is_flag=True,
              help="导入后发送当天提醒（同 handbook notify；凭据文件用环境变量 HANDBOOK_NOTIFY_CREDENTIALS 指定）。")
@notify_options
def ingest(sheet_urls, file_paths, worksheet, checklist, db_path, credentials, lock_path, standards_dir, as_json,
           dry_run,
           accept_deletions, date_order, chunk_rows, deadline, then_notify, config_file, site_url, timeout):
    """把表单回复从 Google 回复表、腾讯问卷或下载的文件导入数据库。

    不加参数时读取锁文件 forms/forms.lock.yaml 中记录的每张回复表和腾讯问卷问卷。
    --file 认得 Google、腾讯问卷、问卷星和金数据的导出文件（CSV 或 XLSX）。
    """
    from ..ingest import run as ingest_run
    from ..ingest.run import form_choices
    from ..forms.lock_file import read_locked_forms
    from ..ingest.google_sheets import Retry
    from ..standards import require_standards

    instruments = cli_instruments()
    standards = require_standards(standards_dir, instruments=instruments)
    lock = read_locked_forms(lock_path)
    if (sheet_urls or file_paths) and not checklist:
        raise HandbookError(Msg.INGEST_NEEDS_CHECKLIST, known=form_choices(standards, cli_instruments()))
    sources = [ingest_run.sheet_source(u, checklist, lock) for u in sheet_urls]
    sources += [ingest_run.file_source(p, checklist, worksheet) for p in file_paths]
    from_lock = not sources
    if from_lock:
        sources = ingest_run.sources_from_lock(lock, checklist)
        if not sources:
            raise HandbookError(Msg.NOTHING_TO_INGEST, lock=lock_path)
    bars = _Bars(sys.stderr.isatty() and not as_json, minimum=chunk_rows)
    try:
        report = ingest_run.run_ingest(sources, standards=standards, db_path=db_path, lock=lock,
                                       credentials=credentials, dry_run=dry_run, chunk_rows=chunk_rows,
                                       retry=Retry(deadline=deadline), progress=bars,
                                       instruments=instruments, accept_deletions=accept_deletions,
                                       date_order=date_order, skip_withdrawn=from_lock)
    finally:
        bars.close()
    if as_json:
        data = report.to_dict()
        for s in data["sources"]:
            s["quarantined_rows"] = [{"row": n, "reason": m} for n, m in s["quarantined_rows"]]
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        _print_report(report)
    if not dry_run:
        report_closed_quarters(db_path, standards, to_stderr=as_json)
    if then_notify and not dry_run:
        send_alerts(store_path=db_path, standards=standards, credentials=credentials_from_environment(),
                    config_file=config_file, site_url=site_url, timeout=timeout, to_stderr=as_json)


def report_closed_quarters(db_path, standards, *, to_stderr: bool = False, amend: bool = True) -> None:
    """Closed quarters' assessments archived as published; later data stored as dated revisions (after an
    ingest, and after `handbook sources withdraw` with `amend=False`), each said in one line."""
    from ..results.archive import ArchiveUpdates, quarters_due
    from ..results.scoring import quarter_label

    due, updates = quarters_due(db_path, standards), ArchiveUpdates()
    if due.quarters:   # the results pages (Jinja, the printer) are loaded only in a week that assesses a quarter
        from ..results.publish import keep_closed_quarters

        updates = keep_closed_quarters(db_path, standards, amend=amend, due=due)
    for archived in updates.archives:
        click.echo(Msg.QUARTER_ARCHIVED(quarter=quarter_label(archived.quarter), day=archived.closed_on),
                   err=to_stderr)
    for quarter, revision in updates.revisions:
        click.echo(Msg.QUARTER_REVISED(quarter=quarter_label(quarter), count=len(revision.changes)), err=to_stderr)


def register_commands(cli: click.Group) -> None:
    """Add this module's commands to `cli`."""
    cli.add_command(ingest)
