"""The three ways a digest goes out: a 企业微信 group robot, a 钉钉 group robot, e-mail over SMTP (STARTTLS).

Each channel sends one `Message` and says what came back as an `Outcome`: the channel's answer for the
ledger and, when it failed, one Chinese line naming the channel by the environment variable that holds its
secret (never the key, token, signing secret or password, nor the webhook address that carries them).
Robots are rate limited by `RateLimit`, whose clock and sleep are parameters (tests do not wait).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import os
import smtplib
import socket
import ssl
import threading
import time
import urllib.parse
from collections import deque
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Callable, Mapping, TypeVar

import requests

from ..errors import HandbookError
from ..messages import one_line
from .digest import Message

WECOM_URL = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key="
DINGTALK_URL = "https://oapi.dingtalk.com/robot/send?access_token="
# 企业微信 group robot, markdown message: "content … 最长不超过4096个字节，必须是utf8编码"
# (developer.work.weixin.qq.com/document/path/91770); longer content is refused with errcode 40058.
WECOM_MAX_BYTES = 4096
# 钉钉 custom robot, markdown message: DingTalk's robot message page (open.dingtalk.com/document/orgapp/
# custom-robot-access, …/robot-message-type) gives no byte limit for markdown.text; what is known comes from
# integrators: QwenPaw (github.com/agentscope-ai/QwenPaw/issues/3742) says markdown stops rendering past
# about 3,500 characters and downgrades longer replies, and qwen-code's DingTalk channel splits at 3,800
# characters (github.com/QwenLM/qwen-code/pull/5299). We split at 3,500 characters, the lower of the two.
DINGTALK_MAX_CHARS = 3500
# Both robots: "每个机器人每分钟最多发送20条" (企业微信 群机器人配置说明; 钉钉 自定义机器人 消息发送频率限制).
ROBOT_PER_MINUTE = 20
ANSWER_CHARS = 500      # the part of a channel's answer kept in the ledger
# A robot answers a few dozen bytes of JSON; a proxy's page is a few kilobytes. Reading stops past this,
# so an endless or huge answer costs no memory.
MAX_ANSWER_BYTES = 1 << 20
# 企业微信 45009 "接口调用超过限制" and 钉钉 130101 "send too fast" / 410100 "发送速度太快而限流": wait, the
# key is fine.
RATE_LIMITED = {"wecom": {45009}, "dingtalk": {130101, 410100}}


@dataclass(frozen=True)
class Outcome:
    """What a channel said to one message: `ok`, its answer (for the ledger), the error line when not ok."""

    ok: bool
    answer: str
    error: str = ""


class RateLimit:
    """At most `limit` sends in any `period` seconds: `wait()` before each send sleeps as long as needed."""

    def __init__(self, limit: int = ROBOT_PER_MINUTE, period: float = 60.0, *,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep):
        self.limit, self.period, self.clock, self.sleep = limit, period, clock, sleep
        self.sent: deque[float] = deque()

    def wait(self) -> None:
        now = self.clock()
        while self.sent and now - self.sent[0] >= self.period:
            self.sent.popleft()
        if len(self.sent) >= self.limit:
            self.sleep(self.period - (now - self.sent[0]))
            now = self.clock()
            while self.sent and now - self.sent[0] >= self.period:
                self.sent.popleft()
        self.sent.append(now)


class Overrun(Exception):
    """A send that did not finish (connect, send, read the whole answer) within its time limit."""


class AnswerTooLarge(Exception):
    """A channel's answer longer than MAX_ANSWER_BYTES."""


T = TypeVar("T")


