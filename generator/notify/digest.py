"""What a same-day alert run sends, pure: inspections and standards in, alerts and digest texts out.

An `Alert` is one fact a manager should hear about once: a 红线 incident, a 不合格 inspection, a
corrective action that became overdue (the escalation), a missed patrol period that is over, or an action due
the next working day with nothing reported (the owner's reminder: the projects' own channels only). Its `key`
never changes,
so the ledger (`notify.ledger`) can tell whether it went to a channel already, and its `day` is the day
the fact became true, which the ledger compares with each channel's horizon. Everything shown is
masked as on the site (`text.public_text`); inspector names only when `publish_names` allows.

A digest is the alerts of one channel rendered as Markdown (企业微信 and 钉钉 robots) or as plain text
and HTML (e-mail), split into messages at the channel's size limit, never inside an alert.
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass, field
from typing import Iterable, Sequence

from ..inspection import Inspection, corrected_on_site
from ..results import scoring as sc
from ..results.report_pages import item_note, public_name, split_note
from ..standards import Standards
from ..text import public_text

KINDS = {"redline": "红线问题", "failed": "不合格检查", "overdue": "逾期未整改", "missed": "缺少的巡查",
         "due": "整改明天到期"}
ANCHORS = {"redline": "redline", "failed": "recent", "overdue": "actions", "missed": "missed", "due": "todo"}
NOTE_CHARS = 200        # a note longer than this is cut (… added): one alert always fits one message


@dataclass(frozen=True)
class Alert:
    """One fact to send once per channel. `page`: its page on the site, relative to the site root."""

    key: str                 # redline:<inspection id>, failed:<id>, overdue:<project>:<code>:<opened by>, missed:…
    kind: str                # a key of KINDS
    project: str
    day: dt.date             # when the fact became true: inspection date, first day overdue, the period's last day
    title: str               # one line: project, date, what
    details: tuple[str, ...] = ()
    page: str = ""

    def to_json(self) -> dict:
        return {"key": self.key, "kind": self.kind, "project": self.project, "day": self.day.isoformat(),
                "title": self.title, "details": list(self.details), "page": self.page}

    @classmethod
    def from_json(cls, data: dict) -> "Alert":
        return cls(data["key"], data["kind"], data["project"], dt.date.fromisoformat(data["day"]), data["title"],
                   tuple(data["details"]), data["page"])


@dataclass(frozen=True)
class Window:
    """Which facts to look at: inspections dated from `first_day` (with `since`: up to `today` too), actions
    that became overdue on `first_day`…`today`, patrol periods that ended on `first_day`…yesterday. Which
    of them are new to a channel is the ledger's to say."""

    today: dt.date
    first_day: dt.date
    since: dt.date | None = None


def _cut(text: str) -> str:
    text = " ".join(public_text(text).split())
    return text if len(text) <= NOTE_CHARS else text[:NOTE_CHARS - 1] + "…"


def project_page(project: str, kind: str) -> str:
    """The project's results page, at the section listing this kind of alert."""
    return f"results/projects/{project}/#{ANCHORS[kind]}"


def reminder_day(s: Standards, a: sc.Action) -> dt.date | None:
    """The working day before an action's deadline (None when the deadline is the day it was found)."""
    org = s.organisation
    working, holidays = set(org.working_days), set(org.holidays)
    day = a.due - dt.timedelta(days=1)
    while day >= a.opened and not sc.working_day(day, working, holidays):
        day -= dt.timedelta(days=1)
    return day if day >= a.opened else None


