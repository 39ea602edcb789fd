"""`handbook notify`: same-day alerts to 企业微信, 钉钉 and e-mail, exactly once.

Real parts only: responses made by the patrol simulator's CSV writer, ingested by `handbook ingest` into a
real store; a local HTTP server (http.server in a thread) stands in for both robot endpoints and is reached
by the real `requests` client; a local aiosmtpd server with STARTTLS (a throwaway self-signed certificate
made with `cryptography`, trusted through SSL_CERT_FILE) and AUTH receives the mail over smtplib.

The data (all 符合 unless said; supervisor patrols 09:00 and 15:00, manager 11:00, every project,
2026-11-20 .. 2026-11-22; the run is at 2026-11-23 09:00, Asia/Shanghai):
  wutong 11-22 09:00   红线 4.2.1.2-d 不符合 1 处, not corrected, note with a phone number and an e-mail
  lanting 11-22 09:00  every other item emptied: 10 of 50 points = 20.0%, 不合格, 32 findings (11 items)
  binjiang 11-21 09:00 4.2.1.1-a 不符合 1 处 (1 day to fix: due 11-22), 不适用 afterwards: overdue on 11-23
  wutong 11-22         no manager patrol: 0 of 1 (missed, known on 11-23)
  The 红线 (0 days to fix: due 11-22) has no fix report: the quiet 15:00 patrol does not close it, overdue on 11-23.
So the department (企业微信 + e-mail) gets 5 alerts; 梧桐苑's 钉钉 group gets 3 (红线, its overdue action, missed
patrol).
"""

from __future__ import annotations

import base64
import datetime as dt
import email
import email.policy
import hashlib
import hmac
import json
import socket
import sqlite3
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.inspection import answer_options
from generator.instruments.patrol import simulate as sim
from generator.notify.channels import Secrets, WECOM_MAX_BYTES
from generator.notify.digest import Alert, Digest, split_markdown
from generator.notify.run import run_notify
from generator.standards import load_standards
from generator.instruments import INSTRUMENTS

from conftest import STANDARDS, line_of, standards_texts

S = load_standards(STANDARDS, instruments=INSTRUMENTS).standards
TZ = ZoneInfo("Asia/Shanghai")
D = dt.date
NOW = "2026-11-23 09:00"
SITE = "https://handbook.example.com/"
NOTE = "顾客 13800138000 投诉，邮箱 zhang.san@example.com，已回访"
WECOM_KEY, DING_TOKEN, DING_SECRET, SMTP_PASSWORD = "wk-123-secret", "dt-456-secret", "SECabc789", "pw-0-secret"
SECRETS = (WECOM_KEY, DING_TOKEN, DING_SECRET, SMTP_PASSWORD)


# ---------------------------------------------------------------- data

def label(code: str, found: int | None) -> str:
    item = S.items[code]
    options = answer_options(item.points, item.deduction)
    if found is None:
        return "不适用"
    if found == 0:
        return "符合"
    return next(k for k, v in options.items() if v == min(found, max(n for n in options.values() if n is not None)))


def response(project, role, day, hour, found: dict[str, int | None] = {}, notes: dict[str, str] = {},  # noqa: B006 - read only
             inspector="测试员"):
    answers = {i.code: label(i.code, found.get(i.code, 0)) for i in S.checklist_items("daily-patrol")}
    failed = {S.section_of(c).number for c, n in found.items() if n}
    return sim.SimResponse(submitted_at=dt.datetime.combine(day, dt.time(hour, 5), TZ),
                           project=S.projects[project].name, role=S.roles[role].name, inspector=inspector,
                           date=day, answers=answers, corrected={n: False for n in failed}, notes=dict(notes))


def patrols(first=D(2026, 11, 20), last=D(2026, 11, 22)):  # noqa: B008 - dates are immutable
    out = []
    emptied = {i.code: 99 for i in S.checklist_items("daily-patrol") if not i.critical}
    day = first
    while day <= last:
        for p in S.organisation.projects:
            for hour in (9, 15):
                found, notes = {}, {}
                if p.id == "wutong" and day == D(2026, 11, 22) and hour == 9:
                    found, notes = {"4.2.1.2-d": 1}, {"4.2.1": NOTE}
                if p.id == "lanting" and day == D(2026, 11, 22) and hour == 9:
                    found = emptied
                if p.id == "binjiang" and hour == 9 and day == D(2026, 11, 21):
                    found = {"4.2.1.1-a": 1}
                elif p.id == "binjiang" and (day, hour) > (D(2026, 11, 21), 9):
                    found = {"4.2.1.1-a": None}
                out.append(response(p.id, "cs_supervisor", day, hour, found, notes, inspector="张三 13900139000"))
            if not (p.id == "wutong" and day == D(2026, 11, 22)):
                found = {"4.2.1.1-a": None} if p.id == "binjiang" and day >= D(2026, 11, 21) else {}
                out.append(response(p.id, "project_manager", day, 11, found))
        day += dt.timedelta(days=1)
    return out


