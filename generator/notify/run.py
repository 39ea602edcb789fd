"""One `handbook notify` run: find what is new, send each channel its digest, record every send.

Exactly once: an alert goes to a channel until the channel said it got it (`notify_sends.ok`); a failed
send is retried on the next run as it was first found; what counts as new is the ledger's rule (see
`notify.ledger`), never when an inspection was read or stored; `since` re-sends a period on purpose; a
dry run builds the digests from a read-only view and records nothing.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable
from zoneinfo import ZoneInfo

import requests
import yaml

from ..errors import HandbookError
from .. import store
from ..messages import one_line
from ..standards import Standards
from . import ledger
from .channels import DingtalkRobot, Mailer, Outcome, RateLimit, Secrets, WecomRobot
from ..results.fix_reports import read_fix_reports
from .digest import Digest, Message, Window, email_message, find_alerts, scoped, split_markdown


class _ConfigLoader(yaml.SafeLoader):
    """mkdocs.yml as data: its Python tags (!!python/name:…) read as nothing."""


_ConfigLoader.add_multi_constructor("", lambda loader, suffix, node: None)


def read_site_url(config_file: Path) -> str:
    """`site_url` of the MkDocs configuration ("" when it has none or cannot be read)."""
    try:
        data = yaml.load(Path(config_file).read_text(encoding="utf-8"), Loader=_ConfigLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return ""
    value = data.get("site_url") if isinstance(data, dict) else None
    return value.strip() if isinstance(value, str) else ""


@dataclass
class ChannelRun:
    """One channel in a run: its digest's messages and how sending them went."""

    key: str
    name: str
    recipient: str
    messages: list[Message] = field(default_factory=list)
    sent: int = 0                 # messages the channel accepted
    alerts: int = 0               # alerts in the digest
    error: str = ""               # one line when a message failed (the rest were not tried)

    def to_dict(self) -> dict:
        return {"channel": self.key, "recipient": self.recipient, "messages": len(self.messages),
                "sent": self.sent, "alerts": self.alerts, "error": self.error}


@dataclass
class NotifyReport:
    today: dt.date
    dry_run: bool
    channels: list[ChannelRun] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def failed(self) -> list[ChannelRun]:
        return [c for c in self.channels if c.error]


@dataclass
class _Target:
    """A channel and everyone it serves (several recipients may share one robot: one digest)."""

    channel: object
    names: list[str]
    projects: set[str] | None
    error: str = ""               # a secret is missing: nothing can be sent


def _targets(s: Standards, secrets: Secrets, *, timeout: float, session: requests.Session,
             clock: Callable[[], float], sleep: Callable[[float], None], wall: Callable[[], float]) -> list[_Target]:
    block = s.organisation.notifications
    roles, projects = s.roles, s.projects
    out: dict[str, _Target] = {}
    for r in block.recipients:
        name = r.name or (roles[r.role].name if r.role in roles and r.projects is None else
                          "、".join(projects[p].name if p in projects else p for p in r.projects or []))
        scope = None if r.projects is None else set(r.projects)
        found: list[tuple[object, str]] = []
        if r.wecom is not None:
            key = secrets.get(r.wecom.key_env)
            robot = WecomRobot(r.wecom.key_env, key or "", session=session, timeout=timeout,
                               limit=RateLimit(clock=clock, sleep=sleep))
            found.append((robot, "" if key else secrets.missing(robot.name, r.wecom.key_env)))
        if r.dingtalk is not None:
            token = secrets.get(r.dingtalk.token_env)
            signing = secrets.get(r.dingtalk.secret_env) if r.dingtalk.secret_env else None
            robot = DingtalkRobot(r.dingtalk.token_env, token or "", signing=signing, wall=wall, session=session,
                                  timeout=timeout, limit=RateLimit(clock=clock, sleep=sleep))
            error = "" if token else secrets.missing(robot.name, r.dingtalk.token_env)
            if not error and r.dingtalk.secret_env and not signing:
                error = secrets.missing(robot.name, r.dingtalk.secret_env)
            found.append((robot, error))
        smtp = block.smtp
        for address in r.email:
            password = secrets.get(smtp.password_env) if smtp.password_env else None
            mailer = Mailer(address, host=smtp.host, port=smtp.port, sender=smtp.sender, username=smtp.username,
                            password=password, starttls=smtp.starttls, timeout=timeout)
            error = secrets.missing(mailer.name, smtp.password_env) if smtp.password_env and not password else ""
            found.append((mailer, error))
        for channel, error in found:
            target = out.get(channel.key)
            if target is None:
                out[channel.key] = _Target(channel, [name], scope, error)
            else:   # one robot for several recipients: one digest with the union of their projects
                target.names += [name] if name not in target.names else []
                target.projects = None if target.projects is None or scope is None else target.projects | scope
    return list(out.values())