def within(seconds: float, work: Callable[[list], T]) -> T:
    """`work(closers)` in a worker thread, waited for at most `seconds` in all.

    A socket timeout bounds each read, not a whole request: a server that trickles its answer a byte at a
    time keeps a request alive for ever. Past `seconds` this raises `Overrun`, after calling each
    callable `work` put in `closers` (shutting its connection down ends the worker's read); a worker
    still blocked elsewhere (a name lookup) is a daemon thread, left to end on its own."""
    box: dict = {}
    closers: list[Callable[[], object]] = []

    def run() -> None:
        try:
            box["value"] = work(closers)
        except BaseException as exc:   # handed to the caller below
            box["error"] = exc

    worker = threading.Thread(target=run, name="handbook-notify-send", daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        for close in closers:
            with contextlib.suppress(Exception):
                close()
        raise Overrun()
    if "error" in box:
        raise box["error"]
    return box["value"]


def _shutdown(sock) -> None:
    """End a connection another thread may be reading (close alone does not wake a blocked read)."""
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


# ---------------------------------------------------------------- secrets

DEFAULT_CREDENTIALS = Path("~/.config/handbook/notify.env")


class Secrets:
    """Secrets by name: the environment first, then a credentials file (`NAME=value` lines) kept outside the
    repository. Values are never printed."""

    def __init__(self, environ: Mapping[str, str], path: Path | None = None, *, required: bool = False):
        self.environ, self.path, self.file = environ, path, {}
        if path is None:
            return
        path = path.expanduser()
        if not path.exists() and not required:
            return
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or "不是 UTF-8 文本"
            raise HandbookError(one_line("notify_credentials_unreadable", path=path, reason=reason)) from None
        for number, line in enumerate(text.splitlines(), 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("export "):
                line = line[len("export "):].strip()
            name, sep, value = line.partition("=")
            if not sep or not name.strip():
                raise HandbookError(one_line("notify_credentials_line", path=path, line=number))
            value = value.strip()
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
                value = value[1:-1]
            self.file[name.strip()] = value

    def get(self, name: str) -> str | None:
        value = self.environ.get(name)
        return value if value else self.file.get(name) or None

    def missing(self, channel: str, name: str) -> str:
        return one_line("notify_secret_missing", channel=channel, env=name,
                        file=self.path or DEFAULT_CREDENTIALS)


# ---------------------------------------------------------------- robots

def _reason(exc: BaseException) -> str:
    """Why a connection failed, without the address (it carries the key)."""
    if isinstance(exc, requests.exceptions.SSLError) or isinstance(exc, ssl.SSLError):
        return "TLS 证书或加密协商失败"
    text = repr(exc).lower()
    if "refused" in text:
        return "连接被拒绝"
    if "name or service" in text or "resolve" in text or "getaddrinfo" in text:
        return "无法解析服务器名称"
    if "reset" in text or "aborted" in text or "remote end closed" in text:
        return "连接被对方中断"
    return type(exc).__name__


def _dropped(exc: BaseException) -> bool:
    """The connection was made and then cut (not refused, not unresolved): the message may have arrived."""
    if isinstance(exc, (smtplib.SMTPServerDisconnected, ConnectionResetError, ConnectionAbortedError,
                        BrokenPipeError)):
        return True
    text = repr(exc).lower()
    return any(words in text for words in ("connection aborted", "remote end closed", "reset by peer",
                                           "connection broken", "incompleteread"))


def _read_answer(response, limit: int) -> bytes:
    """The body of a streamed response, refusing more than `limit` bytes."""
    body = bytearray()
    for chunk in response.iter_content(64 * 1024):
        body += chunk
        if len(body) > limit:
            raise AnswerTooLarge()
    return bytes(body)


class Robot:
    """A group robot reached by HTTPS POST of a JSON message; answers {"errcode": 0, "errmsg": "ok"}."""

    kind = ""
    title = ""

    def __init__(self, env: str, secret: str | None, *, session: requests.Session, timeout: float,
                 limit: RateLimit):
        self.env, self.secret, self.session, self.timeout, self.limit = env, secret, session, timeout, limit

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.env}"

    @property
    def name(self) -> str:
        return f"{self.title} {self.env}"

    def url(self) -> str:
        raise NotImplementedError

    def payload(self, message: Message) -> dict:
        raise NotImplementedError

    def fits(self, text: str) -> bool:
        raise NotImplementedError

    def _post(self, message: Message, closers: list) -> tuple[int, bytes]:
        url = self.url()   # here: a malformed address fails inside the send, as a failed send
        with self.session.post(url, json=self.payload(message), timeout=self.timeout, stream=True) as response:
            closers.append(lambda: _shutdown(getattr(response.raw.connection, "sock", None)))
            return response.status_code, _read_answer(response, MAX_ANSWER_BYTES)

    def send(self, message: Message) -> Outcome:
        self.limit.wait()
        timeout = one_line("notify_timeout", channel=self.name, seconds=self.timeout)
        try:
            status, raw = within(self.timeout, lambda closers: self._post(message, closers))
        except (Overrun, requests.exceptions.Timeout):
            return Outcome(False, "timeout", timeout)
        except AnswerTooLarge:
            return Outcome(False, f"answer over {MAX_ANSWER_BYTES} bytes", one_line(
                "notify_bad_answer", channel=self.name,
                detail=f"应答超过 {MAX_ANSWER_BYTES // (1 << 20)} MiB，已停止读取"))
        except (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema,
                requests.exceptions.InvalidSchema, ValueError) as exc:
            # urllib3's LocationParseError (a host label over 63 characters …) is a ValueError; its text
            # quotes the address, which carries the key: never shown
            reason = "主机名过长或格式不对" if "parse" in type(exc).__name__.lower() or "label" in str(exc) \
                else "不是有效的网址"
            return Outcome(False, "invalid address", one_line("notify_bad_url", channel=self.name, reason=reason,
                                                              env=self.env))
        except requests.exceptions.RequestException as exc:
            reason = _reason(exc)
            if _dropped(exc):
                return Outcome(False, reason, one_line("notify_dropped", channel=self.name, reason=reason))
            return Outcome(False, reason, one_line("notify_unreachable", channel=self.name, reason=reason))
        body = raw.decode("utf-8", "replace")
        answer = f"HTTP {status} {body[:ANSWER_CHARS]}".strip()
        if status >= 400:
            return Outcome(False, answer, one_line("notify_http_status", channel=self.name, status=status))
        try:
            data = json.loads(body)
            errcode = data.get("errcode")
        except (ValueError, AttributeError):
            return Outcome(False, answer, one_line("notify_bad_answer", channel=self.name, detail="不是 JSON"))
        if errcode != 0:
            errmsg = " ".join(str(data.get("errmsg", "")).split())[:120] or "无说明"
            if errcode in RATE_LIMITED.get(self.kind, ()):
                return Outcome(False, answer, one_line("notify_rate_limited", channel=self.name, errcode=errcode,
                                                       errmsg=errmsg))
            return Outcome(False, answer, one_line("notify_robot_error", channel=self.name, errcode=errcode,
                                                   errmsg=errmsg))
        return Outcome(True, answer)


class WecomRobot(Robot):
    """企业微信 group robot, markdown message (content ≤ 4096 bytes of UTF-8)."""

    kind, title = "wecom", "企业微信机器人"

    def url(self) -> str:
        return self.secret if self.secret.startswith(("https://", "http://")) else WECOM_URL + self.secret

    def payload(self, message: Message) -> dict:
        return {"msgtype": "markdown", "markdown": {"content": message.text}}

    def fits(self, text: str) -> bool:
        return len(text.encode("utf-8")) <= WECOM_MAX_BYTES


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """钉钉 加签: HMAC-SHA256 of "timestamp\\nsecret" keyed by the secret, Base64, then URL-encoded."""
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode("utf-8"), hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest).decode("ascii"))