def find_alerts(s: Standards, inspections: Sequence[Inspection], window: Window,
                actions: Sequence[sc.Action] | None = None, reports: Sequence[sc.FixReport] = ()) -> list[Alert]:
    """Every alert of the window, in kind order, then by project order and date."""
    org = s.organisation
    names = {p.id: p.name for p in org.projects}
    roles = {r.id: r.name for r in org.roles}
    order = {p.id: k for k, p in enumerate(org.projects)}
    out: list[Alert] = []

    def is_new(i: Inspection) -> bool:
        if window.since is not None:
            return window.since <= i.date <= window.today
        return i.date >= window.first_day

    def who(i: Inspection) -> str:
        role = roles.get(i.role, i.role)
        return f"{role}（{public_name(i.inspector, True)}）" if org.publish_names else role

    new = [i for i in inspections if is_new(i)]
    for x in sc.score_inspections(s, new):
        i = x.inspection
        head = f"{names.get(i.project, i.project)} · {i.date.isoformat()} · {who(i)}检查"
        if x.critical:
            details = []
            for code in x.critical:
                item = s.items[code]
                section = s.section_of(code)
                number = section.number if section else None
                fixed = corrected_on_site(i.corrected, code, number)
                state = "已当场纠正" if fixed else ("未当场纠正" if fixed is False else "是否当场纠正：未填写")
                line = f"{code} {item.short}（不符合 {i.findings.get(code)} 处，{state}）"
                note = _cut(item_note(i, code, number))
                rest = _cut(split_note(i.notes.get(number) or "")[1]) if number else ""
                details.append(line + (f"；说明：{note}" if note else "") + (f"；本节说明：{rest}" if rest else ""))
            out.append(Alert(f"redline:{i.id}", "redline", i.project, i.date, head, tuple(details),
                             project_page(i.project, "redline")))
        elif x.grade is not None and x.grade == s.lowest_grade:
            lost = sorted(((code, n) for code, n in i.findings.items() if n and code in s.items),
                          key=lambda cn: list(s.items).index(cn[0]))
            shown = "、".join(f"{code} {s.items[code].short}" for code, _ in lost[:5])
            more = f" 等 {len(lost)} 项" if len(lost) > 5 else ""
            details = [f"得分率 {x.percent:.1f}%，评级 {x.grade}，不符合 {x.findings} 处"]
            if shown:
                details.append(f"问题：{shown}{more}")
            out.append(Alert(f"failed:{i.id}", "failed", i.project, i.date, head, tuple(details),
                             project_page(i.project, "failed")))
    actions = sc.corrective_actions(s, inspections, reports) if actions is None else actions
    for a in actions:
        # the owner's reminder, the working day before the deadline, while nothing is reported
        remind = reminder_day(s, a)
        if (remind is not None and window.first_day <= remind <= window.today and a.code in s.items
                and a.fixed is None and a.closed is None and a.due >= window.today):
            owner = roles.get(a.owner, a.owner)
            out.append(Alert(f"due:{a.project}:{a.code}:{a.opened_by}", "due", a.project, remind,
                             f"{names.get(a.project, a.project)} · {a.code} {s.items[a.code].short}",
                             (f"{a.opened.isoformat()} 发现，整改期限 {a.due.isoformat()}，责任人：{owner}；"
                              "整改后请填写整改反馈",),
                             project_page(a.project, "due")))
        became = a.due + dt.timedelta(days=1)
        if a.overdue(window.today) and window.first_day <= became <= window.today and a.code in s.items:
            late = (window.today - a.due).days
            out.append(Alert(f"overdue:{a.project}:{a.code}:{a.opened_by}", "overdue", a.project, became,
                             f"{names.get(a.project, a.project)} · {a.code} {s.items[a.code].short}",
                             (f"{a.opened.isoformat()} 发现，整改期限 {a.due.isoformat()}，已逾期 {late} 天",),
                             project_page(a.project, "overdue")))
    yesterday = window.today - dt.timedelta(days=1)
    if window.first_day <= yesterday and inspections:
        # from a little over a month before: every period that can end in the window starts in it
        start = max(min(i.date for i in inspections), window.first_day - dt.timedelta(days=40))
        periods = sc.patrol_compliance(s, inspections, min(start, yesterday), yesterday, complete=yesterday)
        for p in periods:
            end = p.end or p.start
            if p.missed and window.first_day <= end <= yesterday:
                out.append(Alert(f"missed:{p.project}:{p.role}:{p.period}", "missed", p.project, end,
                                 f"{names.get(p.project, p.project)} · {p.period} · {roles.get(p.role, p.role)}巡查",
                                 (f"完成 {p.done} 次，应至少 {p.required} 次",), project_page(p.project, "missed")))
    kinds = list(KINDS)
    out.sort(key=lambda a: (kinds.index(a.kind), order.get(a.project, len(order)), a.day, a.key))
    return out


# ---------------------------------------------------------------- rendering

@dataclass(frozen=True)
class Message:
    """One message of a digest: what is sent and which alerts it carries."""

    subject: str
    text: str                     # Markdown (robots) or plain text (e-mail)
    html: str = ""                # e-mail only
    keys: tuple[str, ...] = ()
    part: int = 1
    parts: int = 1