def ingest(root: Path, responses, store: Path, standards: Path = STANDARDS) -> None:
    path = sim.write_csv(root / "daily-patrol.csv", sim.sheet_values(S, "daily-patrol", responses))
    result = CliRunner().invoke(main, ["ingest", "--file", str(path), "--checklist", "daily-patrol", "--store",
                                       str(store), "--standards", str(standards), "--lock", str(root / "no.lock")])
    assert result.exit_code == 0, result.output


# ---------------------------------------------------------------- a robot endpoint and a mail server

class Robots:
    """A local HTTP server answering as the 企业微信 and 钉钉 robots; `mode` says how (per path)."""

    def __init__(self):
        self.requests: list[dict] = []
        self.mode: dict[str, str] = {}          # "/wecom" or "/dingtalk" -> ok | errcode | http500 | slow | html
        robots = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                path, _, query = self.path.partition("?")
                body = self.rfile.read(int(self.headers["Content-Length"]))
                mode = robots.mode.get(path, "ok")
                if mode == "slow":
                    time.sleep(1.5)
                robots.requests.append({"path": path, "query": urllib.parse.parse_qs(query), "raw_query": query,
                                        "json": json.loads(body), "at": time.time()})
                status, answer = 200, {"errcode": 0, "errmsg": "ok"}
                if mode == "errcode":
                    answer = {"errcode": 93000, "errmsg": "invalid webhook url, hint: [1]"}
                elif mode == "http500":
                    status, answer = 500, {"message": "internal"}
                data = b"<html>proxy login</html>" if mode == "html" else json.dumps(answer).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass   # the client gave up (timeout)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True,
                     kwargs={"poll_interval": 0.05})   # shutdown() waits out one poll: 0.5 s by default
        self.thread.start()

    def of(self, path: str) -> list[dict]:
        return [r for r in self.requests if r["path"] == path]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A throwaway certificate for 127.0.0.1 and its key (PEM files)."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


class MailServer:
    """aiosmtpd on 127.0.0.1: STARTTLS required, AUTH with the test password, mail kept in `received`."""

    def __init__(self, folder: Path):
        import ssl

        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult

        self.cert, key = self_signed(folder)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert, key)
        self.received: list[dict] = []
        self.logins: list[tuple[bytes, bytes]] = []
        self.refuse: set[str] = set()
        server = self

        class Handler:
            async def handle_RCPT(self, smtp, session, envelope, address, rcpt_options):
                if address in server.refuse:
                    return "550 5.1.1 mailbox unavailable"
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(self, smtp, session, envelope):
                server.received.append({"to": list(envelope.rcpt_tos), "from": envelope.mail_from,
                                        "tls": session.ssl is not None, "data": envelope.content})
                return "250 Message accepted"

        def authenticator(smtp, session, envelope, mechanism, auth_data):
            server.logins.append((auth_data.login, auth_data.password))
            return AuthResult(success=auth_data.password == SMTP_PASSWORD.encode())

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port, tls_context=context,
                                     require_starttls=True, authenticator=authenticator, auth_require_tls=True,
                                     ready_timeout=10)
        self.controller.start()

    def messages(self) -> list[email.message.EmailMessage]:
        return [email.message_from_bytes(m["data"], policy=email.policy.default) for m in self.received]

    def close(self):
        self.controller.stop()


NOTIFICATIONS = """
notifications:
  smtp:
    host: 127.0.0.1
    port: {port}
    username: handbook
    password_env: T_SMTP_PASSWORD
    sender: handbook@example.com
  recipients:
    - role: crd
      wecom: {{key_env: T_WECOM_CRD}}
      email: [crd@example.com]
    - projects: [wutong]
      name: 梧桐苑项目群
      dingtalk: {{token_env: T_DINGTALK, secret_env: T_DINGTALK_SECRET}}
"""


@pytest.fixture
def world(tmp_path, monkeypatch):
    """Standards with a notifications block pointing at the local servers, a store with the data above, the
    secrets in a credentials file (and none in the environment), and the servers."""
    robots, mail = Robots(), MailServer(tmp_path)
    folder = tmp_path / "standards"
    folder.mkdir()
    texts = standards_texts()
    org = texts["organisation.yaml"]
    org = org[:org.index("\nnotifications:")] if "\nnotifications:" in org else org
    texts["organisation.yaml"] = org + NOTIFICATIONS.format(port=mail.port)
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")
    store = tmp_path / "store.sqlite"
    ingest(tmp_path, patrols(), store, folder)
    credentials = tmp_path / "notify.env"
    credentials.write_text(
        "# notify 凭据\n"
        f"T_WECOM_CRD=http://127.0.0.1:{robots.port}/wecom?key={WECOM_KEY}\n"
        f"export T_DINGTALK='http://127.0.0.1:{robots.port}/dingtalk?access_token={DING_TOKEN}'\n"
        f"T_DINGTALK_SECRET={DING_SECRET}\n"
        f"T_SMTP_PASSWORD={SMTP_PASSWORD}\n", encoding="utf-8")
    for name in ("T_WECOM_CRD", "T_DINGTALK", "T_DINGTALK_SECRET", "T_SMTP_PASSWORD", "HANDBOOK_NOTIFY_CREDENTIALS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SSL_CERT_FILE", str(mail.cert))
    monkeypatch.chdir(tmp_path)   # no mkdocs.yml here: --site-url gives the address
    yield dict(root=tmp_path, standards=folder, store=store, credentials=credentials, robots=robots, mail=mail)
    robots.close()
    mail.close()