def run_notify(s: Standards, store_path: Path | str, *, secrets: Secrets, site_url: str = "",
               now: dt.datetime | None = None, since: dt.date | None = None, dry_run: bool = False,
               timeout: float = 10.0, clock: Callable[[], float] = time.monotonic,
               sleep: Callable[[float], None] = time.sleep, wall: Callable[[], float] = time.time) -> NotifyReport:
    """Send (or with `dry_run` only build) every channel's digest of what is new; see the module doc.

    `now`: the run's time (default: now in the organisation's zone); `clock`/`sleep`: the rate limits'
    (monotonic seconds), `wall`: the 钉钉 signature's timestamp (seconds since the epoch)."""
    if s.organisation.notifications is None:
        raise HandbookError(one_line("notify_not_configured"))
    zone = ZoneInfo(s.organisation.timezone)
    now = (now or dt.datetime.now(zone)).astimezone(zone)
    today = now.date()
    if since is not None and since > today:
        raise HandbookError(one_line("notify_since_future", since=since, today=today))
    inspections = store.read_inspections(store_path)
    if dry_run:
        return _run(s, store_path, inspections, secrets=secrets, site_url=site_url, now=now, since=since,
                    dry_run=True, timeout=timeout, clock=clock, sleep=sleep, wall=wall)
    with ledger.run_lock(store_path) as taken_over:
        report = _run(s, store_path, inspections, secrets=secrets, site_url=site_url, now=now, since=since,
                      dry_run=False, timeout=timeout, clock=clock, sleep=sleep, wall=wall)
    report.warnings[:0] = taken_over
    return report


def _run(s: Standards, store_path, inspections, *, secrets, site_url, now, since, dry_run, timeout, clock, sleep,
         wall) -> NotifyReport:
    zone = ZoneInfo(s.organisation.timezone)
    today = now.date()
    conn = None
    session = requests.Session()
    if dry_run:
        state = ledger.read_state_of(store_path)
    else:
        conn = ledger.open_ledger(store_path)
    try:
        if conn is not None:
            state = ledger.read_state(conn)
        targets = _targets(s, secrets, timeout=timeout, session=session, clock=clock, sleep=sleep, wall=wall)
        horizons = {t.channel.key: state.horizon(t.channel.key, today) for t in targets}
        if since is not None:
            window = Window(today, since, since=since)
        else:
            window = Window(today, min(horizons.values(), default=today))
        alerts = find_alerts(s, inspections, window, reports=read_fix_reports(store_path))
        report = NotifyReport(today, dry_run)
        if not site_url:
            report.warnings.append(one_line("notify_no_site_url"))
        stamp = now.strftime("%Y-%m-%d %H:%M")
        started = now.isoformat(timespec="seconds")
        if conn is not None:
            ledger.record_channels(conn, list(horizons), today)
        for target in targets:
            channel = target.channel
            # reminders before a deadline go to the projects' own channels (the owners); the department
            # hears of an action once it is overdue (the escalation)
            mine = [a for a in scoped(alerts, target.projects)
                    if (since is not None or ((a.key, channel.key) not in state.delivered
                                              and a.day >= horizons[channel.key]))
                    and (a.kind != "due" or target.projects is not None)]
            listed = {a.key for a in mine}
            mine += [a for a in scoped(state.owed.get(channel.key, []), target.projects) if a.key not in listed]
            if not mine:
                continue
            order = {a.key: k for k, a in enumerate(alerts)}
            mine.sort(key=lambda a: (order.get(a.key, -1), a.key))
            digest = Digest("、".join(target.names), mine)
            if isinstance(channel, Mailer):
                messages = [email_message(digest, site_url, stamp)]
            else:
                messages = split_markdown(digest, site_url, stamp, channel.fits)
            run = ChannelRun(channel.key, channel.name, digest.recipient, messages, alerts=len(mine))
            report.channels.append(run)
            if dry_run:
                if target.error:
                    report.warnings.append(target.error)
                continue
            ledger.record_alerts(conn, mine, started)
            for message in messages:
                if run.error:   # the channel failed: the rest wait for the next run
                    outcome = Outcome(False, "未发送：本渠道前一条消息失败")
                elif target.error:
                    outcome = Outcome(False, "未发送：缺少密钥", target.error)
                else:
                    outcome = channel.send(message)
                when = dt.datetime.now(zone).isoformat(timespec="seconds")
                ledger.record_sends(conn, message.keys, channel.key, digest.recipient, when, outcome.ok,
                                    outcome.answer, f"{message.part}/{message.parts}", since is not None)
                if outcome.ok:
                    run.sent += 1
                elif not run.error:
                    run.error = outcome.error
        if conn is not None:
            ledger.record_run(conn, started, dt.datetime.now(zone).isoformat(timespec="seconds"), since,
                              {"channels": [c.to_dict() for c in report.channels]})
        return report
    finally:
        if conn is not None:
            conn.close()