@dataclass
class Digest:
    """The alerts one channel gets in one run, for `recipient` (the names of those it serves)."""

    recipient: str
    alerts: list[Alert] = field(default_factory=list)

    def counts(self) -> str:
        shown = [(KINDS[k], sum(1 for a in self.alerts if a.kind == k)) for k in KINDS]
        return "，".join(f"{name} {n}" for name, n in shown if n)


def _url(site_url: str, page: str) -> str:
    return site_url.rstrip("/") + "/" + page if site_url else ""


_MARKUP = str.maketrans({"*": "＊", "`": "'", "[": "【", "]": "】", "<": "＜", ">": "＞", "#": "＃"})


def _md(text: str) -> str:
    """Text safe inside robot Markdown: no markup characters, no line breaks."""
    return " ".join(text.translate(_MARKUP).split())


def markdown_entry(alert: Alert, site_url: str) -> str:
    url = _url(site_url, alert.page)
    lines = [f"- **{_md(alert.title)}**" + (f" [查看]({url})" if url else f"（网站：{alert.page}）")]
    lines += [f"  {_md(d)}" for d in alert.details]
    return "\n".join(lines)


def _header(digest: Digest, stamp: str, part: int, parts: int) -> str:
    where = f"（第 {part}/{parts} 条）" if parts > 1 else ""
    return f"### 当天提醒 · {_md(digest.recipient)}{where}\n{stamp}　共 {len(digest.alerts)} 条：{digest.counts()}"


def _subject(digest: Digest, stamp: str) -> str:
    return f"【当天提醒】{digest.recipient}：{digest.counts()}（{stamp}）"


def split_markdown(digest: Digest, site_url: str, stamp: str, fits) -> list[Message]:
    """The digest as robot Markdown messages, each passing `fits(text)`; alerts are never cut in two."""
    entries = [(a, markdown_entry(a, site_url)) for a in digest.alerts]

    def body(chunk) -> str:
        parts, kind = [], None
        for alert, text in chunk:
            if alert.kind != kind:
                kind = alert.kind
                parts.append(f"\n**{KINDS[kind]}**")
            parts.append(text)
        return "\n".join(parts)

    # greedy packing with the widest header ("第 99/99 条"), then numbered
    chunks: list[list] = []
    for entry in entries:
        if chunks and fits(_header(digest, stamp, 99, 99) + "\n" + body(chunks[-1] + [entry])):
            chunks[-1].append(entry)
        else:
            chunks.append([entry])
    total = len(chunks)
    return [Message(_subject(digest, stamp), _header(digest, stamp, k, total) + "\n" + body(chunk),
                    keys=tuple(a.key for a, _ in chunk), part=k, parts=total)
            for k, chunk in enumerate(chunks, 1)]


def email_message(digest: Digest, site_url: str, stamp: str) -> Message:
    """The digest as one e-mail: plain text and a simple HTML part."""
    lines = [f"当天提醒 · {digest.recipient}", f"{stamp}　共 {len(digest.alerts)} 条：{digest.counts()}"]
    parts = [f"<h2>当天提醒 · {html.escape(digest.recipient)}</h2>",
             f"<p>{html.escape(stamp)}　共 {len(digest.alerts)} 条：{html.escape(digest.counts())}</p>"]
    kind = None
    for alert in digest.alerts:
        if alert.kind != kind:
            if kind is not None:
                parts.append("</ul>")
            kind = alert.kind
            lines += ["", f"【{KINDS[kind]}】"]
            parts.append(f"<h3>{KINDS[kind]}</h3><ul>")
        url = _url(site_url, alert.page)
        lines.append(f"- {alert.title}")
        lines += [f"  {d}" for d in alert.details]
        lines.append(f"  {url or '网站：' + alert.page}")
        link = f' <a href="{html.escape(url)}">查看</a>' if url else ""
        parts.append(f"<li><strong>{html.escape(alert.title)}</strong>{link}"
                     + "".join(f"<br>{html.escape(d)}" for d in alert.details) + "</li>")
    if kind is not None:
        parts.append("</ul>")
    text = "\n".join(lines) + "\n"
    page = ('<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"></head><body>'
            + "".join(parts) + "</body></html>\n")
    return Message(_subject(digest, stamp), text, page, tuple(a.key for a in digest.alerts))


def scoped(alerts: Iterable[Alert], projects: set[str] | None) -> list[Alert]:
    """The alerts of these projects (None: every project)."""
    return [a for a in alerts if projects is None or a.project in projects]