def notify(w, *args, now=NOW):
    result = CliRunner().invoke(main, ["notify", "--store", str(w["store"]), "--standards", str(w["standards"]),
                                       "--credentials", str(w["credentials"]), "--site-url", SITE,
                                       "--now", now, *map(str, args)])
    for secret in SECRETS:
        assert secret not in result.output
    return result


def sends(store: Path) -> list[tuple]:
    conn = sqlite3.connect(store)
    try:
        return conn.execute("SELECT alert_key, channel, ok, part, forced FROM notify_sends ORDER BY id").fetchall()
    finally:
        conn.close()


def wutong_redline_id(store: Path) -> str:
    conn = sqlite3.connect(store)
    try:
        (iid,) = conn.execute("""SELECT i.id FROM inspections i JOIN versions v ON v.inspection_id = i.id
                                 WHERE v.project = 'wutong'
                                   AND json_extract(v.findings, '$."4.2.1.2-d"') = 1""").fetchone()
        return iid
    finally:
        conn.close()


def lanting_failed_id(store: Path) -> str:
    conn = sqlite3.connect(store)
    try:
        (iid,) = conn.execute("""SELECT i.id FROM inspections i JOIN versions v ON v.inspection_id = i.id
                                 WHERE v.project = 'lanting'
                                   AND json_extract(v.findings, '$."4.2.1.1-a"') = 5""").fetchone()
        return iid
    finally:
        conn.close()


WECOM_TEXT = """### 当天提醒 · 客户关系部
2026-11-23 09:00　共 5 条：红线问题 1，不合格检查 1，逾期未整改 2，缺少的巡查 1

**红线问题**
- **梧桐苑 · 2026-11-22 · 客服主管检查** [查看](https://handbook.example.com/results/projects/wutong/#redline)
  4.2.1.2-d 不随意吐痰（不符合 1 处，未当场纠正）；本节说明：顾客 138＊＊＊＊8000 投诉，邮箱 z＊＊＊@＊＊＊，已回访

**不合格检查**
- **兰亭雅居 · 2026-11-22 · 客服主管检查** [查看](https://handbook.example.com/results/projects/lanting/#recent)
  得分率 20.0%，评级 不合格，不符合 32 处
  问题：4.2.1.1-a 办公区物品与桌面整洁、4.2.1.1-b 下班前清理桌面、归位座椅、4.2.1.1-c 纸篓、雨伞、外套按规定放置、4.2.1.2-a 地面干净、4.2.1.2-b 桌椅、屏风、设备无尘 等 11 项

**逾期未整改**
- **梧桐苑 · 4.2.1.2-d 不随意吐痰** [查看](https://handbook.example.com/results/projects/wutong/#actions)
  2026-11-22 发现，整改期限 2026-11-22，已逾期 1 天
- **滨江花园 · 4.2.1.1-a 办公区物品与桌面整洁** [查看](https://handbook.example.com/results/projects/binjiang/#actions)
  2026-11-21 发现，整改期限 2026-11-22，已逾期 1 天

**缺少的巡查**
- **梧桐苑 · 2026-11-22 · 项目经理巡查** [查看](https://handbook.example.com/results/projects/wutong/#missed)
  完成 0 次，应至少 1 次"""  # noqa: E501 - a digest line as sent

DINGTALK_TEXT = """### 当天提醒 · 梧桐苑项目群
2026-11-23 09:00　共 3 条：红线问题 1，逾期未整改 1，缺少的巡查 1

**红线问题**
- **梧桐苑 · 2026-11-22 · 客服主管检查** [查看](https://handbook.example.com/results/projects/wutong/#redline)
  4.2.1.2-d 不随意吐痰（不符合 1 处，未当场纠正）；本节说明：顾客 138＊＊＊＊8000 投诉，邮箱 z＊＊＊@＊＊＊，已回访

**逾期未整改**
- **梧桐苑 · 4.2.1.2-d 不随意吐痰** [查看](https://handbook.example.com/results/projects/wutong/#actions)
  2026-11-22 发现，整改期限 2026-11-22，已逾期 1 天

**缺少的巡查**
- **梧桐苑 · 2026-11-22 · 项目经理巡查** [查看](https://handbook.example.com/results/projects/wutong/#missed)
  完成 0 次，应至少 1 次"""


