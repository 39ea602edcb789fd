"""`handbook notify`: same-day alerts to 企业微信, 钉钉 and e-mail (also run by `handbook ingest --notify`)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import click

from ..messages import Msg
from .options import STANDARDS_OPTION, cli_instruments, store_option

CREDENTIALS_ENV = "HANDBOOK_NOTIFY_CREDENTIALS"


def _when(ctx, param, value: str | None) -> dt.datetime | None:
    if value is None:
        return None
    for pattern in ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(value.strip(), pattern)
        except ValueError:
            continue
    raise click.BadParameter(f"“{value}”不是时间，应写成 2026-11-23 09:00")


def notify_options(command):
    """The options `handbook notify` shares with `handbook ingest --notify`."""
    for option in reversed((
        click.option("--config", "config_file", type=click.Path(path_type=Path, dir_okay=False),
                     default=Path("mkdocs.yml"), show_default=True, help="读取网站地址 site_url 的 MkDocs 配置文件。"),
        click.option("--site-url", help="提醒中链接的网站地址（默认取 mkdocs.yml 的 site_url）。"),
        click.option("--timeout", type=click.FloatRange(0.1, 120), default=10.0, show_default=True,
                     help="每次发送最多等待多少秒。"),
    )):
        command = option(command)
    return command


def credentials_from_environment() -> Path | None:
    """The notify credentials file named by HANDBOOK_NOTIFY_CREDENTIALS (`handbook ingest --notify`, whose
    --credentials is Google's)."""
    value = os.environ.get(CREDENTIALS_ENV)
    return Path(value) if value else None


def send_alerts(*, store_path: Path, standards, credentials: Path | None, config_file: Path,
                site_url: str | None, timeout: float, since: dt.date | None = None, dry_run: bool = False,
                now: dt.datetime | None = None, to_stderr: bool = False) -> None:
    """Run the alerts and print what went where; one line per failed channel, exit 1 if any failed.

    `to_stderr` keeps standard output for a caller's own output (`ingest --notify --json`)."""
    from zoneinfo import ZoneInfo

    from ..notify.channels import DEFAULT_CREDENTIALS, Secrets, environ
    from ..notify.run import read_site_url, run_notify

    secrets = Secrets(environ(), credentials or DEFAULT_CREDENTIALS, required=credentials is not None)
    url = site_url if site_url is not None else read_site_url(config_file)
    if now is not None:
        now = now.replace(tzinfo=ZoneInfo(standards.organisation.timezone))
    report = run_notify(standards, store_path, secrets=secrets, site_url=url, now=now, since=since,
                        dry_run=dry_run, timeout=timeout)
    for warning in report.warnings:
        click.echo(f"注意：{warning}", err=True)
    if not report.channels:
        click.echo("没有新的提醒。" + ("（试运行，未记录）" if dry_run else ""), err=to_stderr)
        return
    for run in report.channels:
        if dry_run:
            for message in run.messages:
                where = f"（第 {message.part}/{message.parts} 条）" if message.parts > 1 else ""
                click.echo(f"===== {run.name} · {run.recipient}{where} =====")
                click.echo(f"主题：{message.subject}")
                click.echo(message.text.rstrip("\n"))
                click.echo("")
        elif run.error:
            click.echo(f"错误：{run.error}", err=True)
        else:
            click.echo(f"{run.name}（{run.recipient}）：已发送 {run.sent} 条消息，含 {run.alerts} 条提醒。",
                       err=to_stderr)
    if dry_run:
        click.echo(f"试运行：{len(report.channels)} 个渠道的摘要如上，未发送，未记录。")
        return
    if report.failed:
        raise click.ClickException(Msg.NOTIFY_FAILED(failed=len(report.failed)))


@click.command()
@store_option("store_path")
@STANDARDS_OPTION
@click.option("--credentials", "credentials", type=click.Path(path_type=Path, dir_okay=False),
              envvar=CREDENTIALS_ENV,
              help="notify 凭据文件（每行 名称=值，放在仓库之外）；不给时用环境变量 "
                   f"{CREDENTIALS_ENV} 或 ~/.config/handbook/notify.env 。同名的环境变量优先于文件。")
@notify_options
@click.option("--dry-run", is_flag=True, help="试运行：只显示要发送的摘要，不发送，也不记录。")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), metavar="日期",
              help="重新发送从这一天（YYYY-MM-DD）起的提醒，已发过的也再发一次。")
@click.option("--now", "now", callback=_when, metavar="时间",
              help="把本次运行当作这一时刻（组织时区，YYYY-MM-DD HH:MM），用于演示或补发；默认现在。")
def notify(store_path, standards_dir, credentials, config_file, site_url, timeout, dry_run, since, now):
    """发送当天提醒：新的红线问题、不合格检查、新逾期的整改和昨天缺少的巡查；整改到期前一个工作日提醒项目群。

    按 organisation.yaml 的 notifications 发到企业微信群、钉钉群和邮箱；每条提醒对每个渠道只发一次，
    发送失败的下次运行时重发。机器人 key、签名密钥和邮箱密码从环境变量或凭据文件读取。
    """
    from ..standards import require_standards

    standards = require_standards(standards_dir, instruments=cli_instruments())
    send_alerts(store_path=store_path, standards=standards, credentials=credentials, config_file=config_file,
                site_url=site_url, timeout=timeout, since=since.date() if since else None, dry_run=dry_run, now=now)


def register_commands(cli: click.Group) -> None:
    """Add this module's commands to `cli`."""
    cli.add_command(notify)