class DingtalkRobot(Robot):
    """钉钉 group robot, markdown message, signed when the robot has a signing secret."""

    kind, title = "dingtalk", "钉钉机器人"

    def __init__(self, env: str, secret: str | None, *, signing: str | None = None,
                 wall: Callable[[], float] = time.time, **kwargs):
        super().__init__(env, secret, **kwargs)
        self.signing, self.wall = signing, wall

    def url(self) -> str:
        url = self.secret if self.secret.startswith(("https://", "http://")) else DINGTALK_URL + self.secret
        if self.signing:
            stamp = int(self.wall() * 1000)
            url += f"{'&' if '?' in url else '?'}timestamp={stamp}&sign={dingtalk_sign(self.signing, stamp)}"
        return url

    def payload(self, message: Message) -> dict:
        title = message.subject if message.parts == 1 else f"{message.subject}（{message.part}/{message.parts}）"
        return {"msgtype": "markdown", "markdown": {"title": title, "text": message.text}}

    def fits(self, text: str) -> bool:
        return len(text) <= DINGTALK_MAX_CHARS


# ---------------------------------------------------------------- e-mail

class Mailer:
    """E-mail to one address over SMTP: STARTTLS (refusing a server without it), then login when a user is set."""

    kind, title = "email", "邮件"

    def __init__(self, address: str, *, host: str, port: int, sender: str, username: str | None,
                 password: str | None, starttls: bool, timeout: float):
        self.address, self.host, self.port, self.sender = address, host, port, sender
        self.username, self.password, self.starttls, self.timeout = username, password, starttls, timeout

    @property
    def key(self) -> str:
        return f"email:{self.address}"

    @property
    def name(self) -> str:
        return f"邮件 {self.address}"

    def fits(self, text: str) -> bool:
        return True

    def email(self, message: Message) -> EmailMessage:
        mail = EmailMessage()
        mail["Subject"] = message.subject
        mail["From"] = self.sender
        mail["To"] = self.address
        mail["Date"] = formatdate(localtime=True)
        mail["Message-ID"] = make_msgid(domain=self.sender.rpartition("@")[2] or None)
        mail.set_content(message.text)
        mail.add_alternative(message.html, subtype="html")
        return mail

    def _deliver(self, message: Message, closers: list):
        connected = False
        try:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)   # connects, reads the greeting
        except smtplib.SMTPServerDisconnected as exc:
            exc.connected = False
            raise
        closers.append(lambda: _shutdown(getattr(smtp, "sock", None)))
        connected = True
        try:
            smtp.ehlo()
            if self.starttls:
                if not smtp.has_extn("starttls"):
                    return None
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if self.username:
                smtp.login(self.username, self.password or "")
            return smtp.send_message(self.email(message))
        except smtplib.SMTPServerDisconnected as exc:
            # before the greeting it is "could not connect"; afterwards the server hung up on us
            exc.connected = connected
            raise
        finally:
            with contextlib.suppress(Exception):
                smtp.quit()
            with contextlib.suppress(Exception):
                smtp.close()

    def send(self, message: Message) -> Outcome:
        timeout = Outcome(False, "timeout", one_line("notify_timeout", channel=self.name, seconds=self.timeout))
        try:
            refused = within(self.timeout, lambda closers: self._deliver(message, closers))
        except smtplib.SMTPRecipientsRefused as exc:
            code, reason = next(iter(exc.recipients.values()), (0, b""))
            return self._refused(code, reason)
        except smtplib.SMTPServerDisconnected as exc:
            if getattr(exc, "connected", False):
                reason = "服务器断开了连接"
                return Outcome(False, "disconnected", one_line("notify_dropped", channel=self.name, reason=reason))
            reason = _reason(exc)
            return Outcome(False, reason, one_line("notify_unreachable", channel=self.name, reason=reason))
        except smtplib.SMTPResponseException as exc:
            return self._refused(exc.smtp_code, exc.smtp_error)
        except (Overrun, socket.timeout, TimeoutError):
            return timeout
        except (OSError, smtplib.SMTPException) as exc:
            reason = _reason(exc)
            if _dropped(exc):
                return Outcome(False, reason, one_line("notify_dropped", channel=self.name, reason=reason))
            return Outcome(False, reason, one_line("notify_unreachable", channel=self.name, reason=reason))
        if refused is None:
            return Outcome(False, "no STARTTLS", one_line("notify_no_starttls", channel=self.name))
        if refused:
            code, reason = next(iter(refused.values()))
            return self._refused(code, reason)
        return Outcome(True, "250 已接受")

    def _refused(self, code: int, reason) -> Outcome:
        text = reason.decode("utf-8", "replace") if isinstance(reason, bytes) else str(reason)
        text = " ".join(text.split())[:120]
        return Outcome(False, f"{code} {text}", one_line("notify_smtp_refused", channel=self.name, code=code,
                                                        reason=text or "无说明"))


def environ() -> Mapping[str, str]:
    """The process environment (where secrets are read first)."""
    return os.environ