def test_each_channel_gets_its_digest_once_and_the_store_records_it(world):
    robots, mail, store = world["robots"], world["mail"], world["store"]
    result = notify(world)
    assert result.exit_code == 0, result.output
    assert result.output == ("企业微信机器人 T_WECOM_CRD（客户关系部）：已发送 1 条消息，含 5 条提醒。\n"
                             "邮件 crd@example.com（客户关系部）：已发送 1 条消息，含 5 条提醒。\n"
                             "钉钉机器人 T_DINGTALK（梧桐苑项目群）：已发送 1 条消息，含 3 条提醒。\n")
    (wecom,) = robots.of("/wecom")
    assert wecom["query"] == {"key": [WECOM_KEY]}
    assert wecom["json"] == {"msgtype": "markdown", "markdown": {"content": WECOM_TEXT}}
    (ding,) = robots.of("/dingtalk")
    assert ding["json"] == {"msgtype": "markdown", "markdown": {
        "title": "【当天提醒】梧桐苑项目群：红线问题 1，逾期未整改 1，缺少的巡查 1（2026-11-23 09:00）",
        "text": DINGTALK_TEXT}}
    # the signature: HMAC-SHA256 of "timestamp\nsecret" keyed by the secret, Base64, URL-encoded
    stamp = ding["query"]["timestamp"][0]
    assert abs(int(stamp) / 1000 - ding["at"]) < 5
    expected = base64.b64encode(hmac.new(DING_SECRET.encode(), f"{stamp}\n{DING_SECRET}".encode(),
                                         hashlib.sha256).digest()).decode()
    assert ding["query"]["sign"] == [expected]
    assert f"sign={urllib.parse.quote_plus(expected)}" in ding["raw_query"]
    # the mail: over STARTTLS after logging in, plain text and HTML
    (received,) = mail.received
    assert received["tls"] is True and received["to"] == ["crd@example.com"]
    assert mail.logins == [(b"handbook", SMTP_PASSWORD.encode())]
    (message,) = mail.messages()
    assert message["Subject"] == ("【当天提醒】客户关系部：红线问题 1，不合格检查 1，逾期未整改 2，缺少的巡查 1"
                                  "（2026-11-23 09:00）")
    assert message["From"] == "handbook@example.com" and message["To"] == "crd@example.com"
    text = message.get_body(("plain",)).get_content()
    assert text.startswith("当天提醒 · 客户关系部\n2026-11-23 09:00　共 5 条：")
    assert ("- 梧桐苑 · 2026-11-22 · 客服主管检查\n  4.2.1.2-d 不随意吐痰（不符合 1 处，未当场纠正）；"
            "本节说明：顾客 138****8000 投诉，邮箱 z***@***，已回访\n"
            "  https://handbook.example.com/results/projects/wutong/#redline\n") in text
    page = message.get_body(("html",)).get_content()
    assert ('<li><strong>梧桐苑 · 2026-11-22 · 项目经理巡查</strong> <a href="https://handbook.example.com/'
            'results/projects/wutong/#missed">查看</a><br>完成 0 次，应至少 1 次</li>') in page
    everything = WECOM_TEXT + DINGTALK_TEXT + text + page
    assert "13800138000" not in everything and "zhang.san" not in everything and "张三" not in everything
    # the ledger: one row per alert and channel, all delivered
    red, failed = f"redline:{wutong_redline_id(store)}", f"failed:{lanting_failed_id(store)}"
    late_red, overdue = [k for k, *_ in sends(store) if k.startswith("overdue:")][:2]
    assert late_red.startswith("overdue:wutong:4.2.1.2-d:") and overdue.startswith("overdue:binjiang:4.2.1.1-a:")
    missed = "missed:wutong:project_manager:2026-11-22"
    assert sends(store) == [(k, "wecom:T_WECOM_CRD", 1, "1/1", 0) for k in (red, failed, late_red, overdue, missed)] + \
        [(k, "email:crd@example.com", 1, "1/1", 0) for k in (red, failed, late_red, overdue, missed)] + \
        [(k, "dingtalk:T_DINGTALK", 1, "1/1", 0) for k in (red, late_red, missed)]
    conn = sqlite3.connect(store)
    answers = {a for (a,) in conn.execute("SELECT DISTINCT answer FROM notify_sends")}
    runs = conn.execute("SELECT started_at, since FROM notify_runs").fetchall()
    conn.close()
    assert answers == {'HTTP 200 {"errcode": 0, "errmsg": "ok"}', "250 已接受"}
    assert runs == [("2026-11-23T09:00:00+08:00", None)]

    # a rerun, an hour later, sends nothing new
    again = notify(world, now="2026-11-23 10:00")
    assert (again.exit_code, again.output) == (0, "没有新的提醒。\n")
    assert len(robots.requests) == 2 and len(mail.received) == 1 and len(sends(store)) == 13

    # --since re-sends the period on purpose (and says so in the ledger)
    resent = notify(world, "--since", "2026-11-22", now="2026-11-23 11:00")
    assert resent.exit_code == 0, resent.output
    assert len(robots.of("/wecom")) == 2 and robots.of("/wecom")[1]["json"]["markdown"]["content"] == \
        WECOM_TEXT.replace("09:00", "11:00", 1)
    assert [row[4] for row in sends(store)[13:]] == [1] * 13


def test_a_failed_channel_is_one_line_the_others_go_out_and_it_is_retried_next_run(world):
    robots, mail, store = world["robots"], world["mail"], world["store"]
    robots.mode["/wecom"] = "errcode"
    result = notify(world)
    assert result.exit_code == 1
    assert result.output == (
        "错误：企业微信机器人 T_WECOM_CRD：机器人拒绝了消息（errcode 93000：invalid webhook url, hint: [1]）："
        "按错误码检查 key、签名或关键词设置；下次运行会重发。\n"
        "邮件 crd@example.com（客户关系部）：已发送 1 条消息，含 5 条提醒。\n"
        "钉钉机器人 T_DINGTALK（梧桐苑项目群）：已发送 1 条消息，含 3 条提醒。\n"
        "错误：1 个渠道发送失败（见上），其余已发出；失败的提醒会在下次运行时重发。\n")
    assert [(k.split(":")[0], ch, ok) for k, ch, ok, *_ in sends(store)][:5] == \
        [(kind, "wecom:T_WECOM_CRD", 0) for kind in ("redline", "failed", "overdue", "overdue", "missed")]
    # the next run (the robot fixed, an hour later, nothing else new): the four go to 企业微信 only
    robots.mode.clear()
    later = notify(world, now="2026-11-23 10:00")
    assert later.exit_code == 0, later.output
    assert later.output.startswith("企业微信机器人 T_WECOM_CRD（客户关系部）：已发送 1 条消息，含 5 条提醒。\n")
    assert len(mail.received) == 1 and len(robots.of("/dingtalk")) == 1
    retried = robots.of("/wecom")[-1]["json"]["markdown"]["content"]
    assert retried.startswith("### 当天提醒 · 客户关系部\n2026-11-23 10:00　共 5 条：红线问题 1，不合格检查 1，"
                              "逾期未整改 2")
    delivered = [(k.split(":")[0], ok) for k, ch, ok, *_ in sends(store) if ch == "wecom:T_WECOM_CRD"]
    assert delivered == [(k, 0) for k in ("redline", "failed", "overdue", "overdue", "missed")] + \
        [(k, 1) for k in ("redline", "failed", "overdue", "overdue", "missed")]
    # … and never again
    assert notify(world, now="2026-11-23 11:00").output == "没有新的提醒。\n"


@pytest.mark.parametrize("mode, line", [
    ("http500",
     "企业微信机器人 T_WECOM_CRD：发送失败，HTTP 500：检查机器人地址是否正确、机器人是否被移除；下次运行会重发。"),
    ("slow", "企业微信机器人 T_WECOM_CRD：0.5 秒内没有应答（超时）：检查网络或代理；下次运行会重发。"),
    ("html",
     "企业微信机器人 T_WECOM_CRD：应答无法识别（不是 JSON）：检查机器人地址是否指向企业微信或钉钉；下次运行会重发。"),
])
def test_bad_answers_of_a_robot(world, mode, line):
    world["robots"].mode["/wecom"] = mode
    result = notify(world, "--timeout", "0.5")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == "错误：" + line
    assert lines[1:3] == ["邮件 crd@example.com（客户关系部）：已发送 1 条消息，含 5 条提醒。",
                          "钉钉机器人 T_DINGTALK（梧桐苑项目群）：已发送 1 条消息，含 3 条提醒。"]
    assert [ok for _, ch, ok, *_ in sends(world["store"]) if ch.startswith("wecom")] == [0, 0, 0, 0, 0]


def test_smtp_refusal_and_a_missing_secret(world):
    world["mail"].refuse.add("crd@example.com")
    world["credentials"].write_text(world["credentials"].read_text().replace(f"T_DINGTALK_SECRET={DING_SECRET}\n", ""))
    result = notify(world)
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "企业微信机器人 T_WECOM_CRD（客户关系部）：已发送 1 条消息，含 5 条提醒。",
        "错误：邮件 crd@example.com：邮件服务器拒绝（550 5.1.1 mailbox unavailable）：检查 smtp 设置、"
        "用户名和密码及收件地址；下次运行会重发。",
        f"错误：钉钉机器人 T_DINGTALK：环境变量 T_DINGTALK_SECRET 未设置，凭据文件 {world['credentials']} 中也没有："
        "设置该环境变量，或把 T_DINGTALK_SECRET=… 写进凭据文件（放在仓库之外）。",
        "错误：2 个渠道发送失败（见上），其余已发出；失败的提醒会在下次运行时重发。"]
    assert world["robots"].of("/dingtalk") == []
    # the environment wins over the file
    world["mail"].refuse.clear()
    result = CliRunner().invoke(main, ["notify", "--store", str(world["store"]), "--standards",
                                       str(world["standards"]), "--credentials", str(world["credentials"]),
                                       "--site-url", SITE, "--now", "2026-11-23 09:30"],
                                env={"T_DINGTALK_SECRET": DING_SECRET})
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["邮件 crd@example.com（客户关系部）：已发送 1 条消息，含 5 条提醒。",
                                              "钉钉机器人 T_DINGTALK（梧桐苑项目群）：已发送 1 条消息，含 3 条提醒。"]


def test_dry_run_prints_the_digests_and_records_nothing(world):
    before = world["store"].read_bytes()
    result = notify(world, "--dry-run")
    assert result.exit_code == 0, result.output
    assert world["robots"].requests == [] and world["mail"].received == []
    assert world["store"].read_bytes() == before
    assert result.output == (
        "===== 企业微信机器人 T_WECOM_CRD · 客户关系部 =====\n"
        "主题：【当天提醒】客户关系部：红线问题 1，不合格检查 1，逾期未整改 2，缺少的巡查 1（2026-11-23 09:00）\n"
        + WECOM_TEXT + "\n\n"
        "===== 邮件 crd@example.com · 客户关系部 =====\n"
        "主题：【当天提醒】客户关系部：红线问题 1，不合格检查 1，逾期未整改 2，缺少的巡查 1（2026-11-23 09:00）\n"
        + result.output.split("===== 邮件 crd@example.com · 客户关系部 =====\n", 1)[1].split("\n", 1)[1]
        .split("===== 钉钉")[0] +
        "===== 钉钉机器人 T_DINGTALK · 梧桐苑项目群 =====\n"
        "主题：【当天提醒】梧桐苑项目群：红线问题 1，逾期未整改 1，缺少的巡查 1（2026-11-23 09:00）\n"
        + DINGTALK_TEXT + "\n\n"
        "试运行：3 个渠道的摘要如上，未发送，未记录。\n")
    assert "\n当天提醒 · 客户关系部\n2026-11-23 09:00　共 5 条" in result.output


def test_names_only_when_publish_names_allows(world):
    org = world["standards"] / "organisation.yaml"
    org.write_text(org.read_text(encoding="utf-8").replace("publish_names: false", "publish_names: true"),
                   encoding="utf-8")
    result = notify(world, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "- **梧桐苑 · 2026-11-22 · 客服主管（张三 139＊＊＊＊9000）检查**" in result.output
    assert "13900139000" not in result.output


def test_long_digests_are_split_and_robots_rate_limited(world):
    """176 红线 incidents with long notes: 企业微信 messages ≤ 4096 bytes, 20 a minute (a clock that only moves
    when slept: the 21st message waits the minute out), every alert exactly once, in order. No fix report
    follows: each 红线 incident is its own action and each is overdue the next day (176 more alerts)."""
    long_note = "客户反映" + "服务态度需要改进，" * 30
    rows = []
    for k in range(22):
        day = D(2026, 11, 1) + dt.timedelta(days=k)
        for p in S.organisation.projects:
            rows.append(response(p.id, "cs_supervisor", day, 9, {"4.2.2.1-x4": 1}, {"4.2.2": long_note}))
            rows.append(response(p.id, "cs_supervisor", day, 15))
            rows.append(response(p.id, "project_manager", day, 11))
    store = world["root"] / "many.sqlite"
    ingest(world["root"], rows, store, world["standards"])

    class Clock:
        t = 1000.0
        slept: list[float] = []

        def now(self):
            return self.t

        def sleep(self, seconds):
            self.slept.append(seconds)
            self.t += seconds

    clock = Clock()
    standards = load_standards(world["standards"], instruments=INSTRUMENTS).standards
    secrets = Secrets({}, world["credentials"], required=True)
    report = run_notify(standards, store, secrets=secrets, site_url=SITE, since=D(2026, 11, 1),
                        now=dt.datetime(2026, 11, 23, 9, 0, tzinfo=TZ), clock=clock.now, sleep=clock.sleep)
    assert report.failed == []
    wecom = [r["json"]["markdown"]["content"] for r in world["robots"].of("/wecom")]
    assert len(wecom) > 20
    assert clock.slept == [60.0] * ((len(wecom) - 1) // 20)   # the clock stands still but for the sleeps
    assert max(len(t.encode()) for t in wecom) <= WECOM_MAX_BYTES
    assert wecom[0].startswith(f"### 当天提醒 · 客户关系部（第 1/{len(wecom)} 条）\n2026-11-23 09:00　共 352 条："
                               "红线问题 176，逾期未整改 176")
    assert sum(t.count("\n- **") for t in wecom) == 352
    ding = [r["json"]["markdown"]["text"] for r in world["robots"].of("/dingtalk")]
    assert len(ding) >= 2 and max(len(t) for t in ding) <= 3500
    assert sum(t.count("\n- **") for t in ding) == 44
    parts = [p for _, ch, _, p, _ in sends(store) if ch == "wecom:T_WECOM_CRD"]
    assert len(parts) == 352 and parts[0] == f"1/{len(wecom)}" and parts[-1] == f"{len(wecom)}/{len(wecom)}"


def test_split_never_cuts_an_alert():
    alerts = [Alert(f"redline:{k}", "redline", "wutong", D(2026, 11, 22), f"梧桐苑 · 第 {k} 条",
                    ("说" * 300,), "results/projects/wutong/#redline") for k in range(12)]
    messages = split_markdown(Digest("客户关系部", alerts), SITE, NOW, lambda t: len(t.encode()) <= 4096)
    # an entry is ~1,040 bytes (300 characters of 3 bytes and the rest): 3 fit under 4,096 with the header
    assert [len(m.keys) for m in messages] == [3, 3, 3, 3]
    assert [k for m in messages for k in m.keys] == [a.key for a in alerts]
    assert all(len(m.text.encode()) <= 4096 for m in messages)
    assert ([m.text.splitlines()[0] for m in messages]
            == [f"### 当天提醒 · 客户关系部（第 {k}/4 条）" for k in (1, 2, 3, 4)])


def test_ingest_notify_sends_after_the_ingest(world, monkeypatch):
    monkeypatch.setenv("HANDBOOK_NOTIFY_CREDENTIALS", str(world["credentials"]))
    path = sim.write_csv(world["root"] / "one.csv", sim.sheet_values(S, "daily-patrol", patrols()))
    result = CliRunner().invoke(main, ["ingest", "--file", str(path), "--checklist", "daily-patrol", "--store",
                                       str(world["store"]), "--standards", str(world["standards"]), "--lock",
                                       str(world["root"] / "no.lock"), "--notify", "--site-url", SITE])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "合计：读取 71 行，新增 0，修改 0，未变 71，隔离 0，来源中已删除 0。" in lines
    # real time now: nobody patrolled yesterday (the data ends 2026-11-22), so every project's supervisor and
    # manager patrols of yesterday are missed (and the 11-22 inspections are new only within a week of them)
    assert lines[-3].startswith("企业微信机器人 T_WECOM_CRD（客户关系部）：已发送 ")
    assert lines[-2].startswith("邮件 crd@example.com（客户关系部）：已发送 1 条消息，含 ")
    assert lines[-1].startswith("钉钉机器人 T_DINGTALK（梧桐苑项目群）：已发送 1 条消息，含 ")
    yesterday = dt.datetime.now(TZ).date() - dt.timedelta(days=1)
    missed = {k for k, ch, ok, *_ in sends(world["store"]) if ch == "email:crd@example.com" and ok
              and k.startswith("missed:") and k.endswith(yesterday.isoformat())}
    assert missed == {f"missed:{p.id}:{r}:{yesterday.isoformat()}" for p in S.organisation.projects
                      for r in ("cs_supervisor", "project_manager")}
    conn = sqlite3.connect(world["store"])
    assert conn.execute("SELECT count(*) FROM notify_runs").fetchone() == (1,)
    conn.close()


def test_check_reports_a_bad_notifications_block_at_its_line(tmp_path):
    texts = standards_texts()
    org = texts["organisation.yaml"]
    bad = org[:org.index("\nnotifications:")] + """
notifications:
  recipients:
    - role: project_manager
      wecom: {key_env: https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc}
    - projects: [wutong, nowhere]
      email: [not-an-address]
    - name: 无渠道
      role: crd
"""
    folder = tmp_path / "standards"
    folder.mkdir()
    texts["organisation.yaml"] = bad
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--standards", str(folder)])
    assert result.exit_code == 1
    f = f"{folder}/organisation.yaml"
    line = lambda needle: line_of(bad, needle)  # noqa: E731
    assert result.output.splitlines()[:1] == [
        f"{f}:{line('key_env:')}: 错误: “key_env”应为环境变量名，不是密钥本身（提示：只写环境变量名（大写英文字母、"
        "数字和下划线，"
        "例如 HANDBOOK_WECOM_CRD），把 key、密钥或密码放进该环境变量或 notify 凭据文件）"]
    assert "key=abc" not in result.output
    # with the key fixed, the meaning checks
    texts["organisation.yaml"] = bad.replace("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc", "PM_KEY")
    (folder / "organisation.yaml").write_text(texts["organisation.yaml"], encoding="utf-8")
    fixed = texts["organisation.yaml"]
    result = CliRunner().invoke(main, ["check", "--standards", str(folder)])
    assert result.exit_code == 1
    assert result.output.splitlines()[:5] == [
        f"{f}:{line_of(fixed, '- role: project_manager')}: 错误: 角色“project_manager”（项目经理）属于项目团队，"
        "收件人须写明 projects"
        "（提示：加上 projects: [项目代号]，否则该项目团队会收到所有项目的提醒）",
        f"{f}:{line_of(fixed, '- projects: [wutong, nowhere]')}: 错误: 未知的项目“nowhere”（提示：可用的项目有："
        "wutong（梧桐苑）、"
        "lanting（兰亭雅居）、binjiang（滨江花园）、xiangshu（香树湾）、jinqiao（金桥公寓）、yuelan（悦澜府）、"
        "qingyuan（青园小区）、"
        "haitang（海棠湾））",
        f"{f}:{line_of(fixed, 'email: [not-an-address]')}: 错误: “not-an-address”不是有效的邮箱地址（提示：写成 "
        "name@example.com 的形式，一行一个）",
        f"{f}:{line_of(fixed, 'email: [not-an-address]')}: 错误: 有收件邮箱，但 notifications 中没有 smtp（发信服务器）"
        "（提示：在 notifications 下加 smtp: {host: …, port: 587, sender: …}）",
        f"{f}:{line_of(fixed, '- name: 无渠道')}: 错误: 收件人没有任何渠道"
        "（提示：至少写 wecom、dingtalk 或 email 之一）"]


def test_a_second_run_at_the_same_time_sends_nothing(world):
    import fcntl

    with open(f"{world['store']}.notify-lock", "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        result = notify(world)
    assert result.exit_code == 1
    assert result.output == (f"错误：另一个 handbook notify 正在使用数据库 {world['store']}：等它结束后再运行；"
                             "本次什么也没有发送。\n")
    assert world["robots"].requests == [] and world["mail"].received == []
    assert notify(world).exit_code == 0 and len(world["robots"].requests) == 2


def test_one_line_errors_before_anything_is_sent(world, tmp_path):
    # no notifications block
    plain = tmp_path / "plain"
    plain.mkdir()
    for name, text in standards_texts().items():
        if name == "organisation.yaml":
            text = text[:text.index("\nnotifications:")] + "\n"
        (plain / name).write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["notify", "--store", str(world["store"]), "--standards", str(plain)])
    assert (result.exit_code, result.output) == (1, (
        "错误：organisation.yaml 中没有 notifications，不知道把提醒发给谁：按维护说明在 organisation.yaml 中加上 "
        "notifications 后重新运行 handbook check。\n"))
    # a credentials file with a line that is no NAME=value (the line is not shown: it may hold a secret)
    bad = tmp_path / "bad.env"
    bad.write_text("# 注释\nwk-123-secret\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["notify", "--store", str(world["store"]), "--standards",
                                       str(world["standards"]), "--credentials", str(bad)])
    assert (result.exit_code, result.output) == (1, (
        f"错误：notify 凭据文件 {bad} 第 2 行不是“名称=值”：每行写一个 名称=值，例如 HANDBOOK_WECOM_CRD=…；"
        "以 # 开头的行是注释。\n"))
    # --since after today, and no store
    assert notify(world, "--since", "2026-11-24").output == (
        "错误：--since 2026-11-24 晚于今天 2026-11-23：写今天或更早的日期。\n")
    missing = tmp_path / "none.sqlite"
    result = CliRunner().invoke(main, ["notify", "--store", str(missing), "--standards", str(world["standards"]),
                                       "--credentials", str(world["credentials"])])
    assert (result.exit_code, result.output) == (1,
                                                 f"错误：找不到数据库 {missing}：先运行 handbook ingest，或用 --store "
                                                 "指定已有的数据库。\n")
    assert not missing.exists()
    assert world["robots"].requests == [] and world["mail"].received == []
    # without a site address: a warning, and the page paths instead of links
    result = CliRunner().invoke(main, ["notify", "--store", str(world["store"]), "--standards",
                                       str(world["standards"]), "--credentials", str(world["credentials"]),
                                       "--now", NOW, "--dry-run"])
    assert result.exit_code == 0
    assert ("注意：mkdocs.yml 中没有 site_url，提醒里的链接只写页面路径：在 mkdocs.yml 中写上网站地址 site_url: "
            "https://…/，"
            "或用 --site-url 指定。\n") in result.output
    assert "- **梧桐苑 · 2026-11-22 · 项目经理巡查**（网站：results/projects/wutong/#missed）" in result.output


def test_ingest_notify_with_json_keeps_standard_output_json(world, monkeypatch):
    monkeypatch.setenv("HANDBOOK_NOTIFY_CREDENTIALS", str(world["credentials"]))
    path = sim.write_csv(world["root"] / "one.csv", sim.sheet_values(S, "daily-patrol", patrols()))
    result = CliRunner().invoke(main, ["ingest", "--file", str(path), "--checklist", "daily-patrol", "--store",
                                       str(world["store"]), "--standards", str(world["standards"]), "--lock",
                                       str(world["root"] / "no.lock"), "--notify", "--site-url", SITE, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [s["unchanged"] for s in data["sources"]] == [71]
    assert "钉钉机器人 T_DINGTALK（梧桐苑项目群）：已发送 1 条消息，含 " in result.stderr
